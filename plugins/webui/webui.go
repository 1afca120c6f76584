// Package webui serves the web pages embedded in the binary: the staff
// workspace at / and the customer portal at /portal/, beside PocketBase's
// dashboard at /_/ and the API at /api/.
//
// The workspace is a single-page app: a path that is not a file of the build
// (/contacts/abc) answers with index.html and the app's router takes over.
// Its hashed files under /assets/ are cached for good; index.html is checked
// every time, so a new binary's pages load at once. A binary built without
// the UI (a fresh clone built with Go alone) serves the placeholder page,
// which says how to build it.
package webui

import (
	"io/fs"
	"path"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
	"vinculo/ui"
)

// Register adds the page routes.
func Register(app core.App, cfg *crm.Config) error {
	site, built := ui.Workspace()
	pages := Handler(site, built, ui.Placeholder())
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Id: "vinculo.webui.routes", Func: func(se *core.ServeEvent) error {
		se.Router.GET("/{path...}", pages)
		return se.Next()
	}})
	return nil
}

// contentSecurityPolicy: the workspace loads only its own files and talks
// only to its own server (REST and realtime); no page may frame it.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// Handler serves site (the built workspace when built, else the placeholder
// pages): the portal app (site's portal.html) at /portal/ and every path
// under it, or placeholder's portal.html while the portal is not built.
func Handler(site fs.FS, built bool, placeholder fs.FS) func(*core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		p := e.Request.URL.Path
		// an unknown API path is an API error, not a page
		if strings.HasPrefix(p, "/api/") || p == "/api" {
			return e.NotFoundError("", nil)
		}
		h := e.Response.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")

		if !built {
			h.Set("Cache-Control", "no-cache")
			if p == "/portal" || strings.HasPrefix(p, "/portal/") {
				return e.FileFS(placeholder, "portal.html")
			}
			return e.FileFS(site, "index.html")
		}
		name := strings.TrimPrefix(path.Clean("/"+e.Request.PathValue("path")), "/")
		if p == "/portal" || strings.HasPrefix(p, "/portal/") {
			if !isPublicFile(site, "portal.html") {
				h.Set("Cache-Control", "no-cache")
				return e.FileFS(placeholder, "portal.html")
			}
			// The portal's own files (manifest, service worker, icons) as they
			// are; any other path under /portal/ is the portal app.
			if strings.HasPrefix(name, "portal/") && isPublicFile(site, name) {
				h.Set("Cache-Control", "no-cache")
				if name == "portal/sw.js" {
					h.Set("Service-Worker-Allowed", "/portal/")
				}
				return e.FileFS(site, name)
			}
			return servePage(e, site, "portal.html")
		}

		if name != "" && name != "index.html" && name != "portal.html" && isPublicFile(site, name) {
			if strings.HasPrefix(name, "assets/") {
				h.Set("Cache-Control", "public, max-age=31536000, immutable") // content-hashed names
			} else {
				h.Set("Cache-Control", "no-cache")
			}
			return e.FileFS(site, name)
		}
		// A missing build file is a 404, not the app: a stale hashed script
		// answered with HTML would fail in the browser in a confusing way.
		if strings.HasPrefix(name, "assets/") {
			return e.NotFoundError("", nil)
		}
		return servePage(e, site, "index.html")
	}
}

// servePage answers with one of the apps (the workspace's index.html or the
// portal's portal.html): checked every time, under the same policy.
func servePage(e *core.RequestEvent, site fs.FS, page string) error {
	h := e.Response.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	return e.FileFS(site, page)
}

// isPublicFile: a regular file of the build whose path has no hidden part
// (dist/.gitkeep stays private).
func isPublicFile(site fs.FS, name string) bool {
	for _, part := range strings.Split(name, "/") {
		if part == "" || strings.HasPrefix(part, ".") {
			return false
		}
	}
	fi, err := fs.Stat(site, name)
	return err == nil && fi.Mode().IsRegular()
}
