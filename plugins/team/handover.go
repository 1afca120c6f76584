package team

import (
	"errors"
	"net/http"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins/notifications"
)

// FieldHandover is the body field of a deactivation naming the colleague
// who takes over every kind of the member's open records that
// FieldHandovers does not name a taker for.
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

// takers names, by kind of holding, the colleague who takes the member's
// open records of that kind.
type takers map[string]string

// handOver moves what from holds to each kind's taker, inside tx. A kind
// without a taker must hold nothing (counted again here, inside the
// transaction, so that nothing assigned meanwhile keeps an inactive owner).
func handOver(tx core.App, from string, to takers) (holdings, error) {
	moved := holdings{}
	now := types.NowDateTime().String()
	for _, k := range holdingKinds {
		taker := to[k.key]
		if taker == "" {
			var n int
			if err := tx.DB().Select("count(*)").From(k.collection).Where(k.where(from)).Row(&n); err != nil {
				return nil, err
			}
			if n > 0 {
				return nil, validation.Errors{fieldOfKind(k.key): validation.NewError("validation_handover_required",
					"Name the colleague who takes over these open records.")}
			}
			continue
		}
		if k.bulk {
			res, err := tx.DB().Update(k.collection, dbx.Params{k.field: taker, "updated": now}, k.where(from)).Execute()
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
			r.Set(k.field, taker)
			if err := tx.Save(r); err != nil {
				return nil, err
			}
		}
		moved[k.key] = len(records)
	}
	return moved, nil
}

// fieldOfKind is the body field naming the taker of one kind.
func fieldOfKind(kind string) string { return FieldHandovers + "." + kind }

// FieldHandovers is the body field of a deactivation naming a taker per
// kind: {"contacts": id, "companies": id, "deals": id, "cases": id, "tasks": id}.
const FieldHandovers = "handovers"

type deactivation struct {
	Handover  string            `json:"handover"`  // the taker of every kind not named in Handovers
	Handovers map[string]string `json:"handovers"` // a taker per kind
}

// deactivate is POST /api/crm/team/{id}/deactivate {handovers, handover}:
// in one transaction, the member's open records of each kind go to the
// colleague named for it, the member can no longer sign in, and their
// sessions end. Every kind they hold needs a taker.
func deactivate(e *core.RequestEvent) error {
	var body deactivation
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
	to, err := checkTakers(e, r, body)
	if err != nil {
		return err
	}
	var moved holdings
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		if moved, err = handOver(tx, r.Id, to); err != nil {
			return err
		}
		r.Set(crm.FieldDeactivated, true)
		r.RefreshTokenKey() // their sessions end now
		if err := tx.Save(r); err != nil {
			return err
		}
		notifyTakers(tx, e.Auth, r, to, moved)
		return nil
	})
	if err != nil {
		var verr validation.Errors
		if errors.As(err, &verr) {
			return e.BadRequestError("The member was not deactivated; nothing was moved.", verr)
		}
		return e.BadRequestError("The member was not deactivated; nothing was moved.", err)
	}
	return e.JSON(http.StatusOK, map[string]any{"member": publicMember(r), "moved": moved})
}

// checkTakers: every kind the member holds has a taker (its own, or the
// one for all), each named colleague may take it, and nothing unknown is
// named.
func checkTakers(e *core.RequestEvent, leaving *core.Record, body deactivation) (takers, error) {
	held, err := holdingsOf(e.App, leaving.Id)
	if err != nil {
		return nil, err
	}
	for kind := range body.Handovers {
		if _, ok := held[kind]; !ok {
			return nil, fieldError(e, FieldHandovers, "validation_handover_kind", "Name takers for contacts, companies, deals, cases and tasks only.")
		}
	}
	if body.Handover != "" {
		if err := checkTaker(e, FieldHandover, leaving.Id, body.Handover); err != nil {
			return nil, err
		}
	}
	to := takers{}
	for _, k := range holdingKinds {
		taker, field := body.Handovers[k.key], fieldOfKind(k.key)
		if taker == "" {
			taker, field = body.Handover, FieldHandover
		}
		switch {
		case taker == "" && held[k.key] > 0 && len(body.Handovers) == 0:
			return nil, fieldError(e, FieldHandover, "validation_handover_required", "Name the colleague who takes over this member's open records.")
		case taker == "" && held[k.key] > 0:
			return nil, fieldError(e, fieldOfKind(k.key), "validation_handover_required", "Name the colleague who takes over these open records.")
		case taker != "":
			if err := checkTaker(e, field, leaving.Id, taker); err != nil {
				return nil, err
			}
		}
		to[k.key] = taker
	}
	return to, nil
}

// notifyTakers tells each colleague who took some of the member's records
// how many of each kind, once.
func notifyTakers(app core.App, by, leaving *core.Record, to takers, moved holdings) {
	got := map[string]map[string]int{}
	for kind, n := range moved {
		if n == 0 {
			continue
		}
		if got[to[kind]] == nil {
			got[to[kind]] = map[string]int{}
		}
		got[to[kind]][kind] = n
	}
	for taker, kinds := range got {
		total, collection := 0, ""
		for kind, n := range kinds {
			total += n
			collection = collectionOfKind(kind)
		}
		if len(kinds) > 1 {
			collection = ""
		}
		n := notifications.Notice{To: taker, Event: crm.NotifyHandedOver, Collection: collection,
			Data: map[string]any{"count": total, "kinds": kinds, "from": leaving.Id, "from_name": leaving.GetString("name"), "reason": "deactivated"}}
		if by != nil && by.Collection().Name == crm.Staff {
			n.By = by.Id
			n.Data["by_name"] = by.GetString("name")
		}
		if err := notifications.Notify(app, n); err != nil {
			app.Logger().Warn("hand-over not notified", "to", taker, "error", err)
		}
	}
}

func collectionOfKind(kind string) string {
	for _, k := range holdingKinds {
		if k.key == kind {
			return k.collection
		}
	}
	return ""
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
