"use strict";
// The part of Lambda's Node.js runtime that both of Nimbus's hosts share (NODE_RUNTIME_JS in
// invoke.rs): how the handler `_HANDLER` names is found and called, the context it gets, the
// answer or error it gives, and the log lines of Init and of each invocation. nimbus-server runs
// it on Node.js ahead of its runner.js; nimbus-browser in each Web Worker ahead of workerMain
// (js/runtime.js).
//
// To the host it sends {type: "log", line} as lines are written, {type: "ready", initMs} when
// Init is over, and {type: "result", requestId, durationMs, maxMemoryMb, ...} for each
// invocation, with `payload` (the result as JSON) or `error`, and `initFailed` or `crashed` when
// the environment cannot be used again. An environment that crashes between invocations calls
// the host's `exit()`: the host lets it go, and the next invocation starts a new one.

/** An error as the Node.js runtime reports it: `shown` is Lambda's errorMessage. */
function runtimeError(type, message, shown = `Error: ${message}`) {
  return Object.assign(new Error(message), { nimbusType: type, nimbusMessage: shown });
}

/** Lambda's error object ({errorType, errorMessage, trace}) for what was thrown. */
function errorOf(err, fallbackType) {
  if (err instanceof Error) {
    return {
      errorType: err.nimbusType || err.name || fallbackType,
      errorMessage: err.nimbusMessage || err.message,
      trace: String(err.stack || "").split("\n"),
    };
  }
  return { errorType: fallbackType, errorMessage: String(err), trace: [] };
}

/**
 * Calls `handler` as the runtime does: an async handler's promise, or a callback-style handler's
 * first callback call, or (for a handler that takes no callback) its return value.
 */
function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === "function") {
        returned.then(callback.bind(null, null), (err) => callback(err === undefined || err === null ? new Error(String(err)) : err));
      } else if (handler.length < 3) callback(null, returned);
    } catch (err) {
      callback(err);
    }
  });
}

/**
 * One execution environment. `host` supplies what differs between Node.js and a Web Worker:
 * - send(message): a message to the host (see above);
 * - now(): a clock in milliseconds, for durations;
 * - memoryMb(): the memory in use, for the REPORT line;
 * - modulePath(name): the absolute path, without extension, of the handler's module `name`;
 * - exists(path): whether the function's package has that file;
 * - load(path): the module at `path` (import or require, as its kind asks);
 * - exit(): the environment crashed between invocations and is not to be used again.
 */
function lambdaRuntime(host) {
  let env = {};
  let handler;
  let initError = null;
  let requestId;
  // Rejects the running invocation when the environment crashes (see uncaughtException).
  let crash = null;

  const log = (level, message) =>
    host.send({ type: "log", line: `${new Date().toISOString()}\t${requestId ?? "undefined"}\t${level}\t${message}` });
  const logError = (label, error) => {
    const logged = { errorType: error.errorType, errorMessage: error.errorMessage, stack: error.trace };
    log("ERROR", `${label} \t${JSON.stringify(logged)}`);
  };
  const crashWith = (label, error) => {
    logError(label, error);
    if (crash) crash({ nimbusCrash: error });
    else host.exit();
  };

  // `index.handler` -> module `index` (index.js, index.mjs or index.cjs in the task root) and
  // export `handler`, as the Node.js runtime resolves it.
  async function loadHandler(spec) {
    const dot = spec.lastIndexOf(".");
    const moduleName = spec.slice(0, dot);
    const exportName = spec.slice(dot + 1);
    const base = host.modulePath(moduleName);
    const file = [".js", ".mjs", ".cjs"].map((ext) => base + ext).find((path) => host.exists(path));
    if (!file) throw runtimeError("Runtime.ImportModuleError", `Cannot find module '${moduleName}'\nRequire stack:\n- /var/runtime/index.mjs`);
    let mod;
    try {
      mod = await host.load(file);
    } catch (err) {
      if (err instanceof SyntaxError) {
        throw Object.assign(err, { nimbusType: "Runtime.UserCodeSyntaxError", nimbusMessage: `${err.name}: ${err.message}` });
      }
      throw err;
    }
    let found = mod && mod[exportName];
    if (found === undefined && mod && mod.default) found = mod.default[exportName];
    if (typeof found !== "function") {
      const message = `${spec} is undefined or not exported`;
      throw runtimeError("Runtime.HandlerNotFound", message, message);
    }
    return found;
  }

  return {
    /** console.* write Lambda's log lines; `format(args)` is util.format's. */
    installConsole(format) {
      const levels = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG", trace: "TRACE" };
      for (const [name, level] of Object.entries(levels)) console[name] = (...args) => log(level, format(args));
    },

    /** The Init phase: loads the handler `spec` with the function's environment `environment`. */
    async init(spec, environment) {
      env = environment;
      const started = host.now();
      try {
        handler = await loadHandler(spec);
      } catch (err) {
        initError = errorOf(err, "Error");
        logError("Uncaught Exception", initError);
      }
      host.send({ type: "ready", initMs: host.now() - started });
    },

    /** One invocation: {requestId, payload (the event as JSON), timeoutMs, invokedFunctionArn}. */
    async invoke(invocation) {
      requestId = invocation.requestId;
      const begin = host.now();
      let answer;
      if (initError) answer = { error: initError, initFailed: true };
      else {
        const deadline = Date.now() + invocation.timeoutMs;
        const context = {
          callbackWaitsForEmptyEventLoop: true,
          functionName: env.AWS_LAMBDA_FUNCTION_NAME,
          functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
          invokedFunctionArn: invocation.invokedFunctionArn,
          memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
          awsRequestId: requestId,
          logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
          logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
          getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        };
        const crashed = new Promise((_, reject) => {
          crash = reject;
        });
        try {
          const result = await Promise.race([runHandler(handler, JSON.parse(invocation.payload), context), crashed]);
          answer = { payload: result === undefined ? "null" : JSON.stringify(result) };
        } catch (err) {
          if (err && err.nimbusCrash) answer = { error: err.nimbusCrash, crashed: true };
          else {
            const error = errorOf(err, "Error");
            logError("Invoke Error", error);
            answer = { error };
          }
        }
        crash = null;
      }
      // The request id stays this invocation's until the next one starts, as in AWS's runtime
      // (it sets it when an invocation arrives): what runs after the answer (a timer, a
      // crash) logs under it.
      host.send({ type: "result", requestId, durationMs: host.now() - begin, maxMemoryMb: host.memoryMb(), ...answer });
    },

    // An exception nobody catches (thrown in a timer, a rejection nobody handles) ends the
    // Node.js runtime on Lambda: it is logged, fails the running invocation with that error (if
    // one is running), and the environment is not used again.
    uncaughtException(err) {
      crashWith("Uncaught Exception", errorOf(err, "Error"));
    },
    unhandledRejection(reason) {
      const shown = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
      const error = { ...errorOf(reason, "Error"), errorType: "Runtime.UnhandledPromiseRejection", errorMessage: shown };
      crashWith("Unhandled Promise Rejection", error);
    },
  };
}
