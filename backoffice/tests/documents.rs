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

    // Nobody else reaches them: another customer, a visitor, another
    // storefront's staff, each gets 404 (or 401 signed out) for the set and
    // the file.
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
    let their_file = format!("/api/orders/{id}/documents/{line}/ktp/1");
    for path in [docs.as_str(), their_file.as_str()] {
        let (status, _) = api(r, "GET", TOKO, path, &other, None, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another customer: {path}");
        let (status, _) = api(r, "GET", TOKO, path, "", None, &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a visitor: {path}");
    }
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
    let (status, file) = api(r, "GET", TOKO, &their_file, &customer, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "its customer reads it: {file}");
    // Another storefront's owner finds nothing.
    let agen = sign_in(r, "agen.localhost", "owner@agen.localhost").await;
    let agen_file = format!("/panel/documents/file?order={id}&line={line}&item=ktp&v=1");
    let page = request(r, "GET", "agen.localhost", &agen_file, &agen, None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
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
    // The file opens for its reviewer as sent.
    let file = format!("/panel/documents/file?order={id}&line={line}&item=ktp&v=1");
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

#[tokio::test]
async fn documents_that_never_come_lapse_the_line_and_release_its_holds_once() {
    let shop = shop().await;
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
