package config

import (
	"regexp"
	"strings"
	"testing"
)

func TestDefaultHasTheDocumentedDemoAccount(t *testing.T) {
	c := Default()
	a, ok := c.Account("demostore")
	if !ok || c.DefaultAccount != "demostore" {
		t.Fatalf("default config lacks demostore as default: %+v", c)
	}
	if len(a.AppKeys) != 1 || a.AppKeys[0] != (AppKey{"vtexappkey-demostore-sandbox", "sandbox-token-demostore"}) {
		t.Errorf("demostore app keys = %+v", a.AppKeys)
	}
	if len(a.UserTokens) != 1 || a.UserTokens[0] != "sandbox-user-token-demostore" {
		t.Errorf("demostore user tokens = %v", a.UserTokens)
	}
}

func TestParseRefusesBadConfigs(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"unknown field", `{"defaultAccount":"a","accounts":[{"name":"a","appKeys":[{"key":"k","token":"t"}]}],"acounts":[]}`, "unknown field"},
		{"bad name", `{"defaultAccount":"A B","accounts":[{"name":"A B","appKeys":[{"key":"k","token":"t"}]}]}`, `accounts[0].name "A B"`},
		{"missing default", `{"defaultAccount":"x","accounts":[{"name":"a","appKeys":[{"key":"k","token":"t"}]}]}`, `defaultAccount "x"`},
		{"duplicate key", `{"defaultAccount":"a","accounts":[{"name":"a","appKeys":[{"key":"k","token":"t"}]},{"name":"b","appKeys":[{"key":"k","token":"u"}]}]}`, `already used by account "a"`},
		{"no credentials", `{"defaultAccount":"a","accounts":[{"name":"a"}]}`, "needs at least one"},
		{"empty token", `{"defaultAccount":"a","accounts":[{"name":"a","appKeys":[{"key":"k"}]}]}`, "needs both key and token"},
		{"not json", `{`, "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestAccountNamesAreWhatTheRuleSays holds ValidAccountName to its rule
// written as a regexp, over every byte in each position and every length
// around the limit.
func TestAccountNamesAreWhatTheRuleSays(t *testing.T) {
	rule := regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	var names []string
	for c := range 256 {
		names = append(names, string([]byte{byte(c)}), "a"+string([]byte{byte(c)}), string([]byte{byte(c)})+"a")
	}
	for n := range 66 {
		names = append(names, strings.Repeat("a", n), "-"+strings.Repeat("a", n), strings.Repeat("9-", n/2))
	}
	for _, name := range append(names, "demostore", "loja-2", "Loja", "loja_2", "loja.br", "lojá") {
		if got, want := ValidAccountName(name), rule.MatchString(name); got != want {
			t.Errorf("ValidAccountName(%q) = %v, the rule says %v", name, got, want)
		}
	}
}
