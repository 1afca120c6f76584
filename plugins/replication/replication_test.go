package replication_test

import (
	"archive/zip"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/replication"
	"vinculo/testkit"
)

// Managers see the replica, the last sync and the lag of each database.
func TestStatusForManagers(t *testing.T) {
	rc := fileTarget(t)
	w := replicated(t, rc).Business(t)
	w.SetToken("manager", w.Token(t, "manager"))
	if err := replication.From(w.App).Flush(bounded(t)); err != nil {
		t.Fatal(err)
	}
	var s replication.Status
	res := w.Do(t, http.MethodGet, "/api/crm/replication", "manager", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	res.JSON(t, &s)
	if !s.Enabled || !s.Running || s.Replica != rc.URL || len(s.Databases) != 2 {
		t.Fatalf("status %+v", s)
	}
	data := s.Databases[0]
	if data.Name != "data.db" || data.LastSync == nil || time.Since(*data.LastSync) > time.Minute ||
		data.LagSeconds != 0 || data.LocalTXID == 0 || data.ReplicaTXID != data.LocalTXID {
		t.Errorf("data.db right after a sync: %+v", data)
	}
	if strings.Contains(string(res.Body), "secret") {
		t.Errorf("the status shows a secret: %s", res.Body)
	}
}

// Without a replica the route says so; the URL shown never carries a secret.
func TestStatusWithoutReplica(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served()).Business(t)
	w.SetToken("manager", w.Token(t, "manager"))
	var s replication.Status
	w.Do(t, http.MethodGet, "/api/crm/replication", "manager", nil).JSON(t, &s)
	if s.Enabled || s.Running || len(s.Databases) != 0 {
		t.Errorf("status without a replica: %+v", s)
	}
	if got := replication.Shown("sftp://backup:hunter2@host:22/srv/vinculo"); got != "sftp://backup@host:22/srv/vinculo" {
		t.Errorf("shown %q", got)
	}
}

// PocketBase's scheduled backups are on by default (daily, the last 7 kept),
// set once: a superuser's choice afterwards, off included, stays.
func TestBackupsOnByDefault(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	b := w.App.Settings().Backups
	if b.Cron != replication.BackupCron || b.CronMaxKeep != replication.BackupKeep {
		t.Fatalf("backups %+v, want daily keeping 7", b)
	}
	settings := w.App.Settings()
	settings.Backups.Cron = ""
	if err := w.App.Save(settings); err != nil {
		t.Fatal(err)
	}
	if err := replication.Register(w.App, w.Cfg); err != nil { // as at the next start
		t.Fatal(err)
	}
	if got := w.App.Settings().Backups.Cron; got != "" {
		t.Errorf("backups turned off by a superuser came back on: %q", got)
	}
}

// A PocketBase backup leaves out the state Litestream keeps beside each
// database, and does not hold writers for long while replicating.
func TestBackupLeavesOutReplicationState(t *testing.T) {
	w := replicated(t, fileTarget(t))
	if err := replication.From(w.App).Flush(bounded(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(w.App.DataDir(), ".data.db-litestream")); err != nil {
		t.Fatalf("no replication state beside data.db: %v", err)
	}
	start := time.Now()
	if err := w.App.CreateBackup(context.Background(), "drill.zip"); err != nil {
		t.Fatal(err)
	}
	// Its closing checkpoints wait for Litestream's read transaction, with
	// writers blocked, for 1 s a database, not PocketBase's 10 s.
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("a backup while replicating took %s", took)
	}
	z, err := zip.OpenReader(filepath.Join(w.App.DataDir(), core.LocalBackupsDirName, "drill.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	hasData := false
	for _, f := range z.File {
		if strings.Contains(f.Name, "-litestream") {
			t.Errorf("the backup holds %s", f.Name)
		}
		hasData = hasData || f.Name == "data.db"
	}
	if !hasData {
		t.Error("the backup has no data.db")
	}
}

// A restore never overwrites a database, and an empty replica restores
// nothing: a server asked to restore first then starts fresh.
func TestRestoreRefusals(t *testing.T) {
	rc := fileTarget(t)
	ctx := bounded(t)
	dir := t.TempDir()
	if _, err := replication.Restore(ctx, rc, dir, time.Time{}); !errors.Is(err, replication.ErrEmptyReplica) {
		t.Errorf("restore from an empty replica: %v", err)
	}
	if done, err := replication.RestoreIfEmpty(ctx, rc, dir); done || err != nil {
		t.Errorf("restore first from an empty replica: %v %v", done, err)
	}
	write(t, filepath.Join(dir, "data.db"), "precious", 0o600)
	if _, err := replication.Restore(ctx, rc, dir, time.Time{}); err == nil || !strings.Contains(err.Error(), "never overwrites") {
		t.Errorf("restore over a database: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "data.db")); string(b) != "precious" {
		t.Error("the database was touched")
	}
	if _, err := replication.Restore(ctx, crm.Replication{}, t.TempDir(), time.Time{}); err == nil {
		t.Error("a restore without a replica ran")
	}
}

func TestCheckURL(t *testing.T) {
	for url, ok := range map[string]bool{
		"": true, "s3://bucket/vinculo": true, "s3://bucket/vinculo?endpoint=https://s3.example.test&region=auto": true,
		"sftp://backup@host:2222/srv/vinculo": true, "file:///var/backups/vinculo": true,
		"s3:///nobucket": false, "sftp://host/srv": false, "sftp://backup:pw@host/srv": false,
		"file://relative/path": false, "gs://bucket/path": false, "/var/backups": false,
	} {
		if why := replication.CheckURL(url); (why == "") != ok {
			t.Errorf("CheckURL(%q) = %q", url, why)
		}
	}
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 12, 6, 14, 3, 0, 0, time.UTC)
	for _, s := range []string{"2026-12-06T14:03:00Z", "2026-12-06T11:03:00-03:00", "2026-12-06 14:03:00"} {
		if got, err := replication.ParseTime(s); err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := replication.ParseTime("yesterday"); err == nil {
		t.Error("yesterday was read as a moment")
	}
}

// `vinculo restore --dir D --timestamp T` restores into D before PocketBase
// opens it, and the program then runs on the restored data.
func TestRestoreCommand(t *testing.T) {
	rc := fileTarget(t)
	w := replicated(t, rc).Business(t)
	if err := replication.From(w.App).Flush(bounded(t)); err != nil {
		t.Fatal(err)
	}
	moment := time.Now().UTC()
	time.Sleep(20 * time.Millisecond)
	w.Make(t, "", crm.Contacts, map[string]any{"name": "Later", "email": "later@cli.test", "owner": w.ID("agent")})
	if err := replication.From(w.App).Flush(bounded(t)); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "drill")
	args := os.Args
	t.Cleanup(func() { os.Args = args })
	os.Args = []string{"vinculo", "restore", "--dir", dir, "--timestamp", moment.Format(time.RFC3339Nano)}
	pb := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: dir, HideStartBanner: true})
	cfg := testkit.Config(t)
	cfg.Replication = rc
	if err := replication.Register(pb, cfg); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	pb.RootCmd.SetOut(&out)
	if err := pb.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "data.db: restored") {
		t.Errorf("the command said %q", out.String())
	}
	db := open(t, filepath.Join(dir, "data.db"))
	if got := emails(t, db, "ana@a.test", "later@cli.test"); got != "ana@a.test" {
		t.Errorf("restored to the moment: contacts %q, want ana@a.test alone", got)
	}
}

// A replica that refuses the changes shows: the lag grows and the last error
// is there for managers.
func TestStatusShowsLagAndError(t *testing.T) {
	blocked := filepath.Join(t.TempDir(), "not-a-folder")
	write(t, blocked, "a file where the replica's folder should be", 0o600)
	w := replicated(t, crm.Replication{URL: "file://" + blocked + "/replica", SyncSeconds: 1}).Business(t)
	r := replication.From(w.App)
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := r.Status(time.Now())
		if s.LastError != "" && s.Databases[0].LagSeconds >= 1 && s.Databases[0].LastSync == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s of a refusing replica: %+v", s)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A replica out of reach at the start does not keep the server down: it
// serves, and managers are told why nothing is replicated.
func TestServesWhileReplicaUnreachable(t *testing.T) {
	rc := crm.Replication{URL: "sftp://root@127.0.0.1:" + freePort(t) + "/srv/vinculo", SyncSeconds: 1}
	w := replicated(t, rc).Business(t)
	w.SetToken("manager", w.Token(t, "manager"))
	var s replication.Status
	res := w.Do(t, http.MethodGet, "/api/crm/replication", "manager", nil)
	res.JSON(t, &s)
	if res.Status != http.StatusOK || s.Running || !s.Enabled || s.Error == "" || s.LastError == "" {
		t.Errorf("status with the replica out of reach: %d %+v", res.Status, s)
	}
}
