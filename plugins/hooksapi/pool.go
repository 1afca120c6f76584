package hooksapi

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
	"github.com/pocketbase/pocketbase/core"
)

// pool lends runtimes, one goroutine at a time each. It holds up to size
// of them: the first is built with the pool, the others the first time a
// call finds every built one busy, and each is then kept. An idle server
// that never runs two hooks at once holds one runtime, not size of them
// (each is about 0.25 MB of heap, twice that in the process's memory).
// When size are built and busy, a throw-away runtime is built for the call
// (several times slower: size the pool to the peak of concurrent hook
// calls) and the first such call in a minute is logged with the advice.
type pool struct {
	en      *engine
	factory func() *goja.Runtime
	size    int

	// kept holds what each pooled runtime keeps between calls. It only
	// grows (up to size), under mu; a runtime's entry is written before
	// the runtime is first lent, so its borrower reads it without the lock.
	kept sync.Map // *goja.Runtime -> *pooledRuntime

	mu    sync.Mutex
	idle  []*goja.Runtime
	built int // runtimes built for the pool (kept), at most size

	overflow atomic.Int64
	warned   atomic.Int64 // unix seconds of the last warning
}

func newPool(en *engine, size int, factory func() *goja.Runtime) *pool {
	p := &pool{en: en, factory: factory, size: max(size, 0)}
	p.idle = make([]*goja.Runtime, 0, p.size)
	if p.size > 0 {
		// the first call finds one ready
		p.idle = append(p.idle, p.keep(factory()))
		p.built = 1
	}
	return p
}

// keep makes vm one of the pool's runtimes.
func (p *pool) keep(vm *goja.Runtime) *goja.Runtime {
	p.kept.Store(vm, &pooledRuntime{fns: map[*handler]goja.Callable{}, app: p.en.app, appValue: vm.Get("$app")})
	return vm
}

// run calls fn with a runtime no other goroutine uses meanwhile.
func (p *pool) run(fn func(vm *goja.Runtime) error) error {
	p.mu.Lock()
	var vm *goja.Runtime
	grow := false
	if n := len(p.idle); n > 0 {
		vm, p.idle = p.idle[n-1], p.idle[:n-1]
	} else if p.built < p.size {
		p.built++ // counted now, built outside the lock
		grow = true
	}
	p.mu.Unlock()
	if grow {
		vm = p.keep(p.factory())
	}
	if vm == nil {
		p.overflow.Add(1)
		if p.size > 0 {
			now := time.Now().Unix()
			if last := p.warned.Load(); now-last >= 60 && p.warned.CompareAndSwap(last, now) {
				p.en.app.Logger().Warn("Hooks: every pooled JavaScript runtime is busy; building a throw-away one (raise hooks.pool_size to the peak of concurrent hook calls)",
					"pool_size", p.size)
			}
		}
		return fn(p.factory())
	}
	defer func() {
		vm.ClearInterrupt()
		p.mu.Lock()
		p.idle = append(p.idle, vm)
		p.mu.Unlock()
	}()
	return fn(vm)
}

// fill builds every runtime the pool may still keep.
func (p *pool) fill() {
	p.mu.Lock()
	n := p.size - p.built
	p.built = p.size
	p.mu.Unlock()
	for range n {
		vm := p.keep(p.factory())
		p.mu.Lock()
		p.idle = append(p.idle, vm)
		p.mu.Unlock()
	}
}

// runtimeOf is what vm keeps between calls; nil when vm is not pooled (a
// throw-away runtime, or the loader's).
func (p *pool) runtimeOf(vm *goja.Runtime) *pooledRuntime {
	if p == nil {
		return nil
	}
	rt, _ := p.kept.Load(vm)
	kept, _ := rt.(*pooledRuntime)
	return kept
}

func (p *pool) stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Size: p.size, Built: p.built, Idle: len(p.idle), Overflow: p.overflow.Load()}
}

// pooledRuntime is what one pooled runtime keeps between calls, used only
// by the goroutine the runtime is lent to: the function of every handler
// it has run (evaluated on its first call there, not at every call), and
// `$app` as a JavaScript value of the app itself, its value between calls.
type pooledRuntime struct {
	fns      map[*handler]goja.Callable
	app      core.App
	appValue goja.Value
}

// fn is h's function on vm: kept when vm is pooled, made anew otherwise.
func (rt *pooledRuntime) fn(vm *goja.Runtime, h *handler) (goja.Callable, error) {
	if rt != nil {
		if f, ok := rt.fns[h]; ok {
			return f, nil
		}
	}
	v, err := vm.RunProgram(h.program)
	if err != nil {
		return nil, err
	}
	f, ok := goja.AssertFunction(v)
	if !ok {
		return nil, fmt.Errorf("%s: the handler is not a function", h.kind)
	}
	if rt != nil {
		rt.fns[h] = f
	}
	return f, nil
}

// setApp makes app `$app` on vm until the returned function is called: an
// event hook's app always (the event's, nil when it has none), another
// handler's when not nil. The app itself is set as the value the runtime
// keeps, not wrapped anew.
func (rt *pooledRuntime) setApp(vm *goja.Runtime, app core.App, event bool) (restore func()) {
	if app == nil && !event {
		return func() {}
	}
	old := vm.Get("$app")
	var v goja.Value
	switch {
	case app == nil:
		v = goja.Undefined()
	case rt != nil && app == rt.app:
		v = rt.appValue
	default:
		v = vm.ToValue(app)
	}
	vm.Set("$app", v)
	return func() { vm.Set("$app", old) }
}

// appFields: where the App field of each event type is (nil: it has none).
var appFields sync.Map // reflect.Type -> []int

// eventApp is the App field of a hook's event (e.app), nil when it has none.
func eventApp(event any) core.App {
	if e, ok := event.(*core.RecordEvent); ok { // the commonest, without reflection
		return e.App
	}
	v := reflect.ValueOf(event)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	t := v.Elem().Type()
	index, ok := appFields.Load(t)
	if !ok {
		var found []int
		if f, has := t.FieldByName("App"); has && f.Type == reflect.TypeFor[core.App]() {
			found = f.Index
		}
		index, _ = appFields.LoadOrStore(t, found)
	}
	if index.([]int) == nil {
		return nil
	}
	f, err := v.Elem().FieldByIndexErr(index.([]int))
	if err != nil {
		return nil
	}
	app, _ := f.Interface().(core.App)
	return app
}
