package access_test

import (
	"net/http"
	"testing"

	"vinculo/crm"
)

// Staff manage portal accounts through their own routes (plugins/portalauth):
// block, unblock and sign out everywhere, for staff who may write. The rows
// act on customer D, who is not one of the matrix's actors.
func init() {
	moreRoutes = append(moreRoutes,
		route{http.MethodPost, "/api/crm/customers/{cuD}/block", nil, writers, http.StatusOK},
		route{http.MethodPost, "/api/crm/customers/{cuD}/unblock", nil, writers, http.StatusOK},
		route{http.MethodPost, "/api/crm/customers/{cuD}/sign-out", nil, writers, http.StatusNoContent},
	)
}

// A portal account's password, email, verification, token key and contact
// are the customer's, and blocked is set by the block route: through the
// record API every actor (superusers included, the customer too for what
// the customer may not set there) is refused, and nothing changes.
func TestCustomerSecretsAreTheCustomers(t *testing.T) {
	w := newWorld(t)
	target := w.R("cuA")
	changes := map[string]map[string]any{
		"password": {"password": "chosen-by-someone-else", "passwordConfirm": "chosen-by-someone-else"},
		"email":    {"email": "taken@over.test"},
		"verified": {"verified": false},
		"tokenKey": {"tokenKey": "chosen-by-someone-else-0123456789"},
		"contact":  {"contact": w.ID("ctX")},
		"blocked":  {"blocked": true},
	}
	for _, actor := range actors {
		for field, body := range changes {
			if field == "blocked" && actor == superuser {
				continue // the dashboard may block an account (its sessions end); staff use the block route
			}
			res := w.Do(t, http.MethodPatch, "/api/collections/customers/records/"+target.Id, actor, body)
			after := w.Find(t, crm.Customers, target.Id)
			if res.Status < 400 || after.Email() != target.Email() || after.TokenKey() != target.TokenKey() ||
				after.Verified() != target.Verified() || after.GetString(crm.FieldContact) != target.GetString(crm.FieldContact) ||
				after.GetBool("blocked") || !after.ValidatePassword("a-long-test-password") {
				t.Errorf("%s set %s on customer A: %d %s", actor, field, res.Status, res.Body)
			}
		}
	}
}
