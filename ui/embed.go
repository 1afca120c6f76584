// Package ui holds the web pages served by the binary: the staff workspace,
// a Svelte app that `make ui` (npm ci && npm run build in ui/) builds into
// ui/dist, and the placeholder pages shown until it is built.
//
// A fresh clone builds with Go alone: ui/dist keeps a committed, empty
// .gitkeep (the build writes it back after emptying the folder), so the
// embed pattern always matches, and Workspace falls back to the placeholder
// when dist holds no index.html.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

//go:embed placeholder
var placeholder embed.FS

// Workspace is the built staff workspace and true, or the placeholder pages
// and false when ui/dist holds no build.
func Workspace() (fs.FS, bool) {
	if built, err := fs.Sub(dist, "dist"); err == nil {
		if _, err := fs.Stat(built, "index.html"); err == nil {
			return built, true
		}
	}
	return Placeholder(), false
}

// Placeholder is the folder of placeholder pages: index.html (how to build
// the workspace) and portal.html (the customer portal, not built yet).
func Placeholder() fs.FS {
	sub, err := fs.Sub(placeholder, "placeholder")
	if err != nil {
		panic(err) // a fixed, embedded path
	}
	return sub
}
