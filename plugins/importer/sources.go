package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
)

// Problem is one reason a row was not imported.
type Problem struct {
	Line   int            `json:"line"`
	Field  string         `json:"field"`
	Value  string         `json:"value,omitempty"`
	Code   string         `json:"code,omitempty"`   // why, for the workspace to word in the reader's language (import.error.<code>)
	Params map[string]any `json:"params,omitempty"` // the values the code's wording names
	Reason string         `json:"reason"`           // why, in English: the command line and errors.csv
}

func (p Problem) String() string {
	if p.Field == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", p.Line, p.Field, p.Reason)
}

// Row is one record of a file: its first line and its values, or the
// problems that keep it out.
type Row struct {
	Line     int
	Values   Values
	Problems []Problem
}

// source yields a file's rows; io.EOF at the end.
type source interface {
	Next() (Row, error)
}

// csvSource reads CSV records with encoding/csv: quotes strict (no lazy
// quotes), every record checked against the header's field count, so a
// ragged row is reported with its line, not guessed at.
type csvSource struct {
	r       *csv.Reader
	dialect Dialect
	layout  *layout
	columns int
	names   []string
	done    bool
}

func newCSVSource(r io.Reader, d Dialect, kind string, mapping map[string]string) (*csvSource, error) {
	cr := csv.NewReader(d.Decoder(r))
	cr.Comma = d.Delimiter
	cr.LazyQuotes = false
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // the header decides, below
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ErrEmpty
		}
		return nil, fmt.Errorf("the header row cannot be read: %w", err)
	}
	names := make([]string, len(head))
	for i, n := range head {
		if d.Encoding != EncodingWindows1252 && !utf8.ValidString(n) {
			return nil, fmt.Errorf("line 1: the header is not valid UTF-8 text")
		}
		names[i] = strings.TrimSpace(n)
	}
	l, err := recognise(kind, names, mapping)
	if err != nil {
		return nil, err
	}
	cr.FieldsPerRecord = len(names)
	return &csvSource{r: cr, dialect: d, layout: l, columns: len(names), names: names}, nil
}

func (s *csvSource) Next() (Row, error) {
	if s.done {
		return Row{}, io.EOF
	}
	record, err := s.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			s.done = true
			return Row{}, io.EOF
		}
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return Row{}, err
		}
		switch {
		case errors.Is(pe.Err, csv.ErrFieldCount):
			p := coded(pe.StartLine, "csv_field_count", map[string]any{"fields": len(record), "columns": s.columns, "delimiter": string(s.dialect.Delimiter)},
				"the row has %d fields where the header has %d (a missing or extra %q?)", len(record), s.columns, s.dialect.Delimiter)
			if pe.Line > pe.StartLine {
				p = coded(pe.StartLine, "csv_field_count_quote", map[string]any{"fields": len(record), "columns": s.columns, "from": pe.StartLine, "to": pe.Line},
					"the row has %d fields where the header has %d, and a quoted field runs from line %d to %d: is a closing \" missing?", len(record), s.columns, pe.StartLine, pe.Line)
			}
			return Row{Line: pe.StartLine, Problems: []Problem{p}}, nil
		case errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine:
			// An opened quote that never closes swallows the lines after it.
			return Row{Line: pe.StartLine, Problems: []Problem{coded(pe.StartLine, "csv_unclosed_quote", map[string]any{"from": pe.StartLine, "to": pe.Line},
				"a quoted field opened on this line is never closed (unbalanced \"), so lines %d to %d could not be read", pe.StartLine, pe.Line)}}, nil
		case errors.Is(pe.Err, csv.ErrQuote):
			return Row{Line: pe.StartLine, Problems: []Problem{coded(pe.Line, "csv_quote", map[string]any{"column": pe.Column},
				"a \" inside a quoted field must be doubled (\"\"), or the field has text after its closing quote (column %d)", pe.Column)}}, nil
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return Row{Line: pe.StartLine, Problems: []Problem{coded(pe.Line, "csv_bare_quote", map[string]any{"column": pe.Column},
				"a \" inside a field that is not quoted (column %d): quote the field and double the \"", pe.Column)}}, nil
		}
		return Row{Line: pe.StartLine, Problems: []Problem{coded(pe.Line, "csv_unreadable", nil, "%s", pe.Err.Error())}}, nil
	}
	line, _ := s.r.FieldPos(0)
	if s.dialect.Encoding != EncodingWindows1252 {
		for i, f := range record {
			if !utf8.ValidString(f) {
				p := coded(line, "not_utf8", nil, "the text is not valid UTF-8 (is part of the file saved in another encoding?)")
				p.Field = s.columnName(i)
				return Row{Line: line, Problems: []Problem{p}}, nil
			}
		}
	}
	empty := true
	for _, f := range record {
		if strings.TrimSpace(f) != "" {
			empty = false
			break
		}
	}
	if empty {
		return Row{Line: line}, nil
	}
	return Row{Line: line, Values: s.layout.extract(record)}, nil
}

func (s *csvSource) columnName(i int) string {
	if i < len(s.names) && s.names[i] != "" {
		return s.names[i]
	}
	return fmt.Sprintf("column %d", i+1)
}

// vcardSource splits a file into cards by their BEGIN:VCARD and END:VCARD
// lines (keeping line numbers, which go-vcard does not) and decodes each card
// with go-vcard. A card with no END is reported, and reading goes on at the
// next BEGIN.
type vcardSource struct {
	r        *bufio.Reader
	line     int
	pending  []string // a BEGIN line read while looking for an END
	pendLine int
	done     bool
}

// maxCardBytes bounds one card, so a file that never ends a card cannot
// grow the reader without limit.
const maxCardBytes = 1 << 20

func newVCardSource(r io.Reader, d Dialect) *vcardSource {
	return &vcardSource{r: bufio.NewReaderSize(d.Decoder(r), 64<<10)}
}

func (s *vcardSource) readLine() (string, error) {
	var buf []byte
	for {
		part, err := s.r.ReadSlice('\n')
		if len(buf)+len(part) <= maxCardBytes {
			buf = append(buf, part...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && len(buf) == 0 {
			return "", err
		}
		s.line++
		return string(buf), nil
	}
}

func isMarker(line, marker string) bool {
	return strings.EqualFold(strings.TrimSpace(line), marker)
}

func (s *vcardSource) Next() (Row, error) {
	if s.done {
		return Row{}, io.EOF
	}
	var card bytes.Buffer
	start := 0
	if s.pending != nil {
		start = s.pendLine
		card.WriteString(s.pending[0])
		s.pending = nil
	}
	junk := 0
	for {
		l, err := s.readLine()
		if err != nil {
			s.done = true
			if !errors.Is(err, io.EOF) {
				return Row{}, err
			}
			if start > 0 {
				return Row{Line: start, Problems: []Problem{coded(start, "vcard_no_end", nil, "the card that begins on this line has no END:VCARD")}}, nil
			}
			if junk > 0 {
				return Row{Line: junk, Problems: []Problem{coded(junk, "vcard_outside", nil, "text outside any BEGIN:VCARD ... END:VCARD")}}, nil
			}
			return Row{}, io.EOF
		}
		if !utf8.ValidString(l) {
			l = strings.ToValidUTF8(l, "\uFFFD")
			if start > 0 {
				s.skipCard()
				return Row{Line: start, Problems: []Problem{coded(s.line, "not_utf8", nil, "the text is not valid UTF-8 (save the file as UTF-8)")}}, nil
			}
		}
		switch {
		case isMarker(l, "BEGIN:VCARD"):
			if start > 0 {
				s.pending, s.pendLine = []string{l}, s.line
				return Row{Line: start, Problems: []Problem{coded(start, "vcard_no_end_next", map[string]any{"next": s.line},
					"the card that begins on this line has no END:VCARD before the next card on line %d", s.line)}}, nil
			}
			if junk > 0 {
				s.pending, s.pendLine = []string{l}, s.line
				return Row{Line: junk, Problems: []Problem{coded(junk, "vcard_outside", nil, "text outside any BEGIN:VCARD ... END:VCARD")}}, nil
			}
			start = s.line
			card.WriteString(l)
		case start == 0:
			if strings.TrimSpace(l) != "" && junk == 0 {
				junk = s.line
			}
		default:
			if card.Len()+len(l) > maxCardBytes {
				s.skipCard()
				return Row{Line: start, Problems: []Problem{coded(start, "vcard_too_large", nil, "the card is larger than 1 MB")}}, nil
			}
			card.WriteString(l)
			if isMarker(l, "END:VCARD") {
				return s.decode(start, card.Bytes())
			}
		}
	}
}

// skipCard reads on to the card's END.
func (s *vcardSource) skipCard() {
	for {
		l, err := s.readLine()
		if err != nil {
			s.done = true
			return
		}
		if isMarker(l, "END:VCARD") {
			return
		}
	}
}

func (s *vcardSource) decode(line int, text []byte) (Row, error) {
	c, err := vcard.NewDecoder(bytes.NewReader(text)).Decode()
	if err != nil {
		return Row{Line: line, Problems: []Problem{coded(line, "vcard_unreadable", nil, "unreadable card: %s", strings.TrimPrefix(err.Error(), "vcard: "))}}, nil
	}
	v := Values{}
	if version := c.Value(vcard.FieldVersion); version != "" && version != "2.1" && version != "3.0" && version != "4.0" {
		p := coded(line, "vcard_version", nil, "unknown vCard version (2.1, 3.0 and 4.0 are read)")
		p.Field, p.Value = "VERSION", version
		return Row{Line: line, Problems: []Problem{p}}, nil
	}
	name := strings.TrimSpace(c.PreferredValue(vcard.FieldFormattedName))
	if name == "" {
		if n := c.Name(); n != nil {
			name = CleanName(strings.Join([]string{n.HonorificPrefix, n.GivenName, n.AdditionalName, n.FamilyName}, " "))
		}
	}
	v["name"] = name
	v["email"] = c.PreferredValue(vcard.FieldEmail)
	for _, f := range c[vcard.FieldTelephone] {
		field := "phone"
		if f.Params.HasType(vcard.TypeCell) || isMobileLabel(strings.Join(f.Params.Types(), " ")) {
			field = "mobile"
		}
		if v[field] == "" {
			v[field] = strings.TrimPrefix(f.Value, "tel:")
		}
	}
	if org := c.PreferredValue(vcard.FieldOrganization); org != "" {
		v["company"], _, _ = strings.Cut(org, ";")
	}
	v["job_title"] = c.PreferredValue(vcard.FieldTitle)
	if a := c.Address(); a != nil {
		var parts []string
		for _, p := range []string{a.PostOfficeBox, a.ExtendedAddress, a.StreetAddress, a.Locality, a.Region, a.PostalCode, a.Country} {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		v["address"] = strings.Join(parts, ", ")
	}
	if cats := c.Categories(); len(cats) > 0 {
		v["tags"] = strings.Join(cats, ",")
	}
	for k, s := range v {
		if s == "" {
			delete(v, k)
		}
	}
	if len(v) == 0 {
		return Row{Line: line}, nil
	}
	return Row{Line: line, Values: v}, nil
}

// IsVCard tells whether a file's first bytes are a vCard's.
func IsVCard(head []byte) bool {
	head = bytes.TrimPrefix(head, utf8BOM)
	head = bytes.TrimLeft(head, " \t\r\n")
	return len(head) >= 11 && strings.EqualFold(string(head[:11]), "BEGIN:VCARD")
}
