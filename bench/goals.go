package main

import (
	"fmt"
	"os"
	"sync"
	"text/tabwriter"
)

// A goal is one bar an issue set, as this run measured it: the figure, the
// baseline it is held against (measured in the same run, or the fixed bound
// the issue names) and whether it is met. Every part that measures a goal
// records it; the run ends with the table of all of them, so one run's
// figures can be quoted whole.
type goal struct {
	part     string // the part that measured it: "3b", "9", ...
	name     string // what the issue asks, short: "search p50 ≤ 20 ms (c=1), full name"
	figure   string // what this run measured
	baseline string // beside what: a figure of the same run, or the bound
	met      bool
}

var (
	goalsMu sync.Mutex
	goals   []goal
)

// recordGoal notes one goal's figure for the closing table.
func recordGoal(part, name, figure, baseline string, met bool) {
	goalsMu.Lock()
	defer goalsMu.Unlock()
	goals = append(goals, goal{part: part, name: name, figure: figure, baseline: baseline, met: met})
}

// printGoals prints every goal recorded in this run, met or not.
func printGoals() {
	goalsMu.Lock()
	defer goalsMu.Unlock()
	if len(goals) == 0 {
		return
	}
	fmt.Printf("\nGoals measured in this run (figure beside its baseline from the same run, or the bound the issue names):\n\n")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "part\tgoal\tfigure\tbaseline\tmet\t")
	met := 0
	for _, g := range goals {
		verdict := "NOT MET"
		if g.met {
			verdict, met = "met", met+1
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t\n", g.part, g.name, g.figure, g.baseline, verdict)
	}
	w.Flush()
	fmt.Printf("\n%d of %d goals met. Load average now: %s\n", met, len(goals), loadAverage())
}
