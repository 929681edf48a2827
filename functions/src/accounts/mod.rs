//! Accounts: the customers of each storefront, and the reseller's own users
//! (its owner and admins), who sign in on the same storefront host. Routes
//! are under `/api/accounts/` (see `routes`); JSON in and out.
//!
//! An account belongs to one storefront: the same email at two resellers is
//! two accounts, with two passwords, and a session made on one storefront is
//! no session on another.
//!
//! Access patterns (single table; see the store contract):
//!
//! | item | pk | sk | data |
//! |---|---|---|---|
//! | an account | `RESELLER#<r>#ACCOUNT#<id>` | `PROFILE` | `records::Profile` |
//! | its postal address | `RESELLER#<r>#ACCOUNT#<id>` | `ADDRESS` | `{lines}` (see `address`) |
//! | a session of it (to end them all) | `RESELLER#<r>#ACCOUNT#<id>` | `SESSION#<digest>` | `{}`, expiring with the session |
//! | an email taken on a storefront | `RESELLER#<r>#EMAIL#<email key>` | `ACCOUNT` | `{account}` |
//! | a staff member of a storefront | `RESELLER#<r>#STAFF` | `ACCOUNT#<id>` | `{}` (see `staff`) |
//! | a customer of a storefront, by name, by email, subscribed | `RESELLER#<r>#CUSTOMERS` | `NAME#<folded name>#<id>`, `EMAIL#<email key>#<id>`, `NEWS#<folded name>#<id>` | `{}` (see `customers`) |
//! | a session | `SESSION#<digest of id>` | `SESSION` | `sessions::SessionRecord`, expiring |
//! | a one-time link | `TOKEN#<digest of token>` | `VERIFY` or `RESET` | `tokens::TokenRecord`, expiring |
//! | an attempt counter | `RATE#<scope>#<r>#<digest of key>` | `WINDOW` | `{count, started}`, expiring |
//!
//! A new account writes its email item and profile in one transaction, each
//! on condition it is absent: the email item makes the address unique per
//! storefront without a scan. Secrets (session ids, tokens) are stored only
//! as digests; emails and addresses in counters too.

pub mod address;
pub mod config;
pub mod customers;
pub mod error;
pub mod fields;
pub mod guard;
pub mod mail;
pub mod messages;
pub mod passwords;
pub mod ratelimit;
pub mod records;
pub mod roles;
pub(crate) mod routes;
pub mod secrets;
pub mod sessions;
pub mod staff;
pub mod tokens;

pub use config::{AccountsConfig, Limit, RateLimits};
pub use mail::{Mail, MailError, Mailer, Outbox, Smtp, SmtpConfig, SmtpSecurity};
pub use records::{AccountId, Company, Kind, ProfileView, Role};

use crate::catalog::Catalogs;
use crate::store::{Store, StoreError};
use axum::Router;
use axum::extract::FromRef;
use fields::FieldError;
use passwords::{HashError, Hasher};
use records::{CreateError, Profile};
use std::sync::Arc;
use storefront_core::Locale;

#[derive(Debug, Clone)]
pub struct AccountsState {
    pub store: Arc<dyn Store>,
    pub catalogs: Arc<Catalogs>,
    pub mailer: Arc<dyn Mailer>,
    pub config: Arc<AccountsConfig>,
    hasher: Hasher,
}

impl AccountsState {
    pub fn new(
        store: Arc<dyn Store>,
        catalogs: Arc<Catalogs>,
        mailer: Arc<dyn Mailer>,
        config: AccountsConfig,
    ) -> AccountsState {
        AccountsState {
            hasher: Hasher::new(&config),
            store,
            catalogs,
            mailer,
            config: Arc::new(config),
        }
    }
}

impl FromRef<AccountsState> for Arc<Catalogs> {
    fn from_ref(s: &AccountsState) -> Arc<Catalogs> {
        s.catalogs.clone()
    }
}

pub use routes::{NewAccount, register, send_verification, signed_in, start_session};

pub fn router(state: AccountsState) -> Router {
    routes::router(state)
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("{}: {}", .0.field, messages::problem(Locale::En, .0.problem))]
    Invalid(FieldError),
    #[error("{0:?} is not a reseller user's role")]
    NotResellerRole(Role),
    #[error("no storefront '{0}' has been published")]
    UnknownReseller(String),
    #[error("the email is already taken on this storefront")]
    Taken,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Random(#[from] secrets::RandomError),
}

/// The language a storefront speaks first, from its published snapshot.
async fn storefront_language(
    store: &dyn Store,
    reseller: &str,
) -> Result<Option<Locale>, StoreError> {
    Ok(crate::catalog::current(store, reseller)
        .await?
        .map(|s| s.default_language()))
}

/// Create an owner or admin of a published storefront, already verified
/// (whoever runs this vouches for the address). They sign in on the
/// storefront's host like customers, and `me` shows their role. Used for
/// seeding until the panel can invite users.
pub async fn create_reseller_user(
    store: &dyn Store,
    reseller: &str,
    email: &str,
    password: &str,
    role: Role,
    config: &AccountsConfig,
) -> Result<AccountId, SeedError> {
    if role == Role::Customer {
        return Err(SeedError::NotResellerRole(role));
    }
    create_verified(store, reseller, email, password, role, config).await
}

/// Create a verified customer of a published storefront: the local server's
/// demo account, so a newcomer can sign in at once.
pub async fn create_demo_customer(
    store: &dyn Store,
    reseller: &str,
    email: &str,
    password: &str,
    config: &AccountsConfig,
) -> Result<AccountId, SeedError> {
    create_verified(store, reseller, email, password, Role::Customer, config).await
}

async fn create_verified(
    store: &dyn Store,
    reseller: &str,
    email: &str,
    password: &str,
    role: Role,
    config: &AccountsConfig,
) -> Result<AccountId, SeedError> {
    let email = fields::email(email).map_err(SeedError::Invalid)?;
    fields::password(password).map_err(SeedError::Invalid)?;
    let language = storefront_language(store, reseller)
        .await?
        .ok_or_else(|| SeedError::UnknownReseller(reseller.to_string()))?;
    let password_hash = Hasher::new(config).hash(password.to_string()).await?;
    let id = secrets::new_id()?;
    let name = email
        .display
        .split('@')
        .next()
        .unwrap_or_default()
        .to_string();
    let profile = Profile {
        id: id.clone(),
        reseller: reseller.to_string(),
        email: email.display,
        email_ascii: email.ascii,
        email_key: email.key,
        name,
        kind: Kind::Personal,
        company: None,
        role,
        verified: true,
        password_hash,
        auth_epoch: 0,
        language,
        created_at: crate::store::now(),
        price_group: None,
        newsletter: false,
        suspended: false,
    };
    match records::create(store, &profile).await {
        Ok(()) => Ok(AccountId(id)),
        Err(CreateError::Taken) => Err(SeedError::Taken),
        Err(CreateError::Store(e)) => Err(e.into()),
    }
}
