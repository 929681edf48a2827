//! The audit log (owner and admin): what the storefront's staff changed,
//! filtered by who, what and period (days in the storefront's time zone),
//! a page at a time, and the same as CSV.

use crate::edit::FieldError;
use crate::{BackOffice, Staff, context, errors_context, render, unavailable, when};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use storefront_functions::audit::{self, Filter};

const PAGE: usize = 50;
/// The most a CSV export holds.
const EXPORT: usize = 100_000;

#[derive(Deserialize, Serialize, Default, Clone)]
pub(crate) struct Asked {
    #[serde(default)]
    who: String,
    #[serde(default)]
    what: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default, skip_serializing)]
    after: String,
}

/// The start of local day `d` in the storefront's zone, as UTC.
fn start_of(staff: &Staff, d: NaiveDate) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    let guess = midnight.and_utc();
    let offset = staff.snapshot.time_zone.local(guess) - guess.naive_utc();
    guess - offset
}

fn filter(staff: &Staff, a: &Asked) -> Result<Filter, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut day = |field: &str, s: &str| {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(field, "audit_bad_date", s));
                None
            }
        }
    };
    let from = day("from", &a.from);
    let to = day("to", &a.to);
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errors.push(FieldError::new("to", "audit_upside_down", a.to.trim()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(Filter {
        who: text(&a.who),
        what: text(&a.what),
        from: from.map(|d| start_of(staff, d)),
        // Through the last day asked.
        to: to.and_then(|d| d.succ_opt()).map(|d| start_of(staff, d)),
    })
}

pub(crate) async fn audit_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(a): Query<Asked>,
) -> Response {
    let mut c = context(&staff, "audit", "title_audit");
    c.insert("asked", &a);
    c.insert("notice", &None::<String>);
    let f = match filter(&staff, &a) {
        Ok(f) => f,
        Err(errors) => {
            errors_context(&mut c, &staff, &errors);
            c.insert("entries", &Vec::<serde_json::Value>::new());
            c.insert("next", &None::<String>);
            c.insert("export", &None::<String>);
            return render(&bo, "audit.html", &c, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    errors_context(&mut c, &staff, &[]);
    let after = Some(a.after.as_str()).filter(|s| !s.is_empty());
    let page = match audit::list(
        bo.shop.accounts.store.as_ref(),
        &staff.reseller,
        &f,
        after,
        PAGE,
    )
    .await
    {
        Ok(p) => p,
        Err(e) => return unavailable(&bo, &staff, e.to_string()),
    };
    let entries: Vec<serde_json::Value> = page
        .entries
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "at": when(e.at, &staff),
                "who": e.who.email,
                "role": e.who.role.key(),
                "from": e.who.ip,
                "action": e.action,
                "subject": e.subject,
                "before": e.before.to_string(),
                "after": e.after.to_string(),
                "ledger": e.ledger.join(" "),
            })
        })
        .collect();
    let query = |extra: &[(&str, &str)]| {
        let mut q: Vec<String> = [
            ("who", a.who.as_str()),
            ("what", a.what.as_str()),
            ("from", a.from.as_str()),
            ("to", a.to.as_str()),
        ]
        .iter()
        .chain(extra)
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
        q.sort();
        q.join("&")
    };
    c.insert("entries", &entries);
    c.insert(
        "next",
        &page.next.as_deref().map(|n| query(&[("after", n)])),
    );
    c.insert("export", &Some(query(&[])));
    render(&bo, "audit.html", &c, StatusCode::OK)
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub(crate) async fn audit_csv(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(a): Query<Asked>,
) -> Response {
    let f = match filter(&staff, &a) {
        Ok(f) => f,
        Err(errors) => {
            let mut c = context(&staff, "audit", "title_audit");
            c.insert("asked", &a);
            c.insert("notice", &None::<String>);
            errors_context(&mut c, &staff, &errors);
            c.insert("entries", &Vec::<serde_json::Value>::new());
            c.insert("next", &None::<String>);
            c.insert("export", &None::<String>);
            return render(&bo, "audit.html", &c, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let page = match audit::list(
        bo.shop.accounts.store.as_ref(),
        &staff.reseller,
        &f,
        None,
        EXPORT,
    )
    .await
    {
        Ok(p) => p,
        Err(e) => return unavailable(&bo, &staff, e.to_string()),
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"audit-log.csv\""),
            ),
        ],
        audit::csv(&page.entries),
    )
        .into_response()
}
