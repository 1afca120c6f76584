package portal

// Active personalisation: the customer, not the business, chooses which
// messages they get and where (per kind: request updates, orders and
// payments, invoices, news by topic), and what the portal's home shows
// first. The choices live in personal_choices, one row per contact, written
// here only, for the signed-in customer's own contact; the outbox honours
// them (plugins/outbox/decide.go).

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// bindPersonal binds the customer's own choices' routes.
func bindPersonal(se *core.ServeEvent) {
	se.Router.GET("/api/crm/portal/personal", withCustomer(getPersonal))
	se.Router.PATCH("/api/crm/portal/personal", withCustomer(patchPersonal))
}

// personalBody is what the customer may change; any part left out stays.
type personalBody struct {
	Messages map[string]crm.MessageChoice `json:"messages"`
	News     map[string]crm.MessageChoice `json:"news"`
	Pins     *[]crm.Pin                   `json:"pins"`
}

// personalView is what the portal shows: every choice with its default
// filled in, what may be chosen, and the home's cards.
type personalView struct {
	Kinds        []string                     `json:"kinds"`
	Topics       []topicView                  `json:"topics"`
	Channels     []string                     `json:"channels"`      // for request, order and invoice messages
	NewsChannels []string                     `json:"news_channels"` // where marketing consent is granted
	Messages     map[string]crm.MessageChoice `json:"messages"`
	News         map[string]crm.MessageChoice `json:"news"`
	Pins         []card                       `json:"pins"`
	Home         []card                       `json:"home"` // the pins, or the default when none
	Pinnable     []card                       `json:"pinnable"`
}

type topicView struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func getPersonal(e *core.RequestEvent, c *customer) error {
	row, err := choicesOf(e.App, c.contact.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	v, err := viewOf(e, c, row)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, v)
}

// patchPersonal checks every value before it writes any: a bad one is a 400
// naming its field (messages.orders.channel, pins.2.id...) and changes
// nothing.
func patchPersonal(e *core.RequestEvent, c *customer) error {
	var body personalBody
	if err := e.BindBody(&body); err != nil {
		return badField(e, "messages", "validation_invalid_body", "The choices could not be read.")
	}
	row, err := choicesOf(e.App, c.contact.Id)
	if err != nil {
		return e.InternalServerError("", err)
	}
	topics, err := activeTopics(e.App)
	if err != nil {
		return e.InternalServerError("", err)
	}
	service, news, err := allowedChannels(e.App, c.contact)
	if err != nil {
		return e.InternalServerError("", err)
	}
	if body.Messages != nil {
		if err := checkChoices(body.Messages, "messages", func(k string) bool { return slices.Contains(crm.MessageKinds, k) }, service, news); err != nil {
			return e.BadRequestError(err.Error(), err)
		}
		row.Set(crm.PcMessages, merged(row, crm.PcMessages, body.Messages))
	}
	if body.News != nil {
		known := func(id string) bool { return slices.ContainsFunc(topics, func(t topicView) bool { return t.ID == id }) }
		if err := checkChoices(body.News, "news", known, news, news); err != nil {
			return e.BadRequestError(err.Error(), err)
		}
		row.Set(crm.PcNews, merged(row, crm.PcNews, body.News))
	}
	if body.Pins != nil {
		pins, err := checkPins(e, c, *body.Pins)
		if err != nil {
			return e.BadRequestError(err.Error(), err)
		}
		row.Set(crm.PcPins, pins)
	}
	if err := e.App.Save(row); err != nil {
		return e.InternalServerError("", err)
	}
	v, err := viewOf(e, c, row)
	if err != nil {
		return e.InternalServerError("", err)
	}
	return e.JSON(http.StatusOK, v)
}

// choicesOf is the contact's row, a new unsaved one when they chose nothing yet.
func choicesOf(app core.App, contact string) (*core.Record, error) {
	row, err := app.FindFirstRecordByFilter(crm.PersonalChoices, crm.PcContact+" = {:c}", dbx.Params{"c": contact})
	if err == nil {
		return row, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	col, err := app.FindCachedCollectionByNameOrId(crm.PersonalChoices)
	if err != nil {
		return nil, err
	}
	row = core.NewRecord(col)
	row.Set(crm.PcContact, contact)
	return row, nil
}

// checkChoices: every key is known and every channel one the customer
// allows for it (news: a channel with marketing consent).
func checkChoices(in map[string]crm.MessageChoice, field string, known func(string) bool, service, news []string) validation.Errors {
	for key, ch := range in {
		if !known(key) {
			return validation.Errors{field + "." + key: validation.NewError("validation_unknown_kind", fmt.Sprintf("There is no kind of message called %q.", key))}
		}
		allowed := service
		if key == crm.KindNews || field == "news" {
			allowed = news
		}
		if ch.Channel != "" && !slices.Contains(allowed, ch.Channel) {
			return validation.Errors{field + "." + key + ".channel": validation.NewError("validation_channel_not_allowed",
				fmt.Sprintf("You can't be told on %q: choose one of the channels you allow.", ch.Channel))}
		}
	}
	return nil
}

// merged is the row's choices in field with in laid over them.
func merged(row *core.Record, field string, in map[string]crm.MessageChoice) map[string]crm.MessageChoice {
	out := map[string]crm.MessageChoice{}
	_ = row.UnmarshalJSONField(field, &out) // an empty field leaves out empty
	if out == nil {
		out = map[string]crm.MessageChoice{}
	}
	for k, v := range in {
		out[k] = v
	}
	return out
}

// checkPins: at most crm.MaxPins, each once, each a thing of a known type
// the customer may see.
func checkPins(e *core.RequestEvent, c *customer, pins []crm.Pin) ([]crm.Pin, validation.Errors) {
	if len(pins) > crm.MaxPins {
		return nil, validation.Errors{"pins": validation.NewError("validation_too_many_pins", fmt.Sprintf("Pin %d things at most.", crm.MaxPins))}
	}
	seen := map[crm.Pin]bool{}
	out := make([]crm.Pin, 0, len(pins))
	for i, p := range pins {
		at := fmt.Sprintf("pins.%d", i)
		if _, ok := crm.PinCollection[p.Type]; !ok {
			return nil, validation.Errors{at + ".type": validation.NewError("validation_unknown_pin_type", fmt.Sprintf("%q is not something you can pin.", p.Type))}
		}
		if seen[p] {
			return nil, validation.Errors{at + ".id": validation.NewError("validation_pinned_twice", "This is pinned already.")}
		}
		if _, ok := resolvePin(e, c, p); !ok {
			return nil, validation.Errors{at + ".id": validation.NewError("validation_not_found", "There is no such thing of yours to pin.")}
		}
		seen[p] = true
		out = append(out, p)
	}
	return out, nil
}

// activeTopics are the news topics customers choose among, in order.
func activeTopics(app core.App) ([]topicView, error) {
	rows, err := app.FindRecordsByFilter(crm.NewsTopics, crm.TopicActive+" = true", crm.TopicPosition+","+crm.TopicName, 0, 0)
	if err != nil {
		return nil, err
	}
	out := make([]topicView, 0, len(rows))
	for _, r := range rows {
		out = append(out, topicView{ID: r.Id, Name: r.GetString(crm.TopicName), Description: r.GetString(crm.TopicDescription)})
	}
	return out, nil
}

// messageChannels are the channels a message can reach a customer on.
var messageChannels = []string{"email", "whatsapp", "sms", "letter"}

// allowedChannels: where the customer may choose to be told. Service
// messages (requests, orders, invoices): the channels they have a contact
// point on and did not withdraw service consent for (only those granted,
// when they gave any); news: those with a granted marketing consent.
func allowedChannels(app core.App, contact *core.Record) (service, news []string, err error) {
	consents, err := app.FindAllRecords(crm.Consents, dbx.HashExp{crm.FieldContact: contact.Id})
	if err != nil {
		return nil, nil, err
	}
	state := map[string]string{}
	anyService := false
	for _, c := range consents {
		state[c.GetString("purpose")+"/"+c.GetString("channel")] = c.GetString("state")
		anyService = anyService || c.GetString("purpose") == crm.PurposeService
	}
	has := func(fields ...string) bool {
		return slices.ContainsFunc(fields, func(f string) bool { return strings.TrimSpace(contact.GetString(f)) != "" })
	}
	point := map[string]bool{"email": has(crm.FieldEmail), "whatsapp": has("mobile", "phone"), "sms": has("mobile", "phone"), "letter": has("address")}
	service, news = []string{}, []string{}
	for _, ch := range messageChannels {
		if !point[ch] {
			continue
		}
		s := state[crm.PurposeService+"/"+ch]
		if s == "granted" || (!anyService && s != "withdrawn") {
			service = append(service, ch)
		}
		if state[crm.PurposeMarketing+"/"+ch] == "granted" {
			news = append(news, ch)
		}
	}
	return service, news, nil
}

// viewOf fills every choice with its default (told, on the preferred
// channel) and resolves the pins.
func viewOf(e *core.RequestEvent, c *customer, row *core.Record) (personalView, error) {
	topics, err := activeTopics(e.App)
	if err != nil {
		return personalView{}, err
	}
	service, news, err := allowedChannels(e.App, c.contact)
	if err != nil {
		return personalView{}, err
	}
	v := personalView{Kinds: crm.MessageKinds, Topics: topics, Channels: service, NewsChannels: news,
		Messages: merged(row, crm.PcMessages, nil), News: map[string]crm.MessageChoice{}}
	for _, k := range crm.MessageKinds {
		if _, ok := v.Messages[k]; !ok {
			v.Messages[k] = crm.MessageChoice{On: true}
		}
	}
	chosen := merged(row, crm.PcNews, nil)
	for _, t := range topics {
		if ch, ok := chosen[t.ID]; ok {
			v.News[t.ID] = ch
		} else {
			v.News[t.ID] = crm.MessageChoice{On: true}
		}
	}
	if err := fillHome(e, c, row, &v); err != nil {
		return personalView{}, err
	}
	return v, nil
}
