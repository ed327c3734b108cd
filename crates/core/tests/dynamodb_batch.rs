//! DynamoDB batches and transactions through the emulator's entry point: limits, AWS's
//! exact refusals, all-or-nothing, cancellation reasons in order, token idempotency.

mod common;

use common::{caller, table_input, ACCOUNT};
use nimbus_storage::Change;
use serde_json::{json, Value};

type World = common::World<(String, String)>;

type Answer = Result<Value, (String, String)>;

/// Two tables: `items` (pk S) and `orders` (pk S, sk N).
fn world() -> World {
    let mut w = World::new("dynamodb", ACCOUNT);
    w.ok("CreateTable", table_input("items", None));
    w.ok("CreateTable", table_input("orders", Some("N")));
    w
}

impl World {
    /// The full error, fields included (CancellationReasons).
    fn error(&mut self, op: &str, input: Value) -> nimbus_shapes::ServiceError {
        self.send(&caller(ACCOUNT), "dynamodb", op, input)
            .expect_err("the call should fail")
    }

    fn put(&mut self, pk: &str, n: i64) {
        self.ok(
            "PutItem",
            json!({"TableName": "items", "Item": {"pk": {"S": pk}, "n": {"N": n.to_string()}}}),
        );
    }

    fn get(&mut self, pk: &str) -> Option<Value> {
        self.ok(
            "GetItem",
            json!({"TableName": "items", "Key": {"pk": {"S": pk}}, "ConsistentRead": true}),
        )
        .get("Item")
        .cloned()
    }
}

fn validation(message: &str) -> Answer {
    Err(("ValidationException".into(), message.into()))
}

fn key(pk: &str) -> Value {
    json!({"pk": {"S": pk}})
}

fn put_request(pk: &str) -> Value {
    json!({"PutRequest": {"Item": {"pk": {"S": pk}, "n": {"N": "1"}}}})
}

#[test]
fn batch_write_and_get_round_trip_in_one_changeset() {
    let mut w = world();
    w.put("old", 9);
    let out = w.ok(
        "BatchWriteItem",
        json!({"RequestItems": {
            "items": [put_request("a"), put_request("b"), {"DeleteRequest": {"Key": key("old")}}],
            "orders": [{"PutRequest": {"Item": {"pk": {"S": "o"}, "sk": {"N": "1"}}}}],
        }, "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(out["UnprocessedItems"], json!({}));
    assert!(out.get("ItemCollectionMetrics").is_none());
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "items", "CapacityUnits": 3.0},
               {"TableName": "orders", "CapacityUnits": 1.0}])
    );
    // Four writes, one changeset: three puts and one delete.
    let changes = &w.last_changes().changes;
    assert_eq!(changes.len(), 4);
    assert_eq!(
        changes
            .iter()
            .filter(|c| matches!(c, Change::Delete { .. }))
            .count(),
        1
    );
    assert_eq!(w.get("old"), None);

    let out = w.ok(
        "BatchGetItem",
        json!({"RequestItems": {
            "items": {"Keys": [key("a"), key("b"), key("missing")],
                      "ProjectionExpression": "#k", "ExpressionAttributeNames": {"#k": "pk"},
                      "ConsistentRead": true},
            "orders": {"Keys": [{"pk": {"S": "o"}, "sk": {"N": "1"}}],
                       "ProjectionExpression": "sk"},
        }, "ReturnConsumedCapacity": "TOTAL"}),
    );
    let mut items = out["Responses"]["items"].as_array().unwrap().clone();
    items.sort_by_key(|i| i["pk"]["S"].as_str().unwrap().to_string());
    assert_eq!(items, vec![key("a"), key("b")]);
    assert_eq!(out["Responses"]["orders"], json!([{"sk": {"N": "1"}}]));
    assert_eq!(out["UnprocessedKeys"], json!({}));
    // Strong reads cost a unit per key, eventual ones half.
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "items", "CapacityUnits": 3.0},
               {"TableName": "orders", "CapacityUnits": 0.5}])
    );
    // Reads change nothing.
    assert!(w.last_changes().is_empty());
}

/// A ValidationException reading `before`, then `count` requests of Java class `class`
/// printed as Java prints a list of them (`com.amazonaws.dynamodb.v20120810.<class>@<hash>`,
/// comma-separated), then `after`: how AWS words a list that breaks the model's length.
fn assert_java_listed(
    answer: Result<Value, (String, String)>,
    before: &str,
    (class, count): (&str, usize),
    after: &str,
) {
    let (code, message) = answer.unwrap_err();
    assert_eq!(code, "ValidationException");
    let printed = message
        .strip_prefix(before)
        .and_then(|rest| rest.strip_suffix(after))
        .unwrap_or_else(|| panic!("{message}"));
    let members: Vec<&str> = printed.split(", ").collect();
    assert_eq!(members.len(), count);
    let prefix = format!("com.amazonaws.dynamodb.v20120810.{class}@");
    for member in members {
        let hash = member
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{member}"));
        assert!(
            hash.len() == 8 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "{member}"
        );
    }
}

#[test]
fn batch_limits_and_refusals_use_aws_words() {
    let mut w = world();
    // Over 25 for one table breaks the model's map value constraint, which AWS words with
    // the list as Java prints it; over 25 across tables is "Too many items requested".
    let puts: Vec<Value> = (0..26).map(|i| put_request(&format!("k{i}"))).collect();
    assert_java_listed(
        w.call("BatchWriteItem", json!({"RequestItems": {"items": puts}})),
        "1 validation error detected: Value '{items=[",
        ("WriteRequest", 26),
        "]}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]",
    );
    let half: Vec<Value> = (0..13).map(|i| put_request(&format!("k{i}"))).collect();
    assert_eq!(
        w.call(
            "BatchWriteItem",
            json!({"RequestItems": {"items": half, "orders": half}})
        ),
        validation("Too many items requested for the BatchWriteItem call")
    );
    assert_eq!(
        w.call("BatchWriteItem", json!({"RequestItems": {}})),
        validation("The requestItems parameter is required for BatchWriteItem")
    );
    // The two ways of naming a projection do not mix, even across tables.
    assert_eq!(
        w.call(
            "BatchGetItem",
            json!({"RequestItems": {
                "items": {"Keys": [key("a")], "ProjectionExpression": "pk"},
                "orders": {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "1"}}], "AttributesToGet": ["pk"]},
            }})
        ),
        validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
    );
    // A put whose key has the wrong type is worded as a mistyped Key is.
    assert_eq!(
        w.call(
            "BatchWriteItem",
            json!({"RequestItems": {"items": [{"PutRequest": {"Item": {"pk": {"N": "1"}}}}]}})
        ),
        validation("The provided key element does not match the schema")
    );
    // Over 100 keys for one table breaks the model's KeyList constraint...
    let keys: Vec<Value> = (0..101).map(|i| key(&format!("k{i}"))).collect();
    assert_eq!(
        w.call(
            "BatchGetItem",
            json!({"RequestItems": {"items": {"Keys": keys}}})
        ),
        validation("1 validation error detected: Value at 'requestItems.items.member.keys' failed to satisfy constraint: Member must have length less than or equal to 100")
    );
    // ...while over 100 in all, each table's list within the limit, is the call's limit.
    let keys: Vec<Value> = (0..60).map(|i| key(&format!("k{i}"))).collect();
    let order_keys: Vec<Value> = (0..60)
        .map(|i| json!({"pk": {"S": "o"}, "sk": {"N": i.to_string()}}))
        .collect();
    assert_eq!(
        w.call(
            "BatchGetItem",
            json!({"RequestItems": {"items": {"Keys": keys}, "orders": {"Keys": order_keys}}})
        ),
        validation("Too many items requested for the BatchGetItem call")
    );
    // 100 keys and 25 writes are within the limits.
    let keys: Vec<Value> = (0..100).map(|i| key(&format!("k{i}"))).collect();
    w.ok(
        "BatchGetItem",
        json!({"RequestItems": {"items": {"Keys": keys}}}),
    );
    let puts: Vec<Value> = (0..25).map(|i| put_request(&format!("k{i}"))).collect();
    w.ok("BatchWriteItem", json!({"RequestItems": {"items": puts}}));

    assert_eq!(
        w.call(
            "BatchGetItem",
            json!({"RequestItems": {"items": {"Keys": [key("a"), key("b"), key("a")]}}})
        ),
        validation("Provided list of item keys contains duplicates")
    );
    assert_eq!(
        w.call(
            "BatchWriteItem",
            json!({"RequestItems": {"items": [put_request("x"), {"DeleteRequest": {"Key": key("x")}}]}})
        ),
        validation("Provided list of item keys contains duplicates")
    );
    assert_eq!(
        w.call(
            "BatchWriteItem",
            json!({"RequestItems": {"items": [{"PutRequest": {"Item": key("x")}, "DeleteRequest": {"Key": key("x")}}]}})
        ),
        validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
    );
    // The same key in two tables is two items.
    w.ok(
        "BatchGetItem",
        json!({"RequestItems": {"items": {"Keys": [key("a")]},
                                "orders": {"Keys": [{"pk": {"S": "a"}, "sk": {"N": "1"}}]}}}),
    );
}

#[test]
fn a_refused_batch_writes_nothing() {
    let mut w = world();
    // A missing table, or a bad key anywhere, refuses the whole batch.
    assert_eq!(
        w.call(
            "BatchWriteItem",
            json!({"RequestItems": {"items": [put_request("a")], "nope": [put_request("b")]}})
        ),
        Err((
            "ResourceNotFoundException".into(),
            "Requested resource not found".into()
        ))
    );
    assert_eq!(
        w.call(
            "BatchWriteItem",
            json!({"RequestItems": {"items": [put_request("a"), {"PutRequest": {"Item": {"n": {"N": "1"}}}}]}})
        ),
        validation("One or more parameter values were invalid: Missing the key pk in the item")
    );
    assert_eq!(w.get("a"), None);
}

#[test]
fn batch_get_stops_at_sixteen_megabytes() {
    let mut w = world();
    // 50 items of ~390 KB: about 19 MB in all, more than one answer carries.
    let big = "x".repeat(390 * 1024);
    for i in 0..50 {
        w.ok(
            "PutItem",
            json!({"TableName": "items", "Item": {"pk": {"S": format!("k{i:02}")}, "blob": {"S": big}}}),
        );
    }
    let keys: Vec<Value> = (0..50).map(|i| key(&format!("k{i:02}"))).collect();
    let out = w.ok(
        "BatchGetItem",
        json!({"RequestItems": {"items": {"Keys": keys, "ConsistentRead": true}}}),
    );
    let got = out["Responses"]["items"].as_array().unwrap().len();
    let left = &out["UnprocessedKeys"]["items"];
    assert_eq!(left["ConsistentRead"], true);
    let left = left["Keys"].as_array().unwrap().len();
    assert_eq!(got + left, 50);
    assert!((40..50).contains(&got), "answered {got} items");
}

fn transfer(from_balance_at_least: i64) -> Value {
    json!({"TransactItems": [
        {"Put": {"TableName": "items", "Item": {"pk": {"S": "log"}, "n": {"N": "1"}}}},
        {"ConditionCheck": {"TableName": "items", "Key": key("alice"),
                            "ConditionExpression": "n >= :min",
                            "ExpressionAttributeValues": {":min": {"N": from_balance_at_least.to_string()}},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Update": {"TableName": "items", "Key": key("bob"),
                    "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": "items", "Key": key("gone"),
                    "ConditionExpression": "attribute_exists(pk)"}},
    ]})
}

#[test]
fn a_transaction_is_all_or_nothing_with_reasons_in_order() {
    let mut w = world();
    w.put("alice", 5);
    w.put("bob", 0);
    let error = w.error("TransactWriteItems", transfer(10));
    assert_eq!(error.code, "TransactionCanceledException");
    assert_eq!(
        error.message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None, ConditionalCheckFailed]"
    );
    assert_eq!(
        error.fields["CancellationReasons"],
        json!([
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
             "Item": {"pk": {"S": "alice"}, "n": {"N": "5"}}},
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        ])
    );
    // Nothing changed: the Put and the Update that would have succeeded did not happen.
    assert_eq!(w.get("log"), None);
    assert_eq!(w.get("bob").unwrap()["n"], json!({"N": "0"}));

    w.put("gone", 1);
    let out = w.ok("TransactWriteItems", {
        let mut t = transfer(5);
        t["ReturnConsumedCapacity"] = json!("TOTAL");
        t
    });
    // Transactions cost twice: 3 writes and a check of 1 unit each.
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "items", "CapacityUnits": 8.0, "WriteCapacityUnits": 8.0}])
    );
    // One changeset: a put, an update (put) and a delete.
    assert_eq!(w.last_changes().changes.len(), 3);
    assert!(w.get("log").is_some());
    assert_eq!(w.get("bob").unwrap()["n"], json!({"N": "1"}));
    assert_eq!(w.get("gone"), None);
}

#[test]
fn a_key_that_does_not_fit_the_schema_cancels_with_a_validation_reason() {
    let mut w = world();
    w.put("alice", 5);
    let error = w.error(
        "TransactWriteItems",
        json!({"TransactItems": [
            {"Put": {"TableName": "items", "Item": {"pk": {"N": "1"}}}},
            {"Update": {"TableName": "items", "Key": {"pk": {"S": "alice"}},
                        "UpdateExpression": "SET n = :n", "ExpressionAttributeValues": {":n": {"N": "6"}}}},
            {"Delete": {"TableName": "items", "Key": {"pk": {"L": []}}}},
        ]}),
    );
    assert_eq!(error.code, "TransactionCanceledException");
    assert_eq!(
        error.fields["CancellationReasons"],
        json!([
            {"Code": "ValidationError", "Message": "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"},
            {"Code": "None"},
            // Checking stopped at the first ValidationError.
            {"Code": "None"},
        ])
    );
    assert_eq!(w.get("alice").unwrap()["n"], json!({"N": "5"}));
    // A condition that would fail after the first ValidationError is not reached either.
    let error = w.error(
        "TransactWriteItems",
        json!({"TransactItems": [
            {"Put": {"TableName": "items", "Item": {"pk": {"N": "7"}}}},
            {"Put": {"TableName": "items", "Item": {"pk": {"S": "carol"}},
                     "ConditionExpression": "attribute_exists(pk)"}},
        ]}),
    );
    assert_eq!(
        error.fields["CancellationReasons"],
        json!([
            {"Code": "ValidationError", "Message": "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"},
            {"Code": "None"},
        ])
    );
    let error = w.error(
        "TransactGetItems",
        json!({"TransactItems": [
            {"Get": {"TableName": "items", "Key": {"pk": {"S": "alice"}}}},
            {"Get": {"TableName": "items", "Key": {}}},
        ]}),
    );
    assert_eq!(
        error.message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ValidationError]"
    );
    // An empty key value is a bad request, not a cancellation.
    let error = w.error(
        "TransactWriteItems",
        json!({"TransactItems": [{"Put": {"TableName": "items", "Item": {"pk": {"S": ""}}}}]}),
    );
    assert_eq!(error.code, "ValidationException");
    // So is an empty value of a secondary index key.
    w.ok(
        "CreateTable",
        json!({"TableName": "indexed", "BillingMode": "PAY_PER_REQUEST",
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "g", "AttributeType": "S"}],
               "GlobalSecondaryIndexes": [{"IndexName": "byG",
                   "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "ALL"}}]}),
    );
    let error = w.error(
        "TransactWriteItems",
        json!({"TransactItems": [{"Put": {"TableName": "indexed", "Item": {"pk": {"S": "a"}, "g": {"S": ""}}}}]}),
    );
    assert_eq!(
        (error.code.as_str(), error.message.as_str()),
        ("ValidationException", "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byG, IndexKey: g")
    );
}

#[test]
fn transaction_refusals_use_aws_words() {
    let mut w = world();
    assert_eq!(
        w.call(
            "TransactWriteItems",
            json!({"TransactItems": [
                {"Put": {"TableName": "items", "Item": {"pk": {"S": "a"}}}},
                {"Delete": {"TableName": "items", "Key": key("a")}},
            ]})
        ),
        validation("Transaction request cannot include multiple operations on one item")
    );
    let many: Vec<Value> = (0..101)
        .map(|i| json!({"Put": {"TableName": "items", "Item": key(&format!("k{i}"))}}))
        .collect();
    // The model's length constraint, the list printed as Java prints it.
    let over_100 = "]' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100";
    assert_java_listed(
        w.call("TransactWriteItems", json!({"TransactItems": many})),
        "1 validation error detected: Value '[",
        ("TransactWriteItem", 101),
        over_100,
    );
    let gets: Vec<Value> = (0..101)
        .map(|i| json!({"Get": {"TableName": "items", "Key": key(&format!("k{i}"))}}))
        .collect();
    assert_java_listed(
        w.call("TransactGetItems", json!({"TransactItems": gets})),
        "1 validation error detected: Value '[",
        ("TransactGetItem", 101),
        over_100,
    );
    assert_eq!(
        w.call(
            "TransactWriteItems",
            json!({"TransactItems": [{"Put": {"TableName": "items", "Item": key("a")},
                                      "Delete": {"TableName": "items", "Key": key("b")}}]})
        ),
        validation("TransactItems can only contain one of Check, Put, Update or Delete")
    );
    assert_eq!(
        w.call("TransactWriteItems", json!({"TransactItems": [{}]})),
        validation(
            "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request"
        )
    );
    assert_eq!(
        w.call(
            "TransactGetItems",
            json!({"TransactItems": [{"Get": {"TableName": "items", "Key": key("a")}},
                                     {"Get": {"TableName": "items", "Key": key("a")}}]})
        ),
        validation("Transaction request cannot include multiple operations on one item")
    );
    assert_eq!(
        w.call(
            "TransactWriteItems",
            json!({"TransactItems": [{"Put": {"Item": key("a")}},
                                     {"ConditionCheck": {"TableName": "items", "Key": key("b"),
                                                         "ReturnValuesOnConditionCheckFailure": "SOME"}}]})
        ),
        validation("3 validation errors detected: Value null at 'transactItems.1.member.put.tableName' failed to satisfy constraint: Member must not be null; Value null at 'transactItems.2.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null; Value 'SOME' at 'transactItems.2.member.conditionCheck.returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]")
    );
    assert_eq!(
        w.call(
            "TransactWriteItems",
            json!({"TransactItems": [{"Put": {"TableName": "nope", "Item": key("a")}}]})
        ),
        Err((
            "ResourceNotFoundException".into(),
            "Requested resource not found".into()
        ))
    );
    // Every action's expressions are checked before any table is looked up: a later
    // action's malformed condition or unused value beats an earlier missing table.
    let missing_then = |later: Value| json!({"TransactItems": [{"Put": {"TableName": "nope", "Item": key("a")}}, later]});
    assert_eq!(
        w.call(
            "TransactWriteItems",
            missing_then(
                json!({"ConditionCheck": {"TableName": "items", "Key": key("b"),
                                                   "ConditionExpression": "attribute_exists("}})
            )
        ),
        validation("Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"(\"")
    );
    assert_eq!(
        w.call(
            "TransactWriteItems",
            missing_then(json!({"Delete": {"TableName": "items", "Key": key("b"),
                                           "ConditionExpression": "attribute_exists(pk)",
                                           "ExpressionAttributeValues": {":v": {"S": "x"}}}}))
        ),
        validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}")
    );
}

/// The TransactWriteItems reference: "The aggregate size of the items in the transaction
/// cannot exceed 4 MB".
#[test]
fn a_transaction_puts_at_most_4_mb() {
    let mut w = world();
    let puts = |count: usize| -> Value {
        let items: Vec<Value> = (0..count)
            .map(|i| {
                json!({"Put": {"TableName": "items", "Item": {"pk": {"S": format!("big{i}")},
                                                             "payload": {"S": "x".repeat(350_000)}}}})
            })
            .collect();
        json!({ "TransactItems": items })
    };
    assert_eq!(
        w.call("TransactWriteItems", puts(12)),
        validation("Transaction payload size cannot exceed 4 MB")
    );
    let got = w.ok("GetItem", json!({"TableName": "items", "Key": key("big0")}));
    assert_eq!(
        got.get("Item"),
        None,
        "nothing of a refused transaction is written"
    );
    w.ok("TransactWriteItems", puts(11));
    let got = w.ok(
        "GetItem",
        json!({"TableName": "items", "Key": key("big10")}),
    );
    assert!(got.get("Item").is_some());
}

/// A transaction adding `by` to item `c`'s `n`, under ClientRequestToken `token`.
fn bump(token: &str, by: &str) -> Value {
    json!({"ClientRequestToken": token, "TransactItems": [
        {"Update": {"TableName": "items", "Key": key("c"), "UpdateExpression": "SET n = n + :by",
                    "ExpressionAttributeValues": {":by": {"N": by}}}}]})
}

#[test]
fn client_request_tokens_make_a_transaction_idempotent_for_ten_minutes() {
    let mut w = world();
    w.put("c", 0);
    w.ok("TransactWriteItems", bump("t1", "1"));
    // The same request again succeeds without applying twice.
    w.ok("TransactWriteItems", bump("t1", "1"));
    assert!(w.last_changes().is_empty());
    assert_eq!(w.get("c").unwrap()["n"], json!({"N": "1"}));
    // Another request with the same token is refused.
    let (code, _) = w.call("TransactWriteItems", bump("t1", "2")).unwrap_err();
    assert_eq!(code, "IdempotentParameterMismatchException");
    // Another token is another transaction.
    w.ok("TransactWriteItems", bump("t2", "1"));
    assert_eq!(w.get("c").unwrap()["n"], json!({"N": "2"}));
    // Ten minutes later (on the playground's clock) the token is new again.
    w.clock.advance(9 * 60 * 1000);
    w.ok("TransactWriteItems", bump("t1", "1"));
    assert_eq!(w.get("c").unwrap()["n"], json!({"N": "2"}));
    w.clock.advance(60 * 1000);
    w.ok("TransactWriteItems", bump("t1", "1"));
    assert_eq!(w.get("c").unwrap()["n"], json!({"N": "3"}));
}

#[test]
fn client_request_tokens_survive_a_restart_inside_their_window() {
    let mut w = world();
    w.put("c", 0);
    w.ok("TransactWriteItems", bump("t1", "1"));
    // After a restart, the retry is still recognised, and still not applied twice.
    let mut restarted = w.restart();
    restarted.ok("TransactWriteItems", bump("t1", "1"));
    assert!(restarted.last_changes().is_empty());
    assert_eq!(restarted.get("c").unwrap()["n"], json!({"N": "1"}));
    let (code, _) = restarted
        .call("TransactWriteItems", bump("t1", "2"))
        .unwrap_err();
    assert_eq!(code, "IdempotentParameterMismatchException");
    // Past the window, the next transaction with a token drops the expired one from the records.
    restarted.clock.advance(10 * 60 * 1000);
    restarted.ok("TransactWriteItems", bump("t2", "1"));
    // A token used again once its window has passed keeps its new record.
    restarted.clock.advance(10 * 60 * 1000);
    restarted.ok("TransactWriteItems", bump("t2", "1"));
    let history: Vec<_> = w
        .changes
        .iter()
        .chain(&restarted.changes)
        .cloned()
        .collect();
    let tokens: Vec<String> = common::records_of(&history)
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| key.contains("/token/"))
        .collect();
    // The record names the token in hex ("t2").
    assert_eq!(tokens, ["dynamodb/000000000000/us-east-1/token/7432"]);
}

#[test]
fn transact_get_answers_in_request_order() {
    let mut w = world();
    w.put("a", 1);
    w.put("b", 2);
    w.put("c", 3);
    let out = w.ok(
        "TransactGetItems",
        json!({"TransactItems": [
            {"Get": {"TableName": "items", "Key": key("b")}},
            {"Get": {"TableName": "items", "Key": key("missing")}},
            {"Get": {"TableName": "items", "Key": key("a"), "ProjectionExpression": "n"}},
            // Present, but the projection selects none of it: no Item, as for a missing one.
            {"Get": {"TableName": "items", "Key": key("c"), "ProjectionExpression": "nothing"}},
        ], "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(
        out["Responses"],
        json!([{"Item": {"pk": {"S": "b"}, "n": {"N": "2"}}}, {}, {"Item": {"n": {"N": "1"}}}, {}])
    );
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "items", "CapacityUnits": 8.0, "ReadCapacityUnits": 8.0}])
    );
}

#[test]
fn an_update_that_grows_an_item_too_big_cancels_the_transaction() {
    let mut w = world();
    let half = "x".repeat(300 * 1024);
    w.ok(
        "PutItem",
        json!({"TableName": "items", "Item": {"pk": {"S": "big"}, "a": {"S": half}}}),
    );
    let error = w.error(
        "TransactWriteItems",
        json!({"TransactItems": [
            {"Put": {"TableName": "items", "Item": key("other")}},
            {"Update": {"TableName": "items", "Key": key("big"), "UpdateExpression": "SET b = :v",
                        "ExpressionAttributeValues": {":v": {"S": half}}}},
        ]}),
    );
    assert_eq!(error.code, "TransactionCanceledException");
    assert_eq!(
        error.fields["CancellationReasons"],
        json!([{"Code": "None"},
               {"Code": "ValidationError",
                "Message": "Item size to update has exceeded the maximum allowed size"}])
    );
    assert_eq!(w.get("other"), None);
    // A Put too big is refused as a bad request.
    let big = json!({"pk": {"S": "p"}, "a": {"S": "x".repeat(401 * 1024)}});
    assert_eq!(
        w.call(
            "TransactWriteItems",
            json!({"TransactItems": [{"Put": {"TableName": "items", "Item": big}}]})
        ),
        validation("Item size has exceeded the maximum allowed size")
    );
}

#[test]
fn transactions_report_units_per_table_in_request_order_with_read_and_write_parts() {
    let mut w = world();
    w.put("a", 1);
    w.ok(
        "PutItem",
        json!({"TableName": "orders", "Item": {"pk": {"S": "o"}, "sk": {"N": "1"}}}),
    );
    // `orders` is named first: AWS lists the tables as the request names them.
    let out = w.ok(
        "TransactGetItems",
        json!({"TransactItems": [
            {"Get": {"TableName": "orders", "Key": {"pk": {"S": "o"}, "sk": {"N": "1"}}}},
            {"Get": {"TableName": "items", "Key": key("a")}},
            {"Get": {"TableName": "items", "Key": key("missing")}},
        ], "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(
        out["ConsumedCapacity"],
        json!([
            {"TableName": "orders", "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0},
            {"TableName": "items", "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0},
        ])
    );
    let out = w.ok(
        "TransactWriteItems",
        json!({"TransactItems": [
            {"Put": {"TableName": "orders", "Item": {"pk": {"S": "o"}, "sk": {"N": "2"}}}},
            {"Delete": {"TableName": "items", "Key": key("a")}},
        ], "ReturnConsumedCapacity": "INDEXES"}),
    );
    assert_eq!(
        out["ConsumedCapacity"],
        json!([
            {"TableName": "orders", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0,
             "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}},
            {"TableName": "items", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0,
             "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}},
        ])
    );
    // The batches report CapacityUnits alone.
    let out = w.ok(
        "BatchGetItem",
        json!({"RequestItems": {"items": {"Keys": [key("missing")]}},
               "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "items", "CapacityUnits": 0.5}])
    );
}

#[test]
fn duplicates_are_refused_before_the_key_schema_is_checked() {
    let mut w = world();
    let duplicates = validation("Provided list of item keys contains duplicates");
    // Two puts of one item that lacks the table's key (moto's
    // test_batch_items_should_throw_exception_for_duplicate_request, boto3's batch_writer).
    let item = json!({"forum_name": {"S": "dupe"}, "subject": {"S": "s"}});
    assert_eq!(
        w.call(
            "BatchWriteItem",
            json!({"RequestItems": {"items": [{"PutRequest": {"Item": item}},
                                              {"PutRequest": {"Item": item}}]}})
        ),
        duplicates
    );
    assert_eq!(
        w.call(
            "BatchWriteItem",
            json!({"RequestItems": {"items": [{"DeleteRequest": {"Key": item}},
                                              {"DeleteRequest": {"Key": item}}]}})
        ),
        duplicates
    );
    // Two identical malformed keys in a BatchGetItem: the duplicates, not the schema.
    let bad = json!({"pk": {"S": "a"}, "sk": {"NULL": true}});
    assert_eq!(
        w.call(
            "BatchGetItem",
            json!({"RequestItems": {"items": {"Keys": [bad, bad]}}})
        ),
        duplicates
    );
    // One such request alone still gets the schema error; puts differing in non-key
    // attributes are still one item.
    assert_eq!(
        w.call(
            "BatchWriteItem",
            json!({"RequestItems": {"items": [{"PutRequest": {"Item": item}}]}})
        ),
        validation("One or more parameter values were invalid: Missing the key pk in the item")
    );
    assert_eq!(
        w.call(
            "BatchWriteItem",
            json!({"RequestItems": {"items": [put_request("a"),
                {"PutRequest": {"Item": {"pk": {"S": "a"}, "n": {"N": "2"}}}}]}})
        ),
        duplicates
    );
    // Number keys are compared as numbers: 1 and 1.0 are one item.
    assert_eq!(
        w.call(
            "BatchWriteItem",
            json!({"RequestItems": {"orders": [
                {"PutRequest": {"Item": {"pk": {"S": "o"}, "sk": {"N": "1"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "o"}, "sk": {"N": "1.0"}}}}]}})
        ),
        duplicates
    );
}
