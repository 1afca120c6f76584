package email

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// The business's email templates (email_templates, Settings > Templates):
// a subject and a body per language with variables written {{contact.name}}.
// A template is checked when a manager saves it (a variable Vinculo does not
// know is refused, naming the field) and filled when staff start an email
// from it, in the contact's language.

// Variables a template may use.
var Variables = []string{
	"contact.name", "contact.first_name", "contact.email", "contact.company",
	"request.reference", "request.subject", "request.status", "request.type",
	"portal_link", "business.name", "staff.name",
}

// variable finds {{ name }} in a text.
var variable = regexp.MustCompile(`\{\{\s*([^{}\s]*)\s*\}\}`)

// unknownVariables are the variables of text Vinculo does not know, once each.
func unknownVariables(text string) []string {
	var out []string
	for _, m := range variable.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(Variables, m[1]) && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// Placeholders are the {{...}} left in a text: variables with no value here
// or unknown ones. An email is not sent with any.
func Placeholders(text string) []string {
	var out []string
	for _, m := range variable.FindAllString(text, -1) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// fill replaces the variables of text that have a value; the others stay as
// written, and are listed (once each) in missing.
func fill(text string, values map[string]string, missing *[]string) string {
	return variable.ReplaceAllStringFunc(text, func(m string) string {
		name := variable.FindStringSubmatch(m)[1]
		if v := strings.TrimSpace(values[name]); v != "" {
			return v
		}
		if !slices.Contains(*missing, name) {
			*missing = append(*missing, name)
		}
		return m
	})
}

// Rendered is a template filled for one contact (and request).
type Rendered struct {
	Language string   `json:"language"`
	Subject  string   `json:"subject"`
	Body     string   `json:"body"`
	Purpose  string   `json:"purpose"`
	Missing  []string `json:"missing"` // variables with no value here (or unknown): left as {{...}}
}

// render fills template tpl in lang (the other language when tpl has none
// in lang) with values.
func render(tpl *core.Record, lang string, values map[string]string) Rendered {
	subjectF, bodyF, otherS, otherB := crm.TplSubjectEN, crm.TplBodyEN, crm.TplSubjectPT, crm.TplBodyPT
	used, other := "en", "pt-BR"
	if lang == "pt-BR" {
		subjectF, bodyF, otherS, otherB = otherS, otherB, subjectF, bodyF
		used, other = other, used
	}
	if strings.TrimSpace(tpl.GetString(bodyF)) == "" && strings.TrimSpace(tpl.GetString(otherB)) != "" {
		subjectF, bodyF, used = otherS, otherB, other
	}
	r := Rendered{Language: used, Purpose: tpl.GetString("purpose"), Missing: []string{}}
	r.Subject = fill(tpl.GetString(subjectF), values, &r.Missing)
	r.Body = fill(tpl.GetString(bodyF), values, &r.Missing)
	return r
}

// values are what the variables say for contact (and request c, and the
// staff member writing), in the contact's language.
func values(app core.App, cfg *crm.Config, contact, c, staff *core.Record) map[string]string {
	v := map[string]string{"business.name": cfg.BusinessNow().Name}
	if v["business.name"] == "" {
		v["business.name"] = app.Settings().Meta.AppName
	}
	base := strings.TrimRight(cfg.PublicURL, "/")
	if base != "" {
		v["portal_link"] = base + "/portal/"
	}
	if contact != nil {
		name := strings.TrimSpace(contact.GetString("name"))
		v["contact.name"] = name
		v["contact.first_name"], _, _ = strings.Cut(name, " ")
		v["contact.email"] = contact.GetString(crm.FieldEmail)
		if co, err := app.FindRecordById(crm.Companies, contact.GetString(crm.FieldCompany)); err == nil {
			v["contact.company"] = co.GetString("name")
		}
	}
	if c != nil {
		v["request.reference"] = c.GetString("reference")
		v["request.subject"] = c.GetString("subject")
		v["request.status"] = c.GetString("status_label")
		if v["request.status"] == "" {
			v["request.status"] = c.GetString("status")
		}
		if t, err := app.FindRecordById(crm.CaseTypes, c.GetString("type")); err == nil {
			v["request.type"] = t.GetString("name")
		}
		if base != "" {
			v["portal_link"] = base + "/portal/requests/" + c.Id
		}
	}
	if staff != nil {
		v["staff.name"] = staff.GetString("name")
	}
	return v
}

// checkTemplate: a template says something in at least one language, each
// language has both a subject and a body or neither, and every variable is
// one Vinculo knows. Bad input is a 400 naming the field.
func checkTemplate(r *core.Record) error {
	errs := validation.Errors{}
	complete := 0
	for _, pair := range [][2]string{{crm.TplSubjectEN, crm.TplBodyEN}, {crm.TplSubjectPT, crm.TplBodyPT}} {
		s, b := strings.TrimSpace(r.GetString(pair[0])), strings.TrimSpace(r.GetString(pair[1]))
		switch {
		case s != "" && b != "":
			complete++
		case s != "":
			errs[pair[1]] = validation.NewError("validation_required", "Write the body in this language too, or clear its subject.")
		case b != "":
			errs[pair[0]] = validation.NewError("validation_required", "Write the subject in this language too, or clear its body.")
		}
		for _, f := range pair {
			if unknown := unknownVariables(r.GetString(f)); len(unknown) > 0 && errs[f] == nil {
				errs[f] = validation.NewError("validation_unknown_variable",
					fmt.Sprintf("Unknown variable {{%s}}: use one of {{%s}}.", unknown[0], strings.Join(Variables, "}}, {{")))
			}
		}
	}
	if complete == 0 && len(errs) == 0 {
		errs[crm.TplBodyEN] = validation.NewError("validation_required", "Write the subject and body in at least one language.")
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// bindTemplates checks every template however it is saved.
func bindTemplates(app core.App) {
	check := func(e *core.RecordEvent) error {
		if err := checkTemplate(e.Record); err != nil {
			return err
		}
		return e.Next()
	}
	app.OnRecordCreate(crm.EmailTemplates).BindFunc(check)
	app.OnRecordUpdate(crm.EmailTemplates).BindFunc(check)
}
