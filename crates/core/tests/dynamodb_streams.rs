//! DynamoDB Streams through the emulator's entry point: StreamSpecification, the records
//! every item write produces, and the DynamoDB Streams API.

use std::{collections::BTreeMap, sync::Arc};

use nimbus_core::{Caller, ChangeSet, Emulator, ManualClock, SeededIds};
use serde_json::{json, Value};

const T0: i64 = 1_700_000_000_000;
const HOUR: i64 = 3_600_000;

fn caller() -> Caller {
    Caller {
        account_id: "000000000000".into(),
        region: "us-east-1".into(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        endpoint: "http://localhost:4566".into(),
    }
}

type Answer = Result<Value, (String, String)>;

struct World {
    clock: Arc<ManualClock>,
    emulator: Emulator,
    changes: Vec<ChangeSet>,
}

impl World {
    fn new() -> Self {
        let clock = Arc::new(ManualClock::new(T0));
        let emulator = Emulator::new(clock.clone(), Box::new(SeededIds::new(7)));
        World {
            clock,
            emulator,
            changes: Vec::new(),
        }
    }

    fn send(&mut self, service: &str, op: &str, input: Value) -> Answer {
        let outcome = self.emulator.call(&caller(), service, op, input);
        self.changes.push(outcome.changes);
        outcome.result.map_err(|e| (e.code, e.message))
    }

    fn db(&mut self, op: &str, input: Value) -> Value {
        self.send("dynamodb", op, input)
            .unwrap_or_else(|e| panic!("{op}: {e:?}"))
    }

    fn streams(&mut self, op: &str, input: Value) -> Answer {
        self.send("dynamodbstreams", op, input)
    }

    /// A table keyed by `pk` (S) with a stream of `view` (or none); answers the stream ARN.
    fn table(&mut self, name: &str, view: Option<&str>) -> Option<String> {
        let mut input = json!({
            "TableName": name,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        });
        if let Some(view) = view {
            input["StreamSpecification"] = json!({"StreamEnabled": true, "StreamViewType": view});
        }
        let out = self.db("CreateTable", input);
        out["TableDescription"]["LatestStreamArn"]
            .as_str()
            .map(str::to_string)
    }

    fn put(&mut self, table: &str, item: Value) {
        self.db("PutItem", json!({"TableName": table, "Item": item}));
    }

    fn shard(&mut self, arn: &str) -> String {
        let out = self
            .streams("DescribeStream", json!({"StreamArn": arn}))
            .unwrap();
        out["StreamDescription"]["Shards"][0]["ShardId"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn iterator(&mut self, arn: &str, kind: &str, seq: Option<&str>) -> Answer {
        let shard = self.shard(arn);
        let mut input = json!({"StreamArn": arn, "ShardId": shard, "ShardIteratorType": kind});
        if let Some(seq) = seq {
            input["SequenceNumber"] = json!(seq);
        }
        self.streams("GetShardIterator", input)
            .map(|out| out["ShardIterator"].clone())
    }

    /// Every record from TRIM_HORIZON.
    fn all_records(&mut self, arn: &str) -> Vec<Value> {
        let iterator = self.iterator(arn, "TRIM_HORIZON", None).unwrap();
        let out = self
            .streams("GetRecords", json!({"ShardIterator": iterator}))
            .unwrap();
        out["Records"].as_array().unwrap().clone()
    }

    fn records(&self) -> Vec<(String, Vec<u8>)> {
        let mut map = BTreeMap::new();
        nimbus_storage::apply_to_map(&mut map, &self.changes);
        map.into_iter().collect()
    }
}

fn names(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["eventName"].as_str().unwrap())
        .collect()
}

#[test]
fn create_table_with_a_stream_describes_it() {
    let mut w = World::new();
    let arn = w.table("Orders", Some("NEW_AND_OLD_IMAGES")).unwrap();
    assert_eq!(
        arn,
        "arn:aws:dynamodb:us-east-1:000000000000:table/Orders/stream/2023-11-14T22:13:20.000"
    );
    let table = w.db("DescribeTable", json!({"TableName": "Orders"}))["Table"].clone();
    assert_eq!(table["LatestStreamLabel"], "2023-11-14T22:13:20.000");
    assert_eq!(
        table["StreamSpecification"],
        json!({"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    );
    let stream = w
        .streams("DescribeStream", json!({"StreamArn": arn}))
        .unwrap()["StreamDescription"]
        .clone();
    assert_eq!(stream["StreamStatus"], "ENABLED");
    assert_eq!(stream["StreamViewType"], "NEW_AND_OLD_IMAGES");
    assert_eq!(stream["TableName"], "Orders");
    assert_eq!(
        stream["KeySchema"],
        json!([{"AttributeName": "pk", "KeyType": "HASH"}])
    );
    let shard = &stream["Shards"][0];
    assert!(shard["ShardId"].as_str().unwrap().starts_with("shardId-"));
    let start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
        .as_str()
        .unwrap();
    assert!(start.len() >= 21, "{start}");
    assert!(shard["SequenceNumberRange"]["EndingSequenceNumber"].is_null());
}

#[test]
fn a_table_without_a_stream_has_none() {
    let mut w = World::new();
    assert_eq!(w.table("Plain", None), None);
    w.put("Plain", json!({"pk": {"S": "a"}}));
    let out = w.streams("ListStreams", json!({})).unwrap();
    assert_eq!(out["Streams"], json!([]));
}

#[test]
fn update_table_enables_and_disables_with_aws_errors() {
    let mut w = World::new();
    w.table("Tbl", None);
    let err = w
        .send(
            "dynamodb",
            "UpdateTable",
            json!({"TableName": "Tbl", "StreamSpecification": {"StreamEnabled": false}}),
        )
        .unwrap_err();
    assert_eq!(
        err,
        (
            "ValidationException".into(),
            "Table has no stream to disable: TableName: Tbl".into()
        )
    );
    w.clock.advance(5_000);
    let out = w.db(
        "UpdateTable",
        json!({"TableName": "Tbl", "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}),
    );
    let arn = out["TableDescription"]["LatestStreamArn"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(arn.ends_with("/stream/2023-11-14T22:13:25.000"), "{arn}");
    let err = w
        .send(
            "dynamodb",
            "UpdateTable",
            json!({"TableName": "Tbl", "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}}),
        )
        .unwrap_err();
    assert_eq!(
        err,
        (
            "ValidationException".into(),
            "Table already has an enabled stream: TableName: Tbl".into()
        )
    );
    w.put("Tbl", json!({"pk": {"S": "a"}}));
    w.db(
        "UpdateTable",
        json!({"TableName": "Tbl", "StreamSpecification": {"StreamEnabled": false}}),
    );
    // Writes after disabling are not recorded; the stream stays readable, closed.
    w.put("Tbl", json!({"pk": {"S": "b"}}));
    let stream = w
        .streams("DescribeStream", json!({"StreamArn": arn}))
        .unwrap()["StreamDescription"]
        .clone();
    assert_eq!(stream["StreamStatus"], "DISABLED");
    assert!(stream["Shards"][0]["SequenceNumberRange"]["EndingSequenceNumber"].is_string());
    let table = w.db("DescribeTable", json!({"TableName": "Tbl"}))["Table"].clone();
    assert!(table["StreamSpecification"].is_null());
    assert_eq!(table["LatestStreamArn"], json!(arn));
    let iterator = w.iterator(&arn, "TRIM_HORIZON", None).unwrap();
    let out = w
        .streams("GetRecords", json!({"ShardIterator": iterator}))
        .unwrap();
    assert_eq!(names(out["Records"].as_array().unwrap()), ["INSERT"]);
    assert!(
        out["NextShardIterator"].is_null(),
        "a closed shard read to its end"
    );
    // Disabled streams are gone after 24 hours.
    w.clock.advance(24 * HOUR);
    let err = w
        .streams("DescribeStream", json!({"StreamArn": arn}))
        .unwrap_err();
    assert_eq!(
        err,
        (
            "ResourceNotFoundException".into(),
            format!("Requested resource not found: Stream: {arn} not found")
        )
    );
}

#[test]
fn insert_modify_remove_with_new_and_old_images() {
    let mut w = World::new();
    let arn = w.table("Tbl", Some("NEW_AND_OLD_IMAGES")).unwrap();
    w.put("Tbl", json!({"pk": {"S": "a"}, "n": {"N": "1"}}));
    w.db(
        "UpdateItem",
        json!({"TableName": "Tbl", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET n = n + :one",
               "ExpressionAttributeValues": {":one": {"N": "1"}}}),
    );
    w.db(
        "DeleteItem",
        json!({"TableName": "Tbl", "Key": {"pk": {"S": "a"}}}),
    );
    let records = w.all_records(&arn);
    assert_eq!(names(&records), ["INSERT", "MODIFY", "REMOVE"]);
    let insert = &records[0];
    assert_eq!(insert["eventVersion"], "1.1");
    assert_eq!(insert["eventSource"], "aws:dynamodb");
    assert_eq!(insert["awsRegion"], "us-east-1");
    assert_eq!(insert["eventID"].as_str().unwrap().len(), 32);
    let d = &insert["dynamodb"];
    assert_eq!(d["Keys"], json!({"pk": {"S": "a"}}));
    assert_eq!(d["NewImage"], json!({"pk": {"S": "a"}, "n": {"N": "1"}}));
    assert!(d["OldImage"].is_null());
    assert_eq!(d["StreamViewType"], "NEW_AND_OLD_IMAGES");
    assert_eq!(d["ApproximateCreationDateTime"], json!(1_700_000_000.0));
    assert!(d["SizeBytes"].as_i64().unwrap() > 0);
    let modify = &records[1]["dynamodb"];
    assert_eq!(modify["OldImage"]["n"], json!({"N": "1"}));
    assert_eq!(modify["NewImage"]["n"], json!({"N": "2"}));
    let remove = &records[2]["dynamodb"];
    assert_eq!(remove["OldImage"]["n"], json!({"N": "2"}));
    assert!(remove["NewImage"].is_null());
    // Sequence numbers are increasing numeric strings of 21 digits or more.
    let seqs: Vec<u128> = records
        .iter()
        .map(|r| {
            let s = r["dynamodb"]["SequenceNumber"].as_str().unwrap();
            assert!(s.len() >= 21, "{s}");
            s.parse().unwrap()
        })
        .collect();
    assert!(seqs.windows(2).all(|p| p[0] < p[1]), "{seqs:?}");
}

#[test]
fn each_view_type_carries_its_images() {
    let mut w = World::new();
    for (table, view, new, old) in [
        ("Kkk", "KEYS_ONLY", false, false),
        ("Nnn", "NEW_IMAGE", true, false),
        ("Ooo", "OLD_IMAGE", false, true),
        ("Bbb", "NEW_AND_OLD_IMAGES", true, true),
    ] {
        let arn = w.table(table, Some(view)).unwrap();
        w.put(table, json!({"pk": {"S": "a"}, "v": {"S": "1"}}));
        w.put(table, json!({"pk": {"S": "a"}, "v": {"S": "2"}}));
        let records = w.all_records(&arn);
        assert_eq!(names(&records), ["INSERT", "MODIFY"], "{view}");
        let modify = &records[1]["dynamodb"];
        assert_eq!(modify["StreamViewType"], view);
        assert_eq!(modify["Keys"], json!({"pk": {"S": "a"}}), "{view}");
        assert_eq!(modify["NewImage"].is_object(), new, "{view}");
        assert_eq!(modify["OldImage"].is_object(), old, "{view}");
        if new {
            assert_eq!(modify["NewImage"]["v"], json!({"S": "2"}));
        }
        if old {
            assert_eq!(modify["OldImage"]["v"], json!({"S": "1"}));
        }
    }
}

#[test]
fn writes_that_change_nothing_emit_no_record() {
    let mut w = World::new();
    let arn = w.table("Tbl", Some("NEW_IMAGE")).unwrap();
    w.put("Tbl", json!({"pk": {"S": "a"}, "v": {"S": "1"}}));
    // An identical put, an update to the same value, and deleting a missing item.
    w.put("Tbl", json!({"pk": {"S": "a"}, "v": {"S": "1"}}));
    w.db(
        "UpdateItem",
        json!({"TableName": "Tbl", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET v = :v",
               "ExpressionAttributeValues": {":v": {"S": "1"}}}),
    );
    w.db(
        "DeleteItem",
        json!({"TableName": "Tbl", "Key": {"pk": {"S": "missing"}}}),
    );
    // A failed conditional write changes nothing either.
    let failed = w.send(
        "dynamodb",
        "PutItem",
        json!({"TableName": "Tbl", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_not_exists(pk)"}),
    );
    assert!(failed.is_err());
    assert_eq!(names(&w.all_records(&arn)), ["INSERT"]);
}

#[test]
fn batches_and_transactions_emit_one_record_per_changed_item() {
    let mut w = World::new();
    let arn = w.table("Tbl", Some("KEYS_ONLY")).unwrap();
    w.put("Tbl", json!({"pk": {"S": "old"}}));
    w.db(
        "BatchWriteItem",
        json!({"RequestItems": {"Tbl": [
            {"PutRequest": {"Item": {"pk": {"S": "b1"}}}},
            {"PutRequest": {"Item": {"pk": {"S": "b2"}}}},
            {"DeleteRequest": {"Key": {"pk": {"S": "old"}}}},
        ]}}),
    );
    w.db(
        "TransactWriteItems",
        json!({"TransactItems": [
            {"Put": {"TableName": "Tbl", "Item": {"pk": {"S": "t1"}}}},
            {"Update": {"TableName": "Tbl", "Key": {"pk": {"S": "b1"}}, "UpdateExpression": "SET x = :x",
                        "ExpressionAttributeValues": {":x": {"S": "y"}}}},
            {"Delete": {"TableName": "Tbl", "Key": {"pk": {"S": "b2"}}}},
            {"ConditionCheck": {"TableName": "Tbl", "Key": {"pk": {"S": "absent"}},
                                "ConditionExpression": "attribute_not_exists(pk)"}},
        ]}),
    );
    // A cancelled transaction records nothing.
    let cancelled = w.send(
        "dynamodb",
        "TransactWriteItems",
        json!({"TransactItems": [
            {"Put": {"TableName": "Tbl", "Item": {"pk": {"S": "t2"}}}},
            {"ConditionCheck": {"TableName": "Tbl", "Key": {"pk": {"S": "t1"}},
                                "ConditionExpression": "attribute_not_exists(pk)"}},
        ]}),
    );
    assert_eq!(cancelled.unwrap_err().0, "TransactionCanceledException");
    let records = w.all_records(&arn);
    let summary: Vec<(String, String)> = records
        .iter()
        .map(|r| {
            (
                r["eventName"].as_str().unwrap().to_string(),
                r["dynamodb"]["Keys"]["pk"]["S"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("INSERT", "old"),
        ("INSERT", "b1"),
        ("INSERT", "b2"),
        ("REMOVE", "old"),
        ("INSERT", "t1"),
        ("MODIFY", "b1"),
        ("REMOVE", "b2"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(summary, expected);
}

#[test]
fn iterator_types_read_from_where_they_point() {
    let mut w = World::new();
    let arn = w.table("Tbl", Some("KEYS_ONLY")).unwrap();
    for pk in ["a", "b", "c"] {
        w.put("Tbl", json!({"pk": {"S": pk}}));
    }
    let records = w.all_records(&arn);
    let seq = |i: usize| {
        records[i]["dynamodb"]["SequenceNumber"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let keys = |w: &mut World, iterator: Value, limit: Option<i64>| {
        let mut input = json!({"ShardIterator": iterator});
        if let Some(limit) = limit {
            input["Limit"] = json!(limit);
        }
        let out = w.streams("GetRecords", input).unwrap();
        let keys: Vec<String> = out["Records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["dynamodb"]["Keys"]["pk"]["S"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        (keys, out["NextShardIterator"].clone())
    };
    let at = w
        .iterator(&arn, "AT_SEQUENCE_NUMBER", Some(&seq(1)))
        .unwrap();
    assert_eq!(keys(&mut w, at, None).0, ["b", "c"]);
    let after = w
        .iterator(&arn, "AFTER_SEQUENCE_NUMBER", Some(&seq(1)))
        .unwrap();
    assert_eq!(keys(&mut w, after, None).0, ["c"]);
    // LATEST sees only what is written after it; NextShardIterator continues.
    let latest = w.iterator(&arn, "LATEST", None).unwrap();
    let (none, next) = keys(&mut w, latest, None);
    assert!(none.is_empty());
    w.put("Tbl", json!({"pk": {"S": "d"}}));
    w.put("Tbl", json!({"pk": {"S": "e"}}));
    let (first, next) = keys(&mut w, next, Some(1));
    assert_eq!(first, ["d"]);
    let (second, next) = keys(&mut w, next, None);
    assert_eq!(second, ["e"]);
    assert!(next.is_string(), "an open shard always has a next iterator");
    // Bad input gets AWS's errors.
    let trim = w.iterator(&arn, "TRIM_HORIZON", None).unwrap();
    let err = w
        .streams("GetRecords", json!({"ShardIterator": trim, "Limit": 1001}))
        .unwrap_err();
    assert_eq!(err, ("ValidationException".into(), "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000".into()));
    let err = w
        .streams("GetRecords", json!({"ShardIterator": "not-an-iterator"}))
        .unwrap_err();
    assert_eq!(
        err,
        ("ValidationException".into(), "Invalid ShardIterator".into())
    );
    let missing = format!("{arn}x");
    let err = w
        .streams(
            "GetShardIterator",
            json!({"StreamArn": missing, "ShardId": "shardId-00000001700000000000-00000000", "ShardIteratorType": "LATEST"}),
        )
        .unwrap_err();
    assert_eq!(
        err,
        (
            "ResourceNotFoundException".into(),
            format!("Requested resource not found: Stream: {missing} not found")
        )
    );
    // Text that is no stream ARN is a validation error, in every operation that takes one.
    let not_an_arn = "sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf";
    let invalid = Err(("ValidationException".into(), "Invalid StreamArn".into()));
    assert_eq!(
        w.streams("DescribeStream", json!({"StreamArn": not_an_arn})),
        invalid
    );
    assert_eq!(
        w.streams(
            "GetShardIterator",
            json!({"StreamArn": not_an_arn, "ShardId": "shardId-00000001700000000000-00000000", "ShardIteratorType": "LATEST"}),
        ),
        invalid
    );
    assert_eq!(
        w.streams(
            "ListStreams",
            json!({"ExclusiveStartStreamArn": "kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas"}),
        ),
        invalid
    );
    // Only AT_ and AFTER_SEQUENCE_NUMBER take a sequence number.
    for kind in ["TRIM_HORIZON", "LATEST"] {
        assert_eq!(
            w.iterator(&arn, kind, Some(&seq(1))),
            Err((
                "ValidationException".into(),
                format!("A sequence number is only allowed for a shard iterator of type AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER, not {kind}")
            ))
        );
    }
}

#[test]
fn iterators_expire_after_fifteen_minutes_and_records_after_a_day() {
    let mut w = World::new();
    let arn = w.table("Tbl", Some("KEYS_ONLY")).unwrap();
    w.put("Tbl", json!({"pk": {"S": "a"}}));
    let first_seq = w.all_records(&arn)[0]["dynamodb"]["SequenceNumber"]
        .as_str()
        .unwrap()
        .to_string();
    let iterator = w.iterator(&arn, "TRIM_HORIZON", None).unwrap();
    w.clock.advance(15 * 60_000 + 1);
    let err = w
        .streams("GetRecords", json!({"ShardIterator": iterator}))
        .unwrap_err();
    assert_eq!(err.0, "ExpiredIteratorException");
    w.put("Tbl", json!({"pk": {"S": "b"}}));
    // After 24 hours the first record is trimmed; the second stays a while longer.
    w.clock.set(T0 + 24 * HOUR);
    let records = w.all_records(&arn);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["dynamodb"]["Keys"]["pk"]["S"], "b");
    let err = w
        .iterator(&arn, "AT_SEQUENCE_NUMBER", Some(&first_seq))
        .unwrap_err();
    assert_eq!(err.0, "TrimmedDataAccessException");
    // The next write drops the expired record from storage too.
    w.put("Tbl", json!({"pk": {"S": "c"}}));
    let stored = w
        .records()
        .iter()
        .filter(|(k, _)| k.contains("/stream/"))
        .count();
    assert_eq!(stored, 2);
}

#[test]
fn list_streams_filters_and_pages() {
    let mut w = World::new();
    let a = w.table("Aaa", Some("KEYS_ONLY")).unwrap();
    let b = w.table("Bbb", Some("NEW_IMAGE")).unwrap();
    w.table("Ccc", None);
    let out = w
        .streams("ListStreams", json!({"TableName": "Bbb"}))
        .unwrap();
    assert_eq!(
        out["Streams"],
        json!([{"StreamArn": b, "TableName": "Bbb", "StreamLabel": "2023-11-14T22:13:20.000"}])
    );
    let page = w.streams("ListStreams", json!({"Limit": 1})).unwrap();
    assert_eq!(page["Streams"][0]["StreamArn"], json!(a));
    assert_eq!(page["LastEvaluatedStreamArn"], json!(a));
    let rest = w
        .streams(
            "ListStreams",
            json!({"Limit": 1, "ExclusiveStartStreamArn": a}),
        )
        .unwrap();
    assert_eq!(rest["Streams"][0]["StreamArn"], json!(b));
    assert!(rest["LastEvaluatedStreamArn"].is_null());
}

#[test]
fn restart_keeps_streams_and_records() {
    let mut w = World::new();
    let arn = w.table("Tbl", Some("NEW_IMAGE")).unwrap();
    w.put("Tbl", json!({"pk": {"S": "a"}}));
    w.put("Tbl", json!({"pk": {"S": "b"}}));
    let before = w.all_records(&arn);
    let mut again = World::new();
    again.emulator.restore(w.records()).unwrap();
    assert_eq!(again.all_records(&arn), before);
    // New records continue the sequence after the restored ones.
    again.put("Tbl", json!({"pk": {"S": "c"}}));
    let after = again.all_records(&arn);
    assert_eq!(after.len(), 3);
    let seq = |r: &Value| {
        r["dynamodb"]["SequenceNumber"]
            .as_str()
            .unwrap()
            .parse::<u128>()
            .unwrap()
    };
    assert!(seq(&after[2]) > seq(&after[1]));
    let table = again.db("DescribeTable", json!({"TableName": "Tbl"}))["Table"].clone();
    assert_eq!(table["LatestStreamArn"], json!(arn));
}

#[test]
fn a_deleted_tables_stream_stays_readable_for_a_day() {
    let mut w = World::new();
    let arn = w.table("Tbl", Some("NEW_IMAGE")).unwrap();
    w.put("Tbl", json!({"pk": {"S": "a"}}));
    w.db("DeleteTable", json!({"TableName": "Tbl"}));
    // A new table of the same name has a stream of its own.
    w.clock.advance(1_000);
    let second = w.table("Tbl", Some("KEYS_ONLY")).unwrap();
    assert_ne!(second, arn);
    let listed = w
        .streams("ListStreams", json!({"TableName": "Tbl"}))
        .unwrap();
    let arns: Vec<&str> = listed["Streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["StreamArn"].as_str().unwrap())
        .collect();
    assert_eq!(arns, [second.as_str(), arn.as_str()]);
    let stream = w
        .streams("DescribeStream", json!({"StreamArn": arn}))
        .unwrap()["StreamDescription"]
        .clone();
    assert_eq!(stream["StreamStatus"], "DISABLED");
    assert_eq!(names(&w.all_records(&arn)), ["INSERT"]);
    // It survives a restart.
    let mut again = World::new();
    again.clock.set(T0 + 1_000);
    again.emulator.restore(w.records()).unwrap();
    assert_eq!(names(&again.all_records(&arn)), ["INSERT"]);
    // And is gone, with its records, a day after the deletion.
    w.clock.set(T0 + 24 * HOUR);
    let err = w
        .streams("DescribeStream", json!({"StreamArn": arn}))
        .unwrap_err();
    assert_eq!(err.0, "ResourceNotFoundException");
    let listed = w.streams("ListStreams", json!({})).unwrap();
    assert_eq!(listed["Streams"].as_array().unwrap().len(), 1);
    assert!(w.records().iter().all(|(k, _)| !k.contains("/dropped/")));
}

/// The seam a later consumer (a Lambda event source mapping) reads the streams through.
#[test]
fn the_dynamodb_state_hands_stream_records_to_other_services() {
    use nimbus_core::{emulator::Ctx, outbox::Outbox, services::Services};
    let mut services = Services::default();
    let who = caller();
    let scope = who.scope();
    let call = |services: &mut Services, op: &str, input: Value| {
        let mut changes = ChangeSet::default();
        let mut outbox = Outbox::default();
        let mut ids = SeededIds::new(3);
        let mut ctx = Ctx {
            caller: &who,
            request_id: "r",
            now_millis: T0,
            ids: &mut ids,
            changes: &mut changes,
            outbox: &mut outbox,
        };
        services.call(&mut ctx, "dynamodb", op, input).unwrap()
    };
    let created = call(
        &mut services,
        "CreateTable",
        json!({"TableName": "Tbl", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
               "BillingMode": "PAY_PER_REQUEST",
               "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_IMAGE"}}),
    );
    let arn = created["TableDescription"]["LatestStreamArn"]
        .as_str()
        .unwrap()
        .to_string();
    for pk in ["a", "b"] {
        call(
            &mut services,
            "PutItem",
            json!({"TableName": "Tbl", "Item": {"pk": {"S": pk}}}),
        );
    }
    let read = |after: Option<&str>, now: i64| {
        services
            .dynamodb
            .stream_records_after(&scope, &arn, after, 10, now)
    };
    let records = read(None, T0);
    assert_eq!(records.len(), 2);
    assert_eq!(
        records[1]
            .2
            .dynamodb
            .as_ref()
            .unwrap()
            .sequence_number
            .as_ref(),
        Some(&records[1].0)
    );
    // Strictly after a sequence number: a checkpoint is the last record done with.
    let after_first = read(Some(&records[0].0), T0);
    assert_eq!(after_first, records[1..]);
    assert!(read(Some(&records[1].0), T0).is_empty());
    assert!(read(None, T0 + 24 * HOUR).is_empty());
}
