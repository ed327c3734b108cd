//! Lambda event source mappings on DynamoDB streams: the API, and delivery through
//! `Emulator::poll_event_sources` / `complete_event_source`, with the function "run" here by a
//! closure standing in for the host's executor (the real one runs in tests/conformance).

mod common;

use common::{b64, World, DOCS_ACCOUNT, T0};
use nimbus_core::services::lambda::{
    event_source::Batch,
    invoke::{Execution, ExecutionResult, FunctionError},
};
use serde_json::{json, Value};

type W = World<(String, u16, String)>;

/// A table `tab` (pk S) with a NEW_AND_OLD_IMAGES stream, a function `fn`, a queue `dlq`.
/// Answers the world and the stream ARN.
fn world() -> (W, String) {
    let mut w = W::new("lambda", DOCS_ACCOUNT);
    let mut table = common::table_input("tab", None);
    table["StreamSpecification"] =
        json!({"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"});
    let out = w.call_to("dynamodb", "CreateTable", table).unwrap();
    let stream = out["TableDescription"]["LatestStreamArn"]
        .as_str()
        .unwrap()
        .to_string();
    let code = common::zip(&[("index.js", b"exports.handler = async (e) => {};")]);
    w.ok(
        "CreateFunction",
        json!({"FunctionName": "fn", "Runtime": "nodejs20.x",
               "Role": "arn:aws:iam::123456789012:role/r", "Handler": "index.handler",
               "Code": {"ZipFile": b64(&code)}}),
    );
    w.call_to("sqs", "CreateQueue", json!({"QueueName": "dlq"}))
        .unwrap();
    (w, stream)
}

fn mapping(w: &mut W, stream: &str, extra: Value) -> String {
    let mut input = json!({"FunctionName": "fn", "EventSourceArn": stream,
                           "StartingPosition": "TRIM_HORIZON"});
    for (key, value) in extra.as_object().unwrap() {
        input[key] = value.clone();
    }
    let out = w.ok("CreateEventSourceMapping", input);
    out["UUID"].as_str().unwrap().to_string()
}

fn put(w: &mut W, pk: &str, status: &str) {
    w.call_to(
        "dynamodb",
        "PutItem",
        json!({"TableName": "tab", "Item": {"pk": {"S": pk}, "status": {"S": status}}}),
    )
    .unwrap();
}

fn delete(w: &mut W, pk: &str) {
    w.call_to(
        "dynamodb",
        "DeleteItem",
        json!({"TableName": "tab", "Key": {"pk": {"S": pk}}}),
    )
    .unwrap();
}

/// What the fake function does with one event: its answer (a JSON payload) or an error.
type Function<'a> = &'a mut dyn FnMut(&Value) -> Result<Value, String>;

/// One poll: runs every ready batch through `function`, completes it, keeps the changes.
/// Answers the events the function received.
fn deliver(w: &mut W, function: Function) -> Vec<Value> {
    let polled = w.emulator.poll_event_sources();
    w.changes.push(polled.changes);
    let mut events = Vec::new();
    for batch in polled.batches {
        let event: Value = serde_json::from_slice(&batch.prepared.payload).unwrap();
        let execution = run(&batch, function(&event));
        events.push(event);
        let changes = w.emulator.complete_event_source(&batch, execution);
        w.changes.push(changes);
    }
    events
}

fn run(batch: &Batch, answer: Result<Value, String>) -> Execution {
    let mut result = ExecutionResult {
        duration_ms: 3.0,
        max_memory_mb: 60,
        log_stream: batch.prepared.new_log_stream.clone(),
        ..Default::default()
    };
    match answer {
        Ok(payload) => result.payload = payload.to_string().into_bytes(),
        Err(message) => {
            result.error = Some(FunctionError {
                error_type: "Error".into(),
                message,
                trace: Vec::new(),
            })
        }
    }
    Execution::Ran(result)
}

fn ok(_: &Value) -> Result<Value, String> {
    Ok(Value::Null)
}

fn fail(_: &Value) -> Result<Value, String> {
    Err("boom".into())
}

/// The pk of each record of an event.
fn pks(event: &Value) -> Vec<String> {
    event["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["dynamodb"]["Keys"]["pk"]["S"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn dlq_bodies(w: &mut W) -> Vec<Value> {
    let out = w
        .call_to(
            "sqs",
            "ReceiveMessage",
            json!({"QueueUrl": "http://localhost:4566/123456789012/dlq", "MaxNumberOfMessages": 10}),
        )
        .unwrap();
    out["Messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|m| serde_json::from_str(m["Body"].as_str().unwrap()).unwrap())
        .collect()
}

const DLQ: &str = "arn:aws:sqs:us-east-1:123456789012:dlq";

#[test]
fn insert_modify_remove_arrive_in_the_lambda_event_shape() {
    let (mut w, stream) = world();
    mapping(&mut w, &stream, json!({}));
    put(&mut w, "a", "open");
    put(&mut w, "a", "closed");
    delete(&mut w, "a");
    let events = deliver(&mut w, &mut ok);
    assert_eq!(events.len(), 1, "one batch of three");
    let records = events[0]["Records"].as_array().unwrap();
    let names: Vec<&str> = records
        .iter()
        .map(|r| r["eventName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["INSERT", "MODIFY", "REMOVE"]);
    let modify = &records[1];
    assert_eq!(modify["eventVersion"], "1.1");
    assert_eq!(modify["eventSource"], "aws:dynamodb");
    assert_eq!(modify["awsRegion"], "us-east-1");
    assert_eq!(modify["eventSourceARN"], stream.as_str());
    assert_eq!(modify["eventID"].as_str().unwrap().len(), 32);
    let d = &modify["dynamodb"];
    assert_eq!(d["ApproximateCreationDateTime"], json!(T0 / 1000));
    assert!(d["ApproximateCreationDateTime"].is_i64(), "whole seconds");
    assert_eq!(d["Keys"], json!({"pk": {"S": "a"}}));
    assert_eq!(
        d["NewImage"],
        json!({"pk": {"S": "a"}, "status": {"S": "closed"}})
    );
    assert_eq!(
        d["OldImage"],
        json!({"pk": {"S": "a"}, "status": {"S": "open"}})
    );
    assert_eq!(d["StreamViewType"], "NEW_AND_OLD_IMAGES");
    assert_eq!(d["SequenceNumber"].as_str().unwrap().len(), 21);
    assert!(d["SizeBytes"].as_i64().unwrap() > 0);
    assert!(records[2]["dynamodb"].get("NewImage").is_none());
    assert!(records[0].get("userIdentity").is_none());

    // Delivered once: nothing more to send.
    assert!(deliver(&mut w, &mut ok).is_empty());
    let uuid = w.ok("ListEventSourceMappings", json!({}))["EventSourceMappings"][0]["UUID"]
        .as_str()
        .unwrap()
        .to_string();
    let got = w.ok("GetEventSourceMapping", json!({"UUID": uuid}));
    assert_eq!(got["LastProcessingResult"], "OK");

    // The run is logged like any invocation of the function.
    let logs = w
        .call_to(
            "logs",
            "FilterLogEvents",
            json!({"logGroupName": "/aws/lambda/fn"}),
        )
        .unwrap();
    let messages = common::strings(&logs["events"], "message");
    assert!(messages[0].starts_with("START RequestId: "), "{messages:?}");
    assert!(messages.iter().any(|m| m.starts_with("REPORT RequestId: ")));
}

#[test]
fn a_ttl_deletion_carries_the_service_identity_in_lower_case() {
    let (mut w, stream) = world();
    w.call_to(
        "dynamodb",
        "UpdateTimeToLive",
        json!({"TableName": "tab", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}),
    )
    .unwrap();
    w.call_to(
        "dynamodb",
        "PutItem",
        json!({"TableName": "tab", "Item": {"pk": {"S": "x"}, "exp": {"N": (T0 / 1000 + 60).to_string()}}}),
    )
    .unwrap();
    mapping(&mut w, &stream, json!({"StartingPosition": "LATEST"}));
    w.clock.advance(120_000);
    let changes = w.emulator.expire_items();
    w.changes.push(changes);
    let events = deliver(&mut w, &mut ok);
    let records = events[0]["Records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "LATEST skips the earlier INSERT");
    assert_eq!(records[0]["eventName"], "REMOVE");
    assert_eq!(
        records[0]["userIdentity"],
        json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"})
    );
}

#[test]
fn batch_size_splits_the_waiting_records() {
    let (mut w, stream) = world();
    mapping(&mut w, &stream, json!({"BatchSize": 2}));
    for pk in ["a", "b", "c", "d", "e"] {
        put(&mut w, pk, "open");
    }
    let mut seen = Vec::new();
    for _ in 0..5 {
        seen.extend(deliver(&mut w, &mut ok).iter().map(pks));
    }
    assert_eq!(seen, vec![vec!["a", "b"], vec!["c", "d"], vec!["e"]]);
}

#[test]
fn the_batching_window_waits_on_the_playground_clock() {
    let (mut w, stream) = world();
    mapping(
        &mut w,
        &stream,
        json!({"BatchSize": 3, "MaximumBatchingWindowInSeconds": 5}),
    );
    put(&mut w, "a", "open");
    put(&mut w, "b", "open");
    assert!(deliver(&mut w, &mut ok).is_empty(), "window still open");
    w.clock.advance(4_999);
    assert!(deliver(&mut w, &mut ok).is_empty());
    w.clock.advance(1);
    let events = deliver(&mut w, &mut ok);
    assert_eq!(events.iter().map(pks).collect::<Vec<_>>(), [["a", "b"]]);
    // A full batch goes without waiting.
    for pk in ["c", "d", "e"] {
        put(&mut w, pk, "open");
    }
    let events = deliver(&mut w, &mut ok);
    assert_eq!(
        events.iter().map(pks).collect::<Vec<_>>(),
        [["c", "d", "e"]]
    );
}

#[test]
fn filter_criteria_drop_records_that_match_no_filter() {
    let (mut w, stream) = world();
    let pattern = r#"{"eventName":["INSERT"],"dynamodb":{"NewImage":{"status":{"S":["open"]}}}}"#;
    let other = r#"{"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"vip"}]}}}}"#;
    let uuid = mapping(
        &mut w,
        &stream,
        json!({"FilterCriteria": {"Filters": [{"Pattern": pattern}, {"Pattern": other}]}}),
    );
    put(&mut w, "a", "closed");
    put(&mut w, "b", "open");
    put(&mut w, "b", "open2");
    put(&mut w, "vip-1", "closed");
    put(&mut w, "c", "closed");
    let events = deliver(&mut w, &mut ok);
    assert_eq!(events.iter().map(pks).collect::<Vec<_>>(), [["b", "vip-1"]]);
    assert!(deliver(&mut w, &mut ok).is_empty(), "the rest is passed");
    let got = w.ok("GetEventSourceMapping", json!({"UUID": uuid}));
    assert_eq!(got["FilterCriteria"]["Filters"][0]["Pattern"], pattern);
}

#[test]
fn report_batch_item_failures_retries_from_the_lowest_failed_record() {
    let (mut w, stream) = world();
    mapping(
        &mut w,
        &stream,
        json!({"FunctionResponseTypes": ["ReportBatchItemFailures"]}),
    );
    for pk in ["a", "b", "c"] {
        put(&mut w, pk, "open");
    }
    let mut report = |event: &Value| {
        let records = event["Records"].as_array().unwrap();
        let failed: Vec<Value> = records
            .iter()
            .filter(|r| r["dynamodb"]["Keys"]["pk"]["S"] == "b")
            .map(|r| json!({"itemIdentifier": r["dynamodb"]["SequenceNumber"]}))
            .take(if records.len() == 3 { 1 } else { 0 })
            .collect();
        Ok(json!({ "batchItemFailures": failed }))
    };
    let first = deliver(&mut w, &mut report);
    assert_eq!(pks(&first[0]), ["a", "b", "c"]);
    let second = deliver(&mut w, &mut report);
    assert_eq!(pks(&second[0]), ["b", "c"], "retried from b, a is done");
    assert!(
        deliver(&mut w, &mut report).is_empty(),
        "an empty list is success"
    );

    // An identifier that is not in the batch fails the whole batch.
    put(&mut w, "d", "open");
    let mut bogus = |_: &Value| Ok(json!({"batchItemFailures": [{"itemIdentifier": "nope"}]}));
    assert_eq!(pks(&deliver(&mut w, &mut bogus)[0]), ["d"]);
    assert_eq!(pks(&deliver(&mut w, &mut ok)[0]), ["d"]);
}

#[test]
fn exhausted_retries_send_the_batch_description_to_sqs() {
    let (mut w, stream) = world();
    let uuid = mapping(
        &mut w,
        &stream,
        json!({"MaximumRetryAttempts": 1,
               "DestinationConfig": {"OnFailure": {"Destination": DLQ}}}),
    );
    put(&mut w, "a", "open");
    put(&mut w, "b", "open");
    assert_eq!(pks(&deliver(&mut w, &mut fail)[0]), ["a", "b"]);
    assert!(dlq_bodies(&mut w).is_empty(), "one retry left");
    let got = w.ok("GetEventSourceMapping", json!({"UUID": uuid}));
    assert_eq!(got["LastProcessingResult"], "PROBLEM: Function call failed");
    put(&mut w, "c", "open");
    assert_eq!(
        pks(&deliver(&mut w, &mut fail)[0]),
        ["a", "b"],
        "a retry is the same batch"
    );
    let bodies = dlq_bodies(&mut w);
    assert_eq!(bodies.len(), 1);
    let body = &bodies[0];
    assert_eq!(body["version"], "1.0");
    assert_eq!(
        body["requestContext"]["condition"],
        "RetryAttemptsExhausted"
    );
    assert_eq!(body["requestContext"]["approximateInvokeCount"], 2);
    assert_eq!(
        body["requestContext"]["functionArn"],
        "arn:aws:lambda:us-east-1:123456789012:function:fn"
    );
    assert_eq!(body["responseContext"]["statusCode"], 200);
    assert_eq!(body["responseContext"]["executedVersion"], "$LATEST");
    assert_eq!(body["responseContext"]["functionError"], "Unhandled");
    let info = &body["DDBStreamBatchInfo"];
    assert_eq!(info["batchSize"], 2);
    assert_eq!(info["streamArn"], stream.as_str());
    assert!(info["shardId"].as_str().unwrap().starts_with("shardId-"));
    assert!(
        info["startSequenceNumber"].as_str().unwrap() < info["endSequenceNumber"].as_str().unwrap()
    );
    assert_eq!(
        info["approximateArrivalOfFirstRecord"],
        "2023-11-14T22:13:20Z"
    );
    // Then it moves on.
    assert_eq!(pks(&deliver(&mut w, &mut ok)[0]), ["c"]);
}

#[test]
fn bisecting_isolates_the_bad_record_without_spending_retries() {
    let (mut w, stream) = world();
    mapping(
        &mut w,
        &stream,
        json!({"MaximumRetryAttempts": 0, "BisectBatchOnFunctionError": true,
               "DestinationConfig": {"OnFailure": {"Destination": DLQ}}}),
    );
    for pk in ["a", "b", "c", "d"] {
        put(&mut w, pk, "open");
    }
    let mut poison = |event: &Value| {
        if pks(event).contains(&"c".to_string()) {
            Err("poison".to_string())
        } else {
            Ok(Value::Null)
        }
    };
    let mut seen = Vec::new();
    for _ in 0..8 {
        seen.extend(deliver(&mut w, &mut poison).iter().map(pks));
    }
    assert_eq!(
        seen,
        vec![
            vec!["a", "b", "c", "d"],
            vec!["a", "b"],
            vec!["c", "d"],
            vec!["c"],
            vec!["d"]
        ]
    );
    let bodies = dlq_bodies(&mut w);
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0]["DDBStreamBatchInfo"]["batchSize"], 1);
}

#[test]
fn records_older_than_the_maximum_age_are_discarded() {
    let (mut w, stream) = world();
    mapping(
        &mut w,
        &stream,
        json!({"MaximumRecordAgeInSeconds": 60,
               "DestinationConfig": {"OnFailure": {"Destination": DLQ}}}),
    );
    put(&mut w, "a", "open");
    deliver(&mut w, &mut fail);
    w.clock.advance(61_000);
    assert!(deliver(&mut w, &mut fail).is_empty(), "too old to send");
    let bodies = dlq_bodies(&mut w);
    assert_eq!(
        bodies[0]["requestContext"]["condition"],
        "RecordAgeExceeded"
    );
    assert!(deliver(&mut w, &mut ok).is_empty());
}

#[test]
fn the_checkpoint_survives_a_restart() {
    let (mut w, stream) = world();
    mapping(&mut w, &stream, json!({}));
    put(&mut w, "a", "open");
    assert_eq!(pks(&deliver(&mut w, &mut ok)[0]), ["a"]);
    let mut w = w.restart();
    put(&mut w, "b", "open");
    assert_eq!(
        pks(&deliver(&mut w, &mut ok)[0]),
        ["b"],
        "a is not sent again"
    );
}

#[test]
fn a_throttled_batch_waits() {
    let (mut w, stream) = world();
    mapping(&mut w, &stream, json!({}));
    w.ok(
        "PutFunctionConcurrency",
        json!({"FunctionName": "fn", "ReservedConcurrentExecutions": 0}),
    );
    put(&mut w, "a", "open");
    assert!(deliver(&mut w, &mut ok).is_empty());
    w.ok("DeleteFunctionConcurrency", json!({"FunctionName": "fn"}));
    assert_eq!(pks(&deliver(&mut w, &mut ok)[0]), ["a"]);
}

#[test]
fn a_disabled_mapping_does_not_poll_and_resumes_where_it_stopped() {
    let (mut w, stream) = world();
    let uuid = mapping(&mut w, &stream, json!({"Enabled": false}));
    put(&mut w, "a", "open");
    assert!(deliver(&mut w, &mut ok).is_empty());
    let out = w.ok(
        "UpdateEventSourceMapping",
        json!({"UUID": uuid, "Enabled": true}),
    );
    assert_eq!(out["State"], "Enabling");
    assert_eq!(pks(&deliver(&mut w, &mut ok)[0]), ["a"]);
}

#[test]
fn the_api_answers_as_lambda_does() {
    let (mut w, stream) = world();
    let created = w.ok(
        "CreateEventSourceMapping",
        json!({"FunctionName": "fn", "EventSourceArn": stream, "StartingPosition": "LATEST"}),
    );
    let uuid = created["UUID"].as_str().unwrap().to_string();
    assert_eq!(created["State"], "Creating");
    assert_eq!(created["StateTransitionReason"], "USER_INITIATED");
    assert_eq!(created["BatchSize"], 100);
    assert_eq!(created["MaximumBatchingWindowInSeconds"], 0);
    assert_eq!(created["MaximumRetryAttempts"], -1);
    assert_eq!(created["MaximumRecordAgeInSeconds"], -1);
    assert_eq!(created["ParallelizationFactor"], 1);
    assert_eq!(created["BisectBatchOnFunctionError"], false);
    assert_eq!(created["StartingPosition"], "LATEST");
    assert_eq!(created["LastProcessingResult"], "No records processed");
    assert_eq!(created["LastModified"], json!(T0 as f64 / 1000.0));
    assert_eq!(
        created["FunctionArn"],
        "arn:aws:lambda:us-east-1:123456789012:function:fn"
    );
    assert_eq!(
        created["EventSourceMappingArn"],
        format!("arn:aws:lambda:us-east-1:123456789012:event-source-mapping:{uuid}")
    );
    let got = w.ok("GetEventSourceMapping", json!({"UUID": uuid}));
    assert_eq!(got["State"], "Enabled");

    let errors = [
        (
            json!({"FunctionName": "nope", "EventSourceArn": stream, "StartingPosition": "LATEST"}),
            ("ResourceNotFoundException", 404, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope".to_string()),
        ),
        (
            json!({"FunctionName": "fn", "EventSourceArn": format!("{stream}x"), "StartingPosition": "LATEST"}),
            ("InvalidParameterValueException", 400, format!("Stream not found: {stream}x")),
        ),
        (
            json!({"FunctionName": "fn", "EventSourceArn": stream, "StartingPosition": "LATEST"}),
            ("ResourceConflictException", 409, format!("The event source arn (\" {stream} \") and function (\" fn \") provided mapping already exists. Please update or delete the existing mapping with UUID {uuid}")),
        ),
        (
            json!({"FunctionName": "fn", "EventSourceArn": stream}),
            ("InvalidParameterValueException", 400, "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.".to_string()),
        ),
        (
            json!({"FunctionName": "fn", "EventSourceArn": stream, "StartingPosition": "AT_TIMESTAMP"}),
            ("InvalidParameterValueException", 400, format!("Unsupported starting position for arn type: {stream}")),
        ),
        (
            json!({"FunctionName": "fn", "EventSourceArn": stream, "StartingPosition": "LATEST", "BatchSize": 10001}),
            ("ValidationException", 400, "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000".to_string()),
        ),
        (
            json!({"FunctionName": "fn", "EventSourceArn": stream, "StartingPosition": "LATEST", "MaximumBatchingWindowInSeconds": 301}),
            ("ValidationException", 400, "1 validation error detected: Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300".to_string()),
        ),
        (
            json!({"FunctionName": "fn", "EventSourceArn": stream, "StartingPosition": "LATEST", "TumblingWindowInSeconds": 901}),
            ("ValidationException", 400, "1 validation error detected: Value '901' at 'tumblingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900".to_string()),
        ),
        (
            json!({"FunctionName": "fn", "EventSourceArn": stream, "StartingPosition": "LATEST",
                   "FilterCriteria": {"Filters": [{"Pattern": "{\"eventName\": \"INSERT\"}"}]}}),
            ("InvalidParameterValueException", 400, "Invalid filter pattern definition.".to_string()),
        ),
        (
            json!({"FunctionName": "fn", "EventSourceArn": stream, "StartingPosition": "LATEST",
                   "MaximumRetryAttempts": -2}),
            ("ValidationException", 400, "1 validation error detected: Value '-2' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater than or equal to -1".to_string()),
        ),
        (
            json!({"FunctionName": "fn", "EventSourceArn": stream, "StartingPosition": "LATEST",
                   "DestinationConfig": {"OnSuccess": {"Destination": DLQ}}}),
            ("InvalidParameterValueException", 400, "Unsupported DestinationConfig parameter for given event source mapping type.".to_string()),
        ),
        (
            json!({"FunctionName": "fn", "EventSourceArn": "bogus", "StartingPosition": "LATEST"}),
            ("InvalidParameterValueException", 400, "Unrecognized event source.".to_string()),
        ),
    ];
    for (input, (code, status, message)) in errors {
        let (c, s, m) = w.err("CreateEventSourceMapping", input.clone());
        assert_eq!((c.as_str(), s, m), (code, status, message), "{input}");
    }
    let missing = w.err(
        "GetEventSourceMapping",
        json!({"UUID": "9d1a2b3c-0000-4000-8000-000000000000"}),
    );
    assert_eq!(
        missing,
        (
            "ResourceNotFoundException".into(),
            404,
            "The resource you requested does not exist.".into()
        )
    );

    // Listing filters by source and function, and pages.
    let listed = w.ok("ListEventSourceMappings", json!({"FunctionName": "fn"}));
    assert_eq!(listed["EventSourceMappings"].as_array().unwrap().len(), 1);
    let listed = w.ok(
        "ListEventSourceMappings",
        json!({"EventSourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/o/stream/x"}),
    );
    assert!(listed["EventSourceMappings"].as_array().unwrap().is_empty());

    let updated = w.ok(
        "UpdateEventSourceMapping",
        json!({"UUID": uuid, "BatchSize": 5, "Enabled": false}),
    );
    assert_eq!(updated["State"], "Disabling");
    assert_eq!(updated["BatchSize"], 5);
    let got = w.ok("GetEventSourceMapping", json!({"UUID": uuid}));
    assert_eq!(got["State"], "Disabled");

    // Deleting the function leaves the mapping, as in AWS.
    w.ok("DeleteFunction", json!({"FunctionName": "fn"}));
    w.ok("GetEventSourceMapping", json!({"UUID": uuid}));
    let deleted = w.ok("DeleteEventSourceMapping", json!({"UUID": uuid}));
    assert_eq!(deleted["State"], "Deleting");
    assert_eq!(
        w.err("DeleteEventSourceMapping", json!({"UUID": uuid})).1,
        404
    );
    assert!(w.restart().emulator.poll_event_sources().batches.is_empty());
}

/// A function that counts the records of its tumbling window in its state.
fn count_in_state(event: &Value) -> Result<Value, String> {
    let seen = event["state"]["count"].as_i64().unwrap_or(0);
    let count = seen + event["Records"].as_array().unwrap().len() as i64;
    Ok(json!({"state": {"count": count}}))
}

/// T0 is 22:13:20; a 60-second window runs 22:13:00 to 22:14:00.
const WINDOW_END: i64 = T0 + 40_000;

#[test]
fn a_tumbling_window_carries_state_and_ends_with_a_final_invocation() {
    let (mut w, stream) = world();
    let uuid = mapping(
        &mut w,
        &stream,
        json!({"TumblingWindowInSeconds": 60, "BatchSize": 2}),
    );
    assert_eq!(
        w.ok("GetEventSourceMapping", json!({"UUID": uuid}))["TumblingWindowInSeconds"],
        60
    );
    for pk in ["a", "b", "c"] {
        put(&mut w, pk, "open");
    }
    let first = deliver(&mut w, &mut count_in_state);
    assert_eq!(pks(&first[0]), ["a", "b"]);
    assert_eq!(
        first[0]["window"],
        json!({"start": "2023-11-14T22:13:00Z", "end": "2023-11-14T22:14:00Z"})
    );
    assert_eq!(first[0]["state"], json!({}));
    assert_eq!(first[0]["isFinalInvokeForWindow"], false);
    assert_eq!(first[0]["isWindowTerminatedEarly"], false);
    assert_eq!(first[0]["eventSourceARN"], stream);
    assert!(first[0]["shardId"]
        .as_str()
        .unwrap()
        .starts_with("shardId-"));

    // The state goes on to the next invocation of the window, across a restart too.
    let mut w = w.restart();
    let second = deliver(&mut w, &mut count_in_state);
    assert_eq!(pks(&second[0]), ["c"]);
    assert_eq!(second[0]["state"], json!({"count": 2}));
    assert!(
        deliver(&mut w, &mut count_in_state).is_empty(),
        "the window is still open"
    );

    // Once it has ended, the final invocation hands over the last state, without records.
    w.clock.advance(WINDOW_END - T0);
    put(&mut w, "d", "open");
    let last = deliver(&mut w, &mut count_in_state);
    assert_eq!(last[0]["Records"], json!([]));
    assert_eq!(last[0]["isFinalInvokeForWindow"], true);
    assert_eq!(last[0]["state"], json!({"count": 3}));
    assert_eq!(last[0]["window"]["start"], "2023-11-14T22:13:00Z");
    let next = deliver(&mut w, &mut count_in_state);
    assert_eq!(pks(&next[0]), ["d"]);
    assert_eq!(next[0]["window"]["start"], "2023-11-14T22:14:00Z");
    assert_eq!(next[0]["state"], json!({}), "a new window starts afresh");
}

#[test]
fn a_batch_never_spans_two_tumbling_windows() {
    let (mut w, stream) = world();
    mapping(&mut w, &stream, json!({"TumblingWindowInSeconds": 60}));
    put(&mut w, "a", "open");
    w.clock.advance(WINDOW_END - T0 - 1);
    put(&mut w, "b", "open");
    w.clock.advance(1);
    put(&mut w, "c", "open");
    let events: Vec<Value> = (0..4)
        .flat_map(|_| deliver(&mut w, &mut count_in_state))
        .collect();
    let shape: Vec<(Vec<String>, bool)> = events
        .iter()
        .map(|e| (pks(e), e["isFinalInvokeForWindow"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        shape,
        [
            (vec!["a".to_string(), "b".to_string()], false),
            (vec![], true),
            (vec!["c".to_string()], false),
        ]
    );
    assert_eq!(events[1]["state"], json!({"count": 2}));
}

#[test]
fn a_window_invocation_without_state_fails_and_is_retried() {
    let (mut w, stream) = world();
    mapping(&mut w, &stream, json!({"TumblingWindowInSeconds": 60}));
    put(&mut w, "a", "open");
    assert_eq!(pks(&deliver(&mut w, &mut ok)[0]), ["a"]);
    let again = deliver(&mut w, &mut count_in_state);
    assert_eq!(pks(&again[0]), ["a"], "no state: the batch failed");
    assert_eq!(again[0]["state"], json!({}));

    // A failed final invocation is retried too.
    w.clock.advance(WINDOW_END - T0);
    let last = deliver(&mut w, &mut fail);
    assert_eq!(last[0]["isFinalInvokeForWindow"], true);
    let last = deliver(&mut w, &mut ok);
    assert_eq!(last[0]["isFinalInvokeForWindow"], true);
    assert_eq!(last[0]["state"], json!({"count": 1}));
    assert!(deliver(&mut w, &mut ok).is_empty(), "the window is done");
}

#[test]
fn a_state_over_one_megabyte_ends_the_window_early() {
    let (mut w, stream) = world();
    mapping(
        &mut w,
        &stream,
        json!({"TumblingWindowInSeconds": 60, "BatchSize": 1}),
    );
    put(&mut w, "a", "open");
    put(&mut w, "b", "open");
    let mut hoard = |_: &Value| Ok(json!({"state": {"blob": "x".repeat(1024 * 1024)}}));
    deliver(&mut w, &mut hoard);
    let early = deliver(&mut w, &mut count_in_state);
    assert_eq!(early[0]["Records"], json!([]));
    assert_eq!(early[0]["isFinalInvokeForWindow"], true);
    assert_eq!(early[0]["isWindowTerminatedEarly"], true);
    let next = deliver(&mut w, &mut count_in_state);
    assert_eq!(pks(&next[0]), ["b"]);
    assert_eq!(next[0]["window"]["start"], "2023-11-14T22:13:00Z");
    assert_eq!(next[0]["state"], json!({}), "the window goes on afresh");
}
