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
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use storefront_core::Locale;
use storefront_core::catalogue::Action;
use storefront_core::money::{Money, TaxDisplay};
use storefront_core::names::{self, DomainQuery};
use storefront_core::price::{self, Ask, Priced};
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
    /// Which promotions run: the same day the orders' engine prices with.
    pub clock: Arc<dyn crate::clock::Clock>,
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
            clock: Arc::new(crate::clock::SystemClock),
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What the person typed: a name, with or without an extension, even a URL.
    #[serde(default)]
    q: Option<String>,
    /// Which extension group to expand a bare name over (default: the first).
    #[serde(default)]
    group: Option<String>,
    /// `en`, `id` or `pl`; default: Accept-Language, then the storefront's language.
    #[serde(default)]
    lang: Option<String>,
    /// `ndjson` streams results as they arrive (so does `Accept: application/x-ndjson`); otherwise one JSON document.
    #[serde(default)]
    format: Option<String>,
}

/// An amount as the storefront shows it, with its parts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Amount {
    /// Net of tax, as a decimal string.
    pub net: String,
    /// With tax, as a decimal string.
    pub gross: String,
    /// Formatted for the language, inclusive or exclusive of tax as the storefront shows prices.
    pub display: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PromotionView {
    pub label: String,
    /// Last day, YYYY-MM-DD.
    pub until: String,
}

/// The first-year price for this customer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriceView {
    pub years: u8,
    pub currency: String,
    /// Priced from the registry's premium price.
    pub premium: bool,
    pub register: Amount,
    /// Same as `register.display`.
    pub display: String,
    /// The price without the running promotion, when there is one.
    pub regular: Option<Amount>,
    pub promotion: Option<PromotionView>,
    pub renew: Option<Amount>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reason {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Available,
    Taken,
    /// The registry gave no clear answer: never shown as available.
    Unknown,
    /// The registry's rules refuse this name; it was not checked.
    Invalid,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResult {
    /// ASCII (punycode) domain.
    pub domain: String,
    pub unicode: String,
    pub extension: String,
    pub status: Status,
    /// true, false, or null when unknown or invalid.
    pub available: Option<bool>,
    pub premium: bool,
    /// A variation of the name rather than the name in another extension.
    pub suggestion: bool,
    pub reason: Option<Reason>,
    pub price: Option<PriceView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaxView {
    pub label: String,
    pub percent: String,
    pub inclusive: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueryView {
    pub query: String,
    pub name: String,
    pub unicode_name: String,
    pub extension: Option<String>,
    pub currency: String,
    pub tax: TaxView,
    /// How many results will follow.
    pub count: usize,
    /// False while this storefront takes no new orders (renewals of the
    /// customers' domains go on): the page then offers nothing to order.
    pub ordering: bool,
    /// What the page says instead, in the shopper's language, when
    /// `ordering` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

/// The JSON answer: the query, then every result in expansion order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchResponse {
    #[serde(flatten)]
    pub query: QueryView,
    pub results: Vec<SearchResult>,
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

/// For whom and when results are priced.
#[derive(Debug, Clone)]
struct Pricing {
    group: String,
    today: chrono::NaiveDate,
    lang: Locale,
}

/// An amount as the storefront shows it, with the net and gross in it.
fn show(s: &Snapshot, p: &Priced, lang: Locale) -> Amount {
    Amount {
        net: p.alone.net.amount().to_string(),
        gross: p.alone.gross.amount().to_string(),
        display: Money::new(p.shown, s.currency).format(lang),
    }
}

/// The regular price of a line that a promotion lowered, as shown.
fn show_regular(s: &Snapshot, p: &Priced, lang: Locale) -> Option<Amount> {
    let regular = p.regular?;
    let b = price::taxed(s, regular)?;
    Some(Amount {
        net: b.net.amount().to_string(),
        gross: b.gross.amount().to_string(),
        display: Money::new(regular, s.currency).format(lang),
    })
}

/// The first-year price this customer pays for a name, with the renewal:
/// both from `price::price`, the one pricing function.
fn price(s: &Snapshot, how: &Pricing, ext: &str, check: &Check) -> Option<PriceView> {
    let ask = |action: Action, premium: Option<rust_decimal::Decimal>| Ask {
        ext,
        action,
        years: 1,
        group: &how.group,
        today: how.today,
        premium: check
            .premium
            .as_ref()
            .zip(premium)
            .map(|(p, amount)| Money::new(amount, p.currency)),
        code: None,
    };
    let premium = check.premium.as_ref();
    let register = price::price(s, &ask(Action::Register, premium.map(|p| p.register))).ok()?;
    let renew = price::price(s, &ask(Action::Renew, premium.map(|p| p.renew))).ok();
    let lang = how.lang;
    let shown = show(s, &register, lang);
    Some(PriceView {
        years: 1,
        currency: s.currency.code().into(),
        premium: premium.is_some(),
        display: shown.display.clone(),
        regular: show_regular(s, &register, lang),
        promotion: register.promotion.as_ref().map(|p| PromotionView {
            label: p.label.get(lang).to_string(),
            until: p.until.to_string(),
        }),
        register: shown,
        renew: renew.map(|r| show(s, &r, lang)),
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

fn result(s: &Snapshot, how: &Pricing, t: &Target, check: Option<&Check>) -> SearchResult {
    let (status, available, reason) = match (&t.invalid, check.map(|c| &c.availability)) {
        (Some((code, msg)), _) => (
            Status::Invalid,
            None,
            Some(Reason {
                code: code.to_string(),
                message: msg.clone(),
            }),
        ),
        (None, Some(Availability::Available)) => (Status::Available, Some(true), None),
        (None, Some(Availability::Taken)) => (Status::Taken, Some(false), None),
        (None, Some(Availability::Unknown { reason })) => (
            Status::Unknown,
            None,
            Some(Reason {
                code: "unknown".into(),
                message: reason.clone(),
            }),
        ),
        (None, None) => (Status::Unknown, None, None),
    };
    SearchResult {
        domain: t.domain.clone(),
        unicode: names::to_unicode(&t.domain),
        extension: t.ext.clone(),
        status,
        available,
        premium: check.is_some_and(|c| c.premium.is_some()),
        suggestion: t.suggestion,
        reason,
        price: check
            .filter(|_| t.invalid.is_none())
            .and_then(|c| price(s, how, &t.ext, c)),
    }
}

/// Search for a domain name in every extension of its group, priced for
/// this storefront's customers.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Results, all at once; or, with `format=ndjson`, one JSON object per line: `{type: \"query\", query}`, then `{type: \"result\", ...SearchResult}` as each check completes, then `{type: \"done\"}`", body = SearchResponse),
        (status = 400, description = "The query is not a name that can be registered; `message` says why in the shopper's language", body = crate::error::ErrorBody),
        (status = 404, description = "No storefront is served on this host", body = crate::error::ErrorBody),
    )
)]
pub async fn search(
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
    // A signed-in customer sees its own price group's prices, as its
    // quote will charge them; everyone else the `default` group's, as the
    // pages show.
    let secrets = crate::accounts::sessions::CookieSpec::read_any(&headers);
    let group = match secrets.is_empty() {
        true => None,
        false => crate::accounts::routes::signed_in(
            st.catalogs.store().as_ref(),
            &tenant.reseller,
            &secrets,
        )
        .await
        .map_err(ApiError::unavailable)?
        .and_then(|(_, profile, _, _)| profile.price_group),
    };
    let how = Pricing {
        group: group.unwrap_or_else(|| "default".to_string()),
        today: s.today(st.clock.now()),
        lang,
    };
    // Whether a suspension stops this storefront's new orders, said as its
    // quote and order would say it (read at most every two seconds).
    let stopped = st
        .catalogs
        .suspensions()
        .await
        .map_err(ApiError::unavailable)?
        .of_levels(&s.levels)
        .is_some();
    let notice = stopped
        .then(|| crate::orders::engine::message(&crate::orders::OrderError::NotTakingOrders, lang));
    let head = QueryView {
        query: q.clone(),
        name: parsed.name.clone(),
        unicode_name: parsed.unicode_name.clone(),
        extension: parsed.extension.clone(),
        currency: s.currency.code().into(),
        tax: TaxView {
            label: s.tax.label.clone(),
            percent: s.tax.percent.normalize().to_string(),
            inclusive: s.tax_display == TaxDisplay::Inclusive,
        },
        count: targets.len(),
        ordering: !stopped,
        notice,
    };
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
        let results = targets
            .iter()
            .zip(&checks)
            .map(|(t, c)| result(&s, &how, t, c.as_ref()))
            .collect();
        return Ok((
            [(header::CACHE_CONTROL, "no-store")],
            Json(SearchResponse {
                query: head,
                results,
            }),
        )
            .into_response());
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
            let mut v = serde_json::to_value(result(&s, &how, &t, c.as_ref())).unwrap_or_default();
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
