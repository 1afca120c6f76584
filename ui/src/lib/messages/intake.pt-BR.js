// Mensagens em português do e-mail recebido (plugins/channels/email,
// intake): o que uma devolução marca no contato.
export default {
  'intake.email_failing': 'E-mail devolvido',
  'intake.email_failing_detail': 'Um e-mail para este endereço foi devolvido em {when}: {reason}',
}
