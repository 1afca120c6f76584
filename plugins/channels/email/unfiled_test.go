package email_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/channels/email"
)

// unfiledList is the answer of GET /api/crm/email/unfiled.
type unfiledList struct {
	Items []struct {
		ID, From, Subject, Flag, Excerpt, Handled, Contact string
		HandledBy                                          string `json:"handled_by"`
		HandledAt                                          string `json:"handled_at"`
		Files                                              int
	}
	Total, Waiting int
}

func (iw *intakeWorld) unfiled(t *testing.T, who, query string) unfiledList {
	t.Helper()
	res := iw.Do(t, http.MethodGet, "/api/crm/email/unfiled"+query, who, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("list as %s: %d %s", who, res.Status, res.Body)
	}
	var l unfiledList
	res.JSON(t, &l)
	return l
}

// sharedMail takes in a mail from an address two contacts share (the Lima
// family's, or Ana's once a second contact has it): filed under nobody.
func (iw *intakeWorld) sharedMail(t *testing.T, file string) string {
	t.Helper()
	out := iw.intake(t, iw.mail(t, file))
	if out.Action != email.OutcomeUnfiled || out.Contact != "" {
		t.Fatalf("%s: outcome %+v, want unfiled", file, out)
	}
	return out.Mail
}

func TestUnfiledMailIsListedAndFiledOnTheTimeline(t *testing.T) {
	iw := newIntakeWorld(t)
	iw.Make(t, "lima1", crm.Contacts, map[string]any{"name": "Paulo Lima", "email": "familia@lima.test"})
	iw.Make(t, "lima2", crm.Contacts, map[string]any{"name": "Rita Lima", "email": "familia@lima.test"})
	mail := iw.sharedMail(t, "shared_address.eml")
	// An automatic answer under nobody waits for nobody.
	iw.intake(t, []byte("From: x@away.test\r\nTo: suporte@vinculo.test\r\nSubject: Away\r\nMessage-ID: <away-u@away.test>\r\nAuto-Submitted: auto-replied\r\n\r\nAway.\r\n"))

	l := iw.unfiled(t, "readonly", "")
	if l.Waiting != 1 || len(l.Items) != 1 || l.Items[0].ID != mail || l.Items[0].Flag != crm.MailFlagSharedAddress ||
		l.Items[0].From != "familia@lima.test" || l.Items[0].Excerpt != "Which of us pays this month?" {
		t.Fatalf("list %+v", l)
	}

	res := iw.Do(t, http.MethodPost, "/api/crm/email/messages/"+mail+"/file", "agent",
		map[string]any{"contact": iw.ID("lima2"), "as": email.FileAsTimeline})
	if res.Status != http.StatusOK {
		t.Fatalf("file: %d %s", res.Status, res.Body)
	}
	var out email.Outcome
	res.JSON(t, &out)
	row := iw.Find(t, crm.EmailMessages, mail)
	if out.Action != email.OutcomeTimeline || row.GetString(crm.MailContact) != iw.ID("lima2") ||
		row.GetString(crm.MailHandled) != crm.MailHandledFiled || row.GetString(crm.MailHandledBy) != iw.ID("agent") ||
		row.GetDateTime(crm.MailHandledAt).IsZero() {
		t.Fatalf("outcome %+v, row %v", out, row.PublicExport())
	}
	entry := iw.Find(t, crm.Activities, row.GetString(crm.MailActivity))
	if entry.GetString("contact") != iw.ID("lima2") || entry.GetString("event") != email.EventMailReceived ||
		entry.GetString("body") != "Which of us pays this month?" || entry.GetString("ref_id") != mail {
		t.Errorf("timeline entry %v", entry.PublicExport())
	}
	if l := iw.unfiled(t, "agent", ""); l.Waiting != 0 || len(l.Items) != 0 {
		t.Errorf("still waiting: %+v", l)
	}
	done := iw.unfiled(t, "manager", "?handled=1")
	if len(done.Items) != 1 || done.Items[0].HandledBy != iw.R("agent").GetString("name") || done.Items[0].Handled != crm.MailHandledFiled ||
		done.Items[0].Contact != iw.ID("lima2") || done.Items[0].HandledAt == "" {
		t.Errorf("handled list %+v", done)
	}

	// Filed once: a second filing or a dismissal is refused and changes nothing.
	before := counts(t, iw)
	for _, try := range []struct {
		path string
		body map[string]any
	}{{"/file", map[string]any{"contact": iw.ID("lima1"), "as": email.FileAsTimeline}}, {"/dismiss", nil}} {
		res := iw.Do(t, http.MethodPost, "/api/crm/email/messages/"+mail+try.path, "manager", try.body)
		if res.Status != http.StatusConflict {
			t.Errorf("%s twice: %d %s", try.path, res.Status, res.Body)
		}
	}
	if after := counts(t, iw); after != before || iw.Find(t, crm.EmailMessages, mail).GetString(crm.MailContact) != iw.ID("lima2") {
		t.Errorf("a refused filing wrote: %v → %v", before, after)
	}
}

func TestUnfiledMailFiledAsAReplyOrARequest(t *testing.T) {
	iw := newIntakeWorld(t)
	// A second contact with Ana's address: her mails are filed under nobody.
	iw.Make(t, "anaToo", crm.Contacts, map[string]any{"name": "Ana (work)", "email": "ana@a.test"})

	reply := iw.sharedMail(t, "new_request.eml")
	msgs := iw.count(t, crm.CaseMessages, "`case` = {:c}", dbx.Params{"c": iw.kase.Id})
	res := iw.Do(t, http.MethodPost, "/api/crm/email/messages/"+reply+"/file", "agent",
		map[string]any{"contact": iw.ID("ctA"), "as": email.FileAsReply, "case": iw.kase.Id})
	if res.Status != http.StatusOK {
		t.Fatalf("file as reply: %d %s", res.Status, res.Body)
	}
	row := iw.Find(t, crm.EmailMessages, reply)
	msg := iw.Find(t, crm.CaseMessages, row.GetString(crm.MailCaseMsg))
	if row.GetString(crm.MailCase) != iw.kase.Id || msg.GetString("case") != iw.kase.Id ||
		msg.GetString("body") != "The connection drops every ten minutes." || msg.GetString("author_customer") != iw.ID("cuA") ||
		len(msg.GetStringSlice("attachments")) != 1 {
		t.Errorf("reply %v on %v", msg.PublicExport(), row.PublicExport())
	}
	if n := iw.count(t, crm.CaseMessages, "`case` = {:c}", dbx.Params{"c": iw.kase.Id}); n != msgs+1 {
		t.Errorf("%d messages on the request, want %d", n, msgs+1)
	}

	raw := bytes.ReplaceAll(iw.mail(t, "new_request.eml"), []byte("new-request-1@a.test"), []byte("new-request-2@a.test"))
	out := iw.intake(t, raw)
	if out.Action != email.OutcomeUnfiled {
		t.Fatalf("second mail: %+v", out)
	}
	second := out.Mail
	cases := iw.count(t, crm.Cases, "1=1")
	res = iw.Do(t, http.MethodPost, "/api/crm/email/messages/"+second+"/file", "manager",
		map[string]any{"contact": iw.ID("anaToo"), "as": email.FileAsRequest, "type": iw.ID("tpSup")})
	if res.Status != http.StatusOK {
		t.Fatalf("file as request: %d %s", res.Status, res.Body)
	}
	row = iw.Find(t, crm.EmailMessages, second)
	opened := iw.Find(t, crm.Cases, row.GetString(crm.MailCase))
	if iw.count(t, crm.Cases, "1=1") != cases+1 || opened.GetString("contact") != iw.ID("anaToo") ||
		opened.GetString("channel") != "email" || opened.GetString("type") != iw.ID("tpSup") {
		t.Errorf("request %v from %v", opened.PublicExport(), row.PublicExport())
	}
}

func TestFilingBadInputNamesTheField(t *testing.T) {
	iw := newIntakeWorld(t)
	iw.Make(t, "anaToo", crm.Contacts, map[string]any{"name": "Ana (work)", "email": "ana@a.test"})
	iw.Make(t, "csB", crm.Cases, map[string]any{"type": iw.ID("tpSup"), "contact": iw.ID("ctB"), "subject": "Other"})
	mail := iw.sharedMail(t, "new_request.eml")
	before := counts(t, iw)
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"as": email.FileAsTimeline}, "contact"},
		{map[string]any{"contact": "nosuchcontact00", "as": email.FileAsTimeline}, "contact"},
		{map[string]any{"contact": iw.ID("ctA"), "as": "fax"}, "as"},
		{map[string]any{"contact": iw.ID("ctA")}, "as"},
		{map[string]any{"contact": iw.ID("ctA"), "as": email.FileAsReply}, "case"},
		{map[string]any{"contact": iw.ID("ctA"), "as": email.FileAsReply, "case": iw.ID("csB")}, "case"},
		{map[string]any{"contact": iw.ID("ctA"), "as": email.FileAsRequest}, "type"},
		{map[string]any{"contact": iw.ID("ctA"), "as": email.FileAsRequest, "type": "nosuchtype00000"}, "type"},
	} {
		res := iw.Do(t, http.MethodPost, "/api/crm/email/messages/"+mail+"/file", "agent", tc.body)
		var answer struct {
			Data map[string]any `json:"data"`
		}
		_ = json.Unmarshal(res.Body, &answer)
		if res.Status != http.StatusBadRequest || answer.Data[tc.field] == nil || len(answer.Data) != 1 {
			t.Errorf("%v: %d %s, want 400 naming %s", tc.body, res.Status, res.Body, tc.field)
		}
	}
	if res := iw.Do(t, http.MethodGet, "/api/crm/email/unfiled?perPage=1000", "agent", nil); res.Status != http.StatusBadRequest ||
		!bytes.Contains(res.Body, []byte(`"perPage"`)) {
		t.Errorf("perPage 1000: %d %s", res.Status, res.Body)
	}
	// A mail Vinculo sent, or none at all, is not there to file.
	for _, id := range []string{iw.ID("mailOut"), "nosuchmail00000"} {
		if res := iw.Do(t, http.MethodPost, "/api/crm/email/messages/"+id+"/dismiss", "agent", nil); res.Status != http.StatusNotFound {
			t.Errorf("dismiss %s: %d %s", id, res.Status, res.Body)
		}
	}
	if after := counts(t, iw); after != before || !email.Waiting(iw.Find(t, crm.EmailMessages, mail)) {
		t.Errorf("bad input wrote: %v → %v", before, after)
	}
}

func TestDismissedMailIsKeptUnderNobody(t *testing.T) {
	iw := newIntakeWorld(t)
	garbage := iw.intake(t, iw.mail(t, "garbage.eml"))
	if garbage.Contact != "" {
		t.Fatalf("garbage filed under %s", garbage.Contact)
	}
	l := iw.unfiled(t, "agent", "")
	if len(l.Items) != 1 || l.Items[0].ID != garbage.Mail || l.Items[0].Flag == "" {
		t.Fatalf("list %+v", l)
	}
	if res := iw.Do(t, http.MethodPost, "/api/crm/email/messages/"+garbage.Mail+"/dismiss", "manager", nil); res.Status != http.StatusOK {
		t.Fatalf("dismiss: %d %s", res.Status, res.Body)
	}
	row := iw.Find(t, crm.EmailMessages, garbage.Mail)
	if row.GetString(crm.MailHandled) != crm.MailHandledDismissed || row.GetString(crm.MailHandledBy) != iw.ID("manager") ||
		row.GetString(crm.MailContact) != "" || row.GetString(crm.MailActivity) != "" {
		t.Errorf("dismissed row %v", row.PublicExport())
	}
	done := iw.unfiled(t, "readonly", "?handled=1")
	if len(done.Items) != 1 || done.Items[0].Handled != crm.MailHandledDismissed || done.Items[0].HandledBy != iw.R("manager").GetString("name") {
		t.Errorf("handled %+v", done)
	}
	if l := iw.unfiled(t, "agent", ""); l.Waiting != 0 {
		t.Errorf("waiting %d", l.Waiting)
	}
}
