// Command bare is the anchor of omsbox's wire benchmarks: a bare net/http
// server that answers /_sandbox/health and serves one fixed body (read from
// a file at start) on every other path, as fast as Go serves anything.
package main

import (
	"net/http"
	"os"
	"strconv"
)

func main() {
	body := []byte(`{"status":"ok"}`)
	if len(os.Args) > 2 {
		b, err := os.ReadFile(os.Args[2])
		if err != nil {
			panic(err)
		}
		body = b
	}
	http.HandleFunc("/_sandbox/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})
	if err := http.ListenAndServe(os.Args[1], nil); err != nil {
		panic(err)
	}
}
