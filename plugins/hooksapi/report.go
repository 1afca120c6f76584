package hooksapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync"

	"github.com/dop251/goja"
	"github.com/pocketbase/pocketbase/tools/router"
)

// report logs a handler's failure with the file, line and column where it
// was thrown (the first JavaScript frame of its stack: the hook's own
// line, or the line of a required module). Not logged:
//   - an error that only passed through the handler's e.next(): the rest
//     of the chain failed, not the hook, and whoever failed reports it;
//   - the same error again, when it comes back through an outer handler
//     (a hook whose $app.save() ran a hook that threw).
//
// A deliberate refusal, an ApiError under 500 (throw new BadRequestError),
// is logged at debug level; anything else at error level.
func (en *engine) report(h *handler, err error) {
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		en.app.Logger().Error("JavaScript hook failed: "+err.Error(), "hook", h.kind, "file", h.file, "line", h.line, "error", err.Error())
		return
	}
	frames := ex.Stack()
	if en.passedThroughNext(frames) {
		return
	}
	cause := normalizeException(err)
	if !en.reported.add(cause) {
		return
	}
	file, line, col := h.file, h.line, 0
	for _, f := range frames {
		if name := f.SrcName(); name != "" && name != "<native>" {
			p := f.Position()
			file, line, col = en.rel(name), p.Line, p.Column
			break
		}
	}
	msg := ex.Value().String()
	if cause != err {
		msg = cause.Error()
	}
	level := slog.LevelError
	var apiErr *router.ApiError
	if errors.As(cause, &apiErr) && apiErr.Status < 500 {
		level = slog.LevelDebug
	}
	en.app.Logger().Log(context.Background(), level,
		fmt.Sprintf("JavaScript hook failed at %s:%d:%d: %s", file, line, col, msg),
		"file", file, "line", line, "column", col, "hook", h.kind,
		"defined_at", fmt.Sprintf("%s:%d", h.file, h.line), "error", msg, "stack", stackText(en, frames))
}

// passedThroughNext: the error was thrown by a Go call (the top frame is
// native) made where the hook's source reads "next(": the event's e.next(),
// whose error is the rest of the chain's.
func (en *engine) passedThroughNext(frames []goja.StackFrame) bool {
	if len(frames) < 2 || frames[0].SrcName() != "<native>" {
		return false
	}
	for _, f := range frames[1:] {
		name := f.SrcName()
		if name == "" || name == "<native>" {
			continue
		}
		content, ok := en.source(name)
		if !ok {
			return false
		}
		p := f.Position()
		lines := strings.Split(content, "\n")
		if p.Line < 1 || p.Line > len(lines) {
			return false
		}
		line := lines[p.Line-1]
		if p.Column < 1 || p.Column-1 > len(line) {
			return false
		}
		// goja places a call at its "(".
		return strings.HasSuffix(strings.TrimSpace(line[:p.Column-1]), "next")
	}
	return false
}

func stackText(en *engine, frames []goja.StackFrame) string {
	var b strings.Builder
	for _, f := range frames {
		if name := f.SrcName(); name != "" && name != "<native>" {
			p := f.Position()
			fn := f.FuncName()
			if fn == "" {
				fn = "<anonymous>"
			}
			fmt.Fprintf(&b, "at %s (%s:%d:%d)\n", fn, en.rel(name), p.Line, p.Column)
		}
	}
	return strings.TrimSpace(b.String())
}

// reportedErrors remembers the last errors reported, so that one failure
// is logged once however many handlers it passes through.
type reportedErrors struct {
	mu   sync.Mutex
	last [32]any
	next int
}

// add returns false when err was reported already.
func (r *reportedErrors) add(err error) bool {
	if err == nil || !reflect.TypeOf(err).Comparable() {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, seen := range r.last {
		if seen != nil && seen == any(err) {
			return false
		}
	}
	r.last[r.next] = err
	r.next = (r.next + 1) % len(r.last)
	return true
}
