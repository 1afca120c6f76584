// Package contactcard turns a contact into a vCard 4.0 card, for the
// exports, the customer's "my data" download and anything else that hands
// a contact to an address book. Reading cards is the importer's job.
package contactcard

import (
	"io"
	"strings"

	"github.com/emersion/go-vcard"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Card is a contact as an address book sees it.
type Card struct {
	ID       string
	Name     string
	Email    string
	Phone    string
	Mobile   string
	JobTitle string
	Company  string
	Address  string
	Tags     []string
	Updated  string // RFC 3339 or PocketBase's date text; empty leaves REV out
}

// FromRecord reads a contacts record; company is the company's name (the
// caller has it, or an empty string).
func FromRecord(r *core.Record, company string) Card {
	var tags []string
	_ = r.UnmarshalJSONField("tags", &tags)
	updated := ""
	if d := r.GetDateTime("updated"); !d.IsZero() {
		updated = d.Time().UTC().Format("20060102T150405Z")
	}
	return Card{
		ID:       r.Id,
		Name:     r.GetString("name"),
		Email:    r.GetString(crm.FieldEmail),
		Phone:    r.GetString("phone"),
		Mobile:   r.GetString("mobile"),
		JobTitle: r.GetString("job_title"),
		Company:  company,
		Address:  r.GetString("address"),
		Tags:     tags,
		Updated:  updated,
	}
}

// VCard builds the vCard 4.0 card.
func (c Card) VCard() vcard.Card {
	card := vcard.Card{}
	card.SetValue(vcard.FieldVersion, "4.0")
	card.SetKind(vcard.KindIndividual)
	card.SetValue(vcard.FieldFormattedName, c.Name)
	given, family := splitName(c.Name)
	card.SetName(&vcard.Name{GivenName: given, FamilyName: family})
	if c.ID != "" {
		card.SetValue(vcard.FieldUID, "urn:vinculo:contact:"+c.ID)
	}
	if c.Email != "" {
		card.AddValue(vcard.FieldEmail, c.Email)
	}
	if c.Phone != "" {
		card.Add(vcard.FieldTelephone, &vcard.Field{Value: c.Phone, Params: vcard.Params{vcard.ParamType: {vcard.TypeWork, vcard.TypeVoice}}})
	}
	if c.Mobile != "" {
		card.Add(vcard.FieldTelephone, &vcard.Field{Value: c.Mobile, Params: vcard.Params{vcard.ParamType: {vcard.TypeCell}}})
	}
	if c.JobTitle != "" {
		card.SetValue(vcard.FieldTitle, c.JobTitle)
	}
	if c.Company != "" {
		card.SetValue(vcard.FieldOrganization, unstructured(c.Company))
	}
	if c.Address != "" {
		// One free-text line: Vinculo keeps the address as the person wrote it.
		card.AddAddress(&vcard.Address{StreetAddress: unstructured(c.Address)})
	}
	if len(c.Tags) > 0 {
		card.SetValue(vcard.FieldCategories, strings.Join(c.Tags, ","))
	}
	if c.Updated != "" {
		card.SetValue(vcard.FieldRevision, c.Updated)
	}
	return card
}

// Write encodes cards one after the other, as address books expect a
// multi-card .vcf file.
func Write(w io.Writer, cards ...Card) error {
	enc := vcard.NewEncoder(w)
	for _, c := range cards {
		if err := enc.Encode(c.VCard()); err != nil {
			return err
		}
	}
	return nil
}

// splitName: the last word is the family name, the rest the given names.
// Good enough for N; FN keeps the name exactly as written.
func splitName(name string) (given, family string) {
	name = strings.TrimSpace(name)
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return name, ""
	}
	return strings.TrimSpace(name[:i]), name[i+1:]
}

// unstructured keeps a free-text value in one component of a structured
// property (ADR, ORG): the vCard library does not escape ';', so a ';' the
// person typed becomes ','.
func unstructured(s string) string {
	return strings.ReplaceAll(s, ";", ",")
}
