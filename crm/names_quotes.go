package crm

// Quotes staff build for a customer, who accepts or declines them in the
// portal (plugins/orders: quotes.go, quotes_routes.go, quotes_accept.go).
const (
	// Quotes holds one row per quote: its number (Q-2026-0001), the
	// customer it is for, its lines priced by the server with their
	// discounts, its validity and state, and the record of its acceptance
	// (the typed name, the time, the address and the browser, all kept by
	// the server) or the reason it was declined. Written through the
	// quotes' routes alone; staff read all, a customer reads their own that
	// were sent (and their company's as its admin).
	Quotes = "quotes"
)

// Fields of quotes.
const (
	QuoteNumber        = "number"         // Q-2026-0001, unique
	QuoteContact       = "contact"        // relation contacts: who it is for
	QuoteCompany       = "company"        // relation companies: the company it is for, if any
	QuoteDeal          = "deal"           // relation deals: the deal it came from, if any
	QuoteOwner         = "owner"          // relation staff: who built it
	QuoteState         = "state"          // QuoteDraft ... QuoteWithdrawn
	QuoteLines         = "lines"          // JSON: the priced lines (orders.QuoteLine)
	QuoteDiscountKind  = "discount_kind"  // DiscountPercent, DiscountAmount or empty
	QuoteDiscountValue = "discount_value" // the percent or the amount off the whole
	QuoteDiscount      = "discount"       // the amount the whole's discount takes off
	QuoteSubtotal      = "subtotal"       // the lines' total after their own discounts
	QuoteTotal         = "total"
	QuoteCurrency      = "currency"
	QuoteValidUntil    = "valid_until" // YYYY-MM-DD: the last day it may be accepted, in the business's time zone
	QuoteNote          = "note"        // words to the customer
	QuoteLanguage      = "language"    // the language its options are worded in (the customer's)
	QuoteSentAt        = "sent_at"
	QuoteAcceptedAt    = "accepted_at"
	QuoteAcceptedName  = "accepted_name"  // the full name the customer typed
	QuoteAcceptedIP    = "accepted_ip"    // the address the acceptance came from
	QuoteAcceptedAgent = "accepted_agent" // the browser's user agent
	QuoteAcceptedBy    = "accepted_by"    // relation customers: the account that accepted
	QuoteDeclinedAt    = "declined_at"
	QuoteDeclineReason = "decline_reason"
	QuoteClosedAt      = "closed_at" // when it was withdrawn or expired
	QuoteOrder         = "order"     // relation orders: the order an accepted quote became

	// OrderQuote is the field of orders naming the quote an order came from.
	OrderQuote = "quote"
)

// States of a quote.
const (
	QuoteDraft     = "draft"
	QuoteSent      = "sent"
	QuoteAccepted  = "accepted"
	QuoteDeclined  = "declined"
	QuoteExpired   = "expired"
	QuoteWithdrawn = "withdrawn"
)

// Kinds of discount of a quote and of its lines.
const (
	DiscountPercent = "percent"
	DiscountAmount  = "amount"
)

func init() { AllCollections = append(AllCollections, Quotes) }
