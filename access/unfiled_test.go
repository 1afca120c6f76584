package access_test

import "net/http"

// Mail filed under nobody (plugins/channels/email/unfiled.go): staff read
// the list; managers and agents file or set aside (a mail that is not there
// is a 404 once allowed); readonly staff, customers and anonymous do neither.
func init() {
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/email/unfiled", nil, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/email/unfiled?handled=1", nil, staffAll, http.StatusOK},
		route{http.MethodPost, "/api/crm/email/messages/nosuchmail00000/file", map[string]any{"contact": "x", "as": "timeline"}, writers, http.StatusNotFound},
		route{http.MethodPost, "/api/crm/email/messages/nosuchmail00000/dismiss", nil, writers, http.StatusNotFound},
	)
}
