//! DynamoDB PartiQL through the emulator's entry point: ExecuteStatement (SELECT as GetItem,
//! Query or Scan, paging, INSERT/UPDATE/DELETE with RETURNING), BatchExecuteStatement's
//! per-statement errors and ExecuteTransaction's all-or-nothing with cancellation reasons.
//! The SELECT cases are data: a statement, its parameters, and the items or AWS's error.

mod common;

use common::{caller, table_input, ACCOUNT};
use serde_json::{json, Value};

type World = common::World<(String, String)>;

/// `items` (pk S) and `orders` (pk S, sk N) with a global index `by_status` (status S),
/// partition `a` holding sk 1..=5.
fn world() -> World {
    let mut w = World::new("dynamodb", ACCOUNT);
    w.ok("CreateTable", table_input("items", None));
    let mut orders = table_input("orders", Some("N"));
    orders["AttributeDefinitions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"AttributeName": "status", "AttributeType": "S"}));
    orders["GlobalSecondaryIndexes"] = json!([{
        "IndexName": "by_status",
        "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}
    }]);
    w.ok("CreateTable", orders);
    for sk in 1..=5 {
        let status = if sk % 2 == 0 { "open" } else { "done" };
        w.ok(
            "PutItem",
            json!({"TableName": "orders", "Item": {
                "pk": {"S": "a"}, "sk": {"N": sk.to_string()}, "status": {"S": status},
                "name": {"S": format!("widget-{sk}")},
                "tags": {"SS": ["red", format!("t{sk}")]},
                "m": {"M": {"k": {"L": [{"N": "0"}, {"N": sk.to_string()}]}, "z": {"BOOL": true}}}
            }}),
        );
    }
    w.ok(
        "PutItem",
        json!({"TableName": "orders", "Item": {"pk": {"S": "b"}, "sk": {"N": "1"}, "note": {"S": "x"}}}),
    );
    w
}

fn s(text: &str) -> Value {
    json!({"S": text})
}

fn n(text: &str) -> Value {
    json!({"N": text})
}

impl World {
    fn statement(&mut self, statement: &str, params: &[Value]) -> Result<Value, (String, String)> {
        let mut input = json!({"Statement": statement});
        if !params.is_empty() {
            input["Parameters"] = json!(params);
        }
        self.call("ExecuteStatement", input)
    }

    fn items(&mut self, statement: &str) -> Vec<Value> {
        self.statement(statement, &[]).unwrap()["Items"]
            .as_array()
            .unwrap()
            .clone()
    }

    fn full_error(&mut self, op: &str, input: Value) -> nimbus_shapes::ServiceError {
        self.send(&caller(ACCOUNT), "dynamodb", op, input)
            .expect_err("the call should fail")
    }

    fn order(&mut self, pk: &str, sk: i64) -> Option<Value> {
        self.ok(
            "GetItem",
            json!({"TableName": "orders", "Key": {"pk": s(pk), "sk": n(&sk.to_string())}}),
        )
        .get("Item")
        .cloned()
    }
}

/// The `sk` numbers of answered items, in order.
fn sks(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .map(|i| i["sk"]["N"].as_str().unwrap().parse().unwrap())
        .collect()
}

enum Want {
    Sks(&'static [i64]),
    Items(Value),
    Error(&'static str, &'static str),
}

#[test]
fn select_cases() {
    use Want::*;
    let cases: Vec<(&str, Vec<Value>, Want)> = vec![
        // The whole key: one item, as GetItem.
        ("SELECT sk FROM orders WHERE pk = 'a' AND sk = 2", vec![], Sks(&[2])),
        ("SELECT sk FROM \"orders\" WHERE sk = 9 AND pk = 'a'", vec![], Sks(&[])),
        ("SELECT sk FROM orders WHERE pk = 'a' AND sk = 2 AND status = 'done'", vec![], Sks(&[])),
        // The partition key: a Query of the partition, in sort key order.
        ("SELECT sk FROM orders WHERE pk = 'a'", vec![], Sks(&[1, 2, 3, 4, 5])),
        ("select sk from orders where pk = 'a' order by sk desc", vec![], Sks(&[5, 4, 3, 2, 1])),
        ("SELECT sk FROM orders WHERE pk = 'a' AND sk BETWEEN 2 AND 4", vec![], Sks(&[2, 3, 4])),
        ("SELECT sk FROM orders WHERE pk = ? AND sk >= ?", vec![s("a"), n("4")], Sks(&[4, 5])),
        ("SELECT sk FROM orders WHERE pk = 'a' AND sk IN [1, 5, 7]", vec![], Sks(&[1, 5])),
        ("SELECT sk FROM orders WHERE pk = 'a' AND (sk < 2 OR sk > 4)", vec![], Sks(&[1, 5])),
        ("SELECT sk FROM orders WHERE pk = 'a' AND NOT sk <> 3", vec![], Sks(&[3])),
        ("SELECT sk FROM orders WHERE pk = 'a' AND sk NOT IN (1, 2, 3)", vec![], Sks(&[4, 5])),
        // Anything else: a Scan with the WHERE as its filter.
        ("SELECT sk FROM orders WHERE note IS NOT MISSING", vec![], Sks(&[1])),
        ("SELECT sk FROM orders WHERE pk = 'a' AND note IS MISSING AND sk < 3", vec![], Sks(&[1, 2])),
        ("SELECT sk FROM orders WHERE begins_with(name, 'widget-4')", vec![], Sks(&[4])),
        // A condition function compared with a boolean.
        ("SELECT sk FROM orders WHERE pk = 'a' AND begins_with(name, 'widget-4') = true", vec![], Sks(&[4])),
        ("SELECT sk FROM orders WHERE pk = 'a' AND attribute_exists(note) = FALSE AND sk < 3", vec![], Sks(&[1, 2])),
        ("SELECT sk FROM orders WHERE contains(tags, 't3') OR contains(\"name\", '-5')", vec![], Sks(&[3, 5])),
        ("SELECT sk FROM orders WHERE size(tags) = 2 AND sk > 4", vec![], Sks(&[5])),
        ("SELECT sk FROM orders WHERE attribute_type(note, 'S')", vec![], Sks(&[1])),
        ("SELECT sk FROM orders WHERE m.k[1] = 3", vec![], Sks(&[3])),
        ("SELECT sk FROM orders WHERE m.z = true AND sk = 1", vec![], Sks(&[1])),
        ("SELECT sk FROM orders WHERE tags = <<'t2', 'red'>>", vec![], Sks(&[2])),
        // An index, read through its partition.
        ("SELECT sk FROM \"orders\".\"by_status\" WHERE status = 'open'", vec![], Sks(&[2, 4])),
        // Projections: nested paths answer under their last part.
        (
            "SELECT m.k[1], m.z, pk, nothing FROM orders WHERE pk = 'a' AND sk = 2",
            vec![],
            Items(json!([{"k[1]": {"N": "2"}, "z": {"BOOL": true}, "pk": {"S": "a"}}])),
        ),
        (
            "SELECT * FROM orders WHERE pk = 'b'",
            vec![],
            Items(json!([{"pk": {"S": "b"}, "sk": {"N": "1"}, "note": {"S": "x"}}])),
        ),
        // Refusals.
        ("SELECT * FROM nope", vec![], Error("ResourceNotFoundException", "Requested resource not found")),
        ("SELECT * FROM orders.nope", vec![], Error("ValidationException", "The table does not have the specified index")),
        ("SELEC * FROM orders", vec![], Error("ValidationException", "Statement wasn't well formed, can't be processed: Expected data manipulation")),
        ("SELECT * FROM orders WHERE pk = 'a' sk = 1", vec![], Error("ValidationException", "Statement wasn't well formed, can't be processed: Unexpected token after expression")),
        ("SELECT * FROM orders WHERE pk = ?", vec![], Error("ValidationException", "Number of parameters in request and statement don't match.")),
        ("SELECT * FROM orders WHERE pk = 1", vec![], Error("ValidationException", "Key attribute's data type should match its data type in table's schema: Key pk")),
        ("SELECT * FROM orders WHERE a = MISSING", vec![], Error("ValidationException", "MISSING must be compared using IS operator")),
        // Ordering a value of a type without an order is refused, before the table is looked at.
        ("SELECT * FROM nope WHERE a <= ?", vec![json!({"BOOL": true})], Error("ValidationException", "Incorrect operand type for operator or function; operator or function: <=, operand type: BOOL")),
        ("SELECT * FROM orders WHERE a BETWEEN 1 AND ?", vec![json!({"SS": ["x"]})], Error("ValidationException", "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: SS")),
        ("SELECT sk FROM orders WHERE pk = 'a' AND sk > ?", vec![json!({"N": "3"})], Sks(&[4, 5])),
        ("SELECT * FROM orders WHERE sk = 1 ORDER BY sk", vec![], Error("ValidationException", "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.")),
        ("SELECT * FROM orders WHERE pk = 'a' ORDER BY name", vec![], Error("ValidationException", "Variable reference name in ORDER BY clause must be part of the primary key")),
        ("SELECT * FROM orders WHERE tags = <<?>>", vec![s("red")], Error("ValidationException", "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags")),
        ("SELECT sk FROM orders WHERE tags = ?", vec![json!({"SS": ["red", "t4"]})], Sks(&[4])),
        // Reserved words name attributes only when quoted.
        ("SELECT * FROM orders WHERE pad = 'x'", vec![], Error("ValidationException", "Statement wasn't well formed, can't be processed: Unexpected keyword: pad")),
        ("SELECT * FROM orders WHERE \"pad\" = 'x'", vec![], Sks(&[])),
        ("SELECT *, a FROM orders", vec![], Error("ValidationException", "Other attributes should not be present in the projection when '*' is used.")),
        ("SELECT a AS b FROM orders", vec![], Error("ValidationException", "Aliasing is not supported")),
        ("SELECT * FROM orders o", vec![], Error("ValidationException", "Aliasing is not supported")),
        ("SELECT * FROM orders WHERE pk = 'a' LIMIT 1", vec![], Error("ValidationException", "Unsupported clause: LIMIT")),
        ("SELECT * FROM orders WHERE tags = <<>>", vec![], Error("ValidationException", "Empty bags are not supported")),
        ("SELECT * FROM orders WHERE tags = <<'a', 1>>", vec![], Error("ValidationException", "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags")),
        ("SELECT * FROM orders WHERE pk IN 'a'", vec![], Error("ValidationException", "IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member")),
        ("SELECT * FROM orders WHERE frob(a)", vec![], Error("ValidationException", "Unrecognized function: frob")),
        ("SELECT * FROM orders WHERE a IS DATE", vec![], Error("ValidationException", "Unsupported data type for IS operator: DATE. Supported data types are [MISSING, NULL, BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]")),
        ("EXISTS(SELECT * FROM orders WHERE pk = 'a' AND sk = 1)", vec![], Error("ValidationException", "EXISTS can only be used in ExecuteTransaction write requests.")),
        ("UPSERT INTO orders VALUE {'pk': 'a'}", vec![], Error("ValidationException", "Statement wasn't well formed, can't be processed: Expected data manipulation")),
    ];
    let mut w = world();
    for (statement, params, want) in cases {
        let got = w.statement(statement, &params);
        match want {
            Sks(expected) => {
                let items = got.unwrap_or_else(|e| panic!("{statement}: {e:?}"));
                assert_eq!(
                    sks(items["Items"].as_array().unwrap()),
                    expected,
                    "{statement}"
                );
            }
            Items(expected) => {
                let items = got.unwrap_or_else(|e| panic!("{statement}: {e:?}"));
                assert_eq!(items["Items"], expected, "{statement}");
            }
            Error(code, message) => {
                assert_eq!(
                    got.map(|_| ()),
                    Err((code.to_string(), message.to_string())),
                    "{statement}"
                );
            }
        }
    }
}

#[test]
fn limit_pages_with_next_token_and_last_evaluated_key() {
    let mut w = world();
    let statement = "SELECT sk FROM orders WHERE pk = 'a'";
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut input = json!({"Statement": statement, "Limit": 2, "ConsistentRead": true});
        if let Some(t) = &token {
            input["NextToken"] = json!(t);
        }
        let page = w.ok("ExecuteStatement", input);
        pages += 1;
        seen.extend(sks(page["Items"].as_array().unwrap()));
        match page.get("NextToken") {
            Some(t) => {
                assert!(page["LastEvaluatedKey"].is_object());
                token = Some(t.as_str().unwrap().to_string());
            }
            None => break,
        }
    }
    assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    assert_eq!(pages, 3);

    // A sort key condition narrows the partition read, as Query's key condition does:
    // Limit counts the items in range.
    let page = w.ok(
        "ExecuteStatement",
        json!({"Statement": "SELECT sk FROM orders WHERE pk = 'a' AND sk > 3", "Limit": 2}),
    );
    assert_eq!(sks(page["Items"].as_array().unwrap()), vec![4, 5]);
    let page = w.ok(
        "ExecuteStatement",
        json!({"Statement": "SELECT sk FROM orders WHERE pk = 'a' AND 2 >= sk", "Limit": 1}),
    );
    assert_eq!(sks(page["Items"].as_array().unwrap()), vec![1]);

    // Limit counts the items read, not the items that match.
    let page = w.ok(
        "ExecuteStatement",
        json!({"Statement": "SELECT sk FROM orders WHERE sk > 4", "Limit": 2}),
    );
    assert_eq!(page["Items"], json!([]));
    assert!(page.get("NextToken").is_some());

    // A token belongs to its statement.
    let other = w.err(
        "ExecuteStatement",
        json!({"Statement": "SELECT * FROM orders", "NextToken": token.unwrap_or_default()}),
    );
    assert_eq!(other.1, "NextToken does not match request");
    assert_eq!(
        w.err(
            "ExecuteStatement",
            json!({"Statement": "SELECT * FROM orders", "Limit": 0})
        )
        .1,
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    assert_eq!(
        w.err(
            "ExecuteStatement",
            json!({"Statement": "SELECT * FROM orders.by_status WHERE status = 'open'", "ConsistentRead": true})
        )
        .1,
        "Strongly consistent read is not supported on Global Secondary Indexes"
    );
}

#[test]
fn insert_writes_through_the_item_path() {
    let mut w = world();
    let out = w.ok(
        "ExecuteStatement",
        json!({"Statement": "INSERT INTO \"orders\" VALUE {'pk': ?, 'sk': 7, 'status': 'open', 'l': [1, 'two'], 'ns': <<3, 1>>}",
               "Parameters": [s("c")], "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(out["Items"], json!([]));
    assert_eq!(out["ConsumedCapacity"]["TableName"], "orders");
    // One record in the changeset, and the index sees the item.
    assert_eq!(w.last_changes().changes.len(), 1);
    assert_eq!(
        w.order("c", 7).unwrap(),
        json!({"pk": s("c"), "sk": n("7"), "status": s("open"),
               "l": {"L": [n("1"), s("two")]}, "ns": {"NS": ["3", "1"]}})
    );
    assert_eq!(
        sks(&w.items("SELECT sk FROM orders.by_status WHERE status = 'open' AND pk = 'c'")),
        vec![7]
    );

    let cases = [
        (
            "INSERT INTO orders VALUE {'pk': 'c', 'sk': 7}",
            ("DuplicateItemException", "Duplicate primary key exists in table"),
        ),
        (
            "INSERT INTO orders VALUE {'pk': 'c'}",
            ("ValidationException", "One or more parameter values were invalid: Missing the key sk in the item"),
        ),
        (
            "INSERT INTO orders VALUE {'pk': 'c', 'sk': 'x'}",
            ("ValidationException", "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S"),
        ),
        (
            "INSERT INTO orders VALUE 'x'",
            ("ValidationException", "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement."),
        ),
        (
            "INSERT INTO orders VALUE {'pk': 'd', 'sk': 1} RETURNING ALL OLD *",
            ("ValidationException", "RETURNING is not supported in INSERT"),
        ),
        (
            "INSERT INTO orders VALUES ('d', 1)",
            ("ValidationException", "Unsupported operation: Inserting multiple items in a single statement is not supported, use \"INSERT INTO tableName VALUE item\" instead"),
        ),
        // INSERT's grammar has no place for an index; UPDATE's and DELETE's do, and refuse it.
        (
            "INSERT INTO orders.by_status VALUE {'pk': 'd', 'sk': 1}",
            ("ValidationException", "FROM clause may only contain a single table name in data manipulation statements"),
        ),
        (
            "UPDATE orders.by_status SET a = 1 WHERE pk = 'd' AND sk = 1",
            ("ValidationException", "This operation is not supported on an index"),
        ),
        (
            "DELETE FROM orders.by_status WHERE pk = 'd' AND sk = 1",
            ("ValidationException", "This operation is not supported on an index"),
        ),
        (
            "INSERT INTO nope VALUE {'pk': 'd'}",
            ("ResourceNotFoundException", "Requested resource not found"),
        ),
    ];
    for (statement, (code, message)) in cases {
        assert_eq!(
            w.statement(statement, &[]).map(|_| ()),
            Err((code.to_string(), message.to_string())),
            "{statement}"
        );
    }
}

#[test]
fn update_sets_removes_and_returns() {
    let mut w = world();
    let out = w.ok(
        "ExecuteStatement",
        json!({"Statement": "UPDATE orders SET n = 5 SET tags = set_add(tags, <<'blue'>>), m.z = false REMOVE name WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *"}),
    );
    let item = &out["Items"][0];
    assert_eq!(item["n"], n("5"));
    assert_eq!(item["tags"], json!({"SS": ["red", "t1", "blue"]}));
    assert_eq!(item["m"]["M"]["z"], json!({"BOOL": false}));
    assert!(item.get("name").is_none());

    let out = w.ok(
        "ExecuteStatement",
        json!({"Statement": "UPDATE orders SET n = n + 2, l = list_append(if_not_exists(l, []), [?]) SET tags = set_delete(tags, <<'red'>>) WHERE pk = 'a' AND sk = 1 RETURNING MODIFIED OLD *",
               "Parameters": [s("x")]}),
    );
    assert_eq!(
        out["Items"],
        json!([{"n": n("5"), "tags": {"SS": ["red", "t1", "blue"]}}])
    );
    let stored = w.order("a", 1).unwrap();
    assert_eq!(stored["n"], n("7"));
    assert_eq!(stored["l"], json!({"L": [s("x")]}));
    assert_eq!(stored["tags"], json!({"SS": ["t1", "blue"]}));

    // Without RETURNING the answer is an empty list.
    let out = w.ok(
        "ExecuteStatement",
        json!({"Statement": "UPDATE orders SET n = 1 WHERE pk = 'a' AND sk = 2 AND status = 'open'"}),
    );
    assert_eq!(out["Items"], json!([]));
    assert_eq!(
        w.items("UPDATE orders SET n = 2 WHERE pk = 'a' AND sk = 2 RETURNING MODIFIED NEW *"),
        vec![json!({"n": n("2")})]
    );

    let cases = [
        // UPDATE never creates: the WHERE fails on a missing item.
        ("UPDATE orders SET n = 1 WHERE pk = 'zz' AND sk = 1", ("ConditionalCheckFailedException", "The conditional request failed")),
        ("UPDATE orders SET n = 1 WHERE pk = 'a' AND sk = 2 AND status = 'done'", ("ConditionalCheckFailedException", "The conditional request failed")),
        ("UPDATE orders SET n = 1 WHERE pk = 'a'", ("ValidationException", "Where clause does not contain a mandatory equality on all key attributes")),
        ("UPDATE orders SET n = 1 WHERE pk = 'a' OR sk = 1", ("ValidationException", "Where clause does not contain a mandatory equality on all key attributes")),
        ("UPDATE orders SET n = 1", ("ValidationException", "Where clause does not contain a mandatory equality on all key attributes")),
        ("UPDATE orders SET sk = 3 WHERE pk = 'a' AND sk = 2", ("ValidationException", "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key")),
        ("UPDATE orders SET name = name + 1 WHERE pk = 'a' AND sk = 2", ("ValidationException", "An operand in the update expression has an incorrect data type")),
        ("UPDATE orders SET tags = set_add(other, <<'x'>>) WHERE pk = 'a' AND sk = 2", ("ValidationException", "The first argument to SET_ADD must equal the assignment value")),
        ("UPDATE orders SET tags = set_add(tags, 'x') WHERE pk = 'a' AND sk = 2", ("ValidationException", "The second argument to SET_ADD must be a value with type SET")),
        ("UPDATE orders SET n = 1 WHERE pk = 'a' AND sk = 2 RETURNING ALL NEW", ("ValidationException", "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause")),
    ];
    for (statement, (code, message)) in cases {
        assert_eq!(
            w.statement(statement, &[]).map(|_| ()),
            Err((code.to_string(), message.to_string())),
            "{statement}"
        );
    }

    // ReturnValuesOnConditionCheckFailure ALL_OLD hands back the item.
    let error = w.full_error(
        "ExecuteStatement",
        json!({"Statement": "UPDATE orders SET n = 1 WHERE pk = 'b' AND sk = 1 AND note = 'y'",
               "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    );
    assert_eq!(error.code, "ConditionalCheckFailedException");
    assert_eq!(error.fields["Item"]["note"], s("x"));
}

#[test]
fn delete_by_key_with_condition_and_returning() {
    let mut w = world();
    assert_eq!(
        w.items("DELETE FROM orders WHERE pk = 'a' AND sk = 1 RETURNING ALL OLD *")[0]["name"],
        s("widget-1")
    );
    assert_eq!(w.order("a", 1), None);
    // A missing item: success, nothing deleted, nothing in the changeset.
    assert_eq!(
        w.items("DELETE FROM orders WHERE pk = 'a' AND sk = 1"),
        Vec::<Value>::new()
    );
    assert!(w.last_changes().changes.is_empty());
    assert_eq!(
        w.statement(
            "DELETE FROM orders WHERE pk = 'a' AND sk = 2 AND status = 'done'",
            &[]
        ),
        Err((
            "ConditionalCheckFailedException".into(),
            "The conditional request failed".into()
        ))
    );
    assert!(w.order("a", 2).is_some());
    assert_eq!(
        w.statement("DELETE FROM orders WHERE status = 'open'", &[]),
        Err((
            "ValidationException".into(),
            "Where clause does not contain a mandatory equality on all key attributes".into()
        ))
    );
    // The index forgets a deleted item.
    w.items("DELETE FROM orders WHERE pk = 'a' AND sk = 2 AND status = 'open'");
    assert_eq!(
        sks(&w.items("SELECT sk FROM orders.by_status WHERE status = 'open'")),
        vec![4]
    );
}

#[test]
fn batch_answers_each_statement() {
    let mut w = world();
    let out = w.ok(
        "BatchExecuteStatement",
        json!({"Statements": [
            {"Statement": "INSERT INTO items VALUE {'pk': 'one'}"},
            {"Statement": "INSERT INTO items VALUE {'pk': ?}", "Parameters": [s("two")]},
            {"Statement": "INSERT INTO items VALUE {'pk': 'one'}"},
            {"Statement": "UPDATE orders SET n = 1 WHERE pk = 'b' AND sk = 1 AND note = 'no'",
             "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
            {"Statement": "INSERT INTO nope VALUE {'pk': 'x'}"},
            {"Statement": "INSERT INT items VALUE {'pk': 'x'}"},
            {"Statement": "UPDATE orders SET n = 7 WHERE pk = 'b' AND sk = 1 RETURNING MODIFIED NEW *"},
        ], "ReturnConsumedCapacity": "TOTAL"}),
    );
    let responses = out["Responses"].as_array().unwrap();
    // A member's RETURNING clause answers its item.
    assert_eq!(
        responses[6],
        json!({"TableName": "orders", "Item": {"n": {"N": "7"}}})
    );
    assert_eq!(responses[0], json!({"TableName": "items"}));
    assert_eq!(responses[1], json!({"TableName": "items"}));
    assert_eq!(
        responses[2]["Error"],
        json!({"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"})
    );
    assert_eq!(responses[3]["Error"]["Code"], "ConditionalCheckFailed");
    assert_eq!(responses[3]["Error"]["Item"]["note"], s("x"));
    assert_eq!(
        responses[4]["Error"],
        json!({"Code": "ResourceNotFound", "Message": "Requested resource not found"})
    );
    assert_eq!(responses[5]["Error"]["Code"], "ValidationError");
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "items", "CapacityUnits": 2.0}, {"TableName": "orders", "CapacityUnits": 1.0}])
    );

    let out = w.ok(
        "BatchExecuteStatement",
        json!({"Statements": [
            {"Statement": "SELECT pk FROM items WHERE pk = 'one'"},
            {"Statement": "SELECT * FROM items WHERE pk = 'none'"},
            {"Statement": "SELECT * FROM orders WHERE pk = 'a'"},
            // A function in the WHERE makes it no read of one item, key or not.
            {"Statement": "SELECT * FROM items WHERE pk = 'one' AND attribute_exists(pk)"},
        ]}),
    );
    let needs_key = json!({"Error": {"Code": "ValidationError",
        "Message": "Select statements within BatchExecuteStatement must specify the primary key in the where clause."}});
    assert_eq!(
        out["Responses"],
        json!([
            {"TableName": "items", "Item": {"pk": s("one")}},
            {"TableName": "items"},
            needs_key,
            needs_key,
        ])
    );

    let mixed = w.err(
        "BatchExecuteStatement",
        json!({"Statements": [
            {"Statement": "SELECT * FROM items WHERE pk = 'one'"},
            {"Statement": "DELETE FROM items WHERE pk = 'one'"},
        ]}),
    );
    assert_eq!(mixed.0, "ValidationException");
    let many: Vec<Value> = (0..26)
        .map(|i| json!({"Statement": format!("INSERT INTO items VALUE {{'pk': 'p{i}'}}")}))
        .collect();
    assert_eq!(
        w.err("BatchExecuteStatement", json!({"Statements": many})).1,
        "1 validation error detected: Value at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25"
    );
}

#[test]
fn transaction_is_all_or_nothing() {
    let mut w = world();
    let tx = |statements: Vec<Value>| json!({"TransactStatements": statements});
    let st = |text: &str| json!({"Statement": text});

    let written = w.ok(
        "ExecuteTransaction",
        tx(vec![
            st("INSERT INTO items VALUE {'pk': 'new'}"),
            st("UPDATE orders SET n = 1 WHERE pk = 'a' AND sk = 1"),
            st("DELETE FROM orders WHERE pk = 'a' AND sk = 2"),
            st("EXISTS(SELECT * FROM orders WHERE pk = 'b' AND sk = 1 AND note = 'x')"),
        ]),
    );
    // Writes answer an empty list of responses.
    assert_eq!(written, json!({"Responses": []}));
    // Three writes (the EXISTS writes nothing), one changeset.
    assert_eq!(w.last_changes().changes.len(), 3);
    assert_eq!(w.order("a", 1).unwrap()["n"], n("1"));
    assert_eq!(w.order("a", 2), None);

    let error = w.full_error(
        "ExecuteTransaction",
        tx(vec![
            st("INSERT INTO items VALUE {'pk': 'other'}"),
            st("UPDATE orders SET n = 1 WHERE pk = 'zz' AND sk = 1"),
            st("INSERT INTO items VALUE {'pk': 'new'}"),
            st("EXISTS(SELECT * FROM orders WHERE pk = 'b' AND sk = 1 AND note = 'y')"),
        ]),
    );
    assert_eq!(error.code, "TransactionCanceledException");
    assert_eq!(
        error.message,
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, DuplicateItem, ConditionalCheckFailed]"
    );
    assert_eq!(
        error.fields["CancellationReasons"][0],
        json!({"Code": "None"})
    );
    assert_eq!(
        error.fields["CancellationReasons"][2],
        json!({"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"})
    );
    // Nothing of the cancelled transaction stays.
    assert!(w.items("SELECT * FROM items WHERE pk = 'other'").is_empty());

    let reads = w.ok(
        "ExecuteTransaction",
        tx(vec![
            st("SELECT pk FROM items WHERE pk = 'new'"),
            st("SELECT * FROM items WHERE pk = 'none'"),
        ]),
    );
    assert_eq!(reads["Responses"], json!([{"Item": {"pk": s("new")}}, {}]));

    let refusals = [
        (
            vec![st("SELECT * FROM items WHERE pk = 'new'"), st("DELETE FROM items WHERE pk = 'new'")],
            "ExecuteTransaction API does not support both read and write operations in the same request.",
        ),
        (
            vec![st("DELETE FROM items WHERE pk = 'new'"), st("UPDATE items SET a = 1 WHERE pk = 'new'")],
            "Transaction request cannot include multiple operations on one item",
        ),
        (
            vec![st("SELECT * FROM orders WHERE pk = 'a'")],
            "Select statements within ExecuteTransaction must specify the primary key in the where clause.",
        ),
        (
            vec![st("SELECT * FROM orders.by_status WHERE status = 'open'")],
            "Validation failed in TransactStatements[0]: Reads on indices are not supported within transactions.",
        ),
        (
            vec![st("UPDATE items SET a = 1 WHERE pk = 'new'"), st("DELETE FROM items WHERE pk = 'old' RETURNING ALL OLD *")],
            "Validation failed in TransactStatements[1]: RETURNING clause is not supported in ExecuteTransaction.",
        ),
        (
            vec![st("EXISTS(SELECT * FROM orders WHERE pk = 'a')")],
            "EXISTS() must contain a single item read with additional condition",
        ),
        // Captured from AWS by the conformance suite: an EXISTS that asks nothing beyond its
        // key, and a SELECT whose WHERE calls a function, are refused up front.
        (
            vec![st("EXISTS(SELECT * FROM items WHERE pk = 'new')")],
            "Validation failed in TransactStatements[0]: EXISTS() must contain a single item read with additional condition",
        ),
        (
            vec![st("SELECT * FROM items WHERE pk = 'new' AND size(pk) > 1")],
            "Validation failed in TransactStatements[0]: Select statements within ExecuteTransaction must specify the primary key in the where clause.",
        ),
        (
            vec![st("SELEKT * FROM items")],
            "Statement wasn't well formed, can't be processed: Expected data manipulation",
        ),
        (
            (0..101).map(|i| st(&format!("INSERT INTO items VALUE {{'pk': 'p{i}'}}"))).collect(),
            "1 validation error detected at 'transactStatements' failed to satisfy constraint: Member must have length less than or equal to 100.",
        ),
    ];
    for (statements, message) in refusals {
        assert_eq!(
            w.err("ExecuteTransaction", tx(statements)),
            ("ValidationException".to_string(), message.to_string())
        );
    }
}

#[test]
fn transaction_token_runs_once() {
    let mut w = world();
    let input = json!({"ClientRequestToken": "tok-1", "TransactStatements": [
        {"Statement": "UPDATE orders SET n = n + ? WHERE pk = 'a' AND sk = 1 AND attribute_exists(n) OR pk = 'a' AND sk = 1", "Parameters": [n("1")]}
    ]});
    // The WHERE's OR keeps the key from being pinned: refused before anything runs.
    assert_eq!(
        w.err("ExecuteTransaction", input).1,
        "Where clause does not contain a mandatory equality on all key attributes"
    );
    let input = json!({"ClientRequestToken": "tok-1", "ReturnConsumedCapacity": "TOTAL",
    "TransactStatements": [
        {"Statement": "UPDATE orders SET n = if_not_exists(n, 0) + ? WHERE pk = 'a' AND sk = 1", "Parameters": [n("1")]}
    ]});
    // The first call is a transactional write (of the item and its GSI entry); the replay
    // is billed as a transactional read of the item as it stands, as AWS bills it.
    assert_eq!(
        w.ok("ExecuteTransaction", input.clone())["ConsumedCapacity"],
        json!([{"TableName": "orders", "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}])
    );
    assert_eq!(
        w.ok("ExecuteTransaction", input.clone())["ConsumedCapacity"],
        json!([{"TableName": "orders", "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}])
    );
    assert_eq!(w.order("a", 1).unwrap()["n"], n("1"));
    let mut other = input;
    other["TransactStatements"][0]["Parameters"] = json!([n("2")]);
    assert_eq!(
        w.err("ExecuteTransaction", other).0,
        "IdempotentParameterMismatchException"
    );
}

#[test]
fn provisioned_capacity_throttles_statements() {
    let mut w = World::new("dynamodb", ACCOUNT);
    let mut input = table_input("slow", None);
    input["BillingMode"] = json!("PROVISIONED");
    input["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 1, "WriteCapacityUnits": 1});
    w.ok("CreateTable", input);
    // One write unit a second, with 300 seconds of burst: the 301st write at once is refused.
    for i in 0..300 {
        w.ok(
            "ExecuteStatement",
            json!({"Statement": format!("INSERT INTO slow VALUE {{'pk': 'p{i}'}}")}),
        );
    }
    let refused = w.err(
        "ExecuteStatement",
        json!({"Statement": "INSERT INTO slow VALUE {'pk': 'last'}"}),
    );
    assert_eq!(refused.0, "ProvisionedThroughputExceededException");
    let batch = w.ok(
        "BatchExecuteStatement",
        json!({"Statements": [{"Statement": "DELETE FROM slow WHERE pk = 'p1'"}]}),
    );
    assert_eq!(
        batch["Responses"][0]["Error"]["Code"],
        "ProvisionedThroughputExceeded"
    );
    assert_eq!(
        w.items("SELECT * FROM slow WHERE pk = 'last'"),
        Vec::<Value>::new()
    );
}

#[test]
fn statements_write_stream_records_like_the_item_operations() {
    let mut w = World::new("dynamodb", ACCOUNT);
    let mut input = table_input("streamed", None);
    input["StreamSpecification"] =
        json!({"StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES"});
    let arn = w.ok("CreateTable", input)["TableDescription"]["LatestStreamArn"]
        .as_str()
        .unwrap()
        .to_string();
    w.items("INSERT INTO streamed VALUE {'pk': 'k', 'n': 1}");
    w.items("UPDATE streamed SET n = 2 WHERE pk = 'k'");
    w.ok(
        "ExecuteTransaction",
        json!({"TransactStatements": [{"Statement": "DELETE FROM streamed WHERE pk = 'k'"}]}),
    );
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
    let events: Vec<&str> = records
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["eventName"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["INSERT", "MODIFY", "REMOVE"]);
    assert_eq!(records[1]["dynamodb"]["OldImage"]["n"], n("1"));
    assert_eq!(records[1]["dynamodb"]["NewImage"]["n"], n("2"));
}

#[test]
fn malformed_statements_are_refused_never_panic() {
    let mut w = world();
    let broken = [
        " ",
        "SELECT",
        "SELECT * FROM",
        "SELECT * FROM orders WHERE",
        "SELECT * FROM orders WHERE pk",
        "UPDATE orders SET",
        "UPDATE orders SET a",
        "UPDATE orders SET a =",
        "UPDATE orders SET a = 1 WHERE",
        "INSERT INTO orders VALUE {",
        "INSERT INTO orders VALUE {'a'",
        "INSERT INTO orders VALUE {'a':}",
        "INSERT INTO orders VALUE {'a': 1,}",
        "SELECT * FROM orders WHERE a IN []",
        "SELECT * FROM orders WHERE a BETWEEN 1",
        "SELECT * FROM orders WHERE a IS",
        "SELECT * FROM orders WHERE size(",
        "SELECT a[ FROM orders",
        "SELECT a[-1] FROM orders",
        "SELECT a[99999999999999999999999] FROM orders",
        "DELETE FROM orders WHERE pk = 'a' RETURNING",
        "EXISTS(",
        "SELECT * FROM orders WHERE NOT",
        "SELECT * FROM orders WHERE (pk = 'a'",
        "?",
        "'",
        "\"\"",
        "SELECT \"\" FROM orders",
        "SELECT * FROM orders WHERE a = 1e999",
        "SELECT * FROM orders WHERE a = 123456789012345678901234567890123456789",
        "SELECT * FROM orders /* open",
        "SELECT * FROM orders WHERE a = @",
        "SELECT * FROM a.b.c",
        "SELECT * FROM orders, items",
        "UPDATE orders SET a = set_add(a) WHERE pk = 'a' AND sk = 1",
        "UPDATE orders SET a = list_append(a) WHERE pk = 'a' AND sk = 1",
        "SELECT * FROM orders WHERE attribute_type(a, 'X')",
        "SELECT * FROM orders WHERE begins_with(a)",
        "SELECT * FROM orders WHERE a = <<'x', 'x'>>",
        "SELECT * FROM orders; SELECT * FROM orders",
    ];
    for statement in broken {
        match w.statement(statement, &[]) {
            Err((code, message)) => {
                assert_eq!(code, "ValidationException", "{statement}: {message}")
            }
            Ok(out) => panic!("{statement} was accepted: {out}"),
        }
    }
}

#[test]
fn consumed_capacity_is_reported_like_the_item_operations() {
    let mut w = world();
    let out = w.ok(
        "ExecuteStatement",
        json!({"Statement": "SELECT * FROM orders.by_status WHERE status = 'open'",
               "ReturnConsumedCapacity": "INDEXES"}),
    );
    assert_eq!(
        out["ConsumedCapacity"],
        json!({"TableName": "orders", "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
               "GlobalSecondaryIndexes": {"by_status": {"CapacityUnits": 0.5}}})
    );
    let out = w.ok(
        "ExecuteStatement",
        json!({"Statement": "SELECT * FROM orders WHERE pk = 'a' AND sk = 1",
               "ConsistentRead": true, "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(
        out["ConsumedCapacity"],
        json!({"TableName": "orders", "CapacityUnits": 1.0})
    );
    // A write to an indexed item pays for the index entry too.
    let out = w.ok(
        "ExecuteStatement",
        json!({"Statement": "UPDATE orders SET status = 'closed' WHERE pk = 'a' AND sk = 2",
               "ReturnConsumedCapacity": "TOTAL"}),
    );
    assert_eq!(out["ConsumedCapacity"]["CapacityUnits"], 3.0);
    let out = w.ok(
        "ExecuteTransaction",
        json!({"TransactStatements": [{"Statement": "DELETE FROM items WHERE pk = 'none'"}],
               "ReturnConsumedCapacity": "TOTAL"}),
    );
    // A transaction, so its write part is reported apart too.
    assert_eq!(
        out["ConsumedCapacity"],
        json!([{"TableName": "items", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}])
    );
}

#[test]
fn reads_through_an_index_name_only_what_it_holds() {
    let mut w = World::new("dynamodb", ACCOUNT);
    let mut input = table_input("parts", Some("S"));
    input["AttributeDefinitions"]
        .as_array_mut()
        .unwrap()
        .extend([
            json!({"AttributeName": "g", "AttributeType": "S"}),
            json!({"AttributeName": "l", "AttributeType": "S"}),
        ]);
    input["GlobalSecondaryIndexes"] = json!([{"IndexName": "by_g",
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["kept"]}}]);
    input["LocalSecondaryIndexes"] = json!([{"IndexName": "by_l",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}]);
    w.ok("CreateTable", input);
    w.items(
        "INSERT INTO parts VALUE {'pk': 'p', 'sk': '1', 'g': 'y', 'l': 'a', 'kept': 1, 'other': 2}",
    );
    let refused =
        |w: &mut World, statement: &str| w.err("ExecuteStatement", json!({"Statement": statement}));
    let invalid = "One or more parameter values were invalid: ";
    assert_eq!(
        refused(&mut w, "SELECT pk FROM parts.by_g WHERE g = 'y' AND other = 2"),
        ("ValidationException".into(), format!("{invalid}Secondary index by_g does not project one or more filter attributes: [other]"))
    );
    assert_eq!(
        refused(&mut w, "SELECT pk FROM parts.by_l WHERE pk = 'p' AND other = 2"),
        ("ValidationException".into(), format!("{invalid}Secondary index by_l does not project one or more filter attributes: [other]"))
    );
    assert_eq!(
        refused(&mut w, "SELECT other, kept FROM parts.by_g WHERE g = 'y'"),
        (
            "ValidationException".into(),
            format!("{invalid}Global secondary index by_g does not project [other]")
        )
    );
    // What the index holds may be named; a filter that reads no index key is not refused.
    assert_eq!(
        w.items("SELECT kept FROM parts.by_g WHERE g = 'y' AND kept = 1")
            .len(),
        1
    );
    // It sees what the index holds: the LSI lacks `other`, so nothing matches.
    assert_eq!(
        w.items("SELECT pk FROM parts.by_l WHERE other = 2"),
        Vec::<Value>::new()
    );
    // Nor one whose key is reached through OR.
    w.items("SELECT pk FROM parts.by_g WHERE (g = 'y' AND other = 2) OR g = 'z'");

    // An LSI fetches from the table an attribute it lacks, and each item's fetch is charged
    // to the table; what it holds, SELECT * too, it answers alone.
    w.items("INSERT INTO parts VALUE {'pk': 'q', 'sk': '1', 'l': 'a', 'other': 3}");
    w.items("INSERT INTO parts VALUE {'pk': 'q', 'sk': '2', 'l': 'b', 'other': 4}");
    let mut read_at_most = |statement: &str, limit: Option<i32>| {
        let mut input = json!({"Statement": statement, "ReturnConsumedCapacity": "INDEXES"});
        if let Some(limit) = limit {
            input["Limit"] = json!(limit);
        }
        let out = w.ok("ExecuteStatement", input);
        let capacity = &out["ConsumedCapacity"];
        // Zero as a client reads it: +0, not -0.
        let table = capacity["Table"]["CapacityUnits"].as_f64().unwrap();
        assert!(table.is_sign_positive(), "{table}");
        let arms = (
            capacity["Table"]["CapacityUnits"].clone(),
            capacity["LocalSecondaryIndexes"]["by_l"]["CapacityUnits"].clone(),
            capacity["CapacityUnits"].clone(),
        );
        (out["Items"].clone(), arms)
    };
    assert_eq!(
        read_at_most("SELECT other FROM parts.by_l WHERE pk = 'q'", None),
        (
            json!([{"other": {"N": "3"}}, {"other": {"N": "4"}}]),
            (json!(1.0), json!(0.5), json!(1.5))
        )
    );
    assert_eq!(
        read_at_most("SELECT other FROM parts.by_l WHERE pk = 'q'", Some(1)).1,
        (json!(0.5), json!(0.5), json!(1.0))
    );
    let mut read = |statement: &str| read_at_most(statement, None);
    assert_eq!(
        read("SELECT other FROM parts.by_l WHERE pk = 'p'"),
        (
            json!([{"other": {"N": "2"}}]),
            (json!(0.5), json!(0.5), json!(1.0))
        )
    );
    assert_eq!(
        read("SELECT l FROM parts.by_l WHERE pk = 'p'"),
        (
            json!([{"l": {"S": "a"}}]),
            (json!(0.0), json!(0.5), json!(0.5))
        )
    );
    assert_eq!(
        read("SELECT * FROM parts.by_l WHERE pk = 'p'"),
        (
            json!([{"pk": {"S": "p"}, "sk": {"S": "1"}, "l": {"S": "a"}}]),
            (json!(0.0), json!(0.5), json!(0.5))
        )
    );
}

/// PartiQL's FROM-first UPDATE, `FROM t WHERE <key> SET ... REMOVE ...`, is an UPDATE:
/// parameters in the order written, a further WHERE condition and an absent item fail the
/// condition, RETURNING and transactions work (the conformance suite's capture of AWS).
#[test]
fn a_from_first_update_is_an_update() {
    let mut w = world();
    let answer = w
        .statement(
            "from orders where pk = ? AND sk = 1 set note = ? remove tags RETURNING MODIFIED NEW *",
            &[s("a"), s("first")],
        )
        .unwrap();
    assert_eq!(answer, json!({"Items": [{"note": s("first")}]}));
    let stored = w.order("a", 1).unwrap();
    assert_eq!((&stored["note"], stored.get("tags")), (&s("first"), None));

    for refused in [
        "FROM orders WHERE pk = 'a' AND sk = 2 AND status = 'done' SET note = 'no'",
        "FROM orders WHERE pk = 'zz' AND sk = 1 SET note = 'no'",
    ] {
        assert_eq!(
            w.statement(refused, &[]).unwrap_err().0,
            "ConditionalCheckFailedException",
            "{refused}"
        );
    }
    assert_eq!(w.order("a", 2).unwrap().get("note"), None);
    assert_eq!(w.order("zz", 1), None);

    w.ok(
        "ExecuteTransaction",
        json!({"TransactStatements": [{"Statement": "FROM orders WHERE pk = 'a' AND sk = 3 SET note = 'tx'"}]}),
    );
    assert_eq!(w.order("a", 3).unwrap()["note"], s("tx"));
    assert_eq!(
        w.statement("FROM orders SET note = 'no'", &[])
            .unwrap_err()
            .1,
        "Where clause does not contain a mandatory equality on all key attributes"
    );
}
