package migrations

import (
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Web-to-lead: the forms a business puts on its own site (staff read,
// managers write), the consents they ask waiting for the link of their
// confirmation mail (server-only), and on consents the proof of a consent
// given by double opt-in: what was agreed to, when, from where, on which
// form. Nobody sends a proof through the API: the server alone writes it.
func init() {
	m.Register(webFormsUp, webFormsDown)
}

func webFormsUp(app core.App) error {
	forms := core.NewBaseCollection(crm.WebForms)
	forms.Fields.Add(
		text(crm.FormName, true, 120),
		jsonField(crm.FormFields, false, 16<<10),
		jsonField(crm.FormConsent, false, 16<<10),
		choices(crm.FormPurposes, crm.PurposeMarketing, "profiling", "research"),
		choice(crm.FormCreates, true, crm.FormCreatesLead, crm.FormCreatesRequest),
		relation(app, crm.FormCaseType, crm.CaseTypes, false, false),
		jsonField(crm.FormOrigins, false, 8<<10),
		jsonField(crm.FormThanks, false, 8<<10),
		boolean(crm.FormActive),
	)
	forms.Fields.Add(timestamps()...)
	describe(forms, "One row per web form a business embeds on its own site: fields asked, consent text and purposes, what it creates, sites that may show it. Staff read, managers write.")
	setRules(forms, managersWrite())
	index(forms, false, crm.FormCaseType)
	index(forms, false, crm.FormName)
	if err := app.Save(forms); err != nil {
		return err
	}

	optins := core.NewBaseCollection(crm.WebFormOptIns)
	optins.Fields.Add(
		relation(app, crm.OptInForm, crm.WebForms, false, false),
		relation(app, crm.OptInContact, crm.Contacts, true, true),
		email(crm.OptInEmail, true),
		choice(crm.OptInLanguage, false, crm.Languages...),
		jsonField(crm.OptInPurposes, true, 4<<10),
		text(crm.OptInText, true, 5000),
		text(crm.OptInSentIP, false, 64),
		text(crm.OptInSentAgent, false, 1000),
		pattern(crm.OptInTokenHash, true, 64, `^[0-9a-f]{64}$`),
		date(crm.OptInExpires, true),
		date(crm.OptInConfirmedAt, false),
		text(crm.OptInIP, false, 64),
		text(crm.OptInAgent, false, 1000),
	)
	optins.Fields.Add(timestamps()...)
	describe(optins, "One row per consent asked on a web form, waiting for (or done by) the link of its confirmation mail: text shown, where it was sent from, token hash. Server-only.")
	index(optins, true, crm.OptInTokenHash)
	index(optins, false, crm.OptInForm)
	index(optins, false, crm.OptInContact)
	index(optins, false, crm.OptInExpires)
	if err := app.Save(optins); err != nil {
		return err
	}

	consents, err := app.FindCollectionByNameOrId(crm.Consents)
	if err != nil {
		return err
	}
	if src, ok := consents.Fields.GetByName("source").(*core.SelectField); ok && !slices.Contains(src.Values, crm.ConsentSourceWebForm) {
		src.Values = append(src.Values, crm.ConsentSourceWebForm)
	}
	consents.Fields.Add(jsonField(crm.ConsentProof, false, 16<<10))
	if consents.CreateRule != nil {
		consents.CreateRule = rule("(" + *consents.CreateRule + ") && @request.body." + crm.ConsentProof + ":isset = false")
	}
	return app.Save(consents)
}

func webFormsDown(app core.App) error {
	if consents, err := app.FindCollectionByNameOrId(crm.Consents); err == nil {
		consents.Fields.RemoveByName(crm.ConsentProof)
		if r := consents.CreateRule; r != nil {
			consents.CreateRule = rule(strings.TrimSuffix(strings.TrimPrefix(*r, "("), ") && @request.body."+crm.ConsentProof+":isset = false"))
		}
		if src, ok := consents.Fields.GetByName("source").(*core.SelectField); ok {
			src.Values = slices.DeleteFunc(src.Values, func(v string) bool { return v == crm.ConsentSourceWebForm })
		}
		if err := app.Save(consents); err != nil {
			return err
		}
	}
	for _, name := range []string{crm.WebFormOptIns, crm.WebForms} {
		if c, err := app.FindCollectionByNameOrId(name); err == nil {
			if err := app.Delete(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// describe sets the collection's description (the help of its id field).
func describe(c *core.Collection, help string) {
	if id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField); ok {
		id.Help = help
	}
}
