package crm

// Fields of business_settings the Insights boards read: the currency money
// figures are given in, and the manager's rates into it.
const (
	BusinessCurrency = "currency" // ISO 4217, like BRL
	BusinessRates    = "rates"    // JSON {"USD": 5.2}: one USD is worth 5.2 of the business's currency
)
