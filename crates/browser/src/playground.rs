use std::{
    cell::{Cell, RefCell},
    collections::{BTreeMap, HashMap},
    rc::{Rc, Weak},
    sync::Arc,
};

use nimbus_core::{
    outbox::Event,
    services::lambda::invoke::{EndedEnvironment, Execution, InvocationKind, PreparedInvoke},
    Caller, Emulator, ManualClock, Outcome, SeededIds,
};
use nimbus_protocol::{parse_request, render_error, render_output, HttpRequest, HttpResponse};
use nimbus_shapes::ServiceError;
use nimbus_storage::{ChangeSet, Storage};
use nimbus_storage_idb::IdbStorage;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::{random_seed, runtime};

/// How often an open playground polls its event source mappings (Lambda polls a stream about
/// four times a second).
const EVENT_SOURCE_POLL_MILLIS: i32 = 250;

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout` (a window's or a worker's).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, millis: i32) -> JsValue;
}

/// Resolves after `millis` milliseconds.
async fn sleep(millis: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, millis);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The identity of calls made from the app: the account LocalStack and moto default to.
pub const ACCOUNT_ID: &str = "123456789012";
pub const REGION: &str = "us-east-1";
pub const ACCESS_KEY_ID: &str = "test";
pub const ENDPOINT: &str = "http://localhost:4566";

/// Where the app's own records (saved test events and the like) live beside the emulator's.
const APP_DATA_PREFIX: &str = "app/";

/// The IndexedDB database holding playground `id`.
pub fn database_name(id: &str) -> String {
    format!("nimbus-playground-{id}")
}

/// One open playground: an emulator whose state lives in IndexedDB. Clones share it.
///
/// Open each playground once per tab and share the handle: two handles on the same id keep
/// separate in-memory states.
#[derive(Clone)]
pub struct Playground {
    inner: Rc<Inner>,
}

struct Inner {
    id: String,
    emulator: RefCell<Emulator>,
    clock: Arc<ManualClock>,
    /// How far the user fast-forwarded time (TTL expiry, visibility timeouts, token expiry).
    offset_millis: Cell<i64>,
    /// When the next DynamoDB TTL sweep is due (emulator time); see [`Playground::call_as`].
    next_sweep_millis: Cell<i64>,
    storage: IdbStorage,
    /// The app's records, by key without [`APP_DATA_PREFIX`].
    app_data: RefCell<BTreeMap<String, Value>>,
    /// How many committed calls added or removed a resource the app lists; see
    /// [`Playground::resource_changes`].
    resource_changes: Cell<u64>,
}

thread_local! {
    /// The open playgrounds by id, for what reaches one outside its own calls (the runtime
    /// reporting an execution environment that ended).
    static OPEN: RefCell<HashMap<String, Weak<Inner>>> = RefCell::new(HashMap::new());
}

/// The calls that add or remove what the app's resource tree lists.
const LISTED_RESOURCE_CALLS: &[(&str, &str)] = &[
    ("dynamodb", "CreateTable"),
    ("dynamodb", "DeleteTable"),
    ("dynamodb", "RestoreTableFromBackup"),
    ("dynamodb", "RestoreTableToPointInTime"),
    ("dynamodb", "ImportTable"),
    ("lambda", "CreateFunction"),
    ("lambda", "DeleteFunction"),
    ("sqs", "CreateQueue"),
    ("sqs", "DeleteQueue"),
    ("s3", "CreateBucket"),
    ("s3", "DeleteBucket"),
    ("sns", "CreateTopic"),
    ("sns", "DeleteTopic"),
];

impl Drop for Inner {
    fn drop(&mut self) {
        // Nobody can invoke this playground's functions any more: let their environments go.
        runtime::clear(&self.id);
        // `try_with`: a playground dropped as the thread ends finds the registry gone.
        let _ = OPEN.try_with(|open| {
            open.borrow_mut()
                .retain(|_, inner| inner.strong_count() > 0)
        });
    }
}

impl Playground {
    /// Opens playground `id`, creating its database if need be, and restores its state.
    pub async fn open(id: &str) -> Result<Playground, String> {
        let storage = IdbStorage::open(&database_name(id))
            .await
            .map_err(|e| e.to_string())?;
        let (app_records, records): (Vec<_>, Vec<_>) = storage
            .load()
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .partition(|(key, _)| key.starts_with(APP_DATA_PREFIX));
        let app_data = app_records
            .into_iter()
            .filter_map(|(key, value)| {
                let value = serde_json::from_slice(&value).ok()?;
                Some((key[APP_DATA_PREFIX.len()..].to_string(), value))
            })
            .collect();
        let clock = Arc::new(ManualClock::new(js_sys::Date::now() as i64));
        let mut emulator = Emulator::new(clock.clone(), Box::new(SeededIds::new(random_seed())));
        emulator
            .restore(records)
            .map_err(|e| format!("playground {id} holds data this version cannot read: {e}"))?;
        let playground = Playground {
            inner: Rc::new(Inner {
                id: id.to_string(),
                emulator: RefCell::new(emulator),
                clock,
                offset_millis: Cell::new(0),
                next_sweep_millis: Cell::new(i64::MIN),
                storage,
                app_data: RefCell::new(app_data),
                resource_changes: Cell::new(0),
            }),
        };
        playground.poll_event_sources_while_open();
        OPEN.with(|open| {
            let weak = Rc::downgrade(&playground.inner);
            open.borrow_mut().insert(id.to_string(), weak)
        });
        Ok(playground)
    }

    /// Playground `id`, if it is open in this tab.
    pub(crate) fn find_open(id: &str) -> Option<Playground> {
        let inner = OPEN.with(|open| open.borrow().get(id).and_then(Weak::upgrade))?;
        Some(Playground { inner })
    }

    /// Lambda: an execution environment that ended between invocations (its function crashed
    /// after answering) writes its last words to its log stream, as Lambda writes them when
    /// it ends; committed like a call's changes.
    pub(crate) fn log_ended_environment(&self, ended: &EndedEnvironment) {
        self.inner.clock.set(self.now_millis());
        let changes = self
            .inner
            .emulator
            .borrow_mut()
            .log_ended_environment(ended);
        let committed = self.inner.storage.enqueue(vec![changes]);
        wasm_bindgen_futures::spawn_local(async move {
            // A failed store leaves the lines in memory only, until the playground reloads.
            let _ = committed.await;
        });
    }

    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// Who the app calls as: account 123456789012 in us-east-1.
    pub fn default_caller() -> Caller {
        Caller {
            account_id: ACCOUNT_ID.to_string(),
            region: REGION.to_string(),
            access_key_id: ACCESS_KEY_ID.to_string(),
            endpoint: ENDPOINT.to_string(),
        }
    }

    /// Runs `operation` of `service` (botocore names: `dynamodb`, `cognito-idp`, ...) with
    /// `input` in the canonical form, as the default caller. Answers once the changes are durable.
    pub async fn call(
        &self,
        service: &str,
        operation: &str,
        input: Value,
    ) -> Result<Value, ServiceError> {
        let caller = Self::default_caller();
        self.call_as(&caller, service, operation, input).await.1
    }

    /// [`call`](Self::call) as `caller`; also returns the request id.
    pub async fn call_as(
        &self,
        caller: &Caller,
        service: &str,
        operation: &str,
        input: Value,
    ) -> (String, Result<Value, ServiceError>) {
        if service == "lambda" && operation == "Invoke" {
            return self.invoke(caller, input).await;
        }
        self.inner.clock.set(self.now_millis());
        // DynamoDB Time to Live: AWS deletes expired items lazily, in the background. The
        // playground sweeps before a call, at most once a second of its clock (a sweep reads
        // every item of the tables with TTL) and always right after a fast-forward, so what
        // reads the table then sees the expired items gone, with the stream's REMOVE records;
        // the deletions commit ahead of the call's changes.
        let now = self.now_millis();
        let sweep = now >= self.inner.next_sweep_millis.get();
        if sweep {
            self.inner.next_sweep_millis.set(now + 1000);
        }
        let (expired, outcome) = {
            let mut emulator = self.inner.emulator.borrow_mut();
            let expired = if sweep {
                emulator.expire_items()
            } else {
                ChangeSet::default()
            };
            (expired, emulator.call(caller, service, operation, input))
        };
        let answer = self.commit_after(expired, outcome).await;
        if answer.1.is_ok() && LISTED_RESOURCE_CALLS.contains(&(service, operation)) {
            let changes = &self.inner.resource_changes;
            changes.set(changes.get() + 1);
        }
        // A write may have given a stream mapping its batch: deliver it without waiting for
        // the timer.
        self.pump_event_sources();
        answer
    }

    /// Lambda event source mappings, as nimbus-server runs them: the batches ready now are
    /// run in the page's runtime (like an Event invoke, in the background), completed and
    /// committed; each completion polls again, so a backlog flows batch after batch.
    fn pump_event_sources(&self) {
        self.inner.clock.set(self.now_millis());
        let polled = self.inner.emulator.borrow_mut().poll_event_sources();
        if polled.changes.is_empty() && polled.batches.is_empty() {
            return;
        }
        // Queued now, so it commits before anything the batches change.
        let committed = self.inner.storage.enqueue(vec![polled.changes]);
        let playground = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // A failed store leaves the checkpoint moved in memory only: after a reload the
            // records are delivered again (at least once, as Lambda promises).
            let _ = committed.await;
            for batch in polled.batches {
                let playground = playground.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let execution =
                        runtime::run(&playground, &batch.prepared, &batch.caller.access_key_id)
                            .await;
                    playground.inner.clock.set(playground.now_millis());
                    let changes = playground
                        .inner
                        .emulator
                        .borrow_mut()
                        .complete_event_source(&batch, execution);
                    let _ = playground.inner.storage.enqueue(vec![changes]).await;
                    playground.pump_event_sources();
                });
            }
        });
    }

    /// Polls the event source mappings on a timer (batching windows close with time alone)
    /// until the last handle on this playground is dropped.
    fn poll_event_sources_while_open(&self) {
        let weak: Weak<Inner> = Rc::downgrade(&self.inner);
        wasm_bindgen_futures::spawn_local(async move {
            loop {
                sleep(EVENT_SOURCE_POLL_MILLIS).await;
                let Some(inner) = weak.upgrade() else {
                    break;
                };
                Playground { inner }.pump_event_sources();
            }
        });
    }

    /// Lambda Invoke, as nimbus-server runs it: validated, run in the page's runtime without
    /// holding the emulator (the function's own SDK calls need it), then completed. An Event
    /// invocation is acknowledged at once and runs in the background, as Lambda queues it.
    async fn invoke(&self, caller: &Caller, input: Value) -> (String, Result<Value, ServiceError>) {
        self.inner.clock.set(self.now_millis());
        let prepared = self
            .inner
            .emulator
            .borrow_mut()
            .prepare_invoke(caller, input);
        let prepared = match prepared {
            Ok(prepared) => prepared,
            Err(rejected) => return (rejected.request_id, Err(rejected.error)),
        };
        match prepared.kind {
            InvocationKind::DryRun => {
                self.complete_invoke(caller, &prepared, Execution::NotRun)
                    .await
            }
            InvocationKind::Event => {
                let acknowledged = self
                    .complete_invoke(caller, &prepared, Execution::NotRun)
                    .await;
                let (playground, caller) = (self.clone(), caller.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let execution =
                        runtime::run(&playground, &prepared, &caller.access_key_id).await;
                    // Nobody awaits an Event's answer; its log is what the user sees.
                    let _ = playground
                        .complete_invoke(&caller, &prepared, execution)
                        .await;
                });
                acknowledged
            }
            InvocationKind::RequestResponse => {
                // In its own task, so that the invocation is completed (its log written, its
                // concurrency released) even if the caller stops waiting for it.
                let (sender, answer) = futures::channel::oneshot::channel();
                let request_id = prepared.request_id.clone();
                let (playground, caller) = (self.clone(), caller.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let execution =
                        runtime::run(&playground, &prepared, &caller.access_key_id).await;
                    let completed = playground
                        .complete_invoke(&caller, &prepared, execution)
                        .await;
                    let _ = sender.send(completed);
                });
                answer.await.unwrap_or_else(|_| {
                    let error = ServiceError::internal("The invocation was abandoned.");
                    (request_id, Err(error))
                })
            }
        }
    }

    async fn complete_invoke(
        &self,
        caller: &Caller,
        prepared: &PreparedInvoke,
        execution: Execution,
    ) -> (String, Result<Value, ServiceError>) {
        self.inner.clock.set(self.now_millis());
        let outcome = self
            .inner
            .emulator
            .borrow_mut()
            .complete_invoke(caller, prepared, execution);
        self.commit(outcome).await
    }

    async fn commit(&self, outcome: Outcome) -> (String, Result<Value, ServiceError>) {
        self.commit_after(ChangeSet::default(), outcome).await
    }

    /// Commits `before` (changes the emulator made on its own, e.g. TTL deletions), then the
    /// call's changes, in one go.
    async fn commit_after(
        &self,
        before: ChangeSet,
        outcome: Outcome,
    ) -> (String, Result<Value, ServiceError>) {
        // Queued before anything else can run, so commits keep the order of the calls. A call
        // that changed nothing still waits for earlier commits: it may have read their data.
        let committed = self.inner.storage.enqueue(vec![before, outcome.changes]);
        if let Err(error) = committed.await {
            let error = ServiceError::internal(format!("The change could not be saved: {error}"));
            return (outcome.request_id, Err(error));
        }
        (outcome.request_id, outcome.result)
    }

    /// Answers an AWS wire-protocol request as the real service would.
    pub async fn handle_http(&self, request: HttpRequest) -> HttpResponse {
        let endpoint = header(&request, "host").map(|host| format!("http://{host}"));
        self.handle_http_at(request, endpoint).await
    }

    /// [`handle_http`](Self::handle_http) for a request addressed to `endpoint`
    /// (`scheme://host[:port]`), which SQS queue URLs and the like start with.
    pub async fn handle_http_at(
        &self,
        request: HttpRequest,
        endpoint: Option<String>,
    ) -> HttpResponse {
        let mut parsed = match parse_request(&request) {
            Ok(parsed) => parsed,
            Err(response) => return response,
        };
        let caller = Caller {
            account_id: parsed.account_id.clone(),
            region: parsed.region.clone(),
            access_key_id: parsed.access_key_id.clone(),
            endpoint: endpoint.unwrap_or_else(|| ENDPOINT.to_string()),
        };
        let input = std::mem::take(&mut parsed.input);
        let (service, operation) = (parsed.service.name, parsed.operation.name);
        let (request_id, result) = self.call_as(&caller, service, operation, input).await;
        match result {
            Ok(output) => render_output(&parsed, output, &request_id),
            Err(error) => render_error(&parsed, &error, &request_id),
        }
    }

    /// The emulator's time: the wall clock plus any fast-forward.
    pub fn now_millis(&self) -> i64 {
        js_sys::Date::now() as i64 + self.inner.offset_millis.get()
    }

    /// Moves the emulator's time forward (never back), to watch TTLs and timeouts lapse.
    pub fn fast_forward(&self, millis: i64) {
        let offset = &self.inner.offset_millis;
        offset.set(offset.get() + millis.max(0));
        self.inner.clock.set(self.now_millis());
        self.inner.next_sweep_millis.set(i64::MIN);
        // Records may have aged past a batching window or MaximumRecordAgeInSeconds.
        self.pump_event_sources();
    }

    /// A count that grows with each committed call that added or removed a table, function,
    /// queue, bucket or topic, whoever made it (the app, the SDK in the console, a function):
    /// the app reloads its resource lists when it moves.
    pub fn resource_changes(&self) -> u64 {
        self.inner.resource_changes.get()
    }

    /// Events raised by committed calls (S3 notifications, SNS fan-out), for the host to deliver.
    pub fn drain_events(&self) -> Vec<Event> {
        self.inner.emulator.borrow_mut().drain_events()
    }

    /// The files of function `function_name`'s `$LATEST` code, in the app's account and region.
    pub fn function_files(&self, function_name: &str) -> Option<BTreeMap<String, Vec<u8>>> {
        let scope = Self::default_caller().scope();
        self.inner
            .emulator
            .borrow()
            .function_code(&scope, function_name)
    }

    /// The app's records whose keys start with `prefix`, in key order.
    pub fn app_data(&self, prefix: &str) -> Vec<(String, Value)> {
        self.inner
            .app_data
            .borrow()
            .range(prefix.to_string()..)
            .take_while(|(key, _)| key.starts_with(prefix))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    }

    /// Stores (or, with `None`, deletes) one of the app's records; resolves once it is durable.
    pub async fn put_app_data(&self, key: &str, value: Option<Value>) -> Result<(), String> {
        let mut changes = ChangeSet::default();
        let storage_key = format!("{APP_DATA_PREFIX}{key}");
        {
            // Released before the await below: other calls read the app's records meanwhile.
            let mut app_data = self.inner.app_data.borrow_mut();
            match value {
                Some(value) => {
                    changes.put(storage_key, value.to_string().into_bytes());
                    app_data.insert(key.to_string(), value);
                }
                None => {
                    changes.delete(storage_key);
                    app_data.remove(key);
                }
            }
        }
        self.inner
            .storage
            .enqueue(vec![changes])
            .await
            .map_err(|e| e.to_string())
    }

    /// Deletes every resource and record of this playground.
    pub async fn reset(&self) -> Result<(), String> {
        runtime::clear(self.id());
        let changes = self.inner.emulator.borrow_mut().reset();
        self.inner.app_data.borrow_mut().clear();
        self.inner
            .storage
            .enqueue(vec![changes])
            .await
            .map_err(|e| e.to_string())
    }
}

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}
