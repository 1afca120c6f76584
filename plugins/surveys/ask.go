package surveys

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/plugins/outbox"
)

// SurveyPath is the portal page a survey link opens (no sign-in needed).
const SurveyPath = "/portal/survey"

// npsBatch is how many contacts one run of the NPS job asks at most; the
// next run takes the rest.
const npsBatch = 200

// Asked is a survey sent: its survey_requests row, the outbox message that
// carries it (with the outbox's decision) and the link's token, which is
// stored nowhere.
type Asked struct {
	Request, Message *core.Record
	Token            string
}

// Ask sends the survey kind to contact (about caseID for CSAT, else ""):
// a survey_requests row and an outbox message of purpose research, in one
// transaction. The outbox decides at once: without a granted research
// consent on the channel, or after the customer withdrew it, the message
// is refused and nothing reaches the customer.
func Ask(app core.App, cfg *crm.Config, contactID, kind, caseID string, now time.Time) (Asked, error) {
	var out Asked
	setting, err := Load(app, kind)
	if err != nil {
		return out, err
	}
	err = app.RunInTransaction(func(tx core.App) error {
		contact, err := tx.FindRecordById(crm.Contacts, contactID)
		if err != nil {
			return err
		}
		token, hash, err := newToken()
		if err != nil {
			return err
		}
		reqs, err := tx.FindCachedCollectionByNameOrId(crm.SurveyRequests)
		if err != nil {
			return err
		}
		req := core.NewRecord(reqs)
		req.Load(map[string]any{
			crm.SurveyRequestKind: kind, crm.SurveyRequestContact: contact.Id, crm.SurveyRequestCase: caseID,
			crm.SurveyRequestTokenHash: hash, crm.SurveyRequestAskedAt: now, crm.SurveyRequestExpiresAt: now.Add(LinkValid),
		})
		if err := tx.Save(req); err != nil {
			return err
		}
		msg, err := queue(tx, cfg, contact, req, setting, token)
		if err != nil {
			return err
		}
		req.Set(crm.SurveyRequestOutbox, msg.Id)
		if err := tx.Save(req); err != nil {
			return err
		}
		out = Asked{Request: req, Message: msg, Token: token}
		return nil
	})
	return out, err
}

// queue writes the survey's message to the outbox, in the contact's language.
func queue(tx core.App, cfg *crm.Config, contact, req *core.Record, s Setting, token string) (*core.Record, error) {
	lang := languageOf(cfg, contact)
	t := texts[lang]
	business := cfg.BusinessNow().Name
	link := cfg.PublicURL + SurveyPath + "?t=" + url.QueryEscape(token)
	return outbox.Queue(tx, outbox.Queued{
		Contact: contact.Id, Case: req.GetString(crm.SurveyRequestCase), Purpose: crm.PurposeResearch,
		Subject: fmt.Sprintf(t.subject, business),
		Body:    fmt.Sprintf(t.body, contact.GetString("name"), s.QuestionIn(lang), t.scale[s.Kind], link, business),
		Data:    map[string]any{"kind": "survey", "survey": s.Kind, "survey_request": req.Id},
	})
}

// AskNPS asks NPS of every contact with a granted research consent who was
// not asked in the last every_days days (at most npsBatch a run). Nothing
// while NPS is off. It answers how many were asked.
func AskNPS(app core.App, cfg *crm.Config, now time.Time) (int, error) {
	s, err := Load(app, crm.SurveyNPS)
	if err != nil || !s.Enabled || s.EveryDays < 1 {
		return 0, err
	}
	since := now.Add(-time.Duration(s.EveryDays) * 24 * time.Hour)
	var ids []string
	err = app.DB().NewQuery(`SELECT DISTINCT c.contact FROM consents c
		WHERE c.purpose = {:purpose} AND c.state = 'granted'
		AND NOT EXISTS (SELECT 1 FROM survey_requests r
			WHERE r.contact = c.contact AND r.kind = {:kind} AND r.asked_at > {:since})
		LIMIT {:limit}`).
		Bind(dbx.Params{"purpose": crm.PurposeResearch, "kind": crm.SurveyNPS, "since": stamp(since), "limit": npsBatch}).
		Column(&ids)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := Ask(app, cfg, id, crm.SurveyNPS, "", now); err != nil {
			return 0, fmt.Errorf("NPS for %s: %w", id, err)
		}
	}
	return len(ids), nil
}

// stamp is how PocketBase stores a time, for comparisons in SQL.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

func newToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// languageOf is the contact's language, else the business's, else English.
func languageOf(cfg *crm.Config, contact *core.Record) string {
	for _, l := range []string{contact.GetString("language"), cfg.BusinessNow().Language} {
		if slices.Contains(crm.Languages, l) {
			return l
		}
	}
	return "en"
}

// The words of the survey message, in each language.
type words struct {
	subject string // %s business
	body    string // %s name, question, scale, link, business
	scale   map[string]string
}

var texts = map[string]words{
	"en": {
		subject: "A quick question from %s",
		body:    "Hello %s,\n\n%s\n\n%s\n\nAnswer here, it takes a few seconds: %s\n\nThank you,\n%s",
		scale: map[string]string{
			crm.SurveyNPS:  "Answer from 0 (not at all likely) to 10 (extremely likely), and tell us why if you like.",
			crm.SurveyCSAT: "Answer from 1 (very unsatisfied) to 5 (very satisfied).",
		},
	},
	"pt-BR": {
		subject: "Uma pergunta rápida de %s",
		body:    "Olá %s,\n\n%s\n\n%s\n\nResponda aqui, leva poucos segundos: %s\n\nObrigado,\n%s",
		scale: map[string]string{
			crm.SurveyNPS:  "Responda de 0 (nada provável) a 10 (extremamente provável) e, se quiser, conte por quê.",
			crm.SurveyCSAT: "Responda de 1 (muito insatisfeito) a 5 (muito satisfeito).",
		},
	},
}
