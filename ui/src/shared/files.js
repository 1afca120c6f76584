// Attachments as both apps show them: the name the sender gave the file,
// its kind (a picture and a PDF preview in the page, anything else
// downloads), its size, and links that carry a file token: attachments are
// protected, so PocketBase checks the record's view rule on every download.

const PICTURES = ['jpg', 'jpeg', 'png', 'gif', 'webp']

/**
 * The name the sender gave a stored file (PocketBase adds `_` and ten random characters before the extension).
 * @param {string} stored
 * @returns {string}
 */
export function displayName(stored) {
  return String(stored ?? '').replace(/_[a-z0-9]{10}(\.[^.]+)?$/i, '$1')
}

/**
 * How a file is previewed: a picture inline, a PDF in a frame, anything else only downloads.
 * @param {string} name
 * @returns {'image' | 'pdf' | 'other'}
 */
export function kindOf(name) {
  const ext = String(name ?? '').split('.').pop()?.toLowerCase() ?? ''
  if (PICTURES.includes(ext)) return 'image'
  if (ext === 'pdf') return 'pdf'
  return 'other'
}

/**
 * A size for people: 900 B, 12 KB, 3.4 MB.
 * @param {number | null | undefined} bytes
 * @param {string} [locale]
 * @returns {string}
 */
export function formatSize(bytes, locale) {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return ''
  if (bytes < 1024) return `${bytes} B`
  const nf = (/** @type {number} */ v, /** @type {number} */ digits) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(v)
  if (bytes < 1024 * 1024) return `${nf(bytes / 1024, 0)} KB`
  return `${nf(bytes / (1024 * 1024), 1)} MB`
}

/**
 * The links of one attachment: to show it in the page and to download it.
 * @param {import('pocketbase').default} pb
 * @param {{id: string, collectionId?: string, collectionName?: string}} record
 * @param {string} name the stored file name
 * @param {string} token a file token ('' for none)
 * @returns {{view: string, download: string}}
 */
export function fileLinks(pb, record, name, token) {
  const opts = token ? { token } : {}
  return {
    view: pb.files.getURL(record, name, opts),
    download: pb.files.getURL(record, name, { ...opts, download: 1 }),
  }
}

/** A file token lasts three minutes; a fresh one is asked for well before. */
export const TOKEN_REFRESH_MS = 100_000

/** @type {WeakMap<object, {at: number, token: Promise<string>}>} */
const tokens = new WeakMap()

/**
 * A file token of the signed-in account, shared by every list of files of the page.
 * @param {import('pocketbase').default} pb
 * @param {number} [now]
 * @returns {Promise<string>}
 */
export function fileToken(pb, now = Date.now()) {
  const kept = tokens.get(pb)
  if (kept && now - kept.at < TOKEN_REFRESH_MS) return kept.token
  const token = pb.files.getToken().catch((/** @type {unknown} */ err) => {
    tokens.delete(pb)
    throw err
  })
  tokens.set(pb, { at: now, token })
  return token
}

/**
 * The files picked in a file input, checked against the server's limits before they go.
 * @param {File[]} files
 * @param {{maxFiles?: number, maxBytes?: number}} [limits]
 * @returns {'' | 'files.too_many' | 'files.too_big'}
 */
export function filesProblem(files, { maxFiles = 10, maxBytes = 10 << 20 } = {}) {
  if (files.length > maxFiles) return 'files.too_many'
  if (files.some((f) => f.size > maxBytes)) return 'files.too_big'
  return ''
}
