package team

import (
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
)

// A partner (staff role `partner`) is an outside technician the business
// sends requests to. The API rules (1764005400_teams_visibility.go) let
// them read and answer only the requests assigned to them; here, of each
// one's customer they receive only the name and the contact points the job
// needs, and, whatever a later collection's rules say, they reach no
// collection, file or route of the workspace but those.

// PartnerContactFields are the fields of a contact a partner receives.
var PartnerContactFields = []string{"id", "collectionId", "collectionName", "name", crm.FieldEmail, "phone", "mobile", "address"}

// partnerCollections are the collections a partner's requests may name,
// and partnerFiles those whose files they may download.
var (
	partnerCollections = []string{crm.Cases, crm.CaseMessages, crm.Contacts, crm.CaseTypes, crm.BusinessSettings, crm.Notifications, crm.Staff}
	partnerFiles       = []string{crm.Cases, crm.CaseMessages, crm.BusinessSettings}
	partnerRoutes      = []string{"/api/crm/notifications"}
)

// IsPartner tells whether auth is a partner.
func IsPartner(auth *core.Record) bool {
	return auth != nil && auth.Collection().Name == crm.Staff && auth.GetString(crm.FieldRole) == crm.RolePartner
}

func bindPartners(app core.App) {
	app.OnRecordEnrich(crm.Contacts).BindFunc(func(e *core.RecordEnrichEvent) error {
		if e.RequestInfo == nil || !IsPartner(e.RequestInfo.Auth) {
			return e.Next()
		}
		var hide []string
		for _, f := range e.Record.Collection().Fields {
			if !slices.Contains(PartnerContactFields, f.GetName()) {
				hide = append(hide, f.GetName())
			}
		}
		e.Record.Hide(hide...)
		if err := e.Next(); err != nil {
			return err
		}
		e.Record.WithCustomData(false) // counts and back-relation ids other plugins add
		return nil
	})
	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		if !IsPartner(e.Auth) {
			return e.Next()
		}
		for _, topic := range e.Subscriptions {
			collection, _, _ := strings.Cut(topic, "/")
			if !slices.Contains(partnerCollections, collection) {
				return e.ForbiddenError("Partners follow only the requests assigned to them.", nil)
			}
		}
		return e.Next()
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "vinculo.team.partners",
			Priority: apis.DefaultRateLimitMiddlewarePriority + 3,
			Func: func(e *core.RequestEvent) error {
				if !IsPartner(e.Auth) || partnerMay(e) {
					return e.Next()
				}
				return e.ForbiddenError("Partners work only on the requests assigned to them.", nil)
			},
		})
		return se.Next()
	})
}

// partnerMay tells whether a partner's request goes where partners work.
func partnerMay(e *core.RequestEvent) bool {
	path := e.Request.URL.Path
	switch {
	case strings.HasPrefix(path, "/api/collections/"):
		return slices.Contains(partnerCollections, e.Request.PathValue("collection")) ||
			slices.Contains(partnerCollections, strings.Split(strings.TrimPrefix(path, "/api/collections/"), "/")[0])
	case strings.HasPrefix(path, "/api/files/"):
		return slices.Contains(partnerFiles, strings.Split(strings.TrimPrefix(path, "/api/files/"), "/")[0])
	case strings.HasPrefix(path, "/api/crm/"):
		return slices.ContainsFunc(partnerRoutes, func(p string) bool { return path == p || strings.HasPrefix(path, p+"/") })
	case strings.HasPrefix(path, "/api/batch"):
		return false
	}
	return true // the workspace's pages, sign-in, realtime, health
}
