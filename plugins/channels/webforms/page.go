package webforms

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
)

// pageField is one field of the page as the template draws it.
type pageField struct {
	Key, Label, Input string // Input: text, email, tel, textarea, number, date, url, select, checks, check
	Required          bool
	Max               int
	Options           []string
}

type pageData struct {
	Lang, Title, Nonce, Action, Consent, Purposes string
	Fields                                        []pageField
	Preview, AsksConsent                          bool
	W                                             map[string]string
}

// inputOf is the HTML control of a custom field's kind.
var inputOf = map[string]string{
	crm.CustomText: "text", crm.CustomLongText: "textarea", crm.CustomNumber: "number", crm.CustomMoney: "number",
	crm.CustomDate: "date", crm.CustomSelect: "select", crm.CustomMultiSelect: "checks", crm.CustomBool: "check",
	crm.CustomURL: "url", crm.CustomEmail: "email", crm.CustomPhone: "tel",
}

var builtInInput = map[string]pageField{
	crm.FormFieldName: {Input: "text", Max: 200}, crm.FormFieldEmail: {Input: "email", Max: 254},
	crm.FormFieldPhone: {Input: "tel", Max: 40}, crm.FormFieldCompany: {Input: "text", Max: 200},
	crm.FormFieldMessage: {Input: "textarea", Max: 5000},
}

// pageFields are the form's fields in lang, custom ones with their kinds.
func pageFields(app core.App, f *Form, lang string) ([]pageField, error) {
	custom, err := contactCustomFields(app)
	if err != nil {
		return nil, err
	}
	out := make([]pageField, 0, len(f.Fields))
	for _, x := range f.Fields {
		if p, ok := builtInInput[x.Key]; ok {
			p.Key, p.Label, p.Required = x.Key, word(lang, "label."+x.Key), x.Required
			out = append(out, p)
			continue
		}
		c, ok := custom[x.Key]
		if !ok {
			continue // removed since the form was saved
		}
		out = append(out, pageField{Key: x.Key, Label: c.label(lang), Input: inputOf[c.Kind], Required: x.Required, Options: c.Options, Max: 500})
	}
	return out, nil
}

// servePage is GET /forms/{id}: the form as a small page of its own, in the
// visitor's language, that a site shows in an iframe. Only the sites the
// manager named may frame it (and this server, for the preview in Settings).
func servePage(e *core.RequestEvent, cfg *crm.Config, id string) error {
	preview := e.Request.URL.Query().Get("preview") == "1"
	rec, err := e.App.FindRecordById(crm.WebForms, id)
	if err != nil || (!rec.GetBool(crm.FormActive) && !preview) {
		return plainPage(e, http.StatusNotFound, language(e.Request.URL.Query().Get("lang"), e.Request, cfg), "err.closed")
	}
	f := readForm(rec)
	lang := language(e.Request.URL.Query().Get("lang"), e.Request, cfg)
	fields, err := pageFields(e.App, f, lang)
	if err != nil {
		return err
	}
	var purposes []string
	for _, p := range f.Purposes {
		purposes = append(purposes, word(lang, "purpose."+p))
	}
	d := pageData{
		Lang: lang, Title: rec.GetString(crm.FormName), Nonce: nonce(), Action: "/api/crm/public/forms/" + rec.Id,
		Fields: fields, Preview: !rec.GetBool(crm.FormActive), AsksConsent: f.asksConsent(),
		Consent: inLanguage(f.Consent, lang), Purposes: fmt.Sprintf(word(lang, "page.purposes"), strings.Join(purposes, ", ")), W: words[lang],
	}
	ancestors := append([]string{"'self'"}, f.Origins...)
	h := e.Response.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+d.Nonce+"'; script-src 'nonce-"+d.Nonce+"'; "+
		"connect-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors "+strings.Join(ancestors, " "))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Type", "text/html; charset=utf-8")
	e.Response.WriteHeader(http.StatusOK)
	return formPage.Execute(e.Response, d)
}

func nonce() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// serveScript is GET /forms/{id}.js: the script tag a site puts where the
// form goes. It adds the iframe right after itself, in the page's language,
// and keeps it as tall as the form (the form page tells its height).
func serveScript(e *core.RequestEvent, id string) error {
	rec, err := e.App.FindRecordById(crm.WebForms, id)
	if err != nil || !rec.GetBool(crm.FormActive) {
		return e.NotFoundError("", nil)
	}
	h := e.Response.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	js := strings.ReplaceAll(embedScript, "FORM_ID", rec.Id)
	js = strings.ReplaceAll(js, "FORM_TITLE", template.JSEscapeString(rec.GetString(crm.FormName)))
	return e.String(http.StatusOK, js)
}

// embedScript finds its own address (the server to frame), makes the
// iframe, and follows the height messages of that iframe only.
const embedScript = `(function () {
  var me = document.currentScript
  if (!me) return
  var origin = new URL(me.src).origin
  var lang = me.getAttribute('data-lang') || document.documentElement.lang || navigator.language || ''
  var frame = document.createElement('iframe')
  frame.src = origin + '/forms/FORM_ID?lang=' + encodeURIComponent(lang)
  frame.title = 'FORM_TITLE'
  frame.setAttribute('data-vinculo-form', 'FORM_ID')
  frame.style.cssText = 'width:100%;max-width:100%;border:0;display:block;height:480px;overflow:hidden'
  frame.setAttribute('scrolling', 'no')
  me.parentNode.insertBefore(frame, me.nextSibling)
  window.addEventListener('message', function (ev) {
    if (ev.origin !== origin || ev.source !== frame.contentWindow) return
    var d = ev.data
    if (d && d.vinculoForm === 'FORM_ID' && typeof d.height === 'number' && d.height > 0 && d.height < 20000) {
      frame.style.height = Math.ceil(d.height) + 'px'
    }
  })
})()
`

// plainPage is a page of one sentence (a closed form).
func plainPage(e *core.RequestEvent, status int, lang, key string) error {
	h := e.Response.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	e.Response.WriteHeader(status)
	return messagePage.Execute(e.Response, map[string]any{"Lang": lang, "Text": word(lang, key)})
}

var messagePage = template.Must(template.New("m").Parse(`<!doctype html><html lang="{{.Lang}}"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Text}}</title>
<body style="font:16px/1.5 system-ui,sans-serif;margin:1rem;color:#1d2433"><p>{{.Text}}</p></body></html>`))

// formPage is the form. Its script sends the fields as JSON, shows the
// server's message beside each field at fault (keeping what was typed),
// and tells the page that frames it how tall it is.
var formPage = template.Must(template.New("f").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style nonce="{{.Nonce}}">
*{box-sizing:border-box}[hidden]{display:none!important}html,body{margin:0;background:transparent}
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;padding:2px}
form{display:grid;gap:.85rem;max-width:40rem}
label,legend{font-weight:600;font-size:.95rem;display:block;margin-bottom:.25rem}
.req{color:#b42318;font-weight:400;font-size:.85rem}
input[type=text],input[type=email],input[type=tel],input[type=number],input[type=date],input[type=url],select,textarea{
 width:100%;font:inherit;padding:.55rem .65rem;border:1px solid #c5cad3;border-radius:8px;background:#fff;color:inherit}
textarea{min-height:7rem;resize:vertical}
input:focus,select:focus,textarea:focus{outline:2px solid #1f6feb;outline-offset:1px}
[aria-invalid=true]{border-color:#b42318}
.err{color:#b42318;font-size:.9rem;margin:.25rem 0 0}
.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}
.check input{margin-top:.3rem;flex:none;width:1.05rem;height:1.05rem}
fieldset{border:0;margin:0;padding:0}
.consent{background:#f5f7fa;border-radius:8px;padding:.75rem}
.consent .why{font-size:.85rem;color:#555e6e;margin:.35rem 0 0 1.55rem}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
button{font:inherit;font-weight:600;padding:.6rem 1.2rem;border:0;border-radius:8px;background:#1f6feb;color:#fff;cursor:pointer;justify-self:start}
button[disabled]{opacity:.6;cursor:default}
.alert{padding:.6rem .75rem;border-radius:8px;margin:0}
.alert.bad{background:#fdecea;color:#8a1c12}.alert.ok{background:#e3f4e8;color:#1e5b32;white-space:pre-line}
.preview{background:#fff4d6;color:#6b4e00}
</style></head>
<body>
<form id="f" action="{{.Action}}" novalidate>
{{if .Preview}}<p class="alert preview" role="note">{{index .W "preview"}}</p>{{end}}
<p class="alert bad" id="problem" role="alert" hidden></p>
{{range .Fields}}
 {{if eq .Input "check"}}
  <div><label class="check"><input type="checkbox" name="{{.Key}}" id="f-{{.Key}}" aria-describedby="f-{{.Key}}-err"> {{.Label}}{{if .Required}} <span class="req">({{index $.W "required"}})</span>{{end}}</label>
  <p class="err" id="f-{{.Key}}-err" hidden></p></div>
 {{else if eq .Input "checks"}}
  <fieldset aria-describedby="f-{{.Key}}-err"><legend>{{.Label}}{{if .Required}} <span class="req">({{index $.W "required"}})</span>{{end}}</legend>
  {{$k := .Key}}{{range .Options}}<label class="check"><input type="checkbox" name="{{$k}}" value="{{.}}"> {{.}}</label>{{end}}
  <p class="err" id="f-{{.Key}}-err" hidden></p></fieldset>
 {{else}}
  <div><label for="f-{{.Key}}">{{.Label}}{{if .Required}} <span class="req">({{index $.W "required"}})</span>{{end}}</label>
  {{if eq .Input "textarea"}}<textarea id="f-{{.Key}}" name="{{.Key}}" maxlength="{{.Max}}" aria-describedby="f-{{.Key}}-err"{{if .Required}} aria-required="true"{{end}}></textarea>
  {{else if eq .Input "select"}}<select id="f-{{.Key}}" name="{{.Key}}" aria-describedby="f-{{.Key}}-err"{{if .Required}} aria-required="true"{{end}}><option value=""></option>{{range .Options}}<option>{{.}}</option>{{end}}</select>
  {{else}}<input id="f-{{.Key}}" name="{{.Key}}" type="{{.Input}}" maxlength="{{.Max}}" aria-describedby="f-{{.Key}}-err"{{if .Required}} aria-required="true"{{end}}{{if eq .Input "email"}} autocomplete="email"{{else if eq .Key "name"}} autocomplete="name"{{else if eq .Input "tel"}} autocomplete="tel"{{else if eq .Key "company"}} autocomplete="organization"{{end}}>{{end}}
  <p class="err" id="f-{{.Key}}-err" hidden></p></div>
 {{end}}
{{end}}
<div class="hp" aria-hidden="true"><label for="f-website">Website</label><input id="f-website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
{{if .AsksConsent}}
<div class="consent"><label class="check"><input type="checkbox" name="consent" id="f-consent"> <span id="consent-text">{{.Consent}}</span></label>
<p class="why">{{.Purposes}}</p></div>
{{end}}
<button type="submit" id="send">{{index .W "send"}}</button>
</form>
<p class="alert ok" id="done" role="status" hidden></p>
<script nonce="{{.Nonce}}">
(function () {
  var form = document.getElementById('f'), problem = document.getElementById('problem'), done = document.getElementById('done')
  var send = document.getElementById('send'), lang = document.documentElement.lang
  var id = location.pathname.split('/').pop()
  function tell() {
    var h = Math.ceil(document.body.getBoundingClientRect().height) // the content's, so the frame shrinks too
    if (window.parent !== window) window.parent.postMessage({ vinculoForm: id, height: h }, '*')
  }
  new ResizeObserver(tell).observe(document.body)
  tell()
  function values() {
    var out = {}
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === 'consent' || el.name === 'website') return
      if (el.type === 'checkbox' && el.value !== 'on') { out[el.name] = out[el.name] || []; if (el.checked) out[el.name].push(el.value); return }
      out[el.name] = el.type === 'checkbox' ? el.checked : el.value
    })
    return out
  }
  function clear() {
    problem.hidden = true
    Array.prototype.forEach.call(form.querySelectorAll('.err'), function (p) { p.hidden = true; p.textContent = '' })
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid]'), function (el) { el.removeAttribute('aria-invalid') })
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault()
    clear()
    send.disabled = true
    send.textContent = {{index .W "sending"}}
    var consent = document.getElementById('f-consent')
    var body = { lang: lang, values: values(), consent: !!(consent && consent.checked), website: document.getElementById('f-website').value }
    fetch(form.getAttribute('action'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().catch(function () { return {} }).then(function (j) { return { ok: res.ok, j: j } }) })
      .then(function (r) {
        if (r.ok) {
          form.hidden = true
          done.textContent = r.j.message || ''
          done.hidden = false
          return
        }
        problem.textContent = r.j.message || {{index .W "err.failed"}}
        problem.hidden = false
        var first = null
        Object.keys(r.j.data || {}).forEach(function (k) {
          var p = document.getElementById('f-' + k + '-err'), el = document.getElementById('f-' + k)
          if (!p) return
          p.textContent = r.j.data[k].message
          p.hidden = false
          if (el) { el.setAttribute('aria-invalid', 'true'); first = first || el }
        })
        if (first) first.focus()
      })
      .catch(function () { problem.textContent = {{index .W "err.failed"}}; problem.hidden = false })
      .then(function () { send.disabled = false; send.textContent = {{index .W "send"}}; tell() })
  })
})()
</script>
</body></html>`))
