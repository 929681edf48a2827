//! The dashboard's setup checklist as a reseller's staff read it: its own
//! domains checked against a real DNS server (Debian's dnsmasq, started
//! here on a free port: one domain pointing at the edge, one elsewhere,
//! one with no record), a resolver that does not answer, and the items a
//! fresh storefront has to do, done one by one by its owner.

mod common;

use axum::http::StatusCode;
use common::*;
use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use storefront_backoffice::own_domain::OwnDomainCheck;

/// The edge's address in these tests (TEST-NET-3, never routed).
const EDGE: &str = "203.0.113.10";

/// dnsmasq answering from its command line only, killed on drop.
struct Dns {
    child: Child,
    port: u16,
}

impl Dns {
    /// Serve these `--address` rules; every other name under `example`
    /// does not exist.
    fn start(addresses: &[&str]) -> Dns {
        let bin = "/usr/sbin/dnsmasq";
        assert!(
            std::path::Path::new(bin).exists(),
            "{bin} is missing: install Debian's dnsmasq-base (scripts/test does)"
        );
        let port = free_udp_port();
        let mut cmd = Command::new(bin);
        cmd.args([
            "--keep-in-foreground",
            "--no-daemon",
            "--no-resolv",
            "--no-hosts",
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            "--local=/example/",
        ])
        .arg(format!("--port={port}"))
        .args(addresses.iter().map(|a| format!("--address={a}")))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        let dns = Dns {
            child: cmd.spawn().expect("dnsmasq starts"),
            port,
        };
        dns.wait_until_answering();
        dns
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn wait_until_answering(&self) {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("a socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("a timeout");
        // A query for `example.` of type A, class IN.
        let query =
            b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x00\x00\x01\x00\x01";
        let until = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 512];
        while Instant::now() < until {
            let _ = socket.send_to(query, self.addr());
            if socket.recv_from(&mut buf).is_ok() {
                return;
            }
        }
        panic!("dnsmasq did not answer on {}", self.addr());
    }
}

impl Drop for Dns {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A UDP port nothing listens on (now).
fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .expect("a socket")
        .local_addr()
        .expect("its address")
        .port()
}

fn check_with(resolver: &str) -> OwnDomainCheck {
    OwnDomainCheck::from_settings(Some(EDGE), Some(resolver))
        .expect("settings")
        .with_timeout(Duration::from_millis(800))
}

/// Toko's own domains become these (its fixture names toko.example).
fn with_domains(domains: &'static [&'static str]) -> impl FnOnce(&std::path::Path) {
    move |project| {
        let file = project.join("content/resellers/toko/site.toml");
        let src = std::fs::read_to_string(&file).expect("site.toml");
        let list = domains
            .iter()
            .map(|d| format!("\"{d}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let changed = src.replacen(
            r#"domains = ["toko.example", "www.toko.example"]"#,
            &format!("domains = [{list}]"),
            1,
        );
        assert_ne!(changed, src, "the fixture's domains line");
        std::fs::write(file, changed).expect("written");
    }
}

const FOUR: &[&str] = &[
    "pointed.example",
    "www.pointed.example",
    "elsewhere.example",
    "nothing.example",
];

#[tokio::test]
async fn each_own_domain_is_checked_against_the_resolver() {
    let dns = Dns::start(&[
        "/pointed.example/203.0.113.10",
        "/elsewhere.example/198.51.100.7",
    ]);
    let shop = shop_configured(with_domains(FOUR), |bo| {
        bo.with_own_domain(check_with(&dns.addr()))
    })
    .await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.text("own-domain-pointed.example"),
        "pointed.example A 203.0.113.10 points here"
    );
    assert_eq!(
        page.text("own-domain-www.pointed.example"),
        "www.pointed.example A 203.0.113.10 points here"
    );
    assert_eq!(
        page.text("own-domain-elsewhere.example"),
        "elsewhere.example A 203.0.113.10 points at 198.51.100.7, not here"
    );
    assert_eq!(
        page.text("own-domain-nothing.example"),
        "nothing.example A 203.0.113.10 has no A record yet"
    );
    assert_eq!(
        page.text("setup-domain"),
        "Own domain: to do Point each domain below at this address. A changed record can take a few hours to be seen everywhere. Your domains"
    );
    assert_eq!(page.href_in("check-again"), "/panel/?check=domains#setup");
    // Asked again, it asks the resolver again.
    let again = request(r, "GET", TOKO, "/panel/?check=domains", &owner, None).await;
    assert_eq!(
        again.text("own-domain-elsewhere.example"),
        "elsewhere.example A 203.0.113.10 points at 198.51.100.7, not here"
    );
    // The fixture's toko has its own colours, prices and a bank account.
    assert_eq!(page.text("setup-progress"), "3 of 4 done");

    let indonesian = request_in("id", r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(
        indonesian.text("own-domain-elsewhere.example"),
        "elsewhere.example A 203.0.113.10 mengarah ke 198.51.100.7, bukan ke sini"
    );
}

#[tokio::test]
async fn domains_that_all_point_here_are_done() {
    let dns = Dns::start(&["/pointed.example/203.0.113.10"]);
    let shop = shop_configured(
        with_domains(&["pointed.example", "www.pointed.example"]),
        |bo| bo.with_own_domain(check_with(&dns.addr())),
    )
    .await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(
        page.text("setup-domain"),
        "Own domain: done Every domain of yours points here."
    );
    assert_eq!(page.text("setup-progress"), "4 of 4 done");
}

#[tokio::test]
async fn a_resolver_that_does_not_answer_is_a_line_not_an_error() {
    let nobody = format!("127.0.0.1:{}", free_udp_port());
    let shop = shop_configured(with_domains(FOUR), |bo| {
        bo.with_own_domain(check_with(&nobody))
    })
    .await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let started = Instant::now();
    let page = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for domain in FOUR {
        assert_eq!(
            page.text(&format!("own-domain-{domain}")),
            format!("{domain} A 203.0.113.10 could not be checked, try again")
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the page waits one timeout, not one per domain: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn without_an_edge_address_the_checklist_says_how_to_set_one() {
    let shop = shop_with(with_domains(FOUR)).await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.text("setup-domain"),
        "Own domain: to do The edge's address is not configured, so there is nothing to point your domain at yet. The platform sets it: storefront serve --edge-ips (or STOREFRONT_EDGE_IPS), or the EdgeAddresses parameter when deployed. Your domains"
    );
    assert!(!page.html.contains("id=\"own-domains\""));
}

const BARU: &str = "baru.localhost";

#[tokio::test]
async fn a_fresh_storefront_has_everything_to_do_until_its_owner_does_it() {
    let shop = shop_configured(
        |project| {
            storefront_generator::scaffold::new_reseller(
                &project.join("content"),
                &storefront_generator::scaffold::NewReseller {
                    id: "baru".into(),
                    plan: None,
                    language: storefront_core::Locale::En,
                    domain: None,
                },
            )
            .expect("a new storefront");
        },
        |bo| bo.with_own_domain(check_with("127.0.0.1:53")),
    )
    .await;
    for (email, role) in [
        (
            "owner@baru.localhost",
            storefront_functions::accounts::Role::Owner,
        ),
        (
            "admin@baru.localhost",
            storefront_functions::accounts::Role::Admin,
        ),
        (
            "finance@baru.localhost",
            storefront_functions::accounts::Role::Finance,
        ),
    ] {
        storefront_functions::accounts::create_reseller_user(
            shop.store.as_ref(),
            "baru",
            email,
            PASSWORD,
            role,
            &storefront_functions::accounts::AccountsConfig::fast_for_tests(),
        )
        .await
        .expect("staff");
    }
    let r = &shop.router;
    let owner = sign_in(r, BARU, "owner@baru.localhost").await;
    let admin = sign_in(r, BARU, "admin@baru.localhost").await;
    let page = request(r, "GET", BARU, "/panel/", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(page.text("setup-progress"), "0 of 4 done");
    assert_eq!(
        page.text("setup-brand"),
        "Logo and colours: to do Your storefront still has the logo and colours every new storefront starts with. Edit logo and colours"
    );
    assert_eq!(page.href_in("setup-brand"), "/panel/brand");
    assert_eq!(
        page.text("setup-prices"),
        "Customer prices: to do Your customers still see the prices every new storefront starts with. Set prices"
    );
    assert_eq!(page.href_in("setup-prices"), "/panel/prices");
    assert_eq!(
        page.text("setup-domain"),
        "Own domain: to do Your storefront has only its platform address, baru.localhost. Add your own domain, publish, and point its A record here. Your domains"
    );
    assert_eq!(
        page.text("setup-bank"),
        "Bank accounts: to do No bank account yet: customers cannot pay by bank transfer. Add bank accounts"
    );
    assert_eq!(page.href_in("setup-bank"), "/panel/seller");
    // An admin may not edit bank accounts: told who does, with no link.
    let page = request(r, "GET", BARU, "/panel/", &admin, None).await;
    assert_eq!(
        page.text("setup-bank"),
        "Bank accounts: to do No bank account yet: customers cannot pay by bank transfer. The storefront's owner adds them."
    );

    // Finance does not edit the content: no checklist.
    let finance = sign_in(r, BARU, "finance@baru.localhost").await;
    let page = request(r, "GET", BARU, "/panel/", &finance, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.html.contains("id=\"setup\""), "{}", page.html);

    // The owner sets a colour, a markup and a bank account.
    let brand = request(r, "GET", BARU, "/panel/brand", &owner, None).await;
    let saved = post_brand(
        r,
        &owner,
        &[
            ("loaded", &brand.input("loaded")),
            ("name", &brand.input("name")),
            ("colour_primary", "#b3121f"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let prices = request(r, "GET", BARU, "/panel/prices?group=default", &owner, None).await;
    let form = [
        ("group", "default"),
        ("kind", "percent"),
        ("markup", "30"),
        ("round_to", "1000"),
        ("loaded", &prices.input("loaded")),
    ];
    let saved = request(r, "POST", BARU, "/panel/prices", &owner, Some(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let seller = request(r, "GET", BARU, "/panel/seller", &owner, None).await;
    let mut fields: Vec<(String, String)> = [
        "legal_name",
        "tax_id",
        "seller_email",
        "invoice_prefix",
        "loaded",
    ]
    .iter()
    .map(|k| (k.to_string(), seller.input(k)))
    .collect();
    for (k, v) in [
        ("address", "Jl. Baru 1\nJakarta"),
        ("account_0_id", "bca"),
        ("account_0_bank", "BCA"),
        ("account_0_holder", "PT Baru"),
        ("account_0_number", "123 000 4567"),
    ] {
        fields.push((k.into(), v.into()));
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let saved = request(r, "POST", BARU, "/panel/seller", &owner, Some(&pairs)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);

    let page = request(r, "GET", BARU, "/panel/", &owner, None).await;
    assert_eq!(page.text("setup-progress"), "3 of 4 done");
    assert_eq!(
        page.text("setup-brand"),
        "Logo and colours: done Your storefront shows your own logo or colours. Edit logo and colours"
    );
    assert_eq!(
        page.text("setup-prices"),
        "Customer prices: done Your customers' prices are your own. Set prices"
    );
    assert_eq!(
        page.text("setup-bank"),
        "Bank accounts: done Customers can pay by bank transfer into 1 account(s). Add bank accounts"
    );
}

/// The brand form, posted as the browser does (multipart, no files).
async fn post_brand(r: &axum::Router, cookie: &str, fields: &[(&str, &str)]) -> Page {
    use tower::ServiceExt;
    let boundary = "----own-domain-test";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/panel/brand")
        .header("host", BARU)
        .header("origin", format!("http://{BARU}"))
        .header("accept-language", "en")
        .header("cookie", cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .expect("request");
    page_of(r.clone().oneshot(req).await.expect("infallible")).await
}

/// The owner adds its own domain on the contact details page and
/// publishes: the storefront answers on it, and the checklist asks the
/// resolver about it. A line that is no domain, or a domain another
/// storefront has, is refused and nothing changes.
#[tokio::test]
async fn the_owner_adds_its_own_domain_and_the_checklist_checks_it() {
    let dns = Dns::start(&["/kopitoko.example/203.0.113.10"]);
    let shop = shop_configured(|_| {}, |bo| bo.with_own_domain(check_with(&dns.addr()))).await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/details", &owner, None).await;
    let fields = page.form("details");
    let domains = page.html[page.html.find("name=\"domains\"").expect("the domains")..]
        .split_once('>')
        .and_then(|(_, rest)| rest.split_once("</textarea>"))
        .map(|(v, _)| unescape(v))
        .expect("a textarea");
    assert_eq!(domains, "toko.example\nwww.toko.example");
    let save = |typed: String| {
        let mut f: Vec<(String, String)> = fields.clone();
        f.push(("domains".into(), typed));
        f
    };
    let post = |f: Vec<(String, String)>| {
        let owner = owner.clone();
        async move {
            let pairs: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            request(r, "POST", TOKO, "/panel/details", &owner, Some(&pairs)).await
        }
    };
    let bad = post(save(format!("{domains}\nkopi toko"))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.html);
    assert!(
        unescape(&bad.html)
            .contains("kopi toko is not a domain name (one a line, such as shop.example.com)."),
        "{}",
        bad.html
    );
    let theirs = post(save(format!("{domains}\nagen.example"))).await;
    assert_eq!(
        theirs.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        theirs.html
    );
    assert!(
        unescape(&theirs.html).contains("agen.example"),
        "{}",
        theirs.html
    );

    let saved = post(save(format!("{domains}\nKopiToko.example"))).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let page = request(r, "GET", TOKO, "/panel/publish", &owner, None).await;
    let published = request(
        r,
        "POST",
        TOKO,
        "/panel/publish",
        &owner,
        Some(&[
            ("revision", &page.input("revision")),
            ("expected", &page.input("expected")),
        ]),
    )
    .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.html
    );
    let catalogs = storefront_functions::catalog::Catalogs::new(shop.store.clone());
    assert_eq!(
        catalogs
            .reseller_for_host("kopitoko.example")
            .await
            .unwrap(),
        Some("toko".to_string())
    );
    let page = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(
        page.text("own-domain-kopitoko.example"),
        "kopitoko.example A 203.0.113.10 points here"
    );
}
