//! Shared by the API tests: the fixture sites' catalogues published to an
//! embedded store in a temporary folder, as a build would publish them.

use std::sync::Arc;
use storefront_functions::store::Store;
use storefront_functions::store::embedded::EmbeddedStore;

/// The store, and the folder holding it (keep it alive for the test).
pub async fn published_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let snapshots = storefront_e2e::fixture_snapshots();
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.path().join("store.db")).expect("store"));
    storefront_functions::catalog::publish(store.as_ref(), snapshots, |_| vec![])
        .await
        .expect("publish");
    (store, dir)
}
