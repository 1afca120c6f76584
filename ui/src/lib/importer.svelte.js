// The import wizard's state: a file and its columns, the mapping of columns
// to fields, a dry run and then the real run, each an `import_jobs` record
// the server updates as it works; the wizard follows it live through the
// SDK's realtime subscription. The authenticated downloads (errors.csv,
// exports) are ../shared/download.js.
import { guessField } from '../shared/customfields.js'

/**
 * An import job as the server keeps it (`import_jobs`): its state, its
 * counts and, once finished, its report.
 * @typedef {{id: string, status: string, dry_run?: boolean, total_rows?: number, processed_rows?: number, rows_created?: number, rows_updated?: number, rows_skipped?: number, rows_duplicate?: number, rows_error?: number, report?: {errors?: ImportError[], possible_duplicates?: ImportError[], summary?: Record<string, number>}, [key: string]: unknown}} ImportJob
 */

/**
 * One refused line of a report.
 * @typedef {{line: number, field?: string, value?: string, code?: string, params?: Record<string, unknown>, reason: string}} ImportError
 */

/**
 * A saved mapping of columns to fields.
 * @typedef {{id: string, name: string, kind: string, mapping: Record<string, string>, staff?: string}} ImportPreset
 */

export const KINDS = ['contacts', 'companies', 'orders']
export const ON_DUPLICATE = ['skip', 'fill', 'overwrite', 'create']
export const RUN_MODES = ['all_or_nothing', 'valid_only']

// The fields a column can go to; '' leaves the column out.
export const FIELDS = {
  contacts: ['name', 'first_name', 'last_name', 'email', 'phone', 'mobile', 'job_title', 'company', 'address', 'tags', 'source', 'stage', 'owner'],
  companies: ['name', 'domain', 'phone', 'address', 'city', 'country', 'industry'],
  // Past orders, as history (plugins/importer/orders.go): the customer by id, email or phone.
  orders: ['order_id', 'customer_id', 'email', 'phone', 'date', 'amount', 'currency', 'product'],
}

const FINISHED = ['done', 'failed']

/**
 * True once the job has stopped, well or not.
 * @param {ImportJob | null | undefined} job
 * @returns {boolean}
 */
export function isFinished(job) {
  return Boolean(job && FINISHED.includes(job.status))
}

/**
 * How far the job is, 0–100 (100 once done).
 * @param {ImportJob | null | undefined} job
 * @returns {number}
 */
export function progressOf(job) {
  if (!job) return 0
  if (job.status === 'done') return 100
  const total = Number(job.total_rows) || 0
  if (total <= 0) return 0
  return Math.max(0, Math.min(100, Math.floor((100 * (Number(job.processed_rows) || 0)) / total)))
}

/**
 * The counts a report shows. `possible` counts the rows created beside a
 * record of the same name and company (among `created`): people of the same
 * name with emails and phones of their own, listed for review.
 * @param {ImportJob | null | undefined} job
 * @returns {{total: number, processed: number, created: number, updated: number, skipped: number, duplicates: number, errors: number, possible: number}}
 */
export function summaryOf(job) {
  const n = (k) => Number(job?.[k]) || 0
  const summary = /** @type {{possible_duplicates?: number} | undefined} */ (job?.report?.summary)
  return {
    total: n('total_rows'),
    processed: n('processed_rows'),
    created: n('rows_created'),
    updated: n('rows_updated'),
    skipped: n('rows_skipped'),
    duplicates: n('rows_duplicate'),
    errors: n('rows_error'),
    possible: Number(summary?.possible_duplicates) || 0,
  }
}

/**
 * The first possible duplicates of a report: rows of the same name and
 * company as a stored record (params.record) or an earlier row
 * (params.of_row), imported as other people because their emails and
 * phones differ.
 * @param {ImportJob | null | undefined} job
 * @returns {ImportError[]}
 */
export function possibleOf(job) {
  const list = /** @type {unknown} */ (job?.report?.possible_duplicates)
  return Array.isArray(list) ? list : []
}

/**
 * What a possible duplicate is beside, in the reader's language: an earlier
 * row of the file, or a stored contact (`record` is its id, for a link).
 * @param {ImportError} p
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 * @returns {{text: string, record: string}}
 */
export function possibleOther(p, t) {
  const record = typeof p?.params?.record === 'string' ? p.params.record : ''
  if (record) return { text: t('import.possible.record'), record }
  return { text: t('import.possible.row', { row: p?.params?.of_row ?? '?' }), record: '' }
}

/**
 * The first errors of a report: [{line, field, reason}].
 * @param {ImportJob | null | undefined} job
 * @returns {ImportError[]}
 */
export function errorsOf(job) {
  const list = job?.report?.errors
  return Array.isArray(list) ? list : []
}

/**
 * How the server read a file, in the reader's language: its layout (the
 * export it recognised, or the columns mapped), format and encoding.
 * @param {{layout?: string, format?: string, report?: {encoding?: string}} | null | undefined} job
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 * @returns {string}
 */
export function detectedText(job, t) {
  const word = (prefix, v) => {
    const k = `import.${prefix}.${v}`
    const w = t(k)
    return w === k ? v : w
  }
  return t('import.detected', {
    layout: word('layout', job?.layout ?? ''),
    format: word('format', job?.format || 'csv'),
    encoding: job?.report?.encoding || 'UTF-8',
  })
}

/**
 * Why a row was refused, in the reader's language: the server gives a code
 * and its values (import.error.<code>); a code this workspace does not know
 * shows the server's English reason.
 * @param {ImportError} problem
 * @param {(key: string, params?: Record<string, unknown>) => string} t
 * @returns {string}
 */
export function problemText(problem, t) {
  if (!problem?.code) return problem?.reason ?? ''
  const key = `import.error.${problem.code}`
  const text = t(key, problem.params ?? {})
  return text === key ? problem.reason ?? '' : text
}

/**
 * The field a problem is about, as the mapping names it (a custom field by
 * its label in the reader's language when labelOfCustom knows it; a file's
 * column keeps its own name).
 * @param {ImportError} problem
 * @param {(key: string) => string} t
 * @param {(name: string) => string} [labelOfCustom] a custom field's label, '' when unknown
 * @returns {string}
 */
export function problemField(problem, t, labelOfCustom = () => '') {
  if (!problem?.field) return ''
  if (problem.field.startsWith('cf_')) return labelOfCustom(problem.field) || problem.field
  const key = `import.field.${problem.field}`
  const label = t(key)
  return label === key ? problem.field : label
}

/**
 * Is the file a vCard (by name or content)? Then there are no columns to map.
 * @param {string | null | undefined} name
 * @param {string} [text] the head of the file
 * @returns {boolean}
 */
export function isVCard(name, text = '') {
  return /\.(vcf|vcard)$/i.test(name ?? '') || /^\s*BEGIN:VCARD/i.test(text)
}

/**
 * The column names of a CSV's first line: the BOM dropped, the delimiter
 * guessed among , ; tab and |, quoted names unquoted.
 * @param {string} text the head of the file
 * @returns {string[]}
 */
export function detectColumns(text) {
  if (!text) return []
  text = text.replace(/^\uFEFF/, '')
  // The header ends at the first line break outside quotes.
  let end = 0
  let quoted = false
  for (; end < text.length; end++) {
    const ch = text[end]
    if (ch === '"') quoted = !quoted
    else if (!quoted && (ch === '\n' || ch === '\r')) break
  }
  const line = text.slice(0, end)
  const outside = line.replace(/"[^"]*"/g, '')
  let delim = ','
  let best = -1
  for (const d of [',', ';', '\t', '|']) {
    const n = outside.split(d).length
    if (n > best) {
      best = n
      delim = d
    }
  }
  const out = []
  let cell = ''
  quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === delim) {
      out.push(cell.trim())
      cell = ''
    } else cell += ch
  }
  out.push(cell.trim())
  return out.filter((c, i) => c !== '' || i < out.length - 1)
}

const ALIASES = {
  first_name: ['first name', 'given name', 'primeiro nome', 'first'],
  last_name: ['last name', 'family name', 'surname', 'sobrenome', 'last'],
  name: ['name', 'full name', 'nome', 'nome completo', 'display name', 'company name', 'empresa nome'],
  email: ['email', 'e-mail', 'e-mail address', 'email address', 'e-mail 1 - value', 'correio'],
  phone: ['phone', 'telefone', 'business phone', 'phone 1 - value', 'phone number'],
  mobile: ['mobile', 'celular', 'mobile phone', 'cell', 'mobile phone number'],
  job_title: ['job title', 'title', 'cargo', 'organization 1 - title'],
  company: ['company', 'empresa', 'organization', 'organization 1 - name', 'company name'],
  address: ['address', 'endereço', 'endereco', 'street'],
  domain: ['domain', 'website', 'site', 'company domain name'],
  city: ['city', 'cidade'],
  country: ['country', 'país', 'pais', 'country/region'],
  tags: ['tags', 'labels', 'etiquetas'],
  stage: ['stage', 'lifecycle stage', 'estágio'],
  industry: ['industry', 'setor'],
  order_id: ['order id', 'order', 'order number', 'external id', 'id', 'pedido', 'id do pedido', 'número do pedido', 'numero do pedido'],
  customer_id: ['customer id', 'client id', 'customer', 'id do cliente', 'código do cliente', 'codigo do cliente', 'cliente'],
  date: ['date', 'order date', 'purchase date', 'data', 'data do pedido', 'data da compra'],
  amount: ['amount', 'total', 'value', 'valor', 'valor total', 'order total'],
  currency: ['currency', 'moeda'],
  product: ['product', 'sku', 'product code', 'produto', 'item', 'código do produto'],
}

/**
 * A first guess of the mapping, by column name; unknown columns are left out.
 * A column no built-in field takes goes to the custom field it is named
 * after (its name or its label in either language, accents and case ignored).
 * @param {string[]} columns
 * @param {string} [kind] contacts or companies
 * @param {Array<{name: string, label: string, labels?: Record<string, string> | null}>} [custom] the kind's custom fields
 * @returns {Record<string, string>} column -> field
 */
export function guessMapping(columns, kind = 'contacts', custom = []) {
  const fields = FIELDS[kind] ?? FIELDS.contacts
  const mapping = {}
  const taken = new Set()
  for (const col of columns) {
    const key = col.trim().toLowerCase().replace(/_/g, ' ')
    for (const field of fields) {
      if (taken.has(field)) continue
      const names = ALIASES[field] ?? [field.replace(/_/g, ' ')]
      if (names.includes(key) || key === field) {
        mapping[col] = field
        taken.add(field)
        break
      }
    }
    if (!(col in mapping)) {
      const f = guessField(col, custom.filter((x) => !taken.has(x.name)))
      mapping[col] = f ? f.name : ''
      if (f) taken.add(f.name)
    }
  }
  return mapping
}

/**
 * The multipart body of POST /api/crm/import.
 * @param {{file: Blob, kind: string, mode: string, onDuplicate: string, mapping?: Record<string, string>, preset?: string}} options
 * @returns {FormData}
 */
export function importForm({ file, kind, mode, onDuplicate, mapping, preset }) {
  const form = new FormData()
  form.append('file', file)
  form.append('kind', kind)
  form.append('mode', mode)
  form.append('on_duplicate', onDuplicate)
  const chosen = Object.fromEntries(Object.entries(mapping ?? {}).filter(([, field]) => field))
  if (Object.keys(chosen).length) form.append('mapping', JSON.stringify(chosen))
  if (preset) form.append('preset', preset)
  return form
}

export class ImportWizard {
  step = $state('choose') // choose -> review -> running -> done
  kind = $state('contacts')
  file = $state(null)
  /** @type {string[]} */
  columns = $state.raw([])
  mapping = $state({})
  vcard = $state(false)
  /** @type {ImportPreset[]} */
  presets = $state.raw([])
  preset = $state('')
  onDuplicate = $state('skip')
  mode = $state('all_or_nothing')
  /** @type {ImportJob | null} */
  dryJob = $state(null)
  /** @type {ImportJob | null} */
  job = $state(null)
  busy = $state(false)
  error = $state(null)
  #unsubscribe = null
  /** Columns whose field the reader chose by hand; a later guess leaves them be. */
  #chosen = new Set()

  /**
   * @param {import('pocketbase').default} pb
   * @param {(kind: string) => Array<{name: string, label: string, labels?: Record<string, string> | null}>} [customOf] the business's own fields of a kind, guessed from column names too
   */
  constructor(pb, customOf = () => []) {
    this.pb = pb
    this.customOf = customOf
  }

  get progress() {
    return progressOf(this.job)
  }

  get canDryRun() {
    return Boolean(this.file) && !this.busy && (this.vcard || Object.values(this.mapping).some((f) => ['name', 'first_name', 'email'].includes(f)))
  }

  async loadPresets() {
    try {
      const list = await this.pb.collection('import_presets').getFullList({ sort: 'name', filter: this.pb.filter('kind = {:kind}', { kind: this.kind }) })
      this.presets = list
    } catch {
      this.presets = [] // no presets is no reason to stop an import
    }
  }

  setKind(kind) {
    this.kind = KINDS.includes(kind) ? kind : 'contacts'
    this.mapping = guessMapping(this.columns, this.kind, this.customOf(this.kind))
    this.preset = ''
    return this.loadPresets()
  }

  /** Reads the head of the file for its columns and guesses a mapping. */
  async setFile(file) {
    this.file = file
    this.error = null
    this.dryJob = null
    this.job = null
    const head = file ? await file.slice(0, 65536).text() : ''
    this.vcard = isVCard(file?.name, head)
    this.columns = this.vcard ? [] : detectColumns(head)
    this.#chosen.clear()
    this.mapping = guessMapping(this.columns, this.kind, this.customOf(this.kind))
    if (this.preset) this.applyPreset(this.preset)
  }

  /**
   * Guesses again the columns still without a field, once the business's
   * own fields have arrived (a file picked before they loaded was guessed
   * without them); a column the reader chose, or a preset's, stays.
   */
  customFieldsArrived() {
    if (this.preset || this.vcard || !this.columns.length) return
    const guess = guessMapping(this.columns, this.kind, this.customOf(this.kind))
    const taken = new Set(Object.values(this.mapping).filter(Boolean))
    let next = null
    for (const col of this.columns) {
      if (this.mapping[col] || this.#chosen.has(col) || !guess[col] || taken.has(guess[col])) continue
      next ??= { ...this.mapping }
      next[col] = guess[col]
      taken.add(guess[col])
    }
    if (next) this.mapping = next
  }

  applyPreset(id) {
    this.preset = id
    const p = this.presets.find((x) => x.id === id)
    if (!p) return
    const saved = p.mapping && typeof p.mapping === 'object' ? p.mapping : {}
    const next = {}
    for (const col of this.columns) next[col] = saved[col] ?? ''
    this.mapping = next
  }

  setField(column, field) {
    this.#chosen.add(column)
    this.mapping = { ...this.mapping, [column]: field }
  }

  async savePreset(name, staffId) {
    const chosen = Object.fromEntries(Object.entries(this.mapping).filter(([, f]) => f))
    const rec = await this.pb.collection('import_presets').create({ name, kind: this.kind, mapping: chosen, staff: staffId })
    this.presets = [...this.presets, rec].sort((a, b) => a.name.localeCompare(b.name))
    this.preset = rec.id
    return rec
  }

  async #start(mode) {
    const body = importForm({ file: this.file, kind: this.kind, mode, onDuplicate: this.onDuplicate, mapping: this.vcard ? {} : this.mapping, preset: this.preset })
    const res = await this.pb.send('/api/crm/import', { method: 'POST', body })
    return res.job
  }

  /** Follows a job live until it finishes; onChange sees every state. */
  async follow(id, onChange) {
    this.stopFollowing()
    const jobs = this.pb.collection('import_jobs')
    return new Promise((resolve, reject) => {
      let settled = false
      const seen = (job) => {
        if (settled) return
        onChange(job)
        if (isFinished(job)) {
          settled = true
          this.stopFollowing()
          resolve(job)
        }
      }
      jobs
        .subscribe(id, (e) => seen(e.record))
        .then((unsubscribe) => {
          this.#unsubscribe = unsubscribe
          if (settled) this.stopFollowing()
          // The job may have moved (or finished) before the subscription began.
          return jobs.getOne(id).then(seen)
        })
        .catch((err) => {
          if (!settled) {
            settled = true
            this.stopFollowing()
            reject(err)
          }
        })
    })
  }

  stopFollowing() {
    const u = this.#unsubscribe
    this.#unsubscribe = null
    if (u) Promise.resolve(u()).catch(() => {})
  }

  /** Step 1 -> 2: a dry run of the file, whose report the person reviews. */
  async dryRun() {
    this.busy = true
    this.error = null
    this.dryJob = null
    try {
      const id = await this.#start('dry_run')
      this.dryJob = { id, status: 'queued' }
      this.step = 'review'
      const job = await this.follow(id, (j) => (this.dryJob = j))
      if (job.status === 'failed') this.error = { message: job.error }
      return job
    } catch (err) {
      this.error = err
      this.step = 'choose'
      return null
    } finally {
      this.busy = false
    }
  }

  /** Step 2 -> 3: the real import, with its progress. */
  async run() {
    this.busy = true
    this.error = null
    this.job = null
    try {
      const id = await this.#start(this.mode)
      this.job = { id, status: 'queued', processed_rows: 0, total_rows: this.dryJob?.total_rows ?? 0 }
      this.step = 'running'
      const job = await this.follow(id, (j) => (this.job = j))
      this.step = 'done'
      if (job.status === 'failed') this.error = { message: job.error }
      return job
    } catch (err) {
      this.error = err
      return null
    } finally {
      this.busy = false
    }
  }

  errorsPath(job) {
    return `/api/crm/import/${encodeURIComponent(job.id)}/errors.csv`
  }

  reset() {
    this.stopFollowing()
    this.step = 'choose'
    this.file = null
    this.columns = []
    this.mapping = {}
    this.vcard = false
    this.dryJob = null
    this.job = null
    this.error = null
  }
}
