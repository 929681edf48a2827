//! Counting attempts in the store, so that every instance of a function
//! (every Lambda) sees the same counts.
//!
//! A window opens at the first attempt and holds a count; the item expires
//! when the window ends, and the store treats it as gone from then on. Only a
//! digest of the key (an email, an address) is stored. Counts are raised
//! with a version condition and retried, never lost to a race.

use super::config::Limit;
use super::secrets::{self, RATE_CONTEXT};
use crate::store::{Condition, Item, Store, StoreError, now};
use serde_json::json;
use std::net::IpAddr;

/// What is being counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    SigninEmail,
    SigninIp,
    ForgotEmail,
    ForgotIp,
    ResendAccount,
    SignupIp,
    /// Quotes asked for by visitors who are not signed in.
    QuoteIp,
}

impl Scope {
    fn code(self) -> &'static str {
        match self {
            Scope::SigninEmail => "signin-email",
            Scope::SigninIp => "signin-ip",
            Scope::ForgotEmail => "forgot-email",
            Scope::ForgotIp => "forgot-ip",
            Scope::ResendAccount => "resend-account",
            Scope::SignupIp => "signup-ip",
            Scope::QuoteIp => "quote-ip",
        }
    }
}

fn pk(scope: Scope, reseller: &str, key: &str) -> String {
    format!(
        "RATE#{}#{reseller}#{}",
        scope.code(),
        secrets::digest(RATE_CONTEXT, key)
    )
}

const SK: &str = "WINDOW";

/// The key for a client address. IPv6 clients are counted per /64, the
/// smallest block a home or a server is given: counting single addresses
/// would let one client rotate through billions.
pub fn ip_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn window(item: &Item) -> (u64, i64) {
    (
        item.data["count"].as_u64().unwrap_or(0),
        item.data["started"].as_i64().unwrap_or(0),
    )
}

fn retry_after(started: i64, limit: Limit) -> u64 {
    let end = started + limit.window.as_secs() as i64;
    (end - now()).max(1) as u64
}

/// Seconds until the key may try again, if it has used up its limit.
pub async fn blocked(
    store: &dyn Store,
    scope: Scope,
    reseller: &str,
    key: &str,
    limit: Limit,
) -> Result<Option<u64>, StoreError> {
    let Some(item) = store.get(&pk(scope, reseller, key), SK).await? else {
        return Ok(None);
    };
    let (count, started) = window(&item);
    Ok((count >= u64::from(limit.max)).then(|| retry_after(started, limit)))
}

/// Count one attempt; returns seconds to wait if this attempt went over the
/// limit.
pub async fn hit(
    store: &dyn Store,
    scope: Scope,
    reseller: &str,
    key: &str,
    limit: Limit,
) -> Result<Option<u64>, StoreError> {
    let pk = pk(scope, reseller, key);
    for _ in 0..16 {
        let current = store.get(&pk, SK).await?;
        let (write, condition, count, started) = match &current {
            Some(item) => {
                let (count, started) = window(item);
                let next = item.next(json!({"count": count + 1, "started": started}));
                (next, Condition::Version(item.version), count + 1, started)
            }
            None => {
                let started = now();
                let item = Item::new(pk.clone(), SK, json!({"count": 1, "started": started}))
                    .expiring(started + limit.window.as_secs() as i64);
                (item, Condition::NotExists, 1, started)
            }
        };
        match store.put(write, condition).await {
            Ok(()) => {
                return Ok((count > u64::from(limit.max)).then(|| retry_after(started, limit)));
            }
            Err(StoreError::ConditionFailed { .. } | StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict(format!(
        "rate counter {pk} is contended"
    )))
}
