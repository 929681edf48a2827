//! The reseller's back office, at `/panel/` on its own storefront's host:
//! server-rendered pages (tera templates compiled in), where every read is
//! a link and every change a POST form that works without JavaScript. The
//! one script left (`static/backoffice.js`) asks the server for the price
//! preview as the reseller types.
//!
//! Content edits go through revisions: a save is checked by the same rules
//! as `storefront check` and kept as a draft; *Publish* moves the published
//! pointer (conditionally, so two publishers cannot both win) and builds
//! the storefront from it, so its pages, search and checkout change
//! together; *Roll back* publishes an earlier revision again.
//!
//! Who may do what is decided here, on the server, per route: every page
//! takes `Staff` (the storefront's owner or an admin, signed in on this
//! host); a customer gets 403 and a visitor 401.

pub mod brand;
pub mod catalogue;
pub mod details;
mod edit;
mod i18n;
pub mod offers;
pub mod pages;
pub mod prices;
pub mod reports;
mod screens;
mod staff;
mod toml_doc;
mod typed;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use storefront_core::Locale;
use storefront_functions::clock::Clock;
use storefront_functions::orders::routes::ShopState;
use storefront_publish::{PublishError, Site};
use storefront_revisions::{RevisionError, Source};

pub use staff::Staff;

use edit::FieldError;

/// Where a built storefront's files go when they are not served from the
/// build's own folder: the storefronts bucket, when deployed.
#[async_trait::async_trait]
pub trait Upload: Send + Sync {
    /// Make the files under `dir` what the storefront `reseller` serves.
    async fn upload(&self, reseller: &str, dir: &std::path::Path) -> anyhow::Result<()>;
}

#[derive(Clone)]
pub struct BackOffice {
    /// Accounts, orders, the ledger and files: what the money pages use
    /// (through the money desk) and who is signed in.
    pub shop: ShopState,
    pub site: Arc<Site>,
    pub clock: Arc<dyn Clock>,
    templates: Arc<tera::Tera>,
    upload: Option<Arc<dyn Upload>>,
}

impl BackOffice {
    pub fn new(shop: ShopState, site: Arc<Site>, clock: Arc<dyn Clock>) -> BackOffice {
        BackOffice {
            shop,
            site,
            clock,
            templates: Arc::new(templates()),
            upload: None,
        }
    }

    /// Upload each storefront a publish rebuilds (deployed, where the edge
    /// serves the storefronts bucket, not the build's folder).
    pub fn with_upload(mut self, upload: Arc<dyn Upload>) -> BackOffice {
        self.upload = Some(upload);
        self
    }
}

fn templates() -> tera::Tera {
    let mut t = tera::Tera::default();
    // Compiled in: the Lambda and the local server render the same pages,
    // and a template error is a test failure, not a runtime surprise.
    t.add_raw_templates([
        ("base.html", include_str!("../templates/base.html")),
        ("message.html", include_str!("../templates/message.html")),
        (
            "dashboard.html",
            include_str!("../templates/dashboard.html"),
        ),
        ("_preview.html", include_str!("../templates/_preview.html")),
        ("prices.html", include_str!("../templates/prices.html")),
        ("publish.html", include_str!("../templates/publish.html")),
        ("history.html", include_str!("../templates/history.html")),
        ("_errors.html", include_str!("../templates/_errors.html")),
        ("brand.html", include_str!("../templates/brand.html")),
        ("pages.html", include_str!("../templates/pages.html")),
        (
            "page_edit.html",
            include_str!("../templates/page_edit.html"),
        ),
        ("details.html", include_str!("../templates/details.html")),
        ("seller.html", include_str!("../templates/seller.html")),
        ("offers.html", include_str!("../templates/offers.html")),
        (
            "catalogue.html",
            include_str!("../templates/catalogue.html"),
        ),
        (
            "_money_tabs.html",
            include_str!("../templates/_money_tabs.html"),
        ),
        ("_problem.html", include_str!("../templates/_problem.html")),
        ("topups.html", include_str!("../templates/topups.html")),
        ("wallet.html", include_str!("../templates/wallet.html")),
        ("orders.html", include_str!("../templates/orders.html")),
        ("order.html", include_str!("../templates/order.html")),
        ("domains.html", include_str!("../templates/domains.html")),
        (
            "customers.html",
            include_str!("../templates/customers.html"),
        ),
        ("invoices.html", include_str!("../templates/invoices.html")),
        (
            "documents.html",
            include_str!("../templates/documents.html"),
        ),
        ("review.html", include_str!("../templates/review.html")),
        ("reports.html", include_str!("../templates/reports.html")),
    ])
    .expect("the back office's templates parse (a unit test renders each)");
    t
}

/// `/panel/*`.
pub fn router(state: BackOffice) -> Router {
    use screens::money::{self, orders};
    use screens::{brand, documents, pages, prices, publishing, settings};
    Router::new()
        // API Gateway routes `/panel` but not `/panel/` (the edge rewrites
        // one to the other): both are the dashboard.
        .route("/panel", get(publishing::dashboard))
        .route("/panel/", get(publishing::dashboard))
        .route(
            "/panel/brand",
            get(brand::brand_page).post(brand::save_brand),
        )
        .route("/panel/pages", get(pages::pages_page))
        .route("/panel/pages/new", get(pages::new_page))
        .route(
            "/panel/pages/edit",
            get(pages::page_edit).post(pages::save_page),
        )
        .route("/panel/pages/delete", post(pages::delete_page))
        .route(
            "/panel/details",
            get(settings::details_page).post(settings::save_details),
        )
        .route(
            "/panel/seller",
            get(settings::seller_page).post(settings::save_seller),
        )
        .route(
            "/panel/offers",
            get(settings::offers_page).post(settings::save_offers),
        )
        .route(
            "/panel/catalogue",
            get(settings::catalogue_page).post(settings::save_catalogue),
        )
        .route(
            "/panel/prices",
            get(prices::prices_page).post(prices::save_prices),
        )
        .route("/panel/prices/preview", post(prices::preview_prices))
        .route(
            "/panel/publish",
            get(publishing::publish_page).post(publishing::publish),
        )
        .route("/panel/history", get(publishing::history_page))
        .route("/panel/history/rollback", post(publishing::rollback))
        .route("/panel/topups", get(money::topups_page))
        .route("/panel/topups/approve", post(money::approve))
        .route("/panel/topups/reject", post(money::reject))
        .route("/panel/topups/proof", get(money::proof))
        .route("/panel/wallet", get(money::wallet_page))
        .route("/panel/wallet/topup", post(money::ask_for_topup))
        .route("/panel/customers", get(money::customers_page))
        .route("/panel/customers/limit", post(money::set_limit))
        .route("/panel/invoices", get(money::invoices_page))
        .route("/panel/orders", get(orders::orders_page))
        .route("/panel/orders/view", get(orders::order_page))
        .route("/panel/orders/mark-paid", post(orders::mark_paid))
        .route("/panel/orders/refund", post(orders::refund))
        .route("/panel/domains", get(orders::domains_page))
        .route("/panel/documents", get(documents::waiting_page))
        .route(
            "/panel/documents/review",
            get(documents::review_page).post(documents::decide),
        )
        .route("/panel/reports", get(screens::reports::reports_page))
        .route("/panel/reports/download", get(screens::reports::download))
        .route("/panel/static/backoffice.css", get(css))
        .route("/panel/static/backoffice.js", get(js))
        .layer(middleware::from_fn(
            storefront_functions::accounts::guard::same_origin_only,
        ))
        .with_state(state)
}

async fn css() -> Response {
    asset(
        include_str!("../static/backoffice.css"),
        "text/css; charset=utf-8",
    )
}

async fn js() -> Response {
    asset(
        include_str!("../static/backoffice.js"),
        "text/javascript; charset=utf-8",
    )
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// A page's shared context: who, where, in which language.
pub(crate) fn context(staff: &Staff, page: &str, title_key: &str) -> tera::Context {
    let t = i18n::texts(staff.lang);
    let mut c = tera::Context::new();
    c.insert("lang", staff.lang.code());
    c.insert("title", t.get(title_key).map_or(title_key, String::as_str));
    c.insert("t", t);
    c.insert("page", page);
    c.insert("base", &staff.base);
    c.insert("shop", &staff.shop);
    c.insert("shop_name", &staff.snapshot.name);
    c.insert("who", &staff.profile.email);
    c.insert(
        "owner",
        &(staff.profile.role == storefront_functions::accounts::Role::Owner),
    );
    c.insert(
        "role",
        &i18n::text(
            staff.lang,
            match staff.profile.role {
                storefront_functions::accounts::Role::Owner => "role_owner",
                _ => "role_admin",
            },
        ),
    );
    c
}

pub(crate) fn render(
    bo: &BackOffice,
    name: &str,
    c: &tera::Context,
    status: StatusCode,
) -> Response {
    match bo.templates.render(name, c) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            eprintln!("back office template {name}: {e:?}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Errors a back-office action can end in, each answered once, here.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    #[error(transparent)]
    Revision(#[from] RevisionError),
    #[error(transparent)]
    Publish(PublishError),
}

impl From<PublishError> for Failure {
    fn from(e: PublishError) -> Failure {
        match e {
            PublishError::Revision(r) => Failure::Revision(r),
            e => Failure::Publish(e),
        }
    }
}

impl Failure {
    fn answer(self, bo: &BackOffice, staff: &Staff) -> Response {
        let (status, key) = match &self {
            Failure::Revision(RevisionError::Unknown { .. }) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            _ => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        };
        eprintln!("back office of {}: {self}", staff.reseller);
        message(bo, staff.lang, &staff.base, status, key, key, None)
    }
}

/// A page with one message and maybe one link (sign in, errors).
pub(crate) fn message(
    bo: &BackOffice,
    lang: Locale,
    base: &str,
    status: StatusCode,
    title_key: &str,
    text_key: &str,
    link: Option<(&str, &str)>,
) -> Response {
    let mut c = tera::Context::new();
    c.insert("lang", lang.code());
    c.insert("base", base);
    c.insert("title", &i18n::text(lang, title_key));
    c.insert("text", &i18n::text(lang, text_key));
    if let Some((href, key)) = link {
        c.insert("link", href);
        c.insert("link_text", &i18n::text(lang, key));
    }
    render(bo, "message.html", &c, status)
}

pub(crate) fn when(at: DateTime<Utc>, staff: &Staff) -> String {
    staff
        .snapshot
        .time_zone
        .local(at)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub(crate) fn source_key(s: Source) -> &'static str {
    match s {
        Source::Import => "source_import",
        Source::Panel => "source_panel",
        Source::Rollback => "source_rollback",
    }
}

pub(crate) async fn status_context(
    bo: &BackOffice,
    staff: &Staff,
    c: &mut tera::Context,
) -> Result<(Option<String>, Option<storefront_revisions::Draft>), Failure> {
    let revisions = bo.site.revisions();
    let published = revisions.published(&staff.reseller).await?;
    let draft = revisions.draft(&staff.reseller).await?;
    if let Some(p) = &published {
        c.insert(
            "published",
            &json!({
                "revision": p.revision,
                "what": i18n::text(staff.lang, source_key(p.source)),
                "line": i18n::fill(staff.lang, "published_by", &[("who", &p.by), ("at", &when(p.at, staff))]),
            }),
        );
    }
    c.insert(
        "published_revision",
        &published.as_ref().map(|p| p.revision.clone()),
    );
    if let Some(d) = &draft {
        c.insert(
            "draft",
            &json!({
                "revision": d.revision,
                "line": i18n::fill(staff.lang, "draft_by", &[("who", &d.by), ("at", &when(d.at, staff))]),
            }),
        );
    } else {
        c.insert("draft", &false);
    }
    Ok((published.map(|p| p.revision), draft))
}

#[derive(serde::Deserialize)]
pub(crate) struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// The field errors as the page lists them, and which fields to mark.
pub(crate) fn errors_context(c: &mut tera::Context, staff: &Staff, errors: &[FieldError]) {
    let messages: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| json!({"field": e.field, "message": i18n::fill(staff.lang, e.key, &[("value", &e.value)])}))
        .collect();
    c.insert("errors", &messages);
    let bad: BTreeMap<&str, bool> = errors.iter().map(|e| (e.field.as_str(), true)).collect();
    c.insert("bad", &bad);
}

/// The fixture storefront toko's `site.toml`, as text and parsed: what the
/// editors' unit tests edit.
#[cfg(test)]
pub(crate) fn toko_site() -> (String, storefront_generator::content::Site) {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/valid/content/resellers/toko/site.toml"
    ))
    .expect("the fixture");
    let site = toml::from_str(&src).expect("the fixture parses");
    (src, site)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        let t = super::templates();
        assert_eq!(t.get_template_names().count(), 27);
    }
}
