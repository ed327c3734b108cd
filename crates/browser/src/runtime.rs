//! Runs Lambda functions in the page: Web Workers inside an opaque-origin iframe (js/runtime.js),
//! the browser counterpart of nimbus-server's `executor.rs` and `runner.js`. The function's AWS
//! SDK calls come back to the same [`Playground`] through `JsPlayground::handle`.

use base64::Engine as _;
use nimbus_core::{
    emulator::Scope,
    services::lambda::invoke::{
        environment_key, runtime_environment, EndedEnvironment, Execution, ExecutionResult,
        PreparedInvoke, NODE_RUNTIME_JS,
    },
};
use nimbus_shapes::lambda::errors;
use serde_json::{json, Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::{JsPlayground, Playground, ENDPOINT};

#[wasm_bindgen(module = "/js/runtime.js")]
extern "C" {
    #[wasm_bindgen(js_name = runInvocation)]
    fn run_invocation(
        playground: JsPlayground,
        playground_id: &str,
        invocation: &str,
    ) -> js_sys::Promise;

    #[wasm_bindgen(js_name = installNodeRuntime)]
    fn install_node_runtime(text: &str, on_ended: &Closure<dyn Fn(String, String)>);

    #[wasm_bindgen(js_name = clearEnvironments)]
    fn clear_environments(playground_id: &str);
}

/// Where the function's code is, as on Lambda.
const TASK_ROOT: &str = "/var/task";
const RUNTIME_DIR: &str = "/var/runtime";

/// Runs one prepared invocation in a warm (or new) execution environment of `playground`.
/// `access_key_id` is the caller's, so the function's SDK calls act in the same account.
pub async fn run(
    playground: &Playground,
    prepared: &PreparedInvoke,
    access_key_id: &str,
) -> Execution {
    let invocation = &prepared.invocation;
    let mut environment = runtime_environment(prepared, access_key_id, ENDPOINT);
    environment.insert("LAMBDA_TASK_ROOT".into(), TASK_ROOT.into());
    environment.insert("LAMBDA_RUNTIME_DIR".into(), RUNTIME_DIR.into());
    let files: Map<String, Value> = invocation
        .files
        .iter()
        .filter(|(name, _)| !name.ends_with('/'))
        .map(|(name, content)| {
            let encoded = base64::engine::general_purpose::STANDARD.encode(content);
            (name.clone(), Value::from(encoded))
        })
        .collect();
    let message = json!({
        // Environments are per playground too: two playgrounds never share module state.
        "environmentKey": format!("{}|{}", playground.id(), environment_key(prepared, access_key_id)),
        "files": files,
        "handler": invocation.handler,
        "environment": environment,
        "requestId": prepared.request_id,
        "payload": String::from_utf8_lossy(&prepared.payload),
        "timeoutMs": u64::from(invocation.timeout.max(1) as u32) * 1000,
        "invokedFunctionArn": invocation.function_arn,
        "logStream": prepared.new_log_stream,
        // Whose environment it is, for its log should it end between invocations.
        "owner": {
            "accountId": prepared.scope.account_id,
            "region": prepared.scope.region,
            "functionName": invocation.function_name,
        },
    });
    let handle = JsPlayground::new(playground.clone());
    // The runtime's shared half, handed to js/runtime.js before its first worker starts, with
    // where it reports environments that ended (kept for the page's life).
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let on_ended = Closure::<dyn Fn(String, String)>::new(environment_ended);
        install_node_runtime(NODE_RUNTIME_JS, &on_ended);
        on_ended.forget();
    });
    let promise = run_invocation(handle, playground.id(), &message.to_string());
    let answer = match JsFuture::from(promise).await {
        Ok(text) => text
            .as_string()
            .and_then(|text| serde_json::from_str::<Value>(&text).ok())
            .unwrap_or(Value::Null),
        Err(error) => json!({ "failed": format!("{error:?}") }),
    };
    execution_of(&answer)
}

/// A list of strings in the runtime's JSON (log lines), empty when absent.
fn strings(lines: &Value) -> Vec<String> {
    lines
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// The runtime's report of an environment that ended between invocations (see `forget` in
/// js/runtime.js), logged in its playground if that is still open in this tab.
fn environment_ended(playground_id: String, ended: String) {
    let Ok(ended) = serde_json::from_str::<Value>(&ended) else {
        return;
    };
    let Some(playground) = Playground::find_open(&playground_id) else {
        return;
    };
    let owner = &ended["owner"];
    playground.log_ended_environment(&EndedEnvironment {
        scope: Scope {
            account_id: text(&owner["accountId"]),
            region: text(&owner["region"]),
        },
        function_name: text(&owner["functionName"]),
        log_stream: text(&ended["logStream"]),
        log_lines: strings(&ended["log"]),
    });
}

/// The runtime's answer (see `invoke` in js/runtime.js) as the core's [`Execution`].
fn execution_of(answer: &Value) -> Execution {
    if let Some(failed) = answer["failed"].as_str() {
        return Execution::Failed(errors::SERVICE_EXCEPTION.with_message(failed));
    }
    let mut result = ExecutionResult {
        init_duration_ms: answer["initMs"].as_f64(),
        init_log_lines: strings(&answer["initLog"]),
        log_lines: strings(&answer["log"]),
        log_stream: text(&answer["logStream"]),
        timed_out: answer["timedOut"].as_bool().unwrap_or(false),
        ..Default::default()
    };
    if !result.timed_out {
        // Whether the environment is reused is the runtime's to decide; it was.
        result.take_runner_answer(&answer["answer"]);
    }
    Execution::Ran(result)
}

/// Stops the idle execution environments of playground `id`.
pub fn clear(id: &str) {
    clear_environments(id);
}
