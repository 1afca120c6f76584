package guard_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/testkit"
)

// Each guard lets in its roles and superusers, answers 401 to nobody and 403
// to everyone else, customers included.
func TestGuards(t *testing.T) {
	routes := func(app core.App, _ *crm.Config) error {
		app.OnServe().BindFunc(func(se *core.ServeEvent) error {
			ok := func(e *core.RequestEvent) error { return e.NoContent(http.StatusNoContent) }
			se.Router.GET("/test/staff", ok).Bind(guard.Staff())
			se.Router.GET("/test/writer", ok).Bind(guard.Writer())
			se.Router.GET("/test/manager", ok).Bind(guard.Manager())
			return se.Next()
		})
		return nil
	}
	w := testkit.NewWorld(t, testkit.Plugins(routes)).Business(t)
	su, err := w.App.FindFirstRecordByData(core.CollectionNameSuperusers, "email", "test@example.com")
	if err != nil {
		t.Fatal(err)
	}
	w.SetToken("superuser", testkit.Token(t, su))
	want := map[string]map[string]int{
		"":          {"staff": 401, "writer": 401, "manager": 401},
		"cuB":       {"staff": 403, "writer": 403, "manager": 403},
		"readonly":  {"staff": 204, "writer": 403, "manager": 403},
		"agent":     {"staff": 204, "writer": 204, "manager": 403},
		"manager":   {"staff": 204, "writer": 204, "manager": 204},
		"superuser": {"staff": 204, "writer": 204, "manager": 204},
	}
	for who, byRoute := range want {
		for route, status := range byRoute {
			if got := w.Do(t, http.MethodGet, "/test/"+route, who, nil).Status; got != status {
				t.Errorf("%q on /test/%s: %d, want %d", who, route, got, status)
			}
		}
	}
	if guard.IsWriter(nil) || guard.IsStaff(nil) || guard.IsManager(nil) {
		t.Error("nobody is staff")
	}
}
