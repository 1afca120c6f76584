package portal

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// bindPersonalMessages tells the customer of their orders, payments and
// invoices through the outbox, in the transaction of the change, with the
// kind the customer chooses about (crm.KindOrders, crm.KindInvoices): a new
// status of an order, a payment that failed, an invoice issued. The outbox
// decides whether and where each goes.
func bindPersonalMessages(app core.App) {
	app.OnRecordUpdate(crm.Orders).BindFunc(func(e *core.RecordEvent) error {
		before := e.Record.Original().GetString("status")
		if err := e.Next(); err != nil {
			return err
		}
		status := e.Record.GetString("status")
		if status == before || status == "" || crm.IsQuiet(e.Record) {
			return nil
		}
		return tell(e.App, e.Record.GetString(crm.FieldContact), crm.KindOrders, crm.TemplateOrderStatus, map[string]any{
			"number": e.Record.GetString("number"), "status": status,
			"status_label": orderStatusWords["en"][status], "status_label_pt": orderStatusWords["pt-BR"][status],
		})
	})
	app.OnRecordUpdate(crm.Payments).BindFunc(func(e *core.RecordEvent) error {
		before := e.Record.Original().GetString(crm.PayState)
		if err := e.Next(); err != nil {
			return err
		}
		if e.Record.GetString(crm.PayState) != crm.PaymentFailed || before == crm.PaymentFailed || crm.IsQuiet(e.Record) {
			return nil
		}
		number := ""
		if o, err := e.App.FindRecordById(crm.Orders, e.Record.GetString(crm.PayOrder)); err == nil {
			number = o.GetString("number")
		}
		return tell(e.App, e.Record.GetString(crm.PayContact), crm.KindOrders, crm.TemplatePaymentFailed,
			map[string]any{"number": number, "reason": e.Record.GetString(crm.PayFailure)})
	})
	app.OnRecordCreate(crm.Invoices).BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil || crm.IsQuiet(e.Record) {
			return err
		}
		return tell(e.App, e.Record.GetString(crm.InvContact), crm.KindInvoices, crm.TemplateInvoiceIssued, map[string]any{
			"number": e.Record.GetString(crm.InvNumber), "total": fmt.Sprintf("%.2f", e.Record.GetFloat(crm.InvTotal)),
			"currency": e.Record.GetString(crm.InvCurrency), "invoice": e.Record.Id,
		})
	})
}

// tell queues a service message of kind to contact, in tx.
func tell(tx core.App, contact, kind, template string, data map[string]any) error {
	if contact == "" {
		return nil
	}
	_, err := outbox.Queue(tx, outbox.Queued{Contact: contact, Purpose: crm.PurposeService, Kind: kind, Template: template, Data: data})
	return err
}

// orderStatusWords: an order's status in the customer's words, for the mail.
var orderStatusWords = map[string]map[string]string{
	"en": {"placed": "placed", "confirmed": "confirmed", "paid": "paid", "shipped": "on its way", "delivered": "delivered", "cancelled": "cancelled"},
	"pt-BR": {"placed": "recebido", "confirmed": "confirmado", "paid": "pago", "shipped": "a caminho", "delivered": "entregue",
		"cancelled": "cancelado"},
}
