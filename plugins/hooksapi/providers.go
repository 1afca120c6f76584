package hooksapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dop251/goja"
	"github.com/nyaruka/phonenumbers"
	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/spf13/cast"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/outbox"
	"vinculo/plugins/timeline"
)

// Channels through providers: WhatsApp Business (Meta's Cloud API) and SMS
// (Twilio), turned on by a manager in Settings > Channels (channel_accounts).
// The shipped hooks hooks/60_whatsapp.pb.js and hooks/61_sms.pb.js receive
// the providers' webhooks and send staff replies back; what must not go
// wrong is here, in Go, behind $crm: the providers' signatures, the
// secrets (never handed to JavaScript), a message taken in once whatever
// the provider retries, the contact and request it belongs to, and the
// senders that call the providers' APIs.

// Headers the providers sign their webhooks with.
const (
	MetaSignatureHeader   = "X-Hub-Signature-256" // "sha256=" + hex HMAC-SHA256(app secret, raw body)
	TwilioSignatureHeader = "X-Twilio-Signature"  // base64 HMAC-SHA1(auth token, URL + sorted params)
)

// ProviderSeenFor is how long a provider message id is remembered: Meta
// retries an unanswered webhook for up to 7 days, Twilio for less.
const ProviderSeenFor = 8 * 24 * time.Hour

// The providers' APIs, unless a test points them elsewhere (SetProviderAPI).
var defaultProviderAPI = map[string]string{
	crm.ChannelWhatsApp: "https://graph.facebook.com/v21.0",
	crm.ChannelSMS:      "https://api.twilio.com",
}

// MetaSignature is the X-Hub-Signature-256 value of body.
func MetaSignature(appSecret string, body []byte) string {
	h := hmac.New(sha256.New, []byte(appSecret))
	h.Write(body)
	return "sha256=" + hex.EncodeToString(h.Sum(nil))
}

// VerifyMeta checks a Meta webhook's X-Hub-Signature-256 over its raw body.
func VerifyMeta(appSecret string, body []byte, header string) error {
	hexSig, ok := strings.CutPrefix(strings.TrimSpace(header), "sha256=")
	if appSecret == "" || !ok || hexSig == "" {
		return ErrNoSignature
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return ErrBadSignature
	}
	h := hmac.New(sha256.New, []byte(appSecret))
	h.Write(body)
	if !hmac.Equal(got, h.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// TwilioSignature is the X-Twilio-Signature of a request to fullURL (as
// the provider called it, query included) with the POST params: the URL,
// then each param's name and value in the order of the names, HMAC-SHA1
// keyed with the auth token, in base64.
func TwilioSignature(authToken, fullURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(fullURL)
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		values := slices.Clone(params[k])
		sort.Strings(values)
		for _, v := range values {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	h := hmac.New(sha1.New, []byte(authToken))
	h.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// VerifyTwilio checks a Twilio webhook's X-Twilio-Signature.
func VerifyTwilio(authToken, fullURL string, params url.Values, header string) error {
	header = strings.TrimSpace(header)
	if authToken == "" || header == "" {
		return ErrNoSignature
	}
	want := TwilioSignature(authToken, fullURL, params)
	if subtle.ConstantTimeCompare([]byte(header), []byte(want)) != 1 {
		return ErrBadSignature
	}
	return nil
}

// Account is one provider channel as the server reads it, secrets included.
type Account struct {
	Channel, Number, PhoneNumberID, AccountSID, WebhookURL string
	AppSecret, AccessToken, VerifyToken, AuthToken         string
	Active                                                 bool
}

// Ready says whether the account has what receiving and sending need.
func (a Account) Ready() bool {
	switch {
	case !a.Active:
		return false
	case a.Channel == crm.ChannelWhatsApp:
		return a.AppSecret != "" && a.AccessToken != "" && a.PhoneNumberID != ""
	case a.Channel == crm.ChannelSMS:
		return a.AuthToken != "" && a.AccountSID != "" && a.Number != ""
	}
	return false
}

// LoadAccount reads the account of channel; ok is false when there is none.
func LoadAccount(app core.App, channel string) (Account, bool, error) {
	r, err := app.FindFirstRecordByData(crm.ChannelAccounts, crm.AccountChannel, channel)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{Channel: channel}, false, nil
	}
	if err != nil {
		return Account{Channel: channel}, false, err
	}
	return Account{
		Channel: channel, Active: r.GetBool(crm.AccountActive), Number: r.GetString(crm.AccountNumber),
		PhoneNumberID: r.GetString(crm.AccountPhoneNumberID), AccountSID: r.GetString(crm.AccountSID),
		WebhookURL: r.GetString(crm.AccountWebhookURL), AppSecret: r.GetString(crm.AccountAppSecret),
		AccessToken: r.GetString(crm.AccountAccessToken), VerifyToken: r.GetString(crm.AccountVerifyToken),
		AuthToken: r.GetString(crm.AccountAuthToken),
	}, true, nil
}

// WebhookPath is where a provider channel's webhook is served.
func WebhookPath(channel string) string { return "/api/crm/channels/" + channel }

// twilioURL is the URL Twilio signs: the one the manager gave it, else the
// server's public URL and the webhook's path.
func (en *engine) twilioURL(a Account) string {
	if a.WebhookURL != "" {
		return a.WebhookURL
	}
	return en.cfg.PublicURL + WebhookPath(crm.ChannelSMS)
}

// bindAccounts: managers read the accounts with the record API, which
// tells which secrets are set (has_<secret>), never what they are; they
// save them with PUT /api/crm/channel-accounts/{channel}.
func bindAccounts(app core.App) {
	app.OnRecordEnrich(crm.ChannelAccounts).BindFunc(func(e *core.RecordEnrichEvent) error {
		e.Record.WithCustomData(true)
		for _, f := range crm.AccountSecrets {
			e.Record.Set("has_"+f, e.Record.GetString(f) != "")
		}
		return e.Next()
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.PUT("/api/crm/channel-accounts/{channel}", saveAccount).Bind(guard.Manager())
		return se.Next()
	})
}

// accountFields are what a manager sets besides the secrets.
var accountFields = []string{crm.AccountActive, crm.AccountPhoneNumberID, crm.AccountNumber, crm.AccountSID, crm.AccountWebhookURL}

// saveAccount turns a provider channel on or off and sets its identifiers
// and secrets; a secret sent empty (or not sent) keeps the one saved.
// Turning a channel on asks for what it needs (400 naming each field).
// Answer: the account as a manager reads it, secrets left out.
func saveAccount(e *core.RequestEvent) error {
	ch := e.Request.PathValue("channel")
	if ch != crm.ChannelWhatsApp && ch != crm.ChannelSMS {
		return e.NotFoundError("No such channel: whatsapp or sms.", nil)
	}
	body := map[string]any{}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The body is not valid JSON.", err)
	}
	r, err := e.App.FindFirstRecordByData(crm.ChannelAccounts, crm.AccountChannel, ch)
	if errors.Is(err, sql.ErrNoRows) {
		coll, cerr := e.App.FindCachedCollectionByNameOrId(crm.ChannelAccounts)
		if cerr != nil {
			return cerr
		}
		r, err = core.NewRecord(coll), nil
		r.Set(crm.AccountChannel, ch)
	}
	if err != nil {
		return err
	}
	for _, f := range accountFields {
		if v, ok := body[f]; ok {
			r.Set(f, v)
		}
	}
	for _, f := range crm.AccountSecrets {
		if v := strings.TrimSpace(cast.ToString(body[f])); v != "" {
			r.Set(f, v)
		}
	}
	if errs := missingForOn(r); len(errs) > 0 {
		return e.BadRequestError("To turn the channel on, fill in what it needs.", errs)
	}
	if err := e.App.Save(r); err != nil {
		return e.BadRequestError("Please check the form.", err)
	}
	out := map[string]any{"id": r.Id, crm.AccountChannel: ch}
	for _, f := range accountFields {
		out[f] = r.Get(f)
	}
	for _, f := range crm.AccountSecrets {
		out["has_"+f] = r.GetString(f) != ""
	}
	return e.JSON(http.StatusOK, out)
}

// missingForOn names what an account switched on lacks.
func missingForOn(r *core.Record) validation.Errors {
	errs := validation.Errors{}
	if !r.GetBool(crm.AccountActive) {
		return errs
	}
	need := []string{crm.AccountAuthToken, crm.AccountSID, crm.AccountNumber}
	if r.GetString(crm.AccountChannel) == crm.ChannelWhatsApp {
		need = []string{crm.AccountAppSecret, crm.AccountAccessToken, crm.AccountVerifyToken, crm.AccountPhoneNumberID}
	}
	for _, f := range need {
		if strings.TrimSpace(r.GetString(f)) == "" {
			errs[f] = validation.NewError("validation_required", "Needed to turn the channel on.")
		}
	}
	return errs
}

// claimProviderMessage remembers a provider message id; false when it was
// taken in before. Inside a transaction that rolls back, it is forgotten.
func claimProviderMessage(app core.App, channel, id string, now time.Time) (bool, error) {
	db := app.DB()
	if _, err := db.NewQuery("DELETE FROM `" + crm.ProviderMessagesTable + "` WHERE `expires` < {:now}").
		Bind(dbx.Params{"now": now.Unix()}).Execute(); err != nil {
		return false, err
	}
	res, err := db.NewQuery("INSERT INTO `" + crm.ProviderMessagesTable + "` (`key`, `expires`) VALUES ({:key}, {:expires}) ON CONFLICT (`key`) DO NOTHING").
		Bind(dbx.Params{"key": channel + ":" + id, "expires": now.Add(ProviderSeenFor).Unix()}).Execute()
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Inbound is one message a customer sent on a provider channel.
type Inbound struct {
	Channel    string
	From       string // the sender's number, in any form the provider gives
	Name       string // the sender's profile name, when the provider gives it
	Text       string
	ExternalID string // the provider's message id
	At         time.Time
}

// Received is what Receive did with a message.
type Received struct {
	Contact   string `json:"contact"`
	Activity  string `json:"activity"`
	Message   string `json:"message"` // the request message, when it joined a request
	Case      string `json:"case"`
	Duplicate bool   `json:"duplicate"` // taken in before: nothing written
	NewLead   bool   `json:"newLead"`
}

// NormalizePhone writes a number in E.164, read in the business's country
// when it has no country code; "" when it is no phone number.
func NormalizePhone(raw, country string) string {
	raw = strings.TrimSpace(raw)
	raw = strings.TrimPrefix(raw, "whatsapp:")
	n, err := phonenumbers.Parse(raw, strings.ToUpper(country))
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
}

// Receive takes a customer's message into the CRM, in one transaction: the
// contact with that number (the oldest one), else a new lead; the request
// it belongs to (the one whose reference the text carries, else the
// contact's newest open request on that channel), where it becomes the
// customer's message; and a timeline entry. A message id taken in before
// writes nothing.
func Receive(app core.App, cfg *crm.Config, in Inbound) (Received, error) {
	var out Received
	in.Text = strings.TrimSpace(in.Text)
	phone := NormalizePhone(in.From, cfg.BusinessNow().Country)
	switch {
	case in.Channel != crm.ChannelWhatsApp && in.Channel != crm.ChannelSMS:
		return out, router.NewBadRequestError("receiveMessage: channel is whatsapp or sms.", nil)
	case phone == "":
		return out, router.NewBadRequestError("receiveMessage: from is not a phone number.", nil)
	case in.Text == "" || strings.TrimSpace(in.ExternalID) == "":
		return out, router.NewBadRequestError("receiveMessage: give the text and the provider's message id.", nil)
	}
	if in.At.IsZero() {
		in.At = time.Now()
	}
	err := app.RunInTransaction(func(tx core.App) error {
		fresh, err := claimProviderMessage(tx, in.Channel, in.ExternalID, time.Now())
		if err != nil || !fresh {
			out.Duplicate = !fresh
			return err
		}
		contact, created, err := contactByPhone(tx, phone, in)
		if err != nil {
			return err
		}
		out.Contact, out.NewLead = contact.Id, created
		return receiveInto(tx, contact, in, &out)
	})
	return out, err
}

// contactByPhone finds the oldest contact with the number, or makes a lead.
func contactByPhone(tx core.App, phone string, in Inbound) (*core.Record, bool, error) {
	found, err := tx.FindRecordsByFilter(crm.Contacts, "phone = {:e} || mobile = {:e} || phone = {:d} || mobile = {:d}", "created", 1, 0,
		dbx.Params{"e": phone, "d": strings.TrimPrefix(phone, "+")})
	if err != nil {
		return nil, false, err
	}
	if len(found) > 0 {
		return found[0], false, nil
	}
	coll, err := tx.FindCachedCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return nil, false, err
	}
	c := core.NewRecord(coll)
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = phone
	}
	c.Load(map[string]any{"name": crm.Clip(name, 200), "mobile": phone, "stage": "lead", "source": in.Channel})
	timeline.SetActor(c, timeline.Actor{Type: timeline.ActorIntegration, Channel: in.Channel})
	return c, true, tx.Save(c)
}

// receiveInto writes the message to the contact's request (when it has
// one for it) and timeline.
func receiveInto(tx core.App, contact *core.Record, in Inbound, out *Received) error {
	kase, err := requestFor(tx, contact.Id, in.Channel, in.Text)
	if err != nil {
		return err
	}
	account, err := tx.FindFirstRecordByFilter(crm.Customers, "contact = {:c}", dbx.Params{"c": contact.Id})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	actor := timeline.Actor{Type: timeline.ActorCustomer, Channel: in.Channel}
	if account != nil {
		actor.Customer = account.Id
	}
	entry := timeline.Entry{Event: crm.EventMessageReceived, Type: "chat", Channel: in.Channel, Direction: "inbound",
		Body: in.Text, Contact: contact.Id, Actor: actor, OccurredAt: in.At,
		Data: map[string]any{"channel": in.Channel}}
	if kase != nil {
		out.Case, entry.Case = kase.Id, kase.Id
		entry.Data["reference"] = kase.GetString("reference")
		msgs, err := tx.FindCachedCollectionByNameOrId(crm.CaseMessages)
		if err != nil {
			return err
		}
		m := core.NewRecord(msgs)
		m.Load(map[string]any{"case": kase.Id, "body": crm.Clip(in.Text, 20000), "internal": false})
		if account != nil {
			m.Set("author_customer", account.Id)
		}
		timeline.SetActor(m, actor)
		if err := tx.Save(m); err != nil {
			return err
		}
		out.Message, entry.RefCollection, entry.RefID = m.Id, crm.CaseMessages, m.Id
	}
	a, err := timeline.Write(tx, entry)
	if err != nil {
		return err
	}
	out.Activity = a.Id
	return nil
}

// referencePattern finds a request's reference in a message (SUP-0012).
var referencePattern = regexp.MustCompile(`(?i)\b([a-z][a-z0-9]{1,9}-[0-9]{2,})\b`)

// requestFor is the request a message joins: the contact's request whose
// reference it names, else their newest open request on the channel; nil
// when none.
func requestFor(tx core.App, contact, channel, text string) (*core.Record, error) {
	for _, ref := range referencePattern.FindAllString(text, 5) {
		found, err := tx.FindRecordsByFilter(crm.Cases, "reference = {:r} && contact = {:c}", "", 1, 0,
			dbx.Params{"r": strings.ToUpper(ref), "c": contact})
		if err != nil {
			return nil, err
		}
		if len(found) > 0 {
			return found[0], nil
		}
	}
	found, err := tx.FindRecordsByFilter(crm.Cases, "contact = {:c} && channel = {:ch} && closed = false", "-created", 1, 0,
		dbx.Params{"c": contact, "ch": channel})
	if err != nil || len(found) == 0 {
		return nil, err
	}
	return found[0], nil
}

// Provider APIs per app, for tests that stand a provider in.
const providerAPIKey = "vinculo.hooksapi.providerAPI"

// SetProviderAPI points app's sender of channel at baseURL instead of the
// provider's API (tests: an httptest server on loopback).
func SetProviderAPI(app core.App, channel, baseURL string) {
	m, _ := app.Store().GetOrSet(providerAPIKey, func() any { return &sync.Map{} }).(*sync.Map)
	m.Store(channel, strings.TrimRight(baseURL, "/"))
}

func providerAPI(app core.App, channel string) string {
	if m, ok := app.Store().Get(providerAPIKey).(*sync.Map); ok {
		if v, ok := m.Load(channel); ok {
			return v.(string)
		}
	}
	return defaultProviderAPI[channel]
}

// providerSenders: the channels whose Go sender an engine's hooks asked for.
var providerSenders = struct {
	sync.Mutex
	wanted map[*engine]map[string]bool
	bound  map[*engine]bool
}{wanted: map[*engine]map[string]bool{}, bound: map[*engine]bool{}}

// useProviderSender makes the provider's API the outbox's sender of
// channel, while its account is on and complete: a manager's change in
// Settings takes effect at once, and while the channel is off the outbox
// sends service messages elsewhere (it sees no sender).
func (en *engine) useProviderSender(channel string) error {
	if channel != crm.ChannelWhatsApp && channel != crm.ChannelSMS {
		return fmt.Errorf("useProviderSender: %q is not a provider channel (whatsapp or sms)", channel)
	}
	providerSenders.Lock()
	if providerSenders.wanted[en] == nil {
		providerSenders.wanted[en] = map[string]bool{}
	}
	providerSenders.wanted[en][channel] = true
	first := !providerSenders.bound[en]
	providerSenders.bound[en] = true
	providerSenders.Unlock()
	if first {
		sync := func(app core.App) { en.syncProviderSenders(app) }
		en.app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			sync(e.App)
			return nil
		})
		after := func(e *core.RecordEvent) error {
			err := e.Next()
			sync(en.app)
			return err
		}
		en.app.OnRecordAfterCreateSuccess(crm.ChannelAccounts).BindFunc(after)
		en.app.OnRecordAfterUpdateSuccess(crm.ChannelAccounts).BindFunc(after)
		en.app.OnRecordAfterDeleteSuccess(crm.ChannelAccounts).BindFunc(after)
	}
	if en.app.IsBootstrapped() {
		en.syncProviderSenders(en.app)
	}
	return nil
}

// syncProviderSenders sets or removes each wanted sender by its account.
func (en *engine) syncProviderSenders(app core.App) {
	providerSenders.Lock()
	channels := make([]string, 0, len(providerSenders.wanted[en]))
	for ch := range providerSenders.wanted[en] {
		channels = append(channels, ch)
	}
	providerSenders.Unlock()
	for _, ch := range channels {
		a, _, err := LoadAccount(app, ch)
		if err != nil || !a.Ready() {
			outbox.SetSender(en.app, ch, nil)
			continue
		}
		outbox.SetSender(en.app, ch, func(ctx context.Context, m outbox.Message) error {
			return en.sendOnProvider(ctx, m)
		})
		jsSenders.Lock()
		if jsSenders.channels[en] == nil {
			jsSenders.channels[en] = map[string]bool{}
		}
		jsSenders.channels[en][ch] = true // removed when the app terminates
		jsSenders.Unlock()
	}
}

// sendOnProvider sends one message through the provider's API with the
// account as it is now. A refusal by the provider (4xx but 429) is
// permanent; anything else is retried by the outbox.
func (en *engine) sendOnProvider(ctx context.Context, m outbox.Message) error {
	a, _, err := LoadAccount(en.app, m.Channel)
	if err != nil {
		return err
	}
	if !a.Ready() {
		return fmt.Errorf("%s is off in Settings > Channels: %w", m.Channel, outbox.ErrPermanent)
	}
	to := NormalizePhone(m.To, en.cfg.BusinessNow().Country)
	if to == "" {
		return fmt.Errorf("%q is not a phone number: %w", m.To, outbox.ErrPermanent)
	}
	var req *http.Request
	base := providerAPI(en.app, m.Channel)
	if m.Channel == crm.ChannelWhatsApp {
		body, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual",
			"to": strings.TrimPrefix(to, "+"), "type": "text", "text": map[string]any{"preview_url": false, "body": m.Body}})
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/"+url.PathEscape(a.PhoneNumberID)+"/messages", bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+a.AccessToken)
		}
	} else {
		form := url.Values{"To": {to}, "From": {a.Number}, "Body": {m.Body}}
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/2010-04-01/Accounts/"+url.PathEscape(a.AccountSID)+"/Messages.json", strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(a.AccountSID, a.AuthToken)
		}
	}
	if err != nil {
		return err
	}
	res, err := en.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return nil
	case res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusTooManyRequests:
		return fmt.Errorf("%s refused the message (%d): %s: %w", m.Channel, res.StatusCode, crm.Clip(string(answer), 300), outbox.ErrPermanent)
	}
	return fmt.Errorf("%s answered %d: %s", m.Channel, res.StatusCode, crm.Clip(string(answer), 300))
}

// bindProviders: channelAccount, verifyMetaSignature, verifyMetaToken,
// verifyTwilioSignature, parseForm, receiveMessage and useProviderSender.
func (en *engine) bindProviders(vm *goja.Runtime, set setFunc) {
	account := func(channel string) (Account, bool) {
		a, ok, err := LoadAccount(en.appFor(vm, nil), channel)
		return a, ok && err == nil
	}
	set("channelAccount", func(channel string) map[string]any {
		a, ok := account(channel)
		if !ok {
			return nil
		}
		return map[string]any{"channel": a.Channel, "active": a.Active, "ready": a.Ready(), "number": a.Number,
			"phoneNumberId": a.PhoneNumberID, "accountSid": a.AccountSID, "webhookUrl": a.WebhookURL}
	})
	set("verifyMetaSignature", func(body, header string) bool {
		a, ok := account(crm.ChannelWhatsApp)
		return ok && a.Ready() && VerifyMeta(a.AppSecret, []byte(body), header) == nil
	})
	set("verifyMetaToken", func(token string) bool {
		a, ok := account(crm.ChannelWhatsApp)
		return ok && a.Ready() && a.VerifyToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(a.VerifyToken)) == 1
	})
	set("verifyTwilioSignature", func(body, header string) bool {
		a, ok := account(crm.ChannelSMS)
		params, err := url.ParseQuery(body)
		return ok && err == nil && a.Ready() && VerifyTwilio(a.AuthToken, en.twilioURL(a), params, header) == nil
	})
	set("parseForm", func(body string) (map[string]any, error) {
		params, err := url.ParseQuery(body)
		if err != nil {
			return nil, router.NewBadRequestError("The body is not a form.", nil)
		}
		out := map[string]any{}
		for k, v := range params {
			out[k] = v[0]
		}
		return out, nil
	})
	set("receiveMessage", func(m map[string]any) (map[string]any, error) {
		in := Inbound{Channel: cast.ToString(m["channel"]), From: cast.ToString(m["from"]), Name: cast.ToString(m["name"]),
			Text: cast.ToString(m["text"]), ExternalID: cast.ToString(m["id"])}
		if v := m["at"]; v != nil && v != "" {
			t, err := toTime(v)
			if err != nil {
				return nil, router.NewBadRequestError("receiveMessage: at: "+err.Error(), nil)
			}
			in.At = t
		}
		r, err := Receive(en.appFor(vm, nil), en.cfg, in)
		if err != nil {
			return nil, err
		}
		return map[string]any{"contact": r.Contact, "activity": r.Activity, "message": r.Message, "case": r.Case,
			"duplicate": r.Duplicate, "newLead": r.NewLead}, nil
	})
	set("useProviderSender", func(channel string) error { return en.useProviderSender(channel) })
	set("replyChannel", func(kase any) (string, error) { return ReplyChannel(en.appFor(vm, nil), idOf(kase)) })
}

// ReplyChannel is the provider channel a staff answer on a request goes
// back on: the one the customer last wrote on for that request; "" when
// they wrote on none (the answer goes the usual way).
func ReplyChannel(app core.App, caseID string) (string, error) {
	var ch string
	err := app.DB().NewQuery("SELECT channel FROM " + crm.Activities + " WHERE [[case]] = {:c} AND event = {:e} ORDER BY occurred_at DESC, created DESC LIMIT 1").
		Bind(dbx.Params{"c": caseID, "e": crm.EventMessageReceived}).Row(&ch)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return ch, err
}
