package crm

// Paying for orders and subscription periods, and their invoices
// (plugins/orders: payments.go, invoices.go).
const (
	// Payments holds one row per attempt to pay an order (or a subscription
	// period): the method the customer chose, the amount, its state and the
	// provider's reference and notifications. Written by the server alone;
	// the customer reads their own, staff read all.
	Payments = "payments"
	// Invoices holds one row per paid order or subscription period, numbered
	// without gaps per year (INV-2026-00001). Written by the server alone,
	// inside the payment's transaction; read like payments.
	Invoices = "invoices"
	// PaymentSettings holds one row per payment method the business offers
	// (key, on or off, the instructions customers read, a provider's
	// address and secret), and the row KeyIssuer with the business's details
	// printed on invoices. Managers write, staff read; customers see the
	// methods that are on through the portal's route only.
	PaymentSettings = "payment_settings"
)

// Fields of payments.
const (
	PayOrder         = "order"        // relation orders
	PaySubscription  = "subscription" // relation subscriptions
	PayPeriod        = "period"       // the subscription period paid: its first day, YYYY-MM-DD
	PayContact       = "contact"      // relation contacts: whose payment (read rule)
	PayCompany       = "company"      // relation companies: the order's company (read rule)
	PayMethod        = "method"       // a payment method's key
	PayAmount        = "amount"
	PayCurrency      = "currency"
	PayState         = "state" // PaymentPending, PaymentPaid, PaymentFailed
	PayReference     = "reference"
	PayRedirect      = "redirect_url"   // the provider's page where the customer pays
	PayInstructions  = "instructions"   // what the customer does to pay (a transfer's details)
	PayFailure       = "failure_reason" // the provider's reason, as it gave it
	PayNotifications = "notifications"  // JSON list of the provider's notification ids seen
	PayPaidAt        = "paid_at"
	PayFailedAt      = "failed_at"
	PayConfirmedBy   = "confirmed_by" // relation staff: who recorded the money received
	PayInvoice       = "invoice"      // relation invoices: the invoice it paid for
)

// States of a payment.
const (
	PaymentPending = "pending"
	PaymentPaid    = "paid"
	PaymentFailed  = "failed"
)

// Fields of invoices.
const (
	InvNumber       = "number" // INV-2026-00001
	InvYear         = "year"
	InvSeq          = "seq" // the number within the year: 1, 2, 3... without gaps
	InvOrder        = "order"
	InvSubscription = "subscription"
	InvPeriod       = "period"
	InvPayment      = "payment"
	InvContact      = "contact"
	InvCompany      = "company"
	InvLines        = "lines" // [{name, quantity, unit_price, amount}]
	InvTotal        = "total"
	InvCurrency     = "currency"
	InvIssuedAt     = "issued_at"
	InvPaidAt       = "paid_at"
	InvSeller       = "seller" // the business's details at the time: {name, country, details}
	InvBuyer        = "buyer"  // the customer's at the time: {name, email, company, address}
)

// Fields of payment_settings.
const (
	PsKey         = "key" // a method's key, or KeyIssuer
	PsActive      = "active"
	PsDetails     = "details"      // instructions for customers; the issuer's details on invoices
	PsProviderURL = "provider_url" // a hosted checkout's address
	PsSecret      = "secret"       // a provider's signing secret: hidden, never read back
	PsKeyIssuer   = "issuer"
	InvoicePrefix = "INV-"
)

// Keys of the payment methods Vinculo ships.
const (
	MethodBankTransfer = "bank_transfer"
	MethodPix          = "pix"
	MethodBoleto       = "boleto"
	MethodOnDelivery   = "on_delivery"
	MethodOnInvoice    = "on_invoice"
	MethodCheckout     = "checkout" // the hosted checkout of hooks/70_checkout.pb.js
)

func init() { AllCollections = append(AllCollections, Payments, Invoices, PaymentSettings) }
