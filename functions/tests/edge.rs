//! The edge's on-demand TLS question, `GET /api/edge/ask?domain=<host>`,
//! through the app's router: yes (200) only for hosts of published
//! storefronts, as the local server publishes them; no (404) for any other
//! host; 400 for what is not a host name; never a 5xx.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use storefront_functions::app::Services;
use storefront_functions::registrar::sandbox::Sandbox;
use storefront_functions::store::embedded::EmbeddedStore;
use storefront_functions::store::{Condition, Item, Store};
use tower::ServiceExt;

struct World {
    router: Router,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

/// The fixture storefronts (toko: toko.example and www.toko.example; agen:
/// agen.example) published as `storefront serve` publishes them, with each
/// one's `<id>.localhost` beside its own domains.
async fn world() -> World {
    let snapshots = storefront_e2e::fixture_snapshots();
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.path().join("store.db")).expect("store"));
    storefront_functions::catalog::publish(store.as_ref(), snapshots, |id| {
        vec![format!("{id}.localhost")]
    })
    .await
    .expect("publish");
    World {
        router: world_router(store.clone()),
        store,
        _dir: dir,
    }
}

/// A new app over `store`, with nothing cached.
fn world_router(store: Arc<dyn Store>) -> Router {
    Services::with(
        store.clone(),
        Arc::new(Sandbox::new(Default::default(), store)),
    )
    .router()
}

/// Percent-encode every byte but unreserved ones.
fn encode(s: &str) -> String {
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

/// GET `uri` as Caddy asks: with the API's own host, not a storefront's.
async fn get(router: &Router, uri: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::builder()
        .uri(uri)
        .header("host", "api.internal:8080")
        .body(Body::empty())
        .expect("request");
    let resp = router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .expect("body")
        .to_vec();
    (status, body)
}

async fn ask(router: &Router, domain: &str) -> StatusCode {
    get(router, &format!("/api/edge/ask?domain={}", encode(domain)))
        .await
        .0
}

#[tokio::test]
async fn a_storefronts_hosts_may_have_a_certificate() {
    let w = world().await;
    for host in [
        "toko.example",
        "www.toko.example",
        "agen.example",
        // As the local server publishes them.
        "toko.localhost",
        "agen.localhost",
        // Case and the root's trailing dot do not matter.
        "TOKO.Example",
        "www.toko.example.",
    ] {
        let (status, body) =
            get(&w.router, &format!("/api/edge/ask?domain={}", encode(host))).await;
        assert_eq!(status, StatusCode::OK, "{host}");
        assert!(body.is_empty(), "{host}: a bare yes");
    }
}

#[tokio::test]
async fn any_other_host_may_not() {
    let w = world().await;
    for host in [
        "other.example",
        "shop.toko.example",
        "toko.example.com",
        "oko.example",
        "wwwtoko.example",
        "nusantara.localhost",
        "localhost.localhost",
        "toko.localhost.example",
        "xn--bcher-kva.example",
    ] {
        assert_eq!(ask(&w.router, host).await, StatusCode::NOT_FOUND, "{host}");
    }
    // A host item left pointing at a storefront with no catalogue (never
    // published, or withdrawn) is not served, so gets no certificate.
    w.store
        .put(
            Item::new("HOST#ghost.example", "TENANT", json!({"reseller": "ghost"})),
            Condition::None,
        )
        .await
        .expect("put");
    assert_eq!(ask(&w.router, "ghost.example").await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn what_is_not_a_host_name_is_refused() {
    let w = world().await;
    // Ports, IP addresses, Unicode (Caddy asks with the SNI, in ASCII), garbage.
    for domain in [
        "",
        ".",
        "toko.example:443",
        "toko.example:",
        "127.0.0.1",
        "10.0.0.1.",
        "::1",
        "[::1]",
        // One label is no storefront's domain.
        "example",
        "localhost",
        "[::1]:443",
        "bücher.example",
        "toko.example/path",
        "toko.example?x=1",
        "toko..example",
        "*.toko.example",
        "toko.example\0",
        "toko example",
        "-toko.example",
    ] {
        let (status, body) = get(
            &w.router,
            &format!("/api/edge/ask?domain={}", encode(domain)),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{domain:?}");
        let body: Value = serde_json::from_slice(&body).expect("json error");
        assert_eq!(body["error"], "invalid_host", "{domain:?}");
        assert_eq!(body["field"], "domain", "{domain:?}");
    }
    for uri in [
        "/api/edge/ask",
        "/api/edge/ask?",
        "/api/edge/ask?host=toko.example",
        "/api/edge/ask?domain=%zz",
        "/api/edge/ask?domain=%FF%FE",
        &format!("/api/edge/ask?domain={}", "a.".repeat(200)),
    ] {
        assert_eq!(
            get(&w.router, uri).await.0,
            StatusCode::BAD_REQUEST,
            "{uri}"
        );
    }
    // Only GET.
    let req = Request::builder()
        .method("POST")
        .uri("/api/edge/ask?domain=toko.example")
        .body(Body::empty())
        .expect("request");
    let resp = w.router.clone().oneshot(req).await.expect("infallible");
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn naughty_strings_never_get_a_certificate_or_a_5xx() {
    let w = world().await;
    let blns: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(storefront_e2e::repo_root().join("core/tests/data/blns.json"))
            .expect("blns"),
    )
    .expect("blns json");
    assert!(blns.len() > 500);
    for s in &blns {
        for domain in [
            s.clone(),
            format!("{s}.toko.example"),
            format!("toko.example{s}"),
        ] {
            let status = ask(&w.router, &domain).await;
            // The corpus's empty string and "." leave toko.example itself.
            let known = ["toko.example", "toko.example."].contains(&domain.as_str());
            if known {
                assert_eq!(status, StatusCode::OK, "{domain:?}");
            } else {
                assert!(
                    status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND,
                    "{domain:?}: {status}"
                );
            }
        }
        // Raw, as a client may send it: whatever the query parser makes of it.
        let raw: String = s
            .chars()
            .filter(|c| c.is_ascii_graphic() && *c != '#')
            .collect();
        if let Ok(uri) = format!("/api/edge/ask?domain={raw}").parse::<axum::http::Uri>() {
            let (status, _) = get(&w.router, &uri.to_string()).await;
            assert!(!status.is_server_error(), "{raw:?}: {status}");
            assert_ne!(status, StatusCode::OK, "{raw:?}");
        }
    }
}

#[tokio::test]
async fn the_api_document_describes_the_question() {
    let w = world().await;
    let (status, body) = get(&w.router, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_slice(&body).expect("json");
    let ask = &doc["paths"]["/api/edge/ask"]["get"];
    assert_eq!(ask["tags"][0], "edge");
    assert_eq!(ask["parameters"][0]["name"], "domain");
    for code in ["200", "400", "404", "503"] {
        assert!(ask["responses"][code].is_object(), "response {code}");
    }
}

/// The reseller a host's item names, read from the store (the router's
/// cache would hide a change for a moment).
async fn owner(store: &dyn Store, host: &str) -> Option<String> {
    store
        .get(&format!("HOST#{host}"), "TENANT")
        .await
        .expect("get")
        .map(|i| i.data["reseller"].as_str().expect("reseller").to_string())
}

/// One fixture storefront's snapshot, to change before publishing it.
fn snapshot_of(reseller: &str) -> storefront_core::snapshot::Snapshot {
    storefront_e2e::fixture_snapshots()
        .iter()
        .find(|s| s.reseller == reseller)
        .unwrap_or_else(|| panic!("no fixture storefront {reseller}"))
        .clone()
}

#[tokio::test]
async fn a_host_dropped_from_the_content_is_unpublished() {
    let w = world().await;
    let mut toko = snapshot_of("toko");
    toko.domains.retain(|d| d != "www.toko.example");
    storefront_functions::catalog::publish(
        w.store.as_ref(),
        std::slice::from_ref(&toko),
        |_| vec![],
    )
    .await
    .expect("publish");
    assert_eq!(owner(w.store.as_ref(), "www.toko.example").await, None);
    // So is the local host, which this publication did not list.
    assert_eq!(owner(w.store.as_ref(), "toko.localhost").await, None);
    assert_eq!(
        owner(w.store.as_ref(), "toko.example").await.as_deref(),
        Some("toko")
    );
    let fresh = world_router(w.store.clone());
    assert_eq!(ask(&fresh, "www.toko.example").await, StatusCode::NOT_FOUND);
    assert_eq!(ask(&fresh, "toko.example").await, StatusCode::OK);

    // Published again as before: the host is back.
    storefront_functions::catalog::publish(
        w.store.as_ref(),
        storefront_e2e::fixture_snapshots(),
        |_| vec![],
    )
    .await
    .expect("publish");
    assert_eq!(
        owner(w.store.as_ref(), "www.toko.example").await.as_deref(),
        Some("toko")
    );
}

#[tokio::test]
async fn a_host_moved_to_another_reseller_stays_with_it_in_either_order() {
    let mut toko = snapshot_of("toko");
    let mut agen = snapshot_of("agen");
    toko.domains.retain(|d| d != "www.toko.example");
    agen.domains.push("www.toko.example".into());
    for order in [[&toko, &agen], [&agen, &toko]] {
        let w = world().await;
        let moved: Vec<_> = order.iter().map(|s| (*s).clone()).collect();
        storefront_functions::catalog::publish(w.store.as_ref(), &moved, |_| vec![])
            .await
            .expect("publish");
        assert_eq!(
            owner(w.store.as_ref(), "www.toko.example").await.as_deref(),
            Some("agen"),
            "published in the order {:?}",
            order.map(|s| &s.reseller)
        );
    }
}
