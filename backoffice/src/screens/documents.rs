//! Document review: the lines whose registrant's documents wait for the
//! storefront's review, and one line's documents to approve or reject item
//! by item (a rejection's reason is what the customer reads). When every
//! item is approved the line goes to the registry. The rules are the
//! money desk's, as for every page under Orders and wallet. A file opens
//! through its short-lived staff link (`storefront_functions::links`),
//! served by the API's `/api/documents/file`.

use super::money::{Failed, Problem, Shown, desk, enc, failed, money_context, unreadable};
use crate::{BackOffice, Staff, i18n, render};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) async fn waiting_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<Shown>,
) -> Response {
    let list = match desk(&bo, &staff).documents_waiting().await {
        Ok(l) => l,
        Err(e) => return unreadable(&bo, &staff, e),
    };
    let mut c = money_context(&staff, "documents", "m_documents_heading", &q);
    c.insert("waiting", &list);
    render(&bo, "documents.html", &c, StatusCode::OK)
}

#[derive(Deserialize)]
pub(crate) struct Which {
    #[serde(default)]
    order: String,
    #[serde(default)]
    line: String,
    #[serde(default)]
    done: Option<String>,
}

pub(crate) async fn review_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(w): Query<Which>,
) -> Response {
    review(&bo, &staff, &w, None).await
}

async fn review(bo: &BackOffice, staff: &Staff, w: &Which, problem: Option<Problem>) -> Response {
    let mut set = match desk(bo, staff).documents(&w.order, &w.line).await {
        Ok(s) => s,
        Err(e) => return unreadable(bo, staff, e),
    };
    let state_label = |s: &Value| {
        i18n::text(
            staff.lang,
            &format!("d_state_{}", s.as_str().unwrap_or_default()),
        )
    };
    // Each file opens through a link made for its reviewers now, which
    // runs out after a few minutes (a reload makes new ones).
    storefront_functions::orders::routes::link_files(
        &mut set,
        &staff.reseller,
        &bo.shop.links,
        storefront_functions::links::Audience::Staff,
        &staff.shop,
        bo.shop.orders.clock.now(),
    );
    if let Some(items) = set["items"].as_array_mut() {
        for i in items {
            i["state_label"] = json!(state_label(&i["state"]));
            i["file"] = json!(i["kind"] == "file");
            // A photo of a card is read at a glance: shown inline; a PDF
            // opens in its own tab.
            let image = i["holds"]["content_type"]
                .as_str()
                .is_some_and(|t| t.starts_with("image/"));
            i["image"] = json!(image);
        }
    }
    set["line_state_label"] = json!(i18n::text(
        staff.lang,
        &format!("m_state_{}", set["line_state"].as_str().unwrap_or_default())
    ));
    let shown = Shown {
        done: w.done.clone(),
        ..Shown::default()
    };
    let mut c = money_context(staff, "documents", "m_documents_heading", &shown);
    c.insert("set", &set);
    let status = problem
        .as_ref()
        .and_then(|p| p.status)
        .unwrap_or(StatusCode::OK);
    c.insert("problem", &problem);
    render(bo, "review.html", &c, status)
}

#[derive(Deserialize)]
pub(crate) struct Decision {
    order: String,
    line: String,
    item: String,
    version: u32,
    /// `approve` or `reject`.
    decision: String,
    #[serde(default)]
    reason: String,
}

pub(crate) async fn decide(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(f): Form<Decision>,
) -> Response {
    let approve = f.decision == "approve";
    let r = desk(&bo, &staff)
        .review_document(&f.order, &f.line, &f.item, f.version, approve, &f.reason)
        .await;
    let w = Which {
        order: f.order.clone(),
        line: f.line.clone(),
        done: None,
    };
    match r {
        Ok(_) => {
            let what = if approve {
                "doc_approved"
            } else {
                "doc_rejected"
            };
            let to = format!(
                "{}documents/review?order={}&line={}&done={what}",
                staff.base,
                enc(&f.order),
                enc(&f.line)
            );
            Redirect::to(&to).into_response()
        }
        Err(e) => match failed(
            &bo,
            &staff,
            e,
            Problem::on(&f.item, &[("reason", &f.reason)]),
        ) {
            Failed::Page(r) => r,
            Failed::Form(p) => review(&bo, &staff, &w, Some(p)).await,
        },
    }
}
