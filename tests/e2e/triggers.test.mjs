// A function triggered by a DynamoDB stream (issue 4, "Done when"): it receives the record of an
// item a person writes in the table explorer, and the REMOVE record of an item whose Time to Live
// passes when the person fast-forwards the playground's clock. The function is written and deployed
// in the editor and subscribed to the table's stream in its Triggers panel.
// Needs a built dist/ (`PATH=$PWD/node_modules/.bin:$PATH trunk build --release`).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { useApp, screenshot } from "./harness.mjs";
import * as ui from "./lambda-ui.mjs";

const app = useApp();
let page;
let id;
let streamArn;

// Keeps each record it receives, whole, in table `seen`: the test reads back what Lambda delivered.
const CODE = `import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event) => {
  for (const record of event.Records) {
    const item = { seq: record.dynamodb.SequenceNumber, record: JSON.stringify(record) };
    await doc.send(new PutCommand({ TableName: "seen", Item: item }));
  }
  console.log("received", event.Records.length, "records");
};
`;

before(async () => {
  page = await app.open();
  id = await ui.newPlayground(page, "Triggers");
  streamArn = await page.evaluate(async (id) => {
    const { dynamodb } = nimbus.sdk(id);
    const { CreateTableCommand, UpdateTimeToLiveCommand } = nimbus.aws.dynamodb;
    const table = (name, key, stream) =>
      dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
          ...(stream && { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } }),
        }),
      );
    const notes = await table("notes", "id", true);
    await table("seen", "seq", false);
    await dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName: "notes", TimeToLiveSpecification: { AttributeName: "expires", Enabled: true } }),
    );
    return notes.TableDescription.LatestStreamArn;
  }, id);
});

/** The records the function stored, oldest first, once `ready(records)` holds (polled). */
async function delivered(ready, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const records = await page.evaluate(async (id) => {
      const { ScanCommand } = nimbus.aws.libDynamodb;
      const { Items } = await nimbus.sdk(id).documentClient.send(new ScanCommand({ TableName: "seen" }));
      return Items.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1)).map((item) => JSON.parse(item.record));
    }, id);
    if (ready(records)) return records;
    if (Date.now() > deadline) assert.fail(`the function did not receive the records in time: ${JSON.stringify(records)}`);
    await page.waitForTimeout(250);
  }
}

/** The event source mapping of function `name`, as ListEventSourceMappings describes it. */
async function mappingOf(name) {
  return page.evaluate(
    async ([id, FunctionName]) => {
      const { ListEventSourceMappingsCommand } = nimbus.aws.lambda;
      const listed = await nimbus.sdk(id).lambda.send(new ListEventSourceMappingsCommand({ FunctionName }));
      return listed.EventSourceMappings[0];
    },
    [id, name],
  );
}

/** Writes `item` (plain JSON) with the table explorer's item editor. */
async function putInExplorer(item) {
  await page.click('button[name="new-item"]');
  await page.click('button[name="mode-plain"]');
  await page.fill('textarea[name="item"]', JSON.stringify(item));
  await page.click('button[name="save-item"]');
  await ui.notice(page, "Item saved.").waitFor();
}

/**
 * Deploys `code` as a new function `name` from the editor and subscribes it to table notes'
 * stream in its Triggers panel, with `fields` filled in the form (input name -> text to type,
 * `true` to tick a checkbox, or {select: option} to choose one).
 */
async function deployWithTrigger(name, code, fields) {
  await ui.createFunctionInUi(page, name);
  await ui.typeIntoEditor(page, code);
  await ui.deployWithKeys(page);
  await page.click('button[name="add-trigger"]');
  await page.selectOption('select[name="trigger-table"]', "notes");
  for (const [field, value] of Object.entries(fields)) {
    if (value === true) await page.check(`input[name="${field}"]`);
    else if (value.select) await page.selectOption(`select[name="${field}"]`, value.select);
    else await page.fill(`input[name="${field}"]`, value);
  }
  await screenshot(page, `triggers-form-${name}`);
  await page.click('button[name="save-trigger"]');
  await ui.notice(page, "Trigger added.").waitFor();
}

test("a function subscribed in its Triggers panel gets the stream record of an item written in the explorer", async () => {
  // The Triggers panel of the function page: the table's stream, 10 records a batch at most.
  await deployWithTrigger("onNote", CODE, { "trigger-batch-size": "10" });
  const row = page.locator("table.triggers tbody tr", { hasText: "notes" });
  await row.locator(".trigger-state", { hasText: /^(Creating|Enabled)$/ }).waitFor();
  await screenshot(page, "triggers-panel");
  const mapping = await mappingOf("onNote");
  assert.equal(mapping.EventSourceArn, streamArn);
  assert.equal(mapping.BatchSize, 10);
  assert.equal(mapping.StartingPosition, "LATEST");
  assert.match(mapping.FunctionArn, /:function:onNote$/);

  await page.locator('.tree[data-service="dynamodb"] .tree-item', { hasText: "notes" }).click();
  await page.waitForURL(/dynamodb\/notes$/);
  await putInExplorer({ id: "n1", text: "hello" });

  const [insert] = await delivered((records) => records.length >= 1);
  assert.equal(insert.eventName, "INSERT");
  assert.equal(insert.eventSource, "aws:dynamodb");
  assert.equal(insert.eventVersion, "1.1");
  assert.equal(insert.awsRegion, "us-east-1");
  assert.equal(insert.eventSourceARN, streamArn);
  assert.deepEqual(insert.dynamodb.Keys, { id: { S: "n1" } });
  assert.deepEqual(insert.dynamodb.NewImage, { id: { S: "n1" }, text: { S: "hello" } });
  assert.equal(insert.dynamodb.OldImage, undefined);
  assert.equal(insert.dynamodb.StreamViewType, "NEW_AND_OLD_IMAGES");
  assert.match(insert.dynamodb.SequenceNumber, /^\d{21}$/);
  assert.equal(typeof insert.dynamodb.SizeBytes, "number");
  // In the Lambda event the time is a number of seconds (the Streams API's SDK gives a Date).
  assert.equal(typeof insert.dynamodb.ApproximateCreationDateTime, "number");
  assert.ok(Math.abs(insert.dynamodb.ApproximateCreationDateTime - Date.now() / 1000) < 60);
  assert.equal(insert.userIdentity, undefined, "a person's write carries no userIdentity");
  await screenshot(page, "triggers-insert");
});

test("fast-forwarding the clock past an item's TTL deletes it and the function gets a REMOVE from the service", async () => {
  const inAnHour = Math.floor(Date.now() / 1000) + 3600;
  await putInExplorer({ id: "n2", text: "short-lived", expires: inAnHour });
  await delivered((records) => records.some((r) => r.dynamodb.Keys.id.S === "n2"));
  await page.locator('table.items td[data-col="id"]', { hasText: "n2" }).waitFor();

  await page.click('button[name="forward-day"]');
  await page.locator('table.items td[data-col="id"]', { hasText: "n2" }).waitFor({ state: "detached" });

  const records = await delivered((records) => records.some((r) => r.eventName === "REMOVE"));
  const remove = records.find((r) => r.eventName === "REMOVE");
  assert.deepEqual(remove.dynamodb.Keys, { id: { S: "n2" } });
  assert.deepEqual(remove.dynamodb.OldImage, { id: { S: "n2" }, text: { S: "short-lived" }, expires: { N: String(inAnHour) } });
  assert.deepEqual(remove.userIdentity, { type: "Service", principalId: "dynamodb.amazonaws.com" });
  // n1 has no TTL: still there.
  await page.locator('table.items td[data-col="id"]', { hasText: "n1" }).waitFor();
  await screenshot(page, "triggers-ttl-remove");
});

// Counts the records of each tumbling window in its state; the window's final invocation keeps
// the total in table `tallies`.
const TALLY = `import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event) => {
  const count = (event.state.count ?? 0) + event.Records.length;
  if (event.isFinalInvokeForWindow) {
    await doc.send(new PutCommand({ TableName: "tallies", Item: { window: event.window.start, count, records: event.Records.length } }));
  }
  return { state: { count } };
};
`;

test("a trigger with a tumbling window hands the window's state to its final invocation", async () => {
  await page.evaluate(async (id) => {
    const { CreateTableCommand } = nimbus.aws.dynamodb;
    await nimbus.sdk(id).dynamodb.send(
      new CreateTableCommand({
        TableName: "tallies",
        KeySchema: [{ AttributeName: "window", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "window", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  }, id);
  await deployWithTrigger("tally", TALLY, { "trigger-tumbling-window": "900" });
  await page.locator("table.triggers tbody tr", { hasText: "tumbling window 900 s" }).waitFor();
  await screenshot(page, "triggers-tumbling");

  await page.locator('.tree[data-service="dynamodb"] .tree-item', { hasText: "notes" }).click();
  await page.waitForURL(/dynamodb\/notes$/);
  await putInExplorer({ id: "t1" });
  await putInExplorer({ id: "t2" });
  // The window closes once the clock passes its end; its final invocation then stores the total.
  await page.click('button[name="forward-hour"]');
  const deadline = Date.now() + 20_000;
  let tallies;
  for (;;) {
    tallies = await page.evaluate(async (id) => {
      const { ScanCommand } = nimbus.aws.libDynamodb;
      return (await nimbus.sdk(id).documentClient.send(new ScanCommand({ TableName: "tallies" }))).Items;
    }, id);
    // The two writes fall in one window, or in two when a window boundary passed between them.
    if (tallies.reduce((sum, t) => sum + t.count, 0) === 2) break;
    if (Date.now() > deadline) assert.fail(`no final tally: ${JSON.stringify(tallies)}`);
    await page.waitForTimeout(250);
  }
  for (const tally of tallies) {
    assert.match(tally.window, /^\d{4}-\d\d-\d\dT\d\d:(00|15|30|45):00Z$/);
    assert.equal(tally.records, 0, "the final invocation carries no records");
  }
});

// Reports the records marked bad as failed items (ReportBatchItemFailures).
const PICKY = `export const handler = async (event) => {
  const failed = event.Records.filter((record) => record.dynamodb.NewImage?.bad);
  return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.dynamodb.SequenceNumber })) };
};
`;

test("a trigger's error handling set in its form: a record the function reports failed, retried once, goes to the on-failure queue", async () => {
  const queueUrl = await page.evaluate(async (id) => {
    const { CreateQueueCommand } = nimbus.aws.sqs;
    return (await nimbus.sdk(id).sqs.send(new CreateQueueCommand({ QueueName: "failed-notes" }))).QueueUrl;
  }, id);
  await deployWithTrigger("picky", PICKY, {
    "trigger-retry-attempts": "1",
    "trigger-record-age": "3600",
    "trigger-bisect": true,
    "trigger-report-failures": true,
    "trigger-on-failure": { select: { label: "SQS queue failed-notes" } },
  });
  const row = page.locator("table.triggers tbody tr", { hasText: "notes" });
  await row
    .locator(".trigger-on-error", {
      hasText: "1 retry · gives up on records older than 3600 s · splits the batch · function reports failed items · then to SQS queue failed-notes",
    })
    .waitFor();
  await screenshot(page, "triggers-on-error");
  const mapping = await mappingOf("picky");
  assert.equal(mapping.MaximumRetryAttempts, 1);
  assert.equal(mapping.MaximumRecordAgeInSeconds, 3600);
  assert.equal(mapping.BisectBatchOnFunctionError, true);
  assert.deepEqual(mapping.FunctionResponseTypes, ["ReportBatchItemFailures"]);

  await page.locator('.tree[data-service="dynamodb"] .tree-item', { hasText: "notes" }).click();
  await page.waitForURL(/dynamodb\/notes$/);
  await putInExplorer({ id: "b1", bad: true });
  const deadline = Date.now() + 30_000;
  let messages;
  for (;;) {
    messages = await page.evaluate(async ([id, QueueUrl]) => {
      const { ReceiveMessageCommand } = nimbus.aws.sqs;
      const out = await nimbus.sdk(id).sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      return (out.Messages || []).map((m) => JSON.parse(m.Body));
    }, [id, queueUrl]);
    if (messages.length) break;
    if (Date.now() > deadline) assert.fail("no failed batch reached the on-failure queue");
    await page.waitForTimeout(250);
  }
  // Lambda's invocation record for a stream: the batch's place in the shard, not its records.
  const [failure] = messages;
  assert.equal(failure.requestContext.condition, "RetryAttemptsExhausted");
  assert.match(failure.requestContext.functionArn, /:function:picky$/);
  assert.equal(failure.requestContext.approximateInvokeCount, 2, "the first try and one retry");
  assert.equal(failure.DDBStreamBatchInfo.streamArn, streamArn);
  assert.equal(failure.DDBStreamBatchInfo.batchSize, 1);
  assert.equal(failure.DDBStreamBatchInfo.startSequenceNumber, failure.DDBStreamBatchInfo.endSequenceNumber);
});

test("a trigger edited in its row keeps its table and takes the new settings", async () => {
  await page.locator('.tree[data-service="lambda"] .tree-item', { hasText: "picky" }).click();
  await page.waitForURL(/picky$/);
  const row = page.locator("table.triggers tbody tr", { hasText: "notes" });
  await row.locator('button[name="edit-trigger"]').click();
  // The form opens with the trigger's settings.
  assert.equal(await page.inputValue('input[name="trigger-retry-attempts"]'), "1");
  assert.equal(await page.isChecked('input[name="trigger-bisect"]'), true);
  assert.equal(await page.locator('select[name="trigger-table"]').count(), 0, "a trigger's table cannot change");
  await page.fill('input[name="trigger-retry-attempts"]', "");
  await page.fill('input[name="trigger-batch-size"]', "5");
  await page.uncheck('input[name="trigger-bisect"]');
  await page.selectOption('select[name="trigger-on-failure"]', "");
  await page.fill('textarea[name="trigger-filter"]', '{"eventName": ["INSERT"]}');
  await screenshot(page, "triggers-edit");
  await page.click('button[name="save-trigger"]');
  await ui.notice(page, "Trigger saved.").waitFor();
  await row
    .locator(".trigger-on-error", { hasText: /^retries until the records expire · gives up on records older than 3600 s · function reports failed items$/ })
    .waitFor();
  const mapping = await mappingOf("picky");
  assert.equal(mapping.EventSourceArn, streamArn);
  assert.equal(mapping.BatchSize, 5);
  assert.equal(mapping.MaximumRetryAttempts, -1);
  assert.equal(mapping.BisectBatchOnFunctionError, false);
  assert.deepEqual(mapping.FunctionResponseTypes, ["ReportBatchItemFailures"]);
  assert.equal(mapping.DestinationConfig?.OnFailure?.Destination, undefined);
  assert.deepEqual(mapping.FilterCriteria, { Filters: [{ Pattern: '{"eventName": ["INSERT"]}' }] });
  await screenshot(page, "triggers-edited");
});

test("the page logged no errors", () => {
  assert.deepEqual(app.browser.errors.filter((e) => !/favicon/.test(e)), []);
});
