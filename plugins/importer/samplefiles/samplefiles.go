// Package samplefiles makes contact files shaped like the real exports of a
// Brazilian business whose customers share common names: Google Contacts
// (several emails and phones per row), Outlook (Windows-1252, semicolons,
// accented names) and HubSpot. Many people share a name and a company
// ("Maria Silva" at the same bakery) with emails and phones of their own —
// different people — beside true duplicates: the same email (in another
// case, or as a second address), the same phone in another spelling, or the
// same name and company with neither email nor phone. The files are meant
// to be imported in the order Google, Outlook, HubSpot into an empty
// database; each says what an import of it must count then (Want). For the
// importer's tests, the command line's and the benchmarks.
package samplefiles

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"unicode"
)

// Want is what an import of a file must count.
type Want struct {
	Rows      int64 // rows read
	Created   int64 // contacts created, Possible among them
	Duplicate int64 // rows that duplicate a record or an earlier row (skipped)
	Possible  int64 // created beside a record or row of the same name and company
}

// File is a generated export.
type File struct {
	Name string
	Data []byte
	Want Want
}

var firstNames = []string{"Maria", "José", "Ana", "João", "Antônio", "Francisca", "Carlos", "Paulo", "Pedro", "Lucas",
	"Luiz", "Marcos", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Raimundo",
	"Rodrigo", "Manoel", "Mateus", "André", "Fernando", "Fábio", "Leonardo", "Gustavo", "Guilherme", "Juliana",
	"Adriana", "Márcia", "Fernanda", "Patrícia", "Aline", "Sandra", "Camila", "Amanda", "Bruna", "Letícia"}

var surnames = []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
	"Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa",
	"Rocha", "Dias", "Nascimento", "Andrade", "Moreira"}

// Surnames no person of the first thousand has: the files' new people.
var newSurnames = []string{"Araújo", "Conceição", "Magalhães", "Gonçalves"}

// companies: the name as exported, another spelling of it (same company),
// and its web domain.
var companies = [][3]string{
	{"Padaria Pão Doce Ltda", "PADARIA PÃO DOCE", "paodoce.com.br"},
	{"Construtora Horizonte S.A.", "construtora horizonte", "horizonte.com.br"},
	{"Supermercado Bom Preço", "Supermercado Bom Preço Ltda.", "bompreco.com.br"},
	{"Clínica São Lucas", "CLINICA SAO LUCAS", "saolucas.med.br"},
	{"Transportes Rápido Ltda", "Transportes Rapido", "rapido.com.br"},
}

// person is someone of a file: a name, a company, and the emails and
// phones of the number n (each n its own).
type person struct {
	first, last string
	company     int
	n           int
}

// known is the i-th of the thousand people of the Google export (i < 1000):
// every name and company pair once.
func known(i int) person {
	return person{first: firstNames[i%40], last: surnames[(i/40)%25], company: i % 5, n: i}
}

// namesake has p's name and company, and emails and phones of number n.
func (p person) namesake(n int) person { p.n = n; return p }

func (p person) name() string { return p.first + " " + p.last }

func (p person) companyName() string { return companies[p.company][0] }

func (p person) email() string {
	return fmt.Sprintf("%s.%s.%d@%s", ascii(p.first), ascii(p.last), p.n, companies[p.company][2])
}

func (p person) gmail() string {
	return fmt.Sprintf("%s%s%d@gmail.com", ascii(p.first), ascii(p.last)[:1], p.n)
}

// mobile and work are p's phones in the spelling given: 0 "(11) 9xxxx-xxxx",
// 1 "+55 11 9xxxx xxxx", 2 "11 9xxxx-xxxx", 3 "+55 (11) 9xxxx-xxxx".
func (p person) mobile(spelling int) string { return spell("9", 1000_0000+p.n, spelling) }
func (p person) work(spelling int) string   { return spell("3", 100_0000+p.n, spelling) }

func spell(lead string, n, spelling int) string {
	digits := lead + fmt.Sprint(n)
	a, b := digits[:len(digits)-4], digits[len(digits)-4:]
	switch spelling {
	case 1:
		return "+55 11 " + a + " " + b
	case 2:
		return "11 " + a + "-" + b
	case 3:
		return "+55 (11) " + a + "-" + b
	}
	return "(11) " + a + "-" + b
}

// ascii folds a name for an address: "Antônio" -> "antonio".
func ascii(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, s)
	return strings.ToLower(out)
}

// table writes rows under header, each row a map of column -> value.
func table(header []string, comma rune, rows []map[string]string, seed uint64) []byte {
	rand.New(rand.NewPCG(seed, 21)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = comma
	w.UseCRLF = true
	w.Write(header)
	for _, r := range rows {
		record := make([]string, len(header))
		for i, h := range header {
			record[i] = r[h]
		}
		w.Write(record)
	}
	w.Flush()
	return buf.Bytes()
}

const googleHeader = "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Address 1 - Label,Address 1 - Formatted,Website 1 - Label,Website 1 - Value"

// Google is a Google Contacts export of 2,000 rows: the thousand people
// (two emails and two phones each, in "a ::: b" cells or in columns 1 and
// 2), 500 namesakes of them at their companies (other emails and phones:
// other people, created, possible duplicates), and 500 true duplicates:
// 100 by an email in capitals, 100 by a person's second email, 100 by the
// mobile in another spelling (with an email of their own), 100 by the work
// phone in another spelling, 100 by name and company (spelled otherwise)
// with neither email nor phone.
func Google() File {
	var rows []map[string]string
	row := func(p person, emails []string, phones [][2]string, company string) map[string]string {
		r := map[string]string{"First Name": p.first, "Last Name": p.last, "Organization Name": company,
			"Organization Title": "Comprador", "Labels": "* myContacts ::: Clientes"}
		if len(emails) == 2 && p.n%2 == 0 {
			emails = []string{emails[0] + " ::: " + emails[1]}
		}
		for i, e := range emails {
			r[fmt.Sprintf("E-mail %d - Label", i+1)] = "* Work"
			r[fmt.Sprintf("E-mail %d - Value", i+1)] = e
		}
		for i, ph := range phones {
			r[fmt.Sprintf("Phone %d - Label", i+1)] = ph[0]
			r[fmt.Sprintf("Phone %d - Value", i+1)] = ph[1]
		}
		return r
	}
	full := func(p person) map[string]string {
		return row(p, []string{p.email(), p.gmail()}, [][2]string{{"Mobile", p.mobile(0)}, {"Work", p.work(0)}}, p.companyName())
	}
	for i := range 1000 {
		rows = append(rows, full(known(i)))
	}
	for i := range 500 {
		rows = append(rows, full(known(i).namesake(1000+i)))
	}
	for i := 500; i < 600; i++ {
		p := known(i)
		rows = append(rows, row(p, []string{strings.ToUpper(p.email())}, nil, p.companyName()))
	}
	for i := 600; i < 700; i++ {
		p := known(i)
		rows = append(rows, row(p, []string{p.gmail()}, nil, p.companyName()))
	}
	for i := 700; i < 800; i++ {
		p := known(i)
		rows = append(rows, row(p, []string{p.namesake(2000 + i).email()}, [][2]string{{"Mobile", p.mobile(1)}}, p.companyName()))
	}
	for i := 800; i < 900; i++ {
		p := known(i)
		rows = append(rows, row(p, nil, [][2]string{{"Work", p.work(3)}}, p.companyName()))
	}
	for i := 900; i < 1000; i++ {
		p := known(i)
		rows = append(rows, row(p, nil, nil, companies[p.company][1]))
	}
	return File{Name: "google-contacts.csv", Data: table(strings.Split(googleHeader, ","), ',', rows, 1),
		Want: Want{Rows: 2000, Created: 1500, Duplicate: 500, Possible: 500}}
}

const outlookHeader = "First Name,Middle Name,Last Name,Title,Suffix,Nickname,Given Yomi,Surname Yomi,E-mail Address,E-mail 2 Address,E-mail 3 Address,Home Phone,Home Phone 2,Business Phone,Business Phone 2,Mobile Phone,Car Phone,Other Phone,Primary Phone,Pager,Business Fax,Home Fax,Other Fax,Company Main Telephone,Callback,Radio Phone,Telex,TTY/TDD Phone,IMAddress,Job Title,Department,Company,Office Location,Manager's Name,Assistant's Name,Assistant's Phone,Company Yomi,Business Street,Business City,Business State,Business Postal Code,Business Country/Region,Home Street,Home City,Home State,Home Postal Code,Home Country/Region,Other Street,Other City,Other State,Other Postal Code,Other Country/Region,Personal Web Page,Spouse,Schools,Hobby,Location,Web Page,Birthday,Anniversary,Notes,Categories"

// Outlook is an Outlook export (Windows-1252, semicolons) of 800 rows, to
// import after Google: 450 namesakes of the stored people (created,
// possible duplicates of records), 250 duplicates of stored people (50 by
// email in capitals, 50 by an email as E-mail 2 Address, 50 by the work
// phone and 50 by the mobile in other spellings, 50 by name and company with
// neither email nor phone), and 100 new people.
func Outlook() File {
	var rows []map[string]string
	row := func(p person, email, email2, business, mobile, company string) map[string]string {
		return map[string]string{"First Name": p.first, "Last Name": p.last, "E-mail Address": email, "E-mail 2 Address": email2,
			"Business Phone": business, "Mobile Phone": mobile, "Company": company, "Job Title": "Gerente de compras",
			"Business City": "São Paulo", "Categories": "Clientes;Atacado"}
	}
	full := func(p person) map[string]string {
		return row(p, p.email(), p.gmail(), p.work(2), p.mobile(2), p.companyName())
	}
	for i := range 450 {
		rows = append(rows, full(known(i).namesake(3000+i)))
	}
	for i := 0; i < 50; i++ {
		p := known(i)
		rows = append(rows, row(p, strings.ToUpper(p.email()), "", "", "", ""))
	}
	for i := 50; i < 100; i++ {
		p := known(i)
		rows = append(rows, row(p, p.namesake(3500+i).gmail(), p.email(), "", "", p.companyName()))
	}
	for i := 100; i < 150; i++ {
		p := known(i)
		rows = append(rows, row(p, "", "", p.work(1), "", p.companyName()))
	}
	for i := 150; i < 200; i++ {
		p := known(i)
		rows = append(rows, row(p, "", "", "", p.mobile(3), p.companyName()))
	}
	for i := 450; i < 500; i++ {
		p := known(i)
		rows = append(rows, row(p, "", "", "", "", companies[p.company][1]))
	}
	for i := range 100 {
		p := person{first: firstNames[i%25], last: newSurnames[i/25], company: i % 5, n: 4000 + i}
		rows = append(rows, full(p))
	}
	data, err := charmap.Windows1252.NewEncoder().Bytes(table(strings.Split(outlookHeader, ","), ';', rows, 2))
	if err != nil {
		panic(err) // every name of the lists above is in Windows-1252
	}
	return File{Name: "outlook.csv", Data: data, Want: Want{Rows: 800, Created: 550, Duplicate: 250, Possible: 450}}
}

const hubspotHeader = "Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Job Title,Company Name,Lifecycle Stage,Contact owner,Street Address,City,State/Region,Postal Code,Country/Region,Create Date,Lead Status"

// HubSpot is a HubSpot export of 400 rows, to import after Google and
// Outlook: 250 namesakes of stored people (created, possible duplicates),
// 50 duplicates by email, 50 by the mobile in another spelling, and 50 new
// people. (The Google export's rows of the same person are in a random
// order, so either may be the one stored: the duplicates here are of people
// that export has once, their namesakes aside.)
func HubSpot() File {
	var rows []map[string]string
	id := 9000
	row := func(p person, email, phone, mobile string) map[string]string {
		id++
		return map[string]string{"Record ID": fmt.Sprint(id), "First Name": p.first, "Last Name": p.last, "Email": email,
			"Phone Number": phone, "Mobile Phone Number": mobile, "Job Title": "Compradora", "Company Name": p.companyName(),
			"Lifecycle Stage": "customer", "City": "Campinas", "Country/Region": "Brazil", "Create Date": "2026-03-02 10:00"}
	}
	for i := 500; i < 750; i++ {
		p := known(i).namesake(5000 + i)
		rows = append(rows, row(p, p.email(), p.work(3), p.mobile(1)))
	}
	for i := 0; i < 50; i++ {
		p := known(i)
		rows = append(rows, row(p, p.email(), "", ""))
	}
	for i := 250; i < 300; i++ {
		p := known(i)
		rows = append(rows, row(p, "", "", p.mobile(3)))
	}
	for i := range 50 {
		p := person{first: firstNames[25+i%15], last: newSurnames[i%4], company: i % 5, n: 6000 + i}
		rows = append(rows, row(p, p.email(), "", p.mobile(0)))
	}
	return File{Name: "hubspot-contacts.csv", Data: table(strings.Split(hubspotHeader, ","), ',', rows, 3),
		Want: Want{Rows: 400, Created: 300, Duplicate: 100, Possible: 250}}
}
