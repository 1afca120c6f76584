// A cópia completa de tudo o que se mantém sobre o cliente (/portal/data). (fullcopy)
export default {
  'fullcopy.title': 'Uma cópia completa dos seus dados',
  'fullcopy.intro': 'Um arquivo ZIP com tudo o que temos sobre você: seu cadastro (estágio, etiquetas, pontuação, campos personalizados), seu histórico, inclusive as ligações e anotações da nossa equipe, solicitações e mensagens, pedidos, serviços, faturas, pagamentos, orçamentos, consentimentos com o histórico, cada mensagem que enviamos, seguramos ou recusamos enviar e por quê, o que nosso modelo calcula sobre você e quem consultou seus dados.',
  'fullcopy.formats': 'Cada parte vem como arquivo JSON (para levar seus dados a outro serviço) e CSV (para abrir numa planilha). Um LEIA-ME (README) dentro diz o que é cada arquivo e o que ficou de fora, e por quê.',
  'fullcopy.download': 'Baixar uma cópia completa (ZIP)',
  'fullcopy.preparing': 'Preparando sua cópia…',
  'fullcopy.failed': 'Não foi possível gerar a cópia. Tente de novo daqui a pouco.',
  'fullcopy.card_title': 'Seu cartão de contato',
  'fullcopy.card_intro': 'Seu nome, e-mail, telefone e empresa em vCard, para adicionar a uma agenda.',
}
