//! The audit log: each changing action of the role matrix leaves exactly
//! one entry naming who, as what role, what and the values before and
//! after (money by its ledger reference); the log page filters by who,
//! what and period, pages, and exports CSV; only owners and admins read it.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};
use storefront_functions::audit::{self, Entry, Filter};

async fn entries(shop: &Shop) -> Vec<Entry> {
    audit::list(shop.store.as_ref(), "toko", &Filter::default(), None, 1000)
        .await
        .expect("the log")
        .entries
}

/// The one entry of `action` on `subject`.
async fn only(shop: &Shop, action: &str, subject: &str) -> Entry {
    let all = entries(shop).await;
    let found: Vec<&Entry> = all
        .iter()
        .filter(|e| e.action == action && e.subject == subject)
        .collect();
    assert_eq!(found.len(), 1, "{action} {subject}: {all:#?}");
    found[0].clone()
}

#[tokio::test]
async fn every_change_leaves_one_entry_with_before_and_after() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let admin = sign_in(r, TOKO, "admin@toko.localhost").await;
    assert!(entries(&shop).await.is_empty(), "nothing yet");

    // Staff: invite, change a role, revoke.
    let invited = request(
        r,
        "POST",
        TOKO,
        "/panel/staff/invite",
        &owner,
        Some(&[("email", "fin@toko.localhost"), ("role", "finance")]),
    )
    .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.html);
    let invite = entries(&shop).await;
    assert_eq!(invite.len(), 1, "{invite:#?}");
    let e = &invite[0];
    assert_eq!(
        (e.action.as_str(), e.who.email.as_str(), e.who.role.key()),
        ("staff.invite", "owner@toko.localhost", "owner")
    );
    assert_eq!(e.before, Value::Null);
    assert_eq!(
        e.after,
        json!({"email": "fin@toko.localhost", "role": "finance"})
    );
    let account = e.subject.clone();
    let id = account.trim_start_matches("account:").to_string();
    let changed = request(
        r,
        "POST",
        TOKO,
        "/panel/staff/role",
        &owner,
        Some(&[("id", &id), ("role", "support")]),
    )
    .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let e = only(&shop, "staff.role", &account).await;
    assert_eq!(e.before["role"], "finance");
    assert_eq!(e.after["role"], "support");
    // A refused change leaves nothing.
    let refused = request(
        r,
        "POST",
        TOKO,
        "/panel/staff/role",
        &owner,
        Some(&[("id", &id), ("role", "root")]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let revoked = request(
        r,
        "POST",
        TOKO,
        "/panel/staff/revoke",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let e = only(&shop, "staff.revoke", &account).await;
    assert_eq!(e.before["role"], "support");
    assert_eq!(e.after, Value::Null);

    // Content: a save and a publish.
    co_id_waits_for_documents(&shop).await;
    let e = only(&shop, "content.save", "content:catalogue").await;
    assert!(e.after["revision"].is_string(), "{e:?}");
    assert_ne!(e.before["revision"], e.after["revision"]);
    let p = only(&shop, "content.publish", "content:published").await;
    assert_eq!(p.after["published"], e.after["revision"]);

    // Rolling back to what was published before: one entry, before and
    // after the published revision.
    let before = p.before["published"].clone();
    let rolled = request(
        r,
        "POST",
        TOKO,
        "/panel/history/rollback",
        &owner,
        Some(&[
            ("revision", before.as_str().expect("published before")),
            (
                "expected",
                p.after["published"].as_str().expect("published"),
            ),
        ]),
    )
    .await;
    assert_eq!(rolled.status, StatusCode::SEE_OTHER, "{}", rolled.html);
    let back = only(&shop, "content.rollback", "content:published").await;
    assert_eq!(back.before["published"], p.after["published"]);
    assert_eq!(back.after["published"], before);

    // Money: a customer's top-up approved by the admin (its ledger entry
    // by reference), and a credit limit.
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (s, t) = api_json(
        r,
        "POST",
        TOKO,
        "/api/wallet/topups",
        &customer,
        json!({"amount": "500000", "bank_account": "bca", "transfer_reference": "BCA 1"}),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let topup = t["id"].as_str().expect("id").to_string();
    let (s, _) = api(
        r,
        "POST",
        TOKO,
        &format!("/api/panel/topups/{topup}/approve"),
        &admin,
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let e = only(&shop, "topup.approve", &format!("topup:{topup}")).await;
    assert_eq!(e.who.email, "admin@toko.localhost");
    assert_eq!(e.who.role.key(), "admin");
    assert_eq!(e.before, json!({"state": "pending"}));
    assert_eq!(e.after["state"], "approved");
    assert_eq!(e.ledger, [format!("topup:{topup}")]);
    // Approving again changes nothing and records nothing.
    let (s, _) = api(
        r,
        "POST",
        TOKO,
        &format!("/api/panel/topups/{topup}/approve"),
        &admin,
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    only(&shop, "topup.approve", &format!("topup:{topup}")).await;

    // A rejection, with its reason, moves no money.
    let (_, t) = api_json(
        r,
        "POST",
        TOKO,
        "/api/wallet/topups",
        &customer,
        json!({"amount": "100000", "bank_account": "bca", "transfer_reference": "BCA 2"}),
        &[],
    )
    .await;
    let second = t["id"].as_str().expect("id").to_string();
    let rejected = request(
        r,
        "POST",
        TOKO,
        "/panel/topups/reject",
        &owner,
        Some(&[("id", &second), ("reason", "No such transfer arrived.")]),
    )
    .await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.html);
    let e = only(&shop, "topup.reject", &format!("topup:{second}")).await;
    assert_eq!(e.after["state"], "rejected");
    assert_eq!(e.after["reason"], "No such transfer arrived.");
    assert!(e.ledger.is_empty());

    // The storefront asks its parent for a top-up.
    let asked = request(
        r,
        "POST",
        TOKO,
        "/panel/wallet/topup",
        &owner,
        Some(&[
            ("bank_account", "bca-idr"),
            ("amount", "2000000"),
            ("transfer_reference", "TOKO NOV 2026"),
        ]),
    )
    .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.html);
    let requests: Vec<Entry> = entries(&shop)
        .await
        .into_iter()
        .filter(|e| e.action == "topup.request")
        .collect();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    assert_eq!(requests[0].before, Value::Null);
    assert_eq!(requests[0].after["amount"], "2000000");

    let (_, me) = api(r, "GET", TOKO, "/api/accounts/me", &customer, None, &[]).await;
    let holder = format!("customer:{}", me["id"].as_str().expect("id"));
    let set = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/limit",
        &owner,
        Some(&[("holder", &holder), ("limit", "250000")]),
    )
    .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.html);
    let wallets: Vec<Entry> = entries(&shop)
        .await
        .into_iter()
        .filter(|e| e.action == "wallet.credit_limit")
        .collect();
    assert_eq!(wallets.len(), 1, "{wallets:#?}");
    assert_eq!(wallets[0].before, json!({"credit_limit": "0"}));
    assert_eq!(wallets[0].after, json!({"credit_limit": "250000"}));

    // The page: owners and admins, filtered, and as CSV.
    let page = request(r, "GET", TOKO, "/panel/audit?what=staff", &admin, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(page.html.matches("<tr data-action=\"staff.").count(), 3);
    assert!(!page.html.contains("data-action=\"topup."));
    let page = request(
        r,
        "GET",
        TOKO,
        "/panel/audit?who=admin%40toko",
        &owner,
        None,
    )
    .await;
    assert_eq!(
        page.html.matches("<tr data-action=").count(),
        1,
        "{}",
        page.html
    );
    let page = request(
        r,
        "GET",
        TOKO,
        "/panel/audit?from=2000-01-01&to=2000-01-31",
        &owner,
        None,
    )
    .await;
    assert!(page.html.contains("id=\"empty\""));
    let bad = request(
        r,
        "GET",
        TOKO,
        "/panel/audit?from=2026-12-31&to=2026-01-01",
        &owner,
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = request(r, "GET", TOKO, "/panel/audit?from=yesterday", &owner, None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let csv = request(r, "GET", TOKO, "/panel/audit.csv?what=topup", &owner, None).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.html.lines().collect();
    assert_eq!(
        lines[0],
        "at,who,role,from,action,subject,before,after,ledger"
    );
    assert_eq!(lines.len(), 4, "{}", csv.html);
    assert!(
        lines[1].contains(&format!("topup.approve,topup:{topup}")),
        "{}",
        lines[1]
    );
    assert!(
        lines[1].ends_with(&format!("topup:{topup}")),
        "{}",
        lines[1]
    );
    let total = entries(&shop).await.len();
    assert_eq!(total, 10, "{:#?}", entries(&shop).await);
}

#[tokio::test]
async fn the_log_pages() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let who = storefront_functions::audit::Actor {
        account: "x".into(),
        email: "owner@toko.localhost".into(),
        role: storefront_functions::accounts::Role::Owner,
        ip: None,
    };
    for i in 0..120 {
        let e = Entry::new(
            &who,
            audit::at_ms(1_700_000_000_000 + i * 1000),
            "test.step",
            &format!("step:{i:03}"),
            json!(i),
            json!(i + 1),
        );
        audit::record(shop.store.as_ref(), "toko", &e)
            .await
            .expect("recorded");
    }
    let mut seen = Vec::new();
    let mut path = "/panel/audit".to_string();
    loop {
        let page = request(r, "GET", TOKO, &path, &owner, None).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = unescape(&page.html);
        for piece in html.split("<td>step:").skip(1) {
            seen.push(piece[..3].to_string());
        }
        match html.find("id=\"audit-next\"") {
            Some(_) => path = page.href_in("audit-next").replace("&amp;", "&"),
            None => break,
        }
    }
    let want: Vec<String> = (0..120).map(|i| format!("{i:03}")).collect();
    assert_eq!(seen, want, "every entry once, in order");
}

#[tokio::test]
async fn marking_paid_and_refunding_leave_one_entry_each() {
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let items = json!({"items": [{"domain": "audited.co.id", "action": "register", "years": 1}]});
    let (s, quote) = api_json(r, "POST", TOKO, "/api/orders/quote", &customer, items, &[]).await;
    assert_eq!(s, StatusCode::OK, "{quote}");
    let (s, placed) = api_json(
        r,
        "POST",
        TOKO,
        "/api/orders",
        &customer,
        json!({"quote": quote["id"], "payment": "bank_transfer"}),
        &[("idempotency-key", "audited-1")],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{placed}");
    let id = placed["id"].as_str().expect("id").to_string();
    let finance = {
        storefront_functions::accounts::create_reseller_user(
            shop.store.as_ref(),
            "toko",
            "finance@toko.localhost",
            "back-office-test-2026",
            storefront_functions::accounts::Role::Finance,
            &storefront_functions::accounts::AccountsConfig::fast_for_tests(),
        )
        .await
        .expect("finance");
        sign_in(r, TOKO, "finance@toko.localhost").await
    };
    // Refused (toko's wallet is empty): nothing recorded.
    let short = request(
        r,
        "POST",
        TOKO,
        "/panel/orders/mark-paid",
        &finance,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(short.status, StatusCode::PAYMENT_REQUIRED);
    assert!(entries(&shop).await.is_empty());
    use storefront_core::ledger::Party;
    fund(
        &shop,
        Party::reseller("toko"),
        Party::Platform,
        "bca-idr",
        1_000_000,
    )
    .await;
    let paid = request(
        r,
        "POST",
        TOKO,
        "/panel/orders/mark-paid",
        &finance,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.html);
    let subject = format!("order:{id}");
    let e = only(&shop, "order.mark_paid", &subject).await;
    assert_eq!(e.who.role.key(), "finance");
    assert_eq!(e.before["state"], "awaiting_payment");
    assert_ne!(e.after["state"], e.before["state"]);
    assert_eq!(e.ledger, std::slice::from_ref(&subject));
    let refunded = request(
        r,
        "POST",
        TOKO,
        "/panel/orders/refund",
        &finance,
        Some(&[
            ("id", &id),
            ("line", ""),
            ("reason", "Registered by mistake"),
        ]),
    )
    .await;
    assert_eq!(refunded.status, StatusCode::SEE_OTHER, "{}", refunded.html);
    let e = only(&shop, "order.refund", &subject).await;
    assert_eq!(e.after["state"], "refunded");
    assert_eq!(e.after["reason"], "Registered by mistake");
    assert_eq!(e.ledger, [subject]);
    assert_eq!(entries(&shop).await.len(), 2);
}
