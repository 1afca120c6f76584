// Retention rules (pages/settings/Retention.svelte). (retention)
export default {
  'settings.section.retention': 'Retention',
}
