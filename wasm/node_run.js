// Runs scenario files through the WebAssembly module in Node, with no DOM,
// and prints one JSON line per file: {"file": ..., "output": <document>}.
//
//   node wasm/node_run.js static/dist/wasm_exec.js static/dist/playground.wasm a.json b.json
"use strict";
const fs = require("fs");
const [execJS, modulePath, ...files] = process.argv.slice(2);
require(require("path").resolve(execJS));
const go = new Go();
WebAssembly.instantiate(fs.readFileSync(modulePath), go.importObject).then((result) => {
  go.run(result.instance);
  for (const file of files) {
    // The document is printed as it came, never re-encoded: JSON.parse
    // would round integers above 2^53 (a seed can be one).
    const output = globalThis.playgroundRun(fs.readFileSync(file, "utf8"));
    fs.writeSync(1, '{"file":' + JSON.stringify(file) + ',"output":' + output + "}\n");
  }
  process.exit(0);
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
