package access_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// Writing email (plugins/channels/email): the business's email templates
// (staff read, managers write; customers and anonymous see nothing), and
// the composer's routes (staff who may write).
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return templateSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/email/draft?contact={ctA}", nil, writers, http.StatusOK},
		// Past the guard, an empty email is a 400 naming the contact (the
		// sends themselves: plugins/channels/email's tests).
		route{http.MethodPost, "/api/crm/email", nil, writers, http.StatusBadRequest},
	)
}

func templateRow(w *testkit.World, label string) map[string]any {
	return map[string]any{crm.TplName: fmt.Sprintf("%s %d", label, w.Unique()), "purpose": crm.PurposeService,
		crm.TplSubjectEN: "About {{request.reference}}", crm.TplBodyEN: "Hello {{contact.name}}",
		crm.TplSubjectPT: "Sobre {{request.reference}}", crm.TplBodyPT: "Olá {{contact.name}}"}
}

func templateSpecs(withLabels bool) []spec {
	s := spec{
		collection: crm.EmailTemplates,
		sees:       map[string][]string{},
		create:     func(w *testkit.World, _ string) map[string]any { return templateRow(w, "New") },
		canCreate:  managers,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepTemplate(w)
			return "etA", map[string]any{crm.TplName: fmt.Sprintf("Renamed %d", w.Unique())}
		},
		canUpdate: managers,
		remove:    func(w *testkit.World) map[string]any { return templateRow(w, "Gone") },
		canDelete: managers,
	}
	if withLabels {
		s.labels, s.sees = []string{"etA"}, staffOnly("etA")
	}
	return []spec{s}
}

func keepTemplate(w *testkit.World) {
	if w.Has("etA") {
		return
	}
	c, err := w.App.FindCachedCollectionByNameOrId(crm.EmailTemplates)
	if err != nil {
		panic(err)
	}
	r := core.NewRecord(c)
	r.Load(templateRow(w, "Kept"))
	if err := w.App.Save(r); err != nil {
		panic(err)
	}
	w.Keep("etA", r)
}

// TestTemplateReads: the list, view and realtime rows of the templates.
func TestTemplateReads(t *testing.T) {
	w := newWorld(t)
	keepTemplate(w)
	for _, s := range templateSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}
