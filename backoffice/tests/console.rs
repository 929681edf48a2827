//! The platform's console: only the owner and admins of the platform's own
//! storefront reach it; they decide the top-ups resellers ask of the
//! platform and suspend and reinstate resellers, each change audited.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::Value;
use storefront_core::ledger::Party;
use storefront_functions::accounts::{AccountsConfig, Role};

async fn add_staff(shop: &Shop, email: &str, role: Role) -> String {
    storefront_functions::accounts::create_reseller_user(
        shop.store.as_ref(),
        "toko",
        email,
        PASSWORD,
        role,
        &AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("staff");
    sign_in(&shop.router, TOKO, email).await
}

#[tokio::test]
async fn the_console_is_the_platform_storefronts_owner_and_admins() {
    let shop = platform_shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let admin = sign_in(r, TOKO, "admin@toko.localhost").await;
    let finance = add_staff(&shop, "finance@toko.localhost", Role::Finance).await;
    for who in [&owner, &admin] {
        let page = request(r, "GET", TOKO, "/panel/platform/", who, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        assert!(page.html.contains("<h1>Platform console</h1>"));
        assert_eq!(page.text("topups-waiting"), "0");
        assert_eq!(page.text("applications-waiting"), "0");
        let dashboard = request(r, "GET", TOKO, "/panel/", who, None).await;
        assert!(
            unescape(&dashboard.html).contains("href=\"/panel/platform/\">Platform</a>"),
            "{}",
            dashboard.html
        );
    }
    let page = request(r, "GET", TOKO, "/panel/platform/", &finance, None).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.html.contains(
            "The console is for the platform&#x27;s operators: the owner and admins of the platform&#x27;s own storefront."
        ),
        "{}",
        page.html
    );
    let dashboard = request(r, "GET", TOKO, "/panel/", &finance, None).await;
    assert!(!unescape(&dashboard.html).contains("/panel/platform/"));

    // The owner of a storefront that is not the platform's: no console.
    let agen = sign_in(r, "agen.localhost", "owner@agen.localhost").await;
    let page = request(r, "GET", "agen.localhost", "/panel/platform/", &agen, None).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let dashboard = request(r, "GET", "agen.localhost", "/panel/", &agen, None).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(!unescape(&dashboard.html).contains("/panel/platform/"));
}

#[tokio::test]
async fn an_operator_decides_the_top_ups_resellers_ask_of_the_platform() {
    let shop = platform_shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let admin = sign_in(r, TOKO, "admin@toko.localhost").await;
    for (amount, reference) in [("2000000", "TOKO DES 2026"), ("500000", "TOKO SALAH")] {
        let asked = request(
            r,
            "POST",
            TOKO,
            "/panel/wallet/topup",
            &owner,
            Some(&[
                ("bank_account", "bca-idr"),
                ("amount", amount),
                ("transfer_reference", reference),
            ]),
        )
        .await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.html);
    }
    let console = request(r, "GET", TOKO, "/panel/platform/", &admin, None).await;
    assert_eq!(console.text("topups-waiting"), "2");
    let page = request(r, "GET", TOKO, "/panel/platform/topups", &admin, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let ids: Vec<String> = page
        .html
        .split("data-topup=\"")
        .skip(1)
        .map(|s| s[..s.find('"').expect("quote")].to_string())
        .collect();
    assert_eq!(ids.len(), 2, "{}", page.html);
    // Newest first: the second asked is the first listed.
    let (wrong, right) = (&ids[0], &ids[1]);
    let card = page.text(&format!("topup-{right}"));
    assert!(
        card.starts_with("IDR 2,000,000 Waiting for approval From Reseller toko Date "),
        "{card}"
    );
    assert!(
        card.contains("Reason for rejecting (the reseller reads it)"),
        "{card}"
    );
    assert!(card.contains("TOKO DES 2026"), "{card}");

    let approved = request(
        r,
        "POST",
        TOKO,
        "/panel/platform/topups/approve",
        &admin,
        Some(&[("id", right)]),
    )
    .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.html);
    assert_eq!(approved.location, "/panel/platform/topups?done=approved");
    let again = request(
        r,
        "POST",
        TOKO,
        "/panel/platform/topups/approve",
        &admin,
        Some(&[("id", right)]),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.html);
    let empty = request(
        r,
        "POST",
        TOKO,
        "/panel/platform/topups/reject",
        &admin,
        Some(&[("id", wrong), ("reason", "  ")]),
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST, "{}", empty.html);
    let rejected = request(
        r,
        "POST",
        TOKO,
        "/panel/platform/topups/reject",
        &admin,
        Some(&[
            ("id", wrong),
            ("reason", "No transfer with this reference arrived."),
        ]),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.html);

    // Credited once, with exactly the amount approved.
    let w = shop
        .orders
        .ledger
        .wallet(&Party::reseller("toko"))
        .await
        .expect("wallet")
        .expect("opened");
    assert_eq!(w.balance.posted.to_string(), "2000000");
    let wallet = request(r, "GET", TOKO, "/panel/wallet", &owner, None).await;
    assert!(
        wallet
            .html
            .contains("No transfer with this reference arrived."),
        "the storefront reads why"
    );
    // The top-up asked of toko by its own customers is another list.
    let own = request(r, "GET", TOKO, "/panel/topups?all=1", &owner, None).await;
    assert!(!own.html.contains(right.as_str()));
}

/// What agen's search page is told about ordering.
async fn ordering(shop: &Shop, host: &str) -> Value {
    let (s, body) = api(
        &shop.router,
        "GET",
        host,
        "/api/search?q=kopi&lang=en",
        "",
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn an_operator_suspends_and_reinstates_a_reseller() {
    let shop = platform_shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/platform/suspensions", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(page.text("none-suspended"), "No reseller is suspended.");

    let done = suspend(&shop, &owner, "agen", "Unpaid invoices since October").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location, "/panel/platform/suspensions?done=suspended");
    let page = request(r, "GET", TOKO, &done.location, &owner, None).await;
    assert_eq!(
        page.text("notice"),
        "Suspended: its storefront and those below it take no new orders."
    );
    let card = page.text("suspended-agen");
    assert!(card.starts_with("agen Since"), "{card}");
    assert!(
        card.ends_with("By owner@toko.localhost Reason (for the operators) Unpaid invoices since October Reinstate"),
        "{card}"
    );
    let told = ordering(&shop, "agen.localhost").await;
    assert_eq!(told["ordering"], false, "{told}");
    assert_eq!(
        told["notice"],
        "This shop is not taking new orders at the moment."
    );
    assert_eq!(ordering(&shop, TOKO).await["ordering"], true);

    // Refusals, each beside the form.
    for (reseller, reason, status, said) in [
        (
            "agen",
            "Again",
            StatusCode::CONFLICT,
            "agen is already suspended.",
        ),
        (
            "nobody",
            "Typo",
            StatusCode::UNPROCESSABLE_ENTITY,
            "There is no reseller \"nobody\".",
        ),
        (
            "toko",
            "Ourselves",
            StatusCode::UNPROCESSABLE_ENTITY,
            "The platform's own storefront cannot be suspended.",
        ),
    ] {
        let refused = suspend(&shop, &owner, reseller, reason).await;
        assert_eq!(refused.status, status, "{reseller}: {}", refused.html);
        assert_eq!(refused.text("problem"), said);
    }

    let back = request(
        r,
        "POST",
        TOKO,
        "/panel/platform/suspensions/reinstate",
        &owner,
        Some(&[("reseller", "agen")]),
    )
    .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.html);
    assert_eq!(ordering(&shop, "agen.localhost").await["ordering"], true);
    let again = request(
        r,
        "POST",
        TOKO,
        "/panel/platform/suspensions/reinstate",
        &owner,
        Some(&[("reseller", "agen")]),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.text("problem"), "agen is not suspended.");
    let page = request(r, "GET", TOKO, "/panel/platform/suspensions", &owner, None).await;
    assert_eq!(
        page.text("history"),
        format!(
            "When What Reseller (its id) By Reason (for the operators) {} reinstated agen owner@toko.localhost Unpaid invoices since October {} suspended agen owner@toko.localhost Unpaid invoices since October",
            history_time(&page, 0),
            history_time(&page, 1)
        )
    );

    // Both changes are in the platform storefront's audit log.
    let audit = request(r, "GET", TOKO, "/panel/audit", &owner, None).await;
    assert_eq!(
        audit
            .html
            .matches("data-action=\"reseller.suspend\"")
            .count(),
        1
    );
    assert_eq!(
        audit
            .html
            .matches("data-action=\"reseller.reinstate\"")
            .count(),
        1
    );
}

async fn suspend(shop: &Shop, owner: &str, reseller: &str, reason: &str) -> Page {
    request(
        &shop.router,
        "POST",
        TOKO,
        "/panel/platform/suspensions/suspend",
        owner,
        Some(&[("reseller", reseller), ("reason", reason)]),
    )
    .await
}

/// The time shown in the history's `row`th row.
fn history_time(page: &Page, row: usize) -> String {
    let body = &page.html[page.html.find("<tbody>").expect("rows")..];
    let cell = body.split("<tr><td>").nth(row + 1).expect("row");
    cell[..cell.find("</td>").expect("cell")].to_string()
}
