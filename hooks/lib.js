/// <reference path="types/crm.d.ts" />
// Shared by the shipped hooks. Each handler is compiled on its own and sees
// none of its file's top-level names, so handlers load what they share with
//
//     const lib = require(`${__hooks}/lib.js`)
//
// This file is not a hook file (it does not end in .pb.js): the loader does
// not run it by itself.

/** The language a contact or a staff member reads: theirs, else the business's. */
function languageOf(person) {
  const lang = (person && person.getString("language")) || $crm.settings().business.language
  return lang === "en" ? "en" : "pt-BR"
}

/** The timeline type of a message that came on channel. */
function activityType(channel) {
  switch (channel) {
    case "phone":
      return "call"
    case "email":
      return "email"
    case "social":
      return "social"
    case "letter":
      return "letter"
    default: // chat, sms, whatsapp, portal, web
      return "chat"
  }
}

/** Texts of the rating request and the rating page, by language. */
const texts = {
  en: {
    ratingSubject: (ref) => `How did we do on your request ${ref}?`,
    ratingBody: (name, subject, ref, link, business) =>
      `Hello ${name},\n\nYour request “${subject}” (${ref}) is closed. ` +
      `Would you tell us how we did? It takes a click:\n${link}\n\n${business}`,
    ratingBodyPortal: (name, subject, ref, portal, business) =>
      `Hello ${name},\n\nYour request “${subject}” (${ref}) is closed. ` +
      `You can rate it in the portal: ${portal}\n\n${business}`,
    pageTitle: "Rate your request",
    request: "Request",
    status: "Status",
    question: "How did we do?",
    comment: "Anything you would like to add? (optional)",
    send: "Send",
    thanks: "Thank you! Your rating was saved.",
    current: "Your rating",
    badLink: "This link is not valid or has expired.",
    notClosed: "This request is not closed yet: you can rate it once it is.",
    badRating: "Choose from 1 to 5 stars.",
    // For staff: the follow-up task (the owner's notice is a notification: plugins/notifications).
    followUp: (topic) => `Follow up: ${topic}`,
    followUpWith: (type, name) => `${{ call: "call", meeting: "meeting", visit: "visit" }[type] || type} with ${name}`,
  },
  "pt-BR": {
    ratingSubject: (ref) => `Como foi o atendimento da sua solicitação ${ref}?`,
    ratingBody: (name, subject, ref, link, business) =>
      `Olá, ${name}.\n\nSua solicitação “${subject}” (${ref}) foi concluída. ` +
      `Conte para nós como foi? É só um clique:\n${link}\n\n${business}`,
    ratingBodyPortal: (name, subject, ref, portal, business) =>
      `Olá, ${name}.\n\nSua solicitação “${subject}” (${ref}) foi concluída. ` +
      `Você pode avaliá-la no portal: ${portal}\n\n${business}`,
    pageTitle: "Avalie sua solicitação",
    request: "Solicitação",
    status: "Situação",
    question: "Como foi o atendimento?",
    comment: "Quer acrescentar algo? (opcional)",
    send: "Enviar",
    thanks: "Obrigado! Sua avaliação foi registrada.",
    current: "Sua avaliação",
    badLink: "Este link não é válido ou expirou.",
    notClosed: "Esta solicitação ainda não foi concluída: você poderá avaliá-la quando for.",
    badRating: "Escolha de 1 a 5 estrelas.",
    followUp: (topic) => `Retorno: ${topic}`,
    followUpWith: (type, name) => `${{ call: "ligação", meeting: "reunião", visit: "visita" }[type] || type} com ${name}`,
  },
}

/** The path of a request's rating page, and the signed link to it. */
function ratingPath(caseId) {
  return `/rate/${caseId}`
}

function ratingLink(caseId) {
  const path = ratingPath(caseId)
  return `${$crm.settings().publicUrl}${path}?t=${encodeURIComponent($crm.signLink(path, 30))}`
}

/**
 * The request a rating link names and the rating page's fields for it, in
 * its customer's words; null when the link (the path and its token) is not
 * valid.
 */
function ratingPage(caseId, token) {
  if (!$crm.verifyLink(ratingPath(caseId), token)) {
    return null
  }
  const kase = $app.findRecordById("cases", caseId)
  const contact = $app.findRecordById("contacts", kase.getString("contact"))
  const lang = languageOf(contact)
  const page = {
    t: texts[lang],
    lang: lang,
    business: $crm.settings().business.name,
    reference: kase.getString("reference"),
    subject: kase.getString("subject"),
    status: kase.getString("status_label"),
    closed: kase.getBool("closed"),
    rating: kase.getInt("rating"),
    token: token,
    action: ratingPath(caseId),
  }
  return { kase, contact, page }
}

/** Answers with the rating page (views/rate.html in views/layout.html). */
function renderRating(e, status, data) {
  return e.html(status, $template.loadFiles(`${__hooks}/views/layout.html`, `${__hooks}/views/rate.html`).render(data))
}

/** Answers a rating link that is not valid: 403, in the business's language. */
function badRatingLink(e) {
  const lang = $crm.settings().business.language === "en" ? "en" : "pt-BR"
  return renderRating(e, 403, { t: texts[lang], business: $crm.settings().business.name, error: texts[lang].badLink })
}

module.exports = { languageOf, activityType, texts, ratingPath, ratingLink, ratingPage, renderRating, badRatingLink }
