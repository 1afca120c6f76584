package dealsum

import (
	"strings"

	"github.com/pocketbase/dbx"
)

// The Team board's running sums: per UTC day (and per UTC month, for the
// counts that run from the beginning), person, request type and channel,
// kept by triggers on requests (cases) and tasks like the deals' sums.
const TeamDays = "insights_team_days"

// Kinds of TeamDays rows. Closed and Done count in the day of their date.
// Open and Overdue are signed: their sum over every day before a moment is
// how many requests were open (tasks overdue) then, as the board defines
// it; OpenMonths and OverdueMonths are the same by month, so that two
// years are two dozen rows a person.
const (
	KindRequestsClosed     = "closed"    // requests by closed_at
	KindRequestsOpen       = "open"      // requests: +1 at opening if open now; if closed: +1 at opening, -1 at the later of opening and close
	KindRequestsOpenMonths = "open_m"    // the same by month
	KindTasksDone          = "done"      // tasks done, by done_at
	KindTasksOverdue       = "overdue"   // tasks with a due date: +1 at due if open; if done: +1 at due, -1 at the later of due and done
	KindTasksOverdueMonths = "overdue_m" // the same by month
)

var teamTable = `CREATE TABLE IF NOT EXISTS ` + TeamDays + ` (
	kind TEXT NOT NULL, day TEXT NOT NULL, person TEXT NOT NULL, type TEXT NOT NULL, channel TEXT NOT NULL, n INTEGER NOT NULL,
	PRIMARY KEY (kind, day, person, type, channel)
) WITHOUT ROWID`

// month is the UTC month of a stored date, as a stored date.
func month(col string) string { return "substr(" + col + ", 1, 7) || '-01 00:00:00.000Z'" }

// teamRows is the SELECT of the TeamDays rows record r counts in, times
// sign; parts are (kind, date expression, value, condition); from is ""
// in a trigger, " FROM table r" for a recount.
func teamRows(r, sign, from, typ, channel string, parts [][4]string) string {
	var out []string
	for _, p := range parts {
		for _, by := range []struct {
			suffix string
			bucket func(string) string
		}{{"", day}, {"_m", month}} {
			kind := p[0]
			if strings.HasSuffix(kind, "*") {
				kind = strings.TrimSuffix(kind, "*") + by.suffix
			} else if by.suffix != "" {
				continue
			}
			out = append(out, "SELECT '"+kind+"' AS kind, "+by.bucket(p[1])+" AS day, COALESCE("+r+".assignee, '') AS person, "+
				typ+" AS type, "+channel+" AS channel, "+sign+" * "+p[2]+" AS n"+from+" WHERE COALESCE("+r+".assignee, '') != '' AND "+p[3])
		}
	}
	return strings.Join(out, " UNION ALL ")
}

// caseRows: the request r's rows (kinds ending in * go by day and by month).
func caseRows(r, sign, from string) string {
	c := func(col string) string { return "COALESCE(" + r + "." + col + ", '')" }
	return teamRows(r, sign, from, c("type"), c("channel"), [][4]string{
		{KindRequestsClosed, c("closed_at"), "1", c("closed_at") + " != ''"},
		{KindRequestsOpen + "*", c("created"), "1", r + ".closed = FALSE"},
		{KindRequestsOpen + "*", c("created"), "1", c("closed_at") + " != ''"},
		{KindRequestsOpen + "*", "max(" + c("created") + ", " + c("closed_at") + ")", "-1", c("closed_at") + " != ''"},
	})
}

// taskRows: the task r's rows.
func taskRows(r, sign, from string) string {
	c := func(col string) string { return "COALESCE(" + r + "." + col + ", '')" }
	return teamRows(r, sign, from, "''", "''", [][4]string{
		{KindTasksDone, c("done_at"), "1", r + ".status = 'done' AND " + c("done_at") + " != ''"},
		{KindTasksOverdue + "*", c("due"), "1", r + ".status = 'open' AND " + c("due") + " != ''"},
		{KindTasksOverdue + "*", c("due"), "1", r + ".status = 'done' AND " + c("due") + " != ''"},
		{KindTasksOverdue + "*", "max(" + c("due") + ", " + c("done_at") + ")", "-1", r + ".status = 'done' AND " + c("due") + " != ''"},
	})
}

func addTeam(rows string) string {
	return `INSERT INTO ` + TeamDays + ` (kind, day, person, type, channel, n) SELECT * FROM (` + rows + `) WHERE true
		ON CONFLICT (kind, day, person, type, channel) DO UPDATE SET n = n + excluded.n;`
}

// dropEmptyTeam removes the rows left at 0 on the days and months of r's
// dates a and b (and the later of them).
func dropEmptyTeam(r string, kinds []string, a, b string) string {
	var at []string
	for _, col := range []string{"COALESCE(" + r + "." + a + ", '')", "COALESCE(" + r + "." + b + ", '')",
		"max(COALESCE(" + r + "." + a + ", ''), COALESCE(" + r + "." + b + ", ''))"} {
		at = append(at, day(col), month(col))
	}
	return `DELETE FROM ` + TeamDays + ` WHERE kind IN ('` + strings.Join(kinds, "', '") + `') AND day IN (` + strings.Join(at, ", ") + `) AND n = 0;`
}

func changed(cols ...string) string {
	var c []string
	for _, col := range cols {
		c = append(c, "OLD."+col+" IS NOT NEW."+col)
	}
	return strings.Join(c, " OR ")
}

var (
	caseKinds   = []string{KindRequestsClosed, KindRequestsOpen, KindRequestsOpenMonths}
	taskKinds   = []string{KindTasksDone, KindTasksOverdue, KindTasksOverdueMonths}
	caseColumns = []string{"created", "closed_at", "closed", "assignee", "type", "channel"}
	taskColumns = []string{"due", "done_at", "status", "assignee"}
)

// TeamTriggers keep TeamDays.
var TeamTriggers = []struct{ Name, SQL string }{
	{"insights_team_cases_ai", `CREATE TRIGGER insights_team_cases_ai AFTER INSERT ON cases BEGIN ` + addTeam(caseRows("NEW", "1", "")) +
		dropEmptyTeam("NEW", caseKinds, "created", "closed_at") + ` END`},
	{"insights_team_cases_ad", `CREATE TRIGGER insights_team_cases_ad AFTER DELETE ON cases BEGIN ` + addTeam(caseRows("OLD", "-1", "")) +
		dropEmptyTeam("OLD", caseKinds, "created", "closed_at") + ` END`},
	{"insights_team_cases_au", `CREATE TRIGGER insights_team_cases_au AFTER UPDATE OF ` + strings.Join(caseColumns, ", ") + ` ON cases
		WHEN ` + changed(caseColumns...) + ` BEGIN ` + addTeam(caseRows("OLD", "-1", "")) + addTeam(caseRows("NEW", "1", "")) +
		dropEmptyTeam("OLD", caseKinds, "created", "closed_at") + dropEmptyTeam("NEW", caseKinds, "created", "closed_at") + ` END`},
	{"insights_team_tasks_ai", `CREATE TRIGGER insights_team_tasks_ai AFTER INSERT ON tasks BEGIN ` + addTeam(taskRows("NEW", "1", "")) +
		dropEmptyTeam("NEW", taskKinds, "due", "done_at") + ` END`},
	{"insights_team_tasks_ad", `CREATE TRIGGER insights_team_tasks_ad AFTER DELETE ON tasks BEGIN ` + addTeam(taskRows("OLD", "-1", "")) +
		dropEmptyTeam("OLD", taskKinds, "due", "done_at") + ` END`},
	{"insights_team_tasks_au", `CREATE TRIGGER insights_team_tasks_au AFTER UPDATE OF ` + strings.Join(taskColumns, ", ") + ` ON tasks
		WHEN ` + changed(taskColumns...) + ` BEGIN ` + addTeam(taskRows("OLD", "-1", "")) + addTeam(taskRows("NEW", "1", "")) +
		dropEmptyTeam("OLD", taskKinds, "due", "done_at") + dropEmptyTeam("NEW", taskKinds, "due", "done_at") + ` END`},
}

// RebuildTeam makes the Team sums again from the requests and tasks.
func RebuildTeam(db dbx.Builder) error {
	for _, s := range []string{
		`DELETE FROM ` + TeamDays,
		`INSERT INTO ` + TeamDays + ` (kind, day, person, type, channel, n) SELECT kind, day, person, type, channel, SUM(n) FROM (` +
			caseRows("r", "1", " FROM cases r") + ` UNION ALL ` + taskRows("r", "1", " FROM tasks r") + `) GROUP BY 1, 2, 3, 4, 5 HAVING SUM(n) != 0`,
	} {
		if _, err := db.NewQuery(s).Execute(); err != nil {
			return err
		}
	}
	return nil
}
