package access_test

import (
	"fmt"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// Email both ways (plugins/channels/email): the mails sent and received.
// Staff read them; nobody writes them through the API, superusers included
// in spirit (the server alone writes); customers and anonymous see nothing.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return emailSpecs(false) })
}

func emailMailRow(w *testkit.World, label string) map[string]any {
	return map[string]any{
		crm.MailMessageID: fmt.Sprintf("%s-%d@mail.example", label, w.Unique()),
		crm.MailDirection: crm.MailIn, crm.MailContact: w.ID("ctA"), crm.MailFrom: "ana@a.example",
		crm.MailSubject: "Question", crm.MailText: "Hello", crm.MailKind: crm.MailNormal,
	}
}

func emailSpecs(withLabels bool) []spec {
	mails := spec{
		collection: crm.EmailMessages,
		sees:       map[string][]string{},
		create:     func(w *testkit.World, _ string) map[string]any { return emailMailRow(w, "new") },
		canCreate:  nil,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepMail(w)
			return "emA", map[string]any{crm.MailSubject: fmt.Sprintf("Changed %d", w.Unique())}
		},
		canUpdate: nil,
		remove:    func(w *testkit.World) map[string]any { return emailMailRow(w, "gone") },
		canDelete: nil,
	}
	if withLabels {
		mails.labels, mails.sees = []string{"emA"}, staffOnly("emA")
	}
	return []spec{mails}
}

// keepMail labels one received mail of customer A's contact.
func keepMail(w *testkit.World) {
	if w.Has("emA") {
		return
	}
	c, err := w.App.FindCachedCollectionByNameOrId(crm.EmailMessages)
	if err != nil {
		panic(err)
	}
	r := core.NewRecord(c)
	r.Load(emailMailRow(w, "kept"))
	if err := w.App.Save(r); err != nil {
		panic(err)
	}
	w.Keep("emA", r)
}

// TestEmailReads: the list, view and realtime rows of the mails.
func TestEmailReads(t *testing.T) {
	w := newWorld(t)
	keepMail(w)
	for _, s := range emailSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}
