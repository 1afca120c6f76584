package crm

// Segments in the workspace (plugins/segments) and orders brought in as
// history (plugins/importer, kind orders).
const (
	// SegmentSnapshots holds one row per segment and day: how many contacts
	// it had and what they spent that day. The server writes them nightly;
	// staff read.
	SegmentSnapshots = "segment_snapshots"
)

// Fields of segments added for the builder. A segment with a definition is
// computed from it; one without keeps its PocketBase `filter` (the saved
// filters of before).
const (
	SegmentName          = "name"
	SegmentFilter        = "filter"
	SegmentDefinition    = "definition"     // JSON: {match: all|any, conditions: [...]}
	SegmentProposition   = "proposition"    // the value proposition offered to its members
	SegmentOwner         = "owner"          // relation staff
	SegmentUsesProfiling = "uses_profiling" // computed: a condition reads the value model
)

// Fields of segment_snapshots.
const (
	SnapSegment = "segment" // relation segments
	SnapDay     = "day"     // YYYY-MM-DD in the business's time zone
	SnapMembers = "members"
	SnapRevenue = "revenue" // orders of the members placed that day
)

// Fields of orders for history brought from elsewhere.
const (
	OrderSource     = "source"      // OrderFromImport, or empty for an order placed here
	OrderExternalID = "external_id" // the order's id in the system it came from: one order per id
	OrderFromImport = "import"
)

// ContactExternalID is a contact's id in the system it came from (orders
// imported later find their customer by it).
const ContactExternalID = "external_id"

// ConsentProfiling is the consent purpose of automated profiling: a contact
// whose profiling consent is withdrawn (or who objected) is in no segment
// that reads the value model.
const ConsentProfiling = "profiling"

func init() { AllCollections = append(AllCollections, SegmentSnapshots) }
