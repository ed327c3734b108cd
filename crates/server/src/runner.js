// Nimbus's Node.js runtime for one Lambda execution environment (see executor.rs).
// Protocol: the host writes one JSON invocation per line on stdin; this script answers one JSON
// line per message on stdout, prefixed with MARK so that anything else the function writes to
// stdout is taken as a log line, as Lambda does.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const util = require('util');
const { pathToFileURL } = require('url');

const MARK = '\u001eNIMBUS:';
const writeOut = process.stdout.write.bind(process.stdout);
const send = (message) => writeOut(MARK + JSON.stringify(message) + '\n');

// console.* become log lines in Lambda's format, sent to the host as they are written (writes
// to a pipe are synchronous on Linux, so a function that then hangs still has its log).
let requestId = undefined;
const log = (line) => send({ type: 'log', line });
function logger(level) {
  return (...args) => {
    const message = util.format(...args);
    log(`${new Date().toISOString()}\t${requestId ?? 'undefined'}\t${level}\t${message}`);
  };
}
console.log = logger('INFO');
console.info = logger('INFO');
console.warn = logger('WARN');
console.error = logger('ERROR');
console.debug = logger('DEBUG');
console.trace = logger('TRACE');

function errorOf(err, fallbackType) {
  if (err instanceof Error) {
    return {
      errorType: err.name || fallbackType,
      errorMessage: err.message,
      trace: String(err.stack || '').split('\n'),
    };
  }
  return { errorType: fallbackType, errorMessage: String(err), trace: [] };
}

function logInvokeError(error) {
  const logged = { errorType: error.errorType, errorMessage: error.errorMessage, stack: error.trace };
  log(`${new Date().toISOString()}\t${requestId ?? 'undefined'}\tERROR\tInvoke Error \t${JSON.stringify(logged)}`);
}

// `index.handler` -> module `index` (index.js, index.mjs or index.cjs in the task root) and
// export `handler`, as the Node.js runtime resolves it.
async function loadHandler() {
  const spec = process.env._HANDLER;
  const root = process.env.LAMBDA_TASK_ROOT;
  const dot = spec.lastIndexOf('.');
  const moduleName = spec.slice(0, dot);
  const exportName = spec.slice(dot + 1);
  const base = path.resolve(root, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) {
    const err = new Error(`Cannot find module '${moduleName}'\nRequire stack:\n- /var/runtime/index.mjs`);
    err.name = 'Runtime.ImportModuleError';
    throw Object.assign(err, { nimbusType: 'Runtime.ImportModuleError', nimbusMessage: `Error: ${err.message}` });
  }
  let mod;
  try {
    if (file.endsWith('.mjs')) {
      mod = await import(pathToFileURL(file).href);
    } else {
      try {
        mod = require(file);
      } catch (err) {
        // A .js file in a `"type": "module"` package is ESM.
        if (err && err.code === 'ERR_REQUIRE_ESM') mod = await import(pathToFileURL(file).href);
        else throw err;
      }
    }
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw Object.assign(err, { nimbusType: 'Runtime.UserCodeSyntaxError', nimbusMessage: `${err.name}: ${err.message}` });
    }
    throw err;
  }
  let handler = mod && mod[exportName];
  if (handler === undefined && mod && mod.default) handler = mod.default[exportName];
  if (typeof handler !== 'function') {
    const err = new Error(`${spec} is undefined or not exported`);
    throw Object.assign(err, { nimbusType: 'Runtime.HandlerNotFound', nimbusMessage: err.message });
  }
  return handler;
}

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
      if (returned && typeof returned.then === 'function') {
        returned.then(callback.bind(null, null), (err) => callback(err === undefined || err === null ? new Error(String(err)) : err));
      } else if (handler.length < 3) {
        callback(null, returned);
      }
    } catch (err) {
      callback(err);
    }
  });
}

async function main() {
  const started = process.hrtime.bigint();
  let handler;
  let initError = null;
  try {
    handler = await loadHandler();
  } catch (err) {
    const e = errorOf(err, 'Error');
    if (err && err.nimbusType) {
      e.errorType = err.nimbusType;
      e.errorMessage = err.nimbusMessage;
    }
    initError = e;
  }
  const initMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (initError) {
    log(`${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify({ errorType: initError.errorType, errorMessage: initError.errorMessage, stack: initError.trace })}`);
  }
  send({ type: 'ready', initMs });

  const input = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of input) {
    if (!line.trim()) continue;
    const invocation = JSON.parse(line);
    requestId = invocation.requestId;
    const begin = process.hrtime.bigint();
    let answer;
    if (initError) {
      answer = { error: initError, initFailed: true };
    } else {
      const deadline = Date.now() + invocation.timeoutMs;
      const context = {
        callbackWaitsForEmptyEventLoop: true,
        functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
        functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        invokedFunctionArn: invocation.invokedFunctionArn,
        memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
        awsRequestId: requestId,
        logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        done: undefined,
        succeed: undefined,
        fail: undefined,
      };
      try {
        const result = await runHandler(handler, JSON.parse(invocation.payload), context);
        answer = { payload: result === undefined ? 'null' : JSON.stringify(result) };
      } catch (err) {
        const error = errorOf(err, 'Error');
        logInvokeError(error);
        answer = { error };
      }
    }
    const durationMs = Number(process.hrtime.bigint() - begin) / 1e6;
    const maxMemoryMb = Math.ceil(process.memoryUsage().rss / (1024 * 1024));
    send({ type: 'result', requestId, durationMs, maxMemoryMb, ...answer });
    requestId = undefined;
  }
  // The host is gone (or let the environment go): remove the unpacked code.
  fs.rmSync(path.dirname(process.env.LAMBDA_TASK_ROOT), { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(`nimbus runner failed: ${err && err.stack}\n`);
  process.exit(1);
});
