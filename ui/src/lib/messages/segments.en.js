// Segments with a value proposition (pages/Segments.svelte). (segments)
export default {
  'nav.segments': 'Segments',
}
