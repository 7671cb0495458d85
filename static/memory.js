// Reserves linear memory for the Go WebAssembly module before it runs.
//
// Go grows a module's memory a few hundred kilobytes at a time, as its
// heap grows, and every memory.grow costs V8 a fraction of a millisecond
// and, every few growths, a full collection of the JavaScript heap (the
// grown buffer counts as new external memory): measured in Node.js 20,
// growing to 512 MB takes 1,024 growths and 128 full collections in
// steps of 512 KB, and 16 growths and 2 collections in steps of 32 MB.
// Go's runtime starts from whatever memory the module has when it starts
// (runtime.blocMax is read from memory.size), so growing it once, here,
// spares the page those pauses until its heap outgrows the reservation.
// Pages never touched cost address space, not RAM.
//
// The page calls playgroundReserveMemory(instance) before go.run; the
// WebAssembly benchmarks load this file through tools/wasm-reserve.js so
// that they measure the engine as the page runs it.
(function (root) {
  "use strict";
  var pageBytes = 65536;
  // reserveMegabytes are tried in order: a device that cannot map the
  // first (a 32-bit browser, say) gets the next.
  var reserveMegabytes = [256, 128, 64];

  function reserveMemory(instance) {
    var memory = instance && instance.exports && instance.exports.mem;
    if (!(memory instanceof WebAssembly.Memory)) {
      return 0;
    }
    for (var i = 0; i < reserveMegabytes.length; i++) {
      var pages = (reserveMegabytes[i] * 1024 * 1024 - memory.buffer.byteLength) / pageBytes;
      if (pages <= 0) {
        return memory.buffer.byteLength;
      }
      try {
        memory.grow(pages);
        return memory.buffer.byteLength;
      } catch (e) {
        // RangeError: try a smaller reservation.
      }
    }
    return memory.buffer.byteLength;
  }

  root.playgroundReserveMemory = reserveMemory;
  if (typeof module !== "undefined" && module.exports) {
    module.exports = reserveMemory;
  }
})(globalThis);
