package restriction

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/timeline"
)

// body is what a request may send: the words the customer read when they
// clicked (text), their own words or what staff were told (note), and, for
// staff, how they were told (source: staff, phone or paper).
type body struct {
	Text   string `json:"text"`
	Note   string `json:"note"`
	Source string `json:"source"`
}

// serverFields are the proof the server sets; a request that sends one is
// refused with a 400 naming it.
var serverFields = []string{crm.RestrictAt, crm.RestrictIP, crm.RestrictUserAgent, crm.RestrictRecordedBy,
	crm.RestrictRecordedByName, crm.ContactRestrictedAt, crm.RestrictAction}

// staffSources are how staff say they were told.
var staffSources = []string{"staff", "phone", "paper"}

func fieldError(e *core.RequestEvent, field, code, message string) error {
	return e.BadRequestError(message, validation.Errors{field: validation.NewError(code, message)})
}

// readBody reads and checks a request's body; customers name no source.
func readBody(e *core.RequestEvent, staff bool) (body, error) {
	var b body
	info, err := e.RequestInfo()
	if err != nil {
		return b, e.BadRequestError("The request's body is not JSON.", nil)
	}
	fields := info.Body
	for _, f := range serverFields {
		if _, sent := fields[f]; sent {
			return b, fieldError(e, f, "validation_server_field", "The server sets "+f+" when it hears the request: leave it out.")
		}
	}
	if _, sent := fields["source"]; sent && !staff {
		return b, fieldError(e, "source", "validation_server_field", "The server sets source: a request from the portal comes through the portal.")
	}
	raw, _ := json.Marshal(fields)
	if err := json.Unmarshal(raw, &b); err != nil {
		return b, e.BadRequestError("The request's body has a field of the wrong kind.", nil)
	}
	b.Text, b.Note, b.Source = strings.TrimSpace(b.Text), strings.TrimSpace(b.Note), strings.TrimSpace(b.Source)
	switch {
	case len([]rune(b.Text)) > 5000:
		return b, fieldError(e, "text", "validation_length_too_long", "The wording has at most 5000 characters.")
	case len([]rune(b.Note)) > 1000:
		return b, fieldError(e, "note", "validation_length_too_long", "The note has at most 1000 characters.")
	case staff && b.Source != "" && !slices.Contains(staffSources, b.Source):
		return b, fieldError(e, "source", "validation_invalid_value", "How the customer asked is staff, phone or paper.")
	}
	return b, nil
}

// portal lets only a signed-in customer with a contact through, to act on
// their own contact and nobody else's.
func portal(fn func(e *core.RequestEvent, contact *core.Record) error) func(*core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
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
}

func answer(e *core.RequestEvent, contactID string) error {
	contact, err := e.App.FindRecordById(crm.Contacts, contactID)
	if err != nil {
		return e.NotFoundError("", nil)
	}
	s, err := StateOf(e.App, contact)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, s)
}

func portalState(e *core.RequestEvent, contact *core.Record) error { return answer(e, contact.Id) }

func portalProof(e *core.RequestEvent, b body) Proof {
	return Proof{Source: "portal", IP: e.RealIP(), UserAgent: e.Request.UserAgent(), Text: b.Text, Note: b.Note,
		Actor: timeline.FromRequest(e)}
}

// portalRestrict restricts (on) or lifts the customer's own processing.
func portalRestrict(on bool) func(*core.RequestEvent, *core.Record) error {
	return func(e *core.RequestEvent, contact *core.Record) error {
		b, err := readBody(e, false)
		if err != nil {
			return err
		}
		if _, err := change(e.App, contact.Id, portalProof(e, b), on); err != nil {
			return err
		}
		return answer(e, contact.Id)
	}
}

// portalObjectMarketing withdraws every marketing consent of the customer.
func portalObjectMarketing(e *core.RequestEvent, contact *core.Record) error {
	b, err := readBody(e, false)
	if err != nil {
		return err
	}
	if b.Note != "" {
		return fieldError(e, "note", "validation_not_allowed", "An objection to marketing needs no reason: leave the note out.")
	}
	if err := ObjectToMarketing(e.App, contact.Id, portalProof(e, b)); err != nil {
		return err
	}
	return answer(e, contact.Id)
}

// visibleContact is the contact of the path when the staff member sees it
// (the business's team visibility), else a 404.
func visibleContact(e *core.RequestEvent) (*core.Record, error) {
	contact, err := e.App.FindRecordById(crm.Contacts, e.Request.PathValue("id"))
	if err != nil {
		return nil, e.NotFoundError("No such contact.", nil)
	}
	if e.HasSuperuserAuth() {
		return contact, nil
	}
	info, err := e.RequestInfo()
	if err != nil {
		return nil, err
	}
	if ok, _ := e.App.CanAccessRecord(contact, info, contact.Collection().ViewRule); !ok {
		return nil, e.NotFoundError("No such contact.", nil)
	}
	return contact, nil
}

func staffState(e *core.RequestEvent) error {
	contact, err := visibleContact(e)
	if err != nil {
		return err
	}
	return answer(e, contact.Id)
}

// staffRestrict records a restriction (on) or its lift the customer asked
// for by phone, by letter or in person; the note says what they said.
func staffRestrict(on bool) func(*core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		b, err := readBody(e, true)
		if err != nil {
			return err
		}
		contact, err := visibleContact(e)
		if err != nil {
			return err
		}
		p := Proof{Source: b.Source, IP: e.RealIP(), UserAgent: e.Request.UserAgent(), Text: b.Text, Note: b.Note,
			Actor: timeline.FromRequest(e)}
		switch {
		case e.Auth != nil && e.Auth.Collection().Name == crm.Staff:
			if p.Source == "" {
				p.Source = "staff"
			}
			p.RecordedBy, p.RecordedByName = e.Auth.Id, e.Auth.GetString("name")
		default: // a superuser's or an integration's token
			p.Source = "api"
		}
		if _, err := change(e.App, contact.Id, p, on); err != nil {
			if errors.Is(err, ErrNoContact) {
				return e.NotFoundError("No such contact.", nil)
			}
			return err
		}
		return answer(e, contact.Id)
	}
}
