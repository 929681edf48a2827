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
mod staff;
mod toml_doc;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use storefront_core::Locale;
use storefront_functions::accounts::AccountsState;
use storefront_functions::clock::Clock;
use storefront_publish::{PublishError, Site};
use storefront_revisions::{EventKind, RevisionError, Source};

pub use staff::Staff;

use edit::{FieldError, Judged};
use prices::{ACTIONS, GroupForm, MarkupKind};

/// Where a built storefront's files go when they are not served from the
/// build's own folder: the storefronts bucket, when deployed.
#[async_trait::async_trait]
pub trait Upload: Send + Sync {
    /// Make the files under `dir` what the storefront `reseller` serves.
    async fn upload(&self, reseller: &str, dir: &std::path::Path) -> anyhow::Result<()>;
}

#[derive(Clone)]
pub struct BackOffice {
    pub accounts: AccountsState,
    pub site: Arc<Site>,
    pub clock: Arc<dyn Clock>,
    templates: Arc<tera::Tera>,
    upload: Option<Arc<dyn Upload>>,
}

impl BackOffice {
    pub fn new(accounts: AccountsState, site: Arc<Site>, clock: Arc<dyn Clock>) -> BackOffice {
        BackOffice {
            accounts,
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
    ])
    .expect("the back office's templates parse (a unit test renders each)");
    t
}

/// `/panel/*`.
pub fn router(state: BackOffice) -> Router {
    Router::new()
        // API Gateway routes `/panel` but not `/panel/` (the edge rewrites
        // one to the other): both are the dashboard.
        .route("/panel", get(dashboard))
        .route("/panel/", get(dashboard))
        .route("/panel/brand", get(brand_page).post(save_brand))
        .route("/panel/pages", get(pages_page))
        .route("/panel/pages/new", get(new_page))
        .route("/panel/pages/edit", get(page_edit).post(save_page))
        .route("/panel/pages/delete", post(delete_page))
        .route("/panel/details", get(details_page).post(save_details))
        .route("/panel/seller", get(seller_page).post(save_seller))
        .route("/panel/offers", get(offers_page).post(save_offers))
        .route("/panel/catalogue", get(catalogue_page).post(save_catalogue))
        .route("/panel/prices", get(prices_page).post(save_prices))
        .route("/panel/prices/preview", post(preview_prices))
        .route("/panel/publish", get(publish_page).post(publish))
        .route("/panel/history", get(history_page))
        .route("/panel/history/rollback", post(rollback))
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
fn context(bo: &BackOffice, staff: &Staff, page: &str, title_key: &str) -> tera::Context {
    let t = i18n::texts(staff.lang);
    let mut c = tera::Context::new();
    c.insert("lang", staff.lang.code());
    c.insert("title", t.get(title_key).map_or(title_key, String::as_str));
    c.insert("t", t);
    c.insert("page", page);
    c.insert("base", &staff.base);
    c.insert("shop", &staff.shop);
    // The orders and wallet page is still the storefront's own, one per
    // language: the one in the back office's language.
    let lang_prefix = if staff.lang != staff.snapshot.default_language()
        && staff.snapshot.languages.contains(&staff.lang)
    {
        format!("{}/", staff.lang.code())
    } else {
        String::new()
    };
    c.insert("money", &format!("{}{lang_prefix}panel/money/", staff.shop));
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
    let _ = bo;
    c
}

fn render(bo: &BackOffice, name: &str, c: &tera::Context, status: StatusCode) -> Response {
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
enum Failure {
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
fn message(
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

fn when(at: DateTime<Utc>, staff: &Staff) -> String {
    staff
        .snapshot
        .time_zone
        .local(at)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn source_key(s: Source) -> &'static str {
    match s {
        Source::Import => "source_import",
        Source::Panel => "source_panel",
        Source::Rollback => "source_rollback",
    }
}

async fn status_context(
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

async fn dashboard(State(bo): State<BackOffice>, staff: Staff) -> Response {
    let mut c = context(&bo, &staff, "dashboard", "title_dashboard");
    if let Err(e) = status_context(&bo, &staff, &mut c).await {
        return e.answer(&bo, &staff);
    }
    c.insert("notice", &None::<String>);
    render(&bo, "dashboard.html", &c, StatusCode::OK)
}

#[derive(Serialize)]
struct OverrideCell {
    field: String,
    value: String,
    label: String,
    bad: bool,
}

#[derive(Serialize)]
struct OverrideRow {
    name: String,
    cells: Vec<OverrideCell>,
}

/// Fill the prices page's context: the form (as typed, with its errors
/// marked), the groups, and the preview when there is one.
fn prices_context(
    c: &mut tera::Context,
    staff: &Staff,
    form: &GroupForm,
    groups: Vec<String>,
    sold: &[String],
    errors: &[FieldError],
) {
    let t = i18n::texts(staff.lang);
    let bad: BTreeMap<&str, bool> = errors.iter().map(|e| (e.field.as_str(), true)).collect();
    c.insert(
        "form",
        &json!({
            "group": form.group,
            "kind": if form.kind == MarkupKind::Fixed { "fixed" } else { "percent" },
            "markup": form.markup,
            "round_to": form.round_to,
            "ending": form.ending,
            "loaded": form.loaded.clone().unwrap_or_default(),
            "table": form.table(),
            "plans": form.plans,
        }),
    );
    c.insert("bad", &bad);
    let rows: Vec<OverrideRow> = sold
        .iter()
        .map(|ext| OverrideRow {
            name: format!(".{}", storefront_core::names::to_unicode(ext)),
            cells: ACTIONS
                .iter()
                .map(|a| {
                    let field = prices::override_field(ext, *a);
                    OverrideCell {
                        bad: bad.contains_key(field.as_str()),
                        value: form.override_value(ext, *a).to_string(),
                        label: t
                            .get(&format!(
                                "action_{}",
                                field.rsplit('.').next().unwrap_or("")
                            ))
                            .cloned()
                            .unwrap_or_default(),
                        field,
                    }
                })
                .collect(),
        })
        .collect();
    c.insert("override_rows", &rows);
    c.insert("groups", &groups);
    let messages: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| json!({"field": e.field, "message": i18n::fill(staff.lang, e.key, &[("value", &e.value)])}))
        .collect();
    c.insert("errors", &messages);
}

#[derive(serde::Deserialize)]
struct GroupQuery {
    #[serde(default)]
    group: Option<String>,
    /// A sub-reseller plan instead of a customer group.
    #[serde(default)]
    plan: Option<String>,
    #[serde(default)]
    saved: Option<String>,
}

async fn prices_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<GroupQuery>,
) -> Response {
    let mut c = context(&bo, &staff, "prices", "title_prices");
    if let Err(e) = status_context(&bo, &staff, &mut c).await {
        return e.answer(&bo, &staff);
    }
    let (loaded, files) = match edit::working(&bo, &staff.reseller).await {
        Ok(w) => w,
        Err(e) => return e.answer(&bo, &staff),
    };
    let Some((_, site)) = edit::site_of(&files) else {
        return message(
            &bo,
            staff.lang,
            &staff.base,
            StatusCode::CONFLICT,
            "title_prices",
            "error_site_unreadable",
            None,
        );
    };
    let (group, form) = match q.plan {
        Some(plan) => {
            let rule = site.pricing.sub_resellers.get(&plan);
            let form = GroupForm::of(&plan, rule, loaded.clone(), true);
            (plan, form)
        }
        None => {
            let group = q.group.unwrap_or_else(|| "default".into());
            let rule = site.pricing.customers.get(&group);
            let form = GroupForm::of(&group, rule, loaded.clone(), false);
            (group, form)
        }
    };
    let mut errors = Vec::new();
    if !storefront_generator::content::valid_id(&group) {
        errors.push(FieldError {
            field: "group".into(),
            key: "error_group_name",
            value: group.clone(),
        });
    }
    let groups: Vec<String> = site.pricing.customers.keys().cloned().collect();
    c.insert(
        "plans",
        &site.pricing.sub_resellers.keys().collect::<Vec<_>>(),
    );
    prices_context(&mut c, &staff, &form, groups, &site.extensions(), &errors);
    c.insert(
        "notice",
        &q.saved.map(|_| i18n::text(staff.lang, "saved_draft")),
    );
    // The preview of what is saved, so the page opens with the table.
    let now = bo.clock.now();
    if !form.plans
        && let Ok(checkout) = bo.site.check_draft(&staff.reseller, files, now).await
        && let Some(candidate) = storefront_generator::snapshot::of(&checkout, &staff.reseller)
    {
        let today = checkout.checked[&staff.reseller].today;
        let rows = prices::preview(&candidate, Some(&staff.snapshot), &group, today);
        c.insert("preview", &rows);
    }
    render(&bo, "prices.html", &c, StatusCode::OK)
}

/// The prices form applied to the files it was filled from, and checked;
/// with the groups and extensions the form shows.
async fn judge_prices(
    bo: &BackOffice,
    staff: &Staff,
    form: &GroupForm,
) -> Result<(Judged, Vec<String>, Vec<String>), Failure> {
    let mut shown = (Vec::new(), Vec::new());
    let judged = edit::judge(bo, staff, form.loaded.as_deref(), |files, src, site| {
        let sold = site.extensions();
        let table = if form.plans {
            &site.pricing.sub_resellers
        } else {
            &site.pricing.customers
        };
        let mut groups: Vec<String> = table.keys().cloned().collect();
        if !groups.contains(&form.group) {
            groups.push(form.group.clone());
        }
        let sold_refs: Vec<&str> = sold.iter().map(String::as_str).collect();
        let applied = form.apply(src, site.currency, &sold_refs);
        shown = (groups, sold);
        files.insert("site.toml".into(), applied?.into_bytes());
        Ok(())
    })
    .await?;
    Ok((judged, shown.0, shown.1))
}

async fn preview_prices(
    State(bo): State<BackOffice>,
    staff: Staff,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = GroupForm::from_fields(&fields);
    let fragment = headers.contains_key("x-fragment");
    let mut c = context(&bo, &staff, "prices", "title_prices");
    if let Err(e) = status_context(&bo, &staff, &mut c).await {
        return e.answer(&bo, &staff);
    }
    c.insert("notice", &None::<String>);
    let (judged, groups, sold) = match judge_prices(&bo, &staff, &form).await {
        Ok(j) => j,
        Err(e) => return e.answer(&bo, &staff),
    };
    match judged {
        Judged::Good { checkout, .. } => {
            prices_context(&mut c, &staff, &form, groups, &sold, &[]);
            if !form.plans
                && let Some(candidate) =
                    storefront_generator::snapshot::of(&checkout, &staff.reseller)
            {
                let today = checkout.checked[&staff.reseller].today;
                let rows = prices::preview(&candidate, Some(&staff.snapshot), &form.group, today);
                c.insert("preview", &rows);
            }
            let page = if fragment {
                "_preview.html"
            } else {
                "prices.html"
            };
            render(&bo, page, &c, StatusCode::OK)
        }
        Judged::Fields(errors) => {
            prices_context(&mut c, &staff, &form, groups, &sold, &errors);
            render(&bo, "prices.html", &c, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Judged::Checks(list) => {
            prices_context(&mut c, &staff, &form, groups, &sold, &[]);
            c.insert("problems", &list);
            render(&bo, "prices.html", &c, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

async fn save_prices(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = GroupForm::from_fields(&fields);
    let (judged, groups, sold) = match judge_prices(&bo, &staff, &form).await {
        Ok(j) => j,
        Err(e) => return e.answer(&bo, &staff),
    };
    let files = match judged {
        Judged::Good { files, .. } => files,
        bad => {
            let mut c = context(&bo, &staff, "prices", "title_prices");
            if let Err(e) = status_context(&bo, &staff, &mut c).await {
                return e.answer(&bo, &staff);
            }
            c.insert("notice", &None::<String>);
            match bad {
                Judged::Fields(errors) => {
                    prices_context(&mut c, &staff, &form, groups, &sold, &errors)
                }
                Judged::Checks(list) => {
                    prices_context(&mut c, &staff, &form, groups, &sold, &[]);
                    c.insert("problems", &list);
                }
                Judged::Good { .. } => {}
            }
            return render(&bo, "prices.html", &c, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let (note, page) = if form.plans {
        (
            format!("sub-reseller prices, plan {}", form.group),
            format!("prices?plan={}", form.group),
        )
    } else {
        (
            format!("customer prices, group {}", form.group),
            format!("prices?group={}", form.group),
        )
    };
    edit::save(&bo, &staff, &files, form.loaded.as_deref(), &note, &page).await
}

#[derive(serde::Deserialize)]
struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// The field errors as the page lists them, and which fields to mark.
fn errors_context(c: &mut tera::Context, staff: &Staff, errors: &[FieldError]) {
    let messages: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| json!({"field": e.field, "message": i18n::fill(staff.lang, e.key, &[("value", &e.value)])}))
        .collect();
    c.insert("errors", &messages);
    let bad: BTreeMap<&str, bool> = errors.iter().map(|e| (e.field.as_str(), true)).collect();
    c.insert("bad", &bad);
}

fn brand_context(
    c: &mut tera::Context,
    staff: &Staff,
    form: &brand::BrandForm,
    site: &storefront_generator::content::Site,
    errors: &[FieldError],
) {
    errors_context(c, staff, errors);
    let bad = |f: &str| errors.iter().any(|e| e.field == f);
    c.insert(
        "form",
        &json!({"name": form.name, "loaded": form.loaded.clone().unwrap_or_default()}),
    );
    let taglines: Vec<serde_json::Value> = form
        .tagline
        .iter()
        .map(|(l, v)| json!({"lang": l.code(), "value": v, "bad": bad(&format!("tagline_{}", l.code()))}))
        .collect();
    c.insert("taglines", &taglines);
    let colours: Vec<serde_json::Value> = brand::COLOURS
        .iter()
        .map(|name| {
            let typed = form.colours.get(*name).cloned().unwrap_or_default();
            // A colour input holds #rrggbb only: "#05f" is shown as "#0055ff".
            let value = storefront_generator::brand::parse_hex(&typed)
                .map_or(typed, storefront_generator::brand::hex);
            json!({
                "name": name,
                "label": i18n::text(staff.lang, &format!("colour_{name}")),
                "value": value,
                "bad": bad(&format!("colour_{name}")),
            })
        })
        .collect();
    c.insert("colours", &colours);
    c.insert("logo", &site.logo);
    c.insert("favicon", &site.favicon);
    let warnings: Vec<serde_json::Value> = form
        .warnings()
        .into_iter()
        .map(|(field, v)| json!({"field": field, "message": i18n::fill(staff.lang, "warning_contrast", &[("value", &v)])}))
        .collect();
    c.insert("warnings", &warnings);
}

async fn brand_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> Response {
    let mut c = context(&bo, &staff, "brand", "title_brand");
    if let Err(e) = status_context(&bo, &staff, &mut c).await {
        return e.answer(&bo, &staff);
    }
    let (loaded, files) = match edit::working(&bo, &staff.reseller).await {
        Ok(w) => w,
        Err(e) => return e.answer(&bo, &staff),
    };
    let Some((_, site)) = edit::site_of(&files) else {
        return message(
            &bo,
            staff.lang,
            &staff.base,
            StatusCode::CONFLICT,
            "title_brand",
            "error_site_unreadable",
            None,
        );
    };
    let form = brand::BrandForm::of(&site, loaded);
    brand_context(&mut c, &staff, &form, &site, &[]);
    c.insert(
        "notice",
        &q.saved.map(|_| i18n::text(staff.lang, "saved_draft")),
    );
    render(&bo, "brand.html", &c, StatusCode::OK)
}

async fn save_brand(
    State(bo): State<BackOffice>,
    staff: Staff,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let mut form = brand::BrandForm::default();
    let mut unreadable = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(bytes) if name == "logo" || name == "favicon" => {
                        // A file input left empty still sends a part.
                        if !bytes.is_empty() {
                            if name == "logo" {
                                form.logo = Some(bytes.to_vec());
                            } else {
                                form.favicon = Some(bytes.to_vec());
                            }
                        }
                    }
                    Ok(bytes) => form.field(&name, String::from_utf8_lossy(&bytes).into_owned()),
                    Err(_) => {
                        unreadable = true;
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                unreadable = true;
                break;
            }
        }
    }
    if unreadable {
        return message(
            &bo,
            staff.lang,
            &staff.base,
            StatusCode::PAYLOAD_TOO_LARGE,
            "title_brand",
            "error_upload",
            None,
        );
    }
    // The form leaves out languages whose tagline was never shown.
    let loaded = form.loaded.clone();
    let judged = edit::judge(&bo, &staff, loaded.as_deref(), |files, src, site| {
        let before = brand::BrandForm::of(site, None);
        for (l, t) in before.tagline {
            form.tagline.entry(l).or_insert(t);
        }
        for (c, v) in before.colours {
            form.colours.entry(c).or_insert(v);
        }
        form.apply(files, src, site)
    })
    .await;
    let files = match judged {
        Ok(Judged::Good { files, .. }) => files,
        Ok(bad) => {
            let mut c = context(&bo, &staff, "brand", "title_brand");
            if let Err(e) = status_context(&bo, &staff, &mut c).await {
                return e.answer(&bo, &staff);
            }
            c.insert("notice", &None::<String>);
            let site = match edit::working(&bo, &staff.reseller)
                .await
                .map(|(_, f)| edit::site_of(&f))
            {
                Ok(Some((_, s))) => s,
                Ok(None) => {
                    return message(
                        &bo,
                        staff.lang,
                        &staff.base,
                        StatusCode::CONFLICT,
                        "title_brand",
                        "error_site_unreadable",
                        None,
                    );
                }
                Err(e) => return e.answer(&bo, &staff),
            };
            match bad {
                Judged::Fields(errors) => brand_context(&mut c, &staff, &form, &site, &errors),
                Judged::Checks(list) => {
                    brand_context(&mut c, &staff, &form, &site, &[]);
                    c.insert("problems", &list);
                }
                Judged::Good { .. } => {}
            }
            return render(&bo, "brand.html", &c, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return e.answer(&bo, &staff),
    };
    edit::save(&bo, &staff, &files, loaded.as_deref(), "brand", "brand").await
}

async fn pages_list(
    bo: &BackOffice,
    staff: &Staff,
    errors: &[FieldError],
    status: StatusCode,
    notice: Option<String>,
) -> Response {
    let mut c = context(bo, staff, "pages", "title_pages");
    if let Err(e) = status_context(bo, staff, &mut c).await {
        return e.answer(bo, staff);
    }
    let (_, files) = match edit::working(bo, &staff.reseller).await {
        Ok(w) => w,
        Err(e) => return e.answer(bo, staff),
    };
    let list: Vec<serde_json::Value> = pages::list(&files)
        .into_iter()
        .map(|(f, title)| json!({"path": f.path(), "title": title, "news": f.news}))
        .collect();
    c.insert("pages", &list);
    let languages: Vec<&str> = staff.snapshot.languages.iter().map(|l| l.code()).collect();
    c.insert("languages", &languages);
    errors_context(&mut c, staff, errors);
    c.insert("notice", &notice);
    render(bo, "pages.html", &c, status)
}

#[derive(serde::Deserialize)]
struct PagesQuery {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    deleted: Option<String>,
}

async fn pages_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<PagesQuery>,
) -> Response {
    let notice = match (q.saved, q.deleted) {
        (_, Some(_)) => Some(i18n::text(staff.lang, "deleted")),
        (Some(_), None) => Some(i18n::text(staff.lang, "saved_draft")),
        _ => None,
    };
    pages_list(&bo, &staff, &[], StatusCode::OK, notice).await
}

#[derive(serde::Deserialize)]
struct NewPage {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    kind: String,
}

async fn new_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<NewPage>,
) -> Response {
    let lang = q
        .lang
        .parse::<Locale>()
        .ok()
        .filter(|l| staff.snapshot.languages.contains(l));
    let slug = q.slug.trim();
    match lang {
        Some(l) if storefront_generator::content::valid_id(slug) => {
            let file = pages::PageFile {
                slug: slug.to_string(),
                locale: (l != staff.snapshot.default_language()).then_some(l),
                news: q.kind == "news",
            };
            Redirect::to(&format!("{}pages/edit?file={}", staff.base, file.path())).into_response()
        }
        _ => {
            let e = FieldError::new("slug", "error_page_new", slug);
            pages_list(&bo, &staff, &[e], StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
    }
}

#[derive(serde::Deserialize)]
struct PageQuery {
    #[serde(default)]
    file: String,
    #[serde(default)]
    saved: Option<String>,
}

/// How a page form is shown: with what errors, and whether the preview.
struct PageShown<'a> {
    exists: bool,
    errors: &'a [FieldError],
    problems: &'a [String],
    preview: bool,
    status: StatusCode,
    notice: Option<String>,
}

async fn page_form_page(
    bo: &BackOffice,
    staff: &Staff,
    form: &pages::PageForm,
    shown: PageShown<'_>,
) -> Response {
    let mut c = context(bo, staff, "pages", "title_page_edit");
    if let Err(e) = status_context(bo, staff, &mut c).await {
        return e.answer(bo, staff);
    }
    c.insert(
        "form",
        &json!({
            "file": form.file, "title": form.title, "description": form.description,
            "date": form.date, "footer": form.footer, "order": form.order, "body": form.body,
            "loaded": form.loaded.clone().unwrap_or_default(),
        }),
    );
    c.insert(
        "news",
        &pages::PageFile::parse(&form.file).is_some_and(|f| f.news),
    );
    c.insert("exists", &shown.exists);
    errors_context(&mut c, staff, shown.errors);
    c.insert("problems", shown.problems);
    // The storefront's own sanitiser: what the preview shows is what the
    // page will show, and script never survives it.
    let rendered = shown
        .preview
        .then(|| storefront_generator::markdown::render(&form.body));
    c.insert("rendered", &rendered);
    c.insert("notice", &shown.notice);
    render(bo, "page_edit.html", &c, shown.status)
}

async fn page_edit(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<PageQuery>,
) -> Response {
    let Some(file) = pages::PageFile::parse(&q.file) else {
        return message(
            &bo,
            staff.lang,
            &staff.base,
            StatusCode::NOT_FOUND,
            "not_found",
            "not_found",
            None,
        );
    };
    let (loaded, files) = match edit::working(&bo, &staff.reseller).await {
        Ok(w) => w,
        Err(e) => return e.answer(&bo, &staff),
    };
    let form = pages::PageForm::of(&file, &files, loaded);
    let exists = files.contains_key(&file.path());
    let notice = q.saved.map(|_| i18n::text(staff.lang, "saved_draft"));
    page_form_page(
        &bo,
        &staff,
        &form,
        PageShown {
            exists,
            errors: &[],
            problems: &[],
            preview: exists,
            status: StatusCode::OK,
            notice,
        },
    )
    .await
}

async fn save_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = pages::PageForm::from_fields(&fields);
    let preview_only = fields.iter().any(|(k, v)| k == "action" && v == "preview");
    let languages = staff.snapshot.languages.clone();
    let exists = match edit::working(&bo, &staff.reseller).await {
        Ok((_, files)) => files.contains_key(&form.file),
        Err(e) => return e.answer(&bo, &staff),
    };
    if preview_only {
        let errors = form.render_file(&languages).err().unwrap_or_default();
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return page_form_page(
            &bo,
            &staff,
            &form,
            PageShown {
                exists,
                errors: &errors,
                problems: &[],
                preview: true,
                status,
                notice: None,
            },
        )
        .await;
    }
    let judged = edit::judge(&bo, &staff, form.loaded.as_deref(), |files, _, site| {
        let (path, text) = form.render_file(&site.languages)?;
        files.insert(path, text.into_bytes());
        Ok(())
    })
    .await;
    match judged {
        Ok(Judged::Good { files, .. }) => {
            let note = format!("page {}", form.file);
            edit::save(
                &bo,
                &staff,
                &files,
                form.loaded.as_deref(),
                &note,
                &format!("pages/edit?file={}", form.file),
            )
            .await
        }
        Ok(Judged::Fields(errors)) => {
            page_form_page(
                &bo,
                &staff,
                &form,
                PageShown {
                    exists,
                    errors: &errors,
                    problems: &[],
                    preview: true,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    notice: None,
                },
            )
            .await
        }
        Ok(Judged::Checks(list)) => {
            page_form_page(
                &bo,
                &staff,
                &form,
                PageShown {
                    exists,
                    errors: &[],
                    problems: &list,
                    preview: true,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    notice: None,
                },
            )
            .await
        }
        Err(e) => e.answer(&bo, &staff),
    }
}

async fn delete_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = pages::PageForm::from_fields(&fields);
    if pages::PageFile::parse(&form.file).is_none() {
        return message(
            &bo,
            staff.lang,
            &staff.base,
            StatusCode::NOT_FOUND,
            "not_found",
            "not_found",
            None,
        );
    }
    let judged = edit::judge(&bo, &staff, form.loaded.as_deref(), |files, _, _| {
        files.remove(&form.file);
        Ok(())
    })
    .await;
    match judged {
        Ok(Judged::Good { files, .. }) => {
            let note = format!("deleted page {}", form.file);
            edit::save(
                &bo,
                &staff,
                &files,
                form.loaded.as_deref(),
                &note,
                "pages?deleted=1",
            )
            .await
        }
        Ok(Judged::Fields(errors)) => {
            pages_list(&bo, &staff, &errors, StatusCode::UNPROCESSABLE_ENTITY, None).await
        }
        Ok(Judged::Checks(list)) => {
            page_form_page(
                &bo,
                &staff,
                &form,
                PageShown {
                    exists: true,
                    errors: &[],
                    problems: &list,
                    preview: false,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    notice: None,
                },
            )
            .await
        }
        Err(e) => e.answer(&bo, &staff),
    }
}

/// Which of the details forms.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Details {
    Contact,
    Seller,
}

impl Details {
    fn page(self) -> &'static str {
        match self {
            Details::Contact => "details",
            Details::Seller => "seller",
        }
    }
}

fn owner_only(bo: &BackOffice, staff: &Staff) -> Option<Response> {
    (staff.profile.role != storefront_functions::accounts::Role::Owner).then(|| {
        message(
            bo,
            staff.lang,
            &staff.base,
            StatusCode::FORBIDDEN,
            "owner_only",
            "owner_only_text",
            None,
        )
    })
}

async fn details_form_page(
    bo: &BackOffice,
    staff: &Staff,
    which: Details,
    fields: Option<&[(String, String)]>,
    errors: &[FieldError],
    problems: &[String],
    notice: Option<String>,
) -> Response {
    let (title, template) = match which {
        Details::Contact => ("title_details", "details.html"),
        Details::Seller => ("title_seller", "seller.html"),
    };
    let mut c = context(bo, staff, which.page(), title);
    if let Err(e) = status_context(bo, staff, &mut c).await {
        return e.answer(bo, staff);
    }
    let (loaded, files) = match edit::working(bo, &staff.reseller).await {
        Ok(w) => w,
        Err(e) => return e.answer(bo, staff),
    };
    let Some((_, site)) = edit::site_of(&files) else {
        return message(
            bo,
            staff.lang,
            &staff.base,
            StatusCode::CONFLICT,
            title,
            "error_site_unreadable",
            None,
        );
    };
    let loaded = fields
        .and_then(|f| {
            f.iter()
                .find(|(k, _)| k == "loaded")
                .map(|(_, v)| v.clone())
        })
        .or(loaded);
    c.insert("loaded", &loaded.unwrap_or_default());
    match which {
        Details::Contact => {
            let form = match fields {
                Some(f) => details::ContactForm::from_fields(f, &site),
                None => details::ContactForm::of(&site),
            };
            c.insert(
                "form",
                &json!({"email": form.email, "phone": form.phone, "whatsapp": form.whatsapp, "address": form.address}),
            );
            let hours: Vec<serde_json::Value> = form
                .hours
                .iter()
                .map(|(l, v)| json!({"lang": l.code(), "value": v}))
                .collect();
            c.insert("hours", &hours);
        }
        Details::Seller => {
            let form = match fields {
                Some(f) => details::SellerForm::from_fields(f),
                None => details::SellerForm::of(&site),
            };
            c.insert(
                "form",
                &json!({"legal_name": form.legal_name, "address": form.address, "tax_id": form.tax_id,
                        "email": form.email, "invoice_prefix": form.invoice_prefix}),
            );
            let mut rows: Vec<serde_json::Value> = form
                .accounts
                .iter()
                .map(
                    |a| json!({"id": a.id, "bank": a.bank, "holder": a.holder, "number": a.number}),
                )
                .collect();
            if rows.len() < details::MAX_ACCOUNTS {
                rows.push(json!({"id": "", "bank": "", "holder": "", "number": ""}));
            }
            c.insert("accounts", &rows);
        }
    }
    errors_context(&mut c, staff, errors);
    c.insert("problems", problems);
    c.insert("notice", &notice);
    let status = if errors.is_empty() && problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(bo, template, &c, status)
}

async fn details_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> Response {
    let notice = q.saved.map(|_| i18n::text(staff.lang, "saved_draft"));
    details_form_page(&bo, &staff, Details::Contact, None, &[], &[], notice).await
}

async fn seller_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> Response {
    if let Some(refused) = owner_only(&bo, &staff) {
        return refused;
    }
    let notice = q.saved.map(|_| i18n::text(staff.lang, "saved_draft"));
    details_form_page(&bo, &staff, Details::Seller, None, &[], &[], notice).await
}

async fn save_details_of(
    bo: &BackOffice,
    staff: &Staff,
    which: Details,
    fields: Vec<(String, String)>,
) -> Response {
    let loaded = fields
        .iter()
        .find(|(k, _)| k == "loaded")
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty());
    let judged = edit::judge(bo, staff, loaded.as_deref(), |files, src, site| {
        let mut doc: toml_edit::DocumentMut = src
            .parse()
            .map_err(|_| vec![FieldError::new("site.toml", "error_site_unreadable", "")])?;
        match which {
            Details::Contact => details::ContactForm::from_fields(&fields, site).apply(&mut doc)?,
            Details::Seller => details::SellerForm::from_fields(&fields).apply(&mut doc)?,
        }
        files.insert("site.toml".into(), doc.to_string().into_bytes());
        Ok(())
    })
    .await;
    match judged {
        Ok(Judged::Good { files, .. }) => {
            let note = match which {
                Details::Contact => "contact details",
                Details::Seller => "seller and bank accounts",
            };
            edit::save(bo, staff, &files, loaded.as_deref(), note, which.page()).await
        }
        Ok(Judged::Fields(errors)) => {
            details_form_page(bo, staff, which, Some(&fields), &errors, &[], None).await
        }
        Ok(Judged::Checks(list)) => {
            details_form_page(bo, staff, which, Some(&fields), &[], &list, None).await
        }
        Err(e) => e.answer(bo, staff),
    }
}

async fn save_details(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    save_details_of(&bo, &staff, Details::Contact, fields).await
}

async fn save_seller(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refused) = owner_only(&bo, &staff) {
        return refused;
    }
    save_details_of(&bo, &staff, Details::Seller, fields).await
}

async fn offers_form_page(
    bo: &BackOffice,
    staff: &Staff,
    fields: Option<&[(String, String)]>,
    errors: &[FieldError],
    problems: &[String],
    notice: Option<String>,
) -> Response {
    let mut c = context(bo, staff, "offers", "title_offers");
    if let Err(e) = status_context(bo, staff, &mut c).await {
        return e.answer(bo, staff);
    }
    let (loaded, files) = match edit::working(bo, &staff.reseller).await {
        Ok(w) => w,
        Err(e) => return e.answer(bo, staff),
    };
    let Some((_, site)) = edit::site_of(&files) else {
        return message(
            bo,
            staff.lang,
            &staff.base,
            StatusCode::CONFLICT,
            "title_offers",
            "error_site_unreadable",
            None,
        );
    };
    let loaded = fields
        .and_then(|f| {
            f.iter()
                .find(|(k, _)| k == "loaded")
                .map(|(_, v)| v.clone())
        })
        .or(loaded);
    c.insert("loaded", &loaded.unwrap_or_default());
    let mut form = match fields {
        Some(f) => offers::OffersForm::from_fields(f),
        None => offers::OffersForm::of(&site.promotions, &site.discount_codes, &site.languages),
    };
    // Rows to add with.
    for _ in 0..offers::EMPTY_ROWS {
        if form.promotions.len() < offers::MAX_ROWS {
            form.promotions.push(offers::PromoRow::default());
        }
        if form.codes.len() < offers::MAX_ROWS {
            form.codes.push(offers::CodeRow::default());
        }
    }
    // Each row with the fields to mark, as `bad.<field>`.
    let with_bad = |prefix: &str, rows: Vec<serde_json::Value>| -> Vec<serde_json::Value> {
        rows.into_iter()
            .enumerate()
            .map(|(i, mut row)| {
                let start = format!("{prefix}_{i}_");
                let bad: BTreeMap<&str, bool> = errors
                    .iter()
                    .filter_map(|e| e.field.strip_prefix(&start).map(|f| (f, true)))
                    .collect();
                row["bad"] = json!(bad);
                row
            })
            .collect()
    };
    let promotions = form.promotions.iter().map(|p| json!(p)).collect();
    let codes = form.codes.iter().map(|c| json!(c)).collect();
    c.insert("promotions", &with_bad("promo", promotions));
    c.insert("codes", &with_bad("code", codes));
    let actions: Vec<serde_json::Value> = ["register", "renew", "transfer"]
        .iter()
        .map(|a| json!({"value": a, "label": i18n::text(staff.lang, &format!("action_{a}"))}))
        .collect();
    c.insert("actions", &actions);
    c.insert(
        "languages",
        &site.languages.iter().map(|l| l.code()).collect::<Vec<_>>(),
    );
    errors_context(&mut c, staff, errors);
    c.insert("problems", problems);
    c.insert("notice", &notice);
    let status = if errors.is_empty() && problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(bo, "offers.html", &c, status)
}

async fn offers_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> Response {
    let notice = q.saved.map(|_| i18n::text(staff.lang, "saved_draft"));
    offers_form_page(&bo, &staff, None, &[], &[], notice).await
}

async fn save_offers(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let loaded = fields
        .iter()
        .find(|(k, _)| k == "loaded")
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty());
    let form = offers::OffersForm::from_fields(&fields);
    let judged = edit::judge(&bo, &staff, loaded.as_deref(), |files, src, site| {
        let mut doc: toml_edit::DocumentMut = src
            .parse()
            .map_err(|_| vec![FieldError::new("site.toml", "error_site_unreadable", "")])?;
        form.apply(&mut doc, site.currency, &site.extensions(), &site.languages)?;
        files.insert("site.toml".into(), doc.to_string().into_bytes());
        Ok(())
    })
    .await;
    match judged {
        Ok(Judged::Good { files, .. }) => {
            edit::save(
                &bo,
                &staff,
                &files,
                loaded.as_deref(),
                "promotions and discount codes",
                "offers",
            )
            .await
        }
        Ok(Judged::Fields(errors)) => {
            offers_form_page(&bo, &staff, Some(&fields), &errors, &[], None).await
        }
        Ok(Judged::Checks(list)) => {
            offers_form_page(&bo, &staff, Some(&fields), &[], &list, None).await
        }
        Err(e) => e.answer(&bo, &staff),
    }
}

async fn catalogue_form_page(
    bo: &BackOffice,
    staff: &Staff,
    fields: Option<&[(String, String)]>,
    errors: &[FieldError],
    problems: &[String],
    notice: Option<String>,
) -> Response {
    let mut c = context(bo, staff, "catalogue", "title_catalogue");
    if let Err(e) = status_context(bo, staff, &mut c).await {
        return e.answer(bo, staff);
    }
    let (loaded, files) = match edit::working(bo, &staff.reseller).await {
        Ok(w) => w,
        Err(e) => return e.answer(bo, staff),
    };
    let Some((_, site)) = edit::site_of(&files) else {
        return message(
            bo,
            staff.lang,
            &staff.base,
            StatusCode::CONFLICT,
            "title_catalogue",
            "error_site_unreadable",
            None,
        );
    };
    let loaded = fields
        .and_then(|f| {
            f.iter()
                .find(|(k, _)| k == "loaded")
                .map(|(_, v)| v.clone())
        })
        .or(loaded);
    c.insert("loaded", &loaded.unwrap_or_default());
    let mut form = match fields {
        Some(f) => catalogue::CatalogueForm::from_fields(f),
        None => catalogue::CatalogueForm::of(&site),
    };
    if form.groups.len() < catalogue::MAX_GROUPS {
        form.groups.push(catalogue::GroupRow::default());
    }
    let names = [
        ("en", "English"),
        ("id", "Bahasa Indonesia"),
        ("pl", "Polski"),
    ];
    let all: Vec<serde_json::Value> = names
        .iter()
        .map(|(code, name)| {
            json!({"code": code, "name": name,
                   "shown": form.languages.iter().any(|l| l == code),
                   "default": form.languages.first().map(String::as_str) == Some(*code)})
        })
        .collect();
    c.insert("all_languages", &all);
    c.insert("shown", &form.languages);
    let groups: Vec<serde_json::Value> = form
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let start = format!("group_{i}_");
            let bad: BTreeMap<&str, bool> = errors
                .iter()
                .filter_map(|e| e.field.strip_prefix(&start).map(|f| (f, true)))
                .collect();
            let mut v = json!(g);
            v["bad"] = json!(bad);
            v
        })
        .collect();
    c.insert("groups", &groups);
    errors_context(&mut c, staff, errors);
    c.insert("problems", problems);
    c.insert("notice", &notice);
    let status = if errors.is_empty() && problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(bo, "catalogue.html", &c, status)
}

async fn catalogue_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> Response {
    let notice = q.saved.map(|_| i18n::text(staff.lang, "saved_draft"));
    catalogue_form_page(&bo, &staff, None, &[], &[], notice).await
}

async fn save_catalogue(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let loaded = fields
        .iter()
        .find(|(k, _)| k == "loaded")
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty());
    let form = catalogue::CatalogueForm::from_fields(&fields);
    let judged = edit::judge(&bo, &staff, loaded.as_deref(), |files, src, _| {
        let mut doc: toml_edit::DocumentMut = src
            .parse()
            .map_err(|_| vec![FieldError::new("site.toml", "error_site_unreadable", "")])?;
        form.apply(&mut doc)?;
        files.insert("site.toml".into(), doc.to_string().into_bytes());
        Ok(())
    })
    .await;
    match judged {
        Ok(Judged::Good { files, .. }) => {
            edit::save(
                &bo,
                &staff,
                &files,
                loaded.as_deref(),
                "extensions and languages",
                "catalogue",
            )
            .await
        }
        Ok(Judged::Fields(errors)) => {
            catalogue_form_page(&bo, &staff, Some(&fields), &errors, &[], None).await
        }
        Ok(Judged::Checks(list)) => {
            catalogue_form_page(&bo, &staff, Some(&fields), &[], &list, None).await
        }
        Err(e) => e.answer(&bo, &staff),
    }
}

#[derive(serde::Deserialize)]
struct PublishQuery {
    #[serde(default)]
    published: Option<String>,
}

async fn publish_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<PublishQuery>,
) -> Response {
    let mut c = context(&bo, &staff, "publish", "title_publish");
    let (published, draft) = match status_context(&bo, &staff, &mut c).await {
        Ok(s) => s,
        Err(e) => return e.answer(&bo, &staff),
    };
    c.insert(
        "notice",
        &q.published.map(|_| i18n::text(staff.lang, "published_ok")),
    );
    if let Some(d) = draft.filter(|d| Some(&d.revision) != published.as_ref()) {
        let revisions = bo.site.revisions();
        let changed = match (
            revisions.manifest(&staff.reseller, &d.revision).await,
            &published,
        ) {
            (Ok(m), Some(p)) => match revisions.manifest(&staff.reseller, p).await {
                Ok(before) => m.changed_since(Some(&before)),
                Err(e) => return Failure::from(e).answer(&bo, &staff),
            },
            (Ok(m), None) => m.changed_since(None),
            (Err(e), _) => return Failure::from(e).answer(&bo, &staff),
        };
        c.insert(
            "draft",
            &json!({
                "revision": d.revision,
                "changed": changed,
                "line": i18n::fill(staff.lang, "draft_by", &[("who", &d.by), ("at", &when(d.at, &staff))]),
            }),
        );
    } else {
        c.insert("draft", &false);
    }
    render(&bo, "publish.html", &c, StatusCode::OK)
}

#[derive(serde::Deserialize)]
struct PublishForm {
    revision: String,
    #[serde(default)]
    expected: Option<String>,
}

/// Move the pointer, then build: what the storefront serves is what the
/// pointer names once this answers.
async fn publish_revision(
    bo: &BackOffice,
    staff: &Staff,
    form: &PublishForm,
    source: Source,
) -> Result<(), Result<Vec<String>, Failure>> {
    let now = bo.clock.now();
    let files = bo
        .site
        .files_of(&staff.reseller, &form.revision)
        .await
        .map_err(|e| Err(e.into()))?;
    // Checked again against what is published now: a parent may have
    // changed its prices since the draft was saved.
    match bo.site.check_draft(&staff.reseller, files, now).await {
        Ok(_) => {}
        Err(PublishError::Content(d)) => return Err(Ok(edit::problems(&d))),
        Err(e) => return Err(Err(e.into())),
    }
    let expected = form.expected.as_deref().filter(|e| !e.is_empty());
    bo.site
        .revisions()
        .publish(
            &staff.reseller,
            &form.revision,
            expected,
            &staff.profile.email,
            source,
            now,
        )
        .await
        .map_err(|e| Err(e.into()))?;
    match bo.site.build(now).await {
        Ok(built) => {
            if let Some(up) = &bo.upload {
                for id in &built.report.rendered {
                    let dir = bo.site.out().join(id);
                    if let Err(e) = up.upload(id, &dir).await {
                        eprintln!("uploading storefront {id}: {e:#}");
                        return Err(Err(Failure::Publish(PublishError::Io(e))));
                    }
                }
            }
            Ok(())
        }
        Err(PublishError::Content(d)) => Err(Ok(edit::problems(&d))),
        Err(e) => Err(Err(e.into())),
    }
}

async fn publish(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(form): Form<PublishForm>,
) -> Response {
    match publish_revision(&bo, &staff, &form, Source::Panel).await {
        Ok(()) => Redirect::to(&format!(
            "{}publish?published={}",
            staff.base, form.revision
        ))
        .into_response(),
        Err(Ok(list)) => {
            let mut c = context(&bo, &staff, "publish", "title_publish");
            if let Err(e) = status_context(&bo, &staff, &mut c).await {
                return e.answer(&bo, &staff);
            }
            c.insert("notice", &None::<String>);
            c.insert("problems", &list);
            render(&bo, "publish.html", &c, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(Err(Failure::Revision(RevisionError::Moved { now }))) => moved(&bo, &staff, now).await,
        Err(Err(e)) => e.answer(&bo, &staff),
    }
}

async fn moved(
    bo: &BackOffice,
    staff: &Staff,
    now: Option<storefront_revisions::Published>,
) -> Response {
    let mut c = context(bo, staff, "publish", "title_publish");
    if let Err(e) = status_context(bo, staff, &mut c).await {
        return e.answer(bo, staff);
    }
    let (who, at) = now.map_or((String::new(), String::new()), |p| {
        (p.by, when(p.at, staff))
    });
    c.insert(
        "notice",
        &i18n::fill(staff.lang, "moved", &[("who", &who), ("at", &at)]),
    );
    render(bo, "publish.html", &c, StatusCode::CONFLICT)
}

#[derive(serde::Deserialize)]
struct HistoryQuery {
    #[serde(default)]
    rolled_back: Option<String>,
    /// A save kept beside another admin's draft.
    #[serde(default)]
    aside: Option<String>,
}

async fn history_page(
    State(bo): State<BackOffice>,
    staff: Staff,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let mut c = context(&bo, &staff, "history", "title_history");
    let (published, draft) = match status_context(&bo, &staff, &mut c).await {
        Ok(s) => s,
        Err(e) => return e.answer(&bo, &staff),
    };
    let events = match bo.site.revisions().history(&staff.reseller, 100).await {
        Ok(e) => e,
        Err(e) => return Failure::from(e).answer(&bo, &staff),
    };
    let rows: Vec<serde_json::Value> = events
        .iter()
        .map(|e| {
            let kind = match e.kind {
                EventKind::Saved => "kind_saved",
                EventKind::SavedAside => "kind_saved_aside",
                EventKind::Published => "kind_published",
                EventKind::Imported => "kind_imported",
                EventKind::RolledBack => "kind_rolled_back",
            };
            json!({
                "at": when(e.at, &staff),
                "by": e.by,
                "what": i18n::text(staff.lang, kind),
                "note": e.note,
                "changed": e.changed,
                "revision": e.revision,
                "short": &e.revision[..8.min(e.revision.len())],
                "live": Some(&e.revision) == published.as_ref(),
            })
        })
        .collect();
    c.insert("events", &rows);
    let short = |r: &str| r[..8.min(r.len())].to_string();
    let notice = match (q.rolled_back, q.aside, draft) {
        (Some(r), _, _) => Some(i18n::fill(
            staff.lang,
            "rolled_back_ok",
            &[("value", &short(&r))],
        )),
        (None, Some(mine), Some(d)) => Some(i18n::fill(
            staff.lang,
            "saved_aside",
            &[
                ("who", &d.by),
                ("at", &when(d.at, &staff)),
                ("mine", &short(&mine)),
            ],
        )),
        _ => None,
    };
    c.insert("notice", &notice);
    render(&bo, "history.html", &c, StatusCode::OK)
}

async fn rollback(
    State(bo): State<BackOffice>,
    staff: Staff,
    Form(form): Form<PublishForm>,
) -> Response {
    match publish_revision(&bo, &staff, &form, Source::Rollback).await {
        Ok(()) => Redirect::to(&format!(
            "{}history?rolled_back={}",
            staff.base, form.revision
        ))
        .into_response(),
        Err(Ok(list)) => {
            let mut c = context(&bo, &staff, "publish", "title_publish");
            if let Err(e) = status_context(&bo, &staff, &mut c).await {
                return e.answer(&bo, &staff);
            }
            c.insert("notice", &None::<String>);
            c.insert("problems", &list);
            render(&bo, "publish.html", &c, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(Err(Failure::Revision(RevisionError::Moved { now }))) => moved(&bo, &staff, now).await,
        Err(Err(e)) => e.answer(&bo, &staff),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        let t = super::templates();
        assert_eq!(t.get_template_names().count(), 15);
    }
}
