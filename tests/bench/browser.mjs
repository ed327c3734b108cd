// The DynamoDB benchmark in headless Chromium: the workload that `nimbus-bench workload` prints
// (the same one `nimbus-bench run` measures natively) runs in the built app (dist/) through the
// page's playground handle, on IndexedDB, each call awaited (it resolves once durably committed)
// and timed with performance.now(). The table is printed by `nimbus-bench report`.
//
//   node tests/bench/browser.mjs [--seed N]     (after `cargo build --release -p nimbus-bench`
//                                                 and a trunk build of dist/)
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { appReady, launch, serveDist } from "../e2e/harness.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BENCH = process.env.NIMBUS_BENCH ?? path.join(ROOT, "target/release/nimbus-bench");
const seedAt = process.argv.indexOf("--seed");
const seedArgs = seedAt > 0 ? ["--seed", process.argv[seedAt + 1]] : [];

const workload = execFileSync(BENCH, ["workload", ...seedArgs], {
  encoding: "utf8",
  maxBuffer: 256 * 1024 * 1024,
});

const site = await serveDist();
const browser = await launch();
try {
  // Cross-origin isolation refines performance.now() from 100 µs to 5 µs steps, which a GetItem
  // needs to be measured at all; everything here is same-origin, so nothing else changes.
  await browser.context.route(`${site.url}**`, async (route) => {
    const response = await route.fetch();
    const headers = {
      ...response.headers(),
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    };
    await route.fulfill({ response, headers });
  });
  await browser.page.goto(site.url);
  await appReady(browser.page);
  const timings = await browser.page.evaluate(async (workloadJson) => {
    if (!self.crossOriginIsolated) throw new Error("the page is not cross-origin isolated");
    const steps = JSON.parse(workloadJson);
    // A playground of its own (a fresh IndexedDB database), not the one the app shows.
    const playground = await window.wasmBindings.openPlayground(`bench-${Date.now()}`);
    const call = async (service, operation, inputJson) => {
      try {
        return await playground.call(service, operation, inputJson);
      } catch (e) {
        throw new Error(`${operation} failed: ${e?.code ?? ""} ${e?.message ?? e}`);
      }
    };
    const results = [];
    for (const step of steps) {
      // Serialised before timing: the native run times the request, not building it.
      const inputs = step.calls.map((c) => JSON.stringify(c.input));
      const millis = [];
      const started = performance.now();
      for (let i = 0; i < step.calls.length; i++) {
        const operation = step.calls[i].operation;
        let input = inputs[i];
        let total = 0;
        for (;;) {
          const t0 = performance.now();
          const output = await call(step.service, operation, input);
          total += performance.now() - t0;
          // A Scan page ends at 1 MB: go on from LastEvaluatedKey, as one operation.
          const last = step.followPages ? JSON.parse(output).LastEvaluatedKey : undefined;
          if (!last) break;
          input = JSON.stringify({ ...step.calls[i].input, ExclusiveStartKey: last });
        }
        millis.push(total);
      }
      results.push({ name: step.name, millis, wallMillis: performance.now() - started });
    }
    return results;
  }, workload);
  if (browser.errors.length) console.error("page errors:", browser.errors.join("\n"));
  const table = execFileSync(BENCH, ["report", "browser (headless Chromium, IndexedDB)"], {
    input: JSON.stringify(timings),
    encoding: "utf8",
  });
  process.stdout.write(table);
} finally {
  await browser.close();
  await site.close();
}
