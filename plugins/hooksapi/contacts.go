package hooksapi

import (
	"database/sql"
	"errors"
	"strings"
	"unicode"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/spf13/cast"

	"vinculo/crm"
)

// findContact finds one contact by id, email or phone: a string is tried
// as each in turn; an object names which ({id}, {email}, {phone}).
func findContact(app core.App, query any) (*core.Record, error) {
	var id, email, phone string
	switch q := query.(type) {
	case string:
		q = strings.TrimSpace(q)
		switch {
		case strings.Contains(q, "@"):
			email = q
		case strings.IndexFunc(q, unicode.IsLetter) < 0:
			phone = q
		default:
			id = q
		}
		if phone != "" && len(q) == 15 {
			id = q // ids are 15 characters; some are all digits
		}
	case map[string]any:
		id, email, phone = cast.ToString(q["id"]), cast.ToString(q["email"]), cast.ToString(q["phone"])
	default:
		return nil, router.NewBadRequestError("findContact: give an id, an email, a phone, or {id, email, phone}", nil)
	}
	first := func(filter string, params dbx.Params) (*core.Record, error) {
		r, err := app.FindFirstRecordByFilter(crm.Contacts, filter, params)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return r, err
	}
	if id != "" {
		if r, err := first("id = {:v}", dbx.Params{"v": id}); r != nil || err != nil {
			return r, err
		}
	}
	if email = strings.ToLower(strings.TrimSpace(email)); email != "" {
		if r, err := first("email = {:v}", dbx.Params{"v": email}); r != nil || err != nil {
			return r, err
		}
	}
	if phone = strings.TrimSpace(phone); phone != "" {
		digits := strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, phone)
		for _, v := range uniq(phone, "+"+digits, digits) {
			if v == "" || v == "+" {
				continue
			}
			if r, err := first("phone = {:v} || mobile = {:v}", dbx.Params{"v": v}); r != nil || err != nil {
				return r, err
			}
		}
	}
	return nil, nil
}

func uniq(values ...string) []string {
	var out []string
	for _, v := range values {
		dup := false
		for _, o := range out {
			dup = dup || o == v
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}
