// Package consents keeps the history of every consent: each change of state
// or wording moves the earlier version into the record's history, with its
// proof, so nothing the customer agreed to is ever lost.
//
// The proof of a change is the server's (issue 20): the time it heard it
// (`at`), the door it came through (source: the portal for a customer, staff
// — or the phone or paper staff say they were told by — for the team, api
// for an integration's token, import and web_form for those doors), a
// digest of the words agreed to (text_version), the address and user agent
// of the request, and the staff member who recorded it. A request that sends
// any of these — a customer's or anyone's time, say — is refused with a 400
// naming the field.
package consents

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Version is one earlier state of a consent, with its proof.
type Version struct {
	State  string `json:"state"`
	Text   string `json:"text"`
	Source string `json:"source"`
	At     string `json:"at"`
	// Proof of a consent given by double opt-in on a web form (consents.proof).
	Proof          any    `json:"proof,omitempty"`
	TextVersion    string `json:"text_version,omitempty"`
	IP             string `json:"ip,omitempty"`
	UserAgent      string `json:"user_agent,omitempty"`
	RecordedBy     string `json:"recorded_by,omitempty"`
	RecordedByName string `json:"recorded_by_name,omitempty"`
}

// ServerFields are what only the server sets on a consent.
var ServerFields = []string{"at", crm.ConsentIP, crm.ConsentUserAgent, crm.ConsentTextVersion,
	crm.ConsentRecordedBy, crm.ConsentRecordedByName, crm.ConsentProof, "history", "created", "updated"}

// Sources a staff member may name: how the customer told them.
var staffSources = []string{"staff", "phone", "paper"}

// proofKey marks a record whose proof a request hook set in this save.
const proofKey = "@pbInternalVinculoConsentProof"

// Register binds the proof and the history keeping.
func Register(app core.App, cfg *crm.Config) error {
	app.OnRecordCreateRequest(crm.Consents).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := prove(e); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdateRequest(crm.Consents).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := prove(e); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordCreate(crm.Consents).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetDateTime("at").IsZero() {
			e.Record.Set("at", types.NowDateTime())
		}
		e.Record.Set(crm.ConsentTextVersion, TextVersion(e.Record.GetString("text")))
		return e.Next()
	})
	app.OnRecordUpdate(crm.Consents).BindFunc(func(e *core.RecordEvent) error {
		keepHistory(e.Record)
		return e.Next()
	})
	return nil
}

// TextVersion names the exact words agreed to: a digest of the text.
func TextVersion(text string) string {
	if text == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(text))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// prove refuses a request that sends what the server sets, then sets it:
// now, the door, the address, the user agent and who recorded it.
func prove(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	for _, f := range ServerFields {
		if _, sent := info.Body[f]; sent {
			return e.BadRequestError("The server sets "+f+" of a consent.", validation.Errors{
				f: validation.NewError("validation_server_field", "Set by the server when it hears the consent: leave it out."),
			})
		}
	}
	r := e.Record
	r.Set("at", types.NowDateTime())
	r.Set(crm.ConsentIP, crm.Truncate(e.RealIP(), 64))
	r.Set(crm.ConsentUserAgent, crm.Truncate(e.Request.UserAgent(), 300))
	r.Set(crm.ConsentRecordedBy, "")
	r.Set(crm.ConsentRecordedByName, "")
	switch {
	case e.Auth != nil && e.Auth.Collection().Name == crm.Customers:
		r.Set("source", "portal")
	case e.Auth != nil && e.Auth.Collection().Name == crm.Staff:
		if !slices.Contains(staffSources, r.GetString("source")) {
			r.Set("source", "staff")
		}
		r.Set(crm.ConsentRecordedBy, e.Auth.Id)
		r.Set(crm.ConsentRecordedByName, e.Auth.GetString("name"))
	default: // a superuser's or an integration's token
		r.Set("source", "api")
	}
	r.SetRaw(proofKey, true)
	return nil
}

// keepHistory moves the earlier version of a consent whose state, wording
// or source changed into its history, with its proof. A change saved by
// the system (no request) carries no request's address or recorder.
func keepHistory(r *core.Record) {
	old := r.Original()
	changed := false
	for _, f := range []string{"state", "text", "source", crm.ConsentProof} {
		if old.GetString(f) != r.GetString(f) {
			changed = true
		}
	}
	r.Set(crm.ConsentTextVersion, TextVersion(r.GetString("text")))
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
		TextVersion: TextVersion(old.GetString("text")), IP: old.GetString(crm.ConsentIP), UserAgent: old.GetString(crm.ConsentUserAgent),
		RecordedBy: old.GetString(crm.ConsentRecordedBy), RecordedByName: old.GetString(crm.ConsentRecordedByName),
	})
	r.Set("history", history)
	// A proof belongs to the version it proves.
	if proof != nil && old.GetString(crm.ConsentProof) == r.GetString(crm.ConsentProof) {
		r.Set(crm.ConsentProof, nil)
	}
	if r.GetRaw(proofKey) == nil {
		for _, f := range []string{crm.ConsentIP, crm.ConsentUserAgent, crm.ConsentRecordedBy, crm.ConsentRecordedByName} {
			if r.GetString(f) == old.GetString(f) {
				r.Set(f, "")
			}
		}
	}
	if r.GetDateTime("at").Equal(old.GetDateTime("at")) {
		r.Set("at", types.NowDateTime())
	}
}
