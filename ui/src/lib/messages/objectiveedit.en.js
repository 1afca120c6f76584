// English messages of editing and deleting an objective (managers), from
// the home page's card.
export default {
  'objectives.edit': 'Edit',
  'objectives.edit_label': 'Edit the objective “{name}”',
  'objectives.edit_title': 'Edit objective',
  'objectives.measured_lock': 'Measured since {date}: its figure ({figure}), filters and how it is measured stay as they are, so that its history keeps meaning one thing. To measure another way, set a new objective.',
  'objectives.save_changes': 'Save changes',
  'objectives.updated': 'Objective “{name}” saved.',
  'objectives.delete': 'Delete…',
  'objectives.delete_confirm': 'Delete “{name}” and its {n} measured days? This cannot be undone.',
  'objectives.delete_yes': 'Delete objective',
  'objectives.delete_no': 'Keep it',
  'objectives.deleted': 'Objective “{name}” deleted.',
}
