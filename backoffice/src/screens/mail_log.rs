//! The console's mail log: every mail the platform sent in the last
//! `mail_log::KEPT_DAYS` days, newest first, a page at a time, filtered by
//! recipient and storefront; a failed one says why. Recorded by the
//! services' mailer (`storefront_functions::mail_log`), never the body.

use crate::{BackOffice, Staff, context, i18n, render, when};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use storefront_functions::mail_log::{self, Filter};
use storefront_functions::paging::PER_PAGE;

/// The filter and the cursor, as the page's form and its link send them.
#[derive(Deserialize, Default)]
pub(crate) struct MailQuery {
    #[serde(default)]
    to: String,
    #[serde(default)]
    storefront: String,
    #[serde(default)]
    before: Option<String>,
}

pub(crate) async fn page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<MailQuery>,
) -> Response {
    let filter = Filter {
        to: q.to.trim().to_string(),
        storefront: q.storefront.trim().to_string(),
    };
    let store = bo.shop.accounts.store.as_ref();
    let page = match mail_log::page(store, &filter, q.before.as_deref(), PER_PAGE).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("mail log: {e}");
            return crate::message(
                &bo,
                staff.lang,
                &staff.base,
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "unavailable",
                None,
            );
        }
    };
    let lang = staff.lang;
    let mails: Vec<Value> = page
        .items
        .iter()
        .map(|m| {
            json!({
                "at": when(m.at, &staff),
                "to": m.to,
                "storefront": m.storefront,
                "subject": m.subject,
                "failed": m.failed(),
                "outcome": match &m.error {
                    None => i18n::text(lang, "mail_sent"),
                    Some(e) => i18n::fill(lang, "mail_failed", &[("error", e)]),
                },
            })
        })
        .collect();
    // The next page keeps the filter.
    let next = page.next.map(|n| {
        let query: Vec<String> = [
            ("to", filter.to.as_str()),
            ("storefront", filter.storefront.as_str()),
            ("before", n.as_str()),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
        format!("{}platform/mail?{}", staff.base, query.join("&"))
    });
    let mut c = context(&staff, "console_mail", "mail_heading");
    c.insert("console_page", &true);
    c.insert("mails", &mails);
    c.insert("next", &next);
    c.insert("filter_to", &filter.to);
    c.insert("filter_storefront", &filter.storefront);
    c.insert(
        "intro",
        &i18n::fill(
            lang,
            "mail_intro",
            &[("days", &mail_log::KEPT_DAYS.to_string())],
        ),
    );
    render(&bo, "mail_log.html", &c, StatusCode::OK)
}

/// A query value, percent-encoded (all but unreserved characters).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
