//! DynamoDB Query and Scan through the emulator's entry point, in the canonical JSON form.

mod common;

use common::{table_input, ACCOUNT};
use serde_json::{json, Value};

type World = common::World<(String, String)>;

/// Query and Scan must change nothing.
fn world() -> World {
    let mut w = World::new("dynamodb", ACCOUNT);
    w.read_only = &["Query", "Scan"];
    w
}

impl World {
    /// Table `t`, keyed by `pk` (S) and `sk` of type `sort` when given.
    fn table(&mut self, sort: Option<&str>) {
        self.ok("CreateTable", table_input("tbl", sort));
    }

    fn put(&mut self, item: Value) {
        self.ok("PutItem", json!({"TableName": "tbl", "Item": item}));
    }

    /// Every page of `op` with `input`, following LastEvaluatedKey; answers the pages.
    fn pages(&mut self, op: &str, input: Value) -> Vec<Value> {
        let mut pages = Vec::new();
        let mut request = input.clone();
        loop {
            let page = self.ok(op, request.clone());
            let next = page.get("LastEvaluatedKey").cloned();
            pages.push(page);
            match next {
                Some(key) => request["ExclusiveStartKey"] = key,
                None => return pages,
            }
            assert!(pages.len() < 1000, "pagination does not end");
        }
    }
}

fn sort_keys(answer: &Value, kind: &str) -> Vec<String> {
    answer["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["sk"][kind].as_str().unwrap().to_string())
        .collect()
}

fn query(condition: &str, values: Value) -> Value {
    json!({"TableName": "tbl", "KeyConditionExpression": condition,
           "ExpressionAttributeValues": values})
}

#[test]
fn number_sort_keys_order_numerically() {
    let mut world = world();
    world.table(Some("N"));
    let numbers = [
        "10", "-1.5", "2", "-10", "0", "0.25", "-0.001", "1E+3", "9.99",
    ];
    for n in numbers {
        world.put(json!({"pk": {"S": "a"}, "sk": {"N": n}}));
        world.put(json!({"pk": {"S": "b"}, "sk": {"N": n}}));
    }
    let ascending = [
        "-10", "-1.5", "-0.001", "0", "0.25", "2", "9.99", "10", "1000",
    ];
    let cases: &[(&str, Value, bool, &[&str])] = &[
        ("pk = :p", json!({":p": {"S": "a"}}), true, &ascending),
        (
            "pk = :p",
            json!({":p": {"S": "a"}}),
            false,
            &[
                "1000", "10", "9.99", "2", "0.25", "0", "-0.001", "-1.5", "-10",
            ],
        ),
        (
            "pk = :p AND sk < :v",
            json!({":p": {"S": "a"}, ":v": {"N": "0"}}),
            true,
            &["-10", "-1.5", "-0.001"],
        ),
        (
            "pk = :p AND sk <= :v",
            json!({":p": {"S": "a"}, ":v": {"N": "0"}}),
            true,
            &["-10", "-1.5", "-0.001", "0"],
        ),
        (
            "pk = :p AND sk > :v",
            json!({":p": {"S": "a"}, ":v": {"N": "9.99"}}),
            true,
            &["10", "1000"],
        ),
        (
            "pk = :p AND sk >= :v",
            json!({":p": {"S": "a"}, ":v": {"N": "9.99"}}),
            false,
            &["1000", "10", "9.99"],
        ),
        (
            "pk = :p AND sk = :v",
            json!({":p": {"S": "a"}, ":v": {"N": "0.250"}}),
            true,
            &["0.25"],
        ),
        (
            "pk = :p AND sk BETWEEN :lo AND :hi",
            json!({":p": {"S": "a"}, ":lo": {"N": "-1.5"}, ":hi": {"N": "2"}}),
            true,
            &["-1.5", "-0.001", "0", "0.25", "2"],
        ),
        ("pk = :p", json!({":p": {"S": "zzz"}}), true, &[]),
    ];
    for (condition, values, forward, expected) in cases {
        let mut input = query(condition, values.clone());
        input["ScanIndexForward"] = json!(forward);
        let answer = world.ok("Query", input);
        assert_eq!(sort_keys(&answer, "N"), *expected, "{condition} {values}");
        assert_eq!(answer["Count"], json!(expected.len()), "{condition}");
        assert_eq!(answer["ScannedCount"], json!(expected.len()), "{condition}");
    }
}

#[test]
fn string_sort_keys_order_bytewise_and_begins_with() {
    let mut world = world();
    world.table(Some("S"));
    for sk in ["b", "a", "B", "ab", "a\u{0}", "aa", "é", "abc"] {
        world.put(json!({"pk": {"S": "p"}, "sk": {"S": sk}}));
    }
    world.put(json!({"pk": {"S": "p2"}, "sk": {"S": "a"}}));
    let answer = world.ok("Query", query("pk = :p", json!({":p": {"S": "p"}})));
    assert_eq!(
        sort_keys(&answer, "S"),
        ["B", "a", "a\u{0}", "aa", "ab", "abc", "b", "é"]
    );
    let answer = world.ok(
        "Query",
        query(
            "pk = :p AND begins_with(sk, :s)",
            json!({":p": {"S": "p"}, ":s": {"S": "ab"}}),
        ),
    );
    assert_eq!(sort_keys(&answer, "S"), ["ab", "abc"]);
}

#[test]
fn query_pages_round_trip_both_directions() {
    let mut world = world();
    world.table(Some("N"));
    for i in 0..25 {
        world.put(json!({"pk": {"S": "a"}, "sk": {"N": i.to_string()}}));
        world.put(json!({"pk": {"S": "c"}, "sk": {"N": i.to_string()}}));
    }
    for forward in [true, false] {
        let mut input = query("pk = :p", json!({":p": {"S": "a"}}));
        input["Limit"] = json!(10);
        input["ScanIndexForward"] = json!(forward);
        let pages = world.pages("Query", input);
        // 10 + 10 + 5; the 5-item page is not full, so it carries no LastEvaluatedKey.
        assert_eq!(pages.len(), 3);
        let all: Vec<String> = pages.iter().flat_map(|p| sort_keys(p, "N")).collect();
        let mut expected: Vec<String> = (0..25).map(|i| i.to_string()).collect();
        if !forward {
            expected.reverse();
        }
        assert_eq!(all, expected);
        assert_eq!(
            pages[0]["LastEvaluatedKey"],
            json!({"pk": {"S": "a"}, "sk": {"N": if forward { "9" } else { "15" }}})
        );
    }
    // AWS answers a LastEvaluatedKey whenever Limit stopped the read, even at the end.
    let mut input = query("pk = :p", json!({":p": {"S": "a"}}));
    input["Limit"] = json!(25);
    let answer = world.ok("Query", input.clone());
    assert_eq!(answer["Count"], json!(25));
    input["ExclusiveStartKey"] = answer["LastEvaluatedKey"].clone();
    let last = world.ok("Query", input);
    assert_eq!(last["Count"], json!(0));
    assert!(last.get("LastEvaluatedKey").is_none());
}

// DynamoDB refuses an ExclusiveStartKey its key condition could not have returned
// (ScyllaDB's Alternator tests, run against DynamoDB, quote both messages).
#[test]
fn a_start_key_outside_the_key_condition_is_refused() {
    let mut world = world();
    world.table(Some("N"));
    let with_start = |condition: &str, start: Value| {
        let mut input = query(condition, json!({":p": {"S": "a"}, ":s": {"N": "5"}}));
        if !condition.contains(":s") {
            input["ExpressionAttributeValues"]
                .as_object_mut()
                .unwrap()
                .remove(":s");
        }
        input["ExclusiveStartKey"] = start;
        input
    };
    let outside = Err((
        "ValidationException".to_string(),
        "The provided starting key is outside query boundaries based on provided conditions"
            .to_string(),
    ));
    let cases = [
        (
            with_start("pk = :p", json!({"pk": {"S": "a"}, "sk": {"N": "9"}})),
            Ok(()),
        ),
        (
            with_start("pk = :p", json!({"pk": {"S": "b"}, "sk": {"N": "9"}})),
            outside.clone(),
        ),
        (
            with_start(
                "pk = :p AND sk > :s",
                json!({"pk": {"S": "a"}, "sk": {"N": "5.0"}}),
            ),
            outside.clone(),
        ),
        (
            with_start(
                "pk = :p AND sk >= :s",
                json!({"pk": {"S": "a"}, "sk": {"N": "5.0"}}),
            ),
            Ok(()),
        ),
        (
            with_start(
                "pk = :p AND sk = :s",
                json!({"pk": {"S": "a"}, "sk": {"N": "6"}}),
            ),
            outside,
        ),
        (
            with_start(
                "pk = :p AND sk = :s",
                json!({"pk": {"S": "b"}, "sk": {"N": "5"}}),
            ),
            Err((
                "ValidationException".to_string(),
                "The query can return at most one row and cannot be restarted".to_string(),
            )),
        ),
    ];
    for (input, expected) in cases {
        let answer = world.call("Query", input.clone()).map(|_| ());
        assert_eq!(answer, expected, "{input}");
    }
}

#[test]
fn scan_pages_cover_the_table_once() {
    let mut world = world();
    world.table(None);
    for i in 0..37 {
        world.put(json!({"pk": {"S": format!("item{i:03}")}, "v": {"N": i.to_string()}}));
    }
    let pages = world.pages("Scan", json!({"TableName": "tbl", "Limit": 8}));
    assert_eq!(pages.len(), 5);
    let mut seen: Vec<String> = pages
        .iter()
        .flat_map(|p| p["Items"].as_array().unwrap().clone())
        .map(|item| item["pk"]["S"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen.len(), 37);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 37);
    assert_eq!(
        pages[0]["LastEvaluatedKey"],
        json!({"pk": {"S": "item007"}})
    );

    // Parallel scan: the segments partition the table.
    let mut total = 0;
    for segment in 0..3 {
        let answer = world.ok(
            "Scan",
            json!({"TableName": "tbl", "Segment": segment, "TotalSegments": 3, "Select": "COUNT"}),
        );
        assert!(answer.get("Items").is_none());
        total += answer["Count"].as_i64().unwrap();
    }
    assert_eq!(total, 37);
    // A segment pages through its own keys; a start key of another segment is refused
    // (ScyllaDB's Alternator tests, run against DynamoDB).
    let mut segment = |n: u64| {
        let pages = world.pages(
            "Scan",
            json!({"TableName": "tbl", "Segment": n, "TotalSegments": 3, "Limit": 2}),
        );
        pages
            .iter()
            .flat_map(|p| p["Items"].as_array().unwrap().clone())
            .collect::<Vec<_>>()
    };
    let (first, second) = (segment(0), segment(1));
    assert_eq!(first.len() + second.len() + segment(2).len(), 37);
    assert_eq!(
        world.call(
            "Scan",
            json!({"TableName": "tbl", "Segment": 0, "TotalSegments": 3,
                   "ExclusiveStartKey": {"pk": second[0]["pk"]}}),
        ),
        Err((
            "ValidationException".to_string(),
            "The provided Exclusive start key does not map to the provided Segment and TotalSegments values.".to_string()
        ))
    );
}

#[test]
fn pages_stop_at_one_megabyte_before_the_limit() {
    let mut world = world();
    world.table(Some("N"));
    // 30 items of ~100 KB: 11 of them pass 1 MB (10 reach 1,000,000 bytes, below 1 MiB).
    let blob = "x".repeat(100_000);
    for i in 0..30 {
        world.put(json!({"pk": {"S": "a"}, "sk": {"N": i.to_string()}, "data": {"S": blob}}));
    }
    let mut input = query("pk = :p", json!({":p": {"S": "a"}}));
    input["Limit"] = json!(100);
    input["ReturnConsumedCapacity"] = json!("TOTAL");
    let first = world.ok("Query", input.clone());
    assert_eq!(first["Count"], json!(11));
    assert_eq!(
        first["LastEvaluatedKey"],
        json!({"pk": {"S": "a"}, "sk": {"N": "10"}})
    );
    // ~1.1 MB read eventually consistently: 269 units of 4 KB, halved.
    assert_eq!(first["ConsumedCapacity"]["CapacityUnits"], json!(134.5));
    let pages = world.pages("Query", input);
    let counts: Vec<i64> = pages.iter().map(|p| p["Count"].as_i64().unwrap()).collect();
    assert_eq!(counts, [11, 11, 8]);

    let scan = world.ok("Scan", json!({"TableName": "tbl", "Select": "COUNT"}));
    assert_eq!(scan["Count"], json!(11));
    assert_eq!(scan["ScannedCount"], json!(11));
}

#[test]
fn projection_and_select() {
    let mut world = world();
    world.table(Some("S"));
    world.put(
        json!({"pk": {"S": "a"}, "sk": {"S": "1"}, "name": {"S": "x"},
                     "doc": {"M": {"deep": {"N": "1"}, "other": {"N": "2"}}}}),
    );
    let answer = world.ok(
        "Query",
        json!({"TableName": "tbl", "KeyConditionExpression": "#k = :p",
               "ProjectionExpression": "#n, doc.deep",
               "ExpressionAttributeNames": {"#k": "pk", "#n": "name"},
               "ExpressionAttributeValues": {":p": {"S": "a"}}}),
    );
    assert_eq!(
        answer["Items"],
        json!([{"name": {"S": "x"}, "doc": {"M": {"deep": {"N": "1"}}}}])
    );
    let answer = world.ok(
        "Scan",
        json!({"TableName": "tbl", "Select": "SPECIFIC_ATTRIBUTES", "ProjectionExpression": "sk"}),
    );
    assert_eq!(answer["Items"], json!([{"sk": {"S": "1"}}]));
    let answer = world.ok(
        "Query",
        json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p", "Select": "COUNT",
               "ExpressionAttributeValues": {":p": {"S": "a"}}}),
    );
    assert_eq!(answer, json!({"Count": 1, "ScannedCount": 1}));
}

#[test]
fn query_errors_use_aws_words() {
    let mut world = world();
    world.table(Some("N"));
    let v = "ValidationException";
    let cases: &[(Value, &str, &str)] = &[
        (
            query("sk = :v", json!({":v": {"N": "1"}})),
            v,
            "Query condition missed key schema element: pk",
        ),
        (
            query("pk > :p", json!({":p": {"S": "a"}})),
            v,
            "Query key condition not supported",
        ),
        (
            query("pk = :p AND", json!({":p": {"S": "a"}})),
            v,
            "Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\"",
        ),
        (
            query("pk = :p", json!({":p": {"S": "a"}, ":x": {"N": "1"}})),
            v,
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}",
        ),
        (
            query("pk = :y", json!({":p": {"S": "a"}})),
            v,
            "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :y",
        ),
        (
            query("pk = :p", json!({":p": {"N": "1"}})),
            v,
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        ),
        (
            query("pk = :p AND sk = :s", json!({":p": {"S": "a"}, ":s": {"S": "1"}})),
            v,
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        ),
        (
            query("pk = :p AND begins_with(sk, :s)", json!({":p": {"S": "a"}, ":s": {"N": "1"}})),
            v,
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
        ),
        (
            query("pk = :p AND sk > :s AND sk < :s", json!({":p": {"S": "a"}, ":s": {"N": "1"}})),
            v,
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (
            query("pk = :p AND #x = :s", json!({":p": {"S": "a"}, ":s": {"N": "1"}})),
            v,
            "Invalid KeyConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x",
        ),
        (
            json!({"TableName": "tbl"}),
            v,
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        ),
        (
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p", "Select": "COUNT",
                   "ProjectionExpression": "a", "ExpressionAttributeValues": {":p": {"S": "a"}}}),
            v,
            "1 validation error detected: Cannot specify the ProjectionExpression when choosing to get only the Count",
        ),
        (
            json!({"TableName": "missing", "KeyConditionExpression": "pk = :p",
                   "ExpressionAttributeValues": {":p": {"S": "a"}}}),
            "ResourceNotFoundException",
            "Requested resource not found",
        ),
        (
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p", "Limit": 0,
                   "ExpressionAttributeValues": {":p": {"S": "a"}}}),
            v,
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
        ),
        (
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p",
                   "ExpressionAttributeValues": {":p": {"S": "a"}},
                   "ExclusiveStartKey": {"pk": {"S": "a"}}}),
            v,
            // Query's short form (Scan adds why: see scan_errors_use_aws_words).
            "The provided starting key is invalid",
        ),
        (
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p",
                   "FilterExpression": "sk > :s",
                   "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "1"}}}),
            v,
            "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk",
        ),
        (
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = :p",
                   "FilterExpression": "x = :z",
                   "ExpressionAttributeValues": {":p": {"S": "a"}}}),
            v,
            "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :z",
        ),
    ];
    for (input, code, message) in cases {
        assert_eq!(
            world.call("Query", input.clone()),
            Err((code.to_string(), message.to_string())),
            "{input}"
        );
    }
}

/// Key condition refusals from moto's suite (test_key_length_exceptions,
/// test_query_unused_attribute_name [AWS-verified], test_conditions_ignorecase).
#[test]
fn key_condition_refusals_use_aws_words() {
    let mut world = world();
    world.table(Some("S"));
    let empty_key = |key: &str| {
        format!("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: {key}")
    };
    let multiple = "Invalid KeyConditionExpression: Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition";
    let cases: Vec<(Value, String)> = vec![
        (query("pk = :p", json!({":p": {"S": ""}})), empty_key("pk")),
        (
            query("pk = :p AND sk = :s", json!({":p": {"S": "a"}, ":s": {"S": ""}})),
            empty_key("sk"),
        ),
        (
            query("pk = :p AND sk BETWEEN :s AND :t", json!({":p": {"S": "a"}, ":s": {"S": ""}, ":t": {"S": "b"}})),
            empty_key("sk"),
        ),
        // A bare name where the value belongs is read as a second attribute name.
        (
            json!({"TableName": "tbl", "KeyConditionExpression": "(#0 = x)",
                   "ExpressionAttributeNames": {"#0": "pk"}}),
            multiple.to_string(),
        ),
        (
            json!({"TableName": "tbl", "KeyConditionExpression": "#0 = #1",
                   "ExpressionAttributeNames": {"#0": "pk", "#1": "sk"}}),
            multiple.to_string(),
        ),
        (
            json!({"TableName": "tbl", "KeyConditionExpression": "pk = #nope"}),
            "Invalid KeyConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #nope".to_string(),
        ),
        // Function names are case sensitive.
        (
            query("pk = :p AND BegIns_WiTh(sk, :s)", json!({":p": {"S": "a"}, ":s": {"S": "1"}})),
            "Invalid KeyConditionExpression: Invalid function name; function: BegIns_WiTh".to_string(),
        ),
        (
            query("pk = :p AND contains(sk, :s)", json!({":p": {"S": "a"}, ":s": {"S": "1"}})),
            "Invalid KeyConditionExpression: The function is not allowed in a key condition; function: contains".to_string(),
        ),
        (
            {
                let mut input = query("pk = :p", json!({":p": {"S": "a"}}));
                input["AttributesToGet"] = json!([]);
                input
            },
            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1".to_string(),
        ),
        (
            query("pk=:p AND begins_with sk, :s ", json!({":p": {"S": "a"}, ":s": {"S": "1"}})),
            "Invalid KeyConditionExpression: Syntax error; token: \"sk\", near: \"begins_with sk,\"".to_string(),
        ),
    ];
    for (input, message) in cases {
        assert_eq!(
            world.call("Query", input.clone()),
            Err(("ValidationException".to_string(), message)),
            "{input}"
        );
    }
}

#[test]
fn scan_errors_use_aws_words() {
    let mut world = world();
    world.table(None);
    let cases: &[(Value, &str)] = &[
        (
            json!({"TableName": "tbl", "Segment": 0}),
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
        ),
        (
            json!({"TableName": "tbl", "TotalSegments": 2}),
            "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
        ),
        (
            json!({"TableName": "tbl", "Segment": 2, "TotalSegments": 2}),
            "The Segment parameter is zero-based and must be less than parameter TotalSegments",
        ),
        (
            json!({"TableName": "tbl", "Select": "SPECIFIC_ATTRIBUTES"}),
            "1 validation error detected: Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
        ),
        (
            json!({"TableName": "tbl", "Select": "COUNT", "ProjectionExpression": "a"}),
            "1 validation error detected: Cannot specify the ProjectionExpression when choosing to get only the Count",
        ),
        (
            json!({"TableName": "tbl", "Select": "ALL_PROJECTED_ATTRIBUTES"}),
            "1 validation error detected: ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
        ),
        (
            json!({"TableName": "tbl", "ExclusiveStartKey": {"pk": {"N": "x"}}}),
            "The provided starting key is invalid: The parameter cannot be converted to a numeric value: x",
        ),
        (
            json!({"TableName": "tbl", "ExclusiveStartKey": {"bad": {"S": "p"}}}),
            "The provided starting key is invalid: The provided key element does not match the schema",
        ),
        (
            json!({"TableName": "tbl", "ExpressionAttributeValues": {":a": {"S": "x"}}}),
            "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null",
        ),
        (
            json!({"TableName": "tbl", "AttributesToGet": []}),
            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
    ];
    for (input, message) in cases {
        assert_eq!(
            world.call("Scan", input.clone()),
            Err(("ValidationException".to_string(), message.to_string())),
            "{input}"
        );
    }
}

#[test]
fn filter_expressions_select_after_reading() {
    let mut world = world();
    world.table(None);
    let items = [
        json!({"pk": {"S": "a"}, "n": {"N": "1"}, "s": {"S": "apple"}, "tags": {"SS": ["red", "green"]},
               "doc": {"M": {"level": {"N": "3"}}}}),
        json!({"pk": {"S": "b"}, "n": {"N": "-2.5"}, "s": {"S": "banana"}, "tags": {"SS": ["yellow"]},
               "list": {"L": [{"S": "x"}, {"N": "7"}]}}),
        json!({"pk": {"S": "c"}, "n": {"N": "10"}, "s": {"S": "cherry"}}),
        json!({"pk": {"S": "d"}, "s": {"S": "date"}, "flag": {"BOOL": true}}),
    ];
    for item in items {
        world.put(item);
    }
    let cases: &[(&str, Value, &[&str])] = &[
        ("n > :v", json!({":v": {"N": "0"}}), &["a", "c"]),
        ("n <= :v", json!({":v": {"N": "1"}}), &["a", "b"]),
        ("n = :v", json!({":v": {"N": "10.0"}}), &["c"]),
        // A missing attribute equals nothing, so `<>` holds for "d".
        ("n <> :v", json!({":v": {"N": "1"}}), &["b", "c", "d"]),
        ("n > :v", json!({":v": {"S": "0"}}), &[]),
        (
            "n BETWEEN :a AND :b",
            json!({":a": {"N": "-3"}, ":b": {"N": "1"}}),
            &["a", "b"],
        ),
        (
            "s IN (:a, :b)",
            json!({":a": {"S": "date"}, ":b": {"S": "apple"}}),
            &["a", "d"],
        ),
        ("begins_with(s, :p)", json!({":p": {"S": "b"}}), &["b"]),
        ("contains(s, :p)", json!({":p": {"S": "an"}}), &["b"]),
        ("contains(tags, :p)", json!({":p": {"S": "red"}}), &["a"]),
        ("contains(#li, :p)", json!({":p": {"N": "7"}}), &["b"]),
        (
            "attribute_exists(doc.#lv) AND doc.#lv >= :v",
            json!({":v": {"N": "3"}}),
            &["a"],
        ),
        (
            "attribute_not_exists(n) OR n < :v",
            json!({":v": {"N": "0"}}),
            &["b", "d"],
        ),
        (
            "NOT (n > :v) AND attribute_exists(n)",
            json!({":v": {"N": "0"}}),
            &["b"],
        ),
        ("flag = :t", json!({":t": {"BOOL": true}}), &["d"]),
    ];
    for (filter, values, expected) in cases {
        let mut input = json!({"TableName": "tbl", "FilterExpression": filter,
                               "ExpressionAttributeValues": values});
        let mut names = serde_json::Map::new();
        for (k, v) in [("#lv", "level"), ("#li", "list")] {
            if filter.contains(k) {
                names.insert(k.into(), json!(v));
            }
        }
        if !names.is_empty() {
            input["ExpressionAttributeNames"] = Value::Object(names);
        }
        let answer = world.ok("Scan", input);
        let mut got: Vec<&str> = answer["Items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["pk"]["S"].as_str().unwrap())
            .collect();
        got.sort();
        assert_eq!(got, *expected, "{filter}");
        assert_eq!(answer["Count"], json!(expected.len()), "{filter}");
        assert_eq!(answer["ScannedCount"], json!(4), "{filter}");
    }
    // Limit counts the items read, not the items kept.
    let pages = world.pages(
        "Scan",
        json!({"TableName": "tbl", "Limit": 2, "FilterExpression": "n > :v",
               "ExpressionAttributeValues": {":v": {"N": "5"}}}),
    );
    let scanned: i64 = pages
        .iter()
        .map(|p| p["ScannedCount"].as_i64().unwrap())
        .sum();
    let kept: i64 = pages.iter().map(|p| p["Count"].as_i64().unwrap()).sum();
    assert_eq!((scanned, kept), (4, 1));
    for (filter, message) in [
        (
            "n >",
            "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \">\"",
        ),
        (
            "size(n) AND n > :v",
            "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: size",
        ),
        (
            "n > :v AND m = :w",
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}",
        ),
    ] {
        let values = if filter.contains(":w") {
            json!({":v": {"N": "1"}, ":w": {"N": "1"}, ":x": {"N": "1"}})
        } else {
            json!({":v": {"N": "1"}})
        };
        assert_eq!(
            world.call(
                "Scan",
                json!({"TableName": "tbl", "FilterExpression": filter,
                       "ExpressionAttributeValues": values})
            ),
            Err(("ValidationException".to_string(), message.to_string())),
            "{filter}"
        );
    }
}

/// AWS reports an empty FilterExpression before it reads the key condition
/// (moto's test_query_with_empty_filter_expression, AWS-verified).
#[test]
fn an_empty_filter_is_reported_before_the_key_condition() {
    let mut world = world();
    world.table(Some("S"));
    assert_eq!(
        world.call(
            "Query",
            json!({"TableName": "tbl", "KeyConditionExpression": "partitionKey = sth",
                   "FilterExpression": ""})
        ),
        Err((
            "ValidationException".to_string(),
            "Invalid FilterExpression: The expression can not be empty;".to_string()
        ))
    );
}
