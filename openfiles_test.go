//go:build unix

package main

import (
	"syscall"
	"testing"
)

// The server takes the hard open-file limit as its own, from any lower soft
// limit the shell gave it.
func TestRaiseOpenFilesLiftsTheSoftLimit(t *testing.T) {
	var before syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &before); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &before) })
	low := syscall.Rlimit{Cur: min(before.Max, 256), Max: before.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	soft, hard, err := raiseOpenFiles()
	if err != nil {
		t.Fatal(err)
	}
	var now syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now); err != nil {
		t.Fatal(err)
	}
	if soft != uint64(before.Max) || hard != uint64(before.Max) || uint64(now.Cur) != uint64(before.Max) {
		t.Errorf("after raising: reported %d/%d, in force %d/%d; want the hard limit %d", soft, hard, now.Cur, now.Max, before.Max)
	}
}
