package access_test

import "net/http"

// The replication status (replica, last sync, lag) is for managers.
func init() {
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/replication", nil, managers, http.StatusOK},
	)
}
