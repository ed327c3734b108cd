//! DynamoDB: tables and items.
//!
//! Items live per table in a `BTreeMap` keyed by an order-preserving encoding of their
//! primary key ([`value::KeySchema::encode`]), so one partition's items are contiguous and
//! sorted by sort key, ready for Query.
//!
//! Records: `table/<name>` holds the [`table::TableDef`] and `table/<name>/item/<hex key>`
//! each item, so a table's record sorts before its items and DeleteTable removes the items
//! with one prefix delete. Table names cannot contain `/`. Stream records live at
//! `table/<name>/stream/<label>/<sequence number>`; a deleted table's streams, kept 24 hours,
//! move to `dropped/<table id>` (see `stream`).
//!
//! Secondary indexes (`index`) live beside the items in memory, updated by `Table::insert`
//! and `Table::remove`, and have no records: restoring the items rebuilds them.
//!
//! Every item write goes through `write`: prepared against the table without changing it,
//! then applied, and applying appends the change's stream record (`stream`). The batches
//! (`batch`) and transactions (`transact`) prepare all their writes before applying any, so
//! a refused batch or a cancelled transaction changes nothing and a successful one lands in
//! the call's one changeset.
//!
//! Every read and write of a PROVISIONED table is charged, in the units
//! ReturnConsumedCapacity reports, to token buckets of the table and its GSIs (`capacity`,
//! memory only); one its buckets cannot pay is refused before it changes anything. Billing
//! modes, UpdateTable's capacity rules and the account quotas are in `table`; tags, kept in
//! the table's definition, in `tags`.

mod backup;
mod batch;
mod capacity;
mod errors;
mod expr;
pub mod import_export;
mod index;
mod key_condition;
mod number;
mod partiql;
mod path;
mod policy_document;
mod query;
mod reserved;
mod resource_policy;
mod stream;
mod table;
mod tags;
mod transact;
mod ttl;
mod value;
mod write;

use std::collections::BTreeMap;

use nimbus_shapes::{
    dynamodb::{
        AttributeValue, AttributeValueUpdate, Capacity, ConditionalOperator, ConsumedCapacity,
        CreateTableInput, CreateTableOutput, DeleteItemInput, DeleteItemOutput, DeleteTableInput,
        DeleteTableOutput, DescribeEndpointsRequest, DescribeEndpointsResponse,
        DescribeLimitsInput, DescribeLimitsOutput, DescribeTableInput, DescribeTableOutput,
        DynamoDb, Endpoint, ExpectedAttributeValue, GetItemInput, GetItemOutput,
        ItemCollectionMetrics, ListTablesInput, ListTablesOutput, ListTagsOfResourceInput,
        ListTagsOfResourceOutput, PutItemInput, PutItemOutput, ReturnConsumedCapacity,
        ReturnItemCollectionMetrics, ReturnValue, ReturnValuesOnConditionCheckFailure, TableStatus,
        TagResourceInput, UntagResourceInput, UpdateItemInput, UpdateItemOutput,
    },
    ServiceError,
};

use self::{
    errors::{
        attributes_to_get_errors, constraint_errors, item_table_name_errors, item_table_not_found,
        table_name_check, table_not_found, validation,
    },
    expr::{
        ast::{Cond, Update},
        Placeholders,
    },
    table::TableDef,
    value::{item_size, normalise_item, Family, Item, KeySchema},
};
use crate::{
    emulator::{Ctx, Scope},
    services::record_key,
};

pub use self::stream::{StreamArn, StreamsHandler};

const SERVICE: &str = "dynamodb";

/// All DynamoDB state, per account and region.
#[derive(Default)]
pub struct State {
    scopes: BTreeMap<Scope, Tables>,
}

#[derive(Default)]
struct Tables {
    tables: BTreeMap<String, Table>,
    /// TransactWriteItems' ClientRequestTokens of the last ten minutes. Kept in memory only:
    /// a restart forgets them, as it would end any client's retry loop.
    tokens: BTreeMap<String, transact::TokenUse>,
    /// The last stream sequence number given out in this scope.
    last_seq: u128,
    /// Deleted tables, by table id, kept (without items) while their streams are readable.
    dropped: BTreeMap<String, Table>,
    /// Resource-based policies of tables and streams (`resource_policy`).
    policies: resource_policy::Policies,
    /// Backups and point-in-time recovery settings (`backup`).
    backups: backup::Backups,
    /// Imports from and exports to S3 (`import_export`).
    transfers: import_export::Transfers,
}

struct Table {
    def: TableDef,
    schema: KeySchema,
    items: BTreeMap<Vec<u8>, Item>,
    /// The secondary indexes, maintained by `insert` and `remove`.
    indexes: Vec<index::Index>,
    /// The sum of the items' sizes, kept as items come and go.
    size_bytes: usize,
    /// Each stream's records, by stream label (see `stream`).
    logs: BTreeMap<String, stream::Log>,
    /// A deleted table kept for its streams.
    dropped: bool,
    /// Provisioned-throughput token buckets (memory only, see `capacity`).
    buckets: capacity::Buckets,
    /// The items by Time to Live expiry, when TTL is on (see `ttl`).
    expiries: ttl::Expiries,
}

impl Table {
    fn new(mut def: TableDef) -> Self {
        // Records from before streams were tracked one by one: the enabled stream is the
        // one opened with the table.
        if def.streams.is_empty() {
            def.open_initial_stream();
        }
        Table {
            schema: def.schema(),
            indexes: index::Index::all(&def),
            def,
            items: BTreeMap::new(),
            size_bytes: 0,
            logs: BTreeMap::new(),
            dropped: false,
            buckets: capacity::Buckets::default(),
            expiries: ttl::Expiries::default(),
        }
    }

    fn insert(&mut self, key: Vec<u8>, item: Item) -> Option<Item> {
        self.size_bytes += item_size(&item);
        for index in &mut self.indexes {
            if let Some(old) = self.items.get(&key) {
                index.remove(&key, old);
            }
            index.add(&key, &item);
        }
        let attr = self.def.ttl_attribute.as_deref();
        self.expiries
            .follow(attr, &key, self.items.get(&key), Some(&item));
        let old = self.items.insert(key, item);
        self.size_bytes -= old.as_ref().map(item_size).unwrap_or(0);
        old
    }

    fn remove(&mut self, key: &[u8]) -> Option<Item> {
        let old = self.items.remove(key);
        if let Some(old) = &old {
            for index in &mut self.indexes {
                index.remove(key, old);
            }
            let attr = self.def.ttl_attribute.as_deref();
            self.expiries.follow(attr, key, Some(old), None);
        }
        self.size_bytes -= old.as_ref().map(item_size).unwrap_or(0);
        old
    }

    /// One item by a normalised key, projected, with the read units it costs (GetItem,
    /// BatchGetItem, TransactGetItems).
    fn read(
        &self,
        key: &Item,
        projection: Option<&[path::Path]>,
        consistent: bool,
    ) -> Result<(Option<Item>, f64), ServiceError> {
        self.schema.check_key(key).map_err(validation)?;
        let found = self.items.get(&self.schema.encode(key));
        let units = read_units(found.map(item_size).unwrap_or(0), consistent);
        let item = found.map(|item| match projection {
            Some(paths) => path::project(item, paths),
            None => item.clone(),
        });
        Ok((item, units))
    }

    fn describe(&self, status: TableStatus) -> nimbus_shapes::dynamodb::TableDescription {
        self.def.describe(
            status,
            |name| self.index_stats(name),
            (self.items.len(), self.size_bytes),
            None,
        )
    }

    /// `describe` at the playground's time `now` (NumberOfDecreasesToday resets at midnight).
    fn describe_at(
        &self,
        status: TableStatus,
        now: i64,
    ) -> nimbus_shapes::dynamodb::TableDescription {
        self.def.describe(
            status,
            |name| self.index_stats(name),
            (self.items.len(), self.size_bytes),
            Some(now),
        )
    }

    /// ReturnItemCollectionMetrics SIZE: only a table with a local secondary index has item
    /// collections (the items sharing a partition key, with their LSI entries). AWS gives
    /// the size as a range of whole gigabytes around its estimate.
    fn collection_metrics(
        &self,
        mode: Option<&ReturnItemCollectionMetrics>,
        key: &Item,
    ) -> Option<ItemCollectionMetrics> {
        if mode != Some(&ReturnItemCollectionMetrics::Size)
            || self.def.local_secondary_indexes.is_empty()
        {
            return None;
        }
        let hash = &self.schema.hash.name;
        let value = key.get(hash)?;
        let mut prefix = Vec::new();
        value::encode_scalar(value, &mut prefix);
        let mut bytes = 0;
        for (item_key, item) in self.items.range(prefix.clone()..) {
            if !item_key.starts_with(&prefix) {
                break;
            }
            bytes += item_size(item);
            bytes += self
                .indexes
                .iter()
                .filter(|i| !i.global && i.entry_key(item_key, item).is_some())
                .map(|i| item_size(&i.project(item, &self.schema)))
                .sum::<usize>();
        }
        let gb = (bytes as f64 / (1u64 << 30) as f64).floor();
        Some(ItemCollectionMetrics {
            item_collection_key: Some(Item::from([(hash.clone(), value.clone())])),
            size_estimate_range_gb: Some(vec![gb, gb + 1.0]),
        })
    }
}

fn table_record(scope: &Scope, name: &str) -> String {
    record_key(SERVICE, scope, &["table", name])
}

fn item_record(scope: &Scope, name: &str, key: &[u8]) -> String {
    record_key(SERVICE, scope, &["table", name, "item", &hex::encode(key)])
}

pub struct Handler<'a, 'b> {
    pub state: &'a mut State,
    pub ctx: &'a mut Ctx<'b>,
}

/// `ReturnConsumedCapacity`, as AWS reckons it: reads in 4 KB units (half for eventually
/// consistent reads), writes in 1 KB units, at least one unit.
fn consumed(
    mode: Option<&ReturnConsumedCapacity>,
    table: &str,
    units: f64,
) -> Option<ConsumedCapacity> {
    match mode? {
        ReturnConsumedCapacity::Total => Some(ConsumedCapacity {
            table_name: Some(table.to_string()),
            capacity_units: Some(units),
            ..Default::default()
        }),
        ReturnConsumedCapacity::Indexes => Some(ConsumedCapacity {
            table_name: Some(table.to_string()),
            capacity_units: Some(units),
            table: Some(Capacity {
                capacity_units: Some(units),
                ..Default::default()
            }),
            ..Default::default()
        }),
        _ => None,
    }
}

/// ReturnConsumedCapacity of a single-item write: TOTAL counts the indexes' writes too;
/// INDEXES itemises them.
fn write_consumed(
    mode: Option<&ReturnConsumedCapacity>,
    write: &write::Write,
) -> Option<ConsumedCapacity> {
    let mut answer = consumed(mode, &write.table, write.total_units())?;
    if mode == Some(&ReturnConsumedCapacity::Indexes) {
        answer.table = Some(Capacity {
            capacity_units: Some(write.units),
            ..Default::default()
        });
        for (name, global, units) in &write.index_units {
            let map = if *global {
                &mut answer.global_secondary_indexes
            } else {
                &mut answer.local_secondary_indexes
            };
            map.get_or_insert_with(BTreeMap::new).insert(
                name.clone(),
                Capacity {
                    capacity_units: Some(*units),
                    ..Default::default()
                },
            );
        }
    }
    Some(answer)
}

fn write_units(size: usize) -> f64 {
    size.div_ceil(1024).max(1) as f64
}

fn read_units(size: usize, consistent: bool) -> f64 {
    let units = size.div_ceil(4096).max(1) as f64;
    if consistent {
        units
    } else {
        units / 2.0
    }
}

fn enum_error(field: &str, value: &str, allowed: &str) -> String {
    format!(
        "Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy enum value set: [{allowed}]"
    )
}

/// Shared request-shape checks of the item operations.
fn consumed_capacity_error(mode: Option<&ReturnConsumedCapacity>, errors: &mut Vec<String>) {
    if let Some(ReturnConsumedCapacity::Unknown(v)) = mode {
        errors.push(enum_error(
            "returnConsumedCapacity",
            v,
            "INDEXES, TOTAL, NONE",
        ));
    }
}

fn return_values_error(mode: Option<&ReturnValue>, errors: &mut Vec<String>) {
    if let Some(ReturnValue::Unknown(v)) = mode {
        errors.push(enum_error(
            "returnValues",
            v,
            "ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW",
        ));
    }
}

fn on_check_failure_error(
    mode: Option<&ReturnValuesOnConditionCheckFailure>,
    errors: &mut Vec<String>,
) {
    if let Some(ReturnValuesOnConditionCheckFailure::Unknown(v)) = mode {
        errors.push(enum_error(
            "returnValuesOnConditionCheckFailure",
            v,
            "ALL_OLD, NONE",
        ));
    }
}

/// The request checks PutItem and DeleteItem share, reported together in AWS's
/// "N validation errors detected" envelope; `member` names the required item or key.
/// Gives whether the old image was asked for.
fn check_write_request(
    table_name: Option<&str>,
    (member, present): (&str, bool),
    return_values: Option<&ReturnValue>,
    consumed: Option<&ReturnConsumedCapacity>,
    metrics: Option<&ReturnItemCollectionMetrics>,
    on_check_failure: Option<&ReturnValuesOnConditionCheckFailure>,
) -> Result<bool, ServiceError> {
    let mut errors = item_table_name_errors(table_name);
    if !present {
        errors.push(format!(
            "Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ));
    }
    return_values_error(return_values, &mut errors);
    consumed_capacity_error(consumed, &mut errors);
    batch::item_collection_metrics_error(metrics, &mut errors);
    on_check_failure_error(on_check_failure, &mut errors);
    if !errors.is_empty() {
        return Err(constraint_errors(&errors));
    }
    check_return_values(return_values)
}

/// PutItem and DeleteItem answer only the old image (the UPDATED_* and ALL_NEW modes
/// belong to UpdateItem).
fn check_return_values(mode: Option<&ReturnValue>) -> Result<bool, ServiceError> {
    match mode {
        None | Some(ReturnValue::None) => Ok(false),
        Some(ReturnValue::AllOld) => Ok(true),
        Some(_) => Err(validation("Return values set to invalid value")),
    }
}

/// The expression parameters of an item write, checked before anything is looked up.
struct WriteExpressions<'a> {
    expected: Option<&'a BTreeMap<String, ExpectedAttributeValue>>,
    conditional_operator: Option<&'a ConditionalOperator>,
    attribute_updates: Option<&'a BTreeMap<String, AttributeValueUpdate>>,
    condition: Option<&'a String>,
    /// UpdateItem's UpdateExpression; `None` for PutItem and DeleteItem.
    update: Option<Option<&'a String>>,
    names: Option<&'a BTreeMap<String, String>>,
    values: Option<&'a BTreeMap<String, AttributeValue>>,
}

impl<'a> WriteExpressions<'a> {
    /// The parameters of a write that has a condition but no update (PutItem, DeleteItem,
    /// and their forms in batches and transactions).
    fn condition_only(
        expected: Option<&'a BTreeMap<String, ExpectedAttributeValue>>,
        conditional_operator: Option<&'a ConditionalOperator>,
        condition: Option<&'a String>,
        names: Option<&'a BTreeMap<String, String>>,
        values: Option<&'a BTreeMap<String, AttributeValue>>,
    ) -> Self {
        WriteExpressions {
            expected,
            conditional_operator,
            attribute_updates: None,
            condition,
            update: None,
            names,
            values,
        }
    }
}

impl WriteExpressions<'_> {
    fn parse(&self) -> Result<(Option<Cond>, Option<Update>), ServiceError> {
        let update_text = self.update.flatten();
        let expressions = [
            ("UpdateExpression", update_text.is_some()),
            ("ConditionExpression", self.condition.is_some()),
        ];
        expr::validate::check_not_mixed(
            &[
                ("AttributeUpdates", self.attribute_updates.is_some()),
                ("Expected", self.expected.is_some()),
                ("ConditionalOperator", self.conditional_operator.is_some()),
            ],
            &expressions,
        )?;
        if !expressions.iter().any(|(_, given)| *given) {
            if self.names.is_some() {
                return Err(validation(
                    "ExpressionAttributeNames can only be specified when using expressions",
                ));
            }
            if self.values.is_some() {
                let null = if self.update.is_some() {
                    "UpdateExpression and ConditionExpression are null"
                } else {
                    "ConditionExpression is null"
                };
                return Err(validation(format!(
                    "ExpressionAttributeValues can only be specified when using expressions: {null}"
                )));
            }
            // No Expected joins no conditions, which a ConditionalOperator refuses.
            let condition = expr::legacy::expected(
                self.expected.unwrap_or(&BTreeMap::new()),
                self.conditional_operator,
            )?;
            let update = self
                .attribute_updates
                .map(expr::legacy::attribute_updates)
                .transpose()?;
            return Ok((condition, update));
        }
        let mut placeholders = Placeholders::new(self.names, self.values)?;
        let update = update_text
            .map(|text| expr::parse::update(text, &mut placeholders))
            .transpose()?;
        let condition = self
            .condition
            .map(|text| expr::parse::condition(text, "ConditionExpression", &mut placeholders))
            .transpose()?;
        placeholders.check_all_used()?;
        Ok((condition, update))
    }
}

fn condition_failed(
    old: Option<&Item>,
    on_failure: Option<&ReturnValuesOnConditionCheckFailure>,
) -> ServiceError {
    let error = nimbus_shapes::dynamodb::errors::CONDITIONAL_CHECK_FAILED_EXCEPTION
        .with_message("The conditional request failed");
    match (old, on_failure) {
        (Some(item), Some(ReturnValuesOnConditionCheckFailure::AllOld)) => {
            error.with_field("Item", serde_json::to_value(item).expect("items serialise"))
        }
        _ => error,
    }
}

/// PutItem wraps the set errors in the request-validation envelope; others stay bare.
fn normalise_put_item(item: &Item) -> Result<Item, ServiceError> {
    normalise_item(item).map_err(|e| {
        if e.family == Family::Set {
            constraint_errors(&[e.message])
        } else {
            validation(e.message)
        }
    })
}

/// A read that names its projection both ways: ProjectionExpression and AttributesToGet.
fn mixed_projection() -> ServiceError {
    validation(
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
    )
}

/// The projection of a read: ProjectionExpression (with its names) or the legacy
/// AttributesToGet, never both.
fn parse_projection(
    expression: Option<&String>,
    attributes_to_get: Option<&[String]>,
    names: Option<&BTreeMap<String, String>>,
) -> Result<Option<Vec<path::Path>>, ServiceError> {
    if attributes_to_get.is_some() && expression.is_some() {
        return Err(mixed_projection());
    }
    match expression {
        Some(text) => {
            let mut placeholders = Placeholders::new(names, None)?;
            let projection = expr::parse::projection(text, &mut placeholders)?;
            placeholders.check_all_used()?;
            Ok(Some(projection))
        }
        None => {
            if names.is_some() {
                return Err(validation(
                    "ExpressionAttributeNames can only be specified when using expressions",
                ));
            }
            attributes_to_get
                .map(expr::legacy::attributes_to_get)
                .transpose()
        }
    }
}

/// A key parameter's values: checked like item values, but set errors stay bare.
fn normalise_key(key: &Item) -> Result<Item, ServiceError> {
    normalise_item(key).map_err(|e| validation(e.message))
}

/// A table name or ARN -> the name in `scope`; `None` for an ARN of another account or
/// region (answered as not found).
fn local_name(scope: &Scope, name_or_arn: &str) -> Option<String> {
    let Some(rest) = name_or_arn.strip_prefix("arn:") else {
        return Some(name_or_arn.to_string());
    };
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    match parts.as_slice() {
        [_partition, "dynamodb", region, account, resource]
            if *region == scope.region && *account == scope.account_id =>
        {
            resource
                .strip_prefix("table/")
                .filter(|n| !n.contains('/'))
                .map(str::to_string)
        }
        _ => None,
    }
}

impl State {
    fn tables(&mut self, scope: &Scope) -> &mut Tables {
        self.scopes.entry(scope.clone()).or_default()
    }

    fn table(&mut self, scope: &Scope, name_or_arn: &str) -> Option<&mut Table> {
        let name = local_name(scope, name_or_arn)?;
        self.tables(scope).tables.get_mut(&name)
    }
}

impl Handler<'_, '_> {
    fn scope_tables(&mut self) -> &mut Tables {
        self.state.tables(&self.ctx.scope())
    }

    fn table(&mut self, name_or_arn: &str) -> Option<&mut Table> {
        self.state.table(&self.ctx.scope(), name_or_arn)
    }

    /// The provisioned units the scope's tables hold, but for `except`'s (the account quota).
    fn reserved_units(&mut self, except: Option<&str>) -> (i64, i64) {
        self.scope_tables()
            .tables
            .values()
            .filter(|t| Some(t.def.name.as_str()) != except)
            .map(|t| table::reserved_units(&t.def))
            .fold((0, 0), |(r, w), (a, b)| (r + a, w + b))
    }

    /// ReturnItemCollectionMetrics of a write to `table` (after it is applied).
    fn collection_metrics(
        &mut self,
        table: &str,
        mode: Option<&ReturnItemCollectionMetrics>,
        key: &Item,
    ) -> Option<ItemCollectionMetrics> {
        self.table(table)?.collection_metrics(mode, key)
    }

    /// The table an item operation names; item operations answer a missing table
    /// without naming it.
    fn item_table(&mut self, name_or_arn: Option<&str>) -> Result<&mut Table, ServiceError> {
        self.table(name_or_arn.unwrap_or_default())
            .ok_or_else(item_table_not_found)
    }
}

impl DynamoDb for Handler<'_, '_> {
    fn create_table(&mut self, input: CreateTableInput) -> Result<CreateTableOutput, ServiceError> {
        let mut def = table::validate_create(&input)?;
        def.tags = tags::create_tags(input.tags.as_deref())?;
        if let Some(document) = &input.resource_policy {
            resource_policy::check_document(document)?;
        }
        let name = input.table_name.clone().unwrap_or_default();
        if self.scope_tables().tables.contains_key(&name) {
            return Err(nimbus_shapes::dynamodb::errors::RESOURCE_IN_USE_EXCEPTION
                .with_message(format!("Table already exists: {name}")));
        }
        let scope = self.ctx.scope();
        table::check_create_limits(&def, &scope.region, self.reserved_units(None))?;
        def.arn = format!(
            "arn:aws:dynamodb:{}:{}:table/{name}",
            scope.region, scope.account_id
        );
        def.table_id = self.ctx.ids.uuid();
        def.created_millis = self.ctx.now_millis;
        if def.billing_mode == nimbus_shapes::dynamodb::BillingMode::PayPerRequest {
            def.pay_per_request_millis = Some(def.created_millis);
        }
        def.name = name.clone();
        def.open_initial_stream();
        self.ctx.persist(table_record(&scope, &name), &def);
        let table = Table::new(def);
        // AWS answers CREATING and turns ACTIVE later; Nimbus has no provisioning delay, so
        // the table is usable at once and says so. The answer lacks what DescribeTable adds
        // later: warm throughput not asked for, the time on demand began (ack-api-quirks
        // DDB-TABLE-033, 138).
        let mut description = table.describe(TableStatus::Active);
        if input.warm_throughput.is_none() {
            description.warm_throughput = None;
        }
        let asked_warm = |name: &Option<String>| {
            input
                .global_secondary_indexes
                .iter()
                .flatten()
                .any(|i| &i.index_name == name && i.warm_throughput.is_some())
        };
        for gsi in description.global_secondary_indexes.iter_mut().flatten() {
            if !asked_warm(&gsi.index_name) {
                gsi.warm_throughput = None;
            }
        }
        if let Some(summary) = &mut description.billing_mode_summary {
            summary.last_update_to_pay_per_request_date_time = None;
        }
        let table_id = table.def.table_id.clone();
        self.scope_tables().tables.insert(name.clone(), table);
        if let Some(document) = input.resource_policy {
            self.attach_create_policy(&name, &table_id, document);
        }
        Ok(CreateTableOutput {
            table_description: Some(description),
        })
    }

    fn describe_table(
        &mut self,
        input: DescribeTableInput,
    ) -> Result<DescribeTableOutput, ServiceError> {
        table_name_check(input.table_name.as_deref())?;
        let name = input.table_name.unwrap_or_default();
        let now = self.ctx.now_millis;
        let table = self.table(&name).ok_or_else(|| table_not_found(&name))?;
        let mut description = table.describe_at(TableStatus::Active, now);
        let table_id = table.def.table_id.clone();
        description.restore_summary = self.scope_tables().backups.restore_summary(&table_id);
        Ok(DescribeTableOutput {
            table: Some(description),
        })
    }

    fn list_tables(&mut self, input: ListTablesInput) -> Result<ListTablesOutput, ServiceError> {
        let mut errors = Vec::new();
        match input.limit {
            Some(limit) if limit < 1 => errors.push(format!("Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")),
            Some(limit) if limit > 100 => errors.push(format!("Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100")),
            _ => {}
        }
        if let Some(start) = &input.exclusive_start_table_name {
            errors.extend(
                errors::create_table_name_errors(Some(start))
                    .into_iter()
                    .map(|e| e.replace("at 'tableName'", "at 'exclusiveStartTableName'")),
            );
        }
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let limit = input.limit.unwrap_or(100) as usize;
        let tables = &self.scope_tables().tables;
        let mut names = tables.keys().filter(|name| {
            input
                .exclusive_start_table_name
                .as_ref()
                .is_none_or(|start| *name > start)
        });
        let page: Vec<String> = names.by_ref().take(limit).cloned().collect();
        let more = names.next().is_some();
        Ok(ListTablesOutput {
            last_evaluated_table_name: if more { page.last().cloned() } else { None },
            table_names: Some(page),
        })
    }

    fn delete_table(&mut self, input: DeleteTableInput) -> Result<DeleteTableOutput, ServiceError> {
        table_name_check(input.table_name.as_deref())?;
        let name_or_arn = input.table_name.unwrap_or_default();
        let table = self
            .table(&name_or_arn)
            .ok_or_else(|| table_not_found(&name_or_arn))?;
        if table.def.deletion_protection {
            return Err(validation(
                "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
            ));
        }
        let name = table.def.name.clone();
        // AWS's answer leaves out the table's shape: no keys, definitions, indexes or
        // creation time (the DeleteTable reference's example; ScyllaDB's Alternator tests,
        // run against DynamoDB).
        let description = nimbus_shapes::dynamodb::TableDescription {
            key_schema: None,
            attribute_definitions: None,
            global_secondary_indexes: None,
            local_secondary_indexes: None,
            creation_date_time: None,
            warm_throughput: None,
            ..table.describe(TableStatus::Deleting)
        };
        let scope = self.ctx.scope();
        let record = table_record(&scope, &name);
        self.ctx.changes.delete(record.clone());
        self.ctx.changes.delete_prefix(format!("{record}/"));
        let tables = self.state.tables(&scope);
        if let Some(mut table) = tables.tables.remove(&name) {
            tables.backups.forget_table(&table.def.table_id);
            if table.retire_streams(&scope, self.ctx) {
                tables.dropped.insert(table.def.table_id.clone(), table);
            }
        }
        Ok(DeleteTableOutput {
            table_description: Some(description),
        })
    }

    fn put_item(&mut self, input: PutItemInput) -> Result<PutItemOutput, ServiceError> {
        let return_old = check_write_request(
            input.table_name.as_deref(),
            ("item", input.item.is_some()),
            input.return_values.as_ref(),
            input.return_consumed_capacity.as_ref(),
            input.return_item_collection_metrics.as_ref(),
            input.return_values_on_condition_check_failure.as_ref(),
        )?;
        let (condition, _) = WriteExpressions::condition_only(
            input.expected.as_ref(),
            input.conditional_operator.as_ref(),
            input.condition_expression.as_ref(),
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
        )
        .parse()
        .map_err(errors::in_item_write)?;
        let item = normalise_put_item(input.item.as_ref().expect("checked above"))?;
        let now = self.ctx.now_millis;
        let table = self.item_table(input.table_name.as_deref())?;
        let write = match table.prepare_put(
            item.clone(),
            condition.as_ref(),
            input.return_values_on_condition_check_failure.as_ref(),
        ) {
            Ok(write) => write,
            Err(refusal) => return Err(table.charge_refused_write(refusal.into(), &item, now)),
        };
        table.consume(&capacity::Charge::write(&write, 1.0), now)?;
        let capacity = write_consumed(input.return_consumed_capacity.as_ref(), &write);
        let table_name = write.table.clone();
        let old = self.apply(write);
        Ok(PutItemOutput {
            attributes: old.filter(|_| return_old),
            consumed_capacity: capacity,
            item_collection_metrics: self.collection_metrics(
                &table_name,
                input.return_item_collection_metrics.as_ref(),
                &item,
            ),
        })
    }

    fn get_item(&mut self, input: GetItemInput) -> Result<GetItemOutput, ServiceError> {
        let mut errors = item_table_name_errors(input.table_name.as_deref());
        if input.key.is_none() {
            errors.push(
                "Value null at 'key' failed to satisfy constraint: Member must not be null".into(),
            );
        }
        attributes_to_get_errors(input.attributes_to_get.as_ref(), &mut errors);
        consumed_capacity_error(input.return_consumed_capacity.as_ref(), &mut errors);
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let projection = parse_projection(
            input.projection_expression.as_ref(),
            input.attributes_to_get.as_deref(),
            input.expression_attribute_names.as_ref(),
        )?;
        let key = normalise_key(input.key.as_ref().expect("checked above"))?;
        let now = self.ctx.now_millis;
        let table = self.item_table(input.table_name.as_deref())?;
        let consistent = input.consistent_read == Some(true);
        let (item, units) = table.read(&key, projection.as_deref(), consistent)?;
        table.consume(&capacity::Charge::read(None, units), now)?;
        Ok(GetItemOutput {
            item,
            consumed_capacity: consumed(
                input.return_consumed_capacity.as_ref(),
                &table.def.name,
                units,
            ),
        })
    }

    fn delete_item(&mut self, input: DeleteItemInput) -> Result<DeleteItemOutput, ServiceError> {
        let return_old = check_write_request(
            input.table_name.as_deref(),
            ("key", input.key.is_some()),
            input.return_values.as_ref(),
            input.return_consumed_capacity.as_ref(),
            input.return_item_collection_metrics.as_ref(),
            input.return_values_on_condition_check_failure.as_ref(),
        )?;
        let (condition, _) = WriteExpressions::condition_only(
            input.expected.as_ref(),
            input.conditional_operator.as_ref(),
            input.condition_expression.as_ref(),
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
        )
        .parse()
        .map_err(errors::in_item_write)?;
        let key = normalise_key(input.key.as_ref().expect("checked above"))?;
        let now = self.ctx.now_millis;
        let table = self.item_table(input.table_name.as_deref())?;
        let write = match table.prepare_delete(
            &key,
            condition.as_ref(),
            input.return_values_on_condition_check_failure.as_ref(),
        ) {
            Ok(write) => write,
            Err(refusal) => return Err(table.charge_refused_write(refusal, &key, now)),
        };
        table.consume(&capacity::Charge::write(&write, 1.0), now)?;
        let capacity = write_consumed(input.return_consumed_capacity.as_ref(), &write);
        let table_name = write.table.clone();
        let old = self.apply(write);
        Ok(DeleteItemOutput {
            attributes: old.filter(|_| return_old),
            consumed_capacity: capacity,
            item_collection_metrics: self.collection_metrics(
                &table_name,
                input.return_item_collection_metrics.as_ref(),
                &key,
            ),
        })
    }

    fn update_item(&mut self, input: UpdateItemInput) -> Result<UpdateItemOutput, ServiceError> {
        let mut errors = item_table_name_errors(input.table_name.as_deref());
        if input.key.is_none() {
            errors.push(
                "Value null at 'key' failed to satisfy constraint: Member must not be null".into(),
            );
        }
        return_values_error(input.return_values.as_ref(), &mut errors);
        consumed_capacity_error(input.return_consumed_capacity.as_ref(), &mut errors);
        batch::item_collection_metrics_error(
            input.return_item_collection_metrics.as_ref(),
            &mut errors,
        );
        on_check_failure_error(
            input.return_values_on_condition_check_failure.as_ref(),
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let (condition, update) = WriteExpressions {
            expected: input.expected.as_ref(),
            conditional_operator: input.conditional_operator.as_ref(),
            attribute_updates: input.attribute_updates.as_ref(),
            condition: input.condition_expression.as_ref(),
            update: Some(input.update_expression.as_ref()),
            names: input.expression_attribute_names.as_ref(),
            values: input.expression_attribute_values.as_ref(),
        }
        .parse()
        .map_err(match input.update_expression {
            Some(_) => errors::in_update_item,
            None => errors::in_item_write,
        })?;
        let key = normalise_key(input.key.as_ref().expect("checked above"))?;
        let now = self.ctx.now_millis;
        let table = self.item_table(input.table_name.as_deref())?;
        let write = match table
            .prepare_update(
                &key,
                condition.as_ref(),
                update.as_ref(),
                input.return_values_on_condition_check_failure.as_ref(),
            )
            .and_then(|write| {
                if let (Some(update), Some(new)) = (update.as_ref(), write.new.as_ref()) {
                    write::check_update_footprint(update, new)?;
                }
                Ok(write)
            }) {
            Ok(write) => write,
            Err(refusal) => return Err(table.charge_refused_write(refusal.into(), &key, now)),
        };
        table.consume(&capacity::Charge::write(&write, 1.0), now)?;
        let table_name = write.table.clone();
        let capacity = write_consumed(input.return_consumed_capacity.as_ref(), &write);
        let mode = input.return_values.unwrap_or(ReturnValue::None);
        let new_view = match mode {
            ReturnValue::AllNew => write.new.clone(),
            ReturnValue::UpdatedNew => write
                .new
                .as_ref()
                .and_then(|new| write::updated_part(new, update.as_ref())),
            _ => None,
        };
        let old = self.apply(write);
        let attributes = match mode {
            ReturnValue::AllOld => old,
            ReturnValue::UpdatedOld => old
                .as_ref()
                .and_then(|old| write::updated_part(old, update.as_ref())),
            _ => new_view,
        };
        Ok(UpdateItemOutput {
            attributes,
            consumed_capacity: capacity,
            item_collection_metrics: self.collection_metrics(
                &table_name,
                input.return_item_collection_metrics.as_ref(),
                &key,
            ),
        })
    }

    fn batch_get_item(
        &mut self,
        input: nimbus_shapes::dynamodb::BatchGetItemInput,
    ) -> Result<nimbus_shapes::dynamodb::BatchGetItemOutput, ServiceError> {
        self.run_batch_get(input)
    }

    fn batch_write_item(
        &mut self,
        input: nimbus_shapes::dynamodb::BatchWriteItemInput,
    ) -> Result<nimbus_shapes::dynamodb::BatchWriteItemOutput, ServiceError> {
        self.run_batch_write(input)
    }

    fn transact_write_items(
        &mut self,
        input: nimbus_shapes::dynamodb::TransactWriteItemsInput,
    ) -> Result<nimbus_shapes::dynamodb::TransactWriteItemsOutput, ServiceError> {
        self.run_transact_write(input)
    }

    fn transact_get_items(
        &mut self,
        input: nimbus_shapes::dynamodb::TransactGetItemsInput,
    ) -> Result<nimbus_shapes::dynamodb::TransactGetItemsOutput, ServiceError> {
        self.run_transact_get(input)
    }

    fn query(
        &mut self,
        input: nimbus_shapes::dynamodb::QueryInput,
    ) -> Result<nimbus_shapes::dynamodb::QueryOutput, ServiceError> {
        self.run_query(input)
    }

    fn scan(
        &mut self,
        input: nimbus_shapes::dynamodb::ScanInput,
    ) -> Result<nimbus_shapes::dynamodb::ScanOutput, ServiceError> {
        self.run_scan(input)
    }

    fn update_table(
        &mut self,
        input: nimbus_shapes::dynamodb::UpdateTableInput,
    ) -> Result<nimbus_shapes::dynamodb::UpdateTableOutput, ServiceError> {
        // Capacity is checked here, against the table as it stands; `run_update_table`
        // (index.rs) then makes every change and this records the capacity history.
        table::update_constraints(&input)?;
        let scope = self.ctx.scope();
        let now = self.ctx.now_millis;
        let name_or_arn = input.table_name.clone().unwrap_or_default();
        let plan = match self.table(&name_or_arn) {
            Some(table) => {
                let plan = table::plan_capacity_update(&table.def, &input, now, &scope.region)?;
                let name = table.def.name.clone();
                let mut after = table.def.clone();
                for change in &plan.changes {
                    after.set_throughput(&change.key, change.new);
                }
                if !plan.to_pay_per_request {
                    table::check_account_maximum(
                        self.reserved_units(Some(&name)),
                        table::reserved_units(&after),
                        &scope.region,
                    )?;
                }
                Some(plan)
            }
            None => None,
        };
        let mut output = self.run_update_table(input)?;
        if let Some(plan) = plan {
            let table = self.table(&name_or_arn).expect("updated above");
            table.def.record_capacity_update(&plan, now);
            let def = table.def.clone();
            output.table_description = Some(table.describe_at(TableStatus::Active, now));
            if plan.to_pay_per_request || !plan.changes.is_empty() {
                self.ctx.persist(table_record(&scope, &def.name), &def);
            }
        }
        Ok(output)
    }

    fn describe_limits(
        &mut self,
        _input: DescribeLimitsInput,
    ) -> Result<DescribeLimitsOutput, ServiceError> {
        Ok(DescribeLimitsOutput {
            account_max_read_capacity_units: Some(table::ACCOUNT_MAX_CAPACITY),
            account_max_write_capacity_units: Some(table::ACCOUNT_MAX_CAPACITY),
            table_max_read_capacity_units: Some(table::TABLE_MAX_CAPACITY),
            table_max_write_capacity_units: Some(table::TABLE_MAX_CAPACITY),
        })
    }

    fn describe_endpoints(
        &mut self,
        _input: DescribeEndpointsRequest,
    ) -> Result<DescribeEndpointsResponse, ServiceError> {
        // AWS names its regional endpoint and lets clients cache it for a day. (Naming the
        // address the client called instead, as ScyllaDB's Alternator does, would fail moto's
        // tests, which expect AWS's own words.)
        let address = format!("dynamodb.{}.amazonaws.com", self.ctx.scope().region);
        Ok(DescribeEndpointsResponse {
            endpoints: Some(vec![Endpoint {
                address: Some(address),
                cache_period_in_minutes: Some(1440),
            }]),
        })
    }

    fn tag_resource(&mut self, input: TagResourceInput) -> Result<(), ServiceError> {
        self.run_tag_resource(input)
    }

    fn untag_resource(&mut self, input: UntagResourceInput) -> Result<(), ServiceError> {
        self.run_untag_resource(input)
    }

    fn list_tags_of_resource(
        &mut self,
        input: ListTagsOfResourceInput,
    ) -> Result<ListTagsOfResourceOutput, ServiceError> {
        self.run_list_tags_of_resource(input)
    }

    fn update_time_to_live(
        &mut self,
        input: nimbus_shapes::dynamodb::UpdateTimeToLiveInput,
    ) -> Result<nimbus_shapes::dynamodb::UpdateTimeToLiveOutput, ServiceError> {
        self.run_update_time_to_live(input)
    }

    fn describe_time_to_live(
        &mut self,
        input: nimbus_shapes::dynamodb::DescribeTimeToLiveInput,
    ) -> Result<nimbus_shapes::dynamodb::DescribeTimeToLiveOutput, ServiceError> {
        self.run_describe_time_to_live(input)
    }

    fn execute_statement(
        &mut self,
        input: nimbus_shapes::dynamodb::ExecuteStatementInput,
    ) -> Result<nimbus_shapes::dynamodb::ExecuteStatementOutput, ServiceError> {
        self.run_execute_statement(input)
    }

    fn batch_execute_statement(
        &mut self,
        input: nimbus_shapes::dynamodb::BatchExecuteStatementInput,
    ) -> Result<nimbus_shapes::dynamodb::BatchExecuteStatementOutput, ServiceError> {
        self.run_batch_execute_statement(input)
    }

    fn execute_transaction(
        &mut self,
        input: nimbus_shapes::dynamodb::ExecuteTransactionInput,
    ) -> Result<nimbus_shapes::dynamodb::ExecuteTransactionOutput, ServiceError> {
        self.run_execute_transaction(input)
    }

    fn put_resource_policy(
        &mut self,
        input: nimbus_shapes::dynamodb::PutResourcePolicyInput,
    ) -> Result<nimbus_shapes::dynamodb::PutResourcePolicyOutput, ServiceError> {
        self.run_put_resource_policy(input)
    }

    fn get_resource_policy(
        &mut self,
        input: nimbus_shapes::dynamodb::GetResourcePolicyInput,
    ) -> Result<nimbus_shapes::dynamodb::GetResourcePolicyOutput, ServiceError> {
        self.run_get_resource_policy(input)
    }

    fn delete_resource_policy(
        &mut self,
        input: nimbus_shapes::dynamodb::DeleteResourcePolicyInput,
    ) -> Result<nimbus_shapes::dynamodb::DeleteResourcePolicyOutput, ServiceError> {
        self.run_delete_resource_policy(input)
    }

    fn create_backup(
        &mut self,
        input: nimbus_shapes::dynamodb::CreateBackupInput,
    ) -> Result<nimbus_shapes::dynamodb::CreateBackupOutput, ServiceError> {
        self.run_create_backup(input)
    }

    fn describe_backup(
        &mut self,
        input: nimbus_shapes::dynamodb::DescribeBackupInput,
    ) -> Result<nimbus_shapes::dynamodb::DescribeBackupOutput, ServiceError> {
        self.run_describe_backup(input)
    }

    fn list_backups(
        &mut self,
        input: nimbus_shapes::dynamodb::ListBackupsInput,
    ) -> Result<nimbus_shapes::dynamodb::ListBackupsOutput, ServiceError> {
        self.run_list_backups(input)
    }

    fn delete_backup(
        &mut self,
        input: nimbus_shapes::dynamodb::DeleteBackupInput,
    ) -> Result<nimbus_shapes::dynamodb::DeleteBackupOutput, ServiceError> {
        self.run_delete_backup(input)
    }

    fn restore_table_from_backup(
        &mut self,
        input: nimbus_shapes::dynamodb::RestoreTableFromBackupInput,
    ) -> Result<nimbus_shapes::dynamodb::RestoreTableFromBackupOutput, ServiceError> {
        self.run_restore_table_from_backup(input)
    }

    fn restore_table_to_point_in_time(
        &mut self,
        input: nimbus_shapes::dynamodb::RestoreTableToPointInTimeInput,
    ) -> Result<nimbus_shapes::dynamodb::RestoreTableToPointInTimeOutput, ServiceError> {
        self.run_restore_table_to_point_in_time(input)
    }

    fn update_continuous_backups(
        &mut self,
        input: nimbus_shapes::dynamodb::UpdateContinuousBackupsInput,
    ) -> Result<nimbus_shapes::dynamodb::UpdateContinuousBackupsOutput, ServiceError> {
        self.run_update_continuous_backups(input)
    }

    fn describe_continuous_backups(
        &mut self,
        input: nimbus_shapes::dynamodb::DescribeContinuousBackupsInput,
    ) -> Result<nimbus_shapes::dynamodb::DescribeContinuousBackupsOutput, ServiceError> {
        self.run_describe_continuous_backups(input)
    }

    // ImportTable and ExportTableToPointInTime need S3 too: `Services::call` routes them
    // to `import_export::call`.

    fn describe_import(
        &mut self,
        input: nimbus_shapes::dynamodb::DescribeImportInput,
    ) -> Result<nimbus_shapes::dynamodb::DescribeImportOutput, ServiceError> {
        self.run_describe_import(input)
    }

    fn list_imports(
        &mut self,
        input: nimbus_shapes::dynamodb::ListImportsInput,
    ) -> Result<nimbus_shapes::dynamodb::ListImportsOutput, ServiceError> {
        self.run_list_imports(input)
    }

    fn describe_export(
        &mut self,
        input: nimbus_shapes::dynamodb::DescribeExportInput,
    ) -> Result<nimbus_shapes::dynamodb::DescribeExportOutput, ServiceError> {
        self.run_describe_export(input)
    }

    fn list_exports(
        &mut self,
        input: nimbus_shapes::dynamodb::ListExportsInput,
    ) -> Result<nimbus_shapes::dynamodb::ListExportsOutput, ServiceError> {
        self.run_list_exports(input)
    }
}

/// Takes back one record this service persisted (`rest` is the key after the scope).
/// Records arrive in key order, so a table's record comes before its items.
pub fn restore(state: &mut State, scope: Scope, rest: &str, value: &[u8]) -> Result<(), String> {
    let tables = state.scopes.entry(scope).or_default();
    if let Some(path) = rest.strip_prefix("dropped/") {
        return restore_dropped(tables, path, value)
            .map_err(|e| format!("dynamodb record {rest}: {e}"));
    }
    if let Some(token) = rest.strip_prefix("token/") {
        return transact::restore_token(tables, value)
            .map_err(|e| format!("dynamodb record token/{token}: {e}"));
    }
    if let Some(path) = rest.strip_prefix("backup/") {
        return backup::restore_backup(tables, path, value)
            .map_err(|e| format!("dynamodb record {rest}: {e}"));
    }
    if let Some((kind @ ("import" | "export"), _id)) = rest.split_once('/') {
        return import_export::restore(tables, kind, value)
            .map_err(|e| format!("dynamodb record {rest}: {e}"));
    }
    let path = rest
        .strip_prefix("table/")
        .ok_or_else(|| format!("unexpected dynamodb record {rest}"))?;
    match path.split_once('/') {
        None => {
            let def: TableDef = serde_json::from_slice(value)
                .map_err(|e| format!("dynamodb record {rest}: {e}"))?;
            tables.tables.insert(def.name.clone(), Table::new(def));
        }
        Some((name, sub)) => {
            // A table's resource policies, point-in-time recovery setting and history, and
            // (for a restored table) RestoreSummary.
            let setting = match sub {
                "pitr" => Some(backup::restore_pitr(tables, name, value)),
                _ if sub.starts_with("pitr-log/") => {
                    Some(backup::restore_pitr_change(tables, name, value))
                }
                "restored" => Some(backup::restore_restored(tables, name, value)),
                "policy" => Some(resource_policy::restore(tables, name, None, value)),
                _ => sub
                    .strip_prefix("policy/")
                    .map(|label| resource_policy::restore(tables, name, Some(label), value)),
            };
            if let Some(result) = setting {
                return result.map_err(|e| format!("dynamodb record {rest}: {e}"));
            }
            let table = tables
                .tables
                .get_mut(name)
                .ok_or_else(|| format!("dynamodb record {rest} precedes its table"))?;
            if let Some(stream) = sub.strip_prefix("stream/") {
                let (label, _seq) = stream
                    .split_once('/')
                    .ok_or_else(|| format!("unexpected dynamodb record {rest}"))?;
                return table
                    .restore_record(label, value, &mut tables.last_seq)
                    .map_err(|e| format!("dynamodb record {rest}: {e}"));
            }
            if !sub.starts_with("item/") {
                return Err(format!("unexpected dynamodb record {rest}"));
            }
            let item: Item = serde_json::from_slice(value)
                .map_err(|e| format!("dynamodb record {rest}: {e}"))?;
            let key = table.schema.encode(&item);
            table.insert(key, item);
        }
    }
    Ok(())
}

/// A deleted table's kept streams: `<table id>` holds its definition, then
/// `<table id>/stream/<label>/<seq>` each record.
fn restore_dropped(tables: &mut Tables, path: &str, value: &[u8]) -> Result<(), String> {
    match path.split_once("/stream/") {
        None => {
            let def: TableDef = serde_json::from_slice(value).map_err(|e| e.to_string())?;
            let mut table = Table::new(def);
            table.dropped = true;
            tables.dropped.insert(path.to_string(), table);
            Ok(())
        }
        Some((id, stream)) => {
            let (label, _seq) = stream.split_once('/').ok_or("malformed key")?;
            let table = tables.dropped.get_mut(id).ok_or("precedes its table")?;
            table.restore_record(label, value, &mut tables.last_seq)
        }
    }
}
