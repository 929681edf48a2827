//! What the back office's tests share: the fixture project imported, built
//! and served in process, and a browser's requests (forms, cookies).
#![allow(dead_code)] // each test file uses some of it

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use std::sync::Arc;
use storefront_backoffice::BackOffice;
use storefront_functions::accounts::{AccountsConfig, Role};
use storefront_functions::app::{RegistrarChoice, Services};
use storefront_generator::Paths;
use storefront_publish::Site;
use storefront_revisions::Revisions;
use tower::ServiceExt;

pub const PASSWORD: &str = "back-office-test-2026";

/// The machine's clock, moved ahead by what a test says.
#[derive(Debug, Default)]
pub struct Ahead(std::sync::Mutex<chrono::Duration>);

impl Ahead {
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }

    /// Move ahead to the next `hour`:00 UTC, so that a test of days runs
    /// at the hour it names, not the hour the machine happens to be at:
    /// from 17:00 UTC on, Jakarta's day is already UTC's tomorrow.
    pub fn to_utc_hour(&self, hour: u32) {
        use chrono::Timelike;
        use storefront_functions::clock::Clock;
        let now = self.now();
        let at = now
            .with_hour(hour)
            .and_then(|t| t.with_minute(0))
            .expect("an hour of the day");
        let at = if at <= now {
            at + chrono::Duration::days(1)
        } else {
            at
        };
        self.advance(at - now);
    }
}

impl Shop {
    /// The services' time now (RFC 3339), as a review records it.
    pub fn clock_now(&self) -> String {
        use storefront_functions::clock::Clock;
        self.clock.now().to_rfc3339()
    }
}

impl storefront_functions::clock::Clock for Ahead {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub struct Shop {
    pub router: Router,
    pub site: Arc<Site>,
    pub store: Arc<dyn storefront_functions::store::Store>,
    pub outbox: std::path::PathBuf,
    /// Where the services' own mail lands (customers' notices).
    pub mail: std::path::PathBuf,
    /// The order engine and its ledger, as the platform uses them.
    pub orders: storefront_functions::orders::Orders,
    pub clock: Arc<Ahead>,
    /// The sandbox registry, on the same clock: what it holds and credits.
    pub registry: Arc<storefront_functions::registrar::sandbox::Sandbox>,
    _project: tempfile::TempDir,
}

pub async fn shop() -> Shop {
    shop_with(|_| {}).await
}

/// The fixture with toko as the platform's own storefront (its owner and
/// admin are the platform's operators; agen sells below it), the plan
/// `idr` asking a deposit and the catalogue the registration's documents
/// (`storefront_e2e::as_platform`).
#[allow(dead_code)] // not every test file opens the console
pub async fn platform_shop() -> Shop {
    shop_with(|dir| storefront_e2e::as_platform(dir, "toko")).await
}

/// The same, with the fixture project changed first by `tune` (its folder).
pub async fn shop_with(tune: impl FnOnce(&std::path::Path)) -> Shop {
    shop_configured(tune, |bo| bo).await
}

/// The same, with the back office configured by `configure` too.
pub async fn shop_configured(
    tune: impl FnOnce(&std::path::Path),
    configure: impl FnOnce(BackOffice) -> BackOffice,
) -> Shop {
    let project = storefront_e2e::project(None);
    tune(project.path());
    let mut services = Services::local(
        &project.path().join(".storefront/store.db"),
        &RegistrarChoice::Sandbox,
    )
    .expect("services");
    services.accounts = AccountsConfig::fast_for_tests();
    services.accounts.secure_cookies = false;
    // The machine's time, which a test may move ahead (the documents'
    // deadlines).
    let clock = Arc::new(Ahead::default());
    services.clock = clock.clone();
    // The registry keeps the same time: its add grace period runs with it.
    let registry = Arc::new(
        storefront_functions::registrar::sandbox::Sandbox::new(
            Default::default(),
            services.store.clone(),
        )
        .with_clock(clock.clone()),
    );
    services.registrar = registry.clone();
    let site = Arc::new(Site::new(
        Paths::under(project.path()),
        project.path().join("public"),
        Revisions::new(services.store.clone(), services.blobs.clone()),
        services.store.clone(),
        services.catalogs.clone(),
        |id| vec![format!("{id}.localhost")],
    ));
    let now = storefront_e2e::now();
    assert!(site.import_folders("test", now).await.is_empty());
    site.build(now).await.expect("the fixture builds");
    let store = services.store.as_ref();
    for (email, role) in [
        ("owner@toko.localhost", Role::Owner),
        ("admin@toko.localhost", Role::Admin),
    ] {
        storefront_functions::accounts::create_reseller_user(
            store,
            "toko",
            email,
            PASSWORD,
            role,
            &services.accounts,
        )
        .await
        .expect("staff");
    }
    storefront_functions::accounts::create_reseller_user(
        store,
        "agen",
        "owner@agen.localhost",
        PASSWORD,
        Role::Owner,
        &services.accounts,
    )
    .await
    .expect("agen's owner");
    storefront_functions::accounts::create_demo_customer(
        store,
        "toko",
        "customer@toko.localhost",
        PASSWORD,
        &services.accounts,
    )
    .await
    .expect("customer");
    let outbox = project.path().join("outbox");
    site.notify_with(storefront_publish::Notices {
        mailer: Arc::new(storefront_functions::accounts::Outbox::new(&outbox)),
        from: "platform@storefront.example".into(),
    });
    let bo = configure(BackOffice::new(
        services.shop_state(),
        site.clone(),
        services.clock.clone(),
    ));
    Shop {
        router: services.router().merge(storefront_backoffice::router(bo)),
        site,
        store: services.store.clone(),
        outbox,
        mail: project.path().join(".storefront/outbox"),
        orders: services.orders(),
        clock,
        registry,
        _project: project,
    }
}

pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub headers: axum::http::HeaderMap,
    pub html: String,
}

impl Page {
    /// What the form `id` would post as the page shows it: every input's
    /// name and value (checkboxes only when checked), each select's
    /// selected option.
    pub fn form(&self, id: &str) -> Vec<(String, String)> {
        let start = self
            .html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no form {id}"));
        let end = start + self.html[start..].find("</form>").expect("form end");
        let html = &self.html[start..end];
        let attr = |tag: &str, name: &str| {
            let needle = format!(" {name}=\"");
            tag.find(&needle).map(|i| {
                let v = &tag[i + needle.len()..];
                unescape(&v[..v.find('"').unwrap_or(0)])
            })
        };
        let mut out = Vec::new();
        for piece in html.split("<input").skip(1) {
            let tag = &piece[..piece.find('>').unwrap_or(piece.len())];
            let Some(name) = attr(tag, "name") else {
                continue;
            };
            if tag.contains("type=\"checkbox\"") && !tag.contains(" checked") {
                continue;
            }
            out.push((name, attr(tag, "value").unwrap_or_default()));
        }
        for piece in html.split("<select").skip(1) {
            let tag = &piece[..piece.find('>').unwrap_or(piece.len())];
            let Some(name) = attr(tag, "name") else {
                continue;
            };
            let body = &piece[..piece.find("</select>").unwrap_or(piece.len())];
            let chosen = body
                .split("<option")
                .skip(1)
                .find(|o| o[..o.find('>').unwrap_or(0)].contains(" selected"))
                .or_else(|| body.split("<option").nth(1))
                .and_then(|o| attr(&o[..o.find('>').unwrap_or(0)], "value"))
                .unwrap_or_default();
            out.push((name, chosen));
        }
        out
    }

    /// The value of the first input named `name` on the page.
    pub fn input(&self, name: &str) -> String {
        let needle = format!("name=\"{name}\"");
        let at = self
            .html
            .find(&needle)
            .unwrap_or_else(|| panic!("no {name}: {}", self.html));
        let tag = &self.html[at..at + self.html[at..].find('>').expect("tag end")];
        let v = tag.find("value=\"").expect("a value") + 7;
        unescape(&tag[v..v + tag[v..].find('"').expect("closing quote")])
    }

    /// The first link's target inside the element with this id.
    pub fn href_in(&self, id: &str) -> String {
        let at = self
            .html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("no {id}"));
        let h = at + self.html[at..].find(" href=\"").expect("a link") + 7;
        unescape(&self.html[h..h + self.html[h..].find('"').expect("closing quote")])
    }

    /// The text of the element with this id, tags removed, spaces collapsed.
    pub fn text(&self, id: &str) -> String {
        let needle = format!("id=\"{id}\"");
        let Some(at) = self.html.find(&needle) else {
            return String::new();
        };
        let open = self.html[..at].rfind('<').expect("tag start");
        let name: String = self.html[open + 1..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let start = at + self.html[at..].find('>').expect("tag end") + 1;
        let end = start + self.html[start..].find(&format!("</{name}>")).unwrap_or(0);
        let mut out = String::new();
        let mut inside = false;
        for c in self.html[start..end].chars() {
            match c {
                '<' => inside = true,
                '>' => {
                    inside = false;
                    out.push(' ');
                }
                c if !inside => out.push(c),
                _ => {}
            }
        }
        unescape(&out.split_whitespace().collect::<Vec<_>>().join(" "))
    }
}

pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

pub async fn request(
    router: &Router,
    method: &str,
    host: &str,
    path: &str,
    cookie: &str,
    form: Option<&[(&str, &str)]>,
) -> Page {
    request_in("en", router, method, host, path, cookie, form).await
}

/// `request` from a browser set to `lang`.
pub async fn request_in(
    lang: &str,
    router: &Router,
    method: &str,
    host: &str,
    path: &str,
    cookie: &str,
    form: Option<&[(&str, &str)]>,
) -> Page {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", host)
        .header("origin", format!("http://{host}"))
        .header("accept-language", lang)
        .header("cookie", cookie);
    let body = match form {
        Some(fields) => {
            b = b.header("content-type", "application/x-www-form-urlencoded");
            let mut s = String::new();
            for (k, v) in fields {
                if !s.is_empty() {
                    s.push('&');
                }
                s.push_str(&format!("{}={}", enc(k), enc(v)));
            }
            Body::from(s)
        }
        None => Body::empty(),
    };
    let resp = router
        .clone()
        .oneshot(b.body(body).expect("request"))
        .await
        .expect("infallible");
    page_of(resp).await
}

/// A response as a page: status, where it redirects, headers, body.
pub async fn page_of(resp: axum::response::Response) -> Page {
    let status = resp.status();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let headers = resp.headers().clone();
    let raw = axum::body::to_bytes(resp.into_body(), 1 << 24)
        .await
        .expect("body");
    Page {
        status,
        location,
        headers,
        html: String::from_utf8_lossy(&raw).into_owned(),
    }
}

pub fn enc(s: &str) -> String {
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

/// A session cookie for `email` on `host`.
pub async fn sign_in(router: &Router, host: &str, email: &str) -> String {
    let body = serde_json::json!({"email": email, "password": PASSWORD}).to_string();
    let req = Request::builder()
        .method("POST")
        .uri("/api/accounts/signin")
        .header("host", host)
        .header("origin", format!("http://{host}"))
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("request");
    let resp = router.clone().oneshot(req).await.expect("infallible");
    assert_eq!(resp.status(), StatusCode::OK, "sign in as {email}");
    let set = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie");
    set.split(';').next().expect("name=value").to_string()
}

pub const TOKO: &str = "toko.localhost";

/// A JSON call to the API on `host` with `cookie`: status and body.
pub async fn api(
    router: &Router,
    method: &str,
    host: &str,
    path: &str,
    cookie: &str,
    body: Option<(&str, Vec<u8>)>,
    headers: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let lang = headers
        .iter()
        .find(|(k, _)| *k == "accept-language")
        .map_or("en", |(_, v)| *v);
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", host)
        .header("origin", format!("http://{host}"))
        .header("accept-language", lang)
        .header("cookie", cookie);
    for (k, v) in headers.iter().filter(|(k, _)| *k != "accept-language") {
        b = b.header(*k, *v);
    }
    let body = match body {
        Some((kind, bytes)) => {
            b = b.header("content-type", kind);
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    let resp = router
        .clone()
        .oneshot(b.body(body).expect("request"))
        .await
        .expect("infallible");
    let status = resp.status();
    let raw = axum::body::to_bytes(resp.into_body(), 1 << 24)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&raw).unwrap_or(serde_json::Value::Null),
    )
}

/// `api` with a JSON body.
pub async fn api_json(
    router: &Router,
    method: &str,
    host: &str,
    path: &str,
    cookie: &str,
    body: serde_json::Value,
    headers: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let bytes = body.to_string().into_bytes();
    api(
        router,
        method,
        host,
        path,
        cookie,
        Some(("application/json", bytes)),
        headers,
    )
    .await
}

/// `parent` credits `holder`'s wallet with `amount` rupiah paid into its
/// bank account `bank`: a top-up asked and approved, as people do it.
pub async fn fund(
    shop: &Shop,
    holder: storefront_core::ledger::Party,
    parent: storefront_core::ledger::Party,
    bank: &str,
    amount: i64,
) {
    let ledger = &shop.orders.ledger;
    let t = ledger
        .request_topup(storefront_functions::ledger::topups::Request {
            holder,
            parent: parent.clone(),
            currency: storefront_core::Currency::IDR,
            amount: rust_decimal::Decimal::from(amount),
            bank_account: bank.into(),
            transfer_reference: "test".into(),
            by: "test".into(),
        })
        .await
        .expect("request");
    ledger
        .decide_topup(&parent, &t.id, true, None, "test")
        .await
        .expect("approve");
}

/// The owner sets toko to wait for documents before registering `.co.id`
/// (it registers everything else at once) in the back office, and
/// publishes.
pub async fn co_id_waits_for_documents(shop: &Shop) {
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/catalogue", &owner, None).await;
    let mut fields = page.form("catalogue");
    assert!(
        fields.contains(&("provisioning_auto".into(), "on".into())),
        "toko registers at once: {fields:?}"
    );
    for (k, v) in fields.iter_mut() {
        if k == "provision_co.id" {
            *v = "wait".into();
        }
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = request(r, "POST", TOKO, "/panel/catalogue", &owner, Some(&pairs)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let page = request(r, "GET", TOKO, "/panel/publish", &owner, None).await;
    let published = request(
        r,
        "POST",
        TOKO,
        "/panel/publish",
        &owner,
        Some(&[
            ("revision", &page.input("revision")),
            ("expected", &page.input("expected")),
        ]),
    )
    .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.html
    );
    let page = request(r, "GET", TOKO, "/panel/catalogue", &owner, None).await;
    assert!(
        page.form("catalogue")
            .contains(&("provision_co.id".into(), "wait".into())),
        "saved and shown"
    );
}

/// The platform credits toko, and toko its customer (transfers received).
pub async fn credit(shop: &Shop, account: &str, amount: i64) {
    use storefront_core::ledger::Party;
    let toko = Party::reseller("toko");
    fund(shop, toko.clone(), Party::Platform, "bca-idr", amount).await;
    fund(shop, Party::customer("toko", account), toko, "bca", amount).await;
}
