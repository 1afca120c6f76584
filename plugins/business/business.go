// Package business keeps the business's own settings (name, logo, colour,
// country, language, time zone, opening hours, holidays) in the one row of
// business_settings, which managers change in the workspace. The
// configuration file gives the first values: the row is seeded from them on
// first start. Every save takes effect at once, without a restart: it
// becomes the value of cfg.BusinessNow() that every plugin reads (the SLA
// calendar, the outbox's hours and language, the portal's brand, mail), and
// PocketBase's application and sender name follow the business's name.
//
// Customers and the public see only the name, logo and colour, through the
// portal's branding route; the logo is served by PocketBase's file API.
package business

import (
	"database/sql"
	"sync"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"vinculo/crm"
)

// Register seeds the settings row, checks every save of it, and makes each
// saved version the business's live settings.
func Register(app core.App, cfg *crm.Config) error {
	l := &live{cfg: cfg}
	app.OnRecordValidate(crm.BusinessSettings).BindFunc(func(e *core.RecordEvent) error {
		if err := Check(e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	// One row: the server seeds it, nobody adds another or deletes it
	// through the API, superusers included (the oldest row is the one read).
	app.OnRecordCreateRequest(crm.BusinessSettings).BindFunc(func(e *core.RecordRequestEvent) error {
		if n, _ := e.App.CountRecords(crm.BusinessSettings); n > 0 {
			return e.BadRequestError("The business has its settings already: change them instead.", nil)
		}
		return e.Next()
	})
	app.OnRecordDeleteRequest(crm.BusinessSettings).BindFunc(func(e *core.RecordRequestEvent) error {
		return e.BadRequestError("The business's settings cannot be deleted, only changed.", nil)
	})
	for _, after := range []func(...string) *hook.TaggedHook[*core.RecordEvent]{app.OnRecordAfterCreateSuccess, app.OnRecordAfterUpdateSuccess} {
		after(crm.BusinessSettings).BindFunc(func(e *core.RecordEvent) error {
			if err := l.refresh(e.App); err != nil {
				e.App.Logger().Error("business: the saved settings could not take effect", "error", err)
			}
			return e.Next()
		})
	}
	// Tests run every migration before the plugins register; the server
	// runs them on serve, before this handler (bound after plugins/setup's).
	if app.IsBootstrapped() {
		if _, err := app.FindCachedCollectionByNameOrId(crm.BusinessSettings); err == nil {
			if err := l.refresh(app); err != nil {
				return err
			}
		}
	}
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := l.refresh(e.App); err != nil {
			return err
		}
		return e.Next()
	})
	return nil
}

// live turns the stored row into the business's live settings.
type live struct {
	cfg *crm.Config
	mu  sync.Mutex // one refresh at a time: the last to run read the last commit
}

// refresh reads the row (seeding it from the configuration on first start)
// and makes it the business's settings, for the plugins and for PocketBase's
// application and sender name.
func (l *live) refresh(app core.App) error {
	if r, err := Row(app); err != nil {
		// The seed's own save refreshes again, before the lock below.
		if _, err := seed(app, l.cfg.Business); err != nil {
			return err
		}
	} else if r.GetString(crm.BusinessCurrency) == "" && l.cfg.Business.Currency != "" {
		// A row from before the currency was kept takes the configuration's.
		r.Set(crm.BusinessCurrency, l.cfg.Business.Currency)
		if err := app.Save(r); err != nil {
			return err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	row, err := Row(app)
	if err != nil {
		return err
	}
	b, err := FromRecord(row)
	if err != nil {
		return err
	}
	l.cfg.SetBusiness(b)
	return l.applyNames(app, b.Name)
}

// applyNames makes PocketBase's application name, and the sender name of its
// mail unless the configuration names another sender, the business's name.
func (l *live) applyNames(app core.App, name string) error {
	s := app.Settings()
	sender := s.Meta.SenderName
	if l.cfg.SMTP.SenderName == "" || l.cfg.SMTP.SenderName == l.cfg.Business.Name {
		sender = name
	}
	if s.Meta.AppName == name && s.Meta.SenderName == sender {
		return nil
	}
	s.Meta.AppName, s.Meta.SenderName = name, sender
	return app.Save(s)
}

// Row is the business's settings row (the oldest, should a superuser's
// code have made another).
func Row(app core.App) (*core.Record, error) {
	rows, err := app.FindRecordsByFilter(crm.BusinessSettings, "", "created", 1, 0)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, sql.ErrNoRows
	}
	return rows[0], nil
}

// seed writes the configuration's business block as the first settings row.
func seed(app core.App, b crm.Business) (*core.Record, error) {
	c, err := app.FindCollectionByNameOrId(crm.BusinessSettings)
	if err != nil {
		return nil, err
	}
	r := core.NewRecord(c)
	r.Set("name", b.Name)
	r.Set("logo_url", b.LogoURL)
	r.Set("color", b.Color)
	r.Set("country", b.Country)
	r.Set("language", b.Language)
	r.Set("timezone", b.Timezone)
	r.Set("hours", b.Hours.String())
	r.Set("holidays", append([]string{}, b.Holidays...))
	r.Set(crm.BusinessCurrency, b.Currency)
	r.Set(crm.BusinessChurnDays, b.ChurnWindow())
	if err := app.Save(r); err != nil {
		return nil, err
	}
	return r, nil
}
