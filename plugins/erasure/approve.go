package erasure

import (
	"io"
	"time"

	"encoding/json"
	"github.com/pocketbase/dbx"
	"net/mail"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"vinculo/crm"
)

// receiptHeader marks the receipt's mail (the mail folder keeps it).
const receiptHeader = "X-Vinculo-Erasure-Receipt"

// Approve carries out a request: the receipt is made from the preview and
// signed, the request marked approved with it, the receipt mailed to the
// person while their address is still known, then their data erased in one
// transaction and the database's old bytes pushed out of the write-ahead
// log. A request left approved (the mail failed) is taken up again by
// approving it again.
func Approve(app core.App, cfg *crm.Config, id, manager, note string) (*core.Record, *Outcome, error) {
	r, err := openRequest(app, id)
	if err != nil {
		return nil, nil, err
	}
	p, err := MakePlan(app, r.GetString(crm.FieldContact), now(app))
	if err != nil {
		return nil, nil, err
	}
	priv, err := SigningKey(app)
	if err != nil {
		return nil, nil, err
	}
	_, kid, err := PublicKey(app)
	if err != nil {
		return nil, nil, err
	}
	ref, l := r.GetString(crm.ErasureRef), r.GetString(crm.ErasureLanguage)
	b := cfg.BusinessNow()
	text := receiptText(l, b.Name, cfg.PublicURL, ref, kid, r.GetDateTime(crm.ErasureAskedAt).Time(), now(app),
		b.Location(), p.Erased(), p.KeptByCollection())
	signed, digest, sig := Sign(priv, text)
	r.Set(crm.ErasureState, crm.ErasureApproved)
	r.Set(crm.ErasureDecidedAt, now(app).UTC())
	r.Set(crm.ErasureDecidedBy, manager)
	r.Set(crm.ErasureReason, note)
	r.Set(crm.ErasureReceipt, signed)
	r.Set(crm.ErasureDigest, digest)
	r.Set(crm.ErasureSignature, sig)
	if err := app.Save(r); err != nil {
		return nil, nil, err
	}
	if err := mailReceipt(app, p, l, ref, signed); err != nil {
		return r, nil, err
	}
	var out *Outcome
	err = app.RunInTransaction(func(tx core.App) error {
		plan, err := MakePlan(tx, r.GetString(crm.FieldContact), now(tx))
		if err != nil {
			return err
		}
		if out, err = apply(tx, cfg, plan, ref); err != nil {
			return err
		}
		return finish(tx, r.Id, out)
	})
	if err != nil {
		return r, nil, err
	}
	Settle(app)
	done, err := app.FindRecordById(crm.ErasureRequests, r.Id)
	return done, out, err
}

// finish marks the request done with what was erased and kept.
func finish(tx core.App, id string, out *Outcome) error {
	r, err := tx.FindRecordById(crm.ErasureRequests, id)
	if err != nil {
		return err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	r.Set(crm.ErasureState, crm.ErasureDone)
	r.Set(crm.ErasureDoneAt, now(tx).UTC())
	r.Set(crm.ErasureOutcome, string(b))
	r.Set(crm.ErasureNote, "")
	r.Set(crm.ErasureCustomer, "")
	return tx.Save(r)
}

// mailReceipt sends the signed receipt to the person's address (the
// contact's, else their portal account's) through the app's mailer, at
// once: the outbox would hold it to the person's hours, and by then the
// address is gone. A request made by letter with no address gets none;
// the manager prints it from /privacy.
func mailReceipt(app core.App, p *Plan, l, ref, signed string) error {
	to := p.Contact.GetString(crm.FieldEmail)
	for _, a := range p.Accounts {
		if to == "" {
			to = a.Email()
		}
	}
	if to == "" {
		return nil
	}
	w := wordsFor(l)
	s := app.Settings()
	msg := &mailer.Message{
		From:    mail.Address{Name: s.Meta.SenderName, Address: s.Meta.SenderAddress},
		To:      []mail.Address{{Address: to}},
		Subject: strings.Replace(w["subject"], "%s", ref, 1),
		Text:    w["intro"] + "\n\n" + signed,
		Headers: map[string]string{receiptHeader: ref, "Auto-Submitted": "auto-generated"},
		Attachments: map[string]io.Reader{
			"erasure-receipt-" + ref + ".txt": strings.NewReader(signed),
		},
	}
	return app.NewMailClient().Send(msg)
}

// Settle pushes the old pages out of both databases' write-ahead logs
// (checkpoint and truncate), so that the bytes an erasure zeroed are the
// only copy left in the files. A reader still holding an old snapshot
// makes it wait; it is tried a few times and otherwise left to SQLite's
// next automatic checkpoint.
func Settle(app core.App) {
	for _, db := range []interface {
		NewQuery(string) *dbx.Query
	}{app.NonconcurrentDB(), app.AuxNonconcurrentDB()} {
		for try := 0; try < 5; try++ {
			var busy, logged, moved int
			if err := db.NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Row(&busy, &logged, &moved); err == nil && busy == 0 {
				break
			}
			time.Sleep(time.Duration(try+1) * 50 * time.Millisecond)
		}
	}
}
