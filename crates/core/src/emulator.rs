use std::sync::Arc;

use nimbus_shapes::ServiceError;
use nimbus_storage::ChangeSet;
use serde_json::Value;

use crate::{
    outbox::{Event, Outbox},
    services::{
        lambda::{
            event_source::deliver::{Batch, OnFailureRecord, Poller},
            invoke::{self, EndedEnvironment, Execution, InFlight, PreparedInvoke, Rejected},
        },
        Services,
    },
    Clock, IdSource,
};

/// Who is calling and where: decided by the wire layer from the SigV4 credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub account_id: String,
    pub region: String,
    pub access_key_id: String,
    /// `scheme://host[:port]` as the client addressed the emulator; SQS queue URLs start with it.
    pub endpoint: String,
}

impl Caller {
    pub fn scope(&self) -> Scope {
        Scope {
            account_id: self.account_id.clone(),
            region: self.region.clone(),
        }
    }

    /// The service itself, acting in `scope` on its own (deleting expired items, writing a
    /// log): no credential, no endpoint.
    fn service(scope: Scope) -> Caller {
        Caller {
            account_id: scope.account_id,
            region: scope.region,
            access_key_id: String::new(),
            endpoint: String::new(),
        }
    }
}

/// State is partitioned by account and region, as in AWS.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    pub account_id: String,
    pub region: String,
}

/// What a call answered and what it changed. `changes` is empty when `result` is an error:
/// a failed call changes nothing.
#[derive(Debug)]
pub struct Outcome {
    pub request_id: String,
    pub result: Result<Value, ServiceError>,
    pub changes: ChangeSet,
}

/// What a service operation gets besides its input.
pub struct Ctx<'a> {
    pub caller: &'a Caller,
    pub request_id: &'a str,
    pub now_millis: i64,
    pub ids: &'a mut dyn IdSource,
    pub changes: &'a mut ChangeSet,
    pub outbox: &'a mut Outbox,
}

impl Ctx<'_> {
    pub fn scope(&self) -> Scope {
        self.caller.scope()
    }

    /// Records `value` under `key` in the changeset.
    pub fn persist<T: serde::Serialize>(&mut self, key: String, value: &T) {
        let bytes = serde_json::to_vec(value).expect("state serialises");
        self.changes.put(key, bytes);
    }

    pub fn raise(&mut self, kind: crate::outbox::EventKind) {
        self.outbox.push(Event {
            account_id: self.caller.account_id.clone(),
            region: self.caller.region.clone(),
            kind,
        });
    }
}

/// What [`Emulator::poll_event_sources`] found: batches for the host to run, and the changes
/// polling made (checkpoints past filtered-out or expired records), to commit.
#[derive(Debug, Default)]
pub struct Polled {
    pub batches: Vec<Batch>,
    pub changes: ChangeSet,
}

/// Every emulated service and their state, behind one synchronous entry point.
pub struct Emulator {
    clock: Arc<dyn Clock>,
    ids: Box<dyn IdSource>,
    services: Services,
    outbox: Outbox,
    /// Lambda invocations running now (not persisted), for the concurrency limits.
    in_flight: InFlight,
}

impl Emulator {
    pub fn new(clock: Arc<dyn Clock>, ids: Box<dyn IdSource>) -> Self {
        Emulator {
            clock,
            ids,
            services: Services::default(),
            outbox: Outbox::default(),
            in_flight: InFlight::default(),
        }
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Rebuilds the state from the records a storage backend loaded.
    pub fn restore(&mut self, records: Vec<(String, Vec<u8>)>) -> Result<(), String> {
        for (key, value) in records {
            self.services.restore(&key, &value)?;
        }
        Ok(())
    }

    /// Forgets everything; the returned changeset clears storage too.
    pub fn reset(&mut self) -> ChangeSet {
        self.services = Services::default();
        self.outbox = Outbox::default();
        let mut changes = ChangeSet::default();
        changes.delete_prefix("");
        changes
    }

    /// Runs one operation. `input` and the output are in the canonical form (see nimbus-shapes).
    pub fn call(
        &mut self,
        caller: &Caller,
        service: &str,
        operation: &str,
        input: Value,
    ) -> Outcome {
        let request_id = self.ids.uuid();
        let mut changes = ChangeSet::default();
        let mut raised = Outbox::default();
        let mut ctx = Ctx {
            caller,
            request_id: &request_id,
            now_millis: self.clock.now_millis(),
            ids: self.ids.as_mut(),
            changes: &mut changes,
            outbox: &mut raised,
        };
        let result = self.services.call(&mut ctx, service, operation, input);
        if result.is_err() {
            // Operations validate before they mutate, so an error leaves nothing to undo.
            let changes = ChangeSet::default();
            return Outcome {
                request_id,
                result,
                changes,
            };
        }
        for event in raised.drain() {
            self.outbox.push(event);
        }
        Outcome {
            request_id,
            result,
            changes,
        }
    }

    /// Lambda Invoke, first phase: validates the request (canonical InvocationRequest) and
    /// resolves the function version the host is to run. See [`invoke`].
    pub fn prepare_invoke(
        &mut self,
        caller: &Caller,
        input: Value,
    ) -> Result<PreparedInvoke, Rejected> {
        let request_id = self.ids.uuid();
        let now = self.clock.now_millis();
        let ids = &mut self.ids;
        let new_stream = |version: &str| {
            invoke::log_stream_name(now, version, &ids.token(b"0123456789abcdef", 32))
        };
        invoke::prepare(
            &self.services.lambda,
            &mut self.in_flight,
            &caller.scope(),
            request_id.clone(),
            new_stream,
            input,
        )
        .map_err(|error| Rejected { request_id, error })
    }

    /// The files of a function's `$LATEST` code (what an editor shows), or `None` when there is
    /// no such function.
    pub fn function_code(
        &self,
        scope: &Scope,
        function_name: &str,
    ) -> Option<std::collections::BTreeMap<String, Vec<u8>>> {
        crate::services::lambda::resolve_invocation(
            &self.services.lambda,
            scope,
            function_name,
            None,
        )
        .ok()
        .map(|invocation| invocation.files)
    }

    /// A Lambda deployment package by the hex SHA-256 of its zip: where GetFunction's
    /// `Code.Location` points.
    pub fn code_package(&self, scope: &Scope, sha256_hex: &str) -> Option<Vec<u8>> {
        self.services
            .lambda
            .package(scope, sha256_hex)
            .map(<[u8]>::to_vec)
    }

    /// Lambda Invoke, second phase: records the function's log in CloudWatch Logs and answers
    /// the canonical InvocationResponse.
    pub fn complete_invoke(
        &mut self,
        caller: &Caller,
        prepared: &PreparedInvoke,
        execution: Execution,
    ) -> Outcome {
        let mut changes = ChangeSet::default();
        let mut raised = Outbox::default();
        let mut ctx = Ctx {
            caller,
            request_id: &prepared.request_id,
            now_millis: self.clock.now_millis(),
            ids: self.ids.as_mut(),
            changes: &mut changes,
            outbox: &mut raised,
        };
        let result = invoke::complete(
            &mut self.services.logs,
            &mut self.in_flight,
            &mut ctx,
            prepared,
            execution,
        );
        Outcome {
            request_id: prepared.request_id.clone(),
            changes: if result.is_ok() {
                changes
            } else {
                ChangeSet::default()
            },
            result,
        }
    }

    /// Lambda: an execution environment the host saw end between invocations writes its
    /// last words to its log stream, as Lambda writes them when it ends. The host commits
    /// the answer like a call's changes.
    pub fn log_ended_environment(&mut self, ended: &EndedEnvironment) -> ChangeSet {
        let mut changes = ChangeSet::default();
        self.act_as_service(ended.scope.clone(), &mut changes, |services, ctx| {
            invoke::log_ended(&mut services.logs, ctx, ended)
        });
        changes
    }

    /// Runs `work` as a service acting on its own in `scope` (see [`Caller::service`]),
    /// adding what it changes to `changes`; the events it raises join the outbox.
    fn act_as_service(
        &mut self,
        scope: Scope,
        changes: &mut ChangeSet,
        work: impl FnOnce(&mut Services, &mut Ctx),
    ) {
        let mut raised = Outbox::default();
        let caller = Caller::service(scope);
        let mut ctx = Ctx {
            caller: &caller,
            request_id: "",
            now_millis: self.clock.now_millis(),
            ids: self.ids.as_mut(),
            changes,
            outbox: &mut raised,
        };
        work(&mut self.services, &mut ctx);
        for event in raised.drain() {
            self.outbox.push(event);
        }
    }

    /// Deletes the DynamoDB items whose Time to Live has passed on this emulator's clock, as
    /// the service would on its own; the host commits the answer like a call's changes. AWS
    /// deletes expired items lazily (within days), so a host may run this whenever it likes
    /// (on a timer, after moving the clock). Cheap when no table has TTL enabled.
    pub fn expire_items(&mut self) -> ChangeSet {
        let mut changes = ChangeSet::default();
        for scope in self.services.dynamodb.ttl_scopes() {
            self.act_as_service(scope, &mut changes, |services, ctx| {
                crate::services::dynamodb::Handler {
                    state: &mut services.dynamodb,
                    ctx,
                }
                .expire_items();
            });
        }
        changes
    }

    /// Lambda event source mappings, first phase: the batches ready now on this emulator's
    /// clock (see [`deliver`](crate::services::lambda::event_source::deliver)), each with a
    /// synchronous invocation prepared (and counted against concurrency: a throttled batch
    /// waits for a later poll). The host runs each batch like an Invoke and hands the execution
    /// to [`complete_event_source`](Self::complete_event_source); it commits `changes` first.
    /// Cheap when there is no mapping.
    pub fn poll_event_sources(&mut self) -> Polled {
        let mut polled = Polled::default();
        if self.services.event_sources.is_empty() {
            return polled;
        }
        let mut poller = Poller {
            sources: &mut self.services.event_sources,
            dynamodb: &self.services.dynamodb,
            lambda: &self.services.lambda,
            in_flight: &mut self.in_flight,
            ids: self.ids.as_mut(),
            now: self.clock.now_millis(),
            changes: &mut polled.changes,
            failures: Vec::new(),
        };
        polled.batches = poller.poll();
        let failures = std::mem::take(&mut poller.failures);
        self.send_on_failure(failures, &mut polled.changes);
        polled
    }

    /// Lambda event source mappings, second phase: writes the function's log as
    /// [`complete_invoke`](Self::complete_invoke) does, then moves the mapping's checkpoint
    /// by what the function answered (retrying, bisecting or discarding to the on-failure
    /// destination). Answers the changes to commit.
    pub fn complete_event_source(&mut self, batch: &Batch, execution: Execution) -> ChangeSet {
        let outcome = self.complete_invoke(&batch.caller, &batch.prepared, execution);
        let mut changes = outcome.changes;
        let mut poller = Poller {
            sources: &mut self.services.event_sources,
            dynamodb: &self.services.dynamodb,
            lambda: &self.services.lambda,
            in_flight: &mut self.in_flight,
            ids: self.ids.as_mut(),
            now: self.clock.now_millis(),
            changes: &mut changes,
            failures: Vec::new(),
        };
        poller.complete(batch, &outcome.result);
        let failures = std::mem::take(&mut poller.failures);
        self.send_on_failure(failures, &mut changes);
        changes
    }

    /// Sends discarded batches' records to their destinations: SendMessage into an SQS
    /// queue, Publish to an SNS topic, as Lambda does (with the function's role). A
    /// destination that is gone loses the record, as in AWS.
    fn send_on_failure(&mut self, failures: Vec<OnFailureRecord>, changes: &mut ChangeSet) {
        for failure in failures {
            let parts: Vec<&str> = failure.destination.splitn(6, ':').collect();
            let ["arn", _, service, region, account, name] = parts.as_slice() else {
                continue;
            };
            let caller = Caller {
                account_id: failure.scope.account_id.clone(),
                region: region.to_string(),
                access_key_id: String::new(),
                endpoint: "http://localhost:4566".into(),
            };
            let body = failure.record.to_string();
            let (operation, input) = match *service {
                "sqs" => (
                    "SendMessage",
                    serde_json::json!({"QueueUrl": format!("/{account}/{name}"), "MessageBody": body}),
                ),
                "sns" => (
                    "Publish",
                    serde_json::json!({"TopicArn": failure.destination, "Message": body}),
                ),
                _ => continue,
            };
            let outcome = self.call(&caller, service, operation, input);
            if outcome.result.is_ok() {
                changes.extend(outcome.changes);
            }
        }
    }

    /// Events raised by committed calls, for the host to deliver.
    pub fn drain_events(&mut self) -> Vec<Event> {
        self.outbox.drain()
    }
}
