// The request fields' rules live in ../../shared/fields.js, shared with the
// staff workspace's new-request form.
export { FIELD_TYPES, fieldsOf, fieldProblem, dataOf } from '../../shared/fields.js'
