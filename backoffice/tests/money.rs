//! The back office's money pages as a browser uses them, in process: a
//! customer's top-up approved or refused, credit limits, a bank-transfer
//! order marked paid and refunded, the storefront's own wallet and its
//! top-up to the platform, domains and invoices. Each change is a form
//! post answered with a redirect, or with the page and what to fix.

mod common;

use axum::http::StatusCode;
use chrono::Datelike;
use common::*;
use rust_decimal::Decimal;
use serde_json::json;
use storefront_core::ledger::Party;

const PROOF: &[u8] = b"%PDF-1.4\n% transfer receipt\n";

/// The customer asks toko for a top-up: its id.
async fn customer_topup(shop: &Shop, cookie: &str, amount: &str, reference: &str) -> String {
    let (status, t) = api_json(
        &shop.router,
        "POST",
        TOKO,
        "/api/wallet/topups",
        cookie,
        json!({"amount": amount, "bank_account": "bca", "transfer_reference": reference}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    t["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn a_top_up_is_approved_or_refused_in_the_back_office_and_the_wallet_follows() {
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let first = customer_topup(&shop, &customer, "1.000.000", "BCA 221126 BUDI").await;
    let (status, _) = api(
        r,
        "PUT",
        TOKO,
        &format!("/api/wallet/topups/{first}/proof"),
        &customer,
        Some(("application/octet-stream", PROOF.to_vec())),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let second = customer_topup(&shop, &customer, "50000", "NOT YET").await;

    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let home = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(home.text("waiting-topups"), "Top-ups to approve: 2");
    let page = request(r, "GET", TOKO, "/panel/topups", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let row = page.text(&format!("topup-{first}"));
    assert!(
        row.starts_with(
            "IDR 1,000,000 Waiting for approval From customer (customer@toko.localhost)"
        ),
        "{row}"
    );
    assert!(
        row.contains("Paid into BCA 123 456 7890 Reference BCA 221126 BUDI"),
        "{row}"
    );
    assert!(
        page.text(&format!("topup-{second}"))
            .contains("Proof None attached"),
        "{}",
        page.text(&format!("topup-{second}"))
    );

    // The proof downloads as sent, as an attachment in a sandbox.
    let proof = request(
        r,
        "GET",
        TOKO,
        &format!("/panel/topups/proof?id={first}"),
        &owner,
        None,
    )
    .await;
    assert_eq!(proof.status, StatusCode::OK);
    assert_eq!(proof.html.as_bytes(), PROOF);
    assert_eq!(proof.headers["content-type"], "application/pdf");
    assert_eq!(proof.headers["content-disposition"], "attachment");
    assert_eq!(proof.headers["content-security-policy"], "sandbox");
    // Another storefront's owner finds nothing, and cannot decide it.
    let agen = sign_in(r, "agen.localhost", "owner@agen.localhost").await;
    let theirs = format!("/panel/topups/proof?id={first}");
    let page = request(r, "GET", "agen.localhost", &theirs, &agen, None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = request(
        r,
        "POST",
        "agen.localhost",
        "/panel/topups/approve",
        &agen,
        Some(&[("id", &first)]),
    )
    .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // A rejection needs a reason, which the form keeps asking for.
    let refused = request(
        r,
        "POST",
        TOKO,
        "/panel/topups/reject",
        &owner,
        Some(&[("id", &second), ("reason", "  ")]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.text("problem"),
        "Say why (up to 500 characters): the customer will read it."
    );
    assert!(
        refused.text(&format!("topup-{second}")).contains("Say why"),
        "the problem is shown at the top-up it is about"
    );
    let rejected = request(
        r,
        "POST",
        TOKO,
        "/panel/topups/reject",
        &owner,
        Some(&[("id", &second), ("reason", "No transfer arrived")]),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    assert_eq!(rejected.location, "/panel/topups?done=rejected");

    let approved = request(
        r,
        "POST",
        TOKO,
        "/panel/topups/approve",
        &owner,
        Some(&[("id", &first)]),
    )
    .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    let page = request(r, "GET", TOKO, &approved.location, &owner, None).await;
    assert_eq!(
        page.text("notice"),
        "Top-up approved: the amount is in the wallet now, and the requester was told."
    );
    assert_eq!(page.text("empty"), "No top-ups are waiting.");
    let again = request(
        r,
        "POST",
        TOKO,
        "/panel/topups/approve",
        &owner,
        Some(&[("id", &first)]),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.text("problem"),
        "Someone decided this top-up already: it is shown below as it stands."
    );
    let all = request(r, "GET", TOKO, "/panel/topups?all=1", &owner, None).await;
    let row = all.text(&format!("topup-{second}"));
    assert!(
        row.contains("Rejected") && row.contains("Reason No transfer arrived"),
        "{row}"
    );

    // The customer's wallet has exactly the approved amount.
    let (_, w) = api(r, "GET", TOKO, "/api/wallet", &customer, None, &[]).await;
    assert_eq!(w["available"]["amount"], "1000000");
    assert_eq!(w["entries"][0]["kind"], "top_up", "{w}");
    assert_eq!(w["entries"][0]["amount"]["amount"], "1000000", "{w}");

    // Its credit limit, set from the customers' page.
    let page = request(r, "GET", TOKO, "/panel/customers", &owner, None).await;
    let holder = page
        .html
        .split("data-holder=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a wallet")
        .to_string();
    assert!(holder.starts_with("customer:"), "{holder}");
    let row = page.text(&format!("wallet-{holder}"));
    assert!(
        row.starts_with("customer (customer@toko.localhost) No Active IDR 1,000,000 IDR 0"),
        "{row}"
    );
    let bad = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/limit",
        &owner,
        Some(&[("holder", &holder), ("limit", "lots")]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.text("problem"), "Enter a credit limit of zero or more.");
    assert!(
        bad.html.contains("value=\"lots\""),
        "what was typed is kept"
    );
    let set = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/limit",
        &owner,
        Some(&[("holder", &holder), ("limit", "250,000")]),
    )
    .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.html);
    let page = request(r, "GET", TOKO, &set.location, &owner, None).await;
    assert_eq!(page.text("notice"), "Credit limit saved.");
    assert!(
        page.text(&format!("wallet-{holder}"))
            .ends_with("Save IDR 250,000"),
        "{}",
        page.text(&format!("wallet-{holder}"))
    );
    let (_, w) = api(r, "GET", TOKO, "/api/wallet", &customer, None, &[]).await;
    assert_eq!(w["credit_limit"]["amount"], "250000");
    // Not a wallet held with toko: agen's own wallet is the platform's.
    let theirs = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/limit",
        &owner,
        Some(&[("holder", "reseller:agen"), ("limit", "1")]),
    )
    .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    // A customer reaches none of it.
    for path in [
        "/panel/topups",
        "/panel/customers",
        "/panel/wallet",
        "/panel/orders",
    ] {
        let page = request(r, "GET", TOKO, path, &customer, None).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    let page = request(
        r,
        "POST",
        TOKO,
        "/panel/topups/approve",
        &customer,
        Some(&[("id", &second)]),
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

/// The platform credits `reseller`'s wallet (as `storefront topups approve`).
async fn platform_funds(shop: &Shop, reseller: &str, amount: i64) {
    fund(
        shop,
        Party::reseller(reseller),
        Party::Platform,
        "bca-idr",
        amount,
    )
    .await;
}

#[tokio::test]
async fn a_bank_transfer_order_is_marked_paid_and_refunded_in_the_back_office() {
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let items = json!({"items": [{"domain": "bank-paid.co.id", "action": "register", "years": 1}]});
    let (status, quote) =
        api_json(r, "POST", TOKO, "/api/orders/quote", &customer, items, &[]).await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let (status, placed) = api_json(
        r,
        "POST",
        TOKO,
        "/api/orders",
        &customer,
        json!({"quote": quote["id"], "payment": "bank_transfer"}),
        &[("idempotency-key", "bank-paid-1")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let id = placed["id"].as_str().expect("id").to_string();
    // As the page's text reads it: its spaces collapsed.
    let total = placed["gross"]["display"]
        .as_str()
        .expect("gross")
        .replace('\u{a0}', " ");

    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let list = request(r, "GET", TOKO, "/panel/orders", &owner, None).await;
    let row = list.text(&format!("order-{id}"));
    assert!(
        row.ends_with(&format!(
            "bank-paid.co.id customer (customer@toko.localhost) {total} Awaiting payment"
        )),
        "{row}"
    );
    let view = format!("/panel/orders/view?id={id}");
    let page = request(r, "GET", TOKO, &view, &owner, None).await;
    assert_eq!(page.text("order-total"), total);
    assert_eq!(page.text("order-state"), "Awaiting payment");
    assert!(page.html.contains("id=\"mark-paid\""));

    // toko's own wallet pays the platform's price: empty, it cannot.
    let short = request(
        r,
        "POST",
        TOKO,
        "/panel/orders/mark-paid",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(short.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(
        short.text("problem"),
        "Your wallet does not cover this order's wholesale price. Top up your wallet, then mark it paid again."
    );
    platform_funds(&shop, "toko", 1_000_000).await;
    let paid = request(
        r,
        "POST",
        TOKO,
        "/panel/orders/mark-paid",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.html);
    assert_eq!(
        paid.location,
        format!("/panel/orders/view?id={id}&done=paid")
    );
    let page = request(r, "GET", TOKO, &paid.location, &owner, None).await;
    assert_eq!(
        page.text("notice"),
        "Marked as paid: the order is being provisioned."
    );
    assert_eq!(page.text("order-state"), "Completed");
    assert!(!page.html.contains("id=\"mark-paid\""), "paid once");
    let own = request(r, "GET", TOKO, "/panel/wallet", &owner, None).await;
    let after_paying = own.text("balance-available");
    assert_ne!(
        after_paying, "IDR 1,000,000",
        "the wholesale price was taken"
    );
    // The platform's monthly invoice to toko lists what toko paid it.
    let today = chrono::Utc::now().date_naive();
    let first = today.with_day(1).expect("the first");
    let number = shop
        .orders
        .issue_monthly("toko", first, today)
        .await
        .expect("issued")
        .expect("something to invoice");
    let invoices = request(r, "GET", TOKO, "/panel/invoices", &owner, None).await;
    let anchor: String = number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let row = invoices.text(&format!("invoice-{anchor}"));
    assert!(
        row.starts_with(&format!("{number} Monthly invoice")) && row.ends_with("View · PDF"),
        "{row}"
    );
    let link = format!("/api/panel/invoices/{}", number.replace('/', "%2F"));
    assert!(
        invoices.html.contains(&link.replace('/', "&#x2F;")),
        "{}",
        invoices.html
    );
    let document = request(r, "GET", TOKO, &link, &owner, None).await;
    assert_eq!(document.status, StatusCode::OK);
    assert!(
        document.html.contains(&format!(
            "<title>Invoice {}</title>",
            number.replace('/', "&#x2F;")
        )),
        "{}",
        document.html
    );

    let domains = request(r, "GET", TOKO, "/panel/domains", &owner, None).await;
    let row = domains.text("domain-bank-paid.co.id");
    assert!(
        row.starts_with("bank-paid.co.id customer (customer@toko.localhost)"),
        "{row}"
    );
    // toko registers .co.id before its documents: they are still awaited.
    assert!(row.ends_with("Yes Awaiting documents"), "{row}");

    // A refund needs a reason; then every level gets its money back.
    let bare = request(
        r,
        "POST",
        TOKO,
        "/panel/orders/refund",
        &owner,
        Some(&[("id", &id), ("line", ""), ("reason", "")]),
    )
    .await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bare.text("problem"),
        "Say why (up to 500 characters): the customer will read it."
    );
    let refunded = request(
        r,
        "POST",
        TOKO,
        "/panel/orders/refund",
        &owner,
        Some(&[
            ("id", &id),
            ("line", ""),
            ("reason", "Registered by mistake"),
        ]),
    )
    .await;
    assert_eq!(refunded.status, StatusCode::SEE_OTHER, "{}", refunded.html);
    let page = request(r, "GET", TOKO, &refunded.location, &owner, None).await;
    assert_eq!(
        page.text("notice"),
        "Refunded: every level got back what it paid."
    );
    assert_eq!(page.text("order-state"), "Refunded");
    let own = request(r, "GET", TOKO, "/panel/wallet", &owner, None).await;
    assert_eq!(own.text("balance-available"), "IDR 1,000,000");

    // Its own top-up to the platform, asked from the wallet page.
    let bad = request(
        r,
        "POST",
        TOKO,
        "/panel/wallet/topup",
        &owner,
        Some(&[
            ("bank_account", "bca-idr"),
            ("amount", "two million"),
            ("transfer_reference", "TOKO NOV 2026"),
        ]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.text("problem"),
        "Enter the amount as a number, like 150000 or 49.99."
    );
    assert!(bad.html.contains("value=\"TOKO NOV 2026\""), "kept");
    let asked = request(
        r,
        "POST",
        TOKO,
        "/panel/wallet/topup",
        &owner,
        Some(&[
            ("bank_account", "bca-idr"),
            ("amount", "2,000,000"),
            ("transfer_reference", "TOKO NOV 2026"),
        ]),
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.html);
    let page = request(r, "GET", TOKO, &asked.location, &owner, None).await;
    assert_eq!(
        page.text("notice"),
        "Your top-up request is sent and waits for approval."
    );
    let mine = page
        .html
        .split("id=\"mine-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the request is listed")
        .to_string();
    let row = page.text(&format!("mine-{mine}"));
    assert!(
        row.ends_with("IDR 2,000,000 BCA 000 111 2222 TOKO NOV 2026 Waiting for approval"),
        "{row}"
    );
    let pending = shop
        .orders
        .ledger
        .topups_for_parent(&Party::Platform, true, None, 50)
        .await
        .expect("the platform's list")
        .items;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].amount, Decimal::from(2_000_000));

    // Another storefront's staff find no such order.
    let agen = sign_in(r, "agen.localhost", "owner@agen.localhost").await;
    let page = request(r, "GET", "agen.localhost", &view, &agen, None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = request(
        r,
        "POST",
        "agen.localhost",
        "/panel/orders/refund",
        &agen,
        Some(&[("id", &id), ("reason", "theirs")]),
    )
    .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}
