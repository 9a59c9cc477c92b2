package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestServeMercadoLivreOnItsOwnListener: with --mercadolivre-addr a
// connector swaps only its base URL; the OAuth dance and a read work at
// the root of that address.
func TestServeMercadoLivreOnItsOwnListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mlAddr := ln.Addr().String()
	ln.Close()
	addr, _, stop := startServe(t, "--addr", "127.0.0.1:0", "--mercadolivre-addr", mlAddr)
	defer stop()
	resp, err := http.Post("http://"+addr+"/_sandbox/mercadolivre/authorize", "application/json", strings.NewReader(`{"account":"demostore"}`))
	if err != nil {
		t.Fatal(err)
	}
	var consent struct{ Code, ClientID, ClientSecret, RedirectURI string }
	_ = json.NewDecoder(resp.Body).Decode(&consent)
	resp.Body.Close()
	resp, err = http.PostForm("http://"+mlAddr+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {consent.ClientID},
		"client_secret": {consent.ClientSecret}, "code": {consent.Code}, "redirect_uri": {consent.RedirectURI}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("token: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", "http://"+mlAddr+"/users/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"nickname":"DEMOSTORE"`) {
		t.Fatalf("users/me: %d %s", resp.StatusCode, body)
	}
}
