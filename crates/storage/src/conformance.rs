//! The suite every storage backend passes (Garage runs one `test_suite(db)` the same way).
//!
//! `open` must return a handle to the *same* underlying store each time it is called, so the
//! suite can check that committed data survives a reopen (a page reload, a server restart).

use std::future::Future;

use crate::{ChangeSet, Storage};

fn set(changes: impl FnOnce(&mut ChangeSet)) -> ChangeSet {
    let mut set = ChangeSet::default();
    changes(&mut set);
    set
}

fn records(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect()
}

/// Runs every check against a backend, panicking on the first that fails.
pub async fn run<S, F, Fut>(open: F)
where
    S: Storage,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    let store = open().await;
    assert_eq!(store.load().await.unwrap(), vec![], "a new store is empty");

    // Puts, overwrites and deletes within one changeset apply in order.
    store
        .commit(&[set(|s| {
            s.put("b", b"1".to_vec());
            s.put("a", b"0".to_vec());
            s.put("b", b"2".to_vec());
            s.put("c", b"3".to_vec());
            s.delete("c");
        })])
        .await
        .unwrap();
    assert_eq!(
        store.load().await.unwrap(),
        records(&[("a", "0"), ("b", "2")]),
        "records come back in key order"
    );

    // A batch of several changesets applies them in order.
    store
        .commit(&[
            set(|s| s.put("t/x/1", b"one".to_vec())),
            set(|s| s.put("t/x/2", b"two".to_vec())),
            set(|s| s.put("t/y/1", b"other".to_vec())),
            set(|s| s.delete("a")),
        ])
        .await
        .unwrap();

    // A prefix delete removes exactly the keys under it, and later puts in the same batch stay.
    store
        .commit(&[set(|s| {
            s.delete_prefix("t/x/");
            s.put("t/x/3", b"three".to_vec());
        })])
        .await
        .unwrap();
    let expected = records(&[("b", "2"), ("t/x/3", "three"), ("t/y/1", "other")]);
    assert_eq!(store.load().await.unwrap(), expected);

    // Binary values and non-ASCII keys survive unchanged.
    let binary: Vec<u8> = (0..=255u8).collect();
    store
        .commit(&[set(|s| s.put("ü/ключ/🔑", binary.clone()))])
        .await
        .unwrap();

    // An empty batch and an empty changeset are fine.
    store.commit(&[]).await.unwrap();
    store.commit(&[ChangeSet::default()]).await.unwrap();

    // What was committed is there after the store is opened again.
    drop(store);
    let reopened = open().await;
    let loaded = reopened.load().await.unwrap();
    assert_eq!(
        loaded.len(),
        4,
        "every committed record survives a reopen: {loaded:?}"
    );
    assert_eq!(
        loaded
            .iter()
            .find(|(k, _)| k == "ü/ключ/🔑")
            .map(|(_, v)| v),
        Some(&binary)
    );

    // Many records in one batch (a group commit of many calls).
    let many: Vec<ChangeSet> = (0..500)
        .map(|i| set(|s| s.put(format!("m/{i:04}"), vec![i as u8; 64])))
        .collect();
    reopened.commit(&many).await.unwrap();
    assert_eq!(reopened.load().await.unwrap().len(), 504);
    reopened
        .commit(&[set(|s| s.delete_prefix(""))])
        .await
        .unwrap();
    assert_eq!(
        reopened.load().await.unwrap(),
        vec![],
        "an empty prefix clears everything (reset)"
    );
}
