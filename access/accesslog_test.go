package access_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// Who looked at my data (plugins/accesslog): the members of each export are
// the server's to write and managers' to read; customers read their own log
// through the portal's route (and their own audit_log rows, whose matrix row
// is in matrix_test.go), managers a customer's log on the record.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return accessLogSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/portal/access", nil, customers3, http.StatusOK},
		route{http.MethodGet, "/api/crm/contacts/{ctA}/access", nil, managers, http.StatusOK},
	)
}

func memberRow(w *testkit.World) map[string]any {
	keepExport(w)
	return map[string]any{crm.AuditExport: w.ID("alExp"), crm.FieldContact: w.ID("ctA")}
}

func accessLogSpecs(withLabels bool) []spec {
	members := spec{
		collection: crm.ExportMembers,
		sees:       map[string][]string{},
		create:     func(w *testkit.World, _ string) map[string]any { return memberRow(w) },
		canCreate:  superOnly,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepExport(w)
			return "emExp", map[string]any{crm.FieldContact: w.ID("ctC")}
		},
		canUpdate: superOnly,
		remove:    memberRow,
		canDelete: superOnly,
	}
	if withLabels {
		members.labels, members.sees = []string{"emExp"}, map[string][]string{manager: {"emExp"}, superuser: {"emExp"}}
	}
	return []spec{members}
}

// keepExport labels one export (alExp) and its member, customer A (emExp).
func keepExport(w *testkit.World) {
	if w.Has("alExp") {
		return
	}
	save := func(name string, fields map[string]any) *core.Record {
		c, err := w.App.FindCachedCollectionByNameOrId(name)
		if err != nil {
			panic(err)
		}
		r := core.NewRecord(c)
		r.Load(fields)
		if err := w.App.Save(r); err != nil {
			panic(err)
		}
		return r
	}
	ex := save(crm.AuditLog, map[string]any{"actor_type": "staff", "staff": w.ID("stM"), "action": "export", "collection": crm.Contacts,
		crm.AuditScreen: crm.ScreenExport, crm.AuditCount: 1, crm.AuditActorKind: crm.AccessByStaff})
	w.Keep("alExp", ex)
	w.Keep("emExp", save(crm.ExportMembers, map[string]any{crm.AuditExport: ex.Id, crm.FieldContact: w.ID("ctA")}))
}

// TestAccessLogReads: the list, view and realtime rows of export members.
func TestAccessLogReads(t *testing.T) {
	w := newWorld(t)
	keepExport(w)
	for _, s := range accessLogSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}
