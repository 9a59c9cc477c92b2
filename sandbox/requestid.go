package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// RequestIDHeader names the request id every response carries: the
// client's own if it sent one, else a new one.
const RequestIDHeader = "X-Request-Id"

func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if id == "" || len(id) > 128 {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
			r.Header.Set(RequestIDHeader, id)
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r)
	})
}
