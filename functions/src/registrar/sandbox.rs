//! A simulated registry for local use and tests.
//!
//! Availability is deterministic: a name is taken if it was registered here
//! (kept in the store, so it survives restarts and later issues can register,
//! renew and delete against it), if it is very short, or if a hash of the seed
//! and the name says so. A few names are premium, with the registry's own
//! price. Latency and a failure rate can be set to exercise timeouts.

use super::{Availability, Check, Premium, Registrar, RegistrarError};
use crate::store::{Condition, Item, Store};
use async_trait::async_trait;
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use storefront_core::Currency;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub seed: u64,
    /// Added to every check.
    pub latency: Duration,
    /// Share of checks that fail, 0.0 to 1.0.
    pub failure_rate: f64,
    /// Share of unregistered names that are nevertheless taken, 0 to 100.
    pub taken_percent: u8,
    /// Share of available names that are premium, 0 to 100.
    pub premium_percent: u8,
    /// Premium price per year by extension.
    pub premium_prices: BTreeMap<String, (Currency, Decimal)>,
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
        }
    }
}

#[derive(Debug)]
pub struct Sandbox {
    config: SandboxConfig,
    store: Arc<dyn Store>,
    calls: AtomicU64,
}

fn registry_pk(domain: &str) -> String {
    format!("SANDBOX#{domain}")
}

impl Sandbox {
    pub fn new(config: SandboxConfig, store: Arc<dyn Store>) -> Sandbox {
        Sandbox {
            config,
            store,
            calls: AtomicU64::new(0),
        }
    }

    fn roll(&self, domain: &str, salt: &str) -> u8 {
        let h = blake3::hash(format!("{}:{salt}:{domain}", self.config.seed).as_bytes());
        h.as_bytes()[0] % 100
    }

    /// Record a registration, as the registry would (used by seeding now and
    /// by provisioning later). False if the name was already registered.
    pub async fn register(&self, domain: &str, years: u8) -> Result<bool, RegistrarError> {
        let item = Item::new(
            registry_pk(domain),
            "REGISTRATION",
            json!({"domain": domain, "years": years, "created": chrono::Utc::now().to_rfc3339()}),
        );
        match self.store.put(item, Condition::NotExists).await {
            Ok(()) => Ok(true),
            Err(crate::store::StoreError::ConditionFailed { .. }) => Ok(false),
            Err(e) => Err(RegistrarError::Upstream(e.to_string())),
        }
    }
}

#[async_trait]
impl Registrar for Sandbox {
    fn upstream(&self, _domain: &str) -> String {
        "sandbox".into()
    }

    async fn check(&self, domain: &str) -> Result<Check, RegistrarError> {
        if !self.config.latency.is_zero() {
            tokio::time::sleep(self.config.latency).await;
        }
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
            .get(&registry_pk(domain), "REGISTRATION")
            .await
            .map_err(|e| RegistrarError::Upstream(e.to_string()))?
            .is_some();
        let label = domain.split('.').next().unwrap_or_default();
        let taken = registered
            || label.len() <= 3
            || self.roll(domain, "taken") < self.config.taken_percent;
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
}
