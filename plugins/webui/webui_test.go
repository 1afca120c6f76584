package webui_test

import (
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/plugins/webui"
	"vinculo/testkit"
	"vinculo/ui"
)

// The pages answer at / and /portal/ without hiding the API. (The dashboard at
// /_/ is added by `serve` itself; the command-line test checks it.)
func TestPagesBesideTheAPI(t *testing.T) {
	app := testkit.NewApp(t)
	if err := webui.Register(app, testkit.Config(t)); err != nil {
		t.Fatal(err)
	}
	srv := testkit.Serve(t, app)
	if res := srv.Do(t, http.MethodGet, "/", "", nil); res.Status != http.StatusOK || !strings.Contains(string(res.Body), "Vinculo") {
		t.Errorf("GET /: %d %.80s", res.Status, res.Body)
	}
	// The portal, built (its app) or not (its placeholder), answers every path under /portal/.
	for _, path := range []string{"/portal/", "/portal/requests/123"} {
		res := srv.Do(t, http.MethodGet, path, "", nil)
		if body := strings.ToLower(string(res.Body)); res.Status != http.StatusOK || !strings.Contains(body, "<html") || !strings.Contains(body, "portal") {
			t.Errorf("GET %s: %d %.80s", path, res.Status, res.Body)
		}
	}
	if res := srv.Do(t, http.MethodGet, "/api/health", "", nil); res.Status != http.StatusOK || !strings.Contains(string(res.Body), "healthy") {
		t.Errorf("GET /api/health: %d %s", res.Status, res.Body)
	}
	if res := srv.Do(t, http.MethodGet, "/api/collections/contacts/records", "", nil); strings.Contains(string(res.Body), "<html") {
		t.Errorf("the API answered with a page: %d", res.Status)
	}
	if res := srv.Do(t, http.MethodGet, "/api/no/such/route", "", nil); res.Status != http.StatusNotFound || strings.Contains(string(res.Body), "<html") {
		t.Errorf("an unknown API path answered %d with %.60s, want a 404 error", res.Status, res.Body)
	}
}

// A built workspace: files of the build as they are, hashed assets cached for
// good, any other path the app (so /contacts/abc opens in the app), a missing
// asset a 404, hidden files private, the portal still its placeholder.
func TestBuiltWorkspaceIsASinglePageApp(t *testing.T) {
	site := fstest.MapFS{
		"index.html":           {Data: []byte("<!doctype html><title>Vinculo workspace</title>")},
		"assets/index-abc1.js": {Data: []byte("console.log('app')")},
		"favicon.svg":          {Data: []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")},
		".gitkeep":             {Data: nil},
	}
	get := serveSite(t, site)
	for _, path := range []string{"/", "/contacts", "/contacts/ct0000000000001", "/deals/board?x=1", "/.gitkeep", "/index.html/x"} {
		res, body := get(path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Vinculo workspace") {
			t.Errorf("GET %s: %d %.80s, want the app", path, res.StatusCode, body)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", path, cc)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
	}
	res, body := get("/assets/index-abc1.js")
	if res.StatusCode != http.StatusOK || body != "console.log('app')" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET an asset: %d %q %q", res.StatusCode, res.Header.Get("Cache-Control"), body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("GET an asset: Content-Type %q", ct)
	}
	if res, body := get("/favicon.svg"); res.StatusCode != http.StatusOK || !strings.Contains(body, "<svg") || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("GET /favicon.svg: %d %q %.40s", res.StatusCode, res.Header.Get("Cache-Control"), body)
	}
	if res, body := get("/assets/index-old.js"); res.StatusCode != http.StatusNotFound || strings.Contains(body, "<title>") {
		t.Errorf("GET a missing asset: %d %.60s, want 404", res.StatusCode, body)
	}
	for _, path := range []string{"/portal", "/portal/", "/portal/requests/123"} {
		if res, body := get(path); res.StatusCode != http.StatusOK || !strings.Contains(body, "customer portal") {
			t.Errorf("GET %s: %d %.80s, want the portal's placeholder", path, res.StatusCode, body)
		}
	}
	if res, body := get("/api/no/such/route"); res.StatusCode != http.StatusNotFound || strings.Contains(body, "<title>") {
		t.Errorf("GET an unknown API path: %d %.60s", res.StatusCode, body)
	}
}

// Without a build (a fresh clone built with Go alone) every page path is a
// placeholder (the workspace's, or the portal's under /portal/), which says
// how to build the pages.
func TestPlaceholderSaysHowToBuild(t *testing.T) {
	get := serve(t, webui.Handler(ui.Placeholder(), false, ui.Placeholder()))
	for _, path := range []string{"/", "/contacts/abc", "/portal/"} {
		res, body := get(path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "make ui") {
			t.Errorf("GET %s: %d %.80s, want the placeholder with how to build", path, res.StatusCode, body)
		}
	}
	if res, body := get("/portal/requests/abc"); !strings.Contains(body, "customer portal") {
		t.Errorf("GET /portal/requests/abc: %d %.120s, want the portal's placeholder", res.StatusCode, body)
	}
}

// A built portal: every path under /portal/ is the portal app (so
// /portal/requests/abc opens in it) under the workspace's policy, its own
// files (manifest, service worker) are served as they are, and /portal.html
// itself is not a second door to it.
func TestBuiltPortalIsASinglePageApp(t *testing.T) {
	site := fstest.MapFS{
		"index.html":                  {Data: []byte("<!doctype html><title>Vinculo workspace</title>")},
		"portal.html":                 {Data: []byte("<!doctype html><title>Vinculo portal app</title>")},
		"assets/portal-abc1.js":       {Data: []byte("console.log('portal')")},
		"portal/sw.js":                {Data: []byte("self.addEventListener('fetch', () => {})")},
		"portal/manifest.webmanifest": {Data: []byte(`{"name":"portal","scope":"/portal/"}`)},
	}
	get := serveSite(t, site)
	for _, path := range []string{"/portal", "/portal/", "/portal/requests/abc", "/portal/track?ref=SUP-0001", "/portal/new-request", "/portal/no-such.js"} {
		res, body := get(path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Vinculo portal app") {
			t.Errorf("GET %s: %d %.80s, want the portal app", path, res.StatusCode, body)
			continue
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", path, cc)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", path, csp)
		}
		if res.Header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s: X-Frame-Options %q", path, res.Header.Get("X-Frame-Options"))
		}
	}
	res, body := get("/portal/sw.js")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "addEventListener") || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("GET /portal/sw.js: %d %q %.60s", res.StatusCode, res.Header.Get("Cache-Control"), body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("GET /portal/sw.js: Content-Type %q", ct)
	}
	if res, body := get("/portal/manifest.webmanifest"); res.StatusCode != http.StatusOK || !strings.Contains(body, `"scope":"/portal/"`) ||
		!strings.Contains(res.Header.Get("Content-Type"), "manifest+json") {
		t.Errorf("GET the manifest: %d %q %.60s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if res, body := get("/assets/portal-abc1.js"); res.StatusCode != http.StatusOK || body != "console.log('portal')" {
		t.Errorf("GET the portal's asset: %d %.60s", res.StatusCode, body)
	}
	// The workspace stays the workspace, and /portal.html is not served raw.
	for _, path := range []string{"/", "/contacts/abc", "/portal.html"} {
		if res, body := get(path); res.StatusCode != http.StatusOK || !strings.Contains(body, "Vinculo workspace") {
			t.Errorf("GET %s: %d %.80s, want the workspace", path, res.StatusCode, body)
		}
	}
}

// The portal's committed PWA sources: a manifest scoped to /portal/ with
// installable icons, and a worker that keeps only the portal's shell and
// leaves the API and the dashboard to the network.
func TestPortalPWASources(t *testing.T) {
	manifest, err := os.ReadFile("../../ui/public/portal/manifest.webmanifest")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"scope": "/portal/"`, `"start_url": "/portal/"`, `"display": "standalone"`, `"512x512"`, `"image/png"`} {
		if !strings.Contains(string(manifest), want) {
			t.Errorf("portal/manifest.webmanifest lacks %s", want)
		}
	}
	sw, err := os.ReadFile("../../ui/public/portal/sw.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`url.pathname.startsWith('/api/')`, `url.pathname.startsWith('/_/')`, `req.method !== 'GET'`} {
		if !strings.Contains(string(sw), want) {
			t.Errorf("portal/sw.js must keep off the API and writes: lacks %s", want)
		}
	}
	page, err := os.ReadFile("../../ui/portal.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `href="/portal/manifest.webmanifest"`) {
		t.Error("portal.html does not link its manifest")
	}
}

// serveSite serves site as a build, with the placeholder for a portal it
// lacks, and returns a GET of the whole answer.
func serveSite(t *testing.T, site fs.FS) func(path string) (*http.Response, string) {
	return serve(t, webui.Handler(site, true, ui.Placeholder()))
}

// serve serves the pages with handler on every path and returns a GET of
// the whole answer.
func serve(t *testing.T, handler func(*core.RequestEvent) error) func(path string) (*http.Response, string) {
	app := testkit.NewApp(t)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/{path...}", handler)
		return se.Next()
	})
	srv := testkit.Serve(t, app)
	return func(path string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}
}
