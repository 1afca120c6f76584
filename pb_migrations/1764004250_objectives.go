package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"vinculo/crm"
)

// Objectives: a target a manager sets on a figure of the insights boards,
// and its daily snapshots (the figure's value each day, kept so that the
// history survives later edits of the data).
func init() {
	m.Register(objectivesUp, objectivesDown)
}

func objectivesUp(app core.App) error {
	o := core.NewBaseCollection(crm.Objectives)
	o.Fields.Add(
		text(crm.ObjectiveName, true, 200),
		text(crm.ObjectiveFigure, true, 100),
		jsonField(crm.ObjectiveFilters, false, 2000),
		&core.NumberField{Name: crm.ObjectiveTarget, Required: false},
		choice(crm.ObjectiveDirection, true, crm.ObjectiveAtLeast, crm.ObjectiveAtMost),
		choice(crm.ObjectivePeriod, true, crm.MeasurePeriods...),
		date(crm.ObjectiveStart, true),
		date(crm.ObjectiveDue, true),
		number(crm.ObjectiveCost, false, 0, 1e12, false),
		relation(app, crm.ObjectiveOwner, crm.Staff, false, false),
	)
	o.Fields.Add(timestamps()...)
	describeSurvey(o, "A target on a figure of the insights boards (board/key, filters), its direction, how it is measured, start and due dates, optional cost and owner. Managers write; staff read.")
	setRules(o, managersWrite())
	index(o, false, crm.ObjectiveOwner)
	index(o, false, crm.ObjectiveDue)
	if err := app.Save(o); err != nil {
		return err
	}

	s := core.NewBaseCollection(crm.ObjectiveSnapshots)
	s.Fields.Add(
		relation(app, crm.SnapshotObjective, crm.Objectives, true, true),
		pattern(crm.SnapshotDay, true, 10, `^\d{4}-\d{2}-\d{2}$`),
		&core.NumberField{Name: crm.SnapshotValue},
		boolean(crm.SnapshotNoValue),
		&core.NumberField{Name: crm.SnapshotTarget},
		date(crm.SnapshotMeasuredAt, true),
	)
	s.Fields.Add(timestamps()...)
	describeSurvey(s, "One row per objective per day: the figure's value that day (measured once the day ended) and the target then. Written by the server; staff read.")
	setRules(s, rules{read: rule(isStaff)})
	index(s, true, crm.SnapshotObjective, crm.SnapshotDay)
	return app.Save(s)
}

func objectivesDown(app core.App) error {
	for _, name := range []string{crm.ObjectiveSnapshots, crm.Objectives} {
		if c, err := app.FindCollectionByNameOrId(name); err == nil {
			if err := app.Delete(c); err != nil {
				return err
			}
		}
	}
	return nil
}
