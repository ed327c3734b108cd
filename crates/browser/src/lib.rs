//! The emulator in the browser: the core's services, kept in IndexedDB, reachable from Rust
//! (the Leptos app) through [`Playground::call`] and from JavaScript (the AWS SDK's custom
//! `requestHandler`) through [`JsPlayground::handle`].
//!
//! Lambda Invoke runs the function in the page's sandboxed runtime (`runtime`, js/runtime.js).
//!
//! Every call answers only after its changes are committed (group commit in
//! nimbus-storage-idb), so a reloaded or killed tab keeps everything that was acknowledged.

mod definition;
mod js;
mod playground;
mod registry;
mod runtime;

pub use definition::test_events_key;
pub use js::JsPlayground;
pub use playground::{database_name, Playground, ACCESS_KEY_ID, ACCOUNT_ID, ENDPOINT, REGION};
pub use registry::{
    create_playground, delete_playground, list_playgrounds, rename_playground, PlaygroundInfo,
};

/// Deletes a playground's IndexedDB database (its resources and data), leaving the registry.
pub async fn delete_database(id: &str) -> Result<(), String> {
    nimbus_storage_idb::IdbStorage::delete_database(&database_name(id))
        .await
        .map_err(|e| e.to_string())
}

/// A random 64-bit seed. `Math.random` exists in windows and workers alike; ids need to be
/// unique, not secret.
pub(crate) fn random_seed() -> u64 {
    let half = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (half() << 32) | half()
}
