package email

import (
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// Register binds the email channel.
func Register(app core.App, cfg *crm.Config) error {
	// The mails are what was sent and received: the server writes them
	// alone, and no API call (a superuser's included) adds, changes or
	// removes one.
	serverOnly := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Mails are written by Vinculo as they are sent and received.", nil)
	}
	app.OnRecordCreateRequest(crm.EmailMessages).BindFunc(serverOnly)
	app.OnRecordUpdateRequest(crm.EmailMessages).BindFunc(serverOnly)
	app.OnRecordDeleteRequest(crm.EmailMessages).BindFunc(serverOnly)
	registerOutbound(app, cfg)  // outbound.go: sending, threading, writing emails, templates
	registerMailboxes(app, cfg) // mailboxes.go: the mailboxes and their readers (poller.go)
	bindContacts(app)           // contacts.go: a new address clears its bounce mark
	registerUnfiled(app)        // unfiled.go: mail filed under nobody, filed or set aside by staff
	return nil
}

// What a new thread becomes, per mailbox.
const (
	NewThreadRequest  = "request"  // a request of the mailbox's type
	NewThreadTimeline = "timeline" // an email entry on the contact's timeline
)

// Mailbox is what the intake knows of the mailbox a mail was read from.
type Mailbox struct {
	ID        string // the mailboxes row ("" in tests and the bench)
	Address   string // the mailbox's own address: mail from it is ours
	NewThread string // NewThreadRequest or NewThreadTimeline
	CaseType  string // the request type a new thread opens (NewThreadRequest)
}

// What the intake did with one mail.
const (
	OutcomeReply      = "reply"       // a message on an existing request
	OutcomeNewRequest = "new_request" // opened a request
	OutcomeTimeline   = "timeline"    // an entry on the contact's timeline
	OutcomeDuplicate  = "duplicate"   // its Message-ID was seen already: dropped
	OutcomeAutoReply  = "auto_reply"  // an automatic answer: kept, nobody answers it
	OutcomeBounce     = "bounce"      // a delivery failure: the address is marked failing
	OutcomeUnfiled    = "unfiled"     // kept, filed under nobody: Flag says why (intake.go)
)

// Outcome says what the intake did with one mail.
type Outcome struct {
	Action  string
	Mail    string // the email_messages row
	Case    string
	Contact string
	NewLead bool   // the sender was unknown and became a lead contact
	Flag    string // email_messages.flag: why a person should look ("" for none)
}
