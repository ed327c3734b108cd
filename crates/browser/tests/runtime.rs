//! The Lambda runtime in the page (js/runtime.js): run with
//! `cargo test -p nimbus-browser --target wasm32-unknown-unknown --test runtime` (headless Chromium).
//! The `@aws-sdk/*` modules inside functions are tested end to end (tests/e2e/runtime.test.mjs):
//! the test runner serves no `lambda-sdk/` bundles.

use base64::Engine as _;
use nimbus_browser::Playground;
use nimbus_core::services::lambda::zip;
use serde_json::{json, Value};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ROLE: &str = "arn:aws:iam::123456789012:role/lambda-role";

async fn fresh(id: &str) -> Playground {
    nimbus_browser::delete_database(id).await.unwrap();
    Playground::open(id).await.unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn create(playground: &Playground, name: &str, files: &[(&str, &str)], timeout: u32) {
    let package = zip::write(files.iter().map(|(n, c)| (*n, c.as_bytes())), true);
    playground
        .call(
            "lambda",
            "CreateFunction",
            json!({"FunctionName": name, "Runtime": "nodejs22.x", "Role": ROLE,
                   "Handler": "index.handler", "Code": {"ZipFile": b64(&package)},
                   "Timeout": timeout, "Environment": {"Variables": {"STAGE": "test"}}}),
        )
        .await
        .unwrap();
}

/// Invokes synchronously; answers the InvocationResponse with `Payload` decoded as JSON.
async fn invoke(playground: &Playground, name: &str, event: Value) -> Value {
    let mut response = playground
        .call(
            "lambda",
            "Invoke",
            json!({"FunctionName": name, "Payload": b64(event.to_string().as_bytes())}),
        )
        .await
        .unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(response["Payload"].as_str().unwrap())
        .unwrap();
    response["Payload"] = serde_json::from_slice(&payload).unwrap();
    response
}

/// Every message the function's log group holds, oldest first.
async fn log_messages(playground: &Playground, name: &str) -> Vec<String> {
    let group = json!({"logGroupName": format!("/aws/lambda/{name}")});
    let Ok(events) = playground.call("logs", "FilterLogEvents", group).await else {
        return Vec::new(); // no log group yet
    };
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect()
}

#[wasm_bindgen_test]
async fn es_module_handlers_get_the_event_context_and_environment() {
    let playground = fresh("runtime-esm").await;
    let code = r#"
import { greeting } from "./lib/greet.mjs";
export const handler = async (event, context) => {
  console.log("event %j from %s", event, context.functionName);
  return {
    message: greeting(event.name),
    requestId: context.awsRequestId,
    arn: context.invokedFunctionArn,
    memory: context.memoryLimitInMB,
    group: context.logGroupName,
    stream: context.logStreamName,
    remaining: context.getRemainingTimeInMillis(),
    stage: process.env.STAGE,
    region: process.env.AWS_REGION,
    root: process.env.LAMBDA_TASK_ROOT,
    handlerVar: process.env._HANDLER,
  };
};
"#;
    let lib = "export const greeting = (name) => `Hello, ${name}!`;";
    create(
        &playground,
        "esm",
        &[("index.mjs", code), ("lib/greet.mjs", lib)],
        3,
    )
    .await;
    let response = invoke(&playground, "esm", json!({"name": "Ada"})).await;
    assert_eq!(response["StatusCode"], 200);
    assert_eq!(response.get("FunctionError"), None, "{response}");
    let got = &response["Payload"];
    assert_eq!(got["message"], "Hello, Ada!");
    assert_eq!(
        got["arn"],
        "arn:aws:lambda:us-east-1:123456789012:function:esm"
    );
    assert_eq!(got["memory"], "128");
    assert_eq!(got["group"], "/aws/lambda/esm");
    assert!(got["stream"].as_str().unwrap().contains("[$LATEST]"));
    let remaining = got["remaining"].as_f64().unwrap();
    assert!(remaining > 2000.0 && remaining <= 3000.0, "{remaining}");
    assert_eq!(got["stage"], "test");
    assert_eq!(got["region"], "us-east-1");
    assert_eq!(got["root"], "/var/task");
    assert_eq!(got["handlerVar"], "index.handler");

    let request_id = got["requestId"].as_str().unwrap();
    let log = log_messages(&playground, "esm").await;
    let line = log.iter().find(|l| l.contains("\tINFO\t")).unwrap();
    assert!(
        line.ends_with(&format!(
            "\t{request_id}\tINFO\tevent {{\"name\":\"Ada\"}} from esm\n"
        )),
        "{line:?}"
    );
}

#[wasm_bindgen_test]
async fn common_js_handlers_with_callbacks_and_relative_requires() {
    let playground = fresh("runtime-cjs").await;
    let code = r#"
const { double } = require("./math");
exports.handler = (event, context, callback) => {
  console.log({ n: event.n, list: [1, "a"] });
  const decoded = Buffer.from("aMOpbGxv", "base64").toString();
  const node = process.version.split(".")[0];
  setTimeout(() => callback(null, { doubled: double(event.n), decoded, node }), 10);
};
"#;
    let math = "module.exports = { double: (n) => n * 2 };";
    create(
        &playground,
        "cjs",
        &[("index.js", code), ("math.js", math)],
        3,
    )
    .await;
    let response = invoke(&playground, "cjs", json!({"n": 21})).await;
    assert_eq!(
        response["Payload"],
        json!({"doubled": 42, "decoded": "héllo", "node": "v22"})
    );
    let log = log_messages(&playground, "cjs").await;
    assert!(
        log.iter()
            .any(|l| l.ends_with("\tINFO\t{ n: 21, list: [ 1, 'a' ] }\n")),
        "{log:?}"
    );
}

#[wasm_bindgen_test]
async fn warm_environments_keep_module_state_and_report_init_once() {
    let playground = fresh("runtime-warm").await;
    let code = "let count = 0;\nexport const handler = async () => ++count;";
    create(&playground, "counter", &[("index.mjs", code)], 3).await;
    assert_eq!(
        invoke(&playground, "counter", json!({})).await["Payload"],
        1
    );
    assert_eq!(
        invoke(&playground, "counter", json!({})).await["Payload"],
        2
    );

    let log = log_messages(&playground, "counter").await;
    let reports: Vec<&String> = log.iter().filter(|l| l.starts_with("REPORT")).collect();
    assert_eq!(reports.len(), 2, "{log:?}");
    assert!(reports[0].contains("\tInit Duration: "), "{}", reports[0]);
    assert!(!reports[1].contains("Init Duration"), "{}", reports[1]);
    assert!(reports[1].contains("\tMemory Size: 128 MB\t"));

    // New code is a new environment: the counter starts again.
    let code = "let count = 100;\nexport const handler = async () => ++count;";
    let package = zip::write([("index.mjs", code.as_bytes())], true);
    playground
        .call(
            "lambda",
            "UpdateFunctionCode",
            json!({"FunctionName": "counter", "ZipFile": b64(&package)}),
        )
        .await
        .unwrap();
    assert_eq!(
        invoke(&playground, "counter", json!({})).await["Payload"],
        101
    );
}

#[wasm_bindgen_test]
async fn a_timeout_stops_the_environment_and_the_next_call_starts_anew() {
    let playground = fresh("runtime-timeout").await;
    let code = r#"
let calls = 0;
export const handler = async (event) => {
  calls += 1;
  console.log("call", calls);
  if (event.hang) await new Promise(() => {});
  return calls;
};
"#;
    create(&playground, "slow", &[("index.mjs", code)], 1).await;
    assert_eq!(invoke(&playground, "slow", json!({})).await["Payload"], 1);
    let response = invoke(&playground, "slow", json!({"hang": true})).await;
    assert_eq!(response["FunctionError"], "Unhandled");
    assert_eq!(response["Payload"]["errorType"], "Sandbox.Timedout");
    let message = response["Payload"]["errorMessage"].as_str().unwrap();
    assert!(
        message.ends_with("Error: Task timed out after 1.00 seconds"),
        "{message}"
    );
    // The timed-out environment is gone: a new one counts from 1 again.
    assert_eq!(invoke(&playground, "slow", json!({})).await["Payload"], 1);

    let log = log_messages(&playground, "slow").await;
    assert!(
        log.iter()
            .any(|l| l.ends_with("Task timed out after 1.00 seconds\n")),
        "{log:?}"
    );
    assert!(log.iter().any(|l| l.contains("Status: timeout")));
}

#[wasm_bindgen_test]
async fn exceptions_answer_lambdas_error_payload() {
    let playground = fresh("runtime-error").await;
    let code = r#"
class OrderError extends Error { constructor(m) { super(m); this.name = "OrderError"; } }
export const handler = async () => { throw new OrderError("no such order"); };
"#;
    create(&playground, "fails", &[("index.mjs", code)], 3).await;
    let response = invoke(&playground, "fails", json!({})).await;
    assert_eq!(response["FunctionError"], "Unhandled");
    let error = &response["Payload"];
    assert_eq!(error["errorType"], "OrderError");
    assert_eq!(error["errorMessage"], "no such order");
    let trace = error["trace"].as_array().unwrap();
    assert_eq!(trace[0], "OrderError: no such order");
    assert!(trace[1].as_str().unwrap().contains("/var/task/index.mjs"));
    let log = log_messages(&playground, "fails").await;
    assert!(
        log.iter()
            .any(|l| l.contains("\tERROR\tInvoke Error \t{\"errorType\":\"OrderError\"")),
        "{log:?}"
    );

    // An exception nobody catches fails the call and ends the environment, as it ends Node.
    let code = r#"
let calls = 0;
export const handler = async (event) => {
  calls += 1;
  if (event.crash === "later") {
    setTimeout(() => { throw new TypeError("after the answer"); }, 10);
    return calls;
  }
  if (event.crash) setTimeout(() => { throw new TypeError("late boom"); }, 10);
  if (event.crash) await new Promise(() => {});
  return calls;
};
"#;
    create(&playground, "crashes", &[("index.mjs", code)], 3).await;
    assert_eq!(
        invoke(&playground, "crashes", json!({})).await["Payload"],
        1
    );
    let response = invoke(&playground, "crashes", json!({"crash": true})).await;
    assert_eq!(response["FunctionError"], "Unhandled");
    assert_eq!(response["Payload"]["errorType"], "TypeError");
    assert_eq!(response["Payload"]["errorMessage"], "late boom");
    assert_eq!(
        invoke(&playground, "crashes", json!({})).await["Payload"],
        1
    );
    // Between calls too: the crash is logged as it ends the environment, with no further
    // call, last in that environment's stream.
    assert_eq!(
        invoke(&playground, "crashes", json!({"crash": "later"})).await["Payload"],
        2
    );
    let mut events = Vec::new();
    for _ in 0..40 {
        sleep(50).await;
        let filtered = json!({"logGroupName": "/aws/lambda/crashes"});
        let answer = playground.call("logs", "FilterLogEvents", filtered).await;
        events = answer.unwrap()["events"].as_array().unwrap().clone();
        if events
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("after the answer"))
        {
            break;
        }
    }
    let crash = events
        .iter()
        .find(|e| e["message"].as_str().unwrap().contains("after the answer"))
        .expect("the crash between calls is logged");
    assert!(crash["message"]
        .as_str()
        .unwrap()
        .contains("\tERROR\tUncaught Exception \t{\"errorType\":\"TypeError\""));
    let stream: Vec<&str> = events
        .iter()
        .filter(|e| e["logStreamName"] == crash["logStreamName"])
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(stream.iter().any(|m| m.starts_with("START RequestId")));
    assert!(
        stream.last().unwrap().contains("after the answer"),
        "{stream:?}"
    );
    // The next call starts a new environment.
    assert_eq!(
        invoke(&playground, "crashes", json!({})).await["Payload"],
        1
    );

    // Loading failures answer the runtime's error types.
    create(
        &playground,
        "no-handler",
        &[("index.mjs", "export const other = 1;")],
        3,
    )
    .await;
    let response = invoke(&playground, "no-handler", json!({})).await;
    assert_eq!(response["Payload"]["errorType"], "Runtime.HandlerNotFound");
    assert_eq!(
        response["Payload"]["errorMessage"],
        "index.handler is undefined or not exported"
    );
    create(
        &playground,
        "syntax",
        &[("index.mjs", "export const handler = (;")],
        3,
    )
    .await;
    let response = invoke(&playground, "syntax", json!({})).await;
    assert_eq!(
        response["Payload"]["errorType"],
        "Runtime.UserCodeSyntaxError"
    );
    let code = "import { x } from 'left-pad';\nexport const handler = async () => x;";
    create(&playground, "missing", &[("index.mjs", code)], 3).await;
    let response = invoke(&playground, "missing", json!({})).await;
    assert_eq!(
        response["Payload"]["errorType"],
        "Runtime.ImportModuleError"
    );
    assert_eq!(
        response["Payload"]["errorMessage"],
        "Error: Cannot find package 'left-pad' imported from /var/task/index.mjs"
    );
}

#[wasm_bindgen_test]
async fn reserved_concurrency_throttles_the_second_concurrent_call() {
    let playground = fresh("runtime-throttle").await;
    let code = "export const handler = () => new Promise((r) => setTimeout(() => r('done'), 300));";
    create(&playground, "single", &[("index.mjs", code)], 3).await;
    playground
        .call(
            "lambda",
            "PutFunctionConcurrency",
            json!({"FunctionName": "single", "ReservedConcurrentExecutions": 1}),
        )
        .await
        .unwrap();
    let call = || {
        playground.call(
            "lambda",
            "Invoke",
            json!({"FunctionName": "single", "Payload": b64(b"{}")}),
        )
    };
    let (first, second) = futures::join!(call(), call());
    let (ok, throttled) = match (first, second) {
        (Ok(ok), Err(e)) | (Err(e), Ok(ok)) => (ok, e),
        other => panic!("expected one throttled call: {other:?}"),
    };
    assert_eq!(ok["StatusCode"], 200);
    assert_eq!(throttled.code, "TooManyRequestsException");
    assert_eq!(throttled.status, 429);
    // Once the first call ended, the function runs again.
    assert_eq!(
        invoke(&playground, "single", json!({})).await["Payload"],
        "done"
    );
}

#[wasm_bindgen_test]
async fn event_invocations_are_acknowledged_and_run_in_the_background() {
    let playground = fresh("runtime-event").await;
    let code = "export const handler = async (e) => { console.log('got', e.n); };";
    create(&playground, "queued", &[("index.mjs", code)], 3).await;
    let response = playground
        .call(
            "lambda",
            "Invoke",
            json!({"FunctionName": "queued", "InvocationType": "Event", "Payload": b64(b"{\"n\":7}")}),
        )
        .await
        .unwrap();
    assert_eq!(response["StatusCode"], 202);
    for _ in 0..50 {
        let log = log_messages(&playground, "queued").await;
        if log.iter().any(|l| l.ends_with("\tINFO\tgot 7\n")) {
            return;
        }
        sleep(100).await;
    }
    panic!("the Event invocation never ran");
}

async fn sleep(millis: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// The sandbox: function code cannot reach the app's IndexedDB, storage or page.
#[wasm_bindgen_test]
async fn functions_cannot_read_the_apps_databases_or_page() {
    let playground = fresh("runtime-sandbox").await;
    // The app's own data, which the function must not see.
    playground
        .call("sqs", "CreateQueue", json!({"QueueName": "secret-queue"}))
        .await
        .unwrap();
    let code = r#"
const attempt = async (what) => {
  try { return { ok: true, value: await what() }; }
  catch (e) { return { ok: false, error: String(e && e.name) }; }
};
const openDb = (name) => new Promise((resolve, reject) => {
  const request = indexedDB.open(name);
  request.onsuccess = () => resolve(Array.from(request.result.objectStoreNames));
  request.onerror = () => reject(request.error);
});
export const handler = async () => ({
  databases: await attempt(async () => (await indexedDB.databases()).map((d) => d.name)),
  open: await attempt(() => openDb("nimbus-playground-runtime-sandbox")),
  caches: await attempt(async () => await caches.keys()),
  parentDocument: await attempt(async () => self.parent.document.title),
  topLocation: await attempt(async () => self.top.location.href),
  localStorage: await attempt(async () => localStorage.length),
  cookie: await attempt(async () => document.cookie),
  origin: self.origin,
});
"#;
    create(&playground, "snoop", &[("index.mjs", code)], 3).await;
    let response = invoke(&playground, "snoop", json!({})).await;
    let got = &response["Payload"];
    web_sys::console::log_1(&got.to_string().into());
    assert_eq!(got["origin"], "null", "an opaque origin");
    for what in [
        "databases",
        "open",
        "caches",
        "parentDocument",
        "topLocation",
        "localStorage",
        "cookie",
    ] {
        assert_eq!(got[what]["ok"], false, "{what} must fail: {got}");
    }
    assert!(!got.to_string().contains("nimbus-playground"));
    assert!(!got.to_string().contains("secret-queue"));
}

/// The runtime holds no handle on a playground between calls: once the app drops it, its
/// database can be deleted (an open connection would block the deletion).
#[wasm_bindgen_test]
async fn a_playground_that_ran_functions_can_be_deleted() {
    let playground = fresh("runtime-delete").await;
    let code = r#"
import { SQSClient } from "@aws-sdk/client-sqs";
export const handler = async () => "ran";
"#;
    create(
        &playground,
        "plain",
        &[("index.mjs", "export const handler = async () => 'ran';")],
        3,
    )
    .await;
    assert_eq!(
        invoke(&playground, "plain", json!({})).await["Payload"],
        "ran"
    );
    // Even a function whose Init failed (no SDK bundles are served here).
    create(&playground, "init-fails", &[("index.mjs", code)], 3).await;
    let response = invoke(&playground, "init-fails", json!({})).await;
    assert_eq!(
        response["Payload"]["errorType"],
        "Runtime.ImportModuleError"
    );
    drop(playground);
    nimbus_browser::delete_database("runtime-delete")
        .await
        .unwrap();
    let reopened = Playground::open("runtime-delete").await.unwrap();
    let functions = reopened
        .call("lambda", "ListFunctions", json!({}))
        .await
        .unwrap();
    assert_eq!(functions["Functions"], json!([]));
}
