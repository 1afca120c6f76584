// Package webforms is web-to-lead: forms a business puts on its own site (a
// script tag or an iframe) with the fields a manager picks and the consent
// text to agree to. A sent form makes or finds a lead contact; marketing
// consent is granted only when the link of the confirmation mail is opened
// (double opt-in), and the proof — text, time, address — is kept.
//
// Doors, all public and rate limited per client IP (RateLimitRules):
//   - GET /forms/{id}: the form as a small page of its own (no outside
//     files), in the visitor's language (?lang=, else the browser's), that
//     only the form's sites (and this server) may frame;
//   - GET /forms/{id}.js: the script tag that puts that page in an iframe
//     where it stands and keeps the iframe as tall as the form;
//   - POST /api/crm/public/forms/{id}: the form sent (submit.go);
//   - GET and POST /forms/confirm: the link of the confirmation mail
//     (optin.go).
//
// Managers keep the forms in web_forms through the record API (Settings >
// Web forms); every save is checked here (checkForm).
//
// A contact who already has the email is the one a sent form is about (the
// oldest, as for a portal sign-in): the form fills in only what is empty on
// it (phone, company, language, custom fields) and never changes its name,
// stage, owner or anything it holds. A new one is a lead with source
// "web_form". A company typed in is the company of that name (any case),
// or a new one.
package webforms
