//! Secondary indexes (LSIs and GSIs), kept in memory beside the table's items.
//!
//! An index maps an entry key, the encoded index key followed by the encoded table key, to
//! the table key of the item it stands for. One index partition is therefore contiguous and
//! ordered by the index's sort key, ties broken by the table's key as DynamoDB does, and a
//! Query on an index reads only its partition. Items lacking an index key attribute are not
//! in the index (sparse indexes).
//!
//! Indexes hold no records of their own: the table's items rebuild them on restore, and
//! every item write goes through `Table::insert` / `Table::remove`, which update them.

use std::collections::BTreeMap;

use nimbus_shapes::{
    dynamodb::{
        errors::{LIMIT_EXCEEDED_EXCEPTION, RESOURCE_NOT_FOUND_EXCEPTION},
        BillingMode, GlobalSecondaryIndex, OnDemandThroughput, Projection, ProjectionType,
        TableClass, TableStatus, UpdateTableInput, UpdateTableOutput,
    },
    ServiceError,
};

use super::{
    errors::{invalid_parameter, table_name_check, table_not_found, validation, INVALID},
    table::{self, TableDef},
    table_record,
    value::{item_size, Item, KeySchema},
    Handler, Table,
};

/// One secondary index and its entries.
pub(super) struct Index {
    pub name: String,
    pub global: bool,
    pub keys: KeySchema,
    pub projection: Projection,
    /// Entry key (index key, then table key) -> table key.
    pub entries: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Index {
    /// The (empty) indexes a table definition declares.
    pub fn all(def: &TableDef) -> Vec<Index> {
        let schemas = def.index_schemas();
        let schema_of = |name: &str| {
            schemas
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, keys)| keys.clone())
                .expect("index_schemas covers every index")
        };
        let lsis = def.local_secondary_indexes.iter().map(|i| {
            let name = i.index_name.clone().unwrap_or_default();
            (name, false, i.projection.clone())
        });
        let gsis = def.global_secondary_indexes.iter().map(|i| {
            let name = i.index_name.clone().unwrap_or_default();
            (name, true, i.projection.clone())
        });
        lsis.chain(gsis)
            .map(|(name, global, projection)| Index {
                keys: schema_of(&name),
                name,
                global,
                projection: projection.unwrap_or_default(),
                entries: BTreeMap::new(),
            })
            .collect()
    }

    /// The entry key of an item, or `None` when the item is not in the index: an index key
    /// attribute is absent, or, in an item older than the index, holds what the index cannot
    /// take (another type, an empty value, a value over the key size limit of its role),
    /// which backfilling skips as AWS's does (ScyllaDB's Alternator tests, run against
    /// DynamoDB, find an item with a 65 KB key value missing from the new index).
    pub fn entry_key(&self, table_key: &[u8], item: &Item) -> Option<Vec<u8>> {
        if self.keys.check_index_item(item, &self.name).is_err() {
            return None;
        }
        let mut out = Vec::new();
        for attr in self.keys.attrs() {
            super::value::encode_scalar(item.get(&attr.name)?, &mut out);
        }
        out.extend_from_slice(table_key);
        Some(out)
    }

    pub fn add(&mut self, table_key: &[u8], item: &Item) {
        if let Some(entry) = self.entry_key(table_key, item) {
            self.entries.insert(entry, table_key.to_vec());
        }
    }

    pub fn remove(&mut self, table_key: &[u8], item: &Item) {
        if let Some(entry) = self.entry_key(table_key, item) {
            self.entries.remove(&entry);
        }
    }

    pub fn projects_all(&self) -> bool {
        self.projection.projection_type == Some(ProjectionType::All)
    }

    /// Whether the index holds attribute `name`: the table's and the index's keys and the
    /// projected attributes.
    pub fn holds(&self, name: &str, table_keys: &KeySchema) -> bool {
        let include = self
            .projection
            .non_key_attributes
            .as_deref()
            .filter(|_| self.projection.projection_type == Some(ProjectionType::Include))
            .unwrap_or(&[]);
        self.projects_all()
            || table_keys.attrs().any(|a| a.name == name)
            || self.keys.attrs().any(|a| a.name == name)
            || include.iter().any(|a| a == name)
    }

    /// The item as the index holds it.
    pub fn project(&self, item: &Item, table_keys: &KeySchema) -> Item {
        if self.projects_all() {
            return item.clone();
        }
        item.iter()
            .filter(|(name, _)| self.holds(name, table_keys))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

impl Table {
    /// Fills every index from the table's items (a new index, or a table restored).
    pub(super) fn fill_index(&mut self, position: usize) {
        let index = &mut self.indexes[position];
        for (key, item) in &self.items {
            index.add(key, item);
        }
    }

    pub(super) fn index(&self, name: &str) -> Result<&Index, ServiceError> {
        self.indexes.iter().find(|i| i.name == name).ok_or_else(|| {
            validation(format!(
                "The table does not have the specified index: {name}"
            ))
        })
    }

    /// ItemCount and IndexSizeBytes of an index, as DescribeTable shows them.
    pub(super) fn index_stats(&self, name: &str) -> (i64, i64) {
        let Some(index) = self.indexes.iter().find(|i| i.name == name) else {
            return (0, 0);
        };
        let size: usize = index
            .entries
            .values()
            .filter_map(|key| self.items.get(key))
            .map(|item| {
                if index.projects_all() {
                    item_size(item)
                } else {
                    item_size(&index.project(item, &self.schema))
                }
            })
            .sum();
        (index.entries.len() as i64, size as i64)
    }
}

const MAX_GSIS: usize = 20;

/// UpdateTable's GlobalSecondaryIndexUpdates applied to a copy of the definition. Answers the
/// new definition and the names of the indexes created (to backfill).
fn apply_gsi_updates(
    def: &TableDef,
    input: &UpdateTableInput,
) -> Result<(TableDef, Vec<String>), ServiceError> {
    let mut def = def.clone();
    let mut created = Vec::new();
    let updates = input
        .global_secondary_index_updates
        .as_deref()
        .unwrap_or(&[]);
    if input.global_secondary_index_updates.is_some() && updates.is_empty() {
        return Err(invalid_parameter(
            "List of GlobalSecondaryIndexUpdates is empty",
        ));
    }
    // New definitions join the table's. An attribute already defined keeps its type: AWS
    // accepts a redeclaration with another type and ignores it (characterised against AWS by
    // the dynamodb-conformance suite, paritysuite/dynamodb-conformance#78), unless the new
    // index keys on it, which `table::check_new_gsi` refuses.
    for new in input.attribute_definitions.iter().flatten() {
        let known = def
            .attribute_definitions
            .iter()
            .any(|d| d.attribute_name == new.attribute_name);
        if !known {
            def.attribute_definitions.push(new.clone());
        }
    }
    // "You can only create or delete one global secondary index per UpdateTable operation"
    // (the developer guide), checked before the indexes are looked up.
    let online = updates
        .iter()
        .filter(|u| u.create.is_some() || u.delete.is_some())
        .count();
    if online > 1 {
        return Err(LIMIT_EXCEEDED_EXCEPTION.with_message(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table",
        ));
    }
    let mut seen = Vec::new();
    for update in updates {
        let actions = [
            update.create.is_some(),
            update.update.is_some(),
            update.delete.is_some(),
        ]
        .iter()
        .filter(|a| **a)
        .count();
        if actions == 0 {
            return Err(invalid_parameter("One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"));
        }
        if actions > 1 {
            return Err(invalid_parameter("Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object"));
        }
        let name = update
            .create
            .as_ref()
            .and_then(|c| c.index_name.clone())
            .or_else(|| update.update.as_ref().and_then(|u| u.index_name.clone()))
            .or_else(|| update.delete.as_ref().and_then(|d| d.index_name.clone()))
            .unwrap_or_default();
        if seen.contains(&name) {
            return Err(invalid_parameter(format!("Only one global secondary index update per index is allowed simultaneously. Index: {name}")));
        }
        seen.push(name.clone());
        let position = def.gsi_position(&name);
        let is_lsi = def
            .local_secondary_indexes
            .iter()
            .any(|i| i.index_name.as_deref() == Some(name.as_str()));
        if let Some(create) = &update.create {
            if position.is_some() || is_lsi {
                return Err(validation(
                    "Attempting to create an index which already exists",
                ));
            }
            if input.attribute_definitions.is_none() {
                return Err(invalid_parameter(format!(
                    "AttributeDefinitions is not specified for index: {name}"
                )));
            }
            let index = GlobalSecondaryIndex {
                index_name: create.index_name.clone(),
                key_schema: create.key_schema.clone(),
                projection: create.projection.clone(),
                provisioned_throughput: create.provisioned_throughput.clone(),
                on_demand_throughput: create.on_demand_throughput.clone(),
                warm_throughput: create.warm_throughput.clone(),
            };
            let request_defs = input.attribute_definitions.as_deref().unwrap_or(&[]);
            table::check_new_gsi(&def, &index, request_defs).map_err(validation)?;
            if def.global_secondary_indexes.len() >= MAX_GSIS {
                return Err(LIMIT_EXCEEDED_EXCEPTION.with_message(format!(
                    "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of {MAX_GSIS}"
                )));
            }
            def.global_secondary_indexes.push(index);
            created.push(name);
        } else if let Some(change) = &update.update {
            let Some(position) = position else {
                return Err(not_a_gsi("update", &name, is_lsi, &def.name));
            };
            if let Some(throughput) = &change.provisioned_throughput {
                def.global_secondary_indexes[position].provisioned_throughput =
                    Some(throughput.clone());
            }
            if let Some(limits) = &change.on_demand_throughput {
                let on_demand = input.billing_mode.as_ref().unwrap_or(&def.billing_mode)
                    == &BillingMode::PayPerRequest;
                table::check_on_demand(Some(limits), on_demand, true, Some(&name))
                    .map_err(validation)?;
                merge_on_demand(
                    &mut def.global_secondary_indexes[position].on_demand_throughput,
                    limits,
                );
            }
            if let Some(warm) = &change.warm_throughput {
                let current = def.gsi_warm(&def.global_secondary_indexes[position]);
                table::check_warm(Some(warm), table::WarmFloor::Current(current), Some(&name))
                    .map_err(validation)?;
                def.global_secondary_indexes[position].warm_throughput =
                    Some(table::merge_warm(warm, current));
            }
        } else {
            let Some(position) = position else {
                return Err(not_a_gsi("delete", &name, is_lsi, &def.name));
            };
            def.global_secondary_indexes.remove(position);
        }
    }
    def.keep_used_definitions();
    Ok((def, created))
}

/// UpdateTable changes one thing at a time: deletion protection, encryption, the table
/// class and warm throughput each alone; OnDemandThroughput only beside BillingMode; no
/// stream change while capacity changes (measured against DynamoDB, 2026-10: the
/// ack-api-quirks findings DDB-TABLE-156, 382 and 433, in the precedence they show).
fn check_one_concern(input: &UpdateTableInput) -> Result<(), ServiceError> {
    let stream = input.stream_specification.is_some();
    let concerns = [
        input.sse_specification.is_some(),
        input.table_class.is_some(),
        input.deletion_protection_enabled.is_some(),
        input.warm_throughput.is_some(),
        stream,
        input.on_demand_throughput.is_some(),
        input.provisioned_throughput.is_some() || input.billing_mode.is_some(),
        input
            .global_secondary_index_updates
            .as_ref()
            .is_some_and(|u| !u.is_empty()),
    ];
    if concerns.iter().filter(|c| **c).count() > 1 {
        let alone = [
            (
                input.sse_specification.is_some(),
                "Server-Side Encryption",
                true,
            ),
            (input.table_class.is_some(), "TableClass", true),
            (
                input.deletion_protection_enabled.is_some(),
                "DeletionProtection",
                true,
            ),
            (input.warm_throughput.is_some(), "WarmThroughput", false),
        ];
        if let Some((_, what, invalid)) = alone.into_iter().find(|(given, ..)| *given) {
            // AWS words all but WarmThroughput's as invalid parameter values.
            let prefix = if invalid { INVALID } else { "" };
            let modification = if invalid { " modification" } else { "" };
            return Err(validation(format!(
                "{prefix}{what}{modification} must be the only operation in the request"
            )));
        }
    }
    if input.on_demand_throughput.is_some() && stream {
        return Err(validation(
            "OnDemandThroughput can only be combined with BillingMode in an UpdateTable request",
        ));
    }
    if input.provisioned_throughput.is_some() && stream {
        return Err(validation(
            "You cannot modify stream status while updating table IOPS",
        ));
    }
    Ok(())
}

/// Applies an UpdateTable's OnDemandThroughput to a table's or GSI's: each maximum given
/// replaces the current one, one left out stays.
fn merge_on_demand(current: &mut Option<OnDemandThroughput>, given: &OnDemandThroughput) {
    let kept = current.take().unwrap_or_default();
    *current = Some(OnDemandThroughput {
        max_read_request_units: given.max_read_request_units.or(kept.max_read_request_units),
        max_write_request_units: given
            .max_write_request_units
            .or(kept.max_write_request_units),
    });
}

/// An Update or Delete of index `name`, which is no GSI of `table`: a local one is refused,
/// one that does not exist is not found (as AWS answers it).
fn not_a_gsi(action: &str, name: &str, is_lsi: bool, table: &str) -> ServiceError {
    if is_lsi {
        validation(format!(
            "Cannot {action} an index that is not a GlobalSecondaryIndex: {name}"
        ))
    } else {
        RESOURCE_NOT_FOUND_EXCEPTION.with_message(format!(
            "Requested resource not found: Index {name} for table {table}"
        ))
    }
}

impl Handler<'_, '_> {
    /// UpdateTable: global secondary indexes created (backfilled at once, ACTIVE) and
    /// deleted, attribute definitions, deletion protection and stream settings.
    pub(super) fn run_update_table(
        &mut self,
        input: UpdateTableInput,
    ) -> Result<UpdateTableOutput, ServiceError> {
        table_name_check(input.table_name.as_deref())?;
        let name_or_arn = input.table_name.clone().unwrap_or_default();
        // An empty GlobalSecondaryIndexUpdates counts as absent here (ack-api-quirks
        // DDB-TABLE-359); checked before the table is looked up (DDB-TABLE-015).
        let changes_something = input
            .global_secondary_index_updates
            .as_ref()
            .is_some_and(|u| !u.is_empty())
            || input.provisioned_throughput.is_some()
            || input.billing_mode.is_some()
            || input.stream_specification.is_some()
            || input.sse_specification.is_some()
            || input.table_class.is_some()
            || input.deletion_protection_enabled.is_some()
            || input.on_demand_throughput.is_some()
            || input.warm_throughput.is_some();
        check_one_concern(&input)?;
        if !changes_something {
            return Err(validation("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required"));
        }
        let scope = self.ctx.scope();
        let table = self
            .state
            .table(&scope, &name_or_arn)
            .ok_or_else(|| table_not_found(&name_or_arn))?;
        let (mut def, created) = apply_gsi_updates(&table.def, &input)?;
        if let Some(protect) = input.deletion_protection_enabled {
            def.deletion_protection = protect;
        }
        // STANDARD on a table that never named a class leaves it unnamed (ack-api-quirks
        // DDB-TABLE-177); a change of class is dated (ScyllaDB's Alternator tests, run
        // against DynamoDB, find LastUpdateDateTime in the summary).
        if let Some(class) = &input.table_class {
            let current = def.table_class.clone().unwrap_or(TableClass::Standard);
            if *class != current {
                def.table_class_changed_millis = Some(self.ctx.now_millis);
            }
            if def.table_class.is_some() || *class != TableClass::Standard {
                def.table_class = Some(class.clone());
            }
        }
        if let Some(sse) = &input.sse_specification {
            def.update_sse(sse).map_err(validation)?;
        }
        if let Some(stream) = &input.stream_specification {
            def.update_stream(stream, self.ctx.now_millis)?;
        }
        if let Some(mode) = &input.billing_mode {
            def.billing_mode = mode.clone();
            // On demand, DescribeTable shows zero provisioned capacity.
            if *mode == BillingMode::PayPerRequest {
                (def.read_capacity, def.write_capacity) = (0, 0);
                for gsi in &mut def.global_secondary_indexes {
                    gsi.provisioned_throughput = None;
                }
            } else {
                // Provisioned, the on-demand maximums are gone, the table's and its indexes'
                // (ack-api-quirks DDB-TABLE-055, 153).
                def.on_demand_throughput = None;
                for gsi in &mut def.global_secondary_indexes {
                    gsi.on_demand_throughput = None;
                }
            }
        }
        if let Some(limits) = &input.on_demand_throughput {
            let on_demand = def.billing_mode == BillingMode::PayPerRequest;
            table::check_on_demand(Some(limits), on_demand, true, None).map_err(validation)?;
            table::check_on_demand_quota(Some(limits), &self.ctx.scope().region)?;
            merge_on_demand(&mut def.on_demand_throughput, limits);
        }
        if let Some(t) = &input.provisioned_throughput {
            def.read_capacity = t.read_capacity_units.unwrap_or(def.read_capacity);
            def.write_capacity = t.write_capacity_units.unwrap_or(def.write_capacity);
        }
        def.keep_warm_from(&table.def);
        if let Some(warm) = &input.warm_throughput {
            table::check_warm(
                Some(warm),
                table::WarmFloor::Current(def.table_warm()),
                None,
            )
            .map_err(validation)?;
            def.warm_throughput = Some(table::merge_warm(warm, def.table_warm()));
        }
        // Indexes of the new definition: kept ones keep their entries, new ones are
        // backfilled from the items.
        let mut old: BTreeMap<String, Index> = std::mem::take(&mut table.indexes)
            .into_iter()
            .map(|i| (i.name.clone(), i))
            .collect();
        table.indexes = Index::all(&def)
            .into_iter()
            .map(|fresh| old.remove(&fresh.name).unwrap_or(fresh))
            .collect();
        for name in &created {
            if let Some(position) = table.indexes.iter().position(|i| &i.name == name) {
                table.fill_index(position);
            }
        }
        table.def = def;
        let record = table_record(&scope, &table.def.name);
        let description = table.describe(TableStatus::Active);
        self.ctx.persist(record, &table.def);
        Ok(UpdateTableOutput {
            table_description: Some(description),
        })
    }
}
