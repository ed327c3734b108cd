//! Bad input gets an error, never a panic or a half-applied change: thousands of requests made
//! by mutating valid DynamoDB, DynamoDB Streams and event source mapping requests (values of
//! the wrong type, missing and extra members, huge numbers, broken expressions and filter
//! patterns, deep nesting), each of which must answer a 4xx error or succeed; a failed call
//! must change nothing, in storage (checked by `World::send`) or in memory (checked by
//! restarting from the persisted records at the end and comparing what both emulators show).
//! Stream delivery meanwhile runs the mappings against functions that answer oddly.
//!
//! The mutations come from a seeded generator, so a failure reproduces; it prints the request.

mod common;

use std::{
    collections::BTreeMap,
    panic::{catch_unwind, AssertUnwindSafe},
};

use common::ACCOUNT;
use nimbus_core::services::lambda::{
    event_source::Batch,
    invoke::{Execution, ExecutionResult, FunctionError},
};

type World = common::World<(String, u16, String)>;
use serde_json::{json, Map, Value};

/// splitmix64: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn token(&mut self) -> &'static str {
        TOKENS[self.below(TOKENS.len())]
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Tokens of every expression language and of PartiQL, and some that belong to none.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "(", ")", "[", "]", ".", ",", ":v", ":n", "#n", "#x", "=", "<>", "<", "<=", ">", ">=", " AND ",
    " OR ", " NOT ", " BETWEEN ", " IN ", "SET ", "REMOVE ", "ADD ", "DELETE ", "size(",
    "attribute_exists(", "attribute_not_exists(", "attribute_type(", "begins_with(", "contains(",
    "if_not_exists(", "list_append(", "+", "-", "[99999999999999999999]", "[-1]", "[0]", "a", "pk",
    "sk", "\"", "'", "?", "SELECT ", "*", " FROM ", " WHERE ", "INSERT INTO ", " VALUE ", "UPDATE ",
    " MISSING", "{", "}", "<<", ">>", "\u{1F600}", "é", " ", "\0", "\n",
];

/// Values that break assumptions: wrong types, limits, odd text, odd attribute values, and
/// documents nested deeper than DynamoDB's 32 levels (but within what JSON parsing allows).
fn odd_value(rng: &mut Rng) -> Value {
    match rng.below(24) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(0),
        3 => json!(-1),
        4 => json!(i64::MIN),
        5 => json!(u64::MAX),
        6 => json!(1.5e300),
        7 => json!(""),
        8 => json!("\u{0}\u{1F600}é"),
        9 => json!("x".repeat(70_000)),
        10 => json!([]),
        11 => json!({}),
        12 => json!([{}]),
        13 => json!({"S": ""}),
        14 => json!({"N": "1e999"}),
        15 => json!({"N": "-0.000000000000000000000000000000000000000000001"}),
        16 => json!({"N": "12345678901234567890123456789012345678901"}),
        17 => json!({"B": "!!not base64"}),
        18 => json!({"SS": []}),
        19 => json!({"NS": ["1", "1.0"]}),
        20 => json!({"S": "a", "N": "1"}),
        21 => json!({"L": [{"M": {"x": {"NULL": false}}}]}),
        22 => {
            let mut v = json!({"S": "deep"});
            for _ in 0..40 {
                v = json!({"M": {"d": v}});
            }
            v
        }
        _ => {
            let mut v = json!({"S": "deeper"});
            for _ in 0..60 {
                v = json!({"L": [v]});
            }
            v
        }
    }
}

/// The text with a token inserted, a piece cut out, or cut short, at character boundaries.
fn mutate_text(rng: &mut Rng, text: &str) -> String {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let at = *rng.pick(&bounds);
    match rng.below(4) {
        0 => format!("{}{}{}", &text[..at], rng.token(), &text[at..]),
        1 => {
            let to = bounds[rng.below(bounds.len())].max(at);
            format!("{}{}", &text[..at], &text[to..])
        }
        2 => text[..at].to_string(),
        _ => {
            let mut out = String::new();
            for _ in 0..1 + rng.below(8) {
                out += rng.token();
            }
            out
        }
    }
}

/// Every place in `value` a mutation can hit, as paths of object keys and array indexes.
fn paths(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                prefix.push(Step::Key(k.clone()));
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                prefix.push(Step::Index(i));
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn node<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(value, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// One mutation of the request: a node replaced, mutated, removed, doubled, or a member added.
fn mutate(rng: &mut Rng, request: &mut Value) {
    let mut all = Vec::new();
    paths(request, &mut Vec::new(), &mut all);
    let path = rng.pick(&all).clone();
    let target = node(request, &path);
    match rng.below(6) {
        0 | 1 => {
            if let Value::String(text) = target {
                // JSON inside a string (filter patterns, policies) is mutated as JSON too.
                match serde_json::from_str::<Value>(text) {
                    Ok(mut inner) if inner.is_object() && rng.below(2) == 0 => {
                        mutate(rng, &mut inner);
                        *text = inner.to_string();
                    }
                    _ => *text = mutate_text(rng, text),
                }
            } else {
                *target = odd_value(rng);
            }
        }
        2 => *target = odd_value(rng),
        3 => match target {
            Value::Object(map) if !map.is_empty() => {
                let key = map.keys().nth(rng.below(map.len())).unwrap().clone();
                map.remove(&key);
            }
            Value::Array(items) if !items.is_empty() => {
                let i = rng.below(items.len());
                items.remove(i);
            }
            _ => *target = Value::Null,
        },
        4 => match target {
            Value::Array(items) if !items.is_empty() => {
                let copy = items[rng.below(items.len())].clone();
                for _ in 0..1 + rng.below(120) {
                    items.push(copy.clone());
                }
            }
            other => *other = json!([other.clone(), other.clone()]),
        },
        _ => {
            if let Value::Object(map) = target {
                let name = rng.pick(&["S", "N", "L", "M", "Limit", "IndexName", "Select", "x"]);
                map.insert(name.to_string(), odd_value(rng));
            } else {
                *target = odd_value(rng);
            }
        }
    }
}

/// Valid requests, one or more per operation, against the tables `setup` creates.
fn seeds() -> Vec<(&'static str, &'static str, Value)> {
    let item = json!({"pk": {"S": "p1"}, "sk": {"N": "1"}, "g": {"S": "x"}, "n": {"N": "5"},
        "l": {"L": [{"S": "a"}, {"N": "2"}]}, "m": {"M": {"a": {"BOOL": true}}},
        "ss": {"SS": ["a", "b"]}, "ttl": {"N": "1700000100"}});
    let key = json!({"pk": {"S": "p1"}, "sk": {"N": "1"}});
    let d = "dynamodb";
    vec![
        (
            d,
            "PutItem",
            json!({"TableName": "tab", "Item": item, "ReturnValues": "ALL_OLD",
            "ConditionExpression": "attribute_not_exists(pk) OR n < :v",
            "ExpressionAttributeValues": {":v": {"N": "10"}},
            "ReturnConsumedCapacity": "INDEXES", "ReturnItemCollectionMetrics": "SIZE"}),
        ),
        (
            d,
            "PutItem",
            json!({"TableName": "tab", "Item": item,
            "Expected": {"n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "1"}]}}}),
        ),
        (
            d,
            "UpdateItem",
            json!({"TableName": "tab", "Key": key,
            "UpdateExpression": "SET #n = #n + :one, l = list_append(l, :l), c = if_not_exists(c, :one) REMOVE m.a ADD s2 :s DELETE ss :d",
            "ConditionExpression": "size(l) > :zero AND contains(ss, :a) AND attribute_type(n, :t)",
            "ExpressionAttributeNames": {"#n": "n"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":l": {"L": [{"S": "z"}]},
                ":s": {"SS": ["c"]}, ":d": {"SS": ["a"]}, ":zero": {"N": "0"}, ":a": {"S": "b"},
                ":t": {"S": "N"}},
            "ReturnValues": "UPDATED_NEW", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
        ),
        (
            d,
            "UpdateItem",
            json!({"TableName": "tab", "Key": key,
            "AttributeUpdates": {"n": {"Action": "ADD", "Value": {"N": "2"}},
                "g": {"Action": "DELETE"}}}),
        ),
        (
            d,
            "DeleteItem",
            json!({"TableName": "tab", "Key": key,
            "ConditionExpression": "n BETWEEN :a AND :b", "ReturnValues": "ALL_OLD",
            "ExpressionAttributeValues": {":a": {"N": "0"}, ":b": {"N": "100"}}}),
        ),
        (
            d,
            "GetItem",
            json!({"TableName": "tab", "Key": key, "ConsistentRead": true,
            "ProjectionExpression": "pk, l[1], m.a, #n", "ExpressionAttributeNames": {"#n": "n"}}),
        ),
        (
            d,
            "GetItem",
            json!({"TableName": "tab", "Key": key, "AttributesToGet": ["n", "g"]}),
        ),
        (
            d,
            "Query",
            json!({"TableName": "tab",
            "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
            "FilterExpression": "n IN (:a, :b) OR begins_with(g, :g)",
            "ExpressionAttributeValues": {":p": {"S": "p1"}, ":a": {"N": "0"},
                ":b": {"N": "9"}, ":g": {"S": "x"}},
            "Limit": 2, "ScanIndexForward": false,
            "ExclusiveStartKey": {"pk": {"S": "p1"}, "sk": {"N": "0"}}}),
        ),
        (
            d,
            "Query",
            json!({"TableName": "tab", "IndexName": "by_g",
            "KeyConditionExpression": "g = :g", "Select": "COUNT",
            "ExpressionAttributeValues": {":g": {"S": "x"}}}),
        ),
        (
            d,
            "Query",
            json!({"TableName": "tab", "IndexName": "by_n",
            "KeyConditionExpression": "pk = :p AND begins_with(sk2, :s)",
            "ExpressionAttributeValues": {":p": {"S": "p1"}, ":s": {"S": "a"}},
            "Select": "ALL_PROJECTED_ATTRIBUTES"}),
        ),
        (
            d,
            "Query",
            json!({"TableName": "tab",
            "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p1"}]}},
            "QueryFilter": {"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1"}]}},
            "AttributesToGet": ["pk", "n"]}),
        ),
        (
            d,
            "Scan",
            json!({"TableName": "tab", "Segment": 1, "TotalSegments": 3,
            "FilterExpression": "NOT (attribute_exists(g) AND size(ss) = :two)",
            "ExpressionAttributeValues": {":two": {"N": "2"}}, "Limit": 5}),
        ),
        (
            d,
            "Scan",
            json!({"TableName": "tab", "ConditionalOperator": "OR",
            "ScanFilter": {"g": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "x"}]},
                "n": {"ComparisonOperator": "NOT_NULL"}}}),
        ),
        (
            d,
            "BatchGetItem",
            json!({"RequestItems": {"tab": {"Keys": [key, {"pk": {"S": "p2"}, "sk": {"N": "2"}}],
            "ProjectionExpression": "pk, n"}}}),
        ),
        (
            d,
            "BatchWriteItem",
            json!({"RequestItems": {"tab": [{"PutRequest": {"Item": item}},
            {"DeleteRequest": {"Key": {"pk": {"S": "p2"}, "sk": {"N": "2"}}}}]}}),
        ),
        (
            d,
            "TransactWriteItems",
            json!({"TransactItems": [
            {"Put": {"TableName": "tab", "Item": {"pk": {"S": "p3"}, "sk": {"N": "3"}}}},
            {"Update": {"TableName": "tab", "Key": key, "UpdateExpression": "SET n = :v",
                "ExpressionAttributeValues": {":v": {"N": "7"}}}},
            {"ConditionCheck": {"TableName": "hsh", "Key": {"id": {"S": "a"}},
                "ConditionExpression": "attribute_exists(id)"}},
            {"Delete": {"TableName": "tab", "Key": {"pk": {"S": "p2"}, "sk": {"N": "2"}}}}]}),
        ),
        (
            d,
            "TransactGetItems",
            json!({"TransactItems": [{"Get": {"TableName": "tab", "Key": key}},
            {"Get": {"TableName": "hsh", "Key": {"id": {"S": "a"}}, "ProjectionExpression": "id"}}]}),
        ),
        (
            d,
            "ExecuteStatement",
            json!({"Statement": "SELECT pk, n FROM \"tab\" WHERE pk = ? AND sk > 0",
            "Parameters": [{"S": "p1"}]}),
        ),
        (
            d,
            "ExecuteStatement",
            json!({"Statement": "INSERT INTO \"tab\" VALUE {'pk': 'p9', 'sk': 9, 'l': [1, 'a']}"}),
        ),
        (
            d,
            "ExecuteStatement",
            json!({"Statement": "UPDATE \"tab\" SET n = n + 1 SET l[0] = 'b' REMOVE g WHERE pk = 'p1' AND sk = 1"}),
        ),
        (
            d,
            "ExecuteStatement",
            json!({"Statement": "DELETE FROM \"tab\" WHERE pk = 'p9' AND sk = 9"}),
        ),
        (
            d,
            "BatchExecuteStatement",
            json!({"Statements": [
            {"Statement": "UPDATE \"hsh\" SET w = ? WHERE id = 'a'", "Parameters": [{"S": "a"}]},
            {"Statement": "UPDATE \"hsh\" SET v = 1 WHERE id = 'a'"}]}),
        ),
        (
            d,
            "ExecuteTransaction",
            json!({"TransactStatements": [
            {"Statement": "UPDATE \"hsh\" SET v = 2 WHERE id = 'a'"},
            {"Statement": "INSERT INTO \"tab\" VALUE {'pk': 'p8', 'sk': 8}"}]}),
        ),
        (
            d,
            "CreateTable",
            json!({"TableName": "cre",
            "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"},
                {"AttributeName": "b", "AttributeType": "B"}, {"AttributeName": "c", "AttributeType": "N"}],
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            "LocalSecondaryIndexes": [{"IndexName": "lsi", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"},
                {"AttributeName": "c", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["z"]}}],
            "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}],
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "SSESpecification": {"Enabled": true, "SSEType": "KMS"},
            "Tags": [{"Key": "k", "Value": "v"}], "DeletionProtectionEnabled": false}),
        ),
        (
            d,
            "UpdateTable",
            json!({"TableName": "tab",
            "AttributeDefinitions": [{"AttributeName": "n2", "AttributeType": "N"}],
            "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "by_n2",
                "KeySchema": [{"AttributeName": "n2", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}]}),
        ),
        (
            d,
            "UpdateTable",
            json!({"TableName": "hsh", "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 3}}),
        ),
        // A stream is changed on its own (AWS refuses it beside a capacity change).
        (
            d,
            "UpdateTable",
            json!({"TableName": "hsh",
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"}}),
        ),
        (
            d,
            "UpdateTimeToLive",
            json!({"TableName": "hsh",
            "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "exp"}}),
        ),
        (d, "DescribeTable", json!({"TableName": "tab"})),
        (
            d,
            "ListTables",
            json!({"ExclusiveStartTableName": "aaa", "Limit": 1}),
        ),
        (
            d,
            "TagResource",
            json!({"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/tab",
            "Tags": [{"Key": "team", "Value": "blue"}]}),
        ),
        (
            d,
            "UntagResource",
            json!({"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/tab",
            "TagKeys": ["team"]}),
        ),
        (
            d,
            "PutResourcePolicy",
            json!({"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/hsh",
            "Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"dynamodb:GetItem\",\"Resource\":\"arn:aws:dynamodb:us-east-1:000000000000:table/hsh\"}]}"}),
        ),
        (
            d,
            "CreateBackup",
            json!({"TableName": "tab", "BackupName": "bk1"}),
        ),
        (
            d,
            "UpdateContinuousBackups",
            json!({"TableName": "tab",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true,
                "RecoveryPeriodInDays": 7}}),
        ),
        (
            d,
            "RestoreTableToPointInTime",
            json!({"SourceTableName": "tab", "TargetTableName": "rst",
            "UseLatestRestorableTime": true, "BillingModeOverride": "PAY_PER_REQUEST"}),
        ),
        (d, "DescribeLimits", json!({})),
        (
            "dynamodbstreams",
            "ListStreams",
            json!({"TableName": "tab", "Limit": 5}),
        ),
        (
            "dynamodbstreams",
            "GetShardIterator",
            json!({"StreamArn": "STREAM",
            "ShardId": "SHARD", "ShardIteratorType": "AT_SEQUENCE_NUMBER",
            "SequenceNumber": "SEQUENCE"}),
        ),
        (
            "dynamodbstreams",
            "DescribeStream",
            json!({"StreamArn": "STREAM", "Limit": 1,
            "ExclusiveStartShardId": "SHARD"}),
        ),
        (
            "dynamodbstreams",
            "GetRecords",
            json!({"ShardIterator": "ITERATOR", "Limit": 3}),
        ),
    ]
}

/// Tables `tab` (pk S, sk N; GSI by_g, LSI by_n; stream; TTL on `ttl`) and `hsh` (id S), with items.
fn setup(w: &mut World) -> Placeholders {
    w.ok(
        "CreateTable",
        json!({"TableName": "tab",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"}, {"AttributeName": "g", "AttributeType": "S"},
                {"AttributeName": "sk2", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
            "GlobalSecondaryIndexes": [{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}],
            "LocalSecondaryIndexes": [{"IndexName": "by_n", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk2", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            "StreamSpecification": {"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"}}),
    );
    w.ok(
        "UpdateTimeToLive",
        json!({"TableName": "tab", "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "ttl"}}),
    );
    w.ok(
        "CreateTable",
        json!({"TableName": "hsh", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"}),
    );
    for i in 0..6 {
        w.ok(
            "PutItem",
            json!({"TableName": "tab", "Item": {"pk": {"S": format!("p{}", i % 3)}, "sk": {"N": i.to_string()},
                "g": {"S": "x"}, "sk2": {"S": format!("a{i}")}, "n": {"N": "5"},
                "l": {"L": [{"S": "a"}]}, "ss": {"SS": ["a", "b"]}}}),
        );
    }
    w.ok(
        "PutItem",
        json!({"TableName": "hsh", "Item": {"id": {"S": "a"}}}),
    );
    let stream = w.ok("DescribeTable", json!({"TableName": "tab"}))["Table"]["LatestStreamArn"]
        .as_str()
        .unwrap()
        .to_string();
    let shard = w
        .call_to(
            "dynamodbstreams",
            "DescribeStream",
            json!({"StreamArn": stream}),
        )
        .unwrap()["StreamDescription"]["Shards"][0]["ShardId"]
        .as_str()
        .unwrap()
        .to_string();
    let iterator = w
        .call_to(
            "dynamodbstreams",
            "GetShardIterator",
            json!({"StreamArn": stream, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}),
        )
        .unwrap()["ShardIterator"]
        .as_str()
        .unwrap()
        .to_string();
    let sequence = w
        .call_to(
            "dynamodbstreams",
            "GetRecords",
            json!({"ShardIterator": iterator}),
        )
        .unwrap()["Records"][0]["dynamodb"]["SequenceNumber"]
        .as_str()
        .unwrap()
        .to_string();
    Placeholders::from([
        ("STREAM", stream),
        ("SHARD", shard),
        ("ITERATOR", iterator),
        ("SEQUENCE", sequence),
    ])
}

/// Words in the seeds ("STREAM", "SHARD"...) and what `setup` created in their place.
type Placeholders = BTreeMap<&'static str, String>;

fn fill(value: &mut Value, placeholders: &Placeholders) {
    match value {
        Value::String(s) => {
            if let Some(real) = placeholders.get(s.as_str()) {
                *s = real.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| fill(v, placeholders)),
        Value::Object(map) => map.values_mut().for_each(|v| fill(v, placeholders)),
        _ => {}
    }
}

/// A valid request: service, operation, input.
type Seed = (&'static str, &'static str, Value);

/// The seeds with their placeholders filled in, each sent once unmutated: a seed must succeed,
/// or the mutations would only ever test one error.
fn ready(w: &mut World, mut seeds: Vec<Seed>, placeholders: &Placeholders) -> Vec<Seed> {
    for (service, op, input) in &mut seeds {
        fill(input, placeholders);
        if let Err(e) = w.call_to(service, op, input.clone()) {
            panic!("the unmutated {op} seed fails: {e:?}");
        }
    }
    seeds
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Sends `rounds` mutated copies of every seed, and calls `between` after each round. Answers
/// the problems (panics, answers that are not client errors), stopping at ten. After a panic
/// the emulator may be inconsistent, so `fresh` builds the world anew.
fn fuzz(
    w: &mut World,
    seeds: &[Seed],
    rounds: usize,
    rng: &mut Rng,
    fresh: &dyn Fn() -> World,
    between: &mut dyn FnMut(&mut World, &mut Rng) -> Result<(), String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for round in 0..rounds {
        for (service, op, seed) in seeds {
            let mut request = seed.clone();
            for _ in 0..1 + rng.below(3) {
                mutate(rng, &mut request);
            }
            // Requests arrive as JSON text; what serde_json refuses to read (nesting beyond
            // 128) the protocol layer answers, and never reaches the service.
            if serde_json::from_str::<Value>(&request.to_string()).is_err() {
                continue;
            }
            match catch_unwind(AssertUnwindSafe(|| w.call_to(service, op, request.clone()))) {
                Err(panic) => {
                    let message = panic_message(panic);
                    problems.push(format!(
                        "round {round}: {op} panicked ({message}) on {request}"
                    ));
                    *w = fresh();
                }
                Ok(Err((code, status, message))) => {
                    if !(400..500).contains(&status) || code.is_empty() || message.is_empty() {
                        problems.push(format!(
                            "round {round}: {op} answered {status} {code} {message:?} to {request}"
                        ));
                    }
                }
                Ok(Ok(_)) => {}
            }
        }
        if let Err(problem) = between(w, rng) {
            problems.push(format!("round {round}: {problem}"));
            *w = fresh();
        }
        if problems.len() >= 10 {
            break;
        }
    }
    problems
}

/// The restarted emulator must show what the running one shows: no failed call changed memory
/// without changing the records.
fn assert_memory_matches_records(w: &mut World) {
    // Tables the mutations left with little provisioned capacity refill before the full scans.
    w.clock.advance(3_600_000);
    let shown = observable(w);
    let mut restarted = w.restart();
    assert_eq!(
        observable(&mut restarted),
        shown,
        "the memory and the persisted records disagree"
    );
}

/// What a person could see of the DynamoDB state: tables, their descriptions (without the
/// times), items, TTL, tags and streams.
fn observable(w: &mut World) -> Map<String, Value> {
    let mut seen = Map::new();
    let tables = w.ok("ListTables", json!({}))["TableNames"].clone();
    for name in tables.as_array().unwrap() {
        let mut table = w.ok("DescribeTable", json!({"TableName": name}))["Table"].take();
        strip_times(&mut table);
        let arn = table["TableArn"].clone();
        let mut items =
            w.ok("Scan", json!({"TableName": name, "ConsistentRead": true}))["Items"].take();
        items.as_array_mut().unwrap().sort_by_key(|i| i.to_string());
        let ttl = w.ok("DescribeTimeToLive", json!({"TableName": name}));
        let tags = w.ok("ListTagsOfResource", json!({"ResourceArn": arn}));
        seen.insert(
            name.as_str().unwrap().into(),
            json!({"table": table, "items": items, "ttl": ttl, "tags": tags}),
        );
    }
    seen.insert(
        "backups".into(),
        w.ok("ListBackups", json!({}))["BackupSummaries"].clone(),
    );
    seen
}

fn strip_times(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !k.ends_with("DateTime"));
            map.values_mut().for_each(strip_times);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_times),
        _ => {}
    }
}

const ROUNDS: usize = 200;

fn dynamodb_world() -> (World, Placeholders) {
    let mut w = World::new("dynamodb", ACCOUNT);
    let placeholders = setup(&mut w);
    (w, placeholders)
}

#[test]
fn mutated_requests_answer_client_errors_and_never_half_apply() {
    let (mut w, placeholders) = dynamodb_world();
    let seeds = ready(&mut w, seeds(), &placeholders);
    let problems = fuzz(
        &mut w,
        &seeds,
        ROUNDS,
        &mut Rng(0x5EED_0001),
        &|| dynamodb_world().0,
        &mut |_, _| Ok(()),
    );
    assert_memory_matches_records(&mut w);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Event source mappings on the table's stream: filter patterns of every kind, retries,
/// bisection, partial batch responses and an on-failure queue.
fn event_source_seeds() -> Vec<Seed> {
    // The unmutated patterns match the writes `deliver` makes. (DynamoDB numbers are strings
    // in the record, so numeric matching applies to SizeBytes.)
    let filters = json!({"Filters": [
        {"Pattern": json!({"eventName": ["INSERT", "MODIFY"], "dynamodb": {"NewImage": {
            "n": {"N": [{"anything-but": ["0"]}]},
            "g": {"S": [{"prefix": "x"}, {"anything-but": ["y", "z"]}]}}}}).to_string()},
        {"Pattern": json!({"dynamodb": {"Keys": {"pk": {"S": [{"suffix": "1"},
            {"equals-ignore-case": "P1"}]}}},
            "$or": [{"eventName": ["REMOVE"]}, {"userIdentity": {"type": [{"exists": true}]}},
                {"dynamodb": {"SizeBytes": [{"numeric": [">", 1, "<=", 10000]}]}}]}).to_string()},
    ]});
    vec![
        (
            "lambda",
            "CreateEventSourceMapping",
            json!({"FunctionName": "fn2",
            "EventSourceArn": "STREAM", "StartingPosition": "TRIM_HORIZON", "BatchSize": 3,
            "MaximumBatchingWindowInSeconds": 1, "FilterCriteria": filters,
            "MaximumRetryAttempts": 1, "BisectBatchOnFunctionError": true,
            "MaximumRecordAgeInSeconds": 60, "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:dlq"}},
            "ParallelizationFactor": 1, "Enabled": true}),
        ),
        (
            "lambda",
            "UpdateEventSourceMapping",
            json!({"UUID": "UUID", "BatchSize": 2,
            "FilterCriteria": filters, "MaximumRetryAttempts": 0, "Enabled": true}),
        ),
        ("lambda", "GetEventSourceMapping", json!({"UUID": "UUID"})),
        (
            "lambda",
            "ListEventSourceMappings",
            json!({"FunctionName": "fn",
            "EventSourceArn": "STREAM", "MaxItems": 5}),
        ),
        (
            "dynamodb",
            "PutItem",
            json!({"TableName": "tab", "Item": {"pk": {"S": "p1"},
            "sk": {"N": "7"}, "g": {"S": "xa"}, "n": {"N": "50"}}}),
        ),
        (
            "dynamodb",
            "UpdateItem",
            json!({"TableName": "tab",
            "Key": {"pk": {"S": "p1"}, "sk": {"N": "7"}}, "UpdateExpression": "SET n = n + :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}}}),
        ),
        (
            "dynamodb",
            "DeleteItem",
            json!({"TableName": "tab",
            "Key": {"pk": {"S": "p2"}, "sk": {"N": "2"}}}),
        ),
    ]
}

/// The DynamoDB setup plus functions `fn` and `fn2`, a queue `dlq` and a mapping for `fn` (its
/// UUID as "UUID").
fn event_source_world() -> (World, Placeholders) {
    let (mut w, mut placeholders) = dynamodb_world();
    let code = common::zip(&[("index.js", b"exports.handler = async (e) => {};")]);
    for name in ["fn", "fn2"] {
        w.call_to(
            "lambda",
            "CreateFunction",
            json!({"FunctionName": name, "Runtime": "nodejs20.x",
                   "Role": "arn:aws:iam::000000000000:role/r", "Handler": "index.handler",
                   "Code": {"ZipFile": common::b64(&code)}}),
        )
        .unwrap();
    }
    w.call_to("sqs", "CreateQueue", json!({"QueueName": "dlq"}))
        .unwrap();
    // The seed's mapping is for `fn2`; a function has one mapping per stream.
    let mut create = event_source_seeds().remove(0).2;
    fill(&mut create, &placeholders);
    create["FunctionName"] = json!("fn");
    let uuid = w
        .call_to("lambda", "CreateEventSourceMapping", create)
        .unwrap()["UUID"]
        .as_str()
        .unwrap()
        .to_string();
    placeholders.insert("UUID", uuid);
    (w, placeholders)
}

/// What the function answers to a batch: success, an error, or a payload a handler may return
/// (partial failures naming records of the batch or not, and things that are not JSON).
fn function_answer(rng: &mut Rng, batch: &Batch) -> Execution {
    let event: Value = serde_json::from_slice(&batch.prepared.payload).unwrap();
    let sequence =
        event["Records"][rng.below(batch.len().max(1))]["dynamodb"]["SequenceNumber"].clone();
    let mut result = ExecutionResult {
        log_stream: batch.prepared.new_log_stream.clone(),
        ..Default::default()
    };
    match rng.below(7) {
        0 => result.payload = b"null".to_vec(),
        1 => result.payload = b"not json".to_vec(),
        2 => {
            result.payload = json!({"batchItemFailures": [{"itemIdentifier": sequence}]})
                .to_string()
                .into_bytes()
        }
        3 => {
            result.payload = json!({"batchItemFailures": [{"itemIdentifier": "nope"}]})
                .to_string()
                .into_bytes()
        }
        4 => {
            result.payload = json!({"batchItemFailures": odd_value(rng)})
                .to_string()
                .into_bytes()
        }
        5 => result.timed_out = true,
        _ => {
            result.error = Some(FunctionError {
                error_type: "Error".into(),
                message: "boom".into(),
                trace: Vec::new(),
            })
        }
    }
    Execution::Ran(result)
}

/// A write the unmutated filters match, two seconds on (past the batching window), then every
/// ready batch delivered and answered.
fn deliver(w: &mut World, rng: &mut Rng) -> Result<(), String> {
    let item = json!({"pk": {"S": "p1"}, "sk": {"N": rng.below(20).to_string()},
        "g": {"S": "xa"}, "n": {"N": "50"}});
    w.call_to(
        "dynamodb",
        "PutItem",
        json!({"TableName": "tab", "Item": item}),
    )
    .map_err(|e| format!("a plain PutItem failed: {e:?}"))?;
    w.clock.advance(2_000);
    catch_unwind(AssertUnwindSafe(|| {
        let polled = w.emulator.poll_event_sources();
        w.changes.push(polled.changes);
        for batch in polled.batches {
            let execution = function_answer(rng, &batch);
            let changes = w.emulator.complete_event_source(&batch, execution);
            w.changes.push(changes);
        }
    }))
    .map_err(|panic| format!("delivery panicked ({})", panic_message(panic)))
}

#[test]
fn mutated_event_source_mappings_and_odd_function_answers_never_break_delivery() {
    let (mut w, placeholders) = event_source_world();
    let seeds = ready(&mut w, event_source_seeds(), &placeholders);
    let problems = fuzz(
        &mut w,
        &seeds,
        ROUNDS,
        &mut Rng(0x5EED_0002),
        &|| event_source_world().0,
        &mut deliver,
    );
    assert_memory_matches_records(&mut w);
    let mappings = w
        .call_to("lambda", "ListEventSourceMappings", json!({}))
        .unwrap();
    assert!(!mappings["EventSourceMappings"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
