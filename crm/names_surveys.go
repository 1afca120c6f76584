package crm

// Surveys (plugins/surveys): what customers answered when asked how it went.
const (
	// SurveyAnswers holds one row per answer: its kind (NPS or CSAT), the
	// score, the comment, the contact, the request it was about (CSAT), the
	// channel it was asked on and when it was answered. Written by the server
	// from the signed page or the portal; the insights boards count them.
	SurveyAnswers = "survey_answers"
)

// Fields of survey_answers.
const (
	AnswerKind    = "kind"    // SurveyNPS or SurveyCSAT
	AnswerScore   = "score"   // NPS 0..10, CSAT 1..5
	AnswerComment = "comment" // what the customer wrote
	AnswerContact = "contact"
	AnswerCase    = "case" // the request a CSAT answer is about
	AnswerChannel = "channel"
	AnswerAt      = "answered_at"
)

// Survey kinds.
const (
	SurveyNPS  = "nps"  // "how likely are you to recommend us?" 0..10
	SurveyCSAT = "csat" // "how satisfied are you with how we handled it?" 1..5
)

func init() { AllCollections = append(AllCollections, SurveyAnswers) }

// PurposeResearch is the consent purpose every survey goes under.
const PurposeResearch = "research"

// SurveyRequests holds one row per survey sent: what was asked (kind), of
// whom, about which request (CSAT), the outbox message that carried it and
// the hash of the link's token. The server writes them; staff read.
const SurveyRequests = "survey_requests"

// Fields of survey_requests.
const (
	SurveyRequestKind      = "kind"
	SurveyRequestContact   = "contact"
	SurveyRequestCase      = "case"
	SurveyRequestOutbox    = "outbox"
	SurveyRequestTokenHash = "token_hash" // hidden: sha256 of the link's token
	SurveyRequestAskedAt   = "asked_at"
	SurveyRequestExpiresAt = "expires_at"
	SurveyRequestAnswered  = "answered_at"
)

// AnswerRequest is survey_answers' link to the survey_requests row it
// answers (empty for a CSAT given on the request's own page).
const AnswerRequest = "request"

// SurveySettings holds one row per survey kind: whether it is on, how
// often a contact is asked (NPS) and the question in each language.
// Managers change them in Settings > Surveys; staff read.
const SurveySettings = "survey_settings"

// Fields of survey_settings.
const (
	SurveySettingKind       = "kind"
	SurveySettingEnabled    = "enabled"
	SurveySettingEveryDays  = "every_days"
	SurveySettingQuestionEn = "question_en"
	SurveySettingQuestionPt = "question_pt_br"
)

func init() { AllCollections = append(AllCollections, SurveyRequests, SurveySettings) }
