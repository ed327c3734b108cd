//! On-demand backups (CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
//! RestoreTableFromBackup) and point-in-time recovery (UpdateContinuousBackups,
//! DescribeContinuousBackups, RestoreTableToPointInTime).
//!
//! A backup is a copy of the table's definition and items taken when it is created; it
//! outlives its table, as in AWS. Records: `backup/<id>` holds the [`BackupMeta`] and
//! `backup/<id>/item/<hex key>` each item, so DeleteBackup is one prefix delete.
//!
//! Point-in-time recovery is a per-table setting (`table/<name>/pitr`, removed with the
//! table). While it is on, every item change keeps what the item was before it
//! (`table/<name>/pitr-log/<seq>`, a [`PitrChange`]), for as long as the recovery period
//! can reach back; the table as it was at a moment is its items now with the later changes
//! undone, newest first ([`Handler::items_at`]), which RestoreTableToPointInTime and
//! ExportTableToPointInTime both read. The latest restorable time is the playground's "now";
//! times outside [EarliestRestorableDateTime, LatestRestorableDateTime] are refused as AWS
//! refuses them. Turning recovery off drops the history, as AWS does.
//!
//! Restored tables are created through CreateTable's own checks and keep what AWS keeps:
//! key schema, attribute definitions, indexes, billing mode and capacity, encryption (each
//! overridable); streams, TTL, tags, deletion protection and point-in-time recovery are not
//! carried over ("You must manually set up the following on the restored table"). A
//! point-in-time restore takes the source's definition as it is now, not as it was at the
//! restored moment ("All these settings come from the current settings of the source table
//! at the time of restore").

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use nimbus_shapes::{
    dynamodb::{
        errors::{
            BACKUP_NOT_FOUND_EXCEPTION, INVALID_RESTORE_TIME_EXCEPTION,
            POINT_IN_TIME_RECOVERY_UNAVAILABLE_EXCEPTION, TABLE_ALREADY_EXISTS_EXCEPTION,
            TABLE_NOT_FOUND_EXCEPTION,
        },
        BackupDescription, BackupDetails, BackupStatus, BackupSummary, BackupType,
        BackupTypeFilter, BillingMode, ContinuousBackupsDescription, ContinuousBackupsStatus,
        CreateBackupInput, CreateBackupOutput, CreateTableInput, DeleteBackupInput,
        DeleteBackupOutput, DescribeBackupInput, DescribeBackupOutput,
        DescribeContinuousBackupsInput, DescribeContinuousBackupsOutput, DynamoDb,
        GlobalSecondaryIndex, GlobalSecondaryIndexInfo, KeySchemaElement, ListBackupsInput,
        ListBackupsOutput, LocalSecondaryIndex, LocalSecondaryIndexInfo, OnDemandThroughput,
        PointInTimeRecoveryDescription, PointInTimeRecoveryStatus, Projection, ProjectionType,
        ProvisionedThroughput, RestoreSummary, RestoreTableFromBackupInput,
        RestoreTableFromBackupOutput, RestoreTableToPointInTimeInput,
        RestoreTableToPointInTimeOutput, SSESpecification, SourceTableDetails,
        SourceTableFeatureDetails, StreamSpecification, TableDescription, TableStatus,
        TimeToLiveDescription, TimeToLiveStatus, UpdateContinuousBackupsInput,
        UpdateContinuousBackupsOutput,
    },
    ServiceError, Timestamp,
};
use serde::{Deserialize, Serialize};

use super::{
    errors::{constraint_errors, create_table_name_errors, validation},
    item_record, local_name,
    table::TableDef,
    table_record,
    value::Item,
    Handler, Tables, SERVICE,
};
use crate::{emulator::Scope, services::record_key};

/// "You can set the recovery period to any value between 1 and 35 days."
const DEFAULT_RECOVERY_DAYS: i32 = 35;
const DAY_MILLIS: i64 = 86_400_000;
const MAX_LIST_LIMIT: i32 = 100;

/// Backups and point-in-time recovery settings of a scope.
#[derive(Default)]
pub(super) struct Backups {
    /// By backup ARN.
    backups: BTreeMap<String, Backup>,
    /// Point-in-time recovery, by table id (a re-created table starts without it).
    pitr: BTreeMap<String, Pitr>,
    /// Where a restored table came from, by table id: AWS's DescribeTable of a restored
    /// table carries its RestoreSummary for the table's life.
    restored: BTreeMap<String, RestoreSummary>,
}

impl Backups {
    /// The RestoreSummary DescribeTable answers for the table with id `table_id`.
    pub fn restore_summary(&self, table_id: &str) -> Option<RestoreSummary> {
        self.restored.get(table_id).cloned()
    }

    /// Drops what is kept of a deleted table (its records go with the table's).
    pub fn forget_table(&mut self, table_id: &str) {
        self.pitr.remove(table_id);
        self.restored.remove(table_id);
    }

    /// Whether the table with id `table_id` has point-in-time recovery on.
    pub fn has_recovery(&self, table_id: &str) -> bool {
        self.pitr.contains_key(table_id)
    }
}

struct Backup {
    meta: BackupMeta,
    items: Vec<Item>,
}

/// What a backup record holds besides its items.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct BackupMeta {
    /// `<14-digit creation millis>-<8 hex>`, the last part of the ARN and of the record key.
    id: String,
    arn: String,
    name: String,
    created_millis: i64,
    size_bytes: i64,
    item_count: i64,
    /// The source table's definition when the backup was taken.
    table: TableDef,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Pitr {
    enabled_millis: i64,
    recovery_period_days: i32,
    /// The changes since the earliest restorable time, oldest first (records of their own).
    #[serde(skip)]
    history: VecDeque<PitrChange>,
}

/// One item change on a table with point-in-time recovery: what the item was before it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct PitrChange {
    /// Orders changes made in the same millisecond (a transaction's, a batch's).
    seq: u64,
    millis: i64,
    /// The item's encoded key, hex.
    key: String,
    /// `None` when the change created the item.
    old: Option<Item>,
}

fn table_not_found(name: &str) -> ServiceError {
    TABLE_NOT_FOUND_EXCEPTION.with_message(format!("Table not found: {name}"))
}

fn backup_not_found(arn: &str) -> ServiceError {
    BACKUP_NOT_FOUND_EXCEPTION.with_message(format!("Backup not found: {arn}"))
}

fn pitr_unavailable(table: &str) -> ServiceError {
    POINT_IN_TIME_RECOVERY_UNAVAILABLE_EXCEPTION.with_message(format!(
        "Point in time recovery is not enabled for table '{table}'"
    ))
}

fn null_member(member: &str) -> String {
    format!("Value null at '{member}' failed to satisfy constraint: Member must not be null")
}

/// The BackupArn of a request, once it has a backup ARN's form
/// (`arn:<partition>:<service>:<region>:<account>:table/<name>/backup/<id>`): anything else
/// (a table ARN, no ARN at all, '') is "Invalid Backup ARN" (measured against DynamoDB,
/// 2026-10 (ack-api-quirks DDB-BACKUP-012, DDB-TABLE-273, DDB-TABLE-457)).
fn backup_arn(arn: Option<&str>) -> Result<&str, ServiceError> {
    let Some(arn) = arn else {
        return Err(constraint_errors(&[null_member("backupArn")]));
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let well_formed = match parts.as_slice() {
        ["arn", _, _, _, _, resource] => resource
            .strip_prefix("table/")
            .and_then(|r| r.split_once("/backup/"))
            .is_some_and(|(table, id)| !table.is_empty() && !id.is_empty()),
        _ => false,
    };
    if !well_formed {
        return Err(validation("Invalid Backup ARN"));
    }
    Ok(arn)
}

fn backup_record(scope: &Scope, id: &str) -> String {
    record_key(SERVICE, scope, &["backup", id])
}

fn pitr_record(scope: &Scope, table: &str) -> String {
    format!("{}/pitr", table_record(scope, table))
}

fn pitr_change_record(scope: &Scope, table: &str, seq: u64) -> String {
    format!("{}/pitr-log/{seq:016x}", table_record(scope, table))
}

fn restored_record(scope: &Scope, table: &str) -> String {
    format!("{}/restored", table_record(scope, table))
}

impl Pitr {
    /// The window AWS reports: from enabling (or the recovery period ago, whichever is
    /// later) to now.
    fn window(&self, now: i64) -> (i64, i64) {
        let period_start = now - i64::from(self.recovery_period_days) * DAY_MILLIS;
        (self.enabled_millis.max(period_start), now)
    }

    fn describe(&self, now: i64) -> PointInTimeRecoveryDescription {
        let (earliest, latest) = self.window(now);
        PointInTimeRecoveryDescription {
            point_in_time_recovery_status: Some(PointInTimeRecoveryStatus::Enabled),
            recovery_period_in_days: Some(self.recovery_period_days),
            earliest_restorable_date_time: Some(Timestamp::from_millis(earliest)),
            latest_restorable_date_time: Some(Timestamp::from_millis(latest)),
        }
    }
}

/// RecoveryPeriodInDays outside 1..=35, as the request-shape error AWS gives whether
/// recovery is being enabled or disabled (measured against DynamoDB, 2026-10
/// (ack-api-quirks DDB-TABLE-084, DDB-TABLE-457)).
fn recovery_period_error(days: i32) -> Option<String> {
    let bound = if days < 1 {
        "greater than or equal to 1".to_string()
    } else if days > DEFAULT_RECOVERY_DAYS {
        format!("less than or equal to {DEFAULT_RECOVERY_DAYS}")
    } else {
        return None;
    };
    Some(format!(
        "Value '{days}' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value {bound}"
    ))
}

fn continuous_backups(pitr: Option<&Pitr>, now: i64) -> ContinuousBackupsDescription {
    // Continuous backups (the service's own) are always on; PITR is the user's switch.
    ContinuousBackupsDescription {
        continuous_backups_status: Some(ContinuousBackupsStatus::Enabled),
        point_in_time_recovery_description: Some(match pitr {
            Some(pitr) => pitr.describe(now),
            None => PointInTimeRecoveryDescription {
                point_in_time_recovery_status: Some(PointInTimeRecoveryStatus::Disabled),
                ..Default::default()
            },
        }),
    }
}

impl BackupMeta {
    fn details(&self, status: BackupStatus) -> BackupDetails {
        BackupDetails {
            backup_arn: Some(self.arn.clone()),
            backup_name: Some(self.name.clone()),
            backup_size_bytes: Some(self.size_bytes),
            backup_status: Some(status),
            backup_type: Some(BackupType::User),
            backup_creation_date_time: Some(Timestamp::from_millis(self.created_millis)),
            backup_expiry_date_time: None,
        }
    }

    fn summary(&self) -> BackupSummary {
        BackupSummary {
            table_name: Some(self.table.name.clone()),
            table_id: Some(self.table.table_id.clone()),
            table_arn: Some(self.table.arn.clone()),
            backup_arn: Some(self.arn.clone()),
            backup_name: Some(self.name.clone()),
            backup_creation_date_time: Some(Timestamp::from_millis(self.created_millis)),
            backup_expiry_date_time: None,
            backup_status: Some(BackupStatus::Available),
            backup_type: Some(BackupType::User),
            backup_size_bytes: Some(self.size_bytes),
        }
    }

    fn describe(&self, status: BackupStatus) -> BackupDescription {
        let t = &self.table;
        let lsis: Vec<LocalSecondaryIndexInfo> = t
            .local_secondary_indexes
            .iter()
            .map(|i| LocalSecondaryIndexInfo {
                index_name: i.index_name.clone(),
                key_schema: i.key_schema.clone(),
                projection: i.projection.clone(),
            })
            .collect();
        let gsis: Vec<GlobalSecondaryIndexInfo> = t
            .global_secondary_indexes
            .iter()
            .map(|i| GlobalSecondaryIndexInfo {
                index_name: i.index_name.clone(),
                key_schema: i.key_schema.clone(),
                projection: i.projection.clone(),
                provisioned_throughput: i.provisioned_throughput.clone(),
                on_demand_throughput: None,
            })
            .collect();
        BackupDescription {
            backup_details: Some(self.details(status)),
            source_table_details: Some(SourceTableDetails {
                table_name: Some(t.name.clone()),
                table_id: Some(t.table_id.clone()),
                table_arn: Some(t.arn.clone()),
                table_size_bytes: Some(self.size_bytes),
                key_schema: Some(t.key_schema.clone()),
                table_creation_date_time: Some(Timestamp::from_millis(t.created_millis)),
                provisioned_throughput: Some(ProvisionedThroughput {
                    read_capacity_units: Some(t.read_capacity),
                    write_capacity_units: Some(t.write_capacity),
                }),
                on_demand_throughput: None,
                item_count: Some(self.item_count),
                billing_mode: Some(t.billing_mode.clone()),
            }),
            source_table_feature_details: Some(SourceTableFeatureDetails {
                local_secondary_indexes: (!lsis.is_empty()).then_some(lsis),
                global_secondary_indexes: (!gsis.is_empty()).then_some(gsis),
                stream_description: t.enabled_stream().map(|s| StreamSpecification {
                    stream_enabled: Some(true),
                    stream_view_type: Some(s.view_type.clone()),
                }),
                time_to_live_description: t.ttl_attribute.as_ref().map(|a| TimeToLiveDescription {
                    time_to_live_status: Some(TimeToLiveStatus::Enabled),
                    attribute_name: Some(a.clone()),
                }),
                sse_description: None,
                vector_indexes: None,
            }),
        }
    }
}

/// A restored table's settings: the source's, with the request's overrides.
struct RestoreOverrides {
    billing_mode: Option<BillingMode>,
    throughput: Option<ProvisionedThroughput>,
    on_demand: Option<OnDemandThroughput>,
    gsis: Option<Vec<GlobalSecondaryIndex>>,
    lsis: Option<Vec<LocalSecondaryIndex>>,
    sse: Option<SSESpecification>,
}

/// The overrides of a restore request: RestoreTableFromBackup's and
/// RestoreTableToPointInTime's inputs name them alike.
macro_rules! restore_overrides {
    ($input:expr) => {
        RestoreOverrides {
            billing_mode: $input.billing_mode_override,
            throughput: $input.provisioned_throughput_override,
            on_demand: $input.on_demand_throughput_override,
            gsis: $input.global_secondary_index_override,
            lsis: $input.local_secondary_index_override,
            sse: $input.sse_specification_override,
        }
    };
}

impl RestoreOverrides {
    /// The checks AWS makes of the overrides against the source's definition before it
    /// restores anything (measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-273,
    /// DDB-TABLE-280)).
    fn check(&self, source: &TableDef) -> Result<(), ServiceError> {
        let billing = self.billing_mode.as_ref().unwrap_or(&source.billing_mode);
        // An unknown BillingModeOverride is CreateTable's enum error.
        if !matches!(billing, BillingMode::Unknown(_)) {
            self.check_throughput(billing)?;
        }
        if let Some(gsis) = &self.gsis {
            IndexShape::check_all(
                &IndexShape::of_gsis(gsis),
                &IndexShape::of_gsis(&source.global_secondary_indexes),
            )?;
        }
        if let Some(lsis) = &self.lsis {
            IndexShape::check_all(
                &IndexShape::of_lsis(lsis),
                &IndexShape::of_lsis(&source.local_secondary_indexes),
            )?;
        }
        Ok(())
    }

    /// Throughput overrides go with the restored table's billing mode, `billing`.
    fn check_throughput(&self, billing: &BillingMode) -> Result<(), ServiceError> {
        if self.billing_mode == Some(BillingMode::Provisioned) && self.throughput.is_none() {
            return Err(validation(
                "Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED",
            ));
        }
        if self.throughput.is_some() && *billing != BillingMode::Provisioned {
            return Err(validation(
                "Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED",
            ));
        }
        match &self.on_demand {
            Some(units) if *billing != BillingMode::PayPerRequest => {
                let member = if units.max_read_request_units.is_none()
                    && units.max_write_request_units.is_some()
                {
                    "MaxWriteRequestUnits"
                } else {
                    "MaxReadRequestUnits"
                };
                Err(validation(format!(
                    "Cannot override {member} for OnDemandThroughput unless BillingModeOverride is PAY_PER_REQUEST"
                )))
            }
            _ => Ok(()),
        }
    }
}

/// What an index override must share with one of the source's indexes: it may rename the
/// index, not change its key schema or projection.
struct IndexShape<'a> {
    name: Option<&'a str>,
    keys: Option<&'a Vec<KeySchemaElement>>,
    projection_type: Option<&'a ProjectionType>,
    non_key_attributes: BTreeSet<&'a str>,
}

impl<'a> IndexShape<'a> {
    fn of(
        name: &'a Option<String>,
        keys: &'a Option<Vec<KeySchemaElement>>,
        projection: &'a Option<Projection>,
    ) -> Self {
        let projection = projection.as_ref();
        IndexShape {
            name: name.as_deref(),
            keys: keys.as_ref(),
            projection_type: projection.and_then(|p| p.projection_type.as_ref()),
            non_key_attributes: projection
                .and_then(|p| p.non_key_attributes.as_ref())
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect(),
        }
    }

    fn of_gsis(list: &'a [GlobalSecondaryIndex]) -> Vec<Self> {
        list.iter()
            .map(|i| IndexShape::of(&i.index_name, &i.key_schema, &i.projection))
            .collect()
    }

    fn of_lsis(list: &'a [LocalSecondaryIndex]) -> Vec<Self> {
        list.iter()
            .map(|i| IndexShape::of(&i.index_name, &i.key_schema, &i.projection))
            .collect()
    }

    fn matches(&self, other: &IndexShape) -> bool {
        self.keys == other.keys
            && self.projection_type == other.projection_type
            && self.non_key_attributes == other.non_key_attributes
    }

    /// Each override matches one of the `sources`; an override missing its name, keys or
    /// projection is left to CreateTable's null-member errors.
    fn check_all(overrides: &[IndexShape], sources: &[IndexShape]) -> Result<(), ServiceError> {
        let complete = overrides
            .iter()
            .filter(|o| o.keys.is_some() && o.projection_type.is_some());
        for index in complete {
            let Some(name) = index.name else { continue };
            if !sources.iter().any(|s| index.matches(s)) {
                return Err(validation(format!(
                    "Index {name} does not match a secondary index that existed in the source table and cannot be created during the restore operation"
                )));
            }
        }
        Ok(())
    }
}

/// CreateTable's input for a table restored from `source` under `name`, so the restored table
/// passes every check a new table does.
fn restore_input(name: &str, source: &TableDef, o: RestoreOverrides) -> CreateTableInput {
    let billing = o
        .billing_mode
        .unwrap_or_else(|| source.billing_mode.clone());
    let pay_per_request = billing == BillingMode::PayPerRequest;
    let table_throughput = o.throughput.clone().or_else(|| {
        (source.billing_mode == BillingMode::Provisioned).then_some(ProvisionedThroughput {
            read_capacity_units: Some(source.read_capacity),
            write_capacity_units: Some(source.write_capacity),
        })
    });
    let mut gsis = o
        .gsis
        .unwrap_or_else(|| source.global_secondary_indexes.clone());
    for gsi in &mut gsis {
        if pay_per_request {
            gsi.provisioned_throughput = None;
        } else if gsi.provisioned_throughput.is_none() {
            gsi.provisioned_throughput = table_throughput.clone();
        }
    }
    let lsis = o
        .lsis
        .unwrap_or_else(|| source.local_secondary_indexes.clone());
    // Only the attributes some key still uses (an index override may drop some).
    let keys: Vec<&KeySchemaElement> = source
        .key_schema
        .iter()
        .chain(gsis.iter().flat_map(|i| i.key_schema.iter().flatten()))
        .chain(lsis.iter().flat_map(|i| i.key_schema.iter().flatten()))
        .collect();
    let definitions = source
        .attribute_definitions
        .iter()
        .filter(|d| keys.iter().any(|k| k.attribute_name == d.attribute_name))
        .cloned()
        .collect();
    CreateTableInput {
        table_name: Some(name.to_string()),
        attribute_definitions: Some(definitions),
        key_schema: Some(source.key_schema.clone()),
        local_secondary_indexes: (!lsis.is_empty()).then_some(lsis),
        global_secondary_indexes: (!gsis.is_empty()).then_some(gsis),
        billing_mode: Some(billing),
        provisioned_throughput: if pay_per_request {
            None
        } else {
            table_throughput
        },
        on_demand_throughput: o.on_demand.filter(|_| pay_per_request),
        sse_specification: o.sse.or_else(|| source.sse.clone()),
        table_class: source.table_class.clone(),
        ..Default::default()
    }
}

/// A restore's TargetTableName, once it is a valid table name.
fn target_name(target: Option<&str>) -> Result<String, ServiceError> {
    let errors = create_table_name_errors(target)
        .into_iter()
        .map(|e| e.replace("at 'tableName'", "at 'targetTableName'"))
        .collect::<Vec<_>>();
    if !errors.is_empty() {
        return Err(constraint_errors(&errors));
    }
    Ok(target.unwrap_or_default().to_string())
}

/// The source a point-in-time restore names: exactly one of SourceTableName and
/// SourceTableArn, the ARN in an ARN's form (measured against DynamoDB, 2026-10
/// (ack-api-quirks DDB-TABLE-272)).
fn restore_source(input: &RestoreTableToPointInTimeInput) -> Result<String, ServiceError> {
    match (&input.source_table_name, &input.source_table_arn) {
        (Some(name), None) => Ok(name.clone()),
        (None, Some(arn)) if arn.starts_with("arn:") && arn.split(':').count() >= 6 => {
            Ok(arn.clone())
        }
        (None, Some(_)) => Err(validation("sourceTableArn is not a valid ARN")),
        (Some(_), Some(_)) => Err(validation(
            "Must provide exactly one of: sourceTableArn, sourceTableName",
        )),
        (None, None) => Err(validation("The parameter 'TableName' is required")),
    }
}

/// A point-in-time restore names its moment: RestoreDateTime or UseLatestRestorableTime,
/// not both (measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-100,
/// DDB-TABLE-272)).
fn check_restore_time_given(input: &RestoreTableToPointInTimeInput) -> Result<(), ServiceError> {
    let latest = input.use_latest_restorable_time == Some(true);
    match (latest, input.restore_date_time.is_some()) {
        (true, true) => Err(validation(
            "One or more parameter values were invalid: Only one of RestoreDateTime or UseLatestRestorableTime can be specified",
        )),
        (false, false) => Err(validation(
            "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both",
        )),
        _ => Ok(()),
    }
}

impl Handler<'_, '_> {
    /// Keeps what the item at `key` of `table` was before a change (`old`), when the table
    /// has point-in-time recovery; forgets the changes no restorable time comes before.
    pub(super) fn remember_for_recovery(&mut self, table: &str, key: &[u8], old: Option<&Item>) {
        let scope = self.ctx.scope();
        let now = self.ctx.now_millis;
        let tables = self.state.tables(&scope);
        let Some(def) = tables.tables.get(table).map(|t| &t.def) else {
            return;
        };
        let Some(pitr) = tables.backups.pitr.get_mut(&def.table_id) else {
            return;
        };
        let (earliest, _) = pitr.window(now);
        while let Some(front) = pitr.history.front().filter(|c| c.millis <= earliest) {
            self.ctx
                .changes
                .delete(pitr_change_record(&scope, table, front.seq));
            pitr.history.pop_front();
        }
        let change = PitrChange {
            seq: pitr.history.back().map_or(0, |c| c.seq + 1),
            millis: now,
            key: hex::encode(key),
            old: old.cloned(),
        };
        self.ctx
            .persist(pitr_change_record(&scope, table, change.seq), &change);
        pitr.history.push_back(change);
    }

    /// The items of `table` as they were at `millis`: its items now, with the changes made
    /// after that moment undone, newest first. Without point-in-time recovery, its items now.
    pub(super) fn items_at(&mut self, table: &str, millis: i64) -> Vec<Item> {
        let tables = self.scope_tables();
        let Some(source) = tables.tables.get(table) else {
            return Vec::new();
        };
        let mut items = source.items.clone();
        let history = tables.backups.pitr.get(&source.def.table_id);
        let later = history
            .into_iter()
            .flat_map(|pitr| pitr.history.iter().rev())
            .take_while(|change| change.millis > millis);
        for change in later {
            let key = hex::decode(&change.key).expect("a kept change's key is hex");
            match &change.old {
                Some(old) => items.insert(key, old.clone()),
                None => items.remove(&key),
            };
        }
        items.into_values().collect()
    }

    /// The table a backup operation names (name or ARN), or AWS's TableNotFoundException.
    fn backup_source(&mut self, name_or_arn: &str) -> Result<&mut super::Table, ServiceError> {
        let scope = self.ctx.scope();
        let name = local_name(&scope, name_or_arn);
        name.and_then(|name| self.scope_tables().tables.get_mut(&name))
            .ok_or_else(|| table_not_found(name_or_arn))
    }

    pub(super) fn run_create_backup(
        &mut self,
        input: CreateBackupInput,
    ) -> Result<CreateBackupOutput, ServiceError> {
        let mut errors = Vec::new();
        if input.table_name.is_none() {
            errors.push(null_member("tableName"));
        }
        match input.backup_name.as_deref() {
            None => errors.push(null_member("backupName")),
            Some(name) => errors.extend(
                create_table_name_errors(Some(name))
                    .into_iter()
                    .map(|e| e.replace("at 'tableName'", "at 'backupName'")),
            ),
        }
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let now = self.ctx.now_millis;
        let suffix = self.ctx.ids.token(b"0123456789abcdef", 8);
        let table = self.backup_source(input.table_name.as_deref().unwrap_or_default())?;
        let id = format!("{now:014}-{suffix}");
        let meta = BackupMeta {
            arn: format!("{}/backup/{id}", table.def.arn),
            id,
            name: input.backup_name.unwrap_or_default(),
            created_millis: now,
            size_bytes: table.size_bytes as i64,
            item_count: table.items.len() as i64,
            table: table.def.clone(),
        };
        let items: Vec<Item> = table.items.values().cloned().collect();
        let keys: Vec<Vec<u8>> = table.items.keys().cloned().collect();
        let scope = self.ctx.scope();
        let record = backup_record(&scope, &meta.id);
        self.ctx.persist(record.clone(), &meta);
        for (key, item) in keys.iter().zip(&items) {
            self.ctx
                .persist(format!("{record}/item/{}", hex::encode(key)), item);
        }
        // AWS answers CreateBackup with the backup still CREATING; DescribeBackup right after
        // already says AVAILABLE (measured against DynamoDB, 2026-10 (ack-api-quirks
        // DDB-BACKUP-003)).
        let details = meta.details(BackupStatus::Creating);
        self.scope_tables()
            .backups
            .backups
            .insert(meta.arn.clone(), Backup { meta, items });
        Ok(CreateBackupOutput {
            backup_details: Some(details),
        })
    }

    fn backup(&mut self, arn: Option<&str>) -> Result<&Backup, ServiceError> {
        let arn = backup_arn(arn)?;
        self.scope_tables()
            .backups
            .backups
            .get(arn)
            .ok_or_else(|| backup_not_found(arn))
    }

    pub(super) fn run_describe_backup(
        &mut self,
        input: DescribeBackupInput,
    ) -> Result<DescribeBackupOutput, ServiceError> {
        let backup = self.backup(input.backup_arn.as_deref())?;
        Ok(DescribeBackupOutput {
            backup_description: Some(backup.meta.describe(BackupStatus::Available)),
        })
    }

    pub(super) fn run_delete_backup(
        &mut self,
        input: DeleteBackupInput,
    ) -> Result<DeleteBackupOutput, ServiceError> {
        let backup = self.backup(input.backup_arn.as_deref())?;
        let description = backup.meta.describe(BackupStatus::Deleted);
        let (arn, id) = (backup.meta.arn.clone(), backup.meta.id.clone());
        let record = backup_record(&self.ctx.scope(), &id);
        self.ctx.changes.delete(record.clone());
        self.ctx.changes.delete_prefix(format!("{record}/"));
        self.scope_tables().backups.backups.remove(&arn);
        Ok(DeleteBackupOutput {
            backup_description: Some(description),
        })
    }

    pub(super) fn run_list_backups(
        &mut self,
        input: ListBackupsInput,
    ) -> Result<ListBackupsOutput, ServiceError> {
        let mut errors = Vec::new();
        match input.limit {
            Some(limit) if limit < 1 => errors.push(format!("Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")),
            Some(limit) if limit > MAX_LIST_LIMIT => errors.push(format!("Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to {MAX_LIST_LIMIT}")),
            _ => {}
        }
        if let Some(BackupTypeFilter::Unknown(v)) = &input.backup_type {
            errors.push(super::enum_error(
                "backupType",
                v,
                "USER, SYSTEM, AWS_BACKUP, ALL",
            ));
        }
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let lower = input.time_range_lower_bound.map(Timestamp::millis);
        let upper = input.time_range_upper_bound.map(Timestamp::millis);
        // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-BACKUP-014).
        if let (Some(lower), Some(upper)) = (lower, upper) {
            if lower > upper {
                return Err(validation(
                    "Time range lower bound must be less than or equal to upper bound",
                ));
            }
        }
        let scope = self.ctx.scope();
        // A name or ARN; a table that no longer exists still has its backups listed.
        let table = input
            .table_name
            .as_deref()
            .map(|t| local_name(&scope, t).unwrap_or_default());
        // Nimbus takes only USER backups; SYSTEM (deleted tables') and AWS_BACKUP never exist.
        let wants_user = matches!(
            input.backup_type,
            None | Some(BackupTypeFilter::User) | Some(BackupTypeFilter::All)
        );
        let mut listed: Vec<&BackupMeta> = self
            .scope_tables()
            .backups
            .backups
            .values()
            .map(|b| &b.meta)
            .filter(|_| wants_user)
            .filter(|m| table.as_ref().is_none_or(|t| &m.table.name == t))
            // The lower bound is inclusive, the upper exclusive.
            .filter(|m| lower.is_none_or(|l| m.created_millis >= l))
            .filter(|m| upper.is_none_or(|u| m.created_millis < u))
            .collect();
        listed.sort_by(|a, b| (a.created_millis, &a.arn).cmp(&(b.created_millis, &b.arn)));
        if let Some(start) = &input.exclusive_start_backup_arn {
            if let Some(at) = listed.iter().position(|m| &m.arn == start) {
                listed.drain(..=at);
            }
        }
        let limit = input.limit.unwrap_or(MAX_LIST_LIMIT) as usize;
        let more = listed.len() > limit;
        listed.truncate(limit);
        Ok(ListBackupsOutput {
            last_evaluated_backup_arn: if more {
                listed.last().map(|m| m.arn.clone())
            } else {
                None
            },
            backup_summaries: Some(listed.into_iter().map(BackupMeta::summary).collect()),
        })
    }

    /// Creates `target` from `source` and `items` through CreateTable, then fills it.
    fn restore_table(
        &mut self,
        target: &str,
        source: &TableDef,
        items: Vec<Item>,
        overrides: RestoreOverrides,
        summary: RestoreSummary,
    ) -> Result<TableDescription, ServiceError> {
        self.create_table(restore_input(target, source, overrides))?;
        let scope = self.ctx.scope();
        let table = self
            .scope_tables()
            .tables
            .get_mut(target)
            .expect("created above");
        let mut records = Vec::with_capacity(items.len());
        for item in items {
            let key = table.schema.encode(&item);
            records.push((item_record(&scope, target, &key), item.clone()));
            table.insert(key, item);
        }
        // The answer shows the restore as AWS answers it, just begun; the table itself is
        // ready at once, so DescribeTable then shows it ACTIVE with the restore done.
        let mut description = table.describe(TableStatus::Creating);
        description.restore_summary = Some(RestoreSummary {
            restore_in_progress: Some(true),
            ..summary.clone()
        });
        let table_id = table.def.table_id.clone();
        for (record, item) in records {
            self.ctx.persist(record, &item);
        }
        self.ctx.persist(restored_record(&scope, target), &summary);
        self.scope_tables()
            .backups
            .restored
            .insert(table_id, summary);
        Ok(description)
    }

    /// A restore's target table must not exist yet: checked last, after the source and the
    /// overrides (measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-100)).
    fn check_target_free(&mut self, target: &str) -> Result<(), ServiceError> {
        if self.scope_tables().tables.contains_key(target) {
            return Err(TABLE_ALREADY_EXISTS_EXCEPTION
                .with_message(format!("Table already exists: {target}")));
        }
        Ok(())
    }

    pub(super) fn run_restore_table_from_backup(
        &mut self,
        input: RestoreTableFromBackupInput,
    ) -> Result<RestoreTableFromBackupOutput, ServiceError> {
        let target = target_name(input.target_table_name.as_deref())?;
        let backup = self.backup(input.backup_arn.as_deref())?;
        let (meta, items) = (backup.meta.clone(), backup.items.clone());
        let overrides = restore_overrides!(input);
        overrides.check(&meta.table)?;
        self.check_target_free(&target)?;
        let summary = RestoreSummary {
            source_backup_arn: Some(meta.arn.clone()),
            source_table_arn: Some(meta.table.arn.clone()),
            restore_date_time: Some(Timestamp::from_millis(meta.created_millis)),
            restore_in_progress: Some(false),
        };
        let description = self.restore_table(&target, &meta.table, items, overrides, summary)?;
        Ok(RestoreTableFromBackupOutput {
            table_description: Some(description),
        })
    }

    /// RestoreTableToPointInTime answers, in AWS's order: the request's shape, then the
    /// source's recovery setting, then the restore time, then whether the target exists
    /// (measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-100, DDB-TABLE-272)).
    pub(super) fn run_restore_table_to_point_in_time(
        &mut self,
        input: RestoreTableToPointInTimeInput,
    ) -> Result<RestoreTableToPointInTimeOutput, ServiceError> {
        let source_name = restore_source(&input)?;
        check_restore_time_given(&input)?;
        let target = target_name(input.target_table_name.as_deref())?;
        let now = self.ctx.now_millis;
        let def = self.backup_source(&source_name)?.def.clone();
        let pitr = self
            .scope_tables()
            .backups
            .pitr
            .get(&def.table_id)
            .cloned()
            .ok_or_else(|| pitr_unavailable(&def.name))?;
        let (earliest, latest) = pitr.window(now);
        let restore_time = match input.restore_date_time {
            Some(at) if !(earliest..=latest).contains(&at.millis()) => {
                return Err(INVALID_RESTORE_TIME_EXCEPTION.with_message(
                    "RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime",
                ))
            }
            Some(at) => at.millis(),
            None => latest,
        };
        let overrides = restore_overrides!(input);
        overrides.check(&def)?;
        self.check_target_free(&target)?;
        let items = self.items_at(&def.name, restore_time);
        let summary = RestoreSummary {
            source_backup_arn: None,
            source_table_arn: Some(def.arn.clone()),
            restore_date_time: Some(Timestamp::from_millis(restore_time)),
            restore_in_progress: Some(false),
        };
        let description = self.restore_table(&target, &def, items, overrides, summary)?;
        Ok(RestoreTableToPointInTimeOutput {
            table_description: Some(description),
        })
    }

    /// The table a continuous-backups operation names, as (name, table id).
    fn pitr_table(&mut self, name: Option<&str>) -> Result<(String, String), ServiceError> {
        let Some(name) = name else {
            return Err(constraint_errors(&[null_member("tableName")]));
        };
        let table = self.backup_source(name)?;
        Ok((table.def.name.clone(), table.def.table_id.clone()))
    }

    /// The restorable window of the table with id `table_id` at `now`, when point-in-time
    /// recovery is on (exports need it).
    pub(super) fn pitr_window(&mut self, table_id: &str, now: i64) -> Option<(i64, i64)> {
        self.scope_tables()
            .backups
            .pitr
            .get(table_id)
            .map(|p| p.window(now))
    }

    pub(super) fn run_describe_continuous_backups(
        &mut self,
        input: DescribeContinuousBackupsInput,
    ) -> Result<DescribeContinuousBackupsOutput, ServiceError> {
        let (_, id) = self.pitr_table(input.table_name.as_deref())?;
        let now = self.ctx.now_millis;
        let pitr = self.scope_tables().backups.pitr.get(&id);
        Ok(DescribeContinuousBackupsOutput {
            continuous_backups_description: Some(continuous_backups(pitr, now)),
        })
    }

    pub(super) fn run_update_continuous_backups(
        &mut self,
        input: UpdateContinuousBackupsInput,
    ) -> Result<UpdateContinuousBackupsOutput, ServiceError> {
        let mut errors = Vec::new();
        if input.table_name.is_none() {
            errors.push(null_member("tableName"));
        }
        let spec = input.point_in_time_recovery_specification.clone();
        match &spec {
            None => errors.push(null_member("pointInTimeRecoverySpecification")),
            Some(s) if s.point_in_time_recovery_enabled.is_none() => errors.push(null_member(
                "pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled",
            )),
            _ => {}
        }
        if let Some(days) = spec.as_ref().and_then(|s| s.recovery_period_in_days) {
            errors.extend(recovery_period_error(days));
        }
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let spec = spec.expect("checked above");
        let enable = spec.point_in_time_recovery_enabled == Some(true);
        // Measured against DynamoDB, 2026-10 (ack-api-quirks DDB-TABLE-084).
        if !enable && spec.recovery_period_in_days.is_some() {
            return Err(validation(
                "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.",
            ));
        }
        let (name, id) = self.pitr_table(input.table_name.as_deref())?;
        let now = self.ctx.now_millis;
        let record = pitr_record(&self.ctx.scope(), &name);
        let settings = &mut self.scope_tables().backups.pitr;
        if enable {
            // Enabling again keeps the restore window; only the period may change.
            let pitr = settings.entry(id.clone()).or_insert(Pitr {
                enabled_millis: now,
                recovery_period_days: DEFAULT_RECOVERY_DAYS,
                history: VecDeque::new(),
            });
            if let Some(days) = spec.recovery_period_in_days {
                pitr.recovery_period_days = days;
            }
            let pitr = pitr.clone();
            self.ctx.persist(record, &pitr);
        } else if settings.remove(&id).is_some() {
            self.ctx.changes.delete_prefix(format!("{record}-log/"));
            self.ctx.changes.delete(record);
        }
        let pitr = self.scope_tables().backups.pitr.get(&id);
        Ok(UpdateContinuousBackupsOutput {
            continuous_backups_description: Some(continuous_backups(pitr, now)),
        })
    }
}

/// Restores `backup/<id>` (the meta) and `backup/<id>/item/<hex>` (its items, after it).
pub(super) fn restore_backup(tables: &mut Tables, path: &str, value: &[u8]) -> Result<(), String> {
    match path.split_once("/item/") {
        None => {
            let meta: BackupMeta = serde_json::from_slice(value).map_err(|e| e.to_string())?;
            tables.backups.backups.insert(
                meta.arn.clone(),
                Backup {
                    meta,
                    items: Vec::new(),
                },
            );
        }
        Some((id, _)) => {
            let item: Item = serde_json::from_slice(value).map_err(|e| e.to_string())?;
            let backup = tables
                .backups
                .backups
                .values_mut()
                .find(|b| b.meta.id == id)
                .ok_or("precedes its backup")?;
            backup.items.push(item);
        }
    }
    Ok(())
}

/// The id of `table`, whose record comes before its settings' records.
fn restored_table_id(tables: &Tables, table: &str) -> Result<String, String> {
    let table = tables.tables.get(table).ok_or("precedes its table")?;
    Ok(table.def.table_id.clone())
}

/// Restores `table/<name>/pitr` for a table restored before it.
pub(super) fn restore_pitr(tables: &mut Tables, table: &str, value: &[u8]) -> Result<(), String> {
    let pitr: Pitr = serde_json::from_slice(value).map_err(|e| e.to_string())?;
    let id = restored_table_id(tables, table)?;
    tables.backups.pitr.insert(id, pitr);
    Ok(())
}

/// Restores `table/<name>/pitr-log/<seq>`, in order, after the table's `pitr` record.
pub(super) fn restore_pitr_change(
    tables: &mut Tables,
    table: &str,
    value: &[u8],
) -> Result<(), String> {
    let change: PitrChange = serde_json::from_slice(value).map_err(|e| e.to_string())?;
    let id = restored_table_id(tables, table)?;
    let pitr = tables
        .backups
        .pitr
        .get_mut(&id)
        .ok_or("precedes its table's recovery setting")?;
    pitr.history.push_back(change);
    Ok(())
}

/// Restores `table/<name>/restored` (a restored table's RestoreSummary) after its table.
pub(super) fn restore_restored(
    tables: &mut Tables,
    table: &str,
    value: &[u8],
) -> Result<(), String> {
    let summary: RestoreSummary = serde_json::from_slice(value).map_err(|e| e.to_string())?;
    let id = restored_table_id(tables, table)?;
    tables.backups.restored.insert(id, summary);
    Ok(())
}
