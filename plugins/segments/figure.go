package segments

import (
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/insights"
)

// FigureKey is the Insights figure of a segment's size and revenue over
// time (board customers, with the segment filter).
const FigureKey = "segment_size"

func init() {
	insights.Add(insights.Def{
		Board: insights.BoardCustomers, Key: FigureKey, Unit: insights.UnitCount, Better: "up",
		Filters: []string{insights.FilterSegment},
		Compute: segmentSize, Records: segmentMembers,
	})
}

// segmentMembers: the segment's members now (at most limit), by name;
// none without a segment chosen.
func segmentMembers(app core.App, q insights.Query, limit int) ([]insights.Record, error) {
	if q.Filters.Segment == "" {
		return nil, nil
	}
	w := insights.NewWhere()
	if err := w.Segment(app, "id", q); err != nil {
		return nil, err
	}
	if err := w.Visible(app, "id", crm.Contacts, q); err != nil {
		return nil, err
	}
	var rows []struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := w.Query(app, "SELECT id, name FROM "+crm.Contacts+" WHERE {where} ORDER BY name LIMIT "+
		strconv.Itoa(limit)).All(&rows); err != nil {
		return nil, err
	}
	out := make([]insights.Record, len(rows))
	for i, r := range rows {
		out[i] = insights.Record{Collection: crm.Contacts, ID: r.ID, Title: r.Name}
	}
	return out, nil
}

// Snapshot is one day of a segment's size and revenue.
type Snapshot struct {
	Day     string  `db:"day" json:"day"`
	Members int     `db:"members" json:"members"`
	Revenue float64 `db:"revenue" json:"revenue"`
}

// History is segment id's snapshots of the days [from, to), oldest first.
func History(app core.App, id, from, to string) ([]Snapshot, error) {
	out := []Snapshot{}
	err := app.DB().Select(crm.SnapDay, crm.SnapMembers, crm.SnapRevenue).From(crm.SegmentSnapshots).
		Where(dbx.HashExp{crm.SnapSegment: id}).
		AndWhere(dbx.NewExp(crm.SnapDay+" >= {:from} AND "+crm.SnapDay+" < {:to}", dbx.Params{"from": from, "to": to})).
		OrderBy(crm.SnapDay + " ASC").All(&out)
	return out, err
}

// segmentSize: the segment's members on the period's last snapshot, a
// point per day (members, with the day's revenue as a part) and the
// period's revenue; nothing without a segment chosen.
func segmentSize(app core.App, q insights.Query) (insights.Result, error) {
	if q.Filters.Segment == "" {
		return insights.Result{}, nil
	}
	if q.Filters.Reader != nil {
		return seenSize(app, q)
	}
	loc := q.Loc
	if loc == nil {
		loc = time.UTC
	}
	snaps, err := History(app, q.Filters.Segment, q.From.In(loc).Format(time.DateOnly), q.To.In(loc).Format(time.DateOnly))
	if err != nil || len(snaps) == 0 {
		return insights.Result{}, err
	}
	res := insights.Result{Extra: map[string]float64{"revenue": 0}}
	for _, s := range snaps {
		res.Series = append(res.Series, insights.Point{Label: s.Day, Value: float64(s.Members),
			Parts: map[string]float64{"revenue": s.Revenue}})
		res.Extra["revenue"] += s.Revenue
	}
	last := snaps[len(snaps)-1].Members
	res.Value, res.Count = insights.Float(float64(last)), last
	return res, nil
}

// seenSize is the segment's figure for a reader who sees only part of the
// contacts (an agent in the teams mode): the daily snapshots count every
// contact, so their size is the members they see now, and the revenue what
// those members spent in the period.
func seenSize(app core.App, q insights.Query) (insights.Result, error) {
	w := insights.NewWhere()
	if err := w.Segment(app, "c.id", q); err != nil {
		return insights.Result{}, err
	}
	if err := w.Visible(app, "c.id", crm.Contacts, q); err != nil {
		return insights.Result{}, err
	}
	var members int
	if err := w.Query(app, "SELECT COUNT(*) FROM "+crm.Contacts+" c WHERE {where}").Row(&members); err != nil {
		return insights.Result{}, err
	}
	w.Between("o.placed_at", q.From, q.To)
	var revenue float64
	if err := w.Query(app, "SELECT IFNULL(SUM(o.total), 0) FROM "+crm.Orders+" o JOIN "+crm.Contacts+" c ON c.id = o.`"+
		crm.FieldContact+"` WHERE o.status != 'cancelled' AND {where}").Row(&revenue); err != nil {
		return insights.Result{}, err
	}
	return insights.Result{Value: insights.Float(float64(members)), Count: members, Extra: map[string]float64{"revenue": revenue}}, nil
}
