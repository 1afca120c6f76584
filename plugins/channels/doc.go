// Package channels is the home of the channels customers reach the business
// through and are reached by: email, WhatsApp, SMS and web forms. Each
// channel lives in plugins/channels/<name> (plugins/channels/email,
// plugins/channels/whatsapp, ...) as a plugin of its own with
// Register(app, cfg), listed in plugins.All: it brings what comes in on the
// channel into the CRM (a message on a request, a new request, a contact)
// and sends what the outbox gives it to send.
package channels
