package orders

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Kinds of option a customer shapes a product with (products.options).
const (
	OptionChoice   = "choice"   // one of a list: speed 300 or 600 Mb
	OptionAddon    = "addon"    // on or off: a Wi-Fi router
	OptionQuantity = "quantity" // how many, between a least and a most: extra TV points
	OptionText     = "text"     // words the customer writes: an engraving, a note
)

// Choice is one of the answers of a choice option, with what it adds to the
// price of one (negative when it costs less).
type Choice struct {
	Key    string            `json:"key"`
	Label  string            `json:"label"`
	Labels map[string]string `json:"labels,omitempty"` // the label in another language
	Price  float64           `json:"price"`
}

// Condition makes an option available only with one answer of a choice
// option: the router only with the 600 Mb speed.
type Condition struct {
	Option string `json:"option"`
	Choice string `json:"choice"`
}

// Option is one thing the customer shapes. Price is what an add-on adds when
// taken, what each unit of a quantity adds, and what a text adds when
// written; a choice's answers carry their own.
type Option struct {
	Key       string            `json:"key"`
	Kind      string            `json:"kind"`
	Label     string            `json:"label"`
	Labels    map[string]string `json:"labels,omitempty"`
	Help      string            `json:"help,omitempty"`
	Required  bool              `json:"required,omitempty"` // a choice or a text that must be answered
	Price     float64           `json:"price,omitempty"`
	Choices   []Choice          `json:"choices,omitempty"`
	Default   string            `json:"default,omitempty"`    // a choice's answer chosen at first
	Min       int               `json:"min,omitempty"`        // quantity: the least
	Max       int               `json:"max,omitempty"`        // quantity: the most
	MaxLength int               `json:"max_length,omitempty"` // text: the most characters
	OnlyWith  *Condition        `json:"only_with,omitempty"`
}

// Limits of a product's options.
const (
	maxOptions     = 30
	maxChoices     = 50
	maxOptionQty   = 1000
	maxTextLength  = 2000
	defaultTextLen = 200
	maxEffect      = 1e9
)

var optionKey = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// LabelIn is the option's label in lang, else its own.
func (o Option) LabelIn(lang string) string {
	if l := strings.TrimSpace(o.Labels[lang]); l != "" {
		return l
	}
	return o.Label
}

// LabelIn is the answer's label in lang, else its own.
func (c Choice) LabelIn(lang string) string {
	if l := strings.TrimSpace(c.Labels[lang]); l != "" {
		return l
	}
	return c.Label
}

// choice is the answer of a choice option with key k.
func (o Option) choice(k string) (Choice, bool) {
	for _, c := range o.Choices {
		if c.Key == k {
			return c, true
		}
	}
	return Choice{}, false
}

// OptionsOf reads a product's options as stored (checked when saved).
func OptionsOf(product *core.Record) []Option {
	var opts []Option
	raw, _ := json.Marshal(product.Get(crm.ProductOptions))
	_ = json.Unmarshal(raw, &opts)
	return opts
}

// bindOptions checks a product's options whatever door saves it, and keeps
// them in their tidy form (limits filled in).
func bindOptions(app core.App) {
	check := func(e *core.RecordEvent) error {
		raw, _ := json.Marshal(e.Record.Get(crm.ProductOptions))
		opts, err := ParseOptions(raw)
		if err != nil {
			return err
		}
		if opts == nil {
			e.Record.Set(crm.ProductOptions, nil)
		} else {
			e.Record.Set(crm.ProductOptions, opts)
		}
		return e.Next()
	}
	app.OnRecordCreate(crm.Products).BindFunc(check)
	app.OnRecordUpdate(crm.Products).BindFunc(check)
}

// ParseOptions checks a product's options: known kinds, unique keys, labels,
// answers for a choice, sensible limits and prices, and a condition that
// names an answer of another choice option. The error names the place:
// options.2.choices.0.key.
func ParseOptions(raw []byte) ([]Option, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" || s == "[]" || s == `""` {
		return nil, nil
	}
	var opts []Option
	if err := json.Unmarshal(raw, &opts); err != nil {
		return nil, optionError("options", "validation_options_shape", "The options must be a list of options.")
	}
	if len(opts) > maxOptions {
		return nil, optionError("options", "validation_options_many", fmt.Sprintf("A product has at most %d options.", maxOptions))
	}
	seen := map[string]int{}
	for i := range opts {
		if err := tidyOption(&opts[i], fmt.Sprintf("options.%d", i), seen); err != nil {
			return nil, err
		}
		seen[opts[i].Key] = i
	}
	for i, o := range opts {
		if err := checkCondition(opts, o, fmt.Sprintf("options.%d.only_with", i)); err != nil {
			return nil, err
		}
	}
	return opts, nil
}

// tidyOption checks one option and fills in its limits.
func tidyOption(o *Option, at string, seen map[string]int) error {
	o.Key = strings.TrimSpace(o.Key)
	o.Label = strings.TrimSpace(o.Label)
	switch {
	case !optionKey.MatchString(o.Key):
		return optionError(at+".key", "validation_option_key", "Give the option a short key: lower-case letters, digits and _.")
	case hasKey(seen, o.Key):
		return optionError(at+".key", "validation_option_key_taken", "Two options have the key "+o.Key+".")
	case o.Label == "" || len(o.Label) > 120:
		return optionError(at+".label", "validation_option_label", "Give the option a name (at most 120 characters).")
	case o.Price < 0 || o.Price > maxEffect:
		return optionError(at+".price", "validation_option_price", "The price can't be below 0.")
	}
	switch o.Kind {
	case OptionChoice:
		return tidyChoices(o, at)
	case OptionAddon:
	case OptionQuantity:
		if o.Max == 0 {
			o.Max = 99
		}
		if o.Min < 0 || o.Max < o.Min || o.Max > maxOptionQty {
			return optionError(at+".max", "validation_option_limits", fmt.Sprintf("The most must be at least the least, and at most %d.", maxOptionQty))
		}
	case OptionText:
		if o.MaxLength == 0 {
			o.MaxLength = defaultTextLen
		}
		if o.MaxLength < 1 || o.MaxLength > maxTextLength {
			return optionError(at+".max_length", "validation_option_length", fmt.Sprintf("A text option takes at most %d characters.", maxTextLength))
		}
	default:
		return optionError(at+".kind", "validation_option_kind", "An option is a choice, an add-on, a quantity or a text.")
	}
	return nil
}

func hasKey(seen map[string]int, k string) bool { _, ok := seen[k]; return ok }

// tidyChoices checks a choice option's answers.
func tidyChoices(o *Option, at string) error {
	if len(o.Choices) == 0 || len(o.Choices) > maxChoices {
		return optionError(at+".choices", "validation_option_choices", fmt.Sprintf("A choice has between 1 and %d answers.", maxChoices))
	}
	keys := map[string]bool{}
	for j := range o.Choices {
		c := &o.Choices[j]
		c.Key, c.Label = strings.TrimSpace(c.Key), strings.TrimSpace(c.Label)
		where := fmt.Sprintf("%s.choices.%d", at, j)
		switch {
		case !optionKey.MatchString(c.Key) || keys[c.Key]:
			return optionError(where+".key", "validation_option_key", "Give each answer its own short key: lower-case letters, digits and _.")
		case c.Label == "" || len(c.Label) > 120:
			return optionError(where+".label", "validation_option_label", "Give the answer a name (at most 120 characters).")
		case c.Price < -maxEffect || c.Price > maxEffect:
			return optionError(where+".price", "validation_option_price", "The price is out of range.")
		}
		keys[c.Key] = true
	}
	if o.Default != "" && !keys[o.Default] {
		return optionError(at+".default", "validation_option_default", "The answer chosen at first must be one of the answers.")
	}
	return nil
}

// checkCondition: an option offered only with an answer names another
// choice option and one of its answers.
func checkCondition(opts []Option, o Option, at string) error {
	if o.OnlyWith == nil {
		return nil
	}
	for _, other := range opts {
		if other.Key != o.OnlyWith.Option || other.Key == o.Key || other.Kind != OptionChoice {
			continue
		}
		if _, ok := other.choice(o.OnlyWith.Choice); ok {
			return nil
		}
		return optionError(at+".choice", "validation_option_condition", "Choose one of the answers of "+other.Label+".")
	}
	return optionError(at+".option", "validation_option_condition", "An option can depend only on another choice option.")
}

func optionError(field, code, msg string) error {
	return badField(field, code, msg)
}
