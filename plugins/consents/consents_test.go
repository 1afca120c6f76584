package consents_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/consents"
	"vinculo/testkit"
)

func TestWithdrawingKeepsWhatWasAgreed(t *testing.T) {
	app := testkit.NewApp(t)
	if err := plugins.All(app, testkit.Config(t)); err != nil {
		t.Fatal(err)
	}
	contacts, _ := app.FindCollectionByNameOrId(crm.Contacts)
	contact := core.NewRecord(contacts)
	contact.Set("name", "Ana")
	contact.Set("email", "ana@cust.test")
	customers, _ := app.FindCollectionByNameOrId(crm.Customers)
	customer := core.NewRecord(customers)
	if err := app.Save(contact); err != nil {
		t.Fatal(err)
	}
	customer.Set("contact", contact.Id)
	customer.Set("company_role", crm.CompanyMember)
	customer.SetEmail("ana@cust.test")
	customer.SetRandomPassword()
	if err := app.Save(customer); err != nil {
		t.Fatal(err)
	}
	srv := testkit.Serve(t, app)
	token := testkit.Token(t, customer)

	res := srv.Do(t, http.MethodPost, "/api/collections/consents/records", token, map[string]any{
		"contact": contact.Id, "purpose": "marketing", "channel": "email", "state": "granted", "text": "Offers by email, at most weekly.",
	})
	if res.Status != http.StatusOK {
		t.Fatalf("give consent: %d %s", res.Status, res.Body)
	}
	var created struct{ ID, At string }
	res.JSON(t, &created)
	if created.At == "" {
		t.Error("a new consent has no time")
	}

	res = srv.Do(t, http.MethodPatch, "/api/collections/consents/records/"+created.ID, token, map[string]any{"state": "withdrawn", "text": ""})
	if res.Status != http.StatusOK {
		t.Fatalf("withdraw: %d %s", res.Status, res.Body)
	}
	record, err := app.FindRecordById(crm.Consents, created.ID)
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
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}
	again, _ := app.FindRecordById(crm.Consents, created.ID)
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
	app := testkit.NewApp(t)
	if err := plugins.All(app, testkit.Config(t)); err != nil {
		t.Fatal(err)
	}
	contact := testkit.Save(t, app, crm.Contacts, map[string]any{"name": "Ana", "email": "ana@cust.test"})
	customers, _ := app.FindCollectionByNameOrId(crm.Customers)
	customer := core.NewRecord(customers)
	customer.Load(map[string]any{"contact": contact.Id, "company_role": crm.CompanyMember})
	customer.SetEmail("ana@cust.test")
	customer.SetRandomPassword()
	if err := app.Save(customer); err != nil {
		t.Fatal(err)
	}
	srv := testkit.Serve(t, app)
	token := testkit.Token(t, customer)

	for _, source := range []string{"public_form", "phone", "paper", "import"} {
		consent := testkit.Save(t, app, crm.Consents, map[string]any{"contact": contact.Id, "purpose": "marketing",
			"channel": map[string]string{"public_form": "email", "phone": "sms", "paper": "letter", "import": "whatsapp"}[source],
			"state":   "granted", "source": source, "text": "Ofertas."})

		res := srv.Do(t, http.MethodPatch, "/api/collections/consents/records/"+consent.Id, token, map[string]any{"state": "withdrawn", "source": "staff"})
		if res.Status == http.StatusOK {
			t.Errorf("%s: the customer claimed the change came from staff", source)
		}
		res = srv.Do(t, http.MethodPatch, "/api/collections/consents/records/"+consent.Id, token, map[string]any{"state": "withdrawn"})
		if res.Status != http.StatusOK {
			t.Fatalf("%s: withdraw: %d %s", source, res.Status, res.Body)
		}
		after, err := app.FindRecordById(crm.Consents, consent.Id)
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
