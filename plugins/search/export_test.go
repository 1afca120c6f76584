package search

// SetRankAtMost changes rankAtMost for a test and gives back the old value.
func SetRankAtMost(n int) (old int) {
	old, rankAtMost = rankAtMost, n
	return old
}

// HoldSearches takes every search slot, as that many searches running
// would, until release is called; ok is false (and nothing is held) when
// some slot is taken already.
func HoldSearches() (release func(), ok bool) {
	if !searching.TryAcquire(searchSlots) {
		return func() {}, false
	}
	return func() { searching.Release(searchSlots) }, true
}
