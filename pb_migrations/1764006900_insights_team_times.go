package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/plugins/insights/summarydb"
)

// The Team board's response times per person, from the Service summary:
// counts per month of the first answer, assignee and quarter hour of the
// business-hours time (a measure of insights_case_months), and the indexes
// of insights_case_facts that read one person's bucket in order. A summary
// made before gets the counts from its own facts here (seconds at 500,000
// requests), without being made again; a summary made later has them.
func init() {
	m.Register(func(app core.App) error {
		if err := summarydb.CreateService(app.DB()); err != nil {
			return err
		}
		return summarydb.FillFirstByPerson(app.DB())
	}, func(app core.App) error {
		for _, s := range []string{
			"DELETE FROM " + summarydb.CaseMonths + " WHERE measure = '" + summarydb.MeasureFirstByPerson + "'",
			"DROP INDEX IF EXISTS idx_icf_person_frt", "DROP INDEX IF EXISTS idx_icf_frt_order", "DROP INDEX IF EXISTS idx_icf_first_person",
		} {
			if _, err := app.DB().NewQuery(s).Execute(); err != nil {
				return err
			}
		}
		return nil
	})
}
