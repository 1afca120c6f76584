// Active personalisation in the workspace, in English: the news topics in
// Settings, the customer's choices on the contact page, and why the outbox
// did not send a message the customer chose not to get.
export default {
  'settings.section.news-topics': 'News topics',
  'topics.intro': 'The topics of your news (product news, offers…). Customers choose in the portal which they hear of and on which channel. News is marketing: it also needs their consent.',
  'topics.name': 'New topic',
  'topics.description': 'What it is about (customers read it)',
  'topics.add': 'Add topic',
  'topics.taken': 'There is already a topic with this name.',
  'topics.inactive': 'inactive',
  'topics.activate': 'Offer again',
  'topics.deactivate': 'Stop offering',
  'topics.delete': 'Delete',
  'topics.delete_named': 'Delete {name}',
  'topics.delete_confirm': 'Delete the topic “{name}”? Customers’ choices about it are forgotten.',
  'topics.none': 'No topics yet: customers choose about news as a whole.',

  'choices.title': 'What the customer chose to hear',
  'choices.off': 'off',
  'choices.preferred': 'preferred channel',
  'choices.pins': '{n} pinned in the portal',
  'choices.kind.requests': 'Request updates',
  'choices.kind.orders': 'Orders and payments',
  'choices.kind.invoices': 'Invoices',
  'choices.kind.news': 'News',

  'tl.kind.requests': 'request updates',
  'tl.kind.orders': 'orders and payments',
  'tl.kind.invoices': 'invoices',
  'tl.kind.news': 'news',
  'tl.reason.opted_out': 'The customer chose not to be told of {kind} (their choices in the portal).',
  'tl.reason.opted_out_topic': 'The customer chose not to hear news on “{topic_name}” (their choices in the portal).',
}
