package requests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"vinculo/crm"
)

// Text is words a person reads on a request type — a field's label or help,
// a status's public label — written either once for every language
// ("Address") or per language ({"en": "Address", "pt-BR": "Endereço"}; one
// language may be left out). Types saved before labels had languages hold
// plain strings and read as before.
type Text struct {
	Plain  string            // the words for every language
	ByLang map[string]string // the words per language, when given so
}

// PlainText is a Text that reads the same in every language.
func PlainText(s string) Text { return Text{Plain: s} }

// UnmarshalJSON reads a string, an object of language -> string, or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	*t = Text{}
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		return json.Unmarshal(b, &t.Plain)
	case b[0] == '{':
		return json.Unmarshal(b, &t.ByLang)
	}
	return fmt.Errorf("a label is text or an object of language -> text")
}

// MarshalJSON writes the Text back in the shape it was given.
func (t Text) MarshalJSON() ([]byte, error) {
	if t.ByLang != nil {
		return json.Marshal(t.ByLang)
	}
	return json.Marshal(t.Plain)
}

// In is the words for lang: its own, else English, else any language given,
// else the plain words.
func (t Text) In(lang string) string {
	if v := strings.TrimSpace(t.ByLang[lang]); v != "" {
		return v
	}
	for _, l := range crm.Languages {
		if v := strings.TrimSpace(t.ByLang[l]); v != "" {
			return v
		}
	}
	return strings.TrimSpace(t.Plain)
}

// IsZero says nothing was given (the JSON leaves it out).
func (t Text) IsZero() bool { return t.Plain == "" && t.ByLang == nil }

// Blank says the Text has no words in any language.
func (t Text) Blank() bool { return t.In("en") == "" }

// unknownLanguage is the first language key the UI does not speak, or "".
func (t Text) unknownLanguage() string {
	keys := make([]string, 0, len(t.ByLang))
	for k := range t.ByLang {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(crm.Languages, k) {
			return k
		}
	}
	return ""
}

// statusJSON is a Status as stored, its public label a plain string or per language.
type statusJSON struct {
	Key         string `json:"key"`
	Label       string `json:"label"`
	PublicLabel Text   `json:"public_label"`
	Closed      bool   `json:"closed"`
}

// UnmarshalJSON reads a status whose public label is plain or per language.
func (s *Status) UnmarshalJSON(b []byte) error {
	var in statusJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*s = Status{Key: in.Key, Label: in.Label, PublicLabel: in.PublicLabel.Plain, PublicLabels: in.PublicLabel.ByLang, Closed: in.Closed}
	return nil
}

// MarshalJSON writes the public label per language when it was given so.
func (s Status) MarshalJSON() ([]byte, error) {
	return json.Marshal(statusJSON{Key: s.Key, Label: s.Label, PublicLabel: s.Public(), Closed: s.Closed})
}

// Public is the status's public label as a Text.
func (s Status) Public() Text { return Text{Plain: s.PublicLabel, ByLang: s.PublicLabels} }

// PublicIn is the label a customer who reads lang sees.
func (s Status) PublicIn(lang string) string { return s.Public().In(lang) }
