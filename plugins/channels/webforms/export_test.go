package webforms_test

import (
	"time"

	"vinculo/plugins/channels/webforms"
	"vinculo/testkit"
)

func deleteOld(w *testkit.World, now time.Time) (int, error) { return webforms.DeleteOld(w.App, now) }
