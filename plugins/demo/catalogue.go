package demo

import "vinculo/plugins/requests"

type caseType struct {
	name, code, category, description string
	statuses                          []requests.Status
	fields                            []map[string]any
	firstResponse, resolution         float64
	reopen                            string // the status a closed request may go back to ("": none)
}

// transitions allows each status to move to the next one and to any closing one.
func (t caseType) transitions() map[string][]string {
	out := map[string][]string{}
	for i, s := range t.statuses {
		if s.Closed {
			if t.reopen != "" {
				out[s.Key] = []string{t.reopen}
			}
			continue
		}
		var next []string
		for j, o := range t.statuses {
			if j == i+1 || (o.Closed && j > i) {
				next = append(next, o.Key)
			}
		}
		out[s.Key] = next
	}
	return out
}

var caseTypeList = []caseType{
	{
		name: "Suporte técnico", code: "SUP", category: "support", description: "Algo não funciona como deveria.",
		statuses: []requests.Status{
			{Key: "new", Label: "Novo", PublicLabel: "Recebido"},
			{Key: "triage", Label: "Em triagem", PublicLabel: "Em análise"},
			{Key: "partner", Label: "Com técnico parceiro", PublicLabel: "Técnico a caminho"},
			{Key: "solved", Label: "Resolvido", PublicLabel: "Resolvido", Closed: true},
		},
		fields:        []map[string]any{{"name": "equipment", "label": "Equipamento", "type": "text", "required": false}},
		firstResponse: 4, resolution: 24, reopen: "triage",
	},
	{
		name: "Reclamação", code: "REC", category: "complaint", description: "Conte o que deu errado.",
		statuses: []requests.Status{
			{Key: "new", Label: "Nova", PublicLabel: "Recebida"},
			{Key: "investigating", Label: "Em apuração", PublicLabel: "Em apuração"},
			{Key: "answered", Label: "Respondida", PublicLabel: "Respondida", Closed: true},
		},
		firstResponse: 8, resolution: 72,
	},
	{
		name: "Pedido de informação", code: "INF", category: "information", description: "Tire suas dúvidas.",
		statuses: []requests.Status{
			{Key: "new", Label: "Novo", PublicLabel: "Recebido"},
			{Key: "answered", Label: "Respondido", PublicLabel: "Respondido", Closed: true},
		},
		firstResponse: 8, resolution: 16,
	},
	{
		name: "Ordem de serviço", code: "OS", category: "service_order", description: "Instalações, mudanças e trocas.",
		statuses: []requests.Status{
			{Key: "new", Label: "Nova", PublicLabel: "Recebida"},
			{Key: "scheduled", Label: "Agendada", PublicLabel: "Visita agendada"},
			{Key: "done", Label: "Concluída", PublicLabel: "Concluída", Closed: true},
			{Key: "cancelled", Label: "Cancelada", PublicLabel: "Cancelada", Closed: true},
		},
		fields:        []map[string]any{{"name": "address", "label": "Endereço", "type": "text", "required": true}},
		firstResponse: 8, resolution: 120,
	},
	{
		name: "Licença de funcionamento", code: "LIC", category: "application",
		description: "Peça ou renove a licença do seu estabelecimento e acompanhe cada etapa.",
		statuses: []requests.Status{
			{Key: "received", Label: "Recebido", PublicLabel: "Pedido recebido"},
			{Key: "documents", Label: "Análise de documentos", PublicLabel: "Documentos em análise"},
			{Key: "inspection", Label: "Vistoria agendada", PublicLabel: "Vistoria agendada"},
			{Key: "approved", Label: "Aprovado", PublicLabel: "Licença aprovada", Closed: true},
			{Key: "rejected", Label: "Indeferido", PublicLabel: "Pedido indeferido", Closed: true},
		},
		fields: []map[string]any{
			{"name": "cnpj", "label": "CNPJ", "type": "text", "required": true},
			{"name": "activity", "label": "Atividade", "type": "text", "required": true},
			{"name": "address", "label": "Endereço do estabelecimento", "type": "text", "required": true},
		},
		firstResponse: 16, resolution: 240,
	},
}

var productList = []map[string]any{
	{"name": "Internet Fibra 300 Mega", "code": "FIBRA-300", "price": 119.90, "currency": "BRL", "kind": "subscription", "interval": "month",
		"active": true, "customer_can_pause": true, "customer_can_cancel": true, "customer_can_change_plan": true,
		"description": "Internet por fibra óptica com Wi-Fi incluso."},
	{"name": "Suporte Premium", "code": "SUP-PREMIUM", "price": 490.00, "currency": "BRL", "kind": "subscription", "interval": "year",
		"active": true, "customer_can_pause": false, "customer_can_cancel": true, "customer_can_change_plan": false,
		"description": "Atendimento prioritário e visita técnica em até 24 horas."},
	{"name": "Instalação", "code": "INSTALACAO", "price": 150.00, "currency": "BRL", "kind": "one_off", "active": true,
		"description": "Instalação e configuração no local."},
	{"name": "Roteador Wi-Fi 6", "code": "ROTEADOR-AX", "price": 399.00, "currency": "BRL", "kind": "one_off", "active": true,
		"description": "Roteador dual-band com Wi-Fi 6."},
	{"name": "Internet Fibra 600 Mega", "code": "FIBRA-600", "price": 159.90, "currency": "BRL", "kind": "subscription", "interval": "month",
		"active": true, "customer_can_pause": true, "customer_can_cancel": true, "customer_can_change_plan": true,
		"description": "Para quem trabalha de casa e joga online."},
}
