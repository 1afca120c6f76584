// Package mentions: a colleague named with "@" in a note is told (issue 16).
//
// A mention is kept in the note's own text as a token, @[Name](staff-id),
// written by the workspace's note boxes when a colleague is picked from the
// suggestions. Kept in the text rather than in a relation field because the
// token sits where the name was written (the workspace shows a chip there,
// with the colleague's current name), it survives copying, drafts and the
// history of a note's edits as they are, and it needs no change to the
// three places notes live (timeline notes, deal notes, request notes).
//
// Only staff read the tokens: on whatever a customer may read (a public
// timeline entry, a public reply on a request) and on whatever a customer
// or another system wrote, the server turns every token back into a plain
// "@Name" before it is saved, and nobody is told.
package mentions

import (
	"regexp"
	"strings"
)

// token is @[Name](staff-id): a name of up to 100 characters without
// brackets or line breaks, and a PocketBase record id.
var token = regexp.MustCompile(`@\[([^\[\]\n]{1,100})\]\(([a-z0-9]{15})\)`)

// Mention is one colleague named in a text.
type Mention struct {
	Name  string // the name as written when the note was saved
	Staff string // their staff id
}

// Parse lists the colleagues a text mentions, each once, in the order they
// first appear.
func Parse(text string) []Mention {
	var out []Mention
	seen := map[string]bool{}
	for _, m := range token.FindAllStringSubmatch(text, -1) {
		if seen[m[2]] {
			continue
		}
		seen[m[2]] = true
		out = append(out, Mention{Name: strings.TrimSpace(m[1]), Staff: m[2]})
	}
	return out
}

// Flatten turns every token into the plain name ("@Name"): what a reader
// who must not see staff ids gets.
func Flatten(text string) string {
	return token.ReplaceAllStringFunc(text, func(s string) string {
		m := token.FindStringSubmatch(s)
		return "@" + strings.TrimSpace(m[1])
	})
}

// Token is the way a text names colleague staffID, called name.
func Token(name, staffID string) string {
	name = strings.NewReplacer("[", "(", "]", ")", "\n", " ", "\r", " ").Replace(strings.TrimSpace(name))
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	return "@[" + name + "](" + staffID + ")"
}

// Newly lists who now mentions and before did not.
func Newly(before, now string) []Mention {
	had := map[string]bool{}
	for _, m := range Parse(before) {
		had[m.Staff] = true
	}
	var out []Mention
	for _, m := range Parse(now) {
		if !had[m.Staff] {
			out = append(out, m)
		}
	}
	return out
}

// Excerpt is the first words of a text, with mentions as plain names, for
// a notification.
func Excerpt(text string, max int) string {
	s := strings.Join(strings.Fields(Flatten(text)), " ")
	if r := []rune(s); len(r) > max {
		return strings.TrimSpace(string(r[:max-1])) + "…"
	}
	return s
}
