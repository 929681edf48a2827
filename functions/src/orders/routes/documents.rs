//! The registrant's documents of an order, for its customer: what each
//! line asks (the catalogue's items, in the reader's language, with their
//! limits), what was sent and how it was reviewed; a new version of an
//! item. The reviewers' side is the money desk's.
//!
//! A version's file is read through a short-lived link (`crate::links`)
//! each documents view gives its reader: `GET /api/documents/file?t=`
//! answers only a link that is intact and a session that may read it (the
//! order's customer with a customer's link, a reviewer of the order's own
//! storefront with a staff link); anyone else gets 404.
//!
//! A file comes one of two ways, judged alike by its bytes:
//!
//! - through the API: `PUT .../{line}/{item}` with the raw bytes (a local
//!   folder's blobs; the body limit is `MAX_DOCUMENT_BYTES`);
//! - straight to the blob store (S3, where a Lambda's body is capped at
//!   6 MB): `POST .../uploads` hands out a presigned POST to a quarantine
//!   key whose policy carries the item's size and type limits, the browser
//!   sends the file there, then `POST .../uploads/{upload}/complete` reads
//!   it back, judges it as the PUT would, keeps it as a version, and deletes
//!   the quarantine object whatever the verdict.

use super::*;
use crate::blobs::UploadLimits;
use crate::documents::{DocError, Documents, Record, Subject};
use crate::links::{Audience, DocumentLinks, Owners, Reader, may_read};
use chrono::{DateTime, Utc};
use storefront_core::catalogue::{DocumentItem, DocumentKind};
use storefront_core::documents::{
    Answer, DocProblem, ItemState, SetError, Stored, accepted_content_types, max_bytes,
};
use storefront_core::snapshot::Snapshot;

/// How long a browser may use an upload ticket.
pub const UPLOAD_TICKET_SECS: u64 = 15 * 60;

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
                Stored::File {
                    name,
                    size,
                    content_type,
                    ..
                } => json!({"file": name, "size": size, "content_type": content_type}),
                Stored::Text { text } => json!({"text": text}),
                Stored::Choice { option } => json!({"choice": rules
                    .and_then(|d| d.options.get(*option))
                    .map(|o| o.get(lang).to_string())}),
            });
            let review = latest.and_then(|v| v.review.as_ref());
            let reused = latest.and_then(|v| v.reused.as_ref()).map(|o| {
                json!({"order": o.order, "domain": o.domain, "approved_by": review.map(|r| r.by.clone())})
            });
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
                "reused": reused,
                // Whose review it waits for (with both reviewing, the
                // storefront's approval hands it to the platform).
                "turn": latest.filter(|v| v.review.is_none()).map(|v| {
                    r.reviewers.turn(v.first.as_ref().is_some_and(|f| f.approved))
                }),
            })
        })
        .collect();
    json!({
        "order": r.order, "line": r.line, "domain": r.domain, "ext": r.ext,
        "complete": r.set.complete(), "waiting": r.set.waiting(), "to_send": r.set.to_send(),
        "items": items,
        "deleted": r.deleted.as_ref().map(|t| t.message(&r.domain, lang)),
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
        DocError::Set { item, error } if !item.is_empty() => said(
            StatusCode::CONFLICT,
            "wrong_state",
            format!("{}: {}", label(&item), error.message(lang)),
            Some(item),
        ),
        DocError::Set { item, error } if item.is_empty() => said(
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::CONFLICT),
            error.code(),
            error.message(lang),
            None,
        ),
        DocError::Deleted { domain, tombstone } => said(
            StatusCode::GONE,
            "deleted",
            tombstone.message(&domain, lang),
            None,
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
        v["reuse"] = json!(docs.offers(&r).await?);
        customer_links(&st, &who, &mut v);
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
    customer_links(&st, &who, &mut v);
    Ok(Json(v).into_response())
}

/// Where a browser's upload waits to be judged: the bucket's lifecycle
/// expires what a completion never deleted.
fn quarantine_key(order: &str, line: &str, item: &str, upload: &str) -> String {
    format!("quarantine/{order}/{line}/{item}/{upload}")
}

/// An upload id as `start_upload` makes them: 32 lowercase hex digits.
fn is_upload_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The rules of a file `item` on this line that may take a new version:
/// not a document the line asks for, 404; not a file, 400; approved, 409.
async fn file_rules<'s>(
    docs: &Documents,
    s: &'s Snapshot,
    sub: &Subject<'_>,
    item: &str,
) -> Result<&'s DocumentItem, DocError> {
    let record = docs.open(s, sub).await?;
    let Some(rules) = s
        .document_items
        .get(item)
        .filter(|_| record.set.items.contains_key(item))
    else {
        return Err(DocError::NotFound);
    };
    if rules.kind != DocumentKind::File {
        return Err(DocError::Refused {
            item: item.into(),
            problem: DocProblem::WrongKind,
        });
    }
    if record.set.state(item) == Some(ItemState::Approved) {
        return Err(DocError::Set {
            item: item.into(),
            error: SetError::AlreadyApproved,
        });
    }
    Ok(rules)
}

/// The item's label in `lang`, as the document errors name it.
fn label(s: &Snapshot, item: &str, lang: Locale) -> String {
    s.document_items
        .get(item)
        .map_or(item.to_string(), |d| d.label.get(lang).to_string())
}

/// An upload's own problems, said as the document errors are.
fn upload_failure(
    status: StatusCode,
    code: &'static str,
    what: String,
    item: &str,
) -> AccountsError {
    said(status, code, what, Some(item.to_string()))
}

/// A completion for an upload that never reached the blob store (or was
/// already completed): the customer sends the file again.
fn not_uploaded(s: &Snapshot, item: &str, lang: Locale) -> AccountsError {
    let what = match lang {
        Locale::En => "the file did not arrive. Choose the file and send it again.",
        Locale::Id => "berkas tidak sampai. Pilih berkasnya dan kirim lagi.",
        Locale::Pl => "plik nie dotarł. Wybierz plik i wyślij go ponownie.",
    };
    upload_failure(
        StatusCode::BAD_REQUEST,
        "not_uploaded",
        format!("{}: {what}", label(s, item, lang)),
        item,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadRequest {
    /// The type the browser will declare for the file (`File.type`).
    #[serde(default)]
    content_type: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/orders/{id}/documents/{line}/{item}/uploads",
    tag = "orders",
    summary = "How to send a file for a document item: `{\"method\": \"PUT\", \"url\"}` (send the bytes to the API, as `PUT .../{item}`), or `{\"method\": \"POST\", \"url\", \"fields\", \"upload\"}` (a form POST straight to storage, the fields then the file as `file`; then complete the upload). JSON body, optional: `{\"content_type\": ...}`, the type the file will be sent as",
    params(
        ("id" = String, Path, description = "The order"),
        ("line" = String, Path, description = "The order's line"),
        ("item" = String, Path, description = "The document item, a file")
    ),
    responses((status = 200, description = "How to send the file"), answers::SignedIn, answers::BadField, answers::NotFound, (status = 409, description = "Already approved", body = crate::error::ErrorBody), (status = 415, description = "Not a type the item accepts", body = crate::error::ErrorBody))
)]
pub(crate) async fn start_upload(
    State(st): State<ShopState>,
    who: Signed,
    Path((id, line, item)): Path<(String, String, String)>,
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
    let asked: UploadRequest = if body.iter().all(u8::is_ascii_whitespace) {
        UploadRequest::default()
    } else {
        who.visit.json(&body)?
    };
    let docs = st.documents();
    let rules = file_rules(&docs, &s, &subject(&o, l), &item)
        .await
        .map_err(|e| doc_failure(e, &s, lang))?;
    let accepted = accepted_content_types(rules);
    let refused = || {
        doc_failure(
            DocError::Refused {
                item: item.clone(),
                problem: DocProblem::NotAccepted {
                    accepted: rules.accept.clone(),
                },
            },
            &s,
            lang,
        )
    };
    let content_type = match asked.content_type.as_deref().map(str::trim) {
        Some(t) => *accepted
            .iter()
            .find(|a| a.eq_ignore_ascii_case(t))
            .ok_or_else(refused)?,
        None if accepted.len() == 1 => accepted[0],
        None => {
            let what = match lang {
                Locale::En => "say which type of file you will send (content_type).",
                Locale::Id => "sebutkan jenis berkas yang akan dikirim (content_type).",
                Locale::Pl => "podaj rodzaj pliku, który wyślesz (content_type).",
            };
            return Err(said(
                StatusCode::BAD_REQUEST,
                "required",
                format!("{}: {what}", label(&s, &item, lang)),
                Some("content_type".into()),
            ));
        }
    };
    let upload = crate::accounts::secrets::new_id().map_err(AccountsError::unavailable)?;
    let key = quarantine_key(&o.id, &l.id, &item, &upload);
    let limits = UploadLimits {
        key: &key,
        max_bytes: max_bytes(rules),
        content_type,
        valid_for: std::time::Duration::from_secs(UPLOAD_TICKET_SECS),
    };
    let v = match st.blobs.upload_ticket(&limits).await? {
        Some(t) => json!({
            "method": "POST",
            "url": t.url,
            "fields": t.fields.into_iter().map(|(k, v)| (k, Value::String(v))).collect::<serde_json::Map<String, Value>>(),
            "upload": upload,
            "max_bytes": limits.max_bytes,
        }),
        None => json!({
            "method": "PUT",
            "url": format!("/api/orders/{}/documents/{}/{}", o.id, l.id, item),
            "max_bytes": limits.max_bytes,
        }),
    };
    Ok(Json(v).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Completion {
    /// The file's name, as the customer's computer calls it.
    #[serde(default)]
    name: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/orders/{id}/documents/{line}/{item}/uploads/{upload}/complete",
    tag = "orders",
    summary = "Take a file sent straight to storage as a new version of the item: read back, judged by its bytes and size as a PUT is, kept or refused; the upload is deleted either way. JSON body, optional: `{\"name\": ...}`, the file's name",
    params(
        ("id" = String, Path, description = "The order"),
        ("line" = String, Path, description = "The order's line"),
        ("item" = String, Path, description = "The document item, a file"),
        ("upload" = String, Path, description = "The upload, as `.../uploads` named it")
    ),
    responses((status = 200, description = "Kept: the line's documents"), answers::SignedIn, answers::BadField, answers::NotFound, (status = 409, description = "Already approved", body = crate::error::ErrorBody), (status = 413, description = "Larger than the item allows", body = crate::error::ErrorBody), (status = 415, description = "Not a type the item accepts, or not what it claims to be", body = crate::error::ErrorBody))
)]
pub(crate) async fn complete_upload(
    State(st): State<ShopState>,
    who: Signed,
    Path((id, line, item, upload)): Path<(String, String, String, String)>,
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
    let asked: Completion = if body.iter().all(u8::is_ascii_whitespace) {
        Completion::default()
    } else {
        who.visit.json(&body)?
    };
    if !is_upload_id(&upload) {
        return Err(not_uploaded(&s, &item, lang));
    }
    let key = quarantine_key(&o.id, &l.id, &item, &upload);
    let Some(size) = st.blobs.size(&key).await? else {
        return Err(not_uploaded(&s, &item, lang));
    };
    let docs = st.documents();
    let sub = subject(&o, l);
    let kept = async {
        let rules = file_rules(&docs, &s, &sub, &item).await?;
        // Never read more than the item allows: the policy's limit is S3's
        // to enforce, and this is checked again whatever stored it.
        if size > max_bytes(rules) {
            return Err(DocError::Refused {
                item: item.clone(),
                problem: DocProblem::TooLarge {
                    max_kb: rules
                        .max_size_kb
                        .unwrap_or(storefront_core::documents::DEFAULT_MAX_SIZE_KB),
                },
            });
        }
        let Some((bytes, _claimed)) = st.blobs.get(&key).await? else {
            return Ok(None);
        };
        let answer = Answer::File {
            name: asked.name.as_deref().unwrap_or_default(),
            bytes: &bytes,
        };
        let at = st.orders.clock.now().to_rfc3339();
        docs.submit(&s, &sub, &item, &answer, &at, &who.profile.id)
            .await
            .map(Some)
    }
    .await;
    // Kept under its content hash or refused: the upload goes either way
    // (the bucket's lifecycle takes it if this fails).
    if let Err(e) = st.blobs.delete(&key).await {
        tracing::warn!(key, error = %e, "could not delete a completed upload");
    }
    let r = match kept.map_err(|e| doc_failure(e, &s, lang))? {
        Some(r) => r,
        None => return Err(not_uploaded(&s, &item, lang)),
    };
    let mut v = set_view(&r, &s, lang);
    v["line_state"] = json!(l.state());
    customer_links(&st, &who, &mut v);
    Ok(Json(v).into_response())
}

/// The storefront's root as the request reached it: `/`, or a local
/// preview's `/s/<id>/`.
pub fn root_of(visit: &Visit) -> String {
    match &visit.preview {
        Some(id) => format!("/s/{id}/"),
        None => "/".into(),
    }
}

/// Each file item of a documents view (`set_view`) gets `link`: its
/// latest version's file, through a link made now for `audience` on the
/// storefront `reseller` (whose root is `root`), which runs out after the
/// links' time to live.
pub fn link_files(
    v: &mut Value,
    reseller: &str,
    links: &DocumentLinks,
    audience: Audience,
    root: &str,
    now: DateTime<Utc>,
) {
    let order = v["order"].as_str().unwrap_or_default().to_string();
    let line = v["line"].as_str().unwrap_or_default().to_string();
    let Some(items) = v["items"].as_array_mut() else {
        return;
    };
    for item in items {
        let version = item["version"].as_u64().and_then(|n| u32::try_from(n).ok());
        let (Some(id), Some(version), true) = (
            item["id"].as_str(),
            version,
            item["holds"]["file"].is_string(),
        ) else {
            continue;
        };
        let token = links.make((reseller, &order, &line, id, version), audience, now);
        item["link"] = json!(crate::links::path(root, &token));
    }
}

/// `link_files` for the signed-in customer.
fn customer_links(st: &ShopState, who: &Signed, v: &mut Value) {
    link_files(
        v,
        who.reseller(),
        &st.links,
        Audience::Customer,
        &root_of(&who.visit),
        st.orders.clock.now(),
    );
}

/// Who reviews a storefront's documents: the roles `roles::allows` lets
/// review them (owner, admin, support).
pub fn reviews_documents(role: Role) -> bool {
    crate::accounts::roles::allows(role, crate::accounts::roles::Capability::Documents)
}

#[derive(Debug, Deserialize)]
pub(crate) struct LinkQuery {
    #[serde(default)]
    t: String,
}

/// A link that ran out, said to someone who may read its file.
fn link_expired(lang: Locale) -> AccountsError {
    let what = match lang {
        Locale::En => {
            "This link to the document has expired: open the document again from its page."
        }
        Locale::Id => {
            "Tautan ke dokumen ini sudah kedaluwarsa: buka lagi dokumennya dari halamannya."
        }
        Locale::Pl => "Ten link do dokumentu wygasł: otwórz dokument ponownie z jego strony.",
    };
    said(StatusCode::GONE, "link_expired", what.into(), None)
}

#[utoipa::path(
    get,
    path = "/api/documents/file",
    tag = "orders",
    summary = "One version of a registrant's document, through the short-lived link a documents view gave (`link`): for the order's customer (a download) or the storefront's reviewers (shown in the browser), each with their own link and signed in",
    params(("t" = String, Query, description = "The link's token")),
    responses((status = 200, description = "The file"), answers::NotFound, (status = 410, description = "The link has expired (said only to who may read the file): open the document again from its page", body = crate::error::ErrorBody))
)]
pub(crate) async fn linked_file(
    State(st): State<ShopState>,
    Anyone(visit): Anyone,
    Query(q): Query<LinkQuery>,
) -> Result<Response, AccountsError> {
    let nothing = || Err(ApiError::NotFound.into());
    // A token this server did not make, or changed: a link to nothing.
    let Some(link) = st.links.open(&q.t) else {
        return nothing();
    };
    // Signed out is not "sign in first": whether the file exists is not
    // said to anyone who may not read it.
    let Some((_, profile, _, _)) = crate::accounts::signed_in(
        st.accounts.store.as_ref(),
        &visit.tenant.reseller,
        &visit.sessions,
    )
    .await?
    else {
        return nothing();
    };
    let docs = st.documents();
    let Some((r, _)) = docs.get(&link.order, &link.line).await? else {
        return nothing();
    };
    let reader = Reader {
        reseller: &visit.tenant.reseller,
        account: &profile.id,
        reviewer: reviews_documents(profile.role),
    };
    let owners = Owners {
        reseller: &r.reseller,
        customer: &r.customer,
        storefront_reviews: r
            .reviewers
            .includes(storefront_core::documents::Level::Reseller),
    };
    if !may_read(&link, reader, owners) {
        return nothing();
    }
    // 410, not 404, and only now: the reader may read this file, and is
    // told that the link ran out (reload the page for a new one) rather
    // than that the document is gone. Anyone else got 404 above, expired
    // or not, so an old link says nothing to them.
    if link.expired(st.orders.clock.now()) {
        return Err(link_expired(visit.lang));
    }
    let Some((bytes, ct)) = docs.file(&r, &link.item, link.version).await? else {
        return nothing();
    };
    Ok(match link.audience {
        Audience::Customer => download(bytes, ct, "attachment"),
        Audience::Staff => for_review(bytes, ct),
    })
}

/// A version's file for its reviewers: an image shown in the browser's
/// tab, a PDF opened in its viewer, never as the storefront's own page
/// (its own type, nosniff; images in a sandbox).
fn for_review(bytes: Vec<u8>, ct: String) -> Response {
    let pdf = ct == "application/pdf";
    let mut r = download(bytes, ct, "inline");
    if pdf {
        // The browser's PDF viewer does not run in a sandbox; the bytes
        // were checked to be a PDF and nothing else.
        r.headers_mut().remove(header::CONTENT_SECURITY_POLICY);
    }
    r
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReuseFrom {
    /// The order whose approved documents to use.
    order: String,
    /// Its line.
    line: String,
}

#[utoipa::path(
    post,
    path = "/api/orders/{id}/documents/{line}/reuse",
    tag = "orders",
    summary = "Use the documents approved for another of the customer's names (one the line's `reuse` offers: the same account, company tax id and extension) instead of sending them again: their approved versions are taken as they are (the same files, their reviews, where they came from), and the line goes on as if its last item had just been approved. JSON body: `{\"order\": ..., \"line\": ...}`, the set to use",
    params(
        ("id" = String, Path, description = "The order"),
        ("line" = String, Path, description = "The order's line")
    ),
    responses((status = 200, description = "Taken: the line's documents"), answers::SignedIn, answers::BadField, answers::NotFound, (status = 409, description = "Not documents this line may use", body = crate::error::ErrorBody), (status = 410, description = "The documents were deleted after their domain ended", body = crate::error::ErrorBody))
)]
pub(crate) async fn reuse_documents(
    State(st): State<ShopState>,
    who: Signed,
    Path((id, line)): Path<(String, String)>,
    RawBody(body): RawBody,
) -> Result<Response, AccountsError> {
    let lang = who.visit.lang;
    let from: ReuseFrom = who.visit.json(&body)?;
    let (o, s) = mine(&st, &who, &id).await?;
    let Some(l) = lines_with_documents(&o, &s)
        .into_iter()
        .find(|l| l.id == line)
    else {
        return Err(ApiError::NotFound.into());
    };
    let at = st.orders.clock.now().to_rfc3339();
    let docs = st.documents();
    let r = docs
        .reuse(
            &s,
            &subject(&o, l),
            (&from.order, &from.line),
            &at,
            &who.profile.id,
        )
        .await
        .map_err(|e| doc_failure(e, &s, lang))?;
    // Approved already: the line goes on as a review approving its last
    // item would send it.
    if r.set.complete() {
        match st
            .orders
            .documents_approved(&o.id, &l.id, &who.profile.id)
            .await
        {
            Ok(_) | Err(crate::orders::OrderError::WrongState) => {}
            Err(e) => return Err(order_failure(e, lang)),
        }
    }
    let (o, _) = mine(&st, &who, &id).await?;
    let state = o.lines.iter().find(|x| x.id == line).map(|x| x.state());
    let mut v = set_view(&r, &s, lang);
    v["line_state"] = json!(state);
    customer_links(&st, &who, &mut v);
    Ok(Json(v).into_response())
}
