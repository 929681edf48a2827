//! The invoices a storefront issued, as its staff and its customer see
//! them: the customer's postal address on the account and on the document,
//! the list in the back office (paged), each as HTML or PDF, sent again by
//! mail; a Polish storefront's copy marked DUPLIKAT (art. 106l).

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use storefront_core::ledger::Party;

const AGEN: &str = "agen.localhost";

/// Every mail in `dir` to `to`: its subject line and its body, with
/// quoted-printable undone.
fn mails_to(dir: &std::path::Path, to: &str) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|x| x == "eml"));
    files.sort();
    files
        .iter()
        .filter_map(|p| {
            let eml = std::fs::read_to_string(p).ok()?;
            let (head, body) = eml.split_once("\r\n\r\n")?;
            let head = head.replace("\r\n ", " ");
            head.lines().any(|l| l == format!("To: {to}")).then(|| {
                let subject = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Subject: "))
                    .unwrap_or_default()
                    .to_string();
                (subject, unquote(body))
            })
        })
        .collect()
}

fn unquote(qp: &str) -> String {
    let b = qp.replace("=\r\n", "").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 3 <= b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("=XX"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8")
}

/// Standard base64, as an encoded word carries it.
fn unbase64(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = A.iter().position(|a| *a == c).expect("base64") as u32;
        bits = bits << 6 | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}

/// `=?utf-8?b?...?=` words of a header as text.
fn words(h: &str) -> String {
    h.split(' ')
        .map(|w| {
            match w
                .strip_prefix("=?utf-8?b?")
                .and_then(|w| w.strip_suffix("?="))
            {
                Some(b) => String::from_utf8(unbase64(b)).expect("utf-8"),
                None => format!(" {w} "),
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn a_polish_storefront_lists_what_it_issued_and_sends_a_duplicate() {
    // agen speaks Polish: its copies are duplicates.
    let shop = shop_with(|p| {
        let site = p.join("content/resellers/agen/site.toml");
        let text = std::fs::read_to_string(&site).expect("agen");
        std::fs::write(
            &site,
            text.replace("languages = [\"en\"]", "languages = [\"pl\"]"),
        )
        .expect("written");
    })
    .await;
    let r = &shop.router;
    storefront_functions::accounts::create_demo_customer(
        shop.store.as_ref(),
        "agen",
        "jan@agen.localhost",
        "back-office-test-2026",
        &storefront_functions::accounts::AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("customer");
    let customer = sign_in(r, AGEN, "jan@agen.localhost").await;

    // The customer gives a postal address on the account page's API.
    let (status, bad) = api_json(
        r,
        "PATCH",
        AGEN,
        "/api/accounts/me",
        &customer,
        json!({"address": ["1", "2", "3", "4", "5"]}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    assert_eq!(bad["field"], "address");
    assert_eq!(bad["message"], "Wpisz najwyżej 4 wiersze.");
    let (status, bad) = api_json(
        r,
        "PATCH",
        AGEN,
        "/api/accounts/me",
        &customer,
        json!({"address": ["ul. Źródlana 5\r\nBCC: x"]}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    assert_eq!(bad["field"], "address");
    let (status, me) = api_json(
        r,
        "PATCH",
        AGEN,
        "/api/accounts/me",
        &customer,
        json!({"name": "Jan Kowalski", "address": [" ul. Źródlana 5 ", "", "00-950 Warszawa"]}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["address"], json!(["ul. Źródlana 5", "00-950 Warszawa"]));
    let (_, me) = api_json(
        r,
        "GET",
        AGEN,
        "/api/accounts/me",
        &customer,
        json!(null),
        &[],
    )
    .await;
    assert_eq!(me["address"], json!(["ul. Źródlana 5", "00-950 Warszawa"]));

    // An order by bank transfer: its proforma, issued by agen to Jan.
    let items = json!({"items": [{"domain": "kowalski.co.id", "action": "register", "years": 1}]});
    let (status, quote) =
        api_json(r, "POST", AGEN, "/api/orders/quote", &customer, items, &[]).await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let (status, placed) = api_json(
        r,
        "POST",
        AGEN,
        "/api/orders",
        &customer,
        json!({"quote": quote["id"], "payment": "bank_transfer"}),
        &[("idempotency-key", "jan-1")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let number = placed["proforma"].as_str().expect("a proforma").to_string();
    let total = placed["gross"]["display"]
        .as_str()
        .expect("gross")
        .to_string();

    // The customer's own copy is the original, with the address.
    let mine = request(
        r,
        "GET",
        AGEN,
        &format!("/api/invoices/{}", enc(&number)),
        &customer,
        None,
    )
    .await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.html.contains("ul. Źródlana 5"), "{}", mine.html);
    assert!(mine.html.contains("00-950 Warszawa"));
    assert!(!mine.html.contains("DUPLIKAT"));

    // agen's owner sees it among the invoices agen issued.
    let owner = sign_in(r, AGEN, "owner@agen.localhost").await;
    let page = request_in("pl", r, "GET", AGEN, "/panel/invoices", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.text("issued-heading"),
        "Faktury wystawione przez Ciebie"
    );
    let issued = storefront_functions::invoices::load(
        shop.store.as_ref(),
        &Party::reseller("agen"),
        &number,
    )
    .await
    .expect("read")
    .expect("stored")
    .invoice
    .issued;
    assert_eq!(
        page.text("issued"),
        format!(
            "Faktura Rodzaj Data Nabywca Razem {number} Proforma {issued} Jan Kowalski {} Pokaż · PDF Wyślij ponownie",
            total.replace('\u{a0}', " ")
        )
    );
    // Staff see the address with the order.
    let order = request_in(
        "pl",
        r,
        "GET",
        AGEN,
        &format!(
            "/panel/orders/view?id={}",
            placed["id"].as_str().expect("id")
        ),
        &owner,
        None,
    )
    .await;
    assert_eq!(
        order.text("order-address"),
        "ul. Źródlana 5, 00-950 Warszawa"
    );
    // Viewed or downloaded from the back office: a duplicate, dated today.
    let link = format!("/api/panel/invoices/{}?issued=true", enc(&number));
    let copy = request(r, "GET", AGEN, &link, &owner, None).await;
    assert_eq!(copy.status, StatusCode::OK);
    assert!(
        copy.html.contains("<p class=\"number mark\">DUPLIKAT</p>"),
        "{}",
        copy.html
    );
    assert!(copy.html.contains("Data wystawienia duplikatu"));
    assert!(copy.html.contains("ul. Źródlana 5"));
    let pdf = request(r, "GET", AGEN, &format!("{link}&format=pdf"), &owner, None).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    // Another storefront's owner is told it does not exist.
    let toko = sign_in(r, TOKO, "owner@toko.localhost").await;
    let other = request(r, "GET", TOKO, &link, &toko, None).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // Sent again: a mail to Jan, in Polish, marked as a duplicate.
    let before = mails_to(&shop.mail, "jan@agen.localhost").len();
    let sent = request_in(
        "pl",
        r,
        "POST",
        AGEN,
        "/panel/invoices/send",
        &owner,
        Some(&[("number", &number)]),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    assert_eq!(sent.location, "/panel/invoices?done=sent");
    let after = request_in("pl", r, "GET", AGEN, &sent.location, &owner, None).await;
    assert_eq!(after.text("notice"), "Wysłano ponownie do nabywcy.");
    let mails = mails_to(&shop.mail, "jan@agen.localhost");
    assert_eq!(mails.len(), before + 1);
    let (subject, body) = mails.last().expect("the copy");
    assert_eq!(
        words(subject),
        format!("Faktura proforma {number} (duplikat)")
    );
    assert_eq!(
        body.trim_end(),
        format!(
            "Faktura proforma {number} na kwotę {total} jest w Twoim koncie, w zakładce Faktury, do pobrania jako PDF."
        )
    );
    // A number agen never issued: not found.
    let none = request(
        r,
        "POST",
        AGEN,
        "/panel/invoices/send",
        &owner,
        Some(&[("number", "PRO/2026/999999")]),
    )
    .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    // One audit entry for the copy sent, none for the number not found.
    let filter = storefront_functions::audit::Filter {
        what: Some("invoice.".into()),
        ..Default::default()
    };
    let log = storefront_functions::audit::list(shop.store.as_ref(), "agen", &filter, None, 50)
        .await
        .expect("the log");
    let seen: Vec<(&str, &str, &serde_json::Value, &serde_json::Value)> = log
        .entries
        .iter()
        .map(|e| (e.action.as_str(), e.subject.as_str(), &e.before, &e.after))
        .collect();
    let subject = format!("invoice:{number}");
    assert_eq!(
        seen,
        [(
            "invoice.send",
            subject.as_str(),
            &serde_json::Value::Null,
            &serde_json::json!({"sent": "again"})
        )]
    );
}

#[tokio::test]
async fn issued_invoices_page_in_the_order_issued_and_an_indonesian_copy_is_no_duplicate() {
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let mut numbers = Vec::new();
    for (i, name) in ["satu-a", "dua-b", "tiga-c"].iter().enumerate() {
        let items = json!({"items": [{"domain": format!("{name}.co.id"), "action": "register", "years": 1}]});
        let (_, quote) =
            api_json(r, "POST", TOKO, "/api/orders/quote", &customer, items, &[]).await;
        let (status, placed) = api_json(
            r,
            "POST",
            TOKO,
            "/api/orders",
            &customer,
            json!({"quote": quote["id"], "payment": "bank_transfer"}),
            &[("idempotency-key", &format!("k{i}"))],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{placed}");
        numbers.push(placed["proforma"].as_str().expect("proforma").to_string());
    }
    // Two a page, in the order issued: the first two, then the third, then
    // no further page.
    let seller = Party::reseller("toko");
    let (page, next) =
        storefront_functions::invoices::issued(shop.store.as_ref(), &seller, None, 2)
            .await
            .expect("page");
    let got: Vec<&str> = page.iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert_eq!(got, [numbers[0].as_str(), numbers[1].as_str()]);
    let (page, last) =
        storefront_functions::invoices::issued(shop.store.as_ref(), &seller, next.as_deref(), 2)
            .await
            .expect("page");
    let got: Vec<&str> = page.iter().map(|i| i["number"].as_str().unwrap()).collect();
    assert_eq!(got, [numbers[2].as_str()]);
    assert_eq!(last, None);

    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/invoices", &owner, None).await;
    assert_eq!(page.text("issued-heading"), "Invoices you issued");
    assert!(page.text("issued").contains(&numbers[0]));
    assert!(page.text("issued-next").is_empty(), "one page");
    let copy = request(
        r,
        "GET",
        TOKO,
        &format!("/api/panel/invoices/{}?issued=true", enc(&numbers[0])),
        &owner,
        None,
    )
    .await;
    assert_eq!(copy.status, StatusCode::OK);
    assert!(!copy.html.contains("DUPLIKAT"), "not a Polish storefront");
}
