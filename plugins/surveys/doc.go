// Package surveys asks customers how it went: NPS ("how likely are you to
// recommend…", 0–10 with a comment) and CSAT after a request closes, sent
// through the outbox under the research purpose (never to a customer without
// that consent or who objected), answered on a signed page or in the portal,
// written on the timeline and counted by the insights boards.
//
//   - Settings (survey_settings, one row per kind, Settings > Surveys): on or
//     off, NPS every N days per contact, the question in en and pt-BR.
//   - NPS: an hourly job asks every contact with a granted research consent
//     whom no NPS was sent to in the last N days (Ask): one survey_requests
//     row (the link's token hashed) and one outbox message of purpose
//     research; the outbox decides whether, when and on which channel it
//     goes, and refuses it when the customer gave no research consent there
//     or withdrew it.
//   - CSAT: the shipped hook hooks/20_rating_request.pb.js asks (purpose
//     research, only while CSAT is on) and the customer rates on the signed
//     page /rate/{case} or on the request's page in the portal. Whatever way
//     a request's rating is set or changed, its one CSAT answer follows it
//     in the same transaction (syncCSAT): the answers and cases.rating never
//     disagree.
//   - Answering (Answer): on the public page /portal/survey?t=<token> (no
//     sign-in: the token is the key, stored only as its hash, valid 30 days)
//     or in the portal. A second answer to the same link replaces the first
//     (the customer changed their mind): one answer per link, and the
//     timeline says it changed.
package surveys
