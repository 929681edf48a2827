//! Customers: every customer account of the storefront by name, searched
//! by the start of a name or an email address, a page at a time (a cursor
//! in the "next page" link); a new customer (invited by mail); one
//! customer's page: profile, orders, domains, wallet and invoices, its
//! price group, credit limit and newsletter consent, suspend and
//! reinstate.
//!
//! The rules are the accounts' (`storefront_functions::accounts::customers`)
//! and the money desk's; these pages read the form, call them and show the
//! answer, a refusal next to the field it is about.

use super::money::{Shown, desk, enc, money_context, unreadable};
use crate::{BackOffice, Staff, i18n, message, render, when};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{TimeZone, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use storefront_core::ledger::Party;
use storefront_functions::accounts::customers::{self, By, CustomerError, NewCustomer};
use storefront_functions::accounts::messages;
use storefront_functions::accounts::records::Profile;

/// Customers a page of the list.
pub(crate) const PER_PAGE: usize = 50;

#[derive(Deserialize, Default)]
pub(crate) struct ListQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

/// What went wrong with a form: which form (`row`), the field, the message.
fn form_problem(row: &str, field: Option<&str>, message: String, typed: Value) -> Value {
    json!({"row": row, "field": field, "message": message, "typed": typed})
}

/// A refusal's words in the staff member's language (None: a page of its
/// own, not found or unavailable), with its status.
fn refusal(staff: &Staff, e: &CustomerError, value: &str) -> Option<(StatusCode, String)> {
    let lang = staff.lang;
    let key = match e {
        CustomerError::Field(f) => {
            return Some((StatusCode::BAD_REQUEST, messages::problem(lang, f.problem)));
        }
        CustomerError::EmailTaken => {
            let m = i18n::fill(lang, "c_email_taken", &[("value", value.trim())]);
            return Some((StatusCode::CONFLICT, m));
        }
        CustomerError::UnknownLanguage => "c_unknown_language",
        CustomerError::UnknownGroup => "c_unknown_group",
        CustomerError::BadCursor => "c_bad_cursor",
        CustomerError::AlreadyActive => "c_already_active",
        CustomerError::Conflict => {
            return Some((StatusCode::CONFLICT, i18n::text(lang, "c_conflict")));
        }
        CustomerError::NotFound | CustomerError::Store(_) | CustomerError::Mail(_) => return None,
    };
    Some((StatusCode::BAD_REQUEST, i18n::text(lang, key)))
}

/// A page of its own for what no form can fix.
fn page_for(bo: &BackOffice, staff: &Staff, e: CustomerError) -> Response {
    let (status, key) = match e {
        CustomerError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        e => {
            eprintln!("customers of {}: {e}", staff.reseller);
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    };
    message(bo, staff.lang, &staff.base, status, key, key, None)
}

fn status_label(staff: &Staff, p: &Profile) -> String {
    let key = if p.suspended {
        "c_status_suspended"
    } else if p.verified {
        "c_status_active"
    } else {
        "c_status_invited"
    };
    i18n::text(staff.lang, key)
}

fn yes_no(staff: &Staff, b: bool) -> String {
    i18n::text(staff.lang, if b { "m_yes" } else { "m_no" })
}

// ----- the list -----

pub(crate) async fn customers_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> Response {
    list(&bo, &staff, &q, None, &NewForm::default()).await
}

/// The list page; `problem` is a refused form's (the new customer's, a
/// credit limit's) with what was typed in the new customer's form.
pub(crate) async fn list(
    bo: &BackOffice,
    staff: &Staff,
    q: &ListQuery,
    problem: Option<(StatusCode, Value)>,
    typed: &NewForm,
) -> Response {
    let store = bo.shop.accounts.store.as_ref();
    let typed_q = q.q.clone().unwrap_or_default();
    let by = By::parse(q.by.as_deref().unwrap_or("name"));
    let after = q.after.as_deref().filter(|a| !a.is_empty());
    let (page, mut problem) =
        match customers::list(store, &staff.reseller, by, &typed_q, after, PER_PAGE).await {
            Ok(p) => (p, problem),
            Err(e @ CustomerError::BadCursor) => {
                let (status, m) = refusal(staff, &e, "").unwrap_or_default();
                let p = form_problem("search", Some("after"), m, json!({}));
                (customers::Page::default(), Some((status, p)))
            }
            Err(e) => return page_for(bo, staff, e),
        };
    let ledger = &bo.shop.orders.ledger;
    let currency = staff.snapshot.currency;
    let mut rows = Vec::with_capacity(page.customers.len());
    for p in &page.customers {
        let holder = Party::customer(&staff.reseller, &p.id);
        let w = match ledger.wallet(&holder).await {
            Ok(w) => w.map(|w| w.balance).unwrap_or_default(),
            Err(e) => return unreadable(bo, staff, e.into()),
        };
        let money = |d| storefront_core::money::Money::new(d, currency).format(staff.lang);
        let who = format!("{} ({})", p.name, p.email);
        rows.push(json!({
            "id": p.id,
            "row": format!("customer:{}", p.id),
            "name": p.name,
            "email": p.email,
            "company": p.company.as_ref().map(|c| c.name.clone()),
            "newsletter": yes_no(staff, p.newsletter),
            "status": status_label(staff, p),
            "suspended": p.suspended,
            "available": money(w.available()),
            "held": money(w.held),
            "limit": w.credit_limit.to_string(),
            "limit_display": money(w.credit_limit),
            "limit_label": i18n::fill(staff.lang, "m_credit_limit_label", &[("who", &who)]),
        }));
    }
    let shown = Shown {
        done: q.done.clone(),
        ..Shown::default()
    };
    let mut c = money_context(staff, "customers", "m_customers_heading", &shown);
    c.insert("customers", &rows);
    c.insert("q", &typed_q);
    c.insert("by", by.key());
    c.insert(
        "next",
        &page.next.as_ref().map(|n| {
            format!(
                "customers?q={}&by={}&after={}",
                enc(&typed_q),
                by.key(),
                enc(n)
            )
        }),
    );
    c.insert("paged", &after.is_some());
    let languages: Vec<Value> = staff
        .snapshot
        .languages
        .iter()
        .map(|l| json!({"code": l.code(), "name": i18n::text(staff.lang, &format!("c_lang_{}", l.code()))}))
        .collect();
    c.insert("languages", &languages);
    let default_language = staff.snapshot.default_language().code().to_string();
    c.insert(
        "typed",
        &json!({
            "name": typed.name, "email": typed.email,
            "kind": if typed.kind.is_empty() { "personal" } else { typed.kind.as_str() },
            "company_name": typed.company_name, "tax_id": typed.tax_id,
            "language": if typed.language.is_empty() { default_language.as_str() } else { typed.language.as_str() },
        }),
    );
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    c.insert("problem", &problem.take().map(|(_, p)| p));
    render(bo, "customers.html", &c, status)
}

/// The newsletter's subscribers as CSV (name, email, language), read a page
/// of the index at a time.
pub(crate) async fn subscribers_csv(State(bo): State<BackOffice>, staff: Staff) -> Response {
    let store = bo.shop.accounts.store.as_ref();
    let mut out = String::from("name,email,language\r\n");
    let mut after: Option<String> = None;
    loop {
        let page = match customers::subscribers(
            store,
            &staff.reseller,
            after.as_deref(),
            customers::MAX_PER_PAGE,
        )
        .await
        {
            Ok(p) => p,
            Err(e) => return page_for(&bo, &staff, e),
        };
        for p in &page.customers {
            out.push_str(&format!(
                "{},{},{}\r\n",
                csv(&p.name),
                csv(&p.email),
                p.language.code()
            ));
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"subscribers.csv\""),
            ),
        ],
        out,
    )
        .into_response()
}

/// A CSV field: quoted when it must be, and never a formula a spreadsheet
/// would run.
fn csv(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

// ----- a new customer -----

#[derive(Deserialize, Default)]
pub(crate) struct NewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    company_name: String,
    #[serde(default)]
    tax_id: String,
    #[serde(default)]
    language: String,
}

pub(crate) async fn create(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<NewForm>,
) -> Response {
    let new = NewCustomer {
        name: f.name.clone(),
        email: f.email.clone(),
        kind: f.kind.clone(),
        company_name: f.company_name.clone(),
        tax_id: f.tax_id.clone(),
        language: f.language.clone(),
    };
    match customers::create(&bo.shop.accounts, &staff.visit, &staff.actor(), &new).await {
        Ok((p, mailed)) => Redirect::to(&format!(
            "{}customers/view?id={}&done={}",
            staff.base,
            enc(&p.id),
            if mailed { "created" } else { "created_unsent" }
        ))
        .into_response(),
        Err(e) => {
            let field = e.field();
            match refusal(&staff, &e, &f.email) {
                Some((_, m)) => {
                    // `company.name` and `tax_id` are the form's
                    // `company_name` and `tax_id`.
                    let field = field.map(|f| match f {
                        "company.name" | "company" => "company_name",
                        "company.tax_id" => "tax_id",
                        f => f,
                    });
                    let p = form_problem("new", field, m, json!({}));
                    list(
                        &bo,
                        &staff,
                        &ListQuery::default(),
                        Some((StatusCode::UNPROCESSABLE_ENTITY, p)),
                        &f,
                    )
                    .await
                }
                None => page_for(&bo, &staff, e),
            }
        }
    }
}

// ----- one customer -----

#[derive(Deserialize, Default)]
pub(crate) struct ViewQuery {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    done: Option<String>,
    /// Older orders: the cursor the previous page's link carried.
    #[serde(default)]
    orders_before: Option<String>,
    /// Older invoices, likewise.
    #[serde(default)]
    invoices_before: Option<String>,
}

pub(crate) async fn customer_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<ViewQuery>,
) -> Response {
    let id = q.id.clone().unwrap_or_default();
    view(&bo, &staff, &id, &q, None).await
}

/// One customer's page; `problem` is a refused form's, with its status.
pub(crate) async fn view(
    bo: &BackOffice,
    staff: &Staff,
    id: &str,
    q: &ViewQuery,
    problem: Option<(StatusCode, Value)>,
) -> Response {
    let cursor = |c: &Option<String>| c.clone().filter(|c| !c.is_empty());
    let (orders_before, invoices_before) = (cursor(&q.orders_before), cursor(&q.invoices_before));
    let file = desk(bo, staff)
        .customer_file(id, orders_before.as_deref(), invoices_before.as_deref())
        .await;
    let mut file = match file {
        Ok(f) => f,
        Err(e) => return unreadable(bo, staff, e),
    };
    let p = &mut file["profile"];
    let since = p["created_at"]
        .as_i64()
        .and_then(|t| Utc.timestamp_opt(t, 0).single())
        .map(|t| when(t, staff));
    p["since"] = json!(since);
    p["language_name"] = json!(i18n::text(
        staff.lang,
        &format!("c_lang_{}", p["language"].as_str().unwrap_or_default())
    ));
    p["newsletter_label"] = json!(yes_no(staff, p["newsletter"] == true));
    p["verified_label"] = json!(yes_no(staff, p["verified"] == true));
    p["status"] = json!(i18n::text(
        staff.lang,
        if p["suspended"] == true {
            "c_status_suspended"
        } else if p["verified"] == true {
            "c_status_active"
        } else {
            "c_status_invited"
        }
    ));
    let label = |prefix: &str, v: &Value| {
        v.as_str()
            .map(|s| i18n::text(staff.lang, &format!("m_{prefix}_{}", s.replace('-', "_"))))
            .unwrap_or_default()
    };
    let at = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<chrono::DateTime<Utc>>().ok())
            .map(|d| when(d, staff))
            .or_else(|| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    if let Some(list) = file["orders"].as_array_mut() {
        for o in list {
            o["state_label"] = json!(label("state", &o["state"]));
            o["when"] = json!(at(&o["created_at"]));
            o["names"] = json!(
                o["domains"]
                    .as_array()
                    .map(|d| d
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default()
            );
        }
    }
    if let Some(list) = file["domains"].as_array_mut() {
        for d in list {
            d["state_label"] = json!(label("state", &d["status"]));
        }
    }
    if let Some(list) = file["invoices"].as_array_mut() {
        for i in list {
            i["kind_label"] = json!(label("invoice", &i["kind"]));
            i["when"] = json!(at(&i["issued"]));
        }
    }
    let groups: Vec<Value> = customers::groups(&staff.snapshot)
        .into_iter()
        .map(|g| {
            let name = if g == "default" {
                i18n::text(staff.lang, "c_group_default")
            } else {
                g.clone()
            };
            json!({"key": g, "name": name})
        })
        .collect();
    let name = file["profile"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let shown = Shown {
        done: q.done.clone(),
        ..Shown::default()
    };
    let mut c = money_context(staff, "customers", "m_customers_heading", &shown);
    c.insert("title", &name);
    let here = format!("customers/view?id={}", enc(id));
    c.insert(
        "orders_next",
        &file["orders_next"]
            .as_str()
            .map(|n| format!("{here}&orders_before={}", enc(n))),
    );
    c.insert(
        "invoices_next",
        &file["invoices_next"]
            .as_str()
            .map(|n| format!("{here}&invoices_before={}", enc(n))),
    );
    c.insert("customer", &file);
    c.insert("groups", &groups);
    c.insert(
        "address",
        &file["address"].as_array().map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        }),
    );
    c.insert(
        "limit_label",
        &i18n::fill(staff.lang, "m_credit_limit_label", &[("who", &name)]),
    );
    let status = problem.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    c.insert("problem", &problem.map(|(_, p)| p));
    render(bo, "customer.html", &c, status)
}

#[derive(Deserialize)]
pub(crate) struct ChangeForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    group: String,
    /// The newsletter's checkbox: present when ticked.
    #[serde(default)]
    newsletter: Option<String>,
}

/// After a change on a customer's page: back to it, saying what was done;
/// a refusal next to its form.
async fn answer(
    bo: &BackOffice,
    staff: &Staff,
    id: &str,
    row: &str,
    r: Result<(Profile, Profile), CustomerError>,
    what: &str,
    value: &str,
) -> Response {
    match r {
        Ok(_) => Redirect::to(&format!(
            "{}customers/view?id={}&done={what}",
            staff.base,
            enc(id)
        ))
        .into_response(),
        Err(e) => match refusal(staff, &e, value) {
            Some((status, m)) => {
                let p = form_problem(row, e.field(), m, json!({}));
                view(bo, staff, id, &ViewQuery::default(), Some((status, p))).await
            }
            None => page_for(bo, staff, e),
        },
    }
}

pub(crate) async fn set_group(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<ChangeForm>,
) -> Response {
    let store = bo.shop.accounts.store.clone();
    let r =
        customers::set_price_group(&*store, &staff.snapshot, &staff.actor(), &f.id, &f.group).await;
    answer(&bo, &staff, &f.id, "group", r, "group", &f.group).await
}

pub(crate) async fn set_newsletter(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<ChangeForm>,
) -> Response {
    let store = bo.shop.accounts.store.clone();
    let on = f.newsletter.is_some();
    let r = customers::set_newsletter(&*store, &staff.reseller, &staff.actor(), &f.id, on).await;
    answer(&bo, &staff, &f.id, "newsletter", r, "newsletter", "").await
}

pub(crate) async fn suspend(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<ChangeForm>,
) -> Response {
    let store = bo.shop.accounts.store.clone();
    let r = customers::set_suspended(&*store, &staff.reseller, &staff.actor(), &f.id, true).await;
    answer(&bo, &staff, &f.id, "suspend", r, "suspended", "").await
}

pub(crate) async fn reinstate(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<ChangeForm>,
) -> Response {
    let store = bo.shop.accounts.store.clone();
    let r = customers::set_suspended(&*store, &staff.reseller, &staff.actor(), &f.id, false).await;
    answer(&bo, &staff, &f.id, "suspend", r, "reinstated", "").await
}

/// Mail a customer who has not set a password yet a new invitation.
pub(crate) async fn invite_again(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<ChangeForm>,
) -> Response {
    let r = customers::invite_again(&bo.shop.accounts, &staff.visit, &staff.actor(), &f.id)
        .await
        .map(|p| (p.clone(), p));
    answer(&bo, &staff, &f.id, "invite", r, "invited", "").await
}
