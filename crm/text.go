package crm

import "unicode/utf8"

// Truncate shortens s to at most max characters (runes), without a mark: for
// values kept as they came (a user agent, an audit reason), where Clip's "…"
// would add a character nobody wrote.
func Truncate(s string, max int) string {
	if r := []rune(s); len(r) > max {
		return string(r[:max])
	}
	return s
}

// TruncateBytes shortens s to at most max bytes, without a mark. It counts
// bytes, not characters, and cuts before a character that would not fit
// whole.
func TruncateBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) { // never half a character
		max--
	}
	return s[:max]
}
