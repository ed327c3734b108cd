// The acceptance test of the Lambda playground (issue 3, "Done when"), followed literally and through
// the UI: write a function in the editor, deploy, invoke it with a saved test event, see its logs,
// have it write an item to DynamoDB through @aws-sdk/lib-dynamodb, reload and find everything, then
// open the share link in a fresh browser profile and get the same function and the same result.
// Needs a built dist/ (`PATH=$PWD/node_modules/.bin:$PATH trunk build --release`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { useApp, launch, appReady } from "./harness.mjs";
import * as ui from "./lambda-ui.mjs";

const app = useApp();
let alice; // writes, deploys, invokes and shares
let bob; // a fresh profile that opens the share link

before(async () => {
  await app.open();
  alice = app.browser;
});

after(async () => {
  await bob?.close();
});

const CODE = `import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, GetCommand } from "@aws-sdk/lib-dynamodb";

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event) => {
  const item = { id: event.orderId, customer: event.customer, total: event.quantity * event.price };
  await doc.send(new PutCommand({ TableName: "orders", Item: item }));
  console.log("stored order", item.id, "for", item.customer);
  const { Item } = await doc.send(new GetCommand({ TableName: "orders", Key: { id: event.orderId } }));
  return { receipt: Item.customer + " owes " + Item.total, stored: Item };
};
`;
const EVENT = { orderId: "o-42", customer: "Ana", quantity: 3, price: 7 };
const RESULT = { receipt: "Ana owes 21", stored: { id: "o-42", customer: "Ana", total: 21 } };

/** The item row the DynamoDB table view shows for the order, checked attribute by attribute. */
async function assertItemInTableView(page) {
  await page.locator('.tree[data-service="dynamodb"] .tree-item', { hasText: "orders" }).click();
  await page.waitForURL(/dynamodb\/orders$/);
  const row = page.locator("table.items tr", { hasText: "o-42" });
  await row.waitFor();
  // The grid has a column per attribute; each cell shows the value with its type as the title.
  for (const [column, value, type] of [["customer", "Ana", "S"], ["total", "21", "N"]]) {
    const cell = row.locator(`td[data-col="${column}"]`);
    assert.equal(await cell.textContent(), value);
    assert.equal(await cell.getAttribute("title"), type);
  }
  // And the same item through the page's own SDK.
  const id = ui.playgroundId(page);
  const got = await page.evaluate(
    (id) => nimbus.sdk(id).documentClient.send(new nimbus.aws.libDynamodb.GetCommand({ TableName: "orders", Key: { id: "o-42" } })),
    id,
  );
  assert.deepEqual(got.Item, RESULT.stored);
}

/** Opens function `name` from the sidebar and waits for its editor. */
async function openFunction(page, name) {
  await page.locator('.tree[data-service="lambda"] .tree-item', { hasText: name }).click();
  await page.waitForURL(new RegExp(`lambda/${name}$`));
  await page.locator(".editor .cm-content").waitFor();
}

/** Invokes with Ctrl+Enter and checks the result panel, its log tail and the live log panel. */
async function invokeAndCheck(page) {
  const { payload, head } = await ui.invokeWithKeys(page);
  assert.deepEqual(payload, RESULT);
  assert.match(head, /Succeeded/);
  assert.match(head, /Status 200/);
  const tail = await page.locator(".fn-result .result-log").innerText();
  assert.match(tail, /START RequestId: /);
  assert.match(tail, /stored order o-42 for Ana/);
  assert.match(tail, /REPORT RequestId: .*Duration: /);
  await ui.waitForLogs(page, ["stored order o-42 for Ana"]);
}

test("acceptance: write, deploy, invoke with a saved event, logs, DynamoDB via lib-dynamodb, reload, share", async () => {
  const page = alice.page;
  await ui.newPlayground(page, "Orders");

  // The table, through the DynamoDB view.
  await page.click('.tree[data-service="dynamodb"] .tree-head');
  await page.fill('input[name="table-name"]', "orders");
  await page.fill('input[name="partition-key"]', "id");
  await page.click('button:has-text("Create table")');
  await page.waitForURL(/dynamodb\/orders$/);
  await page.locator(".table-summary", { hasText: "ACTIVE" }).waitFor();

  // The function, written in the editor and deployed with Ctrl+S.
  await ui.createFunctionInUi(page, "orders");
  await ui.typeIntoEditor(page, CODE);
  await page.locator(".tab.changed", { hasText: "index.mjs" }).waitFor();
  await ui.deployWithKeys(page);
  assert.equal(await page.locator(".tab.changed").count(), 0);

  // A saved test event, then Ctrl+Enter: the result, the logs.
  await ui.saveTestEvent(page, "order42", JSON.stringify(EVENT, null, 2));
  assert.equal(await page.inputValue('select[name="test-event"]'), "order42");
  await invokeAndCheck(page);

  // The item is in the table.
  await assertItemInTableView(page);

  // Reload: the code, the saved event, the logs and the item are all still there.
  await page.reload();
  await appReady(page);
  await page.locator(".table-summary", { hasText: "ACTIVE" }).waitFor();
  await assertItemInTableView(page);
  await openFunction(page, "orders");
  assert.equal(await ui.editorText(page), CODE);
  assert.equal(await page.inputValue('select[name="test-event"]'), "order42");
  assert.deepEqual(JSON.parse(await page.inputValue('textarea[name="event-json"]')), EVENT);
  await ui.waitForLogs(page, ["stored order o-42 for Ana"]);
  await page.screenshot({ path: "/tmp/nimbus-acceptance-alice.png", fullPage: true });
  assert.deepEqual(alice.errors, []);

  // Share, and open the link in a fresh profile (another IndexedDB: nothing of Alice's is there).
  const link = await ui.shareLink(page);
  assert.match(link, /#\/share\/[A-Za-z0-9_-]+$/);
  bob = await launch();
  const other = bob.page;
  await other.goto(link);
  await appReady(other);
  await other.getByRole("heading", { name: "A shared playground" }).waitFor();
  await other.locator("li.share-function", { hasText: "orders" }).waitFor();
  // The link holds the table and the item the function wrote, as seed data.
  await other.locator("li.share-table", { hasText: "orders" }).getByText("1 item").waitFor();
  await other.click('button:has-text("Create playground")');
  await other.waitForURL(/#\/p\//);

  // The same function, the same code, the same saved test event, the same result.
  await openFunction(other, "orders");
  assert.equal(await ui.editorText(other), CODE);
  assert.equal(await other.inputValue('select[name="test-event"]'), "order42", "the saved test event came with the link");
  assert.deepEqual(JSON.parse(await other.inputValue('textarea[name="event-json"]')), EVENT);
  await invokeAndCheck(other);
  await other.screenshot({ path: "/tmp/nimbus-acceptance-bob.png", fullPage: true });
  await assertItemInTableView(other);
  assert.deepEqual(bob.errors, []);
});
