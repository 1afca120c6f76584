package erasure

import "vinculo/crm"

// The receipt's and the mails' words, in each language customers read.
var words = map[string]map[string]string{
	"en": {
		"title":   "Receipt of erasure of personal data",
		"ref":     "Reference",
		"asked":   "Asked",
		"done":    "Erased",
		"key":     "Signing key",
		"erased":  "Erased or irreversibly anonymised (number of records):",
		"nothing": "nothing else was held",
		"kept":    "Kept, and why:",
		"while":   "while it lasts",
		"until":   "until %s",
		"this":    "this receipt and the request's record under its reference, without your name: proof that your request was answered (LGPD art. 37; GDPR art. 5(2))",
		"check":   "The signature below is Ed25519 over every byte above it; the business's public key is published at %s/api/crm/erasure/key.",
		"subject": "Your data was erased — receipt %s",
		"intro":   "As you asked, we erased your personal data. This is your receipt: keep it, it is signed so that anyone can check it later. It is attached too.",
		"refused": "Your request to erase your data was refused",
	},
	"pt-BR": {
		"title":   "Recibo de eliminação de dados pessoais",
		"ref":     "Referência",
		"asked":   "Pedido em",
		"done":    "Eliminado em",
		"key":     "Chave de assinatura",
		"erased":  "Eliminado ou anonimizado de forma irreversível (número de registros):",
		"nothing": "não havia mais nada",
		"kept":    "Mantido, e por quê:",
		"while":   "enquanto durar",
		"until":   "até %s",
		"this":    "este recibo e o registro do pedido sob a sua referência, sem o seu nome: prova de que o seu pedido foi atendido (LGPD art. 37; GDPR art. 5(2))",
		"check":   "A assinatura abaixo é Ed25519 sobre cada byte acima dela; a chave pública da empresa está publicada em %s/api/crm/erasure/key.",
		"subject": "Seus dados foram eliminados — recibo %s",
		"intro":   "Como você pediu, eliminamos os seus dados pessoais. Este é o seu recibo: guarde-o, ele é assinado para que qualquer pessoa possa conferi-lo depois. Ele também vai anexo.",
		"refused": "O seu pedido de eliminação de dados foi recusado",
	},
}

var collectionWords = map[string]map[string]string{
	"en": {
		crm.Contacts: "Your contact details (name, emails, phones, address, custom fields)", crm.Customers: "Your portal account",
		crm.Activities: "Timeline entries (their text and files)", crm.AuditLog: "Access log entries (your address and browser)",
		crm.Cases: "Requests (their text and files)", crm.CaseMessages: "Messages on requests and their files",
		crm.Consents: "Consent records (your address and browser)", crm.CustomerScores: "Scores", crm.Suggestions: "Offers suggested to you",
		crm.Deals: "Deals (your name in them)", crm.EmailMessages: "Emails", crm.Invoices: "Invoice", crm.Orders: "Order",
		crm.Outbox: "Messages sent or waiting (their text and address)", crm.Payments: "Payment", crm.PersonalChoices: "Your choices of messages",
		crm.Quotes: "Quote", crm.Subscriptions: "Subscription", crm.SurveyAnswers: "Survey comments", crm.SurveyRequests: "Survey invitations",
		crm.Tasks: "Tasks (your name in them)", crm.WebFormOptIns: "Web form confirmations", crm.Carts: "Shopping carts",
		crm.Merges: "Records of merged duplicates of your contact",
	},
	"pt-BR": {
		crm.Contacts: "Seus dados de contato (nome, e-mails, telefones, endereço, campos personalizados)", crm.Customers: "Sua conta no portal",
		crm.Activities: "Registros do histórico (texto e arquivos)", crm.AuditLog: "Registros de acesso (seu endereço e navegador)",
		crm.Cases: "Solicitações (texto e arquivos)", crm.CaseMessages: "Mensagens das solicitações e seus arquivos",
		crm.Consents: "Registros de consentimento (seu endereço e navegador)", crm.CustomerScores: "Pontuações", crm.Suggestions: "Ofertas sugeridas a você",
		crm.Deals: "Negócios (seu nome neles)", crm.EmailMessages: "E-mails", crm.Invoices: "Nota fiscal", crm.Orders: "Pedido",
		crm.Outbox: "Mensagens enviadas ou em espera (texto e endereço)", crm.Payments: "Pagamento", crm.PersonalChoices: "Suas escolhas de mensagens",
		crm.Quotes: "Orçamento", crm.Subscriptions: "Assinatura", crm.SurveyAnswers: "Comentários de pesquisas", crm.SurveyRequests: "Convites de pesquisa",
		crm.Tasks: "Tarefas (seu nome nelas)", crm.WebFormOptIns: "Confirmações de formulário", crm.Carts: "Carrinhos de compra",
		crm.Merges: "Registros de duplicatas do seu contato que foram unidas",
	},
}

var basisWords = map[string]map[string]string{
	"en": {
		BasisFiscal:   "a fiscal document the law makes the business keep for 5 years (Brazil: CTN arts. 173-174; LGPD art. 16, I; GDPR art. 17(3)(b))",
		BasisContract: "a contract and its billing, kept while it runs and 5 years after (Civil Code art. 206 §5; LGPD art. 16, I)",
		BasisOpen:     "a request still being handled: kept until it is closed (LGPD art. 7, VI; GDPR art. 17(3)(e))",
	},
	"pt-BR": {
		BasisFiscal:   "documento fiscal que a lei obriga a empresa a guardar por 5 anos (CTN arts. 173-174; LGPD art. 16, I)",
		BasisContract: "contrato e sua cobrança, mantidos enquanto vigora e por 5 anos depois (Código Civil art. 206 §5; LGPD art. 16, I)",
		BasisOpen:     "solicitação ainda em andamento: mantida até ser encerrada (LGPD art. 7, VI)",
	},
}

func lang(l string) string {
	if _, ok := words[l]; ok {
		return l
	}
	return "en"
}

func wordsFor(l string) map[string]string { return words[lang(l)] }

func collectionWord(l, c string) string {
	if w := collectionWords[lang(l)][c]; w != "" {
		return w
	}
	return c
}

func basisWord(l, b string) string {
	if w := basisWords[lang(l)][b]; w != "" {
		return w
	}
	return b
}

// keptWord names one kept record of collection c.
func keptWord(l, c string) string {
	one := map[string]map[string]string{
		"en":    {crm.Cases: "Request", crm.EmailMessages: "Email"},
		"pt-BR": {crm.Cases: "Solicitação", crm.EmailMessages: "E-mail"},
	}
	if w := one[lang(l)][c]; w != "" {
		return w
	}
	return collectionWord(l, c)
}
