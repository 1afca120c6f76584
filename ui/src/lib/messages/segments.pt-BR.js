// Segmentos com proposta de valor (pages/Segments.svelte). (segments)
export default {
  'nav.segments': 'Segmentos',
}
