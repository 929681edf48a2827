//! Registration of resellers on the platform's storefront (toko here, made
//! the platform's in the fixture), and the console's resellers: bad input
//! is refused field by field; a company applies, confirms its email,
//! sends its documents; an operator rejects one with a reason the
//! applicant reads, approves the new version and the rest, records the
//! deposit and approves; the new storefront answers at once, its owner
//! signs in with the password it chose, its wallet holds exactly the
//! deposit; a second approval is refused; nobody but an operator opens the
//! console.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use rust_decimal::Decimal;
use serde_json::json;
use storefront_core::ledger::Party;
use tower::ServiceExt;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
const APPLICANT_PASSWORD: &str = "tokobaru-secret-2026";

fn company_form<'a>(
    email: &'a str,
    mobile: &'a str,
    npwp: &'a str,
    plan: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "company"),
        ("name", "Budi Santoso"),
        ("email", email),
        ("mobile", mobile),
        ("password", APPLICANT_PASSWORD),
        ("language", "en"),
        ("id", "tokobaru"),
        ("company_name", "PT Toko Baru"),
        ("npwp", npwp),
        ("plan", plan),
    ]
}

/// The field errors a page lists, by field.
fn errors(page: &Page) -> Vec<(String, String)> {
    page.html
        .split("<li data-field=\"")
        .skip(1)
        .map(|s| {
            let field = s[..s.find('"').expect("field")].to_string();
            let message = s[s.find('>').expect(">") + 1..s.find("</li>").expect("li")].to_string();
            (field, norm(&unescape(&message)))
        })
        .collect()
}

/// Amounts are written with a no-break space; read as a space.
fn norm(s: &str) -> String {
    s.replace('\u{a0}', " ").replace("&nbsp;", " ")
}

fn cookie_of(page: &Page) -> String {
    page.headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("a session cookie")
        .split(';')
        .next()
        .expect("name=value")
        .to_string()
}

fn mail_to(shop: &Shop, to: &str) -> String {
    let mut files: Vec<_> = std::fs::read_dir(&shop.mail)
        .expect("the outbox")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    let line = format!("To: {to}\r\n");
    let mail = files
        .iter()
        .rev()
        .map(|p| std::fs::read_to_string(p).expect("mail"))
        .find(|m| m.contains(&line))
        .unwrap_or_else(|| panic!("nothing mailed to {to}"));
    mail.replace("=\r\n", "").replace("=3D", "=")
}

async fn upload(shop: &Shop, cookie: &str, item: &str, bytes: &[u8]) -> Page {
    let boundary = "XyZzY";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"item\"\r\n\r\n{item}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{item}.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method("POST")
        .uri("/panel/join/documents")
        .header("host", TOKO)
        .header("origin", format!("http://{TOKO}"))
        .header("cookie", cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request");
    page_of(shop.router.clone().oneshot(req).await.expect("infallible")).await
}

async fn approve(r: &axum::Router, ops: &str, id: &str) -> Page {
    request(
        r,
        "POST",
        TOKO,
        "/panel/platform/resellers/approve",
        ops,
        Some(&[("id", id)]),
    )
    .await
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field() {
    let shop = platform_shop().await;
    let r = &shop.router;
    let page = request(r, "GET", TOKO, "/panel/join", "", None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    // Each plan open to registration with the deposit it asks.
    assert!(
        norm(&page.html).contains("data-plan=\"idr\">IDR 2,000,000</span>"),
        "{}",
        page.html
    );

    let bad = company_form(
        "budi@tokobaru.example",
        "call me",
        "01.312.166.0-091.00",
        "gold",
    );
    let page = request(r, "POST", TOKO, "/panel/join", "", Some(&bad)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        errors(&page),
        [
            ("mobile".to_string(), "\"call me\" is not a phone number: digits only, with + in front if you like.".to_string()),
            ("npwp".to_string(), "\"01.312.166.0-091.00\" is not an NPWP: 15 or 16 digits, e.g. 01.312.166.0-091.000.".to_string()),
            ("plan".to_string(), "Choose one of the plans shown.".to_string()),
        ]
    );
    // A landline is a number, not a mobile one.
    let bad = company_form(
        "budi@tokobaru.example",
        "021-5790-1234",
        "01.312.166.0-091.000",
        "idr",
    );
    let page = request(r, "POST", TOKO, "/panel/join", "", Some(&bad)).await;
    assert_eq!(
        errors(&page),
        [(
            "mobile".to_string(),
            "\"021-5790-1234\" is not a mobile number.".to_string()
        )]
    );

    // The same email twice: the second is told, on its field.
    let good = company_form(
        "budi@tokobaru.example",
        "0812-3456-7890",
        "01.312.166.0-091.000",
        "idr",
    );
    let page = request(r, "POST", TOKO, "/panel/join", "", Some(&good)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let mut again = good.clone();
    again.retain(|(k, _)| *k != "id");
    again.push(("id", "tokolain"));
    let page = request(r, "POST", TOKO, "/panel/join", "", Some(&again)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        errors(&page),
        [(
            "email".to_string(),
            "budi@tokobaru.example has already applied or has an account here: sign in instead."
                .to_string()
        )]
    );

    // Another applicant wanting the id a pending application wants.
    let mut same_id = good.clone();
    same_id.retain(|(k, _)| *k != "email");
    same_id.push(("email", "sari@lain.example"));
    let page = request(r, "POST", TOKO, "/panel/join", "", Some(&same_id)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        errors(&page),
        [(
            "id".to_string(),
            "The address tokobaru is already taken: choose another.".to_string()
        )]
    );

    // Registration is the platform's storefront's only: 404 elsewhere.
    let page = request(r, "GET", "agen.localhost", "/panel/join", "", None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_company_applies_and_is_approved_into_a_live_shop() {
    let shop = platform_shop().await;
    let r = &shop.router;
    let form = company_form(
        "budi@tokobaru.example",
        "0812-3456-7890",
        "01.312.166.0-091.000",
        "idr",
    );
    let page = request(r, "POST", TOKO, "/panel/join", "", Some(&form)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    assert_eq!(page.location, "/panel/join/status");
    let applicant = cookie_of(&page);

    // Signed in at once; the status page says what is missing.
    let status = request(r, "GET", TOKO, "/panel/join/status", &applicant, None).await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.html);
    assert!(norm(&status.html).contains("data-verified=\"false\""));
    assert!(
        norm(&status.html).contains("<strong id=\"amount\">IDR 2,000,000</strong>"),
        "{}",
        status.html
    );
    assert!(norm(&status.html).contains("000 111 2222"));
    assert!(norm(&status.html).contains("<strong id=\"reference\">REG-"));

    // The confirmation mail's link confirms the address.
    let mail = mail_to(&shop, "budi@tokobaru.example");
    let at = mail.find("verify=").expect("a link") + 7;
    let token: String = mail[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    let (code, _) = api_json(
        r,
        "POST",
        TOKO,
        "/api/accounts/verify",
        "",
        json!({"token": token}),
        &[],
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    let status = request(r, "GET", TOKO, "/panel/join/status", &applicant, None).await;
    assert!(norm(&status.html).contains("data-verified=\"true\""));

    // Documents: not a PDF is refused; both sent.
    let page = upload(&shop, &applicant, "ktp", b"<html>hi</html>").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A scan over the item's 2 MB (and over the web's usual 2 MB body):
    // the item's own limit answers, in words, beside the item.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(2_500_000, b' ');
    big.extend_from_slice(b"\n%%EOF\n");
    let page = upload(&shop, &applicant, "ktp", &big).await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.html
    );
    assert_eq!(
        page.text("problem"),
        "Kartu Tanda Penduduk (KTP): ukuran berkas lebih dari 2048 KB. Kirim berkas yang lebih kecil."
    );
    for item in ["ktp", "npwp"] {
        let page = upload(&shop, &applicant, item, PDF).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{item}: {}", page.html);
    }

    // The operator (toko's owner) sees it pending.
    let ops = sign_in(r, TOKO, "owner@toko.localhost").await;
    let list = request(r, "GET", TOKO, "/panel/platform/resellers", &ops, None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    let pending = &list.html
        [list.html.find("id=\"pending\"").unwrap()..list.html.find("id=\"approved\"").unwrap()];
    assert!(pending.contains(">tokobaru</a>"), "{pending}");
    let id = {
        let at = pending.find("data-id=\"").unwrap() + 9;
        pending[at..at + 32].to_string()
    };
    let review = |item: &'static str,
                  version: &'static str,
                  decision: &'static str,
                  reason: &'static str| {
        let id = id.clone();
        let ops = ops.clone();
        async move {
            request(
                r,
                "POST",
                TOKO,
                "/panel/platform/resellers/review",
                &ops,
                Some(&[
                    ("id", &id),
                    ("item", item),
                    ("version", version),
                    ("decision", decision),
                    ("reason", reason),
                ]),
            )
            .await
        }
    };
    // Approving too early: the documents first.
    let early = approve(r, &ops, &id).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert!(norm(&early.html).contains("Approve every document first."));

    let page = review("npwp", "1", "reject", "The scan is unreadable.").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let status = request(r, "GET", TOKO, "/panel/join/status", &applicant, None).await;
    assert!(
        norm(&status.html).contains("<td class=\"reason\">The scan is unreadable.</td>"),
        "{}",
        status.html
    );
    assert_eq!(
        upload(&shop, &applicant, "npwp", PDF).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        review("npwp", "2", "approve", "").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        review("ktp", "1", "approve", "").await.status,
        StatusCode::SEE_OTHER
    );

    let no_deposit = approve(r, &ops, &id).await;
    assert_eq!(no_deposit.status, StatusCode::CONFLICT);
    assert!(norm(&no_deposit.html).contains("Record the initial deposit first."));
    let short = request(
        r,
        "POST",
        TOKO,
        "/panel/platform/resellers/deposit",
        &ops,
        Some(&[
            ("id", &id),
            ("amount", "1500000"),
            ("reference", "BCA 0412"),
        ]),
    )
    .await;
    assert_eq!(short.status, StatusCode::SEE_OTHER);
    let page = approve(r, &ops, &id).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        norm(&page.html).contains(
            "The deposit recorded, IDR 1,500,000, is less than the plan asks, IDR 2,000,000."
        ),
        "{}",
        page.html
    );
    let full = request(
        r,
        "POST",
        TOKO,
        "/panel/platform/resellers/deposit",
        &ops,
        Some(&[
            ("id", &id),
            ("amount", "2,000,000"),
            ("reference", "BCA 0412"),
        ]),
    )
    .await;
    assert_eq!(full.status, StatusCode::SEE_OTHER);

    let page = approve(r, &ops, &id).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);

    // It answers at once on its host.
    let snapshot = storefront_functions::catalog::current(shop.store.as_ref(), "tokobaru")
        .await
        .expect("store")
        .expect("published");
    assert_eq!(snapshot.name, "PT Toko Baru");
    assert_eq!(snapshot.parent.id, None);
    // Its owner signs in with the password it chose when it applied.
    let body = json!({"email": "budi@tokobaru.example", "password": APPLICANT_PASSWORD});
    let (code, me) = api_json(
        r,
        "POST",
        "tokobaru.localhost",
        "/api/accounts/signin",
        "",
        body,
        &[],
    )
    .await;
    assert_eq!(code, StatusCode::OK, "{me}");
    assert_eq!(me["role"], "owner");
    // Its wallet with the platform holds exactly the deposit.
    let wallet = shop
        .orders
        .ledger
        .wallet(&Party::reseller("tokobaru"))
        .await
        .expect("store")
        .expect("a wallet");
    assert_eq!(wallet.balance.available(), Decimal::from(2_000_000));
    let mail = mail_to(&shop, "budi@tokobaru.example");
    assert!(
        mail.contains("your storefront is open: http://tokobaru.localhost"),
        "{mail}"
    );

    // Twice: refused, and nothing credited again.
    let again = approve(r, &ops, &id).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(norm(&again.html).contains("This application is already approved."));
    let wallet = shop
        .orders
        .ledger
        .wallet(&Party::reseller("tokobaru"))
        .await
        .expect("store")
        .expect("a wallet");
    assert_eq!(wallet.balance.available(), Decimal::from(2_000_000));
    let status = request(r, "GET", TOKO, "/panel/join/status", &applicant, None).await;
    assert!(norm(&status.html).contains("data-state=\"approved\""));
}

#[tokio::test]
async fn only_operators_open_the_console() {
    let shop = platform_shop().await;
    let r = &shop.router;
    let form = company_form(
        "budi@tokobaru.example",
        "0812-3456-7890",
        "01.312.166.0-091.000",
        "idr",
    );
    let page = request(r, "POST", TOKO, "/panel/join", "", Some(&form)).await;
    let applicant = cookie_of(&page);
    // agen's owner (the fixture's).
    let agen = sign_in(r, "agen.localhost", "owner@agen.localhost").await;
    for (method, path) in [
        ("GET", "/panel/platform/resellers"),
        ("GET", "/panel/platform/resellers/view?id=x"),
        ("POST", "/panel/platform/resellers/review"),
        ("POST", "/panel/platform/resellers/deposit"),
        ("POST", "/panel/platform/resellers/approve"),
        ("POST", "/panel/platform/resellers/reject"),
        ("GET", "/panel/platform/resellers/file?id=x&item=ktp&v=1"),
    ] {
        let form: &[(&str, &str)] = &[("id", "x")];
        let body = (method == "POST").then_some(form);
        // A customer of the platform's storefront (the applicant is one).
        let page = request(r, method, TOKO, path, &applicant, body).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "applicant {path}");
        // The owner of another storefront, on its own host.
        let page = request(r, method, "agen.localhost", path, &agen, body).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "agen {path}");
    }
}

/// A person applies: no company, and the catalogue asks a person only for
/// the KTP; company fields sent anyway are not kept.
#[tokio::test]
async fn a_person_applies_with_an_identity_card_only() {
    let shop = platform_shop().await;
    let r = &shop.router;
    let form = vec![
        ("kind", "personal"),
        ("name", "Sari Dewi"),
        ("email", "sari@perorangan.example"),
        ("mobile", "+62 813 2222 3333"),
        ("password", APPLICANT_PASSWORD),
        ("language", "en"),
        ("id", "sari-domain"),
        ("company_name", ""),
        ("npwp", ""),
        ("plan", "idr"),
    ];
    let page = request(r, "POST", TOKO, "/panel/join", "", Some(&form)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let applicant = cookie_of(&page);
    let status = request(r, "GET", TOKO, "/panel/join/status", &applicant, None).await;
    assert_eq!(status.status, StatusCode::OK, "{}", status.html);
    let items: Vec<&str> = status
        .html
        .split("data-item=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').expect("quote")])
        .collect();
    assert_eq!(items, ["ktp"]);
    assert!(
        norm(&status.html).contains("<strong id=\"amount\">IDR 2,000,000</strong>"),
        "{}",
        status.html
    );
}
