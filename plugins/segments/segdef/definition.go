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
		return d, &Error{Path: "definition", Code: CodeJSON, Message: "the definition is not a JSON object of conditions: " + err.Error()}
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
// people count ("3" or "1.2"). Code and Params say what is wrong for the
// workspace to word in the reader's language (segments.error.<code> in
// ui/src/lib/messages/segments.*.js); Message says it in English for API
// clients.
type Error struct {
	Path      string
	Condition string
	Message   string
	Code      string
	Params    P
}

// P are an Error's parameters, by name.
type P = map[string]any

// Codes of a definition's faults.
const (
	CodeJSON           = "json"             // the definition is not JSON of conditions
	CodeFilter         = "filter"           // a saved filter of before does not read
	CodeTooMany        = "too_many"         // {max, count}
	CodeMatch          = "match"            // {value}: neither all nor any
	CodeGroupDepth     = "group_depth"      // {max}
	CodeGroupEmpty     = "group_empty"      // a group without conditions
	CodeKind           = "kind"             // {value}: an unknown kind
	CodeOp             = "op"               // {value, field?}: a comparison the condition does not have
	CodeDays           = "days"             // {max, value}
	CodeTagName        = "tag_name"         // {max}
	CodeCompany        = "company"          // prefix of company_missing, company_unknown {id}
	CodeOwner          = "owner"            // prefix of owner_missing, owner_unknown {id}
	CodeProductUnknown = "product_unknown"  // {code}
	CodeNumberMin0     = "number_min0"      // an amount or count below 0, or not a number
	CodeScoreField     = "score_field"      // {value}: not a figure of the value model
	CodeScoreNotFitted = "score_not_fitted" // {field}: the model was never fitted
	CodeChooseClass    = "choose_class"     // no RFM class chosen
	CodeNumber         = "number"           // {field}: not a number
	CodeFieldUnknown   = "field_unknown"    // {field}
	CodeChoice         = "choice"           // {field, choices}
	CodeText           = "text"             // {field, max}
	CodeWithinDays     = "within_days"      // {max}
	CodeDate           = "date"             // {field}
)

// Codes lists every code an Error may have.
var Codes = []string{CodeJSON, CodeFilter, CodeTooMany, CodeMatch, CodeGroupDepth, CodeGroupEmpty, CodeKind, CodeOp, CodeDays,
	CodeTagName, CodeCompany + "_missing", CodeCompany + "_unknown", CodeOwner + "_missing", CodeOwner + "_unknown",
	CodeProductUnknown, CodeNumberMin0, CodeScoreField, CodeScoreNotFitted, CodeChooseClass, CodeNumber,
	CodeFieldUnknown, CodeChoice, CodeText, CodeWithinDays, CodeDate}

func (e *Error) Error() string {
	if e.Condition == "" {
		return e.Message
	}
	return fmt.Sprintf("Condition %s: %s", e.Condition, e.Message)
}
