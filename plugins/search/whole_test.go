package search_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"vinculo/crm"
)

// A word written out is looked for whole first: when its whole-word matches
// fill the candidates, the words that only start with it (whose lists FTS5
// would have to merge) are not read, so a longer word that starts with it
// does not come before them. With room left, the prefixes come as always.
func TestWholeWordsFirst(t *testing.T) {
	w := newWorld(t)
	agent := w.R(crm.RoleAgent)
	var whole []string
	for i := range 6 {
		whole = append(whole, activity(t, w, agent, fmt.Sprintf("Conversa sobre o quiproquo do pedido %d", i), "").Id)
	}
	longer := activity(t, w, agent, "Quiproquos", "").Id // its name starts with the word: a better tier, were it read

	// limit 1 takes 4 candidates: the whole word has 6 matches.
	got := ids(find(t, w, "quiproquo", "limit", "1"))
	if len(got) != 1 || !slices.Contains(whole, got[0]) {
		t.Errorf("limit 1: %v, want one of the whole-word matches %v", got, whole)
	}
	// limit 100 takes 400: room for the prefix match, whose name ranks it first.
	got = ids(find(t, w, "quiproquo", "limit", "100"))
	if len(got) != 7 || got[0] != longer {
		t.Errorf("limit 100: %v, want all 7, %s first", got, longer)
	}
	// A word typed in part is a prefix, as always.
	if got := ids(find(t, w, "quiproq", "limit", "1")); !slices.Equal(got, []string{longer}) {
		t.Errorf("quiproq: %v, want %s", got, longer)
	}
	// Mentions of the whole word in long text come with their excerpt.
	note := activity(t, w, agent, "Visita", "Houve um quiproquo na entrega").Id
	hits := find(t, w, "quiproquo entrega")
	if len(hits) != 1 || hits[0].ID != note || !strings.Contains(hits[0].Snippet, "<mark>quiproquo</mark>") {
		t.Errorf("quiproquo entrega: %+v, want the note with its excerpt", hits)
	}
}
