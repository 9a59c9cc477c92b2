package vtex

import (
	"crypto/subtle"
	"fmt"
	"github.com/omsbox/omsbox/sandbox/internal/clip"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/omsbox/omsbox/sandbox/config"
)

// Hosts that carry the account name as their first label, as in
// demostore.vtexcommercestable.com.br. On myvtex.com a workspace may come
// first: main--demostore.myvtex.com.
var accountHostSuffixes = []string{
	".vtexcommercestable.com.br",
	".vtexcommercebeta.com.br",
	".myvtex.com",
	".localhost",
}

// AccountFromRequest returns the account a request names: the `an` query
// parameter, else the first segment of a Pricing path as clients of
// https://api.vtex.com/{account}/pricing/... send it, else the Host, else
// "" (the default account).
func AccountFromRequest(r *http.Request) string {
	if r.URL.RawQuery != "" { // most requests have none: no map to parse into
		if an := r.URL.Query().Get("an"); an != "" {
			return an
		}
	}
	if name, rest, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/"); ok && name != "" && name != "api" &&
		strings.HasPrefix(rest, "pricing/") {
		return name
	}
	host := r.Host
	if strings.Contains(host, ":") { // without one, SplitHostPort would only build an error
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
	}
	host = strings.ToLower(host)
	for _, suffix := range accountHostSuffixes {
		if name, ok := strings.CutSuffix(host, suffix); ok && name != "" && !strings.Contains(name, ".") {
			if _, account, ok := strings.Cut(name, "--"); ok {
				return account
			}
			return name
		}
	}
	return ""
}

// Credentials holds, per account, the app keys and user tokens VTEX would
// accept. Accounts can be added while serving.
type Credentials struct {
	mu       sync.RWMutex
	def      string
	accounts map[string]config.Account
}

// NewCredentials returns the credentials of cfg's accounts.
func NewCredentials(cfg config.Config) *Credentials {
	c := &Credentials{def: cfg.DefaultAccount, accounts: map[string]config.Account{}}
	for _, a := range cfg.Accounts {
		c.accounts[a.Name] = a
	}
	return c
}

// Add registers (or replaces) an account's credentials.
func (c *Credentials) Add(a config.Account) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.accounts[a.Name] = a
}

func (c *Credentials) names() []string {
	names := make([]string, 0, len(c.accounts))
	for n := range c.accounts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Account returns the account r names, else the default one: the account
// authenticate checks r's credentials against, so behind authenticate the
// one r was authenticated for. Handlers read it again from r rather than
// from a context value, which would copy the request once more on every
// call.
func (c *Credentials) Account(r *http.Request) string {
	if name := AccountFromRequest(r); name != "" {
		return name
	}
	return c.def // set once, by NewCredentials
}

// AppKey returns the identity r authenticated with: its app key, or
// "VtexIdclientAutCookie" for a user token (an account's user tokens
// share one feed and one hook). As Account, behind authenticate only:
// check lets an app key through only with its token, and anything else
// only with a user token.
func (c *Credentials) AppKey(r *http.Request) string {
	if key := r.Header.Get(headerAppKey); key != "" {
		return key
	}
	return userTokenIdentity
}

// userTokenIdentity is the one identity of an account's user tokens.
const userTokenIdentity = "VtexIdclientAutCookie"

// authenticate resolves the request's account and checks its credentials
// as VTEX does: no credentials 401, wrong ones (or another account's) 403,
// both in VTEX's error body.
func (c *Credentials) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := c.Account(r)
		c.mu.RLock()
		acct, ok := c.accounts[name]
		var served string
		if !ok && c.acceptedAnywhere(r) {
			served = "; this sandbox serves: " + strings.Join(c.names(), ", ")
		}
		c.mu.RUnlock()
		if !ok {
			// Only a caller with valid credentials learns the other
			// accounts' names.
			WriteError(w, http.StatusNotFound, codeNoAccount,
				fmt.Sprintf("Account %q not found%s", clip.ID(name), served))
			return
		}
		status, msg := check(r, acct)
		if status != 0 {
			code := codeUnauthorized
			if status == http.StatusForbidden {
				code = codeForbidden
			}
			WriteError(w, status, code, msg)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// acceptedAnywhere tells whether r carries credentials of some account.
// The caller holds c.mu.
func (c *Credentials) acceptedAnywhere(r *http.Request) bool {
	for _, a := range c.accounts {
		if status, _ := check(r, a); status == 0 {
			return true
		}
	}
	return false
}

// AuthenticatedAccount returns the account r names when r carries that
// account's credentials, else "": the journal files a request under an
// account only once it proved it may, so nobody writes into another
// account's journal.
func (c *Credentials) AuthenticatedAccount(r *http.Request) string {
	name := c.Account(r)
	c.mu.RLock()
	defer c.mu.RUnlock()
	acct, ok := c.accounts[name]
	if !ok {
		return ""
	}
	if status, _ := check(r, acct); status != 0 {
		return ""
	}
	return name
}

// VTEX's credential headers, in the canonical form net/http stores them
// under (X-VTEX-API-AppKey, X-VTEX-API-AppToken, VtexIdclientAutCookie):
// a lookup by these finds them without building the key again.
const (
	headerAppKey     = "X-Vtex-Api-Appkey"
	headerAppToken   = "X-Vtex-Api-Apptoken"
	headerUserCookie = "Vtexidclientautcookie"
)

// check returns 0 when the request carries credentials of acct, else the
// status and message to refuse it with.
func check(r *http.Request, acct config.Account) (status int, message string) {
	key, token := r.Header.Get(headerAppKey), r.Header.Get(headerAppToken)
	if key != "" || token != "" {
		if key == "" || token == "" {
			return http.StatusUnauthorized, "Unauthorized access: X-VTEX-API-AppKey and X-VTEX-API-AppToken must be sent together"
		}
		for _, k := range acct.AppKeys {
			if equal(k.Key, key) && equal(k.Token, token) {
				return 0, ""
			}
		}
		return http.StatusForbidden, fmt.Sprintf("Forbidden: the app key and token are not an API key of account %s", acct.Name)
	}
	user := r.Header.Get(headerUserCookie)
	if user == "" {
		if c, err := r.Cookie("VtexIdclientAutCookie"); err == nil {
			user = c.Value
		}
	}
	if user == "" {
		return http.StatusUnauthorized, "Unauthorized access"
	}
	for _, t := range acct.UserTokens {
		if equal(t, user) {
			return 0, ""
		}
	}
	return http.StatusForbidden, fmt.Sprintf("Forbidden: the VtexIdclientAutCookie is not a user token of account %s", acct.Name)
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
