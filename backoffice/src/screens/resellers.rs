//! The console's resellers (`/panel/platform/resellers`): the applications
//! made on the platform's storefront, pending, approved and rejected, and
//! one application's details, its documents to review item by item, its
//! initial deposit to record when the transfer arrives, and the decision.
//!
//! Approving opens the reseller's storefront exactly as a sub-reseller's is
//! opened (`subresellers::open_storefront`), with the platform as parent
//! and the chosen plan; the deposit becomes its opening wallet balance with
//! the platform (a top-up named in the application before it is approved,
//! so an approval tried again credits it once); its owner account is the
//! applicant's, carried over to the new storefront (the address it
//! confirmed and the password it chose: an invitation would ask both
//! again), and it is mailed where to sign in. What may be decided when is
//! core's (`storefront_core::application`); every decision is audited.

use super::join::{applications, documents_view, platform, send_file};
use super::money::enc;
use super::subresellers::{NotOpened, Opening, open_storefront};
use crate::{BackOffice, Staff, context, i18n, message, render, unavailable};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use storefront_core::application::{self as rules, Deposit, Refusal, State as AppState};
use storefront_core::documents::{Decision, Level};
use storefront_core::ledger::Party;
use storefront_core::money::Money;
use storefront_functions::accounts::records::{self, CreateError, Profile};
use storefront_functions::accounts::{Mail, Role};
use storefront_functions::applications::{Application, ApplicationError};
use storefront_functions::documents::APPLICATION;
use storefront_functions::ledger::topups::{Request, TopUpError};

#[derive(Deserialize, Default)]
pub(crate) struct Shown {
    #[serde(default)]
    id: String,
    #[serde(default)]
    done: Option<String>,
}

pub(crate) async fn list_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    let all = match applications(&bo).list().await {
        Ok(a) => a,
        Err(e) => return unavailable(&bo, &staff, e.to_string()),
    };
    let row = |a: &Application| {
        json!({
            "id": a.id,
            "wanted": a.wanted,
            "name": a.name,
            "email": a.email,
            "plan": a.plan,
            "created": a.created_at.get(..10),
            "href": format!("{}platform/resellers/view?id={}", staff.base, enc(&a.id)),
        })
    };
    let mut c = context(&staff, "console_resellers", "r_title");
    c.insert("console_page", &true);
    for state in [AppState::Pending, AppState::Approved, AppState::Rejected] {
        let rows: Vec<Value> = all.iter().filter(|a| a.state == state).map(row).collect();
        c.insert(state.as_str(), &rows);
    }
    c.insert("notice", &notice(&staff, &q));
    render(&bo, "resellers.html", &c, StatusCode::OK)
}

fn notice(staff: &Staff, q: &Shown) -> Option<String> {
    q.done
        .as_deref()
        .map(|d| i18n::text(staff.lang, &format!("r_done_{d}")))
}

/// A pending application decided: its state, the reason (a rejection's),
/// who and when; refused (409, said why) unless it is still pending.
async fn decide(
    bo: &BackOffice,
    staff: &Staff,
    a: &Application,
    state: AppState,
    reason: Option<String>,
) -> Result<Application, Response> {
    let at = bo.clock.now().to_rfc3339();
    let by = staff.profile.email.clone();
    let changed = applications(bo)
        .change(&a.id, |x| {
            rules::pending(x.state)?;
            x.state = state;
            if reason.is_some() {
                x.reason = reason.clone();
            }
            x.decided_at = Some(at.clone());
            x.decided_by = Some(by.clone());
            Ok(())
        })
        .await;
    match changed {
        Ok(a) => Ok(a),
        Err(ApplicationError::Refused(r)) => {
            Err(refused(bo, staff, &a.id, refusal_text(staff, a, &r)))
        }
        Err(e) => Err(unavailable(bo, staff, e)),
    }
}

fn back(staff: &Staff, id: &str) -> String {
    format!("{}platform/resellers/view?id={}", staff.base, enc(id))
}

/// A 409 whose text says what stands in the way.
fn refused(bo: &BackOffice, staff: &Staff, id: &str, text: String) -> Response {
    let mut c = tera::Context::new();
    c.insert("lang", staff.lang.code());
    c.insert("base", &staff.base);
    c.insert("title", &i18n::text(staff.lang, "r_refused"));
    c.insert("text", &text);
    c.insert("link", &back(staff, id));
    c.insert("link_text", &i18n::text(staff.lang, "r_back"));
    render(bo, "message.html", &c, StatusCode::CONFLICT)
}

fn refusal_text(staff: &Staff, a: &Application, r: &Refusal) -> String {
    let money = |d: Decimal| Money::new(d, a.currency).format(staff.lang);
    match r {
        Refusal::DepositShort { got, asked } => i18n::fill(
            staff.lang,
            "r_deposit_short",
            &[("got", &money(*got)), ("asked", &money(*asked))],
        ),
        r => i18n::text(staff.lang, &format!("r_{}", r.code())),
    }
}

async fn load(bo: &BackOffice, staff: &Staff, id: &str) -> Result<Application, Response> {
    match applications(bo).get(id).await {
        Ok(Some((a, _))) => Ok(a),
        Ok(None) => Err(message(
            bo,
            staff.lang,
            &staff.base,
            StatusCode::NOT_FOUND,
            "not_found",
            "not_found",
            Some((&format!("{}platform/resellers", staff.base), "r_title")),
        )),
        Err(e) => Err(unavailable(bo, staff, e.to_string())),
    }
}

pub(crate) async fn view_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    let a = match load(&bo, &staff, &q.id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(p) = platform(&bo).await else {
        return unavailable(&bo, &staff, "the platform's content cannot be read");
    };
    let docs = match bo.shop.documents().get(APPLICATION, &a.id).await {
        Ok(Some((r, _))) => documents_view(&r, &p, staff.lang),
        Ok(None) => Vec::new(),
        Err(e) => return unavailable(&bo, &staff, e.to_string()),
    };
    let money = |d: Decimal| Money::new(d, a.currency).format(staff.lang);
    let mut c = context(&staff, "console_resellers", "r_title");
    c.insert("console_page", &true);
    c.insert(
        "a",
        &json!({
            "id": a.id,
            "wanted": a.wanted,
            "host": format!("{}.{}", a.wanted, bo.platform_domain),
            "name": a.name,
            "kind": a.kind,
            "person": a.person,
            "email": a.email,
            "mobile": a.mobile,
            "company": a.company,
            "plan": a.plan,
            "language": a.language.code(),
            "state": a.state.as_str(),
            "state_label": i18n::text(staff.lang, &format!("reg_state_{}", a.state.as_str())),
            "reason": a.reason,
            "asked": money(a.deposit_asked),
            "reference": rules::transfer_reference(&a.id),
            "deposit": a.deposit.as_ref().map(|d| json!({"amount": money(d.amount), "reference": d.reference, "by": d.by, "at": d.at})),
            "pending": a.state == AppState::Pending,
        }),
    );
    c.insert("documents", &docs);
    c.insert("notice", &notice(&staff, &q));
    render(&bo, "reseller.html", &c, StatusCode::OK)
}

#[derive(Deserialize)]
pub(crate) struct ReviewForm {
    id: String,
    item: String,
    version: u32,
    /// `approve` or `reject`.
    decision: String,
    #[serde(default)]
    reason: String,
}

/// Approve or reject (with a reason the applicant reads) one document.
pub(crate) async fn review(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<ReviewForm>,
) -> Response {
    let a = match load(&bo, &staff, &f.id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let Err(r) = rules::pending(a.state) {
        return refused(&bo, &staff, &a.id, refusal_text(&staff, &a, &r));
    }
    let approve = f.decision == "approve";
    let why = if approve {
        None
    } else {
        match storefront_functions::orders::routes::desk::reason(&f.reason, staff.lang) {
            Ok(r) => Some(r),
            Err(e) => return e.into_response(),
        }
    };
    let at = bo.clock.now().to_rfc3339();
    let decision = Decision {
        approve,
        reason: why.clone(),
        at: &at,
        by: &staff.profile.id,
    };
    match bo
        .shop
        .documents()
        .review(
            APPLICATION,
            &a.id,
            &f.item,
            f.version,
            decision,
            Level::Platform,
        )
        .await
    {
        Ok(_) => {}
        Err(storefront_functions::documents::DocError::Set { error, .. }) => {
            return refused(&bo, &staff, &a.id, error.message(staff.lang));
        }
        Err(storefront_functions::documents::DocError::NotFound) => {
            return message(
                &bo,
                staff.lang,
                &staff.base,
                StatusCode::NOT_FOUND,
                "not_found",
                "not_found",
                Some((&back(&staff, &a.id), "r_back")),
            );
        }
        Err(e) => return unavailable(&bo, &staff, e.to_string()),
    }
    let state = if approve { "approved" } else { "rejected" };
    crate::audit(
        &bo,
        &staff,
        if approve {
            "document.approve"
        } else {
            "document.reject"
        },
        &format!("application:{}/{}", a.id, f.item),
        json!({"version": f.version, "state": "submitted"}),
        json!({"version": f.version, "state": state, "reason": why}),
    )
    .await;
    Redirect::to(&format!("{}&done=doc_{state}", back(&staff, &a.id))).into_response()
}

#[derive(Deserialize)]
pub(crate) struct DepositForm {
    id: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reference: String,
}

/// Record the initial deposit as it arrived.
pub(crate) async fn deposit(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<DepositForm>,
) -> Response {
    let a = match load(&bo, &staff, &f.id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let amount = f
        .amount
        .trim()
        .replace([',', ' '], "")
        .parse::<Decimal>()
        .ok()
        .filter(|d| *d > Decimal::ZERO && d.scale() <= a.currency.minor_units());
    let reference = f.reference.trim();
    let (Some(amount), false) = (
        amount,
        reference.is_empty() || reference.chars().count() > 120,
    ) else {
        let mut c = tera::Context::new();
        c.insert("lang", staff.lang.code());
        c.insert("base", &staff.base);
        c.insert("title", &i18n::text(staff.lang, "r_deposit_bad"));
        c.insert(
            "text",
            &i18n::fill(
                staff.lang,
                "r_deposit_bad_text",
                &[("currency", a.currency.code())],
            ),
        );
        c.insert("link", &back(&staff, &a.id));
        c.insert("link_text", &i18n::text(staff.lang, "r_back"));
        return render(&bo, "message.html", &c, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let d = Deposit {
        amount,
        reference: reference.to_string(),
        at: bo.clock.now().to_rfc3339(),
        by: staff.profile.email.clone(),
    };
    let before = a.deposit.as_ref().map(|d| d.amount.to_string());
    match applications(&bo)
        .change(&a.id, |x| {
            rules::pending(x.state)?;
            x.deposit = Some(d.clone());
            Ok(())
        })
        .await
    {
        Ok(_) => {}
        Err(ApplicationError::Refused(r)) => {
            return refused(&bo, &staff, &a.id, refusal_text(&staff, &a, &r));
        }
        Err(e) => return unavailable(&bo, &staff, e.to_string()),
    }
    crate::audit(
        &bo,
        &staff,
        "application.deposit",
        &format!("application:{}", a.id),
        json!({"amount": before}),
        json!({"amount": amount.to_string(), "currency": a.currency.code(), "reference": reference}),
    )
    .await;
    Redirect::to(&format!("{}&done=deposit", back(&staff, &a.id))).into_response()
}

#[derive(Deserialize)]
pub(crate) struct DecideForm {
    id: String,
    #[serde(default)]
    reason: String,
}

/// Reject an application, with the reason it is mailed and shown.
pub(crate) async fn reject(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<DecideForm>,
) -> Response {
    let a = match load(&bo, &staff, &f.id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let why = match storefront_functions::orders::routes::desk::reason(&f.reason, staff.lang) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let a = match decide(&bo, &staff, &a, AppState::Rejected, Some(why.clone())).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    crate::audit(
        &bo,
        &staff,
        "application.reject",
        &format!("application:{}", a.id),
        json!({"state": "pending"}),
        json!({"state": "rejected", "reason": why}),
    )
    .await;
    // Its status page, where it signs in on the platform's storefront.
    let status = staff.visit.link(bo.shop.accounts.config.secure_cookies, "");
    let text = i18n::fill(
        a.language,
        "reg_mail_rejected_body",
        &[("name", &a.person), ("reason", &why), ("link", &status)],
    );
    mail(&bo, &staff, &a, "reg_mail_rejected_subject", text).await;
    Redirect::to(&format!("{}&done=rejected", back(&staff, &a.id))).into_response()
}

async fn mail(bo: &BackOffice, staff: &Staff, a: &Application, subject: &str, text: String) {
    let m = Mail {
        from_name: staff.snapshot.name.clone(),
        from: bo.shop.accounts.config.mail_from.clone(),
        to: a.email.clone(),
        reply_to: Some(staff.snapshot.reply_to().to_string()),
        subject: i18n::fill(a.language, subject, &[("shop", &staff.snapshot.name)]),
        text,
    };
    if let Err(e) = bo.shop.accounts.mailer.send(m).await {
        eprintln!("mail to applicant {}: {e}", a.id);
    }
}

/// Approve: the storefront opened, the deposit its opening balance, its
/// owner signed up, the applicant mailed.
pub(crate) async fn approve(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<DecideForm>,
) -> Response {
    let a = match load(&bo, &staff, &f.id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let complete = match bo.shop.documents().get(APPLICATION, &a.id).await {
        Ok(r) => r.is_some_and(|(r, _)| r.set.complete()),
        Err(e) => return unavailable(&bo, &staff, e.to_string()),
    };
    if let Err(r) = rules::may_approve(a.state, complete, a.deposit.as_ref(), a.deposit_asked) {
        return refused(&bo, &staff, &a.id, refusal_text(&staff, &a, &r));
    }
    if bo.platform_domain.is_empty() {
        // No domain to give it a host under: it would answer nowhere.
        let text = i18n::text(staff.lang, "sub_no_domain");
        return refused(&bo, &staff, &a.id, text);
    }
    let Some(p) = platform(&bo).await else {
        return unavailable(&bo, &staff, "the platform's content cannot be read");
    };
    let extensions: Vec<String> = p
        .plans
        .plans
        .get(&a.plan)
        .map(|plan| plan.extensions.keys().cloned().collect())
        .unwrap_or_default();
    let domain = format!("{}.{}", a.wanted, bo.platform_domain);
    // Tried again after a failure further on: the storefront stands.
    let exists =
        matches!(bo.site.revisions().published(&a.wanted).await, Ok(Some(_))) && a.topup.is_some();
    if !exists {
        let opening = Opening {
            id: &a.wanted,
            name: &a.name,
            domain: &domain,
            language: a.language,
            currency: a.currency,
            plan: &a.plan,
            parent: None,
            extensions: &extensions,
            by: &staff.profile.email,
        };
        match open_storefront(&bo, &opening).await {
            Ok(_) => {}
            Err(NotOpened::Taken) => {
                return refused(
                    &bo,
                    &staff,
                    &a.id,
                    i18n::fill(staff.lang, "r_id_taken", &[("value", &a.wanted)]),
                );
            }
            Err(NotOpened::Refused(d)) => {
                let text = crate::edit::problems(&d, staff.lang).join(" ");
                return refused(&bo, &staff, &a.id, text);
            }
            Err(NotOpened::Failed(e)) => return unavailable(&bo, &staff, e.to_string()),
            Err(NotOpened::NotBuilt) => return unavailable(&bo, &staff, "not built"),
        }
    }
    if let Err(e) = opening_balance(&bo, &staff, &a).await {
        return unavailable(&bo, &staff, e);
    }
    if let Err(e) = owner(&bo, &a).await {
        return unavailable(&bo, &staff, e);
    }
    let a = match decide(&bo, &staff, &a, AppState::Approved, None).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    crate::audit(
        &bo,
        &staff,
        "application.approve",
        &format!("application:{}", a.id),
        json!({"state": "pending"}),
        json!({"state": "approved", "reseller": a.wanted, "plan": a.plan, "host": domain, "owner": a.email, "deposit": a.deposit.as_ref().map(|d| d.amount.to_string())}),
    )
    .await;
    let secure = bo.shop.accounts.config.secure_cookies;
    let link = staff.visit.link_to(secure, &a.wanted, &domain, "");
    let link = link.trim_end_matches('?').to_string();
    let text = i18n::fill(
        a.language,
        "reg_mail_approved_body",
        &[("name", &a.person), ("link", &link), ("email", &a.email)],
    );
    mail(&bo, &staff, &a, "reg_mail_approved_subject", text).await;
    Redirect::to(&format!("{}&done=approved", back(&staff, &a.id))).into_response()
}

/// The deposit credited to the new wallet with the platform, once: the
/// top-up is named in the application before it is decided, and deciding
/// it again finds it decided.
async fn opening_balance(bo: &BackOffice, staff: &Staff, a: &Application) -> Result<(), String> {
    let ledger = &bo.shop.orders.ledger;
    let d = a.deposit.as_ref().ok_or("no deposit")?;
    let me = Party::reseller(&a.wanted);
    let topup = match &a.topup {
        Some(t) => t.clone(),
        None => {
            let bank = platform(bo)
                .await
                .ok_or("the platform's content cannot be read")?
                .site
                .bank_accounts
                .into_iter()
                .find(|b| b.currency == a.currency)
                .map_or_else(|| "deposit".to_string(), |b| b.id);
            let t = ledger
                .request_topup(Request {
                    holder: me,
                    parent: Party::Platform,
                    currency: a.currency,
                    amount: d.amount,
                    bank_account: bank,
                    transfer_reference: d.reference.clone(),
                    by: staff.profile.id.clone(),
                })
                .await
                .map_err(|e| e.to_string())?;
            applications(bo)
                .change(&a.id, |x| {
                    x.topup = Some(t.id.clone());
                    Ok(())
                })
                .await
                .map_err(|e| e.to_string())?;
            t.id
        }
    };
    match ledger
        .decide_topup(&Party::Platform, &topup, true, None, &staff.profile.id)
        .await
    {
        Ok(_) | Err(TopUpError::AlreadyDecided(_)) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// The applicant's account carried over to the new storefront as its
/// owner (already there when an approval is tried again).
async fn owner(bo: &BackOffice, a: &Application) -> Result<(), String> {
    let store = bo.shop.accounts.store.clone();
    let (_, applicant) = records::load(store.as_ref(), &a.platform, &a.id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the applicant's account is gone")?;
    let id = storefront_functions::accounts::secrets::new_id().map_err(|e| e.to_string())?;
    let profile = Profile {
        id,
        reseller: a.wanted.clone(),
        role: Role::Owner,
        // It confirmed the address on the platform's storefront.
        verified: true,
        auth_epoch: 0,
        created_at: storefront_functions::store::now(),
        price_group: None,
        newsletter: false,
        suspended: false,
        language: a.language,
        ..applicant
    };
    match records::create(store.as_ref(), &profile).await {
        Ok(()) | Err(CreateError::Taken) => Ok(()),
        Err(CreateError::Store(e)) => Err(e.to_string()),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct FileQuery {
    #[serde(default)]
    id: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    v: u32,
}

/// A file of an application, for its reviewers.
pub(crate) async fn file(
    State(bo): State<BackOffice>,
    _staff: Staff,
    Query(q): Query<FileQuery>,
) -> Response {
    send_file(&bo, &q.id, &q.item, q.v)
        .await
        .unwrap_or_else(|| StatusCode::NOT_FOUND.into_response())
}
