package signin_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/signin"
	"vinculo/testkit"
)

const rightPassword = "a-long-test-password" // testkit.Save's

// newWorld is the app as it ships, served, with the demo business, the
// failure counts on the test's clock and the options given.
func newWorld(t *testing.T, rateLimits bool, o signin.Options) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All),
		testkit.Configure(func(cfg *crm.Config) { cfg.RateLimits = rateLimits }),
		testkit.Then(func(w *testkit.World) error {
			o.Now = w.Clock.Now
			return signin.Configure(w.App, o)
		}),
		testkit.Served())
	w.Business(t)
	return w
}

// post sends a JSON POST to the server at base from the loopback address ip
// (any of 127.0.0.0/8), so that the server sees that client address.
func post(t *testing.T, base, ip, path string, body any) testkit.Response {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext, DisableKeepAlives: true}}
	req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, out := testkit.Send(t, client, req)
	return testkit.Response{Status: res.StatusCode, Body: out}
}

// addr is the n-th test client address: 127.0.0.(n+1).
func addr(n int) string { return fmt.Sprintf("127.0.0.%d", n+1) }

func password(t *testing.T, base, ip, collection, identity, pass string) testkit.Response {
	t.Helper()
	return post(t, base, ip, "/api/collections/"+collection+"/auth-with-password",
		map[string]any{"identity": identity, "password": pass})
}

func requestCode(t *testing.T, base, ip, email string) string {
	t.Helper()
	res := post(t, base, ip, "/api/collections/customers/request-otp", map[string]any{"email": email})
	var body struct {
		OTPId string `json:"otpId"`
	}
	res.JSON(t, &body)
	if res.Status != http.StatusOK || len(body.OTPId) != 15 {
		t.Fatalf("request-otp for %s: %d %s", email, res.Status, res.Body)
	}
	return body.OTPId
}

func code(t *testing.T, base, ip, otpID, pass string) testkit.Response {
	t.Helper()
	return post(t, base, ip, "/api/collections/customers/auth-with-otp", map[string]any{"otpId": otpID, "password": pass})
}

// same fails the test unless both answers have the same status and body.
func same(t *testing.T, what string, real, unknown testkit.Response) {
	t.Helper()
	if real.Status != unknown.Status || !bytes.Equal(real.Body, unknown.Body) {
		t.Fatalf("%s: a real account answers %d %s, an unknown email %d %s", what, real.Status, real.Body, unknown.Status, unknown.Body)
	}
}

func message(t *testing.T, res testkit.Response) string {
	t.Helper()
	var body struct {
		Message string `json:"message"`
	}
	res.JSON(t, &body)
	return body.Message
}

func expect(t *testing.T, what string, res testkit.Response, status int, msg string) {
	t.Helper()
	if res.Status != status || (msg != "" && message(t, res) != msg) {
		t.Fatalf("%s: %d %s, want %d %q", what, res.Status, res.Body, status, msg)
	}
}

// restart ends app as PocketBase ends it and starts the app as it ships on
// the same data dir, served; the failure counts stay on the test's clock.
func restart(t *testing.T, w *testkit.World) *testkit.Server {
	t.Helper()
	second := w.Reopen(t, w.Stop(t), plugins.All, func(app core.App, _ *crm.Config) error {
		return signin.Configure(app, signin.Options{Now: w.Clock.Now})
	})
	return testkit.Serve(t, second)
}
