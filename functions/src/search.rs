//! Domain search: `GET /api/search?q=...`.
//!
//! What a person typed is normalised by core's names, expanded over the
//! storefront's extension group (the typed extension first), checked against
//! the registrar concurrently — each upstream with its own concurrency and
//! rate limit, each check with a timeout — priced for the customer from the
//! published snapshot, and returned as results arrive (NDJSON) or all at once
//! (JSON). Answers are cached briefly; an unclear answer is never cached and
//! never shown as available.

use crate::catalog::Catalogs;
use crate::error::ApiError;
use crate::registrar::{Availability, Check, Registrar, RegistrarError};
use crate::tenant::{Tenant, language};
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use storefront_core::Locale;
use storefront_core::catalogue::Action;
use storefront_core::money::{Money, TaxDisplay};
use storefront_core::names::{self, DomainQuery};
use storefront_core::snapshot::Snapshot;
use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub struct SearchConfig {
    /// Longest a single availability check may take before it is "unknown".
    pub timeout: Duration,
    /// Checks in flight per upstream.
    pub per_upstream_concurrency: usize,
    /// Checks started per second per upstream.
    pub per_upstream_rate: u32,
    /// How long a clear answer is reused.
    pub cache_ttl: Duration,
    /// Variations of the name offered besides the group.
    pub suggestions: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            timeout: Duration::from_secs(4),
            per_upstream_concurrency: 16,
            per_upstream_rate: 50,
            cache_ttl: Duration::from_secs(60),
            suggestions: 3,
        }
    }
}

/// Per-upstream concurrency and pacing: a semaphore bounds checks in flight,
/// and starts are spaced 1/rate apart (a leaky bucket without a timer task).
#[derive(Debug)]
struct Upstream {
    inflight: Arc<Semaphore>,
    next_start: tokio::sync::Mutex<Instant>,
}

#[derive(Debug, Default)]
struct Limiter {
    upstreams: Mutex<HashMap<String, Arc<Upstream>>>,
}

impl Limiter {
    fn upstream(&self, key: &str, concurrency: usize) -> Arc<Upstream> {
        let mut map = self.upstreams.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(Upstream {
                    inflight: Arc::new(Semaphore::new(concurrency.max(1))),
                    next_start: tokio::sync::Mutex::new(Instant::now()),
                })
            })
            .clone()
    }
}

#[derive(Debug, Default)]
struct Cache {
    entries: Mutex<HashMap<String, (Instant, Check)>>,
}

impl Cache {
    fn get(&self, domain: &str, ttl: Duration) -> Option<Check> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(domain)
            .filter(|(at, _)| at.elapsed() < ttl)
            .map(|(_, c)| c.clone())
    }

    fn put(&self, check: &Check, ttl: Duration) {
        if matches!(check.availability, Availability::Unknown { .. }) {
            return;
        }
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= 100_000 {
            map.retain(|_, (at, _)| at.elapsed() < ttl);
            if map.len() >= 100_000 {
                map.clear();
            }
        }
        map.insert(check.domain.clone(), (Instant::now(), check.clone()));
    }
}

#[derive(Debug, Clone)]
pub struct SearchState {
    pub catalogs: Arc<Catalogs>,
    pub registrar: Arc<dyn Registrar>,
    pub config: SearchConfig,
    limiter: Arc<Limiter>,
    cache: Arc<Cache>,
}

impl SearchState {
    pub fn new(
        catalogs: Arc<Catalogs>,
        registrar: Arc<dyn Registrar>,
        config: SearchConfig,
    ) -> SearchState {
        SearchState {
            catalogs,
            registrar,
            config,
            limiter: Arc::default(),
            cache: Arc::default(),
        }
    }
}

impl axum::extract::FromRef<SearchState> for Arc<Catalogs> {
    fn from_ref(s: &SearchState) -> Arc<Catalogs> {
        s.catalogs.clone()
    }
}

pub fn router(state: SearchState) -> Router {
    Router::new()
        .route("/api/search", get(search))
        .with_state(state)
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    /// `ndjson` to stream; otherwise JSON unless the Accept header asks for NDJSON.
    #[serde(default)]
    format: Option<String>,
}

/// One domain to check.
#[derive(Debug, Clone)]
struct Target {
    domain: String,
    ext: String,
    suggestion: bool,
    /// Set when the registry's rules refuse the name: nothing to check.
    invalid: Option<(&'static str, String)>,
}

const MAX_QUERY_CHARS: usize = 300;

fn expand(
    s: &Snapshot,
    q: &DomainQuery,
    group: Option<&str>,
    suggestions: usize,
    lang: Locale,
) -> Vec<Target> {
    let chosen = group.and_then(|g| s.groups.iter().find(|x| x.id == g));
    let group = match (&q.extension, chosen) {
        (Some(e), _) => s.groups.iter().find(|g| g.extensions.contains(e)),
        (None, Some(g)) => Some(g),
        (None, None) => s.groups.first(),
    };
    let mut exts: Vec<&str> = Vec::new();
    if let Some(e) = &q.extension {
        exts.push(e);
    }
    for e in group.map(|g| g.extensions.as_slice()).unwrap_or_default() {
        if !exts.contains(&e.as_str()) {
            exts.push(e);
        }
    }
    let target = |name: &DomainQuery, ext: &str, suggestion: bool| {
        let invalid = s.rules.get(ext).and_then(|r| {
            names::check_label_length(name, r.label_min, r.label_max)
                .and_then(|()| names::check_idn_allowed(name, ext, r.idn))
                .err()
                .map(|e| (e.code(), e.message(lang)))
        });
        Target {
            domain: name.domain(ext),
            ext: ext.to_string(),
            suggestion,
            invalid,
        }
    };
    let mut out: Vec<Target> = exts.iter().map(|e| target(q, e, false)).collect();
    if let Some(primary) = exts.first() {
        for variant in [
            format!("{}-online", q.name),
            format!("get{}", q.name),
            format!("my{}", q.name),
            format!("{}hq", q.name),
        ]
        .into_iter()
        .take(suggestions)
        {
            if let Ok(v) = names::parse_query(&variant, &[]) {
                out.push(target(&v, primary, true));
            }
        }
    }
    out
}

fn show(s: &Snapshot, net: rust_decimal::Decimal, lang: Locale) -> Value {
    let m = Money::new(net, s.currency);
    let b = s.tax.on_net(m);
    let shown = match s.tax_display {
        TaxDisplay::Inclusive => b.gross,
        TaxDisplay::Exclusive => b.net,
    };
    json!({"net": b.net.amount().to_string(), "gross": b.gross.amount().to_string(), "display": shown.format(lang)})
}

/// The first-year price this customer pays for a name, with the renewal.
fn price(s: &Snapshot, group: &str, ext: &str, check: &Check, lang: Locale) -> Value {
    let sheet = s.prices.groups.get(group).and_then(|g| g.get(ext));
    if let Some(premium) = &check.premium {
        let reg = s.premium_price(
            group,
            ext,
            Action::Register,
            1,
            Money::new(premium.register, premium.currency),
        );
        let renew = s.premium_price(
            group,
            ext,
            Action::Renew,
            1,
            Money::new(premium.renew, premium.currency),
        );
        return match (reg, renew) {
            (Some(r), Some(n)) => {
                json!({"years": 1, "currency": s.currency.code(), "premium": true, "register": show(s, r, lang), "renew": show(s, n, lang), "display": show(s, r, lang)["display"]})
            }
            _ => Value::Null,
        };
    }
    let Some(sheet) = sheet else {
        return Value::Null;
    };
    let Some(first) = sheet.price(Action::Register, 1) else {
        return Value::Null;
    };
    let promo = sheet
        .promotions
        .iter()
        .find(|p| p.action == Action::Register);
    let register = show(s, promo.map_or(first.price, |p| p.price), lang);
    json!({
        "years": 1,
        "currency": s.currency.code(),
        "premium": false,
        "register": register,
        "display": register["display"],
        "regular": promo.map(|_| show(s, first.price, lang)),
        "promotion": promo.map(|p| json!({"label": p.label.get(lang), "until": p.until.to_string()})),
        "renew": sheet.price(Action::Renew, 1).map(|r| show(s, r.price, lang)),
    })
}

async fn check_one(st: &SearchState, domain: &str) -> Check {
    if let Some(hit) = st.cache.get(domain, st.config.cache_ttl) {
        return hit;
    }
    let up = st.limiter.upstream(
        &st.registrar.upstream(domain),
        st.config.per_upstream_concurrency,
    );
    let unknown = |reason: String| Check {
        domain: domain.to_string(),
        availability: Availability::Unknown { reason },
        premium: None,
    };
    let Ok(_permit) = up.inflight.clone().acquire_owned().await else {
        return unknown("the registry is not reachable".into());
    };
    {
        let gap = Duration::from_secs(1) / st.config.per_upstream_rate.max(1);
        let mut next = up.next_start.lock().await;
        let now = Instant::now();
        let start = (*next).max(now);
        *next = start + gap;
        drop(next);
        if start > now {
            tokio::time::sleep(start - now).await;
        }
    }
    let result = match tokio::time::timeout(st.config.timeout, st.registrar.check(domain)).await {
        Ok(Ok(c)) => c,
        Ok(Err(RegistrarError::Unsupported(e))) => unknown(format!("no registry answers for .{e}")),
        Ok(Err(e)) => unknown(e.to_string()),
        Err(_) => unknown(RegistrarError::Timeout.to_string()),
    };
    st.cache.put(&result, st.config.cache_ttl);
    result
}

fn result_json(s: &Snapshot, t: &Target, check: Option<&Check>, lang: Locale) -> Value {
    let (status, available, reason) = match (&t.invalid, check.map(|c| &c.availability)) {
        (Some((code, msg)), _) => (
            "invalid",
            Value::Null,
            json!({"code": code, "message": msg}),
        ),
        (None, Some(Availability::Available)) => ("available", json!(true), Value::Null),
        (None, Some(Availability::Taken)) => ("taken", json!(false), Value::Null),
        (None, Some(Availability::Unknown { reason })) => (
            "unknown",
            Value::Null,
            json!({"code": "unknown", "message": reason}),
        ),
        (None, None) => ("unknown", Value::Null, Value::Null),
    };
    let price = match check {
        Some(c) if t.invalid.is_none() => price(s, "default", &t.ext, c, lang),
        _ => Value::Null,
    };
    json!({
        "domain": t.domain,
        "unicode": names::to_unicode(&t.domain),
        "extension": t.ext,
        "status": status,
        "available": available,
        "premium": check.is_some_and(|c| c.premium.is_some()),
        "suggestion": t.suggestion,
        "reason": reason,
        "price": price,
    })
}

async fn search(
    State(st): State<SearchState>,
    tenant: Tenant,
    Query(p): Query<SearchParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let s = tenant.snapshot.clone();
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = language(p.lang.as_deref(), accept, &s);
    let q = p.q.unwrap_or_default();
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::Invalid {
            code: "too_long",
            message: names::NameError::TooLong {
                max: names::MAX_DOMAIN_LEN,
            }
            .message(lang),
            field: Some("q"),
        });
    }
    let exts = s.extensions();
    let parsed = names::parse_query(&q, &exts).map_err(|e| ApiError::Invalid {
        code: e.code(),
        message: e.message(lang),
        field: Some("q"),
    })?;
    let targets = expand(&s, &parsed, p.group.as_deref(), st.config.suggestions, lang);
    let head = json!({
        "query": q,
        "name": parsed.name,
        "unicode_name": parsed.unicode_name,
        "extension": parsed.extension,
        "currency": s.currency.code(),
        "tax": {"label": s.tax.label, "percent": s.tax.percent.normalize().to_string(), "inclusive": s.tax_display == TaxDisplay::Inclusive},
        "count": targets.len(),
    });
    let wants_stream = p.format.as_deref() == Some("ndjson")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/x-ndjson"));

    if !wants_stream {
        let checks = futures_util::future::join_all(targets.iter().map(|t| {
            let st = st.clone();
            let t = t.clone();
            async move {
                if t.invalid.is_some() {
                    None
                } else {
                    Some(check_one(&st, &t.domain).await)
                }
            }
        }))
        .await;
        let results: Vec<Value> = targets
            .iter()
            .zip(&checks)
            .map(|(t, c)| result_json(&s, t, c.as_ref(), lang))
            .collect();
        let mut body = head;
        body["results"] = json!(results);
        return Ok(([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response());
    }

    // Stream: the query line, then each result as its check completes.
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(targets.len() + 2);
    let line = |v: &Value| {
        let mut b = serde_json::to_vec(v).unwrap_or_default();
        b.push(b'\n');
        Bytes::from(b)
    };
    let _ = tx
        .send(line(&json!({"type": "query", "query": head})))
        .await;
    tokio::spawn(async move {
        let mut pending: FuturesUnordered<_> = targets
            .into_iter()
            .map(|t| {
                let st = st.clone();
                async move {
                    let c = if t.invalid.is_some() {
                        None
                    } else {
                        Some(check_one(&st, &t.domain).await)
                    };
                    (t, c)
                }
            })
            .collect();
        while let Some((t, c)) = pending.next().await {
            let mut v = result_json(&s, &t, c.as_ref(), lang);
            v["type"] = json!("result");
            if tx.send(line(&v)).await.is_err() {
                return; // the client went away
            }
        }
        let _ = tx.send(line(&json!({"type": "done"}))).await;
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::HeaderName::from_static("x-content-type-options"),
                "nosniff",
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
