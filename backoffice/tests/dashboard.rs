//! The dashboard as its staff read it: the period's paid orders and
//! amounts of the storefront and of its sub-reseller, the domains by
//! status, those expiring within 30 days, the wallet and what waits. Every
//! figure comes from the store's counters; the test works each one out
//! from the orders it placed and the ledger, and reads it off the page as
//! a person sees it.

mod common;

use axum::http::StatusCode;
use common::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use storefront_core::ledger::Party;
use storefront_core::money::Money;
use storefront_core::{Currency, Locale};

/// An amount as the page shows it in `lang` (spaces collapsed, as
/// `Page::text` reads them).
fn shown(amount: Decimal, lang: Locale) -> String {
    Money::new(amount, Currency::IDR)
        .format(lang)
        .replace('\u{a0}', " ")
}

fn idr(amount: Decimal) -> String {
    shown(amount, Locale::En)
}

fn gross(order: &Value) -> Decimal {
    order["gross"]["amount"]
        .as_str()
        .expect("gross")
        .parse()
        .expect("a decimal")
}

/// Quote `name` on `host` and order it from the wallet under `key`: the
/// answer's status and the order (with the quote's id as `quote_id`).
async fn order_on(
    shop: &Shop,
    host: &str,
    customer: &str,
    name: &str,
    key: &str,
) -> (StatusCode, Value) {
    let r = &shop.router;
    let items = json!({"items": [{"domain": name, "action": "register", "years": 1}]});
    let (status, quote) =
        api_json(r, "POST", host, "/api/orders/quote", customer, items, &[]).await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let (status, mut o) = place(shop, host, customer, &quote["id"], key).await;
    o["quote_id"] = quote["id"].clone();
    (status, o)
}

/// Order `quote` from the wallet under the idempotency key `key`.
async fn place(
    shop: &Shop,
    host: &str,
    customer: &str,
    quote: &Value,
    key: &str,
) -> (StatusCode, Value) {
    api_json(
        &shop.router,
        "POST",
        host,
        "/api/orders",
        customer,
        json!({"quote": quote, "payment": "wallet"}),
        &[("idempotency-key", key)],
    )
    .await
}

async fn order(shop: &Shop, customer: &str, name: &str) -> Value {
    let (status, o) = order_on(shop, TOKO, customer, name, name).await;
    assert_eq!(status, StatusCode::CREATED, "{o}");
    o
}

async fn account_of(shop: &Shop, host: &str, cookie: &str) -> String {
    let (_, me) = api(
        &shop.router,
        "GET",
        host,
        "/api/accounts/me",
        cookie,
        None,
        &[],
    )
    .await;
    me["id"].as_str().expect("account id").to_string()
}

/// toko's own available balance, from the ledger.
async fn toko_available(shop: &Shop) -> Decimal {
    shop.orders
        .ledger
        .wallet(&Party::reseller("toko"))
        .await
        .expect("read")
        .expect("toko's wallet")
        .balance
        .available()
}

#[tokio::test]
async fn the_dashboard_shows_the_period_the_domains_the_wallet_and_what_waits() {
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let account = account_of(&shop, TOKO, &customer).await;
    credit(&shop, &account, 5_000_000).await;

    // Four paid orders: two .com names (registered), a .co.id name
    // (registered before its documents: awaiting them), and one more .com
    // refunded below.
    let a = order(&shop, &customer, "dasbor-satu.com").await;
    let b = order(&shop, &customer, "dasbor-dua.com").await;
    let c = order(&shop, &customer, "dasbor-tiga.co.id").await;
    let d = order(&shop, &customer, "dasbor-empat.com").await;
    assert_eq!(c["lines"][0]["status"], "active", "{c}");

    // The same order again under the same key: the same order, counted
    // once; and paying it again in the engine changes nothing.
    let (status, again) = place(&shop, TOKO, &customer, &a["quote_id"], "dasbor-satu.com").await;
    assert!(status.is_success(), "{again}");
    assert_eq!(again["id"], a["id"]);
    let a_id = a["id"].as_str().expect("id");
    // Paid already: whatever the engine answers, nothing moves or counts.
    let _ = shop.orders.pay(a_id, "test", false).await;

    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let refunded = request(
        r,
        "POST",
        TOKO,
        "/panel/orders/refund",
        &owner,
        Some(&[
            ("id", d["id"].as_str().expect("id")),
            ("line", ""),
            ("reason", "Ordered by mistake"),
        ]),
    )
    .await;
    assert_eq!(refunded.status, StatusCode::SEE_OTHER, "{}", refunded.html);
    // A refund asked again finds nothing left to refund, and counts nothing.
    shop.orders
        .refund(d["id"].as_str().expect("id"), None, "test", "again")
        .await
        .expect("nothing to refund");

    // Waiting for toko: a top-up, and the .co.id name's documents.
    let (status, t) = api_json(
        r,
        "POST",
        TOKO,
        "/api/wallet/topups",
        &customer,
        json!({"amount": "250000", "bank_account": "bca", "transfer_reference": "DASBOR"}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    let c_id = c["id"].as_str().expect("id");
    let c_line = c["lines"][0]["id"].as_str().expect("line");
    let (status, set) = api(
        r,
        "PUT",
        TOKO,
        &format!("/api/orders/{c_id}/documents/{c_line}/ktp?name=ktp.pdf"),
        &customer,
        Some((
            "application/pdf",
            b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec(),
        )),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");

    let paid = gross(&a) + gross(&b) + gross(&c) + gross(&d);
    let back = gross(&d);
    let home = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(
        home.text("sales-toko"),
        format!(
            "Toko Domain 4 {} {} {}",
            idr(paid),
            idr(back),
            idr(paid - back)
        )
    );
    assert_eq!(home.text("domains-active"), "Active: 2");
    assert_eq!(home.text("domains-expired"), "Expired: 0");
    assert_eq!(
        home.text("domains-awaiting_documents"),
        "Awaiting documents: 1"
    );
    assert_eq!(home.text("domains-deleted"), "Deleted: 1");
    assert_eq!(home.text("expiring"), "Expiring in the next 30 days: 0");
    assert_eq!(
        home.text("wallet-available"),
        format!("Available: {}", idr(toko_available(&shop).await))
    );
    assert_eq!(
        home.text("wallet-low"),
        "",
        "5,000,000 less four wholesale prices is not low"
    );
    assert_eq!(home.text("waiting-topups"), "Top-ups to approve: 1");
    assert_eq!(
        home.text("waiting-documents"),
        "Orders with documents to review: 1"
    );

    // In Indonesian, amounts as Indonesians write them.
    let in_id = request_in("id", r, "GET", TOKO, "/panel/", &owner, None).await;
    assert!(
        in_id.text("sales-toko").contains(&shown(paid, Locale::Id)),
        "{} has {}",
        in_id.text("sales-toko"),
        shown(paid, Locale::Id)
    );

    // The top-up decided: nothing waits any more; deciding it again is
    // refused and counts nothing.
    let id = t["id"].as_str().expect("id");
    let toko = Party::reseller("toko");
    shop.orders
        .ledger
        .decide_topup(&toko, id, false, Some("no transfer".into()), "test")
        .await
        .expect("rejected");
    assert!(
        shop.orders
            .ledger
            .decide_topup(&toko, id, true, None, "test")
            .await
            .is_err()
    );
    let home = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(home.text("waiting-topups"), "Top-ups to approve: 0");

    // 340 days on: the three names still held expire within 30 days (the
    // deleted one does not count); this month has no orders.
    shop.clock.advance(chrono::Duration::days(340));
    let later = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(later.text("expiring"), "Expiring in the next 30 days: 3");
    assert_eq!(later.text("sales-toko"), "Toko Domain 0 IDR 0 IDR 0 IDR 0");
}

#[tokio::test]
async fn a_sub_resellers_orders_appear_under_its_name_on_its_parents_dashboard() {
    let shop = shop().await;
    let r = &shop.router;
    let host = "agen.localhost";
    storefront_functions::accounts::create_demo_customer(
        shop.store.as_ref(),
        "agen",
        "customer@agen.localhost",
        "back-office-test-2026",
        &storefront_functions::accounts::AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("agen's customer");
    let customer = sign_in(r, host, "customer@agen.localhost").await;
    let account = account_of(&shop, host, &customer).await;
    // Listed before it has a wallet (the catalogue's list of sub-resellers).
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let home = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(home.text("sales-agen"), "↳ Agen Web 0 IDR 0 IDR 0 IDR 0");
    let (toko, agen) = (Party::reseller("toko"), Party::reseller("agen"));
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
    let (status, o) = order_on(&shop, host, &customer, "cabang-dasbor.com", "cabang-1").await;
    assert_eq!(status, StatusCode::CREATED, "{o}");
    let g = gross(&o);

    let home = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(home.text("sales-toko"), "Toko Domain 0 IDR 0 IDR 0 IDR 0");
    assert_eq!(
        home.text("sales-agen"),
        format!("↳ Agen Web 1 {} IDR 0 {}", idr(g), idr(g))
    );
    // toko's domains are its own; agen's are agen's.
    assert_eq!(home.text("domains-active"), "Active: 0");
    let theirs = sign_in(r, host, "owner@agen.localhost").await;
    let home = request(r, "GET", host, "/panel/", &theirs, None).await;
    assert_eq!(
        home.text("sales-agen"),
        format!("Agen Web 1 {} IDR 0 {}", idr(g), idr(g))
    );
    assert_eq!(home.text("domains-active"), "Active: 1");
    assert_eq!(home.text("expiring"), "Expiring in the next 30 days: 0");
}

#[tokio::test]
async fn a_period_without_orders_shows_zeros_and_a_period_typed_wrong_says_which_field() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/?period=last_month", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("sales-toko"), "Toko Domain 0 IDR 0 IDR 0 IDR 0");
    assert!(
        page.text("period-line").starts_with("From "),
        "{}",
        page.text("period-line")
    );
    // An empty wallet is low: the warning names the threshold.
    assert_eq!(page.text("wallet-available"), "Available: IDR 0");
    assert_eq!(
        page.text("wallet-low"),
        "Your wallet is running low: below IDR 500,000, orders may stop. Top up"
    );
    assert_eq!(page.text("waiting-topups"), "Top-ups to approve: 0");

    let wrong = request(
        r,
        "GET",
        TOKO,
        "/panel/?period=custom&from=2026-13-01&to=2026-12-31",
        &owner,
        None,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong.text("period-problem"),
        "From: Write the day as YYYY-MM-DD; \"2026-13-01\" is not one."
    );
    assert!(wrong.html.contains("data-field=\"from\""));
    assert_eq!(wrong.text("sales-toko"), "", "no figures for no period");
    let upside = request(
        r,
        "GET",
        TOKO,
        "/panel/?period=custom&from=2026-12-31&to=2026-12-01",
        &owner,
        None,
    )
    .await;
    assert_eq!(upside.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        upside.text("period-problem"),
        "To: The last day comes before the first (2026-12-01): swap them."
    );
    let unknown = request(r, "GET", TOKO, "/panel/?period=yesterday", &owner, None).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        unknown.text("period-problem"),
        "Period: Choose this month, last month or a period from … to …; \"yesterday\" is not one."
    );
    let custom = request(
        r,
        "GET",
        TOKO,
        "/panel/?period=custom&from=2026-01-01&to=2026-01-31",
        &owner,
        None,
    )
    .await;
    assert_eq!(custom.status, StatusCode::OK);
    assert_eq!(
        custom.text("period-line"),
        "From 2026-01-01 to 2026-01-31, both included, in the storefront's days."
    );
}

#[tokio::test]
async fn support_sees_the_domains_and_documents_but_no_money() {
    let shop = shop().await;
    let r = &shop.router;
    storefront_functions::accounts::create_reseller_user(
        shop.store.as_ref(),
        "toko",
        "support@toko.localhost",
        "back-office-test-2026",
        storefront_functions::accounts::Role::Support,
        &storefront_functions::accounts::AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("support");
    let support = sign_in(r, TOKO, "support@toko.localhost").await;
    let home = request(r, "GET", TOKO, "/panel/", &support, None).await;
    assert_eq!(home.status, StatusCode::OK);
    assert_eq!(home.text("domains-active"), "Active: 0");
    assert_eq!(
        home.text("waiting-documents"),
        "Orders with documents to review: 0"
    );
    for hidden in ["sales", "wallet", "wallet-available", "waiting-topups"] {
        assert!(
            !home.html.contains(&format!("id=\"{hidden}\"")),
            "support does not see {hidden}"
        );
    }
}

#[tokio::test]
async fn the_scheduler_moves_domains_between_their_counts_once() {
    use storefront_functions::clock::Clock;
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let account = account_of(&shop, TOKO, &customer).await;
    credit(&shop, &account, 5_000_000).await;
    let kept = order(&shop, &customer, "dasbor-lama.com").await;
    let lapsing = order(&shop, &customer, "dasbor-lewat.co.id").await;
    // Not renewed by itself: it will expire.
    shop.orders
        .set_auto_renew("toko", &account, "dasbor-lama.com", false)
        .await
        .expect("auto-renew off");
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let counts = |p: &Page| {
        ["active", "expired", "awaiting_documents", "deleted"]
            .map(|s| p.text(&format!("domains-{s}")))
            .join(", ")
    };
    let home = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(
        counts(&home),
        "Active: 1, Expired: 0, Awaiting documents: 1, Deleted: 0"
    );

    // The documents never came: the name is deleted and refunded, once
    // however often the scheduler runs.
    let ordered_on = shop.clock.now().date_naive();
    shop.clock.advance(chrono::Duration::days(4));
    let tick = || storefront_functions::scheduler::tick(&shop.orders);
    tick().await.expect("tick");
    tick().await.expect("tick again");
    let home = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(
        counts(&home),
        "Active: 1, Expired: 0, Awaiting documents: 0, Deleted: 1"
    );
    let from = ordered_on - chrono::Days::new(2);
    let to = from + chrono::Days::new(20);
    let period = format!("/panel/?period=custom&from={from}&to={to}");
    let both = gross(&kept) + gross(&lapsing);
    let page = request(r, "GET", TOKO, &period, &owner, None).await;
    assert_eq!(
        page.text("sales-toko"),
        format!(
            "Toko Domain 2 {} {} {}",
            idr(both),
            idr(gross(&lapsing)),
            idr(gross(&kept))
        )
    );

    // A year on, past its expiry: expired, and no longer expiring.
    shop.clock.advance(chrono::Duration::days(370));
    tick().await.expect("tick");
    tick().await.expect("tick again");
    let home = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(
        counts(&home),
        "Active: 0, Expired: 1, Awaiting documents: 0, Deleted: 1"
    );
    assert_eq!(home.text("expiring"), "Expiring in the next 30 days: 0");
}

#[tokio::test]
async fn a_store_older_than_its_counters_starts_them_from_its_lists() {
    use storefront_functions::stats;
    use storefront_functions::store::Condition;
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let account = account_of(&shop, TOKO, &customer).await;
    credit(&shop, &account, 5_000_000).await;
    order(&shop, &customer, "dasbor-dulu.com").await;
    order(&shop, &customer, "dasbor-kemarin.co.id").await;
    let (status, t) = api_json(
        r,
        "POST",
        TOKO,
        "/api/wallet/topups",
        &customer,
        json!({"amount": "100000", "bank_account": "bca", "transfer_reference": "LAMA"}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    // As a store from before the counters: none of them kept.
    for sk in [stats::DOMAINS_SK, stats::WAITING_SK] {
        shop.store
            .delete(&stats::pk("toko"), sk, Condition::None)
            .await
            .expect("deleted");
    }
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let home = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(home.text("domains-active"), "Active: 1");
    assert_eq!(
        home.text("domains-awaiting_documents"),
        "Awaiting documents: 1"
    );
    assert_eq!(home.text("waiting-topups"), "Top-ups to approve: 1");

    // Made again by a change instead of a view: counted from the lists,
    // and the change itself once.
    shop.store
        .delete(&stats::pk("toko"), stats::DOMAINS_SK, Condition::None)
        .await
        .expect("deleted");
    order(&shop, &customer, "dasbor-baru.com").await;
    let home = request(r, "GET", TOKO, "/panel/", &owner, None).await;
    assert_eq!(home.text("domains-active"), "Active: 2");
    assert_eq!(
        home.text("domains-awaiting_documents"),
        "Awaiting documents: 1"
    );
}
