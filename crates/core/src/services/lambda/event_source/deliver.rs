//! Delivery: [`Poller::poll`] finds the batches ready now, each with a prepared synchronous
//! invocation; the host runs them and hands each answer to [`Poller::complete`], which moves
//! the checkpoint as Lambda does for streams:
//!
//! - success: past the batch;
//! - ReportBatchItemFailures (`{"batchItemFailures": [{"itemIdentifier": seq}]}`): up to the
//!   lowest failed record, which is retried with the rest (an empty list or null is success;
//!   an identifier that is not in the batch fails the whole batch);
//! - error: the same batch again on a later poll, until MaximumRetryAttempts; with
//!   BisectBatchOnFunctionError a failed batch is first split in halves (not counted);
//! - exhausted retries, or records older than MaximumRecordAgeInSeconds: discarded, described
//!   to the on-failure destination, and passed.
//!
//! Records matching none of the filters are passed without an invocation.
//!
//! With a tumbling window (TumblingWindowInSeconds), windows are aligned to multiples of their
//! length on the records' arrival times and a batch never spans two. Each invocation gets the
//! `state` the previous one in its window answered (`{}` first) and must answer one, or it
//! failed. Once a window has ended and its records are delivered, a final invocation with no
//! records and `isFinalInvokeForWindow` hands over the last state, and is retried until it
//! succeeds; a state over 1 MB ends the window early (`isWindowTerminatedEarly`), which then
//! goes on with a fresh state.

use base64::Engine as _;
use nimbus_shapes::ServiceError;
use nimbus_storage::ChangeSet;
use serde_json::{json, Value};

use super::{
    event::{self, Condition, Discarded, Response, WindowContext},
    record, Mapping, OpenWindow, Source, State,
};
use crate::{
    emulator::{Caller, Scope},
    event_pattern,
    services::{
        dynamodb,
        lambda::{
            self,
            invoke::{self, InFlight, PreparedInvoke, SYNC_PAYLOAD_LIMIT},
        },
    },
    IdSource,
};

/// Records read from the stream at a time while filling a batch.
const CHUNK: usize = 1000;

/// The largest state a tumbling window keeps ("Your state can be a maximum of 1 MB per shard").
const WINDOW_STATE_LIMIT: usize = 1024 * 1024;

/// One batch on its way to the function.
#[derive(Clone, Debug)]
pub struct Batch {
    /// Who the function runs as (the mapping's account, region and creator's key).
    pub caller: Caller,
    pub prepared: PreparedInvoke,
    scope: Scope,
    uuid: String,
    /// (sequence number, arrival millis) of each record, in order.
    records: Vec<(String, i64)>,
    /// The tumbling window it is an invocation of.
    window: Option<WindowInvoke>,
}

#[derive(Clone, Copy, Debug)]
struct WindowInvoke {
    start_millis: i64,
    /// The window's final invocation (no records).
    is_final: bool,
}

impl Batch {
    pub fn mapping_uuid(&self) -> &str {
        &self.uuid
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

/// An on-failure record to send: into an SQS queue or to an SNS topic.
#[derive(Clone, Debug, PartialEq)]
pub struct OnFailureRecord {
    pub scope: Scope,
    pub destination: String,
    pub record: Value,
}

/// What polling and completing need of the emulator.
pub struct Poller<'a> {
    pub sources: &'a mut State,
    pub dynamodb: &'a dynamodb::State,
    pub lambda: &'a lambda::State,
    pub in_flight: &'a mut InFlight,
    pub ids: &'a mut dyn IdSource,
    pub now: i64,
    pub changes: &'a mut ChangeSet,
    /// Discarded batches to describe to their destinations.
    pub failures: Vec<OnFailureRecord>,
}

/// How an invocation went, for the checkpoint.
enum Verdict {
    Success,
    /// The first `n` records succeeded.
    Partial(usize),
    Failure,
}

impl Poller<'_> {
    fn save(&mut self, scope: &Scope, mapping: Mapping) {
        self.changes.put(
            record(scope, &mapping.uuid),
            serde_json::to_vec(&mapping).expect("mappings serialise"),
        );
        self.sources.put(scope, mapping);
    }

    /// The batches ready now, one per enabled mapping at most (one in flight per shard).
    pub fn poll(&mut self) -> Vec<Batch> {
        let keys: Vec<(Scope, String)> = self
            .sources
            .mappings
            .iter()
            .flat_map(|(scope, m)| m.keys().map(|uuid| (scope.clone(), uuid.clone())))
            .collect();
        let mut batches = Vec::new();
        for (scope, uuid) in keys {
            if self
                .sources
                .in_flight
                .contains(&(scope.clone(), uuid.clone()))
            {
                continue;
            }
            let Some(mapping) = self.sources.get(&scope, &uuid).cloned() else {
                continue;
            };
            if mapping.enabled {
                batches.extend(self.poll_one(&scope, mapping));
            }
        }
        batches
    }

    fn poll_one(&mut self, scope: &Scope, mut mapping: Mapping) -> Option<Batch> {
        let before = mapping.clone();
        let Source::DynamoDbStream { stream_arn } = mapping.source.clone();
        let patterns: Vec<event_pattern::Pattern> = mapping
            .filters
            .iter()
            .flatten()
            .filter_map(|p| event_pattern::parse(p).ok())
            .collect();
        let cap = mapping
            .checkpoint
            .redo
            .first()
            .copied()
            .unwrap_or(mapping.batch_size as usize);
        let window_millis = i64::from(mapping.tumbling_window_secs) * 1000;
        let window_of =
            |millis: i64| (window_millis > 0).then(|| millis - millis.rem_euclid(window_millis));
        // The event is {"Records":[...]}: 13 bytes plus a comma per record, and in a tumbling
        // window its fields (sized once the batch has a record, so an idle poll does not
        // serialise the window's state).
        let mut size = 13;
        let mut full = false;
        let mut included: Vec<(String, i64, Value)> = Vec::new();
        let mut skipped: Option<String> = None;
        let mut after = mapping.checkpoint.after.clone();
        'read: loop {
            let chunk = self.dynamodb.stream_records_after(
                scope,
                &stream_arn,
                after.as_deref(),
                CHUNK,
                self.now,
            );
            if chunk.is_empty() {
                break;
            }
            for (seq, millis, record) in chunk {
                after = Some(seq.clone());
                let event = event::lambda_record(&record, &stream_arn);
                if !patterns.is_empty() && !patterns.iter().any(|p| p.matches(&event)) {
                    if included.is_empty() {
                        skipped = Some(seq);
                    }
                    continue;
                }
                let len = serde_json::to_vec(&event).map_or(0, |v| v.len()) + 1;
                let next_window = included
                    .first()
                    .is_some_and(|first| window_of(first.1) != window_of(millis));
                if next_window || (!included.is_empty() && size + len > SYNC_PAYLOAD_LIMIT) {
                    full = true;
                    break 'read;
                }
                if included.is_empty() {
                    size += window_of(millis).map_or(0, |start_millis| {
                        let window = WindowInvoke {
                            start_millis,
                            is_final: false,
                        };
                        event::window_overhead(&window_context(&mapping, window))
                    });
                }
                size += len;
                included.push((seq, millis, event));
                if included.len() >= cap {
                    full = true;
                    break 'read;
                }
            }
        }
        // Records no filter matched are done with.
        if skipped.is_some() {
            mapping.checkpoint.after = skipped;
        }
        if let Some(open) = &mapping.checkpoint.window {
            let more_of_it = included
                .first()
                .is_some_and(|first| window_of(first.1) == Some(open.start_millis));
            let ended = self.now >= open.start_millis + window_millis;
            if open.terminated_early || (ended && !more_of_it) {
                let final_invoke = WindowInvoke {
                    start_millis: open.start_millis,
                    is_final: true,
                };
                let batch = self.prepare(scope, &mut mapping, Vec::new(), Some(final_invoke));
                if mapping != before {
                    self.save(scope, mapping);
                }
                return batch;
            }
        }
        let ready = !included.is_empty()
            && (full
                || mapping.batching_window_secs == 0
                || !mapping.checkpoint.redo.is_empty()
                || self.now - included[0].1 >= i64::from(mapping.batching_window_secs) * 1000);
        if ready && mapping.maximum_record_age_secs >= 0 {
            let limit = i64::from(mapping.maximum_record_age_secs) * 1000;
            let too_old = included
                .iter()
                .take_while(|(_, millis, _)| self.now - millis > limit)
                .count();
            if too_old > 0 {
                let records: Vec<(String, i64)> = included[..too_old]
                    .iter()
                    .map(|(seq, millis, _)| (seq.clone(), *millis))
                    .collect();
                let request_id = self.ids.uuid();
                self.discard(
                    scope,
                    &mut mapping,
                    &records,
                    Condition::RecordAgeExceeded,
                    &request_id,
                    None,
                );
                mapping.checkpoint.redo.clear();
                self.save(scope, mapping);
                return None;
            }
        }
        let batch = if ready {
            let window = window_of(included[0].1).map(|start_millis| WindowInvoke {
                start_millis,
                is_final: false,
            });
            self.prepare(scope, &mut mapping, included, window)
        } else {
            None
        };
        if mapping != before {
            self.save(scope, mapping);
        }
        batch
    }

    fn prepare(
        &mut self,
        scope: &Scope,
        mapping: &mut Mapping,
        included: Vec<(String, i64, Value)>,
        window: Option<WindowInvoke>,
    ) -> Option<Batch> {
        let records: Vec<(String, i64)> = included
            .iter()
            .map(|(seq, millis, _)| (seq.clone(), *millis))
            .collect();
        let events: Vec<Value> = included.into_iter().map(|(_, _, e)| e).collect();
        let context = window.map(|w| window_context(mapping, w));
        let payload = event::batch_event(&events, context.as_ref());
        let caller = Caller {
            account_id: scope.account_id.clone(),
            region: scope.region.clone(),
            access_key_id: mapping.access_key_id.clone(),
            endpoint: String::new(),
        };
        let input = json!({
            "FunctionName": mapping.function_arn,
            "InvocationType": "RequestResponse",
            "Payload": base64::engine::general_purpose::STANDARD.encode(&payload),
        });
        let request_id = self.ids.uuid();
        let hex = self.ids.token(b"0123456789abcdef", 32);
        let now = self.now;
        let prepared = invoke::prepare(
            self.lambda,
            self.in_flight,
            scope,
            request_id,
            |version| invoke::log_stream_name(now, version, &hex),
            input,
        );
        match prepared {
            Ok(prepared) => {
                self.sources
                    .in_flight
                    .insert((scope.clone(), mapping.uuid.clone()));
                Some(Batch {
                    caller,
                    prepared,
                    scope: scope.clone(),
                    uuid: mapping.uuid.clone(),
                    records,
                    window,
                })
            }
            // Throttled: the records wait for a later poll.
            Err(e) if e.code == "TooManyRequestsException" => None,
            // The function is gone (or unusable): the mapping stays and keeps failing, as in
            // AWS, without spending the records' retries.
            Err(_) => {
                mapping.last_processing_result = "PROBLEM: Function call failed".into();
                None
            }
        }
    }

    /// Takes in what running a batch gave: `answer` is the completed Invoke (canonical
    /// InvocationResponse) or why it could not run.
    pub fn complete(&mut self, batch: &Batch, answer: &Result<Value, ServiceError>) {
        self.sources
            .in_flight
            .remove(&(batch.scope.clone(), batch.uuid.clone()));
        let Some(mut mapping) = self.sources.get(&batch.scope, &batch.uuid).cloned() else {
            return; // deleted meanwhile
        };
        // What a tumbling window's invocation answered as its state.
        let mut window_state = None;
        let (verdict, response) = match answer {
            Err(error) => (
                Verdict::Failure,
                Response {
                    status_code: i64::from(error.status),
                    executed_version: batch.prepared.invocation.version.clone(),
                    function_error: Some("Unhandled".into()),
                },
            ),
            Ok(output) => {
                let response = Response {
                    status_code: output["StatusCode"].as_i64().unwrap_or(200),
                    executed_version: output["ExecutedVersion"]
                        .as_str()
                        .unwrap_or(&batch.prepared.invocation.version)
                        .to_string(),
                    function_error: output["FunctionError"].as_str().map(str::to_string),
                };
                let answer: Value = output["Payload"]
                    .as_str()
                    .and_then(|p| base64::engine::general_purpose::STANDARD.decode(p).ok())
                    .and_then(|payload| serde_json::from_slice(&payload).ok())
                    .unwrap_or(Value::Null);
                let in_window = batch.window.is_some_and(|w| !w.is_final);
                window_state = answer.get("state").filter(|_| in_window).cloned();
                let verdict = if response.function_error.is_some() {
                    Verdict::Failure
                } else if batch.window.is_some_and(|w| w.is_final) {
                    // No records to report failures of.
                    Verdict::Success
                } else if in_window && window_state.is_none() {
                    // "If the response does not contain a state property, Lambda considers
                    // this a failed invocation."
                    Verdict::Failure
                } else if mapping.report_batch_item_failures {
                    item_failures(&answer, &batch.records)
                } else {
                    Verdict::Success
                };
                (verdict, response)
            }
        };
        if let Some(window) = batch.window.filter(|w| w.is_final) {
            self.finished_window(&batch.scope, mapping, window, &verdict);
            return;
        }
        if let (Some(window), Some(state), Verdict::Success | Verdict::Partial(_)) =
            (batch.window, window_state, &verdict)
        {
            let size = state.to_string().len();
            mapping.checkpoint.window = Some(OpenWindow {
                start_millis: window.start_millis,
                state: state.into(),
                terminated_early: size > WINDOW_STATE_LIMIT,
            });
        }
        let checkpoint = &mut mapping.checkpoint;
        checkpoint.invocations += 1;
        match verdict {
            Verdict::Success => {
                checkpoint.after = batch.records.last().map(|(seq, _)| seq.clone());
                done_with_front(checkpoint);
                mapping.last_processing_result = "OK".into();
            }
            Verdict::Partial(succeeded) => {
                // Lambda checkpoints at the lowest failed record and retries from there.
                if succeeded > 0 {
                    checkpoint.after = Some(batch.records[succeeded - 1].0.clone());
                }
                let rest = &batch.records[succeeded..];
                checkpoint.redo = vec![rest.len()];
                mapping.last_processing_result = "PROBLEM: Function call failed".into();
                self.failed(&batch.scope, &mut mapping, batch, rest, &response, false);
            }
            Verdict::Failure => {
                mapping.last_processing_result = "PROBLEM: Function call failed".into();
                let records = batch.records.clone();
                self.failed(&batch.scope, &mut mapping, batch, &records, &response, true);
            }
        }
        self.save(&batch.scope.clone(), mapping);
    }

    /// Takes in how a window's final invocation went: on success the window is done with
    /// (or, ended early, goes on with a fresh state); a failure is retried by the next poll.
    fn finished_window(
        &mut self,
        scope: &Scope,
        mut mapping: Mapping,
        window: WindowInvoke,
        verdict: &Verdict,
    ) {
        if let Verdict::Failure = verdict {
            mapping.last_processing_result = "PROBLEM: Function call failed".into();
        } else {
            mapping.last_processing_result = "OK".into();
            let checkpoint = &mut mapping.checkpoint;
            match &mut checkpoint.window {
                Some(open) if open.start_millis == window.start_millis && open.terminated_early => {
                    open.state = json!({}).into();
                    open.terminated_early = false;
                }
                _ => checkpoint.window = None,
            }
        }
        self.save(scope, mapping);
    }

    /// A failed delivery of `records` (the records from the checkpoint on).
    fn failed(
        &mut self,
        scope: &Scope,
        mapping: &mut Mapping,
        batch: &Batch,
        records: &[(String, i64)],
        response: &Response,
        may_bisect: bool,
    ) {
        let checkpoint = &mut mapping.checkpoint;
        if may_bisect && mapping.bisect_on_error && records.len() > 1 {
            // Bisecting does not count against the retries.
            let first = records.len().div_ceil(2);
            if !checkpoint.redo.is_empty() {
                checkpoint.redo.remove(0);
            }
            checkpoint.redo.insert(0, records.len() - first);
            checkpoint.redo.insert(0, first);
            return;
        }
        checkpoint.attempts += 1;
        if checkpoint.redo.is_empty() {
            checkpoint.redo.push(records.len());
        }
        let exhausted = mapping.maximum_retry_attempts >= 0
            && checkpoint.attempts > mapping.maximum_retry_attempts;
        if exhausted {
            let request_id = batch.prepared.request_id.clone();
            self.discard(
                scope,
                mapping,
                records,
                Condition::RetryAttemptsExhausted,
                &request_id,
                Some(response),
            );
        }
    }

    /// Gives up on `records` (from the checkpoint on): describes them to the on-failure
    /// destination and moves past them.
    fn discard(
        &mut self,
        scope: &Scope,
        mapping: &mut Mapping,
        records: &[(String, i64)],
        condition: Condition,
        request_id: &str,
        response: Option<&Response>,
    ) {
        let (Some(first), Some(last)) = (records.first(), records.last()) else {
            return;
        };
        if let Some(destination) = &mapping.on_failure {
            let record = event::on_failure_record(&Discarded {
                request_id,
                function_arn: &mapping.function_arn,
                condition,
                invoke_count: mapping.checkpoint.invocations,
                response,
                now_millis: self.now,
                shard_id: &mapping.checkpoint.shard_id,
                stream_arn: mapping.source.arn(),
                first: (&first.0, first.1),
                last: (&last.0, last.1),
                batch_size: records.len(),
            });
            self.failures.push(OnFailureRecord {
                scope: scope.clone(),
                destination: destination.clone(),
                record,
            });
        }
        let checkpoint = &mut mapping.checkpoint;
        checkpoint.after = Some(last.0.clone());
        done_with_front(checkpoint);
    }
}

/// What an invocation in `window` adds to its event: the open window's state when it is
/// that window, none (`{}`) for a new one.
fn window_context(mapping: &Mapping, window: WindowInvoke) -> WindowContext<'_> {
    let open = mapping.checkpoint.window.as_ref();
    WindowContext {
        start_millis: window.start_millis,
        length_secs: mapping.tumbling_window_secs,
        state: open
            .filter(|o| o.start_millis == window.start_millis)
            .map(|o| &*o.state),
        shard_id: &mapping.checkpoint.shard_id,
        stream_arn: mapping.source.arn(),
        is_final: window.is_final,
        terminated_early: window.is_final && open.is_some_and(|o| o.terminated_early),
    }
}

/// The front batch is done with (delivered or discarded): the next starts afresh.
fn done_with_front(checkpoint: &mut super::Checkpoint) {
    if !checkpoint.redo.is_empty() {
        checkpoint.redo.remove(0);
    }
    checkpoint.attempts = 0;
    checkpoint.invocations = 0;
}

/// Reads a ReportBatchItemFailures answer. Success when it is null, not an object or has no
/// (or an empty) `batchItemFailures`; a failure of the whole batch when an identifier is
/// missing, empty or not in the batch; otherwise the records before the lowest failed one
/// succeeded.
fn item_failures(answer: &Value, records: &[(String, i64)]) -> Verdict {
    let failures = match answer.get("batchItemFailures") {
        None | Some(Value::Null) => return Verdict::Success,
        Some(Value::Array(list)) if list.is_empty() => return Verdict::Success,
        Some(Value::Array(list)) => list,
        Some(_) => return Verdict::Failure,
    };
    let mut lowest = records.len();
    for failure in failures {
        let Some(id) = failure.get("itemIdentifier").and_then(Value::as_str) else {
            return Verdict::Failure;
        };
        match records.iter().position(|(seq, _)| seq == id) {
            Some(index) => lowest = lowest.min(index),
            None => return Verdict::Failure,
        }
    }
    Verdict::Partial(lowest)
}
