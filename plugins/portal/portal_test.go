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

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/portal"
	"vinculo/plugins/timeline"
	"vinculo/testkit"
)

func TestPortalBranding(t *testing.T) {
	w := portalWorld(t)
	var b map[string]any
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/branding", "", nil), http.StatusOK, "branding").JSON(t, &b)
	want := map[string]any{"name": "Vinculo Test", "logo": "/logo.png", "color": "#aa3300", "language": "pt-BR", "timezone": "America/Sao_Paulo"}
	for k, v := range want {
		if b[k] != v {
			t.Errorf("branding %s = %v, want %v", k, b[k], v)
		}
	}
}

func TestPortalMe(t *testing.T) {
	w := portalWorld(t)
	openCase(t, w, "cuA", "ctA", "Own open", false)
	openCase(t, w, "cuA", "ctA", "Own shared", true)
	openCase(t, w, "cuB", "ctB", "Bruno's private", false)

	var me struct {
		Customer     map[string]any `json:"customer"`
		Contact      map[string]any `json:"contact"`
		Company      map[string]any `json:"company"`
		OpenRequests int            `json:"open_requests"`
	}
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/me", "cuA", nil), http.StatusOK, "me A").JSON(t, &me)
	if me.Customer["id"] != w.ID("cuA") || me.Customer["email"] != "ana@a.test" || me.Customer["company_role"] != "member" || me.Customer["has_password"] != false {
		t.Errorf("customer = %v", me.Customer)
	}
	if me.Contact["id"] != w.ID("ctA") || me.Contact["name"] != "Ana A" {
		t.Errorf("contact = %v", me.Contact)
	}
	if _, ok := me.Contact["paused_until"]; !ok {
		t.Error("contact lacks the preferences")
	}
	if _, ok := me.Contact["score"]; ok {
		t.Error("contact shows the internal score")
	}
	if me.Company["id"] != w.ID("coA") || me.Company["name"] != "Padaria A" {
		t.Errorf("company = %v", me.Company)
	}
	if me.OpenRequests != 2 {
		t.Errorf("A open_requests = %d, want 2", me.OpenRequests)
	}
	// Bruno, the admin, counts his own and Ana's shared one, not her private one.
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/me", "cuB", nil), http.StatusOK, "me B").JSON(t, &me)
	if me.OpenRequests != 2 {
		t.Errorf("B open_requests = %d, want 2", me.OpenRequests)
	}
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/me", "staff", nil), http.StatusForbidden, "me as staff")
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/me", "", nil), http.StatusUnauthorized, "me anonymous")
}

// A customer sees a request's public label and steps and the next answer's
// due time; the internal status, assignee, priority and SLA clocks never
// reach them, by REST or realtime.
func TestPortalCaseDetailAndLiveStatus(t *testing.T) {
	w := portalWorld(t)
	id := openCase(t, w, "cuA", "ctA", "Router down", false)

	type detail struct {
		Case         map[string]any `json:"case"`
		Steps        []portal.Step  `json:"steps"`
		NextAnswerBy *string        `json:"next_answer_by"`
	}
	var d detail
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/cases/"+id, "cuA", nil), http.StatusOK, "detail").JSON(t, &d)
	kase := w.Find(t, crm.Cases, id)
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
	res := must(t, w.Do(t, http.MethodGet, "/api/collections/cases/records/"+id, "cuA", nil), http.StatusOK, "view")
	if contains(res.Body, `"assignee"`) || contains(res.Body, `"priority"`) || !contains(res.Body, `"next_answer_by"`) {
		t.Errorf("record API shows internal fields: %s", res.Body)
	}
	// and so does an expand from the messages
	must(t, w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "cuA", map[string]any{"case": id, "body": "Any news?"}), http.StatusOK, "message")
	res = must(t, w.Do(t, http.MethodGet, "/api/collections/case_messages/records?expand=case", "cuA", nil), http.StatusOK, "expand")
	if !contains(res.Body, `"status_label"`) || contains(res.Body, `"priority"`) || contains(res.Body, `"assignee"`) {
		t.Errorf("expanded case shows internal fields: %s", res.Body)
	}
	// staff still see everything
	res = must(t, w.Do(t, http.MethodGet, "/api/collections/cases/records/"+id, "staff", nil), http.StatusOK, "staff view")
	if !contains(res.Body, `"priority"`) || !contains(res.Body, `"status":"new"`) {
		t.Errorf("staff lost fields: %s", res.Body)
	}

	// live: Ana subscribed to her requests hears the new label, not the key
	rt, status := w.Srv.Realtime(t, w.Token(t, "cuA"), "cases/*")
	if status != http.StatusNoContent {
		t.Fatalf("subscribe: %d", status)
	}
	must(t, w.Do(t, http.MethodPatch, "/api/collections/cases/records/"+id, "staff", map[string]any{"status": "triage", "assignee": w.ID("staff")}), http.StatusOK, "staff moves it")
	events := rt.Drain(t, id)
	found := false
	for _, e := range events {
		if e.RecordID != id {
			continue
		}
		found = true
		if !contains([]byte(e.Raw), `"status_label":"Being looked at"`) || contains([]byte(e.Raw), "triage") || contains([]byte(e.Raw), w.ID("staff")) {
			t.Errorf("realtime event: %s", e.Raw)
		}
	}
	if !found {
		t.Error("no realtime event for the status change")
	}
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/cases/"+id, "cuA", nil), http.StatusOK, "detail").JSON(t, &d)
	if len(d.Steps) != 2 || d.Steps[1].Label != "Being looked at" || d.Steps[1].Kind != timeline.CaseStatusChanged {
		t.Errorf("steps after the change = %+v", d.Steps)
	}

	// staff answer: the next answer is now the resolution
	must(t, w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "staff", map[string]any{"case": id, "body": "On it"}), http.StatusOK, "answer")
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/cases/"+id, "cuA", nil), http.StatusOK, "detail").JSON(t, &d)
	kase = w.Find(t, crm.Cases, id)
	if d.NextAnswerBy == nil || *d.NextAnswerBy != kase.GetDateTime("resolution_due").String() {
		t.Errorf("after the answer next_answer_by = %v, want %s", d.NextAnswerBy, kase.GetDateTime("resolution_due"))
	}

	// others: a colleague (not shared) and another company get 403; no such id 404
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/cases/"+id, "cuB", nil), http.StatusForbidden, "colleague")
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/cases/"+id, "cuC", nil), http.StatusForbidden, "other company")
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/cases/nosuchcase12345", "cuA", nil), http.StatusNotFound, "missing")
	shared := openCase(t, w, "cuA", "ctA", "Shared", true)
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/cases/"+shared, "cuB", nil), http.StatusOK, "admin sees shared")
}

// Hidden fields cannot be found out through filters, sorts or realtime
// subscription options either.
func TestPortalInternalFieldsAreNoOracle(t *testing.T) {
	w := portalWorld(t)
	openCase(t, w, "cuA", "ctA", "Mine", false)
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
		if res := w.Do(t, http.MethodGet, "/api/collections/"+c.collection+"/records?"+c.query, "cuA", nil); res.Status != c.status {
			t.Errorf("%s?%s: %d, want %d: %s", c.collection, c.query, res.Status, c.status, res.Body)
		}
	}
	if res := w.Do(t, http.MethodGet, "/api/collections/cases/records?sort=-priority", "staff", nil); res.Status != http.StatusOK {
		t.Errorf("staff sort by priority: %d", res.Status)
	}
	options := url.QueryEscape(`{"query":{"filter":"priority='urgent'"}}`)
	if _, status := w.Srv.Realtime(t, w.Token(t, "cuA"), "cases/*?options="+options); status != http.StatusBadRequest {
		t.Errorf("realtime filter on priority: %d", status)
	}
	if _, status := w.Srv.Realtime(t, w.Token(t, "cuA"), "cases/*"); status != http.StatusNoContent {
		t.Errorf("plain subscription: %d", status)
	}
}

func TestPortalReadState(t *testing.T) {
	w := portalWorld(t)
	id := openCase(t, w, "cuA", "ctA", "Question", true)
	must(t, w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "cuA", map[string]any{"case": id, "body": "Hello?"}), http.StatusOK, "customer writes")
	must(t, w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "staff", map[string]any{"case": id, "body": "Hi Ana"}), http.StatusOK, "staff answers")
	w.Make(t, "", crm.CaseMessages, map[string]any{"case": id, "body": "internal", "internal": true, "author_staff": w.ID("staff")})

	// customers cannot write read state through the record API
	res := w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "cuA", map[string]any{"case": id, "body": "x", "read_by_staff_at": "2026-01-01 00:00:00.000Z"})
	if res.Status < 400 || res.Status >= 500 {
		t.Errorf("customer set read_by_staff_at on create: %d %s", res.Status, res.Body)
	}
	staffMsg, err := w.App.FindFirstRecordByFilter(crm.CaseMessages, "case = {:c} && author_staff != '' && internal = false", map[string]any{"c": id})
	if err != nil {
		t.Fatal(err)
	}
	res = w.Do(t, http.MethodPatch, "/api/collections/case_messages/records/"+staffMsg.Id, "staff", map[string]any{"read_by_customer_at": "2026-01-01 00:00:00.000Z"})
	if res.Status < 400 || w.Find(t, crm.CaseMessages, staffMsg.Id).GetString("read_by_customer_at") != "" {
		t.Errorf("staff set read_by_customer_at through the API: %d", res.Status)
	}

	rt, _ := w.Srv.Realtime(t, w.Token(t, "cuA"), "case_messages/*")
	var out struct {
		Marked int `json:"marked"`
	}
	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/cases/"+id+"/read", "cuA", nil), http.StatusOK, "mark read").JSON(t, &out)
	if out.Marked != 1 {
		t.Errorf("marked %d, want 1 (the public staff message only)", out.Marked)
	}
	if w.Find(t, crm.CaseMessages, staffMsg.Id).GetDateTime("read_by_customer_at").IsZero() {
		t.Error("staff message not marked read")
	}
	events := rt.Drain(t, staffMsg.Id)
	if !slices.ContainsFunc(events, func(e testkit.RealtimeEvent) bool {
		return e.RecordID == staffMsg.Id && contains([]byte(e.Raw), "read_by_customer_at")
	}) {
		t.Error("no realtime event for the read state")
	}
	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/cases/"+id+"/read", "cuA", nil), http.StatusOK, "again").JSON(t, &out)
	if out.Marked != 0 {
		t.Errorf("marked again %d", out.Marked)
	}
	// the admin sees the shared request but does not read for Ana
	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/cases/"+id+"/read", "cuB", nil), http.StatusForbidden, "colleague reads")

	// staff read the customer's messages
	must(t, w.Do(t, http.MethodPost, "/api/crm/cases/"+id+"/read", "staff", nil), http.StatusOK, "staff read").JSON(t, &out)
	if out.Marked != 1 {
		t.Errorf("staff marked %d, want 1", out.Marked)
	}
	must(t, w.Do(t, http.MethodPost, "/api/crm/cases/"+id+"/read", "cuA", nil), http.StatusForbidden, "customer on the staff route")
}

// Name and email: the contact follows the portal account; a new email only
// after PocketBase's email-change confirmation.
func TestPortalProfile(t *testing.T) {
	w := portalWorld(t)
	must(t, w.Do(t, http.MethodPatch, "/api/collections/customers/records/"+w.ID("cuA"), "cuA", map[string]any{"name": "Ana Alves"}), http.StatusOK, "rename")
	if got := w.Find(t, crm.Contacts, w.ID("ctA")).GetString("name"); got != "Ana Alves" {
		t.Errorf("contact name = %q", got)
	}
	// the email is not changed directly
	res := w.Do(t, http.MethodPatch, "/api/collections/customers/records/"+w.ID("cuA"), "cuA", map[string]any{"email": "new@a.test"})
	if res.Status < 400 {
		t.Errorf("customer changed the email without confirmation: %d", res.Status)
	}
	must(t, w.Do(t, http.MethodPost, "/api/collections/customers/request-email-change", "cuA", map[string]any{"newEmail": "ana.new@a.test"}), http.StatusNoContent, "request change")
	if got := w.Find(t, crm.Contacts, w.ID("ctA")).GetString("email"); got != "ana@a.test" {
		t.Errorf("contact email changed before confirmation: %q", got)
	}
	customer := w.Find(t, crm.Customers, w.ID("cuA"))
	token, err := customer.NewEmailChangeToken("ana.new@a.test")
	if err != nil {
		t.Fatal(err)
	}
	// the mail links to the portal's page, which confirms for the signed-in account
	if !mailFolderHas(t, w.Cfg.MailDir, "/portal/confirm-email-change?token=") {
		t.Error("the email-change mail does not link to the portal")
	}
	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/confirm-email-change", "cuB", map[string]any{"token": token}), http.StatusBadRequest, "another account confirms")
	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/confirm-email-change", "cuA", map[string]any{"token": "nonsense"}), http.StatusBadRequest, "bad token")
	var confirmed struct {
		Token    string         `json:"token"`
		Customer map[string]any `json:"customer"`
	}
	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/confirm-email-change", "cuA", map[string]any{"token": token}), http.StatusOK, "confirm").JSON(t, &confirmed)
	if got := w.Find(t, crm.Contacts, w.ID("ctA")).GetString("email"); got != "ana.new@a.test" {
		t.Errorf("contact email = %q, want the confirmed one", got)
	}
	// The new email ended the old sessions; the answer's token goes on.
	if confirmed.Token == "" || confirmed.Customer["email"] != "ana.new@a.test" {
		t.Errorf("confirm answer: %+v", confirmed)
	}
	if res := w.Srv.Do(t, http.MethodGet, "/api/crm/portal/me", confirmed.Token, nil); res.Status != http.StatusOK {
		t.Errorf("the fresh token: %d %s", res.Status, res.Body)
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/portal/me", "cuA", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("the old token after the email change: %d, want 401", res.Status)
	}
}

// A password is optional; MFA asks for the code and the password; signing
// out everywhere ends every token.
func TestPortalPasswordMFAAndSignOut(t *testing.T) {
	w := portalWorld(t)
	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/mfa", "cuA", map[string]any{"enabled": true}), http.StatusBadRequest, "mfa without a password")
	res := w.Do(t, http.MethodPost, "/api/crm/portal/password", "cuA", map[string]any{"password": "short", "passwordConfirm": "short"})
	if res.Status != http.StatusBadRequest || !contains(res.Body, `"password"`) {
		t.Errorf("short password: %d %s", res.Status, res.Body)
	}
	var auth struct {
		Token    string         `json:"token"`
		Customer map[string]any `json:"customer"`
	}
	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/password", "cuA", map[string]any{"password": "correct horse battery", "passwordConfirm": "correct horse battery"}), http.StatusOK, "set password").JSON(t, &auth)
	if auth.Token == "" || auth.Customer["has_password"] != true {
		t.Fatalf("answer: %+v", auth)
	}
	must(t, w.Srv.Do(t, http.MethodGet, "/api/crm/portal/me", w.Token(t, "cuA"), nil), http.StatusUnauthorized, "old token after the password")
	w.SetToken("cuA", auth.Token)
	must(t, w.Do(t, http.MethodPost, "/api/collections/customers/auth-with-password", "", map[string]any{"identity": "ana@a.test", "password": "correct horse battery"}), http.StatusOK, "password sign-in")
	// Bruno has no password: codes only
	must(t, w.Do(t, http.MethodPost, "/api/collections/customers/auth-with-password", "", map[string]any{"identity": "bruno@a.test", "password": "correct horse battery"}), http.StatusBadRequest, "no password")

	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/mfa", "cuA", map[string]any{"enabled": true, "oldPassword": "wrong password"}), http.StatusBadRequest, "mfa with a wrong password")
	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/mfa", "cuA", map[string]any{"enabled": true, "oldPassword": "correct horse battery"}), http.StatusOK, "mfa on")
	// the password alone is no longer enough: PocketBase asks for the second method
	var mfa struct {
		MfaID string `json:"mfaId"`
	}
	must(t, w.Do(t, http.MethodPost, "/api/collections/customers/auth-with-password", "", map[string]any{"identity": "ana@a.test", "password": "correct horse battery"}), http.StatusUnauthorized, "password only").JSON(t, &mfa)
	if mfa.MfaID == "" {
		t.Fatal("no mfaId")
	}
	// the code as the second step
	var otp struct {
		OtpID string `json:"otpId"`
	}
	must(t, w.Do(t, http.MethodPost, "/api/collections/customers/request-otp", "", map[string]any{"email": "ana@a.test"}), http.StatusOK, "request code").JSON(t, &otp)
	code := setOTP(t, w.App, otp.OtpID)
	must(t, w.Do(t, http.MethodPost, "/api/collections/customers/auth-with-otp", "", map[string]any{"otpId": otp.OtpID, "password": code, "mfaId": mfa.MfaID}), http.StatusOK, "code after password")
	// Bruno (no MFA) signs in with the code alone
	must(t, w.Do(t, http.MethodPost, "/api/collections/customers/request-otp", "", map[string]any{"email": "bruno@a.test"}), http.StatusOK, "request code B").JSON(t, &otp)
	code = setOTP(t, w.App, otp.OtpID)
	must(t, w.Do(t, http.MethodPost, "/api/collections/customers/auth-with-otp", "", map[string]any{"otpId": otp.OtpID, "password": code}), http.StatusOK, "code alone")

	// customers cannot set the flags through the record API
	res = w.Do(t, http.MethodPatch, "/api/collections/customers/records/"+w.ID("cuB"), "cuB", map[string]any{"has_password": true, "mfa": true})
	if res.Status < 400 || w.Find(t, crm.Customers, w.ID("cuB")).GetBool("has_password") {
		t.Errorf("customer set has_password: %d", res.Status)
	}

	must(t, w.Do(t, http.MethodPost, "/api/crm/portal/sign-out-everywhere", "cuA", nil), http.StatusNoContent, "sign out everywhere")
	must(t, w.Do(t, http.MethodGet, "/api/crm/portal/me", "cuA", nil), http.StatusUnauthorized, "token after signing out everywhere")
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
	w := portalWorld(t)
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
		req, _ := http.NewRequest(http.MethodPost, w.Srv.URL+path, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", w.Token(t, who))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return testkit.Response{Status: res.StatusCode, Body: body}
	}
	caseFields := map[string]string{"type": w.ID("tpSup"), "contact": w.ID("ctA"), "subject": "With a photo"}
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 200)...)
	if res := upload("cuA", "/api/collections/cases/records", caseFields, "setup.exe", exe); res.Status != http.StatusBadRequest || !contains(res.Body, "attachments") {
		t.Errorf("an executable was accepted: %d %s", res.Status, res.Body)
	}
	res := upload("cuA", "/api/collections/cases/records", caseFields, "notes.txt", []byte("the oven is cold since monday"))
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
	msg := upload("cuA", "/api/collections/case_messages/records", map[string]string{"case": kase.ID, "body": "another"}, "more.txt", []byte("more text"))
	if msg.Status != http.StatusOK {
		t.Errorf("message attachment: %d %s", msg.Status, msg.Body)
	}

	fileURL := "/api/files/cases/" + kase.ID + "/" + kase.Attachments[0]
	if res := w.Do(t, http.MethodGet, fileURL, "", nil); res.Status == http.StatusOK {
		t.Error("a protected attachment downloads without a file token")
	}
	fileToken := func(who string) string {
		var ft struct {
			Token string `json:"token"`
		}
		must(t, w.Do(t, http.MethodPost, "/api/files/token", who, nil), http.StatusOK, "file token").JSON(t, &ft)
		return ft.Token
	}
	if res := w.Do(t, http.MethodGet, fileURL+"?token="+fileToken("cuA"), "", nil); res.Status != http.StatusOK || !contains(res.Body, "oven") {
		t.Errorf("owner download: %d", res.Status)
	}
	if res := w.Do(t, http.MethodGet, fileURL+"?token="+fileToken("cuC"), "", nil); res.Status == http.StatusOK {
		t.Error("another company's customer downloads the attachment")
	}
	if res := w.Do(t, http.MethodGet, fileURL+"?token="+fileToken("staff"), "", nil); res.Status != http.StatusOK {
		t.Errorf("staff download: %d", res.Status)
	}
}

// Readonly staff read; marking messages read is a write.
func TestPortalReadonlyStaffCannotMarkRead(t *testing.T) {
	w := portalWorld(t)
	w.Make(t, "ro", crm.Staff, map[string]any{"email": "ro@staff.test", "name": "RO", "role": crm.RoleReadonly, "password": "12345678aa"})
	id := openCase(t, w, "cuA", "ctA", "Mine", false)
	var msg struct {
		ID string `json:"id"`
	}
	must(t, w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "cuA", map[string]any{"case": id, "body": "hi"}), http.StatusOK, "msg").JSON(t, &msg)
	must(t, w.Do(t, http.MethodPost, "/api/crm/cases/"+id+"/read", "ro", nil), http.StatusForbidden, "readonly marks read")
	if at := w.Find(t, crm.CaseMessages, msg.ID).GetString("read_by_staff_at"); at != "" {
		t.Errorf("readonly staff marked the message read at %s", at)
	}
	must(t, w.Do(t, http.MethodPost, "/api/crm/cases/"+id+"/read", "staff", nil), http.StatusOK, "agent marks read")
	if at := w.Find(t, crm.CaseMessages, msg.ID).GetString("read_by_staff_at"); at == "" {
		t.Error("the agent's read was not recorded")
	}
}
