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
