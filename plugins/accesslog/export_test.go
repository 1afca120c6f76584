package accesslog

import "github.com/pocketbase/pocketbase/core"

// DefaultFlush is FlushEvery as shipped.
var DefaultFlush = FlushEvery

// Crash ends app's writer as a kill -9 would: nothing is written, the spool
// file stays.
func Crash(app core.App) {
	loggersMu.Lock()
	l := loggers[app]
	delete(loggers, app)
	loggersMu.Unlock()
	if l == nil {
		return
	}
	l.mu.Lock()
	l.stopped = true
	if l.spool != nil {
		_ = l.spool.Close()
		l.spool = nil
	}
	l.pending = nil
	l.mu.Unlock()
	close(l.stop)
	<-l.done
}
