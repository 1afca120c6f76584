package access_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/testkit"
)

// The teams mode over the collections added after it (1764006400_team_gaps):
// a contact's value-model scores and portal account follow the contact;
// segments' daily counts (over every contact) are the managers'; partners
// reach none of them.

// Rule tokens, as the migrations write them.
const (
	ruleStaff      = "@request.auth.collectionName = 'staff'"
	ruleRestricted = ruleStaff + " && @request.auth.role != 'partner') && (@request.auth.role = 'manager' || @collection.business_settings.team_visibility ?!= 'teams'"
)

// readNotByTeams are the collections holding a relation to a contact,
// company, deal or request whose staff read does not follow the teams
// mode, each with why. Their read rules may name managers, the customer's
// own and partners' own conditions, never staff at large.
var readNotByTeams = map[string]string{
	crm.AuditLog:      "who looked at a customer's data: managers, and the customer their own (plugins/accesslog)",
	crm.ExportMembers: "who an export held: managers only",
	crm.WebFormOptIns: "a web form's pending double opt-in: the server only",
	// Other helpers of this session (issue 20), expected by name:
	"erasure_requests": "a customer's erasure request: managers, and the customer their own",
}

// staffBranches classifies each staff condition of a rule: "restricted"
// (follows the teams mode), "manager", "partner" (a partner's own
// conditions), "own" (a row of the reader's own), or "plain" (any staff).
func staffBranches(rule string) []string {
	var out []string
	for i := strings.Index(rule, ruleStaff); i >= 0; {
		rest := rule[i:]
		switch {
		case strings.HasPrefix(rest, ruleRestricted):
			out = append(out, "restricted")
		case strings.HasPrefix(rest, ruleStaff+" && @request.auth.role = 'manager'"):
			out = append(out, "manager")
		case strings.HasPrefix(rest, ruleStaff+" && @request.auth.role = 'partner'"):
			out = append(out, "partner")
		case strings.HasPrefix(rest, ruleStaff+" && to = @request.auth.id"), strings.HasPrefix(rest, ruleStaff+" && id = @request.auth.id"):
			out = append(out, "own")
		case strings.HasPrefix(rest, ruleStaff+" && @request.auth.role != 'partner') && (@request.auth.role = 'manager' || @collection.business_settings.team_visibility ?!= 'teams'))"):
			out = append(out, "manager") // managers only in the teams mode
		default:
			out = append(out, "plain")
		}
		next := strings.Index(rule[i+len(ruleStaff):], ruleStaff)
		if next < 0 {
			break
		}
		i += len(ruleStaff) + next
	}
	return out
}

// Every collection that points at a contact, company, deal or request —
// walked from the live schema, so one added later is seen — reads in the
// teams mode only what its reader sees, or is on readNotByTeams with a
// reason and reads for no staff at large.
func TestEveryCustomerCollectionFollowsTeams(t *testing.T) {
	app := testkit.NewApp(t)
	walked := map[string]bool{}
	for _, target := range []string{crm.Contacts, crm.Companies, crm.Deals, crm.Cases} {
		refs, err := crm.RelationsTo(app, target)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range refs {
			walked[r.Collection] = true
		}
	}
	for _, must := range []string{crm.CustomerScores, crm.Customers, crm.Suggestions, crm.Quotes, crm.PersonalChoices, crm.Orders, crm.Subscriptions} {
		if !walked[must] {
			t.Errorf("the walk missed %s", must)
		}
	}
	for name := range walked {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		reason, allowed := readNotByTeams[name]
		for op, r := range map[string]*string{"list": c.ListRule, "view": c.ViewRule} {
			if r == nil {
				if !allowed {
					t.Errorf("%s %s: superusers only, yet not on readNotByTeams", name, op)
				}
				continue
			}
			branches := staffBranches(*r)
			if slices.Contains(branches, "plain") {
				t.Errorf("%s %s: any staff member reads it in the teams mode: %s", name, op, *r)
			}
			if !allowed && !slices.Contains(branches, "restricted") {
				t.Errorf("%s %s: does not follow the teams mode and is not on readNotByTeams: %s", name, op, *r)
			}
			if allowed && slices.Contains(branches, "restricted") {
				t.Errorf("%s %s: follows the teams mode, yet readNotByTeams says %q", name, op, reason)
			}
		}
	}
	for name := range readNotByTeams {
		if _, err := app.FindCollectionByNameOrId(name); err == nil && !walked[name] {
			t.Errorf("%s is on readNotByTeams but points at no contact, company, deal or request", name)
		}
	}
}

// No read rule of any collection lets partners in beside staff at large:
// every staff condition names a role, the reader's own rows, or is one of
// the few collections partners read (request types, the business's
// settings).
func TestNoCollectionReadsForPartnersByAccident(t *testing.T) {
	app := testkit.NewApp(t)
	open := []string{crm.CaseTypes, crm.BusinessSettings}
	for _, name := range crm.AllCollections {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil || slices.Contains(open, name) {
			continue
		}
		for _, r := range []*string{c.ListRule, c.ViewRule} {
			if r == nil {
				continue
			}
			for i := strings.Index(*r, ruleStaff); i >= 0; {
				rest := (*r)[i+len(ruleStaff):]
				if !strings.HasPrefix(rest, " && @request.auth.role") && !strings.HasPrefix(rest, " && to = ") && !strings.HasPrefix(rest, " && id = ") {
					t.Errorf("%s reads for every staff member, partners too: %s", name, *r)
					break
				}
				next := strings.Index(rest, ruleStaff)
				if next < 0 {
					break
				}
				i += len(ruleStaff) + next
			}
		}
	}
}

// gapsWorld is the teams world with scores of three contacts, a segment
// with a day's snapshot, and the fixture's portal accounts.
func gapsWorld(t *testing.T) *testkit.World {
	w := teamWorld(t)
	w.Make(t, "fit1", crm.PredictionFits, map[string]any{crm.FitFittedAt: time.Now(), crm.FitTrigger: crm.FitNightly})
	for label, contact := range map[string]string{"scA": "ctA", "scC": "ctC", "scD": "ctD"} {
		w.Make(t, label, crm.CustomerScores, map[string]any{crm.ScoreContact: w.ID(contact), crm.ScoreFit: w.ID("fit1"), crm.ScoreCLV: 100})
	}
	w.Make(t, "sgAll", crm.Segments, map[string]any{crm.SegmentName: "Everyone", crm.SegmentDefinition: `{"match":"all","conditions":[]}`})
	w.Make(t, "snOld", crm.SegmentSnapshots, map[string]any{crm.SnapSegment: w.ID("sgAll"), crm.SnapDay: "2020-01-01", crm.SnapMembers: 5})
	return w
}

// gapsSees: per collection changed in the teams mode, what each actor lists,
// views and hears about.
func gapsSees() map[string]map[string][]string {
	both := func(a, b, p []string) map[string][]string {
		return map[string][]string{agent: a, readonly: a, agentB: b, partner: p}
	}
	return map[string]map[string][]string{
		crm.CustomerScores:   both([]string{"scA", "scD"}, []string{"scC", "scD"}, nil),
		crm.Customers:        both([]string{"cuA", "cuB", "cuD"}, []string{"cuC", "cuD"}, nil),
		crm.SegmentSnapshots: both(nil, nil, nil),
	}
}

// In the teams mode: agent A sees the scores and portal accounts of team
// A's contacts and the pool, agent B team B's; the segments' counts over
// every contact are the manager's; the partner none. Back in the
// "everyone" mode, every member but the partner sees them all.
func TestTeamVisibilityOfLaterCollections(t *testing.T) {
	w := gapsWorld(t)
	labelsOf := map[string][]string{
		crm.CustomerScores: {"scA", "scC", "scD"}, crm.Customers: {"cuA", "cuB", "cuC", "cuD"}, crm.SegmentSnapshots: {"snOld"},
	}
	for collection, sees := range gapsSees() {
		labels := labelsOf[collection]
		sees[manager] = labels
		t.Run(collection, func(t *testing.T) {
			s := spec{collection: collection, labels: labels, sees: sees}
			for _, actor := range teamActors {
				checkListAndView(t, w, s, actor)
			}
			checkTeamRealtime(t, w, s)
		})
	}
	setVisibility(t, w, crm.VisibilityEveryone)
	for collection, labels := range labelsOf {
		s := spec{collection: collection, labels: labels, sees: map[string][]string{manager: labels, agent: labels, agentB: labels, readonly: labels}}
		for _, actor := range teamActors {
			checkListAndView(t, w, s, actor)
		}
	}
}

// A partner marks their own notifications read (the bell's "mark all
// read"), and only theirs; their other notification routes stay closed.
func TestPartnerMarksTheirNotificationsRead(t *testing.T) {
	w := teamWorld(t)
	for _, to := range []string{"stP", "stG"} {
		w.Make(t, "nt"+to, crm.Notifications, map[string]any{crm.NotifTo: w.ID(to), crm.NotifEvent: crm.NotifyAssigned,
			crm.NotifCollection: crm.Cases, crm.NotifRecord: w.ID("csP")})
	}
	res := w.Do(t, http.MethodPost, "/api/crm/notifications/read-all", partner, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("partner read-all: %d %s", res.Status, res.Body)
	}
	if w.Find(t, crm.Notifications, w.ID("ntstP")).GetDateTime(crm.NotifReadAt).IsZero() {
		t.Error("the partner's own notification is still unread")
	}
	if !w.Find(t, crm.Notifications, w.ID("ntstG")).GetDateTime(crm.NotifReadAt).IsZero() {
		t.Error("the partner's read-all marked agent A's notification read")
	}
	for _, r := range []route{
		{http.MethodGet, "/api/crm/notifications/settings", nil, nil, 0},
		{http.MethodPut, "/api/crm/notifications/settings", map[string]any{"digest_hour": 9}, nil, 0},
	} {
		if res := w.Do(t, r.method, r.path, partner, r.body); res.Status != http.StatusForbidden {
			t.Errorf("partner %s %s: %d, want 403", r.method, r.path, res.Status)
		}
	}
}

// A campaign's preview counts every member (the campaign goes to them
// all), but in the teams mode an agent's examples name only customers
// they see.
func TestCampaignPreviewExamplesFollowTeams(t *testing.T) {
	w := gapsWorld(t)
	camp := w.Make(t, "cpAll", crm.Campaigns, map[string]any{crm.CampName: "To everyone", crm.CampSegment: w.ID("sgAll"),
		crm.CampBodyEN: "Hello {{contact.first_name}}", crm.CampState: crm.CampaignDraft, crm.CampOwner: w.ID("stM")})
	sample := func(who string) (ids []string, members int) {
		res := w.Do(t, http.MethodGet, "/api/crm/campaigns/"+camp.Id+"/preview", who, nil)
		var p struct {
			Members int `json:"members"`
			Sample  []struct {
				Contact string `json:"contact"`
			} `json:"sample"`
		}
		if res.Status != http.StatusOK {
			t.Fatalf("%s preview: %d %s", who, res.Status, res.Body)
		}
		res.JSON(t, &p)
		for _, x := range p.Sample {
			ids = append(ids, x.Contact)
		}
		return ids, p.Members
	}
	all, members := sample(manager)
	for _, l := range []string{"ctA", "ctC"} {
		if !slices.Contains(all, w.ID(l)) {
			t.Errorf("the manager's examples lack %s: %v", l, all)
		}
	}
	mine, membersB := sample(agentB)
	if membersB != members || len(mine) == 0 {
		t.Errorf("agent B's preview: %d members (manager %d), examples %v", membersB, members, mine)
	}
	for _, id := range mine {
		if id == w.ID("ctA") || id == w.ID("ctB") {
			t.Errorf("agent B's examples name team A's customer %s", id)
		}
	}
}
