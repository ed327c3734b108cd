//! BatchGetItem and BatchWriteItem: many single-item reads or writes in one call, each
//! through the single-item code path. A batch is validated as a whole before anything is
//! read or written (a bad key or a missing table refuses the whole batch, as AWS does), and
//! a batch write's changes land in the call's one changeset.

use std::collections::{BTreeMap, BTreeSet};

use nimbus_shapes::{
    dynamodb::{
        BatchGetItemInput, BatchGetItemOutput, BatchWriteItemInput, BatchWriteItemOutput, Capacity,
        ConsumedCapacity, KeysAndAttributes, ReturnConsumedCapacity, ReturnItemCollectionMetrics,
        WriteRequest,
    },
    ServiceError,
};

use super::{
    capacity::Charge,
    consumed, consumed_capacity_error,
    errors::{constraint_errors, item_table_not_found, java_list, validation},
    mixed_projection, normalise_key, normalise_put_item, parse_projection,
    value::{item_size, Item, KEY_MISMATCH},
    write::Write,
    Handler,
};

const MAX_BATCH_GET_KEYS: usize = 100;
const MAX_BATCH_WRITES: usize = 25;
/// BatchGetItem answers at most 16 MB; the keys past that come back as UnprocessedKeys.
const MAX_BATCH_GET_BYTES: usize = 16 * 1024 * 1024;

const DUPLICATES: &str = "Provided list of item keys contains duplicates";

/// Read and write units, kept apart: DynamoDB reports them apart (ReadCapacityUnits,
/// WriteCapacityUnits) on the transactional operations.
#[derive(Clone, Copy, Default)]
struct ReadWrite {
    read: f64,
    write: f64,
}

impl ReadWrite {
    fn total(&self) -> f64 {
        self.read + self.write
    }

    /// `split`: the read and write parts too, each only when some were consumed.
    fn capacity(&self, split: bool) -> Capacity {
        let part = |units: f64| (split && units > 0.0).then_some(units);
        Capacity {
            capacity_units: Some(self.total()),
            read_capacity_units: part(self.read),
            write_capacity_units: part(self.write),
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
/// it (one ConsumedCapacity per table, in the order the request first names the tables).
#[derive(Default)]
pub(super) struct Units {
    tables: Vec<(String, Tally)>,
    /// Transactional calls (TransactGetItems, TransactWriteItems, ExecuteTransaction) also
    /// report ReadCapacityUnits and WriteCapacityUnits; the batches report CapacityUnits only.
    transactional: bool,
}

impl Units {
    pub fn transactional() -> Self {
        Units {
            transactional: true,
            ..Default::default()
        }
    }

    fn tally(&mut self, table: &str) -> &mut Tally {
        let at = match self.tables.iter().position(|(name, _)| name == table) {
            Some(at) => at,
            None => {
                self.tables.push((table.to_string(), Tally::default()));
                self.tables.len() - 1
            }
        };
        &mut self.tables[at].1
    }

    /// Read units the table consumed.
    pub fn add(&mut self, table: &str, units: f64) {
        self.tally(table).table.read += units;
    }

    /// Write units the table consumed without a write (a transaction's ConditionCheck).
    pub fn add_write_units(&mut self, table: &str, units: f64) {
        self.tally(table).table.write += units;
    }

    /// A write's units, the indexes' included, times `factor` (2 in a transaction).
    pub fn add_write(&mut self, write: &Write, factor: f64) {
        let tally = self.tally(&write.table);
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
        let split = self.transactional;
        let map = |units: &BTreeMap<String, ReadWrite>| {
            (!units.is_empty()).then(|| {
                units
                    .iter()
                    .map(|(name, u)| (name.clone(), u.capacity(split)))
                    .collect()
            })
        };
        let list: Vec<ConsumedCapacity> = self
            .tables
            .iter()
            .filter_map(|(table, tally)| {
                let total = tally.total();
                let mut answer = consumed(mode, table, total.total())?;
                if split {
                    let whole = total.capacity(true);
                    answer.read_capacity_units = whole.read_capacity_units;
                    answer.write_capacity_units = whole.write_capacity_units;
                }
                if itemised {
                    answer.table = Some(tally.table.capacity(split));
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

/// What one WriteRequest of a BatchWriteItem names: the item to put or the key to delete.
enum Target {
    Put(Item),
    Delete(Item),
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

/// The model's KeyList holds at most 100 keys: a longer list for one table is a shape
/// constraint error (AWS names the member, not its value), before the total is counted.
fn key_list_errors(requests: &BTreeMap<String, KeysAndAttributes>, errors: &mut Vec<String>) {
    for (name, request) in requests {
        if request
            .keys
            .as_ref()
            .is_some_and(|k| k.len() > MAX_BATCH_GET_KEYS)
        {
            errors.push(format!(
                "Value at 'requestItems.{name}.member.keys' failed to satisfy constraint: Member must have length less than or equal to {MAX_BATCH_GET_KEYS}"
            ));
        }
    }
}

/// The model's WriteRequests holds 1 to 25 requests per table: another count is a map value
/// constraint error, which AWS words with the list as Java prints it, before the total is
/// counted.
fn write_list_errors(requests: &BTreeMap<String, Vec<WriteRequest>>, errors: &mut Vec<String>) {
    for (name, list) in requests {
        if (1..=MAX_BATCH_WRITES).contains(&list.len()) {
            continue;
        }
        errors.push(format!(
            "Value '{{{name}=[{}]}}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to {MAX_BATCH_WRITES}, Member must have length greater than or equal to 1]",
            java_list("WriteRequest", list)
        ));
    }
}

impl Handler<'_, '_> {
    pub(super) fn run_batch_get(
        &mut self,
        input: BatchGetItemInput,
    ) -> Result<BatchGetItemOutput, ServiceError> {
        let mut errors = Vec::new();
        request_items_errors(input.request_items.as_ref(), &mut errors);
        if let Some(requests) = &input.request_items {
            key_list_errors(requests, &mut errors);
        }
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

        // The two ways of naming a projection do not mix across tables either (AWS refuses
        // the request even when each table's block is consistent).
        if requests.values().any(|r| r.projection_expression.is_some())
            && requests.values().any(|r| r.attributes_to_get.is_some())
        {
            return Err(mixed_projection());
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
            // Duplicates are found on the keys as sent, before the key schema is checked:
            // AWS answers two identical malformed keys with the duplicates error.
            if keys
                .iter()
                .enumerate()
                .any(|(at, key)| keys[..at].contains(key))
            {
                return Err(validation(DUPLICATES));
            }
            // And on the keys as stored, where 1 and 1.0 are one number.
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
        // BatchGetItem and BatchWriteItem fail as a whole, with the throttling error, only
        // when throttling left nothing processed; otherwise the throttled part comes back
        // unprocessed.
        let mut processed = false;
        let mut throttled = None;
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
                    let paid = !full
                        && table
                            .consume(&Charge::read(None, cost), now)
                            .map_err(|throttling| throttled = Some(throttling))
                            .is_ok();
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
        if let (Some(throttling), false) = (throttled, processed) {
            return Err(throttling);
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
        // BatchWriteItem words an empty RequestItems as a missing one (the conformance
        // suite's capture of AWS; BatchGetItem keeps the constraint message).
        if input.request_items.as_ref().is_some_and(BTreeMap::is_empty) {
            return Err(validation(
                "The requestItems parameter is required for BatchWriteItem",
            ));
        }
        let mut errors = Vec::new();
        request_items_errors(input.request_items.as_ref(), &mut errors);
        if let Some(requests) = &input.request_items {
            write_list_errors(requests, &mut errors);
        }
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
            // Each request's item or key, normalised, before anything is prepared.
            let mut normalised = Vec::with_capacity(list.len());
            for request in list {
                let target = match (&request.put_request, &request.delete_request) {
                    (Some(put), None) => {
                        Target::Put(normalise_put_item(put.item.as_ref().unwrap_or(&Item::new()))?)
                    }
                    (None, Some(delete)) => {
                        Target::Delete(normalise_key(delete.key.as_ref().unwrap_or(&Item::new()))?)
                    }
                    // dynamodb-local's words for a WriteRequest with both or neither.
                    _ => return Err(validation(
                        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
                    )),
                };
                normalised.push((request, target));
            }
            let table = self.table(name).ok_or_else(item_table_not_found)?;
            // Two operations on one item (two puts, or a put and a delete) are refused, and
            // before the key schema is checked: AWS compares the key attributes as sent, so
            // two requests missing the same key attributes are duplicates too.
            let key_names: Vec<String> = table.schema.attrs().map(|a| a.name.clone()).collect();
            let mut seen: Vec<Item> = Vec::with_capacity(normalised.len());
            for (_, target) in &normalised {
                let identity = match target {
                    Target::Put(item) => item
                        .iter()
                        .filter(|(name, _)| key_names.contains(name))
                        .map(|(name, value)| (name.clone(), value.clone()))
                        .collect(),
                    Target::Delete(key) => key.clone(),
                };
                if seen.contains(&identity) {
                    return Err(validation(DUPLICATES));
                }
                seen.push(identity);
            }
            let mut stored_keys = BTreeSet::new();
            for (request, target) in normalised {
                let table = self.table(name).expect("found above");
                let (key, write) = match target {
                    // A put's mistyped key is worded as a mistyped Key is.
                    Target::Put(item) if table.schema.mistyped(&item) => {
                        return Err(validation(KEY_MISMATCH))
                    }
                    Target::Put(item) => {
                        let write = table.prepare_put(item.clone(), None, None)?;
                        (item, write)
                    }
                    Target::Delete(key) => {
                        let write = table.prepare_delete(&key, None, None)?;
                        (key, write)
                    }
                };
                // The same item under two spellings of a number key.
                if !stored_keys.insert(write.key.clone()) {
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
        let mut throttled = None;
        for (name, request, key, write) in writes {
            let table = self.table(&write.table).expect("prepared above");
            match table.consume(&Charge::write(&write, 1.0), now) {
                Ok(()) => accepted.push((key, write)),
                Err(throttling) => {
                    throttled = Some(throttling);
                    unprocessed
                        .entry(name.clone())
                        .or_default()
                        .push(request.clone())
                }
            }
        }
        // Nothing written: the batch fails as a whole, with the throttling error.
        if let (Some(throttling), true) = (throttled, accepted.is_empty()) {
            return Err(throttling);
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
