//! Availability over RDAP (RFC 9224 bootstrap, RFC 9083 responses).
//!
//! Only a clear answer from the registry decides: a 200 carrying a domain
//! object for the name asked about is `Taken`, a 404 that is a plausible RDAP
//! "not found" is `Available`, and everything else (other statuses, bodies
//! that are not what RDAP promises, redirects that lead nowhere, refused
//! connections) is `Unknown` with a reason a person can read. A name is never
//! reported available on a guess.
//!
//! A registry that does not answer in time is `Err(RegistrarError::Timeout)`
//! rather than `Unknown`: search shows both as unknown, but a timeout also
//! says the server is slow, which matters for how hard search leans on it.

use super::{Availability, Check, Registrar, RegistrarError};
use async_trait::async_trait;
use reqwest::redirect::{Attempt, Policy};
use reqwest::{StatusCode, Url, header};
use serde_json::Value;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Duration;

/// RFC 7480 §4.2: the media type RDAP servers answer with.
const RDAP_JSON: &str = "application/rdap+json";
/// RFC 7480 lets a registry redirect to the authoritative server; more hops
/// than this is a loop or a misconfiguration, not an answer.
const MAX_REDIRECTS: usize = 3;
/// Real domain objects are tens of kilobytes; a body far beyond that is not
/// worth buffering to find out what it is.
const MAX_BODY: usize = 1 << 20;
/// Text copied from a registry into a reason is cut to this many characters,
/// so one odd server cannot flood a search result.
const MAX_QUOTED: usize = 160;

/// Why an RFC 9224 bootstrap file (or a list of services) was refused.
///
/// A file is taken whole or not at all: a malformed service is a sign of a
/// truncated or hand-edited file, and the last good one is a better guide to
/// which server is authoritative than whatever parts of a bad one parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BootstrapError {
    #[error("the bootstrap file is not valid JSON: {0}")]
    Json(String),
    #[error("the bootstrap file is not an RFC 9224 bootstrap file: {0}")]
    Format(String),
    #[error("services[{index}] of the bootstrap file is malformed: {problem}")]
    Service { index: usize, problem: String },
    #[error("\"{entry}\" is listed by more than one service of the bootstrap file")]
    Duplicate { entry: String },
}

/// Which RDAP server answers for which extension (RFC 9224 DNS registry).
#[derive(Debug, Clone, Default)]
pub struct Bootstrap {
    publication: Option<String>,
    /// Entry (lowercase, no trailing dot) to base URL (path ending in '/').
    bases: HashMap<String, Url>,
    /// Labels in the longest entry: suffixes longer than this cannot match.
    max_labels: usize,
}

impl Bootstrap {
    /// Parse an RFC 9224 DNS bootstrap file such as IANA's `dns.json`.
    pub fn from_json(json: &str) -> Result<Bootstrap, BootstrapError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| BootstrapError::Json(e.to_string()))?;
        let format = |problem: &str| BootstrapError::Format(problem.to_string());
        let file = value
            .as_object()
            .ok_or_else(|| format("the top level is not an object"))?;
        match file.get("version") {
            // Another version may change what entries or URLs mean; guessing
            // would risk asking the wrong server.
            Some(Value::String(v)) if v == "1.0" => {}
            Some(v) => return Err(format(&format!("version {v} is not \"1.0\""))),
            None => return Err(format("it has no version")),
        }
        let publication = match file.get("publication") {
            None | Some(Value::Null) => None,
            Some(Value::String(p)) => Some(p.clone()),
            Some(_) => return Err(format("the publication date is not a string")),
        };
        let services = file
            .get("services")
            .and_then(Value::as_array)
            .ok_or_else(|| format("\"services\" is missing or not an array"))?;
        let mut bootstrap = Bootstrap {
            publication,
            ..Bootstrap::default()
        };
        for (index, service) in services.iter().enumerate() {
            let problem = |problem: String| BootstrapError::Service { index, problem };
            let parts = service
                .as_array()
                .ok_or_else(|| problem("it is not an array".into()))?;
            let [entries, urls] = parts.as_slice() else {
                return Err(problem(format!(
                    "it has {} elements, not 2 (entries and URLs)",
                    parts.len()
                )));
            };
            let entries = strings(entries)
                .ok_or_else(|| problem("its entries are not an array of strings".into()))?;
            let urls = strings(urls)
                .ok_or_else(|| problem("its URLs are not an array of strings".into()))?;
            bootstrap.add(index, &entries, &urls)?;
        }
        Ok(bootstrap)
    }

    /// Build from (entries, base URLs) pairs, as in a bootstrap file's
    /// `services`; for configuration and tests.
    pub fn from_services(
        services: Vec<(Vec<String>, Vec<String>)>,
    ) -> Result<Bootstrap, BootstrapError> {
        let mut bootstrap = Bootstrap::default();
        for (index, (entries, urls)) in services.iter().enumerate() {
            let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
            let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
            bootstrap.add(index, &entries, &urls)?;
        }
        Ok(bootstrap)
    }

    fn add(&mut self, index: usize, entries: &[&str], urls: &[&str]) -> Result<(), BootstrapError> {
        let problem = |problem: String| BootstrapError::Service { index, problem };
        let mut https = None;
        let mut http = None;
        for raw in urls {
            let url = Url::parse(raw.trim())
                .map_err(|e| problem(format!("\"{raw}\" is not a URL: {e}")))?;
            match url.scheme() {
                "https" if https.is_none() => https = Some(url),
                "http" if http.is_none() => http = Some(url),
                _ => {}
            }
        }
        // RFC 9224 §3: prefer https when a service offers both.
        let mut base = https
            .or(http)
            .ok_or_else(|| problem("it has no http or https URL".into()))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        for raw in entries {
            let entry = normalise_entry(raw).map_err(|why| problem(format!("\"{raw}\" {why}")))?;
            let labels = entry.split('.').count();
            match self.bases.entry(entry) {
                Entry::Occupied(e) => {
                    return Err(BootstrapError::Duplicate {
                        entry: e.key().clone(),
                    });
                }
                Entry::Vacant(e) => {
                    e.insert(base.clone());
                }
            }
            self.max_labels = self.max_labels.max(labels);
        }
        Ok(())
    }

    /// The file's publication date, as written in it.
    pub fn publication(&self) -> Option<&str> {
        self.publication.as_deref()
    }

    /// How many entries (extensions) the bootstrap knows.
    pub fn len(&self) -> usize {
        self.bases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bases.is_empty()
    }

    /// The base URL (ending in '/') of the server for a domain: the entry
    /// matching the most trailing labels wins, so with both `id` and `co.id`
    /// listed, `example.co.id` goes to the `co.id` server.
    pub fn base_url(&self, domain: &str) -> Option<&str> {
        self.base(domain).map(Url::as_str)
    }

    /// The RDAP query URL for a domain (`{base}domain/{name}`).
    pub fn domain_url(&self, domain: &str) -> Option<String> {
        let name = domain
            .strip_suffix('.')
            .unwrap_or(domain)
            .to_ascii_lowercase();
        self.query_url(&name).map(String::from)
    }

    fn base(&self, domain: &str) -> Option<&Url> {
        let name = domain
            .strip_suffix('.')
            .unwrap_or(domain)
            .to_ascii_lowercase();
        let labels: Vec<&str> = name.split('.').collect();
        let shortest = labels.len().saturating_sub(self.max_labels);
        (shortest..labels.len()).find_map(|i| self.bases.get(&labels[i..].join(".")))
    }

    fn query_url(&self, name: &str) -> Option<Url> {
        let mut url = self.base(name)?.clone();
        // Pushing segments rather than formatting a string keeps any odd
        // character in the name inside one path segment (percent-encoded).
        url.path_segments_mut()
            .ok()?
            .pop_if_empty()
            .push("domain")
            .push(name);
        Some(url)
    }
}

fn strings(value: &Value) -> Option<Vec<&str>> {
    value.as_array()?.iter().map(Value::as_str).collect()
}

fn normalise_entry(raw: &str) -> Result<String, &'static str> {
    let entry = raw.trim();
    let entry = entry
        .strip_suffix('.')
        .unwrap_or(entry)
        .to_ascii_lowercase();
    if entry.is_empty() || entry.split('.').any(str::is_empty) {
        return Err("has an empty label");
    }
    if !entry.is_ascii() {
        // IANA lists IDN extensions in their xn-- form, as queries are.
        return Err("is not ASCII");
    }
    Ok(entry)
}

#[derive(Debug, Clone)]
pub struct RdapConfig {
    pub bootstrap: Bootstrap,
    /// For the whole exchange, redirects and body included.
    pub timeout: Duration,
    pub user_agent: String,
}

impl RdapConfig {
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
    pub const DEFAULT_USER_AGENT: &'static str = concat!(
        "storefront/",
        env!("CARGO_PKG_VERSION"),
        " (RDAP availability)"
    );

    pub fn new(bootstrap: Bootstrap) -> RdapConfig {
        RdapConfig {
            bootstrap,
            timeout: RdapConfig::DEFAULT_TIMEOUT,
            user_agent: RdapConfig::DEFAULT_USER_AGENT.to_string(),
        }
    }
}

/// Availability from the registries' own RDAP servers.
#[derive(Debug)]
pub struct Rdap {
    bootstrap: Bootstrap,
    client: reqwest::Client,
}

impl Rdap {
    /// Fails only if the HTTP client cannot be built (an invalid user agent,
    /// or no TLS backend).
    pub fn new(config: RdapConfig) -> Result<Rdap, reqwest::Error> {
        // reqwest is built without a crypto provider of its own: ring, for
        // the whole process (an error means one is installed already).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(config.user_agent)
            .redirect(Policy::custom(redirect))
            .build()?;
        Ok(Rdap {
            bootstrap: config.bootstrap,
            client,
        })
    }

    pub fn bootstrap(&self) -> &Bootstrap {
        &self.bootstrap
    }

    async fn ask(&self, name: &str, url: Url) -> Result<Availability, RegistrarError> {
        let response = self
            .client
            .get(url)
            .header(header::ACCEPT, RDAP_JSON)
            .send()
            .await;
        match response {
            Ok(response) => interpret(name, response).await,
            Err(e) => failed(&e),
        }
    }
}

fn redirect(attempt: Attempt) -> reqwest::redirect::Action {
    // `previous` starts with the original URL, so it holds one more than the
    // hops taken so far.
    if attempt.previous().len() > MAX_REDIRECTS {
        return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
    }
    let from_https = attempt
        .previous()
        .last()
        .is_some_and(|u| u.scheme() == "https");
    if from_https && attempt.url().scheme() != "https" {
        return attempt.error("a redirect from https to plain http");
    }
    attempt.follow()
}

#[async_trait]
impl Registrar for Rdap {
    /// The origin (scheme, host, port) of the server that answers: one server
    /// often serves many extensions under different base paths, and its rate
    /// limit is per client, not per path.
    fn upstream(&self, domain: &str) -> String {
        match self.bootstrap.base(domain) {
            Some(base) => base.origin().ascii_serialization(),
            None => "rdap:unsupported".to_string(),
        }
    }

    async fn check(&self, domain: &str) -> Result<Check, RegistrarError> {
        let name = match normalise_domain(domain) {
            Ok(name) => name,
            Err(why) => {
                // Not a name any registry could hold; asking would at best
                // waste a request and at worst put odd text into a URL.
                return Ok(Check {
                    domain: domain.trim().to_lowercase(),
                    availability: unknown(format!("\"{}\" {why}", quote(domain.trim()))),
                    premium: None,
                });
            }
        };
        let Some(url) = self.bootstrap.query_url(&name) else {
            let tld = name.rsplit('.').next().unwrap_or_default();
            return Err(RegistrarError::Unsupported(tld.to_string()));
        };
        let availability = self.ask(&name, url).await?;
        // RDAP carries no prices.
        Ok(Check {
            domain: name,
            availability,
            premium: None,
        })
    }
}

/// A lowercase ASCII name without trailing dot, or why it is not one.
fn normalise_domain(domain: &str) -> Result<String, &'static str> {
    let name = domain.trim();
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    if name.is_empty() {
        return Err("is empty");
    }
    if !name.is_ascii() {
        return Err("is not ASCII (internationalised names are checked in their xn-- form)");
    }
    if name.len() > 253 {
        return Err("is longer than 253 characters");
    }
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() < 2 {
        return Err("is not a name under an extension");
    }
    for label in labels {
        if label.is_empty() {
            return Err("has an empty label");
        }
        if label.len() > 63 {
            return Err("has a label longer than 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err("has characters other than letters, digits and hyphens");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("has a label that starts or ends with a hyphen");
        }
    }
    Ok(name)
}

fn unknown(reason: impl Into<String>) -> Availability {
    Availability::Unknown {
        reason: reason.into(),
    }
}

/// No response at all (or none we would read).
fn failed(e: &reqwest::Error) -> Result<Availability, RegistrarError> {
    if e.is_timeout() {
        return Err(RegistrarError::Timeout);
    }
    if e.is_redirect() {
        return Ok(unknown(format!(
            "the registry's redirects led nowhere ({})",
            innermost(e)
        )));
    }
    if e.is_connect() {
        return Ok(unknown(format!(
            "could not connect to the registry ({})",
            innermost(e)
        )));
    }
    Ok(unknown(format!(
        "the request to the registry failed ({})",
        innermost(e)
    )))
}

/// reqwest wraps the useful message (e.g. "connection refused") a few
/// sources deep, behind one that repeats the URL.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut e = e;
    while let Some(source) = e.source() {
        e = source;
    }
    quote(&e.to_string())
}

enum Body {
    Json(Value),
    Empty,
    NotJson,
    TooLarge,
}

async fn read_body(response: &mut reqwest::Response) -> Result<Body, reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if bytes.len() + chunk.len() > MAX_BODY {
            return Ok(Body::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Body::Empty);
    }
    Ok(serde_json::from_slice(&bytes).map_or(Body::NotJson, Body::Json))
}

async fn interpret(
    name: &str,
    mut response: reqwest::Response,
) -> Result<Availability, RegistrarError> {
    let status = response.status();
    let retry = retry_after(&response);
    let body = match read_body(&mut response).await {
        Ok(body) => body,
        Err(e) if e.is_timeout() => return Err(RegistrarError::Timeout),
        Err(e) => {
            return Ok(unknown(format!(
                "the registry's answer (HTTP {}) broke off ({})",
                status.as_u16(),
                innermost(&e)
            )));
        }
    };
    Ok(match status {
        StatusCode::OK => found(name, body),
        StatusCode::NOT_FOUND => not_found(body),
        StatusCode::TOO_MANY_REQUESTS => unknown(format!(
            "the registry is limiting how often it is asked{}",
            retry.unwrap_or_default()
        )),
        s if s.is_redirection() => unknown(format!(
            "the registry redirected (HTTP {}) without saying where to",
            s.as_u16()
        )),
        s => {
            let detail = match &body {
                Body::Json(v) => rdap_error(v).map(|e| format!(": {e}")),
                _ => None,
            };
            unknown(format!(
                "the registry answered HTTP {}{}{}",
                s.as_u16(),
                detail.unwrap_or_default(),
                retry.unwrap_or_default()
            ))
        }
    })
}

/// A 200: taken only if it is a domain object about this name. Its status
/// (redemption period, pending delete, ...) does not matter: an existing
/// object is a name that cannot be registered now.
fn found(name: &str, body: Body) -> Availability {
    let value = match body {
        Body::Json(value) => value,
        Body::Empty => return unknown("the registry answered HTTP 200 with nothing"),
        Body::NotJson => {
            return unknown("the registry answered HTTP 200 with something that is not JSON");
        }
        Body::TooLarge => return unknown("the registry's answer was too large to read"),
    };
    let Some(object) = value.as_object() else {
        return unknown("the registry answered HTTP 200 with JSON that is not an RDAP object");
    };
    if object.contains_key("errorCode") {
        let detail = rdap_error(&value).unwrap_or_else(|| "no detail".into());
        return unknown(format!(
            "the registry answered HTTP 200 with an error ({detail})"
        ));
    }
    match object.get("objectClassName").and_then(Value::as_str) {
        Some("domain") => {}
        Some(other) => {
            return unknown(format!(
                "the registry answered with an RDAP \"{}\" object, not a domain",
                quote(other)
            ));
        }
        None => return unknown("the registry answered with an object of no RDAP class"),
    }
    // A server that answers about another name (a stray redirect, a cache
    // keyed wrongly) has said nothing about this one.
    if let Some(ldh) = object.get("ldhName").and_then(Value::as_str) {
        let ldh = ldh.strip_suffix('.').unwrap_or(ldh);
        if !ldh.eq_ignore_ascii_case(name) {
            return unknown(format!(
                "the registry answered about \"{}\", not the name asked about",
                quote(ldh)
            ));
        }
    }
    Availability::Taken
}

/// A 404 is available only if it reads as RDAP's "not found": an empty body
/// or an RDAP (JSON) error. An HTML page is more likely a web server that
/// does not know the path, e.g. a wrong base URL, than the registry's answer.
fn not_found(body: Body) -> Availability {
    let value = match body {
        Body::Empty => return Availability::Available,
        Body::Json(value) => value,
        Body::NotJson => {
            return unknown("the registry answered HTTP 404 with something that is not RDAP");
        }
        Body::TooLarge => return unknown("the registry's answer was too large to read"),
    };
    let Some(object) = value.as_object() else {
        return unknown("the registry answered HTTP 404 with JSON that is not an RDAP object");
    };
    if object.contains_key("objectClassName") {
        return unknown("the registry answered HTTP 404 yet sent an object");
    }
    match object.get("errorCode") {
        None => Availability::Available,
        Some(code) if code.as_u64() == Some(404) => Availability::Available,
        Some(code) => unknown(format!(
            "the registry answered HTTP 404 with error code {}",
            quote(&code.to_string())
        )),
    }
}

/// "title: description" of an RDAP error body (RFC 9083 §6), if it is one.
fn rdap_error(value: &Value) -> Option<String> {
    let object = value.as_object()?;
    let title = object.get("title").and_then(Value::as_str);
    let description = object
        .get("description")
        .and_then(strings)
        .map(|lines| lines.join(" "))
        .filter(|d| !d.is_empty());
    let text = match (title, description) {
        (Some(t), Some(d)) => format!("{t}: {d}"),
        (Some(t), None) => t.to_string(),
        (None, Some(d)) => d,
        (None, None) => return None,
    };
    Some(quote(&text))
}

/// "; retry after ..." from a Retry-After header, for the reason only: search
/// decides when to ask again, and a check must not sleep.
fn retry_after(response: &reqwest::Response) -> Option<String> {
    let value = response
        .headers()
        .get(header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if value.is_empty() {
        return None;
    }
    Some(match value.parse::<u64>() {
        Ok(seconds) => format!("; it asks to retry after {seconds} s"),
        Err(_) => format!("; it asks to retry after {}", quote(value)),
    })
}

/// Upstream text made safe to put in a reason: one line, bounded length.
fn quote(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_QUOTED)
        .collect();
    if text.chars().count() > MAX_QUOTED {
        out.push('…');
    }
    out
}
