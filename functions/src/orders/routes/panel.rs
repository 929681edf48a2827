//! The panel function: what the storefront's owner and admins run.

use super::*;

// ----- the panel -----

#[derive(Debug, Deserialize)]
pub(crate) struct PanelTopupsQuery {
    state: Option<String>,
    /// The next page's cursor (see `paging`).
    before: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/panel/topups",
    tag = "panel",
    summary = "Top-ups asked of this reseller by its customers and sub-resellers: pending, or `state=all`",
    params(
        ("state" = Option<String>, Query, description = "`all` for decided ones too"),
        ("before" = Option<String>, Query, description = "The next page, as the `Link` header gave it"),
    ),
    responses((status = 200, description = "Done; 50 a page, newest first, the next in a `Link` header"), answers::Staff)
)]
pub(crate) async fn panel_topups(
    State(st): State<ShopState>,
    who: Staff,
    Query(q): Query<PanelTopupsQuery>,
) -> Result<Response, AccountsError> {
    let pending = q.state.as_deref() != Some("all");
    let before = q.before.as_deref().filter(|b| !b.is_empty());
    let page = desk(&st, &who)
        .topups(pending, before, crate::paging::PER_PAGE)
        .await?;
    Ok(page.into_response(if pending { &[] } else { &[("state", "all")] }))
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
    decided(desk(&st, &who).decide(&id, true, None).await?)
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
    let reason = desk::reason(&b.reason, who.visit.lang)?;
    decided(desk(&st, &who).decide(&id, false, Some(reason)).await?)
}

/// The desk of the staff member signed in.
fn desk<'a>(st: &'a ShopState, who: &'a Staff) -> Desk<'a> {
    Desk {
        shop: st,
        reseller: who.reseller(),
        by: &who.profile.id,
        lang: who.visit.lang,
        snapshot: &who.visit.tenant.snapshot,
        actor: crate::audit::Actor::of(&who.profile, who.visit.ip),
        console: false,
    }
}

fn decided(d: Decided) -> Result<Response, AccountsError> {
    Ok(match d {
        Decided::Now(t) => Json(t).into_response(),
        Decided::Already(t) => {
            let body = json!({"error": "already_decided", "message": "This top-up was already decided.", "topup": t});
            (StatusCode::CONFLICT, Json(body)).into_response()
        }
    })
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
    let (bytes, ct) = desk(&st, &who).proof(&id).await?;
    Ok(download(bytes, ct, "attachment"))
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
    Ok(Json(desk(&st, &who).wallet().await?).into_response())
}

#[utoipa::path(
    get,
    path = "/api/panel/wallet/topups",
    tag = "panel",
    summary = "The reseller's own top-up requests to its parent",
    params(crate::paging::Before),
    responses((status = 200, description = "Done; 50 a page, newest first, the next in a `Link` header"), answers::Staff)
)]
pub(crate) async fn panel_my_topups(
    State(st): State<ShopState>,
    who: Staff,
    Query(q): Query<crate::paging::Before>,
) -> Result<Response, AccountsError> {
    let page = desk(&st, &who)
        .my_topups(q.cursor(), crate::paging::PER_PAGE)
        .await?;
    Ok(page.into_response(&[]))
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
    let t = desk(&st, &who)
        .ask_for_topup(&b.amount, &b.bank_account, &b.transfer_reference)
        .await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

#[utoipa::path(
    get,
    path = "/api/panel/orders",
    tag = "panel",
    summary = "The storefront's orders, newest first",
    params(crate::paging::Before),
    responses((status = 200, description = "Done; 50 a page, the next in a `Link` header"), answers::Staff)
)]
pub(crate) async fn panel_orders(
    State(st): State<ShopState>,
    who: Staff,
    Query(q): Query<crate::paging::Before>,
) -> Result<Response, AccountsError> {
    let page = desk(&st, &who)
        .orders(q.cursor(), crate::paging::PER_PAGE)
        .await?;
    Ok(page.into_response(&[]))
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
    Ok(Json(desk(&st, &who).order(&id).await?).into_response())
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
    Ok(Json(desk(&st, &who).mark_paid(&id).await?).into_response())
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
    let b: RefundBody = who.visit.json(&body)?;
    let o = desk(&st, &who)
        .refund(&id, b.line.as_deref(), &b.reason)
        .await?;
    Ok(Json(o).into_response())
}

#[utoipa::path(
    get,
    path = "/api/panel/domains",
    tag = "panel",
    summary = "The storefront's customers' domains in the four lists (status as of the storefront's day), each with its customer, and how many are in each list; `status` keeps one list",
    params(("status" = Option<String>, Query, description = "`active`, `expired`, `awaiting_documents` or `deleted`; all when absent")),
    responses(
        (status = 200, description = "`{status, counts, domains}`"),
        (status = 400, description = "A status that is none of the four", body = crate::error::ErrorBody),
        answers::Staff
    )
)]
pub(crate) async fn panel_domains(
    State(st): State<ShopState>,
    who: Staff,
    Query(q): Query<super::shop::DomainsQuery>,
) -> Result<Response, AccountsError> {
    let status = q.status(who.visit.lang)?;
    let list = desk(&st, &who).domain_list(status).await?;
    Ok(Json(list.to_json()).into_response())
}

/// Which customers to list, and where to go on from. (Any request may
/// also carry the page's `lang`, so other parameters are not refused.)
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub(crate) struct CustomersQuery {
    /// The start of a name (or, with `by=email`, of an email address).
    #[serde(default)]
    q: Option<String>,
    /// `name` (the default) or `email`.
    #[serde(default)]
    by: Option<String>,
    /// The cursor the previous page's `Link: rel="next"` carried.
    #[serde(default)]
    after: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/panel/customers",
    tag = "panel",
    summary = "The storefront's customers by name (every account, with its wallet), 50 a page; `q` searches the start of a name, or of an email with `by=email`; the next page is linked in a `Link: rel=\"next\"` header",
    params(CustomersQuery),
    responses(
        (status = 200, description = "Done"),
        (status = 400, description = "A cursor this list did not give (`field`: `after`)", body = crate::error::ErrorBody),
        answers::Staff
    )
)]
pub(crate) async fn panel_customers(
    State(st): State<ShopState>,
    who: Staff,
    Query(q): Query<CustomersQuery>,
) -> Result<Response, AccountsError> {
    let by = crate::accounts::customers::By::parse(q.by.as_deref().unwrap_or("name"));
    let typed = q.q.as_deref().unwrap_or_default();
    let after = q.after.as_deref().filter(|a| !a.is_empty());
    let (list, next) = desk(&st, &who)
        .customers(by, typed, after, crate::paging::PER_PAGE)
        .await?;
    let mut res = Json(list).into_response();
    // The next page, as the other lists link theirs, but going on by name
    // (`after`), not back in time.
    if let Some(n) = next {
        let link = format!(
            "<?q={}&by={}&after={}>; rel=\"next\"",
            query_value(typed),
            by.key(),
            query_value(&n)
        );
        if let Ok(v) = axum::http::HeaderValue::from_str(&link) {
            res.headers_mut().insert(header::LINK, v);
        }
    }
    Ok(res)
}

/// A query parameter's value, percent-encoded.
fn query_value(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Who a customer is, for the reseller's lists: name, email, company,
/// postal address.
pub(super) async fn customer_card(
    st: &ShopState,
    reseller: &str,
    account: &str,
) -> Result<Value, AccountsError> {
    let store = st.orders.store.as_ref();
    let profile = crate::accounts::records::load(store, reseller, account).await?;
    Ok(match profile {
        Some((_, p)) => json!({
            "id": p.id, "name": p.name, "email": p.email,
            "company": p.company.map(|c| c.name),
            "address": crate::accounts::address::load(store, reseller, account).await?,
        }),
        None => json!({"id": account}),
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LimitBody {
    /// As typed, in the storefront's currency, like a top-up's amount.
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
    let w = desk(st, who).set_credit_limit(holder, &b.limit).await?;
    Ok(Json(w).into_response())
}

#[utoipa::path(
    get,
    path = "/api/panel/invoices",
    tag = "panel",
    summary = "Invoices the reseller's parent issued it",
    params(crate::paging::Before),
    responses((status = 200, description = "Done; 50 a page, newest first, the next in a `Link` header"), answers::Staff)
)]
pub(crate) async fn panel_invoices(
    State(st): State<ShopState>,
    who: Staff,
    Query(q): Query<crate::paging::Before>,
) -> Result<Response, AccountsError> {
    let page = desk(&st, &who)
        .invoices(q.cursor(), crate::paging::PER_PAGE)
        .await?;
    Ok(page.into_response(&[]))
}
