// Package campaigns sends a message (in both languages) to a segment
// through the outbox under the marketing purpose (issue 18): the outbox
// decides per contact as always — consent, channel, hours, caps, holds and
// the customer's choices of news. Before sending, a preview asks the
// outbox's own decision (outbox.Decide) for every member; sending queues
// one outbox row per member in batches, once; after, the results read the
// rows back by state and reason, with replies and orders within the
// campaign's window.
package campaigns

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// DefaultWindow is the attribution window of a campaign that names none.
const DefaultWindow = 30

const storeKey = "vinculo.campaigns"

// plugin is the campaigns of one app: the sends running in this process.
type plugin struct {
	cfg     *crm.Config
	mu      sync.Mutex
	running map[string]bool
	wg      sync.WaitGroup
}

func pluginOf(app core.App) (*plugin, error) {
	p, ok := app.Store().Get(storeKey).(*plugin)
	if !ok {
		return nil, errors.New("campaigns: Register was not called on this app")
	}
	return p, nil
}

// Register checks every campaign as it is saved, gives a writer's new
// campaign to them, wires the preview, send and results routes, and
// resumes at the start of the server the sends a stop interrupted.
// Registering twice on one app is a no-op.
func Register(app core.App, cfg *crm.Config) error {
	created := false
	p := app.Store().GetOrSet(storeKey, func() any {
		created = true
		return &plugin{cfg: cfg, running: map[string]bool{}}
	}).(*plugin)
	if !created {
		return nil
	}
	app.OnRecordCreateRequest(crm.Campaigns).BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() && (!guard.IsManager(e.Auth) || e.Record.GetString(crm.CampOwner) == "") {
			e.Record.Set(crm.CampOwner, e.Auth.Id)
		}
		return e.Next()
	})
	app.OnRecordCreate(crm.Campaigns).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(crm.CampState) == "" {
			e.Record.Set(crm.CampState, crm.CampaignDraft)
		}
		if err := check(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdate(crm.Campaigns).BindFunc(func(e *core.RecordEvent) error {
		if err := check(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/crm/campaigns")
		g.GET("/{id}/preview", p.handlePreview).Bind(guard.Staff())
		g.POST("/{id}/send", p.handleSend).Bind(guard.Writer())
		g.GET("/{id}/results", handleResults).Bind(guard.Staff())
		if err := se.Next(); err != nil {
			return err
		}
		p.resume(se.App)
		return nil
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		p.wg.Wait()
		return e.Next()
	})
	return nil
}

// Wait returns when app's campaign sends started in the background are
// done: tests wait for a send before they look.
func Wait(app core.App) {
	if p, err := pluginOf(app); err == nil {
		p.wg.Wait()
	}
}

// check: a campaign has its message in at least one language (a subject
// alone is not one), knows every variable it uses, and a window of 1 to
// 365 days. Bad input is a 400 naming the field.
func check(app core.App, r *core.Record) error {
	errs := validation.Errors{}
	if strings.TrimSpace(r.GetString(crm.CampName)) == "" {
		errs[crm.CampName] = validation.NewError("validation_required", "Give the campaign a name.")
	}
	written := 0
	for _, pair := range [][2]string{{crm.CampSubjectEN, crm.CampBodyEN}, {crm.CampSubjectPT, crm.CampBodyPT}} {
		s, b := strings.TrimSpace(r.GetString(pair[0])), strings.TrimSpace(r.GetString(pair[1]))
		if b != "" {
			written++
		} else if s != "" {
			errs[pair[1]] = validation.NewError("validation_required", "Write the message in this language too, or clear its subject.")
		}
		for _, f := range pair {
			if unknown := unknownVariables(r.GetString(f)); len(unknown) > 0 && errs[f] == nil {
				// With params the message is read as a template: it holds no braces.
				errs[f] = validation.NewError("validation_unknown_variable",
					fmt.Sprintf("Unknown variable %q: use one of %s (each written in double braces).", unknown[0], strings.Join(Variables, ", "))).
					SetParams(map[string]any{"variable": unknown[0]})
			}
		}
	}
	if written == 0 && errs[crm.CampBodyEN] == nil {
		errs[crm.CampBodyEN] = validation.NewError("validation_required", "Write the message in at least one language.")
	}
	if ch := r.GetString(crm.CampChannel); ch != "" && !slices.Contains(crm.CampaignChannels, ch) {
		errs[crm.CampChannel] = validation.NewError("validation_invalid_channel",
			fmt.Sprintf("A campaign goes by %s, or by each customer's preferred channel.", strings.Join(crm.CampaignChannels, ", ")))
	}
	switch n := r.GetInt(crm.CampWindow); {
	case n == 0:
		r.Set(crm.CampWindow, DefaultWindow)
	case n < 1 || n > 365:
		errs[crm.CampWindow] = validation.NewError("validation_window", "Count orders within 1 to 365 days of the message.")
	}
	if seg := r.GetString(crm.CampSegment); seg == "" {
		errs[crm.CampSegment] = validation.NewError("validation_required", "Choose the segment it goes to.")
	} else if _, err := app.FindRecordById(crm.Segments, seg); err != nil {
		errs[crm.CampSegment] = validation.NewError("validation_not_found", "There is no such segment.")
	}
	if topic := r.GetString(crm.CampTopic); topic != "" && r.GetString(crm.CampState) == crm.CampaignDraft {
		t, err := app.FindRecordById(crm.NewsTopics, topic)
		if err != nil || !t.GetBool(crm.TopicActive) {
			errs[crm.CampTopic] = validation.NewError("validation_topic_inactive", "Choose one of the news topics customers are offered now.")
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// find is the campaign of the route, or a 404.
func find(e *core.RequestEvent) (*core.Record, error) {
	c, err := e.App.FindRecordById(crm.Campaigns, e.Request.PathValue("id"))
	if err != nil {
		return nil, e.NotFoundError("There is no such campaign.", nil)
	}
	return c, nil
}

// mayWrite: managers (and superusers) any campaign, an agent their own.
func mayWrite(e *core.RequestEvent, c *core.Record) bool {
	return e.HasSuperuserAuth() || guard.IsManager(e.Auth) || c.GetString(crm.CampOwner) == e.Auth.Id
}
