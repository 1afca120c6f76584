package portal_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/portal"
	"vinculo/plugins/timeline"
	"vinculo/testkit"
)

func TestPortalBranding(t *testing.T) {
	w := newWorld(t)
	var b map[string]any
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/branding", "", nil), http.StatusOK, "branding").JSON(t, &b)
	want := map[string]any{"name": "Vinculo Test", "logo": "/logo.png", "color": "#aa3300", "language": "pt-BR", "timezone": "America/Sao_Paulo"}
	for k, v := range want {
		if b[k] != v {
			t.Errorf("branding %s = %v, want %v", k, b[k], v)
		}
	}
}

func TestPortalMe(t *testing.T) {
	w := newWorld(t)
	w.openCase(t, "A", "ctA", "Own open", false)
	w.openCase(t, "A", "ctA", "Own shared", true)
	w.openCase(t, "B", "ctB", "Bruno's private", false)

	var me struct {
		Customer     map[string]any `json:"customer"`
		Contact      map[string]any `json:"contact"`
		Company      map[string]any `json:"company"`
		OpenRequests int            `json:"open_requests"`
	}
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/me", "A", nil), http.StatusOK, "me A").JSON(t, &me)
	if me.Customer["id"] != w.id("cuA") || me.Customer["email"] != "ana@a.test" || me.Customer["company_role"] != "member" || me.Customer["has_password"] != false {
		t.Errorf("customer = %v", me.Customer)
	}
	if me.Contact["id"] != w.id("ctA") || me.Contact["name"] != "Ana A" {
		t.Errorf("contact = %v", me.Contact)
	}
	if _, ok := me.Contact["paused_until"]; !ok {
		t.Error("contact lacks the preferences")
	}
	if _, ok := me.Contact["score"]; ok {
		t.Error("contact shows the internal score")
	}
	if me.Company["id"] != w.id("coA") || me.Company["name"] != "Padaria A" {
		t.Errorf("company = %v", me.Company)
	}
	if me.OpenRequests != 2 {
		t.Errorf("A open_requests = %d, want 2", me.OpenRequests)
	}
	// Bruno, the admin, counts his own and Ana's shared one, not her private one.
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/me", "B", nil), http.StatusOK, "me B").JSON(t, &me)
	if me.OpenRequests != 2 {
		t.Errorf("B open_requests = %d, want 2", me.OpenRequests)
	}
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/me", "staff", nil), http.StatusForbidden, "me as staff")
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/me", "", nil), http.StatusUnauthorized, "me anonymous")
}

// A customer sees a request's public label and steps and the next answer's
// due time; the internal status, assignee, priority and SLA clocks never
// reach them, by REST or realtime.
func TestPortalCaseDetailAndLiveStatus(t *testing.T) {
	w := newWorld(t)
	id := w.openCase(t, "A", "ctA", "Router down", false)

	type detail struct {
		Case         map[string]any `json:"case"`
		Steps        []portal.Step  `json:"steps"`
		NextAnswerBy *string        `json:"next_answer_by"`
	}
	var d detail
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/cases/"+id, "A", nil), http.StatusOK, "detail").JSON(t, &d)
	kase := w.reload(t, crm.Cases, id)
	if d.Case["status_label"] != "Received" || d.Case["reference"] != kase.GetString("reference") {
		t.Errorf("case = %v", d.Case)
	}
	for _, f := range portal.InternalCaseFields {
		if _, ok := d.Case[f]; ok {
			t.Errorf("the customer sees the internal field %s", f)
		}
	}
	if d.NextAnswerBy == nil || *d.NextAnswerBy != kase.GetDateTime("first_response_due").String() {
		t.Errorf("next_answer_by = %v, want the first-response due time %s", d.NextAnswerBy, kase.GetDateTime("first_response_due"))
	}
	if len(d.Steps) != 1 || d.Steps[0].Kind != timeline.CaseOpened || d.Steps[0].Label != "Received" {
		t.Errorf("steps = %+v", d.Steps)
	}
	// the record API hides the same fields
	res := must(t, w.do(t, http.MethodGet, "/api/collections/cases/records/"+id, "A", nil), http.StatusOK, "view")
	if contains(res.Body, `"assignee"`) || contains(res.Body, `"priority"`) || !contains(res.Body, `"next_answer_by"`) {
		t.Errorf("record API shows internal fields: %s", res.Body)
	}
	// and so does an expand from the messages
	must(t, w.do(t, http.MethodPost, "/api/collections/case_messages/records", "A", map[string]any{"case": id, "body": "Any news?"}), http.StatusOK, "message")
	res = must(t, w.do(t, http.MethodGet, "/api/collections/case_messages/records?expand=case", "A", nil), http.StatusOK, "expand")
	if !contains(res.Body, `"status_label"`) || contains(res.Body, `"priority"`) || contains(res.Body, `"assignee"`) {
		t.Errorf("expanded case shows internal fields: %s", res.Body)
	}
	// staff still see everything
	res = must(t, w.do(t, http.MethodGet, "/api/collections/cases/records/"+id, "staff", nil), http.StatusOK, "staff view")
	if !contains(res.Body, `"priority"`) || !contains(res.Body, `"status":"new"`) {
		t.Errorf("staff lost fields: %s", res.Body)
	}

	// live: Ana subscribed to her requests hears the new label, not the key
	rt, status := w.srv.Realtime(t, w.tok["A"], "cases/*")
	if status != http.StatusNoContent {
		t.Fatalf("subscribe: %d", status)
	}
	must(t, w.do(t, http.MethodPatch, "/api/collections/cases/records/"+id, "staff", map[string]any{"status": "triage", "assignee": w.id("staff")}), http.StatusOK, "staff moves it")
	events := rt.Drain(t, id)
	found := false
	for _, e := range events {
		if e.RecordID != id {
			continue
		}
		found = true
		if !contains([]byte(e.Raw), `"status_label":"Being looked at"`) || contains([]byte(e.Raw), "triage") || contains([]byte(e.Raw), w.id("staff")) {
			t.Errorf("realtime event: %s", e.Raw)
		}
	}
	if !found {
		t.Error("no realtime event for the status change")
	}
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/cases/"+id, "A", nil), http.StatusOK, "detail").JSON(t, &d)
	if len(d.Steps) != 2 || d.Steps[1].Label != "Being looked at" || d.Steps[1].Kind != timeline.CaseStatusChanged {
		t.Errorf("steps after the change = %+v", d.Steps)
	}

	// staff answer: the next answer is now the resolution
	must(t, w.do(t, http.MethodPost, "/api/collections/case_messages/records", "staff", map[string]any{"case": id, "body": "On it"}), http.StatusOK, "answer")
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/cases/"+id, "A", nil), http.StatusOK, "detail").JSON(t, &d)
	kase = w.reload(t, crm.Cases, id)
	if d.NextAnswerBy == nil || *d.NextAnswerBy != kase.GetDateTime("resolution_due").String() {
		t.Errorf("after the answer next_answer_by = %v, want %s", d.NextAnswerBy, kase.GetDateTime("resolution_due"))
	}

	// others: a colleague (not shared) and another company get 403; no such id 404
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/cases/"+id, "B", nil), http.StatusForbidden, "colleague")
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/cases/"+id, "C", nil), http.StatusForbidden, "other company")
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/cases/nosuchcase12345", "A", nil), http.StatusNotFound, "missing")
	shared := w.openCase(t, "A", "ctA", "Shared", true)
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/cases/"+shared, "B", nil), http.StatusOK, "admin sees shared")
}

// Hidden fields cannot be found out through filters, sorts or realtime
// subscription options either.
func TestPortalInternalFieldsAreNoOracle(t *testing.T) {
	w := newWorld(t)
	w.openCase(t, "A", "ctA", "Mine", false)
	for _, c := range []struct {
		collection, query string
		status            int
	}{
		{"cases", "filter=" + url.QueryEscape("priority='normal'"), http.StatusBadRequest},
		{"cases", "sort=-status", http.StatusBadRequest},
		{"cases", "filter=" + url.QueryEscape("status = 'new'"), http.StatusBadRequest},
		{"cases", "filter=" + url.QueryEscape("contact.id != '' && assignee != ''"), http.StatusBadRequest},
		{"case_messages", "filter=" + url.QueryEscape("case.status='new'"), http.StatusBadRequest},
		{"cases", "filter=" + url.QueryEscape("status_label='Received'") + "&sort=-created", http.StatusOK},
		{"subscriptions", "filter=" + url.QueryEscape("status='active'"), http.StatusOK},
	} {
		if res := w.do(t, http.MethodGet, "/api/collections/"+c.collection+"/records?"+c.query, "A", nil); res.Status != c.status {
			t.Errorf("%s?%s: %d, want %d: %s", c.collection, c.query, res.Status, c.status, res.Body)
		}
	}
	if res := w.do(t, http.MethodGet, "/api/collections/cases/records?sort=-priority", "staff", nil); res.Status != http.StatusOK {
		t.Errorf("staff sort by priority: %d", res.Status)
	}
	options := url.QueryEscape(`{"query":{"filter":"priority='urgent'"}}`)
	if _, status := w.srv.Realtime(t, w.tok["A"], "cases/*?options="+options); status != http.StatusBadRequest {
		t.Errorf("realtime filter on priority: %d", status)
	}
	if _, status := w.srv.Realtime(t, w.tok["A"], "cases/*"); status != http.StatusNoContent {
		t.Errorf("plain subscription: %d", status)
	}
}

func TestPortalReadState(t *testing.T) {
	w := newWorld(t)
	id := w.openCase(t, "A", "ctA", "Question", true)
	must(t, w.do(t, http.MethodPost, "/api/collections/case_messages/records", "A", map[string]any{"case": id, "body": "Hello?"}), http.StatusOK, "customer writes")
	must(t, w.do(t, http.MethodPost, "/api/collections/case_messages/records", "staff", map[string]any{"case": id, "body": "Hi Ana"}), http.StatusOK, "staff answers")
	w.make(t, "", crm.CaseMessages, map[string]any{"case": id, "body": "internal", "internal": true, "author_staff": w.id("staff")})

	// customers cannot write read state through the record API
	res := w.do(t, http.MethodPost, "/api/collections/case_messages/records", "A", map[string]any{"case": id, "body": "x", "read_by_staff_at": "2026-01-01 00:00:00.000Z"})
	if res.Status < 400 || res.Status >= 500 {
		t.Errorf("customer set read_by_staff_at on create: %d %s", res.Status, res.Body)
	}
	staffMsg, err := w.app.FindFirstRecordByFilter(crm.CaseMessages, "case = {:c} && author_staff != '' && internal = false", map[string]any{"c": id})
	if err != nil {
		t.Fatal(err)
	}
	res = w.do(t, http.MethodPatch, "/api/collections/case_messages/records/"+staffMsg.Id, "staff", map[string]any{"read_by_customer_at": "2026-01-01 00:00:00.000Z"})
	if res.Status < 400 || w.reload(t, crm.CaseMessages, staffMsg.Id).GetString("read_by_customer_at") != "" {
		t.Errorf("staff set read_by_customer_at through the API: %d", res.Status)
	}

	rt, _ := w.srv.Realtime(t, w.tok["A"], "case_messages/*")
	var out struct {
		Marked int `json:"marked"`
	}
	must(t, w.do(t, http.MethodPost, "/api/crm/portal/cases/"+id+"/read", "A", nil), http.StatusOK, "mark read").JSON(t, &out)
	if out.Marked != 1 {
		t.Errorf("marked %d, want 1 (the public staff message only)", out.Marked)
	}
	if w.reload(t, crm.CaseMessages, staffMsg.Id).GetDateTime("read_by_customer_at").IsZero() {
		t.Error("staff message not marked read")
	}
	events := rt.Drain(t, staffMsg.Id)
	if !slices.ContainsFunc(events, func(e testkit.RealtimeEvent) bool {
		return e.RecordID == staffMsg.Id && contains([]byte(e.Raw), "read_by_customer_at")
	}) {
		t.Error("no realtime event for the read state")
	}
	must(t, w.do(t, http.MethodPost, "/api/crm/portal/cases/"+id+"/read", "A", nil), http.StatusOK, "again").JSON(t, &out)
	if out.Marked != 0 {
		t.Errorf("marked again %d", out.Marked)
	}
	// the admin sees the shared request but does not read for Ana
	must(t, w.do(t, http.MethodPost, "/api/crm/portal/cases/"+id+"/read", "B", nil), http.StatusForbidden, "colleague reads")

	// staff read the customer's messages
	must(t, w.do(t, http.MethodPost, "/api/crm/cases/"+id+"/read", "staff", nil), http.StatusOK, "staff read").JSON(t, &out)
	if out.Marked != 1 {
		t.Errorf("staff marked %d, want 1", out.Marked)
	}
	must(t, w.do(t, http.MethodPost, "/api/crm/cases/"+id+"/read", "A", nil), http.StatusForbidden, "customer on the staff route")
}

// Name and email: the contact follows the portal account; a new email only
// after PocketBase's email-change confirmation.
func TestPortalProfile(t *testing.T) {
	w := newWorld(t)
	must(t, w.do(t, http.MethodPatch, "/api/collections/customers/records/"+w.id("cuA"), "A", map[string]any{"name": "Ana Alves"}), http.StatusOK, "rename")
	if got := w.reload(t, crm.Contacts, w.id("ctA")).GetString("name"); got != "Ana Alves" {
		t.Errorf("contact name = %q", got)
	}
	// the email is not changed directly
	res := w.do(t, http.MethodPatch, "/api/collections/customers/records/"+w.id("cuA"), "A", map[string]any{"email": "new@a.test"})
	if res.Status < 400 {
		t.Errorf("customer changed the email without confirmation: %d", res.Status)
	}
	must(t, w.do(t, http.MethodPost, "/api/collections/customers/request-email-change", "A", map[string]any{"newEmail": "ana.new@a.test"}), http.StatusNoContent, "request change")
	if got := w.reload(t, crm.Contacts, w.id("ctA")).GetString("email"); got != "ana@a.test" {
		t.Errorf("contact email changed before confirmation: %q", got)
	}
	customer := w.reload(t, crm.Customers, w.id("cuA"))
	token, err := customer.NewEmailChangeToken("ana.new@a.test")
	if err != nil {
		t.Fatal(err)
	}
	// the mail links to the portal's page, which confirms for the signed-in account
	if !mailFolderHas(t, w.cfg.MailDir, "/portal/confirm-email-change?token=") {
		t.Error("the email-change mail does not link to the portal")
	}
	must(t, w.do(t, http.MethodPost, "/api/crm/portal/confirm-email-change", "B", map[string]any{"token": token}), http.StatusBadRequest, "another account confirms")
	must(t, w.do(t, http.MethodPost, "/api/crm/portal/confirm-email-change", "A", map[string]any{"token": "nonsense"}), http.StatusBadRequest, "bad token")
	var confirmed struct {
		Token    string         `json:"token"`
		Customer map[string]any `json:"customer"`
	}
	must(t, w.do(t, http.MethodPost, "/api/crm/portal/confirm-email-change", "A", map[string]any{"token": token}), http.StatusOK, "confirm").JSON(t, &confirmed)
	if got := w.reload(t, crm.Contacts, w.id("ctA")).GetString("email"); got != "ana.new@a.test" {
		t.Errorf("contact email = %q, want the confirmed one", got)
	}
	// The new email ended the old sessions; the answer's token goes on.
	if confirmed.Token == "" || confirmed.Customer["email"] != "ana.new@a.test" {
		t.Errorf("confirm answer: %+v", confirmed)
	}
	if res := w.srv.Do(t, http.MethodGet, "/api/crm/portal/me", confirmed.Token, nil); res.Status != http.StatusOK {
		t.Errorf("the fresh token: %d %s", res.Status, res.Body)
	}
	if res := w.do(t, http.MethodGet, "/api/crm/portal/me", "A", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("the old token after the email change: %d, want 401", res.Status)
	}
}

// A password is optional; MFA asks for the code and the password; signing
// out everywhere ends every token.
func TestPortalPasswordMFAAndSignOut(t *testing.T) {
	w := newWorld(t)
	must(t, w.do(t, http.MethodPost, "/api/crm/portal/mfa", "A", map[string]any{"enabled": true}), http.StatusBadRequest, "mfa without a password")
	res := w.do(t, http.MethodPost, "/api/crm/portal/password", "A", map[string]any{"password": "short", "passwordConfirm": "short"})
	if res.Status != http.StatusBadRequest || !contains(res.Body, `"password"`) {
		t.Errorf("short password: %d %s", res.Status, res.Body)
	}
	var auth struct {
		Token    string         `json:"token"`
		Customer map[string]any `json:"customer"`
	}
	must(t, w.do(t, http.MethodPost, "/api/crm/portal/password", "A", map[string]any{"password": "correct horse battery", "passwordConfirm": "correct horse battery"}), http.StatusOK, "set password").JSON(t, &auth)
	if auth.Token == "" || auth.Customer["has_password"] != true {
		t.Fatalf("answer: %+v", auth)
	}
	must(t, w.srv.Do(t, http.MethodGet, "/api/crm/portal/me", w.tok["A"], nil), http.StatusUnauthorized, "old token after the password")
	w.tok["A"] = auth.Token
	must(t, w.do(t, http.MethodPost, "/api/collections/customers/auth-with-password", "", map[string]any{"identity": "ana@a.test", "password": "correct horse battery"}), http.StatusOK, "password sign-in")
	// Bruno has no password: codes only
	must(t, w.do(t, http.MethodPost, "/api/collections/customers/auth-with-password", "", map[string]any{"identity": "bruno@a.test", "password": "correct horse battery"}), http.StatusBadRequest, "no password")

	must(t, w.do(t, http.MethodPost, "/api/crm/portal/mfa", "A", map[string]any{"enabled": true, "oldPassword": "wrong password"}), http.StatusBadRequest, "mfa with a wrong password")
	must(t, w.do(t, http.MethodPost, "/api/crm/portal/mfa", "A", map[string]any{"enabled": true, "oldPassword": "correct horse battery"}), http.StatusOK, "mfa on")
	// the password alone is no longer enough: PocketBase asks for the second method
	var mfa struct {
		MfaID string `json:"mfaId"`
	}
	must(t, w.do(t, http.MethodPost, "/api/collections/customers/auth-with-password", "", map[string]any{"identity": "ana@a.test", "password": "correct horse battery"}), http.StatusUnauthorized, "password only").JSON(t, &mfa)
	if mfa.MfaID == "" {
		t.Fatal("no mfaId")
	}
	// the code as the second step
	var otp struct {
		OtpID string `json:"otpId"`
	}
	must(t, w.do(t, http.MethodPost, "/api/collections/customers/request-otp", "", map[string]any{"email": "ana@a.test"}), http.StatusOK, "request code").JSON(t, &otp)
	code := setOTP(t, w.app, otp.OtpID)
	must(t, w.do(t, http.MethodPost, "/api/collections/customers/auth-with-otp", "", map[string]any{"otpId": otp.OtpID, "password": code, "mfaId": mfa.MfaID}), http.StatusOK, "code after password")
	// Bruno (no MFA) signs in with the code alone
	must(t, w.do(t, http.MethodPost, "/api/collections/customers/request-otp", "", map[string]any{"email": "bruno@a.test"}), http.StatusOK, "request code B").JSON(t, &otp)
	code = setOTP(t, w.app, otp.OtpID)
	must(t, w.do(t, http.MethodPost, "/api/collections/customers/auth-with-otp", "", map[string]any{"otpId": otp.OtpID, "password": code}), http.StatusOK, "code alone")

	// customers cannot set the flags through the record API
	res = w.do(t, http.MethodPatch, "/api/collections/customers/records/"+w.id("cuB"), "B", map[string]any{"has_password": true, "mfa": true})
	if res.Status < 400 || w.reload(t, crm.Customers, w.id("cuB")).GetBool("has_password") {
		t.Errorf("customer set has_password: %d", res.Status)
	}

	must(t, w.do(t, http.MethodPost, "/api/crm/portal/sign-out-everywhere", "A", nil), http.StatusNoContent, "sign out everywhere")
	must(t, w.do(t, http.MethodGet, "/api/crm/portal/me", "A", nil), http.StatusUnauthorized, "token after signing out everywhere")
}

// setOTP gives the OTP a known code (the real one went out by mail).
func setOTP(t *testing.T, app core.App, id string) string {
	t.Helper()
	otp, err := app.FindOTPById(id)
	if err != nil {
		t.Fatalf("otp %s: %v", id, err)
	}
	otp.SetPassword("123456")
	if err := app.Save(otp); err != nil {
		t.Fatal(err)
	}
	return "123456"
}

func TestPortalSubscriptionActions(t *testing.T) {
	w := newWorld(t, func(c *crm.Config) {
		c.Portal.SubscriptionActions = []string{"pause", "resume", "cancel", "change_plan"}
	})
	sub := func(label, contact, company, product string) string {
		return w.make(t, label, crm.Subscriptions, map[string]any{"contact": w.id(contact), "company": company, "product": w.id(product),
			"price": 100, "currency": "BRL", "status": "active", "plan": "Fibre 300"}).Id
	}
	own := sub("sbA", "ctA", "", "prFibre")
	company := sub("sbCo", "ctA", w.id("coA"), "prFibre")
	locked := sub("sbLocked", "ctA", "", "prLocked")
	act := func(who, id string, body map[string]any) (int, string) {
		res := w.do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+id+"/action", who, body)
		return res.Status, string(res.Body)
	}

	if s, b := act("A", own, map[string]any{"action": "fly"}); s != http.StatusBadRequest || !contains([]byte(b), `"action"`) {
		t.Errorf("unknown action: %d %s", s, b)
	}
	if s, b := act("A", locked, map[string]any{"action": "cancel"}); s != http.StatusForbidden || !contains([]byte(b), "get in touch") {
		t.Errorf("product forbids: %d %s", s, b)
	}
	if s, _ := act("C", own, map[string]any{"action": "pause"}); s != http.StatusForbidden {
		t.Errorf("other company paused: %d", s)
	}
	if s, _ := act("B", own, map[string]any{"action": "pause"}); s != http.StatusForbidden {
		t.Errorf("colleague paused a private subscription: %d", s)
	}
	if s, b := act("A", own, map[string]any{"action": "pause", "until": "2020-01-01"}); s != http.StatusBadRequest || !contains([]byte(b), `"until"`) {
		t.Errorf("pause until the past: %d %s", s, b)
	}
	if s, b := act("A", own, map[string]any{"action": "resume"}); s != http.StatusBadRequest {
		t.Errorf("resume an active one: %d %s", s, b)
	}
	until := time.Now().AddDate(0, 1, 0).UTC().Format("2006-01-02")
	if s, b := act("A", own, map[string]any{"action": "pause", "until": until}); s != http.StatusOK {
		t.Fatalf("pause: %d %s", s, b)
	}
	r := w.reload(t, crm.Subscriptions, own)
	if r.GetString("status") != "paused" || r.GetDateTime("paused_until").Time().Format("2006-01-02") != until {
		t.Errorf("after pause: %s until %s", r.GetString("status"), r.GetDateTime("paused_until"))
	}
	if s, b := act("A", own, map[string]any{"action": "resume"}); s != http.StatusOK {
		t.Fatalf("resume: %d %s", s, b)
	}
	if s, b := act("A", own, map[string]any{"action": "change_plan", "product": w.id("prFibre2")}); s != http.StatusOK {
		t.Fatalf("change plan: %d %s", s, b)
	}
	r = w.reload(t, crm.Subscriptions, own)
	if r.GetString("product") != w.id("prFibre2") || r.GetString("plan") != "Fibre 600" || r.GetFloat("price") != 150 {
		t.Errorf("after change: %v %v %v", r.GetString("product"), r.GetString("plan"), r.GetFloat("price"))
	}
	// the company admin cancels the company's subscription; cancellation is at once
	if s, b := act("B", company, map[string]any{"action": "cancel"}); s != http.StatusOK {
		t.Fatalf("admin cancels: %d %s", s, b)
	}
	r = w.reload(t, crm.Subscriptions, company)
	if r.GetString("status") != "cancelled" || r.GetDateTime("cancelled_at").IsZero() {
		t.Errorf("after cancel: %s %s", r.GetString("status"), r.GetDateTime("cancelled_at"))
	}
	if s, _ := act("B", company, map[string]any{"action": "cancel"}); s != http.StatusBadRequest {
		t.Errorf("cancel twice: %d", s)
	}

	// every action is on the timeline, by the customer
	entries, err := w.app.FindRecordsByFilter(crm.Activities, "ref_id = {:a} || ref_id = {:b}", "created", 0, 0, map[string]any{"a": own, "b": company})
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, e := range entries {
		events = append(events, e.GetString("event")+"/"+e.GetString("actor_type"))
	}
	for _, want := range []string{"subscription.paused/customer", "subscription.resumed/customer", "subscription.changed/customer", "subscription.cancelled/customer"} {
		if !slices.Contains(events, want) {
			t.Errorf("timeline lacks %s: %v", want, events)
		}
	}

	// the business turns change_plan off
	w2 := newWorld(t)
	s2 := w2.make(t, "", crm.Subscriptions, map[string]any{"contact": w2.id("ctA"), "product": w2.id("prFibre"), "price": 100, "currency": "BRL", "status": "active"}).Id
	if res := w2.do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+s2+"/action", "A", map[string]any{"action": "change_plan", "plan": "Big"}); res.Status != http.StatusForbidden {
		t.Errorf("change_plan off by default: %d %s", res.Status, res.Body)
	}
}

// mailFolderHas: some mail in the folder (no SMTP in tests) contains s.
func mailFolderHas(t *testing.T, dir, s string) bool {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		// quoted-printable may break lines and escape "="
		flat := strings.NewReplacer("=\r\n", "", "=\n", "", "=3D", "=").Replace(string(raw))
		if strings.Contains(flat, s) {
			return true
		}
	}
	return false
}

// Requests and messages take attachments of the usual kinds, up to 10 MB;
// only those who may see the request download them (file token).
func TestPortalAttachments(t *testing.T) {
	w := newWorld(t)
	upload := func(who, path string, fields map[string]string, name string, content []byte) testkit.Response {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range fields {
			_ = mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("attachments", name)
		_, _ = fw.Write(content)
		_ = mw.Close()
		req, _ := http.NewRequest(http.MethodPost, w.srv.URL+path, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", w.tok[who])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return testkit.Response{Status: res.StatusCode, Body: body}
	}
	caseFields := map[string]string{"type": w.id("tpSup"), "contact": w.id("ctA"), "subject": "With a photo"}
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 200)...)
	if res := upload("A", "/api/collections/cases/records", caseFields, "setup.exe", exe); res.Status != http.StatusBadRequest || !contains(res.Body, "attachments") {
		t.Errorf("an executable was accepted: %d %s", res.Status, res.Body)
	}
	res := upload("A", "/api/collections/cases/records", caseFields, "notes.txt", []byte("the oven is cold since monday"))
	if res.Status != http.StatusOK {
		t.Fatalf("upload: %d %s", res.Status, res.Body)
	}
	var kase struct {
		ID          string   `json:"id"`
		Attachments []string `json:"attachments"`
	}
	res.JSON(t, &kase)
	if len(kase.Attachments) != 1 {
		t.Fatalf("attachments: %v", kase.Attachments)
	}
	msg := upload("A", "/api/collections/case_messages/records", map[string]string{"case": kase.ID, "body": "another"}, "more.txt", []byte("more text"))
	if msg.Status != http.StatusOK {
		t.Errorf("message attachment: %d %s", msg.Status, msg.Body)
	}

	fileURL := "/api/files/cases/" + kase.ID + "/" + kase.Attachments[0]
	if res := w.do(t, http.MethodGet, fileURL, "", nil); res.Status == http.StatusOK {
		t.Error("a protected attachment downloads without a file token")
	}
	fileToken := func(who string) string {
		var ft struct {
			Token string `json:"token"`
		}
		must(t, w.do(t, http.MethodPost, "/api/files/token", who, nil), http.StatusOK, "file token").JSON(t, &ft)
		return ft.Token
	}
	if res := w.do(t, http.MethodGet, fileURL+"?token="+fileToken("A"), "", nil); res.Status != http.StatusOK || !contains(res.Body, "oven") {
		t.Errorf("owner download: %d", res.Status)
	}
	if res := w.do(t, http.MethodGet, fileURL+"?token="+fileToken("C"), "", nil); res.Status == http.StatusOK {
		t.Error("another company's customer downloads the attachment")
	}
	if res := w.do(t, http.MethodGet, fileURL+"?token="+fileToken("staff"), "", nil); res.Status != http.StatusOK {
		t.Errorf("staff download: %d", res.Status)
	}
}

// change_plan moves only to an active product that allows it too and is
// billed the same way; the plan's name is the product's, never words from
// the body.
func TestPortalChangePlanTargetChecked(t *testing.T) {
	w := newWorld(t, func(c *crm.Config) {
		c.Portal.SubscriptionActions = []string{"pause", "resume", "cancel", "change_plan"}
	})
	w.make(t, "prYearly", crm.Products, map[string]any{"name": "Fibre 1G yearly", "code": "F1GY", "price": 900, "currency": "BRL", "kind": "subscription",
		"interval": "year", "active": true, "customer_can_change_plan": true})
	w.make(t, "prOld", crm.Products, map[string]any{"name": "Fibre 50", "code": "F50", "price": 20, "currency": "BRL", "kind": "subscription",
		"active": false, "customer_can_change_plan": true})
	s := w.make(t, "", crm.Subscriptions, map[string]any{"contact": w.id("ctA"), "product": w.id("prFibre"), "price": 100, "currency": "BRL", "status": "active", "plan": "Fibre 300"})
	act := func(body map[string]any) testkit.Response {
		body["action"] = "change_plan"
		return w.do(t, http.MethodPost, "/api/crm/portal/subscriptions/"+s.Id+"/action", "A", body)
	}
	unchanged := func(what string) {
		t.Helper()
		r := w.reload(t, crm.Subscriptions, s.Id)
		if r.GetString("product") != w.id("prFibre") || r.GetString("plan") != "Fibre 300" || r.GetFloat("price") != 100 {
			t.Errorf("%s changed the subscription: %s %s %v", what, r.GetString("product"), r.GetString("plan"), r.GetFloat("price"))
		}
	}
	for _, c := range []struct {
		what   string
		body   map[string]any
		status int
		field  string
	}{
		{"a free-text plan", map[string]any{"plan": "Enterprise 10G (price agreed by phone)"}, http.StatusBadRequest, `"plan"`},
		{"a free-text plan with a product", map[string]any{"plan": "Anything", "product": w.id("prFibre2")}, http.StatusBadRequest, `"plan"`},
		{"a product that forbids it", map[string]any{"product": w.id("prLocked")}, http.StatusForbidden, "get in touch"},
		{"an inactive product", map[string]any{"product": w.id("prOld")}, http.StatusBadRequest, `"product"`},
		{"another billing interval", map[string]any{"product": w.id("prYearly")}, http.StatusBadRequest, `"product"`},
		{"no product", map[string]any{}, http.StatusBadRequest, `"product"`},
	} {
		res := act(c.body)
		if res.Status != c.status || !contains(res.Body, c.field) {
			t.Errorf("%s: %d %s, want %d naming %s", c.what, res.Status, res.Body, c.status, c.field)
		}
		unchanged(c.what)
	}
	must(t, act(map[string]any{"product": w.id("prFibre2")}), http.StatusOK, "change to an allowed plan")
	if r := w.reload(t, crm.Subscriptions, s.Id); r.GetString("product") != w.id("prFibre2") || r.GetString("plan") != "Fibre 600" || r.GetFloat("price") != 150 {
		t.Errorf("after the change: %s %s %v", r.GetString("product"), r.GetString("plan"), r.GetFloat("price"))
	}
}

// Readonly staff read; marking messages read is a write.
func TestPortalReadonlyStaffCannotMarkRead(t *testing.T) {
	w := newWorld(t)
	ro := w.make(t, "ro", crm.Staff, map[string]any{"email": "ro@staff.test", "name": "RO", "role": crm.RoleReadonly, "password": "12345678aa"})
	w.tok["ro"] = testkit.Token(t, ro)
	id := w.openCase(t, "A", "ctA", "Mine", false)
	var msg struct {
		ID string `json:"id"`
	}
	must(t, w.do(t, http.MethodPost, "/api/collections/case_messages/records", "A", map[string]any{"case": id, "body": "hi"}), http.StatusOK, "msg").JSON(t, &msg)
	must(t, w.do(t, http.MethodPost, "/api/crm/cases/"+id+"/read", "ro", nil), http.StatusForbidden, "readonly marks read")
	if at := w.reload(t, crm.CaseMessages, msg.ID).GetString("read_by_staff_at"); at != "" {
		t.Errorf("readonly staff marked the message read at %s", at)
	}
	must(t, w.do(t, http.MethodPost, "/api/crm/cases/"+id+"/read", "staff", nil), http.StatusOK, "agent marks read")
	if at := w.reload(t, crm.CaseMessages, msg.ID).GetString("read_by_staff_at"); at == "" {
		t.Error("the agent's read was not recorded")
	}
}
