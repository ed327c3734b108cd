//! CloudWatch Logs through the emulator's entry point, in the canonical JSON form.

mod common;

use common::{caller, with_ctx, DOCS_ACCOUNT, T0 as NOW};
use std::sync::Arc;

use nimbus_core::{services::logs, ChangeSet, ManualClock};
use serde_json::{json, Value};

const GROUP_ARN: &str = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn";

type Answer = Result<Value, (String, u16, String)>;

type World = common::World<(String, u16, String)>;

fn world() -> World {
    World::new("logs", DOCS_ACCOUNT)
}

impl World {
    /// A group `/aws/lambda/fn` with stream `s1`.
    fn with_stream() -> Self {
        let mut w = world();
        w.ok("CreateLogGroup", json!({"logGroupName": "/aws/lambda/fn"}));
        w.ok(
            "CreateLogStream",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "s1"}),
        );
        w
    }

    fn put(&mut self, stream: &str, events: &[(i64, &str)]) -> Value {
        let events: Vec<Value> = events
            .iter()
            .map(|(t, m)| json!({"timestamp": t, "message": m}))
            .collect();
        self.ok(
            "PutLogEvents",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamName": stream, "logEvents": events}),
        )
    }

    fn get(&mut self, extra: Value) -> Value {
        let mut input = json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "s1"});
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        self.ok("GetLogEvents", input)
    }

    fn filter(&mut self, extra: Value) -> Value {
        let mut input = json!({"logGroupName": "/aws/lambda/fn"});
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        self.ok("FilterLogEvents", input)
    }
}

fn err(code: &str, message: &str) -> Answer {
    Err((code.into(), 400, message.into()))
}

fn messages(events: &Value) -> Vec<String> {
    common::strings(events, "message")
}

#[test]
fn log_groups_are_created_described_and_deleted() {
    let mut w = world();
    w.ok(
        "CreateLogGroup",
        json!({"logGroupName": "/aws/lambda/fn", "tags": {"team": "ops"}}),
    );
    w.ok("CreateLogGroup", json!({"logGroupName": "other"}));
    assert_eq!(
        w.call("CreateLogGroup", json!({"logGroupName": "/aws/lambda/fn"})),
        err(
            "ResourceAlreadyExistsException",
            "The specified log group already exists"
        )
    );
    let described = w.ok("DescribeLogGroups", json!({"logGroupNamePrefix": "/aws"}));
    assert_eq!(
        described,
        json!({"logGroups": [{
            "logGroupName": "/aws/lambda/fn",
            "creationTime": NOW,
            "metricFilterCount": 0,
            "arn": format!("{GROUP_ARN}:*"),
            "logGroupArn": GROUP_ARN,
            "storedBytes": 0,
            "logGroupClass": "STANDARD",
            "deletionProtectionEnabled": false,
        }]})
    );
    w.ok("DeleteLogGroup", json!({"logGroupName": "/aws/lambda/fn"}));
    assert_eq!(
        w.call("DeleteLogGroup", json!({"logGroupName": "/aws/lambda/fn"})),
        err(
            "ResourceNotFoundException",
            "The specified log group does not exist."
        )
    );
    let names: Vec<Value> = w.ok("DescribeLogGroups", json!({}))["logGroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["logGroupName"].clone())
        .collect();
    assert_eq!(names, vec![json!("other")]);
}

#[test]
fn log_group_names_are_validated() {
    let mut w = world();
    assert_eq!(
        w.call("CreateLogGroup", json!({"logGroupName": "bad name"})),
        err(
            "InvalidParameterException",
            "1 validation error detected: Value 'bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
        )
    );
    assert_eq!(
        w.call("CreateLogGroup", json!({"logGroupName": "a".repeat(513)})),
        err(
            "InvalidParameterException",
            &format!("1 validation error detected: Value '{}' at 'logGroupName' failed to satisfy constraint: Member must have length less than or equal to 512", "a".repeat(513))
        )
    );
    assert_eq!(
        w.call("CreateLogGroup", json!({})),
        err(
            "InvalidParameterException",
            "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null"
        )
    );
    w.ok("CreateLogGroup", json!({"logGroupName": "a".repeat(512)}));
    w.ok("CreateLogGroup", json!({"logGroupName": "ok.-_/#Z9"}));
}

#[test]
fn describe_log_groups_pages_with_limit_and_token() {
    let mut w = world();
    for name in ["c", "a", "b"] {
        w.ok("CreateLogGroup", json!({"logGroupName": name}));
    }
    let first = w.ok("DescribeLogGroups", json!({"limit": 2}));
    let names = |page: &Value| -> Vec<String> {
        page["logGroups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["logGroupName"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&first), ["a", "b"]);
    let token = first["nextToken"].clone();
    let second = w.ok("DescribeLogGroups", json!({"limit": 2, "nextToken": token}));
    assert_eq!(names(&second), ["c"]);
    assert!(second.get("nextToken").is_none());
    w.ok(
        "CreateLogGroup",
        json!({"logGroupName": "/aws/lambda/Orders"}),
    );
    let found = w.ok("DescribeLogGroups", json!({"logGroupNamePattern": "ORDER"}));
    assert_eq!(names(&found), ["/aws/lambda/Orders"]);
    assert_eq!(
        w.call("DescribeLogGroups", json!({"limit": 51})),
        err(
            "InvalidParameterException",
            "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"
        )
    );
}

#[test]
fn retention_policy_takes_only_allowed_values() {
    let mut w = World::with_stream();
    w.ok(
        "PutRetentionPolicy",
        json!({"logGroupName": "/aws/lambda/fn", "retentionInDays": 7}),
    );
    let group = &w.ok("DescribeLogGroups", json!({}))["logGroups"][0];
    assert_eq!(group["retentionInDays"], 7);
    let wrong = w.call(
        "PutRetentionPolicy",
        json!({"logGroupName": "/aws/lambda/fn", "retentionInDays": 2}),
    );
    assert_eq!(
        wrong,
        err(
            "InvalidParameterException",
            "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]"
        )
    );
    assert_eq!(
        w.call(
            "PutRetentionPolicy",
            json!({"logGroupName": "missing", "retentionInDays": 1})
        ),
        err(
            "ResourceNotFoundException",
            "The specified log group does not exist."
        )
    );
    w.ok(
        "DeleteRetentionPolicy",
        json!({"logGroupName": "/aws/lambda/fn"}),
    );
    let group = &w.ok("DescribeLogGroups", json!({}))["logGroups"][0];
    assert!(group.get("retentionInDays").is_none());
}

#[test]
fn log_streams_are_created_described_and_deleted() {
    let mut w = World::with_stream();
    assert_eq!(
        w.call(
            "CreateLogStream",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "s1"})
        ),
        err(
            "ResourceAlreadyExistsException",
            "The specified log stream already exists"
        )
    );
    assert_eq!(
        w.call(
            "CreateLogStream",
            json!({"logGroupName": "nope", "logStreamName": "s1"})
        ),
        err(
            "ResourceNotFoundException",
            "The specified log group does not exist."
        )
    );
    assert_eq!(
        w.call(
            "CreateLogStream",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "a:b"})
        ),
        err(
            "InvalidParameterException",
            "1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"
        )
    );
    w.ok(
        "CreateLogStream",
        json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "2024/01/01/[$LATEST]abc"}),
    );
    let described = w.ok(
        "DescribeLogStreams",
        json!({"logGroupName": "/aws/lambda/fn", "logStreamNamePrefix": "s"}),
    );
    assert_eq!(
        described,
        json!({"logStreams": [{
            "logStreamName": "s1",
            "creationTime": NOW,
            "arn": format!("{GROUP_ARN}:log-stream:s1"),
            "storedBytes": 0,
        }]})
    );
    w.put("s1", &[(NOW - 10, "hello")]);
    let stream = &w.ok(
        "DescribeLogStreams",
        json!({"logGroupName": "/aws/lambda/fn", "logStreamNamePrefix": "s1"}),
    )["logStreams"][0];
    assert_eq!(stream["firstEventTimestamp"], NOW - 10);
    assert_eq!(stream["lastEventTimestamp"], NOW - 10);
    assert_eq!(stream["lastIngestionTime"], NOW);
    assert_eq!(stream["uploadSequenceToken"], format!("{:056}", 1));

    w.ok(
        "DeleteLogStream",
        json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "s1"}),
    );
    assert_eq!(
        w.call(
            "DeleteLogStream",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "s1"})
        ),
        err(
            "ResourceNotFoundException",
            "The specified log stream does not exist."
        )
    );
}

#[test]
fn describe_log_streams_orders_and_pages() {
    let mut w = World::with_stream();
    for name in ["s3", "s2"] {
        w.ok(
            "CreateLogStream",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamName": name}),
        );
    }
    w.put("s3", &[(NOW - 300, "old")]);
    w.put("s1", &[(NOW - 200, "middle")]);
    w.put("s2", &[(NOW - 100, "new")]);
    let names = |page: &Value| -> Vec<String> {
        page["logStreams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["logStreamName"].as_str().unwrap().to_string())
            .collect()
    };
    let by_time = w.ok(
        "DescribeLogStreams",
        json!({"logGroupName": "/aws/lambda/fn", "orderBy": "LastEventTime", "descending": true}),
    );
    assert_eq!(names(&by_time), ["s2", "s1", "s3"]);
    let first = w.ok(
        "DescribeLogStreams",
        json!({"logGroupName": "/aws/lambda/fn", "limit": 2}),
    );
    assert_eq!(names(&first), ["s1", "s2"]);
    let second = w.ok(
        "DescribeLogStreams",
        json!({"logGroupName": "/aws/lambda/fn", "limit": 2, "nextToken": first["nextToken"]}),
    );
    assert_eq!(names(&second), ["s3"]);
    assert!(second.get("nextToken").is_none());
    assert_eq!(
        w.call(
            "DescribeLogStreams",
            json!({"logGroupName": "/aws/lambda/fn", "orderBy": "LastEventTime", "logStreamNamePrefix": "s"})
        ),
        err(
            "InvalidParameterException",
            "Cannot order by LastEventTime with a logStreamNamePrefix."
        )
    );
    assert_eq!(
        w.call("DescribeLogStreams", json!({"logGroupName": "nope"})),
        err(
            "ResourceNotFoundException",
            "The specified log group does not exist."
        )
    );
}

#[test]
fn put_log_events_validates_the_batch() {
    let mut w = World::with_stream();
    let put = |w: &mut World, stream: &str, events: Value| {
        w.call(
            "PutLogEvents",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamName": stream, "logEvents": events}),
        )
    };
    assert_eq!(
        put(
            &mut w,
            "s1",
            json!([{"timestamp": NOW, "message": "b"}, {"timestamp": NOW - 1, "message": "a"}])
        ),
        err(
            "InvalidParameterException",
            "Log events in a single PutLogEvents request must be in chronological order."
        )
    );
    assert_eq!(
        put(&mut w, "nope", json!([{"timestamp": NOW, "message": "a"}])),
        err(
            "ResourceNotFoundException",
            "The specified log stream does not exist."
        )
    );
    let too_many: Vec<Value> = (0..10_001)
        .map(|_| json!({"timestamp": NOW, "message": "x"}))
        .collect();
    assert_eq!(
        put(&mut w, "s1", json!(too_many)),
        err(
            "InvalidParameterException",
            "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000"
        )
    );
    // 5 events of 209,690 bytes plus 26 bytes each come to 1,048,580 bytes: 4 over the limit.
    let big: Vec<Value> = (0..5)
        .map(|_| json!({"timestamp": NOW, "message": "x".repeat(209_690)}))
        .collect();
    assert_eq!(
        put(&mut w, "s1", json!(big)),
        err(
            "InvalidParameterException",
            "Upload too large: 1048580 bytes exceeds limit of 1048576"
        )
    );
    // Nothing above was stored.
    assert_eq!(w.get(json!({}))["events"], json!([]));
    let first = w.put("s1", &[(NOW, "one")]);
    assert_eq!(first, json!({"nextSequenceToken": format!("{:056}", 1)}));
    let second = w.put("s1", &[(NOW, "two")]);
    assert_eq!(second["nextSequenceToken"], format!("{:056}", 2));
}

#[test]
fn put_log_events_rejects_too_old_and_too_new_events() {
    let mut w = World::with_stream();
    let day = 24 * 3600 * 1000;
    let hour = 3600 * 1000;
    // The batch may not span more than 24 hours, so test each side on its own.
    let answer = w.put(
        "s1",
        &[
            (NOW - 14 * day - 2, "old"),
            (NOW - 14 * day - 1, "older"),
            (NOW - 14 * day + 1000, "kept"),
        ],
    );
    assert_eq!(
        answer["rejectedLogEventsInfo"],
        json!({"tooOldLogEventEndIndex": 1})
    );
    let answer = w.put(
        "s1",
        &[(NOW + 1, "kept too"), (NOW + 2 * hour + 1, "future")],
    );
    assert_eq!(
        answer["rejectedLogEventsInfo"],
        json!({"tooNewLogEventStartIndex": 1})
    );
    w.ok(
        "PutRetentionPolicy",
        json!({"logGroupName": "/aws/lambda/fn", "retentionInDays": 1}),
    );
    let answer = w.put("s1", &[(NOW - day - 1, "expired"), (NOW - 5, "fresh")]);
    assert_eq!(
        answer["rejectedLogEventsInfo"],
        json!({"expiredLogEventEndIndex": 0})
    );
    let stored = w.get(json!({"startFromHead": true}));
    assert_eq!(messages(&stored["events"]), ["kept", "fresh", "kept too"]);
}

#[test]
fn get_log_events_pages_in_both_directions() {
    let mut w = World::with_stream();
    let batch: Vec<(i64, String)> = (0..5).map(|i| (NOW - 50 + i, format!("m{i}"))).collect();
    let batch: Vec<(i64, &str)> = batch.iter().map(|(t, m)| (*t, m.as_str())).collect();
    w.clock.advance(7);
    w.put("s1", &batch);

    // Without a token and startFromHead, the newest events come first.
    let tail = w.get(json!({"limit": 2}));
    assert_eq!(messages(&tail["events"]), ["m3", "m4"]);
    assert_eq!(tail["events"][0]["ingestionTime"], NOW + 7);
    assert_eq!(tail["events"][0]["timestamp"], NOW - 47);
    let forward = tail["nextForwardToken"].as_str().unwrap().to_string();
    let backward = tail["nextBackwardToken"].as_str().unwrap().to_string();
    assert!(
        forward.starts_with("f/") && forward.len() == 58,
        "{forward}"
    );
    assert!(
        backward.starts_with("b/") && backward.len() == 58,
        "{backward}"
    );

    // Paging backwards reaches the head, then keeps answering the same token.
    let page = w.get(json!({"limit": 2, "nextToken": backward}));
    assert_eq!(messages(&page["events"]), ["m1", "m2"]);
    let page = w.get(json!({"limit": 2, "nextToken": page["nextBackwardToken"]}));
    assert_eq!(messages(&page["events"]), ["m0"]);
    let head = page["nextBackwardToken"].clone();
    let page = w.get(json!({"limit": 2, "nextToken": head}));
    assert_eq!(page["events"], json!([]));
    assert_eq!(page["nextBackwardToken"], head);

    // At the end of the stream the forward token comes back unchanged, until events arrive.
    let end = w.get(json!({"nextToken": forward}));
    assert_eq!(end["events"], json!([]));
    assert_eq!(end["nextForwardToken"].as_str().unwrap(), forward);
    w.put("s1", &[(NOW, "later")]);
    let next = w.get(json!({"nextToken": forward}));
    assert_eq!(messages(&next["events"]), ["later"]);

    // From the head, forwards, within a time range (end exclusive).
    let head = w.get(
        json!({"startFromHead": true, "limit": 2, "startTime": NOW - 49, "endTime": NOW - 46}),
    );
    assert_eq!(messages(&head["events"]), ["m1", "m2"]);
    let rest = w.get(json!({"limit": 2, "startTime": NOW - 49, "endTime": NOW - 46, "nextToken": head["nextForwardToken"]}));
    assert_eq!(messages(&rest["events"]), ["m3"]);

    assert_eq!(
        w.call(
            "GetLogEvents",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "s1", "nextToken": "x/1"})
        ),
        err(
            "InvalidParameterException",
            "The specified nextToken is invalid."
        )
    );
    assert_eq!(
        w.call(
            "GetLogEvents",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "s9"})
        ),
        err(
            "ResourceNotFoundException",
            "The specified log stream does not exist."
        )
    );
    // logGroupIdentifier takes the group's ARN.
    let by_arn = w.ok(
        "GetLogEvents",
        json!({"logGroupIdentifier": GROUP_ARN, "logStreamName": "s1", "limit": 1}),
    );
    assert_eq!(messages(&by_arn["events"]), ["later"]);
}

#[test]
fn filter_log_events_matches_terms_across_streams() {
    let mut w = World::with_stream();
    w.ok(
        "CreateLogStream",
        json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "s2"}),
    );
    w.put(
        "s1",
        &[(NOW - 30, "ERROR disk full"), (NOW - 10, "INFO started")],
    );
    w.put(
        "s2",
        &[
            (NOW - 20, "ERROR Connection refused by host"),
            (NOW - 5, "WARN slow"),
        ],
    );

    let all = w.filter(json!({}));
    assert_eq!(
        messages(&all["events"]),
        [
            "ERROR disk full",
            "ERROR Connection refused by host",
            "INFO started",
            "WARN slow"
        ]
    );
    let first = &all["events"][0];
    assert_eq!(first["logStreamName"], "s1");
    assert_eq!(first["timestamp"], NOW - 30);
    assert_eq!(first["ingestionTime"], NOW);
    assert_eq!(first["eventId"].as_str().unwrap().len(), 56);

    let errors = w.filter(json!({"filterPattern": "ERROR"}));
    assert_eq!(
        messages(&errors["events"]),
        ["ERROR disk full", "ERROR Connection refused by host"]
    );
    // Every term must appear; case matters.
    let both = w.filter(json!({"filterPattern": "ERROR disk"}));
    assert_eq!(messages(&both["events"]), ["ERROR disk full"]);
    assert_eq!(
        w.filter(json!({"filterPattern": "error"}))["events"],
        json!([])
    );
    let phrase = w.filter(json!({"filterPattern": "\"Connection refused\""}));
    assert_eq!(
        messages(&phrase["events"]),
        ["ERROR Connection refused by host"]
    );
    assert_eq!(
        w.filter(json!({"filterPattern": "\"refused Connection\""}))["events"],
        json!([])
    );
    let either = w.filter(json!({"filterPattern": "?INFO ?WARN"}));
    assert_eq!(messages(&either["events"]), ["INFO started", "WARN slow"]);
    let excluded = w.filter(json!({"filterPattern": "ERROR -disk"}));
    assert_eq!(
        messages(&excluded["events"]),
        ["ERROR Connection refused by host"]
    );

    let named =
        w.filter(json!({"logStreamNames": ["s2"], "startTime": NOW - 20, "endTime": NOW - 20}));
    assert_eq!(
        messages(&named["events"]),
        ["ERROR Connection refused by host"]
    );
    let prefixed = w.filter(json!({"logStreamNamePrefix": "s1"}));
    assert_eq!(
        messages(&prefixed["events"]),
        ["ERROR disk full", "INFO started"]
    );

    // Paging with nextToken.
    let page = w.filter(json!({"limit": 3}));
    assert_eq!(page["events"].as_array().unwrap().len(), 3);
    let rest = w.filter(json!({"limit": 3, "nextToken": page["nextToken"]}));
    assert_eq!(messages(&rest["events"]), ["WARN slow"]);
    assert!(rest.get("nextToken").is_none());

    assert_eq!(
        w.call(
            "FilterLogEvents",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamNames": ["s1"], "logStreamNamePrefix": "s"})
        ),
        err(
            "InvalidParameterException",
            "Cannot specify both logStreamNames and logStreamNamePrefix."
        )
    );
    assert_eq!(
        w.call("FilterLogEvents", json!({"logGroupName": "nope"})),
        err(
            "ResourceNotFoundException",
            "The specified log group does not exist."
        )
    );
}

#[test]
fn tags_on_log_groups() {
    let mut w = World::with_stream();
    w.ok(
        "TagLogGroup",
        json!({"logGroupName": "/aws/lambda/fn", "tags": {"a": "1", "b": "2"}}),
    );
    w.ok(
        "TagResource",
        json!({"resourceArn": GROUP_ARN, "tags": {"c": "3"}}),
    );
    w.ok(
        "UntagResource",
        json!({"resourceArn": GROUP_ARN, "tagKeys": ["a"]}),
    );
    w.ok(
        "UntagLogGroup",
        json!({"logGroupName": "/aws/lambda/fn", "tags": ["b"]}),
    );
    assert_eq!(
        w.ok(
            "ListTagsLogGroup",
            json!({"logGroupName": "/aws/lambda/fn"})
        ),
        json!({"tags": {"c": "3"}})
    );
    assert_eq!(
        w.ok("ListTagsForResource", json!({"resourceArn": GROUP_ARN})),
        json!({"tags": {"c": "3"}})
    );
    let missing = w.call(
        "ListTagsForResource",
        json!({"resourceArn": "arn:aws:logs:us-east-1:123456789012:log-group:nope"}),
    );
    assert_eq!(missing.unwrap_err().0, "ResourceNotFoundException");
}

/// Runs `append_events` as Lambda would and returns the records it wrote.
fn append(state: &mut logs::State, now: i64, stream: &str, events: &[(i64, String)]) -> ChangeSet {
    let caller = caller(DOCS_ACCOUNT);
    with_ctx(&caller, now, 3, |ctx| {
        logs::append_events(state, ctx, "/aws/lambda/fn", stream, events)
    })
    .1
}

#[test]
fn append_events_creates_group_and_stream_and_persists_each_event() {
    let mut state = logs::State::default();
    let stream = "2024/01/01/[$LATEST]abc";
    let first = append(
        &mut state,
        NOW,
        stream,
        &[(NOW - 2, "START".into()), (NOW - 1, "hello".into())],
    );
    let second = append(&mut state, NOW + 5, stream, &[(NOW, "END".into())]);
    // The second append writes only its own event and the small metadata records.
    let keys: Vec<String> = second
        .changes
        .iter()
        .map(|c| match c {
            nimbus_storage::Change::Put { key, .. } => key.clone(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    let prefix = "logs/123456789012/us-east-1/g/%2Faws%2Flambda%2Ffn";
    let stream_part = "s/2024%2F01%2F01%2F[$LATEST]abc";
    assert_eq!(
        keys,
        [
            format!("{prefix}/{stream_part}/e/{:020}", 2),
            format!("{prefix}/{stream_part}"),
            prefix.to_string(),
        ]
    );

    let records = common::records_of(&[first, second]);
    let mut emulator = common::restored(Arc::new(ManualClock::new(NOW)), records);
    let got = emulator
        .call(
            &caller(DOCS_ACCOUNT),
            "logs",
            "GetLogEvents",
            json!({"logGroupName": "/aws/lambda/fn", "logStreamName": stream, "startFromHead": true}),
        )
        .result
        .unwrap();
    assert_eq!(messages(&got["events"]), ["START", "hello", "END"]);
    assert_eq!(got["events"][2]["ingestionTime"], NOW + 5);
}

#[test]
fn state_comes_back_from_its_records() {
    let mut w = World::with_stream();
    w.ok(
        "PutRetentionPolicy",
        json!({"logGroupName": "/aws/lambda/fn", "retentionInDays": 30}),
    );
    w.ok(
        "TagLogGroup",
        json!({"logGroupName": "/aws/lambda/fn", "tags": {"k": "v"}}),
    );
    w.put("s1", &[(NOW - 2, "first"), (NOW - 1, "second")]);
    w.ok(
        "CreateLogStream",
        json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "gone"}),
    );
    w.put("gone", &[(NOW, "dropped")]);
    w.ok(
        "DeleteLogStream",
        json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "gone"}),
    );
    w.ok("CreateLogGroup", json!({"logGroupName": "/aws/lambda/fn2"}));
    w.ok("DeleteLogGroup", json!({"logGroupName": "/aws/lambda/fn2"}));
    // A group whose encoded name is a prefix of another's: deleting it leaves the other alone.
    w.ok("CreateLogGroup", json!({"logGroupName": "/aws/lambda/f"}));
    w.ok("DeleteLogGroup", json!({"logGroupName": "/aws/lambda/f"}));
    w.ok("CreateLogGroup", json!({"logGroupName": "/aws/lambda/f"}));

    let records = w.records();
    assert!(!records
        .iter()
        .any(|(k, _)| k.contains("gone") || k.contains("fn2")));
    let mut fresh = w.restart();
    let mut call = |op: &str, input: Value| fresh.ok(op, input);

    let groups = call("DescribeLogGroups", json!({}));
    let names: Vec<&str> = groups["logGroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["logGroupName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["/aws/lambda/f", "/aws/lambda/fn"]);
    assert_eq!(groups["logGroups"][1]["retentionInDays"], 30);
    assert_eq!(groups["logGroups"][1]["storedBytes"], 11);
    assert_eq!(
        call(
            "ListTagsLogGroup",
            json!({"logGroupName": "/aws/lambda/fn"})
        ),
        json!({"tags": {"k": "v"}})
    );
    let streams = call(
        "DescribeLogStreams",
        json!({"logGroupName": "/aws/lambda/fn"}),
    );
    assert_eq!(streams["logStreams"].as_array().unwrap().len(), 1);
    assert_eq!(
        streams["logStreams"][0]["uploadSequenceToken"],
        format!("{:056}", 1)
    );
    let events = call(
        "GetLogEvents",
        json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "s1"}),
    );
    assert_eq!(messages(&events["events"]), ["first", "second"]);
    // Event ids continue after a restart rather than repeating.
    call(
        "PutLogEvents",
        json!({"logGroupName": "/aws/lambda/fn", "logStreamName": "s1", "logEvents": [{"timestamp": NOW - 1, "message": "third"}]}),
    );
    let filtered = call("FilterLogEvents", json!({"logGroupName": "/aws/lambda/fn"}));
    let ids: Vec<&str> = filtered["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert_ne!(ids[1], ids[2]);
}
