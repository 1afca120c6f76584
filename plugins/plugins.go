// Package plugins lists Vinculo's capabilities in the order they register.
// main and the tests both call All, so tests run the same app that ships.
package plugins

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/accesslog"
	"vinculo/plugins/business"
	"vinculo/plugins/campaigns"
	"vinculo/plugins/channels/email"
	"vinculo/plugins/channels/webforms"
	"vinculo/plugins/consents"
	"vinculo/plugins/customer360"
	"vinculo/plugins/customfields"
	"vinculo/plugins/datarules"
	"vinculo/plugins/deals"
	"vinculo/plugins/erasure"
	"vinculo/plugins/exporter"
	"vinculo/plugins/fullcopy"
	"vinculo/plugins/importer"
	"vinculo/plugins/insights"
	"vinculo/plugins/mailfolder"
	"vinculo/plugins/mentions"
	"vinculo/plugins/merge"
	"vinculo/plugins/notifications"
	"vinculo/plugins/orders"
	"vinculo/plugins/outbox"
	"vinculo/plugins/portal"
	"vinculo/plugins/portalauth"
	"vinculo/plugins/predictions"
	"vinculo/plugins/realtime"
	"vinculo/plugins/replication"
	"vinculo/plugins/requests"
	"vinculo/plugins/restriction"
	"vinculo/plugins/retention"
	"vinculo/plugins/search"
	"vinculo/plugins/segments"
	"vinculo/plugins/setup"
	"vinculo/plugins/signin"
	"vinculo/plugins/storage"
	"vinculo/plugins/surveys"
	"vinculo/plugins/team"
	"vinculo/plugins/timeline"
	"vinculo/plugins/webui"
)

// Register is what every plugin exposes.
type Register func(core.App, *crm.Config) error

// All registers every plugin on app.
func All(app core.App, cfg *crm.Config) error {
	for _, register := range []Register{
		storage.Register,
		replication.Register,
		setup.Register,
		business.Register,
		mailfolder.Register,
		datarules.Register,
		requests.Register,
		deals.Register,
		consents.Register,
		customfields.Register,
		search.Register,
		timeline.Register,
		outbox.Register,
		email.Register,
		webforms.Register,
		customer360.Register,
		orders.Register,
		portalauth.Register,
		signin.Register,
		team.Register,
		notifications.Register,
		mentions.Register,
		portal.Register,
		realtime.Register,
		exporter.Register,
		accesslog.Register,
		importer.Register,
		merge.Register,
		surveys.Register,
		insights.Register,
		predictions.Register,
		segments.Register,
		campaigns.Register,
		restriction.Register,
		fullcopy.Register,
		erasure.Register,
		retention.Register,
		webui.Register,
	} {
		if err := register(app, cfg); err != nil {
			return err
		}
	}
	return nil
}
