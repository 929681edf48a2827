//! Accounts through the router as a storefront calls them: the fixture
//! sites are published to an embedded store, mail goes to an outbox folder,
//! and requests go through `tower::ServiceExt::oneshot`. Argon2 runs with the
//! cheapest parameters (`AccountsConfig::fast_for_tests`) except where
//! timing is the point.

mod common;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use storefront_functions::accounts::{
    self, AccountsConfig, Limit, Outbox, Role, SeedError, Smtp, SmtpConfig, SmtpSecurity,
};
use storefront_functions::app::Services;
use storefront_functions::registrar::sandbox::{Sandbox, SandboxConfig};
use storefront_functions::store::Store;
use storefront_functions::tenant::PreviewTenant;
use tower::ServiceExt;

const TOKO: &str = "toko.example";
const AGEN: &str = "agen.example";
const PASSWORD: &str = "kopi tubruk 1998";

struct World {
    router: Router,
    store: Arc<dyn Store>,
    config: AccountsConfig,
    outbox: PathBuf,
    _dir: tempfile::TempDir,
}

async fn world(tune: impl FnOnce(&mut AccountsConfig)) -> World {
    let (store, dir) = common::published_store().await;
    let registrar = Arc::new(Sandbox::new(SandboxConfig::default(), store.clone()));
    let mut services = Services::with(store.clone(), registrar);
    let outbox = dir.path().join("outbox");
    services.mailer = Arc::new(Outbox::new(&outbox));
    services.accounts = AccountsConfig::fast_for_tests();
    tune(&mut services.accounts);
    World {
        router: services.router(),
        store,
        config: services.accounts.clone(),
        outbox,
        _dir: dir,
    }
}

#[derive(Debug)]
struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    raw: String,
    body: Value,
}

impl Resp {
    /// `name=value` of the session cookie this response sets.
    fn cookie(&self) -> Option<String> {
        self.set_cookie()
            .and_then(|c| c.split(';').next().map(str::to_string))
    }

    fn set_cookie(&self) -> Option<&str> {
        self.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
    }
}

async fn send(router: &Router, req: Request<Body>) -> Resp {
    let resp = router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 22)
        .await
        .expect("body");
    let raw = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        raw,
        body,
    }
}

/// A request as the storefront's own script sends it.
struct Call {
    method: &'static str,
    host: String,
    path: String,
    body: Option<String>,
    headers: Vec<(String, String)>,
    origin: bool,
    content_type: bool,
    preview: Option<String>,
    ip: Option<SocketAddr>,
}

fn call(method: &'static str, host: &str, path: &str) -> Call {
    Call {
        method,
        host: host.into(),
        path: path.into(),
        body: None,
        headers: vec![],
        origin: true,
        content_type: true,
        preview: None,
        ip: None,
    }
}

fn post(host: &str, path: &str, body: Value) -> Call {
    call("POST", host, path).json(body)
}

impl Call {
    fn json(mut self, v: Value) -> Call {
        self.body = Some(v.to_string());
        self
    }
    fn raw(mut self, body: &str) -> Call {
        self.body = Some(body.into());
        self
    }
    fn header(mut self, k: &str, v: &str) -> Call {
        self.headers.push((k.into(), v.into()));
        self
    }
    fn cookie(self, c: &str) -> Call {
        self.header("cookie", c)
    }
    fn lang(self, l: &str) -> Call {
        self.header("accept-language", l)
    }
    fn no_origin(mut self) -> Call {
        self.origin = false;
        self
    }
    fn no_content_type(mut self) -> Call {
        self.content_type = false;
        self
    }
    fn preview(mut self, r: &str) -> Call {
        self.preview = Some(r.into());
        self
    }
    fn client(mut self, ip: &str) -> Call {
        self.ip = Some(
            format!("{ip}:40000")
                .parse()
                .unwrap_or_else(|_| format!("[{ip}]:40000").parse().expect("an IP address")),
        );
        self
    }
    fn request(self) -> Request<Body> {
        let scheme = if self.preview.is_some() {
            "http"
        } else {
            "https"
        };
        let mut b = Request::builder()
            .method(self.method)
            .uri(&self.path)
            .header("host", &self.host);
        if self.origin {
            b = b.header("origin", format!("{scheme}://{}", self.host));
        }
        if self.content_type && self.body.is_some() {
            b = b.header("content-type", "application/json");
        }
        for (k, v) in &self.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let mut req = b
            .body(self.body.map_or_else(Body::empty, Body::from))
            .expect("request");
        if let Some(p) = self.preview {
            req.extensions_mut().insert(PreviewTenant(p));
        }
        if let Some(ip) = self.ip {
            req.extensions_mut().insert(ConnectInfo(ip));
        }
        req
    }
    async fn send(self, w: &World) -> Resp {
        send(&w.router, self.request()).await
    }
}

fn signup_body(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password, "name": "Budi Santoso", "kind": "personal"})
}

async fn signup(w: &World, host: &str, email: &str) -> Resp {
    let r = post(host, "/api/accounts/signup", signup_body(email, PASSWORD))
        .send(w)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    r
}

async fn signin_as(w: &World, host: &str, email: &str, password: &str) -> Resp {
    post(
        host,
        "/api/accounts/signin",
        json!({"email": email, "password": password}),
    )
    .send(w)
    .await
}

/// Sign in and return the cookie to send back.
async fn session(w: &World, host: &str, email: &str) -> String {
    let r = signin_as(w, host, email, PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    r.cookie().expect("a session cookie")
}

async fn me(w: &World, host: &str, cookie: &str) -> Resp {
    call("GET", host, "/api/accounts/me")
        .cookie(cookie)
        .send(w)
        .await
}

/// Quoted-printable (RFC 2045) decoded: soft line breaks joined, `=XX`
/// turned back into bytes.
fn unquote(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let b = joined.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("=XX"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8 text")
}

/// A mail's headers as written, and its body decoded.
fn decode(eml: &str) -> String {
    let (head, body) = eml
        .split_once("\r\n\r\n")
        .expect("headers, blank line, body");
    let body = match header(head, "Content-Transfer-Encoding") {
        "quoted-printable" => unquote(body),
        "7bit" | "8bit" => body.to_string(),
        other => panic!("unexpected encoding {other}"),
    };
    format!("{head}\r\n\r\n{body}")
}

/// Every message in the outbox, oldest first, bodies decoded.
fn mails(outbox: &Path) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(outbox) else {
        return vec![];
    };
    let mut files: Vec<PathBuf> = dir
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| decode(&std::fs::read_to_string(p).expect("utf-8 mail")))
        .collect()
}

fn mails_to(w: &World, to: &str) -> Vec<String> {
    let line = format!("To: {to}\r\n");
    mails(&w.outbox)
        .into_iter()
        .filter(|m| m.contains(&line))
        .collect()
}

/// The token of the last `verify=` or `reset=` link mailed to `to`.
fn token(w: &World, to: &str, kind: &str) -> String {
    let link = format!("/account/?{kind}=");
    let all = mails_to(w, to);
    let mail = all
        .iter()
        .rev()
        .find(|m| m.contains(&link))
        .unwrap_or_else(|| panic!("no {kind} link mailed to {to}: {all:?}"));
    let at = mail.rfind(&link).expect("found") + link.len() - kind.len() - 1;
    let t: String = mail[at + kind.len() + 1..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(t.len(), 64, "{mail}");
    t
}

fn header<'a>(mail: &'a str, name: &str) -> &'a str {
    mail.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in {mail}"))
}

#[tokio::test]
async fn sign_up_verify_sign_in_see_me_and_sign_out() {
    let w = world(|_| {}).await;
    let r = signup(&w, TOKO, "  Budi.Santoso@Example.COM ").await;
    assert_eq!(r.body["email"], "Budi.Santoso@example.com");
    assert_eq!(r.body["verified"], false);
    assert_eq!(r.headers["cache-control"], "no-store");

    // One mail, in the storefront's language (Indonesian), from its name.
    let sent = mails_to(&w, "Budi.Santoso@example.com");
    assert_eq!(sent.len(), 1);
    let mail = &sent[0];
    assert!(header(mail, "From").contains("Toko Domain"), "{mail}");
    assert!(header(mail, "Subject").contains("Konfirmasi"), "{mail}");
    assert!(mail.contains("Halo Budi Santoso"), "{mail}");
    assert!(
        mail.contains("https://toko.example/account/?verify="),
        "{mail}"
    );
    let verify_token = token(&w, "Budi.Santoso@example.com", "verify");

    // Unverified accounts may sign in; me says so.
    let r = signin_as(&w, TOKO, "budi.santoso@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    let set = r.set_cookie().expect("set-cookie").to_string();
    assert!(set.starts_with("__Host-sf_session="), "{set}");
    for attr in [
        "; Path=/;",
        "; HttpOnly",
        "; Secure",
        "; SameSite=Lax",
        "; Max-Age=2592000",
    ] {
        assert!(set.contains(attr), "{attr} in {set}");
    }
    let cookie = r.cookie().expect("cookie");
    let m = me(&w, TOKO, &cookie).await;
    assert_eq!(m.status, StatusCode::OK);
    assert_eq!(m.body["verified"], false);

    let r = post(TOKO, "/api/accounts/verify", json!({"token": verify_token}))
        .send(&w)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);

    let m = me(&w, TOKO, &cookie).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.raw);
    let v = &m.body;
    assert_eq!(v["verified"], true);
    assert_eq!(v["role"], "customer");
    assert_eq!(v["reseller"], "toko");
    assert_eq!(v["kind"], "personal");
    assert_eq!(v["name"], "Budi Santoso");
    assert_eq!(v["company"], Value::Null);
    assert_eq!(v["id"].as_str().expect("id").len(), 32);
    assert!(v.get("password_hash").is_none(), "{v}");
    assert_eq!(m.headers["cache-control"], "no-store");

    let r = post(TOKO, "/api/accounts/signout", json!({}))
        .cookie(&cookie)
        .send(&w)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let cleared = r.set_cookie().expect("cleared cookie");
    assert!(
        cleared.starts_with("__Host-sf_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let m = me(&w, TOKO, &cookie).await;
    assert_eq!(m.status, StatusCode::UNAUTHORIZED);
    assert_eq!(m.body["error"], "unauthorized");
    // No cookie at all: 401 too; signing out again is harmless.
    assert_eq!(
        call("GET", TOKO, "/api/accounts/me").send(&w).await.status,
        StatusCode::UNAUTHORIZED
    );
    let r = call("POST", TOKO, "/api/accounts/signout")
        .cookie(&cookie)
        .send(&w)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn company_accounts_need_the_company_and_its_tax_id() {
    let w = world(|_| {}).await;
    let base = |company: Value| json!({"email": "pt@example.com", "password": PASSWORD, "name": "Sari", "kind": "company", "company": company});
    let r = post(
        TOKO,
        "/api/accounts/signup",
        json!({"email": "pt@example.com", "password": PASSWORD, "name": "Sari", "kind": "company"}),
    )
    .send(&w)
    .await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("company"))
    );
    for (company, field) in [
        (json!({"name": "PT Maju", "tax_id": "  "}), "company.tax_id"),
        (json!({"name": "PT Maju"}), "company.tax_id"),
        (json!({"name": "", "tax_id": "01.234"}), "company.name"),
        (
            json!({"name": "PT Maju", "tax_id": "<script>"}),
            "company.tax_id",
        ),
    ] {
        let r = post(TOKO, "/api/accounts/signup", base(company.clone()))
            .send(&w)
            .await;
        assert_eq!(
            (r.status, r.body["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{company}: {}",
            r.raw
        );
    }
    // Company details on a personal account are refused, not dropped.
    let mut personal = signup_body("p@example.com", PASSWORD);
    personal["company"] = json!({"name": "PT Maju", "tax_id": "1"});
    let r = post(TOKO, "/api/accounts/signup", personal).send(&w).await;
    assert_eq!(r.body["field"], "company");

    let r = post(
        TOKO,
        "/api/accounts/signup",
        base(json!({"name": " PT Maju Jaya ", "tax_id": "01.234.567.8-901.000"})),
    )
    .send(&w)
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    let cookie = session(&w, TOKO, "pt@example.com").await;
    let m = me(&w, TOKO, &cookie).await;
    assert_eq!(m.body["kind"], "company");
    assert_eq!(
        m.body["company"],
        json!({"name": "PT Maju Jaya", "tax_id": "01.234.567.8-901.000"})
    );
}

#[tokio::test]
async fn an_email_is_one_account_per_storefront() {
    let w = world(|_| {}).await;
    let first = signup(&w, TOKO, "Budi@Example.com").await;
    let r = post(
        TOKO,
        "/api/accounts/signup",
        signup_body("budi@EXAMPLE.COM", "another password"),
    )
    .send(&w)
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.raw);
    assert_eq!(r.body["error"], "email_taken");
    assert_eq!(r.body["field"], "email");
    // The other host of the same storefront is the same storefront.
    let r = post(
        "www.toko.example",
        "/api/accounts/signup",
        signup_body("budi@example.com", PASSWORD),
    )
    .send(&w)
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // At another reseller it is another account, with its own password.
    let r = post(
        AGEN,
        "/api/accounts/signup",
        signup_body("budi@example.com", "agen's own password"),
    )
    .send(&w)
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    assert_ne!(r.body["id"], first.body["id"]);
    assert_eq!(
        signin_as(&w, AGEN, "budi@example.com", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = signin_as(&w, AGEN, "budi@example.com", "agen's own password").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["reseller"], "agen");
    let r = signin_as(&w, TOKO, "budi@example.com", PASSWORD).await;
    assert_eq!(r.body["id"], first.body["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_concurrent_sign_ups_for_one_email_exactly_one_wins() {
    let w = Arc::new(world(|_| {}).await);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            post(
                TOKO,
                "/api/accounts/signup",
                signup_body(
                    if i % 2 == 0 {
                        "race@example.com"
                    } else {
                        "RACE@example.com"
                    },
                    PASSWORD,
                ),
            )
            .send(&w)
            .await
            .status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 7), "{statuses:?}");
    assert_eq!(mails(&w.outbox).len(), 1);
}

#[tokio::test]
async fn a_session_is_no_session_on_another_storefront() {
    let w = world(|_| {}).await;
    signup(&w, TOKO, "budi@example.com").await;
    signup(&w, AGEN, "budi@example.com").await;
    let cookie = session(&w, TOKO, "budi@example.com").await;
    assert_eq!(me(&w, TOKO, &cookie).await.status, StatusCode::OK);
    assert_eq!(
        me(&w, "www.toko.example", &cookie).await.body["reseller"],
        "toko"
    );
    let r = me(&w, AGEN, &cookie).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.raw);
    // Nor can it sign out or change anything there.
    let r = call("PATCH", AGEN, "/api/accounts/me")
        .json(json!({"name": "Mallory"}))
        .cookie(&cookie)
        .send(&w)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // An unknown host has no storefront at all.
    let r = post(
        "evil.example",
        "/api/accounts/signin",
        json!({"email": "budi@example.com", "password": PASSWORD}),
    )
    .send(&w)
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let w = world(|_| {}).await;
    signup(&w, TOKO, "budi@example.com").await;
    let wrong = signin_as(&w, TOKO, "budi@example.com", "not my password").await;
    let unknown = signin_as(&w, TOKO, "nobody@example.com", "not my password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["error"], "invalid_credentials");
    assert_eq!((wrong.status, &wrong.raw), (unknown.status, &unknown.raw));
    assert!(wrong.set_cookie().is_none() && unknown.set_cookie().is_none());
    let names = |r: &Resp| {
        let mut v: Vec<String> = r.headers.keys().map(|k| k.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(names(&wrong), names(&unknown));
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::test]
async fn an_unknown_email_costs_a_password_hash_too() {
    // Real work per hash (a few milliseconds), so that skipping it would show.
    let w = world(|c| {
        c.argon2_m_kib = 4096;
        c.argon2_t = 3;
        c.limits.signin_per_email = Limit::per_minutes(1000, 15);
    })
    .await;
    signup(&w, TOKO, "budi@example.com").await;
    // Warm up: the dummy hash is made on first use.
    signin_as(&w, TOKO, "warm@example.com", "x").await;
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..7 {
        let t = Instant::now();
        signin_as(&w, TOKO, "budi@example.com", "wrong password").await;
        known.push(t.elapsed());
        let t = Instant::now();
        signin_as(
            &w,
            TOKO,
            &format!("nobody{i}@example.com"),
            "wrong password",
        )
        .await;
        unknown.push(t.elapsed());
    }
    let (k, u) = (median(known), median(unknown));
    assert!(
        u * 2 >= k && k * 2 >= u,
        "unknown {u:?} vs known {k:?}: timing tells them apart"
    );
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_email_and_per_client_address() {
    let w = world(|c| c.limits.signin_per_ip = Limit::per_minutes(3, 15)).await;
    signup(&w, TOKO, "budi@example.com").await;
    for _ in 0..5 {
        let r = signin_as(&w, TOKO, "budi@example.com", "wrong password").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    // The sixth attempt is refused, even with the right password.
    let r = signin_as(&w, TOKO, "budi@example.com", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.raw);
    let retry: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(
        r.body["message"]
            .as_str()
            .expect("message")
            .contains("menit")
    );
    // Other emails on the store, and the same email elsewhere, are not affected.
    signup(&w, TOKO, "sari@example.com").await;
    assert_eq!(
        signin_as(&w, TOKO, "sari@example.com", PASSWORD)
            .await
            .status,
        StatusCode::OK
    );
    // An unknown email is limited exactly like a known one.
    for _ in 0..5 {
        signin_as(&w, TOKO, "ghost@example.com", "wrong password").await;
    }
    assert_eq!(
        signin_as(&w, TOKO, "ghost@example.com", "wrong password")
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Per address: three failures on three emails, then that address waits.
    let from = |email: &str, password: &str, ip: &str| {
        post(
            TOKO,
            "/api/accounts/signin",
            json!({"email": email, "password": password}),
        )
        .client(ip)
    };
    for i in 0..3 {
        let r = from(
            &format!("spray{i}@example.com"),
            "password1234",
            "203.0.113.7",
        )
        .send(&w)
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = from("sari@example.com", PASSWORD, "203.0.113.7")
        .send(&w)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        from("sari@example.com", PASSWORD, "198.51.100.1")
            .send(&w)
            .await
            .status,
        StatusCode::OK
    );
    // IPv6 clients are counted per /64.
    for i in 0..3 {
        from(
            &format!("v6{i}@example.com"),
            "password1234",
            "2001:db8:1:2::a",
        )
        .send(&w)
        .await;
    }
    assert_eq!(
        from("sari@example.com", PASSWORD, "2001:db8:1:2::ffff")
            .send(&w)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        from("sari@example.com", PASSWORD, "2001:db8:1:3::a")
            .send(&w)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_trusted_proxy_header_names_the_client_only_when_configured() {
    let w = world(|c| {
        c.limits.signin_per_ip = Limit::per_minutes(2, 15);
        c.client_ip_header = Some(header::HeaderName::from_static("x-forwarded-for"));
    })
    .await;
    signup(&w, TOKO, "budi@example.com").await;
    let attempt = |email: String, xff: &'static str| {
        post(
            TOKO,
            "/api/accounts/signin",
            json!({"email": email, "password": "password1234"}),
        )
        .header("x-forwarded-for", xff)
    };
    for i in 0..2 {
        // The last hop is the one our proxy appended; the first is the client's claim.
        attempt(format!("a{i}@example.com"), "1.1.1.1, 192.0.2.10")
            .send(&w)
            .await;
    }
    let r = attempt("b@example.com".into(), "9.9.9.9, 192.0.2.10")
        .send(&w)
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);

    // Not configured: the header means nothing.
    let w = world(|c| c.limits.signin_per_ip = Limit::per_minutes(2, 15)).await;
    for i in 0..4 {
        let r = attempt(format!("c{i}@example.com"), "192.0.2.10")
            .send(&w)
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn forgot_password_always_answers_202_and_is_rate_limited() {
    let w = world(|_| {}).await;
    signup(&w, TOKO, "budi@example.com").await;
    let before = mails(&w.outbox).len();
    let unknown = post(
        TOKO,
        "/api/accounts/password/forgot",
        json!({"email": "nobody@example.com"}),
    )
    .send(&w)
    .await;
    let known = post(
        TOKO,
        "/api/accounts/password/forgot",
        json!({"email": "BUDI@example.com"}),
    )
    .send(&w)
    .await;
    assert_eq!(unknown.status, StatusCode::ACCEPTED);
    assert_eq!((known.status, &known.raw), (unknown.status, &unknown.raw));
    let all = mails(&w.outbox);
    assert_eq!(
        all.len(),
        before + 1,
        "one mail, to the account that exists"
    );
    let mail = all.last().expect("mail");
    assert!(header(mail, "To").contains("budi@example.com"));
    assert!(header(mail, "Subject").contains("kata sandi"), "{mail}");
    assert!(mail.contains("https://toko.example/account/?reset="));

    // A malformed address is a 400 (that tells nothing about accounts).
    let r = post(
        TOKO,
        "/api/accounts/password/forgot",
        json!({"email": "not an email"}),
    )
    .send(&w)
    .await;
    assert_eq!(r.body["field"], "email");

    for _ in 0..4 {
        post(
            TOKO,
            "/api/accounts/password/forgot",
            json!({"email": "budi@example.com"}),
        )
        .send(&w)
        .await;
    }
    let r = post(
        TOKO,
        "/api/accounts/password/forgot",
        json!({"email": "budi@example.com"}),
    )
    .send(&w)
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(mails_to(&w, "budi@example.com").len(), 1 + 5);
}

#[tokio::test]
async fn a_new_password_ends_every_session_and_older_links() {
    let w = world(|_| {}).await;
    signup(&w, TOKO, "budi@example.com").await;
    let phone = session(&w, TOKO, "budi@example.com").await;
    let laptop = session(&w, TOKO, "budi@example.com").await;
    assert_ne!(phone, laptop);
    let forgot = || {
        post(
            TOKO,
            "/api/accounts/password/forgot",
            json!({"email": "budi@example.com"}),
        )
    };
    forgot().send(&w).await;
    let older = token(&w, "budi@example.com", "reset");
    forgot().send(&w).await;
    let newer = token(&w, "budi@example.com", "reset");
    assert_ne!(older, newer);

    let reset = |token: &str, password: &str| {
        post(
            TOKO,
            "/api/accounts/password/reset",
            json!({"token": token, "password": password}),
        )
    };
    // A weak password is refused without using the link up.
    let r = reset(&newer, "short").send(&w).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password"))
    );
    let r = reset(&newer, "a brand new passphrase").send(&w).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.raw);
    assert!(r.set_cookie().expect("cleared").contains("Max-Age=0"));

    assert_eq!(me(&w, TOKO, &phone).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&w, TOKO, &laptop).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        signin_as(&w, TOKO, "budi@example.com", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = signin_as(&w, TOKO, "budi@example.com", "a brand new passphrase").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["verified"], true, "the link proved the address");
    // Used, and older: both dead.
    for t in [&newer, &older] {
        let r = reset(t, "yet another passphrase").send(&w).await;
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_token"))
        );
    }
}

#[tokio::test]
async fn tokens_are_single_use_stay_on_their_storefront_and_expire() {
    let w = world(|_| {}).await;
    signup(&w, TOKO, "budi@example.com").await;
    let t = token(&w, "budi@example.com", "verify");
    let verify =
        |host: &str, token: &str| post(host, "/api/accounts/verify", json!({"token": token}));
    // Another storefront does not know it (and does not use it up).
    let r = verify(AGEN, &t).send(&w).await;
    assert_eq!(r.body["error"], "invalid_token");
    assert_eq!(r.body["field"], "token");
    assert_eq!(verify(TOKO, &t).send(&w).await.status, StatusCode::OK);
    let r = verify(TOKO, &t).send(&w).await;
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_token"))
    );
    let garbage = "g".repeat(64);
    for bad in ["", "abc", garbage.as_str(), &t.to_uppercase()] {
        assert_eq!(
            verify(TOKO, bad).send(&w).await.body["error"],
            "invalid_token",
            "{bad:?}"
        );
    }
    // A reset link is not a verification link.
    post(
        TOKO,
        "/api/accounts/password/forgot",
        json!({"email": "budi@example.com"}),
    )
    .send(&w)
    .await;
    let reset = token(&w, "budi@example.com", "reset");
    assert_eq!(
        verify(TOKO, &reset).send(&w).await.body["error"],
        "invalid_token"
    );

    let w = world(|c| {
        c.verify_ttl = Duration::from_secs(1);
        c.reset_ttl = Duration::from_secs(1);
    })
    .await;
    signup(&w, TOKO, "budi@example.com").await;
    post(
        TOKO,
        "/api/accounts/password/forgot",
        json!({"email": "budi@example.com"}),
    )
    .send(&w)
    .await;
    let (v, r) = (
        token(&w, "budi@example.com", "verify"),
        token(&w, "budi@example.com", "reset"),
    );
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert_eq!(
        verify(TOKO, &v).send(&w).await.body["error"],
        "invalid_token"
    );
    let r = post(
        TOKO,
        "/api/accounts/password/reset",
        json!({"token": r, "password": "a brand new passphrase"}),
    )
    .send(&w)
    .await;
    assert_eq!(r.body["error"], "invalid_token");
}

#[tokio::test]
async fn cross_site_requests_are_refused() {
    let w = world(|_| {}).await;
    let body = signup_body("budi@example.com", PASSWORD);
    let signup_call = || post(TOKO, "/api/accounts/signup", body.clone());
    for (name, c) in [
        ("no origin", signup_call().no_origin()),
        (
            "foreign origin",
            signup_call()
                .no_origin()
                .header("origin", "https://agen.example"),
        ),
        (
            "sibling subdomain",
            signup_call()
                .no_origin()
                .header("origin", "https://evil.toko.example"),
        ),
        (
            "other port",
            signup_call()
                .no_origin()
                .header("origin", "https://toko.example:8443"),
        ),
        (
            "null origin",
            signup_call().no_origin().header("origin", "null"),
        ),
        (
            "foreign referer",
            signup_call()
                .no_origin()
                .header("referer", "https://evil.example/toko.example"),
        ),
    ] {
        let r = c.send(&w).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}: {}", r.raw);
        assert_eq!(r.body["error"], "forbidden");
    }
    assert!(mails(&w.outbox).is_empty(), "nothing was done");
    // A same-origin Referer stands in for a missing Origin.
    let r = signup_call()
        .no_origin()
        .header("referer", "https://toko.example/account/")
        .send(&w)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    let cookie = session(&w, TOKO, "budi@example.com").await;
    for c in [
        post(TOKO, "/api/accounts/signout", json!({})),
        call("PATCH", TOKO, "/api/accounts/me").json(json!({"name": "Mallory"})),
        post(
            TOKO,
            "/api/accounts/signin",
            json!({"email": "budi@example.com", "password": PASSWORD}),
        ),
    ] {
        let r = c.no_origin().cookie(&cookie).send(&w).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(me(&w, TOKO, &cookie).await.body["name"], "Budi Santoso");
    // Reading needs no Origin.
    assert_eq!(
        call("GET", TOKO, "/api/accounts/me")
            .no_origin()
            .cookie(&cookie)
            .send(&w)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bodies_must_be_json() {
    let w = world(|_| {}).await;
    let body = signup_body("budi@example.com", PASSWORD).to_string();
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonx"),
    ] {
        let mut c = call("POST", TOKO, "/api/accounts/signup")
            .raw(&body)
            .no_content_type();
        if let Some(ct) = ct {
            c = c.header("content-type", ct);
        }
        let r = c.send(&w).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        assert_eq!(r.body["error"], "unsupported_media_type");
    }
    let r = call("POST", TOKO, "/api/accounts/signup")
        .raw(&body)
        .no_content_type()
        .header("content-type", "Application/JSON; charset=utf-8")
        .send(&w)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
}

#[tokio::test]
async fn unknown_missing_and_malformed_fields_are_400s_naming_the_field() {
    let w = world(|_| {}).await;
    let signup_with = |v: Value| post(TOKO, "/api/accounts/signup", v);
    let mut extra = signup_body("budi@example.com", PASSWORD);
    extra["nickname"] = json!("budi");
    let mut nested =
        json!({"email": "pt@example.com", "password": PASSWORD, "name": "Sari", "kind": "company"});
    nested["company"] = json!({"name": "PT", "tax_id": "1", "vat": "x"});
    let mut role = signup_body("budi@example.com", PASSWORD);
    role["role"] = json!("owner");
    let cases = [
        (extra, "unknown_field", Some("nickname")),
        (nested, "unknown_field", Some("company.vat")),
        (role, "unknown_field", Some("role")),
        (
            json!({"email": "budi@example.com", "name": "B", "kind": "personal"}),
            "required",
            Some("password"),
        ),
        (
            json!({"email": "budi@example.com", "password": PASSWORD, "name": "B", "kind": "alien"}),
            "invalid_value",
            Some("kind"),
        ),
        (
            json!({"email": 5, "password": PASSWORD, "name": "B", "kind": "personal"}),
            "invalid_value",
            Some("email"),
        ),
        (json!([1, 2]), "invalid_value", None),
        (json!("text"), "invalid_value", None),
    ];
    for (body, code, field) in cases {
        let r = signup_with(body.clone()).send(&w).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.raw);
        assert_eq!(r.body["error"], code, "{body}: {}", r.raw);
        assert_eq!(r.body["field"].as_str(), field, "{body}: {}", r.raw);
    }
    for raw in [
        "",
        "{",
        "{\"email\":",
        "nul",
        "{\"email\":\"a@example.com\",\"password\":\"kopi tubruk 1998\",\"name\":\"B\",\"kind\":\"personal\"} trailing",
        "{\"email\":\"a@example.com\",\"password\":\"kopi tubruk 1998\",\"name\":\"B\",\"kind\":\"personal\"}}",
        "\u{feff}{}",
    ] {
        let r = call("POST", TOKO, "/api/accounts/signup")
            .raw(raw)
            .send(&w)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{raw:?}: {}", r.raw);
        assert_eq!(r.body["error"], "malformed_json", "{raw:?}");
    }
    // Deeply nested input is refused, not recursed into.
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let r = call("POST", TOKO, "/api/accounts/signup")
        .raw(&deep)
        .send(&w)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Too large to read.
    let big = json!({"email": "a@example.com", "password": "x".repeat(100_000), "name": "B", "kind": "personal"});
    let r = signup_with(big).send(&w).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["error"], "payload_too_large", "{}", r.raw);
}

#[tokio::test]
async fn field_problems_are_named_and_said_in_the_storefronts_language() {
    let w = world(|_| {}).await;
    let one = |email: &str, password: &str, name: &str| {
        post(
            TOKO,
            "/api/accounts/signup",
            json!({"email": email, "password": password, "name": name, "kind": "personal"}),
        )
    };
    let long = "ab".repeat(513);
    let cases = [
        (one("", PASSWORD, "B"), "email", "required"),
        (one("budi", PASSWORD, "B"), "email", "invalid_email"),
        (
            one("budi@example.com", "short", "B"),
            "password",
            "password_too_short",
        ),
        (
            one("budi@example.com", "aaaaaaaaaaaaaa", "B"),
            "password",
            "password_one_character",
        ),
        (
            one("budi@example.com", &long, "B"),
            "password",
            "password_too_long",
        ),
        (one("budi@example.com", PASSWORD, "  "), "name", "required"),
        (
            one("budi@example.com", PASSWORD, "Budi\nBcc: x@y.z"),
            "name",
            "bad_characters",
        ),
        (
            one("budi@example.com", PASSWORD, &"n".repeat(201)),
            "name",
            "too_long",
        ),
    ];
    for (c, field, code) in cases {
        let r = c.send(&w).await;
        assert_eq!(
            (r.status, r.body["field"].as_str(), r.body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field), Some(code)),
            "{}",
            r.raw
        );
    }

    // toko speaks Indonesian first, English when asked; not Polish.
    let id = one("budi@example.com", "short", "B").send(&w).await;
    let en = one("budi@example.com", "short", "B")
        .lang("en-GB,en;q=0.9")
        .send(&w)
        .await;
    let pl = one("budi@example.com", "short", "B")
        .lang("pl")
        .send(&w)
        .await;
    assert!(
        id.body["message"]
            .as_str()
            .expect("id")
            .contains("Kata sandi")
    );
    assert!(
        en.body["message"]
            .as_str()
            .expect("en")
            .contains("password")
    );
    assert_ne!(id.body["message"], en.body["message"]);
    assert_eq!(pl.body["message"], id.body["message"]);
    let q = call("POST", TOKO, "/api/accounts/signup?lang=en")
        .json(json!({"email": "budi@example.com", "password": "short", "name": "B", "kind": "personal"}))
        .send(&w)
        .await;
    assert_eq!(q.body["message"], en.body["message"]);
    // agen speaks English only.
    let r = post(
        AGEN,
        "/api/accounts/signup",
        json!({"email": "budi@example.com", "password": "short", "name": "B", "kind": "personal"}),
    )
    .lang("id")
    .send(&w)
    .await;
    assert_eq!(r.body["message"], en.body["message"]);
    // And the other answers too.
    let r = signin_as(&w, TOKO, "nobody@example.com", PASSWORD).await;
    assert_eq!(r.body["message"], "Email atau kata sandi salah.");
    let r = post(TOKO, "/api/accounts/verify", json!({"token": "x"}))
        .lang("en")
        .send(&w)
        .await;
    assert!(r.body["message"].as_str().expect("en").contains("link"));

    // IDN domains are fine, shown in Unicode, mailed in ASCII.
    let r = one("Budi@Bücher.Example", PASSWORD, "Budi").send(&w).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    assert_eq!(r.body["email"], "Budi@bücher.example");
    assert_eq!(mails_to(&w, "Budi@xn--bcher-kva.example").len(), 1);
    let r = one("budi@BÜCHER.example", PASSWORD, "Budi").send(&w).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn hostile_text_in_every_field_never_fails_the_server() {
    let w = world(|_| {}).await;
    signup(&w, TOKO, "budi@example.com").await;
    let cookie = session(&w, TOKO, "budi@example.com").await;
    let blns: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(storefront_e2e::repo_root().join("core/tests/data/blns.json"))
            .expect("blns"),
    )
    .expect("parse");
    let extra = [
        "a".repeat(10_000),
        "\u{0}".into(),
        "🦀".repeat(300),
        "<script>alert(1)</script>@example.com".into(),
        "budi@example.com\r\nBcc: victim@example.com".into(),
    ];
    let check = |what: String, r: Resp| {
        assert!(
            r.status.is_client_error() || r.status.is_success(),
            "{what} -> {}: {}",
            r.status,
            r.raw
        );
        assert!(r.body.is_object(), "{what}: not JSON: {}", r.raw);
    };
    for (i, s) in blns.iter().chain(extra.iter()).enumerate() {
        let email = format!("blns{i}@example.com");
        let bodies = [
            json!({"email": s, "password": PASSWORD, "name": "B", "kind": "personal"}),
            json!({"email": email, "password": s, "name": "B", "kind": "personal"}),
            json!({"email": format!("n{email}"), "password": PASSWORD, "name": s, "kind": "personal"}),
            json!({"email": format!("c{email}"), "password": PASSWORD, "name": "B", "kind": "company", "company": {"name": s, "tax_id": "1"}}),
            json!({"email": format!("t{email}"), "password": PASSWORD, "name": "B", "kind": "company", "company": {"name": "PT", "tax_id": s}}),
            json!({"email": email, "password": PASSWORD, "name": "B", "kind": s}),
        ];
        for b in bodies {
            let r = post(TOKO, "/api/accounts/signup", b.clone()).send(&w).await;
            check(format!("signup {b}"), r);
        }
        for (path, b) in [
            (
                "/api/accounts/signin",
                json!({"email": s, "password": PASSWORD}),
            ),
            (
                "/api/accounts/signin",
                json!({"email": format!("x{email}"), "password": s}),
            ),
            ("/api/accounts/password/forgot", json!({"email": s})),
            ("/api/accounts/verify", json!({"token": s})),
            (
                "/api/accounts/password/reset",
                json!({"token": s, "password": s}),
            ),
        ] {
            let r = post(TOKO, path, b.clone()).send(&w).await;
            check(format!("{path} {b}"), r);
        }
        let r = call("PATCH", TOKO, "/api/accounts/me")
            .json(json!({"name": s}))
            .cookie(&cookie)
            .send(&w)
            .await;
        check(format!("patch name {s:?}"), r);
        // As a field name, too.
        let mut b = signup_body("budi@example.com", PASSWORD);
        b[s.as_str()] = json!(1);
        let r = post(TOKO, "/api/accounts/signup", b).send(&w).await;
        check(format!("field named {s:?}"), r);
        // And as a cookie.
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("__Host-sf_session={s}")) {
            let mut req = call("GET", TOKO, "/api/accounts/me").request();
            req.headers_mut().insert(header::COOKIE, v);
            let r = send(&w.router, req).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{s:?}");
        }
    }
    // The account survived it all.
    assert_eq!(me(&w, TOKO, &cookie).await.status, StatusCode::OK);
}

#[tokio::test]
async fn previewed_storefronts_have_their_own_cookie_path_and_links() {
    let w = world(|c| c.secure_cookies = false).await;
    let local = "127.0.0.1:8080";
    let r = post(
        local,
        "/api/accounts/signup",
        signup_body("budi@example.com", PASSWORD),
    )
    .preview("agen")
    .send(&w)
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    let mail = mails_to(&w, "budi@example.com").pop().expect("mail");
    assert!(
        mail.contains("http://127.0.0.1:8080/s/agen/account/?verify="),
        "{mail}"
    );
    assert!(header(&mail, "From").contains("Agen Web"));
    let r = post(
        local,
        "/api/accounts/signin",
        json!({"email": "budi@example.com", "password": PASSWORD}),
    )
    .preview("agen")
    .send(&w)
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    let set = r.set_cookie().expect("cookie");
    assert!(set.starts_with("sf_session="), "{set}");
    assert!(set.contains("; Path=/s/agen/;"), "{set}");
    assert!(!set.contains("Secure"), "{set}");
    let cookie = r.cookie().expect("cookie");
    let me_on = |r: &str| {
        call("GET", local, "/api/accounts/me")
            .preview(r)
            .cookie(&cookie)
    };
    assert_eq!(me_on("agen").send(&w).await.status, StatusCode::OK);
    assert_eq!(
        me_on("toko").send(&w).await.status,
        StatusCode::UNAUTHORIZED
    );

    // Without preview, plain http keeps the host's port in links.
    let r = post(
        "toko.example:8080",
        "/api/accounts/signup",
        signup_body("sari@example.com", PASSWORD),
    )
    .no_origin()
    .header("origin", "http://toko.example:8080")
    .send(&w)
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.raw);
    let mail = mails_to(&w, "sari@example.com").pop().expect("mail");
    assert!(
        mail.contains("http://toko.example:8080/account/?verify="),
        "{mail}"
    );
}

#[tokio::test]
async fn reseller_users_sign_in_on_their_storefront_with_their_role() {
    let w = world(|_| {}).await;
    let store = w.store.as_ref();
    let owner = accounts::create_reseller_user(
        store,
        "toko",
        "Owner@Toko.Example",
        PASSWORD,
        Role::Owner,
        &w.config,
    )
    .await
    .expect("owner");
    accounts::create_reseller_user(
        store,
        "toko",
        "admin@toko.example",
        PASSWORD,
        Role::Admin,
        &w.config,
    )
    .await
    .expect("admin");
    let cookie = session(&w, TOKO, "owner@toko.example").await;
    let m = me(&w, TOKO, &cookie).await;
    assert_eq!(m.body["role"], "owner");
    assert_eq!(m.body["id"], owner.0);
    assert_eq!(m.body["verified"], true);
    assert_eq!(m.body["reseller"], "toko");
    let cookie = session(&w, TOKO, "admin@toko.example").await;
    assert_eq!(me(&w, TOKO, &cookie).await.body["role"], "admin");
    // Not on another storefront.
    assert_eq!(
        signin_as(&w, AGEN, "owner@toko.example", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // The email is taken on toko for customers too.
    let r = post(
        TOKO,
        "/api/accounts/signup",
        signup_body("owner@toko.example", PASSWORD),
    )
    .send(&w)
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    let config = &w.config;
    let seed = |reseller: &'static str, email: &'static str, password: &'static str, role| async move {
        accounts::create_reseller_user(store, reseller, email, password, role, config).await
    };
    assert!(matches!(
        seed("toko", "owner@toko.example", PASSWORD, Role::Owner).await,
        Err(SeedError::Taken)
    ));
    assert!(matches!(
        seed("toko", "c@toko.example", PASSWORD, Role::Customer).await,
        Err(SeedError::NotResellerRole(Role::Customer))
    ));
    assert!(matches!(
        seed("nobody", "o@toko.example", PASSWORD, Role::Owner).await,
        Err(SeedError::UnknownReseller(_))
    ));
    let weak = seed("agen", "o@agen.example", "short", Role::Owner).await;
    assert!(matches!(weak, Err(SeedError::Invalid(_))));
    assert!(
        weak.unwrap_err().to_string().contains("password"),
        "the error says what is wrong"
    );
}

#[tokio::test]
async fn profiles_change_with_optimistic_locking() {
    let w = world(|_| {}).await;
    signup(&w, TOKO, "budi@example.com").await;
    let cookie = session(&w, TOKO, "budi@example.com").await;
    let patch = |v: Value| {
        call("PATCH", TOKO, "/api/accounts/me")
            .json(v)
            .cookie(&cookie)
    };
    let r = patch(json!({"name": "  Budi S. "})).send(&w).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
    assert_eq!(r.body["name"], "Budi S.");
    assert_eq!(me(&w, TOKO, &cookie).await.body["name"], "Budi S.");
    let r = patch(json!({"company": {"name": "PT", "tax_id": "1"}}))
        .send(&w)
        .await;
    assert_eq!(r.body["field"], "company");
    let r = patch(json!({"email": "other@example.com"})).send(&w).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("email"))
    );
    assert_eq!(
        call("PATCH", TOKO, "/api/accounts/me")
            .json(json!({"name": "X"}))
            .send(&w)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

/// Names written by `n` concurrent PATCHes; each answers 200 or 409.
async fn patch_concurrently(w: &Arc<World>, cookie: &str, round: usize, n: usize) {
    let mut tasks = Vec::new();
    for i in 0..n {
        let (w, cookie) = (w.clone(), cookie.to_string());
        tasks.push(tokio::spawn(async move {
            call("PATCH", TOKO, "/api/accounts/me")
                .json(json!({"name": format!("Name {round}.{i}")}))
                .cookie(&cookie)
                .send(&w)
                .await
                .status
        }));
    }
    for t in tasks {
        let s = t.await.expect("task");
        assert!(s == StatusCode::OK || s == StatusCode::CONFLICT, "{s}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_changes_are_not_lost() {
    let w = Arc::new(world(|_| {}).await);
    signup(&w, TOKO, "budi@example.com").await;
    let verify_token = token(&w, "budi@example.com", "verify");
    let cookie = session(&w, TOKO, "budi@example.com").await;
    // A verification racing with profile edits: none may undo the other.
    let verify = {
        let w = w.clone();
        tokio::spawn(async move {
            post(TOKO, "/api/accounts/verify", json!({"token": verify_token}))
                .send(&w)
                .await
                .status
        })
    };
    patch_concurrently(&w, &cookie, 1, 6).await;
    let verified = verify.await.expect("task");
    assert!(
        verified == StatusCode::OK || verified == StatusCode::CONFLICT,
        "{verified}"
    );
    let m = me(&w, TOKO, &cookie).await;
    assert_eq!(
        m.body["verified"],
        verified == StatusCode::OK,
        "the verification is kept exactly when it was answered 200: {}",
        m.raw
    );
    assert!(
        m.body["name"]
            .as_str()
            .expect("name")
            .starts_with("Name 1."),
        "{}",
        m.raw
    );
}

#[tokio::test]
async fn a_new_verification_mail_can_be_asked_for() {
    let w = world(|_| {}).await;
    signup(&w, TOKO, "budi@example.com").await;
    let cookie = session(&w, TOKO, "budi@example.com").await;
    let resend = || {
        call("POST", TOKO, "/api/accounts/verify/resend")
            .cookie(&cookie)
            .raw("")
            .no_content_type()
    };
    let r = resend().send(&w).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.raw);
    assert_eq!(mails_to(&w, "budi@example.com").len(), 2);
    let t = token(&w, "budi@example.com", "verify");
    post(TOKO, "/api/accounts/verify", json!({"token": t}))
        .send(&w)
        .await;
    let r = resend().send(&w).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["verified"], true);
    assert_eq!(
        call("POST", TOKO, "/api/accounts/verify/resend")
            .send(&w)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[test]
fn the_smtp_mailer_is_built_without_connecting() {
    for security in [
        SmtpSecurity::Tls,
        SmtpSecurity::StartTls,
        SmtpSecurity::Plain,
    ] {
        let config = SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            security,
            username: Some("storefront".into()),
            password: Some("secret".into()),
            timeout: Duration::from_secs(5),
        };
        let smtp = Smtp::new(&config).expect("smtp");
        assert!(!format!("{smtp:?} {config:?}").contains("secret"));
    }
}

/// Every route, with toko's customer's session, asked on agen's host (and on
/// a host no storefront serves): nothing of toko's may come back, and
/// nothing may change. Route by route, so a new route must join the list.
#[tokio::test]
async fn tenant_isolation_matrix() {
    let w = world(|_| {}).await;
    signup(&w, "toko.example", "budi@example.co.id").await;
    let toko = session(&w, "toko.example", "budi@example.co.id").await;
    let before = me(&w, "toko.example", &toko).await;
    assert_eq!(before.status, StatusCode::OK);
    let id = before.body["id"].as_str().expect("id").to_string();

    let routes: Vec<(&'static str, &str, Option<Value>)> = vec![
        ("GET", "/api/accounts/me", None),
        (
            "PATCH",
            "/api/accounts/me",
            Some(json!({"name": "Hijacked"})),
        ),
        ("POST", "/api/accounts/verify/resend", Some(json!({}))),
        ("POST", "/api/accounts/signout", Some(json!({}))),
        (
            "POST",
            "/api/accounts/signin",
            Some(json!({"email": "budi@example.co.id", "password": PASSWORD})),
        ),
        (
            "POST",
            "/api/accounts/password/forgot",
            Some(json!({"email": "budi@example.co.id"})),
        ),
        (
            "POST",
            "/api/accounts/password/reset",
            Some(json!({"token": id, "password": "another-password-1"})),
        ),
        ("POST", "/api/accounts/verify", Some(json!({"token": id}))),
        ("GET", "/api/search?q=budi", None),
    ];
    for host in ["agen.example", "unknown.example"] {
        for (method, path, body) in &routes {
            let mut c = call(method, host, path).cookie(&toko);
            if let Some(b) = body {
                c = c.json(b.clone());
            }
            let r = c.send(&w).await;
            let s = r.status.as_u16();
            match (*path, host) {
                // A storefront's public routes answer for that storefront only.
                ("/api/search?q=budi", "agen.example") => assert_eq!(s, 200),
                ("/api/accounts/password/forgot", "agen.example") => {
                    assert_eq!(s, 202, "no enumeration: {}", r.raw)
                }
                ("/api/accounts/signout", "agen.example") => assert_eq!(s, 204),
                _ if host == "unknown.example" => {
                    assert_eq!(s, 404, "{method} {path} on {host}: {}", r.raw)
                }
                _ => assert!(
                    matches!(s, 400 | 401 | 403 | 404),
                    "{method} {path} on {host} -> {s}: {}",
                    r.raw
                ),
            }
            assert!(
                !r.raw.contains(&id)
                    && !r.raw.contains("budi@example.co.id")
                    && !r.raw.contains("Budi Santoso"),
                "{method} {path} on {host} leaked toko's customer: {}",
                r.raw
            );
        }
    }
    // toko's customer is untouched and still signed in on toko.
    let after = me(&w, "toko.example", &toko).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.raw);
    assert_eq!(after.body["name"], "Budi Santoso");
    let mails = std::fs::read_dir(&w.outbox).expect("outbox").count();
    assert_eq!(mails, 1, "only toko's own verification mail was sent");
}
