package demo

import (
	"github.com/pocketbase/dbx"

	"vinculo/crm"
)

// partnerID is Paulo, the demo's partner technician (sign in as
// paulo@vinculo.example with the demo password).
var partnerID = id("st", 90)

// teams: Vendas (Marina) and Suporte (Rafael and Beatriz), service orders
// routed to Suporte in turn, and Paulo, a partner technician with the
// oldest open service order. The business keeps "everyone sees everything"
// until a manager chooses otherwise in Settings → Teams.
func (g *generator) teams() error {
	if _, err := g.save(crm.Staff, partnerID, map[string]any{"name": "Paulo Técnico", "email": "paulo@vinculo.example",
		"role": crm.RolePartner, "language": "pt-BR", "timezone": "America/Sao_Paulo"}); err != nil {
		return err
	}
	if _, err := g.save(crm.Teams, id("tm", 1), map[string]any{crm.TeamName: "Vendas", crm.TeamDescription: "Vendas e contas",
		crm.TeamManager: staffIDs[0], crm.TeamMembers: []string{staffIDs[0]}}); err != nil {
		return err
	}
	support, err := g.save(crm.Teams, id("tm", 2), map[string]any{crm.TeamName: "Suporte", crm.TeamDescription: "Atendimento e assistência técnica",
		crm.TeamManager: staffIDs[0], crm.TeamMembers: []string{staffIDs[1], staffIDs[2]}})
	if err != nil {
		return err
	}
	os, err := g.app.FindFirstRecordByData(crm.CaseTypes, "code", "OS")
	if err != nil {
		return nil // a business without service orders
	}
	if os.GetString(crm.CaseTypeRouteTeam) == "" {
		os.Set(crm.CaseTypeRouteTeam, support.Id)
		os.Set(crm.CaseTypeRouteMode, crm.RouteRoundRobin)
		if err := g.app.Save(os); err != nil {
			return err
		}
	}
	if n, _ := g.app.CountRecords(crm.Cases, dbx.HashExp{"assignee": partnerID}); n > 0 {
		return nil
	}
	open, err := g.app.FindRecordsByFilter(crm.Cases, "type = {:t} && closed = false", "created", 1, 0, dbx.Params{"t": os.Id})
	if err != nil || len(open) == 0 {
		return err
	}
	open[0].Set("assignee", partnerID)
	open[0].Set(crm.CaseTeam, support.Id)
	crm.Quietly(open[0])
	return g.app.Save(open[0])
}
