package crm

import "strings"

// Custom fields (plugins/customfields): a manager adds a field to contacts,
// companies, deals or requests; it is a real field of the collection, named
// with CustomFieldPrefix, described by a row of CustomFields.
const (
	// CustomFields holds one row per custom field: the collection it is on,
	// its field name, its labels, kind, options, position and whether it is
	// the customer's (they read and write it) or internal (the default).
	CustomFields = "custom_fields"
	// CustomFieldPrefix starts every custom field's name, so that a custom
	// field never takes the name of a built-in one.
	CustomFieldPrefix = "cf_"
)

// CustomFieldCollections are the collections a custom field can be added to.
var CustomFieldCollections = []string{Contacts, Companies, Deals, Cases}

// Kinds of custom field (field `kind` of custom_fields).
const (
	CustomText        = "text"
	CustomLongText    = "long_text"
	CustomNumber      = "number"
	CustomMoney       = "money"
	CustomDate        = "date"
	CustomSelect      = "select"
	CustomMultiSelect = "multi_select"
	CustomBool        = "bool"
	CustomURL         = "url"
	CustomEmail       = "email"
	CustomPhone       = "phone"
)

// CustomKinds lists every kind, in the order a manager is offered them.
var CustomKinds = []string{CustomText, CustomLongText, CustomNumber, CustomMoney, CustomDate,
	CustomSelect, CustomMultiSelect, CustomBool, CustomURL, CustomEmail, CustomPhone}

// IsCustomField tells whether a field name is a custom field's.
func IsCustomField(name string) bool { return strings.HasPrefix(name, CustomFieldPrefix) }

func init() { AllCollections = append(AllCollections, CustomFields) }
