package consents_test

import (
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

// The time of a consent is when the server heard it: a customer cannot
// backdate one they give, nor move the time of one they change.
func TestCustomerCannotBackdateAConsent(t *testing.T) {
	w := anaWorld(t)
	before := time.Now().Add(-time.Second)

	res := w.Do(t, http.MethodPost, "/api/collections/consents/records", "customer", map[string]any{
		"contact": w.ID("contact"), "purpose": "marketing", "channel": "email", "state": "granted",
		"text": "Offers by email.", "at": "2020-01-01 00:00:00.000Z",
	})
	if res.Status != http.StatusOK {
		t.Fatalf("give consent: %d %s", res.Status, res.Body)
	}
	var created struct{ ID string }
	res.JSON(t, &created)
	consent := w.Find(t, crm.Consents, created.ID)
	given := consent.GetDateTime("at").Time()
	if given.Before(before) || given.After(time.Now().Add(time.Second)) {
		t.Fatalf("the consent is dated %s: the customer's time was kept", given)
	}

	// A change with a time of the customer's: refused, nothing changes.
	res = w.Do(t, http.MethodPatch, "/api/collections/consents/records/"+created.ID, "customer",
		map[string]any{"state": "withdrawn", "at": "2021-06-01 00:00:00.000Z"})
	if res.Status == http.StatusOK {
		t.Errorf("a customer set the time of their change: %s", res.Body)
	}
	if after := w.Find(t, crm.Consents, created.ID); after.GetString("state") != "granted" || !after.GetDateTime("at").Time().Equal(given) {
		t.Errorf("after a refused change: %s at %s", after.GetString("state"), after.GetString("at"))
	}
	// Through the batch API alike.
	res = w.Do(t, http.MethodPost, "/api/batch", "customer", map[string]any{"requests": []map[string]any{{
		"method": "POST", "url": "/api/collections/consents/records",
		"body": map[string]any{"contact": w.ID("contact"), "purpose": "research", "channel": "email", "state": "granted", "at": "2020-01-01 00:00:00.000Z"},
	}}})
	if res.Status == http.StatusOK {
		if n := w.Count(t, crm.Consents, "purpose = 'research' AND at < '2026-01-01'"); n != 0 {
			t.Errorf("a batch request backdated a consent")
		}
	}
}

// Staff recording a consent given on paper or by phone may date it when it
// was given, never in the future; without a time it is now. A change staff
// make keeps the time they give, and otherwise is dated now.
func TestStaffDateAConsentGivenOnPaper(t *testing.T) {
	w := anaWorld(t)
	w.Make(t, "agent", crm.Staff, map[string]any{"name": "Rafael", "email": "rafael@staff.test", "role": crm.RoleAgent})
	create := func(purpose string, at any) testkit.Response {
		body := map[string]any{"contact": w.ID("contact"), "purpose": purpose, "channel": "letter", "state": "granted", "source": "paper", "text": "Cartas."}
		if at != nil {
			body["at"] = at
		}
		return w.Do(t, http.MethodPost, "/api/collections/consents/records", "agent", body)
	}

	res := create("marketing", "2026-01-10 15:00:00.000Z")
	if res.Status != http.StatusOK {
		t.Fatalf("record a paper consent: %d %s", res.Status, res.Body)
	}
	var paper struct{ ID, At string }
	res.JSON(t, &paper)
	if paper.At != "2026-01-10 15:00:00.000Z" {
		t.Errorf("the paper consent is dated %q, want the date on the paper", paper.At)
	}
	if res := create("research", time.Now().Add(48*time.Hour).UTC().Format("2006-01-02 15:04:05.000Z")); res.Status != http.StatusBadRequest {
		t.Errorf("a consent dated in the future: %d %s, want 400", res.Status, res.Body)
	}
	res = create("profiling", nil)
	var undated struct{ At string }
	res.JSON(t, &undated)
	if at, err := time.Parse("2006-01-02 15:04:05.000Z", undated.At); err != nil || time.Since(at) > time.Minute {
		t.Errorf("a consent recorded without a time is dated %q, want now", undated.At)
	}

	// Withdrawn by letter on a given day: that day, the earlier version in the history.
	res = w.Do(t, http.MethodPatch, "/api/collections/consents/records/"+paper.ID, "agent",
		map[string]any{"state": "withdrawn", "at": "2026-02-01 09:00:00.000Z"})
	if res.Status != http.StatusOK {
		t.Fatalf("withdraw: %d %s", res.Status, res.Body)
	}
	after := w.Find(t, crm.Consents, paper.ID)
	var history []consents.Version
	_ = after.UnmarshalJSONField("history", &history)
	if after.GetString("at") != "2026-02-01 09:00:00.000Z" || len(history) != 1 || history[0].At != "2026-01-10 15:00:00.000Z" {
		t.Errorf("withdrawn at %s, history %+v", after.GetString("at"), history)
	}
	if res := w.Do(t, http.MethodPatch, "/api/collections/consents/records/"+paper.ID, "agent",
		map[string]any{"at": time.Now().Add(time.Hour).UTC().Format("2006-01-02 15:04:05.000Z")}); res.Status != http.StatusBadRequest {
		t.Errorf("moved into the future: %d %s, want 400", res.Status, res.Body)
	}
}
