// Settings → Business: what the full copy leaves out (plugins/fullcopy). (fullcopy)
export default {
  'biz.privacy': 'Privacy',
  'biz.withhold_working_notes': 'Internal request notes are the team\'s working notes',
  'biz.withhold_working_notes_hint': 'When on, the full copy a customer downloads leaves out internal notes on their requests and says how many there are and why (a trade secret under the LGPD, GDPR art. 15(4)). When off (the default), they are in it: notes about a person are their personal data.',
}
