//! One AWS Lambda per function. Each binary in `src/bin/` is a thin `main`:
//! tracing, [`services_from_env`] once per process (clients are built there,
//! never per request), then `lambda_http::run` over its function's router
//! (API Gateway HTTP API, payload v2), or [`run_scheduler`] for the
//! scheduler, which EventBridge invokes on a schedule.
//!
//! ## Environment
//!
//! | variable | what |
//! |---|---|
//! | `TABLE_NAME` | the DynamoDB table (the store) |
//! | `DOCUMENTS_BUCKET` | the S3 bucket for uploaded files; read by the functions that keep files (wallet, orders, panel, backoffice; the scheduler deletes documents past their retention) |
//! | `SMTP_URL` | read by the functions that send mail (accounts, orders, panel, scheduler): the mail relay: `smtps://[user[:password]@]host[:port]` (TLS, port 465 by default), `smtp://...` (STARTTLS required, 587), `smtp+insecure://...` (no TLS, 25: a relay on a private network only). User and password are percent-decoded. |
//! | `SMTP_PASSWORD` | optional: the relay's password, instead of putting it in `SMTP_URL` |
//! | `MAIL_FROM` | with `SMTP_URL`: the address mail is sent from (the storefront's name is the display name) |
//! | `DOCUMENT_LINK_SECRET` | read by the functions that make or open the documents' short-lived links (orders, backoffice): the key (32 characters or more) both sign and check them with; the template generates it |
//! | `CLIENT_IP_HEADER` | optional: a header set by a proxy we trust (the edge) naming the client, e.g. `x-forwarded-for`. Without it the client is the address API Gateway saw (`requestContext.http.sourceIp`). |
//! | `REGISTRAR` | optional: `sandbox` (the default and, for now, the only one: the simulated registry, kept in the table) |
//! | `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` | set by Lambda: the region and the execution role's credentials |
//! | `AWS_ENDPOINT_URL` | optional: every AWS call to this endpoint instead (a local DynamoDB/S3-compatible server) |
//! | `RUST_LOG` | the log filter (default `info`) |
//!
//! A missing or invalid variable stops the function at start with an error
//! naming it: a deployed function never falls back to dropping mail or to a
//! local folder. A function builds only the clients it uses (no S3 client
//! where no file is kept, no SMTP transport where no mail is sent), which
//! keeps the others' code out of its binary; what it does not have refuses
//! loudly (an error, logged) rather than doing something else.

use axum::Router;
use axum::extract::ConnectInfo;
use lambda_http::RequestExt;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use lambda_http::request::RequestContext;
use std::net::SocketAddr;
use std::sync::Arc;
use storefront_functions::accounts::{Mail, MailError, Mailer, SmtpConfig};
use storefront_functions::app::Services;
use storefront_functions::blobs::{BlobError, Blobs};
use storefront_functions::forwarded::{self, EdgeSecret};
use storefront_functions::links::DocumentLinks;
use storefront_functions::orders::Orders;
use storefront_functions::registrar::sandbox::{Sandbox, SandboxConfig};
use storefront_functions::store::Store;
use tracing::Level;
use tracing_subscriber::filter::Targets;

pub mod backoffice;

/// The functions, one Lambda each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// `/api/search`, `/api/openapi.json`.
    Search,
    /// `/api/accounts/*`.
    Accounts,
    /// `/api/orders*`, `/api/domains*`, `/api/invoices` (the list).
    Orders,
    /// `/api/wallet*`.
    Wallet,
    /// `/api/panel/*`, but one invoice's document.
    Panel,
    /// One invoice as HTML or PDF: `/api/invoices/{number}`,
    /// `/api/panel/invoices/{number}`. Only this function carries the PDF
    /// writer and its fonts.
    Invoices,
    /// Not HTTP: EventBridge's scheduled events (renewals, expiries, lost
    /// registry answers, invoices).
    Scheduler,
    /// The reseller's back office, `/panel/*`: its editors keep content
    /// revisions (blobs in the documents bucket), and a publish builds the
    /// storefront and uploads it to the storefronts bucket; its money pages
    /// do what the panel function does, as pages.
    Backoffice,
}

impl Function {
    /// Whether it keeps uploaded files (top-up proofs: the wallet stores
    /// them, the panel reads them back; the registrant's documents: the
    /// orders function stores them, the back office reads them back, the
    /// scheduler deletes them after their retention), so needs
    /// `DOCUMENTS_BUCKET`.
    pub const fn keeps_files(self) -> bool {
        matches!(
            self,
            Function::Wallet
                | Function::Orders
                | Function::Panel
                | Function::Scheduler
                | Function::Backoffice
        )
    }

    /// Whether it makes or opens the documents' short-lived links (the
    /// orders function gives its customers theirs and serves the files;
    /// the back office gives its reviewers theirs), so needs
    /// `DOCUMENT_LINK_SECRET`: one key for both.
    pub const fn links_documents(self) -> bool {
        matches!(self, Function::Orders | Function::Backoffice)
    }

    /// Whether it sends mail (account links; proformas, invoices and
    /// reseller notices; top-up decisions), so needs `SMTP_URL` and
    /// `MAIL_FROM`. Search and the wallet send none.
    pub const fn sends_mail(self) -> bool {
        matches!(
            self,
            Function::Accounts
                | Function::Orders
                | Function::Panel
                | Function::Scheduler
                | Function::Backoffice
        )
    }
}

impl Function {
    pub const ALL: [Function; 8] = [
        Function::Search,
        Function::Accounts,
        Function::Orders,
        Function::Wallet,
        Function::Panel,
        Function::Invoices,
        Function::Scheduler,
        Function::Backoffice,
    ];

    /// The binary's name.
    pub fn name(self) -> &'static str {
        match self {
            Function::Search => "search",
            Function::Accounts => "accounts",
            Function::Orders => "orders",
            Function::Wallet => "wallet",
            Function::Panel => "panel",
            Function::Invoices => "invoices",
            Function::Scheduler => "scheduler",
            Function::Backoffice => "backoffice",
        }
    }
}

/// What a deployed function reads from its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub table: String,
    /// The region, credentials and endpoint for the AWS clients.
    pub aws: aws_config::SdkConfig,
    /// Only for a function that [keeps files](Function::keeps_files).
    pub documents_bucket: Option<String>,
    /// Only for the back office: where storefronts are served from.
    pub storefronts_bucket: Option<String>,
    /// Only for the back office: the platform's domain, under which a new
    /// sub-reseller gets its address (`<id>.<domain>`, which a wildcard
    /// record points at the edge). None: sub-resellers are not created
    /// here.
    pub platform_domain: Option<String>,
    /// Only for a function that [sends mail](Function::sends_mail).
    pub mail: Option<MailSettings>,
    pub client_ip_header: Option<axum::http::HeaderName>,
    /// The edge's shared secret (`STOREFRONT_EDGE_SECRET`). When set, only
    /// requests carrying it are answered, and the storefront's host and the
    /// visitor's address come from the edge's forwarded headers
    /// (`storefront_functions::forwarded`).
    pub edge_secret: Option<EdgeSecret>,
    /// Only for a function that [links documents](Function::links_documents).
    pub document_links: Option<DocumentLinks>,
}

/// Where mail goes and whom it is from.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub smtp: SmtpConfig,
    pub from: String,
}

impl Settings {
    /// What `function` needs, from the process environment.
    pub fn from_env(function: Function) -> anyhow::Result<Settings> {
        Settings::from_lookup(function, |name| std::env::var(name).ok())
    }

    /// What `function` needs, from any lookup of variables by name (the
    /// environment, or a test's map). Every error names the variable.
    pub fn from_lookup(
        function: Function,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Settings> {
        let required = |name: &str| -> anyhow::Result<String> {
            match lookup(name) {
                Some(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
                Some(_) => anyhow::bail!("{name} is set but empty"),
                None => anyhow::bail!("{name} is not set"),
            }
        };
        let table = required("TABLE_NAME")?;
        let aws = aws_settings(&lookup)?;
        let documents_bucket = if function.keeps_files() {
            Some(required("DOCUMENTS_BUCKET")?)
        } else {
            None
        };
        let storefronts_bucket = if function == Function::Backoffice {
            Some(required("STOREFRONTS_BUCKET")?)
        } else {
            None
        };
        let platform_domain = match lookup("PLATFORM_DOMAIN").map(|d| d.trim().to_string()) {
            Some(d) if function == Function::Backoffice && !d.is_empty() => {
                let d = d.trim_matches('.').to_ascii_lowercase();
                if !d.contains('.') || !d.split('.').all(storefront_generator::content::valid_id) {
                    anyhow::bail!(
                        "PLATFORM_DOMAIN {d:?} is not a domain name such as shops.example.com"
                    );
                }
                Some(d)
            }
            _ => None,
        };
        let mail = if function.sends_mail() {
            let url = required("SMTP_URL")?;
            let from = required("MAIL_FROM")?;
            let (smtp, from) = SmtpConfig::from_vars(&url, lookup("SMTP_PASSWORD"), &from)
                .map_err(anyhow::Error::msg)?;
            Some(MailSettings { smtp, from })
        } else {
            None
        };
        match lookup("REGISTRAR").as_deref().map(str::trim) {
            None | Some("") | Some("sandbox") => {}
            Some(other) => {
                anyhow::bail!("REGISTRAR {other:?} is not available on Lambda: only \"sandbox\"")
            }
        }
        let client_ip_header = match lookup("CLIENT_IP_HEADER").filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(h) => Some(
                axum::http::HeaderName::from_bytes(h.trim().to_ascii_lowercase().as_bytes())
                    .map_err(|_| anyhow::anyhow!("CLIENT_IP_HEADER {h:?} is not a header name"))?,
            ),
        };
        let edge_secret = match lookup("STOREFRONT_EDGE_SECRET").filter(|v| !v.trim().is_empty()) {
            None => None,
            Some(v) => Some(
                EdgeSecret::new(v.trim())
                    .map_err(|e| anyhow::anyhow!("STOREFRONT_EDGE_SECRET: {e}"))?,
            ),
        };
        let document_links = if function.links_documents() {
            let secret = required("DOCUMENT_LINK_SECRET")?;
            Some(
                DocumentLinks::new(secret.as_bytes())
                    .map_err(|e| anyhow::anyhow!("DOCUMENT_LINK_SECRET: {e}"))?,
            )
        } else {
            None
        };
        Ok(Settings {
            table,
            aws,
            documents_bucket,
            storefronts_bucket,
            platform_domain,
            mail,
            client_ip_header,
            edge_secret,
            document_links,
        })
    }
}

/// The AWS configuration from the variables Lambda sets, and not from
/// `aws_config`'s default chain: on Lambda the chain ends at these same
/// variables, and its other providers (profile files, SSO, web identity
/// over STS, container and instance metadata) would only add their code,
/// a few hundred KB, to every binary.
fn aws_settings(lookup: &impl Fn(&str) -> Option<String>) -> anyhow::Result<aws_config::SdkConfig> {
    use aws_sdk_dynamodb::config::{Credentials, Region, SharedCredentialsProvider};
    let get = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let need =
        |name: &str| get(name).ok_or_else(|| anyhow::anyhow!("{name} is not set (Lambda sets it)"));
    let region = need("AWS_REGION")?;
    let credentials = Credentials::new(
        need("AWS_ACCESS_KEY_ID")?,
        need("AWS_SECRET_ACCESS_KEY")?,
        get("AWS_SESSION_TOKEN"),
        None,
        "lambda-environment",
    );
    let mut b = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials));
    if let Some(url) = get("AWS_ENDPOINT_URL") {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            anyhow::bail!("AWS_ENDPOINT_URL {url:?} is not an http(s) URL");
        }
        b = b.endpoint_url(url);
    }
    Ok(b.build())
}

/// The services of a deployed `function`: the DynamoDB store, the sandbox
/// registry over the same store, S3 for files and mail over SMTP where the
/// function uses them, `Secure` cookies. Built once per process.
// Inlined into each binary's `main`, where `function` is a literal: then
// the branches on it below fold away, and with them the S3 client and the
// SMTP transport of the functions that do not use them. (Passed through an
// async fn's state, the constant was lost and every binary kept both.)
#[inline(always)]
pub fn services_from_env(function: Function) -> anyhow::Result<Services> {
    services(function, &Settings::from_env(function)?)
}

/// The services of `function` for these settings.
#[inline(always)]
pub fn services(function: Function, settings: &Settings) -> anyhow::Result<Services> {
    let sdk = &settings.aws;
    let store: Arc<dyn Store> = Arc::new(storefront_aws::DynamoStore::new(
        aws_sdk_dynamodb::Client::new(sdk),
        settings.table.clone(),
    ));
    let registrar = Arc::new(Sandbox::new(SandboxConfig::default(), store.clone()));
    let mut services = Services::with(store, registrar);
    // Each binary passes its own constant `function`, so the optimiser
    // drops the S3 client from those that keep no files and the SMTP
    // transport from those that send no mail: the branches test the
    // function, not only the settings read at run time.
    services.blobs = match &settings.documents_bucket {
        Some(bucket) if function.keeps_files() => Arc::new(
            storefront_aws::S3Blobs::new(storefront_aws::s3_client(sdk), bucket.clone())
                .with_uploads(sdk),
        ),
        _ => Arc::new(NoFiles(function)),
    };
    services.mailer = match &settings.mail {
        Some(mail) if function.sends_mail() => {
            services.accounts.mail_from = mail.from.clone();
            Arc::new(
                storefront_functions::accounts::Smtp::new(&mail.smtp)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?,
            )
        }
        _ => Arc::new(NoMail(function)),
    };
    services.accounts.secure_cookies = true;
    services.accounts.client_ip_header = settings.client_ip_header.clone();
    if settings.edge_secret.is_some() && settings.client_ip_header.is_none() {
        // Behind the edge the visitor's address is the one it vouches for.
        services.accounts.client_ip_header = Some(forwarded::CLIENT_IP_HEADER);
    }
    services.edge_secret = settings.edge_secret.clone();
    if let Some(links) = &settings.document_links {
        services.document_links = links.clone();
    }
    Ok(services)
}

/// The files of a function that keeps none: every use is an error, logged.
#[derive(Debug)]
struct NoFiles(Function);

#[async_trait::async_trait]
impl Blobs for NoFiles {
    async fn put(&self, key: &str, _: Vec<u8>, _: &str) -> Result<(), BlobError> {
        Err(self.refuse(key))
    }
    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, BlobError> {
        Err(self.refuse(key))
    }
    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        Err(self.refuse(key))
    }
}

impl NoFiles {
    fn refuse(&self, key: &str) -> BlobError {
        tracing::error!(
            function = self.0.name(),
            key,
            "this function keeps no files"
        );
        BlobError::Unavailable(format!("the {} function keeps no files", self.0.name()))
    }
}

/// The mail of a function that sends none: every message is an error, logged.
#[derive(Debug)]
struct NoMail(Function);

#[async_trait::async_trait]
impl Mailer for NoMail {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        tracing::error!(function = self.0.name(), subject = %mail.subject, "this function sends no mail");
        Err(MailError::Smtp(format!(
            "the {} function sends no mail",
            self.0.name()
        )))
    }
}

/// The routes `function` serves, as `lambda_http::run` takes them. The
/// scheduler serves none (every request is a JSON 404): it is run by
/// [`run_scheduler`].
pub fn router(function: Function, services: &Services) -> Router {
    let routes = match function {
        Function::Search => services.search_router(),
        Function::Accounts => services.accounts_router(),
        Function::Orders => services.orders_router(),
        Function::Wallet => services.wallet_router(),
        Function::Panel => services.panel_router(),
        Function::Invoices => services.invoices_router(),
        // Both are set up by their own entry points: `run_scheduler`, and
        // `backoffice::router`, which needs the platform's content first.
        Function::Scheduler | Function::Backoffice => return Router::new().fallback(not_found),
    };
    layered(routes, services)
}

/// The layers every HTTP function has: the client's address, and the
/// edge's secret outermost.
pub fn layered(routes: Router, services: &Services) -> Router {
    let routes = if services.accounts.client_ip_header.is_some() {
        // The trusted header names the client; a connection address would
        // win over it.
        routes
    } else {
        routes.layer(axum::middleware::map_request(source_ip))
    };
    // Outermost: nothing else runs for a request the edge did not send.
    match &services.edge_secret {
        Some(secret) => forwarded::behind_edge(routes, secret.clone()),
        None => routes,
    }
}

async fn not_found() -> storefront_functions::error::ApiError {
    storefront_functions::error::ApiError::NotFound
}

/// The address API Gateway received the request from, where the local
/// server has the connection's: rate limits per client address use it.
async fn source_ip(mut req: axum::extract::Request) -> axum::extract::Request {
    let ip = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => {
            ctx.http.source_ip.as_deref().and_then(|s| s.parse().ok())
        }
        _ => None,
    };
    if let Some(ip) = ip {
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(ip, 0)));
    }
    req
}

/// One scheduled run: what `storefront serve` does every minute. The event
/// (EventBridge's `Scheduled Event`) carries nothing we need; the answer is
/// the tick's report.
pub async fn scheduled(
    orders: &Orders,
    event: LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, lambda_runtime::Error> {
    let id = event
        .payload
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let report = storefront_functions::scheduler::tick(orders).await?;
    tracing::info!(event = id, ?report, "tick");
    Ok(serde_json::to_value(report)?)
}

/// The scheduler's Lambda loop over these services.
pub async fn run_scheduler(services: &Services) -> Result<(), lambda_runtime::Error> {
    let orders = services.orders();
    lambda_runtime::run(service_fn(move |event| {
        let orders = orders.clone();
        async move { scheduled(&orders, event).await }
    }))
    .await
}

/// The build of the day's Lambda loop: one build per scheduled event
/// (`backoffice::daily_build`). A failed build is an error for the
/// schedule to log; the next hour's tries again.
pub async fn run_daily_build(
    services: &Services,
    settings: &Settings,
    work: &std::path::Path,
) -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(service_fn(|_event: LambdaEvent<serde_json::Value>| async {
        let rendered = backoffice::daily_build(services, settings, work)
            .await
            .map_err(|e| lambda_runtime::Error::from(format!("{e:#}")))?;
        tracing::info!(rendered = rendered.len(), "daily build");
        Ok::<_, lambda_runtime::Error>(serde_json::json!({ "rendered": rendered }))
    }))
    .await
}

/// Logs as CloudWatch reads them: one line per event, no colours, no
/// timestamp of our own (Lambda stamps each line), filtered by `RUST_LOG`.
pub fn init_tracing() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    // `Targets` reads `info` or `info,storefront_functions=debug` (what the
    // template passes) without the regular expressions of `EnvFilter`,
    // which would add their engine to every binary.
    let (filter, bad) = match std::env::var("RUST_LOG") {
        Err(_) => (Targets::new().with_default(Level::INFO), None),
        Ok(v) => match v.parse::<Targets>() {
            Ok(t) => (t, None),
            Err(e) => (Targets::new().with_default(Level::INFO), Some((v, e))),
        },
    };
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .without_time()
                .compact(),
        )
        .with(filter)
        .init();
    if let Some((v, e)) = bad {
        tracing::warn!(rust_log = v, error = %e, "RUST_LOG not understood; logging at info");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    const AWS: [(&str, &str); 3] = [
        ("AWS_REGION", "ap-southeast-3"),
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
    ];

    const FULL: [(&str, &str); 9] = [
        ("AWS_REGION", "ap-southeast-3"),
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("TABLE_NAME", "storefront"),
        ("DOCUMENTS_BUCKET", "documents"),
        ("STOREFRONTS_BUCKET", "storefronts"),
        ("SMTP_URL", "smtps://mailer:p%40ss%3Aword@smtp.example.com"),
        ("MAIL_FROM", "no-reply@platform.example"),
        ("DOCUMENT_LINK_SECRET", "fedcba9876543210fedcba9876543210"),
    ];

    fn without(name: &str) -> Vec<(&'static str, &'static str)> {
        FULL.iter().copied().filter(|(k, _)| *k != name).collect()
    }

    #[test]
    fn the_document_link_secret_is_one_key_for_the_functions_that_link() {
        let mut short = FULL.to_vec();
        short.retain(|(k, _)| *k != "DOCUMENT_LINK_SECRET");
        short.push(("DOCUMENT_LINK_SECRET", "short"));
        let e = Settings::from_lookup(Function::Orders, vars(&short)).expect_err("short secret");
        assert!(e.to_string().starts_with("DOCUMENT_LINK_SECRET:"), "{e}");
        // What the back office makes, the orders function opens.
        let links = |f| {
            Settings::from_lookup(f, vars(&FULL))
                .expect("settings")
                .document_links
                .expect("links")
        };
        let now = chrono::Utc::now();
        let token = links(Function::Backoffice).make(
            ("toko", "o", "l", "ktp", 1),
            storefront_functions::links::Audience::Staff,
            now,
        );
        assert!(links(Function::Orders).open(&token).is_some());
    }

    #[test]
    fn the_platform_domain_is_the_back_offices_and_a_domain_name() {
        let mut with = FULL.to_vec();
        with.push(("PLATFORM_DOMAIN", " Shops.Platform.example. "));
        let domain = |f| {
            Settings::from_lookup(f, vars(&with))
                .expect("settings")
                .platform_domain
        };
        assert_eq!(
            domain(Function::Backoffice).as_deref(),
            Some("shops.platform.example")
        );
        assert_eq!(domain(Function::Orders), None);
        let unset = Settings::from_lookup(Function::Backoffice, vars(&FULL)).expect("settings");
        assert_eq!(unset.platform_domain, None);
        for bad in ["localhost", "shops_x.example", "-a.example"] {
            let mut v = FULL.to_vec();
            v.push(("PLATFORM_DOMAIN", bad));
            let e = Settings::from_lookup(Function::Backoffice, vars(&v)).expect_err(bad);
            assert!(e.to_string().starts_with("PLATFORM_DOMAIN"), "{e}");
        }
    }

    #[test]
    fn the_edge_secret_is_checked_and_moves_the_client_address() {
        let mut short = FULL.to_vec();
        short.push(("STOREFRONT_EDGE_SECRET", "short"));
        let e = Settings::from_lookup(Function::Panel, vars(&short)).expect_err("short secret");
        assert!(e.to_string().starts_with("STOREFRONT_EDGE_SECRET:"), "{e}");
        let mut ok = FULL.to_vec();
        ok.push(("STOREFRONT_EDGE_SECRET", "0123456789abcdef0123456789abcdef"));
        let s = Settings::from_lookup(Function::Panel, vars(&ok)).expect("settings");
        assert!(s.edge_secret.is_some());
        assert!(
            Settings::from_lookup(Function::Panel, vars(&FULL))
                .expect("settings")
                .edge_secret
                .is_none()
        );
    }

    #[test]
    fn every_missing_variable_is_named() {
        // The back office needs every one of them.
        for (name, _) in FULL {
            let e =
                Settings::from_lookup(Function::Backoffice, vars(&without(name))).expect_err(name);
            assert!(
                e.to_string().starts_with(&format!("{name} is not set")),
                "{e}"
            );
            let mut empty = without(name);
            empty.push((name, "  "));
            let e = Settings::from_lookup(Function::Backoffice, vars(&empty)).expect_err(name);
            assert!(e.to_string().starts_with(&format!("{name} is ")), "{e}");
        }
        let s = Settings::from_lookup(Function::Panel, vars(&FULL)).expect("settings");
        assert_eq!(s.table, "storefront");
        assert_eq!(s.documents_bucket.as_deref(), Some("documents"));
        let mail = s.mail.expect("mail");
        assert_eq!(mail.from, "no-reply@platform.example");
        assert_eq!(mail.smtp.host, "smtp.example.com");
        assert_eq!(s.client_ip_header, None);
    }

    #[test]
    fn a_function_needs_only_what_it_uses() {
        let mut only_table = AWS.to_vec();
        only_table.push(("TABLE_NAME", "storefront"));
        let only_table = vars(&only_table);
        let s = Settings::from_lookup(Function::Search, &only_table).expect("search");
        assert!(s.documents_bucket.is_none() && s.mail.is_none());
        let e = Settings::from_lookup(Function::Search, vars(&AWS)).expect_err("no table");
        assert_eq!(e.to_string(), "TABLE_NAME is not set");
        for f in Function::ALL {
            let got = Settings::from_lookup(f, vars(&FULL)).expect("all set");
            assert_eq!(got.documents_bucket.is_some(), f.keeps_files(), "{f:?}");
            assert_eq!(got.mail.is_some(), f.sends_mail(), "{f:?}");
            assert_eq!(
                got.storefronts_bucket.is_some(),
                f == Function::Backoffice,
                "{f:?}"
            );
            assert_eq!(got.document_links.is_some(), f.links_documents(), "{f:?}");
            for name in [
                "DOCUMENTS_BUCKET",
                "SMTP_URL",
                "MAIL_FROM",
                "DOCUMENT_LINK_SECRET",
            ] {
                let needed = match name {
                    "DOCUMENTS_BUCKET" => f.keeps_files(),
                    "DOCUMENT_LINK_SECRET" => f.links_documents(),
                    _ => f.sends_mail(),
                };
                let r = Settings::from_lookup(f, vars(&without(name)));
                match r {
                    Ok(_) => assert!(!needed, "{f:?} started without {name}"),
                    Err(e) => {
                        assert!(needed, "{f:?} wants {name}: {e}");
                        assert_eq!(e.to_string(), format!("{name} is not set"));
                    }
                }
            }
        }
        assert_eq!(
            Function::ALL.map(|f| (f.keeps_files(), f.sends_mail())),
            [
                (false, false),
                (false, true),
                (true, true),
                (true, false),
                (true, true),
                (false, false),
                (true, true),
                (true, true)
            ]
        );
    }

    #[tokio::test]
    async fn what_a_function_lacks_refuses_out_loud() {
        let mut v = AWS.to_vec();
        v.push(("TABLE_NAME", "storefront"));
        let settings = Settings::from_lookup(Function::Search, vars(&v)).expect("settings");
        let services = services(Function::Search, &settings).expect("services");
        let e = services
            .blobs
            .put("topups/x/proof", b"%PDF-".to_vec(), "application/pdf")
            .await
            .expect_err("no files");
        assert!(
            e.to_string().contains("search function keeps no files"),
            "{e}"
        );
        let e = services
            .mailer
            .send(Mail {
                from_name: "Toko".into(),
                from: "no-reply@platform.example".into(),
                to: "budi@example.com".into(),
                reply_to: None,
                subject: "x".into(),
                text: "x".into(),
            })
            .await
            .expect_err("no mail");
        assert!(
            e.to_string().contains("search function sends no mail"),
            "{e}"
        );
    }

    #[test]
    fn aws_comes_from_lambdas_variables() {
        let s = Settings::from_lookup(Function::Search, vars(&FULL)).expect("settings");
        assert_eq!(s.aws.region().map(|r| r.as_ref()), Some("ap-southeast-3"));
        assert_eq!(s.aws.endpoint_url(), None);
        assert!(s.aws.credentials_provider().is_some());
        let mut v = FULL.to_vec();
        v.push(("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"));
        v.push(("AWS_SESSION_TOKEN", "token"));
        let s = Settings::from_lookup(Function::Search, vars(&v)).expect("settings");
        assert_eq!(s.aws.endpoint_url(), Some("http://127.0.0.1:4566"));
        let mut v = FULL.to_vec();
        v.push(("AWS_ENDPOINT_URL", "127.0.0.1:4566"));
        let e = Settings::from_lookup(Function::Search, vars(&v)).expect_err("bad url");
        assert!(e.to_string().starts_with("AWS_ENDPOINT_URL "), "{e}");
        // The secret never shows in a debug print of the settings.
        let shown = format!("{s:?}");
        assert!(!shown.contains("\"secret\""), "{shown}");
    }

    #[test]
    fn smtp_password_and_mail_from_and_client_header_are_checked() {
        let mut v = FULL.to_vec();
        v.push(("SMTP_PASSWORD", "from a secret"));
        let s = Settings::from_lookup(Function::Panel, vars(&v)).expect("settings");
        assert_eq!(
            s.mail.expect("mail").smtp.password.as_deref(),
            Some("from a secret")
        );

        let mut v = without("SMTP_URL");
        v.push(("SMTP_URL", "smtps://smtp.example.com"));
        v.push(("SMTP_PASSWORD", "x"));
        let e = Settings::from_lookup(Function::Panel, vars(&v)).expect_err("no user");
        assert!(e.to_string().contains("SMTP_PASSWORD"), "{e}");

        let mut v = without("SMTP_URL");
        v.push(("SMTP_URL", "mail.example.com"));
        let e = Settings::from_lookup(Function::Panel, vars(&v)).expect_err("bad url");
        assert!(e.to_string().starts_with("SMTP_URL: "), "{e}");

        let mut v = without("MAIL_FROM");
        v.push(("MAIL_FROM", "not an address"));
        let e = Settings::from_lookup(Function::Panel, vars(&v)).expect_err("bad from");
        assert!(e.to_string().starts_with("MAIL_FROM "), "{e}");

        let mut v = FULL.to_vec();
        v.push(("CLIENT_IP_HEADER", "X-Forwarded-For"));
        let s = Settings::from_lookup(Function::Panel, vars(&v)).expect("settings");
        assert_eq!(
            s.client_ip_header.as_ref().map(|h| h.as_str()),
            Some("x-forwarded-for")
        );
        let mut v = FULL.to_vec();
        v.push(("REGISTRAR", "rdap"));
        let e = Settings::from_lookup(Function::Panel, vars(&v)).expect_err("registrar");
        assert!(e.to_string().starts_with("REGISTRAR \"rdap\""), "{e}");
        let mut v = FULL.to_vec();
        v.push(("REGISTRAR", "sandbox"));
        v.push(("CLIENT_IP_HEADER", ""));
        let s = Settings::from_lookup(Function::Panel, vars(&v)).expect("sandbox, no header");
        assert_eq!(s.client_ip_header, None);
        let mut v = FULL.to_vec();
        v.push(("CLIENT_IP_HEADER", "not a header"));
        let e = Settings::from_lookup(Function::Panel, vars(&v)).expect_err("bad header");
        assert!(e.to_string().starts_with("CLIENT_IP_HEADER "), "{e}");
    }
}
