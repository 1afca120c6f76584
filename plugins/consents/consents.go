// Package consents keeps the history of every consent: each change of state
// or wording moves the earlier version into the record's history, with when
// and through which door it was given, so nothing the customer agreed to is
// ever lost.
//
// The time of a consent (`at`) is the server's: a customer's consent and
// every change a customer makes are dated when the server receives them,
// whatever time the request carries. Staff recording a consent given on
// paper or by phone may date it when it was given, never in the future;
// without a date it is now.
package consents

import (
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Version is one earlier state of a consent.
type Version struct {
	State  string `json:"state"`
	Text   string `json:"text"`
	Source string `json:"source"`
	At     string `json:"at"`
	// Proof of a consent given by double opt-in on a web form (consents.proof).
	Proof any `json:"proof,omitempty"`
}

// Register binds the history keeping and the dating of consents.
func Register(app core.App, cfg *crm.Config) error {
	app.OnRecordCreateRequest(crm.Consents).BindFunc(func(e *core.RecordRequestEvent) error {
		if isCustomer(e.Auth) {
			e.Record.Set("at", types.NowDateTime())
		} else if err := notInFuture(e); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordCreate(crm.Consents).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetDateTime("at").IsZero() {
			e.Record.Set("at", types.NowDateTime())
		}
		return e.Next()
	})
	// A customer's own change comes through the portal, whatever door the
	// consent first came through (the rule lets them send no other source),
	// and is dated by the server.
	app.OnRecordUpdateRequest(crm.Consents).BindFunc(func(e *core.RecordRequestEvent) error {
		if isCustomer(e.Auth) {
			e.Record.Set("source", "portal")
			e.Record.Set("at", e.Record.Original().Get("at"))
		} else if err := notInFuture(e); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdate(crm.Consents).BindFunc(func(e *core.RecordEvent) error {
		keepHistory(e.Record)
		return e.Next()
	})
	return nil
}

// keepHistory moves the earlier version of a consent whose state, wording
// or source changed into its history, and dates the change now unless the
// one who saved it gave its time.
func keepHistory(r *core.Record) {
	old := r.Original()
	changed := false
	for _, f := range []string{"state", "text", "source", crm.ConsentProof} {
		if old.GetString(f) != r.GetString(f) {
			changed = true
		}
	}
	if !changed {
		return
	}
	var history []Version
	_ = old.UnmarshalJSONField("history", &history)
	var proof any
	_ = old.UnmarshalJSONField(crm.ConsentProof, &proof)
	history = append(history, Version{
		State: old.GetString("state"), Text: old.GetString("text"),
		Source: old.GetString("source"), At: old.GetDateTime("at").String(), Proof: proof,
	})
	r.Set("history", history)
	// A proof belongs to the version it proves.
	if proof != nil && old.GetString(crm.ConsentProof) == r.GetString(crm.ConsentProof) {
		r.Set(crm.ConsentProof, nil)
	}
	if r.GetDateTime("at").Equal(old.GetDateTime("at")) {
		r.Set("at", types.NowDateTime())
	}
}

func isCustomer(auth *core.Record) bool {
	return auth != nil && auth.Collection().Name == crm.Customers
}

// notInFuture refuses a time staff give that has not come yet.
func notInFuture(e *core.RecordRequestEvent) error {
	at := e.Record.GetDateTime("at")
	if at.IsZero() || !at.Time().After(time.Now()) {
		return nil
	}
	return e.BadRequestError("A consent cannot be dated in the future.", validation.Errors{
		"at": validation.NewError("validation_future_date", "When the consent was given: now or earlier."),
	})
}
