//! `storefront serve`: every storefront on one port, chosen by the Host
//! header (each reseller's domains, and `<reseller>.localhost`), or under
//! `/s/<reseller>/` for a preview from any host. Rebuilds on change.

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use storefront_backoffice::own_domain::{self, OwnDomainCheck};
use storefront_functions::app::Services;
use storefront_functions::tenant::PreviewTenant;
use storefront_generator::{BuildOptions, Checkout};
use tower::ServiceExt;
use tower_http::services::ServeFile;
use tower_http::set_header::SetResponseHeaderLayer;

/// What the back office's setup checklist checks resellers' own domains
/// against.
#[derive(Debug, clap::Args)]
pub struct OwnDomainArgs {
    /// The edge's public addresses, which resellers point their domains'
    /// A (and AAAA) records at: an IPv4 address, optionally an IPv6 one,
    /// comma-separated. Unset: the checklist says how to set it.
    #[arg(long, env = "STOREFRONT_EDGE_IPS", value_name = "IPS")]
    edge_ips: Option<String>,
    /// The DNS resolver asked whether a domain points at the edge (ip or
    /// ip:port), and only that one.
    #[arg(long, env = "STOREFRONT_RESOLVER", default_value = own_domain::DEFAULT_RESOLVER)]
    resolver: String,
}

impl OwnDomainArgs {
    pub fn check(&self) -> Result<OwnDomainCheck> {
        OwnDomainCheck::from_settings(self.edge_ips.as_deref(), Some(&self.resolver))
            .context("--edge-ips or --resolver")
    }
}

#[derive(Debug, Default)]
struct Sites {
    /// Host (lowercase, no port) -> reseller id.
    by_host: HashMap<String, String>,
    /// Reseller id -> display name and canonical domain.
    names: BTreeMap<String, (String, String)>,
}

impl Sites {
    fn from_checkout(c: &Checkout) -> Sites {
        let mut s = Sites::default();
        for (id, r) in &c.content.resellers {
            if !c.checked.contains_key(id) {
                continue;
            }
            for d in &r.site.domains {
                s.by_host.insert(d.clone(), id.clone());
            }
            s.by_host.insert(format!("{id}.localhost"), id.clone());
            s.names.insert(
                id.clone(),
                (
                    r.site.name.clone(),
                    r.site.domains.first().cloned().unwrap_or_default(),
                ),
            );
        }
        s
    }
}

#[derive(Clone)]
struct AppState {
    sites: Arc<RwLock<Sites>>,
    out: PathBuf,
    /// The functions (`/api`), on the embedded store.
    api: Router,
}

/// Build once, then serve until interrupted.
pub async fn run(
    opts: BuildOptions,
    listen: std::net::SocketAddr,
    watch: bool,
    store_path: PathBuf,
    registrar: storefront_functions::app::RegistrarChoice,
    own_domain: OwnDomainCheck,
) -> Result<()> {
    let services = Services::local(&store_path, &registrar)
        .with_context(|| format!("opening the store at {}", store_path.display()))?;
    let sites = Arc::new(RwLock::new(Sites::default()));
    let site = Arc::new(local_site(&opts, &services));
    // A reseller whose prices a raise above it left below cost hears so.
    site.notify_with(storefront_publish::Notices {
        mailer: services.mail_out(),
        from: services.accounts.mail_from.clone(),
    });
    {
        let sites = sites.clone();
        site.on_built(move |checkout| {
            *sites.write().unwrap_or_else(|p| p.into_inner()) = Sites::from_checkout(checkout);
        });
    }
    let checkout = import_and_build(&site, opts.now)
        .await
        .context("the first build failed; fix the content and run again")?;
    let signins = seed(&services, &checkout).await;
    seed_wallets(&services).await;
    // The scheduler, as EventBridge runs it when deployed: once a minute.
    // On a new day it also rebuilds, so a promotion that starts or ends
    // today is on the pages and in the published prices at once (only the
    // storefronts whose prices changed are rewritten).
    {
        let orders = services.orders();
        let (opts, site) = (opts.clone(), site.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            let mut built_for = crate::chrono_today::days(opts.now);
            loop {
                every.tick().await;
                if let Err(e) = storefront_functions::scheduler::tick(&orders).await {
                    eprintln!("scheduled work: {e}");
                }
                let Ok(now) = crate::chrono_today::now() else {
                    continue;
                };
                let days = crate::chrono_today::days(now);
                // A new day, or content published by another process.
                if days != built_for || site.behind().await.unwrap_or(false) {
                    built_for = days;
                    if let Err(e) = build(&site, now).await {
                        eprintln!("rebuild for {} failed: {e:#}", now.date_naive());
                    }
                }
            }
        });
    }
    let backoffice = storefront_backoffice::BackOffice::new(
        services.shop_state(),
        site.clone(),
        services.clock.clone(),
    )
    .with_own_domain(own_domain);
    let state = AppState {
        sites: sites.clone(),
        out: opts.out.clone(),
        api: services
            .router()
            .merge(storefront_backoffice::router(backoffice)),
    };
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let bound = listener.local_addr()?;
    let port = bound.port();
    if watch {
        // Watches are in place before the server says it is ready, so no
        // edit made after that is missed.
        let (watcher, rx) = watcher(&opts)?;
        let site = site.clone();
        let handle = tokio::runtime::Handle::current();
        std::thread::spawn(move || watch_and_rebuild(watcher, rx, &site, &handle));
        println!("Watching content/ and themes/ for changes. Ctrl-C to stop.");
    }
    println!("Demo sign-ins on each storefront's Account page (password {DEMO_PASSWORD}):");
    for (id, customer, owner) in &signins {
        println!("  {id:<12} customer {customer:<32} owner {owner}");
    }
    println!(
        "Mail (verification, password reset) goes to {}",
        store_path
            .parent()
            .unwrap_or(Path::new("."))
            .join("outbox")
            .display()
    );
    println!(
        "Serving {} storefront(s) on http://{bound} (API at /api, store {})",
        sites.read().map(|s| s.names.len()).unwrap_or(0),
        store_path.display()
    );
    if let Ok(s) = sites.read() {
        for (id, (name, domain)) in &s.names {
            println!(
                "  {name:<24} http://{id}.localhost:{port}/   http://{bound}/s/{id}/   (live: https://{domain}/)"
            );
        }
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// The storefronts as the store has them, built into `opts.out`, with the
/// local `<id>.localhost` hosts beside each reseller's own domains.
fn local_site(opts: &BuildOptions, services: &Services) -> storefront_publish::Site {
    storefront_publish::Site::new(
        opts.paths.clone(),
        opts.out.clone(),
        storefront_revisions::Revisions::new(services.store.clone(), services.blobs.clone()),
        services.store.clone(),
        services.catalogs.clone(),
        |id| vec![format!("{id}.localhost")],
    )
}

/// Bring `content/resellers/*` into the store (a folder that would
/// overwrite what a reseller published in its panel is left out, and
/// said so), then build every storefront from what is published.
async fn import_and_build(
    site: &storefront_publish::Site,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Arc<Checkout>> {
    for (id, why) in site.import_folders("the content folder", now).await {
        if id == storefront_revisions::PLATFORM {
            // The console published over it: the store's revision is used.
            eprintln!("content/platform and themes/ are not used: {why}");
        } else {
            eprintln!("content/resellers/{id} is not used: {why}");
        }
    }
    build(site, now).await
}

async fn build(
    site: &storefront_publish::Site,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Arc<Checkout>> {
    match site.build(now).await {
        Ok(built) => {
            println!(
                "built {} storefront(s), {} pages; {} unchanged",
                built.report.rendered.len(),
                built.report.pages,
                built.report.unchanged.len()
            );
            Ok(built.checkout)
        }
        Err(storefront_publish::PublishError::Content(d)) => {
            eprintln!("{d}");
            anyhow::bail!("content has problems")
        }
        Err(e) => Err(e.into()),
    }
}

/// The password of every demo account the local server creates.
const DEMO_PASSWORD: &str = "demo-storefront-2026";

/// A lived-in demo: each reseller's own domain is registered in the sandbox
/// registry (a search for it shows "taken"), and each storefront has a
/// verified demo customer and an owner. Returns the sign-ins to print.
async fn seed(services: &Services, checkout: &Checkout) -> Vec<(String, String, String)> {
    use storefront_functions::accounts::{self, Role, SeedError};
    let sandbox = storefront_functions::registrar::sandbox::Sandbox::new(
        Default::default(),
        services.store.clone(),
    );
    let mut signins = Vec::new();
    for (id, r) in &checkout.content.resellers {
        for d in &r.site.domains {
            let _ = sandbox.register(d.trim_start_matches("www."), 1).await;
        }
        if !checkout.checked.contains_key(id) {
            continue;
        }
        let customer = format!("customer@{id}.localhost");
        let owner = format!("owner@{id}.localhost");
        let store = services.store.as_ref();
        // Already there from an earlier run: fine, the password is the same.
        let c =
            accounts::create_demo_customer(store, id, &customer, DEMO_PASSWORD, &services.accounts)
                .await;
        let o = accounts::create_reseller_user(
            store,
            id,
            &owner,
            DEMO_PASSWORD,
            Role::Owner,
            &services.accounts,
        )
        .await;
        for (result, email) in [(c.map(|_| ()), customer), (o.map(|_| ()), owner)] {
            match result {
                Ok(()) | Err(SeedError::Taken) => {}
                Err(e) => eprintln!("demo account {email}: {e}"),
            }
        }
        signins.push((
            id.clone(),
            format!("customer@{id}.localhost"),
            format!("owner@{id}.localhost"),
        ));
    }
    signins
}

/// An opening balance for each reseller's wallet with its parent, so the
/// demo customers' orders go through at every level. Made once: a wallet
/// that has any top-up already is left alone.
async fn seed_wallets(services: &Services) {
    use rust_decimal::Decimal;
    use storefront_core::Currency;
    use storefront_core::ledger::Party;
    use storefront_functions::ledger::topups::Request;
    let orders = services.orders();
    let ledger = &orders.ledger;
    let Ok(ids) = storefront_functions::catalog::resellers(services.store.as_ref()).await else {
        return;
    };
    for id in ids {
        let Ok(Some(s)) = services.catalogs.current(&id).await else {
            continue;
        };
        let me = Party::reseller(&id);
        if !ledger
            .topups_of(&me, None, 1)
            .await
            .map(|t| t.items.is_empty())
            .unwrap_or(false)
        {
            continue;
        }
        let parent = match &s.parent.id {
            Some(p) => Party::reseller(p),
            None => Party::Platform,
        };
        let amount = Decimal::from(match s.currency {
            Currency::IDR => 50_000_000,
            Currency::PLN => 20_000,
            _ => 5_000,
        });
        let request = Request {
            holder: me,
            parent: parent.clone(),
            currency: s.currency,
            amount,
            bank_account: s
                .parent
                .bank_accounts
                .first()
                .map_or_else(|| "demo".to_string(), |a| a.id.clone()),
            transfer_reference: "demo opening balance".into(),
            by: "demo".into(),
        };
        let result = match ledger.request_topup(request).await {
            Ok(t) => ledger
                .decide_topup(&parent, &t.id, true, None, "demo")
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = result {
            eprintln!("demo wallet of {id}: {e}");
        }
    }
}

type Events = std::sync::mpsc::Receiver<notify::Result<notify::Event>>;

fn watcher(opts: &BuildOptions) -> Result<(notify::RecommendedWatcher, Events)> {
    use notify::{RecursiveMode, Watcher};
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(tx).context("watching for changes")?;
    for dir in [&opts.paths.content, &opts.paths.themes] {
        if dir.is_dir() {
            watcher
                .watch(dir, RecursiveMode::Recursive)
                .with_context(|| format!("watching {}", dir.display()))?;
        }
    }
    Ok((watcher, rx))
}

fn watch_and_rebuild(
    _watcher: notify::RecommendedWatcher,
    rx: Events,
    site: &storefront_publish::Site,
    handle: &tokio::runtime::Handle,
) {
    // Reading files during a build raises access events: only changes count.
    let changes = |e: notify::Result<notify::Event>| {
        e.is_ok_and(|e| {
            matches!(
                e.kind,
                notify::EventKind::Create(_)
                    | notify::EventKind::Modify(_)
                    | notify::EventKind::Remove(_)
            )
        })
    };
    while let Ok(event) = rx.recv() {
        if !changes(event) {
            continue;
        }
        // Editors write in bursts: wait for quiet before rebuilding.
        while rx.recv_timeout(Duration::from_millis(250)).is_ok() {}
        // A serve that runs past midnight builds for the new day.
        let now = crate::chrono_today::now().unwrap_or_else(|_| chrono::Utc::now());
        if let Err(e) = handle.block_on(import_and_build(site, now)) {
            eprintln!("rebuild failed: {e:#}; still serving the last good build");
        }
    }
}

pub(crate) const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

fn router(state: AppState) -> Router {
    Router::new()
        // The API is reached from the fallback, not a `/api/{*rest}` route:
        // a route's own path parameters would travel into the API router and
        // confuse its handlers' `Path` extractors.
        .fallback(storefront)
        .with_state(state)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
}

async fn api(state: AppState, req: Request) -> Response {
    match state.api.oneshot(req).await {
        Ok(r) => r,
        Err(e) => match e {},
    }
}

/// `/panel` and `/panel/*` are the back office, a function like the API.
fn back_office(path: &str) -> bool {
    path == "/panel" || path.starts_with("/panel/")
}

fn host_of(req: &Request) -> Option<String> {
    let h = req.headers().get(header::HOST)?.to_str().ok()?;
    let h = h
        .rsplit_once(':')
        .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        .map_or(h, |(h, _)| h);
    Some(h.trim_end_matches('.').to_ascii_lowercase())
}

/// The storefront and the path inside it that a request names.
fn resolve(sites: &Sites, host: Option<&str>, uri: &Uri) -> Option<(String, String, bool)> {
    let path = uri.path();
    if let Some(rest) = path.strip_prefix("/s/") {
        let (id, inner) = rest.split_once('/').unwrap_or((rest, ""));
        if sites.names.contains_key(id) {
            return Some((id.to_string(), inner.to_string(), true));
        }
        return None;
    }
    let id = sites.by_host.get(host?)?;
    Some((id.clone(), path.trim_start_matches('/').to_string(), false))
}

/// Percent-decode a path and refuse anything that could leave the storefront's folder.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    let mut out = PathBuf::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s if s.contains('\\') || s.contains('\0') || s.starts_with('.') => return None,
            s => out.push(s),
        }
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn storefront(State(state): State<AppState>, req: Request) -> Response {
    if req.uri().path().starts_with("/api/") || back_office(req.uri().path()) {
        return api(state, req).await;
    }
    let host = host_of(&req);
    let target = {
        let Ok(sites) = state.sites.read() else {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        };
        resolve(&sites, host.as_deref(), req.uri())
    };
    let Some((id, inner, preview)) = target else {
        return index(&state, req.uri().path() == "/");
    };
    if preview && (inner.starts_with("api/") || back_office(&format!("/{inner}"))) {
        return preview_api(&state, id, req).await;
    }
    if preview && inner.is_empty() && !req.uri().path().ends_with('/') {
        return Redirect::permanent(&format!("/s/{id}/")).into_response();
    }
    let root = state.out.join(&id);
    let Some(rel) = safe_relative(&inner) else {
        return not_found(&root, &id, preview).await;
    };
    let mut file = root.join(&rel);
    if file.is_dir() {
        if !inner.is_empty() && !inner.ends_with('/') {
            let base = if preview {
                format!("/s/{id}/{inner}/")
            } else {
                format!("/{inner}/")
            };
            return Redirect::permanent(&base).into_response();
        }
        file = file.join("index.html");
    }
    if !file.is_file() {
        return not_found(&root, &id, preview).await;
    }
    match ServeFile::new(&file).oneshot(req).await {
        Ok(resp) => resp.map(Body::new),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `/s/<id>/api/...` is `/api/...` for storefront `<id>`: the tenant comes
/// from the path, which only this local server trusts.
async fn preview_api(state: &AppState, id: String, mut req: Request) -> Response {
    let prefix = format!("/s/{id}");
    let rest = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/")
        .strip_prefix(&prefix)
        .unwrap_or("/")
        .to_string();
    match rest.parse::<Uri>() {
        Ok(uri) => *req.uri_mut() = uri,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    }
    req.extensions_mut().insert(PreviewTenant(id));
    match state.api.clone().oneshot(req).await {
        Ok(r) => r,
        Err(e) => match e {},
    }
}

async fn not_found(root: &Path, id: &str, preview: bool) -> Response {
    let page = tokio::fs::read_to_string(root.join("404.html"))
        .await
        .unwrap_or_else(|_| "<h1>Not found</h1>".into());
    // The 404 page resolves its links against <base href="/">; under the
    // preview path the storefront's root is /s/<id>/.
    let page = if preview {
        page.replacen("<base href=\"/\">", &format!("<base href=\"/s/{id}/\">"), 1)
    } else {
        page
    };
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

fn index(state: &AppState, is_root: bool) -> Response {
    if !is_root {
        return (StatusCode::NOT_FOUND, Html("<!doctype html><title>Not found</title><p>No storefront is served on this host.</p>".to_string())).into_response();
    }
    let Ok(sites) = state.sites.read() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Storefronts</title><h1>Storefronts on this server</h1><ul>",
    );
    for (id, (name, domain)) in &sites.names {
        html.push_str(&format!(
            "<li><a href=\"/s/{id}/\">{}</a> ({})</li>",
            escape(name),
            escape(domain)
        ));
    }
    html.push_str("</ul></html>");
    Html(html).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape_the_storefront() {
        assert_eq!(safe_relative("prices/"), Some(PathBuf::from("prices")));
        assert_eq!(
            safe_relative("domains/co.id/"),
            Some(PathBuf::from("domains/co.id"))
        );
        for bad in [
            "../etc/passwd",
            "a/%2e%2e/b",
            "..%2f..%2fx",
            ".storefront-build.json",
            "a\\..\\b",
            "%zz",
            "%00",
        ] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
    }

    #[test]
    fn preview_path_and_host_pick_the_storefront() {
        let mut s = Sites::default();
        s.by_host.insert("shop.example".into(), "a".into());
        s.names
            .insert("a".into(), ("A".into(), "shop.example".into()));
        let uri: Uri = "/s/a/prices/".parse().expect("uri");
        assert_eq!(
            resolve(&s, None, &uri),
            Some(("a".into(), "prices/".into(), true))
        );
        let uri: Uri = "/prices/".parse().expect("uri");
        assert_eq!(
            resolve(&s, Some("shop.example"), &uri),
            Some(("a".into(), "prices/".into(), false))
        );
        assert_eq!(resolve(&s, Some("other.example"), &uri), None);
    }
}
