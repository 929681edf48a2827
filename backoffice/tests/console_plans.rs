//! The console's plans and catalogue: the platform's operators edit
//! plans.toml and catalogue.toml as revisions of `@platform`, checked as
//! `storefront check` checks them; a scheduled price change takes effect
//! in the build of its day; a mistake names its line and keeps nothing.

mod common;

use axum::http::StatusCode;
use common::*;
use storefront_functions::clock::Clock;

/// What `reseller`'s published catalogue asks for one year of a .co.id
/// registration on `day`.
async fn co_id_register(shop: &Shop, reseller: &str) -> Result<String, String> {
    use storefront_core::catalogue::Action;
    use storefront_core::price::{Ask, price};
    let s = storefront_functions::catalog::current(shop.store.as_ref(), reseller)
        .await
        .unwrap()
        .expect("published");
    let ask = Ask {
        ext: "co.id",
        action: Action::Register,
        years: 1,
        group: "default",
        today: shop.clock.now().date_naive(),
        premium: None,
        code: None,
    };
    price(&s, &ask)
        .map(|p| p.shown.to_string())
        .map_err(|e| e.message(storefront_core::Locale::En))
}

#[tokio::test]
async fn only_the_platforms_operators_edit_plans_and_the_catalogue() {
    let shop = platform_shop().await;
    let r = &shop.router;
    let agen = sign_in(r, "agen.localhost", "owner@agen.localhost").await;
    for path in ["/panel/platform/plans", "/panel/platform/catalogue"] {
        let page = request(r, "GET", "agen.localhost", path, &agen, None).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        let post = request(
            r,
            "POST",
            "agen.localhost",
            path,
            &agen,
            Some(&[("text", "x")]),
        )
        .await;
        assert_eq!(post.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn a_scheduled_rise_takes_effect_on_its_day() {
    let shop = platform_shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    assert_eq!(co_id_register(&shop, "toko").await, Ok("288000".into()));

    let page = request(r, "GET", TOKO, "/panel/platform/plans", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.text("price-idr-co.id"),
        ".co.id IDR 240,000 IDR 240,000 IDR 240,000 IDR 650,000"
    );
    assert_eq!(page.text("changes-idr"), "None scheduled.");
    assert!(page.text("resellers-idr").contains("toko"));

    // A change from the day after tomorrow: .co.id registrations at 400.000.
    let from = shop.clock.now().date_naive() + chrono::Duration::days(2);
    let published = schedule_co_id(&shop, &owner, from, "400000").await;
    let page = request(r, "GET", TOKO, &published.location, &owner, None).await;
    assert_eq!(
        page.text("changes-idr"),
        format!("{from}: .co.id register IDR 400,000")
    );
    // Before its day, the old price.
    assert_eq!(co_id_register(&shop, "toko").await, Ok("288000".into()));

    // The day comes: the new day's build sells at the new price.
    shop.clock.advance(chrono::Duration::days(3));
    shop.site
        .build(shop.clock.now())
        .await
        .expect("the day's build");
    assert_eq!(co_id_register(&shop, "toko").await, Ok("480000".into()));

    // Each step audited.
    let audit = request(r, "GET", TOKO, "/panel/audit", &owner, None).await;
    assert!(audit.html.contains("platform.plans.save"), "{}", audit.html);
    assert!(audit.html.contains("platform.publish"));
}

/// An operator saves `text` as the console's `file` ("plans" or
/// "catalogue", whose page was loaded at `loaded`) and publishes it.
/// Returns the publish's answer (a redirect to the page).
async fn save_and_publish(shop: &Shop, owner: &str, file: &str, loaded: &str, text: &str) -> Page {
    let r = &shop.router;
    let path = format!("/panel/platform/{file}");
    let body = [("loaded", loaded), ("text", text)];
    let saved = request(r, "POST", TOKO, &path, owner, Some(&body[..])).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let page = request(r, "GET", TOKO, &saved.location, owner, None).await;
    assert_eq!(
        page.text("notice"),
        "Saved as a draft. Publish it to change every storefront."
    );
    let form = page.form("publish-form");
    let body: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let published = request(
        r,
        "POST",
        TOKO,
        &format!("{path}/publish"),
        owner,
        Some(&body[..]),
    )
    .await;
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.html
    );
    published
}

/// An operator schedules .co.id registrations of the plan `idr` at
/// `price` from `from` on the console's plans page, and publishes it.
/// Returns the publish's answer (a redirect to the page).
async fn schedule_co_id(shop: &Shop, owner: &str, from: chrono::NaiveDate, price: &str) -> Page {
    let page = request(
        &shop.router,
        "GET",
        TOKO,
        "/panel/platform/plans",
        owner,
        None,
    )
    .await;
    let text = format!(
        "{}\n[[changes.idr]]\nfrom = {from}\n\n[changes.idr.extensions.\"co.id\"]\nregister = \"{price}\"\n",
        page.input_text()
    );
    save_and_publish(shop, owner, "plans", &page.input("loaded"), &text).await
}

/// An order placed before a rise is paid after it at the prices it was
/// placed at, at every level: the customer's total and what toko's wallet
/// pays the platform.
#[tokio::test]
async fn an_order_placed_before_a_rise_keeps_its_prices() {
    use serde_json::json;
    use storefront_core::ledger::Party;
    let shop = platform_shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
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
        &[("idempotency-key", "before-the-rise")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    assert_eq!(placed["gross"]["display"], "IDR\u{a0}288,000");
    let id = placed["id"].as_str().expect("id").to_string();

    let from = shop.clock.now().date_naive() + chrono::Duration::days(1);
    schedule_co_id(&shop, &owner, from, "400000").await;
    shop.clock.advance(chrono::Duration::days(1));
    shop.site
        .build(shop.clock.now())
        .await
        .expect("the day's build");
    assert_eq!(co_id_register(&shop, "toko").await, Ok("480000".into()));

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
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(paid.status, StatusCode::SEE_OTHER, "{}", paid.html);
    let page = request(r, "GET", TOKO, &paid.location, &owner, None).await;
    assert_eq!(page.text("order-total"), "IDR 288,000");
    // toko pays the platform the old 240.000 and PPN 11%, not 400.000's.
    let wallet = shop
        .orders
        .ledger
        .wallet(&Party::reseller("toko"))
        .await
        .expect("wallet")
        .expect("opened");
    assert_eq!(wallet.balance.available().to_string(), "733600");
}

#[tokio::test]
async fn a_change_for_a_day_already_begun_is_refused() {
    let shop = platform_shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/platform/plans", &owner, None).await;
    let today = shop.clock.now().date_naive();
    let base = page.input_text();
    let text = format!(
        "{base}\n[[changes.idr]]\nfrom = {today}\n\n[changes.idr.extensions.\"co.id\"]\nregister = \"400000\"\n"
    );
    let line = base.lines().count() + 3;
    let loaded = page.input("loaded");
    let body = [("loaded", loaded.as_str()), ("text", text.as_str())];
    let refused = request(
        r,
        "POST",
        TOKO,
        "/panel/platform/plans",
        &owner,
        Some(&body[..]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text("problems"),
        format!(
            "The storefront's checks refused this: plans.toml:{line}: plan 'idr': a price change from {today} must start after today ({today}): pick a later day"
        )
    );
    assert!(!refused.html.contains("id=\"draft\""));
}

#[tokio::test]
async fn a_catalogue_mistake_names_its_line_and_a_good_edit_reaches_the_storefront() {
    let shop = platform_shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/platform/catalogue", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let text = page.input_text();
    let line = text
        .lines()
        .position(|l| l == "label_min = 3")
        .expect("co.id's label_min")
        + 1;
    let wrong = text.replacen("label_min = 3", "label_min = 0", 1);
    let loaded = page.input("loaded");
    let body = [("loaded", loaded.as_str()), ("text", wrong.as_str())];
    let refused = request(
        r,
        "POST",
        TOKO,
        "/panel/platform/catalogue",
        &owner,
        Some(&body[..]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text("problems"),
        format!(
            "The storefront's checks refused this: catalogue.toml:{line}: extension 'co.id': label lengths must satisfy 1 <= label_min <= label_max <= 63 (got 0 and 63)"
        )
    );
    assert!(
        shop.site
            .revisions()
            .draft("@platform")
            .await
            .unwrap()
            .is_none()
    );

    let good = text.replacen(
        "For Indonesian companies.",
        "For companies registered in Indonesia.",
        1,
    );
    save_and_publish(&shop, &owner, "catalogue", &loaded, &good).await;
    let found = walk(&shop.site.out().join("toko")).into_iter().any(|f| {
        std::fs::read_to_string(f)
            .is_ok_and(|s| s.contains("For companies registered in Indonesia."))
    });
    assert!(found, "the storefront's pages say it");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

trait TextArea {
    fn input_text(&self) -> String;
}

impl TextArea for Page {
    /// The textarea's text as the page shows it.
    fn input_text(&self) -> String {
        let at = self.html.find("id=\"text\"").expect("the text");
        let start = at + self.html[at..].find('>').expect("tag end") + 1;
        let end = start + self.html[start..].find("</textarea>").expect("end");
        unescape(&self.html[start..end])
    }
}

/// A line waiting for documents keeps the items it was placed under when
/// the operators change what its extension asks; a new order asks the new
/// list.
#[tokio::test]
async fn an_order_keeps_the_document_rules_it_was_placed_under() {
    use serde_json::{Value, json};
    let shop = platform_shop().await;
    co_id_waits_for_documents(&shop).await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (_, me) = api(r, "GET", TOKO, "/api/accounts/me", &customer, None, &[]).await;
    credit(&shop, me["id"].as_str().expect("account"), 1_000_000).await;
    let order = |domain: &'static str, key: &'static str| {
        let customer = customer.clone();
        async move {
            let items = json!({"items": [{"domain": domain, "action": "register", "years": 1}]});
            let (_, quote) =
                api_json(r, "POST", TOKO, "/api/orders/quote", &customer, items, &[]).await;
            let (status, placed) = api_json(
                r,
                "POST",
                TOKO,
                "/api/orders",
                &customer,
                json!({"quote": quote["id"], "payment": "wallet"}),
                &[("idempotency-key", key)],
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{placed}");
            assert_eq!(placed["lines"][0]["status"], "awaiting_documents");
            placed["id"].as_str().expect("id").to_string()
        }
    };
    let asked = |id: String| {
        let customer = customer.clone();
        async move {
            let (status, sets) = api(
                r,
                "GET",
                TOKO,
                &format!("/api/orders/{id}/documents"),
                &customer,
                None,
                &[],
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{sets}");
            sets[0]["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].clone())
                .collect::<Vec<Value>>()
        }
    };
    let before = order("dokumen.co.id", "rules-1").await;
    assert_eq!(
        asked(before.clone()).await,
        vec![json!("ktp"), json!("type")]
    );

    // The operators drop the registrant type from .co.id.
    let page = request(r, "GET", TOKO, "/panel/platform/catalogue", &owner, None).await;
    let text = page.input_text();
    assert!(text.contains("documents = [\"ktp\", \"type\"]"), "{text}");
    let changed = text.replacen(
        "documents = [\"ktp\", \"type\"]",
        "documents = [\"ktp\"]",
        1,
    );
    save_and_publish(&shop, &owner, "catalogue", &page.input("loaded"), &changed).await;

    assert_eq!(
        asked(before).await,
        vec![json!("ktp"), json!("type")],
        "the order placed before asks what it was placed under"
    );
    let after = order("bank-paid.co.id", "rules-2").await;
    assert_eq!(asked(after).await, vec![json!("ktp")]);
}
