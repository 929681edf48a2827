//! Sub-resellers in the back office: toko's owner creates one on the plan
//! toko offers; it answers at once on its own host with its name and the
//! plan's prices, its owner's invitation sets a password and opens its
//! own back office, toko's list shows its wallet, bad input is refused
//! field by field, and nobody but toko reads its orders.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use storefront_core::ledger::Party;
use storefront_functions::accounts::{AccountsConfig, Role};
use storefront_functions::audit::{self, Entry, Filter};

const PASSWORD: &str = "back-office-test-2026";
const ANAK: &str = "anak.localhost";

fn anak_form<'a>(id: &'a str, plan: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", id),
        ("name", "Anak Domain"),
        ("language", "id"),
        ("plan", plan),
        ("owner_name", "Budi Santoso"),
        ("owner_email", email),
    ]
}

/// The one audit entry of `action` on `subject` in `reseller`'s log.
async fn only(shop: &Shop, reseller: &str, action: &str, subject: &str) -> Entry {
    let all = audit::list(
        shop.store.as_ref(),
        reseller,
        &Filter::default(),
        None,
        1000,
    )
    .await
    .expect("the log")
    .entries;
    let found: Vec<&Entry> = all
        .iter()
        .filter(|e| e.action == action && e.subject == subject)
        .collect();
    assert_eq!(found.len(), 1, "{action} {subject}: {all:#?}");
    found[0].clone()
}

/// The last mail to `to` in the services' outbox, quoted-printable undone.
fn mail_to(shop: &Shop, to: &str) -> String {
    let mut files: Vec<_> = std::fs::read_dir(&shop.mail)
        .expect("the outbox")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    let line = format!("To: {to}\r\n");
    let mail = files
        .iter()
        .rev()
        .map(|p| std::fs::read_to_string(p).expect("mail"))
        .find(|m| m.contains(&line))
        .unwrap_or_else(|| panic!("nothing mailed to {to}"));
    mail.replace("=\r\n", "").replace("=3D", "=")
}

/// The password link's token in a mail.
fn token_in(mail: &str) -> String {
    let at = mail.find("?reset=").expect("a link") + 7;
    mail[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

#[tokio::test]
async fn the_owner_creates_a_sub_reseller_that_answers_at_once() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;

    // The form offers the plans toko's prices offer its sub-resellers.
    let page = request(r, "GET", TOKO, "/panel/subresellers/new", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(
        page.form("new-subreseller")
            .into_iter()
            .find(|(k, _)| k == "plan"),
        Some(("plan".to_string(), "agen".to_string()))
    );

    let created = request(
        r,
        "POST",
        TOKO,
        "/panel/subresellers/new",
        &owner,
        Some(&anak_form("anak", "agen", "budi@anak.example")),
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    assert_eq!(created.location, "/panel/subresellers?done=created&id=anak");

    // Its storefront is built and its host is known: its home page has
    // its name, and its API answers on anak.localhost with no restart.
    let home = std::fs::read_to_string(shop.site.out().join("anak/index.html")).expect("built");
    assert!(home.contains("Anak Domain"), "{home}");
    let site = String::from_utf8(
        shop.site
            .files_of(
                "anak",
                &shop
                    .site
                    .revisions()
                    .published("anak")
                    .await
                    .expect("store")
                    .expect("published")
                    .revision,
            )
            .await
            .expect("files")["site.toml"]
            .clone(),
    )
    .expect("utf-8");
    assert!(
        site.contains("parent = \"toko\"\nplan = \"agen\"")
            && site.contains("languages = [\"id\"]"),
        "{site}"
    );
    // Priced at the plan: toko's cost of a .com registration is 152000,
    // plan `agen` adds 5% (159600), anak's default customers add 25%
    // (199500) rounded to 1000, with no tax of its own: 200000.
    let items = json!({"items": [{"domain": "kebun-anak.com", "action": "register", "years": 1}]});
    let (s, quote) = api_json(r, "POST", ANAK, "/api/orders/quote", "", items, &[]).await;
    assert_eq!(s, StatusCode::OK, "{quote}");
    assert_eq!(quote["currency"], "IDR");
    assert_eq!(quote["gross"]["amount"], "200000", "{quote}");

    // The notice, and the list with its plan and an empty wallet.
    let list = request(r, "GET", TOKO, &created.location, &owner, None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.html);
    assert_eq!(
        list.text("notice"),
        "Sub-reseller anak created: its storefront is live and its owner was mailed an invitation."
    );
    assert_eq!(
        list.text("sub-anak"),
        "Anak Domain anak anak.localhost agen IDR 0 IDR 0 Credit limit Save IDR 0 budi@anak.example (invited, no password yet) Owner's name Owner's email Send the invitation Orders · Domains · Top-ups to approve",
        "{}",
        list.html
    );

    // Sent to a wrong address? Sent again, the first link stops working.
    let first = token_in(&mail_to(&shop, "budi@anak.example"));
    let bad = request(
        r,
        "POST",
        TOKO,
        "/panel/subresellers/invite",
        &owner,
        Some(&[
            ("id", "anak"),
            ("owner_name", "Budi"),
            ("owner_email", "budi"),
        ]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.text("problem"),
        "Enter the owner's email address, such as name@example.com (not “budi”)."
    );
    let again = request(
        r,
        "POST",
        TOKO,
        "/panel/subresellers/invite",
        &owner,
        Some(&[
            ("id", "anak"),
            ("owner_name", "Budi Santoso"),
            ("owner_email", "budi@anak.example"),
        ]),
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.html);
    let body = json!({"token": first, "password": PASSWORD});
    let (s, _) = api_json(
        r,
        "POST",
        ANAK,
        "/api/accounts/password/reset",
        "",
        body,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the first link is dead");

    // The owner's invitation, to anak's own host, in its language.
    let mail = mail_to(&shop, "budi@anak.example");
    assert!(
        mail.contains("Undangan ke back office Anak Domain")
            && mail.contains("dengan peran pemilik"),
        "{mail}"
    );
    let at = mail
        .find("http://anak.localhost/account/?reset=")
        .unwrap_or_else(|| panic!("a link to anak's own host: {mail}"))
        + "http://anak.localhost/account/?reset=".len();
    let token: String = mail[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "{mail}");
    let body = json!({"token": token, "password": PASSWORD});
    let (s, b) = api_json(
        r,
        "POST",
        ANAK,
        "/api/accounts/password/reset",
        "",
        body,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let budi = sign_in(r, ANAK, "budi@anak.example").await;
    let panel = request(r, "GET", ANAK, "/panel/", &budi, None).await;
    assert_eq!(panel.status, StatusCode::OK, "{}", panel.html);
    assert!(
        panel.html.contains("Anak Domain") && panel.html.contains("budi@anak.example (pemilik)"),
        "{}",
        panel.html
    );
    // Signed up: toko invites nobody else as its owner.
    let late = request(
        r,
        "POST",
        TOKO,
        "/panel/subresellers/invite",
        &owner,
        Some(&[("id", "anak"), ("owner_email", "other@anak.example")]),
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    let list = request(r, "GET", TOKO, "/panel/subresellers", &owner, None).await;
    assert_eq!(list.text("owner-anak"), "budi@anak.example");
    // Its wallet is held with toko.
    let (s, w) = api(r, "GET", ANAK, "/api/panel/wallet", &budi, None, &[]).await;
    assert_eq!(s, StatusCode::OK, "{w}");
    assert_eq!(w["parent"]["id"], "toko", "{w}");

    // One audit entry for the creation and one for the invitation sent
    // again, in toko's log, with what they made.
    let created = only(&shop, "toko", "subreseller.create", "reseller:anak").await;
    assert_eq!(created.before, json!(null));
    assert_eq!(
        (
            &created.after["plan"],
            &created.after["host"],
            &created.after["owner"]
        ),
        (
            &json!("agen"),
            &json!("anak.localhost"),
            &json!("budi@anak.example")
        )
    );
    let again = only(&shop, "toko", "subreseller.invite_owner", "reseller:anak").await;
    assert_eq!(again.before, json!({"pending": ["budi@anak.example"]}));
    assert_eq!(again.after, json!({"owner": "budi@anak.example"}));
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    for (form, field, says) in [
        (
            anak_form("agen", "agen", "budi@anak.example"),
            "id",
            "The address agen is already taken: choose another.",
        ),
        (
            anak_form("anak_1", "agen", "budi@anak.example"),
            "id",
            "Choose an address of 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen (not “anak_1”).",
        ),
        (
            anak_form("anak", "gold", "budi@anak.example"),
            "plan",
            "Choose one of the sub-reseller plans you offer (not “gold”).",
        ),
        (
            anak_form("anak", "agen", "budi.anak.example"),
            "owner_email",
            "Enter the owner's email address, such as name@example.com (not “budi.anak.example”).",
        ),
    ] {
        let refused = request(
            r,
            "POST",
            TOKO,
            "/panel/subresellers/new",
            &owner,
            Some(&form),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        assert_eq!(
            refused.text("errors"),
            format!("Please fix these before saving: {says}"),
            "{}",
            refused.html
        );
        assert!(
            refused.html.contains(&format!("data-field=\"{field}\"")),
            "{field}"
        );
    }
    // Nothing was made.
    assert_eq!(
        shop.site
            .revisions()
            .published("anak")
            .await
            .expect("store"),
        None
    );
    let list = request(r, "GET", TOKO, "/panel/subresellers", &owner, None).await;
    assert!(!list.html.contains("id=\"sub-anak\""), "{}", list.html);

    // Created once; the same address again is taken.
    let form = anak_form("anak", "agen", "budi@anak.example");
    let created = request(
        r,
        "POST",
        TOKO,
        "/panel/subresellers/new",
        &owner,
        Some(&form),
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let again = request(
        r,
        "POST",
        TOKO,
        "/panel/subresellers/new",
        &owner,
        Some(&form),
    )
    .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        again.text("errors"),
        "Please fix these before saving: The address anak is already taken: choose another."
    );
}

#[tokio::test]
async fn only_the_parent_reads_a_sub_resellers_orders_and_only_owners_and_admins_create() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let form = anak_form("anak", "agen", "budi@anak.example");
    let created = request(
        r,
        "POST",
        TOKO,
        "/panel/subresellers/new",
        &owner,
        Some(&form),
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);

    // A customer of anak buys a .com: anak pays toko the plan's price.
    storefront_functions::accounts::create_demo_customer(
        shop.store.as_ref(),
        "anak",
        "pembeli@anak.localhost",
        PASSWORD,
        &AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("anak's customer");
    let customer = sign_in(r, ANAK, "pembeli@anak.localhost").await;
    let (_, me) = api(r, "GET", ANAK, "/api/accounts/me", &customer, None, &[]).await;
    let account = me["id"].as_str().expect("account id").to_string();
    let (toko, anak) = (Party::reseller("toko"), Party::reseller("anak"));
    fund(&shop, toko.clone(), Party::Platform, "bca-idr", 1_000_000).await;
    fund(&shop, anak.clone(), toko.clone(), "bca", 1_000_000).await;
    fund(
        &shop,
        Party::customer("anak", &account),
        anak,
        "main",
        1_000_000,
    )
    .await;
    let items = json!({"items": [{"domain": "kebun-anak.com", "action": "register", "years": 1}]});
    let (s, quote) = api_json(r, "POST", ANAK, "/api/orders/quote", &customer, items, &[]).await;
    assert_eq!(s, StatusCode::OK, "{quote}");
    let (s, placed) = api_json(
        r,
        "POST",
        ANAK,
        "/api/orders",
        &customer,
        json!({"quote": quote["id"], "payment": "wallet"}),
        &[("idempotency-key", "anak-1")],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{placed}");
    let order = placed["id"].as_str().expect("id").to_string();

    // toko sees it among anak's orders, and anak's wallet paid the plan's
    // price: 159600 and toko's 11% PPN on it, 177156.
    let orders = request(
        r,
        "GET",
        TOKO,
        "/panel/subresellers/orders?id=anak",
        &owner,
        None,
    )
    .await;
    assert_eq!(orders.status, StatusCode::OK, "{}", orders.html);
    assert!(
        orders.html.contains(&format!("id=\"order-{order}\"")),
        "{}",
        orders.html
    );
    let domains = request(
        r,
        "GET",
        TOKO,
        "/panel/subresellers/domains?id=anak",
        &owner,
        None,
    )
    .await;
    assert_eq!(domains.status, StatusCode::OK, "{}", domains.html);
    assert!(
        domains.html.contains("data-domain=\"kebun-anak.com\""),
        "{}",
        domains.html
    );
    let list = request(r, "GET", TOKO, "/panel/subresellers", &owner, None).await;
    assert_eq!(list.text("available-anak"), "IDR 822,844", "{}", list.html);

    // toko's credit limit for anak, audited by the desk.
    let set = request(
        r,
        "POST",
        TOKO,
        "/panel/subresellers/limit",
        &owner,
        Some(&[("id", "anak"), ("limit", "500000")]),
    )
    .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.html);
    let list = request(r, "GET", TOKO, "/panel/subresellers", &owner, None).await;
    assert_eq!(
        list.text("limit-shown-anak"),
        "IDR 500,000",
        "{}",
        list.html
    );
    let limit = only(
        &shop,
        "toko",
        "wallet.credit_limit",
        &Party::reseller("anak").key(),
    )
    .await;
    assert_eq!(
        (limit.before, limit.after),
        (
            json!({"credit_limit": "0"}),
            json!({"credit_limit": "500000"})
        )
    );

    // agen, another of toko's sub-resellers, neither lists nor opens anak.
    let agen = sign_in(r, "agen.localhost", "owner@agen.localhost").await;
    let theirs = request(
        r,
        "GET",
        "agen.localhost",
        "/panel/subresellers",
        &agen,
        None,
    )
    .await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.html);
    assert!(!theirs.html.contains("anak"), "{}", theirs.html);
    for path in [
        "/panel/subresellers/orders?id=anak",
        "/panel/subresellers/domains?id=anak",
    ] {
        let p = request(r, "GET", "agen.localhost", path, &agen, None).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!p.html.contains(&order), "{path}");
    }
    let p = request(
        r,
        "POST",
        "agen.localhost",
        "/panel/subresellers/limit",
        &agen,
        Some(&[("id", "anak"), ("limit", "9000000")]),
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    // Nor does toko open a storefront that is not its own child.
    let p = request(
        r,
        "GET",
        TOKO,
        "/panel/subresellers/orders?id=toko",
        &owner,
        None,
    )
    .await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);

    // Support reads the list but creates nothing.
    storefront_functions::accounts::create_reseller_user(
        shop.store.as_ref(),
        "toko",
        "support@toko.localhost",
        PASSWORD,
        Role::Support,
        &AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("support");
    let support = sign_in(r, TOKO, "support@toko.localhost").await;
    let list = request(r, "GET", TOKO, "/panel/subresellers", &support, None).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.html.contains("subresellers/new"), "not offered");
    let page = request(r, "GET", TOKO, "/panel/subresellers/new", &support, None).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let form = anak_form("cucu", "agen", "cucu@anak.example");
    let refused = request(
        r,
        "POST",
        TOKO,
        "/panel/subresellers/new",
        &support,
        Some(&form),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        shop.site
            .revisions()
            .published("cucu")
            .await
            .expect("store"),
        None
    );
}

#[tokio::test]
async fn the_list_pages_by_id_and_shows_each_once() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    for id in ["anak-tiga", "anak", "anak-dua"] {
        let email = format!("owner@{id}.example");
        let form = anak_form(id, "agen", &email);
        let created = request(
            r,
            "POST",
            TOKO,
            "/panel/subresellers/new",
            &owner,
            Some(&form),
        )
        .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    }
    let page = |after: Option<String>| {
        let store = shop.store.clone();
        async move {
            storefront_functions::catalog::sub_resellers_page(
                store.as_ref(),
                "toko",
                after.as_deref(),
                2,
            )
            .await
            .expect("store")
        }
    };
    let ids = |p: &storefront_functions::paging::Page<storefront_core::snapshot::Snapshot>| {
        p.items
            .iter()
            .map(|s| s.reseller.clone())
            .collect::<Vec<_>>()
    };
    let first = page(None).await;
    assert_eq!(ids(&first), ["agen", "anak"]);
    assert_eq!(first.next.as_deref(), Some("anak"));
    let second = page(first.next).await;
    assert_eq!(ids(&second), ["anak-dua", "anak-tiga"]);
    assert_eq!(second.next, None);
    // The page as people see it: all four (fewer than a page), in order.
    let list = request(r, "GET", TOKO, "/panel/subresellers", &owner, None).await;
    let rows: Vec<&str> = list
        .html
        .split("<tr id=\"sub-")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap_or(0)])
        .collect();
    assert_eq!(rows, ["agen", "anak", "anak-dua", "anak-tiga"]);
    assert!(!list.html.contains("id=\"next-page\""));
}
