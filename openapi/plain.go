package openapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf16"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// plainParams is the request check of an operation that takes no body
// and only text parameters (a path id, a header, a query word), bounded at
// most by a length: the reads that integrations repeat most, such as Get
// order. Such a request is known valid without kin-openapi, which spends
// some twenty allocations on deciding it. The check only ever says "valid"
// where kin-openapi would; anything else (a missing required parameter, a
// length out of bounds) goes to kin-openapi, whose error is the answer, so
// what a client sees cannot change (TestPlainChecksAgreeWithKinOpenAPI).
type plainParams []plainParam

type plainParam struct {
	in         string // openapi3.ParameterInPath, ParameterInQuery or ParameterInHeader
	name       string // a header's in its canonical form
	required   bool
	allowEmpty bool
	minLength  uint64
	maxLength  *uint64
}

// plainSchemaKeys are the schema keywords a plain parameter may use
// besides its type; the rest (pattern, format, enum, composition...) are
// left to kin-openapi.
var plainSchemaKeys = map[string]bool{"type": true, "minLength": true, "maxLength": true,
	"default": true, "description": true, "example": true}

// plainCheck returns the operation's plain check, or false when its
// requests need kin-openapi. It mirrors openapi3filter.ValidateRequest
// under filterOptions: the path item's parameters that the operation does
// not override, then the operation's, and no request body. Security needs
// no check: the no-op authentication passes every scheme a validated
// document declares, and validation refuses a document that names an
// undeclared one.
func plainCheck(route *routers.Route) (plainParams, bool) {
	op := route.Operation
	if op.RequestBody != nil || route.Spec.IsOpenAPI31OrLater() {
		return nil, false
	}
	var params []*openapi3.Parameter
	for _, ref := range route.PathItem.Parameters {
		if op.Parameters == nil || op.Parameters.GetByInAndName(ref.Value.In, ref.Value.Name) == nil {
			params = append(params, ref.Value)
		}
	}
	for _, ref := range op.Parameters {
		params = append(params, ref.Value)
	}
	var plain plainParams
	for _, p := range params {
		if p.Content == nil && p.Schema == nil {
			continue // kin-openapi checks nothing of it
		}
		if p.Content != nil || p.Schema.Value == nil || !plainString(p.Schema.Value) {
			return nil, false
		}
		sm, err := p.SerializationMethod()
		if err != nil {
			return nil, false
		}
		name := p.Name
		switch {
		case p.In == openapi3.ParameterInPath && sm.Style == openapi3.SerializationSimple:
		case p.In == openapi3.ParameterInHeader && sm.Style == openapi3.SerializationSimple:
			name = http.CanonicalHeaderKey(name)
		case p.In == openapi3.ParameterInQuery && sm.Style == openapi3.SerializationForm:
		default:
			return nil, false
		}
		plain = append(plain, plainParam{in: p.In, name: name, required: p.Required, allowEmpty: p.AllowEmptyValue,
			minLength: p.Schema.Value.MinLength, maxLength: p.Schema.Value.MaxLength})
	}
	return plain, true
}

// plainString tells whether a schema is a string bounded at most by
// length, read from its JSON so that a keyword kin-openapi adds later is
// not taken as plain.
func plainString(s *openapi3.Schema) bool {
	if s.Type == nil || !s.Type.Is(openapi3.TypeString) {
		return false
	}
	data, err := json.Marshal(s)
	if err != nil {
		return false
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(data, &keys) != nil {
		return false
	}
	for k := range keys {
		if !plainSchemaKeys[k] && !strings.HasPrefix(k, "x-") {
			return false
		}
	}
	return true
}

// valid tells whether kin-openapi is sure to accept a request with no
// body, these path variables and r's query and headers. False means
// "ask kin-openapi", not "invalid".
func (ps plainParams) valid(r *http.Request, vars map[string]string) bool {
	var query url.Values
	for _, p := range ps {
		var value string
		var present, found bool // present: a value to check; found: kin-openapi's "found"
		switch p.in {
		case openapi3.ParameterInPath:
			raw, ok := vars[p.name]
			present, found = ok && raw != "", ok && raw != ""
			value = raw
		case openapi3.ParameterInQuery:
			if query == nil {
				query = r.URL.Query()
			}
			values, ok := query[p.name]
			found = ok && len(query) > 0
			if len(values) > 0 {
				present, value = true, values[0]
				for _, v := range values[1:] {
					if value != "" {
						break
					}
					value = v
				}
			}
		case openapi3.ParameterInHeader:
			values, ok := r.Header[p.name]
			found = ok
			if len(values) > 0 {
				present, value = true, values[0]
			}
		}
		if p.required && !found {
			return false
		}
		if !present {
			if found && !p.allowEmpty {
				return false
			}
			continue
		}
		if value == "" && p.allowEmpty {
			continue
		}
		if !p.lengthFits(value) {
			return false
		}
	}
	return true
}

// lengthFits is kin-openapi's minLength and maxLength: JSON Schema counts
// UTF-16 code units.
func (p plainParam) lengthFits(s string) bool {
	if p.minLength == 0 && p.maxLength == nil {
		return true
	}
	var n uint64
	for _, r := range s {
		if utf16.IsSurrogate(r) {
			n += 2
		} else {
			n++
		}
	}
	return n >= p.minLength && (p.maxLength == nil || n <= *p.maxLength)
}
