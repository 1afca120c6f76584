// English messages of Settings → Business: the currency the Insights boards
// give money in, and the manager's conversion rates.
export default {
  'biz.money': 'Currency',
  'biz.money_hint': 'Insights give money in this currency. An amount in another currency is converted at the rate below; one without a rate is shown apart, never added in.',
  'biz.currency': 'The business’s currency (ISO code, like BRL)',
  'biz.rates': 'Rates: what one unit of another currency is worth in {currency}',
  'biz.rate_code': 'Currency of rate {n}',
  'biz.rate_value': 'Rate {n}, in {currency}',
  'biz.remove_rate': 'Remove rate {n}',
  'biz.add_rate': 'Add a rate',
  'biz.err.currency': 'Write a three-letter currency code in capitals, like BRL or USD.',
  'biz.err.rates': 'Each rate needs a three-letter currency code (like USD) and a number above zero.',
}
