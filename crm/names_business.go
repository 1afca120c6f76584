package crm

// BusinessSettings is the one row of the business's own settings (name, logo,
// colour, country, language, time zone, opening hours, holidays) that
// managers keep in the workspace; the configuration file gives its first values.
const BusinessSettings = "business_settings"

func init() { AllCollections = append(AllCollections, BusinessSettings) }
