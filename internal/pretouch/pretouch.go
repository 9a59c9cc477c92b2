// Package pretouch owns one start-up step: populating, in one call, the
// memory the Go heap has mapped when the process starts, so that what
// start-up allocates does not fault its pages in one at a time.
//
// The packages a program imports run their init functions before main,
// and together they allocate several megabytes (kin-openapi's JSON Schema
// library alone compiles five drafts' meta-schemas, 1.7 MB). Each new
// page costs a page fault. On some virtual machines, the project's own
// among them, a fault costs ~11 µs where populating the same page with
// madvise(MADV_POPULATE_WRITE) costs ~1 µs, and the faults then make up
// a sixth of omsbox's start. Where faults are cheap the call costs about
// what it saves.
//
// Importing the package is the whole API. Go initializes packages in
// import-path order among those whose imports are initialized; needing
// the standard library only, this one runs before the heavy ones, which
// is when it helps. It populates the heap's first mapping (4 or 8 MiB
// when omsbox starts), which start-up goes on to use. Elsewhere than
// Linux it does nothing.
package pretouch
