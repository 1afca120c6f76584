// Propostas que a equipe monta para clientes (pages/Quotes.svelte). (quotes)
export default {
  'nav.quotes': 'Propostas',
}
