package crm

// Services the customer runs (plugins/orders: subscriptions*.go,
// periods.go, proration.go): a subscription started from the catalogue,
// its billing periods, changes of plan, interval and payment method, and
// its cancellation with a reason. No new collection: these are fields of
// subscriptions, products and payments (pb_migrations/1764005100_services.go).

// Fields of subscriptions.
const (
	SubInterval       = "interval"            // month, quarter or year: how often it is billed (empty: the product's)
	SubNextInterval   = "next_interval"       // the interval from the next period on (asked by the customer)
	SubNextPrice      = "next_price"          // the price per period from the next period on, with next_interval
	SubMethod         = "payment_method"      // the payment method's key each period is paid with
	SubChoices        = "choices"             // JSON: the options the customer chose ({key: answer})
	SubPeriodStart    = "period_start"        // the first instant of the current period (renews_at is its end)
	SubCredit         = "credit"              // money owed to the customer, taken off the next period's invoice
	SubCancelAt       = "cancel_at"           // a cancellation asked for the end of the period: when it ends
	SubCancelReason   = "cancel_reason"       // one of CancelReasons
	SubCancelNote     = "cancel_note"         // the customer's own words on why
	SubCancelAskedAt  = "cancel_requested_at" // when the customer asked to cancel
	SubCancelNoteMax  = 1000
	ProductIntervalPx = "interval_prices" // products: JSON {interval: price} for the other intervals a plan is offered in
	PayPurpose        = "purpose"         // payments: PurposePeriod or PurposeChange (empty for an order)
	PayLines          = "lines"           // payments: the invoice's lines when they are not the plan's (a change, a credit)
)

// Why a payment of a subscription is made (payments.purpose).
const (
	PurposePeriod = "period" // a billing period
	PurposeChange = "change" // the prorated difference of an upgrade
)

// CancelReasons are the reasons a customer picks when cancelling; "other"
// asks for their words.
var CancelReasons = []string{"too_expensive", "not_using", "switching", "moving", "problems", "other"}

// Intervals are the billing intervals of plans, shortest first.
var Intervals = []string{"month", "quarter", "year"}
