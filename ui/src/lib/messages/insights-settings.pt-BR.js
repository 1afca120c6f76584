// Mensagens em português de Configurações → Empresa: a moeda em que os
// Indicadores dão valores, e as taxas de conversão do gestor.
export default {
  'biz.money': 'Moeda',
  'biz.money_hint': 'Os Indicadores dão valores nesta moeda. Um valor em outra moeda é convertido pela taxa abaixo; um sem taxa aparece à parte, nunca somado.',
  'biz.currency': 'Moeda da empresa (código ISO, como BRL)',
  'biz.rates': 'Taxas: quanto vale uma unidade de outra moeda em {currency}',
  'biz.rate_code': 'Moeda da taxa {n}',
  'biz.rate_value': 'Taxa {n}, em {currency}',
  'biz.remove_rate': 'Remover a taxa {n}',
  'biz.add_rate': 'Adicionar uma taxa',
  'biz.err.currency': 'Escreva um código de moeda de três letras maiúsculas, como BRL ou USD.',
  'biz.err.rates': 'Cada taxa precisa de um código de moeda de três letras (como USD) e de um número maior que zero.',
}
