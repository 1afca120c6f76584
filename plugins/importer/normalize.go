package importer

import (
	"net/mail"
	"slices"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// CleanName trims a name and collapses its inner runs of spaces.
func CleanName(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// NormalizeEmail lower-cases and checks an address. "" stays "".
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "mailto:")
	if s == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", codedError("email_invalid", map[string]any{"value": s}, "%q is not an email address", s)
	}
	return s, nil
}

// NormalizePhone writes a phone number in E.164 (+5511987654321), reading
// numbers without a country code as numbers of country (ISO 3166 alpha-2,
// the business's). "" stays "".
func NormalizePhone(s, country string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if strings.HasPrefix(s, "00") { // international prefix as dialled in Europe and Brazil
		s = "+" + strings.TrimLeft(s[2:], " ")
	}
	n, err := phonenumbers.Parse(s, strings.ToUpper(country))
	if err != nil {
		return "", codedError("phone_invalid", map[string]any{"value": s}, "%q is not a phone number", s)
	}
	if !phonenumbers.IsPossibleNumber(n) {
		region := regionOf(n, country)
		return "", codedError("phone_impossible", map[string]any{"value": s, "country": region}, "%q is not a possible phone number in %s", s, region)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

func regionOf(n *phonenumbers.PhoneNumber, fallback string) string {
	if r := phonenumbers.GetRegionCodeForNumber(n); r != "" && r != "ZZ" {
		return r
	}
	return strings.ToUpper(fallback)
}

// fold lower-cases s, removes accents (João -> joao) and keeps letters and
// digits as space-separated words.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	out = strings.ToLower(out)
	return strings.Join(strings.FieldsFunc(out, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// companySuffixes are legal forms that do not tell companies apart.
var companySuffixes = map[string]bool{
	"ltda": true, "ltd": true, "sa": true, "s": true, "a": true, "me": true, "epp": true, "eireli": true,
	"inc": true, "llc": true, "co": true, "corp": true, "gmbh": true, "lda": true, "plc": true, "limited": true,
}

// CompanyKey is the form under which two spellings of one company name
// meet: folded, without legal forms ("Padaria Pão Doce Ltda." = "padaria pao doce").
func CompanyKey(name string) string {
	words := strings.Fields(fold(name))
	kept := words[:0]
	for i, w := range words {
		if i > 0 && companySuffixes[w] {
			continue
		}
		kept = append(kept, w)
	}
	return strings.Join(kept, " ")
}

// NameKey is the name + company similarity measure of duplicates: two
// contacts are the same person when their names are equal once folded
// (case, accents, punctuation) with their words in sorted order, and their
// companies' CompanyKey is equal ("Conceição, João" at "Padaria Pão Doce
// Ltda" = "joão conceicao" at "PADARIA PAO DOCE"). A name of one word, or a
// name without a company, is too weak to match on (two José Silva are two
// people) and gives no key.
func NameKey(name, company string) string {
	words := strings.Fields(fold(name))
	companyKey := CompanyKey(company)
	if len(words) < 2 || companyKey == "" {
		return ""
	}
	slices.Sort(words)
	return strings.Join(words, " ") + "|" + companyKey
}

// splitTags reads tags written as "a, b; c" or Google's "a ::: b".
func splitTags(s string) []string {
	s = strings.ReplaceAll(s, ":::", ",")
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		t = CleanName(strings.TrimPrefix(strings.TrimSpace(t), "* "))
		if t == "" || t == "myContacts" || t == "*" || seen[strings.ToLower(t)] {
			continue
		}
		seen[strings.ToLower(t)] = true
		out = append(out, t)
	}
	return out
}

// normalizeDomain reads a web address or a domain as a bare domain.
func normalizeDomain(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	return s
}
