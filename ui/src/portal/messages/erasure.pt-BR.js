// Ask for erasure and follow it (/portal/erasure). (erasure)
export default {
  'nav.erasure': 'Apagar meus dados',
}
