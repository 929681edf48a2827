//! The orders function: quotes, orders, domains and the list of a
//! customer's invoices.

use super::*;
use crate::orders::model::DomainStatus;

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
    responses((status = 200, description = "Done"), (status = 400, description = "A field is wrong; `field` names it (`code` for a discount code that is unknown, not valid today or for nothing in the cart)", body = crate::error::ErrorBody), (status = 429, description = "Too many quotes from this address while signed out", body = crate::error::ErrorBody), (status = 403, description = "`not_taking_orders`: the storefront takes no new registrations or transfers for now (renewals go on)", body = crate::error::ErrorBody), (status = 409, description = "A name is not available", body = crate::error::ErrorBody), (status = 503, description = "The registry did not answer", body = crate::error::ErrorBody))
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
pub(super) const MAX_KEY: usize = 100;

#[utoipa::path(
    post,
    path = "/api/orders",
    tag = "orders",
    summary = "Order a quote, paid from the wallet or by bank transfer. Needs an `Idempotency-Key` header: the same key with the same request returns the same order (200), with another request 422",
    request_body = OrderBody,
    params(("Idempotency-Key" = String, Header, description = "A new random value per order attempt")),
    responses((status = 201, description = "Done"), answers::SignedIn, answers::BadField, (status = 403, description = "`not_taking_orders`: the storefront takes no new registrations or transfers for now (renewals go on)", body = crate::error::ErrorBody), (status = 402, description = "The wallet does not cover it", body = crate::error::ErrorBody), (status = 409, description = "`price_changed` (the body carries the new quote), `quote_expired`, `seller_unavailable`, or `discount_code_used_up`", body = crate::error::ErrorBody), (status = 422, description = "The Idempotency-Key was used for another request", body = crate::error::ErrorBody))
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
    params(crate::paging::Before),
    responses((status = 200, description = "Done; 50 a page, the next in a `Link` header"), answers::SignedIn)
)]
pub(crate) async fn my_orders(
    State(st): State<ShopState>,
    who: Signed,
    Query(q): Query<crate::paging::Before>,
) -> Result<Response, AccountsError> {
    let page = st
        .orders
        .orders_of(
            who.reseller(),
            &who.profile.id,
            q.cursor(),
            crate::paging::PER_PAGE,
        )
        .await?;
    Ok(summaries(page, who.visit.lang))
}

pub(super) async fn load_mine(
    st: &ShopState,
    who: &Signed,
    id: &str,
) -> Result<Order, AccountsError> {
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

#[derive(Debug, Deserialize)]
pub(crate) struct DomainsQuery {
    status: Option<String>,
}

impl DomainsQuery {
    /// The list asked for: None for all; a status that is none of the four
    /// is a 400 naming the field.
    pub(crate) fn status(&self, lang: Locale) -> Result<Option<DomainStatus>, AccountsError> {
        match self.status.as_deref().filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(typed) => DomainStatus::parse(typed).map(Some).map_err(|e| {
                said(
                    StatusCode::BAD_REQUEST,
                    "invalid_value",
                    e.message(lang),
                    Some("status".into()),
                )
            }),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/domains",
    tag = "domains",
    summary = "The customer's domains (status as of the storefront's day, expiry, auto-renew) with how many are in each of the four lists; `status` keeps one list. A paid order line waiting for its documents before registration is listed under `awaiting_documents` with its `order`",
    params(("status" = Option<String>, Query, description = "`active`, `expired`, `awaiting_documents` or `deleted`; all when absent")),
    responses((status = 200, description = "`{status, counts: {active, expired, awaiting_documents, deleted}, domains}`"), answers::SignedIn, answers::BadField)
)]
pub(crate) async fn my_domains(
    State(st): State<ShopState>,
    who: Signed,
    Query(q): Query<DomainsQuery>,
) -> Result<Response, AccountsError> {
    let status = q.status(who.visit.lang)?;
    let today = who.visit.tenant.snapshot.today(st.orders.clock.now());
    let list = crate::orders::domain_list::of_customer(
        &st.orders,
        who.reseller(),
        &who.profile.id,
        today,
        status,
    )
    .await?;
    Ok(Json(list.to_json()).into_response())
}

pub(super) fn domain_view(d: &crate::orders::model::Domain) -> Value {
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

#[utoipa::path(
    get,
    path = "/api/invoices",
    tag = "invoices",
    summary = "The customer's proformas and tax invoices",
    params(crate::paging::Before),
    responses((status = 200, description = "Done; 50 a page, newest first, the next in a `Link` header"), answers::SignedIn)
)]
pub(crate) async fn my_invoices(
    State(st): State<ShopState>,
    who: Signed,
    Query(q): Query<crate::paging::Before>,
) -> Result<Response, AccountsError> {
    let page = crate::invoices::of(
        st.orders.store.as_ref(),
        &who.customer(),
        q.cursor(),
        crate::paging::PER_PAGE,
    )
    .await?;
    Ok(summaries(page, who.visit.lang))
}
