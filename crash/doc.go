// Package crash holds the crash-safety tests of the real binary: they build
// vinculo, run `vinculo serve` on a loopback port over a fresh data dir,
// kill it with SIGKILL while clients write, an import runs or the outbox
// delivers, start it again and check what stayed: every acknowledged write
// with its timeline entry and search row, imports whole or in whole
// batches, every message sent (duplicates counted), and SQLite's
// integrity_check.
//
// Each test runs once; VINCULO_CRASH_RUNS=N runs each N times. Every run
// logs one line starting with "crash-" with its figures
// (go test -v -run . ./crash/ | grep crash-).
package crash
