package hooksapi

import (
	"github.com/dop251/goja"
	"github.com/spf13/cast"

	"vinculo/plugins/notifications"
)

// bindNotify: notify, which tells a colleague something in the workspace's
// bell and, by their own choice for that event, by email at once or in
// their daily digest (plugins/notifications). Nobody is told of their own
// action; an unknown event or colleague is an error.
//
//	$crm.notify({to: ownerId, event: "customer_opened", collection: "cases", record: kase.id,
//	             data: {customer: "Ana", reference: "R-00012", title: "No signal"}})
func (en *engine) bindNotify(vm *goja.Runtime, set setFunc) {
	set("notify", func(n map[string]any, opts map[string]any) error {
		data, _ := n["data"].(map[string]any)
		return notifications.Notify(en.appFor(vm, opts), notifications.Notice{
			To: cast.ToString(n["to"]), By: cast.ToString(n["by"]), Event: cast.ToString(n["event"]),
			Collection: cast.ToString(n["collection"]), Record: cast.ToString(n["record"]), Data: data,
			Once: cast.ToString(n["once"]),
		})
	})
}
