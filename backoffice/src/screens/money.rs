//! The money screens: top-ups asked of the storefront (approve, or reject
//! with a reason), its own wallet with its parent and its top-ups there,
//! orders (mark a bank transfer paid, refund), domains, its customers'
//! credit limits (the customers' pages are `customers`) and the invoices
//! its parent issued it.
//!
//! Every rule is the money desk's (`storefront_functions::orders::routes::
//! Desk`), which the JSON panel answers with too; these pages only read
//! and post forms. A change answers with a redirect to the page it was made
//! on (so a reload does not post it again), or with the page again and the
//! problem next to the form that caused it.

use crate::{BackOffice, Staff, context, i18n, message, render, when};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use storefront_core::domain::DomainStatus;
use storefront_core::ledger::Party;
use storefront_functions::accounts::error::AccountsError;
use storefront_functions::error::ApiError;
use storefront_functions::orders::routes::{Decided, Desk};

pub(crate) fn desk<'a>(bo: &'a BackOffice, staff: &'a Staff) -> Desk<'a> {
    Desk {
        shop: &bo.shop,
        reseller: &staff.reseller,
        by: &staff.profile.id,
        lang: staff.lang,
        snapshot: &staff.snapshot,
        actor: staff.actor(),
        console: false,
    }
}

/// The desk of the platform's console: the platform's own money (its
/// storefront's staff with `Capability::Console`).
pub(crate) fn console_desk<'a>(bo: &'a BackOffice, staff: &'a Staff) -> Desk<'a> {
    Desk {
        console: true,
        ..desk(bo, staff)
    }
}

/// Where a page of top-ups is: the storefront's own (asked of it by its
/// customers and sub-resellers) or the console's (asked of the platform by
/// its top-level resellers). One page and one decision for both.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Desks {
    Shop,
    Console,
}

impl Desks {
    fn desk<'a>(self, bo: &'a BackOffice, staff: &'a Staff) -> Desk<'a> {
        match self {
            Desks::Shop => desk(bo, staff),
            Desks::Console => console_desk(bo, staff),
        }
    }

    /// The top-ups page's path under the back office.
    fn topups(self) -> &'static str {
        match self {
            Desks::Shop => "topups",
            Desks::Console => "platform/topups",
        }
    }
}

/// What went wrong with a form, shown next to it: which row's form
/// (a top-up's, an order's, a wallet's), the field to mark, the message
/// in the page's language, and what was typed.
#[derive(Serialize, Default)]
pub(crate) struct Problem {
    #[serde(skip)]
    pub status: Option<StatusCode>,
    row: String,
    field: Option<String>,
    message: String,
    typed: BTreeMap<String, String>,
}

impl Problem {
    pub(crate) fn on(row: &str, typed: &[(&str, &str)]) -> Problem {
        Problem {
            row: row.to_string(),
            typed: typed
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Problem::default()
        }
    }
}

/// A failure: a page of its own (not found, unavailable), or a problem to
/// show next to the form.
pub(crate) enum Failed {
    Page(Response),
    Form(Problem),
}

pub(crate) fn failed(bo: &BackOffice, staff: &Staff, e: AccountsError, mut p: Problem) -> Failed {
    let page =
        |status, key| Failed::Page(message(bo, staff.lang, &staff.base, status, key, key, None));
    match e {
        AccountsError::Said {
            status,
            message,
            field,
            ..
        } => {
            p.status = Some(status);
            p.message = message;
            p.field = field;
            Failed::Form(p)
        }
        AccountsError::Api(ApiError::Invalid { message, field, .. }) => {
            p.status = Some(StatusCode::BAD_REQUEST);
            p.message = message;
            p.field = field.map(str::to_string);
            Failed::Form(p)
        }
        AccountsError::Api(ApiError::NotFound) => page(StatusCode::NOT_FOUND, "not_found"),
        AccountsError::Api(e) => {
            eprintln!("back office of {}: {e}", staff.reseller);
            page(StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        }
    }
}

/// A page's answer when reading failed: not found or unavailable.
pub(crate) fn unreadable(bo: &BackOffice, staff: &Staff, e: AccountsError) -> Response {
    match failed(bo, staff, e, Problem::default()) {
        Failed::Page(r) => r,
        Failed::Form(p) => message(
            bo,
            staff.lang,
            &staff.base,
            p.status.unwrap_or(StatusCode::BAD_REQUEST),
            "unavailable",
            "unavailable",
            None,
        ),
    }
}

/// After a change: back to `page`, saying what was done.
fn done(staff: &Staff, page: &str, what: &str) -> Response {
    Redirect::to(&format!("{}{page}done={what}", staff.base)).into_response()
}

#[derive(Deserialize, Default)]
pub(crate) struct Shown {
    #[serde(default)]
    pub done: Option<String>,
    #[serde(default)]
    pub all: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    /// The domains' list (`active`, `expired`, `awaiting_documents`,
    /// `deleted`).
    #[serde(default)]
    pub status: Option<String>,
    /// The page of a list to show: the cursor the previous page gave.
    #[serde(default)]
    pub after: Option<String>,
    /// The same for lists shown newest first.
    #[serde(default)]
    pub before: Option<String>,
}

/// The page's context, with the money pages' tabs and what was just done.
pub(crate) fn money_context(staff: &Staff, page: &str, title: &str, q: &Shown) -> tera::Context {
    let mut c = context(staff, page, title);
    c.insert("money_page", &true);
    let notice = q.done.as_deref().and_then(|d| {
        let key = format!("m_done_{d}");
        i18n::texts(staff.lang).get(&key).cloned()
    });
    c.insert("notice", &notice);
    c
}

fn label(staff: &Staff, prefix: &str, v: &Value) -> String {
    match v.as_str() {
        Some(s) => i18n::text(staff.lang, &format!("m_{prefix}_{}", s.replace('-', "_"))),
        None => String::new(),
    }
}

fn at(staff: &Staff, v: &Value) -> String {
    v.as_str()
        .and_then(|s| s.parse::<DateTime<Utc>>().ok())
        .map(|d| when(d, staff))
        .or_else(|| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn party(staff: &Staff, p: &Value) -> String {
    match p["kind"].as_str() {
        Some("customer") => i18n::fill(
            staff.lang,
            "m_customer",
            &[("id", p["account"].as_str().unwrap_or_default())],
        ),
        Some("reseller") => i18n::fill(
            staff.lang,
            "m_sub_reseller",
            &[("id", p["id"].as_str().unwrap_or_default())],
        ),
        _ => i18n::text(staff.lang, "m_platform"),
    }
}

/// A customer as the lists name them: name (email), else the account id.
fn card(c: &Value) -> String {
    match (c["name"].as_str(), c["email"].as_str()) {
        (Some(n), Some(e)) if !n.is_empty() => format!("{n} ({e})"),
        (_, Some(e)) => e.to_string(),
        _ => c["id"].as_str().unwrap_or_default().to_string(),
    }
}

/// A bank account as people name it: bank and number, else its id.
fn bank_of(accounts: &[storefront_core::snapshot::BankAccount], id: &Value) -> String {
    accounts
        .iter()
        .find(|a| Some(a.id.as_str()) == id.as_str())
        .map(|a| format!("{} {}", a.bank, a.number))
        .unwrap_or_else(|| id.as_str().unwrap_or_default().to_string())
}

/// A top-up with its labels; `accounts` are those it could be paid into.
fn shown_topup(
    staff: &Staff,
    accounts: &[storefront_core::snapshot::BankAccount],
    mut t: Value,
) -> Value {
    t["bank"] = json!(bank_of(accounts, &t["bank_account"]));
    t["state_label"] = json!(label(staff, "state", &t["state"]));
    t["from"] = json!(if t["customer_card"].is_object() {
        card(&t["customer_card"])
    } else {
        party(staff, &t["holder"])
    });
    t["requested"] = json!(at(staff, &t["requested_at"]));
    t["decided"] = json!(at(staff, &t["decided_at"]));
    t["pending"] = json!(t["state"] == "pending");
    t
}

// ----- top-ups asked of this storefront -----

pub(crate) async fn topups_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    topups(&bo, &staff, Desks::Shop, &q, None).await
}

/// The console's: top-ups the platform's top-level resellers asked of it.
pub(crate) async fn console_topups_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    topups(&bo, &staff, Desks::Console, &q, None).await
}

async fn topups(
    bo: &BackOffice,
    staff: &Staff,
    side: Desks,
    q: &Shown,
    problem: Option<Problem>,
) -> Response {
    let all = q.all.is_some();
    let page = match side.desk(bo, staff).topups(!all, before(q), PER_PAGE).await {
        Ok(l) => l,
        Err(e) => return unreadable(bo, staff, e),
    };
    // Where they pay: the storefront's accounts, or the platform's (which
    // its own storefront's snapshot holds as its parent's).
    let accounts = match side {
        Desks::Shop => &staff.snapshot.bank_accounts,
        Desks::Console => &staff.snapshot.parent.bank_accounts,
    };
    let list: Vec<Value> = page
        .items
        .into_iter()
        .map(|t| {
            let mut t = shown_topup(staff, accounts, t);
            if side == Desks::Console {
                // Every holder here is a top-level reseller, the platform's.
                let id = t["holder"]["id"].as_str().unwrap_or_default().to_string();
                t["from"] = json!(i18n::fill(staff.lang, "con_reseller", &[("id", &id)]));
            }
            t
        })
        .collect();
    let (page_key, title) = match side {
        Desks::Shop => ("topups", "m_topups_heading"),
        Desks::Console => ("console_topups", "con_topups_heading"),
    };
    let mut c = money_context(staff, page_key, title, q);
    if side == Desks::Console {
        c.insert("money_page", &false);
        c.insert("console_page", &true);
    }
    c.insert("topups", &list);
    c.insert("all", &all);
    c.insert("next", &page.next);
    c.insert("at", side.topups());
    let status = problem
        .as_ref()
        .and_then(|p| p.status)
        .unwrap_or(StatusCode::OK);
    c.insert("problem", &problem);
    render(bo, "topups.html", &c, status)
}

#[derive(Deserialize)]
pub(crate) struct DecideForm {
    id: String,
    #[serde(default)]
    reason: Option<String>,
}

pub(crate) async fn approve(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<DecideForm>,
) -> Response {
    decide(&bo, &staff, Desks::Shop, f, true).await
}

pub(crate) async fn reject(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<DecideForm>,
) -> Response {
    decide(&bo, &staff, Desks::Shop, f, false).await
}

pub(crate) async fn console_approve(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<DecideForm>,
) -> Response {
    decide(&bo, &staff, Desks::Console, f, true).await
}

pub(crate) async fn console_reject(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<DecideForm>,
) -> Response {
    decide(&bo, &staff, Desks::Console, f, false).await
}

async fn decide(
    bo: &BackOffice,
    staff: &Staff,
    side: Desks,
    f: DecideForm,
    approve: bool,
) -> Response {
    let typed = f.reason.clone().unwrap_or_default();
    let problem = || Problem::on(&f.id, &[("reason", &typed)]);
    let d = side.desk(bo, staff);
    let reason = if approve {
        None
    } else {
        match storefront_functions::orders::routes::desk::reason(&typed, staff.lang) {
            Ok(r) => Some(r),
            Err(e) => return shown_failure(bo, staff, side, e, problem()).await,
        }
    };
    match d.decide(&f.id, approve, reason).await {
        Ok(Decided::Now(_)) => done(
            staff,
            &format!("{}?", side.topups()),
            if approve { "approved" } else { "rejected" },
        ),
        Ok(Decided::Already(_)) => {
            let mut p = problem();
            p.status = Some(StatusCode::CONFLICT);
            p.message = i18n::text(staff.lang, "m_already_decided");
            topups(
                bo,
                staff,
                side,
                &Shown {
                    all: Some("1".into()),
                    ..Shown::default()
                },
                Some(p),
            )
            .await
        }
        Err(e) => shown_failure(bo, staff, side, e, problem()).await,
    }
}

async fn shown_failure(
    bo: &BackOffice,
    staff: &Staff,
    side: Desks,
    e: AccountsError,
    p: Problem,
) -> Response {
    match failed(bo, staff, e, p) {
        Failed::Page(r) => r,
        Failed::Form(p) => topups(bo, staff, side, &Shown::default(), Some(p)).await,
    }
}

/// A top-up's proof, as the customer sent it: a download, in a sandbox.
pub(crate) async fn proof(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    proof_of(&bo, &staff, Desks::Shop, q).await
}

/// The proof of a top-up asked of the platform.
pub(crate) async fn console_proof(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    proof_of(&bo, &staff, Desks::Console, q).await
}

async fn proof_of(bo: &BackOffice, staff: &Staff, side: Desks, q: Shown) -> Response {
    let id = q.id.unwrap_or_default();
    match side.desk(bo, staff).proof(&id).await {
        Ok((bytes, ct)) => storefront_functions::orders::routes::download(bytes, ct, "attachment"),
        Err(e) => unreadable(bo, staff, e),
    }
}

// ----- the storefront's own wallet -----

pub(crate) async fn wallet_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    wallet(&bo, &staff, &q, None).await
}

async fn wallet(bo: &BackOffice, staff: &Staff, q: &Shown, problem: Option<Problem>) -> Response {
    let d = desk(bo, staff);
    let (w, mine) = match tokio::try_join!(d.wallet(), d.my_topups(before(q), PER_PAGE)) {
        Ok(both) => both,
        Err(e) => return unreadable(bo, staff, e),
    };
    let accounts = &staff.snapshot.parent.bank_accounts;
    let mine_next = mine.next;
    let mine: Vec<Value> = mine
        .items
        .into_iter()
        .map(|t| shown_topup(staff, accounts, t))
        .collect();
    let entries: Vec<Value> = w["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut e| {
            let sign = match e["kind"].as_str() {
                Some("top_up" | "refund") => "+",
                Some("capture") => "−",
                _ => "",
            };
            e["shown"] = json!(format!(
                "{sign}{}",
                e["amount"]["display"].as_str().unwrap_or_default()
            ));
            e["kind_label"] = json!(label(staff, "entry", &e["kind"]));
            e["when"] = json!(at(staff, &e["at"]));
            e
        })
        .collect();
    let mut c = money_context(staff, "wallet", "m_wallet_heading", q);
    c.insert("wallet", &w);
    c.insert("entries", &entries);
    c.insert("mine", &mine);
    c.insert("next", &mine_next);
    c.insert(
        "parent_line",
        &i18n::fill(
            staff.lang,
            "m_wallet_parent",
            &[("name", w["parent"]["name"].as_str().unwrap_or_default())],
        ),
    );
    c.insert("accounts", accounts);
    let status = problem
        .as_ref()
        .and_then(|p| p.status)
        .unwrap_or(StatusCode::OK);
    c.insert("problem", &problem);
    render(bo, "wallet.html", &c, status)
}

#[derive(Deserialize)]
pub(crate) struct TopUpForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    bank_account: String,
    #[serde(default)]
    transfer_reference: String,
}

pub(crate) async fn ask_for_topup(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<TopUpForm>,
) -> Response {
    let asked = desk(&bo, &staff)
        .ask_for_topup(&f.amount, &f.bank_account, &f.transfer_reference)
        .await;
    match asked {
        Ok(_) => done(&staff, "wallet?", "topup"),
        Err(e) => {
            let p = Problem::on(
                "topup",
                &[
                    ("amount", &f.amount),
                    ("bank_account", &f.bank_account),
                    ("transfer_reference", &f.transfer_reference),
                ],
            );
            match failed(&bo, &staff, e, p) {
                Failed::Page(r) => r,
                Failed::Form(p) => wallet(&bo, &staff, &Shown::default(), Some(p)).await,
            }
        }
    }
}

// ----- credit limits of the customers (see `customers`) -----

#[derive(Deserialize)]
pub(crate) struct LimitForm {
    /// `customer:<account>` or `reseller:<id>`.
    #[serde(default)]
    holder: String,
    #[serde(default)]
    limit: String,
    /// `view`: the form is on the customer's own page, which the answer
    /// goes back to; else the customers' list.
    #[serde(default)]
    back: Option<String>,
}

pub(crate) async fn set_limit(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<LimitForm>,
) -> Response {
    let holder = match f.holder.split_once(':') {
        Some(("customer", account)) => Party::customer(&staff.reseller, account),
        Some(("reseller", id)) => Party::reseller(id),
        _ => return unreadable(&bo, &staff, ApiError::NotFound.into()),
    };
    let on_page = match (&holder, f.back.as_deref()) {
        (Party::Customer { account, .. }, Some("view")) => Some(account.clone()),
        _ => None,
    };
    match desk(&bo, &staff).set_credit_limit(holder, &f.limit).await {
        Ok(_) => match &on_page {
            Some(id) => done(&staff, &format!("customers/view?id={}&", enc(id)), "limit"),
            None => done(&staff, "customers?", "limit"),
        },
        Err(e) => {
            let row = if on_page.is_some() {
                "limit"
            } else {
                &f.holder
            };
            match failed(&bo, &staff, e, Problem::on(row, &[("limit", &f.limit)])) {
                Failed::Page(r) => r,
                Failed::Form(p) => {
                    let status = p.status.unwrap_or(StatusCode::BAD_REQUEST);
                    let p = (status, json!(p));
                    match &on_page {
                        Some(id) => {
                            super::customers::view(&bo, &staff, id, &Default::default(), Some(p))
                                .await
                        }
                        None => {
                            super::customers::list(
                                &bo,
                                &staff,
                                &Default::default(),
                                Some(p),
                                &Default::default(),
                            )
                            .await
                        }
                    }
                }
            }
        }
    }
}

// ----- invoices to this storefront -----

pub(crate) async fn invoices_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    let received = match desk(&bo, &staff).invoices(before(&q), PER_PAGE).await {
        Ok(l) => l,
        Err(e) => return unreadable(&bo, &staff, e),
    };
    let list: Vec<Value> = received
        .items
        .into_iter()
        .map(|mut i| {
            i["kind_label"] = json!(label(&staff, "invoice", &i["kind"]));
            // An id for the row: invoice numbers have slashes in them.
            let anchor: String = i["number"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            i["anchor"] = json!(anchor);
            i["when"] = json!(at(&staff, &i["issued"]));
            i
        })
        .collect();
    let (issued, next) = match desk(&bo, &staff)
        .issued_invoices(
            q.after.as_deref().filter(|a| !a.is_empty()),
            ISSUED_PER_PAGE,
        )
        .await
    {
        Ok(l) => l,
        Err(e) => return unreadable(&bo, &staff, e),
    };
    let issued: Vec<Value> = issued
        .into_iter()
        .map(|mut i| {
            i["kind_label"] = json!(label(&staff, "invoice", &i["kind"]));
            i["when"] = json!(at(&staff, &i["issued"]));
            i
        })
        .collect();
    let mut c = money_context(&staff, "invoices", "m_invoices_heading", &q);
    c.insert("invoices", &list);
    c.insert("next", &received.next);
    c.insert("api", &format!("{}api/panel/invoices/", staff.shop));
    c.insert("issued", &issued);
    c.insert("issued_next", &next);
    render(&bo, "invoices.html", &c, StatusCode::OK)
}

/// Invoices issued, a page of the list.
const ISSUED_PER_PAGE: usize = 50;

/// Orders, top-ups and invoices received, a page of each list.
const PER_PAGE: usize = storefront_functions::paging::PER_PAGE;

/// The cursor of a newest-first list's page, if the address gave one.
fn before(q: &Shown) -> Option<&str> {
    q.before.as_deref().filter(|b| !b.is_empty())
}

#[derive(Deserialize)]
pub(crate) struct SendForm {
    number: String,
}

/// Mail an invoice this storefront issued to its buyer again (on a Polish
/// storefront, marked as a duplicate).
pub(crate) async fn send_invoice(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<SendForm>,
) -> Response {
    match desk(&bo, &staff).send_invoice_again(f.number.trim()).await {
        Ok(()) => done(&staff, "invoices?", "sent"),
        Err(e) => unreadable(&bo, &staff, e),
    }
}

pub(crate) mod orders {
    //! Orders (mark a bank transfer paid, refund) and domains.

    use super::*;

    pub(crate) async fn orders_page(
        State(bo): State<BackOffice>,
        staff: Staff,
        Query(q): Query<Shown>,
    ) -> Response {
        let page = match desk(&bo, &staff).orders(before(&q), PER_PAGE).await {
            Ok(l) => l,
            Err(e) => return unreadable(&bo, &staff, e),
        };
        let list: Vec<Value> = page
            .items
            .into_iter()
            .map(|mut o| {
                o["state_label"] = json!(label(&staff, "state", &o["state"]));
                o["when"] = json!(at(&staff, &o["created_at"]));
                o["who"] = json!(card(&o["customer_card"]));
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
                o
            })
            .collect();
        let mut c = money_context(&staff, "orders", "m_orders_heading", &q);
        c.insert("orders", &list);
        c.insert("next", &page.next);
        render(&bo, "orders.html", &c, StatusCode::OK)
    }

    pub(crate) async fn order_page(
        State(bo): State<BackOffice>,
        staff: Staff,
        Query(q): Query<Shown>,
    ) -> Response {
        let id = q.id.clone().unwrap_or_default();
        order(&bo, &staff, &id, &q, None).await
    }

    async fn order(
        bo: &BackOffice,
        staff: &Staff,
        id: &str,
        q: &Shown,
        problem: Option<Problem>,
    ) -> Response {
        let mut o = match desk(bo, staff).order(id).await {
            Ok(o) => o,
            Err(e) => return unreadable(bo, staff, e),
        };
        let customer = match o["customer"].as_str() {
            Some(a) => storefront_functions::accounts::records::load(
                bo.shop.orders.store.as_ref(),
                &staff.reseller,
                a,
            )
            .await
            .ok()
            .flatten()
            .map(|(_, p)| card(&json!({"id": p.id, "name": p.name, "email": p.email})))
            .unwrap_or_else(|| a.to_string()),
            None => String::new(),
        };
        o["who"] = json!(customer);
        // The postal address its invoices print.
        if let Some(a) = o["customer"].as_str() {
            let lines = storefront_functions::accounts::address::load(
                bo.shop.orders.store.as_ref(),
                &staff.reseller,
                a,
            )
            .await
            .unwrap_or_default();
            o["address"] = json!(lines.join(", "));
        }
        o["state_label"] = json!(label(staff, "state", &o["state"]));
        o["payment_label"] = json!(label(staff, "payment", &o["payment"]));
        o["when"] = json!(at(staff, &o["created_at"]));
        o["due_at"] = json!(at(staff, &o["due"]));
        let awaiting = o["state"] == "awaiting_payment";
        o["can_mark_paid"] = json!(awaiting && o["payment"] == "bank_transfer");
        if let Some(lines) = o["lines"].as_array_mut() {
            for l in lines {
                l["state_label"] = json!(label(staff, "state", &l["status"]));
                l["action_label"] = json!(i18n::text(
                    staff.lang,
                    &format!("action_{}", l["action"].as_str().unwrap_or_default())
                ));
                l["expires_at"] = json!(at(staff, &l["expires"]));
                l["refundable"] = json!(l["status"] == "active");
            }
        }
        let refundable = o["lines"]
            .as_array()
            .is_some_and(|l| l.iter().any(|l| l["refundable"] == true));
        o["can_refund"] = json!(refundable);
        let title = i18n::fill(staff.lang, "m_order_title", &[("id", id)]);
        let mut c = money_context(staff, "orders", "m_orders_heading", q);
        c.insert("title", &title);
        c.insert("order", &o);
        let status = problem
            .as_ref()
            .and_then(|p| p.status)
            .unwrap_or(StatusCode::OK);
        c.insert("problem", &problem);
        render(bo, "order.html", &c, status)
    }

    #[derive(Deserialize)]
    pub(crate) struct OrderForm {
        id: String,
        #[serde(default)]
        line: Option<String>,
        #[serde(default)]
        reason: Option<String>,
    }

    pub(crate) async fn mark_paid(
        State(bo): State<BackOffice>,
        staff: Staff,
        Form(f): Form<OrderForm>,
    ) -> Response {
        let r = desk(&bo, &staff).mark_paid(&f.id).await;
        answer(
            &bo,
            &staff,
            &f,
            r.map(|_| "paid"),
            Problem::on("mark_paid", &[]),
        )
        .await
    }

    pub(crate) async fn refund(
        State(bo): State<BackOffice>,
        staff: Staff,
        Form(f): Form<OrderForm>,
    ) -> Response {
        let reason = f.reason.clone().unwrap_or_default();
        let line = f.line.as_deref().filter(|l| !l.is_empty());
        let r = desk(&bo, &staff).refund(&f.id, line, &reason).await;
        let typed = [
            ("reason", reason.as_str()),
            ("line", line.unwrap_or_default()),
        ];
        answer(
            &bo,
            &staff,
            &f,
            r.map(|_| "refunded"),
            Problem::on("refund", &typed),
        )
        .await
    }

    async fn answer(
        bo: &BackOffice,
        staff: &Staff,
        f: &OrderForm,
        r: Result<&str, AccountsError>,
        p: Problem,
    ) -> Response {
        match r {
            Ok(what) => {
                let page = format!("orders/view?id={}&", enc(&f.id));
                done(staff, &page, what)
            }
            Err(e) => match failed(bo, staff, e, p) {
                Failed::Page(r) => r,
                Failed::Form(p) => order(bo, staff, &f.id, &Shown::default(), Some(p)).await,
            },
        }
    }

    /// The storefront's customers' domains in one of the four lists, each
    /// tab with its count: the one asked for (`?status=`), else the first
    /// with any.
    pub(crate) async fn domains_page(
        State(bo): State<BackOffice>,
        staff: Staff,
        Query(q): Query<Shown>,
    ) -> Response {
        let typed = q.status.as_deref().filter(|s| !s.is_empty());
        let asked = typed.map(DomainStatus::parse).transpose();
        let mut list = match desk(&bo, &staff).domain_list(None).await {
            Ok(l) => l,
            Err(e) => return unreadable(&bo, &staff, e),
        };
        let (shown, problem) = match asked {
            Ok(s) => (Some(s.unwrap_or_else(|| list.first_with_any())), None),
            Err(e) => {
                let mut p = Problem::on("filters", &[("status", typed.unwrap_or_default())]);
                p.message = e.message(staff.lang);
                p.field = Some("status".into());
                (None, Some(p))
            }
        };
        match shown {
            Some(s) => list.keep(s),
            None => list.domains.clear(),
        }
        let filters: Vec<Value> = DomainStatus::ALL
            .into_iter()
            .map(|s| {
                json!({
                    "status": s.code(),
                    "label": label(&staff, "state", &json!(s.code())),
                    "count": list.counts.get(&s).copied().unwrap_or_default(),
                    "current": shown == Some(s),
                })
            })
            .collect();
        let any = list.counts.values().any(|n| *n > 0);
        let domains: Vec<Value> = list
            .domains
            .into_iter()
            .map(|mut d| {
                d["state_label"] = json!(label(&staff, "state", &d["status"]));
                d["who"] = json!(card(&d["customer_card"]));
                d["renews"] = json!(match d["order"].as_str() {
                    Some(_) => String::new(),
                    None => i18n::text(
                        staff.lang,
                        if d["auto_renew"] == true {
                            "m_yes"
                        } else {
                            "m_no"
                        }
                    ),
                });
                if let Some(id) = d["order"].as_str().map(str::to_string) {
                    let id = id.as_str();
                    d["waiting"] = json!(i18n::fill(staff.lang, "m_domain_waiting", &[("id", id)]));
                    d["order_link"] = json!(format!("orders/view?id={}", enc(id)));
                }
                d
            })
            .collect();
        let mut c = money_context(&staff, "domains", "m_domains_heading", &q);
        c.insert("filters", &filters);
        c.insert("domains", &domains);
        c.insert("any_domains", &any);
        let status = match problem {
            Some(_) => StatusCode::BAD_REQUEST,
            None => StatusCode::OK,
        };
        c.insert("problem", &problem);
        render(&bo, "domains.html", &c, status)
    }
}

/// A query parameter's value, percent-encoded.
pub(crate) fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
