//go:build unix

package main

import (
	"syscall"

	"github.com/pocketbase/pocketbase/core"
)

// openFilesReserve is what the server keeps open besides its connections:
// the databases and their journals, logs, the listener, hook files.
const openFilesReserve = 100

// raiseOpenFileLimit makes `vinculo serve` take every open file the system
// allows it before it listens: each connected customer's live updates hold
// one connection, and each connection is an open file. It logs what it got
// and how many connections that holds.
func raiseOpenFileLimit(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		soft, hard, err := raiseOpenFiles()
		switch {
		case err != nil:
			se.App.Logger().Warn("Open files: the limit could not be raised", "soft", soft, "hard", hard, "error", err.Error())
		case soft < 4096:
			se.App.Logger().Warn("Open files: a low limit; raise it (ulimit -n, or LimitNOFILE= in a systemd unit) for many live connections",
				"limit", soft, "connections", max(0, int64(soft)-openFilesReserve))
		default:
			se.App.Logger().Info("Open files", "limit", soft, "connections", int64(soft)-openFilesReserve)
		}
		return se.Next()
	})
}

// raiseOpenFiles lifts the soft RLIMIT_NOFILE to the hard one and returns
// the limits in force afterwards. Go's runtime already lifts it when the
// process starts (Go 1.19 on); this makes sure of it where that did not
// happen and reads what is in force, for the log line.
func raiseOpenFiles() (soft, hard uint64, err error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, 0, err
	}
	if l.Cur < l.Max {
		want := l
		want.Cur = l.Max
		err = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want)
		_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return uint64(l.Cur), uint64(l.Max), err
}
