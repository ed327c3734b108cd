use std::{cell::RefCell, collections::BTreeMap};

use crate::{apply_to_map, ChangeSet, Storage, StorageError};

/// Keeps records in memory: `nimbus serve` without `--data-dir`, and tests.
#[derive(Default)]
pub struct MemoryStorage {
    records: RefCell<BTreeMap<String, Vec<u8>>>,
}

impl Storage for MemoryStorage {
    async fn load(&self) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        Ok(self
            .records
            .borrow()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn commit(&self, batch: &[ChangeSet]) -> Result<(), StorageError> {
        apply_to_map(&mut self.records.borrow_mut(), batch);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn memory_backend_passes_the_conformance_suite() {
        let shared = std::rc::Rc::new(super::MemoryStorage::default());
        pollster::block_on(crate::conformance::run(|| {
            let store = shared.clone();
            async move { store }
        }));
    }
}
