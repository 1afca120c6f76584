package portal_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/plugins/portal"
	"vinculo/plugins/setup"
)

// My data is now the customer's card (vCard); everything held about them
// is the full copy (plugins/fullcopy, tested there), and the JSON download
// that held a whitelist of fields is refused, naming the field.
func TestPortalMyData(t *testing.T) {
	w := portalWorld(t)
	res := must(t, w.Do(t, http.MethodGet, "/api/crm/portal/my-data?format=vcf", "cuA", nil), http.StatusOK, "vcard")
	card, err := vcard.NewDecoder(strings.NewReader(string(res.Body))).Decode()
	if err != nil {
		t.Fatalf("vcard: %v: %s", err, res.Body)
	}
	if card.PreferredValue(vcard.FieldFormattedName) != "Ana A" || card.PreferredValue(vcard.FieldEmail) != "ana@a.test" {
		t.Errorf("card: %s", res.Body)
	}
	if contains(res.Body, "bruno@a.test") || contains(res.Body, "carla@c.test") {
		t.Errorf("Ana's card holds another's: %s", res.Body)
	}
	if def := must(t, w.Do(t, http.MethodGet, "/api/crm/portal/my-data", "cuA", nil), http.StatusOK, "default"); string(def.Body) != string(res.Body) {
		t.Errorf("without a format: %s", def.Body)
	}
	for _, format := range []string{"json", "xml"} {
		res := w.Do(t, http.MethodGet, "/api/crm/portal/my-data?format="+format, "cuA", nil)
		var bad struct{ Data map[string]any }
		_ = json.Unmarshal(res.Body, &bad)
		if res.Status != http.StatusBadRequest || bad.Data["format"] == nil {
			t.Errorf("format=%s: %d %s", format, res.Status, res.Body)
		}
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/portal/my-data", "staff", nil); res.Status != http.StatusForbidden {
		t.Errorf("staff on my data: %d", res.Status)
	}
}

func jsonOf(t *testing.T, v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestPortalPublicRequestAndTrack(t *testing.T) {
	w := portalWorld(t)
	// bad input names the field and writes nothing
	before, _ := w.App.CountRecords(crm.Cases)
	res := w.Do(t, http.MethodPost, "/api/crm/public/requests", "", map[string]any{"type": "INT", "name": "", "email": "nope", "subject": ""})
	for _, f := range []string{`"type"`, `"name"`, `"email"`, `"subject"`} {
		if res.Status != http.StatusBadRequest || !contains(res.Body, f) {
			t.Errorf("bad form: %d %s lacks %s", res.Status, res.Body, f)
		}
	}
	res = w.Do(t, http.MethodPost, "/api/crm/public/requests", "", map[string]any{"type": "SUP", "name": "Zé", "email": "ze@new.test", "subject": "Help", "fields": map[string]any{"colour": "red"}})
	if res.Status != http.StatusBadRequest || !contains(res.Body, `"fields"`) {
		t.Errorf("unknown field: %d %s", res.Status, res.Body)
	}
	if after, _ := w.App.CountRecords(crm.Cases); after != before {
		t.Errorf("a refused form wrote %d cases", after-before)
	}
	contactsBefore, _ := w.App.CountRecords(crm.Contacts)

	var made struct {
		Reference string `json:"reference"`
		TrackURL  string `json:"track_url"`
	}
	token := sendPublic(t, w, map[string]any{"type": "sup", "name": "Zé Novo", "email": "ZE@new.test",
		"subject": "My oven", "description": "It is cold", "fields": map[string]any{"order_number": "123"}})
	if after, _ := w.App.CountRecords(crm.Contacts); after != contactsBefore {
		t.Errorf("an unconfirmed request made %d contacts", after-contactsBefore)
	}
	c := confirmPublic(t, w, token)
	made.Reference, made.TrackURL = c.Reference, c.TrackURL
	if !strings.HasPrefix(made.Reference, "SUP-") || !strings.HasSuffix(made.TrackURL, "reference="+made.Reference) || !strings.HasPrefix(made.TrackURL, w.Cfg.PublicURL) {
		t.Errorf("answer: %+v", made)
	}
	kase, err := w.App.FindFirstRecordByFilter(crm.Cases, "reference = {:r}", map[string]any{"r": made.Reference})
	if err != nil {
		t.Fatal(err)
	}
	lead := w.Find(t, crm.Contacts, kase.GetString("contact"))
	if lead.GetString("email") != "ze@new.test" || lead.GetString("stage") != "lead" || lead.GetString("source") != "public_form" {
		t.Errorf("new contact: %v", lead.PublicExport())
	}
	if after, _ := w.App.CountRecords(crm.Contacts); after != contactsBefore+1 {
		t.Errorf("contacts %d -> %d", contactsBefore, after)
	}
	// an existing contact's email links to that contact: no new one
	made.Reference = confirmPublic(t, w, sendPublic(t, w, map[string]any{"type": "SUP", "name": "Ana", "email": "ana@a.test", "subject": "From the form"})).Reference
	known, _ := w.App.FindFirstRecordByFilter(crm.Cases, "reference = {:r}", map[string]any{"r": made.Reference})
	if known.GetString("contact") != w.ID("ctA") {
		t.Errorf("known email linked to %s", known.GetString("contact"))
	}

	// tracking: code + email, and nothing else
	var tr map[string]any
	must(t, w.Do(t, http.MethodPost, "/api/crm/public/track", "", map[string]any{"reference": kase.GetString("reference"), "email": "ze@NEW.test"}), http.StatusOK, "track").JSON(t, &tr)
	if tr["status_label"] != "Received" || tr["reference"] != kase.GetString("reference") || len(tr) != 4 {
		t.Errorf("track: %v", tr)
	}
	wrongEmail := w.Do(t, http.MethodPost, "/api/crm/public/track", "", map[string]any{"reference": kase.GetString("reference"), "email": "ana@a.test"})
	wrongCode := w.Do(t, http.MethodPost, "/api/crm/public/track", "", map[string]any{"reference": "SUP-999999", "email": "ze@new.test"})
	if wrongEmail.Status != http.StatusNotFound || string(wrongEmail.Body) != string(wrongCode.Body) || wrongCode.Status != http.StatusNotFound {
		t.Errorf("mismatches differ: %d %s / %d %s", wrongEmail.Status, wrongEmail.Body, wrongCode.Status, wrongCode.Body)
	}
	if contains(wrongEmail.Body, "Zé") || contains(wrongEmail.Body, "oven") {
		t.Error("a wrong email learns something")
	}
	// a type not offered publicly
	must(t, w.Do(t, http.MethodPost, "/api/crm/public/requests", "", map[string]any{"type": "INT", "name": "X", "email": "x@x.test", "subject": "Y"}), http.StatusBadRequest, "private type")

	// the form's list of types: the public ones only, and only what the form needs
	var types []map[string]any
	must(t, w.Do(t, http.MethodGet, "/api/crm/public/request-types", "", nil), http.StatusOK, "request types").JSON(t, &types)
	var codes []string
	for _, ty := range types {
		codes = append(codes, ty["code"].(string))
		for k := range ty {
			if !slices.Contains([]string{"code", "name", "description", "category", "fields"}, k) {
				t.Errorf("request type %s shows %q", ty["code"], k)
			}
		}
	}
	if !slices.Contains(codes, "SUP") || slices.Contains(codes, "INT") {
		t.Errorf("public request types: %v, want SUP and not INT", codes)
	}
}

// The public form is rate-limited by PocketBase's limiter, per client IP.
func TestPortalPublicFormIsRateLimited(t *testing.T) {
	w := portalWorld(t)
	s := w.App.Settings()
	s.RateLimits.Enabled = true
	s.RateLimits.Rules = append(portal.RateLimitRules(), setup.RateLimitRules()...)
	if err := w.App.Save(s); err != nil {
		t.Fatal(err)
	}
	limited := 0
	for i := 0; i < 8; i++ {
		res := w.Do(t, http.MethodPost, "/api/crm/public/requests", "", map[string]any{"type": "SUP", "name": "Spam", "email": "spam@x.test", "subject": "Spam"})
		if res.Status == http.StatusTooManyRequests {
			limited++
		} else if res.Status != http.StatusOK {
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
	}
	if limited != 3 {
		t.Errorf("%d of 8 requests limited, want 3 (5 per 5 minutes)", limited)
	}
}

// A customer's preference changes through the portal make the outbox hold
// or refuse a queued marketing message.
func TestPortalPreferencesObeyOutbox(t *testing.T) {
	w := portalWorld(t)
	must(t, w.Do(t, http.MethodPost, "/api/collections/consents/records", "cuA", map[string]any{"contact": w.ID("ctA"), "purpose": "marketing", "channel": "email", "state": "granted", "text": "Offers by email"}), http.StatusOK, "consent")
	queue := func(subject string) *core.Record {
		return w.Make(t, "", crm.Outbox, map[string]any{"contact": w.ID("ctA"), "purpose": "marketing", "channel": "email", "subject": subject, "body": "Buy", "state": crm.OutboxQueued})
	}
	expect := func(m *core.Record, state, reason string) {
		t.Helper()
		fresh := w.Find(t, crm.Outbox, m.Id)
		if fresh.GetString("state") != state || !strings.Contains(fresh.GetString("reason"), reason) {
			t.Errorf("%s: state %q reason %q, want %q with %q", m.GetString("subject"), fresh.GetString("state"), fresh.GetString("reason"), state, reason)
		}
	}
	patch := func(body map[string]any) {
		t.Helper()
		must(t, w.Do(t, http.MethodPatch, "/api/collections/contacts/records/"+w.ID("ctA"), "cuA", body), http.StatusOK, "preferences")
	}
	// a pause holds marketing until its date
	patch(map[string]any{"paused_until": "2026-12-15 00:00:00.000Z"})
	paused := queue("During the pause")
	expect(paused, crm.OutboxWaiting, "")
	if got := w.Find(t, crm.Outbox, paused.Id).GetDateTime("not_before").Time(); got.Before(time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("paused message may go at %s", got)
	}
	// quiet hours: at 10:00 a message outside 14:00-18:00 waits
	patch(map[string]any{"paused_until": "", "preferred_hours_start": "14:00", "preferred_hours_end": "18:00", "timezone": "America/Sao_Paulo"})
	quiet := queue("Outside the hours")
	expect(quiet, crm.OutboxWaiting, "")
	// preferred channel "none" (only about my requests): marketing is refused
	patch(map[string]any{"preferred_hours_start": "", "preferred_hours_end": "", "preferred_channel": "none"})
	none := queue("Channel none")
	expect(none, crm.OutboxRefused, "")
	// the consent withdrawn: refused
	patch(map[string]any{"preferred_channel": "email"})
	consent, _ := w.App.FindFirstRecordByFilter(crm.Consents, "contact = {:c}", map[string]any{"c": w.ID("ctA")})
	must(t, w.Do(t, http.MethodPatch, "/api/collections/consents/records/"+consent.Id, "cuA", map[string]any{"state": "withdrawn"}), http.StatusOK, "withdraw")
	withdrawn := queue("After withdrawal")
	expect(withdrawn, crm.OutboxRefused, "withdrawn")
	// and the waiting ones are refused when they come due
	w.Clock.Set(time.Date(2026, 12, 16, 17, 0, 0, 0, time.UTC))
	if _, err := outbox.Deliver(w.App, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	expect(paused, crm.OutboxRefused, "withdrawn")
	expect(quiet, crm.OutboxRefused, "withdrawn")
}

// REST hides from customers a note's earlier wordings and the team's side
// of the audit log (the address and browser of who looked); staff keep them.
func TestPortalRESTHidesInternalFields(t *testing.T) {
	w := portalWorld(t)
	w.Make(t, "", crm.Activities, map[string]any{"type": "note", "actor_type": "staff", "staff": w.ID("staff"), "contact": w.ID("ctA"),
		"public": true, "subject": "Visit booked", "body": "See you Monday", "occurred_at": "2026-11-02 10:00:00.000Z",
		"edits": []map[string]any{{"body": "OLD-WORDING: difficult customer"}}})
	w.Make(t, "", crm.AuditLog, map[string]any{"actor_type": "staff", "staff": w.ID("staff"), "action": "read", "collection": crm.Contacts,
		"record": w.ID("ctA"), "contact": w.ID("ctA"), "ip": "10.9.8.7", "user_agent": "AGENT-BROWSER/1.0"})

	for _, path := range []string{"/api/collections/activities/records", "/api/collections/audit_log/records"} {
		res := must(t, w.Do(t, http.MethodGet, path, "cuA", nil), http.StatusOK, path)
		if contains(res.Body, "OLD-WORDING") || contains(res.Body, "10.9.8.7") || !contains(res.Body, `"items":[{`) {
			t.Errorf("%s as a customer: %s", path, res.Body)
		}
	}
	if res := must(t, w.Do(t, http.MethodGet, "/api/collections/activities/records", "staff", nil), http.StatusOK, "staff"); !contains(res.Body, "OLD-WORDING") {
		t.Errorf("staff lost a note's history: %s", res.Body)
	}
}
