//! DynamoDB on-demand backups and point-in-time recovery: CreateBackup, DescribeBackup,
//! ListBackups, DeleteBackup, RestoreTableFromBackup, UpdateContinuousBackups,
//! DescribeContinuousBackups and RestoreTableToPointInTime.

mod common;

use common::{strings, table_input, ACCOUNT, T0};
use serde_json::{json, Value};

type World = common::World<(String, String)>;

fn world() -> World {
    World::new("dynamodb", ACCOUNT)
}

fn put(w: &mut World, table: &str, pk: &str) {
    w.ok(
        "PutItem",
        json!({"TableName": table, "Item": {"pk": {"S": pk}}}),
    );
}

fn backup(w: &mut World, table: &str, name: &str) -> String {
    w.ok(
        "CreateBackup",
        json!({"TableName": table, "BackupName": name}),
    )["BackupDetails"]["BackupArn"]
        .as_str()
        .unwrap()
        .to_string()
}

fn scan_keys(w: &mut World, table: &str) -> Vec<String> {
    let out = w.ok("Scan", json!({"TableName": table}));
    let mut keys: Vec<String> = out["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["pk"]["S"].as_str().unwrap().to_string())
        .collect();
    keys.sort();
    keys
}

fn err(code: &str, message: &str) -> (String, String) {
    (code.to_string(), message.to_string())
}

#[test]
fn a_backup_describes_itself_and_its_source_table() {
    let mut w = world();
    let table = w.ok("CreateTable", table_input("Orders", None))["TableDescription"].clone();
    put(&mut w, "Orders", "a");
    let out = w.ok(
        "CreateBackup",
        json!({"TableName": "Orders", "BackupName": "nightly"}),
    );
    let details = &out["BackupDetails"];
    let arn = details["BackupArn"].as_str().unwrap();
    assert!(
        arn.starts_with(&format!(
            "{}/backup/0{T0}-",
            table["TableArn"].as_str().unwrap()
        )),
        "{arn}"
    );
    assert_eq!(details["BackupName"], "nightly");
    assert_eq!(details["BackupStatus"], "AVAILABLE");
    assert_eq!(details["BackupType"], "USER");
    assert_eq!(details["BackupCreationDateTime"], json!(T0 as f64 / 1000.0));
    assert!(details["BackupSizeBytes"].as_i64().unwrap() > 0);

    let described = w.ok("DescribeBackup", json!({"BackupArn": arn}))["BackupDescription"].clone();
    assert_eq!(&described["BackupDetails"], details);
    let source = &described["SourceTableDetails"];
    assert_eq!(source["TableName"], "Orders");
    assert_eq!(source["TableArn"], table["TableArn"]);
    assert_eq!(source["KeySchema"], table["KeySchema"]);
    assert_eq!(source["TableCreationDateTime"], table["CreationDateTime"]);
    assert_eq!(source["ItemCount"], 1);
    assert_eq!(source["BillingMode"], "PAY_PER_REQUEST");
}

#[test]
fn backup_errors_name_the_table_or_backup() {
    let mut w = world();
    assert_eq!(
        w.err(
            "CreateBackup",
            json!({"TableName": "Nope", "BackupName": "bk1"})
        ),
        err("TableNotFoundException", "Table not found: Nope")
    );
    let arn =
        format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/t/backup/01623095754481-2cfcd6f9");
    for op in ["DescribeBackup", "DeleteBackup"] {
        assert_eq!(
            w.err(op, json!({"BackupArn": arn})),
            err(
                "BackupNotFoundException",
                &format!("Backup not found: {arn}")
            )
        );
    }
    assert_eq!(
        w.err(
            "RestoreTableFromBackup",
            json!({"BackupArn": arn, "TargetTableName": "New"})
        ),
        err(
            "BackupNotFoundException",
            &format!("Backup not found: {arn}")
        )
    );
    w.ok("CreateTable", table_input("Orders", None));
    // BackupName follows the table-name pattern.
    assert_eq!(
        w.err(
            "CreateBackup",
            json!({"TableName": "Orders", "BackupName": "n/a"})
        )
        .0,
        "ValidationException"
    );
}

#[test]
fn list_backups_filters_by_table_type_and_time_and_pages() {
    let mut w = world();
    w.ok(
        "CreateTable",
        table_input("A", None)
            .as_object()
            .cloned()
            .map(|mut o| {
                o.insert("TableName".into(), json!("Alpha"));
                Value::Object(o)
            })
            .unwrap(),
    );
    w.ok("CreateTable", table_input("Beta", None));
    let first = backup(&mut w, "Alpha", "bk1");
    w.clock.advance(1000);
    let second = backup(&mut w, "Alpha", "bk2");
    w.clock.advance(1000);
    let third = backup(&mut w, "Beta", "bk1");
    let list = |w: &mut World, input: Value| {
        strings(&w.ok("ListBackups", input)["BackupSummaries"], "BackupArn")
    };
    assert_eq!(
        list(&mut w, json!({})),
        vec![first.clone(), second.clone(), third.clone()]
    );
    assert_eq!(list(&mut w, json!({"BackupType": "USER"})).len(), 3);
    assert_eq!(
        list(&mut w, json!({"BackupType": "SYSTEM"})),
        Vec::<String>::new()
    );
    let alpha_arn = format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Alpha");
    assert_eq!(
        list(&mut w, json!({"TableName": alpha_arn})),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(
        list(&mut w, json!({"TableName": "Missing"})),
        Vec::<String>::new()
    );
    // The lower bound is inclusive, the upper exclusive.
    let t1 = (T0 + 1000) as f64 / 1000.0;
    let t2 = (T0 + 2000) as f64 / 1000.0;
    assert_eq!(
        list(
            &mut w,
            json!({"TimeRangeLowerBound": t1, "TimeRangeUpperBound": t2})
        ),
        vec![second.clone()]
    );
    let page = w.ok("ListBackups", json!({"Limit": 2}));
    assert_eq!(page["LastEvaluatedBackupArn"], second);
    assert_eq!(
        list(&mut w, json!({"ExclusiveStartBackupArn": second})),
        vec![third.clone()]
    );
    let summary = &w.ok("ListBackups", json!({"TableName": "Beta"}))["BackupSummaries"][0];
    assert_eq!(summary["TableName"], "Beta");
    assert_eq!(summary["BackupName"], "bk1");
    assert_eq!(summary["BackupStatus"], "AVAILABLE");
}

#[test]
fn a_backup_outlives_its_table_until_deleted() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let arn = backup(&mut w, "Orders", "bk1");
    w.ok("DeleteTable", json!({"TableName": "Orders"}));
    let listed = w.ok("ListBackups", json!({"TableName": "Orders"}));
    assert_eq!(
        strings(&listed["BackupSummaries"], "BackupArn"),
        vec![arn.clone()]
    );
    let deleted = w.ok("DeleteBackup", json!({"BackupArn": arn}))["BackupDescription"].clone();
    assert_eq!(deleted["BackupDetails"]["BackupStatus"], "DELETED");
    assert_eq!(deleted["SourceTableDetails"]["TableName"], "Orders");
    assert_eq!(w.ok("ListBackups", json!({}))["BackupSummaries"], json!([]));
}

#[test]
fn restoring_a_backup_makes_an_independent_table_with_the_backed_up_items() {
    let mut w = world();
    let mut input = table_input("Orders", None);
    input["AttributeDefinitions"] = json!([{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "g", "AttributeType": "S"}]);
    input["GlobalSecondaryIndexes"] = json!([{"IndexName": "byG",
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}]);
    input["StreamSpecification"] = json!({"StreamEnabled": true, "StreamViewType": "KEYS_ONLY"});
    let source = w.ok("CreateTable", input)["TableDescription"].clone();
    for pk in ["a", "b"] {
        w.ok(
            "PutItem",
            json!({"TableName": "Orders", "Item": {"pk": {"S": pk}, "g": {"S": "x"}}}),
        );
    }
    let arn = backup(&mut w, "Orders", "bk1");
    put(&mut w, "Orders", "after-backup");
    w.clock.advance(5000);
    let restored = w.ok(
        "RestoreTableFromBackup",
        json!({"TargetTableName": "Copy", "BackupArn": arn}),
    )["TableDescription"]
        .clone();
    assert_eq!(restored["TableName"], "Copy");
    assert_eq!(restored["ItemCount"], 2);
    assert_eq!(restored["KeySchema"], source["KeySchema"]);
    assert_eq!(
        restored["AttributeDefinitions"],
        source["AttributeDefinitions"]
    );
    assert_eq!(restored["GlobalSecondaryIndexes"][0]["IndexName"], "byG");
    // Streams are not restored (AWS: "You must manually set up ... Stream settings").
    assert_eq!(restored.get("StreamSpecification"), None);
    // The answer shows the restore begun, as AWS answers it; the table is ready at once.
    assert_eq!(restored["TableStatus"], "CREATING");
    assert_eq!(
        restored["RestoreSummary"],
        json!({"SourceBackupArn": arn, "SourceTableArn": source["TableArn"],
               "RestoreDateTime": T0 as f64 / 1000.0, "RestoreInProgress": true})
    );
    let described = w.ok("DescribeTable", json!({"TableName": "Copy"}))["Table"].clone();
    assert_eq!(described["TableStatus"], "ACTIVE");
    assert_eq!(described["RestoreSummary"]["RestoreInProgress"], false);
    put(&mut w, "Copy", "after-restore");
    assert_eq!(scan_keys(&mut w, "Copy"), ["a", "after-restore", "b"]);
    assert_eq!(scan_keys(&mut w, "Orders"), ["a", "after-backup", "b"]);
    let by_g = w.ok(
        "Query",
        json!({"TableName": "Copy", "IndexName": "byG", "KeyConditionExpression": "g = :g",
               "ExpressionAttributeValues": {":g": {"S": "x"}}}),
    );
    assert_eq!(by_g["Count"], 2);
    assert_eq!(
        w.err(
            "RestoreTableFromBackup",
            json!({"TargetTableName": "Orders", "BackupArn": arn})
        ),
        err(
            "TableAlreadyExistsException",
            "Table already exists: Orders"
        )
    );
}

#[test]
fn restore_overrides_change_the_billing_mode() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let arn = backup(&mut w, "Orders", "bk1");
    let restored = w.ok(
        "RestoreTableFromBackup",
        json!({"TargetTableName": "Copy", "BackupArn": arn,
               "BillingModeOverride": "PROVISIONED",
               "ProvisionedThroughputOverride": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}),
    )["TableDescription"]
        .clone();
    assert_eq!(restored["ProvisionedThroughput"]["ReadCapacityUnits"], 3);
    assert_eq!(restored["ProvisionedThroughput"]["WriteCapacityUnits"], 4);
}

#[test]
fn backups_and_restored_tables_survive_a_restart() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    put(&mut w, "Orders", "a");
    let arn = backup(&mut w, "Orders", "bk1");
    w.ok(
        "RestoreTableFromBackup",
        json!({"TargetTableName": "Copy", "BackupArn": arn}),
    );
    w.ok(
        "UpdateContinuousBackups",
        json!({"TableName": "Orders", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}}),
    );
    let mut w = w.restart();
    assert_eq!(scan_keys(&mut w, "Copy"), ["a"]);
    w.ok(
        "RestoreTableFromBackup",
        json!({"TargetTableName": "Copy2", "BackupArn": arn}),
    );
    assert_eq!(scan_keys(&mut w, "Copy2"), ["a"]);
    let pitr = w.ok("DescribeContinuousBackups", json!({"TableName": "Orders"}));
    assert_eq!(
        pitr["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
            ["PointInTimeRecoveryStatus"],
        "ENABLED"
    );
}

fn pitr(w: &mut World, table: &str, spec: Value) -> Result<Value, (String, String)> {
    w.call(
        "UpdateContinuousBackups",
        json!({"TableName": table, "PointInTimeRecoverySpecification": spec}),
    )
    .map(|out| out["ContinuousBackupsDescription"].clone())
}

#[test]
fn point_in_time_recovery_is_off_until_enabled_and_keeps_its_window() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let disabled = json!({"ContinuousBackupsStatus": "ENABLED",
                          "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}});
    assert_eq!(
        w.ok("DescribeContinuousBackups", json!({"TableName": "Orders"}))
            ["ContinuousBackupsDescription"],
        disabled
    );
    let on = pitr(
        &mut w,
        "Orders",
        json!({"PointInTimeRecoveryEnabled": true}),
    )
    .unwrap();
    let t0 = T0 as f64 / 1000.0;
    assert_eq!(
        on["PointInTimeRecoveryDescription"],
        json!({"PointInTimeRecoveryStatus": "ENABLED", "RecoveryPeriodInDays": 35,
               "EarliestRestorableDateTime": t0, "LatestRestorableDateTime": t0})
    );
    w.clock.advance(60_000);
    let again = pitr(
        &mut w,
        "Orders",
        json!({"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 10}),
    )
    .unwrap();
    let description = &again["PointInTimeRecoveryDescription"];
    assert_eq!(description["EarliestRestorableDateTime"], json!(t0));
    assert_eq!(description["LatestRestorableDateTime"], json!(t0 + 60.0));
    assert_eq!(description["RecoveryPeriodInDays"], 10);
    assert_eq!(
        pitr(
            &mut w,
            "Orders",
            json!({"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 36})
        )
        .unwrap_err()
        .0,
        "ValidationException"
    );
    assert_eq!(
        pitr(
            &mut w,
            "Orders",
            json!({"PointInTimeRecoveryEnabled": false})
        )
        .unwrap(),
        disabled
    );
    for op in ["DescribeContinuousBackups", "UpdateContinuousBackups"] {
        assert_eq!(
            w.err(op, json!({"TableName": "Nope", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": true}})),
            err("TableNotFoundException", "Table not found: Nope")
        );
    }
}

#[test]
fn restoring_to_a_point_in_time_needs_recovery_enabled_and_a_time_in_the_window() {
    let mut w = world();
    let source = w.ok("CreateTable", table_input("Orders", None))["TableDescription"].clone();
    put(&mut w, "Orders", "a");
    let restore = json!({"SourceTableName": "Orders", "TargetTableName": "Copy"});
    assert_eq!(
        w.err("RestoreTableToPointInTime", restore.clone()),
        err(
            "PointInTimeRecoveryUnavailableException",
            "Point in time recovery is not enabled for table 'Orders'"
        )
    );
    assert_eq!(
        w.err(
            "RestoreTableToPointInTime",
            json!({"SourceTableName": "Nope", "TargetTableName": "Copy"})
        ),
        err("TableNotFoundException", "Table not found: Nope")
    );
    pitr(
        &mut w,
        "Orders",
        json!({"PointInTimeRecoveryEnabled": true}),
    )
    .unwrap();
    w.clock.advance(10_000);
    let late = (T0 + 20_000) as f64 / 1000.0;
    assert_eq!(
        w.err(
            "RestoreTableToPointInTime",
            json!({"SourceTableName": "Orders", "TargetTableName": "Copy", "RestoreDateTime": late})
        )
        .0,
        "InvalidRestoreTimeException"
    );
    let restored = w.ok(
        "RestoreTableToPointInTime",
        json!({"SourceTableArn": source["TableArn"], "TargetTableName": "Copy", "UseLatestRestorableTime": true}),
    )["TableDescription"]
        .clone();
    assert_eq!(restored["ItemCount"], 1);
    assert_eq!(
        restored["RestoreSummary"]["SourceTableArn"],
        source["TableArn"]
    );
    assert_eq!(
        restored["RestoreSummary"]["RestoreDateTime"],
        json!((T0 + 10_000) as f64 / 1000.0)
    );
    assert_eq!(scan_keys(&mut w, "Copy"), ["a"]);
    assert_eq!(
        w.err("RestoreTableToPointInTime", restore),
        err("TableAlreadyExistsException", "Table already exists: Copy")
    );
}

#[test]
fn a_restored_table_describes_its_restore_summary_for_its_life() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let source_arn =
        w.ok("DescribeTable", json!({"TableName": "Orders"}))["Table"]["TableArn"].clone();
    let arn = backup(&mut w, "Orders", "bk1");
    let created = w.ok("DescribeBackup", json!({"BackupArn": arn}))["BackupDescription"]
        ["BackupDetails"]["BackupCreationDateTime"]
        .clone();
    w.ok(
        "RestoreTableFromBackup",
        json!({"TargetTableName": "Copy", "BackupArn": arn}),
    );
    let summary = json!({
        "SourceBackupArn": arn,
        "SourceTableArn": source_arn,
        "RestoreDateTime": created,
        "RestoreInProgress": false,
    });
    let described = |w: &mut World, table: &str| {
        w.ok("DescribeTable", json!({"TableName": table}))["Table"]
            .get("RestoreSummary")
            .cloned()
    };
    assert_eq!(described(&mut w, "Copy"), Some(summary.clone()));
    // The source, never restored, has none; nor has a table re-created under the name.
    assert_eq!(described(&mut w, "Orders"), None);
    let mut w = w.restart();
    assert_eq!(described(&mut w, "Copy"), Some(summary));
    w.ok("DeleteTable", json!({"TableName": "Copy"}));
    w.ok("CreateTable", table_input("Copy", None));
    assert_eq!(described(&mut w, "Copy"), None);
}

/// Each item's `pk`, with its `v` when it has one (`a:2`).
fn scan_versions(w: &mut World, table: &str) -> Vec<String> {
    let out = w.ok("Scan", json!({"TableName": table}));
    let mut items: Vec<String> = out["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| match i["v"]["N"].as_str() {
            Some(v) => format!("{}:{v}", i["pk"]["S"].as_str().unwrap()),
            None => i["pk"]["S"].as_str().unwrap().to_string(),
        })
        .collect();
    items.sort();
    items
}

fn restore_at(w: &mut World, target: &str, millis: i64) -> Vec<String> {
    w.ok(
        "RestoreTableToPointInTime",
        json!({"SourceTableName": "Orders", "TargetTableName": target,
               "RestoreDateTime": millis as f64 / 1000.0}),
    );
    scan_versions(w, target)
}

#[test]
fn restoring_to_a_point_in_time_gives_the_items_of_that_moment() {
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    put(&mut w, "Orders", "a");
    put(&mut w, "Orders", "b");
    pitr(
        &mut w,
        "Orders",
        json!({"PointInTimeRecoveryEnabled": true}),
    )
    .unwrap();
    // At T0 + 1 s: c is created, a changed, b deleted (a transaction: one moment).
    w.clock.advance(1000);
    w.ok(
        "TransactWriteItems",
        json!({"TransactItems": [
            {"Put": {"TableName": "Orders", "Item": {"pk": {"S": "c"}}}},
            {"Update": {"TableName": "Orders", "Key": {"pk": {"S": "a"}},
                        "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"N": "2"}}}},
            {"Delete": {"TableName": "Orders", "Key": {"pk": {"S": "b"}}}},
        ]}),
    );
    // At T0 + 2 s: c deleted, d created, a changed again.
    w.clock.advance(1000);
    w.ok(
        "DeleteItem",
        json!({"TableName": "Orders", "Key": {"pk": {"S": "c"}}}),
    );
    put(&mut w, "Orders", "d");
    w.ok(
        "UpdateItem",
        json!({"TableName": "Orders", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET v = :v",
               "ExpressionAttributeValues": {":v": {"N": "3"}}}),
    );

    assert_eq!(restore_at(&mut w, "At0", T0 + 500), ["a", "b"]);
    assert_eq!(restore_at(&mut w, "At1", T0 + 1000), ["a:2", "c"]);
    assert_eq!(restore_at(&mut w, "At2", T0 + 2000), ["a:3", "d"]);
    assert_eq!(scan_versions(&mut w, "Orders"), ["a:3", "d"]);

    // The history is kept in storage: a restarted emulator restores the same moments.
    let mut w = w.restart();
    assert_eq!(restore_at(&mut w, "Again0", T0 + 500), ["a", "b"]);
    assert_eq!(restore_at(&mut w, "Again1", T0 + 1500), ["a:2", "c"]);

    // Changes older than the recovery period are forgotten; the window starts later.
    pitr(
        &mut w,
        "Orders",
        json!({"PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": 1}),
    )
    .unwrap();
    w.clock.advance(2 * 86_400_000);
    put(&mut w, "Orders", "e");
    let earliest = T0 + 2000 + 86_400_000; // now less one day
    assert_eq!(restore_at(&mut w, "Day", earliest), ["a:3", "d"]);

    // Turning recovery off drops the history, records too; on again, the window starts anew.
    let kept = |w: &World| {
        w.records()
            .iter()
            .filter(|(key, _)| key.contains("/table/Orders/pitr-log/"))
            .count()
    };
    assert_eq!(kept(&w), 1, "the change that made e");
    pitr(
        &mut w,
        "Orders",
        json!({"PointInTimeRecoveryEnabled": false}),
    )
    .unwrap();
    pitr(
        &mut w,
        "Orders",
        json!({"PointInTimeRecoveryEnabled": true}),
    )
    .unwrap();
    assert_eq!(kept(&w), 0);
    assert_eq!(
        w.err(
            "RestoreTableToPointInTime",
            json!({"SourceTableName": "Orders", "TargetTableName": "Gone",
                   "RestoreDateTime": earliest as f64 / 1000.0})
        )
        .0,
        "InvalidRestoreTimeException"
    );
}
