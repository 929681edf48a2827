//! The back office's screens, one module each: their handlers read the
//! form, call the editors (`crate::prices`, `crate::brand`...) and render.

pub(crate) mod announcements;
pub(crate) mod audit;
pub(crate) mod brand;
pub(crate) mod console;
pub(crate) mod customers;
pub(crate) mod dashboard;
pub(crate) mod documents;
pub(crate) mod join;
pub(crate) mod mail_log;
pub(crate) mod money;
pub(crate) mod pages;
pub(crate) mod platform_content;
pub(crate) mod prices;
pub(crate) mod publishing;
pub(crate) mod reports;
pub(crate) mod resellers;
pub(crate) mod settings;
pub(crate) mod setup;
pub(crate) mod staff;
pub(crate) mod subresellers;
pub(crate) mod suspensions;

use crate::{BackOffice, Staff, context, edit, message, status_context};
use axum::http::StatusCode;
use axum::response::Response;
use storefront_generator::content::Site;
use storefront_revisions::Files;

/// What an editor's page starts from: the page's context, the working
/// revision and its files, and its `site.toml` parsed. Err is the answer
/// already (the store did not answer, or `site.toml` cannot be read).
pub(crate) struct Start {
    pub c: tera::Context,
    pub loaded: Option<String>,
    pub files: Files,
    pub site: Site,
}

pub(crate) async fn start(
    bo: &BackOffice,
    staff: &Staff,
    page: &str,
    title: &str,
) -> Result<Start, Response> {
    let mut c = context(staff, page, title);
    status_context(bo, staff, &mut c)
        .await
        .map_err(|e| e.answer(bo, staff))?;
    let (loaded, files) = edit::working(bo, &staff.reseller)
        .await
        .map_err(|e| e.answer(bo, staff))?;
    let Some((_, site)) = edit::site_of(&files) else {
        return Err(message(
            bo,
            staff.lang,
            &staff.base,
            StatusCode::CONFLICT,
            title,
            "error_site_unreadable",
            None,
        ));
    };
    Ok(Start {
        c,
        loaded,
        files,
        site,
    })
}
