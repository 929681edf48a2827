//! API Gateway HTTP API (payload v2) events, kept as files in
//! `tests/fixtures/`, through lambda_http's own parsing (`LambdaRequest`,
//! as the runtime deserialises an invocation) and its own response
//! conversion (`Adapter`, serialised as the runtime posts it back), into
//! each function's router over an embedded store holding the fixture sites'
//! published catalogues. The binaries themselves are run too: without their
//! variables, and against a fake Lambda Runtime API.

use axum::http::StatusCode;
use lambda_http::lambda_runtime::{Context, LambdaEvent};
use lambda_http::request::LambdaRequest;
use lambda_http::tower::ServiceExt;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;
use storefront_functions::accounts::{self, AccountsConfig, Limit, Outbox, Role};
use storefront_functions::app::Services;
use storefront_functions::registrar::sandbox::{Sandbox, SandboxConfig};
use storefront_functions::store::Store;
use storefront_functions::store::embedded::EmbeddedStore;
use storefront_lambda::Function;

const PASSWORD: &str = "kopi tubruk 1998";
const CUSTOMER: &str = "budi@example.com";
const OWNER: &str = "owner@toko.example";
/// The 1x1 PNG in `wallet-proof.json`, base64 there.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x02, 0x01, 0xa5, 0xf5, 0xd8, 0xb9, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

struct World {
    services: Services,
    _dir: tempfile::TempDir,
}

/// The fixture sites published to an embedded store (as a build publishes
/// them), a customer and the owner of `toko`, mail to an outbox folder.
async fn world(tune: impl FnOnce(&mut AccountsConfig)) -> World {
    let snapshots = storefront_e2e::fixture_snapshots();
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.path().join("store.db")).expect("store"));
    storefront_functions::catalog::publish(store.as_ref(), snapshots, |_| vec![])
        .await
        .expect("publish");
    let sandbox = SandboxConfig {
        taken_percent: 0,
        premium_percent: 0,
        ..Default::default()
    };
    let mut services = Services::with(
        store.clone(),
        Arc::new(Sandbox::new(sandbox, store.clone())),
    );
    services.mailer = Arc::new(Outbox::new(dir.path().join("outbox")));
    services.blobs = Arc::new(storefront_functions::blobs::LocalBlobs::new(
        dir.path().join("files"),
    ));
    services.accounts = AccountsConfig::fast_for_tests();
    // Deployed: Secure cookies, and no trusted header (the client is the
    // address API Gateway saw).
    assert!(services.accounts.secure_cookies);
    tune(&mut services.accounts);
    let config = services.accounts.clone();
    accounts::create_demo_customer(store.as_ref(), "toko", CUSTOMER, PASSWORD, &config)
        .await
        .expect("customer");
    accounts::create_reseller_user(
        store.as_ref(),
        "toko",
        OWNER,
        PASSWORD,
        Role::Owner,
        &config,
    )
    .await
    .expect("owner");
    World {
        services,
        _dir: dir,
    }
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A fixture's text with its `{{name}}` placeholders filled in.
fn fixture(name: &str, fill: &[(&str, &str)]) -> String {
    let path = fixtures().join(name);
    let mut text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for (k, v) in fill {
        text = text.replace(&format!("{{{{{k}}}}}"), v);
    }
    assert!(!text.contains("{{"), "{name}: a placeholder left in {text}");
    text
}

/// What API Gateway gets back, decoded.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    headers: serde_json::Map<String, Value>,
    cookies: Vec<String>,
    base64: bool,
    body: Vec<u8>,
    raw: Value,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.headers))
    }

    /// `name=value` of the session cookie this answer sets.
    fn session(&self) -> String {
        let set = self
            .cookies
            .iter()
            .find(|c| c.starts_with("__Host-sf_session="))
            .unwrap_or_else(|| panic!("no session cookie in {:?}", self.raw));
        set.split(';').next().expect("name=value").to_string()
    }
}

/// One event, as the Lambda runtime hands it to `lambda_http::run`: parsed
/// by `LambdaRequest`'s own deserialiser, through the `Adapter` around the
/// function's router, the answer serialised as the runtime posts it.
async fn invoke(w: &World, function: Function, event: &str) -> Answer {
    let request: LambdaRequest = serde_json::from_str(event).expect("an HTTP API v2 event");
    assert!(
        matches!(request, LambdaRequest::ApiGatewayV2(_)),
        "{request:?}"
    );
    let router = storefront_lambda::router(function, &w.services);
    let response = lambda_http::Adapter::from(router)
        .oneshot(LambdaEvent::new(request, Context::default()))
        .await
        .expect("the router is infallible");
    let raw = serde_json::to_value(&response).expect("the response serialises");
    answer(raw)
}

fn answer(raw: Value) -> Answer {
    let status = StatusCode::from_u16(
        raw["statusCode"]
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .expect("statusCode"),
    )
    .expect("status");
    let base64 = raw["isBase64Encoded"].as_bool().expect("isBase64Encoded");
    let text = raw["body"].as_str().unwrap_or("");
    let body = if base64 {
        base64_decode(text)
    } else {
        text.as_bytes().to_vec()
    };
    let headers = raw["headers"].as_object().cloned().unwrap_or_default();
    assert!(
        !headers.contains_key("set-cookie"),
        "v2 answers carry cookies in `cookies`: {raw}"
    );
    let cookies = raw["cookies"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c.as_str().expect("cookie").to_string())
                .collect()
        })
        .unwrap_or_default();
    Answer {
        status,
        headers,
        cookies,
        base64,
        body,
        raw,
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        let [_, a, b, c] = n.to_be_bytes();
        out.extend_from_slice(&[a, b, c][..chunk.len() - 1]);
    }
    out
}

async fn sign_in(w: &World, email: &str) -> String {
    let a = invoke(
        w,
        Function::Accounts,
        &fixture("accounts-signin.json", &[("email", email)]),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.raw);
    a.session()
}

#[tokio::test]
async fn search_reads_the_raw_query_string() {
    let w = world(|_| {}).await;
    let a = invoke(&w, Function::Search, &fixture("search.json", &[])).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.raw);
    assert!(!a.base64);
    assert!(a.header("content-type").starts_with("application/json"));
    let v = a.json();
    // q=HTTPS%3A%2F%2Fwww.Toko%20Budi.my.id%2F, decoded and normalised.
    assert_eq!(v["name"], "tokobudi", "{v}");
    assert_eq!(v["results"][0]["domain"], "tokobudi.my.id", "{v}");
    assert_eq!(v["results"][0]["status"], "available", "{v}");
}

#[tokio::test]
async fn a_streamed_search_comes_back_whole_and_base64() {
    let w = world(|_| {}).await;
    let a = invoke(&w, Function::Search, &fixture("search-ndjson.json", &[])).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.raw);
    assert!(a.header("content-type").starts_with("application/x-ndjson"));
    // Not a text type to lambda_http: base64, which API Gateway decodes.
    assert!(a.base64, "{:?}", a.raw);
    let text = String::from_utf8(a.body.clone()).expect("utf-8");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines[0]["type"], "query", "{text}");
    let results: Vec<&Value> = lines.iter().filter(|l| l["type"] == "result").collect();
    assert!(
        results
            .iter()
            .any(|r| r["domain"] == "tokobudi.co.id" && r["status"] == "available"),
        "{text}"
    );
}

#[tokio::test]
async fn a_sign_in_cookie_comes_back_in_cookies_and_signs_in_the_next_event() {
    let w = world(|_| {}).await;
    let a = invoke(
        &w,
        Function::Accounts,
        &fixture("accounts-signin.json", &[("email", CUSTOMER)]),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.raw);
    assert_eq!(a.header("cache-control"), "no-store");
    assert_eq!(a.cookies.len(), 1, "{:?}", a.cookies);
    for attr in ["; Path=/;", "; HttpOnly", "; Secure", "; SameSite=Lax"] {
        assert!(a.cookies[0].contains(attr), "{attr} in {:?}", a.cookies);
    }
    let session = a.session();

    // The event's `cookies` array (beside another cookie) is the Cookie header.
    let me = invoke(
        &w,
        Function::Accounts,
        &fixture("accounts-me.json", &[("session", &session)]),
    )
    .await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.raw);
    let v = me.json();
    assert_eq!(v["email"], CUSTOMER, "{v}");
    assert_eq!(v["reseller"], "toko", "{v}");
    assert_eq!(v["role"], "customer", "{v}");

    let stranger = invoke(
        &w,
        Function::Accounts,
        &fixture(
            "accounts-me.json",
            &[("session", "__Host-sf_session=0000000000000000")],
        ),
    )
    .await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
    assert_eq!(stranger.json()["error"], "unauthorized");
}

#[tokio::test]
async fn the_client_is_the_source_ip_api_gateway_saw() {
    let w = world(|c| c.limits.signin_per_ip = Limit::per_minutes(2, 15)).await;
    let wrong = |email: String, ip: &'static str| {
        fixture(
            "accounts-signin-wrong.json",
            &[("email", email.as_str()), ("ip", ip)],
        )
    };
    for n in 0..2 {
        let a = invoke(
            &w,
            Function::Accounts,
            &wrong(format!("guess{n}@example.com"), "192.0.2.10"),
        )
        .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{:?}", a.raw);
    }
    // A third account from the same address: that address is limited...
    let a = invoke(
        &w,
        Function::Accounts,
        &wrong("guess2@example.com".into(), "192.0.2.10"),
    )
    .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", a.raw);
    // ...and another address is not.
    let a = invoke(
        &w,
        Function::Accounts,
        &wrong("guess3@example.com".into(), "192.0.2.20"),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{:?}", a.raw);
}

#[tokio::test]
async fn json_and_base64_bodies_and_path_parameters_reach_wallet_and_panel() {
    let w = world(|_| {}).await;
    let customer = sign_in(&w, CUSTOMER).await;

    let wallet = invoke(
        &w,
        Function::Wallet,
        &fixture("wallet.json", &[("session", &customer)]),
    )
    .await;
    assert_eq!(wallet.status, StatusCode::OK, "{:?}", wallet.raw);
    assert_eq!(wallet.json()["bank_accounts"][0]["id"], "bca");

    // A JSON body that API Gateway passed base64-encoded.
    let t = invoke(
        &w,
        Function::Wallet,
        &fixture("wallet-topup.json", &[("session", &customer)]),
    )
    .await;
    assert_eq!(t.status, StatusCode::CREATED, "{:?}", t.raw);
    let topup = t.json();
    assert_eq!(topup["transfer_reference"], "BUDI 22/11", "{topup}");
    assert_eq!(topup["bank_account"], "bca", "{topup}");
    let id = topup["id"].as_str().expect("id").to_string();

    // Raw PNG bytes, base64 in the event, to a route with a path parameter.
    let p = invoke(
        &w,
        Function::Wallet,
        &fixture(
            "wallet-proof.json",
            &[("session", &customer), ("topup", &id)],
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.raw);
    let v = p.json();
    assert_eq!(v["id"], id.as_str(), "{v}");
    assert_eq!(v["proof"]["content_type"], "image/png", "{v}");

    // The owner reads it back from the panel: binary, so base64 again.
    let owner = sign_in(&w, OWNER).await;
    let back = invoke(
        &w,
        Function::Panel,
        &fixture("panel-proof.json", &[("session", &owner), ("topup", &id)]),
    )
    .await;
    assert_eq!(back.status, StatusCode::OK, "{:?}", back.raw);
    assert_eq!(back.header("content-type"), "image/png");
    assert!(back.base64);
    assert_eq!(back.body, PNG);
    // The customer may not.
    let denied = invoke(
        &w,
        Function::Panel,
        &fixture(
            "panel-proof.json",
            &[("session", &customer), ("topup", &id)],
        ),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{:?}", denied.raw);
}

/// Store the invoice in `stored-invoice.json` from `seller` to `buyer`;
/// returns its number, percent-encoded as a path segment.
async fn issue_fixture_invoice(w: &World, seller: Value, buyer: Value) -> String {
    let mut doc: Value = serde_json::from_str(&fixture("stored-invoice.json", &[])).expect("json");
    doc["seller"] = seller;
    doc["buyer"] = buyer;
    let stored: storefront_functions::invoices::Stored =
        serde_json::from_value(doc).expect("a stored invoice");
    let number =
        storefront_functions::invoices::issue(w.services.store.as_ref(), stored, "INV", |_| {
            Ok(vec![])
        })
        .await
        .expect("issue")
        .expect("numbered");
    number.replace('/', "%2F")
}

#[tokio::test]
async fn the_invoices_function_serves_an_invoice_as_html_and_pdf_to_its_buyer_only() {
    let w = world(|_| {}).await;
    let customer = sign_in(&w, CUSTOMER).await;
    let me = invoke(
        &w,
        Function::Accounts,
        &fixture("accounts-me.json", &[("session", &customer)]),
    )
    .await
    .json();
    let account = me["id"].as_str().expect("id").to_string();
    let mine = issue_fixture_invoice(
        &w,
        serde_json::json!({"kind": "reseller", "id": "toko"}),
        serde_json::json!({"kind": "customer", "reseller": "toko", "account": account}),
    )
    .await;

    let html = invoke(
        &w,
        Function::Invoices,
        &fixture(
            "invoice-html.json",
            &[("session", &customer), ("number", &mine)],
        ),
    )
    .await;
    assert_eq!(html.status, StatusCode::OK, "{:?}", html.raw);
    assert!(html.header("content-type").starts_with("text/html"));
    let text = String::from_utf8(html.body.clone()).expect("utf-8");
    assert!(text.contains("Budi Santoso"), "{text}");
    assert!(text.contains("pendaftaran 1 tahun"), "{text}");

    // The same document from the orders function is another function's.
    let elsewhere = invoke(
        &w,
        Function::Orders,
        &fixture(
            "invoice-html.json",
            &[("session", &customer), ("number", &mine)],
        ),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    // The owner's own invoice from the storefront's parent, as PDF: binary,
    // so base64 through API Gateway.
    let toko = storefront_e2e::fixture_snapshots()
        .iter()
        .find(|s| s.reseller == "toko")
        .expect("toko");
    let parent = match &toko.parent.id {
        Some(p) => serde_json::json!({"kind": "reseller", "id": p}),
        None => serde_json::json!({"kind": "platform"}),
    };
    let theirs = issue_fixture_invoice(
        &w,
        parent,
        serde_json::json!({"kind": "reseller", "id": "toko"}),
    )
    .await;
    let owner = sign_in(&w, OWNER).await;
    let pdf = invoke(
        &w,
        Function::Invoices,
        &fixture(
            "panel-invoice-pdf.json",
            &[("session", &owner), ("number", &theirs)],
        ),
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK, "{:?}", pdf.raw);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert!(pdf.base64);
    assert!(
        pdf.body.starts_with(b"%PDF-"),
        "{:?}",
        &pdf.body[..16.min(pdf.body.len())]
    );

    // Neither may have the other's: the customer is no staff, and the
    // owner is not the customer.
    let denied = invoke(
        &w,
        Function::Invoices,
        &fixture(
            "panel-invoice-pdf.json",
            &[("session", &customer), ("number", &theirs)],
        ),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{:?}", denied.raw);
    let other = invoke(
        &w,
        Function::Invoices,
        &fixture(
            "invoice-html.json",
            &[("session", &owner), ("number", &mine)],
        ),
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND, "{:?}", other.raw);
}

#[tokio::test]
async fn each_function_answers_its_own_routes_and_a_json_404_for_the_rest() {
    let w = world(|_| {}).await;
    let session = sign_in(&w, CUSTOMER).await;
    let s = [
        ("session", session.as_str()),
        ("topup", "0123456789abcdef"),
        ("number", "INV%2F2026%2F000001"),
    ];

    let orders = invoke(&w, Function::Orders, &fixture("orders-list.json", &s)).await;
    assert_eq!(orders.status, StatusCode::OK, "{:?}", orders.raw);
    let openapi = invoke(&w, Function::Search, &fixture("openapi-document.json", &s)).await;
    assert_eq!(openapi.status, StatusCode::OK);
    assert!(openapi.json()["paths"]["/api/wallet"].is_object());

    let own: [(Function, &[&str]); 7] = [
        (
            Function::Search,
            &["search.json", "openapi-document.json", "unknown-route.json"],
        ),
        (
            Function::Accounts,
            &["accounts-signin.json", "accounts-me.json"],
        ),
        (Function::Orders, &["orders-list.json"]),
        (
            Function::Wallet,
            &["wallet.json", "wallet-topup.json", "wallet-proof.json"],
        ),
        (Function::Panel, &["panel-proof.json"]),
        (
            Function::Invoices,
            &["invoice-html.json", "panel-invoice-pdf.json"],
        ),
        (Function::Scheduler, &[]),
    ];
    let all: Vec<&str> = own.iter().flat_map(|(_, f)| f.iter().copied()).collect();
    for (function, mine) in own {
        for name in all.iter().filter(|n| !mine.contains(n)) {
            let event = fixture(name, &[("email", CUSTOMER), s[0], s[1], s[2]]);
            let a = invoke(&w, function, &event).await;
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{name} to {function:?}");
            assert_eq!(a.json()["error"], "not_found", "{name} to {function:?}");
        }
    }
    // The $default route (search) answers what no function owns.
    let a = invoke(&w, Function::Search, &fixture("unknown-route.json", &s)).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.json()["error"], "not_found");
}

#[tokio::test]
async fn the_scheduler_answers_a_scheduled_event_with_its_report() {
    let w = world(|_| {}).await;
    let text = fixture("scheduled-event.json", &[]);
    // Not an HTTP event: lambda_http would refuse it.
    assert!(serde_json::from_str::<LambdaRequest>(&text).is_err());
    let event: Value = serde_json::from_str(&text).expect("json");
    let report = storefront_lambda::scheduled(
        &w.services.orders(),
        LambdaEvent::new(event, Context::default()),
    )
    .await
    .expect("tick");
    let fields = report.as_object().expect("an object");
    let mut keys: Vec<&str> = fields.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "cancelled",
            "corrections",
            "documents_deleted",
            "documents_lapsed",
            "documents_reminded",
            "expired",
            "invoices",
            "monthly_invoices",
            "renewals",
            "renewed_from_wallet",
            "settled"
        ]
    );
    assert!(fields.values().all(Value::is_u64), "{report}");
}

// ----- the binaries themselves -----

/// The variables a deployed function has (all of them; each function reads
/// what it needs), with every AWS call sent to `aws_endpoint`.
fn deployed_env(
    function: &str,
    runtime_api: &str,
    aws_endpoint: &str,
) -> Vec<(&'static str, String)> {
    [
        ("AWS_LAMBDA_FUNCTION_NAME", function),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_RUNTIME_API", runtime_api),
        ("AWS_REGION", "ap-southeast-3"),
        ("AWS_ACCESS_KEY_ID", "ASIATESTKEY"),
        ("AWS_SECRET_ACCESS_KEY", "test-secret"),
        ("AWS_SESSION_TOKEN", "test-session-token"),
        ("AWS_ENDPOINT_URL", aws_endpoint),
        ("TABLE_NAME", "storefront-test"),
        ("DOCUMENTS_BUCKET", "storefront-test-documents"),
        ("STOREFRONTS_BUCKET", "storefront-test-sites"),
        ("SMTP_URL", "smtp://mailer@127.0.0.1:9"),
        ("MAIL_FROM", "no-reply@platform.example"),
        ("DOCUMENT_LINK_SECRET", "0123456789abcdef0123456789abcdef"),
        ("RUST_LOG", "info"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

fn binary(function: Function) -> PathBuf {
    match function {
        Function::Search => env!("CARGO_BIN_EXE_search"),
        Function::Accounts => env!("CARGO_BIN_EXE_accounts"),
        Function::Orders => env!("CARGO_BIN_EXE_orders"),
        Function::Wallet => env!("CARGO_BIN_EXE_wallet"),
        Function::Panel => env!("CARGO_BIN_EXE_panel"),
        Function::Invoices => env!("CARGO_BIN_EXE_invoices"),
        Function::Scheduler => env!("CARGO_BIN_EXE_scheduler"),
        Function::Backoffice => env!("CARGO_BIN_EXE_backoffice"),
    }
    .into()
}

#[test]
fn a_binary_missing_a_variable_stops_at_once_naming_it() {
    for (missing, functions) in [
        ("TABLE_NAME", &Function::ALL[..]),
        ("AWS_REGION", &[Function::Search][..]),
        (
            "DOCUMENTS_BUCKET",
            &[Function::Panel, Function::Backoffice][..],
        ),
        ("STOREFRONTS_BUCKET", &[Function::Backoffice][..]),
        ("SMTP_URL", &[Function::Scheduler][..]),
        (
            "DOCUMENT_LINK_SECRET",
            &[Function::Orders, Function::Backoffice][..],
        ),
    ] {
        for &function in functions {
            let env = deployed_env(function.name(), "127.0.0.1:9", "http://127.0.0.1:9");
            let out = Command::new(binary(function))
                .env_clear()
                .envs(env.into_iter().filter(|(k, _)| *k != missing))
                .stdin(Stdio::null())
                .output()
                .expect("run");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{function:?}: {stderr}");
            assert!(
                stderr.contains(&format!("{missing} is not set")),
                "{function:?} without {missing}: {stderr}"
            );
        }
    }
}

/// One HTTP/1.1 request as a tiny server reads it.
struct Incoming {
    method: String,
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

/// A tiny HTTP/1.1 server on loopback, keep-alive, answering each request
/// with what `answer` returns (`None`: never answer, as the Runtime API
/// holds `next` until there is an event). Its address.
fn http_server(answer: impl Fn(&Incoming) -> Option<String> + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let answer = answer.clone();
            std::thread::spawn(move || serve(stream, answer.as_ref()));
        }
    });
    addr
}

fn serve(stream: TcpStream, answer: &dyn Fn(&Incoming) -> Option<String>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("").to_string(),
        );
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let incoming = Incoming {
            method,
            path,
            headers,
            body,
        };
        match answer(&incoming) {
            Some(reply) => {
                if out.write_all(reply.as_bytes()).is_err() {
                    return;
                }
            }
            None => {
                std::thread::sleep(Duration::from_secs(3600));
                return;
            }
        }
    }
}

fn reply(status: &str, content_type: &str, extra: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n{extra}content-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// A minimal Lambda Runtime API: hands out `events` in turn on
/// `GET .../invocation/next` (then holds the runtime there), and sends
/// each posted response down the channel.
fn runtime_api(events: Vec<String>) -> (String, mpsc::Receiver<(String, Vec<u8>)>) {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let events = std::sync::Mutex::new(events.into_iter().enumerate());
    let addr = http_server(move |r| {
        if r.method == "GET" && r.path.ends_with("/runtime/invocation/next") {
            let (n, event) = events.lock().expect("lock").next()?;
            let headers = format!(
                "lambda-runtime-aws-request-id: request-{n}\r\n\
                 lambda-runtime-deadline-ms: 9999999999999\r\n\
                 lambda-runtime-invoked-function-arn: arn:aws:lambda:ap-southeast-3:123456789012:function:f\r\n\
                 lambda-runtime-trace-id: Root=1-673f6c90-0a1b2c3d4e5f60718293a4b5\r\n"
            );
            return Some(reply("200 OK", "application/json", &headers, &event));
        }
        let _ = tx
            .lock()
            .expect("lock")
            .send((format!("{} {}", r.method, r.path), r.body.clone()));
        Some(reply(
            "202 Accepted",
            "application/json",
            "",
            "{\"status\":\"OK\"}",
        ))
    });
    (addr, rx)
}

/// Runs `function`'s binary on `env` until it has posted `n` answers.
fn run_binary(
    function: Function,
    env: Vec<(&str, String)>,
    posted: &mpsc::Receiver<(String, Vec<u8>)>,
    n: usize,
) -> Vec<(String, Vec<u8>)> {
    let mut child = Command::new(binary(function))
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let mut got = Vec::new();
    for _ in 0..n {
        match posted.recv_timeout(Duration::from_secs(60)) {
            Ok(p) => got.push(p),
            Err(e) => {
                let _ = child.kill();
                let out = child.wait_with_output().expect("output");
                panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
            }
        }
    }
    child.kill().expect("kill");
    child.wait().expect("wait");
    got
}

#[test]
fn the_search_binary_answers_events_from_the_runtime_api() {
    let (addr, posted) = runtime_api(vec![
        fixture("openapi-document.json", &[]),
        fixture("unknown-route.json", &[("session", "sf_theme=dark")]),
    ]);
    // Search keeps no files and sends no mail: it starts without their
    // variables.
    let env = deployed_env("search", &addr, "http://127.0.0.1:9")
        .into_iter()
        .filter(|(k, _)| !["DOCUMENTS_BUCKET", "SMTP_URL", "MAIL_FROM"].contains(k))
        .collect();
    let got = run_binary(Function::Search, env, &posted, 2);

    let (what, body) = &got[0];
    assert_eq!(
        what,
        "POST /2018-06-01/runtime/invocation/request-0/response"
    );
    let a = answer(serde_json::from_slice(body).expect("json"));
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.raw);
    assert_eq!(a.json()["info"]["title"], "Storefront API");

    let (what, body) = &got[1];
    assert_eq!(
        what,
        "POST /2018-06-01/runtime/invocation/request-1/response"
    );
    let a = answer(serde_json::from_slice(body).expect("json"));
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{:?}", a.raw);
    assert_eq!(a.json()["error"], "not_found");
}

/// The binary's DynamoDB client: to `AWS_ENDPOINT_URL`, in `AWS_REGION`,
/// signed with the execution role's credentials from Lambda's variables.
#[test]
fn the_search_binary_calls_dynamodb_as_lambda_configures_it() {
    let (tx, calls) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let dynamodb = http_server(move |r| {
        let _ = tx.lock().expect("lock").send((
            r.headers.clone(),
            String::from_utf8_lossy(&r.body).into_owned(),
        ));
        Some(reply(
            "400 Bad Request",
            "application/x-amz-json-1.0",
            "",
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#,
        ))
    });
    let (addr, posted) = runtime_api(vec![fixture("search.json", &[])]);
    let got = run_binary(
        Function::Search,
        deployed_env("search", &addr, &format!("http://{dynamodb}")),
        &posted,
        1,
    );
    // No table there: the search says the service is unavailable.
    let a = answer(serde_json::from_slice(&got[0].1).expect("json"));
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", a.raw);

    let (headers, body) = calls.recv_timeout(Duration::from_secs(5)).expect("a call");
    assert!(
        headers["x-amz-target"].starts_with("DynamoDB_20120810."),
        "{headers:?}"
    );
    let auth = &headers["authorization"];
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=ASIATESTKEY/")
            && auth.contains("/ap-southeast-3/dynamodb/aws4_request"),
        "{auth}"
    );
    assert_eq!(headers["x-amz-security-token"], "test-session-token");
    assert!(body.contains(r#""TableName":"storefront-test""#), "{body}");
}

/// Deployed behind the edge: API Gateway is addressed by its own name, the
/// storefront's host comes in X-Forwarded-Host, and only with the edge's
/// secret is any of it believed.
#[tokio::test]
async fn behind_the_edge_only_the_edge_is_answered_and_its_host_is_believed() {
    const SECRET: &str = "edge-secret-for-tests-0123456789abcdef";
    let mut w = world(|_| {}).await;
    w.services.edge_secret =
        Some(storefront_functions::forwarded::EdgeSecret::new(SECRET).expect("secret"));
    let through = |host: &str, secret: &str| {
        fixture(
            "search-through-edge.json",
            &[("host", host), ("secret", secret)],
        )
    };
    let a = invoke(&w, Function::Search, &through("toko.example", SECRET)).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.raw);
    assert_eq!(a.json()["results"][0]["domain"], "tokobudi.my.id");
    // The same request without the secret, or with a wrong one: refused.
    let wrong = SECRET.replace('e', "E");
    for secret in ["", wrong.as_str()] {
        let a = invoke(&w, Function::Search, &through("toko.example", secret)).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{:?}", a.raw);
    }
    // The API Gateway name itself is no storefront's.
    let a = invoke(&w, Function::Search, &fixture("search.json", &[])).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{:?}", a.raw);
    // A host that is no storefront's, even from the edge: not found.
    let a = invoke(&w, Function::Search, &through("other.example", SECRET)).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{:?}", a.raw);
}
