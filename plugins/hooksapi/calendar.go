package hooksapi

import (
	"fmt"
	"time"

	"github.com/dop251/goja"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/spf13/cast"
)

// Times as JavaScript passes them, and the business calendar as hooks read it.

// timeArg reads an optional time: undefined is now.
func timeArg(v goja.Value) (time.Time, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return time.Now(), nil
	}
	return toTime(v.Export())
}

// toTime reads a JavaScript Date, a DateTime, a date string or unix
// milliseconds.
func toTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case types.DateTime:
		return x.Time(), nil
	case *types.DateTime:
		return x.Time(), nil
	case string:
		d, err := types.ParseDateTime(x)
		if err != nil || d.IsZero() {
			return time.Time{}, fmt.Errorf("%q is not a date and time like 2026-12-01 15:00:00.000Z", x)
		}
		return d.Time(), nil
	case int64, float64, int:
		return time.UnixMilli(cast.ToInt64(x)), nil
	}
	return time.Time{}, fmt.Errorf("%v is not a date", v)
}

func stamp(t time.Time) string { return t.UTC().Format(types.DefaultDateLayout) }

var weekdayKeys = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// businessHours: the opening hours per weekday, the holidays and the zone.
func (en *engine) businessHours() map[string]any {
	b := en.cfg.BusinessNow()
	days := map[string]any{}
	for d, spans := range b.Hours {
		list := []map[string]string{}
		for _, s := range spans {
			list = append(list, map[string]string{
				"start": fmt.Sprintf("%02d:%02d", s.Start/60, s.Start%60), "end": fmt.Sprintf("%02d:%02d", s.End/60, s.End%60)})
		}
		days[weekdayKeys[d]] = list
	}
	return map[string]any{"timezone": b.Timezone, "text": b.Hours.String(), "days": days, "holidays": append([]string{}, b.Holidays...)}
}
