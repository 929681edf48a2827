//! Money through the API as the storefronts call it: top-ups approved up the
//! chain, orders paid from the wallet with every leg held at once, the
//! registry's answers (done, refused, lost), refunds, idempotency keys,
//! price changes, bank transfers, renewals and invoices. The fixture sites
//! are `toko` (a reseller at the platform) and `agen` (toko's sub-reseller),
//! so an `agen` customer's order has three legs.

mod common;
#[path = "common/http.rs"]
mod http;
use http::Resp;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use storefront_core::ledger::Party;
use storefront_functions::accounts::{self, AccountsConfig, Outbox, Role};
use storefront_functions::app::Services;
use storefront_functions::clock::ManualClock;
use storefront_functions::ledger::Ledger;
use storefront_functions::ledger::topups::Request as TopUpRequest;
use storefront_functions::orders::Orders;
use storefront_functions::registrar::sandbox::{
    Fault, FaultKind, FaultTarget, Sandbox, SandboxConfig,
};
use storefront_functions::store::Store;
use tower::ServiceExt;

const TOKO: &str = "toko.example";
const AGEN: &str = "agen.example";
const PASSWORD: &str = "kopi tubruk 1998";
/// What the platform credits toko, and toko credits agen, in `funded`.
const TOKO_FUNDS: &str = "100000000";
const AGEN_FUNDS: &str = "50000000";

struct World {
    router: Router,
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    orders: Orders,
    outbox: PathBuf,
    _dir: tempfile::TempDir,
}

fn start() -> chrono::DateTime<chrono::Utc> {
    "2026-11-22T09:00:00Z".parse().expect("time")
}

async fn world(faults: Vec<Fault>) -> World {
    world_with(SandboxConfig {
        taken_percent: 0,
        premium_percent: 0,
        faults,
        ..Default::default()
    })
    .await
}

async fn world_with(config: SandboxConfig) -> World {
    let (store, dir) = common::published_store().await;
    let clock = Arc::new(ManualClock::new(start()));
    let sandbox = Sandbox::new(config, store.clone()).with_clock(clock.clone());
    let mut services = Services::with(store.clone(), Arc::new(sandbox));
    let outbox = dir.path().join("outbox");
    services.mailer = Arc::new(Outbox::new(&outbox));
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
        outbox,
        _dir: dir,
    }
}

async fn send(
    w: &World,
    method: &str,
    host: &str,
    path: &str,
    cookie: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Resp {
    http::send(&w.router, method, host, path, cookie, body, headers).await
}

async fn get(w: &World, host: &str, path: &str, cookie: &str) -> Resp {
    send(w, "GET", host, path, cookie, None, &[]).await
}

async fn post(w: &World, host: &str, path: &str, cookie: &str, body: Value) -> Resp {
    send(w, "POST", host, path, cookie, Some(body), &[]).await
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

fn dec(v: &Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("a decimal string, not {v}"))
        .parse()
        .expect("decimal")
}

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// The platform credits a top reseller (as `storefront topups approve` does).
async fn platform_funds(ledger: &Ledger, reseller: &str, amount: &str) {
    let t = ledger
        .request_topup(TopUpRequest {
            holder: Party::reseller(reseller),
            parent: Party::Platform,
            currency: storefront_core::Currency::IDR,
            amount: d(amount),
            bank_account: "bca".into(),
            transfer_reference: "platform test".into(),
            by: "test".into(),
        })
        .await
        .expect("request");
    ledger
        .decide_topup(&Party::Platform, &t.id, true, None, "platform")
        .await
        .expect("approve");
}

/// toko approves a transfer of `amount` from its customer `account`.
async fn toko_credits(w: &World, account: &str, amount: &str) {
    let t = w
        .orders
        .ledger
        .request_topup(TopUpRequest {
            holder: Party::customer("toko", account),
            parent: Party::reseller("toko"),
            currency: storefront_core::Currency::IDR,
            amount: d(amount),
            bank_account: "bca".into(),
            transfer_reference: format!("transfer of {account}"),
            by: account.to_string(),
        })
        .await
        .expect("request");
    w.orders
        .ledger
        .decide_topup(&Party::reseller("toko"), &t.id, true, None, "toko")
        .await
        .expect("approve");
}

/// Every wallet's counters agree with its own ledger.
async fn assert_ledgers_exact(w: &World, parties: &[Party]) {
    for p in parties {
        let Some(wallet) = w.orders.ledger.wallet(p).await.expect("wallet") else {
            continue;
        };
        assert!(wallet.balance.consistent(), "{p:?}: {:?}", wallet.balance);
        let entries = w.orders.ledger.all_entries(p).await.expect("entries");
        let posted: Decimal = entries.iter().map(|e| e.kind.posted(e.amount)).sum();
        assert_eq!(
            posted, wallet.balance.posted,
            "{p:?}: ledger total = balance + holds"
        );
        let held: Decimal = entries
            .iter()
            .map(|e| match e.kind {
                storefront_core::ledger::EntryKind::Hold => e.amount,
                storefront_core::ledger::EntryKind::Capture
                | storefront_core::ledger::EntryKind::Release => -e.amount,
                _ => Decimal::ZERO,
            })
            .sum();
        assert_eq!(held, wallet.balance.held, "{p:?}: holds from the ledger");
    }
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

/// A world where toko is funded by the platform, agen by toko (through the
/// panel), and an agen customer by agen (through the panel): the path a
/// storefront takes. Returns (customer id, customer cookie, agen owner cookie).
async fn funded(w: &World, customer_amount: &str) -> (String, String, String) {
    platform_funds(&w.orders.ledger, "toko", TOKO_FUNDS).await;
    let (_, toko_owner) = person(w, "toko", TOKO, "owner@toko.example", Role::Owner).await;
    let (_, agen_owner) = person(w, "agen", AGEN, "owner@agen.example", Role::Owner).await;
    // agen asks toko for a top-up; toko's owner approves it in its panel.
    let wallet = get(w, AGEN, "/api/panel/wallet", &agen_owner).await;
    assert_eq!(wallet.status, StatusCode::OK, "{}", wallet.body);
    let bank = wallet.body["parent"]["bank_accounts"][0]["id"]
        .as_str()
        .expect("toko's bank account")
        .to_string();
    let t = post(
        w,
        AGEN,
        "/api/panel/wallet/topups",
        &agen_owner,
        json!({"amount": AGEN_FUNDS, "bank_account": bank, "transfer_reference": "AGEN-001"}),
    )
    .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
    let id = t.body["id"].as_str().expect("id").to_string();
    let pending = get(w, TOKO, "/api/panel/topups", &toko_owner).await;
    assert!(
        pending
            .body
            .as_array()
            .expect("list")
            .iter()
            .any(|t| t["id"] == id.as_str()),
        "toko sees agen's top-up: {}",
        pending.body
    );
    let ok = post(
        w,
        TOKO,
        &format!("/api/panel/topups/{id}/approve"),
        &toko_owner,
        json!({}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    // The customer asks agen; agen's owner approves.
    let (cid, customer) = person(w, "agen", AGEN, "budi@example.id", Role::Customer).await;
    let wallet = get(w, AGEN, "/api/wallet", &customer).await;
    let bank = wallet.body["bank_accounts"][0]["id"]
        .as_str()
        .expect("agen's bank account")
        .to_string();
    let t = post(
        w,
        AGEN,
        "/api/wallet/topups",
        &customer,
        json!({"amount": customer_amount, "bank_account": bank, "transfer_reference": "BUDI 22/11"}),
    )
    .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
    let id = t.body["id"].as_str().expect("id").to_string();
    let ok = post(
        w,
        AGEN,
        &format!("/api/panel/topups/{id}/approve"),
        &agen_owner,
        json!({}),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    (cid, customer, agen_owner)
}

async fn order(w: &World, cookie: &str, items: Value, payment: &str, key: &str) -> Resp {
    let q = post(
        w,
        AGEN,
        "/api/orders/quote",
        cookie,
        json!({"items": items}),
    )
    .await;
    assert_eq!(q.status, StatusCode::OK, "quote: {}", q.body);
    let quote = q.body["id"].as_str().expect("quote id").to_string();
    send(
        w,
        "POST",
        AGEN,
        "/api/orders",
        cookie,
        Some(json!({"quote": quote, "payment": payment})),
        &[("idempotency-key", key)],
    )
    .await
}

/// The registrant's documents approved by the storefront's staff (their
/// upload and review are tested in the back office's tests): on agen, which
/// registers .co.id first, a name otherwise stays awaiting them and is not
/// renewed.
async fn documents_approved(w: &World, order: &Value) {
    let id = order["id"].as_str().expect("an order id");
    let (o, _) = w.orders.order(id).await.expect("read").expect("the order");
    for l in o.lines.iter().filter(|l| l.documents_pending()) {
        w.orders
            .documents_approved(id, &l.id, "agen-owner")
            .await
            .expect("approved");
    }
}

fn chain(customer: &str) -> Vec<Party> {
    vec![
        Party::customer("agen", customer),
        Party::reseller("agen"),
        Party::reseller("toko"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_tops_up_orders_and_every_level_pays_exactly_its_price() {
    let w = world(vec![]).await;
    let (cid, customer, agen_owner) = funded(&w, "1000000").await;
    assert_eq!(
        available(&w, &Party::customer("agen", &cid)).await,
        d("1000000")
    );
    // The customer is told the top-up was approved.
    let mails = std::fs::read_dir(&w.outbox).map(|d| d.count()).unwrap_or(0);
    assert!(mails >= 1, "a notification was sent");

    let r = order(
        &w,
        &customer,
        json!([{"domain": "warung-budi.co.id", "action": "register", "years": 2}]),
        "wallet",
        "k-1",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["state"], "completed");
    assert_eq!(r.body["lines"][0]["status"], "active");
    assert_eq!(r.body["lines"][0]["expires"], "2028-11-22");
    assert!(
        r.body.get("legs").is_none(),
        "a customer never sees the levels' costs"
    );
    let gross = dec(&r.body["gross"]["amount"]);
    let id = r.body["id"].as_str().expect("id").to_string();
    documents_approved(&w, &r.body).await;

    // The reseller sees the legs: what each level paid.
    let p = get(&w, AGEN, &format!("/api/panel/orders/{id}"), &agen_owner).await;
    let legs = &p.body["legs"][0]["legs"];
    assert_eq!(legs.as_array().map(Vec::len), Some(3), "{}", p.body);
    let leg = |i: usize| dec(&legs[i]["amount"]);
    assert_eq!(leg(0), gross);
    assert_eq!(
        available(&w, &Party::customer("agen", &cid)).await,
        d("1000000") - gross
    );
    assert_eq!(
        available(&w, &Party::reseller("agen")).await,
        d(AGEN_FUNDS) - leg(1)
    );
    assert_eq!(
        available(&w, &Party::reseller("toko")).await,
        d(TOKO_FUNDS) - leg(2)
    );
    assert!(
        leg(0) >= leg(1) && leg(1) >= leg(2),
        "nobody sells below cost"
    );
    assert_ledgers_exact(&w, &chain(&cid)).await;

    // The domain is in the customer's list, active, with its expiry; and in
    // the reseller's.
    let domains = get(&w, AGEN, "/api/domains", &customer).await;
    assert_eq!(
        domains.body["domains"][0]["name"], "warung-budi.co.id",
        "{}",
        domains.body
    );
    assert_eq!(domains.body["domains"][0]["status"], "active");
    let list = domains.body["domains"][0]["status"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(domains.body["counts"][list], 1, "counted in its list");
    let list = get(&w, AGEN, "/api/panel/orders", &agen_owner).await;
    assert_eq!(
        list.body[0]["customer_card"]["email"], "budi@example.id",
        "{}",
        list.body
    );
    let customers = get(&w, AGEN, "/api/panel/customers", &agen_owner).await;
    assert!(
        customers
            .body
            .as_array()
            .expect("list")
            .iter()
            .any(|c| c["customer"]["email"] == "budi@example.id"),
        "{}",
        customers.body
    );
    let all = get(&w, AGEN, "/api/panel/domains", &agen_owner).await;
    assert_eq!(all.body["domains"].as_array().map(Vec::len), Some(1));
    assert_eq!(all.body["counts"]["active"], 1, "{}", all.body);
    let deleted = get(&w, AGEN, "/api/panel/domains?status=deleted", &agen_owner).await;
    assert_eq!(deleted.body["domains"], json!([]), "{}", deleted.body);
    let bad = get(&w, AGEN, "/api/panel/domains?status=gone", &agen_owner).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["field"], "status", "{}", bad.body);

    // A tax invoice was issued, numbered from 1, as HTML and PDF.
    let order = get(&w, AGEN, &format!("/api/orders/{id}"), &customer).await;
    let number = order.body["invoice"]
        .as_str()
        .expect("an invoice")
        .to_string();
    assert!(number.ends_with("/2026/000001"), "{number}");
    let enc = number.replace('/', "%2F");
    let html = get(&w, AGEN, &format!("/api/invoices/{enc}"), &customer).await;
    assert_eq!(html.status, StatusCode::OK);
    // (tera escapes the slashes of the number in HTML)
    let page = String::from_utf8_lossy(&html.raw).replace("&#x2F;", "/");
    assert!(page.contains(&number), "{page}");
    let pdf = get(
        &w,
        AGEN,
        &format!("/api/invoices/{enc}?format=pdf"),
        &customer,
    )
    .await;
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.raw.starts_with(b"%PDF-"));
    // Another customer cannot read it.
    let (_, other) = person(&w, "agen", AGEN, "siti@example.id", Role::Customer).await;
    let denied = get(&w, AGEN, &format!("/api/invoices/{enc}"), &other).await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND);
    let denied = get(&w, AGEN, &format!("/api/orders/{id}"), &other).await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idempotency_key_takes_effect_once() {
    let w = world(vec![]).await;
    let (cid, customer, _) = funded(&w, "1000000").await;
    let q = post(
        &w,
        AGEN,
        "/api/orders/quote",
        &customer,
        json!({"items": [{"domain": "kopi-kenangan.co.id", "action": "register", "years": 1}]}),
    )
    .await;
    let quote = q.body["id"].as_str().expect("quote").to_string();
    let body = json!({"quote": quote, "payment": "wallet"});
    // Ten concurrent submissions with one key, then a late retry.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (w2, c, b) = (w.router.clone(), customer.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let req = Request::builder()
                .method("POST")
                .uri("/api/orders")
                .header("host", AGEN)
                .header("origin", format!("https://{AGEN}"))
                .header("cookie", c)
                .header("content-type", "application/json")
                .header("idempotency-key", "same-key")
                .body(Body::from(b.to_string()))
                .expect("request");
            let resp = w2.oneshot(req).await.expect("infallible");
            let status = resp.status();
            let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .expect("body");
            let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            (status, v["id"].as_str().map(str::to_string))
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for t in tasks {
        let (status, id) = t.await.expect("task");
        assert!(status.is_success(), "{status}");
        ids.insert(id.expect("an order id"));
    }
    assert_eq!(ids.len(), 1, "one order for one key");
    let retry = send(
        &w,
        "POST",
        AGEN,
        "/api/orders",
        &customer,
        Some(body),
        &[("idempotency-key", "same-key")],
    )
    .await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(retry.body["id"].as_str(), ids.first().map(String::as_str));
    assert_eq!(retry.body["state"], "completed");
    let other = send(
        &w,
        "POST",
        AGEN,
        "/api/orders",
        &customer,
        Some(json!({"quote": quote, "payment": "bank_transfer"})),
        &[("idempotency-key", "same-key")],
    )
    .await;
    assert_eq!(
        other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        other.body
    );
    assert_eq!(other.body["error"], "idempotency_key_reused");
    let missing = send(
        &w,
        "POST",
        AGEN,
        "/api/orders",
        &customer,
        Some(json!({"quote": quote, "payment": "wallet"})),
        &[],
    )
    .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body["field"], "Idempotency-Key");
    // Charged once.
    let holds = w
        .orders
        .ledger
        .all_entries(&Party::customer("agen", &cid))
        .await
        .expect("entries")
        .into_iter()
        .filter(|e| e.kind == storefront_core::ledger::EntryKind::Capture)
        .count();
    assert_eq!(holds, 1);
    assert_ledgers_exact(&w, &chain(&cid)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn short_wallets_hold_nothing_and_say_whose_fault_it_is_to_the_right_person() {
    let w = world(vec![]).await;
    let (_, toko_owner) = person(&w, "toko", TOKO, "owner@toko.example", Role::Owner).await;
    let _ = toko_owner;
    let (cid, customer) = person(&w, "agen", AGEN, "budi@example.id", Role::Customer).await;
    // The customer's own wallet is empty: 402, in their language.
    let r = order(
        &w,
        &customer,
        json!([{"domain": "toko-roti.co.id", "action": "register", "years": 1}]),
        "wallet",
        "a",
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "{}", r.body);
    assert_eq!(r.body["error"], "insufficient_balance");
    // Fund the customer but not agen: a neutral message; agen is told.
    let (_, agen_owner) = person(&w, "agen", AGEN, "owner@agen.example", Role::Owner).await;
    let wallet = get(&w, AGEN, "/api/wallet", &customer).await;
    let bank = wallet.body["bank_accounts"][0]["id"]
        .as_str()
        .expect("bank")
        .to_string();
    let t = post(
        &w,
        AGEN,
        "/api/wallet/topups",
        &customer,
        json!({"amount": "900000", "bank_account": bank, "transfer_reference": "x"}),
    )
    .await;
    let id = t.body["id"].as_str().expect("id").to_string();
    post(
        &w,
        AGEN,
        &format!("/api/panel/topups/{id}/approve"),
        &agen_owner,
        json!({}),
    )
    .await;
    let r = order(
        &w,
        &customer,
        json!([{"domain": "toko-roti.co.id", "action": "register", "years": 1}]),
        "wallet",
        "b",
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.body["error"], "seller_unavailable");
    let msg = r.body["message"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        !msg.contains("agen") && !msg.contains("wallet") && !msg.contains("saldo"),
        "neutral: {msg}"
    );
    let mails: Vec<String> = std::fs::read_dir(&w.outbox)
        .expect("outbox")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    assert!(
        mails.iter().any(|m| m.contains("Wallet too low")),
        "agen is notified"
    );
    // Nothing is held anywhere.
    for p in chain(&cid) {
        if let Some(wl) = w.orders.ledger.wallet(&p).await.expect("wallet") {
            assert_eq!(wl.balance.held, Decimal::ZERO, "{p:?}");
        }
    }
    assert_eq!(
        available(&w, &Party::customer("agen", &cid)).await,
        d("900000")
    );
    assert_ledgers_exact(&w, &chain(&cid)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_registration_releases_every_leg_and_says_why() {
    let w = world(vec![Fault {
        on: FaultTarget::Domains(vec!["ditolak.co.id".into()]),
        kind: FaultKind::Refuse("the registry refused the name".into()),
        times: None,
    }])
    .await;
    let (cid, customer, _) = funded(&w, "1000000").await;
    let before: Vec<Decimal> = futures_available(&w, &cid).await;
    let r = order(
        &w,
        &customer,
        json!([{"domain": "ditolak.co.id", "action": "register", "years": 1}]),
        "wallet",
        "k",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["state"], "failed");
    assert_eq!(r.body["lines"][0]["status"], "failed");
    assert_eq!(
        r.body["lines"][0]["reason"],
        "the registry refused the name"
    );
    assert_eq!(
        futures_available(&w, &cid).await,
        before,
        "every leg released"
    );
    assert_eq!(r.body["invoice"], Value::Null, "nothing to invoice");
    assert_ledgers_exact(&w, &chain(&cid)).await;
}

async fn futures_available(w: &World, cid: &str) -> Vec<Decimal> {
    let mut out = Vec::new();
    for p in chain(cid) {
        out.push(available(w, &p).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lost_answer_is_looked_up_before_anything_is_sent_again() {
    let w = world(vec![Fault {
        on: FaultTarget::Domains(vec!["hilang.co.id".into()]),
        kind: FaultKind::TimeoutAfterApply,
        times: Some(1),
    }])
    .await;
    let (cid, customer, _) = funded(&w, "1000000").await;
    let r = order(
        &w,
        &customer,
        json!([{"domain": "hilang.co.id", "action": "register", "years": 1}]),
        "wallet",
        "k",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["state"], "provisioning", "{}", r.body);
    let id = r.body["id"].as_str().expect("id").to_string();
    // Too early: the call might still be in flight, so nothing happens.
    let report = storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    assert_eq!(report.settled, 0);
    w.clock.advance(chrono::Duration::minutes(3));
    let report = storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    assert_eq!(report.settled, 1);
    let o = get(&w, AGEN, &format!("/api/orders/{id}"), &customer).await;
    assert_eq!(o.body["state"], "completed", "{}", o.body);
    assert_eq!(o.body["lines"][0]["status"], "active");
    // Captured once: one capture entry per wallet, and held back to zero.
    for p in chain(&cid) {
        let caps = w
            .orders
            .ledger
            .all_entries(&p)
            .await
            .expect("entries")
            .into_iter()
            .filter(|e| e.kind == storefront_core::ledger::EntryKind::Capture)
            .count();
        assert_eq!(caps, 1, "{p:?}");
    }
    assert_ledgers_exact(&w, &chain(&cid)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_reverses_exactly_the_captured_legs_once() {
    let w = world(vec![]).await;
    let (cid, customer, agen_owner) = funded(&w, "1000000").await;
    let before = futures_available(&w, &cid).await;
    let r = order(
        &w,
        &customer,
        json!([{"domain": "kembali.co.id", "action": "register", "years": 1}]),
        "wallet",
        "k",
    )
    .await;
    let id = r.body["id"].as_str().expect("id").to_string();
    assert_ne!(futures_available(&w, &cid).await, before);
    let path = format!("/api/panel/orders/{id}/refund");
    // A customer cannot refund.
    let denied = post(&w, AGEN, &path, &customer, json!({"reason": "x"})).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let (a, b) = tokio::join!(
        post(
            &w,
            AGEN,
            &path,
            &agen_owner,
            json!({"reason": "ordered by mistake"})
        ),
        post(
            &w,
            AGEN,
            &path,
            &agen_owner,
            json!({"reason": "ordered by mistake"})
        ),
    );
    assert!(
        a.status.is_success() && b.status.is_success(),
        "{} {}",
        a.body,
        b.body
    );
    assert_eq!(
        futures_available(&w, &cid).await,
        before,
        "every level made whole"
    );
    let again = post(&w, AGEN, &path, &agen_owner, json!({"reason": "again"})).await;
    assert!(again.status == StatusCode::OK || again.status == StatusCode::CONFLICT);
    assert_eq!(futures_available(&w, &cid).await, before, "and only once");
    assert_ledgers_exact(&w, &chain(&cid)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_changed_price_list_requotes_and_waits_for_confirmation() {
    let w = world(vec![]).await;
    let (_, customer, _) = funded(&w, "1000000").await;
    let q = post(
        &w,
        AGEN,
        "/api/orders/quote",
        &customer,
        json!({"items": [{"domain": "harga-baru.co.id", "action": "register", "years": 1}]}),
    )
    .await;
    let quote = q.body["id"].as_str().expect("id").to_string();
    // Publish a changed price list for agen (a new version).
    let mut s = storefront_functions::catalog::current(w.store.as_ref(), "agen")
        .await
        .expect("read")
        .expect("published");
    for g in s.prices.groups.values_mut() {
        if let Some(e) = g.get_mut("co.id") {
            for periods in e.actions.values_mut() {
                for p in periods {
                    p.price += d("1000");
                }
            }
        }
    }
    s.version = format!("{}-changed", s.version);
    storefront_functions::catalog::publish(w.store.as_ref(), &[s], |_| vec![])
        .await
        .expect("publish");
    // The storefront's snapshot is cached for two seconds per process.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = send(
        &w,
        "POST",
        AGEN,
        "/api/orders",
        &customer,
        Some(json!({"quote": quote, "payment": "wallet"})),
        &[("idempotency-key", "p1")],
    )
    .await;
    if r.status == StatusCode::CONFLICT {
        assert_eq!(r.body["error"], "price_changed", "{}", r.body);
        let new = &r.body["quote"];
        assert!(dec(&new["gross"]["amount"]) > dec(&q.body["gross"]["amount"]));
        let ok = send(
            &w,
            "POST",
            AGEN,
            "/api/orders",
            &customer,
            Some(json!({"quote": new["id"], "payment": "wallet"})),
            &[("idempotency-key", "p2")],
        )
        .await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
        assert_eq!(ok.body["gross"], new["gross"]);
    } else {
        panic!("expected a re-quote, got {} {}", r.status, r.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bank_transfer_waits_with_a_proforma_until_the_reseller_marks_it_paid() {
    let w = world(vec![]).await;
    let (cid, customer, agen_owner) = funded(&w, "1").await;
    let r = order(
        &w,
        &customer,
        json!([{"domain": "transfer-bank.co.id", "action": "register", "years": 1}]),
        "bank_transfer",
        "k",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["state"], "awaiting_payment");
    assert_eq!(r.body["due"], "2026-11-29");
    let proforma = r.body["proforma"].as_str().expect("a proforma");
    assert!(proforma.starts_with("PRO/2026/"), "{proforma}");
    let id = r.body["id"].as_str().expect("id").to_string();
    let paid = post(
        &w,
        AGEN,
        &format!("/api/panel/orders/{id}/mark-paid"),
        &agen_owner,
        json!({}),
    )
    .await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.body["state"], "completed");
    // The transfer went to the reseller's bank: the customer's wallet is as it was.
    assert_eq!(available(&w, &Party::customer("agen", &cid)).await, d("1"));
    // Marking paid twice moves nothing more.
    let again = post(
        &w,
        AGEN,
        &format!("/api/panel/orders/{id}/mark-paid"),
        &agen_owner,
        json!({}),
    )
    .await;
    assert!(again.status.is_success() || again.status == StatusCode::CONFLICT);
    assert_ledgers_exact(&w, &chain(&cid)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn renewals_come_before_expiry_and_auto_renew_pays_from_the_wallet() {
    let w = world(vec![]).await;
    let (cid, customer, _) = funded(&w, "5000000").await;
    let r = order(
        &w,
        &customer,
        json!([{"domain": "perpanjang.co.id", "action": "register", "years": 1}]),
        "wallet",
        "k",
    )
    .await;
    assert_eq!(r.body["lines"][0]["expires"], "2027-11-22");
    documents_approved(&w, &r.body).await;
    // December: agen's November purchases become toko's monthly invoice to
    // agen, once.
    w.clock.set("2026-12-01T01:00:00Z".parse().expect("time"));
    let report = storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    assert!(report.monthly_invoices >= 1, "{report:?}");
    let report = storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    assert_eq!(report.monthly_invoices, 0, "{report:?}");
    // What agen's wallet paid toko in November is the monthly invoice's
    // total: the plan price, net, and toko's PPN 11% on top.
    let agen = Party::reseller("agen");
    let november = w
        .orders
        .ledger
        .month(&agen, "2026-11")
        .await
        .expect("month");
    let debited: Decimal = november
        .iter()
        .filter(|e| e.kind == storefront_core::ledger::EntryKind::Capture)
        .map(|e| e.amount)
        .sum();
    let tax: Decimal = november.iter().filter_map(|e| e.tax).sum();
    assert_eq!(
        (debited - tax) * d("0.11"),
        tax,
        "agen pays toko's PPN on its purchases: {november:?}"
    );
    let monthly = storefront_functions::invoices::of(w.store.as_ref(), &agen, None, 50)
        .await
        .expect("invoices");
    let monthly: Vec<Decimal> = monthly
        .items
        .iter()
        .filter(|i| i["kind"] == "monthly-tax")
        .map(|i| dec(&i["gross"]))
        .collect();
    assert_eq!(
        monthly,
        vec![debited],
        "one monthly invoice, for what the wallet paid"
    );
    // 31 days before expiry: nothing yet. 30 days before: the renewal.
    w.clock.set("2027-10-22T06:00:00Z".parse().expect("time"));
    let report = storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    assert_eq!(report.renewals, 0, "{report:?}");
    w.clock.set("2027-10-23T06:00:00Z".parse().expect("time"));
    let report = storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    assert_eq!(
        (report.renewals, report.renewed_from_wallet),
        (1, 1),
        "{report:?}"
    );
    // A second tick makes no second renewal.
    let report = storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    assert_eq!(report.renewals, 0);
    let d = get(&w, AGEN, "/api/domains/perpanjang.co.id", &customer).await;
    assert_eq!(d.body["expires"], "2028-11-22", "{}", d.body);
    assert_eq!(d.body["status"], "active");
    // Invoices are numbered without gaps: the registration's, the renewal's.
    let invoices = get(&w, AGEN, "/api/invoices", &customer).await;
    let mut numbers: Vec<String> = invoices
        .body
        .as_array()
        .expect("list")
        .iter()
        .filter(|i| i["kind"] == "tax")
        .map(|i| i["number"].as_str().unwrap_or_default().to_string())
        .collect();
    numbers.sort();
    assert_eq!(numbers.len(), 2, "{}", invoices.body);
    assert!(
        numbers[0].ends_with("/2026/000001") && numbers[1].ends_with("/2027/000001"),
        "{numbers:?}"
    );
    // Auto-renew off, and the year after: the renewal waits for payment,
    // then the domain expires.
    let off = send(
        &w,
        "PATCH",
        AGEN,
        "/api/domains/perpanjang.co.id",
        &customer,
        Some(json!({"auto_renew": false})),
        &[],
    )
    .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    w.clock.set("2028-10-25T06:00:00Z".parse().expect("time"));
    let report = storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    assert_eq!((report.renewals, report.renewed_from_wallet), (1, 0));
    w.clock.set("2028-11-23T06:00:00Z".parse().expect("time"));
    let report = storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    assert_eq!(report.expired, 1);
    assert_eq!(
        report.cancelled, 1,
        "the unpaid renewal lapses with the domain"
    );
    let d = get(&w, AGEN, "/api/domains/perpanjang.co.id", &customer).await;
    assert_eq!(d.body["status"], "expired");
    assert_ledgers_exact(&w, &chain(&cid)).await;
    let toko_invoices =
        storefront_functions::invoices::of(w.store.as_ref(), &Party::reseller("agen"), None, 50)
            .await
            .expect("list")
            .items;
    assert!(
        toko_invoices.iter().any(|i| i["kind"] == "monthly-tax"),
        "{toko_invoices:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn top_ups_are_checked_decided_once_and_proofs_are_sniffed() {
    let w = world(vec![]).await;
    let (cid, customer) = person(&w, "agen", AGEN, "budi@example.id", Role::Customer).await;
    let (_, agen_owner) = person(&w, "agen", AGEN, "owner@agen.example", Role::Owner).await;
    let wallet = get(&w, AGEN, "/api/wallet", &customer).await;
    let bank = wallet.body["bank_accounts"][0]["id"]
        .as_str()
        .expect("bank")
        .to_string();
    for (body, field) in [
        (
            json!({"amount": "-5", "bank_account": bank, "transfer_reference": "x"}),
            "amount",
        ),
        (
            json!({"amount": "10.5", "bank_account": bank, "transfer_reference": "x"}),
            "amount",
        ),
        (
            json!({"amount": "1e3", "bank_account": bank, "transfer_reference": "x"}),
            "amount",
        ),
        (
            json!({"amount": "1000", "bank_account": "elsewhere", "transfer_reference": "x"}),
            "bank_account",
        ),
        (
            json!({"amount": "1000", "bank_account": bank, "transfer_reference": ""}),
            "transfer_reference",
        ),
    ] {
        let r = post(&w, AGEN, "/api/wallet/topups", &customer, body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.body["field"], field);
    }
    let t = post(
        &w,
        AGEN,
        "/api/wallet/topups",
        &customer,
        // As a person types it on an Indonesian storefront.
        json!({"amount": "Rp 250.000", "bank_account": bank, "transfer_reference": "BUDI"}),
    )
    .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
    assert_eq!(t.body["amount"], "250000", "{}", t.body);
    let id = t.body["id"].as_str().expect("id").to_string();
    // A proof must be a PDF, PNG or JPEG by its bytes.
    let html = send(
        &w,
        "PUT",
        AGEN,
        &format!("/api/wallet/topups/{id}/proof"),
        &customer,
        None,
        &[],
    )
    .await;
    assert_eq!(html.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let req = Request::builder()
        .method("PUT")
        .uri(format!("/api/wallet/topups/{id}/proof"))
        .header("host", AGEN)
        .header("origin", format!("https://{AGEN}"))
        .header("cookie", &customer)
        .body(Body::from(b"%PDF-1.7\n%proof".to_vec()))
        .expect("request");
    let resp = w.router.clone().oneshot(req).await.expect("infallible");
    assert_eq!(resp.status(), StatusCode::OK);
    let proof = get(
        &w,
        AGEN,
        &format!("/api/panel/topups/{id}/proof"),
        &agen_owner,
    )
    .await;
    assert_eq!(proof.status, StatusCode::OK);
    assert!(proof.raw.starts_with(b"%PDF-"));
    // A customer cannot approve; the owner approves once, concurrently too.
    let denied = post(
        &w,
        AGEN,
        &format!("/api/panel/topups/{id}/approve"),
        &customer,
        json!({}),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let path = format!("/api/panel/topups/{id}/approve");
    let (a, b, c) = tokio::join!(
        post(&w, AGEN, &path, &agen_owner, json!({})),
        post(&w, AGEN, &path, &agen_owner, json!({})),
        post(&w, AGEN, &path, &agen_owner, json!({})),
    );
    let oks = [&a, &b, &c]
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(oks, 1, "{} {} {}", a.body, b.body, c.body);
    assert_eq!(
        available(&w, &Party::customer("agen", &cid)).await,
        d("250000")
    );
    // The other storefront's owner cannot see or decide it.
    let (_, toko_owner) = person(&w, "toko", TOKO, "owner@toko.example", Role::Owner).await;
    let r = post(
        &w,
        TOKO,
        &format!("/api/panel/topups/{id}/reject"),
        &toko_owner,
        json!({"reason": "no"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = get(&w, TOKO, "/api/panel/topups?state=all", &toko_owner).await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(0));
    // Rejections carry a reason the customer reads.
    let t = post(
        &w,
        AGEN,
        "/api/wallet/topups",
        &customer,
        json!({"amount": "1000", "bank_account": bank, "transfer_reference": "again"}),
    )
    .await;
    let id = t.body["id"].as_str().expect("id").to_string();
    let no_reason = post(
        &w,
        AGEN,
        &format!("/api/panel/topups/{id}/reject"),
        &agen_owner,
        json!({"reason": " "}),
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    let r = post(
        &w,
        AGEN,
        &format!("/api/panel/topups/{id}/reject"),
        &agen_owner,
        json!({"reason": "no such transfer on our statement"}),
    )
    .await;
    assert_eq!(r.body["state"], "rejected");
    let mine = get(&w, AGEN, "/api/wallet/topups", &customer).await;
    let again = mine
        .body
        .as_array()
        .expect("list")
        .iter()
        .find(|t| t["transfer_reference"] == "again")
        .expect("the rejected top-up");
    assert_eq!(again["reason"], "no such transfer on our statement");
    assert_eq!(
        available(&w, &Party::customer("agen", &cid)).await,
        d("250000")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn orders_refuse_bad_items_naming_the_field() {
    let w = world(vec![]).await;
    let (_, customer, _) = funded(&w, "1000").await;
    for (items, field, code) in [
        (json!([]), "items", "item_count"),
        (
            json!([{"domain": "-bad-.co.id", "action": "register", "years": 1}]),
            "items.0.domain",
            "",
        ),
        (
            json!([{"domain": "ok-name.co.id", "action": "register", "years": 11}]),
            "items.0.years",
            "years_out_of_range",
        ),
        (
            json!([{"domain": "ok-name.xyz", "action": "register", "years": 1}]),
            "items.0.domain",
            "",
        ),
        (
            json!([{"domain": "ok-name.co.id", "action": "transfer", "years": 1}]),
            "items.0.auth_code",
            "required",
        ),
        (
            json!([{"domain": "ok-name.co.id", "action": "renew", "years": 1}]),
            "items.0.domain",
            "not_your_domain",
        ),
        (
            json!([{"domain": "abc-def.co.id", "action": "register", "years": 1}, {"domain": "ABC-DEF.co.id", "action": "register", "years": 1}]),
            "items.1.domain",
            "duplicate",
        ),
    ] {
        let r = post(
            &w,
            AGEN,
            "/api/orders/quote",
            &customer,
            json!({"items": items}),
        )
        .await;
        assert!(
            r.status.is_client_error(),
            "{items}: {} {}",
            r.status,
            r.body
        );
        assert_eq!(r.body["field"], field, "{items}: {}", r.body);
        if !code.is_empty() {
            assert_eq!(r.body["error"], code, "{}", r.body);
        }
        assert!(!r.body["message"].as_str().unwrap_or_default().is_empty());
    }
    let r = post(
        &w,
        AGEN,
        "/api/orders/quote",
        &customer,
        json!({"items": [{"domain": "x.co.id", "action": "register", "years": 1, "extra": 1}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A visitor may ask for a quote (the public prices); its cart is
    // checked all the same.
    let unsigned = post(&w, AGEN, "/api/orders/quote", "", json!({"items": []})).await;
    assert_eq!(unsigned.status, StatusCode::BAD_REQUEST);
    assert_eq!(unsigned.body["field"], "items");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_visitor_or_another_storefronts_session_is_quoted_public_prices_it_cannot_order() {
    let w = world(vec![]).await;
    let (_, customer, _) = funded(&w, "1").await;
    let item = json!({"items": [{"domain": "x-y-z.co.id", "action": "register", "years": 1}]});
    let (_, stranger) = person(&w, "toko", TOKO, "asing2@example.id", Role::Customer).await;
    for session in ["", stranger.as_str()] {
        let r = post(&w, AGEN, "/api/orders/quote", session, item.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        // agen shows prices without tax: .co.id at 277,500 + PPN 11%.
        assert_eq!(r.body["net"]["amount"], "277500");
        assert_eq!(r.body["tax"]["amount"], "30525");
        assert_eq!(r.body["gross"]["display"], "IDR\u{a0}308,025");
        // Such a quote is for showing: agen's customer cannot order it.
        let order = send(
            &w,
            "POST",
            AGEN,
            "/api/orders",
            &customer,
            Some(json!({"quote": r.body["id"], "payment": "wallet"})),
            &[("idempotency-key", "visitor-quote")],
        )
        .await;
        assert_eq!(
            order.status,
            StatusCode::CONFLICT,
            "{}",
            String::from_utf8_lossy(&order.raw)
        );
        assert_eq!(order.body["error"], "quote_expired");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_credit_limit_lets_a_wallet_go_below_zero_that_far_and_no_further() {
    let w = world(vec![]).await;
    let (cid, customer, agen_owner) = funded(&w, "1").await;
    let path = format!("/api/panel/customers/{cid}/credit-limit");
    let bad = send(
        &w,
        "PUT",
        AGEN,
        &path,
        &agen_owner,
        Some(json!({"limit": "-1"})),
        &[],
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["field"], "limit");
    let denied = send(
        &w,
        "PUT",
        AGEN,
        &path,
        &customer,
        Some(json!({"limit": "1000000"})),
        &[],
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let ok = send(
        &w,
        "PUT",
        AGEN,
        &path,
        &agen_owner,
        Some(json!({"limit": "1000000"})),
        &[],
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let r = order(
        &w,
        &customer,
        json!([{"domain": "kredit.co.id", "action": "register", "years": 1}]),
        "wallet",
        "k",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let gross = dec(&r.body["gross"]["amount"]);
    assert_eq!(
        available(&w, &Party::customer("agen", &cid)).await,
        d("1") - gross
    );
    // The limit cannot drop below what is already spent against it.
    let lower = send(
        &w,
        "PUT",
        AGEN,
        &path,
        &agen_owner,
        Some(json!({"limit": "0"})),
        &[],
    )
    .await;
    assert_eq!(lower.status, StatusCode::CONFLICT, "{}", lower.body);
    // Another reseller's owner cannot touch it.
    let (_, toko_owner) = person(&w, "toko", TOKO, "admin@toko.example", Role::Admin).await;
    let other = send(
        &w,
        "PUT",
        TOKO,
        &format!("/api/panel/customers/{cid}/credit-limit"),
        &toko_owner,
        Some(json!({"limit": "5"})),
        &[],
    )
    .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // toko may give agen (its sub-reseller) a limit.
    let sub = send(
        &w,
        "PUT",
        TOKO,
        "/api/panel/resellers/agen/credit-limit",
        &toko_owner,
        Some(json!({"limit": "250000"})),
        &[],
    )
    .await;
    assert_eq!(sub.status, StatusCode::OK, "{}", sub.body);
    assert_ledgers_exact(&w, &chain(&cid)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_money_route_refuses_another_storefronts_session_and_customers_in_the_panel() {
    let w = world(vec![]).await;
    let (cid, customer, _) = funded(&w, "1000000").await;
    let r = order(
        &w,
        &customer,
        json!([{"domain": "rahasia.co.id", "action": "register", "years": 1}]),
        "wallet",
        "k",
    )
    .await;
    let order_id = r.body["id"].as_str().expect("id").to_string();
    let number = r.body["invoice"]
        .as_str()
        .expect("invoice")
        .replace('/', "%2F");
    let topups = get(&w, AGEN, "/api/wallet/topups", &customer).await;
    let topup = topups.body[0]["id"].as_str().expect("top-up").to_string();
    let routes: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/api/wallet".into(), None),
        ("GET", "/api/wallet/topups".into(), None),
        (
            "POST",
            "/api/wallet/topups".into(),
            Some(json!({"amount": "1", "bank_account": "bca", "transfer_reference": "x"})),
        ),
        (
            "PUT",
            format!("/api/wallet/topups/{topup}/proof"),
            Some(json!({})),
        ),
        ("GET", "/api/orders".into(), None),
        ("GET", format!("/api/orders/{order_id}"), None),
        (
            "POST",
            format!("/api/orders/{order_id}/cancel"),
            Some(json!({})),
        ),
        ("GET", "/api/domains".into(), None),
        ("GET", "/api/domains/rahasia.co.id".into(), None),
        (
            "PATCH",
            "/api/domains/rahasia.co.id".into(),
            Some(json!({"auto_renew": false})),
        ),
        ("GET", "/api/invoices".into(), None),
        ("GET", format!("/api/invoices/{number}"), None),
        ("GET", "/api/panel/invoices".into(), None),
        ("GET", format!("/api/panel/invoices/{number}"), None),
        ("GET", "/api/panel/topups?state=all".into(), None),
        (
            "POST",
            format!("/api/panel/topups/{topup}/approve"),
            Some(json!({})),
        ),
        (
            "POST",
            format!("/api/panel/topups/{topup}/reject"),
            Some(json!({"reason": "x"})),
        ),
        ("GET", format!("/api/panel/topups/{topup}/proof"), None),
        ("GET", "/api/panel/wallet".into(), None),
        ("GET", "/api/panel/wallet/topups".into(), None),
        (
            "POST",
            "/api/panel/wallet/topups".into(),
            Some(json!({"amount": "1", "bank_account": "bca", "transfer_reference": "x"})),
        ),
        ("GET", "/api/panel/orders".into(), None),
        ("GET", format!("/api/panel/orders/{order_id}"), None),
        (
            "POST",
            format!("/api/panel/orders/{order_id}/mark-paid"),
            Some(json!({})),
        ),
        (
            "POST",
            format!("/api/panel/orders/{order_id}/refund"),
            Some(json!({"reason": "x"})),
        ),
        ("GET", "/api/panel/domains".into(), None),
        ("GET", "/api/panel/customers".into(), None),
        (
            "PUT",
            format!("/api/panel/customers/{cid}/credit-limit"),
            Some(json!({"limit": "5"})),
        ),
        (
            "PUT",
            "/api/panel/resellers/agen/credit-limit".into(),
            Some(json!({"limit": "5"})),
        ),
    ];
    // A customer of toko, signed in on toko.
    let (_, stranger) = person(&w, "toko", TOKO, "asing@example.id", Role::Customer).await;
    let before = futures_available(&w, &cid).await;
    for (method, path, body) in &routes {
        // toko's session sent to agen is no session there; on an unknown
        // host there is no storefront at all.
        for host in [AGEN, "unknown.example"] {
            let r = send(&w, method, host, path, &stranger, body.clone(), &[]).await;
            let s = r.status.as_u16();
            let expected = if host == AGEN { 401 } else { 404 };
            assert_eq!(
                s,
                expected,
                "{method} {path} on {host}: {}",
                String::from_utf8_lossy(&r.raw)
            );
            let raw = String::from_utf8_lossy(&r.raw);
            assert!(
                !raw.contains(&cid) && !raw.contains(&order_id),
                "{method} {path} leaks"
            );
        }
        // agen's own customer is no owner: the panel refuses.
        if path.starts_with("/api/panel/") {
            let r = send(&w, method, AGEN, path, &customer, body.clone(), &[]).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}");
        }
    }
    // The stranger on its own storefront sees none of agen's things.
    for path in [
        format!("/api/orders/{order_id}"),
        "/api/domains/rahasia.co.id".into(),
        format!("/api/invoices/{number}"),
    ] {
        let r = get(&w, TOKO, &path, &stranger).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(futures_available(&w, &cid).await, before, "nothing moved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_strings_in_every_money_field_get_clear_answers_never_a_500() {
    let w = world(vec![]).await;
    let (_, customer, agen_owner) = funded(&w, "1000000").await;
    let blns: Vec<String> = serde_json::from_str(
        &std::fs::read_to_string(storefront_e2e::repo_root().join("core/tests/data/blns.json"))
            .expect("blns"),
    )
    .expect("json");
    let mut topup_id = None;
    for (i, s) in blns.iter().enumerate() {
        let q = post(
            &w,
            AGEN,
            "/api/orders/quote",
            &customer,
            json!({"items": [{"domain": s, "action": "register", "years": 1}]}),
        )
        .await;
        assert!(q.status.as_u16() < 500, "quote {s:?}: {}", q.status);
        if q.status.is_client_error() {
            assert!(
                !q.body["message"].as_str().unwrap_or_default().is_empty(),
                "{s:?}"
            );
        }
        let t = post(
            &w,
            AGEN,
            "/api/wallet/topups",
            &customer,
            json!({"amount": s, "bank_account": s, "transfer_reference": s}),
        )
        .await;
        assert!(t.status.as_u16() < 500, "top-up {s:?}: {}", t.status);
        let t = post(
            &w,
            AGEN,
            "/api/wallet/topups",
            &customer,
            json!({"amount": "1000", "bank_account": "bca", "transfer_reference": s}),
        )
        .await;
        assert!(t.status.as_u16() < 500, "reference {s:?}");
        if t.status == StatusCode::CREATED {
            // Stored as given, returned as JSON text (never markup).
            assert_eq!(t.body["transfer_reference"].as_str(), Some(s.trim()));
            topup_id = t.body["id"].as_str().map(str::to_string);
        }
        if let Some(id) = topup_id.take().filter(|_| i % 7 == 0) {
            let r = post(
                &w,
                AGEN,
                &format!("/api/panel/topups/{id}/reject"),
                &agen_owner,
                json!({"reason": s}),
            )
            .await;
            assert!(r.status.as_u16() < 500, "reason {s:?}");
        }
        let l = send(
            &w,
            "PUT",
            AGEN,
            "/api/panel/customers/nobody/credit-limit",
            &agen_owner,
            Some(json!({"limit": s})),
            &[],
        )
        .await;
        assert!(l.status.as_u16() < 500, "limit {s:?}");
        let d = get(
            &w,
            AGEN,
            &format!("/api/domains/{}", urlencode(s)),
            &customer,
        )
        .await;
        assert!(d.status.as_u16() < 500, "domain path {s:?}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn premium_names_are_priced_from_the_registry_locked_in_the_quote_and_renewed_at_its_price() {
    let w = world_with(SandboxConfig {
        taken_percent: 0,
        premium_percent: 100,
        ..Default::default()
    })
    .await;
    let (cid, customer, agen_owner) = funded(&w, "20000000").await;
    let q = post(
        &w,
        AGEN,
        "/api/orders/quote",
        &customer,
        json!({"items": [{"domain": "mahal-sekali.co.id", "action": "register", "years": 1}]}),
    )
    .await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.body);
    assert_eq!(q.body["lines"][0]["premium"], true);
    // The registry asks 7,500,000 a year for premium .co.id names here; every
    // level adds its margin on top, never below it.
    let net = dec(&q.body["lines"][0]["net"]["amount"]);
    assert!(net >= d("7500000"), "{net}");
    let quote = q.body["id"].as_str().expect("id").to_string();
    let r = send(
        &w,
        "POST",
        AGEN,
        "/api/orders",
        &customer,
        Some(json!({"quote": quote, "payment": "wallet"})),
        &[("idempotency-key", "p")],
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.body["gross"], q.body["gross"],
        "the order pays the quoted premium price"
    );
    let id = r.body["id"].as_str().expect("id").to_string();
    documents_approved(&w, &r.body).await;
    let p = get(&w, AGEN, &format!("/api/panel/orders/{id}"), &agen_owner).await;
    let top = &p.body["legs"][0]["legs"][2];
    assert_eq!(
        (dec(&top["amount"]), dec(&top["tax"])),
        (d("8325000"), d("825000")),
        "toko pays the platform the registry's price, 7,500,000, and the platform's PPN 11% on it"
    );
    // Its renewal is priced from the registry's renewal price too.
    w.clock.set("2027-10-23T06:00:00Z".parse().expect("time"));
    let report = storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    assert_eq!(report.renewals, 1, "{report:?}");
    let orders = get(&w, AGEN, "/api/orders", &customer).await;
    let renewal = orders
        .body
        .as_array()
        .expect("list")
        .iter()
        .find(|o| o["renewal"] == true)
        .expect("renewal");
    assert!(
        d(renewal["gross"].as_str().expect("gross")) >= d("7500000"),
        "{renewal}"
    );
    assert_ledgers_exact(&w, &chain(&cid)).await;
}

/// A customer in a price group sees that group's price in search, and the
/// quote and the order charge exactly it; a visitor sees the default price.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_in_a_price_group_is_shown_and_charged_its_groups_price() {
    let w = world(vec![]).await;
    platform_funds(&w.orders.ledger, "toko", TOKO_FUNDS).await;
    let (id, cookie) = person(&w, "toko", TOKO, "grosir@example.com", Role::Customer).await;
    let (item, mut profile) = accounts::records::load(w.store.as_ref(), "toko", &id)
        .await
        .expect("load")
        .expect("profile");
    profile.price_group = Some("grosir".into());
    let write = accounts::records::update(&item, &profile).expect("write");
    w.store.transact(vec![write]).await.expect("saved");
    let price_of = |r: &Resp| {
        let results = r.body["results"].as_array().expect("results");
        let hit = results
            .iter()
            .find(|x| x["domain"] == "grosir-harga.co.id")
            .unwrap_or_else(|| panic!("the name in {}", r.body));
        hit["price"]["register"]["gross"]
            .as_str()
            .map(str::to_string)
    };
    let q = "/api/search?q=grosir-harga.co.id";
    // toko buys .co.id at 240,000 and shows PPN-inclusive prices: 20% on
    // top for everyone (288,000), 12% for its wholesale group (268,800,
    // rounded to 269,000).
    let visitor = get(&w, TOKO, q, "").await;
    assert_eq!(
        price_of(&visitor).as_deref(),
        Some("288000"),
        "{}",
        visitor.body
    );
    let member = get(&w, TOKO, q, &cookie).await;
    assert_eq!(
        price_of(&member).as_deref(),
        Some("269000"),
        "{}",
        member.body
    );
    let quote = post(
        &w,
        TOKO,
        "/api/orders/quote",
        &cookie,
        json!({"items": [{"domain": "grosir-harga.co.id", "action": "register", "years": 1}]}),
    )
    .await;
    assert_eq!(quote.status, StatusCode::OK, "{}", quote.body);
    assert_eq!(quote.body["gross"]["amount"], "269000", "{}", quote.body);
    // The customer's transfer of 300,000, approved by toko.
    let customer = Party::customer("toko", &id);
    toko_credits(&w, &id, "300000").await;
    let order = send(
        &w,
        "POST",
        TOKO,
        "/api/orders",
        &cookie,
        Some(json!({"quote": quote.body["id"], "payment": "wallet"})),
        &[("idempotency-key", "grosir-1")],
    )
    .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    assert_eq!(order.body["gross"]["amount"], "269000", "{}", order.body);
    assert_eq!(available(&w, &customer).await, d("31000"));
}

/// A promotion ends at the storefront's own midnight: toko keeps Jakarta
/// time (UTC+7), so its year-end .my.id offer (until 2026-12-31) is over
/// at 17:00 UTC on 31 December, and a quote after that pays the regular
/// price, as a page built then shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_promotion_ends_at_the_storefronts_own_midnight() {
    let w = world(vec![]).await;
    let (cid, cookie) = person(&w, "toko", TOKO, "tengah@example.com", Role::Customer).await;
    let quote = |at: &'static str| {
        let (w, cookie) = (&w, cookie.clone());
        async move {
            w.clock.set(at.parse().expect("time"));
            let q = post(
                w,
                TOKO,
                "/api/orders/quote",
                &cookie,
                json!({"items": [{"domain": "tengah-malam.my.id", "action": "register", "years": 1}]}),
            )
            .await;
            assert_eq!(q.status, StatusCode::OK, "{}", q.body);
            q.body["gross"]["amount"]
                .as_str()
                .expect("gross")
                .to_string()
        }
    };
    // 23:59 in Jakarta on the 31st: the offer's 10,000.
    assert_eq!(quote("2026-12-31T16:59:00Z").await, "10000");
    // Midnight in Jakarta, still the 31st in UTC: the regular 11,000.
    assert_eq!(quote("2026-12-31T17:00:00Z").await, "11000");

    // Ordered then, its tax invoice is dated 1 January 2027 and numbered
    // in 2027's series: the seller's own day.
    platform_funds(&w.orders.ledger, "toko", TOKO_FUNDS).await;
    toko_credits(&w, &cid, "50000").await;
    let q = post(
        &w,
        TOKO,
        "/api/orders/quote",
        &cookie,
        json!({"items": [{"domain": "tengah-malam.my.id", "action": "register", "years": 1}]}),
    )
    .await;
    let order = send(
        &w,
        "POST",
        TOKO,
        "/api/orders",
        &cookie,
        Some(json!({"quote": q.body["id"], "payment": "wallet"})),
        &[("idempotency-key", "tengah-1")],
    )
    .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let number = order.body["invoice"]
        .as_str()
        .expect("invoiced")
        .to_string();
    assert!(number.contains("/2027/"), "{number}");
    let list = get(&w, TOKO, "/api/invoices", &cookie).await;
    let issued: Vec<&str> = list
        .body
        .as_array()
        .expect("list")
        .iter()
        .filter(|i| i["number"] == number.as_str())
        .filter_map(|i| i["issued"].as_str())
        .collect();
    assert_eq!(issued, ["2027-01-01"], "{}", list.body);
}

/// Every mail sent to `to`, oldest first: (headers unfolded with encoded
/// words decoded, body with quoted-printable undone).
fn mails_to(w: &World, to: &str) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&w.outbox)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|x| x == "eml"));
    files.sort();
    files
        .iter()
        .map(|p| {
            let eml = std::fs::read_to_string(p).expect("a mail");
            let (head, body) = eml.split_once("\r\n\r\n").expect("headers, body");
            let head = words(&head.replace("\r\n ", " ").replace("\r\n\t", " "));
            let body = if head.contains("Content-Transfer-Encoding: quoted-printable") {
                unquote(body)
            } else {
                body.to_string()
            };
            (head, body)
        })
        .filter(|(head, _)| head.lines().any(|l| l == format!("To: {to}")))
        .collect()
}

/// RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`) as text.
fn words(head: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut rest = head;
    while let Some(at) = rest.find("=?") {
        out.push_str(&rest[..at]);
        let word = &rest[at + 2..];
        let parts: Vec<&str> = word.splitn(3, '?').collect();
        let end = parts[2].find("?=").expect("an encoded word's end");
        let bytes = match parts[1] {
            "b" | "B" => base64::engine::general_purpose::STANDARD
                .decode(&parts[2][..end])
                .expect("base64"),
            _ => unquote(&parts[2][..end].replace('_', " ")).into_bytes(),
        };
        out.push_str(&String::from_utf8(bytes).expect("utf-8"));
        rest = &parts[2][end + 2..];
        // Adjacent encoded words are one text: the space between goes.
        if rest.starts_with(" =?") {
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

fn unquote(qp: &str) -> String {
    let joined = qp.replace("=\r\n", "");
    let b = joined.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() + 1 && i + 3 <= b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("=XX"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("utf-8 text")
}

fn header<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in {head}"))
}

/// An account's stored language changed, as if it had signed up in it.
async fn speaks(w: &World, reseller: &str, account: &str, language: &str) {
    let pk = format!("RESELLER#{reseller}#ACCOUNT#{account}");
    let mut item = w
        .store
        .get(&pk, "PROFILE")
        .await
        .expect("read")
        .expect("a profile");
    item.data["language"] = json!(language);
    item.version += 1;
    w.store
        .put(item, storefront_functions::store::Condition::None)
        .await
        .expect("write");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn money_mails_speak_the_recipients_language_from_the_reseller() {
    let w = world(vec![]).await;
    let (_, _, agen_owner) = funded(&w, "1").await;
    // agen's own top-up, decided by toko: from Toko Domain, answered to its
    // contact address, in agen's language (English).
    let agen = mails_to(&w, "billing@agen.example");
    let (head, body) = agen.last().expect("agen hears of its top-up");
    assert_eq!(
        header(head, "From"),
        "\"Toko Domain\" <no-reply@storefront.localhost>"
    );
    assert_eq!(header(head, "Reply-To"), "halo@toko.example");
    assert_eq!(
        header(head, "Subject"),
        "Top-up of IDR\u{a0}50,000,000 approved"
    );
    assert_eq!(
        body,
        "Your top-up (AGEN-001) was approved and IDR\u{a0}50,000,000 is now in your wallet.\r\n"
    );
    let bank = "bca";
    for (email, language, topup, proforma) in [
        (
            "ania@example.pl",
            "pl",
            (
                "Doładowanie 250\u{a0}000\u{a0}IDR zatwierdzone",
                "Twoje doładowanie (ANIA 1) zostało zatwierdzone i 250\u{a0}000\u{a0}IDR jest już w Twoim portfelu.",
            ),
            ("Faktura proforma", "Prosimy o wpłatę"),
        ),
        (
            "siti@example.id",
            "id",
            (
                "Isi saldo Rp\u{a0}250.000 disetujui",
                "Isi saldo Anda (SITI 1) sudah disetujui dan Rp\u{a0}250.000 kini ada di dompet Anda.",
            ),
            ("Proforma", "Mohon bayar"),
        ),
    ] {
        let (cid, cookie) = person(&w, "agen", AGEN, email, Role::Customer).await;
        speaks(&w, "agen", &cid, language).await;
        let reference = format!("{} 1", email.split('@').next().unwrap().to_uppercase());
        let t = post(
            &w,
            AGEN,
            "/api/wallet/topups",
            &cookie,
            json!({"amount": "250000", "bank_account": bank, "transfer_reference": reference}),
        )
        .await;
        assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
        let id = t.body["id"].as_str().expect("id").to_string();
        let ok = post(
            &w,
            AGEN,
            &format!("/api/panel/topups/{id}/approve"),
            &agen_owner,
            json!({}),
        )
        .await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        let r = order(
            &w,
            &cookie,
            json!([{"domain": format!("{language}-bank.co.id"), "action": "register", "years": 1}]),
            "bank_transfer",
            language,
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let number = r.body["proforma"].as_str().expect("a proforma").to_string();
        let order_id = r.body["id"].as_str().expect("id").to_string();
        let mails = mails_to(&w, email);
        assert_eq!(mails.len(), 2, "{email}: the top-up and the proforma");
        for (head, _) in &mails {
            assert_eq!(
                header(head, "From"),
                "\"Agen Web\" <no-reply@storefront.localhost>"
            );
            assert_eq!(header(head, "Reply-To"), "billing@agen.example");
        }
        let (head, body) = &mails[0];
        assert_eq!(header(head, "Subject"), topup.0, "{email}");
        assert_eq!(body.trim_end(), topup.1, "{email}");
        let (head, body) = &mails[1];
        let subject = match language {
            "pl" => format!("{} {number} do zamówienia {order_id}", proforma.0),
            _ => format!("{} {number} untuk pesanan {order_id}", proforma.0),
        };
        assert_eq!(header(head, "Subject"), subject, "{email}");
        assert!(body.starts_with(proforma.1), "{email}: {body}");
        assert!(body.contains("BCA — CV Agen Web — 123 456 7890"), "{body}");
        // Paid: the tax invoice is mailed too, in the same language.
        let paid = post(
            &w,
            AGEN,
            &format!("/api/panel/orders/{order_id}/mark-paid"),
            &agen_owner,
            json!({}),
        )
        .await;
        assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
        let (o, _) = w
            .orders
            .order(&order_id)
            .await
            .expect("read")
            .expect("order");
        let invoice = o.invoice.clone().expect("invoiced");
        let lang = match language {
            "pl" => storefront_core::Locale::Pl,
            _ => storefront_core::Locale::Id,
        };
        let amount = storefront_core::Money::new(o.gross, o.currency).format(lang);
        let mails = mails_to(&w, email);
        let (subject, text) = match language {
            "pl" => (
                format!("Faktura {invoice}"),
                format!(
                    "Faktura {invoice} na kwotę {amount} jest w Twoim koncie, w zakładce Faktury, do pobrania jako PDF."
                ),
            ),
            _ => (
                format!("Faktur {invoice}"),
                format!(
                    "Faktur {invoice} sebesar {amount} ada di akun Anda, di bagian Faktur, siap diunduh sebagai PDF."
                ),
            ),
        };
        // (Besides the documents' reminder, .co.id being registered first.)
        let invoiced: Vec<_> = mails
            .iter()
            .filter(|(head, _)| header(head, "Subject") == subject)
            .collect();
        assert_eq!(invoiced.len(), 1, "{email}: the invoice once: {mails:?}");
        let (head, body) = invoiced[0];
        assert_eq!(
            header(head, "From"),
            "\"Agen Web\" <no-reply@storefront.localhost>"
        );
        assert_eq!(header(head, "Reply-To"), "billing@agen.example");
        assert_eq!(body.trim_end(), text);
    }
}
