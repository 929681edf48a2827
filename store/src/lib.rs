//! The store contract, shaped after DynamoDB's model from the start so that
//! every backend can honour it exactly:
//!
//! - an item lives under a partition key and a sort key, and carries a JSON
//!   document, a version and an optional expiry;
//! - writes may carry a condition (absent, present, at a version), checked
//!   atomically with the write;
//! - a transaction writes or checks at most 100 distinct items, all or
//!   nothing, with a reason per item when it is cancelled;
//! - reads are by key, or a query over one partition by sort-key prefix in
//!   sort-key order. There are no scans and no cross-item locks;
//! - an item may carry decimal counters, which a write can add to without
//!   reading them first, on condition that each stays at or above a floor
//!   (DynamoDB's `ADD` with a `ConditionExpression`). Wallet balances are
//!   counters: a hot wallet shared by every order of a reseller takes
//!   concurrent holds without read-modify-write races or retries.
//!
//! Two backends implement it: `embedded` (SQLite, the default on one
//! machine) and DynamoDB (`storefront-aws`). Both must pass `conformance`,
//! written once. Files (proofs of payment, documents) go to a `blobs::Blobs`,
//! a folder here and S3 on AWS.

pub mod blobs;
pub mod conformance;
pub mod embedded;

use async_trait::async_trait;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The most items one transaction may touch (DynamoDB's limit).
pub const MAX_TRANSACTION_ITEMS: usize = 100;

/// Largest document a backend must accept, in bytes of JSON (DynamoDB items
/// are limited to 400 KB including keys and attribute names).
pub const MAX_ITEM_BYTES: usize = 350 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub pk: String,
    pub sk: String,
    /// Starts at 1 and is raised by the writer; `Condition::Version` checks it.
    pub version: u64,
    /// Unix seconds after which the item is treated as absent.
    pub expires_at: Option<i64>,
    pub data: Value,
    /// Exact decimal counters, changed atomically by `Write::Add`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub counters: BTreeMap<String, Decimal>,
}

impl Item {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>, data: Value) -> Item {
        Item {
            pk: pk.into(),
            sk: sk.into(),
            version: 1,
            expires_at: None,
            data,
            counters: BTreeMap::new(),
        }
    }

    /// The same item with a counter set (for creating it).
    pub fn with_counter(mut self, name: &str, value: Decimal) -> Item {
        self.counters.insert(name.to_string(), value);
        self
    }

    /// A counter's value; a counter never written is zero.
    pub fn counter(&self, name: &str) -> Decimal {
        self.counters.get(name).copied().unwrap_or_default()
    }

    pub fn expiring(mut self, at: i64) -> Item {
        self.expires_at = Some(at);
        self
    }

    /// The next version of this item with new data.
    pub fn next(&self, data: Value) -> Item {
        Item {
            pk: self.pk.clone(),
            sk: self.sk.clone(),
            version: self.version + 1,
            expires_at: self.expires_at,
            data,
            counters: self.counters.clone(),
        }
    }
}

/// What must be true of the stored item for a write to happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    None,
    /// No live item under the key (an expired one counts as absent).
    NotExists,
    Exists,
    /// A live item at exactly this version.
    Version(u64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        item: Item,
        condition: Condition,
    },
    Delete {
        pk: String,
        sk: String,
        condition: Condition,
    },
    /// Check a condition on an item without writing it.
    Check {
        pk: String,
        sk: String,
        condition: Condition,
    },
    /// Add to counters of an existing, live item and raise its version by
    /// one. Fails its condition if the item is absent, or if any counter
    /// named in `floors` would end below its floor. A counter not yet on the
    /// item starts at zero.
    Add {
        pk: String,
        sk: String,
        add: BTreeMap<String, Decimal>,
        floors: BTreeMap<String, Decimal>,
    },
}

impl Write {
    pub fn key(&self) -> (&str, &str) {
        match self {
            Write::Put { item, .. } => (&item.pk, &item.sk),
            Write::Delete { pk, sk, .. }
            | Write::Check { pk, sk, .. }
            | Write::Add { pk, sk, .. } => (pk, sk),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query<'a> {
    pub sk_prefix: &'a str,
    /// Only items whose sort key is strictly after this one (paging).
    pub after: Option<&'a str>,
    /// Only items whose sort key is strictly before this one: paging a
    /// descending query, newest first, from the last key a page showed.
    pub before: Option<&'a str>,
    pub limit: Option<usize>,
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("the condition on {pk}/{sk} did not hold")]
    ConditionFailed { pk: String, sk: String },
    /// Which writes of a transaction failed their condition (by position).
    #[error("transaction cancelled: conditions failed at {failed:?}")]
    TransactionCancelled { failed: Vec<usize> },
    #[error("invalid request: {0}")]
    Invalid(String),
    /// Another writer got there first or the backend is busy: safe to retry.
    #[error("conflict, retry: {0}")]
    Conflict(String),
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// The live item under a key.
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError>;
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError>;
    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError>;
    /// Live items of one partition whose sort key starts with the prefix.
    async fn query(&self, pk: &str, q: Query<'_>) -> Result<Vec<Item>, StoreError>;
    /// All writes or none. At most `MAX_TRANSACTION_ITEMS`, each key once.
    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError>;
}

/// Rules every backend enforces the same way before touching storage.
pub fn validate_transaction(writes: &[Write]) -> Result<(), StoreError> {
    if writes.is_empty() {
        return Err(StoreError::Invalid(
            "a transaction needs at least one write".into(),
        ));
    }
    if writes.len() > MAX_TRANSACTION_ITEMS {
        return Err(StoreError::Invalid(format!(
            "a transaction may touch at most {MAX_TRANSACTION_ITEMS} items, not {}",
            writes.len()
        )));
    }
    let mut keys = std::collections::BTreeSet::new();
    for w in writes {
        let (pk, sk) = w.key();
        validate_key(pk, sk)?;
        if !keys.insert((pk, sk)) {
            return Err(StoreError::Invalid(format!(
                "{pk}/{sk} appears twice in one transaction"
            )));
        }
        match w {
            Write::Put { item, .. } => validate_item(item)?,
            Write::Add { add, floors, .. } => {
                if add.is_empty() {
                    return Err(StoreError::Invalid(format!(
                        "an addition to {pk}/{sk} adds nothing"
                    )));
                }
                for name in add.keys().chain(floors.keys()) {
                    validate_counter_name(name)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

pub fn validate_key(pk: &str, sk: &str) -> Result<(), StoreError> {
    if pk.is_empty() || sk.is_empty() || pk.len() > 1024 || sk.len() > 1024 {
        return Err(StoreError::Invalid("keys must be 1 to 1024 bytes".into()));
    }
    Ok(())
}

/// Counter names become attribute names in DynamoDB: keep them plain.
pub fn validate_counter_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "counter names are 1 to 32 of a-z and _, not {name:?}"
        )))
    }
}

pub fn validate_item(item: &Item) -> Result<(), StoreError> {
    validate_key(&item.pk, &item.sk)?;
    for name in item.counters.keys() {
        validate_counter_name(name)?;
    }
    if item.version == 0 {
        return Err(StoreError::Invalid("versions start at 1".into()));
    }
    let size = serde_json::to_vec(&item.data)
        .map_err(|e| StoreError::Invalid(e.to_string()))?
        .len();
    if size > MAX_ITEM_BYTES {
        return Err(StoreError::Invalid(format!(
            "item {}/{} is {size} bytes; the most is {MAX_ITEM_BYTES}",
            item.pk, item.sk
        )));
    }
    Ok(())
}

/// Unix seconds now; the clock the stores use for expiry.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// How often a read-decide-write step is tried while other writers of the
/// same item keep winning: each loss means someone else made progress, so
/// this is never reached in practice; it bounds the loop all the same.
pub const MAX_RACES: usize = 100;

/// What one attempt of a read-decide-write step came to.
#[derive(Debug)]
pub enum Attempt<T> {
    Done(T),
    /// Someone else wrote the item since it was read: read it again.
    Raced,
}

/// Run a read-decide-write step until it is done, at most `MAX_RACES`
/// times; the one retry loop of every conditional change.
pub async fn retry<T, E, F, Fut>(mut attempt: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Attempt<T>, E>>,
    E: From<StoreError>,
{
    for _ in 0..MAX_RACES {
        if let Attempt::Done(t) = attempt().await? {
            return Ok(t);
        }
    }
    Err(StoreError::Conflict("changed elsewhere too often; try again".into()).into())
}
