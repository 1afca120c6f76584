// The customer's surveys: through a link's token (no sign-in) or, signed
// in, their own. Pages call these; none of them reaches the SDK itself.
import { pb } from './pb.js'

/**
 * A survey as the page shows it.
 * @typedef {{id: string, kind: 'nps' | 'csat', question: string, min: number, max: number, expired: boolean,
 *   case?: {reference: string, subject: string}, answer: {score: number, comment: string} | null}} Survey
 */

/** @param {string} token @returns {Promise<Survey>} */
export const surveyByToken = (token) => pb.send(`/api/crm/public/surveys/${encodeURIComponent(token)}`, { method: 'GET', requestKey: null })

/** @param {string} token @param {number} score @param {string} comment @returns {Promise<Survey>} */
export const answerByToken = (token, score, comment) =>
  pb.send(`/api/crm/public/surveys/${encodeURIComponent(token)}`, { method: 'POST', body: { score, comment }, requestKey: null })

/** @returns {Promise<Survey[]>} */
export const mySurveys = async () => (await pb.send('/api/crm/portal/surveys', { method: 'GET', requestKey: null })).items ?? []

/** @param {string} id @param {number} score @param {string} comment @returns {Promise<Survey>} */
export const answerMine = (id, score, comment) => pb.send(`/api/crm/portal/surveys/${encodeURIComponent(id)}`, { method: 'POST', body: { score, comment }, requestKey: null })
