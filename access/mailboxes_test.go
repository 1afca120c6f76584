package access_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// The business's mailboxes (plugins/channels/email): staff read them,
// managers write them; the password is in no answer, a superuser's
// included; the reader's own fields and the mailboxes from vinculo.yaml are
// nobody's to change through the API. Customers and anonymous see nothing.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return mailboxSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodPost, "/api/crm/mailboxes/nosuchmailbox00/test", nil, managers, http.StatusNotFound},
	)
}

const mailboxSecret = "never-shown-pw-91"

// mailboxBody is a mailbox that is off (no reader starts in the matrix).
func mailboxBody(w *testkit.World, label string) map[string]any {
	return map[string]any{
		crm.BoxName: fmt.Sprintf("%s %d", label, w.Unique()), crm.BoxHost: "127.0.0.1", crm.BoxPort: 1,
		crm.BoxTLS: crm.BoxTLSNone, crm.BoxUser: "support@biz.test", crm.BoxPassword: mailboxSecret,
		crm.BoxNewThread: "timeline", crm.BoxActive: false,
	}
}

func mailboxSpecs(withLabels bool) []spec {
	boxes := spec{
		collection: crm.Mailboxes,
		sees:       map[string][]string{},
		create:     func(w *testkit.World, _ string) map[string]any { return mailboxBody(w, "New") },
		canCreate:  managers,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepMailbox(w)
			return "mbA", map[string]any{crm.BoxFolder: fmt.Sprintf("Folder%d", w.Unique())}
		},
		canUpdate: managers,
		remove: func(w *testkit.World) map[string]any {
			body := mailboxBody(w, "Gone")
			body[crm.BoxSource] = crm.BoxFromSettings
			return body
		},
		canDelete: managers,
	}
	if withLabels {
		boxes.labels, boxes.sees = []string{"mbA"}, staffOnly("mbA")
	}
	return []spec{boxes}
}

// keepMailbox labels one mailbox kept in Settings.
func keepMailbox(w *testkit.World) {
	if w.Has("mbA") {
		return
	}
	body := mailboxBody(w, "Kept")
	body[crm.BoxSource] = crm.BoxFromSettings
	c, err := w.App.FindCachedCollectionByNameOrId(crm.Mailboxes)
	if err != nil {
		panic(err)
	}
	r := core.NewRecord(c)
	r.Load(body)
	if err := w.App.Save(r); err != nil {
		panic(err)
	}
	w.Keep("mbA", r)
}

// TestMailboxReads: the list, view and realtime rows of the mailboxes.
func TestMailboxReads(t *testing.T) {
	w := newWorld(t)
	keepMailbox(w)
	for _, s := range mailboxSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}

// The password is in no answer to anyone (list, view, create), staff
// cannot filter on it, and it is stored.
func TestMailboxPasswordNeverShown(t *testing.T) {
	w := newWorld(t)
	keepMailbox(w)
	for _, actor := range []string{manager, agent, readonly, superuser} {
		for _, path := range []string{"/api/collections/mailboxes/records", "/api/collections/mailboxes/records/" + w.ID("mbA")} {
			res := w.Do(t, http.MethodGet, path, actor, nil)
			if res.Status != http.StatusOK || strings.Contains(string(res.Body), mailboxSecret) || strings.Contains(string(res.Body), `"password"`) {
				t.Errorf("%s GET %s: %d %s", actor, path, res.Status, res.Body)
			}
		}
		if actor == superuser {
			continue // a superuser may filter on any field (and has the database itself, in its backups)
		}
		res := w.Do(t, http.MethodGet, "/api/collections/mailboxes/records?filter="+strings.ReplaceAll("password~'never'", " ", "%20"), actor, nil)
		if strings.Contains(string(res.Body), w.ID("mbA")) {
			t.Errorf("%s finds the mailbox by its password: %s", actor, res.Body)
		}
	}
	for _, actor := range []string{manager, superuser} {
		res := w.Do(t, http.MethodPost, "/api/collections/mailboxes/records", actor, mailboxBody(w, "Made by "+actor))
		if res.Status != http.StatusOK || strings.Contains(string(res.Body), mailboxSecret) {
			t.Errorf("%s creates: %d %s", actor, res.Status, res.Body)
			continue
		}
		var made struct{ ID string }
		res.JSON(t, &made)
		if got := w.Find(t, crm.Mailboxes, made.ID).GetString(crm.BoxPassword); got != mailboxSecret {
			t.Errorf("%s's mailbox keeps the password %q", actor, got)
		}
	}
}

// Managers send what a mailbox is, not what the reader found: those fields
// are refused with a 400 naming them, and nothing changes.
func TestMailboxServerFieldsRefused(t *testing.T) {
	w := newWorld(t)
	keepMailbox(w)
	for _, field := range []string{crm.BoxLastUID, crm.BoxUIDValidity, crm.BoxStatus, crm.BoxFailures, crm.BoxSource} {
		res := w.Do(t, http.MethodPatch, "/api/collections/mailboxes/records/"+w.ID("mbA"), manager, map[string]any{field: 7})
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+field+`"`) {
			t.Errorf("manager sends %s: %d %s", field, res.Status, res.Body)
		}
	}
	if got := w.Find(t, crm.Mailboxes, w.ID("mbA")).GetInt(crm.BoxLastUID); got != 0 {
		t.Errorf("last_uid changed to %d", got)
	}
	body := mailboxBody(w, "No pw")
	delete(body, crm.BoxPassword)
	if res := w.Do(t, http.MethodPost, "/api/collections/mailboxes/records", manager, body); res.Status != http.StatusBadRequest ||
		!strings.Contains(string(res.Body), `"password"`) {
		t.Errorf("a mailbox without a password: %d %s", res.Status, res.Body)
	}
	body = mailboxBody(w, "Clear")
	body[crm.BoxHost] = "imap.example.com"
	if res := w.Do(t, http.MethodPost, "/api/collections/mailboxes/records", manager, body); res.Status != http.StatusBadRequest ||
		!strings.Contains(string(res.Body), `"tls"`) {
		t.Errorf("no TLS to a remote server: %d %s", res.Status, res.Body)
	}
}

// A mailbox from vinculo.yaml is changed and removed only there.
func TestMailboxFromConfigIsReadOnly(t *testing.T) {
	w := newWorld(t)
	body := mailboxBody(w, "From file")
	body[crm.BoxSource] = crm.BoxFromConfig
	r := testkit.Save(t, w.App, crm.Mailboxes, body)
	for _, actor := range []string{manager, superuser} {
		if res := w.Do(t, http.MethodPatch, "/api/collections/mailboxes/records/"+r.Id, actor, map[string]any{crm.BoxFolder: "Other"}); res.Status != http.StatusBadRequest {
			t.Errorf("%s changes a config mailbox: %d %s", actor, res.Status, res.Body)
		}
		if res := w.Do(t, http.MethodDelete, "/api/collections/mailboxes/records/"+r.Id, actor, nil); res.Status != http.StatusBadRequest {
			t.Errorf("%s removes a config mailbox: %d %s", actor, res.Status, res.Body)
		}
	}
	if w.Find(t, crm.Mailboxes, r.Id).GetString(crm.BoxFolder) != "INBOX" {
		t.Error("the config mailbox changed")
	}
}
