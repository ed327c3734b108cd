// The Lambda runtime of the playground (imported by crates/browser/src/runtime.rs).
//
// Security boundary: function code runs in Web Workers started inside ONE hidden iframe with
// `sandbox="allow-scripts"` and no `allow-same-origin`, so the iframe and its workers have an
// opaque origin: they cannot open the app's IndexedDB, caches or storage, nor reach the page's
// DOM. The only way out is postMessage, and the iframe forwards just two requests to the page:
// an AWS HTTP request (answered by the emulator, as the function's own playground) and the source
// of an `@aws-sdk/*` module or of the Node.js built-ins (fetched from `lambda-sdk/<name>.mjs`
// beside the app).
//
// page <-> iframe (frameMain): invoke / result, fetch / fetched, module / moduleSource, clear,
// ended (an idle environment's function crashed: its last words, for its log stream).
// iframe <-> worker (workerMain): init / ready, invoke / result, log, fetch / fetched,
// module / moduleSource. The iframe keeps the warm environments and enforces timeouts.
// The two functions below are serialised with `.toString()`: a snippet cannot import siblings.
// For the same reason the part of the Node.js runtime shared with nimbus-server (nimbus_core's
// node_runtime.js) comes from runtime.rs, as text (installNodeRuntime, once), and is written
// ahead of workerMain.

/** Milliseconds a new environment may take to load the function (Lambda's Init limit). */
const INIT_LIMIT_MS = 10_000;

let frame = null;
let frameReady = null;
let nextCallId = 1;
const calls = new Map(); // call id -> resolve(answer JSON)
// playground id -> { handle: JsPlayground, active: invocations running }. A handle is held only
// while its playground runs a function, so that closing or deleting the playground is never
// kept waiting by the runtime (an idle environment is frozen between calls, as on Lambda).
const playgrounds = new Map();
const sdkSources = new Map(); // package name -> Promise<source text>
let nodeRuntime = null; // node_runtime.js's text
let onEnded = null; // (playground id, ended environment JSON) => void, from runtime.rs

/**
 * Takes node_runtime.js's text, which every worker runs ahead of workerMain, and where to
 * report an environment that ended between invocations.
 */
export function installNodeRuntime(text, endedHandler) {
  nodeRuntime = text;
  onEnded = endedHandler;
}

function startFrame() {
  if (frameReady) return frameReady;
  frameReady = new Promise((resolve) => {
    addEventListener("message", (event) => {
      // Only our iframe speaks this protocol; anything else posting to the page is ignored.
      if (!frame || event.source !== frame.contentWindow) return;
      const message = event.data;
      if (message.type === "ready") resolve();
      else fromFrame(message);
    });
    frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts");
    frame.setAttribute("aria-hidden", "true");
    frame.title = "Nimbus Lambda runtime";
    frame.style.display = "none";
    const worker = `(function () {\n${nodeRuntime}\n(${workerMain.toString()})();\n})();`;
    frame.srcdoc =
      `<!doctype html><meta charset="utf-8"><script>(${frameMain.toString()})(` +
      `${JSON.stringify(worker).replace(/</g, "\\u003c")}, ${INIT_LIMIT_MS});</` + "script>";
    (document.body || document.documentElement).appendChild(frame);
  });
  return frameReady;
}

function toFrame(message, transfer = []) {
  // The iframe has an opaque origin, which no targetOrigin can name: "*" is the only choice,
  // and the window is ours (it cannot be navigated by function code, which runs in workers).
  frame.contentWindow.postMessage(message, "*", transfer);
}

async function fromFrame(message) {
  switch (message.type) {
    case "result": {
      const resolve = calls.get(message.callId);
      calls.delete(message.callId);
      if (resolve) resolve(JSON.stringify(message));
      break;
    }
    case "fetch": {
      const answer = await answerFetch(message);
      toFrame({ type: "fetched", envId: message.envId, id: message.id, ...answer }, [answer.body]);
      break;
    }
    case "ended":
      if (onEnded) onEnded(message.playgroundId, JSON.stringify(message.ended));
      break;
    case "module": {
      let reply;
      try {
        reply = { source: await sdkSource(message.name) };
      } catch (e) {
        reply = { error: String((e && e.message) || e) };
      }
      toFrame({ type: "moduleSource", envId: message.envId, id: message.id, ...reply });
      break;
    }
  }
}

/** A function's AWS request, answered by its playground's emulator (JsPlayground.handle). */
async function answerFetch({ playgroundId, method, url, headers, body }) {
  const playground = playgrounds.get(playgroundId);
  try {
    if (!playground) throw new Error("the function's invocation has ended");
    const res = await playground.handle.handle(method, url, headers, body ? new Uint8Array(body) : undefined);
    const bytes = res.body.slice();
    return { status: res.statusCode, headers: res.headers, body: bytes.buffer };
  } catch (e) {
    const text = new TextEncoder().encode(`Nimbus could not answer: ${(e && e.message) || e}`);
    return { status: 500, headers: { "content-type": "text/plain" }, body: text.buffer };
  }
}

/**
 * The bundled `@aws-sdk/*` package `name`, or `node-builtins` (web/js/lambda-sdk.mjs builds
 * them), fetched once.
 */
function sdkSource(name) {
  if (!/^(@aws-sdk\/[a-z0-9-]+|node-builtins)$/.test(name)) return Promise.reject(new Error(`no such package ${name}`));
  if (!sdkSources.has(name)) {
    const url = new URL(`lambda-sdk/${name}.mjs`, document.baseURI);
    const loading = fetch(url).then((res) => {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.text();
    });
    loading.catch(() => {}); // a package that is not there stays not there
    sdkSources.set(name, loading);
  }
  return sdkSources.get(name);
}

/**
 * Runs one invocation (JSON, see runtime.rs) for `playground` (a JsPlayground, kept to answer
 * the function's SDK calls). Resolves to the answer as JSON.
 */
export async function runInvocation(playground, playgroundId, invocationJson) {
  const held = playgrounds.get(playgroundId);
  if (held) {
    held.active += 1;
    playground.free(); // the handle already held serves the same playground
  } else playgrounds.set(playgroundId, { handle: playground, active: 1 });
  try {
    await startFrame();
    const callId = nextCallId++;
    const invocation = JSON.parse(invocationJson);
    return await new Promise((resolve) => {
      calls.set(callId, resolve);
      toFrame({ type: "invoke", callId, playgroundId, ...invocation });
    });
  } finally {
    const entry = playgrounds.get(playgroundId);
    entry.active -= 1;
    if (entry.active === 0) {
      playgrounds.delete(playgroundId);
      entry.handle.free();
    }
  }
}

/** Stops the idle environments of a playground (after a reset its functions are gone). */
export function clearEnvironments(playgroundId) {
  if (frame && frameReady) toFrame({ type: "clear", playgroundId });
}

// ---------------------------------------------------------------------------------------------
// Inside the sandboxed iframe: the pool of execution environments.
function frameMain(workerSource, initLimitMs) {
  const workerUrl = URL.createObjectURL(new Blob([workerSource], { type: "text/javascript" }));
  const idle = new Map(); // environment key -> [environment]
  const environments = new Map(); // environment id -> environment
  let nextId = 1;
  const MAX_IDLE = 8;
  const toPage = (message, transfer = []) => parent.postMessage(message, "*", transfer);

  addEventListener("message", (event) => {
    if (event.source === parent) fromPage(event.data);
  });

  function fromPage(message) {
    if (message.type === "invoke") invoke(message);
    else if (message.type === "clear") {
      for (const [key, list] of idle) {
        if (!key.startsWith(`${message.playgroundId}|`)) continue;
        list.forEach((environment) => stop(environment));
        idle.delete(key);
      }
    } else if (message.type === "fetched" || message.type === "moduleSource") {
      const environment = environments.get(message.envId);
      if (!environment) return;
      const { envId, ...rest } = message;
      environment.worker.postMessage(rest, rest.body ? [rest.body] : []);
    }
  }

  function stop(environment) {
    environment.worker.terminate();
    environments.delete(environment.id);
  }

  /**
   * An environment that crashed between invocations: the next invocation starts a new one.
   * One already handed an invocation (taken from the pool as it crashed) answers it first.
   */
  function forget(environment) {
    const list = idle.get(environment.key) || [];
    const at = list.indexOf(environment);
    if (at >= 0) list.splice(at, 1);
    if (environment.log) environment.retired = true;
    else {
      // Idle, it logged into initLog (the crash among it): Lambda logs it as it ends.
      const { owner, logStream, initLog: log } = environment;
      toPage({ type: "ended", playgroundId: environment.playgroundId, ended: { owner, logStream, log } });
      stop(environment);
    }
  }

  function start(invocation) {
    const environment = {
      id: nextId++,
      key: invocation.environmentKey,
      playgroundId: invocation.playgroundId,
      logStream: invocation.logStream,
      owner: invocation.owner,
      worker: new Worker(workerUrl),
      initLog: [],
      log: null,
      onMessage: null,
    };
    environments.set(environment.id, environment);
    environment.worker.onmessage = (event) => {
      const message = event.data;
      if (message.type === "log") (environment.log || environment.initLog).push(message.line);
      else if (message.type === "exited") forget(environment);
      else if (message.type === "fetch" || message.type === "module") {
        // Routed by what the iframe knows of the worker, never by what the worker claims.
        toPage({ ...message, envId: environment.id, playgroundId: environment.playgroundId },
          message.body ? [message.body] : []);
      } else if (environment.onMessage) environment.onMessage(message);
    };
    environment.worker.postMessage({
      type: "init",
      files: invocation.files,
      handler: invocation.handler,
      environment: invocation.environment,
    });
    return environment;
  }

  function waitFor(environment, type, ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        environment.onMessage = null;
        resolve(null);
      }, ms);
      environment.onMessage = (message) => {
        if (message.type !== type) return;
        clearTimeout(timer);
        environment.onMessage = null;
        resolve(message);
      };
    });
  }

  async function invoke(invocation) {
    const reply = (fields) => toPage({ type: "result", callId: invocation.callId, ...fields });
    let environment = (idle.get(invocation.environmentKey) || []).pop();
    let initMs = null;
    if (!environment) {
      // Init Duration counts from the worker's start, as Lambda counts the runtime's start-up.
      const started = performance.now();
      environment = start(invocation);
      const ready = await waitFor(environment, "ready", initLimitMs);
      if (!ready) {
        stop(environment);
        return reply({ failed: "The function's execution environment did not start within 10 seconds." });
      }
      initMs = performance.now() - started;
    }
    const initLog = environment.initLog;
    environment.initLog = [];
    environment.log = [];
    const answered = waitFor(environment, "result", invocation.timeoutMs);
    environment.worker.postMessage({
      type: "invoke",
      requestId: invocation.requestId,
      payload: invocation.payload,
      timeoutMs: invocation.timeoutMs,
      invokedFunctionArn: invocation.invokedFunctionArn,
    });
    const answer = await answered;
    const log = environment.log;
    environment.log = null;
    const common = { initMs, initLog, log, logStream: environment.logStream };
    if (!answer) {
      // Lambda stops a timed-out environment: the next call starts a new one.
      stop(environment);
      return reply({ ...common, timedOut: true });
    }
    if (answer.initFailed || answer.crashed || environment.retired) stop(environment);
    else {
      const list = idle.get(environment.key) || [];
      if (list.length < MAX_IDLE) {
        list.push(environment);
        idle.set(environment.key, list);
      } else stop(environment);
    }
    reply({ ...common, timedOut: false, answer });
  }

  toPage({ type: "ready" });
}

// ---------------------------------------------------------------------------------------------
// Inside a worker: one execution environment, as Lambda's Node.js runtime behaves.
function workerMain() {
  const ROOT = "/var/task";
  const files = new Map(); // absolute path -> source text
  const taskFiles = new Map(); // absolute path -> bytes (fs reads them)
  const runtime = lambdaRuntime({
    send: (message) => postMessage(message),
    now: () => performance.now(),
    memoryMb: () => memoryMb(),
    modulePath: (name) => normalize(`${ROOT}/${name}`),
    exists: (file) => files.has(file),
    async load(file) {
      if (isEsm(file)) return import(await esmUrl(file));
      await preloadCommonJs(file);
      return self.nimbusRequire(file);
    },
    exit: () => postMessage({ type: "exited" }),
  });
  let nextRequest = 1;
  const pending = new Map(); // request id -> resolve

  const ask = (message, transfer = []) => {
    const id = nextRequest++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      postMessage({ ...message, id }, transfer);
    });
  };

  // ---- console, formatted as util.format does and written as Lambda's Node.js runtime does.
  const identifier = /^[A-Za-z_$][\w$]*$/;
  function inspect(value, depth, seen) {
    if (typeof value === "string") return depth ? `'${value.replace(/'/g, "\\'")}'` : value;
    if (typeof value === "bigint") return `${value}n`;
    if (typeof value === "symbol") return value.toString();
    if (typeof value === "function") {
      const name = value.name || "(anonymous)";
      return /^class\b/.test(Function.prototype.toString.call(value)) ? `[class ${name}]` : `[Function: ${name}]`;
    }
    if (value === null || typeof value !== "object") return String(value);
    if (value instanceof Error) return value.stack || String(value);
    if (value instanceof Date) return isNaN(value) ? "Invalid Date" : value.toISOString();
    if (seen.includes(value)) return "[Circular *1]";
    if (depth > 2) return Array.isArray(value) ? "[Array]" : "[Object]";
    const inner = (v) => inspect(v, depth + 1, [...seen, value]);
    if (Array.isArray(value)) return value.length ? `[ ${value.map(inner).join(", ")} ]` : "[]";
    if (value instanceof Map) return `Map(${value.size}) { ${[...value].map(([k, v]) => `${inner(k)} => ${inner(v)}`).join(", ")} }`;
    if (value instanceof Set) return `Set(${value.size}) { ${[...value].map(inner).join(", ")} }`;
    if (self.Buffer && value instanceof self.Buffer) return `<Buffer ${Array.from(value.subarray(0, 50), (b) => b.toString(16).padStart(2, "0")).join(" ")}${value.length > 50 ? ` ... ${value.length - 50} more bytes` : ""}>`;
    if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.length}) [ ${Array.from(value).slice(0, 100).join(", ")} ]`;
    const entries = Object.keys(value).map((k) => `${identifier.test(k) ? k : `'${k}'`}: ${inner(value[k])}`);
    const name = value.constructor && value.constructor !== Object ? `${value.constructor.name} ` : "";
    return entries.length ? `${name}{ ${entries.join(", ")} }` : `${name}{}`;
  }
  function format(args) {
    let rest = args;
    let head = "";
    if (typeof args[0] === "string") {
      rest = args.slice(1);
      head = args[0].replace(/%([sdifjoOc%])/g, (match, code) => {
        if (code === "%") return "%";
        if (!rest.length) return match;
        const value = rest.shift();
        switch (code) {
          case "s": return typeof value === "string" ? value : inspect(value, 1, []);
          case "d": case "i": return typeof value === "object" ? "NaN" : String(code === "i" ? parseInt(value) : Number(value));
          case "f": return String(parseFloat(value));
          case "j": try { return JSON.stringify(value); } catch { return "[Circular]"; }
          case "c": return "";
          default: return inspect(value, 0, []);
        }
      });
      if (!rest.length) return head;
      head += " ";
    }
    return head + rest.map((v) => inspect(v, 0, [])).join(" ");
  }
  runtime.installConsole(format);

  // ---- the function's AWS SDK calls: fetch goes to the page's emulator, never the network.
  // `Request` keeps the body it was given: the SDK's streamed bodies may carry strings, which a
  // Request refuses to read back.
  const NativeRequest = self.Request;
  self.Request = class Request extends NativeRequest {
    constructor(input, init) {
      const body = init && init.body;
      const streamed = body && typeof body.getReader === "function";
      super(input, streamed ? { ...init, body: undefined, duplex: undefined } : init);
      this.nimbusBody = body;
    }
  };
  async function bytesOf(body) {
    if (body === undefined || body === null) return undefined;
    if (typeof body === "string") return new TextEncoder().encode(body);
    if (body instanceof ArrayBuffer) return new Uint8Array(body);
    if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    if (typeof body.getReader === "function") {
      const parts = [];
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(typeof value === "string" ? new TextEncoder().encode(value) : await bytesOf(value));
      }
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const part of parts) {
        all.set(part, at);
        at += part.length;
      }
      return all;
    }
    return new Uint8Array(await new Response(body).arrayBuffer());
  }
  self.fetch = async (input, init) => {
    const request = input instanceof NativeRequest && !init ? input : new self.Request(input, init);
    const method = request.method;
    let body;
    if (method !== "GET" && method !== "HEAD") {
      body = "nimbusBody" in request ? await bytesOf(request.nimbusBody) : new Uint8Array(await request.arrayBuffer());
    }
    const headers = {};
    request.headers.forEach((value, name) => { headers[name] = value; });
    const copy = body ? body.slice().buffer : undefined;
    const answer = await ask({ type: "fetch", method, url: request.url, headers, body: copy }, copy ? [copy] : []);
    const bodyless = answer.status === 204 || answer.status === 304 || method === "HEAD";
    return new Response(bodyless ? null : answer.body, { status: answer.status, headers: answer.headers });
  };

  // ---- modules: the function's files and `@aws-sdk/*`, loaded from blob: URLs.
  const normalize = (path) => {
    const out = [];
    for (const part of path.split("/")) {
      if (part === "..") out.pop();
      else if (part && part !== ".") out.push(part);
    }
    return `/${out.join("/")}`;
  };
  const dirname = (path) => path.slice(0, path.lastIndexOf("/")) || "/";
  const resolveFile = (from, spec) => {
    const base = normalize(`${dirname(from)}/${spec}`);
    return [base, `${base}.js`, `${base}.mjs`, `${base}.cjs`, `${base}.json`, `${base}/index.js`, `${base}/index.mjs`].find((f) => files.has(f));
  };
  const isRelative = (spec) => spec.startsWith("./") || spec.startsWith("../") || spec.startsWith("/");
  const packageName = (spec) => spec.replace(/^node:/, "").split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");
  const esmSyntax = /(^|[\n;])\s*(import\s*[\w*{'"]|export\s+[\w*{]|export\s+default\b)/;
  const packageJson = () => { try { return JSON.parse(files.get(`${ROOT}/package.json`) || "{}"); } catch { return {}; } };
  const isEsm = (file) => file.endsWith(".mjs") || (file.endsWith(".js") && (packageJson().type === "module" || esmSyntax.test(files.get(file))));
  const blobUrl = (source) => URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const throwing = (error) => blobUrl(`throw Object.assign(new Error(${JSON.stringify(error.message)}), { code: "ERR_MODULE_NOT_FOUND" });`);

  // `import x from "spec"`, `export * from "spec"`, `import "spec"` and `import("spec")`.
  const STATIC = /(\b(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?)(["'])([^"'\n]+)\2/g;
  const DYNAMIC = /(\bimport\s*\(\s*)(["'])([^"'\n]+)\2(\s*\))/g;
  async function rewrite(source, resolveSpec) {
    const found = new Map();
    for (const [, , , spec] of source.matchAll(STATIC)) found.set(spec, false);
    for (const [, , , spec] of source.matchAll(DYNAMIC)) if (!found.has(spec)) found.set(spec, true);
    const urls = new Map();
    for (const [spec, dynamic] of found) {
      try {
        urls.set(spec, await resolveSpec(spec));
      } catch (error) {
        if (!dynamic) throw error; // a static import that cannot resolve fails the module, as in Node
        urls.set(spec, throwing(error));
      }
    }
    const swap = (all, head, quote, spec) => (urls.has(spec) ? `${head}${quote}${urls.get(spec)}${quote}` : all);
    const swapCall = (all, head, quote, spec, tail) => swap(all, head, quote, spec) + (urls.has(spec) ? tail : "");
    return source.replace(STATIC, swap).replace(DYNAMIC, swapCall);
  }

  const sdkUrls = new Map();
  function sdkUrl(name, from) {
    if (!sdkUrls.has(name)) {
      sdkUrls.set(name, (async () => {
        const answer = /^@aws-sdk\/[a-z0-9-]+$/.test(name) ? await ask({ type: "module", name }) : { error: "not a package" };
        if (answer.error !== undefined) {
          throw runtimeError("Runtime.ImportModuleError", `Cannot find package '${name}' imported from ${from}`);
        }
        // A bundle's own `@aws-sdk/*` imports (lib-dynamodb's client-dynamodb) share one module.
        // Text in a bundle that merely looks like an import (package.json snippets, messages
        // naming optional packages) is left alone.
        const shared = (spec) => (spec.startsWith("@aws-sdk/") ? sdkUrl(packageName(spec), from).catch(() => spec) : spec);
        return blobUrl(await rewrite(answer.source, async (spec) => shared(spec)));
      })());
      sdkUrls.get(name).catch(() => sdkUrls.delete(name));
    }
    return sdkUrls.get(name);
  }

  const esmUrls = new Map();
  function esmUrl(file) {
    if (!esmUrls.has(file)) {
      esmUrls.set(file, (async () => {
        if (file.endsWith(".json")) return blobUrl(`export default ${files.get(file)};`);
        if (!isEsm(file)) {
          // CommonJS imported from an ES module: its module.exports is the default export.
          await preloadCommonJs(file);
          return blobUrl(`export default self.nimbusRequire(${JSON.stringify(file)});`);
        }
        const source = await rewrite(files.get(file), (spec) => {
          if (isRelative(spec)) {
            const target = resolveFile(file, spec);
            if (!target) throw runtimeError("Runtime.ImportModuleError", `Cannot find module '${normalize(`${dirname(file)}/${spec}`)}' imported from ${file}`);
            return esmUrl(target);
          }
          if (spec.startsWith("blob:") || spec.startsWith("data:")) return Promise.resolve(spec);
          if (builtinName(spec)) return builtinUrl(spec, file);
          return sdkUrl(packageName(spec), file);
        });
        return blobUrl(`${source}\n//# sourceURL=file://${file}`);
      })());
    }
    return esmUrls.get(file);
  }

  // Node.js built-ins: the ones web/js/node-builtins.mjs offers, loaded on first use; asking for
  // another (fs, http...) fails with a message that says where it exists.
  const NODE_BUILTINS = new Set(["assert", "assert/strict", "buffer", "crypto", "events", "fs", "fs/promises", "os", "path", "path/posix", "process", "querystring", "timers", "timers/promises", "url", "util", "util/types", "zlib"]);
  const NODE_ONLY = new Set(["async_hooks", "child_process", "cluster", "dgram", "diagnostics_channel", "dns", "http", "http2", "https", "inspector", "module", "net", "perf_hooks", "punycode", "readline", "repl", "stream", "stream/promises", "string_decoder", "tls", "tty", "v8", "vm", "wasi", "worker_threads"]);
  const builtinName = (spec) => {
    const name = spec.replace(/^node:/, "");
    return NODE_BUILTINS.has(name) || NODE_ONLY.has(name) || spec.startsWith("node:") ? name : null;
  };
  let builtinsLoading = null;
  function loadBuiltins() {
    builtinsLoading ??= (async () => {
      const answer = await ask({ type: "module", name: "node-builtins" });
      if (answer.error !== undefined) throw new Error(`the Node.js built-ins did not load: ${answer.error}`);
      const { builtins } = await import(blobUrl(answer.source));
      self.nimbusBuiltins = builtins({ Buffer: self.Buffer, process: self.process, format: (...args) => format(args), inspect: (value) => inspect(value, 1, []), taskFiles });
      return self.nimbusBuiltins;
    })();
    builtinsLoading.catch(() => (builtinsLoading = null));
    return builtinsLoading;
  }
  const notBuiltin = (spec, from) =>
    runtimeError(
      "Runtime.ImportModuleError",
      `Cannot find module '${spec}' imported from ${from}: the playground's browser runtime has no Node.js '${builtinName(spec)}' module ` +
        `(it offers ${[...NODE_BUILTINS].join(", ")}). Run the function on real Node.js with \`nimbus serve\` to use it.`,
    );
  /** The built-in `spec` names, after loadBuiltins; throws when the runtime has no such module. */
  function builtin(spec, from) {
    if (!self.nimbusBuiltins && NODE_BUILTINS.has(builtinName(spec))) {
      // Loaded ahead only for the literal require("...") calls the module's text shows.
      throw runtimeError("Runtime.ImportModuleError", `Cannot find module '${spec}' required from ${from}: the browser runtime loads Node.js built-ins for require() calls with a string literal; write require(${JSON.stringify(spec)}).`);
    }
    const module = self.nimbusBuiltins && self.nimbusBuiltins[builtinName(spec)];
    if (!module) throw notBuiltin(spec, from);
    return module;
  }
  // An ES module re-exporting a built-in: its module as the default export, its members by name.
  async function builtinUrl(spec, from) {
    await loadBuiltins();
    const module = builtin(spec, from);
    const names = Object.keys(module).filter((name) => identifier.test(name) && name !== "default");
    const source = `const m = self.nimbusBuiltins[${JSON.stringify(builtinName(spec))}];\nexport default m;\n`;
    return blobUrl(names.length ? `${source}export const { ${names.join(", ")} } = m;` : source);
  }

  // CommonJS: `require` is synchronous, so the string-literal require() targets are loaded first.
  const sdkNamespaces = new Map();
  const commonJs = new Map(); // file -> module
  const REQUIRE = /\brequire\s*\(\s*(["'])([^"'\n]+)\1\s*\)/g;
  async function preloadCommonJs(file, seen = new Set()) {
    if (seen.has(file) || file.endsWith(".json")) return;
    seen.add(file);
    for (const [, , spec] of files.get(file).matchAll(REQUIRE)) {
      if (isRelative(spec)) {
        const target = resolveFile(file, spec);
        if (target && !isEsm(target)) await preloadCommonJs(target, seen);
      } else if (builtinName(spec)) {
        try {
          await loadBuiltins();
        } catch {
          // require() throws when it runs.
        }
      } else if (spec.startsWith("@aws-sdk/") && !sdkNamespaces.has(spec)) {
        try {
          sdkNamespaces.set(spec, await import(await sdkUrl(packageName(spec), file)));
        } catch {
          // require() throws Node's error when (if) it runs.
        }
      }
    }
  }
  function requireFrom(from) {
    return (spec) => {
      const missing = () => runtimeError("Runtime.ImportModuleError", `Cannot find module '${spec}'\nRequire stack:\n- ${from}\n- /var/runtime/index.mjs`);
      if (isRelative(spec)) {
        const target = resolveFile(from, spec);
        if (!target) throw missing();
        return self.nimbusRequire(target);
      }
      if (builtinName(spec)) return builtin(spec, from);
      if (sdkNamespaces.has(spec)) return sdkNamespaces.get(spec);
      throw missing();
    };
  }
  self.nimbusRequire = (file) => {
    if (commonJs.has(file)) return commonJs.get(file).exports;
    if (file.endsWith(".json")) return JSON.parse(files.get(file));
    if (isEsm(file)) throw Object.assign(new Error(`require() of ES Module ${file} not supported.`), { code: "ERR_REQUIRE_ESM" });
    const module = { exports: {}, id: file, filename: file, loaded: false };
    commonJs.set(file, module);
    const run = new Function("exports", "require", "module", "__filename", "__dirname", `${files.get(file)}\n//# sourceURL=file://${file}`);
    run.call(module.exports, module.exports, requireFrom(file), module, file, dirname(file));
    module.loaded = true;
    return module.exports;
  };

  const memoryMb = () => {
    // Workers expose no RSS; the JS heap (when Chromium reports it) plus the runtime's own
    // baseline is the closest figure.
    const heap = (performance.memory && performance.memory.usedJSHeapSize) || 0;
    return Math.ceil(heap / 1048576) + 40;
  };

  // A small `Buffer` (Node's most used global after `process`): utf8, base64, base64url, hex,
  // latin1; the rest of Node's API is not there.
  function makeBuffer() {
    const binary = (bytes) => Array.from(bytes, (b) => String.fromCharCode(b)).join("");
    class Buffer extends Uint8Array {
      static of(...items) { return Buffer.from(items); }
      static alloc(size, fill = 0) { return new Buffer(size).fill(typeof fill === "number" ? fill : 0); }
      static allocUnsafe(size) { return new Buffer(size); }
      static isBuffer(value) { return value instanceof Buffer; }
      static byteLength(value, encoding) { return typeof value === "string" ? Buffer.from(value, encoding).length : value.byteLength; }
      static concat(list, total) {
        const out = Buffer.alloc(total ?? list.reduce((n, b) => n + b.length, 0));
        let at = 0;
        for (const b of list) { out.set(b.subarray(0, out.length - at), at); at += b.length; if (at >= out.length) break; }
        return out;
      }
      static from(value, encoding = "utf8", length) {
        if (value instanceof ArrayBuffer) return new Buffer(value, encoding === "utf8" ? 0 : encoding, length);
        if (typeof value !== "string") {
          const items = value && value.type === "Buffer" && Array.isArray(value.data) ? value.data : value;
          const out = new Buffer(items.length);
          out.set(items);
          return out;
        }
        const enc = String(encoding).toLowerCase();
        if (enc === "base64" || enc === "base64url") {
          const text = value.replace(/-/g, "+").replace(/_/g, "/").replace(/[^A-Za-z0-9+/]/g, "");
          return Buffer.from(Array.from(atob(text + "===".slice((text.length + 3) % 4 || 3)), (c) => c.charCodeAt(0)));
        }
        if (enc === "hex") return Buffer.from((value.match(/../g) || []).map((h) => parseInt(h, 16)));
        if (enc === "latin1" || enc === "binary" || enc === "ascii") return Buffer.from(Array.from(value, (c) => c.charCodeAt(0) & 255));
        return Buffer.from(new TextEncoder().encode(value));
      }
      toString(encoding = "utf8", start = 0, end = this.length) {
        const bytes = this.subarray(start, end);
        const enc = String(encoding).toLowerCase();
        if (enc === "base64") return btoa(binary(bytes));
        if (enc === "base64url") return btoa(binary(bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
        if (enc === "hex") return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
        if (enc === "latin1" || enc === "binary" || enc === "ascii") return binary(bytes);
        return new TextDecoder().decode(bytes);
      }
      toJSON() { return { type: "Buffer", data: Array.from(this) }; }
      equals(other) { return this.length === other.length && this.every((b, i) => b === other[i]); }
      write(text, offset = 0) { const bytes = Buffer.from(text); this.set(bytes.subarray(0, this.length - offset), offset); return Math.min(bytes.length, this.length - offset); }
    }
    return Buffer;
  }

  async function init(message) {
    for (const [name, base64] of Object.entries(message.files)) {
      const file = normalize(`${ROOT}/${name}`);
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      taskFiles.set(file, bytes);
      files.set(file, new TextDecoder().decode(bytes));
    }
    const env = message.environment;
    const major = /nodejs(\d+)/.exec(env.AWS_EXECUTION_ENV || "")?.[1] || "22";
    self.process = {
      env,
      version: `v${major}.0.0`,
      versions: { node: `${major}.0.0` },
      platform: "linux",
      arch: "x64",
      argv: ["/var/lang/bin/node", "/var/runtime/index.mjs"],
      cwd: () => ROOT,
      nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
      memoryUsage: () => ({ rss: memoryMb() * 1048576 }),
      hrtime: Object.assign((prev) => {
        const now = performance.now() * 1e6;
        const t = [Math.floor(now / 1e9), Math.floor(now % 1e9)];
        return prev ? [t[0] - prev[0], t[1] - prev[1]] : t;
      }, { bigint: () => BigInt(Math.floor(performance.now() * 1e6)) }),
      on: () => self.process,
      emitWarning: () => {},
    };
    self.global = self;
    self.Buffer = makeBuffer();
    // Node.js has Web Crypto's randomUUID as a global; in the browser it needs a secure context,
    // which the sandbox is not.
    if (!self.crypto.randomUUID) {
      self.crypto.randomUUID = () => {
        const b = self.crypto.getRandomValues(new Uint8Array(16));
        b[6] = (b[6] & 0x0f) | 0x40; // version 4
        b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
        const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      };
    }
    await runtime.init(message.handler, env);
  }

  self.addEventListener("error", (event) => {
    event.preventDefault();
    runtime.uncaughtException(event.error ?? event.message);
  });
  self.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    runtime.unhandledRejection(event.reason);
  });

  self.onmessage = (event) => {
    const message = event.data;
    if (message.type === "init") init(message);
    else if (message.type === "invoke") runtime.invoke(message);
    else if (message.type === "fetched" || message.type === "moduleSource") {
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      if (resolve) resolve(message);
    }
  };
}
