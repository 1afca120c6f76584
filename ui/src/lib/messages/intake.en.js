// English messages of inbound mail (plugins/channels/email, intake): what a
// bounce marks on a contact.
export default {
  'intake.email_failing': 'Email bounces',
  'intake.email_failing_detail': 'Mail to this address bounced on {when}: {reason}',
}
