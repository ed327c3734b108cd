//! SQS: standard and FIFO queues, messages with visibility timeouts measured on the emulator clock.
//!
//! Records: `sqs/{account}/{region}/q/{name}` holds a queue's settings and
//! `sqs/{account}/{region}/q/{name}/m/{seq}` one message each (rewritten on every receive, since
//! the receive count and visibility are state). A queue's record sorts before its messages.

use std::collections::BTreeMap;

use base64::Engine as _;
use md5::{Digest, Md5};
use nimbus_shapes::{
    sqs::{
        errors, BatchResultErrorEntry, ChangeMessageVisibilityRequest, CreateQueueRequest,
        CreateQueueResult, DeleteMessageBatchRequest, DeleteMessageBatchResult,
        DeleteMessageBatchResultEntry, DeleteMessageRequest, DeleteQueueRequest,
        GetQueueAttributesRequest, GetQueueAttributesResult, GetQueueUrlRequest, GetQueueUrlResult,
        ListQueueTagsRequest, ListQueueTagsResult, ListQueuesRequest, ListQueuesResult, Message,
        MessageAttributeValue, MessageSystemAttributeName, PurgeQueueRequest, QueueAttributeName,
        ReceiveMessageRequest, ReceiveMessageResult, SendMessageBatchRequest,
        SendMessageBatchResult, SendMessageBatchResultEntry, SendMessageRequest, SendMessageResult,
        SetQueueAttributesRequest, Sqs, TagQueueRequest, UntagQueueRequest,
    },
    ServiceError,
};
use serde::{Deserialize, Serialize};

use crate::{
    emulator::{Ctx, Scope},
    services::record_key,
};

/// Since August 2025 SQS accepts messages up to 1 MiB (botocore's model documents the new limit).
pub const MAX_MESSAGE_BYTES: usize = 1_048_576;
const MAX_ATTRIBUTES: usize = 10;
/// AWS refuses to re-create a queue name this soon after DeleteQueue.
const RECREATE_DELAY_MILLIS: i64 = 60_000;
const FIFO_DEDUP_WINDOW_MILLIS: i64 = 5 * 60_000;

/// All SQS state, per account and region.
#[derive(Default)]
pub struct State {
    queues: BTreeMap<Scope, BTreeMap<String, Queue>>,
    /// When each queue name was last deleted (not persisted: the 60 s rule is best effort).
    deleted: BTreeMap<(Scope, String), i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Queue {
    name: String,
    created_millis: i64,
    modified_millis: i64,
    /// Settable attributes with their defaults filled in, as GetQueueAttributes shows them.
    attributes: BTreeMap<String, String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(skip)]
    messages: BTreeMap<u64, StoredMessage>,
    #[serde(skip)]
    next_seq: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredMessage {
    seq: u64,
    message_id: String,
    body: String,
    #[serde(default)]
    attributes: BTreeMap<String, MessageAttributeValue>,
    sender_id: String,
    sent_millis: i64,
    visible_at_millis: i64,
    receive_count: u32,
    first_receive_millis: Option<i64>,
    receipt_handle: Option<String>,
    group_id: Option<String>,
    dedup_id: Option<String>,
    /// The queue a dead-lettered message came from.
    #[serde(default)]
    dead_letter_source: Option<String>,
}

pub struct Handler<'a, 'b> {
    pub state: &'a mut State,
    pub ctx: &'a mut Ctx<'b>,
}

fn invalid_parameter(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidParameterValue", 400, message)
}

fn missing_parameter(name: &str) -> ServiceError {
    ServiceError::new(
        "MissingParameter",
        400,
        format!("The request must contain the parameter {name}."),
    )
}

fn queue_does_not_exist() -> ServiceError {
    errors::QUEUE_DOES_NOT_EXIST.with_message("The specified queue does not exist.")
}

/// SQS's MD5 of a message body: hex md5 of its UTF-8 bytes.
pub fn md5_of_body(body: &str) -> String {
    hex::encode(Md5::digest(body.as_bytes()))
}

/// SQS's MD5 of message attributes, which SDKs recompute and compare: for each attribute in name
/// order, length-prefixed (4-byte big-endian) name and data type, a transport byte (1 string,
/// 2 binary) and the length-prefixed value.
pub fn md5_of_attributes(attributes: &BTreeMap<String, MessageAttributeValue>) -> String {
    fn put(hasher: &mut Md5, bytes: &[u8]) {
        hasher.update((bytes.len() as u32).to_be_bytes());
        hasher.update(bytes);
    }
    let mut hasher = Md5::new();
    for (name, value) in attributes {
        put(&mut hasher, name.as_bytes());
        put(
            &mut hasher,
            value.data_type.as_deref().unwrap_or("").as_bytes(),
        );
        if let Some(text) = &value.string_value {
            hasher.update([1u8]);
            put(&mut hasher, text.as_bytes());
        } else if let Some(blob) = &value.binary_value {
            hasher.update([2u8]);
            put(&mut hasher, &blob.0);
        }
    }
    hex::encode(hasher.finalize())
}

/// The characters SQS accepts in a message (XML 1.0's Char production).
fn allowed_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

fn valid_queue_name(name: &str) -> bool {
    let base = name.strip_suffix(".fifo").unwrap_or(name);
    (1..=80).contains(&name.len())
        && !base.is_empty()
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The settable attributes CreateQueue accepts, each with its default and integer range.
const INTEGER_ATTRIBUTES: &[(&str, i64, i64, i64)] = &[
    ("DelaySeconds", 0, 0, 900),
    (
        "MaximumMessageSize",
        MAX_MESSAGE_BYTES as i64,
        1024,
        MAX_MESSAGE_BYTES as i64,
    ),
    ("MessageRetentionPeriod", 345_600, 60, 1_209_600),
    ("ReceiveMessageWaitTimeSeconds", 0, 0, 20),
    ("VisibilityTimeout", 30, 0, 43_200),
    ("KmsDataKeyReusePeriodSeconds", 300, 60, 86_400),
];

/// Checks requested attributes and returns the queue's full settable attribute map.
fn settle_attributes(
    name: &str,
    requested: &BTreeMap<QueueAttributeName, String>,
) -> Result<BTreeMap<String, String>, ServiceError> {
    let fifo_requested = requested
        .get(&QueueAttributeName::FifoQueue)
        .map(|v| v.as_str());
    let fifo = match fifo_requested {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(errors::INVALID_ATTRIBUTE_VALUE
                .with_message("Invalid value for the parameter FifoQueue."))
        }
    };
    if fifo != name.ends_with(".fifo") {
        return Err(invalid_parameter(if fifo {
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
        } else {
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        }));
    }
    let mut settled: BTreeMap<String, String> = INTEGER_ATTRIBUTES
        .iter()
        .filter(|(attr, ..)| *attr != "KmsDataKeyReusePeriodSeconds")
        .map(|(attr, default, ..)| (attr.to_string(), default.to_string()))
        .collect();
    settled.insert("SqsManagedSseEnabled".into(), "true".into());
    if fifo {
        settled.insert("FifoQueue".into(), "true".into());
        settled.insert("ContentBasedDeduplication".into(), "false".into());
        settled.insert("DeduplicationScope".into(), "queue".into());
        settled.insert("FifoThroughputLimit".into(), "perQueue".into());
    }
    for (attr, value) in requested {
        let attr_name = attr.as_str();
        let invalid_value = || {
            errors::INVALID_ATTRIBUTE_VALUE
                .with_message(format!("Invalid value for the parameter {attr_name}."))
        };
        if let Some((_, _, min, max)) = INTEGER_ATTRIBUTES.iter().find(|a| a.0 == attr_name) {
            let number: i64 = value.trim().parse().map_err(|_| invalid_value())?;
            if number < *min || number > *max {
                return Err(invalid_value());
            }
            settled.insert(attr_name.into(), number.to_string());
            continue;
        }
        match attr {
            QueueAttributeName::FifoQueue => {}
            QueueAttributeName::ContentBasedDeduplication
            | QueueAttributeName::DeduplicationScope
            | QueueAttributeName::FifoThroughputLimit
                if !fifo =>
            {
                return Err(errors::INVALID_ATTRIBUTE_NAME
                    .with_message(format!("Unknown Attribute {attr_name}.")))
            }
            QueueAttributeName::ContentBasedDeduplication
            | QueueAttributeName::SqsManagedSseEnabled => {
                if value != "true" && value != "false" {
                    return Err(invalid_value());
                }
                settled.insert(attr_name.into(), value.clone());
            }
            QueueAttributeName::Policy
            | QueueAttributeName::RedrivePolicy
            | QueueAttributeName::RedriveAllowPolicy
            | QueueAttributeName::KmsMasterKeyId
            | QueueAttributeName::DeduplicationScope
            | QueueAttributeName::FifoThroughputLimit => {
                settled.insert(attr_name.into(), value.clone());
            }
            _ => {
                return Err(errors::INVALID_ATTRIBUTE_NAME
                    .with_message(format!("Unknown Attribute {attr_name}.")))
            }
        }
    }
    Ok(settled)
}

/// Checks a RedrivePolicy and returns it in the form SQS stores, with the dead-letter queue's
/// scope and name (whose existence the caller checks).
fn parse_redrive_policy(value: &str) -> Result<(String, Scope, String), ServiceError> {
    let invalid = |reason: &str| {
        invalid_parameter(format!(
            "Value {value} for parameter RedrivePolicy is invalid. Reason: {reason}"
        ))
    };
    let policy: serde_json::Map<String, serde_json::Value> = serde_json::from_str(value)
        .map_err(|_| invalid("Redrive policy is not a valid JSON map."))?;
    for mandatory in ["deadLetterTargetArn", "maxReceiveCount"] {
        if !policy.contains_key(mandatory) {
            return Err(invalid(&format!(
                "Redrive policy does not contain mandatory attribute: {mandatory}."
            )));
        }
    }
    let count = &policy["maxReceiveCount"];
    let max = count
        .as_i64()
        .or_else(|| count.as_str().and_then(|s| s.parse().ok()));
    let max = match max {
        Some(max) if (1..=1000).contains(&max) => max,
        _ => {
            let shown = count
                .as_str()
                .map(str::to_string)
                .unwrap_or(count.to_string());
            return Err(invalid(&format!(
                "Invalid value for maxReceiveCount: {shown}, valid values are from 1 to 1000 both inclusive."
            )));
        }
    };
    let arn = policy["deadLetterTargetArn"].as_str().unwrap_or("");
    let parts: Vec<&str> = arn.split(':').collect();
    let ["arn", _, "sqs", region, account, name] = parts[..] else {
        return Err(invalid("Dead letter target does not exist."));
    };
    let stored =
        serde_json::json!({"deadLetterTargetArn": arn, "maxReceiveCount": max}).to_string();
    let scope = Scope {
        account_id: account.to_string(),
        region: region.to_string(),
    };
    Ok((stored, scope, name.to_string()))
}

/// The account and queue name from a queue URL's path (`/{account}/{name}`), whatever its host.
fn parse_queue_url(url: &str) -> Option<(String, String)> {
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map(|(_, path)| path)?,
        None => url.trim_start_matches('/'),
    };
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let account = segments.next()?;
    let name = segments.next()?;
    if segments.next().is_some() || !account.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((account.to_string(), name.to_string()))
}

impl Queue {
    fn int(&self, attr: &str) -> i64 {
        self.attributes
            .get(attr)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// The dead-letter queue name and maxReceiveCount of a RedrivePolicy (already validated).
    fn redrive(&self) -> Option<(String, u32)> {
        let policy: serde_json::Value =
            serde_json::from_str(self.attributes.get("RedrivePolicy")?).ok()?;
        let target = policy["deadLetterTargetArn"].as_str()?;
        let max = policy["maxReceiveCount"].as_u64()?;
        Some((target.rsplit(':').next()?.to_string(), max as u32))
    }

    fn is_fifo(&self) -> bool {
        self.attributes.get("FifoQueue").map(String::as_str) == Some("true")
    }

    fn expired(&self, message: &StoredMessage, now: i64) -> bool {
        now >= message.sent_millis + self.int("MessageRetentionPeriod") * 1000
    }
}

impl Handler<'_, '_> {
    fn url(&self, account: &str, name: &str) -> String {
        format!("{}/{account}/{name}", self.ctx.caller.endpoint)
    }

    fn arn(scope: &Scope, name: &str) -> String {
        format!("arn:aws:sqs:{}:{}:{name}", scope.region, scope.account_id)
    }

    /// The queue a request's QueueUrl names: same region as the caller, account from the URL.
    fn locate(&self, url: Option<&str>) -> Result<(Scope, String), ServiceError> {
        let url = url.ok_or_else(|| missing_parameter("QueueUrl"))?;
        let (account_id, name) = parse_queue_url(url).ok_or_else(|| {
            errors::INVALID_ADDRESS
                .with_message(format!("The address {url} is not valid for this endpoint."))
        })?;
        let scope = Scope {
            account_id,
            region: self.ctx.caller.region.clone(),
        };
        match self.state.queues.get(&scope) {
            Some(queues) if queues.contains_key(&name) => Ok((scope, name)),
            _ => Err(queue_does_not_exist()),
        }
    }

    /// Validates a RedrivePolicy among `attributes` against the queues that exist, and stores it
    /// in SQS's normal form.
    fn settle_redrive(
        &self,
        scope: &Scope,
        attributes: &mut BTreeMap<String, String>,
    ) -> Result<(), ServiceError> {
        let Some(value) = attributes.get("RedrivePolicy").cloned() else {
            return Ok(());
        };
        let (stored, target_scope, target) = parse_redrive_policy(&value)?;
        let exists = &target_scope == scope
            && self
                .state
                .queues
                .get(scope)
                .is_some_and(|q| q.contains_key(&target));
        if !exists {
            return Err(invalid_parameter(format!(
                "Value {value} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist."
            )));
        }
        attributes.insert("RedrivePolicy".into(), stored);
        Ok(())
    }

    fn move_to_dead_letter_queue(
        &mut self,
        scope: &Scope,
        source: &str,
        target: &str,
        seq: u64,
        now: i64,
    ) {
        let Some(mut message) = self.queue_mut(scope, source).messages.remove(&seq) else {
            return;
        };
        self.delete_message_record(scope, source, seq);
        let dead_letter_queue = self.queue_mut(scope, target);
        message.seq = dead_letter_queue.next_seq;
        dead_letter_queue.next_seq += 1;
        message.visible_at_millis = now;
        message.receipt_handle = None;
        message.dead_letter_source = Some(Self::arn(scope, source));
        dead_letter_queue
            .messages
            .insert(message.seq, message.clone());
        self.persist_message(scope, target, &message);
    }

    fn queue_mut(&mut self, scope: &Scope, name: &str) -> &mut Queue {
        self.state
            .queues
            .get_mut(scope)
            .and_then(|queues| queues.get_mut(name))
            .expect("located queue exists")
    }

    fn persist_queue(&mut self, scope: &Scope, queue: &Queue) {
        self.ctx
            .persist(record_key("sqs", scope, &["q", &queue.name]), queue);
    }

    fn persist_message(&mut self, scope: &Scope, queue: &str, message: &StoredMessage) {
        let seq = format!("{:020}", message.seq);
        self.ctx
            .persist(record_key("sqs", scope, &["q", queue, "m", &seq]), message);
    }

    /// Deletes a message by id. A well-formed handle of a message already deleted succeeds, and
    /// so does an older handle of a message received again (SQS standard queues behave so).
    fn remove_message(&mut self, scope: &Scope, queue: &str, message_id: &str) {
        let queue_state = self.queue_mut(scope, queue);
        let seq = queue_state
            .messages
            .values()
            .find(|m| m.message_id == message_id)
            .map(|m| m.seq);
        if let Some(seq) = seq {
            queue_state.messages.remove(&seq);
            self.delete_message_record(scope, queue, seq);
        }
    }

    fn delete_message_record(&mut self, scope: &Scope, queue: &str, seq: u64) {
        let seq = format!("{seq:020}");
        self.ctx
            .changes
            .delete(record_key("sqs", scope, &["q", queue, "m", &seq]));
    }
}

fn validate_message_attributes(
    attributes: &BTreeMap<String, MessageAttributeValue>,
) -> Result<usize, ServiceError> {
    if attributes.len() > MAX_ATTRIBUTES {
        return Err(invalid_parameter(format!(
            "Number of message attributes [{}] exceeds the allowed maximum [{MAX_ATTRIBUTES}].",
            attributes.len()
        )));
    }
    let mut size = 0;
    for (name, value) in attributes {
        let valid_name = !name.is_empty()
            && name.len() <= 256
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            && !name.starts_with('.')
            && !name.ends_with('.')
            && !name.contains("..")
            && !name.to_ascii_lowercase().starts_with("aws.")
            && !name.to_ascii_lowercase().starts_with("amazon.");
        if !valid_name {
            return Err(invalid_parameter(format!(
                "The message attribute name '{name}' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters."
            )));
        }
        let data_type = value.data_type.as_deref().unwrap_or("");
        if data_type.is_empty() {
            return Err(invalid_parameter(format!(
                "The message attribute '{name}' must contain non-empty message attribute value."
            )));
        }
        let base = data_type.split('.').next().unwrap_or("");
        if !matches!(base, "String" | "Number" | "Binary") {
            return Err(invalid_parameter(format!(
                "The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
            )));
        }
        let value_len = match (base, &value.string_value, &value.binary_value) {
            ("Binary", _, Some(blob)) if !blob.0.is_empty() => blob.0.len(),
            ("String" | "Number", Some(text), _) if !text.is_empty() => {
                if !text.chars().all(allowed_char) {
                    return Err(errors::INVALID_MESSAGE_CONTENTS.with_message(format!(
                        "Message attribute '{name}' has invalid character(s)."
                    )));
                }
                if base == "Number" && text.trim().parse::<f64>().is_err() {
                    return Err(invalid_parameter(format!(
                        "Can't cast the value of message (user) attribute '{name}' to a number."
                    )));
                }
                text.len()
            }
            _ => {
                return Err(invalid_parameter(format!(
                    "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{data_type}'."
                )))
            }
        };
        size += name.len() + data_type.len() + value_len;
    }
    Ok(size)
}

/// Whether ReceiveMessage's MessageAttributeNames ask for `name` ("All", ".*", exact, `prefix.*`).
fn attribute_requested(requested: &[String], name: &str) -> bool {
    requested.iter().any(|r| {
        r == "All"
            || r == ".*"
            || r == name
            || r.strip_suffix(".*")
                .is_some_and(|prefix| name.starts_with(&format!("{prefix}.")))
    })
}

fn range_error(parameter: &str, value: i32, reason: &str) -> ServiceError {
    invalid_parameter(format!(
        "Value {value} for parameter {parameter} is invalid. Reason: {reason}"
    ))
}

fn push<T>(list: &mut Option<Vec<T>>, item: T) {
    list.get_or_insert_with(Vec::new).push(item);
}

fn failed_entry(id: String, error: ServiceError) -> BatchResultErrorEntry {
    BatchResultErrorEntry {
        id: Some(id),
        sender_fault: Some(error.sender_fault),
        code: Some(error.code),
        message: Some(error.message),
    }
}

/// The checks every batch request passes before any entry runs: 1 to 10 entries, with distinct
/// well-formed ids.
fn check_batch<'a>(
    ids: impl Iterator<Item = &'a str>,
    entry_shape: &str,
) -> Result<(), ServiceError> {
    let ids: Vec<&str> = ids.collect();
    if ids.is_empty() {
        return Err(errors::EMPTY_BATCH_REQUEST.with_message(format!(
            "There should be at least one {entry_shape} in the request."
        )));
    }
    if ids.len() > 10 {
        return Err(
            errors::TOO_MANY_ENTRIES_IN_BATCH_REQUEST.with_message(format!(
                "Maximum number of entries per request are 10. You have sent {}.",
                ids.len()
            )),
        );
    }
    for (i, id) in ids.iter().enumerate() {
        let well_formed = (1..=80).contains(&id.len())
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !well_formed {
            return Err(errors::INVALID_BATCH_ENTRY_ID.with_message(
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
            ));
        }
        if ids[..i].contains(id) {
            return Err(
                errors::BATCH_ENTRY_IDS_NOT_DISTINCT.with_message(format!("Id {id} repeated."))
            );
        }
    }
    Ok(())
}

/// The message id a receipt handle we issued names (`base64("{queue} {message id} {token}")`).
fn handle_message_id(queue: &str, handle: &str) -> Result<String, ServiceError> {
    let invalid = || {
        errors::RECEIPT_HANDLE_IS_INVALID.with_message(format!(
            "The input receipt handle \"{handle}\" is not a valid receipt handle."
        ))
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(handle)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(invalid)?;
    match decoded.split(' ').collect::<Vec<_>>()[..] {
        [queue_name, message_id, _token] if queue_name == queue => Ok(message_id.to_string()),
        _ => Err(invalid()),
    }
}

impl Sqs for Handler<'_, '_> {
    fn create_queue(
        &mut self,
        input: CreateQueueRequest,
    ) -> Result<CreateQueueResult, ServiceError> {
        let name = input
            .queue_name
            .ok_or_else(|| missing_parameter("QueueName"))?;
        if !valid_queue_name(&name) {
            return Err(invalid_parameter(
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
            ));
        }
        let requested = input.attributes.unwrap_or_default();
        let mut attributes = settle_attributes(&name, &requested)?;
        let scope = self.ctx.scope();
        self.settle_redrive(&scope, &mut attributes)?;
        let url = self.url(&scope.account_id, &name);
        if let Some(existing) = self.state.queues.get(&scope).and_then(|q| q.get(&name)) {
            // AWS returns the existing queue when every given attribute matches it.
            if let Some(attr) = requested
                .keys()
                .map(|a| a.as_str())
                .find(|a| existing.attributes.get(*a) != attributes.get(*a))
            {
                return Err(errors::QUEUE_NAME_EXISTS.with_message(format!(
                    "A queue already exists with the same name and a different value for attribute {attr}"
                )));
            }
            return Ok(CreateQueueResult {
                queue_url: Some(url),
            });
        }
        let key = (scope.clone(), name.clone());
        if let Some(deleted) = self.state.deleted.get(&key) {
            if self.ctx.now_millis < deleted + RECREATE_DELAY_MILLIS {
                return Err(errors::QUEUE_DELETED_RECENTLY.with_message(
                    "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
                ));
            }
        }
        let queue = Queue {
            name: name.clone(),
            created_millis: self.ctx.now_millis,
            modified_millis: self.ctx.now_millis,
            attributes,
            tags: input.tags.unwrap_or_default(),
            messages: BTreeMap::new(),
            next_seq: 1,
        };
        self.state.deleted.remove(&key);
        self.persist_queue(&scope, &queue);
        self.state
            .queues
            .entry(scope)
            .or_default()
            .insert(name, queue);
        Ok(CreateQueueResult {
            queue_url: Some(url),
        })
    }

    fn get_queue_url(
        &mut self,
        input: GetQueueUrlRequest,
    ) -> Result<GetQueueUrlResult, ServiceError> {
        let name = input
            .queue_name
            .ok_or_else(|| missing_parameter("QueueName"))?;
        let account = input
            .queue_owner_aws_account_id
            .unwrap_or_else(|| self.ctx.caller.account_id.clone());
        let scope = Scope {
            account_id: account.clone(),
            region: self.ctx.caller.region.clone(),
        };
        match self.state.queues.get(&scope) {
            Some(queues) if queues.contains_key(&name) => Ok(GetQueueUrlResult {
                queue_url: Some(self.url(&account, &name)),
            }),
            _ => Err(queue_does_not_exist()),
        }
    }

    fn list_queues(&mut self, input: ListQueuesRequest) -> Result<ListQueuesResult, ServiceError> {
        if let Some(max) = input.max_results {
            if !(1..=1000).contains(&max) {
                return Err(range_error(
                    "MaxResults",
                    max,
                    "MaxResults must be an integer between 1 and 1000.",
                ));
            }
        }
        let after = match &input.next_token {
            Some(token) => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(token)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| invalid_parameter("Invalid NextToken value."))?,
            ),
            None => None,
        };
        let prefix = input.queue_name_prefix.unwrap_or_default();
        let scope = self.ctx.scope();
        let names: Vec<&String> = self
            .state
            .queues
            .get(&scope)
            .map(|q| q.keys().collect())
            .unwrap_or_default();
        let limit = input.max_results.unwrap_or(1000) as usize;
        let matching: Vec<&String> = names
            .into_iter()
            .filter(|n| n.starts_with(&prefix))
            .filter(|n| after.as_ref().is_none_or(|a| n.as_str() > a.as_str()))
            .collect();
        let page = &matching[..matching.len().min(limit)];
        // Only a request with MaxResults gets a NextToken, as the API reference says.
        let next_token = (input.max_results.is_some() && matching.len() > limit)
            .then(|| base64::engine::general_purpose::STANDARD.encode(page[page.len() - 1]));
        let urls: Vec<String> = page
            .iter()
            .map(|n| self.url(&scope.account_id, n))
            .collect();
        Ok(ListQueuesResult {
            queue_urls: (!urls.is_empty()).then_some(urls),
            next_token,
        })
    }

    fn delete_queue(&mut self, input: DeleteQueueRequest) -> Result<(), ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        if let Some(queues) = self.state.queues.get_mut(&scope) {
            queues.remove(&name);
        }
        self.state
            .deleted
            .insert((scope.clone(), name.clone()), self.ctx.now_millis);
        self.ctx
            .changes
            .delete(record_key("sqs", &scope, &["q", &name]));
        self.ctx
            .changes
            .delete_prefix(record_key("sqs", &scope, &["q", &name, ""]));
        Ok(())
    }

    fn get_queue_attributes(
        &mut self,
        input: GetQueueAttributesRequest,
    ) -> Result<GetQueueAttributesResult, ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        let now = self.ctx.now_millis;
        let queue = &self.state.queues[&scope][&name];
        let mut all: BTreeMap<String, String> = queue.attributes.clone();
        all.insert("QueueArn".into(), Self::arn(&scope, &name));
        all.insert(
            "CreatedTimestamp".into(),
            (queue.created_millis / 1000).to_string(),
        );
        all.insert(
            "LastModifiedTimestamp".into(),
            (queue.modified_millis / 1000).to_string(),
        );
        let live = queue.messages.values().filter(|m| !queue.expired(m, now));
        let (mut visible, mut in_flight, mut delayed) = (0, 0, 0);
        for message in live {
            if message.visible_at_millis <= now {
                visible += 1;
            } else if message.receive_count > 0 {
                in_flight += 1;
            } else {
                delayed += 1;
            }
        }
        all.insert("ApproximateNumberOfMessages".into(), visible.to_string());
        all.insert(
            "ApproximateNumberOfMessagesNotVisible".into(),
            in_flight.to_string(),
        );
        all.insert(
            "ApproximateNumberOfMessagesDelayed".into(),
            delayed.to_string(),
        );
        let requested = input.attribute_names.unwrap_or_default();
        let mut out = BTreeMap::new();
        for attr in &requested {
            if let QueueAttributeName::Unknown(other) = attr {
                return Err(errors::INVALID_ATTRIBUTE_NAME
                    .with_message(format!("Unknown Attribute {other}.")));
            }
        }
        for (attr, value) in all {
            let wanted = requested
                .iter()
                .any(|r| *r == QueueAttributeName::All || r.as_str() == attr);
            if wanted {
                out.insert(QueueAttributeName::from(attr.as_str()), value);
            }
        }
        Ok(GetQueueAttributesResult {
            attributes: (!out.is_empty()).then_some(out),
        })
    }

    fn send_message(
        &mut self,
        input: SendMessageRequest,
    ) -> Result<SendMessageResult, ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        let body = input
            .message_body
            .ok_or_else(|| missing_parameter("MessageBody"))?;
        if body.is_empty() {
            return Err(missing_parameter("MessageBody"));
        }
        if !body.chars().all(allowed_char) {
            return Err(errors::INVALID_MESSAGE_CONTENTS.with_message(
                "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
            ));
        }
        let attributes = input.message_attributes.unwrap_or_default();
        let attributes_size = validate_message_attributes(&attributes)?;
        let now = self.ctx.now_millis;
        let queue = &self.state.queues[&scope][&name];
        let max_size = queue.int("MaximumMessageSize") as usize;
        if body.len() + attributes_size > max_size {
            return Err(invalid_parameter(format!(
                "One or more parameters are invalid. Reason: Message must be shorter than {max_size} bytes."
            )));
        }
        let fifo = queue.is_fifo();
        let delay = match input.delay_seconds {
            Some(delay) if !(0..=900).contains(&delay) => {
                return Err(range_error(
                    "DelaySeconds",
                    delay,
                    "DelaySeconds must be >= 0 and <= 900.",
                ))
            }
            // FIFO queues take only the queue's delay (an explicit 0 is tolerated, as by AWS).
            Some(0) if fifo => queue.int("DelaySeconds"),
            Some(delay) if fifo => {
                return Err(invalid_parameter(format!(
                    "Value {delay} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."
                )))
            }
            Some(delay) => i64::from(delay),
            None => queue.int("DelaySeconds"),
        };
        let md5_body = md5_of_body(&body);
        let (group_id, dedup_id) = if fifo {
            let group = input
                .message_group_id
                .ok_or_else(|| missing_parameter("MessageGroupId"))?;
            let dedup = match input.message_deduplication_id {
                Some(id) => id,
                None if queue.attributes.get("ContentBasedDeduplication").map(String::as_str)
                    == Some("true") =>
                {
                    hex::encode(sha2::Sha256::digest(body.as_bytes()))
                }
                None => return Err(invalid_parameter(
                    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                )),
            };
            (Some(group), Some(dedup))
        } else {
            if input.message_group_id.is_some() || input.message_deduplication_id.is_some() {
                let parameter = if input.message_group_id.is_some() {
                    "MessageGroupId"
                } else {
                    "MessageDeduplicationId"
                };
                return Err(invalid_parameter(format!(
                    "Value for parameter {parameter} is invalid. Reason: The request include parameter that is not valid for this queue type."
                )));
            }
            (None, None)
        };
        let md5_attributes = (!attributes.is_empty()).then(|| md5_of_attributes(&attributes));
        // A FIFO duplicate within five minutes is accepted but not enqueued again.
        if let Some(dedup) = &dedup_id {
            if let Some(original) = queue.messages.values().find(|m| {
                m.dedup_id.as_ref() == Some(dedup) && now < m.sent_millis + FIFO_DEDUP_WINDOW_MILLIS
            }) {
                return Ok(SendMessageResult {
                    md5_of_message_body: Some(md5_body),
                    md5_of_message_attributes: md5_attributes,
                    message_id: Some(original.message_id.clone()),
                    sequence_number: Some(format!("{:020}", original.seq)),
                    ..Default::default()
                });
            }
        }
        let message_id = self.ctx.ids.uuid();
        let sender_id = self.ctx.caller.account_id.clone();
        let queue = self.queue_mut(&scope, &name);
        let seq = queue.next_seq;
        queue.next_seq += 1;
        let message = StoredMessage {
            seq,
            message_id: message_id.clone(),
            body,
            attributes,
            sender_id,
            sent_millis: now,
            visible_at_millis: now + delay * 1000,
            receive_count: 0,
            first_receive_millis: None,
            receipt_handle: None,
            group_id,
            dedup_id,
            dead_letter_source: None,
        };
        queue.messages.insert(seq, message.clone());
        self.persist_message(&scope, &name, &message);
        Ok(SendMessageResult {
            md5_of_message_body: Some(md5_body),
            md5_of_message_attributes: md5_attributes,
            message_id: Some(message_id),
            sequence_number: fifo.then(|| format!("{seq:020}")),
            ..Default::default()
        })
    }

    fn receive_message(
        &mut self,
        input: ReceiveMessageRequest,
    ) -> Result<ReceiveMessageResult, ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        let max = input.max_number_of_messages.unwrap_or(1);
        if !(1..=10).contains(&max) {
            return Err(range_error(
                "MaxNumberOfMessages",
                max,
                "Must be between 1 and 10, if provided.",
            ));
        }
        if let Some(wait) = input.wait_time_seconds {
            if !(0..=20).contains(&wait) {
                return Err(range_error(
                    "WaitTimeSeconds",
                    wait,
                    "Must be >= 0 and <= 20, if provided.",
                ));
            }
        }
        if let Some(timeout) = input.visibility_timeout {
            if !(0..=43_200).contains(&timeout) {
                return Err(range_error(
                    "VisibilityTimeout",
                    timeout,
                    "Must be >= 0 and <= 43200, if provided.",
                ));
            }
        }
        // The deprecated AttributeNames and MessageSystemAttributeNames both select system attributes.
        let mut system: Vec<String> = input
            .attribute_names
            .unwrap_or_default()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect();
        system.extend(
            input
                .message_system_attribute_names
                .unwrap_or_default()
                .iter()
                .map(|a| a.as_str().to_string()),
        );
        let wanted_system = |attr: &str| system.iter().any(|s| s == "All" || s == attr);
        let wanted_attributes = input.message_attribute_names.unwrap_or_default();
        let now = self.ctx.now_millis;
        let queue = self.queue_mut(&scope, &name);
        let timeout = input
            .visibility_timeout
            .map(i64::from)
            .unwrap_or_else(|| queue.int("VisibilityTimeout"));
        let expired: Vec<u64> = queue
            .messages
            .values()
            .filter(|m| queue.expired(m, now))
            .map(|m| m.seq)
            .collect();
        for seq in &expired {
            queue.messages.remove(seq);
        }
        // A FIFO message group stays locked while any of its messages is in flight.
        let fifo = queue.is_fifo();
        let locked_groups: Vec<String> = if fifo {
            queue
                .messages
                .values()
                .filter(|m| m.visible_at_millis > now && m.receive_count > 0)
                .filter_map(|m| m.group_id.clone())
                .collect()
        } else {
            Vec::new()
        };
        // A message received maxReceiveCount times moves to the dead-letter queue instead of
        // being delivered again (if that queue still exists).
        let redrive = queue.redrive().filter(|(target, _)| {
            self.state
                .queues
                .get(&scope)
                .is_some_and(|q| q.contains_key(target))
        });
        let queue = &self.state.queues[&scope][&name];
        let mut picked = Vec::new();
        let mut dead = Vec::new();
        for message in queue.messages.values() {
            if picked.len() == max as usize {
                break;
            }
            let group_locked = message
                .group_id
                .as_ref()
                .is_some_and(|g| locked_groups.contains(g));
            if message.visible_at_millis > now || group_locked {
                continue;
            }
            match &redrive {
                Some((_, max_receives)) if message.receive_count >= *max_receives => {
                    dead.push(message.seq)
                }
                _ => picked.push(message.seq),
            }
        }
        if let Some((target, _)) = &redrive {
            for seq in dead {
                self.move_to_dead_letter_queue(&scope, &name, target, seq, now);
            }
        }
        let mut tokens = Vec::new();
        for _ in &picked {
            tokens.push(self.ctx.ids.token(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                40,
            ));
        }
        let queue = self.queue_mut(&scope, &name);
        let mut updated = Vec::new();
        for (seq, token) in picked.iter().zip(tokens) {
            let message = queue.messages.get_mut(seq).expect("picked message");
            message.receive_count += 1;
            message.first_receive_millis.get_or_insert(now);
            message.visible_at_millis = now + timeout * 1000;
            let handle = base64::engine::general_purpose::STANDARD
                .encode(format!("{name} {} {token}", message.message_id));
            message.receipt_handle = Some(handle);
            updated.push(message.clone());
        }
        for seq in expired {
            self.delete_message_record(&scope, &name, seq);
        }
        let mut messages = Vec::new();
        for message in updated {
            self.persist_message(&scope, &name, &message);
            let mut system_attributes = BTreeMap::new();
            let mut add = |attr: MessageSystemAttributeName, value: String| {
                if wanted_system(attr.as_str()) {
                    system_attributes.insert(attr, value);
                }
            };
            add(
                MessageSystemAttributeName::SenderId,
                message.sender_id.clone(),
            );
            add(
                MessageSystemAttributeName::SentTimestamp,
                message.sent_millis.to_string(),
            );
            add(
                MessageSystemAttributeName::ApproximateReceiveCount,
                message.receive_count.to_string(),
            );
            add(
                MessageSystemAttributeName::ApproximateFirstReceiveTimestamp,
                message.first_receive_millis.unwrap_or(now).to_string(),
            );
            if fifo {
                add(
                    MessageSystemAttributeName::SequenceNumber,
                    format!("{:020}", message.seq),
                );
                if let Some(group) = &message.group_id {
                    add(MessageSystemAttributeName::MessageGroupId, group.clone());
                }
                if let Some(dedup) = &message.dedup_id {
                    add(
                        MessageSystemAttributeName::MessageDeduplicationId,
                        dedup.clone(),
                    );
                }
            }
            if let Some(source) = &message.dead_letter_source {
                add(
                    MessageSystemAttributeName::DeadLetterQueueSourceArn,
                    source.clone(),
                );
            }
            let attributes: BTreeMap<String, MessageAttributeValue> = message
                .attributes
                .iter()
                .filter(|(attr, _)| attribute_requested(&wanted_attributes, attr))
                .map(|(attr, value)| (attr.clone(), value.clone()))
                .collect();
            messages.push(Message {
                message_id: Some(message.message_id.clone()),
                receipt_handle: message.receipt_handle.clone(),
                md5_of_body: Some(md5_of_body(&message.body)),
                body: Some(message.body.clone()),
                attributes: (!system_attributes.is_empty()).then_some(system_attributes),
                md5_of_message_attributes: (!attributes.is_empty())
                    .then(|| md5_of_attributes(&attributes)),
                message_attributes: (!attributes.is_empty()).then_some(attributes),
            });
        }
        Ok(ReceiveMessageResult {
            messages: (!messages.is_empty()).then_some(messages),
        })
    }

    fn delete_message(&mut self, input: DeleteMessageRequest) -> Result<(), ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        let handle = input
            .receipt_handle
            .ok_or_else(|| missing_parameter("ReceiptHandle"))?;
        let message_id = handle_message_id(&name, &handle)?;
        self.remove_message(&scope, &name, &message_id);
        Ok(())
    }

    fn delete_message_batch(
        &mut self,
        input: DeleteMessageBatchRequest,
    ) -> Result<DeleteMessageBatchResult, ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        let entries = input.entries.unwrap_or_default();
        check_batch(
            entries.iter().map(|e| e.id.as_deref().unwrap_or("")),
            "DeleteMessageBatchRequestEntry",
        )?;
        let mut result = DeleteMessageBatchResult {
            successful: Some(Vec::new()),
            failed: Some(Vec::new()),
        };
        for entry in entries {
            let id = entry.id.unwrap_or_default();
            let handle = entry.receipt_handle.unwrap_or_default();
            match handle_message_id(&name, &handle) {
                Ok(message_id) => {
                    self.remove_message(&scope, &name, &message_id);
                    push(
                        &mut result.successful,
                        DeleteMessageBatchResultEntry { id: Some(id) },
                    );
                }
                Err(error) => push(&mut result.failed, failed_entry(id, error)),
            }
        }
        Ok(result)
    }

    fn change_message_visibility(
        &mut self,
        input: ChangeMessageVisibilityRequest,
    ) -> Result<(), ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        let handle = input
            .receipt_handle
            .ok_or_else(|| missing_parameter("ReceiptHandle"))?;
        let timeout = input
            .visibility_timeout
            .ok_or_else(|| missing_parameter("VisibilityTimeout"))?;
        if !(0..=43_200).contains(&timeout) {
            return Err(range_error(
                "VisibilityTimeout",
                timeout,
                "Must be >= 0 and <= 43200, if provided.",
            ));
        }
        let message_id = handle_message_id(&name, &handle)?;
        let now = self.ctx.now_millis;
        let queue = self.queue_mut(&scope, &name);
        // Only a received message that is still hidden (in flight) can change its visibility.
        let message = queue
            .messages
            .values_mut()
            .find(|m| m.message_id == message_id && m.receive_count > 0 && m.visible_at_millis > now)
            .ok_or_else(|| {
                invalid_parameter(format!(
                    "Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."
                ))
            })?;
        message.visible_at_millis = now + i64::from(timeout) * 1000;
        let message = message.clone();
        self.persist_message(&scope, &name, &message);
        Ok(())
    }

    fn send_message_batch(
        &mut self,
        input: SendMessageBatchRequest,
    ) -> Result<SendMessageBatchResult, ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        let entries = input.entries.unwrap_or_default();
        check_batch(
            entries.iter().map(|e| e.id.as_deref().unwrap_or("")),
            "SendMessageBatchRequestEntry",
        )?;
        let max_size = self.state.queues[&scope][&name].int("MaximumMessageSize") as usize;
        let total: usize = entries
            .iter()
            .map(|e| {
                e.message_body.as_deref().map_or(0, str::len)
                    + e.message_attributes
                        .as_ref()
                        .map_or(0, |a| validate_message_attributes(a).unwrap_or(0))
            })
            .sum();
        if total > max_size {
            return Err(errors::BATCH_REQUEST_TOO_LONG.with_message(format!(
                "Batch requests cannot be longer than {max_size} bytes. You have sent {total} bytes."
            )));
        }
        let mut result = SendMessageBatchResult {
            successful: Some(Vec::new()),
            failed: Some(Vec::new()),
        };
        for entry in entries {
            let id = entry.id.unwrap_or_default();
            // Each entry is a SendMessage of its own: it succeeds or fails alone.
            let sent = self.send_message(SendMessageRequest {
                queue_url: input.queue_url.clone(),
                message_body: entry.message_body,
                delay_seconds: entry.delay_seconds,
                message_attributes: entry.message_attributes,
                message_system_attributes: entry.message_system_attributes,
                message_deduplication_id: entry.message_deduplication_id,
                message_group_id: entry.message_group_id,
            });
            match sent {
                Ok(sent) => push(
                    &mut result.successful,
                    SendMessageBatchResultEntry {
                        id: Some(id),
                        message_id: sent.message_id,
                        md5_of_message_body: sent.md5_of_message_body,
                        md5_of_message_attributes: sent.md5_of_message_attributes,
                        md5_of_message_system_attributes: None,
                        sequence_number: sent.sequence_number,
                    },
                ),
                Err(error) => push(&mut result.failed, failed_entry(id, error)),
            }
        }
        Ok(result)
    }

    fn set_queue_attributes(
        &mut self,
        input: SetQueueAttributesRequest,
    ) -> Result<(), ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        let mut requested = input.attributes.unwrap_or_default();
        let queue = &self.state.queues[&scope][&name];
        // The queue type is fixed at creation; restating it is harmless.
        let fifo = if queue.is_fifo() { "true" } else { "false" };
        if requested
            .get(&QueueAttributeName::FifoQueue)
            .is_some_and(|v| v != fifo)
        {
            return Err(errors::INVALID_ATTRIBUTE_VALUE
                .with_message("Invalid value for the parameter FifoQueue."));
        }
        requested.insert(QueueAttributeName::FifoQueue, fifo.to_string());
        let mut settled = settle_attributes(&name, &requested)?;
        self.settle_redrive(&scope, &mut settled)?;
        let now = self.ctx.now_millis;
        let mut queue = queue.clone();
        for attr in requested.keys() {
            if let Some(value) = settled.get(attr.as_str()) {
                queue
                    .attributes
                    .insert(attr.as_str().to_string(), value.clone());
            }
        }
        queue.modified_millis = now;
        self.persist_queue(&scope, &queue);
        let stored = self.queue_mut(&scope, &name);
        stored.attributes = queue.attributes;
        stored.modified_millis = now;
        Ok(())
    }

    fn tag_queue(&mut self, input: TagQueueRequest) -> Result<(), ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        let tags = input.tags.unwrap_or_default();
        let queue = self.queue_mut(&scope, &name);
        queue.tags.extend(tags);
        let queue = queue.clone();
        self.persist_queue(&scope, &queue);
        Ok(())
    }

    fn untag_queue(&mut self, input: UntagQueueRequest) -> Result<(), ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        let keys = input.tag_keys.unwrap_or_default();
        let queue = self.queue_mut(&scope, &name);
        queue.tags.retain(|k, _| !keys.contains(k));
        let queue = queue.clone();
        self.persist_queue(&scope, &queue);
        Ok(())
    }

    fn list_queue_tags(
        &mut self,
        input: ListQueueTagsRequest,
    ) -> Result<ListQueueTagsResult, ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        let tags = self.state.queues[&scope][&name].tags.clone();
        Ok(ListQueueTagsResult {
            tags: (!tags.is_empty()).then_some(tags),
        })
    }

    fn purge_queue(&mut self, input: PurgeQueueRequest) -> Result<(), ServiceError> {
        let (scope, name) = self.locate(input.queue_url.as_deref())?;
        self.queue_mut(&scope, &name).messages.clear();
        self.ctx
            .changes
            .delete_prefix(record_key("sqs", &scope, &["q", &name, "m", ""]));
        Ok(())
    }
}

/// Takes back one record this service persisted (`rest` is the key after the scope).
pub fn restore(state: &mut State, scope: Scope, rest: &str, value: &[u8]) -> Result<(), String> {
    let parts: Vec<&str> = rest.split('/').collect();
    match parts[..] {
        ["q", name] => {
            let mut queue: Queue = serde_json::from_slice(value).map_err(|e| e.to_string())?;
            queue.next_seq = 1;
            state
                .queues
                .entry(scope)
                .or_default()
                .insert(name.to_string(), queue);
            Ok(())
        }
        ["q", name, "m", _] => {
            let message: StoredMessage =
                serde_json::from_slice(value).map_err(|e| e.to_string())?;
            let queue = state
                .queues
                .get_mut(&scope)
                .and_then(|q| q.get_mut(name))
                .ok_or_else(|| format!("sqs message {rest} without its queue"))?;
            queue.next_seq = queue.next_seq.max(message.seq + 1);
            queue.messages.insert(message.seq, message);
            Ok(())
        }
        _ => Err(format!("unexpected sqs record {rest}")),
    }
}
