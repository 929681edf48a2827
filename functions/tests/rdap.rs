//! RDAP availability against a local server that answers with real registry
//! responses (tests/data/rdap/responses) and with the ways registries fail.
//! Everything stays on 127.0.0.1.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use storefront_functions::registrar::rdap::{Bootstrap, BootstrapError, Rdap, RdapConfig};
use storefront_functions::registrar::{Availability, Registrar, RegistrarError};

const RDAP_JSON: &str = "application/rdap+json";

fn data_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/rdap")
        .join(relative)
}

fn data(relative: &str) -> String {
    let path = data_path(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    accept: Option<String>,
    user_agent: Option<String>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

struct Server {
    port: u16,
    seen: Log,
}

impl Server {
    fn base(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn paths(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.path.clone())
            .collect()
    }
}

async fn start() -> Server {
    let seen: Log = Arc::default();
    let app = Router::new().fallback(serve).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    Server { port, seen }
}

fn rdap(status: StatusCode, body: impl Into<String>) -> Response {
    (status, [(header::CONTENT_TYPE, RDAP_JSON)], body.into()).into_response()
}

fn redirect(status: StatusCode, location: Option<&str>) -> Response {
    let mut response = status.into_response();
    if let Some(location) = location {
        response
            .headers_mut()
            .insert(header::LOCATION, location.parse().unwrap());
    }
    response
}

fn not_found() -> Response {
    rdap(
        StatusCode::NOT_FOUND,
        r#"{"rdapConformance":["rdap_level_0"],"errorCode":404,"title":"Not Found","description":["The domain is not registered."]}"#,
    )
}

fn domain_object(name: &str, status: &[&str]) -> String {
    serde_json::json!({
        "rdapConformance": ["rdap_level_0"],
        "objectClassName": "domain",
        "ldhName": name,
        "status": status,
    })
    .to_string()
}

/// One handler for every path, so each request is logged the same way and
/// the table of behaviours reads in one place.
async fn serve(State(seen): State<Log>, uri: Uri, headers: HeaderMap) -> Response {
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    };
    seen.lock().unwrap().push(Seen {
        path: uri.path().to_string(),
        accept: text(header::ACCEPT),
        user_agent: text(header::USER_AGENT),
    });
    let path = uri.path();
    if let Some(name) = path.strip_prefix("/rdap/domain/") {
        return domain(name).await;
    }
    if let Some(name) = path.strip_prefix("/old/domain/") {
        // RFC 7480 §5.2: a server may send the client to the authoritative one.
        return redirect(
            StatusCode::MOVED_PERMANENTLY,
            Some(&format!("/rdap/domain/{name}")),
        );
    }
    if path.starts_with("/loop/") {
        return redirect(StatusCode::FOUND, Some(path));
    }
    if path.starts_with("/lost/") {
        return redirect(StatusCode::MOVED_PERMANENTLY, None);
    }
    // What a web server says for a path it does not serve: what a wrong base
    // URL in the bootstrap would meet.
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><body><h1>404 Not Found</h1></body></html>",
    )
        .into_response()
}

async fn domain(name: &str) -> Response {
    let file = |f: &str| rdap(StatusCode::OK, data(&format!("responses/{f}")));
    let ripe = || data("responses/error_ripe_net.json");
    match name {
        "afnic.fr" => file("domain_afnic_fr.json"),
        "lemonde.fr" => file("lemonde.fr.json"),
        "microsoft.click" => file("microsoft.click.json"),
        "home.moscow" => file("home.moscow.json"),
        "example.cz" => file("domain-example.cz.json"),
        "xn--fo-5ja.example" => file("xn--fo-5ja_example.json"),
        // A real domain object, but about another name.
        "impostor.cz" => file("domain-example.cz.json"),
        "pending.test" => rdap(
            StatusCode::OK,
            domain_object("pending.test", &["pending delete", "redemption period"]),
        ),
        "ripe400.test" => rdap(StatusCode::BAD_REQUEST, ripe()),
        "ripe501.test" => rdap(StatusCode::NOT_IMPLEMENTED, ripe()),
        "ripe200.test" => rdap(StatusCode::OK, ripe()),
        "busy.test" => (
            StatusCode::TOO_MANY_REQUESTS,
            [
                (header::CONTENT_TYPE, RDAP_JSON),
                (header::RETRY_AFTER, "30"),
            ],
            r#"{"errorCode":429,"title":"Too Many Requests"}"#,
        )
            .into_response(),
        "busy-until.test" => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "Wed, 21 Oct 2026 07:28:00 GMT")],
        )
            .into_response(),
        "broken.test" => {
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
        }
        "unavailable.test" => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "120")],
        )
            .into_response(),
        "slow.test" => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            rdap(StatusCode::OK, domain_object("slow.test", &["active"]))
        }
        "garbage.test" => rdap(
            StatusCode::OK,
            "<html><body>Parked. Buy this domain!</body></html>",
        ),
        "empty.test" => rdap(StatusCode::OK, ""),
        "entity.test" => rdap(
            StatusCode::OK,
            r#"{"objectClassName":"entity","handle":"XXXX","rdapConformance":["rdap_level_0"]}"#,
        ),
        "classless.test" => rdap(StatusCode::OK, r#"{"ldhName":"classless.test"}"#),
        "array.test" => rdap(
            StatusCode::OK,
            r#"[{"objectClassName":"domain","ldhName":"array.test"}]"#,
        ),
        "huge.test" => {
            let padding = "x".repeat(2 << 20);
            rdap(
                StatusCode::OK,
                serde_json::json!({
                    "objectClassName": "domain",
                    "ldhName": "huge.test",
                    "remarks": [{"description": [padding]}],
                })
                .to_string(),
            )
        }
        "nocontent.test" => StatusCode::NO_CONTENT.into_response(),
        "empty404.test" => StatusCode::NOT_FOUND.into_response(),
        "html404.test" => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>Not Found</html>",
        )
            .into_response(),
        "other404.test" => rdap(
            StatusCode::NOT_FOUND,
            r#"{"errorCode":500,"title":"Internal error"}"#,
        ),
        "object404.test" => rdap(
            StatusCode::NOT_FOUND,
            domain_object("object404.test", &["active"]),
        ),
        _ => not_found(),
    }
}

/// A port nothing listens on.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    listener.local_addr().expect("addr").port()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn bootstrap_for(server: &Server) -> Bootstrap {
    let refused = format!("http://127.0.0.1:{}/rdap/", closed_port().await);
    Bootstrap::from_services(vec![
        // With and without the trailing '/' RFC 9224 asks for.
        (strings(&["fr", "click"]), vec![server.base("/rdap/")]),
        (
            strings(&["cz", "example", "test"]),
            vec![server.base("/rdap")],
        ),
        (strings(&["moscow"]), vec![server.base("/old/")]),
        (strings(&["loop"]), vec![server.base("/loop/")]),
        (strings(&["lost"]), vec![server.base("/lost/")]),
        (strings(&["misconfigured"]), vec![server.base("/wrong/")]),
        (strings(&["refused"]), vec![refused]),
    ])
    .expect("test bootstrap")
}

async fn setup_with(timeout: Duration) -> (Server, Rdap) {
    let server = start().await;
    let mut config = RdapConfig::new(bootstrap_for(&server).await);
    config.timeout = timeout;
    (server, Rdap::new(config).expect("client"))
}

async fn setup() -> (Server, Rdap) {
    setup_with(RdapConfig::DEFAULT_TIMEOUT).await
}

async fn availability(rdap: &Rdap, name: &str) -> Availability {
    rdap.check(name)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .availability
}

fn reason(a: &Availability) -> &str {
    match a {
        Availability::Unknown { reason } => reason,
        other => panic!("expected unknown, got {other:?}"),
    }
}

#[tokio::test]
async fn real_domain_objects_are_taken() {
    let (server, rdap) = setup().await;
    for name in [
        "afnic.fr",
        "lemonde.fr",
        "microsoft.click",
        "example.cz",
        "xn--fo-5ja.example",
    ] {
        let check = rdap.check(name).await.expect(name);
        assert_eq!(check.domain, name);
        assert_eq!(check.availability, Availability::Taken, "{name}");
        assert_eq!(check.premium, None, "RDAP carries no prices");
    }
    assert_eq!(
        server.paths(),
        [
            "/rdap/domain/afnic.fr",
            "/rdap/domain/lemonde.fr",
            "/rdap/domain/microsoft.click",
            "/rdap/domain/example.cz",
            "/rdap/domain/xn--fo-5ja.example",
        ]
    );
    for seen in server.seen.lock().unwrap().iter() {
        assert_eq!(seen.accept.as_deref(), Some(RDAP_JSON));
        assert_eq!(
            seen.user_agent.as_deref(),
            Some(RdapConfig::DEFAULT_USER_AGENT)
        );
    }
}

#[tokio::test]
async fn names_in_redemption_or_pending_delete_are_taken() {
    let (_server, rdap) = setup().await;
    assert_eq!(
        availability(&rdap, "pending.test").await,
        Availability::Taken
    );
}

#[tokio::test]
async fn not_found_is_available() {
    let (server, rdap) = setup().await;
    assert_eq!(
        availability(&rdap, "no-such-name.fr").await,
        Availability::Available
    );
    assert_eq!(
        availability(&rdap, "free-name.cz").await,
        Availability::Available
    );
    // Some registries send a bare 404.
    assert_eq!(
        availability(&rdap, "empty404.test").await,
        Availability::Available
    );
    assert_eq!(
        server.paths(),
        [
            "/rdap/domain/no-such-name.fr",
            "/rdap/domain/free-name.cz",
            "/rdap/domain/empty404.test",
        ]
    );
}

#[tokio::test]
async fn a_404_that_is_not_an_rdap_answer_is_unknown() {
    let (_server, rdap) = setup().await;
    let html = availability(&rdap, "html404.test").await;
    assert!(reason(&html).contains("HTTP 404"), "{html:?}");
    let other = availability(&rdap, "other404.test").await;
    assert!(reason(&other).contains("error code 500"), "{other:?}");
    let object = availability(&rdap, "object404.test").await;
    assert!(reason(&object).contains("HTTP 404"), "{object:?}");
    // A wrong base URL meets the web server's own 404 page.
    let wrong = availability(&rdap, "example.misconfigured").await;
    assert!(reason(&wrong).contains("HTTP 404"), "{wrong:?}");
}

#[tokio::test]
async fn rdap_error_bodies_are_unknown_with_their_title() {
    let (_server, rdap) = setup().await;
    let bad_request = availability(&rdap, "ripe400.test").await;
    assert_eq!(
        reason(&bad_request),
        "the registry answered HTTP 400: 501 Not Implemented: Nameserver not supported"
    );
    let not_implemented = availability(&rdap, "ripe501.test").await;
    assert!(
        reason(&not_implemented).starts_with("the registry answered HTTP 501: 501 Not Implemented"),
        "{not_implemented:?}"
    );
    // An error body is not a domain object even when the status says 200.
    let ok = availability(&rdap, "ripe200.test").await;
    assert!(reason(&ok).contains("with an error"), "{ok:?}");
    assert!(reason(&ok).contains("Nameserver not supported"), "{ok:?}");
}

#[tokio::test]
async fn rate_limiting_is_unknown_and_reports_retry_after() {
    let (server, rdap) = setup().await;
    let started = Instant::now();
    let busy = availability(&rdap, "busy.test").await;
    assert_eq!(
        reason(&busy),
        "the registry is limiting how often it is asked; it asks to retry after 30 s"
    );
    let until = availability(&rdap, "busy-until.test").await;
    assert!(
        reason(&until).ends_with("retry after Wed, 21 Oct 2026 07:28:00 GMT"),
        "{until:?}"
    );
    // Retry-After is reported, never waited for, and never retried here.
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.paths().len(), 2);
}

#[tokio::test]
async fn server_errors_are_unknown() {
    let (_server, rdap) = setup().await;
    assert_eq!(
        reason(&availability(&rdap, "broken.test").await),
        "the registry answered HTTP 500"
    );
    assert_eq!(
        reason(&availability(&rdap, "unavailable.test").await),
        "the registry answered HTTP 503; it asks to retry after 120 s"
    );
    assert_eq!(
        reason(&availability(&rdap, "nocontent.test").await),
        "the registry answered HTTP 204"
    );
}

#[tokio::test]
async fn a_200_that_is_not_a_domain_object_is_unknown() {
    let (_server, rdap) = setup().await;
    for (name, expected) in [
        ("garbage.test", "not JSON"),
        ("empty.test", "with nothing"),
        ("entity.test", "RDAP \"entity\" object, not a domain"),
        ("classless.test", "of no RDAP class"),
        ("array.test", "not an RDAP object"),
        ("huge.test", "too large"),
        ("impostor.cz", "answered about \"example.cz\""),
    ] {
        let a = availability(&rdap, name).await;
        assert!(reason(&a).contains(expected), "{name}: {a:?}");
    }
}

#[tokio::test]
async fn redirects_to_the_authoritative_server_are_followed() {
    let (server, rdap) = setup().await;
    assert_eq!(
        availability(&rdap, "home.moscow").await,
        Availability::Taken
    );
    // A 404 after a redirect is the authoritative server's answer.
    assert_eq!(
        availability(&rdap, "free.moscow").await,
        Availability::Available
    );
    assert_eq!(
        server.paths(),
        [
            "/old/domain/home.moscow",
            "/rdap/domain/home.moscow",
            "/old/domain/free.moscow",
            "/rdap/domain/free.moscow",
        ]
    );
    // The Accept header survives the hop.
    assert!(
        server
            .seen
            .lock()
            .unwrap()
            .iter()
            .all(|s| s.accept.as_deref() == Some(RDAP_JSON))
    );
}

#[tokio::test]
async fn redirect_loops_and_dead_ends_are_unknown() {
    let (server, rdap) = setup().await;
    let looped = availability(&rdap, "example.loop").await;
    assert!(
        reason(&looped).contains("redirects led nowhere"),
        "{looped:?}"
    );
    // The first request and at most three hops.
    assert_eq!(server.paths().len(), 4);
    let lost = availability(&rdap, "example.lost").await;
    assert_eq!(
        reason(&lost),
        "the registry redirected (HTTP 301) without saying where to"
    );
}

#[tokio::test]
async fn a_refused_connection_is_unknown() {
    let (_server, rdap) = setup().await;
    let refused = availability(&rdap, "example.refused").await;
    assert!(
        reason(&refused).starts_with("could not connect to the registry"),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_slow_registry_times_out() {
    let (_server, rdap) = setup_with(Duration::from_millis(300)).await;
    let started = Instant::now();
    assert_eq!(rdap.check("slow.test").await, Err(RegistrarError::Timeout));
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[tokio::test]
async fn no_failure_is_ever_available() {
    let (_server, rdap) = setup_with(Duration::from_millis(300)).await;
    for name in [
        "ripe400.test",
        "ripe501.test",
        "ripe200.test",
        "busy.test",
        "busy-until.test",
        "broken.test",
        "unavailable.test",
        "slow.test",
        "garbage.test",
        "empty.test",
        "entity.test",
        "classless.test",
        "array.test",
        "huge.test",
        "impostor.cz",
        "nocontent.test",
        "html404.test",
        "other404.test",
        "object404.test",
        "example.misconfigured",
        "example.loop",
        "example.lost",
        "example.refused",
        "example.unsupported",
        "fóo.example",
        "bad/name.cz",
    ] {
        match rdap.check(name).await {
            Ok(check) => assert!(
                matches!(check.availability, Availability::Unknown { .. }),
                "{name}: {check:?}"
            ),
            Err(e) => assert!(
                matches!(e, RegistrarError::Timeout | RegistrarError::Unsupported(_)),
                "{name}: {e:?}"
            ),
        }
    }
}

#[tokio::test]
async fn idn_names_are_asked_for_in_their_ascii_form() {
    let (server, rdap) = setup().await;
    let check = rdap.check("XN--FO-5JA.Example.").await.expect("check");
    assert_eq!(check.domain, "xn--fo-5ja.example");
    assert_eq!(check.availability, Availability::Taken);
    assert_eq!(server.paths(), ["/rdap/domain/xn--fo-5ja.example"]);

    // The Unicode form is not guessed at: converting is the caller's job.
    let unicode = availability(&rdap, "fóo.example").await;
    assert!(reason(&unicode).contains("xn--"), "{unicode:?}");
    assert_eq!(
        server.paths().len(),
        1,
        "nothing asked for a non-ASCII name"
    );
}

#[tokio::test]
async fn malformed_names_are_not_sent() {
    let (server, rdap) = setup().await;
    for name in [
        "bad/name.cz",
        "../x.cz",
        "a b.cz",
        "x?y.cz",
        "cz",
        "",
        "-x.cz",
        "a..cz",
    ] {
        let a = availability(&rdap, name).await;
        assert!(matches!(a, Availability::Unknown { .. }), "{name}: {a:?}");
    }
    assert!(server.paths().is_empty(), "{:?}", server.paths());
}

#[tokio::test]
async fn unknown_extensions_are_unsupported() {
    let (server, rdap) = setup().await;
    assert_eq!(
        rdap.check("example.de").await,
        Err(RegistrarError::Unsupported("de".into()))
    );
    assert_eq!(
        rdap.check("example.co.uk").await,
        Err(RegistrarError::Unsupported("uk".into()))
    );
    assert!(server.paths().is_empty());
}

#[tokio::test]
async fn upstream_is_the_server_that_answers() {
    let (server, rdap) = setup().await;
    let here = server.base("");
    // One server behind several base paths is one upstream to rate-limit.
    assert_eq!(rdap.upstream("afnic.fr"), here);
    assert_eq!(rdap.upstream("example.cz"), here);
    assert_eq!(rdap.upstream("home.moscow"), here);
    assert_eq!(rdap.upstream("example.de"), "rdap:unsupported");
}

// Bootstrap files.

#[test]
fn the_shared_bootstrap_file_parses() {
    let bootstrap = Bootstrap::from_json(&data("bootstrap/dns.json")).expect("dns.json");
    assert_eq!(bootstrap.len(), 3);
    assert_eq!(bootstrap.publication(), Some("2017-03-15T21:26:24Z"));
    assert_eq!(
        bootstrap.base_url("example.cz"),
        Some("https://rdap.nic.cz/")
    );
    assert_eq!(
        bootstrap.base_url("nic.com.ar"),
        Some("https://rdap.nic.ar/")
    );
    // Base URLs with and without the trailing '/' join the same way.
    assert_eq!(
        bootstrap.domain_url("example.cz").as_deref(),
        Some("https://rdap.nic.cz/domain/example.cz")
    );
    assert_eq!(
        bootstrap.domain_url("registro.com.br").as_deref(),
        Some("https://rdap.registro.br/domain/registro.com.br")
    );
    assert_eq!(bootstrap.base_url("example.com"), None);
    assert_eq!(bootstrap.base_url("cz.example"), None);
}

#[test]
fn a_bootstrap_file_with_a_bad_service_is_refused_whole() {
    let err = Bootstrap::from_json(&data("bootstrap/dns_bad_services.json")).unwrap_err();
    assert!(
        matches!(err, BootstrapError::Service { index: 3, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "services[3] of the bootstrap file is malformed: it has 0 elements, not 2 (entries and URLs)"
    );
}

#[test]
fn a_bootstrap_file_that_is_not_json_is_refused() {
    let err = Bootstrap::from_json(&data("bootstrap/dns_syntax_error.json")).unwrap_err();
    assert!(matches!(err, BootstrapError::Json(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("the bootstrap file is not valid JSON")
    );
}

#[test]
fn bootstrap_files_of_the_wrong_shape_are_refused() {
    let cases = [
        ("[]", "not an object"),
        (r#"{"services":[]}"#, "no version"),
        (r#"{"version":"2.0","services":[]}"#, "is not \"1.0\""),
        (r#"{"version":"1.0"}"#, "\"services\" is missing"),
        (r#"{"version":"1.0","services":{}}"#, "not an array"),
        (
            r#"{"version":"1.0","services":[[["cz"],"https://rdap.nic.cz/"]]}"#,
            "services[0]",
        ),
        (
            r#"{"version":"1.0","services":[[["cz"],[]]]}"#,
            "no http or https URL",
        ),
        (
            r#"{"version":"1.0","services":[[["cz"],["ftp://rdap.nic.cz/"]]]}"#,
            "no http or https URL",
        ),
        (
            r#"{"version":"1.0","services":[[["cz"],["not a url"]]]}"#,
            "is not a URL",
        ),
        (
            r#"{"version":"1.0","services":[[["cz",""],["https://rdap.nic.cz/"]]]}"#,
            "empty label",
        ),
        (
            r#"{"version":"1.0","services":[[["cz",1],["https://rdap.nic.cz/"]]]}"#,
            "not an array of strings",
        ),
        (
            r#"{"version":"1.0","services":[[["cz"],["https://a.example/"]],[["CZ."],["https://b.example/"]]]}"#,
            "\"cz\" is listed by more than one service",
        ),
    ];
    for (json, expected) in cases {
        let err = Bootstrap::from_json(json).unwrap_err();
        assert!(err.to_string().contains(expected), "{json}: {err}");
    }
}

#[test]
fn the_longest_entry_wins_label_by_label() {
    let bootstrap = Bootstrap::from_services(vec![
        (strings(&["id"]), strings(&["https://id.example/rdap/"])),
        (
            strings(&["co.id", "WEB.ID."]),
            strings(&["https://co-id.example/"]),
        ),
    ])
    .expect("bootstrap");
    assert_eq!(bootstrap.len(), 3);
    assert_eq!(
        bootstrap.base_url("example.co.id"),
        Some("https://co-id.example/")
    );
    assert_eq!(
        bootstrap.base_url("Example.Web.Id."),
        Some("https://co-id.example/")
    );
    assert_eq!(
        bootstrap.base_url("example.id"),
        Some("https://id.example/rdap/")
    );
    // "co.id" is a suffix of "xco.id" as a string, not as labels.
    assert_eq!(
        bootstrap.base_url("xco.id"),
        Some("https://id.example/rdap/")
    );
    assert_eq!(
        bootstrap.base_url("example.my.id"),
        Some("https://id.example/rdap/")
    );
    assert_eq!(
        bootstrap.domain_url("example.co.id").as_deref(),
        Some("https://co-id.example/domain/example.co.id")
    );
    assert_eq!(bootstrap.base_url("example.pl"), None);
}

#[test]
fn https_is_preferred_whatever_the_order() {
    let bootstrap = Bootstrap::from_services(vec![(
        strings(&["com", "net"]),
        strings(&[
            "http://rdap.verisign.com/com/v1/",
            "https://rdap.verisign.com/com/v1",
        ]),
    )])
    .expect("bootstrap");
    assert_eq!(
        bootstrap.domain_url("example.net").as_deref(),
        Some("https://rdap.verisign.com/com/v1/domain/example.net")
    );
}
