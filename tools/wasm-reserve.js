// Preloaded into Node.js (NODE_OPTIONS=--require) by `make bench` for the
// WebAssembly benchmarks: every module Go's wasm_exec_node.js instantiates
// gets the linear memory the page reserves for it (static/memory.js), so
// that the figures are those of the engine as the page runs it.
"use strict";
const reserveMemory = require("../static/memory.js");
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async function (...args) {
  const result = await instantiate.apply(this, args);
  reserveMemory(result.instance ?? result);
  return result;
};
