package orders

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// The customer's answer to a quote, in the portal: accept it (their full
// name typed; the server keeps the time, the address and the browser as
// the record of acceptance) and it becomes an order at the quoted prices,
// or decline it with a reason.
const (
	quoteAcceptRoute  = "/api/crm/portal/quotes/{id}/accept"  // POST {name}
	quoteDeclineRoute = "/api/crm/portal/quotes/{id}/decline" // POST {reason}
)

func bindQuotePortal(app core.App, cfg *crm.Config) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST(quoteAcceptRoute, withBuyer(func(e *core.RequestEvent, b *Buyer) error { return acceptQuote(e, b, cfg) }))
		se.Router.POST(quoteDeclineRoute, withBuyer(func(e *core.RequestEvent, b *Buyer) error { return declineQuote(e, b, cfg) }))
		return se.Next()
	})
}

// MaySeeQuote tells whether b may see quote: one sent to them, or to their
// company when they are its admin. A draft is nobody's but the staff's.
func MaySeeQuote(quote *core.Record, b *Buyer) bool {
	if quote.GetString(crm.QuoteState) == crm.QuoteDraft {
		return false
	}
	if quote.GetString(crm.QuoteContact) == b.Contact.Id {
		return true
	}
	return b.CompanyAdmin && quote.GetString(crm.QuoteCompany) != "" && quote.GetString(crm.QuoteCompany) == b.Company()
}

// answerable finds the quote the customer answers (404 when it is not
// theirs) and reads their words under key (required, at most max
// characters); a sent quote whose last day is over is marked expired and
// refused (400 naming valid_until).
func answerable(e *core.RequestEvent, b *Buyer, cfg *crm.Config, key string, max int) (*core.Record, string, error) {
	m, err := body(e, []string{key})
	if err != nil {
		return nil, "", err
	}
	quote, err := e.App.FindRecordById(crm.Quotes, e.Request.PathValue("id"))
	if err != nil || !MaySeeQuote(quote, b) {
		return nil, "", e.NotFoundError("We could not find that quote.", nil)
	}
	words, _ := m[key].(string)
	words = strings.TrimSpace(words)
	if words == "" || utf8.RuneCountInString(words) > max {
		what := map[string]string{"name": "your full name", "reason": "why you decline"}[key]
		return nil, "", bad(key, "validation_quote_"+key, fmt.Sprintf("Write %s (at most %d characters).", what, max), map[string]any{"max": max})
	}
	if quote.GetString(crm.QuoteState) == crm.QuoteSent && Expired(quote.GetString(crm.QuoteValidUntil), cfg.BusinessNow().Location(), time.Now()) {
		quote.Set(crm.QuoteState, crm.QuoteExpired)
		quote.Set(crm.QuoteClosedAt, time.Now().UTC())
		if err := e.App.Save(quote); err != nil {
			return nil, "", err
		}
		return nil, "", bad(crm.QuoteValidUntil, "validation_quote_expired", "This quote expired: ask us for a new one.",
			map[string]any{"valid_until": quote.GetString(crm.QuoteValidUntil)})
	}
	return quote, words, nil
}

// notAnswered refuses an answer to a quote that is no longer waiting for one
// (409 naming state): a second accept makes no second order.
func notAnswered(r *core.Record, to string) error {
	if err := canMove(r, to); err != nil {
		state := r.GetString(crm.QuoteState)
		msg := "This quote is " + state + " already."
		return router.NewApiError(http.StatusConflict, msg, validation.Errors{crm.QuoteState: validation.NewError("validation_quote_answered", msg).
			SetParams(map[string]any{"state": state})})
	}
	return nil
}

// acceptQuote is POST /api/crm/portal/quotes/{id}/accept {name}: the quote
// becomes an order at its quoted prices, in one transaction with the record
// of acceptance and the timeline's entry.
func acceptQuote(e *core.RequestEvent, b *Buyer, cfg *crm.Config) error {
	quote, name, err := answerable(e, b, cfg, "name", 200)
	if err != nil {
		return err
	}
	var order *core.Record
	actor := timeline.Actor{Type: timeline.ActorCustomer, Customer: b.Account.Id, Channel: timeline.ChannelPortal}
	err = e.App.RunInTransaction(func(tx core.App) error {
		fresh, err := tx.FindRecordById(crm.Quotes, quote.Id)
		if err != nil {
			return err
		}
		if err := notAnswered(fresh, crm.QuoteAccepted); err != nil {
			return err
		}
		quote = fresh
		if order, err = quoteOrder(tx, quote, b, actor); err != nil {
			return err
		}
		quote.Set(crm.QuoteState, crm.QuoteAccepted)
		quote.Set(crm.QuoteAcceptedAt, time.Now().UTC())
		quote.Set(crm.QuoteAcceptedName, name)
		quote.Set(crm.QuoteAcceptedIP, crm.Clip(e.RealIP(), 100))
		quote.Set(crm.QuoteAcceptedAgent, crm.Clip(e.Request.UserAgent(), 500))
		quote.Set(crm.QuoteAcceptedBy, b.Account.Id)
		quote.Set(crm.QuoteOrder, order.Id)
		if err := tx.Save(quote); err != nil {
			return err
		}
		return quoteEntry(tx, quote, EventQuoteAccepted, actor, "")
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"quote": quote, "order": order})
}

// quoteOrder is the order an accepted quote becomes: its lines at the
// prices quoted (with their discounts), for its contact (and its company
// when it was for the company), linked to the quote, placed by b.
func quoteOrder(tx core.App, quote *core.Record, b *Buyer, actor timeline.Actor) (*core.Record, error) {
	c, err := tx.FindCachedCollectionByNameOrId(crm.Orders)
	if err != nil {
		return nil, err
	}
	q := quotePriceOf(quote)
	order := core.NewRecord(c)
	order.Set(crm.FieldContact, quote.GetString(crm.QuoteContact))
	order.Set("items", q.OrderLines())
	order.Set("total", q.Total)
	order.Set("currency", q.Currency)
	order.Set("status", OrderPlaced)
	order.Set(crm.OrderPlacedBy, b.Account.Id)
	order.Set(crm.OrderPlacedFor, crm.PlacedForSelf)
	if co := quote.GetString(crm.QuoteCompany); co != "" {
		order.Set(crm.FieldCompany, co)
		order.Set(crm.OrderPlacedFor, crm.PlacedForCompany)
	}
	order.Set(crm.OrderQuote, quote.Id)
	timeline.SetActor(order, actor)
	if err := tx.Save(order); err != nil {
		return nil, err
	}
	return order, nil
}

// declineQuote is POST /api/crm/portal/quotes/{id}/decline {reason}: the
// reason is required and kept, and on the timeline in the customer's words.
func declineQuote(e *core.RequestEvent, b *Buyer, cfg *crm.Config) error {
	quote, reason, err := answerable(e, b, cfg, "reason", 2000)
	if err != nil {
		return err
	}
	actor := timeline.Actor{Type: timeline.ActorCustomer, Customer: b.Account.Id, Channel: timeline.ChannelPortal}
	err = e.App.RunInTransaction(func(tx core.App) error {
		fresh, err := tx.FindRecordById(crm.Quotes, quote.Id)
		if err != nil {
			return err
		}
		if err := notAnswered(fresh, crm.QuoteDeclined); err != nil {
			return err
		}
		quote = fresh
		quote.Set(crm.QuoteState, crm.QuoteDeclined)
		quote.Set(crm.QuoteDeclinedAt, time.Now().UTC())
		quote.Set(crm.QuoteDeclineReason, reason)
		if err := tx.Save(quote); err != nil {
			return err
		}
		return quoteEntry(tx, quote, EventQuoteDeclined, actor, reason)
	})
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, quote)
}
