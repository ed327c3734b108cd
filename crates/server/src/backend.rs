use nimbus_storage::{ChangeSet, MemoryStorage, Storage, StorageError};
use nimbus_storage_file::FileStorage;

/// The storage `nimbus serve` was started with.
pub enum Backend {
    Memory(MemoryStorage),
    File(FileStorage),
}

impl Storage for Backend {
    async fn load(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        match self {
            Backend::Memory(store) => store.load().await,
            Backend::File(store) => store.load().await,
        }
    }

    async fn commit(&self, batch: &[ChangeSet]) -> Result<(), StorageError> {
        match self {
            Backend::Memory(store) => store.commit(batch).await,
            Backend::File(store) => store.commit(batch).await,
        }
    }
}
