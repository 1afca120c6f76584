// What the user typed into the forms, kept outside the components: leaving
// the page or a failed request never loses it.
export const EMPTY_CONTACT = { name: '', email: '', phone: '', mobile: '', job_title: '', stage: '', preferred_channel: '', language: '' }

export const contactDraft = $state({ ...EMPTY_CONTACT })

export function clearContactDraft() {
  Object.assign(contactDraft, EMPTY_CONTACT)
}
