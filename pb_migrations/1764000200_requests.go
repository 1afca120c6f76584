package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Requests: when a rating was given, and the indexes behind the overdue job
// and the open-request counts shown on contacts and companies.
func init() {
	m.Register(requestsUp, requestsDown)
}

// The customer's parts of the cases rules forbid every field by name; a new
// field joins that list, after the last one the first migration wrote.
const (
	casesLastForbidden = "@request.body.updated:isset = false"
	casesRatedAtGuard  = " && @request.body.rated_at:isset = false"
)

var requestsIndexes = [][]string{
	{crm.FieldContact, "closed"},                          // open_cases of a contact
	{crm.FieldCompany, "closed"},                          // open_cases of a company
	{"closed", "first_response_at", "first_response_due"}, // unanswered cases past due
	{"overdue"}, // flags to re-check
}

func requestsUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Cases)
	if err != nil {
		return err
	}
	c.Fields.Add(date("rated_at", false)) // set by the server when the rating changes
	for _, cols := range requestsIndexes {
		index(c, false, cols...)
	}
	for _, r := range []*string{c.CreateRule, c.UpdateRule} {
		if r != nil && !strings.Contains(*r, casesRatedAtGuard) {
			*r = strings.ReplaceAll(*r, casesLastForbidden, casesLastForbidden+casesRatedAtGuard)
		}
	}
	return app.Save(c)
}

func requestsDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Cases)
	if err != nil {
		return err
	}
	for _, r := range []*string{c.CreateRule, c.UpdateRule} {
		if r != nil {
			*r = strings.ReplaceAll(*r, casesRatedAtGuard, "")
		}
	}
	for _, cols := range requestsIndexes {
		c.RemoveIndex("idx_" + c.Name + "_" + strings.Join(cols, "_"))
	}
	c.Fields.RemoveByName("rated_at")
	return app.Save(c)
}
