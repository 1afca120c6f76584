package segdef

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Alias is the contacts table's name inside a compiled query.
const Alias = "seg_c"

// Compiled is a definition as SQL: Where is a condition on the contacts
// aliased Alias, with its parameters.
type Compiled struct {
	Where         string
	Params        dbx.Params
	UsesProfiling bool
	// WithRestricted is Where with the contacts whose processing is
	// restricted (plugins/restriction) — whom Where, and so every segment's
	// count, members, export and campaign, leaves out. A campaign's preview
	// reads it, so the outbox says why they will get nothing.
	WithRestricted string
}

// notRestricted keeps the contacts whose processing is not restricted.
func notRestricted(contacts *core.Collection) string {
	if contacts.Fields.GetByName(crm.ContactRestrictedAt) == nil {
		return "1=1"
	}
	return "IFNULL(" + Alias + ".`" + crm.ContactRestrictedAt + "`, '') = ''"
}

// IDs is the SELECT of the ids of the contacts the definition holds.
func (c *Compiled) IDs() string {
	return "SELECT " + Alias + ".id FROM " + crm.Contacts + " " + Alias + " WHERE " + c.Where
}

// Expression is the compiled definition as "column IN (ids)".
func (c *Compiled) Expression(column string) dbx.Expression {
	return dbx.NewExp(column+" IN ("+c.IDs()+")", c.Params)
}

// compiler turns conditions into SQL, binding every value.
type compiler struct {
	app       core.App
	contacts  *core.Collection
	now       time.Time
	params    dbx.Params
	prefix    string
	count     int
	profiling bool
}

// Compile checks d against the schema and compiles it, as of now. Every
// parameter's name starts with prefix (so that several compiled segments,
// or a segment inside a larger query, never share a name). Archived
// contacts are in no segment; a definition reading the value model leaves
// out every contact who withdrew the profiling consent or objected to it.
func Compile(app core.App, d Definition, now time.Time, prefix string) (*Compiled, error) {
	contacts, err := app.FindCachedCollectionByNameOrId(crm.Contacts)
	if err != nil {
		return nil, err
	}
	if prefix == "" {
		prefix = "sg"
	}
	c := &compiler{app: app, contacts: contacts, now: now.UTC(), params: dbx.Params{}, prefix: prefix}
	if n := countConditions(d.Conditions); n > MaxConditions {
		return nil, &Error{Path: "definition", Code: CodeTooMany, Params: P{"max": MaxConditions, "count": n}, Message: fmt.Sprintf("a segment has at most %d conditions (this one has %d)", MaxConditions, n)}
	}
	where, err := c.group(d.Match, d.Conditions, "conditions", "", 1)
	if err != nil {
		return nil, err
	}
	parts := []string{where}
	if contacts.Fields.GetByName(crm.FieldArchived) != nil {
		parts = append(parts, "IFNULL("+Alias+".`"+crm.FieldArchived+"`, 0) = 0")
	}
	if c.profiling {
		parts = append(parts, c.profilingAllowed())
	}
	all := "(" + strings.Join(parts, ") AND (") + ")"
	return &Compiled{Where: "(" + all + " AND " + notRestricted(contacts) + ")", WithRestricted: all, Params: c.params, UsesProfiling: c.profiling}, nil
}

// needsConsent holds, per app, whether the business profiles only contacts
// who granted the profiling consent (set by the segments plugin from the
// business's settings).
var needsConsent sync.Map // core.App -> func() bool

// SetNeedsConsent tells Compile how to read the business's setting.
func SetNeedsConsent(app core.App, read func() bool) { needsConsent.Store(app, read) }

// profilingAllowed keeps the contacts who may be profiled, as the value
// model decides (plugins/predictions, consent.go): not those whose latest
// profiling consent is withdrawn (an objection in the portal is one), and,
// when the business asks for consent, only those whose latest is granted.
func (c *compiler) profilingAllowed() string {
	latest := "(SELECT pc.state FROM " + crm.Consents + " pc WHERE pc.`" + crm.FieldContact + "` = " + Alias +
		".id AND pc.purpose = " + c.bind(crm.ConsentProfiling) + " ORDER BY pc.at DESC, pc.updated DESC LIMIT 1)"
	if read, ok := needsConsent.Load(c.app); ok && read.(func() bool)() {
		return "IFNULL(" + latest + ", '') = " + c.bind("granted")
	}
	return "IFNULL(" + latest + ", '') != " + c.bind("withdrawn")
}

func countConditions(cs []Condition) int {
	n := 0
	for _, c := range cs {
		n++
		n += countConditions(c.Conditions)
	}
	return n
}

func (c *compiler) bind(v any) string {
	name := c.prefix + strconv.Itoa(c.count)
	c.count++
	c.params[name] = v
	return "{:" + name + "}"
}

// group joins conditions by match; none is "true".
func (c *compiler) group(match string, conds []Condition, path, number string, depth int) (string, error) {
	join := " AND "
	switch match {
	case MatchAll, "":
	case MatchAny:
		join = " OR "
	default:
		return "", &Error{Path: path, Condition: number, Code: CodeMatch, Params: P{"value": match}, Message: "match must be all or any, not " + strconv.Quote(match)}
	}
	if len(conds) == 0 {
		return "1=1", nil
	}
	parts := make([]string, 0, len(conds))
	for i, cond := range conds {
		p := fmt.Sprintf("%s.%d", path, i)
		n := strconv.Itoa(i + 1)
		if number != "" {
			n = number + "." + n
		}
		sql, err := c.condition(cond, p, n, depth)
		if err != nil {
			if e, ok := err.(*Error); ok && e.Path == "" {
				e.Path, e.Condition = p, n
			}
			return "", err
		}
		parts = append(parts, "("+sql+")")
	}
	return strings.Join(parts, join), nil
}

// fail is a condition's fault: its code and params (the workspace words
// them), and the English message API clients read.
func fail(code string, params P, format string, args ...any) error {
	return &Error{Code: code, Params: params, Message: fmt.Sprintf(format, args...)}
}

// condition compiles one condition.
func (c *compiler) condition(cond Condition, path, number string, depth int) (string, error) {
	switch cond.Kind {
	case KindGroup:
		if depth >= MaxDepth {
			return "", fail(CodeGroupDepth, P{"max": MaxDepth - 1}, "groups go at most %d deep", MaxDepth-1)
		}
		if len(cond.Conditions) == 0 {
			return "", fail(CodeGroupEmpty, nil, "a group needs at least one condition")
		}
		return c.group(cond.Match, cond.Conditions, path+".conditions", number, depth+1)
	case KindField:
		return c.field(cond)
	case KindTag:
		return c.tag(cond)
	case KindCompany:
		return c.relation(cond, crm.FieldCompany, crm.Companies, "company")
	case KindOwner:
		return c.relation(cond, crm.FieldOwner, crm.Staff, "staff member")
	case KindBought:
		return c.bought(cond)
	case KindSpent, KindOrders:
		return c.purchases(cond)
	case KindOpenRequests:
		return c.openRequests(cond)
	case KindScore:
		return c.score(cond)
	}
	return "", fail(CodeKind, P{"value": cond.Kind}, "kind must be one of %s, not %q", strings.Join(Kinds, ", "), cond.Kind)
}

func col(name string) string { return Alias + ".`" + name + "`" }

// text reads v as a string (numbers written as JSON numbers too).
func text(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// number reads v as a finite number (a JSON number or its text).
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(x, ",", ".")), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

var compareOps = map[string]string{"eq": "=", "neq": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

// since is the start of the last days days, as stored dates compare.
func (c *compiler) since(days int) (string, error) {
	if days < 0 || days > MaxDays {
		return "", fail(CodeDays, P{"max": MaxDays, "value": days}, "days must be between 0 (ever) and %d, not %d", MaxDays, days)
	}
	if days == 0 {
		return "", nil
	}
	return c.bind(c.now.AddDate(0, 0, -days).Format(types.DefaultDateLayout)), nil
}

var tagPattern = regexp.MustCompile(`^[^\x00-\x1f]{1,100}$`)

// tag: has / has_not a tag (contacts.tags, a JSON list), ignoring case.
func (c *compiler) tag(cond Condition) (string, error) {
	v, _ := text(cond.Value)
	if !tagPattern.MatchString(v) {
		return "", fail(CodeTagName, P{"max": 100}, "name the tag (up to 100 characters)")
	}
	exists := "EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(" + col("tags") + ") THEN " + col("tags") +
		" ELSE '[]' END) tg WHERE LOWER(tg.value) = LOWER(" + c.bind(v) + "))"
	switch cond.Op {
	case "has":
		return exists, nil
	case "has_not":
		return "NOT " + exists, nil
	}
	return "", fail(CodeOp, P{"value": cond.Op}, "a tag condition's op must be has or has_not, not %q", cond.Op)
}

// relation: the contact's company or owner is (not) the one named, or none.
func (c *compiler) relation(cond Condition, field, collection, what string) (string, error) {
	code := CodeCompany
	if collection != crm.Companies {
		code = CodeOwner
	}
	switch cond.Op {
	case "empty":
		return "IFNULL(" + col(field) + ", '') = ''", nil
	case "not_empty":
		return "IFNULL(" + col(field) + ", '') != ''", nil
	case "eq", "neq":
	default:
		return "", fail(CodeOp, P{"value": cond.Op}, "op must be eq, neq, empty or not_empty, not %q", cond.Op)
	}
	id, _ := text(cond.Value)
	if id == "" {
		return "", fail(code+"_missing", nil, "choose the %s", what)
	}
	if _, err := c.app.FindRecordById(collection, id); err != nil {
		return "", fail(code+"_unknown", P{"id": id}, "there is no %s %q", what, id)
	}
	if cond.Op == "eq" {
		return col(field) + " = " + c.bind(id), nil
	}
	return "IFNULL(" + col(field) + ", '') != " + c.bind(id), nil
}

// openRequests: has / has_not a request (case) not closed.
func (c *compiler) openRequests(cond Condition) (string, error) {
	exists := "EXISTS (SELECT 1 FROM " + crm.Cases + " rq WHERE rq.`" + crm.FieldContact + "` = " + Alias + ".id AND rq.closed = FALSE)"
	switch cond.Op {
	case "has":
		return exists, nil
	case "has_not":
		return "NOT " + exists, nil
	}
	return "", fail(CodeOp, P{"value": cond.Op}, "an open-requests condition's op must be has or has_not, not %q", cond.Op)
}

// orderScope is the orders of the contact, not cancelled, since the start.
func orderScope(since string) string {
	s := "o.`" + crm.FieldContact + "` = " + Alias + ".id AND o.status != 'cancelled'"
	if since != "" {
		s += " AND o.placed_at >= " + since
	}
	return s
}

// bought: bought (a product, by its code, or anything) in the last N days, or not.
func (c *compiler) bought(cond Condition) (string, error) {
	since, err := c.since(cond.Days)
	if err != nil {
		return "", err
	}
	scope := orderScope(since)
	if p := strings.TrimSpace(cond.Product); p != "" {
		n, err := c.app.CountRecords(crm.Products, dbx.HashExp{"code": p})
		if err != nil || n == 0 {
			return "", fail(CodeProductUnknown, P{"code": p}, "there is no product with the code %q", p)
		}
		scope += " AND EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid(o.items) THEN o.items ELSE '[]' END) li" +
			" WHERE json_extract(li.value, '$.product') = " + c.bind(p) + ")"
	}
	exists := "EXISTS (SELECT 1 FROM " + crm.Orders + " o WHERE " + scope + ")"
	switch cond.Op {
	case "bought", "":
		return exists, nil
	case "not_bought":
		return "NOT " + exists, nil
	}
	return "", fail(CodeOp, P{"value": cond.Op}, "a purchase condition's op must be bought or not_bought, not %q", cond.Op)
}

// purchases: the money spent, or the number of orders, in the last N days
// compared with a value.
func (c *compiler) purchases(cond Condition) (string, error) {
	op, ok := compareOps[cond.Op]
	if !ok {
		return "", fail(CodeOp, P{"value": cond.Op}, "op must be one of eq, neq, gt, gte, lt, lte, not %q", cond.Op)
	}
	v, ok := number(cond.Value)
	if !ok || v < 0 {
		return "", fail(CodeNumberMin0, nil, "the value must be a number of 0 or more")
	}
	since, err := c.since(cond.Days)
	if err != nil {
		return "", err
	}
	what := "IFNULL(SUM(o.total), 0)"
	if cond.Kind == KindOrders {
		what = "COUNT(*)"
	}
	return "(SELECT " + what + " FROM " + crm.Orders + " o WHERE " + orderScope(since) + ") " + op + " " + c.bind(v), nil
}

// ScoreFields are the value-model figures a condition may read, with
// whether each is a name (the RFM class) rather than a number.
var ScoreFields = map[string]bool{
	crm.ScoreRFMClass: true, crm.ScorePActive: false, crm.ScoreCLV: false, crm.ScoreSpend: false,
	crm.ScoreExpected30: false, crm.ScoreExpected90: false, crm.ScoreExpected365: false,
	crm.ScoreRecency: false, crm.ScoreFrequency: false, crm.ScoreMonetary: false,
}

var classPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// score: a figure of the contact's row in customer_scores. A contact with
// no row (never scored, or left out of profiling) matches no such condition.
func (c *compiler) score(cond Condition) (string, error) {
	isName, known := ScoreFields[cond.Field]
	if !known {
		names := make([]string, 0, len(ScoreFields))
		for n := range ScoreFields {
			names = append(names, n)
		}
		slices.Sort(names)
		return "", fail(CodeScoreField, P{"value": cond.Field}, "field must be one of %s, not %q", strings.Join(names, ", "), cond.Field)
	}
	scores, err := c.app.FindCachedCollectionByNameOrId(crm.CustomerScores)
	if err != nil || scores.Fields.GetByName(cond.Field) == nil {
		return "", fail(CodeScoreNotFitted, P{"field": cond.Field}, "the value model has no %s yet: fit it first", cond.Field)
	}
	c.profiling = true
	op, ok := compareOps[cond.Op]
	if !ok || (isName && op != "=" && op != "!=") {
		allowed := "eq, neq, gt, gte, lt, lte"
		if isName {
			allowed = "eq, neq"
		}
		return "", fail(CodeOp, P{"value": cond.Op}, "op must be one of %s, not %q", allowed, cond.Op)
	}
	var value any
	if isName {
		s, _ := text(cond.Value)
		if !classPattern.MatchString(s) {
			return "", fail(CodeChooseClass, nil, "choose the class")
		}
		value = s
	} else {
		f, ok := number(cond.Value)
		if !ok {
			return "", fail(CodeNumber, P{"field": cond.Field}, "the value must be a number")
		}
		value = f
	}
	return "EXISTS (SELECT 1 FROM " + crm.CustomerScores + " sc WHERE sc.`" + crm.ScoreContact + "` = " + Alias +
		".id AND sc.`" + cond.Field + "` " + op + " " + c.bind(value) + ")", nil
}
