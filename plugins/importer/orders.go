package importer

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Orders as history (issue 18): a business brings its past sales, one row
// per order: the customer (by the id they had elsewhere, email or phone),
// the day, the amount, the currency and, optionally, the product. Each
// order keeps the id it had in the system it came from, so importing the
// same file again adds nothing. A customer the database does not know is
// an error of that line: contacts are imported first (their own kind),
// never made up from an order.
//
// Imported orders are history: they are written straight to the table, as
// the other kinds are, so no order hook runs (no notice, no payment, no
// invoice, no timeline entry per order); they are delivered, marked as
// imported (orders.source) and dated when they were placed.

// KindOrders is the kind of an import of past orders.
const KindOrders = "orders"

// OrderFields are the order fields a file column can map to.
var OrderFields = []string{"order_id", "customer_id", "email", "phone", "date", "amount", "currency", "product"}

var orderSynonyms = map[string][]string{
	"order_id":    {"order id", "order", "order number", "order no", "external id", "id", "pedido", "id do pedido", "numero do pedido", "n do pedido", "transaction id", "transacao"},
	"customer_id": {"customer id", "client id", "customer external id", "customer", "id do cliente", "codigo do cliente", "cliente id", "cliente"},
	"email":       {"email", "e mail", "customer email", "email address", "e mail do cliente", "email do cliente"},
	"phone":       {"phone", "telephone", "phone number", "mobile", "telefone", "celular", "whatsapp", "customer phone", "telefone do cliente"},
	"date":        {"date", "order date", "placed at", "purchase date", "data", "data do pedido", "data da compra"},
	"amount":      {"amount", "total", "order total", "value", "revenue", "valor", "valor total", "total do pedido"},
	"currency":    {"currency", "moeda"},
	"product":     {"product", "sku", "product code", "item", "produto", "codigo do produto", "sku do produto"},
}

// orderColumns: the columns of an imported order, in the order order() adds them.
var orderColumns = []string{"id", "number", crm.FieldContact, "items", "total", "currency", "status", "placed_at",
	crm.OrderSource, crm.OrderExternalID, "created", "updated"}

// ordersUsable: an order names itself, its customer, its day and its amount.
func ordersUsable(has map[string]bool) error {
	var missing []string
	for _, f := range []string{"order_id", "date", "amount"} {
		if !has[f] {
			missing = append(missing, f)
		}
	}
	if !has["customer_id"] && !has["email"] && !has["phone"] {
		missing = append(missing, "customer_id, email or phone")
	}
	if len(missing) > 0 {
		return fmt.Errorf("no column holds the order's %s", strings.Join(missing, "; "))
	}
	return nil
}

// product is a catalogue product as an order line names it.
type product struct{ code, name string }

// prepareOrders fills the key table with the customers' keys (the id they
// had elsewhere and their own id, email, phones) and the orders already
// imported, and reads the catalogue's codes.
func (w *run) prepareOrders(app core.App) error {
	for _, field := range w.res.Mapping {
		if crm.IsCustomField(field) {
			return &ErrFile{fmt.Errorf("orders have no custom fields: %s", field)}
		}
	}
	w.records = newBulk(w.conn, crm.Orders, "INSERT", orderColumns...)
	phoneKey := func(p, _, _ string) string { return prefixed("p:", w.storedPhone(p)) }
	scans := []struct {
		query string
		key   func(a, b, c string) string
	}{
		{"SELECT rowid, id, email, '', '' FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(e, _, _ string) string { return prefixed("e:", strings.ToLower(e)) }},
		{"SELECT rowid, id, phone, '', '' FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT 5000", phoneKey},
		{"SELECT rowid, id, mobile, '', '' FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT 5000", phoneKey},
		{"SELECT rowid, id, IFNULL(external_id, ''), id, '' FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(ext, _, _ string) string { return prefixed("i:", ext) }},
		{"SELECT rowid, id, id, '', '' FROM contacts WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(id, _, _ string) string { return prefixed("i:", id) }},
		{"SELECT rowid, id, IFNULL(external_id, ''), '', '' FROM orders WHERE rowid > ? ORDER BY rowid LIMIT 5000", func(ext, _, _ string) string { return prefixed("x:", ext) }},
	}
	for _, scan := range scans {
		if err := w.scanKeys(scan.query, scan.key); err != nil {
			return err
		}
	}
	w.products = map[string]product{}
	rows, err := w.conn.QueryContext(w.ctx, "SELECT code, name FROM products")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p product
		if err := rows.Scan(&p.code, &p.name); err != nil {
			return err
		}
		w.products[strings.ToLower(p.code)] = p
		w.products[fold(p.name)] = p
	}
	return rows.Err()
}

// orderDateLayouts are the ways files write an order's day (and time).
var orderDateLayouts = []string{"2006-01-02", "02/01/2006", time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05",
	"2006-01-02 15:04", "02/01/2006 15:04", "02/01/2006 15:04:05", "2006/01/02"}

// orderDate reads a day (noon of it, in the business's time zone) or a
// time, never in the future.
func (w *run) orderDate(c *checker, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		c.failCode("date", "", "order_date_missing", nil, "an order needs its date")
		return ""
	}
	loc := w.opts.Location
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range orderDateLayouts {
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			continue
		}
		if len(layout) <= 10 {
			t = t.Add(12 * time.Hour)
		}
		if t.After(time.Now().Add(24 * time.Hour)) {
			c.failCode("date", s, "order_date_future", nil, "an order of the past cannot be dated in the future")
			return ""
		}
		return t.UTC().Format(types.DefaultDateLayout)
	}
	c.failCode("date", s, "not_date", nil, "not a date (like 2026-03-31 or 31/03/2026)")
	return ""
}

var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// orderAmount reads the order's total: 0 or more.
func orderAmount(c *checker, s string) float64 {
	s = strings.TrimSpace(s)
	v, err := parseNumber(s)
	if s == "" || err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		c.failCode("amount", s, "not_number", nil, "not a number (like 1234.50 or 1.234,50)")
		return 0
	}
	if v < 0 || v > 1e12 {
		c.failCode("amount", s, "amount_range", nil, "an amount must be between 0 and 1,000,000,000,000")
	}
	return math.Round(v*100) / 100
}

// order checks a row of orders and writes it; an order whose id was
// imported before (or earlier in the file) is a duplicate, skipped.
func (w *run) order(row Row) error {
	v := row.Values
	c := &checker{line: row.Line}
	ext := c.text("order_id", v["order_id"], 100)
	if ext == "" {
		c.failCode("order_id", "", "order_id_missing", nil, "an order needs its id (the order's number in the system it came from)")
	}
	customerID := c.text("customer_id", v["customer_id"], 100)
	email := c.email(v["email"])
	phone := c.phone("phone", v["phone"], w.opts.Country)
	if customerID == "" && email == "" && phone == "" && strings.TrimSpace(v["email"]+v["phone"]) == "" {
		c.failCode("customer", "", "order_customer_missing", nil, "name the customer by id, email or phone")
	}
	placed := w.orderDate(c, v["date"])
	amount := orderAmount(c, v["amount"])
	currency := strings.ToUpper(strings.TrimSpace(v["currency"]))
	if currency == "" {
		currency = w.opts.Currency
	}
	if !currencyPattern.MatchString(currency) {
		c.failCode("currency", v["currency"], "currency_invalid", nil, "not a currency code (like BRL or USD)")
	}
	line := map[string]any{"name": ext, "quantity": 1, "unit_price": amount}
	if p := c.text("product", v["product"], 200); p != "" {
		line["name"] = p
		if known, ok := w.products[strings.ToLower(p)]; ok {
			line["product"], line["name"] = known.code, known.name
		} else if known, ok := w.products[fold(p)]; ok {
			line["product"], line["name"] = known.code, known.name
		}
	}
	if len(c.problems) > 0 {
		w.problem(c.problems)
		return nil
	}
	who, found, err := w.find(prefixed("i:", customerID), prefixed("e:", email), prefixed("p:", phone))
	if err != nil {
		return err
	}
	if !found {
		value := strings.Join(nonEmpty(customerID, email, phone), " / ")
		p := coded(row.Line, "order_customer_unknown", nil, "no contact has this id, email or phone: import the contacts first")
		p.Field, p.Value = "customer", value
		w.problem([]Problem{p})
		return nil
	}
	key := "x:" + ext
	if h, dup, err := w.find(key); err != nil || dup {
		if err == nil {
			w.orderDuplicate(row.Line, h)
		}
		return err
	}
	items, _ := json.Marshal([]map[string]any{line})
	id := core.GenerateDefaultRandomId()
	number := "IMP-" + strings.ToUpper(strconv.FormatUint(uint64(keyHash(key)), 36))
	if err := w.records.add(id, number, who.id, string(items), amount, currency, "delivered", placed,
		crm.OrderFromImport, ext, w.now, w.now); err != nil {
		return err
	}
	w.res.Created++
	return w.remember(id, row.Line, key)
}

// orderDuplicate records an order whose id was taken: skipped, whatever the
// duplicate policy (an order is history: it is not rewritten).
func (w *run) orderDuplicate(line int, h hit) {
	w.res.Duplicate++
	w.res.Skipped++
	if len(w.res.Duplicates) >= MaxReportedProblems {
		return
	}
	of := "an order imported before (" + h.id + ")"
	if h.line > 0 {
		of = fmt.Sprintf("line %d", h.line)
	}
	w.res.Duplicates = append(w.res.Duplicates, Problem{Line: line, Field: "order_id", Reason: "same order id as " + of})
}

func nonEmpty(values ...string) []string {
	var out []string
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
