//! storefront-functions: the live half of the platform. Each function
//! (search, accounts, orders, wallet, panel, invoices; the scheduler is not
//! HTTP) is an axum router; `storefront serve` composes them into one app on the
//! embedded store, and each can run alone as a Lambda. Decisions are made in
//! storefront-core; this crate loads, calls core, and stores.

pub mod accounts;
pub mod announcements;
pub mod app;
pub mod applications;
pub mod audit;
pub mod catalog;
pub mod clock;
pub mod documents;
pub mod edge;
pub mod error;
pub mod forwarded;
pub mod invoices;
pub mod ledger;
pub mod links;
pub mod mail_log;
pub mod openapi;
pub mod orders;
pub mod paging;
pub mod registrar;
pub mod reports;
pub mod scheduler;
pub mod search;
pub mod stats;
pub mod suspension;
pub mod tenant;

/// The store contract and its backends live in their own crate, so that
/// the DynamoDB backend does not depend on the HTTP API.
pub use storefront_store::{self as store, blobs};
