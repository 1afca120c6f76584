// Package insights computes the figures a business steers by — sales,
// service, customers and team — for a period and its previous one, with the
// records behind each number, and serves them to staff at
// /api/crm/insights/... (JSON and CSV). Each board's figures register
// themselves with Add; objectives (objectives.go) measure any figure every
// day and keep the snapshots. The exact definitions are in docs/insights.md.
package insights
