package orders

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/outbox"
	"vinculo/plugins/timeline"
)

// The staff's quote routes. Quotes are written here alone (the record API
// only reads them): the server numbers them, prices every line, moves
// their state and keeps the record of what the customer did.
const (
	quotesRoute        = "/api/crm/quotes"               // POST: a new draft
	quotePriceRoute    = "/api/crm/quotes/price"         // POST: a quote's prices, saving nothing
	quoteOneRoute      = "/api/crm/quotes/{id}"          // PUT: a draft as edited
	quoteSendRoute     = "/api/crm/quotes/{id}/send"     // POST: the draft goes to the customer
	quoteWithdrawRoute = "/api/crm/quotes/{id}/withdraw" // POST: a draft or a sent quote is withdrawn
)

// Timeline events of a quote (stored as event + data, worded by the UI).
const (
	EventQuoteSent      = "quote.sent"
	EventQuoteAccepted  = "quote.accepted"
	EventQuoteDeclined  = "quote.declined"
	EventQuoteWithdrawn = "quote.withdrawn"
)

func bindQuoteRoutes(app core.App, cfg *crm.Config) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST(quotePriceRoute, priceQuoteRoute).Bind(guard.Writer())
		se.Router.POST(quotesRoute, func(e *core.RequestEvent) error { return saveQuote(e, cfg, nil) }).Bind(guard.Writer())
		se.Router.PUT(quoteOneRoute, func(e *core.RequestEvent) error {
			r, err := e.App.FindRecordById(crm.Quotes, e.Request.PathValue("id"))
			if err != nil {
				return e.NotFoundError("We could not find that quote.", nil)
			}
			return saveQuote(e, cfg, r)
		}).Bind(guard.Writer())
		se.Router.POST(quoteSendRoute, func(e *core.RequestEvent) error { return sendQuote(e, cfg) }).Bind(guard.Writer())
		se.Router.POST(quoteWithdrawRoute, withdrawQuote).Bind(guard.Writer())
		return se.Next()
	})
}

// readQuote reads a staff's quote body: only the keys a quote takes (a
// price, a state or a number is refused naming it), each of its kind.
func readQuote(e *core.RequestEvent) (QuoteRequest, error) {
	var q QuoteRequest
	m, err := body(e, quoteKeys)
	if err != nil {
		return q, err
	}
	if v, ok := m["lines"]; ok && v != nil {
		items, isList := v.([]any)
		if !isList {
			return q, badField("lines", "validation_quote_lines", "The lines must be a list.")
		}
		for i, it := range items {
			at := fmt.Sprintf("lines.%d.", i)
			obj, isObj := it.(map[string]any)
			if !isObj {
				return q, badField(at+"product", "validation_line_shape", "A line is a product, its options, how many and a discount.")
			}
			if err := refuseKeys(obj, quoteLineKeys, at); err != nil {
				return q, err
			}
			var l QuoteLineRequest
			if err := decodeFields(obj, &l, at); err != nil {
				return q, err
			}
			q.Lines = append(q.Lines, l)
		}
		delete(m, "lines")
	}
	if err := decodeFields(m, &q, ""); err != nil {
		return q, err
	}
	return q, nil
}

// decodeFields reads m into v field by field, so a value of the wrong kind
// is refused naming its field (at + key).
func decodeFields(m map[string]any, v any, at string) error {
	for k, val := range m {
		raw, _ := json.Marshal(map[string]any{k: val})
		if err := json.Unmarshal(raw, v); err != nil {
			return badField(at+k, "validation_invalid_value", "This value is not of the right kind for "+k+".")
		}
	}
	return nil
}

// quoteParties checks who a quote is for: a contact, optionally their
// company, optionally a deal; it answers the contact.
func quoteParties(app core.App, q QuoteRequest) (*core.Record, error) {
	contact, err := app.FindRecordById(crm.Contacts, q.Contact)
	if err != nil {
		return nil, badField("contact", "validation_quote_contact", "Choose the customer the quote is for.")
	}
	if q.Company != "" && q.Company != contact.GetString(crm.FieldCompany) {
		return nil, badField("company", "validation_quote_company", "A quote is for the customer or for the company they belong to.")
	}
	if q.Deal != "" {
		if _, err := app.FindRecordById(crm.Deals, q.Deal); err != nil {
			return nil, badField("deal", "validation_quote_deal", "We could not find that deal.")
		}
	}
	if len([]rune(q.Note)) > maxNoteLength {
		return nil, badField("note", "validation_quote_note", fmt.Sprintf("The note takes at most %d characters.", maxNoteLength))
	}
	return contact, nil
}

// langOf is the language a contact's quote is worded in.
func langOf(contact *core.Record) string {
	if l := contact.GetString("language"); slices.Contains(crm.Languages, l) {
		return l
	}
	return ""
}

// priceQuoteRoute answers a quote's prices as the editor shapes it.
func priceQuoteRoute(e *core.RequestEvent) error {
	q, err := readQuote(e)
	if err != nil {
		return err
	}
	lang := e.Auth.GetString("language")
	if c, err := e.App.FindRecordById(crm.Contacts, q.Contact); err == nil && langOf(c) != "" {
		lang = langOf(c)
	}
	priced, err := PriceQuote(e.App, q.Lines, q.DiscountKind, q.DiscountValue, lang)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, priced)
}

// saveQuote makes a new draft (r nil) or saves the draft r as edited,
// priced from the products as they are now.
func saveQuote(e *core.RequestEvent, cfg *crm.Config, r *core.Record) error {
	q, err := readQuote(e)
	if err != nil {
		return err
	}
	if r != nil && r.GetString(crm.QuoteState) != crm.QuoteDraft {
		return badField(crm.QuoteState, "validation_quote_not_draft", "Only a draft is changed: this quote was sent already.")
	}
	contact, err := quoteParties(e.App, q)
	if err != nil {
		return err
	}
	loc := cfg.BusinessNow().Location()
	day, err := checkDay(q.ValidUntil, loc, time.Now())
	if err != nil {
		return err
	}
	priced, err := PriceQuote(e.App, q.Lines, q.DiscountKind, q.DiscountValue, langOf(contact))
	if err != nil {
		return err
	}
	err = e.App.RunInTransaction(func(tx core.App) error {
		if r == nil {
			c, err := tx.FindCachedCollectionByNameOrId(crm.Quotes)
			if err != nil {
				return err
			}
			r = core.NewRecord(c)
			number, err := nextQuoteNumber(tx, time.Now().In(loc).Year())
			if err != nil {
				return err
			}
			r.Set(crm.QuoteNumber, number)
			r.Set(crm.QuoteState, crm.QuoteDraft)
			if e.Auth.Collection().Name == crm.Staff {
				r.Set(crm.QuoteOwner, e.Auth.Id)
			}
		} else if fresh, err := tx.FindRecordById(crm.Quotes, r.Id); err != nil || fresh.GetString(crm.QuoteState) != crm.QuoteDraft {
			return badField(crm.QuoteState, "validation_quote_not_draft", "Only a draft is changed: this quote was sent already.")
		}
		r.Set(crm.QuoteContact, contact.Id)
		r.Set(crm.QuoteCompany, q.Company)
		r.Set(crm.QuoteDeal, q.Deal)
		r.Set(crm.QuoteValidUntil, day)
		r.Set(crm.QuoteNote, strings.TrimSpace(q.Note))
		r.Set(crm.QuoteLanguage, langOf(contact))
		setQuotePrice(r, priced)
		return tx.Save(r)
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, r)
}

// sendQuote sends a draft: priced once more (these are the prices the
// customer accepts at), valid until a day to come, told to the customer
// through the outbox with the link to it in the portal, and on the
// customer's timeline.
func sendQuote(e *core.RequestEvent, cfg *crm.Config) error {
	r, err := e.App.FindRecordById(crm.Quotes, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("We could not find that quote.", nil)
	}
	if err := canMove(r, crm.QuoteSent); err != nil {
		return err
	}
	saved := quotePriceOf(r)
	if len(saved.Lines) == 0 {
		return badField("lines", "validation_quote_empty", "Add at least one line before sending the quote.")
	}
	b := cfg.BusinessNow()
	if r.GetString(crm.QuoteValidUntil) == "" {
		return badField(crm.QuoteValidUntil, "validation_quote_day_required", "Give the last day the quote is valid before sending it.")
	}
	if _, err := checkDay(r.GetString(crm.QuoteValidUntil), b.Location(), time.Now()); err != nil {
		return err
	}
	priced, err := PriceQuote(e.App, requestsOf(saved), saved.DiscountKind, saved.DiscountValue, r.GetString(crm.QuoteLanguage))
	if err != nil {
		return err
	}
	actor := timeline.FromRequest(e)
	err = e.App.RunInTransaction(func(tx core.App) error {
		fresh, err := tx.FindRecordById(crm.Quotes, r.Id)
		if err != nil {
			return err
		}
		if err := canMove(fresh, crm.QuoteSent); err != nil {
			return err
		}
		r = fresh
		setQuotePrice(r, priced)
		r.Set(crm.QuoteState, crm.QuoteSent)
		r.Set(crm.QuoteSentAt, time.Now().UTC())
		if err := tx.Save(r); err != nil {
			return err
		}
		if err := tellCustomer(tx, cfg, r); err != nil {
			return err
		}
		return quoteEntry(tx, r, EventQuoteSent, actor, "")
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, r)
}

// withdrawQuote withdraws a draft or a quote the customer has not answered.
func withdrawQuote(e *core.RequestEvent) error {
	r, err := e.App.FindRecordById(crm.Quotes, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("We could not find that quote.", nil)
	}
	actor := timeline.FromRequest(e)
	err = e.App.RunInTransaction(func(tx core.App) error {
		fresh, err := tx.FindRecordById(crm.Quotes, r.Id)
		if err != nil {
			return err
		}
		if err := canMove(fresh, crm.QuoteWithdrawn); err != nil {
			return err
		}
		r = fresh
		wasSent := r.GetString(crm.QuoteState) == crm.QuoteSent
		r.Set(crm.QuoteState, crm.QuoteWithdrawn)
		r.Set(crm.QuoteClosedAt, time.Now().UTC())
		if err := tx.Save(r); err != nil {
			return err
		}
		if !wasSent {
			return nil
		}
		return quoteEntry(tx, r, EventQuoteWithdrawn, actor, "")
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, r)
}

// quoteEntry writes a quote's timeline entry, public to the customer; body
// is the customer's own words (a reason to decline).
func quoteEntry(tx core.App, r *core.Record, event string, actor timeline.Actor, body string) error {
	number := r.GetString(crm.QuoteNumber)
	_, err := timeline.Write(tx, timeline.Entry{
		Event: event, Public: true, Subject: number, Body: body, Actor: actor,
		Data: map[string]any{"number": number, "total": r.GetFloat(crm.QuoteTotal), "currency": r.GetString(crm.QuoteCurrency),
			"valid_until": r.GetString(crm.QuoteValidUntil), "order": r.GetString(crm.QuoteOrder)},
		Contact: r.GetString(crm.QuoteContact), Company: r.GetString(crm.QuoteCompany), Deal: r.GetString(crm.QuoteDeal),
		RefCollection: crm.Quotes, RefID: r.Id,
	})
	return err
}

// quoteNoticeWords are the words of the message telling a customer of a
// quote, in one language: the subject (number, business) and the text
// (name, number, total, day, link, business).
var quoteNoticeWords = map[string][2]string{
	"en": {"Your quote %s from %s",
		"Hello %s,\n\nWe have prepared quote %s for you: %s in all, valid until %s.\n\nSee it, and accept or decline it, in your portal: %s\n\n%s\n"},
	"pt-BR": {"Seu orçamento %s de %s",
		"Olá, %s.\n\nPreparamos o orçamento %s para você: %s no total, válido até %s.\n\nVeja, aceite ou recuse no seu portal: %s\n\n%s\n"},
}

// tellCustomer queues the service message that tells the quote's customer
// it is waiting for them, with the link to it in the portal; the outbox
// decides it against the customer's channel, hours and holds.
func tellCustomer(tx core.App, cfg *crm.Config, r *core.Record) error {
	contact, err := tx.FindRecordById(crm.Contacts, r.GetString(crm.QuoteContact))
	if err != nil {
		return err
	}
	lang := langOf(contact)
	if lang == "" {
		lang = cfg.BusinessNow().Language
	}
	words, ok := quoteNoticeWords[lang]
	if !ok {
		words = quoteNoticeWords["en"]
	}
	business := cfg.BusinessNow().Name
	number := r.GetString(crm.QuoteNumber)
	link := cfg.PublicURL + "/portal/quotes/" + r.Id
	total := moneyWords(r.GetFloat(crm.QuoteTotal), r.GetString(crm.QuoteCurrency), lang)
	_, err = outbox.Queue(tx, outbox.Queued{Contact: contact.Id, Purpose: crm.PurposeService,
		Subject: fmt.Sprintf(words[0], number, business),
		Body:    fmt.Sprintf(words[1], contact.GetString("name"), number, total, dayWords(r.GetString(crm.QuoteValidUntil), lang), link, business)})
	return err
}

// moneyWords writes an amount as a reader of lang reads it: BRL 1,234.50 or
// BRL 1.234,50.
func moneyWords(v float64, currency, lang string) string {
	c := cents(v)
	whole, part := c/100, c%100
	digits := fmt.Sprintf("%d", whole)
	sep, dec := ",", "."
	if lang == "pt-BR" {
		sep, dec = ".", ","
	}
	var grouped []string
	for len(digits) > 3 {
		grouped = append([]string{digits[len(digits)-3:]}, grouped...)
		digits = digits[:len(digits)-3]
	}
	grouped = append([]string{digits}, grouped...)
	return fmt.Sprintf("%s %s%s%02d", currency, strings.Join(grouped, sep), dec, part)
}

// dayWords writes a YYYY-MM-DD day as a reader of lang reads it.
func dayWords(day, lang string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	if lang == "pt-BR" {
		return d.Format("02/01/2006")
	}
	return d.Format("2 January 2006")
}
