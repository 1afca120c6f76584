package webforms

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/requests"
)

// Field is one field a form asks: a built-in one (crm.FormBuiltInFields) or
// a custom field of contacts, by name.
type Field struct {
	Key      string `json:"key"`
	Required bool   `json:"required"`
}

// Form is a web_forms record as the public pages use it.
type Form struct {
	Record   *core.Record
	Fields   []Field
	Consent  map[string]string
	Purposes []string
	Thanks   map[string]string
	Origins  []string
}

// readForm reads a form's lists and texts (a field that does not parse is
// read as empty: the save hook refuses such forms).
func readForm(r *core.Record) *Form {
	f := &Form{Record: r, Purposes: r.GetStringSlice(crm.FormPurposes)}
	_ = r.UnmarshalJSONField(crm.FormFields, &f.Fields)
	_ = r.UnmarshalJSONField(crm.FormConsent, &f.Consent)
	_ = r.UnmarshalJSONField(crm.FormThanks, &f.Thanks)
	_ = r.UnmarshalJSONField(crm.FormOrigins, &f.Origins)
	// The email is what a lead is found by and the consent confirmed at: a
	// form always asks it.
	if !slices.ContainsFunc(f.Fields, func(x Field) bool { return x.Key == crm.FormFieldEmail }) {
		f.Fields = append([]Field{{Key: crm.FormFieldEmail, Required: true}}, f.Fields...)
	}
	for i := range f.Fields {
		if f.Fields[i].Key == crm.FormFieldEmail {
			f.Fields[i].Required = true
		}
	}
	return f
}

// asksConsent: the form has purposes to ask and words to ask them with.
func (f *Form) asksConsent() bool { return len(f.Purposes) > 0 && inLanguage(f.Consent, "en") != "" }

// allows tells whether a page of origin may show or send the form.
func (f *Form) allows(origin string) bool {
	return slices.Contains(f.Origins, origin)
}

// customField is a custom field of contacts as a form shows it.
type customField struct {
	Name    string
	Kind    string
	Labels  map[string]string
	Label   string
	Options []string
}

func (c customField) label(lang string) string {
	if s := inLanguage(c.Labels, lang); s != "" {
		return s
	}
	return c.Label
}

// contactCustomFields are the custom fields of contacts, by name.
func contactCustomFields(app core.App) (map[string]customField, error) {
	rows, err := app.FindRecordsByFilter(crm.CustomFields, "collection = {:c}", "position", 0, 0, dbx.Params{"c": crm.Contacts})
	if err != nil {
		return nil, err
	}
	out := map[string]customField{}
	for _, r := range rows {
		c := customField{Name: r.GetString("name"), Kind: r.GetString("kind"), Label: r.GetString("label")}
		_ = r.UnmarshalJSONField("labels", &c.Labels)
		_ = r.UnmarshalJSONField("options", &c.Options)
		out[c.Name] = c
	}
	return out, nil
}

// checkForm is the check of every save of a form, whatever the door: the
// fields known, each once; the consent words in both languages when it asks
// purposes; a request type without required fields of its own when it
// opens requests; the sites as origins, at least one while it is active.
func checkForm(app core.App, r *core.Record) error {
	errs := validation.Errors{}
	f := &Form{Record: r, Purposes: r.GetStringSlice(crm.FormPurposes)}
	if err := r.UnmarshalJSONField(crm.FormFields, &f.Fields); err != nil && jsonSet(r, crm.FormFields) {
		errs[crm.FormFields] = validation.NewError("validation_fields", `Fields are a list like [{"key": "name", "required": true}].`)
	} else if err := checkFields(app, f.Fields); err != nil {
		errs[crm.FormFields] = err
	}
	for _, name := range []string{crm.FormConsent, crm.FormThanks} {
		var m map[string]string
		if err := r.UnmarshalJSONField(name, &m); err != nil && jsonSet(r, name) {
			errs[name] = validation.NewError("validation_texts", `Texts are {"en": "...", "pt-BR": "..."}.`)
			continue
		}
		for lang, s := range m {
			if !slices.Contains(crm.Languages, lang) || len([]rune(s)) > 2000 {
				errs[name] = validation.NewError("validation_texts", "One text per language (en, pt-BR), at most 2000 characters each.")
			}
		}
		if name == crm.FormConsent && len(f.Purposes) > 0 && (strings.TrimSpace(m["en"]) == "" || strings.TrimSpace(m["pt-BR"]) == "") {
			errs[name] = validation.NewError("validation_required", "Write the words the visitor agrees to, in English and in Portuguese.")
		}
	}
	if err := checkOrigins(r); err != nil {
		errs[crm.FormOrigins] = err
	}
	if r.GetString(crm.FormCreates) == crm.FormCreatesRequest {
		if err := checkCaseType(app, r.GetString(crm.FormCaseType)); err != nil {
			errs[crm.FormCaseType] = err
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// jsonSet: the JSON field holds something other than nothing.
func jsonSet(r *core.Record, name string) bool {
	s := strings.TrimSpace(r.GetString(name))
	return s != "" && s != "null"
}

func checkFields(app core.App, fields []Field) error {
	custom, err := contactCustomFields(app)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, x := range fields {
		switch {
		case seen[x.Key]:
			return validation.NewError("validation_field_twice", fmt.Sprintf("Field %q is asked twice.", x.Key))
		case slices.Contains(crm.FormBuiltInFields, x.Key):
		case crm.IsCustomField(x.Key) && custom[x.Key].Name != "":
		default:
			return validation.NewError("validation_field_unknown", fmt.Sprintf("Field %q is neither one of %s nor a custom field of contacts.",
				x.Key, strings.Join(crm.FormBuiltInFields, ", ")))
		}
		seen[x.Key] = true
	}
	if len(fields) > 40 {
		return validation.NewError("validation_too_many", "A form asks at most 40 fields.")
	}
	return nil
}

func checkOrigins(r *core.Record) error {
	var origins []string
	if err := r.UnmarshalJSONField(crm.FormOrigins, &origins); err != nil && jsonSet(r, crm.FormOrigins) {
		return validation.NewError("validation_origins", `Sites are a list like ["https://www.example.com"].`)
	}
	for _, o := range origins {
		if canonicalOrigin(o) != o {
			return validation.NewError("validation_origin", fmt.Sprintf("%q is not a site's address: write it as https://www.example.com (no path).", o))
		}
	}
	if len(origins) > 20 {
		return validation.NewError("validation_too_many", "At most 20 sites.")
	}
	if r.GetBool(crm.FormActive) && len(origins) == 0 {
		return validation.NewError("validation_required", "Name the sites that show this form (at least one) before turning it on.")
	}
	return nil
}

// canonicalOrigin is s as a browser writes an origin (scheme://host[:port],
// lower case), or "" when s is not one.
func canonicalOrigin(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}

// checkCaseType: the form's request type exists, is active, and asks no
// required field of its own (the form could not fill it in).
func checkCaseType(app core.App, id string) error {
	if id == "" {
		return validation.NewError("validation_required", "Choose the type of the requests this form opens.")
	}
	t, err := app.FindRecordById(crm.CaseTypes, id)
	if err != nil || !t.GetBool("active") {
		return validation.NewError("validation_unknown_type", "Choose an active request type.")
	}
	fields, err := requests.Fields(t)
	if err != nil {
		return err
	}
	for _, f := range fields {
		if f.Required {
			return validation.NewError("validation_type_fields", fmt.Sprintf("This type asks for %q, which a web form cannot fill in: choose another type.", f.Name))
		}
	}
	return nil
}
