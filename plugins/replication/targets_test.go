package replication_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"golang.org/x/crypto/ssh"

	"vinculo/crm"
)

// A target is a kind of replica the tests replicate to: a folder, an
// in-process S3 server, and Debian's OpenSSH server on loopback.
type target struct {
	name  string
	start func(t *testing.T) crm.Replication
}

var targets = []target{
	{"file", fileTarget},
	{"s3", s3Target},
	{"sftp", sftpTarget},
}

func fileTarget(t *testing.T) crm.Replication {
	return crm.Replication{URL: "file://" + filepath.Join(t.TempDir(), "replica"), SyncSeconds: 1}
}

// s3Target is an in-process S3-compatible server (gofakes3, in memory) with
// one bucket, reached as S3-compatible storage is: through an endpoint.
func s3Target(t *testing.T) crm.Replication {
	// The AWS SDK refuses a custom CA bundle with Litestream's HTTP client.
	t.Setenv("AWS_CA_BUNDLE", "")
	backend := s3mem.New()
	if err := backend.CreateBucket("vinculo-backups"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return crm.Replication{
		URL:         "s3://vinculo-backups/crm?endpoint=" + srv.URL + "&region=us-east-1",
		AccessKeyID: "test-key", SecretAccessKey: "test-secret", SyncSeconds: 1,
	}
}

// sftpTarget starts Debian's OpenSSH server on a free loopback port, with a
// generated host key and a key pair of its own for root, and replicates into
// a temporary folder through it.
func sftpTarget(t *testing.T) crm.Replication {
	sshd := "/usr/sbin/sshd"
	if _, err := os.Stat(sshd); err != nil || os.Geteuid() != 0 {
		why := "the SFTP replica test needs Debian's OpenSSH server (apt-get install openssh-server) and root"
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	dir := t.TempDir()
	hostKey, hostPub := newKey(t, filepath.Join(dir, "host_ed25519"))
	_, clientPub := newKey(t, filepath.Join(dir, "client_ed25519"))
	write(t, filepath.Join(dir, "authorized_keys"), clientPub, 0o600)
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil { // sshd's privilege separation dir
		t.Fatal(err)
	}
	port := freePort(t)
	config := filepath.Join(dir, "sshd_config")
	write(t, config, strings.Join([]string{
		"Port " + port,
		"ListenAddress 127.0.0.1",
		"HostKey " + hostKey,
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PubkeyAuthentication yes",
		"PermitRootLogin prohibit-password",
		"StrictModes no",
		"UsePAM no",
		"Subsystem sftp internal-sftp",
	}, "\n")+"\n", 0o600)
	logPath := filepath.Join(dir, "sshd.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(sshd, "-D", "-e", "-f", config)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group: the sessions it forks end with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	waitListening(t, "127.0.0.1:"+port, logPath)
	return crm.Replication{
		URL:     fmt.Sprintf("sftp://root@127.0.0.1:%s%s", port, filepath.Join(dir, "replica")),
		KeyPath: filepath.Join(dir, "client_ed25519"), HostKey: hostPub, SyncSeconds: 1,
	}
}

// newKey writes a new ed25519 private key (OpenSSH format) to path and
// returns path and the public key's authorized_keys line.
func newKey(t *testing.T, path string) (string, string) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, string(pem.EncodeToMemory(block)), 0o600)
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return path, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub)))
}

func write(t *testing.T, path, text string, mode os.FileMode) {
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

func waitListening(t *testing.T, addr, logPath string) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	log, _ := os.ReadFile(logPath)
	t.Fatalf("sshd did not listen on %s within 10 s: %s", addr, log)
}
