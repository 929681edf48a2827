//! Registration: a reseller applies to the platform on the platform's own
//! storefront (`/panel/join`, public, and only there: anywhere else it is
//! not found). It is served by the back office, like the console, so it
//! answers wherever the back office does.
//!
//! The applicant becomes an account of the platform's storefront (the
//! accounts' own sign-up, with its confirmation mail), signed in at once,
//! and its application waits for the platform: the status page
//! (`/panel/join/status`) says whether the email is confirmed, which
//! documents to send and how each was reviewed, and where to transfer the
//! initial deposit its plan asks.

use super::money::enc;
use crate::edit::FieldError;
use crate::{BackOffice, i18n, render};
use axum::extract::{Form, FromRequestParts, Multipart, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use storefront_core::application::{State as AppState, transfer_reference};
use storefront_core::catalogue::Plan;
use storefront_core::documents::Answer;
use storefront_core::money::Money;
use storefront_core::snapshot::Snapshot;
use storefront_core::tax_id::{Country, TaxIdKind};
use storefront_core::{Locale, phone, tax_id};
use storefront_functions::accounts::guard::Visit;
use storefront_functions::accounts::records::Profile;
use storefront_functions::accounts::{Company, Kind, NewAccount, fields};
use storefront_functions::applications::{Application, Applications};
use storefront_functions::documents::{APPLICATION, Record};
use storefront_generator::content::Platform;

/// The longest storefront name: it heads every page and invoice.
const NAME_MAX: usize = 80;

/// A visitor of the platform's storefront.
pub(crate) struct Visitor {
    pub visit: Visit,
    pub lang: Locale,
    /// The back office's root on this host.
    pub base: String,
    pub snapshot: Arc<Snapshot>,
}

impl FromRequestParts<BackOffice> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, bo: &BackOffice) -> Result<Self, Response> {
        let visit = Visit::from_request_parts(parts, &bo.shop.accounts)
            .await
            .map_err(IntoResponse::into_response)?;
        let shop = match &visit.preview {
            Some(id) => format!("/s/{id}/"),
            None => "/".to_string(),
        };
        let base = format!("{shop}panel/");
        if !visit.tenant.snapshot.platform {
            return Err(crate::message(
                bo,
                visit.lang,
                &base,
                StatusCode::NOT_FOUND,
                "not_found",
                "not_found",
                None,
            ));
        }
        Ok(Visitor {
            lang: visit.lang,
            base,
            snapshot: visit.tenant.snapshot.clone(),
            visit,
        })
    }
}

/// The platform's content (its plans, catalogue, bank accounts, country),
/// as the next publish reads it: the published `@platform` revision laid
/// out (on Lambda there is no folder of it).
pub(crate) async fn platform(bo: &BackOffice) -> Option<Platform> {
    let paths = match bo.site.platform_paths().await {
        Ok(paths) => paths,
        Err(e) => {
            eprintln!("the platform's content: {e}");
            return None;
        }
    };
    let mut diags = storefront_generator::diagnostics::Diagnostics::default();
    Platform::load(&paths.content.join("platform"), &mut diags)
}

/// The plans open to registration: those that ask a deposit.
pub(crate) fn open_plans(p: &Platform) -> Vec<(&String, &Plan, Decimal)> {
    p.plans
        .plans
        .iter()
        .filter_map(|(id, plan)| Some((id, plan, plan.deposit?.0)))
        .collect()
}

/// The document items an applicant of `kind` sends.
pub(crate) fn items_for(p: &Platform, kind: Kind) -> Vec<String> {
    match kind {
        Kind::Personal => p.catalogue.registration.personal.clone(),
        Kind::Company => p.catalogue.registration.company.clone(),
    }
}

// ----- the form -----

#[derive(Deserialize, Serialize, Default, Clone)]
pub(crate) struct JoinForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    mobile: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    company_name: String,
    #[serde(default)]
    npwp: String,
    #[serde(default)]
    plan: String,
}

/// An application as asked for, every field judged.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Wanted {
    pub kind: Kind,
    pub name: String,
    pub email: fields::Email,
    pub mobile: String,
    pub language: Locale,
    pub id: String,
    pub company: Option<Company>,
    pub plan: String,
}

/// Judge the form: every field's problem at once. `plans` are the plans
/// open to registration, `country` the platform's (how a national mobile
/// number and a tax id are read), `taken` whether the id is someone's.
pub(crate) fn judge(
    f: &JoinForm,
    plans: &[&String],
    country: Country,
    taken: bool,
) -> Result<Wanted, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = match f.kind.trim() {
        "personal" => Some(Kind::Personal),
        "company" => Some(Kind::Company),
        other => {
            errors.push(FieldError::new("kind", "reg_bad_kind", other));
            None
        }
    };
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "reg_bad_name", name));
    }
    let email = fields::email(&f.email);
    if email.is_err() {
        errors.push(FieldError::new("email", "reg_bad_email", f.email.trim()));
    }
    let mobile = phone::mobile(&f.mobile, country);
    if let Err(p) = &mobile {
        errors.push(FieldError::new("mobile", p.code(), f.mobile.trim()));
    }
    if fields::password(&f.password).is_err() {
        errors.push(FieldError::new("password", "reg_bad_password", ""));
    }
    let language = f.language.trim().parse::<Locale>();
    if language.is_err() {
        errors.push(FieldError::new(
            "language",
            "sub_bad_language",
            f.language.trim(),
        ));
    }
    let id = f.id.trim().to_ascii_lowercase();
    if !storefront_generator::content::valid_id(&id) {
        errors.push(FieldError::new("id", "sub_bad_id", f.id.trim()));
    } else if taken {
        errors.push(FieldError::new("id", "sub_id_taken", &id));
    }
    let mut company = None;
    if kind == Some(Kind::Company) {
        let cname = f.company_name.trim();
        if cname.is_empty()
            || cname.chars().count() > NAME_MAX
            || cname.chars().any(char::is_control)
        {
            errors.push(FieldError::new("company_name", "reg_bad_company", cname));
        }
        match tax_id::check(TaxIdKind::of(country), &f.npwp) {
            Ok(_) => {
                company = Some(Company {
                    name: cname.to_string(),
                    tax_id: f.npwp.trim().to_string(),
                })
            }
            Err(p) => errors.push(FieldError::new("npwp", p.code(), f.npwp.trim())),
        }
    }
    let plan = f.plan.trim();
    if !plans.iter().any(|p| p.as_str() == plan) {
        errors.push(FieldError::new("plan", "reg_unknown_plan", plan));
    }
    match (kind, email, mobile, language) {
        (Some(kind), Ok(email), Ok(mobile), Ok(language)) if errors.is_empty() => Ok(Wanted {
            kind,
            name: name.to_string(),
            email,
            mobile,
            language,
            id,
            company,
            plan: plan.to_string(),
        }),
        _ => Err(errors),
    }
}

pub(crate) async fn join_page(State(bo): State<BackOffice>, v: Visitor) -> Response {
    let typed = JoinForm {
        kind: "company".into(),
        language: v.lang.code().to_string(),
        ..JoinForm::default()
    };
    form_page(&bo, &v, &typed, &[], StatusCode::OK).await
}

fn page_context(v: &Visitor, title_key: &str) -> tera::Context {
    let mut c = tera::Context::new();
    c.insert("lang", v.lang.code());
    c.insert("t", i18n::texts(v.lang));
    c.insert("title", &i18n::text(v.lang, title_key));
    c.insert("base", &v.base);
    c.insert("shop_name", &v.snapshot.name);
    c
}

async fn form_page(
    bo: &BackOffice,
    v: &Visitor,
    typed: &JoinForm,
    errors: &[FieldError],
    status: StatusCode,
) -> Response {
    let Some(p) = platform(bo).await else {
        return unavailable(bo, v, "the platform's content cannot be read");
    };
    let mut c = page_context(v, "reg_title");
    let plans: Vec<Value> = open_plans(&p)
        .into_iter()
        .map(|(id, plan, deposit)| {
            json!({"id": id, "name": plan.name, "deposit": Money::new(deposit, plan.currency).format(v.lang)})
        })
        .collect();
    c.insert("plans", &plans);
    c.insert(
        "languages",
        &Locale::ALL
            .iter()
            .map(|l| json!({"code": l.code(), "name": i18n::text(v.lang, &format!("sub_language_{}", l.code()))}))
            .collect::<Vec<_>>(),
    );
    c.insert("typed", typed);
    c.insert("suffix", &format!(".{}", bo.platform_domain));
    errors_here(&mut c, v.lang, errors);
    render(bo, "join.html", &c, status)
}

/// The field errors as the page lists them (`errors_context`'s, for a
/// visitor rather than staff).
fn errors_here(c: &mut tera::Context, lang: Locale, errors: &[FieldError]) {
    let messages: Vec<Value> = errors
        .iter()
        .map(|e| json!({"field": e.field, "message": i18n::fill(lang, e.key, &[("value", &e.value)])}))
        .collect();
    c.insert("errors", &messages);
    let bad: std::collections::BTreeMap<&str, bool> =
        errors.iter().map(|e| (e.field.as_str(), true)).collect();
    c.insert("bad", &bad);
    c.insert("problems", &Vec::<String>::new());
}

fn unavailable(bo: &BackOffice, v: &Visitor, e: &str) -> Response {
    eprintln!("registration on {}: {e}", v.snapshot.reseller);
    crate::message(
        bo,
        v.lang,
        &v.base,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "unavailable",
        None,
    )
}

/// Apply: the account (the accounts' sign-up, its confirmation mailed),
/// the application and its document set, signed in at once.
pub(crate) async fn join(
    State(bo): State<BackOffice>,
    v: Visitor,
    Form(f): Form<JoinForm>,
) -> Response {
    let Some(p) = platform(&bo).await else {
        return unavailable(&bo, &v, "the platform's content cannot be read");
    };
    let plans = open_plans(&p);
    let ids: Vec<&String> = plans.iter().map(|(id, _, _)| *id).collect();
    let country = Country::of_code(p.site.country.as_deref());
    let wanted = f.id.trim().to_ascii_lowercase();
    let is_taken = match super::subresellers::taken(&bo, &wanted).await {
        Ok(t) => t,
        Err(e) => return unavailable(&bo, &v, &e.to_string()),
    };
    // An id another application still waits for is as taken as a
    // storefront's: two applicants never learn at approval that only one
    // of them gets it.
    let is_taken = is_taken
        || match applications(&bo).list().await {
            Ok(all) => all.iter().any(|a| {
                a.wanted == wanted && a.state == storefront_core::application::State::Pending
            }),
            Err(e) => return unavailable(&bo, &v, &e.to_string()),
        };
    let w = match judge(&f, &ids, country, is_taken) {
        Ok(w) => w,
        Err(errors) => {
            return form_page(&bo, &v, &f, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let Some((_, plan, deposit)) = plans.iter().find(|(id, _, _)| **id == w.plan) else {
        return unavailable(&bo, &v, "the plan went away");
    };
    let new = NewAccount {
        email: w.email.clone(),
        password: f.password.clone(),
        name: w.name.clone(),
        kind: w.kind,
        company: w.company.clone(),
    };
    let profile =
        match storefront_functions::accounts::register(&bo.shop.accounts, &v.visit, new).await {
            Ok(p) => p,
            Err(storefront_functions::accounts::error::AccountsError::Said {
                code: "email_taken",
                ..
            }) => {
                let taken = [FieldError::new(
                    "email",
                    "reg_email_taken",
                    &w.email.display,
                )];
                return form_page(&bo, &v, &f, &taken, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            Err(e) => return e.into_response(),
        };
    let application = Application {
        id: profile.id.clone(),
        platform: v.snapshot.reseller.clone(),
        wanted: w.id.clone(),
        name: w
            .company
            .as_ref()
            .map_or_else(|| w.name.clone(), |c| c.name.clone()),
        kind: w.kind,
        person: w.name.clone(),
        email: profile.email.clone(),
        mobile: w.mobile.clone(),
        company: w.company.clone(),
        plan: w.plan.clone(),
        currency: plan.currency,
        deposit_asked: *deposit,
        language: w.language,
        state: AppState::Pending,
        reason: None,
        deposit: None,
        topup: None,
        created_at: bo.clock.now().to_rfc3339(),
        decided_at: None,
        decided_by: None,
    };
    let apps = applications(&bo);
    if let Err(e) = apps.create(&application).await {
        return unavailable(&bo, &v, &e.to_string());
    }
    if let Err(e) = bo
        .shop
        .documents()
        .open_application(
            &application.platform,
            &application.id,
            &profile.id,
            &application.wanted,
            &items_for(&p, w.kind),
        )
        .await
    {
        return unavailable(&bo, &v, &e.to_string());
    }
    let cookie =
        match storefront_functions::accounts::start_session(&bo.shop.accounts, &v.visit, &profile)
            .await
        {
            Ok(c) => c,
            Err(e) => return e.into_response(),
        };
    let mut r = Redirect::to(&format!("{}join/status", v.base)).into_response();
    r.headers_mut().append(header::SET_COOKIE, cookie);
    r
}

pub(crate) fn applications(bo: &BackOffice) -> Applications {
    Applications {
        store: bo.shop.accounts.store.clone(),
    }
}

// ----- the applicant's status -----

/// The signed-in applicant and its application; a page saying why not.
async fn applicant(bo: &BackOffice, v: &Visitor) -> Result<(Profile, Application), Response> {
    let store = bo.shop.accounts.store.clone();
    let who = storefront_functions::accounts::signed_in(
        store.as_ref(),
        &v.snapshot.reseller,
        &v.visit.sessions,
    )
    .await;
    let profile = match who {
        Ok(Some((_, p, _, _))) => p,
        Ok(None) => {
            return Err(crate::message(
                bo,
                v.lang,
                &v.base,
                StatusCode::UNAUTHORIZED,
                "sign_in_first",
                "sign_in_text",
                Some(("/account/", "go_sign_in")),
            ));
        }
        Err(e) => return Err(unavailable(bo, v, &e.to_string())),
    };
    match applications(bo).get(&profile.id).await {
        Ok(Some((a, _))) => Ok((profile, a)),
        Ok(None) => Err(Redirect::to(&format!("{}join", v.base)).into_response()),
        Err(e) => Err(unavailable(bo, v, &e.to_string())),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct Done {
    #[serde(default)]
    done: Option<String>,
}

pub(crate) async fn status_page(
    State(bo): State<BackOffice>,
    v: Visitor,
    Query(q): Query<Done>,
) -> Response {
    let (profile, a) = match applicant(&bo, &v).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let notice = q
        .done
        .as_deref()
        .map(|d| i18n::text(v.lang, &format!("reg_done_{d}")));
    status(&bo, &v, &profile, &a, notice, None, StatusCode::OK).await
}

/// The documents of an application as its pages show them: each item's
/// label, state, latest version and the reviewer's reason.
pub(crate) fn documents_view(r: &Record, p: &Platform, lang: Locale) -> Vec<Value> {
    use storefront_core::documents::ItemState;
    r.set
        .items
        .iter()
        .map(|(id, rec)| {
            let label = p
                .catalogue
                .documents
                .get(id)
                .map_or(id.as_str(), |d| d.label.get(lang));
            let state = r.set.state(id).unwrap_or(ItemState::Missing);
            let latest = rec.versions.last();
            json!({
                "id": id,
                "label": label,
                "state": state.as_str(),
                "state_label": i18n::text(lang, &format!("d_state_{}", state.as_str())),
                "version": latest.map(|l| l.n),
                "reason": latest.and_then(|l| l.review.as_ref()).and_then(|r| r.reason.clone()),
                "accept": p.catalogue.documents.get(id).map(|d| d.accept.iter().map(|a| format!(".{a}")).collect::<Vec<_>>().join(",")),
            })
        })
        .collect()
}

async fn status(
    bo: &BackOffice,
    v: &Visitor,
    profile: &Profile,
    a: &Application,
    notice: Option<String>,
    problem: Option<String>,
    code: StatusCode,
) -> Response {
    let Some(p) = platform(bo).await else {
        return unavailable(bo, v, "the platform's content cannot be read");
    };
    let docs = match bo.shop.documents().get(APPLICATION, &a.id).await {
        Ok(Some((r, _))) => documents_view(&r, &p, v.lang),
        Ok(None) => Vec::new(),
        Err(e) => return unavailable(bo, v, &e.to_string()),
    };
    let banks: Vec<Value> = p
        .site
        .bank_accounts
        .iter()
        .filter(|b| b.currency == a.currency)
        .map(|b| json!({"bank": b.bank, "holder": b.holder, "number": b.number}))
        .collect();
    let mut c = page_context(v, "reg_status_title");
    c.insert("verified", &profile.verified);
    c.insert(
        "application",
        &json!({
            "wanted": a.wanted,
            "host": format!("{}.{}", a.wanted, bo.platform_domain),
            "plan": a.plan,
            "state": a.state.as_str(),
            "state_label": i18n::text(v.lang, &format!("reg_state_{}", a.state.as_str())),
            "reason": a.reason,
            "deposit": Money::new(a.deposit_asked, a.currency).format(v.lang),
            "reference": transfer_reference(&a.id),
            "received": a.deposit.as_ref().map(|d| Money::new(d.amount, a.currency).format(v.lang)),
        }),
    );
    c.insert("documents", &docs);
    c.insert("banks", &banks);
    c.insert("notice", &notice);
    c.insert("problem", &problem);
    render(bo, "join_status.html", &c, code)
}

/// Mail the confirmation link again.
pub(crate) async fn resend(State(bo): State<BackOffice>, v: Visitor) -> Response {
    let (profile, _) = match applicant(&bo, &v).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !profile.verified
        && let Err(e) =
            storefront_functions::accounts::send_verification(&bo.shop.accounts, &v.visit, &profile)
                .await
    {
        return e.into_response();
    }
    Redirect::to(&format!("{}join/status?done=sent", v.base)).into_response()
}

/// A new version of one document: a form with the item and its file.
pub(crate) async fn upload(
    State(bo): State<BackOffice>,
    v: Visitor,
    mut form: Multipart,
) -> Response {
    let (profile, a) = match applicant(&bo, &v).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut item = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = form.next_field().await {
        match field.name() {
            Some("item") => item = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("document").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b.to_vec())),
                    Err(_) => {
                        return (StatusCode::PAYLOAD_TOO_LARGE, "too large").into_response();
                    }
                }
            }
            _ => {}
        }
    }
    let Some(p) = platform(&bo).await else {
        return unavailable(&bo, &v, "the platform's content cannot be read");
    };
    let refused = |text: String, code: StatusCode| {
        let (bo, v, profile, a) = (&bo, &v, &profile, &a);
        async move { status(bo, v, profile, a, None, Some(text), code).await }
    };
    if a.state != AppState::Pending {
        return refused(i18n::text(v.lang, "reg_decided"), StatusCode::CONFLICT).await;
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refused(
            i18n::text(v.lang, "reg_no_file"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let docs = bo.shop.documents();
    let record = match docs.get(APPLICATION, &a.id).await {
        Ok(Some((r, _))) => r,
        Ok(None) => return unavailable(&bo, &v, "no document set"),
        Err(e) => return unavailable(&bo, &v, &e.to_string()),
    };
    let at = bo.clock.now().to_rfc3339();
    let answer = Answer::File {
        name: &name,
        bytes: &bytes,
    };
    match docs
        .submit_to(
            &p.catalogue.documents,
            record,
            &item,
            &answer,
            &at,
            &profile.id,
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("{}join/status?done=uploaded", v.base)).into_response(),
        Err(storefront_functions::documents::DocError::Refused { problem, .. }) => {
            let label = p
                .catalogue
                .documents
                .get(&item)
                .map_or(item.as_str(), |d| d.label.get(v.lang));
            refused(
                problem.message(v.lang, label),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(storefront_functions::documents::DocError::Set { error, .. }) => {
            refused(error.message(v.lang), StatusCode::CONFLICT).await
        }
        Err(storefront_functions::documents::DocError::NotFound) => crate::message(
            &bo,
            v.lang,
            &v.base,
            StatusCode::NOT_FOUND,
            "not_found",
            "not_found",
            None,
        ),
        Err(e) => unavailable(&bo, &v, &e.to_string()),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct FileQuery {
    #[serde(default)]
    item: String,
    #[serde(default)]
    v: u32,
}

/// One of the applicant's own files.
pub(crate) async fn file(
    State(bo): State<BackOffice>,
    v: Visitor,
    Query(q): Query<FileQuery>,
) -> Response {
    let (_, a) = match applicant(&bo, &v).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    send_file(&bo, &a.id, &q.item, q.v)
        .await
        .unwrap_or_else(|| StatusCode::NOT_FOUND.into_response())
}

/// A version's bytes as a download (never rendered inline: its reader's
/// browser does not run what someone uploaded).
pub(crate) async fn send_file(
    bo: &BackOffice,
    application: &str,
    item: &str,
    version: u32,
) -> Option<Response> {
    let docs = bo.shop.documents();
    let (r, _) = docs.get(APPLICATION, application).await.ok()??;
    let (bytes, kind) = docs.file(&r, item, version).await.ok()??;
    let kind = HeaderValue::from_str(&kind).ok()?;
    Some(
        (
            [
                (header::CONTENT_TYPE, kind),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&format!(
                        "attachment; filename=\"{}-v{version}\"",
                        enc(item)
                    ))
                    .ok()?,
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            bytes,
        )
            .into_response(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> JoinForm {
        JoinForm {
            kind: "company".into(),
            name: "Budi Santoso".into(),
            email: "budi@tokobaru.example".into(),
            mobile: "0812-3456-7890".into(),
            password: "correct horse battery".into(),
            language: "id".into(),
            id: "tokobaru".into(),
            company_name: "PT Toko Baru".into(),
            npwp: "01.312.166.0-091.000".into(),
            plan: "idr-standard".into(),
        }
    }

    #[test]
    fn a_good_form_is_what_it_asks_for() {
        let plan = "idr-standard".to_string();
        let w = judge(&form(), &[&plan], Country::Indonesia, false).expect("accepted");
        assert_eq!(w.mobile, "+6281234567890");
        assert_eq!(
            w.company.map(|c| c.tax_id),
            Some("01.312.166.0-091.000".into())
        );
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let plan = "idr-standard".to_string();
        let f = JoinForm {
            mobile: "call me".into(),
            npwp: "01.312.166.0-091.00".into(),
            plan: "gold".into(),
            ..form()
        };
        let keys: Vec<(String, &str)> = judge(&f, &[&plan], Country::Indonesia, true)
            .expect_err("refused")
            .into_iter()
            .map(|e| (e.field, e.key))
            .collect();
        assert_eq!(
            keys,
            [
                ("mobile".to_string(), "phone_not_digits"),
                ("id".to_string(), "sub_id_taken"),
                ("npwp".to_string(), "npwp_shape"),
                ("plan".to_string(), "reg_unknown_plan"),
            ]
        );
    }
}
