// Package requests keeps customer requests (cases) consistent whoever creates
// them: a reference code, the first status of the request type with its
// public label, the customer's company, and the author of each message.
package requests

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/types"

	validation "github.com/pocketbase/ozzo-validation/v4"

	"vinculo/crm"
)

// Status is one step of a request type's workflow.
type Status struct {
	Key         string `json:"key"`
	Label       string `json:"label"`
	PublicLabel string `json:"public_label"`
	Closed      bool   `json:"closed"`
}

// Statuses reads a request type's ordered statuses.
func Statuses(caseType *core.Record) ([]Status, error) {
	var list []Status
	if err := json.Unmarshal([]byte(caseType.GetString("statuses")), &list); err != nil {
		return nil, err
	}
	return list, nil
}

// Register binds the hooks.
func Register(app core.App, cfg *crm.Config) error {
	app.OnRecordCreate(crm.Cases).Bind(&hook.Handler[*core.RecordEvent]{
		Func: func(e *core.RecordEvent) error {
			if err := fillCase(e.App, e.Record); err != nil {
				return err
			}
			return e.Next()
		},
		Priority: -10, // before the default validation
	})
	app.OnRecordUpdate(crm.Cases).BindFunc(func(e *core.RecordEvent) error {
		if err := checkStatus(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	// The author of a message is whoever sends it.
	app.OnRecordCreateRequest(crm.CaseMessages).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Auth != nil {
			switch e.Auth.Collection().Name {
			case crm.Staff:
				e.Record.Set("author_staff", e.Auth.Id)
			case crm.Customers:
				e.Record.Set("author_customer", e.Auth.Id)
				e.Record.Set("internal", false)
			}
		}
		return e.Next()
	})
	return nil
}

func fillCase(app core.App, c *core.Record) error {
	caseType, err := app.FindRecordById(crm.CaseTypes, c.GetString("type"))
	if err != nil {
		return validation.Errors{"type": validation.NewError("validation_unknown_type", "Choose one of the request types offered.")}
	}
	statuses, err := Statuses(caseType)
	if err != nil || len(statuses) == 0 {
		return fmt.Errorf("request type %s has no statuses", caseType.Id)
	}
	if c.GetString("status") == "" {
		c.Set("status", statuses[0].Key)
	}
	if c.GetString("priority") == "" {
		c.Set("priority", "normal")
	}
	if c.GetString(crm.FieldCompany) == "" && c.GetString(crm.FieldContact) != "" {
		if contact, err := app.FindRecordById(crm.Contacts, c.GetString(crm.FieldContact)); err == nil {
			c.Set(crm.FieldCompany, contact.GetString(crm.FieldCompany))
		}
	}
	if c.GetString("reference") == "" {
		ref, err := nextReference(app, caseType.GetString("code"))
		if err != nil {
			return err
		}
		c.Set("reference", ref)
	}
	return checkStatus(app, c)
}

// checkStatus accepts only a status of the request's type and keeps the
// public label and the closed flag in step with it.
func checkStatus(app core.App, c *core.Record) error {
	caseType, err := app.FindRecordById(crm.CaseTypes, c.GetString("type"))
	if err != nil {
		return validation.Errors{"type": validation.NewError("validation_unknown_type", "Choose one of the request types offered.")}
	}
	statuses, _ := Statuses(caseType)
	i := slices.IndexFunc(statuses, func(s Status) bool { return s.Key == c.GetString("status") })
	if i < 0 {
		return validation.Errors{"status": validation.NewError("validation_unknown_status",
			fmt.Sprintf("%q is not a status of this request type.", c.GetString("status")))}
	}
	c.Set("status_label", statuses[i].PublicLabel)
	c.Set("closed", statuses[i].Closed)
	switch {
	case statuses[i].Closed && c.GetDateTime("closed_at").IsZero():
		c.Set("closed_at", types.NowDateTime())
	case !statuses[i].Closed:
		c.Set("closed_at", "")
	}
	return nil
}

// nextReference numbers requests per type: SUP-0001, SUP-0002, ...
func nextReference(app core.App, code string) (string, error) {
	var last struct {
		N int `db:"n"`
	}
	err := app.DB().NewQuery(
		"SELECT COALESCE(MAX(CAST(substr(reference, {:skip}) AS INTEGER)), 0) AS n FROM cases WHERE reference >= {:from} AND reference < {:to}",
	).Bind(dbx.Params{"skip": len(code) + 2, "from": code + "-", "to": code + "."}).One(&last)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%04d", code, last.N+1), nil
}
