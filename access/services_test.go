package access_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"vinculo/crm"
)

// Services customers run (plugins/orders: subscriptions*.go, periods.go):
// the portal's routes are for customers alone, each on the subscriptions
// they manage (their own, their company's as its admin). Bodies stop at
// validation for the allowed actor, so each row checks who gets through.
// No new collection: the new fields of subscriptions, products and payments
// keep their collections' rules (customers write none of them).
func init() {
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/portal/services", nil, customers3, http.StatusOK},
		route{http.MethodPost, "/api/crm/portal/services", map[string]any{"product": "nosuchproduct00"}, customers3, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/portal/services/quote", map[string]any{"product": "nosuchproduct00"}, customers3, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/portal/subscriptions/{sbA}/preview", map[string]any{}, []string{custA}, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/portal/subscriptions/{sbBco}/preview", map[string]any{}, []string{custB}, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/portal/subscriptions/{sbC}/preview", map[string]any{}, []string{custC}, http.StatusBadRequest},
	)
}

// A customer never writes what the server works out for a subscription —
// its price, credit, interval, period, a cancellation and its reason — nor
// a payment's purpose or lines: the record API refuses them whatever the
// body, and the records are as they were. The services list holds only
// what the customer manages.
func TestServicesFieldsAreTheServers(t *testing.T) {
	w := newWorld(t)
	for _, who := range customers3 {
		for _, body := range []map[string]any{
			{"price": 1}, {crm.SubCredit: 500}, {crm.SubInterval: "year"}, {crm.SubNextPrice: 1},
			{crm.SubCancelAt: "2030-01-01 00:00:00.000Z", crm.SubCancelReason: "moving"}, {crm.SubMethod: "pix"},
		} {
			res := w.Do(t, http.MethodPatch, "/api/collections/subscriptions/records/"+w.ID("sbA"), who, body)
			if res.Status < 400 {
				t.Errorf("%s wrote %v: %d", who, body, res.Status)
			}
		}
		if res := w.Do(t, http.MethodPost, "/api/collections/payments/records", who, map[string]any{crm.PaySubscription: w.ID("sbA"),
			crm.PayPurpose: crm.PurposeChange, crm.PayAmount: 0, crm.PayCurrency: "BRL", crm.PayMethod: "pix", crm.PayState: "paid",
			crm.PayContact: w.ID("ctA")}); res.Status < 400 {
			t.Errorf("%s created a payment: %d", who, res.Status)
		}
	}
	sub := w.Find(t, crm.Subscriptions, w.ID("sbA"))
	if sub.GetFloat("price") != 100 || sub.GetFloat(crm.SubCredit) != 0 || sub.GetString(crm.SubInterval) != "" || !sub.GetDateTime(crm.SubCancelAt).IsZero() {
		t.Errorf("sbA changed: %v %v %q %v", sub.GetFloat("price"), sub.GetFloat(crm.SubCredit), sub.GetString(crm.SubInterval), sub.GetDateTime(crm.SubCancelAt))
	}
	for who, want := range map[string][]string{custA: {"sbA"}, custB: {"sbBco"}, custC: {"sbC"}} {
		var answer struct {
			Services []struct {
				Subscription struct{ ID string } `json:"subscription"`
			} `json:"services"`
		}
		res := w.Do(t, http.MethodGet, "/api/crm/portal/services", who, nil)
		if err := jsonInto(res.Body, &answer); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range answer.Services {
			got = append(got, s.Subscription.ID)
		}
		var ids []string
		for _, l := range want {
			ids = append(ids, w.ID(l))
		}
		if !slices.Equal(got, ids) {
			t.Errorf("%s lists %v, want %v", who, got, ids)
		}
	}
}

func jsonInto(body []byte, v any) error { return json.Unmarshal(body, v) }
