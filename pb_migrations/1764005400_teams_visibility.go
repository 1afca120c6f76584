package migrations

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Who sees what (issue 16): the business chooses between "everyone sees
// everything" (business_settings.team_visibility = everyone, the default)
// and "teams": agents and readonly staff then see the records owned by
// themselves or a member of one of their teams, the requests assigned to
// them or their teams, what hangs off those (timeline, tasks, orders,
// messages...), and the pool nobody owns yet; managers see everything.
// Partners (staff role `partner`) see only the requests assigned to them,
// their messages, and of each one's customer the contact (its fields are
// cut to the name and contact points by plugins/team: partner.go).
//
// Every rule of every collection is rewritten here by one builder
// (visibilityRules): the plain staff condition of a read rule becomes
// "staff, not a partner, and (manager, or everyone sees everything, or the
// record is visible)", and so do the writers' update and delete conditions;
// the partner's own conditions are appended to the few collections they
// use. Realtime, expands, files, search, exports and the 360 page read
// through these rules.
//
// Also: cases.team (set by routing or by hand) and the routing of a request
// type to a team (case_types.route_team, route_mode).
func init() {
	m.Register(teamsVisibilityUp, teamsVisibilityDown)
}

const (
	staffToken  = "@request.auth.collectionName = 'staff'"
	notPartner  = "@request.auth.role != '" + crm.RolePartner + "'"
	isPartner   = "(" + staffToken + " && @request.auth.role = '" + crm.RolePartner + "')"
	everyoneSee = "@collection." + crm.BusinessSettings + "." + crm.BusinessTeamVisibility + " ?!= '" + crm.VisibilityTeams + "'"
	meID        = "@request.auth.id"
)

// Placeholders of the three staff conditions while a rule is rewritten.
const (
	phWriter  = "\x00W\x00"
	phManager = "\x00M\x00"
	phStaff   = "\x00S\x00"
)

// partnerReads are the collections partners read beyond their requests:
// the request types (statuses and moves), the business's own settings
// (name, time zone, hours) and their own notifications.
var partnerReads = []string{crm.CaseTypes, crm.BusinessSettings, crm.Notifications}

// ownedBy: field (a staff relation, reached through prefix) is the reader
// or a member of one of the reader's teams.
func ownedBy(prefix, field string) string {
	f := prefix + field
	return fmt.Sprintf("(%s = %s || %s.teams_via_%s.%s.id ?= %s)", f, meID, f, crm.TeamMembers, crm.TeamMembers, meID)
}

// ownerSees: a record with an owner is seen by its owner's teams; a record
// nobody owns is the pool everyone picks from.
func ownerSees(prefix string) string {
	return fmt.Sprintf("(%s%s = '' || %s)", prefix, crm.FieldOwner, ownedBy(prefix, crm.FieldOwner))
}

// caseSees: a request assigned to the reader, to a member of their teams or
// to one of their teams, or about a customer their teams own; an unassigned
// request without a team is the pool.
func caseSees(prefix string) string {
	return fmt.Sprintf("(%s || %s%s.%s.id ?= %s || (%sassignee = '' && %s%s = '') || (%s%s != '' && %s))",
		ownedBy(prefix, "assignee"), prefix, crm.CaseTeam, crm.TeamMembers, meID, prefix, prefix, crm.CaseTeam,
		prefix, crm.FieldContact, ownedBy(prefix+crm.FieldContact+".", crm.FieldOwner))
}

// linkSees: what a record linked to a contact, company, deal or request
// through field sees of it.
func linkSees(field, target string) string {
	var cond string
	switch target {
	case crm.Cases:
		cond = caseSees(field + ".")
	default:
		cond = ownerSees(field + ".")
	}
	return fmt.Sprintf("(%s != '' && %s)", field, cond)
}

// ownerFields are the staff relations that make a record someone's.
var ownerFields = []string{crm.FieldOwner, "assignee", "created_by", "staff", "author_staff"}

// visible is the condition under which an agent or readonly member sees a
// record of c in the teams mode; "" when c is not governed by teams.
func visible(app core.App, c *core.Collection) string {
	switch c.Name {
	case crm.Contacts, crm.Companies, crm.Deals:
		return ownerSees("")
	case crm.Staff, crm.Teams, crm.Customers, crm.AuditLog:
		return ""
	}
	targets := map[string]string{}
	for _, name := range []string{crm.Contacts, crm.Companies, crm.Deals, crm.Cases, crm.Staff} {
		if t, err := app.FindCachedCollectionByNameOrId(name); err == nil {
			targets[t.Id] = name
		}
	}
	// The narrowest link decides: a timeline entry about a request follows
	// the request, not the customer it is about.
	type link struct{ field, target string }
	var links []link
	var owners, empty []string
	for _, f := range c.Fields {
		rel, ok := f.(*core.RelationField)
		if !ok || rel.MaxSelect > 1 || rel.Hidden {
			continue
		}
		target := targets[rel.CollectionId]
		switch {
		case target == crm.Staff && slices.Contains(ownerFields, rel.Name):
			owners = append(owners, ownedBy("", rel.Name))
		case target != "" && target != crm.Staff:
			links = append(links, link{rel.Name, target})
		default:
			continue
		}
		empty = append(empty, rel.Name+" = ''")
	}
	if len(links) == 0 {
		return "" // not customer data: everyone sees it
	}
	if c.Name == crm.Cases {
		return caseSees("")
	}
	narrow := []string{crm.Cases, crm.Deals, crm.Contacts, crm.Companies}
	slices.SortStableFunc(links, func(a, b link) int { return slices.Index(narrow, a.target) - slices.Index(narrow, b.target) })
	parts := owners
	var wider []string
	for _, l := range links {
		cond := linkSees(l.field, l.target)
		if len(wider) > 0 {
			cond = "(" + strings.Join(wider, " && ") + " && " + cond + ")"
		}
		parts = append(parts, cond)
		wider = append(wider, l.field+" = ''")
	}
	parts = append(parts, "("+strings.Join(empty, " && ")+")")
	return "(" + strings.Join(parts, " || ") + ")"
}

// partnerRules are what a partner may do in c, by operation.
func partnerRules(c *core.Collection) map[string]string {
	p := isPartner
	switch c.Name {
	case crm.Cases:
		mine := "(" + p + " && assignee = " + meID + ")"
		return map[string]string{"list": mine, "view": mine,
			// their status only; the type's transitions are checked by plugins/requests
			"update": "(" + p + " && assignee = " + meID + " && " + onlyBodyFields(c, "status") + ")"}
	case crm.CaseMessages:
		mine := "(" + p + " && case.assignee = " + meID + ")"
		return map[string]string{"list": mine, "view": mine,
			"create": "(" + p + " && case.assignee = " + meID + " && author_customer = '' && (author_staff = '' || author_staff = " + meID + ") && " +
				onlyBodyFields(c, "case", "body", "internal", "attachments", "author_staff") + ")"}
	case crm.Contacts:
		// no list: a partner opens the customer of one of their requests
		return map[string]string{"view": "(" + p + " && cases_via_contact.assignee ?= " + meID + ")"}
	case crm.Staff:
		self := "(" + p + " && id = " + meID + ")"
		return map[string]string{"list": self, "view": self}
	}
	return nil
}

// rewrite gives one rule its visibility and partner conditions.
func rewrite(rule *string, op string, c *core.Collection, vis string, partner map[string]string) *string {
	if rule == nil {
		return nil
	}
	r := strings.ReplaceAll(*rule, isWriter, phWriter)
	r = strings.ReplaceAll(r, isManager, phManager)
	r = strings.ReplaceAll(r, staffToken, phStaff)
	restricted := func(cond string) string {
		if vis == "" {
			return cond
		}
		return "(" + cond + " && (@request.auth.role = '" + crm.RoleManager + "' || " + everyoneSee + " || " + vis + "))"
	}
	staff := "(" + staffToken + " && " + notPartner + ")"
	if slices.Contains(partnerReads, c.Name) {
		staff = staffToken
	}
	switch op {
	case "list", "view":
		r = strings.ReplaceAll(r, phStaff, restricted(staff))
	case "update", "delete":
		r = strings.ReplaceAll(r, phWriter, restricted(isWriter))
		r = strings.ReplaceAll(r, phStaff, staff)
	case "create":
		if c.Name == crm.CaseMessages {
			// a note or reply only on a request the writer sees
			r = strings.ReplaceAll(r, phWriter, "("+isWriter+" && (@request.auth.role = '"+crm.RoleManager+"' || "+everyoneSee+" || "+caseSees("case.")+"))")
		}
		r = strings.ReplaceAll(r, phStaff, staff)
	default:
		r = strings.ReplaceAll(r, phStaff, staff)
	}
	r = strings.ReplaceAll(r, phWriter, isWriter)
	r = strings.ReplaceAll(r, phManager, isManager)
	if extra := partner[op]; extra != "" {
		if r == "" {
			r = extra
		} else {
			r = "(" + r + ") || " + extra
		}
	}
	return &r
}

// visibilityRules rewrites every rule of c (see the top of this file).
func visibilityRules(app core.App, c *core.Collection) {
	vis := visible(app, c)
	partner := partnerRules(c)
	c.ListRule = rewrite(c.ListRule, "list", c, vis, partner)
	c.ViewRule = rewrite(c.ViewRule, "view", c, vis, partner)
	c.CreateRule = rewrite(c.CreateRule, "create", c, vis, partner)
	c.UpdateRule = rewrite(c.UpdateRule, "update", c, vis, partner)
	c.DeleteRule = rewrite(c.DeleteRule, "delete", c, vis, partner)
	if c.IsAuth() {
		c.ManageRule = rewrite(c.ManageRule, "manage", c, vis, partner)
	}
}

func teamsVisibilityUp(app core.App) error {
	if err := teamsVisibilityFields(app); err != nil {
		return err
	}
	cols, err := app.FindAllCollections()
	if err != nil {
		return err
	}
	for _, c := range cols {
		if c.System || !slices.Contains(crm.AllCollections, c.Name) {
			continue
		}
		visibilityRules(app, c)
		if err := app.Save(c); err != nil {
			return fmt.Errorf("rules of %s: %w", c.Name, err)
		}
	}
	return nil
}

// teamsVisibilityFields adds the partner role, the business's choice, a
// request's team and a request type's routing.
func teamsVisibilityFields(app core.App) error {
	staff, err := app.FindCollectionByNameOrId(crm.Staff)
	if err != nil {
		return err
	}
	role := staff.Fields.GetByName(crm.FieldRole).(*core.SelectField)
	if !slices.Contains(role.Values, crm.RolePartner) {
		role.Values = append(role.Values, crm.RolePartner)
	}
	if err := app.Save(staff); err != nil {
		return err
	}

	business, err := app.FindCollectionByNameOrId(crm.BusinessSettings)
	if err != nil {
		return err
	}
	business.Fields.Add(choice(crm.BusinessTeamVisibility, false, crm.VisibilityEveryone, crm.VisibilityTeams))
	if err := app.Save(business); err != nil {
		return err
	}
	if _, err := app.DB().Update(crm.BusinessSettings, dbx.Params{crm.BusinessTeamVisibility: crm.VisibilityEveryone},
		dbx.HashExp{crm.BusinessTeamVisibility: ""}).Execute(); err != nil {
		return err
	}

	cases, err := app.FindCollectionByNameOrId(crm.Cases)
	if err != nil {
		return err
	}
	cases.Fields.Add(relation(app, crm.CaseTeam, crm.Teams, false, false))
	index(cases, false, crm.CaseTeam, "closed")
	if err := app.Save(cases); err != nil {
		return err
	}

	types, err := app.FindCollectionByNameOrId(crm.CaseTypes)
	if err != nil {
		return err
	}
	types.Fields.Add(relation(app, crm.CaseTypeRouteTeam, crm.Teams, false, false),
		choice(crm.CaseTypeRouteMode, false, crm.RouteModes...))
	index(types, false, crm.CaseTypeRouteTeam)
	return app.Save(types)
}

// teamsVisibilityDown puts back the rules as they were before, then drops
// the fields.
func teamsVisibilityDown(app core.App) error {
	cols, err := app.FindAllCollections()
	if err != nil {
		return err
	}
	for _, c := range cols {
		if c.System || !slices.Contains(crm.AllCollections, c.Name) {
			continue
		}
		unrewriteRules(app, c)
		if err := app.Save(c); err != nil {
			return err
		}
	}
	for name, fields := range map[string][]string{
		crm.Cases:            {crm.CaseTeam},
		crm.CaseTypes:        {crm.CaseTypeRouteTeam, crm.CaseTypeRouteMode},
		crm.BusinessSettings: {crm.BusinessTeamVisibility},
	} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		for _, f := range fields {
			c.Fields.RemoveByName(f)
		}
		c.RemoveIndex("idx_" + c.Name + "_" + strings.Join(fields[:1], "_"))
		c.RemoveIndex("idx_" + c.Name + "_" + fields[0] + "_closed")
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}

// unrewriteRules undoes visibilityRules on c, whose fields are unchanged.
func unrewriteRules(app core.App, c *core.Collection) {
	vis := visible(app, c)
	partner := partnerRules(c)
	undo := func(rule *string, op string) *string {
		if rule == nil {
			return nil
		}
		r := *rule
		if extra := partner[op]; extra != "" {
			if r == extra {
				r = ""
			} else if strings.HasSuffix(r, ") || "+extra) && strings.HasPrefix(r, "(") {
				r = r[1 : len(r)-len(") || "+extra)]
			}
		}
		staff := "(" + staffToken + " && " + notPartner + ")"
		if vis != "" {
			tail := " && (@request.auth.role = '" + crm.RoleManager + "' || " + everyoneSee + " || " + vis + "))"
			r = strings.ReplaceAll(r, "("+staff+tail, staffToken)
			r = strings.ReplaceAll(r, "("+isWriter+tail, isWriter)
		}
		if c.Name == crm.CaseMessages {
			r = strings.ReplaceAll(r, "("+isWriter+" && (@request.auth.role = '"+crm.RoleManager+"' || "+everyoneSee+" || "+caseSees("case.")+"))", isWriter)
		}
		r = strings.ReplaceAll(r, staff, staffToken)
		return &r
	}
	c.ListRule, c.ViewRule = undo(c.ListRule, "list"), undo(c.ViewRule, "view")
	c.CreateRule, c.UpdateRule, c.DeleteRule = undo(c.CreateRule, "create"), undo(c.UpdateRule, "update"), undo(c.DeleteRule, "delete")
	if c.IsAuth() {
		c.ManageRule = undo(c.ManageRule, "manage")
	}
}
