package search

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Limits of q: a search box, not a document.
const (
	maxQueryRunes = 200
	maxTerms      = 12
	minWordRunes  = 2 // shorter words match whole tokens only (a 1-letter prefix would expand to much of the index)
)

// query is q made safe for FTS5 MATCH, plus the folded words used to rank
// name matches first.
type query struct {
	match string   // the FTS5 expression: every word a prefix
	whole string   // the same with the words longer than the prefix indexes matched whole; "" when it is match
	words []string // folded words of q, in order, phone numbers left out
}

// longestIndexedPrefix is the longest of the index's prefix indexes (see
// CreateTablesSQL). A prefix of up to this many letters reads one list of
// documents, in order, from its prefix index, as a whole word does; a
// longer one makes FTS5 merge the lists of every word that starts with it
// before the first match comes out, which for a common word (proposta in a
// million timeline entries) costs hundreds of milliseconds. So the search
// looks for such words whole first (see candidates).
const longestIndexedPrefix = 3

// parseQuery turns what a person typed into an FTS5 expression in which every
// word is a quoted string: FTS5 syntax in q (quotes, AND, OR, NOT, NEAR, *, -,
// ^, :, parentheses) is then plain text that the tokenizer splits like the
// indexed text. Words match as prefixes (joa finds João). A run of words made
// of digits and phone punctuation holding at least 7 digits is a phone number:
// its digits, joined, match the indexed digit suffixes, or the words as a
// phrase in free text. problem, when not empty, says what is wrong with q.
func parseQuery(q string) (out query, problem string) {
	if utf8.RuneCountInString(q) > maxQueryRunes {
		return query{}, fmt.Sprintf("Search for at most %d characters.", maxQueryRunes)
	}
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(q, " "))
	fields := strings.Fields(q)
	var terms, whole []string
	long, differs := false, false
	word := func(w string) {
		n := alnumCount(w)
		if n == 0 {
			return // only punctuation: no token, nothing to match
		}
		long = long || n >= minWordRunes
		term := `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
		wholeTerm := term
		if n >= minWordRunes {
			term += "*"
			if n <= longestIndexedPrefix {
				wholeTerm = term
			}
		}
		differs = differs || wholeTerm != term
		terms, whole = append(terms, term), append(whole, wholeTerm)
		out.words = append(out.words, foldedWords(w)...)
	}
	for i := 0; i < len(fields); {
		j := i
		for j < len(fields) && phoneish(fields[j]) {
			j++
		}
		if j == i {
			word(fields[i])
			i++
			continue
		}
		run := fields[i:j]
		digits := digitsOf(strings.Join(run, ""))
		if len(digits) >= minPhoneDigits {
			long = true
			phrase := strings.Join(run, " ")
			term := `("` + digits + `"* OR "` + strings.ReplaceAll(phrase, `"`, `""`) + `")`
			terms, whole = append(terms, term), append(whole, term)
		} else {
			for _, w := range run {
				word(w)
			}
		}
		i = j
	}
	if !long {
		return query{}, fmt.Sprintf("Type at least %d letters or digits.", minWordRunes)
	}
	if len(terms) > maxTerms {
		return query{}, fmt.Sprintf("Search for at most %d words.", maxTerms)
	}
	out.match = strings.Join(terms, " ")
	if differs {
		out.whole = strings.Join(whole, " ")
	}
	return out, ""
}

func alnumCount(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			n++
		}
	}
	return n
}

// phoneish: digits with the punctuation people write numbers with.
func phoneish(w string) bool {
	hasDigit := false
	for _, r := range w {
		switch {
		case r >= '0' && r <= '9':
			hasDigit = true
		case strings.ContainsRune("+()-./", r):
		default:
			return false
		}
	}
	return hasDigit
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// folders are the accent-stripping transformers fold uses: making one costs
// more than folding a name, and a search folds every candidate's name.
var folders = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// fold lowercases and strips accents, as the index's tokenizer does.
func fold(s string) string {
	t := folders.Get().(transform.Transformer)
	defer folders.Put(t)
	out, _, err := transform.String(t, s) // resets t first
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

func foldedWords(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// Name match tiers, best first.
const (
	tierExact  = iota // the name is the query: "joao conceicao" = João Conceição
	tierPrefix        // the name starts with the query: "joa" finds João Conceição
	tierWords         // every word of the query starts a word of the name
	tierOther         // the match is elsewhere
)

// nameTier says how a record's name matches the query's words.
func nameTier(name string, words []string) int {
	if len(words) == 0 {
		return tierOther
	}
	nw := foldedWords(name)
	if len(nw) == len(words) && strings.Join(nw, " ") == strings.Join(words, " ") {
		return tierExact
	}
	if len(nw) >= len(words) {
		prefix := true
		for i, w := range words {
			if i == len(words)-1 {
				prefix = prefix && strings.HasPrefix(nw[i], w)
			} else {
				prefix = prefix && nw[i] == w
			}
		}
		if prefix {
			return tierPrefix
		}
	}
	for _, w := range words {
		found := false
		for _, n := range nw {
			if strings.HasPrefix(n, w) {
				found = true
				break
			}
		}
		if !found {
			return tierOther
		}
	}
	return tierWords
}

// Match is the FTS5 expression of what a person typed, as the search box
// builds it (prefix words, phone numbers), for other capabilities that
// filter by the index (exports). The error says what is wrong with q.
func Match(q string) (string, error) {
	out, problem := parseQuery(q)
	if problem != "" {
		return "", fmt.Errorf("%s", problem)
	}
	return out.match, nil
}
