//go:build js && wasm

// Command wasm is the browser host of the playground: the same core,
// compiled to WebAssembly. Loaded with wasm_exec.js — in a page, or in
// Node with no DOM — it defines globalThis.playgroundRun(scenarioJSON),
// which returns the same JSON document as `playground run FILE --json`.
package main

import (
	"syscall/js"
)

func main() {
	js.Global().Set("playgroundRun", js.FuncOf(func(this js.Value, args []js.Value) any {
		if len(args) != 1 || args[0].Type() != js.TypeString {
			return errorDocument("playgroundRun takes one argument: the scenario as a JSON string")
		}
		return runJSON(args[0].String())
	}))
	js.Global().Set("playgroundReady", true)
	select {}
}
