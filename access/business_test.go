package access_test

import (
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/business"
	"vinculo/testkit"
)

// The business's settings: one row, read by staff, changed by managers;
// nobody adds a second row or deletes it through the API (superusers
// included). Customers and the public read only the name, logo and colour,
// through the portal's branding route.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return businessSpecs(false) })
}

// businessRow labels the settings row "biz" (the server seeded it).
func businessRow(w *testkit.World) {
	if !w.Has("biz") {
		r, err := business.Row(w.App)
		if err != nil {
			panic(err)
		}
		w.Keep("biz", r)
	}
}

func businessSpecs(withLabels bool) []spec {
	var labels []string
	if withLabels {
		labels = []string{"biz"}
	}
	body := func(*testkit.World) map[string]any {
		return map[string]any{"name": "Outra", "country": "BR", "language": "en", "timezone": "UTC", "hours": "mon 09:00-10:00"}
	}
	return []spec{{
		collection: crm.BusinessSettings, labels: labels, sees: staffOnly(labels...),
		create:    func(w *testkit.World, _ string) map[string]any { return body(w) },
		canCreate: nil, // the one row is the server's
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			businessRow(w)
			return "biz", map[string]any{"color": "#123456", "hours": "mon-sat 08:00-17:00"}
		},
		canUpdate: managers,
		remove:    body,
		canDelete: nil,
	}}
}

func TestBusinessSettingsAccess(t *testing.T) {
	w := newWorld(t)
	businessRow(w)
	for _, s := range businessSpecs(true) {
		t.Run(s.collection, func(t *testing.T) { checkSpec(t, w, s) })
	}
	// The public parts only: no hours, holidays or country for the public.
	for _, actor := range actors {
		res := w.Do(t, http.MethodGet, "/api/crm/portal/branding", actor, nil)
		if res.Status != http.StatusOK {
			t.Errorf("%s branding: %d", actor, res.Status)
		}
		for _, private := range []string{"hours", "holidays", "country", "08:00"} {
			if strings.Contains(string(res.Body), private) {
				t.Errorf("%s branding shows %s: %s", actor, private, res.Body)
			}
		}
	}
}
