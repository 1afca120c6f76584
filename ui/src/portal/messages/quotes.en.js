// Quotes in the portal (/portal/quotes, /portal/quotes/<id>).
export default {
  'nav.quotes': 'Quotes',
}
