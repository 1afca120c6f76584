package email_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/channels/email"
	"vinculo/testkit"
)

// vinculo.yaml's mail.inbound: read and checked, each fault naming its field.
func TestInboundConfigIsReadAndChecked(t *testing.T) {
	ok := `[{"name":"Support","host":"imap.biz.test","username":"support@biz.test","password":"pw","request_type":"Support"}]`
	cfg, err := crm.ReadConfig(map[string]crm.Value{"mail.inbound": {Raw: ok, Source: "environment VINCULO_MAIL_INBOUND"}})
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Mail.Inbound[0]
	if m.Port != 993 || m.TLS != crm.BoxTLSImplicit || m.Folder != "INBOX" || m.NewThread != "request" || m.Address != "support@biz.test" || !*m.Active {
		t.Errorf("defaults: %+v", m)
	}
	yaml := []any{map[string]any{"name": "Local", "host": "127.0.0.1", "port": 1143, "tls": "none", "username": "u", "new_thread": "timeline"}}
	if cfg, err := crm.ReadConfig(map[string]crm.Value{"mail.inbound": {Raw: yaml, Source: "vinculo.yaml"}}); err != nil || cfg.Mail.Inbound[0].Port != 1143 {
		t.Errorf("a YAML list: %v", err)
	}
	for raw, want := range map[string]string{
		`[{"name":"A","host":"imap.biz.test","username":"u","tls":"none"}]`:               "tls: none is allowed only",
		`[{"name":"A","host":"imap.biz.test","username":"u","tls":"ssl"}]`:                `tls: "ssl"`,
		`[{"name":"A","host":"","username":"u"}]`:                                         "host: it must not be empty",
		`[{"name":"A","host":"h","username":"u","port":70000}]`:                           "port: 70000",
		`[{"name":"A","host":"h","username":"u","new_thread":"ticket"}]`:                  "new_thread",
		`[{"name":"A","host":"h","username":"u","pasword":"x"}]`:                          "unknown field",
		`[{"name":"A","host":"h","username":"u"},{"name":"a","host":"h","username":"u"}]`: "used twice",
	} {
		_, err := crm.ReadConfig(map[string]crm.Value{"mail.inbound": {Raw: raw, Source: "flag --mail-inbound"}})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "mail.inbound") {
			t.Errorf("%s: %v, want %q", raw, err, want)
		}
	}
}

// At serve, the file's mailboxes are written on their rows (the reader's
// place kept), and one gone from the file is turned off.
func TestConfigMailboxesSeededAtServe(t *testing.T) {
	d := testkit.StartDovecot(t, map[string]string{boxAddr: boxPass})
	yes := true
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Configure(func(c *crm.Config) {
		c.Mail.Inbound = []crm.InboundMailbox{{Name: "From file", Host: d.Host, Port: d.Port, TLS: crm.BoxTLSNone,
			Username: boxAddr, Password: boxPass, Folder: "INBOX", NewThread: "timeline", Active: &yes}}
	}), testkit.Then(func(w *testkit.World) error {
		return email.ConfigureReaders(w.App, email.ReaderOptions{Intake: (&taken{}).intake})
	}))
	w.Business(t)
	old := w.Make(t, "", crm.Mailboxes, map[string]any{crm.BoxName: "Removed from file", crm.BoxHost: "127.0.0.1", crm.BoxPort: 1,
		crm.BoxTLS: crm.BoxTLSNone, crm.BoxUser: "x", crm.BoxNewThread: "timeline", crm.BoxActive: true, crm.BoxSource: crm.BoxFromConfig})
	w.Serve(t)
	r, err := w.App.FindFirstRecordByData(crm.Mailboxes, crm.BoxName, "From file")
	if err != nil {
		t.Fatal(err)
	}
	if r.GetString(crm.BoxSource) != crm.BoxFromConfig || r.GetInt(crm.BoxPort) != d.Port || r.GetString(crm.BoxPassword) != boxPass {
		t.Errorf("the file's mailbox: %v", r.FieldsData())
	}
	if w.Find(t, crm.Mailboxes, old.Id).GetBool(crm.BoxActive) {
		t.Error("a mailbox gone from the file is still on")
	}
	waitFor(t, "the file's mailbox read", func() bool {
		return w.Find(t, crm.Mailboxes, r.Id).GetString(crm.BoxStatus) == crm.BoxStatusOK
	})
}

// The connection test says what a manager needs: it works (and whether the
// server offers IDLE), or why not; values not saved yet are tried too.
func TestMailboxConnectionTest(t *testing.T) {
	d := testkit.StartDovecot(t, map[string]string{boxAddr: boxPass})
	d.Append(t, boxAddr, rawMail("ana@a.test", "x", "ct1@a.test"))
	w := readerWorld(t, email.ReaderOptions{Off: true})
	addMailbox(t, w, d, boxPass, nil)
	path := "/api/crm/mailboxes/" + w.ID("box") + "/test"
	var got struct {
		OK       bool
		Status   string
		Detail   string
		Idle     bool
		Messages int
	}
	res := w.Do(t, http.MethodPost, path, "manager", nil)
	res.JSON(t, &got)
	if res.Status != http.StatusOK || !got.OK || got.Status != crm.BoxStatusOK || !got.Idle || got.Messages != 1 {
		t.Errorf("the saved mailbox: %d %s", res.Status, res.Body)
	}
	res = w.Do(t, http.MethodPost, path, "manager", map[string]any{"password": "wrong"})
	got.OK = true
	res.JSON(t, &got)
	if got.OK || got.Status != crm.BoxStatusAuth || got.Detail == "" {
		t.Errorf("a wrong password: %s", res.Body)
	}
	res = w.Do(t, http.MethodPost, path, "manager", map[string]any{"folder": "Nope"})
	res.JSON(t, &got)
	if got.OK || got.Status != crm.BoxStatusFolder {
		t.Errorf("a missing folder: %s", res.Body)
	}
	res = w.Do(t, http.MethodPost, path, "manager", map[string]any{"host": "imap.example.com", "tls": "none"})
	var bad map[string]any
	json.Unmarshal(res.Body, &bad)
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"tls"`) {
		t.Errorf("no TLS to a remote server: %d %s", res.Status, res.Body)
	}
	if res := w.Do(t, http.MethodPost, path, "agent", nil); res.Status != http.StatusForbidden {
		t.Errorf("an agent tests a mailbox: %d", res.Status)
	}
}
