//! Announcements from the platform's console to its resellers' dashboards:
//! shown from their first day to their last in the reader's language,
//! gone once withdrawn, refused beside the form when typed wrong, and for
//! the platform's operators alone to write.

mod common;

use axum::http::StatusCode;
use chrono::{Duration, NaiveDate};
use common::*;
use storefront_functions::accounts::{AccountsConfig, Role};

const AGEN: &str = "agen.localhost";

/// The platform's today, as the console's form offers it for the first day.
async fn today(shop: &Shop, owner: &str) -> NaiveDate {
    let page = request(
        &shop.router,
        "GET",
        TOKO,
        "/panel/platform/announcements",
        owner,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    NaiveDate::parse_from_str(&page.input("starts"), "%Y-%m-%d").expect("a day")
}

fn day(d: NaiveDate, plus: i64) -> String {
    (d + Duration::days(plus)).to_string()
}

async fn publish(shop: &Shop, who: &str, fields: &[(&str, &str)]) -> Page {
    request(
        &shop.router,
        "POST",
        TOKO,
        "/panel/platform/announcements",
        who,
        Some(fields),
    )
    .await
}

/// The announcements a dashboard shows, each as its text reads.
async fn dashboard(shop: &Shop, lang: &str, host: &str, who: &str) -> Vec<String> {
    let page = request_in(lang, &shop.router, "GET", host, "/panel/", who, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    (1..)
        .map(|i| page.text(&format!("announcement-{i}")))
        .take_while(|t| !t.is_empty())
        .collect()
}

#[tokio::test]
async fn an_announcement_is_shown_from_its_first_day_to_its_last_in_each_readers_language() {
    let shop = platform_shop().await;
    // 05:00 UTC is noon in Jakarta: a day's test runs inside one day.
    shop.clock.to_utc_hour(5);
    let owner = sign_in(&shop.router, TOKO, "owner@toko.localhost").await;
    let agen = sign_in(&shop.router, AGEN, "owner@agen.localhost").await;
    let today = today(&shop, &owner).await;
    let done = publish(
        &shop,
        &owner,
        &[
            ("title_en", "Maintenance on Saturday"),
            (
                "body_en",
                "The registry is down **from 01:00** at night.\n\n<script>alert(1)</script>",
            ),
            ("title_id", "Pemeliharaan hari Sabtu"),
            ("body_id", "Registri mati mulai pukul 01:00."),
            ("title_pl", ""),
            ("body_pl", ""),
            ("audience", "everyone"),
            ("starts", &today.to_string()),
            ("ends", &day(today, 2)),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(
        done.location,
        "/panel/platform/announcements?done=published"
    );
    let coming = publish(
        &shop,
        &owner,
        &[
            ("title_id", "Harga baru .id"),
            ("body_id", "Mulai bulan depan."),
            ("starts", &day(today, 3)),
            ("ends", ""),
        ],
    )
    .await;
    assert_eq!(coming.status, StatusCode::SEE_OTHER, "{}", coming.html);

    // Every staff member of every reseller, in their language; the body as
    // Markdown with nothing of its script left.
    let toko_id = dashboard(&shop, "id", TOKO, &owner).await;
    assert_eq!(
        toko_id,
        ["Pemeliharaan hari Sabtu Registri mati mulai pukul 01:00."]
    );
    let admin = sign_in(&shop.router, TOKO, "admin@toko.localhost").await;
    assert_eq!(
        dashboard(&shop, "en", TOKO, &admin).await,
        ["Maintenance on Saturday The registry is down from 01:00 at night."]
    );
    let page = request_in("en", &shop.router, "GET", TOKO, "/panel/", &admin, None).await;
    assert!(
        page.html.contains("<strong>from 01:00</strong>"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("<script>alert(1)"), "{}", page.html);
    storefront_functions::accounts::create_reseller_user(
        shop.store.as_ref(),
        "agen",
        "support@agen.localhost",
        PASSWORD,
        Role::Support,
        &AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("support");
    let support = sign_in(&shop.router, AGEN, "support@agen.localhost").await;
    for who in [&agen, &support] {
        assert_eq!(
            dashboard(&shop, "en", AGEN, who).await,
            ["Maintenance on Saturday The registry is down from 01:00 at night."]
        );
    }

    // Its first day comes: newest first; English readers get the only
    // language it has.
    shop.clock.advance(Duration::days(3));
    assert_eq!(
        dashboard(&shop, "en", AGEN, &agen).await,
        ["Harga baru .id Mulai bulan depan."]
    );
    assert_eq!(
        dashboard(&shop, "id", TOKO, &owner).await,
        ["Harga baru .id Mulai bulan depan."],
        "the first ended yesterday"
    );
    let console = request(
        &shop.router,
        "GET",
        TOKO,
        "/panel/platform/announcements",
        &owner,
        None,
    )
    .await;
    let row = console.text("announcement-1");
    assert!(
        row.starts_with(&format!(
            "Harga baru .id id every reseller {} until withdrawn shown owner@toko.localhost, ",
            day(today, 3)
        )) && row.ends_with(" Edit Withdraw"),
        "{row}"
    );
    assert!(
        console.text("announcement-2").starts_with(&format!(
            "Maintenance on Saturday en, id every reseller {today} {} ended",
            day(today, 2)
        )),
        "{}",
        console.text("announcement-2")
    );

    // Withdrawn: gone from every dashboard, and audited.
    let id = console
        .html
        .split("name=\"id\" value=\"")
        .nth(2)
        .map(|s| s[..s.find('"').expect("quote")].to_string())
        .expect("the first listed's id");
    let gone = request(
        &shop.router,
        "POST",
        TOKO,
        "/panel/platform/announcements/withdraw",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.html);
    assert_eq!(
        gone.location,
        "/panel/platform/announcements?done=withdrawn"
    );
    assert!(dashboard(&shop, "en", AGEN, &agen).await.is_empty());
    let again = request(
        &shop.router,
        "POST",
        TOKO,
        "/panel/platform/announcements/withdraw",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(
        again.text("notice"),
        "That announcement is no longer there: it was withdrawn or has ended. Here is the list as it is now."
    );
    let audit = request(&shop.router, "GET", TOKO, "/panel/audit", &owner, None).await;
    let html = unescape(&audit.html);
    assert!(html.contains("announcement.publish"), "{html}");
    assert!(html.contains("announcement.withdraw"), "{html}");
}

#[tokio::test]
async fn an_edit_changes_what_dashboards_show_and_an_audience_narrows_it() {
    let shop = platform_shop().await;
    shop.clock.to_utc_hour(5);
    let owner = sign_in(&shop.router, TOKO, "owner@toko.localhost").await;
    let agen = sign_in(&shop.router, AGEN, "owner@agen.localhost").await;
    let today = today(&shop, &owner).await.to_string();
    let done = publish(
        &shop,
        &owner,
        &[
            ("title_en", "For resellers of the platform"),
            ("body_en", "Only you."),
            ("audience", "top_level"),
            ("starts", &today),
        ],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(
        dashboard(&shop, "en", TOKO, &owner).await,
        ["For resellers of the platform Only you."]
    );
    assert!(dashboard(&shop, "en", AGEN, &agen).await.is_empty());

    // Edited from its own form: every reseller, new words.
    let console = request(
        &shop.router,
        "GET",
        TOKO,
        "/panel/platform/announcements",
        &owner,
        None,
    )
    .await;
    let edit = console.href_in("announcement-1");
    let form = request(&shop.router, "GET", TOKO, &edit, &owner, None).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let mut fields = form.form("announcement");
    for (k, v) in fields.iter_mut() {
        match k.as_str() {
            "title_en" => *v = "For every reseller".into(),
            "audience" => *v = "everyone".into(),
            _ => {}
        }
    }
    // The form's text areas, as a browser sends them.
    fields.push(("body_en".into(), "Only you.".into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = publish(&shop, &owner, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(saved.location, "/panel/platform/announcements?done=saved");
    assert_eq!(
        dashboard(&shop, "en", AGEN, &agen).await,
        ["For every reseller Only you."]
    );
    assert_eq!(dashboard(&shop, "en", TOKO, &owner).await.len(), 1);
}

#[tokio::test]
async fn typed_wrong_it_says_so_beside_the_form_and_keeps_nothing() {
    let shop = platform_shop().await;
    let owner = sign_in(&shop.router, TOKO, "owner@toko.localhost").await;
    let long = "x".repeat(4001);
    for (fields, field, said) in [
        (
            vec![("title_en", ""), ("body_en", ""), ("starts", "2026-03-01")],
            "title_en",
            "Give the announcement a title in at least one language.",
        ),
        (
            vec![
                ("title_id", ""),
                ("body_id", "Isi"),
                ("starts", "2026-03-01"),
            ],
            "title_id",
            "A text needs its title (id).",
        ),
        (
            vec![
                ("title_en", "T"),
                ("starts", "2026-03-05"),
                ("ends", "2026-03-04"),
            ],
            "ends",
            "The last day cannot come before the first.",
        ),
        (
            vec![
                ("title_en", "T"),
                ("body_en", &long),
                ("starts", "2026-03-01"),
            ],
            "body_en",
            "A text is at most 4000 characters.",
        ),
        (
            vec![("title_en", "T"), ("starts", "2026-02-30")],
            "starts",
            "Not a date: use YYYY-MM-DD.",
        ),
        (
            vec![
                ("title_en", "T"),
                ("starts", "2026-03-01"),
                ("ends", "soon"),
            ],
            "ends",
            "Not a date: use YYYY-MM-DD.",
        ),
    ] {
        let page = publish(&shop, &owner, &fields).await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            page.html
        );
        assert_eq!(page.text("errors"), said, "{fields:?}");
        assert_eq!(page.text(&format!("error-{field}")), said);
        // What was typed stays in the form.
        for (name, value) in &fields {
            if !name.starts_with("body") {
                assert_eq!(&page.input(name), value);
            }
        }
    }
    let console = request(
        &shop.router,
        "GET",
        TOKO,
        "/panel/platform/announcements",
        &owner,
        None,
    )
    .await;
    assert_eq!(
        console.text("no-announcements"),
        "No announcement is published."
    );
}

#[tokio::test]
async fn only_the_platforms_operators_write_announcements() {
    let shop = platform_shop().await;
    let r = &shop.router;
    storefront_functions::accounts::create_reseller_user(
        shop.store.as_ref(),
        "toko",
        "finance@toko.localhost",
        PASSWORD,
        Role::Finance,
        &AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("finance");
    let finance = sign_in(r, TOKO, "finance@toko.localhost").await;
    let agen = sign_in(r, AGEN, "owner@agen.localhost").await;
    let fields = [("title_en", "Hello"), ("starts", "2026-03-01")];
    for (host, who) in [(TOKO, &finance), (AGEN, &agen)] {
        let page = request(r, "GET", host, "/panel/platform/announcements", who, None).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let page = request(
            r,
            "POST",
            host,
            "/panel/platform/announcements",
            who,
            Some(&fields),
        )
        .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        let page = request(
            r,
            "POST",
            host,
            "/panel/platform/announcements/withdraw",
            who,
            Some(&[("id", "ANN#1")]),
        )
        .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    }
    let none = storefront_functions::announcements::all(shop.store.as_ref())
        .await
        .expect("read");
    assert!(none.is_empty());
}
