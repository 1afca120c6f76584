// Erasure requests (pages/Privacy.svelte). (erasure)
export default {
  'nav.privacy': 'Erasure requests',
}
