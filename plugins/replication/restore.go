package replication

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/benbjohnson/litestream"

	"vinculo/crm"
)

// ErrEmptyReplica: the replica holds nothing to restore.
var ErrEmptyReplica = errors.New("the replica holds no copy of data.db")

// Restored is what a restore brought back.
type Restored struct {
	Name    string    `json:"name"`    // data.db or auxiliary.db
	Skipped bool      `json:"skipped"` // the replica had no copy of it (for that moment)
	Until   time.Time `json:"until"`   // the moment it was restored to (zero: the latest)
}

// Restore brings data.db and auxiliary.db back from the replica of rc into
// dataDir, as they were at the moment at (zero: the latest state). dataDir
// must hold no data.db; the state Litestream keeps beside a database, and a
// WAL left without its database, are removed first. Without a copy of
// auxiliary.db (the logs) PocketBase starts a new one. ErrEmptyReplica says
// that the replica holds nothing.
func Restore(ctx context.Context, rc crm.Replication, dataDir string, at time.Time) ([]Restored, error) {
	if rc.URL == "" {
		return nil, errors.New("no replica is configured (replication.url)")
	}
	for _, name := range Databases {
		if _, err := os.Stat(filepath.Join(dataDir, name)); err == nil {
			return nil, fmt.Errorf("%s already holds %s: a restore never overwrites a database; stop the server and move the data dir aside, or restore into another one (--dir)", dataDir, name)
		} else if !os.IsNotExist(err) {
			return nil, err
		}
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	var out []Restored
	for _, name := range Databases {
		r, err := restoreOne(ctx, rc, dataDir, name, at)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func restoreOne(ctx context.Context, rc crm.Replication, dataDir, name string, at time.Time) (Restored, error) {
	r := Restored{Name: name, Until: at}
	target := filepath.Join(dataDir, name)
	for _, stale := range []string{target + "-wal", target + "-shm", filepath.Join(dataDir, "."+name+litestream.MetaDirSuffix)} {
		if err := os.RemoveAll(stale); err != nil {
			return r, err
		}
	}
	client, err := newClient(rc, name)
	if err != nil {
		return r, err
	}
	if c, ok := client.(interface{ Cleanup(context.Context) error }); ok {
		defer func() { _ = c.Cleanup(context.WithoutCancel(ctx)) }() // an SFTP connection
	}
	if err := client.Init(ctx); err != nil {
		return r, fmt.Errorf("%s: reach the replica: %w", name, err)
	}
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = target
	opt.Timestamp = at
	opt.IntegrityCheck = litestream.IntegrityCheckQuick
	err = litestream.NewReplicaWithClient(nil, client).Restore(ctx, opt)
	switch {
	case err == nil:
		return r, nil
	case errors.Is(err, litestream.ErrNoSnapshots) || errors.Is(err, litestream.ErrTxNotAvailable):
		if name == Databases[0] {
			if at.IsZero() {
				return r, ErrEmptyReplica
			}
			return r, fmt.Errorf("the replica holds no copy of data.db as of %s: %w", at.UTC().Format(time.RFC3339), ErrEmptyReplica)
		}
		r.Skipped = true
		return r, nil
	default:
		return r, fmt.Errorf("%s: %w", name, err)
	}
}

// RestoreIfEmpty restores dataDir from the replica when it holds no data.db,
// and tells whether it did. An empty replica is no error: the server starts
// fresh.
func RestoreIfEmpty(ctx context.Context, rc crm.Replication, dataDir string) (bool, error) {
	if _, err := os.Stat(filepath.Join(dataDir, Databases[0])); err == nil {
		return false, nil
	}
	// A lone auxiliary.db (the logs) does not make a data dir: it goes aside.
	aux := filepath.Join(dataDir, Databases[1])
	if _, err := os.Stat(aux); err == nil {
		aside := aux + ".before-restore-" + time.Now().UTC().Format("20060102T150405")
		if err := os.Rename(aux, aside); err != nil {
			return false, err
		}
		_ = os.Remove(aux + "-wal")
		_ = os.Remove(aux + "-shm")
	}
	_, err := Restore(ctx, rc, dataDir, time.Time{})
	if errors.Is(err, ErrEmptyReplica) {
		return false, nil
	}
	return err == nil, err
}

// ParseTime reads a restore's --timestamp: RFC 3339 ("2026-12-06T14:03:00Z",
// "2026-12-06T11:03:00-03:00") or "2026-12-06 14:03:00" in UTC.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a moment like 2026-12-06T14:03:00Z", s)
}
