// Lambda functions running in the page's sandboxed runtime and using the real AWS SDK for
// JavaScript v3 (the `lambda-sdk/` bundles) against the in-page emulator: the functions are
// created and invoked with `@aws-sdk/client-lambda` from the page, and what they wrote is read
// back with the page's own SDK, also after a reload.
// Needs `PATH=$PWD/node_modules/.bin:$PATH trunk build --release` first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serveDist, launch, appReady, newPlayground, zip } from "./harness.mjs";

let server;
let browser;
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
  server = await serveDist();
  browser = await launch();
  page = browser.page;
  await page.goto(server.url);
  await appReady(page);
  playgroundId = await newPlayground(page, "Runtime test");
});

after(async () => {
  await browser?.close();
  await server?.close();
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
