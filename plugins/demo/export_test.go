package demo

// SetCatchUpRows makes the bulk path catch the search index up every n
// rows (a small business in several steps) until restore is called.
func SetCatchUpRows(n int) (restore func()) {
	old := catchUpRows
	catchUpRows = n
	return func() { catchUpRows = old }
}
