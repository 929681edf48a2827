//! The wallet function: a customer's wallet, its top-ups and their proofs.

use super::*;

// ----- wallet -----

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TopUpBody {
    /// As typed, in the wallet's currency: "250000", "Rp 250.000",
    /// "1 234,56 zł" (thousands grouped by three; read by
    /// `storefront_core::money::parse_typed`).
    pub(super) amount: String,
    pub(super) bank_account: String,
    pub(super) transfer_reference: String,
}

/// Check a top-up request against the bank accounts it may name.
pub(super) fn topup_fields(
    (amount, bank_account, transfer_reference): (&str, &str, &str),
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
    // As the person typed it, read the one way core reads typed amounts.
    let parsed = storefront_core::money::parse_typed(amount, currency);
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
    if !accounts.iter().any(|a| a.id == bank_account) {
        return Err(bad(
            "bank_account",
            "Choose one of the bank accounts listed.",
            "Pilih salah satu rekening yang tercantum.",
            "Wybierz jedno z podanych kont.",
        ));
    }
    let reference = transfer_reference.trim();
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
    Ok((amount, bank_account.to_string(), reference.to_string()))
}

pub(super) fn wallet_view(
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
    params(crate::paging::Before),
    responses((status = 200, description = "Done; 50 a page, the next in a `Link` header"), answers::SignedIn)
)]
pub(crate) async fn my_topups(
    State(st): State<ShopState>,
    who: Signed,
    Query(q): Query<crate::paging::Before>,
) -> Result<Response, AccountsError> {
    let page = st
        .orders
        .ledger
        .topups_of(&who.customer(), q.cursor(), crate::paging::PER_PAGE)
        .await?;
    Ok(topups_view(page, who.visit.lang))
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
    let s = &who.visit.tenant.snapshot;
    let parent = Party::reseller(who.reseller());
    let to = (parent, s.bank_accounts.as_slice());
    ask_for_topup(&st, &who, who.customer(), to, &body).await
}

/// A top-up request by `holder` to the parent in `to`, naming one of that
/// parent's bank accounts: checked, stored, answered 201.
pub(super) async fn ask_for_topup(
    st: &ShopState,
    who: &Signed,
    holder: Party,
    to: (Party, &[storefront_core::snapshot::BankAccount]),
    body: &[u8],
) -> Result<Response, AccountsError> {
    let b: TopUpBody = who.visit.json(body)?;
    let s = &who.visit.tenant.snapshot;
    let (parent, accounts) = to;
    let (amount, bank_account, transfer_reference) = topup_fields(
        (&b.amount, &b.bank_account, &b.transfer_reference),
        accounts,
        s.currency,
        who.visit.lang,
    )?;
    let t = st
        .orders
        .ledger
        .request_topup(TopUpRequest {
            holder,
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

pub(super) async fn attach_proof(
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
