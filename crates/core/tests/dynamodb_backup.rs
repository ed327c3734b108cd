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
    // CreateBackup answers CREATING, DescribeBackup right after AVAILABLE (measured against
    // DynamoDB, 2026-10 (ack-api-quirks DDB-BACKUP-003)).
    assert_eq!(details["BackupStatus"], "CREATING");
    assert_eq!(details["BackupType"], "USER");
    assert_eq!(details["BackupCreationDateTime"], json!(T0 as f64 / 1000.0));
    assert!(details["BackupSizeBytes"].as_i64().unwrap() > 0);

    let described = w.ok("DescribeBackup", json!({"BackupArn": arn}))["BackupDescription"].clone();
    let mut available = details.clone();
    available["BackupStatus"] = json!("AVAILABLE");
    assert_eq!(described["BackupDetails"], available);
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
    let restore = json!({"SourceTableName": "Orders", "TargetTableName": "Copy",
                         "UseLatestRestorableTime": true});
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
            json!({"SourceTableName": "Nope", "TargetTableName": "Copy", "UseLatestRestorableTime": true})
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

fn validation_error(message: &str) -> (String, String) {
    err("ValidationException", message)
}

#[test]
fn list_backups_refuses_a_time_range_that_ends_before_it_starts() {
    // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-BACKUP-014).
    let mut w = world();
    let t0 = T0 as f64 / 1000.0;
    assert_eq!(
        w.err(
            "ListBackups",
            json!({"TimeRangeLowerBound": t0 + 10.0, "TimeRangeUpperBound": t0})
        ),
        validation_error("Time range lower bound must be less than or equal to upper bound")
    );
    w.ok(
        "ListBackups",
        json!({"TimeRangeLowerBound": t0, "TimeRangeUpperBound": t0}),
    );
}

#[test]
fn a_backup_arn_must_have_a_backup_arns_form() {
    // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-BACKUP-012, DDB-TABLE-273,
    // DDB-TABLE-457): a table ARN, a non-ARN and '' are "Invalid Backup ARN".
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let table_arn = format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/Orders");
    for arn in [table_arn, "x".repeat(48), String::new()] {
        for op in ["DescribeBackup", "DeleteBackup"] {
            assert_eq!(
                w.err(op, json!({"BackupArn": arn})),
                validation_error("Invalid Backup ARN"),
                "{op} {arn}"
            );
        }
        assert_eq!(
            w.err(
                "RestoreTableFromBackup",
                json!({"BackupArn": arn, "TargetTableName": "Copy"})
            ),
            validation_error("Invalid Backup ARN"),
            "{arn}"
        );
    }
}

#[test]
fn the_recovery_period_is_checked_whether_enabling_or_disabling() {
    // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-084, DDB-TABLE-457).
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    let out_of_range = |days: i32, bound: &str| {
        validation_error(&format!("1 validation error detected: Value '{days}' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value {bound}"))
    };
    for enabled in [true, false] {
        let spec = |days: i32| json!({"PointInTimeRecoveryEnabled": enabled, "RecoveryPeriodInDays": days});
        assert_eq!(
            pitr(&mut w, "Orders", spec(36)).unwrap_err(),
            out_of_range(36, "less than or equal to 35")
        );
        for days in [0, -1] {
            assert_eq!(
                pitr(&mut w, "Orders", spec(days)).unwrap_err(),
                out_of_range(days, "greater than or equal to 1")
            );
        }
    }
    assert_eq!(
        pitr(
            &mut w,
            "Orders",
            json!({"PointInTimeRecoveryEnabled": false, "RecoveryPeriodInDays": 7})
        )
        .unwrap_err(),
        validation_error(
            "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery."
        )
    );
}

fn restore_to_point_in_time(w: &mut World, input: Value) -> (String, String) {
    w.err("RestoreTableToPointInTime", input)
}

#[test]
fn a_point_in_time_restore_checks_its_shape_first() {
    // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-100, DDB-TABLE-272): on a
    // source without recovery, the request's shape is still answered first.
    let mut w = world();
    let source = w.ok("CreateTable", table_input("Orders", None))["TableDescription"].clone();
    let cases = [
        (
            json!({"SourceTableName": "Orders", "TargetTableName": "Copy"}),
            "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both",
        ),
        (
            json!({"SourceTableName": "Orders", "TargetTableName": "Copy",
                   "UseLatestRestorableTime": false}),
            "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both",
        ),
        (
            json!({"SourceTableName": "Orders", "SourceTableArn": source["TableArn"],
                   "TargetTableName": "Copy", "UseLatestRestorableTime": true}),
            "Must provide exactly one of: sourceTableArn, sourceTableName",
        ),
        (
            json!({"TargetTableName": "Copy", "UseLatestRestorableTime": true}),
            "The parameter 'TableName' is required",
        ),
        (
            json!({"SourceTableArn": "not-an-arn", "TargetTableName": "Copy",
                   "UseLatestRestorableTime": true}),
            "sourceTableArn is not a valid ARN",
        ),
    ];
    for (input, message) in cases {
        assert_eq!(
            restore_to_point_in_time(&mut w, input.clone()),
            validation_error(message),
            "{input}"
        );
    }
}

#[test]
fn a_point_in_time_restore_answers_recovery_then_time_then_target() {
    // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-100): PITR off beats an
    // existing target; a bad time beats it too; only then is the target's existence checked.
    let mut w = world();
    w.ok("CreateTable", table_input("Orders", None));
    w.ok("CreateTable", table_input("Taken", None));
    let latest = json!({"SourceTableName": "Orders", "TargetTableName": "Taken",
                        "UseLatestRestorableTime": true});
    assert_eq!(
        restore_to_point_in_time(&mut w, latest.clone()),
        err(
            "PointInTimeRecoveryUnavailableException",
            "Point in time recovery is not enabled for table 'Orders'"
        )
    );
    pitr(
        &mut w,
        "Orders",
        json!({"PointInTimeRecoveryEnabled": true}),
    )
    .unwrap();
    let too_early = json!({"SourceTableName": "Orders", "TargetTableName": "Taken",
                           "RestoreDateTime": (T0 - 1000) as f64 / 1000.0});
    assert_eq!(
        restore_to_point_in_time(&mut w, too_early).0,
        "InvalidRestoreTimeException"
    );
    assert_eq!(
        restore_to_point_in_time(&mut w, latest),
        err("TableAlreadyExistsException", "Table already exists: Taken")
    );
}

/// A PROVISIONED table `name` (5/5) with a GSI `byG` on `g` and an LSI `byL` on `pk`+`l`.
fn provisioned_table_with_indexes(w: &mut World, name: &str) {
    let mut input = table_input(name, Some("S"));
    input["BillingMode"] = json!("PROVISIONED");
    input["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 5, "WriteCapacityUnits": 5});
    input["AttributeDefinitions"] = json!([{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"},
                                           {"AttributeName": "g", "AttributeType": "S"},
                                           {"AttributeName": "l", "AttributeType": "S"}]);
    input["GlobalSecondaryIndexes"] = json!([{"IndexName": "byG",
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}]);
    input["LocalSecondaryIndexes"] = json!([{"IndexName": "byL",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "l", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}]);
    w.ok("CreateTable", input);
}

fn restore_from(
    w: &mut World,
    arn: &str,
    target: &str,
    overrides: Value,
) -> Result<Value, (String, String)> {
    let mut input = overrides;
    input["BackupArn"] = json!(arn);
    input["TargetTableName"] = json!(target);
    w.call("RestoreTableFromBackup", input)
}

#[test]
fn throughput_overrides_must_fit_the_restored_billing_mode() {
    // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-273, DDB-TABLE-280).
    let mut w = world();
    w.ok("CreateTable", table_input("OnDemand", None));
    provisioned_table_with_indexes(&mut w, "Provisioned");
    let on_demand = backup(&mut w, "OnDemand", "bk1");
    let provisioned = backup(&mut w, "Provisioned", "bk2");
    let cases = [
        (
            &on_demand,
            json!({"ProvisionedThroughputOverride": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
            "Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED",
        ),
        (
            &on_demand,
            json!({"BillingModeOverride": "PROVISIONED"}),
            "Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED",
        ),
        (
            &provisioned,
            json!({"OnDemandThroughputOverride": {"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": 10}}),
            "Cannot override MaxReadRequestUnits for OnDemandThroughput unless BillingModeOverride is PAY_PER_REQUEST",
        ),
    ];
    for (arn, overrides, message) in cases {
        assert_eq!(
            restore_from(&mut w, arn, "Copy", overrides.clone()),
            Err(validation_error(message)),
            "{overrides}"
        );
    }
}

#[test]
fn an_on_demand_throughput_override_is_applied_to_the_restored_table() {
    // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-281, DDB-TABLE-463).
    let mut w = world();
    w.ok("CreateTable", table_input("OnDemand", None));
    provisioned_table_with_indexes(&mut w, "Provisioned");
    let on_demand = backup(&mut w, "OnDemand", "bk1");
    let provisioned = backup(&mut w, "Provisioned", "bk2");
    let units = |n: i64| json!({"MaxReadRequestUnits": n, "MaxWriteRequestUnits": n});
    restore_from(
        &mut w,
        &on_demand,
        "Copy1",
        json!({"OnDemandThroughputOverride": units(10)}),
    )
    .unwrap();
    restore_from(
        &mut w,
        &provisioned,
        "Copy2",
        json!({"BillingModeOverride": "PAY_PER_REQUEST", "OnDemandThroughputOverride": units(50)}),
    )
    .unwrap();
    for (table, expected) in [("Copy1", units(10)), ("Copy2", units(50))] {
        let described = w.ok("DescribeTable", json!({"TableName": table}))["Table"].clone();
        assert_eq!(described["OnDemandThroughput"], expected, "{table}");
        assert_eq!(
            described["BillingModeSummary"]["BillingMode"],
            "PAY_PER_REQUEST"
        );
    }
}

#[test]
fn index_overrides_must_match_a_source_index_but_may_rename_it() {
    // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-273, DDB-TABLE-280).
    let mut w = world();
    provisioned_table_with_indexes(&mut w, "Orders");
    let arn = backup(&mut w, "Orders", "bk1");
    let throughput = json!({"ReadCapacityUnits": 5, "WriteCapacityUnits": 5});
    let gsi = |name: &str, key: &str, projection: &str| {
        json!({"GlobalSecondaryIndexOverride": [{"IndexName": name,
            "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
            "Projection": {"ProjectionType": projection},
            "ProvisionedThroughput": throughput}]})
    };
    let lsi = |name: &str, range: &str| {
        json!({"LocalSecondaryIndexOverride": [{"IndexName": name,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": range, "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}]})
    };
    let mismatch = |name: &str| {
        validation_error(&format!("Index {name} does not match a secondary index that existed in the source table and cannot be created during the restore operation"))
    };
    let refused = [
        (gsi("nope", "pk", "ALL"), "nope"),
        (gsi("byG", "pk", "ALL"), "byG"),
        (gsi("byG", "g", "KEYS_ONLY"), "byG"),
        (lsi("byL", "sk"), "byL"),
    ];
    for (overrides, name) in refused {
        assert_eq!(
            restore_from(&mut w, &arn, "Copy", overrides.clone()),
            Err(mismatch(name)),
            "{overrides}"
        );
    }
    let mut renamed = gsi("renamedG", "g", "ALL");
    renamed["LocalSecondaryIndexOverride"] =
        lsi("renamedL", "l")["LocalSecondaryIndexOverride"].clone();
    let restored = restore_from(&mut w, &arn, "Copy", renamed).unwrap()["TableDescription"].clone();
    assert_eq!(
        restored["GlobalSecondaryIndexes"][0]["IndexName"],
        "renamedG"
    );
    assert_eq!(
        restored["LocalSecondaryIndexes"][0]["IndexName"],
        "renamedL"
    );
}
