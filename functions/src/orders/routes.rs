//! The money routes, all for a signed-in person on a storefront's host:
//!
//! - customers: `/api/wallet*` (balance, entries, top-ups), `/api/orders*`
//!   (quote, order with an `Idempotency-Key`, list, cancel), `/api/domains*`;
//! - the reseller's owner and admins: `/api/panel/*` (top-ups from below to
//!   approve or reject, its own wallet with its parent and its top-ups there,
//!   orders to mark paid or refund, domains, customers' credit limits).
//!
//! Every answer is scoped to the storefront of the Host and to the signed-in
//! account; another storefront's or customer's ids answer 404.

use super::engine::{LineRequest, NewOrder, OrderError, Orders, Quote, message};
use super::model::{Order, Payment};
use crate::accounts::AccountsState;
use crate::accounts::error::AccountsError;
use crate::accounts::guard::{self, RawBody, Visit};
use crate::accounts::records::{Profile, Role};
use crate::blobs::{Blobs, sniff_proof};
use crate::error::ApiError;
use crate::error::answers;
use crate::ledger::topups::{Proof, Request as TopUpRequest, TopUp, TopUpError};
use crate::ledger::{CommitError, MAX_PROOF_BYTES};
use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use storefront_core::Locale;
use storefront_core::ledger::Party;
use storefront_core::money::Money;

#[derive(Debug, Clone)]
pub struct ShopState {
    pub accounts: AccountsState,
    pub orders: Orders,
    pub blobs: Arc<dyn Blobs>,
}

/// A signed-in person on this storefront.
pub struct Signed {
    pub visit: Visit,
    pub profile: Profile,
}

impl FromRequestParts<ShopState> for Signed {
    type Rejection = AccountsError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ShopState,
    ) -> Result<Self, Self::Rejection> {
        let Anyone(visit) = Anyone::from_request_parts(parts, state).await?;
        let (_, profile, _, _) = state.accounts.current(&visit).await?;
        Ok(Signed { visit, profile })
    }
}

/// Anyone on this storefront, signed in or not.
pub struct Anyone(pub Visit);

impl FromRequestParts<ShopState> for Anyone {
    type Rejection = AccountsError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ShopState,
    ) -> Result<Self, Self::Rejection> {
        Visit::from_request_parts(parts, &state.accounts)
            .await
            .map(Anyone)
    }
}

/// The storefront's owner or an admin, signed in: every panel route takes
/// one, so a customer is refused (403) before anything is read.
pub struct Staff(Signed);

impl FromRequestParts<ShopState> for Staff {
    type Rejection = AccountsError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ShopState,
    ) -> Result<Self, Self::Rejection> {
        let who = Signed::from_request_parts(parts, state).await?;
        match who.profile.role {
            Role::Owner | Role::Admin => Ok(Staff(who)),
            Role::Customer => Err(ApiError::Forbidden.into()),
        }
    }
}

impl std::ops::Deref for Staff {
    type Target = Signed;

    fn deref(&self) -> &Signed {
        &self.0
    }
}

impl Signed {
    fn reseller(&self) -> &str {
        &self.visit.tenant.reseller
    }

    fn customer(&self) -> Party {
        Party::customer(self.reseller(), &self.profile.id)
    }
}

fn said(
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
) -> AccountsError {
    AccountsError::Said {
        status,
        code,
        message,
        field,
        retry_after_secs: None,
    }
}

/// An order error as the person should see it.
fn order_error(e: OrderError, lang: Locale) -> Response {
    let msg = message(&e, lang);
    let field = |index: usize, name: &str| Some(format!("items.{index}.{name}"));
    let (status, code, field) = match &e {
        OrderError::Line {
            error: storefront_core::quote::QuoteError::Code { .. },
            ..
        } => (
            StatusCode::BAD_REQUEST,
            "discount_code",
            Some("code".into()),
        ),
        OrderError::Line { index, error } => {
            let name = match error {
                storefront_core::quote::QuoteError::Years { .. } => "years",
                storefront_core::quote::QuoteError::NoPrice { .. } => "action",
                _ => "domain",
            };
            (StatusCode::BAD_REQUEST, error.code(), field(*index, name))
        }
        OrderError::Unavailable { index, .. } => (
            StatusCode::CONFLICT,
            "not_available",
            field(*index, "domain"),
        ),
        OrderError::RegistryUnknown { index } => (
            StatusCode::SERVICE_UNAVAILABLE,
            "registry_unknown",
            field(*index, "domain"),
        ),
        OrderError::NotYours { index, .. } => (
            StatusCode::BAD_REQUEST,
            "not_your_domain",
            field(*index, "domain"),
        ),
        OrderError::AuthCodeMissing { index } => (
            StatusCode::BAD_REQUEST,
            "required",
            field(*index, "auth_code"),
        ),
        OrderError::LineCount { .. } => {
            (StatusCode::BAD_REQUEST, "item_count", Some("items".into()))
        }
        OrderError::Duplicate { index } => (
            StatusCode::BAD_REQUEST,
            "duplicate",
            field(*index, "domain"),
        ),
        OrderError::QuoteExpired => (StatusCode::CONFLICT, "quote_expired", Some("quote".into())),
        OrderError::PriceChanged(q) => {
            let body =
                json!({"error": "price_changed", "message": msg, "quote": quote_view(q, lang)});
            return (StatusCode::CONFLICT, Json(body)).into_response();
        }
        OrderError::InsufficientBalance => {
            (StatusCode::PAYMENT_REQUIRED, "insufficient_balance", None)
        }
        OrderError::SellerShort { .. } => (StatusCode::CONFLICT, "seller_unavailable", None),
        OrderError::KeyReused => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            Some("Idempotency-Key".into()),
        ),
        OrderError::CodeUsedUp(_) => (
            StatusCode::CONFLICT,
            "discount_code_used_up",
            Some("code".into()),
        ),
        OrderError::NotFound => return ApiError::NotFound.into_response(),
        OrderError::WrongState => (StatusCode::CONFLICT, "wrong_state", None),
        OrderError::Store(e) => return AccountsError::unavailable(e).into_response(),
    };
    said(status, code, msg, field).into_response()
}

fn money(amount: Decimal, s: &storefront_core::snapshot::Snapshot, lang: Locale) -> Value {
    json!({
        "amount": amount.to_string(),
        "display": Money::new(amount, s.currency).format(lang),
    })
}

fn money_in(amount: Decimal, c: storefront_core::Currency, lang: Locale) -> Value {
    json!({"amount": amount.to_string(), "display": Money::new(amount, c).format(lang)})
}

/// A quote as the customer sees it: never the levels' costs.
fn quote_view(q: &Quote, lang: Locale) -> Value {
    let c = q.currency;
    json!({
        "id": q.id,
        "price_version": q.price_version,
        "currency": c.code(),
        "expires_at": q.expires_at,
        "lines": q.lines.iter().map(|l| json!({
            "domain": l.priced.domain,
            "display": l.priced.display,
            "action": l.priced.action,
            "years": l.priced.years,
            "premium": l.priced.premium,
            "promotion": l.priced.promotion,
            "net": money_in(l.priced.net, c, lang),
            "tax": money_in(l.priced.tax, c, lang),
            "gross": money_in(l.priced.gross, c, lang),
        })).collect::<Vec<_>>(),
        "net": money_in(q.net, c, lang),
        "tax": money_in(q.tax, c, lang),
        "gross": money_in(q.gross, c, lang),
    })
}

/// An order as its customer sees it (no legs, no auth codes).
fn order_view(o: &Order, lang: Locale) -> Value {
    let c = o.currency;
    json!({
        "id": o.id,
        "state": o.state(),
        "payment": o.payment,
        "created_at": o.created_at,
        "due": o.due,
        "proforma": o.proforma,
        "invoice": o.invoice,
        "renewal": o.renewal,
        "currency": c.code(),
        "lines": o.lines.iter().map(|l| json!({
            "id": l.id,
            "domain": l.domain,
            "display": l.display,
            "action": l.action,
            "years": l.years,
            "premium": l.premium,
            "status": l.state(),
            "reason": l.reason(),
            "expires": l.expires(),
            "net": money_in(l.net, c, lang),
            "tax": money_in(l.tax, c, lang),
            "gross": money_in(l.gross, c, lang),
        })).collect::<Vec<_>>(),
        "net": money_in(o.net, c, lang),
        "tax": money_in(o.tax, c, lang),
        "gross": money_in(o.gross, c, lang),
        "history": o.history,
    })
}

/// The same order for the reseller: with what each level pays.
fn panel_order_view(o: &Order, lang: Locale) -> Value {
    let mut v = order_view(o, lang);
    v["customer"] = json!(o.customer);
    v["legs"] = json!(
        o.lines
            .iter()
            .map(|l| json!({"line": l.id, "funds": l.funds(), "legs": l.legs}))
            .collect::<Vec<_>>()
    );
    v
}

fn topup_view(t: &TopUp, lang: Locale) -> Value {
    let mut v = serde_json::to_value(t).unwrap_or(Value::Null);
    v["amount_display"] = json!(Money::new(t.amount, t.currency).format(lang));
    if let Some(p) = v.get_mut("proof")
        && !p.is_null()
    {
        *p = json!({"attached": true, "content_type": t.proof.as_ref().map(|p| p.content_type.clone())});
    }
    v
}

/// The shop's routes as one router: the wallet, orders and panel functions
/// merged, as `storefront serve` runs them.
pub fn router(state: ShopState) -> Router {
    wallet_router(state.clone())
        .merge(orders_router(state.clone()))
        .merge(panel_router(state.clone()))
        .merge(invoices_router(state))
}

/// What every shop function's routes share: the body limit (a proof is the
/// largest body) and the same-origin guard, which also marks answers
/// `no-store`.
fn guarded(routes: Router<ShopState>, state: ShopState) -> Router {
    routes
        .layer(DefaultBodyLimit::max(MAX_PROOF_BYTES + 1024))
        .layer(middleware::from_fn(guard::same_origin_only))
        .with_state(state)
}

/// The wallet function: `/api/wallet*`.
pub fn wallet_router(state: ShopState) -> Router {
    let routes = Router::new()
        .route("/api/wallet", get(wallet))
        .route("/api/wallet/topups", get(my_topups).post(request_topup))
        .route("/api/wallet/topups/{id}/proof", put(upload_proof));
    guarded(routes, state)
}

/// The orders function: `/api/orders*`, `/api/domains*`, and the list of
/// the customer's invoices.
pub fn orders_router(state: ShopState) -> Router {
    let routes = Router::new()
        .route("/api/orders/quote", post(quote))
        .route("/api/orders", get(my_orders).post(create_order))
        .route("/api/orders/{id}", get(my_order))
        .route("/api/orders/{id}/cancel", post(cancel_order))
        .route("/api/domains", get(my_domains))
        .route("/api/domains/{name}", get(my_domain).patch(update_domain))
        .route("/api/invoices", get(my_invoices));
    guarded(routes, state)
}

/// The invoices function: one invoice as a document (HTML or PDF), for its
/// customer or its seller's panel. A function of its own because the PDF
/// writer and its embedded fonts are most of a binary: the functions that
/// only list invoices do not carry them.
pub fn invoices_router(state: ShopState) -> Router {
    let routes = Router::new()
        .route("/api/invoices/{number}", get(my_invoice))
        .route("/api/panel/invoices/{number}", get(panel_invoice));
    guarded(routes, state)
}

/// The panel function: `/api/panel/*`.
pub fn panel_router(state: ShopState) -> Router {
    let routes = Router::new()
        .route("/api/panel/invoices", get(panel_invoices))
        .route("/api/panel/topups", get(panel_topups))
        .route("/api/panel/topups/{id}/approve", post(approve_topup))
        .route("/api/panel/topups/{id}/reject", post(reject_topup))
        .route("/api/panel/topups/{id}/proof", get(topup_proof))
        .route("/api/panel/wallet", get(panel_wallet))
        .route(
            "/api/panel/wallet/topups",
            get(panel_my_topups).post(panel_request_topup),
        )
        .route("/api/panel/orders", get(panel_orders))
        .route("/api/panel/orders/{id}", get(panel_order))
        .route("/api/panel/orders/{id}/mark-paid", post(mark_paid))
        .route("/api/panel/orders/{id}/refund", post(refund))
        .route("/api/panel/domains", get(panel_domains))
        .route("/api/panel/customers", get(panel_customers))
        .route(
            "/api/panel/customers/{account}/credit-limit",
            put(set_credit_limit),
        )
        .route(
            "/api/panel/resellers/{id}/credit-limit",
            put(set_reseller_credit_limit),
        );
    guarded(routes, state)
}

// ----- wallet -----

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TopUpBody {
    amount: String,
    bank_account: String,
    transfer_reference: String,
}

/// Check a top-up request against the bank accounts it may name.
fn topup_fields(
    body: &TopUpBody,
    accounts: &[storefront_core::snapshot::BankAccount],
    currency: storefront_core::Currency,
    lang: Locale,
) -> Result<(Decimal, String, String), AccountsError> {
    let bad = |field: &str, en: &str, id: &str, pl: &str| {
        let m = match lang {
            Locale::Id => id,
            Locale::Pl => pl,
            Locale::En => en,
        };
        said(
            StatusCode::BAD_REQUEST,
            "invalid_value",
            m.to_string(),
            Some(field.to_string()),
        )
    };
    let text = body.amount.trim();
    // Digits and one decimal point only: no exponent, sign or separator that
    // would make "1e3" or "1,000" mean something the person did not type.
    let plain = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|&b| b == b'.').count() <= 1;
    let parsed = if plain {
        text.parse::<Decimal>().ok()
    } else {
        None
    };
    let amount: Decimal = parsed.ok_or(()).map_err(|_| {
        bad(
            "amount",
            "Enter the amount as a number, like 150000 or 49.99.",
            "Masukkan jumlah sebagai angka, misalnya 150000.",
            "Podaj kwotę jako liczbę, np. 49.99.",
        )
    })?;
    let places = currency.minor_units();
    if amount <= Decimal::ZERO
        || amount.normalize().scale() > places
        || amount > Decimal::from(crate::ledger::topups::MAX_TOPUP_UNITS)
    {
        return Err(bad(
            "amount",
            "Enter a positive amount in the wallet's currency.",
            "Masukkan jumlah positif dalam mata uang dompet.",
            "Podaj dodatnią kwotę w walucie portfela.",
        ));
    }
    if !accounts.iter().any(|a| a.id == body.bank_account) {
        return Err(bad(
            "bank_account",
            "Choose one of the bank accounts listed.",
            "Pilih salah satu rekening yang tercantum.",
            "Wybierz jedno z podanych kont.",
        ));
    }
    let reference = body.transfer_reference.trim();
    if reference.is_empty()
        || reference.chars().count() > 140
        || reference.chars().any(char::is_control)
    {
        return Err(bad(
            "transfer_reference",
            "Enter the transfer reference from your bank (up to 140 characters).",
            "Masukkan berita/referensi transfer dari bank Anda (maks. 140 karakter).",
            "Podaj tytuł przelewu z banku (do 140 znaków).",
        ));
    }
    Ok((amount, body.bank_account.clone(), reference.to_string()))
}

fn wallet_view(
    w: Option<crate::ledger::Wallet>,
    currency: storefront_core::Currency,
    lang: Locale,
) -> Value {
    let b = w.map(|w| w.balance).unwrap_or_default();
    json!({
        "currency": currency.code(),
        "available": money_in(b.available(), currency, lang),
        "held": money_in(b.held, currency, lang),
        "credit_limit": money_in(b.credit_limit, currency, lang),
        "spendable": money_in(b.spendable, currency, lang),
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct EntriesQuery {
    before: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/wallet",
    tag = "wallet",
    summary = "The customer's wallet: balance, holds, credit limit, bank accounts to pay into, latest ledger entries",
    params(("before" = Option<String>, Query, description = "Entries before this one (paging)")),
    responses((status = 200, description = "Done"), answers::SignedIn)
)]
pub(crate) async fn wallet(
    State(st): State<ShopState>,
    who: Signed,
    Query(q): Query<EntriesQuery>,
) -> Result<Response, AccountsError> {
    let s = &who.visit.tenant.snapshot;
    let lang = who.visit.lang;
    let party = who.customer();
    let w = st.orders.ledger.wallet(&party).await?;
    let entries = st
        .orders
        .ledger
        .entries(&party, q.before.as_deref(), 50)
        .await?;
    let mut v = wallet_view(w, s.currency, lang);
    v["bank_accounts"] = json!(s.bank_accounts);
    v["entries"] = json!(entries.iter().map(|e| json!({
        "id": e.id, "kind": e.kind, "at": e.at, "reason": e.reason, "reference": e.reference,
        "amount": money(e.amount, s, lang),
    })).collect::<Vec<_>>());
    Ok(Json(v).into_response())
}

#[utoipa::path(
    get,
    path = "/api/wallet/topups",
    tag = "wallet",
    summary = "The customer's top-up requests, newest first",
    responses((status = 200, description = "Done"), answers::SignedIn)
)]
pub(crate) async fn my_topups(
    State(st): State<ShopState>,
    who: Signed,
) -> Result<Response, AccountsError> {
    let list = st.orders.ledger.topups_of(&who.customer()).await?;
    Ok(Json(
        list.iter()
            .map(|t| topup_view(t, who.visit.lang))
            .collect::<Vec<_>>(),
    )
    .into_response())
}

#[utoipa::path(
    post,
    path = "/api/wallet/topups",
    tag = "wallet",
    summary = "Ask the reseller to credit a bank transfer to the wallet",
    request_body = TopUpBody,
    responses((status = 201, description = "Done"), answers::SignedIn, answers::BadField)
)]
pub(crate) async fn request_topup(
    State(st): State<ShopState>,
    who: Signed,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let b: TopUpBody = who.visit.json(&body)?;
    let s = &who.visit.tenant.snapshot;
    let (amount, bank_account, transfer_reference) =
        topup_fields(&b, &s.bank_accounts, s.currency, who.visit.lang)?;
    let t = st
        .orders
        .ledger
        .request_topup(TopUpRequest {
            holder: who.customer(),
            parent: Party::reseller(who.reseller()),
            currency: s.currency,
            amount,
            bank_account,
            transfer_reference,
            by: who.profile.id.clone(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(topup_view(&t, who.visit.lang))).into_response())
}

#[utoipa::path(
    put,
    path = "/api/wallet/topups/{id}/proof",
    tag = "wallet",
    summary = "Attach the transfer's proof (the raw bytes of a PDF, PNG or JPEG, at most 5 MB)",
    params(("id" = String, Path, description = "The top-up")),
    responses((status = 200, description = "Done"), answers::SignedIn, (status = 413, description = "Larger than 5 MB", body = crate::error::ErrorBody), (status = 415, description = "Not a PDF, PNG or JPEG", body = crate::error::ErrorBody), answers::NotFound)
)]
pub(crate) async fn upload_proof(
    State(st): State<ShopState>,
    who: Signed,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    attach_proof(&st, &who, who.customer(), &id, body.to_vec()).await
}

async fn attach_proof(
    st: &ShopState,
    who: &Signed,
    holder: Party,
    id: &str,
    bytes: Vec<u8>,
) -> Result<Response, AccountsError> {
    let lang = who.visit.lang;
    if bytes.len() > MAX_PROOF_BYTES {
        return Err(said(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The file is larger than 5 MB.".into(),
            Some("proof".into()),
        ));
    }
    let Some(content_type) = sniff_proof(&bytes) else {
        let m = match lang {
            Locale::Id => "Unggah bukti transfer sebagai PDF, PNG atau JPEG.",
            Locale::Pl => "Prześlij potwierdzenie jako PDF, PNG lub JPEG.",
            Locale::En => "Upload the proof as a PDF, PNG or JPEG file.",
        };
        return Err(said(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_file_type",
            m.into(),
            Some("proof".into()),
        ));
    };
    let Some((t, _)) = st.orders.ledger.topup(id).await? else {
        return Err(ApiError::NotFound.into());
    };
    if t.holder != holder {
        return Err(ApiError::NotFound.into());
    }
    let key = format!("topups/{}/proof", t.id);
    let size = bytes.len() as u64;
    st.blobs.put(&key, bytes, content_type).await?;
    match st
        .orders
        .ledger
        .attach_proof(
            &holder,
            id,
            Proof {
                key,
                content_type: content_type.into(),
                bytes: size,
            },
        )
        .await
    {
        Ok(t) => Ok(Json(topup_view(&t, lang)).into_response()),
        Err(TopUpError::NotFound) => Err(ApiError::NotFound.into()),
        Err(TopUpError::AlreadyDecided(_)) => Err(said(
            StatusCode::CONFLICT,
            "already_decided",
            "This top-up was already decided.".into(),
            None,
        )),
        Err(TopUpError::Store(e)) => Err(AccountsError::from(e)),
    }
}

// ----- orders -----

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuoteBody {
    items: Vec<LineRequest>,
    /// A discount code, as typed.
    #[serde(default)]
    code: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/orders/quote",
    tag = "orders",
    summary = "Price a cart (1 to 10 lines, an optional discount `code`) from the published price list with the customer's price group; premium prices from the registry are locked for 30 minutes. A visitor who is not signed in gets the public prices (rate-limited per address) and a quote that cannot be ordered",
    request_body = QuoteBody,
    responses((status = 200, description = "Done"), (status = 400, description = "A field is wrong; `field` names it (`code` for a discount code that is unknown, not valid today or for nothing in the cart)", body = crate::error::ErrorBody), (status = 429, description = "Too many quotes from this address while signed out", body = crate::error::ErrorBody), (status = 409, description = "A name is not available", body = crate::error::ErrorBody), (status = 503, description = "The registry did not answer", body = crate::error::ErrorBody))
)]
pub(crate) async fn quote(
    State(st): State<ShopState>,
    Anyone(visit): Anyone,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    // Signed in, the customer's own group prices the cart and the quote can
    // be ordered; signed out, the public prices, counted per address, and
    // the quote is only for showing (an order needs one of the customer's).
    let (customer, group) = match st.accounts.current(&visit).await {
        Ok((_, profile, _, _)) => {
            let group = profile.group().to_string();
            (profile.id, group)
        }
        Err(AccountsError::Said {
            status: StatusCode::UNAUTHORIZED,
            ..
        }) => {
            let limit = st.accounts.config.limits.quote_per_ip;
            st.accounts
                .count_ip(&visit, crate::accounts::ratelimit::Scope::QuoteIp, limit)
                .await?;
            (String::new(), "default".to_string())
        }
        Err(e) => return Err(e),
    };
    let b: QuoteBody = visit.json(&body)?;
    let s = visit.tenant.snapshot.clone();
    match st
        .orders
        .quote(&s, &customer, &group, &b.items, b.code.as_deref())
        .await
    {
        Ok(q) => Ok(Json(quote_view(&q, visit.lang)).into_response()),
        Err(e) => Ok(order_error(e, visit.lang)),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrderBody {
    quote: String,
    #[schema(value_type = String, example = "wallet")]
    payment: Payment,
}

/// The longest idempotency key we keep.
const MAX_KEY: usize = 100;

#[utoipa::path(
    post,
    path = "/api/orders",
    tag = "orders",
    summary = "Order a quote, paid from the wallet or by bank transfer. Needs an `Idempotency-Key` header: the same key with the same request returns the same order (200), with another request 422",
    request_body = OrderBody,
    params(("Idempotency-Key" = String, Header, description = "A new random value per order attempt")),
    responses((status = 201, description = "Done"), answers::SignedIn, answers::BadField, (status = 402, description = "The wallet does not cover it", body = crate::error::ErrorBody), (status = 409, description = "`price_changed` (the body carries the new quote), `quote_expired`, `seller_unavailable`, or `discount_code_used_up`", body = crate::error::ErrorBody), (status = 422, description = "The Idempotency-Key was used for another request", body = crate::error::ErrorBody))
)]
pub(crate) async fn create_order(
    State(st): State<ShopState>,
    who: Signed,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let lang = who.visit.lang;
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEY && k.bytes().all(|b| b.is_ascii_graphic()));
    let Some(key) = key else {
        return Err(said(
            StatusCode::BAD_REQUEST,
            "idempotency_key_required",
            "Send an Idempotency-Key header (1 to 100 visible characters) with every new order."
                .into(),
            Some("Idempotency-Key".into()),
        ));
    };
    let b: OrderBody = who.visit.json(&body)?;
    let hash = blake3::hash(format!("{}\u{0}{:?}", b.quote, b.payment).as_bytes())
        .to_hex()
        .to_string();
    let s = who.visit.tenant.snapshot.clone();
    let (order, created) = match st
        .orders
        .create(
            &s,
            &NewOrder {
                customer: &who.profile.id,
                group: who.profile.group(),
                quote: &b.quote,
                payment: b.payment,
                key,
                request_hash: &hash,
            },
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return Ok(order_error(e, lang)),
    };
    if !created {
        return Ok(Json(order_view(&order, lang)).into_response());
    }
    let order = match order.payment {
        Payment::Wallet => match st.orders.pay(&order.id, &who.profile.id, false).await {
            Ok(_) => match st.orders.provision(&order.id, "registrar").await {
                Ok(o) => o,
                Err(e) => return Ok(order_error(e, lang)),
            },
            // The order stays, unpaid: the customer can top up and pay, or
            // cancel it.
            Err(e @ (OrderError::InsufficientBalance | OrderError::SellerShort { .. })) => {
                let mut resp = order_error(e, lang);
                if let Ok(v) = header::HeaderValue::from_str(&order.id) {
                    resp.headers_mut().insert("x-order-id", v);
                }
                return Ok(resp);
            }
            Err(e) => return Ok(order_error(e, lang)),
        },
        Payment::BankTransfer => {
            if let Err(e) = st.orders.issue_proforma(&order.id).await {
                tracing::warn!(order = order.id, error = %e, "proforma not issued yet");
            }
            st.orders
                .order(&order.id)
                .await?
                .map(|(o, _)| o)
                .unwrap_or(order)
        }
    };
    Ok((StatusCode::CREATED, Json(order_view(&order, lang))).into_response())
}

#[utoipa::path(
    get,
    path = "/api/orders",
    tag = "orders",
    summary = "The customer's orders, newest first",
    responses((status = 200, description = "Done"), answers::SignedIn)
)]
pub(crate) async fn my_orders(
    State(st): State<ShopState>,
    who: Signed,
) -> Result<Response, AccountsError> {
    let list = st.orders.orders_of(who.reseller(), &who.profile.id).await?;
    Ok(Json(list).into_response())
}

async fn load_mine(st: &ShopState, who: &Signed, id: &str) -> Result<Order, AccountsError> {
    let o = st.orders.order(id).await?.map(|(o, _)| o);
    match o {
        Some(o) if o.reseller == who.reseller() && o.customer == who.profile.id => Ok(o),
        _ => Err(ApiError::NotFound.into()),
    }
}

#[utoipa::path(
    get,
    path = "/api/orders/{id}",
    tag = "orders",
    summary = "One of the customer's orders with its lines and history",
    params(("id" = String, Path, description = "The order")),
    responses((status = 200, description = "Done"), answers::SignedIn, answers::NotFound)
)]
pub(crate) async fn my_order(
    State(st): State<ShopState>,
    who: Signed,
    Path(id): Path<String>,
) -> Result<Response, AccountsError> {
    let o = load_mine(&st, &who, &id).await?;
    Ok(Json(order_view(&o, who.visit.lang)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/orders/{id}/cancel",
    tag = "orders",
    summary = "Cancel an unpaid order",
    params(("id" = String, Path, description = "The order")),
    responses((status = 200, description = "Done"), answers::SignedIn, answers::NotFound, answers::WrongState)
)]
pub(crate) async fn cancel_order(
    State(st): State<ShopState>,
    who: Signed,
    Path(id): Path<String>,
) -> Result<Response, AccountsError> {
    load_mine(&st, &who, &id).await?;
    match st.orders.cancel_unpaid(&id, &who.profile.id, false).await {
        Ok(o) => Ok(Json(order_view(&o, who.visit.lang)).into_response()),
        Err(e) => Ok(order_error(e, who.visit.lang)),
    }
}

// ----- domains -----

#[utoipa::path(
    get,
    path = "/api/domains",
    tag = "domains",
    summary = "The customer's domains: status, expiry, auto-renew",
    responses((status = 200, description = "Done"), answers::SignedIn)
)]
pub(crate) async fn my_domains(
    State(st): State<ShopState>,
    who: Signed,
) -> Result<Response, AccountsError> {
    let list = st
        .orders
        .domains_of(who.reseller(), &who.profile.id)
        .await?;
    Ok(Json(list).into_response())
}

fn domain_view(d: &super::model::Domain) -> Value {
    json!({
        "name": d.name, "display": d.display, "status": d.status, "expires": d.expires,
        "auto_renew": d.auto_renew, "premium": d.premium, "renewal_order": d.renewal_order,
        "history": d.history,
    })
}

#[utoipa::path(
    get,
    path = "/api/domains/{name}",
    tag = "domains",
    summary = "One domain with the history of every action",
    params(("name" = String, Path, description = "The ASCII domain")),
    responses((status = 200, description = "Done"), answers::SignedIn, answers::NotFound)
)]
pub(crate) async fn my_domain(
    State(st): State<ShopState>,
    who: Signed,
    Path(name): Path<String>,
) -> Result<Response, AccountsError> {
    match st.orders.domain(&name.to_ascii_lowercase()).await? {
        Some((d, _)) if d.reseller == who.reseller() && d.customer == who.profile.id => {
            Ok(Json(domain_view(&d)).into_response())
        }
        _ => Err(ApiError::NotFound.into()),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DomainPatch {
    auto_renew: bool,
}

#[utoipa::path(
    patch,
    path = "/api/domains/{name}",
    tag = "domains",
    summary = "Turn auto-renew on or off",
    request_body = DomainPatch,
    params(("name" = String, Path, description = "The ASCII domain")),
    responses((status = 200, description = "Done"), answers::SignedIn, answers::BadField, answers::NotFound)
)]
pub(crate) async fn update_domain(
    State(st): State<ShopState>,
    who: Signed,
    Path(name): Path<String>,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let b: DomainPatch = who.visit.json(&body)?;
    match st
        .orders
        .set_auto_renew(
            who.reseller(),
            &who.profile.id,
            &name.to_ascii_lowercase(),
            b.auto_renew,
        )
        .await
    {
        Ok(d) => Ok(Json(domain_view(&d)).into_response()),
        Err(e) => Ok(order_error(e, who.visit.lang)),
    }
}

// ----- the panel -----

#[derive(Debug, Deserialize)]
pub(crate) struct PanelTopupsQuery {
    state: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/panel/topups",
    tag = "panel",
    summary = "Top-ups asked of this reseller by its customers and sub-resellers: pending, or `state=all`",
    params(("state" = Option<String>, Query, description = "`all` for decided ones too")),
    responses((status = 200, description = "Done"), answers::Staff)
)]
pub(crate) async fn panel_topups(
    State(st): State<ShopState>,
    who: Staff,
    Query(q): Query<PanelTopupsQuery>,
) -> Result<Response, AccountsError> {
    let pending = q.state.as_deref() != Some("all");
    let list = st
        .orders
        .ledger
        .topups_for_parent(&Party::reseller(who.reseller()), pending)
        .await?;
    Ok(Json(
        list.iter()
            .map(|t| topup_view(t, who.visit.lang))
            .collect::<Vec<_>>(),
    )
    .into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RejectBody {
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/panel/topups/{id}/approve",
    tag = "panel",
    summary = "Approve: the wallet is credited exactly once; the requester is told",
    params(("id" = String, Path, description = "The top-up")),
    responses((status = 200, description = "Done"), answers::Staff, answers::NotFound, (status = 409, description = "Already decided", body = crate::error::ErrorBody))
)]
pub(crate) async fn approve_topup(
    State(st): State<ShopState>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Response, AccountsError> {
    decide(&st, &who, &id, true, None).await
}

#[utoipa::path(
    post,
    path = "/api/panel/topups/{id}/reject",
    tag = "panel",
    summary = "Reject with a reason the requester reads",
    request_body = RejectBody,
    params(("id" = String, Path, description = "The top-up")),
    responses((status = 200, description = "Done"), answers::Staff, answers::BadField, answers::NotFound, (status = 409, description = "Already decided", body = crate::error::ErrorBody))
)]
pub(crate) async fn reject_topup(
    State(st): State<ShopState>,
    who: Staff,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let b: RejectBody = who.visit.json(&body)?;
    let reason = b.reason.trim();
    if reason.is_empty()
        || reason.chars().count() > 500
        || reason.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(said(
            StatusCode::BAD_REQUEST,
            "required",
            "Say why (up to 500 characters): the customer will read it.".into(),
            Some("reason".into()),
        ));
    }
    decide(&st, &who, &id, false, Some(reason.to_string())).await
}

async fn decide(
    st: &ShopState,
    who: &Signed,
    id: &str,
    approve: bool,
    reason: Option<String>,
) -> Result<Response, AccountsError> {
    let parent = Party::reseller(who.reseller());
    match st
        .orders
        .ledger
        .decide_topup(&parent, id, approve, reason, &who.profile.id)
        .await
    {
        Ok(t) => {
            st.orders.notify_topup(&t).await;
            Ok(Json(topup_view(&t, who.visit.lang)).into_response())
        }
        Err(TopUpError::NotFound) => Err(ApiError::NotFound.into()),
        Err(TopUpError::AlreadyDecided(t)) => {
            let body = json!({"error": "already_decided", "message": "This top-up was already decided.", "topup": topup_view(&t, who.visit.lang)});
            Ok((StatusCode::CONFLICT, Json(body)).into_response())
        }
        Err(TopUpError::Store(e)) => Err(AccountsError::from(e)),
    }
}

#[utoipa::path(
    get,
    path = "/api/panel/topups/{id}/proof",
    tag = "panel",
    summary = "Download a top-up's proof file",
    params(("id" = String, Path, description = "The top-up")),
    responses((status = 200, description = "Done"), answers::Staff, answers::NotFound)
)]
pub(crate) async fn topup_proof(
    State(st): State<ShopState>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Response, AccountsError> {
    let Some((t, _)) = st.orders.ledger.topup(&id).await? else {
        return Err(ApiError::NotFound.into());
    };
    if t.parent != Party::reseller(who.reseller()) {
        return Err(ApiError::NotFound.into());
    }
    let Some(proof) = t.proof else {
        return Err(ApiError::NotFound.into());
    };
    let Some((bytes, ct)) = st.blobs.get(&proof.key).await? else {
        return Err(ApiError::NotFound.into());
    };
    // Served as a download in a sandbox: a proof is the customer's file.
    Ok((
        [
            (header::CONTENT_TYPE, ct),
            (header::CONTENT_DISPOSITION, "attachment".to_string()),
            (header::CONTENT_SECURITY_POLICY, "sandbox".to_string()),
        ],
        bytes,
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/api/panel/wallet",
    tag = "panel",
    summary = "The reseller's own wallet with its parent, and the parent's bank accounts",
    responses((status = 200, description = "Done"), answers::Staff)
)]
pub(crate) async fn panel_wallet(
    State(st): State<ShopState>,
    who: Staff,
) -> Result<Response, AccountsError> {
    let s = &who.visit.tenant.snapshot;
    let lang = who.visit.lang;
    let me = Party::reseller(who.reseller());
    let w = st.orders.ledger.wallet(&me).await?;
    let entries = st.orders.ledger.entries(&me, None, 50).await?;
    let mut v = wallet_view(w, s.currency, lang);
    v["parent"] = json!({"id": s.parent.id, "name": s.parent.seller.legal_name, "bank_accounts": s.parent.bank_accounts});
    v["entries"] = json!(entries.iter().map(|e| json!({
        "id": e.id, "kind": e.kind, "at": e.at, "reason": e.reason, "reference": e.reference, "leg": e.leg,
        "amount": money(e.amount, s, lang),
    })).collect::<Vec<_>>());
    Ok(Json(v).into_response())
}

#[utoipa::path(
    get,
    path = "/api/panel/wallet/topups",
    tag = "panel",
    summary = "The reseller's own top-up requests to its parent",
    responses((status = 200, description = "Done"), answers::Staff)
)]
pub(crate) async fn panel_my_topups(
    State(st): State<ShopState>,
    who: Staff,
) -> Result<Response, AccountsError> {
    let list = st
        .orders
        .ledger
        .topups_of(&Party::reseller(who.reseller()))
        .await?;
    Ok(Json(
        list.iter()
            .map(|t| topup_view(t, who.visit.lang))
            .collect::<Vec<_>>(),
    )
    .into_response())
}

#[utoipa::path(
    post,
    path = "/api/panel/wallet/topups",
    tag = "panel",
    summary = "Ask the parent (a reseller, or the platform) to credit a transfer",
    request_body = TopUpBody,
    responses((status = 201, description = "Done"), answers::Staff, answers::BadField)
)]
pub(crate) async fn panel_request_topup(
    State(st): State<ShopState>,
    who: Staff,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let b: TopUpBody = who.visit.json(&body)?;
    let s = &who.visit.tenant.snapshot;
    let (amount, bank_account, transfer_reference) =
        topup_fields(&b, &s.parent.bank_accounts, s.currency, who.visit.lang)?;
    let parent = match &s.parent.id {
        Some(p) => Party::reseller(p),
        None => Party::Platform,
    };
    let t = st
        .orders
        .ledger
        .request_topup(TopUpRequest {
            holder: Party::reseller(who.reseller()),
            parent,
            currency: s.currency,
            amount,
            bank_account,
            transfer_reference,
            by: who.profile.id.clone(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(topup_view(&t, who.visit.lang))).into_response())
}

#[utoipa::path(
    get,
    path = "/api/panel/orders",
    tag = "panel",
    summary = "The storefront's orders, newest first",
    responses((status = 200, description = "Done"), answers::Staff)
)]
pub(crate) async fn panel_orders(
    State(st): State<ShopState>,
    who: Staff,
) -> Result<Response, AccountsError> {
    let mut list = st.orders.orders_of_reseller(who.reseller()).await?;
    let mut cards: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
    for o in list.iter_mut() {
        let Some(account) = o["customer"].as_str().map(str::to_string) else {
            continue;
        };
        if !cards.contains_key(&account) {
            let card = customer_card(&st, who.reseller(), &account).await?;
            cards.insert(account.clone(), card);
        }
        o["customer_card"] = cards[&account].clone();
    }
    Ok(Json(list).into_response())
}

async fn load_panel(st: &ShopState, who: &Staff, id: &str) -> Result<Order, AccountsError> {
    match st.orders.order(id).await? {
        Some((o, _)) if o.reseller == who.reseller() => Ok(o),
        _ => Err(ApiError::NotFound.into()),
    }
}

#[utoipa::path(
    get,
    path = "/api/panel/orders/{id}",
    tag = "panel",
    summary = "An order with what each level paid",
    params(("id" = String, Path, description = "The order")),
    responses((status = 200, description = "Done"), answers::Staff, answers::NotFound)
)]
pub(crate) async fn panel_order(
    State(st): State<ShopState>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Response, AccountsError> {
    let o = load_panel(&st, &who, &id).await?;
    Ok(Json(panel_order_view(&o, who.visit.lang)).into_response())
}

#[utoipa::path(
    post,
    path = "/api/panel/orders/{id}/mark-paid",
    tag = "panel",
    summary = "The customer's bank transfer arrived: hold every leg and provision",
    params(("id" = String, Path, description = "The order")),
    responses((status = 200, description = "Done"), answers::Staff, (status = 402, description = "The reseller's own wallet does not cover the wholesale price", body = crate::error::ErrorBody), answers::NotFound, answers::WrongState)
)]
pub(crate) async fn mark_paid(
    State(st): State<ShopState>,
    who: Staff,
    Path(id): Path<String>,
) -> Result<Response, AccountsError> {
    let o = load_panel(&st, &who, &id).await?;
    if o.payment != Payment::BankTransfer {
        return Ok(order_error(OrderError::WrongState, who.visit.lang));
    }
    match st.orders.pay(&id, &who.profile.id, true).await {
        Ok(_) => match st.orders.provision(&id, "registrar").await {
            Ok(o) => Ok(Json(panel_order_view(&o, who.visit.lang)).into_response()),
            Err(e) => Ok(order_error(e, who.visit.lang)),
        },
        Err(OrderError::SellerShort { .. }) => {
            let m = "Your wallet does not cover this order's wholesale price. Top up your wallet, then mark it paid again.";
            Ok(said(
                StatusCode::PAYMENT_REQUIRED,
                "insufficient_balance",
                m.into(),
                None,
            )
            .into_response())
        }
        Err(e) => Ok(order_error(e, who.visit.lang)),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefundBody {
    #[serde(default)]
    line: Option<String>,
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/panel/orders/{id}/refund",
    tag = "panel",
    summary = "Refund the captured lines (all, or `line`): every level gets back exactly what it paid, once",
    request_body = RefundBody,
    params(("id" = String, Path, description = "The order")),
    responses((status = 200, description = "Done"), answers::Staff, answers::BadField, answers::NotFound, answers::WrongState)
)]
pub(crate) async fn refund(
    State(st): State<ShopState>,
    who: Staff,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    load_panel(&st, &who, &id).await?;
    let b: RefundBody = who.visit.json(&body)?;
    let reason = b.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(said(
            StatusCode::BAD_REQUEST,
            "required",
            "Say why (up to 500 characters).".into(),
            Some("reason".into()),
        ));
    }
    match st
        .orders
        .refund(&id, b.line.as_deref(), &who.profile.id, reason)
        .await
    {
        Ok(o) => Ok(Json(panel_order_view(&o, who.visit.lang)).into_response()),
        Err(e) => Ok(order_error(e, who.visit.lang)),
    }
}

#[utoipa::path(
    get,
    path = "/api/panel/domains",
    tag = "panel",
    summary = "The storefront's customers' domains",
    responses((status = 200, description = "Done"), answers::Staff)
)]
pub(crate) async fn panel_domains(
    State(st): State<ShopState>,
    who: Staff,
) -> Result<Response, AccountsError> {
    let list = st.orders.domains_of_reseller(who.reseller()).await?;
    Ok(Json(list).into_response())
}

#[utoipa::path(
    get,
    path = "/api/panel/customers",
    tag = "panel",
    summary = "Wallets held with this reseller (customers and sub-resellers)",
    responses((status = 200, description = "Done"), answers::Staff)
)]
pub(crate) async fn panel_customers(
    State(st): State<ShopState>,
    who: Staff,
) -> Result<Response, AccountsError> {
    let s = &who.visit.tenant.snapshot;
    let me = Party::reseller(who.reseller());
    let mut out = Vec::new();
    for child in st.orders.ledger.children(&me).await? {
        let w = st.orders.ledger.wallet(&child).await?;
        let mut v = wallet_view(w, s.currency, who.visit.lang);
        if let Party::Customer { account, .. } = &child {
            v["customer"] = customer_card(&st, who.reseller(), account).await?;
        }
        v["holder"] = json!(child);
        out.push(v);
    }
    Ok(Json(out).into_response())
}

/// Who a customer is, for the reseller's lists: name, email, company.
async fn customer_card(
    st: &ShopState,
    reseller: &str,
    account: &str,
) -> Result<Value, AccountsError> {
    let profile =
        crate::accounts::records::load(st.orders.store.as_ref(), reseller, account).await?;
    Ok(match profile {
        Some((_, p)) => json!({
            "id": p.id, "name": p.name, "email": p.email,
            "company": p.company.map(|c| c.name),
        }),
        None => json!({"id": account}),
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LimitBody {
    limit: String,
}

/// A customer's credit limit.
#[utoipa::path(
    put,
    path = "/api/panel/customers/{account}/credit-limit",
    tag = "panel",
    summary = "Set a customer's credit limit",
    request_body = LimitBody,
    params(("account" = String, Path, description = "The customer's account id")),
    responses((status = 200, description = "Done"), answers::Staff, answers::BadField, answers::NotFound, (status = 409, description = "More than that is already spent against it", body = crate::error::ErrorBody))
)]
pub(crate) async fn set_credit_limit(
    State(st): State<ShopState>,
    who: Staff,
    Path(account): Path<String>,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let holder = Party::customer(who.reseller(), &account);
    credit_limit(&st, &who, holder, &body).await
}

/// A sub-reseller's credit limit with this reseller.
#[utoipa::path(
    put,
    path = "/api/panel/resellers/{id}/credit-limit",
    tag = "panel",
    summary = "Set a sub-reseller's credit limit",
    request_body = LimitBody,
    params(("id" = String, Path, description = "The sub-reseller")),
    responses((status = 200, description = "Done"), answers::Staff, answers::BadField, answers::NotFound, (status = 409, description = "More than that is already spent against it", body = crate::error::ErrorBody))
)]
pub(crate) async fn set_reseller_credit_limit(
    State(st): State<ShopState>,
    who: Staff,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    credit_limit(&st, &who, Party::reseller(&id), &body).await
}

async fn credit_limit(
    st: &ShopState,
    who: &Staff,
    holder: Party,
    body: &[u8],
) -> Result<Response, AccountsError> {
    let b: LimitBody = who.visit.json(body)?;
    let s = &who.visit.tenant.snapshot;
    let limit: Decimal = b
        .limit
        .trim()
        .parse()
        .ok()
        .filter(|d: &Decimal| {
            !d.is_sign_negative() && d.normalize().scale() <= s.currency.minor_units()
        })
        .ok_or_else(|| {
            said(
                StatusCode::BAD_REQUEST,
                "invalid_value",
                "Enter a credit limit of zero or more.".into(),
                Some("limit".into()),
            )
        })?;
    // Only wallets held with this reseller.
    let Some(w) = st.orders.ledger.wallet(&holder).await? else {
        return Err(ApiError::NotFound.into());
    };
    if w.parent != Party::reseller(who.reseller()) {
        return Err(ApiError::NotFound.into());
    }
    match st.orders.ledger.set_credit_limit(&holder, limit).await {
        Ok(w) => Ok(Json(wallet_view(Some(w), s.currency, who.visit.lang)).into_response()),
        Err(CommitError::Short(_)) => Err(said(
            StatusCode::CONFLICT,
            "limit_in_use",
            "The customer has already spent more than that against the limit.".into(),
            Some("limit".into()),
        )),
        Err(e) => Err(AccountsError::unavailable(e)),
    }
}

// ----- invoices -----

#[derive(Debug, Deserialize)]
pub(crate) struct InvoiceQuery {
    format: Option<String>,
}

/// An invoice as HTML (printable) or PDF. Numbers contain slashes, so the
/// path segment arrives percent-encoded (`INV%2F2026%2F000001`).
fn invoice_response(
    stored: &crate::invoices::Stored,
    format: Option<&str>,
    lang: Locale,
) -> Response {
    let inv = &stored.invoice;
    // Rendering computes the totals; an invoice whose totals cannot be
    // computed (it never should be stored) is reported, not panicked over.
    if let Err(e) = inv.try_totals() {
        return ApiError::unavailable(e).into_response();
    }
    match format {
        Some("pdf") => match storefront_invoice::render_pdf(inv, lang) {
            Ok(bytes) => (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "inline; filename=\"{}.pdf\"",
                            inv.number.replace(['/', '"'], "-")
                        ),
                    ),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => ApiError::unavailable(e).into_response(),
        },
        _ => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                // Self-contained: no scripts, inline styles only.
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'".to_string(),
                ),
            ],
            storefront_invoice::render_html(inv, lang),
        )
            .into_response(),
    }
}

#[utoipa::path(
    get,
    path = "/api/invoices",
    tag = "invoices",
    summary = "The customer's proformas and tax invoices",
    responses((status = 200, description = "Done"), answers::SignedIn)
)]
pub(crate) async fn my_invoices(
    State(st): State<ShopState>,
    who: Signed,
) -> Result<Response, AccountsError> {
    let list = crate::invoices::of(st.orders.store.as_ref(), &who.customer()).await?;
    Ok(Json(list).into_response())
}

#[utoipa::path(
    get,
    path = "/api/invoices/{number}",
    tag = "invoices",
    summary = "An invoice as printable HTML, or PDF with `format=pdf`",
    params(("number" = String, Path, description = "The invoice number, percent-encoded"),("format" = Option<String>, Query, description = "`pdf` for the PDF")),
    responses((status = 200, description = "Done"), answers::SignedIn, answers::NotFound)
)]
pub(crate) async fn my_invoice(
    State(st): State<ShopState>,
    who: Signed,
    Path(number): Path<String>,
    Query(q): Query<InvoiceQuery>,
) -> Result<Response, AccountsError> {
    let seller = Party::reseller(who.reseller());
    match crate::invoices::load(st.orders.store.as_ref(), &seller, &number).await? {
        Some(inv) if inv.buyer == who.customer() => {
            Ok(invoice_response(&inv, q.format.as_deref(), who.visit.lang))
        }
        _ => Err(ApiError::NotFound.into()),
    }
}

#[utoipa::path(
    get,
    path = "/api/panel/invoices",
    tag = "panel",
    summary = "Invoices the reseller's parent issued it",
    responses((status = 200, description = "Done"), answers::Staff)
)]
pub(crate) async fn panel_invoices(
    State(st): State<ShopState>,
    who: Staff,
) -> Result<Response, AccountsError> {
    let list =
        crate::invoices::of(st.orders.store.as_ref(), &Party::reseller(who.reseller())).await?;
    Ok(Json(list).into_response())
}

/// An invoice the reseller's parent issued it.
#[utoipa::path(
    get,
    path = "/api/panel/invoices/{number}",
    tag = "panel",
    summary = "One of them, HTML or PDF",
    params(("number" = String, Path, description = "The invoice number, percent-encoded"),("format" = Option<String>, Query, description = "`pdf` for the PDF")),
    responses((status = 200, description = "Done"), answers::Staff, answers::NotFound)
)]
pub(crate) async fn panel_invoice(
    State(st): State<ShopState>,
    who: Staff,
    Path(number): Path<String>,
    Query(q): Query<InvoiceQuery>,
) -> Result<Response, AccountsError> {
    let s = &who.visit.tenant.snapshot;
    let seller = match &s.parent.id {
        Some(p) => Party::reseller(p),
        None => Party::Platform,
    };
    match crate::invoices::load(st.orders.store.as_ref(), &seller, &number).await? {
        Some(inv) if inv.buyer == Party::reseller(who.reseller()) => {
            Ok(invoice_response(&inv, q.format.as_deref(), who.visit.lang))
        }
        _ => Err(ApiError::NotFound.into()),
    }
}
