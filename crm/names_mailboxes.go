package crm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"slices"
	"strings"
)

// The business's mailboxes, read over IMAP (plugins/channels/email).
const (
	// Mailboxes holds one row per mailbox Vinculo reads: how to reach it
	// (managers write; staff read; the password is never shown to anyone)
	// and where the reader stopped (written by the server alone).
	Mailboxes = "mailboxes"
)

// Fields of mailboxes.
const (
	BoxName      = "name"
	BoxAddress   = "address" // the mailbox's own address (default: the user name when it is one)
	BoxHost      = "host"
	BoxPort      = "port"
	BoxTLS       = "tls" // BoxTLSImplicit, BoxTLSStartTLS or BoxTLSNone
	BoxUser      = "username"
	BoxPassword  = "password" // hidden; encrypted with PocketBase's settings key when one is set
	BoxFolder    = "folder"   // INBOX unless said
	BoxNewThread = "new_thread"
	BoxCaseType  = "case_type" // relation case_types: the type a new thread opens
	BoxActive    = "active"
	BoxSource    = "source" // BoxFromSettings or BoxFromConfig

	// What the server writes as it reads.
	BoxUIDValidity  = "uidvalidity"
	BoxLastUID      = "last_uid"
	BoxStatus       = "status"        // BoxStatus* code
	BoxStatusDetail = "status_detail" // the server's own words, for the manager
	BoxCheckedAt    = "last_checked_at"
	BoxNextTryAt    = "next_try_at"
	BoxFailures     = "failures" // failed tries in a row
)

// Values of mailboxes fields.
const (
	BoxTLSImplicit = "tls"
	BoxTLSStartTLS = "starttls"
	BoxTLSNone     = "none" // loopback only

	BoxFromSettings = "settings"
	BoxFromConfig   = "config" // vinculo.yaml's mail.inbound: changed there, not in Settings

	BoxStatusOK          = "ok"
	BoxStatusNew         = ""               // not read yet
	BoxStatusUnreachable = "unreachable"    // no answer, refused, DNS
	BoxStatusAuth        = "auth_failed"    // the user name or password was refused
	BoxStatusTLS         = "tls_failed"     // the TLS handshake or certificate failed
	BoxStatusFolder      = "folder_missing" // the folder does not exist
	BoxStatusError       = "error"          // anything else: see status_detail
	BoxStatusOff         = "off"            // not active
)

// BoxStatuses are every status code the reader writes.
var BoxStatuses = []string{BoxStatusOK, BoxStatusUnreachable, BoxStatusAuth, BoxStatusTLS, BoxStatusFolder, BoxStatusError, BoxStatusOff}

// InboundMailbox is one mailbox of vinculo.yaml's mail.inbound list.
type InboundMailbox struct {
	Name        string `json:"name"`
	Address     string `json:"address"`
	Host        string `json:"host"`
	Port        int    `json:"port"`
	TLS         string `json:"tls"`
	Username    string `json:"username"`
	Password    string `json:"password"`
	Folder      string `json:"folder"`
	NewThread   string `json:"new_thread"`   // request (default) or timeline
	RequestType string `json:"request_type"` // the request type's name or id (default: the first type)
	Active      *bool  `json:"active"`       // default true
}

// Mail is the inbound mail configuration.
type Mail struct {
	Inbound     []InboundMailbox
	PollSeconds int // between two looks at a mailbox whose server has no IDLE
}

func init() { AllCollections = append(AllCollections, Mailboxes) }

// asInboundMailboxes reads mail.inbound: a YAML list of mailboxes, or the
// same list as JSON text (from VINCULO_MAIL_INBOUND or --mail-inbound).
func asInboundMailboxes(field func(*Config) *[]InboundMailbox) reader {
	return func(v Value, r *reading) string {
		list, why := parseInboundMailboxes(v.Raw)
		if why != "" {
			return why
		}
		*field(r.cfg) = list
		return ""
	}
}

func parseInboundMailboxes(raw any) ([]InboundMailbox, string) {
	if s, ok := raw.(string); ok {
		s = strings.TrimSpace(s)
		if s == "" {
			return []InboundMailbox{}, ""
		}
		raw = json.RawMessage(s)
	}
	if raw == nil {
		return []InboundMailbox{}, ""
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, "expected a list of mailboxes (name, host, port, tls, username, password, folder, new_thread, request_type, active)"
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var list []InboundMailbox
	if err := dec.Decode(&list); err != nil {
		return nil, "expected a list of mailboxes (name, host, port, tls, username, password, folder, new_thread, request_type, active): " + err.Error()
	}
	seen := map[string]bool{}
	for i := range list {
		if why := list[i].normalise(); why != "" {
			return nil, fmt.Sprintf("mailbox %d: %s", i+1, why)
		}
		if seen[strings.ToLower(list[i].Name)] {
			return nil, fmt.Sprintf("mailbox %d: the name %q is used twice", i+1, list[i].Name)
		}
		seen[strings.ToLower(list[i].Name)] = true
	}
	if list == nil {
		list = []InboundMailbox{}
	}
	return list, ""
}

// normalise fills in the defaults and says what is wrong, naming the field.
func (m *InboundMailbox) normalise() string {
	m.Name, m.Host, m.Username = strings.TrimSpace(m.Name), strings.TrimSpace(m.Host), strings.TrimSpace(m.Username)
	m.Address, m.Folder = strings.TrimSpace(m.Address), strings.TrimSpace(m.Folder)
	if m.TLS == "" {
		m.TLS = BoxTLSImplicit
	}
	if m.Port == 0 {
		m.Port = 143
		if m.TLS == BoxTLSImplicit {
			m.Port = 993
		}
	}
	if m.Folder == "" {
		m.Folder = "INBOX"
	}
	if m.NewThread == "" {
		m.NewThread = "request"
	}
	if m.Address == "" && strings.Contains(m.Username, "@") {
		m.Address = m.Username
	}
	if m.Active == nil {
		yes := true
		m.Active = &yes
	}
	switch {
	case m.Name == "":
		return "name: it must not be empty"
	case m.Host == "":
		return "host: it must not be empty"
	case m.Port < 1 || m.Port > 65535:
		return fmt.Sprintf("port: %d is not from 1 to 65535", m.Port)
	case !slices.Contains([]string{BoxTLSImplicit, BoxTLSStartTLS, BoxTLSNone}, m.TLS):
		return fmt.Sprintf("tls: %q is not one of tls, starttls, none", m.TLS)
	case m.TLS == BoxTLSNone && !IsLoopbackHost(m.Host):
		return fmt.Sprintf("tls: none is allowed only for a server on this machine (127.0.0.1, ::1, localhost), not %q", m.Host)
	case m.Username == "":
		return "username: it must not be empty"
	case m.NewThread != "request" && m.NewThread != "timeline":
		return fmt.Sprintf("new_thread: %q is not request or timeline", m.NewThread)
	}
	return ""
}

// IsLoopbackHost says whether host names this machine: the only place a
// mailbox may be read without TLS.
func IsLoopbackHost(host string) bool {
	host = strings.Trim(strings.TrimSpace(host), "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// showInbound is what `vinculo config` prints for mail.inbound: the
// mailboxes without their passwords.
func showInbound(c *Config) any {
	var out []string
	for _, m := range c.Mail.Inbound {
		out = append(out, fmt.Sprintf("%s (%s@%s:%d %s %s)", m.Name, m.Username, m.Host, m.Port, m.TLS, m.Folder))
	}
	return strings.Join(out, "; ")
}
