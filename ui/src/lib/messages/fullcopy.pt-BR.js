// Configurações → Empresa: o que a cópia completa deixa de fora (plugins/fullcopy). (fullcopy)
export default {
  'biz.privacy': 'Privacidade',
  'biz.withhold_working_notes': 'Notas internas dos pedidos são notas de trabalho da equipe',
  'biz.withhold_working_notes_hint': 'Ligado, a cópia completa que o cliente baixa deixa de fora as notas internas dos pedidos dele e diz quantas são e por quê (segredo comercial pela LGPD, art. 15(4) do GDPR). Desligado (o padrão), elas vão na cópia: notas sobre uma pessoa são dados pessoais dela.',
}
