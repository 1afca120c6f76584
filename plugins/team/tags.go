package team

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Tags are a JSON array of words on contacts and companies (and any
// tagged collection: crm.TaggedCollections). Renaming, merging and deleting
// a tag rewrite every record that has it, in one statement per collection
// inside one transaction: a tag may sit on a hundred thousand contacts, and
// nothing follows from a record's tags changing beyond the search index,
// which SQLite's triggers keep (plugins/search).

// MaxTagLength is the longest tag, in characters.
const MaxTagLength = 60

// TagCount is one tag in use and how many records of each collection hold it.
type TagCount struct {
	Tag    string         `json:"tag"`
	Counts map[string]int `json:"counts"`
	Total  int            `json:"total"`
}

// tagsCache keeps the list of tags in use for the contact form's
// suggestions, which every staff member's form asks for: counting means
// reading every contact. A change through the record API or these routes
// forgets it; what writes past the hooks (a bulk import) shows within a
// minute. One per app, in its store.
type tagsCache struct {
	sync.Mutex
	at    time.Time
	items []TagCount
}

const (
	tagsCacheTTL = time.Minute
	tagsCacheKey = "vinculo.team.tags"
)

func cacheOf(app core.App) *tagsCache {
	return app.Store().GetOrSet(tagsCacheKey, func() any { return &tagsCache{} }).(*tagsCache)
}

func forgetTags(app core.App) {
	c := cacheOf(app)
	c.Lock()
	c.items, c.at = nil, time.Time{}
	c.Unlock()
}

func bindTagsCache(app core.App) {
	forget := func(e *core.RecordEvent) error {
		forgetTags(e.App)
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(crm.TaggedCollections...).BindFunc(forget)
	app.OnRecordAfterUpdateSuccess(crm.TaggedCollections...).BindFunc(forget)
	app.OnRecordAfterDeleteSuccess(crm.TaggedCollections...).BindFunc(forget)
}

// taggedCollections are the tagged collections that have the field now.
func taggedCollections(app core.App) []string {
	var out []string
	for _, name := range crm.TaggedCollections {
		c, err := app.FindCachedCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		if _, ok := c.Fields.GetByName(crm.FieldTags).(*core.JSONField); ok {
			out = append(out, name)
		}
	}
	return out
}

// jsonTags is the SQL of a row's tags as a JSON array ('[]' when unset or
// not JSON), for json_each.
func jsonTags(table string) string {
	col := "`" + table + "`.`" + crm.FieldTags + "`"
	return "CASE WHEN json_valid(" + col + ") AND json_type(" + col + ") = 'array' THEN " + col + " ELSE '[]' END"
}

// TagsInUse counts the tags in use, most used first.
func TagsInUse(app core.App) ([]TagCount, error) {
	byTag := map[string]*TagCount{}
	for _, coll := range taggedCollections(app) {
		var rows []struct {
			Tag string `db:"tag"`
			N   int    `db:"n"`
		}
		q := "SELECT j.value AS tag, count(DISTINCT t.id) AS n FROM `" + coll + "` t, json_each(" + jsonTags("t") +
			") j WHERE j.type = 'text' AND j.value != '' GROUP BY j.value"
		if err := app.DB().NewQuery(q).All(&rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			tc := byTag[r.Tag]
			if tc == nil {
				tc = &TagCount{Tag: r.Tag, Counts: map[string]int{}}
				byTag[r.Tag] = tc
			}
			tc.Counts[coll] = r.N
			tc.Total += r.N
		}
	}
	out := make([]TagCount, 0, len(byTag))
	for _, tc := range byTag {
		out = append(out, *tc)
	}
	slices.SortFunc(out, func(a, b TagCount) int {
		if a.Total != b.Total {
			return b.Total - a.Total
		}
		return strings.Compare(strings.ToLower(a.Tag), strings.ToLower(b.Tag))
	})
	return out, nil
}

// listTags is GET /api/crm/tags: every tag in use with its counts.
func listTags(e *core.RequestEvent) error {
	c := cacheOf(e.App)
	c.Lock()
	defer c.Unlock()
	if c.items == nil || time.Since(c.at) > tagsCacheTTL {
		items, err := TagsInUse(e.App)
		if err != nil {
			return err
		}
		c.items, c.at = items, time.Now()
	}
	return e.JSON(http.StatusOK, map[string]any{"items": c.items})
}

// RewriteTags replaces the tags from by to on every record that has one of
// them (to "" deletes them), keeping each record's order and holding each
// tag once. It returns how many records changed, by collection.
func RewriteTags(tx core.App, from []string, to string) (map[string]int, error) {
	changed := map[string]int{}
	now := types.NowDateTime().String()
	params := dbx.Params{"now": now}
	var in []string
	for i, f := range from {
		key := "f" + string(rune('a'+i))
		params[key] = f
		in = append(in, "{:"+key+"}")
	}
	list := strings.Join(in, ", ")
	var replacement any
	if to != "" {
		replacement = to
	}
	params["to"] = replacement
	for _, coll := range taggedCollections(tx) {
		q := "UPDATE `" + coll + "` SET `" + crm.FieldTags + "` = (" +
			"SELECT json_group_array(v) FROM (SELECT v FROM (" +
			"SELECT CASE WHEN j.value IN (" + list + ") THEN {:to} ELSE j.value END AS v, min(j.key) AS k " +
			"FROM json_each(" + jsonTags(coll) + ") j GROUP BY v) WHERE v IS NOT NULL ORDER BY k)" +
			"), `updated` = {:now} WHERE EXISTS (SELECT 1 FROM json_each(" + jsonTags(coll) + ") j WHERE j.value IN (" + list + "))"
		res, err := tx.DB().NewQuery(q).Bind(params).Execute()
		if err != nil {
			return nil, err
		}
		n, _ := res.RowsAffected()
		changed[coll] = int(n)
	}
	return changed, nil
}

// cleanTag trims a tag and tells whether it is one: 1 to MaxTagLength
// characters, no control characters.
func cleanTag(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len([]rune(s)) > MaxTagLength {
		return s, false
	}
	return s, !strings.ContainsFunc(s, unicode.IsControl)
}

// tagInUse tells whether any record holds tag.
func tagInUse(app core.App, tag string) (bool, error) {
	for _, coll := range taggedCollections(app) {
		var n int
		q := "SELECT count(*) FROM (SELECT 1 FROM `" + coll + "` t WHERE EXISTS (SELECT 1 FROM json_each(" + jsonTags("t") +
			") j WHERE j.value = {:tag}) LIMIT 1)"
		if err := app.DB().NewQuery(q).Bind(dbx.Params{"tag": tag}).Row(&n); err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

type tagBody struct {
	Tag  string `json:"tag"`
	To   string `json:"to"`   // rename: the new name
	Into string `json:"into"` // merge: the tag that stays
}

// tagRoute reads the body, checks the tag named in field exists and runs
// the rewrite in one transaction.
func tagRoute(e *core.RequestEvent, check func(*tagBody) error, from func(tagBody) []string, to func(tagBody) string) error {
	var b tagBody
	if err := e.BindBody(&b); err != nil {
		return e.BadRequestError("The request body is not JSON.", err)
	}
	var ok bool
	if b.Tag, ok = cleanTag(b.Tag); !ok {
		return fieldError(e, "tag", "validation_required", "Name the tag.")
	}
	if err := check(&b); err != nil {
		return err
	}
	used, err := tagInUse(e.App, b.Tag)
	if err != nil {
		return err
	}
	if !used {
		return fieldError(e, "tag", "validation_tag_unknown", "No record has this tag.")
	}
	var changed map[string]int
	err = e.App.RunInTransaction(func(tx core.App) error {
		var err error
		changed, err = RewriteTags(tx, from(b), to(b))
		return err
	})
	forgetTags(e.App)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"changed": changed})
}

// renameTag is POST /api/crm/tags/rename {tag, to}. Renaming to a tag
// already in use is a merge: records holding both keep one.
func renameTag(e *core.RequestEvent) error {
	return tagRoute(e, func(b *tagBody) error {
		var ok bool
		if b.To, ok = cleanTag(b.To); !ok {
			return fieldError(e, "to", "validation_tag_invalid", "Give the new name: 1 to 60 characters.")
		}
		if b.To == b.Tag {
			return fieldError(e, "to", "validation_tag_same", "The new name is the same as the old one.")
		}
		return nil
	}, func(b tagBody) []string { return []string{b.Tag} }, func(b tagBody) string { return b.To })
}

// mergeTags is POST /api/crm/tags/merge {tag, into}: tag goes, into stays.
func mergeTags(e *core.RequestEvent) error {
	return tagRoute(e, func(b *tagBody) error {
		var ok bool
		if b.Into, ok = cleanTag(b.Into); !ok {
			return fieldError(e, "into", "validation_required", "Name the tag to merge into.")
		}
		if b.Into == b.Tag {
			return fieldError(e, "into", "validation_tag_same", "Choose two different tags.")
		}
		used, err := tagInUse(e.App, b.Into)
		if err != nil {
			return err
		}
		if !used {
			return fieldError(e, "into", "validation_tag_unknown", "No record has this tag.")
		}
		return nil
	}, func(b tagBody) []string { return []string{b.Tag} }, func(b tagBody) string { return b.Into })
}

// deleteTag is POST /api/crm/tags/delete {tag}: the tag goes from every record.
func deleteTag(e *core.RequestEvent) error {
	return tagRoute(e, func(*tagBody) error { return nil },
		func(b tagBody) []string { return []string{b.Tag} }, func(tagBody) string { return "" })
}
