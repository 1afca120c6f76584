package campaigns

import (
	"regexp"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// Variables a campaign's subject and body may use, written {{contact.name}}
// (the names of the email templates', Settings > Templates, that make sense
// without a request or a writer).
var Variables = []string{"contact.name", "contact.first_name", "contact.email", "contact.company", "business.name", "portal_link"}

var variable = regexp.MustCompile(`\{\{\s*([^{}\s]*)\s*\}\}`)

// unknownVariables are the variables of text that are not Variables, once each.
func unknownVariables(text string) []string {
	var out []string
	for _, m := range variable.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(Variables, m[1]) && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// fill replaces the variables of text; one with no value for this contact
// (no company, say) is left out rather than sent as {{...}}.
func fill(text string, values map[string]string) string {
	return variable.ReplaceAllStringFunc(text, func(m string) string {
		return strings.TrimSpace(values[variable.FindStringSubmatch(m)[1]])
	})
}

// language is the one the contact reads: theirs, else the business's, else
// English; when the campaign has no message in it, the other one.
func language(cfg *crm.Config, camp, contact *core.Record) string {
	lang := "en"
	for _, l := range []string{contact.GetString("language"), cfg.BusinessNow().Language} {
		if slices.Contains(crm.Languages, l) {
			lang = l
			break
		}
	}
	body := map[string]string{"en": crm.CampBodyEN, "pt-BR": crm.CampBodyPT}
	if strings.TrimSpace(camp.GetString(body[lang])) == "" {
		for _, other := range crm.Languages {
			if strings.TrimSpace(camp.GetString(body[other])) != "" {
				return other
			}
		}
	}
	return lang
}

// values are what the variables say for contact.
func values(app core.App, cfg *crm.Config, contact *core.Record) map[string]string {
	v := map[string]string{"business.name": cfg.BusinessNow().Name}
	if v["business.name"] == "" {
		v["business.name"] = app.Settings().Meta.AppName
	}
	if base := strings.TrimRight(cfg.PublicURL, "/"); base != "" {
		v["portal_link"] = base + "/portal/"
	}
	name := strings.TrimSpace(contact.GetString("name"))
	v["contact.name"] = name
	v["contact.first_name"], _, _ = strings.Cut(name, " ")
	v["contact.email"] = contact.GetString(crm.FieldEmail)
	if co := contact.GetString(crm.FieldCompany); co != "" {
		if r, err := app.FindRecordById(crm.Companies, co); err == nil {
			v["contact.company"] = r.GetString("name")
		}
	}
	return v
}

// message is what the campaign queues for contact: its wording in the
// contact's language, under the marketing purpose, as news (of its topic,
// when it has one) for the customer's choices. The preview asks the outbox
// about exactly this message.
func message(app core.App, cfg *crm.Config, camp, contact *core.Record, by string) outbox.Queued {
	subject, body := crm.CampSubjectEN, crm.CampBodyEN
	if language(cfg, camp, contact) == "pt-BR" {
		subject, body = crm.CampSubjectPT, crm.CampBodyPT
	}
	v := values(app, cfg, contact)
	return outbox.Queued{
		Contact:   contact.Id,
		Purpose:   crm.PurposeMarketing,
		Channel:   camp.GetString(crm.CampChannel),
		Subject:   fill(camp.GetString(subject), v),
		Body:      fill(camp.GetString(body), v),
		Kind:      crm.KindNews,
		Topic:     camp.GetString(crm.CampTopic),
		CreatedBy: by,
		Campaign:  camp.Id,
	}
}
