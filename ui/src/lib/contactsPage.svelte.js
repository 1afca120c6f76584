// The contacts list of the page, kept while the workspace is open: back from
// a contact, the search, the sort and the page are as they were.
import { pb } from './pb.js'
import { ContactList } from './contacts.svelte.js'

export const contactList = new ContactList(pb)
export const contactsUi = $state({ formOpen: false, loadedOnce: false })
