//! Invoke, in two phases because the core is synchronous and runs no code: [`prepare`] validates
//! the request and resolves what to run; the host runs it (outside any lock) and hands the
//! [`ExecutionResult`] to [`complete`], which writes the function's log to CloudWatch Logs as
//! Lambda does and shapes the answer.

use std::collections::BTreeMap;

use base64::Engine as _;
use nimbus_shapes::{
    lambda::{errors, InvocationRequest, InvocationResponse, InvocationType, LogType},
    Blob, ServiceError,
};
use serde_json::Value;

use super::{resolve_invocation, Invocation, State, CONCURRENT_EXECUTIONS};
use crate::{
    emulator::{Ctx, Scope},
    services::logs,
};

/// Largest payload of a synchronous invocation (request and response), in bytes.
pub const SYNC_PAYLOAD_LIMIT: usize = 6_291_456;
/// Largest payload of an asynchronous (Event) invocation (1 MB since 2025, per the Invoke docs).
pub const ASYNC_PAYLOAD_LIMIT: usize = 1_048_576;
/// LogResult carries the last 4 KB of the invocation's log.
const TAIL_BYTES: usize = 4096;
/// The part of Lambda's Node.js runtime both hosts run ahead of their own (see the file).
pub const NODE_RUNTIME_JS: &str = include_str!("node_runtime.js");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvocationKind {
    RequestResponse,
    Event,
    DryRun,
}

/// A validated Invoke: what to run and how to answer once it ran.
#[derive(Clone, Debug)]
pub struct PreparedInvoke {
    pub request_id: String,
    pub scope: Scope,
    pub kind: InvocationKind,
    pub tail: bool,
    /// The event, JSON (`{}` when the request had none).
    pub payload: Vec<u8>,
    pub invocation: Invocation,
    /// The log stream of a new execution environment, should the host start one for this call:
    /// `YYYY/MM/DD/[version]<32 hex>`, as Lambda names them.
    pub new_log_stream: String,
}

/// An Invoke refused before anything ran.
#[derive(Debug)]
pub struct Rejected {
    pub request_id: String,
    pub error: ServiceError,
}

/// An exception the handler threw (or the error it passed to its callback).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionError {
    pub error_type: String,
    pub message: String,
    pub trace: Vec<String>,
}

/// What running the function gave.
#[derive(Clone, Debug, Default)]
pub struct ExecutionResult {
    /// The handler's result, JSON-encoded (ignored when `error` is set or the call timed out).
    pub payload: Vec<u8>,
    pub error: Option<FunctionError>,
    /// The function ran past its Timeout and was stopped.
    pub timed_out: bool,
    /// What a new environment logged while loading the function (before START), in the same
    /// format with `undefined` for the request id, as the Node.js runtime writes them.
    pub init_log_lines: Vec<String>,
    /// What the function logged, each line already in Lambda's format
    /// (`<ISO time>\t<request id>\tINFO\t<message>`).
    pub log_lines: Vec<String>,
    pub duration_ms: f64,
    /// Set when the call started a new execution environment.
    pub init_duration_ms: Option<f64>,
    pub max_memory_mb: u64,
    /// The log stream of the execution environment that ran the call.
    pub log_stream: String,
}

/// An execution environment that ended between invocations (its function crashed after
/// answering, in a timer or a promise), and what it logged after its last invocation, the
/// crash included. The host reports it when it sees the environment end; Lambda writes
/// those lines to the environment's own log stream as it ends.
#[derive(Clone, Debug, PartialEq)]
pub struct EndedEnvironment {
    pub scope: Scope,
    pub function_name: String,
    pub log_stream: String,
    /// Lines in Lambda's format, as `ExecutionResult::log_lines`.
    pub log_lines: Vec<String>,
}

/// Writes an ended environment's last words to its log stream, stamped now: after anything
/// else in that stream.
pub(crate) fn log_ended(logs_state: &mut logs::State, ctx: &mut Ctx, ended: &EndedEnvironment) {
    if ended.log_lines.is_empty() {
        return;
    }
    let now = ctx.now_millis;
    let events: Vec<(i64, String)> = ended
        .log_lines
        .iter()
        .map(|line| (now, terminated(line)))
        .collect();
    let group = log_group_name(&ended.function_name);
    logs::append_events(logs_state, ctx, &group, &ended.log_stream, &events);
}

/// How a host's attempt to run a prepared invocation ended.
#[derive(Debug)]
pub enum Execution {
    /// Nothing ran: the answer to DryRun, and Event's immediate acknowledgement.
    NotRun,
    Ran(ExecutionResult),
    /// The host could not run the function at all (e.g. no runtime available).
    Failed(ServiceError),
}

/// Synchronous invocations running now, per function and per region, for the concurrency limits.
/// Not persisted: nothing runs across a restart.
#[derive(Default)]
pub struct InFlight {
    per_function: BTreeMap<(Scope, String), i32>,
    per_region: BTreeMap<Scope, i32>,
}

impl InFlight {
    fn start(&mut self, scope: &Scope, function: &str) {
        *self
            .per_function
            .entry((scope.clone(), function.to_string()))
            .or_default() += 1;
        *self.per_region.entry(scope.clone()).or_default() += 1;
    }

    fn finish(&mut self, scope: &Scope, function: &str) {
        let key = (scope.clone(), function.to_string());
        if let Some(count) = self.per_function.get_mut(&key) {
            *count -= 1;
            if *count <= 0 {
                self.per_function.remove(&key);
            }
        }
        if let Some(count) = self.per_region.get_mut(scope) {
            *count -= 1;
            if *count <= 0 {
                self.per_region.remove(scope);
            }
        }
    }

    pub fn running(&self, scope: &Scope, function: &str) -> i32 {
        self.per_function
            .get(&(scope.clone(), function.to_string()))
            .copied()
            .unwrap_or(0)
    }
}

fn enum_error(member: &str, value: &str, allowed: &str) -> ServiceError {
    ServiceError::new(
        "ValidationException",
        400,
        format!("1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{allowed}]"),
    )
}

fn throttled(reason: &str) -> ServiceError {
    errors::TOO_MANY_REQUESTS_EXCEPTION
        .with_message("Rate Exceeded.")
        .with_field("Reason", Value::from(reason))
        .with_field("Type", Value::from("User"))
}

/// Validates an Invoke (canonical InvocationRequest) and resolves the function version to run.
/// A synchronous call counts as running from here until [`complete`].
pub fn prepare(
    state: &State,
    in_flight: &mut InFlight,
    scope: &Scope,
    request_id: String,
    new_log_stream: impl FnOnce(&str) -> String,
    input: Value,
) -> Result<PreparedInvoke, ServiceError> {
    let input: InvocationRequest = serde_json::from_value(input)
        .map_err(|e| errors::INVALID_PARAMETER_VALUE_EXCEPTION.with_message(e.to_string()))?;
    let kind = match input.invocation_type {
        None | Some(InvocationType::RequestResponse) => InvocationKind::RequestResponse,
        Some(InvocationType::Event) => InvocationKind::Event,
        Some(InvocationType::DryRun) => InvocationKind::DryRun,
        Some(InvocationType::Unknown(other)) => {
            return Err(enum_error(
                "invocationType",
                &other,
                "Event, RequestResponse, DryRun",
            ))
        }
    };
    let tail = match input.log_type {
        None | Some(LogType::None) => false,
        Some(LogType::Tail) => true,
        Some(LogType::Unknown(other)) => return Err(enum_error("logType", &other, "None, Tail")),
    };
    let payload = input.payload.map(|Blob(bytes)| bytes).unwrap_or_default();
    let limit = match kind {
        InvocationKind::Event => ASYNC_PAYLOAD_LIMIT,
        _ => SYNC_PAYLOAD_LIMIT,
    };
    if payload.len() > limit {
        return Err(errors::REQUEST_TOO_LARGE_EXCEPTION.with_message(format!(
            "Request must be smaller than {limit} bytes for the InvokeFunction operation"
        )));
    }
    let function_name = input.function_name.ok_or_else(|| {
        ServiceError::new(
            "ValidationException",
            400,
            "1 validation error detected: Value null at 'functionName' failed to satisfy constraint: Member must not be null",
        )
    })?;
    let invocation = resolve_invocation(state, scope, &function_name, input.qualifier.as_deref())?;
    let payload = if payload.iter().all(u8::is_ascii_whitespace) {
        b"{}".to_vec()
    } else {
        if let Err(e) = serde_json::from_slice::<Value>(&payload) {
            return Err(
                errors::INVALID_REQUEST_CONTENT_EXCEPTION.with_message(format!(
                "Could not parse request body into json: Could not parse payload into json: {e}"
            )),
            );
        }
        payload
    };
    if kind == InvocationKind::RequestResponse {
        let region_running: i32 = in_flight.per_region.get(scope).copied().unwrap_or(0);
        match invocation.reserved_concurrency {
            Some(reserved) if in_flight.running(scope, &invocation.function_name) >= reserved => {
                return Err(throttled(
                    "ReservedFunctionConcurrentInvocationLimitExceeded",
                ))
            }
            _ if region_running >= CONCURRENT_EXECUTIONS => {
                return Err(throttled("ConcurrentInvocationLimitExceeded"))
            }
            _ => {}
        }
        in_flight.start(scope, &invocation.function_name);
    }
    let new_log_stream = new_log_stream(&invocation.version);
    Ok(PreparedInvoke {
        request_id,
        scope: scope.clone(),
        kind,
        tail,
        payload,
        invocation,
        new_log_stream,
    })
}

/// `2024-01-01T00:00:00.000Z`, the timestamps of the runtime's log lines.
pub fn iso_millis(millis: i64) -> String {
    format!("{}Z", crate::clock::Civil::from_millis(millis).iso8601())
}

/// The stream name of a new execution environment started at `now_millis`.
pub fn log_stream_name(now_millis: i64, version: &str, hex32: &str) -> String {
    let date = &iso_millis(now_millis)[..10];
    format!("{}/[{version}]{hex32}", date.replace('-', "/"))
}

/// The log group of a function.
pub fn log_group_name(function_name: &str) -> String {
    format!("/aws/lambda/{function_name}")
}

/// Stands in for the secret key and session token the runtime hands a function: the emulator
/// accepts any secret.
const SECRET: &str = "test";

/// The environment of a new execution environment, as Lambda's Node.js runtime sets it: the
/// function's variables plus the reserved ones. `access_key_id` is the caller's, so the
/// function's SDK calls act in the same account; `endpoint` is where they go
/// (`AWS_ENDPOINT_URL`). Hosts add their own paths (LAMBDA_TASK_ROOT and the like).
pub fn runtime_environment(
    prepared: &PreparedInvoke,
    access_key_id: &str,
    endpoint: &str,
) -> BTreeMap<String, String> {
    let invocation = &prepared.invocation;
    let region = &prepared.scope.region;
    let mut environment = invocation.environment.clone();
    let reserved = [
        ("AWS_REGION", region.clone()),
        ("AWS_DEFAULT_REGION", region.clone()),
        (
            "AWS_EXECUTION_ENV",
            format!("AWS_Lambda_{}", invocation.runtime),
        ),
        ("AWS_LAMBDA_FUNCTION_NAME", invocation.function_name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION", invocation.version.clone()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            invocation.memory_size.to_string(),
        ),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            log_group_name(&invocation.function_name),
        ),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            prepared.new_log_stream.clone(),
        ),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_string()),
        ("AWS_ACCESS_KEY_ID", access_key_id.to_string()),
        ("AWS_SECRET_ACCESS_KEY", SECRET.to_string()),
        ("AWS_SESSION_TOKEN", SECRET.to_string()),
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("_HANDLER", invocation.handler.clone()),
        ("TZ", ":UTC".to_string()),
        ("LANG", "en_US.UTF-8".to_string()),
    ];
    for (name, value) in reserved {
        environment.insert(name.to_string(), value);
    }
    environment
}

/// Execution environments are shared only by invocations of the same code and configuration,
/// made with the same credentials.
pub fn environment_key(prepared: &PreparedInvoke, access_key_id: &str) -> String {
    let i = &prepared.invocation;
    format!(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}|{:?}",
        prepared.scope.account_id,
        prepared.scope.region,
        access_key_id,
        i.function_name,
        i.version,
        i.code_sha256,
        i.handler,
        i.memory_size,
        i.timeout,
        i.environment
    )
}

impl ExecutionResult {
    /// Takes in a runtime's answer to one invocation (the `result` message of Nimbus's runners:
    /// `{payload}` or `{error: {errorType, errorMessage, trace}}`, with `durationMs`,
    /// `maxMemoryMb`, and `initFailed` or `crashed`; see node_runtime.js). Returns whether the
    /// environment can serve another call: one whose Init failed or whose runtime crashed is not
    /// reused, Lambda initialises again.
    pub fn take_runner_answer(&mut self, answer: &Value) -> bool {
        self.max_memory_mb = answer["maxMemoryMb"].as_u64().unwrap_or(0);
        if let Some(duration) = answer["durationMs"].as_f64() {
            self.duration_ms = duration;
        }
        match answer.get("error") {
            Some(e) => {
                let text = |field: &str| e[field].as_str().map(str::to_string);
                self.error = Some(FunctionError {
                    error_type: text("errorType").unwrap_or_else(|| "Error".into()),
                    message: text("errorMessage").unwrap_or_default(),
                    trace: e["trace"]
                        .as_array()
                        .map(|t| {
                            t.iter()
                                .filter_map(|l| l.as_str())
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            }
            None => {
                self.payload = answer["payload"]
                    .as_str()
                    .unwrap_or("null")
                    .as_bytes()
                    .to_vec()
            }
        }
        let ended = |field: &str| answer[field].as_bool().unwrap_or(false);
        !ended("initFailed") && !ended("crashed")
    }
}

/// A log line as a log event: ending in a newline, as Lambda's are.
fn terminated(line: &String) -> String {
    if line.ends_with('\n') {
        line.clone()
    } else {
        format!("{line}\n")
    }
}

/// The lines Lambda writes for one invocation around the function's own, each ending in `\n`.
fn invocation_log(prepared: &PreparedInvoke, result: &ExecutionResult, now: i64) -> Vec<String> {
    let id = &prepared.request_id;
    let mut lines: Vec<String> = result.init_log_lines.iter().map(terminated).collect();
    lines.push(format!(
        "START RequestId: {id} Version: {}\n",
        prepared.invocation.version
    ));
    lines.extend(result.log_lines.iter().map(terminated));
    let duration = if result.timed_out {
        f64::from(prepared.invocation.timeout) * 1000.0
    } else {
        result.duration_ms
    };
    if result.timed_out {
        lines.push(format!(
            "{} {id} Task timed out after {:.2} seconds\n",
            iso_millis(now),
            f64::from(prepared.invocation.timeout)
        ));
    }
    lines.push(format!("END RequestId: {id}\n"));
    let mut report = format!(
        "REPORT RequestId: {id}\tDuration: {duration:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB\t",
        duration.ceil().max(1.0) as u64,
        prepared.invocation.memory_size,
        result.max_memory_mb,
    );
    if let Some(init) = result.init_duration_ms {
        report.push_str(&format!("Init Duration: {init:.2} ms\t"));
    }
    if result.timed_out {
        report.push_str("Status: timeout\t");
    }
    report.push('\n');
    lines.push(report);
    lines
}

/// The last `TAIL_BYTES` of the log, cut at a character boundary.
fn tail_of(log: &str) -> &str {
    let mut start = log.len().saturating_sub(TAIL_BYTES);
    while !log.is_char_boundary(start) {
        start += 1;
    }
    &log[start..]
}

/// Writes the invocation's log and shapes the InvocationResponse (canonical form).
pub fn complete(
    logs_state: &mut logs::State,
    in_flight: &mut InFlight,
    ctx: &mut Ctx,
    prepared: &PreparedInvoke,
    execution: Execution,
) -> Result<Value, ServiceError> {
    // `prepare` counted every synchronous call as running; whatever happened, it ends here.
    if prepared.kind == InvocationKind::RequestResponse {
        in_flight.finish(&prepared.scope, &prepared.invocation.function_name);
    }
    let status = match prepared.kind {
        InvocationKind::RequestResponse => 200,
        InvocationKind::Event => 202,
        InvocationKind::DryRun => 204,
    };
    let result = match execution {
        Execution::Failed(error) => return Err(error),
        Execution::NotRun if prepared.kind == InvocationKind::RequestResponse => {
            return Err(errors::SERVICE_EXCEPTION
                .with_message("The function was not run; this is a Nimbus bug."))
        }
        Execution::NotRun => {
            let response = InvocationResponse {
                status_code: Some(status),
                ..Default::default()
            };
            return Ok(serde_json::to_value(response).expect("response serialises"));
        }
        Execution::Ran(result) => result,
    };
    let now = ctx.now_millis;
    let lines = invocation_log(prepared, &result, now);
    let start = now - result.duration_ms as i64;
    let log_group = log_group_name(&prepared.invocation.function_name);
    // Init lines and START are stamped when the call began, the rest when it ended.
    let first_after_start = result.init_log_lines.len() + 1;
    let events: Vec<(i64, String)> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            (
                if i < first_after_start { start } else { now },
                line.clone(),
            )
        })
        .collect();
    logs::append_events(logs_state, ctx, &log_group, &result.log_stream, &events);
    let id = &prepared.request_id;
    let (function_error, payload) = if result.timed_out {
        let timeout = f64::from(prepared.invocation.timeout);
        let body = serde_json::json!({
            "errorType": "Sandbox.Timedout",
            "errorMessage": format!("RequestId: {id} Error: Task timed out after {timeout:.2} seconds"),
        });
        (Some("Unhandled".to_string()), body.to_string().into_bytes())
    } else if let Some(error) = &result.error {
        let body = serde_json::json!({
            "errorType": error.error_type,
            "errorMessage": error.message,
            "trace": error.trace,
        });
        (Some("Unhandled".to_string()), body.to_string().into_bytes())
    } else if result.payload.len() > SYNC_PAYLOAD_LIMIT {
        let body = serde_json::json!({
            "errorType": "Function.ResponseSizeTooLarge",
            "errorMessage": format!("Response payload size exceeded maximum allowed payload size ({SYNC_PAYLOAD_LIMIT} bytes)."),
        });
        (Some("Unhandled".to_string()), body.to_string().into_bytes())
    } else {
        (None, result.payload)
    };
    if prepared.kind != InvocationKind::RequestResponse {
        // An Event run finished in the background: its log is written, nobody awaits the answer.
        let response = InvocationResponse {
            status_code: Some(status),
            ..Default::default()
        };
        return Ok(serde_json::to_value(response).expect("response serialises"));
    }
    let log_result = prepared.tail.then(|| {
        let log = lines.concat();
        base64::engine::general_purpose::STANDARD.encode(tail_of(&log))
    });
    let response = InvocationResponse {
        status_code: Some(status),
        function_error,
        log_result,
        payload: Some(Blob(payload)),
        executed_version: Some(prepared.invocation.version.clone()),
        durable_execution_arn: None,
    };
    Ok(serde_json::to_value(response).expect("response serialises"))
}
