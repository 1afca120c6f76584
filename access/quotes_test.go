package access_test

import (
	"fmt"
	"net/http"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// Quotes (plugins/orders/quotes*.go): written through the quotes' routes
// alone — nobody but a superuser creates, changes or deletes one through the
// record API, so no customer sets a price, a state, a number or a record of
// acceptance, and no agent either. Staff read all; a customer reads the
// quotes sent to them (never a draft), and their company's as its admin.
// The staff's routes are for writers; accepting and declining are for the
// customer, and 404 for a quote that is not theirs.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return quoteSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodPost, "/api/crm/quotes/price", map[string]any{"lines": []any{}}, writers, http.StatusOK},
		route{http.MethodPost, "/api/crm/quotes", map[string]any{"contact": "nosuchcontact00"}, writers, http.StatusBadRequest},
		route{http.MethodPut, "/api/crm/quotes/nosuchquote0000", map[string]any{}, writers, http.StatusNotFound},
		route{http.MethodPost, "/api/crm/quotes/nosuchquote0000/send", nil, writers, http.StatusNotFound},
		route{http.MethodPost, "/api/crm/quotes/nosuchquote0000/withdraw", nil, writers, http.StatusNotFound},
		route{http.MethodPost, "/api/crm/portal/quotes/nosuchquote0000/accept", map[string]any{"name": "Ana A"}, customers3, http.StatusNotFound},
		route{http.MethodPost, "/api/crm/portal/quotes/nosuchquote0000/decline", map[string]any{"reason": "No"}, customers3, http.StatusNotFound},
	)
}

func quoteRow(w *testkit.World, contact, company, state string) map[string]any {
	return map[string]any{crm.QuoteNumber: fmt.Sprintf("Q-2099-%04d", w.Unique()), crm.QuoteContact: w.ID(contact), crm.QuoteCompany: company,
		crm.QuoteState: state, crm.QuoteCurrency: "BRL", crm.QuoteTotal: 100, crm.QuoteValidUntil: "2099-12-31",
		crm.QuoteLines: []map[string]any{{"product": w.ID("prOn"), "name": "Fibre", "quantity": 1, "unit_price": 100, "total": 100, "net": 100}}}
}

func quoteSpecs(withLabels bool) []spec {
	s := spec{
		collection: crm.Quotes, sees: map[string][]string{},
		create:    func(w *testkit.World, _ string) map[string]any { return quoteRow(w, "ctA", "", crm.QuoteSent) },
		canCreate: superOnly,
		update: func(w *testkit.World, actor string) (string, map[string]any) {
			quoteFixtures(w)
			return "quA", map[string]any{crm.QuoteTotal: 1, crm.QuoteState: crm.QuoteAccepted, crm.QuoteAcceptedName: actor}
		},
		canUpdate: superOnly,
		remove:    func(w *testkit.World) map[string]any { return quoteRow(w, "ctA", "", crm.QuoteDraft) },
		canDelete: superOnly,
	}
	if withLabels {
		// A's own sent quote, A's company's (B, its admin, sees it; A too, as
		// its contact), C's, and a draft of A's nobody outside sees.
		s.labels = []string{"quA", "quAco", "quC", "quDraft"}
		s.sees = with(with(with(staffOnly("quA", "quAco", "quC", "quDraft"), custA, "quA", "quAco"), custB, "quAco"), custC, "quC")
	}
	return []spec{s}
}

// quoteFixtures labels a sent quote of A, one of A's company, one of C and
// a draft of A.
func quoteFixtures(w *testkit.World) {
	if w.Has("quA") {
		return
	}
	w.Make(nil2(w), "quA", crm.Quotes, quoteRow(w, "ctA", "", crm.QuoteSent))
	w.Make(nil2(w), "quAco", crm.Quotes, quoteRow(w, "ctA", w.ID("coA"), crm.QuoteSent))
	w.Make(nil2(w), "quC", crm.Quotes, quoteRow(w, "ctC", w.ID("coC"), crm.QuoteAccepted))
	w.Make(nil2(w), "quDraft", crm.Quotes, quoteRow(w, "ctA", w.ID("coA"), crm.QuoteDraft))
}

// TestQuotesReads: the list, view and realtime rows of quotes; and a
// customer answers only a quote that is theirs.
func TestQuotesReads(t *testing.T) {
	w := newWorld(t)
	quoteFixtures(w)
	for _, s := range quoteSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
	for _, c := range []struct {
		actor, quote string
		want         int
	}{
		{custC, "quA", http.StatusNotFound},     // another's quote
		{custB, "quA", http.StatusNotFound},     // a colleague's own quote
		{custA, "quDraft", http.StatusNotFound}, // a draft
		{custB, "quDraft", http.StatusNotFound},
	} {
		res := w.Do(t, http.MethodPost, "/api/crm/portal/quotes/"+w.ID(c.quote)+"/accept", c.actor, map[string]any{"name": "Someone"})
		if res.Status != c.want {
			t.Errorf("%s accepts %s: %d, want %d: %s", c.actor, c.quote, res.Status, c.want, res.Body)
		}
	}
	if got := w.Find(t, crm.Quotes, w.ID("quA")); got.GetString(crm.QuoteState) != crm.QuoteSent {
		t.Errorf("a refused accept changed the quote: %s", got.GetString(crm.QuoteState))
	}
}
