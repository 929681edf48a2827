//! Many orders at once against wallets that cover only some of them
//! (tests/common/concurrency_suite.rs), on the embedded store and on
//! DynamoDB (a local server the test starts).
//!
//!     cargo test -p storefront-functions --test concurrency

#[path = "common/concurrency_suite.rs"]
mod concurrency_suite;
#[path = "common/dynamodb.rs"]
mod dynamodb;
#[path = "common/ledger_suite.rs"]
mod ledger_suite;

use ledger_suite::{Fresh, StoreFactory};
use std::sync::Arc;
use storefront_functions::store::embedded::EmbeddedStore;

async fn embedded() -> Fresh {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = EmbeddedStore::open(&dir.path().join("store.db")).expect("store");
    (Arc::new(store), Box::new(dir))
}

fn factory() -> Arc<dyn StoreFactory> {
    Arc::new(embedded)
}

async fn on_dynamodb() -> Fresh {
    (dynamodb::store().await, Box::new(()))
}

fn dynamodb() -> Arc<dyn StoreFactory> {
    Arc::new(on_dynamodb)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_orders_one_wallet_for_a_hundred() {
    concurrency_suite::one_customer_pays_for_exactly_what_the_wallet_holds(factory()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_customers_one_short_sub_reseller() {
    concurrency_suite::a_short_sub_reseller_stops_exactly_the_orders_it_cannot_cover(factory())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_settled_order_gets_its_invoice() {
    concurrency_suite::every_settled_order_gets_its_invoice(factory()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_two_hundred_orders_one_wallet_for_a_hundred() {
    concurrency_suite::one_customer_pays_for_exactly_what_the_wallet_holds(dynamodb()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_two_hundred_customers_one_short_sub_reseller() {
    concurrency_suite::a_short_sub_reseller_stops_exactly_the_orders_it_cannot_cover(dynamodb())
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_every_settled_order_gets_its_invoice() {
    concurrency_suite::every_settled_order_gets_its_invoice(dynamodb()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_with_five_uses_raced_by_fifty_orders() {
    concurrency_suite::a_code_with_five_uses_is_used_exactly_five_times(factory()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_uses_a_code_at_most_twice() {
    concurrency_suite::a_customer_uses_a_code_at_most_twice(factory()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_a_code_with_five_uses_raced_by_fifty_orders() {
    concurrency_suite::a_code_with_five_uses_is_used_exactly_five_times(dynamodb()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_a_customer_uses_a_code_at_most_twice() {
    concurrency_suite::a_customer_uses_a_code_at_most_twice(dynamodb()).await;
}
