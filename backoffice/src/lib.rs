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
//! Who may do what is decided here, on the server, per route: every route
//! is registered with the capability it needs (`routes`), and every page
//! takes `Staff`, which lets in only a staff member signed in on this host
//! whose role has it (`roles::allows`); a visitor gets 401, a customer or a
//! role without it 403.

pub mod brand;
pub mod catalogue;
pub mod details;
mod edit;
mod i18n;
pub mod offers;
pub mod own_domain;
pub mod pages;
pub mod prices;
pub mod reports;
mod screens;
mod setup;
mod staff;
mod toml_doc;
mod typed;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use storefront_core::Locale;
use storefront_functions::accounts::roles::{Capability as C, Need, RouteEntry, Routes};
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
    /// The platform's domain, under which a new sub-reseller gets its
    /// subdomain (`<id>.<domain>`): `localhost` locally, where browsers
    /// resolve every `*.localhost` to this machine.
    platform_domain: String,
    /// The edge's addresses and the resolver the setup checklist asks
    /// whether the storefront's own domains point there.
    own_domain: Arc<own_domain::OwnDomainCheck>,
}

impl BackOffice {
    pub fn new(shop: ShopState, site: Arc<Site>, clock: Arc<dyn Clock>) -> BackOffice {
        BackOffice {
            shop,
            site,
            clock,
            templates: Arc::new(templates()),
            upload: None,
            platform_domain: "localhost".into(),
            own_domain: Arc::default(),
        }
    }

    /// Check the storefront's own domains against these edge addresses,
    /// asking this resolver (the setup checklist on the dashboard).
    pub fn with_own_domain(mut self, check: own_domain::OwnDomainCheck) -> BackOffice {
        self.own_domain = Arc::new(check);
        self
    }

    /// Give new sub-resellers subdomains of `domain` (deployed: the
    /// platform's own domain, whose wildcard record points at the edge).
    pub fn with_platform_domain(mut self, domain: &str) -> BackOffice {
        self.platform_domain = domain.trim_matches('.').to_ascii_lowercase();
        self
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
        ("customer.html", include_str!("../templates/customer.html")),
        ("invoices.html", include_str!("../templates/invoices.html")),
        (
            "documents.html",
            include_str!("../templates/documents.html"),
        ),
        ("review.html", include_str!("../templates/review.html")),
        ("staff.html", include_str!("../templates/staff.html")),
        ("join.html", include_str!("../templates/join.html")),
        (
            "join_status.html",
            include_str!("../templates/join_status.html"),
        ),
        (
            "resellers.html",
            include_str!("../templates/resellers.html"),
        ),
        ("reseller.html", include_str!("../templates/reseller.html")),
        ("console.html", include_str!("../templates/console.html")),
        (
            "platform_content.html",
            include_str!("../templates/platform_content.html"),
        ),
        (
            "suspensions.html",
            include_str!("../templates/suspensions.html"),
        ),
        (
            "announcements.html",
            include_str!("../templates/announcements.html"),
        ),
        ("mail_log.html", include_str!("../templates/mail_log.html")),
        (
            "_console_tabs.html",
            include_str!("../templates/_console_tabs.html"),
        ),
        ("audit.html", include_str!("../templates/audit.html")),
        ("reports.html", include_str!("../templates/reports.html")),
        (
            "subresellers.html",
            include_str!("../templates/subresellers.html"),
        ),
        (
            "subreseller_new.html",
            include_str!("../templates/subreseller_new.html"),
        ),
        (
            "subreseller.html",
            include_str!("../templates/subreseller.html"),
        ),
    ])
    .expect("the back office's templates parse (a unit test renders each)");
    t
}

/// `/panel/*`.
pub fn router(state: BackOffice) -> Router {
    routes()
        .into_router()
        // The largest body is an applicant's document (a deed scan of up to
        // 8 MB): the item's own limit is checked inside, in words beside
        // the item; above it, one bound for every page.
        .layer(axum::extract::DefaultBodyLimit::max(
            storefront_functions::orders::routes::MAX_DOCUMENT_BYTES + 64 * 1024,
        ))
        .layer(middleware::from_fn(
            storefront_functions::accounts::guard::same_origin_only,
        ))
        .with_state(state)
}

/// Every back-office route with what it needs: what the role matrix test
/// walks.
pub fn route_table() -> Vec<RouteEntry> {
    routes().table().to_vec()
}

/// The back office's routes, each registered with the capability it needs
/// (`roles::allows` says which roles have it; `Staff` checks).
fn routes() -> Routes<BackOffice> {
    use screens::customers;
    use screens::money::{self, orders};
    use screens::{
        audit, brand, documents, pages, prices, publishing, settings, staff, subresellers,
    };
    let s = Need::Staff;
    Routes::new()
        // API Gateway routes `/panel` but not `/panel/` (the edge rewrites
        // one to the other): both are the dashboard.
        .get("/panel", s(C::Dashboard), publishing::dashboard)
        .get("/panel/", s(C::Dashboard), publishing::dashboard)
        .get("/panel/brand", s(C::Content), brand::brand_page)
        .post("/panel/brand", s(C::Content), brand::save_brand)
        .get("/panel/pages", s(C::Content), pages::pages_page)
        .get("/panel/pages/new", s(C::Content), pages::new_page)
        .get("/panel/pages/edit", s(C::Content), pages::page_edit)
        .post("/panel/pages/edit", s(C::Content), pages::save_page)
        .post("/panel/pages/delete", s(C::Content), pages::delete_page)
        .get("/panel/details", s(C::Content), settings::details_page)
        .post("/panel/details", s(C::Content), settings::save_details)
        .get("/panel/seller", s(C::Seller), settings::seller_page)
        .post("/panel/seller", s(C::Seller), settings::save_seller)
        .get("/panel/offers", s(C::Content), settings::offers_page)
        .post("/panel/offers", s(C::Content), settings::save_offers)
        .get("/panel/catalogue", s(C::Content), settings::catalogue_page)
        .post("/panel/catalogue", s(C::Content), settings::save_catalogue)
        .get("/panel/prices", s(C::Content), prices::prices_page)
        .post("/panel/prices", s(C::Content), prices::save_prices)
        .post(
            "/panel/prices/preview",
            s(C::Content),
            prices::preview_prices,
        )
        .get("/panel/publish", s(C::Content), publishing::publish_page)
        .post("/panel/publish", s(C::Content), publishing::publish)
        .get("/panel/history", s(C::Content), publishing::history_page)
        .post(
            "/panel/history/rollback",
            s(C::Content),
            publishing::rollback,
        )
        .get("/panel/topups", s(C::TopUps), money::topups_page)
        .post("/panel/topups/approve", s(C::TopUps), money::approve)
        .post("/panel/topups/reject", s(C::TopUps), money::reject)
        .get("/panel/topups/proof", s(C::TopUps), money::proof)
        .get("/panel/wallet", s(C::Wallet), money::wallet_page)
        .post("/panel/wallet/topup", s(C::Wallet), money::ask_for_topup)
        .get(
            "/panel/customers",
            s(C::Customers),
            customers::customers_page,
        )
        .get(
            "/panel/customers/view",
            s(C::Customers),
            customers::customer_page,
        )
        .get(
            "/panel/customers/subscribers.csv",
            s(C::Customers),
            customers::subscribers_csv,
        )
        .post(
            "/panel/customers/new",
            s(C::CustomerAccounts),
            customers::create,
        )
        .post(
            "/panel/customers/group",
            s(C::CustomerAccounts),
            customers::set_group,
        )
        .post(
            "/panel/customers/newsletter",
            s(C::CustomerAccounts),
            customers::set_newsletter,
        )
        .post(
            "/panel/customers/invite",
            s(C::CustomerAccounts),
            customers::invite_again,
        )
        .post(
            "/panel/customers/suspend",
            s(C::CustomerAccounts),
            customers::suspend,
        )
        .post(
            "/panel/customers/reinstate",
            s(C::CustomerAccounts),
            customers::reinstate,
        )
        .post(
            "/panel/customers/limit",
            s(C::CreditLimits),
            money::set_limit,
        )
        .get("/panel/invoices", s(C::Invoices), money::invoices_page)
        .post("/panel/invoices/send", s(C::Invoices), money::send_invoice)
        .get("/panel/orders", s(C::Orders), orders::orders_page)
        .get("/panel/orders/view", s(C::Orders), orders::order_page)
        .post(
            "/panel/orders/mark-paid",
            s(C::OrderPayments),
            orders::mark_paid,
        )
        .post("/panel/orders/refund", s(C::OrderPayments), orders::refund)
        .get("/panel/domains", s(C::Orders), orders::domains_page)
        .get("/panel/documents", s(C::Documents), documents::waiting_page)
        .get(
            "/panel/documents/review",
            s(C::Documents),
            documents::review_page,
        )
        .post(
            "/panel/documents/review",
            s(C::Documents),
            documents::decide,
        )
        .get("/panel/audit", s(C::Audit), audit::audit_page)
        .get("/panel/audit.csv", s(C::Audit), audit::audit_csv)
        .get("/panel/staff", s(C::Staff), staff::staff_page)
        .post("/panel/staff/invite", s(C::Staff), staff::invite)
        .post("/panel/staff/role", s(C::Staff), staff::set_role)
        .post("/panel/staff/revoke", s(C::Staff), staff::revoke)
        .get(
            "/panel/reports",
            s(C::Reports),
            screens::reports::reports_page,
        )
        .get(
            "/panel/reports/download",
            s(C::Reports),
            screens::reports::download,
        )
        .get(
            "/panel/subresellers",
            s(C::Customers),
            subresellers::list_page,
        )
        .get(
            "/panel/subresellers/new",
            s(C::SubResellers),
            subresellers::new_page,
        )
        .post(
            "/panel/subresellers/new",
            s(C::SubResellers),
            subresellers::create,
        )
        .get(
            "/panel/subresellers/orders",
            s(C::Orders),
            subresellers::orders_page,
        )
        .get(
            "/panel/subresellers/domains",
            s(C::Orders),
            subresellers::domains_page,
        )
        .post(
            "/panel/subresellers/limit",
            s(C::CreditLimits),
            subresellers::set_limit,
        )
        .post(
            "/panel/subresellers/invite",
            s(C::SubResellers),
            subresellers::invite_owner,
        )
        .get(
            "/panel/platform/",
            s(C::Console),
            screens::console::overview,
        )
        .get(
            "/panel/platform/plans",
            s(C::Console),
            screens::platform_content::plans_page,
        )
        .post(
            "/panel/platform/plans",
            s(C::Console),
            screens::platform_content::save_plans,
        )
        .get(
            "/panel/platform/catalogue",
            s(C::Console),
            screens::platform_content::catalogue_page,
        )
        .post(
            "/panel/platform/catalogue",
            s(C::Console),
            screens::platform_content::save_catalogue,
        )
        .post(
            "/panel/platform/plans/publish",
            s(C::Console),
            screens::platform_content::publish,
        )
        .post(
            "/panel/platform/catalogue/publish",
            s(C::Console),
            screens::platform_content::publish,
        )
        .get(
            "/panel/platform/topups",
            s(C::Console),
            money::console_topups_page,
        )
        .post(
            "/panel/platform/topups/approve",
            s(C::Console),
            money::console_approve,
        )
        .post(
            "/panel/platform/topups/reject",
            s(C::Console),
            money::console_reject,
        )
        .get(
            "/panel/platform/topups/proof",
            s(C::Console),
            money::console_proof,
        )
        .get(
            "/panel/platform/suspensions",
            s(C::Console),
            screens::suspensions::page,
        )
        .post(
            "/panel/platform/suspensions/suspend",
            s(C::Console),
            screens::suspensions::suspend,
        )
        .post(
            "/panel/platform/suspensions/reinstate",
            s(C::Console),
            screens::suspensions::reinstate,
        )
        .get(
            "/panel/platform/announcements",
            s(C::Console),
            screens::announcements::page,
        )
        .post(
            "/panel/platform/announcements",
            s(C::Console),
            screens::announcements::save,
        )
        .post(
            "/panel/platform/announcements/withdraw",
            s(C::Console),
            screens::announcements::withdraw,
        )
        .get(
            "/panel/platform/mail",
            s(C::Console),
            screens::mail_log::page,
        )
        // Registration, public on the platform's storefront alone.
        .get("/panel/join", Need::Public, screens::join::join_page)
        .post("/panel/join", Need::Public, screens::join::join)
        .get(
            "/panel/join/status",
            Need::Public,
            screens::join::status_page,
        )
        .post("/panel/join/resend", Need::Public, screens::join::resend)
        .post("/panel/join/documents", Need::Public, screens::join::upload)
        .get("/panel/join/file", Need::Public, screens::join::file)
        .get(
            "/panel/platform/resellers",
            s(C::Console),
            screens::resellers::list_page,
        )
        .get(
            "/panel/platform/resellers/view",
            s(C::Console),
            screens::resellers::view_page,
        )
        .post(
            "/panel/platform/resellers/review",
            s(C::Console),
            screens::resellers::review,
        )
        .post(
            "/panel/platform/resellers/deposit",
            s(C::Console),
            screens::resellers::deposit,
        )
        .post(
            "/panel/platform/resellers/approve",
            s(C::Console),
            screens::resellers::approve,
        )
        .post(
            "/panel/platform/resellers/reject",
            s(C::Console),
            screens::resellers::reject,
        )
        .get(
            "/panel/platform/resellers/file",
            s(C::Console),
            screens::resellers::file,
        )
        .get("/panel/static/backoffice.css", Need::Public, css)
        .get("/panel/static/backoffice.js", Need::Public, js)
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
    c.insert("owner", &staff.may(C::Seller));
    // What the navigation offers: only what this role may open.
    let can: BTreeMap<&str, bool> = C::ALL
        .into_iter()
        .map(|what| (what.key(), staff.may(what)))
        .collect();
    c.insert("can", &can);
    c.insert(
        "role",
        &i18n::text(staff.lang, &format!("role_{}", staff.profile.role.key())),
    );
    c
}

/// Append a staff action that changed something to the audit log, right
/// after it (a content save or publish is the revisions' own transaction).
/// A failure to write is logged; the action stands.
pub(crate) async fn audit(
    bo: &BackOffice,
    staff: &Staff,
    action: &str,
    subject: &str,
    before: serde_json::Value,
    after: serde_json::Value,
) {
    let entry = storefront_functions::audit::Entry::new(
        &staff.actor(),
        bo.clock.now(),
        action,
        subject,
        before,
        after,
    );
    let store = bo.shop.accounts.store.clone();
    if let Err(e) = storefront_functions::audit::record(&*store, &staff.reseller, &entry).await {
        eprintln!("audit entry {action} of {}: {e}", staff.reseller);
    }
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

/// The page a staff member gets when the store did not answer: 503, said
/// in their language; what failed goes to the log.
pub(crate) fn unavailable(bo: &BackOffice, staff: &Staff, e: impl std::fmt::Display) -> Response {
    eprintln!("back office of {}: {e}", staff.reseller);
    message(
        bo,
        staff.lang,
        &staff.base,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "unavailable",
        None,
    )
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
        assert_eq!(t.get_template_names().count(), 43);
    }
}
