package orders

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// LineRequest is one line as the customer shapes it: a product (its id),
// their answer to each option by key, and how many. It never carries a
// price: the server prices every line from the product as it is now.
type LineRequest struct {
	Product  string         `json:"product"`
	Choices  map[string]any `json:"choices,omitempty"`
	Quantity int            `json:"quantity,omitempty"`
}

// Chosen is one answer on a priced line, worded in the customer's language,
// with what it adds to the price of one.
type Chosen struct {
	Option string  `json:"option"`
	Kind   string  `json:"kind"`
	Label  string  `json:"label"`
	Value  string  `json:"value,omitempty"` // the answer's name, the count or the text; empty for an add-on
	Price  float64 `json:"price"`
}

// PricedLine is a line as the server prices it: the product's price, each
// answer's effect, the price of one and of the line.
type PricedLine struct {
	Product   string         `json:"product"` // the product's id
	Code      string         `json:"code"`
	Name      string         `json:"name"`
	Quantity  int            `json:"quantity"`
	Base      float64        `json:"base"`
	UnitPrice float64        `json:"unit_price"`
	Total     float64        `json:"total"`
	Currency  string         `json:"currency"`
	Interval  string         `json:"interval,omitempty"`
	NeedsTime string         `json:"needs_time,omitempty"`
	Options   []Chosen       `json:"options"`
	Choices   map[string]any `json:"choices"` // the answers as the server read them
}

// MaxLineQuantity is the most of one line a customer orders at once.
const MaxLineQuantity = 999

// cents turns money into whole cents, so sums do not drift.
func cents(v float64) int64 { return int64(math.Round(v * 100)) }

func money(c int64) float64 { return float64(c) / 100 }

// Price prices one line of product as req shapes it: the product's price
// plus each answer's effect (a choice's answer, an add-on taken, each unit of
// a quantity, a text written), never below 0, times the line's quantity.
// The answers must follow the product's options: known options only, an
// answer among a choice's, a quantity within its limits, a text within its
// length, the required ones answered, and an option that depends on a
// choice only with that choice. An error names the field under at
// ("choices.router", or "lines.2.quantity" with at "lines.2.").
func Price(product *core.Record, req LineRequest, lang, at string) (PricedLine, error) {
	opts := OptionsOf(product)
	line := PricedLine{
		Product: product.Id, Code: product.GetString("code"), Name: product.GetString("name"),
		Quantity: req.Quantity, Base: product.GetFloat("price"), Currency: product.GetString("currency"),
		Interval: product.GetString("interval"), NeedsTime: product.GetString(crm.ProductNeedsTime),
		Options: []Chosen{}, Choices: map[string]any{},
	}
	if line.Quantity == 0 {
		line.Quantity = 1
	}
	if line.Quantity < 1 || line.Quantity > MaxLineQuantity {
		return line, bad(at+"quantity", "validation_line_quantity", fmt.Sprintf("Order between 1 and %d.", MaxLineQuantity), map[string]any{"min": 1, "max": MaxLineQuantity})
	}
	known := map[string]bool{}
	for _, o := range opts {
		known[o.Key] = true
	}
	for k := range req.Choices {
		if !known[k] {
			return line, bad(at+"choices."+k, "validation_unknown_option", "This product has no option "+k+".", map[string]any{"label": k})
		}
	}
	picked, err := choiceAnswers(opts, req.Choices, lang, at)
	if err != nil {
		return line, err
	}
	unit := cents(line.Base)
	for _, o := range opts {
		if offered, why := available(opts, o, picked, lang); !offered {
			if isSet(req.Choices[o.Key]) {
				return line, bad(at+"choices."+o.Key, "validation_option_unavailable", fmt.Sprintf("%s comes only with %s.", o.LabelIn(lang), why), map[string]any{"label": o.LabelIn(lang), "with": why})
			}
			continue // not offered with these answers, and not asked for
		}
		chosen, ok, err := answer(o, req.Choices[o.Key], picked, lang, at+"choices."+o.Key)
		if err != nil {
			return line, err
		}
		if !ok {
			continue
		}
		line.Options = append(line.Options, chosen.Chosen)
		line.Choices[o.Key] = chosen.raw
		unit += cents(chosen.Price) * chosen.times
	}
	if unit < 0 {
		unit = 0
	}
	line.UnitPrice = money(unit)
	line.Total = money(unit * int64(line.Quantity))
	return line, nil
}

// choiceAnswers reads the answer of every choice option first (a default
// where none is given), so conditions on them can be judged.
func choiceAnswers(opts []Option, given map[string]any, lang, at string) (map[string]string, error) {
	picked := map[string]string{}
	for _, o := range opts {
		if o.Kind != OptionChoice {
			continue
		}
		v, present := given[o.Key]
		s, isText := v.(string)
		if present && v != nil && !isText {
			return nil, bad(at+"choices."+o.Key, "validation_option_answer", "Choose one of the answers of "+o.LabelIn(lang)+".", map[string]any{"label": o.LabelIn(lang)})
		}
		if s == "" && !present {
			s = o.Default
		}
		if s == "" {
			continue
		}
		if _, ok := o.choice(s); !ok {
			return nil, bad(at+"choices."+o.Key, "validation_option_answer", "Choose one of the answers of "+o.LabelIn(lang)+".", map[string]any{"label": o.LabelIn(lang)})
		}
		picked[o.Key] = s
	}
	return picked, nil
}

// available tells whether o is offered with the answers picked, and if not,
// with what it would be ("Speed: 600 Mb").
func available(opts []Option, o Option, picked map[string]string, lang string) (bool, string) {
	if o.OnlyWith == nil || picked[o.OnlyWith.Option] == o.OnlyWith.Choice {
		return true, ""
	}
	for _, other := range opts {
		if other.Key == o.OnlyWith.Option {
			c, _ := other.choice(o.OnlyWith.Choice)
			return false, other.LabelIn(lang) + ": " + c.LabelIn(lang)
		}
	}
	return false, o.OnlyWith.Choice
}

// bad is a 400 naming field, with what the page needs to word it in the
// customer's language (the option's name, limits).
func bad(field, code, msg string, params map[string]any) error {
	return fieldError(field, validation.NewError(code, msg).SetParams(params))
}

// lbl is the words an option's problem is told with.
func lbl(o Option, lang string) map[string]any {
	return map[string]any{"label": o.LabelIn(lang), "min": o.Min, "max": o.Max, "max_length": o.MaxLength}
}

// isSet tells whether an answer asks for something: a yes, a number other
// than 0, words.
func isSet(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case int:
		return x != 0
	case string:
		return strings.TrimSpace(x) != ""
	}
	return true
}

// answered is one option's answer: what it shows, what is kept, and how many
// times its price counts.
type answered struct {
	Chosen
	raw   any
	times int64
}

// answer reads the customer's answer v to o. ok is false when o is left
// unanswered (and may be).
func answer(o Option, v any, picked map[string]string, lang, field string) (answered, bool, error) {
	a := answered{Chosen: Chosen{Option: o.Key, Kind: o.Kind, Label: o.LabelIn(lang), Price: o.Price}, times: 1}
	switch o.Kind {
	case OptionChoice:
		k, ok := picked[o.Key]
		if !ok {
			if o.Required {
				return a, false, bad(field, "validation_option_required", "Choose "+o.LabelIn(lang)+".", lbl(o, lang))
			}
			return a, false, nil
		}
		c, _ := o.choice(k)
		a.Value, a.Price, a.raw = c.LabelIn(lang), c.Price, k
		return a, true, nil
	case OptionAddon:
		on, isBool := v.(bool)
		if v != nil && !isBool {
			return a, false, bad(field, "validation_option_answer", "Say yes or no to "+o.LabelIn(lang)+".", lbl(o, lang))
		}
		a.raw = true
		return a, on, nil
	case OptionQuantity:
		return quantityAnswer(o, v, a, lang, field)
	default: // OptionText
		s, isText := v.(string)
		if v != nil && !isText {
			return a, false, bad(field, "validation_option_answer", "Write the text of "+o.LabelIn(lang)+".", lbl(o, lang))
		}
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) > o.MaxLength {
			return a, false, bad(field, "validation_option_length", fmt.Sprintf("%s takes at most %d characters.", o.LabelIn(lang), o.MaxLength), lbl(o, lang))
		}
		if s == "" {
			if o.Required {
				return a, false, bad(field, "validation_option_required", "Write "+o.LabelIn(lang)+".", lbl(o, lang))
			}
			return a, false, nil
		}
		a.Value, a.raw = s, s
		return a, true, nil
	}
}

// quantityAnswer reads how many of o: a whole number within its limits (its
// least when not given); none at all is no answer.
func quantityAnswer(o Option, v any, a answered, lang, field string) (answered, bool, error) {
	n := float64(o.Min)
	if v != nil {
		f, isNum := v.(float64)
		if !isNum {
			if i, isInt := v.(int); isInt {
				f, isNum = float64(i), true
			}
		}
		if !isNum || f != math.Trunc(f) {
			return a, false, bad(field, "validation_option_answer", "Say how many "+o.LabelIn(lang)+" as a whole number.", lbl(o, lang))
		}
		n = f
	}
	if n < float64(o.Min) || n > float64(o.Max) {
		return a, false, bad(field, "validation_option_limits", fmt.Sprintf("%s: between %d and %d.", o.LabelIn(lang), o.Min, o.Max), lbl(o, lang))
	}
	if n == 0 {
		return a, false, nil
	}
	a.times, a.raw, a.Value = int64(n), int(n), fmt.Sprintf("%d", int(n))
	return a, true, nil
}
