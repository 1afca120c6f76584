package replication_test

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vinculo/crm"
)

// Writes go on while Litestream checkpoints and writes its own rows: with
// the replica on, clients creating contacts at once for several checkpoints
// get every create saved. (A transaction begun DEFERRED read first and was
// refused with "database is locked (517)" whenever Litestream had written
// in between: see crm/sqlitedb.)
func TestWritesWhileReplicating(t *testing.T) {
	if testing.Short() {
		t.Skip("writes for several seconds")
	}
	w := replicated(t, crm.Replication{URL: "file://" + t.TempDir() + "/replica", SyncSeconds: 1}).Business(t)
	const clients, perClient = 8, 150
	deadline := time.Now().Add(20 * time.Second) // a bound, not a measure: the loop usually ends first
	var created, refused atomic.Int64
	var mu sync.Mutex
	var firstRefusal string
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := 0; i < perClient && time.Now().Before(deadline); i++ {
				res := w.Do(t, http.MethodPost, "/api/collections/contacts/records", "agent", map[string]any{
					"name": fmt.Sprintf("Cliente %d-%d", c, i), "email": fmt.Sprintf("c%d-%d@writes.test", c, i),
					"owner": w.ID("agent"), "stage": "lead", "source": "web", "tags": []string{"replica"},
				})
				if res.Status == http.StatusOK {
					created.Add(1)
					continue
				}
				refused.Add(1)
				mu.Lock()
				if firstRefusal == "" {
					firstRefusal = fmt.Sprintf("%d %s", res.Status, res.Body)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.Logf("%d contacts created by %d clients while replicating, %d refused", created.Load(), clients, refused.Load())
	if refused.Load() > 0 {
		t.Errorf("%d creates refused while replicating, the first: %s", refused.Load(), firstRefusal)
	}
	if created.Load() < clients*20 {
		t.Errorf("only %d creates ran: the test did not write long enough to meet a checkpoint", created.Load())
	}
	if n := w.Count(t, crm.Contacts, "email LIKE '%@writes.test'"); int64(n) != created.Load() {
		t.Errorf("%d contacts stored, %d acknowledged", n, created.Load())
	}
}
