//! Customers in the back office: every account of the storefront listed by
//! name, searched by the start of a name or an email address, paged (1,200
//! customers, 50 a page, each once and in order); a customer created by
//! the owner, invited by mail, who sets a password and signs in; one
//! customer's page, its price group (the quote then prices with it), credit
//! limit and newsletter consent; suspend and reinstate; who may do which,
//! and the audit log of each change.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use storefront_core::Locale;
use storefront_functions::accounts::records::{self, Kind, Profile, Role};
use storefront_functions::accounts::{AccountsConfig, customers};
use storefront_functions::audit::{self, Entry, Filter};

const PASSWORD: &str = "back-office-test-2026";

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

fn token_in(mail: &str) -> String {
    let at = mail.find("reset=").expect("a link to set a password") + 6;
    let token: String = mail[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "{mail}");
    token
}

async fn audit_entries(shop: &Shop, what: &str) -> Vec<Entry> {
    let filter = Filter {
        what: Some(what.into()),
        ..Filter::default()
    };
    audit::list(shop.store.as_ref(), "toko", &filter, None, 1000)
        .await
        .expect("the log")
        .entries
}

/// A customer written straight into the store, as sign-up writes it.
async fn customer(shop: &Shop, n: usize, name: &str, email: &str) -> Profile {
    let p = Profile {
        id: format!("{n:032x}"),
        reseller: "toko".into(),
        email: email.into(),
        email_ascii: email.into(),
        email_key: email.to_lowercase(),
        name: name.into(),
        kind: Kind::Personal,
        company: None,
        role: Role::Customer,
        verified: true,
        password_hash: String::new(),
        auth_epoch: 0,
        language: Locale::Id,
        created_at: 1_700_000_000,
        price_group: None,
        newsletter: false,
        suspended: false,
    };
    records::create(shop.store.as_ref(), &p)
        .await
        .expect("created");
    p
}

/// The emails of the list's rows, in order, and the next page's link.
fn rows(page: &Page) -> (Vec<String>, Option<String>) {
    let emails = page
        .html
        .split("data-email=\"")
        .skip(1)
        .map(|s| unescape(&s[..s.find('"').expect("quote")]))
        .collect();
    let next = page
        .html
        .contains("id=\"next\"")
        .then(|| page.href_in("next"));
    (emails, next)
}

/// A quote of one .co.id name a year, as `cookie`'s customer asks it.
async fn quote(shop: &Shop, cookie: &str) -> (StatusCode, serde_json::Value) {
    api_json(
        &shop.router,
        "POST",
        TOKO,
        "/api/orders/quote",
        cookie,
        json!({"items": [{"domain": "tunggu.co.id", "action": "register", "years": 1}]}),
        &[],
    )
    .await
}

async fn me(shop: &Shop, cookie: &str) -> (StatusCode, serde_json::Value) {
    api(
        &shop.router,
        "GET",
        TOKO,
        "/api/accounts/me",
        cookie,
        None,
        &[],
    )
    .await
}

async fn sign_in_as(shop: &Shop, email: &str, password: &str) -> (StatusCode, serde_json::Value) {
    let body = json!({"email": email, "password": password});
    api_json(
        &shop.router,
        "POST",
        TOKO,
        "/api/accounts/signin",
        "",
        body,
        &[],
    )
    .await
}

#[tokio::test]
async fn the_owner_creates_a_customer_who_sets_a_password_from_the_mail_and_signs_in() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/customers", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let mut form = page.form("new-customer");
    for (k, v) in form.iter_mut() {
        match k.as_str() {
            "name" => *v = "Budi Santoso".into(),
            "email" => *v = "budi@contoh.example".into(),
            "kind" => *v = "company".into(),
            "company_name" => *v = "PT Contoh Jaya".into(),
            "tax_id" => *v = "01.234.567.8-901.000".into(),
            _ => {}
        }
    }
    // toko speaks Indonesian first: the form offers it first.
    assert!(form.contains(&("language".into(), "id".into())), "{form:?}");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let made = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/new",
        &owner,
        Some(&pairs),
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    assert!(
        made.location.starts_with("/panel/customers/view?id="),
        "{}",
        made.location
    );
    let view = request(r, "GET", TOKO, &made.location, &owner, None).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.html);
    assert_eq!(
        view.text("notice"),
        "Customer created: the invitation is on its way."
    );
    assert_eq!(view.text("profile-email"), "budi@contoh.example");
    assert_eq!(view.text("profile-company"), "PT Contoh Jaya");
    assert_eq!(view.text("profile-tax-id"), "01.234.567.8-901.000");
    assert_eq!(view.text("profile-status"), "Invited");

    // The invitation, in the customer's language, from the storefront.
    let mail = mail_to(&shop, "budi@contoh.example");
    assert!(
        mail.contains("Subject: Akun Anda di Toko Domain sudah dibuat")
            || mail.contains("Subject: =?utf-8?"),
        "{mail}"
    );
    assert!(
        mail.contains("Halo Budi Santoso,")
            && mail.contains("Toko Domain telah membuatkan akun pelanggan untuk Anda."),
        "{mail}"
    );
    let first = token_in(&mail);
    // Sent again (the first may have gone astray): a new link; whichever
    // is used first voids the other.
    let id = made.location["/panel/customers/view?id=".len()..]
        .split('&')
        .next()
        .expect("id")
        .to_string();
    let again = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/invite",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.html);
    let page = request(r, "GET", TOKO, &again.location, &owner, None).await;
    assert_eq!(page.text("notice"), "Invitation sent again.");
    let token = token_in(&mail_to(&shop, "budi@contoh.example"));
    assert_ne!(token, first);

    // No password works before the link is used.
    let (s, _) = sign_in_as(&shop, "budi@contoh.example", PASSWORD).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let body = json!({"token": token, "password": PASSWORD});
    let (s, b) = api_json(
        r,
        "POST",
        TOKO,
        "/api/accounts/password/reset",
        "",
        body,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let body = json!({"token": first, "password": "another-password-2026"});
    let (s, b) = api_json(
        r,
        "POST",
        TOKO,
        "/api/accounts/password/reset",
        "",
        body,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the other link is void: {b}");
    let cookie = sign_in(r, TOKO, "budi@contoh.example").await;
    let (s, who) = me(&shop, &cookie).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(who["name"], "Budi Santoso");
    assert_eq!(who["role"], "customer");
    assert_eq!(who["verified"], true, "the link proved the address");
    assert_eq!(who["company"]["tax_id"], "01.234.567.8-901.000");
    // The client area answers: its orders (none yet).
    let (s, orders) = api(r, "GET", TOKO, "/api/orders", &cookie, None, &[]).await;
    assert_eq!(s, StatusCode::OK, "{orders}");
    let view = request(r, "GET", TOKO, &made.location, &owner, None).await;
    assert_eq!(view.text("profile-status"), "Active");
    assert!(!view.html.contains("id=\"invite-form\""), "{}", view.html);
    let again = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/invite",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        again.text("problem"),
        "This customer has set a password already: no invitation is needed."
    );

    // Refused, each naming its field, nothing made, never a 5xx.
    for (name, email, kind, tax, field, says) in [
        (
            "Budi Lagi",
            "BUDI@contoh.example",
            "personal",
            "",
            "email",
            "BUDI@contoh.example already has an account on this storefront.",
        ),
        (
            "Seorang",
            "customer@toko.localhost",
            "personal",
            "",
            "email",
            "customer@toko.localhost already has an account on this storefront.",
        ),
        (
            "Seorang",
            "not an address",
            "personal",
            "",
            "email",
            "Enter a valid email address, such as name@example.com.",
        ),
        (
            "",
            "kosong@contoh.example",
            "personal",
            "",
            "name",
            "This field is required.",
        ),
        (
            "PT Tanpa NPWP",
            "pt@contoh.example",
            "company",
            "",
            "tax_id",
            "This field is required.",
        ),
    ] {
        let form = [
            ("name", name),
            ("email", email),
            ("kind", kind),
            ("company_name", "PT X"),
            ("tax_id", tax),
            ("language", "id"),
        ];
        let refused = request(r, "POST", TOKO, "/panel/customers/new", &owner, Some(&form)).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{email}: {}",
            refused.html
        );
        assert_eq!(refused.text("problem"), says, "{email}");
        assert!(
            refused.html.contains(&format!("data-field=\"{field}\">")),
            "{email}: {}",
            refused.html
        );
        assert!(
            refused.html.contains(&format!("value=\"{}\"", name)),
            "what was typed is kept"
        );
    }
    let refused = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/new",
        &owner,
        Some(&[
            ("name", "Jan"),
            ("email", "jan@contoh.example"),
            ("language", "de"),
        ]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text("problem"),
        "Choose one of the storefront's languages."
    );
    let (s, _) = sign_in_as(&shop, "jan@contoh.example", PASSWORD).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "nothing was made");

    // One audit entry: the one account made.
    let made = audit_entries(&shop, "customer.create").await;
    assert_eq!(made.len(), 1, "{made:#?}");
    assert_eq!(made[0].who.email, "owner@toko.localhost");
    assert_eq!(made[0].before, json!(null));
    assert_eq!(made[0].after["email"], "budi@contoh.example");
    assert_eq!(made[0].after["language"], "id");
    let sent = audit_entries(&shop, "customer.invite").await;
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0].subject, format!("account:{id}"));
}

#[tokio::test]
async fn the_list_pages_through_1200_customers_and_searches_names_and_emails() {
    let shop = shop().await;
    let r = &shop.router;
    // The demo customer (`customer`), three to search for, and 1,196 more:
    // 1,200 in all.
    let mut all: Vec<Profile> = vec![
        customer(&shop, 1, "Budi Santoso", "budi@satu.example").await,
        customer(&shop, 2, "Budiman", "b.man@dua.example").await,
        customer(&shop, 3, "Ani", "budi.ani@tiga.example").await,
    ];
    let started = std::time::Instant::now();
    for n in 0..1196 {
        // Names out of order and in mixed case, so that the list sorts.
        let k = (n * 7919) % 1196;
        let name = if n % 2 == 0 {
            format!("pelanggan {k:04}")
        } else {
            format!("Pelanggan {k:04}")
        };
        all.push(customer(&shop, 100 + n, &name, &format!("p{k:04}@massal.example")).await);
    }
    eprintln!("1,196 customers written in {:?}", started.elapsed());
    let (_, demo) = records::by_email(shop.store.as_ref(), "toko", "customer@toko.localhost")
        .await
        .expect("read")
        .expect("the demo customer");
    all.push(demo);
    assert_eq!(all.len(), 1200);
    // By name, as the index's keys sort (`NAME#<folded name>#<id>`).
    all.sort_by_key(|p| format!("{}#{}", records::fold(&p.name), p.id));
    let expected: Vec<String> = all.iter().map(|p| p.email.clone()).collect();

    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let mut seen: Vec<String> = Vec::new();
    let mut path = "/panel/customers".to_string();
    let mut pages = 0;
    let started = std::time::Instant::now();
    loop {
        let page = request(r, "GET", TOKO, &path, &owner, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
        let (emails, next) = rows(&page);
        pages += 1;
        assert_eq!(emails.len(), 50, "page {pages} shows 50");
        seen.extend(emails);
        match next {
            Some(n) => path = n,
            None => break,
        }
    }
    eprintln!("{pages} pages read in {:?}", started.elapsed());
    assert_eq!(pages, 24);
    assert_eq!(seen, expected, "each customer once, by name");

    // The JSON panel pages through the same list, linking the next page.
    let mut api_seen: Vec<String> = Vec::new();
    let mut path = "/api/panel/customers".to_string();
    let mut api_pages = 0;
    loop {
        let page = request(r, "GET", TOKO, &path, &owner, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.html);
        let body: serde_json::Value = serde_json::from_str(&page.html).expect("json");
        let items = body.as_array().expect("a list");
        api_pages += 1;
        assert_eq!(items.len(), 50, "API page {api_pages}");
        assert!(items[0]["available"]["display"].is_string(), "{}", items[0]);
        api_seen.extend(
            items
                .iter()
                .map(|c| c["customer"]["email"].as_str().expect("email").to_string()),
        );
        let Some(link) = page.headers.get("link") else {
            break;
        };
        let link = link.to_str().expect("ascii");
        assert!(link.ends_with(">; rel=\"next\""), "{link}");
        path = format!(
            "/api/panel/customers{}",
            &link[1..link.find('>').expect(">")]
        );
    }
    assert_eq!(api_pages, 24);
    assert_eq!(api_seen, expected);
    let page = request(
        r,
        "GET",
        TOKO,
        "/api/panel/customers?q=budi&by=email",
        &owner,
        None,
    )
    .await;
    let body: serde_json::Value = serde_json::from_str(&page.html).expect("json");
    let emails: Vec<&str> = body
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|c| c["customer"]["email"].as_str())
        .collect();
    assert_eq!(emails, ["budi.ani@tiga.example", "budi@satu.example"]);
    let (s, body) = api(
        r,
        "GET",
        TOKO,
        "/api/panel/customers?after=zz",
        &owner,
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["field"], "after");

    // Searches: by the start of a name (any case), of an email.
    let search = |q: &str, by: &str| format!("/panel/customers?q={}&by={by}", enc(q));
    let page = request(r, "GET", TOKO, &search("BUDI", "name"), &owner, None).await;
    assert_eq!(
        rows(&page),
        (
            vec![
                "budi@satu.example".to_string(),
                "b.man@dua.example".to_string()
            ],
            None
        )
    );
    let page = request(r, "GET", TOKO, &search("budi", "email"), &owner, None).await;
    assert_eq!(
        rows(&page),
        (
            vec![
                "budi.ani@tiga.example".to_string(),
                "budi@satu.example".to_string()
            ],
            None
        )
    );
    let page = request(
        r,
        "GET",
        TOKO,
        &search("Pelanggan 000", "name"),
        &owner,
        None,
    )
    .await;
    let (found, next) = rows(&page);
    assert_eq!(
        found,
        (0..10)
            .map(|k| format!("p{k:04}@massal.example"))
            .collect::<Vec<_>>()
    );
    assert_eq!(next, None);
    // Paged searches keep the search.
    let page = request(r, "GET", TOKO, &search("pelanggan 0", "name"), &owner, None).await;
    let (first, next) = rows(&page);
    assert_eq!(first.len(), 50);
    let next = next.expect("a second page");
    assert!(next.contains("q=pelanggan%200&by=name&after="), "{next}");
    let page = request(r, "GET", TOKO, &next, &owner, None).await;
    let (second, _) = rows(&page);
    assert_eq!(second[0], "p0050@massal.example");
    let page = request(r, "GET", TOKO, &search("nobody", "name"), &owner, None).await;
    assert_eq!(page.text("empty"), "No customer matches this search.");
    // A cursor nobody gave: a clear error, not a 5xx.
    let page = request(
        r,
        "GET",
        TOKO,
        "/panel/customers?after=not-a-cursor",
        &owner,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        page.text("problem"),
        "This page link is no longer valid: start again from the first page."
    );
}

#[tokio::test]
async fn price_group_credit_limit_newsletter_suspension_and_who_may() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let cust = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (_, who) = me(&shop, &cust).await;
    let id = who["id"].as_str().expect("id").to_string();
    let view_path = format!("/panel/customers/view?id={id}");

    // The price group: toko sells .co.id with 20% on top to everyone
    // (288,000) and 12% to its wholesale group (268,800, rounded 269,000).
    let (s, q) = quote(&shop, &cust).await;
    assert_eq!(s, StatusCode::OK, "{q}");
    assert_eq!(q["gross"]["amount"], "288000");
    let page = request(r, "GET", TOKO, &view_path, &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(page.text("profile-group"), "default");
    assert_eq!(
        page.form("group-form"),
        vec![
            ("id".to_string(), id.clone()),
            ("group".to_string(), "default".to_string())
        ]
    );
    let set = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/group",
        &owner,
        Some(&[("id", &id), ("group", "grosir")]),
    )
    .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.html);
    let page = request(r, "GET", TOKO, &set.location, &owner, None).await;
    assert_eq!(
        page.text("notice"),
        "Price group saved: the customer's next quotes use it."
    );
    assert_eq!(page.text("profile-group"), "grosir");
    let (_, q) = quote(&shop, &cust).await;
    assert_eq!(q["gross"]["amount"], "269000", "{q}");
    let bad = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/group",
        &owner,
        Some(&[("id", &id), ("group", "vip")]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.text("problem"),
        "Choose one of the storefront's price groups."
    );
    assert!(bad.html.contains("data-field=\"group\""), "{}", bad.html);
    let nobody = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/group",
        &owner,
        Some(&[("id", "0123"), ("group", "grosir")]),
    )
    .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);

    // A credit limit for a customer who never paid: its wallet is opened.
    let set = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/limit",
        &owner,
        Some(&[
            ("holder", &format!("customer:{id}")),
            ("limit", "150,000"),
            ("back", "view"),
        ]),
    )
    .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.html);
    let page = request(r, "GET", TOKO, &set.location, &owner, None).await;
    assert_eq!(page.text("notice"), "Credit limit saved.");
    assert_eq!(
        page.text("wallet"),
        "Balance Reserved for orders Credit limit IDR 0 IDR 0 IDR 150,000"
    );
    let bad = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/limit",
        &owner,
        Some(&[
            ("holder", &format!("customer:{id}")),
            ("limit", "-5"),
            ("back", "view"),
        ]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.text("problem"), "Enter a credit limit of zero or more.");
    let (_, w) = api(r, "GET", TOKO, "/api/wallet", &cust, None, &[]).await;
    assert_eq!(w["credit_limit"]["amount"], "150000", "{w}");

    // Newsletter consent: the customer gives it, the list shows it, the
    // subscribers' file has it; the owner records its withdrawal.
    let (s, body) = api_json(
        r,
        "PATCH",
        TOKO,
        "/api/accounts/me",
        &cust,
        json!({"newsletter": true}),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["newsletter"], true);
    let list = request(r, "GET", TOKO, "/panel/customers", &owner, None).await;
    let row = list.text(&format!("wallet-customer:{id}"));
    assert!(
        row.starts_with("customer (customer@toko.localhost) Yes Active IDR 0 IDR 0"),
        "{row}"
    );
    let csv = request(
        r,
        "GET",
        TOKO,
        "/panel/customers/subscribers.csv",
        &owner,
        None,
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.html,
        "name,email,language\r\ncustomer,customer@toko.localhost,id\r\n"
    );
    let off = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/newsletter",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.html);
    let page = request(r, "GET", TOKO, &view_path, &owner, None).await;
    assert_eq!(page.text("profile-newsletter"), "No");
    let csv = request(
        r,
        "GET",
        TOKO,
        "/panel/customers/subscribers.csv",
        &owner,
        None,
    )
    .await;
    assert_eq!(csv.html, "name,email,language\r\n");

    // Support reads, and changes nothing.
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
    let page = request(r, "GET", TOKO, "/panel/customers", &support, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.html.contains("id=\"new-customer\""),
        "no form to create"
    );
    let page = request(r, "GET", TOKO, &view_path, &support, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.html.contains("id=\"suspend-form\""),
        "no suspend button"
    );
    for (path, form) in [
        (
            "/panel/customers/new",
            vec![("name", "X"), ("email", "x@contoh.example")],
        ),
        ("/panel/customers/suspend", vec![("id", id.as_str())]),
        ("/panel/customers/reinstate", vec![("id", id.as_str())]),
        ("/panel/customers/invite", vec![("id", id.as_str())]),
        (
            "/panel/customers/group",
            vec![("id", id.as_str()), ("group", "default")],
        ),
        ("/panel/customers/newsletter", vec![("id", id.as_str())]),
    ] {
        let refused = request(r, "POST", TOKO, path, &support, Some(&form)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }

    // Suspended: its session ends, it cannot sign in, nor quote or order.
    let (s, _) = me(&shop, &cust).await;
    assert_eq!(s, StatusCode::OK);
    let done = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/suspend",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let page = request(r, "GET", TOKO, &done.location, &owner, None).await;
    assert_eq!(
        page.text("notice"),
        "Customer suspended: signed out everywhere, and cannot sign in."
    );
    assert_eq!(page.text("profile-status"), "Suspended");
    let (s, _) = me(&shop, &cust).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Its cookie now quotes as a visitor's (the public price), and no
    // order is taken from it.
    let (s, q) = quote(&shop, &cust).await;
    assert_eq!(s, StatusCode::OK, "{q}");
    assert_eq!(q["gross"]["amount"], "288000", "{q}");
    let (s, _) = api_json(
        r,
        "POST",
        TOKO,
        "/api/orders",
        &cust,
        json!({"quote": q["id"], "payment": "wallet"}),
        &[("idempotency-key", "suspended-1")],
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = sign_in_as(&shop, "customer@toko.localhost", PASSWORD).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "account_suspended");
    assert_eq!(
        body["message"],
        "This account is suspended. Contact the store to have it reinstated."
    );
    // A wrong password is still just wrong: the suspension is told only
    // to whoever knows the password.
    let (s, _) = sign_in_as(&shop, "customer@toko.localhost", "wrong-password-1").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Nothing else of it changed: its wallet and group.
    let page = request(r, "GET", TOKO, &view_path, &owner, None).await;
    assert_eq!(page.text("profile-group"), "grosir");
    assert!(page.text("wallet").ends_with("IDR 150,000"));

    // Reinstated: it signs in again, at the same prices.
    let done = request(
        r,
        "POST",
        TOKO,
        "/panel/customers/reinstate",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let cust = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (_, q) = quote(&shop, &cust).await;
    assert_eq!(q["gross"]["amount"], "269000");
    let page = request(r, "GET", TOKO, &view_path, &owner, None).await;
    assert_eq!(page.text("profile-status"), "Active");

    // Each change: exactly one audit entry, before and after.
    for (action, before, after) in [
        (
            "customer.price_group",
            json!({"price_group": "default"}),
            json!({"price_group": "grosir"}),
        ),
        (
            "customer.newsletter",
            json!({"newsletter": true}),
            json!({"newsletter": false}),
        ),
        (
            "customer.suspend",
            json!({"suspended": false}),
            json!({"suspended": true}),
        ),
        (
            "customer.reinstate",
            json!({"suspended": true}),
            json!({"suspended": false}),
        ),
        (
            "wallet.credit_limit",
            json!({"credit_limit": "0"}),
            json!({"credit_limit": "150000"}),
        ),
    ] {
        let got = audit_entries(&shop, action).await;
        assert_eq!(got.len(), 1, "{action}: {got:#?}");
        assert_eq!(
            (&got[0].before, &got[0].after),
            (&before, &after),
            "{action}"
        );
        assert_eq!(got[0].who.email, "owner@toko.localhost", "{action}");
        if action != "wallet.credit_limit" {
            assert_eq!(got[0].subject, format!("account:{id}"), "{action}");
        }
    }
    // The customer's own consent is its own, not a staff action.
    assert_eq!(audit_entries(&shop, "customer.").await.len(), 4);
}

#[tokio::test]
async fn another_storefronts_customer_is_not_found_and_renames_keep_the_index() {
    let shop = shop().await;
    let r = &shop.router;
    let elsewhere = customer(&shop, 7, "Tetangga", "tetangga@contoh.example").await;
    // Made toko's above; one of agen's is not toko's to see.
    let mut theirs = elsewhere.clone();
    theirs.id = format!("{:032x}", 8);
    theirs.reseller = "agen".into();
    records::create(shop.store.as_ref(), &theirs)
        .await
        .expect("agen's");
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(
        r,
        "GET",
        TOKO,
        &format!("/panel/customers/view?id={}", theirs.id),
        &owner,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    // Staff are not customers.
    let (_, owner_me) = me(&shop, &owner).await;
    let page = request(
        r,
        "GET",
        TOKO,
        &format!(
            "/panel/customers/view?id={}",
            owner_me["id"].as_str().expect("id")
        ),
        &owner,
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = request(r, "GET", TOKO, "/panel/customers/view", &owner, None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // An account made before the index (its items taken away here) is not
    // listed, and joins the list at its next sign-in.
    let (_, demo) = records::by_email(shop.store.as_ref(), "toko", "customer@toko.localhost")
        .await
        .expect("read")
        .expect("the demo customer");
    shop.store
        .transact(records::customer_index(Some(&demo), None))
        .await
        .expect("unindexed");
    let names = |page: customers::Page| {
        page.customers
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
    };
    let all = customers::list(
        shop.store.as_ref(),
        "toko",
        customers::By::Name,
        "",
        None,
        50,
    )
    .await
    .expect("all");
    assert_eq!(names(all), ["Tetangga"]);

    // A customer renamed on its account is found by its new name only.
    let cust = sign_in(r, TOKO, "customer@toko.localhost").await;
    let all = customers::list(
        shop.store.as_ref(),
        "toko",
        customers::By::Email,
        "cust",
        None,
        50,
    )
    .await
    .expect("all");
    assert_eq!(names(all), ["customer"], "indexed at sign-in");
    let (s, _) = api_json(
        r,
        "PATCH",
        TOKO,
        "/api/accounts/me",
        &cust,
        json!({"name": "Zainal Abidin"}),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let page = customers::list(
        shop.store.as_ref(),
        "toko",
        customers::By::Name,
        "zai",
        None,
        50,
    )
    .await
    .expect("search");
    assert_eq!(
        page.customers
            .iter()
            .map(|p| p.email.as_str())
            .collect::<Vec<_>>(),
        ["customer@toko.localhost"]
    );
    let page = customers::list(
        shop.store.as_ref(),
        "toko",
        customers::By::Name,
        "customer",
        None,
        50,
    )
    .await
    .expect("search");
    assert!(
        page.customers.is_empty(),
        "the old name is gone from the index"
    );
    let page = customers::list(
        shop.store.as_ref(),
        "toko",
        customers::By::Name,
        "",
        None,
        50,
    )
    .await
    .expect("all");
    assert_eq!(
        page.customers
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Tetangga", "Zainal Abidin"]
    );
}

#[tokio::test]
async fn a_customers_page_pages_through_its_orders() {
    let shop = shop().await;
    let r = &shop.router;
    let cust = sign_in(r, TOKO, "customer@toko.localhost").await;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let (_, who) = me(&shop, &cust).await;
    let id = who["id"].as_str().expect("id").to_string();
    // 55 orders paid later by bank transfer.
    let mut placed = std::collections::BTreeSet::new();
    let mut i = 0;
    while placed.len() < 55 {
        i += 1;
        let items = json!({"items": [{"domain": format!("pelanggan-ke-{i}.co.id"), "action": "register", "years": 1}]});
        let (s, q) = api_json(r, "POST", TOKO, "/api/orders/quote", &cust, items, &[]).await;
        if s != StatusCode::OK {
            continue; // taken at the sandbox registry
        }
        let (s, o) = api_json(
            r,
            "POST",
            TOKO,
            "/api/orders",
            &cust,
            json!({"quote": q["id"], "payment": "bank_transfer"}),
            &[("idempotency-key", &format!("cust-{i}"))],
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        placed.insert(o["id"].as_str().expect("id").to_string());
    }
    let newest_first: Vec<String> = placed.iter().rev().cloned().collect();
    let orders = |page: &Page| -> Vec<String> {
        page.html
            .split("data-order=\"")
            .skip(1)
            .map(|s| s[..s.find('"').expect("quote")].to_string())
            .collect()
    };
    let first = request(
        r,
        "GET",
        TOKO,
        &format!("/panel/customers/view?id={id}"),
        &owner,
        None,
    )
    .await;
    assert_eq!(first.status, StatusCode::OK);
    let mut seen = orders(&first);
    assert_eq!(seen.len(), 50);
    let next = first.href_in("orders-next");
    let second = request(r, "GET", TOKO, &next, &owner, None).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.html);
    assert_eq!(orders(&second).len(), 5);
    assert!(!second.html.contains("id=\"orders-next\""));
    seen.extend(orders(&second));
    assert_eq!(seen, newest_first, "each order once, newest first");
}
