// Package jsonata evaluates JSONata expressions, as VTEX's feed and hook
// FromOrders filters use them, with the official JSONata implementation:
// jsonata-js 2.2.2 (MIT, embedded as jsonata.min.js with its licence in
// LICENSE-jsonata) run by goja, a pure-Go JavaScript engine. No Go port of
// JSONata could be had from the module proxy; running the reference
// implementation means feed filters behave exactly as VTEX's.
package jsonata

import (
	_ "embed"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dop251/goja"
)

//go:embed jsonata.min.js
var source string

// Version is the embedded jsonata-js version.
const Version = "2.2.2"

// Timeout bounds one evaluation, so that a pathological expression cannot
// stall the sandbox.
const Timeout = 250 * time.Millisecond

// Errors of an evaluation the sandbox stopped.
var (
	// ErrTimeout is an evaluation that ran past Timeout.
	ErrTimeout = errors.New("evaluation took too long")
	// ErrTooLarge is an evaluation that would have built a string or a
	// list past MaxString or MaxItems.
	ErrTooLarge = errors.New("evaluation built too large a value")
)

var (
	programOnce sync.Once
	program     *goja.Program
	guard       *goja.Program
	programErr  error
)

func loadProgram() (*goja.Program, *goja.Program, error) {
	programOnce.Do(func() {
		program, programErr = goja.Compile("jsonata.min.js",
			"var module={exports:{}};var exports=module.exports;\n"+source+"\n;var jsonata=module.exports;", false)
		if programErr == nil {
			guard, programErr = goja.Compile("guard.js", guardSource, true)
		}
	})
	return program, guard, programErr
}

// Expr is a compiled expression. It is safe for concurrent use; its
// evaluations run one at a time.
type Expr struct {
	src  string
	mu   sync.Mutex
	vm   *goja.Runtime
	expr goja.Value
	eval goja.Callable
}

// Compile parses src; a syntax error names its position.
func Compile(src string) (*Expr, error) {
	prog, guard, err := loadProgram()
	if err != nil {
		return nil, fmt.Errorf("jsonata: load: %w", err)
	}
	vm := goja.New()
	if _, err := vm.RunProgram(prog); err != nil {
		return nil, fmt.Errorf("jsonata: load: %w", err)
	}
	wrap, err := vm.RunProgram(guard)
	if err != nil {
		return nil, fmt.Errorf("jsonata: load the guard: %w", err)
	}
	install, _ := goja.AssertFunction(wrap)
	if _, err := install(goja.Undefined(), vm.ToValue(MaxString), vm.ToValue(MaxItems), vm.ToValue(limitCode)); err != nil {
		return nil, fmt.Errorf("jsonata: install the guard: %w", err)
	}
	fn, ok := goja.AssertFunction(vm.Get("jsonata"))
	if !ok {
		return nil, errors.New("jsonata: the embedded library exports no function")
	}
	expr, err := fn(goja.Undefined(), vm.ToValue(src))
	if err != nil {
		return nil, fmt.Errorf("jsonata: %s", message(vm, err))
	}
	eval, ok := goja.AssertFunction(expr.ToObject(vm).Get("evaluate"))
	if !ok {
		return nil, errors.New("jsonata: compiled expression has no evaluate")
	}
	return &Expr{src: src, vm: vm, expr: expr, eval: eval}, nil
}

// String returns the expression's source.
func (e *Expr) String() string { return e.src }

// Match evaluates the expression over a JSON document and tells whether
// the result is the boolean true. An expression that yields nothing
// (JSONata's undefined) does not match.
func (e *Expr) Match(doc []byte) (bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	timer := time.AfterFunc(Timeout, func() { e.vm.Interrupt("timeout") })
	defer func() {
		timer.Stop()
		e.vm.ClearInterrupt()
	}()
	parse, _ := goja.AssertFunction(e.vm.Get("JSON").ToObject(e.vm).Get("parse"))
	input, err := parse(goja.Undefined(), e.vm.ToValue(string(doc)))
	if err != nil {
		return false, fmt.Errorf("jsonata: input: %s", message(e.vm, err))
	}
	res, err := e.eval(e.expr, input)
	if err != nil {
		return false, evalError(e.vm, err)
	}
	// jsonata-js 2.x evaluates asynchronously; goja settles the promise's
	// jobs before the call returns.
	if p, ok := res.Export().(*goja.Promise); ok {
		switch p.State() {
		case goja.PromiseStateFulfilled:
			res = p.Result()
		case goja.PromiseStateRejected:
			return false, evalError(e.vm, &goja.Exception{}, p.Result())
		default:
			// The interrupt stops the promise's jobs without rejecting it.
			return false, fmt.Errorf("jsonata: evaluation did not finish within %s: %w", Timeout, ErrTimeout)
		}
	}
	b, ok := res.Export().(bool)
	return ok && b, nil
}

// evalError turns a failed evaluation into an error, wrapping ErrTimeout
// or ErrTooLarge when the sandbox stopped it. A rejected promise passes
// its reason as thrown.
func evalError(vm *goja.Runtime, err error, thrown ...goja.Value) error {
	var in *goja.InterruptedError
	if errors.As(err, &in) {
		return fmt.Errorf("jsonata: evaluation took longer than %s: %w", Timeout, ErrTimeout)
	}
	var v goja.Value
	if len(thrown) > 0 {
		v = thrown[0]
	} else if ex := (*goja.Exception)(nil); errors.As(err, &ex) {
		v = ex.Value()
	}
	if v != nil && !goja.IsUndefined(v) && !goja.IsNull(v) {
		if o, ok := v.(*goja.Object); ok {
			if c := o.Get("code"); c != nil && c.String() == limitCode {
				return fmt.Errorf("jsonata: %s: %w", describe(vm, v), ErrTooLarge)
			}
		}
		return fmt.Errorf("jsonata: %s", describe(vm, v))
	}
	return fmt.Errorf("jsonata: %s", message(vm, err))
}

// message turns a JavaScript exception into its JSONata message.
func message(vm *goja.Runtime, err error) string {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return describe(vm, ex.Value())
	}
	var in *goja.InterruptedError
	if errors.As(err, &in) {
		return fmt.Sprintf("evaluation took longer than %s", Timeout)
	}
	return err.Error()
}

// describe reads a JSONata error object: {code, message, position}.
func describe(vm *goja.Runtime, v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return "unknown error"
	}
	o := v.ToObject(vm)
	msg := o.Get("message")
	if msg == nil || goja.IsUndefined(msg) {
		return v.String()
	}
	if pos := o.Get("position"); pos != nil && !goja.IsUndefined(pos) {
		return fmt.Sprintf("%s (at position %s)", msg.String(), pos.String())
	}
	return msg.String()
}
