// Mensagens em português da configuração do painel Clientes em
// Configurações → Empresa: a janela de churn.
export default {
  'biz.churn_days': 'Janela de churn, em dias',
  'biz.churn_days_hint': 'Um cliente sem assinatura ativa que não comprou nada nesse número de dias conta como perdido no painel Clientes dos Indicadores (90 por padrão).',
}
