// For the unit tests of both apps' messages: every key in both languages,
// none empty, with the same {placeholders}. Not part of the build.
import { expect } from 'vitest'

/**
 * The {names} a message fills in, sorted.
 * @param {string} s
 * @returns {string[]}
 */
export const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

/**
 * Fails the test when English and Portuguese do not hold the same keys, when a
 * message is empty, or when the two differ in their placeholders.
 * @param {Record<string, string>} en
 * @param {Record<string, string>} pt
 */
export function expectSameMessages(en, pt) {
  expect(Object.keys(pt).filter((k) => !(k in en))).toEqual([])
  expect(Object.keys(en).filter((k) => !(k in pt))).toEqual([])
  for (const [k, v] of Object.entries(en)) {
    expect(typeof v, k).toBe('string')
    expect(v.trim(), k).not.toBe('')
    expect(pt[k].trim(), k).not.toBe('')
    expect(placeholders(pt[k]), k).toEqual(placeholders(v))
  }
}
