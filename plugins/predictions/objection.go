package predictions

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/segments/segdef"
	"vinculo/plugins/timeline"
)

// The portal's "Your profile and offers" (GDPR art. 13-15, 21, 22): a
// customer sees the segments they are in, what the value model says of
// them in plain words, and why each suggestion about them was made — the
// reasons' events and numbers, never the team's notes nor who decided —
// and objects to profiling with one click. The objection is a profiling
// consent withdrawal the server dates; their scores and suggestions are
// deleted in the same transaction, so they are in no profiling segment
// from that moment. Granting profiling again undoes it (from the next fit).

// withCustomer lets only a signed-in customer with a contact through.
func withCustomer(e *core.RequestEvent, fn func(e *core.RequestEvent, contact *core.Record) error) error {
	if e.Auth == nil {
		return e.UnauthorizedError("Sign in to the portal first.", nil)
	}
	if e.Auth.Collection().Name != crm.Customers {
		return e.ForbiddenError("This is for customers signed in to the portal.", nil)
	}
	contact, err := e.App.FindRecordById(crm.Contacts, e.Auth.GetString(crm.FieldContact))
	if err != nil {
		return e.ForbiddenError("Your portal account is not linked to a contact.", nil)
	}
	return fn(e, contact)
}

// PortalSuggestion is a suggestion as its customer reads it: what kind, about
// what, and its reasons. Nothing of what the team did with it.
type PortalSuggestion struct {
	ID      string   `json:"id"`
	Kind    string   `json:"kind"`
	Reasons []Reason `json:"reasons"`
	Created string   `json:"created"`
}

// PortalSegment is a segment the customer is in, with what it offers.
type PortalSegment struct {
	Name          string `json:"name"`
	Proposition   string `json:"proposition"`
	UsesProfiling bool   `json:"uses_profiling"`
}

// profilingPage answers the customer's profile: consent, what the model
// says, segments and suggestions.
func profilingPage(e *core.RequestEvent, cfg *crm.Config, contact *core.Record) error {
	out, err := profileOf(e.App, cfg, contact.Id)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, out)
}

func profileOf(app core.App, cfg *crm.Config, contact string) (map[string]any, error) {
	b := cfg.BusinessNow()
	prof, err := readProfilingOf(app, b.ProfilingNeedsConsent, contact)
	if err != nil {
		return nil, err
	}
	consent := map[string]any{"state": "", "at": ""}
	var rows []*core.Record
	rows, err = app.FindRecordsByFilter(crm.Consents, "contact = {:c} && purpose = {:p}", "-at,-updated", 1, 0,
		dbx.Params{"c": contact, "p": crm.PurposeProfiling})
	if err != nil {
		return nil, err
	}
	if len(rows) > 0 {
		consent["state"], consent["at"] = rows[0].GetString("state"), rows[0].GetDateTime("at").String()
	}
	out := map[string]any{"consent": consent, "allowed": prof.Allowed(contact), "needs_consent": prof.NeedsConsent,
		"score": nil, "segments": []PortalSegment{}, "suggestions": []PortalSuggestion{}}
	if s, err := app.FindFirstRecordByData(crm.CustomerScores, crm.ScoreContact, contact); err == nil {
		out["score"] = map[string]any{"class": s.GetString(crm.ScoreRFMClass), "purchases": s.GetInt(crm.ScorePurchases),
			"last_purchase": s.GetDateTime(crm.ScoreLastPurchase).String(), "total_spent": s.GetFloat(crm.ScoreTotalSpent),
			"currency": b.Currency, "fitted_at": s.GetDateTime(crm.ScoreFittedAt).String()}
	}
	if out["segments"], err = segmentsOf(app, contact); err != nil {
		return nil, err
	}
	var list []struct {
		ID      string `db:"id"`
		Kind    string `db:"kind"`
		Reasons string `db:"reasons"`
		Created string `db:"created"`
	}
	if err := app.DB().Select("id", crm.SuggestKind, crm.SuggestReasons, "created").From(crm.Suggestions).
		Where(dbx.HashExp{crm.SuggestContact: contact}).OrderBy(crm.SuggestRank+" DESC", "created DESC").All(&list); err != nil {
		return nil, err
	}
	sugg := make([]PortalSuggestion, 0, len(list))
	for _, r := range list {
		p := PortalSuggestion{ID: r.ID, Kind: r.Kind, Created: r.Created}
		_ = json.Unmarshal([]byte(r.Reasons), &p.Reasons)
		sugg = append(sugg, p)
	}
	out["suggestions"] = sugg
	return out, nil
}

// maxPortalSegments bounds the segments checked for one customer.
const maxPortalSegments = 200

// segmentsOf lists the segments the contact is in now: each segment's
// query (plugins/segments, segdef), narrowed to the contact. A segment
// reading the value model leaves out who objected, as it does everywhere.
func segmentsOf(app core.App, contact string) ([]PortalSegment, error) {
	segs, err := app.FindRecordsByFilter(crm.Segments, "", crm.SegmentName, maxPortalSegments, 0)
	if err != nil {
		return nil, err
	}
	out := []PortalSegment{}
	now := time.Now()
	for i, seg := range segs {
		c, err := segdef.Of(app, seg, now, fmt.Sprintf("pf%d", i))
		if err != nil {
			continue // a segment that no longer compiles holds no one
		}
		params := dbx.Params{"pfme": contact}
		for k, v := range c.Params {
			params[k] = v
		}
		var n int
		if err := app.DB().NewQuery("SELECT COUNT(*) FROM " + crm.Contacts + " " + segdef.Alias + " WHERE " + segdef.Alias +
			".id = {:pfme} AND (" + c.Where + ")").Bind(params).Row(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, PortalSegment{Name: seg.GetString(crm.SegmentName), Proposition: seg.GetString(crm.SegmentProposition),
				UsesProfiling: c.UsesProfiling})
		}
	}
	return out, nil
}

// consentBody is the wording the customer read when objecting or granting.
type consentBody struct {
	Text string `json:"text"`
}

// object records the objection: every profiling consent of the contact
// withdrawn (one through the portal when there was none), dated by the
// server, and their scores and suggestions deleted, in one transaction.
func object(e *core.RequestEvent, cfg *crm.Config, contact *core.Record) error {
	return setProfiling(e, cfg, contact, "withdrawn")
}

// resume undoes an objection: profiling is granted again; the contact is
// scored from the next fit.
func resume(e *core.RequestEvent, cfg *crm.Config, contact *core.Record) error {
	return setProfiling(e, cfg, contact, "granted")
}

func setProfiling(e *core.RequestEvent, cfg *crm.Config, contact *core.Record, state string) error {
	var body consentBody
	if e.Request.ContentLength != 0 {
		if err := e.BindBody(&body); err != nil {
			return e.BadRequestError("The request's body is not JSON.", nil)
		}
	}
	body.Text = strings.TrimSpace(body.Text)
	if len([]rune(body.Text)) > 5000 {
		return e.BadRequestError("The wording is too long.", validation.Errors{
			"text": validation.NewError("validation_length_too_long", "The wording has at most 5000 characters.")})
	}
	actor := timeline.Actor{Type: timeline.ActorCustomer, Customer: e.Auth.Id, Channel: timeline.ChannelPortal}
	err := e.App.RunInTransaction(func(tx core.App) error {
		rows, err := tx.FindAllRecords(crm.Consents, dbx.HashExp{crm.FieldContact: contact.Id, "purpose": crm.PurposeProfiling})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			c, err := tx.FindCachedCollectionByNameOrId(crm.Consents)
			if err != nil {
				return err
			}
			r := core.NewRecord(c)
			r.Load(map[string]any{crm.FieldContact: contact.Id, "purpose": crm.PurposeProfiling, "channel": "portal"})
			rows = append(rows, r)
		}
		for _, r := range rows {
			r.Set("state", state)
			r.Set("source", "portal")
			r.Set("at", types.NowDateTime())
			if body.Text != "" {
				r.Set("text", body.Text)
			}
			timeline.SetActor(r, actor)
			if err := tx.Save(r); err != nil {
				return err
			}
		}
		if state != "withdrawn" {
			return nil
		}
		return deleteProfile(tx, contact.Id)
	})
	if err != nil {
		return err
	}
	out, err := profileOf(e.App, cfg, contact.Id)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, out)
}

// DeleteProfile deletes the contact's score and suggestions in tx: a
// restriction of processing (plugins/restriction) does it in its own
// transaction, as an objection does.
func DeleteProfile(tx core.App, contact string) error { return deleteProfile(tx, contact) }

// deleteProfile deletes everything the model stored about the contact:
// their score and every suggestion.
func deleteProfile(tx core.App, contact string) error {
	if _, err := tx.DB().Delete(crm.CustomerScores, dbx.HashExp{crm.ScoreContact: contact}).Execute(); err != nil {
		return err
	}
	_, err := tx.DB().Delete(crm.Suggestions, dbx.HashExp{crm.SuggestContact: contact}).Execute()
	return err
}
