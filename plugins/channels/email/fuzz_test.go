package email_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/plugins/channels/email"
)

// FuzzIntake feeds the intake any bytes: it never panics, and every mail is
// either kept (a row that exists, with an outcome) or refused with an error
// that says which mail.
//
//	go test -run x -fuzz FuzzIntake -fuzztime 60s ./plugins/channels/email/
func FuzzIntake(f *testing.F) {
	iw := newIntakeWorld(f)
	files, err := filepath.Glob(filepath.Join("testdata", "intake", "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no sample mails: %v", err)
	}
	for _, file := range files {
		f.Add(iw.mail(f, filepath.Base(file)))
		raw, _ := os.ReadFile(file)
		f.Add(raw) // with its placeholders: threads that lead nowhere
	}
	f.Add(bigMail(iw.token, 1<<10))
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := email.Intake(iw.App, raw, iw.box)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "email intake of <") {
				t.Fatalf("an error that names no mail: %v", err)
			}
			return
		}
		if out.Mail == "" || out.Action == "" {
			t.Fatalf("no row and no error: %+v", out)
		}
		row, err := iw.App.FindRecordById(crm.EmailMessages, out.Mail)
		if err != nil {
			t.Fatalf("outcome %+v names a row that is not there: %v", out, err)
		}
		if out.Action != email.OutcomeDuplicate && row.GetInt(crm.MailSize) != len(raw) {
			t.Fatalf("row %s keeps size %d for a mail of %d bytes", row.Id, row.GetInt(crm.MailSize), len(raw))
		}
	})
}
