//! What an operator can tune about accounts. The defaults are the production
//! ones; `fast_for_tests` only lowers the password hashing cost.

use axum::http::HeaderName;
use std::time::Duration;

/// At most `max` events per `window`, per key. The window starts at the
/// first event and the count is dropped when it ends (see `ratelimit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn per_minutes(max: u32, minutes: u64) -> Limit {
        Limit {
            max,
            window: Duration::from_secs(minutes * 60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Failed sign-ins per (storefront, email): guessing one account's password.
    pub signin_per_email: Limit,
    /// Failed sign-ins per (storefront, client address): spraying many accounts.
    pub signin_per_ip: Limit,
    /// Reset requests per (storefront, email), counted whether or not the
    /// account exists: nobody's inbox gets flooded.
    pub forgot_per_email: Limit,
    pub forgot_per_ip: Limit,
    /// New verification mails per account.
    pub resend_per_account: Limit,
    /// Sign-ups per (storefront, client address).
    pub signup_per_ip: Limit,
    /// Cart quotes per (storefront, client address) for visitors who are not
    /// signed in: each asks the registry, so a script cannot use the shop as
    /// a free availability oracle.
    pub quote_per_ip: Limit,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            signin_per_email: Limit::per_minutes(5, 15),
            signin_per_ip: Limit::per_minutes(50, 15),
            forgot_per_email: Limit::per_minutes(5, 15),
            forgot_per_ip: Limit::per_minutes(50, 15),
            resend_per_account: Limit::per_minutes(5, 15),
            signup_per_ip: Limit::per_minutes(30, 60),
            quote_per_ip: Limit::per_minutes(120, 10),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AccountsConfig {
    /// Argon2id memory in KiB, iterations and lanes. The default is OWASP's
    /// first recommended set (19 MiB, 2, 1): about 20-40 ms of one core.
    pub argon2_m_kib: u32,
    pub argon2_t: u32,
    pub argon2_p: u32,
    /// Hashes computed at once; each holds `argon2_m_kib` of memory, so this
    /// bounds what a burst of sign-ins can take from a small instance.
    pub max_concurrent_hashes: usize,
    /// `false` only for the local server over plain http: the cookie loses
    /// `Secure` and its `__Host-` name, and mailed links use http.
    pub secure_cookies: bool,
    /// Sessions end this long after sign-in (fixed, not sliding), or earlier
    /// at sign-out or a password reset.
    pub session_ttl: Duration,
    pub verify_ttl: Duration,
    pub reset_ttl: Duration,
    pub limits: RateLimits,
    /// A header set by a proxy we trust to name the client (e.g.
    /// `x-forwarded-for`), read only when the connection's own address is not
    /// known. The last address in it counts: the one our proxy appended.
    pub client_ip_header: Option<HeaderName>,
    /// The address mail comes from; the storefront's name is the display name.
    pub mail_from: String,
}

impl Default for AccountsConfig {
    fn default() -> Self {
        AccountsConfig {
            argon2_m_kib: 19 * 1024,
            argon2_t: 2,
            argon2_p: 1,
            max_concurrent_hashes: 4,
            secure_cookies: true,
            session_ttl: Duration::from_secs(30 * 24 * 3600),
            verify_ttl: Duration::from_secs(24 * 3600),
            reset_ttl: Duration::from_secs(3600),
            limits: RateLimits::default(),
            client_ip_header: None,
            mail_from: "no-reply@storefront.localhost".into(),
        }
    }
}

impl AccountsConfig {
    /// Production settings with the cheapest argon2id there is, so tests that
    /// sign up hundreds of accounts stay fast. Never for real passwords.
    pub fn fast_for_tests() -> AccountsConfig {
        AccountsConfig {
            argon2_m_kib: 8,
            argon2_t: 1,
            argon2_p: 1,
            ..AccountsConfig::default()
        }
    }
}
