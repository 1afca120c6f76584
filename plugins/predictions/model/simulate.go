package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Simulation describes customers drawn from known parameters: each joins
// with a first purchase on a day drawn evenly over the first JoinWeeks
// from Start, and is followed until Start + Weeks.
type Simulation struct {
	Customers int
	BGNBD     BGNBD
	Spend     GammaGamma
	Start     time.Time
	JoinWeeks float64
	Weeks     float64
	Products  int // the catalogue's size; 0 for purchases without products
	Seed      uint64
}

// Simulate draws the customers' purchases, as the BG/NBD and Gamma-Gamma
// tell: a customer's rate λ ~ Gamma(r, α) and drop-out p ~ Beta(a, b);
// purchases come at exponential intervals of mean 1/λ; after each repeat
// purchase they leave with probability p. Their mean spend's ν ~
// Gamma(q, γ) and each purchase's spend ~ Gamma(p, ν). Products: each
// purchase holds one product, often with its neighbour in the catalogue
// (so that there are rules to find), and a customer favours one product.
func Simulate(sim Simulation) []Purchase {
	src := rand.NewPCG(sim.Seed, sim.Seed^0x9e3779b97f4a7c15)
	rng := rand.New(src)
	lambda := distuv.Gamma{Alpha: sim.BGNBD.R, Beta: sim.BGNBD.Alpha, Src: src}
	drop := distuv.Beta{Alpha: sim.BGNBD.A, Beta: sim.BGNBD.B, Src: src}
	nu := distuv.Gamma{Alpha: sim.Spend.Q, Beta: sim.Spend.Gamma, Src: src}
	var out []Purchase
	for i := 0; i < sim.Customers; i++ {
		id := fmt.Sprintf("c%06d", i)
		l, p := lambda.Rand(), drop.Rand()
		spend := distuv.Gamma{Alpha: sim.Spend.P, Beta: nu.Rand(), Src: src}
		fav := 0
		if sim.Products > 0 {
			fav = rng.IntN(sim.Products)
		}
		t := rng.Float64() * sim.JoinWeeks
		for first := true; t <= sim.Weeks; first = false {
			day := sim.Start.AddDate(0, 0, int(math.Floor(t*7)))
			out = append(out, Purchase{Customer: id, Day: day, Amount: math.Round(spend.Rand()*100) / 100,
				Products: products(rng, sim.Products, fav)})
			if !first && rng.Float64() < p {
				break
			}
			if l <= 0 {
				break
			}
			t += rng.ExpFloat64() / l
		}
	}
	return out
}

func products(rng *rand.Rand, n, fav int) []string {
	if n == 0 {
		return nil
	}
	k := fav
	if rng.Float64() < 0.5 {
		k = rng.IntN(n)
	}
	out := []string{fmt.Sprintf("SKU-%03d", k)}
	if rng.Float64() < 0.4 {
		out = append(out, fmt.Sprintf("SKU-%03d", (k+1)%n))
	}
	return out
}
