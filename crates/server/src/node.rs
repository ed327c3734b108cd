//! One emulator and its storage: every request goes through [`Node::handle`], which answers only
//! after the request's changes are committed.

use std::sync::Arc;

use nimbus_core::{
    services::lambda::{
        event_source::Batch,
        invoke::{EndedEnvironment, Execution, PreparedInvoke},
    },
    Caller, Emulator, SeededIds, SystemClock,
};
use nimbus_protocol::{
    parse_request, render_error, render_output, HttpRequest, HttpResponse, ParsedRequest,
};
use nimbus_shapes::ServiceError;
use nimbus_storage::{ChangeSet, Storage};

use crate::backend::Backend;

pub struct Node {
    emulator: Emulator,
    storage: Backend,
}

/// What [`Node::begin`] made of a request.
pub enum Step {
    Done(HttpResponse),
    /// A Lambda Invoke, validated: the host runs the function without holding the node, then
    /// hands the execution to [`Node::finish_invoke`].
    Invoke(Box<PendingInvoke>),
}

pub struct PendingInvoke {
    parsed: ParsedRequest,
    pub caller: Caller,
    pub prepared: PreparedInvoke,
}

impl Node {
    /// Loads the stored state into a fresh emulator.
    pub fn open(storage: Backend) -> Result<Node, String> {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        let mut emulator = Emulator::new(
            Arc::new(SystemClock::default()),
            Box::new(SeededIds::new(seed)),
        );
        let records = pollster::block_on(storage.load()).map_err(|e| e.to_string())?;
        emulator.restore(records)?;
        Ok(Node { emulator, storage })
    }

    /// Runs an AWS API request that runs no function code (a Lambda Invoke is refused: use
    /// [`Node::begin`]). `endpoint` is `scheme://host[:port]` as the client addressed us.
    pub fn handle(&mut self, request: &HttpRequest, endpoint: &str) -> HttpResponse {
        match self.begin(request, endpoint) {
            Step::Done(response) => response,
            Step::Invoke(pending) => {
                let error = nimbus_shapes::lambda::errors::SERVICE_EXCEPTION
                    .with_message("This host cannot run Lambda functions.");
                self.finish_invoke(&pending, Execution::Failed(error))
            }
        }
    }

    /// Runs an AWS API request, except that a Lambda Invoke stops once validated: the caller
    /// runs the function and completes it with [`Node::finish_invoke`].
    pub fn begin(&mut self, request: &HttpRequest, endpoint: &str) -> Step {
        let parsed = match parse_request(request) {
            Ok(parsed) => parsed,
            Err(response) => return Step::Done(response),
        };
        let caller = Caller {
            account_id: parsed.account_id.clone(),
            region: parsed.region.clone(),
            access_key_id: parsed.access_key_id.clone(),
            endpoint: endpoint.to_string(),
        };
        if parsed.service.name == "lambda" && parsed.operation.name == "Invoke" {
            return match self.emulator.prepare_invoke(&caller, parsed.input.clone()) {
                Ok(prepared) => Step::Invoke(Box::new(PendingInvoke {
                    parsed,
                    caller,
                    prepared,
                })),
                Err(rejected) => {
                    Step::Done(render_error(&parsed, &rejected.error, &rejected.request_id))
                }
            };
        }
        let outcome = self.emulator.call(
            &caller,
            parsed.service.name,
            parsed.operation.name,
            parsed.input.clone(),
        );
        Step::Done(self.answer(&parsed, outcome))
    }

    /// Records what running an invocation gave (its log) and answers the Invoke.
    pub fn finish_invoke(&mut self, pending: &PendingInvoke, execution: Execution) -> HttpResponse {
        let outcome = self
            .emulator
            .complete_invoke(&pending.caller, &pending.prepared, execution);
        self.answer(&pending.parsed, outcome)
    }

    fn answer(&mut self, parsed: &ParsedRequest, outcome: nimbus_core::Outcome) -> HttpResponse {
        let request_id = outcome.request_id;
        if let Err(error) = self.commit(outcome.changes) {
            return render_error(parsed, &error, &request_id);
        }
        match outcome.result {
            Ok(output) => render_output(parsed, output, &request_id),
            Err(error) => render_error(parsed, &error, &request_id),
        }
    }

    /// A Lambda deployment package (see [`Emulator::code_package`]).
    pub fn code_package(
        &self,
        scope: &nimbus_core::emulator::Scope,
        sha256_hex: &str,
    ) -> Option<Vec<u8>> {
        self.emulator.code_package(scope, sha256_hex)
    }

    /// Deletes the DynamoDB items whose Time to Live has passed and stores the deletion, like
    /// a call's changes (see [`Emulator::expire_items`]). The server runs it every second.
    pub fn expire_items(&mut self) -> Result<(), ServiceError> {
        let changes = self.emulator.expire_items();
        self.commit(changes)
    }

    /// Writes the last words of an execution environment that ended between invocations to
    /// its log stream and stores them (see [`Emulator::log_ended_environment`]).
    pub fn log_ended_environment(&mut self, ended: &EndedEnvironment) -> Result<(), ServiceError> {
        let changes = self.emulator.log_ended_environment(ended);
        self.commit(changes)
    }

    /// Lambda event source mappings: the batches ready now (see
    /// [`Emulator::poll_event_sources`]), after storing what polling changed. The server polls
    /// every 200 ms, runs each batch without holding the node, then completes it with
    /// [`Node::finish_event_source`].
    pub fn poll_event_sources(&mut self) -> Vec<Batch> {
        let polled = self.emulator.poll_event_sources();
        // A failed store leaves the checkpoint moved in memory only; a restart polls again
        // from the stored one, so records are delivered at least once, as Lambda promises.
        let _ = self.commit(polled.changes);
        polled.batches
    }

    /// Records what running a batch gave: the function's log, and the mapping's checkpoint.
    pub fn finish_event_source(
        &mut self,
        batch: &Batch,
        execution: Execution,
    ) -> Result<(), ServiceError> {
        let changes = self.emulator.complete_event_source(batch, execution);
        self.commit(changes)
    }

    /// Wipes every service's state, in memory and in storage.
    pub fn reset(&mut self) -> Result<(), ServiceError> {
        let changes = self.emulator.reset();
        self.commit(changes)
    }

    fn commit(&mut self, changes: ChangeSet) -> Result<(), ServiceError> {
        if changes.is_empty() {
            return Ok(());
        }
        pollster::block_on(self.storage.commit(&[changes]))
            .map_err(|e| ServiceError::internal(format!("the change could not be stored: {e}")))
    }
}
