//! Document review: the lines whose registrant's documents wait for the
//! storefront's review, and one line's documents to approve or reject item
//! by item (a rejection's reason is what the customer reads). When every
//! item is approved the line goes to the registry. The rules are the
//! money desk's, as for every page under Orders and wallet.

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
    if let Some(items) = set["items"].as_array_mut() {
        for i in items {
            i["state_label"] = json!(state_label(&i["state"]));
            i["file"] = json!(i["kind"] == "file");
            i["image"] = json!(false);
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

#[derive(Deserialize)]
pub(crate) struct FileOf {
    order: String,
    line: String,
    item: String,
    v: u32,
}

/// A version's file for its reviewers: an image shown in the page's own
/// tab, a PDF opened in the browser's viewer, never as the storefront's
/// own page (its own type, nosniff; images in a sandbox).
pub(crate) async fn file(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(f): Query<FileOf>,
) -> Response {
    match desk(&bo, &staff)
        .document_file(&f.order, &f.line, &f.item, f.v)
        .await
    {
        Ok((bytes, ct)) => {
            let mut r = storefront_functions::orders::routes::download(bytes, ct.clone(), "inline");
            if ct == "application/pdf" {
                // The browser's PDF viewer does not run in a sandbox; the
                // bytes were checked to be a PDF and nothing else.
                r.headers_mut()
                    .remove(axum::http::header::CONTENT_SECURITY_POLICY);
            }
            r
        }
        Err(e) => unreadable(&bo, &staff, e),
    }
}
