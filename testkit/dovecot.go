package testkit

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DovecotPath is where Debian's dovecot-imapd puts the server.
const DovecotPath = "/usr/sbin/dovecot"

// Dovecot is a real IMAP server (Debian's dovecot-imapd) on a loopback
// port, with its own configuration, users and maildirs in a temporary
// folder: the mailboxes the inbound mail tests and the bench read.
type Dovecot struct {
	Host string // 127.0.0.1
	Port int

	dir    string
	users  map[string]string
	noIdle bool

	mu  sync.Mutex
	cmd *exec.Cmd
	log string
}

// DovecotOption changes how the server is set up.
type DovecotOption func(*Dovecot)

// WithoutIdle makes the server leave IDLE out of its capabilities, so a
// client must poll.
func WithoutIdle() DovecotOption { return func(d *Dovecot) { d.noIdle = true } }

// StartDovecot starts Dovecot for the test with the given users (address →
// password) and stops it when the test ends. Without the dovecot binary the
// test fails under CI (CI=true: .ci/run installs dovecot-imapd) and is
// skipped, saying so, on a developer's machine.
func StartDovecot(t testing.TB, users map[string]string, opts ...DovecotOption) *Dovecot {
	t.Helper()
	if _, err := os.Stat(DovecotPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing, but .ci/run installs dovecot-imapd: the inbound mail tests cannot run", DovecotPath)
		}
		t.Skipf("%s is missing: apt-get install dovecot-imapd to run the inbound mail tests", DovecotPath)
	}
	d, err := LaunchDovecot(users, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// LaunchDovecot starts Dovecot outside a test (the bench); Close stops it
// and removes its folder.
func LaunchDovecot(users map[string]string, opts ...DovecotOption) (*Dovecot, error) {
	dir, err := os.MkdirTemp("", "vinculo-dovecot-")
	if err != nil {
		return nil, err
	}
	d := &Dovecot{Host: "127.0.0.1", dir: dir, users: users}
	for _, o := range opts {
		o(d)
	}
	if err := d.configure(); err == nil {
		err = d.Start()
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return d, nil
}

// Close stops the server and removes its configuration and mail.
func (d *Dovecot) Close() {
	d.Stop()
	os.RemoveAll(d.dir)
}

// Addr is host:port.
func (d *Dovecot) Addr() string { return net.JoinHostPort(d.Host, strconv.Itoa(d.Port)) }

// configure writes the server's configuration, password file and maildirs.
// As root, the mail processes run as nobody; otherwise as the current user.
func (d *Dovecot) configure() error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	d.Port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	uid, gid, name := 65534, 65534, ""
	if os.Geteuid() != 0 {
		uid, gid = os.Getuid(), os.Getgid()
		u, err := user.Current()
		if err != nil {
			return err
		}
		name = u.Username
	}
	if err := os.Chmod(d.dir, 0o755); err != nil {
		return err
	}
	mail := filepath.Join(d.dir, "mail")
	for _, sub := range []string{"run", "state", "mail"} {
		if err := os.MkdirAll(filepath.Join(d.dir, sub), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chown(mail, uid, gid); err != nil {
		return err
	}
	var pw strings.Builder
	for addr, pass := range d.users {
		fmt.Fprintf(&pw, "%s:{PLAIN}%s\n", addr, pass)
	}
	if err := os.WriteFile(filepath.Join(d.dir, "users"), []byte(pw.String()), 0o644); err != nil {
		return err
	}
	conf := []string{
		"protocols = imap",
		"listen = 127.0.0.1",
		"base_dir = " + filepath.Join(d.dir, "run"),
		"state_dir = " + filepath.Join(d.dir, "state"),
		"instance_name = vinculo-test-" + strconv.Itoa(d.Port),
		"log_path = " + filepath.Join(d.dir, "dovecot.log"),
		"ssl = no",
		"disable_plaintext_auth = no",
		"auth_mechanisms = plain login",
		"first_valid_uid = 1",
		"mail_max_userip_connections = 100",
		fmt.Sprintf("mail_location = maildir:%s/%%u", mail),
		fmt.Sprintf("mail_uid = %d", uid),
		fmt.Sprintf("mail_gid = %d", gid),
		"passdb {", "  driver = passwd-file", "  args = scheme=PLAIN username_format=%u " + filepath.Join(d.dir, "users"), "}",
		"userdb {", "  driver = static", fmt.Sprintf("  args = uid=%d gid=%d home=%s/%%u", uid, gid, mail), "}",
		"service imap-login {", "  inet_listener imap {", "    address = 127.0.0.1", fmt.Sprintf("    port = %d", d.Port), "  }",
		"  inet_listener imaps {", "    port = 0", "  }", "}",
	}
	if name != "" {
		conf = append(conf, "default_login_user = "+name, "default_internal_user = "+name)
	}
	if d.noIdle {
		conf = append(conf, "imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE UIDPLUS")
	}
	return os.WriteFile(d.conf(), []byte(strings.Join(conf, "\n")+"\n"), 0o644)
}

func (d *Dovecot) conf() string { return filepath.Join(d.dir, "dovecot.conf") }

// Start runs the server (again, after Stop: same port, same mail) and
// waits until it greets.
func (d *Dovecot) Start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd != nil {
		return nil
	}
	cmd := exec.Command(DovecotPath, "-F", "-c", d.conf())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := os.OpenFile(filepath.Join(d.dir, "dovecot.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return err
	}
	d.cmd = cmd
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if greets(d.Addr()) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	d.stopLocked()
	logs, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
	outs, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.out"))
	return fmt.Errorf("dovecot did not answer on %s within 20s:\n%s%s", d.Addr(), outs, logs)
}

// greets says whether an IMAP server answers "* OK" at addr.
func greets(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "* OK")
}

// Stop ends the server and its processes, and waits until the port is free.
func (d *Dovecot) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked()
}

func (d *Dovecot) stopLocked() {
	if d.cmd == nil {
		return
	}
	pid := d.cmd.Process.Pid
	syscall.Kill(pid, syscall.SIGTERM) // the master stops its own services
	done := make(chan struct{})
	go func() { d.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
	// What the master left behind (a mail process still serving a client)
	// goes too: a stopped server answers nobody.
	syscall.Kill(-pid, syscall.SIGKILL)
	d.cmd = nil
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", d.Addr(), 100*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(50 * time.Millisecond)
	}
}

// Restart stops the server and starts it again on the same port and mail.
func (d *Dovecot) Restart() error {
	d.Stop()
	return d.Start()
}

// Running says whether the server was started and not stopped since.
func (d *Dovecot) Running() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cmd != nil
}

// Log is the server's log so far, for a failing test's message.
func (d *Dovecot) Log() string {
	b, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.log"))
	return string(b)
}

// Append puts raw mails (RFC 5322 bytes, CRLF or LF lines) into the user's
// INBOX over IMAP, in order, in one session. UIDs rise with each.
func (d *Dovecot) Append(t testing.TB, addr string, raws ...[]byte) {
	t.Helper()
	if err := d.AppendTo(addr, "INBOX", raws...); err != nil {
		t.Fatalf("dovecot append for %s: %v\n%s", addr, err, d.Log())
	}
}

// AppendTo appends raw mails to one folder of the user, without a test (the
// bench fills a mailbox with it).
func (d *Dovecot) AppendTo(addr, folder string, raws ...[]byte) error {
	pass, ok := d.users[addr]
	if !ok {
		return fmt.Errorf("no user %s", addr)
	}
	s, err := dialIMAP(d.Addr())
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.cmd(fmt.Sprintf("LOGIN %s %s", quote(addr), quote(pass))); err != nil {
		return err
	}
	for _, raw := range raws {
		raw = crlf(raw)
		if err := s.cmd(fmt.Sprintf("APPEND %s {%d+}\r\n%s", quote(folder), len(raw), raw)); err != nil {
			return err
		}
	}
	return s.cmd("LOGOUT")
}

// imapSession is the few commands the harness needs, written by hand so the
// tests check the reader against an independent client.
type imapSession struct {
	conn net.Conn
	r    *bufio.Reader
	n    int
}

func dialIMAP(addr string) (*imapSession, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	s := &imapSession{conn: c, r: bufio.NewReader(c)}
	c.SetDeadline(time.Now().Add(5 * time.Minute))
	if _, err := s.r.ReadString('\n'); err != nil {
		c.Close()
		return nil, err
	}
	return s, nil
}

func (s *imapSession) close() { s.conn.Close() }

// cmd sends one tagged command and reads to its tagged answer.
func (s *imapSession) cmd(text string) error {
	s.n++
	tag := "t" + strconv.Itoa(s.n)
	if _, err := s.conn.Write([]byte(tag + " " + text + "\r\n")); err != nil {
		return err
	}
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			return err
		}
		if strings.HasPrefix(line, tag+" ") {
			if strings.HasPrefix(line, tag+" OK") {
				return nil
			}
			return fmt.Errorf("%s", strings.TrimSpace(line))
		}
	}
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// crlf writes every line ending as CRLF, as IMAP stores mail.
func crlf(raw []byte) []byte {
	s := strings.ReplaceAll(string(raw), "\r\n", "\n")
	return []byte(strings.ReplaceAll(s, "\n", "\r\n"))
}
