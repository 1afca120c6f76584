package search

// SetRankAtMost changes rankAtMost for a test and gives back the old value.
func SetRankAtMost(n int) (old int) {
	old, rankAtMost = rankAtMost, n
	return old
}
