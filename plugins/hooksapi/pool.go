package hooksapi

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// pool lends prewarmed runtimes, one goroutine at a time each. When every
// one is busy, a throw-away runtime is built for the call (several times
// slower: size the pool to the peak of concurrent hook calls) and the
// first such call in a minute is logged with the advice.
type pool struct {
	en      *engine
	factory func() *goja.Runtime
	size    int

	mu   sync.Mutex
	idle []*goja.Runtime

	overflow atomic.Int64
	warned   atomic.Int64 // unix seconds of the last warning
}

func newPool(en *engine, size int, factory func() *goja.Runtime) *pool {
	p := &pool{en: en, factory: factory, size: max(size, 0)}
	p.idle = make([]*goja.Runtime, 0, p.size)
	for range p.size {
		p.idle = append(p.idle, factory())
	}
	return p
}

// run calls fn with a runtime no other goroutine uses meanwhile.
func (p *pool) run(fn func(vm *goja.Runtime) error) error {
	p.mu.Lock()
	var vm *goja.Runtime
	if n := len(p.idle); n > 0 {
		vm, p.idle = p.idle[n-1], p.idle[:n-1]
	}
	p.mu.Unlock()
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

func (p *pool) stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Size: p.size, Idle: len(p.idle), Overflow: p.overflow.Load()}
}
