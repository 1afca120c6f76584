package erasure_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/erasure"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// The person of these tests: names no other record of the world shares.
const (
	personName  = "Zuleica Quintanilha Brandt"
	personEmail = "zuleica.q@brandt-mail.test"
	personPhone = "+55 (11) 98765-4321"
	personCell  = "21 99876-5544"
)

// needles are every spelling of the person the files may hold: as typed,
// lower case (the search index's words), the phones' digits and the
// suffixes the search index keeps of them.
var needles = []string{personName, "quintanilha", "zuleica", personEmail, personPhone, "5511987654321", "987654321",
	personCell, "21998765544", "998765544", personBirthday, personOldEmail}

// More of the person: a birthday kept in a custom date field, and the
// address of a duplicate contact merged into theirs.
const (
	personBirthday = "1979-03-14"
	personOldEmail = "zq.brandt@velho.test"
)

func world(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Then(func(w *testkit.World) error {
		erasure.Configure(w.App, erasure.Options{Now: w.Clock.Now})
		return outbox.Configure(w.App, outbox.Options{Now: w.Clock.Now, Manual: true})
	}), testkit.Served())
	w.Business(t)
	return w
}

// person makes the person with a record in most collections that refer to
// a contact: the portal account, a closed request with a message and a
// file, an open request, a note, a consent with its proof, an outbox
// message, a deal, a task, an order and its invoice (kept), an invoice
// older than the fiscal years (erased), a mail in the mail folder and a
// request log naming them.
func person(t *testing.T, w *testkit.World) {
	t.Helper()
	w.Make(t, "zu", crm.Contacts, map[string]any{"name": personName, "email": personEmail, "phone": personPhone,
		"mobile": personCell, "address": "Rua das Acácias 12, Quintanilha", "owner": w.ID("agent"), "language": "pt-BR",
		"timezone": "America/Sao_Paulo", "job_title": "Gerente"})
	w.Make(t, "zuAcc", crm.Customers, map[string]any{"email": personEmail, "name": personName, "contact": w.ID("zu"),
		"company_role": crm.CompanyMember})
	closed := w.Make(t, "zuCase", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("zu"),
		"subject": "Internet caiu — " + personName, "description": "Ligar para " + personPhone, "channel": "portal"})
	file, err := filesystem.NewFileFromBytes([]byte("Documento de "+personName+" "+personEmail), "documento.txt")
	if err != nil {
		t.Fatal(err)
	}
	w.Make(t, "zuMsg", crm.CaseMessages, map[string]any{"case": closed.Id, "body": "Sou " + personName + ", " + personCell,
		"author_customer": w.ID("zuAcc"), "attachments": []any{file}})
	w.Update(t, closed, map[string]any{"status": "done"})
	w.Make(t, "zuOpen", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("zu"), "subject": "Cobrança em disputa",
		"channel": "phone"})
	w.Make(t, "zuNote", crm.Activities, map[string]any{"type": "note", "contact": w.ID("zu"), "staff": w.ID("agent"), "actor_type": "staff",
		"body": "Falei com " + personName + " no " + personPhone, "occurred_at": w.Clock.Now()})
	w.Make(t, "zuConsent", crm.Consents, map[string]any{"contact": w.ID("zu"), "purpose": "marketing", "channel": "email",
		"state": "granted", "source": "portal", "ip": "203.0.113.77", "user_agent": "Zuleica's Firefox"})
	w.Make(t, "zuDeal", crm.Deals, map[string]any{"title": "Fibra para " + personName, "contact": w.ID("zu"),
		"pipeline": w.ID("pipeline"), "stage": w.ID("stQual"), "owner": w.ID("agent"), "amount": 100, "currency": "BRL"})
	w.Make(t, "zuTask", crm.Tasks, map[string]any{"title": "Ligar para " + personName, "notes": "Celular " + personCell,
		"contact": w.ID("zu"), "assignee": w.ID("agent"), "status": "open", "due": w.Clock.Now().Add(24 * time.Hour)})
	w.Make(t, "zuOrder", crm.Orders, map[string]any{"contact": w.ID("zu"), "items": []map[string]any{{"name": "Fibra", "quantity": 1, "price": 100}},
		"total": 100, "currency": "BRL", "status": "placed", "placed_at": w.Clock.Now().AddDate(0, -2, 0)})
	buyer := map[string]any{"name": personName, "email": personEmail, "address": "Rua das Acácias 12"}
	w.Make(t, "zuInvoice", crm.Invoices, map[string]any{"number": "INV-2026-00901", "year": 2026, "seq": 901, "contact": w.ID("zu"),
		"order": w.ID("zuOrder"), "lines": []map[string]any{{"name": "Fibra", "total": 100}}, "total": 100, "currency": "BRL",
		"issued_at": w.Clock.Now().AddDate(0, -2, 0), "buyer": buyer, "seller": map[string]any{"name": "Vinculo Test"}})
	w.Make(t, "zuOldInvoice", crm.Invoices, map[string]any{"number": "INV-2020-00007", "year": 2020, "seq": 7, "contact": w.ID("zu"),
		"lines": []map[string]any{{"name": "Fibra", "total": 90}}, "total": 90, "currency": "BRL",
		"issued_at": w.Clock.Now().AddDate(-6, 0, 0), "buyer": buyer, "seller": map[string]any{"name": "Vinculo Test"}})
	err = w.App.RunInTransaction(func(tx core.App) error {
		_, err := outbox.Queue(tx, outbox.Queued{Contact: w.ID("zu"), Purpose: crm.PurposeService, Subject: "Olá " + personName,
			Body: "Prezada " + personName + ", seu telefone " + personPhone})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A birthday in a custom date field of the contact.
	testkit.Must(t, w.Do(t, "POST", "/api/crm/fields", "manager", map[string]any{"collection": crm.Contacts,
		"label": "Aniversário", "kind": crm.CustomDate}), 200, "custom field")
	cf, err := w.App.FindFirstRecordByFilter(crm.CustomFields, "collection = 'contacts' && kind = 'date'")
	if err != nil {
		t.Fatal(err)
	}
	w.Update(t, w.Find(t, crm.Contacts, w.ID("zu")), map[string]any{cf.GetString("name"): personBirthday + " 00:00:00.000Z"})
	// Others' records naming the person: a note on a colleague's timeline,
	// a message on a colleague's request.
	w.Make(t, "", crm.Activities, map[string]any{"type": "note", "contact": w.ID("ctB"), "staff": w.ID("agent"), "actor_type": "staff",
		"body": "Bruno indicou " + personName + " (" + personEmail + ")", "data": map[string]any{"referred": personName},
		"occurred_at": w.Clock.Now()})
	brunoCase := w.Make(t, "", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctB"), "subject": "Acesso da equipe",
		"channel": "phone"})
	w.Make(t, "", crm.CaseMessages, map[string]any{"case": brunoCase.Id, "body": "Incluir " + personEmail + " no contrato",
		"author_staff": w.ID("agent")})
	// The undo record of a duplicate merged into the person's contact.
	w.Make(t, "", crm.Merges, map[string]any{"kind": crm.Contacts, "survivor": w.ID("zu"), "other_id": "zudup0000000001",
		"survivor_name": personName, "other_name": "Z. Brandt", "staff": w.ID("manager"),
		"snapshot": map[string]any{"other": map[string]any{"name": "Z. Brandt", "email": personOldEmail}},
		"expires":  w.Clock.Now().AddDate(0, 1, 0)})
	// A mail the mail folder kept (a sign-in code, say) and a request log.
	if err := os.MkdirAll(w.Cfg.MailDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.Cfg.MailDir, "old-code.eml"), []byte("To: "+personEmail+"\r\n\r\nYour code: 123456\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := w.App.AuxDB().NewQuery("INSERT INTO _logs (id, level, message, data, created, updated) VALUES ('zulog000000001', 0, 'GET /api/crm/search', {:d}, '2026-11-24 10:00:00.000Z', '2026-11-24 10:00:00.000Z')").
		Bind(dbx.Params{"d": `{"url":"/api/crm/search?q=` + personEmail + `","userIP":"203.0.113.77"}`}).Execute(); err != nil {
		t.Fatal(err)
	}
	erasure.Settle(w.App)
}

// hits are the files (relative to their root, prefixed by it) that hold one
// of the needles, in any letter case, with the needles found.
func hits(t *testing.T, roots ...string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			low := bytes.ToLower(append(b, []byte(" "+path)...))
			for _, n := range needles {
				if bytes.Contains(low, bytes.ToLower([]byte(n))) {
					out[path] = append(out[path], n)
				}
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return out
}

func ask(t *testing.T, w *testkit.World) string {
	t.Helper()
	res := w.Do(t, "POST", "/api/crm/portal/erasure", "zuAcc", map[string]any{"confirm": true})
	if res.Status != 201 {
		t.Fatalf("ask: %d %s", res.Status, res.Body)
	}
	var v struct{ ID, State, Due_at string }
	res.JSON(t, &v)
	if v.State != crm.ErasureAsked {
		t.Fatalf("state %q", v.State)
	}
	return v.ID
}

// The bar: after an approved erasure, the database files (every table, the
// search index too), the uploaded files and the mail folder hold the
// person's name, emails and phones only in the records the receipt says
// were kept; the receipt verifies, and fails once one byte changes.
func TestErasureLeavesOnlyWhatTheReceiptKeeps(t *testing.T) {
	w := world(t)
	person(t, w)
	dataDir := w.App.DataDir()
	before := hits(t, dataDir, w.Cfg.MailDir)
	for _, want := range []string{filepath.Join(dataDir, "data.db"), filepath.Join(dataDir, "auxiliary.db"), filepath.Join(w.Cfg.MailDir, "old-code.eml")} {
		if len(before[want]) == 0 {
			t.Fatalf("the test sees nothing to erase in %s: %v", want, before)
		}
	}
	if !storageHit(before, dataDir) {
		t.Fatalf("the uploaded file was not found before: %v", before)
	}

	id := ask(t, w)
	res := w.Do(t, "POST", "/api/crm/erasure/"+id+"/decide", "manager", map[string]any{"decision": "approve"})
	if res.Status != 200 {
		t.Fatalf("approve: %d %s", res.Status, res.Body)
	}
	req := w.Find(t, crm.ErasureRequests, id)
	if req.GetString(crm.ErasureState) != crm.ErasureDone {
		t.Fatalf("state %s", req.GetString(crm.ErasureState))
	}
	var out erasure.Outcome
	if err := json.Unmarshal([]byte(req.GetString(crm.ErasureOutcome)), &out); err != nil {
		t.Fatal(err)
	}
	kept := map[string]bool{}
	for _, ks := range out.Kept {
		for _, k := range ks {
			kept[k.ID] = true
		}
	}
	for _, label := range []string{"zuInvoice", "zuOrder", "zuOpen"} {
		if !kept[w.ID(label)] {
			t.Errorf("%s is not kept: %+v", label, out.Kept)
		}
	}
	if kept[w.ID("zuOldInvoice")] || kept[w.ID("zuCase")] {
		t.Errorf("an invoice past its fiscal years or a closed request was kept: %+v", out.Kept)
	}

	after := hits(t, dataDir, w.Cfg.MailDir)
	receiptMail := ""
	for path, found := range after {
		switch {
		case path == filepath.Join(dataDir, "data.db"), path == filepath.Join(dataDir, "data.db-wal"):
			// checked below, without the kept records
		case filepath.Dir(path) == w.Cfg.MailDir && strings.Contains(readFile(t, path), "X-Vinculo-Erasure-Receipt: "+out.Ref):
			receiptMail = path // the receipt on its way to the person
		default:
			t.Errorf("%s still holds %v", path, found)
		}
	}
	if receiptMail == "" {
		t.Fatal("no receipt was mailed")
	}
	if left := hitsWithoutKept(t, w, dataDir, kept); len(left) > 0 {
		t.Errorf("the database holds the person outside the kept records: %v", left)
	}

	// The receipt: mailed, stored, and checked byte for byte.
	receipt := req.GetString(crm.ErasureReceipt)
	if !strings.Contains(readFile(t, receiptMail), receipt) {
		t.Error("the mailed receipt is not the stored one")
	}
	for _, n := range needles {
		if strings.Contains(strings.ToLower(receipt), strings.ToLower(n)) {
			t.Errorf("the receipt names the person (%s)", n)
		}
	}
	for _, want := range []string{out.Ref, "INV-2026-00901", "Nota fiscal", "CTN"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("the receipt (in Portuguese) misses %q:\n%s", want, receipt)
		}
	}
	checkReceipt(t, w, receipt)
	if n, _ := w.App.CountRecords(crm.Merges); n != 0 {
		t.Errorf("%d merge undo records left: an undo would bring the duplicate back", n)
	}
	if note, _ := w.App.FindFirstRecordByFilter(crm.Activities, "contact = {:c} && body ~ 'Bruno indicou'", dbx.Params{"c": w.ID("ctB")}); note == nil ||
		!strings.Contains(note.GetString("body"), out.Ref) {
		t.Errorf("the note on Bruno's timeline lost more than the person's name: %v", note)
	}
	if bruno := w.Find(t, crm.Contacts, w.ID("ctB")); bruno.GetString("name") != "Bruno Alves" {
		t.Errorf("Bruno's contact was changed: %s", bruno.GetString("name"))
	}
}

func storageHit(h map[string][]string, dataDir string) bool {
	for p := range h {
		if strings.HasPrefix(p, filepath.Join(dataDir, "storage")) {
			return true
		}
	}
	return false
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// hitsWithoutKept copies the database, deletes the kept records from the
// copy (zeroing their bytes) and searches the copy's files: whatever is
// left was not kept.
func hitsWithoutKept(t *testing.T, w *testkit.World, dataDir string, kept map[string]bool) map[string][]string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"data.db", "data.db-wal"} {
		if b, err := os.ReadFile(filepath.Join(dataDir, name)); err == nil {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	exec := func(q string, args ...any) {
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("PRAGMA secure_delete = 1")
	exec("INSERT INTO _crm_search(_crm_search, rank) VALUES('secure-delete', 1)")
	for _, c := range []string{crm.Invoices, crm.Orders, crm.Cases, crm.Payments, crm.Quotes, crm.Subscriptions, crm.EmailMessages, crm.CaseMessages} {
		for id := range kept {
			exec("DELETE FROM `"+c+"` WHERE id = ?", id)
		}
	}
	exec("PRAGMA wal_checkpoint(TRUNCATE)")
	db.Close()
	return hits(t, dir)
}

func checkReceipt(t *testing.T, w *testkit.World, receipt string) {
	t.Helper()
	res := w.Do(t, "POST", "/api/crm/erasure/verify", "manager", map[string]any{"receipt": receipt})
	var ok struct {
		Valid bool
		Ref   string
	}
	res.JSON(t, &ok)
	if !ok.Valid || ok.Ref == "" {
		t.Fatalf("the receipt does not verify: %s", res.Body)
	}
	// One byte changed anywhere, the text, the signature or its frame, fails.
	for _, at := range []int{0, len(receipt) / 3, strings.Index(receipt, "-----BEGIN") + 40, len(receipt) - 5} {
		b := []byte(receipt)
		b[at] ^= 0x01
		res := w.Do(t, "POST", "/api/crm/erasure/verify", "manager", map[string]any{"receipt": string(b)})
		var bad struct{ Valid bool }
		res.JSON(t, &bad)
		if res.Status != 200 || bad.Valid {
			t.Errorf("a receipt changed at byte %d verifies: %d %s", at, res.Status, res.Body)
		}
	}
	// And with the published key, by anyone.
	res = w.Do(t, "GET", "/api/crm/erasure/key", "", nil)
	var key struct{ Key, Algorithm string }
	res.JSON(t, &key)
	if key.Algorithm != "Ed25519" || len(key.Key) != 44 {
		t.Fatalf("key: %s", res.Body)
	}
}
