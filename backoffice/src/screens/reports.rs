//! Reports: a form (which report, from and to, days in the storefront's
//! time zone) and its download, an `.xlsx` file (`crate::reports`). A
//! period upside down, longer than `reports::MAX_DAYS` or not a date is
//! shown on the form with what to fix; a period without rows still gives
//! a file, with its header and a note. Who may: the roles with
//! `Capability::Reports` (the router says so, `Staff` checks).

use crate::edit::FieldError;
use crate::reports::{self, Kind, MAX_DAYS, ReportError, Spec};
use crate::{BackOffice, Staff, context, errors_context, message, render};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
pub(crate) struct Asked {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// The form, with what was asked and what to fix.
fn page(
    bo: &BackOffice,
    staff: &Staff,
    asked: &Asked,
    errors: &[FieldError],
    status: StatusCode,
) -> Response {
    let today = staff.snapshot.today(bo.clock.now());
    let first = today.with_day(1).unwrap_or(today);
    let mut c = context(staff, "reports", "r_heading");
    c.insert("money_page", &true);
    c.insert("notice", &Option::<String>::None);
    let kinds: Vec<serde_json::Value> = Kind::ALL
        .iter()
        .map(|k| {
            json!({
                "slug": k.slug(),
                "label": crate::i18n::text(staff.lang, &format!("r_{}", k.slug())),
                "about": crate::i18n::text(staff.lang, &format!("r_about_{}", k.slug())),
            })
        })
        .collect();
    c.insert("kinds", &kinds);
    c.insert(
        "kind",
        asked.kind.as_deref().unwrap_or(Kind::Transactions.slug()),
    );
    c.insert(
        "from",
        &asked.from.clone().unwrap_or_else(|| first.to_string()),
    );
    c.insert("to", &asked.to.clone().unwrap_or_else(|| today.to_string()));
    c.insert(
        "period_note",
        &crate::i18n::fill(
            staff.lang,
            "r_period_note",
            &[
                ("zone", staff.snapshot.time_zone.name()),
                ("days", &MAX_DAYS.to_string()),
            ],
        ),
    );
    errors_context(&mut c, staff, errors);
    render(bo, "reports.html", &c, status)
}

pub(crate) async fn reports_page(State(bo): State<BackOffice>, staff: Staff) -> Response {
    page(&bo, &staff, &Asked::default(), &[], StatusCode::OK)
}

/// What was asked, checked: the report and its days, or what to fix.
fn checked(asked: &Asked) -> Result<(Kind, NaiveDate, NaiveDate), Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind_s = asked.kind.as_deref().unwrap_or_default();
    let kind = Kind::parse(kind_s);
    if kind.is_none() {
        errors.push(FieldError::new("kind", "r_error_kind", kind_s));
    }
    let day = |field: &str, v: &Option<String>, errors: &mut Vec<FieldError>| {
        let s = v.as_deref().unwrap_or_default().trim();
        match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(field, "r_error_date", s));
                None
            }
        }
    };
    let from = day("from", &asked.from, &mut errors);
    let to = day("to", &asked.to, &mut errors);
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            errors.push(FieldError::new(
                "to",
                "r_error_upside_down",
                from.to_string(),
            ));
        } else if (to - from).num_days() + 1 > MAX_DAYS {
            errors.push(FieldError::new(
                "to",
                "r_error_too_long",
                MAX_DAYS.to_string(),
            ));
        }
    }
    match (kind, from, to) {
        (Some(k), Some(f), Some(t)) if errors.is_empty() => Ok((k, f, t)),
        _ => Err(errors),
    }
}

pub(crate) async fn download(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(asked): Query<Asked>,
) -> Response {
    let (kind, from, to) = match checked(&asked) {
        Ok(k) => k,
        Err(errors) => return page(&bo, &staff, &asked, &errors, StatusCode::BAD_REQUEST),
    };
    let spec = Spec {
        store: bo.shop.accounts.store.as_ref(),
        reseller: &staff.reseller,
        zone: staff.snapshot.time_zone,
        lang: staff.lang,
        from,
        to,
    };
    let report = match reports::write(kind, &spec).await {
        Ok(r) => r,
        Err(ReportError::TooManyRows) => {
            let e = FieldError::new("to", "r_error_too_many", "");
            return page(&bo, &staff, &asked, &[e], StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => {
            eprintln!(
                "back office of {}: report {}: {e}",
                staff.reseller,
                kind.slug()
            );
            return message(
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
    // Where the file store hands out links (S3 on AWS), the file goes
    // there and the browser is sent to a link good for a few minutes: a
    // Lambda's answer is at most 6 MB, and the file never passes through
    // it. The bucket deletes reports after a day (the template's
    // lifecycle). A local folder hands out none: the file is the answer.
    match stored_report(&bo, &staff, &report).await {
        Ok(Some(link)) => {
            return (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, link),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
            )
                .into_response();
        }
        Ok(None) => {}
        Err(e) => {
            eprintln!(
                "back office of {}: report {} not stored: {e}",
                staff.reseller,
                kind.slug()
            );
            return message(
                &bo,
                staff.lang,
                &staff.base,
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "unavailable",
                None,
            );
        }
    }
    // Without links a Lambda could not answer with a larger file.
    if on_lambda() && report.bytes.len() > reports::MAX_INLINE_BYTES {
        let e = FieldError::new("to", "r_error_too_large", "");
        return page(&bo, &staff, &asked, &[e], StatusCode::UNPROCESSABLE_ENTITY);
    }
    let disposition = format!("attachment; filename=\"{}\"", report.file_name);
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(reports::XLSX),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        report.bytes,
    )
        .into_response()
}

/// How long a report's link lasts.
const REPORT_LINK_TTL: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// The report in the file store and a link to it, when the store hands
/// out links; None when it does not (nothing is stored then).
async fn stored_report(
    bo: &BackOffice,
    staff: &Staff,
    report: &reports::Report,
) -> Result<Option<HeaderValue>, String> {
    let blobs = &bo.shop.blobs;
    // A key nobody can guess, under the storefront's own prefix.
    let id = storefront_functions::accounts::secrets::new_id().map_err(|e| e.to_string())?;
    let key = format!("reports/{}/{id}/{}", staff.reseller, report.file_name);
    let Some(link) = blobs
        .download_link(&key, &report.file_name, REPORT_LINK_TTL)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    blobs
        .put(&key, report.bytes.clone(), reports::XLSX)
        .await
        .map_err(|e| e.to_string())?;
    HeaderValue::from_str(&link)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Whether this process answers as an AWS Lambda function (its runtime
/// sets this variable in every function's environment).
fn on_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(kind: &str, from: &str, to: &str) -> Asked {
        Asked {
            kind: Some(kind.into()),
            from: Some(from.into()),
            to: Some(to.into()),
        }
    }

    fn fields(
        r: Result<(Kind, NaiveDate, NaiveDate), Vec<FieldError>>,
    ) -> Vec<(String, &'static str)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.key))
            .collect()
    }

    #[test]
    fn a_period_is_checked_field_by_field() {
        assert!(checked(&asked("transactions", "2026-12-01", "2026-12-31")).is_ok());
        assert!(checked(&asked("invoices", "2026-12-01", "2026-12-01")).is_ok());
        assert_eq!(
            fields(checked(&asked("transactions", "2026-12-31", "2026-12-01"))),
            [("to".to_string(), "r_error_upside_down")]
        );
        assert_eq!(
            fields(checked(&asked("domains", "2025-01-01", "2026-12-01"))),
            [("to".to_string(), "r_error_too_long")]
        );
        assert_eq!(
            fields(checked(&asked("wallets", "1.12.2026", "2026-12-01"))),
            [
                ("kind".to_string(), "r_error_kind"),
                ("from".to_string(), "r_error_date")
            ]
        );
    }
}
