package jsonata

import "github.com/dlclark/regexp2/v2"

// Bounds on what one evaluation may build. goja's Interrupt stops
// JavaScript between instructions, not inside a native function: one call
// of Array.prototype.join or String.prototype.concat could run for
// seconds and allocate gigabytes before the deadline was seen. The guard
// below checks, in JavaScript (so the deadline still applies), the size
// of what each amplifying native would build, and refuses it past these
// bounds. No filter over an order document needs strings or lists
// anywhere near them.
const (
	// MaxString is the longest string (in UTF-16 code units) an
	// evaluation may build.
	MaxString = 1 << 20
	// MaxItems is the longest list it may build: JSONata's own cap on a
	// range.
	MaxItems = 10_000_000
)

// limitCode marks the guard's refusals, for Match to tell them apart.
const limitCode = "OMSBOX-LIMIT"

// guardSource wraps the natives the JSONata library calls that can build
// a large result from a small input in one call. It runs in each
// expression's runtime after the library, with the bounds as arguments.
// JSONata expressions cannot call JavaScript methods themselves, so the
// natives the library reaches are the whole surface: $pad and $join
// (join), & (concat), $string (JSON.stringify), $append and sequences
// (concat, push), $encodeUrl... and $base64encode (one-call expansion,
// bounded by their input).
const guardSource = `(function (maxLen, maxItems, code) {
"use strict";
function refuse(what, n, max) {
	throw {code: code, message: what + " of " + n + " exceeds the sandbox's limit of " + max};
}
function define(obj, name, fn) {
	Object.defineProperty(obj, name, {value: fn, writable: true, configurable: true});
}
var join = Array.prototype.join;
define(Array.prototype, "join", function (sep) {
	var s = sep === undefined ? "," : String(sep);
	var n = this.length;
	var total = n > 1 ? (n - 1) * s.length : 0;
	if (total > maxLen) refuse("a joined string", total, maxLen);
	// Strings, numbers and holes are measured as they are; anything
	// else is turned into a string here, where the deadline applies.
	var parts = null;
	for (var i = 0; i < n; i++) {
		var v = this[i];
		var t = typeof v;
		if (t === "string") {
			total += v.length;
		} else if (v !== undefined && v !== null) {
			if (t === "object" || t === "function") {
				if (parts === null) parts = Array.prototype.slice.call(this, 0, i);
				v = String(v);
			}
			total += String(v).length;
		}
		if (parts !== null) parts[i] = v;
		if (total > maxLen) refuse("a joined string", total, maxLen);
	}
	return join.call(parts === null ? this : parts, s);
});
var concat = String.prototype.concat;
define(String.prototype, "concat", function () {
	var total = this.length;
	var args = [];
	for (var i = 0; i < arguments.length; i++) {
		args.push(String(arguments[i]));
		total += args[i].length;
	}
	if (total > maxLen) refuse("a string", total, maxLen);
	return concat.apply(this, args);
});
["repeat", "padStart", "padEnd"].forEach(function (name) {
	var orig = String.prototype[name];
	define(String.prototype, name, function (n) {
		var total = name === "repeat" ? this.length * n : n;
		if (total > maxLen) refuse("a string", total, maxLen);
		return orig.apply(this, arguments);
	});
});
var aconcat = Array.prototype.concat;
define(Array.prototype, "concat", function () {
	var total = this.length;
	for (var i = 0; i < arguments.length; i++) {
		var a = arguments[i];
		total += Array.isArray(a) ? a.length : 1;
	}
	if (total > maxItems) refuse("a list", total, maxItems);
	return aconcat.apply(this, arguments);
});
var push = Array.prototype.push;
define(Array.prototype, "push", function () {
	if (this.length + arguments.length > maxItems) refuse("a list", this.length + arguments.length, maxItems);
	return push.apply(this, arguments);
});
var stringify = JSON.stringify;
define(JSON, "stringify", function (value, replacer, space) {
	var total = 0;
	return stringify(value, function (k, v) {
		if (typeof replacer === "function") v = replacer.call(this, k, v);
		total += k.length + (typeof v === "string" ? v.length : 8);
		if (total > maxLen) refuse("a string", total, maxLen);
		return v;
	}, space);
});
["encodeURIComponent", "encodeURI", "btoa"].forEach(function (name) {
	var orig = globalThis[name];
	if (typeof orig !== "function") return;
	globalThis[name] = function (s) {
		var n = String(s).length;
		if (n > maxLen) refuse("an input string", n, maxLen);
		return orig.apply(this, arguments);
	};
});
})`

func init() {
	// goja runs regular expressions that RE2 cannot (lookarounds,
	// backreferences) with regexp2, a backtracking engine whose match is
	// one native call: a catastrophic pattern would run for ever, out of
	// the interrupt's reach. regexp2 reads this when a pattern is
	// compiled; goja is its only user in this module. A match that times
	// out finds nothing, and the evaluation's own deadline, passed by
	// then, stops the expression.
	regexp2.DefaultMatchTimeout = Timeout
}
