//! DynamoDB through the emulator's entry point, in the canonical JSON form.

mod common;

use common::{caller, caller_in, restore_state, table_input, with_ctx, ACCOUNT, T0};
use nimbus_core::{services::dynamodb, Clock};
use serde_json::{json, Value};

const REGION: &str = "us-east-1";

type World = common::World<(String, String)>;

type Answer = Result<Value, (String, String)>;

fn world() -> World {
    World::new("dynamodb", ACCOUNT)
}

impl World {
    /// A table keyed by `pk` (S) and, when given, `sk` of the given type.
    fn table(&mut self, name: &str, sort: Option<&str>) -> Value {
        self.ok("CreateTable", table_input(name, sort))
    }
}

fn err(code: &str, message: &str) -> Answer {
    Err((code.to_string(), message.to_string()))
}

fn validation(message: &str) -> Answer {
    err("ValidationException", message)
}

/// AWS's "One or more parameter values were invalid: " refusal.
fn invalid(detail: &str) -> Answer {
    validation(&format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

/// `base` with the members of `extra` added.
fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

#[test]
fn create_table_describes_the_new_table() {
    let mut w = world();
    let out = w.ok(
        "CreateTable",
        json!({
            "TableName": "Orders",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3},
        }),
    );
    let d = &out["TableDescription"];
    assert_eq!(d["TableName"], "Orders");
    assert_eq!(d["TableStatus"], "ACTIVE");
    assert_eq!(
        d["TableArn"],
        format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Orders")
    );
    assert_eq!(d["CreationDateTime"], json!(1_700_000_000.0));
    assert_eq!(d["ItemCount"], 0);
    assert_eq!(d["TableSizeBytes"], 0);
    assert_eq!(
        d["ProvisionedThroughput"],
        json!({"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5, "WriteCapacityUnits": 3})
    );
    assert!(d.get("BillingModeSummary").is_none());
    assert_eq!(d["DeletionProtectionEnabled"], false);
    let id = d["TableId"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4");

    assert_eq!(
        w.call(
            "DescribeTable",
            json!({"TableName": format!("arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/Orders")})
        )
        .unwrap_err()
        .0,
        "ResourceNotFoundException"
    );
    // DescribeTable adds the warm throughput CreateTable's answer leaves out.
    let described = w.ok("DescribeTable", json!({"TableName": "Orders"}));
    assert_eq!(
        described["Table"]["WarmThroughput"],
        json!({"ReadUnitsPerSecond": 5, "WriteUnitsPerSecond": 3, "Status": "ACTIVE"})
    );
    let mut without_warm = described["Table"].clone();
    without_warm
        .as_object_mut()
        .unwrap()
        .remove("WarmThroughput");
    assert_eq!(&without_warm, d);
    // An ARN names the table as well as its name does.
    let by_arn = w.ok(
        "DescribeTable",
        json!({"TableName": format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Orders")}),
    );
    assert_eq!(by_arn["Table"], described["Table"]);
}

#[test]
fn on_demand_tables_with_indexes_and_streams() {
    let mut w = world();
    let out = w.ok(
        "CreateTable",
        json!({
            "TableName": "Users",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"},
                                     {"AttributeName": "email", "AttributeType": "S"},
                                     {"AttributeName": "age", "AttributeType": "N"}],
            "BillingMode": "PAY_PER_REQUEST",
            "GlobalSecondaryIndexes": [{"IndexName": "by-email",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}],
            "LocalSecondaryIndexes": [{"IndexName": "by-age",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "age", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        }),
    );
    let d = &out["TableDescription"];
    let arn = format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Users");
    // CreateTable's answer lacks the time on demand began; DescribeTable has it.
    assert_eq!(
        d["BillingModeSummary"],
        json!({"BillingMode": "PAY_PER_REQUEST"})
    );
    let described = w.ok("DescribeTable", json!({"TableName": "Users"}));
    assert_eq!(
        described["Table"]["BillingModeSummary"],
        json!({"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": 1_700_000_000.0})
    );
    assert_eq!(d["ProvisionedThroughput"]["ReadCapacityUnits"], 0);
    assert_eq!(d["GlobalSecondaryIndexes"][0]["IndexName"], "by-email");
    assert_eq!(d["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE");
    assert_eq!(
        d["GlobalSecondaryIndexes"][0]["IndexArn"],
        format!("{arn}/index/by-email")
    );
    assert_eq!(
        d["LocalSecondaryIndexes"][0]["Projection"],
        json!({"ProjectionType": "KEYS_ONLY"})
    );
    assert_eq!(
        d["StreamSpecification"],
        json!({"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    );
    assert_eq!(d["LatestStreamLabel"], "2023-11-14T22:13:20.000");
    assert_eq!(
        d["LatestStreamArn"],
        format!("{arn}/stream/2023-11-14T22:13:20.000")
    );

    // Items must carry index keys of the declared type, and are counted per index.
    w.ok(
        "PutItem",
        json!({"TableName": "Users", "Item": {"pk": {"S": "u1"}, "sk": {"S": "p"}, "email": {"S": "a@b"}}}),
    );
    w.ok(
        "PutItem",
        json!({"TableName": "Users", "Item": {"pk": {"S": "u2"}, "sk": {"S": "p"}}}),
    );
    assert_eq!(
        w.call("PutItem", json!({"TableName": "Users", "Item": {"pk": {"S": "u3"}, "sk": {"S": "p"}, "email": {"N": "1"}}})),
        validation("One or more parameter values were invalid: Type mismatch for Index Key email Expected: S Actual: N IndexName: by-email")
    );
    assert_eq!(
        w.call("PutItem", json!({"TableName": "Users", "Item": {"pk": {"S": "u3"}, "sk": {"S": "p"}, "email": {"S": ""}}})),
        validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: by-email, IndexKey: email")
    );
    let d = w.ok("DescribeTable", json!({"TableName": "Users"}));
    assert_eq!(d["Table"]["ItemCount"], 2);
    assert_eq!(d["Table"]["GlobalSecondaryIndexes"][0]["ItemCount"], 1);
    assert_eq!(d["Table"]["LocalSecondaryIndexes"][0]["ItemCount"], 0);
}

#[test]
fn create_table_rejects_what_aws_rejects() {
    let long_projection_error = format!("1 validation error detected: Value '[x, {}]' at 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 1]", "y".repeat(256));
    let keys = json!([{"AttributeName": "pk", "KeyType": "HASH"}]);
    let defs = json!([{"AttributeName": "pk", "AttributeType": "S"}]);
    let long_key_names = format!(
        "2 validation errors detected: Value '' at 'attributeDefinitions.1.member.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '{}' at 'keySchema.1.member.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255",
        "k".repeat(256)
    );
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"TableName": "a;", "KeySchema": keys, "AttributeDefinitions": defs, "BillingMode": "PAY_PER_REQUEST"}),
            "2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
        ),
        (
            json!({"TableName": "x!y", "KeySchema": keys, "AttributeDefinitions": defs, "BillingMode": "PAY_PER_REQUEST"}),
            "1 validation error detected: Value 'x!y' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        ),
        (
            json!({"KeySchema": keys, "AttributeDefinitions": defs, "BillingMode": "PAY_PER_REQUEST"}),
            "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
        ),
        (
            json!({"TableName": "abc", "KeySchema": [{"AttributeName": "pk", "KeyType": "PRIMARY"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "X"}], "BillingMode": "PAY_PER_REQUEST"}),
            "2 validation errors detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]; Value 'PRIMARY' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]",
        ),
        // Key attribute names are 1 to 255 bytes, checked before definitions and keys are
        // matched (ScyllaDB's Alternator tests, run against DynamoDB).
        (
            json!({"TableName": "abc", "KeySchema": [{"AttributeName": "k".repeat(256), "KeyType": "HASH"}],
                   "AttributeDefinitions": [{"AttributeName": "", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}),
            &long_key_names,
        ),
        // An attribute defined twice, before definitions and keys are matched
        // (scylladb#13870 quotes DynamoDB).
        (
            json!({"TableName": "abc", "KeySchema": [{"AttributeName": "xyz", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST",
                   "AttributeDefinitions": [{"AttributeName": "xyz", "AttributeType": "S"}, {"AttributeName": "xyz", "AttributeType": "N"}]}),
            "Attribute Name is duplicated: xyz",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": defs}),
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": defs, "BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": defs, "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}}),
            "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": defs, "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}}),
            "2 validation errors detected: Value '0' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": defs, "ProvisionedThroughput": {"ReadCapacityUnits": 1_000_000_000_001i64, "WriteCapacityUnits": 1}}),
            "Given value 1000000000001 for ReadCapacityUnits is out of bounds",
        ),
        (
            json!({"TableName": "abc", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}], "AttributeDefinitions": defs, "BillingMode": "PAY_PER_REQUEST"}),
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        (
            json!({"TableName": "abc", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "AttributeDefinitions": defs, "BillingMode": "PAY_PER_REQUEST"}),
            "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [pk]",
        ),
        (
            json!({"TableName": "abc", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "pk", "KeyType": "RANGE"}], "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}),
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ),
        (
            json!({"TableName": "abc", "KeySchema": [{"AttributeName": "pk", "KeyType": "RANGE"}], "AttributeDefinitions": defs, "BillingMode": "PAY_PER_REQUEST"}),
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}),
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": defs, "BillingMode": "PAY_PER_REQUEST",
                   "LocalSecondaryIndexes": [{"IndexName": "lsi", "KeySchema": keys, "Projection": {"ProjectionType": "ALL"}}]}),
            "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
                   "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL", "NonKeyAttributes": ["x"]}}]}),
            "One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is specified",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
                   "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x", "y".repeat(256)]}}]}),
            &long_projection_error,
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
                   "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": []}}]}),
            "1 validation error detected: Value '[]' at 'globalSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
                   "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {}}]}),
            "One or more parameter values were invalid: Unknown ProjectionType: null",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "unused", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
                   "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]}),
            "One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [g, pk, unused], keys used: [g, pk]",
        ),
        (
            json!({"TableName": "abc", "KeySchema": keys, "AttributeDefinitions": defs, "BillingMode": "PAY_PER_REQUEST",
                   "StreamSpecification": {"StreamEnabled": false, "StreamViewType": "NEW_IMAGE"}}),
            "One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified",
        ),
    ];
    for (input, message) in cases {
        let mut w = world();
        assert_eq!(
            w.call("CreateTable", input.clone()),
            validation(message),
            "{input}"
        );
        // Nothing was created.
        assert_eq!(w.ok("ListTables", json!({}))["TableNames"], json!([]));
    }
}

#[test]
fn stream_specifications_and_empty_updates_get_dynamodbs_words() {
    let mut w = world();
    let mut input = table_input("streamed", None);
    input["StreamSpecification"] = json!({"StreamEnabled": true});
    assert_eq!(
        w.call("CreateTable", input),
        invalid("Table is being created with a stream enabled, UpdateViewType is required")
    );
    w.table("streamed", None);
    let update = |extra: Value| with(json!({"TableName": "streamed"}), extra);
    assert_eq!(
        w.call(
            "UpdateTable",
            update(json!({"StreamSpecification": {"StreamEnabled": true}}))
        ),
        invalid("If stream is being enabled then UpdateViewType is required")
    );
    assert_eq!(
        w.call("UpdateTable", update(json!({"StreamSpecification": {"StreamEnabled": true, "StreamViewType": "new_image"}}))),
        validation("1 validation error detected: Value 'new_image' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]")
    );
    w.ok(
        "UpdateTable",
        update(
            json!({"StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}),
        ),
    );
    assert_eq!(
        w.call("UpdateTable", update(json!({"StreamSpecification": {"StreamEnabled": false, "StreamViewType": "KEYS_ONLY"}}))),
        invalid("If stream is being disabled, then UpdateViewType must not be specified")
    );
    // An empty GlobalSecondaryIndexUpdates changes nothing, alone or with definitions, and
    // is refused before the table is looked up.
    let nothing = validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required");
    assert_eq!(
        w.call(
            "UpdateTable",
            update(json!({"GlobalSecondaryIndexUpdates": [],
                          "AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"}]}))
        ),
        nothing
    );
    assert_eq!(
        w.call("UpdateTable", json!({"TableName": "missing"})),
        nothing
    );
    assert_eq!(
        w.call(
            "UpdateTable",
            update(json!({"GlobalSecondaryIndexUpdates": [], "DeletionProtectionEnabled": true}))
        ),
        invalid("List of GlobalSecondaryIndexUpdates is empty")
    );
}

#[test]
fn update_table_changes_one_concern_at_a_time() {
    let mut w = world();
    w.table("single", None);
    let invalid = |detail: &str| format!("One or more parameter values were invalid: {detail}");
    let stream = json!({"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"});
    let cases = [
        (
            json!({"SSESpecification": {"Enabled": true}, "DeletionProtectionEnabled": true}),
            invalid(
                "Server-Side Encryption modification must be the only operation in the request",
            ),
        ),
        (
            json!({"TableClass": "STANDARD", "StreamSpecification": stream}),
            invalid("TableClass modification must be the only operation in the request"),
        ),
        (
            json!({"DeletionProtectionEnabled": true, "BillingMode": "PAY_PER_REQUEST"}),
            invalid("DeletionProtection modification must be the only operation in the request"),
        ),
        (
            json!({"WarmThroughput": {"ReadUnitsPerSecond": 20000}, "StreamSpecification": stream}),
            "WarmThroughput must be the only operation in the request".to_string(),
        ),
        (
            json!({"OnDemandThroughput": {"MaxReadRequestUnits": 10}, "StreamSpecification": stream}),
            "OnDemandThroughput can only be combined with BillingMode in an UpdateTable request"
                .to_string(),
        ),
        (
            json!({"BillingMode": "PROVISIONED", "StreamSpecification": stream,
                   "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
            "You cannot modify stream status while updating table IOPS".to_string(),
        ),
    ];
    for (extra, message) in cases {
        let input = with(json!({"TableName": "single"}), extra.clone());
        assert_eq!(
            w.call("UpdateTable", input),
            validation(&message),
            "{extra}"
        );
    }
    // Each alone is fine; BillingMode combines with throughput.
    w.ok(
        "UpdateTable",
        json!({"TableName": "single", "DeletionProtectionEnabled": true}),
    );
    w.ok(
        "UpdateTable",
        json!({"TableName": "single", "BillingMode": "PROVISIONED",
               "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
    );
    w.ok(
        "UpdateTable",
        json!({"TableName": "single", "StreamSpecification": stream}),
    );
    // A class outside the enum is refused; STANDARD on a table that named none changes
    // nothing (no TableClassSummary appears).
    assert_eq!(
        w.call("UpdateTable", json!({"TableName": "single", "TableClass": "STANDARD_IA_BOGUS"})),
        validation("Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].")
    );
    let out = w.ok(
        "UpdateTable",
        json!({"TableName": "single", "TableClass": "STANDARD"}),
    );
    assert!(
        out["TableDescription"].get("TableClassSummary").is_none(),
        "{out}"
    );
    let out = w.ok(
        "UpdateTable",
        json!({"TableName": "single", "TableClass": "STANDARD_INFREQUENT_ACCESS"}),
    );
    // A change of class is dated (ScyllaDB's Alternator tests, run against DynamoDB).
    let changed_at = (w.clock.now_millis() as f64) / 1000.0;
    assert_eq!(
        out["TableDescription"]["TableClassSummary"],
        json!({"TableClass": "STANDARD_INFREQUENT_ACCESS", "LastUpdateDateTime": changed_at})
    );
}

#[test]
fn table_names_are_unique_per_account_and_region() {
    let mut w = world();
    w.table("tab1", None);
    let again = w.call(
        "CreateTable",
        json!({"TableName": "tab1", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
               "BillingMode": "PAY_PER_REQUEST"}),
    );
    assert_eq!(
        again,
        err("ResourceInUseException", "Table already exists: tab1")
    );

    let other_region = caller_in(ACCOUNT, "eu-west-1");
    let listed = w
        .emulator
        .call(&other_region, "dynamodb", "ListTables", json!({}))
        .result
        .unwrap();
    assert_eq!(listed["TableNames"], json!([]));
}

#[test]
fn list_tables_pages_in_name_order() {
    let mut w = world();
    for name in ["delta", "alpha", "charlie", "bravo", "echo"] {
        w.table(name, None);
    }
    assert_eq!(
        w.ok("ListTables", json!({})),
        json!({"TableNames": ["alpha", "bravo", "charlie", "delta", "echo"]})
    );
    assert_eq!(
        w.ok("ListTables", json!({"Limit": 2})),
        json!({"TableNames": ["alpha", "bravo"], "LastEvaluatedTableName": "bravo"})
    );
    assert_eq!(
        w.ok(
            "ListTables",
            json!({"Limit": 2, "ExclusiveStartTableName": "bravo"})
        ),
        json!({"TableNames": ["charlie", "delta"], "LastEvaluatedTableName": "delta"})
    );
    assert_eq!(
        w.ok(
            "ListTables",
            json!({"Limit": 2, "ExclusiveStartTableName": "delta"})
        ),
        json!({"TableNames": ["echo"]})
    );
    assert_eq!(
        w.call("ListTables", json!({"Limit": 0})),
        validation(
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        )
    );
    assert_eq!(
        w.call("ListTables", json!({"Limit": 101})),
        validation(
            "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"
        )
    );
}

#[test]
fn describe_and_delete_name_a_missing_table() {
    let mut w = world();
    let missing = err(
        "ResourceNotFoundException",
        "Requested resource not found: Table: nope not found",
    );
    assert_eq!(
        w.call("DescribeTable", json!({"TableName": "nope"})),
        missing
    );
    assert_eq!(w.call("DeleteTable", json!({"TableName": "nope"})), missing);
    // A table's ARN is answered by the name in it.
    assert_eq!(
        w.call(
            "DescribeTable",
            json!({"TableName": format!("arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/nope")})
        ),
        missing
    );
    assert_eq!(
        w.call("DescribeTable", json!({"TableName": "ab"})),
        validation("1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")
    );
    assert_eq!(
        w.call("DescribeTable", json!({"TableName": ""})),
        validation("2 validation errors detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value '' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
    );
}

#[test]
fn items_round_trip_with_normalised_numbers() {
    let mut w = world();
    w.table("things", Some("N"));
    let item = json!({
        "pk": {"S": "a"}, "sk": {"N": "01.50"},
        "price": {"N": "1e3"}, "tags": {"SS": ["x", "y"]}, "nums": {"NS": ["2", "-0.50"]},
        "blob": {"B": "AAEC"}, "doc": {"M": {"n": {"N": "007"}, "l": {"L": [{"NULL": true}, {"BOOL": false}]}}},
        "empty": {"S": ""},
    });
    let put = w.ok("PutItem", json!({"TableName": "things", "Item": item}));
    assert_eq!(put, json!({}));

    let got = w.ok(
        "GetItem",
        json!({"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.5"}}}),
    );
    assert_eq!(
        got["Item"],
        json!({
            "pk": {"S": "a"}, "sk": {"N": "1.5"},
            "price": {"N": "1000"}, "tags": {"SS": ["x", "y"]}, "nums": {"NS": ["2", "-0.5"]},
            "blob": {"B": "AAEC"}, "doc": {"M": {"n": {"N": "7"}, "l": {"L": [{"NULL": true}, {"BOOL": false}]}}},
            "empty": {"S": ""},
        })
    );

    // A key that is not there answers no item at all.
    assert_eq!(
        w.ok(
            "GetItem",
            json!({"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "2"}}})
        ),
        json!({})
    );

    let projected = w.ok(
        "GetItem",
        json!({"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.50"}},
               "ProjectionExpression": "price, #t, absent", "ExpressionAttributeNames": {"#t": "tags"},
               "ConsistentRead": true, "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(
        projected,
        json!({"Item": {"price": {"N": "1000"}, "tags": {"SS": ["x", "y"]}},
               "ConsumedCapacity": {"TableName": "things", "CapacityUnits": 1.0}})
    );
    let nested = w.ok(
        "GetItem",
        json!({"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.5"}},
               "ProjectionExpression": "doc.l[1], #d.n", "ExpressionAttributeNames": {"#d": "doc"}}),
    );
    assert_eq!(
        nested,
        json!({"Item": {"doc": {"M": {"l": {"L": [{"BOOL": false}]}, "n": {"N": "7"}}}}})
    );
    let legacy = w.ok(
        "GetItem",
        json!({"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.5"}}, "AttributesToGet": ["pk"]}),
    );
    assert_eq!(legacy, json!({"Item": {"pk": {"S": "a"}}}));

    // Overwriting answers the old image on request.
    let replaced = w.ok(
        "PutItem",
        json!({"TableName": "things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1.5"}, "v": {"N": "2"}},
               "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(replaced["Attributes"]["price"], json!({"N": "1000"}));
    assert_eq!(
        replaced["ConsumedCapacity"],
        json!({"TableName": "things", "CapacityUnits": 1.0})
    );

    let deleted = w.ok(
        "DeleteItem",
        json!({"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.5"}}, "ReturnValues": "ALL_OLD"}),
    );
    assert_eq!(
        deleted,
        json!({"Attributes": {"pk": {"S": "a"}, "sk": {"N": "1.5"}, "v": {"N": "2"}}})
    );
    assert_eq!(
        w.ok(
            "DeleteItem",
            json!({"TableName": "things", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.5"}}, "ReturnValues": "ALL_OLD"})
        ),
        json!({})
    );
}

#[test]
fn table_counts_items_and_bytes() {
    let mut w = world();
    w.table("sized", None);
    // "pk"(2) + "abc"(3) + "n"(1) + 123 (2 digit pairs + 1 = 3) = 9 bytes.
    w.ok(
        "PutItem",
        json!({"TableName": "sized", "Item": {"pk": {"S": "abc"}, "n": {"N": "123"}}}),
    );
    w.ok(
        "PutItem",
        json!({"TableName": "sized", "Item": {"pk": {"S": "x"}}}),
    );
    let d = w.ok("DescribeTable", json!({"TableName": "sized"}));
    assert_eq!(d["Table"]["ItemCount"], 2);
    assert_eq!(d["Table"]["TableSizeBytes"], 9 + 3);
}

#[test]
fn put_item_rejects_what_aws_rejects() {
    let mut w = world();
    w.table("tab1", Some("S"));
    let put = |item: Value| json!({"TableName": "tab1", "Item": item});
    let big = "x".repeat(400 * 1024);
    let cases: Vec<(Value, Answer)> = vec![
        (
            put(json!({"sk": {"S": "1"}})),
            validation("One or more parameter values were invalid: Missing the key pk in the item"),
        ),
        (
            put(json!({"pk": {"S": "1"}})),
            validation("One or more parameter values were invalid: Missing the key sk in the item"),
        ),
        (
            put(json!({"pk": {"N": "1"}, "sk": {"S": "1"}})),
            validation(
                "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
            ),
        ),
        (
            put(json!({"pk": {"S": ""}, "sk": {"S": "1"}})),
            validation(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
            ),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "n": {"N": "b"}})),
            validation("The parameter cannot be converted to a numeric value: b"),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "n": {"N": ""}})),
            validation("The parameter cannot be converted to a numeric value"),
        ),
        (
            put(
                json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "n": {"N": "123456789012345678901234567890123456789"}}),
            ),
            validation("Attempting to store more than 38 significant digits in a Number"),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "n": {"N": "1e126"}})),
            validation(
                "Number overflow. Attempting to store a number with magnitude larger than supported range",
            ),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "n": {"N": "1e-131"}})),
            validation(
                "Number underflow. Attempting to store a number with magnitude smaller than supported range",
            ),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "a": {}})),
            validation(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
            ),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "a": {"S": "x", "BOOL": true}})),
            validation(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
            ),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "a": {"NULL": false}})),
            validation(
                "One or more parameter values were invalid: Null attribute value types must have the value of true",
            ),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "a": {"SS": []}})),
            validation(
                "1 validation error detected: One or more parameter values were invalid: An string set  may not be empty",
            ),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "a": {"SS": ["a", "a"]}})),
            validation(
                "1 validation error detected: One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
            ),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "a": {"NS": ["1", "1.0"]}})),
            validation("1 validation error detected: Input collection contains duplicates"),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "a": {"M": {"b": {"L": [{}]}}}})),
            validation(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
            ),
        ),
        (
            put(json!({"pk": {"S": "1"}, "sk": {"S": "1"}, "big": {"S": big}})),
            validation("Item size has exceeded the maximum allowed size"),
        ),
        (
            put(json!({"pk": {"S": "x".repeat(2049)}, "sk": {"S": "1"}})),
            validation(
                "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
            ),
        ),
        (
            json!({"TableName": "nope", "Item": {"pk": {"S": "1"}}}),
            err("ResourceNotFoundException", "Requested resource not found"),
        ),
        (
            json!({"TableName": "tab1"}),
            validation(
                "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null",
            ),
        ),
        (
            json!({"TableName": "t;1", "Item": {}, "ReturnValues": "SOME"}),
            validation(
                "2 validation errors detected: Value 't;1' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'SOME' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
            ),
        ),
        (
            json!({"TableName": "tab1", "Item": {"pk": {"S": "1"}, "sk": {"S": "1"}}, "ReturnValues": "ALL_NEW"}),
            validation("Return values set to invalid value"),
        ),
        (
            json!({"TableName": "tab1", "Item": {"pk": {"S": "1"}, "sk": {"S": "1"}}, "ExpressionAttributeNames": {"#a": "a"}}),
            validation("ExpressionAttributeNames can only be specified when using expressions"),
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(w.call("PutItem", input.clone()), expected, "{input}");
    }
    let d = w.ok("DescribeTable", json!({"TableName": "tab1"}));
    assert_eq!(d["Table"]["ItemCount"], 0);
}

#[test]
fn key_parameters_must_match_the_schema() {
    let mut w = world();
    w.table("tab2", Some("N"));
    let mismatch = validation("The provided key element does not match the schema");
    for key in [
        json!({}),
        json!({"pk": {"S": "a"}}),
        json!({"pk": {"S": "a"}, "sk": {"S": "1"}}),
        json!({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "1"}}),
        json!({"pk": {"S": "a"}, "other": {"N": "1"}}),
    ] {
        assert_eq!(
            w.call("GetItem", json!({"TableName": "tab2", "Key": key})),
            mismatch,
            "{key}"
        );
        assert_eq!(
            w.call("DeleteItem", json!({"TableName": "tab2", "Key": key})),
            mismatch,
            "{key}"
        );
    }
    assert_eq!(
        w.call(
            "GetItem",
            json!({"TableName": "tab2", "Key": {"pk": {"S": ""}, "sk": {"N": "1"}}})
        ),
        validation(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
        )
    );
    assert_eq!(
        w.call(
            "GetItem",
            json!({"TableName": "tab2", "Key": {"pk": {"S": "a"}, "sk": {"N": "x"}}})
        ),
        validation("The parameter cannot be converted to a numeric value: x")
    );
    // Set errors are bare outside PutItem.
    assert_eq!(
        w.call(
            "GetItem",
            json!({"TableName": "tab2", "Key": {"pk": {"SS": []}}})
        ),
        validation("One or more parameter values were invalid: An string set  may not be empty")
    );
    assert_eq!(
        w.call("GetItem", json!({"TableName": "missing", "Key": {}})),
        err("ResourceNotFoundException", "Requested resource not found")
    );
    assert_eq!(
        w.call(
            "GetItem",
            json!({"TableName": "tab2", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "ProjectionExpression": "a, #b"})
        ),
        validation("Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #b")
    );
    assert_eq!(
        w.call(
            "GetItem",
            json!({"TableName": "tab2", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "ProjectionExpression": "a", "ExpressionAttributeNames": {"#a": "a", "#b": "b"}})
        ),
        validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}")
    );
    assert_eq!(
        w.call(
            "GetItem",
            json!({"TableName": "tab2", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "ProjectionExpression": "a, name"})
        ),
        validation("Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name")
    );
    assert_eq!(
        w.call(
            "GetItem",
            json!({"TableName": "tab2", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}, "ProjectionExpression": "a", "AttributesToGet": ["a"]})
        ),
        validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
    );
}

/// Hash keys hold at most 2048 bytes and range keys 1024 on every path that takes a key,
/// UpdateItem's included (moto's test_update_item_with_long_string_hash_key_exception,
/// AWS-verified, and its range key twin). A key at the limit is fine.
#[test]
fn key_sizes_are_limited_on_every_key_parameter() {
    let mut w = world();
    w.table("tab3", Some("S"));
    let hash_error = validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes");
    let range_error = validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    let key =
        |pk: usize, sk: usize| json!({"pk": {"S": "x".repeat(pk)}, "sk": {"S": "y".repeat(sk)}});
    let update = |key: Value| {
        json!({"TableName": "tab3", "Key": key, "UpdateExpression": "SET body = :v",
               "ExpressionAttributeValues": {":v": {"S": "hello"}}})
    };
    w.ok("UpdateItem", update(key(2048, 1024)));
    assert_eq!(w.call("UpdateItem", update(key(2049, 1))), hash_error);
    assert_eq!(w.call("UpdateItem", update(key(1, 1025))), range_error);
    for op in ["GetItem", "DeleteItem"] {
        let input = |key: Value| json!({"TableName": "tab3", "Key": key});
        assert_eq!(w.call(op, input(key(2049, 1))), hash_error, "{op}");
        assert_eq!(w.call(op, input(key(1, 1025))), range_error, "{op}");
    }
    // The item written at the limits is intact.
    let got = w.ok(
        "GetItem",
        json!({"TableName": "tab3", "Key": key(2048, 1024)}),
    );
    assert_eq!(got["Item"]["body"], json!({"S": "hello"}));
}

#[test]
fn attribute_names_longer_than_65535_bytes_are_refused_wherever_they_are_written() {
    let mut w = world();
    w.table("names", None);
    let longest = "n".repeat(65535);
    let too_long = "n".repeat(65536);
    let key = json!({"pk": {"S": "a"}});
    // 65535 bytes is the last size allowed, at the top level and as a map key.
    let mut item = json!({"pk": {"S": "a"}, "doc": {"M": {&longest: {"N": "1"}}}});
    item[&longest] = json!({"N": "1"});
    w.ok("PutItem", json!({"TableName": "names", "Item": item}));
    let got = w.ok(
        "GetItem",
        json!({"TableName": "names", "Key": key, "ProjectionExpression": "#n",
               "ExpressionAttributeNames": {"#n": longest}}),
    );
    assert_eq!(got["Item"][&longest], json!({"N": "1"}));

    let too_large = validation(
        "1 validation error detected: Attribute name is too large, must be less than 65536 bytes",
    );
    let mut top_level = json!({"pk": {"S": "a"}});
    top_level[&too_long] = json!({"N": "1"});
    let nested = json!({"pk": {"S": "a"}, "doc": {"M": {&too_long: {"N": "1"}}}});
    let mut legacy_update = json!({});
    legacy_update[&too_long] = json!({"Value": {"N": "2"}, "Action": "PUT"});
    let requests = [
        ("PutItem", json!({"TableName": "names", "Item": top_level})),
        ("PutItem", json!({"TableName": "names", "Item": nested})),
        (
            "GetItem",
            json!({"TableName": "names", "Key": key, "ProjectionExpression": "#n",
                   "ExpressionAttributeNames": {"#n": too_long}}),
        ),
        (
            "GetItem",
            json!({"TableName": "names", "Key": key, "AttributesToGet": [too_long]}),
        ),
        (
            "UpdateItem",
            json!({"TableName": "names", "Key": key, "AttributeUpdates": legacy_update}),
        ),
        (
            "UpdateItem",
            json!({"TableName": "names", "Key": key, "UpdateExpression": "SET #n = :v",
                   "ExpressionAttributeNames": {"#n": too_long},
                   "ExpressionAttributeValues": {":v": {"N": "1"}}}),
        ),
        // A map value whose key is too long: the same answer, not ExpressionAttributeValues'.
        (
            "UpdateItem",
            json!({"TableName": "names", "Key": key, "UpdateExpression": "SET doc = :v",
                   "ExpressionAttributeValues": {":v": {"M": {&too_long: {"N": "1"}}}}}),
        ),
        (
            "UpdateItem",
            json!({"TableName": "names", "Key": key, "UpdateExpression": "SET a = :v",
                   "ConditionExpression": "#n = :v",
                   "ExpressionAttributeNames": {"#n": too_long},
                   "ExpressionAttributeValues": {":v": {"N": "1"}}}),
        ),
    ];
    for (op, input) in requests {
        assert_eq!(w.call(op, input.clone()), too_large, "{op}");
    }
}

#[test]
fn conditional_writes() {
    let mut w = world();
    w.table("locks", None);
    let create_once = json!({"TableName": "locks", "Item": {"pk": {"S": "job"}, "owner": {"S": "a"}},
                             "ConditionExpression": "attribute_not_exists(#k)",
                             "ExpressionAttributeNames": {"#k": "pk"}});
    w.ok("PutItem", create_once.clone());
    let failed = err(
        "ConditionalCheckFailedException",
        "The conditional request failed",
    );
    assert_eq!(w.call("PutItem", create_once), failed);

    // The failing caller can ask for the item that made the condition fail.
    let outcome = w.emulator.call(
        &caller(ACCOUNT),
        "dynamodb",
        "DeleteItem",
        json!({"TableName": "locks", "Key": {"pk": {"S": "job"}},
               "ConditionExpression": "attribute_not_exists(#o)",
               "ExpressionAttributeNames": {"#o": "owner"},
               "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    );
    let error = outcome.result.unwrap_err();
    assert_eq!(error.code, "ConditionalCheckFailedException");
    assert_eq!(
        error.fields["Item"],
        json!({"pk": {"S": "job"}, "owner": {"S": "a"}})
    );
    assert!(outcome.changes.is_empty());

    assert_eq!(
        w.call(
            "DeleteItem",
            json!({"TableName": "locks", "Key": {"pk": {"S": "gone"}}, "ConditionExpression": "attribute_exists(pk)"})
        ),
        failed
    );
    w.ok(
        "PutItem",
        json!({"TableName": "locks", "Item": {"pk": {"S": "doc"}, "m": {"M": {"l": {"L": [{"S": "x"}]}}}},
               "ConditionExpression": "attribute_not_exists(m.l[0])"}),
    );
    assert_eq!(
        w.call(
            "PutItem",
            json!({"TableName": "locks", "Item": {"pk": {"S": "doc"}},
                   "ConditionExpression": "attribute_not_exists(m.l[0])"})
        ),
        failed
    );
    w.ok(
        "DeleteItem",
        json!({"TableName": "locks", "Key": {"pk": {"S": "job"}}, "ConditionExpression": "attribute_exists(pk)"}),
    );
    assert_eq!(
        w.call(
            "PutItem",
            json!({"TableName": "locks", "Item": {"pk": {"S": "x"}}, "ConditionExpression": "attribute_exists(pk)",
                   "ExpressionAttributeValues": {":v": {"S": "1"}}})
        ),
        validation("1 validation error detected: Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}")
    );
    assert_eq!(
        w.call(
            "PutItem",
            json!({"TableName": "locks", "Item": {"pk": {"S": "x"}}, "ConditionExpression": "attribute_exists(pk)",
                   "ExpressionAttributeValues": {":v": {"N": "x1"}}})
        ),
        validation("ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: x1 for key :v")
    );
    // AWS's reserved words need a placeholder.
    assert_eq!(
        w.call(
            "DeleteItem",
            json!({"TableName": "locks", "Key": {"pk": {"S": "x"}}, "ConditionExpression": "attribute_exists(Owner)"})
        ),
        validation("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Owner")
    );
    // Comparisons read the stored item; a new key has no attributes to compare.
    assert_eq!(
        w.call(
            "PutItem",
            json!({"TableName": "locks", "Item": {"pk": {"S": "x"}}, "ConditionExpression": "#o = :o",
                   "ExpressionAttributeNames": {"#o": "owner"},
                   "ExpressionAttributeValues": {":o": {"S": "a"}}}),
        ),
        failed
    );
}

#[test]
fn delete_table_drops_its_items() {
    let mut w = world();
    w.table("gone", None);
    w.table("gone2", None);
    for table in ["gone", "gone2"] {
        w.ok(
            "PutItem",
            json!({"TableName": table, "Item": {"pk": {"S": "a"}}}),
        );
    }
    let out = w.ok("DeleteTable", json!({"TableName": "gone"}));
    assert_eq!(out["TableDescription"]["TableStatus"], "DELETING");
    assert_eq!(out["TableDescription"]["ItemCount"], 1);
    // The answer leaves out the table's shape (the DeleteTable reference's example).
    for shape in ["KeySchema", "AttributeDefinitions", "CreationDateTime"] {
        assert!(out["TableDescription"].get(shape).is_none(), "{shape}");
    }
    assert_eq!(
        w.call("DescribeTable", json!({"TableName": "gone"}))
            .unwrap_err()
            .0,
        "ResourceNotFoundException"
    );
    w.table("gone", None);
    assert_eq!(
        w.ok(
            "GetItem",
            json!({"TableName": "gone", "Key": {"pk": {"S": "a"}}})
        ),
        json!({})
    );
    // The stored records agree: the neighbour keeps its item, the old one has none.
    let records = w.records();
    let items: Vec<&String> = records
        .iter()
        .map(|(k, _)| k)
        .filter(|k| k.contains("/item/"))
        .collect();
    assert_eq!(items.len(), 1);
    assert!(items[0].starts_with(&format!("dynamodb/{ACCOUNT}/{REGION}/table/gone2/item/")));
}

#[test]
fn deletion_protection_keeps_a_table() {
    let mut w = world();
    w.ok(
        "CreateTable",
        json!({"TableName": "kept", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
               "BillingMode": "PAY_PER_REQUEST", "DeletionProtectionEnabled": true}),
    );
    assert_eq!(
        w.call("DeleteTable", json!({"TableName": "kept"})),
        validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."
        )
    );
}

/// A world with two tables and a few items, some overwritten and deleted.
fn busy_world() -> World {
    let mut w = world();
    w.table("events", Some("N"));
    w.table("users", None);
    for (pk, sk) in [("a", "10"), ("a", "-2"), ("b", "3"), ("a", "1.5")] {
        w.ok(
            "PutItem",
            json!({"TableName": "events", "Item": {"pk": {"S": pk}, "sk": {"N": sk}, "v": {"S": "first"}}}),
        );
    }
    w.ok(
        "PutItem",
        json!({"TableName": "events", "Item": {"pk": {"S": "a"}, "sk": {"N": "10"}, "v": {"S": "second"}}}),
    );
    w.ok(
        "DeleteItem",
        json!({"TableName": "events", "Key": {"pk": {"S": "b"}, "sk": {"N": "3"}}}),
    );
    w.ok(
        "PutItem",
        json!({"TableName": "users", "Item": {"pk": {"S": "u"}, "bin": {"B": "AP8="}}}),
    );
    w.clock.advance(1000);
    w
}

#[test]
fn restore_rebuilds_tables_and_items_from_records() {
    let w = busy_world();
    let mut state = restore_state!(dynamodb, w.records());
    let caller = caller(ACCOUNT);
    let mut call = |op: &str, input: Value| {
        with_ctx(&caller, T0, 99, |ctx| {
            let mut handler = dynamodb::Handler {
                state: &mut state,
                ctx,
            };
            nimbus_shapes::dynamodb::dispatch(&mut handler, op, input).unwrap()
        })
        .0
    };
    assert_eq!(
        call("ListTables", json!({}))["TableNames"],
        json!(["events", "users"])
    );
    let described = call("DescribeTable", json!({"TableName": "events"}));
    assert_eq!(described["Table"]["ItemCount"], 3);
    assert_eq!(
        described["Table"]["CreationDateTime"],
        json!(1_700_000_000.0)
    );
    let got = call(
        "GetItem",
        json!({"TableName": "events", "Key": {"pk": {"S": "a"}, "sk": {"N": "10"}}}),
    );
    assert_eq!(got["Item"]["v"], json!({"S": "second"}));
    let gone = call(
        "GetItem",
        json!({"TableName": "events", "Key": {"pk": {"S": "b"}, "sk": {"N": "3"}}}),
    );
    assert_eq!(gone, json!({}));
    let bin = call(
        "GetItem",
        json!({"TableName": "users", "Key": {"pk": {"S": "u"}}}),
    );
    assert_eq!(bin["Item"]["bin"], json!({"B": "AP8="}));
}

#[test]
fn emulator_restores_tables_and_items() {
    let w = busy_world();
    let mut fresh = w.restart();
    let got = fresh.ok(
        "GetItem",
        json!({"TableName": "events", "Key": {"pk": {"S": "a"}, "sk": {"N": "1.5"}}}),
    );
    assert_eq!(got["Item"]["v"], json!({"S": "first"}));
}

#[test]
fn records_sort_a_partition_by_sort_key() {
    let w = busy_world();
    let records = w.records();
    let sort_keys: Vec<String> = records
        .iter()
        .filter(|(k, _)| k.contains("/table/events/item/"))
        .map(|(_, v)| {
            let item: Value = serde_json::from_slice(v).unwrap();
            format!(
                "{}:{}",
                item["pk"]["S"].as_str().unwrap(),
                item["sk"]["N"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(sort_keys, ["a:-2", "a:1.5", "a:10"]);
}

#[test]
fn failed_calls_change_nothing() {
    let mut w = world();
    w.table("tab3", None);
    let before = w.records();
    for (op, input) in [
        (
            "PutItem",
            json!({"TableName": "tab3", "Item": {"pk": {"N": "1"}}}),
        ),
        (
            "PutItem",
            json!({"TableName": "tab3", "Item": {"pk": {"S": "1"}, "n": {"N": "x"}}}),
        ),
        (
            "DeleteItem",
            json!({"TableName": "tab3", "Key": {"nope": {"S": "1"}}}),
        ),
        ("DeleteTable", json!({"TableName": "missing"})),
        (
            "CreateTable",
            json!({"TableName": "tab3", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}),
        ),
    ] {
        let outcome = w.emulator.call(&caller(ACCOUNT), "dynamodb", op, input);
        assert!(outcome.result.is_err(), "{op}");
        assert!(outcome.changes.is_empty(), "{op}");
    }
    assert_eq!(w.records(), before);
    assert_eq!(
        w.ok("DescribeTable", json!({"TableName": "tab3"}))["Table"]["ItemCount"],
        0
    );
}

// A TableClass outside the enum, in any case, is DynamoDB's own refusal, not the model's
// (ScyllaDB's Alternator tests and ack-api-quirks, both against DynamoDB); nothing is created.
#[test]
fn create_table_refuses_an_unknown_table_class() {
    let mut w = world();
    for class in ["standard", "invalid_tableclass_name"] {
        let mut input = table_input("classy", None);
        input["TableClass"] = json!(class);
        assert_eq!(
            w.call("CreateTable", input),
            validation("Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].")
        );
    }
    assert!(w
        .call("DescribeTable", json!({"TableName": "classy"}))
        .is_err());
}

#[test]
fn create_table_attaches_its_resource_policy() {
    let mut w = world();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"dynamodb:GetItem","Resource":"*"}]}"#;
    let mut input = table_input("withpolicy", None);
    input["ResourcePolicy"] = json!(policy);
    let arn = w.ok("CreateTable", input)["TableDescription"]["TableArn"].clone();
    let got = w.ok("GetResourcePolicy", json!({"ResourceArn": arn}));
    assert_eq!(got["Policy"], json!(policy));
    assert!(got["RevisionId"].is_string());
    // The policy outlives a restart with its table.
    let mut w = w.restart();
    let again = w.ok("GetResourcePolicy", json!({"ResourceArn": arn}));
    assert_eq!(again, got);

    // A document that is no JSON object refuses the table: nothing is created.
    let mut input = table_input("badpolicy", None);
    input["ResourcePolicy"] = json!("not json");
    assert!(w.call("CreateTable", input).is_err());
    assert_eq!(
        w.call("DescribeTable", json!({"TableName": "badpolicy"}))
            .unwrap_err()
            .0,
        "ResourceNotFoundException"
    );
}

#[test]
fn sse_description_names_the_kms_key_as_an_arn() {
    let mut w = world();
    let key_arn = |w: &mut World, name: &str, key: Option<&str>| {
        let mut input = table_input(name, None);
        input["SSESpecification"] = json!({"Enabled": true, "SSEType": "KMS"});
        if let Some(key) = key {
            input["SSESpecification"]["KMSMasterKeyId"] = json!(key);
        }
        w.ok("CreateTable", input)["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"].clone()
    };
    assert_eq!(
        key_arn(
            &mut w,
            "by-id",
            Some("1234abcd-12ab-34cd-56ef-1234567890ab")
        ),
        "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    );
    assert_eq!(
        key_arn(&mut w, "by-alias", Some("alias/orders")),
        "arn:aws:kms:us-east-1:000000000000:alias/orders"
    );
    let arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    assert_eq!(key_arn(&mut w, "by-arn", Some(arn)), arn);
    assert_eq!(
        key_arn(&mut w, "managed", None),
        "arn:aws:kms:us-east-1:000000000000:key/aws/dynamodb"
    );
}

#[test]
fn sse_specifications_are_checked_and_updated_as_dynamodb_does() {
    let mut w = world();
    let create = |w: &mut World, name: &str, sse: Value| {
        let mut input = table_input(name, None);
        input["SSESpecification"] = sse;
        w.call("CreateTable", input)
    };
    for (sse, answer) in [
        (
            json!({"Enabled": false, "SSEType": "KMS"}),
            invalid("SSEType can not be specified if Enabled is false"),
        ),
        (
            json!({"Enabled": false, "KMSMasterKeyId": "alias/k"}),
            invalid("KMSMasterKeyId can not be specified if Enabled is false"),
        ),
        (
            json!({"Enabled": true, "SSEType": "AES256"}),
            invalid("SSEType AES256 is not supported"),
        ),
        (
            json!({"Enabled": true, "KMSMasterKeyId": "alias/aws/dynamodb"}),
            invalid("SSEType KMS is required if KMSMasterKeyId is specified"),
        ),
        (
            json!({"Enabled": true, "SSEType": "kms"}),
            validation("1 validation error detected: Value 'kms' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]"),
        ),
    ] {
        assert_eq!(create(&mut w, "refused", sse.clone()), answer, "{sse}");
    }
    // SSEType KMS without Enabled encrypts with the AWS managed key.
    let out = create(&mut w, "implied", json!({"SSEType": "KMS"})).unwrap();
    assert_eq!(
        out["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"],
        "arn:aws:kms:us-east-1:000000000000:key/aws/dynamodb"
    );

    // A table encrypted by default: disabling is refused, enabling moves it to KMS.
    w.table("plain", None);
    let update = |w: &mut World, sse: Value| {
        w.call(
            "UpdateTable",
            json!({"TableName": "plain", "SSESpecification": sse}),
        )
    };
    let by_default = invalid("Table is already encrypted by default");
    assert_eq!(update(&mut w, json!({"Enabled": false})), by_default);
    assert_eq!(update(&mut w, json!({})), by_default);
    let key = "arn:aws:kms:us-east-1:000000000000:key/aws/dynamodb";
    let out = update(&mut w, json!({"Enabled": true})).unwrap();
    assert_eq!(
        out["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"],
        key
    );
    assert_eq!(
        update(&mut w, json!({"Enabled": true, "SSEType": "KMS", "KMSMasterKeyId": key})),
        invalid("Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key")
    );
    // Disabling returns it to DynamoDB's own key: no SSEDescription.
    update(&mut w, json!({"Enabled": false})).unwrap();
    let table = w.ok("DescribeTable", json!({"TableName": "plain"}));
    assert!(table["Table"].get("SSEDescription").is_none(), "{table}");
}

#[test]
fn on_demand_maximums_are_checked_as_dynamodb_checks_them() {
    let mut w = world();
    let create = |w: &mut World, odt: Value, provisioned: bool| {
        let mut input = table_input("capped", None);
        input["OnDemandThroughput"] = odt;
        if provisioned {
            input["BillingMode"] = json!("PROVISIONED");
            input["ProvisionedThroughput"] =
                json!({"ReadCapacityUnits": 1, "WriteCapacityUnits": 1});
        }
        w.call("CreateTable", input)
    };
    for units in [0, -1, -2] {
        assert_eq!(
            create(&mut w, json!({"MaxReadRequestUnits": units, "MaxWriteRequestUnits": units}), false),
            invalid("Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range"),
            "{units}"
        );
    }
    assert_eq!(
        create(&mut w, json!({"MaxReadRequestUnits": 10}), true),
        invalid("MaxReadRequestUnits for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED.")
    );
    assert_eq!(
        create(&mut w, json!({"MaxWriteRequestUnits": 40001}), false),
        err("LimitExceededException", "Subscriber limit exceeded: Requested MaxWriteRequestUnits for OnDemandThroughput for table exceeds TableMaxWriteCapacityUnits of the account in region us-east-1")
    );
    create(
        &mut w,
        json!({"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": 100}),
        false,
    )
    .unwrap();
    let update = |w: &mut World, extra: Value| {
        w.call("UpdateTable", with(json!({"TableName": "capped"}), extra))
    };
    // UpdateTable takes -1 (no maximum), not 0 or -2.
    assert_eq!(
        update(&mut w, json!({"OnDemandThroughput": {"MaxWriteRequestUnits": 0}})),
        invalid("Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range")
    );
    update(
        &mut w,
        json!({"OnDemandThroughput": {"MaxWriteRequestUnits": -1}}),
    )
    .unwrap();
    // Switching to provisioned drops the maximums; a provisioned table takes none.
    let out = update(
        &mut w,
        json!({"BillingMode": "PROVISIONED",
               "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
    )
    .unwrap();
    assert!(
        out["TableDescription"].get("OnDemandThroughput").is_none(),
        "{out}"
    );
    assert_eq!(
        update(&mut w, json!({"OnDemandThroughput": {"MaxReadRequestUnits": 100}})),
        invalid("MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED")
    );
}

#[test]
fn on_demand_maximums_round_trip_and_update_one_at_a_time() {
    let mut w = world();
    w.ok(
        "CreateTable",
        json!({"TableName": "capped", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
               "BillingMode": "PAY_PER_REQUEST",
               "OnDemandThroughput": {"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": 5}}),
    );
    let described = w.ok("DescribeTable", json!({"TableName": "capped"}));
    assert_eq!(
        described["Table"]["OnDemandThroughput"],
        json!({"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": 5})
    );
    let updated = w.ok(
        "UpdateTable",
        json!({"TableName": "capped", "OnDemandThroughput": {"MaxReadRequestUnits": 20}}),
    );
    assert_eq!(
        updated["TableDescription"]["OnDemandThroughput"],
        json!({"MaxReadRequestUnits": 20, "MaxWriteRequestUnits": 5})
    );
}

#[test]
fn an_item_call_refuses_a_table_name_shorter_than_3_or_longer_than_255() {
    let mut w = world();
    let name = "a".repeat(256);
    assert_eq!(
        w.call("PutItem", json!({"TableName": name, "Item": {"pk": {"S": "k"}}})),
        validation(&format!("1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255"))
    );
    assert_eq!(
        w.call("PutItem", json!({"TableName": "xx", "Item": {"pk": {"S": "k"}}})),
        validation("1 validation error detected: Value 'xx' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3")
    );
}

#[test]
fn a_negative_number_counts_one_byte_more_toward_the_item_size() {
    let mut w = world();
    w.table("sized", Some("S"));
    // pk, sk and n with two digits, "big" and its string: 409,600 bytes with n = 42.
    let put = |n: &str| {
        json!({"TableName": "sized", "Item": {"pk": {"S": "1"}, "sk": {"S": "1"}, "n": {"N": n},
               "big": {"S": "x".repeat(409_600 - 12)}}})
    };
    w.ok("PutItem", put("42"));
    assert_eq!(
        w.call("PutItem", put("-42")),
        validation("Item size has exceeded the maximum allowed size")
    );
}

/// UpdateItem's refusals and acceptances at the size limit, as nubo-db's conformance suite
/// measured them against DynamoDB: the key ("pk" with a one-letter value, 3 bytes) and the
/// attributes an update leaves alone are out of what it is measured on; each SET costs 19
/// bytes, each REMOVE 2, the update 3.
#[test]
fn update_item_measures_what_the_update_writes() {
    let mut w = world();
    w.table("sized", None);
    let pad = |bytes: usize| json!({"S": "x".repeat(bytes)});
    let update = |w: &mut World, key: &str, expression: &str, values: Value| {
        w.call(
            "UpdateItem",
            json!({"TableName": "sized", "Key": {"pk": {"S": key}},
                   "UpdateExpression": expression, "ExpressionAttributeValues": values}),
        )
    };
    let too_big = validation("Item size to update has exceeded the maximum allowed size");
    // One SET of b: 1 + padding + 3 + 19 must fit, so the finished item stops 19 bytes short.
    let ceiling = 409_600 - 23;
    assert!(update(&mut w, "A", "SET b = :p", json!({":p": pad(ceiling)})).is_ok());
    assert_eq!(
        update(&mut w, "B", "SET b = :p", json!({":p": pad(ceiling + 1)})),
        too_big
    );
    // An attribute the update leaves alone is out of the figure too ("u" and ten: 11), so
    // the same update fits with a finished item 11 bytes bigger.
    for key in ["C", "D"] {
        w.ok(
            "PutItem",
            json!({"TableName": "sized", "Item": {"pk": {"S": key}, "u": {"S": "y".repeat(10)}}}),
        );
    }
    assert!(update(&mut w, "C", "SET b = :p", json!({":p": pad(ceiling)})).is_ok());
    assert_eq!(
        update(&mut w, "D", "SET b = :p", json!({":p": pad(ceiling + 1)})),
        too_big
    );
    // A second SET costs 19 more, besides what it writes ("c" and "y": 2).
    let values = |bytes| json!({":p": pad(bytes), ":c": {"S": "y"}});
    assert!(update(&mut w, "E", "SET b = :p, c = :c", values(ceiling - 21)).is_ok());
    assert_eq!(
        update(&mut w, "J", "SET b = :p, c = :c", values(ceiling - 20)),
        too_big
    );
    // A REMOVE costs 2.
    for key in ["F", "G"] {
        w.ok(
            "PutItem",
            json!({"TableName": "sized", "Item": {"pk": {"S": key}, "r": {"S": "z"}}}),
        );
    }
    assert!(update(
        &mut w,
        "F",
        "SET b = :p REMOVE r",
        json!({":p": pad(ceiling - 2)})
    )
    .is_ok());
    assert_eq!(
        update(
            &mut w,
            "G",
            "SET b = :p REMOVE r",
            json!({":p": pad(ceiling - 1)})
        ),
        too_big
    );
    // A SET through a list index costs 20: "d" and a one-element list (3 + 1 + the string).
    for key in ["K", "L"] {
        w.ok(
            "PutItem",
            json!({"TableName": "sized", "Item": {"pk": {"S": key}, "d": {"L": [{"S": "z"}]}}}),
        );
    }
    assert!(update(
        &mut w,
        "K",
        "SET d[0] = :p",
        json!({":p": pad(409_600 - 28)})
    )
    .is_ok());
    assert_eq!(
        update(
            &mut w,
            "L",
            "SET d[0] = :p",
            json!({":p": pad(409_600 - 27)})
        ),
        too_big
    );

    // A finished item of exactly 409,600 bytes: UpdateItem refuses it at this key, while a
    // transaction's Update and PartiQL's UPDATE, measuring the finished item alone, write it.
    let full = 409_600 - 4;
    assert_eq!(
        update(&mut w, "H", "SET b = :p", json!({":p": pad(full)})),
        too_big
    );
    w.ok(
        "TransactWriteItems",
        json!({"TransactItems": [{"Update": {"TableName": "sized", "Key": {"pk": {"S": "H"}},
               "UpdateExpression": "SET b = :p", "ExpressionAttributeValues": {":p": pad(full)}}}]}),
    );
    w.ok(
        "PutItem",
        json!({"TableName": "sized", "Item": {"pk": {"S": "I"}}}),
    );
    w.ok(
        "ExecuteStatement",
        json!({"Statement": "UPDATE \"sized\" SET b = ? WHERE pk = 'I'", "Parameters": [pad(full)]}),
    );
    for key in ["H", "I"] {
        let got = w.ok(
            "GetItem",
            json!({"TableName": "sized", "Key": {"pk": {"S": key}}}),
        );
        assert_eq!(got["Item"]["b"]["S"].as_str().map(str::len), Some(full));
    }
}
