package requests

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/ozzo-validation/v4/is"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Field is one thing a customer fills in on a request of a type.
// Its label and help are plain text or per language (labels.go).
type Field struct {
	Name     string   `json:"name"`
	Label    Text     `json:"label"`
	Help     Text     `json:"help,omitzero"`
	Type     string   `json:"type"`              // one of FieldTypes
	Required bool     `json:"required"`          // for a yes/no: must be ticked (a consent)
	Options  []string `json:"options,omitempty"` // the values of a select
}

// FieldTypes are the kinds of value a request type's field holds: a line of
// text, long text (a paragraph), a number, a date, one of a list, an email
// address, and yes/no (stored as true or false).
var FieldTypes = []string{"text", "long_text", "number", "date", "select", "email", "bool"}

// The longest text a field holds, in characters.
const (
	MaxText     = 2000
	MaxLongText = 10000
)

// Fields reads and checks a request type's field definitions.
func Fields(caseType *core.Record) ([]Field, error) {
	raw := strings.TrimSpace(caseType.GetString("fields"))
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var list []Field
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil, validation.NewError("validation_fields",
			`Fields are a list like [{"name": "address", "label": "Address", "type": "text", "required": true}]; a label or "help" is text or {"en": "...", "pt-BR": "..."}; a select lists its "options" as strings.`)
	}
	seen := map[string]bool{}
	for _, f := range list {
		switch {
		case !keyPattern.MatchString(f.Name):
			return nil, validation.NewError("validation_field_name",
				fmt.Sprintf("Field name %q: use lower-case letters, digits and _ (at most 40).", f.Name))
		case seen[f.Name]:
			return nil, validation.NewError("validation_field_name", fmt.Sprintf("Field %q appears twice.", f.Name))
		case !slices.Contains(FieldTypes, f.Type):
			return nil, validation.NewError("validation_field_type",
				fmt.Sprintf("Field %q: type %q is not one of %s.", f.Name, f.Type, strings.Join(FieldTypes, ", ")))
		case f.Type == "select" && len(f.Options) == 0:
			return nil, validation.NewError("validation_field_options", fmt.Sprintf("Field %q: a select needs its options.", f.Name))
		}
		seen[f.Name] = true
	}
	return list, nil
}

// ValidateData checks a request's data against its type's fields: required
// fields present, each value of its type, nothing the type does not ask for.
// The error is a validation.Errors keyed by field name (the API answers
// data.<name>), or a single error when data is not an object at all.
func ValidateData(caseType *core.Record, data any) error {
	fields, err := Fields(caseType)
	if err != nil {
		return validation.NewError("validation_type_fields", "This request type's fields are misconfigured: ask the business to fix them.")
	}
	values := map[string]any{}
	if raw := strings.TrimSpace(string(jsonBytes(data))); raw != "" && raw != "null" {
		if err := json.Unmarshal([]byte(raw), &values); err != nil || values == nil {
			return validation.NewError("validation_data_object", "Send the request's fields as an object, like {\"name\": value}.")
		}
	}

	errs := validation.Errors{}
	for _, f := range fields {
		v, present := values[f.Name]
		if f.Type == "bool" {
			if err := checkYesNo(f, v); err != nil {
				errs[f.Name] = err
			}
			continue
		}
		if !present || v == nil || (isString(v) && strings.TrimSpace(v.(string)) == "") {
			if f.Required {
				errs[f.Name] = validation.NewError("validation_required", fmt.Sprintf("%s is required.", labelOf(f)))
			}
			continue
		}
		if err := checkValue(f, v); err != nil {
			errs[f.Name] = err
		}
	}
	for name := range values {
		if !slices.ContainsFunc(fields, func(f Field) bool { return f.Name == name }) {
			errs[name] = validation.NewError("validation_unknown_field",
				fmt.Sprintf("%q is not a field of this request type.", name))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func checkValue(f Field, v any) error {
	switch f.Type {
	case "number":
		n, ok := v.(float64)
		if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
			return validation.NewError("validation_not_number", fmt.Sprintf("%s must be a number.", labelOf(f)))
		}
		return nil
	}
	s, ok := v.(string)
	if !ok {
		return validation.NewError("validation_not_text", fmt.Sprintf("%s must be text.", labelOf(f)))
	}
	switch f.Type {
	case "date":
		if !isDate(s) {
			return validation.NewError("validation_not_date", fmt.Sprintf("%s must be a date like 2026-03-10.", labelOf(f)))
		}
	case "select":
		if !slices.Contains(f.Options, s) {
			return validation.NewError("validation_not_option",
				fmt.Sprintf("%s must be one of: %s.", labelOf(f), strings.Join(f.Options, ", ")))
		}
	case "email":
		if is.EmailFormat.Validate(s) != nil {
			return validation.NewError("validation_not_email", fmt.Sprintf("%s must be an email address.", labelOf(f)))
		}
	case "text", "long_text":
		limit := MaxText
		if f.Type == "long_text" {
			limit = MaxLongText
		}
		if utf8.RuneCountInString(s) > limit {
			return validation.NewError("validation_too_long",
				fmt.Sprintf("%s is too long: at most %d characters.", labelOf(f), limit)).SetParams(map[string]any{"max": limit})
		}
	}
	return nil
}

// checkYesNo: a yes/no holds true or false (missing is no); a required one
// must be ticked, as for a consent.
func checkYesNo(f Field, v any) error {
	yes, ok := v.(bool)
	if v != nil && !ok {
		return validation.NewError("validation_not_bool", fmt.Sprintf("%s must be yes or no (true or false).", labelOf(f)))
	}
	if f.Required && !yes {
		return validation.NewError("validation_must_tick", fmt.Sprintf("%s must be ticked.", labelOf(f)))
	}
	return nil
}

func isDate(s string) bool {
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return true
	}
	d, err := types.ParseDateTime(s)
	return err == nil && !d.IsZero()
}

func isString(v any) bool { _, ok := v.(string); return ok }

// labelOf names a field in the server's (English) messages; the UI shows
// its own, in the reader's language, from the error's code.
func labelOf(f Field) string {
	if l := f.Label.In("en"); l != "" {
		return l
	}
	return f.Name
}
