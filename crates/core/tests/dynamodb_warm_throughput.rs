//! WarmThroughput of tables and GSIs: defaults, requests, refusals, persistence
//! (AWS developer guide, "Understanding DynamoDB warm throughput").

mod common;

use common::{table_input, ACCOUNT};
use serde_json::{json, Value};

type World = common::World<(String, String)>;

fn world() -> World {
    World::new("dynamodb", ACCOUNT)
}

fn warm(read: i64, write: i64) -> Value {
    json!({"ReadUnitsPerSecond": read, "WriteUnitsPerSecond": write, "Status": "ACTIVE"})
}

fn describe(w: &mut World, name: &str) -> Value {
    w.ok("DescribeTable", json!({"TableName": name}))["Table"].clone()
}

/// A table with a GSI on `g` (S), on demand or provisioned (5 read, 3 write; the GSI 2/1).
fn with_gsi(name: &str, provisioned: bool, gsi_warm: Option<Value>) -> Value {
    let mut input = table_input(name, None);
    input["AttributeDefinitions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"AttributeName": "g", "AttributeType": "S"}));
    let mut gsi = json!({
        "IndexName": "by_g",
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    });
    if provisioned {
        input["BillingMode"] = json!("PROVISIONED");
        input["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 5, "WriteCapacityUnits": 3});
        gsi["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 2, "WriteCapacityUnits": 1});
    }
    if let Some(w) = gsi_warm {
        gsi["WarmThroughput"] = w;
    }
    input["GlobalSecondaryIndexes"] = json!([gsi]);
    input
}

#[test]
fn on_demand_tables_and_indexes_start_at_12000_reads_and_4000_writes() {
    let mut w = world();
    let created = w.ok("CreateTable", with_gsi("Things", false, None));
    // CreateTable's answer shows no warm throughput it was not asked for; DescribeTable does.
    assert!(created["TableDescription"].get("WarmThroughput").is_none());
    assert!(created["TableDescription"]["GlobalSecondaryIndexes"][0]
        .get("WarmThroughput")
        .is_none());
    let table = describe(&mut w, "Things");
    assert_eq!(table["WarmThroughput"], warm(12000, 4000));
    assert_eq!(
        table["GlobalSecondaryIndexes"][0]["WarmThroughput"],
        warm(12000, 4000)
    );
}

#[test]
fn provisioned_tables_and_indexes_start_at_their_provisioned_units() {
    let mut w = world();
    w.ok("CreateTable", with_gsi("Things", true, None));
    let table = describe(&mut w, "Things");
    assert_eq!(table["WarmThroughput"], warm(5, 3));
    assert_eq!(
        table["GlobalSecondaryIndexes"][0]["WarmThroughput"],
        warm(2, 1)
    );
}

#[test]
fn requested_warm_throughput_is_kept_across_a_restart() {
    let mut w = world();
    let mut input = with_gsi(
        "Things",
        false,
        Some(json!({"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000})),
    );
    input["WarmThroughput"] = json!({"ReadUnitsPerSecond": 20000, "WriteUnitsPerSecond": 6000});
    w.ok("CreateTable", input);
    let mut w = w.restart();
    let table = describe(&mut w, "Things");
    assert_eq!(table["WarmThroughput"], warm(20000, 6000));
    assert_eq!(
        table["GlobalSecondaryIndexes"][0]["WarmThroughput"],
        warm(15000, 5000)
    );
}

#[test]
fn warm_throughput_below_the_on_demand_start_is_refused() {
    let mut w = world();
    let mut input = table_input("Things", None);
    input["WarmThroughput"] = json!({"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 3000});
    assert_eq!(
        w.err("CreateTable", input),
        ("ValidationException".to_string(), "One or more parameter values were invalid: Requested WriteUnitsPerSecond for WarmThroughput for table is lower than initial throughput for OnDemand. See: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html#on-demand-capacity-mode-initial".to_string())
    );
    let input = with_gsi(
        "Things",
        false,
        Some(json!({"ReadUnitsPerSecond": 10000, "WriteUnitsPerSecond": 5000})),
    );
    assert_eq!(
        w.err("CreateTable", input),
        ("ValidationException".to_string(), "One or more parameter values were invalid: Requested ReadUnitsPerSecond for WarmThroughput for index by_g is lower than initial throughput for OnDemand. See: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html#on-demand-capacity-mode-initial".to_string())
    );
    assert!(w
        .call("DescribeTable", json!({"TableName": "Things"}))
        .is_err());
}

#[test]
fn update_table_raises_warm_throughput_of_the_table_and_its_indexes() {
    let mut w = world();
    w.ok("CreateTable", with_gsi("Things", false, None));
    let out = w.ok(
        "UpdateTable",
        json!({"TableName": "Things", "WarmThroughput": {"ReadUnitsPerSecond": 15000}}),
    );
    // A member left out keeps its value.
    assert_eq!(out["TableDescription"]["WarmThroughput"], warm(15000, 4000));
    w.ok(
        "UpdateTable",
        json!({"TableName": "Things", "GlobalSecondaryIndexUpdates": [{"Update": {
            "IndexName": "by_g",
            "WarmThroughput": {"ReadUnitsPerSecond": 13000, "WriteUnitsPerSecond": 4500}}}]}),
    );
    let mut w = w.restart();
    let table = describe(&mut w, "Things");
    assert_eq!(table["WarmThroughput"], warm(15000, 4000));
    assert_eq!(
        table["GlobalSecondaryIndexes"][0]["WarmThroughput"],
        warm(13000, 4500)
    );
    let (code, message) = w.err(
        "UpdateTable",
        json!({"TableName": "Things", "WarmThroughput": {"WriteUnitsPerSecond": 100}}),
    );
    assert_eq!(code, "ValidationException");
    assert_eq!(message, "One or more parameter values were invalid: Requested WriteUnitsPerSecond for WarmThroughput for table is lower than current WarmThroughput, decreasing WarmThroughput is not supported");
    // Nor does it go down once raised, nor below a provisioned table's capacity.
    assert_eq!(
        w.err(
            "UpdateTable",
            json!({"TableName": "Things", "WarmThroughput": {"ReadUnitsPerSecond": 14000}}),
        )
        .1,
        "One or more parameter values were invalid: Requested ReadUnitsPerSecond for WarmThroughput for table is lower than current WarmThroughput, decreasing WarmThroughput is not supported"
    );
    let mut input = table_input("Provisioned", None);
    input["BillingMode"] = json!("PROVISIONED");
    input["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 10, "WriteCapacityUnits": 10});
    input["WarmThroughput"] = json!({"ReadUnitsPerSecond": 5, "WriteUnitsPerSecond": 5});
    assert_eq!(
        w.err("CreateTable", input).1,
        "One or more parameter values were invalid: Requested ReadUnitsPerSecond for WarmThroughput for table is lower than ReadCapacityUnits of ProvisionedThroughput"
    );
}

#[test]
fn warm_throughput_keeps_its_highest_through_mode_and_capacity_changes() {
    let mut w = world();
    w.ok("CreateTable", with_gsi("Things", false, None));
    // On demand to provisioned: the on-demand start stays.
    w.ok(
        "UpdateTable",
        json!({"TableName": "Things", "BillingMode": "PROVISIONED",
               "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 3},
               "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "by_g",
                   "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 3}}}]}),
    );
    let table = describe(&mut w, "Things");
    assert_eq!(table["WarmThroughput"], warm(12000, 4000));
    assert_eq!(
        table["GlobalSecondaryIndexes"][0]["WarmThroughput"],
        warm(12000, 4000)
    );
    // Raised by capacity, then kept when the capacity comes down again.
    w.ok(
        "UpdateTable",
        json!({"TableName": "Things",
               "ProvisionedThroughput": {"ReadCapacityUnits": 20000, "WriteCapacityUnits": 3}}),
    );
    w.ok(
        "UpdateTable",
        json!({"TableName": "Things",
               "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
    );
    assert_eq!(
        describe(&mut w, "Things")["WarmThroughput"],
        warm(20000, 4000)
    );
}
