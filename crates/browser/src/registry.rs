//! The list of playgrounds, kept in its own IndexedDB database as records `playground/<id>`.

use std::cell::RefCell;

use nimbus_core::{IdSource, SeededIds};
use nimbus_storage::{ChangeSet, Storage};
use nimbus_storage_idb::IdbStorage;
use serde::{Deserialize, Serialize};

use crate::random_seed;

const REGISTRY_DATABASE: &str = "nimbus-registry";
const PREFIX: &str = "playground/";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaygroundInfo {
    pub id: String,
    pub name: String,
    /// `Date.now()` at creation.
    pub created_millis: f64,
}

thread_local! {
    static REGISTRY: RefCell<Option<IdbStorage>> = const { RefCell::new(None) };
}

async fn registry() -> Result<IdbStorage, String> {
    if let Some(open) = REGISTRY.with(|r| r.borrow().clone()) {
        return Ok(open);
    }
    let opened = IdbStorage::open(REGISTRY_DATABASE)
        .await
        .map_err(|e| e.to_string())?;
    // Another caller may have opened it meanwhile; keep one handle so commits share a queue.
    Ok(REGISTRY.with(|r| r.borrow_mut().get_or_insert(opened).clone()))
}

async fn save(info: &PlaygroundInfo) -> Result<(), String> {
    let mut changes = ChangeSet::default();
    let value = serde_json::to_vec(info).map_err(|e| e.to_string())?;
    changes.put(format!("{PREFIX}{}", info.id), value);
    registry()
        .await?
        .enqueue(vec![changes])
        .await
        .map_err(|e| e.to_string())
}

/// Every playground, oldest first.
pub async fn list_playgrounds() -> Result<Vec<PlaygroundInfo>, String> {
    let records = registry().await?.load().await.map_err(|e| e.to_string())?;
    let mut list: Vec<PlaygroundInfo> = records
        .iter()
        .filter(|(key, _)| key.starts_with(PREFIX))
        .filter_map(|(_, value)| serde_json::from_slice(value).ok())
        .collect();
    list.sort_by(|a, b| {
        a.created_millis
            .total_cmp(&b.created_millis)
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(list)
}

/// Adds a playground named `name` with a fresh id; its database is created when first opened.
pub async fn create_playground(name: &str) -> Result<PlaygroundInfo, String> {
    let info = PlaygroundInfo {
        id: SeededIds::new(random_seed()).token(b"0123456789abcdefghijklmnopqrstuvwxyz", 12),
        name: name.to_string(),
        created_millis: js_sys::Date::now(),
    };
    save(&info).await?;
    Ok(info)
}

pub async fn rename_playground(id: &str, name: &str) -> Result<(), String> {
    let mut info = list_playgrounds()
        .await?
        .into_iter()
        .find(|info| info.id == id)
        .ok_or_else(|| format!("there is no playground {id}"))?;
    info.name = name.to_string();
    save(&info).await
}

/// Removes playground `id` from the list and deletes its data.
pub async fn delete_playground(id: &str) -> Result<(), String> {
    let mut changes = ChangeSet::default();
    changes.delete(format!("{PREFIX}{id}"));
    registry()
        .await?
        .enqueue(vec![changes])
        .await
        .map_err(|e| e.to_string())?;
    crate::delete_database(id).await
}
