package sandbox

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/omsbox/omsbox/sandbox/mercadolivre"
	"github.com/omsbox/omsbox/sandbox/skyhub"
	"github.com/omsbox/omsbox/sandbox/vtex"
)

// net/http answers some requests itself, before any handler sees them,
// with a plain-text body: a request line it cannot parse (a malformed
// escape such as /api/oms/pvt/orders/%ZZ) gets this exact reply.
const (
	plainErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
	plainBadRequest   = "HTTP/1.1 400 Bad Request" + plainErrorHeaders + "400 Bad Request"
	plainTooLarge     = "HTTP/1.1 431 Request Header Fields Too Large" + plainErrorHeaders + "431 Request Header Fields Too Large"
)

// WrapListener makes net/http's own refusals on ln speak the vendor's
// error shape: the API the refused request was for (VTEX, SkyHub or the
// control plane, from its request line; skyhubRoot for a listener that
// serves SkyHub at its root) answers in its JSON error body, with the same
// status, instead of net/http's plain text.
func (s *Sandbox) WrapListener(ln net.Listener, skyhubRoot bool) net.Listener {
	return &wireListener{Listener: ln, skyhubRoot: skyhubRoot, skyhubBase: s.skyhubBase, mlBase: s.mlBase}
}

// WrapMercadoLivreListener is WrapListener for a listener that serves
// Mercado Livre at its root: refusals come in Mercado Livre's shape.
func (s *Sandbox) WrapMercadoLivreListener(ln net.Listener) net.Listener {
	return &wireListener{Listener: ln, mlRoot: true, skyhubBase: s.skyhubBase, mlBase: s.mlBase}
}

type wireListener struct {
	net.Listener
	skyhubRoot bool
	skyhubBase string
	mlRoot     bool
	mlBase     string
}

func (l *wireListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &wireConn{Conn: c, skyhubRoot: l.skyhubRoot, skyhubBase: l.skyhubBase, mlRoot: l.mlRoot, mlBase: l.mlBase}, nil
}

// wireConn remembers the start of the latest request line it read, and
// rewrites net/http's plain-text refusals as they are written.
type wireConn struct {
	net.Conn
	skyhubRoot bool
	skyhubBase string
	mlRoot     bool
	mlBase     string
	mu         sync.Mutex
	target     string // the request target of the latest request line seen
}

func (c *wireConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		if t, ok := requestTarget(b[:n]); ok {
			c.mu.Lock()
			c.target = t
			c.mu.Unlock()
		}
	}
	return n, err
}

func (c *wireConn) Write(b []byte) (int, error) {
	var status int
	switch string(b) {
	case plainBadRequest:
		status = http.StatusBadRequest
	case plainTooLarge:
		status = http.StatusRequestHeaderFieldsTooLarge
	default:
		return c.Conn.Write(b)
	}
	c.mu.Lock()
	target := c.target
	c.mu.Unlock()
	skyhubAPI := c.skyhubRoot || target == c.skyhubBase || strings.HasPrefix(target, c.skyhubBase+"/")
	out := refusal(status, target, skyhubAPI)
	if c.mlRoot || (c.mlBase != "" && (target == c.mlBase || strings.HasPrefix(target, c.mlBase+"/"))) {
		out = mlRefusal(status)
	}
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// requestTarget reads "METHOD /target HTTP/1.1" at the start of b.
func requestTarget(b []byte) (string, bool) {
	line, _, _ := bytes.Cut(b[:min(len(b), 512)], []byte("\r\n"))
	method, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok || len(method) == 0 || len(method) > 16 || !bytes.HasPrefix(rest, []byte("/")) {
		return "", false
	}
	for _, ch := range method {
		if ch < 'A' || ch > 'Z' {
			return "", false
		}
	}
	target, _, _ := bytes.Cut(rest, []byte(" "))
	return string(target), true
}

// mlRefusal is a whole HTTP response in Mercado Livre's error shape.
func mlRefusal(status int) []byte {
	msg := "the request line is malformed (an invalid %-escape in the path?)"
	if status == http.StatusRequestHeaderFieldsTooLarge {
		msg = "the request's headers are too large"
	}
	rec := httptest.NewRecorder()
	mercadolivre.WriteError(rec, nil, status, msg)
	var out bytes.Buffer
	fmt.Fprintf(&out, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	rec.Header().Set("Content-Length", fmt.Sprint(rec.Body.Len()))
	rec.Header().Set("Connection", "close")
	_ = rec.Header().Write(&out)
	out.WriteString("\r\n")
	out.Write(rec.Body.Bytes())
	return out.Bytes()
}

// refusal is a whole HTTP response in the shape of the API target was for.
func refusal(status int, target string, skyhubAPI bool) []byte {
	msg := "the request line is malformed (an invalid %-escape in the path?)"
	if status == http.StatusRequestHeaderFieldsTooLarge {
		msg = "the request's headers are too large"
	}
	rec := httptest.NewRecorder()
	switch {
	case strings.HasPrefix(target, "/_sandbox/"):
		rec.Header().Set("Content-Type", "application/json")
		rec.WriteHeader(status)
		fmt.Fprintf(rec, `{"error":{"code":"invalid_request","message":%q}}`, msg)
	case skyhubAPI:
		skyhub.WriteError(rec, nil, status, msg)
	default:
		vtex.WriteError(rec, status, "OMS001", msg)
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	rec.Header().Set("Content-Length", fmt.Sprint(rec.Body.Len()))
	rec.Header().Set("Connection", "close")
	_ = rec.Header().Write(&out)
	out.WriteString("\r\n")
	out.Write(rec.Body.Bytes())
	return out.Bytes()
}
