// Package ui holds the web pages served by the binary. Until the staff
// workspace and the portal are built with Vite into ui/dist, the placeholder
// pages say what is there and how to build the rest.
package ui

import "embed"

//go:embed placeholder
var Placeholder embed.FS
