// Package hooks holds the JavaScript hooks Vinculo ships: the automations
// (*.pb.js), the code they share (lib.js) and the pages' templates (views/).
// They are embedded in the binary, so the automations run wherever the
// binary runs; plugins/hooksapi loads them, and the files of the hooks
// folder on disk (hooks.dir) add to them or replace one by file name.
package hooks

import "embed"

// FS is the shipped hooks, lib.js and views/, at its root as in this folder.
//
//go:embed *.pb.js lib.js views
var FS embed.FS
