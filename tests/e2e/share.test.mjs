// Share links and export/import, as two people in two browsers see them: one builds a playground
// and shares it, the other opens the link in a fresh profile, sees what it holds, creates the
// playground and finds the same table, items and function code. Needs a built dist/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { useApp, launch, appReady, screenshot } from "./harness.mjs";
import { newPlayground, playgroundId, saveTestEvent, shareLink } from "./lambda-ui.mjs";

const app = useApp();
let alice; // the browser profile that builds and shares
let bob; // a fresh profile that opens the link

before(async () => {
  await app.open();
  alice = app.browser;
});

after(async () => {
  await bob?.close();
});

// ---- a deployment package, built here (stored entries) ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip of `files` ({path: text}) with stored entries, as base64. */
function zipBase64(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(name);
    const header = Buffer.alloc(26);
    header.writeUInt16LE(20, 0); // version needed
    header.writeUInt32LE(crc32(data), 10);
    header.writeUInt32LE(data.length, 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt16LE(nameBytes.length, 22);
    const local = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), header, nameBytes, data]);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    header.copy(central, 6);
    central.writeUInt32LE(offset, 42);
    centrals.push(Buffer.concat([central, nameBytes]));
    locals.push(local);
    offset += local.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length, 8);
  end.writeUInt16LE(centrals.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]).toString("base64");
}

const FILES = {
  "index.mjs":
    "import { shout } from './lib/shout.mjs';\n\nexport const handler = async (event) => ({ message: shout(`hello ${event.name}`) });\n",
  "lib/shout.mjs": "export const shout = (text) => text.toUpperCase() + '!';\n",
};
const ITEMS = [
  { id: { S: "1" }, text: { S: "buy milk" } },
  { id: { S: "2" }, text: { S: "call Ana" } },
  { id: { S: "3" }, text: { S: "ship it" } },
];

/** Runs one operation in playground `id` through the app's wasm bindings. */
async function call(page, id, service, operation, input) {
  return page.evaluate(
    async ([id, service, operation, input]) => {
      const playground = await window.wasmBindings.openPlayground(id);
      try {
        return JSON.parse(await playground.call(service, operation, JSON.stringify(input)));
      } finally {
        playground.free();
      }
    },
    [id, service, operation, input],
  );
}

/** What a person checks after opening a copy: the table, its items, the function. */
async function assertSameContent(page) {
  const id = playgroundId(page);
  await page.locator('.tree[data-service="dynamodb"] .tree-item', { hasText: "notes" }).waitFor();
  await page.locator('.tree[data-service="lambda"] .tree-item', { hasText: "shouter" }).waitFor();
  const scan = await call(page, id, "dynamodb", "Scan", { TableName: "notes" });
  const texts = scan.Items.map((item) => item.text.S).sort();
  assert.deepEqual(texts, ["buy milk", "call Ana", "ship it"]);
  const config = await call(page, id, "lambda", "GetFunctionConfiguration", { FunctionName: "shouter" });
  assert.equal(config.Handler, "index.handler");
  assert.equal(config.Timeout, 7);
  assert.deepEqual(config.Environment.Variables, { GREETING: "hi" });
}

/** Clicks Export in the open playground and reads the downloaded definition. */
async function exportDefinition(page) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(".share-actions button.export")]);
  const dir = await mkdtemp(path.join(tmpdir(), "nimbus-export-"));
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  return { file, name: download.suggestedFilename(), definition: JSON.parse(await readFile(file, "utf8")) };
}

test("a share link opened in a fresh browser recreates the playground", async () => {
  const page = alice.page;
  await newPlayground(page, "Notes demo");
  const id = playgroundId(page);
  await call(page, id, "dynamodb", "CreateTable", {
    TableName: "notes",
    AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  });
  for (const Item of ITEMS) await call(page, id, "dynamodb", "PutItem", { TableName: "notes", Item });
  await call(page, id, "lambda", "CreateFunction", {
    FunctionName: "shouter",
    Runtime: "nodejs20.x",
    Handler: "index.handler",
    Role: "arn:aws:iam::123456789012:role/lambda-role",
    Timeout: 7,
    Environment: { Variables: { GREETING: "hi" } },
    Code: { ZipFile: zipBase64(FILES) },
  });
  await page.click("button.refresh");
  await assertSameContent(page);
  // A saved test event travels too, its members in the order they were written.
  await page.locator('.tree[data-service="lambda"] .tree-item', { hasText: "shouter" }).click();
  await saveTestEvent(page, "order", '{"zone": "eu", "id": 7, "name": "Ana"}');

  await alice.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.server.url });
  const link = await shareLink(page);
  const dialog = page.locator(".share-dialog");
  assert.match(link, new RegExp(`^${app.server.url.replace(/[.]/g, "\\.")}#/share/[A-Za-z0-9_-]+$`));
  assert.ok(link.length < 4000, `the link is ${link.length} characters`);
  await dialog.locator("button.copy").click();
  await dialog.getByText("Copied to the clipboard.").waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
  await screenshot(page, "share-dialog");
  await dialog.locator("button.close").click();
  assert.equal(await page.locator(".share-dialog").count(), 0);

  // Bob: another profile, so another IndexedDB; nothing of Alice's is there.
  bob = await launch();
  await bob.page.goto(link);
  await appReady(bob.page);
  await bob.page.getByRole("heading", { name: "A shared playground" }).waitFor();
  const fn = bob.page.locator("li.share-function", { hasText: "shouter" });
  await fn.getByText("index.mjs, lib/shout.mjs").waitFor();
  await fn.getByText("nodejs20.x · index.handler").waitFor();
  await bob.page.locator("li.share-table", { hasText: "notes" }).getByText("3 items").waitFor();
  await screenshot(bob.page, "share-landing");
  // Nothing has been created yet: the list is still empty.
  assert.deepEqual(await bob.page.evaluate(() => window.indexedDB.databases().then((d) => d.map((x) => x.name))).then((names) => names.filter((n) => n.startsWith("nimbus-playground-"))), []);

  await bob.page.click('button:has-text("Create playground")');
  await bob.page.waitForURL(/#\/p\//);
  await bob.page.locator(".playground-title", { hasText: "Shared playground" }).waitFor();
  await assertSameContent(bob.page);
  await bob.page.locator('.tree[data-service="lambda"] .tree-item', { hasText: "shouter" }).click();
  const event = bob.page.locator('textarea[name="event-json"]');
  await event.waitFor();
  assert.equal(await event.inputValue(), '{\n  "zone": "eu",\n  "id": 7,\n  "name": "Ana"\n}');
  assert.deepEqual(bob.errors, []);

  // The copy holds the same code: its export carries the same files as the original's.
  const original = await exportDefinition(page);
  const copy = await exportDefinition(bob.page);
  assert.deepEqual(copy.definition.functions[0].files, FILES);
  assert.deepEqual(copy.definition, original.definition);

  // It is a playground like the others and survives a reload.
  await bob.page.reload();
  await appReady(bob.page);
  await assertSameContent(bob.page);
});

test("export downloads <name>.nimbus.json and import makes a new playground from it", async () => {
  const page = alice.page;
  const exported = await exportDefinition(page);
  assert.equal(exported.name, "Notes demo.nimbus.json");
  assert.equal(exported.definition.nimbus, 1);
  assert.deepEqual(exported.definition.tables[0].items.length, 3);

  await page.click('a:has-text("All playgrounds")');
  await page.locator("li.playground", { hasText: "Notes demo" }).waitFor();
  await page.setInputFiles("label.import input[type=file]", exported.file);
  await page.waitForURL(/#\/p\//);
  // Beside the original, under a name of its own.
  await page.locator(".playground-title", { hasText: "Notes demo (2)" }).waitFor();
  await assertSameContent(page);

  // A file that is not a definition says so and creates nothing.
  await page.click('a:has-text("All playgrounds")');
  const bad = path.join(await mkdtemp(path.join(tmpdir(), "nimbus-bad-")), "notes.json");
  await writeFile(bad, JSON.stringify({ hello: "world" }));
  await page.setInputFiles("label.import input[type=file]", bad);
  await page.locator(".error", { hasText: 'no "nimbus" version field' }).waitFor();
  assert.equal(await page.locator("li.playground").count(), 2);
});

test("a damaged link says so and offers the way back", async () => {
  const page = bob.page;
  await page.goto(`${app.server.url}#/share/not-a-real-link`);
  await page.getByRole("heading", { name: "This share link cannot be opened" }).waitFor();
  await page.locator(".error", { hasText: "damaged" }).waitFor();
  await page.click('a:has-text("Go to the playground list")');
  await page.locator("li.playground", { hasText: "Shared playground" }).waitFor();
});
