package crm

import "github.com/pocketbase/pocketbase/core"

// quietKey marks a save that tells the customer nothing: history brought in
// by the demo or an import, whose moments are long past. PocketBase never
// exports custom keys with the @pbInternal prefix.
const quietKey = "@pbInternalVinculoQuiet"

// Quietly marks r so that saving it (and what its save makes: an order's
// payment and invoice) queues no message to the customer.
func Quietly(r *core.Record) { r.Set(quietKey, true) }

// IsQuiet tells whether r was marked by Quietly.
func IsQuiet(r *core.Record) bool {
	quiet, _ := r.Get(quietKey).(bool)
	return quiet
}
