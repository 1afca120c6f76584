package predictions

import (
	"encoding/json"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/orders"
	"vinculo/plugins/predictions/model"
)

// Bought are the order statuses that count as a purchase: paid, or gone
// to the customer (paid on delivery or on invoice). Placed, confirmed and
// cancelled orders are not purchases.
var Bought = []string{orders.OrderPaid, orders.OrderShipped, orders.OrderDelivered}

// Sales is what the model reads: the purchases, and what was left aside.
type Sales struct {
	Purchases   []model.Purchase
	Orders      int // orders read
	Payments    int // subscription payments read
	Unconverted int // in a currency without a rate: counted as occasions, not as spend
	Withheld    int // contacts who bought but may not be profiled: left out
}

// ReadSales reads the paid orders and paid subscription payments up to and
// including the day until (zero: all), as purchases on their day in the
// business's time zone, in the business's currency, of the contacts
// allowed (nil: all); Withheld counts the others who bought.
func ReadSales(app core.App, b crm.Business, until time.Time, allowed func(contact string) bool) (Sales, error) {
	var out Sales
	withheld := map[string]bool{}
	loc := b.Location()
	last := ""
	if !until.IsZero() {
		y, m, d := until.Date()
		last = time.Date(y, m, d, 0, 0, 0, 0, loc).AddDate(0, 0, 1).UTC().Format(types.DefaultDateLayout)
	}
	convert := func(amount float64, currency string) float64 {
		if currency == "" || currency == b.Currency {
			return amount
		}
		if rate, ok := b.Rates[currency]; ok {
			return amount * rate
		}
		out.Unconverted++
		return 0
	}
	add := func(contact, at string, amount float64, currency string, products []string) {
		if allowed != nil && !allowed(contact) {
			withheld[contact] = true
			return
		}
		t, err := types.ParseDateTime(at)
		if err != nil || t.IsZero() {
			return
		}
		out.Purchases = append(out.Purchases, model.Purchase{Customer: contact, Day: model.Day(t.Time(), loc),
			Amount: convert(amount, currency), Products: products})
	}

	var rows []struct {
		Contact  string  `db:"contact"`
		At       string  `db:"placed_at"`
		Total    float64 `db:"total"`
		Currency string  `db:"currency"`
		Items    string  `db:"items"`
	}
	statuses := make([]any, len(Bought))
	for i, s := range Bought {
		statuses[i] = s
	}
	q := app.DB().Select("contact", "placed_at", "total", "currency", "items").From(crm.Orders).
		Where(dbx.In("status", statuses...)).AndWhere(dbx.NewExp("contact != ''"))
	if last != "" {
		q.AndWhere(dbx.NewExp("placed_at < {:last}", dbx.Params{"last": last}))
	}
	if err := q.All(&rows); err != nil {
		return out, err
	}
	for _, r := range rows {
		out.Orders++
		add(r.Contact, r.At, r.Total, r.Currency, lineProducts(r.Items))
	}

	var pays []struct {
		Contact  string  `db:"contact"`
		At       string  `db:"paid_at"`
		Amount   float64 `db:"amount"`
		Currency string  `db:"currency"`
		Product  string  `db:"code"`
	}
	pq := app.DB().Select("p.contact", "p.paid_at", "p.amount", "p.currency", "COALESCE(pr.code, '') AS code").
		From(crm.Payments+" p").
		LeftJoin(crm.Subscriptions+" s", dbx.NewExp("s.id = p."+crm.PaySubscription)).
		LeftJoin(crm.Products+" pr", dbx.NewExp("pr.id = s.product")).
		Where(dbx.HashExp{"p." + crm.PayState: crm.PaymentPaid}).
		AndWhere(dbx.NewExp("p." + crm.PaySubscription + " != '' AND p.contact != ''"))
	if last != "" {
		pq.AndWhere(dbx.NewExp("p.paid_at < {:last}", dbx.Params{"last": last}))
	}
	if err := pq.All(&pays); err != nil {
		return out, err
	}
	for _, p := range pays {
		out.Payments++
		var products []string
		if p.Product != "" {
			products = []string{p.Product}
		}
		add(p.Contact, p.At, p.Amount, p.Currency, products)
	}
	out.Withheld = len(withheld)
	return out, nil
}

// lineProducts are the products of an order's lines: the product's code,
// or the line's name where it names none.
func lineProducts(items string) []string {
	var lines []orders.Line
	if json.Unmarshal([]byte(items), &lines) != nil {
		return nil
	}
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if l.Product != "" {
			out = append(out, l.Product)
		} else if l.Name != "" {
			out = append(out, l.Name)
		}
	}
	return out
}
