// Builds the AWS SDK for JavaScript v3 packages that Lambda functions import in the browser
// runtime (crates/browser/js/runtime.js): one ES module per package, written to
// `<out>/<package>.mjs`, `<out>` being `$TRUNK_STAGING_DIR/lambda-sdk` (Trunk.toml) or argv[2];
// and the Node.js built-ins the runtime offers, `<out>/node-builtins.mjs`.
//
// On Lambda, the Node.js SDK takes region, credentials and endpoint from the environment; the
// browser build does not read `process.env`, so each client class is wrapped to put those
// defaults under the caller's own config. `new DynamoDBClient({})` then works unchanged.
import * as esbuild from "esbuild";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = process.argv[2] ?? path.join(process.env.TRUNK_STAGING_DIR ?? "dist", "lambda-sdk");
const require = createRequire(path.join(ROOT, "package.json"));

const PACKAGES = [
  "@aws-sdk/client-dynamodb",
  "@aws-sdk/lib-dynamodb",
  "@aws-sdk/util-dynamodb",
  "@aws-sdk/client-s3",
  "@aws-sdk/client-sqs",
  "@aws-sdk/client-sns",
  "@aws-sdk/client-lambda",
  "@aws-sdk/client-cognito-identity-provider",
];

// The environment Lambda gives a function (process.env, set by the runtime in the worker).
const DEFAULTS = `
function lambdaDefaults(extra) {
  const env = (globalThis.process && globalThis.process.env) || {};
  const config = { ...extra };
  if (env.AWS_REGION) config.region = env.AWS_REGION;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    config.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN,
    };
  }
  if (env.AWS_ENDPOINT_URL) config.endpoint = env.AWS_ENDPOINT_URL;
  return config;
}`;

/** The entry module of one package: everything it exports, with its clients wrapped. */
function entry(name) {
  const mod = require(name);
  const clients = name.startsWith("@aws-sdk/client-")
    ? Object.keys(mod).filter((key) => typeof mod[key] === "function" && typeof mod[key].prototype?.send === "function")
    : [];
  // S3 path-style: the emulator's endpoint has no wildcard host for `bucket.localhost`.
  const extra = name === "@aws-sdk/client-s3" ? "{ forcePathStyle: true }" : "{}";
  const wrapped = clients.map(
    (client) => `export class ${client} extends base.${client} {
  constructor(config = {}, ...rest) { super({ ...lambdaDefaults(${extra}), ...config }, ...rest); }
}`,
  );
  return [
    `export * from ${JSON.stringify(name)};`,
    `import * as base from ${JSON.stringify(name)};`,
    clients.length ? DEFAULTS : "",
    ...wrapped,
  ].join("\n");
}

const bundle = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  logLevel: "warning",
};

await Promise.all([
  // The Node.js built-ins the runtime offers (web/js/node-builtins.mjs).
  esbuild.build({
    ...bundle,
    entryPoints: [path.join(ROOT, "web/js/node-builtins.mjs")],
    outfile: path.join(OUT, "node-builtins.mjs"),
  }),
  ...PACKAGES.map((name) =>
    esbuild.build({
      ...bundle,
      stdin: { contents: entry(name), resolveDir: ROOT, sourcefile: `${name}.entry.mjs`, loader: "js" },
      // lib-dynamodb drives the DynamoDBClient the function made: one shared module, not a copy.
      external: name === "@aws-sdk/lib-dynamodb" ? ["@aws-sdk/client-dynamodb"] : [],
      outfile: path.join(OUT, `${name}.mjs`),
    }),
  ),
]);
