package business

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Check refuses settings the business could not run on, naming the field:
// opening hours that do not read, an unknown time zone, a holiday that is
// not a date, a logo address that is neither https nor a path here.
// (The schema checks the rest: name, colour, country, language.)
func Check(r *core.Record) error {
	errs := validation.Errors{}
	if _, err := crm.ParseWeekHours(r.GetString("hours")); err != nil {
		errs["hours"] = validation.NewError("validation_business_hours", err.Error()).
			SetParams(map[string]any{"why": err.Error()})
	}
	if _, err := time.LoadLocation(r.GetString("timezone")); err != nil || r.GetString("timezone") == "" {
		errs["timezone"] = validation.NewError("validation_business_timezone",
			fmt.Sprintf("%q is not a time zone (like America/Sao_Paulo).", r.GetString("timezone"))).
			SetParams(map[string]any{"value": r.GetString("timezone")})
	}
	if _, bad, err := holidays(r); err != nil {
		errs["holidays"] = validation.NewError("validation_business_holidays",
			fmt.Sprintf("%q is not a date YYYY-MM-DD.", bad)).SetParams(map[string]any{"value": bad})
	}
	if u := r.GetString("logo_url"); u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "/") {
		errs["logo_url"] = validation.NewError("validation_business_logo_url",
			"The logo's address is an https URL or a path on this server, like /logo.png.")
	}
	if _, why := rates(r); why != "" {
		errs[crm.BusinessRates] = validation.NewError("validation_business_rates", why)
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// rates reads the conversion rates: {"USD": 5.2}, each a three-letter code
// and a positive number; why says what is wrong.
func rates(r *core.Record) (map[string]float64, string) {
	raw := strings.TrimSpace(r.GetString(crm.BusinessRates))
	out := map[string]float64{}
	if raw == "" || raw == "null" {
		return out, ""
	}
	var read map[string]any
	if err := json.Unmarshal([]byte(raw), &read); err != nil {
		return nil, `The rates are written {"USD": 5.2}: a currency code and what one unit is worth in the business's currency.`
	}
	for code, v := range read {
		n, ok := v.(float64)
		if len(code) != 3 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return nil, fmt.Sprintf("%q is not a three-letter currency code (like USD).", code)
		}
		if !ok || n <= 0 {
			return nil, fmt.Sprintf("The rate of %s is not a number above zero.", code)
		}
		out[code] = n
	}
	return out, ""
}

// holidays reads the closed days; bad is the first that is not a date.
func holidays(r *core.Record) (days []string, bad string, err error) {
	raw := strings.TrimSpace(r.GetString("holidays"))
	if raw == "" || raw == "null" {
		return nil, "", nil
	}
	if err := json.Unmarshal([]byte(raw), &days); err != nil {
		return nil, raw, err
	}
	for _, d := range days {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, d, err
		}
	}
	return days, "", nil
}

// FromRecord reads the settings row as the business's settings. The logo is
// the uploaded file, served by PocketBase's file API, or else the address
// the configuration gave.
func FromRecord(r *core.Record) (crm.Business, error) {
	hours, err := crm.ParseWeekHours(r.GetString("hours"))
	if err != nil {
		return crm.Business{}, err
	}
	days, _, err := holidays(r)
	if err != nil {
		return crm.Business{}, err
	}
	logo := r.GetString("logo_url")
	if file := r.GetString("logo"); file != "" {
		logo = "/api/files/" + crm.BusinessSettings + "/" + r.Id + "/" + file
	}
	rs, why := rates(r)
	if why != "" {
		return crm.Business{}, fmt.Errorf("rates: %s", why)
	}
	return crm.Business{
		Name: r.GetString("name"), Country: r.GetString("country"), Language: r.GetString("language"),
		Timezone: r.GetString("timezone"), Hours: hours, Holidays: days, LogoURL: logo, Color: r.GetString("color"),
		Currency: r.GetString(crm.BusinessCurrency), Rates: rs,
		ChurnDays:             r.GetInt(crm.BusinessChurnDays),
		ProfilingNeedsConsent: r.GetBool(crm.BusinessProfilingNeedsConsent),
		DiscountRate:          r.GetFloat(crm.BusinessDiscountRate),
	}, nil
}
