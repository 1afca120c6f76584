package segdef

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"

	"vinculo/crm"
)

// Has tells whether seg is defined by conditions (built in the workspace),
// not by a saved PocketBase filter.
func Has(seg *core.Record) bool {
	raw := strings.TrimSpace(seg.GetString(crm.SegmentDefinition))
	return raw != "" && raw != "null"
}

// Of compiles segment seg as of now: its definition, or its saved filter
// (parsed into an expression, never pasted as text).
func Of(app core.App, seg *core.Record, now time.Time, prefix string) (*Compiled, error) {
	if Has(seg) {
		d, err := Parse([]byte(seg.GetString(crm.SegmentDefinition)))
		if err != nil {
			return nil, err
		}
		return Compile(app, d, now, prefix)
	}
	contacts, err := app.FindCachedCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return nil, err
	}
	resolver := core.NewRecordFieldResolver(app, contacts, nil, true)
	expr, err := search.FilterData(seg.GetString(crm.SegmentFilter)).BuildExpr(resolver)
	if err != nil {
		return nil, &Error{Path: crm.SegmentFilter, Code: CodeFilter, Message: "the segment's filter does not read: " + err.Error()}
	}
	sq := app.DB().Select("[[" + crm.Contacts + ".id]]").From(crm.Contacts).AndWhere(expr)
	if err := resolver.UpdateQuery(sq); err != nil {
		return nil, err
	}
	built := sq.Build()
	text, params := built.SQL(), dbx.Params{}
	for name, v := range built.Params() { // names of the segment's own
		text = strings.ReplaceAll(text, "{:"+name+"}", "{:"+prefix+"f"+name+"}")
		params[prefix+"f"+name] = v
	}
	in := Alias + ".id IN (" + text + ")"
	return &Compiled{Where: "(" + in + " AND " + notRestricted(contacts) + ")", WithRestricted: in, Params: params}, nil
}

// Contains tells whether contact id is in segment seg now (the 360 page).
func Contains(ctx context.Context, app core.App, seg *core.Record, id string) (bool, error) {
	c, err := Of(app, seg, time.Now(), "in")
	if err != nil {
		return false, err
	}
	params := dbx.Params{"segContact": id}
	for k, v := range c.Params {
		params[k] = v
	}
	var one int
	err = app.DB().NewQuery("SELECT 1 FROM " + crm.Contacts + " " + Alias + " WHERE " + Alias + ".id = {:segContact} AND " + c.Where).
		Bind(params).WithContext(ctx).Row(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Count is how many contacts c holds.
func Count(ctx context.Context, app core.App, c *Compiled) (int, error) {
	var n int
	err := app.DB().NewQuery("SELECT COUNT(*) FROM " + crm.Contacts + " " + Alias + " WHERE " + c.Where).
		Bind(c.Params).WithContext(ctx).Row(&n)
	return n, err
}
