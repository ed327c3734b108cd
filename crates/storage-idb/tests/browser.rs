//! Run with `cargo test -p nimbus-storage-idb --target wasm32-unknown-unknown` (headless Chromium).

use futures::future::join_all;
use nimbus_storage::{ChangeSet, Storage};
use nimbus_storage_idb::IdbStorage;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn put(key: &str, value: &[u8]) -> ChangeSet {
    let mut set = ChangeSet::default();
    set.put(key, value.to_vec());
    set
}

async fn fresh(name: &str) -> IdbStorage {
    IdbStorage::delete_database(name).await.unwrap();
    IdbStorage::open(name).await.unwrap()
}

#[wasm_bindgen_test]
async fn passes_the_conformance_suite() {
    IdbStorage::delete_database("conformance").await.unwrap();
    nimbus_storage::conformance::run(|| async { IdbStorage::open("conformance").await.unwrap() })
        .await;
}

#[wasm_bindgen_test]
async fn concurrent_commits_share_transactions_and_all_survive_a_reopen() {
    let store = fresh("group-commit").await;
    let calls = 200;
    let started = js_sys::Date::now();
    let commits: Vec<_> = (0..calls)
        .map(|i| store.enqueue(vec![put(&format!("item/{i:05}"), &[i as u8; 200])]))
        .collect();
    for result in join_all(commits).await {
        result.unwrap();
    }
    let elapsed = js_sys::Date::now() - started;
    let transactions = store.transactions_committed();
    web_sys::console::log_1(
        &format!(
            "group commit: {calls} commits in {transactions} transactions, {elapsed} ms, {:.0} commits/s",
            calls as f64 * 1000.0 / elapsed.max(1.0)
        )
        .into(),
    );
    assert!(
        transactions < 20,
        "{calls} calls took {transactions} transactions"
    );

    drop(store);
    let reopened = IdbStorage::open("group-commit").await.unwrap();
    let records = reopened.load().await.unwrap();
    assert_eq!(records.len(), calls);
    assert_eq!(records[123], ("item/00123".to_string(), vec![123; 200]));
}

/// Fifty clients each make twenty calls, awaiting each before the next: calls keep arriving
/// while transactions are in flight, and each transaction carries whatever queued meanwhile.
#[wasm_bindgen_test]
async fn calls_arriving_during_a_transaction_go_in_the_next_one() {
    let store = fresh("clients").await;
    let (clients, rounds) = (50, 20);
    let started = js_sys::Date::now();
    let client = |c: usize| {
        let store = store.clone();
        async move {
            for r in 0..rounds {
                let key = format!("client/{c:02}/{r:02}");
                store.enqueue(vec![put(&key, &[7; 200])]).await.unwrap();
            }
        }
    };
    join_all((0..clients).map(client)).await;
    let elapsed = js_sys::Date::now() - started;
    let (calls, transactions) = (clients * rounds, store.transactions_committed());
    web_sys::console::log_1(
        &format!(
            "{clients} clients: {calls} commits in {transactions} transactions, {elapsed} ms, {:.0} commits/s",
            calls as f64 * 1000.0 / elapsed.max(1.0)
        )
        .into(),
    );
    assert!(
        transactions <= 2 * rounds as u64,
        "{calls} calls took {transactions} transactions"
    );
    drop(store);
    let records = IdbStorage::open("clients")
        .await
        .unwrap()
        .load()
        .await
        .unwrap();
    assert_eq!(records.len(), calls);
}

#[wasm_bindgen_test]
async fn commits_awaited_one_by_one_each_take_a_transaction() {
    let store = fresh("one-by-one").await;
    let calls = 200;
    let started = js_sys::Date::now();
    for i in 0..calls {
        store.commit(&[put(&format!("k/{i}"), b"v")]).await.unwrap();
    }
    let elapsed = js_sys::Date::now() - started;
    web_sys::console::log_1(
        &format!(
            "one by one: {calls} commits, {elapsed} ms, {:.0} commits/s",
            calls as f64 * 1000.0 / elapsed.max(1.0)
        )
        .into(),
    );
    assert_eq!(store.transactions_committed(), calls);
}

#[wasm_bindgen_test]
async fn later_commits_win_over_earlier_ones_in_the_same_group() {
    let store = fresh("ordering").await;
    let mut wipe = ChangeSet::default();
    wipe.delete_prefix("t/");
    let commits = vec![
        store.enqueue(vec![put("t/1", b"old")]),
        store.enqueue(vec![put("t/1", b"new"), put("t/2", b"two")]),
        store.enqueue(vec![wipe]),
        store.enqueue(vec![put("t/3", b"three")]),
    ];
    for result in join_all(commits).await {
        result.unwrap();
    }
    assert_eq!(
        store.load().await.unwrap(),
        vec![("t/3".to_string(), b"three".to_vec())]
    );
}

/// IndexedDB compares keys by UTF-16 code unit: U+FFFF sorts above the surrogates that encode
/// U+10000 and beyond, so a naive `prefix + '\u{10FFFF}'` bound would miss keys.
#[wasm_bindgen_test]
async fn prefix_delete_covers_every_character_after_the_prefix() {
    let store = fresh("prefix").await;
    let keys = [
        "p",
        "p/",
        "p\u{FFFF}",
        "p\u{FFFF}\u{FFFF}",
        "p😀",
        "p\u{10FFFF}\u{10FFFF}",
        "o",
        "q",
        "\u{FFFF}",
    ];
    let sets: Vec<ChangeSet> = keys.iter().map(|k| put(k, b"x")).collect();
    store.commit(&sets).await.unwrap();
    let mut wipe = ChangeSet::default();
    wipe.delete_prefix("p");
    store.commit(&[wipe]).await.unwrap();
    let left: Vec<String> = store
        .load()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(left, ["o", "q", "\u{FFFF}"]);

    let mut wipe = ChangeSet::default();
    wipe.delete_prefix("\u{FFFF}");
    store.commit(&[wipe]).await.unwrap();
    let left: Vec<String> = store
        .load()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(left, ["o", "q"]);
}

#[wasm_bindgen_test]
async fn deleting_a_database_with_an_open_handle_empties_it() {
    let store = fresh("deleted").await;
    store.commit(&[put("a", b"1")]).await.unwrap();
    IdbStorage::delete_database("deleted").await.unwrap();
    let reopened = IdbStorage::open("deleted").await.unwrap();
    assert_eq!(reopened.load().await.unwrap(), vec![]);
}

#[wasm_bindgen_test]
async fn an_empty_commit_waits_for_the_writes_queued_before_it() {
    let store = fresh("barrier").await;
    let write = store.enqueue(vec![put("written", b"1")]);
    store.enqueue(vec![]).await.unwrap();
    let other = IdbStorage::open("barrier").await.unwrap();
    assert_eq!(
        other.load().await.unwrap().len(),
        1,
        "the write was durable first"
    );
    write.await.unwrap();
    assert_eq!(store.transactions_committed(), 1);
}
