package config

import (
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
