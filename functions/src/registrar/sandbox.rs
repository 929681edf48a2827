//! A simulated registry for local use and tests.
//!
//! Availability is deterministic: a name is taken if it was registered here
//! (kept in the store, so it survives restarts), if it is very short, or if a
//! hash of the seed and the name says so. A few names are premium, with the
//! registry's own price. Latency and a failure rate can be set to exercise
//! timeouts.
//!
//! It also provisions, as a registry would: register, renew and transfer,
//! dated by an injectable `Clock`. Each registration is held by a *holder*
//! (the registrar account that sponsors it; this sandbox acts as
//! `SandboxConfig::holder`). Names taken by the hash rules exist at the
//! registry but belong to nobody here: they can be transferred in, never
//! registered. Every name's transfer auth code is deterministic:
//! `auth_code(seed, domain)` (also `Sandbox::auth_code`, and kept on each
//! registration) is `SBX-` and twelve hex digits of a hash of the seed and
//! the name, so a demo can show it and a test can quote it, or get it wrong.
//!
//! Each operation's outcome is stored under its id in the same transaction
//! as the change it made, so "applied" and "recorded" cannot disagree, and an
//! id sent again gets the recorded outcome back without anything changing.
//! Faults (`SandboxConfig::faults`) make chosen operations fail before they
//! apply, lose their answer after they apply, or be refused.

use super::{
    Availability, Check, Operation, OperationKind, Outcome, Premium, Registrar, RegistrarError,
};
use crate::clock::{Clock, SystemClock};
use crate::store::{Condition, Item, Store, StoreError, Write};
use async_trait::async_trait;
use chrono::{DateTime, Months, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use storefront_core::Currency;

/// The longest a name may be registered for, counted from today (the usual
/// registry rule, which also bounds renewals and transfers).
pub const MAX_YEARS: u8 = 10;

/// The holder this sandbox acts as unless configured otherwise.
pub const DEFAULT_HOLDER: &str = "storefront";

/// How often a write that lost a race is decided again before giving up.
/// Every lost race means another writer won, so contenders run out fast.
const MAX_ATTEMPTS: usize = 64;

/// Longest operation id kept (an order item id is far shorter; the store's
/// keys are at most 1024 bytes).
const MAX_ID_BYTES: usize = 256;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub seed: u64,
    /// Added to every call: check, provision and lookup.
    pub latency: Duration,
    /// Share of checks that fail, 0.0 to 1.0.
    pub failure_rate: f64,
    /// Share of unregistered names that are nevertheless taken, 0 to 100.
    pub taken_percent: u8,
    /// Share of available names that are premium, 0 to 100.
    pub premium_percent: u8,
    /// Premium price per year by extension.
    pub premium_prices: BTreeMap<String, (Currency, Decimal)>,
    /// Whose registrations this sandbox makes (and may renew). Two sandboxes
    /// on one store with different holders are two registrars at one
    /// registry, between which names can be transferred.
    pub holder: String,
    /// Injected into `provision` and `lookup`; the first that matches a call
    /// and has not run out fires. Checks only obey `failure_rate`.
    pub faults: Vec<Fault>,
    /// Days after a registration during which a delete is credited (RFC
    /// 3915's add grace period; 5 at most registries).
    pub add_grace_days: u16,
}

/// A misbehaviour of the registry, for tests of what callers do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub on: FaultTarget,
    pub kind: FaultKind,
    /// How many calls it hits before the registry behaves again; `None`:
    /// every matching call.
    pub times: Option<u32>,
}

impl Fault {
    /// A fault on every matching call.
    pub fn always(on: FaultTarget, kind: FaultKind) -> Fault {
        Fault {
            on,
            kind,
            times: None,
        }
    }

    /// A fault on the first matching call only (the retry goes through).
    pub fn once(on: FaultTarget, kind: FaultKind) -> Fault {
        Fault {
            on,
            kind,
            times: Some(1),
        }
    }
}

/// Which calls a fault hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultTarget {
    Any,
    /// Operations on any of these (ASCII) domains.
    Domains(Vec<String>),
    /// The operation with this id.
    Operation(String),
    /// The nth call, counting from 0, of the method the fault is for: the
    /// nth `provision` for a provision fault, the nth `lookup` for
    /// `LookupFails`. Every call counts, replays included.
    Call(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// `provision` answers `Upstream` and applies nothing.
    FailBeforeApply,
    /// `provision` answers `Timeout` and applies nothing (the request was
    /// lost on its way).
    TimeoutBeforeApply,
    /// `provision` applies the operation, records it, then answers `Timeout`
    /// (the response was lost on its way back).
    TimeoutAfterApply,
    /// `provision` refuses with this reason, recorded like any refusal (an
    /// id already recorded still gets what was recorded for it).
    Refuse(String),
    /// `lookup` answers `Upstream`.
    LookupFails,
}

impl FaultKind {
    fn for_lookup(&self) -> bool {
        matches!(self, FaultKind::LookupFails)
    }
}

impl FaultTarget {
    fn matches(&self, call: u64, op: &Operation) -> bool {
        match self {
            FaultTarget::Any => true,
            FaultTarget::Domains(domains) => domains.contains(&op.domain),
            FaultTarget::Operation(id) => *id == op.id,
            FaultTarget::Call(n) => *n == call,
        }
    }
}

impl Default for SandboxConfig {
    fn default() -> Self {
        let mut premium_prices = BTreeMap::new();
        for (ext, cur, price) in [
            ("id", Currency::IDR, 5_000_000),
            ("co.id", Currency::IDR, 7_500_000),
            ("web.id", Currency::IDR, 1_000_000),
            ("my.id", Currency::IDR, 500_000),
            ("biz.id", Currency::IDR, 1_000_000),
            ("pl", Currency::PLN, 2_000),
            ("com.pl", Currency::PLN, 1_500),
            ("com", Currency::USD, 1_200),
            ("net", Currency::USD, 900),
            ("org", Currency::USD, 900),
            ("io", Currency::USD, 2_500),
            ("eu", Currency::USD, 600),
        ] {
            premium_prices.insert(ext.to_string(), (cur, Decimal::from(price)));
        }
        SandboxConfig {
            seed: 2026,
            latency: Duration::ZERO,
            failure_rate: 0.0,
            taken_percent: 25,
            premium_percent: 4,
            premium_prices,
            holder: DEFAULT_HOLDER.to_string(),
            faults: Vec::new(),
            add_grace_days: 5,
        }
    }
}

/// A name as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// ASCII (punycode) domain.
    pub domain: String,
    pub expires: NaiveDate,
    /// The registrar account that sponsors it (`SandboxConfig::holder`).
    pub holder: String,
    /// What a transfer away must quote.
    pub auth_code: String,
    /// When the registry first registered it.
    pub created: DateTime<Utc>,
}

/// Registrations written before provisioning (by `register` for the demo
/// seed) carried only the period: they read as this sandbox's, expiring
/// `years` after they were made.
#[derive(Deserialize)]
struct LegacyRegistration {
    domain: String,
    years: u8,
    created: DateTime<Utc>,
}

/// What the store keeps per operation id.
#[derive(Serialize, Deserialize)]
struct Recorded {
    operation: Operation,
    outcome: Outcome,
    at: DateTime<Utc>,
}

/// The transfer auth code of a name at a sandbox with this seed: the same
/// every time, so a demo can show it and a test can quote it.
pub fn auth_code(seed: u64, domain: &str) -> String {
    let h = blake3::hash(format!("{seed}:auth:{domain}").as_bytes());
    let hex: String = h.as_bytes()[..6]
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    format!("SBX-{}-{}", &hex[..6], &hex[6..])
}

/// `date` plus whole years; the 29th of February becomes the 28th in a
/// year without one, as registries count.
fn add_years(date: NaiveDate, years: u8) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(12 * u32::from(years)))
}

#[derive(Debug)]
pub struct Sandbox {
    config: SandboxConfig,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    calls: AtomicU64,
    provisions: AtomicU64,
    lookups: AtomicU64,
    /// How often each of `config.faults` has fired, by position. Behind a
    /// lock so that a fault limited to n calls hits exactly n, however many
    /// calls race.
    fired: Mutex<Vec<u32>>,
}

fn registry_pk(domain: &str) -> String {
    format!("SANDBOX#{domain}")
}

const REGISTRATION: &str = "REGISTRATION";

/// Operations are kept by id alone, not under their domain, so that an id
/// sent again with another domain is caught too.
fn operation_pk(id: &str) -> String {
    format!("SANDBOX-OP#{id}")
}

const OPERATION: &str = "OPERATION";

/// What the registry credited its registrars for names deleted within the
/// add grace period, by holder (one item per deletion).
fn credit_pk(holder: &str) -> String {
    format!("SANDBOX-CREDIT#{holder}")
}

/// A registration credited back: what a delete within the add grace
/// period earns the registrar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    pub domain: String,
    /// The years registered, now credited.
    pub years: u8,
    /// The delete operation's id.
    pub operation: String,
    pub at: DateTime<Utc>,
}

/// Where an operation leaves a name at the registry.
enum Next {
    Holds(Registration),
    /// Deleted within the add grace period: credited `years`.
    Deleted {
        years: u8,
    },
}

fn store_error(e: StoreError) -> RegistrarError {
    RegistrarError::Upstream(e.to_string())
}

fn refused(reason: impl Into<String>) -> Outcome {
    Outcome::Refused {
        reason: reason.into(),
    }
}

/// Why a name cannot be an ASCII domain the registry holds, if it cannot.
fn malformed(domain: &str) -> Option<String> {
    let ok = !domain.is_empty()
        && domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    (!ok).then(|| {
        format!(
            "\"{}\" is not a domain name in lower-case ASCII (punycode) form",
            domain.escape_debug()
        )
    })
}

impl Sandbox {
    /// A sandbox on the machine's clock.
    pub fn new(config: SandboxConfig, store: Arc<dyn Store>) -> Sandbox {
        let fired = Mutex::new(vec![0; config.faults.len()]);
        Sandbox {
            config,
            store,
            clock: Arc::new(SystemClock),
            calls: AtomicU64::new(0),
            provisions: AtomicU64::new(0),
            lookups: AtomicU64::new(0),
            fired,
        }
    }

    /// The same sandbox dating registrations by another clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Sandbox {
        self.clock = clock;
        self
    }

    /// The transfer auth code of a name here (see the free `auth_code`).
    pub fn auth_code(&self, domain: &str) -> String {
        auth_code(self.config.seed, domain)
    }

    /// Taken by the deterministic rules alone: names that exist at the
    /// registry without any registration of ours.
    fn taken_by_rules(&self, domain: &str) -> bool {
        let label = domain.split('.').next().unwrap_or_default();
        label.len() <= 3 || self.roll(domain, "taken") < self.config.taken_percent
    }

    fn roll(&self, domain: &str, salt: &str) -> u8 {
        let h = blake3::hash(format!("{}:{salt}:{domain}", self.config.seed).as_bytes());
        h.as_bytes()[0] % 100
    }

    /// Record a registration by this sandbox's holder, for `years` from
    /// today, without an operation (the demo seed). It ignores the hash rules
    /// and the limits `provision` applies. False if the name was already
    /// registered.
    pub async fn register(&self, domain: &str, years: u8) -> Result<bool, RegistrarError> {
        let today = self.clock.today();
        let registration = Registration {
            domain: domain.to_string(),
            expires: add_years(today, years).unwrap_or(today),
            holder: self.config.holder.clone(),
            auth_code: self.auth_code(domain),
            created: self.clock.now(),
        };
        let item = Item::new(registry_pk(domain), REGISTRATION, json!(registration));
        match self.store.put(item, Condition::NotExists).await {
            Ok(()) => Ok(true),
            Err(StoreError::ConditionFailed { .. }) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    /// The registration of a name, whoever holds it; `None` if nobody has
    /// registered it here (it may still be taken by the hash rules).
    /// What the registry credited this sandbox's holder for deletions.
    pub async fn credits(&self) -> Result<Vec<Credit>, RegistrarError> {
        let items = self
            .store
            .query(&credit_pk(&self.config.holder), Default::default())
            .await
            .map_err(store_error)?;
        items
            .into_iter()
            .map(|i| {
                serde_json::from_value(i.data)
                    .map_err(|e| RegistrarError::Upstream(format!("unreadable credit: {e}")))
            })
            .collect()
    }

    pub async fn registration(&self, domain: &str) -> Result<Option<Registration>, RegistrarError> {
        let item = self
            .store
            .get(&registry_pk(domain), REGISTRATION)
            .await
            .map_err(store_error)?;
        item.map(|i| self.read_registration(&i)).transpose()
    }

    fn read_registration(&self, item: &Item) -> Result<Registration, RegistrarError> {
        if let Ok(r) = serde_json::from_value::<Registration>(item.data.clone()) {
            return Ok(r);
        }
        let legacy: LegacyRegistration = serde_json::from_value(item.data.clone())
            .map_err(|e| RegistrarError::Upstream(format!("unreadable registration: {e}")))?;
        let made = legacy.created.date_naive();
        Ok(Registration {
            auth_code: self.auth_code(&legacy.domain),
            domain: legacy.domain,
            expires: add_years(made, legacy.years).unwrap_or(made),
            holder: self.config.holder.clone(),
            created: legacy.created,
        })
    }

    async fn pause(&self) {
        if !self.config.latency.is_zero() {
            tokio::time::sleep(self.config.latency).await;
        }
    }

    /// The fault this call suffers, if any, counting it against its limit.
    fn fault(&self, lookup: bool, call: u64, op: &Operation) -> Option<FaultKind> {
        let mut fired = self.fired.lock().unwrap_or_else(|p| p.into_inner());
        for (i, f) in self.config.faults.iter().enumerate() {
            if f.kind.for_lookup() != lookup
                || !f.on.matches(call, op)
                || f.times.is_some_and(|t| fired[i] >= t)
            {
                continue;
            }
            fired[i] += 1;
            return Some(f.kind.clone());
        }
        None
    }

    /// What the registry recorded under the operation's id. The same id
    /// with a different operation is refused, in `provision` and `lookup`
    /// alike, so that a caller never takes one operation's outcome for
    /// another's.
    async fn recorded(&self, op: &Operation) -> Result<Option<Outcome>, RegistrarError> {
        let Some(item) = self
            .store
            .get(&operation_pk(&op.id), OPERATION)
            .await
            .map_err(store_error)?
        else {
            return Ok(None);
        };
        let recorded: Recorded = serde_json::from_value(item.data)
            .map_err(|e| RegistrarError::Upstream(format!("unreadable operation record: {e}")))?;
        if recorded.operation == *op {
            return Ok(Some(recorded.outcome));
        }
        Ok(Some(refused(format!(
            "operation id \"{}\" was already used for another operation ({} {}); a new operation needs a new id",
            op.id.escape_debug(),
            recorded.operation.kind.name(),
            recorded.operation.domain,
        ))))
    }

    /// Apply an operation and record its outcome in one transaction, or
    /// return the outcome already recorded under its id. `forced` is an
    /// injected refusal.
    async fn apply(
        &self,
        op: &Operation,
        forced: Option<String>,
    ) -> Result<Outcome, RegistrarError> {
        for _ in 0..MAX_ATTEMPTS {
            if let Some(outcome) = self.recorded(op).await? {
                return Ok(outcome);
            }
            let now = self.clock.now();
            let record = |outcome: &Outcome| Write::Put {
                item: Item::new(
                    operation_pk(&op.id),
                    OPERATION,
                    json!(Recorded {
                        operation: op.clone(),
                        outcome: outcome.clone(),
                        at: now,
                    }),
                ),
                condition: Condition::NotExists,
            };
            // Refusals that do not depend on the name's state are recorded
            // alone (a malformed name may not even make a valid key).
            let invalid = forced
                .clone()
                .or_else(|| malformed(&op.domain))
                .or_else(|| {
                    (!(1..=MAX_YEARS).contains(&op.years)).then(|| {
                        format!(
                            "a name is registered for 1 to {MAX_YEARS} years, not {}",
                            op.years
                        )
                    })
                });
            let (outcome, writes) = if let Some(reason) = invalid {
                let outcome = refused(reason);
                let writes = vec![record(&outcome)];
                (outcome, writes)
            } else {
                let current = self
                    .store
                    .get(&registry_pk(&op.domain), REGISTRATION)
                    .await
                    .map_err(store_error)?;
                let registration = current
                    .as_ref()
                    .map(|i| self.read_registration(i))
                    .transpose()?;
                // The decision holds only if the name is still as read:
                // either way the transaction checks it, so two operations
                // on one name are decided one after the other.
                let guard = match &current {
                    Some(item) => Condition::Version(item.version),
                    None => Condition::NotExists,
                };
                match self.decide(op, registration, now) {
                    Ok(Next::Holds(next)) => {
                        let outcome = Outcome::Done {
                            expires: next.expires,
                        };
                        let item = match &current {
                            Some(item) => item.next(json!(next)),
                            None => Item::new(registry_pk(&op.domain), REGISTRATION, json!(next)),
                        };
                        let writes = vec![
                            record(&outcome),
                            Write::Put {
                                item,
                                condition: guard,
                            },
                        ];
                        (outcome, writes)
                    }
                    Ok(Next::Deleted { years }) => {
                        let outcome = Outcome::Deleted;
                        let credit = Credit {
                            domain: op.domain.clone(),
                            years,
                            operation: op.id.clone(),
                            at: now,
                        };
                        let writes = vec![
                            record(&outcome),
                            Write::Delete {
                                pk: registry_pk(&op.domain),
                                sk: REGISTRATION.to_string(),
                                condition: guard,
                            },
                            Write::Put {
                                item: Item::new(
                                    credit_pk(&self.config.holder),
                                    format!("{}#{}", op.domain, op.id),
                                    json!(credit),
                                ),
                                condition: Condition::NotExists,
                            },
                        ];
                        (outcome, writes)
                    }
                    Err(reason) => {
                        let outcome = refused(reason);
                        let writes = vec![
                            record(&outcome),
                            Write::Check {
                                pk: registry_pk(&op.domain),
                                sk: REGISTRATION.to_string(),
                                condition: guard,
                            },
                        ];
                        (outcome, writes)
                    }
                }
            };
            match self.store.transact(writes).await {
                Ok(()) => return Ok(outcome),
                // Another operation changed the name, or this id was recorded
                // meanwhile: read both again and decide afresh.
                Err(StoreError::TransactionCancelled { .. } | StoreError::Conflict(_)) => continue,
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(RegistrarError::Upstream(format!(
            "too many operations on {} at once; try again",
            op.domain
        )))
    }

    /// The registration an operation leads to, or why the registry refuses
    /// it. `current` is the name's registration here, if any.
    fn decide(
        &self,
        op: &Operation,
        current: Option<Registration>,
        now: DateTime<Utc>,
    ) -> Result<Next, String> {
        let domain = &op.domain;
        let today = now.date_naive();
        let limit = add_years(today, MAX_YEARS).ok_or("the date is out of range")?;
        let ours = current
            .as_ref()
            .is_some_and(|r| r.holder == self.config.holder);
        let within = |expires: NaiveDate| {
            if expires > limit {
                Err(format!(
                    "{domain} would then expire on {expires}, more than {MAX_YEARS} years from today (the latest is {limit})"
                ))
            } else {
                Ok(expires)
            }
        };
        match &op.kind {
            OperationKind::Register => {
                if current.is_some() || self.taken_by_rules(domain) {
                    return Err(format!("{domain} is already registered"));
                }
                let expires = add_years(today, op.years).ok_or("the date is out of range")?;
                Ok(Next::Holds(Registration {
                    domain: domain.clone(),
                    expires: within(expires)?,
                    holder: self.config.holder.clone(),
                    auth_code: self.auth_code(domain),
                    created: now,
                }))
            }
            OperationKind::Renew { current_expiry } => {
                let elsewhere = current.is_some() || self.taken_by_rules(domain);
                let Some(current) = current.filter(|_| ours) else {
                    return Err(if elsewhere {
                        format!(
                            "{domain} is registered with another registrar: transfer it here first"
                        )
                    } else {
                        format!("{domain} is not registered, so it cannot be renewed")
                    });
                };
                if *current_expiry != current.expires {
                    return Err(format!(
                        "{domain} expires on {}, not {current_expiry}: it was renewed already, or the expiry on file is out of date",
                        current.expires
                    ));
                }
                let expires =
                    add_years(current.expires, op.years).ok_or("the date is out of range")?;
                Ok(Next::Holds(Registration {
                    expires: within(expires)?,
                    ..current
                }))
            }
            OperationKind::Transfer { auth_code } => {
                if ours {
                    return Err(format!(
                        "{domain} is already registered with this registrar"
                    ));
                }
                if current.is_none() && !self.taken_by_rules(domain) {
                    return Err(format!(
                        "{domain} is not registered, so there is nothing to transfer: register it instead"
                    ));
                }
                if op.years != 1 {
                    return Err(format!(
                        "a transfer extends a registration by exactly 1 year, not {}",
                        op.years
                    ));
                }
                // Compared as hashes, so the time taken says nothing about
                // how much of the code was right (blake3's equality is
                // constant-time).
                if blake3::hash(auth_code.trim().as_bytes())
                    != blake3::hash(self.auth_code(domain).as_bytes())
                {
                    return Err(format!("the auth code for {domain} is wrong"));
                }
                // A lapsed name moves with a year from today, not a year
                // from a date already past.
                let from = current.as_ref().map_or(today, |r| r.expires.max(today));
                let expires = add_years(from, 1).ok_or("the date is out of range")?;
                Ok(Next::Holds(Registration {
                    domain: domain.clone(),
                    expires: within(expires)?,
                    holder: self.config.holder.clone(),
                    auth_code: self.auth_code(domain),
                    created: current.map_or(now, |r| r.created),
                }))
            }
            OperationKind::Delete => {
                let Some(current) = current.filter(|_| ours) else {
                    return Err(format!("{domain} is not registered with this registrar"));
                };
                let grace = i64::from(self.config.add_grace_days);
                let until = current.created + chrono::Duration::days(grace);
                if now > until {
                    return Err(format!(
                        "{domain} was registered on {}; a deletion is credited only within {grace} days of registration (until {}), so the registry no longer deletes it for a refund",
                        current.created.date_naive(),
                        until.date_naive()
                    ));
                }
                Ok(Next::Deleted { years: op.years })
            }
        }
    }
}

#[async_trait]
impl Registrar for Sandbox {
    fn upstream(&self, _domain: &str) -> String {
        "sandbox".into()
    }

    async fn check(&self, domain: &str) -> Result<Check, RegistrarError> {
        self.pause().await;
        let n = self.calls.fetch_add(1, Ordering::Relaxed);
        if self.config.failure_rate > 0.0 {
            let r = blake3::hash(format!("{}:fail:{n}:{domain}", self.config.seed).as_bytes())
                .as_bytes()[0];
            if f64::from(r) / 256.0 < self.config.failure_rate {
                return Err(RegistrarError::Upstream(
                    "simulated registry failure".into(),
                ));
            }
        }
        let registered = self
            .store
            .get(&registry_pk(domain), REGISTRATION)
            .await
            .map_err(store_error)?
            .is_some();
        let taken = registered || self.taken_by_rules(domain);
        let ext = domain.split_once('.').map(|(_, e)| e).unwrap_or_default();
        let premium = (!taken && self.roll(domain, "premium") < self.config.premium_percent)
            .then(|| self.config.premium_prices.get(ext))
            .flatten()
            .map(|(currency, price)| Premium {
                currency: *currency,
                register: *price,
                renew: *price,
            });
        Ok(Check {
            domain: domain.to_string(),
            availability: if taken {
                Availability::Taken
            } else {
                Availability::Available
            },
            premium,
        })
    }

    async fn provision(&self, op: &Operation) -> Result<Outcome, RegistrarError> {
        self.pause().await;
        let call = self.provisions.fetch_add(1, Ordering::Relaxed);
        let fault = self.fault(false, call, op);
        match &fault {
            Some(FaultKind::FailBeforeApply) => {
                return Err(RegistrarError::Upstream(
                    "simulated registry failure (nothing was applied)".into(),
                ));
            }
            Some(FaultKind::TimeoutBeforeApply) => return Err(RegistrarError::Timeout),
            _ => {}
        }
        if op.id.is_empty() || op.id.len() > MAX_ID_BYTES {
            // Nothing can be recorded without a usable id; the same request
            // is refused the same way every time, so nothing is lost.
            return Ok(refused(format!(
                "an operation needs an id of 1 to {MAX_ID_BYTES} bytes"
            )));
        }
        let forced = match &fault {
            Some(FaultKind::Refuse(reason)) => Some(reason.clone()),
            _ => None,
        };
        let outcome = self.apply(op, forced).await?;
        if fault == Some(FaultKind::TimeoutAfterApply) {
            return Err(RegistrarError::Timeout);
        }
        Ok(outcome)
    }

    async fn lookup(&self, op: &Operation) -> Result<Option<Outcome>, RegistrarError> {
        self.pause().await;
        let call = self.lookups.fetch_add(1, Ordering::Relaxed);
        if let Some(FaultKind::LookupFails) = self.fault(true, call, op) {
            return Err(RegistrarError::Upstream(
                "simulated registry failure (lookup)".into(),
            ));
        }
        if op.id.is_empty() || op.id.len() > MAX_ID_BYTES {
            return Ok(None);
        }
        self.recorded(op).await
    }
}
