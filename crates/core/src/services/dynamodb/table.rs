//! Tables: CreateTable's validation (in AWS's order and words) and the TableDescription.

use std::collections::{BTreeMap, BTreeSet};

use nimbus_shapes::{
    dynamodb::{
        AttributeDefinition, BillingMode, BillingModeSummary, CreateTableInput,
        GlobalSecondaryIndex, GlobalSecondaryIndexDescription,
        GlobalSecondaryIndexWarmThroughputDescription, IndexStatus, KeySchemaElement, KeyType,
        LocalSecondaryIndex, LocalSecondaryIndexDescription, OnDemandThroughput, Projection,
        ProjectionType, ProvisionedThroughput, ProvisionedThroughputDescription, SSEDescription,
        SSESpecification, SSEStatus, SSEType, ScalarAttributeType, StreamSpecification,
        StreamViewType, TableClass, TableClassSummary, TableDescription, TableStatus,
        TableWarmThroughputDescription, Tag, UpdateTableInput, WarmThroughput,
    },
    Timestamp,
};
use serde::{Deserialize, Serialize};

use crate::clock::Civil;

use super::{
    errors::{constraint_errors, invalid_parameter, validation, INVALID},
    value::{KeyAttr, KeySchema},
};
use nimbus_shapes::ServiceError;

/// What CreateTable fixed about a table; persisted as the table's record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TableDef {
    pub name: String,
    pub arn: String,
    pub table_id: String,
    pub created_millis: i64,
    pub attribute_definitions: Vec<AttributeDefinition>,
    pub key_schema: Vec<KeySchemaElement>,
    pub billing_mode: BillingMode,
    /// Zero for PAY_PER_REQUEST, as DescribeTable shows it.
    pub read_capacity: i64,
    pub write_capacity: i64,
    #[serde(default)]
    pub local_secondary_indexes: Vec<LocalSecondaryIndex>,
    #[serde(default)]
    pub global_secondary_indexes: Vec<GlobalSecondaryIndex>,
    /// The StreamSpecification last asked for.
    #[serde(default)]
    pub stream: Option<StreamSpecification>,
    /// Every stream the table has had, oldest first (see `stream`).
    #[serde(default)]
    pub streams: Vec<super::stream::StreamDef>,
    #[serde(default)]
    pub sse: Option<SSESpecification>,
    #[serde(default)]
    pub table_class: Option<TableClass>,
    /// When UpdateTable last changed the class (TableClassSummary's LastUpdateDateTime).
    #[serde(default)]
    pub table_class_changed_millis: Option<i64>,
    #[serde(default)]
    pub deletion_protection: bool,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// The Time to Live attribute while TTL is enabled (see `ttl`).
    #[serde(default)]
    pub ttl_attribute: Option<String>,
    /// When the table last became PAY_PER_REQUEST (LastUpdateToPayPerRequestDateTime);
    /// `None` for a table that has always been PROVISIONED (or a record from before this
    /// was kept: an on-demand one then reads its creation time).
    #[serde(default)]
    pub pay_per_request_millis: Option<i64>,
    /// The provisioned-throughput changes of the table (key "") and of each GSI (key: its
    /// name), for LastIncrease/LastDecreaseDateTime and the daily decrease budget.
    #[serde(default)]
    pub throughput_history: BTreeMap<String, ThroughputHistory>,
    /// The table's WarmThroughput as last asked for (CreateTable, UpdateTable); the GSIs'
    /// are in their `GlobalSecondaryIndex::warm_throughput`.
    #[serde(default)]
    pub warm_throughput: Option<WarmThroughput>,
    /// The on-demand table's maximum read and write request units, as last asked for.
    #[serde(default)]
    pub on_demand_throughput: Option<OnDemandThroughput>,
}

/// The warm throughput (read, write units per second) of a new on-demand table or GSI
/// (AWS developer guide, "Understanding DynamoDB warm throughput in different scenarios").
pub const ON_DEMAND_WARM: (i64, i64) = (12_000, 4_000);

/// The warm throughput in effect: what was asked for, but never below the starting value
/// `base` (on demand: `ON_DEMAND_WARM`; provisioned: the provisioned units, which raise the
/// warm throughput as they grow).
pub fn effective_warm(requested: Option<&WarmThroughput>, base: (i64, i64)) -> (i64, i64) {
    let asked = |units: Option<i64>, floor: i64| units.unwrap_or(0).max(floor);
    (
        asked(requested.and_then(|w| w.read_units_per_second), base.0),
        asked(requested.and_then(|w| w.write_units_per_second), base.1),
    )
}

/// AWS refuses a WarmThroughput below the on-demand starting value, naming the table or
/// the index (`index`). Provisioned tables take the larger of the request and their units.
pub fn check_warm(
    requested: Option<&WarmThroughput>,
    floor: WarmFloor,
    index: Option<&str>,
) -> Result<(), String> {
    let Some(requested) = requested else {
        return Ok(());
    };
    let what = match index {
        None => "table".to_string(),
        Some(name) => format!("index {name}"),
    };
    let (read, write) = match floor {
        WarmFloor::OnDemand => ON_DEMAND_WARM,
        WarmFloor::Provisioned(units) | WarmFloor::Current(units) => units,
    };
    for (units, floor_units, name, capacity) in [
        (
            requested.read_units_per_second,
            read,
            "ReadUnitsPerSecond",
            "ReadCapacityUnits",
        ),
        (
            requested.write_units_per_second,
            write,
            "WriteUnitsPerSecond",
            "WriteCapacityUnits",
        ),
    ] {
        if units.is_none_or(|u| u >= floor_units) {
            continue;
        }
        let below = match floor {
            WarmFloor::OnDemand => {
                format!("initial throughput for OnDemand. See: {ON_DEMAND_INITIAL_DOC}")
            }
            WarmFloor::Provisioned(_) => format!("{capacity} of ProvisionedThroughput"),
            WarmFloor::Current(_) => {
                "current WarmThroughput, decreasing WarmThroughput is not supported".to_string()
            }
        };
        return Err(format!(
            "{INVALID}Requested {name} for WarmThroughput for {what} is lower than {below}"
        ));
    }
    Ok(())
}

/// An OnDemandThroughput's members as AWS checks them (measured against DynamoDB, 2026-10:
/// ack-api-quirks DDB-TABLE-038, 039, 051, 059, 128, 153): only on an on-demand table, each
/// at least 1, or -1 (no maximum) in UpdateTable. `index` names a GSI's. An empty one asks
/// nothing.
pub fn check_on_demand(
    given: Option<&OnDemandThroughput>,
    on_demand: bool,
    update: bool,
    index: Option<&str>,
) -> Result<(), String> {
    let Some(given) = given else {
        return Ok(());
    };
    let members = [
        (given.max_read_request_units, "MaxReadRequestUnits"),
        (given.max_write_request_units, "MaxWriteRequestUnits"),
    ];
    let Some((_, first)) = members.iter().find(|(units, _)| units.is_some()) else {
        return Ok(());
    };
    if !on_demand {
        // The index's words after "cannot be specified" are not on record; the table's are.
        return Err(match (index, update) {
            (Some(name), _) => format!("{INVALID}{first} for OnDemandThroughput for index: {name} cannot be specified when table BillingMode is PROVISIONED."),
            (None, false) => format!("{INVALID}{first} for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED."),
            (None, true) => format!("{INVALID}{first} for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED"),
        });
    }
    let what = index.map_or("table".to_string(), |name| format!("index : {name}"));
    for (units, name) in members {
        if units.is_some_and(|u| u < 1 && !(update && u == -1)) {
            return Err(format!(
                "{INVALID}Requested {name} for OnDemandThroughput for {what} is outside of valid range"
            ));
        }
    }
    Ok(())
}

/// A table's on-demand maximum above the account's per-table quota (ack-api-quirks
/// DDB-TABLE-154).
pub fn check_on_demand_quota(
    given: Option<&OnDemandThroughput>,
    region: &str,
) -> Result<(), ServiceError> {
    let Some(given) = given else {
        return Ok(());
    };
    for (units, name, quota) in [
        (
            given.max_read_request_units,
            "MaxReadRequestUnits",
            "TableMaxReadCapacityUnits",
        ),
        (
            given.max_write_request_units,
            "MaxWriteRequestUnits",
            "TableMaxWriteCapacityUnits",
        ),
    ] {
        if units.is_some_and(|u| u > TABLE_MAX_CAPACITY) {
            return Err(limit_exceeded(format!("Subscriber limit exceeded: Requested {name} for OnDemandThroughput for table exceeds {quota} of the account in region {region}")));
        }
    }
    Ok(())
}

const ON_DEMAND_INITIAL_DOC: &str = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html#on-demand-capacity-mode-initial";

/// What a requested warm throughput may not go below (measured against DynamoDB, 2026-10:
/// ack-api-quirks DDB-TABLE-039, 059, 155, 179): a new on-demand table or index starts at
/// `ON_DEMAND_WARM`, a new provisioned one at its capacity units, and warm throughput never
/// decreases.
#[derive(Clone, Copy)]
pub enum WarmFloor {
    OnDemand,
    Provisioned((i64, i64)),
    Current((i64, i64)),
}

impl WarmFloor {
    /// The floor of a table or index being created.
    pub fn new(on_demand: bool, throughput: Option<&ProvisionedThroughput>) -> WarmFloor {
        match (on_demand, throughput) {
            (true, _) => WarmFloor::OnDemand,
            (false, Some(t)) => WarmFloor::Provisioned(pair(t)),
            (false, None) => WarmFloor::Provisioned((0, 0)),
        }
    }
}

/// The request merged into the warm throughput in effect (a member left out keeps its value).
pub fn merge_warm(requested: &WarmThroughput, current: (i64, i64)) -> WarmThroughput {
    WarmThroughput {
        read_units_per_second: Some(requested.read_units_per_second.unwrap_or(current.0)),
        write_units_per_second: Some(requested.write_units_per_second.unwrap_or(current.1)),
    }
}

/// When a table's or an index's provisioned throughput last went up and down.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ThroughputHistory {
    pub last_increase_millis: Option<i64>,
    pub last_decrease_millis: Option<i64>,
    /// Decreases on the UTC day of `last_decrease_millis`.
    pub decreases: i64,
}

impl ThroughputHistory {
    /// NumberOfDecreasesToday: the count resets at 00:00 UTC. Without a clock, the count of
    /// the day of the last decrease.
    fn decreases_on(&self, now: Option<i64>) -> i64 {
        match (self.last_decrease_millis, now) {
            (Some(last), Some(now)) if utc_day(last) != utc_day(now) => 0,
            _ => self.decreases,
        }
    }
}

fn utc_day(millis: i64) -> i64 {
    millis.div_euclid(DAY_MILLIS)
}

const DAY_MILLIS: i64 = 86_400_000;

fn attr_type(defs: &[AttributeDefinition], name: &str) -> ScalarAttributeType {
    defs.iter()
        .find(|d| d.attribute_name.as_deref() == Some(name))
        .and_then(|d| d.attribute_type.clone())
        .unwrap_or(ScalarAttributeType::S)
}

fn key_schema_of(elements: &[KeySchemaElement], defs: &[AttributeDefinition]) -> KeySchema {
    let attr = |e: &KeySchemaElement| {
        let name = e.attribute_name.clone().unwrap_or_default();
        KeyAttr {
            kind: attr_type(defs, &name),
            name,
        }
    };
    // Key types were checked at creation: HASH attributes first, then RANGE ones.
    let of_type = |kind: KeyType| {
        elements
            .iter()
            .filter(move |e| e.key_type.as_ref() == Some(&kind))
            .map(attr)
    };
    let mut hash = of_type(KeyType::Hash);
    let mut range = of_type(KeyType::Range);
    KeySchema {
        hash: hash.next().unwrap_or(KeyAttr {
            name: String::new(),
            kind: ScalarAttributeType::S,
        }),
        range: range.next(),
        more_hash: hash.collect(),
        more_range: range.collect(),
    }
}

impl TableDef {
    /// Where the global secondary index `name` is in the table's list, if it has one.
    pub fn gsi_position(&self, name: &str) -> Option<usize> {
        self.global_secondary_indexes
            .iter()
            .position(|i| i.index_name.as_deref() == Some(name))
    }

    pub fn gsi(&self, name: &str) -> Option<&GlobalSecondaryIndex> {
        self.gsi_position(name)
            .map(|i| &self.global_secondary_indexes[i])
    }

    /// Keeps the definitions of the attributes some key uses (the table's or an index's),
    /// in their order, as AWS does after an UpdateTable: a deleted index's key attributes
    /// and definitions no key uses are dropped (dynoxide#131, characterised in eu-west-2).
    pub fn keep_used_definitions(&mut self) {
        let lsi_keys = self.local_secondary_indexes.iter().map(|i| &i.key_schema);
        let gsi_keys = self.global_secondary_indexes.iter().map(|i| &i.key_schema);
        let used: BTreeSet<String> = lsi_keys
            .chain(gsi_keys)
            .flat_map(|keys| keys.as_deref().unwrap_or(&[]))
            .chain(&self.key_schema)
            .filter_map(|k| k.attribute_name.clone())
            .collect();
        self.attribute_definitions
            .retain(|d| d.attribute_name.as_ref().is_some_and(|n| used.contains(n)));
    }

    /// The ARN of one of the table's indexes.
    pub fn index_arn(&self, name: &str) -> String {
        format!("{}/index/{name}", self.arn)
    }

    pub fn schema(&self) -> KeySchema {
        key_schema_of(&self.key_schema, &self.attribute_definitions)
    }

    /// Every secondary index with its key, for checking the index keys an item carries.
    pub fn index_schemas(&self) -> Vec<(String, KeySchema)> {
        let lsis = self
            .local_secondary_indexes
            .iter()
            .map(|i| (&i.index_name, &i.key_schema));
        let gsis = self
            .global_secondary_indexes
            .iter()
            .map(|i| (&i.index_name, &i.key_schema));
        let mut out: Vec<(String, KeySchema)> = lsis
            .chain(gsis)
            .map(|(name, keys)| {
                (
                    name.clone().unwrap_or_default(),
                    key_schema_of(keys.as_deref().unwrap_or(&[]), &self.attribute_definitions),
                )
            })
            .collect();
        // AWS names the alphabetically first offending index.
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The ProvisionedThroughput of the table (`key` "") or a GSI (`key`: its name).
    fn throughput(
        &self,
        key: &str,
        (read, write): (i64, i64),
        now: Option<i64>,
    ) -> ProvisionedThroughputDescription {
        let history = self
            .throughput_history
            .get(key)
            .cloned()
            .unwrap_or_default();
        ProvisionedThroughputDescription {
            last_increase_date_time: history.last_increase_millis.map(Timestamp::from_millis),
            last_decrease_date_time: history.last_decrease_millis.map(Timestamp::from_millis),
            number_of_decreases_today: Some(history.decreases_on(now)),
            read_capacity_units: Some(read),
            write_capacity_units: Some(write),
        }
    }

    /// BillingModeSummary: present once the table has been on demand, as AWS shows it (a
    /// table created PROVISIONED and never switched has none).
    fn billing_mode_summary(&self) -> Option<BillingModeSummary> {
        let pay_per_request = self.billing_mode == BillingMode::PayPerRequest;
        let since = match self.pay_per_request_millis {
            Some(at) => at,
            None if pay_per_request => self.created_millis,
            None => return None,
        };
        Some(BillingModeSummary {
            billing_mode: Some(self.billing_mode.clone()),
            last_update_to_pay_per_request_date_time: Some(Timestamp::from_millis(since)),
        })
    }

    /// DescribeTable's view, given the table's item count and bytes. Counts are live (AWS
    /// refreshes them about every six hours); index counts are computed here, per call.
    /// `now` resets NumberOfDecreasesToday at midnight UTC.
    pub fn describe(
        &self,
        status: TableStatus,
        index_stats: impl Fn(&str) -> (i64, i64),
        (count, size): (usize, usize),
        now: Option<i64>,
    ) -> TableDescription {
        let (count, size) = (count as i64, size as i64);
        let created = Timestamp::from_millis(self.created_millis);
        let lsis: Vec<LocalSecondaryIndexDescription> = self
            .local_secondary_indexes
            .iter()
            .map(|i| {
                let (count, size) = index_stats(i.index_name.as_deref().unwrap_or_default());
                LocalSecondaryIndexDescription {
                    index_name: i.index_name.clone(),
                    key_schema: i.key_schema.clone(),
                    projection: i.projection.clone(),
                    index_size_bytes: Some(size),
                    item_count: Some(count),
                    index_arn: Some(self.index_arn(i.index_name.as_deref().unwrap_or_default())),
                }
            })
            .collect();
        let gsis: Vec<GlobalSecondaryIndexDescription> = self
            .global_secondary_indexes
            .iter()
            .map(|i| {
                let (count, size) = index_stats(i.index_name.as_deref().unwrap_or_default());
                let throughput = i.provisioned_throughput.clone().unwrap_or_default();
                GlobalSecondaryIndexDescription {
                    index_name: i.index_name.clone(),
                    key_schema: i.key_schema.clone(),
                    projection: i.projection.clone(),
                    index_status: Some(IndexStatus::Active),
                    backfilling: None,
                    provisioned_throughput: Some(self.throughput(
                        i.index_name.as_deref().unwrap_or_default(),
                        (
                            throughput.read_capacity_units.unwrap_or(0),
                            throughput.write_capacity_units.unwrap_or(0),
                        ),
                        now,
                    )),
                    index_size_bytes: Some(size),
                    item_count: Some(count),
                    index_arn: Some(self.index_arn(i.index_name.as_deref().unwrap_or_default())),
                    on_demand_throughput: i.on_demand_throughput.clone(),
                    warm_throughput: Some({
                        let (read, write) = self.gsi_warm(i);
                        GlobalSecondaryIndexWarmThroughputDescription {
                            read_units_per_second: Some(read),
                            write_units_per_second: Some(write),
                            status: Some(IndexStatus::Active),
                        }
                    }),
                }
            })
            .collect();
        let (warm_read, warm_write) = self.table_warm();
        // The latest stream stays in the description after it is disabled, as in AWS.
        let latest = self.streams.last();
        TableDescription {
            attribute_definitions: Some(self.attribute_definitions.clone()),
            table_name: Some(self.name.clone()),
            key_schema: Some(self.key_schema.clone()),
            table_status: Some(status),
            creation_date_time: Some(created),
            provisioned_throughput: Some(self.throughput(
                "",
                (self.read_capacity, self.write_capacity),
                now,
            )),
            table_size_bytes: Some(size),
            item_count: Some(count),
            table_arn: Some(self.arn.clone()),
            table_id: Some(self.table_id.clone()),
            billing_mode_summary: self.billing_mode_summary(),
            local_secondary_indexes: (!lsis.is_empty()).then_some(lsis),
            global_secondary_indexes: (!gsis.is_empty()).then_some(gsis),
            stream_specification: self.enabled_stream().map(|s| StreamSpecification {
                stream_enabled: Some(true),
                stream_view_type: Some(s.view_type.clone()),
            }),
            latest_stream_arn: latest.map(|s| s.arn(&self.arn)),
            latest_stream_label: latest.map(|s| s.label.clone()),
            sse_description: self
                .sse
                .as_ref()
                .filter(|s| uses_kms(s))
                .map(|s| SSEDescription {
                    status: Some(SSEStatus::Enabled),
                    sse_type: Some(SSEType::Kms),
                    kms_master_key_arn: Some(kms_key_arn(
                        s.kms_master_key_id.as_deref(),
                        &self.arn,
                    )),
                    ..Default::default()
                }),
            table_class_summary: self.table_class.clone().map(|c| TableClassSummary {
                table_class: Some(c),
                last_update_date_time: self.table_class_changed_millis.map(Timestamp::from_millis),
            }),
            deletion_protection_enabled: Some(self.deletion_protection),
            on_demand_throughput: self.on_demand_throughput.clone(),
            warm_throughput: Some(TableWarmThroughputDescription {
                read_units_per_second: Some(warm_read),
                write_units_per_second: Some(warm_write),
                status: Some(TableStatus::Active),
            }),
            ..Default::default()
        }
    }

    fn on_demand(&self) -> bool {
        self.billing_mode == BillingMode::PayPerRequest
    }

    /// The table's warm throughput in effect (read, write units per second).
    pub fn table_warm(&self) -> (i64, i64) {
        let base = if self.on_demand() {
            ON_DEMAND_WARM
        } else {
            (self.read_capacity, self.write_capacity)
        };
        effective_warm(self.warm_throughput.as_ref(), base)
    }

    /// Warm throughput never goes down: after a switch of mode or lower capacity the table
    /// and each index it had keep the highest they had (measured against DynamoDB, 2026-10:
    /// ack-api-quirks DDB-TABLE-055, 058).
    pub fn keep_warm_from(&mut self, before: &TableDef) {
        let highest = |now: (i64, i64), then: (i64, i64)| WarmThroughput {
            read_units_per_second: Some(now.0.max(then.0)),
            write_units_per_second: Some(now.1.max(then.1)),
        };
        self.warm_throughput = Some(highest(self.table_warm(), before.table_warm()));
        for position in 0..self.global_secondary_indexes.len() {
            let index = &self.global_secondary_indexes[position];
            let Some(old) = before.gsi(index.index_name.as_deref().unwrap_or_default()) else {
                continue;
            };
            let warm = highest(self.gsi_warm(index), before.gsi_warm(old));
            self.global_secondary_indexes[position].warm_throughput = Some(warm);
        }
    }

    /// A GSI's warm throughput in effect.
    pub fn gsi_warm(&self, index: &GlobalSecondaryIndex) -> (i64, i64) {
        let base = match (&index.provisioned_throughput, self.on_demand()) {
            (Some(t), false) => pair(t),
            (None, false) => (0, 0),
            (_, true) => ON_DEMAND_WARM,
        };
        effective_warm(index.warm_throughput.as_ref(), base)
    }
}

/// The ARN of the KMS key a table is encrypted with. KMSMasterKeyId may be a key ID, a key
/// ARN, an alias name or an alias ARN; SSEDescription answers an ARN in the table's account
/// and region (AWS resolves an alias to its key's ARN; with no KMS here, the alias's ARN
/// stands in). Without an id, DynamoDB's AWS-managed key, alias/aws/dynamodb.
/// Whether a table's SSESpecification encrypts with a KMS key: `Enabled` true, or left out
/// beside `SSEType: KMS` (ack-api-quirks DDB-TABLE-044). Otherwise the table is encrypted
/// by default, with a key DynamoDB owns, and describes no SSE.
fn uses_kms(sse: &SSESpecification) -> bool {
    sse.enabled.unwrap_or(sse.sse_type == Some(SSEType::Kms))
}

/// The checks CreateTable and UpdateTable give an SSESpecification, in DynamoDB's words
/// (measured against it, 2026-10: ack-api-quirks DDB-TABLE-031 and 036).
pub fn check_sse(sse: &SSESpecification) -> Result<(), String> {
    if sse.enabled == Some(false) {
        if sse.sse_type.is_some() {
            return Err(format!(
                "{INVALID}SSEType can not be specified if Enabled is false"
            ));
        }
        if sse.kms_master_key_id.is_some() {
            return Err(format!(
                "{INVALID}KMSMasterKeyId can not be specified if Enabled is false"
            ));
        }
    }
    match &sse.sse_type {
        Some(SSEType::Aes256) => Err(format!("{INVALID}SSEType AES256 is not supported")),
        Some(SSEType::Unknown(v)) => Err(format!("1 validation error detected: Value '{v}' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]")),
        None if sse.kms_master_key_id.is_some() => Err(format!(
            "{INVALID}SSEType KMS is required if KMSMasterKeyId is specified"
        )),
        _ => Ok(()),
    }
}

impl TableDef {
    /// UpdateTable's SSESpecification applied to the table's: a KMS key to use, or none to
    /// return to DynamoDB's own key (ack-api-quirks DDB-TABLE-079, 140, 141, 437).
    pub fn update_sse(&mut self, given: &SSESpecification) -> Result<(), String> {
        check_sse(given)?;
        let current = self.sse.as_ref().filter(|s| uses_kms(s));
        if !uses_kms(given) {
            if current.is_none() {
                return Err(format!("{INVALID}Table is already encrypted by default"));
            }
            self.sse = None;
            return Ok(());
        }
        let key = |s: &SSESpecification| kms_key_arn(s.kms_master_key_id.as_deref(), &self.arn);
        let same_arn = given
            .kms_master_key_id
            .as_deref()
            .is_some_and(|id| id.starts_with("arn:") && current.is_some_and(|c| key(c) == id));
        if same_arn {
            return Err(format!("{INVALID}Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key"));
        }
        self.sse = Some(SSESpecification {
            enabled: Some(true),
            ..given.clone()
        });
        Ok(())
    }
}

fn kms_key_arn(key_id: Option<&str>, table_arn: &str) -> String {
    let (region, account) = arn_scope(table_arn);
    match key_id {
        Some(arn) if arn.starts_with("arn:") => arn.to_string(),
        Some(alias) if alias.starts_with("alias/") => {
            format!("arn:aws:kms:{region}:{account}:{alias}")
        }
        Some(id) => format!("arn:aws:kms:{region}:{account}:key/{id}"),
        None => format!("arn:aws:kms:{region}:{account}:key/aws/dynamodb"),
    }
}

fn arn_scope(arn: &str) -> (&str, &str) {
    let mut parts = arn.split(':').skip(3);
    (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    )
}

/// A stream label is the creation time, `YYYY-MM-DDTHH:MM:SS.mmm` in UTC.
pub fn stream_label(millis: i64) -> String {
    Civil::from_millis(millis).iso8601()
}

const MAX_CAPACITY: i64 = 1_000_000_000_000;

/// Constraint errors of a key schema list at `path` (`keySchema`, `globalSecondaryIndexes.1.member.keySchema`).
fn key_schema_constraints(
    keys: Option<&Vec<KeySchemaElement>>,
    path: &str,
    errors: &mut Vec<String>,
) {
    key_schema_constraints_up_to(keys, path, 2, errors)
}

/// The most partition (and the most sort) key attributes of a GSI: multi-attribute keys
/// (AWS, November 2025).
const MAX_GSI_KEY_ATTRS: usize = 4;

fn key_schema_constraints_up_to(
    keys: Option<&Vec<KeySchemaElement>>,
    path: &str,
    max: usize,
    errors: &mut Vec<String>,
) {
    match keys {
        None => errors.push(format!(
            "Value null at '{path}' failed to satisfy constraint: Member must not be null"
        )),
        Some(keys) => {
            if keys.is_empty() {
                errors.push(format!("Value '[]' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to 1"));
            }
            if keys.len() > max {
                errors.push(format!("Value '{}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {max}", show_keys(keys)));
            }
            for (i, k) in keys.iter().enumerate() {
                let at = format!("{path}.{}.member", i + 1);
                key_attribute_name_constraints(k.attribute_name.as_ref(), &at, errors);
                match &k.key_type {
                    None => errors.push(format!("Value null at '{at}.keyType' failed to satisfy constraint: Member must not be null")),
                    Some(KeyType::Unknown(v)) => errors.push(format!("Value '{v}' at '{at}.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]")),
                    Some(_) => {}
                }
            }
        }
    }
}

/// The name of a key attribute, in a key schema or an attribute definition at `at`: 1 to
/// 255 bytes (KeySchemaAttributeName), for a table's keys as for an index's (ScyllaDB's
/// Alternator tests, run against DynamoDB, which checks the length before it checks that
/// definitions and keys agree).
fn key_attribute_name_constraints(name: Option<&String>, at: &str, errors: &mut Vec<String>) {
    let at = format!("{at}.attributeName");
    match name {
        None => errors.push(format!(
            "Value null at '{at}' failed to satisfy constraint: Member must not be null"
        )),
        Some(name) if name.is_empty() => errors.push(format!("Value '' at '{at}' failed to satisfy constraint: Member must have length greater than or equal to 1")),
        Some(name) if name.len() > 255 => errors.push(format!("Value '{name}' at '{at}' failed to satisfy constraint: Member must have length less than or equal to 255")),
        Some(_) => {}
    }
}

/// The members of AttributeDefinitions (CreateTable, UpdateTable).
fn attribute_definitions_constraints(defs: &[AttributeDefinition], errors: &mut Vec<String>) {
    for (i, d) in defs.iter().enumerate() {
        let at = format!("attributeDefinitions.{}.member", i + 1);
        key_attribute_name_constraints(d.attribute_name.as_ref(), &at, errors);
        match &d.attribute_type {
            None => errors.push(format!("Value null at '{at}.attributeType' failed to satisfy constraint: Member must not be null")),
            Some(ScalarAttributeType::Unknown(v)) => errors.push(format!("Value '{v}' at '{at}.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]")),
            Some(_) => {}
        }
    }
}

fn show_keys(keys: &[KeySchemaElement]) -> String {
    let shown: Vec<String> = keys
        .iter()
        .map(|k| {
            format!(
                "KeySchemaElement(attributeName={}, keyType={})",
                k.attribute_name.as_deref().unwrap_or("null"),
                k.key_type.as_ref().map(|t| t.as_str()).unwrap_or("null")
            )
        })
        .collect();
    format!("[{}]", shown.join(", "))
}

/// A ProvisionedThroughput's members, the write units first as AWS lists them (ack-api-quirks
/// DDB-TABLE-038, 058, 457).
fn throughput_constraints(t: &ProvisionedThroughput, path: &str, errors: &mut Vec<String>) {
    for (value, name) in [
        (t.write_capacity_units, "writeCapacityUnits"),
        (t.read_capacity_units, "readCapacityUnits"),
    ] {
        match value {
            None => errors.push(format!("Value null at '{path}.{name}' failed to satisfy constraint: Member must not be null")),
            Some(v) if v < 1 => errors.push(format!("Value '{v}' at '{path}.{name}' failed to satisfy constraint: Member must have value greater than or equal to 1")),
            _ => {}
        }
    }
}

fn index_name_constraints(name: Option<&String>, path: &str, errors: &mut Vec<String>) {
    let Some(name) = name else {
        errors.push(format!(
            "Value null at '{path}' failed to satisfy constraint: Member must not be null"
        ));
        return;
    };
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        errors.push(format!("Value '{name}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"));
    }
    if name.len() < 3 {
        errors.push(format!("Value '{name}' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to 3"));
    }
    if name.len() > 255 {
        errors.push(format!("Value '{name}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to 255"));
    }
}

/// A TableClass outside the enum: DynamoDB's own check, after the model's (ScyllaDB's
/// Alternator tests and ack-api-quirks, both against DynamoDB, record the words).
fn check_table_class(class: Option<&TableClass>) -> Result<(), ServiceError> {
    match class {
        Some(TableClass::Unknown(_)) => Err(validation(
            "Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].",
        )),
        _ => Ok(()),
    }
}

fn projection_constraints(projection: Option<&Projection>, path: &str, errors: &mut Vec<String>) {
    match projection {
        None => errors.push(format!(
            "Value null at '{path}' failed to satisfy constraint: Member must not be null"
        )),
        Some(Projection {
            projection_type: Some(ProjectionType::Unknown(v)),
            ..
        }) => errors.push(format!("Value '{v}' at '{path}.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]")),
        _ => {}
    }
    // The model's NonKeyAttributeName is 1..255 long; a list member's constraints are
    // reported for the whole list, in Java's list notation.
    let names = projection.and_then(|p| p.non_key_attributes.as_deref());
    // The list holds 1 to 20 names (the model's NonKeyAttributeNameList).
    let listed = |names: &[String]| {
        format!("Value '[{}]' at '{path}.nonKeyAttributes' failed to satisfy constraint: Member must have length", names.join(", "))
    };
    match names {
        Some(names) if names.is_empty() => {
            errors.push(format!("{} greater than or equal to 1", listed(names)))
        }
        Some(names) if names.len() > 20 => {
            errors.push(format!("{} less than or equal to 20", listed(names)))
        }
        _ => {}
    }
    if let Some(names) = names.filter(|n| n.iter().any(|n| n.is_empty() || n.len() > 255)) {
        errors.push(format!("Value '[{}]' at '{path}.nonKeyAttributes' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 1]", names.join(", ")));
    }
}

/// The request-shape checks AWS reports together as "N validation errors detected".
fn create_constraints(input: &CreateTableInput) -> Vec<String> {
    let mut errors = super::errors::create_table_name_errors(input.table_name.as_deref());
    match &input.attribute_definitions {
        None => errors.push("Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null".into()),
        Some(defs) => attribute_definitions_constraints(defs, &mut errors),
    }
    key_schema_constraints(input.key_schema.as_ref(), "keySchema", &mut errors);
    if let Some(BillingMode::Unknown(v)) = &input.billing_mode {
        errors.push(format!("Value '{v}' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"));
    }
    if let Some(t) = &input.provisioned_throughput {
        throughput_constraints(t, "provisionedThroughput", &mut errors);
    }
    for (i, index) in input.local_secondary_indexes.iter().flatten().enumerate() {
        let at = format!("localSecondaryIndexes.{}.member", i + 1);
        index_name_constraints(
            index.index_name.as_ref(),
            &format!("{at}.indexName"),
            &mut errors,
        );
        key_schema_constraints(
            index.key_schema.as_ref(),
            &format!("{at}.keySchema"),
            &mut errors,
        );
        projection_constraints(
            index.projection.as_ref(),
            &format!("{at}.projection"),
            &mut errors,
        );
    }
    for (i, index) in input.global_secondary_indexes.iter().flatten().enumerate() {
        let at = format!("globalSecondaryIndexes.{}.member", i + 1);
        index_name_constraints(
            index.index_name.as_ref(),
            &format!("{at}.indexName"),
            &mut errors,
        );
        key_schema_constraints_up_to(
            index.key_schema.as_ref(),
            &format!("{at}.keySchema"),
            2 * MAX_GSI_KEY_ATTRS,
            &mut errors,
        );
        projection_constraints(
            index.projection.as_ref(),
            &format!("{at}.projection"),
            &mut errors,
        );
        if let Some(t) = &index.provisioned_throughput {
            throughput_constraints(t, &format!("{at}.provisionedThroughput"), &mut errors);
        }
    }
    if let Some(spec) = &input.stream_specification {
        stream_spec_constraints(spec, &mut errors);
    }
    errors
}

/// The request-shape checks of a StreamSpecification (CreateTable and UpdateTable).
pub fn stream_spec_constraints(spec: &StreamSpecification, errors: &mut Vec<String>) {
    if spec.stream_enabled.is_none() {
        errors.push("Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null".into());
    }
    if let Some(StreamViewType::Unknown(v)) = &spec.stream_view_type {
        errors.push(format!("Value '{v}' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"));
    }
}

fn names(keys: &[KeySchemaElement]) -> Vec<String> {
    keys.iter()
        .map(|k| k.attribute_name.clone().unwrap_or_default())
        .collect()
}

/// The checks one index key schema gets, after the table's (dynalite's captured order).
fn check_index_keys(keys: &[KeySchemaElement], defs: &[String]) -> Result<(), String> {
    let key_names = names(keys);
    check_defined(&key_names, defs)?;
    if key_names.len() == 2 && key_names[0] == key_names[1] {
        return Err(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
                .into(),
        );
    }
    if keys[0].key_type != Some(KeyType::Hash) {
        return Err("Invalid KeySchema: The first KeySchemaElement is not a HASH key type".into());
    }
    if keys.len() == 2 && keys[1].key_type != Some(KeyType::Range) {
        return Err(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type".into(),
        );
    }
    Ok(())
}

fn check_defined(key_names: &[String], defs: &[String]) -> Result<(), String> {
    if key_names.iter().any(|k| !defs.contains(k)) {
        return Err(format!(
            "{INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            key_names.join(", "),
            sorted_list(defs)
        ));
    }
    Ok(())
}

/// A GSI's key schema: one to four HASH attributes, then up to four RANGE attributes, each
/// named once, in DynamoDB's words (measured against it, 2026-10: ack-api-quirks
/// DDB-TABLE-123); with one or two, the checks of any key schema besides.
fn check_gsi_keys(keys: &[KeySchemaElement], defs: &[String]) -> Result<(), String> {
    let key_names = names(keys);
    check_defined(&key_names, defs)?;
    let mut seen = BTreeSet::new();
    if key_names.iter().any(|n| !seen.insert(n)) {
        return Err("The KeySchema contains multiple key attributes with the same name".into());
    }
    // Two HASH attributes are a multi-attribute partition key (ScyllaDB's Alternator tests
    // of AWS's rules create one); other schemas of one or two get any key schema's checks.
    let two_hashes = keys.len() == 2 && keys[1].key_type == Some(KeyType::Hash);
    if keys.len() <= 2 && !two_hashes {
        return check_index_keys(keys, defs);
    }
    check_index_keys(&keys[..1], defs)?;
    let hashes = keys
        .iter()
        .take_while(|k| k.key_type == Some(KeyType::Hash))
        .count();
    if keys[hashes..]
        .iter()
        .any(|k| k.key_type != Some(KeyType::Range))
    {
        return Err(
            "All HASH key attributes must precede RANGE key attributes in the KeySchema".into(),
        );
    }
    let ranges = keys.len() - hashes;
    for (count, what) in [(hashes, "HASH"), (ranges, "RANGE")] {
        if count > MAX_GSI_KEY_ATTRS {
            return Err(format!(
                "The KeySchema exceeds the maximum allowed number of {what} key attributes"
            ));
        }
    }
    Ok(())
}

fn check_projection(projection: &Projection) -> Result<(), String> {
    let Some(kind) = &projection.projection_type else {
        return Err(format!("{INVALID}Unknown ProjectionType: null"));
    };
    if projection.non_key_attributes.is_some() && *kind != ProjectionType::Include {
        return Err(format!(
            "{INVALID}ProjectionType is {kind}, but NonKeyAttributes is specified"
        ));
    }
    if let (ProjectionType::Include, Some(names)) = (kind, &projection.non_key_attributes) {
        let mut seen = BTreeSet::new();
        if let Some(twice) = names.iter().find(|n| !seen.insert(*n)) {
            return Err(format!(
                "{INVALID}Duplicate element in NonKeyAttributes: {twice}"
            ));
        }
    }
    if *kind == ProjectionType::Include && projection.non_key_attributes.is_none() {
        return Err(format!(
            "{INVALID}ProjectionType is INCLUDE, but NonKeyAttributes is not specified"
        ));
    }
    Ok(())
}

/// Everything CreateTable checks before it looks for an existing table. Answers the table
/// definition without its identity (name, arn, id, time), which the caller fills in.
pub fn validate_create(input: &CreateTableInput) -> Result<TableDef, ServiceError> {
    let errors = create_constraints(input);
    if !errors.is_empty() {
        return Err(constraint_errors(&errors));
    }
    check_table_class(input.table_class.as_ref())?;
    check_create(input).map_err(validation)
}

fn check_create(input: &CreateTableInput) -> Result<TableDef, String> {
    let defs = input.attribute_definitions.clone().unwrap_or_default();
    let keys = input.key_schema.clone().unwrap_or_default();
    let billing = input
        .billing_mode
        .clone()
        .unwrap_or(BillingMode::Provisioned);
    let pay_per_request = billing == BillingMode::PayPerRequest;
    let (mut read, mut write) = (0, 0);
    if pay_per_request {
        if input.provisioned_throughput.is_some() {
            return Err(format!(
                "{INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
            ));
        }
    } else {
        let Some(t) = &input.provisioned_throughput else {
            return Err(format!(
                "{INVALID}ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
            ));
        };
        read = t.read_capacity_units.unwrap_or(0);
        write = t.write_capacity_units.unwrap_or(0);
        if read > MAX_CAPACITY {
            return Err(format!(
                "Given value {read} for ReadCapacityUnits is out of bounds"
            ));
        }
        if write > MAX_CAPACITY {
            return Err(format!(
                "Given value {write} for WriteCapacityUnits is out of bounds"
            ));
        }
    }

    let def_names = names_of_defs(&defs);
    check_defined_once(&def_names)?;
    let key_names = names(&keys);
    if key_names.len() > def_names.len() {
        return Err(NO_DEFINITION.into());
    }
    check_index_keys(&keys, &def_names)?;
    let lsis = input.local_secondary_indexes.clone();
    let gsis = input.global_secondary_indexes.clone();
    if lsis.is_none() && gsis.is_none() && keys.len() != defs.len() {
        return Err(format!(
            "{INVALID}Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
        ));
    }

    let mut index_names = BTreeSet::new();
    let mut used: BTreeSet<String> = key_names.iter().cloned().collect();
    if let Some(lsis) = &lsis {
        if lsis.is_empty() {
            return Err(format!("{INVALID}List of LocalSecondaryIndexes is empty"));
        }
        if keys.len() != 2 {
            return Err(format!(
                "{INVALID}Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"
            ));
        }
        for index in lsis {
            let name = index.index_name.clone().unwrap_or_default();
            let index_keys = index.key_schema.clone().unwrap_or_default();
            check_index_keys(&index_keys, &def_names)?;
            if index_keys.len() != 2 {
                return Err(format!(
                    "{INVALID}Index KeySchema does not have a range key for index: {name}"
                ));
            }
            let index_hash = index_keys[0].attribute_name.clone().unwrap_or_default();
            if index_hash != key_names[0] {
                return Err(format!(
                    "{INVALID}Index KeySchema does not have the same leading hash key as table KeySchema for index: {name}. index hash key: {index_hash}, table hash key: {}",
                    key_names[0]
                ));
            }
            check_projection(index.projection.as_ref().unwrap_or(&Projection::default()))?;
            if !index_names.insert(name.clone()) {
                return Err(format!("{INVALID}Duplicate index name: {name}"));
            }
            used.extend(names(&index_keys));
        }
        if lsis.len() > 5 {
            return Err(format!(
                "{INVALID}Number of LocalSecondaryIndexes exceeds per-table limit of 5"
            ));
        }
    }
    if let Some(gsis) = &gsis {
        if gsis.is_empty() {
            return Err(format!("{INVALID}List of GlobalSecondaryIndexes is empty"));
        }
        for index in gsis {
            let name = index.index_name.clone().unwrap_or_default();
            let index_keys = index.key_schema.clone().unwrap_or_default();
            check_gsi_keys(&index_keys, &def_names)?;
            check_projection(index.projection.as_ref().unwrap_or(&Projection::default()))?;
            if pay_per_request && index.provisioned_throughput.is_some() {
                return Err(format!(
                    "{INVALID}ProvisionedThroughput should not be specified for index: {name} when BillingMode is PAY_PER_REQUEST"
                ));
            }
            if !pay_per_request && index.provisioned_throughput.is_none() {
                return Err(format!(
                    "{INVALID}ProvisionedThroughput is not specified for index: {name}"
                ));
            }
            if !index_names.insert(name.clone()) {
                return Err(format!("{INVALID}Duplicate index name: {name}"));
            }
            used.extend(names(&index_keys));
        }
        if gsis.len() > 20 {
            return Err(format!(
                "{INVALID}GlobalSecondaryIndex count exceeds the per-table limit of 20"
            ));
        }
    }
    // With indexes, every definition must still be some key's (cfn-lint#1037 quotes AWS).
    if def_names.iter().any(|d| !used.contains(d)) {
        return Err(format!(
            "{INVALID}Some AttributeDefinitions are not used. AttributeDefinitions: [{}], keys used: [{}]",
            sorted_list(&def_names),
            used.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(spec) = &input.stream_specification {
        if spec.stream_enabled == Some(true) && spec.stream_view_type.is_none() {
            return Err(format!(
                "{INVALID}Table is being created with a stream enabled, UpdateViewType is required"
            ));
        }
        if spec.stream_enabled == Some(false) && spec.stream_view_type.is_some() {
            return Err(format!("{INVALID}Table is being created with a stream disabled, UpdateViewType should not be specified"));
        }
    }
    if let Some(sse) = &input.sse_specification {
        check_sse(sse)?;
    }
    check_warm(
        input.warm_throughput.as_ref(),
        WarmFloor::new(pay_per_request, input.provisioned_throughput.as_ref()),
        None,
    )?;
    check_on_demand(
        input.on_demand_throughput.as_ref(),
        pay_per_request,
        false,
        None,
    )?;
    for index in gsis.iter().flatten() {
        check_on_demand(
            index.on_demand_throughput.as_ref(),
            pay_per_request,
            false,
            index.index_name.as_deref(),
        )?;
        check_warm(
            index.warm_throughput.as_ref(),
            WarmFloor::new(pay_per_request, index.provisioned_throughput.as_ref()),
            index.index_name.as_deref(),
        )?;
    }

    Ok(TableDef {
        name: String::new(),
        arn: String::new(),
        table_id: String::new(),
        created_millis: 0,
        attribute_definitions: defs,
        key_schema: keys,
        billing_mode: billing,
        read_capacity: read,
        write_capacity: write,
        local_secondary_indexes: lsis.unwrap_or_default(),
        global_secondary_indexes: gsis.unwrap_or_default(),
        stream: input.stream_specification.clone(),
        streams: Vec::new(),
        sse: input.sse_specification.clone(),
        table_class: input.table_class.clone(),
        table_class_changed_millis: None,
        deletion_protection: input.deletion_protection_enabled.unwrap_or(false),
        tags: input.tags.clone().unwrap_or_default(),
        ttl_attribute: None,
        pay_per_request_millis: None,
        throughput_history: BTreeMap::new(),
        warm_throughput: input.warm_throughput.clone(),
        on_demand_throughput: input.on_demand_throughput.clone(),
    })
}

/// The checks a GSI added by UpdateTable gets against the table as it will be.
pub fn check_new_gsi(
    def: &TableDef,
    index: &GlobalSecondaryIndex,
    request_defs: &[AttributeDefinition],
) -> Result<(), String> {
    let mut errors = Vec::new();
    index_name_constraints(
        index.index_name.as_ref(),
        "globalSecondaryIndexUpdates.1.member.create.indexName",
        &mut errors,
    );
    key_schema_constraints_up_to(
        index.key_schema.as_ref(),
        "globalSecondaryIndexUpdates.1.member.create.keySchema",
        2 * MAX_GSI_KEY_ATTRS,
        &mut errors,
    );
    projection_constraints(
        index.projection.as_ref(),
        "globalSecondaryIndexUpdates.1.member.create.projection",
        &mut errors,
    );
    if !errors.is_empty() {
        let count = errors.len();
        return Err(format!(
            "{count} validation error{} detected: {}",
            if count == 1 { "" } else { "s" },
            errors.join("; ")
        ));
    }
    let name = index.index_name.clone().unwrap_or_default();
    let keys = index.key_schema.clone().unwrap_or_default();
    // The request must define every key attribute of the new index, even one the table
    // already defines (AWS's "must include the key element(s) of the new index", literal:
    // dynoxide#144; "Some index key attribute have no definition" when the index has more
    // keys than the request definitions, dynamodbguide.com#16).
    let request_names = names_of_defs(request_defs);
    check_defined_once(&request_names)?;
    if keys.len() > request_names.len() {
        return Err(NO_DEFINITION.into());
    }
    check_gsi_keys(&keys, &request_names)?;
    check_not_redefined(def, &keys, request_defs)?;
    check_projection(index.projection.as_ref().unwrap_or(&Projection::default()))?;
    let pay_per_request = def.billing_mode == BillingMode::PayPerRequest;
    if pay_per_request && index.provisioned_throughput.is_some() {
        return Err(format!(
            "{INVALID}ProvisionedThroughput should not be specified for index: {name} when BillingMode is PAY_PER_REQUEST"
        ));
    }
    if !pay_per_request && index.provisioned_throughput.is_none() {
        return Err(format!(
            "{INVALID}ProvisionedThroughput is not specified for index: {name}"
        ));
    }
    check_warm(
        index.warm_throughput.as_ref(),
        WarmFloor::new(pay_per_request, index.provisioned_throughput.as_ref()),
        Some(&name),
    )
}

/// A new index keeps the type the table's keys and indexes give an attribute; AWS shows the
/// key schema that defined it and the new one (its words quoted in ScyllaDB's Alternator
/// tests, run against DynamoDB).
fn check_not_redefined(
    def: &TableDef,
    keys: &[KeySchemaElement],
    request_defs: &[AttributeDefinition],
) -> Result<(), String> {
    let type_in = |defs: &[AttributeDefinition], name: &str| {
        defs.iter()
            .find(|d| d.attribute_name.as_deref() == Some(name))
            .and_then(|d| d.attribute_type.clone())
    };
    let Some(redefined) = keys
        .iter()
        .filter_map(|k| k.attribute_name.as_deref())
        .find(|name| {
            matches!((type_in(&def.attribute_definitions, name), type_in(request_defs, name)),
                 (Some(old), Some(new)) if old != new)
        })
    else {
        return Ok(());
    };
    let existing = std::iter::once(&def.key_schema)
        .chain(
            def.local_secondary_indexes
                .iter()
                .filter_map(|i| i.key_schema.as_ref()),
        )
        .chain(
            def.global_secondary_indexes
                .iter()
                .filter_map(|i| i.key_schema.as_ref()),
        )
        .find(|schema| names(schema).iter().any(|n| n == redefined))
        .map_or(&[][..], Vec::as_slice);
    let shown = |keys: &[KeySchemaElement], defs: &[AttributeDefinition]| {
        let elements: Vec<String> = keys
            .iter()
            .map(|k| {
                let name = k.attribute_name.as_deref().unwrap_or_default();
                format!(
                    "SchemaElement: key{{{name}:{}:{}}}",
                    type_in(defs, name).as_ref().map_or("", |t| t.as_str()),
                    k.key_type.as_ref().map_or("", |t| t.as_str())
                )
            })
            .collect();
        format!("Schema:[{}]", elements.join(", "))
    };
    Err(format!(
        "{INVALID}Attributes cannot be redefined. Please check that your attribute has the same type as previously defined. Existing schema: {} New schema: {}",
        shown(existing, &def.attribute_definitions),
        shown(keys, request_defs)
    ))
}

/// DescribeLimits' figures, the default quotas of every account and region.
pub const ACCOUNT_MAX_CAPACITY: i64 = 80_000;
pub const TABLE_MAX_CAPACITY: i64 = 40_000;
/// After four decreases in a UTC day, one more is allowed an hour after the last.
const FREE_DECREASES: i64 = 4;
const DECREASE_SPACING_MILLIS: i64 = 3_600_000;

/// Provisioned read and write units of a table and its GSIs, for the account quota.
pub fn reserved_units(def: &TableDef) -> (i64, i64) {
    let gsis = def
        .global_secondary_indexes
        .iter()
        .filter_map(|i| i.provisioned_throughput.as_ref())
        .map(|t| {
            (
                t.read_capacity_units.unwrap_or(0),
                t.write_capacity_units.unwrap_or(0),
            )
        });
    std::iter::once((def.read_capacity, def.write_capacity))
        .chain(gsis)
        .fold((0, 0), |(r, w), (a, b)| (r + a, w + b))
}

fn limit_exceeded(message: String) -> ServiceError {
    nimbus_shapes::dynamodb::errors::LIMIT_EXCEEDED_EXCEPTION.with_message(message)
}

const SEE_LIMITS: &str =
    "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.";

/// The per-table (or per-index) maximum of 40,000 units, as AWS words its refusal.
fn check_unit_maximum(
    gsi: Option<&str>,
    (read, write): (i64, i64),
    region: &str,
) -> Result<(), ServiceError> {
    for (units, what) in [(read, "ReadCapacityUnits"), (write, "WriteCapacityUnits")] {
        if units <= TABLE_MAX_CAPACITY {
            continue;
        }
        return Err(limit_exceeded(match gsi {
            // Sic: the index's refusal also says "Per table maximum" (ack-api-quirks
            // DDB-TABLE-170).
            None => format!("The requested {what}, {units}, is above the per table maximum for the account in {region}. Per table maximum: {TABLE_MAX_CAPACITY}. {SEE_LIMITS}"),
            Some(name) => format!("The requested {what} for index {name}, {units}, is above the per index maximum for the account in {region}. Per table maximum: {TABLE_MAX_CAPACITY}. {SEE_LIMITS}"),
        }));
    }
    Ok(())
}

/// The account's quota of 80,000 provisioned units per region: `reserved` is what the
/// other tables hold, `requested` what this table would hold.
pub fn check_account_maximum(
    reserved: (i64, i64),
    requested: (i64, i64),
    region: &str,
) -> Result<(), ServiceError> {
    for (held, asked, what) in [
        (reserved.0, requested.0, "ReadCapacityUnits"),
        (reserved.1, requested.1, "WriteCapacityUnits"),
    ] {
        if held + asked > ACCOUNT_MAX_CAPACITY {
            return Err(limit_exceeded(format!(
                "This request would have caused the {what} limit to be exceeded for the account in {region}. Current {what} reserved by the account: {held}. Limit: {ACCOUNT_MAX_CAPACITY}. Requested: {asked}"
            )));
        }
    }
    Ok(())
}

/// CreateTable's capacity quotas, checked after the request itself is valid.
pub fn check_create_limits(
    def: &TableDef,
    region: &str,
    reserved: (i64, i64),
) -> Result<(), ServiceError> {
    if def.billing_mode == BillingMode::PayPerRequest {
        return check_on_demand_quota(def.on_demand_throughput.as_ref(), region);
    }
    check_unit_maximum(None, (def.read_capacity, def.write_capacity), region)?;
    for index in &def.global_secondary_indexes {
        if let Some(t) = &index.provisioned_throughput {
            check_unit_maximum(
                index.index_name.as_deref(),
                (
                    t.read_capacity_units.unwrap_or(0),
                    t.write_capacity_units.unwrap_or(0),
                ),
                region,
            )?;
        }
    }
    check_account_maximum(reserved, reserved_units(def), region)
}

/// One provisioned-throughput change an UpdateTable makes, to the table (`key` "") or a GSI.
#[derive(Debug)]
pub struct ThroughputChange {
    pub key: String,
    pub old: (i64, i64),
    pub new: (i64, i64),
}

impl ThroughputChange {
    fn decreases(&self) -> bool {
        self.new.0 < self.old.0 || self.new.1 < self.old.1
    }

    fn increases(&self) -> bool {
        self.new.0 > self.old.0 || self.new.1 > self.old.1
    }
}

/// What UpdateTable does to capacity, decided against the table before anything changes.
#[derive(Debug, Default)]
pub struct CapacityUpdate {
    pub to_pay_per_request: bool,
    pub changes: Vec<ThroughputChange>,
}

fn pair(t: &ProvisionedThroughput) -> (i64, i64) {
    (
        t.read_capacity_units.unwrap_or(0),
        t.write_capacity_units.unwrap_or(0),
    )
}

/// UpdateTable's request-shape checks of the attribute definitions and capacity members,
/// made before AWS looks the table up.
pub fn update_constraints(input: &UpdateTableInput) -> Result<(), ServiceError> {
    let mut errors = Vec::new();
    attribute_definitions_constraints(
        input.attribute_definitions.as_deref().unwrap_or_default(),
        &mut errors,
    );
    if let Some(BillingMode::Unknown(v)) = &input.billing_mode {
        errors.push(format!("Value '{v}' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"));
    }
    if let Some(t) = &input.provisioned_throughput {
        throughput_constraints(t, "provisionedThroughput", &mut errors);
    }
    for (i, update) in input
        .global_secondary_index_updates
        .iter()
        .flatten()
        .enumerate()
    {
        let at = format!("globalSecondaryIndexUpdates.{}.member", i + 1);
        if let Some(t) = update
            .update
            .as_ref()
            .and_then(|u| u.provisioned_throughput.as_ref())
        {
            throughput_constraints(
                t,
                &format!("{at}.update.provisionedThroughput"),
                &mut errors,
            );
        }
        if let Some(t) = update
            .create
            .as_ref()
            .and_then(|c| c.provisioned_throughput.as_ref())
        {
            throughput_constraints(
                t,
                &format!("{at}.create.provisionedThroughput"),
                &mut errors,
            );
        }
    }
    if !errors.is_empty() {
        return Err(constraint_errors(&errors));
    }
    // UpdateTable took any TableClass once (ack-api-quirks DDB-TABLE-040, 437).
    check_table_class(input.table_class.as_ref())
}

fn unchanged(gsi: Option<&str>, old: (i64, i64), new: (i64, i64)) -> ServiceError {
    let (what, of) = match gsi {
        None => ("the table".to_string(), "the table".to_string()),
        Some(name) => (format!("the index {name}"), format!("index {name}")),
    };
    validation(format!(
        "The provisioned throughput for {what} will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for {of}: {}. Requested ReadCapacityUnits: {}. Current WriteCapacityUnits provisioned for {of}: {}. Requested WriteCapacityUnits: {}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
        old.0, new.0, old.1, new.1
    ))
}

/// The checks UpdateTable makes of BillingMode and the table's and GSIs' throughput,
/// against the table as it stands: AWS's rules for switching modes, the "will not change"
/// refusal, the 40,000-unit maximum and the daily decrease budget.
pub fn plan_capacity_update(
    def: &TableDef,
    input: &UpdateTableInput,
    now: i64,
    region: &str,
) -> Result<CapacityUpdate, ServiceError> {
    let was_on_demand = def.billing_mode == BillingMode::PayPerRequest;
    let on_demand = match &input.billing_mode {
        Some(mode) => *mode == BillingMode::PayPerRequest,
        None => was_on_demand,
    };
    let gsi_updates: Vec<(String, &ProvisionedThroughput)> = input
        .global_secondary_index_updates
        .iter()
        .flatten()
        .filter_map(|u| u.update.as_ref())
        .filter_map(|u| {
            let t = u.provisioned_throughput.as_ref()?;
            Some((u.index_name.clone().unwrap_or_default(), t))
        })
        .collect();
    let mut plan = CapacityUpdate::default();
    if on_demand {
        if input.provisioned_throughput.is_some() {
            // Switching to on demand words it so (ack-api-quirks DDB-TABLE-056).
            return Err(validation(
                if input.billing_mode == Some(BillingMode::PayPerRequest) {
                    format!("{INVALID}ProvisionedThroughput cannot be specified when BillingMode is PAY_PER_REQUEST")
                } else {
                    format!("{INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
                },
            ));
        }
        if let Some((name, _)) = gsi_updates.first() {
            return Err(invalid_parameter(format!("The only Updates for index: {name} when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput")));
        }
        plan.to_pay_per_request = !was_on_demand;
        return Ok(plan);
    }
    if input.billing_mode.is_some() && input.provisioned_throughput.is_none() {
        return Err(invalid_parameter(
            "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
        ));
    }
    if was_on_demand {
        // Nothing is assigned by default: every GSI needs its throughput in the same call.
        let deleted = |name: &str| {
            input
                .global_secondary_index_updates
                .iter()
                .flatten()
                .filter_map(|u| u.delete.as_ref())
                .any(|d| d.index_name.as_deref() == Some(name))
        };
        for index in &def.global_secondary_indexes {
            let name = index.index_name.clone().unwrap_or_default();
            if !deleted(&name) && !gsi_updates.iter().any(|(n, _)| *n == name) {
                return Err(invalid_parameter(format!(
                    "ProvisionedThroughput must be specified for index: {name}"
                )));
            }
        }
    }
    if let Some(t) = &input.provisioned_throughput {
        let index_added_or_dropped = input
            .global_secondary_index_updates
            .iter()
            .flatten()
            .any(|u| u.create.is_some() || u.delete.is_some());
        if index_added_or_dropped {
            return Err(validation(
                "You cannot create or delete index while updating table IOPS",
            ));
        }
        let (old, new) = ((def.read_capacity, def.write_capacity), pair(t));
        if old == new && !was_on_demand {
            return Err(unchanged(None, old, new));
        }
        check_unit_maximum(None, new, region)?;
        plan.changes.push(ThroughputChange {
            key: String::new(),
            old,
            new,
        });
    }
    for (name, t) in gsi_updates {
        // An unknown index is index.rs's refusal, made after these checks.
        let Some(index) = def.gsi(&name) else {
            continue;
        };
        let old = index
            .provisioned_throughput
            .as_ref()
            .map(pair)
            .unwrap_or((0, 0));
        let new = pair(t);
        if old == new && !was_on_demand {
            return Err(unchanged(Some(&name), old, new));
        }
        check_unit_maximum(Some(&name), new, region)?;
        plan.changes.push(ThroughputChange {
            key: name,
            old,
            new,
        });
    }
    // A GSI created by this call gets the same per-index maximum.
    let created = input
        .global_secondary_index_updates
        .iter()
        .flatten()
        .filter_map(|u| u.create.as_ref());
    for create in created {
        if let Some(t) = &create.provisioned_throughput {
            check_unit_maximum(create.index_name.as_deref(), pair(t), region)?;
        }
    }
    for change in plan.changes.iter().filter(|c| c.decreases()) {
        check_decrease_budget(def.throughput_history.get(&change.key), now)?;
    }
    Ok(plan)
}

/// Four decreases per table (and per GSI) per UTC day, then one an hour after the last.
fn check_decrease_budget(
    history: Option<&ThroughputHistory>,
    now: i64,
) -> Result<(), ServiceError> {
    let Some(history) = history else {
        return Ok(());
    };
    let Some(last) = history.last_decrease_millis else {
        return Ok(());
    };
    let today = history.decreases_on(Some(now));
    let next = (last + DECREASE_SPACING_MILLIS).min((utc_day(now) + 1) * DAY_MILLIS);
    if today < FREE_DECREASES || now >= last + DECREASE_SPACING_MILLIS {
        return Ok(());
    }
    Err(limit_exceeded(format!(
        "Subscriber limit exceeded: Provisioned throughput decreases are limited within a given UTC day. After the first {FREE_DECREASES} decreases, each subsequent decrease in the same UTC day can be performed at most once every 3600 seconds. Number of decreases today: {today}. Last decrease at {}. Next decrease can be made at {}.",
        long_date(last),
        long_date(next)
    )))
}

impl TableDef {
    /// Sets the provisioned throughput of the table (`key` "") or a GSI.
    pub fn set_throughput(&mut self, key: &str, (read, write): (i64, i64)) {
        if key.is_empty() {
            (self.read_capacity, self.write_capacity) = (read, write);
            return;
        }
        if let Some(position) = self.gsi_position(key) {
            self.global_secondary_indexes[position].provisioned_throughput =
                Some(ProvisionedThroughput {
                    read_capacity_units: Some(read),
                    write_capacity_units: Some(write),
                });
        }
    }

    /// Records what an UpdateTable did to capacity (after it succeeded).
    pub fn record_capacity_update(&mut self, plan: &CapacityUpdate, now: i64) {
        if plan.to_pay_per_request {
            self.pay_per_request_millis = Some(now);
        }
        for change in &plan.changes {
            let history = self
                .throughput_history
                .entry(change.key.clone())
                .or_default();
            if change.increases() {
                history.last_increase_millis = Some(now);
            }
            if change.decreases() {
                history.decreases = history.decreases_on(Some(now)) + 1;
                history.last_decrease_millis = Some(now);
            }
        }
    }
}

/// A time as AWS's decrease-limit message writes it: "Thursday, October 8, 2026 at
/// 11:20:48 PM Coordinated Universal Time".
fn long_date(millis: i64) -> String {
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        weekday,
        ..
    } = Civil::from_millis(millis);
    let weekday = DAYS[weekday as usize];
    let (hour12, half) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    format!(
        "{weekday}, {} {day}, {year} at {hour12}:{minute:02}:{second:02} {half} Coordinated Universal Time",
        MONTHS[(month - 1) as usize]
    )
}

/// More key attributes than AttributeDefinitions, before any name is compared.
const NO_DEFINITION: &str = "Invalid KeySchema: Some index key attribute have no definition";

fn names_of_defs(defs: &[AttributeDefinition]) -> Vec<String> {
    defs.iter()
        .map(|d| d.attribute_name.clone().unwrap_or_default())
        .collect()
}

/// Attribute definitions as DynamoDB's messages list them: in name order, whatever order the
/// request gave (as in the message cfn-lint#1037 quotes, and moto's tests).
fn sorted_list(names: &[String]) -> String {
    let mut names = names.to_vec();
    names.sort();
    names.join(", ")
}

/// One definition per attribute, whatever the types: AWS refuses `xyz` defined twice before
/// it matches definitions with keys (scylladb#13870 quotes DynamoDB).
fn check_defined_once(names: &[String]) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    match names.iter().find(|name| !seen.insert(*name)) {
        Some(twice) => Err(format!("Attribute Name is duplicated: {twice}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_dates_read_like_aws_messages() {
        assert_eq!(
            super::long_date(1_791_501_648_000),
            "Thursday, October 8, 2026 at 11:20:48 PM Coordinated Universal Time"
        );
        assert_eq!(
            super::long_date(1_791_504_000_000),
            "Friday, October 9, 2026 at 12:00:00 AM Coordinated Universal Time"
        );
    }

    #[test]
    fn stream_labels_are_utc_iso_times() {
        assert_eq!(super::stream_label(0), "1970-01-01T00:00:00.000");
        assert_eq!(
            super::stream_label(1_700_000_000_123),
            "2023-11-14T22:13:20.123"
        );
    }
}
