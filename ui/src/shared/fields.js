// A request type's fields ([{name, label, type, required, options}]) and
// what someone typed into them (the customer in the portal, staff opening a
// request for a customer): checked as they type, with the same rules as the
// server (plugins/requests/fields.go). Problems are message keys under form.*.
export const FIELD_TYPES = ['text', 'number', 'date', 'select', 'email']

/** The type's fields as a list, whatever shape the JSON field arrived in. */
export function fieldsOf(caseType) {
  let raw = caseType?.fields
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw)
    } catch {
      raw = []
    }
  }
  return Array.isArray(raw) ? raw.filter((f) => f && f.name && FIELD_TYPES.includes(f.type)) : []
}

/** The message key of what is wrong with value for field f, or '' when it is fine. */
export function fieldProblem(f, value) {
  const v = typeof value === 'string' ? value.trim() : value
  if (v === undefined || v === null || v === '') return f.required ? 'form.required' : ''
  switch (f.type) {
    case 'number':
      return Number.isFinite(Number(v)) ? '' : 'form.number'
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(v) && !isNaN(Date.parse(v)) ? '' : 'form.date'
    case 'email':
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? '' : 'form.email'
    case 'select':
      return (f.options ?? []).includes(v) ? '' : 'form.choose'
    default:
      return String(v).length > 2000 ? 'form.too_long' : ''
  }
}

/** The data object to send: typed values, empty optional fields left out. */
export function dataOf(fields, values) {
  const out = {}
  for (const f of fields) {
    const v = typeof values[f.name] === 'string' ? values[f.name].trim() : values[f.name]
    if (v === undefined || v === null || v === '') continue
    out[f.name] = f.type === 'number' ? Number(v) : v
  }
  return out
}
