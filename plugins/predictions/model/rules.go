package model

import (
	"slices"
	"sort"
	"time"
)

// Rule is "who buys Then on an occasion with If": support is the share of
// occasions with both, confidence the share of occasions with If that have
// Then, lift the confidence over Then's own share (above 1: bought
// together more than by chance).
type Rule struct {
	If         string  `json:"if"`
	Then       string  `json:"then"`
	Support    float64 `json:"support"`
	Confidence float64 `json:"confidence"`
	Lift       float64 `json:"lift"`
	Count      int     `json:"count"` // occasions with both
}

// maxBasket bounds the products of one occasion the pairs are counted over.
const maxBasket = 40

// Rules finds the pairs of products bought on the same occasion with at
// least minSupport and minConfidence, highest lift first (then confidence),
// at most limit of them. Baskets are the occasions with products.
func Rules(hs []History, minSupport, minConfidence float64, limit int) []Rule {
	c := newPairCount()
	for _, h := range hs {
		c.add(h)
	}
	return c.rules(minSupport, minConfidence, limit)
}

// rules are the pairs counted with at least minSupport and minConfidence,
// highest lift first, at most limit of them.
func (c *pairCount) rules(minSupport, minConfidence float64, limit int) []Rule {
	item, pair, baskets := c.item, c.pair, c.baskets
	var out []Rule
	if baskets == 0 {
		return out
	}
	n := float64(baskets)
	for k, both := range pair {
		sup := float64(both) / n
		if sup < minSupport {
			continue
		}
		for _, dir := range [][2]string{{k[0], k[1]}, {k[1], k[0]}} {
			conf := float64(both) / float64(item[dir[0]])
			if conf < minConfidence {
				continue
			}
			out = append(out, Rule{If: dir[0], Then: dir[1], Support: sup, Confidence: conf,
				Lift: conf / (float64(item[dir[1]]) / n), Count: both})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Lift != b.Lift {
			return a.Lift > b.Lift
		}
		if a.Confidence != b.Confidence {
			return a.Confidence > b.Confidence
		}
		return a.If+"\x00"+a.Then < b.If+"\x00"+b.Then
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// basket is an occasion's distinct products, sorted, at most maxBasket.
func basket(ps []string) []string {
	out := slices.Clone(ps)
	slices.Sort(out)
	out = slices.Compact(out)
	out = slices.DeleteFunc(out, func(s string) bool { return s == "" })
	if len(out) > maxBasket {
		out = out[:maxBasket]
	}
	return out
}

// Cycle is a customer's own rhythm with a product: bought on Times
// occasions, a median of Days between them, last on Last, so next about
// Next.
type Cycle struct {
	Product string `json:"product"`
	Days    int    `json:"days"`
	Times   int    `json:"times"`
	Last    string `json:"last"` // YYYY-MM-DD
	Next    string `json:"next"`
}

// MinCycleTimes is the fewest occasions with a product that make a cycle.
const MinCycleTimes = 3

// Cycles finds, for each product the customer bought on at least
// MinCycleTimes occasions, the median days between those occasions;
// the most regular (most occasions) first.
func Cycles(h History) []Cycle {
	on := map[string][]time.Time{}
	for _, o := range h.Occasions {
		for _, p := range basket(o.Products) {
			on[p] = append(on[p], o.Day)
		}
	}
	var out []Cycle
	for p, ds := range on {
		if len(ds) < MinCycleTimes {
			continue
		}
		gaps := make([]float64, 0, len(ds)-1)
		for i := 1; i < len(ds); i++ {
			gaps = append(gaps, float64(days(ds[i-1], ds[i])))
		}
		med := int(median(gaps) + 0.5)
		last := ds[len(ds)-1]
		out = append(out, Cycle{Product: p, Days: med, Times: len(ds),
			Last: last.Format(time.DateOnly), Next: last.AddDate(0, 0, med).Format(time.DateOnly)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Times != out[j].Times {
			return out[i].Times > out[j].Times
		}
		return out[i].Product < out[j].Product
	})
	return out
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
