// The Insights boards' store: values worded by unit in both languages, the
// change's arrow and colour by which way is better, the period and filters
// kept in the address, the server's 400 words beside the right field, the
// empty state, and how each figure's chart is configured.
import { describe, test, expect } from 'vitest'
import {
  formatValue, changeOf, parseQuery, queryString, withQuery, labelText, dayText, chartKind, chartConfig, chartHeight,
  partNames, partUnit, tableHeader, tableCell, tableShaded, recordHref, detailText, paramErrors, boardFilters, figureEmpty, InsightsBoard, InsightsRecords, recordsPath, csvPath,
} from './insights.svelte.js'
import { translate } from './i18n.js'

const NB = '\u00a0' // Intl's no-break space

describe('formatValue: the reader’s language, by unit', () => {
  test('money in the business’s currency', () => {
    expect(formatValue(1234.5, 'money', { lang: 'en', currency: 'BRL' })).toBe('R$1,234.50')
    expect(formatValue(1234.5, 'money', { lang: 'pt-BR', currency: 'BRL' })).toBe(`R$${NB}1.234,50`)
    expect(formatValue(12.5, 'money', { lang: 'en', currency: 'USD' })).toBe('$12.50')
    expect(formatValue(1234567, 'money', { lang: 'pt-BR', currency: 'BRL', compact: true })).toBe(`R$${NB}1,2${NB}mi`)
    // A currency that is not a code falls back to the business's default.
    expect(formatValue(10, 'money', { lang: 'en', currency: 'reais' })).toBe('R$10.00')
  })

  test('percent (given 0..100), hours, days, scores, counts', () => {
    expect(formatValue(37.25, 'percent', { lang: 'en' })).toBe('37.3%')
    expect(formatValue(37.25, 'percent', { lang: 'pt-BR' })).toBe('37,3%')
    expect(formatValue(12.5, 'hours', { lang: 'en' })).toBe('12.5 hr')
    expect(formatValue(12.5, 'hours', { lang: 'pt-BR' })).toBe('12,5 h')
    expect(formatValue(4, 'days', { lang: 'en' })).toBe('4 days')
    expect(formatValue(1, 'days', { lang: 'pt-BR' })).toBe('1 dia')
    expect(formatValue(4.25, 'score', { lang: 'pt-BR' })).toBe('4,3')
    expect(formatValue(-12, 'score', { lang: 'en' })).toBe('-12')
    expect(formatValue(1234, 'count', { lang: 'pt-BR' })).toBe('1.234')
  })

  test('no value reads as zero (the page says there is no data)', () => {
    expect(formatValue(null, 'count', { lang: 'en' })).toBe('0')
    expect(formatValue(undefined, 'percent', { lang: 'en' })).toBe('0%')
    expect(formatValue(null, 'money', { lang: 'pt-BR', currency: 'BRL' })).toBe(`R$${NB}0,00`)
  })
})

describe('changeOf: arrow, words and colour by which way is better', () => {
  test('up is good when better is up, bad when better is down', () => {
    expect(changeOf(0.125, 'up', 'en')).toEqual({ dir: 'up', good: true, text: '+12.5%', arrow: '▲' })
    expect(changeOf(0.125, 'down', 'en')).toEqual({ dir: 'up', good: false, text: '+12.5%', arrow: '▲' })
  })
  test('down is good when better is down', () => {
    expect(changeOf(-0.5, 'down', 'pt-BR')).toEqual({ dir: 'down', good: true, text: '-50%', arrow: '▼' })
    expect(changeOf(-0.5, 'up', 'pt-BR').good).toBe(false)
  })
  test('a figure where neither way is better is not coloured', () => {
    expect(changeOf(0.2, '', 'en')).toEqual({ dir: 'up', good: null, text: '+20%', arrow: '▲' })
  })
  test('no change, and nothing to compare with', () => {
    expect(changeOf(0, 'up', 'en')).toMatchObject({ dir: 'flat', good: null, arrow: '→' })
    expect(changeOf(null, 'up', 'en')).toEqual({ dir: null, good: null, text: '', arrow: '' })
    expect(changeOf(undefined, 'down', 'en').dir).toBe(null)
  })
})

describe('the period and filters in the address', () => {
  test('defaults: this month, no filter, and the shortest address', () => {
    const q = parseQuery('')
    expect(q).toEqual({ period: 'this_month', from: '', to: '', pipeline: '', owner: '', segment: '', type: '', channel: '' })
    expect(queryString(q)).toBe('')
    expect(withQuery('/insights/sales', queryString(q))).toBe('/insights/sales')
  })

  test('a period and filters survive the round trip, in one order', () => {
    const q = parseQuery('?owner=st1&period=last_quarter&pipeline=p1&channel=email')
    expect(q.period).toBe('last_quarter')
    expect(queryString(q)).toBe('period=last_quarter&pipeline=p1&owner=st1&channel=email')
    expect(parseQuery(queryString(q))).toEqual(q)
  })

  test('custom dates go with the custom period only', () => {
    expect(queryString(parseQuery('period=custom&from=2026-01-01&to=2026-01-31'))).toBe('period=custom&from=2026-01-01&to=2026-01-31')
    expect(queryString(parseQuery('period=this_year&from=2026-01-01&to=2026-01-31'))).toBe('period=this_year')
    // What was typed stays, even when wrong: the server names the field.
    expect(parseQuery('period=custom&from=2026-05-01&to=2026-04-01')).toMatchObject({ from: '2026-05-01', to: '2026-04-01' })
  })

  test('a board’s tab keeps only the filters its figures honour; unknown parameters are dropped', () => {
    const q = parseQuery('pipeline=p1&type=t1&foo=bar')
    expect(queryString(q, ['type', 'channel'])).toBe('type=t1')
    expect(queryString(q)).toBe('pipeline=p1&type=t1')
  })

  test('the filters a board offers are those its figures honour, team aside', () => {
    expect(boardFilters([{ filters: ['owner', 'pipeline'] }, { filters: ['team', 'segment'] }, {}])).toEqual(['pipeline', 'owner', 'segment'])
    expect(boardFilters([])).toEqual([])
  })
})

describe('words for months and days', () => {
  test('a month label in the reader’s language; other labels as the server named them', () => {
    expect(labelText('2026-03', 'en')).toBe('Mar 2026')
    expect(labelText('2026-03', 'pt-BR')).toBe('mar. de 2026')
    expect(labelText('Qualificação → Proposta', 'en')).toBe('Qualificação → Proposta')
  })
  test('a day is the day written, whatever the reader’s time zone', () => {
    expect(dayText('2026-06-30', 'en')).toBe('Jun 30, 2026')
    expect(dayText('2026-01-01', 'pt-BR')).toBe('1 de jan. de 2026')
  })
})

describe('the empty state', () => {
  test('a figure with no records and no value says there is no data', () => {
    expect(figureEmpty({ count: 0, value: null })).toBe(true)
    expect(figureEmpty({ count: 0, value: 0 })).toBe(true)
    expect(figureEmpty({ count: 3, value: 0 })).toBe(false)
    expect(figureEmpty({ count: 0, value: 12 })).toBe(false)
  })
  test('both languages have the words', () => {
    expect(translate('en', 'insights.empty')).toBe('No data for this period.')
    expect(translate('pt-BR', 'insights.empty')).toBe('Sem dados neste período.')
  })
})

describe('how a figure is drawn', () => {
  const t = (/** @type {string} */ k) => translate('en', k)
  const months = [{ label: '2026-01', value: 10 }, { label: '2026-02', value: 20 }]

  test('by its shape', () => {
    expect(chartKind({ unit: 'money', series: months })).toBe('bars')
    expect(chartKind({ unit: 'percent', series: months })).toBe('line')
    expect(chartKind({ unit: 'count', series: [{ label: 'Preço', value: 3 }] })).toBe('hbars')
    expect(chartKind({ unit: 'money', series: [{ label: '2026-01', value: 5, parts: { new: 5, churn: -2 } }] })).toBe('stacked')
    expect(chartKind({ unit: 'money', series: [{ label: '2026-01', value: 5, parts: { weighted: 5, won: 3 } }] })).toBe('grouped')
    expect(chartKind({ unit: 'percent', table: { columns: ['cohort', '0'], rows: [] } })).toBe('table')
    expect(chartKind({ unit: 'count' })).toBe('none')
    // Parts that neither add up nor compare (a stage's entered and moved on, NPS's promoters): the value is drawn.
    expect(chartKind({ unit: 'percent', series: [{ label: 'A → B', value: 50, parts: { entered: 4, advanced: 2 } }] })).toBe('hbars')
    expect(chartKind({ unit: 'score', series: [{ label: '2026-01', value: 20, parts: { promoters: 3, passives: 1, detractors: 1 } }] })).toBe('line')
    // A table beside a series (within SLA by type, channel and assignee): the series is drawn.
    expect(chartKind({ unit: 'percent', series: [{ label: 'Suporte', value: 80 }], table: { columns: ['by'], rows: [] } })).toBe('hbars')
  })

  test('parts and companion numbers in their own unit', () => {
    expect(partUnit('p90', 'hours')).toBe('hours')
    expect(partUnit('target', 'hours')).toBe('hours')
    expect(partUnit('won', 'money')).toBe('money')
    expect(partUnit('won', 'percent')).toBe('count') // the win rate's deals won
    expect(partUnit('churn', 'money')).toBe('money')
    expect(partUnit('entered', 'percent')).toBe('count')
    expect(partUnit('count', 'money')).toBe('count')
  })

  test('table figures: the cohorts’ months after as shaded shares, within SLA’s rows in words', () => {
    const retention = { key: 'retention', unit: 'percent', table: { columns: ['cohort', 'customers', '0', '1'], rows: [['2026-01', 12, 100, 83.33], ['2026-02', 0, null, null]] } }
    const pt = (k, p) => translate('pt-BR', k, p)
    expect(retention.table.columns.map((c) => tableHeader(c, pt))).toEqual(['Coorte', 'Clientes', 'Mês 0', 'Mês 1'])
    expect(retention.table.rows[0].map((_, i) => tableCell(retention, i, retention.table.rows[0], { lang: 'pt-BR' }))).toEqual(['jan. de 2026', '12', '100%', '83,3%'])
    expect(tableCell(retention, 2, retention.table.rows[1], { lang: 'en' })).toBe('')
    expect([0, 1, 2, 3].map((i) => tableShaded(retention, i))).toEqual([false, false, true, true])
    const sla = { key: 'within_sla', unit: 'percent', table: { columns: ['by', 'name', 'within', 'total', 'percent'], rows: [['channel', 'whatsapp', 3, 4, 75]] } }
    const row = sla.table.rows[0]
    expect(row.map((_, i) => tableCell(sla, i, row, { lang: 'en' }))).toEqual(['Channel', 'WhatsApp', '3', '4', '75%'])
    expect(tableHeader('something_new', pt)).toBe('something_new')
  })

  test('backlog age buckets in words', () => {
    expect(labelText('0-1', 'en')).toBe('Under 1 day')
    expect(labelText('30+', 'pt-BR')).toBe('Mais de 30 dias')
  })

  test('MRR movements: stacked bars, one dataset per part, months named', () => {
    const fig = { key: 'mrr', unit: 'money', series: [
      { label: '2026-01', value: 100, parts: { new: 100 } },
      { label: '2026-02', value: 120, parts: { churn: -20, expansion: 10, new: 30 } },
    ] }
    expect(partNames(fig.series)).toEqual(['new', 'expansion', 'churn'])
    const c = chartConfig(fig, { board: 'customers', lang: 'en', currency: 'BRL', t })
    expect(c.type).toBe('bar')
    expect(c.data.labels).toEqual(['Jan 2026', 'Feb 2026'])
    expect(c.data.datasets.map((d) => [d.label, d.data, d.stack])).toEqual([
      ['New', [100, 30], 'parts'], ['Expansion', [0, 10], 'parts'], ['Churn', [0, -20], 'parts'],
    ])
    expect(c.options.scales.y.stacked).toBe(true)
    expect(c.options.scales.y.ticks.callback(1500000)).toBe('R$1.5M')
    expect(c.options.plugins.legend.display).toBe(true)
  })

  test('the forecast: weighted and won side by side', () => {
    const fig = { key: 'forecast', unit: 'money', series: [{ label: '2026-07', value: 500, parts: { weighted: 500, won: 200 } }] }
    const c = chartConfig(fig, { board: 'sales', lang: 'pt-BR', currency: 'BRL', t: (k) => translate('pt-BR', k) })
    expect(c.data.datasets.map((d) => d.label)).toEqual(['Previsão ponderada', 'Ganhos'])
    expect(c.data.datasets.every((d) => d.stack === undefined)).toBe(true)
    expect(c.options.scales.y.stacked).toBe(false)
    expect(c.data.labels).toEqual(['jul. de 2026'])
  })

  test('names (reasons, people): horizontal bars, tall enough for each', () => {
    const fig = { key: 'lost_reasons', unit: 'count', series: [{ label: 'A very long reason for losing the deal', value: 2 }, { label: 'Price', value: 1 }] }
    const c = chartConfig(fig, { board: 'sales', lang: 'en', currency: 'BRL', t })
    expect(c.options.indexAxis).toBe('y')
    expect(c.data.datasets[0].label).toBe('Lost reasons')
    expect(c.options.scales.y.ticks.callback(0)).toBe('A very long reason fo…')
    expect(c.options.scales.y.ticks.callback(1)).toBe('Price')
    expect(chartHeight('hbars', 10)).toBeGreaterThan(chartHeight('hbars', 2))
    expect(c.options.plugins.tooltip.callbacks.label({ dataset: { label: 'Lost reasons' }, raw: 2 })).toBe('Lost reasons: 2')
  })

  test('a table figure or a figure without a series has no chart', () => {
    expect(chartConfig({ key: 'retention', unit: 'percent', table: { columns: ['cohort'], rows: [] } }, { board: 'customers', lang: 'en', currency: 'BRL', t })).toBe(null)
    expect(chartConfig({ key: 'csat', unit: 'score', series: [] }, { board: 'service', lang: 'en', currency: 'BRL', t })).toBe(null)
  })
})

describe('the records behind a figure', () => {
  test('each record links to its page by collection', () => {
    expect(recordHref({ collection: 'deals', id: 'd1' })).toBe('/deals/d1')
    expect(recordHref({ collection: 'cases', id: 'c1' })).toBe('/cases/c1')
    expect(recordHref({ collection: 'contacts', id: 'k1' })).toBe('/contacts/k1')
    expect(recordHref({ collection: 'orders', id: 'o1' })).toBe('/orders/o1')
    expect(recordHref({ collection: 'subscriptions', id: 's1' })).toBe('')
    // A subscription opens its customer's page, which lists it.
    expect(recordHref({ collection: 'subscriptions', id: 's1', detail: 'ct0000000000001' })).toBe('/contacts/ct0000000000001')
  })
  test('a record’s detail in the reader’s words', () => {
    const pt = (k, p) => translate('pt-BR', k, p)
    expect(detailText({ detail: 'won' }, pt)).toBe(translate('pt-BR', 'deal.status.won'))
    expect(detailText({ detail: 'lost: Sem orçamento' }, pt)).toBe(`${translate('pt-BR', 'deal.status.lost')}: Sem orçamento`)
    expect(detailText({ detail: 'Proposta: moved forward' }, pt)).toBe('Proposta: avançou')
    expect(detailText({ detail: 'nps' }, (k) => translate('en', k))).toBe('NPS survey')
    expect(detailText({ detail: 'ct0000000000001' }, pt)).toBe('')
    expect(detailText({ detail: 'Rafael Lima' }, pt)).toBe('Rafael Lima')
  })
  test('the API paths keep the period and filters', () => {
    const q = parseQuery('period=last_month&owner=st1')
    expect(recordsPath('sales', 'win_rate', q)).toBe('/api/crm/insights/sales/win_rate/records?period=last_month&owner=st1')
    expect(csvPath('sales', 'win_rate', q)).toBe('/api/crm/insights/sales/win_rate/csv?period=last_month&owner=st1')
  })
})

describe('a 400 answer: the server’s words beside the field it names, in the reader’s language', () => {
  const err = (data) => ({ status: 400, response: { status: 400, message: 'x', data } })
  test('known words are ours in both languages', () => {
    const e = err({ to: { code: 'invalid', message: 'the period ends before it starts' } })
    expect(paramErrors(e, (k, p) => translate('en', k, p))).toEqual({ to: 'The period ends before it starts.' })
    expect(paramErrors(e, (k, p) => translate('pt-BR', k, p))).toEqual({ to: 'O período termina antes de começar.' })
  })
  test('a filter naming nothing names the filter in the reader’s words; unknown words are shown as sent', () => {
    const e = err({ owner: { code: 'invalid', message: 'no such owner' }, from: { code: 'invalid', message: 'something new' } })
    expect(paramErrors(e, (k, p) => translate('pt-BR', k, p))).toEqual({ owner: 'Não encontrado: Responsável.', from: 'something new' })
  })
  test('other failures are not field errors', () => {
    expect(paramErrors({ status: 500, response: {} }, (k) => k)).toEqual({})
    expect(paramErrors(null, (k) => k)).toEqual({})
  })
})

/** A client that answers send() from a function of the path. */
function fakePB(answer) {
  const sent = []
  return { sent, send: async (path) => { sent.push(path); return answer(path) } }
}

describe('loading a board', () => {
  test('sends the board and query, keeps the answer (an empty period included)', async () => {
    const body = { board: 'sales', currency: 'BRL', empty: true, period: { name: 'last_month' }, figures: [{ key: 'win_rate', unit: 'percent', value: null, count: 0 }] }
    const pb = fakePB(() => body)
    const b = new InsightsBoard(/** @type {any} */ (pb))
    await b.load('sales', parseQuery('period=last_month'))
    expect(pb.sent).toEqual(['/api/crm/insights/sales?period=last_month'])
    expect(b.data).toEqual(body)
    expect(b.data.empty).toBe(true)
    expect(b.error).toBe(null)
    expect(b.loading).toBe(false)
  })

  test('a refused period drops the old numbers and keeps the error for the field', async () => {
    let refuse = false
    const pb = fakePB(() => {
      if (refuse) throw Object.assign(new Error('bad'), { status: 400, response: { data: { to: { message: 'the period ends before it starts' } } } })
      return { board: 'sales', figures: [] }
    })
    const b = new InsightsBoard(/** @type {any} */ (pb))
    await b.load('sales', parseQuery(''))
    expect(b.data).not.toBe(null)
    refuse = true
    await b.load('sales', parseQuery('period=custom&from=2026-05-01&to=2026-04-01'))
    expect(pb.sent.at(-1)).toBe('/api/crm/insights/sales?period=custom&from=2026-05-01&to=2026-04-01')
    expect(b.data).toBe(null)
    expect(paramErrors(b.error, (k) => translate('en', k))).toEqual({ to: 'The period ends before it starts.' })
  })

  test('the records of a figure', async () => {
    const pb = fakePB(() => ({ records: [{ collection: 'deals', id: 'd1', title: 'Forno' }] }))
    const r = new InsightsRecords(/** @type {any} */ (pb))
    await r.load('sales', 'won_revenue', parseQuery('owner=st1'))
    expect(pb.sent).toEqual(['/api/crm/insights/sales/won_revenue/records?owner=st1'])
    expect(r.records).toEqual([{ collection: 'deals', id: 'd1', title: 'Forno' }])
  })
})
