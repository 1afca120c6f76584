package crm

// The team's last gaps (issue 16): a contact's owner is told in the bell,
// and by email as they chose, when their customer opens a request
// (hooks/10_notify_owner.pb.js through $crm.notify).
const (
	NotifyCustomerOpened = "customer_opened" // a customer of mine opened a request
)

func init() {
	// After "a customer answered on my request" in the settings' order.
	for i, ev := range NotifyEvents {
		if ev == NotifyCustomerAnswered {
			NotifyEvents = append(NotifyEvents[:i+1], append([]string{NotifyCustomerOpened}, NotifyEvents[i+1:]...)...)
			return
		}
	}
	NotifyEvents = append(NotifyEvents, NotifyCustomerOpened)
}
