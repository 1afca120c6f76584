package storage_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/accesslog"
	"vinculo/plugins/storage"
	"vinculo/testkit"
)

// TestFullDisk runs the whole app with its data dir (data.db, auxiliary.db)
// on a 32 MB tmpfs, fills that filesystem and frees it again.
//
// Mounting needs root. Where the mount fails, the test FAILS when CI=true or
// when it runs as root (the check must not pass silently where it should
// run), and is skipped otherwise, saying why: run it as root (`sudo go test
// ./plugins/storage/...`) to exercise it.
func TestFullDisk(t *testing.T) {
	mnt := mountSmall(t, 32)
	logs := captureStderr(t)
	w := worldOn(t, mnt)
	w.Business(t)
	su := w.Make(t, "su", core.CollectionNameSuperusers, map[string]any{"email": "root@staff.test"})
	w.SetToken("su", testkit.Token(t, su))

	var acked []string // ids of the contacts the server said it saved
	create := func(name string) testkit.Response {
		return w.Do(t, "POST", "/api/collections/contacts/records", "manager",
			map[string]any{"name": name, "owner": w.ID("agent"), "language": "pt-BR"})
	}
	keep := func(res testkit.Response) {
		var rec struct{ ID string }
		res.JSON(t, &rec)
		acked = append(acked, rec.ID)
	}
	res := create("Before the disk filled")
	if res.Status != 200 {
		t.Fatalf("create on a free disk: %d %s", res.Status, res.Body)
	}
	keep(res)
	w.Make(t, "case", crm.Cases, map[string]any{"type": w.ID("tpSup"), "contact": w.ID("ctA"),
		"subject": "The router is down", "status": "new"})
	perCreate := w.Count(t, crm.Activities, "contact = {:c}", map[string]any{"c": acked[0]})
	if perCreate == 0 {
		t.Fatal("a contact created on a free disk has no timeline entry")
	}

	checkUploadOnNearlyFullDisk(t, w, mnt)
	filler, fillErr := fillDisk(t, mnt)
	if storage.Classify(fillErr) != storage.Full {
		t.Fatalf("the kernel's %v is not classified as a full disk", fillErr)
	}

	// Writes go on while SQLite still has room in pages it holds; then fail.
	var refused []string
	for i, inARow := 0, 0; inARow < 3; i++ {
		if i == 2000 {
			t.Fatalf("2000 creates on a full disk, %d refused", len(refused))
		}
		name := fmt.Sprintf("Written on a full disk %d", i)
		res := create(name)
		switch res.Status {
		case 200:
			keep(res)
			inARow = 0
		case 507:
			refused = append(refused, name)
			inARow++
			var body struct{ Message string }
			res.JSON(t, &body)
			if body.Message != "The server's storage is full: nothing was saved. Try again later." {
				t.Fatalf("507 says %q", body.Message)
			}
		default:
			t.Fatalf("create on a full disk: %d %s", res.Status, res.Body)
		}
	}
	t.Logf("on the full disk: %d creates acknowledged, %d refused with 507", len(acked)-1, len(refused))

	checkReadsOnFullDisk(t, w, acked[0], logs)
	checkHealth(t, w, false)
	for _, line := range []string{"storage is failing", "the request was answered 507", "database or disk is full"} {
		if !written(logs, line) {
			t.Errorf("standard error has no %q:\n%s", line, logs)
		}
	}

	// Space freed: health turns green and writes resume.
	for _, f := range []string{filler, filler + "-partial"} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	checkHealth(t, w, true)
	res = create("After space was freed")
	if res.Status != 200 {
		t.Fatalf("create after space was freed: %d %s", res.Status, res.Body)
	}
	keep(res)
	checkWhole(t, w, acked, refused)
	// Each acknowledged contact has its timeline entries (no refused one
	// left any: checkWhole).
	for _, id := range acked {
		if n := w.Count(t, crm.Activities, "contact = {:c}", map[string]any{"c": id}); n != perCreate {
			t.Errorf("contact %s has %d timeline entries, want %d", id, n, perCreate)
		}
	}
}

// checkUploadOnNearlyFullDisk: with room for the database but not for a
// 4 MB attachment, the upload's "no space left on device" answers 507 and
// leaves neither the message nor a piece of its file.
func checkUploadOnNearlyFullDisk(t *testing.T, w *testkit.World, dir string) {
	t.Helper()
	kase := w.R("case")
	name := filepath.Join(dir, "filler-partial")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 1<<20)
	for free(t, dir) > 2<<20 {
		if _, err := f.Write(block); err != nil {
			t.Fatal(err)
		}
	}
	body, contentType := testkit.Form(map[string]string{"case": kase.Id, "body": "The log of the router is attached."},
		"attachments", "router.txt", bytes.Repeat([]byte("router log line\n"), 4<<20/16))
	res, answer := w.Request(t, "POST", "/api/collections/case_messages/records", "manager", body, map[string]string{"Content-Type": contentType})
	if res.StatusCode != 507 || !strings.Contains(string(answer), "storage is full") {
		t.Fatalf("a 4 MB upload with %d KB free: %d %s", free(t, dir)>>10, res.StatusCode, answer)
	}
	if n := w.Count(t, crm.CaseMessages, "`case` = {:c}", map[string]any{"c": kase.Id}); n != 0 {
		t.Errorf("the refused message is stored %d times", n)
	}
	msgs, err := w.App.FindCollectionByNameOrId(crm.CaseMessages)
	if err != nil {
		t.Fatal(err)
	}
	_ = filepath.WalkDir(filepath.Join(w.App.DataDir(), "storage", msgs.Id), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("the refused upload left %s", p)
		}
		return nil
	})
}

func free(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * st.Bsize
}

// checkReadsOnFullDisk: list, view and the 360 page answer; the 360 page's
// audit entry, when the disk refused it, is in the process's log.
func checkReadsOnFullDisk(t *testing.T, w *testkit.World, id string, logs *testkit.Output) {
	t.Helper()
	audits := w.Count(t, crm.AuditLog, "")
	for _, path := range []string{
		"/api/collections/contacts/records?skipTotal=1&perPage=5",
		"/api/collections/contacts/records/" + id,
		"/api/crm/contacts/" + id + "/360",
	} {
		if res := w.Do(t, "GET", path, "manager", nil); res.Status != 200 {
			t.Errorf("GET %s on a full disk: %d %s", path, res.Status, res.Body)
		}
	}
	accesslog.Flush(w.App) // reads are queued and written in batches
	if w.Count(t, crm.AuditLog, "") == audits && !written(logs, "the audit entry of a read was not written") {
		t.Errorf("the 360 page's audit entry was neither written nor logged:\n%s", logs)
	}
}

// checkHealth: a superuser sees the storage state; anyone else sees nothing
// more than PocketBase's answer.
func checkHealth(t *testing.T, w *testkit.World, ok bool) {
	t.Helper()
	var health struct {
		Code int
		Data map[string]any
	}
	res := w.Do(t, "GET", "/api/health", "su", nil)
	res.JSON(t, &health)
	st, _ := health.Data["storage"].(map[string]any)
	if res.Status != 200 || health.Code != 200 || st == nil || st["ok"] != ok {
		t.Fatalf("superuser's health, storage ok should be %v: %d %s", ok, res.Status, res.Body)
	}
	if _, has := health.Data["canBackup"]; !has {
		t.Errorf("PocketBase's own health data went missing: %s", res.Body)
	}
	if !ok && (st["error"] == "" || st["since"] == nil) {
		t.Errorf("failing storage without error or since: %s", res.Body)
	}
	anon := w.Do(t, "GET", "/api/health", "", nil)
	if anon.Status != 200 || strings.Contains(string(anon.Body), "storage") {
		t.Errorf("anonymous health: %d %s", anon.Status, anon.Body)
	}
}

// checkWhole: the database is whole, every acknowledged contact is in it and
// no refused one is, not even in part.
func checkWhole(t *testing.T, w *testkit.World, acked, refused []string) {
	t.Helper()
	var integrity string
	if err := w.App.DB().NewQuery("PRAGMA integrity_check").Row(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: %q %v", integrity, err)
	}
	for _, id := range acked {
		w.Find(t, crm.Contacts, id)
	}
	for _, name := range refused {
		if n := w.Count(t, crm.Contacts, "name = {:n}", map[string]any{"n": name}); n != 0 {
			t.Errorf("refused %q is stored %d times", name, n)
		}
		if n := w.Count(t, crm.Activities, "subject LIKE {:n} OR body LIKE {:n}", map[string]any{"n": "%" + name + "%"}); n != 0 {
			t.Errorf("refused %q has %d timeline entries", name, n)
		}
	}
}

// worldOn builds the app with its data dir on dir: the test app clones its
// data dir into the temporary folder, which points at dir while it is made.
func worldOn(t *testing.T, dir string) *testkit.World {
	t.Helper()
	// The process's migrated template is made on the real disk first: the
	// small filesystem goes when this test ends, and later tests copy it.
	testkit.NewApp(t)
	old, had := os.LookupEnv("TMPDIR")
	os.Setenv("TMPDIR", dir)
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	if had {
		os.Setenv("TMPDIR", old)
	} else {
		os.Unsetenv("TMPDIR")
	}
	if !strings.HasPrefix(w.App.DataDir(), dir) {
		t.Fatalf("the data dir %s is not on the small filesystem %s", w.App.DataDir(), dir)
	}
	return w
}

// mountSmall mounts a tmpfs of mb megabytes and unmounts it when the test
// ends (after the app closed its database: cleanups run last-in first-out).
func mountSmall(t *testing.T, mb int) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", mb), "tmpfs", dir).CombinedOutput()
	if err != nil {
		why := fmt.Sprintf("cannot mount a %d MB tmpfs (%v: %s)", mb, err, bytes.TrimSpace(out))
		if os.Getenv("CI") == "true" || os.Geteuid() == 0 {
			t.Fatal(why + "; the full-disk test must run here")
		}
		t.Skip(why + "; run as root to test a full disk")
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
			_ = exec.Command("umount", "-l", dir).Run()
		}
	})
	return dir
}

// fillDisk writes a file beside the database until the filesystem refuses,
// and returns it and the kernel's error.
func fillDisk(t *testing.T, dir string) (string, error) {
	t.Helper()
	name := filepath.Join(dir, "filler")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var last error
	for _, chunk := range []int{1 << 20, 4 << 10, 512} {
		block := make([]byte, chunk)
		for last == nil || errors.Is(last, io.ErrShortWrite) {
			_, last = f.Write(block)
		}
		if chunk != 512 {
			last = nil
		}
	}
	return name, last
}

// captureStderr points os.Stderr at a pipe until the test ends; what is
// written is kept and passed on to the real standard error.
func captureStderr(t *testing.T) *testkit.Output {
	t.Helper()
	real := os.Stderr
	r, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	buf := &testkit.Output{}
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.MultiWriter(buf, real), r)
		close(done)
	}()
	os.Stderr = wr
	t.Cleanup(func() {
		os.Stderr = real
		wr.Close()
		<-done
		r.Close()
	})
	return buf
}

// written tells whether text was written to out, waiting a moment for the
// pipe.
func written(out *testkit.Output, text string) bool {
	for range 100 {
		if strings.Contains(out.String(), text) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
