//! Lambda Invoke's two phases through the emulator: the host's execution is faked here with an
//! [`ExecutionResult`] (the real executor, node, is tested end to end in tests/conformance).

mod common;

use common::{b64, unb64, DOCS_ACCOUNT};
use nimbus_core::{
    services::lambda::invoke::{
        EndedEnvironment, Execution, ExecutionResult, FunctionError, PreparedInvoke,
    },
    Caller,
};
use serde_json::{json, Value};

/// 2024-01-01T00:00:00Z
const T0: i64 = 1_704_067_200_000;

fn caller() -> Caller {
    common::caller(DOCS_ACCOUNT)
}

/// A zip with one stored (uncompressed) entry.
fn zip_one(name: &str, content: &[u8]) -> Vec<u8> {
    nimbus_core::services::lambda::zip::write([(name, content)], false)
}

type World = common::World<(String, u16)>;

/// A function `fn` (nodejs20.x, 3 s, 256 MB, STAGE=test), with ids seeded by 7.
fn world() -> World {
    let mut world = World::new("lambda", DOCS_ACCOUNT).at(T0).seeded(7);
    world.call_to(
            "lambda",
            "CreateFunction",
            json!({
                "FunctionName": "fn",
                "Runtime": "nodejs20.x",
                "Role": "arn:aws:iam::123456789012:role/r",
                "Handler": "index.handler",
                "Timeout": 3,
                "MemorySize": 256,
                "Environment": {"Variables": {"STAGE": "test"}},
                "Code": {"ZipFile": b64(&zip_one("index.js", b"exports.handler = async (e) => e;"))},
            }),
        )
        .unwrap();
    world
}

impl World {
    fn prepare(&mut self, input: Value) -> Result<PreparedInvoke, (String, u16, String)> {
        self.emulator
            .prepare_invoke(&caller(), input)
            .map_err(|r| (r.error.code, r.error.status, r.error.message))
    }

    fn complete(&mut self, prepared: &PreparedInvoke, execution: Execution) -> Value {
        let outcome = self
            .emulator
            .complete_invoke(&caller(), prepared, execution);
        self.changes.push(outcome.changes);
        outcome.result.unwrap()
    }

    fn log_messages(&mut self, stream: &str) -> Vec<String> {
        let events = self
            .call_to(
                "logs",
                "GetLogEvents",
                json!({"logGroupName": "/aws/lambda/fn", "logStreamName": stream}),
            )
            .unwrap();
        common::strings(&events["events"], "message")
    }
}

fn ran(prepared: &PreparedInvoke, payload: &str) -> ExecutionResult {
    ExecutionResult {
        payload: payload.as_bytes().to_vec(),
        log_lines: vec![format!(
            "2024-01-01T00:00:00.000Z\t{}\tINFO\thello from fn",
            prepared.request_id
        )],
        duration_ms: 12.34,
        init_duration_ms: Some(150.5),
        max_memory_mb: 64,
        log_stream: prepared.new_log_stream.clone(),
        ..Default::default()
    }
}

#[test]
fn request_response_runs_with_payload_and_writes_lambda_log_lines() {
    let mut world = world();
    let prepared = world
        .prepare(json!({"FunctionName": "fn", "Payload": b64(br#"{"a":1}"#)}))
        .unwrap();
    assert_eq!(prepared.payload, br#"{"a":1}"#);
    assert_eq!(prepared.invocation.handler, "index.handler");
    assert_eq!(prepared.invocation.environment["STAGE"], "test");
    assert!(
        prepared.new_log_stream.starts_with("2024/01/01/[$LATEST]"),
        "{}",
        prepared.new_log_stream
    );
    assert_eq!(
        prepared.new_log_stream.len(),
        "2024/01/01/[$LATEST]".len() + 32
    );
    let result = ran(&prepared, r#"{"ok":true}"#);
    let output = world.complete(&prepared, Execution::Ran(result));
    assert_eq!(output["StatusCode"], 200);
    assert_eq!(output["ExecutedVersion"], "$LATEST");
    assert_eq!(unb64(output["Payload"].as_str().unwrap()), r#"{"ok":true}"#);
    assert!(output.get("FunctionError").is_none());
    assert!(
        output.get("LogResult").is_none(),
        "no LogResult without Tail"
    );

    let id = &prepared.request_id;
    let messages = world.log_messages(&prepared.new_log_stream);
    assert_eq!(
        messages,
        vec![
            format!("START RequestId: {id} Version: $LATEST\n"),
            format!("2024-01-01T00:00:00.000Z\t{id}\tINFO\thello from fn\n"),
            format!("END RequestId: {id}\n"),
            format!("REPORT RequestId: {id}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 64 MB\tInit Duration: 150.50 ms\t\n"),
        ]
    );
}

#[test]
fn an_environment_that_ended_between_calls_logs_its_last_words_in_its_stream() {
    let mut world = world();
    let first = world.prepare(json!({"FunctionName": "fn"})).unwrap();
    world.complete(&first, Execution::Ran(ran(&first, "1")));
    // The function crashed after answering; the host saw its environment end.
    let crash = format!(
        "2024-01-01T00:00:01.000Z\t{}\tERROR\tUncaught Exception \t{{\"errorType\":\"TypeError\"}}",
        first.request_id
    );
    let changes = world.emulator.log_ended_environment(&EndedEnvironment {
        scope: caller().scope(),
        function_name: "fn".into(),
        log_stream: first.new_log_stream.clone(),
        log_lines: vec![crash.clone()],
    });
    world.changes.push(changes);
    let old = world.log_messages(&first.new_log_stream);
    assert_eq!(old.len(), 5, "{old:?}");
    assert!(old[3].starts_with("REPORT RequestId: "));
    assert_eq!(old[4], format!("{crash}\n"));
    // Committed like a call's changes: the line survives a restart.
    let mut world = world.restart();
    assert_eq!(
        world.log_messages(&first.new_log_stream)[4],
        format!("{crash}\n")
    );
    // The next call runs in a new environment, whose stream has no crash in it.
    let second = world.prepare(json!({"FunctionName": "fn"})).unwrap();
    world.complete(&second, Execution::Ran(ran(&second, "1")));
    let new = world.log_messages(&second.new_log_stream);
    assert!(new.iter().all(|line| !line.contains("Uncaught Exception")));
}

#[test]
fn tail_returns_the_end_of_the_log_in_base64() {
    let mut world = world();
    let prepared = world
        .prepare(json!({"FunctionName": "fn", "LogType": "Tail"}))
        .unwrap();
    assert_eq!(prepared.payload, b"{}", "no payload is an empty event");
    let mut result = ran(&prepared, "null");
    result.init_duration_ms = None;
    let output = world.complete(&prepared, Execution::Ran(result));
    let log = unb64(output["LogResult"].as_str().unwrap());
    assert!(log.starts_with(&format!(
        "START RequestId: {} Version: $LATEST\n",
        prepared.request_id
    )));
    assert!(log.contains("\tINFO\thello from fn\n"));
    assert!(log.contains("REPORT RequestId: "));
    assert!(!log.contains("Init Duration"), "a warm start has none");

    // A long log is cut to its last 4 KB.
    let prepared = world
        .prepare(json!({"FunctionName": "fn", "LogType": "Tail"}))
        .unwrap();
    let mut result = ran(&prepared, "null");
    result.log_lines = (0..200)
        .map(|i| format!("line {i:04} {}", "x".repeat(40)))
        .collect();
    let output = world.complete(&prepared, Execution::Ran(result));
    let log = unb64(output["LogResult"].as_str().unwrap());
    assert_eq!(log.len(), 4096);
    assert!(log.ends_with("\t\n") && log.contains("END RequestId"));
    assert!(!log.contains("START"));
}

#[test]
fn handler_errors_and_timeouts_are_unhandled_function_errors() {
    let mut world = world();
    let prepared = world.prepare(json!({"FunctionName": "fn"})).unwrap();
    let mut result = ran(&prepared, "");
    result.error = Some(FunctionError {
        error_type: "TypeError".into(),
        message: "boom".into(),
        trace: vec![
            "TypeError: boom".into(),
            "    at handler (index.js:1:1)".into(),
        ],
    });
    let output = world.complete(&prepared, Execution::Ran(result));
    assert_eq!(output["StatusCode"], 200);
    assert_eq!(output["FunctionError"], "Unhandled");
    let body: Value = serde_json::from_str(&unb64(output["Payload"].as_str().unwrap())).unwrap();
    assert_eq!(
        body,
        json!({"errorType": "TypeError", "errorMessage": "boom",
               "trace": ["TypeError: boom", "    at handler (index.js:1:1)"]})
    );

    let prepared = world
        .prepare(json!({"FunctionName": "fn", "LogType": "Tail"}))
        .unwrap();
    let mut result = ran(&prepared, "");
    result.timed_out = true;
    let output = world.complete(&prepared, Execution::Ran(result));
    assert_eq!(output["FunctionError"], "Unhandled");
    let body: Value = serde_json::from_str(&unb64(output["Payload"].as_str().unwrap())).unwrap();
    assert_eq!(body["errorType"], "Sandbox.Timedout");
    assert_eq!(
        body["errorMessage"],
        format!(
            "RequestId: {} Error: Task timed out after 3.00 seconds",
            prepared.request_id
        )
    );
    let log = unb64(output["LogResult"].as_str().unwrap());
    assert!(log.contains(&format!(
        "{} Task timed out after 3.00 seconds\n",
        prepared.request_id
    )));
    assert!(log.contains("\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"));
}

#[test]
fn event_and_dry_run_answer_without_a_result() {
    let mut world = world();
    let prepared = world
        .prepare(json!({"FunctionName": "fn", "InvocationType": "DryRun"}))
        .unwrap();
    let output = world.complete(&prepared, Execution::NotRun);
    assert_eq!(output, json!({"StatusCode": 204}));

    let prepared = world
        .prepare(json!({"FunctionName": "fn", "InvocationType": "Event", "Payload": b64(b"{}")}))
        .unwrap();
    let output = world.complete(&prepared, Execution::NotRun);
    assert_eq!(output, json!({"StatusCode": 202}));
    // The background run's log still lands in CloudWatch Logs.
    let result = ran(&prepared, "null");
    world.complete(&prepared, Execution::Ran(result));
    let messages = world.log_messages(&prepared.new_log_stream);
    assert_eq!(messages.len(), 4);
}

#[test]
fn bad_requests_get_lambdas_errors() {
    let mut world = world();
    let bad_json = world
        .prepare(json!({"FunctionName": "fn", "Payload": b64(b"not json")}))
        .unwrap_err();
    assert_eq!(bad_json.0, "InvalidRequestContentException");
    assert_eq!(bad_json.1, 400);
    assert!(bad_json
        .2
        .starts_with("Could not parse request body into json: "));

    let big = format!("\"{}\"", "a".repeat(6 * 1024 * 1024));
    let too_large = world
        .prepare(json!({"FunctionName": "fn", "Payload": b64(big.as_bytes())}))
        .unwrap_err();
    assert_eq!(
        (too_large.0.as_str(), too_large.1),
        ("RequestTooLargeException", 413)
    );
    assert_eq!(
        too_large.2,
        "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    );
    let big_event = format!("\"{}\"", "a".repeat(1024 * 1024));
    let event_too_large = world
        .prepare(json!({"FunctionName": "fn", "InvocationType": "Event", "Payload": b64(big_event.as_bytes())}))
        .unwrap_err();
    assert_eq!(event_too_large.0, "RequestTooLargeException");

    let missing = world.prepare(json!({"FunctionName": "nope"})).unwrap_err();
    assert_eq!(
        (missing.0.as_str(), missing.1, missing.2.as_str()),
        (
            "ResourceNotFoundException",
            404,
            "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"
        )
    );
    let bad_type = world
        .prepare(json!({"FunctionName": "fn", "InvocationType": "Later"}))
        .unwrap_err();
    assert_eq!(bad_type.0, "ValidationException");
    let bad_version = world
        .prepare(json!({"FunctionName": "fn", "Qualifier": "9"}))
        .unwrap_err();
    assert_eq!(bad_version.0, "ResourceNotFoundException");
}

#[test]
fn reserved_concurrency_throttles_synchronous_calls() {
    let mut world = world();
    world
        .call_to(
            "lambda",
            "PutFunctionConcurrency",
            json!({"FunctionName": "fn", "ReservedConcurrentExecutions": 0}),
        )
        .unwrap();
    let rejected = world
        .emulator
        .prepare_invoke(&caller(), json!({"FunctionName": "fn"}))
        .unwrap_err();
    assert_eq!(rejected.error.code, "TooManyRequestsException");
    assert_eq!(rejected.error.status, 429);
    assert_eq!(rejected.error.message, "Rate Exceeded.");
    assert_eq!(
        rejected.error.fields["Reason"],
        "ReservedFunctionConcurrentInvocationLimitExceeded"
    );

    // With one execution reserved, a second call while the first runs is throttled, and a call
    // after it finished runs again.
    world
        .call_to(
            "lambda",
            "PutFunctionConcurrency",
            json!({"FunctionName": "fn", "ReservedConcurrentExecutions": 1}),
        )
        .unwrap();
    let first = world.prepare(json!({"FunctionName": "fn"})).unwrap();
    let second = world.prepare(json!({"FunctionName": "fn"})).unwrap_err();
    assert_eq!(second.0, "TooManyRequestsException");
    let result = ran(&first, "1");
    world.complete(&first, Execution::Ran(result));
    let third = world.prepare(json!({"FunctionName": "fn"})).unwrap();
    let failed = world.emulator.complete_invoke(
        &caller(),
        &third,
        Execution::Failed(nimbus_shapes::ServiceError::new(
            "ServiceException",
            500,
            "no node",
        )),
    );
    assert_eq!(failed.result.unwrap_err().code, "ServiceException");
    assert!(failed.changes.is_empty());
    world.prepare(json!({"FunctionName": "fn"})).unwrap();
}

#[test]
fn init_lines_come_before_start() {
    let mut world = world();
    let prepared = world.prepare(json!({"FunctionName": "fn"})).unwrap();
    let mut result = ran(&prepared, "1");
    result.init_log_lines = vec!["2024-01-01T00:00:00.000Z\tundefined\tINFO\tloading".into()];
    world.complete(&prepared, Execution::Ran(result));
    let messages = world.log_messages(&prepared.new_log_stream);
    assert_eq!(
        messages[0],
        "2024-01-01T00:00:00.000Z\tundefined\tINFO\tloading\n"
    );
    assert!(messages[1].starts_with("START RequestId: "));
    assert_eq!(messages.len(), 5);
}
