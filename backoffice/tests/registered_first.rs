//! Auto-provisioning and its deadline, in process on the embedded store with
//! the clock moved ahead: toko registers `.co.id` at once and gives the
//! registrant's documents 3 days. A name whose documents never come is
//! deleted at the registry the day after, credited there, and every level
//! refunded exactly once with one corrective invoice, even with two
//! schedulers at once; a name whose documents are approved in time is left
//! alone. A refund by the owner deletes the name too, and is refused once
//! the registry's add grace period is over.

mod common;

use axum::http::StatusCode;
use common::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use storefront_core::ledger::{EntryKind, Party};

/// A customer's `.co.id` registration on toko, paid from the wallet:
/// registered at once.
async fn registered(shop: &Shop, customer: &str, name: &str, key: &str) -> Value {
    let r = &shop.router;
    let items = json!({"items": [{"domain": name, "action": "register", "years": 1}]});
    let (status, quote) =
        api_json(r, "POST", TOKO, "/api/orders/quote", customer, items, &[]).await;
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
    assert_eq!(order["lines"][0]["status"], "active", "{order}");
    order
}

fn amount(v: &Value) -> Decimal {
    v.as_str().expect("an amount").parse().expect("a decimal")
}

/// What each level paid for an order's first line: (payer, amount).
async fn legs(shop: &Shop, id: &str) -> Vec<(Party, Decimal)> {
    let (o, _) = shop.orders.order(id).await.unwrap().unwrap();
    o.lines[0]
        .legs
        .iter()
        .map(|l| (l.payer.clone(), l.amount))
        .collect()
}

async fn posted(shop: &Shop, p: &Party) -> Decimal {
    let w = shop.orders.ledger.wallet(p).await.unwrap().unwrap();
    assert_eq!(w.balance.held, Decimal::ZERO, "{p:?} holds nothing");
    w.balance.posted
}

/// The refund entries of an order in a wallet.
async fn refunds(shop: &Shop, p: &Party, id: &str) -> Vec<Decimal> {
    let entries = shop.orders.ledger.entries(p, None, 200).await.unwrap();
    entries
        .iter()
        .filter(|e| e.kind == EntryKind::Refund && e.reference == format!("order:{id}"))
        .map(|e| e.amount)
        .collect()
}

/// A mail's text with its quoted-printable soft breaks and escapes undone.
fn decoded(mail: &str) -> String {
    let joined = mail.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn mails_about(shop: &Shop, name: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(&shop.mail)
        .expect("the outbox")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .map(|m| decoded(&m))
        .filter(|m| m.contains(name))
        .collect();
    out.sort();
    out
}

// Registered in a UTC morning and in a UTC evening, when Jakarta's day is
// already UTC's next: the reminders and the deletion follow the
// storefront's day.
#[tokio::test]
async fn a_name_whose_documents_never_come_is_deleted_and_every_level_refunded_once() {
    deleted_at_utc_hour(3).await;
}

#[tokio::test]
async fn registered_in_a_utc_evening_the_name_is_deleted_on_jakartas_days() {
    deleted_at_utc_hour(20).await;
}

async fn deleted_at_utc_hour(hour: u32) {
    let shop = shop().await;
    shop.clock.to_utc_hour(hour);
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (_, me) = api(r, "GET", TOKO, "/api/accounts/me", &customer, None, &[]).await;
    let account = me["id"].as_str().expect("account id").to_string();
    credit(&shop, &account, 1_000_000).await;
    let me = Party::customer("toko", &account);
    let before: Vec<Decimal> = {
        let mut v = Vec::new();
        for p in [me.clone(), Party::reseller("toko")] {
            v.push(posted(&shop, &p).await);
        }
        v
    };

    let late = registered(&shop, &customer, "terlambat.co.id", "late").await;
    let kept = registered(&shop, &customer, "tepat.co.id", "kept").await;
    let (late_id, kept_id) = (
        late["id"].as_str().unwrap().to_string(),
        kept["id"].as_str().unwrap().to_string(),
    );
    // Registered, invoiced, and awaiting the documents, due in 3 days.
    let (_, domains) = api(r, "GET", TOKO, "/api/domains", &customer, None, &[]).await;
    let status = |domains: &Value, name: &str| {
        domains["domains"]
            .as_array()
            .expect("a list")
            .iter()
            .find(|d| d["name"] == name)
            .map(|d| d["status"].clone())
    };
    assert_eq!(
        status(&domains, "terlambat.co.id"),
        Some(json!("awaiting_documents")),
        "{domains}"
    );
    let (o, _) = shop.orders.order(&late_id).await.unwrap().unwrap();
    let original = o.invoice.clone().expect("the tax invoice");
    let due = o.documents_due.expect("a last day");
    assert_eq!(
        o.lines[0].documents_due(),
        Some(due),
        "the line's own last day"
    );
    assert!(
        shop.registry
            .registration("terlambat.co.id")
            .await
            .unwrap()
            .is_some()
    );
    // The first day's reminder, in the customer's language, once.
    let first = mails_about(&shop, "terlambat.co.id");
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(
        first[0].contains(&format!(
            "Subject: Dokumen untuk terlambat.co.id ditunggu sampai {due}"
        )) && first[0].contains("sudah terdaftar, tetapi dokumen"),
        "{first:?}"
    );

    // tepat.co.id's documents are approved in time.
    let line = kept["lines"][0]["id"].as_str().unwrap();
    shop.orders
        .documents_approved(&kept_id, line, "owner")
        .await
        .unwrap();

    // The last day: a reminder for terlambat only; nothing is deleted yet.
    shop.clock.advance(chrono::Duration::days(3));
    let tick = || storefront_functions::scheduler::tick(&shop.orders);
    let last = tick().await.unwrap();
    assert_eq!((last.documents_reminded, last.documents_lapsed), (1, 0));
    assert_eq!(mails_about(&shop, "terlambat.co.id").len(), 2);
    assert_eq!(mails_about(&shop, "tepat.co.id").len(), 1, "only the first");

    // The day after, two schedulers at once delete it once.
    shop.clock.advance(chrono::Duration::days(1));
    let (a, b) = tokio::join!(tick(), tick());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.documents_lapsed + b.documents_lapsed, 1, "{a:?} {b:?}");
    assert_eq!(tick().await.unwrap().documents_lapsed, 0);

    // The customer is told, once, in Indonesian, with what came back.
    let told: Vec<String> = mails_about(&shop, "terlambat.co.id")
        .into_iter()
        .filter(|m| m.contains("Subject: terlambat.co.id dihapus"))
        .collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("Rp\u{a0}288.000 sudah kembali ke dompet Anda."),
        "{told:?}"
    );

    // Deleted at the registry, and credited there.
    assert_eq!(
        shop.registry.registration("terlambat.co.id").await.unwrap(),
        None
    );
    let credits = shop.registry.credits().await.unwrap();
    assert_eq!(
        credits
            .iter()
            .map(|c| (c.domain.as_str(), c.years))
            .collect::<Vec<_>>(),
        vec![("terlambat.co.id", 1)]
    );
    assert!(
        shop.registry
            .registration("tepat.co.id")
            .await
            .unwrap()
            .is_some()
    );

    // The customer sees it deleted; tepat.co.id active.
    let (_, o) = api(
        r,
        "GET",
        TOKO,
        &format!("/api/orders/{late_id}"),
        &customer,
        None,
        &[],
    )
    .await;
    assert_eq!(o["lines"][0]["status"], "deleted", "{o}");
    let (_, domains) = api(r, "GET", TOKO, "/api/domains", &customer, None, &[]).await;
    assert_eq!(status(&domains, "terlambat.co.id"), Some(json!("deleted")));
    assert_eq!(status(&domains, "tepat.co.id"), Some(json!("active")));

    // Every level got back exactly what its leg took for terlambat, once;
    // tepat.co.id stays paid.
    let late_legs = legs(&shop, &late_id).await;
    assert_eq!(late_legs.len(), 2, "customer, toko: {late_legs:?}");
    for (payer, paid) in &late_legs {
        assert_eq!(
            refunds(&shop, payer, &late_id).await,
            vec![*paid],
            "{payer:?}"
        );
    }
    let kept_legs = legs(&shop, &kept_id).await;
    assert_eq!(
        posted(&shop, &me).await,
        before[0] - kept_legs[0].1,
        "the customer paid for tepat.co.id alone"
    );
    assert_eq!(
        posted(&shop, &Party::reseller("toko")).await,
        before[1] - kept_legs[1].1,
        "toko too"
    );
    let (_, w) = api(r, "GET", TOKO, "/api/wallet", &customer, None, &[]).await;
    assert_eq!(
        amount(&w["available"]["amount"]),
        Decimal::from(1_000_000) - kept_legs[0].1
    );

    // One corrective invoice, taking back the line and naming the original.
    let invoices = storefront_functions::invoices::of(shop.store.as_ref(), &me, None, 50)
        .await
        .unwrap()
        .items;
    let corrections: Vec<&Value> = invoices
        .iter()
        .filter(|i| i["kind"] == "correction")
        .collect();
    assert_eq!(corrections.len(), 1, "{invoices:?}");
    assert_eq!(amount(&corrections[0]["gross"]), -late_legs[0].1);
    let number = corrections[0]["number"].as_str().unwrap();
    let stored =
        storefront_functions::invoices::load(shop.store.as_ref(), &Party::reseller("toko"), number)
            .await
            .unwrap()
            .unwrap();
    assert_eq!(
        stored.invoice.corrects.as_ref().map(|c| c.number.as_str()),
        Some(original.as_str())
    );
    // The scheduler finds nothing more to correct.
    assert_eq!(tick().await.unwrap().corrections, 0);
}

#[tokio::test]
async fn a_refund_deletes_the_name_within_the_add_grace_period_and_is_refused_after_it() {
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (_, me) = api(r, "GET", TOKO, "/api/accounts/me", &customer, None, &[]).await;
    let account = me["id"].as_str().expect("account id").to_string();
    credit(&shop, &account, 1_000_000).await;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;

    let soon = registered(&shop, &customer, "batal-cepat.co.id", "soon").await;
    let later = registered(&shop, &customer, "batal-lambat.co.id", "later").await;
    for o in [&soon, &later] {
        let id = o["id"].as_str().unwrap();
        let line = o["lines"][0]["id"].as_str().unwrap();
        shop.orders
            .documents_approved(id, line, "owner")
            .await
            .unwrap();
    }
    let soon_id = soon["id"].as_str().unwrap();
    let refund = |id: &str| {
        let path = format!("/api/panel/orders/{id}/refund");
        let owner = owner.clone();
        async move {
            api_json(
                r,
                "POST",
                TOKO,
                &path,
                &owner,
                json!({"reason": "Registered by mistake"}),
                &[],
            )
            .await
        }
    };
    // The same day: deleted at the registry, refunded, corrected.
    let (status, body) = refund(soon_id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["state"], "refunded", "{body}");
    assert_eq!(
        shop.registry
            .registration("batal-cepat.co.id")
            .await
            .unwrap(),
        None
    );
    let (_, d) = api(
        r,
        "GET",
        TOKO,
        "/api/domains/batal-cepat.co.id",
        &customer,
        None,
        &[],
    )
    .await;
    assert_eq!(d["status"], "deleted", "{d}");
    let me = Party::customer("toko", &account);
    let invoices = storefront_functions::invoices::of(shop.store.as_ref(), &me, None, 50)
        .await
        .unwrap()
        .items;
    assert_eq!(
        invoices
            .iter()
            .filter(|i| i["kind"] == "correction")
            .count(),
        1,
        "{invoices:?}"
    );
    // Asked again: nothing more moves, no second correction.
    let (status, _) = refund(soon_id).await;
    assert_eq!(status, StatusCode::OK);
    let invoices = storefront_functions::invoices::of(shop.store.as_ref(), &me, None, 50)
        .await
        .unwrap()
        .items;
    assert_eq!(
        invoices
            .iter()
            .filter(|i| i["kind"] == "correction")
            .count(),
        1
    );

    // Six days on, past the 5-day add grace period: refused, nothing moves.
    shop.clock.advance(chrono::Duration::days(6));
    let later_id = later["id"].as_str().unwrap();
    let held = posted(&shop, &me).await;
    let (status, body) = refund(later_id).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let registered_on = shop
        .registry
        .registration("batal-lambat.co.id")
        .await
        .unwrap()
        .expect("still registered")
        .created
        .date_naive();
    assert_eq!(
        body["message"],
        format!(
            "batal-lambat.co.id cannot be refunded: the registry will not delete it (batal-lambat.co.id was registered on {registered_on}; a deletion is credited only within 5 days of registration (until {}), so the registry no longer deletes it for a refund).",
            registered_on + chrono::Days::new(5)
        ),
        "{body}"
    );
    assert_eq!(posted(&shop, &me).await, held, "nothing moved");
    let (_, d) = api(
        r,
        "GET",
        TOKO,
        "/api/domains/batal-lambat.co.id",
        &customer,
        None,
        &[],
    )
    .await;
    assert_eq!(d["status"], "active");
}
