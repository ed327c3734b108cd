//! The JSON a function receives from a DynamoDB stream, and the record Lambda sends to an
//! on-failure destination. See AWS's "Using AWS Lambda with Amazon DynamoDB", "Capturing
//! discarded batches for a DynamoDB Streams event source" and "Implementing stateful DynamoDB
//! stream processing in Lambda" (tumbling windows).

use nimbus_shapes::dynamodbstreams as ds;
use serde_json::{json, Map, Value};

use crate::services::lambda::invoke::iso_millis;

/// A stream record as Lambda hands it to a function: the DynamoDB Streams record plus
/// `eventSourceARN`, `ApproximateCreationDateTime` as whole epoch seconds, and a TTL
/// deletion's identity in lower-case member names (`{"type": "Service", "principalId":
/// "dynamodb.amazonaws.com"}`).
pub fn lambda_record(record: &ds::Record, stream_arn: &str) -> Value {
    let mut value = serde_json::to_value(record).expect("records serialise");
    let object = value.as_object_mut().expect("a record is an object");
    object.insert("eventSourceARN".into(), Value::from(stream_arn));
    if let Some(Value::Object(dynamodb)) = object.get_mut("dynamodb") {
        if let Some(seconds) = dynamodb
            .get("ApproximateCreationDateTime")
            .and_then(Value::as_f64)
        {
            dynamodb.insert(
                "ApproximateCreationDateTime".into(),
                Value::from(seconds.floor() as i64),
            );
        }
    }
    if let Some(identity) = record.user_identity.as_ref() {
        let mut lower = Map::new();
        if let Some(kind) = &identity.r#type {
            lower.insert("type".into(), Value::from(kind.as_str()));
        }
        if let Some(principal) = &identity.principal_id {
            lower.insert("principalId".into(), Value::from(principal.as_str()));
        }
        object.insert("userIdentity".into(), Value::Object(lower));
    }
    value
}

/// What an invocation in a tumbling window adds to the event.
pub struct WindowContext<'a> {
    pub start_millis: i64,
    pub length_secs: i32,
    /// The state the function answered last in this window; none (`{}`) at its start.
    pub state: Option<&'a Value>,
    pub shard_id: &'a str,
    pub stream_arn: &'a str,
    /// The window's last invocation, with no records: the state is final.
    pub is_final: bool,
    /// It ends because the state outgrew 1 MB; the window goes on with a fresh state.
    pub terminated_early: bool,
}

/// The bytes a window adds to an event beside its records, for the payload limit.
pub fn window_overhead(window: &WindowContext) -> usize {
    window_fields(window).to_string().len()
}

fn window_fields(w: &WindowContext) -> Value {
    let end_millis = w.start_millis + i64::from(w.length_secs) * 1000;
    json!({
        "window": {"start": iso_seconds(w.start_millis), "end": iso_seconds(end_millis)},
        "state": w.state.cloned().unwrap_or_else(|| json!({})),
        "shardId": w.shard_id,
        "eventSourceARN": w.stream_arn,
        "isFinalInvokeForWindow": w.is_final,
        "isWindowTerminatedEarly": w.terminated_early,
    })
}

/// The event of one invocation: `{"Records": [...]}`, with the window's fields in a tumbling
/// window (the DynamodbTimeWindowEvent).
pub fn batch_event(records: &[Value], window: Option<&WindowContext>) -> Vec<u8> {
    let mut event = match window {
        Some(window) => window_fields(window),
        None => json!({}),
    };
    event["Records"] = Value::from(records);
    serde_json::to_vec(&event).expect("events serialise")
}

/// Why a batch was discarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    RetryAttemptsExhausted,
    RecordAgeExceeded,
}

impl Condition {
    fn as_str(self) -> &'static str {
        match self {
            Condition::RetryAttemptsExhausted => "RetryAttemptsExhausted",
            Condition::RecordAgeExceeded => "RecordAgeExceeded",
        }
    }
}

/// The last invocation's answer, for `responseContext`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Response {
    pub status_code: i64,
    pub executed_version: String,
    pub function_error: Option<String>,
}

/// What the on-failure record describes.
pub struct Discarded<'a> {
    pub request_id: &'a str,
    pub function_arn: &'a str,
    pub condition: Condition,
    pub invoke_count: i32,
    pub response: Option<&'a Response>,
    pub now_millis: i64,
    pub shard_id: &'a str,
    pub stream_arn: &'a str,
    /// (sequence number, arrival millis) of the first and last discarded records.
    pub first: (&'a str, i64),
    pub last: (&'a str, i64),
    pub batch_size: usize,
}

/// Arrival times are whole seconds in the documented example (`2019-11-14T00:13:19Z`).
fn iso_seconds(millis: i64) -> String {
    let text = iso_millis(millis - millis.rem_euclid(1000));
    format!("{}Z", &text[..19])
}

/// The invocation record Lambda sends to an on-failure destination for a stream batch.
pub fn on_failure_record(d: &Discarded) -> Value {
    let mut record = json!({
        "requestContext": {
            "requestId": d.request_id,
            "functionArn": d.function_arn,
            "condition": d.condition.as_str(),
            "approximateInvokeCount": d.invoke_count,
        },
        "version": "1.0",
        "timestamp": iso_millis(d.now_millis),
        "DDBStreamBatchInfo": {
            "shardId": d.shard_id,
            "startSequenceNumber": d.first.0,
            "endSequenceNumber": d.last.0,
            "approximateArrivalOfFirstRecord": iso_seconds(d.first.1),
            "approximateArrivalOfLastRecord": iso_seconds(d.last.1),
            "batchSize": d.batch_size,
            "streamArn": d.stream_arn,
        },
    });
    // Records too old are discarded before any invocation: there is no response to describe.
    if let Some(response) = d.response {
        let mut context = json!({
            "statusCode": response.status_code,
            "executedVersion": response.executed_version,
        });
        if let Some(error) = &response.function_error {
            context["functionError"] = Value::from(error.as_str());
        }
        record["responseContext"] = context;
    }
    record
}
