package crm

import (
	"testing"
	"unicode/utf8"
)

// TruncateBytes never leaves half a character: "ação" is a, ç (2 bytes),
// ã (2 bytes), o.
func TestTruncateBytesKeepsCharactersWhole(t *testing.T) {
	for max, want := range map[int]string{0: "", 1: "a", 2: "a", 3: "aç", 4: "aç", 5: "açã", 6: "ação", 9: "ação"} {
		got := TruncateBytes("ação", max)
		if got != want || !utf8.ValidString(got) {
			t.Errorf("TruncateBytes(ação, %d) = %q, want %q", max, got, want)
		}
	}
}
