package migrations

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// The timeline speaks the reader's language: a system entry keeps what
// happened (event) and what is needed to say it (`data`: names, numbers,
// the stages or statuses before and after), and each reader's screen words
// it in their language. `subject` holds the thing's own name (a deal's
// title, an order's number), never a sentence. Entries written before keep
// their stored subject, which the screens show when there is no data.
// Only the system writes `data`.
func init() {
	m.Register(timelineDataUp, timelineDataDown)
}

const timelineDataUntouched = "@request.body.data:isset = false"

func timelineDataUp(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Activities)
	if err != nil {
		return err
	}
	if c.Fields.GetByName("data") == nil {
		c.Fields.Add(jsonField("data", false, 64<<10))
	}
	for _, r := range []**string{&c.CreateRule, &c.UpdateRule} {
		if *r != nil && !strings.Contains(**r, timelineDataUntouched) {
			*r = rule("(" + **r + ") && " + timelineDataUntouched)
		}
	}
	return app.Save(c)
}

func timelineDataDown(app core.App) error {
	c, err := app.FindCollectionByNameOrId(crm.Activities)
	if err != nil {
		return err
	}
	c.Fields.RemoveByName("data")
	for _, r := range []**string{&c.CreateRule, &c.UpdateRule} {
		if *r != nil && strings.HasSuffix(**r, ") && "+timelineDataUntouched) && strings.HasPrefix(**r, "(") {
			*r = rule(strings.TrimSuffix(strings.TrimPrefix(**r, "("), ") && "+timelineDataUntouched))
		}
	}
	return app.Save(c)
}
