//! `storefront edge`: the Caddyfile of the edge that serves resellers' own
//! domains. Resellers point their domains' A records at the edge's fixed IP;
//! Caddy obtains each host's certificate on demand, asking the API first
//! (`GET /api/edge/ask?domain=<host>`, which allows only hosts of published
//! storefronts), serves the storefront's files by Host and passes `/api/*`
//! to the API. Which storefront a host belongs to comes from the content
//! (each reseller's `domains`), as the generator and the API know it.

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use storefront_generator::Checkout;

/// `storefront edge`'s options.
#[derive(Debug, clap::Args)]
pub struct EdgeArgs {
    /// The API's origin: Caddy asks its /api/edge/ask before getting a
    /// certificate for a host, and passes /api/* to it.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    api: String,
    /// The folder on the edge that holds every storefront as <reseller>/
    /// (what `storefront build` writes to public/, or a copy of the
    /// storefronts bucket's sites/). Relative: from the project folder.
    #[arg(long, default_value = "/srv/storefronts")]
    root: PathBuf,
    /// Write the Caddyfile here (default: standard output).
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// Port for HTTPS.
    #[arg(long, default_value_t = 443)]
    https_port: u16,
    /// Port for HTTP (redirects to HTTPS, and ACME's HTTP challenge).
    #[arg(long, default_value_t = 80)]
    http_port: u16,
    /// Where Caddy keeps certificates and keys (default: Caddy's data folder).
    #[arg(long)]
    storage: Option<PathBuf>,
    /// Certificates from Caddy's own local CA, not a public one (for tests).
    #[arg(long)]
    internal_tls: bool,
    /// Email for the ACME account (the CA's expiry notices).
    #[arg(long)]
    email: Option<String>,
    /// Listen on this address only (default: every interface).
    #[arg(long)]
    bind: Option<String>,
    /// Caddy's admin endpoint, which `caddy reload` talks to (default:
    /// Caddy's, localhost:2019); `off` for none (then restart to reload).
    #[arg(long)]
    admin: Option<String>,
}

/// Check the content, then write the Caddyfile.
pub fn run(
    paths: &storefront_generator::Paths,
    project: &Path,
    now: chrono::DateTime<chrono::Utc>,
    args: EdgeArgs,
) -> Result<std::process::ExitCode> {
    let checkout = match storefront_generator::check(paths, now) {
        Ok(c) => c,
        Err(diags) => {
            eprintln!("{diags}");
            return Ok(std::process::ExitCode::FAILURE);
        }
    };
    let from_project = |p: PathBuf| std::path::absolute(project.join(p));
    let edge = Edge {
        api: args.api,
        root: from_project(args.root)?,
        http_port: args.http_port,
        https_port: args.https_port,
        storage: args.storage.map(from_project).transpose()?,
        internal_tls: args.internal_tls,
        email: args.email,
        bind: args.bind,
        admin: args.admin,
    };
    let hosts = hosts(&checkout);
    let text = caddyfile(&edge, &hosts)?;
    match args.out {
        None => print!("{text}"),
        Some(out) => {
            let out = project.join(out);
            std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "wrote {} ({} hosts); check it with `caddy validate --adapter caddyfile --config {}`, load it with `caddy reload`",
                out.display(),
                hosts.len(),
                out.display()
            );
        }
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// What the Caddyfile needs besides the content.
#[derive(Debug, Clone)]
pub struct Edge {
    /// The API's origin, e.g. `http://127.0.0.1:8080`: the `ask` endpoint
    /// and the upstream of `/api/*`.
    pub api: String,
    /// The folder on the edge holding `<reseller>/` for every storefront.
    pub root: PathBuf,
    pub http_port: u16,
    pub https_port: u16,
    /// Where Caddy keeps certificates and keys (default: Caddy's own).
    pub storage: Option<PathBuf>,
    /// Certificates from Caddy's own local CA instead of a public ACME CA
    /// (for tests: nothing leaves the machine).
    pub internal_tls: bool,
    /// The ACME account's email (expiry notices from the CA).
    pub email: Option<String>,
    /// Listen on this address only (default: every interface).
    pub bind: Option<String>,
    /// Caddy's admin endpoint (`off`, or an address; default: Caddy's).
    pub admin: Option<String>,
}

/// The environment variable holding the edge's shared secret (on the edge,
/// never in the Caddyfile), sent to an `https://` API with every request.
pub const SECRET_ENV: &str = "STOREFRONT_EDGE_SECRET";

/// The headers `storefront serve` sends with every answer.
fn security_headers() -> [(&'static str, &'static str); 3] {
    [
        ("Content-Security-Policy", crate::serve::CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ]
}

/// Every host a checked storefront lists in its `domains`, and the
/// storefront's id. The content's checks have made each host unique, ASCII
/// lowercase (IDNs as `xn--`), and each id a URL-safe slug.
pub fn hosts(checkout: &Checkout) -> BTreeMap<String, String> {
    checkout
        .content
        .resellers
        .iter()
        .filter(|(id, _)| checkout.checked.contains_key(*id))
        .flat_map(|(id, r)| r.site.domains.iter().map(|d| (d.clone(), id.clone())))
        .collect()
}

/// The API's origin as given, without a trailing slash; refused unless it is
/// `http(s)://host[:port]` with nothing after.
fn api_origin(api: &str) -> Result<(String, bool)> {
    let origin = api.trim_end_matches('/');
    let uri: axum::http::Uri = match origin.parse() {
        Ok(u) => u,
        Err(e) => bail!("--api {api:?} is not a URL: {e}"),
    };
    let https = match uri.scheme_str() {
        Some("http") => false,
        Some("https") => true,
        _ => bail!("--api {api:?} must start with http:// or https://"),
    };
    let plain = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
    };
    match uri.authority() {
        Some(a) if plain(a.as_str()) && uri.path_and_query().is_none_or(|p| p == "/") => {}
        _ => bail!("--api {api:?} must be an origin only, such as http://127.0.0.1:8080"),
    }
    Ok((origin.to_string(), https))
}

/// A path as Caddy will read it inside quotes; refused when Caddy would
/// read it as something else (a quote, a placeholder's brace, a line break).
fn caddy_path(path: &Path, what: &str) -> Result<String> {
    let s = path.to_string_lossy();
    if !path.is_absolute() {
        bail!("{what} {s:?} must be an absolute path (it is read on the edge machine)");
    }
    if s.contains(['"', '{', '}', '\n', '\r', '\\']) {
        bail!("{what} {s:?} has a character a Caddyfile cannot hold: \" {{ }} \\ or a line break");
    }
    Ok(s.trim_end_matches('/').to_string())
}

/// The Caddyfile.
pub fn caddyfile(edge: &Edge, hosts: &BTreeMap<String, String>) -> Result<String> {
    let (api, api_https) = api_origin(&edge.api)?;
    let root = format!("\"{}/{{storefront}}\"", caddy_path(&edge.root, "--root")?);
    let storage = edge
        .storage
        .as_deref()
        .map(|s| caddy_path(s, "--storage").map(|s| format!("\"{s}\"")))
        .transpose()?;
    if let Some(e) = &edge.email
        && (e.is_empty()
            || !e.contains('@')
            || e.contains(|c: char| c.is_whitespace() || "\"{}".contains(c)))
    {
        bail!("--email {e:?} is not an email address");
    }
    let address = |a: &str| {
        !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".:[]-/".contains(c))
    };
    if let Some(b) = edge.bind.as_deref().filter(|b| !address(b)) {
        bail!("--bind {b:?} is not an address");
    }
    if let Some(a) = edge.admin.as_deref().filter(|a| !address(a)) {
        bail!("--admin {a:?} is not an address or off");
    }

    let mut c = String::new();
    let w = &mut c;
    // Writing to a String cannot fail.
    macro_rules! line {
        ($($t:tt)*) => { let _ = writeln!(w, $($t)*); };
    }
    line!("# The edge for resellers' own domains: generated by `storefront edge` from");
    line!(
        "# content/ ({} host(s) of {} storefront(s)). Do not edit: run it again after",
        hosts.len(),
        hosts
            .values()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    );
    line!("# a reseller or a domain is added, then `caddy reload`.");
    line!("{{");
    if let Some(a) = &edge.admin {
        line!("\tadmin {a}");
    }
    if let Some(b) = &edge.bind {
        line!("\tdefault_bind {b}");
    }
    line!("\thttp_port {}", edge.http_port);
    line!("\thttps_port {}", edge.https_port);
    if let Some(s) = &storage {
        line!("\tstorage file_system {{");
        line!("\t\troot {s}");
        line!("\t}}");
    }
    if let Some(e) = &edge.email {
        line!("\temail {e}");
    }
    if edge.internal_tls {
        line!("\t# Certificates from Caddy's local CA; never install it in the system's trust.");
        line!("\tskip_install_trust");
    }
    line!("\t# A certificate is obtained at the first handshake for a host, and only");
    line!("\t# when the API says the host belongs to a published storefront.");
    line!("\ton_demand_tls {{");
    line!("\t\task {api}/api/edge/ask");
    line!("\t}}");
    line!("}}");
    line!();
    line!("https:// {{");
    if edge.internal_tls {
        line!("\ttls internal {{");
    } else {
        line!("\ttls {{");
    }
    line!("\t\ton_demand");
    line!("\t}}");
    line!();
    line!("\t# Which storefront each host belongs to.");
    line!("\tmap {{host}} {{storefront}} {{");
    // Grouped by storefront, for the reader.
    let mut by_id: Vec<(&String, &String)> = hosts.iter().map(|(h, id)| (id, h)).collect();
    by_id.sort();
    for (id, host) in by_id {
        line!("\t\t{host} {id}");
    }
    line!("\t\tdefault \"\"");
    line!("\t}}");
    line!();
    line!("\theader {{");
    for (name, value) in security_headers() {
        line!("\t\t?{name} \"{value}\"");
    }
    line!("\t}}");
    line!();
    line!("\t# A host that is no storefront's (its SNI had a certificate, its Host");
    line!("\t# header names another) gets nothing: the connection is closed.");
    line!("\t@unknown vars {{storefront}} \"\"");
    line!("\thandle @unknown {{");
    line!("\t\tabort");
    line!("\t}}");
    line!();
    line!("\t# A dotfile or dot-folder is never served (as `storefront serve` refuses them).");
    line!("\t@hidden path */.*");
    line!("\thandle @hidden {{");
    line!("\t\terror 404");
    line!("\t}}");
    line!();
    line!("\t# The API picks the storefront by the Host header, as on every host;");
    line!("\t# so does the back office, /panel/.");
    line!("\t@functions path /api/* /panel /panel/*");
    line!("\thandle @functions {{");
    line!("\t\t# API Gateway routes /panel, not /panel/ (the same page).");
    line!("\t\trewrite /panel/ /panel");
    if api_https {
        // The API behind API Gateway, which is routed by its own name: the
        // storefront's host travels in X-Forwarded-Host (without the port
        // Caddy's default value keeps), believed because the edge's secret comes with it (see
        // storefront_functions::forwarded). Caddy replaces X-Forwarded-For
        // with the visitor's address whatever the visitor sent.
        line!("\t\treverse_proxy {api} {{");
        line!("\t\t\theader_up Host {{upstream_hostport}}");
        line!(
            "\t\t\t# Without the port Caddy's default keeps (ignore its \"Unnecessary\" warning)."
        );
        line!("\t\t\theader_up X-Forwarded-Host {{http.request.host}}");
        line!(
            "\t\t\theader_up {} {{env.{SECRET_ENV}}}",
            storefront_functions::forwarded::EDGE_SECRET_HEADER.as_str()
        );
        line!("\t\t}}");
    } else {
        line!("\t\treverse_proxy {api}");
    }
    line!("\t}}");
    line!();
    line!("\thandle {{");
    line!("\t\troot * {root}");
    line!("\t\tfile_server");
    line!("\t}}");
    line!();
    line!("\t# The storefront's own 404 page.");
    line!("\thandle_errors {{");
    line!("\t\t@notfound expression {{err.status_code}} == 404");
    line!("\t\thandle @notfound {{");
    line!("\t\t\troot * {root}");
    line!("\t\t\trewrite * /404.html");
    line!("\t\t\theader {{");
    for (name, value) in security_headers() {
        line!("\t\t\t\t{name} \"{value}\"");
    }
    line!("\t\t\t}}");
    line!("\t\t\tfile_server");
    line!("\t\t}}");
    line!("\t}}");
    line!("}}");
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge() -> Edge {
        Edge {
            api: "http://127.0.0.1:8080".into(),
            root: "/srv/storefronts".into(),
            http_port: 80,
            https_port: 443,
            storage: None,
            internal_tls: false,
            email: None,
            bind: None,
            admin: None,
        }
    }

    #[test]
    fn the_caddyfile_maps_hosts_and_asks_the_api() {
        let hosts = BTreeMap::from([
            ("shop.example".to_string(), "a".to_string()),
            ("www.shop.example".to_string(), "a".to_string()),
        ]);
        let c = caddyfile(&edge(), &hosts).expect("caddyfile");
        assert!(
            c.contains("\t\task http://127.0.0.1:8080/api/edge/ask\n"),
            "{c}"
        );
        assert!(
            c.contains("\t\tshop.example a\n\t\twww.shop.example a\n"),
            "{c}"
        );
        assert!(c.contains("\ttls {\n\t\ton_demand\n"), "{c}");
        assert!(
            c.contains("root * \"/srv/storefronts/{storefront}\""),
            "{c}"
        );
        assert!(!c.contains("skip_install_trust"), "{c}");
        let mut internal = edge();
        internal.internal_tls = true;
        let c = caddyfile(&internal, &hosts).expect("caddyfile");
        assert!(c.contains("\ttls internal {\n\t\ton_demand\n"), "{c}");
        assert!(c.contains("skip_install_trust"), "{c}");
    }

    #[test]
    fn what_caddy_would_misread_is_refused() {
        for api in [
            "127.0.0.1:8080",
            "ftp://x",
            "http://x/api",
            "http://x?y",
            "http://{env.X}",
            "http://x y",
        ] {
            let mut e = edge();
            e.api = api.into();
            assert!(caddyfile(&e, &BTreeMap::new()).is_err(), "{api}");
        }
        for root in ["public", "/srv/{x}", "/srv/\"x", "/srv/a\nb"] {
            let mut e = edge();
            e.root = root.into();
            assert!(caddyfile(&e, &BTreeMap::new()).is_err(), "{root}");
        }
        let mut e = edge();
        e.api = "https://abc.execute-api.eu-central-1.amazonaws.com/".into();
        let c = caddyfile(&e, &BTreeMap::new()).expect("caddyfile");
        for line in [
            "\t\treverse_proxy https://abc.execute-api.eu-central-1.amazonaws.com {\n",
            "\t\t\theader_up Host {upstream_hostport}\n",
            "\t\t\theader_up X-Forwarded-Host {http.request.host}\n",
            "\t\t\theader_up x-storefront-edge {env.STOREFRONT_EDGE_SECRET}\n",
        ] {
            assert!(c.contains(line), "{line:?} in {c}");
        }
    }
}
