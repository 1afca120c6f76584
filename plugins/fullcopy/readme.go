package fullcopy

import (
	"fmt"
	"sort"
	"strings"
)

// Languages of the README.
const (
	LangEN = "en"
	LangPT = "pt-BR"
)

// words are the README's sentences, per language.
var words = map[string]map[string]string{
	LangEN: {
		"title":      "Your data held by %s",
		"made":       "Made on %s (UTC) for %s.",
		"intro":      "This is a full copy of everything %s holds about you (GDPR articles 15 and 20; in Brazil, LGPD article 18). Each part comes twice with the same records: a .json file, for programs (to take your data to another service), and a .csv file, for spreadsheets. In a .csv file, a list or a group of details is written as JSON inside its cell. Times are in UTC. Every record keeps its id, so the files can be joined (a request's messages name their request).",
		"files":      "The files",
		"rows":       "%d records",
		"row":        "1 record",
		"none":       "none",
		"attachment": "A file uploaded to one of the records above (the record's column names this path).",
		"manifest":   "The same list, for programs: every file, how many records it holds, and what is left out.",
		"readme":     "This file.",
		"left":       "What is left out, and why",
		"nothing":    "No record about you was left out.",
		"field":      "%s: the field %q. %s",
		"records":    "%s: %d records are not in this copy. %s",
		"others":     "Links to other people (a colleague who wrote in one of your requests, say) are left empty: their data is theirs.",
		"ask":        "If you think something is missing, or you want a left-out part reviewed, answer this copy through the portal or write to %s.",
	},
	LangPT: {
		"title":      "Seus dados mantidos por %s",
		"made":       "Gerada em %s (UTC) para %s.",
		"intro":      "Esta é uma cópia completa de tudo o que %s mantém sobre você (LGPD, artigo 18; na Europa, artigos 15 e 20 do RGPD). Cada parte vem duas vezes, com os mesmos registros: um arquivo .json, para programas (para levar seus dados a outro serviço), e um arquivo .csv, para planilhas. Num arquivo .csv, uma lista ou um grupo de detalhes vem escrito em JSON dentro da célula. Os horários estão em UTC. Cada registro mantém seu id, para que os arquivos possam ser cruzados (as mensagens de uma solicitação indicam a solicitação).",
		"files":      "Os arquivos",
		"rows":       "%d registros",
		"row":        "1 registro",
		"none":       "nenhum",
		"attachment": "Um arquivo enviado a um dos registros acima (a coluna do registro indica este caminho).",
		"manifest":   "A mesma lista, para programas: cada arquivo, quantos registros tem e o que ficou de fora.",
		"readme":     "Este arquivo.",
		"left":       "O que ficou de fora, e por quê",
		"nothing":    "Nenhum registro sobre você ficou de fora.",
		"field":      "%s: o campo %q. %s",
		"records":    "%s: %d registros não estão nesta cópia. %s",
		"others":     "Vínculos com outras pessoas (um colega que escreveu numa solicitação sua, por exemplo) ficam vazios: os dados delas são delas.",
		"ask":        "Se achar que falta algo, ou quiser que uma parte deixada de fora seja revista, responda pelo portal ou escreva para %s.",
	},
}

// reasons word each Reason*.
var reasons = map[string][2]string{
	ReasonSecurity: {"It is a secret that protects your account or a link sent to you (stored scrambled); handing it out would weaken that protection, and it says nothing about you.",
		"É um segredo que protege sua conta ou um link enviado a você (guardado embaralhado); entregá-lo enfraqueceria essa proteção, e ele não diz nada sobre você."},
	ReasonOthers: {"It is another person's data: the network address and browser of the team member who looked, or the filter of an export, which can name other customers (GDPR art. 15(4), the rights of others).",
		"São dados de outra pessoa: o endereço de rede e o navegador do membro da equipe que consultou, ou o filtro de uma exportação, que pode citar outros clientes (direitos de terceiros)."},
	ReasonMachinery: {"It is the sending software's own lock while a message goes out, not data about you.",
		"É a trava do próprio programa de envio enquanto uma mensagem sai, não um dado sobre você."},
	ReasonWorkingNotes: {"These are the team's internal notes on your requests. The business has marked them as internal working notes (its staff's working opinions, protected as trade secrets: LGPD art. 18 and 19, GDPR art. 15(4)). They exist, and how many there are is stated here; you may ask the business to review this.",
		"São as anotações internas da equipe sobre suas solicitações. A empresa as marcou como notas internas de trabalho (opiniões de trabalho da equipe, protegidas como segredo comercial: LGPD art. 18 e 19). Elas existem, e quantas são está dito aqui; você pode pedir que a empresa reveja isso."},
	ReasonOthersRecord: {"These records are about another person, whose request, order or quote you acted on (as your company's admin, say): they hold that person's data and the team's notes about them, so only their number is stated here, not their content.",
		"Estes registros são de outra pessoa, em cuja solicitação, pedido ou orçamento você atuou (como administrador da sua empresa, por exemplo): contêm os dados dela e as anotações da equipe sobre ela, por isso aqui consta só quantos são, não o conteúdo."},
	ReasonUnreviewed: {"This kind of record is new and nobody has yet decided which of its hidden fields are yours to see; they are left out until someone does.",
		"Este tipo de registro é novo e ninguém decidiu ainda quais dos seus campos ocultos são seus para ver; ficam de fora até alguém decidir."},
}

// about describes each section, [en, pt-BR].
var about = map[string][2]string{
	"contact":               {"Your contact record: every field, including your stage, tags, score, the name of your contact person on the team, and custom fields.", "Seu cadastro: todos os campos, inclusive estágio, etiquetas, pontuação, o nome do seu responsável na equipe e os campos personalizados."},
	"custom_fields":         {"The custom fields held about you (on your contact, requests and deals), each with its label.", "Os campos personalizados mantidos sobre você (no cadastro, nas solicitações e negociações), cada um com seu rótulo."},
	"portal_account":        {"Your portal account(s): sign-in email, language, company role, whether a password or two-step sign-in is set.", "Sua(s) conta(s) no portal: e-mail de acesso, idioma, papel na empresa, se há senha ou verificação em duas etapas."},
	"company":               {"The company you are linked to, and your role in it.", "A empresa à qual você está vinculado, e seu papel nela."},
	"timeline":              {"Every entry of your history with the business, including calls and notes the team wrote about you. 'event' names what happened and 'data' holds its details.", "Cada entrada do seu histórico com a empresa, inclusive ligações e anotações que a equipe escreveu sobre você. 'event' diz o que aconteceu e 'data' traz os detalhes."},
	"requests":              {"Your requests (support, complaints, questions), with their status, dates and who handles them.", "Suas solicitações (suporte, reclamações, dúvidas), com situação, datas e quem as atende."},
	"request_messages":      {"The messages of your requests: yours, the team's answers and (marked internal = true) the team's internal notes.", "As mensagens das suas solicitações: as suas, as respostas da equipe e (marcadas internal = true) as anotações internas da equipe."},
	"emails":                {"Emails between you and the business, as received or sent.", "E-mails entre você e a empresa, como recebidos ou enviados."},
	"messages_to_you":       {"Every message to you the business sent, is waiting to send or refused to send, with the reason for each decision.", "Cada mensagem para você que a empresa enviou, aguarda enviar ou recusou enviar, com o motivo de cada decisão."},
	"consents":              {"Your consents (marketing, profiling...), each with its full history, the words you agreed to and its proof (when, source, address, browser).", "Seus consentimentos (marketing, perfil...), cada um com todo o histórico, o texto aceito e a prova (quando, origem, endereço, navegador)."},
	"web_form_signups":      {"Sign-ups you made through the business's web forms, with their confirmation.", "Cadastros que você fez pelos formulários da empresa, com a confirmação."},
	"orders":                {"Your orders, including the team's notes on them.", "Seus pedidos, inclusive as anotações da equipe sobre eles."},
	"cart":                  {"What is in your portal cart.", "O que está no seu carrinho do portal."},
	"subscriptions":         {"Your subscriptions and services.", "Suas assinaturas e serviços."},
	"invoices":              {"Your invoices.", "Suas faturas."},
	"payments":              {"Your payments and their state.", "Seus pagamentos e a situação de cada um."},
	"quotes":                {"The quotes made for you, and your answers.", "Os orçamentos feitos para você, e suas respostas."},
	"deals":                 {"Sales opportunities the team keeps with you.", "Oportunidades de venda que a equipe mantém com você."},
	"tasks":                 {"Tasks the team set itself about you.", "Tarefas que a equipe criou sobre você."},
	"scores":                {"What the business's model works out about you (how likely you are to buy again, your value), with when it was worked out.", "O que o modelo da empresa calcula sobre você (chance de voltar a comprar, seu valor), com a data do cálculo."},
	"segments":              {"The groups of customers (segments) you are in now, and what each offers.", "Os grupos de clientes (segmentos) em que você está agora, e o que cada um oferece."},
	"suggestions":           {"What the team is advised to offer or do for you, with the reasons ('reasons').", "O que se sugere à equipe oferecer ou fazer por você, com os motivos ('reasons')."},
	"surveys_sent":          {"Satisfaction surveys sent to you.", "Pesquisas de satisfação enviadas a você."},
	"survey_answers":        {"Your answers to satisfaction surveys.", "Suas respostas às pesquisas de satisfação."},
	"personal_choices":      {"Your choices in the portal (which messages and news you want, pinned items).", "Suas escolhas no portal (que mensagens e novidades deseja, itens fixados)."},
	"access_log":            {"Who looked at your data: each time someone on the team, a partner or an automation opened it (your own visits are not logged).", "Quem consultou seus dados: cada vez que alguém da equipe, um parceiro ou uma automação os abriu (suas próprias visitas não são registradas)."},
	"erasure_requests":      {"Your requests to have your data erased, with their deadline, the decision and its reason, and the signed receipt.", "Seus pedidos de eliminação dos dados, com o prazo, a decisão e o motivo, e o recibo assinado."},
	"restrictions":          {"Each time the processing of your data was restricted or the restriction lifted: who asked, when and how.", "Cada vez que o tratamento dos seus dados foi restringido ou a restrição retirada: quem pediu, quando e como."},
	"exports_including_you": {"Exports of the team's lists that included you: when, by whom, how many records.", "Exportações de listas da equipe que incluíram você: quando, por quem, quantos registros."},
}

func lang(l string) int {
	if l == LangPT {
		return 1
	}
	return 0
}

func say(l, key string) string {
	if m, ok := words[l]; ok {
		return m[key]
	}
	return words[LangEN][key]
}

func reasonText(reason, l string) string { return reasons[reason][lang(l)] }

func attachmentAbout(l string) string { return say(l, "attachment") }

func aboutSection(s *Section, l string) string {
	if a, ok := about[s.Name]; ok && !s.Unreviewed {
		return a[lang(l)]
	}
	if l == LangPT {
		return fmt.Sprintf("Registros de %q que se referem a você. Este tipo de registro ainda não tem descrição: vêm todos os campos, menos os ocultos.", s.Collection)
	}
	return fmt.Sprintf("Records of %q that refer to you. This kind of record has no description yet: every field is in, but the hidden ones.", s.Collection)
}

// readme is README.txt: what each file is, and what is left out and why.
func readme(cp *Copy, m Manifest, business string) string {
	l := cp.Lang
	var b strings.Builder
	title := fmt.Sprintf(say(l, "title"), business)
	fmt.Fprintf(&b, "%s\n%s\n\n", title, strings.Repeat("=", len([]rune(title))))
	fmt.Fprintf(&b, say(l, "made")+"\n\n", m.GeneratedAt, cp.Contact.GetString("name"))
	b.WriteString(wrap(fmt.Sprintf(say(l, "intro"), business)) + "\n\n")
	fmt.Fprintf(&b, "%s\n%s\n\n", say(l, "files"), strings.Repeat("-", len([]rune(say(l, "files")))))
	for _, f := range m.Files {
		count := say(l, "none")
		switch {
		case f.Section == "files":
			count = ""
		case f.Rows == 1:
			count = say(l, "row")
		case f.Rows > 1:
			count = fmt.Sprintf(say(l, "rows"), f.Rows)
		}
		fmt.Fprintf(&b, "- %s", f.File)
		if count != "" {
			fmt.Fprintf(&b, " (%s)", count)
		}
		b.WriteString("\n" + indent(wrap(f.About)) + "\n")
	}
	fmt.Fprintf(&b, "- %s\n%s\n- %s\n%s\n\n", ManifestFile, indent(say(l, "manifest")), ReadmeFile, indent(say(l, "readme")))
	fmt.Fprintf(&b, "%s\n%s\n\n", say(l, "left"), strings.Repeat("-", len([]rune(say(l, "left")))))
	if len(m.WithheldRecords) == 0 {
		b.WriteString(say(l, "nothing") + "\n\n")
	}
	for _, r := range m.WithheldRecords {
		b.WriteString(wrap(fmt.Sprintf(say(l, "records"), r.Section, r.Count, r.Why)) + "\n\n")
	}
	for _, f := range m.WithheldFields {
		b.WriteString(wrap(fmt.Sprintf(say(l, "field"), f.Section, f.Field, f.Why)) + "\n\n")
	}
	b.WriteString(wrap(say(l, "others")) + "\n\n")
	b.WriteString(wrap(fmt.Sprintf(say(l, "ask"), business)) + "\n")
	return b.String()
}

// wrap breaks text into lines of at most 78 characters.
func wrap(text string) string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len([]rune(line))+1+len([]rune(word)) > 78 {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	return strings.Join(append(lines, line), "\n")
}

func indent(text string) string {
	return "    " + strings.ReplaceAll(text, "\n", "\n    ")
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
