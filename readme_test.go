package main

import (
	"os"
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
