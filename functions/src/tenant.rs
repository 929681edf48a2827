//! Every request belongs to exactly one storefront: the one its Host header
//! names, or (on the local server only) the one in the `/s/<reseller>/`
//! preview path, which the server passes as a `PreviewTenant` extension.
//! Nothing is looked up by an id the client sends.

use crate::catalog::Catalogs;
use crate::error::ApiError;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use std::sync::Arc;
use storefront_core::Locale;
use storefront_core::snapshot::Snapshot;

/// Set by the local server for `/s/<reseller>/api/...` requests.
#[derive(Debug, Clone)]
pub struct PreviewTenant(pub String);

#[derive(Debug, Clone)]
pub struct Tenant {
    pub reseller: String,
    pub snapshot: Arc<Snapshot>,
}

/// The Host header without port or trailing dot, lowercase.
pub fn host(parts: &Parts) -> Option<String> {
    let h = parts.headers.get(header::HOST)?.to_str().ok()?;
    let h = h
        .rsplit_once(':')
        .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        .map_or(h, |(h, _)| h);
    Some(h.trim_end_matches('.').to_ascii_lowercase())
}

impl<S> FromRequestParts<S> for Tenant
where
    Arc<Catalogs>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let catalogs = Arc::<Catalogs>::from_ref(state);
        let reseller = match parts.extensions.get::<PreviewTenant>() {
            Some(p) => p.0.clone(),
            None => {
                let host = host(parts).ok_or(ApiError::NotFound)?;
                catalogs
                    .reseller_for_host(&host)
                    .await
                    .map_err(ApiError::unavailable)?
                    .ok_or(ApiError::NotFound)?
            }
        };
        let snapshot = catalogs
            .current(&reseller)
            .await
            .map_err(ApiError::unavailable)?
            .ok_or(ApiError::NotFound)?;
        Ok(Tenant { reseller, snapshot })
    }
}

/// The language to answer in: `?lang=`, else the first of Accept-Language
/// the storefront speaks, else its default.
pub fn language(parts_query: Option<&str>, accept: Option<&str>, snapshot: &Snapshot) -> Locale {
    let speaks = |l: Locale| snapshot.languages.contains(&l);
    if let Some(l) = parts_query
        .and_then(|q| q.parse::<Locale>().ok())
        .filter(|l| speaks(*l))
    {
        return l;
    }
    if let Some(accept) = accept {
        for part in accept.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            let primary = tag.split('-').next().unwrap_or("");
            // "in" is the old code for Indonesian, still sent by some Android browsers.
            let primary = if primary == "in" { "id" } else { primary };
            if let Some(l) = primary.parse::<Locale>().ok().filter(|l| speaks(*l)) {
                return l;
            }
        }
    }
    snapshot.default_language()
}
