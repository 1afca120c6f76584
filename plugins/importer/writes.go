package importer

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// The columns of a new record, in the order records.add takes its values.
var contactColumns = []string{"id", "name", "email", "phone", "mobile", "job_title", "address", "company", "owner", "stage", "tags", "source", "created", "updated"}
var companyColumns = []string{"id", "name", "domain", "phone", "address", "city", "country", "industry", "created", "updated"}

// problem records a bad row.
func (w *run) problem(ps []Problem) {
	w.res.Counts.Errors++
	for _, p := range ps {
		if len(w.res.Errors) < MaxReportedProblems {
			w.res.Errors = append(w.res.Errors, p)
		}
		if w.opts.OnProblem != nil {
			w.opts.OnProblem(p)
		}
	}
}

// duplicate records a row that matched a key already taken.
func (w *run) duplicate(line int, h hit) {
	w.res.Duplicate++
	if len(w.res.Duplicates) >= MaxReportedProblems {
		return
	}
	what := map[byte]string{'e': "email", 'p': "phone", 'n': "name and company", 'b': "name and company", 'c': "name", 'd': "domain"}[h.key[0]]
	of := "an existing record (" + h.id + ")"
	if h.line > 0 {
		of = fmt.Sprintf("line %d", h.line)
	}
	w.res.Duplicates = append(w.res.Duplicates, Problem{Line: line, Field: what, Reason: "same " + what + " as " + of})
}

// onDuplicate records a row whose keys found h and, as the import's
// OnDuplicate says, skips it or updates h's record with fields; done is
// false when the row is to be created all the same.
func (w *run) onDuplicate(table string, line int, h hit, fields map[string]string, company string, keys []string) (done bool, err error) {
	w.duplicate(line, h)
	switch w.opts.OnDuplicate {
	case DupSkip:
		w.res.Skipped++
		return true, nil
	case DupFill, DupOverwrite:
		return true, w.update(table, h.id, line, fields, company, keys)
	}
	return false, nil
}

// row checks one row of the file and writes it.
func (w *run) row(row Row) error {
	if len(row.Problems) > 0 {
		w.problem(row.Problems)
		return nil
	}
	if row.Values == nil {
		w.res.Skipped++ // an empty row
		return nil
	}
	w.inTx++
	if w.opts.Kind == KindCompanies {
		return w.company(row)
	}
	if w.opts.Kind == KindOrders {
		return w.order(row)
	}
	return w.contact(row)
}

// contact checks a row of contacts and writes it: a new contact, or an
// update of the one it duplicates, as the duplicate policy says.
func (w *run) contact(row Row) error {
	v := row.Values
	c := &checker{line: row.Line}
	name := CleanName(v["name"])
	if name == "" {
		name = CleanName(v["first_name"] + " " + v["last_name"])
	}
	email := c.email(v["email"])
	if name == "" {
		name = email // a contact known only by their address
	}
	if name == "" {
		c.failCode("name", "", "contact_unnamed", nil, "a contact needs a name or an email")
	}
	name = c.text("name", name, 200)
	phone := c.phone("phone", v["phone"], w.opts.Country)
	mobile := c.phone("mobile", v["mobile"], w.opts.Country)
	jobTitle := c.text("job_title", CleanName(v["job_title"]), 120)
	address := c.text("address", v["address"], 500)
	company := c.text("company", CleanName(v["company"]), 200)
	source := c.text("source", v["source"], 100)
	stage := c.stage(v["stage"])
	owner := w.owner(c, v["owner"])
	tags := "[]"
	if t := splitTags(v["tags"]); len(t) > 0 {
		raw, _ := json.Marshal(t)
		if len(raw) > 4<<10 {
			c.failCode("tags", v["tags"], "tags_too_long", nil, "more than 4 KB of tags")
		}
		tags = string(raw)
	}
	custom := w.customValues(c, v)
	if len(c.problems) > 0 {
		w.problem(c.problems)
		return nil
	}
	keys, lookup, reach := w.contactKeys(v, email, phone, mobile, NameKey(name, company))
	h, found, err := w.find(lookup...)
	if err != nil {
		return err
	}
	if found && reach && h.key[0] == 'n' { // a hint only: another person, created
		w.possible(row.Line, name, h)
		found = false
	}
	fields := map[string]string{"name": name, "email": email, "phone": phone, "mobile": mobile, "job_title": jobTitle,
		"address": address, "stage": stage, "owner": owner, "source": source}
	if tags != "[]" {
		fields["tags"] = tags
	}
	addCustomFields(fields, custom)
	if found {
		done, err := w.onDuplicate(crm.Contacts, row.Line, h, fields, company, keys)
		if err == nil && done && reach && h.key[0] == 'b' && w.opts.OnDuplicate != DupSkip {
			err = w.forget(h.key, h.id) // the record has an email or a phone now
		}
		if done {
			return err
		}
	}
	companyID, err := w.companyID(company)
	if err != nil {
		return err
	}
	id := core.GenerateDefaultRandomId()
	if err := w.records.add(withCustomValues([]any{id, name, email, phone, mobile, jobTitle, address, companyID, owner, stage, tags, source, w.now, w.now}, custom)...); err != nil {
		return err
	}
	w.res.Created++
	return w.remember(id, row.Line, keys...)
}

// contactKeys are the keys a contact row leaves (keys) and those it looks
// up (lookup, in the order they win): its emails and phones, then its name
// and company (nameKeys).
func (w *run) contactKeys(v Values, email, phone, mobile, nameKey string) (keys, lookup []string, reach bool) {
	keys = []string{prefixed("e:", email), prefixed("p:", phone), prefixed("p:", mobile)}
	for _, e := range strings.Split(v[AlsoEmails], ":::") {
		if e, err := NormalizeEmail(e); err == nil && e != "" && e != email {
			keys = append(keys, "e:"+e)
		}
	}
	for _, p := range strings.Split(v[AlsoPhones], ":::") {
		if p, err := NormalizePhone(p, w.opts.Country); err == nil && p != "" && p != phone && p != mobile {
			keys = append(keys, "p:"+p)
		}
	}
	reach = email != "" || phone != "" || mobile != ""
	lookup = append(slices.Clip(keys), prefixed("b:", nameKey), prefixed("n:", nameKey))
	return append(keys, nameKeys(nameKey, reach)), lookup, reach
}

// nameKeys is the name and company key a contact leaves. Name and company
// are a person's identity only when one side has neither email nor phone:
// such a contact leaves "b:" (bare), which every row of that name and
// company duplicates. A contact with an email or a phone leaves "n:", a
// hint: a row that has one too and matched none of them is another person
// of the same name, created and listed as a possible duplicate for review;
// a row with neither is its duplicate.
func nameKeys(nameKey string, reach bool) string {
	if reach {
		return prefixed("n:", nameKey)
	}
	return prefixed("b:", nameKey)
}

// possible records a row created beside a record of the same name and
// company (a hint, see nameKeys) for review.
func (w *run) possible(line int, name string, h hit) {
	w.res.Possible++
	params := map[string]any{"row": line}
	of := "record " + h.id
	if h.line > 0 {
		params["of_row"] = h.line
		of = fmt.Sprintf("row %d", h.line)
	} else {
		params["record"] = h.id
	}
	p := Problem{Line: line, Value: name, Code: "possible_duplicate", Params: params,
		Reason: fmt.Sprintf("possible duplicate (same name and company): row %d ↔ %s", line, of)}
	if len(w.res.PossibleDuplicates) < MaxReportedProblems {
		w.res.PossibleDuplicates = append(w.res.PossibleDuplicates, p)
	}
	if w.opts.OnNotice != nil {
		w.opts.OnNotice(p)
	}
}

// prefixed is a key of its kind ("e:" email, "p:" phone ...); none for no value.
func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// companyID finds the company by name (CompanyKey) or creates it.
func (w *run) companyID(name string) (string, error) {
	if name == "" {
		return "", nil
	}
	key := "c:" + CompanyKey(name)
	if key == "c:" {
		return "", nil
	}
	if id, ok := w.companies[key]; ok {
		return id, nil
	}
	h, found, err := w.find(key)
	if err != nil || found {
		w.cacheCompany(key, h.id)
		return h.id, err
	}
	id := core.GenerateDefaultRandomId()
	if _, err := w.newCompany.ExecContext(w.ctx, id, name, w.now, w.now); err != nil {
		return "", fmt.Errorf("company %q: %w", name, err)
	}
	w.res.CompaniesCreated++
	w.cacheCompany(key, id)
	return id, w.remember(id, 0, key)
}

// companiesCached bounds the companies a run keeps at hand by name (most
// files name few companies many times; memory stays flat however many).
const companiesCached = 8192

func (w *run) cacheCompany(key, id string) {
	if id == "" {
		return
	}
	if w.companies == nil || len(w.companies) >= companiesCached {
		w.companies = make(map[string]string, companiesCached)
	}
	w.companies[key] = id
}

// company checks a row of companies and writes it, as contact does.
func (w *run) company(row Row) error {
	v := row.Values
	c := &checker{line: row.Line}
	name := c.text("name", CleanName(v["name"]), 200)
	if name == "" {
		c.failCode("name", "", "company_unnamed", nil, "a company needs a name")
	}
	domain := c.domain(v["domain"])
	phone := c.phone("phone", v["phone"], w.opts.Country)
	address := c.text("address", v["address"], 500)
	city := c.text("city", CleanName(v["city"]), 100)
	country := c.country(v["country"])
	industry := c.text("industry", CleanName(v["industry"]), 100)
	custom := w.customValues(c, v)
	if len(c.problems) > 0 {
		w.problem(c.problems)
		return nil
	}
	keys := []string{prefixed("d:", domain), "c:" + CompanyKey(name)}
	h, found, err := w.find(keys...)
	if err != nil {
		return err
	}
	if found {
		fields := map[string]string{"name": name, "domain": domain, "phone": phone,
			"address": address, "city": city, "country": country, "industry": industry}
		addCustomFields(fields, custom)
		if done, err := w.onDuplicate(crm.Companies, row.Line, h, fields, "", keys); done {
			return err
		}
	}
	id := core.GenerateDefaultRandomId()
	if err := w.records.add(withCustomValues([]any{id, name, domain, phone, address, city, country, industry, w.now, w.now}, custom)...); err != nil {
		return err
	}
	w.res.Created++
	return w.remember(id, row.Line, keys...)
}

// update applies a duplicate row to the record it matched: fill its empty
// fields, or overwrite those the row has.
func (w *run) update(table, id string, line int, fields map[string]string, company string, keys []string) error {
	if err := w.flush(); err != nil { // the record may be a row of this file still queued
		return err
	}
	names := make([]string, 0, len(fields)+1)
	for f := range fields {
		names = append(names, f)
	}
	if table == crm.Contacts {
		names = append(names, crm.FieldCompany)
	}
	slices.Sort(names)
	cols := make([]string, len(names))
	ptrs := make([]any, len(names))
	current := make([]sql.NullString, len(names))
	for i, n := range names {
		cols[i] = "`" + n + "`"
		ptrs[i] = &current[i]
	}
	err := w.conn.QueryRowContext(w.ctx, "SELECT "+strings.Join(cols, ", ")+" FROM `"+table+"` WHERE id = ?", id).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("line %d: the record it duplicates (%s) is gone", line, id)
	}
	if err != nil {
		return err
	}
	var set []string
	var args []any
	for i, n := range names {
		value := fields[n]
		if n == crm.FieldCompany && table == crm.Contacts {
			if company == "" || (w.opts.OnDuplicate == DupFill && current[i].String != "") {
				continue
			}
			if value, err = w.companyID(company); err != nil {
				return err
			}
		}
		old := current[i].String
		empty := old == "" || old == "[]" || old == "null"
		if value == "" || value == old || (w.opts.OnDuplicate == DupFill && !empty) {
			continue
		}
		set = append(set, "`"+n+"` = ?")
		args = append(args, value)
	}
	if len(set) == 0 {
		w.res.Skipped++
		return nil
	}
	args = append(args, w.now, id)
	if err := w.exec("UPDATE `"+table+"` SET "+strings.Join(set, ", ")+", updated = ? WHERE id = ?", args...); err != nil {
		return fmt.Errorf("line %d: %w", line, err)
	}
	w.res.Updated++
	return w.remember(id, line, keys...)
}
