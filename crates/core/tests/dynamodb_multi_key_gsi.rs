//! GSIs with multi-attribute keys (AWS, November 2025): up to four partition and four sort
//! key attributes, in order.

mod common;

use common::{table_input, ACCOUNT};
use serde_json::{json, Value};

type World = common::World<(String, String)>;

const TABLE: &str = "Orders";

fn key(name: &str, kind: &str) -> Value {
    json!({"AttributeName": name, "KeyType": kind})
}

/// A table keyed by `pk` with the GSI `by_customer`: partition key (area S, customer S),
/// sort key (phase S, amount N).
fn world() -> World {
    let mut w = World::new("dynamodb", ACCOUNT);
    let mut input = table_input(TABLE, None);
    let defs = input["AttributeDefinitions"].as_array_mut().unwrap();
    for (name, kind) in [
        ("area", "S"),
        ("customer", "S"),
        ("phase", "S"),
        ("amount", "N"),
    ] {
        defs.push(json!({"AttributeName": name, "AttributeType": kind}));
    }
    input["GlobalSecondaryIndexes"] = json!([{
        "IndexName": "by_customer",
        "KeySchema": [key("area", "HASH"), key("customer", "HASH"),
                      key("phase", "RANGE"), key("amount", "RANGE")],
        "Projection": {"ProjectionType": "KEYS_ONLY"},
    }]);
    w.ok("CreateTable", input);
    for (pk, area, customer, phase, amount) in [
        ("1", "eu", "ann", "open", "100"),
        ("2", "eu", "ann", "open", "20"),
        ("3", "eu", "ann", "open", "300"),
        ("4", "eu", "ann", "shipped", "50"),
        ("5", "eu", "bob", "open", "10"),
        ("6", "us", "ann", "open", "10"),
    ] {
        put(
            &mut w,
            json!({"pk": {"S": pk}, "area": {"S": area}, "customer": {"S": customer},
                   "phase": {"S": phase}, "amount": {"N": amount}, "note": {"S": "x"}}),
        );
    }
    w
}

fn put(w: &mut World, item: Value) {
    w.ok("PutItem", json!({"TableName": TABLE, "Item": item}));
}

fn query(w: &mut World, condition: &str, values: Value) -> Result<Value, (String, String)> {
    w.call(
        "Query",
        json!({"TableName": TABLE, "IndexName": "by_customer",
               "KeyConditionExpression": condition, "ExpressionAttributeValues": values}),
    )
}

fn pks(out: &Value) -> Vec<String> {
    out["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["pk"]["S"].as_str().unwrap().to_string())
        .collect()
}

fn ann_in_eu() -> Value {
    json!({":r": {"S": "eu"}, ":c": {"S": "ann"}})
}

#[test]
fn describe_table_echoes_the_key_schema() {
    let mut w = world();
    let table = &w.ok("DescribeTable", json!({"TableName": TABLE}))["Table"];
    assert_eq!(
        table["GlobalSecondaryIndexes"][0]["KeySchema"],
        json!([
            key("area", "HASH"),
            key("customer", "HASH"),
            key("phase", "RANGE"),
            key("amount", "RANGE")
        ])
    );
    assert_eq!(table["GlobalSecondaryIndexes"][0]["ItemCount"], 6);
}

#[test]
fn a_partition_is_every_partition_key_attribute_ordered_by_the_sort_attributes() {
    let mut w = world();
    let out = query(&mut w, "area = :r AND customer = :c", ann_in_eu()).unwrap();
    // phase first, then amount as a number (20 before 100).
    assert_eq!(pks(&out), ["2", "1", "3", "4"]);
    let backwards = w.ok(
        "Query",
        json!({"TableName": TABLE, "IndexName": "by_customer", "ScanIndexForward": false,
               "KeyConditionExpression": "customer = :c AND area = :r",
               "ExpressionAttributeValues": ann_in_eu()}),
    );
    assert_eq!(pks(&backwards), ["4", "3", "1", "2"]);
    // KEYS_ONLY: the table's and the index's keys.
    assert_eq!(out["Items"][0].as_object().unwrap().len(), 5);
}

#[test]
fn sort_attributes_take_equality_then_one_range_condition() {
    let mut w = world();
    let mut values = ann_in_eu();
    values[":s"] = json!({"S": "open"});
    values[":t"] = json!({"N": "50"});
    values[":hi"] = json!({"N": "300"});
    values[":p"] = json!({"S": "sh"});
    let cases = [
        (
            "area = :r AND customer = :c AND phase = :s",
            vec!["2", "1", "3"],
        ),
        ("area = :r AND customer = :c AND phase > :s", vec!["4"]),
        (
            "area = :r AND customer = :c AND begins_with(phase, :p)",
            vec!["4"],
        ),
        (
            "area = :r AND customer = :c AND phase = :s AND amount = :t",
            vec![],
        ),
        (
            "area = :r AND customer = :c AND phase = :s AND amount > :t",
            vec!["1", "3"],
        ),
        (
            "area = :r AND customer = :c AND phase = :s AND amount BETWEEN :t AND :hi",
            vec!["1", "3"],
        ),
        (
            "area = :r AND customer = :c AND phase = :s AND amount <= :t",
            vec!["2"],
        ),
    ];
    for (condition, expected) in cases {
        let mut used = values.clone();
        for name in [":s", ":t", ":hi", ":p"] {
            if !condition.contains(name) {
                used.as_object_mut().unwrap().remove(name);
            }
        }
        let out = w.ok(
            "Query",
            json!({"TableName": TABLE, "IndexName": "by_customer",
                   "KeyConditionExpression": condition,
                   "ExpressionAttributeValues": used}),
        );
        assert_eq!(pks(&out), expected, "{condition}");
    }
}

#[test]
fn key_conditions_read_the_same_way() {
    let mut w = world();
    let out = w.ok(
        "Query",
        json!({"TableName": TABLE, "IndexName": "by_customer", "KeyConditions": {
            "area": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "eu"}]},
            "customer": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "ann"}]},
            "phase": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "open"}]},
            "amount": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "20"}]},
        }}),
    );
    assert_eq!(pks(&out), ["1", "3"]);
    let (code, message) = w.err(
        "Query",
        json!({"TableName": TABLE, "IndexName": "by_customer", "KeyConditions": {
            "area": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "eu"}]},
            "customer": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "ann"}]},
            "amount": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "20"}]},
        }}),
    );
    assert_eq!(code, "ValidationException");
    assert!(message.contains("phase"), "{message}");
}

#[test]
fn conditions_the_key_does_not_allow_are_refused() {
    let mut w = world();
    let refused = |w: &mut World, condition: &str, extra: Value| {
        let mut values = ann_in_eu();
        for (k, v) in extra.as_object().unwrap() {
            values[k] = v.clone();
        }
        let (code, message) = query(w, condition, values).unwrap_err();
        assert_eq!(code, "ValidationException", "{condition}");
        message
    };
    // Every partition key attribute, with equality.
    let message = refused(&mut w, "area = :r", json!({}));
    assert_eq!(
        message,
        "Query condition missed key schema element: customer"
    );
    let message = refused(&mut w, "area = :r AND customer > :c", json!({}));
    assert_eq!(message, "Query key condition not supported");
    // Sort key attributes from the left, equality on all but the last.
    let message = refused(
        &mut w,
        "area = :r AND customer = :c AND amount > :t",
        json!({":t": {"N": "1"}}),
    );
    assert_eq!(message, "RANGE key attributes phase must have equality conditions specified in the query because a condition is present on key attribute amount");
    let message = refused(
        &mut w,
        "area = :r AND customer = :c AND phase > :s AND amount = :t",
        json!({":s": {"S": "a"}, ":t": {"N": "1"}}),
    );
    assert!(message.contains("phase"), "{message}");
    let message = refused(
        &mut w,
        "area = :r AND customer = :c AND amount = :s",
        json!({":s": {"S": "a"}}),
    );
    assert!(message.contains("phase"), "{message}");
    let message = refused(
        &mut w,
        "area = :r AND customer = :c AND phase = :s AND amount = :t",
        json!({":s": {"S": "a"}, ":t": {"S": "1"}}),
    );
    assert_eq!(message, "One or more parameter values were invalid: Condition parameter type does not match schema type");
}

#[test]
fn items_lacking_any_key_attribute_are_not_in_the_index() {
    let mut w = world();
    put(
        &mut w,
        json!({"pk": {"S": "7"}, "area": {"S": "eu"}, "customer": {"S": "ann"},
               "phase": {"S": "open"}}),
    );
    put(
        &mut w,
        json!({"pk": {"S": "8"}, "area": {"S": "eu"}, "phase": {"S": "open"},
               "amount": {"N": "1"}}),
    );
    let out = query(&mut w, "area = :r AND customer = :c", ann_in_eu()).unwrap();
    assert_eq!(pks(&out), ["2", "1", "3", "4"]);
    // A key attribute of the wrong type is refused, as for single-attribute keys.
    let (code, message) = w.err(
        "PutItem",
        json!({"TableName": TABLE, "Item": {"pk": {"S": "9"}, "amount": {"S": "many"}}}),
    );
    assert_eq!(code, "ValidationException");
    assert!(message.contains("IndexName: by_customer"), "{message}");
    // Removing a key attribute takes the item out.
    w.ok(
        "UpdateItem",
        json!({"TableName": TABLE, "Key": {"pk": {"S": "1"}}, "UpdateExpression": "REMOVE amount"}),
    );
    let out = query(&mut w, "area = :r AND customer = :c", ann_in_eu()).unwrap();
    assert_eq!(pks(&out), ["2", "3", "4"]);
}

#[test]
fn pages_end_with_every_key_attribute_and_resume_there() {
    let mut w = world();
    let page = |w: &mut World, start: Option<Value>| {
        let mut input = json!({"TableName": TABLE, "IndexName": "by_customer", "Limit": 3,
               "KeyConditionExpression": "area = :r AND customer = :c",
               "ExpressionAttributeValues": ann_in_eu()});
        if let Some(start) = start {
            input["ExclusiveStartKey"] = start;
        }
        w.ok("Query", input)
    };
    let first = page(&mut w, None);
    assert_eq!(pks(&first), ["2", "1", "3"]);
    let last = first["LastEvaluatedKey"].clone();
    assert_eq!(
        last,
        json!({"pk": {"S": "3"}, "area": {"S": "eu"}, "customer": {"S": "ann"},
               "phase": {"S": "open"}, "amount": {"N": "300"}})
    );
    let second = page(&mut w, Some(last));
    assert_eq!(pks(&second), ["4"]);
    assert!(second.get("LastEvaluatedKey").is_none());
}

#[test]
fn update_table_adds_a_multi_attribute_index_filled_from_the_items() {
    let mut w = world();
    w.ok(
        "UpdateTable",
        json!({"TableName": TABLE,
               "AttributeDefinitions": [{"AttributeName": "customer", "AttributeType": "S"},
                                        {"AttributeName": "phase", "AttributeType": "S"},
                                        {"AttributeName": "amount", "AttributeType": "N"}],
               "GlobalSecondaryIndexUpdates": [{"Create": {
                   "IndexName": "by_phase",
                   "KeySchema": [key("phase", "HASH"), key("customer", "RANGE"),
                                 key("amount", "RANGE")],
                   "Projection": {"ProjectionType": "ALL"}}}]}),
    );
    let out = w.ok(
        "Query",
        json!({"TableName": TABLE, "IndexName": "by_phase",
               "KeyConditionExpression": "phase = :s AND customer = :c",
               "ExpressionAttributeValues": {":s": {"S": "open"}, ":c": {"S": "ann"}}}),
    );
    assert_eq!(pks(&out), ["6", "2", "1", "3"]);
}

#[test]
fn create_table_checks_the_order_and_number_of_key_attributes() {
    let mut w = World::new("dynamodb", ACCOUNT);
    let create = |w: &mut World, keys: Value| {
        let mut input = table_input("Other", None);
        let defs = input["AttributeDefinitions"].as_array_mut().unwrap();
        for name in ["a", "b", "c", "d", "e", "f"] {
            defs.push(json!({"AttributeName": name, "AttributeType": "S"}));
        }
        input["GlobalSecondaryIndexes"] = json!([{
            "IndexName": "multi", "KeySchema": keys,
            "Projection": {"ProjectionType": "ALL"}}]);
        w.call("CreateTable", input)
    };
    let (code, message) = create(
        &mut w,
        json!([key("a", "HASH"), key("b", "RANGE"), key("c", "HASH")]),
    )
    .unwrap_err();
    assert_eq!(code, "ValidationException");
    assert!(message.contains("HASH"), "{message}");
    let (code, _) = create(
        &mut w,
        json!([
            key("a", "HASH"),
            key("b", "RANGE"),
            key("c", "RANGE"),
            key("d", "RANGE"),
            key("e", "RANGE"),
            key("f", "RANGE")
        ]),
    )
    .unwrap_err();
    assert_eq!(code, "ValidationException");
    let (code, _) = create(
        &mut w,
        json!([key("a", "HASH"), key("b", "RANGE"), key("b", "RANGE")]),
    )
    .unwrap_err();
    assert_eq!(code, "ValidationException");
    create(
        &mut w,
        json!([
            key("a", "HASH"),
            key("b", "HASH"),
            key("c", "HASH"),
            key("d", "RANGE"),
            key("e", "RANGE"),
            key("f", "RANGE")
        ]),
    )
    .unwrap();
}

/// PartiQL reads no index with a multi-attribute key: the refusal comes before the WHERE is
/// looked at, and in a batch before the rule that a SELECT names the table's key (the
/// conformance suite's capture of AWS).
#[test]
fn partiql_refuses_to_read_a_multi_attribute_index() {
    const REFUSAL: &str = "PartiQL statements cannot be executed on tables with multi-attribute HASH keys or multi-attribute RANGE keys.";
    let mut w = world();
    for condition in [
        "area = 'eu' AND customer = 'ann'",
        // A key value of the wrong type is not looked at.
        "area = 5",
    ] {
        let statement = format!(r#"SELECT * FROM "Orders"."by_customer" WHERE {condition}"#);
        assert_eq!(
            w.err("ExecuteStatement", json!({"Statement": statement})).1,
            REFUSAL
        );
    }
    let batch = w.ok(
        "BatchExecuteStatement",
        json!({"Statements": [
            {"Statement": r#"SELECT * FROM "Orders"."by_customer" WHERE area = 'eu'"#},
            {"Statement": r#"SELECT * FROM "Orders" WHERE pk = '1'"#},
        ]}),
    );
    assert_eq!(
        batch["Responses"][0]["Error"],
        json!({"Code": "ValidationError", "Message": REFUSAL})
    );
    assert_eq!(batch["Responses"][1]["Item"]["pk"], json!({"S": "1"}));
}

#[test]
fn key_schemas_the_index_cannot_have_are_refused_in_dynamodbs_words() {
    let mut w = World::new("dynamodb", ACCOUNT);
    let names = ["a", "b", "c", "d", "e", "f"];
    let create = |w: &mut World, keys: Value| {
        let mut input = table_input("shapes", None);
        let defs = input["AttributeDefinitions"].as_array_mut().unwrap();
        for name in names {
            defs.push(json!({"AttributeName": name, "AttributeType": "S"}));
        }
        input["GlobalSecondaryIndexes"] = json!([{"IndexName": "gsi", "KeySchema": keys,
            "Projection": {"ProjectionType": "KEYS_ONLY"}}]);
        w.call("CreateTable", input).map(|_| ())
    };
    let refused = |message: &str| Err(("ValidationException".to_string(), message.to_string()));
    let hashes: Vec<Value> = names[..5].iter().map(|n| key(n, "HASH")).collect();
    let mut ranges = vec![key("a", "HASH")];
    ranges.extend(names[1..].iter().map(|n| key(n, "RANGE")));
    let cases = [
        (
            json!(hashes),
            "The KeySchema exceeds the maximum allowed number of HASH key attributes",
        ),
        (
            json!(ranges),
            "The KeySchema exceeds the maximum allowed number of RANGE key attributes",
        ),
        (
            json!([key("a", "HASH"), key("b", "RANGE"), key("c", "HASH")]),
            "All HASH key attributes must precede RANGE key attributes in the KeySchema",
        ),
        (
            json!([key("a", "HASH"), key("a", "RANGE")]),
            "The KeySchema contains multiple key attributes with the same name",
        ),
    ];
    for (keys, message) in cases {
        assert_eq!(create(&mut w, keys.clone()), refused(message), "{keys}");
    }
}

// Two HASH attributes and no sort key make a valid index (ScyllaDB's Alternator tests of
// AWS's rules for multi-attribute keys), added by UpdateTable and queried like any other.
#[test]
fn an_index_of_two_partition_key_attributes_and_no_sort_key() {
    let mut w = world();
    let created = w.ok(
        "UpdateTable",
        json!({"TableName": TABLE,
               "AttributeDefinitions": [{"AttributeName": "area", "AttributeType": "S"},
                                        {"AttributeName": "customer", "AttributeType": "S"}],
               "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by_area_customer",
                   "KeySchema": [key("area", "HASH"), key("customer", "HASH")],
                   "Projection": {"ProjectionType": "KEYS_ONLY"}}}]}),
    );
    let gsis = created["TableDescription"]["GlobalSecondaryIndexes"]
        .as_array()
        .unwrap();
    let gsi = gsis
        .iter()
        .find(|g| g["IndexName"] == "by_area_customer")
        .unwrap();
    assert_eq!(
        gsi["KeySchema"],
        json!([key("area", "HASH"), key("customer", "HASH")])
    );
    let out = w
        .call(
            "Query",
            json!({"TableName": TABLE, "IndexName": "by_area_customer",
                   "KeyConditionExpression": "area = :a AND customer = :c",
                   "ExpressionAttributeValues": {":a": {"S": "eu"}, ":c": {"S": "ann"}}}),
        )
        .unwrap();
    let mut found = pks(&out);
    found.sort();
    assert_eq!(found, ["1", "2", "3", "4"]);
}
