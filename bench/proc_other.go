//go:build !linux

package main

import "syscall"

// childProcAttr: elsewhere children are stopped by cleanup only.
func childProcAttr() *syscall.SysProcAttr { return nil }
