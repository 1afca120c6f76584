// Downloads an authenticated GET as a file (an export, an errors.csv, the
// portal's "my data"): the token goes in a header, never in a link that could
// be shared or logged.

/**
 * Downloads an authenticated GET as a file.
 * @param {{buildURL: (path: string) => string, authStore: {token: string}}} pb the app's client
 * @param {string} path
 * @param {string} fallbackName the file's name when the server names none
 * @param {{fetchImpl?: typeof fetch, doc?: Document | null, name?: string}} [options] name: this name, whatever the server says; doc null: no file is saved (tests)
 * @returns {Promise<{name: string, blob: Blob}>}
 */
export async function download(pb, path, fallbackName, { fetchImpl = fetch, doc = globalThis.document, name: fixedName = '' } = {}) {
  const res = await fetchImpl(pb.buildURL(path), { headers: { Authorization: pb.authStore.token } })
  if (!res.ok) {
    let body = {}
    try {
      body = await res.json()
    } catch {
      // not JSON
    }
    throw Object.assign(new Error(body.message || `HTTP ${res.status}`), { status: res.status, response: body })
  }
  const name = fixedName || (/filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? fallbackName)
  const blob = await res.blob()
  if (!doc) return { name, blob }
  const url = URL.createObjectURL(blob)
  const a = doc.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  doc.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
  return { name, blob }
}
