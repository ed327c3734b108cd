//! A playground's definition: export through the API, the share link, and recreation.

mod common;

use std::sync::Arc;

use base64::Engine as _;
use common::{b64, zip, DOCS_ACCOUNT};
use nimbus_core::{
    definition::{self, Definition, EventJson, MAX_ITEMS},
    Caller, Emulator, ManualClock, SeededIds,
};
use serde_json::{json, Value};

fn caller() -> Caller {
    common::caller(DOCS_ACCOUNT)
}

fn emulator() -> Emulator {
    Emulator::new(
        Arc::new(ManualClock::new(1_704_067_200_000)),
        Box::new(SeededIds::new(7)),
    )
}

fn ok(emulator: &mut Emulator, service: &str, operation: &str, input: Value) -> Value {
    let outcome = emulator.call(&caller(), service, operation, input);
    match outcome.result {
        Ok(value) => value,
        Err(e) => panic!("{service} {operation}: {} {}", e.code, e.message),
    }
}

fn create_function(emulator: &mut Emulator, name: &str, files: &[(&str, &[u8])], extra: Value) {
    let mut input = json!({
        "FunctionName": name,
        "Runtime": "nodejs20.x",
        "Handler": "index.handler",
        "Role": definition::DEFAULT_ROLE,
        "Code": { "ZipFile": b64(&zip(files)) },
    });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    ok(emulator, "lambda", "CreateFunction", input);
}

fn create_table(emulator: &mut Emulator, name: &str) {
    let input = json!({
        "TableName": name,
        "AttributeDefinitions": [{ "AttributeName": "id", "AttributeType": "S" }],
        "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }],
        "BillingMode": "PAY_PER_REQUEST",
    });
    ok(emulator, "dynamodb", "CreateTable", input);
}

fn put_item(emulator: &mut Emulator, table: &str, item: Value) {
    let input = json!({ "TableName": table, "Item": item });
    ok(emulator, "dynamodb", "PutItem", input);
}

/// Three small functions, as the issue's example, and a table with a few items.
fn small_playground() -> Emulator {
    let mut emulator = emulator();
    create_function(
        &mut emulator,
        "hello",
        &[(
            "index.mjs",
            b"export const handler = async (event) => {\n  return { greeting: `Hello, ${event.name ?? 'world'}!` };\n};\n",
        )],
        json!({}),
    );
    create_function(
        &mut emulator,
        "save-note",
        &[(
            "index.mjs",
            b"import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';\n\nconst db = DynamoDBDocumentClient.from(new DynamoDBClient({}));\n\nexport const handler = async (event) => {\n  await db.send(new PutCommand({ TableName: process.env.TABLE, Item: { id: event.id, text: event.text } }));\n  return { saved: event.id };\n};\n",
        )],
        json!({ "Environment": { "Variables": { "TABLE": "notes" } }, "Timeout": 10 }),
    );
    create_function(
        &mut emulator,
        "count",
        &[(
            "index.js",
            b"let calls = 0;\nexports.handler = async () => ({ calls: ++calls });\n",
        )],
        json!({ "MemorySize": 256, "Description": "counts warm invocations" }),
    );
    create_table(&mut emulator, "notes");
    for (id, text) in [("1", "buy milk"), ("2", "call Ana"), ("3", "ship it")] {
        put_item(
            &mut emulator,
            "notes",
            json!({ "id": { "S": id }, "text": { "S": text }, "done": { "BOOL": false } }),
        );
    }
    emulator
}

/// Every kind of resource, with settings away from the defaults.
fn full_playground() -> Emulator {
    let mut emulator = small_playground();
    create_function(
        &mut emulator,
        "with-binary",
        &[
            ("index.mjs", b"export const handler = async () => 1;"),
            ("lib/blob.bin", &[0, 159, 146, 150, 255]),
        ],
        json!({}),
    );
    ok(
        &mut emulator,
        "lambda",
        "PutFunctionConcurrency",
        json!({ "FunctionName": "count", "ReservedConcurrentExecutions": 5 }),
    );
    ok(
        &mut emulator,
        "dynamodb",
        "CreateTable",
        json!({
            "TableName": "orders",
            "AttributeDefinitions": [
                { "AttributeName": "pk", "AttributeType": "S" },
                { "AttributeName": "sk", "AttributeType": "N" },
                { "AttributeName": "status", "AttributeType": "S" },
            ],
            "KeySchema": [
                { "AttributeName": "pk", "KeyType": "HASH" },
                { "AttributeName": "sk", "KeyType": "RANGE" },
            ],
            "ProvisionedThroughput": { "ReadCapacityUnits": 5, "WriteCapacityUnits": 2 },
            "GlobalSecondaryIndexes": [{
                "IndexName": "by-status",
                "KeySchema": [{ "AttributeName": "status", "KeyType": "HASH" }],
                "Projection": { "ProjectionType": "KEYS_ONLY" },
                "ProvisionedThroughput": { "ReadCapacityUnits": 1, "WriteCapacityUnits": 1 },
            }],
            "StreamSpecification": { "StreamEnabled": true, "StreamViewType": "NEW_IMAGE" },
        }),
    );
    put_item(
        &mut emulator,
        "orders",
        json!({ "pk": { "S": "a" }, "sk": { "N": "1" }, "status": { "S": "open" },
                "tags": { "SS": ["x", "y"] }, "blob": { "B": "AAE=" } }),
    );
    ok(
        &mut emulator,
        "sqs",
        "CreateQueue",
        json!({ "QueueName": "z-failed" }),
    );
    ok(
        &mut emulator,
        "sqs",
        "CreateQueue",
        json!({ "QueueName": "jobs", "Attributes": {
            "VisibilityTimeout": "60",
            "RedrivePolicy": "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:z-failed\",\"maxReceiveCount\":\"3\"}",
        } }),
    );
    ok(
        &mut emulator,
        "sqs",
        "CreateQueue",
        json!({ "QueueName": "events.fifo", "Attributes": { "FifoQueue": "true", "ContentBasedDeduplication": "true" } }),
    );
    ok(
        &mut emulator,
        "sns",
        "CreateTopic",
        json!({ "Name": "alerts", "Attributes": { "DisplayName": "Alerts" } }),
    );
    ok(
        &mut emulator,
        "s3",
        "CreateBucket",
        json!({ "Bucket": "site" }),
    );
    ok(
        &mut emulator,
        "s3",
        "PutObject",
        json!({ "Bucket": "site", "Key": "index.html", "Body": b64(b"<h1>hi</h1>"), "ContentType": "text/html" }),
    );
    ok(
        &mut emulator,
        "s3",
        "PutObject",
        json!({ "Bucket": "site", "Key": "logo.bin", "Body": b64(&[0xffu8, 0xd8, 0x00]) }),
    );
    let stream = ok(
        &mut emulator,
        "dynamodb",
        "DescribeTable",
        json!({ "TableName": "orders" }),
    )["Table"]["LatestStreamArn"]
        .clone();
    ok(
        &mut emulator,
        "lambda",
        "CreateEventSourceMapping",
        json!({
            "FunctionName": "count",
            "EventSourceArn": stream,
            "StartingPosition": "TRIM_HORIZON",
            "BatchSize": 10,
            "FilterCriteria": { "Filters": [{ "Pattern": "{\"eventName\":[\"INSERT\"]}" }] },
            "DestinationConfig": { "OnFailure": {
                "Destination": "arn:aws:sqs:us-east-1:123456789012:z-failed",
            } },
        }),
    );
    ok(
        &mut emulator,
        "lambda",
        "CreateEventSourceMapping",
        json!({
            "FunctionName": "hello",
            "EventSourceArn": stream,
            "StartingPosition": "LATEST",
            "Enabled": false,
        }),
    );
    emulator
}

/// Recreates `definition` in a fresh emulator through its calls.
fn recreate(definition: &Definition) -> Emulator {
    let mut fresh = emulator();
    let mut replay = definition.replay();
    while let Some(call) = replay.next_call() {
        let answer = ok(&mut fresh, &call.0, &call.1, call.2.clone());
        replay.answered(&call, &answer);
    }
    fresh
}

#[test]
fn three_small_functions_and_a_table_fit_a_link_under_4000_characters() {
    let mut emulator = small_playground();
    let exported = definition::export(&mut emulator, &caller()).unwrap();
    assert_eq!(exported.functions.len(), 3);
    assert_eq!(exported.tables[0].items.len(), 3);
    let fragment = exported.to_link_fragment();
    eprintln!("link fragment: {} characters", fragment.len());
    assert!(
        fragment.len() < 4000,
        "fragment is {} chars",
        fragment.len()
    );
    assert!(fragment
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_eq!(Definition::from_link_fragment(&fragment).unwrap(), exported);
}

#[test]
fn export_keeps_settings_code_and_seed_data() {
    let mut emulator = full_playground();
    let exported = definition::export(&mut emulator, &caller()).unwrap();
    let function = |name: &str| {
        exported
            .functions
            .iter()
            .find(|f| f.name == name)
            .unwrap()
            .clone()
    };
    let save = function("save-note");
    assert_eq!(save.timeout, 10);
    assert_eq!(save.environment["TABLE"], "notes");
    assert!(save.files["index.mjs"].contains("PutCommand"));
    let count = function("count");
    assert_eq!(
        (count.memory_size, count.reserved_concurrency),
        (256, Some(5))
    );
    assert_eq!(count.description, "counts warm invocations");
    let binary = function("with-binary");
    assert_eq!(
        binary.binary_files["lib/blob.bin"],
        b64(&[0, 159, 146, 150, 255])
    );

    let orders = exported.tables.iter().find(|t| t.name == "orders").unwrap();
    assert_eq!(
        orders.create["ProvisionedThroughput"]["ReadCapacityUnits"],
        5
    );
    assert_eq!(
        orders.create["GlobalSecondaryIndexes"][0]["IndexName"],
        "by-status"
    );
    assert_eq!(
        orders.create["StreamSpecification"]["StreamViewType"],
        "NEW_IMAGE"
    );
    assert_eq!(orders.items[0]["tags"], json!({ "SS": ["x", "y"] }));

    let jobs = exported.queues.iter().find(|q| q.name == "jobs").unwrap();
    assert_eq!(jobs.attributes["VisibilityTimeout"], "60");
    assert!(jobs.attributes.contains_key("RedrivePolicy"));
    let failed = exported
        .queues
        .iter()
        .find(|q| q.name == "z-failed")
        .unwrap();
    assert!(failed.attributes.is_empty(), "defaults are left out");

    assert_eq!(exported.topics[0].attributes["DisplayName"], "Alerts");
    let site = &exported.buckets[0];
    assert_eq!(site.objects[0].text.as_deref(), Some("<h1>hi</h1>"));
    assert_eq!(site.objects[0].content_type.as_deref(), Some("text/html"));
    assert_eq!(site.objects[1].base64.as_deref(), Some("/9gA"));
}

#[test]
fn event_source_mappings_name_their_table_and_only_settings_away_from_the_defaults() {
    let mut emulator = full_playground();
    let exported = definition::export(&mut emulator, &caller()).unwrap();
    let mut mappings = exported.event_source_mappings.clone();
    mappings.sort_by(|a, b| a.function.cmp(&b.function));
    assert_eq!(mappings.len(), 2);
    assert_eq!(mappings[0].function, "count");
    assert_eq!(mappings[0].table, "orders");
    assert_eq!(
        Value::Object(mappings[0].settings.clone()),
        json!({
            "StartingPosition": "TRIM_HORIZON",
            "BatchSize": 10,
            "FilterCriteria": { "Filters": [{ "Pattern": "{\"eventName\":[\"INSERT\"]}" }] },
            "DestinationConfig": { "OnFailure": {
                "Destination": "arn:aws:sqs:us-east-1:123456789012:z-failed",
            } },
        })
    );
    assert_eq!(
        Value::Object(mappings[1].settings.clone()),
        json!({ "StartingPosition": "LATEST", "Enabled": false })
    );
}

#[test]
fn a_recreated_mapping_reads_the_new_stream_of_its_table() {
    let mut original = full_playground();
    let exported = definition::export(&mut original, &caller()).unwrap();
    // A later clock gives the recreated table's stream another label, hence another ARN.
    let mut copy = Emulator::new(
        Arc::new(ManualClock::new(1_704_067_200_000 + 60_000)),
        Box::new(SeededIds::new(8)),
    );
    let mut replay = exported.replay();
    while let Some(call) = replay.next_call() {
        let answer = ok(&mut copy, &call.0, &call.1, call.2.clone());
        replay.answered(&call, &answer);
    }
    let stream = ok(
        &mut copy,
        "dynamodb",
        "DescribeTable",
        json!({ "TableName": "orders" }),
    )["Table"]["LatestStreamArn"]
        .clone();
    let listed = ok(
        &mut copy,
        "lambda",
        "ListEventSourceMappings",
        json!({ "FunctionName": "count" }),
    );
    assert_eq!(listed["EventSourceMappings"][0]["EventSourceArn"], stream);
}

#[test]
fn a_link_recreates_the_same_playground() {
    let mut original = full_playground();
    let exported = definition::export(&mut original, &caller()).unwrap();
    let link = exported.to_link_fragment();
    let opened = Definition::from_link_fragment(&link).unwrap();
    let mut copy = recreate(&opened);
    let again = definition::export(&mut copy, &caller()).unwrap();
    assert_eq!(again, exported);
    // The recreated function runs the same code.
    let code = copy
        .function_code(&caller().scope(), "hello")
        .expect("hello exists");
    assert!(String::from_utf8_lossy(&code["index.mjs"]).contains("Hello, "));
}

#[test]
fn the_json_file_round_trips() {
    let mut original = full_playground();
    let mut exported = definition::export(&mut original, &caller()).unwrap();
    exported.functions[0]
        .test_events
        .push(definition::TestEvent {
            name: "greet".into(),
            event: EventJson::parse("{ \"name\": \"Ana\" }").unwrap(),
        });
    let text = exported.to_json_pretty();
    assert!(text.contains("\"nimbus\": 1"));
    assert_eq!(Definition::from_json(&text).unwrap(), exported);
}

#[test]
fn test_events_keep_the_order_of_their_members_in_links() {
    let mut exported = definition::export(&mut full_playground(), &caller()).unwrap();
    let written = "{\n  \"zone\": \"eu\",\n  \"id\": 7,\n  \"nested\": { \"b\": [1, {\"y\": 1, \"x\": 2}], \"a\": \"a b\" }\n}";
    let event = EventJson::parse(written).unwrap();
    assert_eq!(
        event.get(),
        r#"{"zone":"eu","id":7,"nested":{"b":[1,{"y":1,"x":2}],"a":"a b"}}"#
    );
    exported.functions[0]
        .test_events
        .push(definition::TestEvent {
            name: "ordered".into(),
            event,
        });
    let opened = Definition::from_link_fragment(&exported.to_link_fragment()).unwrap();
    let shown = opened.functions[0].test_events[0].event.pretty();
    assert!(
        shown.starts_with("{\n  \"zone\": \"eu\",\n  \"id\": 7,\n  \"nested\": {\n    \"b\": ["),
        "{shown}"
    );
    assert!(EventJson::parse("{\"a\": }").is_err());
}

#[test]
fn large_tables_keep_their_first_items_and_say_so() {
    let mut emulator = emulator();
    create_table(&mut emulator, "big");
    for i in 0..MAX_ITEMS + 20 {
        put_item(
            &mut emulator,
            "big",
            json!({ "id": { "S": format!("{i:04}") } }),
        );
    }
    create_table(&mut emulator, "wide");
    let text = "x".repeat(10_000);
    for i in 0..10 {
        put_item(
            &mut emulator,
            "wide",
            json!({ "id": { "S": i.to_string() }, "text": { "S": text } }),
        );
    }
    let exported = definition::export(&mut emulator, &caller()).unwrap();
    let big = &exported.tables[0];
    assert_eq!((big.items.len(), big.items_truncated), (MAX_ITEMS, true));
    let wide = &exported.tables[1];
    assert!(wide.items_truncated);
    assert_eq!(wide.items.len(), 6, "64 KB holds six 10 KB items");
    assert!(exported.to_json().contains("\"itemsTruncated\":true"));
    // What was kept still recreates.
    recreate(&exported);
}

#[test]
fn bad_links_give_clear_errors() {
    let valid = Definition {
        nimbus: 1,
        ..Default::default()
    }
    .to_link_fragment();
    let deflate = |text: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(stored_deflate(text.as_bytes()))
    };
    let cases = [
        ("not base64 ***", "not valid base64url"),
        ("aGVsbG8", "does not decompress"),
        (&valid[..valid.len() / 2], "damaged"),
        (&deflate("not json"), "invalid JSON"),
        (&deflate("{\"functions\":[]}"), "no \"nimbus\" version"),
        (&deflate("{\"nimbus\":2}"), "format version 2"),
        (
            &deflate("{\"nimbus\":1,\"tables\":[{\"name\":3}]}"),
            "damaged",
        ),
    ];
    for (link, expected) in cases {
        let error = Definition::from_link_fragment(link).unwrap_err();
        assert!(error.contains(expected), "{link:?}: {error}");
    }
    assert_eq!(
        Definition::from_link_fragment(&valid).unwrap(),
        Definition {
            nimbus: 1,
            ..Default::default()
        }
    );
}

/// Raw deflate of `bytes` as one stored block, to build links by hand.
fn stored_deflate(bytes: &[u8]) -> Vec<u8> {
    // A stored (uncompressed) raw-deflate block: BFINAL=1, BTYPE=00, LEN, NLEN, data.
    let len = bytes.len() as u16;
    let mut out = vec![1u8];
    out.extend(len.to_le_bytes());
    out.extend((!len).to_le_bytes());
    out.extend(bytes);
    out
}
