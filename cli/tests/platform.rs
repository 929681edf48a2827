//! A deployed platform starts from nothing, on moto (a local DynamoDB and
//! S3 the test starts): `storefront deploy` of the example content, then
//! `storefront platform init` makes the first operator and prints its
//! one-time link (refused a second time). The rest goes through the
//! Lambdas' routers as deployed (accounts and back office, each with its
//! own services from its own settings, on the table and the buckets, mail
//! to an outbox): the link sets the operator's password, the operator
//! opens the console; a company registers on the platform's storefront,
//! confirms its email, sends the documents the catalogue's
//! `[registration]` asks; the operator approves each, records the deposit
//! and approves; the new storefront is published in the table and
//! uploaded to the storefronts bucket, its owner signs in on its host, and
//! its wallet holds exactly the deposit.
//!
//! Here rather than in lambda/tests: only this crate's tests can run the
//! `storefront` binary, and the Lambdas' routers are a library to take in.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rust_decimal::Decimal;
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use storefront_core::ledger::Party;
use storefront_e2e::moto::Moto;
use storefront_functions::accounts::Outbox;
use storefront_functions::app::Services;
use storefront_lambda::{Function, Settings};
use tower::ServiceExt;

/// The platform's storefront (content/resellers/gerbang)'s first domain.
const HOST: &str = "gerbangdomain.co.id";
/// PLATFORM_DOMAIN: a new reseller's address is `<id>.<this>`.
const PLATFORM_DOMAIN: &str = "shops.gerbangdomain.co.id";
const NEW_HOST: &str = "tokobaru.shops.gerbangdomain.co.id";
const OPS: &str = "ops@gerbangdomain.co.id";
const OPS_PASSWORD: &str = "gerbang-operator-2026";
const APPLICANT: &str = "budi@tokobaru.example";
const APPLICANT_PASSWORD: &str = "tokobaru-secret-2026";

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
/// A 16 by 16 baseline JPEG's markers: SOI, the frame (one component), EOI.
const JPEG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00, 0xFF,
    0xD9,
];

/// `storefront <args>` from `dir`, against moto.
fn storefront(dir: &Path, moto: &Moto, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storefront"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("STOREFRONT_TABLE")
        .env_remove("STOREFRONT_TODAY")
        .output()
        .expect("run storefront")
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A function's services as its Lambda builds them from its environment,
/// with mail to `outbox` and a cheap password hash.
fn services(function: Function, endpoint: &str, outbox: &Path) -> (Settings, Services) {
    let vars = [
        ("TABLE_NAME", "storefront"),
        ("DOCUMENTS_BUCKET", "documents"),
        ("STOREFRONTS_BUCKET", "storefronts"),
        ("PLATFORM_DOMAIN", PLATFORM_DOMAIN),
        ("SMTP_URL", "smtp+insecure://127.0.0.1:1"),
        ("MAIL_FROM", "no-reply@gerbangdomain.co.id"),
        ("DOCUMENT_LINK_SECRET", "0123456789abcdef0123456789abcdef"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_ENDPOINT_URL", endpoint),
    ];
    let settings = Settings::from_lookup(function, |k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    })
    .expect("settings");
    let mut services = storefront_lambda::services(function, &settings).expect("services");
    services.mailer = Arc::new(Outbox::new(outbox));
    services.accounts.argon2_m_kib = 8;
    services.accounts.argon2_t = 1;
    (settings, services)
}

struct Answer {
    status: StatusCode,
    location: String,
    /// The session cookie set, `name=value`.
    cookie: String,
    text: String,
}

async fn send(
    r: &Router,
    method: &str,
    host: &str,
    path: &str,
    cookie: &str,
    body: Option<(String, Vec<u8>)>,
) -> Answer {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", host)
        .header("origin", format!("https://{host}"))
        .header("accept-language", "en")
        .header("cookie", cookie);
    let body = match body {
        Some((kind, bytes)) => {
            b = b.header("content-type", kind);
            Body::from(bytes)
        }
        None => Body::empty(),
    };
    let resp = r.clone().oneshot(b.body(body).unwrap()).await.unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (location, set) = (header("location"), header("set-cookie"));
    let status = resp.status();
    let text = axum::body::to_bytes(resp.into_body(), 1 << 24)
        .await
        .unwrap();
    Answer {
        status,
        location,
        cookie: set.split(';').next().unwrap_or_default().to_string(),
        text: String::from_utf8_lossy(&text).into_owned(),
    }
}

/// A form's fields, URL-encoded.
fn form(fields: &[(&str, &str)]) -> Option<(String, Vec<u8>)> {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect();
    Some((
        "application/x-www-form-urlencoded".into(),
        body.join("&").into_bytes(),
    ))
}

fn json_body(v: serde_json::Value) -> Option<(String, Vec<u8>)> {
    Some(("application/json".into(), v.to_string().into_bytes()))
}

/// One document of the application, as the status page's form sends it.
fn document(item: &str, file: &str, kind: &str, bytes: &[u8]) -> Option<(String, Vec<u8>)> {
    let boundary = "XyZzY";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"item\"\r\n\r\n{item}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\nContent-Type: {kind}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Some((format!("multipart/form-data; boundary={boundary}"), body))
}

/// The last mail to `to`, quoted-printable soft breaks undone.
fn mail_to(outbox: &Path, to: &str) -> String {
    let mut files: Vec<_> = std::fs::read_dir(outbox)
        .expect("the outbox")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    let line = format!("To: {to}\r\n");
    files
        .iter()
        .rev()
        .map(|p| std::fs::read_to_string(p).expect("mail"))
        .find(|m| m.contains(&line))
        .unwrap_or_else(|| panic!("nothing mailed to {to}"))
        .replace("=\r\n", "")
        .replace("=3D", "=")
}

/// Amounts are written with a no-break space; read as a space.
fn norm(s: &str) -> String {
    s.replace('\u{a0}', " ").replace("&nbsp;", " ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployed_platform_starts_from_nothing() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let config = storefront_aws::local_config(&endpoint).await;
    let s3 = storefront_aws::s3_client(&config);
    for bucket in ["storefronts", "documents"] {
        s3.create_bucket()
            .bucket(bucket)
            .send()
            .await
            .expect("bucket");
    }
    let store = storefront_aws::DynamoStore::local(&endpoint, "storefront")
        .await
        .expect("table");

    // The example content, deployed.
    let p = tempfile::tempdir().expect("tempdir");
    let root = storefront_e2e::repo_root();
    for sub in ["content", "themes"] {
        storefront_e2e::copy_tree(&root.join(sub), &p.path().join(sub));
    }
    let deployed = ok(&storefront(
        p.path(),
        &moto,
        &[
            "deploy",
            "--table",
            "storefront",
            "--bucket",
            "storefronts",
            "--files-bucket",
            "documents",
        ],
    ));
    assert!(
        deployed.contains("published 5 catalogue(s) to storefront (5 changed)"),
        "{deployed}"
    );

    // The first operator, and its one-time link.
    let init = ["platform", "init", "--table", "storefront", "--email", OPS];
    let said = ok(&storefront(p.path(), &moto, &init));
    let mut lines = said.lines();
    assert_eq!(
        lines.next(),
        Some(
            "ops@gerbangdomain.co.id is the first operator of Gerbang Domain (gerbang), as its owner."
        ),
        "{said}"
    );
    assert_eq!(
        lines.next(),
        Some(
            "Open this link once, within 7 days, to set the password and sign in; the console is at /panel/platform/:"
        ),
        "{said}"
    );
    let link = said
        .lines()
        .find_map(|l| l.strip_prefix("  https://gerbangdomain.co.id/account/?reset="))
        .unwrap_or_else(|| panic!("no link in:\n{said}"));
    assert!(
        link.len() >= 32 && link.chars().all(|c| c.is_ascii_hexdigit()),
        "{link}"
    );
    let token = link.to_string();
    let again = storefront(p.path(), &moto, &init);
    assert!(!again.status.success());
    let refused = String::from_utf8_lossy(&again.stderr);
    assert_eq!(
        refused.lines().last(),
        Some(
            "error: the platform already has operators (ops@gerbangdomain.co.id): ask one of them to invite you on the back office's Staff page"
        ),
        "{refused}"
    );

    // The functions as deployed: each its own services.
    let mail = tempfile::tempdir().expect("tempdir");
    let outbox = mail.path().join("outbox");
    let (_, accounts) = services(Function::Accounts, &endpoint, &outbox);
    let accounts = storefront_lambda::router(Function::Accounts, &accounts);
    let (settings, bo_services) = services(Function::Backoffice, &endpoint, &outbox);
    let work = tempfile::tempdir().expect("tempdir");
    let backoffice = storefront_lambda::backoffice::router(&bo_services, &settings, work.path())
        .await
        .expect("the back office's router");

    // The link sets the operator's password, once.
    let reset = json!({"token": token, "password": OPS_PASSWORD});
    let a = send(
        &accounts,
        "POST",
        HOST,
        "/api/accounts/password/reset",
        "",
        json_body(reset.clone()),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.text);
    let a = send(
        &accounts,
        "POST",
        HOST,
        "/api/accounts/password/reset",
        "",
        json_body(reset),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
    let a = send(
        &accounts,
        "POST",
        HOST,
        "/api/accounts/signin",
        "",
        json_body(json!({"email": OPS, "password": OPS_PASSWORD})),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let me: serde_json::Value = serde_json::from_str(&a.text).expect("JSON");
    assert_eq!(me["role"], "owner", "{me}");
    let ops = a.cookie;
    let a = send(&backoffice, "GET", HOST, "/panel/platform/", &ops, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    assert!(a.text.contains("Platform console"), "{}", a.text);

    // A company registers on the platform's storefront, signed in at once.
    let join = send(&backoffice, "GET", HOST, "/panel/join", "", None).await;
    assert_eq!(join.status, StatusCode::OK, "{}", join.text);
    assert!(
        norm(&join.text).contains("data-plan=\"idr-standard\">IDR 2,000,000</span>"),
        "{}",
        join.text
    );
    let a = send(
        &backoffice,
        "POST",
        HOST,
        "/panel/join",
        "",
        form(&[
            ("kind", "company"),
            ("name", "Budi Santoso"),
            ("email", APPLICANT),
            ("mobile", "0812-3456-7890"),
            ("password", APPLICANT_PASSWORD),
            ("language", "en"),
            ("id", "tokobaru"),
            ("company_name", "PT Toko Baru"),
            ("npwp", "01.312.166.0-091.000"),
            ("plan", "idr-standard"),
        ]),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
    assert_eq!(a.location, "/panel/join/status");
    let applicant = a.cookie;
    let status = send(
        &backoffice,
        "GET",
        HOST,
        "/panel/join/status",
        &applicant,
        None,
    )
    .await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.text);
    assert!(status.text.contains("data-verified=\"false\""));
    assert!(
        norm(&status.text).contains("<strong id=\"amount\">IDR 2,000,000</strong>"),
        "{}",
        status.text
    );

    // The confirmation mail's link, opened on the accounts function.
    let mailed = mail_to(&outbox, APPLICANT);
    let at = mailed
        .find("https://gerbangdomain.co.id/account/?verify=")
        .unwrap_or_else(|| panic!("no link in:\n{mailed}"))
        + 44;
    let verify: String = mailed[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    let a = send(
        &accounts,
        "POST",
        HOST,
        "/api/accounts/verify",
        "",
        json_body(json!({"token": verify})),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let status = send(
        &backoffice,
        "GET",
        HOST,
        "/panel/join/status",
        &applicant,
        None,
    )
    .await;
    assert!(
        status.text.contains("data-verified=\"true\""),
        "{}",
        status.text
    );

    // The documents a company sends (ktp, npwp, akta), to the bucket.
    for (item, file, kind, bytes) in [
        ("ktp", "ktp.jpg", "image/jpeg", JPEG),
        ("npwp", "npwp.pdf", "application/pdf", PDF),
        ("akta", "akta.pdf", "application/pdf", PDF),
    ] {
        let a = send(
            &backoffice,
            "POST",
            HOST,
            "/panel/join/documents",
            &applicant,
            document(item, file, kind, bytes),
        )
        .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{item}: {}", a.text);
        assert_eq!(a.location, "/panel/join/status?done=uploaded", "{item}");
    }

    // The operator finds it pending, approves each document, records the
    // deposit and approves.
    let list = send(
        &backoffice,
        "GET",
        HOST,
        "/panel/platform/resellers",
        &ops,
        None,
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let pending = &list.text
        [list.text.find("id=\"pending\"").unwrap()..list.text.find("id=\"approved\"").unwrap()];
    assert!(pending.contains(">tokobaru</a>"), "{pending}");
    let id = {
        let at = pending.find("data-id=\"").unwrap() + 9;
        pending[at..at + 32].to_string()
    };
    for item in ["ktp", "npwp", "akta"] {
        let a = send(
            &backoffice,
            "POST",
            HOST,
            "/panel/platform/resellers/review",
            &ops,
            form(&[
                ("id", &id),
                ("item", item),
                ("version", "1"),
                ("decision", "approve"),
                ("reason", ""),
            ]),
        )
        .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{item}: {}", a.text);
    }
    let a = send(
        &backoffice,
        "POST",
        HOST,
        "/panel/platform/resellers/deposit",
        &ops,
        form(&[
            ("id", &id),
            ("amount", "2,000,000"),
            ("reference", "BCA 0412"),
        ]),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
    let a = send(
        &backoffice,
        "POST",
        HOST,
        "/panel/platform/resellers/approve",
        &ops,
        form(&[("id", &id)]),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
    assert!(a.location.ends_with("&done=approved"), "{}", a.location);

    // Published in the table the API prices from...
    let snapshot = storefront_functions::catalog::current(&store, "tokobaru")
        .await
        .expect("store")
        .expect("published");
    assert_eq!(snapshot.name, "PT Toko Baru");
    assert_eq!(snapshot.domains, [NEW_HOST]);
    assert_eq!(snapshot.parent.id, None);
    let catalogs = storefront_functions::catalog::Catalogs::new(Arc::new(store.clone()));
    assert_eq!(
        catalogs.reseller_for_host(NEW_HOST).await.expect("lookup"),
        Some("tokobaru".to_string())
    );
    // ...and its pages in the storefronts bucket, under its id.
    let listed = s3
        .list_objects_v2()
        .bucket("storefronts")
        .prefix("sites/tokobaru/")
        .send()
        .await
        .expect("list");
    let keys: Vec<&str> = listed.contents().iter().filter_map(|o| o.key()).collect();
    assert!(keys.contains(&"sites/tokobaru/index.html"), "{keys:?}");
    let home = s3
        .get_object()
        .bucket("storefronts")
        .key("sites/tokobaru/index.html")
        .send()
        .await
        .expect("the home page");
    assert_eq!(home.content_type(), Some("text/html; charset=utf-8"));
    let home = String::from_utf8(home.body.collect().await.unwrap().into_bytes().to_vec()).unwrap();
    assert!(home.contains("<title>PT Toko Baru"), "{home}");
    let opened = mail_to(&outbox, APPLICANT);
    assert!(
        opened.contains(&format!("your storefront is open: https://{NEW_HOST}")),
        "{opened}"
    );

    // Its owner signs in on its host with the password it chose.
    let a = send(
        &accounts,
        "POST",
        NEW_HOST,
        "/api/accounts/signin",
        "",
        json_body(json!({"email": APPLICANT, "password": APPLICANT_PASSWORD})),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let me: serde_json::Value = serde_json::from_str(&a.text).expect("JSON");
    assert_eq!(me["role"], "owner", "{me}");

    // Its wallet with the platform holds exactly the deposit.
    let ledger = storefront_functions::ledger::Ledger::new(
        Arc::new(store.clone()),
        Arc::new(storefront_functions::clock::SystemClock),
    );
    let wallet = ledger
        .wallet(&Party::reseller("tokobaru"))
        .await
        .expect("store")
        .expect("a wallet");
    assert_eq!(wallet.balance.posted, Decimal::from(2_000_000));
    assert_eq!(wallet.balance.available(), Decimal::from(2_000_000));
}
