//! BatchGetItem and BatchWriteItem: many single-item reads or writes in one call, each
//! through the single-item code path. A batch is validated as a whole before anything is
//! read or written (a bad key or a missing table refuses the whole batch, as AWS does), and
//! a batch write's changes land in the call's one changeset.

use std::collections::{BTreeMap, BTreeSet};

use nimbus_shapes::{
    dynamodb::{
        BatchGetItemInput, BatchGetItemOutput, BatchWriteItemInput, BatchWriteItemOutput,
        ConsumedCapacity, KeysAndAttributes, ReturnConsumedCapacity, ReturnItemCollectionMetrics,
    },
    ServiceError,
};

use super::{
    consumed, consumed_capacity_error,
    errors::{constraint_errors, item_table_not_found, validation},
    normalise_key, normalise_put_item, parse_projection,
    value::{item_size, Item},
    write::Write,
    Handler,
};

const MAX_BATCH_GET_KEYS: usize = 100;
const MAX_BATCH_WRITES: usize = 25;
/// BatchGetItem answers at most 16 MB; the keys past that come back as UnprocessedKeys.
const MAX_BATCH_GET_BYTES: usize = 16 * 1024 * 1024;

const DUPLICATES: &str = "Provided list of item keys contains duplicates";

/// Capacity summed per table, as BatchGetItem, BatchWriteItem and the transactions report
/// it (one ConsumedCapacity per table).
#[derive(Default)]
pub(super) struct Units(BTreeMap<String, f64>);

impl Units {
    pub fn add(&mut self, table: &str, units: f64) {
        *self.0.entry(table.to_string()).or_default() += units;
    }

    pub fn report(self, mode: Option<&ReturnConsumedCapacity>) -> Option<Vec<ConsumedCapacity>> {
        let list: Vec<ConsumedCapacity> = self
            .0
            .iter()
            .filter_map(|(table, units)| consumed(mode, table, *units))
            .collect();
        mode.filter(|m| **m != ReturnConsumedCapacity::None)
            .map(|_| list)
    }
}

pub(super) fn item_collection_metrics_error(
    mode: Option<&ReturnItemCollectionMetrics>,
    errors: &mut Vec<String>,
) {
    if let Some(ReturnItemCollectionMetrics::Unknown(v)) = mode {
        errors.push(format!(
            "Value '{v}' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]"
        ));
    }
}

/// The shape checks of RequestItems shared by both batches: present, not empty.
fn request_items_errors<T>(items: Option<&BTreeMap<String, T>>, errors: &mut Vec<String>) {
    match items {
        None => errors.push(
            "Value null at 'requestItems' failed to satisfy constraint: Member must not be null"
                .into(),
        ),
        Some(map) if map.is_empty() => errors.push(
            "Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1".into(),
        ),
        Some(_) => {}
    }
}

impl Handler<'_, '_> {
    pub(super) fn run_batch_get(
        &mut self,
        input: BatchGetItemInput,
    ) -> Result<BatchGetItemOutput, ServiceError> {
        let mut errors = Vec::new();
        request_items_errors(input.request_items.as_ref(), &mut errors);
        consumed_capacity_error(input.return_consumed_capacity.as_ref(), &mut errors);
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let requests = input.request_items.unwrap_or_default();
        let total: usize = requests
            .values()
            .map(|r| r.keys.as_ref().map_or(0, Vec::len))
            .sum();
        if total > MAX_BATCH_GET_KEYS {
            return Err(validation(
                "Too many items requested for the BatchGetItem call",
            ));
        }

        // Every table, key and projection is checked before the first read.
        let mut plans = Vec::new();
        for (name, request) in &requests {
            let keys = match request.keys.as_deref() {
                None | Some([]) => {
                    return Err(constraint_errors(&[format!(
                        "Value null at 'requestItems.{name}.member.keys' failed to satisfy constraint: Member must not be null"
                    )]))
                }
                Some(keys) => keys,
            };
            let projection = parse_projection(
                request.projection_expression.as_ref(),
                request.attributes_to_get.as_deref(),
                request.expression_attribute_names.as_ref(),
            )?;
            let keys = keys
                .iter()
                .map(normalise_key)
                .collect::<Result<Vec<Item>, _>>()?;
            let table = self.table(name).ok_or_else(item_table_not_found)?;
            let mut seen = BTreeSet::new();
            for key in &keys {
                table.schema.check_key(key).map_err(validation)?;
                if !seen.insert(table.schema.encode(key)) {
                    return Err(validation(DUPLICATES));
                }
            }
            plans.push((name, request, keys, projection));
        }

        let mut responses = BTreeMap::new();
        let mut unprocessed: BTreeMap<String, KeysAndAttributes> = BTreeMap::new();
        let mut units = Units::default();
        let mut bytes = 0;
        let mut full = false;
        for (name, request, keys, projection) in plans {
            let table = self.table(name).expect("checked above");
            let found: &mut Vec<Item> = responses.entry(name.clone()).or_default();
            let consistent = request.consistent_read == Some(true);
            for key in keys {
                if !full {
                    let (item, cost) = table.read(&key, projection.as_deref(), consistent)?;
                    let size = item.as_ref().map(item_size).unwrap_or(0);
                    full = bytes + size > MAX_BATCH_GET_BYTES;
                    if !full {
                        units.add(&table.def.name, cost);
                        bytes += size;
                        found.extend(item);
                        continue;
                    }
                }
                // AWS stops short of 16 MB and hands back the rest, with the table's
                // read parameters, for the caller to retry.
                unprocessed
                    .entry(name.clone())
                    .or_insert_with(|| KeysAndAttributes {
                        keys: Some(Vec::new()),
                        ..request.clone()
                    })
                    .keys
                    .get_or_insert_with(Vec::new)
                    .push(key);
            }
        }
        Ok(BatchGetItemOutput {
            responses: Some(responses),
            unprocessed_keys: Some(unprocessed),
            consumed_capacity: units.report(input.return_consumed_capacity.as_ref()),
        })
    }

    pub(super) fn run_batch_write(
        &mut self,
        input: BatchWriteItemInput,
    ) -> Result<BatchWriteItemOutput, ServiceError> {
        let mut errors = Vec::new();
        request_items_errors(input.request_items.as_ref(), &mut errors);
        consumed_capacity_error(input.return_consumed_capacity.as_ref(), &mut errors);
        item_collection_metrics_error(input.return_item_collection_metrics.as_ref(), &mut errors);
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let requests = input.request_items.unwrap_or_default();
        if requests.values().map(Vec::len).sum::<usize>() > MAX_BATCH_WRITES {
            return Err(validation(
                "Too many items requested for the BatchWriteItem call",
            ));
        }

        // Prepare every write against the tables as they stand, then apply them all.
        let mut writes: Vec<Write> = Vec::new();
        for (name, list) in &requests {
            if list.is_empty() {
                return Err(constraint_errors(&[format!(
                    "Value '{{{name}=[]}}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"
                )]));
            }
            let mut seen = BTreeSet::new();
            for request in list {
                let write = match (&request.put_request, &request.delete_request) {
                    (Some(put), None) => {
                        let item = normalise_put_item(put.item.as_ref().unwrap_or(&Item::new()))?;
                        self.table(name)
                            .ok_or_else(item_table_not_found)?
                            .prepare_put(item, None, None)?
                    }
                    (None, Some(delete)) => {
                        let key = normalise_key(delete.key.as_ref().unwrap_or(&Item::new()))?;
                        self.table(name)
                            .ok_or_else(item_table_not_found)?
                            .prepare_delete(&key, None, None)?
                    }
                    // dynamodb-local's words for a WriteRequest with both or neither.
                    _ => return Err(validation(
                        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
                    )),
                };
                // Two operations on one item (two puts, or a put and a delete) are refused.
                if !seen.insert(write.key.clone()) {
                    return Err(validation(DUPLICATES));
                }
                writes.push(write);
            }
        }
        let mut units = Units::default();
        for write in writes {
            units.add(&write.table, write.total_units());
            self.apply(write);
        }
        Ok(BatchWriteItemOutput {
            // Nimbus has no throughput limit that would leave writes unprocessed.
            unprocessed_items: Some(BTreeMap::new()),
            item_collection_metrics: None,
            consumed_capacity: units.report(input.return_consumed_capacity.as_ref()),
        })
    }
}
