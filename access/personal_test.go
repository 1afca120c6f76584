package access_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"vinculo/crm"
	"vinculo/testkit"
)

// Active personalisation (plugins/portal/personal*.go): the news topics are
// the business's (managers write, staff read, customers read the active
// ones); a customer's choices are written by nobody through the record API
// but superusers — the customer writes their own through the portal's route,
// which knows whose they are from the session alone — and read by staff and
// by the customer they belong to.
func init() {
	moreSpecFiles = append(moreSpecFiles, func() []spec { return personalSpecs(false) })
	moreRoutes = append(moreRoutes,
		route{http.MethodGet, "/api/crm/portal/personal", nil, customers3, http.StatusOK},
		route{http.MethodPatch, "/api/crm/portal/personal", map[string]any{"messages": map[string]any{"nope": map[string]any{"on": false}}}, customers3, http.StatusBadRequest},
	)
}

func personalSpecs(withLabels bool) []spec {
	topics := spec{
		collection: crm.NewsTopics, sees: map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			return map[string]any{crm.TopicName: fmt.Sprintf("Topic %d", w.Unique()), crm.TopicActive: true}
		},
		canCreate: managers,
		update: func(w *testkit.World, actor string) (string, map[string]any) {
			keepPersonal(w)
			return "ntOn", map[string]any{crm.TopicDescription: "changed by " + actor}
		},
		canUpdate: managers,
		remove: func(w *testkit.World) map[string]any {
			return map[string]any{crm.TopicName: fmt.Sprintf("Gone %d", w.Unique())}
		},
		canDelete: managers,
	}
	choices := spec{
		collection: crm.PersonalChoices, sees: map[string][]string{},
		create: func(w *testkit.World, _ string) map[string]any {
			return map[string]any{crm.PcContact: freshContact(w), crm.PcMessages: map[string]any{crm.KindOrders: map[string]any{"on": false}}}
		},
		canCreate: superOnly,
		update: func(w *testkit.World, actor string) (string, map[string]any) {
			keepPersonal(w)
			return "pcA", map[string]any{crm.PcMessages: map[string]any{crm.KindRequests: map[string]any{"on": w.Unique()%2 == 0}}}
		},
		canUpdate: superOnly,
		remove:    func(w *testkit.World) map[string]any { return map[string]any{crm.PcContact: freshContact(w)} },
		canDelete: superOnly,
	}
	if withLabels {
		topics.labels = []string{"ntOn", "ntOff"}
		topics.sees = with(with(with(staffOnly("ntOn", "ntOff"), custA, "ntOn"), custB, "ntOn"), custC, "ntOn")
		choices.labels = []string{"pcA", "pcB", "pcC"}
		choices.sees = with(with(with(staffOnly("pcA", "pcB", "pcC"), custA, "pcA"), custB, "pcB"), custC, "pcC")
	}
	return []spec{topics, choices}
}

func freshContact(w *testkit.World) string {
	return w.Make(nil2(w), "", crm.Contacts, map[string]any{"name": fmt.Sprintf("Chooser %d", w.Unique())}).Id
}

// keepPersonal: an active and an inactive topic, and the choices of A, B and C.
func keepPersonal(w *testkit.World) {
	if w.Has("ntOn") {
		return
	}
	w.Make(nil2(w), "ntOn", crm.NewsTopics, map[string]any{crm.TopicName: "Offers", crm.TopicActive: true})
	w.Make(nil2(w), "ntOff", crm.NewsTopics, map[string]any{crm.TopicName: "Retired topic", crm.TopicActive: false})
	for label, contact := range map[string]string{"pcA": "ctA", "pcB": "ctB", "pcC": "ctC"} {
		w.Make(nil2(w), label, crm.PersonalChoices, map[string]any{crm.PcContact: w.ID(contact)})
	}
}

// TestPersonalReads: the list, view and realtime rows of both collections.
func TestPersonalReads(t *testing.T) {
	w := newWorld(t)
	keepPersonal(w)
	for _, s := range personalSpecs(true) {
		t.Run(s.collection, func(t *testing.T) {
			for _, actor := range actors {
				checkListAndView(t, w, s, actor)
			}
			checkRealtime(t, w, s)
		})
	}
}

// TestPersonalChoicesAreOwn: the portal's route writes the signed-in
// customer's own choices and nobody else's; a pin to another's order or
// invoice, an unknown kind, a channel the customer does not allow, a topic
// that is not active: each a 400 naming the field, nothing changed.
func TestPersonalChoicesAreOwn(t *testing.T) {
	w := newWorld(t)
	keepPersonal(w)
	paymentFixtures(w) // invA (A's), invC (C's)

	res := w.Do(t, http.MethodPatch, "/api/crm/portal/personal", custA, map[string]any{
		"messages": map[string]any{crm.KindOrders: map[string]any{"on": false}, crm.KindRequests: map[string]any{"on": true, "channel": "whatsapp"}},
		"pins":     []map[string]any{{"type": crm.PinInvoice, "id": w.ID("invA")}, {"type": crm.PinService, "id": w.ID("sbA")}},
	})
	if res.Status != http.StatusOK {
		t.Fatalf("A saves their choices: %d %s", res.Status, res.Body)
	}
	mine := w.Reload(t, w.R("pcA"))
	if !strings.Contains(mine.GetString(crm.PcMessages), `"whatsapp"`) || !strings.Contains(mine.GetString(crm.PcPins), w.ID("invA")) {
		t.Errorf("A's row: messages %s pins %s", mine.GetString(crm.PcMessages), mine.GetString(crm.PcPins))
	}
	for _, other := range []string{"pcB", "pcC"} {
		if r := w.Reload(t, w.R(other)); r.GetString(crm.PcMessages) != w.R(other).GetString(crm.PcMessages) || r.GetString(crm.PcPins) != w.R(other).GetString(crm.PcPins) {
			t.Errorf("%s changed by A's save", other)
		}
	}
	if n := w.Count(t, crm.PersonalChoices, "1=1"); n != 3 {
		t.Errorf("%d rows of choices, want 3 (A's save wrote a new one?)", n)
	}

	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"pins": []map[string]any{{"type": crm.PinInvoice, "id": w.ID("invC")}}}, "pins.0.id"},
		{map[string]any{"pins": []map[string]any{{"type": crm.PinService, "id": w.ID("sbA")}, {"type": crm.PinOrder, "id": w.ID("orC")}}}, "pins.1.id"},
		{map[string]any{"pins": []map[string]any{{"type": "deal", "id": w.ID("dlA")}}}, "pins.0.type"},
		{map[string]any{"pins": []map[string]any{{"type": crm.PinService, "id": w.ID("sbA")}, {"type": crm.PinService, "id": w.ID("sbA")}}}, "pins.1.id"},
		{map[string]any{"messages": map[string]any{"surveys": map[string]any{"on": false}}}, "messages.surveys"},
		{map[string]any{"messages": map[string]any{crm.KindOrders: map[string]any{"on": true, "channel": "letter"}}}, "messages.orders.channel"},
		{map[string]any{"news": map[string]any{w.ID("ntOff"): map[string]any{"on": false}}}, "news." + w.ID("ntOff")},
		{map[string]any{"news": map[string]any{w.ID("ntOn"): map[string]any{"on": true, "channel": "whatsapp"}}}, "news." + w.ID("ntOn") + ".channel"},
	}
	before := w.Reload(t, w.R("pcA"))
	for _, b := range bad {
		res := w.Do(t, http.MethodPatch, "/api/crm/portal/personal", custA, b.body)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+b.field+`"`) {
			t.Errorf("%v: %d %s; want 400 naming %s", b.body, res.Status, res.Body, b.field)
		}
	}
	after := w.Reload(t, w.R("pcA"))
	for _, f := range []string{crm.PcMessages, crm.PcNews, crm.PcPins} {
		if after.GetString(f) != before.GetString(f) {
			t.Errorf("a refused save changed %s: %s -> %s", f, before.GetString(f), after.GetString(f))
		}
	}

	// The home shows the pins in their order; C sees none of A's.
	var view struct {
		Home []struct{ Type, ID string } `json:"home"`
	}
	w.Do(t, http.MethodGet, "/api/crm/portal/personal", custA, nil).JSON(t, &view)
	if len(view.Home) != 2 || view.Home[0].ID != w.ID("invA") || view.Home[1].ID != w.ID("sbA") {
		t.Errorf("A's home: %+v", view.Home)
	}
	w.Do(t, http.MethodGet, "/api/crm/portal/personal", custC, nil).JSON(t, &view)
	for _, c := range view.Home {
		if c.ID == w.ID("invA") || c.ID == w.ID("sbA") {
			t.Errorf("C's home shows A's %s", c.Type)
		}
	}
}
