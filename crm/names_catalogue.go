package crm

// The catalogue and ordering from the portal (plugins/orders: catalogue.go,
// options.go, price.go, cart.go, place.go).
const (
	// Carts holds one cart per customer account: the lines they are
	// putting together (a product, the options they chose, how many), never
	// a price — the server prices a cart each time it is read. Written only
	// through the cart's routes; the customer reads their own, staff read.
	Carts = "carts"
)

// Fields of products for the catalogue.
const (
	ProductInCatalogue = "in_catalogue"     // offered to customers in the portal
	ProductLongText    = "long_description" // the product page's text
	ProductPictures    = "pictures"         // files: pictures shown in the portal
	ProductNeedsTime   = "needs_time"       // NeedsDelivery, NeedsAppointment or empty
	ProductOptions     = "options"          // JSON: what the customer shapes (orders.Option)
)

// What a product needs a time for (products.needs_time).
const (
	NeedsDelivery    = "delivery"
	NeedsAppointment = "appointment"
)

// Fields of orders placed from the portal.
const (
	OrderScheduledAt = "scheduled_at" // the delivery or appointment time
	OrderPlacedFor   = "placed_for"   // PlacedForSelf or PlacedForCompany
	OrderPlacedBy    = "placed_by"    // relation customers: the account that placed it
)

// Who an order is for (orders.placed_for).
const (
	PlacedForSelf    = "self"
	PlacedForCompany = "company"
)

// Fields of carts.
const (
	CartCustomer = "customer" // relation customers, one cart each
	CartLines    = "lines"    // JSON [{product, choices, quantity}]
)

func init() { AllCollections = append(AllCollections, Carts) }
