//! Running parsed statements on the tables, through the machinery the item operations use:
//! a SELECT reads like GetItem (its WHERE pins the whole key), like Query (it pins the
//! partition key) or like Scan, a page at a time (`../query.rs`); INSERT, UPDATE and DELETE
//! are prepared and applied by `../write.rs`, so streams, indexes and TTL see them as they
//! see PutItem, UpdateItem and DeleteItem; ExecuteTransaction cancels as TransactWriteItems
//! does (`../transact.rs`).

use std::{collections::BTreeSet, ops::Bound};

use base64::{engine::general_purpose::STANDARD, Engine as _};
use nimbus_shapes::{
    dynamodb::{
        errors::DUPLICATE_ITEM_EXCEPTION, AttributeValue, BatchExecuteStatementInput,
        BatchExecuteStatementOutput, BatchStatementError, BatchStatementResponse,
        ExecuteStatementInput, ExecuteStatementOutput, ExecuteTransactionInput,
        ExecuteTransactionOutput, ItemResponse, ReturnValuesOnConditionCheckFailure,
    },
    ServiceError,
};
use serde_json::json;

use super::{
    super::{
        batch::Units,
        capacity::Charge,
        consumed_capacity_error,
        errors::{constraint_errors, invalid_parameter, validation},
        expr::{
            self,
            ast::{CmpOp, Cond, Operand, Update},
        },
        index::Index,
        key_condition::{self, SortCondition},
        normalise_put_item, on_check_failure_error,
        path::{self, Path, Step},
        query::{self, Fetch, StartKeyReader, View},
        read_units,
        transact::{self, Outcome, Prepared, ONE_ITEM_ONCE},
        value::{encode_scalar, item_size, type_name, Item, KeyAttr, KeySchema},
        write::{self, Write},
        write_consumed, Handler, Table,
    },
    ast::{Returning, Select, Statement},
    parse,
};

const MAX_STATEMENT_LENGTH: usize = 8192;
const MAX_BATCH: usize = 25;
const MAX_TRANSACTION: usize = 100;
const INCOMPLETE_KEY: &str =
    "Where clause does not contain a mandatory equality on all key attributes";
const EXISTS_OUTSIDE_TRANSACTION: &str =
    "EXISTS can only be used in ExecuteTransaction write requests.";

/// How a projected attribute is named in the answer: nested paths arrive under their last
/// part (`SELECT m.k[1], m.z` answers `k[1]` and `z`), as DynamoDB names them.
pub fn column_name(path: &Path) -> String {
    let start = path
        .iter()
        .rposition(|s| matches!(s, Step::Name(_)))
        .unwrap_or(0);
    path[start..]
        .iter()
        .map(|s| match s {
            Step::Name(n) => n.clone(),
            Step::Index(i) => format!("[{i}]"),
        })
        .collect()
}

fn project(item: &Item, projection: Option<&[Path]>) -> Item {
    let Some(paths) = projection else {
        return item.clone();
    };
    paths
        .iter()
        .filter_map(|p| path::lookup(item, p).map(|v| (column_name(p), v.clone())))
        .collect()
}

/// The `attr = value` terms at the top level of a WHERE's AND chain, by attribute name.
fn equalities(cond: &Cond, out: &mut Vec<(String, AttributeValue)>) {
    match cond {
        Cond::And(a, b) => {
            equalities(a, out);
            equalities(b, out);
        }
        Cond::Cmp(CmpOp::Eq, Operand::Path(p), Operand::Value(v))
        | Cond::Cmp(CmpOp::Eq, Operand::Value(v), Operand::Path(p)) => {
            if let [Step::Name(name)] = p.as_slice() {
                out.push((name.clone(), v.clone()));
            }
        }
        _ => {}
    }
}

/// PartiQL reads no index keyed on several HASH or several RANGE attributes, before it looks
/// at the WHERE (the conformance suite's capture of AWS).
fn refuse_multi_attribute_key(index: &Index) -> Result<(), ServiceError> {
    if index.keys.more_hash.is_empty() && index.keys.more_range.is_empty() {
        return Ok(());
    }
    Err(validation(
        "PartiQL statements cannot be executed on tables with multi-attribute HASH keys or multi-attribute RANGE keys.",
    ))
}

/// Whether a WHERE calls a function (`attribute_exists`, `begins_with`, `size`, ...): a
/// SELECT whose WHERE does is no read of one item, for ExecuteTransaction and
/// BatchExecuteStatement (the conformance suite's capture).
fn calls_a_function(cond: &Cond) -> bool {
    let sized = |o: &Operand| matches!(o, Operand::Size(_));
    match cond {
        Cond::And(a, b) | Cond::Or(a, b) => calls_a_function(a) || calls_a_function(b),
        Cond::Not(a) => calls_a_function(a),
        Cond::Cmp(_, a, b) => sized(a) || sized(b),
        Cond::Between(a, b, c) => [a, b, c].into_iter().any(sized),
        Cond::In(a, list) => std::iter::once(a).chain(list).any(sized),
        Cond::Exists(_)
        | Cond::NotExists(_)
        | Cond::Type(..)
        | Cond::BeginsWith(..)
        | Cond::Contains(..) => true,
    }
}

/// Whether a WHERE asks more than the equalities on `schema`'s key attributes: an EXISTS
/// must, to be a condition at all.
fn beyond_the_key(cond: &Cond, schema: &KeySchema) -> bool {
    match cond {
        Cond::And(a, b) => beyond_the_key(a, schema) || beyond_the_key(b, schema),
        Cond::Cmp(CmpOp::Eq, Operand::Path(p), Operand::Value(_))
        | Cond::Cmp(CmpOp::Eq, Operand::Value(_), Operand::Path(p)) => !matches!(
            p.as_slice(),
            [Step::Name(name)] if schema.attrs().any(|attr| attr.name == *name)
        ),
        _ => true,
    }
}

/// The key values a WHERE pins for `schema`'s attributes (a partial key when the sort key
/// is not pinned). A value of another type than the schema's is refused.
fn pinned(filter: Option<&Cond>, schema: &KeySchema) -> Result<Item, ServiceError> {
    let mut eqs = Vec::new();
    if let Some(cond) = filter {
        equalities(cond, &mut eqs);
    }
    let mut key = Item::new();
    for attr in schema.attrs() {
        if let Some((_, value)) = eqs.iter().find(|(name, _)| *name == attr.name) {
            if type_name(value) != attr.kind.as_str() {
                return Err(validation(format!(
                    "Key attribute's data type should match its data type in table's schema: Key {}",
                    attr.name
                )));
            }
            key.insert(attr.name.clone(), value.clone());
        }
    }
    Ok(key)
}

/// The first condition on the sort key at the top of a WHERE's AND chain that a key range
/// can serve (comparison, BETWEEN, begins_with on a value of the key's type): a SELECT on a
/// partition then reads only that range, as a Query with the same key condition does, so
/// `Limit` counts the same items. The whole WHERE still filters what is read.
fn sort_range(cond: &Cond, key: &KeyAttr) -> Option<SortCondition> {
    let is_key = |o: &Operand| matches!(o, Operand::Path(p) if matches!(p.as_slice(), [Step::Name(n)] if *n == key.name));
    let typed = |v: &AttributeValue| type_name(v) == key.kind.as_str();
    let flip = |op: CmpOp| match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    };
    let range_op = |op: CmpOp| match op {
        CmpOp::Eq => Some(key_condition::CmpOp::Eq),
        CmpOp::Lt => Some(key_condition::CmpOp::Lt),
        CmpOp::Le => Some(key_condition::CmpOp::Le),
        CmpOp::Gt => Some(key_condition::CmpOp::Gt),
        CmpOp::Ge => Some(key_condition::CmpOp::Ge),
        CmpOp::Ne => None,
    };
    match cond {
        Cond::And(a, b) => sort_range(a, key).or_else(|| sort_range(b, key)),
        Cond::Cmp(op, a, Operand::Value(v)) if is_key(a) && typed(v) => {
            range_op(*op).map(|op| SortCondition::Cmp(op, v.clone()))
        }
        Cond::Cmp(op, Operand::Value(v), b) if is_key(b) && typed(v) => {
            range_op(flip(*op)).map(|op| SortCondition::Cmp(op, v.clone()))
        }
        Cond::Between(a, Operand::Value(low), Operand::Value(high))
            if is_key(a) && typed(low) && typed(high) =>
        {
            Some(SortCondition::Between(low.clone(), high.clone()))
        }
        Cond::BeginsWith(a, Operand::Value(prefix))
            if is_key(a) && typed(prefix) && matches!(type_name(prefix), "S" | "B") =>
        {
            Some(SortCondition::BeginsWith(prefix.clone()))
        }
        _ => None,
    }
}

/// The whole primary key a write's (or a transaction read's) WHERE pins, or `None`.
fn full_key(filter: Option<&Cond>, schema: &KeySchema) -> Result<Option<Item>, ServiceError> {
    let key = pinned(filter, schema)?;
    Ok((key.len() == schema.attrs().count()).then_some(key))
}

fn hash_path(table: &Table) -> Path {
    vec![Step::Name(table.schema.hash.name.clone())]
}

/// A statement's place in a paged read: the statement it belongs to and the key to go on
/// after, as an opaque token.
fn next_token(statement: &str, key: &Item) -> String {
    STANDARD.encode(json!({"h": statement_hash(statement), "k": key}).to_string())
}

fn statement_hash(statement: &str) -> String {
    // FNV-1a: stable across runs and hosts.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in statement.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn start_of(statement: &str, token: &str) -> Result<Item, ServiceError> {
    let invalid = || validation("Invalid NextToken");
    let bytes = STANDARD.decode(token).map_err(|_| invalid())?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if value["h"].as_str() != Some(statement_hash(statement).as_str()) {
        return Err(validation("NextToken does not match request"));
    }
    serde_json::from_value(value["k"].clone()).map_err(|_| invalid())
}

/// What a SELECT read: the items answered, where it stopped, and the bytes it read.
struct Read {
    table: String,
    /// The index read, if any; a global one pays for the read in provisioned mode.
    index: Option<String>,
    gsi: Option<String>,
    items: Vec<Item>,
    last_key: Option<Item>,
    bytes: usize,
    /// The sizes of the table's items an LSI read fetched for the attributes it lacks.
    fetched_sizes: Vec<usize>,
}

/// What a SELECT through an index may name, and how it reads what the index lacks (the
/// conformance suite's capture of AWS): a filter sees only what the index holds, and one
/// that reads the index's key may name nothing else; a GSI, which cannot fetch from the
/// table, answers only what it holds, while an LSI fetches each item it walks from the
/// table when the statement selects an attribute it lacks.
fn index_fetch(
    index: &Index,
    select: &Select,
    table_keys: &KeySchema,
) -> Result<Fetch, ServiceError> {
    // The top-level attributes of `paths` the index does not hold, once each, in order.
    let missing = |paths: Vec<&Path>| {
        let mut names: Vec<&str> = Vec::new();
        for path in paths {
            if let Some(Step::Name(name)) = path.first() {
                if !index.holds(name, table_keys) && !names.contains(&name.as_str()) {
                    names.push(name);
                }
            }
        }
        names.join(", ")
    };
    if let Some(filter) = &select.filter {
        // Keyed: a condition on an index key beside the others at the top level (one reached
        // through OR reads no key).
        fn conjuncts<'c>(cond: &'c Cond, out: &mut Vec<&'c Cond>) {
            match cond {
                Cond::And(a, b) => {
                    conjuncts(a, out);
                    conjuncts(b, out);
                }
                other => out.push(other),
            }
        }
        let mut top = Vec::new();
        conjuncts(filter, &mut top);
        let keyed = top
            .iter()
            .filter(|c| !matches!(c, Cond::Or(..)))
            .flat_map(|c| c.paths())
            .any(|path| {
                matches!(path.first(), Some(Step::Name(name)) if index.keys.attrs().any(|a| &a.name == name))
            });
        let names = missing(filter.paths());
        if keyed && !names.is_empty() {
            return Err(invalid_parameter(format!(
                "Secondary index {} does not project one or more filter attributes: [{names}]",
                index.name
            )));
        }
    }
    let unheld = select
        .projection
        .as_ref()
        .map(|projection| missing(projection.iter().collect()))
        .unwrap_or_default();
    match (unheld.is_empty(), index.global) {
        (true, _) => Ok(Fetch::Never),
        (false, true) => Err(invalid_parameter(format!(
            "Global secondary index {} does not project [{unheld}]",
            index.name
        ))),
        (false, false) => Ok(Fetch::ForAnswer),
    }
}

/// A prepared write statement and what it answers.
struct PreparedWrite {
    write: Write,
    returning: Option<Returning>,
    update: Option<Update>,
}

impl PreparedWrite {
    /// Applies the write; answers the items RETURNING asks for.
    fn apply(self, handler: &mut Handler) -> Vec<Item> {
        let new = self.write.new.clone();
        let old = handler.apply(self.write);
        let image = match self.returning {
            None => None,
            Some(Returning::AllOld) => old,
            Some(Returning::AllNew) => new,
            Some(Returning::ModifiedOld) => old
                .as_ref()
                .and_then(|o| write::updated_part(o, self.update.as_ref())),
            Some(Returning::ModifiedNew) => new
                .as_ref()
                .and_then(|n| write::updated_part(n, self.update.as_ref())),
        };
        image.into_iter().collect()
    }
}

/// The options of a SELECT.
struct ReadOptions<'a> {
    statement: &'a str,
    consistent: bool,
    limit: Option<i32>,
    next_token: Option<&'a str>,
}

impl Handler<'_, '_> {
    /// Takes a statement's units from its table's provisioned capacity (nothing on demand);
    /// ProvisionedThroughputExceededException when they are not there.
    fn charge_statement(&mut self, table: &str, charge: &Charge) -> Result<(), ServiceError> {
        let now = self.ctx.now_millis;
        self.item_table(Some(table))?.consume(charge, now)
    }

    /// Charges a read; answers the units of what it read and of the table's items an LSI
    /// fetched for it.
    fn charge_statement_read(
        &mut self,
        read: &Read,
        consistent: bool,
    ) -> Result<(f64, f64), ServiceError> {
        let units = read_units(read.bytes, consistent);
        // A fold from +0: an empty f64 sum is -0, which would be reported as such.
        let fetched = read
            .fetched_sizes
            .iter()
            .fold(0.0, |units, size| units + read_units(*size, consistent));
        let charge = Charge::read(read.gsi.as_deref(), units + fetched);
        self.charge_statement(&read.table, &charge)?;
        Ok((units, fetched))
    }

    fn charge_statement_write(&mut self, write: &Write) -> Result<(), ServiceError> {
        self.charge_statement(&write.table, &Charge::write(write, 1.0))
    }

    /// A replayed ExecuteTransaction's units: a transactional read of each item its
    /// statements name.
    fn replay_units_of_statements(&mut self, statements: &[Statement]) -> Units {
        let mut units = Units::transactional();
        for statement in statements {
            let Ok(table) = self.item_table(Some(statement.table())) else {
                continue;
            };
            let key = match statement {
                Statement::Insert { item, .. } => Some(item.clone()),
                Statement::Update { filter, .. } | Statement::Delete { filter, .. } => {
                    full_key(Some(filter), &table.schema).ok().flatten()
                }
                Statement::Select(select) | Statement::Exists(select) => {
                    full_key(select.filter.as_ref(), &table.schema)
                        .ok()
                        .flatten()
                }
            };
            if let Some(key) = key {
                transact::add_replay_read(&mut units, table, &key);
            }
        }
        units
    }

    fn select_statement(
        &mut self,
        select: &Select,
        options: &ReadOptions,
    ) -> Result<Read, ServiceError> {
        let table = &*self.item_table(Some(&select.source.table))?;
        // PartiQL's words name no index, unlike Query's (moto's AWS-verified test).
        let index = match &select.source.index {
            Some(name) => Some(
                table
                    .index(name)
                    .map_err(|_| validation("The table does not have the specified index"))?,
            ),
            None => None,
        };
        if let Some(index) = index {
            refuse_multi_attribute_key(index)?;
        }
        if index.is_some_and(|i| i.global) && options.consistent {
            return Err(validation(
                "Strongly consistent read is not supported on Global Secondary Indexes",
            ));
        }
        let fetch = match index {
            Some(index) => index_fetch(index, select, &table.schema)?,
            None => Fetch::Whole,
        };
        let key_schema = index.map_or(&table.schema, |i| &i.keys);
        let pinned = pinned(select.filter.as_ref(), key_schema)?;
        let hash = pinned.get(&key_schema.hash.name);
        if let Some(name) = &select.ordered {
            if hash.is_none() {
                return Err(validation("Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause."));
            }
            if !key_schema.attrs().any(|a| a.name == *name) {
                return Err(validation(format!(
                    "Variable reference {name} in ORDER BY clause must be part of the primary key"
                )));
            }
        }
        let start = options
            .next_token
            .map(|token| start_of(options.statement, token))
            .transpose()?;
        let start = query::start_key(table, index, start.as_ref(), StartKeyReader::Scan)?;
        let filter = select.filter.as_ref();
        let projection = select.projection.as_deref();
        let name = table.def.name.clone();
        let gsi = index.filter(|i| i.global).map(|i| i.name.clone());
        let index_name = index.map(|i| i.name.clone());

        // The whole table key: one item, as GetItem reads it.
        if index.is_none() && pinned.len() == table.schema.attrs().count() {
            let found = start
                .is_none()
                .then(|| table.items.get(&table.schema.encode(&pinned)))
                .flatten();
            let bytes = found.map(item_size).unwrap_or(0);
            let items = found
                .filter(|item| filter.is_none_or(|f| f.matches(item)))
                .map(|item| project(item, projection))
                .into_iter()
                .collect();
            return Ok(Read {
                table: name,
                index: index_name,
                gsi,
                items,
                last_key: None,
                bytes,
                fetched_sizes: Vec::new(),
            });
        }

        // The partition key pinned: one partition in key order, as Query reads it, narrowed
        // by the sort key pinned or a range on it; else a Scan.
        let forward = !select.descending;
        let partition: Option<Vec<&AttributeValue>> = key_schema
            .hash_attrs()
            .map(|attr| pinned.get(&attr.name))
            .collect();
        let range = match partition {
            Some(values) => {
                let mut prefix = Vec::new();
                for value in values {
                    encode_scalar(value, &mut prefix);
                }
                let mut sort_attrs = key_schema.range_attrs();
                let mut next = sort_attrs.next();
                while let Some(value) = next.and_then(|attr| pinned.get(&attr.name)) {
                    encode_scalar(value, &mut prefix);
                    next = sort_attrs.next();
                }
                let sort = next
                    .zip(filter)
                    .and_then(|(key, cond)| sort_range(cond, key));
                query::after_start(query::key_range(&prefix, sort.as_ref()), start, forward)
            }
            None => query::after_start((Bound::Unbounded, Bound::Unbounded), start, true),
        };
        let empty = query::is_empty(&range);
        let entries: Box<dyn Iterator<Item = &Item>> = match (empty, index) {
            (true, _) => Box::new(std::iter::empty()),
            (false, None) => {
                let items = table.items.range(range).map(|(_, item)| item);
                if forward {
                    Box::new(items)
                } else {
                    Box::new(items.rev())
                }
            }
            (false, Some(index)) => {
                let items = index
                    .entries
                    .range(range)
                    .filter_map(|(_, key)| table.items.get(key));
                if forward {
                    Box::new(items)
                } else {
                    Box::new(items.rev())
                }
            }
        };
        // A fetch answers the whole item, for `project` below to select from.
        let view = View {
            table_keys: &table.schema,
            index,
            whole: fetch == Fetch::ForAnswer,
            projection: None,
            fetch,
        };
        let page = query::read_page(entries, &view, options.limit, filter, false);
        Ok(Read {
            table: name,
            index: index_name,
            gsi,
            items: page
                .items
                .iter()
                .map(|item| project(item, projection))
                .collect(),
            last_key: page.last_key,
            bytes: page.bytes,
            fetched_sizes: page.fetched_sizes,
        })
    }

    /// Checks a write statement against its table and prepares it, changing nothing.
    fn prepare_write_statement(
        &mut self,
        statement: &Statement,
        on_failure: Option<&ReturnValuesOnConditionCheckFailure>,
    ) -> Result<PreparedWrite, ServiceError> {
        match statement {
            Statement::Select(_) => unreachable!("reads are not prepared"),
            Statement::Exists(_) => Err(validation(EXISTS_OUTSIDE_TRANSACTION)),
            Statement::Insert { table, item } => {
                let item = normalise_put_item(item)?;
                let table = &*self.item_table(Some(table))?;
                // AWS: an INSERT of a key that exists is a DuplicateItemException.
                let absent = Cond::NotExists(hash_path(table));
                let write = table
                    .prepare_put(item, Some(&absent), None)
                    .map_err(|refusal| {
                        let e = ServiceError::from(refusal);
                        match e.code.as_str() {
                            "ConditionalCheckFailedException" => DUPLICATE_ITEM_EXCEPTION
                                .with_message("Duplicate primary key exists in table"),
                            _ => e,
                        }
                    })?;
                Ok(PreparedWrite {
                    write,
                    returning: None,
                    update: None,
                })
            }
            Statement::Update {
                table,
                update,
                filter,
                returning,
            } => {
                let table = &*self.item_table(Some(table))?;
                let key = full_key(Some(filter), &table.schema)?
                    .ok_or_else(|| validation(INCOMPLETE_KEY))?;
                expr::validate::update(update)?;
                // The WHERE is the condition: it names the key, so an absent item fails it
                // (AWS: UPDATE of a missing item is a ConditionalCheckFailedException).
                let write = table.prepare_update(&key, Some(filter), Some(update), on_failure)?;
                Ok(PreparedWrite {
                    write,
                    returning: *returning,
                    update: Some(update.clone()),
                })
            }
            Statement::Delete {
                table,
                filter,
                returning,
            } => {
                let table = &*self.item_table(Some(table))?;
                let key = full_key(Some(filter), &table.schema)?
                    .ok_or_else(|| validation(INCOMPLETE_KEY))?;
                // AWS: deleting a missing item succeeds with nothing deleted; an item whose
                // other conditions fail is a ConditionalCheckFailedException.
                let condition = Cond::Or(
                    Box::new(Cond::NotExists(hash_path(table))),
                    Box::new(filter.clone()),
                );
                let write = table.prepare_delete(&key, Some(&condition), on_failure)?;
                Ok(PreparedWrite {
                    write,
                    returning: *returning,
                    update: None,
                })
            }
        }
    }

    pub(in super::super) fn run_execute_statement(
        &mut self,
        input: ExecuteStatementInput,
    ) -> Result<ExecuteStatementOutput, ServiceError> {
        let mut errors = statement_errors(input.statement.as_deref(), "statement");
        if input.parameters.as_ref().is_some_and(Vec::is_empty) {
            errors.push("Value '[]' at 'parameters' failed to satisfy constraint: Member must have length greater than or equal to 1".into());
        }
        if let Some(limit) = input.limit.filter(|l| *l < 1) {
            errors.push(format!("Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"));
        }
        consumed_capacity_error(input.return_consumed_capacity.as_ref(), &mut errors);
        on_check_failure_error(
            input.return_values_on_condition_check_failure.as_ref(),
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let text = input.statement.as_deref().unwrap_or_default();
        let statement = parse::statement(text, input.parameters.as_deref().unwrap_or_default())?;
        let mode = input.return_consumed_capacity.as_ref();
        if let Statement::Select(select) = &statement {
            let consistent = input.consistent_read == Some(true);
            let read = self.select_statement(
                select,
                &ReadOptions {
                    statement: text,
                    consistent,
                    limit: input.limit,
                    next_token: input.next_token.as_deref(),
                },
            )?;
            let (units, fetched) = self.charge_statement_read(&read, consistent)?;
            // With INDEXES, a read of an index is itemised under the index, as Query does.
            let table = &*self.item_table(Some(&read.table))?;
            let index = read.index.as_deref().and_then(|n| table.index(n).ok());
            return Ok(ExecuteStatementOutput {
                next_token: read.last_key.as_ref().map(|k| next_token(text, k)),
                consumed_capacity: query::read_consumed(mode, &read.table, index, units, fetched),
                items: Some(read.items),
                last_evaluated_key: read.last_key,
            });
        }
        let prepared = self.prepare_write_statement(
            &statement,
            input.return_values_on_condition_check_failure.as_ref(),
        )?;
        self.charge_statement_write(&prepared.write)?;
        let capacity = write_consumed(mode, &prepared.write);
        let items = prepared.apply(self);
        Ok(ExecuteStatementOutput {
            items: Some(items),
            consumed_capacity: capacity,
            ..Default::default()
        })
    }

    pub(in super::super) fn run_batch_execute_statement(
        &mut self,
        input: BatchExecuteStatementInput,
    ) -> Result<BatchExecuteStatementOutput, ServiceError> {
        let mut errors = Vec::new();
        match &input.statements {
            None => errors.push("Value null at 'statements' failed to satisfy constraint: Member must not be null".to_string()),
            Some(list) if list.is_empty() => errors.push("Value '[]' at 'statements' failed to satisfy constraint: Member must have length greater than or equal to 1".to_string()),
            Some(list) if list.len() > MAX_BATCH => errors.push(format!("Value at 'statements' failed to satisfy constraint: Member must have length less than or equal to {MAX_BATCH}")),
            Some(list) => {
                for (i, request) in list.iter().enumerate() {
                    let at = format!("statements.{}.member.statement", i + 1);
                    errors.extend(statement_errors(request.statement.as_deref(), &at));
                    on_check_failure_error(
                        request.return_values_on_condition_check_failure.as_ref(),
                        &mut errors,
                    );
                }
            }
        }
        consumed_capacity_error(input.return_consumed_capacity.as_ref(), &mut errors);
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let requests = input.statements.unwrap_or_default();
        let parsed: Vec<Result<Statement, ServiceError>> = requests
            .iter()
            .map(|r| {
                parse::statement(
                    r.statement.as_deref().unwrap_or_default(),
                    r.parameters.as_deref().unwrap_or_default(),
                )
            })
            .collect();
        let kinds: BTreeSet<bool> = parsed.iter().flatten().map(Statement::is_read).collect();
        if kinds.len() > 1 {
            return Err(validation(
                "BatchExecuteStatement API does not support both read and write operations in the same request.",
            ));
        }
        let mut units = Units::default();
        let mut responses = Vec::new();
        for (request, statement) in requests.iter().zip(parsed) {
            let table = statement.as_ref().ok().map(|s| s.table().to_string());
            let outcome = statement.and_then(|statement| {
                let on_failure = request.return_values_on_condition_check_failure.as_ref();
                self.run_batch_statement(
                    &statement,
                    request.consistent_read == Some(true),
                    on_failure,
                    &mut units,
                )
            });
            responses.push(match outcome {
                Ok((table, item)) => BatchStatementResponse {
                    table_name: Some(table),
                    item,
                    error: None,
                },
                // A statement refused before it ran (its table unknown, its shape invalid)
                // names no table; one that ran and failed does (moto's tests and the
                // conformance suite, both from AWS).
                Err(error) => BatchStatementResponse {
                    table_name: table.filter(|_| {
                        !matches!(
                            error.code.as_str(),
                            "ResourceNotFoundException" | "ValidationException"
                        )
                    }),
                    item: None,
                    error: Some(batch_error(error)),
                },
            });
        }
        Ok(BatchExecuteStatementOutput {
            responses: Some(responses),
            consumed_capacity: units.report(input.return_consumed_capacity.as_ref()),
        })
    }

    /// One statement of a batch: a read by the whole key, or a write on its own.
    fn run_batch_statement(
        &mut self,
        statement: &Statement,
        consistent: bool,
        on_failure: Option<&ReturnValuesOnConditionCheckFailure>,
        units: &mut Units,
    ) -> Result<(String, Option<Item>), ServiceError> {
        if let Statement::Select(select) = statement {
            let (read, _) =
                self.read_statement_by_key(select, consistent, "BatchExecuteStatement")?;
            let (cost, fetched) = self.charge_statement_read(&read, consistent)?;
            units.add(&read.table, cost + fetched);
            return Ok((read.table, read.items.into_iter().next()));
        }
        let prepared = self.prepare_write_statement(statement, on_failure)?;
        let table = prepared.write.table.clone();
        self.charge_statement_write(&prepared.write)?;
        units.add_write(&prepared.write, 1.0);
        // A member's RETURNING clause answers its item in the member's response.
        let returned = prepared.apply(self);
        Ok((table, returned.into_iter().next()))
    }

    /// A SELECT that must pin the whole table key (batches and transactions), read as
    /// GetItem reads. Answers the read and the encoded key.
    fn read_statement_by_key(
        &mut self,
        select: &Select,
        consistent: bool,
        api: &str,
    ) -> Result<(Read, Vec<u8>), ServiceError> {
        if let Some(name) = &select.source.index {
            let table = self.item_table(Some(&select.source.table))?;
            if let Ok(index) = table.index(name) {
                refuse_multi_attribute_key(index)?;
            }
        }
        // An index holds no whole table key (ExecuteTransaction refuses index reads first).
        if select.source.index.is_some() || select.filter.as_ref().is_some_and(calls_a_function) {
            return Err(validation(format!(
                "Select statements within {api} must specify the primary key in the where clause."
            )));
        }
        let table = &*self.item_table(Some(&select.source.table))?;
        let key = full_key(select.filter.as_ref(), &table.schema)?.ok_or_else(|| {
            validation(format!(
                "Select statements within {api} must specify the primary key in the where clause."
            ))
        })?;
        let key = table.schema.encode(&key);
        let read = self.select_statement(
            select,
            &ReadOptions {
                statement: "",
                consistent,
                limit: None,
                next_token: None,
            },
        )?;
        Ok((read, key))
    }

    /// An EXISTS whose WHERE names its table's item and asks nothing more. (A missing table
    /// or an incomplete key is reported when the statement is prepared.)
    fn exists_is_no_condition(&mut self, select: &Select) -> bool {
        let Ok(table) = self.item_table(Some(&select.source.table)) else {
            return false;
        };
        let schema = &table.schema;
        let filter = select.filter.as_ref();
        matches!(full_key(filter, schema), Ok(Some(_)))
            && !filter.is_some_and(|f| beyond_the_key(f, schema))
    }

    pub(in super::super) fn run_execute_transaction(
        &mut self,
        input: ExecuteTransactionInput,
    ) -> Result<ExecuteTransactionOutput, ServiceError> {
        let mut errors = Vec::new();
        if input.transact_statements.is_none() {
            errors.push("Value null at 'transactStatements' failed to satisfy constraint: Member must not be null".to_string());
        }
        if let Some(token) = input.client_request_token.as_ref().filter(|t| t.len() > 36) {
            errors.push(format!("Value '{token}' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36"));
        }
        for (i, request) in input.transact_statements.iter().flatten().enumerate() {
            let at = format!("transactStatements.{}.member.statement", i + 1);
            errors.extend(statement_errors(request.statement.as_deref(), &at));
            on_check_failure_error(
                request.return_values_on_condition_check_failure.as_ref(),
                &mut errors,
            );
        }
        consumed_capacity_error(input.return_consumed_capacity.as_ref(), &mut errors);
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let requests = input.transact_statements.as_deref().unwrap_or_default();
        match requests.len() {
            0 => return Err(constraint_errors(&["Value '[]' at 'transactStatements' failed to satisfy constraint: Member must have length greater than or equal to 1".into()])),
            n if n > MAX_TRANSACTION => return Err(validation(format!(
                "1 validation error detected at 'transactStatements' failed to satisfy constraint: Member must have length less than or equal to {MAX_TRANSACTION}."
            ))),
            _ => {}
        }
        let statements = requests
            .iter()
            .map(|r| {
                parse::statement(
                    r.statement.as_deref().unwrap_or_default(),
                    r.parameters.as_deref().unwrap_or_default(),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let reads = statements.iter().filter(|s| s.is_read()).count();
        if reads > 0 && reads < statements.len() {
            return Err(validation(
                "ExecuteTransaction API does not support both read and write operations in the same request.",
            ));
        }
        for (at, statement) in statements.iter().enumerate() {
            let refused = match statement {
                Statement::Update {
                    returning: Some(_), ..
                }
                | Statement::Delete {
                    returning: Some(_), ..
                } => "RETURNING clause is not supported in ExecuteTransaction.",
                Statement::Select(select) if select.source.index.is_some() => {
                    "Reads on indices are not supported within transactions."
                }
                Statement::Select(select)
                    if select.filter.as_ref().is_some_and(calls_a_function) =>
                {
                    "Select statements within ExecuteTransaction must specify the primary key in the where clause."
                }
                Statement::Exists(select) if self.exists_is_no_condition(select) => {
                    "EXISTS() must contain a single item read with additional condition"
                }
                _ => continue,
            };
            return Err(validation(format!(
                "Validation failed in TransactStatements[{at}]: {refused}"
            )));
        }

        let now = self.ctx.now_millis;
        let request = serde_json::to_value(&input).expect("inputs serialise");
        let mode = input.return_consumed_capacity.as_ref();
        // The tokens of TransactWriteItems and ExecuteTransaction are kept apart.
        let token = input
            .client_request_token
            .as_ref()
            .map(|t| format!("partiql/{t}"));
        if let Some(token) = &token {
            if self.is_replay(token, &request, now)? {
                // AWS bills the replay as TransactWriteItems' (the conformance suite's
                // capture).
                let units = self.replay_units_of_statements(&statements);
                return Ok(ExecuteTransactionOutput {
                    responses: Some(Vec::new()),
                    consumed_capacity: units.report(mode),
                });
            }
        }

        let mut units = Units::transactional();
        let mut targets = BTreeSet::new();
        if reads > 0 {
            let mut responses = Vec::new();
            for statement in &statements {
                let Statement::Select(select) = statement else {
                    unreachable!("all reads")
                };
                let (read, key) = self.read_statement_by_key(select, true, "ExecuteTransaction")?;
                if !targets.insert((read.table.clone(), key)) {
                    return Err(validation(ONE_ITEM_ONCE));
                }
                // Transactional reads are strongly consistent and cost twice.
                let cost = 2.0 * read_units(read.bytes, true);
                self.charge_statement(&read.table, &Charge::read(None, cost))?;
                units.add(&read.table, cost);
                responses.push(ItemResponse {
                    item: read.items.into_iter().next(),
                });
            }
            return Ok(ExecuteTransactionOutput {
                responses: Some(responses),
                consumed_capacity: units.report(mode),
            });
        }

        let mut outcomes: Vec<Outcome> = Vec::new();
        for (statement, request) in statements.iter().zip(requests) {
            let on_failure = request.return_values_on_condition_check_failure.as_ref();
            let (target, outcome) = self.prepare_transaction_statement(statement, on_failure)?;
            if !targets.insert(target) {
                return Err(validation(ONE_ITEM_ONCE));
            }
            outcomes.push(outcome);
        }
        if outcomes.iter().any(Result::is_err) {
            return Err(transact::cancelled(&outcomes));
        }
        let charges: Vec<_> = outcomes.iter().flatten().map(Prepared::charge).collect();
        self.charge_transaction(&charges, &outcomes)?;
        for outcome in outcomes.into_iter().flatten() {
            match outcome {
                Prepared::Write(write) => {
                    units.add_write(&write, 2.0);
                    self.apply(write);
                }
                Prepared::Checked { table, units: cost } => {
                    units.add_write_units(&table, 2.0 * cost)
                }
            }
        }
        if let Some(token) = token {
            self.remember_token(token, request, now);
        }
        // A transaction of writes answers an empty Responses list (the conformance suite's
        // capture), not none.
        Ok(ExecuteTransactionOutput {
            responses: Some(Vec::new()),
            consumed_capacity: units.report(mode),
        })
    }

    /// One write of a transaction: the item it targets and the prepared action, or the
    /// reason it would cancel the transaction. Errors of the request itself (an unknown
    /// table, a WHERE without the key) fail the whole call.
    fn prepare_transaction_statement(
        &mut self,
        statement: &Statement,
        on_failure: Option<&ReturnValuesOnConditionCheckFailure>,
    ) -> Result<(transact::Target, Outcome), ServiceError> {
        if let Statement::Exists(select) = statement {
            if select.source.index.is_some() {
                return Err(validation(
                    "Operations on indices are not supported in transactions",
                ));
            }
            let table = &*self.item_table(Some(&select.source.table))?;
            let key = full_key(select.filter.as_ref(), &table.schema)?.ok_or_else(|| {
                validation("EXISTS() must contain a single item read with additional condition")
            })?;
            let condition = select.filter.as_ref().expect("a key was pinned");
            let target = (table.def.name.clone(), table.schema.encode(&key));
            let outcome = table
                .check_condition(&key, condition, on_failure)
                .map(|units| Prepared::Checked {
                    table: table.def.name.clone(),
                    units,
                });
            return Ok((target, outcome));
        }
        let table = self.item_table(Some(statement.table()))?;
        let name = table.def.name.clone();
        let key = match statement {
            Statement::Insert { item, .. } => {
                let item = normalise_put_item(item)?;
                table
                    .schema
                    .check_item(&item)
                    .map_err(super::super::errors::validation)?;
                table.schema.encode(&item)
            }
            Statement::Update { filter, .. } | Statement::Delete { filter, .. } => {
                let key = full_key(Some(filter), &table.schema)?
                    .ok_or_else(|| validation(INCOMPLETE_KEY))?;
                table.schema.encode(&key)
            }
            _ => unreachable!("writes only"),
        };
        let outcome = self
            .prepare_write_statement(statement, on_failure)
            .map(|p| Prepared::Write(p.write));
        Ok(((name, key), outcome))
    }
}

/// The Statement member's constraints (1 to 8192 characters).
fn statement_errors(statement: Option<&str>, at: &str) -> Vec<String> {
    match statement {
        None => vec![format!(
            "Value null at '{at}' failed to satisfy constraint: Member must not be null"
        )],
        Some("") => vec![format!("Value '' at '{at}' failed to satisfy constraint: Member must have length greater than or equal to 1")],
        Some(s) if s.chars().count() > MAX_STATEMENT_LENGTH => vec![format!("Value '{s}' at '{at}' failed to satisfy constraint: Member must have length less than or equal to {MAX_STATEMENT_LENGTH}")],
        Some(_) => Vec::new(),
    }
}

/// A batch statement's error entry: AWS's BatchStatementErrorCodeEnum names the error
/// without "Exception" (ValidationError for a ValidationException).
fn batch_error(error: ServiceError) -> BatchStatementError {
    let code = match error.code.as_str() {
        "ValidationException" => "ValidationError",
        "ThrottlingException" => "ThrottlingError",
        other => other.strip_suffix("Exception").unwrap_or(other),
    };
    BatchStatementError {
        code: serde_json::from_value(json!(code)).ok(),
        message: Some(error.message.clone()),
        item: error
            .fields
            .get("Item")
            .and_then(|item| serde_json::from_value(item.clone()).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_columns_take_their_last_name() {
        let path = vec![
            Step::Name("m".into()),
            Step::Name("k".into()),
            Step::Index(1),
        ];
        assert_eq!(column_name(&path), "k[1]");
        assert_eq!(column_name(&vec![Step::Name("a".into())]), "a");
    }

    #[test]
    fn next_tokens_belong_to_their_statement() {
        let key: Item = [(
            "pk".to_string(),
            AttributeValue {
                s: Some("a".into()),
                ..Default::default()
            },
        )]
        .into();
        let token = next_token("SELECT * FROM t", &key);
        assert_eq!(start_of("SELECT * FROM t", &token).unwrap(), key);
        assert_eq!(
            start_of("SELECT * FROM u", &token).unwrap_err().message,
            "NextToken does not match request"
        );
        assert_eq!(
            start_of("SELECT * FROM t", "!!").unwrap_err().message,
            "Invalid NextToken"
        );
    }
}
