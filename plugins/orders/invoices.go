package orders

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Invoices. Every paid order and subscription period has one, issued in the
// transaction that pays it, numbered per year without gaps: the number is
// the highest of the year plus one, taken inside that transaction (SQLite
// lets one write transaction run at a time, so two payments never take the
// same number, and a payment that rolls back takes none); a unique index on
// (year, seq) is the last word. It keeps the business's and the customer's
// details as they were when it was issued.

// InvoiceLine is one line of an invoice.
type InvoiceLine struct {
	Name      string  `json:"name"`
	Product   string  `json:"product,omitempty"`
	Quantity  float64 `json:"quantity"`
	UnitPrice float64 `json:"unit_price"`
	Amount    float64 `json:"amount"`
	Kind      string  `json:"kind,omitempty"` // LineCredit, or empty for what was bought
}

// LineCredit is the kind of an invoice line that takes the customer's
// credit off (a downgrade's difference); readers word it in their language.
const LineCredit = "credit"

// Party is a seller's or a buyer's details on an invoice.
type Party struct {
	Name    string `json:"name"`
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Company string `json:"company,omitempty"`
	Address string `json:"address,omitempty"`
	Country string `json:"country,omitempty"`
	Details string `json:"details,omitempty"` // the issuer's lines: legal name, tax id, address
}

// invoiceOfPayment is the invoice already issued for pay (nil when none).
func invoiceOfPayment(tx core.App, pay *core.Record) (*core.Record, error) {
	if id := pay.GetString(crm.PayInvoice); id != "" {
		return tx.FindRecordById(crm.Invoices, id)
	}
	r, err := tx.FindFirstRecordByData(crm.Invoices, crm.InvPayment, pay.Id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

// NextInvoiceNumber is the next number of year, inside tx: INV-2026-00001.
func NextInvoiceNumber(tx core.App, year int) (string, int, error) {
	var last struct {
		N int `db:"n"`
	}
	err := tx.DB().Select("COALESCE(MAX(seq), 0) AS n").From(crm.Invoices).
		Where(dbx.HashExp{crm.InvYear: year}).One(&last)
	if err != nil {
		return "", 0, err
	}
	seq := last.N + 1
	return fmt.Sprintf("%s%d-%05d", crm.InvoicePrefix, year, seq), seq, nil
}

// issueInvoice issues the invoice of pay in tx, dated now in the business's
// time zone, and links the payment to it.
func issueInvoice(tx core.App, cfg *crm.Config, pay *core.Record, now time.Time) (*core.Record, error) {
	b := cfg.BusinessNow()
	loc, err := time.LoadLocation(b.Timezone)
	if err != nil || b.Timezone == "" {
		loc = time.UTC
	}
	year := now.In(loc).Year()
	number, seq, err := NextInvoiceNumber(tx, year)
	if err != nil {
		return nil, err
	}
	lines, err := invoiceLines(tx, pay)
	if err != nil {
		return nil, err
	}
	seller, buyer, err := parties(tx, cfg, pay)
	if err != nil {
		return nil, err
	}
	coll, err := tx.FindCachedCollectionByNameOrId(crm.Invoices)
	if err != nil {
		return nil, err
	}
	inv := core.NewRecord(coll)
	inv.Load(map[string]any{
		crm.InvNumber: number, crm.InvYear: year, crm.InvSeq: seq,
		crm.InvOrder: pay.GetString(crm.PayOrder), crm.InvSubscription: pay.GetString(crm.PaySubscription),
		crm.InvPeriod: pay.GetString(crm.PayPeriod), crm.InvPayment: pay.Id,
		crm.InvContact: pay.GetString(crm.PayContact), crm.InvCompany: pay.GetString(crm.PayCompany),
		crm.InvLines: lines, crm.InvTotal: pay.GetFloat(crm.PayAmount), crm.InvCurrency: pay.GetString(crm.PayCurrency),
		crm.InvIssuedAt: now.UTC(), crm.InvSeller: seller, crm.InvBuyer: buyer,
	})
	if crm.IsQuiet(pay) {
		crm.Quietly(inv)
	}
	if err := tx.Save(inv); err != nil {
		return nil, err
	}
	pay.Set(crm.PayInvoice, inv.Id)
	return inv, tx.Save(pay)
}

// invoiceLines are the order's lines, or the subscription's plan for the
// period paid.
func invoiceLines(tx core.App, pay *core.Record) ([]InvoiceLine, error) {
	if id := pay.GetString(crm.PayOrder); id != "" {
		order, err := tx.FindRecordById(crm.Orders, id)
		if err != nil {
			return nil, err
		}
		var lines []Line
		raw, _ := json.Marshal(order.Get("items"))
		if err := json.Unmarshal(raw, &lines); err != nil {
			return nil, err
		}
		out := make([]InvoiceLine, 0, len(lines))
		for _, l := range lines {
			qty, price := 1.0, 0.0
			if l.Quantity != nil {
				qty = *l.Quantity
			}
			if l.UnitPrice != nil {
				price = *l.UnitPrice
			}
			name := l.Name
			if name == "" {
				name = l.Product
			}
			out = append(out, InvoiceLine{Name: name, Product: l.Product, Quantity: qty, UnitPrice: price,
				Amount: math.Round((qty*price-l.Discount)*100) / 100})
		}
		return out, nil
	}
	if lines, ok := payLines(pay); ok { // a change of plan, a period with a credit
		return lines, nil
	}
	sub, err := tx.FindRecordById(crm.Subscriptions, pay.GetString(crm.PaySubscription))
	if err != nil {
		return nil, err
	}
	qty := max(sub.GetFloat("quantity"), 1)
	name := sub.GetString("plan")
	if name == "" {
		name = "Subscription"
	}
	amount := pay.GetFloat(crm.PayAmount)
	return []InvoiceLine{{Name: name, Quantity: qty, UnitPrice: math.Round(amount/qty*100) / 100, Amount: amount}}, nil
}

// parties are the business's and the customer's details now.
func parties(tx core.App, cfg *crm.Config, pay *core.Record) (Party, Party, error) {
	b := cfg.BusinessNow()
	seller := Party{Name: b.Name, Country: b.Country}
	if issuer, err := methodSettings(tx, crm.PsKeyIssuer); err != nil {
		return seller, Party{}, err
	} else if issuer != nil {
		seller.Details = issuer.GetString(crm.PsDetails)
	}
	contact, err := tx.FindRecordById(crm.Contacts, pay.GetString(crm.PayContact))
	if err != nil {
		return seller, Party{}, err
	}
	buyer := Party{Name: contact.GetString("name"), Email: contact.GetString(crm.FieldEmail),
		Phone: firstOf(contact.GetString("phone"), contact.GetString("mobile")), Address: contact.GetString("address")}
	if id := pay.GetString(crm.PayCompany); id != "" {
		if co, err := tx.FindRecordById(crm.Companies, id); err == nil {
			buyer.Company = co.GetString("name")
			addr := strings.TrimSpace(strings.Join(nonEmpty(co.GetString("address"), co.GetString("city")), ", "))
			if addr != "" {
				buyer.Address = addr
			}
			buyer.Country = co.GetString("country")
		}
	}
	return seller, buyer, nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func nonEmpty(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
