package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's configuration table stays true: every key, its flag and its
// environment variable are there.
func TestReadmeListsEveryConfigKey(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, s := range settings {
		for _, want := range []string{"`" + s.key + "`", "`" + s.envName() + "`", "--" + s.flag} {
			if !strings.Contains(readme, want) {
				t.Errorf("README.md does not mention %s (key %s)", want, s.key)
			}
		}
	}
}

// docs/architecture.md is the map a newcomer reads: every path it names
// (`plugins/outbox/deliver.go`, `crm/guard/`, a file of a named folder)
// exists.
func TestArchitectureNamesOnlyPathsThatExist(t *testing.T) {
	raw, err := os.ReadFile("docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	var checked int
	check := func(path string) {
		if _, err := os.Stat(path); err != nil {
			t.Errorf("docs/architecture.md names %s, which does not exist", path)
		}
		checked++
	}
	// `dir/` or `dir/file.ext` in backticks, and the first word of each line
	// of the map at the top (in the code block).
	for _, quoted := range pathInBackticks.FindAllStringSubmatch(doc, -1) {
		check(quoted[1])
	}
	start := strings.Index(doc, "```\n")
	end := strings.Index(doc[start+4:], "```")
	for _, line := range strings.Split(doc[start+4:start+4+end], "\n") {
		if f := strings.Fields(line); len(f) > 0 && !strings.HasPrefix(line, " ") && !strings.Contains(f[0], "<") {
			check(f[0])
		}
	}
	if checked < 20 {
		t.Errorf("only %d paths found in docs/architecture.md: the check reads it wrong", checked)
	}
}

// A path in backticks: folders and files of the repository, no placeholders.
var pathInBackticks = regexp.MustCompile("`((?:crm|pb_migrations|plugins|hooks|ui|testkit|access|crash|docs|bench)/[A-Za-z0-9_./-]*)`")
