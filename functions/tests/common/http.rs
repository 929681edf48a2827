//! One request to an API router as a browser on a storefront's host sends
//! it (Host, Origin, the session cookie, a JSON body), and its answer read
//! whole. Included by path by the tests that drive the API this way.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

pub struct Resp {
    pub status: StatusCode,
    /// The body as JSON (`Null` when it is not).
    pub body: Value,
    pub raw: Vec<u8>,
    #[allow(
        dead_code,
        reason = "read by the tests that download documents, not by all"
    )]
    pub content_type: String,
}

pub async fn send(
    router: &Router,
    method: &str,
    host: &str,
    path: &str,
    cookie: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Resp {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", host)
        .header("origin", format!("https://{host}"))
        .header("cookie", cookie);
    if body.is_some() {
        b = b.header("content-type", "application/json");
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let req = b
        .body(body.map_or_else(Body::empty, |v| Body::from(v.to_string())))
        .expect("request");
    let resp = router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let raw = axum::body::to_bytes(resp.into_body(), 1 << 24)
        .await
        .expect("body")
        .to_vec();
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Resp {
        status,
        body,
        raw,
        content_type,
    }
}
