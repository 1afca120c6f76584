package deals

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
)

const storeKey = "vinculo.deals"

// Options tune the plugin; the zero value is the shipping behaviour.
type Options struct {
	Now func() time.Time // the clock of stage changes (tests move it)
}

type plugin struct {
	mu   sync.Mutex
	opts Options
}

func (p *plugin) now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.opts.Now != nil {
		return p.opts.Now().UTC()
	}
	return time.Now().UTC()
}

// Register binds the deals capability on app.
func Register(app core.App, cfg *crm.Config) error {
	p, ok := app.Store().Get(storeKey).(*plugin)
	if !ok {
		p = &plugin{}
		app.Store().Set(storeKey, p)
	}
	// Early (after the timeline opens the transaction at -100), so that the
	// fields are set before PocketBase validates the record.
	app.OnRecordCreate(crm.Deals).Bind(&hook.Handler[*core.RecordEvent]{
		Id: "vinculo.deals.create", Priority: -20, Func: func(e *core.RecordEvent) error { return p.onSave(e, false) }})
	app.OnRecordUpdate(crm.Deals).Bind(&hook.Handler[*core.RecordEvent]{
		Id: "vinculo.deals.update", Priority: -20, Func: func(e *core.RecordEvent) error { return p.onSave(e, true) }})
	bindRequests(app)
	// The first lost reasons, in the business's language (plugins/business,
	// registered before, has read it by then). Tests run the migrations
	// before the plugins register; the server runs them on serve.
	if app.IsBootstrapped() {
		if err := SeedLostReasons(app, cfg.BusinessNow().Language); err != nil {
			return err
		}
	}
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := SeedLostReasons(e.App, cfg.BusinessNow().Language); err != nil {
			return err
		}
		return e.Next()
	})
	return nil
}

// Configure changes the options of the plugin registered on app.
func Configure(app core.App, o Options) {
	p, ok := app.Store().Get(storeKey).(*plugin)
	if !ok {
		p = &plugin{}
		app.Store().Set(storeKey, p)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opts = o
}
