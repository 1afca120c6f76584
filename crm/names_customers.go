package crm

// BusinessChurnDays is the field of business_settings that holds the churn
// window in days (Business.ChurnDays): the Insights Customers board counts a
// customer with no active subscription who bought nothing in that many days
// as churned.
const BusinessChurnDays = "churn_days"
