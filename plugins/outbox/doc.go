// Package outbox is the only way anything is sent to a customer. Other
// plugins, JavaScript hooks and staff queue a message by creating an outbox
// record with state "queued" (crm.OutboxQueued); the outbox decides, when it
// is queued and again whenever it comes due, whether the customer's choices
// let it go now, later or never, records the decision and its reason on the
// message, and a worker sends what is due outside any transaction, retrying
// with back-off. All state is in the database: a restart resumes what is due.
//
// The rules:
//   - Consent. Marketing, profiling and research need a granted consent
//     for that purpose on the exact channel. Service messages go on any
//     channel with a granted service consent; a contact with no service
//     consent at all (granted or withdrawn) gets them on their preferred
//     channel and by email.
//   - Channel. A message with no channel goes on the preferred one (email
//     when there is no preference). A non-service message never falls back
//     to another channel: on a channel other than the preferred one it must
//     name it, and its consent decides. A service message with no channel
//     goes on the first of preferred, email, then the other service
//     channels that has a contact point and a sender. A preferred channel
//     of "none" means "only about my requests": every non-service message
//     is refused.
//   - A missing contact point (no email for email, no mobile or phone for
//     SMS/WhatsApp, no portal account for portal...) refuses; in_person and
//     web carry no messages.
//   - Hours. The contact's preferred days (none: every day) and hours (none:
//     all day; an end before the start spans midnight) in their time zone
//     (else the business's). A contact who set neither has no quiet hours.
//     Outside them a message waits with not_before = the first allowed
//     minute; service messages too unless urgent (urgent lifts only the
//     hours, and only for service).
//   - Frequency cap: max_contacts_per_week (0 or empty: no limit) counts the
//     non-service messages sent in the last 7 days, and those being sent;
//     over it, a message waits until the oldest that matters leaves the
//     window.
//   - paused_until holds every non-service message until then.
//   - Holds (SetHold): a hold may keep a non-service message waiting until
//     a time it names. The shipped hook hooks/15_hold_marketing.pb.js holds
//     marketing while the contact has an open request whose type holds
//     marketing.
//   - Releases (Release): whoever owns what a hold looks at lets the
//     contact's waiting messages be decided again at once when it changes.
//     The requests plugin releases the contact's waiting marketing when a
//     request closes, changes type or is deleted; the outbox itself releases
//     every waiting message of a contact whose preferences change.
//   - Refused and failed are final: a manager re-queues a message by setting
//     its state back to queued (attempts start again).
//   - Sending. Email goes through PocketBase's mailer (From = the settings'
//     sender) unless a sender is set for "email"; other channels go through
//     the app's senders (SetSender). A channel with no sender fails the
//     message at once with that reason (no retry: it is configuration, not a
//     hiccup). A send error is retried: 5 attempts in all, 1, 2, 4 and 8
//     minutes apart (Options), each retry decided again when due; then
//     failed with the last error. An error wrapping ErrPermanent fails at
//     once.
//   - Delivery is at least once: claims keep two workers from sending a
//     message twice, but a process that dies between the send and recording
//     it sends that message again after the claim expires (10 minutes,
//     Options.ClaimTTL). A claim names the process that holds it: a process
//     that stops gracefully (SIGTERM, a restart) lets the send in progress
//     end (a registered sender sees its context canceled: that is no
//     attempt), then releases its own claims, and the next start of the
//     server sends what is due at once.
//   - Times a Deliver run records (sent_at, decided_at, back-off) are the
//     run's now.
//   - Staff queue through the record API; the decision and delivery fields
//     are the system's, and not_before too: the rules pick the time.
package outbox
