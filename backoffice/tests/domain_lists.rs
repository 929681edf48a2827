//! The four lists of domains (active, expired, awaiting documents,
//! deleted), each counted, as the customer's API answers them and as the
//! owner's back office shows them: an active name past its expiry is
//! expired on the storefront's day; a paid `.co.id` line waiting for its
//! documents (no domain yet) waits beside a name registered before its
//! documents.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};
use storefront_functions::orders::DomainStatus;

/// The customer orders `names` in one order paid from the wallet.
async fn order(shop: &Shop, customer: &str, names: &[&str], key: &str) -> Value {
    let r = &shop.router;
    let items: Vec<Value> = names
        .iter()
        .map(|n| json!({"domain": n, "action": "register", "years": 1}))
        .collect();
    let (status, quote) = api_json(
        r,
        "POST",
        TOKO,
        "/api/orders/quote",
        customer,
        json!({ "items": items }),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{quote}");
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
    order
}

/// What the registrar and the scheduler would make of a registered name:
/// its stored status and expiry changed, its copies with it.
async fn stored_as(shop: &Shop, name: &str, status: DomainStatus, expires: chrono::NaiveDate) {
    let (mut d, v) = shop
        .orders
        .domain(name)
        .await
        .expect("read")
        .expect("registered");
    let old = d.expires;
    d.status = status;
    d.expires = expires;
    let writes = shop
        .orders
        .domain_item_writes(&d, Some(v), Some(old))
        .expect("writes");
    shop.orders.store.transact(writes).await.expect("written");
}

/// The back office's tabs, as read.
const FILTERS: &str = "Active (1) Expired (1) Awaiting documents (2) Deleted (1)";

fn names(list: &Value) -> Vec<&str> {
    list["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .map(|d| d["name"].as_str().expect("name"))
        .collect()
}

#[tokio::test]
async fn the_customer_and_the_owner_see_four_lists_with_counts() {
    let shop = shop().await;
    co_id_waits_for_documents(&shop).await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (_, me) = api(r, "GET", TOKO, "/api/accounts/me", &customer, None, &[]).await;
    let account = me["id"].as_str().expect("account id").to_string();
    credit(&shop, &account, 5_000_000).await;

    let placed = order(
        &shop,
        &customer,
        &["aktif.com", "lewat.com", "berkas-toko.com", "hapus.com"],
        "lists-1",
    )
    .await;
    let states: Vec<&Value> = placed["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["status"])
        .collect();
    assert_eq!(states, [&json!("active"); 4], "{placed}");
    let waiting = order(&shop, &customer, &["tunggu.co.id"], "lists-2").await;
    assert_eq!(waiting["lines"][0]["status"], "awaiting_documents");
    let waiting_id = waiting["id"].as_str().expect("id").to_string();

    // lewat.com ran out yesterday (the scheduler has not marked it yet);
    // berkas-toko.com was registered before its documents; hapus.com deleted.
    let snapshot = shop.orders.catalogs.current("toko").await.unwrap().unwrap();
    let today = snapshot.today(chrono::Utc::now());
    let (later, yesterday) = (today + chrono::Days::new(300), today - chrono::Days::new(1));
    stored_as(&shop, "lewat.com", DomainStatus::Active, yesterday).await;
    stored_as(
        &shop,
        "berkas-toko.com",
        DomainStatus::AwaitingDocuments,
        later,
    )
    .await;
    stored_as(&shop, "hapus.com", DomainStatus::Deleted, later).await;

    // The customer's API: every list counted, each kept by `status`.
    let (status, all) = api(r, "GET", TOKO, "/api/domains", &customer, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(
        all["counts"],
        json!({"active": 1, "expired": 1, "awaiting_documents": 2, "deleted": 1})
    );
    assert_eq!(
        names(&all),
        [
            "aktif.com",
            "berkas-toko.com",
            "hapus.com",
            "lewat.com",
            "tunggu.co.id"
        ]
    );
    for (list, expected) in [
        ("active", vec!["aktif.com"]),
        ("expired", vec!["lewat.com"]),
        (
            "awaiting_documents",
            vec!["berkas-toko.com", "tunggu.co.id"],
        ),
        ("deleted", vec!["hapus.com"]),
    ] {
        let path = format!("/api/domains?status={list}");
        let (status, one) = api(r, "GET", TOKO, &path, &customer, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{one}");
        assert_eq!(one["status"], list);
        assert_eq!(names(&one), expected, "{list}");
        assert_eq!(
            one["counts"], all["counts"],
            "counts stay whatever the list"
        );
        for d in one["domains"].as_array().unwrap() {
            assert_eq!(d["status"], list, "{d}");
        }
    }
    let (_, one) = api(
        r,
        "GET",
        TOKO,
        "/api/domains?status=awaiting_documents",
        &customer,
        None,
        &[],
    )
    .await;
    assert_eq!(one["domains"][1]["order"], waiting_id.as_str());
    assert_eq!(one["domains"][0]["order"], Value::Null);

    let (status, bad) = api(
        r,
        "GET",
        TOKO,
        "/api/domains?status=aktif",
        &customer,
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad,
        json!({
            "error": "invalid_value",
            "field": "status",
            "message": "status must be one of: active, expired, awaiting_documents, deleted (not \"aktif\")."
        })
    );

    // The owner's back office: four tabs with their counts, the first with
    // any open.
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/domains", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("domain-filters"), FILTERS);
    assert!(
        page.html.contains(
            "id=\"filter-active\" href=\"&#x2F;panel&#x2F;domains?status=active\" aria-current=\"page\""
        ),
        "{}",
        page.html
    );
    let rows = |page: &Page| -> Vec<String> {
        page.html
            .match_indices("<tr id=\"domain-")
            .map(|(at, _)| {
                let id = &page.html[at + 8..];
                page.text(&id[..id.find('"').unwrap()])
            })
            .collect()
    };
    let who = "customer (customer@toko.localhost)";
    assert_eq!(rows(&page).len(), 1);
    assert!(
        rows(&page)[0].starts_with(&format!("aktif.com {who}")),
        "{:?}",
        rows(&page)
    );
    assert!(rows(&page)[0].ends_with("Yes Active"), "{:?}", rows(&page));
    let list = |status: &str| {
        let path = format!("/panel/domains?status={status}");
        let owner = owner.clone();
        async move { request(r, "GET", TOKO, &path, &owner, None).await }
    };
    let expired = list("expired").await;
    assert_eq!(
        rows(&expired),
        [format!("lewat.com {who} {yesterday} Yes Expired")]
    );
    let waiting = list("awaiting_documents").await;
    assert_eq!(
        rows(&waiting),
        [
            format!("berkas-toko.com {who} {later} Yes Awaiting documents"),
            format!(
                "tunggu.co.id {who} Ordered, waiting for documents (order {waiting_id}) Awaiting documents"
            ),
        ]
    );
    let deleted = list("deleted").await;
    assert_eq!(
        rows(&deleted),
        [format!("hapus.com {who} {later} Yes Deleted")]
    );

    // In Indonesian, the same counts.
    let page = request_in("id", r, "GET", TOKO, "/panel/domains", &owner, None).await;
    assert_eq!(
        page.text("domain-filters"),
        "Aktif (1) Kedaluwarsa (1) Menunggu dokumen (2) Dihapus (1)"
    );

    // A list that is none of the four: 400, said next to the tabs.
    let bad = list("semua").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.text("problem"),
        "status must be one of: active, expired, awaiting_documents, deleted (not \"semua\")."
    );
    assert_eq!(bad.text("domain-filters"), FILTERS);
    assert!(!bad.html.contains("aria-current=\"page\">Active"));
}
