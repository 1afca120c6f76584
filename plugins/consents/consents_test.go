package consents_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/consents"
	"vinculo/testkit"
)

// anaWorld is the app as it ships, served, with Ana's contact and her portal
// account (labels "contact" and "customer").
func anaWorld(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served())
	w.Make(t, "contact", crm.Contacts, map[string]any{"name": "Ana", "email": "ana@cust.test"})
	w.Make(t, "customer", crm.Customers, map[string]any{"contact": w.ID("contact"), "company_role": crm.CompanyMember, "email": "ana@cust.test"})
	return w
}

func TestWithdrawingKeepsWhatWasAgreed(t *testing.T) {
	w := anaWorld(t)

	res := w.Do(t, http.MethodPost, "/api/collections/consents/records", "customer", map[string]any{
		"contact": w.ID("contact"), "purpose": "marketing", "channel": "email", "state": "granted", "text": "Offers by email, at most weekly.",
	})
	if res.Status != http.StatusOK {
		t.Fatalf("give consent: %d %s", res.Status, res.Body)
	}
	var created struct{ ID, At string }
	res.JSON(t, &created)
	if created.At == "" {
		t.Error("a new consent has no time")
	}

	res = w.Do(t, http.MethodPatch, "/api/collections/consents/records/"+created.ID, "customer", map[string]any{"state": "withdrawn", "text": ""})
	if res.Status != http.StatusOK {
		t.Fatalf("withdraw: %d %s", res.Status, res.Body)
	}
	record, err := w.App.FindRecordById(crm.Consents, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	var history []consents.Version
	if err := record.UnmarshalJSONField("history", &history); err != nil {
		t.Fatal(err)
	}
	if len(history) != 1 || history[0].State != "granted" || history[0].Text != "Offers by email, at most weekly." || history[0].At != created.At {
		t.Fatalf("history = %+v, want the granted version with its text and time %s", history, created.At)
	}
	if record.GetString("state") != "withdrawn" || record.GetString("at") == created.At {
		t.Errorf("the consent is %s at %s; want withdrawn at a new time", record.GetString("state"), record.GetString("at"))
	}

	// Saving without a change of state or wording adds no history.
	if err := w.App.Save(record); err != nil {
		t.Fatal(err)
	}
	again, _ := w.App.FindRecordById(crm.Consents, created.ID)
	_ = again.UnmarshalJSONField("history", &history)
	if len(history) != 1 {
		t.Errorf("history grew to %d without a change", len(history))
	}
}

// A consent given on a public form, by phone or on paper is the customer's
// to withdraw in the portal; the change is recorded as through the portal
// and the history keeps the door it first came through. A customer may not
// claim another door.
func TestCustomerWithdrawsAConsentGivenElsewhere(t *testing.T) {
	w := anaWorld(t)

	for _, source := range []string{"public_form", "phone", "paper", "import"} {
		consent := w.Make(t, "", crm.Consents, map[string]any{"contact": w.ID("contact"), "purpose": "marketing",
			"channel": map[string]string{"public_form": "email", "phone": "sms", "paper": "letter", "import": "whatsapp"}[source],
			"state":   "granted", "source": source, "text": "Ofertas."})

		res := w.Do(t, http.MethodPatch, "/api/collections/consents/records/"+consent.Id, "customer", map[string]any{"state": "withdrawn", "source": "staff"})
		if res.Status == http.StatusOK {
			t.Errorf("%s: the customer claimed the change came from staff", source)
		}
		res = w.Do(t, http.MethodPatch, "/api/collections/consents/records/"+consent.Id, "customer", map[string]any{"state": "withdrawn"})
		if res.Status != http.StatusOK {
			t.Fatalf("%s: withdraw: %d %s", source, res.Status, res.Body)
		}
		after, err := w.App.FindRecordById(crm.Consents, consent.Id)
		if err != nil {
			t.Fatal(err)
		}
		var history []consents.Version
		_ = after.UnmarshalJSONField("history", &history)
		if after.GetString("state") != "withdrawn" || after.GetString("source") != "portal" || len(history) != 1 || history[0].Source != source {
			t.Errorf("%s: state %s, source %s, history %+v", source, after.GetString("state"), after.GetString("source"), history)
		}
	}
}

// The time of a consent is when the server heard it: a customer who sends
// a time (or any field the server sets) is refused with a 400 naming it,
// and nothing changes; through the batch API alike.
func TestCustomerCannotBackdateAConsent(t *testing.T) {
	w := anaWorld(t)
	refused := func(res testkit.Response, field string) {
		t.Helper()
		var body struct{ Data map[string]any }
		_ = json.Unmarshal(res.Body, &body)
		if res.Status != http.StatusBadRequest || body.Data[field] == nil {
			t.Errorf("sending %s: %d %s, want a 400 naming it", field, res.Status, res.Body)
		}
	}
	give := map[string]any{"contact": w.ID("contact"), "purpose": "marketing", "channel": "email", "state": "granted", "text": "Offers by email."}
	for _, field := range []string{"at", "created", "ip", "text_version"} {
		body := maps.Clone(give)
		body[field] = "2020-01-01 00:00:00.000Z"
		refused(w.Do(t, http.MethodPost, "/api/collections/consents/records", "customer", body), field)
	}
	if n := w.Count(t, crm.Consents, ""); n != 0 {
		t.Fatalf("%d consents after refusals", n)
	}

	before := time.Now().Add(-time.Second)
	res := w.Do(t, http.MethodPost, "/api/collections/consents/records", "customer", give)
	if res.Status != http.StatusOK {
		t.Fatalf("give consent: %d %s", res.Status, res.Body)
	}
	var created struct{ ID string }
	res.JSON(t, &created)
	consent := w.Find(t, crm.Consents, created.ID)
	given := consent.GetDateTime("at").Time()
	if given.Before(before) || given.After(time.Now().Add(time.Second)) {
		t.Fatalf("the consent is dated %s, not when the server heard it", given)
	}

	// A change with a time of the customer's: refused, nothing changes.
	refused(w.Do(t, http.MethodPatch, "/api/collections/consents/records/"+created.ID, "customer",
		map[string]any{"state": "withdrawn", "at": "2021-06-01 00:00:00.000Z"}), "at")
	if after := w.Find(t, crm.Consents, created.ID); after.GetString("state") != "granted" || !after.GetDateTime("at").Time().Equal(given) {
		t.Errorf("after a refused change: %s at %s", after.GetString("state"), after.GetString("at"))
	}
	// Through the batch API alike.
	res = w.Do(t, http.MethodPost, "/api/batch", "customer", map[string]any{"requests": []map[string]any{{
		"method": "POST", "url": "/api/collections/consents/records",
		"body": map[string]any{"contact": w.ID("contact"), "purpose": "research", "channel": "email", "state": "granted", "at": "2020-01-01 00:00:00.000Z"},
	}}})
	if res.Status == http.StatusOK || w.Count(t, crm.Consents, "purpose = 'research'") != 0 {
		t.Errorf("a batch request with a time: %d %s", res.Status, res.Body)
	}
}

// Every change carries the server's proof: time, door, digest of the words,
// address, user agent, and who recorded it; the history keeps each
// version's proof.
func TestEveryChangeCarriesItsProof(t *testing.T) {
	w := anaWorld(t)
	w.Make(t, "agent", crm.Staff, map[string]any{"name": "Rafael", "email": "rafael@staff.test", "role": crm.RoleAgent})
	res := w.DoWith(t, http.MethodPost, "/api/collections/consents/records", "customer", map[string]any{
		"contact": w.ID("contact"), "purpose": "marketing", "channel": "email", "state": "granted", "text": "Offers by email.", "source": "portal",
	}, map[string]string{"User-Agent": "Firefox/140"})
	if res.Status != http.StatusOK {
		t.Fatalf("give: %d %s", res.Status, res.Body)
	}
	var created struct{ ID string }
	res.JSON(t, &created)
	c := w.Find(t, crm.Consents, created.ID)
	if c.GetString("source") != "portal" || c.GetString(crm.ConsentIP) != "127.0.0.1" || c.GetString(crm.ConsentUserAgent) != "Firefox/140" ||
		c.GetString(crm.ConsentTextVersion) != consents.TextVersion("Offers by email.") || c.GetString(crm.ConsentRecordedBy) != "" {
		t.Errorf("the customer's consent: source %q ip %q ua %q version %q by %q", c.GetString("source"), c.GetString(crm.ConsentIP),
			c.GetString(crm.ConsentUserAgent), c.GetString(crm.ConsentTextVersion), c.GetString(crm.ConsentRecordedBy))
	}

	// Told by phone: staff record the withdrawal, dated now, with who.
	res = w.DoWith(t, http.MethodPatch, "/api/collections/consents/records/"+created.ID, "agent",
		map[string]any{"state": "withdrawn", "source": "phone"}, map[string]string{"User-Agent": "Workspace/1"})
	if res.Status != http.StatusOK {
		t.Fatalf("staff withdraw: %d %s", res.Status, res.Body)
	}
	c = w.Find(t, crm.Consents, created.ID)
	var history []consents.Version
	_ = c.UnmarshalJSONField("history", &history)
	if c.GetString("source") != "phone" || c.GetString(crm.ConsentRecordedBy) != w.ID("agent") || c.GetString(crm.ConsentRecordedByName) != "Rafael" ||
		c.GetString(crm.ConsentUserAgent) != "Workspace/1" || time.Since(c.GetDateTime("at").Time()) > time.Minute {
		t.Errorf("staff change: source %q by %q (%q) ua %q at %s", c.GetString("source"), c.GetString(crm.ConsentRecordedBy),
			c.GetString(crm.ConsentRecordedByName), c.GetString(crm.ConsentUserAgent), c.GetString("at"))
	}
	if len(history) != 1 || history[0].UserAgent != "Firefox/140" || history[0].Source != "portal" || history[0].TextVersion == "" {
		t.Errorf("history: %+v", history)
	}
	// Staff cannot date it either, nor claim another door.
	res = w.Do(t, http.MethodPatch, "/api/collections/consents/records/"+created.ID, "agent", map[string]any{"state": "granted", "at": "2026-01-10 15:00:00.000Z"})
	if res.Status != http.StatusBadRequest {
		t.Errorf("staff dated a change: %d %s", res.Status, res.Body)
	}
	res = w.Do(t, http.MethodPost, "/api/collections/consents/records", "agent", map[string]any{
		"contact": w.ID("contact"), "purpose": "research", "channel": "email", "state": "granted", "source": "web_form"})
	var staffMade struct{ Source string }
	res.JSON(t, &staffMade)
	if res.Status != http.StatusOK || staffMade.Source != "staff" {
		t.Errorf("staff claiming a web form: %d %s", res.Status, res.Body)
	}
}
