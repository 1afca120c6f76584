import { describe, it, expect } from 'vitest'
import { TagsSettings, filterTags, tagSuggestions } from './tags.svelte.js'
import { fakePb } from './fakepb.js'

const items = [
  { tag: 'vip', counts: { contacts: 3, companies: 1 }, total: 4 },
  { tag: 'Parceiro', counts: { contacts: 1 }, total: 1 },
]

describe('tags settings', () => {
  it('filters by any part of the name, in any case', () => {
    expect(filterTags(items, 'PAR').map((i) => i.tag)).toEqual(['Parceiro'])
    expect(filterTags(items, '  ')).toBe(items)
  })

  it('renames, merges and deletes through the tag routes, then reloads', async () => {
    let list = items
    const pb = fakePb({
      send: (path, opts) => {
        if (path === '/api/crm/tags') return { items: list }
        list = [items[0]]
        return { changed: { contacts: 1 } }
      },
    })
    const tags = new TagsSettings(pb)
    await tags.load()
    expect(tags.items).toHaveLength(2)
    expect(await tags.rename('Parceiro', ' partner ')).toEqual({ contacts: 1 })
    expect(pb.calls[1]).toEqual(['send', '/api/crm/tags/rename', { method: 'POST', body: { tag: 'Parceiro', to: 'partner' } }])
    expect(tags.items).toHaveLength(1)
    await tags.merge('a', 'b')
    expect(pb.calls.at(-2)[2].body).toEqual({ tag: 'a', into: 'b' })
    await tags.remove('a')
    expect(pb.calls.at(-2)[1]).toBe('/api/crm/tags/delete')
  })

  it('suggests the tag names, most used first as the server sorts them', async () => {
    expect(await tagSuggestions(fakePb({ send: () => ({ items }) }))).toEqual(['vip', 'Parceiro'])
  })
})
