// Notifications: the bell, its list and each colleague's choices (components/NotificationBell.svelte). (notifications)
export default {
  'notifications.title': 'Notifications',
}
