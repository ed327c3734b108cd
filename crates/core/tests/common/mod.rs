//! The harness the core's integration tests share: a caller, a `World` (a manual clock, an
//! emulator and every changeset it answered), base64 helpers, the persisted records and a
//! restart from them. Each test file picks what it needs, hence the `allow(dead_code)`s.

use std::{collections::BTreeMap, fmt::Debug, marker::PhantomData, sync::Arc};

use base64::{engine::general_purpose::STANDARD, Engine as _};
use nimbus_core::{
    emulator::Ctx, outbox::Outbox, Caller, ChangeSet, Emulator, ManualClock, SeededIds,
};
use nimbus_shapes::ServiceError;
use serde_json::{json, Map, Value};

/// The account most tests use (the AWS CLI's and LocalStack's default).
#[allow(dead_code)]
pub const ACCOUNT: &str = "000000000000";

/// The account of the Lambda-centred tests (AWS docs' example account).
#[allow(dead_code)]
pub const DOCS_ACCOUNT: &str = "123456789012";

/// 2023-11-14T22:13:20Z, where a `World`'s clock starts unless told otherwise.
#[allow(dead_code)]
pub const T0: i64 = 1_700_000_000_000;

/// A caller in us-east-1 for `account`.
#[allow(dead_code)]
pub fn caller(account: &str) -> Caller {
    caller_in(account, "us-east-1")
}

/// A caller in `region` for `account`.
#[allow(dead_code)]
pub fn caller_in(account: &str, region: &str) -> Caller {
    Caller {
        account_id: account.into(),
        region: region.into(),
        access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        endpoint: "http://localhost:4566".into(),
    }
}

#[allow(dead_code)]
pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes base64 holding UTF-8 text.
#[allow(dead_code)]
pub fn unb64(text: &str) -> String {
    String::from_utf8(STANDARD.decode(text).unwrap()).unwrap()
}

/// Each element's `field` in the JSON array `list` (names, ids, messages...).
#[allow(dead_code)]
pub fn strings(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e[field].as_str().unwrap().to_string())
        .collect()
}

/// CreateTable's input for an on-demand table keyed by `pk` (S) and, when given, `sk` of type
/// `sort`.
#[allow(dead_code)]
pub fn table_input(name: &str, sort: Option<&str>) -> Value {
    let mut keys = vec![json!({"AttributeName": "pk", "KeyType": "HASH"})];
    let mut defs = vec![json!({"AttributeName": "pk", "AttributeType": "S"})];
    if let Some(kind) = sort {
        keys.push(json!({"AttributeName": "sk", "KeyType": "RANGE"}));
        defs.push(json!({"AttributeName": "sk", "AttributeType": kind}));
    }
    json!({"TableName": name, "KeySchema": keys, "AttributeDefinitions": defs,
           "BillingMode": "PAY_PER_REQUEST"})
}

/// A zip (deflated entries) holding `files`.
#[allow(dead_code)]
pub fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    nimbus_core::services::lambda::zip::write(files.iter().copied(), true)
}

/// The persisted records, as a storage backend would hold them after `changes` committed.
#[allow(dead_code)]
pub fn records_of(changes: &[ChangeSet]) -> Vec<(String, Vec<u8>)> {
    let mut map = BTreeMap::new();
    nimbus_storage::apply_to_map(&mut map, changes);
    map.into_iter().collect()
}

/// A fresh emulator (ids seeded differently from the first) restored from `records`.
#[allow(dead_code)]
pub fn restored(clock: Arc<ManualClock>, records: Vec<(String, Vec<u8>)>) -> Emulator {
    let mut fresh = Emulator::new(clock, Box::new(SeededIds::new(2)));
    fresh.restore(records).unwrap();
    fresh
}

/// Restores `records` straight into one service's state (independent of how the emulator
/// routes records to services), checking each record belongs to that service.
#[allow(unused_macros)]
macro_rules! restore_state {
    ($service:ident, $records:expr) => {{
        let mut state = nimbus_core::services::$service::State::default();
        for (key, value) in $records {
            let (service, scope, rest) = nimbus_core::services::parse_record_key(&key).unwrap();
            assert_eq!(service, stringify!($service));
            nimbus_core::services::$service::restore(&mut state, scope, rest, &value).unwrap();
        }
        state
    }};
}
#[allow(unused_imports)]
pub(crate) use restore_state;

/// Runs `call` with a context of its own, as the emulator gives a service: request id `r`,
/// the time `now`, ids seeded by `seed`. Answers what `call` did and changed; what it sends is
/// dropped.
#[allow(dead_code)]
pub fn with_ctx<T>(
    caller: &Caller,
    now: i64,
    seed: u64,
    call: impl FnOnce(&mut Ctx) -> T,
) -> (T, ChangeSet) {
    let mut changes = ChangeSet::default();
    let mut outbox = Outbox::default();
    let mut ids = SeededIds::new(seed);
    let mut ctx = Ctx {
        caller,
        request_id: "r",
        now_millis: now,
        ids: &mut ids,
        changes: &mut changes,
        outbox: &mut outbox,
    };
    let answer = call(&mut ctx);
    (answer, changes)
}

/// How a test file compares errors: the parts of a `ServiceError` it asserts on.
pub trait Failure: Debug {
    fn from_error(e: ServiceError) -> Self;
}

/// Code and message.
impl Failure for (String, String) {
    fn from_error(e: ServiceError) -> Self {
        (e.code, e.message)
    }
}

/// Code and HTTP status.
impl Failure for (String, u16) {
    fn from_error(e: ServiceError) -> Self {
        (e.code, e.status)
    }
}

/// Code, HTTP status and message.
impl Failure for (String, u16, String) {
    fn from_error(e: ServiceError) -> Self {
        (e.code, e.status, e.message)
    }
}

/// Code, HTTP status, message and the error's extra fields.
impl Failure for (String, u16, String, Map<String, Value>) {
    fn from_error(e: ServiceError) -> Self {
        (e.code, e.status, e.message, e.fields)
    }
}

/// An emulator on a manual clock, calling one service as one caller, keeping every changeset.
pub struct World<E = (String, String)> {
    pub clock: Arc<ManualClock>,
    pub emulator: Emulator,
    pub changes: Vec<ChangeSet>,
    pub caller: Caller,
    pub service: &'static str,
    /// Operations that must change nothing even when they succeed.
    pub read_only: &'static [&'static str],
    failure: PhantomData<E>,
}

#[allow(dead_code)]
impl<E: Failure> World<E> {
    /// `service` called by `account` in us-east-1, at [`T0`], ids seeded with 1.
    pub fn new(service: &'static str, account: &str) -> Self {
        let clock = Arc::new(ManualClock::new(T0));
        World {
            emulator: Emulator::new(clock.clone(), Box::new(SeededIds::new(1))),
            clock,
            changes: Vec::new(),
            caller: caller(account),
            service,
            read_only: &[],
            failure: PhantomData,
        }
    }

    /// The same world with its clock at `now` (before any call).
    pub fn at(self, now: i64) -> Self {
        self.clock.set(now);
        self
    }

    /// The same world with ids seeded by `seed` (before any call).
    pub fn seeded(mut self, seed: u64) -> Self {
        self.emulator = Emulator::new(self.clock.clone(), Box::new(SeededIds::new(seed)));
        self
    }

    /// Calls `service` as `caller`; a failed call must change nothing.
    pub fn send(
        &mut self,
        caller: &Caller,
        service: &str,
        op: &str,
        input: Value,
    ) -> Result<Value, ServiceError> {
        let outcome = self.emulator.call(caller, service, op, input);
        if outcome.result.is_err() {
            assert!(outcome.changes.is_empty(), "{op} failed but changed state");
        }
        if self.read_only.contains(&op) {
            assert!(outcome.changes.is_empty(), "{op} changed state");
        }
        self.changes.push(outcome.changes);
        outcome.result
    }

    pub fn call_as(&mut self, caller: &Caller, op: &str, input: Value) -> Result<Value, E> {
        let service = self.service;
        self.send(caller, service, op, input).map_err(E::from_error)
    }

    /// Calls another service than the world's.
    pub fn call_to(&mut self, service: &str, op: &str, input: Value) -> Result<Value, E> {
        let caller = self.caller.clone();
        self.send(&caller, service, op, input)
            .map_err(E::from_error)
    }

    pub fn call(&mut self, op: &str, input: Value) -> Result<Value, E> {
        let caller = self.caller.clone();
        self.call_as(&caller, op, input)
    }

    pub fn ok(&mut self, op: &str, input: Value) -> Value {
        self.call(op, input)
            .unwrap_or_else(|e| panic!("{op} failed: {e:?}"))
    }

    pub fn err(&mut self, op: &str, input: Value) -> E {
        match self.call(op, input) {
            Ok(v) => panic!("{op} should fail, answered {v}"),
            Err(e) => e,
        }
    }

    /// The changeset of the last call.
    pub fn last_changes(&self) -> &ChangeSet {
        self.changes.last().expect("no call yet")
    }

    /// The persisted records after every call so far committed.
    pub fn records(&self) -> Vec<(String, Vec<u8>)> {
        records_of(&self.changes)
    }

    /// The world after a restart: a fresh emulator on the same clock, restored from the records.
    pub fn restart(&self) -> Self {
        World {
            clock: self.clock.clone(),
            emulator: restored(self.clock.clone(), self.records()),
            changes: Vec::new(),
            caller: self.caller.clone(),
            service: self.service,
            read_only: self.read_only,
            failure: PhantomData,
        }
    }
}
