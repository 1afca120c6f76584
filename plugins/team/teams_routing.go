package team

import (
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// route gives a new request the team its type routes to and, when nobody
// was named, one of that team's active members: in turn (round robin), or
// the one with the fewest open requests (least loaded). A request created
// with an assignee or a team keeps them.
func route(app core.App, c *core.Record) error {
	if c.GetString(crm.CaseTeam) != "" || c.GetString("assignee") != "" {
		return nil
	}
	caseType, err := app.FindRecordById(crm.CaseTypes, c.GetString("type"))
	if err != nil {
		return nil // plugins/requests refuses an unknown type
	}
	teamID := caseType.GetString(crm.CaseTypeRouteTeam)
	if teamID == "" {
		return nil
	}
	t, err := app.FindRecordById(crm.Teams, teamID)
	if err != nil {
		return nil // the team was deleted since: the request waits in the pool
	}
	c.Set(crm.CaseTeam, t.Id)
	members, err := activeMembers(app, t)
	if err != nil || len(members) == 0 {
		return err
	}
	var who string
	if caseType.GetString(crm.CaseTypeRouteMode) == crm.RouteLeastLoaded {
		who, err = leastLoaded(app, members)
	} else {
		who, err = nextInTurn(app, t.Id, members)
	}
	if err != nil {
		return err
	}
	c.Set("assignee", who)
	return nil
}

// activeMembers are the team's members who may still sign in, in the
// team's order.
func activeMembers(app core.App, t *core.Record) ([]string, error) {
	ids := t.GetStringSlice(crm.TeamMembers)
	if len(ids) == 0 {
		return nil, nil
	}
	people, err := app.FindRecordsByIds(crm.Staff, ids)
	if err != nil {
		return nil, err
	}
	active := map[string]bool{}
	for _, p := range people {
		active[p.Id] = !p.GetBool(crm.FieldDeactivated)
	}
	return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !active[id] }), nil
}

// nextInTurn is the member after the one who got the team's last routed
// request (the first when none did, or when that one left the team).
func nextInTurn(app core.App, teamID string, members []string) (string, error) {
	var last []string
	err := app.DB().Select("assignee").From(crm.Cases).
		Where(dbx.HashExp{crm.CaseTeam: teamID}).AndWhere(dbx.NewExp("assignee != ''")).
		OrderBy("created DESC", "id DESC").Limit(1).Column(&last)
	if err != nil {
		return "", err
	}
	if len(last) == 0 {
		return members[0], nil
	}
	i := slices.Index(members, last[0])
	return members[(i+1)%len(members)], nil
}

// leastLoaded is the member with the fewest open requests (the first of
// the team's order among equals).
func leastLoaded(app core.App, members []string) (string, error) {
	var rows []struct {
		Assignee string `db:"assignee"`
		N        int    `db:"n"`
	}
	err := app.DB().Select("assignee", "COUNT(*) AS n").From(crm.Cases).
		Where(dbx.In("assignee", toAny(members)...)).AndWhere(dbx.HashExp{"closed": false}).
		GroupBy("assignee").All(&rows)
	if err != nil {
		return "", err
	}
	load := map[string]int{}
	for _, r := range rows {
		load[r.Assignee] = r.N
	}
	best := members[0]
	for _, m := range members[1:] {
		if load[m] < load[best] {
			best = m
		}
	}
	return best, nil
}

func toAny(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
