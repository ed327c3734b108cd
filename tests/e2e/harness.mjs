// Shared by the end-to-end tests: serve dist/ on a free loopback port and drive Chromium.
import { createServer } from "node:http";
import { readFile, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { crc32 } from "node:zlib";
import { after } from "node:test";
import { chromium } from "playwright-core";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// NIMBUS_DIST points the tests at another build (e.g. one made beside a build in progress).
export const DIST = process.env.NIMBUS_DIST ?? path.join(ROOT, "dist");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm", // WebAssembly.instantiateStreaming insists on this type
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

/** Serves dist/ on 127.0.0.1 at a port the OS picks; resolves to { url, close }. */
export async function serveDist() {
  await stat(path.join(DIST, "index.html")).catch(() => {
    throw new Error("dist/index.html is missing: run `npm run build` first");
  });
  const server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = path.join(DIST, pathname === "/" ? "index.html" : pathname);
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Chromium with a fresh profile (so IndexedDB starts empty) and the page's console errors
 * collected in `errors`; `close()` removes the profile.
 */
export async function launch() {
  const profile = await mkdtemp(path.join(tmpdir(), "nimbus-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 860 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The app for one test file. `await app.open()` (first thing in the file's `before`: Node 20
 * runs a file's root hooks concurrently, so there is one) serves dist/ and opens it in a fresh
 * browser profile, and answers the page; after the file's tests, both close. The fields are
 * `{ server, browser, page }`.
 */
export function useApp() {
  const app = {
    async open() {
      app.server = await serveDist();
      app.browser = await launch();
      app.page = app.browser.page;
      await app.page.goto(app.server.url);
      await appReady(app.page);
      return app.page;
    },
  };
  after(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  return app;
}

/** Waits until the wasm app has started and the SDK bundle is loaded. */
export async function appReady(page) {
  await page.waitForFunction(() => window.wasmBindings && window.nimbus && window.nimbus.sdk, null, {
    timeout: 30_000,
  });
}

export async function screenshot(page, name) {
  await page.screenshot({ path: `/tmp/nimbus-${name}.png`, fullPage: true });
}

/** The playground id in the page's `#/p/<id>/...` address. */
export const playgroundId = (page) => decodeURIComponent(new URL(page.url()).hash.split("/")[2]);

/** Makes a playground named `name` from the playground list, opens it and answers its id. */
export async function newPlayground(page, name) {
  await page.fill('input[name="playground-name"]', name);
  await page.click('button:has-text("New playground")');
  await page.waitForURL(/#\/p\//);
  return playgroundId(page);
}

/** A zip archive (stored, no compression) of `files`: name -> text, as `aws lambda` uploads. */
export function zip(files) {
  const local = [];
  const central = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = crc32(data);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    local.push(header, nameBytes, data);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += header.length + nameBytes.length + data.length;
  }
  const centralBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return [...Buffer.concat([...local, centralBytes, end])];
}
