// Package email is the email channel, both ways. Out: every mail to a
// customer leaves through the outbox and PocketBase's mailer with a
// Message-ID that carries a signed token (token.go), In-Reply-To and
// References, so the customer's mail program threads it and their answer
// finds its way back. In: the business's mailboxes are read over IMAP (IDLE
// where offered, polling otherwise, from the last UIDVALIDITY and UID), and
// each mail joins its thread — by token, In-Reply-To, References, or the
// request's reference in the subject — as the customer's reply on a request,
// a new request or a timeline entry; unknown senders become leads; duplicates,
// auto-replies and bounces are recognised.
package email
