// Package segments lets the team build segments of customers with a filter
// over any field, purchases and the value model, each with a value
// proposition and an owner (issue 18). The definition is compiled to one
// SQL query (segdef), which gives the live count, the members, the export
// and insights' segment filter; a snapshot of each segment's size and
// revenue is kept per day.
package segments

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"vinculo/crm"
	"vinculo/crm/guard"
	"vinculo/plugins/segments/segdef"
)

// countBudget bounds a live count: the builder asks as people type.
const countBudget = 5 * time.Second

// Register checks every segment's definition as it is saved, wires the
// count and members routes and the daily snapshots.
func Register(app core.App, cfg *crm.Config) error {
	segdef.SetNeedsConsent(app, func() bool { return cfg.BusinessNow().ProfilingNeedsConsent })
	app.OnRecordCreateRequest(crm.Segments).BindFunc(func(e *core.RecordRequestEvent) error {
		// A writer's new segment is theirs; a manager may give it to anyone.
		if !e.HasSuperuserAuth() && (!guard.IsManager(e.Auth) || e.Record.GetString(crm.SegmentOwner) == "") {
			e.Record.Set(crm.SegmentOwner, e.Auth.Id)
		}
		return e.Next()
	})
	check := func(e *core.RecordEvent) error {
		if err := checkDefinition(e.App, e.Record); err != nil {
			return err
		}
		return e.Next()
	}
	app.OnRecordCreate(crm.Segments).BindFunc(check)
	app.OnRecordUpdate(crm.Segments).BindFunc(check)
	snapOne := func(e *core.RecordEvent) error {
		if err := snapshotSegment(e.App, cfg, e.Record, time.Now()); err != nil {
			e.App.Logger().Warn("segments: today's snapshot", "segment", e.Record.Id, "error", err)
		}
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(crm.Segments).BindFunc(snapOne)
	app.OnRecordAfterUpdateSuccess(crm.Segments).BindFunc(snapOne)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/crm/segments")
		g.POST("/count", handleCount).Bind(guard.Staff())
		g.GET("/{id}/members", handleMembers).Bind(guard.Staff())
		// Every hour: today's size and revenue so far, and yesterday's
		// revenue completed.
		se.App.Cron().MustAdd("segmentSnapshots", "7 * * * *", func() {
			if err := SnapshotAll(se.App, cfg, time.Now()); err != nil {
				se.App.Logger().Error("segments: snapshots", "error", err)
			}
		})
		return se.Next()
	})
	return nil
}

// checkDefinition compiles a segment's definition (400 naming the
// condition at fault) and sets whether it reads the value model.
func checkDefinition(app core.App, r *core.Record) error {
	if !segdef.Has(r) {
		r.Set(crm.SegmentUsesProfiling, false)
		return nil
	}
	d, err := segdef.Parse([]byte(r.GetString(crm.SegmentDefinition)))
	var c *segdef.Compiled
	if err == nil {
		c, err = segdef.Compile(app, d, time.Now(), "sg")
	}
	if err != nil {
		return definitionError(err)
	}
	r.Set(crm.SegmentUsesProfiling, c.UsesProfiling)
	return nil
}

// definitionError is a 400 whose field is the definition and whose
// message names the condition: in English for API clients (message,
// reason), and as a code with its params (code, args) for the workspace to
// word in the reader's language.
func definitionError(err error) error {
	var de *segdef.Error
	if !errors.As(err, &de) {
		return err
	}
	args := de.Params
	if args == nil {
		args = segdef.P{}
	}
	params := map[string]any{"path": de.Path, "condition": de.Condition, "reason": de.Message, "code": de.Code, "args": args}
	return router.NewBadRequestError(de.Error(), validation.Errors{
		crm.SegmentDefinition: validation.NewError("validation_segment_condition", de.Error()).SetParams(params),
	})
}

// handleCount: POST /api/crm/segments/count {definition} -> {count,
// uses_profiling}: the builder's live count.
func handleCount(e *core.RequestEvent) error {
	var body struct {
		Definition segdef.Definition `json:"definition"`
	}
	if err := e.BindBody(&body); err != nil {
		return definitionError(&segdef.Error{Path: "definition", Code: segdef.CodeJSON, Message: "the definition is not a JSON object of conditions: " + err.Error()})
	}
	c, err := segdef.Compile(e.App, body.Definition, time.Now(), "sg")
	if err != nil {
		return definitionError(err)
	}
	if err := forReader(e.App, e.Auth, c); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.Request.Context(), countBudget)
	defer cancel()
	n, err := segdef.Count(ctx, e.App, c)
	if err != nil {
		if ctx.Err() != nil {
			return e.BadRequestError("The segment took too long to count; narrow its conditions.", nil)
		}
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"count": n, "uses_profiling": c.UsesProfiling})
}

// Member is one contact of a segment in its members list.
type Member struct {
	ID      string `db:"id" json:"id"`
	Name    string `db:"name" json:"name"`
	Email   string `db:"email" json:"email"`
	Company string `db:"company" json:"company"`
	Owner   string `db:"owner" json:"owner"`
	Stage   string `db:"stage" json:"stage"`
}

// handleMembers: GET /api/crm/segments/{id}/members?page=1&perPage=50 ->
// {items, page, perPage, totalItems}, by name.
func handleMembers(e *core.RequestEvent) error {
	seg, err := e.App.FindRecordById(crm.Segments, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("There is no such segment.", nil)
	}
	page, perPage := intParam(e, "page", 1, 1, 1e6), intParam(e, "perPage", 50, 1, 200)
	c, err := segdef.Of(e.App, seg, time.Now(), "sg")
	if err != nil {
		return definitionError(err)
	}
	if err := forReader(e.App, e.Auth, c); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.Request.Context(), countBudget)
	defer cancel()
	total, err := segdef.Count(ctx, e.App, c)
	if err != nil {
		return err
	}
	items := []Member{}
	a := segdef.Alias
	err = e.App.DB().NewQuery("SELECT " + a + ".id, " + a + ".name, IFNULL(" + a + ".email, '') AS email, IFNULL(co.name, '') AS company, " +
		"IFNULL(" + a + ".owner, '') AS owner, IFNULL(" + a + ".stage, '') AS stage FROM " + crm.Contacts + " " + a +
		" LEFT JOIN " + crm.Companies + " co ON co.id = " + a + ".company WHERE " + c.Where +
		" ORDER BY " + a + ".name COLLATE NOCASE, " + a + ".id LIMIT " + strconv.Itoa(perPage) + " OFFSET " + strconv.Itoa((page-1)*perPage)).
		Bind(c.Params).WithContext(ctx).All(&items)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, map[string]any{"items": items, "page": page, "perPage": perPage, "totalItems": total})
}

func intParam(e *core.RequestEvent, name string, fallback, lo, hi int) int {
	n, err := strconv.Atoi(e.Request.URL.Query().Get(name))
	if err != nil {
		return fallback
	}
	return min(max(n, lo), hi)
}
