package crm

// Channels through providers (plugins/hooksapi providers.go, the shipped
// hooks hooks/60_whatsapp.pb.js and hooks/61_sms.pb.js).
const (
	// ChannelAccounts holds one row per provider channel a business turns
	// on (WhatsApp Business through Meta's Cloud API, SMS through Twilio):
	// its switch, its public identifiers and its secrets. Managers write it
	// in Settings > Channels; the secrets are never readable back through
	// the API.
	ChannelAccounts = "channel_accounts"
	// ProviderMessagesTable is the table of the provider message ids
	// already taken in (a WhatsApp message id, a Twilio MessageSid), each
	// kept for ProviderSeenFor, so a webhook the provider retries or someone
	// replays writes nothing twice. Server-only.
	ProviderMessagesTable = "_provider_messages"
)

// Fields of channel_accounts.
const (
	AccountChannel       = "channel" // ChannelWhatsApp or ChannelSMS (unique)
	AccountActive        = "active"
	AccountPhoneNumberID = "phone_number_id" // WhatsApp: the business number's id at Meta
	AccountNumber        = "number"          // the business's number, as customers see it (SMS: the From)
	AccountSID           = "account_sid"     // Twilio's account SID
	AccountWebhookURL    = "webhook_url"     // the URL the provider calls, exactly (Twilio signs it)
	AccountAppSecret     = "app_secret"      // secret: Meta's app secret (X-Hub-Signature-256)
	AccountAccessToken   = "access_token"    // secret: Meta's access token (sending)
	AccountVerifyToken   = "verify_token"    // secret: the token Meta's GET verification repeats
	AccountAuthToken     = "auth_token"      // secret: Twilio's auth token (signing and sending)
)

// AccountSecrets are the fields of channel_accounts nobody reads back
// through the API: the server uses them, a manager only replaces them.
var AccountSecrets = []string{AccountAppSecret, AccountAccessToken, AccountVerifyToken, AccountAuthToken}

// Provider channels (values of channel_accounts.channel; channels of crm.Channels).
const (
	ChannelWhatsApp = "whatsapp"
	ChannelSMS      = "sms"
)

// EventMessageReceived is the timeline event of a message a customer sent
// on a provider channel (data: channel).
const EventMessageReceived = "message.received"

func init() { AllCollections = append(AllCollections, ChannelAccounts) }
