// Runs scenario files through the WebAssembly module in Node, with no DOM,
// and prints one JSON line per file: {"file": ..., "output": <document>,
// "snapshot": <hex SHA-256 of the session's state snapshot>}.
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
    const text = fs.readFileSync(file, "utf8");
    const output = globalThis.playgroundRun(text);
    const snapshot = globalThis.playgroundSnapshotHash(text);
    fs.writeSync(1, '{"file":' + JSON.stringify(file) + ',"output":' + output + ',"snapshot":' + JSON.stringify(snapshot) + "}\n");
  }
  process.exit(0);
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
