package crm

// Campaigns (plugins/campaigns): a message in both languages sent to a
// segment through the outbox under the marketing purpose, previewed before
// it goes and measured after.
const (
	// Campaigns holds one row per campaign: its segment, channel, wording in
	// each language, optional news topic, the window its orders are counted
	// in, and where it stands (draft, sending, sent). Staff read; writers
	// create and edit drafts (agents their own); the server alone moves the
	// state; managers delete drafts.
	Campaigns = "campaigns"
)

// Fields of campaigns.
const (
	CampName      = "name"
	CampSegment   = "segment"       // relation segments: who it goes to
	CampChannel   = "channel"       // one of CampaignChannels, or "" for each customer's preferred one
	CampSubjectEN = "subject_en"    // the wording in English ...
	CampBodyEN    = "body_en"       //
	CampSubjectPT = "subject_pt_br" // ... and in Brazilian Portuguese: the contact's language picks
	CampBodyPT    = "body_pt_br"    //
	CampTopic     = "news_topic"    // relation news_topics: the news's topic, for the customer's choices
	CampWindow    = "window_days"   // orders placed within this many days of the message count as its results
	CampState     = "state"         // CampaignDraft, CampaignSending, CampaignSent
	CampOwner     = "owner"         // relation staff
	CampSentAt    = "sent_at"       // when sending started
	CampSentBy    = "sent_by"       // relation staff: who sent it
	CampMembers   = "members"       // the segment's size when it was sent
	CampQueued    = "queued"        // outbox rows queued for it so far
)

// States of a campaign.
const (
	CampaignDraft   = "draft"
	CampaignSending = "sending"
	CampaignSent    = "sent"
)

// CampaignStates in their order.
var CampaignStates = []string{CampaignDraft, CampaignSending, CampaignSent}

// CampaignChannels a campaign may name (none: each customer's preferred).
var CampaignChannels = []string{"email", ChannelWhatsApp, ChannelSMS}

// OutboxCampaign is the outbox's relation to the campaign a message was
// queued for (the server's alone to set).
const OutboxCampaign = "campaign"

func init() { AllCollections = append(AllCollections, Campaigns) }
