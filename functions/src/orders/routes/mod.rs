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
//!
//! One module per deployed function (`wallet`, `shop` for the orders
//! function, `panel`, `invoices`), each with its handlers; what they share
//! is here: the state, the extractors (`Anyone`, `Signed`, `Staff`), the
//! views and how an order error is answered.

use super::engine::{LineRequest, NewOrder, OrderError, Orders, Quote, message};
use super::model::{Order, Payment};
use crate::accounts::AccountsState;
use crate::accounts::error::AccountsError;
use crate::accounts::guard::{self, RawBody, Visit};
use crate::accounts::records::{Profile, Role};
use crate::accounts::roles::{self, Capability as C, Need, Routes};
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

pub mod desk;
mod documents;
mod invoices;
mod panel;
mod shop;
mod wallet;

pub(crate) use documents::*;
pub(crate) use invoices::*;
pub(crate) use panel::*;
pub(crate) use shop::*;
pub(crate) use wallet::*;

pub use desk::{Decided, Desk};
pub use documents::{download, link_files, reviews_documents, root_of, set_view};

#[derive(Debug, Clone)]
pub struct ShopState {
    pub accounts: AccountsState,
    pub orders: Orders,
    pub blobs: Arc<dyn Blobs>,
    /// Makes and checks the documents' short-lived links.
    pub links: crate::links::DocumentLinks,
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

/// A staff member of the storefront, signed in, whose role may do what the
/// route needs (`roles::allows`, the need put on the request by `Routes`):
/// every panel route takes one, so anyone else is refused (401 or 403)
/// before anything is read.
pub struct Staff(Signed);

impl FromRequestParts<ShopState> for Staff {
    type Rejection = AccountsError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ShopState,
    ) -> Result<Self, Self::Rejection> {
        let need = roles::needed(&parts.extensions);
        let who = Signed::from_request_parts(parts, state).await?;
        let role = who.profile.role;
        if !role.is_staff() {
            return Err(ApiError::Forbidden.into());
        }
        match need {
            Some(c) if roles::allows(role, c) => Ok(Staff(who)),
            _ => Err(not_your_role(role, who.visit.lang)),
        }
    }
}

/// 403 for a staff member whose role may not use a route.
fn not_your_role(role: Role, lang: Locale) -> AccountsError {
    let message = match lang {
        Locale::Id => format!("Peran Anda ({}) tidak dapat membuka ini.", role.key()),
        Locale::Pl => format!(
            "Twoja rola ({}) nie daje dostępu do tej funkcji.",
            role.key()
        ),
        _ => format!("Your role ({}) may not use this.", role.key()),
    };
    said(StatusCode::FORBIDDEN, "role_forbidden", message, None)
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

pub(super) fn said(
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
pub(super) fn order_error(e: OrderError, lang: Locale) -> Response {
    if let OrderError::PriceChanged(q) = &e {
        let body = json!({"error": "price_changed", "message": message(&e, lang), "quote": quote_view(q, lang)});
        return (StatusCode::CONFLICT, Json(body)).into_response();
    }
    order_failure(e, lang).into_response()
}

/// An order error as a status, a code, a message in `lang` and the field
/// to fix (a changed price's new quote is `order_error`'s to add).
pub(super) fn order_failure(e: OrderError, lang: Locale) -> AccountsError {
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
        OrderError::PriceChanged(_) => (StatusCode::CONFLICT, "price_changed", None),
        OrderError::InsufficientBalance => {
            (StatusCode::PAYMENT_REQUIRED, "insufficient_balance", None)
        }
        OrderError::SellerShort { .. } => (StatusCode::CONFLICT, "seller_unavailable", None),
        // 403: the request is sound and signed in, but this storefront
        // refuses new sales until the platform says otherwise; trying again
        // will not help, so not 503 (nor any 5xx: nothing failed). Not 423
        // either: that is WebDAV's lock, which a client may try to unlock.
        OrderError::NotTakingOrders => (StatusCode::FORBIDDEN, "not_taking_orders", None),
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
        OrderError::NotFound => return ApiError::NotFound.into(),
        OrderError::WrongState => (StatusCode::CONFLICT, "wrong_state", None),
        OrderError::NotDeleted { .. } => (StatusCode::CONFLICT, "not_deleted", None),
        OrderError::DeletionUnknown { .. } => {
            (StatusCode::SERVICE_UNAVAILABLE, "registry_unknown", None)
        }
        OrderError::Store(e) => return AccountsError::unavailable(e),
    };
    said(status, code, msg, field)
}

pub(super) fn money(
    amount: Decimal,
    s: &storefront_core::snapshot::Snapshot,
    lang: Locale,
) -> Value {
    json!({
        "amount": amount.to_string(),
        "display": Money::new(amount, s.currency).format(lang),
    })
}

pub(super) fn money_in(amount: Decimal, c: storefront_core::Currency, lang: Locale) -> Value {
    json!({"amount": amount.to_string(), "display": Money::new(amount, c).format(lang)})
}

/// A quote as the customer sees it: never the levels' costs.
pub(super) fn quote_view(q: &Quote, lang: Locale) -> Value {
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
            "documents": l.documents,
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
pub(super) fn order_view(o: &Order, lang: Locale) -> Value {
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
pub(super) fn panel_order_view(o: &Order, lang: Locale) -> Value {
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

/// Stored summaries (orders, invoices) with their gross formatted for the
/// reader's language (`gross_display`): the browser formats no money.
pub(super) fn summaries(page: crate::paging::Page<Value>, lang: Locale) -> Response {
    crate::paging::Page {
        items: displayed(page.items, lang),
        next: page.next,
    }
    .into_response(&[])
}

fn displayed(mut list: Vec<Value>, lang: Locale) -> Vec<Value> {
    for item in &mut list {
        let currency =
            serde_json::from_value::<storefront_core::Currency>(item["currency"].clone());
        let amount = item["gross"]
            .as_str()
            .and_then(|g| g.parse::<Decimal>().ok());
        if let (Ok(c), Some(a)) = (currency, amount) {
            item["gross_display"] = json!(Money::new(a, c).format(lang));
        }
    }
    list
}

/// A list of top-ups, newest first, as its holder or their parent sees it.
pub(super) fn topups_view(page: crate::paging::Page<TopUp>, lang: Locale) -> Response {
    page.map(|t| topup_view(&t, lang)).into_response(&[])
}

pub(super) fn topup_view(t: &TopUp, lang: Locale) -> Value {
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

/// The largest document file any catalogue item may ask for (8 MB for a
/// deed), with room to spare: the items' own limits are checked inside.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// What every shop function's routes share: the body limit (a document is
/// the largest body) and the same-origin guard, which also marks answers
/// `no-store`.
pub(super) fn guarded(routes: Router<ShopState>, state: ShopState) -> Router {
    routes
        .layer(DefaultBodyLimit::max(
            MAX_PROOF_BYTES.max(MAX_DOCUMENT_BYTES) + 1024,
        ))
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

/// The orders function: `/api/orders*`, `/api/domains*`, the list of the
/// customer's invoices, and a document's file through its short-lived link
/// (`/api/documents/file`, for its customer and its reviewers alike).
pub fn orders_router(state: ShopState) -> Router {
    let routes = Router::new()
        .route("/api/orders/quote", post(quote))
        .route("/api/orders", get(my_orders).post(create_order))
        .route("/api/orders/{id}", get(my_order))
        .route("/api/orders/{id}/cancel", post(cancel_order))
        .route("/api/orders/{id}/documents", get(order_documents))
        .route(
            "/api/orders/{id}/documents/{line}/reuse",
            post(reuse_documents),
        )
        .route(
            "/api/orders/{id}/documents/{line}/{item}",
            put(send_document),
        )
        .route(
            "/api/orders/{id}/documents/{line}/{item}/uploads",
            post(start_upload),
        )
        .route(
            "/api/orders/{id}/documents/{line}/{item}/uploads/{upload}/complete",
            post(complete_upload),
        )
        .route("/api/documents/file", get(linked_file))
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
        .merge(panel_invoice_routes().into_router());
    guarded(routes, state)
}

/// The invoices function's panel route, with what it needs.
pub fn panel_invoice_routes() -> Routes<ShopState> {
    Routes::new().get(
        "/api/panel/invoices/{number}",
        Need::Staff(C::Invoices),
        panel_invoice,
    )
}

/// The panel function: `/api/panel/*`.
pub fn panel_router(state: ShopState) -> Router {
    guarded(panel_routes().into_router(), state)
}

/// Every `/api/panel/*` route (of the panel and invoices functions) with
/// what it needs: what the role matrix test walks.
pub fn panel_table() -> Vec<roles::RouteEntry> {
    let mut t = panel_routes().table().to_vec();
    t.extend_from_slice(panel_invoice_routes().table());
    t
}

/// The panel function's routes, each with the capability it needs.
pub fn panel_routes() -> Routes<ShopState> {
    let s = Need::Staff;
    Routes::new()
        .get("/api/panel/invoices", s(C::Invoices), panel_invoices)
        .get("/api/panel/topups", s(C::TopUps), panel_topups)
        .post(
            "/api/panel/topups/{id}/approve",
            s(C::TopUps),
            approve_topup,
        )
        .post("/api/panel/topups/{id}/reject", s(C::TopUps), reject_topup)
        .get("/api/panel/topups/{id}/proof", s(C::TopUps), topup_proof)
        .get("/api/panel/wallet", s(C::Wallet), panel_wallet)
        .get("/api/panel/wallet/topups", s(C::Wallet), panel_my_topups)
        .post(
            "/api/panel/wallet/topups",
            s(C::Wallet),
            panel_request_topup,
        )
        .get("/api/panel/orders", s(C::Orders), panel_orders)
        .get("/api/panel/orders/{id}", s(C::Orders), panel_order)
        .post(
            "/api/panel/orders/{id}/mark-paid",
            s(C::OrderPayments),
            mark_paid,
        )
        .post("/api/panel/orders/{id}/refund", s(C::OrderPayments), refund)
        .get("/api/panel/domains", s(C::Orders), panel_domains)
        .get("/api/panel/customers", s(C::Customers), panel_customers)
        .put(
            "/api/panel/customers/{account}/credit-limit",
            s(C::CreditLimits),
            set_credit_limit,
        )
        .put(
            "/api/panel/resellers/{id}/credit-limit",
            s(C::CreditLimits),
            set_reseller_credit_limit,
        )
}
