package testkit

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/mailer"
)

// SMTPSink is a real SMTP server (emersion/go-smtp) on a loopback port
// that keeps every mail it receives, for tests that check what reaches a
// mail server: the envelope, the headers, the parts.
//
//	sink := testkit.StartSMTPSink(t)
//	w.MailThrough(t, sink)  // the app's mailer sends there
//	got := sink.WaitFor(t, func(m testkit.SinkMail) bool { return m.Rcpt("ana@a.test") })
type SMTPSink struct {
	Host string
	Port int

	mu    sync.Mutex
	mails []SinkMail
	added chan struct{}
}

// SinkMail is one mail the sink received.
type SinkMail struct {
	From   string   // the envelope's sender
	To     []string // the envelope's recipients (To, Cc and Bcc)
	Raw    []byte
	Header mail.Header
	Text   string            // the text/plain part, decoded
	HTML   string            // the text/html part, decoded
	Files  map[string][]byte // attachments by file name
}

// Rcpt tells whether addr is among the mail's recipients.
func (m SinkMail) Rcpt(addr string) bool {
	for _, to := range m.To {
		if strings.EqualFold(to, addr) {
			return true
		}
	}
	return false
}

// StartSMTPSink serves until the test ends.
func StartSMTPSink(t testing.TB) *SMTPSink {
	t.Helper()
	sink := &SMTPSink{added: make(chan struct{}, 1)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: sink}, nil }))
	srv.Domain = "sink.test"
	srv.MaxMessageBytes = 64 << 20
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	sink.Host, sink.Port = "127.0.0.1", addr.Port
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return sink
}

// Addr is host:port.
func (s *SMTPSink) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Mails are the mails received so far, oldest first.
func (s *SMTPSink) Mails() []SinkMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SinkMail(nil), s.mails...)
}

// WaitFor returns the first mail that matches, waiting for it (a test that
// never gets it fails after a minute rather than hanging).
func (s *SMTPSink) WaitFor(t testing.TB, match func(SinkMail) bool) SinkMail {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		for _, m := range s.Mails() {
			if match(m) {
				return m
			}
		}
		select {
		case <-s.added:
		case <-deadline:
			t.Fatalf("no matching mail reached the SMTP sink; it has %d", len(s.Mails()))
		}
	}
}

func (s *SMTPSink) keep(m SinkMail) {
	s.mu.Lock()
	s.mails = append(s.mails, m)
	s.mu.Unlock()
	select {
	case s.added <- struct{}{}:
	default:
	}
}

// MailThrough points the world's app at the sink: PocketBase's SMTP
// settings name it, and the test app's mail capture steps aside.
func (w *World) MailThrough(t testing.TB, sink *SMTPSink) {
	t.Helper()
	s := w.App.Settings()
	s.SMTP.Enabled, s.SMTP.Host, s.SMTP.Port, s.SMTP.TLS = true, sink.Host, sink.Port, false
	if s.Meta.SenderAddress == "" {
		s.Meta.SenderAddress = "crm@vinculo.test"
	}
	if err := w.App.Save(s); err != nil {
		t.Fatal(err)
	}
	// The test app hands every mail to its TestMailer (priority -99999):
	// this hands it back to a real SMTP client.
	w.App.OnMailerSend().Bind(&hook.Handler[*core.MailerEvent]{
		Id: "testkit.smtpsink", Priority: -99998,
		Func: func(e *core.MailerEvent) error {
			e.Mailer = &mailer.SMTPClient{Host: sink.Host, Port: sink.Port}
			return e.Next()
		},
	})
}

type sinkSession struct {
	sink *SMTPSink
	from string
	to   []string
}

func (s *sinkSession) Reset()        { s.from, s.to = "", nil }
func (s *sinkSession) Logout() error { return nil }
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := SinkMail{From: s.from, To: s.to, Raw: raw, Files: map[string][]byte{}}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	m.Header = msg.Header
	readPart(&m, msg.Header, msg.Body)
	s.sink.keep(m)
	return nil
}

type partHeader interface{ Get(string) string }

// readPart walks a MIME part: text and HTML bodies, attachments by name.
func readPart(m *SinkMail, h partHeader, body io.Reader) {
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return // the end, or a part the test will miss
			}
			readPart(m, p.Header, p)
		}
	}
	var data []byte
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "base64":
		data, _ = io.ReadAll(base64.NewDecoder(base64.StdEncoding, body))
	case "quoted-printable":
		data, _ = io.ReadAll(quotedprintable.NewReader(body))
	default:
		data, _ = io.ReadAll(body)
	}
	_, dp, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	switch {
	case dp["filename"] != "" || params["name"] != "":
		name := dp["filename"]
		if name == "" {
			name = params["name"]
		}
		m.Files[name] = data
	case mediaType == "text/html":
		m.HTML += string(data)
	default:
		m.Text += string(data)
	}
}
