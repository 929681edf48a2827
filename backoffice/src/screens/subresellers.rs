//! Sub-resellers: the storefronts that buy from this one. The list (each
//! with its plan, its wallet held here and its credit limit, and links to
//! its orders and domains), and *Create a sub-reseller*: a storefront of
//! its own from the scaffold (`storefront new`'s), on a subdomain of the
//! platform, buying at one of the plans this storefront offers, published
//! at once, its wallet held here and its owner invited by mail.
//!
//! A reseller sees only its own sub-resellers: one that is not (another
//! storefront's, or none) is "not found", whatever its id.

use super::money::{Problem, desk, enc, failed};
use crate::edit::{self, FieldError};
use crate::{
    BackOffice, Failure, RevisionError, Source, Staff, context, errors_context, i18n, message,
    render, unavailable, when,
};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use storefront_core::Locale;
use storefront_core::ledger::Party;
use storefront_core::money::Money;
use storefront_core::snapshot::Snapshot;
use storefront_functions::accounts::Role;
use storefront_functions::accounts::staff::{self, StaffError};
use storefront_functions::catalog;
use storefront_functions::orders::domain_list;
use storefront_generator::content::Site;
use storefront_generator::scaffold::{self, Scaffold};
use storefront_publish::PublishError;

/// The longest name a storefront may have here: it heads every page and
/// invoice.
const NAME_MAX: usize = 80;

// ----- the list -----

#[derive(Deserialize, Default)]
pub(crate) struct Shown {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    id: Option<String>,
    /// The page to show: the id the previous page ended with.
    #[serde(default)]
    after: Option<String>,
}

pub(crate) async fn list_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    let notice = match q.done.as_deref() {
        Some("created") => Some(i18n::fill(
            staff.lang,
            "sub_done_created",
            &[("value", q.id.as_deref().unwrap_or_default())],
        )),
        Some("limit") => Some(i18n::text(staff.lang, "sub_done_limit")),
        Some("invited") => Some(i18n::fill(
            staff.lang,
            "sub_done_invited",
            &[("value", q.id.as_deref().unwrap_or_default())],
        )),
        _ => None,
    };
    list(&bo, &staff, q.after.as_deref(), notice, None).await
}

/// The list, a page at a time (by id).
async fn list(
    bo: &BackOffice,
    staff: &Staff,
    after: Option<&str>,
    notice: Option<String>,
    problem: Option<Problem>,
) -> Response {
    let store = bo.shop.accounts.store.clone();
    let page = match catalog::sub_resellers_page(
        store.as_ref(),
        &staff.reseller,
        after,
        storefront_functions::paging::PER_PAGE,
    )
    .await
    {
        Ok(p) => p,
        Err(e) => return unavailable(bo, staff, e.to_string()),
    };
    let children = page.items;
    let ledger = &bo.shop.orders.ledger;
    let lang = staff.lang;
    let mut rows = Vec::new();
    for s in &children {
        let wallet = match ledger.wallet(&Party::reseller(&s.reseller)).await {
            Ok(w) => w,
            Err(e) => return unavailable(bo, staff, e.to_string()),
        };
        let b = wallet.map(|w| w.balance).unwrap_or_default();
        let shown = |d: Decimal| Money::new(d, s.currency).format(lang);
        let plan = match plan_of(bo, &s.reseller).await {
            Ok(p) => p,
            Err(e) => return e.answer(bo, staff),
        };
        // Its owner: signed up (it manages its own staff from then on),
        // or invited and not yet, or none (an invitation that failed).
        let members = match staff::list(store.as_ref(), &s.reseller).await {
            Ok(m) => m,
            Err(e) => return unavailable(bo, staff, e.to_string()),
        };
        let owner = members.iter().find(|p| p.role == Role::Owner);
        rows.push(json!({
            "id": s.reseller,
            "name": s.name,
            "host": s.domains.first(),
            "plan": plan,
            "available": shown(b.available()),
            "held": shown(b.held),
            "credit_limit": shown(b.credit_limit),
            "credit_limit_amount": b.credit_limit.to_string(),
            "owner": owner.map(|p| &p.email),
            "owner_pending": owner.is_none_or(|p| !p.verified),
            "may_invite": !members.iter().any(|p| p.verified),
            "orders": format!("subresellers/orders?id={}", enc(&s.reseller)),
            "domains": format!("subresellers/domains?id={}", enc(&s.reseller)),
        }));
    }
    let mut c = context(staff, "subresellers", "title_subresellers");
    c.insert("money_page", &true);
    c.insert("children", &rows);
    c.insert("next", &page.next);
    c.insert("notice", &notice);
    let status = problem
        .as_ref()
        .and_then(|p| p.status)
        .unwrap_or(StatusCode::OK);
    c.insert("problem", &problem);
    render(bo, "subresellers.html", &c, status)
}

/// The plan a storefront's published `site.toml` buys at.
async fn plan_of(bo: &BackOffice, id: &str) -> Result<Option<String>, Failure> {
    let Some(p) = bo.site.revisions().published(id).await? else {
        return Ok(None);
    };
    let files = bo.site.files_of(id, &p.revision).await?;
    Ok(edit::site_of(&files).map(|(_, s)| s.plan))
}

fn not_found(bo: &BackOffice, staff: &Staff) -> Response {
    message(
        bo,
        staff.lang,
        &staff.base,
        StatusCode::NOT_FOUND,
        "not_found",
        "not_found",
        Some((&format!("{}subresellers", staff.base), "title_subresellers")),
    )
}

/// `id`'s snapshot, if it is a sub-reseller of this storefront: what every
/// page about one reads first.
async fn child(bo: &BackOffice, staff: &Staff, id: &str) -> Result<Snapshot, Response> {
    let store = bo.shop.accounts.store.clone();
    match catalog::current(store.as_ref(), id).await {
        Ok(Some(s)) if s.parent.id.as_deref() == Some(staff.reseller.as_str()) => Ok(s),
        Ok(_) => Err(not_found(bo, staff)),
        Err(e) => Err(unavailable(bo, staff, e.to_string())),
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct Which {
    #[serde(default)]
    id: String,
    /// The page of orders to show: the cursor the previous page gave.
    #[serde(default)]
    before: Option<String>,
}

/// A sub-reseller's orders (its storefront's), newest first, a page at a
/// time.
pub(crate) async fn orders_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Which>,
) -> Response {
    let s = match child(&bo, &staff, &q.id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let before = q.before.as_deref().filter(|b| !b.is_empty());
    let page = match bo
        .shop
        .orders
        .orders_of_reseller(&s.reseller, before, storefront_functions::paging::PER_PAGE)
        .await
    {
        Ok(p) => p,
        Err(e) => return unavailable(&bo, &staff, e.to_string()),
    };
    let list = page.items;
    let rows: Vec<Value> = list
        .iter()
        .map(|o| {
            let gross = o["gross"]
                .as_str()
                .and_then(|g| g.parse::<Decimal>().ok())
                .map(|g| Money::new(g, s.currency).format(staff.lang))
                .unwrap_or_default();
            json!({
                "id": o["id"],
                "when": o["created_at"].as_str().and_then(|t| t.parse().ok()).map(|t| when(t, &staff)),
                "names": o["domains"].as_array().map(|d| d.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")),
                "gross": gross,
                "state": o["state"],
                "state_label": o["state"].as_str().map(|st| i18n::text(staff.lang, &format!("m_state_{}", st.replace('-', "_")))),
            })
        })
        .collect();
    let mut c = child_context(&staff, &s, "orders");
    c.insert("orders", &rows);
    c.insert("next", &page.next);
    render(&bo, "subreseller.html", &c, StatusCode::OK)
}

/// A sub-reseller's customers' domains, in the four lists.
pub(crate) async fn domains_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Which>,
) -> Response {
    let s = match child(&bo, &staff, &q.id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let today = s.today(bo.clock.now());
    let list = match domain_list::of_reseller(&bo.shop.orders, &s.reseller, today, None).await {
        Ok(l) => l,
        Err(e) => return unavailable(&bo, &staff, e.to_string()),
    };
    let rows: Vec<Value> = list
        .domains
        .iter()
        .map(|d| {
            json!({
                "name": d["display"].as_str().or(d["name"].as_str()),
                "expires": d["expires"],
                "status": d["status"],
                "state_label": d["status"].as_str().map(|st| i18n::text(staff.lang, &format!("m_state_{st}"))),
            })
        })
        .collect();
    let mut c = child_context(&staff, &s, "domains");
    c.insert("domains", &rows);
    render(&bo, "subreseller.html", &c, StatusCode::OK)
}

fn child_context(staff: &Staff, s: &Snapshot, tab: &str) -> tera::Context {
    let mut c = context(staff, "subresellers", "title_subresellers");
    c.insert("money_page", &true);
    c.insert("child", &json!({"id": s.reseller, "name": s.name}));
    c.insert("tab", tab);
    c.insert("q", &enc(&s.reseller));
    c.insert("notice", &None::<String>);
    c
}

#[derive(Deserialize, Default)]
pub(crate) struct LimitForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    limit: String,
}

/// Set a sub-reseller's credit limit (the money desk's rule and audit).
pub(crate) async fn set_limit(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<LimitForm>,
) -> Response {
    if let Err(r) = child(&bo, &staff, &f.id).await {
        return r;
    }
    match desk(&bo, &staff)
        .set_credit_limit(Party::reseller(&f.id), &f.limit)
        .await
    {
        Ok(_) => Redirect::to(&format!("{}subresellers?done=limit", staff.base)).into_response(),
        Err(e) => match failed(&bo, &staff, e, Problem::on(&f.id, &[("limit", &f.limit)])) {
            super::money::Failed::Page(r) => r,
            super::money::Failed::Form(p) => list(&bo, &staff, None, None, Some(p)).await,
        },
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct OwnerForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    owner_name: String,
    #[serde(default)]
    owner_email: String,
}

/// Invite a sub-reseller's owner again (the first invitation failed, or
/// went to a wrong address): only while nobody has signed up to its back
/// office, from then on its own owner manages its staff. A pending
/// invitation is revoked first, so its link stops working.
pub(crate) async fn invite_owner(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<OwnerForm>,
) -> Response {
    let s = match child(&bo, &staff, &f.id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let store = bo.shop.accounts.store.clone();
    let typed = [("owner_email", f.owner_email.as_str())];
    // The owner's form's row, beside the credit limit's of the same row.
    let row = format!("owner-{}", s.reseller);
    let name = f.owner_name.trim();
    let bad = if storefront_functions::accounts::fields::email(&f.owner_email).is_err() {
        Some(("owner_email", "sub_bad_email", f.owner_email.trim()))
    } else if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        Some(("owner_name", "sub_bad_owner_name", name))
    } else {
        None
    };
    if let Some((field, key, value)) = bad {
        let e = storefront_functions::accounts::error::AccountsError::Said {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_value",
            message: i18n::fill(staff.lang, key, &[("value", value)]),
            field: Some(field.into()),
            retry_after_secs: None,
        };
        return match failed(&bo, &staff, e, Problem::on(&row, &typed)) {
            super::money::Failed::Page(r) => r,
            super::money::Failed::Form(p) => list(&bo, &staff, None, None, Some(p)).await,
        };
    }
    let members = match staff::list(store.as_ref(), &s.reseller).await {
        Ok(m) => m,
        Err(e) => return unavailable(&bo, &staff, e.to_string()),
    };
    if members.iter().any(|p| p.verified) {
        return message(
            &bo,
            staff.lang,
            &staff.base,
            StatusCode::CONFLICT,
            "sub_owner_exists",
            "sub_owner_exists_text",
            Some((&format!("{}subresellers", staff.base), "title_subresellers")),
        );
    }
    for p in &members {
        if let Err(e) = staff::revoke(store.as_ref(), &s.reseller, &staff.actor(), &p.id).await {
            return unavailable(&bo, &staff, e.to_string());
        }
    }
    match welcome(&bo, &staff, &s.reseller, name, &f.owner_email).await {
        Ok(()) => {
            crate::audit(
                &bo,
                &staff,
                "subreseller.invite_owner",
                &format!("reseller:{}", s.reseller),
                json!({"pending": members.iter().map(|p| &p.email).collect::<Vec<_>>()}),
                json!({"owner": f.owner_email.trim()}),
            )
            .await;
            Redirect::to(&format!(
                "{}subresellers?done=invited&id={}",
                staff.base,
                enc(&s.reseller)
            ))
            .into_response()
        }
        Err(e) => {
            eprintln!("inviting the owner of {}: {e}", s.reseller);
            message(
                &bo,
                staff.lang,
                &staff.base,
                StatusCode::SERVICE_UNAVAILABLE,
                "sub_not_invited",
                "sub_not_invited_again",
                Some((&format!("{}subresellers", staff.base), "title_subresellers")),
            )
        }
    }
}

// ----- creating one -----

#[derive(Deserialize, Default, Clone, serde::Serialize)]
pub(crate) struct NewForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    owner_name: String,
    #[serde(default)]
    owner_email: String,
}

/// A sub-reseller as asked for, every field judged.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Wanted {
    pub id: String,
    pub name: String,
    pub language: Locale,
    pub plan: String,
    pub owner_name: String,
    pub owner_email: String,
}

/// Judge the form against the plans this storefront offers. Whether the
/// id is taken needs the store: `taken` says. Every field's problem at
/// once, so a person fixes them in one go.
pub(crate) fn judge(
    f: &NewForm,
    offers: &[String],
    taken: bool,
) -> Result<Wanted, Vec<FieldError>> {
    let mut errors = Vec::new();
    let id = f.id.trim().to_ascii_lowercase();
    if !storefront_generator::content::valid_id(&id) {
        errors.push(FieldError::new("id", "sub_bad_id", f.id.trim()));
    } else if taken {
        errors.push(FieldError::new("id", "sub_id_taken", &id));
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        errors.push(FieldError::new("name", "sub_bad_name", name));
    }
    let language = f.language.trim().parse::<Locale>();
    if language.is_err() {
        errors.push(FieldError::new(
            "language",
            "sub_bad_language",
            f.language.trim(),
        ));
    }
    let plan = f.plan.trim();
    if !offers.iter().any(|p| p == plan) {
        errors.push(FieldError::new("plan", "sub_unknown_plan", plan));
    }
    let owner_name = f.owner_name.trim();
    if owner_name.chars().count() > NAME_MAX || owner_name.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "owner_name",
            "sub_bad_owner_name",
            owner_name,
        ));
    }
    if storefront_functions::accounts::fields::email(&f.owner_email).is_err() {
        errors.push(FieldError::new(
            "owner_email",
            "sub_bad_email",
            f.owner_email.trim(),
        ));
    }
    match language {
        Ok(language) if errors.is_empty() => Ok(Wanted {
            id,
            name: name.to_string(),
            language,
            plan: plan.to_string(),
            owner_name: owner_name.to_string(),
            owner_email: f.owner_email.trim().to_string(),
        }),
        _ => Err(errors),
    }
}

/// This storefront's own `site.toml` as published: what a sub-reseller
/// buys from (its plans, currency and extensions).
async fn parent_site(bo: &BackOffice, staff: &Staff) -> Result<Site, Response> {
    let published = match bo.site.revisions().published(&staff.reseller).await {
        Ok(Some(p)) => p,
        Ok(None) => return Err(not_found(bo, staff)),
        Err(e) => return Err(Failure::from(e).answer(bo, staff)),
    };
    let files = match bo.site.files_of(&staff.reseller, &published.revision).await {
        Ok(f) => f,
        Err(e) => return Err(Failure::from(e).answer(bo, staff)),
    };
    match edit::site_of(&files) {
        Some((_, s)) => Ok(s),
        None => Err(message(
            bo,
            staff.lang,
            &staff.base,
            StatusCode::CONFLICT,
            "title_subreseller_new",
            "error_site_unreadable",
            None,
        )),
    }
}

pub(crate) async fn new_page(State(bo): State<BackOffice>, staff: Staff) -> Response {
    let site = match parent_site(&bo, &staff).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let typed = NewForm {
        language: staff.snapshot.default_language().code().to_string(),
        ..NewForm::default()
    };
    form_page(&bo, &staff, &site, &typed, &[], Vec::new(), StatusCode::OK)
}

fn form_page(
    bo: &BackOffice,
    staff: &Staff,
    site: &Site,
    typed: &NewForm,
    errors: &[FieldError],
    problems: Vec<String>,
    status: StatusCode,
) -> Response {
    let mut c = context(staff, "subresellers", "title_subreseller_new");
    let plans: Vec<&String> = site.pricing.sub_resellers.keys().collect();
    c.insert("plans", &plans);
    c.insert(
        "languages",
        &Locale::ALL
            .iter()
            .map(|l| json!({"code": l.code(), "name": i18n::text(staff.lang, &format!("sub_language_{}", l.code()))}))
            .collect::<Vec<_>>(),
    );
    c.insert("typed", typed);
    c.insert("suffix", &format!(".{}", bo.platform_domain));
    c.insert("no_domain", &bo.platform_domain.is_empty());
    c.insert("notice", &None::<String>);
    c.insert("problems", &problems);
    errors_context(&mut c, staff, errors);
    render(bo, "subreseller_new.html", &c, status)
}

/// Whether a storefront `id` exists, published or only drafted.
pub(crate) async fn taken(bo: &BackOffice, id: &str) -> Result<bool, RevisionError> {
    if !storefront_generator::content::valid_id(id) {
        return Ok(false);
    }
    let revisions = bo.site.revisions();
    Ok(revisions.published(id).await?.is_some() || revisions.draft(id).await?.is_some())
}

/// Create the sub-reseller the form asks for (`open_storefront`). Once the
/// storefront is built it stands; its wallet is opened and its owner
/// invited, and if either fails the page says so (the storefront is there;
/// the owner's invitation is what is missing).
pub(crate) async fn create(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<NewForm>,
) -> Response {
    let site = match parent_site(&bo, &staff).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if bo.platform_domain.is_empty() {
        return message(
            &bo,
            staff.lang,
            &staff.base,
            StatusCode::CONFLICT,
            "title_subreseller_new",
            "sub_no_domain",
            None,
        );
    }
    let offers: Vec<String> = site.pricing.sub_resellers.keys().cloned().collect();
    let id = f.id.trim().to_ascii_lowercase();
    let is_taken = match taken(&bo, &id).await {
        Ok(t) => t,
        Err(e) => return Failure::from(e).answer(&bo, &staff),
    };
    let wanted = match judge(&f, &offers, is_taken) {
        Ok(w) => w,
        Err(errors) => {
            return form_page(
                &bo,
                &staff,
                &site,
                &f,
                &errors,
                Vec::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let domain = format!("{}.{}", wanted.id, bo.platform_domain);
    let opening = Opening {
        id: &wanted.id,
        name: &wanted.name,
        domain: &domain,
        language: wanted.language,
        currency: site.currency,
        plan: &wanted.plan,
        parent: Some(&staff.reseller),
        extensions: &site.extensions(),
        by: &staff.profile.email,
    };
    let revision = match open_storefront(&bo, &opening).await {
        Ok(r) => r,
        Err(NotOpened::Refused(d)) => {
            return form_page(
                &bo,
                &staff,
                &site,
                &f,
                &[],
                edit::problems(&d, staff.lang),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        Err(NotOpened::Taken) => {
            let taken = [FieldError::new("id", "sub_id_taken", &wanted.id)];
            return form_page(
                &bo,
                &staff,
                &site,
                &f,
                &taken,
                Vec::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        Err(NotOpened::Failed(e)) => return e.answer(&bo, &staff),
        Err(NotOpened::NotBuilt) => {
            return message(
                &bo,
                staff.lang,
                &staff.base,
                StatusCode::SERVICE_UNAVAILABLE,
                "sub_not_created",
                "sub_not_created_text",
                Some((
                    &format!("{}subresellers/new", staff.base),
                    "title_subreseller_new",
                )),
            );
        }
    };
    crate::audit(
        &bo,
        &staff,
        "subreseller.create",
        &format!("reseller:{}", wanted.id),
        json!(null),
        json!({"id": wanted.id, "name": wanted.name, "plan": wanted.plan, "language": wanted.language.code(), "host": domain, "owner": wanted.owner_email, "revision": revision}),
    )
    .await;
    match welcome(
        &bo,
        &staff,
        &wanted.id,
        &wanted.owner_name,
        &wanted.owner_email,
    )
    .await
    {
        Ok(()) => Redirect::to(&format!(
            "{}subresellers?done=created&id={}",
            staff.base,
            enc(&wanted.id)
        ))
        .into_response(),
        Err(e) => {
            eprintln!(
                "sub-reseller {} created, its owner not invited: {e}",
                wanted.id
            );
            message(
                &bo,
                staff.lang,
                &staff.base,
                StatusCode::SERVICE_UNAVAILABLE,
                "sub_not_invited",
                "sub_not_invited_text",
                Some((&format!("{}subresellers", staff.base), "title_subresellers")),
            )
        }
    }
}

/// A storefront to open from the scaffold: a sub-reseller's (its parent
/// the storefront whose staff creates it) or a reseller the platform
/// approved (no parent).
pub(crate) struct Opening<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// The host it answers on at once: `<id>.<platform domain>`.
    pub domain: &'a str,
    pub language: Locale,
    pub currency: storefront_core::Currency,
    pub plan: &'a str,
    pub parent: Option<&'a str>,
    pub extensions: &'a [String],
    /// Who publishes it, as its history says.
    pub by: &'a str,
}

/// Why a storefront was not opened.
pub(crate) enum NotOpened {
    /// Its content fails the check (what `storefront check` says).
    Refused(storefront_generator::diagnostics::Diagnostics),
    /// Its id is someone else's (published meanwhile).
    Taken,
    Failed(Failure),
    /// Its build failed; the id is free again.
    NotBuilt,
}

/// Open a new storefront: its scaffold saved as a revision, checked,
/// published, built (and uploaded, deployed). The revision published.
///
/// All or nothing where it matters, the id: nothing claims it until its
/// content has passed the check (a revision saved before is content only,
/// named by its hash, and claims nothing). Publishing claims it (a
/// conditional write: of two creating the same id, one wins, the other is
/// told it is taken). If the build that follows fails, the publish is
/// taken back (`Revisions::withdraw`), so the id is free to try again.
pub(crate) async fn open_storefront(bo: &BackOffice, o: &Opening<'_>) -> Result<String, NotOpened> {
    let files = scaffold::files(&Scaffold {
        name: o.name,
        domain: o.domain,
        language: o.language,
        currency: o.currency,
        plan: o.plan,
        parent: o.parent,
        extensions: o.extensions,
    });
    let now = bo.clock.now();
    let revisions = bo.site.revisions();
    let failed = |e: PublishError| NotOpened::Failed(Failure::from(e));
    let revision = revisions
        .save(o.id, &files)
        .await
        .map_err(|e| NotOpened::Failed(e.into()))?;
    match bo.site.check_draft(o.id, files, now).await {
        Ok(_) => {}
        Err(PublishError::Content(d)) => return Err(NotOpened::Refused(d)),
        Err(e) => return Err(failed(e)),
    }
    match revisions
        .publish(o.id, &revision, None, o.by, Source::Panel, now)
        .await
    {
        Ok(()) => {}
        Err(RevisionError::Moved { .. }) => return Err(NotOpened::Taken),
        Err(e) => return Err(NotOpened::Failed(e.into())),
    }
    if let Err(e) = build(bo, now).await {
        eprintln!("opening storefront {}: {e}", o.id);
        // Not built: the id goes back, as if never asked for.
        if let Err(e) = revisions.withdraw(o.id, &revision).await {
            eprintln!("withdrawing storefront {}: {e}", o.id);
        }
        return Err(match e {
            Failure::Publish(PublishError::Content(d)) => NotOpened::Refused(d),
            _ => NotOpened::NotBuilt,
        });
    }
    Ok(revision)
}

/// Build every storefront from what is published (the new one among
/// them) and upload those rendered, where deployed.
async fn build(bo: &BackOffice, now: chrono::DateTime<chrono::Utc>) -> Result<(), Failure> {
    let built = bo.site.build(now).await?;
    if let Some(up) = &bo.upload {
        for id in &built.report.rendered {
            let dir = bo.site.out().join(id);
            up.upload(id, &dir)
                .await
                .map_err(|e| Failure::Publish(PublishError::Io(e)))?;
        }
    }
    Ok(())
}

/// The new storefront's wallet, held here (opened once), and its owner's
/// invitation.
async fn welcome(
    bo: &BackOffice,
    staff: &Staff,
    id: &str,
    owner_name: &str,
    owner_email: &str,
) -> Result<(), String> {
    let store = bo.shop.accounts.store.clone();
    let snapshot = catalog::current(store.as_ref(), id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("its catalogue is not published")?;
    bo.shop
        .orders
        .ledger
        .open(
            &Party::reseller(id),
            &Party::reseller(&staff.reseller),
            snapshot.currency,
        )
        .await
        .map_err(|e| e.to_string())?;
    let domain = snapshot.domains.first().cloned().unwrap_or_default();
    let secure = bo.shop.accounts.config.secure_cookies;
    let link = |token: &str| {
        staff
            .visit
            .link_to(secure, id, &domain, &format!("reset={token}"))
    };
    match storefront_functions::accounts::staff::invite_to(
        &bo.shop.accounts,
        &snapshot,
        &link,
        &staff.actor(),
        owner_email,
        Some(owner_name),
        "owner",
    )
    .await
    {
        Ok(_) => Ok(()),
        Err(StaffError::Mail(e)) => Err(e),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(id: &str, plan: &str, email: &str) -> NewForm {
        NewForm {
            id: id.into(),
            name: "Anak Domain".into(),
            language: "id".into(),
            plan: plan.into(),
            owner_name: "Budi".into(),
            owner_email: email.into(),
        }
    }

    #[test]
    fn a_good_form_is_what_it_asks_for() {
        let offers = vec!["agen".to_string()];
        let w = judge(&form(" Anak ", "agen", "budi@anak.example"), &offers, false);
        assert_eq!(
            w,
            Ok(Wanted {
                id: "anak".into(),
                name: "Anak Domain".into(),
                language: Locale::Id,
                plan: "agen".into(),
                owner_name: "Budi".into(),
                owner_email: "budi@anak.example".into(),
            })
        );
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let offers = vec!["agen".to_string()];
        let keys = |f: &NewForm, taken| {
            judge(f, &offers, taken)
                .expect_err("refused")
                .into_iter()
                .map(|e| (e.field, e.key))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(&form("anak_1", "gold", "not-an-address"), false),
            [
                ("id".to_string(), "sub_bad_id"),
                ("plan".to_string(), "sub_unknown_plan"),
                ("owner_email".to_string(), "sub_bad_email"),
            ]
        );
        assert_eq!(
            keys(&form("anak", "agen", "budi@anak.example"), true),
            [("id".to_string(), "sub_id_taken")]
        );
        for bad in ["-anak", "anak-", "", "a.b", &"a".repeat(64)] {
            assert_eq!(
                keys(&form(bad, "agen", "budi@anak.example"), false),
                [("id".to_string(), "sub_bad_id")],
                "{bad:?}"
            );
        }
    }
}
