package access_test

import "net/http"

// The Insights boards, their records and their CSV are for staff, every
// role; customers and the public get nothing (plugins/insights).
func init() {
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/insights", nil, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/insights/sales?period=this_year", nil, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/insights/team/requests_open/records", nil, staffAll, http.StatusOK},
		route{http.MethodGet, "/api/crm/insights/sales/won_revenue/csv", nil, staffAll, http.StatusOK},
	)
}
