//! DynamoDB capacity: billing modes and their validation, UpdateTable's capacity rules and
//! decrease budget, provisioned-throughput throttling on the playground's clock (burst
//! capacity, GSIs, batches, transactions), ReturnConsumedCapacity's breakdown,
//! ReturnItemCollectionMetrics, DescribeLimits and DescribeEndpoints.

mod common;

use common::{table_input, ACCOUNT, T0};
use serde_json::{json, Map, Value};

type Failure = (String, String, Map<String, Value>);

#[derive(Debug)]
struct Error(Failure);

impl common::Failure for Error {
    fn from_error(e: nimbus_shapes::ServiceError) -> Self {
        Error((e.code, e.message, e.fields))
    }
}

type World = common::World<Error>;

const TABLE_EXCEEDED: &str = "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.";
const INDEX_EXCEEDED: &str = "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API.";

fn world() -> World {
    World::new("dynamodb", ACCOUNT)
}

impl World {
    /// Code and message of a failed call.
    fn fails(&mut self, op: &str, input: Value) -> (String, String) {
        let Error((code, message, _)) = self.err(op, input);
        (code, message)
    }

    fn put(&mut self, table: &str, pk: &str) -> Result<Value, Error> {
        self.call(
            "PutItem",
            json!({"TableName": table, "Item": {"pk": {"S": pk}}}),
        )
    }

    /// Puts an item the GSI `gsi` on `gk` sees, under `gk` "g".
    fn put_indexed(&mut self, table: &str, pk: &str) {
        self.ok(
            "PutItem",
            json!({"TableName": table, "Item": {"pk": {"S": pk}, "gk": {"S": "g"}}}),
        );
    }

    fn describe(&mut self, table: &str) -> Value {
        self.ok("DescribeTable", json!({"TableName": table}))["Table"].clone()
    }
}

/// CreateTable's input for a PROVISIONED table keyed by `pk` (S).
fn provisioned(name: &str, read: i64, write: i64) -> Value {
    json!({"TableName": name,
           "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
           "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
           "ProvisionedThroughput": {"ReadCapacityUnits": read, "WriteCapacityUnits": write}})
}

/// A PROVISIONED table with a GSI `g` on `gk` (S), of the given table and index capacity.
fn with_gsi(name: &str, table: (i64, i64), index: (i64, i64)) -> Value {
    json!({"TableName": name,
           "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
           "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                    {"AttributeName": "gk", "AttributeType": "S"}],
           "ProvisionedThroughput": {"ReadCapacityUnits": table.0, "WriteCapacityUnits": table.1},
           "GlobalSecondaryIndexes": [{
               "IndexName": "gsi",
               "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
               "Projection": {"ProjectionType": "ALL"},
               "ProvisionedThroughput": {"ReadCapacityUnits": index.0, "WriteCapacityUnits": index.1}}]})
}

fn pair(code: &str, message: &str) -> (String, String) {
    (code.to_string(), message.to_string())
}

fn validation(message: &str) -> (String, String) {
    pair("ValidationException", message)
}

fn throughput(read: i64, write: i64) -> Value {
    json!({"ReadCapacityUnits": read, "WriteCapacityUnits": write})
}

#[test]
fn create_table_enforces_the_capacity_quotas() {
    let mut w = world();
    assert_eq!(
        w.fails("CreateTable", provisioned("big", 40_001, 5)),
        pair("LimitExceededException", "The requested ReadCapacityUnits, 40001, is above the per table maximum for the account in us-east-1. Per table maximum: 40000. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.")
    );
    assert_eq!(
        w.fails("CreateTable", with_gsi("big", (5, 5), (5, 40_001))),
        pair("LimitExceededException", "The requested WriteCapacityUnits for index gsi, 40001, is above the per index maximum for the account in us-east-1. Per table maximum: 40000. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.")
    );
    // The account holds at most 80,000 units per region, indexes included.
    w.ok("CreateTable", provisioned("acc_a", 40_000, 1));
    w.ok("CreateTable", with_gsi("acc_b", (30_000, 1), (10_000, 1)));
    assert_eq!(
        w.fails("CreateTable", provisioned("acc_c", 1, 1)),
        pair("LimitExceededException", "This request would have caused the ReadCapacityUnits limit to be exceeded for the account in us-east-1. Current ReadCapacityUnits reserved by the account: 80000. Limit: 80000. Requested: 1")
    );
    // On-demand tables reserve nothing.
    w.ok("CreateTable", table_input("acc_d", None));
    assert_eq!(
        w.ok("DescribeLimits", json!({})),
        json!({"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
               "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000})
    );
}

#[test]
fn describe_endpoints_names_the_regional_endpoint() {
    let mut w = world();
    assert_eq!(
        w.ok("DescribeEndpoints", json!({})),
        json!({"Endpoints": [{"Address": "dynamodb.us-east-1.amazonaws.com", "CachePeriodInMinutes": 1440}]})
    );
}

#[test]
fn switching_billing_modes_follows_aws_rules() {
    let mut w = world();
    w.ok("CreateTable", provisioned("tbl", 5, 5));
    // A table created PROVISIONED and never switched has no BillingModeSummary.
    assert!(w.describe("tbl").get("BillingModeSummary").is_none());
    assert_eq!(
        w.fails("UpdateTable", json!({"TableName": "tbl", "BillingMode": "PROVISIONED"})),
        validation("One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
    );
    assert_eq!(
        w.fails("UpdateTable", json!({"TableName": "tbl", "ProvisionedThroughput": throughput(5, 5)})),
        validation("The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: 5. Requested ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the table: 5. Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.")
    );
    assert_eq!(
        w.fails("UpdateTable", json!({"TableName": "tbl", "ProvisionedThroughput": {"ReadCapacityUnits": 4}})),
        validation("1 validation error detected: Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null")
    );
    assert_eq!(
        w.fails("UpdateTable", json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": throughput(1, 1)})),
        validation("One or more parameter values were invalid: ProvisionedThroughput cannot be specified when BillingMode is PAY_PER_REQUEST")
    );

    w.clock.advance(60_000);
    let switched = w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST"}),
    )["TableDescription"]
        .clone();
    let at = (T0 + 60_000) as f64 / 1000.0;
    assert_eq!(
        switched["BillingModeSummary"],
        json!({"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": at})
    );
    assert_eq!(switched["ProvisionedThroughput"]["ReadCapacityUnits"], 0);
    // Sending PAY_PER_REQUEST again is accepted and changes nothing.
    w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST"}),
    );

    w.clock.advance(60_000);
    let back = w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "BillingMode": "PROVISIONED", "ProvisionedThroughput": throughput(7, 3)}),
    )["TableDescription"]
        .clone();
    assert_eq!(
        back["BillingModeSummary"],
        json!({"BillingMode": "PROVISIONED", "LastUpdateToPayPerRequestDateTime": at})
    );
    assert_eq!(back["ProvisionedThroughput"]["ReadCapacityUnits"], 7);
    assert_eq!(back["ProvisionedThroughput"]["WriteCapacityUnits"], 3);
    // What DescribeTable shows survives a restart.
    let described = w.describe("tbl");
    assert_eq!(w.restart().describe("tbl"), described);
}

#[test]
fn switching_to_provisioned_needs_every_gsi_throughput() {
    let mut w = world();
    w.ok(
        "CreateTable",
        json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "gk", "AttributeType": "S"}],
               "GlobalSecondaryIndexes": [{"IndexName": "gsi",
                   "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "KEYS_ONLY"}}]}),
    );
    let update_g =
        json!([{"Update": {"IndexName": "gsi", "ProvisionedThroughput": throughput(2, 2)}}]);
    assert_eq!(
        w.fails("UpdateTable", json!({"TableName": "tbl", "GlobalSecondaryIndexUpdates": update_g})),
        validation("One or more parameter values were invalid: The only Updates for index: gsi when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput")
    );
    assert_eq!(
        w.fails("UpdateTable", json!({"TableName": "tbl", "BillingMode": "PROVISIONED", "ProvisionedThroughput": throughput(5, 5)})),
        validation("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: gsi")
    );
    let out = w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "BillingMode": "PROVISIONED", "ProvisionedThroughput": throughput(5, 5),
               "GlobalSecondaryIndexUpdates": update_g}),
    );
    let gsi = &out["TableDescription"]["GlobalSecondaryIndexes"][0];
    assert_eq!(gsi["ProvisionedThroughput"]["ReadCapacityUnits"], 2);
    assert_eq!(
        w.fails(
            "UpdateTable",
            json!({"TableName": "tbl", "ProvisionedThroughput": throughput(6, 6),
            "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "gsi"}}]})
        ),
        validation("You cannot create or delete index while updating table IOPS")
    );
    // An unchanged index throughput is refused like the table's.
    assert_eq!(
        w.fails("UpdateTable", json!({"TableName": "tbl", "GlobalSecondaryIndexUpdates": update_g})),
        validation("The provisioned throughput for the index gsi will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for index gsi: 2. Requested ReadCapacityUnits: 2. Current WriteCapacityUnits provisioned for index gsi: 2. Requested WriteCapacityUnits: 2. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.")
    );
}

#[test]
fn decreases_are_limited_per_utc_day() {
    // 2023-11-14T22:13:20Z: the day ends 1h46m40s later.
    let mut w = world();
    w.ok("CreateTable", provisioned("tbl", 100, 100));
    let pt = w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "ProvisionedThroughput": throughput(200, 200)}),
    )["TableDescription"]["ProvisionedThroughput"]
        .clone();
    assert_eq!(
        pt,
        json!({"LastIncreaseDateTime": T0 as f64 / 1000.0, "NumberOfDecreasesToday": 0,
               "ReadCapacityUnits": 200, "WriteCapacityUnits": 200})
    );
    for (i, units) in [150, 140, 130, 120].into_iter().enumerate() {
        w.clock.advance(1000);
        let pt = w.ok(
            "UpdateTable",
            json!({"TableName": "tbl", "ProvisionedThroughput": throughput(units, 200)}),
        )["TableDescription"]["ProvisionedThroughput"]
            .clone();
        assert_eq!(pt["NumberOfDecreasesToday"], i + 1);
        assert_eq!(
            pt["LastDecreaseDateTime"],
            (T0 + 1000 * (i as i64 + 1)) as f64 / 1000.0
        );
    }
    // The fifth decrease waits an hour after the fourth.
    w.clock.advance(1000);
    assert_eq!(
        w.fails("UpdateTable", json!({"TableName": "tbl", "ProvisionedThroughput": throughput(110, 200)})),
        pair("LimitExceededException", "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. After the first 4 decreases, each subsequent decrease in the same UTC day can be performed at most once every 3600 seconds. Number of decreases today: 4. Last decrease at Tuesday, November 14, 2023 at 10:13:24 PM Coordinated Universal Time. Next decrease can be made at Tuesday, November 14, 2023 at 11:13:24 PM Coordinated Universal Time.")
    );
    // Increases are never limited.
    w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "ProvisionedThroughput": throughput(120, 300)}),
    );
    w.clock.set(T0 + 4000 + 3_600_000);
    w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "ProvisionedThroughput": throughput(110, 300)}),
    );
    assert_eq!(
        w.describe("tbl")["ProvisionedThroughput"]["NumberOfDecreasesToday"],
        5
    );
    // A new UTC day starts a new budget.
    w.clock.set(T0 + 86_400_000);
    assert_eq!(
        w.describe("tbl")["ProvisionedThroughput"]["NumberOfDecreasesToday"],
        0
    );
    w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "ProvisionedThroughput": throughput(100, 300)}),
    );
}

fn batch_puts(table: &str, from: usize, count: usize) -> Value {
    let puts: Vec<Value> = (from..from + count)
        .map(|i| json!({"PutRequest": {"Item": {"pk": {"S": format!("k{i}")}}}}))
        .collect();
    json!({"RequestItems": {table: puts}})
}

#[test]
fn writes_beyond_the_burst_are_throttled_and_change_nothing() {
    let mut w = world();
    w.ok("CreateTable", provisioned("tbl", 1, 1));
    // One write unit a second keeps 300 units of burst: 300 small writes pass at once.
    for from in (0..300).step_by(25) {
        let out = w.ok("BatchWriteItem", batch_puts("tbl", from, 25));
        assert_eq!(out["UnprocessedItems"], json!({}));
    }
    let Error((code, message, _)) = w.err("BatchWriteItem", batch_puts("tbl", 300, 25));
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ProvisionedThroughputExceededException", TABLE_EXCEEDED)
    );
    assert_eq!(
        w.fails(
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": {"S": "late"}}})
        ),
        pair("ProvisionedThroughputExceededException", TABLE_EXCEEDED)
    );
    assert_eq!(
        w.ok(
            "GetItem",
            json!({"TableName": "tbl", "Key": {"pk": {"S": "late"}}})
        ),
        json!({})
    );
    // Ten seconds refill ten units: ten writes of the batch land, the rest come back.
    w.clock.advance(10_000);
    let out = w.ok("BatchWriteItem", batch_puts("tbl", 300, 25));
    let unprocessed = out["UnprocessedItems"]["tbl"].as_array().unwrap();
    assert_eq!(unprocessed.len(), 15);
    assert_eq!(
        unprocessed[0],
        json!({"PutRequest": {"Item": {"pk": {"S": "k310"}}}})
    );
    assert_eq!(w.describe("tbl")["ItemCount"], 310);
    // Retrying the unprocessed items later succeeds.
    w.clock.advance(15_000);
    let retry = json!({"RequestItems": {"tbl": unprocessed}});
    assert_eq!(w.ok("BatchWriteItem", retry)["UnprocessedItems"], json!({}));
    // A restart starts with a full burst.
    let mut w = w.restart();
    for i in 0..100 {
        w.put("tbl", &format!("after{i}")).unwrap();
    }
}

#[test]
fn a_write_refused_by_its_condition_still_costs_write_units() {
    let mut w = world();
    w.ok("CreateTable", provisioned("tbl", 1, 1));
    let refused = json!({"TableName": "tbl", "Item": {"pk": {"S": "a"}},
                         "ConditionExpression": "attribute_exists(pk)"});
    for _ in 0..300 {
        let (code, _) = w.fails("PutItem", refused.clone());
        assert_eq!(code, "ConditionalCheckFailedException");
    }
    // The burst went on refused writes: the next one is throttled.
    assert_eq!(
        w.fails("PutItem", refused),
        pair("ProvisionedThroughputExceededException", TABLE_EXCEEDED)
    );
}

#[test]
fn on_demand_tables_are_never_throttled() {
    let mut w = world();
    w.ok("CreateTable", table_input("tbl", None));
    for from in (0..1000).step_by(25) {
        w.ok("BatchWriteItem", batch_puts("tbl", from, 25));
    }
}

/// AWS's words over an on-demand maximum ("Diagnosing throttling", DynamoDB Developer Guide).
const ON_DEMAND_MAXIMUM: &str =
    "Throughput exceeds the maximum OnDemandThroughput configured on table or index";

#[test]
fn an_on_demand_maximum_throttles_with_throttling_exception() {
    let mut w = world();
    let mut input = table_input("tbl", None);
    input["OnDemandThroughput"] = json!({"MaxWriteRequestUnits": 1});
    input["AttributeDefinitions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"AttributeName": "gk", "AttributeType": "S"}));
    input["GlobalSecondaryIndexes"] = json!([{
        "IndexName": "gsi", "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}]);
    let arn = w.ok("CreateTable", input)["TableDescription"]["TableArn"].clone();
    // One write unit a second, with the 300 seconds of burst AWS may lend past a maximum.
    for from in (0..300).step_by(25) {
        let out = w.ok("BatchWriteItem", batch_puts("tbl", from, 25));
        assert_eq!(out["UnprocessedItems"], json!({}));
    }
    let Error((code, message, fields)) = w.put("tbl", "late").unwrap_err();
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ThrottlingException", ON_DEMAND_MAXIMUM)
    );
    // ThrottlingException spells its field as AWS's model does.
    assert_eq!(
        fields["throttlingReasons"],
        json!([{"reason": "TableWriteMaxOnDemandThroughputExceeded", "resource": arn}])
    );
    let late = json!({"TableName": "tbl", "Key": {"pk": {"S": "late"}}});
    assert_eq!(w.ok("GetItem", late.clone()), json!({}));
    // A batch with nothing written fails with the same error; a transaction is cancelled.
    let Error((code, _, fields)) = w.err("BatchWriteItem", batch_puts("tbl", 300, 25));
    assert_eq!(code, "ThrottlingException");
    assert_eq!(
        fields["throttlingReasons"][0]["reason"],
        "TableWriteMaxOnDemandThroughputExceeded"
    );
    let put =
        json!({"TransactItems": [{"Put": {"TableName": "tbl", "Item": {"pk": {"S": "late"}}}}]});
    let Error((code, _, fields)) = w.err("TransactWriteItems", put);
    assert_eq!(code, "TransactionCanceledException");
    assert_eq!(
        fields["CancellationReasons"],
        json!([{"Code": "ThrottlingError", "Message": ON_DEMAND_MAXIMUM}])
    );
    // -1 lifts the maximum.
    w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "OnDemandThroughput": {"MaxWriteRequestUnits": -1}}),
    );
    w.put("tbl", "late").unwrap();
    assert!(w.ok("GetItem", late)["Item"].is_object());

    // A GSI's own maximum, set by UpdateTable, bounds reads of the index.
    w.put_indexed("tbl", "indexed");
    let update = json!({"TableName": "tbl", "GlobalSecondaryIndexUpdates": [{"Update": {
        "IndexName": "gsi", "OnDemandThroughput": {"MaxReadRequestUnits": 1}}}]});
    let described = &w.ok("UpdateTable", update)["TableDescription"];
    assert_eq!(
        described["GlobalSecondaryIndexes"][0]["OnDemandThroughput"]["MaxReadRequestUnits"],
        1
    );
    let query = json!({"TableName": "tbl", "IndexName": "gsi", "KeyConditionExpression": "gk = :g",
                       "ExpressionAttributeValues": {":g": {"S": "g"}}});
    // Half a unit per eventually consistent read: 600 fit the burst.
    for _ in 0..600 {
        w.ok("Query", query.clone());
    }
    let Error((code, message, fields)) = w.err("Query", query);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("ThrottlingException", ON_DEMAND_MAXIMUM)
    );
    assert_eq!(
        fields["throttlingReasons"],
        json!([{"reason": "IndexReadMaxOnDemandThroughputExceeded",
                "resource": format!("{}/index/gsi", arn.as_str().unwrap())}])
    );
    // The table's reads have no maximum.
    let scan = json!({"TableName": "tbl"});
    for _ in 0..700 {
        w.ok("Scan", scan.clone());
    }
}

#[test]
fn raising_capacity_raises_the_refill_rate() {
    let mut w = world();
    w.ok("CreateTable", provisioned("tbl", 1, 1));
    for from in (0..300).step_by(25) {
        w.ok("BatchWriteItem", batch_puts("tbl", from, 25));
    }
    assert!(w.put("tbl", "x").is_err());
    w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "ProvisionedThroughput": throughput(1, 50)}),
    );
    w.clock.advance(1000);
    let out = w.ok("BatchWriteItem", batch_puts("tbl", 300, 25));
    assert_eq!(out["UnprocessedItems"], json!({}));
    // Switched to on demand, the table takes anything.
    w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST"}),
    );
    for i in 0..100 {
        w.put("tbl", &format!("odd{i}")).unwrap();
    }
}

#[test]
fn reads_are_charged_as_consumed_capacity_reports_them() {
    let mut w = world();
    w.ok("CreateTable", provisioned("tbl", 1, 100));
    w.put("tbl", "a").unwrap();
    w.put("tbl", "b").unwrap();
    let get = |consistent: bool| {
        json!({"TableName": "tbl", "Key": {"pk": {"S": "a"}}, "ConsistentRead": consistent,
               "ReturnConsumedCapacity": "TOTAL"})
    };
    // An eventually consistent read costs half a unit: 600 of them fit the burst.
    for _ in 0..600 {
        let out = w.ok("GetItem", get(false));
        assert_eq!(out["ConsumedCapacity"]["CapacityUnits"], 0.5);
    }
    assert_eq!(
        w.fails("GetItem", get(false)),
        pair("ProvisionedThroughputExceededException", TABLE_EXCEEDED)
    );
    assert_eq!(
        w.fails("Scan", json!({"TableName": "tbl"})),
        pair("ProvisionedThroughputExceededException", TABLE_EXCEEDED)
    );
    // Two seconds: two units. A batch of strongly consistent reads takes two keys and
    // hands the third back.
    w.clock.advance(2000);
    let out = w.ok(
        "BatchGetItem",
        json!({"RequestItems": {"tbl": {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "b"}}, {"pk": {"S": "c"}}],
                                      "ConsistentRead": true}}}),
    );
    assert_eq!(out["Responses"]["tbl"].as_array().unwrap().len(), 2);
    assert_eq!(
        out["UnprocessedKeys"]["tbl"],
        json!({"Keys": [{"pk": {"S": "c"}}], "ConsistentRead": true})
    );
    // With nothing left, the whole batch fails.
    assert_eq!(
        w.fails(
            "BatchGetItem",
            json!({"RequestItems": {"tbl": {"Keys": [{"pk": {"S": "a"}}], "ConsistentRead": true}}})
        ),
        pair("ProvisionedThroughputExceededException", TABLE_EXCEEDED)
    );
}

#[test]
fn a_gsi_out_of_write_capacity_throttles_the_table_writes_it_sees() {
    let mut w = world();
    w.ok("CreateTable", with_gsi("tbl", (100, 100), (100, 1)));
    let indexed = |i: usize| json!({"PutRequest": {"Item": {"pk": {"S": format!("k{i}")}, "gk": {"S": "g"}}}});
    for from in (0..300).step_by(25) {
        let puts: Vec<Value> = (from..from + 25).map(indexed).collect();
        w.ok("BatchWriteItem", json!({"RequestItems": {"tbl": puts}}));
    }
    assert_eq!(
        w.fails(
            "PutItem",
            json!({"TableName": "tbl", "Item": {"pk": {"S": "x"}, "gk": {"S": "g"}}})
        ),
        pair("ProvisionedThroughputExceededException", INDEX_EXCEEDED)
    );
    // An item the index does not see (no gk) costs the index nothing.
    w.put("tbl", "sparse").unwrap();
    // Reads of the index draw on the index's read capacity.
    let query = json!({"TableName": "tbl", "IndexName": "gsi", "KeyConditionExpression": "gk = :g",
                       "ExpressionAttributeValues": {":g": {"S": "g"}}, "Limit": 1,
                       "ReturnConsumedCapacity": "INDEXES"});
    let out = w.ok("Query", query);
    assert_eq!(
        out["ConsumedCapacity"],
        json!({"TableName": "tbl", "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
               "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 0.5}}})
    );
}

#[test]
fn transactions_pay_double_and_are_cancelled_when_throttled() {
    let mut w = world();
    w.ok("CreateTable", provisioned("tbl", 10, 1));
    w.ok("CreateTable", table_input("free", None));
    let transaction = |i: usize| {
        json!({"TransactItems": [
            {"Put": {"TableName": "tbl", "Item": {"pk": {"S": format!("k{i}")}}}},
            {"Put": {"TableName": "free", "Item": {"pk": {"S": format!("k{i}")}}}},
        ], "ReturnConsumedCapacity": "TOTAL"})
    };
    // Two units per transactional write: 150 fit the 300-unit burst.
    for i in 0..150 {
        let out = w.ok("TransactWriteItems", transaction(i));
        assert_eq!(
            out["ConsumedCapacity"],
            // In request order, each with its write part, as AWS reports transactions.
            json!([{"TableName": "tbl", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
                   {"TableName": "free", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}])
        );
    }
    let Error((code, message, fields)) = w.err("TransactWriteItems", transaction(150));
    assert_eq!(code, "TransactionCanceledException");
    assert_eq!(
        message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [ProvisionedThroughputExceeded, None]"
    );
    assert_eq!(
        fields["CancellationReasons"],
        json!([{"Code": "ProvisionedThroughputExceeded", "Message": TABLE_EXCEEDED},
               {"Code": "None"}])
    );
    // Nothing of the cancelled transaction landed, not even in the on-demand table.
    assert_eq!(
        w.ok(
            "GetItem",
            json!({"TableName": "free", "Key": {"pk": {"S": "k150"}}})
        ),
        json!({})
    );
    // Reads: a transactional read costs two units per 4 KB, and is cancelled alike when
    // the table cannot pay.
    w.ok(
        "CreateTable",
        json!({"TableName": "slow", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
               "ProvisionedThroughput": throughput(1, 1)}),
    );
    let read_slow =
        json!({"TransactItems": [{"Get": {"TableName": "slow", "Key": {"pk": {"S": "a"}}}}]});
    for _ in 0..150 {
        w.ok("TransactGetItems", read_slow.clone());
    }
    let Error((code, _, fields)) = w.err("TransactGetItems", read_slow);
    assert_eq!(code, "TransactionCanceledException");
    assert_eq!(
        fields["CancellationReasons"],
        json!([{"Code": "ProvisionedThroughputExceeded", "Message": TABLE_EXCEEDED}])
    );
    let get = json!({"TransactItems": [{"Get": {"TableName": "tbl", "Key": {"pk": {"S": "k1"}}}}],
                     "ReturnConsumedCapacity": "TOTAL"});
    let out = w.ok("TransactGetItems", get);
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "tbl", "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}])
    );
}

#[test]
fn a_replayed_transaction_reports_the_read_of_its_items() {
    let mut w = world();
    w.ok("CreateTable", table_input("tbl", None));
    // A 1.5 KB item: two write units to put, one read unit (4 KB) to read.
    let item = json!({"pk": {"S": "a"}, "pad": {"S": "x".repeat(1500)}});
    let input = json!({"TransactItems": [{"Put": {"TableName": "tbl", "Item": item}}],
                       "ClientRequestToken": "token-1", "ReturnConsumedCapacity": "TOTAL"});
    let first = w.ok("TransactWriteItems", input.clone());
    assert_eq!(
        first["ConsumedCapacity"],
        json!([{"TableName": "tbl", "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}])
    );
    let replay = w.ok("TransactWriteItems", input);
    assert_eq!(
        replay["ConsumedCapacity"],
        json!([{"TableName": "tbl", "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}])
    );
}

#[test]
fn consumed_capacity_itemises_indexes_in_batches_and_transactions() {
    let mut w = world();
    w.ok("CreateTable", with_gsi("tbl", (100, 100), (100, 100)));
    let item = |pk: &str| json!({"pk": {"S": pk}, "gk": {"S": "g"}});
    let out = w.ok(
        "BatchWriteItem",
        json!({"RequestItems": {"tbl": [{"PutRequest": {"Item": item("a")}},
                                      {"PutRequest": {"Item": {"pk": {"S": "b"}}}}]},
               "ReturnConsumedCapacity": "INDEXES"}),
    );
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "tbl", "CapacityUnits": 3.0, "Table": {"CapacityUnits": 2.0},
                "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 1.0}}}])
    );
    let out = w.ok(
        "TransactWriteItems",
        json!({"TransactItems": [{"Put": {"TableName": "tbl", "Item": item("c")}}],
               "ReturnConsumedCapacity": "INDEXES"}),
    );
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "tbl", "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0,
                "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
                "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}}}])
    );
    let out = w.ok(
        "PutItem",
        json!({"TableName": "tbl", "Item": item("d"), "ReturnConsumedCapacity": "INDEXES"}),
    );
    assert_eq!(
        out["ConsumedCapacity"],
        json!({"TableName": "tbl", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 1.0},
               "GlobalSecondaryIndexes": {"gsi": {"CapacityUnits": 1.0}}})
    );
}

#[test]
fn item_collection_metrics_come_from_tables_with_a_local_index() {
    let mut w = world();
    w.ok(
        "CreateTable",
        json!({"TableName": "lsi", "BillingMode": "PAY_PER_REQUEST",
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                             {"AttributeName": "sk", "KeyType": "RANGE"}],
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "sk", "AttributeType": "S"},
                                        {"AttributeName": "ls", "AttributeType": "S"}],
               "LocalSecondaryIndexes": [{"IndexName": "by_ls",
                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                 {"AttributeName": "ls", "KeyType": "RANGE"}],
                   "Projection": {"ProjectionType": "ALL"}}]}),
    );
    w.ok("CreateTable", table_input("plain", None));
    let metrics =
        json!({"ItemCollectionKey": {"pk": {"S": "p"}}, "SizeEstimateRangeGB": [0.0, 1.0]});
    let item = json!({"pk": {"S": "p"}, "sk": {"S": "1"}, "ls": {"S": "x"}});
    let out = w.ok(
        "PutItem",
        json!({"TableName": "lsi", "Item": item, "ReturnItemCollectionMetrics": "SIZE"}),
    );
    assert_eq!(out["ItemCollectionMetrics"], metrics);
    let key = json!({"pk": {"S": "p"}, "sk": {"S": "1"}});
    let out = w.ok(
        "UpdateItem",
        json!({"TableName": "lsi", "Key": key, "UpdateExpression": "SET a = :a",
               "ExpressionAttributeValues": {":a": {"N": "1"}}, "ReturnItemCollectionMetrics": "SIZE"}),
    );
    assert_eq!(out["ItemCollectionMetrics"], metrics);
    let out = w.ok(
        "BatchWriteItem",
        json!({"RequestItems": {"lsi": [{"DeleteRequest": {"Key": key}}]},
               "ReturnItemCollectionMetrics": "SIZE"}),
    );
    assert_eq!(out["ItemCollectionMetrics"], json!({"lsi": [metrics]}));
    let out = w.ok(
        "TransactWriteItems",
        json!({"TransactItems": [{"Put": {"TableName": "lsi", "Item": item}}],
               "ReturnItemCollectionMetrics": "SIZE"}),
    );
    assert_eq!(out["ItemCollectionMetrics"], json!({"lsi": [metrics]}));
    let out = w.ok(
        "DeleteItem",
        json!({"TableName": "lsi", "Key": key, "ReturnItemCollectionMetrics": "SIZE"}),
    );
    assert_eq!(out["ItemCollectionMetrics"], metrics);
    // Without a local index there are no item collections to report.
    let out = w.ok(
        "PutItem",
        json!({"TableName": "plain", "Item": {"pk": {"S": "p"}}, "ReturnItemCollectionMetrics": "SIZE"}),
    );
    assert!(out.get("ItemCollectionMetrics").is_none());
    assert_eq!(
        w.fails(
            "PutItem",
            json!({"TableName": "plain", "Item": {"pk": {"S": "p"}}, "ReturnItemCollectionMetrics": "ALL"})
        ),
        validation("1 validation error detected: Value 'ALL' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]")
    );
}
