//go:build !unix

package main

import "github.com/pocketbase/pocketbase/core"

// raiseOpenFileLimit: systems without RLIMIT_NOFILE have nothing to raise.
func raiseOpenFileLimit(core.App) {}
