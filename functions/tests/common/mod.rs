//! Shared by the API tests: the fixture sites' catalogues published to an
//! embedded store in a temporary folder, as a build would publish them.

use std::sync::Arc;
use storefront_functions::store::Store;
use storefront_functions::store::embedded::EmbeddedStore;

/// The store, and the folder holding it (keep it alive for the test).
pub async fn published_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let project = storefront_e2e::project(None);
    let checkout = storefront_generator::check(
        &storefront_generator::Paths::under(project.path()),
        storefront_e2e::today(),
    )
    .expect("fixture checks");
    let snapshots = storefront_generator::snapshot::all(&checkout);
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.path().join("store.db")).expect("store"));
    storefront_functions::catalog::publish(store.as_ref(), &snapshots, |_| vec![])
        .await
        .expect("publish");
    (store, dir)
}
