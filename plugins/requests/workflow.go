package requests

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// Transitions reads a request type's allowed moves, {"from": ["to", ...]}.
// An empty map means any move is allowed.
func Transitions(caseType *core.Record) (map[string][]string, error) {
	raw := strings.TrimSpace(caseType.GetString("transitions"))
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var moves map[string][]string
	if err := json.Unmarshal([]byte(raw), &moves); err != nil {
		return nil, err
	}
	return moves, nil
}

// checkTransition refuses a move the type's workflow does not list.
func checkTransition(caseType *core.Record, statuses []Status, from, to string) error {
	moves, err := Transitions(caseType)
	if err != nil || len(moves) == 0 {
		return nil // no workflow defined: any move
	}
	allowed := moves[from]
	if slices.Contains(allowed, to) {
		return nil
	}
	if len(allowed) == 0 {
		return validation.NewError("validation_transition",
			fmt.Sprintf("A request in %q cannot move to another status: %q is final for this request type.", from, from))
	}
	return validation.NewError("validation_transition",
		fmt.Sprintf("A request in %q cannot move to %q. Allowed next statuses: %s.", from, to, strings.Join(allowed, ", ")))
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// CheckCaseType checks a request type's statuses, transitions and fields,
// so a broken definition is refused where it is written, not on every case.
func CheckCaseType(r *core.Record) error {
	errs := validation.Errors{}
	statuses, err := Statuses(r)
	keys := map[string]bool{}
	if err != nil {
		errs["statuses"] = validation.NewError("validation_statuses",
			`Statuses are a list like [{"key": "new", "label": "New", "public_label": "Received", "closed": false}].`)
	} else {
		for _, s := range statuses {
			if !keyPattern.MatchString(s.Key) {
				errs["statuses"] = validation.NewError("validation_status_key",
					fmt.Sprintf("Status key %q: use lower-case letters, digits and _ (at most 40).", s.Key))
				break
			}
			if keys[s.Key] {
				errs["statuses"] = validation.NewError("validation_status_key", fmt.Sprintf("Status key %q appears twice.", s.Key))
				break
			}
			keys[s.Key] = true
		}
	}

	if moves, err := Transitions(r); err != nil {
		errs["transitions"] = validation.NewError("validation_transitions",
			`Transitions are an object like {"new": ["triage"], "triage": ["solved"]}.`)
	} else if errs["statuses"] == nil {
		for from, targets := range moves {
			for _, key := range append([]string{from}, targets...) {
				if !keys[key] {
					errs["transitions"] = validation.NewError("validation_transitions",
						fmt.Sprintf("%q is not one of this type's statuses.", key))
				}
			}
		}
	}

	if _, err := Fields(r); err != nil {
		errs["fields"] = err
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
