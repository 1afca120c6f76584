package migrations_test

import (
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/testkit"
)

// Every Vinculo collection says what it holds: the dashboard shows its
// description as the help text of its `id` field.
func TestEveryCollectionIsDescribed(t *testing.T) {
	app := testkit.NewApp(t)
	for _, name := range crm.AllCollections {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Errorf("collection %s is missing: %v", name, err)
			continue
		}
		id, ok := c.Fields.GetByName(core.FieldNameId).(*core.TextField)
		if !ok {
			t.Errorf("%s: the id field is not a text field", name)
			continue
		}
		if len(strings.TrimSpace(id.Help)) < 20 {
			t.Errorf("%s has no description (the help of its id field is %q)", name, id.Help)
		}
	}
}
