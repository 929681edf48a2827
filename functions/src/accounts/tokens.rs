//! One-time tokens mailed as links: confirm an email (24 h) and set a new
//! password (1 h). Only the token's digest is stored; a token is used up by
//! deleting its item in the same transaction as the change it authorises.

use super::secrets::{self, TOKEN_CONTEXT};
use crate::store::{Condition, Item, Store, StoreError, Write, now};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Verify,
    Reset,
}

impl Purpose {
    fn sk(self) -> &'static str {
        match self {
            Purpose::Verify => "VERIFY",
            Purpose::Reset => "RESET",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub reseller: String,
    pub account: String,
    /// The address the link was mailed to: it proves that address only.
    pub email_key: String,
    /// The account's auth epoch when issued: a new password voids older
    /// reset links.
    pub epoch: u64,
    pub expires_at: i64,
}

fn pk(secret: &str) -> String {
    format!("TOKEN#{}", secrets::digest(TOKEN_CONTEXT, secret))
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Random(#[from] secrets::RandomError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Store a new token and return it (the only time it exists in clear).
pub async fn issue(
    store: &dyn Store,
    purpose: Purpose,
    mut record: TokenRecord,
    ttl_secs: i64,
) -> Result<String, TokenError> {
    let secret = secrets::new_secret()?;
    record.expires_at = now() + ttl_secs;
    let data = serde_json::to_value(&record).map_err(|e| StoreError::Invalid(e.to_string()))?;
    store
        .put(
            Item::new(pk(&secret), purpose.sk(), data).expiring(record.expires_at),
            Condition::NotExists,
        )
        .await?;
    Ok(secret)
}

/// A live token of this purpose for this storefront, or None for anything
/// else (malformed, unknown, used, expired, another storefront's).
pub async fn find(
    store: &dyn Store,
    purpose: Purpose,
    secret: &str,
    reseller: &str,
) -> Result<Option<(Item, TokenRecord)>, StoreError> {
    if !secrets::looks_like_secret(secret) {
        return Ok(None);
    }
    let Some(item) = store.get(&pk(secret), purpose.sk()).await? else {
        return Ok(None);
    };
    let Ok(record) = serde_json::from_value::<TokenRecord>(item.data.clone()) else {
        return Ok(None);
    };
    if record.reseller != reseller || record.expires_at <= now() {
        return Ok(None);
    }
    Ok(Some((item, record)))
}

/// The write that uses a token up; it fails if someone used it first.
pub fn consume(item: &Item) -> Write {
    Write::Delete {
        pk: item.pk.clone(),
        sk: item.sk.clone(),
        condition: Condition::Version(item.version),
    }
}
