// The full copy of everything held about the customer (/portal/data). (fullcopy)
export default {
  'fullcopy.title': 'A full copy of your data',
  'fullcopy.intro': 'One ZIP file with everything we hold about you: your details (stage, tags, score, custom fields), your history including the calls and notes our team wrote, requests and their messages, orders, services, invoices, payments, quotes, consents with their history, every message we sent, are holding back or refused to send, and why, what our model works out about you, and who looked at your data.',
  'fullcopy.formats': 'Each part comes as a JSON file (to take your data to another service) and a CSV file (to open in a spreadsheet). A README inside says what each file is, and what is left out and why.',
  'fullcopy.download': 'Download a full copy (ZIP)',
  'fullcopy.preparing': 'Preparing your copy…',
  'fullcopy.failed': 'The copy could not be made. Please try again in a moment.',
  'fullcopy.card_title': 'Your contact card',
  'fullcopy.card_intro': 'Your name, email, phone and company as a vCard, to add to an address book.',
}
