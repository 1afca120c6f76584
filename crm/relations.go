package crm

import (
	"sort"

	"github.com/pocketbase/pocketbase/core"
)

// Ref is a relation field of a collection: Collection.Field points at
// records of another collection.
type Ref struct {
	Collection string
	Field      string
}

// RelationsTo walks the schema as it is now (not a list kept by hand) and
// returns every relation field that points at target, sorted. The full copy
// and the erasure use it, so that a collection added later that refers to a
// contact cannot be left out without a test noticing.
func RelationsTo(app core.App, target string) ([]Ref, error) {
	to, err := app.FindCachedCollectionByNameOrId(target)
	if err != nil {
		return nil, err
	}
	all, err := app.FindAllCollections()
	if err != nil {
		return nil, err
	}
	var out []Ref
	for _, c := range all {
		if c.IsView() {
			continue
		}
		for _, f := range c.Fields {
			if rel, ok := f.(*core.RelationField); ok && rel.CollectionId == to.Id {
				out = append(out, Ref{Collection: c.Name, Field: rel.Name})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Collection != out[j].Collection {
			return out[i].Collection < out[j].Collection
		}
		return out[i].Field < out[j].Field
	})
	return out, nil
}
