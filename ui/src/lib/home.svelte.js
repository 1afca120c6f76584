// The home page's four lists for the signed-in staff member: tasks due today
// or overdue, open cases by SLA, deals closing this month, and what customers
// and the system did lately for their contacts.
import { dayKey, zonedDayToISO } from './format.js'
import { latestWins } from '../shared/loader.js'

/**
 * A row of one of the home lists; each list reads only the fields it shows.
 * @typedef {{id: string, [key: string]: any}} HomeRow
 */

/** A moment as the record API's filters write it. */
const sqlTime = (/** @type {Date} */ d) => d.toISOString().replace('T', ' ')

export class HomeLists {
  /** @type {HomeRow[] | null} null until read */
  tasks = $state.raw(null)
  /** @type {HomeRow[] | null} */
  cases = $state.raw(null)
  /** @type {HomeRow[] | null} */
  deals = $state.raw(null)
  /** @type {HomeRow[] | null} */
  recent = $state.raw(null)
  loading = $state(false)
  error = $state(null)
  #latest = latestWins(this)

  /**
   * @param {import('pocketbase').default} pb
   * @param {string} me the signed-in staff member's id
   */
  constructor(pb, me) {
    this.pb = pb
    this.me = me
  }

  /**
   * Reads the four lists at once.
   * @param {string | undefined} timeZone where the reader works: "today" ends at their midnight
   * @param {Date} [now]
   * @returns {Promise<void>}
   */
  async load(timeZone, now = new Date()) {
    const { pb, me } = this
    const monthStart = sqlTime(new Date(now.getFullYear(), now.getMonth(), 1))
    const monthEnd = sqlTime(new Date(now.getFullYear(), now.getMonth() + 1, 1))
    // Due before tomorrow starts where the reader works: today's and overdue.
    const tomorrow = zonedDayToISO(dayKey(new Date(now.getTime() + 86400000), timeZone), 0, 0, timeZone).replace('T', ' ')
    const list = (/** @type {string} */ name, /** @type {number} */ size, /** @type {string} */ filter, /** @type {object} */ opts) =>
      pb.collection(name).getList(1, size, { filter, skipTotal: true, expand: 'contact', ...opts }).then((r) => r.items)
    await this.#latest.run(() => Promise.all([
      list('tasks', 20, pb.filter("assignee = {:me} && status = 'open' && due != '' && due < {:tomorrow}", { me, tomorrow }),
        { sort: 'due', fields: 'id,title,due,contact,expand.contact.id,expand.contact.name' }),
      list('cases', 20, pb.filter('assignee = {:me} && closed = false', { me }),
        { sort: 'resolution_due', fields: 'id,reference,subject,status_label,priority,overdue,resolution_due,contact,expand.contact.id,expand.contact.name' }),
      list('deals', 20, pb.filter("owner = {:me} && status = 'open' && expected_close >= {:from} && expected_close < {:to}", { me, from: monthStart, to: monthEnd }),
        { sort: 'expected_close', expand: 'contact,stage', fields: 'id,title,amount,currency,expected_close,contact,expand.contact.id,expand.contact.name,expand.stage.name' }),
      // What customers and the system did for my contacts lately (not my own entries).
      list('activities', 10, pb.filter('contact.owner = {:me} && staff != {:me}', { me }),
        { sort: '-occurred_at', fields: 'id,type,event,subject,data,occurred_at,contact,expand.contact.id,expand.contact.name' }),
    ]), ([tasks, cases, deals, recent]) => {
      this.tasks = tasks
      this.cases = cases
      this.deals = deals
      this.recent = recent
    })
  }
}
