//! The store contract on the embedded (SQLite) backend.

use std::sync::Arc;
use storefront_functions::store::Store;
use storefront_functions::store::embedded::EmbeddedStore;

async fn make() -> Arc<dyn Store> {
    // Each check gets its own file; the folder is left for the OS to clean.
    let dir = tempfile::tempdir().expect("tempdir").keep();
    Arc::new(EmbeddedStore::open(&dir.join("store.db")).expect("open store"))
}

storefront_functions::store_conformance!(make());

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
