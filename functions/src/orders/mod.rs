//! Orders: quote, pay (holding every leg up the chain at once), provision
//! through the registrar, capture or release, refund; and the domains they
//! make. Routes are in `routes`; the scheduler's work in `crate::scheduler`.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | a quote (30 min) | `QUOTE#<id>` | `QUOTE` |
//! | an order | `ORDER#<id>` | `ORDER` |
//! | a customer's orders | `RESELLER#<r>#ACCOUNT#<a>` | `ORDER#<id>` (copy) |
//! | a reseller's orders | `ORDERS#<r>` | `<id>` (copy) |
//! | an idempotency key (24 h) | `IDEMPOTENCY#<r>#<a>#<key>` | `KEY` |
//! | lines waiting on the registry | `PROVISIONING` | `<order id>` |
//! | unpaid orders by due date | `DUE#<yyyy-mm-dd>` | `<order id>` |
//! | orders waiting for documents, by their last day | `DOCDUE#<yyyy-mm-dd>` | `<order id>` |
//! | a domain | `DOMAIN#<name>` | `DOMAIN` |
//! | a customer's domains | `RESELLER#<r>#ACCOUNT#<a>` | `DOMAIN#<name>` (copy) |
//! | a reseller's domains | `DOMAINS#<r>` | `<name>` (copy) |
//! | domains by expiry date | `EXPIRY#<yyyy-mm-dd>` | `<name>` |
//! | discount code uses | see `codes` | |
//!
//! The key formats are written once, in `keys`.
//!
//! Every change to an order is a write conditioned on the version read, in
//! the same transaction as the money it moves (see `crate::ledger`): a
//! retried or concurrent step finds the order moved on and does nothing.

pub mod codes;
pub mod domain_list;
pub mod engine;
pub mod keys;
pub mod letters;
pub mod model;
pub mod paperwork;
pub mod routes;

pub use engine::{LineRequest, NewOrder, OrderError, Orders, OrdersConfig};

/// Whether any order was ever placed on `reseller`'s storefront (one read:
/// the first of its orders' copies).
pub async fn has_orders(
    store: &dyn crate::store::Store,
    reseller: &str,
) -> Result<bool, crate::store::StoreError> {
    let first = store
        .query(
            &keys::orders_of(reseller),
            crate::store::Query {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await?;
    Ok(!first.is_empty())
}
pub use model::{Domain, DomainStatus, Line, LineState, Order, OrderState, Payment};
