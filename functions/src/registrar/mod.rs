//! Registrars: where availability and registrations come from. `sandbox`
//! simulates a registry for local use and tests, and can also register, renew
//! and transfer names; `rdap` asks the real registries over RDAP (RFC 9224
//! bootstrap, RFC 9083 responses) and only checks.
//!
//! Provisioning is built so that nothing happens twice. Every operation
//! carries an id of the caller's (the order item's), which the registry keeps
//! with what it did, as EPP keeps a client transaction id. A caller that gets
//! no clear answer (a timeout, a failure) does not send again: it asks
//! `lookup` what became of the operation and sends again only if the registry
//! never received it. A renewal names the expiry it extends from, so even a
//! renewal sent twice under different ids cannot add years twice.

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

/// A change asked of the registry. `id` is ours and the same for every
/// attempt at one operation (the order's item id); the registry keeps it
/// (like EPP's clTRID) so `lookup` can find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    /// ASCII (punycode) domain.
    pub domain: String,
    pub years: u8,
    pub kind: OperationKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum OperationKind {
    Register,
    /// The expiry the caller believes the name has (EPP renew's curExpDate),
    /// so a renew cannot apply twice.
    Renew {
        current_expiry: chrono::NaiveDate,
    },
    Transfer {
        auth_code: String,
    },
    /// Delete the name (EPP delete). Within the add grace period after
    /// its registration (RFC 3915) the registry credits the registration
    /// back; after it, this registry refuses.
    Delete,
}

impl OperationKind {
    /// The verb, for messages (never the auth code).
    pub fn name(&self) -> &'static str {
        match self {
            OperationKind::Register => "register",
            OperationKind::Renew { .. } => "renew",
            OperationKind::Transfer { .. } => "transfer",
            OperationKind::Delete => "delete",
        }
    }
}

/// What the registry did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// Done: the name is ours until `expires`.
    Done { expires: chrono::NaiveDate },
    /// Deleted, and the registration's price credited back.
    Deleted,
    /// The registry refused, with a reason a person understands (taken,
    /// wrong auth code, not renewable yet...).
    Refused { reason: String },
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

    /// Send an operation. `Err(Timeout | Upstream)` means the outcome is
    /// unknown: the caller must `lookup` before sending again.
    async fn provision(&self, op: &Operation) -> Result<Outcome, RegistrarError> {
        Err(RegistrarError::Unsupported(
            extension(&op.domain).to_string(),
        ))
    }

    /// What became of an operation sent earlier: `Some(outcome)` if the
    /// registry has it, `None` if it never arrived (safe to send again).
    async fn lookup(&self, op: &Operation) -> Result<Option<Outcome>, RegistrarError> {
        Err(RegistrarError::Unsupported(
            extension(&op.domain).to_string(),
        ))
    }
}

/// Everything after the first label (`co.id` for `example.co.id`): what an
/// adapter that cannot provision names in its refusal.
fn extension(domain: &str) -> &str {
    domain.split_once('.').map_or(domain, |(_, e)| e)
}

/// The extension of an ASCII domain, given the ones a shop sells (longest
/// first wins, so `example.co.id` is `.co.id`, not `.id`).
pub fn extension_of<'a>(domain: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .filter(|e| domain.ends_with(&format!(".{e}")))
        .max_by_key(|e| e.len())
}
