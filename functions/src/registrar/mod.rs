//! Registrars: where availability (and, with orders, registrations) come
//! from. `sandbox` simulates a registry for local use and tests; `rdap` asks
//! the real registries over RDAP (RFC 9224 bootstrap, RFC 9083 responses).

pub mod rdap;
pub mod sandbox;

use async_trait::async_trait;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use storefront_core::Currency;

/// What a registry says about a name. Anything short of a clear answer is
/// `Unknown`: a name is never reported available on a guess.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Availability {
    Available,
    Taken,
    Unknown { reason: String },
}

/// A registry's own price for a premium name, per year, net of tax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Premium {
    pub currency: Currency,
    pub register: Decimal,
    pub renew: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// ASCII (punycode) domain.
    pub domain: String,
    pub availability: Availability,
    pub premium: Option<Premium>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrarError {
    #[error("the registry did not answer in time")]
    Timeout,
    #[error("the registry failed: {0}")]
    Upstream(String),
    #[error("no registry is known for .{0}")]
    Unsupported(String),
}

#[async_trait]
pub trait Registrar: Send + Sync + std::fmt::Debug {
    /// Which upstream answers for a domain: checks against one upstream share
    /// its rate limit.
    fn upstream(&self, domain: &str) -> String;
    async fn check(&self, domain: &str) -> Result<Check, RegistrarError>;
}

/// The extension of an ASCII domain, given the ones a shop sells (longest
/// first wins, so `example.co.id` is `.co.id`, not `.id`).
pub fn extension_of<'a>(domain: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .filter(|e| domain.ends_with(&format!(".{e}")))
        .max_by_key(|e| e.len())
}
