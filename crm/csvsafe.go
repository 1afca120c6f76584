package crm

// NeutraliseCell keeps a spreadsheet from reading a CSV cell as a formula
// (CSV injection): a cell that starts with =, +, -, @, a tab or a carriage
// return gets a leading apostrophe, which spreadsheets show as text. Every
// CSV file Vinculo hands out (exports, an import's error list) writes its
// cells through it.
func NeutraliseCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
