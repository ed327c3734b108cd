// Nimbus's Node.js runtime for one Lambda execution environment (see executor.rs), after the
// part it shares with the browser's runtime (nimbus_core's node_runtime.js, written ahead of
// this file). Protocol: the host writes one JSON invocation per line on stdin; this script
// answers one JSON line per message on stdout, prefixed with MARK so that anything else the
// function writes to stdout is taken as a log line, as Lambda does.

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const util = require('util');
const { pathToFileURL } = require('url');

const MARK = '\u001eNIMBUS:';
const writeOut = process.stdout.write.bind(process.stdout);
const milliseconds = () => Number(process.hrtime.bigint()) / 1e6;

const runtime = lambdaRuntime({
  // Writes to a pipe are synchronous on Linux, so a function that then hangs still has its log.
  send: (message) => writeOut(MARK + JSON.stringify(message) + '\n'),
  now: milliseconds,
  memoryMb: () => Math.ceil(process.memoryUsage().rss / (1024 * 1024)),
  modulePath: (name) => path.resolve(process.env.LAMBDA_TASK_ROOT, name),
  exists: (file) => fs.existsSync(file),
  async load(file) {
    if (file.endsWith('.mjs')) return import(pathToFileURL(file).href);
    try {
      return require(file);
    } catch (err) {
      // A .js file in a `"type": "module"` package is ESM.
      if (err && err.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
      throw err;
    }
  },
  // The executor sees the process gone and starts a new one for the next invocation.
  exit: () => process.exit(1),
});
runtime.installConsole((args) => util.format(...args));
process.on('uncaughtException', (err) => runtime.uncaughtException(err));
process.on('unhandledRejection', (reason) => runtime.unhandledRejection(reason));

async function main() {
  await runtime.init(process.env._HANDLER, process.env);
  const input = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of input) {
    if (line.trim()) await runtime.invoke(JSON.parse(line));
  }
  // The host is gone (or let the environment go): remove the unpacked code.
  fs.rmSync(path.dirname(process.env.LAMBDA_TASK_ROOT), { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(`nimbus runner failed: ${err && err.stack}\n`);
  process.exit(1);
});
