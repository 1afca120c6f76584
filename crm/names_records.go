package crm

// FieldArchived marks a contact or a company the team no longer works with:
// kept with its history, left out of the lists unless asked for.
const FieldArchived = "archived"
