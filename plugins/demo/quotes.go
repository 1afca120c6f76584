package demo

import (
	"fmt"
	"time"

	"vinculo/crm"
	"vinculo/plugins/orders"
)

// quotes: what the team offered the portal's customers — a quote João has
// yet to answer (the router and the installation, 10% off the whole), a
// draft Rafael is still shaping, and one a customer declined with a
// reason. Priced by the quotes' own price function, as the editor prices.
func (g *generator) quotes(base int) error {
	if base < 2 {
		return nil
	}
	year := g.opts.Now.Year()
	day := func(days int) string { return g.opts.Now.AddDate(0, 0, days).Format(time.DateOnly) }
	list := []struct {
		contact int
		state   string
		lines   []orders.QuoteLineRequest
		kind    string
		value   float64
		valid   string
		fields  map[string]any
	}{
		{1, crm.QuoteSent, []orders.QuoteLineRequest{{Product: id("pr", 4), Quantity: 2}, {Product: id("pr", 3), Quantity: 1, DiscountKind: crm.DiscountAmount, DiscountValue: 50}},
			crm.DiscountPercent, 10, day(14), map[string]any{crm.QuoteNote: "Conforme conversamos: dois roteadores para a loja e a instalação com desconto.", crm.QuoteSentAt: dt(g.opts.Now.AddDate(0, 0, -2))}},
		{2, crm.QuoteDraft, []orders.QuoteLineRequest{{Product: id("pr", 2), Quantity: 1}}, "", 0, day(30), nil},
		{2, crm.QuoteDeclined, []orders.QuoteLineRequest{{Product: id("pr", 5), Quantity: 1, DiscountKind: crm.DiscountPercent, DiscountValue: 5}}, "", 0, day(-10),
			map[string]any{crm.QuoteSentAt: dt(g.opts.Now.AddDate(0, 0, -25)), crm.QuoteDeclinedAt: dt(g.opts.Now.AddDate(0, 0, -20)),
				crm.QuoteDeclineReason: "Por enquanto a velocidade atual nos atende."}},
	}
	for i, q := range list {
		priced, err := orders.PriceQuote(g.app, q.lines, q.kind, q.value, "pt-BR")
		if err != nil {
			return fmt.Errorf("demo quote %d: %w", i+1, err)
		}
		fields := map[string]any{
			crm.QuoteNumber: fmt.Sprintf("Q-%d-%04d", year, i+1), crm.QuoteContact: contactID(q.contact), crm.QuoteState: q.state,
			crm.QuoteLines: priced.Lines, crm.QuoteSubtotal: priced.Subtotal, crm.QuoteDiscountKind: priced.DiscountKind,
			crm.QuoteDiscountValue: priced.DiscountValue, crm.QuoteDiscount: priced.Discount, crm.QuoteTotal: priced.Total,
			crm.QuoteCurrency: priced.Currency, crm.QuoteValidUntil: q.valid, crm.QuoteLanguage: "pt-BR", crm.QuoteOwner: staffIDs[1],
		}
		for k, v := range q.fields {
			fields[k] = v
		}
		if _, err := g.save(crm.Quotes, id("qu", i+1), fields); err != nil {
			return err
		}
	}
	return nil
}
