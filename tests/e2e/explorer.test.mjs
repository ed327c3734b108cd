// The DynamoDB table explorer as a person uses it: settings summary, a paged grid, the item editor
// in both notations with validation as you type, the query and scan builder on the table and on a
// GSI (with the exact request it sends), delete with confirmation, the stream's records arriving
// live, TTL expiry after a clock fast-forward, and the capacity the session consumed.
// Needs a built dist/.
import { test, before, afterEach } from "node:test";
import assert from "node:assert/strict";
import { useApp, screenshot } from "./harness.mjs";
import { newPlayground, notice, playgroundId } from "./lambda-ui.mjs";

const app = useApp();
let page;
let id;

// 30 orders: customers c1..c3 with order numbers 1..10; status cycles; totals 10..300.
const STATUSES = ["open", "shipped", "cancelled"];
const orders = Array.from({ length: 30 }, (_, i) => ({
  customer: `c${Math.floor(i / 10) + 1}`,
  n: (i % 10) + 1,
  status: STATUSES[i % 3],
  total: (i + 1) * 10,
}));

before(async () => {
  page = await app.open();
  await newPlayground(page, "Explorer");
  id = playgroundId(page);
  await page.evaluate(
    async ({ id, orders }) => {
      const { dynamodb, documentClient } = nimbus.sdk(id);
      const { CreateTableCommand } = nimbus.aws.dynamodb;
      const { PutCommand } = nimbus.aws.libDynamodb;
      await dynamodb.send(
        new CreateTableCommand({
          TableName: "Orders",
          KeySchema: [
            { AttributeName: "customer", KeyType: "HASH" },
            { AttributeName: "n", KeyType: "RANGE" },
          ],
          AttributeDefinitions: [
            { AttributeName: "customer", AttributeType: "S" },
            { AttributeName: "n", AttributeType: "N" },
            { AttributeName: "status", AttributeType: "S" },
            { AttributeName: "total", AttributeType: "N" },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: "byStatus",
              KeySchema: [
                { AttributeName: "status", KeyType: "HASH" },
                { AttributeName: "total", KeyType: "RANGE" },
              ],
              Projection: { ProjectionType: "ALL" },
            },
          ],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      for (const item of orders) await documentClient.send(new PutCommand({ TableName: "Orders", Item: item }));
      // A table with a stream and Time to Live on expiresAt.
      const { UpdateTimeToLiveCommand } = nimbus.aws.dynamodb;
      await dynamodb.send(
        new CreateTableCommand({
          TableName: "Sessions",
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
          StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
        }),
      );
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: "Sessions",
          TimeToLiveSpecification: { Enabled: true, AttributeName: "expiresAt" },
        }),
      );
    },
    { id, orders },
  );
  await page.goto(`${app.server.url}#/p/${encodeURIComponent(id)}/dynamodb/Orders`);
  await page.locator(".table-summary", { hasText: "ACTIVE" }).waitFor();
});

afterEach(async (t) => {
  await screenshot(page, `explorer-after-${t.name.split(":")[0].replace(/\W+/g, "-")}`).catch(() => {});
});

const pageInfo = () => page.locator(".page-info").textContent();
const headers = () => page.locator("table.items thead th").allTextContents();
const column = (name) => page.locator(`table.items tbody td[data-col="${name}"]`).allTextContents();
const requestSent = async () => JSON.parse(await page.locator("pre.request-json").textContent());
const editorError = () => page.locator(".item-error");
const saveButton = () => page.locator('button[name="save-item"]');

test("settings: key schema, the GSI, capacity and item count", async () => {
  assert.equal(await page.locator(".key-schema").textContent(), "Partition key customer (String), Sort key n (Number)");
  const index = page.locator("table.indexes tbody tr");
  assert.deepEqual(await index.locator("td").allTextContents(), [
    "byStatus",
    "GSI",
    "Partition key status (String), Sort key total (Number)",
    "ALL",
    "Delete",
  ]);
  assert.match(await page.locator(".capacity").textContent(), /On demand \(PAY_PER_REQUEST\)/);
  assert.match(await page.locator(".stream").textContent(), /Off/);
  await page.locator(".ttl", { hasText: "DISABLED" }).waitFor();
  assert.match(await page.locator(".item-count").textContent(), /^30 items/);
  await screenshot(page, "explorer-settings");
});

test("grid: key columns first, paged by LastEvaluatedKey, back and forth", async () => {
  await page.selectOption('select[name="page-size"]', "10");
  await page.locator(".page-info", { hasText: "Page 1 · Count 10 · ScannedCount 10 · more items follow" }).waitFor();
  assert.deepEqual(await headers(), ["customer", "n", "status", "total", ""]);
  assert.equal((await requestSent()).Limit, 10);
  const firstPage = await column("n");

  const seen = new Set();
  for (let number = 1; ; number++) {
    await page.locator(".page-info", { hasText: `Page ${number} ·` }).waitFor();
    const customers = await column("customer");
    const ns = await column("n");
    customers.forEach((c, i) => seen.add(`${c}/${ns[i]}`));
    if (number === 2) {
      // The second page's request starts after the first page's last key.
      assert.ok((await requestSent()).ExclusiveStartKey, "ExclusiveStartKey sent");
      await screenshot(page, "explorer-grid-page2");
    }
    if (await page.locator('button[name="next-page"]').isDisabled()) break;
    await page.click('button[name="next-page"]');
  }
  assert.equal(seen.size, 30, "every item seen once across the pages");
  for (const o of orders) assert.ok(seen.has(`${o.customer}/${o.n}`), `${o.customer}/${o.n} listed`);

  while (!(await page.locator('button[name="prev-page"]').isDisabled())) await page.click('button[name="prev-page"]');
  await page.locator(".page-info", { hasText: "Page 1 ·" }).waitFor();
  assert.ok(await page.locator('button[name="prev-page"]').isDisabled());
  assert.deepEqual(await column("n"), firstPage);
});

test("editor: DynamoDB JSON and plain JSON items, validated as you type", async () => {
  await page.click('button[name="new-item"]');
  await page.click('button[name="mode-typed"]');
  // A fresh template is a valid item: no message before any typing.
  assert.equal(await editorError().count(), 0);
  assert.ok(!(await saveButton().isDisabled()));
  const typed = { customer: { S: "c9" }, n: { N: "1" }, status: { S: "open" }, total: { N: "999" } };
  await page.fill('textarea[name="item"]', JSON.stringify(typed));
  assert.equal(await editorError().count(), 0);
  await saveButton().click();
  await notice(page, "Item saved.").waitFor();

  // Plain JSON, as DocumentClient writes items.
  await page.click('button[name="mode-plain"]');
  await page.fill('textarea[name="item"]', JSON.stringify({ customer: "c9", n: 2, status: "open", total: 5, tags: ["a", "b"] }));
  await saveButton().click();
  await notice(page, "Item saved.").waitFor();

  // Wrong key type, missing key, invalid JSON: a message and a disabled Put item, each time.
  await page.fill('textarea[name="item"]', JSON.stringify({ customer: "c9", n: "two" }));
  await editorError().filter({ hasText: 'The sort key "n" must be of type N (Number), not S.' }).waitFor();
  assert.ok(await saveButton().isDisabled());
  await screenshot(page, "explorer-editor-invalid");
  await page.fill('textarea[name="item"]', JSON.stringify({ n: 3 }));
  await editorError().filter({ hasText: 'Missing the partition key attribute "customer"' }).waitFor();
  await page.fill('textarea[name="item"]', '{"customer": "c9",');
  await editorError().filter({ hasText: "not valid JSON" }).waitFor();
  await page.click('button[name="mode-typed"]');
  await page.fill('textarea[name="item"]', JSON.stringify({ customer: { S: "c9" }, n: { N: "x" } }));
  await editorError().filter({ hasText: 'n: "x" is not a number' }).waitFor();
  assert.ok(await saveButton().isDisabled());

  // Both items are in the table, typed as DynamoDB stores them.
  const stored = await page.evaluate(async (id) => {
    const { dynamodb } = nimbus.sdk(id);
    const { GetItemCommand } = nimbus.aws.dynamodb;
    const get = (n) => dynamodb.send(new GetItemCommand({ TableName: "Orders", Key: { customer: { S: "c9" }, n: { N: n } } }));
    return [(await get("1")).Item, (await get("2")).Item];
  }, id);
  assert.deepEqual(stored[0], typed);
  assert.deepEqual(stored[1], {
    customer: { S: "c9" },
    n: { N: "2" },
    status: { S: "open" },
    total: { N: "5" },
    tags: { L: [{ S: "a" }, { S: "b" }] },
  });
});

test("builder: Query on the table with BETWEEN, descending", async () => {
  await page.selectOption('select[name="operation"]', "Query");
  await page.fill('input[name="pk-value"]', "c2");
  await page.selectOption('select[name="sk-op"]', "BETWEEN");
  await page.fill('input[name="sk-value"]', "3");
  await page.fill('input[name="sk-value2"]', "6");
  await page.selectOption('select[name="order"]', "desc");
  await page.click('button[name="run"]');
  await page.locator(".page-info", { hasText: "Count 4 · ScannedCount 4" }).waitFor();
  assert.deepEqual(await requestSent(), {
    TableName: "Orders",
    KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :sk AND :sk2",
    ExpressionAttributeNames: { "#pk": "customer", "#sk": "n" },
    ExpressionAttributeValues: { ":pk": { S: "c2" }, ":sk": { N: "3" }, ":sk2": { N: "6" } },
    ScanIndexForward: false,
    Limit: 10,
    ReturnConsumedCapacity: "TOTAL",
  });
  // Written in the order an SDK user would write it, not sorted.
  assert.match(await page.locator("pre.request-json").textContent(), /^\{\n  "TableName": "Orders",\n  "KeyConditionExpression"/);
  assert.deepEqual(await column("n"), ["6", "5", "4", "3"]);
  assert.deepEqual([...new Set(await column("customer"))], ["c2"]);
  await screenshot(page, "explorer-query-table");
});

test("builder: Query on the GSI with a filter", async () => {
  await page.selectOption('select[name="index"]', "byStatus");
  await page.fill('input[name="pk-value"]', "open");
  await page.selectOption('select[name="sk-op"]', ">=");
  await page.fill('input[name="sk-value"]', "100");
  await page.fill('input[name="filter-attr"]', "customer");
  await page.selectOption('select[name="filter-op"]', "=");
  await page.fill('input[name="filter-value"]', "c3");
  await page.selectOption('select[name="order"]', "asc");
  await page.click('button[name="run"]');
  // open orders with total >= 100: 7 of the 30, plus c9's 999; the filter keeps c3's three.
  await page.locator(".page-info", { hasText: "Count 3 · ScannedCount 8" }).waitFor();
  assert.deepEqual(await requestSent(), {
    TableName: "Orders",
    IndexName: "byStatus",
    KeyConditionExpression: "#pk = :pk AND #sk >= :sk",
    FilterExpression: "#f = :f",
    ExpressionAttributeNames: { "#pk": "status", "#sk": "total", "#f": "customer" },
    ExpressionAttributeValues: { ":pk": { S: "open" }, ":sk": { N: "100" }, ":f": { S: "c3" } },
    ScanIndexForward: true,
    Limit: 10,
    ReturnConsumedCapacity: "TOTAL",
  });
  assert.deepEqual(await column("total"), ["220", "250", "280"]);
  // Table key columns first, then the index's key.
  assert.deepEqual((await headers()).slice(0, 4), ["customer", "n", "status", "total"]);
  await page.locator(".chip", { hasText: "Query on index byStatus" }).waitFor();
  await screenshot(page, "explorer-query-gsi");
});

test("grid: edit a row in the editor, delete an item after confirming", async () => {
  await page.selectOption('select[name="index"]', { index: 0 });
  await page.fill('input[name="filter-attr"]', "");
  await page.fill('input[name="pk-value"]', "c9");
  await page.fill('input[name="sk-value"]', "");
  await page.click('button[name="run"]');
  await page.locator(".page-info", { hasText: "Count 2 ·" }).waitFor();

  // Edit loads the row into the editor, in the notation chosen (DynamoDB JSON here).
  const row = page.locator("table.items tbody tr").filter({ has: page.locator('td[data-col="n"]', { hasText: /^2$/ }) });
  await row.locator('button:has-text("Edit")').click();
  await page.locator(".item-editor h2", { hasText: "Edit item" }).waitFor();
  assert.deepEqual(JSON.parse(await page.inputValue('textarea[name="item"]')).tags, { L: [{ S: "a" }, { S: "b" }] });
  await page.click('button[name="mode-plain"]');
  assert.deepEqual(JSON.parse(await page.inputValue('textarea[name="item"]')), { customer: "c9", n: 2, status: "open", tags: ["a", "b"], total: 5 });

  await row.locator('button:has-text("Delete")').click();
  await row.getByText("Delete this item?").waitFor();
  await screenshot(page, "explorer-delete-confirm");
  await row.locator('button:has-text("Delete for good")').click();
  await notice(page, "Item deleted.").waitFor();
  await page.locator(".page-info", { hasText: "Count 1 ·" }).waitFor();
  assert.deepEqual(await column("n"), ["1"]);
  const gone = await page.evaluate(async (id) => {
    const { GetItemCommand } = nimbus.aws.dynamodb;
    const out = await nimbus.sdk(id).dynamodb.send(new GetItemCommand({ TableName: "Orders", Key: { customer: { S: "c9" }, n: { N: "2" } } }));
    return out.Item === undefined;
  }, id);
  assert.ok(gone);

  // Reset goes back to the plain Scan of the table.
  await page.click('button[name="reset"]');
  await page.locator(".chip", { hasText: "Scan on the table" }).waitFor();
  assert.deepEqual(await requestSent(), { TableName: "Orders", Limit: 10, ReturnConsumedCapacity: "TOTAL" });
});

// "Read 0.5 RRU · Write 3 WRU" -> { read: 0.5, write: 3 }
const consumed = async () => {
  const text = await page.locator(".consumed").textContent();
  const [, read, write] = text.match(/^Read ([\d.]+) RRU · Write ([\d.]+) WRU$/);
  return { read: Number(read), write: Number(write) };
};

test("capacity: the session's consumed units grow with the explorer's reads and writes", async () => {
  const start = await consumed();
  assert.ok(start.read > 0, "the grid's scans were counted");
  await page.click('button[name="new-item"]');
  await page.click('button[name="mode-plain"]');
  await page.fill('textarea[name="item"]', JSON.stringify({ customer: "c8", n: 1, status: "open", total: 1 }));
  await saveButton().click();
  await notice(page, "Item saved.").waitFor();
  // A small item's PutItem costs a write unit for the table and one for the byStatus GSI it lands
  // in (TOTAL counts both); the grid's Scan that follows costs read units.
  await page.locator(".consumed", { hasText: `Write ${start.write + 2} WRU` }).waitFor();
  assert.ok((await consumed()).read > start.read);
});

test("a table without a stream says so, and turns one on", async () => {
  const panel = page.locator(".stream-panel");
  assert.match(await panel.locator(".no-stream").textContent(), /This table has no stream/);
  await page.selectOption('select[name="stream-view-type"]', "NEW_IMAGE");
  await page.click('button[name="enable-stream"]');
  await page.locator(".stream", { hasText: "Enabled (NEW_IMAGE)" }).waitFor();
  await panel.locator(".stream-empty").waitFor();
  await panel.locator(".chip", { hasText: "NEW_IMAGE" }).waitFor();
  // Time to Live can be turned on from the settings too.
  await page.fill('input[name="ttl-attribute"]', "expires");
  await page.click('button[name="enable-ttl"]');
  await page.locator(".ttl", { hasText: "ENABLED (attribute expires)" }).waitFor();
  assert.equal(await page.locator('button[name="enable-ttl"]').count(), 0);
});

test("stream and TTL: records arrive live, a fast-forward expires an item with a service REMOVE", async () => {
  await page.goto(`${app.server.url}#/p/${encodeURIComponent(id)}/dynamodb/Sessions`);
  await page.locator(".table-summary", { hasText: "ACTIVE" }).waitFor();
  await page.locator(".ttl", { hasText: "ENABLED (attribute expiresAt)" }).waitFor();
  assert.match(await page.locator(".stream").textContent(), /Enabled \(NEW_AND_OLD_IMAGES\)/);
  await page.locator(".stream-empty").waitFor();
  await page.locator(".clock-ahead", { hasText: "real time" }).waitFor();
  const start = await consumed();

  // An item written in the editor: its INSERT record arrives in the panel.
  await page.click('button[name="mode-plain"]');
  await page.fill('textarea[name="item"]', JSON.stringify({ id: "s1", user: "ann" }));
  await saveButton().click();
  await notice(page, "Item saved.").waitFor();
  const records = page.locator("table.stream-records tbody tr");
  const record = (keys) => records.filter({ has: page.locator("td.keys", { hasText: new RegExp(`^${keys}$`) }) });
  await record("id=s1").waitFor();
  assert.match(await record("id=s1").getAttribute("class"), /\binsert\b/);
  assert.equal(await record("id=s1").locator("td.images").textContent(), 'New {"id":"s1","user":"ann"}');
  assert.match(await record("id=s1").locator("td.seq").textContent(), /^\d{21,40}$/);
  assert.equal((await consumed()).write, start.write + 1);

  // Put again over it: a MODIFY with both images.
  await page.fill('textarea[name="item"]', JSON.stringify({ id: "s1", user: "ann", plan: "pro" }));
  await saveButton().click();
  const modify = record("id=s1").filter({ has: page.locator(".event-name", { hasText: "MODIFY" }) });
  await modify.waitFor();
  assert.deepEqual(await modify.locator(".image").allTextContents(), [
    'Old {"id":"s1","user":"ann"}',
    'New {"id":"s1","plan":"pro","user":"ann"}',
  ]);

  // Another that expires an hour from now (the playground's clock is still the wall clock).
  const inOneHour = Math.floor(Date.now() / 1000) + 3600;
  await page.fill('textarea[name="item"]', JSON.stringify({ id: "s2", user: "bob", expiresAt: inOneHour }));
  await saveButton().click();
  await record("id=s2").waitFor();
  await page.locator('table.items td[data-col="id"]', { hasText: "s2" }).waitFor();
  await page.locator(".item-count", { hasText: /^2 items,/ }).waitFor();
  await screenshot(page, "explorer-stream-live");

  // Two hours on: the grid reads again without s2, and the stream gets its REMOVE, by the service.
  await page.fill('input[name="forward-amount"]', "2");
  await page.selectOption('select[name="forward-unit"]', "hours");
  await page.click('button[name="forward"]');
  await page.locator(".clock-ahead", { hasText: "2 h ahead" }).waitFor();
  await page.locator('table.items td[data-col="id"]', { hasText: "s2" }).waitFor({ state: "detached" });
  assert.deepEqual(await column("id"), ["s1"]);
  await page.locator(".item-count", { hasText: /^1 item,/ }).waitFor();
  const removal = records.filter({ has: page.locator(".event-name", { hasText: "REMOVE" }) });
  await removal.waitFor();
  assert.equal(await removal.locator("td.keys").textContent(), "id=s2");
  assert.match(await removal.getAttribute("class"), /\bby-ttl\b/);
  assert.equal(await removal.locator(".ttl-mark").textContent(), "TTL · by dynamodb.amazonaws.com");
  assert.equal(await removal.locator("td.images").textContent(), `Old {"expiresAt":${inOneHour},"id":"s2","user":"bob"}`);
  // Newest first.
  assert.deepEqual(await records.locator(".event-name").allTextContents(), ["REMOVE", "INSERT", "MODIFY", "INSERT"]);
  await screenshot(page, "explorer-stream-ttl");

  // A delete by a person is a REMOVE without the service's mark.
  const row = page.locator("table.items tbody tr").filter({ has: page.locator('td[data-col="id"]', { hasText: /^s1$/ }) });
  await row.locator('button:has-text("Delete")').click();
  await row.locator('button:has-text("Delete for good")').click();
  await notice(page, "Item deleted.").waitFor();
  await record("id=s1").filter({ has: page.locator(".event-name", { hasText: "REMOVE" }) }).waitFor();
  const first = records.first();
  assert.equal(await first.locator("td.keys").textContent(), "id=s1");
  assert.equal(await first.locator(".event-name").textContent(), "REMOVE");
  assert.equal(await first.locator(".ttl-mark").count(), 0);
  assert.equal(await first.locator("td.images").textContent(), 'Old {"id":"s1","plan":"pro","user":"ann"}');
  assert.equal((await consumed()).write, start.write + 4);
});

test("capacity: an on-demand maximum shows, and a write beyond it gets AWS's throttling error", async () => {
  await page.evaluate(
    async ({ id }) => {
      const { dynamodb } = nimbus.sdk(id);
      const { CreateTableCommand, PutItemCommand } = nimbus.aws.dynamodb;
      await dynamodb.send(
        new CreateTableCommand({
          TableName: "Capped",
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
          OnDemandThroughput: { MaxWriteRequestUnits: 1 },
        }),
      );
      // Two items of 100 KB take 200 of the 300 write units of burst the maximum allows.
      const body = "x".repeat(100 * 1024 - 20);
      for (const key of ["a", "b"]) {
        await dynamodb.send(new PutItemCommand({ TableName: "Capped", Item: { id: { S: key }, body: { S: body } } }));
      }
    },
    { id },
  );
  await page.goto(`${app.server.url}#/p/${encodeURIComponent(id)}/dynamodb/Capped`);
  await page.locator(".capacity", { hasText: "On demand (PAY_PER_REQUEST), at most 1 WRU/s" }).waitFor();
  // A 300 KB item costs more than is left: refused, with AWS's error and what to do about it.
  await page.click('button[name="new-item"]');
  await page.click('button[name="mode-plain"]');
  await page.fill('textarea[name="item"]', JSON.stringify({ id: "c", body: "y".repeat(300 * 1024) }));
  await saveButton().click();
  const error = page.locator(".error", { hasText: "ThrottlingException" });
  await error.waitFor();
  assert.equal(
    await error.locator(".error-message").textContent(),
    "Throughput exceeds the maximum OnDemandThroughput configured on table or index",
  );
  assert.match(await error.locator(".error-hint").textContent(), /on-demand maximum/);
  await screenshot(page, "explorer-throttled");
});

test("capacity: a table created provisioned in the form, switched to on demand with a maximum, and back", async () => {
  await page.goto(`${app.server.url}#/p/${encodeURIComponent(id)}/dynamodb`);
  await page.fill('input[name="table-name"]', "Metered");
  await page.fill('input[name="partition-key"]', "id");
  await page.selectOption('select[name="capacity-mode"]', "PROVISIONED");
  // The console's proposal for a new provisioned table.
  assert.equal(await page.inputValue('input[name="capacity-read"]'), "5");
  await page.fill('input[name="capacity-read"]', "2");
  await page.fill('input[name="capacity-write"]', "1");
  await screenshot(page, "explorer-create-provisioned");
  await page.click('button:has-text("Create table")');
  await page.waitForURL(/dynamodb\/Metered$/);
  await page.locator(".capacity", { hasText: "Provisioned: 2 RCU, 1 WCU" }).waitFor();

  // The same units again: DynamoDB's refusal, shown where the change was asked for.
  await page.click('button[name="change-capacity"]');
  await page.click('button[name="save-capacity"]');
  const error = page.locator(".capacity-edit .error", { hasText: "ValidationException" });
  await error.waitFor();
  assert.match(await error.locator(".error-message").textContent(), /will not change/);

  await page.selectOption('.capacity-edit select[name="capacity-mode"]', "PAY_PER_REQUEST");
  assert.equal(await page.inputValue('.capacity-edit input[name="capacity-read"]'), "", "no maximum unless one is typed");
  await page.fill('.capacity-edit input[name="capacity-write"]', "3");
  await screenshot(page, "explorer-capacity-edit");
  await page.click('button[name="save-capacity"]');
  await page.locator(".capacity", { hasText: "On demand (PAY_PER_REQUEST), at most 3 WRU/s" }).waitFor();
  const described = await page.evaluate(async (id) => {
    const { DescribeTableCommand } = nimbus.aws.dynamodb;
    return (await nimbus.sdk(id).dynamodb.send(new DescribeTableCommand({ TableName: "Metered" }))).Table;
  }, id);
  assert.equal(described.BillingModeSummary.BillingMode, "PAY_PER_REQUEST");
  assert.deepEqual(described.OnDemandThroughput, { MaxReadRequestUnits: -1, MaxWriteRequestUnits: 3 });

  // Back to provisioned (an on-demand table describes 0 units: the form proposes the console's 5).
  await page.click('button[name="change-capacity"]');
  await page.selectOption('.capacity-edit select[name="capacity-mode"]', "PROVISIONED");
  assert.equal(await page.inputValue('.capacity-edit input[name="capacity-read"]'), "5");
  await page.fill('.capacity-edit input[name="capacity-write"]', "2");
  await page.click('button[name="save-capacity"]');
  await page.locator(".capacity", { hasText: "Provisioned: 5 RCU, 2 WCU" }).waitFor();
  await screenshot(page, "explorer-capacity-back");
});

test("indexes: a GSI added in the settings is queried at once, then deleted", async () => {
  await page.goto(`${app.server.url}#/p/${encodeURIComponent(id)}/dynamodb/Orders`);
  await page.locator("table.indexes tbody tr").first().waitFor();
  // A name the table already has: DynamoDB's refusal, beside the form.
  await page.click('button[name="add-index"]');
  await page.fill('input[name="index-name"]', "byStatus");
  await page.fill('input[name="index-partition-key"]', "total");
  await page.selectOption('select[name="index-partition-key-type"]', "N");
  await page.click('button[name="create-index"]');
  const refused = page.locator(".index-edit .error", { hasText: "ValidationException" });
  await refused.waitFor();
  assert.equal(await refused.locator(".error-message").textContent(), "Attempting to create an index which already exists");

  await page.fill('input[name="index-name"]', "byTotal");
  await page.selectOption('select[name="index-projection"]', "INCLUDE");
  await page.fill('input[name="index-non-key"]', "status");
  await screenshot(page, "explorer-add-index");
  await page.click('button[name="create-index"]');
  const row = page.locator('table.indexes tr[data-index="byTotal"]');
  await row.waitFor();
  assert.deepEqual((await row.locator("td").allTextContents()).slice(0, 4), [
    "byTotal",
    "GSI",
    "Partition key total (Number)",
    "INCLUDE (status)",
  ]);
  await screenshot(page, "explorer-index-added");

  // The builder offers it: c9's order of 999, its keys and the projected status.
  await page.selectOption('select[name="operation"]', "Query");
  await page.selectOption('select[name="index"]', "byTotal");
  await page.fill('input[name="pk-value"]', "999");
  await page.click('button[name="run"]');
  await page.locator(".page-info", { hasText: "Count 1 · ScannedCount 1" }).waitFor();
  assert.deepEqual(await column("customer"), ["c9"]);
  assert.deepEqual((await headers()).slice(0, 4), ["customer", "n", "total", "status"]);

  await row.locator('button[name="delete-index"]').click();
  await row.locator('button[name="delete-index-for-good"]').click();
  await row.waitFor({ state: "detached" });
  assert.deepEqual(await page.locator("table.indexes td.key").allTextContents(), ["byStatus"]);
});

test("the page logged no errors", () => {
  assert.deepEqual(app.browser.errors.filter((e) => !/favicon/.test(e)), []);
});
