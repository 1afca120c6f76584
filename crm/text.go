package crm

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
// bytes, not characters: a character of several bytes at the cut is cut too.
func TruncateBytes(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return s[:max]
}
