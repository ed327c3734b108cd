//! Single-item writes in two phases. `prepare_*` checks a write against the table as it
//! stands (key schema, index keys, item size, condition) and changes nothing; `apply` makes
//! it. PutItem, DeleteItem and UpdateItem prepare one write; BatchWriteItem and
//! TransactWriteItems prepare all of theirs before applying any, so a refusal of one leaves
//! every item as it was.

use nimbus_shapes::{dynamodb::ReturnValuesOnConditionCheckFailure, ServiceError};

use super::{
    condition_failed,
    errors::validation,
    expr::{
        self,
        ast::{Cond, Update},
    },
    item_record, path,
    value::{item_size, value_size, IndexKeyRefusal, Item, MAX_ITEM_SIZE},
    write_units, Handler, Table,
};

/// A write that passed every check, ready to apply.
pub(super) struct Write {
    /// The table's name (not the ARN the request may have used).
    pub table: String,
    pub key: Vec<u8>,
    /// The item after the write; `None` removes it.
    pub new: Option<Item>,
    /// Write units of each secondary index the write changes: (name, global, units).
    pub index_units: Vec<(String, bool, f64)>,
    /// Write capacity units of the table, charged on the larger of the old and new item.
    pub units: f64,
}

/// Why a prepared write was refused.
#[derive(Debug)]
pub(super) enum Refusal {
    /// The request is unfit as a whole: an empty secondary index key value. AWS answers it
    /// as the request's error even within a transaction (the conformance suite's capture).
    Request(ServiceError),
    /// This write cannot be made (its key, its size, its condition): within a transaction,
    /// the action's cancellation reason.
    Write(ServiceError),
}

impl From<Refusal> for ServiceError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Request(error) | Refusal::Write(error) => error,
        }
    }
}

impl From<ServiceError> for Refusal {
    fn from(error: ServiceError) -> Self {
        Refusal::Write(error)
    }
}

/// The condition of a write, against the item as stored (`None`: no item).
fn check(
    condition: Option<&Cond>,
    old: Option<&Item>,
    on_failure: Option<&ReturnValuesOnConditionCheckFailure>,
) -> Result<(), ServiceError> {
    match condition {
        Some(condition) if !condition.holds(old) => Err(condition_failed(old, on_failure)),
        _ => Ok(()),
    }
}

impl Write {
    /// The units the write costs in all: the table's and its indexes'.
    pub fn total_units(&self) -> f64 {
        self.units + self.index_units.iter().map(|(_, _, u)| u).sum::<f64>()
    }
}

impl Table {
    /// What a write costs each index, as AWS's index write rules charge it: one write to put
    /// an item in or take it out, two when its index key changes, one when only its
    /// projected attributes change, none when the index does not see the change. Each in
    /// 1 KB units of the index entry (the projected item).
    fn index_write_units(
        &self,
        key: &[u8],
        old: Option<&Item>,
        new: Option<&Item>,
    ) -> Vec<(String, bool, f64)> {
        let mut out = Vec::new();
        for index in &self.indexes {
            let entry = |item: Option<&Item>| {
                let item = item?;
                index
                    .entry_key(key, item)
                    .map(|at| (at, index.project(item, &self.schema)))
            };
            let units = match (entry(old), entry(new)) {
                (None, None) => 0.0,
                (Some((_, was)), None) => write_units(item_size(&was)),
                (None, Some((_, now))) => write_units(item_size(&now)),
                (Some((a, was)), Some((b, now))) if a != b => {
                    write_units(item_size(&was)) + write_units(item_size(&now))
                }
                (Some((_, was)), Some((_, now))) if was != now => write_units(item_size(&now)),
                _ => 0.0,
            };
            if units > 0.0 {
                out.push((index.name.clone(), index.global, units));
            }
        }
        out
    }

    /// The item's values for each secondary index key. An empty one refuses the request;
    /// `empty` words it (given "string" or "binary" and the refusal's own message).
    fn check_index_keys(
        &self,
        item: &Item,
        empty: impl Fn(&'static str, String) -> String,
    ) -> Result<(), Refusal> {
        for (index, keys) in self.def.index_schemas() {
            keys.check_index_item(item, &index)
                .map_err(|refusal| match refusal {
                    IndexKeyRefusal::Empty { what, message } => {
                        Refusal::Request(validation(empty(what, message)))
                    }
                    IndexKeyRefusal::Invalid(message) => Refusal::Write(validation(message)),
                })?;
        }
        Ok(())
    }

    /// PutItem's checks of a normalised item; the write replaces the whole item.
    pub(super) fn prepare_put(
        &self,
        item: Item,
        condition: Option<&Cond>,
        on_failure: Option<&ReturnValuesOnConditionCheckFailure>,
    ) -> Result<Write, Refusal> {
        self.schema.check_item(&item).map_err(validation)?;
        self.check_index_keys(&item, |_, message| message)?;
        let size = item_size(&item);
        if size > MAX_ITEM_SIZE {
            return Err(validation("Item size has exceeded the maximum allowed size").into());
        }
        let key = self.schema.encode(&item);
        let old = self.items.get(&key);
        check(condition, old, on_failure)?;
        Ok(Write {
            table: self.def.name.clone(),
            units: write_units(size.max(old.map(item_size).unwrap_or(0))),
            index_units: self.index_write_units(&key, old, Some(&item)),
            key,
            new: Some(item),
        })
    }

    /// DeleteItem's checks of a normalised key.
    pub(super) fn prepare_delete(
        &self,
        key: &Item,
        condition: Option<&Cond>,
        on_failure: Option<&ReturnValuesOnConditionCheckFailure>,
    ) -> Result<Write, ServiceError> {
        self.schema.check_key(key).map_err(validation)?;
        let encoded = self.schema.encode(key);
        let old = self.items.get(&encoded);
        check(condition, old, on_failure)?;
        Ok(Write {
            table: self.def.name.clone(),
            units: write_units(old.map(item_size).unwrap_or(0)),
            index_units: self.index_write_units(&encoded, old, None),
            key: encoded,
            new: None,
        })
    }

    /// A transaction's ConditionCheck: the condition alone, nothing written. Answers the
    /// write units it costs.
    pub(super) fn check_condition(
        &self,
        key: &Item,
        condition: &Cond,
        on_failure: Option<&ReturnValuesOnConditionCheckFailure>,
    ) -> Result<f64, ServiceError> {
        self.schema.check_key(key).map_err(validation)?;
        let old = self.items.get(&self.schema.encode(key));
        check(Some(condition), old, on_failure)?;
        Ok(write_units(old.map(item_size).unwrap_or(0)))
    }

    /// UpdateItem's checks and the updated item. An update that only removes leaves an
    /// absent item absent (an empty update still creates it), as DynamoDB does: `new` is
    /// then `None`.
    pub(super) fn prepare_update(
        &self,
        key: &Item,
        condition: Option<&Cond>,
        update: Option<&Update>,
        on_failure: Option<&ReturnValuesOnConditionCheckFailure>,
    ) -> Result<Write, Refusal> {
        self.schema.check_key(key).map_err(validation)?;
        if let Some(update) = update {
            expr::validate::update_keys(update, &self.schema)?;
        }
        let encoded = self.schema.encode(key);
        let old = self.items.get(&encoded);
        check(condition, old, on_failure)?;
        // UpdateItem creates the item when it is absent, starting from its key.
        let base = old.cloned().unwrap_or_else(|| key.clone());
        let new = match update {
            Some(update) => expr::update::apply(update, &base, old.is_some())?,
            None => base,
        };
        // UpdateItem words the empty-key refusal after the update (moto quotes AWS's text,
        // which names no index).
        self.check_index_keys(&new, |what, _| {
            format!(
                "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty {what} value."
            )
        })?;
        let size = item_size(&new);
        if size > MAX_ITEM_SIZE {
            return Err(update_too_big().into());
        }
        // An update that only removes leaves an absent item absent; one that writes nothing
        // at all (an empty AttributeUpdates) creates it from its key, as no update does
        // (ScyllaDB's Alternator tests, run against DynamoDB).
        let only_removes = update.is_some_and(|u| {
            u.set.is_empty() && u.add.is_empty() && !(u.remove.is_empty() && u.delete.is_empty())
        });
        let stored = old.is_some() || !only_removes;
        let new = stored.then_some(new);
        Ok(Write {
            table: self.def.name.clone(),
            units: write_units(size.max(old.map(item_size).unwrap_or(0))),
            index_units: self.index_write_units(&encoded, old, new.as_ref()),
            key: encoded,
            new,
        })
    }
}

fn update_too_big() -> ServiceError {
    validation("Item size to update has exceeded the maximum allowed size")
}

/// UpdateItem's own size rule, besides the finished item's 400 KB: what the update writes
/// must fit too, counted as each top-level attribute it names, with its finished value,
/// plus 3 bytes for the update, 19 for each SET or ADD action (20 through a list index) and
/// 2 for each REMOVE or DELETE. So the key and the attributes left alone are out of the
/// figure. AWS does not document it; nubo-db's conformance suite measured it against
/// DynamoDB (eu-west-2, 2026-08), and found that TransactWriteItems' Update and PartiQL's
/// UPDATE measure the finished item alone.
pub(super) fn check_update_footprint(update: &Update, new: &Item) -> Result<(), ServiceError> {
    const UPDATE: usize = 3;
    const SET_OR_ADD: usize = 19;
    const REMOVE_OR_DELETE: usize = 2;
    let through_list = |path: &path::Path| path.iter().any(|s| matches!(s, path::Step::Index(_)));
    let actions: usize = update
        .set
        .iter()
        .map(|(p, _)| p)
        .chain(update.add.iter().map(|(p, _)| p))
        .map(|p| SET_OR_ADD + usize::from(through_list(p)))
        .sum::<usize>()
        + REMOVE_OR_DELETE * (update.remove.len() + update.delete.len());
    let written: std::collections::BTreeSet<&str> = update
        .targets()
        .into_iter()
        .filter_map(|p| match p.first() {
            Some(path::Step::Name(name)) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let written_size: usize = written
        .into_iter()
        .filter_map(|name| new.get_key_value(name))
        .map(|(name, value)| name.len() + value_size(value))
        .sum();
    if written_size + UPDATE + actions > MAX_ITEM_SIZE {
        return Err(update_too_big());
    }
    Ok(())
}

/// The attributes an update touched, for ReturnValues UPDATED_OLD and UPDATED_NEW.
pub(super) fn updated_part(item: &Item, update: Option<&Update>) -> Option<Item> {
    let targets: Vec<path::Path> = update.iter().flat_map(|u| u.targets()).cloned().collect();
    Some(path::project(item, &targets)).filter(|i| !i.is_empty())
}

impl Handler<'_, '_> {
    /// Makes a prepared write, in memory and in the call's changeset, with its stream
    /// record. Answers the old item.
    pub(super) fn apply(&mut self, write: Write) -> Option<Item> {
        self.apply_as(write, None)
    }

    /// `apply`, for a write the service makes itself (a TTL deletion): its stream record
    /// carries `identity` as its `userIdentity`.
    pub(super) fn apply_as(
        &mut self,
        write: Write,
        identity: Option<&nimbus_shapes::dynamodbstreams::Identity>,
    ) -> Option<Item> {
        let scope = self.ctx.scope();
        let record = item_record(&scope, &write.table, &write.key);
        let tables = self.state.tables(&scope);
        let table = tables
            .tables
            .get_mut(&write.table)
            .expect("a prepared write's table exists");
        let streamed = table.def.enabled_stream().is_some();
        // The key outlives the insert only for point-in-time recovery's history.
        let recovered_key = tables
            .backups
            .has_recovery(&table.def.table_id)
            .then(|| write.key.clone());
        let (old, new) = match write.new {
            Some(item) => {
                self.ctx.persist(record, &item);
                let new = streamed.then(|| item.clone());
                (table.insert(write.key, item), new)
            }
            None => {
                let old = table.remove(&write.key)?;
                self.ctx.changes.delete(record);
                (Some(old), None)
            }
        };
        if streamed {
            self.record_change(&write.table, old.as_ref(), new.as_ref(), identity);
        }
        if let Some(key) = recovered_key {
            self.remember_for_recovery(&write.table, &key, old.as_ref());
        }
        old
    }
}
