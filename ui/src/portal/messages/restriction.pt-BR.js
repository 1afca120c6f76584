// Restrict processing, object to marketing or profiling (/portal/restriction). (restriction)
export default {
  'nav.restriction': 'Restringir ou opor-se',
}
