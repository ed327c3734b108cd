//! One emulator and its storage: every request goes through [`Node::handle`], which answers only
//! after the request's changes are committed.

use std::sync::Arc;

use nimbus_core::{Caller, Emulator, SeededIds, SystemClock};
use nimbus_protocol::{parse_request, render_error, render_output, HttpRequest, HttpResponse};
use nimbus_shapes::ServiceError;
use nimbus_storage::{ChangeSet, Storage};

use crate::backend::Backend;

pub struct Node {
    emulator: Emulator,
    storage: Backend,
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

    /// Runs an AWS API request. `endpoint` is `scheme://host[:port]` as the client addressed us.
    pub fn handle(&mut self, request: &HttpRequest, endpoint: &str) -> HttpResponse {
        let parsed = match parse_request(request) {
            Ok(parsed) => parsed,
            Err(response) => return response,
        };
        let caller = Caller {
            account_id: parsed.account_id.clone(),
            region: parsed.region.clone(),
            access_key_id: parsed.access_key_id.clone(),
            endpoint: endpoint.to_string(),
        };
        let outcome = self.emulator.call(
            &caller,
            parsed.service.name,
            parsed.operation.name,
            parsed.input.clone(),
        );
        let request_id = outcome.request_id;
        if let Err(error) = self.commit(outcome.changes) {
            return render_error(&parsed, &error, &request_id);
        }
        match outcome.result {
            Ok(output) => render_output(&parsed, output, &request_id),
            Err(error) => render_error(&parsed, &error, &request_id),
        }
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
