// Package erasure carries out a person's right to erasure (GDPR art. 17,
// LGPD art. 18): a tracked request with its legal deadline, a manager's
// decision on what is erased and what is kept and why, and a signed receipt.
package erasure

import (
	"errors"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register wires erasure requests, their routes and the daily deadline check.
func Register(app core.App, cfg *crm.Config) error {
	return nil
}

// Outcome is what an anonymisation changed: per collection, the records
// erased or anonymised and the records kept with their legal basis.
type Outcome struct {
	Erased map[string]int    `json:"erased"`
	Kept   map[string][]Kept `json:"kept"`
}

// Kept is a record kept after an erasure, and why.
type Kept struct {
	ID    string `json:"id"`
	Basis string `json:"basis"`
}

// ErrNotBuilt is returned until the erasure's owner builds Anonymise.
var ErrNotBuilt = errors.New("erasure: not built yet")

// Anonymise removes or irreversibly anonymises a contact's personal data in
// every collection, inside txApp's transaction, keeping what the law makes
// the business keep. Retention rules call it for leads with no activity.
func Anonymise(txApp core.App, cfg *crm.Config, contactID string) (*Outcome, error) {
	return nil, ErrNotBuilt
}
