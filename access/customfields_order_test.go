package access_test

import "net/http"

// Custom fields, second part: the order of a collection's fields is for
// managers; the customer's fields (labels and kinds the portal's profile
// shows) are read by anyone signed in, customers included.
func init() {
	moreRoutes = append(moreRoutes,
		route{http.MethodPost, "/api/crm/fields/order", map[string]any{"collection": "nope", "ids": []string{}}, managers, http.StatusBadRequest},
		route{http.MethodGet, "/api/crm/fields/customer?collection=contacts", nil,
			[]string{custA, custB, custC, manager, agent, readonly, superuser}, http.StatusOK},
	)
}
