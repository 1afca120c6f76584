package team

import (
	"slices"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
)

// bindTeams keeps teams sound (a partner leads or joins no team: they are
// outside the company) and routes new requests to the team their type
// names (teams_routing.go).
func bindTeams(app core.App) {
	app.OnRecordValidate(crm.Teams).BindFunc(func(e *core.RecordEvent) error {
		if err := checkTeam(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordValidate(crm.CaseTypes).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(crm.CaseTypeRouteTeam) != "" && e.Record.GetString(crm.CaseTypeRouteMode) == "" {
			return validation.Errors{crm.CaseTypeRouteMode: validation.NewError("validation_route_mode",
				"Choose how requests are shared among the team: in turn or to the least loaded.")}
		}
		return e.Next()
	})
	app.OnRecordCreate(crm.Cases).Bind(&hook.Handler[*core.RecordEvent]{
		Func: func(e *core.RecordEvent) error {
			if err := route(e.App, e.Record); err != nil {
				return err
			}
			return e.Next()
		},
		Priority: -20, // before plugins/requests (-10) and the notifications of the assignee
	})
}

// checkTeam refuses a partner as a team's manager or member.
func checkTeam(app core.App, t *core.Record) error {
	ids := append([]string{t.GetString(crm.TeamManager)}, t.GetStringSlice(crm.TeamMembers)...)
	ids = slices.DeleteFunc(ids, func(id string) bool { return id == "" })
	if len(ids) == 0 {
		return nil
	}
	people, err := app.FindRecordsByIds(crm.Staff, ids)
	if err != nil {
		return err
	}
	for _, p := range people {
		if p.GetString(crm.FieldRole) != crm.RolePartner {
			continue
		}
		field := crm.TeamMembers
		if p.Id == t.GetString(crm.TeamManager) {
			field = crm.TeamManager
		}
		return validation.Errors{field: validation.NewError("validation_partner_in_team",
			p.GetString("name")+" is a partner: partners work on the requests assigned to them and belong to no team.")}
	}
	return nil
}
