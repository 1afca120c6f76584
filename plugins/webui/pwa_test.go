package webui_test

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"vinculo/ui"
)

// The workspace installs as an app: its manifest and service worker are served
// as files (never the app's HTML), checked on every load so a new build takes
// over at once, with the types browsers require.
func TestWorkspacePWAFiles(t *testing.T) {
	site := fstest.MapFS{
		"index.html":           {Data: []byte(`<!doctype html><title>Vinculo workspace</title><link rel="manifest" href="/manifest.webmanifest">`)},
		"sw.js":                {Data: []byte("self.addEventListener('fetch', () => {})")},
		"manifest.webmanifest": {Data: []byte(`{"name":"Vinculo","start_url":"/","display":"standalone"}`)},
		"icon-192.png":         {Data: []byte("\x89PNG\r\n\x1a\n")},
		"assets/index-abc1.js": {Data: []byte("console.log('app')")},
	}
	get := serveSite(t, site)

	for _, tc := range []struct{ path, body, contentType string }{
		{"/sw.js", "addEventListener", "javascript"},
		{"/manifest.webmanifest", `"display":"standalone"`, "application/manifest+json"},
		{"/icon-192.png", "PNG", "image/png"},
	} {
		res, body := get(tc.path)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, tc.body) {
			t.Errorf("GET %s: %d %.60q", tc.path, res.StatusCode, body)
			continue
		}
		if ct := res.Header.Get("Content-Type"); !strings.Contains(ct, tc.contentType) {
			t.Errorf("GET %s: Content-Type %q, want %s", tc.path, ct, tc.contentType)
		}
		// Not cached for good: a new binary's worker and manifest are picked up at once.
		if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", tc.path, cc)
		}
	}
	// The worker's hashed files are cached for good; the page links the manifest.
	if res, _ := get("/assets/index-abc1.js"); !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET an asset: Cache-Control %q", res.Header.Get("Cache-Control"))
	}
	if _, body := get("/"); !strings.Contains(body, `rel="manifest"`) {
		t.Errorf("GET /: %.80s", body)
	}
}

// The committed source files of the PWA: a manifest with what an install
// needs, and a worker that never caches the API.
func TestWorkspacePWASources(t *testing.T) {
	manifest, err := os.ReadFile("../../ui/public/manifest.webmanifest")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"start_url": "/"`, `"display": "standalone"`, `"theme_color"`, `"image/png"`, `"image/svg+xml"`} {
		if !strings.Contains(string(manifest), want) {
			t.Errorf("manifest.webmanifest lacks %s", want)
		}
	}
	sw, err := os.ReadFile("../../ui/public/sw.js")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sw), `/^\/(api|_|portal)(\/|$)/`) {
		t.Error("sw.js must leave /api/, the dashboard and the portal to the network")
	}
}

// The bar of issue 5: the built UI (workspace and portal, everything under
// ui/dist) adds at most 1 MB, gzip, to the binary. A build made with Go
// alone embeds no UI and has nothing to weigh.
func TestBuiltUIUnderOneMegabyteGzip(t *testing.T) {
	site, built := ui.Workspace()
	if !built {
		if os.Getenv("VINCULO_UI_BUILT") != "" {
			t.Fatal("ui/dist holds no build, but make test built it first: the embed is broken")
		}
		t.Skip("ui/dist holds no build (run make ui; make test builds it first)")
	}
	var total, raw int
	err := fs.WalkDir(site, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(site, name)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		w.Write(b)
		w.Close()
		raw += len(b)
		total += buf.Len()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built UI: %d bytes, %d gzip", raw, total)
	if total > 1_000_000 {
		t.Errorf("the built UI is %d bytes gzip, over the 1 MB bar", total)
	}
}
