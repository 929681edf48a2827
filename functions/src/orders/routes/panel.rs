//! The panel function: what the storefront's owner and admins run.

use super::*;

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
    Ok(topups_view(&list, who.visit.lang))
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

pub(super) async fn decide(
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
    Ok(topups_view(&list, who.visit.lang))
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
    let s = &who.visit.tenant.snapshot;
    let parent = match &s.parent.id {
        Some(p) => Party::reseller(p),
        None => Party::Platform,
    };
    let to = (parent, s.parent.bank_accounts.as_slice());
    ask_for_topup(&st, &who, Party::reseller(who.reseller()), to, &body).await
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
    Ok(summaries(list, who.visit.lang))
}

pub(super) async fn load_panel(
    st: &ShopState,
    who: &Staff,
    id: &str,
) -> Result<Order, AccountsError> {
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
pub(super) async fn customer_card(
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

pub(super) async fn credit_limit(
    st: &ShopState,
    who: &Staff,
    holder: Party,
    body: &[u8],
) -> Result<Response, AccountsError> {
    let b: LimitBody = who.visit.json(body)?;
    let s = &who.visit.tenant.snapshot;
    let limit: Decimal = storefront_core::money::parse_typed(&b.limit, s.currency)
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
    Ok(summaries(list, who.visit.lang))
}
