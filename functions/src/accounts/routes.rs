//! The accounts routes:
//!
//! | route | answers |
//! |---|---|
//! | `POST /api/accounts/signup` | 201, 400 field, 409 email taken, 429 |
//! | `POST /api/accounts/verify` | 200, 400 `invalid_token` |
//! | `POST /api/accounts/verify/resend` | 202 (200 if already verified), 401, 429 |
//! | `POST /api/accounts/signin` | 200 + cookie, 400 field, 401 `invalid_credentials`, 429 |
//! | `POST /api/accounts/signout` | 204 + cleared cookie (with or without a session) |
//! | `POST /api/accounts/password/forgot` | 202 whether or not the account exists, 400 field, 429 |
//! | `POST /api/accounts/password/reset` | 204 + cleared cookie, 400 `invalid_token` or field |
//! | `GET /api/accounts/me` | 200, 401 |
//! | `PATCH /api/accounts/me` | 200, 400 field, 401, 409 |
//!
//! Every POST and PATCH also answers 403 from another origin, 415 without a
//! JSON content type and 400 for malformed JSON or unknown fields (see
//! `guard`); an unknown host is 404.

use super::error::AccountsError;
use super::fields::{self, FieldError, MAX_NAME_CHARS, MAX_PASSWORD_BYTES, Problem};
use super::guard::{self, RawBody, Visit};
use super::mail::Mail;
use super::messages::{self, Msg};
use super::ratelimit::{self, Scope};
use super::records::{self, Company, Kind, Profile, Role};
use super::sessions::{self, SessionRecord};
use super::tokens::{self, Purpose, TokenRecord};
use super::{AccountsState, Limit, address, secrets};
use crate::store::{Item, Store, StoreError, now};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use serde::Deserialize;
use serde_json::json;

/// No accounts request needs more; bigger bodies are refused (413) unread.
const MAX_BODY_BYTES: usize = 16 * 1024;

/// How often a write that lost an optimistic-locking race is tried again,
/// after a pause that grows with each try.
const RETRIES: u64 = 5;

async fn pause(attempt: u64) {
    tokio::time::sleep(std::time::Duration::from_millis(5 * attempt)).await;
}

pub fn router(state: AccountsState) -> Router {
    Router::new()
        .route("/api/accounts/signup", post(signup))
        .route("/api/accounts/verify", post(verify))
        .route("/api/accounts/verify/resend", post(resend))
        .route("/api/accounts/signin", post(signin))
        .route("/api/accounts/signout", post(signout))
        .route("/api/accounts/password/forgot", post(forgot))
        .route("/api/accounts/password/reset", post(reset))
        .route("/api/accounts/me", get(me).patch(update_me))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(guard::same_origin_only))
        .with_state(state)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignupBody {
    email: String,
    password: String,
    name: String,
    kind: Kind,
    #[serde(default)]
    company: Option<CompanyBody>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompanyBody {
    pub(crate) name: String,
    pub(crate) tax_id: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenBody {
    token: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CredentialsBody {
    email: String,
    password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EmailBody {
    email: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResetBody {
    token: String,
    password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatchBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    company: Option<CompanyBody>,
    /// The postal address invoices print, one line each (at most 4 of 100
    /// characters); `[]` removes it.
    #[serde(default)]
    address: Option<Vec<String>>,
    /// Whether the customer agrees to receive the storefront's newsletter.
    #[serde(default)]
    newsletter: Option<bool>,
}

/// The answers every state-changing accounts route can give besides its own.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // Only describes responses for the OpenAPI document.
enum WriteErrors {
    /// A field is wrong: `field` names it, `message` says why in the shopper's language.
    #[response(status = 400)]
    Invalid(crate::error::ErrorBody<'static>),
    /// The Origin is not this storefront (cross-site request).
    #[response(status = 403)]
    CrossSite(crate::error::ErrorBody<'static>),
    /// No storefront is served on this host.
    #[response(status = 404)]
    NoStorefront(crate::error::ErrorBody<'static>),
    /// The body is not JSON.
    #[response(status = 415)]
    NotJson(crate::error::ErrorBody<'static>),
}

/// For requests that need no body: none, or `{}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoBody {}

fn no_body(visit: &Visit, body: &Bytes) -> Result<(), AccountsError> {
    if !body.is_empty() {
        visit.json::<NoBody>(body)?;
    }
    Ok(())
}

pub(crate) fn company(kind: Kind, c: Option<CompanyBody>) -> Result<Option<Company>, FieldError> {
    match (kind, c) {
        (Kind::Personal, None) => Ok(None),
        (Kind::Personal, Some(_)) => Err(FieldError {
            field: "company",
            problem: Problem::CompanyNotForPersonal,
        }),
        (Kind::Company, None) => Err(FieldError {
            field: "company",
            problem: Problem::CompanyNeeded,
        }),
        (Kind::Company, Some(c)) => Ok(Some(Company {
            name: fields::line("company.name", &c.name, MAX_NAME_CHARS)?,
            tax_id: fields::tax_id(&c.tax_id)?,
        })),
    }
}

fn secs(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
}

impl AccountsState {
    /// Count an attempt against a key; 429 when it is one too many.
    async fn count(
        &self,
        visit: &Visit,
        scope: Scope,
        key: &str,
        limit: Limit,
    ) -> Result<(), AccountsError> {
        match ratelimit::hit(
            self.store.as_ref(),
            scope,
            &visit.tenant.reseller,
            key,
            limit,
        )
        .await?
        {
            Some(wait) => Err(AccountsError::too_many(visit.lang, wait)),
            None => Ok(()),
        }
    }

    /// Count an attempt against the client's address, when we know it.
    pub(crate) async fn count_ip(
        &self,
        visit: &Visit,
        scope: Scope,
        limit: Limit,
    ) -> Result<(), AccountsError> {
        match visit.ip {
            Some(ip) => {
                self.count(visit, scope, &ratelimit::ip_key(ip), limit)
                    .await
            }
            None => Ok(()),
        }
    }

    /// Issue a one-time token and mail its link.
    async fn mail_token(
        &self,
        visit: &Visit,
        profile: &Profile,
        purpose: Purpose,
    ) -> Result<(), AccountsError> {
        let ttl = match purpose {
            Purpose::Verify => self.config.verify_ttl,
            Purpose::Reset => self.config.reset_ttl,
        };
        let record = TokenRecord {
            reseller: profile.reseller.clone(),
            account: profile.id.clone(),
            email_key: profile.email_key.clone(),
            epoch: profile.auth_epoch,
            expires_at: 0,
        };
        let token = tokens::issue(self.store.as_ref(), purpose, record, secs(ttl))
            .await
            .map_err(AccountsError::unavailable)?;
        let store_name = &visit.tenant.snapshot.name;
        let secure = self.config.secure_cookies;
        let text = match purpose {
            Purpose::Verify => messages::verify_mail(
                visit.lang,
                store_name,
                &profile.name,
                &visit.link(secure, &format!("verify={token}")),
            ),
            Purpose::Reset => messages::reset_mail(
                visit.lang,
                store_name,
                &profile.name,
                &visit.link(secure, &format!("reset={token}")),
            ),
        };
        self.mailer
            .send(Mail {
                from_name: store_name.clone(),
                from: self.config.mail_from.clone(),
                to: profile.email_ascii.clone(),
                reply_to: None,
                subject: text.subject,
                text: text.body,
            })
            .await
            .map_err(AccountsError::unavailable)
    }

    /// The signed-in account: a live session of this storefront whose
    /// account still has the auth epoch it was made in.
    pub(crate) async fn current(
        &self,
        visit: &Visit,
    ) -> Result<(Item, Profile, String, SessionRecord), AccountsError> {
        self.current_of(visit, &visit.sessions).await
    }

    async fn current_of(
        &self,
        visit: &Visit,
        secrets: &[String],
    ) -> Result<(Item, Profile, String, SessionRecord), AccountsError> {
        signed_in(self.store.as_ref(), &visit.tenant.reseller, secrets)
            .await?
            .ok_or_else(|| AccountsError::unauthorized(visit.lang))
    }
}

/// The account a request's session cookies (`secrets`) sign in on the
/// storefront of `reseller`, if any: the first session that exists there,
/// of an account whose password has not changed since.
pub async fn signed_in(
    store: &dyn Store,
    reseller: &str,
    secrets: &[String],
) -> Result<Option<(Item, Profile, String, SessionRecord)>, StoreError> {
    for secret in secrets {
        let Some(session) = sessions::find(store, secret, reseller).await? else {
            continue;
        };
        if let Some((item, profile)) = records::load(store, reseller, &session.account).await?
            && profile.auth_epoch == session.epoch
            // Suspending raises the epoch too; this holds should a
            // session outlive it some other way.
            && !profile.suspended
        {
            return Ok(Some((item, profile, secret.clone(), session)));
        }
    }
    Ok(None)
}

/// Create a customer account on this storefront and mail a confirmation link.
#[utoipa::path(
    post,
    path = "/api/accounts/signup",
    tag = "accounts",
    request_body = SignupBody,
    responses(
        (status = 201, description = "Created; not yet confirmed"),
        WriteErrors,
        (status = 409, description = "This email already has an account on this storefront", body = crate::error::ErrorBody),
        (status = 429, description = "Too many sign-ups from this address", body = crate::error::ErrorBody),
    )
)]
pub(crate) async fn signup(
    State(st): State<AccountsState>,
    visit: Visit,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let req: SignupBody = visit.json(&body)?;
    let bad = |e| AccountsError::field(visit.lang, e);
    let email = fields::email(&req.email).map_err(bad)?;
    fields::password(&req.password).map_err(bad)?;
    let name = fields::line("name", &req.name, MAX_NAME_CHARS).map_err(bad)?;
    let company = company(req.kind, req.company).map_err(bad)?;
    let new = NewAccount {
        email,
        password: req.password,
        name,
        kind: req.kind,
        company,
    };
    let profile = register(&st, &visit, new).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": profile.id, "email": profile.email, "verified": false})),
    )
        .into_response())
}

/// A new customer account, its fields checked (`fields`).
pub struct NewAccount {
    pub email: fields::Email,
    pub password: String,
    pub name: String,
    pub kind: Kind,
    pub company: Option<Company>,
}

/// Create an unconfirmed customer account on the visited storefront and
/// mail its confirmation link: a sign-up, and a reseller's registration on
/// the platform's storefront. An email taken there is a 409 on `email`.
pub async fn register(
    st: &AccountsState,
    visit: &Visit,
    new: NewAccount,
) -> Result<Profile, AccountsError> {
    st.count_ip(visit, Scope::SignupIp, st.config.limits.signup_per_ip)
        .await?;
    let password_hash = st
        .hasher
        .hash(new.password)
        .await
        .map_err(AccountsError::unavailable)?;
    let email = new.email;
    let profile = Profile {
        id: secrets::new_id().map_err(AccountsError::unavailable)?,
        reseller: visit.tenant.reseller.clone(),
        email: email.display,
        email_ascii: email.ascii,
        email_key: email.key,
        name: new.name,
        kind: new.kind,
        company: new.company,
        role: Role::Customer,
        verified: false,
        password_hash,
        auth_epoch: 0,
        language: visit.lang,
        created_at: now(),
        price_group: None,
        newsletter: false,
        suspended: false,
    };
    match records::create(st.store.as_ref(), &profile).await {
        Ok(()) => {}
        Err(records::CreateError::Taken) => {
            let mut e = AccountsError::said(
                StatusCode::CONFLICT,
                "email_taken",
                visit.lang,
                Msg::EmailTaken,
            );
            if let AccountsError::Said { field, .. } = &mut e {
                *field = Some("email".into());
            }
            return Err(e);
        }
        Err(records::CreateError::Store(e)) => return Err(e.into()),
    }
    // The account exists now: a mail that fails is logged, and the person
    // can ask for another once signed in (verify/resend).
    if let Err(e) = st.mail_token(visit, &profile, Purpose::Verify).await {
        tracing::warn!(error = %e, account = %profile.id, "verification mail not sent");
    }
    Ok(profile)
}

/// Mail `profile` (unconfirmed) a new confirmation link, counted against
/// its limit: the API's resend and the registration's status page.
pub async fn send_verification(
    st: &AccountsState,
    visit: &Visit,
    profile: &Profile,
) -> Result<(), AccountsError> {
    st.count(
        visit,
        Scope::ResendAccount,
        &profile.id,
        st.config.limits.resend_per_account,
    )
    .await?;
    st.mail_token(visit, profile, Purpose::Verify).await
}

/// Start a session of `profile` on the visited storefront: the cookie that
/// signs it in.
pub async fn start_session(
    st: &AccountsState,
    visit: &Visit,
    profile: &Profile,
) -> Result<header::HeaderValue, AccountsError> {
    let (secret, max_age) = sessions::start(
        st.store.as_ref(),
        &visit.tenant.reseller,
        &profile.id,
        profile.auth_epoch,
        secs(st.config.session_ttl),
    )
    .await
    .map_err(AccountsError::unavailable)?;
    Ok(visit.cookie.set(&secret, max_age))
}

/// Confirm an email address with the token from the mailed link.
#[utoipa::path(
    post,
    path = "/api/accounts/verify",
    tag = "accounts",
    request_body = TokenBody,
    responses(
        (status = 200, description = "Confirmed"),
        WriteErrors,
    )
)]
pub(crate) async fn verify(
    State(st): State<AccountsState>,
    visit: Visit,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let req: TokenBody = visit.json(&body)?;
    let store = st.store.as_ref();
    redeem(
        store,
        &visit,
        Purpose::Verify,
        &req.token,
        |profile, record| {
            // The link proves the address it was sent to, not a later one.
            if profile.email_key != record.email_key {
                return false;
            }
            profile.verified = true;
            true
        },
    )
    .await?;
    Ok(Json(json!({"verified": true})).into_response())
}

/// Spend a mailed token and change its account in one transaction, so a
/// link works once and a concurrent change is never lost: on a conflict the
/// profile is read again and `change` applied again. `change` refuses (false)
/// when the token no longer fits the account.
async fn redeem(
    store: &dyn crate::store::Store,
    visit: &Visit,
    purpose: Purpose,
    secret: &str,
    change: impl Fn(&mut Profile, &TokenRecord) -> bool,
) -> Result<Profile, AccountsError> {
    let reseller = &visit.tenant.reseller;
    let invalid = || AccountsError::invalid_token(visit.lang);
    for attempt in 0..RETRIES {
        pause(attempt).await;
        let Some((token, record)) = tokens::find(store, purpose, secret, reseller).await? else {
            return Err(invalid());
        };
        let Some((item, mut profile)) = records::load(store, reseller, &record.account).await?
        else {
            return Err(invalid());
        };
        if !change(&mut profile, &record) {
            return Err(invalid());
        }
        match store
            .transact(vec![
                tokens::consume(&token),
                records::update(&item, &profile)?,
            ])
            .await
        {
            Ok(()) => return Ok(profile),
            Err(StoreError::TransactionCancelled { failed }) if failed.contains(&0) => {
                return Err(invalid());
            }
            Err(StoreError::TransactionCancelled { .. } | StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AccountsError::said(
        StatusCode::CONFLICT,
        "conflict",
        visit.lang,
        Msg::ChangedMeanwhile,
    ))
}

/// Mail a new confirmation link to the signed-in account.
#[utoipa::path(
    post,
    path = "/api/accounts/verify/resend",
    tag = "accounts",
    responses(
        (status = 202, description = "Sent"),
        (status = 200, description = "Already confirmed"),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        WriteErrors,
        (status = 429, description = "Too many requests", body = crate::error::ErrorBody),
    )
)]
pub(crate) async fn resend(
    State(st): State<AccountsState>,
    visit: Visit,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    no_body(&visit, &body)?;
    let (_, profile, _, _) = st.current(&visit).await?;
    if profile.verified {
        return Ok(Json(json!({"verified": true})).into_response());
    }
    send_verification(&st, &visit, &profile).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"message": messages::text(visit.lang, &Msg::VerificationSent)})),
    )
        .into_response())
}

/// A profile id no account has, read when the email is unknown so that
/// both paths make the same reads.
const NOBODY: &str = "00000000000000000000000000000000";

/// Sign in; sets the session cookie (HttpOnly, SameSite=Lax, bound to this storefront).
#[utoipa::path(
    post,
    path = "/api/accounts/signin",
    tag = "accounts",
    request_body = CredentialsBody,
    responses(
        (status = 200, description = "Signed in", body = crate::accounts::records::ProfileView),
        (status = 401, description = "Wrong email or password (the same answer for both)", body = crate::error::ErrorBody),
        WriteErrors,
        (status = 429, description = "Too many failed attempts; see Retry-After", body = crate::error::ErrorBody),
    )
)]
pub(crate) async fn signin(
    State(st): State<AccountsState>,
    visit: Visit,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let req: CredentialsBody = visit.json(&body)?;
    let bad = |e| AccountsError::field(visit.lang, e);
    let email = fields::email(&req.email).map_err(bad)?;
    if req.password.is_empty() {
        return Err(bad(FieldError {
            field: "password",
            problem: Problem::Required,
        }));
    }
    if req.password.len() > MAX_PASSWORD_BYTES {
        return Err(bad(FieldError {
            field: "password",
            problem: Problem::PasswordTooLong,
        }));
    }
    let store = st.store.as_ref();
    let reseller = &visit.tenant.reseller;
    let limits = st.config.limits;
    let ip = visit.ip.map(ratelimit::ip_key);

    // Refused before the password is even checked while over a limit, so
    // guessing gains nothing; the answer is the same for every email.
    let mut wait = ratelimit::blocked(
        store,
        Scope::SigninEmail,
        reseller,
        &email.key,
        limits.signin_per_email,
    )
    .await?;
    if let Some(ip) = &ip {
        let by_ip =
            ratelimit::blocked(store, Scope::SigninIp, reseller, ip, limits.signin_per_ip).await?;
        wait = wait.max(by_ip);
    }
    if let Some(secs) = wait {
        return Err(AccountsError::too_many(visit.lang, secs));
    }

    let found = records::by_email(store, reseller, &email.key).await?;
    if found.is_none() {
        store
            .get(&records::profile_pk(reseller, NOBODY), records::PROFILE_SK)
            .await?;
    }
    let ok = st
        .hasher
        .verify(
            req.password,
            found.as_ref().map(|(_, p)| p.password_hash.clone()),
        )
        .await
        .map_err(AccountsError::unavailable)?;
    let profile = match (ok, found) {
        (true, Some((_, profile))) => profile,
        _ => {
            ratelimit::hit(
                store,
                Scope::SigninEmail,
                reseller,
                &email.key,
                limits.signin_per_email,
            )
            .await?;
            if let Some(ip) = &ip {
                ratelimit::hit(store, Scope::SigninIp, reseller, ip, limits.signin_per_ip).await?;
            }
            return Err(AccountsError::bad_credentials(visit.lang));
        }
    };
    // Told only to whoever knows the password: the reseller suspended it.
    if profile.suspended {
        return Err(AccountsError::said(
            StatusCode::FORBIDDEN,
            "account_suspended",
            visit.lang,
            Msg::Suspended,
        ));
    }
    // An account made before the customers' index existed joins it at its
    // first sign-in (the store has no scan to find it otherwise).
    if let Err(e) = records::index_if_missing(store, &profile).await {
        tracing::warn!(error = %e, account = %profile.id, "customer not indexed");
    }
    let cookie = start_session(&st, &visit, &profile).await?;
    let mut resp = Json(profile.view()).into_response();
    resp.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(resp)
}

/// End the session and clear the cookie.
#[utoipa::path(
    post,
    path = "/api/accounts/signout",
    tag = "accounts",
    responses(
        (status = 204, description = "Signed out"),
        WriteErrors,
    )
)]
pub(crate) async fn signout(
    State(st): State<AccountsState>,
    visit: Visit,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    no_body(&visit, &body)?;
    let store = st.store.as_ref();
    for secret in &visit.sessions {
        if let Some(session) = sessions::find(store, secret, &visit.tenant.reseller).await? {
            sessions::end(store, secret, &session).await?;
        }
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .append(header::SET_COOKIE, visit.cookie.clear());
    Ok(resp)
}

/// Mail a password reset link if an account uses this address (the answer is the same either way).
#[utoipa::path(
    post,
    path = "/api/accounts/password/forgot",
    tag = "accounts",
    request_body = EmailBody,
    responses(
        (status = 202, description = "Accepted"),
        WriteErrors,
        (status = 429, description = "Too many requests", body = crate::error::ErrorBody),
    )
)]
pub(crate) async fn forgot(
    State(st): State<AccountsState>,
    visit: Visit,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let req: EmailBody = visit.json(&body)?;
    let email = fields::email(&req.email).map_err(|e| AccountsError::field(visit.lang, e))?;
    let limits = st.config.limits;
    st.count(
        &visit,
        Scope::ForgotEmail,
        &email.key,
        limits.forgot_per_email,
    )
    .await?;
    st.count_ip(&visit, Scope::ForgotIp, limits.forgot_per_ip)
        .await?;
    if let Some((_, profile)) =
        records::by_email(st.store.as_ref(), &visit.tenant.reseller, &email.key).await?
    {
        // Failing here would tell that the account exists: log it instead.
        if let Err(e) = st.mail_token(&visit, &profile, Purpose::Reset).await {
            tracing::warn!(error = %e, account = %profile.id, "reset mail not sent");
        }
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"message": messages::text(visit.lang, &Msg::ResetRequested)})),
    )
        .into_response())
}

/// Set a new password with the token from the mailed link; every session ends.
#[utoipa::path(
    post,
    path = "/api/accounts/password/reset",
    tag = "accounts",
    request_body = ResetBody,
    responses(
        (status = 204, description = "Changed"),
        WriteErrors,
    )
)]
pub(crate) async fn reset(
    State(st): State<AccountsState>,
    visit: Visit,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let req: ResetBody = visit.json(&body)?;
    let store = st.store.as_ref();
    let reseller = &visit.tenant.reseller;
    let invalid = || AccountsError::invalid_token(visit.lang);
    if tokens::find(store, Purpose::Reset, &req.token, reseller)
        .await?
        .is_none()
    {
        return Err(invalid());
    }
    fields::password(&req.password).map_err(|e| AccountsError::field(visit.lang, e))?;
    let password_hash = st
        .hasher
        .hash(req.password)
        .await
        .map_err(AccountsError::unavailable)?;
    let profile = redeem(
        store,
        &visit,
        Purpose::Reset,
        &req.token,
        |profile, record| {
            if profile.email_key != record.email_key || profile.auth_epoch != record.epoch {
                return false;
            }
            profile.password_hash = password_hash.clone();
            // Every session and every other reset link dies with the old epoch.
            profile.auth_epoch += 1;
            // The link reached the mailbox: the address is proven.
            profile.verified = true;
            true
        },
    )
    .await?;
    if let Err(e) = sessions::end_all(store, reseller, &profile.id).await {
        tracing::warn!(error = %e, account = %profile.id, "old sessions left to expire");
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .append(header::SET_COOKIE, visit.cookie.clear());
    Ok(resp)
}

/// The signed-in account.
#[utoipa::path(
    get,
    path = "/api/accounts/me",
    tag = "accounts",
    responses(
        (status = 200, description = "The account", body = crate::accounts::records::ProfileView),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 404, description = "No storefront is served on this host", body = crate::error::ErrorBody),
    )
)]
pub(crate) async fn me(
    State(st): State<AccountsState>,
    visit: Visit,
) -> Result<Response, AccountsError> {
    let (_, profile, _, _) = st.current(&visit).await?;
    Ok(Json(st.shown(&profile).await?).into_response())
}

impl AccountsState {
    /// The account as its owner sees it, with its postal address.
    async fn shown(&self, profile: &Profile) -> Result<serde_json::Value, AccountsError> {
        let lines = address::load(self.store.as_ref(), &profile.reseller, &profile.id).await?;
        let mut v = serde_json::to_value(profile.view()).map_err(AccountsError::unavailable)?;
        v["address"] = serde_json::json!(lines);
        Ok(v)
    }
}

/// Change the name or company details.
#[utoipa::path(
    patch,
    path = "/api/accounts/me",
    tag = "accounts",
    request_body = PatchBody,
    responses(
        (status = 200, description = "The changed account", body = crate::accounts::records::ProfileView),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        WriteErrors,
        (status = 409, description = "Changed elsewhere meanwhile too often; try again", body = crate::error::ErrorBody),
    )
)]
pub(crate) async fn update_me(
    State(st): State<AccountsState>,
    visit: Visit,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let req: PatchBody = visit.json(&body)?;
    let (mut item, mut profile, secret, _) = st.current(&visit).await?;
    let bad = |e| AccountsError::field(visit.lang, e);
    let name = req
        .name
        .map(|n| fields::line("name", &n, MAX_NAME_CHARS))
        .transpose()
        .map_err(bad)?;
    let company = req
        .company
        .map(|c| company(profile.kind, Some(c)))
        .transpose()
        .map_err(bad)?;
    let lines = req
        .address
        .as_deref()
        .map(address::lines)
        .transpose()
        .map_err(bad)?;
    let store = st.store.as_ref();
    for attempt in 0..RETRIES {
        pause(attempt).await;
        let before = profile.clone();
        if let Some(n) = &name {
            profile.name = n.clone();
        }
        if let Some(c) = &company {
            profile.company = c.clone();
        }
        if let Some(on) = req.newsletter
            && profile.role == Role::Customer
        {
            profile.newsletter = on;
        }
        // Optimistic locking: written only over the version read, so a
        // verification or a new password written meanwhile is never undone.
        // The customers' index changes with the name in the same
        // transaction.
        let mut writes = vec![records::update(&item, &profile)?];
        writes.extend(records::customer_index(Some(&before), Some(&profile)));
        match store.transact(writes).await {
            Ok(()) => {
                if let Some(lines) = &lines {
                    address::save(store, &profile.reseller, &profile.id, lines).await?;
                }
                return Ok(Json(st.shown(&profile).await?).into_response());
            }
            Err(
                StoreError::ConditionFailed { .. }
                | StoreError::TransactionCancelled { .. }
                | StoreError::Conflict(_),
            ) => {
                // Read again, as the same session: a new password meanwhile
                // has signed it out.
                (item, profile, _, _) =
                    st.current_of(&visit, std::slice::from_ref(&secret)).await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AccountsError::said(
        StatusCode::CONFLICT,
        "conflict",
        visit.lang,
        Msg::ChangedMeanwhile,
    ))
}
