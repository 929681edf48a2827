//! The store contract on the embedded (SQLite) backend.

use std::sync::Arc;
use storefront_functions::store::Store;
use storefront_functions::store::embedded::EmbeddedStore;

async fn make() -> Arc<dyn Store> {
    // Each check gets its own file; the folder is left for the OS to clean.
    let dir = tempfile::tempdir().expect("tempdir").keep();
    Arc::new(EmbeddedStore::open(&dir.join("store.db")).expect("open store"))
}

storefront_store::store_conformance!(make());

#[tokio::test]
async fn data_survives_reopening() {
    use serde_json::json;
    use storefront_functions::store::{Condition, Item};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.db");
    {
        let s = EmbeddedStore::open(&path).expect("open");
        s.put(
            Item::new("P", "S", json!({"amount": "150000"})),
            Condition::NotExists,
        )
        .await
        .expect("put");
    }
    let s = EmbeddedStore::open(&path).expect("reopen");
    assert_eq!(
        s.get("P", "S").await.expect("get").map(|i| i.data),
        Some(json!({"amount": "150000"}))
    );
}

/// Transactions committed together still succeed or fail one by one: 200
/// concurrent pairs of writes, where every second pair collides with the
/// one before it on its first key, leave exactly the winners' pairs whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn grouped_commits_cancel_only_the_transaction_that_fails() {
    use serde_json::json;
    use storefront_functions::store::{Condition, Item, StoreError, Write};
    let store = make().await;
    let mut tasks = Vec::new();
    for i in 0..200u32 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            let first = format!("K{}", i / 2);
            let r = s
                .transact(vec![
                    Write::Put {
                        item: Item::new("G", first, json!(i)),
                        condition: Condition::NotExists,
                    },
                    Write::Put {
                        item: Item::new("G", format!("own{i}"), json!(i)),
                        condition: Condition::NotExists,
                    },
                ])
                .await;
            (i, r)
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        match t.await.expect("task") {
            (i, Ok(())) => winners.push(i),
            (_, Err(StoreError::TransactionCancelled { failed })) => assert_eq!(failed, vec![0]),
            (_, Err(e)) => panic!("{e}"),
        }
    }
    assert_eq!(winners.len(), 100, "one of each colliding pair");
    for i in 0..200u32 {
        let own = store.get("G", &format!("own{i}")).await.expect("get");
        assert_eq!(
            own.is_some(),
            winners.contains(&i),
            "pair {i} is whole or absent"
        );
    }
}
