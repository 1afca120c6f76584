// Mentions in notes: a colleague picked after "@" is kept in the note's text
// as a token, @[Name](staff-id) (plugins/mentions parses the same), and shown
// as a name. The note box shows "@Name" while one types; the token is what
// is saved. Pure functions, but `colleagues`, which asks the server.

const TOKEN = /@\[([^[\]\n]{1,100})\]\(([a-z0-9]{15})\)/g

/**
 * @typedef {{id: string, name: string}} Mentioned
 * @typedef {{text: string} | {mention: Mentioned}} Segment
 */

/**
 * The token naming a colleague (brackets and line breaks in a name are
 * replaced, as the server does).
 * @param {string} name
 * @param {string} id
 */
export function token(name, id) {
  const clean = String(name).trim().replace(/\[/g, '(').replace(/\]/g, ')').replace(/[\r\n]/g, ' ').slice(0, 100)
  return `@[${clean}](${id})`
}

/**
 * A text cut into plain runs and mentions, for showing a note.
 * @param {string} text
 * @returns {Segment[]}
 */
export function segments(text) {
  /** @type {Segment[]} */
  const out = []
  let at = 0
  for (const m of String(text ?? '').matchAll(TOKEN)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index) })
    out.push({ mention: { name: m[1].trim(), id: m[2] } })
    at = m.index + m[0].length
  }
  if (at < String(text ?? '').length) out.push({ text: String(text).slice(at) })
  return out
}

/**
 * A text with its tokens as the names people read ("@Marina Duarte").
 * @param {string} text
 */
export function plain(text) {
  return String(text ?? '').replace(TOKEN, (_, name) => `@${name.trim()}`)
}

/**
 * What the note box shows for a saved value, and the colleagues it names.
 * @param {string} value
 * @returns {{text: string, mentions: Mentioned[]}}
 */
export function toDisplay(value) {
  /** @type {Mentioned[]} */
  const mentions = []
  for (const s of segments(value)) if ('mention' in s && !mentions.some((m) => m.id === s.mention.id)) mentions.push(s.mention)
  return { text: plain(value), mentions }
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * The value to save for what the note box shows: each "@Name" of a colleague
 * picked becomes their token (longer names first, so "@Ana Souza" wins over
 * "@Ana"); a name typed by hand without picking stays plain.
 * @param {string} text
 * @param {Mentioned[]} mentions
 */
export function toValue(text, mentions) {
  let out = String(text ?? '')
  for (const m of [...mentions].sort((a, b) => b.name.length - a.name.length)) {
    const re = new RegExp(`(^|[^\\p{L}\\p{N}_@\\[])@${escape(m.name)}(?![\\p{L}\\p{N}_])`, 'gu')
    out = out.replace(re, (_, before) => before + token(m.name, m.id))
  }
  return out
}

/**
 * The mention being typed before the caret: an "@" at the start or after a
 * space or an opening bracket, then up to three words.
 * @param {string} text
 * @param {number} caret
 * @returns {{start: number, query: string} | null}
 */
export function mentionQuery(text, caret) {
  const before = String(text ?? '').slice(0, caret)
  const m = /(^|[\s(["'])@([\p{L}\p{N}.'-]*(?: [\p{L}\p{N}.'-]*){0,2})$/u.exec(before)
  if (!m) return null
  return { start: before.length - m[2].length - 1, query: m[2] }
}

/**
 * The text with the typed query replaced by "@Name ", and where the caret goes.
 * @param {string} text
 * @param {{start: number}} q
 * @param {number} caret
 * @param {string} name
 */
export function insertMention(text, q, caret, name) {
  const head = `${text.slice(0, q.start)}@${name} `
  const tail = text.slice(caret).replace(/^ /, '')
  return { text: head + tail, caret: head.length }
}

const fold = (s) => String(s ?? '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()

/**
 * The colleagues whose name matches a query (any word's start, accents
 * ignored), best first, at most `limit`.
 * @param {Mentioned[]} list
 * @param {string} query
 * @param {number} [limit]
 */
export function matchColleagues(list, query, limit = 6) {
  const q = fold(query).trim()
  const scored = []
  for (const m of list) {
    const name = fold(m.name)
    let score = -1
    if (!q || name.startsWith(q)) score = 0
    else if (name.split(/\s+/).some((w) => w.startsWith(q))) score = 1
    else if (name.includes(q)) score = 2
    if (score >= 0) scored.push([score, m])
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name))
  return scored.slice(0, limit).map(([, m]) => m)
}

/** @type {Promise<Mentioned[]> | null} */
let loading = null

/**
 * The active colleagues who may be mentioned (loaded once a session).
 * @param {import('pocketbase').default} pb
 * @returns {Promise<Mentioned[]>}
 */
export function colleagues(pb) {
  if (!loading) {
    loading = pb.collection('staff').getFullList({ filter: 'deactivated != true', fields: 'id,name,role', sort: 'name' })
      .then((list) => list.map((s) => ({ id: s.id, name: s.name, role: s.role })))
      .catch((err) => {
        loading = null
        throw err
      })
  }
  return loading
}
