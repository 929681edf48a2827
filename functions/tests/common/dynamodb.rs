//! The DynamoDB backend for the shared suites: one local server (moto,
//! started by the test) per test process, and a new table per store, so
//! every case starts empty.

use std::sync::{Arc, OnceLock};
use storefront_e2e::moto::Moto;
use storefront_functions::store::Store;

fn server() -> &'static Moto {
    // Never dropped: the server exits when this process does (it watches
    // its standard input).
    static SERVER: OnceLock<Moto> = OnceLock::new();
    SERVER.get_or_init(Moto::start)
}

/// A fresh, empty DynamoDB store.
pub async fn store() -> Arc<dyn Store> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let table = format!("storefront-{}", N.fetch_add(1, Ordering::Relaxed));
    let store = storefront_aws::DynamoStore::local(&server().endpoint(), &table)
        .await
        .expect("a table on the local DynamoDB");
    Arc::new(store)
}
