// A fresh install for the browser tests, as a new business starts: the
// binary built from this repository (VINCULO_BIN, or built here), an empty
// data dir, the first manager made with `vinculo staff create`, then
// `vinculo serve` on a free loopback port. No demo data, no SMTP: the server
// keeps every mail as an .eml file in DATA/mail, which mailTo() reads.
// stop() ends the server and removes the data; the process is also ended if
// the test runner exits first.
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from './server.mjs'

const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)))

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

/**
 * Starts a fresh install whose only member is the manager given.
 * @param {{email: string, password: string, name: string, language?: string}} manager
 * firstMessage is what the server printed on its very first start, before
 * the manager existed; created is what `staff create` printed; startMessage
 * what the running server printed so far.
 * @returns {Promise<{url: string, data: string, firstMessage: string, created: string, startMessage: string, stop: () => Promise<void>, mailTo: (email: string, since?: number) => Promise<string>}>}
 */
export async function startFresh(manager, { log = false } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'vinculo-fresh-'))
  let bin = process.env.VINCULO_BIN
  if (!bin) {
    bin = join(work, 'vinculo')
    execFileSync('go', ['build', '-o', bin, '.'], { cwd: repo, stdio: 'inherit', env: { ...process.env, GOTOOLCHAIN: 'auto' } })
  }
  if (!existsSync(bin)) throw new Error(`no vinculo binary at ${bin}`)
  const data = join(work, 'data')
  // The binary refuses VINCULO_* variables it does not know, and VINCULO_BIN is ours.
  const env = { ...process.env }
  delete env.VINCULO_BIN

  // A new business runs the binary from its own folder, not from this
  // repository: the hooks it loads are the ones built into the binary.
  const cwd = work

  // The very first start, before anybody exists: what the owner reads.
  let running, firstMessage, made
  try {
    firstMessage = await (await serve(bin, data, cwd, env, log)).stop()
    const args = ['staff', 'create', manager.email, manager.password, '--name', manager.name, '--dir', data]
    if (manager.language) args.push('--language', manager.language)
    made = execFileSync(bin, args, { cwd, env, encoding: 'utf8' })
    if (log) process.stdout.write(made)
    running = await serve(bin, data, cwd, env, log)
  } catch (err) {
    rmSync(work, { recursive: true, force: true })
    throw err
  }
  const { url } = running

  async function stop() {
    await running.stop()
    rmSync(work, { recursive: true, force: true })
  }

  /** The newest mail to `email` kept in DATA/mail since `since` (ms), waited for up to 5 s. */
  async function mailTo(email, since = 0) {
    const dir = join(data, 'mail')
    for (let i = 0; i < 50; i++) {
      let files = []
      try {
        files = readdirSync(dir)
          .filter((f) => f.endsWith('.eml'))
          .map((f) => join(dir, f))
          .filter((f) => statSync(f).mtimeMs >= since)
          .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
      } catch {
        // the folder appears with the first mail
      }
      const hit = files.map((f) => readFileSync(f, 'utf8')).filter((text) => text.includes(email)).at(-1)
      if (hit) return hit
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`no mail to ${email} in ${dir}`)
  }

  return { url, data, stop, mailTo, firstMessage, created: made, get startMessage() { return running.output() } }
}

/** `vinculo serve` on a free port until it answers; stop() ends it and gives what it printed. */
async function serve(bin, data, cwd, env, log) {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(bin, ['serve', '--dir', data, '--http', `127.0.0.1:${port}`, '--rate-limits=false'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const keep = (chunk) => {
    if (output.length < 20000) output += chunk
    if (log) process.stdout.write(chunk)
  }
  child.stdout.setEncoding('utf8').on('data', keep)
  child.stderr.setEncoding('utf8').on('data', keep)
  const killNow = () => {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
  process.once('exit', killNow)
  try {
    await waitHealthy(url, child, 30000)
  } catch (err) {
    killNow()
    throw new Error(`${err.message}\n${output}`)
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
    return output
  }
  return { url, stop, output: () => output }
}
