package segments

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/segments/segdef"
	"vinculo/plugins/team"
)

// forReader narrows c to the contacts auth may see: in the teams mode an
// agent counts and lists only the members of a segment their teams see
// (the contacts' own list rule, through team.VisibleIDs); managers, and
// everyone in the "everyone" mode, the whole segment.
func forReader(app core.App, auth *core.Record, c *segdef.Compiled) error {
	sub, params, err := team.VisibleIDs(app, auth, crm.Contacts)
	if err != nil || sub == "" {
		return err
	}
	c.Where = "(" + c.Where + ") AND " + segdef.Alias + ".id IN (" + sub + ")"
	for k, v := range params {
		c.Params[k] = v
	}
	return nil
}
