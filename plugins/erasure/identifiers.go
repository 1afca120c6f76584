package erasure

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

var refPattern = regexp.MustCompile(`^ER-[A-Z0-9]{8}$`)

// newRef is a fresh pseudonymous reference: ER- and 8 random letters and
// digits (no 0/O or 1/I, so it reads out on the phone).
func newRef() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "ER-" + string(b)
}

// identifiers are the person's name, emails and phone numbers as stored,
// and each phone's digits alone: what the erasure takes out of text it
// keeps and what the tests look for in the files.
func identifiers(contact *core.Record, accounts []*core.Record) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) < 5 || isRef(s) || slices.Contains(out, s) {
			return
		}
		out = append(out, s)
	}
	add(contact.GetString("name"))
	add(contact.GetString(crm.FieldEmail))
	for _, f := range []string{"phone", "mobile"} {
		v := contact.GetString(f)
		add(v)
		if d := digits(v); len(d) >= 8 {
			add(d)
		}
	}
	for _, a := range accounts {
		add(a.GetString("name"))
		add(a.Email())
	}
	return out
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// scrubber replaces each identifier, whole and in any letter case, by ref.
func scrubber(ids []string, ref string) func(string) string {
	if len(ids) == 0 {
		return func(s string) string { return s }
	}
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = regexp.QuoteMeta(id)
	}
	// Not inside a longer word or number: "Ana Souza" leaves "Anastácia Souza" alone.
	re := regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])(` + strings.Join(quoted, "|") + `)($|[^\p{L}\p{N}])`)
	return func(s string) string {
		for {
			next := re.ReplaceAllString(s, "${1}"+ref+"${3}")
			if next == s {
				return s
			}
			s = next
		}
	}
}

// textual tells the fields whose text may name a person.
func textual(f core.Field) bool {
	switch f.(type) {
	case *core.TextField, *core.EmailField, *core.URLField, *core.EditorField, *core.JSONField:
		return f.GetName() != "id"
	}
	return false
}

// scrubRows takes the identifiers out of fields of the records ids.
func scrubRows(tx core.App, c *core.Collection, ids []string, fields []string, scrub func(string) string) error {
	_, err := scrubWhere(tx, c, fields, dbx.In("id", anys(ids)...), scrub, nil)
	return err
}

// scrubWhere scrubs fields of c's records matching where that hold one of
// ids (a LIKE finds the candidates, the scrubber decides); it returns how
// many records changed.
func scrubWhere(tx core.App, c *core.Collection, fields []string, where dbx.Expression, scrub func(string) string, ids []string) (int, error) {
	if len(fields) == 0 {
		return 0, nil
	}
	if ids != nil {
		likes := []dbx.Expression{}
		for _, f := range fields {
			for _, id := range ids {
				likes = append(likes, dbx.Like(f, id))
			}
		}
		if where != nil {
			where = dbx.And(where, dbx.Or(likes...))
		} else {
			where = dbx.Or(likes...)
		}
	}
	cols := append([]string{"id"}, fields...)
	rows := []dbx.NullStringMap{}
	if err := tx.DB().Select(quoteAll(cols)...).From(c.Name).Where(where).All(&rows); err != nil {
		return 0, err
	}
	changed := 0
	for _, row := range rows {
		set := dbx.Params{}
		for _, f := range fields {
			if v := row[f]; v.Valid {
				if s := scrub(v.String); s != v.String {
					set[f] = s
				}
			}
		}
		if len(set) == 0 {
			continue
		}
		if _, err := tx.DB().Update(c.Name, set, dbx.HashExp{"id": row["id"].String}).Execute(); err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}

func quoteAll(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "[[" + c + "]]"
	}
	return out
}

// sweep takes the person's name, emails and phones out of every other
// record that names them: a colleague's notification, a webhook's payload,
// an import's rows, and, in the collections the relation walk handles by
// id, the records about someone else (a note on another contact's timeline,
// a message on a colleague's request). The records the receipt keeps stay
// as they are; another contact keeps its own name, email and phones (a
// namesake is another person).
func sweep(tx core.App, p *Plan, scrub func(string) string, out *Outcome) error {
	if len(p.Identifiers) == 0 {
		return nil
	}
	all, err := tx.FindAllCollections()
	if err != nil {
		return err
	}
	kept := map[string]bool{}
	for _, ks := range p.KeptByCollection() {
		for _, k := range ks {
			kept[k.ID] = true
		}
	}
	for _, c := range all {
		if c.IsView() || c.Name == crm.ErasureRequests {
			continue
		}
		var fields []string
		for _, f := range c.Fields {
			if textual(f) && (c.Name != crm.Contacts || !slices.Contains(contactIdentity, f.GetName())) {
				fields = append(fields, f.GetName())
			}
		}
		var where dbx.Expression
		if len(kept) > 0 {
			where = dbx.NotIn("id", anys(keys(kept))...)
		}
		n, err := scrubWhere(tx, c, fields, where, scrub, p.Identifiers)
		if err != nil {
			return err
		}
		if n > 0 {
			out.Scrubbed[c.Name] = n
		}
	}
	return nil
}

// contactIdentity are the fields that say who a contact is: another
// contact's are theirs, even when they share the person's name.
var contactIdentity = []string{"name", crm.FieldEmail, "phone", "mobile"}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// cleanMailDir deletes the messages of the mail folder that name the person
// (a code that signed them in, a message sent to them), except the one
// holding keep (the erasure's own receipt, on its way to them).
func cleanMailDir(dir string, ids []string, keep string) (int, error) {
	if dir == "" || len(ids) == 0 {
		return 0, nil
	}
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			return n, err
		}
		if !mentions(b, ids) || (keep != "" && bytes.Contains(b, []byte(keep))) {
			continue
		}
		if err := os.Remove(path); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// mentions tells whether b holds one of ids, in any letter case.
func mentions(b []byte, ids []string) bool {
	low := bytes.ToLower(b)
	for _, id := range ids {
		if bytes.Contains(low, bytes.ToLower([]byte(id))) {
			return true
		}
	}
	return false
}
