// Personalização ativa no espaço de trabalho, em português: os assuntos de
// novidades nas Configurações, as escolhas do cliente na página do contato e
// por que a caixa de saída não enviou o que o cliente escolheu não receber.
export default {
  'settings.section.news-topics': 'Assuntos de novidades',
  'topics.intro': 'Os assuntos das suas novidades (novos produtos, ofertas…). Os clientes escolhem no portal sobre quais querem ouvir e por qual canal. Novidades são marketing: também precisam do consentimento deles.',
  'topics.name': 'Novo assunto',
  'topics.description': 'Do que se trata (os clientes leem)',
  'topics.add': 'Adicionar assunto',
  'topics.taken': 'Já existe um assunto com esse nome.',
  'topics.inactive': 'inativo',
  'topics.activate': 'Oferecer de novo',
  'topics.deactivate': 'Parar de oferecer',
  'topics.delete': 'Excluir',
  'topics.delete_named': 'Excluir {name}',
  'topics.delete_confirm': 'Excluir o assunto “{name}”? As escolhas dos clientes sobre ele são esquecidas.',
  'topics.none': 'Nenhum assunto ainda: os clientes escolhem sobre as novidades como um todo.',

  'choices.title': 'O que o cliente escolheu receber',
  'choices.off': 'desligado',
  'choices.preferred': 'canal preferido',
  'choices.pins': '{n} fixados no portal',
  'choices.kind.requests': 'Atualizações de solicitações',
  'choices.kind.orders': 'Pedidos e pagamentos',
  'choices.kind.invoices': 'Faturas',
  'choices.kind.news': 'Novidades',

  'tl.kind.requests': 'atualizações de solicitações',
  'tl.kind.orders': 'pedidos e pagamentos',
  'tl.kind.invoices': 'faturas',
  'tl.kind.news': 'novidades',
  'tl.reason.opted_out': 'O cliente escolheu não ser avisado de {kind} (suas escolhas no portal).',
  'tl.reason.opted_out_topic': 'O cliente escolheu não receber novidades sobre “{topic_name}” (suas escolhas no portal).',
}
