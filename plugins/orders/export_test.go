package orders

// SetAfterPricing lets a test act between the cart's pricing and the
// order's transaction; it returns the function that restores the default.
func SetAfterPricing(f func()) (restore func()) {
	prev := afterPricing
	afterPricing = f
	return func() { afterPricing = prev }
}
