package team

import (
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	pbsearch "github.com/pocketbase/pocketbase/tools/search"

	"vinculo/crm"
)

// Who sees what is decided by the collections' API rules (the migration
// 1764005400_teams_visibility.go writes them): the record API, realtime,
// expands and files follow them by themselves. Vinculo's own routes that
// read with SQL follow the same rules through Visible, so a route can never
// show more than the record API would.

// TeamsMode tells whether the business lets agents see only their teams'
// records (business_settings.team_visibility = teams).
func TeamsMode(app core.App) bool {
	var mode []string
	_ = app.DB().Select(crm.BusinessTeamVisibility).From(crm.BusinessSettings).Limit(1).Column(&mode)
	return len(mode) == 1 && mode[0] == crm.VisibilityTeams
}

// SeesAll tells whether auth sees every record of the CRM: superusers,
// managers, and every member of the staff but partners when the business
// lets everyone see everything.
func SeesAll(app core.App, auth *core.Record) bool {
	switch {
	case auth == nil:
		return false
	case auth.IsSuperuser():
		return true
	case auth.Collection().Name != crm.Staff:
		return false
	}
	switch auth.GetString(crm.FieldRole) {
	case crm.RoleManager:
		return true
	case crm.RolePartner:
		return false
	}
	return !TeamsMode(app)
}

// Visible narrows q, a query over collection (selected under the
// collection's own name, as app.RecordQuery does), to the rows auth may
// list: the collection's list rule, resolved exactly as the record API
// resolves it. A collection nobody but superusers lists leaves nothing.
func Visible(app core.App, auth *core.Record, collection string, q *dbx.SelectQuery) error {
	if auth != nil && auth.IsSuperuser() {
		return nil
	}
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return err
	}
	if c.ListRule == nil {
		q.AndWhere(dbx.NewExp("1=0"))
		return nil
	}
	if *c.ListRule == "" {
		return nil
	}
	resolver := core.NewRecordFieldResolver(app, c, &core.RequestInfo{Auth: auth, Context: core.RequestInfoContextDefault}, true)
	expr, err := pbsearch.FilterData(*c.ListRule).BuildExpr(resolver)
	if err != nil {
		return err
	}
	q.AndWhere(expr)
	return resolver.UpdateQuery(q)
}

// VisibleIDs is the SELECT of the ids of the rows of collection auth may
// list, with its parameters, for a query written in SQL ("x IN (...)");
// "" when auth sees them all.
func VisibleIDs(app core.App, auth *core.Record, collection string) (string, dbx.Params, error) {
	if SeesAll(app, auth) {
		return "", nil, nil
	}
	q := app.RecordQuery(collection).Select(collection + ".id").Distinct(true)
	if err := Visible(app, auth, collection, q); err != nil {
		return "", nil, err
	}
	built := q.Build()
	sql := built.SQL()
	params := dbx.Params{}
	for name, v := range built.Params() {
		fresh := "tv_" + collection + "_" + name
		sql = strings.ReplaceAll(sql, "{:"+name+"}", "{:"+fresh+"}")
		params[fresh] = v
	}
	return sql, params, nil
}

// People are the staff whose records a figure of the boards counts for
// auth: the members of teamID when one is asked for, and, for an agent or
// readonly member in the teams mode, only themselves and their teams'
// members (of the asked team, those). nil: everyone's.
func People(app core.App, auth *core.Record, teamID string) ([]string, error) {
	var people []string
	if teamID != "" {
		t, err := app.FindRecordById(crm.Teams, teamID)
		if err != nil {
			return nil, err
		}
		people = t.GetStringSlice(crm.TeamMembers)
		if people == nil {
			people = []string{}
		}
	}
	if SeesAll(app, auth) {
		return people, nil
	}
	mine, err := Colleagues(app, auth)
	if err != nil || teamID == "" {
		return mine, err
	}
	return slices.DeleteFunc(people, func(id string) bool { return !slices.Contains(mine, id) }), nil
}

// Colleagues are auth and the members of every team auth belongs to.
func Colleagues(app core.App, auth *core.Record) ([]string, error) {
	if auth == nil {
		return []string{}, nil
	}
	teams, err := app.FindAllRecords(crm.Teams, dbx.NewExp("EXISTS (SELECT 1 FROM json_each(["+crm.TeamMembers+"]) WHERE value = {:me})", dbx.Params{"me": auth.Id}))
	if err != nil {
		return nil, err
	}
	out := []string{auth.Id}
	for _, t := range teams {
		for _, id := range t.GetStringSlice(crm.TeamMembers) {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out, nil
}

// Seen keeps, of ids (records of collection), those auth may list, in
// their order: a route that shows records it found by itself (a
// campaign's sample of members) shows only those.
func Seen(app core.App, auth *core.Record, collection string, ids []string) ([]string, error) {
	if len(ids) == 0 || SeesAll(app, auth) {
		return ids, nil
	}
	any := make([]any, len(ids))
	for i, id := range ids {
		any[i] = id
	}
	q := app.RecordQuery(collection).Select(collection + ".id").Distinct(true).AndWhere(dbx.In(collection+".id", any...))
	if err := Visible(app, auth, collection, q); err != nil {
		return nil, err
	}
	var seen []string
	if err := q.Column(&seen); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !slices.Contains(seen, id) }), nil
}
