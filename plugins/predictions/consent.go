package predictions

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Profiling tells, for the whole customer base, who may be profiled (GDPR
// art. 21 and 22): a contact whose latest profiling consent is withdrawn
// (whatever the channel: an objection in the portal is such a withdrawal)
// never is; when the business's setting asks for a granted consent, only a
// contact whose latest profiling consent is granted is.
type Profiling struct {
	NeedsConsent bool
	latest       map[string]string // contact -> state of their latest profiling consent
	restricted   map[string]bool   // contacts whose processing is restricted (plugins/restriction): as objectors
}

// Allowed tells whether the contact may be scored, segmented by score or
// offered suggestions.
func (p Profiling) Allowed(contact string) bool {
	if p.restricted[contact] {
		return false
	}
	state, ok := p.latest[contact]
	if p.NeedsConsent {
		return ok && state == "granted"
	}
	return state != "withdrawn"
}

// ReadProfiling reads every contact's latest profiling consent, under the
// business's setting (cfg.BusinessNow().ProfilingNeedsConsent). Plugins
// that profile (segments, suggestions) ask it too.
func ReadProfiling(app core.App, needsConsent bool) (Profiling, error) {
	p := Profiling{NeedsConsent: needsConsent, latest: map[string]string{}}
	var rows []struct {
		Contact string `db:"contact"`
		State   string `db:"state"`
	}
	err := app.DB().Select("contact", "state").From(crm.Consents).
		Where(dbx.HashExp{"purpose": crm.PurposeProfiling}).
		OrderBy("at ASC", "updated ASC").All(&rows)
	for _, r := range rows {
		p.latest[r.Contact] = r.State // the later overwrites
	}
	if err == nil {
		p.restricted, err = restrictedContacts(app, "")
	}
	return p, err
}

// restrictedContacts: the contacts whose processing is restricted (only
// contact's when given); each is left out as an objector is.
func restrictedContacts(app core.App, contact string) (map[string]bool, error) {
	q := app.DB().Select("id").From(crm.Contacts).Where(dbx.NewExp("IFNULL([[" + crm.ContactRestrictedAt + "]], '') != ''"))
	if contact != "" {
		q.AndWhere(dbx.HashExp{"id": contact})
	}
	var ids []string
	err := q.Column(&ids)
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// Withheld lists the contacts among those given who may not be profiled.
func (p Profiling) Withheld(contacts []string) map[string]bool {
	out := map[string]bool{}
	for _, c := range contacts {
		if !p.Allowed(c) {
			out[c] = true
		}
	}
	return out
}

// forget deletes the stored scores of the contacts who may no longer be
// profiled: at once when a profiling consent is withdrawn, or when the
// business starts asking for a granted one.
func forget(app core.App, cfg *crm.Config, contact string) error {
	p, err := ReadProfiling(app, cfg.BusinessNow().ProfilingNeedsConsent)
	if err != nil {
		return err
	}
	q := app.DB().Select("contact").From(crm.CustomerScores)
	if contact != "" {
		q.Where(dbx.HashExp{crm.ScoreContact: contact})
	}
	var scored []string
	if err := q.Column(&scored); err != nil {
		return err
	}
	var gone []any
	for c := range p.Withheld(scored) {
		gone = append(gone, c)
	}
	if len(gone) == 0 {
		return nil
	}
	_, err = app.DB().Delete(crm.CustomerScores, dbx.In(crm.ScoreContact, gone...)).Execute()
	return err
}
