package importer

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"vinculo/crm"
)

// checker collects a row's problems.
type checker struct {
	line     int
	problems []Problem
}

func (c *checker) fail(field, value, reason string) {
	if utf8.RuneCountInString(value) > 80 {
		value = string([]rune(value)[:80]) + "…"
	}
	c.problems = append(c.problems, Problem{Line: c.line, Field: field, Value: value, Reason: reason})
}

func (c *checker) text(field, value string, max int) string {
	value = strings.TrimSpace(value)
	if n := utf8.RuneCountInString(value); n > max {
		c.failCode(field, value, "too_long", map[string]any{"max": max, "n": n}, "longer than %d characters (%d)", max, n)
	}
	return value
}

func (c *checker) email(v string) string {
	e, err := NormalizeEmail(v)
	if err != nil {
		c.failErr("email", v, err)
	}
	return e
}

func (c *checker) phone(field, v, country string) string {
	p, err := NormalizePhone(v, country)
	if err != nil {
		c.failErr(field, v, err)
	}
	return p
}

// stageSynonyms: HubSpot's lifecycle stages and Portuguese names.
var stageSynonyms = map[string]string{
	"subscriber": "lead", "lead": "lead", "marketingqualifiedlead": "lead", "salesqualifiedlead": "lead", "mql": "lead", "sql": "lead",
	"opportunity": "prospect", "prospect": "prospect", "oportunidade": "prospect", "prospecto": "prospect",
	"customer": "customer", "evangelist": "customer", "cliente": "customer",
	"former": "former", "excliente": "former", "former customer": "former", "other": "",
}

func (c *checker) stage(v string) string {
	if v == "" {
		return ""
	}
	k := strings.ReplaceAll(fold(v), " ", "")
	if s, ok := stageSynonyms[k]; ok {
		return s
	}
	c.failCode("stage", v, "stage_unknown", map[string]any{"stages": strings.Join(crm.LifecycleStages, ", ")},
		"not a lifecycle stage (one of: %s)", strings.Join(crm.LifecycleStages, ", "))
	return ""
}

var domainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// domain is a company's web domain, lower-cased, without scheme or path.
func (c *checker) domain(v string) string {
	domain := normalizeDomain(v)
	if domain != "" && (len(domain) > 253 || !domainPattern.MatchString(domain)) {
		c.failCode("domain", v, "domain_invalid", nil, "not a domain name (like example.com)")
	}
	return domain
}

// countryCodes: country names people write instead of ISO codes.
var countryCodes = map[string]string{
	"brasil": "BR", "brazil": "BR", "portugal": "PT", "united states": "US", "estados unidos": "US", "usa": "US",
	"united kingdom": "GB", "reino unido": "GB", "uk": "GB", "argentina": "AR", "chile": "CL", "mexico": "MX",
	"espanha": "ES", "spain": "ES", "franca": "FR", "france": "FR", "alemanha": "DE", "germany": "DE",
	"angola": "AO", "mocambique": "MZ", "mozambique": "MZ", "uruguai": "UY", "uruguay": "UY", "paraguai": "PY",
}

// country is a two-letter ISO code, from the code or a country's name.
func (c *checker) country(v string) string {
	country := strings.TrimSpace(v)
	if country != "" {
		if code, ok := countryCodes[fold(country)]; ok {
			country = code
		} else if len(country) == 2 && strings.ToUpper(country) == strings.ToUpper(fold(country)) {
			country = strings.ToUpper(country)
		} else {
			c.failCode("country", country, "country_invalid", nil, "not a two-letter country code (like BR)")
		}
	}
	return country
}

// owner is the staff member a row names by email or name.
func (w *run) owner(c *checker, v string) string {
	if v = strings.TrimSpace(v); v == "" {
		return ""
	}
	if id, ok := w.staff[strings.ToLower(v)]; ok {
		return id
	}
	if id, ok := w.staff[fold(v)]; ok {
		return id
	}
	c.failCode("owner", v, "owner_unknown", nil, "no staff member has this email or name")
	return ""
}
