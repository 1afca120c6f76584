package portal_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/portal"
)

// Each bound of a customer's query is refused one past it, naming the
// parameter, and allowed at it.
func TestPortalQueryCostBounds(t *testing.T) {
	w := portalWorld(t)
	terms := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("subject != 'x%d'", i)
		}
		return strings.Join(parts, " && ")
	}
	long := "subject = '" + strings.Repeat("x", portal.MaxFilterLength-12) + "'"
	sorts := func(n int) string { return strings.Repeat("created,", n-1) + "subject" }
	expands := func(n int) string { return strings.TrimSuffix(strings.Repeat("type,", n), ",") }
	for _, c := range []struct {
		name, collection, filter, sort, expand string
		realtime                               bool
		param                                  string // "" when allowed
	}{
		{"longest filter", crm.Cases, long, "", "", false, ""},
		{"filter too long", crm.Cases, long[:len(long)-1] + "x'", "", "", false, "filter"},
		{"most terms", crm.Cases, terms(portal.MaxFilterTerms), "", "", false, ""},
		{"too many terms", crm.Cases, terms(portal.MaxFilterTerms + 1), "", "", false, "filter"},
		{"most realtime terms", crm.Cases, terms(portal.MaxRealtimeFilterTerms), "", "", true, ""},
		{"too many realtime terms", crm.Cases, terms(portal.MaxRealtimeFilterTerms + 1), "", "", true, "filter"},
		{"longest pattern", crm.Cases, "subject ~ '" + strings.Repeat("y", portal.MaxPatternLength) + "'", "", "", false, ""},
		{"pattern too long", crm.Cases, "subject ~ '" + strings.Repeat("y", portal.MaxPatternLength+1) + "'", "", "", false, "filter"},
		{"two wildcards", crm.Cases, "subject !~ 'a%b%'", "", "", false, ""},
		{"too many wildcards", crm.Cases, "subject ~ '%a%b%'", "", "", false, "filter"},
		{"pattern from a field", crm.Cases, "'router' ~ subject", "", "", false, "filter"},
		{"pattern not quoted", crm.Cases, "subject ~ reference", "", "", false, "filter"},
		{"any-of search bounded too", crm.CaseMessages, "case.subject ?~ '%a%b%c'", "", "", false, "filter"},
		{"search of a long text", crm.CaseMessages, "body ~ 'invoice'", "", "", false, ""},
		{"realtime search of a long text", crm.CaseMessages, "body ~ 'invoice'", "", "", true, "filter"},
		{"realtime search of a JSON path", crm.Cases, "data.order_number ~ '12'", "", "", true, "filter"},
		{"realtime search of a short text", crm.CaseMessages, "case.subject ~ 'router'", "", "", true, ""},
		{"deepest path", crm.CaseMessages, "case.contact.company.name = 'x'", "", "", false, ""},
		{"path too deep", crm.CaseMessages, "case.contact.company.owner.name = 'x'", "", "", false, "filter"},
		{"most sort fields", crm.Cases, "", sorts(portal.MaxSortFields), "", false, ""},
		{"too many sort fields", crm.Cases, "", sorts(portal.MaxSortFields + 1), "", false, "sort"},
		{"sort path too deep", crm.CaseMessages, "", "case.contact.company.owner.name", "", false, "sort"},
		{"most expands", crm.Cases, "", "", expands(portal.MaxExpandPaths), false, ""},
		{"too many expands", crm.Cases, "", "", "type,contact,company,contact.company,type.x,contact.owner,x", false, "expand"},
		{"deepest expand", crm.CaseMessages, "", "", "case.case_messages_via_case.case.tasks_via_case", false, ""},
		{"expand too deep", crm.CaseMessages, "", "", "case.case_messages_via_case.case.case_messages_via_case.case", false, "expand"},
	} {
		err := portal.CheckCustomerRequest(w.App, collection(t, w, c.collection), c.filter, c.sort, c.expand, c.realtime)
		var qe *portal.QueryError
		switch {
		case c.param == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.param != "" && !errors.As(err, &qe):
			t.Errorf("%s: %v, want refused", c.name, err)
		case c.param != "" && qe.Param != c.param:
			t.Errorf("%s: refused %q, want %q: %v", c.name, qe.Param, c.param, err)
		}
	}
}

// The queries the portal's pages send (ui/src/portal/lib) pass, as REST
// and as realtime subscriptions.
func TestPortalOwnQueriesWithinBounds(t *testing.T) {
	w := portalWorld(t)
	id := openCase(t, w, "cuA", "ctA", "Mine", false)
	byCase := "case = '" + id + "'"
	for _, path := range []string{
		"/api/collections/cases/records?" + url.Values{"page": {"1"}, "perPage": {"100"}, "sort": {"-created"}, "skipTotal": {"1"}, "expand": {"type"},
			"fields": {"id,reference,subject,status_label,closed,created,updated,contact,shared,expand.type.name"}}.Encode(),
		"/api/collections/case_messages/records?" + url.Values{"perPage": {"1000"}, "filter": {byCase}, "sort": {"created"}}.Encode(),
		"/api/collections/consents/records?" + url.Values{"perPage": {"1000"}, "filter": {"contact = '" + w.ID("ctA") + "'"}}.Encode(),
		"/api/collections/subscriptions/records?" + url.Values{"perPage": {"1000"}, "sort": {"-created"}, "expand": {"product"}}.Encode(),
		"/api/collections/orders/records?" + url.Values{"perPage": {"1000"}, "sort": {"-placed_at"}}.Encode(),
		"/api/collections/products/records?" + url.Values{"perPage": {"1000"}, "filter": {"kind = 'subscription'"}, "sort": {"name"}}.Encode(),
		"/api/collections/case_types/records?" + url.Values{"perPage": {"1000"}, "sort": {"position,name"}, "fields": {"id,name,description,category,fields,code"}}.Encode(),
	} {
		must(t, w.Do(t, http.MethodGet, path, "cuA", nil), http.StatusOK, path)
	}
	topics := []string{"cases/*", "cases/" + id, "subscriptions/*",
		"case_messages/*?options=" + url.QueryEscape(`{"query":{"filter":"`+byCase+`"}}`)}
	if _, status := w.Srv.Realtime(t, w.Token(t, "cuA"), topics...); status != http.StatusNoContent {
		t.Errorf("the portal's subscriptions: %d", status)
	}
}

// A connection holds at most MaxTopics topics, MaxCostlyTopics of them with
// a filter or expand; over all of one customer's connections, at most
// MaxCostlyTopicsCustomer with a filter or expand. Staff have no such bound.
func TestPortalRealtimeTopicBounds(t *testing.T) {
	w := portalWorld(t)
	sub := func(who string, topics []string) int {
		_, status := w.Srv.Realtime(t, w.Token(t, who), topics...)
		return status
	}
	for _, c := range []struct {
		name   string
		topics []string
		want   int
	}{
		{"most topics", manyTopics(portal.MaxTopics, false), http.StatusNoContent},
		{"too many topics", manyTopics(portal.MaxTopics+1, false), http.StatusBadRequest},
		{"too many filtered topics", manyTopics(portal.MaxCostlyTopics+1, true), http.StatusBadRequest},
		{"options too long", []string{"cases/*?options=" + url.QueryEscape(`{"query":{"filter":"subject != ''"},"headers":{"x":"`+strings.Repeat("z", portal.MaxTopicOptions)+`"}}`)}, http.StatusBadRequest},
	} {
		if got := sub("cuB", c.topics); got != c.want {
			t.Errorf("customer, %s: %d, want %d", c.name, got, c.want)
		}
		if got := sub("staff", c.topics); got != http.StatusNoContent {
			t.Errorf("staff, %s: %d, want 204", c.name, got)
		}
	}

	// Carla's connections fill her allowance of filtered topics; one more
	// is refused on any connection, while another customer is not affected.
	for i := 0; i < portal.MaxCostlyTopicsCustomer/portal.MaxCostlyTopics; i++ {
		if got := sub("cuC", manyTopics(portal.MaxCostlyTopics, true)); got != http.StatusNoContent {
			t.Fatalf("Carla's connection %d: %d", i+1, got)
		}
	}
	if got := sub("cuC", manyTopics(1, true)); got != http.StatusBadRequest {
		t.Errorf("Carla's filtered topic past her allowance: %d, want 400", got)
	}
	if got := sub("cuC", []string{"cases/*"}); got != http.StatusNoContent {
		t.Errorf("Carla's topic without a filter: %d, want 204", got)
	}
	if got := sub("cuA", manyTopics(1, true)); got != http.StatusNoContent {
		t.Errorf("Ana's filtered topic: %d, want 204", got)
	}
}
