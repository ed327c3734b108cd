//! DynamoDB Streams: the table's stream settings, the change records the write path
//! captures, and the DynamoDB Streams API (ListStreams, DescribeStream, GetShardIterator,
//! GetRecords) over them.
//!
//! Each stream has one shard. Every write that changes an item (`Handler::apply`, which
//! single writes, batches and transactions all go through) appends one record to the
//! table's enabled stream; a write that changes nothing (an identical put, deleting a
//! missing item) appends none, as AWS documents. Records are persisted under
//! `table/<name>/stream/<label>/<sequence number>` and trimmed after 24 hours of the
//! playground's clock. A stream stays readable (DISABLED) for 24 hours after it is
//! switched off or its table is deleted.
//!
//! Shard iterators are opaque (base64 of stream ARN, shard, position, issue time) and last
//! 15 minutes of the playground's clock.
//!
//! Lambda's event source mappings read the streams without going through the API
//! ([`State::stream_records_after`] and its neighbours).
//!
//! Sequence numbers are 21-digit decimal strings, increasing per account and region:
//! `10^20 + millis * 10^6`, or one more than the last one given when that is larger.

use std::collections::{BTreeMap, VecDeque};

use base64::Engine;
use nimbus_shapes::{
    dynamodb::{StreamSpecification, StreamViewType},
    dynamodbstreams::{
        self as ds, errors as ds_errors, DescribeStreamInput, DescribeStreamOutput,
        DynamoDbStreams, GetRecordsInput, GetRecordsOutput, GetShardIteratorInput,
        GetShardIteratorOutput, ListStreamsInput, ListStreamsOutput, OperationType,
        SequenceNumberRange, Shard, ShardIteratorType, StreamDescription, StreamStatus,
    },
    ServiceError, Timestamp,
};
use serde::{Deserialize, Serialize};

use super::{
    errors::{constraint_errors, invalid_parameter, validation},
    table::{stream_label, stream_spec_constraints, TableDef},
    value::{item_size, Item, KeySchema},
    Handler, State, Table, Tables, SERVICE,
};
use crate::{
    emulator::{Ctx, Scope},
    services::record_key,
};

/// How long records (and a disabled stream) are kept.
pub const RETENTION_MILLIS: i64 = 24 * 3600 * 1000;
/// How long a shard iterator may be used.
const ITERATOR_LIFETIME_MILLIS: i64 = 15 * 60 * 1000;
const SEQUENCE_BASE: u128 = 100_000_000_000_000_000_000;
const MAX_RECORDS: i32 = 1000;

/// One stream a table has had; the last one is the table's latest stream.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StreamDef {
    pub label: String,
    pub created_millis: i64,
    pub view_type: StreamViewType,
    #[serde(default)]
    pub disabled_millis: Option<i64>,
}

impl StreamDef {
    fn new(created_millis: i64, view_type: StreamViewType) -> Self {
        StreamDef {
            label: stream_label(created_millis),
            created_millis,
            view_type,
            disabled_millis: None,
        }
    }

    pub fn enabled(&self) -> bool {
        self.disabled_millis.is_none()
    }

    pub fn arn(&self, table_arn: &str) -> String {
        format!("{table_arn}/stream/{}", self.label)
    }

    /// The first sequence number the shard can hold.
    fn start_seq(&self) -> u128 {
        seq_floor(self.created_millis)
    }

    /// A shard id shaped like AWS's (`shardId-00000001414576573621-f55eea83`).
    fn shard_id(&self, table_id: &str) -> String {
        let tag: String = table_id.chars().filter(|c| *c != '-').take(8).collect();
        format!("shardId-{:020}-{tag}", self.created_millis)
    }

    /// Disabled streams disappear 24 hours after they were switched off.
    fn alive(&self, now: i64) -> bool {
        self.disabled_millis
            .is_none_or(|at| now < at + RETENTION_MILLIS)
    }
}

fn seq_floor(millis: i64) -> u128 {
    SEQUENCE_BASE + millis.max(0) as u128 * 1_000_000
}

fn seq_text(seq: u128) -> String {
    format!("{seq:021}")
}

impl TableDef {
    /// The stream records are written to now, if any.
    pub fn enabled_stream(&self) -> Option<&StreamDef> {
        self.streams.last().filter(|s| s.enabled())
    }

    /// CreateTable: opens the first stream when the specification enables one.
    pub fn open_initial_stream(&mut self) {
        if let Some(StreamSpecification {
            stream_enabled: Some(true),
            stream_view_type: Some(view),
        }) = &self.stream
        {
            let stream = StreamDef::new(self.created_millis, view.clone());
            self.streams.push(stream);
        }
    }

    /// UpdateTable's StreamSpecification, with AWS's refusals of a second stream and of
    /// disabling a stream the table does not have.
    pub fn update_stream(
        &mut self,
        spec: &StreamSpecification,
        now: i64,
    ) -> Result<(), ServiceError> {
        let mut errors = Vec::new();
        stream_spec_constraints(spec, &mut errors);
        if !errors.is_empty() {
            return Err(constraint_errors(&errors));
        }
        let enable = spec.stream_enabled == Some(true);
        let enabled = self.enabled_stream().is_some();
        if enable {
            if enabled {
                return Err(validation(format!(
                    "Table already has an enabled stream: TableName: {}",
                    self.name
                )));
            }
            let Some(view) = spec.stream_view_type.clone() else {
                return Err(invalid_parameter(
                    "If stream is being enabled then UpdateViewType is required",
                ));
            };
            // Labels name streams: a new one never reuses the previous one's time.
            let created = self
                .streams
                .last()
                .map_or(now, |last| now.max(last.created_millis + 1));
            self.streams.push(StreamDef::new(created, view));
        } else {
            if spec.stream_view_type.is_some() {
                return Err(invalid_parameter(
                    "If stream is being disabled, then UpdateViewType must not be specified",
                ));
            }
            if !enabled {
                return Err(validation(format!(
                    "Table has no stream to disable: TableName: {}",
                    self.name
                )));
            }
            if let Some(last) = self.streams.last_mut() {
                last.disabled_millis = Some(now);
            }
        }
        self.stream = Some(spec.clone());
        Ok(())
    }
}

/// A stream's records in sequence order, in memory.
#[derive(Default)]
pub struct Log {
    records: VecDeque<Stored>,
    /// The last sequence number trimmed away (0: none since the start).
    trimmed_through: u128,
}

impl Log {
    /// The last sequence number out of reach at `now`: trimmed, or past the retention.
    fn horizon(&self, now: i64) -> u128 {
        self.records
            .iter()
            .take_while(|r| r.millis + RETENTION_MILLIS <= now)
            .last()
            .map_or(self.trimmed_through, |r| r.seq)
    }

    /// The records still within the retention at `now`, oldest first.
    fn live(&self, now: i64) -> impl Iterator<Item = &Stored> {
        self.records
            .iter()
            .filter(move |r| now < r.millis + RETENTION_MILLIS)
    }
}

struct Stored {
    seq: u128,
    millis: i64,
    record: ds::Record,
}

/// Where a stream record is persisted: under its table, or under `dropped/<table id>` once
/// the table is deleted (its streams outlive it by 24 hours).
fn stream_record_key(scope: &Scope, table: &Table, label: &str, seq: u128) -> String {
    let seq = seq_text(seq);
    if table.dropped {
        record_key(
            SERVICE,
            scope,
            &["dropped", &table.def.table_id, "stream", label, &seq],
        )
    } else {
        record_key(
            SERVICE,
            scope,
            &["table", &table.def.name, "stream", label, &seq],
        )
    }
}

fn dropped_record(scope: &Scope, table_id: &str) -> String {
    record_key(SERVICE, scope, &["dropped", table_id])
}

/// DynamoDB's attribute values are DynamoDB Streams' (same JSON, different crate types).
fn image(item: &Item) -> BTreeMap<String, ds::AttributeValue> {
    serde_json::from_value(serde_json::to_value(item).expect("items serialise"))
        .expect("the same JSON shape")
}

fn keys_of(item: &Item, schema: &KeySchema) -> Item {
    schema
        .attrs()
        .filter_map(|a| item.get(&a.name).map(|v| (a.name.clone(), v.clone())))
        .collect()
}

impl Table {
    /// Drops records older than 24 hours, from memory and storage.
    fn trim_streams(
        &mut self,
        scope: &Scope,
        now: i64,
        ctx_changes: &mut nimbus_storage::ChangeSet,
    ) {
        let mut trimmed = Vec::new();
        for (label, log) in &mut self.logs {
            while let Some(first) = log.records.front() {
                if now < first.millis + RETENTION_MILLIS {
                    break;
                }
                trimmed.push((label.clone(), first.seq));
                log.trimmed_through = first.seq;
                log.records.pop_front();
            }
        }
        for (label, seq) in trimmed {
            ctx_changes.delete(stream_record_key(scope, self, &label, seq));
        }
    }

    /// DeleteTable: the table's streams stay readable, DISABLED, for 24 hours. Answers
    /// whether any stream is kept; its definition and records move under
    /// `dropped/<table id>`.
    pub(super) fn retire_streams(&mut self, scope: &Scope, ctx: &mut Ctx) -> bool {
        let now = ctx.now_millis;
        if let Some(last) = self.def.streams.last_mut() {
            last.disabled_millis.get_or_insert(now);
        }
        if !self.def.streams.iter().any(|s| s.alive(now)) {
            return false;
        }
        self.dropped = true;
        self.items.clear();
        ctx.persist(dropped_record(scope, &self.def.table_id), &self.def);
        for (label, log) in &self.logs {
            for stored in &log.records {
                ctx.persist(
                    stream_record_key(scope, self, label, stored.seq),
                    &stored.record,
                );
            }
        }
        true
    }

    /// Takes back one persisted record (restore).
    pub(super) fn restore_record(
        &mut self,
        label: &str,
        value: &[u8],
        last_seq: &mut u128,
    ) -> Result<(), String> {
        let record: ds::Record = serde_json::from_slice(value).map_err(|e| e.to_string())?;
        let stream = record.dynamodb.as_ref();
        let seq: u128 = stream
            .and_then(|s| s.sequence_number.as_deref())
            .and_then(|s| s.parse().ok())
            .ok_or("stream record without a sequence number")?;
        let millis = stream
            .and_then(|s| s.approximate_creation_date_time)
            .map_or(0, Timestamp::millis);
        *last_seq = (*last_seq).max(seq);
        self.logs
            .entry(label.to_string())
            .or_default()
            .records
            .push_back(Stored {
                seq,
                millis,
                record,
            });
        Ok(())
    }
}

impl Handler<'_, '_> {
    /// Appends the record of one item change to the table's enabled stream, if the change
    /// changed anything. `identity` is set for changes the service made (TTL deletions).
    pub(super) fn record_change(
        &mut self,
        table_name: &str,
        old: Option<&Item>,
        new: Option<&Item>,
        identity: Option<&ds::Identity>,
    ) {
        let event = match (old, new) {
            (None, Some(_)) => OperationType::Insert,
            (Some(a), Some(b)) if a != b => OperationType::Modify,
            (Some(_), None) => OperationType::Remove,
            _ => return,
        };
        let scope = self.ctx.scope();
        let now = self.ctx.now_millis;
        let tables = self.state.tables(&scope);
        let Some(table) = tables.tables.get_mut(table_name) else {
            return;
        };
        let Some(stream) = table.def.enabled_stream().cloned() else {
            return;
        };
        table.trim_streams(&scope, now, self.ctx.changes);
        let seq = (tables.last_seq + 1).max(seq_floor(now));
        tables.last_seq = seq;
        let either = new.or(old).expect("a change has an item");
        let keys = keys_of(either, &table.schema);
        let (with_new, with_old) = match stream.view_type {
            StreamViewType::NewImage => (true, false),
            StreamViewType::OldImage => (false, true),
            StreamViewType::NewAndOldImages => (true, true),
            _ => (false, false),
        };
        let new_image = new.filter(|_| with_new);
        let old_image = old.filter(|_| with_old);
        let size =
            item_size(&keys) + new_image.map_or(0, item_size) + old_image.map_or(0, item_size);
        let record = ds::Record {
            event_id: Some(self.ctx.ids.token(b"0123456789abcdef", 32)),
            event_name: Some(event),
            event_version: Some("1.1".into()),
            event_source: Some("aws:dynamodb".into()),
            aws_region: Some(scope.region.clone()),
            dynamodb: Some(ds::StreamRecord {
                // AWS rounds the creation time down to the second.
                approximate_creation_date_time: Some(Timestamp::from_millis(
                    now - now.rem_euclid(1000),
                )),
                keys: Some(image(&keys)),
                new_image: new_image.map(image),
                old_image: old_image.map(image),
                sequence_number: Some(seq_text(seq)),
                size_bytes: Some(size as i64),
                stream_view_type: Some(ds::StreamViewType::from(stream.view_type.as_str())),
            }),
            user_identity: identity.cloned(),
        };
        self.ctx.persist(
            stream_record_key(&scope, table, &stream.label, seq),
            &record,
        );
        table
            .logs
            .entry(stream.label.clone())
            .or_default()
            .records
            .push_back(Stored {
                seq,
                millis: now,
                record,
            });
    }
}

/// Reading the streams from inside the emulator: Lambda's event source mappings poll these
/// instead of the API.
impl State {
    /// Whether a stream with this ARN exists in `scope` (enabled, or disabled but kept).
    pub fn has_stream(&self, scope: &Scope, stream_arn: &str) -> bool {
        self.find_stream(scope, stream_arn).is_some()
    }

    /// The id of a stream's one shard.
    pub fn stream_shard_id(&self, scope: &Scope, stream_arn: &str) -> Option<String> {
        let (table, label) = self.find_stream(scope, stream_arn)?;
        let stream = table.def.streams.iter().find(|s| s.label == label)?;
        Some(stream.shard_id(&table.def.table_id))
    }

    /// The sequence number of a stream's newest record, if it has any (LATEST).
    pub fn stream_last_sequence(&self, scope: &Scope, stream_arn: &str) -> Option<String> {
        let (table, label) = self.find_stream(scope, stream_arn)?;
        let last = table.logs.get(label)?.records.back()?;
        Some(seq_text(last.seq))
    }

    /// One stream's live records strictly after sequence number `after` (a 21-digit string;
    /// anything else reads from the start), oldest first, at most `limit`, each with its
    /// sequence number and the exact time it was written (epoch millis).
    pub fn stream_records_after(
        &self,
        scope: &Scope,
        stream_arn: &str,
        after: Option<&str>,
        limit: usize,
        now_millis: i64,
    ) -> Vec<(String, i64, ds::Record)> {
        let after: u128 = after.and_then(|s| s.parse().ok()).unwrap_or(0);
        let Some((table, label)) = self.find_stream(scope, stream_arn) else {
            return Vec::new();
        };
        table
            .logs
            .get(label)
            .map(|log| {
                // Records are in sequence order: start at the checkpoint, not the oldest.
                let start = log.records.partition_point(|r| r.seq <= after);
                log.records
                    .range(start..)
                    .filter(|r| now_millis < r.millis + RETENTION_MILLIS)
                    .take(limit)
                    .map(|r| (seq_text(r.seq), r.millis, r.record.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn find_stream<'s, 'a>(&'s self, scope: &Scope, arn: &'a str) -> Option<(&'s Table, &'a str)> {
        let (table_name, label) = parse_stream_arn(scope, arn)?;
        let table =
            self.scopes.get(scope)?.with_streams().find(|t| {
                t.def.name == table_name && t.def.streams.iter().any(|s| s.label == label)
            })?;
        Some((table, label))
    }
}

impl Tables {
    /// The live tables, then the deleted ones whose streams are kept.
    fn with_streams(&self) -> impl Iterator<Item = &Table> {
        self.tables.values().chain(self.dropped.values())
    }

    /// Forgets deleted tables whose streams have all expired, with their records.
    fn expire_dropped(&mut self, scope: &Scope, now: i64, changes: &mut nimbus_storage::ChangeSet) {
        self.dropped.retain(|id, table| {
            let alive = table.def.streams.iter().any(|s| s.alive(now));
            if !alive {
                let record = dropped_record(scope, id);
                changes.delete(record.clone());
                changes.delete_prefix(format!("{record}/"));
            }
            alive
        });
    }
}

/// The parts of a stream ARN, `arn:<partition>:dynamodb:<region>:<account>:table/<table>/stream/<label>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamArn<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub table: &'a str,
    pub label: &'a str,
}

impl<'a> StreamArn<'a> {
    /// `None` when `arn` is not a DynamoDB stream's ARN.
    pub fn parse(arn: &'a str) -> Option<StreamArn<'a>> {
        let rest = arn.strip_prefix("arn:")?;
        let parts: Vec<&str> = rest.splitn(5, ':').collect();
        let [_partition, "dynamodb", region, account, resource] = parts.as_slice() else {
            return None;
        };
        let (table, label) = resource.strip_prefix("table/")?.split_once("/stream/")?;
        Some(StreamArn {
            region,
            account,
            table,
            label,
        })
    }
}

/// A stream ARN's table and label, if it names a stream in `scope`.
fn parse_stream_arn<'a>(scope: &Scope, arn: &'a str) -> Option<(&'a str, &'a str)> {
    let parsed = StreamArn::parse(arn)?;
    (parsed.region == scope.region && parsed.account == scope.account_id)
        .then_some((parsed.table, parsed.label))
}

/// Text that is no stream ARN at all is a ValidationException in DynamoDB Streams ("Invalid
/// StreamArn", as the AWS SDK for Java reports it); a well-formed ARN of a stream that does not
/// exist is ResourceNotFoundException.
fn invalid_stream_arn() -> ServiceError {
    validation("Invalid StreamArn")
}

fn stream_not_found(arn: &str) -> ServiceError {
    ds_errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message(format!(
        "Requested resource not found: Stream: {arn} not found"
    ))
}

fn invalid_iterator() -> ServiceError {
    validation("Invalid ShardIterator")
}

/// A shard iterator: where to read next in which shard, and when it was handed out.
struct Cursor {
    arn: String,
    shard: String,
    /// The next record to read is the first with a sequence number at or after this.
    position: u128,
    issued_millis: i64,
}

impl Cursor {
    fn encode(&self) -> String {
        let raw = format!(
            "{}|{}|{}|{}",
            self.arn, self.shard, self.position, self.issued_millis
        );
        base64::engine::general_purpose::STANDARD.encode(raw)
    }

    fn decode(text: &str) -> Option<Self> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?;
        let raw = String::from_utf8(raw).ok()?;
        let mut parts = raw.rsplitn(4, '|');
        let issued_millis = parts.next()?.parse().ok()?;
        let position = parts.next()?.parse().ok()?;
        let shard = parts.next()?.to_string();
        let arn = parts.next()?.to_string();
        Some(Cursor {
            arn,
            shard,
            position,
            issued_millis,
        })
    }
}

/// The DynamoDB Streams API over the DynamoDB state.
pub struct StreamsHandler<'a, 'b> {
    pub state: &'a mut State,
    pub ctx: &'a mut Ctx<'b>,
}

impl StreamsHandler<'_, '_> {
    /// The named stream's table and the stream, or AWS's not-found error. Reads change
    /// nothing: records past the retention are skipped here and dropped by the next write.
    fn stream(&mut self, arn: &str) -> Result<(&mut Table, StreamDef), ServiceError> {
        let scope = self.ctx.scope();
        let now = self.ctx.now_millis;
        if StreamArn::parse(arn).is_none() {
            return Err(invalid_stream_arn());
        }
        let (table_name, label) =
            parse_stream_arn(&scope, arn).ok_or_else(|| stream_not_found(arn))?;
        let tables = self.state.tables(&scope);
        let has = |t: &Table| {
            t.def.name == table_name
                && t.def
                    .streams
                    .iter()
                    .any(|s| s.label == label && s.alive(now))
        };
        let table = match tables.tables.get_mut(table_name).filter(|t| has(t)) {
            Some(table) => table,
            None => tables
                .dropped
                .values_mut()
                .find(|t| has(t))
                .ok_or_else(|| stream_not_found(arn))?,
        };
        let stream = table
            .def
            .streams
            .iter()
            .find(|s| s.label == label)
            .cloned()
            .ok_or_else(|| stream_not_found(arn))?;
        Ok((table, stream))
    }
}

fn required(value: Option<&str>, member: &str, errors: &mut Vec<String>) {
    if value.is_none() {
        errors.push(format!(
            "Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ));
    }
}

/// A string member's length limits from the service model.
fn length_errors(
    value: Option<&str>,
    member: &str,
    (min, max): (usize, usize),
    errors: &mut Vec<String>,
) {
    let Some(value) = value else { return };
    let len = value.chars().count();
    if len < min {
        errors.push(format!("Value '{value}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}"));
    } else if len > max {
        errors.push(format!("Value '{value}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"));
    }
}

const STREAM_ARN_LENGTH: (usize, usize) = (37, 1024);

fn limit_errors(limit: Option<i32>, max: i32, errors: &mut Vec<String>) {
    match limit {
        Some(l) if l < 1 => errors.push(format!("Value '{l}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")),
        Some(l) if l > max => errors.push(format!("Value '{l}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to {max}")),
        _ => {}
    }
}

fn check(errors: Vec<String>) -> Result<(), ServiceError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(constraint_errors(&errors))
    }
}

impl DynamoDbStreams for StreamsHandler<'_, '_> {
    fn list_streams(&mut self, input: ListStreamsInput) -> Result<ListStreamsOutput, ServiceError> {
        let mut errors = Vec::new();
        limit_errors(input.limit, 100, &mut errors);
        length_errors(
            input.exclusive_start_stream_arn.as_deref(),
            "exclusiveStartStreamArn",
            STREAM_ARN_LENGTH,
            &mut errors,
        );
        check(errors)?;
        if input
            .exclusive_start_stream_arn
            .as_deref()
            .is_some_and(|arn| StreamArn::parse(arn).is_none())
        {
            return Err(invalid_stream_arn());
        }
        let scope = self.ctx.scope();
        let now = self.ctx.now_millis;
        let mut all: Vec<ds::Stream> = Vec::new();
        let tables = self.state.tables(&scope);
        tables.expire_dropped(&scope, now, self.ctx.changes);
        {
            for table in tables.with_streams() {
                if input
                    .table_name
                    .as_ref()
                    .is_some_and(|n| *n != table.def.name)
                {
                    continue;
                }
                for stream in table.def.streams.iter().filter(|s| s.alive(now)) {
                    all.push(ds::Stream {
                        stream_arn: Some(stream.arn(&table.def.arn)),
                        table_name: Some(table.def.name.clone()),
                        stream_label: Some(stream.label.clone()),
                    });
                }
            }
        }
        let start = match &input.exclusive_start_stream_arn {
            Some(arn) => all
                .iter()
                .position(|s| s.stream_arn.as_ref() == Some(arn))
                .map_or(0, |i| i + 1),
            None => 0,
        };
        let limit = input.limit.unwrap_or(100) as usize;
        let page: Vec<ds::Stream> = all.iter().skip(start).take(limit).cloned().collect();
        let more = start + page.len() < all.len();
        Ok(ListStreamsOutput {
            last_evaluated_stream_arn: if more {
                page.last().and_then(|s| s.stream_arn.clone())
            } else {
                None
            },
            streams: Some(page),
        })
    }

    fn describe_stream(
        &mut self,
        input: DescribeStreamInput,
    ) -> Result<DescribeStreamOutput, ServiceError> {
        let mut errors = Vec::new();
        required(input.stream_arn.as_deref(), "streamArn", &mut errors);
        length_errors(
            input.stream_arn.as_deref(),
            "streamArn",
            STREAM_ARN_LENGTH,
            &mut errors,
        );
        limit_errors(input.limit, 100, &mut errors);
        length_errors(
            input.exclusive_start_shard_id.as_deref(),
            "exclusiveStartShardId",
            (28, 65),
            &mut errors,
        );
        check(errors)?;
        let arn = input.stream_arn.unwrap_or_default();
        let (table, stream) = self.stream(&arn)?;
        let last_seq = table
            .logs
            .get(&stream.label)
            .and_then(|log| log.records.back())
            .map(|r| r.seq);
        let shard_id = stream.shard_id(&table.def.table_id);
        // A disabled stream's shard is closed: its range ends at its last record.
        let ending = (!stream.enabled()).then(|| seq_text(last_seq.unwrap_or(stream.start_seq())));
        let shards = if input
            .exclusive_start_shard_id
            .as_ref()
            .is_some_and(|s| *s >= shard_id)
        {
            Vec::new()
        } else {
            vec![Shard {
                shard_id: Some(shard_id),
                sequence_number_range: Some(SequenceNumberRange {
                    starting_sequence_number: Some(seq_text(stream.start_seq())),
                    ending_sequence_number: ending,
                }),
                parent_shard_id: None,
            }]
        };
        let key_schema = table
            .def
            .key_schema
            .iter()
            .map(|k| ds::KeySchemaElement {
                attribute_name: k.attribute_name.clone(),
                key_type: k.key_type.as_ref().map(|t| ds::KeyType::from(t.as_str())),
            })
            .collect();
        Ok(DescribeStreamOutput {
            stream_description: Some(StreamDescription {
                stream_arn: Some(arn),
                stream_label: Some(stream.label.clone()),
                stream_status: Some(if stream.enabled() {
                    StreamStatus::Enabled
                } else {
                    StreamStatus::Disabled
                }),
                stream_view_type: Some(ds::StreamViewType::from(stream.view_type.as_str())),
                creation_request_date_time: Some(Timestamp::from_millis(stream.created_millis)),
                table_name: Some(table.def.name.clone()),
                key_schema: Some(key_schema),
                shards: Some(shards),
                last_evaluated_shard_id: None,
            }),
        })
    }

    fn get_shard_iterator(
        &mut self,
        input: GetShardIteratorInput,
    ) -> Result<GetShardIteratorOutput, ServiceError> {
        let mut errors = Vec::new();
        required(input.stream_arn.as_deref(), "streamArn", &mut errors);
        required(input.shard_id.as_deref(), "shardId", &mut errors);
        length_errors(
            input.stream_arn.as_deref(),
            "streamArn",
            STREAM_ARN_LENGTH,
            &mut errors,
        );
        length_errors(input.shard_id.as_deref(), "shardId", (28, 65), &mut errors);
        length_errors(
            input.sequence_number.as_deref(),
            "sequenceNumber",
            (21, 40),
            &mut errors,
        );
        match &input.shard_iterator_type {
            None => errors.push("Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null".into()),
            Some(ShardIteratorType::Unknown(v)) => errors.push(format!("Value '{v}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP]")),
            _ => {}
        }
        check(errors)?;
        let arn = input.stream_arn.clone().unwrap_or_default();
        let shard = input.shard_id.clone().unwrap_or_default();
        let now = self.ctx.now_millis;
        let (table, stream) = self.stream(&arn)?;
        if shard != stream.shard_id(&table.def.table_id) {
            return Err(
                ds_errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message(format!(
                    "Requested resource not found: Shard: {shard} in Stream: {arn} not found"
                )),
            );
        }
        let log = table.logs.get(&stream.label);
        let trimmed = log.map_or(0, |l| l.horizon(now));
        let kind = input.shard_iterator_type.expect("checked above");
        let sequence = || -> Result<u128, ServiceError> {
            let text = input.sequence_number.as_deref().ok_or_else(|| {
                validation(format!(
                    "A sequence number is required for a shard iterator of type {}",
                    kind.as_str()
                ))
            })?;
            let seq: u128 = text
                .parse()
                .ok()
                .filter(|s| *s >= stream.start_seq())
                .ok_or_else(|| validation(format!("Invalid SequenceNumber: {text}")))?;
            if seq <= trimmed {
                return Err(
                    ds_errors::TRIMMED_DATA_ACCESS_EXCEPTION.with_message(format!(
                        "Attempted to access a sequence number that has been trimmed: {text}"
                    )),
                );
            }
            Ok(seq)
        };
        // Only the two sequence-number types take one (ScyllaDB's Alternator tests see AWS
        // refuse it with TRIM_HORIZON and LATEST; the wording is Nimbus's).
        if input.sequence_number.is_some()
            && !matches!(
                kind,
                ShardIteratorType::AtSequenceNumber | ShardIteratorType::AfterSequenceNumber
            )
        {
            return Err(validation(format!(
                "A sequence number is only allowed for a shard iterator of type AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER, not {}",
                kind.as_str()
            )));
        }
        let position = match kind {
            ShardIteratorType::TrimHorizon => trimmed + 1,
            ShardIteratorType::Latest => log
                .and_then(|l| l.records.back())
                .map_or(stream.start_seq(), |r| r.seq + 1),
            ShardIteratorType::AtSequenceNumber => sequence()?,
            ShardIteratorType::AfterSequenceNumber => sequence()? + 1,
            // The first record created at or after the time; the horizon when the time is
            // before it; a time in the future is refused (GetShardIterator's documentation).
            ShardIteratorType::AtTimestamp => {
                let at = input
                    .timestamp
                    .ok_or_else(|| {
                        validation(
                            "A timestamp is required for a shard iterator of type AT_TIMESTAMP",
                        )
                    })?
                    .millis();
                if at > now {
                    return Err(validation(format!(
                        "The timestamp {} is in the future",
                        stream_label(at)
                    )));
                }
                let latest = log
                    .and_then(|l| l.records.back())
                    .map_or(stream.start_seq(), |r| r.seq + 1);
                log.and_then(|l| l.live(now).find(|r| r.millis >= at))
                    .map_or(latest, |r| r.seq)
            }
            // Refused by the request checks above.
            ShardIteratorType::Unknown(v) => {
                return Err(validation(format!("Invalid ShardIteratorType: {v}")))
            }
        };
        Ok(GetShardIteratorOutput {
            shard_iterator: Some(
                Cursor {
                    arn,
                    shard,
                    position,
                    issued_millis: now,
                }
                .encode(),
            ),
        })
    }

    fn get_records(&mut self, input: GetRecordsInput) -> Result<GetRecordsOutput, ServiceError> {
        let mut errors = Vec::new();
        required(
            input.shard_iterator.as_deref(),
            "shardIterator",
            &mut errors,
        );
        limit_errors(input.limit, MAX_RECORDS, &mut errors);
        length_errors(
            input.shard_iterator.as_deref(),
            "shardIterator",
            (1, 2048),
            &mut errors,
        );
        check(errors)?;
        let iterator = Cursor::decode(input.shard_iterator.as_deref().unwrap_or_default())
            .ok_or_else(invalid_iterator)?;
        let now = self.ctx.now_millis;
        if now - iterator.issued_millis > ITERATOR_LIFETIME_MILLIS {
            return Err(ds_errors::EXPIRED_ITERATOR_EXCEPTION.with_message(format!(
                "Iterator expired. The iterator was created at time {} while right now it is {} which is further in the future than the tolerated delay of {ITERATOR_LIFETIME_MILLIS} milliseconds.",
                stream_label(iterator.issued_millis),
                stream_label(now)
            )));
        }
        let (table, stream) = self.stream(&iterator.arn)?;
        if iterator.shard != stream.shard_id(&table.def.table_id) {
            return Err(invalid_iterator());
        }
        let limit = input.limit.unwrap_or(MAX_RECORDS) as usize;
        let empty = Log::default();
        let log = table.logs.get(&stream.label).unwrap_or(&empty);
        if iterator.position <= log.horizon(now) {
            return Err(ds_errors::TRIMMED_DATA_ACCESS_EXCEPTION.with_message(
                "The operation attempted to read past the oldest stream record in a shard.",
            ));
        }
        let mut next = iterator.position;
        let records: Vec<ds::Record> = log
            .live(now)
            .filter(|r| r.seq >= iterator.position)
            .take(limit)
            .inspect(|r| next = r.seq + 1)
            .map(|r| r.record.clone())
            .collect();
        // A closed shard read to its end has no next iterator.
        let exhausted = !stream.enabled() && log.records.back().is_none_or(|r| r.seq < next);
        Ok(GetRecordsOutput {
            records: Some(records),
            next_shard_iterator: (!exhausted).then(|| {
                Cursor {
                    position: next,
                    issued_millis: now,
                    ..iterator
                }
                .encode()
            }),
        })
    }
}
