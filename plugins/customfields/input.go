package customfields

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"golang.org/x/text/unicode/norm"

	"vinculo/crm"
)

// Limits of the custom fields of one collection.
const (
	maxFieldsPerCollection = 60
	maxLabelChars          = 80
	maxNameChars           = 40
)

// Languages a label can be given in.
var labelLanguages = []string{"en", "pt-BR"}

var namePattern = regexp.MustCompile(`^cf_[a-z0-9_]{1,37}$`)

// fieldInput is what a manager sends to add (all) or change (some) a field.
type fieldInput struct {
	Collection *string           `json:"collection"`
	Label      *string           `json:"label"`
	Labels     map[string]string `json:"labels"`
	Kind       *string           `json:"kind"`
	Options    *[]string         `json:"options"`
	Customer   *bool             `json:"customer"`
	Name       *string           `json:"name"`
	Position   *int              `json:"position"`
	Renames    map[string]string `json:"renames"` // option as records hold it -> its new name
	Confirm    *int              `json:"confirm"` // the count of records a lossy change was confirmed for
	errs       validation.Errors `json:"-"`
}

func (in *fieldInput) fail(field, code, message string) {
	if in.errs == nil {
		in.errs = validation.Errors{}
	}
	if _, ok := in.errs[field]; !ok {
		in.errs[field] = validation.NewError("validation_cf_"+code, message)
	}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

// checkLabels checks the label and the labels per language.
func (in *fieldInput) checkLabels(required bool) {
	if in.Label != nil || required {
		label := str(in.Label)
		switch {
		case label == "":
			in.fail("label", "label_required", "Give the field a label.")
		case utf8.RuneCountInString(label) > maxLabelChars:
			in.fail("label", "label_long", fmt.Sprintf("The label may have at most %d characters.", maxLabelChars))
		}
		in.Label = &label
	}
	for lang, l := range in.Labels {
		if !slices.Contains(labelLanguages, lang) {
			in.fail("labels", "labels_language", "Labels are given in "+strings.Join(labelLanguages, " or ")+".")
		} else if utf8.RuneCountInString(strings.TrimSpace(l)) > maxLabelChars {
			in.fail("labels", "label_long", fmt.Sprintf("The label may have at most %d characters.", maxLabelChars))
		}
		in.Labels[lang] = strings.TrimSpace(l)
	}
}

// checkOptions checks the choices of a select or multi-select.
func (in *fieldInput) checkOptions(kind string) {
	if !hasOptions(kind) {
		in.Options = nil
		return
	}
	if in.Options == nil {
		in.Options = &[]string{}
	}
	var out []string
	for _, o := range *in.Options {
		o = strings.TrimSpace(o)
		switch {
		case o == "":
			continue
		case utf8.RuneCountInString(o) > maxOptionChars:
			in.fail("options", "option_long", fmt.Sprintf("An option may have at most %d characters.", maxOptionChars))
		case slices.Contains(out, o):
			in.fail("options", "option_twice", fmt.Sprintf("The option %q is given twice.", o))
		}
		out = append(out, o)
	}
	if len(out) < minOptions(kind) {
		in.fail("options", "options_few", fmt.Sprintf("Give at least %d options.", minOptions(kind)))
	} else if len(out) > maxOptions {
		in.fail("options", "options_many", fmt.Sprintf("A field may have at most %d options.", maxOptions))
	}
	*in.Options = out
}

// checkName makes the field's name (from the label when none is given) and
// checks it; taken are the names the collection already has.
func (in *fieldInput) checkName(taken []string, own string) string {
	name := str(in.Name)
	if name == "" {
		name = slug(str(in.Label))
	} else if !strings.HasPrefix(name, crm.CustomFieldPrefix) {
		name = crm.CustomFieldPrefix + name
	}
	switch {
	case !namePattern.MatchString(name):
		in.fail("name", "name_invalid", "The field's name is cf_ followed by up to 37 lower-case letters, digits or _.")
	case name != own && slices.ContainsFunc(taken, func(t string) bool { return strings.EqualFold(t, name) }):
		in.fail("name", "name_taken", fmt.Sprintf("The collection already has a field named %s.", name))
	}
	return name
}

// slug is a field name made of a label: cf_ and its letters and digits,
// accents dropped, words joined by _.
func slug(label string) string {
	var b strings.Builder
	b.WriteString(crm.CustomFieldPrefix)
	gap := false
	for _, r := range norm.NFD.String(strings.ToLower(label)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if gap && b.Len() > len(crm.CustomFieldPrefix) {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(r)
		default:
			gap = true
		}
	}
	s := b.String()
	if len(s) > maxNameChars {
		s = strings.TrimRight(s[:maxNameChars], "_")
	}
	return s
}
