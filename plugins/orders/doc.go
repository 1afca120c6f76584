// Package orders is what customers buy and hold: orders, subscriptions and
// the products they are for. It owns their rules, and every door that lets
// someone change them (the portal today) calls it rather than writing the
// rules again.
//
// What it owns:
//
//   - Who manages a subscription: the subscription's contact, or an admin
//     of the company it is held for (MayManage).
//
//   - What a customer may do with a subscription online: the business
//     allows an action in `portal.subscription_actions` (pause, resume and
//     cancel when it names none) and the product allows it with its
//     customer_can_pause, customer_can_cancel and customer_can_change_plan
//     switches (Allows).
//
//   - What each action does (Act): pause (until an optional future day),
//     resume, cancel at once, or change plan to another active subscription
//     product that allows it and is billed in the same currency and interval;
//     the plan's name and price come from that product, never from the
//     customer's words. The save is the customer's on the timeline.
//
//   - What staff do for a customer (StaffAct, through POST
//     /api/crm/subscriptions/{id}/action for managers and agents): the same
//     actions under the same rules of state and dates, without the limits
//     that are only for customers online (the switches, the same billing).
//
//   - A subscription started through the record API is to a plan on offer,
//     and takes its name, price and currency, its start (today unless given;
//     pending until a later one) and its renewal one interval on.
//
//   - A plan (a subscription product) says how often it is billed.
//
//   - An order's life, whatever door it comes through (lifecycle.go): its
//     number continues the latest's (ORD-00001 for the first), its status
//     moves only along OrderMoves (a 400 naming status otherwise), its lines
//     and currency stay as they were once it is shipped, its lines make
//     sense, and the total of priced lines is theirs.
//
//   - Which fields of an order are the business's own (InternalFields): the
//     portal never shows them to customers.
//
//   - The catalogue (catalogue.go, options.go, price.go): a product is
//     offered in the portal with its in_catalogue switch, and shaped with its
//     options — choices, add-ons, quantities, free texts — each with its price
//     effect and rules (an option only with a given choice; limits), checked
//     when the product is saved (ParseOptions). Price is the one price
//     function: POST /api/crm/catalogue/quote answers it on every change of
//     the product page.
//
//   - The cart and ordering (cart.go, place.go): a customer's cart keeps what
//     they chose, never a price, and is priced again on every read; placing it
//     (POST /api/crm/cart/order) refuses a price, a status or any field the
//     server works out (400 naming it) and a total other than its own, orders
//     for the company only for its admin (403 naming placed_for), and asks a
//     delivery or appointment time within the business's opening hours where
//     a product needs one. An earlier order goes back into the cart in one
//     step, priced as today. Each state an order reaches after it is placed
//     is on the customer's timeline (bindOrderStates).
//
//   - Quotes (quotes.go, quotes_routes.go, quotes_accept.go): staff build a
//     quote for a contact (and optionally their company) through
//     /api/crm/quotes — products shaped with their options, priced by Price,
//     a discount per line and on the whole — and send it: the customer is
//     told through the outbox with the link to it in the portal. The
//     customer accepts it with their typed full name (the server keeps the
//     time, address and browser) while its last day is not over, and it
//     becomes an order at the prices it was sent with, linked to it; or
//     declines it with a reason. One answer per quote; each on the timeline.
//
//   - Services the customer runs (periods.go, subscriptions_*.go,
//     proration.go): a service started from the catalogue (options,
//     interval, start day, payment method), each billing period paid like an
//     order with its invoice numbered with the orders', the portal offering
//     per subscription exactly what the business and the product allow
//     (OfferOf), a change of plan confirmed against its prorated preview
//     (an upgrade charged now, a downgrade a credit on the next period's
//     invoice), another interval or payment method from the next period, a
//     pause until a day of the customer's, and a cancellation now or at the
//     period's end with its reason.
//
// Paying for orders comes here too, registered by Register.
package orders
