// A real IMAP server for the browser tests: Debian's Dovecot (dovecot-imapd)
// on a free loopback port, with its own configuration, passwd-file users and
// maildirs in a temporary folder — the same set-up as the Go tests' harness
// (testkit/dovecot.go). stop() ends the server's whole process group and
// removes the folder; the server is also ended if the test runner exits
// first. append() puts a raw mail into a user's folder over a plain IMAP
// session on loopback, written by hand (a handful of commands) so that the
// test reaches the mailbox the way a mail server would, independently of
// the reader under test.
import { spawn } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { freePort } from './server.mjs'

export const DOVECOT = '/usr/sbin/dovecot'

/**
 * Why the mail tests cannot run here ('' when they can). Under CI (CI=true,
 * where .ci/run installs dovecot-imapd) a missing server is an error, not a
 * reason to skip.
 */
export function dovecotMissing() {
  if (existsSync(DOVECOT)) return ''
  if (process.env.CI === 'true') throw new Error(`${DOVECOT} is missing, but .ci/run installs dovecot-imapd: the mail browser test cannot run`)
  return `${DOVECOT} is missing: apt-get install dovecot-imapd to run the mail browser test`
}

/** The configuration testkit/dovecot.go writes, for a server at port with its files under dir. */
function config(dir, port) {
  const root = process.getuid() === 0
  const uid = root ? 65534 : process.getuid()
  const gid = root ? 65534 : process.getgid()
  const mail = join(dir, 'mail')
  const lines = [
    'protocols = imap',
    'listen = 127.0.0.1',
    `base_dir = ${join(dir, 'run')}`,
    `state_dir = ${join(dir, 'state')}`,
    `instance_name = vinculo-e2e-${port}`,
    `log_path = ${join(dir, 'dovecot.log')}`,
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    'first_valid_uid = 1',
    'mail_max_userip_connections = 100',
    `mail_location = maildir:${mail}/%u`,
    `mail_uid = ${uid}`,
    `mail_gid = ${gid}`,
    'passdb {', '  driver = passwd-file', `  args = scheme=PLAIN username_format=%u ${join(dir, 'users')}`, '}',
    'userdb {', '  driver = static', `  args = uid=${uid} gid=${gid} home=${mail}/%u`, '}',
    'service imap-login {', '  inet_listener imap {', '    address = 127.0.0.1', `    port = ${port}`, '  }',
    '  inet_listener imaps {', '    port = 0', '  }', '}',
  ]
  if (!root) {
    const name = userInfo().username
    lines.push(`default_login_user = ${name}`, `default_internal_user = ${name}`)
  }
  return { text: lines.join('\n') + '\n', uid, gid }
}

/**
 * Starts Dovecot with the given users (address → password) and waits until
 * it greets; {host, port, append, log, stop}.
 * @param {Record<string, string>} users
 */
export async function startDovecot(users) {
  const dir = mkdtempSync(join(tmpdir(), 'vinculo-e2e-dovecot-'))
  chmodSync(dir, 0o755)
  const port = await freePort()
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o755 })
  const { text, uid, gid } = config(dir, port)
  chownSync(join(dir, 'mail'), uid, gid)
  writeFileSync(join(dir, 'users'), Object.entries(users).map(([a, p]) => `${a}:{PLAIN}${p}\n`).join(''), { mode: 0o644 })
  writeFileSync(join(dir, 'dovecot.conf'), text, { mode: 0o644 })

  // Its own process group: the master's login and mail processes end with it.
  const child = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { detached: true, stdio: 'ignore' })
  const exited = new Promise((ok) => child.once('exit', ok))
  const group = (signal) => {
    try {
      process.kill(-child.pid, signal)
    } catch {
      // already gone
    }
  }
  const killNow = () => group('SIGKILL')
  process.once('exit', killNow)
  const log = () => {
    try {
      return readFileSync(join(dir, 'dovecot.log'), 'utf8')
    } catch {
      return ''
    }
  }

  async function stop() {
    process.removeListener('exit', killNow)
    if (child.exitCode === null && child.signalCode === null) {
      group('SIGTERM') // the master stops its own services
      const timer = setTimeout(killNow, 10000)
      await exited
      clearTimeout(timer)
    }
    killNow() // whatever the master left behind (a mail process still serving a client)
    rmSync(dir, { recursive: true, force: true })
  }

  const until = Date.now() + 20000
  while (!(await greets(port))) {
    if (child.exitCode !== null || Date.now() > until) {
      const why = `dovecot did not answer on 127.0.0.1:${port} (exit ${child.exitCode}):\n${log()}`
      await stop()
      throw new Error(why)
    }
    await new Promise((r) => setTimeout(r, 50))
  }

  /** Puts raw mails (RFC 5322 text, LF or CRLF lines) into the user's folder, in order, in one session. */
  async function append(user, raws, folder = 'INBOX') {
    if (!(user in users)) throw new Error(`no user ${user}`)
    const s = await imapSession(port)
    try {
      await s.cmd(`LOGIN ${quote(user)} ${quote(users[user])}`)
      for (const raw of [raws].flat()) {
        const bytes = Buffer.from(String(raw).replace(/\r?\n/g, '\r\n'), 'utf8')
        await s.cmd(`APPEND ${quote(folder)} {${bytes.length}+}\r\n`, bytes)
      }
      await s.cmd('LOGOUT')
    } catch (err) {
      throw new Error(`dovecot append for ${user}: ${err.message}\n${log()}`)
    } finally {
      s.close()
    }
  }

  return { host: '127.0.0.1', port, append, log, stop }
}

/** Whether an IMAP server answers "* OK" at the port. */
function greets(port) {
  return new Promise((ok) => {
    const sock = connect({ host: '127.0.0.1', port })
    const done = (yes) => {
      sock.destroy()
      ok(yes)
    }
    sock.setTimeout(2000, () => done(false))
    sock.once('error', () => done(false))
    sock.once('data', (b) => done(b.toString('latin1').startsWith('* OK')))
  })
}

const quote = (s) => `"${String(s).replace(/[\\"]/g, (c) => `\\${c}`)}"`

/** One IMAP connection: cmd() sends a tagged command and resolves at its tagged OK (rejects on NO/BAD). */
function imapSession(port) {
  return new Promise((ok, fail) => {
    const sock = connect({ host: '127.0.0.1', port })
    let buf = ''
    let greeted = false
    let waiting = null // {tag, ok, fail}
    let n = 0
    sock.setTimeout(30000, () => sock.destroy(new Error('the IMAP server stopped answering')))
    sock.on('error', (err) => (waiting ? waiting.fail(err) : fail(err)))
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1')
      let i
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 2)
        if (!greeted) {
          greeted = true
          if (line.startsWith('* OK')) ok(session)
          else fail(new Error(`greeting: ${line}`))
        } else if (waiting && line.startsWith(`${waiting.tag} `)) {
          const w = waiting
          waiting = null
          if (line.startsWith(`${w.tag} OK`)) w.ok()
          else w.fail(new Error(line))
        }
      }
    })
    const session = {
      cmd(text, literal) {
        return new Promise((resolve, reject) => {
          const tag = `e${++n}`
          waiting = { tag, ok: resolve, fail: reject }
          sock.write(`${tag} ${text}`)
          if (literal) sock.write(literal) // after its {n+} announcement (LITERAL+)
          sock.write('\r\n')
        })
      },
      close: () => sock.destroy(),
    }
  })
}
