package orders

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// An invoice as a document: a page of HTML the customer views, prints or
// keeps, and a PDF, both in the reader's language (en or pt-BR). The PDF
// is made with fpdf (codeberg.org/go-pdf/fpdf), whose core fonts write the
// Latin-1 letters Portuguese needs.

// invoiceWords are the words of an invoice, by language.
var invoiceWords = map[string]map[string]string{
	"en": {
		"title": "Invoice", "issued": "Issued", "paid": "Paid", "due": "To pay", "from": "From", "to": "Billed to",
		"item": "Item", "qty": "Qty", "unit": "Unit price", "amount": "Amount", "total": "Total",
		"period": "Period from", "order": "Order", "method": "Paid by", LineCredit: "Credit",
	},
	"pt-BR": {
		"title": "Fatura", "issued": "Emitida em", "paid": "Paga em", "due": "A pagar", "from": "De", "to": "Para",
		"item": "Item", "qty": "Qtd.", "unit": "Preço unitário", "amount": "Valor", "total": "Total",
		"period": "Período a partir de", "order": "Pedido", "method": "Forma de pagamento", LineCredit: "Crédito",
	},
}

// InvoiceDoc is an invoice ready to be written out.
type InvoiceDoc struct {
	Lang, Number, Issued, Paid, Order, Period, Total, Currency string
	Seller, Buyer                                              Party
	Lines                                                      []DocLine
	Words                                                      map[string]string
}

// DocLine is an invoice line with its money written out.
type DocLine struct{ Name, Qty, Unit, Amount string }

// LoadInvoiceDoc reads inv (and its order's number) for a reader of lang,
// dates in the business's time zone.
func LoadInvoiceDoc(app core.App, cfg *crm.Config, inv *core.Record, lang string) InvoiceDoc {
	if _, ok := invoiceWords[lang]; !ok {
		lang = cfg.BusinessNow().Language
		if _, ok := invoiceWords[lang]; !ok {
			lang = "en"
		}
	}
	loc, err := time.LoadLocation(cfg.BusinessNow().Timezone)
	if err != nil {
		loc = time.UTC
	}
	day := func(field string) string {
		t := inv.GetDateTime(field)
		if t.IsZero() {
			return ""
		}
		if lang == "pt-BR" {
			return t.Time().In(loc).Format("02/01/2006")
		}
		return t.Time().In(loc).Format("2 Jan 2006")
	}
	cur := inv.GetString(crm.InvCurrency)
	d := InvoiceDoc{Lang: lang, Number: inv.GetString(crm.InvNumber), Issued: day(crm.InvIssuedAt), Paid: day(crm.InvPaidAt),
		Period: inv.GetString(crm.InvPeriod), Total: Money(inv.GetFloat(crm.InvTotal), cur, lang), Currency: cur,
		Words: invoiceWords[lang]}
	_ = inv.UnmarshalJSONField(crm.InvSeller, &d.Seller)
	_ = inv.UnmarshalJSONField(crm.InvBuyer, &d.Buyer)
	var lines []InvoiceLine
	_ = inv.UnmarshalJSONField(crm.InvLines, &lines)
	for _, l := range lines {
		if l.Kind == LineCredit {
			l.Name = d.Words[LineCredit] // the reader's word, not the one stored
		}
		d.Lines = append(d.Lines, DocLine{Name: l.Name, Qty: strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", l.Quantity), "0"), "."),
			Unit: Money(l.UnitPrice, cur, lang), Amount: Money(l.Amount, cur, lang)})
	}
	if id := inv.GetString(crm.InvOrder); id != "" {
		if o, err := app.FindRecordById(crm.Orders, id); err == nil {
			d.Order = o.GetString("number")
		}
	}
	return d
}

// Money writes an amount with its currency: "BRL 1,234.50" in English,
// "BRL 1.234,50" in Portuguese.
func Money(v float64, currency, lang string) string {
	neg := v < 0
	cents := int64(math.Round(math.Abs(v) * 100))
	whole, frac := cents/100, cents%100
	digits := fmt.Sprint(whole)
	var b strings.Builder
	thou, dec := ",", "."
	if lang == "pt-BR" {
		thou, dec = ".", ","
	}
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(thou)
		}
		b.WriteRune(r)
	}
	s := fmt.Sprintf("%s %s%s%02d", currency, b.String(), dec, frac)
	if neg {
		s = "-" + s
	}
	return s
}

var invoiceHTML = template.Must(template.New("invoice").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Words.title}} {{.Number}}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:0;padding:1.5rem;background:#f6f8fa}
main{max-width:760px;margin:0 auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.5rem}
h1{margin:0 0 .25rem;font-size:1.5rem}.muted{color:#57606a}.parties{display:flex;gap:1.5rem;flex-wrap:wrap;margin:1.25rem 0}
.parties section{flex:1 1 14rem}.parties h2{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:#57606a;margin:0 0 .25rem}
p{margin:.1rem 0;white-space:pre-line;overflow-wrap:anywhere}table{width:100%;border-collapse:collapse;margin-top:1rem}
th,td{text-align:left;padding:.45rem .3rem;border-bottom:1px solid #d0d7de;vertical-align:top}td:first-child{overflow-wrap:anywhere}
.num{text-align:right;white-space:nowrap}tfoot th,tfoot td{border:0;font-size:1.1rem}
@media (max-width:520px){body{padding:.5rem}main{padding:1rem}.unit{display:none}}
@media print{body{background:#fff;padding:0}main{border:0}}
</style></head><body><main>
<h1>{{.Words.title}} {{.Number}}</h1>
<p class="muted">{{.Words.issued}} {{.Issued}}{{if .Order}} · {{.Words.order}} {{.Order}}{{end}}{{if .Period}} · {{.Words.period}} {{.Period}}{{end}}</p>
<p class="muted">{{if .Paid}}{{.Words.paid}} {{.Paid}}{{else}}{{.Words.due}}{{end}}</p>
<div class="parties">
<section><h2>{{.Words.from}}</h2><p><strong>{{.Seller.Name}}</strong></p>{{if .Seller.Details}}<p>{{.Seller.Details}}</p>{{end}}{{if .Seller.Country}}<p>{{.Seller.Country}}</p>{{end}}</section>
<section><h2>{{.Words.to}}</h2><p><strong>{{.Buyer.Name}}</strong></p>{{if .Buyer.Company}}<p>{{.Buyer.Company}}</p>{{end}}{{if .Buyer.Address}}<p>{{.Buyer.Address}}</p>{{end}}{{if .Buyer.Email}}<p>{{.Buyer.Email}}</p>{{end}}</section>
</div>
<table><thead><tr><th scope="col">{{.Words.item}}</th><th scope="col" class="num">{{.Words.qty}}</th><th scope="col" class="num unit">{{.Words.unit}}</th><th scope="col" class="num">{{.Words.amount}}</th></tr></thead>
<tbody>{{range .Lines}}<tr><td>{{.Name}}</td><td class="num">{{.Qty}}</td><td class="num unit">{{.Unit}}</td><td class="num">{{.Amount}}</td></tr>{{end}}</tbody>
<tfoot><tr><th scope="row" colspan="2">{{.Words.total}}</th><td class="unit"></td><td class="num"><strong>{{.Total}}</strong></td></tr></tfoot></table>
</main></body></html>`))

// HTML writes the invoice as a page of its own.
func (d InvoiceDoc) HTML() ([]byte, error) {
	var buf bytes.Buffer
	err := invoiceHTML.Execute(&buf, d)
	return buf.Bytes(), err
}

// PDF writes the invoice as an A4 PDF. Its title (the document's metadata)
// is the invoice's number.
func (d InvoiceDoc) PDF() ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCompression(false)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252: the letters of English and Portuguese
	pdf.SetTitle(d.Words["title"]+" "+d.Number, true)
	pdf.SetAuthor(d.Seller.Name, true)
	pdf.SetCreator("Vinculo", false)
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 18)
	pdf.CellFormat(0, 10, tr(d.Words["title"]+" "+d.Number), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	meta := d.Words["issued"] + " " + d.Issued
	if d.Order != "" {
		meta += " - " + d.Words["order"] + " " + d.Order
	}
	if d.Period != "" {
		meta += " - " + d.Words["period"] + " " + d.Period
	}
	paid := d.Words["due"]
	if d.Paid != "" {
		paid = d.Words["paid"] + " " + d.Paid
	}
	pdf.MultiCell(0, 5, tr(meta+"\n"+paid), "", "L", false)
	pdf.Ln(4)
	party := func(x float64, head string, lines ...string) float64 {
		pdf.SetXY(x, pdf.GetY())
		pdf.SetFont("Helvetica", "B", 9)
		pdf.CellFormat(85, 5, tr(strings.ToUpper(head)), "", 2, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		for _, l := range nonEmpty(lines...) {
			pdf.SetX(x)
			pdf.MultiCell(85, 5, tr(l), "", "L", false)
		}
		return pdf.GetY()
	}
	top := pdf.GetY()
	left := party(10, d.Words["from"], d.Seller.Name, d.Seller.Details, d.Seller.Country)
	pdf.SetY(top)
	right := party(110, d.Words["to"], d.Buyer.Name, d.Buyer.Company, d.Buyer.Address, d.Buyer.Email)
	pdf.SetY(max(left, right) + 6)
	d.pdfLines(pdf, tr)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pdfLines writes the table of lines and the total.
func (d InvoiceDoc) pdfLines(pdf *fpdf.Fpdf, tr func(string) string) {
	widths := []float64{95, 20, 37, 38}
	pdf.SetFont("Helvetica", "B", 10)
	for i, h := range []string{d.Words["item"], d.Words["qty"], d.Words["unit"], d.Words["amount"]} {
		align := "R"
		if i == 0 {
			align = "L"
		}
		pdf.CellFormat(widths[i], 7, tr(h), "B", 0, align, false, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 10)
	for _, l := range d.Lines {
		pdf.CellFormat(widths[0], 7, tr(crm.Clip(l.Name, 60)), "B", 0, "L", false, 0, "")
		pdf.CellFormat(widths[1], 7, l.Qty, "B", 0, "R", false, 0, "")
		pdf.CellFormat(widths[2], 7, tr(l.Unit), "B", 0, "R", false, 0, "")
		pdf.CellFormat(widths[3], 7, tr(l.Amount), "B", 1, "R", false, 0, "")
	}
	pdf.SetFont("Helvetica", "B", 12)
	pdf.CellFormat(widths[0]+widths[1]+widths[2], 9, tr(d.Words["total"]), "", 0, "R", false, 0, "")
	pdf.CellFormat(widths[3], 9, tr(d.Total), "", 1, "R", false, 0, "")
}
