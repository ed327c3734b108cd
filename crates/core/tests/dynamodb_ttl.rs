//! DynamoDB Time to Live: UpdateTimeToLive / DescribeTimeToLive and the sweep
//! (`Emulator::expire_items`) that deletes expired items as the clock passes them.

mod common;

use common::{World, ACCOUNT, T0};
use serde_json::{json, Value};

const NOW_SECS: i64 = T0 / 1000;

fn world() -> World {
    World::new("dynamodb", ACCOUNT)
}

fn ttl(enabled: bool, attr: &str) -> Value {
    json!({"TableName": "ttl", "TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attr}})
}

/// A table `ttl` (pk S) with a GSI on `g`, a NEW_AND_OLD_IMAGES stream, TTL on `expires`.
fn ttl_table(w: &mut World) -> String {
    let mut input = common::table_input("ttl", None);
    input["AttributeDefinitions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"AttributeName": "g", "AttributeType": "S"}));
    input["GlobalSecondaryIndexes"] = json!([{"IndexName": "by_g",
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}]);
    input["StreamSpecification"] =
        json!({"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"});
    let out = w.ok("CreateTable", input);
    w.ok("UpdateTimeToLive", ttl(true, "expires"));
    out["TableDescription"]["LatestStreamArn"]
        .as_str()
        .unwrap()
        .to_string()
}

fn put(w: &mut World, pk: &str, expires: Option<Value>) {
    let mut item = json!({"pk": {"S": pk}, "g": {"S": "x"}});
    if let Some(value) = expires {
        item["expires"] = value;
    }
    w.ok("PutItem", json!({"TableName": "ttl", "Item": item}));
}

fn keys(w: &mut World) -> Vec<String> {
    let out = w.ok("Scan", json!({"TableName": "ttl"}));
    let mut keys: Vec<String> = out["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["pk"]["S"].as_str().unwrap().to_string())
        .collect();
    keys.sort();
    keys
}

fn sweep(w: &mut World) {
    let changes = w.emulator.expire_items();
    w.changes.push(changes);
}

fn describe(w: &mut World) -> Value {
    w.ok("DescribeTimeToLive", json!({"TableName": "ttl"}))["TimeToLiveDescription"].clone()
}

#[test]
fn update_and_describe_with_aws_errors() {
    let mut w = world();
    w.ok("CreateTable", common::table_input("ttl", None));
    assert_eq!(describe(&mut w), json!({"TimeToLiveStatus": "DISABLED"}));
    let err = w.err("UpdateTimeToLive", ttl(false, "expires"));
    assert_eq!(
        err,
        (
            "ValidationException".into(),
            "TimeToLive is already disabled".into()
        )
    );
    let out = w.ok("UpdateTimeToLive", ttl(true, "expires"));
    assert_eq!(
        out,
        json!({"TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires"}})
    );
    assert_eq!(
        describe(&mut w),
        json!({"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"})
    );
    assert_eq!(
        w.err("UpdateTimeToLive", ttl(true, "expires")).1,
        "TimeToLive is already enabled"
    );
    let other =
        "TimeToLive is active on a different AttributeName: current AttributeName is expires";
    assert_eq!(w.err("UpdateTimeToLive", ttl(true, "other")).1, other);
    assert_eq!(w.err("UpdateTimeToLive", ttl(false, "other")).1, other);
    assert_eq!(
        w.err("UpdateTimeToLive", json!({"TableName": "ttl"})).1,
        "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null"
    );
    let missing = w.err(
        "UpdateTimeToLive",
        json!({"TableName": "nope",
        "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "a"}}),
    );
    assert_eq!(missing.0, "ResourceNotFoundException");
    assert_eq!(
        w.err("DescribeTimeToLive", json!({"TableName": "nope"})).0,
        "ResourceNotFoundException"
    );

    // Persisted with the table.
    let mut w = w.restart();
    assert_eq!(describe(&mut w)["TimeToLiveStatus"], "ENABLED");
    w.ok("UpdateTimeToLive", ttl(false, "expires"));
    assert_eq!(describe(&mut w), json!({"TimeToLiveStatus": "DISABLED"}));
}

#[test]
fn expired_items_go_when_the_clock_passes_them_and_others_stay() {
    let mut w = world();
    ttl_table(&mut w);
    let n = |secs: i64| json!({"N": secs.to_string()});
    put(&mut w, "soon", Some(n(NOW_SECS + 60)));
    put(&mut w, "later", Some(n(NOW_SECS + 3600)));
    put(&mut w, "none", None);
    put(
        &mut w,
        "string",
        Some(json!({"S": (NOW_SECS - 10).to_string()})),
    );
    // Over five years past: AWS never deletes it.
    put(&mut w, "ancient", Some(n(NOW_SECS - 6 * 365 * 24 * 3600)));
    sweep(&mut w);
    assert_eq!(keys(&mut w), ["ancient", "later", "none", "soon", "string"]);

    w.clock.advance(61_000);
    sweep(&mut w);
    assert_eq!(keys(&mut w), ["ancient", "later", "none", "string"]);
    // The GSI entry went with the item.
    let out = w.ok(
        "Query",
        json!({"TableName": "ttl", "IndexName": "by_g", "KeyConditionExpression": "g = :g",
               "ExpressionAttributeValues": {":g": {"S": "x"}}}),
    );
    assert_eq!(out["Count"], 4);
    // And the deletion is persisted.
    let mut w = w.restart();
    assert_eq!(keys(&mut w), ["ancient", "later", "none", "string"]);
}

#[test]
fn the_sweep_changes_nothing_without_ttl() {
    let mut w = world();
    w.ok("CreateTable", common::table_input("ttl", None));
    put(&mut w, "a", Some(json!({"N": "1"})));
    w.clock.advance(1000);
    assert!(w.emulator.expire_items().is_empty());
    // Disabling TTL stops the deletions.
    w.ok("UpdateTimeToLive", ttl(true, "expires"));
    w.ok("UpdateTimeToLive", ttl(false, "expires"));
    put(&mut w, "b", Some(json!({"N": (NOW_SECS - 5).to_string()})));
    assert!(w.emulator.expire_items().is_empty());
    assert_eq!(keys(&mut w), ["a", "b"]);
}

#[test]
fn a_ttl_deletion_is_a_remove_record_by_the_service() {
    let mut w = world();
    let arn = ttl_table(&mut w);
    put(&mut w, "a", Some(json!({"N": (NOW_SECS + 1).to_string()})));
    w.ok(
        "DeleteItem",
        json!({"TableName": "ttl", "Key": {"pk": {"S": "none"}}}),
    );
    w.clock.advance(2_000);
    sweep(&mut w);
    let shard = w
        .call_to(
            "dynamodbstreams",
            "DescribeStream",
            json!({"StreamArn": arn}),
        )
        .unwrap()["StreamDescription"]["Shards"][0]["ShardId"]
        .clone();
    let iterator = w
        .call_to(
            "dynamodbstreams",
            "GetShardIterator",
            json!({"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}),
        )
        .unwrap()["ShardIterator"]
        .clone();
    let records = w
        .call_to(
            "dynamodbstreams",
            "GetRecords",
            json!({"ShardIterator": iterator}),
        )
        .unwrap()["Records"]
        .clone();
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["eventName"], "INSERT");
    assert!(records[0].get("userIdentity").is_none());
    assert_eq!(records[1]["eventName"], "REMOVE");
    assert_eq!(
        records[1]["userIdentity"],
        // The DynamoDB Streams API's Identity shape (a Lambda event spells it
        // {"type", "principalId"}).
        json!({"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"})
    );
    assert_eq!(records[1]["dynamodb"]["Keys"], json!({"pk": {"S": "a"}}));
    assert_eq!(
        records[1]["dynamodb"]["OldImage"]["expires"],
        json!({"N": (NOW_SECS + 1).to_string()})
    );
}

#[test]
fn the_sweep_follows_expiries_that_change_and_the_attribute_in_force() {
    let mut w = world();
    ttl_table(&mut w);
    let n = |secs: i64| json!({"N": secs.to_string()});
    put(&mut w, "moved", Some(n(NOW_SECS + 60)));
    put(&mut w, "cleared", Some(n(NOW_SECS + 60)));
    // A later write moves one expiry on and takes the other away.
    put(&mut w, "moved", Some(n(NOW_SECS + 7200)));
    w.ok(
        "UpdateItem",
        json!({"TableName": "ttl", "Key": {"pk": {"S": "cleared"}}, "UpdateExpression": "REMOVE expires"}),
    );
    w.clock.advance(120_000);
    sweep(&mut w);
    assert_eq!(keys(&mut w), ["cleared", "moved"]);

    // After a restart the expiries are known again: "moved" goes once its new time passes.
    let mut w = w.restart();
    w.clock.advance(7_200_000);
    sweep(&mut w);
    assert_eq!(keys(&mut w), ["cleared"]);

    // TTL on another attribute: the items are indexed by that one from then on.
    w.ok("UpdateTimeToLive", ttl(false, "expires"));
    let now = NOW_SECS + 7320;
    w.ok(
        "PutItem",
        json!({"TableName": "ttl", "Item": {"pk": {"S": "other"}, "until": n(now - 1), "expires": n(now + 9999)}}),
    );
    w.ok("UpdateTimeToLive", ttl(true, "until"));
    w.clock.advance(1000);
    sweep(&mut w);
    assert_eq!(keys(&mut w), ["cleared"]);
}
