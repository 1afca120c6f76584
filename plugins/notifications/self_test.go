package notifications_test

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"vinculo/testkit"
)

// A colleague who creates a contact they own themselves is told nothing,
// and the save does not even read their staff row for a name it would not
// use (a contact create through the API costs that read otherwise).
func TestOwnContactReadsNoColleagueName(t *testing.T) {
	w := newWorld(t)
	writer, ok := w.App.NonconcurrentDB().(*dbx.DB)
	if !ok {
		t.Fatal("the app's writer is not a *dbx.DB")
	}
	var mu sync.Mutex
	var stmts []string
	before := writer.QueryLogFunc
	writer.QueryLogFunc = func(_ context.Context, _ time.Duration, q string, _ *sql.Rows, _ error) {
		mu.Lock()
		defer mu.Unlock()
		stmts = append(stmts, q)
	}
	t.Cleanup(func() { writer.QueryLogFunc = before })

	create := func(owner string) []string {
		mu.Lock()
		stmts = nil
		mu.Unlock()
		testkit.Must(t, w.Do(t, http.MethodPost, "/api/collections/contacts/records", "agent", map[string]any{
			"name": "Nova Cliente " + owner, "owner": w.ID(owner)}), http.StatusOK, "a contact owned by "+owner)
		mu.Lock()
		defer mu.Unlock()
		var read []string
		for _, q := range stmts {
			if strings.Contains(q, "SELECT `staff`.*") {
				read = append(read, q)
			}
		}
		return read
	}
	if read := create("agent"); len(read) != 0 {
		t.Errorf("creating one's own contact read staff rows: %q", read)
	}
	if got := noticesOf(t, w, "agent", ""); len(got) != 0 {
		t.Errorf("the agent was told of their own contact: %+v", got)
	}
	// Given to a colleague: the colleague is told, by the agent's name.
	if read := create("agent2"); len(read) == 0 {
		t.Error("a contact given to a colleague read no staff row: the check above proves nothing")
	}
	got := noticesOf(t, w, "agent2", "")
	if len(got) != 1 || got[0].By != w.ID("agent") || got[0].Data["by_name"] != "Rafael Lima" {
		t.Errorf("agent2's notices: %+v", got)
	}
}
