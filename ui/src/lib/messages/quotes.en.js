// Quotes staff build for customers (pages/Quotes.svelte). (quotes)
export default {
  'nav.quotes': 'Quotes',
}
