package customfields

import (
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Limits of a custom field's settings.
const (
	maxOptions     = 100
	maxOptionChars = 100
	maxTextChars   = 500
	maxLongChars   = 10000
	maxPhoneChars  = 40
)

// phonePattern: digits with the usual separators, an optional leading +.
const phonePattern = `^\+?[0-9][0-9 ().-]{2,39}$`

// newField is the PocketBase field a kind is made of.
func newField(kind, name string, options []string) core.Field {
	switch kind {
	case crm.CustomLongText:
		return &core.TextField{Name: name, Max: maxLongChars}
	case crm.CustomNumber, crm.CustomMoney:
		return &core.NumberField{Name: name}
	case crm.CustomDate:
		return &core.DateField{Name: name}
	case crm.CustomSelect:
		return &core.SelectField{Name: name, Values: options, MaxSelect: 1}
	case crm.CustomMultiSelect:
		return &core.SelectField{Name: name, Values: options, MaxSelect: len(options)}
	case crm.CustomBool:
		return &core.BoolField{Name: name}
	case crm.CustomURL:
		return &core.URLField{Name: name}
	case crm.CustomEmail:
		return &core.EmailField{Name: name}
	case crm.CustomPhone:
		return &core.TextField{Name: name, Max: maxPhoneChars, Pattern: phonePattern}
	}
	return &core.TextField{Name: name, Max: maxTextChars}
}

// hasOptions: the kinds whose values are chosen from a list.
func hasOptions(kind string) bool {
	return kind == crm.CustomSelect || kind == crm.CustomMultiSelect
}

// minOptions: a select needs one choice, a multi-select two (with one it
// would be stored as a single value).
func minOptions(kind string) int {
	if kind == crm.CustomMultiSelect {
		return 2
	}
	return 1
}

// indexed: the kinds a list filters on by equality or range get an index
// led by the field and ending in created, the order of every list.
func indexed(kind string) bool {
	return kind != crm.CustomLongText && kind != crm.CustomMultiSelect
}

func indexName(collection, fieldID string) string {
	return "idx_" + collection + "_" + fieldID
}

func quote(column string) string { return "`" + strings.ReplaceAll(column, "`", "``") + "`" }

// heldSQL is the condition a row meets when it holds a value of the field.
func heldSQL(kind, column string) string {
	c := quote(column)
	switch kind {
	case crm.CustomNumber, crm.CustomMoney:
		return fmt.Sprintf("coalesce(%s, 0) != 0", c)
	case crm.CustomBool:
		return fmt.Sprintf("coalesce(%s, 0) = 1", c)
	case crm.CustomMultiSelect:
		return fmt.Sprintf("coalesce(%s, '') NOT IN ('', '[]')", c)
	}
	return fmt.Sprintf("coalesce(%s, '') != ''", c)
}
