//! Durable storage for the emulator's state, knowing nothing of AWS.
//!
//! The state is a set of records, each a UTF-8 key and a byte value. A service call yields a
//! [`ChangeSet`]; a backend applies a batch of changesets atomically (all of them or none) and
//! hands every record back at start. Every backend passes [`conformance::run`].

pub mod conformance;
mod memory;

pub use memory::MemoryStorage;

use std::future::Future;

/// One record written or removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Put {
        key: String,
        value: Vec<u8>,
    },
    Delete {
        key: String,
    },
    /// Removes every record whose key starts with `prefix` (a table and all its items, say).
    DeletePrefix {
        prefix: String,
    },
}

/// What one mutating call changed, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    pub changes: Vec<Change>,
}

impl ChangeSet {
    pub fn put(&mut self, key: impl Into<String>, value: Vec<u8>) {
        self.changes.push(Change::Put {
            key: key.into(),
            value,
        });
    }

    pub fn delete(&mut self, key: impl Into<String>) {
        self.changes.push(Change::Delete { key: key.into() });
    }

    pub fn delete_prefix(&mut self, prefix: impl Into<String>) {
        self.changes.push(Change::DeletePrefix {
            prefix: prefix.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn extend(&mut self, other: ChangeSet) {
        self.changes.extend(other.changes);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage backend failed: {0}")]
    Backend(String),
}

/// A place the state lives. Futures resolve only once the change is durable.
///
/// The futures are not `Send`: IndexedDB's are not, and native backends finish synchronously.
pub trait Storage {
    /// Every record, in key order.
    fn load(&self) -> impl Future<Output = Result<Vec<(String, Vec<u8>)>, StorageError>>;

    /// Applies the changesets in order, atomically: after a crash either all of them or none are seen.
    fn commit(&self, batch: &[ChangeSet]) -> impl Future<Output = Result<(), StorageError>>;
}

/// Applies `batch` to an ordered map; the reference semantics every backend must match.
pub fn apply_to_map(map: &mut std::collections::BTreeMap<String, Vec<u8>>, batch: &[ChangeSet]) {
    for change in batch.iter().flat_map(|set| &set.changes) {
        match change {
            Change::Put { key, value } => {
                map.insert(key.clone(), value.clone());
            }
            Change::Delete { key } => {
                map.remove(key);
            }
            Change::DeletePrefix { prefix } => {
                map.retain(|key, _| !key.starts_with(prefix.as_str()));
            }
        }
    }
}

/// A shared handle stores into the same backend (tests reopen a store through it).
impl<S: Storage> Storage for std::rc::Rc<S> {
    fn load(&self) -> impl Future<Output = Result<Vec<(String, Vec<u8>)>, StorageError>> {
        (**self).load()
    }

    fn commit(&self, batch: &[ChangeSet]) -> impl Future<Output = Result<(), StorageError>> {
        (**self).commit(batch)
    }
}
