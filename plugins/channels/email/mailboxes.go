package email

import (
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// The business's mailboxes (collection mailboxes): managers keep them in
// Settings > Mailboxes, or in vinculo.yaml's mail.inbound list. A mailbox
// from the file is a row like the others with source "config": the file is
// its only door (each start writes the file's values on the row of that
// name, keeping where the reader stopped; a name gone from the file turns
// the row off), and the API refuses to change or remove it. Managers add
// and change the others in Settings.
//
// The password is kept like the SMTP password: in the database, encrypted
// with PocketBase's settings key when the server runs with one
// (--encryptionEnv), and shown to nobody — the field is hidden from every API
// answer, superusers' included; a manager sends a new one or leaves it
// blank to keep it.

// serverFields are what the reader writes; nobody sends them.
var serverFields = []string{crm.BoxUIDValidity, crm.BoxLastUID, crm.BoxStatus, crm.BoxStatusDetail,
	crm.BoxCheckedAt, crm.BoxNextTryAt, crm.BoxFailures, crm.BoxSource}

// connFields are what reaching and reading a mailbox depends on: a change of
// one restarts its reader.
var connFields = []string{crm.BoxName, crm.BoxAddress, crm.BoxHost, crm.BoxPort, crm.BoxTLS, crm.BoxUser,
	crm.BoxPassword, crm.BoxFolder, crm.BoxNewThread, crm.BoxCaseType, crm.BoxActive}

const sealedPrefix = "enc1:"

// sealPassword is how a password is stored: encrypted with PocketBase's
// settings key when there is one, as given otherwise (as PocketBase keeps
// the SMTP password).
func sealPassword(app core.App, plain string) (string, error) {
	key := os.Getenv(app.EncryptionEnv())
	if key == "" || plain == "" {
		return plain, nil
	}
	sealed, err := security.Encrypt([]byte(plain), key)
	if err != nil {
		return "", err
	}
	return sealedPrefix + sealed, nil
}

// openPassword reads a stored password back.
func openPassword(app core.App, stored string) (string, error) {
	sealed, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return stored, nil
	}
	key := os.Getenv(app.EncryptionEnv())
	if key == "" {
		return "", errors.New("the mailbox's password was encrypted with the settings key, and the server runs without it")
	}
	plain, err := security.Decrypt(sealed, key)
	return string(plain), err
}

// bindMailboxes checks every save of a mailbox, keeps the password out of
// every answer and the reader's fields out of every request.
func bindMailboxes(app core.App) {
	app.OnRecordValidate(crm.Mailboxes).BindFunc(func(e *core.RecordEvent) error {
		if err := checkMailbox(e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	// After PocketBase's own enriching, which shows superusers every field.
	app.OnRecordEnrich(crm.Mailboxes).BindFunc(func(e *core.RecordEnrichEvent) error {
		err := e.Next()
		e.Record.Hide(crm.BoxPassword)
		e.Record.WithCustomData(true)
		e.Record.Set("has_password", e.Record.GetString(crm.BoxPassword) != "")
		return err
	})
	app.OnRecordCreateRequest(crm.Mailboxes).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := fromRequest(e, true); err != nil {
			return err
		}
		e.Record.Set(crm.BoxSource, crm.BoxFromSettings)
		return e.Next()
	})
	app.OnRecordUpdateRequest(crm.Mailboxes).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Record.Original().GetString(crm.BoxSource) == crm.BoxFromConfig {
			return e.BadRequestError("This mailbox comes from vinculo.yaml (mail.inbound): change it there and restart.", nil)
		}
		if err := fromRequest(e, false); err != nil {
			return err
		}
		// The reader's fields as they are now, not as they were when the
		// request began: the reader may have moved on meanwhile.
		if r := readersOf(e.App); r != nil {
			r.saveMu.Lock()
			defer r.saveMu.Unlock()
		}
		fresh, err := e.App.FindRecordById(crm.Mailboxes, e.Record.Id)
		if err != nil {
			return err
		}
		for _, f := range serverFields {
			e.Record.Set(f, fresh.Get(f))
		}
		return e.Next()
	})
	app.OnRecordDeleteRequest(crm.Mailboxes).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.Record.GetString(crm.BoxSource) == crm.BoxFromConfig {
			return e.BadRequestError("This mailbox comes from vinculo.yaml (mail.inbound): remove it there and restart.", nil)
		}
		return e.Next()
	})
}

// fromRequest refuses the reader's fields and takes the password from the
// body: PocketBase drops hidden fields from a non-superuser's body (and from
// the request info), so the body is read again for it.
func fromRequest(e *core.RecordRequestEvent, creating bool) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	errs := validation.Errors{}
	for _, f := range serverFields {
		if _, sent := info.Body[f]; sent {
			errs[f] = validation.NewError("validation_server_field", "Vinculo writes this field as it reads the mailbox.")
		}
	}
	var body struct {
		Password *string `json:"password" form:"password"`
	}
	if err := e.BindBody(&body); err != nil {
		return e.BadRequestError("The body could not be read.", err)
	}
	pw := ""
	if body.Password != nil {
		pw = *body.Password
	}
	if creating && pw == "" {
		errs[crm.BoxPassword] = validation.NewError("validation_required", "Give the mailbox's password.")
	}
	if len(errs) > 0 {
		return e.BadRequestError("Some fields are wrong.", errs)
	}
	if pw != "" {
		sealed, err := sealPassword(e.App, pw)
		if err != nil {
			return err
		}
		e.Record.Set(crm.BoxPassword, sealed)
	}
	return nil
}

// checkMailbox: what makes a mailbox readable, whatever the door.
func checkMailbox(r *core.Record) error {
	errs := validation.Errors{}
	tlsMode := r.GetString(crm.BoxTLS)
	if tlsMode == crm.BoxTLSNone && !crm.IsLoopbackHost(r.GetString(crm.BoxHost)) {
		errs[crm.BoxTLS] = validation.NewError("validation_tls_loopback",
			"Without TLS the password would cross the network in clear: \"none\" is allowed only for a server on this machine (127.0.0.1, localhost).")
	}
	host := r.GetString(crm.BoxHost)
	if strings.ContainsAny(host, " /:@") && !strings.HasPrefix(host, "[") {
		errs[crm.BoxHost] = validation.NewError("validation_host", "Give the server's name or address alone, like imap.example.com.")
	}
	if r.GetString(crm.BoxNewThread) == NewThreadRequest && r.GetString(crm.BoxCaseType) == "" {
		errs[crm.BoxCaseType] = validation.NewError("validation_required", "Choose the type of request a new mail opens.")
	}
	if f := r.GetString(crm.BoxFolder); f == "" {
		r.Set(crm.BoxFolder, "INBOX")
	}
	if a := r.GetString(crm.BoxAddress); a == "" && strings.Contains(r.GetString(crm.BoxUser), "@") {
		r.Set(crm.BoxAddress, r.GetString(crm.BoxUser))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// syncConfigMailboxes writes vinculo.yaml's mailboxes on their rows (made on
// first sight, by name) and turns off the file's rows it no longer lists.
func syncConfigMailboxes(app core.App, cfg *crm.Config) error {
	coll, err := app.FindCollectionByNameOrId(crm.Mailboxes)
	if err != nil {
		return err
	}
	var names []string
	for _, m := range cfg.Mail.Inbound {
		names = append(names, strings.ToLower(m.Name))
		r, err := app.FindFirstRecordByData(crm.Mailboxes, crm.BoxName, m.Name)
		if err != nil {
			r = core.NewRecord(coll)
		} else if r.GetString(crm.BoxSource) != crm.BoxFromConfig {
			return errors.New("mail.inbound: a mailbox named " + m.Name + " was added in Settings: rename one of them")
		}
		caseType, err := configCaseType(app, m)
		if err != nil {
			return err
		}
		sealed, err := sealPassword(app, m.Password)
		if err != nil {
			return err
		}
		r.Load(map[string]any{crm.BoxName: m.Name, crm.BoxAddress: m.Address, crm.BoxHost: m.Host, crm.BoxPort: m.Port,
			crm.BoxTLS: m.TLS, crm.BoxUser: m.Username, crm.BoxFolder: m.Folder, crm.BoxNewThread: m.NewThread,
			crm.BoxCaseType: caseType, crm.BoxActive: *m.Active, crm.BoxSource: crm.BoxFromConfig})
		if pw, _ := openPassword(app, r.GetString(crm.BoxPassword)); pw != m.Password {
			r.Set(crm.BoxPassword, sealed)
		}
		if err := app.Save(r); err != nil {
			return errors.New("mail.inbound: mailbox " + m.Name + ": " + err.Error())
		}
	}
	gone, err := app.FindRecordsByFilter(crm.Mailboxes, "source = 'config' && active = true", "", 0, 0)
	if err != nil {
		return err
	}
	for _, r := range gone {
		if !slices.Contains(names, strings.ToLower(r.GetString(crm.BoxName))) {
			r.Set(crm.BoxActive, false)
			if err := app.Save(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// configCaseType finds the request type a file's mailbox names (by id or
// name; the first active type when it names none).
func configCaseType(app core.App, m crm.InboundMailbox) (string, error) {
	if m.NewThread != NewThreadRequest {
		return "", nil
	}
	if m.RequestType != "" {
		if r, err := app.FindRecordById(crm.CaseTypes, m.RequestType); err == nil {
			return r.Id, nil
		}
		if r, err := app.FindFirstRecordByData(crm.CaseTypes, "name", m.RequestType); err == nil {
			return r.Id, nil
		}
		return "", errors.New("mail.inbound: mailbox " + m.Name + ": no request type " + m.RequestType)
	}
	types, err := app.FindRecordsByFilter(crm.CaseTypes, "active = true", "created", 1, 0)
	if err != nil || len(types) == 0 {
		return "", errors.New("mail.inbound: mailbox " + m.Name + " opens requests, and there is no active request type (set request_type, or new_thread: timeline)")
	}
	return types[0].Id, nil
}

// registerMailboxes binds the mailboxes' checks, their readers and the
// connection test.
func registerMailboxes(app core.App, cfg *crm.Config) {
	bindMailboxes(app)
	bindReaders(app, cfg)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST("/api/crm/mailboxes/{id}/test", testMailbox).Bind(guard.Manager())
		return se.Next()
	})
}

// testMailbox connects to a mailbox, signs in and opens its folder, and
// says how it went; it reads no mail and writes nothing. The body may hold
// values not saved yet (host, port, tls, username, password, folder): they
// take the place of the saved ones; a blank password is the saved one.
func testMailbox(e *core.RequestEvent) error {
	rec, err := e.App.FindRecordById(crm.Mailboxes, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No such mailbox.", nil)
	}
	var body struct {
		Host     *string `json:"host"`
		Port     *int    `json:"port"`
		TLS      *string `json:"tls"`
		Username *string `json:"username"`
		Password *string `json:"password"`
		Folder   *string `json:"folder"`
	}
	if e.Request.ContentLength != 0 {
		if err := e.BindBody(&body); err != nil {
			return e.BadRequestError("The body is not a mailbox's settings.", err)
		}
	}
	conn, err := connOf(e.App, rec)
	if err != nil {
		return e.JSON(http.StatusOK, testResult{Status: crm.BoxStatusError, Detail: err.Error()})
	}
	set := func(dst *string, v *string) {
		if v != nil && strings.TrimSpace(*v) != "" {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&conn.Host, body.Host)
	set(&conn.TLS, body.TLS)
	set(&conn.User, body.Username)
	set(&conn.Folder, body.Folder)
	if body.Password != nil && *body.Password != "" {
		conn.Password = *body.Password
	}
	if body.Port != nil {
		conn.Port = *body.Port
	}
	errs := validation.Errors{}
	if conn.Port < 1 || conn.Port > 65535 {
		errs[crm.BoxPort] = validation.NewError("validation_port", "Give a port from 1 to 65535.")
	}
	if !slices.Contains([]string{crm.BoxTLSImplicit, crm.BoxTLSStartTLS, crm.BoxTLSNone}, conn.TLS) {
		errs[crm.BoxTLS] = validation.NewError("validation_tls", "Choose tls, starttls or none.")
	} else if conn.TLS == crm.BoxTLSNone && !crm.IsLoopbackHost(conn.Host) {
		errs[crm.BoxTLS] = validation.NewError("validation_tls_loopback", "\"none\" is allowed only for a server on this machine.")
	}
	if len(errs) > 0 {
		return e.BadRequestError("Some fields are wrong.", errs)
	}
	s, err := open(conn)
	if err != nil {
		return e.JSON(http.StatusOK, testResult{Status: StatusOf(err), Detail: detail(err)})
	}
	defer s.close()
	n := 0
	if mb := s.c.Mailbox(); mb != nil {
		n = int(mb.Messages)
	}
	return e.JSON(http.StatusOK, testResult{OK: true, Status: crm.BoxStatusOK, Idle: s.idle, Messages: n})
}

// testResult is what a connection test found.
type testResult struct {
	OK       bool   `json:"ok"`
	Status   string `json:"status"` // crm.BoxStatus*
	Detail   string `json:"detail"` // the server's own words
	Idle     bool   `json:"idle"`   // the server offers IDLE (else the mailbox is polled)
	Messages int    `json:"messages"`
}
