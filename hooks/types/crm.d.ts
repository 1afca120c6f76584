// Type declarations of `$crm`, Vinculo's own operations for hooks.
// Written by hand (PocketBase's generated types.d.ts does not know them);
// reference both at the top of a hook file for completion in your editor:
//
//   /// <reference path="../vinculo_data/types.d.ts" />
//   /// <reference path="types/crm.d.ts" />
//
// The guide with an example of each: docs/hooks.md.

declare namespace crm {
  /** A record, or its id. */
  type Ref = core.Record | string

  /**
   * Who a call acts for. With `as`, the collection's API rule (create,
   * update, view or list) is checked with this person as `@request.auth`
   * and the fields given as `@request.body`, as the record API would; a
   * refusal throws a 403 ApiError. Without it the call is the system's and
   * no rule is checked.
   *  - an auth record of `staff` or `customers` (or a superuser);
   *  - `{staff: id}`, `{customer: id}` (a portal account);
   *  - `{contact: id}`: the customer of that contact: their portal account
   *    if they have one, else the contact without an account (rules that
   *    need the account then refuse).
   */
  type As = core.Record | { staff: string } | { customer: string } | { contact: string }

  /** Who made a change, as the timeline records it. */
  interface Actor {
    type: "staff" | "customer" | "system" | "integration"
    staff?: string
    customer?: string
    /** web, api, portal, system, or a channel. */
    channel?: string
  }

  /** Options most functions take. */
  interface Options {
    /** Act for this person and check the API rules (see As). */
    as?: As
    /** The actor the timeline records, when it is not who `as` names: "system", "integration", an Actor or a staff/customers record. */
    actor?: "system" | "integration" | Actor | core.Record
    /** The app to write with; by default the current `$app` (inside a handler: the event's transaction). */
    app?: core.App
  }

  interface ListOptions extends Options {
    /** PocketBase sort, e.g. "-created" (the default). */
    sort?: string
    /** At most this many records (default 50, at most 1000). */
    limit?: number
  }

  type Channel = "email" | "phone" | "sms" | "whatsapp" | "letter" | "chat" | "social" | "in_person" | "portal" | "web"

  interface TimelineEntry {
    /** activities.type: email, call, meeting, note, chat, social, letter, visit, portal, system (default). */
    type?: string
    /** A machine-readable event name ("chat.received"); the system's own are listed in docs/hooks.md. */
    event?: string
    subject?: string
    body?: string
    /** Shown on the customer's own timeline in the portal. */
    public?: boolean
    direction?: "inbound" | "outbound" | "internal"
    /** The channel it came or went on (default: the actor's). */
    channel?: Channel | "api" | "system"
    /** Default: the system. */
    actor?: "system" | "integration" | Actor | core.Record
    /** At least one of contact, company, deal and case. The company defaults to the contact's, the contact to the case's. */
    contact?: Ref
    company?: Ref
    deal?: Ref
    case?: Ref
    /** The record the entry is about. */
    refCollection?: string
    refId?: string
    /** What the workspace words the event with (activities.data): names and numbers, no sentences. */
    data?: Record<string, any>
    /** When it happened (default: now): a Date, a DateTime, "2026-12-01 15:00:00.000Z" or Unix milliseconds. */
    occurredAt?: Date | string | number | types.DateTime
  }

  interface Message {
    contact: Ref
    /** service (default), marketing, profiling or research: marketing and the rest need the customer's consent on the channel. */
    purpose?: "service" | "marketing" | "profiling" | "research"
    /** Empty: the customer's preferred channel. */
    channel?: Channel
    /** "generic" (default: subject and body as given), "case_opened", "case_status". */
    template?: string
    subject?: string
    body?: string
    /** Values for the template. */
    data?: { [key: string]: any }
    /** A service message that may go outside the customer's hours. */
    urgent?: boolean
    case?: Ref
    created_by?: string
  }

  /** What the outbox decided, in the queuing transaction. */
  interface Queued {
    id: string
    /** queued: goes now; waiting: until notBefore; refused and failed: never (reason says why). */
    state: "queued" | "waiting" | "refused" | "failed"
    /** "due: goes by email", "waiting for the customer's hours: ...", "refused: no marketing consent for email" ... */
    reason: string
    /** When waiting: "2026-11-23 21:00:00.000Z"; otherwise "". */
    notBefore: string
    record: core.Record
  }

  /** What a sender registered with registerSender receives. */
  interface OutboundMessage {
    id: string
    contact: string
    name: string
    channel: Channel
    /** The contact point on that channel: email, phone number, address, portal account, contact id for chat. */
    to: string
    purpose: string
    template: string
    data: { [key: string]: any }
    language: "en" | "pt-BR"
    subject: string
    body: string
    html: string
    urgent: boolean
    case: string
    /** 1 on the first try. */
    attempt: number
  }

  interface Settings {
    business: { name: string; country: string; language: string; timezone: string; hours: string; holidays: string[] }
    publicUrl: string
    followups: { enabled: boolean; dueDays: number }
    automations: { notifyOwner: boolean; ratingRequest: boolean; ratingPage: boolean; holdMarketing: boolean }
    webhooks: { enabled: boolean; events: string[]; inbound: boolean }
    hooks: { poolSize: number }
  }

  interface BusinessHours {
    timezone: string
    /** "mon 09:00-18:00; tue 09:00-18:00; ..." */
    text: string
    /** Opening spans per weekday: days.mon = [{start: "09:00", end: "18:00"}]. */
    days: { [day in "sun" | "mon" | "tue" | "wed" | "thu" | "fri" | "sat"]: { start: string; end: string }[] }
    holidays: string[]
  }

  type Switch = "notify_owner" | "rating_request" | "rating_page" | "hold_marketing" | "webhooks" | "inbound_webhooks" | "followups"

  type When = Date | string | number | types.DateTime

  interface CRM {
    // The timeline, tasks and the outbox.
    /** Writes a timeline entry (an `activities` record) as the system writes its own. */
    addToTimeline(entry: TimelineEntry, opts?: Options): core.Record
    /** Creates a task (status "open" unless given). Throws a 400 naming the fields when invalid. */
    createTask(fields: { title: string; notes?: string; due?: When; assignee?: Ref; created_by?: Ref; status?: string; contact?: Ref; company?: Ref; deal?: Ref; case?: Ref; activity?: Ref }, opts?: Options): core.Record
    /** Queues a message through the outbox and returns its decision. */
    queueMessage(message: Message, opts?: Options): Queued
    /** Tells a colleague in the bell and, by their email choice for the event, by mail (never of their own action, `by`). */
    notify(notice: { to: Ref; event: string; collection?: string; record?: string; data?: { [key: string]: any }; by?: Ref; once?: string }, opts?: Options): void

    // Contacts.
    /** One contact by id, email or phone (a string is tried as each), or null. */
    findContact(query: string | { id?: string; email?: string; phone?: string }, opts?: Options): core.Record | null
    /** Contacts matching a PocketBase filter with {:name} params; with `as`, only those its list rule shows. */
    findContacts(filter: string, params?: { [name: string]: any }, opts?: ListOptions): core.Record[]
    /** Creates a contact; the schema and Vinculo's data rules validate it (400 naming the fields). */
    createContact(fields: { [field: string]: any }, opts?: Options): core.Record
    /** Changes a contact; with `as` a customer may change only their own contact and their own fields. */
    updateContact(contact: Ref, fields: { [field: string]: any }, opts?: Options): core.Record

    // Requests.
    /** Moves a request to a status of its type's workflow (400 when the workflow forbids the move). */
    moveCase(kase: Ref, status: string, opts?: Options): core.Record
    /** Changes a request (e.g. {rating, rating_comment} as the customer once it is closed). */
    updateCase(kase: Ref, fields: { [field: string]: any }, opts?: Options): core.Record
    /** Adds a message to a request's conversation; with `as` its author is that person. */
    addCaseMessage(kase: Ref, body: string, opts?: Options & { internal?: boolean }): core.Record

    // Reading for someone.
    /** A record the view rule lets `as` see, else a 404 ApiError. */
    findFor(as: As, collection: string, id: string): core.Record
    /** Records the list rule lets `as` see, matching filter. */
    listFor(as: As, collection: string, filter?: string, params?: { [name: string]: any }, opts?: ListOptions): core.Record[]

    // Who did it.
    /** Who a record is being changed by (the mark the timeline reads). */
    actorOf(record: core.Record): Actor
    /** Marks who changes a record before $app.save(record). */
    setActor(record: core.Record, actor: "system" | "integration" | Actor | core.Record): void

    // Settings and the business calendar.
    /** What hooks may read of the configuration (no secrets). */
    settings(): Settings
    /** Whether a switch of the configuration is on. Throws for an unknown name. */
    enabled(name: Switch): boolean
    businessHours(): BusinessHours
    /** Whether the business is open at `at` (default now). */
    isOpen(at?: When): boolean
    /** The next opening minute at or after `at`, "2026-11-23 12:00:00.000Z", or "" when it never opens. */
    nextOpen(at?: When): string
    /** `days` business days after `at`, at the same local time. */
    addBusinessDays(at: When, days: number): string

    // Senders, webhooks, links, transactions.
    /**
     * Makes fn the outbox's sender of channel. fn is compiled on its own (it
     * sees no top-level variable: require what it needs) and runs on a
     * pooled runtime for each message the outbox decided to send, outside
     * any transaction. Return to say the channel accepted it; throw to fail
     * the attempt (retried with back-off), or throw $crm.permanentError() to
     * fail the message for good.
     */
    registerSender(channel: Channel, fn: (message: OutboundMessage) => void): void
    /**
     * Adds a hold to the outbox: before a non-service message may go,
     * fn(message, contact, now) runs on a pooled runtime with $app the
     * decision's transaction. Return nothing to let it go, or {until, reason}
     * to keep it waiting until then ("waiting " + reason). Holds run in name
     * order; the first that holds wins.
     */
    holdMessages(
      name: string,
      fn: (message: core.Record, contact: core.Record, now: string) => { until: When; reason?: string } | null | undefined,
    ): void
    /** An error a sender throws when no retry can help. */
    permanentError(message: string): Error
    /** The X-Vinculo-Signature value of body: "t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">". Default secret: webhooks.secret. */
    signWebhook(body: string, opts?: { secret?: string; timestamp?: number }): string
    /**
     * Accepts a signed request once: checks the signature in constant time,
     * refuses one more than `tolerance` seconds (default 300) from now and
     * one accepted before (kept in the database). Default secret: webhooks.inbound_secret.
     */
    verifyWebhook(body: string, header: string, opts?: { secret?: string; tolerance?: number }): boolean
    /** verifyWebhook that says why it refuses: "" when accepted, else "unsigned", "mismatch", "stale" or "replayed". */
    checkWebhook(body: string, header: string, opts?: { secret?: string; tolerance?: number }): "" | "unsigned" | "mismatch" | "stale" | "replayed"
    /**
     * Queues {id, event, occurred_at, data} to webhooks.url (or opts.url with
     * opts.secret), kept in the database, in the same transaction as the
     * change; sent signed in the background once it commits, retried with
     * back-off, resumed after a restart. Returns the delivery id, "" when no URL is set.
     */
    postWebhook(event: string, data: any, opts?: { url?: string; secret?: string; app?: core.App }): string
    /** A token that proves a link to path was made here, valid `days` days (default 30). */
    signLink(path: string, days?: number): string
    verifyLink(path: string, token: string): boolean
    /** A provider channel's account (Settings > Channels), without its secrets; null when none. ready: on and complete. */
    channelAccount(channel: "whatsapp" | "sms"): {
      channel: string; active: boolean; ready: boolean; number: string; phoneNumberId: string; accountSid: string; webhookUrl: string
    } | null
    /** Whether header is the X-Hub-Signature-256 of the raw body under the WhatsApp account's app secret (false while the channel is off). */
    verifyMetaSignature(body: string, header: string): boolean
    /** Whether token is the WhatsApp account's verify token (Meta's GET verification), compared in constant time. */
    verifyMetaToken(token: string): boolean
    /** Whether header is the X-Twilio-Signature of the form-encoded body sent to the SMS account's webhook URL (false while the channel is off). */
    verifyTwilioSignature(body: string, header: string): boolean
    /** A form-encoded body as {name: first value}. */
    parseForm(body: string): Record<string, string>
    /**
     * Takes a customer's message on a provider channel in, once per provider
     * message id, in one transaction: to the oldest contact with the number
     * (else a new lead), the request whose reference the text names or their
     * open request on the channel (as the customer's message), and the timeline.
     */
    receiveMessage(message: { channel: "whatsapp" | "sms"; from: string; name?: string; text: string; id: string; at?: When }): {
      contact: string; activity: string; message: string; case: string; duplicate: boolean; newLead: boolean
    }
    /** Makes the provider's API the outbox's sender of the channel while its account is on and complete. */
    useProviderSender(channel: "whatsapp" | "sms"): void
    /** The provider channel the customer last wrote on about a request ("" when none). */
    replyChannel(kase: core.Record | string): string
    /** Runs fn in one transaction, with $app (and $crm) writing in it; a throw undoes it all. Returns what fn returns. */
    transaction<T>(fn: () => T): T
    /**
     * Adds a way of paying (see hooks/70_checkout.pb.js). The business turns it
     * on in Settings > Payments (its key = method). start runs outside any
     * transaction when a customer chooses it; notify runs inside the
     * transaction that applies a notification posted to
     * /api/crm/payment-notifications/<method>: what it throws refuses it (401,
     * nothing written); the same id twice is applied once.
     */
    registerPaymentProvider(provider: PaymentProvider): void
    /** The signature header (t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">) of body under the method's saved secret. */
    paymentSignature(method: string, body: string): string
    /** "" when header signs body under the method's saved secret (accepted once), else unsigned, mismatch, stale or replayed. */
    checkPaymentSignature(method: string, body: string, header: string): "" | "unsigned" | "mismatch" | "stale" | "replayed"
  }

  /** A payment a provider is asked to start. */
  interface PaymentToStart {
    id: string; method: string; amount: number; currency: string
    order?: { id: string; number: string }
    /** Where the provider sends the customer back; where it posts notifications. */
    returnUrl: string; notifyUrl: string
    /** The provider's address and the instructions from Settings > Payments. */
    providerUrl: string; details: string
  }

  interface PaymentProvider {
    /** Lower-case letters, digits and _. */
    method: string
    /** The method's name for customers, by language. */
    label?: { en?: string; "pt-BR"?: string }
    /** The money arrives outside Vinculo and staff confirm it ("payment received"). */
    offline?: boolean
    start(payment: PaymentToStart): { redirect?: string; reference?: string; instructions?: string }
    notify?(notification: { method: string; body: string; headers: Record<string, string> }): {
      id: string; payment?: string; reference?: string; outcome: "paid" | "failed"; reason?: string; amount?: number; currency?: string
    }
  }
}

/** Vinculo's own operations. See docs/hooks.md. */
declare var $crm: crm.CRM
