//! A registrant's documents through API Gateway events (payload v2, the
//! orders function's router): the hostile-upload corpus answered 4xx, each
//! with its exact code and message, with the stored versions unchanged;
//! and, on a local S3 (moto), the upload straight to a quarantine key by
//! presigned POST, completed into a version or refused and deleted.

use axum::http::StatusCode;
use lambda_http::lambda_runtime::{Context, LambdaEvent};
use lambda_http::request::LambdaRequest;
use lambda_http::tower::ServiceExt;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use storefront_core::catalogue::{DocumentItem, DocumentKind, Translated};
use storefront_core::ledger::Party;
use storefront_e2e::moto::Moto;
use storefront_functions::accounts::{self, AccountsConfig};
use storefront_functions::app::Services;
use storefront_functions::blobs::Blobs;
use storefront_functions::documents::Documents;
use storefront_functions::registrar::sandbox::{Sandbox, SandboxConfig};
use storefront_functions::store::Store;
use storefront_functions::store::embedded::EmbeddedStore;
use storefront_lambda::Function;

const PASSWORD: &str = "kopi tubruk 1998";
const CUSTOMER: &str = "budi@example.com";
const OTHER: &str = "siti@example.com";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
/// The 1x1 PNG of the wallet's fixtures: a real image, of a type `ktp`
/// does not accept here.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x02, 0x01, 0xa5, 0xf5, 0xd8, 0xb9, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
/// `ktp`'s limit in the fixture catalogue: 2048 KB.
const KTP_MAX: usize = 2048 * 1024;
/// The text item this test adds to `.co.id`, and its limit.
const NPWP_MAX: u32 = 16;

struct World {
    services: Services,
    _dir: tempfile::TempDir,
}

/// The fixture sites published to an embedded store, `.co.id` asking for a
/// text item too (the fixture catalogue has none), two customers of toko.
async fn world(blobs: Option<Arc<dyn Blobs>>) -> World {
    let mut snapshots = storefront_e2e::fixture_snapshots().to_vec();
    for s in &mut snapshots {
        s.document_items.insert(
            "npwp".into(),
            DocumentItem {
                label: Translated {
                    en: "Tax number (NPWP)".into(),
                    id: Some("NPWP".into()),
                    pl: None,
                },
                help: None,
                kind: DocumentKind::Text,
                accept: vec![],
                max_size_kb: None,
                options: vec![],
                max_length: Some(NPWP_MAX),
            },
        );
        if let Some(items) = s.documents.get_mut("co.id") {
            items.push("npwp".into());
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.path().join("store.db")).expect("store"));
    storefront_functions::catalog::publish(store.as_ref(), &snapshots, |_| vec![])
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
    services.mailer = Arc::new(accounts::Outbox::new(dir.path().join("outbox")));
    services.blobs = blobs.unwrap_or_else(|| {
        Arc::new(storefront_functions::blobs::LocalBlobs::new(
            dir.path().join("files"),
        ))
    });
    services.accounts = AccountsConfig::fast_for_tests();
    let config = services.accounts.clone();
    for email in [CUSTOMER, OTHER] {
        accounts::create_demo_customer(store.as_ref(), "toko", email, PASSWORD, &config)
            .await
            .expect("customer");
    }
    World {
        services,
        _dir: dir,
    }
}

fn fixture(name: &str, fill: &[(&str, &str)]) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let mut text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for (k, v) in fill {
        text = text.replace(&format!("{{{{{k}}}}}"), v);
    }
    assert!(!text.contains("{{"), "{name}: a placeholder left in {text}");
    text
}

/// An event through the function's router as the runtime hands it over:
/// the status and the JSON body.
async fn invoke(w: &World, function: Function, event: &str) -> (StatusCode, Value) {
    let (status, _, body) = invoke_raw(w, function, event).await;
    let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, v)
}

/// `invoke`'s answer as it is: status, headers (the response's JSON
/// object) and the body's bytes.
async fn invoke_raw(w: &World, function: Function, event: &str) -> (StatusCode, Value, Vec<u8>) {
    let request: LambdaRequest = serde_json::from_str(event).expect("an HTTP API v2 event");
    let router = storefront_lambda::router(function, &w.services);
    let response = lambda_http::Adapter::from(router)
        .oneshot(LambdaEvent::new(request, Context::default()))
        .await
        .expect("the router is infallible");
    let raw = serde_json::to_value(&response).expect("the response serialises");
    let status =
        StatusCode::from_u16(raw["statusCode"].as_u64().expect("status") as u16).expect("a status");
    let text = raw["body"].as_str().unwrap_or("");
    let body = if raw["isBase64Encoded"].as_bool() == Some(true) {
        base64_decode(text)
    } else {
        text.as_bytes().to_vec()
    };
    (status, raw["headers"].clone(), body)
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
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

/// One request to the orders API as API Gateway sends it: `route` is the
/// template's route (`/api/orders/{id}/...`), `path` the request's.
struct Call<'a> {
    method: &'a str,
    route: &'a str,
    path: String,
    query: String,
    content_type: &'a str,
    body: Vec<u8>,
}

impl Call<'_> {
    fn json<'a>(method: &'a str, route: &'a str, path: String, body: Value) -> Call<'a> {
        Call {
            method,
            route,
            path,
            query: String::new(),
            content_type: "application/json",
            body: body.to_string().into_bytes(),
        }
    }
}

async fn call(w: &World, session: &str, c: Call<'_>) -> (StatusCode, Value) {
    let body = base64(&c.body);
    let event = fixture(
        "orders-api.json",
        &[
            ("method", c.method),
            ("route", c.route),
            ("path", &c.path),
            ("query", &c.query),
            ("session", session),
            ("content_type", c.content_type),
            ("idempotency_key", "documents-1"),
            ("body", &body),
        ],
    );
    invoke(w, Function::Orders, &event).await
}

async fn sign_in(w: &World, email: &str) -> String {
    let event = fixture("accounts-signin.json", &[("email", email)]);
    let request: LambdaRequest = serde_json::from_str(&event).expect("event");
    let router = storefront_lambda::router(Function::Accounts, &w.services);
    let response = lambda_http::Adapter::from(router)
        .oneshot(LambdaEvent::new(request, Context::default()))
        .await
        .expect("infallible");
    let raw = serde_json::to_value(&response).expect("json");
    assert_eq!(raw["statusCode"], 200, "{raw}");
    raw["cookies"]
        .as_array()
        .expect("cookies")
        .iter()
        .filter_map(Value::as_str)
        .find(|c| c.starts_with("__Host-sf_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string()
}

/// A paid `.co.id` order of the customer's, its documents open: (session,
/// order id, line id).
async fn co_id_order(w: &World) -> (String, String, String) {
    let session = sign_in(w, CUSTOMER).await;
    let me = invoke(
        w,
        Function::Accounts,
        &fixture("accounts-me.json", &[("session", &session)]),
    )
    .await
    .1;
    let account = me["id"].as_str().expect("account id");
    let ledger = &w.services.orders().ledger;
    let toko = Party::reseller("toko");
    for (holder, parent, bank) in [
        (toko.clone(), Party::Platform, "bca-idr"),
        (Party::customer("toko", account), toko, "bca"),
    ] {
        let t = ledger
            .request_topup(storefront_functions::ledger::topups::Request {
                holder,
                parent: parent.clone(),
                currency: storefront_core::Currency::IDR,
                amount: rust_decimal::Decimal::from(5_000_000),
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
    let items = json!({"items": [{"domain": "dokumen.co.id", "action": "register", "years": 1}]});
    let (status, quote) = call(
        w,
        &session,
        Call::json(
            "POST",
            "/api/orders/quote",
            "/api/orders/quote".into(),
            items,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let (status, order) = call(
        w,
        &session,
        Call::json(
            "POST",
            "/api/orders",
            "/api/orders".into(),
            json!({"quote": quote["id"], "payment": "wallet"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let id = order["id"].as_str().expect("id").to_string();
    let line = order["lines"][0]["id"].as_str().expect("line").to_string();
    (session, id, line)
}

const DOCS: &str = "/api/orders/{id}/documents";
const ITEM: &str = "/api/orders/{id}/documents/{line}/{item}";
const UPLOADS: &str = "/api/orders/{id}/documents/{line}/{item}/uploads";
const COMPLETE: &str = "/api/orders/{id}/documents/{line}/{item}/uploads/{upload}/complete";

fn put_file(
    order: &str,
    line: &str,
    item: &str,
    name: &str,
    ct: &'static str,
    bytes: &[u8],
) -> Call<'static> {
    Call {
        method: "PUT",
        route: ITEM,
        path: format!("/api/orders/{order}/documents/{line}/{item}"),
        query: format!("name={}", percent(name)),
        content_type: ct,
        body: bytes.to_vec(),
    }
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every stored version of every item of the order's first line, as the
/// customer reads them: (item, state, version, what it holds).
async fn versions(w: &World, session: &str, order: &str) -> Vec<(String, Value, Value, Value)> {
    let (status, sets) = call(
        w,
        session,
        Call::json(
            "GET",
            DOCS,
            format!("/api/orders/{order}/documents"),
            Value::Null,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sets}");
    sets[0]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap_or_default().to_string(),
                i["state"].clone(),
                i["version"].clone(),
                i["holds"].clone(),
            )
        })
        .collect()
}

const KTP: &str = "Identity card (KTP)";

fn refused(code: &str, what: &str, item: &str, label: &str) -> Value {
    json!({"error": code, "message": format!("{label}: {what}"), "field": item})
}

#[tokio::test]
async fn the_hostile_upload_corpus_is_refused_and_nothing_stored_changes() {
    let w = world(None).await;
    let (me, id, line) = co_id_order(&w).await;
    // One good version of each item first: whatever comes next must leave
    // them exactly as they are.
    let (status, v) = call(
        &w,
        &me,
        put_file(&id, &line, "ktp", "ktp.pdf", "application/pdf", PDF),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let item_path = |item: &str| format!("/api/orders/{id}/documents/{line}/{item}");
    for (item, body) in [
        ("type", json!({"choice": "1"})),
        ("npwp", json!({"text": "0123456789"})),
    ] {
        let (status, v) = call(&w, &me, Call::json("PUT", ITEM, item_path(item), body)).await;
        assert_eq!(status, StatusCode::OK, "{item}: {v}");
    }
    let before = versions(&w, &me, &id).await;
    assert_eq!(before.len(), 3, "{before:?}");
    assert!(
        before.iter().all(|(_, s, v, _)| s == "submitted" && v == 1),
        "{before:?}"
    );

    let mut oversize = PDF.to_vec();
    oversize.resize(KTP_MAX - 6, b' ');
    oversize.extend_from_slice(b"%%EOF\n");
    oversize.push(b'\n');
    assert_eq!(oversize.len(), KTP_MAX + 1);
    let mut at_limit = oversize.clone();
    at_limit.pop();
    let html = b"<html><script>alert(document.cookie)</script></html>".to_vec();
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
    let mut polyglot = b"%PDF-1.4\n".to_vec();
    polyglot.extend_from_slice(
        b"<html><body><script>fetch('/api/wallet')</script></body></html>\n%%EOF\n",
    );
    let other = sign_in(&w, OTHER).await;

    let not_what = "this file is not a valid PDF, JPG or PNG. Save or scan the document again in one of these formats and send the new file.";
    let bad_name = "the file's name can't be used. Rename the file without slashes or special characters and send it again.";
    let not_found = json!({"error": "not_found", "message": "Nothing here."});
    let approved = "This document has already been approved and can no longer be replaced.";
    let cases: Vec<(&str, &str, Call<'static>, StatusCode, Value)> = vec![
        (
            "oversize",
            &me,
            put_file(&id, &line, "ktp", "ktp.pdf", "application/pdf", &oversize),
            StatusCode::PAYLOAD_TOO_LARGE,
            refused(
                "too_large",
                "the file is larger than 2048 KB. Send a smaller file.",
                "ktp",
                KTP,
            ),
        ),
        (
            "a type not accepted (a real PNG)",
            &me,
            put_file(&id, &line, "ktp", "ktp.png", "image/png", PNG),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            refused(
                "not_accepted",
                "this type of file is not accepted here. Send a PDF or JPG.",
                "ktp",
                KTP,
            ),
        ),
        (
            "HTML renamed .pdf",
            &me,
            put_file(&id, &line, "ktp", "ktp.pdf", "application/pdf", &html),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            refused("not_what_it_claims", not_what, "ktp", KTP),
        ),
        (
            "SVG renamed .pdf",
            &me,
            put_file(&id, &line, "ktp", "ktp.pdf", "application/pdf", &svg),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            refused("not_what_it_claims", not_what, "ktp", KTP),
        ),
        (
            "a PDF that is also a page",
            &me,
            put_file(&id, &line, "ktp", "ktp.pdf", "application/pdf", &polyglot),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            refused("not_what_it_claims", not_what, "ktp", KTP),
        ),
        (
            "an empty file",
            &me,
            put_file(&id, &line, "ktp", "ktp.pdf", "application/pdf", b""),
            StatusCode::BAD_REQUEST,
            refused(
                "empty",
                "the file is empty. Choose the file again.",
                "ktp",
                KTP,
            ),
        ),
        (
            "a name that is a path",
            &me,
            put_file(
                &id,
                &line,
                "ktp",
                "../../etc/ktp.pdf",
                "application/pdf",
                PDF,
            ),
            StatusCode::BAD_REQUEST,
            refused("bad_name", bad_name, "ktp", KTP),
        ),
        (
            "a name with a backslash",
            &me,
            put_file(&id, &line, "ktp", "C:\\ktp.pdf", "application/pdf", PDF),
            StatusCode::BAD_REQUEST,
            refused("bad_name", bad_name, "ktp", KTP),
        ),
        (
            "a name with a control character",
            &me,
            put_file(&id, &line, "ktp", "ktp\u{7}.pdf", "application/pdf", PDF),
            StatusCode::BAD_REQUEST,
            refused("bad_name", bad_name, "ktp", KTP),
        ),
        (
            "a name that reorders itself",
            &me,
            put_file(
                &id,
                &line,
                "ktp",
                "ktp\u{202E}fdp.exe",
                "application/pdf",
                PDF,
            ),
            StatusCode::BAD_REQUEST,
            refused("bad_name", bad_name, "ktp", KTP),
        ),
        (
            "a text over its length",
            &me,
            Call::json(
                "PUT",
                ITEM,
                item_path("npwp"),
                json!({"text": "01.234.567.8-901.000"}),
            ),
            StatusCode::BAD_REQUEST,
            refused(
                "text_too_long",
                "the answer can be at most 16 characters long.",
                "npwp",
                "Tax number (NPWP)",
            ),
        ),
        (
            "a choice not offered",
            &me,
            Call::json(
                "PUT",
                ITEM,
                item_path("type"),
                json!({"choice": "Government"}),
            ),
            StatusCode::BAD_REQUEST,
            refused(
                "choice_not_offered",
                "choose one of the options offered.",
                "type",
                "Registrant type",
            ),
        ),
        (
            "another customer's order",
            &other,
            put_file(&id, &line, "ktp", "ktp.pdf", "application/pdf", PDF),
            StatusCode::NOT_FOUND,
            not_found.clone(),
        ),
        (
            "another customer's order, by upload ticket",
            &other,
            Call::json(
                "POST",
                UPLOADS,
                format!("{}/uploads", item_path("ktp")),
                json!({"content_type": "application/pdf"}),
            ),
            StatusCode::NOT_FOUND,
            not_found.clone(),
        ),
        (
            "an item the line does not ask for",
            &me,
            put_file(&id, &line, "akta", "akta.pdf", "application/pdf", PDF),
            StatusCode::NOT_FOUND,
            not_found.clone(),
        ),
        (
            "a line the order does not have",
            &me,
            put_file(&id, "L9", "ktp", "ktp.pdf", "application/pdf", PDF),
            StatusCode::NOT_FOUND,
            not_found.clone(),
        ),
        (
            "a completion of an upload never made",
            &me,
            Call::json(
                "POST",
                COMPLETE,
                format!(
                    "{}/uploads/0123456789abcdef0123456789abcdef/complete",
                    item_path("ktp")
                ),
                json!({"name": "ktp.pdf"}),
            ),
            StatusCode::BAD_REQUEST,
            refused(
                "not_uploaded",
                "the file did not arrive. Choose the file and send it again.",
                "ktp",
                KTP,
            ),
        ),
        (
            "a completion of an upload id that is none of ours",
            &me,
            Call::json(
                "POST",
                COMPLETE,
                format!("{}/uploads/..%2F..%2Fdocuments/complete", item_path("ktp")),
                json!({"name": "ktp.pdf"}),
            ),
            StatusCode::BAD_REQUEST,
            refused(
                "not_uploaded",
                "the file did not arrive. Choose the file and send it again.",
                "ktp",
                KTP,
            ),
        ),
        (
            "an upload ticket for a type not accepted",
            &me,
            Call::json(
                "POST",
                UPLOADS,
                format!("{}/uploads", item_path("ktp")),
                json!({"content_type": "image/svg+xml"}),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            refused(
                "not_accepted",
                "this type of file is not accepted here. Send a PDF or JPG.",
                "ktp",
                KTP,
            ),
        ),
        (
            "an upload ticket for a text item",
            &me,
            Call::json(
                "POST",
                UPLOADS,
                format!("{}/uploads", item_path("npwp")),
                json!({"content_type": "application/pdf"}),
            ),
            StatusCode::BAD_REQUEST,
            refused(
                "wrong_kind",
                "this is not the kind of answer this item asks for.",
                "npwp",
                "Tax number (NPWP)",
            ),
        ),
    ];
    for (what, session, c, status, body) in cases {
        let (got, v) = call(&w, session, c).await;
        assert_eq!((got, &v), (status, &body), "{what}");
    }
    assert_eq!(
        versions(&w, &me, &id).await,
        before,
        "nothing stored changed"
    );

    // Locally the ticket says: PUT the bytes to the API, as before.
    let (status, v) = call(
        &w,
        &me,
        Call::json(
            "POST",
            UPLOADS,
            format!("{}/uploads", item_path("ktp")),
            json!({"content_type": "application/pdf"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"method": "PUT", "url": item_path("ktp"), "max_bytes": KTP_MAX})
    );

    // The file at its limit passes, as version 2; then it is approved, and
    // nothing may replace it, by either way.
    let (status, v) = call(
        &w,
        &me,
        put_file(&id, &line, "ktp", "ktp.pdf", "application/pdf", &at_limit),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["items"][0]["version"], 2, "{v}");
    let docs = Documents {
        store: w.services.store.clone(),
        blobs: w.services.blobs.clone(),
    };
    let d = storefront_core::documents::Decision {
        approve: true,
        reason: None,
        at: "2026-11-22T09:00:00Z",
        by: "owner",
    };
    docs.review(
        &id,
        &line,
        "ktp",
        2,
        d,
        storefront_core::documents::Level::Reseller,
    )
    .await
    .expect("approved");
    let before = versions(&w, &me, &id).await;
    for c in [
        put_file(&id, &line, "ktp", "ktp.pdf", "application/pdf", PDF),
        Call::json(
            "POST",
            UPLOADS,
            format!("{}/uploads", item_path("ktp")),
            json!({"content_type": "application/pdf"}),
        ),
    ] {
        let (status, v) = call(&w, &me, c).await;
        assert_eq!(
            (status, v),
            (
                StatusCode::CONFLICT,
                refused("wrong_state", approved, "ktp", KTP)
            ),
            "after approval"
        );
    }
    assert_eq!(versions(&w, &me, &id).await, before);
}

// ----- straight to S3, on moto -----

const BUCKET: &str = "storefront-test-documents";

/// The world with its files on moto's S3, as a deployed orders function
/// keeps them: (world, the S3 client to look with).
async fn on_s3(moto: &Moto) -> (World, aws_sdk_s3::Client) {
    let config = storefront_aws::local_config(&moto.endpoint()).await;
    let s3 = storefront_aws::s3_client(&config);
    s3.create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("bucket");
    let blobs = storefront_aws::S3Blobs::new(s3.clone(), BUCKET).with_uploads(&config);
    (world(Some(Arc::new(blobs))).await, s3)
}

/// A ticket for `item`, declaring `content_type`.
async fn ticket(
    w: &World,
    session: &str,
    order: &str,
    line: &str,
    item: &str,
    content_type: &str,
) -> Value {
    let (status, v) = call(
        w,
        session,
        Call::json(
            "POST",
            UPLOADS,
            format!("/api/orders/{order}/documents/{line}/{item}/uploads"),
            json!({"content_type": content_type}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

/// The browser's form POST: the ticket's fields, then the file.
async fn post_form(
    t: &Value,
    name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> reqwest::StatusCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in t["fields"].as_object().expect("fields") {
        form = form.text(k.clone(), v.as_str().expect("a text field").to_string());
    }
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(content_type)
        .expect("mime");
    form = form.part("file", part);
    reqwest::Client::new()
        .post(t["url"].as_str().expect("url"))
        .multipart(form)
        .send()
        .await
        .expect("the POST")
        .status()
}

async fn complete(
    w: &World,
    session: &str,
    order: &str,
    line: &str,
    item: &str,
    upload: &str,
    name: &str,
) -> (StatusCode, Value) {
    call(
        w,
        session,
        Call::json(
            "POST",
            COMPLETE,
            format!("/api/orders/{order}/documents/{line}/{item}/uploads/{upload}/complete"),
            json!({"name": name}),
        ),
    )
    .await
}

async fn exists(s3: &aws_sdk_s3::Client, key: &str) -> bool {
    s3.head_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .is_ok()
}

fn decoded_policy(t: &Value) -> Value {
    let policy = t["fields"]["policy"].as_str().expect("policy");
    serde_json::from_slice(&base64_decode(policy)).expect("the policy is JSON")
}

#[tokio::test]
async fn the_presigned_post_policy_carries_the_key_size_and_type() {
    let moto = Moto::start();
    let (w, _) = on_s3(&moto).await;
    let (me, id, line) = co_id_order(&w).await;
    let t = ticket(&w, &me, &id, &line, "ktp", "image/jpeg").await;
    assert_eq!(t["method"], "POST");
    assert_eq!(t["url"], format!("{}/{BUCKET}", moto.endpoint()));
    let upload = t["upload"].as_str().expect("upload");
    assert!(
        upload.len() == 32 && upload.bytes().all(|b| b.is_ascii_hexdigit()),
        "{upload}"
    );
    let key = format!("quarantine/{id}/{line}/ktp/{upload}");
    let f = &t["fields"];
    assert_eq!(f["key"], key.as_str());
    assert_eq!(f["Content-Type"], "image/jpeg");
    assert_eq!(f["x-amz-algorithm"], "AWS4-HMAC-SHA256");
    let today = chrono::Utc::now().format("%Y%m%d").to_string();
    assert_eq!(
        f["x-amz-credential"],
        format!("test/{today}/us-east-1/s3/aws4_request")
    );
    assert!(
        f["x-amz-date"]
            .as_str()
            .is_some_and(|d| d.starts_with(&today))
    );
    assert_eq!(f["x-amz-signature"].as_str().map(str::len), Some(64));

    let p = decoded_policy(&t);
    let conditions = p["conditions"].as_array().expect("conditions");
    for c in [
        json!({"bucket": BUCKET}),
        json!({"key": key}),
        json!(["content-length-range", 1, KTP_MAX]),
        json!({"Content-Type": "image/jpeg"}),
        json!({"x-amz-algorithm": "AWS4-HMAC-SHA256"}),
        json!({"x-amz-credential": f["x-amz-credential"]}),
        json!({"x-amz-date": f["x-amz-date"]}),
    ] {
        assert!(conditions.contains(&c), "{c} in {p}");
    }
    // Every field the form sends is in the policy (S3 refuses others), and
    // nothing else: no prefix condition, no second type.
    assert_eq!(conditions.len(), 7, "{p}");
    let expires =
        chrono::DateTime::parse_from_rfc3339(p["expiration"].as_str().expect("expiration"))
            .expect("a time");
    let left = expires.signed_duration_since(chrono::Utc::now());
    assert!(
        left > chrono::Duration::minutes(14) && left <= chrono::Duration::minutes(15),
        "{left}"
    );
    // A PDF-only ticket for a PDF: the type is the one declared and accepted.
    let t = ticket(&w, &me, &id, &line, "ktp", "application/pdf").await;
    assert!(
        decoded_policy(&t)["conditions"]
            .as_array()
            .expect("conditions")
            .contains(&json!({"Content-Type": "application/pdf"}))
    );
}

#[tokio::test]
async fn an_upload_to_quarantine_becomes_a_version_or_is_refused_and_deleted() {
    let moto = Moto::start();
    let (w, s3) = on_s3(&moto).await;
    let (me, id, line) = co_id_order(&w).await;

    // A PDF, posted with the ticket's form, completed: version 1.
    let t = ticket(&w, &me, &id, &line, "ktp", "application/pdf").await;
    let upload = t["upload"].as_str().expect("upload").to_string();
    let key = format!("quarantine/{id}/{line}/ktp/{upload}");
    let posted = post_form(&t, "ktp.pdf", "application/pdf", PDF.to_vec()).await;
    assert!(posted.is_success(), "{posted}");
    assert!(exists(&s3, &key).await, "waiting in quarantine");
    let (status, v) = complete(&w, &me, &id, &line, "ktp", &upload, "ktp.pdf").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["items"][0]["state"], "submitted", "{v}");
    assert_eq!(v["items"][0]["version"], 1, "{v}");
    assert_eq!(
        v["items"][0]["holds"],
        json!({"file": "ktp.pdf", "size": PDF.len(), "content_type": "application/pdf"})
    );
    assert!(!exists(&s3, &key).await, "gone from quarantine");
    let kept = format!("documents/{}", blake3_hex(PDF));
    let o = s3
        .get_object()
        .bucket(BUCKET)
        .key(&kept)
        .send()
        .await
        .expect("kept");
    assert_eq!(o.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(
        o.body.collect().await.expect("body").into_bytes().as_ref(),
        PDF
    );
    // Completing it again: it is gone.
    let (status, v) = complete(&w, &me, &id, &line, "ktp", &upload, "ktp.pdf").await;
    assert_eq!(
        (status, v),
        (
            StatusCode::BAD_REQUEST,
            refused(
                "not_uploaded",
                "the file did not arrive. Choose the file and send it again.",
                "ktp",
                KTP
            )
        )
    );
    let before = versions(&w, &me, &id).await;

    // moto takes what S3 would refuse by the policy (a larger file, another
    // type): the completion refuses it by its size and by its bytes, and
    // deletes it.
    let mut oversize = PDF.to_vec();
    oversize.resize(KTP_MAX + 1, b' ');
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
    let not_what = "this file is not a valid PDF, JPG or PNG. Save or scan the document again in one of these formats and send the new file.";
    for (what, bytes, status, body) in [
        (
            "oversize",
            oversize,
            StatusCode::PAYLOAD_TOO_LARGE,
            refused(
                "too_large",
                "the file is larger than 2048 KB. Send a smaller file.",
                "ktp",
                KTP,
            ),
        ),
        (
            "HTML sent as application/pdf, named .pdf",
            html,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            refused("not_what_it_claims", not_what, "ktp", KTP),
        ),
    ] {
        let t = ticket(&w, &me, &id, &line, "ktp", "application/pdf").await;
        let upload = t["upload"].as_str().expect("upload").to_string();
        let key = format!("quarantine/{id}/{line}/ktp/{upload}");
        assert!(
            post_form(&t, "ktp.pdf", "application/pdf", bytes)
                .await
                .is_success()
        );
        assert!(exists(&s3, &key).await, "{what}: uploaded");
        let got = complete(&w, &me, &id, &line, "ktp", &upload, "ktp.pdf").await;
        assert_eq!(got, (status, body), "{what}");
        assert!(!exists(&s3, &key).await, "{what}: deleted from quarantine");
    }

    // A completion for an object never uploaded.
    let t = ticket(&w, &me, &id, &line, "ktp", "application/pdf").await;
    let upload = t["upload"].as_str().expect("upload");
    let (status, v) = complete(&w, &me, &id, &line, "ktp", upload, "ktp.pdf").await;
    assert_eq!(
        (status, v),
        (
            StatusCode::BAD_REQUEST,
            refused(
                "not_uploaded",
                "the file did not arrive. Choose the file and send it again.",
                "ktp",
                KTP
            )
        )
    );
    // A bad name is refused like the PUT's, and the upload deleted too.
    let t = ticket(&w, &me, &id, &line, "ktp", "application/pdf").await;
    let upload = t["upload"].as_str().expect("upload").to_string();
    assert!(
        post_form(&t, "ktp.pdf", "application/pdf", PDF.to_vec())
            .await
            .is_success()
    );
    let (status, v) = complete(&w, &me, &id, &line, "ktp", &upload, "../ktp.pdf").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"], "bad_name");
    assert!(!exists(&s3, &format!("quarantine/{id}/{line}/ktp/{upload}")).await);
    // Another customer cannot complete the customer's upload.
    let t = ticket(&w, &me, &id, &line, "ktp", "application/pdf").await;
    let upload = t["upload"].as_str().expect("upload").to_string();
    assert!(
        post_form(&t, "ktp.pdf", "application/pdf", PDF.to_vec())
            .await
            .is_success()
    );
    let other = sign_in(&w, OTHER).await;
    let (status, _) = complete(&w, &other, &id, &line, "ktp", &upload, "ktp.pdf").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        exists(&s3, &format!("quarantine/{id}/{line}/ktp/{upload}")).await,
        "not theirs to delete"
    );

    assert_eq!(
        versions(&w, &me, &id).await,
        before,
        "nothing stored changed"
    );
}

fn blake3_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// A link from a documents view, followed as API Gateway hands it to the
/// orders function: status, headers, bytes.
async fn follow(w: &World, session: &str, link: &str) -> (StatusCode, Value, Vec<u8>) {
    let (path, query) = link.split_once('?').unwrap_or((link, ""));
    let event = fixture(
        "orders-api.json",
        &[
            ("method", "GET"),
            ("route", "/api/documents/file"),
            ("path", path),
            ("query", query),
            ("session", session),
            ("content_type", "application/json"),
            ("idempotency_key", "documents-1"),
            ("body", ""),
        ],
    );
    invoke_raw(w, Function::Orders, &event).await
}

#[tokio::test]
async fn a_document_is_read_through_its_short_lived_link_by_its_customer_only() {
    let mut w = world(None).await;
    let (me, id, line) = co_id_order(&w).await;
    let (status, set) = call(
        &w,
        &me,
        put_file(&id, &line, "ktp", "ktp.pdf", "application/pdf", PDF),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    let link = set["items"][0]["link"]
        .as_str()
        .expect("a link")
        .to_string();
    assert!(link.starts_with("/api/documents/file?t="), "{link}");
    let (status, headers, bytes) = follow(&w, &me, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["content-disposition"], "attachment");
    assert_eq!(headers["content-security-policy"], "sandbox");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");

    // Another customer, a visitor, a changed token: 404.
    let other = sign_in(&w, OTHER).await;
    let (status, _, _) = follow(&w, &other, &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another customer");
    let (status, _, _) = follow(&w, "", &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a visitor");
    let mut changed = link.clone().into_bytes();
    let last = changed.len() - 2;
    changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
    let changed = String::from_utf8(changed).expect("ascii");
    let (status, _, _) = follow(&w, &me, &changed).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a changed token");
    // The old route is not served.
    let (status, _, _) = follow(&w, &me, &format!("/api/orders/{id}/documents/{line}/ktp/1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the old route");

    // Six minutes on: 410 for its customer, 404 for anyone else.
    w.services.clock = Arc::new(storefront_functions::clock::ManualClock::new(
        chrono::Utc::now() + chrono::Duration::minutes(6),
    ));
    let (status, _, body) = follow(&w, &me, &link).await;
    assert_eq!(status, StatusCode::GONE);
    let e: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(e["error"], "link_expired");
    let (status, _, _) = follow(&w, &other, &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
