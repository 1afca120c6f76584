// English messages of Settings → Surveys.
export default {
  'surveys.title': 'Surveys',
  'surveys.intro': 'Surveys go to customers through the outbox under the research purpose: only to those who gave that consent on the channel, never to anyone who withdrew it.',
  'surveys.nps': 'NPS — would they recommend you?',
  'surveys.nps_help': 'Score 0 to 10 with a comment, sent to each contact with research consent at most once per period.',
  'surveys.csat': 'CSAT — after a request closes',
  'surveys.csat_help': 'Score 1 to 5 with a comment, asked when a request closes; it is the request’s rating.',
  'surveys.enabled': 'Send this survey',
  'surveys.every_days': 'Ask each contact every (days)',
  'surveys.question_en': 'Question in English',
  'surveys.question_pt_br': 'Question in Portuguese',
  'surveys.save': 'Save',
  'surveys.saved': 'Survey settings saved.',
}
