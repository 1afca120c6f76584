// Restrict processing, object to marketing or profiling (/portal/restriction). (restriction)
export default {
  'nav.restriction': 'Restrict or object',
}
