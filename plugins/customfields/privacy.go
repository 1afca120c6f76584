package customfields

import (
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"vinculo/crm"
)

// state remembers, per app, which custom fields are the customers': read
// on first use, forgotten whenever a row of custom_fields changes.
type state struct {
	mu     sync.RWMutex
	theirs map[string]bool // "collection.name" of the fields marked as the customer's
	loaded bool
}

func (s *state) forget() {
	s.mu.Lock()
	s.loaded, s.theirs = false, nil
	s.mu.Unlock()
}

func (s *state) customers(app core.App) map[string]bool {
	s.mu.RLock()
	if s.loaded {
		defer s.mu.RUnlock()
		return s.theirs
	}
	s.mu.RUnlock()
	var rows []struct {
		Collection string `db:"collection"`
		Name       string `db:"name"`
	}
	err := app.DB().Select("collection", "name").From(crm.CustomFields).
		Where(dbx.HashExp{"customer": true}).All(&rows)
	theirs := map[string]bool{}
	for _, r := range rows {
		theirs[r.Collection+"."+r.Name] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil { // on an error nothing is the customer's: everything stays hidden
		s.theirs, s.loaded = theirs, true
	}
	return theirs
}

// internal are the custom fields of c a customer may not see.
func (s *state) internal(app core.App, c *core.Collection) []string {
	theirs := s.customers(app)
	var out []string
	for _, f := range c.Fields {
		if name := f.GetName(); crm.IsCustomField(name) && !theirs[c.Name+"."+name] {
			out = append(out, name)
		}
	}
	return out
}

// internalEverywhere are the internal custom fields of every collection:
// a filter can reach any of them through a relation or @collection.
func (s *state) internalEverywhere(app core.App) []string {
	var out []string
	for _, name := range crm.CustomFieldCollections {
		if c, err := app.FindCachedCollectionByNameOrId(name); err == nil {
			out = append(out, s.internal(app, c)...)
		}
	}
	return out
}

func isCustomer(auth *core.Record) bool {
	return auth != nil && auth.Collection().Name == crm.Customers
}

// bindPrivacy keeps internal custom fields from customers: out of every
// record they receive, and out of their filters, sorts and subscriptions.
func bindPrivacy(app core.App, s *state) {
	app.OnRecordEnrich(crm.CustomFieldCollections...).BindFunc(func(e *core.RecordEnrichEvent) error {
		if e.RequestInfo != nil && isCustomer(e.RequestInfo.Auth) {
			e.Record.Hide(s.internal(e.App, e.Record.Collection())...)
		}
		return e.Next()
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "vinculo.customfields.queryguard",
			Priority: apis.DefaultRateLimitMiddlewarePriority + 2,
			Func: func(e *core.RequestEvent) error {
				if !isCustomer(e.Auth) || !strings.Contains(e.Request.Pattern, "/api/collections/{collection}/") {
					return e.Next()
				}
				q := e.Request.URL.Query()
				if name := mentioned(s.internalEverywhere(e.App), q.Get(search.FilterQueryParam), q.Get(search.SortQueryParam), q.Get("expand")); name != "" {
					return e.BadRequestError("You cannot filter or sort by "+name+".", nil)
				}
				return e.Next()
			},
		})
		return se.Next()
	})
	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		if !isCustomer(e.Auth) {
			return e.Next()
		}
		internal := s.internalEverywhere(e.App)
		for _, topic := range e.Subscriptions {
			if name := topicMentions(internal, topic); name != "" {
				return e.BadRequestError("You cannot filter or sort by "+name+".", nil)
			}
		}
		return e.Next()
	})
}

// topicMentions reads a topic's options as PocketBase's subscriptions
// client does, and tells which internal field its query names.
func topicMentions(internal []string, topic string) string {
	scratch := subscriptions.NewDefaultClient()
	scratch.Subscribe(topic)
	opts, ok := scratch.Subscriptions()[topic]
	if !ok {
		// Options PocketBase cannot read are refused by the portal's guard;
		// the raw text is checked all the same.
		raw, _ := url.QueryUnescape(topic)
		return mentioned(internal, raw)
	}
	var texts []string
	for _, v := range opts.Query {
		texts = append(texts, v)
	}
	return mentioned(internal, texts...)
}

// mentioned is the first of names that any of texts names as a word
// (letters, digits and _ around it do not count), ignoring case as SQLite
// does for column names.
func mentioned(names []string, texts ...string) string {
	for _, name := range names {
		re := regexp.MustCompile(`(?i)(^|[^a-z0-9_])` + regexp.QuoteMeta(name) + `($|[^a-z0-9_])`)
		for _, t := range texts {
			if t != "" && re.MatchString(t) {
				return name
			}
		}
	}
	return ""
}
