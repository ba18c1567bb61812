// The Worker's entry: the Rust Worker (worker-build's output) with one addition. A panic
// in Rust aborts the Wasm instance mid-request, so that request's promise never settles;
// workers-rs logs it ("Rust panic") and builds a fresh instance for the next request.
// Seeing that log line, the panicking request answers the same JSON error as every other
// failure instead of hanging until the runtime cancels it.
import RustWorker from "./build/index.js";

const INTERNAL = JSON.stringify({
  error: { code: "internal", message: "Something went wrong on our side. Please try again." },
});

let panics = 0;
const logError = console.error;
console.error = function (...args) {
  if (args.some((a) => String(a).includes("Rust panic"))) panics += 1;
  return logError.apply(this, args);
};

function internalError() {
  return new Response(INTERNAL, {
    status: 500,
    headers: {
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

export default class Colloquy extends RustWorker {
  async fetch(request) {
    const before = panics;
    let timer;
    const crashed = new Promise((_, reject) => {
      const check = () => {
        if (panics !== before) reject(new Error("the Wasm instance panicked"));
        else timer = setTimeout(check, 20);
      };
      timer = setTimeout(check, 20);
    });
    try {
      return await Promise.race([super.fetch(request), crashed]);
    } catch (e) {
      console.error("colloquy: the request failed inside the Worker", e);
      return internalError();
    } finally {
      clearTimeout(timer);
    }
  }
}
