//! The back office as a browser uses it, driven in process: forms posted
//! on a storefront's host with its session cookie, on the embedded store,
//! with the fixture storefronts imported and built.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use tower::ServiceExt;

#[tokio::test]
async fn only_the_storefronts_owner_and_admins_get_in() {
    let shop = shop().await;
    let r = &shop.router;
    let visitor = request(r, "GET", TOKO, "/panel/", "", None).await;
    assert_eq!(visitor.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        visitor.text("message"),
        "The back office is for the storefront's owner and admins. Sign in on the storefront's account page, then come back."
    );
    let post = request(
        r,
        "POST",
        TOKO,
        "/panel/prices",
        "",
        Some(&[("markup", "1")]),
    )
    .await;
    assert_eq!(post.status, StatusCode::UNAUTHORIZED);
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/prices", &customer, None).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        page.text("message"),
        "You are signed in as a customer of this storefront. Ask its owner for an admin account."
    );
    // agen's owner is nobody on toko: its session is not toko's.
    let agen = sign_in(r, "agen.localhost", "owner@agen.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/", &agen, None).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    for who in ["owner@toko.localhost", "admin@toko.localhost"] {
        let cookie = sign_in(r, TOKO, who).await;
        let page = request(r, "GET", TOKO, "/panel/", &cookie, None).await;
        assert_eq!(page.status, StatusCode::OK, "{who}");
        assert!(page.html.contains(&format!("Signed in as {who}")), "{who}");
    }
    // A form posted from another site is refused before anything is read.
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let req = Request::builder()
        .method("POST")
        .uri("/panel/prices")
        .header("host", TOKO)
        .header("origin", "http://evil.example")
        .header("cookie", &owner)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("group=default&markup=1"))
        .expect("request");
    let resp = r.clone().oneshot(req).await.expect("infallible");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn two_admins_saving_the_same_draft_both_find_their_work_in_the_history() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let admin = sign_in(r, TOKO, "admin@toko.localhost").await;
    // Both open the editor on the published content.
    let a = request(r, "GET", TOKO, "/panel/prices?group=default", &owner, None).await;
    let b = request(r, "GET", TOKO, "/panel/prices?group=default", &admin, None).await;
    let loaded = a.input("loaded");
    assert_eq!(loaded, b.input("loaded"));
    assert_eq!(a.input("markup"), "20");
    let form = |markup: &'static str| {
        vec![
            ("group", "default"),
            ("kind", "percent"),
            ("markup", markup),
            ("round_to", "1000"),
        ]
    };
    let mut first = form("25");
    first.push(("loaded", &loaded));
    let saved = request(r, "POST", TOKO, "/panel/prices", &owner, Some(&first)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert!(
        saved
            .location
            .starts_with("/panel/prices?group=default&saved="),
        "{}",
        saved.location
    );
    let mut second = form("30");
    second.push(("loaded", &loaded));
    let aside = request(r, "POST", TOKO, "/panel/prices", &admin, Some(&second)).await;
    assert_eq!(aside.status, StatusCode::SEE_OTHER);
    assert!(
        aside.location.starts_with("/panel/history?aside="),
        "{}",
        aside.location
    );
    let history = request(r, "GET", TOKO, &aside.location, &admin, None).await;
    assert!(
        history
            .text("notice")
            .starts_with("Your changes were saved, but owner@toko.localhost saved a draft at "),
        "{}",
        history.text("notice")
    );
    assert!(
        history
            .html
            .contains("saved beside another draft: customer prices, group default")
    );
    assert!(
        history
            .html
            .contains("saved a draft: customer prices, group default")
    );
    // Each one's work is in its own revision.
    let revisions = shop.site.revisions();
    let draft = revisions
        .draft("toko")
        .await
        .unwrap()
        .expect("the owner's draft");
    assert_eq!(draft.by, "owner@toko.localhost");
    let mine = aside.location.rsplit('=').next().unwrap();
    let theirs = String::from_utf8(
        revisions.files("toko", &draft.revision).await.unwrap()["site.toml"].clone(),
    )
    .unwrap();
    assert!(theirs.contains("markup_percent = \"25\""));
    let history = revisions.history("toko", 10).await.unwrap();
    let aside_rev = &history[0].revision;
    assert!(aside_rev.starts_with(mine) || mine.starts_with(&aside_rev[..8]));
    let kept =
        String::from_utf8(revisions.files("toko", aside_rev).await.unwrap()["site.toml"].clone())
            .unwrap();
    assert!(kept.contains("markup_percent = \"30\""));
}

#[tokio::test]
async fn bad_prices_are_refused_with_what_to_fix() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/prices", &owner, None).await;
    let loaded = page.input("loaded");
    let bad = request(
        r,
        "POST",
        TOKO,
        "/panel/prices",
        &owner,
        Some(&[
            ("group", "default"),
            ("loaded", &loaded),
            ("kind", "percent"),
            ("markup", "twenty"),
            ("o.co.id.register", "1e9"),
        ]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.html.contains(
            "Write a percentage as a number, e.g. 20 or 12.5; &quot;twenty&quot; is not one."
        ),
        "{}",
        bad.html
    );
    assert!(bad.html.contains(
        "Write an amount as a number greater than zero, e.g. 150000; &quot;1e9&quot; is not one."
    ));
    assert!(
        bad.html.contains("value=\"twenty\""),
        "what was typed is shown back"
    );
    // Below cost: the loss guard names the extension, the action and the group.
    let loss = request(
        r,
        "POST",
        TOKO,
        "/panel/prices",
        &owner,
        Some(&[
            ("group", "default"),
            ("loaded", &loaded),
            ("kind", "percent"),
            ("markup", "20"),
            ("o.co.id.register", "100000"),
        ]),
    )
    .await;
    assert_eq!(loss.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The loss guard names the extension, the action, the group, the price
    // with its net and what toko pays, in the back office's language.
    assert_eq!(
        loss.text("problems"),
        "The storefront's checks refused this: site.toml:34: .co.id registration for 1 year, price group 'default': IDR 100,000 (net IDR 90,090) is below the IDR 240,000 you pay. Set a price of at least that."
    );
    let fields = [
        ("group", "default"),
        ("loaded", loaded.as_str()),
        ("kind", "percent"),
        ("markup", "20"),
        ("o.co.id.register", "100000"),
    ];
    let path = "/panel/prices";
    let id = request_in("id", r, "POST", TOKO, path, &owner, Some(&fields)).await;
    assert!(
        id.text("problems").ends_with(
            "site.toml:34: .co.id pendaftaran 1 tahun, grup harga 'default': Rp 100.000 (neto Rp 90.090) di bawah Rp 240.000 yang Anda bayar. Pasang harga minimal sebesar itu."
        ),
        "{}",
        id.text("problems")
    );
    assert_eq!(
        shop.site.revisions().draft("toko").await.unwrap(),
        None,
        "nothing was saved"
    );
    // A publish from a stale view is refused and says who published.
    let stale = request(
        r,
        "POST",
        TOKO,
        "/panel/publish",
        &owner,
        Some(&[("revision", &loaded), ("expected", "0000000000000000")]),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale
            .text("notice")
            .starts_with("Someone published while you were looking (test, "),
        "{}",
        stale.text("notice")
    );
}

/// A multipart form as a browser sends it: text fields, then files.
async fn post_multipart(
    router: &Router,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> Page {
    let boundary = "----storefront-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, filename, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = Request::builder()
        .method("POST")
        .uri(path)
        .header("host", TOKO)
        .header("origin", format!("http://{TOKO}"))
        .header("accept-language", "en")
        .header("cookie", cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request");
    let resp = router.clone().oneshot(req).await.expect("infallible");
    page_of(resp).await
}

#[tokio::test]
async fn a_hostile_logo_or_colour_is_refused_and_a_good_logo_is_kept() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/brand", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let loaded = page.input("loaded");
    let name = page.input("name");
    let hostile: [(&str, &[u8], &str); 4] = [
        (
            "logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            "The image was refused: logo.svg: ",
        ),
        (
            "logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
            "The image was refused: logo.svg: ",
        ),
        (
            "logo.png",
            b"<!doctype html><script>alert(1)</script>",
            "This file is not an SVG, PNG, JPEG or WebP image.",
        ),
        (
            "../../etc/passwd.png",
            b"\x89PNG\r\n\x1a\nnot really",
            "The image was refused: logo.png is not a valid .png file",
        ),
    ];
    for (file, bytes, said) in hostile {
        let bad = post_multipart(
            r,
            "/panel/brand",
            &owner,
            &[("loaded", &loaded), ("name", &name)],
            &[("logo", file, bytes)],
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{file}");
        assert!(
            bad.text("errors").contains(said),
            "{file}: {}",
            bad.text("errors")
        );
    }
    let css = post_multipart(
        r,
        "/panel/brand",
        &owner,
        &[
            ("loaded", &loaded),
            ("name", &name),
            ("colour_primary", "red;} body {display:none"),
        ],
        &[],
    )
    .await;
    assert_eq!(css.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        css.text("errors"),
        "Please fix these before saving: Write a colour as a hex code such as #0b5fff; \"red;} body {display:none\" is not one."
    );
    assert_eq!(
        shop.site.revisions().draft("toko").await.unwrap(),
        None,
        "nothing was saved"
    );

    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"#0b5fff\"/></svg>";
    let good = post_multipart(
        r,
        "/panel/brand",
        &owner,
        &[
            ("loaded", &loaded),
            ("name", "Toko Biru"),
            ("colour_primary", "#0b5fff"),
        ],
        &[("logo", "my logo (final).svg", svg)],
    )
    .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.html);
    let draft = shop
        .site
        .revisions()
        .draft("toko")
        .await
        .unwrap()
        .expect("a draft");
    let files = shop
        .site
        .revisions()
        .files("toko", &draft.revision)
        .await
        .unwrap();
    assert_eq!(
        files["logo.svg"],
        svg.to_vec(),
        "named by what it is, not by the upload's name"
    );
    let site = String::from_utf8(files["site.toml"].clone()).unwrap();
    assert!(
        site.contains("name = \"Toko Biru\"") && site.contains("primary = \"#0b5fff\""),
        "{site}"
    );
}

#[tokio::test]
async fn script_in_markdown_never_reaches_the_preview_or_the_storefront() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let list = request(r, "GET", TOKO, "/panel/pages", &owner, None).await;
    assert_eq!(list.status, StatusCode::OK);
    let new = request(
        r,
        "GET",
        TOKO,
        "/panel/pages/new?slug=bantuan&lang=id&kind=page",
        &owner,
        None,
    )
    .await;
    assert_eq!(new.status, StatusCode::SEE_OTHER);
    assert_eq!(new.location, "/panel/pages/edit?file=pages/bantuan.md");
    let form = request(r, "GET", TOKO, &new.location, &owner, None).await;
    let loaded = form.input("loaded");
    let hostile = "# Bantuan\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[klik](javascript:alert(3))\n\n<iframe src=//evil.example></iframe>\n\nHubungi kami.";
    let fields = |action: &'static str| {
        vec![
            ("file", "pages/bantuan.md"),
            ("title", "Bantuan"),
            ("footer", "1"),
            ("body", hostile),
            ("action", action),
        ]
    };
    let mut preview = fields("preview");
    preview.push(("loaded", &loaded));
    let shown = request(r, "POST", TOKO, "/panel/pages/edit", &owner, Some(&preview)).await;
    assert_eq!(shown.status, StatusCode::OK);
    let section = &shown.html[shown.html.find("id=\"page-preview\"").expect("a preview")..];
    assert!(
        section.contains("<h1>Bantuan</h1>") && section.contains("Hubungi kami."),
        "{section}"
    );
    for bad in ["<script", "onerror", "javascript:", "<iframe"] {
        assert!(!section.contains(bad), "{bad} in {section}");
    }
    let mut save = fields("save");
    save.push(("loaded", &loaded));
    let saved = request(r, "POST", TOKO, "/panel/pages/edit", &owner, Some(&save)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let draft = shop
        .site
        .revisions()
        .draft("toko")
        .await
        .unwrap()
        .expect("draft");
    let publish = request(
        r,
        "POST",
        TOKO,
        "/panel/publish",
        &owner,
        Some(&[("revision", &draft.revision), ("expected", &loaded)]),
    )
    .await;
    assert_eq!(publish.status, StatusCode::SEE_OTHER, "{}", publish.html);
    let built = std::fs::read_to_string(shop.site.out().join("toko/bantuan/index.html"))
        .expect("the page is built");
    assert!(built.contains("Hubungi kami."));
    for bad in ["<script>alert", "onerror", "javascript:alert", "<iframe"] {
        assert!(!built.contains(bad), "{bad} on the storefront");
    }
}

#[tokio::test]
async fn page_files_outside_pages_are_not_pages() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    for file in [
        "site.toml",
        "pages/../site.toml",
        "pages%2F..%2Fsite.toml",
        "static/banner.png",
    ] {
        let page = request(
            r,
            "GET",
            TOKO,
            &format!("/panel/pages/edit?file={file}"),
            &owner,
            None,
        )
        .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{file}");
    }
    let bad = request(
        r,
        "POST",
        TOKO,
        "/panel/pages/edit",
        &owner,
        Some(&[
            ("file", "pages/../site.toml"),
            ("title", "x"),
            ("body", "x"),
            ("action", "save"),
        ]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text("errors").contains("is not a page"),
        "{}",
        bad.text("errors")
    );
    let news = request(
        r,
        "POST",
        TOKO,
        "/panel/pages/edit",
        &owner,
        Some(&[
            ("file", "pages/news/promo.md"),
            ("title", "Promo"),
            ("body", "x"),
            ("action", "save"),
        ]),
    )
    .await;
    assert_eq!(news.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        news.text("errors"),
        "Please fix these before saving: An announcement needs a date such as 2026-12-07."
    );
    assert_eq!(shop.site.revisions().draft("toko").await.unwrap(), None);
}

#[tokio::test]
async fn only_the_owner_changes_the_seller_and_the_bank_accounts() {
    let shop = shop().await;
    let r = &shop.router;
    let admin = sign_in(r, TOKO, "admin@toko.localhost").await;
    let dashboard = request(r, "GET", TOKO, "/panel/", &admin, None).await;
    assert!(
        !dashboard.html.contains("/panel/seller"),
        "an admin is not offered the page"
    );
    let page = request(r, "GET", TOKO, "/panel/seller", &admin, None).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        page.text("message"),
        "The seller on invoices and the bank accounts customers pay into are changed by the storefront's owner."
    );
    let post = request(
        r,
        "POST",
        TOKO,
        "/panel/seller",
        &admin,
        Some(&[
            ("legal_name", "Mine now"),
            ("account_0_id", "mine"),
            ("account_0_bank", "X"),
            ("account_0_holder", "Admin"),
            ("account_0_number", "1"),
        ]),
    )
    .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert_eq!(
        shop.site.revisions().draft("toko").await.unwrap(),
        None,
        "nothing was saved"
    );
    // An admin keeps the contact details.
    let contact = request(r, "GET", TOKO, "/panel/details", &admin, None).await;
    assert_eq!(contact.status, StatusCode::OK);
    let loaded = contact.input("loaded");
    let bad = request(
        r,
        "POST",
        TOKO,
        "/panel/details",
        &admin,
        Some(&[
            ("loaded", &loaded),
            ("email", "halo@"),
            ("phone", "+62 21 5550 100"),
        ]),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.text("errors"),
        "Please fix these before saving: \"halo@\" is not an email address."
    );
    assert_eq!(
        bad.input("phone"),
        "+62 21 5550 100",
        "what was typed is kept"
    );
    let good = request(
        r,
        "POST",
        TOKO,
        "/panel/details",
        &admin,
        Some(&[
            ("loaded", &loaded),
            ("email", "halo@toko.example"),
            ("phone", "+62 21 5550 100"),
        ]),
    )
    .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.html);

    // The owner changes the bank account; the draft has it.
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/seller", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut fields: Vec<(String, String)> = [
        "legal_name",
        "tax_id",
        "seller_email",
        "invoice_prefix",
        "loaded",
    ]
    .iter()
    .map(|k| (k.to_string(), page.input(k)))
    .collect();
    fields.push(("address".into(), "Jl. Contoh 1\nJakarta".into()));
    fields.push(("account_0_id".into(), "bca".into()));
    fields.push(("account_0_bank".into(), "BCA KCP Thamrin".into()));
    fields.push(("account_0_holder".into(), "PT Toko".into()));
    fields.push(("account_0_number".into(), "999 000 1111".into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let saved = request(r, "POST", TOKO, "/panel/seller", &owner, Some(&pairs)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let draft = shop
        .site
        .revisions()
        .draft("toko")
        .await
        .unwrap()
        .expect("draft");
    let site = String::from_utf8(
        shop.site
            .revisions()
            .files("toko", &draft.revision)
            .await
            .unwrap()["site.toml"]
            .clone(),
    )
    .unwrap();
    assert!(
        site.contains("number = \"999 000 1111\"")
            && site.contains("email = \"halo@toko.example\""),
        "{site}"
    );
}

#[tokio::test]
async fn a_sub_reseller_plan_below_cost_is_refused_and_a_good_one_saved() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/prices?plan=agen", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.input("table"), "sub_resellers");
    let loaded = page.input("loaded");
    let markup = page.input("markup");
    let loss = request(
        r,
        "POST",
        TOKO,
        "/panel/prices",
        &owner,
        Some(&[
            ("group", "agen"),
            ("table", "sub_resellers"),
            ("loaded", &loaded),
            ("kind", "percent"),
            ("markup", &markup),
            ("o.co.id.register", "1000"),
        ]),
    )
    .await;
    assert_eq!(loss.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        loss.text("problems").contains("co.id"),
        "{}",
        loss.text("problems")
    );
    let good = request(
        r,
        "POST",
        TOKO,
        "/panel/prices",
        &owner,
        Some(&[
            ("group", "agen"),
            ("table", "sub_resellers"),
            ("loaded", &loaded),
            ("kind", "percent"),
            ("markup", "15"),
        ]),
    )
    .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.html);
    assert!(good.location.starts_with("/panel/prices?plan=agen&saved="));
    let draft = shop
        .site
        .revisions()
        .draft("toko")
        .await
        .unwrap()
        .expect("draft");
    let site = String::from_utf8(
        shop.site
            .revisions()
            .files("toko", &draft.revision)
            .await
            .unwrap()["site.toml"]
            .clone(),
    )
    .unwrap();
    assert!(
        site.contains("[pricing.sub_resellers.agen]\nmarkup_percent = \"15\""),
        "{site}"
    );
}

#[tokio::test]
async fn a_colliding_discount_code_is_refused_and_a_new_one_saved() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/offers", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let loaded = page.input("loaded");
    let code = |code: &'static str| {
        vec![
            ("code_0_code", code),
            ("code_0_percent", "10"),
            ("code_0_from", "2026-12-01"),
            ("code_0_until", "2027-01-31"),
            ("code_1_code", "hemat"),
            ("code_1_percent", "5"),
            ("code_1_from", "2026-12-01"),
            ("code_1_until", "2027-01-31"),
        ]
    };
    let mut clash = code("HEMAT");
    clash.push(("loaded", &loaded));
    let bad = request(r, "POST", TOKO, "/panel/offers", &owner, Some(&clash)).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.text("errors"),
        "Please fix these before saving: The code HEMAT is listed twice: codes are the same whatever their case."
    );
    assert_eq!(shop.site.revisions().draft("toko").await.unwrap(), None);
    let mut good = code("TOKO10");
    good.push(("loaded", &loaded));
    let saved = request(r, "POST", TOKO, "/panel/offers", &owner, Some(&good)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let draft = shop
        .site
        .revisions()
        .draft("toko")
        .await
        .unwrap()
        .expect("draft");
    let site = String::from_utf8(
        shop.site
            .revisions()
            .files("toko", &draft.revision)
            .await
            .unwrap()["site.toml"]
            .clone(),
    )
    .unwrap();
    assert!(
        site.contains("code = \"TOKO10\"") && site.contains("code = \"HEMAT\""),
        "{site}"
    );
}

#[tokio::test]
async fn an_extension_the_plan_does_not_sell_is_refused_by_the_check() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/catalogue", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let loaded = page.input("loaded");
    let mut fields: Vec<(String, String)> = vec![("loaded".into(), loaded.clone())];
    for name in [
        "group_0_id",
        "group_0_extensions",
        "group_0_featured",
        "group_1_id",
        "group_1_extensions",
        "group_1_featured",
    ] {
        fields.push((name.into(), page.input(name)));
    }
    for name in [
        "group_0_name_id",
        "group_0_name_en",
        "group_1_name_id",
        "group_1_name_en",
    ] {
        if page.html.contains(&format!("name=\"{name}\"")) {
            fields.push((name.into(), page.input(name)));
        }
    }
    fields.push(("default_language".into(), "id".into()));
    fields.push(("language".into(), "en".into()));
    let unchanged: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let same = request(
        r,
        "POST",
        TOKO,
        "/panel/catalogue",
        &owner,
        Some(&unchanged),
    )
    .await;
    assert_eq!(
        same.status,
        StatusCode::SEE_OTHER,
        "{}",
        same.text("problems")
    );
    // toko's plan sells no .xyz.
    let page = request(r, "GET", TOKO, "/panel/catalogue", &owner, None).await;
    let loaded = page.input("loaded");
    let mut more = fields.clone();
    more[0].1 = loaded;
    for (k, v) in more.iter_mut() {
        if k == "group_1_extensions" {
            v.push_str(", xyz");
        }
    }
    let pairs: Vec<(&str, &str)> = more.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let refused = request(r, "POST", TOKO, "/panel/catalogue", &owner, Some(&pairs)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text("problems").contains("xyz"),
        "{}",
        refused.text("problems")
    );
}

/// What the storefront charges a visitor for one year of `.co.id`
/// registration, or why it cannot, by the checkout's own function.
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
        today: storefront_e2e::today(),
        premium: None,
        code: None,
    };
    price(&s, &ask)
        .map(|p| p.shown.to_string())
        .map_err(|e| e.message(storefront_core::Locale::En))
}

/// Set a fixed `.co.id` registration price on `host`'s default group in
/// its back office, and publish it.
async fn fix_co_id_price(r: &Router, host: &str, email: &str, price: &str) -> Page {
    let owner = sign_in(r, host, email).await;
    let page = request(r, "GET", host, "/panel/prices?group=default", &owner, None).await;
    let loaded = page.input("loaded");
    let mut fields: Vec<(String, String)> = ["loaded", "markup", "round_to", "ending"]
        .iter()
        .map(|k| (k.to_string(), page.input(k)))
        .collect();
    fields.push(("group".into(), "default".into()));
    fields.push(("kind".into(), "percent".into()));
    fields.push(("o.co.id.register".into(), price.into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let saved = request(r, "POST", host, "/panel/prices", &owner, Some(&pairs)).await;
    if saved.status != StatusCode::SEE_OTHER {
        return saved;
    }
    let page = request(r, "GET", host, "/panel/publish", &owner, None).await;
    let revision = page.input("revision");
    let _ = loaded;
    request(
        r,
        "POST",
        host,
        "/panel/publish",
        &owner,
        Some(&[
            ("revision", &revision),
            ("expected", &page.input("expected")),
        ]),
    )
    .await
}

#[tokio::test]
async fn a_raised_plan_price_suspends_the_lines_below_it_until_they_are_repriced() {
    let shop = shop().await;
    let r = &shop.router;
    const AGEN: &str = "agen.localhost";
    // agen sells .co.id at a fixed 330.000, above what it pays today.
    let fixed = fix_co_id_price(r, AGEN, "owner@agen.localhost", "330000").await;
    assert_eq!(
        fixed.status,
        StatusCode::SEE_OTHER,
        "{}",
        fixed.text("problems")
    );
    assert_eq!(co_id_register(&shop, "agen").await, Ok("330000".into()));
    assert_eq!(co_id_register(&shop, "toko").await, Ok("288000".into()));
    // The platform raises .co.id from 240.000 to 400.000. toko's markup
    // follows; agen's fixed price is now below what it pays toko. The
    // build goes through.
    let plans = shop.site.paths().content.join("platform/plans.toml");
    let text = std::fs::read_to_string(&plans).unwrap();
    std::fs::write(
        &plans,
        text.replacen("register = \"240000\"", "register = \"400000\"", 1),
    )
    .unwrap();
    shop.site
        .build(storefront_e2e::now())
        .await
        .expect("a raise is published");
    assert_eq!(co_id_register(&shop, "toko").await, Ok("480000".into()));
    assert_eq!(
        co_id_register(&shop, "agen").await,
        Err(".co.id names are not on sale for the moment: the shop is updating their price. Please try again later.".into())
    );
    let page = std::fs::read_to_string(shop.site.out().join("agen/prices/index.html")).unwrap();
    assert!(
        page.contains("not on sale now") || page.contains("sedang tidak dijual"),
        "the price table says so"
    );
    // agen's owner is told, once, with the line.
    let mails = || -> Vec<String> {
        std::fs::read_dir(&shop.outbox)
            .map(|d| {
                d.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    };
    let to_agen: Vec<String> = mails()
        .into_iter()
        .filter(|m| m.contains("billing@agen.example"))
        .collect();
    assert_eq!(to_agen.len(), 1, "{:?}", mails());
    assert!(
        to_agen[0].contains("- .co.id register (price group default)"),
        "{}",
        to_agen[0]
    );
    assert!(
        !mails().iter().any(|m| m.contains("To: billing@toko")),
        "toko lost nothing"
    );
    shop.site.build(storefront_e2e::now()).await.unwrap();
    assert_eq!(mails().len(), 1, "not told twice");
    // agen's suspended line is agen's to fix: toko still publishes its own
    // changes meanwhile.
    let toko = fix_co_id_price(r, TOKO, "owner@toko.localhost", "500000").await;
    assert_eq!(
        toko.status,
        StatusCode::SEE_OTHER,
        "{}",
        toko.text("problems")
    );
    assert_eq!(co_id_register(&shop, "toko").await, Ok("500000".into()));
    // Below its new cost agen cannot publish; above it, it sells again.
    let low = fix_co_id_price(r, AGEN, "owner@agen.localhost", "350000").await;
    assert_eq!(low.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        low.text("problems"),
        "The storefront's checks refused this: site.toml:29: .co.id registration for 1 year, price group 'default': IDR 350,000 is below the IDR 420,000 you pay. Set a price of at least that."
    );
    let repriced = fix_co_id_price(r, AGEN, "owner@agen.localhost", "600000").await;
    assert_eq!(
        repriced.status,
        StatusCode::SEE_OTHER,
        "{}",
        repriced.text("problems")
    );
    assert_eq!(co_id_register(&shop, "agen").await, Ok("600000".into()));
}

#[tokio::test]
async fn a_storefront_with_orders_keeps_its_currency() {
    use storefront_functions::store::{Condition, Item};
    let shop = shop().await;
    let folder = shop.site.paths().content.join("resellers/agen/site.toml");
    let text = std::fs::read_to_string(&folder).unwrap();
    let usd = text.replacen("currency = \"IDR\"", "currency = \"USD\"", 1);
    assert_ne!(usd, text, "the fixture names its currency");
    let files = |site: &str| {
        let mut f = storefront_revisions::read_folder(folder.parent().unwrap()).files;
        f.insert("site.toml".into(), site.as_bytes().to_vec());
        f
    };
    // No orders yet: the change is judged by the other rules only.
    assert_eq!(
        shop.site
            .currency_locked("agen", &files(&usd))
            .await
            .unwrap(),
        None
    );
    // One order placed: refused, from a folder and from a draft alike.
    let key = storefront_functions::orders::keys::orders_of("agen");
    shop.store
        .put(
            Item::new(key, "o-1", serde_json::json!({})),
            Condition::None,
        )
        .await
        .unwrap();
    let why = shop
        .site
        .currency_locked("agen", &files(&usd))
        .await
        .unwrap()
        .expect("refused");
    assert_eq!(
        why,
        "currency = \"USD\": the storefront has orders in IDR, so its currency cannot change (its wallets, orders and invoices are in it)"
    );
    std::fs::write(&folder, &usd).unwrap();
    let refused = shop
        .site
        .import_folders("test", storefront_e2e::now())
        .await;
    assert_eq!(refused, vec![("agen".to_string(), why.clone())]);
    match shop
        .site
        .check_draft("agen", files(&usd), storefront_e2e::now())
        .await
    {
        Err(storefront_publish::PublishError::Content(d)) => {
            assert!(d.to_string().contains(&why), "{d}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        shop.site
            .currency_locked("agen", &files(&text))
            .await
            .unwrap(),
        None
    );
}
