package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Next best action (issue 18): each contact's suggestions from the value
// model — a reorder due, likely to lapse, a product often bought with what
// they have, an open request that holds offers back, a valuable customer
// slipping — with their reasons and what the team did with them. Staff
// read (under the business's team visibility, like the contact they are
// about); only the server writes: writers accept or dismiss through
// /api/crm/suggestions/{id}/accept|dismiss, customers read the reasons of
// their own through the portal's /api/crm/portal/profiling, never the
// collection.
func init() {
	m.Register(suggestionsUp, suggestionsDown)
}

func suggestionsUp(app core.App) error {
	c := core.NewBaseCollection(crm.Suggestions)
	c.Fields.Add(
		relation(app, crm.SuggestContact, crm.Contacts, true, true),
		relation(app, crm.SuggestOwner, crm.Staff, false, false),
		choice(crm.SuggestKind, true, crm.SuggestKinds...),
		text(crm.SuggestSubject, false, 200),
		text(crm.SuggestKey, true, 300),
		jsonField(crm.SuggestReasons, true, 16<<10),
		number(crm.SuggestRank, false, 0, 1e6, false),
		date(crm.SuggestDue, false),
		choice(crm.SuggestState, true, crm.SuggestionStates...),
		relation(app, crm.SuggestDecidedBy, crm.Staff, false, false),
		date(crm.SuggestDecidedAt, false),
		text(crm.SuggestNote, false, 2000),
		relation(app, crm.SuggestTask, crm.Tasks, false, false),
		relation(app, crm.SuggestFit, crm.PredictionFits, false, false),
		date(crm.SuggestComputedAt, false),
	)
	c.Fields.Add(timestamps()...)
	describe(c, "A suggestion of what to do next with a contact, from the customer value model: its kind, its reasons with the numbers behind them, and who accepted or dismissed it, when and why. Staff read; only the server writes. None for a contact who objected to profiling.")
	setRules(c, rules{read: rule(isStaff)})
	index(c, false, crm.SuggestContact, crm.SuggestKind, crm.SuggestSubject)
	index(c, false, crm.SuggestOwner, crm.SuggestState)
	index(c, false, crm.SuggestDecidedBy)
	index(c, false, crm.SuggestTask)
	index(c, false, crm.SuggestFit)
	if err := app.Save(c); err != nil {
		return err
	}
	// Agents and readonly staff see the suggestions of the contacts they
	// see when the business works in teams (1764005400_teams_visibility).
	visibilityRules(app, c)
	return app.Save(c)
}

func suggestionsDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Suggestions)
	if err != nil {
		return nil
	}
	return app.Delete(c)
}
