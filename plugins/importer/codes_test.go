package importer_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"vinculo/plugins"
	"vinculo/plugins/importer"
	"vinculo/testkit"
)

// A refused row says why twice: a code with its values, which the
// workspace words in the reader's language, and the English reason the
// command line prints with the line.
func TestImportProblemsCarryCodes(t *testing.T) {
	w := testkit.NewWorld(t, testkit.Plugins(plugins.All))
	file := "name,email,phone,stage,owner\n" +
		"Ana,ana@,,,\n" +
		"Bruno,bruno@b.test,12,,\n" +
		"Carla,carla@c.test,,astronaut,\n" +
		",,+5511987654321,,\n" +
		"Davi,davi@d.test,,,Ninguém\n" +
		"Eva,eva@e.test,\"1,2\n"
	res, err := importer.Run(context.Background(), w.App, strings.NewReader(file), importer.Options{
		Kind: importer.KindContacts, Mode: importer.ModeDryRun, OnDuplicate: importer.DupSkip, Country: "BR",
		Mapping: map[string]string{"name": "name", "email": "email", "phone": "phone", "stage": "stage", "owner": "owner"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]struct {
		field, code, param, value, reason string
	}{
		2: {"email", "email_invalid", "value", "ana@", `"ana@" is not an email address`},
		3: {"phone", "phone_impossible", "country", "BR", "is not a possible phone number in BR"},
		4: {"stage", "stage_unknown", "stages", "lead", "not a lifecycle stage"},
		5: {"name", "contact_unnamed", "", "", "a contact needs a name or an email"},
		6: {"owner", "owner_unknown", "", "", "no staff member has this email or name"},
		7: {"", "csv_quote", "column", "21", "must be doubled"},
	}
	got := map[int]importer.Problem{}
	for _, p := range res.Errors {
		got[p.Line] = p
	}
	for line, wnt := range want {
		p, ok := got[line]
		if !ok {
			t.Errorf("line %d: no problem (all: %+v)", line, res.Errors)
			continue
		}
		if p.Field != wnt.field || p.Code != wnt.code || !strings.Contains(p.Reason, wnt.reason) {
			t.Errorf("line %d: %+v, want field %q code %q reason ~%q", line, p, wnt.field, wnt.code, wnt.reason)
		}
		if wnt.param != "" && !strings.Contains(strings.ToLower(fmt.Sprint(p.Params[wnt.param])), strings.ToLower(wnt.value)) {
			t.Errorf("line %d: params %v, want %s ~ %q", line, p.Params, wnt.param, wnt.value)
		}
		// The command line's words: English, with the line.
		if s := p.String(); !strings.HasPrefix(s, "line ") || !strings.Contains(s, wnt.reason) {
			t.Errorf("line %d prints %q", line, s)
		}
	}
}
