/// <reference path="../vinculo_data/types.d.ts" />
/// <reference path="types/crm.d.ts" />

// The worked example of a customer-facing page: rate a closed request.
// Switch: automations.rating_page (on by default).
//
//   GET  /rate/{case}?t=<token>   the request and a 1-5 form (views/rate.html in views/layout.html)
//   POST /rate/{case}             rating, comment and t from the form
//
// The link comes in the rating request (20_rating_request.pb.js), signed by
// $crm.signLink: holding it is what lets the customer in, without signing in.
// The page acts for the request's customer: $crm.findFor and $crm.updateCase
// with {as: {contact}} check the API rules of `cases` as that customer would
// meet them (their own request, closed, only the rating fields), so the page
// can do nothing the portal could not. Pages speak the contact's language.
if ($crm.enabled("rating_page")) {
  routerAdd("GET", "/rate/{case}", (e) => {
    const lib = require(`${__hooks}/lib.js`)
    const id = e.request.pathValue("case")
    const token = e.request.url.query().get("t")
    const view = (status, data) =>
      e.html(status, $template.loadFiles(`${__hooks}/views/layout.html`, `${__hooks}/views/rate.html`).render(data))

    const lang = $crm.settings().business.language === "en" ? "en" : "pt-BR"
    if (!$crm.verifyLink(lib.ratingPath(id), token)) {
      return view(403, { t: lib.texts[lang], business: $crm.settings().business.name, error: lib.texts[lang].badLink })
    }
    const kase = $app.findRecordById("cases", id)
    const contact = $app.findRecordById("contacts", kase.getString("contact"))
    const t = lib.texts[lib.languageOf(contact)]
    $crm.findFor({ contact: contact.id }, "cases", id) // the view rule, as the customer
    return view(200, {
      t: t,
      lang: lib.languageOf(contact),
      business: $crm.settings().business.name,
      reference: kase.getString("reference"),
      subject: kase.getString("subject"),
      status: kase.getString("status_label"),
      closed: kase.getBool("closed"),
      rating: kase.getInt("rating"),
      token: token,
      action: lib.ratingPath(id),
      error: kase.getBool("closed") ? "" : t.notClosed,
    })
  })

  routerAdd("POST", "/rate/{case}", (e) => {
    const lib = require(`${__hooks}/lib.js`)
    const id = e.request.pathValue("case")
    const form = e.requestInfo().body
    const view = (status, data) =>
      e.html(status, $template.loadFiles(`${__hooks}/views/layout.html`, `${__hooks}/views/rate.html`).render(data))

    const lang = $crm.settings().business.language === "en" ? "en" : "pt-BR"
    if (!$crm.verifyLink(lib.ratingPath(id), String(form.t || ""))) {
      return view(403, { t: lib.texts[lang], business: $crm.settings().business.name, error: lib.texts[lang].badLink })
    }
    const kase = $app.findRecordById("cases", id)
    const contact = $app.findRecordById("contacts", kase.getString("contact"))
    const t = lib.texts[lib.languageOf(contact)]
    const page = {
      t: t,
      lang: lib.languageOf(contact),
      business: $crm.settings().business.name,
      reference: kase.getString("reference"),
      subject: kase.getString("subject"),
      status: kase.getString("status_label"),
      closed: kase.getBool("closed"),
      rating: kase.getInt("rating"),
      token: String(form.t),
      action: lib.ratingPath(id),
    }
    const rating = parseInt(form.rating, 10)
    if (!(rating >= 1 && rating <= 5)) {
      return view(400, { ...page, error: t.badRating })
    }
    if (!kase.getBool("closed")) {
      return view(409, { ...page, error: t.notClosed })
    }
    const comment = String(form.comment || "").slice(0, 2000)
    // As the customer: the API rules of cases decide, and the timeline
    // says the customer rated it.
    const saved = $crm.updateCase(id, { rating: rating, rating_comment: comment }, { as: { contact: contact.id } })
    return view(200, { ...page, rating: saved.getInt("rating"), done: t.thanks })
  })
}
