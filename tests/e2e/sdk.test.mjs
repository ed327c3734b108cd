// The real AWS SDK for JavaScript v3, running in the page, talking to the in-page emulator through
// `nimbus.sdk(...)` (a custom requestHandler). The SDK itself checks what a real client checks, e.g.
// SQS's MD5 of the message body and S3's checksums.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { useApp, appReady, newPlayground } from "./harness.mjs";

const app = useApp();
let page;
let playgroundId;

before(async () => {
  page = await app.open();
  playgroundId = await newPlayground(page, "SDK test");
});

test("dynamodb: CreateTable, DocumentClient put, reload, GetItem returns the item", async () => {
  await page.evaluate(async (id) => {
    const { dynamodb, documentClient } = nimbus.sdk(id);
    const { CreateTableCommand } = nimbus.aws.dynamodb;
    const { PutCommand } = nimbus.aws.libDynamodb;
    await dynamodb.send(
      new CreateTableCommand({
        TableName: "users",
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    await documentClient.send(
      new PutCommand({ TableName: "users", Item: { id: "u1", name: "Ada", age: 36, tags: ["a", "b"], admin: true } }),
    );
  }, playgroundId);

  await page.reload();
  await appReady(page);

  const got = await page.evaluate(async (id) => {
    const { dynamodb, documentClient } = nimbus.sdk(id);
    const { GetCommand } = nimbus.aws.libDynamodb;
    const { GetItemCommand, DescribeTableCommand } = nimbus.aws.dynamodb;
    const doc = await documentClient.send(new GetCommand({ TableName: "users", Key: { id: "u1" } }));
    const raw = await dynamodb.send(new GetItemCommand({ TableName: "users", Key: { id: { S: "u1" } } }));
    const described = await dynamodb.send(new DescribeTableCommand({ TableName: "users" }));
    return { doc: doc.Item, raw: raw.Item, status: described.Table.TableStatus };
  }, playgroundId);
  assert.deepEqual(got.doc, { id: "u1", name: "Ada", age: 36, tags: ["a", "b"], admin: true });
  assert.deepEqual(got.raw.age, { N: "36" });
  assert.equal(got.status, "ACTIVE");
});

test("dynamodb: an error reaches the SDK as its typed exception", async () => {
  const err = await page.evaluate(async (id) => {
    const { dynamodb } = nimbus.sdk(id);
    const { GetItemCommand } = nimbus.aws.dynamodb;
    try {
      await dynamodb.send(new GetItemCommand({ TableName: "missing", Key: { id: { S: "x" } } }));
      return null;
    } catch (e) {
      return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
    }
  }, playgroundId);
  assert.equal(err?.name, "ResourceNotFoundException");
  assert.equal(err.status, 400);
});

test("sqs: send and receive with the SDK's MD5 checks", async () => {
  const got = await page.evaluate(async (id) => {
    const { sqs } = nimbus.sdk(id);
    const { CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand, DeleteMessageCommand } = nimbus.aws.sqs;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "jobs" }));
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: "héllo wörld ✓",
        MessageAttributes: { kind: { DataType: "String", StringValue: "greeting" } },
      }),
    );
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }),
    );
    const message = received.Messages?.[0];
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    return {
      sentId: sent.MessageId,
      id: message.MessageId,
      body: message.Body,
      kind: message.MessageAttributes?.kind?.StringValue,
      left: after.Messages?.length ?? 0,
    };
  }, playgroundId);
  assert.equal(got.id, got.sentId);
  assert.equal(got.body, "héllo wörld ✓");
  assert.equal(got.kind, "greeting");
  assert.equal(got.left, 0);
});

test("s3: put and get an object, bytes intact", async () => {
  const got = await page.evaluate(async (id) => {
    const { s3 } = nimbus.sdk(id);
    const { CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command } = nimbus.aws.s3;
    const body = Uint8Array.from({ length: 300 }, (_, i) => (i * 13) % 256);
    await s3.send(new CreateBucketCommand({ Bucket: "sdk-bucket" }));
    await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "dir/file.bin", Body: body, ContentType: "application/x-test" }));
    const object = await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "dir/file.bin" }));
    const bytes = await object.Body.transformToByteArray();
    // A string body. (Blob and ReadableStream bodies fail inside the SDK itself before any request
    // is made, in its flexible-checksum code: aws/aws-sdk-js-v3#6834 for Blob, and its browser
    // aws-chunked encoder stringifies byte chunks. Pass bytes, as the app's upload view does.)
    await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "note.txt", Body: "from a string" }));
    const stringText = await (await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "note.txt" }))).Body.transformToString();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "sdk-bucket" }));
    return {
      same: bytes.length === body.length && bytes.every((b, i) => b === body[i]),
      contentType: object.ContentType,
      keys: listed.Contents.map((c) => c.Key),
      stringText,
    };
  }, playgroundId);
  assert.ok(got.same, "GetObject returns the bytes PutObject stored");
  assert.equal(got.contentType, "application/x-test");
  assert.deepEqual(got.keys, ["dir/file.bin", "note.txt"]);
  assert.equal(got.stringText, "from a string");
});

test("what the SDK wrote shows in the UI", async () => {
  await page.goto(`${app.server.url}#/p/${encodeURIComponent(playgroundId)}`);
  await page.reload();
  await page.locator('.tree[data-service="dynamodb"] .tree-item', { hasText: "users" }).waitFor();
  await page.locator('.tree[data-service="sqs"] .tree-item', { hasText: "jobs" }).waitFor();
  await page.locator('.tree[data-service="s3"] .tree-item', { hasText: "sdk-bucket" }).waitFor();

  // Written while the UI is open: the sidebar's refresh button picks it up without a reload.
  await page.evaluate(async (id) => {
    const { CreateTopicCommand } = nimbus.aws.sns;
    await nimbus.sdk(id).sns.send(new CreateTopicCommand({ Name: "from-sdk" }));
  }, playgroundId);
  await page.click('button[title="Reload the resource lists"]');
  await page.locator('.tree[data-service="sns"] .tree-item', { hasText: "from-sdk" }).waitFor();
});
