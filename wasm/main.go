//go:build js && wasm

// Command wasm is the browser host of the playground: the same core,
// compiled to WebAssembly. Loaded with wasm_exec.js it always defines
// globalThis.playgroundRun(scenarioJSON), which returns the same JSON
// document as `playground run FILE --json`, and
// globalThis.playgroundSnapshotHash(scenarioJSON), the hex SHA-256 of the
// state snapshot (core/snapshot) of the session that ran it, which must
// be the native one's, byte for byte. In a page (a global document
// exists) it also mounts the interactive playground (package ui); in Node,
// with no DOM, it does nothing else.
package main

import (
	"syscall/js"

	"github.com/kafka-playground/playground/wasm/ui"
)

func main() {
	js.Global().Set("playgroundRun", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return errorDocument("playgroundRun takes one argument: the scenario as a JSON string")
		}
		return runJSON(args[0].String())
	}))
	js.Global().Set("playgroundSnapshotHash", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return errorDocument("playgroundSnapshotHash takes one argument: the scenario as a JSON string")
		}
		return snapshotHash(args[0].String())
	}))
	if js.Global().Get("document").Truthy() {
		ui.Mount()
	}
	js.Global().Set("playgroundReady", true)
	select {}
}
