package requests

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// BaseKey is the body key under which an edit of a request type sends, for
// each field it changes, the value that field had when the editor opened
// the type. A field another manager changed since then is refused with 409
// naming it; fields nobody else touched save as sent. So two managers
// editing one type never overwrite each other's work without knowing: the
// editor sends only the fields it changed, each checked against its base.
const BaseKey = "_base"

// bindTypeCheck checks every saved request type item by item, so the answer
// names the status, transition or field at fault, and refuses an edit made
// against an older version of a field another manager changed.
func bindTypeCheck(app core.App) {
	app.OnRecordValidate(crm.CaseTypes).Bind(&hook.Handler[*core.RecordEvent]{
		Func: func(e *core.RecordEvent) error {
			if err := CheckTypeDefinition(e.Record); err != nil {
				return err
			}
			return e.Next()
		},
		Priority: -1, // before CheckCaseType, whose messages speak of the whole JSON
	})
	app.OnRecordUpdateRequest(crm.CaseTypes).BindFunc(checkBase)
}

func typeError(code, msg string, params map[string]any) validation.Error {
	return validation.NewError(code, msg).SetParams(params)
}

// CheckTypeDefinition checks a request type's statuses, transitions, fields
// and SLA targets, each error at its place: statuses.<i>.<key|public_label>,
// transitions.<from>, fields.<i>.<name|type|options|label|help>,
// sla_resolution_hours.
func CheckTypeDefinition(r *core.Record) error {
	errs := validation.Errors{}
	keys, err := checkStatuses(r)
	if err != nil {
		errs["statuses"] = err
	} else if err := checkTransitions(r, keys); err != nil {
		errs["transitions"] = err
	}
	if err := checkFields(r); err != nil {
		errs["fields"] = err
	}
	first, res := r.GetFloat("sla_first_response_hours"), r.GetFloat("sla_resolution_hours")
	if first > 0 && res > 0 && res < first {
		errs["sla_resolution_hours"] = typeError("validation_type_sla_order",
			"The resolution target cannot come before the first-response target.", nil)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkStatuses returns the status keys; a list that does not read is left
// to CheckCaseType, which explains the format.
func checkStatuses(r *core.Record) (map[string]bool, error) {
	var list []Status
	if json.Unmarshal([]byte(r.GetString("statuses")), &list) != nil {
		return nil, nil
	}
	if len(list) == 0 {
		return nil, typeError("validation_type_no_statuses", "Add at least one status.", nil)
	}
	keys := map[string]bool{}
	errs := validation.Errors{}
	for i, s := range list {
		at := validation.Errors{}
		switch {
		case !keyPattern.MatchString(s.Key):
			at["key"] = typeError("validation_type_status_key",
				fmt.Sprintf("Status key %q: use lower-case letters, digits and _ (at most 40), starting with a letter.", s.Key), map[string]any{"key": s.Key})
		case keys[s.Key]:
			at["key"] = typeError("validation_type_status_twice", fmt.Sprintf("Status key %q appears twice.", s.Key), map[string]any{"key": s.Key})
		}
		if err := checkText(s.Public()); err != nil {
			at["public_label"] = err
		} else if s.Public().Blank() {
			at["public_label"] = typeError("validation_type_status_public_label",
				fmt.Sprintf("Status %q: give the label customers see.", s.Key), map[string]any{"key": s.Key})
		}
		keys[s.Key] = true
		if len(at) > 0 {
			errs[strconv.Itoa(i)] = at
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return keys, nil
}

// checkTransitions: every move goes from and to a status of the type, and
// somewhere else.
func checkTransitions(r *core.Record, keys map[string]bool) error {
	moves, err := Transitions(r)
	if err != nil || keys == nil {
		return nil // CheckCaseType explains the format
	}
	errs := validation.Errors{}
	for from, targets := range moves {
		for _, to := range append([]string{from}, targets...) {
			if !keys[to] {
				errs[from] = typeError("validation_type_transition_unknown",
					fmt.Sprintf("%q is not one of this type's statuses.", to), map[string]any{"key": to})
				break
			}
			if to == from && slices.Contains(targets, from) {
				errs[from] = typeError("validation_type_transition_self",
					fmt.Sprintf("%q cannot move to itself.", from), map[string]any{"key": from})
				break
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkFields checks each field the customer fills in.
func checkFields(r *core.Record) error {
	raw := strings.TrimSpace(r.GetString("fields"))
	var list []Field
	if raw == "" || raw == "null" || json.Unmarshal([]byte(raw), &list) != nil {
		return nil // none, or CheckCaseType explains the format
	}
	seen := map[string]bool{}
	errs := validation.Errors{}
	for i, f := range list {
		at := validation.Errors{}
		switch {
		case f.Name == "":
			at["name"] = typeError("validation_type_field_no_name", "Give the field a name.", nil)
		case !keyPattern.MatchString(f.Name):
			at["name"] = typeError("validation_type_field_name",
				fmt.Sprintf("Field name %q: use lower-case letters, digits and _ (at most 40), starting with a letter.", f.Name), map[string]any{"name": f.Name})
		case seen[f.Name]:
			at["name"] = typeError("validation_type_field_twice", fmt.Sprintf("Field %q appears twice.", f.Name), map[string]any{"name": f.Name})
		}
		seen[f.Name] = true
		if !slices.Contains(FieldTypes, f.Type) {
			at["type"] = typeError("validation_type_field_kind",
				fmt.Sprintf("Type %q is not one of %s.", f.Type, strings.Join(FieldTypes, ", ")), map[string]any{"kind": f.Type})
		} else if f.Type == "select" {
			if err := checkOptions(f.Options); err != nil {
				at["options"] = err
			}
		}
		for key, text := range map[string]Text{"label": f.Label, "help": f.Help} {
			if err := checkText(text); err != nil {
				at[key] = err
			}
		}
		if len(at) > 0 {
			errs[strconv.Itoa(i)] = at
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// checkText: a label given per language speaks only the languages the UI
// speaks.
func checkText(t Text) error {
	if l := t.unknownLanguage(); l != "" {
		return typeError("validation_type_label_language",
			fmt.Sprintf("%q is not a language Vinculo speaks: use %s.", l, strings.Join(crm.Languages, " or ")), map[string]any{"language": l})
	}
	return nil
}

func checkOptions(options []string) error {
	if len(options) == 0 {
		return typeError("validation_type_field_options", "A choice list needs its options.", nil)
	}
	seen := map[string]bool{}
	for _, o := range options {
		if strings.TrimSpace(o) == "" {
			return typeError("validation_type_option_blank", "An option is empty.", nil)
		}
		if seen[o] {
			return typeError("validation_type_option_twice", fmt.Sprintf("Option %q appears twice.", o), map[string]any{"option": o})
		}
		seen[o] = true
	}
	return nil
}

// checkBase refuses, with 409 naming each field, an edit whose base value of
// a field differs from the stored one: another manager changed it in
// between. The check and the save run in one transaction, so no save can
// slip between them.
func checkBase(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	base, _ := info.Body[BaseKey].(map[string]any)
	if len(base) == 0 {
		return e.Next()
	}
	return e.App.RunInTransaction(func(tx core.App) error {
		stored, err := tx.FindRecordById(crm.CaseTypes, e.Record.Id)
		if err != nil {
			return err
		}
		errs := validation.Errors{}
		for name, was := range base {
			if stored.Collection().Fields.GetByName(name) != nil && canonical(stored.Get(name)) != canonical(was) {
				errs[name] = typeError("validation_type_conflict",
					"Another manager changed this since you opened the request type: reload to see their version.", map[string]any{"field": name})
			}
		}
		if len(errs) > 0 {
			return e.Error(http.StatusConflict, "Another manager changed this request type since you opened it.", errs)
		}
		original := e.App
		defer func() { e.App = original }()
		e.App = tx
		return e.Next()
	})
}

// canonical writes a stored value or a value from a request body the same
// way: JSON with its keys sorted (a JSON field's stored text is parsed first).
func canonical(v any) string {
	if raw, ok := v.(types.JSONRaw); ok {
		var parsed any
		if len(raw) > 0 && json.Unmarshal(raw, &parsed) == nil {
			v = parsed
		} else {
			v = nil
		}
	}
	out, _ := json.Marshal(v)
	return string(out)
}
