package access_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// The full copy (plugins/fullcopy): each customer downloads their own (the
// portal's route names nobody, so another's cannot be asked for); managers
// download a person's copy for a request made by phone or letter. Agents,
// readonly staff, partners and customers get a 403 on the manager's route,
// anonymous a 401 on both.
func init() {
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/portal/full-copy", nil, customers3, http.StatusOK},
		route{http.MethodGet, "/api/crm/contacts/{ctA}/full-copy", nil, managers, http.StatusOK},
		route{http.MethodGet, "/api/crm/contacts/{ctC}/full-copy", nil, managers, http.StatusOK},
	)
}

// fullCopyText is every file of actor's own full copy, one after the other.
func fullCopyText(t *testing.T, w *testkit.World, actor string) string {
	t.Helper()
	res := w.Do(t, http.MethodGet, "/api/crm/portal/full-copy", actor, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("%s full copy: %d %s", actor, res.Status, res.Body)
	}
	z, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
	if err != nil {
		t.Fatalf("%s full copy is not a ZIP: %v", actor, err)
	}
	var all strings.Builder
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(r)
		r.Close()
		all.Write(raw)
	}
	return all.String()
}

// Each customer's copy is theirs: the team's notes on their own requests
// are in it (a note about a person is their personal data), nothing of a
// colleague at the same company or of another company is.
func TestFullCopyIsTheirOwn(t *testing.T) {
	w := newWorld(t)
	a := fullCopyText(t, w, custA)
	for _, label := range []string{"ctA", "csA", "csAshared", "cmA", "cmAint", "cmAsh", "cmAshInt", "cnA"} {
		if !strings.Contains(a, w.ID(label)) {
			t.Errorf("Ana's copy lacks %s", label)
		}
	}
	for actor, forbidden := range map[string][]string{
		custA: {"ctB", "ctC", "cuB", "cuC", "csB", "csC", "orB", "orBco", "orC", "sbBco", "sbC", "cnC"},
		custB: {"ctA", "cuA", "csA", "csAshared", "cmA", "cmAint", "cmAsh", "cmAshInt", "orA", "orAco", "sbA", "cnA"},
	} {
		text := fullCopyText(t, w, actor)
		for _, label := range forbidden {
			if strings.Contains(text, w.ID(label)) {
				t.Errorf("%s's copy holds %s", actor, label)
			}
		}
		for _, email := range []string{"c@cust.test", map[string]string{custA: "b@cust.test", custB: "a@cust.test"}[actor]} {
			if strings.Contains(text, email) {
				t.Errorf("%s's copy holds %s", actor, email)
			}
		}
	}
	// A partner (an outside technician) is refused the manager's route.
	w.Make(t, "stP", crm.Staff, map[string]any{"email": "p@partner.test", "name": "Paulo Partner", "role": crm.RolePartner})
	if res := w.Do(t, http.MethodGet, "/api/crm/contacts/"+w.ID("ctA")+"/full-copy", "stP", nil); res.Status != http.StatusForbidden {
		t.Errorf("a partner on the manager's route: %d", res.Status)
	}
	if res := w.Do(t, http.MethodGet, "/api/crm/portal/full-copy", "stP", nil); res.Status != http.StatusForbidden {
		t.Errorf("a partner on the portal's route: %d", res.Status)
	}
}
