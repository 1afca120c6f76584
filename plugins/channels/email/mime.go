package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	netmail "net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
	"golang.org/x/text/encoding/charmap"

	"vinculo/crm"
)

// Reading one mail: go-message (emersion) parses the header and the MIME
// tree and decodes transfer encodings and charsets; this file keeps what a
// person reads (subject, text, sanitised HTML), the thread headers, the
// attachments, and says whether the mail is an automatic answer or a bounce.
// A part that cannot be read is noted and skipped: the rest is kept.

func init() {
	// Mail programs label Windows-1252 text "iso-8859-1" all the time (curly
	// quotes, €); the two agree on every printable Latin-1 character, so read
	// the label as its superset, as browsers do.
	for _, label := range []string{"iso-8859-1", "iso_8859-1", "latin1", "l1", "us-ascii-8bit"} {
		charset.RegisterEncoding(label, charmap.Windows1252)
	}
}

// Limits of what one mail may hold, so a hostile or broken mail cannot make
// the intake walk or keep without end.
const (
	maxDepth     = 12       // nested multiparts
	maxParts     = 200      // parts in one mail
	maxPartBytes = 40 << 20 // one decoded part
	maxIDs       = 50       // Message-IDs kept from References
)

// attachment is one file a mail carried.
type attachment struct {
	Name string
	Type string
	Data []byte
}

// bounceInfo is what a delivery failure says: which addresses failed for
// good, why, and which of our mails it was about.
type bounceInfo struct {
	Reported bool     // the mail carried a delivery status report
	Failed   []string // addresses, lower case
	Reason   string
	Original []string // the original mail's Message-ID, In-Reply-To, References
}

// parsed is what the intake read from one mail.
type parsed struct {
	MessageID  string // without angle brackets; a hash of the bytes when the mail had none
	From       string // the sender's address, lower case; "" when none could be read
	FromName   string
	To, Cc     []string
	Subject    string
	InReplyTo  []string
	References []string // oldest first
	Text       string
	HTML       string // sanitised
	Files      []attachment
	Kind       string // crm.MailNormal, crm.MailAutoReply or crm.MailBounce
	Bounce     bounceInfo
	Problems   []string // what could not be read
	Unreadable bool     // not even the header: only the raw bytes are kept

	parts int
}

func (p *parsed) problem(what string, err error) {
	if err != nil && len(p.Problems) < 20 {
		p.Problems = append(p.Problems, what+": "+clean(err.Error()))
	}
}

// parseMail reads raw; it never fails: what cannot be read is noted in
// Problems, and a mail whose header cannot be read at all is Unreadable.
func parseMail(raw []byte) *parsed {
	p := &parsed{Kind: crm.MailNormal}
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		// A broken header line (or a header that never ends): keep the
		// lines that can be read and try again.
		p.problem("header", err)
		if fixed, ok := repairHeader(raw); ok {
			e, err = message.Read(bytes.NewReader(fixed))
		}
	}
	if e == nil {
		p.problem("header", err)
		p.Unreadable = true
		p.MessageID = hashID(raw)
		return p
	}
	p.problem("body", err) // an unknown charset or encoding: read as it is
	h := mail.Header{Header: e.Header}
	p.readHeader(h, raw)
	p.Kind = kindOf(h, p.From)
	p.walk(e, 0)
	if strings.TrimSpace(p.Text) == "" && p.HTML != "" {
		p.Text = htmlText(p.HTML)
	}
	p.Text = strings.TrimSpace(strings.ReplaceAll(clean(p.Text), "\r\n", "\n"))
	return p
}

func (p *parsed) readHeader(h mail.Header, raw []byte) {
	subject, err := h.Subject()
	p.problem("subject", err)
	p.Subject = headerText(subject)

	if from, err := h.AddressList("From"); err == nil && len(from) > 0 {
		p.From, p.FromName = strings.ToLower(strings.TrimSpace(from[0].Address)), headerText(from[0].Name)
	} else if from, err := netmail.ParseAddress(headerText(h.Get("From"))); err == nil {
		// 8-bit Latin-1 in the header: read as text first, then as an address.
		p.From, p.FromName = strings.ToLower(from.Address), from.Name
	} else if addrs := addressesIn(headerText(h.Get("From"))); len(addrs) > 0 {
		p.From = addrs[0]
	}
	p.Bounce.Failed = addressesIn(headerText(h.Get("X-Failed-Recipients"))) // Exim names them here
	p.To = addressList(h, "To")
	p.Cc = addressList(h, "Cc")

	id, err := h.MessageID()
	if err != nil || id == "" {
		id = strings.Trim(strings.TrimSpace(headerText(h.Get("Message-Id"))), "<>")
	}
	if id == "" || len(id) > 900 || strings.ContainsAny(id, " \t\r\n") {
		id = hashID(raw) // the same bytes get the same id: a second copy is a duplicate
	}
	p.MessageID = id
	p.InReplyTo = idList(h, "In-Reply-To")
	p.References = idList(h, "References")
	if len(p.References) > maxIDs {
		p.References = p.References[len(p.References)-maxIDs:]
	}
}

// walk reads one part and, for a multipart, its children.
func (p *parsed) walk(e *message.Entity, depth int) {
	p.parts++
	if depth > maxDepth || p.parts > maxParts {
		p.problem("parts", errors.New("too many or too deeply nested parts: the rest is skipped"))
		return
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			child, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return
			}
			if child == nil {
				p.problem("multipart", err)
				return
			}
			p.problem("part", err) // unknown charset or encoding: read as it is
			p.walk(child, depth+1)
		}
	}
	mediaType, params, _ := e.Header.ContentType()
	mediaType = strings.ToLower(mediaType)
	disposition, dparams, _ := e.Header.ContentDisposition()
	data, err := io.ReadAll(io.LimitReader(e.Body, maxPartBytes))
	p.problem("part "+mediaType, err) // a broken encoding: what was decoded is kept
	name := headerText(dparams["filename"])
	if name == "" {
		name = headerText(params["name"])
	}
	inline := !strings.EqualFold(disposition, "attachment") && name == ""
	switch {
	case mediaType == "message/delivery-status" || mediaType == "message/global-delivery-status":
		p.readDSN(data)
	case p.Kind == crm.MailBounce && (mediaType == "text/rfc822-headers" || mediaType == "message/rfc822" ||
		mediaType == "message/global-headers" || mediaType == "message/global"):
		p.readOriginal(data)
	case inline && (mediaType == "text/plain" || mediaType == ""):
		if p.Text != "" {
			p.Text += "\n\n"
		}
		p.Text += decoded(data)
	case inline && mediaType == "text/html" && p.HTML == "":
		p.HTML = sanitizeHTML(decoded(data))
	default:
		p.keepFile(name, mediaType, data)
	}
}

func (p *parsed) keepFile(name, mediaType string, data []byte) {
	if len(data) == 0 {
		return
	}
	if name == "" {
		name = fmt.Sprintf("attachment-%d%s", len(p.Files)+1, extensionOf(mediaType))
	}
	p.Files = append(p.Files, attachment{Name: name, Type: mediaType, Data: data})
}

func extensionOf(mediaType string) string {
	switch mediaType {
	case "message/rfc822":
		return ".eml"
	case "text/plain":
		return ".txt"
	case "text/html":
		return ".html"
	case "text/calendar":
		return ".ics"
	case "application/pdf":
		return ".pdf"
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	}
	return ".bin"
}

// readDSN reads a delivery status notification (RFC 3464): one block of
// fields about the message, then one per recipient. go-message reads MIME,
// not DSN fields, so their simple "Name: value" lines are read here.
func (p *parsed) readDSN(data []byte) {
	p.Bounce.Reported = true
	for _, block := range fieldBlocks(decoded(data)) {
		rcpt := dsnAddress(block["final-recipient"])
		if rcpt == "" {
			rcpt = dsnAddress(block["original-recipient"])
		}
		if rcpt == "" {
			continue
		}
		action, status := strings.ToLower(block["action"]), block["status"]
		if action != "failed" && !(action == "" && strings.HasPrefix(status, "5")) {
			continue // delayed, delivered, relayed: the address works
		}
		if !slices.Contains(p.Bounce.Failed, rcpt) {
			p.Bounce.Failed = append(p.Bounce.Failed, rcpt)
		}
		if p.Bounce.Reason == "" {
			p.Bounce.Reason = crm.Clip(strings.TrimSpace(status+" "+block["diagnostic-code"]), 500)
		}
	}
}

// readOriginal keeps the thread headers of the mail a bounce returns.
func (p *parsed) readOriginal(data []byte) {
	e, _ := message.Read(bytes.NewReader(data))
	if e == nil {
		if fixed, ok := repairHeader(data); ok {
			e, _ = message.Read(bytes.NewReader(fixed))
		}
	}
	if e == nil {
		return
	}
	h := mail.Header{Header: e.Header}
	if id, err := h.MessageID(); err == nil && id != "" {
		p.Bounce.Original = append(p.Bounce.Original, id)
	}
	p.Bounce.Original = append(p.Bounce.Original, idList(h, "In-Reply-To")...)
	refs := idList(h, "References")
	for i := len(refs) - 1; i >= 0 && i >= len(refs)-maxIDs; i-- {
		p.Bounce.Original = append(p.Bounce.Original, refs[i])
	}
}

// kindOf tells an automatic answer (RFC 3834 and what mail programs send
// instead) and a delivery failure from a person's mail.
func kindOf(h mail.Header, from string) string {
	mediaType, params, _ := h.ContentType()
	local, _, _ := strings.Cut(from, "@")
	if (strings.EqualFold(mediaType, "multipart/report") && strings.EqualFold(params["report-type"], "delivery-status")) ||
		strings.EqualFold(local, "mailer-daemon") || h.Get("X-Failed-Recipients") != "" {
		return crm.MailBounce
	}
	auto, _, _ := strings.Cut(h.Get("Auto-Submitted"), ";")
	if a := strings.ToLower(strings.TrimSpace(auto)); a != "" && a != "no" {
		return crm.MailAutoReply
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"} {
		if strings.TrimSpace(h.Get(k)) != "" {
			return crm.MailAutoReply
		}
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "auto_reply", "junk":
		return crm.MailAutoReply
	}
	return crm.MailNormal
}

// repairHeader keeps the header lines that can be read ("Name: value" and
// their continuations) and ends the header where it should end.
func repairHeader(raw []byte) ([]byte, bool) {
	head, body := raw, []byte(nil)
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		head, body = raw[:i], raw[i+4:]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		head, body = raw[:i], raw[i+2:]
	}
	var out bytes.Buffer
	kept := false
	for _, line := range bytes.Split(head, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		switch {
		case len(line) > 0 && (line[0] == ' ' || line[0] == '\t'):
			if !kept {
				continue
			}
		case !validFieldLine(line):
			kept = false
			continue
		default:
			kept = true
		}
		out.Write(line)
		out.WriteString("\r\n")
	}
	if out.Len() == 0 {
		return nil, false
	}
	out.WriteString("\r\n")
	out.Write(body)
	return out.Bytes(), true
}

func validFieldLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	for _, c := range line[:i] {
		if c <= ' ' || c >= 127 {
			return false
		}
	}
	return true
}

// fieldBlocks reads "Name: value" blocks separated by blank lines, names in
// lower case, continuation lines joined.
func fieldBlocks(s string) []map[string]string {
	var blocks []map[string]string
	cur, last := map[string]string{}, ""
	for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			if len(cur) > 0 {
				blocks = append(blocks, cur)
			}
			cur, last = map[string]string{}, ""
		case (line[0] == ' ' || line[0] == '\t') && last != "":
			cur[last] += " " + strings.TrimSpace(line)
		default:
			name, value, ok := strings.Cut(line, ":")
			if ok {
				last = strings.ToLower(strings.TrimSpace(name))
				cur[last] = strings.TrimSpace(value)
			}
		}
	}
	if len(cur) > 0 {
		blocks = append(blocks, cur)
	}
	return blocks
}

// dsnAddress reads "rfc822; someone@example.com".
func dsnAddress(v string) string {
	if _, after, ok := strings.Cut(v, ";"); ok {
		v = after
	}
	v = strings.ToLower(strings.Trim(strings.TrimSpace(v), "<>"))
	if !strings.Contains(v, "@") || strings.ContainsAny(v, " \t") {
		return ""
	}
	return v
}

var addressPattern = regexp.MustCompile(`[^\s<>"'(),;:\[\]]+@[^\s<>"'(),;:\[\]]+\.[^\s<>"'(),;:\[\]]+`)

// addressesIn finds the addresses in a header a strict parser refused.
func addressesIn(v string) []string {
	found := addressPattern.FindAllString(v, 20)
	for i := range found {
		found[i] = strings.ToLower(found[i])
	}
	return found
}

func addressList(h mail.Header, key string) []string {
	list, err := h.AddressList(key)
	if err != nil {
		return addressesIn(headerText(h.Get(key)))
	}
	var out []string
	for _, a := range list {
		out = append(out, strings.ToLower(a.Address))
	}
	return out
}

var idPattern = regexp.MustCompile(`<([^<>\s]+)>`)

func idList(h mail.Header, key string) []string {
	ids, err := h.MsgIDList(key)
	if err != nil || (len(ids) == 0 && strings.TrimSpace(h.Get(key)) != "") {
		ids = nil
		for _, m := range idPattern.FindAllStringSubmatch(h.Get(key), 2*maxIDs) {
			ids = append(ids, m[1])
		}
	}
	var out []string
	for _, id := range ids {
		if id = clean(id); id != "" && len(id) <= 900 {
			out = append(out, id)
		}
	}
	return out
}

// headerText makes a header value valid text: a header written in 8-bit
// Latin-1 (no encoded words) is read as Windows-1252.
func headerText(s string) string {
	return clean(decoded([]byte(s)))
}

// decoded is text that is UTF-8 already, or else Windows-1252 (the charset
// of mail that names none and is not UTF-8).
func decoded(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	if s, err := charmap.Windows1252.NewDecoder().Bytes(b); err == nil {
		return string(s)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// clean makes s storable text: valid UTF-8, no NUL bytes.
func clean(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// hashID is the Message-ID of a mail that has none: the same bytes, the
// same id.
func hashID(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "sha256." + hex.EncodeToString(sum[:16]) + "@intake.vinculo.invalid"
}
