// Serviços que os clientes administram, como a equipe os vê na página do
// cliente (components/OrderSubscriptions.svelte).
export default {
  'svc.staff.reason': 'Motivo (para os números de cancelamento)',
  'svc.staff.at_period_end': 'No fim do período, em {date}',
  'svc.staff.ends': 'Termina em {date}',
  'svc.staff.method': 'Pago por {method}',
  'svc.staff.next': 'A partir do próximo período: {price} {per}',
  'svc.staff.credit': 'Crédito devido: {amount}',
}
