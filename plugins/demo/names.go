package demo

// Word lists for a believable small Brazilian business with customers who
// speak Portuguese and English. Accents are on purpose: search must fold them.

var firstNames = []string{
	"João", "Maria", "José", "Ana", "Antônio", "Francisca", "Luíza", "Conceição", "Sebastião", "Mônica",
	"Fábio", "Márcia", "Vinícius", "Letícia", "Cláudio", "Patrícia", "Júlio", "Lúcia", "Inês", "Tomás",
	"Rafael", "Beatriz", "Gustavo", "Camila", "André", "Débora", "Otávio", "Flávia", "César", "Íris",
	"Paulo", "Renata", "Caio", "Aline", "Thiago", "Natália", "Heitor", "Bárbara", "Estêvão", "Lívia",
	"James", "Emily", "Oliver", "Sophie", "William", "Grace", "Henry", "Charlotte", "Daniel", "Olivia",
}

var lastNames = []string{
	"Conceição", "Gonçalves", "Simões", "Araújo", "Magalhães", "Falcão", "Brandão", "Assunção", "Loureiro", "Guimarães",
	"Silva", "Souza", "Oliveira", "Pereira", "Lima", "Carvalho", "Ribeiro", "Almeida", "Gomes", "Martins",
	"Rocha", "Barbosa", "Castro", "Fonseca", "Nóbrega", "Sá", "Quintão", "Peçanha", "Estêvez", "Cunha",
	"Smith", "Taylor", "Brown", "Walker", "Hughes", "Clarke", "Wright", "Green", "Baker", "Turner",
}

var companyHeads = []string{
	"Padaria", "Construtora", "Clínica", "Oficina", "Farmácia", "Escola", "Transportadora", "Ótica", "Pousada", "Mercado",
	"Blue Harbor", "Northwind", "Greenfield", "Silverline", "Redwood",
}

var companyTails = []string{
	"Pão Dourado", "Horizonte", "São Lucas", "Irmãos Souza", "Vida Plena", "Aprender Mais", "Rota Sul", "Visão Clara",
	"Maré Alta", "Bom Preço", "Água Viva", "Três Corações", "Ipê Amarelo", "Cajueiro", "Araucária",
}

var companySuffixes = map[bool]string{true: "Ltda.", false: "Ltd."}

var industries = []string{"Alimentação", "Construção", "Saúde", "Automotivo", "Varejo", "Educação", "Logística", "Hotelaria", "Tecnologia", "Serviços"}

var cities = []string{"São Paulo", "Belo Horizonte", "Florianópolis", "Curitiba", "Recife", "Porto Alegre", "Goiânia", "Niterói", "Maceió", "Belém"}

var jobTitles = []string{"Sócio-diretor", "Gerente de compras", "Analista financeiro", "Coordenadora de TI", "Assistente administrativo", "Owner", "Office manager", "Engenheiro civil", "Recepcionista", "Chef"}

// The words people write about a contact are in the contact's language:
// a Portuguese-speaking customer's timeline, requests and deals read in
// Portuguese, an English-speaking one's in English.
var activitySubjects = map[string]map[string][]string{
	"pt-BR": {
		"call":    {"Ligação sobre a proposta", "Retorno sobre orçamento", "Ligação sobre a fatura", "Ligação: dúvida sobre a fatura"},
		"email":   {"Orçamento enviado", "Re: instalação agendada", "Condições da renovação do contrato", "Boleto de novembro"},
		"meeting": {"Reunião de apresentação", "Revisão trimestral", "Reunião de alinhamento"},
		"visit":   {"Visita técnica", "Visita comercial", "Vistoria no local"},
		"note":    {"Prefere contato pela manhã", "Cliente pediu desconto", "Quem decide é o diretor financeiro"},
		"chat":    {"Conversa no WhatsApp", "Chat do site: dúvida sobre planos"},
		"letter":  {"Carta de boas-vindas"},
	},
	"en": {
		"call":    {"Call about the proposal", "Call back about the quote", "Follow-up call about the invoice", "Call: question about the bill"},
		"email":   {"Quote sent", "Re: installation booked", "Contract renewal terms", "November invoice"},
		"meeting": {"Introductory meeting", "Quarterly review", "Alignment meeting"},
		"visit":   {"Technical visit", "Sales visit", "On-site survey"},
		"note":    {"Prefers to be called in the morning", "Asked for a discount", "Decision maker is the CFO"},
		"chat":    {"WhatsApp conversation", "Website chat: question about plans"},
		"letter":  {"Welcome letter"},
	},
}

var activityChannels = map[string]string{
	"call": "phone", "email": "email", "meeting": "in_person", "visit": "in_person", "note": "", "chat": "whatsapp", "letter": "letter",
}

var outcomes = map[string][]string{
	"pt-BR": {"interessado", "pediu retorno", "sem resposta", "fechado", "agendado", "interessada", "sem resposta"},
	"en":    {"interested", "asked for a call back", "no answer", "closed", "booked", "interested", "no answer"},
}

var caseSubjects = map[string]map[string][]string{
	"pt-BR": {
		"SUP": {"Internet caindo à noite", "Roteador não liga", "Wi-Fi lento no escritório", "Não consigo acessar a VPN"},
		"REC": {"Cobrança em duplicidade", "Técnico não compareceu", "Atendimento demorado"},
		"INF": {"Dúvida sobre planos empresariais", "Como emitir segunda via?", "Vocês atendem em Niterói?"},
		"OS":  {"Instalação de ponto adicional", "Mudança de endereço", "Troca de equipamento"},
		"LIC": {"Licença de funcionamento — loja nova", "Renovação do alvará", "Licença sanitária da cozinha"},
	},
	"en": {
		"SUP": {"Internet drops at night", "Router does not turn on", "Slow Wi-Fi in the office", "Cannot reach the VPN"},
		"REC": {"Charged twice", "The technician did not come", "Slow service"},
		"INF": {"Question about business plans", "How do I get a copy of my bill?", "Do you serve Niterói?"},
		"OS":  {"Install an extra outlet", "Moving house", "Replace the equipment"},
		"LIC": {"Operating licence — new shop", "Licence renewal", "Kitchen health licence"},
	},
}

var caseDescriptions = map[string]string{
	"pt-BR": "Descrição enviada pelo cliente.",
	"en":    "Description sent by the customer.",
}

var dealTitles = map[string][]string{
	"pt-BR": {"Plano empresarial", "Renovação anual", "Expansão de rede", "Upgrade do suporte", "Instalação em nova filial"},
	"en":    {"Business plan", "Annual renewal", "Network expansion", "Support upgrade", "New branch installation"},
}
