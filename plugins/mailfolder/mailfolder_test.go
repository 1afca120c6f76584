package mailfolder_test

import (
	"io"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tools/mailer"

	"vinculo/plugins/mailfolder"
	"vinculo/testkit"
)

// emlFiles lists the .eml files in dir (none when dir does not exist).
func emlFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readEml parses one .eml file: headers and body.
func readEml(t *testing.T, path string) (*mail.Message, string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("%s is not a readable mail message: %v", path, err)
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		t.Fatal(err)
	}
	return msg, string(body)
}

func decodedSubject(t *testing.T, msg *mail.Message) string {
	t.Helper()
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject %q does not decode: %v", msg.Header.Get("Subject"), err)
	}
	return subject
}

func TestSendWithoutSMTPWritesOneEmlFile(t *testing.T) {
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	if err := mailfolder.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	app.Settings().SMTP.Enabled = false
	if err := app.Save(app.Settings()); err != nil {
		t.Fatal(err)
	}

	err := app.NewMailClient().Send(&mailer.Message{
		From:    mail.Address{Name: "Vinculo", Address: "no-reply@vinculo.localhost"},
		To:      []mail.Address{{Name: "João Conceição", Address: "joao@example.com"}},
		Subject: "Seu código de acesso",
		Text:    "Olá João,\nseu código é 123456.\n",
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}

	files := emlFiles(t, cfg.MailDir)
	if len(files) != 1 {
		t.Fatalf("want 1 .eml file in %s, got %d: %v", cfg.MailDir, len(files), files)
	}
	msg, body := readEml(t, files[0])

	to, err := msg.Header.AddressList("To")
	if err != nil {
		t.Fatalf("To header %q: %v", msg.Header.Get("To"), err)
	}
	if len(to) != 1 || to[0].Address != "joao@example.com" || to[0].Name != "João Conceição" {
		t.Fatalf("To = %v, want João Conceição <joao@example.com>", to)
	}
	if got := decodedSubject(t, msg); got != "Seu código de acesso" {
		t.Fatalf("Subject = %q", got)
	}
	if !strings.Contains(body, "seu código é 123456.") {
		t.Fatalf("body lacks the text: %q", body)
	}
	if app.TestMailer.TotalSend() != 0 {
		t.Fatalf("with no SMTP the message must not reach the mailer; it got %d", app.TestMailer.TotalSend())
	}

	// A second message is a second file: nothing is overwritten.
	if err := app.NewMailClient().Send(&mailer.Message{
		From: mail.Address{Address: "no-reply@vinculo.localhost"}, To: []mail.Address{{Address: "ana@example.com"}},
		Subject: "Second", Text: "second message",
	}); err != nil {
		t.Fatal(err)
	}
	if files := emlFiles(t, cfg.MailDir); len(files) != 2 {
		t.Fatalf("want 2 .eml files after two messages, got %d", len(files))
	}
}

func TestHTMLOnlyMessageGetsReadableText(t *testing.T) {
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	if err := mailfolder.Register(app, cfg); err != nil {
		t.Fatal(err)
	}

	// The shape PocketBase's own templates have (one-time code), plus the
	// compact HTML other senders write: blocks on one line and entities.
	html := `<html><body><p>Hello,</p><p>Your one-time password is: <strong>654321</strong></p>` +
		`<p>Thanks,<br/>Tom &amp; Jerry&#39;s team</p></body></html>`
	if err := app.NewMailClient().Send(&mailer.Message{
		From: mail.Address{Address: "no-reply@vinculo.localhost"}, To: []mail.Address{{Address: "joao@example.com"}},
		Subject: "OTP for Vinculo", HTML: html,
	}); err != nil {
		t.Fatal(err)
	}
	files := emlFiles(t, cfg.MailDir)
	if len(files) != 1 {
		t.Fatalf("want 1 .eml file, got %d", len(files))
	}
	_, body := readEml(t, files[0])
	if strings.ContainsAny(body, "<>") {
		t.Fatalf("tags left in the text: %q", body)
	}
	for _, line := range []string{"Hello,", "Your one-time password is: 654321", "Thanks,", "Tom & Jerry's team"} {
		if !containsLine(body, line) {
			t.Fatalf("text lacks the line %q:\n%s", line, body)
		}
	}
}

func TestTextPrefersPlainText(t *testing.T) {
	m := &mailer.Message{Text: "plain version", HTML: "<p>html version</p>"}
	if got := mailfolder.Text(m); got != "plain version" {
		t.Fatalf("Text = %q, want the plain text", got)
	}
}

func TestWithSMTPTheFolderStaysEmpty(t *testing.T) {
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	if err := mailfolder.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	app.Settings().SMTP.Enabled = true
	app.Settings().SMTP.Host = "smtp.example.com"
	app.Settings().SMTP.Port = 587
	if err := app.Save(app.Settings()); err != nil {
		t.Fatal(err)
	}

	// The test app swaps the SMTP client for its recording mailer, so this
	// shows the message went on to the real mailer and not to the folder.
	if err := app.NewMailClient().Send(&mailer.Message{
		From: mail.Address{Address: "no-reply@vinculo.localhost"}, To: []mail.Address{{Address: "joao@example.com"}},
		Subject: "Via SMTP", Text: "sent by SMTP",
	}); err != nil {
		t.Fatal(err)
	}
	if n := app.TestMailer.TotalSend(); n != 1 {
		t.Fatalf("want the message handed to the SMTP mailer, got %d sends", n)
	}
	if files := emlFiles(t, cfg.MailDir); len(files) != 0 {
		t.Fatalf("with SMTP configured no .eml file may be written, got %v", files)
	}
}

func containsLine(text, want string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

// The message's own headers go in the file (the outbox's X-Vinculo-Message
// names the outbox record a mail comes from), each on one line; they never
// replace the file's own headers.
func TestEmlFileKeepsTheMessageHeaders(t *testing.T) {
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	if err := mailfolder.Register(app, cfg); err != nil {
		t.Fatal(err)
	}
	err := app.NewMailClient().Send(&mailer.Message{
		From: mail.Address{Address: "no-reply@vinculo.localhost"}, To: []mail.Address{{Address: "joao@example.com"}},
		Subject: "Seu pedido", Text: "Chegou.",
		Headers: map[string]string{
			"X-Vinculo-Message": "k3x9q2m1p0w8z7a",
			"x-note":            "açaí",
			"X-Folded":          "first\r\nBcc: someone@example.com",
			"subject":           "Another subject",
			"Bad Name":          "left out",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	files := emlFiles(t, cfg.MailDir)
	if len(files) != 1 {
		t.Fatalf("want 1 .eml file, got %d", len(files))
	}
	msg, body := readEml(t, files[0])
	if got := msg.Header.Get("X-Vinculo-Message"); got != "k3x9q2m1p0w8z7a" {
		t.Errorf("X-Vinculo-Message = %q", got)
	}
	if got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("X-Note")); err != nil || got != "açaí" {
		t.Errorf("X-Note = %q (%v), want açaí", got, err)
	}
	if got := msg.Header.Get("X-Folded"); got != "first Bcc: someone@example.com" {
		t.Errorf("X-Folded = %q, want one line", got)
	}
	if got := msg.Header["Bcc"]; got != nil {
		t.Errorf("a header value became a Bcc header: %v", got)
	}
	if got := msg.Header["Subject"]; len(got) != 1 || decodedSubject(t, msg) != "Seu pedido" {
		t.Errorf("Subject = %v, want the message's subject only", got)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "left out") {
		t.Errorf("a header with a bad name was written:\n%s", raw)
	}
	if msg.Header.Get("Content-Type") != "text/plain; charset=utf-8" || strings.TrimSpace(body) != "Chegou." {
		t.Errorf("the file's format changed: %q / %q", msg.Header.Get("Content-Type"), body)
	}
}
