package contactcard

import (
	"bytes"
	"strings"
	"testing"

	"github.com/emersion/go-vcard"
)

func TestWriteReadsBackWithALibraryDecoder(t *testing.T) {
	var buf bytes.Buffer
	in := []Card{
		{ID: "c1", Name: "João Conceição", Email: "joao@example.com", Phone: "+551133334444", Mobile: "+5511999998888", JobTitle: "Diretor", Company: "Padaria; Pão & Cia", Address: "Rua A, 10; São Paulo", Tags: []string{"vip", "sp"}},
		{ID: "c2", Name: "Ana"},
	}
	if err := Write(&buf, in...); err != nil {
		t.Fatal(err)
	}
	dec := vcard.NewDecoder(&buf)
	first, err := dec.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got := first.PreferredValue(vcard.FieldFormattedName); got != "João Conceição" {
		t.Errorf("FN = %q", got)
	}
	if n := first.Name(); n == nil || n.FamilyName != "Conceição" || n.GivenName != "João" {
		t.Errorf("N = %+v", n)
	}
	if got := first.Value(vcard.FieldOrganization); got != "Padaria, Pão & Cia" {
		t.Errorf("ORG = %q", got)
	}
	if got := first.Values(vcard.FieldTelephone); len(got) != 2 {
		t.Errorf("TEL = %v", got)
	}
	if got := first.Value(vcard.FieldVersion); got != "4.0" {
		t.Errorf("VERSION = %q", got)
	}
	if a := first.Addresses(); len(a) != 1 || a[0].StreetAddress != "Rua A, 10, São Paulo" {
		t.Errorf("ADR = %+v", a)
	}
	second, err := dec.Decode()
	if err != nil || second.PreferredValue(vcard.FieldFormattedName) != "Ana" || !strings.HasSuffix(second.Value(vcard.FieldUID), ":c2") {
		t.Errorf("second card = %v, %v", second, err)
	}
}
