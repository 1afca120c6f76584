package signin_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins/signin"
	"vinculo/testkit"
)

// OWASP ASVS V2.2.1: a hundred failed sign-ins for one account from a
// hundred addresses, none of them limited, and the account is refused, the
// right password too, from any address, while the others sign in; the count
// survives a restart and lapses as the hour slides.
func TestHundredFailuresLockTheAccountFromEveryAddress(t *testing.T) {
	w := newWorld(t, true, signin.Options{})
	base := w.Srv.URL
	for i := 0; i < signin.AccountLimit; i++ {
		res := password(t, base, addr(10+i), crm.Staff, "agent@staff.test", fmt.Sprintf("guess-%d", i))
		expect(t, fmt.Sprintf("guess %d", i+1), res, http.StatusBadRequest, "Failed to authenticate.")
	}
	fresh := addr(200)
	expect(t, "the right password after 100 failures", password(t, base, fresh, crm.Staff, "agent@staff.test", rightPassword),
		http.StatusTooManyRequests, signin.AccountLockedMessage)
	expect(t, "another account", password(t, base, fresh, crm.Staff, "agent2@staff.test", rightPassword), http.StatusOK, "")
	if n, err := signin.Failures(w.App, crm.Staff, "agent@staff.test", w.Clock.Now().Add(-time.Hour)); err != nil || n != signin.AccountLimit {
		t.Fatalf("%d failures counted (%v), want %d: a refused attempt is not counted", n, err, signin.AccountLimit)
	}

	srv := restart(t, w)
	expect(t, "after a restart", password(t, srv.URL, fresh, crm.Staff, "AGENT@staff.test", rightPassword),
		http.StatusTooManyRequests, signin.AccountLockedMessage)

	w.Clock.Add(59 * time.Minute)
	expect(t, "59 minutes later", password(t, srv.URL, fresh, crm.Staff, "agent@staff.test", rightPassword),
		http.StatusTooManyRequests, signin.AccountLockedMessage)
	w.Clock.Add(2 * time.Minute)
	expect(t, "an hour later", password(t, srv.URL, fresh, crm.Staff, "agent@staff.test", rightPassword), http.StatusOK, "")
}

// Codes and passwords count for the same account, and an email with no
// account is counted and refused exactly as a real one.
func TestCodesAndPasswordsShareTheAccountsCount(t *testing.T) {
	w := newWorld(t, false, signin.Options{AccountLimit: 3})
	base := w.Srv.URL
	realCode := requestCode(t, base, addr(1), knownEmail)
	unknownCode := requestCode(t, base, addr(1), unknownEmail)

	// two wrong codes and a wrong password, each from its own address
	for i, kind := range []string{"code", "code", "password"} {
		var r, u testkit.Response
		if kind == "code" {
			r = code(t, base, addr(2+i), realCode, wrongCode)
			u = code(t, base, addr(2+i), unknownCode, wrongCode)
		} else {
			r = password(t, base, addr(2+i), crm.Customers, knownEmail, "not-it")
			u = password(t, base, addr(2+i), crm.Customers, unknownEmail, "not-it")
		}
		same(t, fmt.Sprintf("failure %d (%s)", i+1, kind), r, u)
		expect(t, fmt.Sprintf("failure %d (%s)", i+1, kind), r, http.StatusBadRequest, "")
	}

	r := password(t, base, addr(9), crm.Customers, knownEmail, rightPassword)
	u := password(t, base, addr(9), crm.Customers, unknownEmail, rightPassword)
	same(t, "the right password after three failures", r, u)
	expect(t, "the right password after three failures", r, http.StatusTooManyRequests, signin.AccountLockedMessage)
	r = code(t, base, addr(9), realCode, wrongCode)
	u = code(t, base, addr(9), unknownCode, wrongCode)
	same(t, "a code after three failures", r, u)
	expect(t, "a code after three failures", r, http.StatusTooManyRequests, signin.AccountLockedMessage)

	expect(t, "another customer", password(t, base, addr(9), crm.Customers, "bruno@a.test", rightPassword), http.StatusOK, "")

	if err := signin.Clear(w.App, crm.Customers, "Ana@A.test"); err != nil {
		t.Fatal(err)
	}
	expect(t, "once cleared", password(t, base, addr(9), crm.Customers, knownEmail, rightPassword), http.StatusOK, "")
}

// With the rate limiter on, an address is held back by its failures, not by
// its successes: an office signing in many times from one address goes on;
// ten failures from an address stop it (the right password too) for ten
// minutes, and not the others.
func TestAnAddressIsLimitedByItsFailures(t *testing.T) {
	w := newWorld(t, true, signin.Options{})
	base, office := w.Srv.URL, addr(50)
	for i := 1; i <= 15; i++ {
		expect(t, fmt.Sprintf("sign-in %d from one address", i),
			password(t, base, office, crm.Staff, "manager@staff.test", rightPassword), http.StatusOK, "")
	}
	for i := 1; i <= signin.AddressLimit; i++ {
		expect(t, fmt.Sprintf("failure %d", i),
			password(t, base, office, crm.Staff, fmt.Sprintf("someone%d@staff.test", i), "guess"), http.StatusBadRequest, "")
	}
	expect(t, "the right password from that address", password(t, base, office, crm.Staff, "manager@staff.test", rightPassword),
		http.StatusTooManyRequests, signin.AddressLimitedMessage)
	expect(t, "from another address", password(t, base, addr(51), crm.Staff, "manager@staff.test", rightPassword), http.StatusOK, "")
	w.Clock.Add(signin.AddressWindow + time.Second)
	expect(t, "ten minutes later", password(t, base, office, crm.Staff, "manager@staff.test", rightPassword), http.StatusOK, "")
}
