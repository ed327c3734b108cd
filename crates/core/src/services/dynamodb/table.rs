//! Tables: CreateTable's validation (in AWS's order and words) and the TableDescription.

use std::collections::BTreeSet;

use nimbus_shapes::{
    dynamodb::{
        AttributeDefinition, BillingMode, BillingModeSummary, CreateTableInput,
        GlobalSecondaryIndex, GlobalSecondaryIndexDescription, IndexStatus, KeySchemaElement,
        KeyType, LocalSecondaryIndex, LocalSecondaryIndexDescription, Projection, ProjectionType,
        ProvisionedThroughput, ProvisionedThroughputDescription, SSEDescription, SSESpecification,
        SSEStatus, SSEType, ScalarAttributeType, StreamSpecification, StreamViewType, TableClass,
        TableClassSummary, TableDescription, TableStatus, Tag,
    },
    Timestamp,
};
use serde::{Deserialize, Serialize};

use super::{
    errors::{constraint_errors, validation},
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
    #[serde(default)]
    pub deletion_protection: bool,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// The Time to Live attribute while TTL is enabled (see `ttl`).
    #[serde(default)]
    pub ttl_attribute: Option<String>,
}

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
    KeySchema {
        hash: elements.first().map(attr).unwrap_or(KeyAttr {
            name: String::new(),
            kind: ScalarAttributeType::S,
        }),
        range: elements.get(1).map(attr),
    }
}

impl TableDef {
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

    fn throughput(&self, read: i64, write: i64) -> ProvisionedThroughputDescription {
        ProvisionedThroughputDescription {
            number_of_decreases_today: Some(0),
            read_capacity_units: Some(read),
            write_capacity_units: Some(write),
            ..Default::default()
        }
    }

    /// DescribeTable's view, given the table's item count and bytes. Counts are live (AWS
    /// refreshes them about every six hours); index counts are computed here, per call.
    pub fn describe(
        &self,
        status: TableStatus,
        index_stats: impl Fn(&str) -> (i64, i64),
        (count, size): (usize, usize),
    ) -> TableDescription {
        let (count, size) = (count as i64, size as i64);
        let created = Timestamp::from_millis(self.created_millis);
        let index_arn = |name: &Option<String>| {
            format!("{}/index/{}", self.arn, name.as_deref().unwrap_or_default())
        };
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
                    index_arn: Some(index_arn(&i.index_name)),
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
                        throughput.read_capacity_units.unwrap_or(0),
                        throughput.write_capacity_units.unwrap_or(0),
                    )),
                    index_size_bytes: Some(size),
                    item_count: Some(count),
                    index_arn: Some(index_arn(&i.index_name)),
                    ..Default::default()
                }
            })
            .collect();
        // The latest stream stays in the description after it is disabled, as in AWS.
        let latest = self.streams.last();
        TableDescription {
            attribute_definitions: Some(self.attribute_definitions.clone()),
            table_name: Some(self.name.clone()),
            key_schema: Some(self.key_schema.clone()),
            table_status: Some(status),
            creation_date_time: Some(created),
            provisioned_throughput: Some(self.throughput(self.read_capacity, self.write_capacity)),
            table_size_bytes: Some(size),
            item_count: Some(count),
            table_arn: Some(self.arn.clone()),
            table_id: Some(self.table_id.clone()),
            billing_mode_summary: (self.billing_mode == BillingMode::PayPerRequest).then_some(
                BillingModeSummary {
                    billing_mode: Some(BillingMode::PayPerRequest),
                    last_update_to_pay_per_request_date_time: Some(created),
                },
            ),
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
                .filter(|s| s.enabled == Some(true))
                .map(|s| SSEDescription {
                    status: Some(SSEStatus::Enabled),
                    sse_type: Some(SSEType::Kms),
                    kms_master_key_arn: Some(
                        s.kms_master_key_id
                            .clone()
                            .filter(|k| k.starts_with("arn:"))
                            .unwrap_or_else(|| {
                                let (region, account) = arn_scope(&self.arn);
                                format!("arn:aws:kms:{region}:{account}:key/aws/dynamodb")
                            }),
                    ),
                    ..Default::default()
                }),
            table_class_summary: self.table_class.clone().map(|c| TableClassSummary {
                table_class: Some(c),
                last_update_date_time: None,
            }),
            deletion_protection_enabled: Some(self.deletion_protection),
            ..Default::default()
        }
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
    let days = millis.div_euclid(86_400_000);
    let ms = millis.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

const INVALID: &str = "One or more parameter values were invalid: ";
const MAX_CAPACITY: i64 = 1_000_000_000_000;

/// Constraint errors of a key schema list at `path` (`keySchema`, `globalSecondaryIndexes.1.member.keySchema`).
fn key_schema_constraints(
    keys: Option<&Vec<KeySchemaElement>>,
    path: &str,
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
            if keys.len() > 2 {
                errors.push(format!("Value '{}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to 2", show_keys(keys)));
            }
            for (i, k) in keys.iter().enumerate() {
                let at = format!("{path}.{}.member", i + 1);
                if k.attribute_name.is_none() {
                    errors.push(format!("Value null at '{at}.attributeName' failed to satisfy constraint: Member must not be null"));
                }
                match &k.key_type {
                    None => errors.push(format!("Value null at '{at}.keyType' failed to satisfy constraint: Member must not be null")),
                    Some(KeyType::Unknown(v)) => errors.push(format!("Value '{v}' at '{at}.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]")),
                    Some(_) => {}
                }
            }
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

fn throughput_constraints(t: &ProvisionedThroughput, path: &str, errors: &mut Vec<String>) {
    for (value, name) in [
        (t.read_capacity_units, "readCapacityUnits"),
        (t.write_capacity_units, "writeCapacityUnits"),
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
}

/// The request-shape checks AWS reports together as "N validation errors detected".
fn create_constraints(input: &CreateTableInput) -> Vec<String> {
    let mut errors = super::errors::create_table_name_errors(input.table_name.as_deref());
    match &input.attribute_definitions {
        None => errors.push("Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null".into()),
        Some(defs) => {
            for (i, d) in defs.iter().enumerate() {
                let at = format!("attributeDefinitions.{}.member", i + 1);
                if d.attribute_name.is_none() {
                    errors.push(format!("Value null at '{at}.attributeName' failed to satisfy constraint: Member must not be null"));
                }
                match &d.attribute_type {
                    None => errors.push(format!("Value null at '{at}.attributeType' failed to satisfy constraint: Member must not be null")),
                    Some(ScalarAttributeType::Unknown(v)) => errors.push(format!("Value '{v}' at '{at}.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]")),
                    Some(_) => {}
                }
            }
        }
    }
    key_schema_constraints(input.key_schema.as_ref(), "keySchema", &mut errors);
    if let Some(BillingMode::Unknown(v)) = &input.billing_mode {
        errors.push(format!("Value '{v}' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"));
    }
    if let Some(t) = &input.provisioned_throughput {
        throughput_constraints(t, "provisionedThroughput", &mut errors);
    }
    if let Some(TableClass::Unknown(v)) = &input.table_class {
        errors.push(format!("Value '{v}' at 'tableClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD_INFREQUENT_ACCESS, STANDARD]"));
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
        errors.push(format!("Value '{v}' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]"));
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
    if key_names.iter().any(|k| !defs.contains(k)) {
        return Err(format!(
            "{INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            key_names.join(", "),
            defs.join(", ")
        ));
    }
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
    let key_names = names(&keys);
    if key_names.len() > def_names.len() {
        return Err("Invalid KeySchema: Some index key attribute have no definition".into());
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
            check_index_keys(&index_keys, &def_names)?;
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
    if def_names.iter().any(|d| !used.contains(d)) || def_names.len() != defs_unique(&def_names) {
        return Err(format!(
            "{INVALID}Some AttributeDefinitions are not used. AttributeDefinitions: [{}], keys used: [{}]",
            def_names.join(", "),
            used.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(spec) = &input.stream_specification {
        if spec.stream_enabled == Some(true) && spec.stream_view_type.is_none() {
            return Err("StreamViewType must be specified when StreamEnabled is true".into());
        }
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
        deletion_protection: input.deletion_protection_enabled.unwrap_or(false),
        tags: input.tags.clone().unwrap_or_default(),
        ttl_attribute: None,
    })
}

/// The checks a GSI added by UpdateTable gets against the table as it will be.
pub fn check_new_gsi(def: &TableDef, index: &GlobalSecondaryIndex) -> Result<(), String> {
    let mut errors = Vec::new();
    index_name_constraints(
        index.index_name.as_ref(),
        "globalSecondaryIndexUpdates.1.member.create.indexName",
        &mut errors,
    );
    key_schema_constraints(
        index.key_schema.as_ref(),
        "globalSecondaryIndexUpdates.1.member.create.keySchema",
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
    check_index_keys(&keys, &names_of_defs(&def.attribute_definitions))?;
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
    Ok(())
}

fn names_of_defs(defs: &[AttributeDefinition]) -> Vec<String> {
    defs.iter()
        .map(|d| d.attribute_name.clone().unwrap_or_default())
        .collect()
}

fn defs_unique(names: &[String]) -> usize {
    names.iter().collect::<BTreeSet<_>>().len()
}

#[cfg(test)]
mod tests {
    #[test]
    fn stream_labels_are_utc_iso_times() {
        assert_eq!(super::stream_label(0), "1970-01-01T00:00:00.000");
        assert_eq!(
            super::stream_label(1_700_000_000_123),
            "2023-11-14T22:13:20.123"
        );
    }
}
