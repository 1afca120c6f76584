// O modelo de valor do cliente (pages/Predictions.svelte). (predictions)
export default {
  'nav.predictions': 'Previsões',
}
