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

var activitySubjects = map[string][]string{
	"call":    {"Ligação sobre a proposta", "Retorno sobre orçamento", "Follow-up call about the invoice", "Ligação: dúvida sobre a fatura"},
	"email":   {"Orçamento enviado", "Re: instalação agendada", "Contract renewal terms", "Boleto de novembro"},
	"meeting": {"Reunião de apresentação", "Quarterly review", "Reunião de alinhamento"},
	"visit":   {"Visita técnica", "Visita comercial", "On-site survey"},
	"note":    {"Prefere contato pela manhã", "Cliente pediu desconto", "Decision maker is the CFO"},
	"chat":    {"Conversa no WhatsApp", "Chat do site: dúvida sobre planos"},
	"letter":  {"Carta de boas-vindas"},
}

var activityChannels = map[string]string{
	"call": "phone", "email": "email", "meeting": "in_person", "visit": "in_person", "note": "", "chat": "whatsapp", "letter": "letter",
}

var outcomes = []string{"interessado", "pediu retorno", "sem resposta", "fechado", "agendado", "interested", "no answer"}

var caseSubjects = map[string][]string{
	"SUP": {"Internet caindo à noite", "Roteador não liga", "Wi-Fi lento no escritório", "Cannot reach the VPN"},
	"REC": {"Cobrança em duplicidade", "Técnico não compareceu", "Atendimento demorado"},
	"INF": {"Dúvida sobre planos empresariais", "Como emitir segunda via?", "Do you serve Niterói?"},
	"OS":  {"Instalação de ponto adicional", "Mudança de endereço", "Troca de equipamento"},
	"LIC": {"Licença de funcionamento — loja nova", "Renovação do alvará", "Licença sanitária da cozinha"},
}
