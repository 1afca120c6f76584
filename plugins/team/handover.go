package team

import (
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// FieldHandover is the body field of a deactivation: the colleague who
// takes over the member's open records.
const FieldHandover = "handover"

// A holding is one kind of open record a member is responsible for.
type holding struct {
	key, collection, field string
	open                   string // SQL: which of its records are still open ("" for all)
	bulk                   bool   // moved in one statement: an owner change starts nothing else
}

// holdingKinds: what a member holds and must hand over. Contacts and
// companies change owner in one statement each (an agent may own tens of
// thousands, and nothing follows from their owner changing); open deals,
// requests and tasks are saved one by one, so that what follows from a new
// owner or assignee (the timeline, notices) does.
var holdingKinds = []holding{
	{"contacts", crm.Contacts, crm.FieldOwner, "", true},
	{"companies", crm.Companies, crm.FieldOwner, "", true},
	{"deals", crm.Deals, crm.FieldOwner, "status = '" + crm.DealOpen + "'", false},
	{"cases", crm.Cases, "assignee", "(closed IS NULL OR closed = FALSE)", false},
	{"tasks", crm.Tasks, "assignee", "status = '" + crm.TaskOpen + "'", false},
}

type holdings map[string]int

func (h holdings) total() int {
	n := 0
	for _, v := range h {
		n += v
	}
	return n
}

func (k holding) where(staffID string) dbx.Expression {
	cond := "`" + k.field + "` = {:staff}"
	if k.open != "" {
		cond += " AND " + k.open
	}
	return dbx.NewExp(cond, dbx.Params{"staff": staffID})
}

// holdingsOf counts the open records staffID holds, by kind.
func holdingsOf(app core.App, staffID string) (holdings, error) {
	out := holdings{}
	for _, k := range holdingKinds {
		var n int
		if err := app.DB().Select("count(*)").From(k.collection).Where(k.where(staffID)).Row(&n); err != nil {
			return nil, err
		}
		out[k.key] = n
	}
	return out, nil
}

// holdingsRoute is GET /api/crm/team/{id}/holdings: what deactivating the
// member would hand over.
func holdingsRoute(e *core.RequestEvent) error {
	r, err := member(e)
	if err != nil {
		return err
	}
	h, err := holdingsOf(e.App, r.Id)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, h)
}

// handOver moves what from holds to to, inside tx.
func handOver(tx core.App, from, to string) (holdings, error) {
	moved := holdings{}
	now := types.NowDateTime().String()
	for _, k := range holdingKinds {
		if k.bulk {
			res, err := tx.DB().Update(k.collection, dbx.Params{k.field: to, "updated": now}, k.where(from)).Execute()
			if err != nil {
				return nil, err
			}
			n, _ := res.RowsAffected()
			moved[k.key] = int(n)
			continue
		}
		records, err := tx.FindAllRecords(k.collection, k.where(from))
		if err != nil {
			return nil, err
		}
		for _, r := range records {
			r.Set(k.field, to)
			if err := tx.Save(r); err != nil {
				return nil, err
			}
		}
		moved[k.key] = len(records)
	}
	return moved, nil
}

// deactivate is POST /api/crm/team/{id}/deactivate {handover}: in one
// transaction, the member's open records go to the colleague named, the
// member can no longer sign in, and their sessions end.
func deactivate(e *core.RequestEvent) error {
	var body struct {
		Handover string `json:"handover"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The request body is not JSON.", err)
	}
	r, err := member(e)
	if err != nil {
		return err
	}
	if e.Auth != nil && e.Auth.Id == r.Id && e.Auth.Collection().Id == r.Collection().Id {
		return fieldError(e, "id", "validation_not_yourself", "You cannot deactivate yourself: ask another manager.")
	}
	if r.GetBool(crm.FieldDeactivated) {
		return fieldError(e, crm.FieldDeactivated, "validation_already_deactivated", "This member is already deactivated.")
	}
	if err := checkHandover(e, r, body.Handover); err != nil {
		return err
	}
	var moved holdings
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		if moved, err = handOver(tx, r.Id, body.Handover); err != nil {
			return err
		}
		r.Set(crm.FieldDeactivated, true)
		r.RefreshTokenKey() // their sessions end now
		return tx.Save(r)
	})
	if err != nil {
		return e.BadRequestError("The member was not deactivated; nothing was moved.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"member": publicMember(r), "moved": moved})
}

// checkHandover: the colleague named exists, is someone else, is active and
// may work the records (a manager or an agent).
func checkHandover(e *core.RequestEvent, leaving *core.Record, id string) error {
	if id == "" {
		return fieldError(e, FieldHandover, "validation_handover_required", "Name the colleague who takes over this member's open records.")
	}
	to, err := e.App.FindRecordById(crm.Staff, id)
	switch {
	case err != nil:
		return fieldError(e, FieldHandover, "validation_handover_unknown", "No member of the team with that id.")
	case to.Id == leaving.Id:
		return fieldError(e, FieldHandover, "validation_handover_same", "Name someone other than the member who leaves.")
	case to.GetBool(crm.FieldDeactivated):
		return fieldError(e, FieldHandover, "validation_handover_inactive", "That colleague is deactivated: name an active one.")
	case to.GetString(crm.FieldRole) == crm.RoleReadonly:
		return fieldError(e, FieldHandover, "validation_handover_readonly", "A read-only member cannot work these records: name a manager or an agent.")
	}
	return nil
}

// reactivate is POST /api/crm/team/{id}/reactivate: the member may sign in
// again (the records handed over stay with their new owners).
func reactivate(e *core.RequestEvent) error {
	r, err := member(e)
	if err != nil {
		return err
	}
	if !r.GetBool(crm.FieldDeactivated) {
		return fieldError(e, crm.FieldDeactivated, "validation_not_deactivated", "This member is active.")
	}
	r.Set(crm.FieldDeactivated, false)
	if err := e.App.Save(r); err != nil {
		return e.BadRequestError("The member was not reactivated.", err)
	}
	return e.JSON(http.StatusOK, publicMember(r))
}
