//! Search through the router as the storefront calls it: the fixture sites'
//! catalogues are published to an embedded store, and requests go through
//! `tower::ServiceExt::oneshot`.

mod common;

use async_trait::async_trait;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use storefront_functions::app::Services;
use storefront_functions::registrar::sandbox::{Sandbox, SandboxConfig};
use storefront_functions::registrar::{Availability, Check, Registrar, RegistrarError};
use storefront_functions::store::Store;
use storefront_functions::tenant::PreviewTenant;
use tower::ServiceExt;

struct World {
    router: Router,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

async fn world(
    registrar: impl FnOnce(Arc<dyn Store>) -> Arc<dyn Registrar>,
    tune: impl FnOnce(&mut Services),
) -> World {
    let (store, dir) = common::published_store().await;
    let mut services = Services::with(store.clone(), registrar(store.clone()));
    tune(&mut services);
    World {
        router: services.router(),
        store,
        _dir: dir,
    }
}

fn sandbox(
    tune: impl FnOnce(&mut SandboxConfig),
) -> impl FnOnce(Arc<dyn Store>) -> Arc<dyn Registrar> {
    let mut config = SandboxConfig {
        taken_percent: 0,
        premium_percent: 0,
        ..Default::default()
    };
    tune(&mut config);
    move |store| Arc::new(Sandbox::new(config, store))
}

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn call(
    router: &Router,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut req = Request::builder().uri(path).header("host", host);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 22)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

async fn search(router: &Router, host: &str, q: &str) -> (StatusCode, Value) {
    let (status, body) = call(router, host, &format!("/api/search?q={}", encode(q)), &[]).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}")),
    )
}

fn domains(v: &Value) -> Vec<(String, String)> {
    v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["domain"].as_str().unwrap_or("").to_string(),
                r["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

const NBSP: char = '\u{a0}';

#[tokio::test]
async fn the_typed_extension_comes_first_then_its_group_then_suggestions() {
    let w = world(sandbox(|_| {}), |_| {}).await;
    let (status, v) = search(&w.router, "toko.example", "HTTPS://www.Toko Budi.my.id/").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "tokobudi");
    let d = domains(&v);
    assert_eq!(d[0], ("tokobudi.my.id".into(), "available".into()));
    assert_eq!(d[1], ("tokobudi.co.id".into(), "available".into()));
    assert!(
        d[2..].iter().all(|(x, _)| x.ends_with(".my.id")),
        "suggestions use the typed extension: {d:?}"
    );
    assert!(v["results"][2]["suggestion"].as_bool().expect("bool"));
    // my.id runs a promotion: Rp 10.000 (PPN included), instead of
    // 9.000 + 20% rounded up to Rp 11.000.
    let p = &v["results"][0]["price"];
    assert_eq!(p["display"], format!("Rp{NBSP}10.000"));
    assert_eq!(p["regular"]["display"], format!("Rp{NBSP}11.000"));
    // co.id: 240.000 + 20% = Rp 288.000 shown and charged, PPN 28.541 in it.
    assert_eq!(v["results"][1]["price"]["register"]["net"], "259459");
    assert_eq!(v["results"][1]["price"]["register"]["gross"], "288000");
    assert_eq!(
        v["results"][1]["price"]["display"],
        format!("Rp{NBSP}288.000")
    );

    // A bare name expands over the first group.
    let (_, v) = search(&w.router, "toko.example", "tokobudi").await;
    assert_eq!(domains(&v)[0].0, "tokobudi.co.id");
}

#[tokio::test]
async fn registered_names_are_taken() {
    let mut handle = None;
    let w = world(
        |store| {
            let s = Arc::new(Sandbox::new(
                SandboxConfig {
                    taken_percent: 0,
                    premium_percent: 0,
                    ..Default::default()
                },
                store,
            ));
            handle = Some(s.clone());
            s
        },
        |_| {},
    )
    .await;
    handle
        .expect("sandbox")
        .register("tokobudi.co.id", 1)
        .await
        .expect("register");
    let (_, v) = search(&w.router, "toko.example", "tokobudi.co.id").await;
    assert_eq!(domains(&v)[0], ("tokobudi.co.id".into(), "taken".into()));
    assert_eq!(v["results"][0]["available"], Value::Bool(false));
}

#[tokio::test]
async fn names_the_registry_refuses_are_not_checked() {
    let w = world(sandbox(|_| {}), |_| {}).await;
    let (_, v) = search(&w.router, "toko.example", "ab.co.id").await;
    let first = &v["results"][0];
    assert_eq!(first["status"], "invalid");
    assert_eq!(first["reason"]["code"], "too_short");
    assert_eq!(first["price"], Value::Null);
}

#[tokio::test]
async fn bad_queries_get_a_400_naming_the_field_in_the_shoppers_language() {
    let w = world(sandbox(|_| {}), |_| {}).await;
    let (status, v) = search(&w.router, "toko.example", "-toko-.co.id").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["field"], "q");
    assert_eq!(v["error"], "hyphen_edge");
    let id_message = v["message"].as_str().expect("message").to_string();
    let (_, en) = call(
        &w.router,
        "toko.example",
        "/api/search?q=-toko-.co.id",
        &[("accept-language", "en-GB,en;q=0.9")],
    )
    .await;
    let en: Value = serde_json::from_str(&en).expect("json");
    assert_ne!(en["message"], id_message, "English when asked: {en}");
    // Polish is not a language of this storefront: its default (Indonesian) answers.
    let (_, pl) = call(
        &w.router,
        "toko.example",
        "/api/search?q=-toko-.co.id&lang=pl",
        &[],
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&pl).expect("json")["message"],
        id_message
    );

    for (q, code) in [
        ("", "empty"),
        ("toko.xyz", "unknown_extension"),
        ("a.b.toko.co.id", "subdomain"),
        ("toko_budi", "invalid_character"),
    ] {
        let (status, v) = search(&w.router, "toko.example", q).await;
        assert_eq!(
            (status, v["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some(code)),
            "{q:?}: {v}"
        );
    }
    let long = "a".repeat(400);
    assert_eq!(
        search(&w.router, "toko.example", &long).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn each_storefront_sees_only_its_own_catalogue() {
    let w = world(sandbox(|_| {}), |_| {}).await;
    // agen buys .com from toko at +5% (159.600) and sells at +10%, rounded up to 500.
    let (status, v) = search(&w.router, "agen.example", "tokobudi.com").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["results"][0]["price"]["register"]["net"], "176000");
    assert_eq!(
        v["results"][0]["price"]["display"],
        format!("IDR{NBSP}176,000")
    );
    // agen does not sell .my.id, toko does.
    assert_eq!(
        search(&w.router, "agen.example", "tokobudi.my.id").await.1["error"],
        "unknown_extension"
    );
    // No storefront on this host: 404, whatever the query.
    let (status, v) = search(&w.router, "evil.example", "tokobudi.com").await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = search(&w.router, "", "tokobudi.com").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_preview_path_names_the_storefront() {
    let w = world(sandbox(|_| {}), |_| {}).await;
    let mut req = Request::builder()
        .uri("/api/search?q=tokobudi")
        .header("host", "127.0.0.1")
        .body(Body::empty())
        .expect("request");
    req.extensions_mut().insert(PreviewTenant("agen".into()));
    let resp = w.router.clone().oneshot(req).await.expect("infallible");
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value = serde_json::from_slice(
        &axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .expect("body"),
    )
    .expect("json");
    assert_eq!(v["currency"], "IDR");
    assert_eq!(
        domains(&v)[0].0,
        "tokobudi.com",
        "agen's first group starts with .com"
    );
}

#[tokio::test]
async fn premium_names_are_priced_from_the_registry_through_every_level() {
    let w = world(sandbox(|c| c.premium_percent = 100), |_| {}).await;
    let (_, v) = search(&w.router, "toko.example", "emas.co.id").await;
    let r = &v["results"][0];
    assert_eq!(r["premium"], true);
    // Registry Rp 7.500.000 -> toko +20% = 9.000.000 shown with PPN 11%
    // in it (a net of 8.108.108), as it is charged.
    assert_eq!(r["price"]["register"]["net"], "8108108");
    assert_eq!(r["price"]["register"]["gross"], "9000000");
    assert_eq!(r["price"]["display"], format!("Rp{NBSP}9.000.000"));
}

/// A registrar whose answers the test scripts: a delay per extension, a
/// failure mode, and counters.
#[derive(Debug, Default)]
struct Scripted {
    slow_ext: Option<(&'static str, Duration)>,
    fail: bool,
    calls: AtomicUsize,
    inflight: AtomicUsize,
    max_inflight: AtomicUsize,
}

#[async_trait]
impl Registrar for Scripted {
    fn upstream(&self, domain: &str) -> String {
        // Two upstreams, as with two RDAP servers.
        if domain.ends_with(".com") {
            "verisign".into()
        } else {
            "pandi".into()
        }
    }

    async fn check(&self, domain: &str) -> Result<Check, RegistrarError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.inflight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_inflight.fetch_max(now, Ordering::SeqCst);
        let delay = match self.slow_ext {
            Some((ext, d)) if domain.ends_with(ext) => d,
            _ => Duration::from_millis(20),
        };
        tokio::time::sleep(delay).await;
        self.inflight.fetch_sub(1, Ordering::SeqCst);
        if self.fail {
            return Err(RegistrarError::Upstream("registry said 500".into()));
        }
        Ok(Check {
            domain: domain.into(),
            availability: Availability::Available,
            premium: None,
        })
    }
}

#[tokio::test]
async fn results_stream_as_they_arrive() {
    let slow = Arc::new(Scripted {
        slow_ext: Some((".co.id", Duration::from_millis(600))),
        ..Default::default()
    });
    let reg = slow.clone();
    let w = world(move |_| reg, |s| s.search.suggestions = 0).await;
    let req = Request::builder()
        .uri("/api/search?q=tokobudi.my.id")
        .header("host", "toko.example")
        .header("accept", "application/x-ndjson")
        .body(Body::empty())
        .expect("req");
    let start = Instant::now();
    let resp = w.router.clone().oneshot(req).await.expect("infallible");
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("application/x-ndjson")
    );
    let mut body = resp.into_body().into_data_stream();
    let mut lines: Vec<(Duration, Value)> = Vec::new();
    let mut buf = Vec::new();
    use futures_util::StreamExt;
    while let Some(chunk) = body.next().await {
        buf.extend_from_slice(&chunk.expect("chunk"));
        while let Some(i) = buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buf.drain(..=i).collect();
            lines.push((
                start.elapsed(),
                serde_json::from_slice(&line).expect("ndjson line"),
            ));
        }
    }
    let kinds: Vec<&str> = lines
        .iter()
        .map(|(_, v)| v["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["query", "result", "result", "done"]);
    assert_eq!(
        lines[1].1["domain"], "tokobudi.my.id",
        "the fast answer comes first"
    );
    assert_eq!(lines[2].1["domain"], "tokobudi.co.id");
    assert!(
        lines[1].0 < Duration::from_millis(400),
        "the first result did not wait for the slow one: {:?}",
        lines[1].0
    );
    assert!(lines[2].0 >= Duration::from_millis(550));
}

#[tokio::test]
async fn a_slow_or_failing_registry_is_unknown_never_available() {
    let slow = Arc::new(Scripted {
        slow_ext: Some((".co.id", Duration::from_secs(5))),
        ..Default::default()
    });
    let reg = slow.clone();
    let w = world(
        move |_| reg,
        |s| s.search.timeout = Duration::from_millis(150),
    )
    .await;
    let start = Instant::now();
    let (_, v) = search(&w.router, "toko.example", "tokobudi.co.id").await;
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "the timeout bounds the search"
    );
    assert_eq!(v["results"][0]["status"], "unknown");
    assert_eq!(v["results"][0]["available"], Value::Null);

    let failing = Arc::new(Scripted {
        fail: true,
        ..Default::default()
    });
    let reg = failing.clone();
    let w = world(move |_| reg, |_| {}).await;
    let (status, v) = search(&w.router, "toko.example", "tokobudi").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        v["results"]
            .as_array()
            .expect("results")
            .iter()
            .all(|r| r["status"] == "unknown" && r["available"].is_null()),
        "{v}"
    );
    // Unknown answers are not cached: the next search asks again.
    let before = failing.calls.load(Ordering::SeqCst);
    search(&w.router, "toko.example", "tokobudi").await;
    assert!(failing.calls.load(Ordering::SeqCst) > before);
}

#[tokio::test]
async fn clear_answers_are_cached_and_upstreams_are_limited() {
    let counting = Arc::new(Scripted::default());
    let reg = counting.clone();
    let w = world(move |_| reg, |s| s.search.per_upstream_concurrency = 2).await;
    let (_, v) = search(&w.router, "toko.example", "tokobudi").await;
    let n = v["results"].as_array().expect("results").len();
    assert_eq!(counting.calls.load(Ordering::SeqCst), n);
    assert!(
        counting.max_inflight.load(Ordering::SeqCst) <= 2,
        "at most two checks in flight per upstream"
    );
    search(&w.router, "toko.example", "tokobudi").await;
    assert_eq!(
        counting.calls.load(Ordering::SeqCst),
        n,
        "the second search came from the cache"
    );
}

#[tokio::test]
async fn hostile_queries_never_fail_the_server() {
    let w = world(sandbox(|_| {}), |_| {}).await;
    let blns: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(storefront_e2e::repo_root().join("core/tests/data/blns.json"))
            .expect("blns"),
    )
    .expect("parse");
    for q in blns.iter().chain(
        [
            "<script>alert(1)</script>.co.id".to_string(),
            "%00".into(),
            "🦀.com".into(),
            "a".repeat(10_000),
        ]
        .iter(),
    ) {
        let (status, body) = call(
            &w.router,
            "toko.example",
            &format!("/api/search?q={}", encode(q)),
            &[],
        )
        .await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{q:?} -> {status}: {body}"
        );
        let v: Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{q:?}: not JSON: {body}"));
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(v["field"], "q");
            assert!(!v["message"].as_str().unwrap_or("").is_empty());
        }
    }
    let _ = w.store;
}
