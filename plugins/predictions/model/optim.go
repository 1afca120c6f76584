package model

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Estimate is a maximum-likelihood fit: the parameters, their standard
// errors (from the observed information, the inverse Hessian of the
// log-likelihood at the optimum), the log-likelihood there and how the
// optimiser ended.
type Estimate struct {
	Params        []float64 `json:"params"`
	StdErr        []float64 `json:"std_err"` // NaN where the Hessian could not be inverted
	LogLikelihood float64   `json:"log_likelihood"`
	Evaluations   int       `json:"evaluations"`
	Converged     bool      `json:"converged"`
}

// maximise finds the parameters (all above zero) that maximise ll, by
// Nelder-Mead on their logarithms (gonum's optimize), restarted from its
// own answer until two runs agree, as is usual for the simplex method.
func maximise(ll func(params []float64) float64, start []float64) (Estimate, error) {
	k := len(start)
	neg := func(logp []float64) float64 {
		p := make([]float64, k)
		for i, v := range logp {
			p[i] = math.Exp(v)
		}
		v := ll(p)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return math.MaxFloat64 / 4
		}
		return -v
	}
	x := make([]float64, k)
	for i, v := range start {
		x[i] = math.Log(v)
	}
	est := Estimate{}
	prev := math.Inf(1)
	for run := 0; run < 6; run++ {
		res, err := optimize.Minimize(optimize.Problem{Func: neg}, x, &optimize.Settings{
			MajorIterations: 4000,
			Converger:       &optimize.FunctionConverge{Absolute: 1e-9, Relative: 1e-11, Iterations: 60},
		}, &optimize.NelderMead{})
		if err != nil && res == nil {
			return est, err
		}
		est.Evaluations += res.Stats.FuncEvaluations
		x = res.X
		if math.Abs(prev-res.F) < 1e-7 {
			est.Converged = true
			break
		}
		prev = res.F
	}
	if neg(x) >= math.MaxFloat64/8 {
		return est, errors.New("the likelihood could not be evaluated anywhere near the start")
	}
	est.Params = make([]float64, k)
	for i, v := range x {
		est.Params[i] = math.Exp(v)
	}
	est.LogLikelihood = -neg(x)
	est.StdErr = stdErr(neg, x)
	return est, nil
}

// stdErr is each parameter's standard error by the delta method: the
// inverse of the negative log-likelihood's Hessian in log-parameters gives
// the variance of log θ, and se(θ) = θ·se(log θ).
func stdErr(neg func([]float64) float64, x []float64) []float64 {
	k := len(x)
	out := make([]float64, k)
	for i := range out {
		out[i] = math.NaN()
	}
	h := mat.NewSymDense(k, nil)
	fd.Hessian(h, neg, x, &fd.Settings{Formula: fd.Central, Step: 1e-4})
	var chol mat.Cholesky
	if ok := chol.Factorize(h); !ok {
		return out
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return out
	}
	for i := 0; i < k; i++ {
		if v := inv.At(i, i); v > 0 {
			out[i] = math.Exp(x[i]) * math.Sqrt(v)
		}
	}
	return out
}
