// Mensagens de Configurações → Pesquisas.
export default {
  'surveys.title': 'Pesquisas',
  'surveys.intro': 'As pesquisas vão aos clientes pela caixa de saída com a finalidade pesquisa: só para quem deu esse consentimento no canal, nunca para quem o retirou.',
  'surveys.nps': 'NPS — recomendariam você?',
  'surveys.nps_help': 'Nota de 0 a 10 com comentário, enviada a cada contato com consentimento de pesquisa no máximo uma vez por período.',
  'surveys.csat': 'CSAT — quando uma solicitação é concluída',
  'surveys.csat_help': 'Nota de 1 a 5 com comentário, pedida quando a solicitação é concluída; é a avaliação da solicitação.',
  'surveys.enabled': 'Enviar esta pesquisa',
  'surveys.every_days': 'Perguntar a cada contato a cada (dias)',
  'surveys.question_en': 'Pergunta em inglês',
  'surveys.question_pt_br': 'Pergunta em português',
  'surveys.save': 'Salvar',
  'surveys.saved': 'Configurações da pesquisa salvas.',
}
