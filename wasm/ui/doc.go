// Package ui is the browser playground: a host that drives one
// deterministic scenario.Session from a person's clicks and draws the
// cluster into the page.
//
// The package has two halves, so that almost all of it is tested natively:
//
//  1. The model and the views, in files without build constraints. Model
//     owns the session and everything the page remembers about it (the
//     timeline, the chart samples, the steps that a rewind set aside, a
//     running produce stream). Views are pure functions from the model to
//     HTML strings. Forms are turned into scenario steps by pure functions
//     too, which return a FieldError naming the field at fault.
//  2. The DOM host, in the dom_*.go files (js && wasm only): it mounts the
//     page, delegates events to the model, plays virtual time from
//     requestAnimationFrame and writes each view into its container at most
//     once per frame, and only when its HTML changed.
//
// Determinism rule: wall-clock time reaches the core only as the length of
// an advance step, which the session journals; everything else the page
// does is a journaled step or a pure read of the state. The journal is the
// share link, so a link replays to the very same trace hash.
package ui
