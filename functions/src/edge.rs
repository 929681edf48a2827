//! The edge's question: may it get a certificate for this host?
//!
//! Resellers point their own domains' A records at the platform's edge
//! (Caddy with on-demand TLS). Before Caddy obtains a certificate for a name
//! it has not seen, it asks `GET /api/edge/ask?domain=<the SNI name>`; any
//! answer but a 2xx refuses. The answer is yes only for a host that belongs
//! to a published storefront: the same `HOST#<host>` items that pick the
//! storefront for every API request (see [`crate::catalog`]), so a host the
//! edge will certify is exactly a host the API serves.

use crate::catalog::Catalogs;
use crate::error::ApiError;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::sync::Arc;
use storefront_core::names;

/// A host name is at most 253 characters; anything longer is not one.
const MAX_HOST: usize = 253;

pub fn router(catalogs: Arc<Catalogs>) -> Router {
    Router::new()
        .route("/api/edge/ask", get(ask))
        .with_state(catalogs)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AskParams {
    /// The host name a TLS client asked for (its SNI), in ASCII: an IDN in
    /// its `xn--` form. Case and one trailing dot are ignored.
    #[serde(default)]
    domain: Option<String>,
}

/// Why a `domain` is not a host name at all.
fn invalid(message: &str) -> ApiError {
    ApiError::Invalid {
        code: "invalid_host",
        message: message.to_string(),
        field: Some("domain"),
    }
}

/// The host as the store keys it: ASCII lowercase, no trailing dot, an IDN
/// in its A-label form, never a port or an IP address. What is not a host
/// name is an `Err` with the reason.
pub fn normalise(domain: &str) -> Result<String, &'static str> {
    let host = domain.strip_suffix('.').unwrap_or(domain);
    if host.is_empty() {
        return Err("domain is empty");
    }
    if host.len() > MAX_HOST {
        return Err("domain is longer than a host name can be");
    }
    if !host.is_ascii() {
        // Caddy asks with the SNI, which is always ASCII.
        return Err("domain must be ASCII, an IDN in its xn-- form");
    }
    if host.contains(':') {
        return Err("domain is a host name, without a port; IPv6 addresses get no certificate");
    }
    let host = host.to_ascii_lowercase();
    if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err("an IP address gets no certificate");
    }
    // The same check the content's `domains` pass (generator's validation),
    // so every host a storefront lists is accepted here unchanged.
    match names::to_ascii(&host) {
        Ok(ascii) if ascii == host && host.contains('.') => Ok(host),
        _ => Err("domain is not a host name such as shop.example.com"),
    }
}

/// 200 when the host belongs to a published storefront, 404 when not.
#[utoipa::path(
    get,
    path = "/api/edge/ask",
    tag = "edge",
    params(AskParams),
    responses(
        (status = 200, description = "The host belongs to a published storefront: the edge may obtain a certificate for it. The body is empty."),
        (status = 400, description = "`domain` is missing or not a host name (a port, an IP address, a non-ASCII name)", body = crate::error::ErrorBody),
        (status = 404, description = "No storefront is served on this host", body = crate::error::ErrorBody),
        (status = 503, description = "The store did not answer; the edge refuses, and asks again at the next handshake", body = crate::error::ErrorBody),
    )
)]
pub async fn ask(
    State(catalogs): State<Arc<Catalogs>>,
    params: Result<Query<AskParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|_| invalid("the query string is not readable"))?;
    let domain = params
        .domain
        .ok_or_else(|| invalid("domain is missing: /api/edge/ask?domain=shop.example.com"))?;
    let host = normalise(&domain).map_err(invalid)?;
    let reseller = catalogs
        .reseller_for_host(&host)
        .await
        .map_err(ApiError::unavailable)?
        .ok_or(ApiError::NotFound)?;
    // A host item whose storefront has no current catalogue is not served.
    catalogs
        .current(&reseller)
        .await
        .map_err(ApiError::unavailable)?
        .ok_or(ApiError::NotFound)?;
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        (),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn hosts_are_normalised_and_non_hosts_refused() {
        assert_eq!(
            normalise("Shop.Example.COM."),
            Ok("shop.example.com".into())
        );
        assert_eq!(
            normalise("xn--bcher-kva.example"),
            Ok("xn--bcher-kva.example".into())
        );
        assert_eq!(normalise("toko.localhost"), Ok("toko.localhost".into()));
        for bad in [
            "",
            ".",
            "shop.example.com:443",
            "127.0.0.1",
            "[::1]",
            "::1",
            "bücher.example",
            "localhost",
            "shop..example",
            "shop.example.com..",
            "-shop.example",
            "shop_1.example",
            "a b.example",
            "shop.example/path",
            "xn--zz.example",
        ] {
            assert!(normalise(bad).is_err(), "{bad:?}");
        }
        assert!(normalise(&format!("{}.example", "a".repeat(250))).is_err());
    }
}
