//! Requests that reach the API through the edge.
//!
//! Deployed, a visitor's browser talks to the edge (Caddy, on the reseller's
//! own domain), which proxies `/api` to API Gateway. API Gateway must be
//! addressed by its own host name, so the storefront's host arrives in
//! `X-Forwarded-Host` and the visitor's address first in `X-Forwarded-For`.
//! Both headers are trivially forged by anyone calling the API Gateway URL
//! directly, so they are believed only from a request that carries the
//! edge's shared secret; every other request is refused. Behind this layer
//! the rest of the API sees what it sees locally: the storefront's host in
//! `Host`, and the visitor's address in `CLIENT_IP_HEADER`.
//!
//! The on-demand TLS `ask` endpoint is the one exception: Caddy calls it
//! with no headers of ours, and it only answers whether a host is a
//! storefront's, which its DNS says anyway.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
use std::sync::Arc;

/// The header carrying the edge's shared secret.
pub const EDGE_SECRET_HEADER: HeaderName = HeaderName::from_static("x-storefront-edge");
/// Where the visitor's address is put for the rate limits to read.
pub const CLIENT_IP_HEADER: HeaderName = HeaderName::from_static("x-storefront-client-ip");
/// Paths answered without the secret.
const OPEN_PATHS: [&str; 1] = ["/api/edge/ask"];

/// The shared secret the edge sends (from configuration, at least 32
/// bytes so it cannot be guessed).
#[derive(Clone)]
pub struct EdgeSecret(Arc<[u8]>);

impl std::fmt::Debug for EdgeSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EdgeSecret(..)")
    }
}

impl EdgeSecret {
    pub fn new(secret: &str) -> Result<EdgeSecret, String> {
        if secret.len() < 32 {
            return Err("the edge secret must be at least 32 characters".into());
        }
        Ok(EdgeSecret(secret.as_bytes().into()))
    }

    /// Equal, in time that does not depend on where they differ.
    fn matches(&self, given: &[u8]) -> bool {
        let mine: &[u8] = &self.0;
        mine.len() == given.len()
            && mine
                .iter()
                .zip(given)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({"error": "forbidden", "message": message});
    (status, axum::Json(body)).into_response()
}

/// A host name as the edge forwards it: letters, digits, `-` and `.`
/// (IDNs arrive as A-labels), no port.
fn plain_host(h: &str) -> Option<&str> {
    let ok = !h.is_empty()
        && h.len() <= 253
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    ok.then_some(h)
}

/// The middleware: believe the edge's forwarded headers, refuse the rest.
pub async fn from_edge(State(secret): State<EdgeSecret>, mut req: Request, next: Next) -> Response {
    if OPEN_PATHS.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let headers = req.headers_mut();
    let trusted = headers
        .get(&EDGE_SECRET_HEADER)
        .is_some_and(|v| secret.matches(v.as_bytes()));
    // Whatever happens next, nothing behind this layer sees the secret, and
    // no address header survives that the edge did not vouch for.
    headers.remove(&EDGE_SECRET_HEADER);
    headers.remove(&CLIENT_IP_HEADER);
    if !trusted {
        return refuse(
            StatusCode::FORBIDDEN,
            "the API answers through a storefront's own domain only",
        );
    }
    let Some(host) = headers
        .get("x-forwarded-host")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .map(|h| {
            // A port the visitor's browser sent (`toko.example:443`) is not
            // part of the storefront's name.
            h.rsplit_once(':')
                .filter(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .map_or(h, |(h, _)| h)
        })
        .and_then(plain_host)
        .and_then(|h| HeaderValue::from_str(h).ok())
    else {
        return refuse(StatusCode::BAD_REQUEST, "the edge sent no storefront host");
    };
    headers.insert(header::HOST, host);
    // The edge replaces X-Forwarded-For with the visitor's address; API
    // Gateway appends its own peer (the edge) after it.
    if let Some(ip) = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok())
        && let Ok(v) = HeaderValue::from_str(&ip.to_string())
    {
        headers.insert(CLIENT_IP_HEADER, v);
    }
    next.run(req).await
}

/// `router` behind the edge check.
pub fn behind_edge(router: axum::Router, secret: EdgeSecret) -> axum::Router {
    router.layer(axum::middleware::from_fn_with_state(secret, from_edge))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    const SECRET: &str = "0123456789abcdef0123456789abcdef-edge";

    fn app() -> axum::Router {
        let echo = |req: Request| async move {
            let h = |n: &str| {
                req.headers()
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-")
                    .to_string()
            };
            format!(
                "{} {} {}",
                h("host"),
                h("x-storefront-client-ip"),
                h("x-storefront-edge")
            )
        };
        behind_edge(
            axum::Router::new()
                .route("/api/x", get(echo))
                .route("/api/edge/ask", get(|| async { "open" })),
            EdgeSecret::new(SECRET).expect("secret"),
        )
    }

    async fn call(headers: &[(&str, &str)], path: &str) -> (StatusCode, String) {
        let mut req = Request::builder().uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = app()
            .oneshot(req.body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn the_edge_is_believed_and_its_secret_goes_no_further() {
        let (status, body) = call(
            &[
                ("host", "abc.execute-api.eu-central-1.amazonaws.com"),
                ("x-storefront-edge", SECRET),
                ("x-forwarded-host", "toko.example.co.id:443"),
                ("x-forwarded-for", "203.0.113.9, 198.51.100.1"),
                ("x-storefront-client-ip", "10.0.0.1"),
            ],
            "/api/x",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "toko.example.co.id 203.0.113.9 -");
    }

    #[tokio::test]
    async fn anyone_else_is_refused() {
        for headers in [
            vec![("x-forwarded-host", "toko.example.co.id")],
            vec![
                ("x-storefront-edge", "0123456789abcdef0123456789abcdef-edgE"),
                ("x-forwarded-host", "toko.example.co.id"),
            ],
            vec![
                ("x-storefront-edge", "short"),
                ("x-forwarded-host", "toko.example.co.id"),
            ],
        ] {
            let (status, _) = call(&headers, "/api/x").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
        }
        let (status, _) = call(
            &[
                ("x-storefront-edge", SECRET),
                ("x-forwarded-host", "evil.example/../x"),
            ],
            "/api/x",
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(call(&[], "/api/edge/ask").await.1, "open");
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(EdgeSecret::new("too short").is_err());
    }
}
