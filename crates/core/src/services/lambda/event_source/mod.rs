//! Lambda event source mappings: Lambda polls a source (a DynamoDB stream here; SQS and
//! Kinesis would be further [`Source`]s), batches its records and invokes a function with
//! them, synchronously, checkpointing what was delivered.
//!
//! - `api`: Create/Get/List/Update/DeleteEventSourceMapping, with Lambda's limits and errors;
//! - `event`: a stream record in the shape a function receives, and the on-failure record;
//! - `deliver`: polling (batch size, batching window, filters, retries, bisecting, record age)
//!   and taking in what the function answered.
//!
//! A stream has one shard, so a mapping has at most one batch in flight; ParallelizationFactor
//! is kept and shown but delivery stays sequential (per-key order is what it preserves in AWS
//! too).
//!
//! Records: `lambda/{account}/{region}/esm/{uuid}`, one per mapping, its checkpoint included, so
//! a restart resumes where delivery stopped. Deleting a function leaves its mappings (as in
//! AWS: they keep polling and fail until the function is back).

mod api;
pub mod deliver;
pub mod event;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{emulator::Scope, services::record_key};

pub use deliver::{Batch, OnFailureRecord};

/// Where a mapping reads from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Source {
    DynamoDbStream { stream_arn: String },
}

impl Source {
    pub fn arn(&self) -> &str {
        match self {
            Source::DynamoDbStream { stream_arn } => stream_arn,
        }
    }
}

/// How far a mapping got in its one shard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub shard_id: String,
    /// The last sequence number done with (delivered, filtered out or given up); `None`: none
    /// yet, read from the oldest record (TRIM_HORIZON).
    pub after: Option<String>,
    /// Failed invocations of the records at the checkpoint, against MaximumRetryAttempts.
    pub attempts: i32,
    /// Invocations made with the records at the checkpoint (approximateInvokeCount).
    pub invocations: i32,
    /// The sizes of the next batches to deliver, front first: a failed batch is retried as it
    /// was (one entry), or in two halves once bisected.
    pub redo: Vec<usize>,
    /// The tumbling window records were last delivered in, until its final invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<OpenWindow>,
}

/// A tumbling window that has had an invocation and not yet its final one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenWindow {
    /// Its start, in epoch milliseconds (windows are aligned to multiples of their length).
    pub start_millis: i64,
    /// What the function answered as `state` last, handed to its next invocation. Shared:
    /// it may hold up to 1 MB, and every poll copies the mapping.
    pub state: std::sync::Arc<serde_json::Value>,
    /// The state outgrew 1 MB: the next invocation ends it early.
    #[serde(default)]
    pub terminated_early: bool,
}

/// One event source mapping, as persisted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub uuid: String,
    pub source: Source,
    pub function_name: String,
    /// The function as given: unqualified, or with its version or alias.
    pub function_arn: String,
    pub enabled: bool,
    pub batch_size: i32,
    pub batching_window_secs: i32,
    pub starting_position: String,
    pub parallelization_factor: i32,
    /// -1: until the records expire.
    pub maximum_retry_attempts: i32,
    /// -1: no limit.
    pub maximum_record_age_secs: i32,
    pub bisect_on_error: bool,
    pub report_batch_item_failures: bool,
    /// The FilterCriteria patterns; `None` when the mapping has no FilterCriteria.
    pub filters: Option<Vec<String>>,
    pub on_failure: Option<String>,
    /// 0: no tumbling window.
    #[serde(default)]
    pub tumbling_window_secs: i32,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub last_modified_millis: i64,
    pub last_processing_result: String,
    /// The credentials the function's SDK calls use (the creator's: the same account).
    pub access_key_id: String,
    pub checkpoint: Checkpoint,
}

impl Mapping {
    pub fn arn(&self, scope: &Scope) -> String {
        format!(
            "arn:aws:lambda:{}:{}:event-source-mapping:{}",
            scope.region, scope.account_id, self.uuid
        )
    }
}

/// Every mapping, per account and region, and which are delivering a batch now.
#[derive(Default)]
pub struct State {
    mappings: BTreeMap<Scope, BTreeMap<String, Mapping>>,
    /// Mappings with a batch in flight (one at a time per shard). Not persisted: nothing runs
    /// across a restart, so a batch cut short is polled again.
    in_flight: BTreeSet<(Scope, String)>,
}

impl State {
    pub fn get(&self, scope: &Scope, uuid: &str) -> Option<&Mapping> {
        self.mappings.get(scope)?.get(uuid)
    }

    /// Whether any mapping exists (hosts skip polling otherwise).
    pub fn is_empty(&self) -> bool {
        self.mappings.values().all(BTreeMap::is_empty)
    }

    fn put(&mut self, scope: &Scope, mapping: Mapping) {
        self.mappings
            .entry(scope.clone())
            .or_default()
            .insert(mapping.uuid.clone(), mapping);
    }
}

pub fn record(scope: &Scope, uuid: &str) -> String {
    record_key("lambda", scope, &["esm", uuid])
}

/// Takes back one persisted mapping (`uuid` is the key after `esm/`).
pub fn restore(state: &mut State, scope: Scope, uuid: &str, value: &[u8]) -> Result<(), String> {
    let mapping: Mapping = serde_json::from_slice(value).map_err(|e| e.to_string())?;
    if mapping.uuid != uuid {
        return Err(format!(
            "event source mapping record {uuid} holds {}",
            mapping.uuid
        ));
    }
    state.put(&scope, mapping);
    Ok(())
}
