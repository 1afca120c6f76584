package main

import "syscall"

// childProcAttr makes the kernel kill a child server if this program dies
// without cleaning up (kill -9 of the benchmark).
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
