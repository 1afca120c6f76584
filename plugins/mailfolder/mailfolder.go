// Package mailfolder keeps outgoing mail when no SMTP server is configured:
// each message goes to the server log and, as an .eml file, to the mail
// folder in the data dir. That is how someone trying the demo reads the
// one-time code that signs them in to the portal.
package mailfolder

import (
	"bytes"
	"fmt"
	"html"
	"mime"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"vinculo/crm"
)

var sequence atomic.Int64

// Register binds the fallback to PocketBase's mailer.
func Register(app core.App, cfg *crm.Config) error {
	app.OnMailerSend().BindFunc(func(e *core.MailerEvent) error {
		if e.App.Settings().SMTP.Enabled {
			return e.Next()
		}
		path, err := Write(cfg.MailDir, e.Message)
		if err != nil {
			return fmt.Errorf("no SMTP server is configured and the mail folder is not writable: %w", err)
		}
		e.App.Logger().Info("Mail kept in the mail folder (no SMTP server configured)",
			"to", addresses(e.Message.To), "subject", e.Message.Subject, "file", path, "text", Text(e.Message))
		return nil
	})
	return nil
}

// Write saves the message as an .eml file in dir and returns its path: its
// addresses, subject and own headers, then its text.
func Write(dir string, m *mailer.Message) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().UTC().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "From: %s\r\n", m.From.String())
	fmt.Fprintf(&b, "To: %s\r\n", addresses(m.To))
	if len(m.Cc) > 0 {
		fmt.Fprintf(&b, "Cc: %s\r\n", addresses(m.Cc))
	}
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", m.Subject))
	writeHeaders(&b, m.Headers)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(Text(m))
	b.WriteString("\r\n")
	name := fmt.Sprintf("%s-%04d.eml", time.Now().UTC().Format("20060102T150405.000000"), sequence.Add(1)%10000)
	// write then rename, so a reader never sees half a message
	path := filepath.Join(dir, name)
	tmp := filepath.Join(dir, "."+name+".part")
	if err := os.WriteFile(tmp, b.Bytes(), 0o600); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// ownHeaders are the headers Write sets itself; the message's own headers
// of these names are left out.
var ownHeaders = map[string]bool{
	"Date": true, "From": true, "To": true, "Cc": true, "Bcc": true, "Subject": true,
	"Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true,
}

// writeHeaders writes the message's own headers (X-Vinculo-Message, the
// outbox record a mail comes from, among them), sorted by name, one line
// each: a name that is not a header name is left out, line breaks in a
// value become spaces, and a value that is not ASCII is encoded.
func writeHeaders(b *bytes.Buffer, headers map[string]string) {
	names := make([]string, 0, len(headers))
	for name := range headers {
		if validHeaderName(name) && !ownHeaders[textproto.CanonicalMIMEHeaderKey(name)] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		value := strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(headers[name]))
		fmt.Fprintf(b, "%s: %s\r\n", textproto.CanonicalMIMEHeaderKey(name), mime.QEncoding.Encode("utf-8", value))
	}
}

// validHeaderName: printable ASCII but the colon and the space (RFC 5322).
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r <= ' ' || r > '~' || r == ':' {
			return false
		}
	}
	return true
}

// Text is the message's plain text, or its HTML with the tags stripped.
func Text(m *mailer.Message) string {
	if strings.TrimSpace(m.Text) != "" {
		return m.Text
	}
	var out, tag strings.Builder
	inTag := false
	for _, r := range m.HTML {
		switch {
		case r == '<':
			inTag = true
			tag.Reset()
		case r == '>':
			inTag = false
			if lineBreakTags[tagName(tag.String())] {
				out.WriteRune('\n') // blocks and <br> end a line even when the HTML has none
			}
		case inTag:
			tag.WriteRune(r)
		default:
			out.WriteRune(r)
		}
	}
	lines := strings.Split(html.UnescapeString(out.String()), "\n")
	var kept []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

var lineBreakTags = map[string]bool{
	"br": true, "p": true, "div": true, "li": true, "tr": true, "table": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
}

// tagName is the lower-case name of a tag's inside: "/P" -> "p", "br/" -> "br".
func tagName(inside string) string {
	name := strings.TrimLeft(inside, "/")
	if i := strings.IndexAny(name, " \t\r\n/"); i >= 0 {
		name = name[:i]
	}
	return strings.ToLower(name)
}

func addresses(list []mail.Address) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}
