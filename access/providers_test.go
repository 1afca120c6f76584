package access_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/hooksapi"
	"vinculo/plugins/outbox"
	"vinculo/testkit"
)

// Channels through providers: managers read the accounts (never their
// secrets) and save them through PUT /api/crm/channel-accounts/{channel};
// the record API writes them for superusers only. The provider message ids
// taken in are a table no API reaches. The route and the providers'
// webhooks come with the hooks (plugins/hooksapi, which main.go registers
// before plugins.All): TestProviderAccountRoute runs them on that app.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return providerSpecs(false) })
}

const accountSecret = "an-account-secret-0123"

// keepAccount labels the WhatsApp account, with its secrets, once.
func keepAccount(w *testkit.World) {
	if !w.Has("caWA") {
		w.Make(nil2(w), "caWA", crm.ChannelAccounts, map[string]any{crm.AccountChannel: crm.ChannelWhatsApp, crm.AccountActive: false,
			crm.AccountPhoneNumberID: "1065", crm.AccountAppSecret: accountSecret, crm.AccountAccessToken: accountSecret})
	}
}

// dropSMS removes the SMS account, so that a row can be made for it again
// (one account per channel).
func dropSMS(w *testkit.World) {
	if r, err := w.App.FindFirstRecordByData(crm.ChannelAccounts, crm.AccountChannel, crm.ChannelSMS); err == nil {
		if err := w.App.Delete(r); err != nil {
			panic(err)
		}
	}
}

func providerSpecs(withLabels bool) []spec {
	s := spec{
		collection: crm.ChannelAccounts,
		sees:       map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			dropSMS(w)
			return map[string]any{crm.AccountChannel: crm.ChannelSMS, crm.AccountNumber: "+551140000001"}
		},
		canCreate: superOnly,
		update: func(w *testkit.World, _ string) (string, map[string]any) {
			keepAccount(w)
			return "caWA", map[string]any{crm.AccountNumber: "+551140000009"}
		},
		canUpdate: superOnly,
		remove: func(w *testkit.World) map[string]any {
			dropSMS(w)
			return map[string]any{crm.AccountChannel: crm.ChannelSMS}
		},
		canDelete: superOnly,
	}
	if withLabels {
		s.labels, s.sees = []string{"caWA"}, map[string][]string{manager: {"caWA"}, superuser: {"caWA"}}
	}
	return []spec{s}
}

// TestProviderAccountReads: who lists, views and hears about the accounts;
// no secret in any answer, nor guessable by a filter; the provider message
// ids are no collection.
func TestProviderAccountReads(t *testing.T) {
	w := newWorld(t)
	keepAccount(w)
	for _, s := range providerSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
	for _, actor := range actors {
		for _, path := range []string{
			"/api/collections/" + crm.ChannelAccounts + "/records",
			"/api/collections/" + crm.ChannelAccounts + "/records/" + w.ID("caWA"),
			"/api/collections/" + crm.ChannelAccounts + "/records?filter=" + url.QueryEscape("app_secret ~ 'an-account'"),
		} {
			res := w.Do(t, http.MethodGet, path, actor, nil)
			if actor != superuser && bytes.Contains(res.Body, []byte(accountSecret)) {
				t.Errorf("%s reads a secret at %s: %s", actor, path, res.Body)
			}
			if actor == manager && bytes.Contains(res.Body, []byte(`"totalItems":1`)) && bytes.Contains([]byte(path), []byte("filter")) {
				t.Errorf("a manager finds the account by its secret: %s", res.Body)
			}
		}
		if res := w.Do(t, http.MethodGet, "/api/collections/"+crm.ProviderMessagesTable+"/records", actor, nil); res.Status != http.StatusNotFound {
			t.Errorf("%s lists the provider message ids: %d %s, want 404", actor, res.Status, res.Body)
		}
	}
}

// TestProviderAccountRoute: PUT /api/crm/channel-accounts/{channel} × the
// actors, on the app with its hooks; the webhooks of channels that are
// off answer 404 to anyone.
func TestProviderAccountRoute(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(func(app core.App, cfg *crm.Config) error {
		hooksapi.WithoutShipped(app)
		if err := hooksapi.Register(app, cfg); err != nil {
			return err
		}
		t.Cleanup(func() { _ = app.OnTerminate().Trigger(&core.TerminateEvent{App: app}) })
		return nil
	}, plugins.All), testkit.Then(func(w *testkit.World) error { return outbox.Configure(w.App, outbox.Options{Manual: true}) }))
	makeRecords(t, w)
	su := w.Make(t, "", core.CollectionNameSuperusers, map[string]any{"email": "root@staff.test"})
	for actor, label := range map[string]string{custA: "cuA", custB: "cuB", custC: "cuC", manager: "stM", agent: "stG", readonly: "stR"} {
		w.SetToken(actor, testkit.Token(t, w.R(label)))
	}
	w.SetToken(superuser, testkit.Token(t, su))
	w.SetToken(anon, "")
	w.Serve(t)
	for _, actor := range actors {
		res := w.Do(t, http.MethodPut, "/api/crm/channel-accounts/sms", actor, map[string]any{"active": false, "number": "+551140000001", "auth_token": accountSecret})
		want := http.StatusForbidden
		switch {
		case slices.Contains(managers, actor):
			want = http.StatusOK
		case actor == anon:
			want = http.StatusUnauthorized
		}
		if res.Status != want || bytes.Contains(res.Body, []byte(accountSecret)) {
			t.Errorf("%s PUT /api/crm/channel-accounts/sms: %d %s, want %d without the secret", actor, res.Status, res.Body, want)
		}
	}
	for _, path := range []string{"/api/crm/channels/whatsapp", "/api/crm/channels/sms"} {
		if res := w.Do(t, http.MethodPost, path, anon, map[string]any{}); res.Status != http.StatusNotFound {
			t.Errorf("POST %s while off: %d, want 404", path, res.Status)
		}
	}
}
