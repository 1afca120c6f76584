package notifications

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/cast"

	"vinculo/crm"
)

// The mails' words, in each language the team speaks: one line per event
// (the mail's subject, and a line of the digest), worded from the
// notification's data like the bell words it (ui/src/lib/messages/
// notifications.*.js).
var eventLines = map[string]map[string]string{
	"en": {
		crm.NotifyAssigned:         `{{by .}} assigned you {{kind . "en"}} “{{.title}}”`,
		crm.NotifyCustomerAnswered: `{{or .customer "The customer"}} answered on request {{.reference}} “{{.title}}”`,
		crm.NotifyCustomerOpened:   `{{or .customer "A customer"}} opened request {{.reference}} “{{.title}}”`,
		crm.NotifyMentioned:        `{{by .}} mentioned you{{if .title}} on “{{.title}}”{{end}}`,
		crm.NotifyHandedOver:       `{{by .}} handed you {{if gt (num .count) 1.0}}{{.count}} records{{else}}“{{.title}}”{{end}}`,
		crm.NotifyDeadlineNear:     `Request {{.reference}} “{{.title}}” nears its {{which . "en"}} deadline ({{.due}})`,
		crm.NotifyOverdue:          `Request {{.reference}} “{{.title}}” is past its {{which . "en"}} deadline ({{.due}})`,
		crm.NotifyEscalated:        `Escalated: request {{.reference}} “{{.title}}”{{if .assignee_name}} of {{.assignee_name}}{{end}} is past its {{which . "en"}} deadline ({{.due}})`,
		crm.NotifyDealStale:        `Deal “{{.title}}” has had no activity for {{.days}} days`,
		crm.NotifyTaskDue:          `Task “{{.title}}” is due: {{.due}}`,
		crm.NotifyErasureAsked:     `A person asked for their data to be erased ({{.reference}}): answer by {{.due}}`,
	},
	"pt-BR": {
		crm.NotifyAssigned:         `{{by .}} atribuiu a você {{kind . "pt-BR"}} “{{.title}}”`,
		crm.NotifyCustomerAnswered: `{{or .customer "O cliente"}} respondeu na solicitação {{.reference}} “{{.title}}”`,
		crm.NotifyCustomerOpened:   `{{or .customer "Um cliente"}} abriu a solicitação {{.reference}} “{{.title}}”`,
		crm.NotifyMentioned:        `{{by .}} mencionou você{{if .title}} em “{{.title}}”{{end}}`,
		crm.NotifyHandedOver:       `{{by .}} passou para você {{if gt (num .count) 1.0}}{{.count}} registros{{else}}“{{.title}}”{{end}}`,
		crm.NotifyDeadlineNear:     `A solicitação {{.reference}} “{{.title}}” está perto do prazo de {{which . "pt-BR"}} ({{.due}})`,
		crm.NotifyOverdue:          `A solicitação {{.reference}} “{{.title}}” passou do prazo de {{which . "pt-BR"}} ({{.due}})`,
		crm.NotifyEscalated:        `Escalonada: a solicitação {{.reference}} “{{.title}}”{{if .assignee_name}} de {{.assignee_name}}{{end}} passou do prazo de {{which . "pt-BR"}} ({{.due}})`,
		crm.NotifyDealStale:        `O negócio “{{.title}}” está sem atividade há {{.days}} dias`,
		crm.NotifyTaskDue:          `Prazo da tarefa “{{.title}}”: {{.due}}`,
		crm.NotifyErasureAsked:     `Uma pessoa pediu a eliminação dos seus dados ({{.reference}}): responda até {{.due}}`,
	},
}

var kinds = map[string]map[string]string{
	"en":    {crm.Cases: "the request", crm.Tasks: "the task", crm.Deals: "the deal", crm.Contacts: "the contact", crm.Companies: "the company"},
	"pt-BR": {crm.Cases: "a solicitação", crm.Tasks: "a tarefa", crm.Deals: "o negócio", crm.Contacts: "o contato", crm.Companies: "a empresa"},
}

var deadlines = map[string]map[string]string{
	"en":    {deadlineFirst: "first-response", deadlineResolution: "resolution"},
	"pt-BR": {deadlineFirst: "primeira resposta", deadlineResolution: "resolução"},
}

// mailWords are the rest of a mail's words.
var mailWords = map[string]map[string]string{
	"en": {
		"someone":  "A colleague",
		"open":     "Open it: %s",
		"footer":   "You receive this because of your notification settings in %s: %s/profile",
		"digest":   "%s: your notifications of the day (%d)",
		"digestHi": "Hello %s, this is what happened while you were away:",
	},
	"pt-BR": {
		"someone":  "Um colega",
		"open":     "Abrir: %s",
		"footer":   "Você recebe isto pelas suas configurações de notificações em %s: %s/profile",
		"digest":   "%s: suas notificações do dia (%d)",
		"digestHi": "Olá, %s, isto foi o que aconteceu:",
	},
}

// Which deadline a request nears or passed (data.which).
const (
	deadlineFirst      = "first_response"
	deadlineResolution = "resolution"
)

func langOf(lang string) string {
	if _, ok := eventLines[lang]; ok {
		return lang
	}
	return "en"
}

// line words one notification in lang; dates in loc.
func line(lang, event, collection string, data map[string]any, loc *time.Location) string {
	lang = langOf(lang)
	src, ok := eventLines[lang][event]
	if !ok {
		return event
	}
	d := map[string]any{}
	for k, v := range data {
		d[k] = v
	}
	d["@collection"] = collection
	if due, err := time.Parse(time.RFC3339, cast.ToString(data["due"])); err == nil {
		d["due"] = due.In(loc).Format("2006-01-02 15:04")
	}
	funcs := template.FuncMap{
		"by": func(d map[string]any) string {
			if s := cast.ToString(d["by_name"]); s != "" {
				return s
			}
			return mailWords[lang]["someone"]
		},
		"kind": func(d map[string]any, l string) string {
			if k := kinds[l][cast.ToString(d["@collection"])]; k != "" {
				return k
			}
			return kinds[l][crm.Cases]
		},
		"which": func(d map[string]any, l string) string { return deadlines[l][cast.ToString(d["which"])] },
		"num":   func(v any) float64 { return cast.ToFloat64(v) },
	}
	t, err := template.New("").Option("missingkey=zero").Funcs(funcs).Parse(src)
	if err != nil {
		return event
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return event
	}
	return strings.ReplaceAll(b.String(), "<no value>", "")
}

// linkPath is the workspace page of the record a notification links to.
func linkPath(collection, record string, data map[string]any) string {
	if p := cast.ToString(data["path"]); strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") {
		return p
	}
	switch collection {
	case crm.Cases, crm.Deals, crm.Contacts, crm.Companies:
		return "/" + collection + "/" + record
	case crm.Tasks:
		return "/tasks"
	case crm.CaseMessages:
		if c := cast.ToString(data["case"]); c != "" {
			return "/cases/" + c
		}
	}
	return "/"
}

func word(lang, key string, args ...any) string {
	return fmt.Sprintf(mailWords[langOf(lang)][key], args...)
}
