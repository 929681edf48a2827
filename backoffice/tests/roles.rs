//! Staff roles: every back-office route and every `/api/panel/*` route,
//! for each role, a customer, a visitor and another storefront's owner,
//! answers as the roles' table says (the routes are read from the routers'
//! own lists, so a route added without saying who may use it fails here);
//! and the staff page: invite, set a password, sign in, change a role,
//! revoke.

mod common;

use axum::http::StatusCode;
use common::*;
use storefront_functions::accounts::roles::{Capability, Need, RouteEntry};
use storefront_functions::accounts::{AccountsConfig, Role};

const PASSWORD: &str = "back-office-test-2026";

/// Who may use what, as the table says: owner everything; admin
/// all but staff and bank accounts (the seller); finance the wallet,
/// top-ups, invoices, reports (with orders and customers to read, orders'
/// payments and credit limits); support customers, orders and domains read
/// only, and document review.
fn expected(what: Capability) -> &'static [Role] {
    use Capability as C;
    use Role::*;
    match what {
        C::Dashboard => &[Owner, Admin, Finance, Support],
        C::Content => &[Owner, Admin],
        C::Seller | C::Staff => &[Owner],
        C::Wallet | C::TopUps | C::Invoices | C::Reports => &[Owner, Admin, Finance],
        C::CreditLimits | C::OrderPayments => &[Owner, Admin, Finance],
        C::Customers | C::Orders => &[Owner, Admin, Finance, Support],
        C::Documents => &[Owner, Admin, Support],
        C::Audit => &[Owner, Admin],
        C::CustomerAccounts => &[Owner, Admin],
        C::SubResellers => &[Owner, Admin],
        // This runs on toko, which is not the platform's own storefront:
        // no role of it reaches the console (tests/console.rs has the
        // platform's owner and admins).
        C::Console => &[],
    }
}

async fn add_staff(shop: &Shop, email: &str, role: Role) {
    storefront_functions::accounts::create_reseller_user(
        shop.store.as_ref(),
        "toko",
        email,
        PASSWORD,
        role,
        &AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("staff");
}

/// A route's path with its parameters filled.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("nothing");
            }
            '}' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

async fn call(shop: &Shop, route: &RouteEntry, cookie: &str) -> StatusCode {
    let path = concrete(route.path);
    if path.starts_with("/api/") {
        let body = (route.method != "GET").then(|| ("application/json", b"{}".to_vec()));
        api(&shop.router, route.method, TOKO, &path, cookie, body, &[])
            .await
            .0
    } else {
        let form: &[(&str, &str)] = &[];
        let form = (route.method != "GET").then_some(form);
        request(&shop.router, route.method, TOKO, &path, cookie, form)
            .await
            .status
    }
}

#[tokio::test]
async fn every_route_answers_each_role_as_the_table_says() {
    let shop = shop().await;
    add_staff(&shop, "finance@toko.localhost", Role::Finance).await;
    add_staff(&shop, "support@toko.localhost", Role::Support).await;
    let r = &shop.router;
    let mut staff = Vec::new();
    for (role, email) in [
        (Role::Owner, "owner@toko.localhost"),
        (Role::Admin, "admin@toko.localhost"),
        (Role::Finance, "finance@toko.localhost"),
        (Role::Support, "support@toko.localhost"),
    ] {
        staff.push((role, sign_in(r, TOKO, email).await));
    }
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let elsewhere = sign_in(r, "agen.localhost", "owner@agen.localhost").await;

    let mut routes = storefront_backoffice::route_table();
    let back_office = routes.len();
    routes.extend(storefront_functions::orders::routes::panel_table());
    assert!(back_office > 40, "{back_office} back-office routes");
    assert!(
        routes
            .iter()
            .any(|r| r.path == "/api/panel/invoices/{number}"),
        "the invoices function's panel route is listed"
    );
    let mut failures = Vec::new();
    for route in &routes {
        let what = format!("{} {}", route.method, route.path);
        let need = match route.need {
            Need::Public => {
                // Registration is public on the platform's storefront
                // alone, which toko is not here (tests/registration.rs).
                if route.path.starts_with("/panel/join") {
                    continue;
                }
                for (_, cookie) in &staff {
                    let s = call(&shop, route, cookie).await;
                    if s != StatusCode::OK {
                        failures.push(format!("{what}: public, {s}"));
                    }
                }
                continue;
            }
            Need::Staff(c) => c,
        };
        for (who, cookie, want) in [
            ("a visitor", "", StatusCode::UNAUTHORIZED),
            ("a customer", customer.as_str(), StatusCode::FORBIDDEN),
            (
                "another storefront's owner",
                elsewhere.as_str(),
                StatusCode::UNAUTHORIZED,
            ),
        ] {
            let s = call(&shop, route, cookie).await;
            if s != want {
                failures.push(format!("{what}: {who} got {s}, not {want}"));
            }
        }
        for (role, cookie) in &staff {
            let s = call(&shop, route, cookie).await;
            if expected(need).contains(role) {
                if s == StatusCode::UNAUTHORIZED
                    || s == StatusCode::FORBIDDEN
                    || s.is_server_error()
                {
                    failures.push(format!("{what}: {role:?} may, got {s}"));
                }
            } else if s != StatusCode::FORBIDDEN {
                failures.push(format!("{what}: {role:?} may not, got {s}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // A refused page says why, in words; the API says it in JSON.
    let finance = &staff[2].1;
    let page = request(r, "GET", TOKO, "/panel/brand", finance, None).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.html.contains("Your role cannot open this page"),
        "{}",
        page.html
    );
    let (s, body) = api(r, "GET", TOKO, "/api/panel/domains", &staff[3].1, None, &[]).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = api(
        r,
        "POST",
        TOKO,
        "/api/panel/orders/x/refund",
        &staff[3].1,
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "role_forbidden", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("support"),
        "{body}"
    );
}

#[tokio::test]
async fn the_navigation_offers_only_what_a_role_may_open() {
    let shop = shop().await;
    add_staff(&shop, "finance@toko.localhost", Role::Finance).await;
    add_staff(&shop, "support@toko.localhost", Role::Support).await;
    let r = &shop.router;
    let links = |html: &str| -> Vec<String> {
        unescape(html)
            .split("href=\"/panel/")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap_or(0)].to_string())
            .collect()
    };
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/orders", &owner, None).await;
    let all = links(&page.html);
    for l in [
        "staff",
        "seller",
        "brand",
        "wallet",
        "documents",
        "invoices",
    ] {
        assert!(all.contains(&l.to_string()), "owner sees {l}: {all:?}");
    }
    let admin = sign_in(r, TOKO, "admin@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/orders", &admin, None).await;
    let seen = links(&page.html);
    assert!(
        !seen.contains(&"staff".to_string()) && !seen.contains(&"seller".to_string()),
        "{seen:?}"
    );
    let finance = sign_in(r, TOKO, "finance@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/wallet", &finance, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let seen = links(&page.html);
    for l in ["staff", "seller", "brand", "pages", "publish", "documents"] {
        assert!(
            !seen.contains(&l.to_string()),
            "finance is not offered {l}: {seen:?}"
        );
    }
    assert!(page.html.contains("(finance)"), "the role is named");
    let support = sign_in(r, TOKO, "support@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/documents", &support, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let seen = links(&page.html);
    for l in ["staff", "wallet", "topups", "invoices", "brand", "prices"] {
        assert!(
            !seen.contains(&l.to_string()),
            "support is not offered {l}: {seen:?}"
        );
    }
    assert!(seen.contains(&"orders".to_string()), "{seen:?}");
}

/// The token of the last invitation link mailed to `to`.
fn invitation_token(shop: &Shop, to: &str) -> (String, String) {
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
    // Quoted-printable: soft line breaks joined, `=3D` is `=`.
    let text = mail.replace("=\r\n", "").replace("=3D", "=");
    let at = text.find("reset=").expect("a link to set a password") + 6;
    let token: String = text[at..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "{text}");
    (token, text)
}

/// The staff page's row of `email`: its account id.
fn member(page: &Page, email: &str) -> String {
    let at = page
        .html
        .find(&format!("data-email=\"{email}\""))
        .unwrap_or_else(|| panic!("{email} not listed: {}", page.html));
    let row = &page.html[..at];
    let start = row.rfind("id=\"member-").expect("the row's id") + 11;
    row[start..start + row[start..].find('"').expect("quote")].to_string()
}

#[tokio::test]
async fn the_owner_invites_finance_who_sets_a_password_and_is_kept_to_its_role_until_revoked() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/staff", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for (email, role) in [
        ("owner@toko.localhost", "owner"),
        ("admin@toko.localhost", "admin"),
    ] {
        assert!(
            page.html
                .contains(&format!("data-email=\"{email}\" data-role=\"{role}\"")),
            "{email} listed as {role}"
        );
    }

    // Bad input: each a field error, nothing made, never a 5xx.
    for (email, role, field, says) in [
        (
            "new@toko.localhost",
            "root",
            "role",
            "Choose one of the roles",
        ),
        (
            "new@toko.localhost",
            "customer",
            "role",
            "Choose one of the roles",
        ),
        ("not an address", "finance", "email", "valid email address"),
        (
            "admin@toko.localhost",
            "finance",
            "email",
            "already on this storefront's staff",
        ),
        (
            "customer@toko.localhost",
            "support",
            "email",
            "is a customer's account",
        ),
    ] {
        let refused = request(
            r,
            "POST",
            TOKO,
            "/panel/staff/invite",
            &owner,
            Some(&[("email", email), ("role", role)]),
        )
        .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{email} {role}"
        );
        assert!(
            refused.text("errors").contains(says)
                && refused.html.contains(&format!("data-field=\"{field}\"")),
            "{email} {role}: {}",
            refused.text("errors")
        );
    }

    // The invitation: a mail in the storefront's language with a link.
    let page = request(r, "GET", TOKO, "/panel/staff", &owner, None).await;
    let mut form = page.form("invite");
    for (k, v) in form.iter_mut() {
        match k.as_str() {
            "email" => *v = "fin@toko.localhost".into(),
            "role" => *v = "finance".into(),
            _ => {}
        }
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let invited = request(r, "POST", TOKO, "/panel/staff/invite", &owner, Some(&pairs)).await;
    assert_eq!(invited.status, StatusCode::SEE_OTHER, "{}", invited.html);
    let page = request(r, "GET", TOKO, &invited.location, &owner, None).await;
    assert!(
        page.text("notice").contains("Invitation sent"),
        "{}",
        page.html
    );
    assert!(
        page.html
            .contains("data-email=\"fin@toko.localhost\" data-role=\"finance\"")
    );
    let (token, mail) = invitation_token(&shop, "fin@toko.localhost");
    // In the storefront's language (toko speaks Indonesian first).
    assert!(mail.contains("dengan peran keuangan"), "{mail}");

    // Not yet: no password works before the link is used.
    let body = serde_json::json!({"email": "fin@toko.localhost", "password": PASSWORD});
    let (s, _) = api_json(r, "POST", TOKO, "/api/accounts/signin", "", body, &[]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let body = serde_json::json!({"token": token, "password": PASSWORD});
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

    // Signed in as finance: the wallet, not the staff page.
    let fin = sign_in(r, TOKO, "fin@toko.localhost").await;
    let wallet = request(r, "GET", TOKO, "/panel/wallet", &fin, None).await;
    assert_eq!(wallet.status, StatusCode::OK, "{}", wallet.html);
    let staff_page = request(r, "GET", TOKO, "/panel/staff", &fin, None).await;
    assert_eq!(staff_page.status, StatusCode::FORBIDDEN);
    let (s, _) = api(r, "GET", TOKO, "/api/panel/wallet", &fin, None, &[]).await;
    assert_eq!(s, StatusCode::OK);

    // A role changed counts at the next request.
    let page = request(r, "GET", TOKO, "/panel/staff", &owner, None).await;
    let id = member(&page, "fin@toko.localhost");
    let changed = request(
        r,
        "POST",
        TOKO,
        "/panel/staff/role",
        &owner,
        Some(&[("id", &id), ("role", "support")]),
    )
    .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.html);
    let wallet = request(r, "GET", TOKO, "/panel/wallet", &fin, None).await;
    assert_eq!(wallet.status, StatusCode::FORBIDDEN);
    let docs = request(r, "GET", TOKO, "/panel/documents", &fin, None).await;
    assert_eq!(docs.status, StatusCode::OK);
    let bad = request(
        r,
        "POST",
        TOKO,
        "/panel/staff/role",
        &owner,
        Some(&[("id", &id), ("role", "superuser")]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Nobody changes their own role or revokes themselves.
    let me = member(&page, "owner@toko.localhost");
    let own = request(
        r,
        "POST",
        TOKO,
        "/panel/staff/revoke",
        &owner,
        Some(&[("id", &me)]),
    )
    .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(own.text("errors").contains("yourself"), "{}", own.html);

    // Revoked: the very next request is a stranger's.
    let revoked = request(
        r,
        "POST",
        TOKO,
        "/panel/staff/revoke",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.html);
    let after = request(r, "GET", TOKO, "/panel/documents", &fin, None).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let (s, _) = api(r, "GET", TOKO, "/api/panel/orders", &fin, None, &[]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let body = serde_json::json!({"email": "fin@toko.localhost", "password": PASSWORD});
    let (s, _) = api_json(r, "POST", TOKO, "/api/accounts/signin", "", body, &[]).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let page = request(r, "GET", TOKO, "/panel/staff", &owner, None).await;
    assert!(!page.html.contains("fin@toko.localhost"));
    // Revoking twice, or someone unknown: not found, not a 5xx.
    let again = request(
        r,
        "POST",
        TOKO,
        "/panel/staff/revoke",
        &owner,
        Some(&[("id", &id)]),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}
