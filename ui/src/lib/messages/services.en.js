// Services customers run, as staff see them on the customer's page
// (components/OrderSubscriptions.svelte).
export default {
  'svc.staff.reason': 'Reason (for the churn figures)',
  'svc.staff.at_period_end': 'At the end of the period, on {date}',
  'svc.staff.ends': 'Ends on {date}',
  'svc.staff.method': 'Paid by {method}',
  'svc.staff.next': 'From the next period: {price} {per}',
  'svc.staff.credit': 'Credit owed: {amount}',
}
