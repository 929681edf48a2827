//! The OpenAPI document is generated from the code and served by the API.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use storefront_functions::app::Services;
use storefront_functions::registrar::sandbox::Sandbox;
use storefront_functions::store::Store;
use storefront_functions::store::embedded::EmbeddedStore;
use tower::ServiceExt;

#[tokio::test]
async fn the_document_describes_every_route_and_its_types() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.path().join("s.db")).expect("store"));
    let services = Services::with(
        store.clone(),
        Arc::new(Sandbox::new(Default::default(), store)),
    );
    let req = Request::builder()
        .uri("/api/openapi.json")
        .header("host", "any.example")
        .body(Body::empty())
        .expect("req");
    let resp = services.router().oneshot(req).await.expect("infallible");
    assert_eq!(resp.status(), StatusCode::OK);
    let doc: Value = serde_json::from_slice(
        &axum::body::to_bytes(resp.into_body(), 1 << 22)
            .await
            .expect("body"),
    )
    .expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let search = &doc["paths"]["/api/search"]["get"];
    let params: Vec<&str> = search["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(params, ["q", "group", "lang", "format"]);
    for code in ["200", "400", "404"] {
        assert!(search["responses"][code].is_object(), "response {code}");
    }
    // Every route the app serves is documented, with its method.
    for (method, path) in [
        ("post", "/api/accounts/signup"),
        ("post", "/api/accounts/verify"),
        ("post", "/api/accounts/verify/resend"),
        ("post", "/api/accounts/signin"),
        ("post", "/api/accounts/signout"),
        ("post", "/api/accounts/password/forgot"),
        ("post", "/api/accounts/password/reset"),
        ("get", "/api/accounts/me"),
        ("patch", "/api/accounts/me"),
        ("get", "/api/wallet"),
        ("get", "/api/wallet/topups"),
        ("post", "/api/wallet/topups"),
        ("put", "/api/wallet/topups/{id}/proof"),
        ("post", "/api/orders/quote"),
        ("post", "/api/orders"),
        ("get", "/api/orders"),
        ("get", "/api/orders/{id}"),
        ("post", "/api/orders/{id}/cancel"),
        ("get", "/api/orders/{id}/documents"),
        ("put", "/api/orders/{id}/documents/{line}/{item}"),
        ("post", "/api/orders/{id}/documents/{line}/{item}/uploads"),
        ("post", "/api/orders/{id}/documents/{line}/reuse"),
        (
            "post",
            "/api/orders/{id}/documents/{line}/{item}/uploads/{upload}/complete",
        ),
        ("get", "/api/documents/file"),
        ("get", "/api/domains"),
        ("get", "/api/domains/{name}"),
        ("patch", "/api/domains/{name}"),
        ("get", "/api/panel/topups"),
        ("post", "/api/panel/topups/{id}/approve"),
        ("post", "/api/panel/topups/{id}/reject"),
        ("get", "/api/panel/topups/{id}/proof"),
        ("get", "/api/panel/wallet"),
        ("get", "/api/panel/wallet/topups"),
        ("post", "/api/panel/wallet/topups"),
        ("get", "/api/panel/orders"),
        ("get", "/api/panel/orders/{id}"),
        ("post", "/api/panel/orders/{id}/mark-paid"),
        ("post", "/api/panel/orders/{id}/refund"),
        ("get", "/api/panel/domains"),
        ("get", "/api/panel/customers"),
        ("put", "/api/panel/customers/{account}/credit-limit"),
        ("put", "/api/panel/resellers/{id}/credit-limit"),
        ("get", "/api/invoices"),
        ("get", "/api/invoices/{number}"),
        ("get", "/api/panel/invoices"),
        ("get", "/api/panel/invoices/{number}"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"].is_object(),
            "{method} {path} is documented"
        );
    }
    // Every panel route answers a customer 403 and a stranger 401, each
    // with the error body: declared once, for all of them.
    let paths = doc["paths"].as_object().expect("paths");
    let mut panel = 0;
    for (path, item) in paths.iter().filter(|(p, _)| p.starts_with("/api/panel/")) {
        for (method, op) in item.as_object().expect("methods") {
            panel += 1;
            for code in ["401", "403"] {
                let r = &op["responses"][code];
                assert_eq!(
                    r["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} answers {code} with the error body: {r}"
                );
            }
        }
    }
    assert_eq!(panel, 17, "panel routes");
    let refund = &doc["paths"]["/api/panel/orders/{id}/refund"]["post"]["responses"];
    for code in ["200", "400", "401", "403", "404", "409"] {
        assert!(
            refund[code].is_object(),
            "refund documents {code}: {refund}"
        );
    }
    assert_eq!(
        doc["paths"]["/api/accounts/signup"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/SignupBody"
    );
    let signup = &doc["paths"]["/api/accounts/signup"]["post"]["responses"];
    for code in ["201", "400", "403", "404", "409", "415", "429"] {
        assert!(
            signup[code].is_object(),
            "signup documents {code}: {signup}"
        );
    }
    // The customer's domains: the list to keep is a query parameter; one
    // that is none of the four is a 400 naming it.
    let domains = &doc["paths"]["/api/domains"]["get"];
    assert_eq!(domains["parameters"][0]["name"], "status", "{domains}");
    assert_eq!(domains["parameters"][0]["in"], "query");
    assert!(domains["responses"]["400"].is_object(), "{domains}");
    let schemas = &doc["components"]["schemas"];
    for s in [
        "SignupBody",
        "CredentialsBody",
        "ProfileView",
        "Role",
        "Kind",
    ] {
        assert!(schemas[s].is_object(), "schema {s}");
    }
    for s in [
        "SearchResponse",
        "SearchResult",
        "PriceView",
        "Amount",
        "Status",
        "ErrorBody",
    ] {
        assert!(schemas[s].is_object(), "schema {s} in {}", schemas);
    }
}
