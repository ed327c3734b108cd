//! DynamoDB import from S3 (ImportTable, DescribeImport, ListImports) and export to S3
//! (ExportTableToPointInTime, DescribeExport, ListExports), with S3's objects as the source
//! and destination.

mod common;

use std::io::Read as _;

use base64::{engine::general_purpose::STANDARD, Engine as _};
use common::{b64, table_input, ACCOUNT, T0};
use serde_json::{json, Value};

type World = common::World<(String, String)>;

fn world() -> World {
    World::new("dynamodb", ACCOUNT)
}

fn bucket(w: &mut World, name: &str) {
    w.call_to("s3", "CreateBucket", json!({"Bucket": name}))
        .unwrap();
}

fn put_object(w: &mut World, bucket: &str, key: &str, body: &[u8]) {
    w.call_to(
        "s3",
        "PutObject",
        json!({"Bucket": bucket, "Key": key, "Body": b64(body)}),
    )
    .unwrap();
}

fn get_object(w: &mut World, bucket: &str, key: &str) -> Vec<u8> {
    let out = w
        .call_to("s3", "GetObject", json!({"Bucket": bucket, "Key": key}))
        .unwrap();
    STANDARD.decode(out["Body"].as_str().unwrap()).unwrap()
}

fn keys_in(w: &mut World, bucket: &str) -> Vec<String> {
    let out = w
        .call_to("s3", "ListObjectsV2", json!({"Bucket": bucket}))
        .unwrap();
    out["Contents"]
        .as_array()
        .map(|c| {
            c.iter()
                .map(|o| o["Key"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Starts an import; answers how it ended (DescribeImport), after checking that the call
/// answered it just begun, as AWS does.
fn import(w: &mut World, source: Value, format: &str, compression: &str) -> Value {
    let begun = w.ok(
        "ImportTable",
        json!({
            "S3BucketSource": source,
            "InputFormat": format,
            "InputCompressionType": compression,
            "TableCreationParameters": {
                "TableName": "Imported",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "n", "AttributeType": "N"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "n", "KeyType": "RANGE"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
        }),
    )["ImportTableDescription"]
        .clone();
    assert_eq!(begun["ImportStatus"], "IN_PROGRESS");
    assert_eq!(begun.get("EndTime"), None);
    w.ok("DescribeImport", json!({"ImportArn": begun["ImportArn"]}))["ImportTableDescription"]
        .clone()
}

/// Starts an export; answers how it ended (DescribeExport), after checking that the call
/// answered it just begun.
fn export(w: &mut World, input: Value) -> Value {
    let begun = w.ok("ExportTableToPointInTime", input)["ExportDescription"].clone();
    assert_eq!(begun["ExportStatus"], "IN_PROGRESS");
    assert_eq!(begun.get("ItemCount"), None);
    w.ok("DescribeExport", json!({"ExportArn": begun["ExportArn"]}))["ExportDescription"].clone()
}

fn scan(w: &mut World, table: &str) -> Vec<Value> {
    let mut items = w.ok("Scan", json!({"TableName": table}))["Items"]
        .as_array()
        .unwrap()
        .clone();
    items.sort_by_key(|i| i["pk"]["S"].as_str().unwrap().to_string());
    items
}

/// A gzip file of `data` (the test's own encoder: the system's `gzip` may be missing).
fn gzipped(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xedb8_8320 & (crc & 1).wrapping_neg());
        }
    }
    out.extend((!crc).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

fn gunzipped(data: &[u8]) -> String {
    let body = miniz_oxide::inflate::decompress_to_vec(&data[10..data.len() - 8]).unwrap();
    let mut text = String::new();
    body.as_slice().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn dynamodb_json_items_under_the_prefix_become_a_new_table() {
    let mut w = world();
    bucket(&mut w, "source");
    // One item per line, and items run together on one line: AWS reads both.
    let lines = concat!(
        r#"{"Item": {"pk": {"S": "a"}, "n": {"N": "1"}, "note": {"S": "x"}}}"#,
        "\n",
        r#"{"Item": {"pk": {"S": "b"}, "n": {"N": "2"}}}{"Item": {"pk": {"S": "c"}, "n": {"N": "3"}}}"#,
    );
    put_object(&mut w, "source", "in/one.json", lines.as_bytes());
    put_object(
        &mut w,
        "source",
        "in/two",
        br#"{"Item": {"pk": {"S": "d"}, "n": {"N": "4"}}}"#,
    );
    put_object(
        &mut w,
        "source",
        "other/skip.json",
        br#"{"Item": {"pk": {"S": "z"}, "n": {"N": "9"}}}"#,
    );
    let d = import(
        &mut w,
        json!({"S3Bucket": "source", "S3KeyPrefix": "in/"}),
        "DYNAMODB_JSON",
        "NONE",
    );
    assert_eq!(d["ImportStatus"], "COMPLETED");
    assert_eq!(d["ProcessedItemCount"], 4);
    assert_eq!(d["ImportedItemCount"], 4);
    assert_eq!(d["ErrorCount"], 0);
    assert!(d["ProcessedSizeBytes"].as_i64().unwrap() > 0);
    assert!(d["ImportArn"].as_str().unwrap().starts_with(&format!(
        "arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Imported/import/"
    )));
    let items = scan(&mut w, "Imported");
    let keys: Vec<&str> = items
        .iter()
        .map(|i| i["pk"]["S"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["a", "b", "c", "d"]);
    assert_eq!(items[0]["note"], json!({"S": "x"}));
    let described = w.ok("DescribeImport", json!({"ImportArn": d["ImportArn"]}));
    assert_eq!(described["ImportTableDescription"], d);
    let listed = w.ok("ListImports", json!({}));
    assert_eq!(listed["ImportSummaryList"][0]["ImportArn"], d["ImportArn"]);
    assert_eq!(listed["ImportSummaryList"][0]["ImportStatus"], "COMPLETED");
}

#[test]
fn gzip_and_csv_sources_import() {
    let mut w = world();
    bucket(&mut w, "source");
    let csv = "pk,n,colour\na,1,\"red, dark\"\nb,2,\n";
    put_object(&mut w, "source", "data.csv.gz", &gzipped(csv.as_bytes()));
    let d = import(&mut w, json!({"S3Bucket": "source"}), "CSV", "GZIP");
    assert_eq!(d["ImportStatus"], "COMPLETED", "{d}");
    let items = scan(&mut w, "Imported");
    // Keys take their defined types; other columns are Strings; empty cells are left out.
    assert_eq!(
        items,
        vec![
            json!({"pk": {"S": "a"}, "n": {"N": "1"}, "colour": {"S": "red, dark"}}),
            json!({"pk": {"S": "b"}, "n": {"N": "2"}}),
        ]
    );
}

#[test]
fn invalid_entries_are_counted_and_the_import_fails_with_the_valid_items_kept() {
    let mut w = world();
    bucket(&mut w, "source");
    put_object(
        &mut w,
        "source",
        "good",
        br#"{"Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}"#,
    );
    put_object(
        &mut w,
        "source",
        "no-wrapper",
        br#"{"pk": {"S": "b"}, "n": {"N": "2"}}"#,
    );
    put_object(
        &mut w,
        "source",
        "no-key",
        br#"{"Item": {"pk": {"S": "c"}}}"#,
    );
    let d = import(
        &mut w,
        json!({"S3Bucket": "source"}),
        "DYNAMODB_JSON",
        "NONE",
    );
    assert_eq!(d["ImportStatus"], "FAILED");
    assert_eq!(d["ProcessedItemCount"], 3);
    assert_eq!(d["ImportedItemCount"], 1);
    assert_eq!(d["ErrorCount"], 2);
    assert_eq!(scan(&mut w, "Imported").len(), 1);
}

#[test]
fn a_missing_bucket_fails_the_import_without_a_table() {
    let mut w = world();
    let d = import(
        &mut w,
        json!({"S3Bucket": "no-such-bucket"}),
        "DYNAMODB_JSON",
        "NONE",
    );
    assert_eq!(d["ImportStatus"], "FAILED");
    assert_eq!(d["FailureCode"], "S3NoSuchBucket");
    assert!(d["FailureMessage"]
        .as_str()
        .unwrap()
        .contains("The specified bucket does not exist"));
    assert!(d["TableArn"].as_str().unwrap().ends_with(":table/Imported"));
    assert_eq!(w.ok("ListTables", json!({}))["TableNames"], json!([]));
}

#[test]
fn import_table_parameters_get_create_table_checks() {
    let mut w = world();
    let (code, message) = w.err(
        "ImportTable",
        json!({
            "S3BucketSource": {"S3Bucket": "b"},
            "InputFormat": "DYNAMODB_JSON",
            "TableCreationParameters": {
                "TableName": "T1x",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "BillingMode": "PROVISIONED",
            },
        }),
    );
    assert_eq!(code, "ValidationException");
    assert_eq!(message, "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
}

fn enable_pitr(w: &mut World, table: &str) {
    w.ok(
        "UpdateContinuousBackups",
        json!({"TableName": table, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
    );
}

fn table_arn(table: &str) -> String {
    format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table}")
}

#[test]
fn an_export_writes_gzipped_dynamodb_json_and_manifests_into_the_bucket() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    for (pk, extra) in [
        ("user1", json!({"B": "YmFy"})),
        ("user2", json!({"S": "bar"})),
    ] {
        w.ok(
            "PutItem",
            json!({"TableName": "Orders", "Item": {"pk": {"S": pk}, "x": extra}}),
        );
    }
    bucket(&mut w, "exports");
    enable_pitr(&mut w, "Orders");
    let d = export(
        &mut w,
        json!({"TableArn": table_arn("Orders"), "S3Bucket": "exports", "S3Prefix": "prefix",
               "ExportFormat": "DYNAMODB_JSON"}),
    );
    assert_eq!(d["ExportStatus"], "COMPLETED");
    assert_eq!(d["ItemCount"], 2);
    assert_eq!(d["ExportFormat"], "DYNAMODB_JSON");
    assert_eq!(d["ExportType"], "FULL_EXPORT");
    assert_eq!(d["TableArn"], table_arn("Orders"));
    assert_eq!(d["S3Bucket"], "exports");
    assert_eq!(d["S3Prefix"], "prefix");
    let id = d["ExportArn"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let base = format!("prefix/AWSDynamoDB/{id}");
    assert_eq!(d["ExportManifest"], format!("{base}/manifest-summary.json"));
    let keys = keys_in(&mut w, "exports");
    for file in [
        "_started",
        "manifest-files.json",
        "manifest-files.md5",
        "manifest-summary.json",
        "manifest-summary.md5",
    ] {
        assert!(
            keys.contains(&format!("{base}/{file}")),
            "{file} missing from {keys:?}"
        );
    }
    let data_key = keys.iter().find(|k| k.contains("/data/")).unwrap().clone();
    assert!(data_key.starts_with(&format!("{base}/data/")) && data_key.ends_with(".json.gz"));
    let rows: Vec<Value> = gunzipped(&get_object(&mut w, "exports", &data_key))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows,
        vec![
            json!({"Item": {"pk": {"S": "user1"}, "x": {"B": "YmFy"}}}),
            json!({"Item": {"pk": {"S": "user2"}, "x": {"S": "bar"}}}),
        ]
    );
    let files: Value = serde_json::from_slice(&get_object(
        &mut w,
        "exports",
        &format!("{base}/manifest-files.json"),
    ))
    .unwrap();
    assert_eq!(files["dataFileS3Key"], data_key);
    assert_eq!(files["itemCount"], 2);
    let summary: Value = serde_json::from_slice(&get_object(
        &mut w,
        "exports",
        &format!("{base}/manifest-summary.json"),
    ))
    .unwrap();
    assert_eq!(summary["exportArn"], d["ExportArn"]);
    assert_eq!(summary["itemCount"], 2);
    assert_eq!(summary["outputFormat"], "DYNAMODB_JSON");
    assert_eq!(summary["startTime"], "2023-11-14T22:13:20.000Z");

    assert_eq!(
        w.ok("DescribeExport", json!({"ExportArn": d["ExportArn"]}))["ExportDescription"],
        d
    );
    let listed = w.ok("ListExports", json!({"TableArn": table_arn("Orders")}));
    assert_eq!(
        listed["ExportSummaries"],
        json!([{"ExportArn": d["ExportArn"], "ExportStatus": "COMPLETED", "ExportType": "FULL_EXPORT"}])
    );
}

#[test]
fn an_empty_table_exports_an_empty_data_file() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    bucket(&mut w, "exports");
    enable_pitr(&mut w, "Orders");
    let d = export(
        &mut w,
        json!({"TableArn": table_arn("Orders"), "S3Bucket": "exports"}),
    );
    assert_eq!(d["ItemCount"], 0);
    assert_eq!(d["BilledSizeBytes"], 0);
    let data_key = keys_in(&mut w, "exports")
        .into_iter()
        .find(|k| k.contains("/data/"))
        .unwrap();
    assert!(data_key.starts_with("AWSDynamoDB/"));
    assert_eq!(gunzipped(&get_object(&mut w, "exports", &data_key)), "");
}

#[test]
fn an_export_time_exports_the_items_of_that_moment() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    bucket(&mut w, "exports");
    enable_pitr(&mut w, "Orders");
    for pk in ["kept", "deleted later"] {
        w.ok(
            "PutItem",
            json!({"TableName": "Orders", "Item": {"pk": {"S": pk}}}),
        );
    }
    w.clock.advance(5000);
    w.ok(
        "DeleteItem",
        json!({"TableName": "Orders", "Key": {"pk": {"S": "deleted later"}}}),
    );
    w.ok(
        "PutItem",
        json!({"TableName": "Orders", "Item": {"pk": {"S": "added later"}}}),
    );
    let d = export(
        &mut w,
        json!({"TableArn": table_arn("Orders"), "S3Bucket": "exports",
               "ExportTime": (T0 + 1000) as f64 / 1000.0}),
    );
    assert_eq!(d["ItemCount"], 2);
    // Each item's size: the name "pk" and its value, in bytes.
    assert_eq!(d["BilledSizeBytes"], 2 + 4 + 2 + 13);
    let data_key = keys_in(&mut w, "exports")
        .into_iter()
        .find(|k| k.contains("/data/"))
        .unwrap();
    let mut rows: Vec<String> = gunzipped(&get_object(&mut w, "exports", &data_key))
        .lines()
        .map(str::to_string)
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            r#"{"Item":{"pk":{"S":"deleted later"}}}"#,
            r#"{"Item":{"pk":{"S":"kept"}}}"#
        ]
    );
}

#[test]
fn exports_need_the_table_recovery_and_a_bucket() {
    let mut w = world();
    let missing = table_arn("Nope");
    assert_eq!(
        w.err(
            "ExportTableToPointInTime",
            json!({"TableArn": missing, "S3Bucket": "b"})
        ),
        (
            "TableNotFoundException".to_string(),
            format!("Table not found: {missing}")
        )
    );
    w.ok("CreateTable", table_input("Orders", None));
    assert_eq!(
        w.err(
            "ExportTableToPointInTime",
            json!({"TableArn": table_arn("Orders"), "S3Bucket": "b"})
        ),
        (
            "PointInTimeRecoveryUnavailableException".to_string(),
            "Point in time recovery is not enabled for table 'Orders'".to_string()
        )
    );
    enable_pitr(&mut w, "Orders");
    // Before recovery was enabled is outside the window.
    let before = (T0 - 1000) as f64 / 1000.0;
    let input = json!({"TableArn": table_arn("Orders"), "S3Bucket": "b", "ExportTime": before});
    assert_eq!(
        w.err("ExportTableToPointInTime", input).0,
        "InvalidExportTimeException"
    );
    let d = export(
        &mut w,
        json!({"TableArn": table_arn("Orders"), "S3Bucket": "no-such-bucket"}),
    );
    assert_eq!(d["ExportStatus"], "FAILED");
    assert_eq!(d["FailureCode"], "S3NoSuchBucket");
    assert!(d["FailureMessage"]
        .as_str()
        .unwrap()
        .contains("The specified bucket does not exist"));
}

#[test]
fn imports_and_exports_survive_a_restart() {
    let mut w = world();
    bucket(&mut w, "source");
    put_object(
        &mut w,
        "source",
        "one",
        br#"{"Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}"#,
    );
    let import_arn = import(
        &mut w,
        json!({"S3Bucket": "source"}),
        "DYNAMODB_JSON",
        "NONE",
    )["ImportArn"]
        .clone();
    enable_pitr(&mut w, "Imported");
    let export_arn = w.ok(
        "ExportTableToPointInTime",
        json!({"TableArn": table_arn("Imported"), "S3Bucket": "source"}),
    )["ExportDescription"]["ExportArn"]
        .clone();
    let mut w = w.restart();
    assert_eq!(
        w.ok("DescribeImport", json!({"ImportArn": import_arn}))["ImportTableDescription"]
            ["ImportStatus"],
        "COMPLETED"
    );
    assert_eq!(
        w.ok("DescribeExport", json!({"ExportArn": export_arn}))["ExportDescription"]
            ["ExportStatus"],
        "COMPLETED"
    );
    assert_eq!(scan(&mut w, "Imported").len(), 1);
}

#[test]
fn a_client_token_makes_imports_and_exports_idempotent() {
    let mut w = world();
    bucket(&mut w, "source");
    put_object(
        &mut w,
        "source",
        "one",
        br#"{"Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}"#,
    );
    let request = json!({
        "ClientToken": "once",
        "S3BucketSource": {"S3Bucket": "source"},
        "InputFormat": "DYNAMODB_JSON",
        "TableCreationParameters": {
            "TableName": "Imported",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    });
    let first = w.ok("ImportTable", request.clone());
    // The same request again names the same import, as it stands now.
    let again = w.ok("ImportTable", request.clone());
    assert_eq!(
        again["ImportTableDescription"]["ImportArn"],
        first["ImportTableDescription"]["ImportArn"]
    );
    assert_eq!(again["ImportTableDescription"]["ImportStatus"], "COMPLETED");
    assert_eq!(
        w.ok("ListImports", json!({}))["ImportSummaryList"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let mut changed = request.clone();
    changed["InputFormat"] = json!("CSV");
    assert_eq!(w.err("ImportTable", changed).0, "ImportConflictException");
    // After eight hours the token is a new request (here refused: the table exists).
    w.clock.advance(8 * 3600 * 1000);
    assert_eq!(w.err("ImportTable", request).0, "ResourceInUseException");

    enable_pitr(&mut w, "Imported");
    let export =
        json!({"ClientToken": "once", "TableArn": table_arn("Imported"), "S3Bucket": "source"});
    let first = w.ok("ExportTableToPointInTime", export.clone());
    // The same request again names the same export, as it stands now.
    let again = w.ok("ExportTableToPointInTime", export.clone());
    assert_eq!(
        again["ExportDescription"]["ExportArn"],
        first["ExportDescription"]["ExportArn"]
    );
    let mut changed = export;
    changed["S3Prefix"] = json!("elsewhere");
    assert_eq!(
        w.err("ExportTableToPointInTime", changed).0,
        "ExportConflictException"
    );
}
