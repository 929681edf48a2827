//! What every accounts request goes through: the same-origin check on
//! state-changing methods, and the `Visit` (storefront, language, client
//! address, session cookie) with the JSON body reader.
//!
//! Why this stops cross-site request forgery: the session cookie is
//! `SameSite=Lax`, so browsers do not attach it to cross-site POST, PATCH or
//! DELETE requests at all. What Lax does not cover is *same-site* origins
//! (another storefront on a sibling subdomain of the platform's domain,
//! another `*.localhost` locally) and login CSRF (signing a victim into the
//! attacker's account needs no cookie). Both are stopped by requiring an
//! `Origin` (or, from browsers that omit it, `Referer`) whose host and port
//! equal the request's `Host`: browsers set `Origin` on every non-GET
//! request and scripts cannot forge it. Requiring `Content-Type:
//! application/json` adds that a plain HTML form, which cannot send that
//! type, cannot reach a handler, and a script on another origin cannot send
//! it without a CORS preflight, which we never grant.

use super::AccountsState;
use super::error::AccountsError;
use super::fields::Problem;
use super::messages::{self, Msg};
use super::sessions::CookieSpec;
use crate::error::ApiError;
use crate::tenant::{self, PreviewTenant, Tenant};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::error::Category;
use std::net::{IpAddr, SocketAddr};
use storefront_core::Locale;

/// Middleware for the accounts router: refuse state-changing requests from
/// another origin (403), and mark every answer `no-store` (they carry
/// personal data and cookies).
pub async fn same_origin_only(req: Request, next: Next) -> Response {
    let mut resp = if req.method().is_safe() || same_origin(req.headers(), req.uri()) {
        next.run(req).await
    } else {
        ApiError::Forbidden.into_response()
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A host, lowercase without a trailing dot, and its port if one was given.
fn split_authority(a: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = a.strip_prefix('[') {
        let (h, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return None,
        };
        (h, port)
    } else {
        match a.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (a, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() || host.contains(['@', '/', ' ']) {
        return None;
    }
    Some((host, port))
}

/// Scheme, host and port of an `Origin` or `Referer` value.
fn origin_of(url: &str) -> Option<(&'static str, String, Option<u16>)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "https" => "https",
        "http" => "http",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.contains('@') {
        return None;
    }
    let (host, port) = split_authority(authority)?;
    Some((scheme, host, port))
}

/// Whether the request names its own host as its origin.
pub fn same_origin(headers: &HeaderMap, uri: &Uri) -> bool {
    // HTTP/2 carries the host in the URI's authority, not in a header.
    let requested = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| uri.authority().map(|a| a.to_string()));
    let Some((host, port)) = requested.as_deref().and_then(split_authority) else {
        return false;
    };
    // Origin wins when present; a present but unusable one ("null" from a
    // sandboxed frame or a redirect) is a refusal, not a reason to look at
    // Referer.
    let source = match headers.get(header::ORIGIN) {
        Some(o) => o.to_str().ok().and_then(origin_of),
        None => headers
            .get(header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(origin_of),
    };
    let Some((scheme, o_host, o_port)) = source else {
        return false;
    };
    let default = if scheme == "https" { 443 } else { 80 };
    o_host == host && o_port.unwrap_or(default) == port.unwrap_or(default)
}

/// Who is asking, on which storefront, in which language.
#[derive(Debug, Clone)]
pub struct Visit {
    pub tenant: Tenant,
    pub lang: Locale,
    /// The reseller in the local preview path, if that is how we were reached.
    pub preview: Option<String>,
    pub ip: Option<IpAddr>,
    pub cookie: CookieSpec,
    /// Values of the session cookie sent with the request.
    pub sessions: Vec<String>,
    /// Host and port as requested, for links in mails.
    authority: Option<String>,
    json: bool,
}

fn query_lang(uri: &Uri) -> Option<&str> {
    uri.query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="))
}

fn client_ip(parts: &Parts, trusted: Option<&header::HeaderName>) -> Option<IpAddr> {
    if let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        return Some(addr.ip());
    }
    let value = parts.headers.get(trusted?)?.to_str().ok()?;
    let last = value.rsplit(',').next()?.trim();
    last.parse::<IpAddr>()
        .ok()
        .or_else(|| last.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

impl FromRequestParts<AccountsState> for Visit {
    type Rejection = AccountsError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AccountsState,
    ) -> Result<Self, Self::Rejection> {
        let tenant = Tenant::from_request_parts(parts, state).await?;
        let lang = tenant::language(
            query_lang(&parts.uri),
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
            &tenant.snapshot,
        );
        let preview = parts.extensions.get::<PreviewTenant>().map(|p| p.0.clone());
        let cookie = CookieSpec::new(state.config.secure_cookies, preview.as_deref());
        let authority = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .or_else(|| parts.uri.authority().map(|a| a.to_string()));
        Ok(Visit {
            lang,
            ip: client_ip(parts, state.config.client_ip_header.as_ref()),
            sessions: cookie.read(&parts.headers),
            cookie,
            preview,
            authority,
            json: is_json(&parts.headers),
            tenant,
        })
    }
}

/// The raw body of a request, read up to the router's limit; what cannot be
/// read (too large, cut off) is answered in our JSON shape.
#[derive(Debug)]
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = AccountsError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|e| AccountsError::Said {
                status: e.status(),
                code: if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    "payload_too_large"
                } else {
                    "unreadable_body"
                },
                message: e.body_text(),
                field: None,
                retry_after_secs: None,
            })
    }
}

/// The longest field name we repeat back.
const MAX_FIELD_ECHO: usize = 100;

fn echo(name: &str) -> String {
    name.chars().take(MAX_FIELD_ECHO).collect()
}

/// The name inside the first pair of backticks of a serde message.
fn quoted(msg: &str, prefix: &str) -> Option<String> {
    let rest = msg.strip_prefix(prefix)?;
    let end = rest
        .find("`, expected")
        .or_else(|| rest.find("`, there are no fields"))
        .or_else(|| rest.rfind('`'))?;
    Some(rest[..end].to_string())
}

fn said(
    lang: Locale,
    status: StatusCode,
    code: &'static str,
    m: Msg<'_>,
    field: Option<String>,
) -> AccountsError {
    AccountsError::Said {
        status,
        code,
        message: messages::text(lang, &m),
        field,
        retry_after_secs: None,
    }
}

/// Read a JSON document: 400 naming the field (dotted, as `company.tax_id`)
/// for unknown, missing or mistyped fields, 400 for anything not JSON or
/// with more after it. serde_json refuses nesting deeper than 128.
pub fn parse<T: DeserializeOwned>(lang: Locale, body: &[u8]) -> Result<T, AccountsError> {
    let malformed = || {
        said(
            lang,
            StatusCode::BAD_REQUEST,
            "malformed_json",
            Msg::MalformedJson,
            None,
        )
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let e = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(v) => {
            de.end().map_err(|_| malformed())?;
            return Ok(v);
        }
        Err(e) => e,
    };
    if e.inner().classify() != Category::Data {
        return Err(malformed());
    }
    // The path to where deserializing stopped. No request has arrays: a
    // position in one (a struct sent as `[...]`) names no field.
    let mut path: Vec<String> = e
        .path()
        .iter()
        .filter_map(|s| match s {
            serde_path_to_error::Segment::Map { key } => Some(echo(key)),
            _ => None,
        })
        .collect();
    let msg = e.inner().to_string();
    // An unknown field is the last step of the path already; a missing one
    // is not (the path ends at the object that lacks it).
    if let Some(name) = quoted(&msg, "unknown field `") {
        let name = echo(&name);
        if path.last() != Some(&name) {
            path.push(name);
        }
        let field = path.join(".");
        return Err(said(
            lang,
            StatusCode::BAD_REQUEST,
            "unknown_field",
            Msg::UnknownField(&field),
            Some(field.clone()),
        ));
    }
    if let Some(name) = quoted(&msg, "missing field `") {
        path.push(echo(&name));
        return Err(AccountsError::Said {
            status: StatusCode::BAD_REQUEST,
            code: "required",
            message: messages::problem(lang, Problem::Required),
            field: Some(path.join(".")),
            retry_after_secs: None,
        });
    }
    Err(said(
        lang,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        Msg::InvalidValue,
        (!path.is_empty()).then(|| path.join(".")),
    ))
}

impl Visit {
    /// Read a JSON body: 415 unless it is declared JSON, then as `parse`.
    pub fn json<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T, AccountsError> {
        if !self.json {
            return Err(said(
                self.lang,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                Msg::NotJson,
                None,
            ));
        }
        parse(self.lang, body)
    }

    /// A link to the account page of `reseller`, a storefront this one's
    /// staff just made, served on `domain`: through the same preview path
    /// when that is how this request came (the local server), else on its
    /// own host, with https on the default port under secure cookies, or
    /// this request's port and http locally.
    pub fn link_to(&self, secure: bool, reseller: &str, domain: &str, query: &str) -> String {
        let here = self.link(secure, query);
        if self.preview.is_some() {
            let own = self.tenant.reseller.as_str();
            return here.replacen(&format!("/s/{own}/"), &format!("/s/{reseller}/"), 1);
        }
        let port = self
            .authority
            .as_deref()
            .and_then(split_authority)
            .and_then(|(_, p)| p)
            .filter(|_| !secure);
        let scheme = if secure { "https" } else { "http" };
        match port {
            Some(p) => format!("{scheme}://{domain}:{p}/account/?{query}"),
            None => format!("{scheme}://{domain}/account/?{query}"),
        }
    }

    /// A link to the storefront's account page. The host is the one the
    /// request came to, which the tenant lookup has tied to this storefront
    /// (so a forged Host cannot point a mailed token at another site); with
    /// secure cookies it is https on the default port, locally it keeps the
    /// port and uses http.
    pub fn link(&self, secure: bool, query: &str) -> String {
        let fallback = || {
            self.tenant
                .snapshot
                .domains
                .first()
                .cloned()
                .unwrap_or_else(|| "localhost".into())
        };
        let authority = self
            .authority
            .as_deref()
            .and_then(|a| split_authority(a).map(|hp| (a, hp)))
            .filter(|(a, _)| {
                a.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
            })
            .map(|(a, (host, _))| if secure { host } else { a.to_ascii_lowercase() })
            .unwrap_or_else(fallback);
        let scheme = if secure { "https" } else { "http" };
        let prefix = self
            .preview
            .as_deref()
            .map(|r| format!("/s/{r}"))
            .unwrap_or_default();
        format!("{scheme}://{authority}{prefix}/account/?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).expect("value"));
        }
        h
    }

    fn field_of<T: DeserializeOwned + std::fmt::Debug>(body: &str) -> (String, Option<String>) {
        match parse::<T>(Locale::En, body.as_bytes()) {
            Err(AccountsError::Said { code, field, .. }) => (code.to_string(), field),
            other => panic!("{body}: {other:?}"),
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        company: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Deep {
        company: Outer,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
    }

    #[test]
    fn json_problems_name_their_field() {
        let f = |code: &str, field: &str| (code.to_string(), Some(field.to_string()));
        assert_eq!(
            field_of::<Outer>(r#"{"company": {"name": "x", "company": 1}}"#),
            f("unknown_field", "company.company")
        );
        assert_eq!(
            field_of::<Outer>(r#"{"company": {"name": "x"}, "name": 1}"#),
            f("unknown_field", "name")
        );
        assert_eq!(
            field_of::<Outer>(r#"{"company": {}}"#),
            f("required", "company.name")
        );
        assert_eq!(
            field_of::<Deep>(r#"{"company": {"company": {}}}"#),
            f("required", "company.company.name")
        );
        assert_eq!(
            field_of::<Deep>(r#"{"company": {"company": {"name": "x", "name2": 1}}}"#),
            f("unknown_field", "company.company.name2")
        );
        assert_eq!(
            field_of::<Outer>(r#"{"company": {"name": 5}}"#),
            f("invalid_value", "company.name")
        );
        assert_eq!(
            field_of::<Outer>(r#"{"company": {"name": "x"}} 1"#),
            ("malformed_json".to_string(), None)
        );
    }

    #[test]
    fn origins() {
        let uri = Uri::from_static("/api/accounts/signin");
        let ok = |pairs: &[(header::HeaderName, &str)]| same_origin(&headers(pairs), &uri);
        assert!(ok(&[
            (header::HOST, "toko.example"),
            (header::ORIGIN, "https://toko.example")
        ]));
        assert!(ok(&[
            (header::HOST, "Toko.Example:443"),
            (header::ORIGIN, "https://toko.example")
        ]));
        assert!(ok(&[
            (header::HOST, "127.0.0.1:8080"),
            (header::ORIGIN, "http://127.0.0.1:8080")
        ]));
        assert!(ok(&[
            (header::HOST, "toko.example"),
            (header::REFERER, "https://toko.example/account/?x=1")
        ]));
        assert!(!ok(&[(header::HOST, "toko.example")]));
        assert!(!ok(&[
            (header::HOST, "toko.example"),
            (header::ORIGIN, "null")
        ]));
        assert!(!ok(&[
            (header::HOST, "toko.example"),
            (header::ORIGIN, "https://agen.example")
        ]));
        assert!(!ok(&[
            (header::HOST, "toko.example"),
            (header::ORIGIN, "https://toko.example:8443")
        ]));
        assert!(!ok(&[
            (header::HOST, "toko.example"),
            (header::ORIGIN, "https://toko.example.evil.example")
        ]));
        assert!(!ok(&[
            (header::HOST, "toko.example"),
            (
                header::REFERER,
                "https://evil.example/?https://toko.example"
            )
        ]));
        assert!(!ok(&[
            (header::HOST, "toko.example"),
            (header::ORIGIN, "https://evil.example"),
            (header::REFERER, "https://toko.example/")
        ]));
        assert!(!ok(&[
            (header::HOST, "toko.example"),
            (header::ORIGIN, "https://x@toko.example")
        ]));
        assert!(!ok(&[
            (header::HOST, "toko.example"),
            (header::ORIGIN, "ftp://toko.example")
        ]));
        assert!(ok(&[
            (header::HOST, "[::1]:8080"),
            (header::ORIGIN, "http://[::1]:8080")
        ]));
    }
}
