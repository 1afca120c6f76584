package importer

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encodings the reader recognises from a file's first bytes.
const (
	EncodingUTF8    = "utf-8"
	EncodingUTF8BOM = "utf-8-bom"
	// Excel in Portuguese (and most Western Windows setups) saves "CSV" in
	// Windows-1252, a superset of the printable Latin-1.
	EncodingWindows1252 = "windows-1252"
)

// Dialect is what DetectDialect found: how fields are separated and how the
// text is encoded.
type Dialect struct {
	Delimiter rune   `json:"delimiter"`
	Encoding  string `json:"encoding"`
}

// DelimiterName is the delimiter as people call it.
func (d Dialect) DelimiterName() string {
	switch d.Delimiter {
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return string(d.Delimiter)
}

// SniffSize is how many bytes DetectDialect looks at.
const SniffSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Errors of detection: a file that is no text table at all.
var (
	ErrEmpty  = errors.New("the file is empty")
	ErrBinary = errors.New("the file is not text (it holds NUL bytes): is it a spreadsheet (.xlsx) rather than a CSV?")
)

// DetectDialect reads the encoding and the delimiter from the first bytes of
// a CSV file (at most SniffSize). UTF-16 and binary files are refused.
//
// Encoding: a UTF-8 BOM says UTF-8; otherwise bytes that are valid UTF-8 are
// UTF-8 and anything else is Windows-1252 (which every byte sequence is).
// Delimiter: among comma, semicolon and tab, the one that splits the first
// lines (outside quotes) into the same number of fields, more than one; ties
// go to the one giving more fields, then to comma.
func DetectDialect(head []byte) (Dialect, error) {
	d := Dialect{Delimiter: ',', Encoding: EncodingUTF8}
	if len(head) > SniffSize {
		head = head[:SniffSize]
	}
	if bytes.HasPrefix(head, utf8BOM) {
		d.Encoding = EncodingUTF8BOM
		head = head[len(utf8BOM):]
	} else if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return d, errors.New("the file is UTF-16: save it as CSV UTF-8 (or plain CSV) and try again")
	}
	if len(bytes.TrimSpace(head)) == 0 {
		return d, ErrEmpty
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return d, ErrBinary
	}
	if d.Encoding == EncodingUTF8 && !validUTF8Prefix(head) {
		d.Encoding = EncodingWindows1252
	}
	d.Delimiter = sniffDelimiter(head)
	return d, nil
}

// validUTF8Prefix: head is valid UTF-8 except perhaps for a rune cut at its end.
func validUTF8Prefix(head []byte) bool {
	if utf8.Valid(head) {
		return true
	}
	for cut := 1; cut < utf8.UTFMax && cut < len(head); cut++ {
		if utf8.Valid(head[:len(head)-cut]) {
			return !utf8.FullRune(head[len(head)-cut:])
		}
	}
	return false
}

// sniffDelimiter counts each candidate per line (outside quotes) over the
// first lines of head.
func sniffDelimiter(head []byte) rune {
	candidates := []rune{',', ';', '\t'}
	const maxLines = 20
	counts := make([][]int, len(candidates))
	inQuotes := false
	line := make([]int, len(candidates))
	lines := 0
	for _, b := range head {
		switch {
		case b == '"':
			inQuotes = !inQuotes
		case b == '\n' && !inQuotes:
			for i := range candidates {
				counts[i] = append(counts[i], line[i])
				line[i] = 0
			}
			lines++
		case !inQuotes:
			for i, c := range candidates {
				if rune(b) == c {
					line[i]++
				}
			}
		}
		if lines >= maxLines {
			break
		}
	}
	if lines < maxLines && !inQuotes { // the last line, unless cut mid-quote
		for i := range candidates {
			if line[i] > 0 {
				counts[i] = append(counts[i], line[i])
			}
		}
	}
	best, bestScore := ',', -1
	for i, c := range candidates {
		if len(counts[i]) == 0 || counts[i][0] == 0 {
			continue
		}
		// Lines that agree with the header's count, then how many fields.
		agree := 0
		for _, n := range counts[i] {
			if n == counts[i][0] {
				agree++
			}
		}
		score := agree*1000 + min(counts[i][0], 999)
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

// Decoder returns r (positioned after the sniffed head is re-read) as UTF-8
// text: the BOM dropped, Windows-1252 converted.
func (d Dialect) Decoder(r io.Reader) io.Reader {
	switch d.Encoding {
	case EncodingUTF8BOM:
		return &skipPrefix{r: r, prefix: utf8BOM}
	case EncodingWindows1252:
		return charmap.Windows1252.NewDecoder().Reader(r)
	}
	return r
}

// skipPrefix drops prefix from the start of r, when it is there.
type skipPrefix struct {
	r      io.Reader
	prefix []byte
	done   bool
	buf    []byte
}

func (s *skipPrefix) Read(p []byte) (int, error) {
	if !s.done {
		s.done = true
		head := make([]byte, len(s.prefix))
		n, err := io.ReadFull(s.r, head)
		head = head[:n]
		if !bytes.Equal(head, s.prefix) {
			s.buf = head
		}
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return 0, err
		}
	}
	if len(s.buf) > 0 {
		n := copy(p, s.buf)
		s.buf = s.buf[n:]
		return n, nil
	}
	return s.r.Read(p)
}

// describe is the dialect for reports.
func (d Dialect) describe() map[string]any {
	return map[string]any{"delimiter": d.DelimiterName(), "encoding": d.Encoding}
}
