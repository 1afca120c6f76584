package signin

import (
	"errors"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"vinculo/crm"
)

// The limits (OWASP ASVS V2.2.1: at most 100 failed attempts an hour per
// account).
const (
	AccountLimit  = 100
	AccountWindow = time.Hour
	AddressLimit  = 10
	AddressWindow = 10 * time.Minute
)

// The answers of a refused sign-in.
const (
	AccountLockedMessage  = "Too many failed sign-ins for this account. Try again later."
	AddressLimitedMessage = "Too many failed sign-ins from this address. Try again later."
)

// Options tune the plugin (tests: a clock, smaller limits).
type Options struct {
	Now          func() time.Time // the clock of the failure counts (time.Now if nil)
	AccountLimit int              // AccountLimit if 0
	AddressLimit int              // AddressLimit if 0
}

const (
	storeKey     = "vinculo.signin"
	middlewareID = "vinculoSignin"

	passwordPattern = "POST /api/collections/{collection}/auth-with-password"
	otpPattern      = "POST /api/collections/{collection}/auth-with-otp"
)

// PocketBase's refusals of wrong credentials, as its handlers word them.
var (
	wrongPassword = router.NewBadRequestError("Failed to authenticate.", nil).Message
	wrongOTP      = router.NewBadRequestError("Invalid or expired OTP", nil).Message
)

type plugin struct {
	mu   sync.Mutex // makes counting and reserving an attempt one step
	opts Options

	dummyOnce   sync.Once
	dummyHash   []byte
	comparisons atomic.Int64
	otpTries    *windowLimiter
}

// Register binds the sign-in guard and the made-up codes. Registering twice
// on one app is a no-op.
func Register(app core.App, cfg *crm.Config) error {
	created := false
	p := app.Store().GetOrSet(storeKey, func() any {
		created = true
		return &plugin{otpTries: newWindowLimiter(otpMaxTries, otpTriesWindow)}
	}).(*plugin)
	if !created {
		return nil
	}
	app.OnRecordRequestOTPRequest(crm.Staff, crm.Customers).Bind(&hook.Handler[*core.RecordCreateOTPRequestEvent]{
		Func:     p.madeUpCode,
		Priority: 100, // after the hooks that find or create the account
	})
	bindCodeMail(app, cfg)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{Id: middlewareID, Func: p.guard})
		return se.Next()
	})
	return nil
}

// Configure sets the options of app's plugin (after Register).
func Configure(app core.App, o Options) error {
	p, ok := app.Store().Get(storeKey).(*plugin)
	if !ok {
		return errors.New("signin: Register first")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opts = o
	return nil
}

// DummyComparisons is how many codes were compared against the dummy hash
// (codes tried against made-up otpIds).
func DummyComparisons(app core.App) int64 {
	if p, ok := app.Store().Get(storeKey).(*plugin); ok {
		return p.comparisons.Load()
	}
	return 0
}

// options and now are read with p.mu held.
func (p *plugin) now() time.Time {
	if p.opts.Now != nil {
		return p.opts.Now()
	}
	return time.Now()
}

func (p *plugin) limits() (account, address int) {
	account, address = p.opts.AccountLimit, p.opts.AddressLimit
	if account <= 0 {
		account = AccountLimit
	}
	if address <= 0 {
		address = AddressLimit
	}
	return account, address
}

// attempt is one sign-in request: whom it tries and from where.
type attempt struct {
	collection *core.Collection
	otp        bool
	account    string // the account's key; "" for an otpId nobody was given
	address    string // the address's key
	ip         string
	code       string // the code tried (OTP only)
	decoy      *decoy // the made-up code it names, if any
}

// guard counts and limits the sign-ins of staff and customers.
func (p *plugin) guard(e *core.RequestEvent) error {
	if e.Request.Pattern != passwordPattern && e.Request.Pattern != otpPattern {
		return e.Next()
	}
	a, ok := p.identify(e)
	if !ok {
		return e.Next() // not ours, or malformed: PocketBase answers
	}
	row, refusal := p.reserve(e, a)
	if refusal != nil {
		return refusal
	}
	err := e.Next()
	if a.decoy != nil && isRefusal(err, wrongOTP) {
		err = p.answerDecoy(e, a, err)
	}
	if !(isRefusal(err, wrongPassword) && !a.otp) && !(isRefusal(err, wrongOTP) && a.otp) {
		p.release(e.App, row) // a success, or an attempt that tried no credential
	}
	return err
}

// identify reads whom the attempt is for: the identity of a password
// sign-in, the account behind an otpId (real or made up).
func (p *plugin) identify(e *core.RequestEvent) (*attempt, bool) {
	c, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil || (c.Name != crm.Staff && c.Name != crm.Customers) {
		return nil, false
	}
	info, err := e.RequestInfo()
	if err != nil {
		return nil, false
	}
	a := &attempt{collection: c, otp: e.Request.Pattern == otpPattern, ip: e.RealIP()}
	a.address = addressKey(c.Name, a.ip)
	if !a.otp {
		identity, _ := info.Body["identity"].(string)
		if identity == "" {
			return nil, false
		}
		a.account = AccountKey(c.Name, identity)
		return a, true
	}
	otpID, _ := info.Body["otpId"].(string)
	a.code, _ = info.Body["password"].(string)
	if otpID == "" || a.code == "" {
		return nil, false
	}
	if otp, err := e.App.FindOTPById(otpID); err == nil {
		if otp.CollectionRef() == c.Id {
			if r, err := e.App.FindRecordById(c, otp.RecordRef()); err == nil {
				a.account = AccountKey(c.Name, r.Email())
			}
		}
		return a, true
	}
	if d, err := findDecoy(e.App, otpID); err == nil && d.collection == c.Name {
		a.decoy = d
		a.account = d.account
	}
	return a, true
}

// reserve refuses an attempt over a limit, or counts it as a failure until
// its outcome is known (so that attempts made at the same moment cannot
// overrun the limit). It returns the row of the attempt.
func (p *plugin) reserve(e *core.RequestEvent, a *attempt) (int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	accountMax, addressMax := p.limits()
	if a.account != "" {
		n, err := countSince(e.App, "account", a.account, now.Add(-AccountWindow))
		if err != nil {
			return 0, err
		}
		if n >= accountMax {
			return 0, router.NewApiError(http.StatusTooManyRequests, AccountLockedMessage, nil)
		}
	}
	if a.ip != "" && addressLimitsApply(e, a.ip) {
		n, err := countSince(e.App, "address", a.address, now.Add(-AddressWindow))
		if err != nil {
			return 0, err
		}
		if n >= addressMax {
			return 0, router.NewApiError(http.StatusTooManyRequests, AddressLimitedMessage, nil)
		}
	}
	return insertFailure(e.App, a.account, a.address, now)
}

func (p *plugin) release(app core.App, row int64) {
	if err := deleteFailure(app, row); err != nil {
		app.Logger().Error("Failed to uncount a sign-in", "error", err)
	}
}

// isRefusal tells whether err is PocketBase's 400 with this message.
func isRefusal(err error, message string) bool {
	var apiErr *router.ApiError
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest && apiErr.Message == message
}

// addressLimitsApply: the per-address limit follows PocketBase's rate
// limiter (on, not for superusers, not for the addresses it excludes).
func addressLimitsApply(e *core.RequestEvent, ip string) bool {
	s := e.App.Settings().RateLimits
	if !s.Enabled || e.HasSuperuserAuth() {
		return false
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return true
	}
	for _, item := range s.ExcludedIPs {
		if prefix, err := netip.ParsePrefix(item); err == nil && prefix.Contains(addr) {
			return false
		}
		if other, err := netip.ParseAddr(item); err == nil && other == addr {
			return false
		}
	}
	return true
}
