// The customer value model (pages/Predictions.svelte). (predictions)
export default {
  'nav.predictions': 'Predictions',
}
