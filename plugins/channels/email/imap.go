package email

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap"
	"github.com/emersion/go-imap/client"

	"vinculo/crm"
)

// Conn is how to reach and read one mailbox.
type Conn struct {
	Host     string
	Port     int
	TLS      string // crm.BoxTLSImplicit, BoxTLSStartTLS or BoxTLSNone
	User     string
	Password string
	Folder   string
}

// Addr is host:port.
func (c Conn) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// dialTimeout bounds connecting; commandTimeout bounds each command but IDLE.
const (
	dialTimeout    = 20 * time.Second
	commandTimeout = 2 * time.Minute
)

// A ReadError is a failure to read a mailbox, with the status a manager
// sees (crm.BoxStatus*) and the server's own words.
type ReadError struct {
	Status string
	Err    error
}

func (e *ReadError) Error() string { return e.Status + ": " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

func failed(status string, err error) error {
	var re *ReadError
	if errors.As(err, &re) {
		return err
	}
	return &ReadError{Status: status, Err: err}
}

// StatusOf is the status code of an error from the reader.
func StatusOf(err error) string {
	var re *ReadError
	if errors.As(err, &re) {
		return re.Status
	}
	return crm.BoxStatusError
}

// session is one signed-in connection with the folder selected.
type session struct {
	c        *client.Client
	idle     bool // the server offers IDLE
	validity uint32
	newMail  chan struct{} // a mail arrived (EXISTS) since the last look
	done     chan struct{}
}

// open connects, secures, signs in and selects the folder (read-only: the
// reader takes copies and changes no flag the business's people see).
func open(conn Conn) (*session, error) {
	if conn.TLS == crm.BoxTLSNone && !crm.IsLoopbackHost(conn.Host) {
		return nil, failed(crm.BoxStatusTLS, errors.New("a mailbox without TLS must be on this machine"))
	}
	dialer := &net.Dialer{Timeout: dialTimeout}
	tlsConfig := &tls.Config{ServerName: conn.Host, MinVersion: tls.VersionTLS12}
	var c *client.Client
	var err error
	if conn.TLS == crm.BoxTLSImplicit {
		c, err = client.DialWithDialerTLS(dialer, conn.Addr(), tlsConfig)
	} else {
		c, err = client.DialWithDialer(dialer, conn.Addr())
	}
	if err != nil {
		return nil, classifyDial(err)
	}
	s := &session{c: c, newMail: make(chan struct{}, 1), done: make(chan struct{})}
	updates := make(chan client.Update, 64)
	c.Updates = updates
	go s.watch(updates)
	c.Timeout = commandTimeout
	if err := s.signIn(conn, tlsConfig); err != nil {
		c.Logout()
		return nil, err
	}
	return s, nil
}

func (s *session) signIn(conn Conn, tlsConfig *tls.Config) error {
	if conn.TLS == crm.BoxTLSStartTLS {
		if ok, _ := s.c.SupportStartTLS(); !ok {
			return failed(crm.BoxStatusTLS, errors.New("the server does not offer STARTTLS"))
		}
		if err := s.c.StartTLS(tlsConfig); err != nil {
			return failed(crm.BoxStatusTLS, err)
		}
	}
	if err := s.c.Login(conn.User, conn.Password); err != nil {
		if isNetErr(err) {
			return failed(crm.BoxStatusUnreachable, err)
		}
		return failed(crm.BoxStatusAuth, err)
	}
	folder := conn.Folder
	if folder == "" {
		folder = "INBOX"
	}
	st, err := s.c.Select(folder, true)
	if err != nil {
		if isNetErr(err) {
			return failed(crm.BoxStatusUnreachable, err)
		}
		return failed(crm.BoxStatusFolder, fmt.Errorf("folder %q: %w", folder, err))
	}
	s.validity = st.UidValidity
	s.idle, _ = s.c.Support("IDLE")
	return nil
}

func classifyDial(err error) error {
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var alert tls.AlertError
	if errors.As(err, &certErr) || errors.As(err, &recErr) || errors.As(err, &alert) {
		return failed(crm.BoxStatusTLS, err)
	}
	return failed(crm.BoxStatusUnreachable, err)
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) ||
		strings.Contains(err.Error(), "connection closed") || strings.Contains(err.Error(), "use of closed")
}

// watch turns the server's unsolicited updates into "a mail arrived".
func (s *session) watch(updates <-chan client.Update) {
	for {
		select {
		case u := <-updates:
			if _, ok := u.(*client.MailboxUpdate); ok {
				select {
				case s.newMail <- struct{}{}:
				default:
				}
			}
		case <-s.done:
			return
		}
	}
}

func (s *session) close() {
	defer close(s.done)
	done := make(chan struct{})
	go func() { s.c.Logout(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.c.Terminate()
	}
}

// A Fetched mail is one message read from the folder.
type Fetched struct {
	UID uint32
	Raw []byte
}

// newUIDs lists the UIDs after last, oldest first. A NOOP first makes the
// server tell what arrived since the folder was selected.
func (s *session) newUIDs(last uint32) ([]uint32, error) {
	if err := s.c.Noop(); err != nil {
		return nil, failed(crm.BoxStatusUnreachable, err)
	}
	set := new(imap.SeqSet)
	set.AddRange(last+1, 0) // last+1:*
	crit := imap.NewSearchCriteria()
	crit.Uid = set
	uids, err := s.c.UidSearch(crit)
	if err != nil {
		if isNetErr(err) {
			return nil, failed(crm.BoxStatusUnreachable, err)
		}
		return nil, failed(crm.BoxStatusError, err)
	}
	// "last+1:*" names the newest mail even when its UID is not above
	// last: keep only what is new.
	out := uids[:0]
	for _, u := range uids {
		if u > last {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out, nil
}

// fetch reads the whole raw mails of uids (without setting \Seen), in UID
// order, batch by batch (bounded memory on a folder of thousands), handing
// each to take; it stops at take's first error.
func (s *session) fetch(uids []uint32, batch int, take func(Fetched) error) error {
	for len(uids) > 0 {
		n := min(len(uids), batch)
		some := uids[:n]
		uids = uids[n:]
		got, err := s.fetchSome(some)
		if err != nil {
			return err
		}
		for _, u := range some {
			raw, ok := got[u]
			if !ok {
				continue // expunged between SEARCH and FETCH: it is gone from the server
			}
			if err := take(Fetched{UID: u, Raw: raw}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *session) fetchSome(uids []uint32) (map[uint32][]byte, error) {
	set := new(imap.SeqSet)
	set.AddNum(uids...)
	section := &imap.BodySectionName{Peek: true}
	msgs := make(chan *imap.Message, len(uids))
	done := make(chan error, 1)
	go func() { done <- s.c.UidFetch(set, []imap.FetchItem{imap.FetchUid, section.FetchItem()}, msgs) }()
	got := map[uint32][]byte{}
	for m := range msgs {
		body := m.GetBody(section)
		if body == nil {
			continue
		}
		raw, err := io.ReadAll(body)
		if err != nil {
			continue
		}
		got[m.Uid] = raw
	}
	if err := <-done; err != nil {
		if isNetErr(err) {
			return nil, failed(crm.BoxStatusUnreachable, err)
		}
		return nil, failed(crm.BoxStatusError, err)
	}
	return got, nil
}

// wait blocks until the server says the folder changed, every is over, or
// stop closes; it IDLEs where the server offers it and sleeps otherwise (the
// caller then looks again).
func (s *session) wait(every time.Duration, stop <-chan struct{}) error {
	timer := time.NewTimer(every)
	defer timer.Stop()
	if !s.idle {
		select {
		case <-timer.C:
		case <-stop:
		case <-s.c.LoggedOut():
			return failed(crm.BoxStatusUnreachable, errors.New("the server closed the connection"))
		}
		return nil
	}
	end := make(chan struct{})
	idled := make(chan error, 1)
	s.c.Timeout = 0 // IDLE lasts until we end it
	go func() { idled <- s.c.Idle(end, &client.IdleOptions{LogoutTimeout: -1}) }()
	var err error
	select {
	case <-s.newMail:
	case <-timer.C:
	case <-stop:
	case err = <-idled:
		if err == nil {
			err = errors.New("the server ended IDLE")
		}
		s.c.Timeout = commandTimeout
		return failed(crm.BoxStatusUnreachable, err)
	}
	close(end)
	err = <-idled
	s.c.Timeout = commandTimeout
	if err != nil {
		return failed(crm.BoxStatusUnreachable, err)
	}
	return nil
}

// Read signs in to a mailbox and hands every mail after UID after to take,
// oldest first, batch mails per FETCH, without taking anything in: the
// reader's raw speed (the bench compares the intake against it). It returns
// the folder's UIDVALIDITY.
func Read(conn Conn, after uint32, batch int, take func(Fetched) error) (uint32, error) {
	s, err := open(conn)
	if err != nil {
		return 0, err
	}
	defer s.close()
	uids, err := s.newUIDs(after)
	if err != nil {
		return 0, err
	}
	return s.validity, s.fetch(uids, max(batch, 1), take)
}
