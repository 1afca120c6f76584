package accesslog

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
)

const (
	actionRead   = "read"
	actionExport = "export"
)

// Watched are the collections whose records, opened through the record API,
// are a look at their customer's data.
var Watched = []string{crm.Contacts, crm.Cases, crm.CaseMessages, crm.Orders, crm.Subscriptions, crm.Consents}

var (
	loggersMu sync.Mutex
	loggers   = map[core.App]*logger{}
)

// Register binds the record API's view and list hooks, the routes, and the
// writer: started once the app's database is open, stopped (after writing
// what waits) when the app terminates. Registering twice is harmless.
func Register(app core.App, cfg *crm.Config) error {
	loggersMu.Lock()
	if _, ok := loggers[app]; ok {
		loggersMu.Unlock()
		return nil
	}
	l := newLogger(app)
	loggers[app] = l
	loggersMu.Unlock()

	if app.IsBootstrapped() {
		l.start()
	} else {
		app.OnBootstrap().Bind(&hook.Handler[*core.BootstrapEvent]{Id: "vinculo.accesslog.start", Func: func(e *core.BootstrapEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			l.start()
			return nil
		}})
	}
	app.OnTerminate().Bind(&hook.Handler[*core.TerminateEvent]{Id: "vinculo.accesslog.stop", Priority: -100, Func: func(e *core.TerminateEvent) error {
		stop(app)
		return e.Next()
	}})
	app.OnRecordViewRequest(Watched...).Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "vinculo.accesslog.view", Func: onView})
	app.OnRecordsListRequest(Watched...).Bind(&hook.Handler[*core.RecordsListRequestEvent]{Id: "vinculo.accesslog.list", Func: onList})
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Id: "vinculo.accesslog.routes", Func: func(se *core.ServeEvent) error {
		routes(se)
		return se.Next()
	}})
	return nil
}

// Off stops recording looks on app: for the bench alone, which measures the
// log's cost against no log in the same run. Nothing in the product calls it.
func Off(app core.App, off bool) {
	loggersMu.Lock()
	defer loggersMu.Unlock()
	if off {
		offApps[app] = true
	} else {
		delete(offApps, app)
	}
}

var offApps = map[core.App]bool{}

func isOff(app core.App) bool {
	loggersMu.Lock()
	defer loggersMu.Unlock()
	return offApps[app]
}

func loggerOf(app core.App) *logger {
	loggersMu.Lock()
	defer loggersMu.Unlock()
	return loggers[app]
}

// stop writes what waits and forgets the app.
func stop(app core.App) {
	loggersMu.Lock()
	l := loggers[app]
	delete(loggers, app)
	loggersMu.Unlock()
	if l != nil {
		l.close()
	}
}

// Flush writes every look that waits, now (tests, and a command about to
// end).
func Flush(app core.App) {
	if l := loggerOf(app); l != nil {
		l.flush()
	}
}

// Look is one customer's data opened.
type Look struct {
	Contact    string // whose data
	Collection string // what: the collection and record opened
	Record     string
	Screen     string // crm.Screen*
}

// Record queues a look by the requester. Customers reading their own data,
// and requests without an auth, are not looks. Without the plugin on the
// app (a test of one plugin alone) the look is written at once.
func Record(e *core.RequestEvent, look Look) error {
	en, ok := entryFor(e)
	if !ok {
		return nil
	}
	en.Contact, en.Collection, en.Record, en.Screen, en.Action = look.Contact, look.Collection, look.Record, look.Screen, actionRead
	return queue(e.App, en)
}

// Automation queues a look by an automation with no request (a hook, a job),
// shown to the customer as "an automation: name".
func Automation(app core.App, name string, look Look) error {
	en := Entry{ID: core.GenerateDefaultRandomId(), At: time.Now(), Kind: crm.AccessByAutomation, ActorType: "system",
		Name: name, Contact: look.Contact, Collection: look.Collection, Record: look.Record, Screen: look.Screen, Action: actionRead}
	return queue(app, en)
}

// Export queues an export: one row with its filter and count, and its
// members (the contacts it held, repeats allowed) for their logs.
func Export(e *core.RequestEvent, kind, filter string, members []string) error {
	en, ok := entryFor(e)
	if !ok {
		return nil
	}
	en.Collection, en.Screen, en.Action, en.Reason, en.Count = kind, crm.ScreenExport, actionExport, filter, len(members)
	en.Members = distinct(members)
	return queue(e.App, en)
}

// MemberOf is the contact a record of an export belongs to: the contact
// itself, or the contact of a deal or a request; "" for a company.
func MemberOf(r *core.Record) string {
	if r.Collection().Name == crm.Contacts {
		return r.Id
	}
	return r.GetString(crm.FieldContact)
}

func distinct(ids []string) []string {
	seen := make(map[string]struct{}, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id == "" {
			continue
		}
		if _, ok := seen[id]; !ok {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}

func queue(app core.App, en Entry) error {
	if l := loggerOf(app); l != nil {
		l.add(en)
		return nil
	}
	err := write(app, []Entry{en})
	if err != nil {
		report(app, err)
	}
	return nil
}

// entryFor is the requester as the customer will read them; ok is false
// for a customer (their own reads) and for no auth at all.
func entryFor(e *core.RequestEvent) (Entry, bool) {
	if e == nil || e.Auth == nil || isOff(e.App) {
		return Entry{}, false
	}
	en := Entry{ID: core.GenerateDefaultRandomId(), At: time.Now(), IP: e.RealIP()}
	if e.Request != nil {
		en.UserAgent = e.Request.UserAgent()
	}
	switch {
	case e.Auth.IsSuperuser():
		en.Kind, en.ActorType, en.Name = crm.AccessByAutomation, "superuser", AutomationAPI
	case e.Auth.Collection().Name == crm.Staff:
		en.Kind, en.ActorType, en.Staff = crm.AccessByStaff, "staff", e.Auth.Id
		en.Name, en.Role = e.Auth.GetString("name"), e.Auth.GetString(crm.FieldRole)
		if en.Role == crm.RolePartner {
			en.Kind = crm.AccessByPartner
		}
	case e.Auth.Collection().Name == crm.Customers:
		return Entry{}, false
	default: // another auth collection: an integration's account
		en.Kind, en.ActorType, en.Name = crm.AccessByAutomation, "integration", e.Auth.Collection().Name
	}
	return en, true
}

// AutomationAPI is the name a superuser's token reads as: the business's
// own scripts and integrations through the API.
const AutomationAPI = "API"
