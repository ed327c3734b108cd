//! DynamoDB local and global secondary indexes through the emulator's entry point: index
//! maintenance by every write, Query and Scan with IndexName, UpdateTable's index updates.

mod common;

use common::ACCOUNT;
use serde_json::{json, Value};

type World = common::World<(String, String)>;

fn world() -> World {
    World::new("dynamodb", ACCOUNT)
}

impl World {
    /// Table `t` (pk S, sk N) with an LSI `by_rank` (pk, rank N, KEYS_ONLY), a GSI
    /// `by_group` (group S, rank N, INCLUDE label) and a GSI `by_owner` (owner S, ALL).
    fn table(&mut self) {
        self.ok(
            "CreateTable",
            json!({
                "TableName": "tbl",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "sk", "KeyType": "RANGE"}],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "N"},
                    {"AttributeName": "rank", "AttributeType": "N"},
                    {"AttributeName": "group", "AttributeType": "S"},
                    {"AttributeName": "owner", "AttributeType": "S"}],
                "LocalSecondaryIndexes": [{
                    "IndexName": "by_rank",
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "rank", "KeyType": "RANGE"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                "GlobalSecondaryIndexes": [
                    {"IndexName": "by_group",
                     "KeySchema": [{"AttributeName": "group", "KeyType": "HASH"},
                                   {"AttributeName": "rank", "KeyType": "RANGE"}],
                     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["label"]}},
                    {"IndexName": "by_owner",
                     "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                     "Projection": {"ProjectionType": "ALL"}}],
                "BillingMode": "PAY_PER_REQUEST"}),
        );
    }

    fn put(&mut self, item: Value) {
        self.ok("PutItem", json!({"TableName": "tbl", "Item": item}));
    }

    /// A Query on an index; `#g`, `#o` and `#r` stand for group, owner and rank (reserved
    /// words).
    fn query_index(&mut self, index: &str, condition: &str, values: Value) -> Value {
        let mut request = json!({"TableName": "tbl", "IndexName": index,
            "KeyConditionExpression": condition, "ExpressionAttributeValues": values});
        let names: serde_json::Map<String, Value> =
            [("#g", "group"), ("#o", "owner"), ("#r", "rank")]
                .into_iter()
                .filter(|(p, _)| condition.contains(p))
                .map(|(p, n)| (p.to_string(), json!(n)))
                .collect();
        if !names.is_empty() {
            request["ExpressionAttributeNames"] = Value::Object(names);
        }
        self.ok("Query", request)
    }
}

fn n(v: i64) -> Value {
    json!({"N": v.to_string()})
}

fn s(v: &str) -> Value {
    json!({"S": v})
}

fn column(items: &Value, attr: &str) -> Vec<String> {
    items["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let v = &i[attr];
            v["S"]
                .as_str()
                .or(v["N"].as_str())
                .unwrap_or("-")
                .to_string()
        })
        .collect()
}

#[test]
fn gsi_query_orders_by_index_sort_key_then_table_key_and_projects_include() {
    let mut w = world();
    w.table();
    for (pk, sk, rank) in [("a", 1, 30), ("b", 2, 10), ("c", 3, 20), ("a", 4, 20)] {
        w.put(
            json!({"pk": s(pk), "sk": n(sk), "group": s("g"), "rank": n(rank),
                     "label": s(&format!("{pk}{sk}")), "secret": s("x")}),
        );
    }
    w.put(json!({"pk": s("z"), "sk": n(9), "group": s("other"), "rank": n(1)}));
    let got = w.query_index("by_group", "#g = :g", json!({":g": s("g")}));
    // Ties on rank 20 go by the table's key: (a, 4) before (c, 3).
    assert_eq!(column(&got, "label"), ["b2", "a4", "c3", "a1"]);
    let first = got["Items"][0].as_object().unwrap();
    let mut names: Vec<&String> = first.keys().collect();
    names.sort();
    assert_eq!(names, ["group", "label", "pk", "rank", "sk"]);
}

#[test]
fn gsi_query_pages_carry_table_and_index_keys() {
    let mut w = world();
    w.table();
    for i in 0..7 {
        w.put(json!({"pk": s(&format!("p{i}")), "sk": n(i), "group": s("g"), "rank": n(i % 3)}));
    }
    let mut request = json!({"TableName": "tbl", "IndexName": "by_group",
        "KeyConditionExpression": "#grp = :g AND #r >= :low",
        "ExpressionAttributeNames": {"#grp": "group", "#r": "rank"},
        "ExpressionAttributeValues": {":g": s("g"), ":low": n(1)}, "Limit": 2});
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = w.ok("Query", request.clone());
        pages += 1;
        seen.extend(column(&page, "pk"));
        match page.get("LastEvaluatedKey") {
            Some(key) => {
                let mut names: Vec<&String> = key.as_object().unwrap().keys().collect();
                names.sort();
                assert_eq!(names, ["group", "pk", "rank", "sk"]);
                request["ExclusiveStartKey"] = key.clone();
            }
            None => break,
        }
    }
    assert_eq!(seen, ["p1", "p4", "p2", "p5"]);
    assert_eq!(pages, 3);
    // Backwards too.
    let got = w.ok(
        "Query",
        json!({"TableName": "tbl", "IndexName": "by_group", "ScanIndexForward": false,
               "KeyConditionExpression": "#grp = :g", "ExpressionAttributeNames": {"#grp": "group"},
               "ExpressionAttributeValues": {":g": s("g")}}),
    );
    assert_eq!(
        column(&got, "pk"),
        ["p5", "p2", "p4", "p1", "p6", "p3", "p0"]
    );
}

#[test]
fn sparse_index_follows_puts_updates_deletes_batches_and_transactions() {
    let mut w = world();
    w.table();
    w.put(json!({"pk": s("a"), "sk": n(1), "owner": s("ann")}));
    w.put(json!({"pk": s("b"), "sk": n(1)}));
    let owners = |w: &mut World| {
        let got = w.ok("Scan", json!({"TableName": "tbl", "IndexName": "by_owner"}));
        let mut pairs: Vec<String> = got["Items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                format!(
                    "{}={}",
                    i["pk"]["S"].as_str().unwrap(),
                    i["owner"]["S"].as_str().unwrap()
                )
            })
            .collect();
        pairs.sort();
        pairs
    };
    assert_eq!(owners(&mut w), ["a=ann"]);
    w.ok(
        "UpdateItem",
        json!({"TableName": "tbl", "Key": {"pk": s("b"), "sk": n(1)},
               "UpdateExpression": "SET #o = :o", "ExpressionAttributeNames": {"#o": "owner"},
               "ExpressionAttributeValues": {":o": s("bob")}}),
    );
    w.ok(
        "UpdateItem",
        json!({"TableName": "tbl", "Key": {"pk": s("a"), "sk": n(1)},
               "UpdateExpression": "REMOVE #o", "ExpressionAttributeNames": {"#o": "owner"}}),
    );
    assert_eq!(owners(&mut w), ["b=bob"]);
    w.ok(
        "BatchWriteItem",
        json!({"RequestItems": {"tbl": [
            {"PutRequest": {"Item": {"pk": s("c"), "sk": n(1), "owner": s("cid")}}},
            {"DeleteRequest": {"Key": {"pk": s("b"), "sk": n(1)}}}]}}),
    );
    assert_eq!(owners(&mut w), ["c=cid"]);
    w.ok(
        "TransactWriteItems",
        json!({"TransactItems": [
            {"Put": {"TableName": "tbl", "Item": {"pk": s("d"), "sk": n(1), "owner": s("cid")}}},
            {"Update": {"TableName": "tbl", "Key": {"pk": s("c"), "sk": n(1)},
                        "UpdateExpression": "SET #o = :o", "ExpressionAttributeNames": {"#o": "owner"},
                        "ExpressionAttributeValues": {":o": s("dee")}}}]}),
    );
    assert_eq!(owners(&mut w), ["c=dee", "d=cid"]);
    let got = w.query_index("by_owner", "#o = :o", json!({":o": s("cid")}));
    assert_eq!(column(&got, "pk"), ["d"]);
    let described = w.ok("DescribeTable", json!({"TableName": "tbl"}));
    let gsis = described["Table"]["GlobalSecondaryIndexes"]
        .as_array()
        .unwrap();
    let by_owner = gsis.iter().find(|g| g["IndexName"] == "by_owner").unwrap();
    assert_eq!(by_owner["ItemCount"], 2);
    assert_eq!(by_owner["IndexStatus"], "ACTIVE");
    assert!(by_owner["IndexArn"]
        .as_str()
        .unwrap()
        .ends_with(":table/tbl/index/by_owner"));
}

#[test]
fn lsi_query_projects_keys_and_fetches_the_rest_when_asked() {
    let mut w = world();
    w.table();
    for (sk, rank) in [(1, 5), (2, 3), (3, 9)] {
        w.put(json!({"pk": s("p"), "sk": n(sk), "rank": n(rank), "body": s("text")}));
    }
    w.put(json!({"pk": s("p"), "sk": n(4), "body": s("no rank")}));
    let got = w.ok(
        "Query",
        json!({"TableName": "tbl", "IndexName": "by_rank",
               "KeyConditionExpression": "pk = :p AND #r > :r",
               "ExpressionAttributeNames": {"#r": "rank"},
               "ExpressionAttributeValues": {":p": s("p"), ":r": n(3)}}),
    );
    assert_eq!(column(&got, "sk"), ["1", "3"]);
    assert!(got["Items"][0].get("body").is_none(), "KEYS_ONLY: {got}");
    let got = w.ok(
        "Query",
        json!({"TableName": "tbl", "IndexName": "by_rank", "Select": "ALL_ATTRIBUTES",
               "KeyConditionExpression": "pk = :p", "ConsistentRead": true,
               "ExpressionAttributeValues": {":p": s("p")}}),
    );
    assert_eq!(column(&got, "sk"), ["2", "1", "3"]);
    assert_eq!(got["Items"][0]["body"], s("text"));
    let got = w.ok(
        "Query",
        json!({"TableName": "tbl", "IndexName": "by_rank", "ProjectionExpression": "body, sk",
               "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": s("p")}}),
    );
    assert_eq!(got["Items"][0], json!({"sk": n(2), "body": s("text")}));
    // The filter reads only what the index holds, whatever the answer fetches: a filter on
    // an attribute the index lacks is refused; one on the table's sort key is not.
    let filtered = |w: &mut World, filter: &str, select: Value| {
        let mut input = json!({"TableName": "tbl", "IndexName": "by_rank",
            "KeyConditionExpression": "pk = :p", "FilterExpression": filter,
            "ExpressionAttributeValues": {":p": s("p"), ":v": s("text")}});
        if let Some(extra) = select.as_object() {
            for (k, v) in extra {
                input[k] = v.clone();
            }
        }
        w.call("Query", input)
    };
    let refused = Err((
        "ValidationException".to_string(),
        "One or more parameter values were invalid: Index by_rank does not project the filter attribute body".to_string(),
    ));
    assert_eq!(filtered(&mut w, "body = :v", json!({})), refused);
    assert_eq!(
        filtered(&mut w, "body = :v", json!({"Select": "ALL_ATTRIBUTES"})),
        refused
    );
    assert_eq!(
        filtered(&mut w, "body = :v", json!({"ProjectionExpression": "body"})),
        refused
    );
    let got = w.ok(
        "Query",
        json!({"TableName": "tbl", "IndexName": "by_rank", "KeyConditionExpression": "pk = :p",
               "FilterExpression": "sk = :two", "ProjectionExpression": "body",
               "ExpressionAttributeValues": {":p": s("p"), ":two": n(2)}}),
    );
    assert_eq!(got["Items"], json!([{"body": s("text")}]));
}

#[test]
fn index_reads_refuse_what_aws_refuses() {
    let mut w = world();
    w.table();
    let missing = w.err(
        "Query",
        json!({"TableName": "tbl", "IndexName": "nope", "KeyConditionExpression": "pk = :p",
               "ExpressionAttributeValues": {":p": s("p")}}),
    );
    assert_eq!(
        missing.1,
        "The table does not have the specified index: nope"
    );
    let consistent = w.err(
        "Scan",
        json!({"TableName": "tbl", "IndexName": "by_group", "ConsistentRead": true}),
    );
    assert_eq!(
        consistent.1,
        "Consistent reads are not supported on global secondary indexes"
    );
    let all = w.err(
        "Query",
        json!({"TableName": "tbl", "IndexName": "by_group", "Select": "ALL_ATTRIBUTES",
               "KeyConditionExpression": "#g = :g", "ExpressionAttributeNames": {"#g": "group"},
               "ExpressionAttributeValues": {":g": s("g")}}),
    );
    assert_eq!(all.1, "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index by_group because its projection type is not ALL");
    let wrong_key = w.err(
        "Query",
        json!({"TableName": "tbl", "IndexName": "by_group", "KeyConditionExpression": "pk = :p",
               "ExpressionAttributeValues": {":p": s("p")}}),
    );
    assert_eq!(wrong_key.0, "ValidationException");
    let mismatch = w.err(
        "PutItem",
        json!({"TableName": "tbl", "Item": {"pk": s("a"), "sk": n(1), "group": n(5)}}),
    );
    assert_eq!(mismatch.1, "One or more parameter values were invalid: Type mismatch for Index Key group Expected: S Actual: N IndexName: by_group");
    // ALL_PROJECTED_ATTRIBUTES is fine on an index.
    w.put(json!({"pk": s("a"), "sk": n(1), "group": s("g"), "rank": n(1), "label": s("L"), "x": s("y")}));
    let got = w.ok(
        "Scan",
        json!({"TableName": "tbl", "IndexName": "by_group", "Select": "ALL_PROJECTED_ATTRIBUTES"}),
    );
    assert!(got["Items"][0].get("x").is_none());
    assert_eq!(got["Items"][0]["label"], s("L"));
}

#[test]
fn update_table_creates_backfilled_gsis_and_deletes_them() {
    let mut w = world();
    w.table();
    for i in 0..5 {
        w.put(json!({"pk": s(&format!("p{i}")), "sk": n(i), "color": s(if i % 2 == 0 { "red" } else { "blue" })}));
    }
    w.put(json!({"pk": s("odd"), "sk": n(0), "color": n(7)}));
    let created = w.ok(
        "UpdateTable",
        json!({"TableName": "tbl",
               "AttributeDefinitions": [{"AttributeName": "color", "AttributeType": "S"}],
               "GlobalSecondaryIndexUpdates": [{"Create": {
                   "IndexName": "by_color",
                   "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "KEYS_ONLY"}}}]}),
    );
    let gsis = created["TableDescription"]["GlobalSecondaryIndexes"]
        .as_array()
        .unwrap();
    let by_color = gsis.iter().find(|g| g["IndexName"] == "by_color").unwrap();
    assert_eq!(by_color["ItemCount"], 5, "the N-typed color is not indexed");
    let got = w.query_index("by_color", "color = :c", json!({":c": s("red")}));
    assert_eq!(column(&got, "pk"), ["p0", "p2", "p4"]);

    // The index survives a restart: rebuilt from the items.
    let mut fresh = w.restart();
    let got = fresh.ok(
        "Query",
        json!({"TableName": "tbl", "IndexName": "by_color", "KeyConditionExpression": "color = :c",
                   "ExpressionAttributeValues": {":c": s("blue")}}),
    );
    assert_eq!(column(&got, "pk"), ["p1", "p3"]);

    let again = w.err(
        "UpdateTable",
        json!({"TableName": "tbl",
               "AttributeDefinitions": [{"AttributeName": "color", "AttributeType": "S"}],
               "GlobalSecondaryIndexUpdates": [{"Create": {
                   "IndexName": "by_color",
                   "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "ALL"}}}]}),
    );
    assert_eq!(
        again.1,
        "Attempting to create an index which already exists"
    );
    let undefined = w.err(
        "UpdateTable",
        json!({"TableName": "tbl",
               "AttributeDefinitions": [{"AttributeName": "size", "AttributeType": "N"}],
               "GlobalSecondaryIndexUpdates": [{"Create": {
                   "IndexName": "by_shape",
                   "KeySchema": [{"AttributeName": "shape", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "ALL"}}}]}),
    );
    assert!(
        undefined
            .1
            .contains("Some index key attributes are not defined in AttributeDefinitions"),
        "{undefined:?}"
    );
    let lsi = w.err(
        "UpdateTable",
        json!({"TableName": "tbl", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_rank"}}]}),
    );
    assert_eq!(
        lsi.1,
        "Cannot delete an index that is not a GlobalSecondaryIndex: by_rank"
    );
    // One index created or deleted per UpdateTable, counted before any index is looked up.
    let create = |name: &str| {
        json!({"Create": {"IndexName": name,
                          "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                          "Projection": {"ProjectionType": "ALL"}}})
    };
    let delete = |name: &str| json!({"Delete": {"IndexName": name}});
    for updates in [
        json!([create("a"), create("b")]),
        json!([delete("ghost1"), delete("ghost2")]),
        json!([create("a"), delete("by_color")]),
    ] {
        assert_eq!(
            w.err(
                "UpdateTable",
                json!({"TableName": "tbl",
                       "AttributeDefinitions": [{"AttributeName": "color", "AttributeType": "S"}],
                       "GlobalSecondaryIndexUpdates": updates}),
            ),
            (
                "LimitExceededException".to_string(),
                "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table".to_string()
            ),
            "{updates}"
        );
    }
    let ghost = w.err(
        "UpdateTable",
        json!({"TableName": "tbl", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "ghost"}}]}),
    );
    assert_eq!(
        ghost,
        (
            "ResourceNotFoundException".to_string(),
            "Requested resource not found: Index ghost for table tbl".to_string()
        )
    );

    w.ok(
        "UpdateTable",
        json!({"TableName": "tbl", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_color"}}]}),
    );
    let gone = w.err(
        "Query",
        json!({"TableName": "tbl", "IndexName": "by_color", "KeyConditionExpression": "color = :c",
               "ExpressionAttributeValues": {":c": s("red")}}),
    );
    assert_eq!(
        gone.1,
        "The table does not have the specified index: by_color"
    );
    // With the index gone, a number color is a plain attribute again.
    w.put(json!({"pk": s("n"), "sk": n(1), "color": n(3)}));
}

#[test]
fn backfilling_skips_items_whose_values_the_new_index_cannot_key_on() {
    let mut w = world();
    w.table();
    let sizes = [1024, 1025, 2048, 2049];
    for (i, size) in sizes.iter().enumerate() {
        w.put(json!({"pk": s(&format!("p{i}")), "sk": n(0), "x": s(&"a".repeat(*size))}));
    }
    w.put(json!({"pk": s("empty"), "sk": n(0), "x": s("")}));
    let create = |name: &str, keys: Value| {
        json!({"TableName": "tbl",
               "AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"},
                                        {"AttributeName": "pk", "AttributeType": "S"}],
               "GlobalSecondaryIndexUpdates": [{"Create": {
                   "IndexName": name, "KeySchema": keys,
                   "Projection": {"ProjectionType": "KEYS_ONLY"}}}]})
    };
    // A partition key holds at most 2048 bytes, a sort key 1024; an empty value neither.
    w.ok(
        "UpdateTable",
        create("by_x", json!([{"AttributeName": "x", "KeyType": "HASH"}])),
    );
    w.ok(
        "UpdateTable",
        create(
            "pk_x",
            json!([{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "x", "KeyType": "RANGE"}]),
        ),
    );
    let scan = |w: &mut World, index: &str| {
        let mut got = column(
            &w.ok("Scan", json!({"TableName": "tbl", "IndexName": index})),
            "pk",
        );
        got.sort();
        got
    };
    assert_eq!(scan(&mut w, "by_x"), ["p0", "p1", "p2"]);
    assert_eq!(scan(&mut w, "pk_x"), ["p0"]);
}

/// A definition redeclaring an attribute the new index does not key on is ignored: the
/// attribute keeps its type (paritysuite/dynamodb-conformance#78, characterised in
/// eu-west-2). Redefining the new index's own key is refused (see
/// `update_table_keeps_the_definitions_the_keys_use`).
#[test]
fn a_redeclared_attribute_keeps_the_type_the_table_gave_it() {
    let mut w = world();
    w.table();
    w.put(json!({"pk": s("a"), "sk": n(1), "owner": s("ann"), "label": s("x")}));
    let updated = w.ok(
        "UpdateTable",
        json!({"TableName": "tbl",
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "N"},
                                        {"AttributeName": "label", "AttributeType": "S"}],
               "GlobalSecondaryIndexUpdates": [{"Create": {
                   "IndexName": "by_label",
                   "KeySchema": [{"AttributeName": "label", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "KEYS_ONLY"}}}]}),
    );
    let definitions = &updated["TableDescription"]["AttributeDefinitions"];
    let pk: Vec<&Value> = definitions
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["AttributeName"] == "pk")
        .collect();
    assert_eq!(pk, [&json!({"AttributeName": "pk", "AttributeType": "S"})]);
    // The table still takes string keys, and the old item is in the new index.
    w.put(json!({"pk": s("b"), "sk": n(2), "label": s("y")}));
    let got = w.query_index("by_label", "label = :l", json!({":l": s("x")}));
    assert_eq!(column(&got, "pk"), ["a"]);
    let refused = w.err(
        "PutItem",
        json!({"TableName": "tbl", "Item": {"pk": n(7), "sk": n(3)}}),
    );
    assert_eq!(refused.0, "ValidationException");
}

/// The attribute names a table description defines, in its order.
fn defined(table: &Value) -> Vec<&str> {
    table["AttributeDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["AttributeName"].as_str().unwrap())
        .collect()
}

/// AWS keeps AttributeDefinitions to the attributes some key uses, and a new index's key
/// attributes must be defined by the request itself (dynoxide#131 and #144, characterised
/// in eu-west-2; the "no definition" wording from UpdateTable in dynamodbguide.com#16).
#[test]
fn update_table_keeps_the_definitions_the_keys_use() {
    let mut w = world();
    w.table();
    let by_label = |definitions: Value, keys: Value| {
        json!({"TableName": "tbl", "AttributeDefinitions": definitions,
               "GlobalSecondaryIndexUpdates": [{"Create": {
                   "IndexName": "by_label", "KeySchema": keys,
                   "Projection": {"ProjectionType": "KEYS_ONLY"}}}]})
    };
    let label = json!({"AttributeName": "label", "AttributeType": "S"});
    let label_then_sk = json!([{"AttributeName": "label", "KeyType": "HASH"},
                               {"AttributeName": "sk", "KeyType": "RANGE"}]);
    // `sk` is the table's sort key, but this request does not define it.
    let undefined = w.err(
        "UpdateTable",
        by_label(json!([label]), label_then_sk.clone()),
    );
    assert_eq!(
        undefined,
        (
            "ValidationException".to_string(),
            "Invalid KeySchema: Some index key attribute have no definition".to_string()
        )
    );
    let misnamed = w.err(
        "UpdateTable",
        by_label(
            json!([label, {"AttributeName": "note", "AttributeType": "S"}]),
            label_then_sk.clone(),
        ),
    );
    assert_eq!(misnamed.1, "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [label, sk], AttributeDefinitions: [label, note]");
    // A new index keeps the type `owner` has as by_owner's key.
    let retyped = w.err(
        "UpdateTable",
        by_label(
            json!([{"AttributeName": "owner", "AttributeType": "N"}]),
            json!([{"AttributeName": "owner", "KeyType": "HASH"}]),
        ),
    );
    assert_eq!(retyped.1, "One or more parameter values were invalid: Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Existing schema: Schema:[SchemaElement: key{owner:S:HASH}] New schema: Schema:[SchemaElement: key{owner:N:HASH}]");
    // Names over 255 bytes are refused first, in the definitions or in the new index's keys
    // (ScyllaDB's Alternator tests, run against DynamoDB).
    let long = "n".repeat(256);
    let too_long = |at: &str| {
        format!("1 validation error detected: Value '{long}' at '{at}.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255")
    };
    let long_definition = w.err(
        "UpdateTable",
        by_label(
            json!([{"AttributeName": long, "AttributeType": "S"}]),
            json!([{"AttributeName": "label", "KeyType": "HASH"}]),
        ),
    );
    assert_eq!(long_definition.1, too_long("attributeDefinitions.1.member"));
    let long_key = w.err(
        "UpdateTable",
        by_label(
            json!([label]),
            json!([{"AttributeName": long, "KeyType": "HASH"}]),
        ),
    );
    assert_eq!(
        long_key.1,
        too_long("globalSecondaryIndexUpdates.1.member.create.keySchema.1.member")
    );
    // A definition no key uses is dropped, not stored.
    let created = w.ok(
        "UpdateTable",
        by_label(
            json!([label, {"AttributeName": "sk", "AttributeType": "N"},
                   {"AttributeName": "spare", "AttributeType": "S"}]),
            label_then_sk,
        ),
    );
    assert_eq!(
        defined(&created["TableDescription"]),
        ["pk", "sk", "rank", "group", "owner", "label"]
    );
    // Deleting indexes drops the definitions only they used; `rank` stays for the LSI.
    for index in ["by_label", "by_group"] {
        w.ok(
            "UpdateTable",
            json!({"TableName": "tbl", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": index}}]}),
        );
    }
    let table = w.ok("DescribeTable", json!({"TableName": "tbl"}));
    assert_eq!(defined(&table["Table"]), ["pk", "sk", "rank", "owner"]);
    // `label` is free again: a new index may key it on another type.
    let relabelled = w.ok(
        "UpdateTable",
        by_label(
            json!([{"AttributeName": "label", "AttributeType": "N"}]),
            json!([{"AttributeName": "label", "KeyType": "HASH"}]),
        ),
    );
    assert!(relabelled["TableDescription"]["AttributeDefinitions"]
        .as_array()
        .unwrap()
        .contains(&json!({"AttributeName": "label", "AttributeType": "N"})));
}

#[test]
fn update_table_enforces_the_gsi_limit() {
    let mut w = world();
    w.table();
    let create = |i: usize| {
        json!({"TableName": "tbl",
               "AttributeDefinitions": [{"AttributeName": "owner", "AttributeType": "S"}],
               "GlobalSecondaryIndexUpdates": [{"Create": {
                   "IndexName": format!("extra{i}"),
                   "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "KEYS_ONLY"}}}]})
    };
    for i in 0..18 {
        w.ok("UpdateTable", create(i));
    }
    assert_eq!(
        w.err("UpdateTable", create(18)),
        (
            "LimitExceededException".to_string(),
            "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of 20".to_string()
        )
    );
}

#[test]
fn index_query_reads_only_its_partition() {
    let mut w = world();
    w.table();
    for i in 0..200 {
        w.put(json!({"pk": s(&format!("p{i}")), "sk": n(i), "owner": s(&format!("o{}", i % 50))}));
    }
    let got = w.ok(
        "Query",
        json!({"TableName": "tbl", "IndexName": "by_owner", "KeyConditionExpression": "#o = :o",
               "ExpressionAttributeNames": {"#o": "owner"},
               "ExpressionAttributeValues": {":o": s("o7")}, "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(got["Count"], 4);
    assert_eq!(got["ScannedCount"], 4);
    assert_eq!(got["ConsumedCapacity"]["CapacityUnits"], 0.5);
}

#[test]
fn index_reads_itemise_capacity_and_check_start_keys() {
    let mut w = world();
    w.table();
    w.put(json!({"pk": s("a"), "sk": n(1), "owner": s("ann")}));
    let got = w.ok(
        "Query",
        json!({"TableName": "tbl", "IndexName": "by_owner", "KeyConditionExpression": "#o = :o",
               "ExpressionAttributeNames": {"#o": "owner"},
               "ExpressionAttributeValues": {":o": s("ann")}, "ReturnConsumedCapacity": "INDEXES"}),
    );
    assert_eq!(
        got["ConsumedCapacity"]["GlobalSecondaryIndexes"]["by_owner"]["CapacityUnits"],
        0.5
    );
    assert_eq!(got["ConsumedCapacity"]["Table"]["CapacityUnits"], 0.0);
    let bad = w.err(
        "Scan",
        json!({"TableName": "tbl", "IndexName": "by_owner",
               "ExclusiveStartKey": {"pk": s("a"), "sk": n(1)}}),
    );
    assert_eq!(
        bad.1,
        "The provided starting key is invalid: The provided key element does not match the schema"
    );
}

#[test]
fn include_projection_needs_its_attributes() {
    let mut w = world();
    let (_, message) = w.err(
        "CreateTable",
        json!({"TableName": "tbl",
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "g", "AttributeType": "S"}],
               "GlobalSecondaryIndexes": [{"IndexName": "by_g",
                   "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "INCLUDE"}}],
               "BillingMode": "PAY_PER_REQUEST"}),
    );
    assert_eq!(
        message,
        "One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified"
    );
}

#[test]
fn writes_charge_the_indexes_they_change() {
    let mut w = world();
    w.table();
    let put = w.ok(
        "PutItem",
        json!({"TableName": "tbl", "Item": {"pk": s("a"), "sk": n(1), "owner": s("ann")},
               "ReturnConsumedCapacity": "INDEXES"}),
    );
    assert_eq!(put["ConsumedCapacity"]["CapacityUnits"], 2.0);
    assert_eq!(put["ConsumedCapacity"]["Table"]["CapacityUnits"], 1.0);
    assert_eq!(
        put["ConsumedCapacity"]["GlobalSecondaryIndexes"],
        json!({"by_owner": {"CapacityUnits": 1.0}})
    );
    // A new index key value: out of the old entry, into the new one.
    let moved = w.ok(
        "UpdateItem",
        json!({"TableName": "tbl", "Key": {"pk": s("a"), "sk": n(1)},
               "UpdateExpression": "SET #o = :o", "ExpressionAttributeNames": {"#o": "owner"},
               "ExpressionAttributeValues": {":o": s("bob")}, "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(moved["ConsumedCapacity"]["CapacityUnits"], 3.0);
    // An attribute by_group does not see (the item is not in it) and by_owner projects.
    let plain = w.ok(
        "UpdateItem",
        json!({"TableName": "tbl", "Key": {"pk": s("a"), "sk": n(1)},
               "UpdateExpression": "SET note = :v",
               "ExpressionAttributeValues": {":v": s("x")}, "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(plain["ConsumedCapacity"]["CapacityUnits"], 2.0);
    let deleted = w.ok(
        "DeleteItem",
        json!({"TableName": "tbl", "Key": {"pk": s("a"), "sk": n(1)},
               "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(deleted["ConsumedCapacity"]["CapacityUnits"], 2.0);
}

/// An index key has the size limit of its role in the index: the table's hash key (up to
/// 2048 bytes) is limited to 1024 bytes where an index uses it as its range key (moto's
/// test_put_long_string_gsi_range_key_exception), on PutItem and UpdateItem.
#[test]
fn index_range_keys_are_limited_to_1024_bytes() {
    let mut w = world();
    w.ok(
        "CreateTable",
        json!({
            "TableName": "long",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"}],
            "GlobalSecondaryIndexes": [{
                "IndexName": "flipped",
                "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"},
                              {"AttributeName": "pk", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            "BillingMode": "PAY_PER_REQUEST"}),
    );
    let too_long = (
        "ValidationException".to_string(),
        "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes".to_string(),
    );
    let item = |pk: usize| json!({"pk": {"S": "x".repeat(pk)}, "sk": {"S": "sk"}});
    w.ok("PutItem", json!({"TableName": "long", "Item": item(1024)}));
    assert_eq!(
        w.call("PutItem", json!({"TableName": "long", "Item": item(1025)})),
        Err(too_long.clone())
    );
    assert_eq!(
        w.call(
            "UpdateItem",
            json!({"TableName": "long", "Key": item(1025), "UpdateExpression": "SET a = :v",
                   "ExpressionAttributeValues": {":v": {"S": "1"}}})
        ),
        Err(too_long)
    );
    let all = w.ok("Scan", json!({"TableName": "long"}));
    assert_eq!(all["Count"], json!(1));
}
