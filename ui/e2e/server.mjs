// A real Vinculo server for the browser tests: the binary built from this
// repository (with the UI just built into ui/dist), a fresh demo data dir, a
// free loopback port. stop() ends it and removes the data; the process is
// also ended if the test runner exits first.
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)))

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.unref()
    s.on('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

async function waitHealthy(url, child, ms) {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`vinculo exited with ${child.exitCode} before it answered`)
    try {
      const res = await fetch(`${url}/api/health`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  throw new Error(`vinculo did not answer at ${url} within ${ms} ms`)
}

/** Builds the binary (unless VINCULO_BIN names one), fills a demo data dir and serves it (with env added to the server's environment). */
export async function startServer({ log = false, env = {} } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'vinculo-e2e-'))
  let bin = process.env.VINCULO_BIN
  if (!bin) {
    bin = join(work, 'vinculo')
    execFileSync('go', ['build', '-o', bin, '.'], { cwd: repo, stdio: 'inherit', env: { ...process.env, GOTOOLCHAIN: 'auto' } })
  }
  if (!existsSync(bin)) throw new Error(`no vinculo binary at ${bin}`)
  const data = join(work, 'data')
  // The binary refuses VINCULO_* variables it does not know, and VINCULO_BIN is ours.
  const baseEnv = { ...process.env }
  delete baseEnv.VINCULO_BIN
  // From the repository's root, as `make run` does (its hooks/ folder included).
  execFileSync(bin, ['demo', '--dir', data], { cwd: repo, env: baseEnv, stdio: log ? 'inherit' : 'ignore' })

  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(bin, ['serve', '--dir', data, '--http', `127.0.0.1:${port}`, '--rate-limits=false'], {
    cwd: repo,
    env: { ...baseEnv, ...env }, // e.g. VINCULO_SMTP_HOST/PORT for a test's mail sink
    stdio: ['ignore', log ? 'inherit' : 'ignore', 'inherit'],
  })
  const killNow = () => {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
  process.once('exit', killNow)

  try {
    await waitHealthy(url, child, 30000)
  } catch (err) {
    killNow()
    rmSync(work, { recursive: true, force: true })
    throw err
  }

  async function stop() {
    process.removeListener('exit', killNow)
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    rmSync(work, { recursive: true, force: true })
  }

  return { url, stop, data, bin, env: baseEnv }
}

/** Signs in through the REST API and returns a token, for checks behind the browser's back. */
export async function apiToken(url, email, password = 'vinculo-demo-2026') {
  const res = await fetch(`${url}/api/collections/staff/auth-with-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ identity: email, password }),
  })
  if (!res.ok) throw new Error(`sign-in of ${email}: ${res.status}`)
  return (await res.json()).token
}

/** A fetch with a token; the answer's status, JSON (or text) and text, whatever the status. */
export async function request(url, token, path, { method = 'GET', body } = {}) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: token, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  let json
  try {
    json = JSON.parse(text)
  } catch {
    json = text
  }
  return { status: res.status, ok: res.ok, json, text }
}

/** A fetch with a token that must succeed; its JSON. */
export async function api(url, token, path, { method = 'GET', body } = {}) {
  const res = await request(url, token, path, { method, body })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${res.text}`)
  return res.json
}

/** Debian's Chromium (or CHROMIUM_PATH), headless, as every browser test runs it. */
export function launchChromium(chromium) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
  })
}
