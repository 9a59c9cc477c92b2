// Package clip owns how much of a client's input an error message echoes:
// an id, a path or a value goes back whole up to MaxEcho characters, then
// cut with an ellipsis, so an error body never grows with what a client
// sends.
package clip

// MaxEcho is how many characters of a client's value an error echoes.
const MaxEcho = 256

// ID returns s, or its first MaxEcho characters and "…".
func ID(s string) string {
	if len(s) <= MaxEcho {
		return s
	}
	n := 0
	for i := range s {
		if n == MaxEcho {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
