// Erasure requests (pages/Privacy.svelte). (erasure)
export default {
  'nav.privacy': 'Pedidos de eliminação',
}
