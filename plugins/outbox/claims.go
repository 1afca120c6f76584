package outbox

import (
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"vinculo/crm"
)

// A claim is "<process id>-<random>": the process id, drawn once per app,
// lets a process that stops gracefully release its own claims and no
// other's. It fits the claim field (40 characters).
const (
	processIDLength = 12
	claimTailLength = 20
)

// claimPrefix is what every claim of this process starts with.
func (p *plugin) claimPrefix() string { return p.id + "-" }

// newClaim is a fresh claim of this process.
func (p *plugin) newClaim() string {
	return p.claimPrefix() + security.RandomString(claimTailLength)
}

// interrupted says whether a send failed while the app stops (close
// canceled the senders' context): such a failure is no attempt. A permanent
// failure stays one.
func (p *plugin) interrupted(sendErr error) bool {
	return sendErr != nil && p.ctx.Err() != nil && !errors.Is(sendErr, ErrPermanent)
}

// releaseClaims clears the claims this process holds, making their messages
// due again at once for whichever process runs next, and says how many it
// released. Messages other processes claimed are left alone.
func (p *plugin) releaseClaims() (int, error) {
	prefix := p.claimPrefix()
	released := 0
	err := p.app.RunInTransaction(func(tx core.App) error {
		released = 0
		var ids []string
		err := tx.DB().Select("id").From(crm.Outbox).
			Where(dbx.NewExp("substr([[claim]], 1, {:n}) = {:prefix}", dbx.Params{"n": len(prefix), "prefix": prefix})).
			Column(&ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			rec, err := tx.FindRecordById(crm.Outbox, id)
			if err != nil {
				return err
			}
			rec.Set("claim", "")
			rec.Set("claimed_at", "")
			if err := tx.Save(rec); err != nil {
				return err
			}
			released++
		}
		return nil
	})
	return released, err
}
