// Steps of the Lambda function page and the Share dialog that several end-to-end tests take, each
// as a person does it: clicks and keystrokes, waiting for what the page shows.
import assert from "node:assert/strict";

/** A notice (the green confirmation line) holding `text`. */
export const notice = (page, text) => page.locator(".notice", { hasText: text });

/** The document as CodeMirror holds it (innerText would double the blank lines). */
export const editorText = (page) => page.evaluate(() => document.querySelector(".editor").nimbusEditor.getText());

export { newPlayground, playgroundId } from "./harness.mjs";

/** Creates function `name` from the Lambda view, with the default handler; ends on its page. */
export async function createFunctionInUi(page, name) {
  await page.click('.tree[data-service="lambda"] .tree-head');
  await page.fill('input[name="function-name"]', name);
  assert.equal(await page.inputValue('input[name="handler"]'), "index.handler");
  await page.click('button:has-text("Create function")');
  await page.waitForURL(new RegExp(`lambda/${name}$`));
  await page.locator('.tree[data-service="lambda"] .tree-item', { hasText: name }).waitFor();
  await page.locator(".editor .cm-content").waitFor();
}

/** Replaces the editor's document with `text`, typed as the keyboard would insert it. */
export async function typeIntoEditor(page, text) {
  await page.locator(".editor .cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  // insertText skips CodeMirror's bracket closing and auto-indent, so the code lands verbatim.
  await page.keyboard.insertText(text);
}

/** Ctrl+S in the editor, then waits for the deploy to be confirmed. */
export async function deployWithKeys(page) {
  await page.locator(".editor .cm-content").click();
  await page.keyboard.press("Control+S");
  await notice(page, "Deployed.").waitFor();
}

/** Saves a new test event `name` holding `json` (text) for the open function. */
export async function saveTestEvent(page, name, json) {
  await page.click('button[name="new-event"]');
  await page.fill('input[name="event-name"]', name);
  await page.click('.new-event button:has-text("Create")');
  await notice(page, "Test event saved.").waitFor();
  await page.fill('textarea[name="event-json"]', json);
  await page.click('button[name="save-event"]');
  await notice(page, "Test event saved.").waitFor();
}

/** Ctrl+Enter in the editor; resolves to the result panel's payload (parsed) and header text. */
export async function invokeWithKeys(page, { timeout = 30_000 } = {}) {
  await page.locator(".editor .cm-content").click();
  await page.keyboard.press("Control+Enter");
  const payload = page.locator(".fn-result .result-payload");
  await payload.waitFor({ timeout });
  return {
    payload: JSON.parse(await payload.innerText()),
    head: await page.locator(".fn-result .result-head").innerText(),
  };
}

/** The live log panel's lines. */
export const logLines = (page) => page.locator(".fn-logs .log-lines");

/** Waits until the log panel shows START and REPORT platform lines and each of `own` lines. */
export async function waitForLogs(page, own = []) {
  const logs = logLines(page);
  await logs.locator(".log-line.platform", { hasText: "START RequestId" }).first().waitFor();
  await logs.locator(".log-line.platform", { hasText: "REPORT RequestId" }).first().waitFor();
  for (const text of own) await logs.locator(".log-line", { hasText: text }).first().waitFor();
}

/** Opens the Share dialog of the open playground and returns the link it offers. */
export async function shareLink(page) {
  await page.click(".share-actions button.share");
  const dialog = page.locator(".share-dialog");
  await dialog.waitFor();
  return dialog.locator("textarea.share-link").inputValue();
}
