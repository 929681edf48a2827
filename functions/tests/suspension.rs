//! Suspension of a reseller as its customers and the platform's operators
//! meet it: `toko` (a reseller at the platform) is suspended, so its
//! storefront and that of `agen` (its sub-reseller) refuse new orders with a
//! neutral message in the customer's language, while a customer's renewal
//! goes on and moves exactly its price at every level; reinstating opens
//! them again. Wrong changes (twice, or of a reseller not suspended) are
//! refused with a 409.

mod common;
#[path = "common/http.rs"]
mod http;
use http::Resp;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::sync::Arc;
use storefront_core::ledger::Party;
use storefront_core::suspension::SuspensionError;
use storefront_functions::accounts::{self, AccountsConfig, Outbox, Role};
use storefront_functions::app::Services;
use storefront_functions::clock::ManualClock;
use storefront_functions::error::ApiError;
use storefront_functions::ledger::Ledger;
use storefront_functions::ledger::topups::Request as TopUpRequest;
use storefront_functions::orders::Orders;
use storefront_functions::registrar::sandbox::{Sandbox, SandboxConfig};
use storefront_functions::store::Store;
use storefront_functions::suspension::{self, SuspensionFailure};
use tower::ServiceExt;

const TOKO: &str = "toko.example";
const AGEN: &str = "agen.example";
const PASSWORD: &str = "kopi tubruk 1998";
const OPERATOR: &str = "ops@platform.example";
const REASON: &str = "platform invoices unpaid since October";

struct World {
    router: Router,
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    orders: Orders,
    _dir: tempfile::TempDir,
}

fn at(t: &str) -> chrono::DateTime<chrono::Utc> {
    t.parse().expect("time")
}

async fn world() -> World {
    let (store, dir) = common::published_store().await;
    let clock = Arc::new(ManualClock::new(at("2026-11-22T09:00:00Z")));
    let sandbox = Sandbox::new(
        SandboxConfig {
            taken_percent: 0,
            premium_percent: 0,
            ..Default::default()
        },
        store.clone(),
    )
    .with_clock(clock.clone());
    let mut services = Services::with(store.clone(), Arc::new(sandbox));
    services.mailer = Arc::new(Outbox::new(dir.path().join("outbox")));
    services.accounts = AccountsConfig::fast_for_tests();
    services.clock = clock.clone();
    services.blobs = Arc::new(storefront_functions::blobs::LocalBlobs::new(
        dir.path().join("files"),
    ));
    World {
        router: services.router(),
        orders: services.orders(),
        store,
        clock,
        _dir: dir,
    }
}

/// A verified account on a storefront, signed in: (account id, cookie).
async fn person(
    w: &World,
    reseller: &str,
    host: &str,
    email: &str,
    role: Role,
) -> (String, String) {
    let config = AccountsConfig::fast_for_tests();
    let id = match role {
        Role::Customer => {
            accounts::create_demo_customer(w.store.as_ref(), reseller, email, PASSWORD, &config)
                .await
        }
        _ => {
            accounts::create_reseller_user(
                w.store.as_ref(),
                reseller,
                email,
                PASSWORD,
                role,
                &config,
            )
            .await
        }
    }
    .expect("account");
    let req = Request::builder()
        .method("POST")
        .uri("/api/accounts/signin")
        .header("host", host)
        .header("origin", format!("https://{host}"))
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"email": email, "password": PASSWORD}).to_string(),
        ))
        .expect("request");
    let resp = w.router.clone().oneshot(req).await.expect("infallible");
    assert_eq!(resp.status(), StatusCode::OK, "sign-in of {email}");
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    (id.0, cookie)
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// `parent` credits `holder`'s wallet with `amount` (a top-up approved).
async fn credit(ledger: &Ledger, holder: Party, parent: Party, amount: &str) {
    let t = ledger
        .request_topup(TopUpRequest {
            holder,
            parent: parent.clone(),
            currency: storefront_core::Currency::IDR,
            amount: d(amount),
            bank_account: "bca".into(),
            transfer_reference: "test".into(),
            by: "test".into(),
        })
        .await
        .expect("request");
    ledger
        .decide_topup(&parent, &t.id, true, None, "test")
        .await
        .expect("approve");
}

async fn available(w: &World, p: &Party) -> Decimal {
    w.orders
        .ledger
        .wallet(p)
        .await
        .expect("wallet")
        .map(|w| w.balance.available())
        .unwrap_or_default()
}

async fn quote(w: &World, host: &str, cookie: &str, lang: &str, items: Value) -> Resp {
    http::send(
        &w.router,
        "POST",
        host,
        &format!("/api/orders/quote?lang={lang}"),
        cookie,
        Some(json!({"items": items})),
        &[],
    )
    .await
}

async fn place(
    w: &World,
    host: &str,
    cookie: &str,
    quote: &Resp,
    payment: &str,
    key: &str,
) -> Resp {
    assert_eq!(quote.status, StatusCode::OK, "quote: {}", quote.body);
    http::send(
        &w.router,
        "POST",
        host,
        "/api/orders",
        cookie,
        Some(json!({"quote": quote.body["id"], "payment": payment})),
        &[("idempotency-key", key)],
    )
    .await
}

/// The search page's answer for `kopi`, all at once.
async fn search(w: &World, host: &str, lang: &str) -> Value {
    let r = http::send(
        &w.router,
        "GET",
        host,
        &format!("/api/search?q=kopi&lang={lang}"),
        "",
        None,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

fn register(domain: &str) -> Value {
    json!([{"domain": domain, "action": "register", "years": 1}])
}

/// The refusal a customer of a suspended storefront reads: nothing says
/// why.
fn assert_not_taking(r: &Resp, message: &str) {
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let said = String::from_utf8_lossy(&r.raw).to_lowercase();
    assert!(
        !said.contains("suspend") && !said.contains(&REASON.to_lowercase()),
        "{said}"
    );
    assert_eq!(
        r.body,
        json!({"error": "not_taking_orders", "message": message}),
        "{}",
        r.body
    );
}

const EN: &str = "This shop is not taking new orders at the moment.";
const ID: &str = "Toko ini sedang tidak menerima pesanan baru.";

/// The wallets of the chain of an agen customer, and of a toko customer.
async fn wallets(w: &World, parties: &[Party]) -> Vec<Decimal> {
    let mut out = Vec::new();
    for p in parties {
        out.push(available(w, p).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_suspended_reseller_and_its_sub_resellers_refuse_new_orders_but_renew_until_reinstated() {
    let w = world().await;
    let ledger = &w.orders.ledger;
    credit(
        ledger,
        Party::reseller("toko"),
        Party::Platform,
        "100000000",
    )
    .await;
    credit(
        ledger,
        Party::reseller("agen"),
        Party::reseller("toko"),
        "50000000",
    )
    .await;
    let (cid, customer) = person(&w, "agen", AGEN, "budi@example.id", Role::Customer).await;
    let (tid, toko_customer) = person(&w, "toko", TOKO, "sari@example.id", Role::Customer).await;
    let agen_customer = Party::customer("agen", &cid);
    credit(
        ledger,
        agen_customer.clone(),
        Party::reseller("agen"),
        "5000000",
    )
    .await;
    credit(
        ledger,
        Party::customer("toko", &tid),
        Party::reseller("toko"),
        "5000000",
    )
    .await;
    let parties = [
        agen_customer.clone(),
        Party::reseller("agen"),
        Party::reseller("toko"),
        Party::customer("toko", &tid),
    ];

    // Before: budi holds a name on agen (its documents approved, so it
    // renews), and has a quote and a bank-transfer order not paid yet.
    let q = quote(&w, AGEN, &customer, "en", register("warung-budi.co.id")).await;
    let held = place(&w, AGEN, &customer, &q, "wallet", "k-held").await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let id = held.body["id"].as_str().expect("id");
    let (o, _) = w.orders.order(id).await.expect("read").expect("order");
    for l in o.lines.iter().filter(|l| l.documents_pending()) {
        w.orders
            .documents_approved(id, &l.id, "agen-owner")
            .await
            .expect("approved");
    }
    let early_quote = quote(&w, AGEN, &customer, "en", register("pesan-dulu.co.id")).await;
    let q = quote(&w, AGEN, &customer, "en", register("transfer-bank.co.id")).await;
    let unpaid = place(&w, AGEN, &customer, &q, "bank_transfer", "k-unpaid").await;
    assert_eq!(unpaid.status, StatusCode::CREATED, "{}", unpaid.body);
    assert_eq!(unpaid.body["state"], "awaiting_payment");

    // The operator suspends toko.
    let before = wallets(&w, &parties).await;
    let since = at("2026-11-22T09:10:00Z");
    w.clock.set(since);
    let s = suspension::suspend(w.store.as_ref(), "toko", REASON, OPERATOR, since)
        .await
        .expect("suspended");
    assert_eq!(
        (s.reseller.as_str(), s.since, s.by.as_str()),
        ("toko", since, OPERATOR)
    );
    // Quotes and search read the suspensions at most every two seconds;
    // the console forgets them when it changes them, as here. (Placing an
    // order reads them fresh.)
    w.orders.catalogs.forget_suspensions();
    let list = suspension::list(w.store.as_ref()).await.expect("list");
    assert_eq!(list.resellers.len(), 1);
    assert_eq!(list.get("toko").expect("toko").reason, REASON);
    assert_eq!(
        wallets(&w, &parties).await,
        before,
        "a suspension moves no money"
    );

    // toko's storefront refuses a registration in either of its languages;
    // agen's, below it, in English; a transfer in too; and the quote made
    // before the suspension cannot be ordered.
    let r = quote(
        &w,
        TOKO,
        &toko_customer,
        "id",
        register("baru-sekali.co.id"),
    )
    .await;
    assert_not_taking(&r, ID);
    let r = quote(
        &w,
        TOKO,
        &toko_customer,
        "en",
        register("baru-sekali.co.id"),
    )
    .await;
    assert_not_taking(&r, EN);
    let r = quote(&w, AGEN, &customer, "en", register("baru-sekali.co.id")).await;
    assert_not_taking(&r, EN);
    let transfer = json!([{"domain": "pindah.co.id", "action": "transfer", "years": 1, "auth_code": "Xy-123"}]);
    assert_not_taking(&quote(&w, AGEN, &customer, "en", transfer).await, EN);
    let visitor = quote(&w, AGEN, "", "en", register("baru-sekali.co.id")).await;
    assert_not_taking(&visitor, EN);
    // The search page is told, in one field, to offer nothing to order.
    let found = search(&w, TOKO, "id").await;
    assert_eq!(
        (found["ordering"].clone(), found["notice"].clone()),
        (json!(false), json!(ID))
    );
    let found = search(&w, AGEN, "en").await;
    assert_eq!(
        (found["ordering"].clone(), found["notice"].clone()),
        (json!(false), json!(EN))
    );
    // The prices stay, as they are charged (renewals go on).
    assert_eq!(found["results"][1]["domain"], "kopi.co.id");
    assert_eq!(
        found["results"][1]["price"]["display"], "IDR\u{a0}277,500",
        "{found}"
    );
    let late = place(&w, AGEN, &customer, &early_quote, "wallet", "k-late").await;
    assert_not_taking(&late, EN);
    // A cart mixing a renewal with a registration is a new sale.
    let mixed = json!([
        {"domain": "warung-budi.co.id", "action": "renew", "years": 1},
        {"domain": "baru-sekali.co.id", "action": "register", "years": 1},
    ]);
    assert_not_taking(&quote(&w, AGEN, &customer, "en", mixed).await, EN);
    assert_eq!(
        wallets(&w, &parties).await,
        before,
        "nothing refused moved money"
    );

    // budi renews the name he holds: it goes through, and each level pays
    // exactly its price, tax included: the customer 308,025 (277,500 +
    // PPN 11%), agen to toko 279,720 (252,000 + 11%), toko to the platform
    // 266,400 (240,000 + 11%); nobody else's wallet moves.
    let q = quote(
        &w,
        AGEN,
        &customer,
        "en",
        json!([{"domain": "warung-budi.co.id", "action": "renew", "years": 1}]),
    )
    .await;
    let renewed = place(&w, AGEN, &customer, &q, "wallet", "k-renew").await;
    assert_eq!(renewed.status, StatusCode::CREATED, "{}", renewed.body);
    assert_eq!(renewed.body["state"], "completed", "{}", renewed.body);
    assert_eq!(renewed.body["lines"][0]["expires"], "2028-11-22");
    let gross = d(renewed.body["gross"]["amount"].as_str().expect("gross"));
    let renewal_id = renewed.body["id"].as_str().expect("id");
    let (o, _) = w
        .orders
        .order(renewal_id)
        .await
        .expect("read")
        .expect("order");
    let legs: Vec<(Party, Decimal)> = o.lines[0]
        .legs
        .iter()
        .map(|l| (l.payer.clone(), l.amount))
        .collect();
    assert_eq!(legs[0], (agen_customer.clone(), gross));
    let after = wallets(&w, &parties).await;
    assert_eq!(
        after,
        vec![
            before[0] - legs[0].1,
            before[1] - legs[1].1,
            before[2] - legs[2].1,
            before[3],
        ],
        "legs {legs:?}"
    );
    assert_eq!(
        legs.iter().map(|l| l.1).collect::<Vec<_>>(),
        vec![d("308025"), d("279720"), d("266400")],
        "the exact legs: {legs:?}"
    );

    // The order placed before the suspension can still be paid: agen marks
    // the transfer it received.
    let (_, agen_owner) = person(&w, "agen", AGEN, "owner@agen.example", Role::Owner).await;
    let paid = http::send(
        &w.router,
        "POST",
        AGEN,
        &format!(
            "/api/panel/orders/{}/mark-paid",
            unpaid.body["id"].as_str().expect("id")
        ),
        &agen_owner,
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.body["state"], "completed");

    // Suspending toko again, or reinstating agen (never suspended), is
    // refused with a 409 naming what is wrong; an unknown reseller is 404.
    let twice = suspension::suspend(w.store.as_ref(), "toko", "again", "other@platform", since)
        .await
        .expect_err("already suspended");
    assert_eq!(
        twice,
        SuspensionFailure::Refused(SuspensionError::AlreadySuspended {
            reseller: "toko".into(),
            since,
            by: OPERATOR.into(),
        })
    );
    let answer = ApiError::from(twice).into_response();
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    let not = suspension::reinstate(w.store.as_ref(), "agen", OPERATOR, since)
        .await
        .expect_err("not suspended");
    assert_eq!(
        not,
        SuspensionFailure::Refused(SuspensionError::NotSuspended("agen".into()))
    );
    assert_eq!(
        ApiError::from(not).into_response().status(),
        StatusCode::CONFLICT
    );
    let unknown = suspension::suspend(w.store.as_ref(), "nobody", REASON, OPERATOR, since)
        .await
        .expect_err("unknown");
    assert_eq!(
        ApiError::from(unknown).into_response().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        suspension::list(w.store.as_ref())
            .await
            .expect("list")
            .resellers
            .len(),
        1
    );

    // Reinstated: both storefronts take orders again.
    let back = at("2026-11-24T08:00:00Z");
    let lifted = suspension::reinstate(w.store.as_ref(), "toko", "boss@platform", back)
        .await
        .expect("reinstated");
    w.orders.catalogs.forget_suspensions();
    assert_eq!((lifted.since, lifted.reason.as_str()), (since, REASON));
    let q = quote(&w, AGEN, &customer, "en", register("baru-sekali.co.id")).await;
    let again = place(&w, AGEN, &customer, &q, "wallet", "k-again").await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(
        quote(&w, TOKO, &toko_customer, "id", register("toko-baru.co.id"))
            .await
            .status,
        StatusCode::OK
    );
    let found = search(&w, AGEN, "en").await;
    assert_eq!(found["ordering"], true);
    assert!(found.get("notice").is_none(), "{found}");
    let history = suspension::history(w.store.as_ref(), 10)
        .await
        .expect("history");
    assert_eq!(
        history
            .iter()
            .map(|c| (c.action.as_str(), c.reseller.as_str(), c.by.as_str(), c.at))
            .collect::<Vec<_>>(),
        vec![
            ("reinstate", "toko", "boss@platform", back),
            ("suspend", "toko", OPERATOR, since),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn auto_renewal_goes_on_while_the_reseller_above_is_suspended() {
    let w = world().await;
    let ledger = &w.orders.ledger;
    credit(
        ledger,
        Party::reseller("toko"),
        Party::Platform,
        "100000000",
    )
    .await;
    credit(
        ledger,
        Party::reseller("agen"),
        Party::reseller("toko"),
        "50000000",
    )
    .await;
    let (cid, customer) = person(&w, "agen", AGEN, "budi@example.id", Role::Customer).await;
    credit(
        ledger,
        Party::customer("agen", &cid),
        Party::reseller("agen"),
        "5000000",
    )
    .await;
    let q = quote(&w, AGEN, &customer, "en", register("perpanjang.co.id")).await;
    let r = place(&w, AGEN, &customer, &q, "wallet", "k").await;
    assert_eq!(r.body["lines"][0]["expires"], "2027-11-22", "{}", r.body);
    let id = r.body["id"].as_str().expect("id");
    let (o, _) = w.orders.order(id).await.expect("read").expect("order");
    for l in o.lines.iter().filter(|l| l.documents_pending()) {
        w.orders
            .documents_approved(id, &l.id, "agen-owner")
            .await
            .expect("approved");
    }
    suspension::suspend(
        w.store.as_ref(),
        "toko",
        REASON,
        OPERATOR,
        at("2027-01-05T00:00:00Z"),
    )
    .await
    .expect("suspended");
    let before = available(&w, &Party::customer("agen", &cid)).await;
    w.clock.set(at("2027-10-23T06:00:00Z"));
    let report = storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    assert_eq!(
        (report.renewals, report.renewed_from_wallet),
        (1, 1),
        "{report:?}"
    );
    let domain = http::send(
        &w.router,
        "GET",
        AGEN,
        "/api/domains/perpanjang.co.id",
        &customer,
        None,
        &[],
    )
    .await;
    assert_eq!(domain.body["expires"], "2028-11-22", "{}", domain.body);
    assert_eq!(
        before - available(&w, &Party::customer("agen", &cid)).await,
        d("308025"),
        "the renewal's price (277,500 + PPN 11%) left the wallet"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_operators_changing_the_list_at_once_lose_neither_change() {
    let w = world().await;
    let when = at("2026-11-22T09:00:00Z");
    for _ in 0..5 {
        let (a, b) = tokio::join!(
            suspension::suspend(w.store.as_ref(), "toko", REASON, "one@platform", when),
            suspension::suspend(w.store.as_ref(), "agen", REASON, "two@platform", when),
        );
        a.expect("toko suspended");
        b.expect("agen suspended");
        let list = suspension::list(w.store.as_ref()).await.expect("list");
        assert_eq!(
            list.resellers
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            vec!["agen", "toko"]
        );
        let (a, b) = tokio::join!(
            suspension::reinstate(w.store.as_ref(), "toko", "one@platform", when),
            suspension::reinstate(w.store.as_ref(), "agen", "two@platform", when),
        );
        a.expect("toko reinstated");
        b.expect("agen reinstated");
        assert!(
            suspension::list(w.store.as_ref())
                .await
                .expect("list")
                .resellers
                .is_empty()
        );
    }
    // Both at once on the same reseller: one wins, the other is told.
    let (a, b) = tokio::join!(
        suspension::suspend(w.store.as_ref(), "toko", REASON, "one@platform", when),
        suspension::suspend(w.store.as_ref(), "toko", REASON, "two@platform", when),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "exactly one suspends"
    );
    assert_eq!(
        suspension::history(w.store.as_ref(), 100)
            .await
            .expect("history")
            .len(),
        21
    );
}
