//! TransactWriteItems and TransactGetItems. A write transaction checks every action on its
//! own (expressions, item or key) and then prepares every action against the tables as they
//! stand (each through the single-item path) before it changes anything: one failed condition cancels it all, with a CancellationReason per action in
//! request order. Its changes land in the call's one changeset.

use std::collections::{BTreeMap, BTreeSet};

use nimbus_shapes::{
    dynamodb::{
        errors::{IDEMPOTENT_PARAMETER_MISMATCH_EXCEPTION, TRANSACTION_CANCELED_EXCEPTION},
        ItemResponse, ReturnItemCollectionMetrics, ReturnValuesOnConditionCheckFailure,
        TransactGetItemsInput, TransactGetItemsOutput, TransactWriteItem, TransactWriteItemsInput,
        TransactWriteItemsOutput,
    },
    ServiceError,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{
    batch::{item_collection_metrics_error, Units},
    capacity::{Charge, Kind},
    consumed_capacity_error,
    errors::{constraint_errors, item_table_name_errors, java_list, validation},
    expr::ast::{Cond, Update},
    normalise_key, normalise_put_item, on_check_failure_error, parse_projection, read_units,
    value::{item_size, Item, MAX_ITEM_SIZE},
    write::{Refusal, Write},
    Handler, Table, Tables, WriteExpressions, SERVICE,
};
use crate::{emulator::Scope, services::record_key};

const MAX_ACTIONS: usize = 100;
/// A ClientRequestToken makes a transaction idempotent for ten minutes after its first use.
const TOKEN_WINDOW_MILLIS: i64 = 10 * 60 * 1000;

/// What a ClientRequestToken was first used for. Persisted as `token/<hex of the token>`, so
/// that a retry after a restart, inside the window, is still recognised.
#[derive(Serialize, Deserialize)]
pub(super) struct TokenUse {
    pub token: String,
    pub request: Value,
    pub at_millis: i64,
}

fn token_record(scope: &Scope, token: &str) -> String {
    record_key(SERVICE, scope, &["token", &hex::encode(token)])
}

/// Restores a `token/<hex>` record.
pub(super) fn restore_token(tables: &mut Tables, value: &[u8]) -> Result<(), String> {
    let used: TokenUse = serde_json::from_slice(value).map_err(|e| e.to_string())?;
    tables.tokens.insert(used.token.clone(), used);
    Ok(())
}

/// A replayed transaction's cost for one item it names: a transactional read of the item as
/// it now stands (TransactWriteItems and ExecuteTransaction alike).
pub(super) fn add_replay_read(units: &mut Units, table: &Table, key: &Item) {
    let stored = table.items.get(&table.schema.encode(key));
    let size = stored.map(item_size).unwrap_or(0);
    units.add(&table.def.name, 2.0 * read_units(size, true));
}

/// A transaction list of no action or over the limit: the model's length constraint, the
/// list printed as Java prints it (`class` is its members' class), as us-east-1 answers
/// (the conformance suite's capture; eu-west-2 now says `Value at 'TransactItems'`).
fn action_count_error<T: serde::Serialize>(class: &str, actions: &[T]) -> Option<ServiceError> {
    let constraint = match actions.len() {
        0 => "greater than or equal to 1",
        n if n > MAX_ACTIONS => "less than or equal to 100",
        _ => return None,
    };
    Some(constraint_errors(&[format!(
        "Value '[{}]' at 'transactItems' failed to satisfy constraint: Member must have length {constraint}",
        java_list(class, actions)
    )]))
}

/// "The aggregate size of the items in the transaction cannot exceed 4 MB" (the
/// TransactWriteItems reference). Measured on the items the request puts, which it carries,
/// and refused before any action is prepared, as a Put too big is. The suite verified
/// against DynamoDB asserts only the error code; ScyllaDB's Alternator tests, run against it,
/// see a message that speaks of the transaction "payload" whose "size cannot exceed" the
/// limit. The words around those are Nimbus's.
const MAX_TRANSACTION_SIZE: usize = 4 * 1024 * 1024;

fn transaction_size_error(actions: &[TransactWriteItem]) -> Option<ServiceError> {
    let size: usize = actions
        .iter()
        .filter_map(|action| action.put.as_ref()?.item.as_ref())
        .map(item_size)
        .sum();
    (size > MAX_TRANSACTION_SIZE).then(|| validation("Transaction payload size cannot exceed 4 MB"))
}

pub(super) const ONE_ITEM_ONCE: &str =
    "Transaction request cannot include multiple operations on one item";

/// One action, prepared: a write to make, or a condition that held.
pub(super) enum Prepared {
    Write(Write),
    Checked { table: String, units: f64 },
}

/// The item an action touches: its table's name and encoded key.
pub(super) type Target = (String, Vec<u8>);
/// An action prepared, or the refusal of its condition (a cancellation reason).
pub(super) type Outcome = Result<Prepared, ServiceError>;

/// The item an action targets, for the one-operation-per-item rule: the encoded key,
/// checked against the key schema. A key that does not fit the schema (an attribute
/// missing, extra or of another type) cancels the transaction with a ValidationError
/// reason (the inner error; its target is then the key as sent); an empty or oversized key
/// value, or a Put too big, is a bad request (the outer error), as AWS answers them.
fn target(
    table: &Table,
    item_or_key: &Item,
    whole_item: bool,
) -> Result<Result<Vec<u8>, ServiceError>, ServiceError> {
    let checked = if whole_item {
        table.schema.check_item(item_or_key)
    } else {
        table.schema.check_key(item_or_key)
    };
    if let Err(message) = checked {
        if table.schema.fits(item_or_key, !whole_item) {
            return Err(validation(message));
        }
        return Ok(Err(validation(message)));
    }
    // An Update that grows an item too big cancels the transaction instead (AWS documents
    // a ValidationError reason for it).
    if whole_item && item_size(item_or_key) > MAX_ITEM_SIZE {
        return Err(validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    Ok(Ok(table.schema.encode(item_or_key)))
}

/// A prepared write as the action's outcome; a refusal of the whole request is the
/// transaction's error instead.
fn bad_request_or_outcome(prepared: Result<Write, Refusal>) -> Result<Outcome, ServiceError> {
    match prepared {
        Ok(write) => Ok(Ok(Prepared::Write(write))),
        Err(Refusal::Write(reason)) => Ok(Err(reason)),
        Err(Refusal::Request(error)) => Err(error),
    }
}

/// Aims a write action at its item (see [`target`]) and prepares it there with `prepare`.
/// An action whose key does not fit the table is not prepared: its outcome is the reason,
/// and its target the key as sent, apart from every encoded key.
fn prepare_at(
    table: &Table,
    item_or_key: Item,
    whole_item: bool,
    prepare: impl FnOnce(Item) -> Result<Outcome, ServiceError>,
) -> Result<(Target, Outcome), ServiceError> {
    match target(table, &item_or_key, whole_item)? {
        Ok(encoded) => Ok(((table.def.name.clone(), encoded), prepare(item_or_key)?)),
        Err(reason) => {
            let mut sent = vec![0xff];
            sent.extend(serde_json::to_vec(&item_or_key).expect("items serialise"));
            Ok(((table.def.name.clone(), sent), Err(reason)))
        }
    }
}

/// What a TransactWriteItem becomes once checked on its own: its expressions parsed and its
/// item or key normalised, before any table is looked up. AWS refuses a malformed
/// expression or an unused value in any action ahead of a missing table in an earlier one
/// (the conformance suite's capture).
struct Checked<'a> {
    table: Option<&'a String>,
    kind: CheckedKind,
    item_or_key: Item,
    condition: Option<Cond>,
    on_failure: Option<&'a ReturnValuesOnConditionCheckFailure>,
}

enum CheckedKind {
    Put,
    Delete,
    Update(Option<Update>),
    ConditionCheck,
}

fn check_action(action: &TransactWriteItem) -> Result<Checked<'_>, ServiceError> {
    let given = [
        action.condition_check.is_some(),
        action.put.is_some(),
        action.delete.is_some(),
        action.update.is_some(),
    ];
    match given.iter().filter(|g| **g).count() {
        1 => {}
        // us-east-1's words (eu-west-2 now names a constraint instead; the conformance
        // suite records both).
        0 => return Err(validation(
            "Invalid Request: TransactWriteRequest should contain Delete or Put or Update request",
        )),
        _ => {
            return Err(validation(
                "TransactItems can only contain one of Check, Put, Update or Delete",
            ))
        }
    }
    let conditional = |condition, names, values| {
        WriteExpressions::condition_only(None, None, condition, names, values).parse()
    };
    if let Some(put) = &action.put {
        let (condition, _) = conditional(
            put.condition_expression.as_ref(),
            put.expression_attribute_names.as_ref(),
            put.expression_attribute_values.as_ref(),
        )?;
        return Ok(Checked {
            table: put.table_name.as_ref(),
            kind: CheckedKind::Put,
            item_or_key: normalise_put_item(put.item.as_ref().unwrap_or(&Item::new()))?,
            condition,
            on_failure: put.return_values_on_condition_check_failure.as_ref(),
        });
    }
    if let Some(delete) = &action.delete {
        let (condition, _) = conditional(
            delete.condition_expression.as_ref(),
            delete.expression_attribute_names.as_ref(),
            delete.expression_attribute_values.as_ref(),
        )?;
        return Ok(Checked {
            table: delete.table_name.as_ref(),
            kind: CheckedKind::Delete,
            item_or_key: normalise_key(delete.key.as_ref().unwrap_or(&Item::new()))?,
            condition,
            on_failure: delete.return_values_on_condition_check_failure.as_ref(),
        });
    }
    if let Some(update) = &action.update {
        let (condition, expression) = WriteExpressions {
            expected: None,
            conditional_operator: None,
            attribute_updates: None,
            condition: update.condition_expression.as_ref(),
            update: Some(update.update_expression.as_ref()),
            names: update.expression_attribute_names.as_ref(),
            values: update.expression_attribute_values.as_ref(),
        }
        .parse()?;
        return Ok(Checked {
            table: update.table_name.as_ref(),
            kind: CheckedKind::Update(expression),
            item_or_key: normalise_key(update.key.as_ref().unwrap_or(&Item::new()))?,
            condition,
            on_failure: update.return_values_on_condition_check_failure.as_ref(),
        });
    }
    let check = action.condition_check.as_ref().expect("one action given");
    let (condition, _) = conditional(
        check.condition_expression.as_ref(),
        check.expression_attribute_names.as_ref(),
        check.expression_attribute_values.as_ref(),
    )?;
    Ok(Checked {
        table: check.table_name.as_ref(),
        kind: CheckedKind::ConditionCheck,
        item_or_key: normalise_key(check.key.as_ref().unwrap_or(&Item::new()))?,
        condition,
        on_failure: check.return_values_on_condition_check_failure.as_ref(),
    })
}

impl Prepared {
    /// What the action costs its table: twice the units of the plain operation.
    pub(super) fn charge(&self) -> (String, Charge) {
        match self {
            Prepared::Write(write) => (write.table.clone(), Charge::write(write, 2.0)),
            Prepared::Checked { table, units } => {
                let mut charge = Charge::default();
                charge.add(None, Kind::Write, 2.0 * units);
                (table.clone(), charge)
            }
        }
    }

    fn table(&self) -> &str {
        match self {
            Prepared::Write(write) => &write.table,
            Prepared::Checked { table, .. } => table,
        }
    }
}

impl Handler<'_, '_> {
    /// Charges a transaction's units, all or nothing: every table is checked before any is
    /// charged. When a table cannot pay, the transaction is cancelled and its actions on
    /// that table give ProvisionedThroughputExceeded as their reason.
    pub(super) fn charge_transaction(
        &mut self,
        charges: &[(String, Charge)],
        actions: &[Outcome],
    ) -> Result<(), ServiceError> {
        let now = self.ctx.now_millis;
        let mut per_table: BTreeMap<&str, Charge> = BTreeMap::new();
        for (table, charge) in charges {
            per_table.entry(table).or_default().merge(charge);
        }
        let mut refused = BTreeMap::new();
        for (table, charge) in &per_table {
            let Some(found) = self.table(table) else {
                continue;
            };
            if let Err(error) = found.check_capacity(charge, now) {
                refused.insert(table.to_string(), error);
            }
        }
        if !refused.is_empty() {
            let outcomes: Vec<Outcome> = actions
                .iter()
                .map(|action| match action {
                    Ok(prepared) => match refused.get(prepared.table()) {
                        Some(error) => Err(error.clone()),
                        None => Ok(Prepared::Checked {
                            table: prepared.table().to_string(),
                            units: 0.0,
                        }),
                    },
                    Err(error) => Err(error.clone()),
                })
                .collect();
            return Err(cancelled(&outcomes));
        }
        for (table, charge) in &per_table {
            if let Some(found) = self.table(table) {
                found.take_capacity(charge);
            }
        }
        Ok(())
    }

    /// What a replayed TransactWriteItems reports: two read units per 4 KB of each item
    /// its actions name, as the items stand now.
    fn replay_units(&mut self, actions: &[TransactWriteItem]) -> Units {
        let mut units = Units::transactional();
        for action in actions {
            let (table, item) = match (
                &action.put,
                &action.delete,
                &action.update,
                &action.condition_check,
            ) {
                (Some(a), ..) => (&a.table_name, &a.item),
                (_, Some(a), ..) => (&a.table_name, &a.key),
                (_, _, Some(a), _) => (&a.table_name, &a.key),
                (.., Some(a)) => (&a.table_name, &a.key),
                _ => continue,
            };
            let Some(key) = item.as_ref().and_then(|i| normalise_key(i).ok()) else {
                continue;
            };
            let Ok(table) = self.transact_table(table.as_ref()) else {
                continue;
            };
            add_replay_read(&mut units, table, &key);
        }
        units
    }

    fn transact_table(&mut self, name: Option<&String>) -> Result<&mut Table, ServiceError> {
        self.item_table(name.map(String::as_str))
    }

    /// One checked TransactWriteItem through the single-item path, against its table.
    /// Answers the item it targets and the prepared action, or the refusal of its condition.
    fn prepare_action(&mut self, action: Checked) -> Result<(Target, Outcome), ServiceError> {
        let table = self.transact_table(action.table)?;
        let (condition, on_failure) = (action.condition.as_ref(), action.on_failure);
        match action.kind {
            CheckedKind::Put => prepare_at(table, action.item_or_key, true, |item| {
                bad_request_or_outcome(table.prepare_put(item, condition, on_failure))
            }),
            CheckedKind::Delete => prepare_at(table, action.item_or_key, false, |key| {
                Ok(table
                    .prepare_delete(&key, condition, on_failure)
                    .map(Prepared::Write))
            }),
            CheckedKind::Update(expression) => {
                prepare_at(table, action.item_or_key, false, |key| {
                    bad_request_or_outcome(table.prepare_update(
                        &key,
                        condition,
                        expression.as_ref(),
                        on_failure,
                    ))
                })
            }
            CheckedKind::ConditionCheck => prepare_at(table, action.item_or_key, false, |key| {
                Ok(table
                    .check_condition(&key, condition.expect("required"), on_failure)
                    .map(|units| Prepared::Checked {
                        table: table.def.name.clone(),
                        units,
                    }))
            }),
        }
    }

    pub(super) fn run_transact_write(
        &mut self,
        input: TransactWriteItemsInput,
    ) -> Result<TransactWriteItemsOutput, ServiceError> {
        let mut errors = Vec::new();
        if input.transact_items.is_none() {
            errors.push("Value null at 'transactItems' failed to satisfy constraint: Member must not be null".into());
        }
        if let Some(token) = input.client_request_token.as_ref().filter(|t| t.len() > 36) {
            errors.push(format!("Value '{token}' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36"));
        }
        consumed_capacity_error(input.return_consumed_capacity.as_ref(), &mut errors);
        item_collection_metrics_error(input.return_item_collection_metrics.as_ref(), &mut errors);
        for (i, action) in input.transact_items.iter().flatten().enumerate() {
            let at = format!("transactItems.{}.member", i + 1);
            let required = [
                (
                    action
                        .update
                        .as_ref()
                        .map(|a| a.update_expression.is_some()),
                    "update.updateExpression",
                ),
                (
                    action
                        .condition_check
                        .as_ref()
                        .map(|a| a.condition_expression.is_some()),
                    "conditionCheck.conditionExpression",
                ),
            ];
            for (given, member) in required {
                if given == Some(false) {
                    errors.push(format!("Value null at '{at}.{member}' failed to satisfy constraint: Member must not be null"));
                }
            }
            let members = [
                action.put.as_ref().map(|a| {
                    let on_failure = a.return_values_on_condition_check_failure.as_ref();
                    ("put", a.table_name.as_deref(), on_failure)
                }),
                action.delete.as_ref().map(|a| {
                    let on_failure = a.return_values_on_condition_check_failure.as_ref();
                    ("delete", a.table_name.as_deref(), on_failure)
                }),
                action.update.as_ref().map(|a| {
                    let on_failure = a.return_values_on_condition_check_failure.as_ref();
                    ("update", a.table_name.as_deref(), on_failure)
                }),
                action.condition_check.as_ref().map(|a| {
                    let on_failure = a.return_values_on_condition_check_failure.as_ref();
                    ("conditionCheck", a.table_name.as_deref(), on_failure)
                }),
            ];
            for (member, table, on_failure) in members.into_iter().flatten() {
                let mut more = item_table_name_errors(table);
                on_check_failure_error(on_failure, &mut more);
                errors.extend(
                    more.into_iter()
                        .map(|e| e.replace(" at '", &format!(" at '{at}.{member}."))),
                );
            }
        }
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let actions = input.transact_items.as_deref().unwrap_or_default();
        if let Some(error) = action_count_error("TransactWriteItem", actions)
            .or_else(|| transaction_size_error(actions))
        {
            return Err(error);
        }

        let now = self.ctx.now_millis;
        let request = serde_json::to_value(&input).expect("inputs serialise");
        if let Some(token) = &input.client_request_token {
            if self.is_replay(token, &request, now)? {
                // The same request again: it already took effect once. AWS bills the
                // replay as a transactional read of each item as it now stands.
                let units = self.replay_units(actions);
                return Ok(TransactWriteItemsOutput {
                    consumed_capacity: units.report(input.return_consumed_capacity.as_ref()),
                    item_collection_metrics: None,
                });
            }
        }

        let checked = actions
            .iter()
            .map(check_action)
            .collect::<Result<Vec<_>, _>>()?;
        let mut targets = BTreeSet::new();
        let mut prepared = Vec::new();
        for action in checked {
            let (target, outcome) = self.prepare_action(action)?;
            if !targets.insert(target) {
                return Err(validation(ONE_ITEM_ONCE));
            }
            prepared.push(outcome);
        }
        if prepared.iter().any(Result::is_err) {
            return Err(cancelled(&prepared));
        }
        let charges: Vec<(String, Charge)> =
            prepared.iter().flatten().map(Prepared::charge).collect();
        self.charge_transaction(&charges, &prepared)?;

        // Transactional writes cost twice the units of plain ones.
        let mut units = Units::transactional();
        let mode = input.return_item_collection_metrics.as_ref();
        let mut metrics: BTreeMap<String, Vec<_>> = BTreeMap::new();
        for action in prepared.into_iter().flatten() {
            match action {
                Prepared::Write(write) => {
                    units.add_write(&write, 2.0);
                    let (table, new) = (write.table.clone(), write.new.clone());
                    let old = self.apply(write);
                    // The item's partition key, from the item written or the one deleted.
                    if let Some(key) = new.or(old) {
                        if let Some(m) = self.collection_metrics(&table, mode, &key) {
                            metrics.entry(table).or_default().push(m);
                        }
                    }
                }
                Prepared::Checked { table, units: cost } => {
                    units.add_write_units(&table, 2.0 * cost)
                }
            }
        }
        if let Some(token) = input.client_request_token {
            self.remember_token(token, request, now);
        }
        Ok(TransactWriteItemsOutput {
            consumed_capacity: units.report(input.return_consumed_capacity.as_ref()),
            item_collection_metrics: (mode == Some(&ReturnItemCollectionMetrics::Size))
                .then_some(metrics),
        })
    }

    pub(super) fn run_transact_get(
        &mut self,
        input: TransactGetItemsInput,
    ) -> Result<TransactGetItemsOutput, ServiceError> {
        let mut errors = Vec::new();
        if input.transact_items.is_none() {
            errors.push("Value null at 'transactItems' failed to satisfy constraint: Member must not be null".into());
        }
        consumed_capacity_error(input.return_consumed_capacity.as_ref(), &mut errors);
        for (i, action) in input.transact_items.iter().flatten().enumerate() {
            let at = format!("transactItems.{}.member.get", i + 1);
            match &action.get {
                None => errors.push(format!(
                    "Value null at '{at}' failed to satisfy constraint: Member must not be null"
                )),
                Some(get) => {
                    if get.key.is_none() {
                        errors.push(format!("Value null at '{at}.key' failed to satisfy constraint: Member must not be null"));
                    }
                    errors.extend(
                        item_table_name_errors(get.table_name.as_deref())
                            .into_iter()
                            .map(|e| e.replace(" at '", &format!(" at '{at}."))),
                    );
                }
            }
        }
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let actions = input.transact_items.as_deref().unwrap_or_default();
        if let Some(error) = action_count_error("TransactGetItem", actions) {
            return Err(error);
        }

        let mut targets = BTreeSet::new();
        let mut plans = Vec::new();
        // Per action: the table read, or why its key does not fit (a cancellation reason).
        let mut fitting: Vec<Outcome> = Vec::new();
        for action in actions {
            let get = action.get.as_ref().expect("checked above");
            let projection = parse_projection(
                get.projection_expression.as_ref(),
                None,
                get.expression_attribute_names.as_ref(),
            )?;
            let key = normalise_key(get.key.as_ref().expect("checked above"))?;
            let table = self.transact_table(get.table_name.as_ref())?;
            let name = table.def.name.clone();
            match target(table, &key, false)? {
                Ok(encoded) => {
                    if !targets.insert((name.clone(), encoded)) {
                        return Err(validation(ONE_ITEM_ONCE));
                    }
                    fitting.push(Ok(Prepared::Checked {
                        table: name,
                        units: 0.0,
                    }));
                }
                Err(reason) => fitting.push(Err(reason)),
            }
            plans.push((get.table_name.clone(), key, projection));
        }
        if fitting.iter().any(Result::is_err) {
            return Err(cancelled(&fitting));
        }
        let mut reads = Vec::new();
        for (name, key, projection) in plans {
            let table = self.transact_table(name.as_ref())?;
            // Transactional reads are strongly consistent and cost twice.
            let (item, cost) = table.read(&key, projection.as_deref(), true)?;
            // A projection that selects nothing of the item answers no Item (GetItem answers
            // an empty one), as the conformance suite captured AWS.
            let item = item.filter(|item| !item.is_empty());
            reads.push((table.def.name.clone(), item, 2.0 * cost));
        }
        let charges: Vec<(String, Charge)> = reads
            .iter()
            .map(|(table, _, cost)| (table.clone(), Charge::read(None, *cost)))
            .collect();
        let outcomes: Vec<Outcome> = reads
            .iter()
            .map(|(table, _, units)| {
                Ok(Prepared::Checked {
                    table: table.clone(),
                    units: *units,
                })
            })
            .collect();
        self.charge_transaction(&charges, &outcomes)?;
        let mut units = Units::transactional();
        let mut responses = Vec::new();
        for (table, item, cost) in reads {
            units.add(&table, cost);
            responses.push(ItemResponse { item });
        }
        Ok(TransactGetItemsOutput {
            consumed_capacity: units.report(input.return_consumed_capacity.as_ref()),
            responses: Some(responses),
        })
    }
}

/// TransactionCanceledException: a reason per action in request order, `None` for those
/// that would have succeeded, and the codes repeated in the message. AWS stops checking at
/// the first ValidationError: the actions after it answer `None`, whatever they hold
/// (ScyllaDB's Alternator tests, run against DynamoDB).
pub(super) fn cancelled(outcomes: &[Outcome]) -> ServiceError {
    let first_invalid = outcomes
        .iter()
        .position(|o| o.as_ref().is_err_and(|e| e.code == "ValidationException"));
    let reasons: Vec<Value> = outcomes
        .iter()
        .enumerate()
        .map(|(i, outcome)| match outcome {
            Ok(_) => json!({"Code": "None"}),
            Err(_) if first_invalid.is_some_and(|first| i > first) => json!({"Code": "None"}),
            Err(error) => {
                // AWS's reason codes: ConditionalCheckFailed, ValidationError, ...
                let code = match error.code.as_str() {
                    "ValidationException" => "ValidationError",
                    "ThrottlingException" => "ThrottlingError",
                    other => other.strip_suffix("Exception").unwrap_or(other),
                };
                let mut reason = json!({"Code": code, "Message": error.message});
                if let Some(item) = error.fields.get("Item") {
                    reason["Item"] = item.clone();
                }
                reason
            }
        })
        .collect();
    let codes: Vec<&str> = reasons
        .iter()
        .map(|r| r["Code"].as_str().unwrap_or_default())
        .collect();
    TRANSACTION_CANCELED_EXCEPTION
        .with_message(format!(
            "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
            codes.join(", ")
        ))
        .with_field("CancellationReasons", Value::Array(reasons))
}

impl Handler<'_, '_> {
    /// Whether `request` repeats the request `token` was used for inside its window; a
    /// different request with the same token is refused.
    pub(super) fn is_replay(
        &mut self,
        token: &str,
        request: &Value,
        now: i64,
    ) -> Result<bool, ServiceError> {
        let live = self
            .scope_tables()
            .tokens
            .get(token)
            .filter(|used| now - used.at_millis < TOKEN_WINDOW_MILLIS);
        match live {
            None => Ok(false),
            Some(used) if used.request == *request => Ok(true),
            Some(_) => Err(IDEMPOTENT_PARAMETER_MISMATCH_EXCEPTION.with_message(
                "DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used.",
            )),
        }
    }

    /// Keeps `token`'s use (in memory and in the records), and forgets the tokens whose window
    /// has passed.
    pub(super) fn remember_token(&mut self, token: String, request: Value, now: i64) {
        let scope = self.ctx.scope();
        let expired: Vec<String> = self
            .scope_tables()
            .tokens
            .extract_if(.., |_, used| now - used.at_millis >= TOKEN_WINDOW_MILLIS)
            .map(|(token, _)| token)
            .collect();
        // Deleted first: `token` itself may be among them, used again after its window.
        for old in expired {
            self.ctx.changes.delete(token_record(&scope, &old));
        }
        let used = TokenUse {
            token: token.clone(),
            request,
            at_millis: now,
        };
        self.ctx.persist(token_record(&scope, &token), &used);
        self.scope_tables().tokens.insert(token, used);
    }
}
