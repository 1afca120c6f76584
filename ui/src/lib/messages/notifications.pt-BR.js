// Notificações: o sino, a lista e as escolhas de cada colega (components/NotificationBell.svelte). (notifications)
export default {
  'notifications.title': 'Notificações',
}
