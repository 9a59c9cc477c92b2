package oms

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
)

// idSource draws an account's identifiers and generated data from one
// seeded source, so an account replays identically after a reset.
type idSource struct {
	rng      *rand.Rand
	sequence int
}

// firstSequence is where an account's order sequence starts; VTEX's are
// six-digit numbers such as 502556.
const firstSequence = 502550

func newIDSource(account string, seed uint64) *idSource {
	return newIDSourceGen(account, seed, 0)
}

// newIDSourceGen is the source of an account's generation: generation 0
// draws the seed orders (the same ids after every reset), each later
// generation (the orders created after the n-th reset) a stream of its
// own, so an order id is never issued twice in a sandbox's life.
func newIDSourceGen(account string, seed, generation uint64) *idSource {
	h := fnv.New64a()
	h.Write([]byte(account))
	return &idSource{rng: rand.New(rand.NewPCG(seed, h.Sum64()+generation*0x9e3779b97f4a7c15)), sequence: firstSequence}
}

// orderGroup is a 13-digit number, like 1172452900788.
func (s *idSource) orderGroup() string {
	return fmt.Sprint(1_000_000_000_000 + s.rng.Int64N(9_000_000_000_000))
}

func (s *idSource) nextSequence() string {
	s.sequence++
	return fmt.Sprint(s.sequence)
}

const hexDigits = "0123456789abcdef"

// hex returns n random lower-case hex digits.
func (s *idSource) hex(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[s.rng.IntN(16)]
	}
	return string(b)
}

// uuid returns a random version-4 style GUID.
func (s *idSource) uuid() string {
	h := s.hex(32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

// digits returns n random decimal digits.
func (s *idSource) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + s.rng.IntN(10))
	}
	return string(b)
}
