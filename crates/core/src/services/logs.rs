//! CloudWatch Logs: log groups, log streams and their events, the API Lambda's logs are read
//! through. [`append_events`] is how the emulator itself (Lambda) writes logs.
//!
//! Records, with group and stream names percent-encoded (see [`encode`]) since both may hold `/`:
//! - `logs/{account}/{region}/g/{group}`: the group's settings and event counter;
//! - `.../g/{group}/s/{stream}`: the stream's metadata;
//! - `.../g/{group}/s/{stream}/e/{id:020}`: one event, so an append never rewrites older events.

use std::collections::BTreeMap;

use base64::Engine as _;
use nimbus_shapes::{
    logs::{
        errors, CloudWatchLogs, CreateLogGroupRequest, CreateLogStreamRequest,
        DeleteLogGroupRequest, DeleteLogStreamRequest, DeleteRetentionPolicyRequest,
        DescribeLogGroupsRequest, DescribeLogGroupsResponse, DescribeLogStreamsRequest,
        DescribeLogStreamsResponse, FilterLogEventsRequest, FilterLogEventsResponse,
        FilteredLogEvent, GetLogEventsRequest, GetLogEventsResponse, ListTagsForResourceRequest,
        ListTagsForResourceResponse, ListTagsLogGroupRequest, ListTagsLogGroupResponse,
        LogGroup as LogGroupEntry, LogGroupClass, LogStream as LogStreamEntry, OrderBy,
        OutputLogEvent, PutLogEventsRequest, PutLogEventsResponse, PutRetentionPolicyRequest,
        RejectedLogEventsInfo, TagLogGroupRequest, TagResourceRequest, UntagLogGroupRequest,
        UntagResourceRequest,
    },
    ServiceError,
};
use serde::{Deserialize, Serialize};

use crate::{
    emulator::{Ctx, Scope},
    services::record_key,
};

/// The retention periods PutRetentionPolicy accepts, in days.
const RETENTION_DAYS: &[i32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
const DAY_MS: i64 = 24 * 3600 * 1000;
/// PutLogEvents rejects events older than 14 days or more than 2 hours in the future.
const TOO_OLD_MS: i64 = 14 * DAY_MS;
const TOO_NEW_MS: i64 = 2 * 3600 * 1000;
const MAX_BATCH_EVENTS: usize = 10_000;
const MAX_BATCH_BYTES: usize = 1_048_576;
/// AWS counts each event's message plus this many bytes against the batch size.
const EVENT_OVERHEAD: usize = 26;
const MAX_EVENT_BYTES: usize = 262_144;

/// All CloudWatch Logs state, per account and region.
#[derive(Default)]
pub struct State {
    groups: BTreeMap<Scope, BTreeMap<String, Group>>,
}

#[derive(Default)]
struct Group {
    meta: GroupMeta,
    streams: BTreeMap<String, Stream>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct GroupMeta {
    name: String,
    creation_time: i64,
    retention_in_days: Option<i32>,
    kms_key_id: Option<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    /// Ids handed to events, unique within the group: they order events of equal timestamp and
    /// make FilterLogEvents' eventId.
    next_event_id: u64,
}

#[derive(Default)]
struct Stream {
    meta: StreamMeta,
    /// Sorted by (timestamp, id): GetLogEvents answers in timestamp order, and batches may arrive
    /// out of order relative to each other.
    events: Vec<Event>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct StreamMeta {
    name: String,
    creation_time: i64,
    first_event_timestamp: Option<i64>,
    last_event_timestamp: Option<i64>,
    last_ingestion_time: Option<i64>,
    /// Accepted PutLogEvents batches; the (deprecated, ignored) sequence token counts them.
    uploads: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Event {
    id: u64,
    timestamp: i64,
    message: String,
    ingestion_time: i64,
}

impl Event {
    fn key(&self) -> (i64, u64) {
        (self.timestamp, self.id)
    }
}

impl Stream {
    fn insert(&mut self, event: Event) {
        let at = self.events.partition_point(|e| e.key() < event.key());
        self.events.insert(at, event);
    }

    fn stored_bytes(&self) -> i64 {
        self.events.iter().map(|e| e.message.len() as i64).sum()
    }
}

pub struct Handler<'a, 'b> {
    pub state: &'a mut State,
    pub ctx: &'a mut Ctx<'b>,
}

fn invalid(message: impl Into<String>) -> ServiceError {
    errors::INVALID_PARAMETER_EXCEPTION.with_message(message)
}

fn group_not_found() -> ServiceError {
    errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message("The specified log group does not exist.")
}

fn stream_not_found() -> ServiceError {
    errors::RESOURCE_NOT_FOUND_EXCEPTION.with_message("The specified log stream does not exist.")
}

fn bad_token() -> ServiceError {
    invalid("The specified nextToken is invalid.")
}

/// A required member, with the validation error AWS gives when it is missing.
fn required<T>(value: Option<T>, member: &str) -> Result<T, ServiceError> {
    value.ok_or_else(|| {
        invalid(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

fn check_length(value: &str, member: &str, max: usize) -> Result<(), ServiceError> {
    let len = value.chars().count();
    let (bound, limit) = if len < 1 {
        ("greater than or equal to", 1)
    } else if len > max {
        ("less than or equal to", max)
    } else {
        return Ok(());
    };
    Err(invalid(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have length {bound} {limit}"
    )))
}

fn check_group_name(name: &str, member: &str) -> Result<(), ServiceError> {
    check_length(name, member, 512)?;
    let valid = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | '#'));
    if !valid {
        return Err(invalid(format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
        )));
    }
    Ok(())
}

fn check_stream_name(name: &str) -> Result<(), ServiceError> {
    check_length(name, "logStreamName", 512)?;
    if name.contains([':', '*']) {
        return Err(invalid(format!(
            "1 validation error detected: Value '{name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*"
        )));
    }
    Ok(())
}

/// `limit` within `1..=max`, or `default` when absent.
fn check_limit(limit: Option<i32>, max: i32, default: i32) -> Result<usize, ServiceError> {
    match limit {
        None => Ok(default as usize),
        Some(n) if n < 1 => Err(invalid(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        ))),
        Some(n) if n > max => Err(invalid(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to {max}"
        ))),
        Some(n) => Ok(n as usize),
    }
}

/// Record-key form of a name: `%` and `/` percent-encoded, so a name never adds key segments.
fn encode(name: &str) -> String {
    name.replace('%', "%25").replace('/', "%2F")
}

fn decode(part: &str) -> String {
    part.replace("%2F", "/").replace("%25", "%")
}

fn group_key(scope: &Scope, group: &str) -> String {
    record_key("logs", scope, &["g", &encode(group)])
}

fn stream_key(scope: &Scope, group: &str, stream: &str) -> String {
    record_key("logs", scope, &["g", &encode(group), "s", &encode(stream)])
}

fn event_key(scope: &Scope, group: &str, stream: &str, id: u64) -> String {
    record_key(
        "logs",
        scope,
        &[
            "g",
            &encode(group),
            "s",
            &encode(stream),
            "e",
            &format!("{id:020}"),
        ],
    )
}

fn group_arn(scope: &Scope, group: &str) -> String {
    format!(
        "arn:aws:logs:{}:{}:log-group:{group}",
        scope.region, scope.account_id
    )
}

/// A log group name from `logGroupIdentifier`, which takes a name or an ARN (with or without
/// the trailing `:*` DescribeLogGroups shows).
fn group_from_identifier(identifier: &str) -> String {
    match identifier.split_once(":log-group:") {
        Some((_, rest)) => rest.trim_end_matches(":*").to_string(),
        None => identifier.to_string(),
    }
}

/// The log group named by `logGroupName` or `logGroupIdentifier` (exactly one of them).
fn group_name_of(name: Option<String>, identifier: Option<String>) -> Result<String, ServiceError> {
    match (name, identifier) {
        (Some(_), Some(_)) => Err(invalid(
            "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
        )),
        (Some(name), None) => Ok(name),
        (None, Some(identifier)) => Ok(group_from_identifier(&identifier)),
        (None, None) => Err(invalid(
            "Should provide either name or ARN of the log group.",
        )),
    }
}

/// GetLogEvents and FilterLogEvents tokens: a position between events, as (timestamp, id),
/// written as 56 digits after the direction like AWS's `f/…` and `b/…` tokens.
fn position_token(prefix: &str, (timestamp, id): (i64, u64)) -> String {
    format!("{prefix}/{:020}{id:036}", timestamp.max(0))
}

fn parse_position(token: &str) -> Option<(char, (i64, u64))> {
    let (direction, digits) = token.split_once('/')?;
    let direction = match direction {
        "f" => 'f',
        "b" => 'b',
        _ => return None,
    };
    if digits.len() != 56 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((
        direction,
        (digits[..20].parse().ok()?, digits[20..].parse().ok()?),
    ))
}

fn page_token(value: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(value)
}

fn parse_page_token(token: &str) -> Result<String, ServiceError> {
    base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad_token)
}

/// A FilterLogEvents pattern. Supported: the empty pattern (everything), terms that must all
/// appear (`ERROR timeout`), quoted phrases (`"Connection refused"`), terms prefixed with `-`
/// that must not appear, and `?a ?b` (any of them). Matching is case-sensitive, as in AWS.
/// Not supported yet: JSON patterns (`{ $.level = "x" }`), space-delimited patterns
/// (`[ip, user, ...]`), regular expressions (`%...%`) and numeric comparisons; those answer
/// InvalidParameterException rather than matching wrongly.
struct FilterPattern {
    all: Vec<String>,
    none: Vec<String>,
    any: Vec<String>,
}

impl FilterPattern {
    fn parse(pattern: &str) -> Result<FilterPattern, ServiceError> {
        let trimmed = pattern.trim();
        if trimmed.starts_with(['{', '[', '%']) {
            return Err(invalid(format!(
                "Nimbus supports only term and phrase filter patterns so far, not '{trimmed}'"
            )));
        }
        let mut tokens = Vec::new();
        let mut chars = trimmed.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            let mut prefix = String::new();
            if c == '?' || c == '-' {
                prefix.push(c);
                chars.next();
            }
            let mut term = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '"' {
                        closed = true;
                        break;
                    }
                    term.push(c);
                }
                if !closed {
                    return Err(invalid(format!("Invalid filter pattern: {pattern}")));
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    term.push(c);
                    chars.next();
                }
            }
            tokens.push((prefix, term));
        }
        let mut parsed = FilterPattern {
            all: Vec::new(),
            none: Vec::new(),
            any: Vec::new(),
        };
        for (prefix, term) in tokens {
            match prefix.as_str() {
                "?" => parsed.any.push(term),
                "-" => parsed.none.push(term),
                _ => parsed.all.push(term),
            }
        }
        Ok(parsed)
    }

    fn matches(&self, message: &str) -> bool {
        self.all.iter().all(|t| message.contains(t.as_str()))
            && !self.none.iter().any(|t| message.contains(t.as_str()))
            && (self.any.is_empty() || self.any.iter().any(|t| message.contains(t.as_str())))
    }
}

impl Handler<'_, '_> {
    fn group(&self, name: &str) -> Result<&Group, ServiceError> {
        self.state
            .groups
            .get(&self.ctx.scope())
            .and_then(|g| g.get(name))
            .ok_or_else(group_not_found)
    }

    fn group_mut(&mut self, name: &str) -> Result<&mut Group, ServiceError> {
        self.state
            .groups
            .get_mut(&self.ctx.scope())
            .and_then(|g| g.get_mut(name))
            .ok_or_else(group_not_found)
    }

    fn save_group_meta(&mut self, meta: GroupMeta) {
        let scope = self.ctx.scope();
        self.ctx.persist(group_key(&scope, &meta.name), &meta);
        let name = meta.name.clone();
        self.group_mut(&name).expect("group exists").meta = meta;
    }

    /// The group a TagResource-style ARN names.
    fn group_by_arn(&self, arn: &str) -> Result<String, ServiceError> {
        // Only groups of the caller's own account and region are visible.
        let own_prefix = group_arn(&self.ctx.scope(), "");
        let name = arn
            .strip_prefix(&own_prefix)
            .map(|n| n.trim_end_matches(":*").to_string());
        match name {
            Some(name) if self.group(&name).is_ok() => Ok(name),
            _ => Err(errors::RESOURCE_NOT_FOUND_EXCEPTION
                .with_message(format!("The specified resource does not exist: {arn}"))),
        }
    }

    fn add_tags(
        &mut self,
        group: &str,
        tags: BTreeMap<String, String>,
    ) -> Result<(), ServiceError> {
        let mut meta = self.group(group)?.meta.clone();
        meta.tags.extend(tags);
        if meta.tags.len() > 50 {
            return Err(errors::TOO_MANY_TAGS_EXCEPTION
                .with_message("A resource can have no more than 50 tags."));
        }
        self.save_group_meta(meta);
        Ok(())
    }

    fn remove_tags(&mut self, group: &str, keys: &[String]) -> Result<(), ServiceError> {
        let mut meta = self.group(group)?.meta.clone();
        meta.tags.retain(|k, _| !keys.contains(k));
        self.save_group_meta(meta);
        Ok(())
    }
}

/// Appends already-validated events (any order) to a stream that exists, persisting each event
/// and the updated stream and group records; the ingestion time is `ctx.now_millis`.
fn ingest(group: &mut Group, ctx: &mut Ctx, stream: &str, events: &[(i64, String)]) {
    let scope = ctx.scope();
    let now = ctx.now_millis;
    let target = group.streams.get_mut(stream).expect("stream exists");
    for (timestamp, message) in events {
        let event = Event {
            id: group.meta.next_event_id,
            timestamp: *timestamp,
            message: message.clone(),
            ingestion_time: now,
        };
        group.meta.next_event_id += 1;
        ctx.persist(
            event_key(&scope, &group.meta.name, stream, event.id),
            &event,
        );
        let meta = &mut target.meta;
        meta.first_event_timestamp = Some(
            meta.first_event_timestamp
                .map_or(*timestamp, |t| t.min(*timestamp)),
        );
        meta.last_event_timestamp = Some(
            meta.last_event_timestamp
                .map_or(*timestamp, |t| t.max(*timestamp)),
        );
        target.insert(event);
    }
    target.meta.last_ingestion_time = Some(now);
    target.meta.uploads += 1;
    ctx.persist(stream_key(&scope, &group.meta.name, stream), &target.meta);
    ctx.persist(group_key(&scope, &group.meta.name), &group.meta);
}

fn new_group(name: &str, now: i64) -> Group {
    Group {
        meta: GroupMeta {
            name: name.to_string(),
            creation_time: now,
            ..GroupMeta::default()
        },
        streams: BTreeMap::new(),
    }
}

fn new_stream(name: &str, now: i64) -> Stream {
    Stream {
        meta: StreamMeta {
            name: name.to_string(),
            creation_time: now,
            ..StreamMeta::default()
        },
        events: Vec::new(),
    }
}

fn sequence_token(uploads: u64) -> String {
    format!("{uploads:056}")
}

/// Writes log events for the emulator itself (Lambda's function logs), creating the group and the
/// stream when missing. Persists the same records the API would; no batch limits apply.
pub fn append_events(
    state: &mut State,
    ctx: &mut Ctx,
    group: &str,
    stream: &str,
    events: &[(i64, String)],
) {
    let scope = ctx.scope();
    let now = ctx.now_millis;
    let groups = state.groups.entry(scope.clone()).or_default();
    let target = groups.entry(group.to_string()).or_insert_with(|| {
        let created = new_group(group, now);
        ctx.persist(group_key(&scope, group), &created.meta);
        created
    });
    if !target.streams.contains_key(stream) {
        let created = new_stream(stream, now);
        ctx.persist(stream_key(&scope, group, stream), &created.meta);
        target.streams.insert(stream.to_string(), created);
    }
    if !events.is_empty() {
        ingest(target, ctx, stream, events);
    }
}

impl CloudWatchLogs for Handler<'_, '_> {
    fn create_log_group(&mut self, input: CreateLogGroupRequest) -> Result<(), ServiceError> {
        let name = required(input.log_group_name, "logGroupName")?;
        check_group_name(&name, "logGroupName")?;
        if self.group(&name).is_ok() {
            return Err(errors::RESOURCE_ALREADY_EXISTS_EXCEPTION
                .with_message("The specified log group already exists"));
        }
        let tags = input.tags.unwrap_or_default();
        if tags.len() > 50 {
            return Err(invalid(
                "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
            ));
        }
        let mut group = new_group(&name, self.ctx.now_millis);
        group.meta.tags = tags;
        group.meta.kms_key_id = input.kms_key_id;
        let scope = self.ctx.scope();
        self.ctx.persist(group_key(&scope, &name), &group.meta);
        self.state
            .groups
            .entry(scope)
            .or_default()
            .insert(name, group);
        Ok(())
    }

    fn delete_log_group(&mut self, input: DeleteLogGroupRequest) -> Result<(), ServiceError> {
        let name = required(input.log_group_name, "logGroupName")?;
        check_group_name(&name, "logGroupName")?;
        self.group(&name)?;
        let scope = self.ctx.scope();
        if let Some(groups) = self.state.groups.get_mut(&scope) {
            groups.remove(&name);
        }
        let key = group_key(&scope, &name);
        self.ctx.changes.delete(key.clone());
        self.ctx.changes.delete_prefix(format!("{key}/"));
        Ok(())
    }

    fn describe_log_groups(
        &mut self,
        input: DescribeLogGroupsRequest,
    ) -> Result<DescribeLogGroupsResponse, ServiceError> {
        let limit = check_limit(input.limit, 50, 50)?;
        let prefix = input.log_group_name_prefix.unwrap_or_default();
        if input.log_group_name_pattern.is_some() && !prefix.is_empty() {
            return Err(invalid(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
            ));
        }
        // logGroupNamePattern is a case-insensitive substring match.
        let pattern = input
            .log_group_name_pattern
            .unwrap_or_default()
            .to_lowercase();
        let after = input
            .next_token
            .as_deref()
            .map(parse_page_token)
            .transpose()?;
        let scope = self.ctx.scope();
        let empty = BTreeMap::new();
        let groups = self.state.groups.get(&scope).unwrap_or(&empty);
        let matching: Vec<&Group> = groups
            .values()
            .filter(|g| {
                g.meta.name.starts_with(&prefix) && g.meta.name.to_lowercase().contains(&pattern)
            })
            .filter(|g| {
                after
                    .as_ref()
                    .is_none_or(|a| g.meta.name.as_str() > a.as_str())
            })
            .collect();
        let page = &matching[..matching.len().min(limit)];
        let next_token = (matching.len() > limit).then(|| page_token(&page[limit - 1].meta.name));
        let log_groups = page
            .iter()
            .map(|g| {
                let arn = group_arn(&scope, &g.meta.name);
                LogGroupEntry {
                    log_group_name: Some(g.meta.name.clone()),
                    creation_time: Some(g.meta.creation_time),
                    retention_in_days: g.meta.retention_in_days,
                    metric_filter_count: Some(0),
                    arn: Some(format!("{arn}:*")),
                    log_group_arn: Some(arn),
                    stored_bytes: Some(g.streams.values().map(Stream::stored_bytes).sum()),
                    kms_key_id: g.meta.kms_key_id.clone(),
                    log_group_class: Some(LogGroupClass::Standard),
                    deletion_protection_enabled: Some(false),
                    ..LogGroupEntry::default()
                }
            })
            .collect();
        Ok(DescribeLogGroupsResponse {
            log_groups: Some(log_groups),
            next_token,
        })
    }

    fn put_retention_policy(
        &mut self,
        input: PutRetentionPolicyRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.log_group_name, "logGroupName")?;
        let days = required(input.retention_in_days, "retentionInDays")?;
        check_group_name(&name, "logGroupName")?;
        if !RETENTION_DAYS.contains(&days) {
            let allowed: Vec<String> = RETENTION_DAYS.iter().map(i32::to_string).collect();
            return Err(invalid(format!(
                "1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                allowed.join(", ")
            )));
        }
        let mut meta = self.group(&name)?.meta.clone();
        meta.retention_in_days = Some(days);
        self.save_group_meta(meta);
        Ok(())
    }

    fn delete_retention_policy(
        &mut self,
        input: DeleteRetentionPolicyRequest,
    ) -> Result<(), ServiceError> {
        let name = required(input.log_group_name, "logGroupName")?;
        check_group_name(&name, "logGroupName")?;
        let mut meta = self.group(&name)?.meta.clone();
        meta.retention_in_days = None;
        self.save_group_meta(meta);
        Ok(())
    }

    fn create_log_stream(&mut self, input: CreateLogStreamRequest) -> Result<(), ServiceError> {
        let group = required(input.log_group_name, "logGroupName")?;
        let stream = required(input.log_stream_name, "logStreamName")?;
        check_group_name(&group, "logGroupName")?;
        check_stream_name(&stream)?;
        let now = self.ctx.now_millis;
        let target = self.group_mut(&group)?;
        if target.streams.contains_key(&stream) {
            return Err(errors::RESOURCE_ALREADY_EXISTS_EXCEPTION
                .with_message("The specified log stream already exists"));
        }
        let created = new_stream(&stream, now);
        let scope = self.ctx.scope();
        self.ctx
            .persist(stream_key(&scope, &group, &stream), &created.meta);
        self.group_mut(&group)?.streams.insert(stream, created);
        Ok(())
    }

    fn delete_log_stream(&mut self, input: DeleteLogStreamRequest) -> Result<(), ServiceError> {
        let group = required(input.log_group_name, "logGroupName")?;
        let stream = required(input.log_stream_name, "logStreamName")?;
        check_group_name(&group, "logGroupName")?;
        check_stream_name(&stream)?;
        if self.group_mut(&group)?.streams.remove(&stream).is_none() {
            return Err(stream_not_found());
        }
        let key = stream_key(&self.ctx.scope(), &group, &stream);
        self.ctx.changes.delete(key.clone());
        self.ctx.changes.delete_prefix(format!("{key}/"));
        Ok(())
    }

    fn describe_log_streams(
        &mut self,
        input: DescribeLogStreamsRequest,
    ) -> Result<DescribeLogStreamsResponse, ServiceError> {
        let group_name = group_name_of(input.log_group_name, input.log_group_identifier)?;
        let limit = check_limit(input.limit, 50, 50)?;
        let prefix = input.log_stream_name_prefix.unwrap_or_default();
        let by_time = matches!(input.order_by, Some(OrderBy::LastEventTime));
        if let Some(OrderBy::Unknown(value)) = &input.order_by {
            return Err(invalid(format!(
                "1 validation error detected: Value '{value}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]"
            )));
        }
        if by_time && !prefix.is_empty() {
            return Err(invalid(
                "Cannot order by LastEventTime with a logStreamNamePrefix.",
            ));
        }
        let start: usize = match &input.next_token {
            Some(token) => parse_page_token(token)?.parse().map_err(|_| bad_token())?,
            None => 0,
        };
        let group = self.group(&group_name)?;
        let mut streams: Vec<&Stream> = group
            .streams
            .values()
            .filter(|s| s.meta.name.starts_with(&prefix))
            .collect();
        if by_time {
            // Streams without events sort as if their last event were at their creation.
            streams.sort_by_key(|s| {
                (
                    s.meta.last_event_timestamp.unwrap_or(s.meta.creation_time),
                    s.meta.name.clone(),
                )
            });
        }
        if input.descending == Some(true) {
            streams.reverse();
        }
        let end = (start + limit).min(streams.len());
        let page = streams.get(start..end).unwrap_or_default();
        let next_token = (end < streams.len()).then(|| page_token(&end.to_string()));
        let scope = self.ctx.scope();
        let log_streams = page
            .iter()
            .map(|s| LogStreamEntry {
                log_stream_name: Some(s.meta.name.clone()),
                creation_time: Some(s.meta.creation_time),
                first_event_timestamp: s.meta.first_event_timestamp,
                last_event_timestamp: s.meta.last_event_timestamp,
                last_ingestion_time: s.meta.last_ingestion_time,
                upload_sequence_token: (s.meta.uploads > 0).then(|| sequence_token(s.meta.uploads)),
                arn: Some(format!(
                    "{}:log-stream:{}",
                    group_arn(&scope, &group_name),
                    s.meta.name
                )),
                // AWS has answered 0 here since 2019 (storedBytes is deprecated for streams).
                stored_bytes: Some(0),
            })
            .collect();
        Ok(DescribeLogStreamsResponse {
            log_streams: Some(log_streams),
            next_token,
        })
    }

    fn put_log_events(
        &mut self,
        input: PutLogEventsRequest,
    ) -> Result<PutLogEventsResponse, ServiceError> {
        let group_name = required(input.log_group_name, "logGroupName")?;
        let stream_name = required(input.log_stream_name, "logStreamName")?;
        let events = required(input.log_events, "logEvents")?;
        check_group_name(&group_name, "logGroupName")?;
        check_stream_name(&stream_name)?;
        if events.is_empty() {
            return Err(invalid(
                "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
            ));
        }
        if events.len() > MAX_BATCH_EVENTS {
            return Err(invalid(format!(
                "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to {MAX_BATCH_EVENTS}"
            )));
        }
        let mut batch = Vec::with_capacity(events.len());
        for (i, event) in events.into_iter().enumerate() {
            let member = format!("logEvents.{}.member", i + 1);
            let timestamp = required(event.timestamp, &format!("{member}.timestamp"))?;
            let message = required(event.message, &format!("{member}.message"))?;
            if message.is_empty() {
                return Err(invalid(format!(
                    "1 validation error detected: Value '' at '{member}.message' failed to satisfy constraint: Member must have length greater than or equal to 1"
                )));
            }
            if message.len() + EVENT_OVERHEAD > MAX_EVENT_BYTES {
                return Err(invalid(format!(
                    "Log event too large: {} bytes exceeds limit of {MAX_EVENT_BYTES}",
                    message.len() + EVENT_OVERHEAD
                )));
            }
            batch.push((timestamp, message));
        }
        let size: usize = batch.iter().map(|(_, m)| m.len() + EVENT_OVERHEAD).sum();
        if size > MAX_BATCH_BYTES {
            return Err(invalid(format!(
                "Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}"
            )));
        }
        if batch.windows(2).any(|w| w[1].0 < w[0].0) {
            return Err(invalid(
                "Log events in a single PutLogEvents request must be in chronological order.",
            ));
        }
        if batch[batch.len() - 1].0 - batch[0].0 > DAY_MS {
            return Err(invalid(
                "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
            ));
        }
        let group = self.group(&group_name)?;
        if !group.streams.contains_key(&stream_name) {
            return Err(stream_not_found());
        }
        // The batch is in chronological order, so the rejected events are a prefix (too old or
        // past the group's retention) and a suffix (too new); AWS reports their boundary indices.
        let now = self.ctx.now_millis;
        let expired_before = group
            .meta
            .retention_in_days
            .map(|days| now - i64::from(days) * DAY_MS);
        let too_old = batch
            .iter()
            .take_while(|(t, _)| *t < now - TOO_OLD_MS)
            .count();
        let expired = match expired_before {
            Some(limit) => batch.iter().take_while(|(t, _)| *t < limit).count(),
            None => 0,
        };
        let too_new_from = batch.partition_point(|(t, _)| *t <= now + TOO_NEW_MS);
        let skip = too_old.max(expired);
        let mut rejected = RejectedLogEventsInfo::default();
        if too_old > 0 {
            rejected.too_old_log_event_end_index = Some(too_old as i32 - 1);
        }
        if expired > 0 {
            rejected.expired_log_event_end_index = Some(expired as i32 - 1);
        }
        if too_new_from < batch.len() {
            rejected.too_new_log_event_start_index = Some(too_new_from as i32);
        }
        let accepted = batch.get(skip..too_new_from.max(skip)).unwrap_or_default();
        let scope = self.ctx.scope();
        let group = self
            .state
            .groups
            .get_mut(&scope)
            .and_then(|g| g.get_mut(&group_name))
            .expect("group checked above");
        ingest(group, self.ctx, &stream_name, accepted);
        let uploads = group.streams[&stream_name].meta.uploads;
        Ok(PutLogEventsResponse {
            next_sequence_token: Some(sequence_token(uploads)),
            rejected_log_events_info: (rejected != RejectedLogEventsInfo::default())
                .then_some(rejected),
            rejected_entity_info: None,
        })
    }

    fn get_log_events(
        &mut self,
        input: GetLogEventsRequest,
    ) -> Result<GetLogEventsResponse, ServiceError> {
        let group_name = group_name_of(input.log_group_name, input.log_group_identifier)?;
        let stream_name = required(input.log_stream_name, "logStreamName")?;
        let limit = check_limit(input.limit, 10_000, 10_000)?;
        let token = match &input.next_token {
            Some(token) => Some(parse_position(token).ok_or_else(bad_token)?),
            None => None,
        };
        let stream = self
            .group(&group_name)?
            .streams
            .get(&stream_name)
            .ok_or_else(stream_not_found)?;
        // startTime is inclusive, endTime exclusive (AWS GetLogEvents reference).
        let in_range: Vec<&Event> = stream
            .events
            .iter()
            .filter(|e| input.start_time.is_none_or(|t| e.timestamp >= t))
            .filter(|e| input.end_time.is_none_or(|t| e.timestamp < t))
            .collect();
        // A token is a boundary: `f/K` reads events at or after K, `b/K` events before K.
        let from_head = input.start_from_head == Some(true);
        let (page, boundary): (&[&Event], (i64, u64)) = match token {
            Some(('f', at)) => {
                let start = in_range.partition_point(|e| e.key() < at);
                let end = (start + limit).min(in_range.len());
                (&in_range[start..end], at)
            }
            Some((_, at)) => {
                let end = in_range.partition_point(|e| e.key() < at);
                (&in_range[end.saturating_sub(limit)..end], at)
            }
            None if from_head => (
                &in_range[..limit.min(in_range.len())],
                (input.start_time.unwrap_or(0), 0),
            ),
            None => (
                &in_range[in_range.len().saturating_sub(limit)..],
                (input.start_time.unwrap_or(0), 0),
            ),
        };
        // At either end of the stream AWS hands back the token it was given.
        let (forward, backward) = match (page.first(), page.last()) {
            (Some(first), Some(last)) => ((last.timestamp, last.id + 1), first.key()),
            _ => (boundary, boundary),
        };
        Ok(GetLogEventsResponse {
            events: Some(
                page.iter()
                    .map(|e| OutputLogEvent {
                        timestamp: Some(e.timestamp),
                        message: Some(e.message.clone()),
                        ingestion_time: Some(e.ingestion_time),
                    })
                    .collect(),
            ),
            next_forward_token: Some(position_token("f", forward)),
            next_backward_token: Some(position_token("b", backward)),
        })
    }

    fn filter_log_events(
        &mut self,
        input: FilterLogEventsRequest,
    ) -> Result<FilterLogEventsResponse, ServiceError> {
        let group_name = group_name_of(input.log_group_name, input.log_group_identifier)?;
        let limit = check_limit(input.limit, 10_000, 10_000)?;
        if input.log_stream_names.is_some() && input.log_stream_name_prefix.is_some() {
            return Err(invalid(
                "Cannot specify both logStreamNames and logStreamNamePrefix.",
            ));
        }
        let pattern = FilterPattern::parse(input.filter_pattern.as_deref().unwrap_or(""))?;
        let after = match &input.next_token {
            Some(token) => match parse_position(&parse_page_token(token)?) {
                Some(('f', at)) => Some(at),
                _ => return Err(bad_token()),
            },
            None => None,
        };
        let group = self.group(&group_name)?;
        let prefix = input.log_stream_name_prefix.unwrap_or_default();
        let mut matched: Vec<(&str, &Event)> = group
            .streams
            .values()
            .filter(|s| match &input.log_stream_names {
                Some(names) => names.contains(&s.meta.name),
                None => s.meta.name.starts_with(&prefix),
            })
            .flat_map(|s| s.events.iter().map(move |e| (s.meta.name.as_str(), e)))
            .filter(|(_, e)| input.start_time.is_none_or(|t| e.timestamp >= t))
            .filter(|(_, e)| input.end_time.is_none_or(|t| e.timestamp <= t))
            .filter(|(_, e)| after.is_none_or(|at| e.key() >= at))
            .filter(|(_, e)| pattern.matches(&e.message))
            .collect();
        // Events from all matching streams interleave in timestamp order.
        matched.sort_by_key(|(_, e)| e.key());
        let page = &matched[..matched.len().min(limit)];
        let next_token = (matched.len() > limit).then(|| {
            let last = page[limit - 1].1;
            page_token(&position_token("f", (last.timestamp, last.id + 1)))
        });
        let events = page
            .iter()
            .map(|(stream, e)| FilteredLogEvent {
                log_stream_name: Some(stream.to_string()),
                timestamp: Some(e.timestamp),
                message: Some(e.message.clone()),
                ingestion_time: Some(e.ingestion_time),
                event_id: Some(format!("{:020}{:036}", e.timestamp.max(0), e.id)),
            })
            .collect();
        Ok(FilterLogEventsResponse {
            events: Some(events),
            searched_log_streams: Some(Vec::new()),
            next_token,
        })
    }

    fn tag_log_group(&mut self, input: TagLogGroupRequest) -> Result<(), ServiceError> {
        let name = required(input.log_group_name, "logGroupName")?;
        let tags = required(input.tags, "tags")?;
        self.add_tags(&name, tags)
    }

    fn untag_log_group(&mut self, input: UntagLogGroupRequest) -> Result<(), ServiceError> {
        let name = required(input.log_group_name, "logGroupName")?;
        let keys = required(input.tags, "tags")?;
        self.remove_tags(&name, &keys)
    }

    fn list_tags_log_group(
        &mut self,
        input: ListTagsLogGroupRequest,
    ) -> Result<ListTagsLogGroupResponse, ServiceError> {
        let name = required(input.log_group_name, "logGroupName")?;
        Ok(ListTagsLogGroupResponse {
            tags: Some(self.group(&name)?.meta.tags.clone()),
        })
    }

    fn tag_resource(&mut self, input: TagResourceRequest) -> Result<(), ServiceError> {
        let arn = required(input.resource_arn, "resourceArn")?;
        let tags = required(input.tags, "tags")?;
        let name = self.group_by_arn(&arn)?;
        self.add_tags(&name, tags)
    }

    fn untag_resource(&mut self, input: UntagResourceRequest) -> Result<(), ServiceError> {
        let arn = required(input.resource_arn, "resourceArn")?;
        let keys = required(input.tag_keys, "tagKeys")?;
        let name = self.group_by_arn(&arn)?;
        self.remove_tags(&name, &keys)
    }

    fn list_tags_for_resource(
        &mut self,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, ServiceError> {
        let arn = required(input.resource_arn, "resourceArn")?;
        let name = self.group_by_arn(&arn)?;
        Ok(ListTagsForResourceResponse {
            tags: Some(self.group(&name)?.meta.tags.clone()),
        })
    }
}

/// Takes back one record this service persisted (`rest` is the key after the scope). Records
/// come in key order, but a stream or event record creates its parents if it comes first.
pub fn restore(state: &mut State, scope: Scope, rest: &str, value: &[u8]) -> Result<(), String> {
    let parts: Vec<&str> = rest.split('/').collect();
    let groups = state.groups.entry(scope).or_default();
    let parse_err = |e: serde_json::Error| format!("logs record {rest}: {e}");
    match parts[..] {
        ["g", group] => {
            let meta: GroupMeta = serde_json::from_slice(value).map_err(parse_err)?;
            groups.entry(decode(group)).or_default().meta = meta;
        }
        ["g", group, "s", stream] => {
            let meta: StreamMeta = serde_json::from_slice(value).map_err(parse_err)?;
            let group = groups.entry(decode(group)).or_default();
            group.streams.entry(decode(stream)).or_default().meta = meta;
        }
        ["g", group, "s", stream, "e", _] => {
            let event: Event = serde_json::from_slice(value).map_err(parse_err)?;
            let group = groups.entry(decode(group)).or_default();
            group
                .streams
                .entry(decode(stream))
                .or_default()
                .insert(event);
        }
        _ => return Err(format!("unexpected logs record {rest}")),
    }
    Ok(())
}
