// Package segdef reads a segment's definition (conditions in AND/OR groups)
// and compiles it to one SQL query over contacts: every value bound as a
// parameter, every field checked against the schema, so a definition can
// never reach past the contacts it describes. The segments plugin, the
// exporter and insights' segment filter all read segments through here.
package segdef

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Kinds of condition.
const (
	KindField        = "field"         // a field of contacts, custom fields too
	KindTag          = "tag"           // has / has not a tag
	KindCompany      = "company"       // works at a company
	KindOwner        = "owner"         // owned by a staff member
	KindBought       = "bought"        // bought a product (or anything) in the last N days
	KindSpent        = "spent"         // spent more/less than X in the last N days
	KindOrders       = "orders"        // number of orders (in the last N days)
	KindOpenRequests = "open_requests" // has / has not an open request
	KindScore        = "score"         // a value-model figure (customer_scores): profiling
	KindGroup        = "group"         // conditions of their own, joined by all or any
)

// Kinds lists the kinds a condition may have.
var Kinds = []string{KindField, KindTag, KindCompany, KindOwner, KindBought, KindSpent, KindOrders, KindOpenRequests, KindScore, KindGroup}

// Ways of joining conditions.
const (
	MatchAll = "all"
	MatchAny = "any"
)

// Limits of a definition.
const (
	MaxConditions = 60
	MaxDepth      = 3
	MaxDays       = 3650
)

// Definition is what a segment is: conditions joined by all (AND) or any
// (OR); a condition may be a group of its own.
type Definition struct {
	Match      string      `json:"match"`
	Conditions []Condition `json:"conditions"`
}

// Condition is one test on a contact. Which members matter depends on Kind.
type Condition struct {
	Kind       string      `json:"kind"`
	Field      string      `json:"field,omitempty"`      // field, score
	Op         string      `json:"op,omitempty"`         // see ops
	Value      any         `json:"value,omitempty"`      // the value compared
	Product    string      `json:"product,omitempty"`    // bought: a product's code; "" for anything
	Days       int         `json:"days,omitempty"`       // bought, spent, orders: the last N days (0: ever)
	Match      string      `json:"match,omitempty"`      // group
	Conditions []Condition `json:"conditions,omitempty"` // group
}

// Parse reads a definition from JSON (a stored field or a request body).
// Empty input is the definition with no conditions: every contact.
func Parse(raw []byte) (Definition, error) {
	var d Definition
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" || s == `""` {
		return Definition{Match: MatchAll}, nil
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, &Error{Path: "definition", Message: "the definition is not a JSON object of conditions: " + err.Error()}
	}
	if d.Match == "" {
		d.Match = MatchAll
	}
	return d, nil
}

// Empty tells whether d has no conditions (every contact).
func (d Definition) Empty() bool { return len(d.Conditions) == 0 }

// Error is a definition's fault, naming the condition: Path is like
// "conditions.2" or "conditions.0.conditions.1", Condition its number as
// people count ("3" or "1.2").
type Error struct {
	Path      string
	Condition string
	Message   string
}

func (e *Error) Error() string {
	if e.Condition == "" {
		return e.Message
	}
	return fmt.Sprintf("Condition %s: %s", e.Condition, e.Message)
}
