package mercadolivre

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"time"
)

// OAuth 2.0 as Mercado Livre does it: the seller's consent gives a code
// (the control plane stands in for the consent page), the app trades it
// for an access token (6 h on the sandbox clock) and a refresh token
// (single use: each refresh rotates the pair, a reused one is
// invalid_grant). The rules are a table, read in order; the first that
// applies refuses the grant.

type grantCode struct {
	account, clientID, redirectURI string
	expires                        time.Time
	used                           bool
}

type refreshToken struct {
	account, clientID string
	expires           time.Time
	used              bool
}

type accessToken struct {
	account  string
	sellerID int64
	expires  time.Time
}

// TokenRequest is the form of POST /oauth/token.
type TokenRequest struct {
	GrantType, ClientID, ClientSecret, Code, RedirectURI, RefreshToken string
}

// Token is a granted token pair.
type Token struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	UserID       int64  `json:"user_id"`
	RefreshToken string `json:"refresh_token"`
}

// grantState is what a grant rule reads: the request, the app its
// client id names (nil if none), and the code or refresh token it
// presents (nil if unknown).
type grantState struct {
	req     TokenRequest
	app     *App
	code    *grantCode
	refresh *refreshToken
	now     time.Time
}

// GrantRule refuses a token request when When holds.
type GrantRule struct {
	Name    string
	Error   string // the OAuth error code
	Message string
	When    func(g *grantState) bool
}

func isCode(g *grantState) bool    { return g.req.GrantType == "authorization_code" }
func isRefresh(g *grantState) bool { return g.req.GrantType == "refresh_token" }

// GrantRules are the token endpoint's refusals, in the order they are
// checked. Every one answers 400 (ML documents invalid_grant's 400; the
// others' statuses are not documented).
var GrantRules = []GrantRule{
	{"grant type", "unsupported_grant_type", "grant_type must be authorization_code or refresh_token",
		func(g *grantState) bool { return !isCode(g) && !isRefresh(g) }},
	{"parameters", "invalid_request", "client_id, client_secret and code with redirect_uri (or refresh_token) are required",
		func(g *grantState) bool {
			return g.req.ClientID == "" || g.req.ClientSecret == "" || (isCode(g) && (g.req.Code == "" || g.req.RedirectURI == "")) ||
				(isRefresh(g) && g.req.RefreshToken == "")
		}},
	{"client", "invalid_client", "invalid client_id or client_secret",
		func(g *grantState) bool {
			return g.app == nil || subtle.ConstantTimeCompare([]byte(g.app.ClientSecret), []byte(g.req.ClientSecret)) != 1
		}},
	{"unknown code", "invalid_grant", "Error validating grant. Your authorization code or refresh token may be expired or it was already used",
		func(g *grantState) bool { return isCode(g) && g.code == nil }},
	{"code reused", "invalid_grant", "Error validating grant. Your authorization code or refresh token may be expired or it was already used",
		func(g *grantState) bool { return isCode(g) && g.code.used }},
	{"code expired", "invalid_grant", "Error validating grant. Your authorization code or refresh token may be expired or it was already used",
		func(g *grantState) bool { return isCode(g) && !g.now.Before(g.code.expires) }},
	{"code of another client", "invalid_grant", "the authorization code was issued to another client_id",
		func(g *grantState) bool { return isCode(g) && g.code.clientID != g.app.ClientID }},
	{"redirect_uri mismatch", "invalid_grant", "the redirect_uri does not match the one registered for the app",
		func(g *grantState) bool { return isCode(g) && g.code.redirectURI != g.req.RedirectURI }},
	{"unknown refresh token", "invalid_grant", "Error validating grant. Your authorization code or refresh token may be expired or it was already used",
		func(g *grantState) bool { return isRefresh(g) && g.refresh == nil }},
	{"refresh token reused", "invalid_grant", "Error validating grant. Your authorization code or refresh token may be expired or it was already used",
		func(g *grantState) bool { return isRefresh(g) && g.refresh.used }},
	{"refresh token expired", "invalid_grant", "Error validating grant. Your authorization code or refresh token may be expired or it was already used",
		func(g *grantState) bool { return isRefresh(g) && !g.now.Before(g.refresh.expires) }},
	{"refresh token of another client", "invalid_grant", "the refresh token was issued to another client_id",
		func(g *grantState) bool { return isRefresh(g) && g.refresh.clientID != g.app.ClientID }},
}

// Authorize is the seller's consent: a code for the account's app, valid
// CodeLifetime and once.
func (m *Market) Authorize(account string) (string, App, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.apps[account]
	if !ok {
		return "", App{}, refuse(404, "not_found", "account %q has no Mercado Livre app", account)
	}
	code := fmt.Sprintf("TG-%s-%d", m.hex(12), a.SellerID)
	m.codes[code] = &grantCode{account: account, clientID: a.ClientID, redirectURI: a.RedirectURI, expires: m.clock.Now().Add(CodeLifetime)}
	return code, *a, nil
}

// Grant answers POST /oauth/token.
func (m *Market) Grant(req TokenRequest) (Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	g := &grantState{req: req, now: m.clock.Now(), code: m.codes[req.Code], refresh: m.refreshes[req.RefreshToken]}
	for _, a := range m.apps {
		if a.ClientID == req.ClientID {
			g.app = a
		}
	}
	for _, r := range GrantRules {
		if r.When(g) {
			return Token{}, &Error{Status: 400, Code: r.Error, Message: r.Message}
		}
	}
	if isCode(g) {
		g.code.used = true
	} else {
		g.refresh.used = true
	}
	a := g.app
	now := g.now
	access := fmt.Sprintf("APP_USR-%s-%s-%s-%d", a.ClientID, now.In(brt).Format("010215"), m.hex(16), a.SellerID)
	refresh := fmt.Sprintf("TG-%s-%d", m.hex(12), a.SellerID)
	m.tokens[access] = &accessToken{account: a.Account, sellerID: a.SellerID, expires: now.Add(AccessTokenLifetime)}
	m.refreshes[refresh] = &refreshToken{account: a.Account, clientID: a.ClientID, expires: now.Add(RefreshTokenLifetime)}
	return Token{AccessToken: access, TokenType: "bearer", ExpiresIn: int(AccessTokenLifetime / time.Second),
		Scope: "offline_access read write", UserID: a.SellerID, RefreshToken: refresh}, nil
}

// Caller is who a valid access token speaks for.
type Caller struct {
	Account  string
	SellerID int64
}

// Check answers the caller of a bearer token: 401 when it is missing,
// unknown or expired on the sandbox clock.
func (m *Market) Check(token string) (Caller, error) {
	if token == "" {
		return Caller{}, refuse(401, "unauthorized", "authorization value not present")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tokens[token]
	if !ok {
		return Caller{}, refuse(401, "invalid_token", "invalid access token")
	}
	if !m.clock.Now().Before(t.expires) {
		return Caller{}, refuse(401, "invalid_token", "expired access token")
	}
	return Caller{Account: t.account, SellerID: t.sellerID}, nil
}

// Claimed is the account a token claims, valid or not (for faults).
func (m *Market) Claimed(token string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.tokens[token]; ok {
		return t.account
	}
	// APP_USR-{client}-...; a token of a known client claims its account.
	if parts := strings.Split(token, "-"); len(parts) > 2 {
		for _, a := range m.apps {
			if a.ClientID == parts[1] {
				return a.Account
			}
		}
	}
	return ""
}

// ClaimedByClient is the account whose app has that client id.
func (m *Market) ClaimedByClient(clientID string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.apps {
		if a.ClientID == clientID {
			return a.Account
		}
	}
	return ""
}

// User is GET /users/me.
func (m *Market) User(c Caller) map[string]any {
	m.mu.Lock()
	defer m.mu.Unlock()
	a := m.apps[c.Account]
	if a == nil {
		return map[string]any{"id": c.SellerID, "site_id": SiteID}
	}
	return map[string]any{"id": a.SellerID, "nickname": a.Nickname, "site_id": SiteID, "country_id": "BR",
		"user_type": "normal", "tags": []string{"normal", "test_user"}}
}
