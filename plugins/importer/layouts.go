package importer

import (
	"fmt"
	"slices"
	"strings"

	"vinculo/crm"
)

// Values is one row read from a file: field name -> text, before checks.
type Values map[string]string

// ContactFields are the contact fields a file column can map to;
// first_name and last_name are joined into name.
var ContactFields = []string{"name", "first_name", "last_name", "email", "phone", "mobile", "job_title", "address", "company", "tags", "source", "stage", "owner"}

// CompanyFields are the company fields a file column can map to.
var CompanyFields = []string{"name", "domain", "phone", "address", "city", "country", "industry"}

// FieldsOf are the fields of kind.
func FieldsOf(kind string) []string {
	if kind == KindCompanies {
		return CompanyFields
	}
	if kind == KindOrders {
		return OrderFields
	}
	return ContactFields
}

// layout turns a file's records into Values.
type layout struct {
	name    string
	joins   []join // fields made of one or more columns
	phones  [][2]int
	mapping map[string]string // file column -> field, for the report
}

// join: field = the non-empty columns joined by sep; with first, only the first non-empty.
type join struct {
	field string
	cols  []int
	sep   string
	first bool
}

func (l *layout) extract(record []string) Values {
	v := make(Values, len(l.joins)+2)
	for _, j := range l.joins {
		var parts []string
		for _, c := range j.cols {
			if c >= len(record) {
				continue
			}
			s := strings.TrimSpace(record[c])
			if s == "" {
				continue
			}
			if j.first {
				// Google puts several values in one cell: "a@x ::: b@y". The
				// first is the field's; the others of an email or a phone
				// still tell duplicates (Also).
				first, rest, _ := strings.Cut(s, ":::")
				if len(parts) == 0 {
					parts = []string{strings.TrimSpace(first)}
				} else {
					rest = s
				}
				if also := alsoOf(j.field); also != "" {
					v.also(also, rest)
					continue
				}
				break
			}
			parts = append(parts, s)
		}
		if len(parts) > 0 {
			v[j.field] = strings.Join(parts, j.sep)
		}
	}
	// Google's typed phones: (label column, value column) pairs.
	for _, p := range l.phones {
		if p[1] >= len(record) {
			continue
		}
		val, rest, _ := strings.Cut(strings.TrimSpace(record[p[1]]), ":::")
		if val = strings.TrimSpace(val); val == "" {
			continue
		}
		v.also(AlsoPhones, rest)
		field := "phone"
		if p[0] >= 0 && p[0] < len(record) && isMobileLabel(record[p[0]]) {
			field = "mobile"
		}
		if v[field] == "" {
			v[field] = val
		} else {
			v.also(AlsoPhones, val)
		}
	}
	return v
}

// AlsoEmails and AlsoPhones hold a row's other emails and phones (Google's
// and Outlook's second and third), joined by " ::: ": not stored, but a
// row that shares one of them with a record is that record's duplicate.
const (
	AlsoEmails = "+emails"
	AlsoPhones = "+phones"
)

func alsoOf(field string) string {
	switch field {
	case "email":
		return AlsoEmails
	case "phone", "mobile":
		return AlsoPhones
	}
	return ""
}

// also adds the values of s (" ::: " between them) to v[key].
func (v Values) also(key, s string) {
	for _, part := range strings.Split(s, ":::") {
		if part = strings.TrimSpace(part); part != "" {
			if v[key] != "" {
				v[key] += " ::: "
			}
			v[key] += part
		}
	}
}

func isMobileLabel(s string) bool {
	s = fold(s)
	for _, w := range []string{"mobile", "cell", "celular", "movel", "whatsapp"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// header indexes a file's header row by folded column name.
type header struct {
	names []string
	index map[string]int
}

func newHeader(names []string) header {
	h := header{names: names, index: map[string]int{}}
	for i, n := range names {
		k := fold(n)
		if _, dup := h.index[k]; !dup && k != "" {
			h.index[k] = i
		}
	}
	return h
}

func (h header) col(names ...string) []int {
	var out []int
	for _, n := range names {
		if i, ok := h.index[fold(n)]; ok {
			out = append(out, i)
		}
	}
	return out
}

func (h header) has(names ...string) bool {
	for _, n := range names {
		if _, ok := h.index[fold(n)]; !ok {
			return false
		}
	}
	return true
}

func (l *layout) add(h header, field, sep string, first bool, names ...string) {
	cols := h.col(names...)
	if len(cols) == 0 {
		return
	}
	l.joins = append(l.joins, join{field: field, cols: cols, sep: sep, first: first})
	for _, c := range cols {
		l.mapping[h.names[c]] = field
	}
}

// recognise picks the layout of a header: a known export (Google Contacts,
// Outlook, HubSpot), or columns named like the fields (generic, in English
// or Portuguese). mapping, when given, wins over both.
func recognise(kind string, names []string, mapping map[string]string) (*layout, error) {
	h := newHeader(names)
	if mapping != nil {
		return mapped(kind, h, mapping)
	}
	if kind == KindContacts {
		switch {
		case h.has("E-mail 1 - Value") && (h.has("First Name") || h.has("Given Name") || h.has("Name")):
			return google(h), nil
		case h.has("E-mail Address", "First Name") && (h.has("Business Phone") || h.has("Mobile Phone")):
			return outlook(h), nil
		case h.has("Record ID") && (h.has("Lifecycle Stage") || h.has("Contact owner")):
			return hubspot(h), nil
		}
	} else if h.has("Record ID") && (h.has("Company name") || h.has("Company Domain Name")) {
		l := &layout{name: LayoutHubSpot, mapping: map[string]string{}}
		l.add(h, "name", " ", true, "Company name", "Name")
		l.add(h, "domain", "", true, "Company Domain Name", "Website URL")
		l.add(h, "phone", "", true, "Phone Number")
		l.add(h, "address", ", ", false, "Street Address", "Street Address 2", "Postal Code")
		l.add(h, "city", "", true, "City")
		l.add(h, "country", "", true, "Country/Region")
		l.add(h, "industry", "", true, "Industry")
		return l, nil
	}
	return generic(kind, h)
}

func google(h header) *layout {
	l := &layout{name: LayoutGoogle, mapping: map[string]string{}}
	if h.has("Name") { // the older export has a whole name
		l.add(h, "name", " ", true, "Name")
	}
	l.add(h, "first_name", " ", false, "First Name", "Given Name", "Middle Name", "Additional Name")
	l.add(h, "last_name", " ", false, "Last Name", "Family Name")
	l.add(h, "email", "", true, "E-mail 1 - Value", "E-mail 2 - Value", "E-mail 3 - Value")
	l.add(h, "company", "", true, "Organization Name", "Organization 1 - Name")
	l.add(h, "job_title", "", true, "Organization Title", "Organization 1 - Title")
	l.add(h, "address", "", true, "Address 1 - Formatted", "Address 2 - Formatted")
	l.add(h, "tags", " ::: ", false, "Labels", "Group Membership")
	for i := 1; i <= 9; i++ {
		val := h.col(fmt.Sprintf("Phone %d - Value", i))
		if len(val) == 0 {
			continue
		}
		label := append(h.col(fmt.Sprintf("Phone %d - Label", i), fmt.Sprintf("Phone %d - Type", i)), -1)[0]
		l.phones = append(l.phones, [2]int{label, val[0]})
		l.mapping[h.names[val[0]]] = "phone/mobile"
	}
	return l
}

func outlook(h header) *layout {
	l := &layout{name: LayoutOutlook, mapping: map[string]string{}}
	l.add(h, "name", " ", false, "First Name", "Middle Name", "Last Name")
	l.add(h, "email", "", true, "E-mail Address", "E-mail 2 Address", "E-mail 3 Address")
	l.add(h, "phone", "", true, "Business Phone", "Primary Phone", "Home Phone", "Company Main Telephone", "Other Phone", "Business Phone 2", "Home Phone 2")
	l.add(h, "mobile", "", true, "Mobile Phone")
	l.add(h, "job_title", "", true, "Job Title")
	l.add(h, "company", "", true, "Company")
	l.add(h, "address", ", ", false, "Business Street", "Business City", "Business State", "Business Postal Code", "Business Country/Region")
	l.add(h, "tags", ";", false, "Categories")
	return l
}

func hubspot(h header) *layout {
	l := &layout{name: LayoutHubSpot, mapping: map[string]string{}}
	l.add(h, "name", " ", false, "First Name", "Last Name")
	l.add(h, "email", "", true, "Email")
	l.add(h, "phone", "", true, "Phone Number")
	l.add(h, "mobile", "", true, "Mobile Phone Number")
	l.add(h, "job_title", "", true, "Job Title")
	l.add(h, "company", "", true, "Company Name", "Associated Company")
	l.add(h, "address", ", ", false, "Street Address", "City", "State/Region", "Postal Code", "Country/Region")
	l.add(h, "stage", "", true, "Lifecycle Stage")
	l.add(h, "owner", "", true, "Contact owner")
	return l
}

// synonyms are the column names (folded) generic recognises per field.
var contactSynonyms = map[string][]string{
	"name":       {"name", "full name", "nome", "nome completo", "contact", "contato", "contact name"},
	"first_name": {"first name", "given name", "primeiro nome", "nome proprio"},
	"last_name":  {"last name", "family name", "surname", "sobrenome", "ultimo nome"},
	"email":      {"email", "e mail", "email address", "e mail address", "endereco de email", "endereco de e mail", "correio eletronico"},
	"phone":      {"phone", "telephone", "phone number", "telefone", "tel", "fone", "business phone", "telefone comercial"},
	"mobile":     {"mobile", "mobile phone", "cell", "cell phone", "celular", "telemovel", "whatsapp"},
	"job_title":  {"job title", "title", "position", "cargo", "funcao"},
	"address":    {"address", "street address", "endereco", "morada"},
	"company":    {"company", "company name", "organization", "organisation", "empresa", "organizacao"},
	"tags":       {"tags", "labels", "etiquetas", "marcadores", "categories", "categorias"},
	"source":     {"source", "lead source", "origem", "fonte"},
	"stage":      {"stage", "lifecycle stage", "etapa", "estagio", "fase"},
	"owner":      {"owner", "contact owner", "responsavel", "dono"},
}

var companySynonyms = map[string][]string{
	"name":     {"name", "company", "company name", "nome", "empresa", "razao social", "nome fantasia"},
	"domain":   {"domain", "website", "web site", "site", "web page", "dominio", "company domain name"},
	"phone":    {"phone", "telephone", "phone number", "telefone", "tel"},
	"address":  {"address", "street address", "endereco", "morada"},
	"city":     {"city", "cidade", "municipio"},
	"country":  {"country", "country region", "pais"},
	"industry": {"industry", "setor", "segmento", "ramo"},
}

func generic(kind string, h header) (*layout, error) {
	syn, fields := contactSynonyms, ContactFields
	if kind == KindCompanies {
		syn, fields = companySynonyms, CompanyFields
	} else if kind == KindOrders {
		syn, fields = orderSynonyms, OrderFields
	}
	l := &layout{name: LayoutGeneric, mapping: map[string]string{}}
	used := map[int]bool{}
	for _, field := range fields {
		for _, s := range syn[field] {
			if i, ok := h.index[s]; ok && !used[i] {
				used[i] = true
				l.joins = append(l.joins, join{field: field, cols: []int{i}, first: true})
				l.mapping[h.names[i]] = field
				break
			}
		}
	}
	if err := l.usable(kind); err != nil {
		return nil, fmt.Errorf("%w; columns found: %s (map them by hand with a mapping)", err, strings.Join(h.names, ", "))
	}
	return l, nil
}

// mapped is the user's own mapping: file column -> field.
func mapped(kind string, h header, mapping map[string]string) (*layout, error) {
	l := &layout{name: LayoutMapped, mapping: map[string]string{}}
	var missing []string
	byField := map[string][]int{}
	var order []string
	for column, field := range mapping {
		if field == "" {
			continue
		}
		i, ok := h.index[fold(column)]
		if !ok {
			missing = append(missing, column)
			continue
		}
		if _, seen := byField[field]; !seen {
			order = append(order, field)
		}
		byField[field] = append(byField[field], i)
		l.mapping[h.names[i]] = field
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("the mapping names columns the file does not have: %s", strings.Join(missing, ", "))
	}
	slices.Sort(order)
	for _, field := range order {
		cols := byField[field]
		slices.Sort(cols)
		sep := " "
		if field == "address" {
			sep = ", "
		} else if field == "tags" {
			sep = ","
		}
		l.joins = append(l.joins, join{field: field, cols: cols, sep: sep})
	}
	if err := l.usable(kind); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *layout) usable(kind string) error {
	has := map[string]bool{}
	for _, j := range l.joins {
		has[j.field] = true
	}
	if len(l.phones) > 0 {
		has["phone"] = true
	}
	if kind == KindOrders {
		return ordersUsable(has)
	}
	if kind == KindCompanies {
		if !has["name"] {
			return fmt.Errorf("no column holds the company name")
		}
		return nil
	}
	if !has["name"] && !has["first_name"] && !has["last_name"] && !has["email"] {
		return fmt.Errorf("no column holds a name or an email")
	}
	return nil
}

// CheckMapping tells whether every target of mapping is a field of kind.
func CheckMapping(kind string, mapping map[string]string) error {
	fields := FieldsOf(kind)
	for column, field := range mapping {
		// A custom field (cf_...) is checked against the collection when the run starts.
		if field != "" && !slices.Contains(fields, field) && !crm.IsCustomField(field) {
			return fmt.Errorf("column %q maps to %q, which is not a %s field (one of: %s)", column, field, strings.TrimSuffix(kind, "s"), strings.Join(fields, ", "))
		}
	}
	return nil
}
