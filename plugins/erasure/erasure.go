// Package erasure carries out a person's right to erasure (GDPR art. 17,
// LGPD art. 18): a tracked request with its legal deadline, a manager's
// decision on what is erased and what is kept and why, and a signed receipt.
package erasure

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Options tune the plugin per app (tests set the clock).
type Options struct {
	Now func() time.Time
}

var options sync.Map // the app's data dir (the same for its transactions) → Options

// Configure sets the options of app's erasure.
func Configure(app core.App, o Options) {
	options.Store(app.DataDir(), o)
}

func now(app core.App) time.Time {
	if v, ok := options.Load(app.DataDir()); ok {
		if o := v.(Options); o.Now != nil {
			return o.Now()
		}
	}
	return time.Now()
}

// Register wires erasure requests, their routes and the signing key.
func Register(app core.App, cfg *crm.Config) error {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		routes(se, cfg)
		return se.Next()
	})
	return nil
}

// Outcome is what an anonymisation changed: per collection, the records
// erased or anonymised and the records kept with their legal basis.
type Outcome struct {
	Ref    string            `json:"ref"`
	Erased map[string]int    `json:"erased"`
	Kept   map[string][]Kept `json:"kept"`
	// Files counts the uploaded files' folders removed; MailFiles the
	// messages of the mail folder that named the person.
	Files     int `json:"files"`
	MailFiles int `json:"mail_files"`
	// Scrubbed counts, per collection, records outside the person's own
	// that named them (a colleague's notification, a webhook's payload)
	// and had the name, emails and phones taken out.
	Scrubbed map[string]int `json:"scrubbed,omitempty"`
}

// Kept is a record kept after an erasure, and why.
type Kept struct {
	ID    string `json:"id"`
	Basis string `json:"basis"`
	Label string `json:"label,omitempty"` // its business number (an invoice's, a request's reference)
	Until string `json:"until,omitempty"` // the day the basis ends (YYYY-MM-DD); empty while it lasts
}

// Anonymise removes or irreversibly anonymises a contact's personal data in
// every collection, inside txApp's transaction, keeping what the law makes
// the business keep. Retention rules call it for leads with no activity.
// The contact stays, named by a pseudonymous reference (returned in the
// outcome), so that what is kept and the figures still add up.
func Anonymise(txApp core.App, cfg *crm.Config, contactID string) (*Outcome, error) {
	p, err := MakePlan(txApp, contactID, now(txApp))
	if err != nil {
		return nil, err
	}
	ref := p.Contact.GetString("name")
	if !isRef(ref) {
		ref = newRef()
	}
	return apply(txApp, cfg, p, ref)
}
