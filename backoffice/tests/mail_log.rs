//! The console's mail log: every mail the platform sends is there with its
//! recipient, storefront, subject and outcome (a failed one says why),
//! filtered by recipient, fifty a page.

mod common;

use axum::http::StatusCode;
use common::*;
use storefront_functions::mail_log::{self, Entry};

async fn mail_page(shop: &Shop, who: &str, query: &str) -> Page {
    let page = request(
        &shop.router,
        "GET",
        TOKO,
        &format!("/panel/platform/mail{query}"),
        who,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    page
}

/// A row's text without its time (the first two words: day and hour).
fn row(page: &Page, i: usize) -> String {
    let t = page.text(&format!("mail-{i}"));
    t.splitn(3, ' ').nth(2).unwrap_or_default().to_string()
}

/// Where the page's "Older mail" link goes.
fn older(page: &Page) -> String {
    let at = page.html.find("\" id=\"older\"").expect("an older page");
    let href = page.html[..at].rfind("href=\"").expect("its href") + 6;
    unescape(&page.html[href..at])
}

#[tokio::test]
async fn an_invitation_is_logged_and_a_failed_mail_says_why() {
    let shop = platform_shop().await;
    let owner = sign_in(&shop.router, TOKO, "owner@toko.localhost").await;
    let invited = request(
        &shop.router,
        "POST",
        TOKO,
        "/panel/staff/invite",
        &owner,
        Some(&[("email", "kasir@toko.localhost"), ("role", "finance")]),
    )
    .await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.html);
    let page = mail_page(&shop, &owner, "").await;
    assert_eq!(
        row(&page, 1),
        "kasir@toko.localhost Toko Domain Undangan ke back office Toko Domain sent"
    );
    assert!(!page.html.contains("data-failed"));

    // The mail server refuses: here, the outbox cannot be written.
    let _ = std::fs::remove_dir_all(&shop.mail);
    std::fs::write(&shop.mail, b"not a folder").expect("a file in the outbox's place");
    let refused = request(
        &shop.router,
        "POST",
        TOKO,
        "/panel/staff/invite",
        &owner,
        Some(&[("email", "gudang@toko.localhost"), ("role", "support")]),
    )
    .await;
    assert_ne!(refused.status, StatusCode::SEE_OTHER);
    let page = mail_page(&shop, &owner, "").await;
    let failed = row(&page, 1);
    assert!(
        failed.starts_with(
            "gudang@toko.localhost Toko Domain Undangan ke back office Toko Domain failed: cannot write to the outbox: "
        ),
        "{failed}"
    );
    assert!(
        page.html
            .contains("id=\"mail-1\" class=\"problem\" data-failed=\"true\"")
    );
    assert_eq!(
        row(&page, 2),
        "kasir@toko.localhost Toko Domain Undangan ke back office Toko Domain sent"
    );

    // Filtered by recipient: that one alone.
    let page = mail_page(&shop, &owner, "?to=KASIR%40toko.localhost&storefront=").await;
    assert_eq!(
        row(&page, 1),
        "kasir@toko.localhost Toko Domain Undangan ke back office Toko Domain sent"
    );
    assert_eq!(page.text("mail-2"), "");
    assert_eq!(page.input("to"), "KASIR@toko.localhost");
    let page = mail_page(&shop, &owner, "?to=nobody%40example.com").await;
    assert_eq!(page.text("no-mail"), "No mail matches.");
    let page = mail_page(&shop, &owner, "?storefront=Agen+Web").await;
    assert_eq!(page.text("no-mail"), "No mail matches.");

    // Not for anyone but the platform's operators.
    let agen = sign_in(&shop.router, "agen.localhost", "owner@agen.localhost").await;
    let page = request(
        &shop.router,
        "GET",
        "agen.localhost",
        "/panel/platform/mail",
        &agen,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn fifty_a_page_newest_first_the_filter_kept_on_the_next() {
    let shop = platform_shop().await;
    let owner = sign_in(&shop.router, TOKO, "owner@toko.localhost").await;
    let start = chrono::Utc::now() - chrono::Duration::hours(2);
    for i in 0..70 {
        let to = if i % 4 == 0 {
            "four@example.com"
        } else {
            "other@example.com"
        };
        let e = Entry {
            at: start + chrono::Duration::seconds(i),
            to: to.into(),
            storefront: "Toko Domain".into(),
            subject: format!("Notice {i}"),
            error: None,
        };
        mail_log::record(shop.store.as_ref(), &e)
            .await
            .expect("recorded");
    }
    let first = mail_page(&shop, &owner, "").await;
    assert_eq!(
        row(&first, 1),
        "other@example.com Toko Domain Notice 69 sent"
    );
    assert_eq!(
        row(&first, 50),
        "four@example.com Toko Domain Notice 20 sent"
    );
    assert_eq!(first.text("mail-51"), "");
    let link = older(&first);
    let second = mail_page(
        &shop,
        &owner,
        link.trim_start_matches("/panel/platform/mail"),
    )
    .await;
    assert_eq!(
        row(&second, 1),
        "other@example.com Toko Domain Notice 19 sent"
    );
    assert_eq!(
        row(&second, 20),
        "four@example.com Toko Domain Notice 0 sent"
    );
    assert_eq!(second.text("mail-21"), "");
    assert!(!second.html.contains("id=\"older\""));

    // Filtered: eighteen, one page; the link of a longer list keeps the
    // filter.
    let four = mail_page(&shop, &owner, "?to=four%40example.com").await;
    assert_eq!(row(&four, 1), "four@example.com Toko Domain Notice 68 sent");
    assert_eq!(row(&four, 18), "four@example.com Toko Domain Notice 0 sent");
    assert_eq!(four.text("mail-19"), "");
    assert!(!four.html.contains("id=\"older\""));
    let others = mail_page(&shop, &owner, "?to=other%40example.com").await;
    assert_eq!(
        row(&others, 50),
        "other@example.com Toko Domain Notice 3 sent"
    );
    let next = older(&others);
    assert!(
        next.starts_with("/panel/platform/mail?to=other%40example.com&before="),
        "{next}"
    );
    let rest = mail_page(
        &shop,
        &owner,
        next.trim_start_matches("/panel/platform/mail"),
    )
    .await;
    assert_eq!(row(&rest, 1), "other@example.com Toko Domain Notice 2 sent");
    assert_eq!(row(&rest, 2), "other@example.com Toko Domain Notice 1 sent");
    assert_eq!(rest.text("mail-3"), "");
}
