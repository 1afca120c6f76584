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
    const rate = lib.ratingPage(id, e.request.url.query().get("t"))
    if (!rate) {
      return lib.badRatingLink(e)
    }
    $crm.findFor({ contact: rate.contact.id }, "cases", id) // the view rule, as the customer
    return lib.renderRating(e, 200, { ...rate.page, error: rate.page.closed ? "" : rate.page.t.notClosed })
  })

  routerAdd("POST", "/rate/{case}", (e) => {
    const lib = require(`${__hooks}/lib.js`)
    const id = e.request.pathValue("case")
    const form = e.requestInfo().body
    const rate = lib.ratingPage(id, String(form.t || ""))
    if (!rate) {
      return lib.badRatingLink(e)
    }
    const { page, contact } = rate
    const t = page.t
    const rating = parseInt(form.rating, 10)
    if (!(rating >= 1 && rating <= 5)) {
      return lib.renderRating(e, 400, { ...page, error: t.badRating })
    }
    if (!page.closed) {
      return lib.renderRating(e, 409, { ...page, error: t.notClosed })
    }
    const comment = String(form.comment || "").slice(0, 2000)
    // As the customer: the API rules of cases decide, and the timeline
    // says the customer rated it.
    const saved = $crm.updateCase(id, { rating: rating, rating_comment: comment }, { as: { contact: contact.id } })
    return lib.renderRating(e, 200, { ...page, rating: saved.getInt("rating"), done: t.thanks })
  })
}
