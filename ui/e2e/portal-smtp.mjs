// A real SMTP server on loopback (nodemailer's smtp-server) that keeps every
// message it receives, so browser tests read the one-time code from the very
// mail a customer would get.
import { SMTPServer } from 'smtp-server'

/** Decodes a MIME message's parts (quoted-printable, base64) into one searchable text. */
export function mailText(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/)
  const body = rest.join('\n\n')
  const subject = /^subject:\s*(.*)$/im.exec(head)?.[1] ?? ''
  const texts = []
  // every part: its headers, a blank line, its content, up to the next boundary
  const parts = body.split(/\r?\n--[^\r\n]+/)
  for (const part of parts.length > 1 ? parts : [`${head}\n\n${body}`]) {
    const m = /^([\s\S]*?)\r?\n\r?\n([\s\S]*)$/.exec(part.replace(/^\r?\n/, ''))
    const headers = m ? m[1] : ''
    let content = m ? m[2] : part
    if (/content-transfer-encoding:\s*base64/i.test(headers)) content = Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8')
    else if (/content-transfer-encoding:\s*quoted-printable/i.test(headers)) {
      content = Buffer.from(content.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
    }
    texts.push(content)
  }
  return { subject, text: texts.join('\n') }
}

export async function startSmtpSink() {
  const messages = [] // {to: [..], subject, text, raw}
  const waiters = new Set()
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      const chunks = []
      stream.on('data', (c) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase())
        const msg = { to, raw, ...mailText(raw) }
        messages.push(msg)
        for (const w of waiters) w()
        done()
      })
    },
  })
  await new Promise((ok, fail) => {
    server.once('error', fail)
    server.listen(0, '127.0.0.1', ok)
  })
  const { port } = server.server.address()

  /** The first message (received from index `since` on) that matches, within ms. */
  function waitFor(match, { since = 0, ms = 15000 } = {}) {
    return new Promise((ok, fail) => {
      const look = () => {
        const hit = messages.slice(since).find(match)
        if (hit) {
          waiters.delete(look)
          clearTimeout(timer)
          ok(hit)
        }
      }
      const timer = setTimeout(() => {
        waiters.delete(look)
        fail(new Error(`no matching mail within ${ms} ms; got: ${messages.map((m) => `${m.to} "${m.subject}"`).join('; ')}`))
      }, ms)
      waiters.add(look)
      look()
    })
  }

  /** The one-time code in the newest sign-in mail to email. */
  async function codeFor(email, since) {
    const msg = await waitFor((m) => m.to.includes(email.toLowerCase()) && /\b\d{6}\b/.test(otpPart(m.text)), { since })
    return /\b(\d{6})\b/.exec(otpPart(msg.text))[1]
  }

  return { port, messages, waitFor, codeFor, stop: () => new Promise((ok) => server.close(ok)) }
}

// The code sits in the message's text after the greeting; headers and MIME
// boundaries (which hold long digit runs) were split off by mailText.
function otpPart(text) {
  return text.replace(/<[^>]+>/g, ' ')
}

/** The server's environment that sends its mail to sink. */
export function smtpEnv(sink) {
  return { VINCULO_SMTP_HOST: '127.0.0.1', VINCULO_SMTP_PORT: String(sink.port), VINCULO_SMTP_SENDER: 'portal@vinculo.example' }
}

/**
 * Signs a customer in to the portal at baseURL with the one-time code read
 * from the very mail sink received.
 * @param {import('playwright-core').Page} page
 */
export async function signInByCode(page, baseURL, sink, email) {
  await page.goto(`${baseURL}/portal/`)
  await page.locator('#signin-email').fill(email)
  const since = sink.messages.length
  await page.locator('main form button[type=submit]').click()
  await page.locator('#signin-code').waitFor()
  await page.locator('#signin-code').fill(await sink.codeFor(email, since))
  await page.locator('main form button[type=submit]').click()
  await page.getByTestId('me-name').waitFor()
}
