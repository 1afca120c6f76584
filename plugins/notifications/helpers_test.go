package notifications_test

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/notifications"
	"vinculo/testkit"
)

// newWorld is the app as it ships, served, with the demo business, the
// notifications on the test's clock and run only when the test says.
func newWorld(t *testing.T, opts ...testkit.Option) *testkit.World {
	t.Helper()
	opts = append([]testkit.Option{
		testkit.Plugins(plugins.All),
		testkit.Then(func(w *testkit.World) error {
			return notifications.Configure(w.App, notifications.Options{Now: w.Clock.Now, Manual: true})
		}),
		testkit.Served(),
	}, opts...)
	w := testkit.NewWorld(t, opts...)
	w.Business(t)
	return w
}

// notice is one notification as a test reads it.
type notice struct {
	To, By, Event, Collection, Record, Mail string
	Data                                    map[string]any
}

// noticesOf lists the notifications of the staff member labelled who (of
// event, or every event when ""), oldest first.
func noticesOf(t *testing.T, w *testkit.World, who, event string) []notice {
	t.Helper()
	q := w.App.RecordQuery(crm.Notifications).Where(dbx.HashExp{crm.NotifTo: w.ID(who)}).OrderBy("created", "rowid")
	if event != "" {
		q.AndWhere(dbx.HashExp{crm.NotifEvent: event})
	}
	var recs []*core.Record
	if err := q.All(&recs); err != nil {
		t.Fatal(err)
	}
	out := make([]notice, 0, len(recs))
	for _, r := range recs {
		n := notice{To: r.GetString(crm.NotifTo), By: r.GetString(crm.NotifBy), Event: r.GetString(crm.NotifEvent),
			Collection: r.GetString(crm.NotifCollection), Record: r.GetString(crm.NotifRecord), Mail: r.GetString(crm.NotifMail)}
		_ = r.UnmarshalJSONField(crm.NotifData, &n.Data)
		out = append(out, n)
	}
	return out
}

// makeAt saves a record created at the given time, as history would be.
func makeAt(t *testing.T, w *testkit.World, label, collection string, at time.Time, fields map[string]any) *core.Record {
	t.Helper()
	c, err := w.App.FindCollectionByNameOrId(collection)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(c)
	r.Load(fields)
	created, _ := types.ParseDateTime(at)
	r.SetRaw("created", created)
	if err := w.App.Save(r); err != nil {
		t.Fatal(err)
	}
	w.Keep(label, r)
	return r
}

// check runs the schedules at the clock's time.
func check(t *testing.T, w *testkit.World) {
	t.Helper()
	if err := notifications.Check(w.App, w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
}
