// English messages of the Customers board's setting in Settings → Business:
// the churn window.
export default {
  'biz.churn_days': 'Churn window, in days',
  'biz.churn_days_hint': 'A customer with no active subscription who bought nothing in this many days counts as churned on the Insights Customers board (90 by default).',
}
