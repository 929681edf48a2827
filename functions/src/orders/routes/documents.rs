//! The registrant's documents of an order, for its customer: what each
//! line asks (the catalogue's items, in the reader's language, with their
//! limits), what was sent and how it was reviewed; a new version of an
//! item; a version's file. The reviewers' side is the money desk's.

use super::*;
use crate::documents::{DocError, Documents, Record, Subject};
use storefront_core::documents::{Answer, ItemState, Stored};
use storefront_core::snapshot::Snapshot;

impl ShopState {
    pub fn documents(&self) -> Documents {
        Documents {
            store: self.orders.store.clone(),
            blobs: self.blobs.clone(),
        }
    }
}

/// Which lines of an order ask for documents: registrations and transfers
/// of an extension that has document items, paid and not settled against
/// them (waiting for them, or registered first).
pub(super) fn lines_with_documents<'o>(o: &'o Order, s: &Snapshot) -> Vec<&'o crate::orders::Line> {
    use crate::orders::LineState as L;
    o.lines
        .iter()
        .filter(|l| {
            matches!(
                l.action,
                storefront_core::catalogue::Action::Register
                    | storefront_core::catalogue::Action::Transfer
            ) && s.documents.get(&l.ext).is_some_and(|d| !d.is_empty())
                && matches!(
                    l.state(),
                    L::AwaitingDocuments | L::Paid | L::Provisioning | L::Active
                )
        })
        .collect()
}

pub(super) fn subject<'a>(o: &'a Order, line: &'a crate::orders::Line) -> Subject<'a> {
    Subject {
        order: &o.id,
        line: &line.id,
        reseller: &o.reseller,
        customer: &o.customer,
        domain: &line.domain,
        ext: &line.ext,
    }
}

/// A line's documents as their reader sees them: each item with its label,
/// help and limits in `lang`, its state, what its latest version holds and,
/// when rejected, why.
pub fn set_view(r: &Record, s: &Snapshot, lang: Locale) -> Value {
    let items: Vec<Value> = r
        .set
        .items
        .iter()
        .map(|(id, rec)| {
            let rules = s.document_items.get(id);
            let label = rules.map_or(id.as_str(), |d| d.label.get(lang)).to_string();
            let state = r.set.state(id).unwrap_or(ItemState::Missing);
            let latest = rec.versions.last();
            let holds = latest.map(|v| match &v.stored {
                Stored::File { name, size, .. } => json!({"file": name, "size": size}),
                Stored::Text { text } => json!({"text": text}),
                Stored::Choice { option } => json!({"choice": rules
                    .and_then(|d| d.options.get(*option))
                    .map(|o| o.get(lang).to_string())}),
            });
            let review = latest.and_then(|v| v.review.as_ref());
            json!({
                "id": id,
                "label": label,
                "help": rules.and_then(|d| d.help.as_ref()).map(|h| h.get(lang).to_string()),
                "kind": rules.map(|d| d.kind),
                "accept": rules.map(|d| d.accept.clone()),
                "max_size_kb": rules.and_then(|d| d.max_size_kb),
                "max_length": rules.and_then(|d| d.max_length),
                "options": rules.map(|d| d.options.iter().map(|o| o.get(lang).to_string()).collect::<Vec<_>>()),
                "state": state,
                "version": latest.map(|v| v.n),
                "sent_at": latest.map(|v| v.at.clone()),
                "holds": holds,
                "reason": review.filter(|r| !r.approved).and_then(|r| r.reason.clone()),
                "reviewed_at": review.map(|r| r.at.clone()),
            })
        })
        .collect();
    json!({
        "order": r.order, "line": r.line, "domain": r.domain, "ext": r.ext,
        "complete": r.set.complete(), "waiting": r.set.waiting(), "to_send": r.set.to_send(),
        "items": items,
    })
}

/// A refused document as the API answers it: the problem's status and
/// code, what to fix naming the item in the reader's language, the item as
/// the field.
pub(super) fn doc_failure(e: DocError, s: &Snapshot, lang: Locale) -> AccountsError {
    let label = |item: &str| {
        s.document_items
            .get(item)
            .map_or(item.to_string(), |d| d.label.get(lang).to_string())
    };
    match e {
        DocError::Refused { item, problem } => said(
            StatusCode::from_u16(problem.status()).unwrap_or(StatusCode::BAD_REQUEST),
            problem.code(),
            problem.message(lang, &label(&item)),
            Some(item),
        ),
        DocError::Set { item, error } => said(
            StatusCode::CONFLICT,
            "wrong_state",
            format!("{}: {}", label(&item), error.message(lang)),
            Some(item),
        ),
        e => e.into(),
    }
}

async fn mine(
    st: &ShopState,
    who: &Signed,
    id: &str,
) -> Result<(Order, Arc<Snapshot>), AccountsError> {
    let o = load_mine(st, who, id).await?;
    let s = who.visit.tenant.snapshot.clone();
    Ok((o, s))
}

#[utoipa::path(
    get,
    path = "/api/orders/{id}/documents",
    tag = "orders",
    summary = "The documents each line of the order asks of its registrant: items, limits, what was sent, reviews",
    params(("id" = String, Path, description = "The order")),
    responses((status = 200, description = "Done"), answers::SignedIn, answers::NotFound)
)]
pub(crate) async fn order_documents(
    State(st): State<ShopState>,
    who: Signed,
    Path(id): Path<String>,
) -> Result<Response, AccountsError> {
    let (o, s) = mine(&st, &who, &id).await?;
    let docs = st.documents();
    let mut out = Vec::new();
    for line in lines_with_documents(&o, &s) {
        let r = docs
            .open(&s, &subject(&o, line))
            .await
            .map_err(|e| doc_failure(e, &s, who.visit.lang))?;
        let mut v = set_view(&r, &s, who.visit.lang);
        v["line_state"] = json!(line.state());
        out.push(v);
    }
    Ok(Json(out).into_response())
}

#[derive(Debug, Deserialize)]
pub(crate) struct FileName {
    #[serde(default)]
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TypedAnswer {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    choice: Option<String>,
}

#[utoipa::path(
    put,
    path = "/api/orders/{id}/documents/{line}/{item}",
    tag = "orders",
    summary = "Send a new version of one document item: a file's raw bytes (PDF, PNG or JPEG as the item accepts, judged by its bytes; `?name=` its file name), or JSON `{\"text\": ...}` / `{\"choice\": ...}`",
    params(
        ("id" = String, Path, description = "The order"),
        ("line" = String, Path, description = "The order's line"),
        ("item" = String, Path, description = "The document item, as the catalogue names it"),
        ("name" = Option<String>, Query, description = "The file's name, as the customer's computer calls it")
    ),
    responses((status = 200, description = "Kept: the line's documents"), answers::SignedIn, answers::BadField, answers::NotFound, (status = 409, description = "Already approved", body = crate::error::ErrorBody), (status = 413, description = "Larger than the item allows", body = crate::error::ErrorBody), (status = 415, description = "Not a type the item accepts, or not what it claims to be", body = crate::error::ErrorBody))
)]
pub(crate) async fn send_document(
    State(st): State<ShopState>,
    who: Signed,
    Path((id, line, item)): Path<(String, String, String)>,
    Query(q): Query<FileName>,
    headers: HeaderMap,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let lang = who.visit.lang;
    let (o, s) = mine(&st, &who, &id).await?;
    let Some(l) = lines_with_documents(&o, &s)
        .into_iter()
        .find(|l| l.id == line)
    else {
        return Err(ApiError::NotFound.into());
    };
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    let typed: TypedAnswer;
    let name = q.name.unwrap_or_default();
    let answer = if json_body {
        typed = who.visit.json(&body)?;
        match (&typed.text, &typed.choice) {
            (Some(t), None) => Answer::Text(t),
            (None, Some(c)) => Answer::Choice(c),
            _ => {
                return Err(said(
                    StatusCode::BAD_REQUEST,
                    "required",
                    "Send either {\"text\": ...} or {\"choice\": ...}.".into(),
                    Some(item),
                ));
            }
        }
    } else {
        Answer::File {
            name: &name,
            bytes: &body,
        }
    };
    let at = st.orders.clock.now().to_rfc3339();
    let r = st
        .documents()
        .submit(&s, &subject(&o, l), &item, &answer, &at, &who.profile.id)
        .await
        .map_err(|e| doc_failure(e, &s, lang))?;
    let mut v = set_view(&r, &s, lang);
    v["line_state"] = json!(l.state());
    Ok(Json(v).into_response())
}

#[utoipa::path(
    get,
    path = "/api/orders/{id}/documents/{line}/{item}/{version}",
    tag = "orders",
    summary = "One version of a document file, as sent (a download)",
    params(
        ("id" = String, Path, description = "The order"),
        ("line" = String, Path, description = "The order's line"),
        ("item" = String, Path, description = "The document item"),
        ("version" = u32, Path, description = "The version, from 1")
    ),
    responses((status = 200, description = "The file"), answers::SignedIn, answers::NotFound)
)]
pub(crate) async fn document_file(
    State(st): State<ShopState>,
    who: Signed,
    Path((id, line, item, version)): Path<(String, String, String, u32)>,
) -> Result<Response, AccountsError> {
    let (o, _) = mine(&st, &who, &id).await?;
    let docs = st.documents();
    let Some((r, _)) = docs.get(&o.id, &line).await? else {
        return Err(ApiError::NotFound.into());
    };
    match docs.file(&r, &item, version).await? {
        Some((bytes, ct)) => Ok(download(bytes, ct, "attachment")),
        None => Err(ApiError::NotFound.into()),
    }
}

/// A customer's file (a document, a top-up's proof), served so that it can
/// never run as a page of the storefront: its own type, a sandbox, not
/// stored by caches.
pub fn download(bytes: Vec<u8>, content_type: String, disposition: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition.to_string()),
            (header::CONTENT_SECURITY_POLICY, "sandbox".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}
