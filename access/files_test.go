package access_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tools/filesystem"

	"vinculo/crm"
	"vinculo/testkit"
)

// Files: the attachments of requests, of their messages and of the
// timeline's entries are protected. A download needs a file token, and
// PocketBase lets through exactly those whom the record's view rule lets
// see the record: every staff member, the customer whose request it is (and
// their company's admins when shared), never another customer, and no
// customer ever the files of an internal note, on a request or on a
// contact's timeline.
func TestFileDownloadsFollowTheViewRules(t *testing.T) {
	w := newWorld(t)
	attach := func(label, collection, content string) string {
		t.Helper()
		r := w.Find(t, collection, w.ID(label))
		f, err := filesystem.NewFileFromBytes([]byte(content), label+".txt")
		if err != nil {
			t.Fatal(err)
		}
		r.Set("attachments", []*filesystem.File{f})
		if err := w.App.Save(r); err != nil {
			t.Fatalf("attach to %s: %v", label, err)
		}
		names := r.GetStringSlice("attachments")
		if len(names) != 1 {
			t.Fatalf("%s attachments: %v", label, names)
		}
		return "/api/files/" + collection + "/" + r.Id + "/" + url.PathEscape(names[0])
	}

	type file struct {
		label, collection string
		who               []string // who downloads it; everyone else may not
	}
	customerA := append(slices.Clone(staffAll), custA)
	files := []file{
		{"csA", crm.Cases, customerA},                                    // A's own request
		{"csAshared", crm.Cases, append(slices.Clone(customerA), custB)}, // shared with the company's admin
		{"csC", crm.Cases, append(slices.Clone(staffAll), custC)},
		{"cmA", crm.CaseMessages, customerA},     // a reply to A
		{"cmAint", crm.CaseMessages, staffAll},   // an internal note on A's request
		{"cmAshInt", crm.CaseMessages, staffAll}, // an internal note on a shared request
		{"acApriv", crm.Activities, staffAll},    // an internal call on A's timeline
		{"acNoteG", crm.Activities, staffAll},    // a note on a contact's timeline
		{"acApub", crm.Activities, customerA},    // an entry A reads in the portal
	}
	tokens := map[string]string{}
	for _, actor := range actors {
		if actor == anon {
			continue
		}
		var ft struct{ Token string }
		testkit.Must(t, w.Do(t, http.MethodPost, "/api/files/token", actor, nil), http.StatusOK, actor+" file token").JSON(t, &ft)
		tokens[actor] = ft.Token
	}

	for _, f := range files {
		content := "secret of " + f.label
		path := attach(f.label, f.collection, content)
		// Without a token nobody downloads, not even with an auth header.
		for _, actor := range []string{anon, manager, custA} {
			if res := w.Do(t, http.MethodGet, path, actor, nil); res.Status == http.StatusOK {
				t.Errorf("%s: %s downloads without a file token", f.label, actor)
			}
		}
		for _, actor := range actors {
			if actor == anon {
				continue
			}
			res := w.Do(t, http.MethodGet, path+"?token="+tokens[actor], "", nil)
			got := res.Status == http.StatusOK && strings.Contains(string(res.Body), content)
			if want := slices.Contains(f.who, actor); got != want {
				t.Errorf("%s (%s): %s downloads = %v, want %v (status %d)", f.label, f.collection, actor, got, want, res.Status)
			}
		}
	}
}

// Customers attach files to their own requests and replies only, and never
// to the timeline; staff attach them to notes on a contact's timeline.
func TestWhoAttachesFiles(t *testing.T) {
	w := newWorld(t)
	post := func(who, collection string, fields map[string]string) int {
		t.Helper()
		body, ctype := testkit.Form(fields, "attachments", "photo.txt", []byte("a photo of the oven"))
		res, _ := w.Request(t, http.MethodPost, "/api/collections/"+collection+"/records", who, body, map[string]string{"Content-Type": ctype})
		return res.StatusCode
	}
	if st := post(custA, crm.CaseMessages, map[string]string{"case": w.ID("csA"), "body": "see the photo"}); st != http.StatusOK {
		t.Errorf("customer A's reply with a file: %d", st)
	}
	if st := post(custC, crm.CaseMessages, map[string]string{"case": w.ID("csA"), "body": "not mine"}); st == http.StatusOK {
		t.Error("customer C attached a file to A's request")
	}
	before := w.Count(t, crm.Activities, "")
	if st := post(custA, crm.Activities, map[string]string{"type": "note", "actor_type": "customer", "contact": w.ID("ctA"), "body": "mine"}); st == http.StatusOK {
		t.Error("a customer wrote on the timeline with a file")
	}
	if w.Count(t, crm.Activities, "") != before {
		t.Error("a refused timeline write left a row")
	}
	note := map[string]string{"type": "note", "actor_type": "staff", "staff": w.ID("stG"), "contact": w.ID("ctX"), "body": "the signed form"}
	if st := post(agent, crm.Activities, note); st != http.StatusOK {
		t.Errorf("an agent's note with a file: %d", st)
	}
	if st := post(readonly, crm.Activities, map[string]string{"type": "note", "actor_type": "staff", "staff": w.ID("stR"), "contact": w.ID("ctX"), "body": "ro"}); st == http.StatusOK {
		t.Error("readonly staff attached a file to a note")
	}
}
