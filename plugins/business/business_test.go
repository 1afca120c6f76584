package business_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins"
	"vinculo/plugins/business"
	"vinculo/testkit"
)

// world: the app as it ships, for a business configured as open mon-fri
// 09:00-18:00 in São Paulo, with a request type of a 4-hour first response.
func world(t *testing.T) *testkit.World {
	t.Helper()
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All), testkit.Served(), testkit.Configure(func(cfg *crm.Config) {
		cfg.Business.Name = "Padaria Pão Dourado"
		cfg.Business.Color = "#aa3300"
		cfg.Business.Country = "BR"
		cfg.Business.Timezone = "America/Sao_Paulo"
		cfg.Business.Hours, _ = crm.ParseWeekHours("mon-fri 09:00-18:00")
		cfg.Business.Holidays = []string{"2026-12-25"}
	}))
	w.Business(t)
	w.Make(t, "tpQuick", crm.CaseTypes, map[string]any{"name": "Rápido", "code": "RAP", "category": "support", "active": true,
		"sla_first_response_hours": 4, "statuses": []map[string]any{{"key": "new", "label": "Novo", "public_label": "Recebido"}}})
	return w
}

func row(t *testing.T, w *testkit.World) string {
	t.Helper()
	r, err := business.Row(w.App)
	if err != nil {
		t.Fatal(err)
	}
	return r.Id
}

func save(t *testing.T, w *testkit.World, who string, body map[string]any) testkit.Response {
	t.Helper()
	return w.Do(t, http.MethodPatch, "/api/collections/"+crm.BusinessSettings+"/records/"+row(t, w), who, body)
}

// On first start the row holds the configuration file's values, and they are
// the business's live settings.
func TestSeededFromTheConfiguration(t *testing.T) {
	w := world(t)
	r, err := business.Row(w.App)
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{"name": "Padaria Pão Dourado", "color": "#aa3300", "country": "BR",
		"timezone": "America/Sao_Paulo", "hours": "mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; thu 09:00-18:00; fri 09:00-18:00",
		"holidays": `["2026-12-25"]`, "language": w.Cfg.Business.Language} {
		if got := r.GetString(field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	if n, _ := w.App.CountRecords(crm.BusinessSettings); n != 1 {
		t.Errorf("%d rows, want one", n)
	}
	if got := w.Cfg.BusinessNow().Name; got != "Padaria Pão Dourado" {
		t.Errorf("live name %q", got)
	}
	// A second start keeps the row as the managers left it.
	w.Update(t, r, map[string]any{"name": "Padaria Nova"})
	if err := business.Register(w.App, w.Cfg); err != nil {
		t.Fatal(err)
	}
	if n, _ := w.App.CountRecords(crm.BusinessSettings); n != 1 || w.Cfg.BusinessNow().Name != "Padaria Nova" {
		t.Errorf("after a restart: %d rows, name %q", n, w.Cfg.BusinessNow().Name)
	}
}

// A manager's save takes effect at once: the next request's SLA is counted
// in the new hours, the portal shows the new name and colour, mail goes out
// under the new name. No restart.
func TestASaveTakesEffectAtOnce(t *testing.T) {
	w := world(t)
	// Each request's first response is due 4 business hours after it is
	// created, counted in the hours of the moment: weekdays before the
	// save, weekends after it, so the two due times can never agree.
	dueOf := func() (created, due time.Time) {
		c := w.Make(t, "", crm.Cases, map[string]any{"type": w.ID("tpQuick"), "contact": w.ID("ctA"), "subject": "Forno"})
		return c.GetDateTime("created").Time(), c.GetDateTime("first_response_due").Time()
	}
	expect := func(hours string, created time.Time) time.Time {
		b := w.Cfg.Business
		b.Hours, _ = crm.ParseWeekHours(hours)
		due, _ := b.Calendar().Add(created, 4*time.Hour)
		return due
	}
	created, due := dueOf()
	if want := expect("mon-fri 09:00-18:00", created); !due.Equal(want) {
		t.Fatalf("before: due %v, want %v", due, want)
	}
	res := save(t, w, "manager", map[string]any{"name": "Padaria Fim de Semana", "color": "#116644", "hours": "sat-sun 09:00-18:00"})
	if res.Status != http.StatusOK {
		t.Fatalf("save: %d %s", res.Status, res.Body)
	}
	created, due = dueOf()
	if want := expect("sat-sun 09:00-18:00", created); !due.Equal(want) {
		t.Errorf("after: due %v, want %v (open on weekends only now)", due, want)
	}
	if d := due.In(testkit.SaoPaulo()).Weekday(); d != time.Saturday && d != time.Sunday {
		t.Errorf("after: due on a %v, a closed day now", d)
	}
	brand := w.Do(t, http.MethodGet, "/api/crm/portal/branding", "", nil)
	if !strings.Contains(string(brand.Body), `"name":"Padaria Fim de Semana"`) || !strings.Contains(string(brand.Body), `"color":"#116644"`) {
		t.Errorf("the portal's brand: %s", brand.Body)
	}
	if strings.Contains(string(brand.Body), "sat-sun") || strings.Contains(string(brand.Body), "holidays") {
		t.Errorf("the public brand tells more than name, logo and colour: %s", brand.Body)
	}
	if s := w.App.Settings(); s.Meta.AppName != "Padaria Fim de Semana" || s.Meta.SenderName != "Padaria Fim de Semana" {
		t.Errorf("PocketBase's names: %q, %q", s.Meta.AppName, s.Meta.SenderName)
	}
}

// Bad settings are refused with 400 naming the field; nothing changes.
func TestBadSettingsAreRefused(t *testing.T) {
	w := world(t)
	for _, c := range []struct {
		field string
		value any
	}{
		{"hours", "mon-fri 18:00-09:00"},
		{"hours", "every day"},
		{"timezone", "Mars/Olympus"},
		{"holidays", []string{"2026-02-30"}},
		{"color", "red"},
		{"country", "Brasil"},
		{"language", "fr"},
		{"name", ""},
		{"logo_url", "javascript:alert(1)"},
	} {
		t.Run(fmt.Sprint(c.field, "=", c.value), func(t *testing.T) {
			res := save(t, w, "manager", map[string]any{c.field: c.value})
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"`+c.field+`":{`) {
				t.Fatalf("%d, want 400 naming %s: %s", res.Status, c.field, res.Body)
			}
			if w.Cfg.BusinessNow().Name != "Padaria Pão Dourado" || w.Cfg.BusinessNow().Hours.String() != "mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; thu 09:00-18:00; fri 09:00-18:00" {
				t.Errorf("the live settings changed")
			}
		})
	}
}

// Only managers change the settings; nobody adds a second row or deletes it.
func TestOnlyManagersChangeThem(t *testing.T) {
	w := world(t)
	for _, who := range []string{"agent", "readonly", "cuA", ""} {
		if res := save(t, w, who, map[string]any{"name": "Outra"}); res.Status != http.StatusNotFound && res.Status != http.StatusForbidden {
			t.Errorf("%s changed the settings: %d %s", who, res.Status, res.Body)
		}
	}
	if res := w.Do(t, http.MethodPost, "/api/collections/"+crm.BusinessSettings+"/records", "manager", map[string]any{"name": "Dup"}); res.Status < 400 {
		t.Errorf("a second row: %d", res.Status)
	}
	if res := w.Do(t, http.MethodDelete, "/api/collections/"+crm.BusinessSettings+"/records/"+row(t, w), "manager", nil); res.Status < 400 {
		t.Errorf("deleted: %d", res.Status)
	}
	if w.Cfg.BusinessNow().Name != "Padaria Pão Dourado" {
		t.Errorf("changed: %q", w.Cfg.BusinessNow().Name)
	}
}

// Readers never see a half-written change while managers save: run with
// -race. Every value read is one of the saved versions, whole.
func TestConcurrentReaders(t *testing.T) {
	w := world(t)
	r, _ := business.Row(w.App)
	versions := map[string]string{"Padaria Pão Dourado": "mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; thu 09:00-18:00; fri 09:00-18:00"}
	for i := range 5 {
		versions[fmt.Sprint("Versão ", i)] = fmt.Sprintf("mon-fri 0%d:00-18:00", i+1)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				b := w.Cfg.BusinessNow()
				want, ok := versions[b.Name]
				if parsed, _ := crm.ParseWeekHours(want); !ok || b.Hours.String() != parsed.String() {
					mu.Lock()
					bad = append(bad, b.Name+": "+b.Hours.String())
					mu.Unlock()
				}
				_ = b.Calendar().IsOpen(time.Now())
			}
		}()
	}
	for i := range 5 {
		w.Update(t, r, map[string]any{"name": fmt.Sprint("Versão ", i), "hours": fmt.Sprintf("mon-fri 0%d:00-18:00", i+1)})
	}
	close(stop)
	wg.Wait()
	if len(bad) > 0 {
		t.Errorf("readers saw mixed values: %v", bad[:min(3, len(bad))])
	}
	if w.Cfg.BusinessNow().Name != "Versão 4" {
		t.Errorf("last saved: %q", w.Cfg.BusinessNow().Name)
	}
}
