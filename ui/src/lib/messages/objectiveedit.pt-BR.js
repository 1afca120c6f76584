// Mensagens em português de editar e excluir um objetivo (gestores), a
// partir do cartão da página inicial.
export default {
  'objectives.edit': 'Editar',
  'objectives.edit_label': 'Editar o objetivo “{name}”',
  'objectives.edit_title': 'Editar objetivo',
  'objectives.measured_lock': 'Medido desde {date}: o indicador ({figure}), os filtros e a forma de medir ficam como estão, para que o histórico continue significando uma coisa só. Para medir de outro jeito, crie um novo objetivo.',
  'objectives.save_changes': 'Salvar alterações',
  'objectives.updated': 'Objetivo “{name}” salvo.',
  'objectives.delete': 'Excluir…',
  'objectives.delete_confirm': 'Excluir “{name}” e seus {n} dias medidos? Não é possível desfazer.',
  'objectives.delete_yes': 'Excluir objetivo',
  'objectives.delete_no': 'Manter',
  'objectives.deleted': 'Objetivo “{name}” excluído.',
}
