//! IndexedDB storage with group commit.
//!
//! One database per playground holds one object store, `records`: the key is the record key,
//! the value the record's bytes as a `Uint8Array`.
//!
//! Group commit: a commit that arrives while a transaction is in flight waits in a queue, and
//! everything queued is written together in the next single readwrite transaction. Each
//! caller's future resolves only once the transaction holding its changes has committed, so
//! nothing is acknowledged before it is durable, yet a burst of calls costs a few transactions
//! rather than one each (IndexedDB manages ~2,000 transactions/s but ~25,000 puts/s batched).

use std::{
    cell::{Cell, RefCell},
    future::Future,
    rc::Rc,
};

use futures::channel::oneshot;
use indexed_db_futures::{
    database::Database,
    internals::SystemRepr,
    prelude::*,
    transaction::{TransactionDurability, TransactionMode, TransactionOptions},
    KeyRange,
};
use js_sys::Uint8Array;
use nimbus_storage::{Change, ChangeSet, Storage, StorageError};
use wasm_bindgen::{prelude::*, JsCast};

const STORE: &str = "records";

/// A handle to one IndexedDB database; clones share the database and the commit queue.
#[derive(Clone)]
pub struct IdbStorage {
    inner: Rc<Inner>,
}

struct Inner {
    db: Database,
    queue: RefCell<Vec<Pending>>,
    /// Whether a writer task is draining the queue.
    writing: Cell<bool>,
    transactions: Cell<u64>,
    /// Closes this connection when another one wants to delete or upgrade the database.
    _on_version_change: Closure<dyn FnMut()>,
}

struct Pending {
    batch: Vec<ChangeSet>,
    done: oneshot::Sender<Result<(), String>>,
}

fn backend(error: impl std::fmt::Display) -> StorageError {
    StorageError::Backend(error.to_string())
}

impl IdbStorage {
    /// Opens (creating if need be) the database `name`. Opening the same name again reaches the
    /// same records.
    pub async fn open(name: &str) -> Result<IdbStorage, StorageError> {
        let db = Database::open(name)
            .with_version(1u32)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    db.create_object_store(STORE).build()?;
                }
                Ok(())
            })
            .await
            .map_err(|e| backend(format!("opening IndexedDB database {name}: {e}")))?;

        // Without this, deleting the database (a deleted playground) would block until every
        // handle to it had been garbage-collected.
        let raw: web_sys::IdbDatabase = db.as_sys().clone().unchecked_into();
        let to_close = raw.clone();
        let on_version_change = Closure::<dyn FnMut()>::new(move || to_close.close());
        raw.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));

        Ok(IdbStorage {
            inner: Rc::new(Inner {
                db,
                queue: RefCell::default(),
                writing: Cell::new(false),
                transactions: Cell::new(0),
                _on_version_change: on_version_change,
            }),
        })
    }

    /// Deletes the database `name` and everything in it. Open handles to it are closed first.
    pub async fn delete_database(name: &str) -> Result<(), StorageError> {
        Database::delete_by_name(name)
            .map_err(backend)?
            .await
            .map_err(backend)
    }

    /// [`Storage::commit`] for an owned batch: queued at once (so commits are written in the
    /// order they were made, however they are polled), and the future borrows nothing.
    pub fn enqueue(
        &self,
        mut batch: Vec<ChangeSet>,
    ) -> impl Future<Output = Result<(), StorageError>> + 'static {
        batch.retain(|set| !set.is_empty());
        // An empty batch still waits for the commits queued before it, so a read that follows
        // a write never acknowledges data that could yet be lost; with none queued it is done.
        let idle = !self.inner.writing.get();
        let done = (!(batch.is_empty() && idle)).then(|| {
            let (done, result) = oneshot::channel();
            self.inner.queue.borrow_mut().push(Pending { batch, done });
            if !self.inner.writing.replace(true) {
                wasm_bindgen_futures::spawn_local(write_queued(self.inner.clone()));
            }
            result
        });
        async move {
            let Some(result) = done else { return Ok(()) };
            result
                .await
                .map_err(|_| backend("the IndexedDB writer stopped"))?
                .map_err(StorageError::Backend)
        }
    }

    /// How many readwrite transactions this handle (and its clones) committed.
    pub fn transactions_committed(&self) -> u64 {
        self.inner.transactions.get()
    }

    async fn load_records(&self) -> indexed_db_futures::Result<Vec<(String, Vec<u8>)>> {
        let tx = self.inner.db.transaction(STORE).build()?;
        let store = tx.object_store(STORE)?;
        // Both requests go out now, in one transaction, so keys and values match up.
        let keys = store.get_all_keys::<JsValue>().primitive()?;
        let values = store.get_all::<JsValue>().primitive()?;
        let keys = keys.await?;
        let values = values.await?;
        let mut records = Vec::new();
        for (key, value) in keys.zip(values) {
            let key = key?.as_string().unwrap_or_default();
            let value = value?.dyn_into::<Uint8Array>().map(|a| a.to_vec());
            records.push((key, value.unwrap_or_default()));
        }
        // IndexedDB orders strings by UTF-16 code unit; the trait promises Rust's (code point)
        // order, which differs once characters beyond U+FFFF appear.
        records.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(records)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        let raw: &web_sys::IdbDatabase = self.db.as_sys();
        raw.set_onversionchange(None);
        raw.close();
    }
}

impl Storage for IdbStorage {
    async fn load(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        self.load_records().await.map_err(backend)
    }

    fn commit(&self, batch: &[ChangeSet]) -> impl Future<Output = Result<(), StorageError>> {
        self.enqueue(batch.to_vec())
    }
}

/// Writes what is queued, one transaction per round, until the queue stays empty.
async fn write_queued(inner: Rc<Inner>) {
    loop {
        let pending = std::mem::take(&mut *inner.queue.borrow_mut());
        if pending.is_empty() {
            inner.writing.set(false);
            return;
        }
        let mut changes = pending
            .iter()
            .flat_map(|p| &p.batch)
            .flat_map(|s| &s.changes);
        // Only waiters queued: what they waited for has committed.
        let result = match changes.next() {
            None => Ok(()),
            Some(first) => {
                let written = write(&inner.db, std::iter::once(first).chain(changes)).await;
                if written.is_ok() {
                    inner.transactions.set(inner.transactions.get() + 1);
                }
                written.map_err(|e| e.to_string())
            }
        };
        for p in pending {
            let _ = p.done.send(result.clone());
        }
    }
}

/// Applies `changes` in one readwrite transaction and waits for it to commit. Any failed request
/// aborts the transaction, so it is all or nothing.
async fn write<'a>(
    db: &Database,
    changes: impl Iterator<Item = &'a Change>,
) -> indexed_db_futures::Result<()> {
    // Strict: committed means flushed to disk, so an acknowledged call survives even an OS crash
    // (Chromium's default only survives the tab). Group commit pays the flush once per batch.
    let tx = db
        .transaction(STORE)
        .with_mode(TransactionMode::Readwrite)
        .with_options(TransactionOptions::new().with_durability(TransactionDurability::Strict))
        .build()?;
    let store = tx.object_store(STORE)?;
    // Requests are issued when built; their results come with the transaction's.
    for change in changes {
        match change {
            Change::Put { key, value } => {
                let value: JsValue = Uint8Array::from(value.as_slice()).into();
                store
                    .put(value)
                    .with_key(JsValue::from_str(key))
                    .without_key_type()
                    .primitive()?;
            }
            Change::Delete { key } => {
                store
                    .delete::<JsValue, _>(KeyRange::Only(JsValue::from_str(key)))
                    .primitive()?;
            }
            Change::DeletePrefix { prefix } if prefix.is_empty() => {
                store.clear()?;
            }
            Change::DeletePrefix { prefix } => {
                let lower = JsValue::from_str(prefix);
                let range = match prefix_upper_bound(prefix) {
                    Some(upper) => KeyRange::Bound(lower, false, upper, true),
                    None => KeyRange::LowerBound(lower, false),
                };
                store.delete::<JsValue, _>(range).primitive()?;
            }
        }
    }
    tx.commit().await
}

/// The least string above every string starting with `prefix`, in IndexedDB's UTF-16 code unit
/// order (the exclusive upper bound of the prefix's key range); `None` when nothing is above.
fn prefix_upper_bound(prefix: &str) -> Option<JsValue> {
    let mut units: Vec<u16> = prefix.encode_utf16().collect();
    while let Some(last) = units.pop() {
        if last < u16::MAX {
            units.push(last + 1);
            // May end in a lone surrogate, which JS strings (and IndexedDB keys) allow.
            return Some(js_sys::JsString::from_char_code(&units).into());
        }
    }
    None
}
