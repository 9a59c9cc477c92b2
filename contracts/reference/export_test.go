package reference

// SetCatchUpPageSize makes the initial load list n orders a page, so a
// test pages through a few orders; the returned func restores it.
func SetCatchUpPageSize(n int) (restore func()) {
	old := catchUpPageSize
	catchUpPageSize = n
	return func() { catchUpPageSize = old }
}
