package deals

import (
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// The reasons for losing a deal are the business's own words. A new business
// starts with a list in its language, written once, at the first start;
// from then on they are the managers' to rename, retire or delete. A
// business whose managers deleted every reason does not get them back: a
// marker says the first list was written.

// firstLostReasons: the list a business starts with, in each language.
var firstLostReasons = map[string][]string{
	"en": {"Price too high", "Chose a competitor", "No budget", "No decision / went silent",
		"Bad timing", "Missing feature or product", "Not a fit"},
	"pt-BR": {"Preço acima do orçamento", "Escolheu um concorrente", "Sem orçamento", "Sem decisão / parou de responder",
		"Momento errado", "Falta um recurso ou produto", "Não é o perfil"},
}

// seededMarker is the key of the marker, a row of PocketBase's own
// key-value table (_params, where it keeps its settings under "settings"
// and reads no other key): Vinculo needs one fact kept with the data, and
// a collection of its own for one flag would show in the dashboard.
const seededMarker = "vinculo_lost_reasons_seeded"

// FirstLostReasons is the list a business speaking lang starts with
// (English for a language Vinculo does not speak).
func FirstLostReasons(lang string) []string {
	if names, ok := firstLostReasons[lang]; ok {
		return append([]string(nil), names...)
	}
	return append([]string(nil), firstLostReasons["en"]...)
}

// SeedLostReasons writes the first reasons in lang unless they were written
// before. A list that already holds reasons (a business that had them before
// the marker existed) is kept as it is and marked. It does nothing before
// the migrations made the collection. The marker names the collection it
// was written for, so that a collection made again starts with a list again.
func SeedLostReasons(app core.App, lang string) error {
	c, err := app.FindCachedCollectionByNameOrId(crm.LostReasons)
	if err != nil {
		return nil
	}
	return app.RunInTransaction(func(tx core.App) error {
		marker := &core.Param{}
		err := tx.ModelQuery(marker).Model(seededMarker, marker)
		switch {
		case err == nil:
			var was struct{ Collection string }
			if json.Unmarshal(marker.Value, &was) == nil && was.Collection == c.Id {
				return nil // written once already
			}
			// The collection was made again (a migration down and up): a new list.
		case errors.Is(err, sql.ErrNoRows):
			marker.Id = seededMarker
			marker.Created = types.NowDateTime()
		default:
			return err
		}
		n, err := tx.CountRecords(c)
		if err != nil {
			return err
		}
		if n == 0 {
			for i, name := range FirstLostReasons(lang) {
				r := core.NewRecord(c)
				r.Load(map[string]any{"name": name, "position": i + 1, "active": true})
				if err := tx.Save(r); err != nil {
					return err
				}
			}
		}
		value, err := json.Marshal(map[string]any{"collection": c.Id, "language": lang, "written": n == 0})
		if err != nil {
			return err
		}
		marker.Value, marker.Updated = types.JSONRaw(value), types.NowDateTime()
		return tx.Save(marker)
	})
}
