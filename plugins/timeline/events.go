package timeline

import (
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/spf13/cast"

	"vinculo/crm"
)

// PreferenceFields are the contact's choices of how, when and how often they
// may be contacted: a change to any of them is one "preferences changed"
// entry.
var PreferenceFields = []string{
	"preferred_channel", "preferred_days", "preferred_hours_start", "preferred_hours_end",
	"timezone", "language", "max_contacts_per_week", "paused_until",
}

// subscriptionTerms: what a change of plan touches (the billing interval
// changes at the start of the period it was asked for).
var subscriptionTerms = []string{"plan", "product", "quantity", "price", crm.SubInterval}

func bindEvents(app core.App) {
	afterSave(app, crm.Contacts, contactEvents)
	afterSave(app, crm.Deals, dealEvents)
	afterSave(app, crm.Cases, caseEvents)
	afterSave(app, crm.CaseMessages, messageEvents)
	afterSave(app, crm.Orders, orderEvents)
	afterSave(app, crm.Subscriptions, subscriptionEvents)
	afterSave(app, crm.Consents, consentEvents)
	afterSave(app, crm.Outbox, outboxEvents)
}

// about fills the links and the actor every entry of record r shares.
func about(r *core.Record, e Entry) Entry {
	e.Actor = ActorOf(r)
	e.RefCollection, e.RefID = r.Collection().Name, r.Id
	if e.Contact == "" {
		e.Contact = r.GetString(crm.FieldContact)
	}
	if e.Company == "" && r.Collection().Fields.GetByName(crm.FieldCompany) != nil {
		e.Company = r.GetString(crm.FieldCompany)
	}
	return e
}

func write(tx core.App, entries ...Entry) error {
	for _, e := range entries {
		if _, err := Write(tx, e); err != nil {
			return err
		}
	}
	return nil
}

func changed(prev, r *core.Record, field string) bool {
	return fmt.Sprint(prev.Get(field)) != fmt.Sprint(r.Get(field))
}

func contactEvents(tx core.App, prev, r *core.Record) error {
	name := r.GetString("name")
	if prev == nil {
		return write(tx, about(r, Entry{Event: ContactCreated, Subject: name, Contact: r.Id, Data: map[string]any{"name": name}}))
	}
	var entries []Entry
	if changed(prev, r, crm.FieldCompany) {
		from, to := companyName(tx, prev.GetString(crm.FieldCompany)), companyName(tx, r.GetString(crm.FieldCompany))
		company := r.GetString(crm.FieldCompany)
		if company == "" {
			company = prev.GetString(crm.FieldCompany) // the company they left
		}
		entries = append(entries, about(r, Entry{Event: ContactCompanyChanged, Contact: r.Id, Company: company,
			Subject: to, Data: map[string]any{"from": from, "to": to}}))
	}
	var names []string
	var changes []Change
	for _, f := range PreferenceFields {
		if changed(prev, r, f) {
			names = append(names, f)
			changes = append(changes, Change{Field: f, From: show(prev.Get(f)), To: show(r.Get(f))})
		}
	}
	if len(names) > 0 {
		// The customer's own choices: they see every change to them.
		entries = append(entries, about(r, Entry{Event: ContactPreferencesChanged, Contact: r.Id, Public: true,
			Subject: name, Data: map[string]any{"fields": names, "changes": changes}}))
	}
	return write(tx, entries...)
}

// Change is one field's change in an entry's data: its name and its values
// before and after, as shown ("" for none).
type Change struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// companyName is the company's name, "" for none.
func companyName(app core.App, id string) string {
	if id == "" {
		return ""
	}
	if c, err := app.FindRecordById(crm.Companies, id); err == nil {
		return c.GetString("name")
	}
	return id
}

// show writes a field value for the screens to word: lists joined, empty
// as "" (the screen says "none" in the reader's language).
func show(v any) string {
	switch x := v.(type) {
	case []string:
		return strings.Join(x, ",")
	case fmt.Stringer:
		return x.String()
	}
	return cast.ToString(v)
}

func dealEvents(tx core.App, prev, r *core.Record) error {
	title := r.GetString("title")
	base := Entry{Deal: r.Id, Subject: title}
	if prev == nil {
		e := base
		e.Event = DealCreated
		e.Data = map[string]any{"title": title, "stage": stageName(tx, r.GetString("stage"))}
		return write(tx, about(r, e))
	}
	e := base
	e.Data = map[string]any{"title": title}
	from, to := prev.GetString("status"), r.GetString("status")
	// One entry per save: winning or losing says where the deal ended, so it
	// stands for the stage move that usually comes with it.
	switch {
	case from != to && to == crm.DealWon:
		e.Event = DealWon
	case from != to && to == crm.DealLost:
		e.Event = DealLost
		e.Body = r.GetString("lost_reason") // the words of whoever lost it
	case from != to && to == crm.DealOpen:
		e.Event = DealReopened
	case changed(prev, r, "stage"):
		e.Event = DealMoved
		e.Data["from"], e.Data["to"] = stageName(tx, prev.GetString("stage")), stageName(tx, r.GetString("stage"))
	default:
		return nil
	}
	return write(tx, about(r, e))
}

func stageName(app core.App, id string) string {
	if s, err := app.FindRecordById(crm.PipelineStages, id); err == nil {
		return s.GetString("name")
	}
	return id
}

// Case entries are public: the customer follows their request on their
// timeline. They carry only what the customer may see: the reference, the
// subject and the public label, never the internal status name.
func caseEvents(tx core.App, prev, r *core.Record) error {
	ref, subject := r.GetString("reference"), r.GetString("subject")
	base := Entry{Case: r.Id, Public: true, Subject: strings.TrimSpace(ref + " " + subject)}
	data := func(extra map[string]any) map[string]any {
		d := map[string]any{"reference": ref, "subject": subject, "status": r.GetString("status_label")}
		for k, v := range extra {
			d[k] = v
		}
		return d
	}
	// The body keeps the public status label: the business's own word for
	// the step, which the portal shows as the request's steps.
	if prev == nil {
		e := base
		e.Event, e.Data, e.Body = CaseOpened, data(nil), r.GetString("status_label")
		e = about(r, e)
		// Staff open a request for a customer who phoned, wrote or came in:
		// the entry says how the customer asked, not the colleague's browser.
		if ch := r.GetString("channel"); e.Actor.Type == ActorStaff && ch != "" {
			e.Channel = ch
		}
		return write(tx, e)
	}
	var entries []Entry
	if changed(prev, r, "status") {
		e := base
		e.Event, e.Data, e.Body = CaseStatusChanged, data(nil), r.GetString("status_label")
		if r.GetBool("closed") && !prev.GetBool("closed") {
			e.Event = CaseClosed
		}
		entries = append(entries, e)
	}
	if rating := r.GetInt("rating"); rating != 0 && changed(prev, r, "rating") {
		e := base
		e.Event, e.Data = CaseRated, data(map[string]any{"rating": rating})
		e.Body = r.GetString("rating_comment") // the customer's words
		entries = append(entries, e)
	}
	for i := range entries {
		entries[i] = about(r, entries[i])
	}
	return write(tx, entries...)
}

// messageEvents writes "answered" for the first public staff message of a
// case, whether it was written public or made public later.
func messageEvents(tx core.App, prev, m *core.Record) error {
	if !crm.IsStaffAnswer(m) || (prev != nil && crm.IsStaffAnswer(prev)) {
		return nil
	}
	var earlier int
	err := tx.DB().NewQuery("SELECT COUNT(*) FROM case_messages WHERE [[case]] = {:case} AND [[id]] != {:id} " +
		"AND internal = FALSE AND author_staff != '' AND author_customer = ''").
		Bind(dbx.Params{"case": m.GetString("case"), "id": m.Id}).Row(&earlier)
	if err != nil || earlier > 0 {
		return err
	}
	c, err := tx.FindRecordById(crm.Cases, m.GetString("case"))
	if err != nil {
		return err
	}
	ref, subject := c.GetString("reference"), c.GetString("subject")
	e := about(m, Entry{Event: CaseAnswered, Public: true, Direction: "outbound", Case: c.Id,
		Contact: c.GetString(crm.FieldContact), Company: c.GetString(crm.FieldCompany),
		Subject: strings.TrimSpace(ref + " " + subject), Data: map[string]any{"reference": ref, "subject": subject}})
	return write(tx, e)
}

func orderEvents(tx core.App, prev, r *core.Record) error {
	number := r.GetString("number")
	base := Entry{Public: true, Subject: number,
		Data: map[string]any{"number": number, "total": r.GetFloat("total"), "currency": r.GetString("currency")}}
	switch {
	case prev == nil:
		base.Event = OrderPlaced
	case r.GetString("status") == "cancelled" && prev.GetString("status") != "cancelled":
		base.Event = OrderCancelled
	default:
		return nil
	}
	return write(tx, about(r, base))
}

func subscriptionEvents(tx core.App, prev, r *core.Record) error {
	if prev == nil {
		return nil
	}
	name := r.GetString("plan")
	if name == "" {
		if p, err := tx.FindRecordById(crm.Products, r.GetString("product")); err == nil {
			name = p.GetString("name")
		}
	}
	var entries []Entry
	from, to := prev.GetString("status"), r.GetString("status")
	if from != to {
		e := Entry{Public: true, Subject: name, Data: map[string]any{"name": name}}
		switch {
		case to == "cancelled":
			e.Event = SubscriptionCancelled
			if why := r.GetString("cancel_reason"); why != "" { // kept for the churn figures
				e.Data["reason"], e.Body = why, r.GetString("cancel_note")
			}
		case to == "paused":
			e.Event = SubscriptionPaused
			if until := r.GetDateTime("paused_until"); !until.IsZero() {
				// the day the customer chose, where they live
				e.Data["until"] = until.Time().In(contactZone(tx, r.GetString(crm.FieldContact))).Format("2006-01-02")
			}
		case from == "paused" && to == "active":
			e.Event = SubscriptionResumed
		}
		if e.Event != "" {
			entries = append(entries, e)
		}
	}
	var changes []Change
	for _, f := range subscriptionTerms {
		if changed(prev, r, f) {
			from, to := show(prev.Get(f)), show(r.Get(f))
			if f == "product" {
				from, to = productName(tx, prev.GetString(f)), productName(tx, to)
			}
			changes = append(changes, Change{Field: f, From: from, To: to})
		}
	}
	if len(changes) > 0 {
		entries = append(entries, Entry{Public: true, Event: SubscriptionChanged,
			Subject: name, Data: map[string]any{"name": name, "changes": changes}})
	}
	for i := range entries {
		entries[i] = about(r, entries[i])
	}
	return write(tx, entries...)
}

// contactZone is the contact's time zone (UTC when they have none).
func contactZone(app core.App, id string) *time.Location {
	if c, err := app.FindRecordById(crm.Contacts, id); err == nil {
		if loc, err := time.LoadLocation(c.GetString("timezone")); err == nil {
			return loc
		}
	}
	return time.UTC
}

func productName(app core.App, id string) string {
	if p, err := app.FindRecordById(crm.Products, id); err == nil {
		return p.GetString("name")
	}
	return id
}

// consentEvents: a consent given or withdrawn, or moved to another purpose
// or channel. A change of wording alone is kept in the consent's history.
func consentEvents(tx core.App, prev, r *core.Record) error {
	if prev != nil && !changed(prev, r, "state") && !changed(prev, r, "purpose") && !changed(prev, r, "channel") {
		return nil
	}
	e := Entry{Event: ConsentChanged, Public: true, Subject: r.GetString("purpose"),
		Data: map[string]any{"state": r.GetString("state"), "purpose": r.GetString("purpose"), "channel": r.GetString("channel")},
		Body: r.GetString("text")} // the wording the customer agreed to
	if prev != nil {
		e.Body = ""
		e.Data["before"] = map[string]any{"state": prev.GetString("state"), "purpose": prev.GetString("purpose"), "channel": prev.GetString("channel")}
	}
	return write(tx, about(r, e))
}

// outboxEvents follows a message's state. Only a sent message is public:
// the customer sees what reached them, not the business's queue.
func outboxEvents(tx core.App, prev, r *core.Record) error {
	state := r.GetString("state")
	if prev != nil && prev.GetString("state") == state {
		return nil
	}
	// A message without a subject of its own is named by its template,
	// which the screens word in the reader's language.
	subject, template := r.GetString("subject"), r.GetString("template")
	stored := subject
	if stored == "" {
		stored = template
	}
	e := Entry{Case: r.GetString("case"), Subject: stored, Data: map[string]any{"subject": subject, "template": template}}
	// Why it is held, refused or failed: the outbox's reason as a code and
	// its data, worded by the screens (the English reason only for a message
	// decided before the outbox kept codes).
	why, code := r.GetString("reason"), r.GetString("reason_code")
	if prev != nil && code == prev.GetString("reason_code") && why != prev.GetString("reason") {
		code = "" // a reason written by hand, not by the outbox: its words as they are
	}
	if code != "" {
		why = ""
		e.Data["reason_code"] = code
		var data map[string]any
		if err := r.UnmarshalJSONField("reason_data", &data); err == nil && data != nil {
			e.Data["reason"] = data
		}
	}
	switch state {
	case crm.OutboxQueued:
		e.Event = MessageQueued
	case crm.OutboxWaiting:
		e.Event, e.Body = MessageHeld, why
	case crm.OutboxSent:
		e.Event, e.Public, e.Direction = MessageSent, true, "outbound"
		ch := r.GetString("sent_channel") // where it went; channel may be empty (the customer's preferred one)
		if ch == "" {
			ch = r.GetString("channel")
		}
		if ch != "" {
			e.Channel, e.Type = ch, typeOfChannel(ch)
		}
	case crm.OutboxRefused:
		e.Event, e.Body = MessageRefused, why
	case crm.OutboxFailed:
		e.Event, e.Body = MessageFailed, why
	default:
		return nil
	}
	if entry, err := standingEntry(tx, r); err != nil || entry != nil {
		if err != nil {
			return err
		}
		return foldState(tx, entry, state, e)
	}
	if e.Case != "" {
		if c, err := tx.FindRecordById(crm.Cases, e.Case); err == nil {
			e.Company = c.GetString(crm.FieldCompany)
		}
	}
	return write(tx, about(r, e))
}

// standingEntry is the timeline entry that already stands for a message
// (an email written in the workspace): the outbox row's data names it
// (crm.MailActivity) and the entry names the row back. nil when none.
func standingEntry(tx core.App, r *core.Record) (*core.Record, error) {
	var data map[string]any
	if err := r.UnmarshalJSONField(crm.OutboxData, &data); err != nil || data == nil {
		return nil, nil
	}
	id, _ := data[crm.MailActivity].(string)
	if id == "" {
		return nil, nil
	}
	entry, err := tx.FindRecordById(crm.Activities, id)
	if err != nil {
		return nil, nil // gone since: the message gets entries of its own
	}
	if entry.GetString("ref_collection") != crm.Outbox || entry.GetString("ref_id") != r.Id ||
		strings.HasPrefix(entry.GetString("event"), "message.") {
		return nil, nil
	}
	return entry, nil
}

// foldState keeps a message's state on the entry that stands for it, one
// entry per message: data.state (queued, waiting, sent, refused, failed),
// the outbox's reason (data.reason_code and data.reason, or its words as
// data.why) and data.state_at. Once sent it is public, as a sent message is.
func foldState(tx core.App, entry *core.Record, state string, e Entry) error {
	var data map[string]any
	if err := entry.UnmarshalJSONField("data", &data); err != nil || data == nil {
		data = map[string]any{}
	}
	for _, k := range []string{"reason_code", "reason", "why"} {
		delete(data, k)
	}
	data["state"], data["state_at"] = state, types.NowDateTime().String()
	for _, k := range []string{"reason_code", "reason"} {
		if v, ok := e.Data[k]; ok {
			data[k] = v
		}
	}
	if e.Body != "" {
		data["why"] = e.Body
	}
	entry.Set("data", data)
	if state == crm.OutboxSent {
		entry.Set("public", true)
	}
	return tx.Save(entry)
}

// typeOfChannel: the kind of interaction a message on ch is.
func typeOfChannel(ch string) string {
	switch ch {
	case "email", "letter", "social", "portal":
		return ch
	case "sms", "whatsapp", "chat":
		return "chat"
	case "phone":
		return "call"
	case "web":
		return "portal"
	}
	return "system"
}
