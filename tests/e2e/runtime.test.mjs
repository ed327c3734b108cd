// Lambda functions running in the page's sandboxed runtime and using the real AWS SDK for
// JavaScript v3 (the `lambda-sdk/` bundles) against the in-page emulator: the functions are
// created and invoked with `@aws-sdk/client-lambda` from the page, and what they wrote is read
// back with the page's own SDK, also after a reload.
// Needs `PATH=$PWD/node_modules/.bin:$PATH trunk build --release` first.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { useApp, appReady, newPlayground, zip } from "./harness.mjs";

const app = useApp();
let page;
let playgroundId;

async function createFunction(name, files, handler = "index.handler") {
  await page.evaluate(
    async ([id, name, bytes, handler]) => {
      const { lambda } = nimbus.sdk(id);
      await lambda.send(
        new nimbus.aws.lambda.CreateFunctionCommand({
          FunctionName: name,
          Runtime: "nodejs22.x",
          Role: "arn:aws:iam::123456789012:role/lambda-role",
          Handler: handler,
          Timeout: 10,
          Code: { ZipFile: new Uint8Array(bytes) },
        }),
      );
    },
    [playgroundId, name, zip(files), handler],
  );
}

/** Invokes `name` from the page; `ms` is how long the call took, seen from the page. */
async function invoke(name, event = {}) {
  return page.evaluate(
    async ([id, name, event]) => {
      const { lambda } = nimbus.sdk(id);
      const started = performance.now();
      const out = await lambda.send(
        new nimbus.aws.lambda.InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event) }),
      );
      const ms = performance.now() - started;
      const text = new TextDecoder().decode(out.Payload);
      return { status: out.StatusCode, functionError: out.FunctionError, payload: JSON.parse(text), ms };
    },
    [playgroundId, name, event],
  );
}

before(async () => {
  page = await app.open();
  playgroundId = await newPlayground(page, "Runtime test");
});

test("a function writes and reads DynamoDB through @aws-sdk/lib-dynamodb; the item survives a reload", async () => {
  await page.evaluate(async (id) => {
    await nimbus.sdk(id).dynamodb.send(
      new nimbus.aws.dynamodb.CreateTableCommand({
        TableName: "notes",
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  }, playgroundId);
  await createFunction("notes", {
    "index.mjs": `
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, GetCommand } from "@aws-sdk/lib-dynamodb";
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async (event) => {
  await doc.send(new PutCommand({ TableName: "notes", Item: { id: event.id, text: event.text, stars: 3 } }));
  const { Item } = await doc.send(new GetCommand({ TableName: "notes", Key: { id: event.id } }));
  return { item: Item, region: await doc.config.region() };
};`,
  });
  const cold = await invoke("notes", { id: "n1", text: "hello" });
  assert.equal(cold.functionError, undefined, JSON.stringify(cold.payload));
  assert.deepEqual(cold.payload, { item: { id: "n1", text: "hello", stars: 3 }, region: "us-east-1" });
  const warm = await invoke("notes", { id: "n2", text: "again" });
  assert.equal(warm.payload.item.id, "n2");
  const warm2 = await invoke("notes", { id: "n3", text: "third" });
  console.log(`notes: cold invoke ${cold.ms.toFixed(0)} ms, warm ${warm.ms.toFixed(0)} ms / ${warm2.ms.toFixed(0)} ms`);

  await page.reload();
  await appReady(page);
  const item = await page.evaluate(async (id) => {
    const { documentClient } = nimbus.sdk(id);
    const got = await documentClient.send(new nimbus.aws.libDynamodb.GetCommand({ TableName: "notes", Key: { id: "n1" } }));
    return got.Item;
  }, playgroundId);
  assert.deepEqual(item, { id: "n1", text: "hello", stars: 3 });
});

test("a CommonJS function puts and gets an S3 object with @aws-sdk/client-s3", async () => {
  await page.evaluate(async (id) => {
    await nimbus.sdk(id).s3.send(new nimbus.aws.s3.CreateBucketCommand({ Bucket: "uploads" }));
  }, playgroundId);
  await createFunction("upload", {
    "index.js": `
const { S3Client, PutObjectCommand, GetObjectCommand } = require("@aws-sdk/client-s3");
const s3 = new S3Client({});
exports.handler = async (event) => {
  await s3.send(new PutObjectCommand({ Bucket: "uploads", Key: event.key, Body: event.body, ContentType: "text/plain" }));
  const got = await s3.send(new GetObjectCommand({ Bucket: "uploads", Key: event.key }));
  return { body: await got.Body.transformToString(), type: got.ContentType };
};`,
  });
  const out = await invoke("upload", { key: "a/b.txt", body: "héllo from a function" });
  assert.equal(out.functionError, undefined, JSON.stringify(out.payload));
  assert.deepEqual(out.payload, { body: "héllo from a function", type: "text/plain" });
  const body = await page.evaluate(async (id) => {
    const got = await nimbus.sdk(id).s3.send(new nimbus.aws.s3.GetObjectCommand({ Bucket: "uploads", Key: "a/b.txt" }));
    return got.Body.transformToString();
  }, playgroundId);
  assert.equal(body, "héllo from a function");
});

test("a function sends an SQS message the page then receives", async () => {
  const queueUrl = await page.evaluate(async (id) => {
    const out = await nimbus.sdk(id).sqs.send(new nimbus.aws.sqs.CreateQueueCommand({ QueueName: "jobs" }));
    return out.QueueUrl;
  }, playgroundId);
  await createFunction("enqueue", {
    "index.mjs": `
import { SQSClient, SendMessageCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "jobs" }));
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(event) }));
  return { queueUrl: QueueUrl, messageId: sent.MessageId };
};`,
  });
  const out = await invoke("enqueue", { job: 42 });
  assert.equal(out.functionError, undefined, JSON.stringify(out.payload));
  assert.equal(out.payload.queueUrl, queueUrl);
  const received = await page.evaluate(
    async ([id, QueueUrl]) => {
      const out = await nimbus.sdk(id).sqs.send(new nimbus.aws.sqs.ReceiveMessageCommand({ QueueUrl }));
      return (out.Messages || []).map((m) => ({ id: m.MessageId, body: m.Body }));
    },
    [playgroundId, queueUrl],
  );
  assert.deepEqual(received, [{ id: out.payload.messageId, body: '{"job":42}' }]);
});

test("a function invokes another function with @aws-sdk/client-lambda", async () => {
  await createFunction("callee", {
    "index.mjs": `export const handler = async (event, context) => ({ doubled: event.n * 2, by: context.functionName });`,
  });
  await createFunction("caller", {
    "index.mjs": `
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
const lambda = new LambdaClient({});
export const handler = async (event) => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: "callee", Payload: JSON.stringify({ n: event.n }) }));
  return { status: out.StatusCode, result: JSON.parse(new TextDecoder().decode(out.Payload)) };
};`,
  });
  const out = await invoke("caller", { n: 21 });
  assert.equal(out.functionError, undefined, JSON.stringify(out.payload));
  assert.deepEqual(out.payload, { status: 200, result: { doubled: 42, by: "callee" } });
});

test("an operation Nimbus does not implement answers its AWS error inside the function", async () => {
  await createFunction("unimplemented", {
    "index.mjs": `
import { DynamoDBClient, DescribeContributorInsightsCommand } from "@aws-sdk/client-dynamodb";
const client = new DynamoDBClient({});
export const handler = async () => {
  try {
    await client.send(new DescribeContributorInsightsCommand({ TableName: "notes" }));
    return { ok: true };
  } catch (e) {
    return { name: e.name, status: e.$metadata && e.$metadata.httpStatusCode };
  }
};`,
  });
  const out = await invoke("unimplemented");
  assert.equal(out.functionError, undefined, JSON.stringify(out.payload));
  assert.equal(out.payload.name, "NotImplemented", JSON.stringify(out.payload));
  assert.equal(out.payload.status, 501);

  // A package the runtime does not provide: Node's error, as Lambda reports it.
  await createFunction("no-package", {
    "index.mjs": `import { EC2Client } from "@aws-sdk/client-ec2";\nexport const handler = async () => new EC2Client({});`,
  });
  const missing = await invoke("no-package");
  assert.equal(missing.functionError, "Unhandled");
  assert.equal(missing.payload.errorType, "Runtime.ImportModuleError");
  assert.equal(
    missing.payload.errorMessage,
    "Error: Cannot find package '@aws-sdk/client-ec2' imported from /var/task/index.mjs",
  );
});

test("functions use @aws-sdk/util-dynamodb and Node's built-ins, from CommonJS and ES modules", async () => {
  // A DynamoDB stream handler as AWS's examples write it: unmarshall each new image.
  await createFunction("builtins-cjs", {
    "index.js": `
const { unmarshall, marshall } = require("@aws-sdk/util-dynamodb");
const crypto = require("crypto");
const { format } = require("node:util");
const EventEmitter = require("events");
const path = require("path");
const { URL } = require("url");
const qs = require("querystring");
const assert = require("assert");
const os = require("os");
const { setTimeout: sleep } = require("timers/promises");
exports.handler = async (event) => {
  const images = event.Records.map((r) => unmarshall(r.dynamodb.NewImage));
  const emitter = new EventEmitter();
  const heard = [];
  emitter.on("item", (item) => heard.push(item.id));
  images.forEach((item) => emitter.emit("item", item));
  assert.deepStrictEqual(heard, images.map((i) => i.id));
  await sleep(5);
  return {
    images,
    tags: [...images[0].tags],
    marshalled: marshall({ n: 1, tags: new Set(["a"]) }),
    sha256: crypto.createHash("sha256").update("abc").digest("hex"),
    md5: crypto.createHash("md5").update("abc").digest("base64"),
    sha1: crypto.createHash("sha1").update(Buffer.from("abc")).digest("hex"),
    hmac: crypto.createHmac("sha256", "key").update("The quick brown fox jumps over the lazy dog").digest("hex"),
    sha512: crypto.createHash("sha512").update("abc").digest("hex"),
    sha384: crypto.createHash("sha384").update("abc").digest("base64"),
    hmac512: crypto.createHmac("sha512", "key").update("The quick brown fox jumps over the lazy dog").digest("hex"),
    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
    randomBytes: crypto.randomBytes(16).length,
    formatted: format("%s has %d items", "batch", images.length),
    file: path.join("/var/task", "lib", "..", "data.json"),
    port: new URL("https://example.com:8443/a?b=1").port,
    query: { ...qs.parse("a=1&a=2&b=x+y") },
    eol: os.EOL,
  };
};`,
  });
  const record = (id, count) => ({
    eventName: "INSERT",
    dynamodb: { NewImage: { id: { S: id }, count: { N: String(count) }, tags: { SS: ["x"] } } },
  });
  const out = await invoke("builtins-cjs", { Records: [record("a", 1), record("b", 2)] });
  assert.equal(out.functionError, undefined, JSON.stringify(out.payload));
  // The hashes are the published test vectors (FIPS 180, RFC 1321, RFC 2104's examples).
  assert.deepEqual(out.payload, {
    // A string set unmarshalls to a Set, which JSON shows as {}.
    images: [{ id: "a", count: 1, tags: {} }, { id: "b", count: 2, tags: {} }],
    tags: ["x"],
    marshalled: { n: { N: "1" }, tags: { SS: ["a"] } },
    sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    md5: "kAFQmDzST7DWlj99KOF/cg==",
    sha1: "a9993e364706816aba3e25717850c26c9cd0d89d",
    hmac: "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
    sha512:
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    sha384: "ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn",
    hmac512:
      "b42af09057bac1e2d41708e48a902e09b5ff7f12ab428a4fe86653c73dd248fb82f948a549f7b791a5b41915ee4d1ec3935357e4e2317250d0372afa2ebeeb3a",
    uuid: true,
    randomBytes: 16,
    formatted: "batch has 2 items",
    file: "/var/task/data.json",
    port: "8443",
    query: { a: ["1", "2"], b: "x y" },
    eol: "\n",
  });

  await createFunction("builtins-esm", {
    "index.mjs": `
import { randomUUID, createHash } from "node:crypto";
import EventEmitter, { once } from "node:events";
import { join } from "path";
import util from "node:util";
export const handler = async () => {
  const emitter = new EventEmitter();
  setTimeout(() => emitter.emit("done", 42), 1);
  const [value] = await once(emitter, "done");
  const wait = util.promisify((ms, cb) => setTimeout(() => cb(null, ms), ms));
  return { id: randomUUID().length, globalId: crypto.randomUUID().length, sha1: createHash("sha1").update("abc").digest("hex"), value, waited: await wait(2), path: join("a", "b") };
};`,
  });
  const esm = await invoke("builtins-esm");
  assert.equal(esm.functionError, undefined, JSON.stringify(esm.payload));
  assert.deepEqual(esm.payload, { id: 36, globalId: 36, sha1: "a9993e364706816aba3e25717850c26c9cd0d89d", value: 42, waited: 2, path: "a/b" });

  // fs: the package's own files under /var/task, and a /tmp that outlives one invocation in a
  // warm environment, as on Lambda.
  await createFunction("builtins-fs", {
    "index.js": `
const fs = require("fs");
const { readFile, writeFile } = require("node:fs/promises");
const path = require("path");
exports.handler = async () => {
  const config = JSON.parse(fs.readFileSync(path.join(__dirname, "data", "config.json"), "utf8"));
  const seen = fs.existsSync("/tmp/count") ? Number(await readFile("/tmp/count", "utf8")) : 0;
  await writeFile("/tmp/count", String(seen + 1));
  let readOnly;
  try {
    fs.writeFileSync("notes.txt", "x");
  } catch (e) {
    readOnly = e.message;
  }
  // Node's callback forms, an error and a value.
  const missing = await new Promise((resolve) => fs.readFile("/tmp/missing", (error) => resolve(error.code)));
  const random = await new Promise((resolve) => require("crypto").randomBytes(8, (error, bytes) => resolve(bytes.length)));
  return { greeting: config.greeting, listing: fs.readdirSync(__dirname), seen, readOnly, missing, random };
};`,
    "data/config.json": `{"greeting": "hi"}`,
  });
  const first = await invoke("builtins-fs");
  assert.equal(first.functionError, undefined, JSON.stringify(first.payload));
  assert.deepEqual(first.payload, {
    greeting: "hi",
    listing: ["data", "index.js"],
    seen: 0,
    readOnly: "EROFS: read-only file system, open '/var/task/notes.txt'",
    missing: "ENOENT",
    random: 8,
  });
  assert.equal((await invoke("builtins-fs")).payload.seen, 1);

  // A built-in the browser runtime does not have: the error says where it exists.
  await createFunction("builtins-http", {
    "index.js": `const http = require("node:http");\nexports.handler = async () => http.STATUS_CODES[200];`,
  });
  const http = await invoke("builtins-http");
  assert.equal(http.functionError, "Unhandled");
  assert.equal(http.payload.errorType, "Runtime.ImportModuleError");
  assert.match(http.payload.errorMessage, /Cannot find module 'node:http'.*no Node\.js 'http' module.*nimbus serve/);
  // Every built-in that message offers loads, with its members.
  const offered = http.payload.errorMessage.match(/\(it offers ([^)]+)\)/)[1].split(", ");
  assert.ok(offered.includes("zlib") && offered.includes("fs/promises"), offered.join(", "));
  await createFunction("builtins-offered", {
    "index.mjs": `${offered.map((name, i) => `import * as m${i} from "node:${name}";`).join("\n")}
export const handler = async () => ({ ${offered.map((name, i) => `${JSON.stringify(name)}: Object.keys(m${i}).length`).join(", ")} });`,
  });
  const members = (await invoke("builtins-offered")).payload;
  for (const name of offered) assert.ok(members[name] > 0, `node:${name} has no members: ${JSON.stringify(members)}`);

  // require() of a computed name: the runtime loads built-ins ahead only for literal names.
  await createFunction("builtins-computed", {
    "index.js": `const name = ["cry", "pto"].join("");\nconst crypto = require(name);\nexports.handler = async () => crypto.randomUUID();`,
  });
  const computed = await invoke("builtins-computed");
  assert.equal(computed.payload.errorType, "Runtime.ImportModuleError");
  assert.match(computed.payload.errorMessage, /Cannot find module 'crypto'.*string literal; write require\("crypto"\)/);
});

test("zlib: what a function compresses Node reads, and the other way round", async () => {
  // AWS's advice for large DynamoDB attributes: compress them (GZIP) and store them as binary.
  await createFunction("builtins-zlib", {
    "index.js": `
const zlib = require("zlib");
const { promisify } = require("util");
exports.handler = async (event) => {
  const text = "DynamoDB items compress well. ".repeat(20);
  let bad;
  try {
    zlib.gunzipSync(Buffer.from("not gzip"));
  } catch (e) {
    bad = { message: e.message, code: e.code, errno: e.errno };
  }
  const refused = [];
  for (const call of [() => zlib.gzipSync({}), () => zlib.gzipSync(text, { level: 10 })]) {
    try {
      call();
    } catch (e) {
      refused.push({ name: e.name, code: e.code, message: e.message });
    }
  }
  return {
    gzip: zlib.gzipSync(text).toString("base64"),
    deflate: zlib.deflateSync(text, { level: zlib.constants.Z_BEST_COMPRESSION }).toString("base64"),
    fromNode: zlib.gunzipSync(Buffer.from(event.gzip, "base64")).toString(),
    unzipped: zlib.unzipSync(Buffer.from(event.deflate, "base64")).toString(),
    raw: zlib.inflateRawSync(zlib.deflateRawSync("raw")).toString(),
    promised: (await promisify(zlib.gunzip)(zlib.gzipSync("later"))).toString(),
    bad,
    refused,
  };
};`,
  });
  const zlib = await import("node:zlib");
  const event = {
    gzip: zlib.gzipSync("gzipped by Node").toString("base64"),
    deflate: zlib.deflateSync("deflated by Node").toString("base64"),
  };
  const { payload, functionError } = await invoke("builtins-zlib", event);
  assert.equal(functionError, undefined, JSON.stringify(payload));
  const text = "DynamoDB items compress well. ".repeat(20);
  const gzip = Buffer.from(payload.gzip, "base64");
  assert.equal(zlib.gunzipSync(gzip).toString(), text);
  assert.ok(gzip.length < text.length / 4, `compressed to ${gzip.length} bytes`);
  // Node's gzip header: no modification time, Unix.
  assert.equal(gzip.subarray(0, 10).toString("hex"), zlib.gzipSync(text).subarray(0, 10).toString("hex"));
  assert.equal(zlib.inflateSync(Buffer.from(payload.deflate, "base64")).toString(), text);
  assert.deepEqual(
    { fromNode: payload.fromNode, unzipped: payload.unzipped, raw: payload.raw, promised: payload.promised, bad: payload.bad },
    {
      fromNode: "gzipped by Node",
      unzipped: "deflated by Node",
      raw: "raw",
      promised: "later",
      bad: { message: "incorrect header check", code: "Z_DATA_ERROR", errno: -3 },
    },
  );
  // Bad arguments are refused with the errors Node's own zlib throws.
  const refusal = (call) => {
    try {
      call();
    } catch (e) {
      return { name: e.name, code: e.code, message: e.message };
    }
  };
  assert.deepEqual(payload.refused, [refusal(() => zlib.gzipSync({})), refusal(() => zlib.gzipSync(text, { level: 10 }))]);
});
