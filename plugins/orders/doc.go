// Package orders is what customers buy and hold: orders, subscriptions and
// the products they are for. It owns their rules, and every door that lets
// someone change them (the portal today) calls it rather than writing the
// rules again.
//
// What it owns:
//   - Who manages a subscription: the subscription's contact, or an admin
//     of the company it is held for (MayManage).
//   - What a customer may do with a subscription online: the business
//     allows an action in `portal.subscription_actions` (pause, resume and
//     cancel when it names none) and the product allows it with its
//     customer_can_pause, customer_can_cancel and customer_can_change_plan
//     switches (Allows).
//   - What each action does (Act): pause (until an optional future day),
//     resume, cancel at once, or change plan to another active subscription
//     product that allows it and is billed in the same currency and interval;
//     the plan's name and price come from that product, never from the
//     customer's words. The save is the customer's on the timeline.
//   - Which fields of an order are the business's own (InternalFields): the
//     portal never shows them to customers.
//
// Placing orders and paying for them come here too, registered by Register.
package orders
