package demo

import (
	"github.com/pocketbase/dbx"

	"vinculo/crm"
	"vinculo/plugins/mentions"
)

// mentionNote: on Rafael's oldest open request, his internal note asks
// Marina about it by @-mention, so the demo shows a mention as a name and
// Marina's bell holds it.
func (g *generator) mentionNote() error {
	cases, err := g.app.FindRecordsByFilter(crm.Cases, "assignee = {:a} && closed = false", "created", 1, 0, dbx.Params{"a": staffIDs[1]})
	if err != nil || len(cases) == 0 {
		return err
	}
	_, err = g.save(crm.CaseMessages, id("cmm", 1), map[string]any{
		"case": cases[0].Id, "internal": true, "author_staff": staffIDs[1],
		"body": mentions.Token("Marina Duarte", staffIDs[0]) + " pode confirmar o desconto de cliente antigo antes de eu responder?",
	})
	return err
}
