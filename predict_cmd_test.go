package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"vinculo/crm"
	"vinculo/plugins/predictions/model"
	"vinculo/testkit"
)

// `vinculo predict`, run in process on a test app holding 300 customers'
// purchases drawn from the CDNOW sample's parameters: the parameters in
// weeks, the holdout against the naive forecast; exit 2 naming the flag for
// bad flags; nothing stored.
func TestPredictCLI(t *testing.T) {
	app := testkit.NewApp(t)
	cfg := testkit.Config(t)
	run := func(args ...string) (string, error) {
		cmd := predictCommand(app, cfg)
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(args)
		err := cmd.Execute()
		return out.String(), err
	}
	var cfgErr *configError
	for flag, args := range map[string][]string{
		"--calibration-end": {"--calibration-end", "30/09/1997"},
		"--holdout-end":     {"--calibration-end", "1997-09-30", "--holdout-end", "1997-09-01"},
	} {
		if _, err := run(args...); !errors.As(err, &cfgErr) || !strings.Contains(err.Error(), flag) {
			t.Errorf("%s: %v, want a configError (exit 2) naming it", flag, err)
		}
	}
	if _, err := run(); !errors.As(err, &cfgErr) {
		t.Errorf("no --calibration-end: %v, want exit 2", err)
	}
	out, err := run("--calibration-end", "1997-09-30")
	if err == nil || errors.As(err, &cfgErr) || !strings.Contains(out, "0 customers") {
		t.Errorf("no orders: exit 1 saying why: %v\n%s", err, out)
	}

	start := time.Date(1997, 1, 1, 0, 0, 0, 0, time.UTC)
	ps := model.Simulate(model.Simulation{Customers: 300, BGNBD: model.BGNBD{R: 0.243, Alpha: 4.414, A: 0.793, B: 2.426},
		Spend: model.GammaGamma{P: 6.25, Q: 3.74, Gamma: 15.44}, Start: start, JoinWeeks: 12, Weeks: 78, Seed: 9})
	contacts := map[string]string{}
	for i, p := range ps {
		if contacts[p.Customer] == "" {
			contacts[p.Customer] = testkit.Save(t, app, crm.Contacts, map[string]any{"name": p.Customer}).Id
		}
		testkit.Save(t, app, crm.Orders, map[string]any{"number": fmt.Sprintf("ORD-%05d", i+1), "contact": contacts[p.Customer], "total": p.Amount, "currency": "BRL",
			"items": []map[string]any{{"name": "CD", "quantity": 1, "unit_price": p.Amount}}, "status": "delivered",
			"placed_at": p.Day.Add(15 * time.Hour).Format("2006-01-02 15:04:05.000Z")})
	}
	out, err = run("--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Log(out)
	for _, want := range []string{"Data up to 1997-09-30: 300 customers", "BG/NBD (time in weeks)", "  r  ", "  alpha  ", "  a  ", "  b  ",
		"Holdout after 1997-09-30 up to 1998-06-30 (39.0 weeks), 300 customers", "MAE per customer model", "naive"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report says %q:\n%s", want, out)
		}
	}
	if n, _ := app.CountRecords(crm.PredictionFits); n != 0 {
		t.Errorf("predict stores nothing: %d fits", n)
	}
	if n, _ := app.CountRecords(crm.CustomerScores); n != 0 {
		t.Errorf("predict stores nothing: %d scores", n)
	}
}
