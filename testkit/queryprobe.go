package testkit

import (
	"sync/atomic"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// QueryProbe counts what runs after a record query: PocketBase fires
// OnRecordsListRequest right after the list query, OnRecordViewRequest right
// after the view query, and OnRecordEnrich for every record it answers with.
type QueryProbe struct{ Lists, Views, Enriched atomic.Int64 }

// ProbeQueries binds a QueryProbe to app, ahead of every other handler of
// those hooks.
func ProbeQueries(app core.App) *QueryProbe {
	p := &QueryProbe{}
	app.OnRecordsListRequest().Bind(&hook.Handler[*core.RecordsListRequestEvent]{Priority: -1 << 30,
		Func: func(e *core.RecordsListRequestEvent) error { p.Lists.Add(1); return e.Next() }})
	app.OnRecordViewRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{Priority: -1 << 30,
		Func: func(e *core.RecordRequestEvent) error { p.Views.Add(1); return e.Next() }})
	app.OnRecordEnrich().Bind(&hook.Handler[*core.RecordEnrichEvent]{Priority: -1 << 30,
		Func: func(e *core.RecordEnrichEvent) error { p.Enriched.Add(1); return e.Next() }})
	return p
}

// Total is how many queries and enriched records the probe saw.
func (p *QueryProbe) Total() int64 { return p.Lists.Load() + p.Views.Load() + p.Enriched.Load() }
