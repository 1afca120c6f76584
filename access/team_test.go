package access_test

import (
	"net/http"
	"slices"
	"testing"

	"vinculo/crm"
)

// The team's routes (plugins/team): every one × the eight actors. Who may
// is checked before the body, so a body that is refused (400) for those
// allowed leaves the world as it was for the next actor.
func init() {
	moreRoutes = append(moreRoutes,
		route{http.MethodPost, "/api/crm/team/invite", map[string]any{}, managers, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/team/{stG2}/invite", nil, managers, http.StatusOK},
		route{http.MethodPost, "/api/crm/team/{stG2}/role", map[string]any{"role": "owner"}, managers, http.StatusBadRequest},
		route{http.MethodGet, "/api/crm/team/{stG2}/holdings", nil, managers, http.StatusOK},
		route{http.MethodPost, "/api/crm/team/{stG2}/deactivate", map[string]any{}, managers, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/team/{stG2}/reactivate", nil, managers, http.StatusBadRequest},
		route{http.MethodGet, "/api/crm/tags", nil, staffAll, http.StatusOK},
		route{http.MethodPost, "/api/crm/tags/rename", map[string]any{"tag": "nosuch", "to": "x"}, managers, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/tags/merge", map[string]any{"tag": "nosuch", "into": "x"}, managers, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/tags/delete", map[string]any{"tag": "nosuch"}, managers, http.StatusBadRequest},
		route{http.MethodPost, "/api/crm/pipelines/{pl1}/order", map[string]any{"stages": []string{}}, managers, http.StatusBadRequest},
		// ps1 holds deals: deleting it without naming where they go is refused.
		route{http.MethodPost, "/api/crm/pipelines/stages/{ps1}/delete", map[string]any{}, managers, http.StatusBadRequest},
	)
}

// The staff fields the team's routes own (deactivated, invited_at): no
// actor but a superuser writes them through the record API, on anyone's
// record, their own included; the routes that do write them work for
// managers only.
func TestTeamFieldsOnlyThroughRoutes(t *testing.T) {
	w := newWorld(t)
	for _, field := range []struct {
		name  string
		value any
	}{{crm.FieldDeactivated, true}, {crm.FieldInvitedAt, "2026-11-01 10:00:00.000Z"}} {
		for _, actor := range actors {
			if actor == superuser {
				continue
			}
			for _, label := range []string{"stG2", map[string]string{manager: "stM", agent: "stG", readonly: "stR"}[actor]} {
				if label == "" {
					continue
				}
				res := w.Do(t, http.MethodPatch, "/api/collections/staff/records/"+w.ID(label), actor, map[string]any{field.name: field.value})
				if res.Status == http.StatusOK {
					t.Errorf("%s set %s on %s through the record API", actor, field.name, label)
				}
			}
			body := map[string]any{"email": "new-" + field.name + "@staff.test", "password": "a-long-test-password",
				"passwordConfirm": "a-long-test-password", "name": "New", "role": crm.RoleAgent, field.name: field.value}
			if res := w.Do(t, http.MethodPost, "/api/collections/staff/records", actor, body); res.Status == http.StatusOK {
				t.Errorf("%s created a member with %s through the record API", actor, field.name)
			}
		}
	}
	if w.Find(t, crm.Staff, w.ID("stG2")).GetBool(crm.FieldDeactivated) {
		t.Fatal("stG2 was deactivated through the record API")
	}
	// Through the route, a manager deactivates stG2, handing over to stG.
	for _, actor := range actors {
		res := w.Do(t, http.MethodPost, "/api/crm/team/"+w.ID("stG2")+"/deactivate", actor, map[string]any{"handover": w.ID("stG")})
		allowed := slices.Contains(managers, actor)
		if allowed && res.Status == http.StatusOK {
			break // deactivated: the next actor would find it done
		}
		if allowed || res.Status < 400 {
			t.Fatalf("%s deactivating stG2: %d %s", actor, res.Status, res.Body)
		}
	}
	if !w.Find(t, crm.Staff, w.ID("stG2")).GetBool(crm.FieldDeactivated) {
		t.Error("the manager's deactivation did not happen")
	}
	if got := w.Find(t, crm.Contacts, w.ID("ctC")).GetString(crm.FieldOwner); got != w.ID("stG") {
		t.Errorf("ctC is %s's after the hand-over", got)
	}
}
