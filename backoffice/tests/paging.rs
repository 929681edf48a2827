//! Long lists are paged, never cut off: 450 orders and 120 top-ups read a
//! page of 50 at a time, newest first, in the back office (a "Next page"
//! link) and on the API (a `Link: <…>; rel="next"` header), and the pages
//! together hold every one exactly once.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Every page of a back-office list from `first`: the rows' ids
/// (`data-<attr>="…"`) page by page, following "Next page".
async fn panel_pages(shop: &Shop, cookie: &str, first: &str, attr: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut path = first.to_string();
    loop {
        let page = request(&shop.router, "GET", TOKO, &path, cookie, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
        let needle = format!("data-{attr}=\"");
        let ids: Vec<String> = page
            .html
            .split(&needle)
            .skip(1)
            .map(|s| s[..s.find('"').expect("closing quote")].to_string())
            .collect();
        pages.push(ids);
        if !page.html.contains("id=\"next-page\"") {
            return pages;
        }
        path = page.href_in("next-page");
        assert!(pages.len() < 100, "the pages never end: {path}");
    }
}

/// Every page of an API list from `first`, following its `Link` header.
async fn api_pages(shop: &Shop, cookie: &str, first: &str) -> Vec<Vec<Value>> {
    let mut pages = Vec::new();
    let mut path = first.to_string();
    loop {
        let page = request(&shop.router, "GET", TOKO, &path, cookie, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
        let list: Vec<Value> = serde_json::from_str(&page.html).expect("a JSON array");
        pages.push(list);
        let Some(link) = page.headers.get("link") else {
            return pages;
        };
        let link = link.to_str().expect("ASCII");
        // `<?before=…>; rel="next"`, relative to the list's own path.
        let query = link
            .strip_prefix("<?")
            .and_then(|l| l.strip_suffix(">; rel=\"next\""))
            .unwrap_or_else(|| panic!("a next link: {link}"));
        path = format!("{}?{query}", first.split('?').next().unwrap_or(first));
        assert!(pages.len() < 100, "the pages never end: {path}");
    }
}

fn sizes<T>(pages: &[Vec<T>]) -> Vec<usize> {
    pages.iter().map(Vec::len).collect()
}

#[tokio::test]
async fn four_hundred_fifty_orders_page_newest_first_in_the_back_office_and_the_api() {
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;

    // 450 orders paid by bank transfer later: each a quote and an order.
    let mut placed = BTreeSet::new();
    let mut i = 0;
    while placed.len() < 450 {
        i += 1;
        let name = format!("halaman-ke-{i}.co.id");
        let items = json!({"items": [{"domain": name, "action": "register", "years": 1}]});
        let (status, quote) =
            api_json(r, "POST", TOKO, "/api/orders/quote", &customer, items, &[]).await;
        if status != StatusCode::OK {
            // Taken at the sandbox registry: another name.
            continue;
        }
        let key = format!("page-{i}");
        let (status, order) = api_json(
            r,
            "POST",
            TOKO,
            "/api/orders",
            &customer,
            json!({"quote": quote["id"], "payment": "bank_transfer"}),
            &[("idempotency-key", &key)],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        placed.insert(order["id"].as_str().expect("id").to_string());
    }
    let newest_first: Vec<String> = placed.iter().rev().cloned().collect();

    // The back office: nine pages of 50, newest first, each order once.
    let pages = panel_pages(&shop, &owner, "/panel/orders", "order").await;
    assert_eq!(sizes(&pages), [50; 9]);
    assert_eq!(pages.concat(), newest_first);

    // The panel's API and the customer's: the same, by their Link headers.
    let pages = api_pages(&shop, &owner, "/api/panel/orders").await;
    assert_eq!(sizes(&pages), [50; 9]);
    let ids: Vec<String> = pages
        .concat()
        .iter()
        .map(|o| o["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(ids, newest_first);
    let pages = api_pages(&shop, &customer, "/api/orders?lang=en").await;
    assert_eq!(sizes(&pages), [50; 9]);
    let ids: Vec<String> = pages
        .concat()
        .iter()
        .map(|o| o["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(ids, newest_first);

    // Another storefront's owner pages through none of them.
    let agen = sign_in(r, "agen.localhost", "owner@agen.localhost").await;
    let cursor = enc(&newest_first[0]);
    let page = request(
        r,
        "GET",
        "agen.localhost",
        &format!("/panel/orders?before={cursor}"),
        &agen,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.html.contains("data-order=\""), "{}", page.html);
}

#[tokio::test]
async fn one_hundred_twenty_top_ups_page_in_the_back_office_and_keep_the_filter() {
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let mut asked = BTreeSet::new();
    for i in 1..=120 {
        let (status, t) = api_json(
            r,
            "POST",
            TOKO,
            "/api/wallet/topups",
            &customer,
            json!({"amount": format!("{}", 10_000 + i), "bank_account": "bca", "transfer_reference": format!("BCA {i}")}),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        asked.insert(t["id"].as_str().expect("id").to_string());
    }
    let newest_first: Vec<String> = asked.iter().rev().cloned().collect();

    // Pending ones, and all of them: the next page keeps `all=1`.
    let pages = panel_pages(&shop, &owner, "/panel/topups", "topup").await;
    assert_eq!(sizes(&pages), [50, 50, 20]);
    assert_eq!(pages.concat(), newest_first);
    let first = request(r, "GET", TOKO, "/panel/topups?all=1", &owner, None).await;
    assert!(
        first
            .href_in("next-page")
            .starts_with("/panel/topups?all=1&before="),
        "{}",
        first.href_in("next-page")
    );
    let pages = panel_pages(&shop, &owner, "/panel/topups?all=1", "topup").await;
    assert_eq!(pages.concat(), newest_first);

    // The customer's own list on the API, and the panel's.
    let pages = api_pages(&shop, &customer, "/api/wallet/topups?lang=id").await;
    assert_eq!(sizes(&pages), [50, 50, 20]);
    let ids: Vec<String> = pages
        .concat()
        .iter()
        .map(|t| t["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(ids, newest_first);
    let pages = api_pages(&shop, &owner, "/api/panel/topups").await;
    assert_eq!(sizes(&pages), [50, 50, 20]);
}
