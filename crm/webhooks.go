package crm

// Webhooks kept in the database (plugins/hooksapi).
const (
	// WebhookDeliveries is the collection of outbound webhooks: each one
	// with its payload, attempts and next try, until it is sent or given up.
	// Superusers only.
	WebhookDeliveries = "webhook_deliveries"
	// WebhookSignaturesTable is the table of inbound webhook signatures
	// already accepted, each kept until its time is too old to be accepted
	// anyway, so that a signed request is accepted once.
	WebhookSignaturesTable = "_webhook_signatures"
)

// States of a webhook delivery.
const (
	WebhookPending = "pending" // waiting for its next attempt
	WebhookSent    = "sent"    // the receiver answered 2xx
	WebhookFailed  = "failed"  // refused, or every attempt failed
)
