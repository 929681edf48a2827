//! Approved documents reused, and documents deleted after their domain
//! ends, end to end in process: a customer's second `.co.id` order takes
//! the documents approved for the first (the same files, no review) and
//! registers, the wallet charged once; nobody else is offered them; the
//! scheduler deletes the files of a set whose domain ended longer ago than
//! the platform keeps them, once however many run, and keeps a file another
//! live set still uses.

mod common;

use axum::http::StatusCode;
use axum::response::IntoResponse;
use common::*;
use rust_decimal::Decimal;
use serde_json::json;
use storefront_functions::documents::DocError;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/// The signed-in customer's `.co.id` order of `name`, paid from the
/// wallet, waiting for its documents: (order id, line id, gross).
async fn waiting(shop: &Shop, customer: &str, name: &str) -> (String, String, Decimal) {
    let r = &shop.router;
    let items = json!({"items": [{"domain": name, "action": "register", "years": 1}]});
    let (qs, quote) = api_json(r, "POST", TOKO, "/api/orders/quote", customer, items, &[]).await;
    assert_eq!(qs, StatusCode::OK, "{quote}");
    let (status, order) = api_json(
        r,
        "POST",
        TOKO,
        "/api/orders",
        customer,
        json!({"quote": quote["id"], "payment": "wallet"}),
        &[("idempotency-key", name)],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["lines"][0]["status"], "awaiting_documents");
    (
        order["id"].as_str().unwrap().to_string(),
        order["lines"][0]["id"].as_str().unwrap().to_string(),
        order["gross"]["amount"].as_str().unwrap().parse().unwrap(),
    )
}

/// The customer sends the KTP (`pdf`) and the registrant type.
async fn send(shop: &Shop, customer: &str, id: &str, line: &str, pdf: &[u8]) {
    let r = &shop.router;
    let path = |item: &str| format!("/api/orders/{id}/documents/{line}/{item}?name=ktp.pdf");
    let (status, v) = api(
        r,
        "PUT",
        TOKO,
        &path("ktp"),
        customer,
        Some(("application/pdf", pdf.to_vec())),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = api_json(
        r,
        "PUT",
        TOKO,
        &path("type"),
        customer,
        json!({"choice": "0"}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

/// The owner approves every item's latest version, as the review desk does.
async fn approve(shop: &Shop, id: &str, line: &str) {
    let docs = shop.orders.documents();
    let at = shop.orders.clock.now().to_rfc3339();
    let (r, _) = docs.get(id, line).await.unwrap().expect("the set");
    for (item, rec) in &r.set.items {
        let n = rec.versions.last().expect("sent").n;
        let d = storefront_core::documents::Decision {
            approve: true,
            reason: None,
            at: &at,
            by: "owner@toko.localhost",
        };
        docs.review(
            id,
            line,
            item,
            n,
            d,
            storefront_core::documents::Level::Reseller,
        )
        .await
        .expect("approved");
    }
    shop.orders
        .documents_approved(id, line, "owner@toko.localhost")
        .await
        .expect("registered");
}

async fn signed_in_customer(shop: &Shop, email: &str) -> (String, String) {
    let r = &shop.router;
    if email != "customer@toko.localhost" {
        storefront_functions::accounts::create_demo_customer(
            shop.store.as_ref(),
            "toko",
            email,
            "back-office-test-2026",
            &storefront_functions::accounts::AccountsConfig::fast_for_tests(),
        )
        .await
        .expect("another customer");
    }
    let cookie = sign_in(r, TOKO, email).await;
    let (_, me) = api(r, "GET", TOKO, "/api/accounts/me", &cookie, None, &[]).await;
    let account = me["id"].as_str().expect("account id").to_string();
    credit(shop, &account, 1_000_000).await;
    (cookie, account)
}

async fn wallet(shop: &Shop, cookie: &str) -> (String, String) {
    let (_, w) = api(&shop.router, "GET", TOKO, "/api/wallet", cookie, None, &[]).await;
    (
        w["available"]["amount"].as_str().unwrap().to_string(),
        w["held"]["amount"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_second_co_id_order_reuses_the_approved_documents_and_registers_once() {
    let shop = shop().await;
    co_id_waits_for_documents(&shop).await;
    let r = &shop.router;
    let (customer, _) = signed_in_customer(&shop, "customer@toko.localhost").await;
    let (first, first_line, gross1) = waiting(&shop, &customer, "dokumen.co.id").await;
    send(&shop, &customer, &first, &first_line, PDF).await;
    approve(&shop, &first, &first_line).await;

    // Another customer of toko, waiting for documents too.
    let (other, _) = signed_in_customer(&shop, "other@toko.localhost").await;
    let (theirs, their_line, _) = waiting(&shop, &other, "tunggu.co.id").await;

    // The second order offers the first's documents, with when they were
    // approved; nobody else's set is offered.
    let (second, line, gross2) = waiting(&shop, &customer, "tepat.co.id").await;
    let docs = format!("/api/orders/{second}/documents");
    let (status, sets) = api(r, "GET", TOKO, &docs, &customer, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{sets}");
    let offers = sets[0]["reuse"].as_array().expect("offers").clone();
    assert_eq!(offers.len(), 1, "{offers:?}");
    assert_eq!(offers[0]["order"], first.as_str());
    assert_eq!(offers[0]["line"], first_line.as_str());
    assert_eq!(offers[0]["domain"], "dokumen.co.id");
    assert!(offers[0]["approved_at"].is_string());
    let (_, their_sets) = api(
        r,
        "GET",
        TOKO,
        &format!("/api/orders/{theirs}/documents"),
        &other,
        None,
        &[],
    )
    .await;
    assert_eq!(their_sets[0]["reuse"], json!([]), "never another's");
    // Asked for anyway, another customer's set does not exist for them.
    let (status, e) = api_json(
        r,
        "POST",
        TOKO,
        &format!("/api/orders/{theirs}/documents/{their_line}/reuse"),
        &other,
        json!({"order": first, "line": first_line}),
        &[],
    )
    .await;
    assert_eq!(
        (status, e),
        (
            StatusCode::NOT_FOUND,
            json!({"error": "not_found", "message": "Nothing here."})
        )
    );
    // A set that is not approved is refused, said plainly.
    let (status, e) = api_json(
        r,
        "POST",
        TOKO,
        &format!("/api/orders/{first}/documents/{first_line}/reuse"),
        &customer,
        json!({"order": second, "line": line}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"], "not_reusable");

    // The customer chooses them: approved at once, registered, charged.
    let reuse = format!("/api/orders/{second}/documents/{line}/reuse");
    let from = json!({"order": first, "line": first_line});
    let (status, set) = api_json(r, "POST", TOKO, &reuse, &customer, from.clone(), &[]).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["complete"], true);
    assert_eq!(set["line_state"], "active");
    assert_eq!(set["items"][0]["id"], "ktp");
    assert_eq!(set["items"][0]["state"], "approved");
    assert_eq!(
        set["items"][0]["reused"],
        json!({"order": first, "domain": "dokumen.co.id", "approved_by": "owner@toko.localhost"})
    );
    assert_eq!(
        set["items"][0]["holds"],
        json!({"file": "ktp.pdf", "size": PDF.len(), "content_type": "application/pdf"})
    );
    // The same file, not a copy.
    let d = shop.orders.documents();
    let (a, _) = d.get(&first, &first_line).await.unwrap().unwrap();
    let (b, _) = d.get(&second, &line).await.unwrap().unwrap();
    assert_eq!(
        b.set.latest("ktp").unwrap().key,
        a.set.latest("ktp").unwrap().key
    );
    let (_, o) = api(
        r,
        "GET",
        TOKO,
        &format!("/api/orders/{second}"),
        &customer,
        None,
        &[],
    )
    .await;
    assert_eq!(o["lines"][0]["status"], "active");
    assert!(
        shop.registry
            .registration("tepat.co.id")
            .await
            .unwrap()
            .is_some(),
        "registered"
    );
    let left = (Decimal::from(1_000_000) - gross1 - gross2).to_string();
    assert_eq!(wallet(&shop, &customer).await, (left.clone(), "0".into()));
    // Chosen again (a double click): nothing moves twice.
    let (status, _) = api_json(r, "POST", TOKO, &reuse, &customer, from, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(wallet(&shop, &customer).await, (left, "0".into()));
    // Nothing waits for the seller's review.
    assert!(
        d.waiting("toko")
            .await
            .unwrap()
            .iter()
            .all(|w| w.0 != second)
    );
}

#[tokio::test]
async fn retention_deletes_an_ended_sets_files_once_and_keeps_a_shared_one() {
    let shop = shop().await;
    co_id_waits_for_documents(&shop).await;
    // The platform keeps documents 30 days after a domain ends.
    let store = shop.store.as_ref();
    let mut s = storefront_functions::catalog::current(store, "toko")
        .await
        .unwrap()
        .expect("toko is published");
    assert_eq!(s.retention.days(), 365, "the platform's default");
    assert_eq!(s.retention.redemption("co.id"), 30);
    s.retention.days = 30;
    s.version = format!("{}-keep30", s.version);
    storefront_functions::catalog::publish(store, &[s], |_| vec!["toko.localhost".into()])
        .await
        .expect("publish");
    shop.orders.catalogs.forget("toko");
    let r = &shop.router;
    let (customer, _) = signed_in_customer(&shop, "customer@toko.localhost").await;
    // A live name, its KTP approved; a second order sends the same KTP and
    // then another, and never gets them approved.
    let (live, live_line, _) = waiting(&shop, &customer, "tokobudi.co.id").await;
    send(&shop, &customer, &live, &live_line, PDF).await;
    approve(&shop, &live, &live_line).await;
    let (late, late_line, _) = waiting(&shop, &customer, "terlambat.co.id").await;
    send(&shop, &customer, &late, &late_line, PDF).await;
    let mut own = PDF.to_vec();
    own.extend_from_slice(b"% only this one\n%%EOF\n");
    send(&shop, &customer, &late, &late_line, &own).await;
    let d = shop.orders.documents();
    let (before, _) = d.get(&late, &late_line).await.unwrap().unwrap();
    let key = |n: usize| {
        before.set.items["ktp"].versions[n]
            .key
            .clone()
            .expect("a file")
    };
    let (shared, only) = (key(0), key(1));
    let (live_before, _) = d.get(&live, &live_line).await.unwrap().unwrap();
    assert_eq!(
        live_before.set.latest("ktp").unwrap().key.as_ref(),
        Some(&shared)
    );

    let tick = || storefront_functions::scheduler::tick(&shop.orders);
    assert_eq!(tick().await.unwrap().documents_deleted, 0);
    // Its documents never came: lapsed on day 31. Nothing deleted until
    // 30 days after.
    shop.clock.advance(chrono::Duration::days(31));
    let t = tick().await.unwrap();
    assert_eq!((t.documents_lapsed, t.documents_deleted), (1, 0));
    shop.clock.advance(chrono::Duration::days(29));
    assert_eq!(tick().await.unwrap().documents_deleted, 0);
    // Day 61: two schedulers at once delete it once.
    shop.clock.advance(chrono::Duration::days(1));
    let (a, b) = tokio::join!(tick(), tick());
    assert_eq!(
        a.unwrap().documents_deleted + b.unwrap().documents_deleted,
        1
    );
    assert_eq!(tick().await.unwrap().documents_deleted, 0);

    // Its own file is gone; the one the live name uses is kept.
    assert_eq!(shop.orders.blobs.get(&only).await.unwrap(), None);
    let (kept, _) = shop.orders.blobs.get(&shared).await.unwrap().expect("kept");
    assert_eq!(kept, PDF);
    let (gone, _) = d.get(&late, &late_line).await.unwrap().unwrap();
    let t = gone.deleted.clone().expect("a tombstone");
    assert_eq!((t.days, t.files), (30, 1));
    assert_eq!(t.items.get("ktp"), Some(&2));
    assert!(
        gone.set.items.is_empty(),
        "nothing of what was sent is kept"
    );
    // Asked for, a deleted file answers 410 and says why.
    let day_lapsed = (chrono::Utc::now() + chrono::Duration::days(31)).date_naive();
    let today = shop.orders.clock.today();
    let err = d.file(&gone, "ktp", 1).await.expect_err("deleted");
    assert!(matches!(err, DocError::Deleted { .. }));
    let resp =
        page_of(storefront_functions::accounts::error::AccountsError::from(err).into_response())
            .await;
    assert_eq!(resp.status, StatusCode::GONE);
    let body: serde_json::Value = serde_json::from_str(&resp.html).unwrap();
    assert_eq!(
        body,
        json!({"error": "deleted", "message": format!(
            "The documents for terlambat.co.id were deleted on {today}: they are kept 30 days after the domain ends, and terlambat.co.id ended on {day_lapsed}."
        )})
    );
    // The live name's documents are whole.
    let (status, sets) = api(
        r,
        "GET",
        TOKO,
        &format!("/api/orders/{live}/documents"),
        &customer,
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{sets}");
    assert_eq!(sets[0]["items"][0]["state"], "approved");
    assert_eq!(sets[0]["deleted"], serde_json::Value::Null);
    let (live_set, _) = d.get(&live, &live_line).await.unwrap().unwrap();
    assert_eq!(d.file(&live_set, "ktp", 1).await.unwrap().unwrap().0, PDF);
}
