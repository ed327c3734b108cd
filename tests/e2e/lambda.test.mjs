// The Lambda function page, as a person uses it: write code in the CodeMirror editor, deploy with
// Ctrl+S, save a test event, invoke with Ctrl+Enter, read the result and the logs, change the
// configuration, reload and find it all again. Needs a built dist/ (`npm run build`).
import { test, before, afterEach } from "node:test";
import assert from "node:assert/strict";
import { useApp, appReady, screenshot } from "./harness.mjs";
import * as ui from "./lambda-ui.mjs";

const app = useApp();
let page;

before(async () => {
  page = await app.open();
});

afterEach(async (t) => {
  await screenshot(page, `lambda-after-${t.name.replace(/^lambda: /, "").split(/[ ,]/)[0]}`).catch(() => {});
});

const notice = (text) => ui.notice(page, text);
const editorText = () => ui.editorText(page);
const typeIntoEditor = (text) => ui.typeIntoEditor(page, text);

const INDEX = `import { greet } from "./util.mjs";

let invocations = 0; // module state survives in a warm execution environment

export const handler = async (event, context) => {
  invocations += 1;
  console.log("greeting", event.name);
  return { greeting: greet(event.name), invocations, fn: context.functionName };
};
`;
const UTIL = `export const greet = (name) => "Hello, " + name + "!";\n`;

test("lambda: write, deploy, save a test event, invoke, see result and logs, reload", async () => {
  await ui.newPlayground(page, "Lambda test");
  await ui.createFunctionInUi(page, "hello");

  // The starter code is in the editor, in the handler's file.
  assert.match(await editorText(), /export const handler = async \(event, context\)/);
  assert.equal(await page.locator(".tab.current").innerText(), "index.mjs");

  // A second file, then the handler that imports it.
  await page.click('button:has-text("+ File")');
  await page.fill('input[name="new-file"]', "util.mjs");
  await page.click('form.inline button:has-text("Add")');
  await page.locator(".tab.current", { hasText: "util.mjs" }).waitFor();
  await typeIntoEditor(UTIL);
  await page.locator(".tab", { hasText: "index.mjs" }).click();
  await typeIntoEditor(INDEX);
  assert.equal(await page.locator(".tab.changed").count(), 2, "both files are marked unsaved");

  // Ctrl+S deploys (and the browser's save dialog stays shut: the key is consumed).
  await page.evaluate(() =>
    window.addEventListener("keydown", (e) => {
      if (e.key.toLowerCase() === "s") window.lastKeyPrevented = e.defaultPrevented;
    }),
  );
  await page.keyboard.press("Control+S");
  assert.equal(await page.evaluate(() => window.lastKeyPrevented), true);
  await notice("Deployed.").waitFor();
  assert.equal(await page.locator(".tab.changed").count(), 0);

  // A saved test event: invalid JSON is flagged as typed and cannot be saved.
  await page.click('button[name="new-event"]');
  await page.fill('input[name="event-name"]', "alice");
  await page.click('.new-event button:has-text("Create")');
  await notice("Test event saved.").waitFor();
  await page.fill('textarea[name="event-json"]', '{"name": "Alice"');
  await page.locator(".fn-events .field-error", { hasText: "Invalid JSON" }).waitFor();
  assert.equal(await page.isDisabled('button[name="save-event"]'), true);
  await page.fill('textarea[name="event-json"]', '{"name": "Alice"}');
  await page.click('button[name="save-event"]');
  await notice("Test event saved.").waitFor();

  // Ctrl+Enter in the editor invokes with the chosen event.
  await page.locator(".editor .cm-content").click();
  await page.keyboard.press("Control+Enter");
  const payload = page.locator(".fn-result .result-payload");
  await payload.waitFor({ timeout: 30_000 });
  assert.deepEqual(JSON.parse(await payload.innerText()), { greeting: "Hello, Alice!", invocations: 1, fn: "hello" });
  const head = await page.locator(".fn-result .result-head").innerText();
  assert.match(head, /Succeeded/);
  assert.match(head, /Status 200/);
  assert.match(head, /Duration [\d.]+ ms/);
  const tail = await page.locator(".fn-result .result-log").innerText();
  assert.match(tail, /START RequestId: /);
  assert.match(tail, /greeting Alice/);
  assert.match(tail, /REPORT RequestId: .*Duration: /);
  // No blank line was inserted by CodeMirror's own Mod-Enter.
  assert.equal(await editorText(), INDEX);

  // The live log panel shows the platform lines and the function's own.
  const logs = ui.logLines(page);
  await ui.waitForLogs(page, ["greeting Alice"]);

  // A second invoke reuses the warm environment.
  await page.click('button[name="test"]');
  await page.locator(".fn-result .result-payload", { hasText: '"invocations": 2' }).waitFor();

  // Configuration: limits checked as typed, with Lambda's messages; Save is off while invalid.
  await page.fill('input[name="config-memory"]', "64");
  await page.locator(".fn-config .field-error", { hasText: "Member must have value greater than or equal to 128" }).waitFor();
  assert.equal(await page.isDisabled('button[name="save-config"]'), true);
  await page.fill('input[name="config-memory"]', "256");
  await page.fill('input[name="config-timeout"]', "901");
  await page.locator(".fn-config .field-error", { hasText: "less than or equal to 900" }).waitFor();
  await page.fill('input[name="config-timeout"]', "10");
  await page.click('button[name="add-variable"]');
  await page.locator(".env-row .env-key").last().fill("AWS_REGION");
  await page.locator(".env-row .env-value").last().fill("eu-west-1");
  await page.locator(".fn-config .field-error", { hasText: "reserved keys" }).waitFor();
  assert.equal(await page.isDisabled('button[name="save-config"]'), true);
  await page.locator(".env-row .env-key").last().fill("GREETING");
  await page.locator(".env-row .env-value").last().fill("hi");
  await page.fill('input[name="config-concurrency"]', "5");
  assert.equal(await page.isDisabled('button[name="save-config"]'), false);
  await page.click('button[name="save-config"]');
  await notice("Configuration saved.").waitFor();
  await page.locator(".fn-summary", { hasText: "256 MB · 10 s timeout" }).waitFor();

  await screenshot(page, "lambda-function");
  await page.locator(".fn-grid").screenshot({ path: "/tmp/nimbus-lambda-editor.png" });
  await page.locator(".fn-logs").screenshot({ path: "/tmp/nimbus-lambda-logs.png" });
  await page.locator(".fn-config").screenshot({ path: "/tmp/nimbus-lambda-config.png" });

  // After a reload: the code, both files, the event, the logs and the configuration are back.
  await page.reload();
  await appReady(page);
  await page.locator(".editor .cm-content").waitFor();
  assert.equal(await editorText(), INDEX);
  assert.deepEqual(await page.locator(".tab").allInnerTexts(), ["index.mjs", "util.mjs"]);
  assert.equal(await page.inputValue('select[name="test-event"]'), "alice");
  assert.deepEqual(JSON.parse(await page.inputValue('textarea[name="event-json"]')), { name: "Alice" });
  await logs.locator(".log-line.platform", { hasText: "REPORT RequestId" }).first().waitFor();
  await logs.locator(".log-line", { hasText: "greeting Alice" }).first().waitFor();
  assert.equal(await page.inputValue('input[name="config-memory"]'), "256");
  assert.equal(await page.inputValue('input[name="config-concurrency"]'), "5");
  assert.equal(await page.inputValue(".env-row .env-key"), "GREETING");
  assert.deepEqual(app.browser.errors, []);
});

test("lambda: a failing function shows its error payload", async () => {
  await typeIntoEditor(`export const handler = async () => {\n  throw new TypeError("boom");\n};\n`);
  await page.keyboard.press("Control+Enter");
  const payload = page.locator(".fn-result .result-payload", { hasText: "boom" });
  await payload.waitFor({ timeout: 30_000 });
  const error = JSON.parse(await payload.innerText());
  assert.equal(error.errorType, "TypeError");
  assert.equal(error.errorMessage, "boom");
  assert.match(await page.locator(".fn-result .result-head").innerText(), /Failed · Unhandled error/);
  // Invoking deployed the edit first: the tab is no longer marked.
  assert.equal(await page.locator(".tab.changed").count(), 0);
});

test("lambda: a crash after the answer shows in the logs without another call", async () => {
  await typeIntoEditor(`export const handler = async () => {\n  setTimeout(() => { throw new TypeError("after the answer"); }, 50);\n  return "answered";\n};\n`);
  await page.keyboard.press("Control+Enter");
  await page.locator(".fn-result .result-payload", { hasText: "answered" }).waitFor({ timeout: 30_000 });
  // Lambda logs the crash as it ends the environment; the Logs panel refreshes on its own.
  const crash = page.locator(".fn-logs .log-line", { hasText: "after the answer" });
  await crash.first().waitFor({ timeout: 10_000 });
  assert.match(await crash.first().innerText(), /ERROR\s+Uncaught Exception/);
  await page.locator(".fn-logs").screenshot({ path: "/tmp/nimbus-lambda-crash-logs.png" });
});

test("lambda: a test event from the console's DynamoDB template arrives as a stream batch", async () => {
  await typeIntoEditor(`export const handler = async (event) => event.Records.map((r) => r.eventName + " " + r.dynamodb.Keys.Id.N);\n`);
  await page.click('button[name="new-event"]');
  await page.fill('input[name="event-name"]', "stream");
  await page.selectOption('select[name="event-template"]', { label: "dynamodb-update" });
  await page.click('.new-event button:has-text("Create")');
  await notice("Test event saved.").waitFor();
  assert.equal(await page.inputValue('select[name="test-event"]'), "stream");
  const event = JSON.parse(await page.inputValue('textarea[name="event-json"]'));
  assert.equal(event.Records[0].eventSource, "aws:dynamodb");
  await page.keyboard.press("Control+Enter");
  const payload = page.locator(".fn-result .result-payload", { hasText: "REMOVE" });
  await payload.waitFor({ timeout: 30_000 });
  assert.deepEqual(JSON.parse(await payload.innerText()), ["INSERT 101", "MODIFY 101", "REMOVE 101"]);
});

test("lambda: delete the function", async () => {
  await page.click('button:has-text("Delete function")');
  await page.click('button:has-text("Delete for good")');
  await page.waitForURL(/\/lambda$/);
  await page.getByText("None yet.").waitFor();

  // A name Lambda refuses gets Lambda's own error, shown as code + message.
  await page.fill('input[name="function-name"]', "bad name!");
  await page.click('button:has-text("Create function")');
  await page.locator(".error .error-code", { hasText: "ValidationException" }).waitFor();
  assert.match(await page.locator(".error .error-message").innerText(), /functionName/);
  await screenshot(page, "lambda-list");
});
