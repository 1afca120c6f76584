package orders

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// A quote is what staff offer a customer before they order: catalogue
// products shaped with their options, how many, a discount per line and/or
// on the whole, a validity and a note. The server prices every line with
// Price (the catalogue's one price function) and works out every discount
// and total; a draft is priced again on every save, and the prices a quote
// was sent with are the prices it is accepted at, whatever the products
// cost afterwards.

// QuoteLineRequest is one line as staff shape it: a product, its answers,
// how many, and a discount off the line (a percent or an amount).
type QuoteLineRequest struct {
	Product       string         `json:"product"`
	Choices       map[string]any `json:"choices,omitempty"`
	Quantity      int            `json:"quantity,omitempty"`
	DiscountKind  string         `json:"discount_kind,omitempty"`
	DiscountValue float64        `json:"discount_value,omitempty"`
}

// QuoteRequest is a quote as staff edit it; it never carries a price, a
// state or a number.
type QuoteRequest struct {
	Contact       string             `json:"contact"`
	Company       string             `json:"company"`
	Deal          string             `json:"deal"`
	Lines         []QuoteLineRequest `json:"lines"`
	DiscountKind  string             `json:"discount_kind"`
	DiscountValue float64            `json:"discount_value"`
	ValidUntil    string             `json:"valid_until"`
	Note          string             `json:"note"`
}

// quoteKeys and quoteLineKeys are what the staff's quote routes take.
var (
	quoteKeys     = []string{"contact", "company", "deal", "lines", "discount_kind", "discount_value", "valid_until", "note"}
	quoteLineKeys = []string{"product", "choices", "quantity", "discount_kind", "discount_value"}
)

// QuoteLine is a line as the quote keeps it: the priced line, its discount
// as staff gave it and the amount it takes off, and what the line comes to.
type QuoteLine struct {
	PricedLine
	DiscountKind  string  `json:"discount_kind,omitempty"`
	DiscountValue float64 `json:"discount_value,omitempty"`
	Discount      float64 `json:"discount"`
	Net           float64 `json:"net"`
}

// QuotePrice is a quote as the server prices it.
type QuotePrice struct {
	Lines         []QuoteLine `json:"lines"`
	Subtotal      float64     `json:"subtotal"` // the lines after their own discounts
	DiscountKind  string      `json:"discount_kind"`
	DiscountValue float64     `json:"discount_value"`
	Discount      float64     `json:"discount"` // what the whole's discount takes off
	Total         float64     `json:"total"`
	Currency      string      `json:"currency"`
}

// Limits of a quote.
const (
	maxQuoteLines = 50
	maxNoteLength = 5000
)

var dayPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// PriceQuote prices lines as they are shaped: each line by Price from the
// product as it is now (any active product: staff sell more than the
// catalogue), less its discount; then the whole's discount. Every line is
// in one currency. An error names the field: lines.2.discount_value,
// lines.0.choices.speed, discount_value.
func PriceQuote(app core.App, lines []QuoteLineRequest, kind string, value float64, lang string) (QuotePrice, error) {
	q := QuotePrice{Lines: []QuoteLine{}, DiscountKind: kind, DiscountValue: value}
	if len(lines) > maxQuoteLines {
		return q, badField("lines", "validation_quote_lines_many", fmt.Sprintf("A quote has at most %d lines.", maxQuoteLines))
	}
	var subtotal int64
	for i, req := range lines {
		at := fmt.Sprintf("lines.%d.", i)
		product, err := app.FindRecordById(crm.Products, req.Product)
		if err != nil || !product.GetBool("active") {
			return q, badField(at+"product", "validation_not_offered", "This product is not on offer.")
		}
		priced, err := Price(product, LineRequest{Product: req.Product, Choices: req.Choices, Quantity: req.Quantity}, lang, at)
		if err != nil {
			return q, err
		}
		if q.Currency == "" {
			q.Currency = priced.Currency
		} else if priced.Currency != q.Currency {
			return q, bad(at+"product", "validation_quote_currency", fmt.Sprintf("This is priced in %s and the rest of the quote in %s: quote it separately.", priced.Currency, q.Currency),
				map[string]any{"currency": priced.Currency, "other": q.Currency})
		}
		off, err := discountOf(cents(priced.Total), req.DiscountKind, req.DiscountValue, at)
		if err != nil {
			return q, err
		}
		net := cents(priced.Total) - off
		q.Lines = append(q.Lines, QuoteLine{PricedLine: priced, DiscountKind: req.DiscountKind, DiscountValue: req.DiscountValue,
			Discount: money(off), Net: money(net)})
		subtotal += net
	}
	off, err := discountOf(subtotal, kind, value, "")
	if err != nil {
		return q, err
	}
	q.Subtotal, q.Discount, q.Total = money(subtotal), money(off), money(subtotal-off)
	return q, nil
}

// discountOf is the cents a discount takes off of cents: a percent between
// 0 and 100 (rounded to the cent) or an amount no more than the price.
func discountOf(of int64, kind string, value float64, at string) (int64, error) {
	switch kind {
	case "":
		if value != 0 {
			return 0, badField(at+"discount_kind", "validation_discount_kind", "Say whether the discount is a percent or an amount.")
		}
		return 0, nil
	case crm.DiscountPercent:
		if value < 0 || value > 100 {
			return 0, bad(at+"discount_value", "validation_discount_percent", "A discount is between 0 and 100%.", map[string]any{"min": 0, "max": 100})
		}
		return int64(float64(of)*value/100 + 0.5), nil
	case crm.DiscountAmount:
		if value < 0 || cents(value) > of {
			return 0, bad(at+"discount_value", "validation_discount_amount", fmt.Sprintf("A discount is between 0 and the price, %.2f.", money(of)),
				map[string]any{"max": money(of)})
		}
		return cents(value), nil
	}
	return 0, badField(at+"discount_kind", "validation_discount_kind", "Say whether the discount is a percent or an amount.")
}

// OrderLines are the lines of the order an accepted quote becomes: each at
// the price it was quoted, its discount being its own plus its share of
// the whole's (shared out in cents by what each line comes to, so the
// order's total is the quote's to the cent).
func (q QuotePrice) OrderLines() []PlacedLine {
	shares := make([]int64, len(q.Lines))
	whole, subtotal := cents(q.Discount), cents(q.Subtotal)
	left := whole
	for i, l := range q.Lines {
		if subtotal > 0 {
			shares[i] = whole * cents(l.Net) / subtotal
			left -= shares[i]
		}
	}
	for i := 0; left > 0 && i < len(q.Lines); i++ {
		room := cents(q.Lines[i].Net) - shares[i]
		give := min(room, left)
		shares[i] += give
		left -= give
	}
	out := make([]PlacedLine, 0, len(q.Lines))
	for i, l := range q.Lines {
		out = append(out, PlacedLine{Product: l.Code, ProductID: l.PricedLine.Product, Name: l.Name, Quantity: float64(l.Quantity),
			UnitPrice: l.UnitPrice, Choices: l.Choices, Options: l.Options, Discount: money(cents(l.Discount) + shares[i])})
	}
	return out
}

// quotePriceOf reads a saved quote's prices.
func quotePriceOf(r *core.Record) QuotePrice {
	q := QuotePrice{Lines: []QuoteLine{}, Subtotal: r.GetFloat(crm.QuoteSubtotal), DiscountKind: r.GetString(crm.QuoteDiscountKind),
		DiscountValue: r.GetFloat(crm.QuoteDiscountValue), Discount: r.GetFloat(crm.QuoteDiscount), Total: r.GetFloat(crm.QuoteTotal),
		Currency: r.GetString(crm.QuoteCurrency)}
	raw, _ := json.Marshal(r.Get(crm.QuoteLines))
	_ = json.Unmarshal(raw, &q.Lines)
	return q
}

// setQuotePrice keeps q's prices on r.
func setQuotePrice(r *core.Record, q QuotePrice) {
	r.Set(crm.QuoteLines, q.Lines)
	r.Set(crm.QuoteSubtotal, q.Subtotal)
	r.Set(crm.QuoteDiscountKind, q.DiscountKind)
	r.Set(crm.QuoteDiscountValue, q.DiscountValue)
	r.Set(crm.QuoteDiscount, q.Discount)
	r.Set(crm.QuoteTotal, q.Total)
	r.Set(crm.QuoteCurrency, q.Currency)
}

// requestsOf are the lines of a saved quote as staff shaped them.
func requestsOf(q QuotePrice) []QuoteLineRequest {
	out := make([]QuoteLineRequest, 0, len(q.Lines))
	for _, l := range q.Lines {
		out = append(out, QuoteLineRequest{Product: l.PricedLine.Product, Choices: l.Choices, Quantity: l.Quantity,
			DiscountKind: l.DiscountKind, DiscountValue: l.DiscountValue})
	}
	return out
}

// nextQuoteNumber is the next number of year, inside tx: Q-2026-0001. The
// unique index on number is the last word between two writers.
func nextQuoteNumber(tx core.App, year int) (string, error) {
	prefix := fmt.Sprintf("Q-%d-", year)
	var last struct {
		N int `db:"n"`
	}
	err := tx.DB().NewQuery("SELECT COALESCE(MAX(CAST(substr(number, {:skip}) AS INTEGER)), 0) AS n FROM " + crm.Quotes +
		" WHERE number LIKE {:like}").Bind(dbx.Params{"skip": len(prefix) + 1, "like": prefix + "%"}).One(&last)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%04d", prefix, last.N+1), nil
}

// Expired tells whether a quote valid until day (YYYY-MM-DD, in loc) can no
// longer be accepted at now: the day is over where the business is.
func Expired(day string, loc *time.Location, now time.Time) bool {
	if day == "" {
		return false
	}
	d, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return false
	}
	return !now.Before(d.AddDate(0, 0, 1))
}

// QuoteMoves are the moves of a quote's state, each taken by one route.
var QuoteMoves = map[string][]string{
	crm.QuoteDraft: {crm.QuoteSent, crm.QuoteWithdrawn},
	crm.QuoteSent:  {crm.QuoteAccepted, crm.QuoteDeclined, crm.QuoteExpired, crm.QuoteWithdrawn},
}

// canMove refuses a move the quote's state does not allow (400 naming state).
func canMove(r *core.Record, to string) error {
	from := r.GetString(crm.QuoteState)
	if slices.Contains(QuoteMoves[from], to) {
		return nil
	}
	return fieldError(crm.QuoteState, validation.NewError("validation_quote_state",
		fmt.Sprintf("A quote that is %s can't become %s.", from, to)).SetParams(map[string]any{"from": from, "to": to}))
}

// checkDay reads a validity day: YYYY-MM-DD, today or later where the
// business is (400 naming valid_until).
func checkDay(day string, loc *time.Location, now time.Time) (string, error) {
	day = strings.TrimSpace(day)
	if day == "" {
		return "", nil
	}
	if len(day) > 10 {
		day = day[:10] // a date sent with a time
	}
	if _, err := time.ParseInLocation(time.DateOnly, day, loc); err != nil || !dayPattern.MatchString(day) {
		return "", badField(crm.QuoteValidUntil, "validation_quote_day", "Give the last day the quote is valid (YYYY-MM-DD).")
	}
	if Expired(day, loc, now) {
		return "", badField(crm.QuoteValidUntil, "validation_quote_day_past", "The quote would already have expired: choose today or a later day.")
	}
	return day, nil
}

// expireQuotes marks sent quotes whose last day is over as expired (the
// hourly job; accepting checks the day again on its own).
func expireQuotes(app core.App, loc *time.Location, now time.Time) error {
	today := now.In(loc).Format(time.DateOnly)
	recs, err := app.FindRecordsByFilter(crm.Quotes, "state = {:s} && valid_until != '' && valid_until < {:d}", "", 500, 0,
		dbx.Params{"s": crm.QuoteSent, "d": today})
	if err != nil {
		return err
	}
	for _, r := range recs {
		r.Set(crm.QuoteState, crm.QuoteExpired)
		r.Set(crm.QuoteClosedAt, now.UTC())
		if err := app.Save(r); err != nil {
			return err
		}
	}
	return nil
}

// bindQuotes binds the quotes' routes, the hourly expiry, and keeps the
// link from an order to its quote the server's alone.
func bindQuotes(app core.App, cfg *crm.Config) {
	bindQuoteRoutes(app, cfg)
	bindQuotePortal(app, cfg)
	refuse := func(e *core.RecordRequestEvent) error {
		info, err := e.RequestInfo()
		if err != nil {
			return err
		}
		if _, set := info.Body[crm.OrderQuote]; set {
			return badField(crm.OrderQuote, "validation_server_owned", "An order comes from a quote when the customer accepts it: leave quote out.")
		}
		return e.Next()
	}
	app.OnRecordCreateRequest(crm.Orders).BindFunc(refuse)
	app.OnRecordUpdateRequest(crm.Orders).BindFunc(refuse)
	app.Cron().MustAdd("vinculo_quotes_expire", "7 * * * *", func() {
		if err := expireQuotes(app, cfg.BusinessNow().Location(), time.Now()); err != nil {
			app.Logger().Error("Failed to expire quotes", "error", err)
		}
	})
}
