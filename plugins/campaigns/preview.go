package campaigns

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/outbox"
	"vinculo/plugins/segments/segdef"
	"vinculo/plugins/team"
)

// MaxPreview is how many members a preview asks the outbox about; a larger
// segment is previewed on a random sample of that many, its counts scaled
// and marked as an estimate.
const MaxPreview = 5000

// samplePerReason and maxSample bound the preview's list of examples.
const (
	samplePerReason = 5
	maxSample       = 60
)

// Preview is what the outbox would do with the campaign's message to each
// member, asked now: how many would go now (queued), later (waiting, and
// until when), never (refused, failed), why, with examples.
type Preview struct {
	Members   int            `json:"members"`   // in the segment now
	Evaluated int            `json:"evaluated"` // asked about: all of them, or a sample
	Estimate  bool           `json:"estimate"`  // counts scaled from a sample
	ByState   map[string]int `json:"by_state"`
	Reasons   []Tally        `json:"reasons"`
	Sample    []Example      `json:"sample"`
	At        time.Time      `json:"at"`
}

// Example is one member's decision.
type Example struct {
	Contact   string    `json:"contact"`
	Name      string    `json:"name"`
	Language  string    `json:"language"`
	State     string    `json:"state"`
	Reason    string    `json:"reason"`
	Channel   string    `json:"channel"`
	NotBefore time.Time `json:"not_before,omitzero"`
}

// members are the ids of the contacts in the campaign's segment as of now
// (all, or a random sample of limit when limit > 0), and how many there are.
// withRestricted counts in those whose processing is restricted, whom the
// segment leaves out: the preview asks the outbox about them, which says why
// they will get nothing; the send never queues for them.
func members(ctx context.Context, app core.App, camp *core.Record, now time.Time, limit int, withRestricted bool) ([]string, int, error) {
	seg, err := app.FindRecordById(crm.Segments, camp.GetString(crm.CampSegment))
	if err != nil {
		return nil, 0, err
	}
	c, err := segdef.Of(app, seg, now, "cp")
	if err != nil {
		return nil, 0, err
	}
	if withRestricted {
		c.Where = c.WithRestricted
	}
	total, err := segdef.Count(ctx, app, c)
	if err != nil {
		return nil, 0, err
	}
	q := c.IDs() + " ORDER BY " + segdef.Alias + ".id"
	if limit > 0 && total > limit {
		q = c.IDs() + " ORDER BY random() LIMIT " + strconv.Itoa(limit)
	}
	var ids []string
	if err := app.DB().NewQuery(q).Bind(c.Params).WithContext(ctx).Column(&ids); err != nil {
		return nil, 0, err
	}
	return ids, total, nil
}

// Compute asks the outbox's own decision (outbox.Decide) about the
// campaign's message to every member (or a sample), with nothing queued.
func Compute(ctx context.Context, app core.App, cfg *crm.Config, camp *core.Record) (Preview, error) {
	now := outbox.Now(app)
	ids, total, err := members(ctx, app, camp, now, MaxPreview, true)
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Members: total, Evaluated: len(ids), Estimate: len(ids) < total, At: now, Sample: []Example{}}
	ts := tallies{}
	seen := map[string]int{}
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return Preview{}, err
		}
		contact, err := app.FindRecordById(crm.Contacts, id)
		if err != nil {
			continue // gone since the segment was read
		}
		q := message(app, cfg, camp, contact, "")
		d, err := outbox.Decide(app, q)
		if err != nil {
			return Preview{}, err
		}
		ts.add(d.State, d.Code, d.Data, d.NotBefore)
		reason, channel := reasonOf(d.Code, d.Data)
		if key := d.State + reason; seen[key] < samplePerReason && len(p.Sample) < maxSample {
			seen[key]++
			p.Sample = append(p.Sample, Example{Contact: id, Name: contact.GetString("name"), Language: language(cfg, camp, contact),
				State: d.State, Reason: reason, Channel: channel, NotBefore: d.NotBefore})
		}
	}
	p.Reasons = ts.list()
	if p.Estimate && p.Evaluated > 0 {
		scale := float64(total) / float64(p.Evaluated)
		for i := range p.Reasons {
			p.Reasons[i].Count = int(float64(p.Reasons[i].Count)*scale + 0.5)
		}
	}
	p.ByState = byState(p.Reasons)
	return p, nil
}

// previewBudget bounds a preview asked from the workspace.
const previewBudget = 60 * time.Second

// handlePreview: GET /api/crm/campaigns/{id}/preview.
func (pl *plugin) handlePreview(e *core.RequestEvent) error {
	camp, err := find(e)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.Request.Context(), previewBudget)
	defer cancel()
	p, err := Compute(ctx, e.App, pl.cfg, camp)
	if err != nil {
		if ctx.Err() != nil {
			return e.BadRequestError("The preview took too long; narrow the segment.", nil)
		}
		return segmentProblem(e, err)
	}
	// In the teams mode an agent's examples are only customers they see.
	if p.Sample, err = seenSample(e, p.Sample); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, p)
}

// seenSample keeps the examples of customers the reader may see.
func seenSample(e *core.RequestEvent, sample []Example) ([]Example, error) {
	ids := make([]string, len(sample))
	for i, x := range sample {
		ids[i] = x.Contact
	}
	seen, err := team.Seen(e.App, e.Auth, crm.Contacts, ids)
	if err != nil {
		return nil, err
	}
	out := []Example{}
	for _, x := range sample {
		if slices.Contains(seen, x.Contact) {
			out = append(out, x)
		}
	}
	return out, nil
}

// segmentProblem: a segment that no longer compiles is the campaign's
// segment field at fault.
func segmentProblem(e *core.RequestEvent, err error) error {
	if de, ok := err.(*segdef.Error); ok {
		return badField(e, crm.CampSegment, "validation_segment", "The campaign's segment does not read: "+de.Error())
	}
	return err
}

// badField is a 400 whose message names field.
func badField(e *core.RequestEvent, field, code, message string) error {
	return e.BadRequestError(message, validation.Errors{field: validation.NewError(code, message)})
}
