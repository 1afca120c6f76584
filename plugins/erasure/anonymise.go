package erasure

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/plugins/search"
	"vinculo/plugins/timeline"
)

// contactKeeps are the contact's fields that stay: how it is reached and
// counted, none of which names the person.
var contactKeeps = []string{"id", "name", "stage", "language", "timezone", "preferred_channel", "preferred_days",
	"preferred_hours_start", "preferred_hours_end", "source", "company", "owner", "created", "updated", "archived"}

// authTables are PocketBase's own rows about an auth record (one-time
// codes with the address they went to, MFA, sign-in origins, OAuth2 links).
var authTables = []string{"_otps", "_mfas", "_authOrigins", "_externalAuths"}

// apply carries out p in tx: every change is plain SQL (no record hooks, so
// nothing writes the old values into a new timeline entry or webhook), with
// SQLite's secure_delete on so that the freed bytes are zeroed, and FTS5's
// secure-delete so that the search index forgets the old words at once
// instead of keeping them in its segments under a delete marker.
func apply(tx core.App, cfg *crm.Config, p *Plan, ref string) (out *Outcome, err error) {
	restore, err := secureDeletes(tx)
	if err != nil {
		return nil, err
	}
	defer func() {
		if rerr := restore(); err == nil && rerr != nil {
			err = rerr
		}
	}()
	out = &Outcome{Ref: ref, Erased: p.Erased(), Kept: p.KeptByCollection(), Scrubbed: map[string]int{}}
	scrub := scrubber(p.Identifiers, ref)
	var folders []string
	for _, s := range p.Steps {
		f, err := applyStep(tx, s, ref, scrub)
		if err != nil {
			return nil, fmt.Errorf("erasure of %s: %w", s.Collection, err)
		}
		folders = append(folders, f...)
	}
	if err := forgetRequests(tx, p); err != nil {
		return nil, err
	}
	if err := cancelMessages(tx, p, ref); err != nil {
		return nil, err
	}
	if err := sweep(tx, p, scrub, out); err != nil {
		return nil, err
	}
	if _, err := timeline.Write(tx, timeline.Entry{Event: crm.EventErasureDone, Data: map[string]any{"ref": ref},
		Actor: timeline.System, Contact: p.Contact.Id, RefCollection: crm.Contacts, RefID: p.Contact.Id}); err != nil {
		return nil, err
	}
	// Outside the database: the uploaded files, the mail folder, the logs.
	out.Files, err = removeFolders(tx, folders)
	if err != nil {
		return nil, err
	}
	out.MailFiles, err = cleanMailDir(cfg.MailDir, p.Identifiers, receiptHeader+": "+ref)
	if err != nil {
		return nil, err
	}
	return out, forgetLogs(tx, p)
}

// secureDeletes makes sure SQLite's secure_delete is on for tx's connection
// (every connection opens with it, crm/sqlitedb) and the search index's
// secure-delete too, in both its tables (on since pb_migrations/1764006101
// and 1764007000): a change zeroes the bytes it frees, and the index drops
// a row's words from its pages.
func secureDeletes(tx core.App) (func() error, error) {
	if _, err := tx.DB().NewQuery("PRAGMA secure_delete = 1").Execute(); err != nil {
		return nil, err
	}
	for _, table := range []string{search.Table, search.ShortTable} {
		if _, err := tx.DB().NewQuery(search.SecureDeleteSQL(table, true)).Execute(); err != nil {
			return nil, err
		}
	}
	return func() error { return nil }, nil
}

// applyStep changes one collection's records; it returns the folders of
// uploaded files to remove.
func applyStep(tx core.App, s *Step, ref string, scrub func(string) string) ([]string, error) {
	if len(s.IDs) == 0 || s.Act == actNone {
		return nil, nil
	}
	c, err := tx.FindCachedCollectionByNameOrId(s.Collection)
	if err != nil {
		return nil, err
	}
	ids := anys(s.IDs)
	switch {
	case s.Collection == crm.Contacts:
		return folders(c, s.IDs), update(tx, c, ids, contactBlank(c, ref))
	case s.Act == actDelete:
		if c.IsAuth() {
			for _, t := range authTables {
				if _, err := tx.DB().Delete(t, dbx.And(dbx.HashExp{"collectionRef": c.Id}, dbx.In("recordRef", ids...))).Execute(); err != nil {
					return nil, err
				}
			}
		}
		_, err := tx.DB().Delete(c.Name, dbx.In("id", ids...)).Execute()
		return folders(c, s.IDs), err
	case s.Act == actUnlink:
		return nil, update(tx, c, ids, dbx.Params{s.field: ""})
	case s.Act == actScrub:
		return nil, scrubRows(tx, c, s.IDs, treatments[s.Collection].scrub, scrub)
	}
	set := dbx.Params{}
	hasFiles := false
	for name, v := range treatments[s.Collection].blank {
		f := c.Fields.GetByName(name)
		if f == nil {
			continue
		}
		if ff, ok := f.(*core.FileField); ok {
			hasFiles = true
			if ff.IsMultiple() {
				v = "[]"
			}
		}
		set[name] = v
	}
	if err := update(tx, c, ids, set); err != nil {
		return nil, err
	}
	if hasFiles {
		return folders(c, s.IDs), nil
	}
	return nil, nil
}

// contactBlank: the contact keeps its reference for a name and nothing else
// that names or describes the person (custom fields of every kind included:
// every field not in contactKeeps, but its relations, is emptied).
func contactBlank(c *core.Collection, ref string) dbx.Params {
	set := dbx.Params{"name": ref, "archived": true}
	for _, f := range c.Fields {
		if slices.Contains(contactKeeps, f.GetName()) {
			continue
		}
		switch ff := f.(type) {
		case *core.TextField, *core.EmailField, *core.URLField, *core.EditorField:
			set[f.GetName()] = ""
		case *core.JSONField:
			set[f.GetName()] = "null"
		case *core.FileField:
			set[f.GetName()] = map[bool]string{true: "[]", false: ""}[ff.IsMultiple()]
		case *core.SelectField:
			// A custom choice (a health plan, a religion) says something of the person.
			set[f.GetName()] = map[bool]string{true: "[]", false: ""}[ff.IsMultiple()]
		case *core.NumberField:
			set[f.GetName()] = 0 // a custom number (a tax id, a birth year) or the score
		case *core.DateField:
			set[f.GetName()] = "" // a custom date (a birthday)
		case *core.BoolField:
			set[f.GetName()] = false
		case *core.GeoPointField:
			set[f.GetName()] = `{"lon":0,"lat":0}`
		}
	}
	return set
}

func update(tx core.App, c *core.Collection, ids []any, set dbx.Params) error {
	if len(set) == 0 {
		return nil
	}
	if c.Fields.GetByName("updated") != nil {
		set["updated"] = now(tx).UTC().Format("2006-01-02 15:04:05.000Z")
	}
	_, err := tx.DB().Update(c.Name, set, dbx.In("id", ids...)).Execute()
	return err
}

// folders are the records' folders of uploaded files.
func folders(c *core.Collection, ids []string) []string {
	for _, f := range c.Fields {
		if _, ok := f.(*core.FileField); ok {
			out := make([]string, len(ids))
			for i, id := range ids {
				out[i] = c.Id + "/" + id
			}
			return out
		}
	}
	return nil
}

// removeFolders deletes the folders of uploaded files (thumbnails included).
func removeFolders(app core.App, dirs []string) (int, error) {
	if len(dirs) == 0 {
		return 0, nil
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		return 0, err
	}
	defer fsys.Close()
	n := 0
	for _, d := range dirs {
		if errs := fsys.DeletePrefix(d + "/"); len(errs) > 0 {
			return n, errs[0]
		}
		n++
	}
	return n, nil
}

// forgetRequests: the person's erasure requests keep their reference and
// decision, not the staff's note of them nor the link to the account.
func forgetRequests(tx core.App, p *Plan) error {
	_, err := tx.DB().Update(crm.ErasureRequests, dbx.Params{crm.ErasureNote: "", crm.ErasureCustomer: ""},
		dbx.HashExp{crm.FieldContact: p.Contact.Id}).Execute()
	return err
}

// cancelMessages: the person's messages still waiting or queued are
// refused for good (their content was emptied with the outbox step), so
// that no sender picks them up and the outbox shows why they never went.
// A claim a sender holds on one is dropped: its send, if under way, cannot
// write its outcome over the refusal.
func cancelMessages(tx core.App, p *Plan, ref string) error {
	_, err := tx.DB().Update(crm.Outbox, dbx.Params{
		"state":       crm.OutboxRefused,
		"reason":      "refused: the person's data was erased (" + ref + ")",
		"reason_code": outbox.ReasonContactGone,
		"reason_data": "{}",
		"decided_at":  now(tx).UTC().Format("2006-01-02 15:04:05.000Z"),
		"claim":       "",
		"claimed_at":  "",
		"updated":     now(tx).UTC().Format("2006-01-02 15:04:05.000Z"),
	}, dbx.And(dbx.HashExp{crm.FieldContact: p.Contact.Id},
		dbx.In("state", crm.OutboxWaiting, crm.OutboxQueued))).Execute()
	return err
}

// forgetLogs deletes PocketBase's request logs of the person's own
// requests and of those that named them (a search, a filter by address):
// they hold the address and browser the person used.
func forgetLogs(app core.App, p *Plan) error {
	conds := []dbx.Expression{}
	for _, a := range p.Accounts {
		conds = append(conds, dbx.Like("data", a.Id))
	}
	for _, id := range p.Identifiers {
		conds = append(conds, dbx.Like("data", id), dbx.Like("message", id))
	}
	if len(conds) == 0 {
		return nil
	}
	db := app.AuxNonconcurrentDB()
	if _, err := db.NewQuery("PRAGMA secure_delete = 1").Execute(); err != nil {
		return err
	}
	_, err := db.Delete("_logs", dbx.Or(conds...)).Execute()
	return err
}

// isRef tells a pseudonymous reference (an already anonymised contact).
func isRef(s string) bool { return refPattern.MatchString(strings.TrimSpace(s)) }
