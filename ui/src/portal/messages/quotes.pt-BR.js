// Propostas no portal (/portal/quotes, /portal/quotes/<id>).
export default {
  'nav.quotes': 'Propostas',
}
