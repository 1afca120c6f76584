package signin

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/spf13/cast"
	"golang.org/x/crypto/bcrypt"
)

// What PocketBase allows against one account's codes from one address, and
// how many live codes an account may have before the newest is given again.
const (
	otpMaxTries    = 5
	otpTriesWindow = 180 * time.Second
	otpMaxLive     = 10

	otpTooManyMessage = "Too many attempts, please try again later with a new OTP."
)

// decoy is a made-up code: given for an email that has no account.
type decoy struct {
	id         string
	collection string
	account    string
	created    time.Time
}

func findDecoy(app core.App, id string) (*decoy, error) {
	var row struct {
		Collection string `db:"collection"`
		Account    string `db:"account"`
		Created    int64  `db:"created"`
	}
	err := app.DB().NewQuery("SELECT `collection`, `account`, `created` FROM `" + DecoysTable + "` WHERE `id` = {:id}").
		Bind(dbx.Params{"id": id}).One(&row)
	if err != nil {
		return nil, err
	}
	return &decoy{id: id, collection: row.Collection, account: row.Account, created: time.UnixMilli(row.Created)}, nil
}

// madeUpCode answers a code request for an email with no account: a made-up
// otpId the server remembers, so that a code tried against it is answered as
// one tried against a real account.
func (p *plugin) madeUpCode(e *core.RecordCreateOTPRequestEvent) error {
	if e.Record != nil {
		return e.Next()
	}
	info, err := e.RequestInfo()
	if err != nil {
		return e.Next()
	}
	email := strings.TrimSpace(cast.ToString(info.Body["email"]))
	id, err := issueDecoy(e.App, e.Collection, email)
	if err != nil {
		e.App.Logger().Error("Failed to remember a made-up code", "error", err)
		return e.Next() // PocketBase's own made-up id
	}
	return e.JSON(http.StatusOK, map[string]string{"otpId": id})
}

// issueDecoy remembers a new made-up code for email, or (with otpMaxLive live
// ones already) gives the newest again, as PocketBase does for an account.
func issueDecoy(app core.App, c *core.Collection, email string) (string, error) {
	account := AccountKey(c.Name, email)
	now := time.Now()
	live := now.Add(-c.OTP.DurationTime()).UnixMilli()
	if !app.IsDev() {
		var ids []string
		err := app.DB().NewQuery("SELECT `id` FROM `" + DecoysTable + "` WHERE `account` = {:account} AND `created` >= {:live} ORDER BY `created` DESC, `rowid` DESC").
			Bind(dbx.Params{"account": account, "live": live}).Column(&ids)
		if err != nil {
			return "", err
		}
		if len(ids) >= otpMaxLive {
			return ids[0], nil
		}
	}
	db := app.NonconcurrentDB()
	if _, err := db.NewQuery("DELETE FROM `" + DecoysTable + "` WHERE `created` < {:old}").
		Bind(dbx.Params{"old": now.Add(-24 * time.Hour).UnixMilli()}).Execute(); err != nil {
		return "", err
	}
	id := core.GenerateDefaultRandomId()
	_, err := db.NewQuery("INSERT INTO `" + DecoysTable + "` (`id`, `collection`, `account`, `created`) VALUES ({:id}, {:collection}, {:account}, {:created})").
		Bind(dbx.Params{"id": id, "collection": c.Name, "account": account, "created": now.UnixMilli()}).Execute()
	return id, err
}

// answerDecoy answers a code tried against a made-up otpId after PocketBase
// found no such code (notFound): the steps PocketBase takes for a real
// account's code, in its order: expiry, the tries of this account from this
// address, then a hash comparison of the same cost.
func (p *plugin) answerDecoy(e *core.RequestEvent, a *attempt, notFound error) error {
	if time.Since(a.decoy.created) > a.collection.OTP.DurationTime() {
		return notFound
	}
	if a.ip != "" && !p.otpTries.allow(a.account+"\x00"+a.ip) {
		return e.TooManyRequestsError(otpTooManyMessage, nil)
	}
	_ = bcrypt.CompareHashAndPassword(p.dummy(e.App), []byte(a.code))
	p.comparisons.Add(1)
	return notFound
}

// dummy is a hash of a random code at the cost PocketBase hashes codes with.
func (p *plugin) dummy(app core.App) []byte {
	p.dummyOnce.Do(func() {
		cost := bcrypt.DefaultCost
		if c, err := app.FindCachedCollectionByNameOrId(core.CollectionNameOTPs); err == nil {
			if f, ok := c.Fields.GetByName("password").(*core.PasswordField); ok && f.Cost > 0 {
				cost = f.Cost
			}
		}
		p.dummyHash, _ = bcrypt.GenerateFromPassword([]byte(security.RandomString(30)), cost)
	})
	return p.dummyHash
}

// windowLimiter allows max uses per key in a fixed window that opens at the
// key's first use (PocketBase's rate limiter's rule).
type windowLimiter struct {
	mu      sync.Mutex
	max     int
	window  time.Duration
	clients map[string]*windowClient
}

type windowClient struct {
	start     time.Time
	available int
}

func newWindowLimiter(max int, window time.Duration) *windowLimiter {
	return &windowLimiter{max: max, window: window, clients: map[string]*windowClient{}}
}

func (l *windowLimiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.clients) > 10000 {
		for k, c := range l.clients {
			if now.Sub(c.start) >= l.window {
				delete(l.clients, k)
			}
		}
	}
	c, ok := l.clients[key]
	if !ok {
		c = &windowClient{}
		l.clients[key] = c
	}
	if now.Unix()-c.start.Unix() >= int64(l.window/time.Second) {
		c.start, c.available = now, l.max
	}
	if c.available > 0 {
		c.available--
		return true
	}
	return false
}
