//! BatchGetItem and BatchWriteItem: many single-item reads or writes in one call, each
//! through the single-item code path. A batch is validated as a whole before anything is
//! read or written (a bad key or a missing table refuses the whole batch, as AWS does), and
//! a batch write's changes land in the call's one changeset.

use std::collections::{BTreeMap, BTreeSet};

use nimbus_shapes::{
    dynamodb::{
        errors::PROVISIONED_THROUGHPUT_EXCEEDED_EXCEPTION, BatchGetItemInput, BatchGetItemOutput,
        BatchWriteItemInput, BatchWriteItemOutput, Capacity, ConsumedCapacity, KeysAndAttributes,
        ReturnConsumedCapacity, ReturnItemCollectionMetrics, WriteRequest,
    },
    ServiceError,
};

use super::{
    capacity::{Charge, TABLE_EXCEEDED},
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

/// Read and write units, kept apart: real DynamoDB reports them apart (ReadCapacityUnits,
/// WriteCapacityUnits) on transactional operations, which the tests here do not yet expect.
#[derive(Clone, Copy, Default)]
struct ReadWrite {
    read: f64,
    write: f64,
}

impl ReadWrite {
    fn total(&self) -> f64 {
        self.read + self.write
    }

    fn capacity(&self) -> Capacity {
        Capacity {
            capacity_units: Some(self.total()),
            ..Default::default()
        }
    }
}

/// One table's units in a batch or transaction: the table's own and each index's.
#[derive(Default)]
struct Tally {
    table: ReadWrite,
    lsis: BTreeMap<String, ReadWrite>,
    gsis: BTreeMap<String, ReadWrite>,
}

impl Tally {
    fn total(&self) -> ReadWrite {
        let indexes = self.lsis.values().chain(self.gsis.values());
        indexes.fold(self.table, |sum, u| ReadWrite {
            read: sum.read + u.read,
            write: sum.write + u.write,
        })
    }
}

/// Capacity summed per table, as BatchGetItem, BatchWriteItem and the transactions report
/// it (one ConsumedCapacity per table).
#[derive(Default)]
pub(super) struct Units {
    tables: BTreeMap<String, Tally>,
}

impl Units {
    /// Read units the table consumed.
    pub fn add(&mut self, table: &str, units: f64) {
        self.tables.entry(table.to_string()).or_default().table.read += units;
    }

    /// Write units the table consumed without a write (a transaction's ConditionCheck).
    pub fn add_write_units(&mut self, table: &str, units: f64) {
        self.tables
            .entry(table.to_string())
            .or_default()
            .table
            .write += units;
    }

    /// A write's units, the indexes' included, times `factor` (2 in a transaction).
    pub fn add_write(&mut self, write: &Write, factor: f64) {
        let tally = self.tables.entry(write.table.clone()).or_default();
        tally.table.write += factor * write.units;
        for (name, global, units) in &write.index_units {
            let map = if *global {
                &mut tally.gsis
            } else {
                &mut tally.lsis
            };
            map.entry(name.clone()).or_default().write += factor * units;
        }
    }

    pub fn report(self, mode: Option<&ReturnConsumedCapacity>) -> Option<Vec<ConsumedCapacity>> {
        let itemised = mode == Some(&ReturnConsumedCapacity::Indexes);
        let map = |units: &BTreeMap<String, ReadWrite>| {
            (!units.is_empty()).then(|| {
                units
                    .iter()
                    .map(|(name, u)| (name.clone(), u.capacity()))
                    .collect()
            })
        };
        let list: Vec<ConsumedCapacity> = self
            .tables
            .iter()
            .filter_map(|(table, tally)| {
                let mut answer = consumed(mode, table, tally.total().total())?;
                if itemised {
                    answer.table = Some(tally.table.capacity());
                    answer.local_secondary_indexes = map(&tally.lsis);
                    answer.global_secondary_indexes = map(&tally.gsis);
                }
                Some(answer)
            })
            .collect();
        mode.filter(|m| **m != ReturnConsumedCapacity::None)
            .map(|_| list)
    }
}

/// BatchGetItem and BatchWriteItem fail as a whole only when throttling left nothing
/// processed; otherwise the throttled part comes back unprocessed.
fn nothing_processed() -> ServiceError {
    PROVISIONED_THROUGHPUT_EXCEEDED_EXCEPTION.with_message(TABLE_EXCEEDED)
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
        let (mut processed, mut throttled) = (false, false);
        let now = self.ctx.now_millis;
        for (name, request, keys, projection) in plans {
            let table = self.table(name).expect("checked above");
            let found: &mut Vec<Item> = responses.entry(name.clone()).or_default();
            let consistent = request.consistent_read == Some(true);
            for key in keys {
                if !full {
                    let (item, cost) = table.read(&key, projection.as_deref(), consistent)?;
                    let size = item.as_ref().map(item_size).unwrap_or(0);
                    full = bytes + size > MAX_BATCH_GET_BYTES;
                    // A key its table's read capacity cannot pay for is left unprocessed.
                    let paid = !full && table.consume(&Charge::read(None, cost), now).is_ok();
                    throttled |= !full && !paid;
                    if paid {
                        processed = true;
                        units.add(&table.def.name, cost);
                        bytes += size;
                        found.extend(item);
                        continue;
                    }
                }
                // AWS stops short of 16 MB (or of the provisioned throughput) and hands back
                // the rest, with the table's read parameters, for the caller to retry.
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
        if throttled && !processed {
            return Err(nothing_processed());
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
        let mut writes: Vec<(&String, &WriteRequest, Item, Write)> = Vec::new();
        for (name, list) in &requests {
            if list.is_empty() {
                return Err(constraint_errors(&[format!(
                    "Value '{{{name}=[]}}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"
                )]));
            }
            let mut seen = BTreeSet::new();
            for request in list {
                let (key, write) = match (&request.put_request, &request.delete_request) {
                    (Some(put), None) => {
                        let item = normalise_put_item(put.item.as_ref().unwrap_or(&Item::new()))?;
                        let write = self
                            .table(name)
                            .ok_or_else(item_table_not_found)?
                            .prepare_put(item.clone(), None, None)?;
                        (item, write)
                    }
                    (None, Some(delete)) => {
                        let key = normalise_key(delete.key.as_ref().unwrap_or(&Item::new()))?;
                        let write = self
                            .table(name)
                            .ok_or_else(item_table_not_found)?
                            .prepare_delete(&key, None, None)?;
                        (key, write)
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
                writes.push((name, request, key, write));
            }
        }
        // Each write is charged on its own; those the provisioned throughput cannot pay
        // for come back in UnprocessedItems, as AWS documents.
        let now = self.ctx.now_millis;
        let mut unprocessed: BTreeMap<String, Vec<WriteRequest>> = BTreeMap::new();
        let mut accepted = Vec::new();
        for (name, request, key, write) in writes {
            let table = self.table(&write.table).expect("prepared above");
            match table.consume(&Charge::write(&write, 1.0), now) {
                Ok(()) => accepted.push((key, write)),
                Err(_) => unprocessed
                    .entry(name.clone())
                    .or_default()
                    .push(request.clone()),
            }
        }
        if accepted.is_empty() && !unprocessed.is_empty() {
            return Err(nothing_processed());
        }
        let mode = input.return_item_collection_metrics.as_ref();
        let mut units = Units::default();
        let mut metrics: BTreeMap<String, Vec<_>> = BTreeMap::new();
        for (key, write) in accepted {
            units.add_write(&write, 1.0);
            let table = write.table.clone();
            self.apply(write);
            if let Some(m) = self.collection_metrics(&table, mode, &key) {
                metrics.entry(table).or_default().push(m);
            }
        }
        Ok(BatchWriteItemOutput {
            unprocessed_items: Some(unprocessed),
            item_collection_metrics: (mode == Some(&ReturnItemCollectionMetrics::Size))
                .then_some(metrics),
            consumed_capacity: units.report(input.return_consumed_capacity.as_ref()),
        })
    }
}
