package signin_test

import (
	"fmt"
	"net/http"
	"testing"

	"vinculo/plugins/signin"
)

const (
	knownEmail   = "ana@a.test" // cuA's
	unknownEmail = "nobody@nowhere.test"
	wrongCode    = "wrong!" // never a code: codes are digits
)

// A wrong code tried against the otpId given for an email with no account
// is answered as one tried against a real account's code: the same status
// and body every time, limited at the same try (PocketBase's five per
// account and address), also for the next code asked; and the made-up path
// compares the code against a hash as the real one does.
func TestWrongCodeAnswersAlikeForUnknownEmail(t *testing.T) {
	w := newWorld(t, false, signin.Options{})
	base, ip := w.Srv.URL, addr(1)
	real := requestCode(t, base, ip, knownEmail)
	unknown := requestCode(t, base, ip, unknownEmail)

	before := signin.DummyComparisons(w.App)
	for try := 1; try <= 6; try++ {
		r := code(t, base, ip, real, wrongCode)
		u := code(t, base, ip, unknown, wrongCode)
		same(t, fmt.Sprintf("try %d", try), r, u)
		if try <= 5 {
			expect(t, fmt.Sprintf("try %d", try), r, http.StatusBadRequest, "Invalid or expired OTP.")
		} else {
			expect(t, fmt.Sprintf("try %d", try), r, http.StatusTooManyRequests, "Too many attempts, please try again later with a new OTP.")
		}
	}
	if n := signin.DummyComparisons(w.App) - before; n != 5 {
		t.Errorf("%d codes compared against the dummy hash, want 5 (the sixth try is limited first)", n)
	}

	// The limit is the account's, not the code's: a new code is limited too.
	r := code(t, base, ip, requestCode(t, base, ip, knownEmail), wrongCode)
	u := code(t, base, ip, requestCode(t, base, ip, unknownEmail), wrongCode)
	same(t, "a new code after five tries", r, u)
	expect(t, "a new code after five tries", r, http.StatusTooManyRequests, "")

	// From another address, tries start again for both.
	r = code(t, base, addr(2), real, wrongCode)
	u = code(t, base, addr(2), unknown, wrongCode)
	same(t, "another address", r, u)
	expect(t, "another address", r, http.StatusBadRequest, "")
}

// With ten live codes, PocketBase gives the newest again; so do made-up ones.
func TestTenLiveCodesThenTheNewestAgain(t *testing.T) {
	w := newWorld(t, false, signin.Options{})
	base := w.Srv.URL
	for _, email := range []string{knownEmail, unknownEmail} {
		seen := map[string]bool{}
		var last string
		for i := 1; i <= 11; i++ {
			id := requestCode(t, base, addr(1), email)
			if i == 11 {
				if id != last {
					t.Errorf("%s: the 11th code is %s, want the 10th (%s) again", email, id, last)
				}
				continue
			}
			if seen[id] {
				t.Errorf("%s: code %d repeats an earlier id", email, i)
			}
			seen[id], last = true, id
		}
	}
}
