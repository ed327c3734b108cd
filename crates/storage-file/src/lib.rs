//! File-backed storage on [redb](https://docs.rs/redb), an embedded transactional key-value store,
//! for `nimbus serve --data-dir DIR`. One write transaction per commit batch, made durable before
//! `commit` returns.

use std::path::Path;

use nimbus_storage::{Change, ChangeSet, Storage, StorageError};
use redb::{Database, ReadableTable, TableDefinition};

const RECORDS: TableDefinition<&str, &[u8]> = TableDefinition::new("records");

pub struct FileStorage {
    db: Database,
}

fn backend<E: std::fmt::Display>(error: E) -> StorageError {
    StorageError::Backend(error.to_string())
}

impl FileStorage {
    /// Opens (or creates) `DIR/nimbus.redb`.
    pub fn open(dir: &Path) -> Result<Self, StorageError> {
        std::fs::create_dir_all(dir).map_err(backend)?;
        let db = Database::create(dir.join("nimbus.redb")).map_err(backend)?;
        // Create the table up front so that a read of a fresh store finds it.
        let tx = db.begin_write().map_err(backend)?;
        tx.open_table(RECORDS).map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(FileStorage { db })
    }

    fn load_sync(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let tx = self.db.begin_read().map_err(backend)?;
        let table = tx.open_table(RECORDS).map_err(backend)?;
        let mut records = Vec::new();
        for entry in table.iter().map_err(backend)? {
            let (key, value) = entry.map_err(backend)?;
            records.push((key.value().to_string(), value.value().to_vec()));
        }
        Ok(records)
    }

    fn commit_sync(&self, batch: &[ChangeSet]) -> Result<(), StorageError> {
        let tx = self.db.begin_write().map_err(backend)?;
        {
            let mut table = tx.open_table(RECORDS).map_err(backend)?;
            for change in batch.iter().flat_map(|set| &set.changes) {
                match change {
                    Change::Put { key, value } => {
                        table
                            .insert(key.as_str(), value.as_slice())
                            .map_err(backend)?;
                    }
                    Change::Delete { key } => {
                        table.remove(key.as_str()).map_err(backend)?;
                    }
                    Change::DeletePrefix { prefix } => {
                        table
                            .retain_in(prefix.as_str().., |key, _| {
                                !key.starts_with(prefix.as_str())
                            })
                            .map_err(backend)?;
                    }
                }
            }
        }
        tx.commit().map_err(backend)
    }
}

impl Storage for FileStorage {
    async fn load(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        self.load_sync()
    }

    async fn commit(&self, batch: &[ChangeSet]) -> Result<(), StorageError> {
        self.commit_sync(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::FileStorage;

    #[test]
    fn file_backend_passes_the_conformance_suite() {
        let dir = tempfile::tempdir().unwrap();
        pollster::block_on(nimbus_storage::conformance::run(|| {
            // Each open is a new handle on the same file, as after a server restart.
            let store = FileStorage::open(dir.path()).unwrap();
            async move { store }
        }));
    }
}
