package crm

import (
	"slices"
	"sync"
	"sync/atomic"
)

// The business's settings as they are now. A manager changes them in the
// workspace while the server runs, so a plugin never reads cfg.Business
// after start: it asks cfg.BusinessNow() each time it needs them, and sees
// the last saved values at once, without a restart. Config itself is never
// written after start (its Business block keeps the configuration file's
// values, the first ones); the live values sit beside it, one per Config.
var liveBusiness sync.Map // *Config -> *atomic.Pointer[Business]

// BusinessNow returns the business's settings as last saved (the
// configuration file's until a manager saves others). The value returned is
// the caller's own copy: its slices may be read, never written.
func (c *Config) BusinessNow() Business {
	if p, ok := liveBusiness.Load(c); ok {
		if b := p.(*atomic.Pointer[Business]).Load(); b != nil {
			return *b
		}
	}
	return c.Business
}

// SetBusiness makes b the business's settings for every later BusinessNow
// of c. Readers running at the same time see either the old or the new
// values, never a mix.
func (c *Config) SetBusiness(b Business) {
	b.Holidays = slices.Clone(b.Holidays)
	for d := range b.Hours {
		b.Hours[d] = slices.Clone(b.Hours[d])
	}
	p, _ := liveBusiness.LoadOrStore(c, new(atomic.Pointer[Business]))
	p.(*atomic.Pointer[Business]).Store(&b)
}
