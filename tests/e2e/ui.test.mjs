// The playground UI, as a person uses it: every step is a click or a keystroke, and every check is
// something on screen. Needs a built dist/ (`npm run build`).
import { test, before, afterEach } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { useApp, appReady, playgroundId, screenshot } from "./harness.mjs";

const app = useApp();
let page;

before(async () => {
  page = await app.open();
});

// The page as each test left it, for a look when one fails: /tmp/nimbus-after-*.png
afterEach(async (t) => {
  await screenshot(page, `after-${t.name.split(":")[0]}`).catch(() => {});
});

const notice = () => page.locator(".notice");
const noErrorBox = async () => assert.equal(await page.locator(".error").count(), 0, await page.locator(".error").allTextContents().then(String));

test("playgrounds: create, rename, delete with confirmation", async () => {
  await page.getByText("No playgrounds yet").waitFor();
  await page.fill('input[name="playground-name"]', "Throwaway");
  await page.click('button:has-text("New playground")');
  await page.waitForURL(/#\/p\//);
  await page.click('a:has-text("All playgrounds")');
  await page.locator("li.playground", { hasText: "Throwaway" }).waitFor();
  const row = page.locator("li.playground").first();

  await row.locator('button:has-text("Rename")').click();
  await row.locator('input[name="rename"]').fill("Scratch");
  await row.locator('button:has-text("Save")').click();
  await page.locator("li.playground", { hasText: "Scratch" }).waitFor();
  await screenshot(page, "list");

  const renamed = page.locator("li.playground", { hasText: "Scratch" });
  await renamed.locator('button:has-text("Delete")').click();
  await renamed.getByText("cannot be undone").waitFor();
  await renamed.locator('button:has-text("Delete for good")').click();
  await page.getByText("No playgrounds yet").waitFor();

  await page.reload();
  await page.getByText("No playgrounds yet").waitFor();
});

test("dynamodb: create a table, put an item, see it, and it survives a reload", async () => {
  await page.fill('input[name="playground-name"]', "UI test");
  await page.click('button:has-text("New playground")');
  await page.waitForURL(/#\/p\//);
  await page.getByText("From code").waitFor();
  await screenshot(page, "overview");
  await page.click('.tree[data-service="dynamodb"] .tree-head');
  await page.getByText("None yet.").waitFor();
  await screenshot(page, "tables");
  await page.fill('input[name="table-name"]', "Music");
  await page.fill('input[name="partition-key"]', "artist");
  await page.fill('input[name="sort-key"]', "song");
  await page.click('button:has-text("Create table")');
  await page.waitForURL(/dynamodb\/Music$/);
  await page.locator(".table-summary", { hasText: "ACTIVE" }).waitFor();
  await page.locator('.tree[data-service="dynamodb"] .tree-item', { hasText: "Music" }).waitFor();

  const item = { artist: { S: "No One You Know" }, song: { S: "Call Me Today" }, year: { N: "2020" } };
  await page.fill('textarea[name="item"]', JSON.stringify(item, null, 2));
  await page.click('button:has-text("Put item")');
  await notice().filter({ hasText: "Item saved." }).waitFor();
  const row = page.locator("table.items tr", { hasText: "Call Me Today" });
  await row.waitFor();
  // The grid has a column per attribute; the cell shows the value and its type.
  const year = row.locator('td[data-col="year"]');
  assert.equal(await year.textContent(), "2020");
  assert.equal(await year.getAttribute("title"), "N");

  // A malformed item is flagged as you type, and Put item stays disabled.
  const save = page.locator('button[name="save-item"]');
  await page.fill('textarea[name="item"]', "{ not json");
  await page.locator(".item-error", { hasText: "not valid JSON" }).waitFor();
  assert.ok(await save.isDisabled());

  // So is a key of the wrong type.
  await page.fill('textarea[name="item"]', JSON.stringify({ artist: { N: "1" }, song: { S: "x" } }));
  await page.locator(".item-error", { hasText: 'partition key "artist" must be of type S' }).waitFor();
  assert.ok(await save.isDisabled());

  // What only DynamoDB checks (an empty key string) is its ValidationException, shown as code + message.
  await page.fill('textarea[name="item"]', JSON.stringify({ artist: { S: "" }, song: { S: "x" } }));
  await page.click('button:has-text("Put item")');
  await page.locator(".error .error-code", { hasText: "ValidationException" }).waitFor();
  await screenshot(page, "table");

  await page.reload();
  await appReady(page);
  await page.locator(".table-summary", { hasText: "ACTIVE" }).waitFor();
  // After a reload the grid lists the item again: it comes from Scan, not from memory.
  await page.locator("table.items tr", { hasText: "Call Me Today" }).waitFor();
  await page.fill('input[name="key-artist"]', "No One You Know");
  await page.fill('input[name="key-song"]', "Call Me Today");
  await page.click('button:has-text("Get item")');
  const found = page.locator("pre.found");
  await found.waitFor();
  assert.deepEqual(JSON.parse(await found.textContent()), item);
  await screenshot(page, "table-after-reload");

  // Delete it from the item list; a second lookup finds nothing.
  const itemRow = page.locator("table.items tr", { hasText: "Call Me Today" });
  await itemRow.locator('button:has-text("Delete")').click();
  await itemRow.locator('button:has-text("Delete for good")').click();
  await notice().filter({ hasText: "Item deleted." }).waitFor();
  await page.click('button:has-text("Get item")');
  await page.locator(".found", { hasText: "No item with this key." }).waitFor();
});

test("sqs: create a queue, send, receive, delete a message", async () => {
  await page.click('.tree[data-service="sqs"] .tree-head');
  await page.fill('input[name="queue-name"]', "orders");
  await page.click('button:has-text("Create queue")');
  await page.waitForURL(/sqs\/orders$/);
  await page.getByText("/orders").first().waitFor();

  await page.fill('textarea[name="message-body"]', "order #1");
  await page.click('button:has-text("Send message")');
  await notice().filter({ hasText: "Sent message" }).waitFor();

  await page.click('button:has-text("Poll for messages")');
  const row = page.locator("table.messages tbody tr", { hasText: "order #1" });
  await row.waitFor();
  assert.equal((await row.locator("td.count").textContent()).trim(), "1");
  assert.ok((await row.locator("td").nth(2).getAttribute("title")).length > 10, "receipt handle shown");
  await screenshot(page, "queue");

  await row.locator('button:has-text("Delete")').click();
  await notice().filter({ hasText: "Deleted message" }).waitFor();
  await page.click('button:has-text("Poll for messages")');
  await page.getByText("No messages available.").waitFor();
  await noErrorBox();

  // A second queue, deleted after its confirmation: it leaves the sidebar.
  await page.click('.tree[data-service="sqs"] .tree-head');
  await page.fill('input[name="queue-name"]', "scratch");
  await page.click('button:has-text("Create queue")');
  await page.waitForURL(/sqs\/scratch$/);
  await page.click('button:has-text("Delete queue")');
  await page.click('button:has-text("Delete for good")');
  await page.waitForURL(/sqs$/);
  await page.locator('.tree[data-service="sqs"] .tree-item', { hasText: "orders" }).waitFor();
  assert.equal(await page.locator('.tree[data-service="sqs"] .tree-item', { hasText: "scratch" }).count(), 0);
});

test("s3: create a bucket, upload, list, download the same bytes, delete", async () => {
  await page.click('.tree[data-service="s3"] .tree-head');
  await page.fill('input[name="bucket-name"]', "uploads");
  await page.click('button:has-text("Create bucket")');
  await page.waitForURL(/s3\/uploads$/);
  await page.getByText("This bucket is empty").waitFor();

  // Every byte value, so a text or base64 slip anywhere shows up.
  const bytes = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7) % 256));
  await page.setInputFiles('input[name="upload"]', { name: "data.bin", mimeType: "application/octet-stream", buffer: bytes });
  const row = page.locator("table.objects tbody tr", { hasText: "data.bin" });
  await row.waitFor();
  assert.match(await row.textContent(), /1\.0 KB/);
  await screenshot(page, "bucket");

  const [download] = await Promise.all([page.waitForEvent("download"), row.locator('button:has-text("Download")').click()]);
  assert.equal(download.suggestedFilename(), "data.bin");
  assert.deepEqual(await readFile(await download.path()), bytes);

  await page.reload();
  await appReady(page);
  // S3 refuses to delete a bucket that still holds objects.
  await page.click('button:has-text("Delete bucket")');
  await page.click('button:has-text("Delete for good")');
  await page.locator(".error .error-code", { hasText: "BucketNotEmpty" }).waitFor();
  await screenshot(page, "bucket-not-empty");

  await page.locator("table.objects tbody tr", { hasText: "data.bin" }).locator('button:has-text("Delete")').click();
  await page.getByText("This bucket is empty").waitFor();
  await page.click('button:has-text("Delete bucket")');
  await page.click('button:has-text("Delete for good")');
  await page.waitForURL(/s3$/);
  await page.locator('.tree[data-service="s3"] .tree-note', { hasText: "none yet" }).waitFor();
});

test("sns: create and delete a topic", async () => {
  await page.click('.tree[data-service="sns"] .tree-head');
  await page.fill('input[name="topic-name"]', "alerts");
  await page.click('button:has-text("Create topic")');
  await notice().filter({ hasText: "arn:aws:sns:us-east-1:" }).waitFor();
  const row = page.locator("table.topics tbody tr", { hasText: "alerts" });
  await row.waitFor();
  await page.locator('.tree[data-service="sns"] .tree-item', { hasText: "alerts" }).waitFor();
  await screenshot(page, "topics");
  await row.locator('button:has-text("Delete")').click();
  await page.getByText("None yet.").waitFor();
});

test("resources created or deleted by code appear in the lists without a refresh", async () => {
  // The SDK in the page (as from the browser console) creates a queue and a table.
  const id = playgroundId(page);
  const sdk = (script) => page.evaluate(script, id);
  await sdk(async (id) => {
    const { sqs, dynamodb } = nimbus.sdk(id);
    await sqs.send(new nimbus.aws.sqs.CreateQueueCommand({ QueueName: "from-console" }));
    await dynamodb.send(
      new nimbus.aws.dynamodb.CreateTableCommand({
        TableName: "FromConsole",
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  });
  const queue = page.locator('.tree[data-service="sqs"] .tree-item', { hasText: "from-console" });
  const table = page.locator('.tree[data-service="dynamodb"] .tree-item', { hasText: "FromConsole" });
  await queue.waitFor({ timeout: 5000 });
  await table.waitFor({ timeout: 5000 });
  await sdk(async (id) => {
    const { dynamodb } = nimbus.sdk(id);
    await dynamodb.send(new nimbus.aws.dynamodb.DeleteTableCommand({ TableName: "FromConsole" }));
  });
  await table.waitFor({ state: "detached", timeout: 5000 });
  assert.equal(await queue.count(), 1);
});

test("a missing resource shows AWS's error with a hint", async () => {
  const id = new URL(page.url()).hash.split("/")[2];
  await page.goto(`${app.server.url}#/p/${id}/dynamodb/NoSuchTable`);
  const error = page.locator(".error");
  await error.locator(".error-code", { hasText: "ResourceNotFoundException" }).waitFor();
  assert.match(await error.textContent(), /refresh the list or create it again/);
  await screenshot(page, "not-found");
});

test("the page logged no errors", () => {
  assert.deepEqual(app.browser.errors.filter((e) => !/favicon/.test(e)), []);
});
