//! Sessions: a 256-bit random id in a cookie, its digest in the store.
//!
//! - Lifetime: fixed, `AccountsConfig::session_ttl` (30 days) from sign-in,
//!   not sliding: a session is never extended, so reading it costs no write
//!   and a stolen cookie stops working on a known date. Signing out ends it
//!   at once, a new password ends every session of the account.
//! - Bound to the storefront that issued it: presented on another
//!   storefront's host (or preview path) it is not a session at all.
//! - Cookie: `HttpOnly; SameSite=Lax; Path=/` plus `Secure`, named
//!   `__Host-sf_session` so that no other host (a sibling subdomain) can set
//!   or shadow it. Under the local preview path `/s/<reseller>/` the path is
//!   that prefix, so storefronts previewed on one host do not share a
//!   session; `__Host-` requires `Path=/`, so there the name is
//!   `__Secure-sf_session`. With `secure_cookies: false` (plain http, local
//!   only) it is `sf_session` without `Secure`.

use super::secrets::{self, SESSION_CONTEXT};
use crate::store::{Condition, Item, Query, Store, StoreError, Write, now};
use axum::http::{HeaderMap, HeaderValue, header};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The cookie a request's session travels in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieSpec {
    pub name: &'static str,
    pub path: String,
    pub secure: bool,
}

impl CookieSpec {
    pub fn new(secure: bool, preview: Option<&str>) -> CookieSpec {
        // A reseller id is a folder name; anything that could break out of
        // the attribute falls back to the whole host.
        let preview = preview.filter(|r| {
            !r.is_empty()
                && r.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        });
        let (name, path) = match (secure, preview) {
            (true, None) => ("__Host-sf_session", "/".to_string()),
            (true, Some(r)) => ("__Secure-sf_session", format!("/s/{r}/")),
            (false, None) => ("sf_session", "/".to_string()),
            (false, Some(r)) => ("sf_session", format!("/s/{r}/")),
        };
        CookieSpec { name, path, secure }
    }

    fn attributes(&self, max_age: i64) -> String {
        format!(
            "Path={}; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
            self.path,
            if self.secure { "; Secure" } else { "" }
        )
    }

    pub fn set(&self, secret: &str, max_age: i64) -> HeaderValue {
        let v = format!("{}={secret}; {}", self.name, self.attributes(max_age));
        HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    pub fn clear(&self) -> HeaderValue {
        let v = format!("{}=; {}", self.name, self.attributes(0));
        HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// Values of our cookie in the request that look like a session id.
    /// (More than one is possible when an older cookie with another path
    /// is still around.)
    pub fn read(&self, headers: &HeaderMap) -> Vec<String> {
        cookie_values(headers, &[self.name])
    }

    /// Values of the session cookie under any of its names (secure or not,
    /// the whole host or a preview path), for a function that only reads
    /// who is signed in and does not know how this deployment names it:
    /// a value counts only if it is a live session on this storefront.
    pub fn read_any(headers: &HeaderMap) -> Vec<String> {
        cookie_values(
            headers,
            &["__Host-sf_session", "__Secure-sf_session", "sf_session"],
        )
    }
}

/// The values of the cookies named `names` that look like a session id.
fn cookie_values(headers: &HeaderMap, names: &[&str]) -> Vec<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(k, v)| names.contains(k) && secrets::looks_like_secret(v))
        .map(|(_, v)| v.to_string())
        .take(4)
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    pub reseller: String,
    pub account: String,
    /// The account's auth epoch at sign-in; a different one now means the
    /// password changed since.
    pub epoch: u64,
    pub created_at: i64,
    pub expires_at: i64,
}

fn session_pk(digest: &str) -> String {
    format!("SESSION#{digest}")
}

const SESSION_SK: &str = "SESSION";
const INDEX_PREFIX: &str = "SESSION#";

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Random(#[from] secrets::RandomError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Start a session; returns the id for the cookie and its lifetime in seconds.
pub async fn start(
    store: &dyn Store,
    reseller: &str,
    account: &str,
    epoch: u64,
    ttl_secs: i64,
) -> Result<(String, i64), SessionError> {
    let secret = secrets::new_secret()?;
    let digest = secrets::digest(SESSION_CONTEXT, &secret);
    let created_at = now();
    let record = SessionRecord {
        reseller: reseller.to_string(),
        account: account.to_string(),
        epoch,
        created_at,
        expires_at: created_at + ttl_secs,
    };
    let data = serde_json::to_value(&record).map_err(|e| StoreError::Invalid(e.to_string()))?;
    store
        .transact(vec![
            Write::Put {
                item: Item::new(session_pk(&digest), SESSION_SK, data).expiring(record.expires_at),
                condition: Condition::NotExists,
            },
            // The account's list of its sessions, so that all can be ended
            // without a scan.
            Write::Put {
                item: Item::new(
                    super::records::profile_pk(reseller, account),
                    format!("{INDEX_PREFIX}{digest}"),
                    json!({}),
                )
                .expiring(record.expires_at),
                condition: Condition::None,
            },
        ])
        .await?;
    Ok((secret, ttl_secs))
}

/// The live session with this id on this storefront.
pub async fn find(
    store: &dyn Store,
    secret: &str,
    reseller: &str,
) -> Result<Option<SessionRecord>, StoreError> {
    if !secrets::looks_like_secret(secret) {
        return Ok(None);
    }
    let digest = secrets::digest(SESSION_CONTEXT, secret);
    let Some(item) = store.get(&session_pk(&digest), SESSION_SK).await? else {
        return Ok(None);
    };
    let Ok(record) = serde_json::from_value::<SessionRecord>(item.data) else {
        return Ok(None);
    };
    if record.reseller != reseller || record.expires_at <= now() {
        return Ok(None);
    }
    Ok(Some(record))
}

/// End one session (sign-out).
pub async fn end(
    store: &dyn Store,
    secret: &str,
    record: &SessionRecord,
) -> Result<(), StoreError> {
    let digest = secrets::digest(SESSION_CONTEXT, secret);
    store
        .transact(vec![
            Write::Delete {
                pk: session_pk(&digest),
                sk: SESSION_SK.into(),
                condition: Condition::None,
            },
            Write::Delete {
                pk: super::records::profile_pk(&record.reseller, &record.account),
                sk: format!("{INDEX_PREFIX}{digest}"),
                condition: Condition::None,
            },
        ])
        .await
}

/// Delete every session of an account. The auth epoch has already made
/// them useless; this removes them so they are not left until they expire.
pub async fn end_all(store: &dyn Store, reseller: &str, account: &str) -> Result<(), StoreError> {
    let pk = super::records::profile_pk(reseller, account);
    loop {
        let batch = store
            .query(
                &pk,
                Query {
                    sk_prefix: INDEX_PREFIX,
                    limit: Some(super::super::store::MAX_TRANSACTION_ITEMS / 2),
                    ..Query::default()
                },
            )
            .await?;
        if batch.is_empty() {
            return Ok(());
        }
        let mut writes = Vec::with_capacity(batch.len() * 2);
        for item in &batch {
            let digest = &item.sk[INDEX_PREFIX.len()..];
            writes.push(Write::Delete {
                pk: session_pk(digest),
                sk: SESSION_SK.into(),
                condition: Condition::None,
            });
            writes.push(Write::Delete {
                pk: pk.clone(),
                sk: item.sk.clone(),
                condition: Condition::None,
            });
        }
        store.transact(writes).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_names_and_paths() {
        let s = CookieSpec::new(true, None);
        let v = s.set(&"a".repeat(64), 60);
        assert_eq!(
            v.to_str().expect("ascii"),
            format!(
                "__Host-sf_session={}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure",
                "a".repeat(64)
            )
        );
        let p = CookieSpec::new(true, Some("toko"));
        assert_eq!(
            (p.name, p.path.as_str()),
            ("__Secure-sf_session", "/s/toko/")
        );
        let l = CookieSpec::new(false, None);
        assert_eq!(l.name, "sf_session");
        assert!(!l.clear().to_str().expect("ascii").contains("Secure"));
        assert_eq!(CookieSpec::new(false, Some("a;b")).path, "/");
    }

    #[test]
    fn reading_takes_only_our_well_formed_cookie() {
        let s = CookieSpec::new(true, None);
        let good = "b".repeat(64);
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_str(&format!(
                "x=1; __Host-sf_session={good}; sf_session={good}; __Host-sf_session=short"
            ))
            .expect("header"),
        );
        assert_eq!(s.read(&h), vec![good]);
    }
}
