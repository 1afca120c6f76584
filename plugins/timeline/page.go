package timeline

import (
	"encoding/base64"
	"encoding/json"
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// PageSize is how many entries a timeline page holds.
const PageSize = 20

// ErrBadCursor: a cursor this package did not write.
var ErrBadCursor = errors.New("the cursor is not one a previous page gave")

// cursor is the position after the last entry of a page: the timeline is
// read newest first by (occurred_at, created, id), all three descending, and
// the next page starts strictly after it. Keyset, not OFFSET: page 50 costs
// what page 1 does.
type cursor struct {
	OccurredAt string `json:"o"`
	Created    string `json:"c"`
	ID         string `json:"i"`
}

func (c cursor) encode() string {
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeCursor(s string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, ErrBadCursor
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil || c.ID == "" {
		return nil, ErrBadCursor
	}
	return &c, nil
}

// Page is one page of a contact's timeline and the cursor of the next one
// ("" when this is the last).
type Page struct {
	Items []*core.Record `json:"items"`
	Next  string         `json:"next"`
}

// PageQuery narrows q, a record query of activities (plain, or with a list
// rule applied), to the page after cursor (the first page when cursor is
// ""), PageSize+1 rows to tell whether another page follows. Served by the
// index (contact, occurred_at, created, id) alone: the row-value comparison
// seeks into it, the order walks it backwards.
func PageQuery(q *dbx.SelectQuery, contactID, after string) (*dbx.SelectQuery, error) {
	c, err := decodeCursor(after)
	if err != nil {
		return nil, err
	}
	q.AndWhere(dbx.HashExp{"activities.contact": contactID}).
		OrderBy("[[activities.occurred_at]] DESC", "[[activities.created]] DESC", "[[activities.id]] DESC").
		Limit(PageSize + 1)
	if c != nil {
		q.AndWhere(dbx.NewExp("([[activities.occurred_at]], [[activities.created]], [[activities.id]]) < ({:o}, {:c}, {:i})",
			dbx.Params{"o": c.OccurredAt, "c": c.Created, "i": c.ID}))
	}
	return q, nil
}

// FetchPage runs a query made by PageQuery.
func FetchPage(q *dbx.SelectQuery) (*Page, error) {
	items := []*core.Record{}
	if err := q.All(&items); err != nil {
		return nil, err
	}
	page := &Page{Items: items}
	if len(items) > PageSize {
		page.Items = items[:PageSize]
		last := page.Items[PageSize-1]
		page.Next = cursor{
			// PocketBase stores dates in this one layout, so the text
			// compares in SQL as it was written.
			OccurredAt: dateText(last, "occurred_at"),
			Created:    dateText(last, "created"),
			ID:         last.Id,
		}.encode()
	}
	return page, nil
}

// ReadPage reads the page of contactID's timeline after cursor, with no
// access rule: for Go code acting as the system.
func ReadPage(app core.App, contactID, after string) (*Page, error) {
	q, err := PageQuery(app.RecordQuery(crm.Activities), contactID, after)
	if err != nil {
		return nil, err
	}
	return FetchPage(q)
}

func dateText(r *core.Record, field string) string {
	if d := r.GetDateTime(field); !d.IsZero() {
		return d.String()
	}
	return ""
}
