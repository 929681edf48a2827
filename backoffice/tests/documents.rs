//! The registrant's documents, end to end in process: on a storefront that
//! waits for documents before registering `.co.id`, a customer's paid order
//! waits; the customer sends the items (a file judged by its bytes, a
//! choice); the owner rejects one with a reason the customer reads, the
//! customer sends it again, the owner approves every item and the name is
//! registered, the wallet charged exactly once.

mod common;

use axum::http::StatusCode;
use common::*;
use rust_decimal::Decimal;
use serde_json::json;
use storefront_core::ledger::Party;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

#[tokio::test]
async fn a_co_id_order_waits_for_its_documents_and_registers_once_they_are_approved() {
    let shop = shop().await;
    co_id_waits_for_documents(&shop).await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (_, me) = api(r, "GET", TOKO, "/api/accounts/me", &customer, None, &[]).await;
    let account = me["id"].as_str().expect("account id").to_string();
    credit(&shop, &account, 1_000_000).await;

    let items = json!({"items": [{"domain": "dokumen.co.id", "action": "register", "years": 1}]});
    let (_, quote) = api_json(r, "POST", TOKO, "/api/orders/quote", &customer, items, &[]).await;
    let (status, order) = api_json(
        r,
        "POST",
        TOKO,
        "/api/orders",
        &customer,
        json!({"quote": quote["id"], "payment": "wallet"}),
        &[("idempotency-key", "docs-1")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["lines"][0]["status"], "awaiting_documents");
    let id = order["id"].as_str().expect("id").to_string();
    let line = order["lines"][0]["id"].as_str().expect("line").to_string();
    let gross: Decimal = order["gross"]["amount"].as_str().unwrap().parse().unwrap();
    let (_, w) = api(r, "GET", TOKO, "/api/wallet", &customer, None, &[]).await;
    assert_eq!(w["held"]["amount"], gross.to_string(), "held, not taken");

    // What the line asks, in the customer's language.
    let docs = format!("/api/orders/{id}/documents");
    let (status, sets) = api(
        r,
        "GET",
        TOKO,
        &docs,
        &customer,
        None,
        &[("accept-language", "id")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sets}");
    assert_eq!(sets[0]["items"][0]["id"], "ktp");
    assert_eq!(sets[0]["items"][0]["state"], "missing");
    assert_eq!(
        sets[0]["items"][1]["options"],
        json!(["Perorangan", "Perusahaan"])
    );

    // An HTML page named .pdf is refused by its bytes; nothing is kept.
    let put = |item: &str| format!("/api/orders/{id}/documents/{line}/{item}?name=ktp.pdf");
    let (status, e) = api(
        r,
        "PUT",
        TOKO,
        &put("ktp"),
        &customer,
        Some((
            "application/pdf",
            b"<html><script>alert(1)</script></html>".to_vec(),
        )),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{e}");
    assert_eq!(e["field"], "ktp");
    let (status, set) = api(
        r,
        "PUT",
        TOKO,
        &put("ktp"),
        &customer,
        Some(("application/pdf", PDF.to_vec())),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["items"][0]["state"], "submitted");
    let (status, set) = api_json(
        r,
        "PUT",
        TOKO,
        &put("type"),
        &customer,
        json!({"choice": "Company"}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["waiting"], 2);

    // Nobody else reaches the set: another customer (404), a visitor (401
    // signed out), another storefront's staff (404). The file's link is
    // `a_document_is_read_through_its_own_short_lived_link_only`'s.
    storefront_functions::accounts::create_demo_customer(
        shop.store.as_ref(),
        "toko",
        "other@toko.localhost",
        "back-office-test-2026",
        &storefront_functions::accounts::AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("another customer");
    let other = sign_in(r, TOKO, "other@toko.localhost").await;
    let (status, _) = api(r, "GET", TOKO, &docs, &other, None, &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another customer");
    let (status, _) = api(r, "GET", TOKO, &docs, "", None, &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a visitor");
    let (status, _) = api(
        r,
        "PUT",
        TOKO,
        &put("ktp"),
        &other,
        Some(("application/pdf", PDF.to_vec())),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another customer's upload");
    // The customer's link gives back what was sent.
    let link = set["items"][0]["link"]
        .as_str()
        .expect("a link")
        .to_string();
    let f = request(r, "GET", TOKO, &link, &customer, None).await;
    assert_eq!(f.status, StatusCode::OK, "its customer reads it");
    assert_eq!(f.html.as_bytes(), PDF);
    // Another storefront's owner finds nothing.
    let agen = sign_in(r, "agen.localhost", "owner@agen.localhost").await;
    let review = format!("/panel/documents/review?order={id}&line={line}");
    let page = request(r, "GET", "agen.localhost", &review, &agen, None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // The owner rejects the KTP with a reason.
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let home = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(
        home.text("waiting-documents"),
        "Orders with documents to review: 1"
    );
    let list = request(r, "GET", TOKO, "/panel/documents", &owner, None).await;
    assert_eq!(
        list.text(&format!("waiting-{line}")),
        format!("dokumen.co.id {id} 2")
    );
    let page = request(r, "GET", TOKO, &review, &owner, None).await;
    assert!(
        page.text("item-ktp")
            .starts_with("Identity card (KTP) Waiting for review Version 1: ktp.pdf"),
        "{}",
        page.text("item-ktp")
    );
    // The file opens for its reviewer as sent, through the page's link.
    let file = page.href_in("item-ktp");
    let f = request(r, "GET", TOKO, &file, &owner, None).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.html.as_bytes(), PDF);
    assert_eq!(f.headers["content-type"], "application/pdf");
    let decide = |item: &'static str, v: &'static str, d: &'static str, why: &'static str| {
        [
            ("order", id.clone()),
            ("line", line.clone()),
            ("item", item.to_string()),
            ("version", v.to_string()),
            ("decision", d.to_string()),
            ("reason", why.to_string()),
        ]
    };
    let form = |f: &[(&'static str, String); 6]| {
        f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
    };
    let bare = form(&decide("ktp", "1", "reject", ""));
    let bare: Vec<(&str, &str)> = bare.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = request(
        r,
        "POST",
        TOKO,
        "/panel/documents/review",
        &owner,
        Some(&bare),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.text("problem"),
        "Say why (up to 500 characters): the customer will read it."
    );
    let no = form(&decide(
        "ktp",
        "1",
        "reject",
        "The photo is blurred: send a sharper scan.",
    ));
    let no: Vec<(&str, &str)> = no.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let rejected = request(
        r,
        "POST",
        TOKO,
        "/panel/documents/review",
        &owner,
        Some(&no),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.html);

    // The customer is mailed why, in their language, and reads it on the
    // account page too.
    let mails: Vec<String> = std::fs::read_dir(&shop.mail)
        .expect("the outbox")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter(|m| m.contains("dokumen.co.id"))
        .collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].contains("Kartu Tanda Penduduk (KTP) untuk dokumen.co.id tidak dapat kami terima")
            && mails[0].contains("The photo is blurred: send a sharper scan."),
        "{}",
        mails[0]
    );
    // The customer reads why, and sends a new version.
    let (_, sets) = api(r, "GET", TOKO, &docs, &customer, None, &[]).await;
    assert_eq!(sets[0]["items"][0]["state"], "rejected");
    assert_eq!(
        sets[0]["items"][0]["reason"],
        "The photo is blurred: send a sharper scan."
    );
    let mut second = PDF.to_vec();
    second.extend_from_slice(b"% sharper\n%%EOF\n");
    let (status, set) = api(
        r,
        "PUT",
        TOKO,
        &put("ktp"),
        &customer,
        Some(("application/pdf", second)),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["items"][0]["version"], 2);

    // Approving an old version is refused; the new one and the choice pass.
    let old = form(&decide("ktp", "1", "approve", ""));
    let old: Vec<(&str, &str)> = old.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let stale = request(
        r,
        "POST",
        TOKO,
        "/panel/documents/review",
        &owner,
        Some(&old),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.html);
    for (item, v) in [("ktp", "2"), ("type", "1")] {
        let yes = form(&decide(item, v, "approve", ""));
        let yes: Vec<(&str, &str)> = yes.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let ok = request(
            r,
            "POST",
            TOKO,
            "/panel/documents/review",
            &owner,
            Some(&yes),
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{item}: {}", ok.html);
    }
    let page = request(r, "GET", TOKO, &review, &owner, None).await;
    assert_eq!(page.text("line-state"), "Active");
    let list = request(r, "GET", TOKO, "/panel/documents", &owner, None).await;
    assert_eq!(list.text("empty"), "No documents wait for your review.");

    // Each decision is one audit entry with its before and after: the
    // rejection with its reason, then the two approvals; the refused ones
    // (no reason, a stale version) none.
    let filter = storefront_functions::audit::Filter {
        what: Some("document.".into()),
        ..Default::default()
    };
    let log = storefront_functions::audit::list(shop.store.as_ref(), "toko", &filter, None, 50)
        .await
        .expect("the log");
    let seen: Vec<(String, String, serde_json::Value, serde_json::Value)> = log
        .entries
        .iter()
        .map(|e| {
            (
                e.action.clone(),
                e.subject.clone(),
                e.before.clone(),
                e.after.clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "document.reject".to_string(),
                format!("order:{id}/{line}/ktp"),
                json!({"version": 1, "state": "submitted"}),
                json!({"version": 1, "state": "rejected", "reason": "The photo is blurred: send a sharper scan."}),
            ),
            (
                "document.approve".to_string(),
                format!("order:{id}/{line}/ktp"),
                json!({"version": 2, "state": "submitted"}),
                json!({"version": 2, "state": "approved", "reason": null}),
            ),
            (
                "document.approve".to_string(),
                format!("order:{id}/{line}/type"),
                json!({"version": 1, "state": "submitted"}),
                json!({"version": 1, "state": "approved", "reason": null}),
            ),
        ]
    );

    // Registered, and paid exactly once.
    let (_, o) = api(
        r,
        "GET",
        TOKO,
        &format!("/api/orders/{id}"),
        &customer,
        None,
        &[],
    )
    .await;
    assert_eq!(o["lines"][0]["status"], "active");
    let (_, w) = api(r, "GET", TOKO, "/api/wallet", &customer, None, &[]).await;
    assert_eq!(w["held"]["amount"], "0");
    let left: Decimal = w["available"]["amount"].as_str().unwrap().parse().unwrap();
    assert_eq!(left, Decimal::from(1_000_000) - gross);
    // A document cannot change once approved.
    let (status, _) = api(
        r,
        "PUT",
        TOKO,
        &put("ktp"),
        &customer,
        Some(("application/pdf", PDF.to_vec())),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

/// A customer's `.co.id` order paid from the wallet on toko, waiting for
/// its documents: (order id, the order's gross).
async fn waiting_order(shop: &Shop, customer: &str, name: &str, key: &str) -> (String, Decimal) {
    let r = &shop.router;
    let items = json!({"items": [{"domain": name, "action": "register", "years": 1}]});
    let (_, quote) = api_json(r, "POST", TOKO, "/api/orders/quote", customer, items, &[]).await;
    let (status, order) = api_json(
        r,
        "POST",
        TOKO,
        "/api/orders",
        customer,
        json!({"quote": quote["id"], "payment": "wallet"}),
        &[("idempotency-key", key)],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["lines"][0]["status"], "awaiting_documents");
    let gross = order["gross"]["amount"].as_str().unwrap().parse().unwrap();
    (order["id"].as_str().unwrap().to_string(), gross)
}

// Ordered in a UTC morning and in a UTC evening, when Jakarta's day is
// already UTC's next: reminders and the lapse follow the storefront's day.
#[tokio::test]
async fn documents_that_never_come_lapse_the_line_and_release_its_holds_once() {
    lapse_at_utc_hour(3).await;
}

#[tokio::test]
async fn ordered_in_a_utc_evening_the_documents_lapse_on_jakartas_days() {
    lapse_at_utc_hour(20).await;
}

async fn lapse_at_utc_hour(hour: u32) {
    let shop = shop().await;
    shop.clock.to_utc_hour(hour);
    co_id_waits_for_documents(&shop).await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (_, me) = api(r, "GET", TOKO, "/api/accounts/me", &customer, None, &[]).await;
    let account = me["id"].as_str().expect("account id").to_string();
    credit(&shop, &account, 1_000_000).await;
    let (id, gross) = waiting_order(&shop, &customer, "terlambat.co.id", "late-1").await;
    let (_, w) = api(r, "GET", TOKO, "/api/wallet", &customer, None, &[]).await;
    assert_eq!(w["held"]["amount"], gross.to_string());
    let toko = shop
        .orders
        .ledger
        .wallet(&Party::reseller("toko"))
        .await
        .unwrap()
        .unwrap();
    // toko's own price is held too: 240,000 and PPN 11 %.
    assert_eq!(toko.balance.held, Decimal::from(266_400));

    // Thirty days are given: a reminder a week before the last day, once
    // however many ticks, and one on the last day, when nothing lapses yet.
    shop.clock.advance(chrono::Duration::days(23));
    let tick = || storefront_functions::scheduler::tick(&shop.orders);
    assert_eq!(tick().await.unwrap().documents_reminded, 1);
    assert_eq!(tick().await.unwrap().documents_reminded, 0);
    shop.clock.advance(chrono::Duration::days(7));
    let r30 = tick().await.unwrap();
    assert_eq!((r30.documents_lapsed, r30.documents_reminded), (0, 1));
    let reminders: Vec<String> = std::fs::read_dir(&shop.mail)
        .expect("the outbox")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter(|m| m.contains("terlambat.co.id"))
        .collect();
    assert_eq!(reminders.len(), 2, "{reminders:?}");
    assert!(
        reminders
            .iter()
            .all(|m| m.contains("Subject: Dokumen untuk terlambat.co.id ditunggu sampai ")),
        "in the customer's language: {reminders:?}"
    );
    // The day after, two schedulers at once lapse the line once.
    shop.clock.advance(chrono::Duration::days(1));
    let (a, b) = tokio::join!(
        storefront_functions::scheduler::tick(&shop.orders),
        storefront_functions::scheduler::tick(&shop.orders)
    );
    assert_eq!(a.unwrap().documents_lapsed + b.unwrap().documents_lapsed, 1);
    let again = storefront_functions::scheduler::tick(&shop.orders)
        .await
        .unwrap();
    assert_eq!(again.documents_lapsed, 0);

    let (_, o) = api(
        r,
        "GET",
        TOKO,
        &format!("/api/orders/{id}"),
        &customer,
        None,
        &[],
    )
    .await;
    assert_eq!(o["lines"][0]["status"], "lapsed");
    let (_, w) = api(r, "GET", TOKO, "/api/wallet", &customer, None, &[]).await;
    assert_eq!(w["held"]["amount"], "0");
    assert_eq!(w["available"]["amount"], "1000000", "every rupiah back");
    let after = shop
        .orders
        .ledger
        .wallet(&Party::reseller("toko"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        after.balance.held,
        Decimal::ZERO,
        "toko's hold released too"
    );
    assert_eq!(
        after.balance.posted, toko.balance.posted,
        "and nothing taken"
    );
}

/// `.co.id` on toko asks for a text item too (the fixture catalogue has
/// none): toko's published snapshot, with one more item, published again.
async fn co_id_asks_for_a_tax_number(shop: &Shop) {
    let store = shop.store.as_ref();
    let mut s = storefront_functions::catalog::current(store, "toko")
        .await
        .expect("read")
        .expect("toko is published");
    s.document_items.insert(
        "npwp".into(),
        storefront_core::catalogue::DocumentItem {
            label: storefront_core::catalogue::Translated {
                en: "Tax number (NPWP)".into(),
                id: Some("NPWP".into()),
                pl: None,
            },
            help: None,
            kind: storefront_core::catalogue::DocumentKind::Text,
            accept: vec![],
            max_size_kb: None,
            options: vec![],
            max_length: Some(16),
        },
    );
    s.documents
        .get_mut("co.id")
        .expect("co.id asks for documents")
        .push("npwp".into());
    s.version = format!("{}-npwp", s.version);
    storefront_functions::catalog::publish(store, &[s], |_| vec!["toko.localhost".into()])
        .await
        .expect("publish");
}

/// Every item of the order's first line as its customer reads it: (item,
/// state, version, what it holds).
async fn versions(shop: &Shop, customer: &str, id: &str) -> Vec<serde_json::Value> {
    let docs = format!("/api/orders/{id}/documents");
    let (status, sets) = api(&shop.router, "GET", TOKO, &docs, customer, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{sets}");
    sets[0]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| json!([i["id"], i["state"], i["version"], i["holds"]]))
        .collect()
}

fn refused(code: &str, what: &str, item: &str, label: &str) -> serde_json::Value {
    json!({"error": code, "message": format!("{label}: {what}"), "field": item})
}

/// The hostile-upload corpus through the embedded server, each case with
/// its exact status and message, the stored versions unchanged (the same
/// corpus runs through Lambda events in lambda/tests/documents.rs).
#[tokio::test]
async fn the_hostile_upload_corpus_is_refused_and_nothing_stored_changes() {
    let shop = shop().await;
    co_id_asks_for_a_tax_number(&shop).await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (_, me) = api(r, "GET", TOKO, "/api/accounts/me", &customer, None, &[]).await;
    credit(&shop, me["id"].as_str().expect("account id"), 1_000_000).await;
    let items = json!({"items": [{"domain": "berkas.co.id", "action": "register", "years": 1}]});
    let (_, quote) = api_json(r, "POST", TOKO, "/api/orders/quote", &customer, items, &[]).await;
    let (status, order) = api_json(
        r,
        "POST",
        TOKO,
        "/api/orders",
        &customer,
        json!({"quote": quote["id"], "payment": "wallet"}),
        &[("idempotency-key", "hostile-1")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let id = order["id"].as_str().expect("id").to_string();
    let line = order["lines"][0]["id"].as_str().expect("line").to_string();
    let item = |item: &str| format!("/api/orders/{id}/documents/{line}/{item}");
    let file = |name: &str| format!("{}?name={name}", item("ktp"));
    // One good version of each item first.
    let (status, v) = api(
        r,
        "PUT",
        TOKO,
        &file("ktp.pdf"),
        &customer,
        Some(("application/pdf", PDF.to_vec())),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    for (id, body) in [
        ("type", json!({"choice": "0"})),
        ("npwp", json!({"text": "0123456789"})),
    ] {
        let (status, v) = api_json(r, "PUT", TOKO, &item(id), &customer, body, &[]).await;
        assert_eq!(status, StatusCode::OK, "{id}: {v}");
    }
    let before = versions(&shop, &customer, &id).await;
    assert_eq!(before.len(), 3, "{before:?}");

    storefront_functions::accounts::create_demo_customer(
        shop.store.as_ref(),
        "toko",
        "other@toko.localhost",
        "back-office-test-2026",
        &storefront_functions::accounts::AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("another customer");
    let other = sign_in(r, TOKO, "other@toko.localhost").await;

    let mut oversize = PDF.to_vec();
    oversize.resize(2048 * 1024 + 1, b' ');
    let mut polyglot = b"%PDF-1.4\n<html><script>fetch('/api/wallet')</script></html>\n".to_vec();
    polyglot.extend_from_slice(b"%%EOF\n");
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
        .to_vec();
    const KTP: &str = "Identity card (KTP)";
    let not_what = "this file is not a valid PDF, JPG or PNG. Save or scan the document again in one of these formats and send the new file.";
    let bad_name = "the file's name can't be used. Rename the file without slashes or special characters and send it again.";
    let not_found = json!({"error": "not_found", "message": "Nothing here."});
    let pdf = |b: &[u8]| Some(("application/pdf", b.to_vec()));
    let as_json = |v: serde_json::Value| Some(("application/json", v.to_string().into_bytes()));
    let never = format!(
        "{}/uploads/0123456789abcdef0123456789abcdef/complete",
        item("ktp")
    );
    type Body = Option<(&'static str, Vec<u8>)>;
    let cases: Vec<(
        &str,
        &str,
        &str,
        String,
        Body,
        StatusCode,
        serde_json::Value,
    )> = vec![
        (
            "oversize",
            &customer,
            "PUT",
            file("ktp.pdf"),
            pdf(&oversize),
            StatusCode::PAYLOAD_TOO_LARGE,
            refused(
                "too_large",
                "the file is larger than 2048 KB. Send a smaller file.",
                "ktp",
                KTP,
            ),
        ),
        (
            "a type not accepted (a PNG)",
            &customer,
            "PUT",
            file("ktp.png"),
            Some(("image/png", png)),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            refused(
                "not_accepted",
                "this type of file is not accepted here. Send a PDF or JPG.",
                "ktp",
                KTP,
            ),
        ),
        (
            "SVG renamed .pdf",
            &customer,
            "PUT",
            file("ktp.pdf"),
            pdf(b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            refused("not_what_it_claims", not_what, "ktp", KTP),
        ),
        (
            "a PDF that is also a page",
            &customer,
            "PUT",
            file("ktp.pdf"),
            pdf(&polyglot),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            refused("not_what_it_claims", not_what, "ktp", KTP),
        ),
        (
            "an empty file",
            &customer,
            "PUT",
            file("ktp.pdf"),
            pdf(b""),
            StatusCode::BAD_REQUEST,
            refused(
                "empty",
                "the file is empty. Choose the file again.",
                "ktp",
                KTP,
            ),
        ),
        (
            "a name that is a path",
            &customer,
            "PUT",
            file("..%2F..%2Fktp.pdf"),
            pdf(PDF),
            StatusCode::BAD_REQUEST,
            refused("bad_name", bad_name, "ktp", KTP),
        ),
        (
            "a name with a control character",
            &customer,
            "PUT",
            file("ktp%0D%0A.pdf"),
            pdf(PDF),
            StatusCode::BAD_REQUEST,
            refused("bad_name", bad_name, "ktp", KTP),
        ),
        (
            "a text over its length",
            &customer,
            "PUT",
            item("npwp"),
            as_json(json!({"text": "01.234.567.8-901.000"})),
            StatusCode::BAD_REQUEST,
            refused(
                "text_too_long",
                "the answer can be at most 16 characters long.",
                "npwp",
                "Tax number (NPWP)",
            ),
        ),
        (
            "a choice not offered",
            &customer,
            "PUT",
            item("type"),
            as_json(json!({"choice": "2"})),
            StatusCode::BAD_REQUEST,
            refused(
                "choice_not_offered",
                "choose one of the options offered.",
                "type",
                "Registrant type",
            ),
        ),
        (
            "an item the line does not ask for",
            &customer,
            "PUT",
            format!("/api/orders/{id}/documents/{line}/akta?name=a.pdf"),
            pdf(PDF),
            StatusCode::NOT_FOUND,
            not_found.clone(),
        ),
        (
            "another customer's order",
            &other,
            "PUT",
            file("ktp.pdf"),
            pdf(PDF),
            StatusCode::NOT_FOUND,
            not_found.clone(),
        ),
        (
            "another customer's order, by upload ticket",
            &other,
            "POST",
            format!("{}/uploads", item("ktp")),
            as_json(json!({"content_type": "application/pdf"})),
            StatusCode::NOT_FOUND,
            not_found.clone(),
        ),
        (
            "a completion of an upload never made",
            &customer,
            "POST",
            never.clone(),
            as_json(json!({"name": "ktp.pdf"})),
            StatusCode::BAD_REQUEST,
            refused(
                "not_uploaded",
                "the file did not arrive. Choose the file and send it again.",
                "ktp",
                KTP,
            ),
        ),
        (
            "another customer's completion",
            &other,
            "POST",
            never,
            as_json(json!({"name": "ktp.pdf"})),
            StatusCode::NOT_FOUND,
            not_found.clone(),
        ),
    ];
    for (what, who, method, path, body, status, expected) in cases {
        let got = api(r, method, TOKO, &path, who, body, &[]).await;
        assert_eq!(got, (status, expected), "{what}");
    }
    assert_eq!(
        versions(&shop, &customer, &id).await,
        before,
        "nothing stored changed"
    );
    // Locally a file's ticket says: PUT it to the API.
    let (status, v) = api_json(
        r,
        "POST",
        TOKO,
        &format!("{}/uploads", item("ktp")),
        &customer,
        json!({"content_type": "image/jpeg"}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"method": "PUT", "url": item("ktp"), "max_bytes": 2048 * 1024})
    );
}

/// A file as its reader gets it: status, the headers that keep it from
/// running as a page, and its bytes.
async fn read(r: &axum::Router, host: &str, link: &str, cookie: &str) -> Page {
    request(r, "GET", host, link, cookie, None).await
}

/// Issue 13: who can read a document is its customer and its storefront's
/// reviewers, each through a short-lived link made for them. Anyone else,
/// and anyone with the other audience's link, gets 404 (nothing said about
/// whether it exists); a link that ran out, 410 for who may read it.
#[tokio::test]
async fn a_document_is_read_through_its_own_short_lived_link_only() {
    let shop = shop().await;
    co_id_waits_for_documents(&shop).await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (_, me) = api(r, "GET", TOKO, "/api/accounts/me", &customer, None, &[]).await;
    let account = me["id"].as_str().expect("account id").to_string();
    credit(&shop, &account, 1_000_000).await;
    let (id, _) = waiting_order(&shop, &customer, "berkas.co.id", "link-1").await;
    let docs = format!("/api/orders/{id}/documents");
    let (_, sets) = api(r, "GET", TOKO, &docs, &customer, None, &[]).await;
    let line = sets[0]["line"].as_str().expect("line").to_string();
    assert_eq!(
        sets[0]["items"][0]["link"],
        serde_json::Value::Null,
        "nothing sent yet"
    );
    let (status, set) = api(
        r,
        "PUT",
        TOKO,
        &format!("/api/orders/{id}/documents/{line}/ktp?name=ktp.pdf"),
        &customer,
        Some(("application/pdf", PDF.to_vec())),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");

    // Each reader's view carries their own link to the version.
    let (_, sets) = api(r, "GET", TOKO, &docs, &customer, None, &[]).await;
    let mine = sets[0]["items"][0]["link"]
        .as_str()
        .expect("a link")
        .to_string();
    assert!(mine.starts_with("/api/documents/file?t="), "{mine}");
    assert_eq!(
        sets[0]["items"][1]["link"],
        serde_json::Value::Null,
        "a choice has no file"
    );
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let review = format!("/panel/documents/review?order={id}&line={line}");
    let page = request(r, "GET", TOKO, &review, &owner, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let staff = page.href_in("item-ktp");
    assert!(staff.starts_with("/api/documents/file?t="), "{staff}");
    assert_ne!(staff, mine);

    // The customer downloads it, in a sandbox, never cached.
    let f = read(r, TOKO, &mine, &customer).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.html.as_bytes(), PDF);
    assert_eq!(f.headers["content-type"], "application/pdf");
    assert_eq!(f.headers["content-disposition"], "attachment");
    assert_eq!(f.headers["content-security-policy"], "sandbox");
    assert_eq!(f.headers["x-content-type-options"], "nosniff");
    assert_eq!(f.headers["cache-control"], "no-store");
    // Its reviewers open it in the browser's PDF viewer (which no sandbox
    // lets run), the owner and an admin alike.
    let admin = sign_in(r, TOKO, "admin@toko.localhost").await;
    for who in [&owner, &admin] {
        let f = read(r, TOKO, &staff, who).await;
        assert_eq!(f.status, StatusCode::OK);
        assert_eq!(f.html.as_bytes(), PDF);
        assert_eq!(f.headers["content-type"], "application/pdf");
        assert_eq!(f.headers["content-disposition"], "inline");
        assert!(!f.headers.contains_key("content-security-policy"));
        assert_eq!(f.headers["x-content-type-options"], "nosniff");
        assert_eq!(f.headers["cache-control"], "no-store");
    }

    // Nobody else, with either link: another customer, the other
    // audience, a visitor, agen's owner (toko's sub-reseller, which does
    // not review toko's documents) on its own host or with its cookie here.
    storefront_functions::accounts::create_demo_customer(
        shop.store.as_ref(),
        "toko",
        "other@toko.localhost",
        "back-office-test-2026",
        &storefront_functions::accounts::AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("another customer");
    let other = sign_in(r, TOKO, "other@toko.localhost").await;
    let agen = sign_in(r, "agen.localhost", "owner@agen.localhost").await;
    let refused = [
        ("another customer", TOKO, &mine, &other),
        ("another customer", TOKO, &staff, &other),
        ("the owner with the customer's link", TOKO, &mine, &owner),
        ("an admin with the customer's link", TOKO, &mine, &admin),
        ("the customer with the staff link", TOKO, &staff, &customer),
        ("agen's owner on agen", "agen.localhost", &staff, &agen),
        ("agen's owner on agen", "agen.localhost", &mine, &agen),
        ("agen's owner on toko", TOKO, &staff, &agen),
        ("the customer on agen", "agen.localhost", &mine, &customer),
    ];
    let visitor = String::new();
    let signed_out = [
        ("a visitor", TOKO, &mine, &visitor),
        ("a visitor", TOKO, &staff, &visitor),
    ];
    for (who, host, link, cookie) in refused.iter().chain(&signed_out) {
        let f = read(r, host, link, cookie).await;
        assert_eq!(f.status, StatusCode::NOT_FOUND, "{who}: {link}");
        assert!(!f.html.contains("%PDF"), "{who}");
    }
    // A link changed by one character, cut short, made up or missing: 404.
    let t = mine.split_once("?t=").expect("a token").1;
    let (payload, mac) = t.split_once('.').expect("payload.mac");
    let flipped = |s: &str| {
        let mut b = s.as_bytes().to_vec();
        b[2] = if b[2] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).expect("ascii")
    };
    for bad in [
        format!("/api/documents/file?t={payload}.{}", flipped(mac)),
        format!("/api/documents/file?t={}.{mac}", flipped(payload)),
        format!("/api/documents/file?t={payload}"),
        "/api/documents/file?t=bm90IGEgbGluaw.AAAA".to_string(),
        "/api/documents/file".to_string(),
    ] {
        let f = read(r, TOKO, &bad, &customer).await;
        assert_eq!(f.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // The old direct routes are gone.
    for (path, cookie) in [
        (
            format!("/api/orders/{id}/documents/{line}/ktp/1"),
            &customer,
        ),
        (
            format!("/panel/documents/file?order={id}&line={line}&item=ktp&v=1"),
            &owner,
        ),
    ] {
        let f = read(r, TOKO, &path, cookie).await;
        assert_eq!(f.status, StatusCode::NOT_FOUND, "{path}");
    }

    // Six minutes on, the links are refused: 410 with what to do for who
    // may read the file, 404 for anyone else still. A new view makes a new
    // link.
    shop.clock.advance(chrono::Duration::minutes(6));
    for (link, who) in [(&mine, &customer), (&staff, &owner)] {
        let (status, e) = api(r, "GET", TOKO, link, who, None, &[]).await;
        assert_eq!(status, StatusCode::GONE, "{e}");
        assert_eq!(
            e,
            json!({"error": "link_expired", "message": "This link to the document has expired: open the document again from its page."})
        );
    }
    let (status, e) = api(
        r,
        "GET",
        TOKO,
        &mine,
        &customer,
        None,
        &[("accept-language", "id")],
    )
    .await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(
        e["message"],
        "Tautan ke dokumen ini sudah kedaluwarsa: buka lagi dokumennya dari halamannya."
    );
    for (link, who) in [(&mine, &other), (&staff, &customer), (&mine, &visitor)] {
        let f = read(r, TOKO, link, who).await;
        assert_eq!(f.status, StatusCode::NOT_FOUND, "{link}");
    }
    let (_, sets) = api(r, "GET", TOKO, &docs, &customer, None, &[]).await;
    let fresh = sets[0]["items"][0]["link"]
        .as_str()
        .expect("a link")
        .to_string();
    let f = read(r, TOKO, &fresh, &customer).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.html.as_bytes(), PDF);
    let page = request(r, "GET", TOKO, &review, &owner, None).await;
    let f = read(r, TOKO, &page.href_in("item-ktp"), &owner).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.html.as_bytes(), PDF);
}

/// The parent level does not review its sub-reseller's documents: a
/// customer of agen (toko's sub-reseller, which registers first and takes
/// the documents after) sends one; toko's owner gets 404 for it, with the
/// customer's link and for agen's review page; agen's own owner reads it.
#[tokio::test]
async fn the_parent_storefront_reads_none_of_its_sub_resellers_documents() {
    let shop = shop().await;
    let r = &shop.router;
    let agen_host = "agen.localhost";
    storefront_functions::accounts::create_demo_customer(
        shop.store.as_ref(),
        "agen",
        "customer@agen.localhost",
        "back-office-test-2026",
        &storefront_functions::accounts::AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("agen's customer");
    let customer = sign_in(r, agen_host, "customer@agen.localhost").await;
    let (_, me) = api(
        r,
        "GET",
        agen_host,
        "/api/accounts/me",
        &customer,
        None,
        &[],
    )
    .await;
    let account = me["id"].as_str().expect("account id").to_string();
    let toko = Party::reseller("toko");
    let agen = Party::reseller("agen");
    fund(&shop, toko.clone(), Party::Platform, "bca-idr", 2_000_000).await;
    fund(&shop, agen.clone(), toko, "bca", 2_000_000).await;
    fund(
        &shop,
        Party::customer("agen", &account),
        agen,
        "bca",
        2_000_000,
    )
    .await;
    let items = json!({"items": [{"domain": "cabang.co.id", "action": "register", "years": 1}]});
    let (_, quote) = api_json(
        r,
        "POST",
        agen_host,
        "/api/orders/quote",
        &customer,
        items,
        &[],
    )
    .await;
    let (status, order) = api_json(
        r,
        "POST",
        agen_host,
        "/api/orders",
        &customer,
        json!({"quote": quote["id"], "payment": "wallet"}),
        &[("idempotency-key", "agen-1")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let id = order["id"].as_str().expect("id").to_string();
    let line = order["lines"][0]["id"].as_str().expect("line").to_string();
    let (status, set) = api(
        r,
        "PUT",
        agen_host,
        &format!("/api/orders/{id}/documents/{line}/ktp?name=ktp.pdf"),
        &customer,
        Some(("application/pdf", PDF.to_vec())),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    let mine = set["items"][0]["link"]
        .as_str()
        .expect("a link")
        .to_string();
    let f = read(r, agen_host, &mine, &customer).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.html.as_bytes(), PDF);

    let review = format!("/panel/documents/review?order={id}&line={line}");
    let agen_owner = sign_in(r, agen_host, "owner@agen.localhost").await;
    let page = request(r, "GET", agen_host, &review, &agen_owner, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let staff = page.href_in("item-ktp");
    let f = read(r, agen_host, &staff, &agen_owner).await;
    assert_eq!(f.status, StatusCode::OK, "agen reviews its own");
    assert_eq!(f.html.as_bytes(), PDF);

    let toko_owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, &review, &toko_owner, None).await;
    assert_eq!(
        page.status,
        StatusCode::NOT_FOUND,
        "toko reviews none of agen's"
    );
    for (host, link) in [
        (TOKO, &staff),
        (TOKO, &mine),
        (agen_host, &staff),
        (agen_host, &mine),
    ] {
        let f = read(r, host, link, &toko_owner).await;
        assert_eq!(
            f.status,
            StatusCode::NOT_FOUND,
            "toko's owner on {host}: {link}"
        );
    }
}
