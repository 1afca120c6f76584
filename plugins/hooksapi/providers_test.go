package hooksapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// The providers' own published examples.
func TestProviderSignaturesDocumentedExamples(t *testing.T) {
	// Twilio, "Validating Signatures from Twilio"
	// (https://www.twilio.com/docs/usage/security#validating-requests): auth
	// token 12345, a POST to https://mycompany.com/myapp.php?foo=1&bar=2
	// with these parameters is signed 0/KCTR6DLpKmkAf8muzZqo1nDgQ=.
	params := url.Values{"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"}}
	const twilioURL = "https://mycompany.com/myapp.php?foo=1&bar=2"
	if got := TwilioSignature("12345", twilioURL, params); got != "0/KCTR6DLpKmkAf8muzZqo1nDgQ=" {
		t.Errorf("Twilio's documented example: %s", got)
	}
	if err := VerifyTwilio("12345", twilioURL, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="); err != nil {
		t.Errorf("Twilio's documented example refused: %v", err)
	}
	tampered := url.Values{}
	for k, v := range params {
		tampered[k] = v
	}
	tampered.Set("Digits", "1235")
	for name, err := range map[string]error{
		"a changed parameter": VerifyTwilio("12345", twilioURL, tampered, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
		"another URL":         VerifyTwilio("12345", "https://mycompany.com/myapp.php", params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
		"another token":       VerifyTwilio("12346", twilioURL, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
		"no signature":        VerifyTwilio("12345", twilioURL, params, ""),
	} {
		if err == nil {
			t.Errorf("Twilio: %s was accepted", name)
		}
	}

	// Meta signs with X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256 of the
	// raw body keyed with the app secret ("Validate payloads",
	// https://developers.facebook.com/docs/graph-api/webhooks/getting-started).
	// Meta publishes no worked value; GitHub, which uses the same header and
	// scheme, does ("Validating webhook deliveries", docs.github.com): secret
	// "It's a Secret to Everybody", payload "Hello, World!".
	const githubExample = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got := MetaSignature("It's a Secret to Everybody", []byte("Hello, World!")); got != githubExample {
		t.Errorf("the documented X-Hub-Signature-256 example: %s", got)
	}
	if err := VerifyMeta("It's a Secret to Everybody", []byte("Hello, World!"), githubExample); err != nil {
		t.Errorf("the documented example refused: %v", err)
	}
	for name, err := range map[string]error{
		"another body":    VerifyMeta("It's a Secret to Everybody", []byte("Hello, World?"), githubExample),
		"another secret":  VerifyMeta("It's a secret to everybody", []byte("Hello, World!"), githubExample),
		"no sha256= form": VerifyMeta("It's a Secret to Everybody", []byte("Hello, World!"), strings.TrimPrefix(githubExample, "sha256=")),
		"not hex":         VerifyMeta("It's a Secret to Everybody", []byte("Hello, World!"), "sha256=zz"),
	} {
		if err == nil {
			t.Errorf("Meta: %s was accepted", name)
		}
	}
}

// providerStandIn stands in for a provider's API on loopback and keeps
// what it was sent.
type providerStandIn struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []sentRequest
	code int
}

type sentRequest struct {
	Path, Auth, ContentType string
	Body                    []byte
}

func newStandIn(t *testing.T) *providerStandIn {
	p := &providerStandIn{code: http.StatusOK}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.reqs = append(p.reqs, sentRequest{r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), body})
		code := p.code
		p.mu.Unlock()
		w.WriteHeader(code)
		fmt.Fprint(w, `{"messages":[{"id":"wamid.out"}],"sid":"SMout"}`)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *providerStandIn) all() []sentRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]sentRequest{}, p.reqs...)
}

const (
	waSecret      = "meta-app-secret-for-tests"
	waVerifyToken = "a-verify-token-we-chose"
	twilioToken   = "twilio-auth-token-for-tests"
	twilioSID     = "AC0123456789abcdef0123456789abcdef"
	twilioHookURL = "https://crm.example.com/api/crm/channels/sms"
)

// providerWorld is the shipped hooks with both channels on, their APIs
// stood in.
func providerWorld(t *testing.T) (*testkit.World, *providerStandIn) {
	w := newWorld(t, shippedHooks(t))
	api := newStandIn(t)
	SetProviderAPI(w.App, crm.ChannelWhatsApp, api.URL+"/v21.0")
	SetProviderAPI(w.App, crm.ChannelSMS, api.URL)
	testkit.Must(t, w.Do(t, http.MethodPut, "/api/crm/channel-accounts/whatsapp", "manager", map[string]any{
		"active": true, "phone_number_id": "106540352242922", "number": "+55 11 4000-0000",
		"app_secret": waSecret, "access_token": "EAAG-access-token", "verify_token": waVerifyToken}), http.StatusOK, "whatsapp account")
	testkit.Must(t, w.Do(t, http.MethodPut, "/api/crm/channel-accounts/sms", "manager", map[string]any{
		"active": true, "account_sid": twilioSID, "number": "+551140000001",
		"auth_token": twilioToken, "webhook_url": twilioHookURL}), http.StatusOK, "sms account")
	return w, api
}

// metaTextMessage is Meta's documented webhook of a text message
// (WhatsApp Cloud API, "Webhooks > messages > text"), filled in.
func metaTextMessage(waID, name, id, text string) []byte {
	b, _ := json.Marshal(map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": "102290129340398", "changes": []any{map[string]any{
			"field": "messages",
			"value": map[string]any{
				"messaging_product": "whatsapp",
				"metadata":          map[string]any{"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
				"contacts":          []any{map[string]any{"profile": map[string]any{"name": name}, "wa_id": waID}},
				"messages": []any{map[string]any{"from": waID, "id": id, "timestamp": "1764590400",
					"text": map[string]any{"body": text}, "type": "text"}},
			},
		}}}},
	})
	return b
}

func postWhatsApp(t *testing.T, w *testkit.World, body []byte, sig string) (int, string) {
	return sendRaw(t, w, http.MethodPost, "/api/crm/channels/whatsapp", body, map[string]string{"Content-Type": "application/json", MetaSignatureHeader: sig})
}

func postSMS(t *testing.T, w *testkit.World, params url.Values, sig string) (int, string) {
	return sendRaw(t, w, http.MethodPost, "/api/crm/channels/sms", []byte(params.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", TwilioSignatureHeader: sig})
}

// staffCase opens a request for João on a channel, as the agent.
func staffCase(t *testing.T, w *testkit.World, channel string) string {
	res := testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/cases/records", "agent", map[string]any{
		"type": w.ID("caseType"), "contact": w.ID("contact"), "subject": "Sem sinal", "channel": channel}), http.StatusOK, "case")
	var out struct{ ID string }
	res.JSON(t, &out)
	return out.ID
}

func TestWhatsAppVerification(t *testing.T) {
	w, _ := providerWorld(t)
	get := func(query string) (int, string) {
		return sendRaw(t, w, http.MethodGet, "/api/crm/channels/whatsapp?"+query, nil, nil)
	}
	if code, body := get("hub.mode=subscribe&hub.verify_token=" + waVerifyToken + "&hub.challenge=1158201444"); code != 200 || body != "1158201444" {
		t.Errorf("verification: %d %q, want the challenge", code, body)
	}
	if code, _ := get("hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"); code != http.StatusForbidden {
		t.Errorf("a wrong verify token: %d, want 403", code)
	}
}

// A customer's WhatsApp messages: to their open WhatsApp request as their
// message; an unknown number becomes a lead; a wrong signature or a replay
// writes nothing; a staff answer goes back through the Cloud API.
func TestWhatsAppBothWays(t *testing.T) {
	w, _ := providerWorld(t)
	kase := staffCase(t, w, "whatsapp")

	body := metaTextMessage("5511987654321", "João C.", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "Ainda sem sinal")
	before := counts(t, w)
	for name, sig := range map[string]string{
		"unsigned":          "",
		"wrong secret":      MetaSignature("not-the-secret", body),
		"another body":      MetaSignature(waSecret, append([]byte(" "), body...)),
		"sha1 form (X-Hub)": "sha1=0123",
	} {
		if code, out := postWhatsApp(t, w, body, sig); code != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401", name, code, out)
		}
	}
	sameCounts(t, "refused signatures", before, counts(t, w))

	sig := MetaSignature(waSecret, body)
	if code, out := postWhatsApp(t, w, body, sig); code != 200 || !strings.Contains(out, `"received":1`) {
		t.Fatalf("signed: %d %s", code, out)
	}
	msgs, err := w.App.FindRecordsByFilter(crm.CaseMessages, "case = {:c}", "", 0, 0, dbx.Params{"c": kase})
	if err != nil || len(msgs) != 1 || msgs[0].GetString("body") != "Ainda sem sinal" || msgs[0].GetString("author_customer") != w.ID("customer") || msgs[0].GetString("author_staff") != "" {
		t.Fatalf("the request's messages: %v %v", msgs, err)
	}
	entry, err := w.App.FindFirstRecordByFilter(crm.Activities, "event = {:e} && case = {:c}", dbx.Params{"e": crm.EventMessageReceived, "c": kase})
	if err != nil || entry.GetString("channel") != "whatsapp" || entry.GetString("direction") != "inbound" || entry.GetString("contact") != w.ID("contact") || entry.GetString("body") != "Ainda sem sinal" {
		t.Fatalf("the timeline entry: %v %v", entry, err)
	}

	// Meta retries, or someone replays the captured request: 200, nothing twice.
	after := counts(t, w)
	if code, out := postWhatsApp(t, w, body, sig); code != 200 || !strings.Contains(out, `"duplicates":1`) {
		t.Errorf("replayed: %d %s", code, out)
	}
	sameCounts(t, "a replayed message", after, counts(t, w))
	restart(t, w)
	if r, err := Receive(w.App, w.Cfg, Inbound{Channel: "whatsapp", From: "+5511987654321", Text: "Ainda sem sinal",
		ExternalID: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="}); err != nil || !r.Duplicate {
		t.Errorf("the same message id after a restart: %+v %v, want a duplicate", r, err)
	}
	sameCounts(t, "a message id seen before the restart", after, counts(t, w))
}

// An unknown number becomes a lead; a staff answer goes back on WhatsApp.
func TestWhatsAppLeadAndAnswer(t *testing.T) {
	w, api := providerWorld(t)
	kase := staffCase(t, w, "whatsapp")
	first := metaTextMessage("5511987654321", "João C.", "wamid.first", "Ainda sem sinal")
	if code, out := postWhatsApp(t, w, first, MetaSignature(waSecret, first)); code != 200 {
		t.Fatalf("signed: %d %s", code, out)
	}

	// An unknown number: a lead, the message on its timeline.
	stranger := metaTextMessage("5521912345678", "Ana Nova", "wamid.stranger-1", "Quanto custa a fibra?")
	if code, out := postWhatsApp(t, w, stranger, MetaSignature(waSecret, stranger)); code != 200 {
		t.Fatalf("a stranger: %d %s", code, out)
	}
	lead, err := w.App.FindFirstRecordByFilter(crm.Contacts, "mobile = '+5521912345678'")
	if err != nil || lead.GetString("name") != "Ana Nova" || lead.GetString("stage") != "lead" || lead.GetString("source") != "whatsapp" {
		t.Fatalf("the lead: %v %v", lead, err)
	}
	if n := w.Count(t, crm.Activities, "contact = {:c} AND event = {:e} AND [[case]] = ''", dbx.Params{"c": lead.Id, "e": crm.EventMessageReceived}); n != 1 {
		t.Errorf("%d entries on the lead's timeline, want 1", n)
	}

	// The agent answers on the request: it goes back on WhatsApp.
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "agent", map[string]any{"case": kase, "body": "Técnico a caminho."}), http.StatusOK, "answer")
	queued, err := w.App.FindFirstRecordByFilter(crm.Outbox, "case = {:c} && channel = 'whatsapp'", dbx.Params{"c": kase})
	if err != nil {
		t.Fatalf("no WhatsApp message queued: %v", err)
	}
	if _, err := outbox.Deliver(w.App, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got := w.Find(t, crm.Outbox, queued.Id); got.GetString("state") != crm.OutboxSent {
		t.Fatalf("the answer: %s %s", got.GetString("state"), got.GetString("reason"))
	}
	sent := api.all()
	if len(sent) != 1 || sent[0].Path != "/v21.0/106540352242922/messages" || sent[0].Auth != "Bearer EAAG-access-token" {
		t.Fatalf("sent to the Cloud API: %+v", sent)
	}
	var out struct {
		Product string                `json:"messaging_product"`
		To      string                `json:"to"`
		Text    struct{ Body string } `json:"text"`
	}
	if err := json.Unmarshal(sent[0].Body, &out); err != nil || out.Product != "whatsapp" || out.To != "5511987654321" || out.Text.Body != "Técnico a caminho." {
		t.Errorf("the message sent: %s %v", sent[0].Body, err)
	}
}

// SMS: a message naming its request's reference joins it; the answer goes
// back through Twilio's API; a wrong signature or a replay writes nothing.
func TestSMSBothWays(t *testing.T) {
	w, api := providerWorld(t)
	kase := staffCase(t, w, "portal") // opened elsewhere: the SMS names it
	ref := w.Find(t, crm.Cases, kase).GetString("reference")

	params := url.Values{"MessageSid": {"SM1234567890abcdef1234567890abcdef"}, "AccountSid": {twilioSID},
		"From": {"+5511987654321"}, "To": {"+551140000001"}, "Body": {"Sobre a " + strings.ToLower(ref) + ": voltou a cair"}, "NumMedia": {"0"}}
	before := counts(t, w)
	for name, sig := range map[string]string{
		"unsigned":           "",
		"wrong token":        TwilioSignature("not-the-token", twilioHookURL, params),
		"another URL signed": TwilioSignature(twilioToken, "https://evil.example/api/crm/channels/sms", params),
	} {
		if code, out := postSMS(t, w, params, sig); code != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401", name, code, out)
		}
	}
	sameCounts(t, "refused signatures", before, counts(t, w))

	sig := TwilioSignature(twilioToken, twilioHookURL, params)
	if code, out := postSMS(t, w, params, sig); code != 200 || !strings.Contains(out, "<Response></Response>") {
		t.Fatalf("signed: %d %s", code, out)
	}
	if n := w.Count(t, crm.CaseMessages, "[[case]] = {:c} AND author_staff = ''", dbx.Params{"c": kase}); n != 1 {
		t.Fatalf("%d customer messages on %s, want 1", n, ref)
	}
	after := counts(t, w)
	if code, _ := postSMS(t, w, params, sig); code != 200 {
		t.Errorf("replayed: %d", code)
	}
	sameCounts(t, "a replayed SMS", after, counts(t, w))

	// A stranger's number, written the local way, becomes a lead in E.164.
	strangerParams := url.Values{"MessageSid": {"SMstranger"}, "From": {"(11) 91234-0000"}, "Body": {"Oi"}}
	if code, out := postSMS(t, w, strangerParams, TwilioSignature(twilioToken, twilioHookURL, strangerParams)); code != 200 {
		t.Fatalf("stranger: %d %s", code, out)
	}
	if n := w.Count(t, crm.Contacts, "mobile = '+5511912340000' AND stage = 'lead' AND source = 'sms'"); n != 1 {
		t.Errorf("%d leads with the stranger's number, want 1", n)
	}

	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "agent", map[string]any{"case": kase, "body": "Vamos reiniciar a porta."}), http.StatusOK, "answer")
	if _, err := outbox.Deliver(w.App, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	var sms []sentRequest
	for _, r := range api.all() {
		if strings.HasSuffix(r.Path, "/Messages.json") {
			sms = append(sms, r)
		}
	}
	if len(sms) != 1 || sms[0].Path != "/2010-04-01/Accounts/"+twilioSID+"/Messages.json" || !strings.HasPrefix(sms[0].Auth, "Basic ") {
		t.Fatalf("sent to Twilio: %+v", sms)
	}
	form, _ := url.ParseQuery(string(sms[0].Body))
	if form.Get("To") != "+5511987654321" || form.Get("From") != "+551140000001" || form.Get("Body") != "Vamos reiniciar a porta." {
		t.Errorf("the SMS sent: %v", form)
	}
}

// Off: the webhooks answer 404, and answers are not sent there; the
// secrets are never read back, managers see only whether they are set.
func TestProviderChannelOffAndSecrets(t *testing.T) {
	w, api := providerWorld(t)
	kase := staffCase(t, w, "whatsapp")
	body := metaTextMessage("5511987654321", "João", "wamid.before-off", "Olá")
	if code, _ := postWhatsApp(t, w, body, MetaSignature(waSecret, body)); code != 200 {
		t.Fatalf("on: %d", code)
	}

	res := testkit.Must(t, w.Do(t, http.MethodGet, "/api/collections/channel_accounts/records?sort=channel", "manager", nil), http.StatusOK, "list")
	for _, secret := range []string{waSecret, waVerifyToken, twilioToken, "EAAG-access-token"} {
		if bytes.Contains(res.Body, []byte(secret)) {
			t.Errorf("a secret read back: %s", secret)
		}
	}
	if !bytes.Contains(res.Body, []byte(`"has_app_secret":true`)) || !bytes.Contains(res.Body, []byte(`"has_auth_token":true`)) {
		t.Errorf("whether the secrets are set: %s", res.Body)
	}
	if res := w.Do(t, http.MethodGet, "/api/collections/channel_accounts/records?filter="+url.QueryEscape("app_secret ~ 'meta'"), "manager", nil); res.Status == http.StatusOK && bytes.Contains(res.Body, []byte(`"totalItems":1`)) {
		t.Errorf("a manager guesses the secret by filtering: %s", res.Body)
	}

	account, err := w.App.FindFirstRecordByData(crm.ChannelAccounts, crm.AccountChannel, "whatsapp")
	if err != nil {
		t.Fatal(err)
	}
	// Turning it on asks for what it needs; a save leaves the secrets unsent.
	res = w.Do(t, http.MethodPut, "/api/crm/channel-accounts/whatsapp", "manager", map[string]any{"active": true, "phone_number_id": ""})
	if res.Status != http.StatusBadRequest || !bytes.Contains(res.Body, []byte(`"phone_number_id"`)) {
		t.Errorf("on without a phone number id: %d %s", res.Status, res.Body)
	}
	for _, who := range []string{"agent", ""} {
		if res := w.Do(t, http.MethodPut, "/api/crm/channel-accounts/whatsapp", who, map[string]any{"active": false}); res.Status != http.StatusForbidden && res.Status != http.StatusUnauthorized {
			t.Errorf("%q switches the channel: %d", who, res.Status)
		}
	}
	res = testkit.Must(t, w.Do(t, http.MethodPut, "/api/crm/channel-accounts/whatsapp", "manager", map[string]any{"active": false, "app_secret": ""}), http.StatusOK, "off")
	if bytes.Contains(res.Body, []byte(waSecret)) || !bytes.Contains(res.Body, []byte(`"has_app_secret":true`)) {
		t.Errorf("the answer: %s", res.Body)
	}
	if got := w.Find(t, crm.ChannelAccounts, account.Id).GetString(crm.AccountAppSecret); got != waSecret {
		t.Errorf("a save without the secrets kept %q", got)
	}
	other := metaTextMessage("5511987654321", "João", "wamid.while-off", "Alô?")
	if code, _ := postWhatsApp(t, w, other, MetaSignature(waSecret, other)); code != http.StatusNotFound {
		t.Errorf("off: %d, want 404", code)
	}
	testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/case_messages/records", "agent", map[string]any{"case": kase, "body": "Resolvido?"}), http.StatusOK, "answer")
	if n := w.Count(t, crm.Outbox, "[[case]] = {:c} AND channel = 'whatsapp'", dbx.Params{"c": kase}); n != 0 {
		t.Errorf("%d answers queued on WhatsApp while it is off", n)
	}
	if _, err := outbox.Deliver(w.App, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if len(api.all()) != 0 {
		t.Errorf("the Cloud API was called while the channel is off: %+v", api.all())
	}
}
