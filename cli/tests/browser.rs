//! The storefront as a shopper's browser runs it: Debian's Chromium, driven
//! over WebDriver, against `storefront serve` on 127.0.0.1.

use serde_json::Value;
use std::time::Duration;
use storefront_e2e::webdriver::Browser;

#[test]
fn a_search_shows_streamed_availability_and_prices() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();
    // Three-letter names are taken in the sandbox registry; a long odd one is free.
    browser.goto(&format!(
        "http://{}/s/toko/search/?q=abc.co.id",
        server.addr
    ));
    let rows = browser.wait_for(
        "const s = [...document.querySelectorAll('#results .status')];
         if (!s.length || s.some(e => e.classList.contains('status--checking'))) return null;
         return s.map(e => e.className);",
        Duration::from_secs(20),
    );
    let rows: Vec<&str> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        !rows.is_empty() && rows.iter().all(|c| c.contains("status--taken")),
        "{rows:?}"
    );

    browser.goto(&format!(
        "http://{}/s/toko/search/?q=zqxwvtoko.co.id",
        server.addr
    ));
    let first = browser.wait_for(
        "const r = document.querySelector('#results .result');
         const s = r && r.querySelector('.status');
         if (!s || s.classList.contains('status--checking')) return null;
         return [s.className, r.textContent];",
        Duration::from_secs(20),
    );
    let status = first[0].as_str().expect("class");
    let text = first[1].as_str().expect("text");
    assert!(status.contains("status--available"), "{status}");
    assert!(
        text.contains("zqxwvtoko.co.id") && text.contains("Rp\u{a0}288.000"),
        "{text}"
    );

    // The page's language decides the API's: the English page formats in English.
    browser.goto(&format!(
        "http://{}/s/toko/en/search/?q=zqxwvtoko.co.id",
        server.addr
    ));
    let text = browser.wait_for(
        "const r = document.querySelector('#results .result');
         const s = r && r.querySelector('.status');
         return s && !s.classList.contains('status--checking') ? r.textContent : null;",
        Duration::from_secs(20),
    );
    assert!(
        text.as_str().expect("text").contains("IDR\u{a0}288,000"),
        "{text}"
    );
}

/// The verification link from the newest mail in the outbox (mail is
/// quoted-printable: undo soft line breaks and `=3D`).
fn verification_link(outbox: &std::path::Path) -> String {
    let mut mails: Vec<_> = std::fs::read_dir(outbox)
        .expect("outbox")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    mails.sort();
    let raw = std::fs::read_to_string(mails.last().expect("a mail")).expect("read mail");
    let text = raw
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = text.find("http").expect("a link");
    text[start..]
        .split_whitespace()
        .next()
        .expect("link")
        .to_string()
}

#[test]
fn a_newcomer_signs_up_confirms_by_mail_and_signs_in() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();
    let base = format!("http://{}/s/toko", server.addr);
    browser.goto(&format!("{base}/en/account/"));
    browser.wait_for("return document.querySelector('#account-signup') && !document.querySelector('#account-signup').hidden", Duration::from_secs(10));
    browser.eval(
        "const f = document.querySelector('form[data-account-form=signup]');
         f.querySelector('[name=name]').value = 'Budi Santoso';
         f.querySelector('[name=email]').value = 'budi@example.co.id';
         f.querySelector('[name=password]').value = 'kopi-tubruk-2026';
         f.requestSubmit(); return true;",
    );
    let notice = browser.wait_for("const n = document.querySelector('[data-account-notice]'); return n && !n.hidden ? n.textContent : null;", Duration::from_secs(20));
    assert!(
        notice
            .as_str()
            .expect("notice")
            .contains("confirmation link"),
        "{notice}"
    );

    // A weak password is refused next to its field, in the page's language.
    browser.eval(
        "const f = document.querySelector('form[data-account-form=signup]');
         f.querySelector('[name=name]').value = 'Other';
         f.querySelector('[name=email]').value = 'other@example.co.id';
         f.querySelector('[name=password]').value = 'aaaaaaaaaaaa';
         f.requestSubmit(); return true;",
    );
    let err = browser.wait_for("return document.querySelector('form[data-account-form=signup] [data-error-for=password]').textContent || null;", Duration::from_secs(20));
    assert!(!err.as_str().expect("error").is_empty());

    let link = verification_link(&p.path().join(".storefront/outbox"));
    assert!(link.contains("/s/toko/account/?verify="), "{link}");
    browser.goto(&link);
    let notice = browser.wait_for("const n = document.querySelector('[data-account-notice]'); return n && !n.hidden ? n.textContent : null;", Duration::from_secs(20));
    assert!(
        notice.as_str().expect("notice").contains("terkonfirmasi"),
        "confirmed, in Indonesian (the default language): {notice}"
    );

    browser.eval(
        "const f = document.querySelector('form[data-account-form=signin]');
         f.querySelector('[name=email]').value = 'budi@example.co.id';
         f.querySelector('[name=password]').value = 'kopi-tubruk-2026';
         f.requestSubmit(); return true;",
    );
    let name = browser.wait_for("const m = document.querySelector('#account-me'); return m && !m.hidden ? m.textContent : null;", Duration::from_secs(20));
    let name = name.as_str().expect("profile");
    assert!(
        name.contains("Budi Santoso") && name.contains("budi@example.co.id"),
        "{name}"
    );
    assert!(
        browser
            .eval("return document.querySelector('[data-me-unverified]').hidden")
            .as_bool()
            .expect("bool"),
        "confirmed accounts show no reminder"
    );

    // The session is this storefront's only.
    browser.goto(&format!("http://{}/s/agen/account/", server.addr));
    browser.wait_for(
        "const s = document.querySelector('#account-signin'); return s && !s.hidden;",
        Duration::from_secs(20),
    );
}

const DEMO_PASSWORD: &str = "demo-storefront-2026";
const WAIT: Duration = Duration::from_secs(30);

/// Sign in on the account page at `url` and wait until the dashboard has
/// loaded the wallet, domains, orders and invoices.
fn sign_in(browser: &Browser, url: &str, email: &str) {
    sign_in_as(browser, url, email, DEMO_PASSWORD);
}

/// The same with a password of its own.
fn sign_in_as(browser: &Browser, url: &str, email: &str, password: &str) {
    browser.goto(url);
    browser.wait_for(
        "const s = document.querySelector('#account-signin'); return s && !s.hidden;",
        WAIT,
    );
    browser.eval(&format!(
        "const f = document.querySelector('form[data-account-form=signin]');
         f.querySelector('[name=email]').value = {};
         f.querySelector('[name=password]').value = {};
         f.requestSubmit(); return true;",
        serde_json::json!(email),
        serde_json::json!(password),
    ));
    browser.wait_for(
        "const d = document.querySelector('#account-dashboard');
         return d && !d.hidden && d.hasAttribute('data-loaded');",
        WAIT,
    );
}

fn sign_out(browser: &Browser) {
    browser.eval("document.querySelector('[data-signout]').click(); return true;");
    browser.wait_for(
        "const s = document.querySelector('#account-signin');
         return s && !s.hidden && document.querySelector('#account-dashboard').hidden;",
        WAIT,
    );
}

/// The whole units of an IDR amount as shown ("Rp 1.000.000", "IDR 1,000,000").
fn rupiah(shown: &Value) -> i64 {
    let digits: String = shown
        .as_str()
        .expect("an amount")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().expect("digits")
}

/// The customer asks for a top-up with a proof of transfer; the owner
/// approves it in the back office, sets the customer a credit limit (and
/// asks its own parent for a top-up, which the
/// platform approves with `storefront topups approve`); the customer buys a
/// name from the search page, pays from the wallet, and finds the domain
/// active and the wallet lower by exactly the order's total.
#[test]
fn a_top_up_approved_in_the_panel_pays_for_a_domain_from_the_wallet() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();
    let base = format!("http://{}/s/toko", server.addr);

    // The customer (Indonesian, the storefront's default language) asks for
    // a top-up, typed the Indonesian way, and attaches a proof.
    sign_in(
        &browser,
        &format!("{base}/account/"),
        "customer@toko.localhost",
    );
    let before =
        browser.eval("return document.querySelector('[data-balance=available]').textContent;");
    browser.wait_for(
        "const f = document.querySelector('[data-topup-form]');
         if (!f || f.hidden || !f.querySelector('select[name=bank_account] option')) return null;
         f.querySelector('[name=amount]').value = '1.000.000';
         f.querySelector('[name=transfer_reference]').value = 'BCA 221126 BUDI';
         const dt = new DataTransfer();
         dt.items.add(new File(['%PDF-1.4\\n% transfer receipt\\n'], 'bukti.pdf', {type: 'application/pdf'}));
         f.querySelector('[name=proof]').files = dt.files;
         f.requestSubmit(); return true;",
        WAIT,
    );
    let topup = browser.wait_for(
        "const r = document.querySelector('[data-wallet-topups] .record');
         return r && r.querySelector('.state--pending') && r.textContent.includes('Terlampir') ? r.textContent : null;",
        WAIT,
    );
    let topup = topup.as_str().expect("top-up");
    assert!(
        topup.contains("Rp\u{a0}1.000.000") && topup.contains("BCA 221126 BUDI"),
        "{topup}"
    );
    assert!(
        browser
            .eval(
                "return document.querySelector('[data-topup-form] [data-form-status]').textContent;"
            )
            .as_str()
            .expect("status")
            .contains("menunggu persetujuan"),
        "the request is confirmed in the page's language"
    );
    assert!(
        browser
            .eval("return document.querySelector('[data-panel-link]').hidden;")
            .as_bool()
            .expect("bool"),
        "customers are not offered the panel"
    );
    sign_out(&browser);

    // The owner signs in on the same storefront (in English) and approves it.
    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "owner@toko.localhost",
    );
    let panel = browser.wait_for(
        "const l = document.querySelector('[data-panel-link]');
         return l && !l.hidden ? l.querySelector('a').href : null;",
        WAIT,
    );
    // The link opens the back office; its orders and wallet pages follow.
    browser.goto(panel.as_str().expect("panel link"));
    let money = browser.wait_for(
        "const a = [...document.querySelectorAll('.bar nav a')].find(a => a.textContent === 'Orders and wallet');
         return a ? a.href : null;",
        WAIT,
    );
    browser.goto(money.as_str().expect("money link"));
    browser.eval(
        "[...document.querySelectorAll('.tabs a')].find(a => a.textContent === 'Top-ups to approve').click(); return true;",
    );
    let row = text_of(&browser, "#topups li");
    assert!(
        row.contains("IDR\u{a0}1,000,000")
            && row.contains("customer (customer@toko.localhost)")
            && row.contains("BCA 221126 BUDI"),
        "{row}"
    );
    // The proof downloads as the customer sent it.
    browser.eval(
        "const a = document.querySelector('#topups li a[download]');
         fetch(a.href, {credentials: 'same-origin'}).then(r => r.text()).then(t => { window.proof = t; });
         return true;",
    );
    let proof = browser.wait_for("return window.proof || null;", WAIT);
    assert!(
        proof.as_str().expect("proof").starts_with("%PDF-1.4"),
        "{proof}"
    );
    browser.eval("document.querySelector('#topups li button.approve').click(); return true;");
    assert_eq!(
        text_of(&browser, "#notice"),
        "Top-up approved: the amount is in the wallet now, and the requester was told."
    );
    assert_eq!(text_of(&browser, "#empty"), "No top-ups are waiting.");

    // The customer's wallet, and a credit limit for it.
    browser.eval(
        "[...document.querySelectorAll('.tabs a')].find(a => a.textContent === 'Customers').click(); return true;",
    );
    let row = text_of(
        &browser,
        "#customers tbody tr[data-email='customer@toko.localhost']",
    );
    assert!(
        row.contains("(customer@toko.localhost)") && row.contains("IDR\u{a0}1,000,000"),
        "{row}"
    );
    browser.eval(
        "const f = document.querySelector(\"#customers tbody tr[data-email='customer@toko.localhost'] form\");
         f.querySelector('[name=limit]').value = '150,000';
         f.querySelector('button').click(); return true;",
    );
    assert_eq!(text_of(&browser, "#notice"), "Credit limit saved.");
    assert!(
        text_of(
            &browser,
            "#customers tbody tr[data-email='customer@toko.localhost']"
        )
        .ends_with("IDR\u{a0}150,000"),
        "the limit is shown as saved"
    );

    // The storefront asks its parent (the platform) for a top-up from its
    // wallet page; the platform approves it from the command line.
    browser.eval(
        "[...document.querySelectorAll('.tabs a')].find(a => a.textContent === 'Your wallet').click(); return true;",
    );
    let own_before = rupiah(&Value::String(text_of(&browser, "#balance-available")));
    browser.eval(
        "const f = document.querySelector('#topup');
         f.querySelector('[name=amount]').value = '2,000,000';
         f.querySelector('[name=transfer_reference]').value = 'TOKO NOV 2026';
         f.requestSubmit(); return true;",
    );
    assert_eq!(
        text_of(&browser, "#notice"),
        "Your top-up request is sent and waits for approval."
    );
    let mine = text_of(&browser, "#mine tbody tr");
    assert!(
        mine.contains("TOKO NOV 2026") && mine.ends_with("Waiting for approval"),
        "{mine}"
    );
    let storefront = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_storefront"))
            .arg("-C")
            .arg(p.path())
            .args(args)
            .output()
            .expect("run storefront");
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let pending = storefront(&["topups", "list"]);
    let id = pending
        .lines()
        .find(|l| l.contains("TOKO NOV 2026"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("the back office's request reached the platform: {pending}"))
        .to_string();
    storefront(&["topups", "approve", &id]);
    browser.goto(&format!("{base}/panel/wallet"));
    let mine = text_of(&browser, "#mine tbody tr");
    assert!(mine.ends_with("Approved"), "{mine}");
    let own_after = text_of(&browser, "#balance-available");
    assert_eq!(
        rupiah(&Value::String(own_after.clone())),
        own_before + 2_000_000,
        "{own_after}"
    );
    browser.goto(&format!("{base}/en/account/"));
    browser.wait_for(
        "const d = document.querySelector('#account-dashboard'); return d && d.hasAttribute('data-loaded');",
        WAIT,
    );
    sign_out(&browser);

    // The customer now has the money: search, add to the cart, check out
    // for two years, pay from the wallet.
    sign_in(
        &browser,
        &format!("{base}/account/"),
        "customer@toko.localhost",
    );
    let available = browser.wait_for(
        "const a = document.querySelector('[data-balance=available]').textContent;
         return a.includes('1.000.000') ? a : null;",
        WAIT,
    );
    assert_eq!(rupiah(&available), rupiah(&before) + 1_000_000);
    browser.goto(&format!("{base}/search/?q=zqxwvtoko.co.id"));
    browser.wait_for(
        "const r = document.querySelector('#results .result[data-domain=\"zqxwvtoko.co.id\"]');
         const b = r && r.querySelector('.status--available') && r.querySelector('.result__action button');
         if (!b) return null;
         b.click(); return true;",
        WAIT,
    );
    browser.wait_for(
        "return document.querySelector('[data-cart-count-value]').textContent === '1';",
        WAIT,
    );
    browser.goto(&format!("{base}/checkout/"));
    browser.wait_for(
        "const s = document.querySelector('#checkout-form select[name=years]');
         const place = document.querySelector('[data-place]');
         if (!s || !place || place.hidden) return null;
         s.value = '2'; s.dispatchEvent(new Event('change')); return true;",
        WAIT,
    );
    let quote = browser.wait_for(
        "const place = document.querySelector('[data-place]');
         const t = document.querySelector('[data-quote-table] table');
         if (!t || place.hidden || !t.querySelector('tbody').textContent.includes('2 tahun')) return null;
         return [t.textContent, t.querySelector('tfoot .cart-table__total td').textContent];",
        WAIT,
    );
    let quoted = quote[0].as_str().expect("quote");
    assert!(
        quoted.contains("zqxwvtoko.co.id") && quoted.contains("Pajak"),
        "{quoted}"
    );
    let total = rupiah(&quote[1]);
    assert!(total > 0, "{quote}");
    browser.eval(
        "document.querySelector('input[name=payment][value=wallet]').checked = true;
         document.querySelector('#checkout-form').requestSubmit(); return true;",
    );
    let done = browser.wait_for(
        "const d = document.querySelector('[data-checkout-done]');
         return d && !d.hidden ? d.textContent : null;",
        WAIT,
    );
    let done = done.as_str().expect("confirmation");
    assert!(
        done.contains("zqxwvtoko.co.id") && done.contains("Aktif"),
        "{done}"
    );
    assert_eq!(
        browser.eval("return window.Storefront.readCart().length;"),
        serde_json::json!(0),
        "the ordered name left the cart"
    );

    // The account page: the domain is registered (toko registers .co.id
    // before its documents: it awaits them), the order's line active, and
    // the wallet lower by exactly the order's total.
    browser.goto(&format!("{base}/account/"));
    let domain = browser.wait_for(
        "const d = document.querySelector('#account-dashboard[data-loaded] [data-account-domains] .record[data-domain=\"zqxwvtoko.co.id\"]');
         return d ? d.textContent : null;",
        WAIT,
    );
    let domain = domain.as_str().expect("domain");
    let expiry = (chrono::Utc::now().date_naive() + chrono::Months::new(24)).format("%Y");
    assert!(
        domain.contains("Menunggu dokumen") && domain.contains(&expiry.to_string()),
        "registered for two years: {domain}"
    );
    let after =
        browser.eval("return document.querySelector('[data-balance=available]').textContent;");
    assert_eq!(
        rupiah(&after),
        rupiah(&available) - total,
        "{available} - {total} = {after}"
    );
    let order = browser.wait_for(
        "const o = document.querySelector('[data-account-orders] .record .order-line');
         return o ? o.textContent : null;",
        WAIT,
    );
    assert!(
        order.as_str().expect("order line").contains("Aktif"),
        "{order}"
    );
    assert!(
        browser
            .eval(
                "return document.querySelector('[data-wallet-entries] .entry--capture') !== null;"
            )
            .as_bool()
            .expect("bool"),
        "the payment is in the wallet's history"
    );

    // A phone's width: nothing on the account page is wider than the screen.
    browser.set_window_size(360, 800);
    let overflow = browser.wait_for(
        "const wide = [...document.querySelectorAll('body *')]
           .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
           .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
           .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent || '').slice(0, 40));
         return [document.documentElement.scrollWidth, window.innerWidth, wide.slice(0, 12)];",
        WAIT,
    );
    assert!(
        overflow[0].as_u64() <= overflow[1].as_u64(),
        "the account page scrolls sideways at 360 px: {overflow}"
    );
}

/// Prices change while the customer is at the checkout (the reseller edits
/// its markup and the storefront is rebuilt): placing the order shows the
/// new prices and asks again; confirming orders at the new prices.
#[test]
fn a_price_change_at_checkout_is_shown_and_confirmed_before_ordering() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), true);
    let browser = Browser::start();
    let base = format!("http://{}/s/toko", server.addr);
    let name = "qwzxbudi.co.id";
    let price = || -> Option<String> {
        let (status, _, body) = storefront_e2e::http(
            &server.addr,
            "GET",
            &server.addr,
            &format!("/s/toko/api/search?q={name}&format=json&lang=en"),
            None,
        );
        let v: Value = serde_json::from_str(&body).ok()?;
        (status == 200).then_some(())?;
        v["results"]
            .as_array()?
            .iter()
            .find(|r| r["domain"] == name)
            .map(|r| r["price"].to_string())
    };
    let before = price().expect("a price for the name");

    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "customer@toko.localhost",
    );
    browser.eval(&format!(
        "window.Storefront.writeCart([{{domain: '{name}', ext: 'co.id', years: 1, action: 'register'}}]); return true;"
    ));
    browser.goto(&format!("{base}/en/checkout/"));
    let first = browser.wait_for(
        "const place = document.querySelector('[data-place]');
         const t = document.querySelector('[data-quote-table] tfoot .cart-table__total td');
         return place && !place.hidden && t ? t.textContent : null;",
        WAIT,
    );

    // The reseller raises its markup; the storefront is rebuilt and published.
    let site = p.path().join("content/resellers/toko/site.toml");
    let toml = std::fs::read_to_string(&site).expect("site.toml");
    assert!(toml.contains("markup_percent = \"20\""));
    std::fs::write(
        &site,
        toml.replace("markup_percent = \"20\"", "markup_percent = \"40\""),
    )
    .expect("write site.toml");
    let deadline = std::time::Instant::now() + WAIT;
    while price().as_ref() == Some(&before) {
        assert!(
            std::time::Instant::now() < deadline,
            "the new prices were not published"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    browser.eval(
        "document.querySelector('input[name=payment][value=bank_transfer]').checked = true;
         document.querySelector('#checkout-form').requestSubmit(); return true;",
    );
    let changed = browser.wait_for(
        "const n = document.querySelector('[data-price-changed]');
         const t = document.querySelector('[data-quote-table] tfoot .cart-table__total td');
         return n && !n.hidden ? [n.textContent, t.textContent, document.querySelector('[data-place]').textContent] : null;",
        WAIT,
    );
    assert!(
        changed[0]
            .as_str()
            .expect("notice")
            .contains("Prices have changed"),
        "{changed}"
    );
    assert!(rupiah(&changed[1]) > rupiah(&first), "{first} -> {changed}");
    assert!(
        changed[2].as_str().expect("button").contains("new prices"),
        "{changed}"
    );
    assert!(
        browser
            .eval("return document.querySelector('[data-checkout-done]').hidden;")
            .as_bool()
            .expect("bool"),
        "nothing is ordered before the customer confirms"
    );

    browser.eval("document.querySelector('#checkout-form').requestSubmit(); return true;");
    let done = browser.wait_for(
        "const d = document.querySelector('[data-checkout-done]');
         return d && !d.hidden ? d.textContent : null;",
        WAIT,
    );
    let done = done.as_str().expect("confirmation");
    assert!(
        done.contains(name) && done.contains(changed[1].as_str().expect("total")),
        "ordered at the new price {}: {done}",
        changed[1]
    );
}

/// What the search page shows for `name` (available) on the storefront at
/// `base`, after adding it to the cart: the price as a person reads it.
fn search_and_add(browser: &Browser, base: &str, name: &str) -> String {
    browser.goto(&format!("{base}/search/?q={name}"));
    let shown = browser.wait_for(
        &format!(
            "const r = document.querySelector('#results .result[data-domain=\"{name}\"]');
             const b = r && r.querySelector('.status--available') && r.querySelector('.result__action button');
             if (!b) return null;
             const price = r.querySelector('.result__price .price').textContent;
             b.click(); return price;"
        ),
        WAIT,
    );
    browser.wait_for(
        &format!("return window.Storefront.readCart().some(i => i.domain === '{name}');"),
        WAIT,
    );
    shown.as_str().expect("a price").to_string()
}

/// What the search page shows for `name` (available), without adding it.
fn search_price(browser: &Browser, base: &str, name: &str) -> String {
    browser.goto(&format!("{base}/search/?q={name}"));
    let shown = browser.wait_for(
        &format!(
            "const r = document.querySelector('#results .result[data-domain=\"{name}\"]');
             const p = r && r.querySelector('.status--available') && r.querySelector('.result__price .price');
             return p ? p.textContent : null;"
        ),
        WAIT,
    );
    shown.as_str().expect("a price").to_string()
}

/// Put a customer in a price group, as the back office does, in the store
/// of the running `serve` (SQLite takes a second writer).
fn set_price_group(project: &std::path::Path, reseller: &str, email: &str, group: &str) {
    use storefront_functions::accounts::{fields, records};
    use storefront_functions::store::Store;
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let path = project.join(".storefront/store.db");
        let store =
            storefront_functions::store::embedded::EmbeddedStore::open(&path).expect("store");
        let key = fields::email(email).expect("email").key;
        let (item, mut profile) = records::by_email(&store, reseller, &key)
            .await
            .expect("read")
            .expect("the customer");
        profile.price_group = Some(group.to_string());
        let write = records::update(&item, &profile).expect("write");
        store.transact(vec![write]).await.expect("saved");
    });
}

/// The cart list (cart page, or the checkout's signed-out view) once the
/// server's quote is on it: [line amount, net row, tax row, total row].
fn quoted_cart(browser: &Browser, name: &str) -> Vec<String> {
    let v = browser.wait_for(
        &format!(
            "const t = document.querySelector('[data-cart] table[data-state=quoted]');
             if (!t || t.closest('[hidden]')) return null;
             const cell = (sel) => {{ const c = t.querySelector(sel); return c ? c.textContent : ''; }};
             return [cell('tbody tr[data-domain=\"{name}\"] .price'), cell('tfoot .cart-table__net td'),
                     cell('tfoot .cart-table__tax td'), cell('tfoot .cart-table__total td')];"
        ),
        WAIT,
    );
    v.as_array()
        .expect("cells")
        .iter()
        .map(|c| c.as_str().expect("text").to_string())
        .collect()
}

/// The signed-in checkout's quote: [the line's net, its total, the net row, the total row].
fn quoted_checkout(browser: &Browser, name: &str) -> Vec<String> {
    let v = browser.wait_for(
        &format!(
            "const place = document.querySelector('[data-place]');
             const t = document.querySelector('[data-quote-table] table');
             if (!t || !place || place.hidden) return null;
             const row = [...t.querySelectorAll('tbody tr')].find(r => r.textContent.includes('{name}'));
             const foot = [...t.querySelectorAll('tfoot tr td')].map(c => c.textContent);
             return row ? [row.children[3].textContent, row.children[5].textContent, foot[0], foot[2]] : null;"
        ),
        WAIT,
    );
    v.as_array()
        .expect("cells")
        .iter()
        .map(|c| c.as_str().expect("text").to_string())
        .collect()
}

/// The price shown is the price charged, as a person sees it: the amount
/// the search page shows for a name is the amount its line shows on the
/// cart page (the server's quote for a visitor) and at the checkout (the
/// quote for the signed-in customer). Where prices include tax (toko, PPN
/// 11% inclusive) it is the total; where tax is added at checkout (agen) it
/// is the total before tax, and the tax comes on top.
#[test]
fn the_price_on_the_search_page_is_the_price_at_the_cart_and_the_checkout() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();

    // toko shows prices with PPN included: 240.000 cost + 20%, to 1.000.
    let base = format!("http://{}/s/toko", server.addr);
    let name = "qzxwvharga.co.id";
    let shown = search_and_add(&browser, &base, name);
    assert_eq!(shown, "Rp\u{a0}288.000");

    browser.goto(&format!("{base}/cart/"));
    let cart = quoted_cart(&browser, name);
    assert_eq!(
        cart,
        [
            "Rp\u{a0}288.000",
            "Rp\u{a0}259.459",
            "Rp\u{a0}28.541",
            "Rp\u{a0}288.000"
        ],
        "line, net, PPN 11%, total"
    );

    // An unknown discount code is refused next to its field, and the total
    // is not given as known; without it the quote is back.
    browser.eval(
        "const f = document.querySelector('[data-cart-code]');
         f.querySelector('[name=code]').value = 'NOPE2026';
         f.requestSubmit(); return true;",
    );
    let refused = browser.wait_for(
        "const e = document.querySelector('[data-cart-code] [data-error-for=code]').textContent;
         const t = document.querySelector('[data-cart] table[data-state=failed]');
         return e && t ? [e, t.querySelector('tfoot .cart-table__total').hasAttribute('data-pending')] : null;",
        WAIT,
    );
    assert!(
        refused[0].as_str().expect("message").contains("NOPE2026") && refused[1] == true,
        "{refused}"
    );
    browser.eval(
        "const f = document.querySelector('[data-cart-code]');
         f.querySelector('[name=code]').value = '';
         f.requestSubmit(); return true;",
    );
    assert_eq!(quoted_cart(&browser, name)[3], "Rp\u{a0}288.000");

    // A name that is taken: the server says so on its line, and the total
    // waits; removing it brings the total back.
    browser.eval(
        "const items = window.Storefront.readCart();
         items.push({domain: 'abc.co.id', display: 'abc.co.id', ext: 'co.id', years: 1, action: 'register'});
         window.Storefront.writeCart(items); return true;",
    );
    let taken = browser.wait_for(
        "const t = document.querySelector('[data-cart] table[data-state=failed]');
         const e = t && t.querySelector('.cart-table__problem');
         return e ? e.textContent : null;",
        WAIT,
    );
    assert!(
        taken.as_str().expect("message").contains("abc.co.id"),
        "{taken}"
    );
    browser.eval(
        "document.querySelector('tr[data-domain=\"abc.co.id\"] .cart-table__remove button').click(); return true;",
    );
    assert_eq!(quoted_cart(&browser, name)[3], "Rp\u{a0}288.000");

    // The checkout, signed out: the same quote, and the sign-in card.
    browser.goto(&format!("{base}/checkout/"));
    assert_eq!(quoted_cart(&browser, name)[3], "Rp\u{a0}288.000");

    // Signed in as the demo customer: the quote to order from.
    sign_in(
        &browser,
        &format!("{base}/account/"),
        "customer@toko.localhost",
    );
    browser.goto(&format!("{base}/checkout/"));
    let checkout = quoted_checkout(&browser, name);
    assert_eq!(
        checkout,
        [
            "Rp\u{a0}259.459",
            "Rp\u{a0}288.000",
            "Rp\u{a0}259.459",
            "Rp\u{a0}288.000"
        ],
        "line net, line total, net, total"
    );
    assert_eq!(checkout[3], shown);

    // The back office puts this customer in toko's wholesale group (12%
    // on top, to 1.000): the search page shows it the group's price, and
    // the checkout charges exactly that.
    set_price_group(p.path(), "toko", "customer@toko.localhost", "grosir");
    let grosir = search_price(&browser, &base, name);
    assert_eq!(grosir, "Rp\u{a0}269.000");
    browser.goto(&format!("{base}/checkout/"));
    let checkout = quoted_checkout(&browser, name);
    assert_eq!(
        checkout,
        [
            "Rp\u{a0}242.342",
            "Rp\u{a0}269.000",
            "Rp\u{a0}242.342",
            "Rp\u{a0}269.000"
        ],
        "line net, line total, net, total, in the customer's group"
    );
    assert_eq!(checkout[3], grosir);

    // agen adds PPN 11% at checkout: its prices are before tax.
    let base = format!("http://{}/s/agen", server.addr);
    let name = "qzxwvagen.co.id";
    let shown = search_and_add(&browser, &base, name);
    assert_eq!(shown, AGEN_NET);
    browser.goto(&format!("{base}/cart/"));
    let cart = quoted_cart(&browser, name);
    assert_eq!(
        cart,
        [AGEN_NET, AGEN_NET, AGEN_TAX, AGEN_GROSS],
        "line, net, PPN 11%, total"
    );
    sign_in(
        &browser,
        &format!("{base}/account/"),
        "customer@agen.localhost",
    );
    browser.goto(&format!("{base}/checkout/"));
    let checkout = quoted_checkout(&browser, name);
    assert_eq!(
        checkout,
        [AGEN_NET, AGEN_GROSS, AGEN_NET, AGEN_GROSS],
        "line net, line total, net, total"
    );
    assert_eq!(checkout[0], shown);
}

/// agen's `.co.id` for a year: toko's 252.000 to agen (240.000 + 5%), +10%
/// to 500; PPN 11% on top.
const AGEN_NET: &str = "IDR\u{a0}277,500";
const AGEN_TAX: &str = "IDR\u{a0}30,525";
const AGEN_GROSS: &str = "IDR\u{a0}308,025";

/// The text of the first element matching `selector` once it is there.
fn text_of(browser: &Browser, selector: &str) -> String {
    let v = browser.wait_for(
        &format!(
            "const e = document.querySelector({}); return e ? e.textContent.trim() : null;",
            serde_json::json!(selector)
        ),
        WAIT,
    );
    v.as_str().expect("text").to_string()
}

/// What the storefront's own pages say a `.co.id` costs: the featured
/// price on the home page and the price table's register column.
fn co_id_on_pages(browser: &Browser, base: &str) -> (String, String) {
    browser.goto(&format!("{base}/"));
    let home = browser.wait_for(
        "const a = [...document.querySelectorAll('.hero__quick li, .featured li, li')].find(l => l.textContent.includes('.co.id') && l.textContent.includes('Rp'));
         return a ? a.textContent.match(/Rp\\s?[0-9.]+/)[0] : null;",
        WAIT,
    );
    browser.goto(&format!("{base}/prices/"));
    let table = browser.wait_for(
        "const r = [...document.querySelectorAll('tr')].find(r => r.querySelector('.price-table__ext') && r.querySelector('.price-table__ext').textContent.trim() === '.co.id');
         return r ? r.querySelector('td .price').textContent : null;",
        WAIT,
    );
    (
        home.as_str().expect("home price").to_string(),
        table.as_str().expect("table price").to_string(),
    )
}

/// The owner raises `.co.id` in the back office: the preview shows the new
/// price and the margin as it is typed, the save is a draft the storefront
/// does not show yet, and once published the home page, the price table,
/// search and the checkout's quote all show it; rolling back restores the
/// old price everywhere.
#[test]
fn the_owner_raises_a_price_publishes_it_and_rolls_it_back() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();
    let base = format!("http://{}/s/toko", server.addr);
    let name = "qzxwvnaik.co.id";

    // A visitor is sent to sign in; a customer is refused.
    browser.goto(&format!("{base}/panel/prices"));
    assert_eq!(
        text_of(&browser, "#message"),
        "The back office is for the storefront's owner and admins. Sign in on the storefront's account page, then come back."
    );
    sign_in(
        &browser,
        &format!("{base}/account/"),
        "customer@toko.localhost",
    );
    browser.goto(&format!("{base}/panel/"));
    assert_eq!(
        text_of(&browser, "h1"),
        "This account cannot use the back office"
    );
    sign_out_via_account(&browser, &base);

    sign_in(
        &browser,
        &format!("{base}/account/"),
        "owner@toko.localhost",
    );
    assert_eq!(
        co_id_on_pages(&browser, &base),
        ("Rp\u{a0}288.000".into(), "Rp\u{a0}288.000".into())
    );
    browser.goto(&format!("{base}/panel/prices?group=default"));
    assert_eq!(
        text_of(&browser, "#preview tr[data-ext='co.id'] td .shown"),
        "Rp\u{a0}288.000"
    );
    // Typing a fixed price: the preview follows, priced by the server.
    browser.eval(
        "const i = document.querySelector('input[name=\"o.co.id.register\"]');
         i.value = '300000'; i.dispatchEvent(new Event('input', {bubbles: true})); return true;",
    );
    let live = browser.wait_for(
        "const c = document.querySelector('#preview tr[data-ext=\"co.id\"] td');
         return c && c.querySelector('.before') ? [c.querySelector('.shown').textContent, c.querySelector('.before').textContent, c.querySelector('.margin').textContent] : null;",
        WAIT,
    );
    // 300.000 with PPN 11% is 270.270 net; toko pays 240.000 for it.
    assert_eq!(
        live,
        serde_json::json!(["Rp\u{a0}300.000", "Rp\u{a0}288.000", "Rp\u{a0}30.270"])
    );
    browser.eval("document.querySelector('#save').click(); return true;");
    assert_eq!(
        text_of(&browser, "#notice"),
        "Saved as a draft. Publish it to put it live."
    );
    // A draft is not live.
    assert_eq!(search_price(&browser, &base, name), "Rp\u{a0}288.000");

    browser.goto(&format!("{base}/panel/publish"));
    browser.eval("document.querySelector('#publish').click(); return true;");
    assert_eq!(
        text_of(&browser, "#notice"),
        "Published. The storefront, its search and its checkout show the new content."
    );
    assert_eq!(
        co_id_on_pages(&browser, &base),
        ("Rp\u{a0}300.000".into(), "Rp\u{a0}300.000".into())
    );
    assert_eq!(search_and_add(&browser, &base, name), "Rp\u{a0}300.000");
    browser.goto(&format!("{base}/cart/"));
    assert_eq!(
        quoted_cart(&browser, name)[3],
        "Rp\u{a0}300.000",
        "the checkout's quote"
    );

    // Roll back to the revision the folder was imported as.
    browser.goto(&format!("{base}/panel/history"));
    let kinds = browser.wait_for(
        "return [...document.querySelectorAll('#history tbody tr')].map(r => r.children[2].textContent);",
        WAIT,
    );
    assert_eq!(
        kinds,
        serde_json::json!([
            "published",
            "saved a draft: customer prices, group default",
            "imported a folder"
        ])
    );
    browser.eval(
        "[...document.querySelectorAll('#history tbody tr')].pop().querySelector('.rollback').click(); return true;",
    );
    assert!(text_of(&browser, "#notice").starts_with("Rolled back: revision "));
    assert_eq!(
        co_id_on_pages(&browser, &base),
        ("Rp\u{a0}288.000".into(), "Rp\u{a0}288.000".into())
    );
    assert_eq!(search_price(&browser, &base, name), "Rp\u{a0}288.000");
    browser.goto(&format!("{base}/cart/"));
    assert_eq!(quoted_cart(&browser, name)[3], "Rp\u{a0}288.000");
}

fn sign_out_via_account(browser: &Browser, base: &str) {
    browser.goto(&format!("{base}/account/"));
    browser.wait_for(
        "const d = document.querySelector('#account-dashboard');
         return d && !d.hidden && d.hasAttribute('data-loaded');",
        WAIT,
    );
    sign_out(browser);
}

/// A customer orders by bank transfer; the owner, once the money is in its
/// bank, marks the order paid in the back office (its own wallet pays the
/// wholesale price), and the name goes active;
/// then it refunds the order with a reason, and its wallet gets back
/// exactly what it paid.
#[test]
fn a_bank_transfer_order_is_marked_paid_and_refunded_in_the_back_office() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();
    let base = format!("http://{}/s/toko", server.addr);
    let name = "zqxwvtoko.co.id";

    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "customer@toko.localhost",
    );
    let shown = search_and_add(&browser, &format!("{base}/en"), name);
    browser.goto(&format!("{base}/en/checkout/"));
    quoted_checkout(&browser, name);
    browser.eval(
        "document.querySelector('input[name=payment][value=bank_transfer]').checked = true;
         document.querySelector('#checkout-form').requestSubmit(); return true;",
    );
    let done = browser.wait_for(
        "const d = document.querySelector('[data-checkout-done]');
         return d && !d.hidden ? d.textContent : null;",
        WAIT,
    );
    assert!(
        done.as_str().expect("done").contains("Awaiting payment"),
        "{done}"
    );
    sign_out_via_account(&browser, &format!("{base}/en"));

    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "owner@toko.localhost",
    );
    browser.goto(&format!("{base}/panel/orders"));
    let row = text_of(&browser, "#orders tbody tr");
    assert!(
        row.contains(name)
            && row.contains("customer (customer@toko.localhost)")
            && row.ends_with("Awaiting payment"),
        "{row}"
    );
    browser.eval("document.querySelector('#orders tbody tr a').click(); return true;");
    let total = text_of(&browser, "#order-total");
    assert_eq!(total, shown, "the order's total is the price searched");

    // toko's own wallet (its demo opening balance) pays the platform's
    // price: 240,000 and PPN 11 %.
    browser.goto(&format!("{base}/panel/wallet"));
    let own_before = rupiah(&Value::String(text_of(&browser, "#balance-available")));
    browser.goto(&format!("{base}/panel/orders"));
    browser.eval("document.querySelector('#orders tbody tr a').click(); return true;");
    assert_eq!(text_of(&browser, "#order-state"), "Awaiting payment");
    browser.eval("document.querySelector('#mark-paid button').click(); return true;");
    assert_eq!(
        text_of(&browser, "#notice"),
        "Marked as paid: the order is being provisioned."
    );
    assert_eq!(text_of(&browser, "#order-state"), "Completed");
    let line = text_of(&browser, "#lines tbody tr");
    assert!(line.starts_with(name) && line.ends_with("Active"), "{line}");
    browser.goto(&format!("{base}/panel/wallet"));
    let paid = rupiah(&Value::String(text_of(&browser, "#balance-available")));
    assert_eq!(
        paid,
        own_before - 266_400,
        "the wholesale price was paid: {}",
        text_of(&browser, "#entries tbody")
    );

    // A refund asks why, then gives every level back what it paid.
    browser.goto(&format!("{base}/panel/orders"));
    browser.eval("document.querySelector('#orders tbody tr a').click(); return true;");
    assert_eq!(text_of(&browser, "#order-state"), "Completed");
    browser.eval(
        "const f = document.querySelector('#refund');
         f.querySelector('[name=reason]').value = 'Ordered the wrong name';
         f.querySelector('button').click(); return true;",
    );
    assert_eq!(
        text_of(&browser, "#notice"),
        "Refunded: every level got back what it paid."
    );
    assert_eq!(text_of(&browser, "#order-state"), "Refunded");
    browser.goto(&format!("{base}/panel/wallet"));
    let refunded = rupiah(&Value::String(text_of(&browser, "#balance-available")));
    assert_eq!(refunded, own_before);
    let entries = text_of(&browser, "#entries tbody");
    assert!(
        entries.contains("Refund") && entries.contains("Paid for an order"),
        "{entries}"
    );
}

/// A storefront that registers `.co.id` only once its registrant's
/// documents are approved (the acceptance test): the customer
/// orders by bank transfer, the owner marks it paid and the line waits for
/// documents; the customer sends the KTP as a PDF and picks the registrant
/// type on the account page; the owner rejects the KTP with a reason the
/// customer reads in Indonesian, the customer sends a new one, the owner
/// approves both, and the name goes active.
#[test]
fn a_co_id_order_waits_for_documents_one_is_rejected_resent_and_approved() {
    let p = storefront_e2e::project(None);
    let site = p.path().join("content/resellers/toko/site.toml");
    let mut toml = std::fs::read_to_string(&site).expect("site.toml");
    toml.push_str("\n[provisioning.extensions.\"co.id\"]\nauto = false\n");
    std::fs::write(&site, toml).expect("write site.toml");
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();
    let base = format!("http://{}/s/toko", server.addr);
    let name = "zqxwvtoko.co.id";
    let reason = "Foto KTP buram, mohon kirim hasil pindaian yang jelas.";

    // One document item on the account page once it is in `state`: its
    // head (label and state), then each fact as "what: value".
    let item = |id: &str, state: &str| -> Vec<String> {
        let v = browser.wait_for(
            &format!(
                "const li = document.querySelector('#account-dashboard[data-loaded] [data-documents] li[data-item={id}]');
                 if (!li || !li.querySelector('.record__head .state--{state}')) return null;
                 return [li.querySelector('.record__head').textContent,
                         ...[...li.querySelectorAll('.record__facts div')].map(d => d.children[0].textContent + ': ' + d.children[1].textContent)];"
            ),
            WAIT,
        );
        v.as_array()
            .expect("texts")
            .iter()
            .map(|t| t.as_str().expect("text").to_string())
            .collect()
    };
    // Send a PDF as the KTP from the account page.
    let send_ktp = |file: &str| {
        browser.eval(&format!(
            "const f = document.querySelector('[data-documents] li[data-item=ktp] form');
             const dt = new DataTransfer();
             dt.items.add(new File(['%PDF-1.4\\n1 0 obj << >> endobj\\ntrailer << >>\\n%%EOF\\n'], '{file}', {{type: 'application/pdf'}}));
             f.querySelector('input[type=file]').files = dt.files;
             f.requestSubmit(); return true;"
        ));
    };
    // On the back office's review page: approve an item, or reject it with a reason.
    let review = |id: &str, reject: Option<&str>| {
        let script = match reject {
            Some(why) => format!(
                "const f = document.querySelector('#item-{id} form.reject');
                 f.querySelector('input[name=reason]').value = {};
                 f.querySelector('button[name=decision][value=reject]').click(); return true;",
                serde_json::json!(why)
            ),
            None => {
                format!("document.querySelector('#item-{id} button.approve').click(); return true;")
            }
        };
        browser.eval(&script);
    };

    // The customer orders in Indonesian, to pay by bank transfer.
    sign_in(
        &browser,
        &format!("{base}/account/"),
        "customer@toko.localhost",
    );
    search_and_add(&browser, &base, name);
    browser.goto(&format!("{base}/checkout/"));
    quoted_checkout(&browser, name);
    // Before paying, the quote says what the documents are and when due.
    let terms = browser.wait_for(
        &format!(
            "const n = document.querySelector('[data-quote-table] [data-documents=\"{name}\"]');
             return n ? n.textContent : null;"
        ),
        WAIT,
    );
    assert_eq!(
        terms,
        "Dokumen diunggah dari halaman Akun Anda dalam 30 hari sejak pemesanan. Domain didaftarkan setelah dokumen disetujui; jika tidak, pesanan dibatalkan dan pembayaran Anda dikembalikan."
    );
    browser.eval(
        "document.querySelector('input[name=payment][value=bank_transfer]').checked = true;
         document.querySelector('#checkout-form').requestSubmit(); return true;",
    );
    let done = browser.wait_for(
        "const d = document.querySelector('[data-checkout-done]');
         return d && !d.hidden ? d.querySelector('.order-line').textContent : null;",
        WAIT,
    );
    assert!(
        done.as_str().expect("done").contains("Menunggu pembayaran"),
        "{done}"
    );
    sign_out_via_account(&browser, &base);

    // The money is in: the owner marks the order paid, and its line waits
    // for the documents.
    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "owner@toko.localhost",
    );
    browser.goto(&format!("{base}/panel/orders"));
    browser.eval("document.querySelector('#orders tbody tr a').click(); return true;");
    assert_eq!(text_of(&browser, "#order-state"), "Awaiting payment");
    browser.eval("document.querySelector('#mark-paid button').click(); return true;");
    assert_eq!(
        text_of(&browser, "#notice"),
        "Marked as paid: the order is being provisioned."
    );
    let line = text_of(&browser, "#lines tbody tr");
    assert!(
        line.starts_with(name) && line.ends_with("Awaiting documents"),
        "{line}"
    );
    browser.goto(&format!("{base}/panel/documents"));
    assert_eq!(
        text_of(&browser, "#empty"),
        "No documents wait for your review."
    );
    sign_out_via_account(&browser, &format!("{base}/en"));

    // The customer reads that documents are needed, and sends them.
    sign_in(
        &browser,
        &format!("{base}/account/"),
        "customer@toko.localhost",
    );
    assert_eq!(
        text_of(&browser, "[data-account-orders] .order-line__note"),
        "Kami memerlukan dokumen pendaftar sebelum domain ini dapat didaftarkan."
    );
    // Its domains open on the one list with something in it; another is
    // a click away, and empty.
    let tabs = "[data-account-domains] .filter-tabs";
    assert_eq!(
        text_of(&browser, &format!("{tabs} [aria-pressed=true]")),
        "Menunggu dokumen (1)"
    );
    assert_eq!(
        text_of(&browser, "[data-account-domains] .record__title"),
        name
    );
    browser.eval(&format!(
        "document.querySelector('{tabs} [data-status=active]').click(); return true;"
    ));
    assert_eq!(
        text_of(&browser, &format!("{tabs} [aria-pressed=true]")),
        "Aktif (0)"
    );
    assert_eq!(
        text_of(&browser, "[data-account-domains] .empty-note"),
        "Tidak ada domain di daftar ini."
    );
    assert_eq!(
        text_of(&browser, "[data-documents] h3"),
        format!("Dokumen untuk {name}")
    );
    assert_eq!(
        item("ktp", "missing"),
        ["Kartu Tanda Penduduk (KTP) Belum dikirim"]
    );
    assert_eq!(item("type", "missing"), ["Jenis pendaftar Belum dikirim"]);
    assert_eq!(
        text_of(&browser, "[data-documents] li[data-item=ktp] .field__hint"),
        "Format PDF, JPG, maksimal 2 MB."
    );
    // Too large a file is stopped before it is sent.
    browser.eval(
        "const f = document.querySelector('[data-documents] li[data-item=ktp] form');
         const dt = new DataTransfer();
         dt.items.add(new File([new Uint8Array(2048 * 1024 + 1)], 'besar.pdf', {type: 'application/pdf'}));
         f.querySelector('input[type=file]').files = dt.files;
         f.requestSubmit(); return true;",
    );
    assert_eq!(
        text_of(&browser, "[data-documents] li[data-item=ktp] .field__error"),
        "Berkas ini lebih besar dari 2 MB: pilih berkas yang lebih kecil."
    );
    // A file that is not what its name says is refused by the server,
    // next to its field, in the page's language.
    browser.eval(
        "const f = document.querySelector('[data-documents] li[data-item=ktp] form');
         const dt = new DataTransfer();
         dt.items.add(new File(['bukan PDF'], 'ktp.pdf', {type: 'application/pdf'}));
         f.querySelector('input[type=file]').files = dt.files;
         f.requestSubmit(); return true;",
    );
    browser.wait_for(
        "const e = document.querySelector('[data-documents] li[data-item=ktp] .field__error');
         return e && e.textContent.startsWith('Kartu');",
        WAIT,
    );
    assert_eq!(
        text_of(&browser, "[data-documents] li[data-item=ktp] .field__error"),
        "Kartu Tanda Penduduk (KTP): berkas ini bukan PDF, JPG, atau PNG yang valid. Simpan atau pindai ulang dokumen dalam salah satu format tersebut, lalu kirim berkas barunya."
    );
    send_ktp("ktp.pdf");
    let ktp = item("ktp", "submitted");
    assert_eq!(ktp[0], "Kartu Tanda Penduduk (KTP) Menunggu pemeriksaan");
    assert_eq!(ktp[1..3], ["Terkirim: ktp.pdf (1 kB)", "Versi: 1"]);
    assert_eq!(
        text_of(&browser, "[data-documents] li[data-item=ktp] [data-sent]"),
        "Terkirim. Kami akan segera memeriksanya."
    );
    browser.eval(
        "const f = document.querySelector('[data-documents] li[data-item=type] form');
         const s = f.querySelector('select');
         s.value = [...s.options].find(o => o.textContent === 'Perorangan').value;
         f.requestSubmit(); return true;",
    );
    let kind = item("type", "submitted");
    assert_eq!(
        kind[..3],
        [
            "Jenis pendaftar Menunggu pemeriksaan",
            "Terkirim: Perorangan",
            "Versi: 1"
        ]
    );
    sign_out(&browser);
    // .co.id's documents are the storefront's to review: nothing waits
    // for the platform (`storefront documents`, its side of reviews).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_storefront"))
        .arg("-C")
        .arg(p.path())
        .args(["documents", "list"])
        .output()
        .expect("run storefront");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "no documents wait for the platform's review\n"
    );

    // The owner rejects the KTP, saying why.
    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "owner@toko.localhost",
    );
    browser.goto(&format!("{base}/panel/documents"));
    let waiting = text_of(&browser, "#waiting tbody tr");
    assert!(
        waiting.starts_with(name) && waiting.ends_with('2'),
        "{waiting}"
    );
    browser.eval("document.querySelector('#waiting tbody tr a').click(); return true;");
    assert_eq!(
        text_of(&browser, "#item-ktp h2"),
        "Identity card (KTP) Waiting for review"
    );
    review("ktp", Some(reason));
    assert_eq!(
        text_of(&browser, "#notice"),
        "Rejected: the customer sees why and can send it again."
    );
    assert_eq!(
        text_of(&browser, "#item-ktp h2"),
        "Identity card (KTP) Rejected"
    );
    assert_eq!(text_of(&browser, "#line-state"), "Awaiting documents");
    sign_out_via_account(&browser, &format!("{base}/en"));

    // The customer reads why, in Indonesian, and sends a new KTP.
    sign_in(
        &browser,
        &format!("{base}/account/"),
        "customer@toko.localhost",
    );
    let ktp = item("ktp", "rejected");
    assert_eq!(ktp[0], "Kartu Tanda Penduduk (KTP) Ditolak");
    assert_eq!(ktp.last().expect("reason"), &format!("Alasan: {reason}"));
    assert_eq!(
        text_of(
            &browser,
            "[data-documents] li[data-item=ktp] button[type=submit]"
        ),
        "Kirim ulang"
    );
    // At a phone's width the documents and their forms fit the screen.
    browser.set_window_size(360, 800);
    let width = browser.wait_for(
        "return [document.documentElement.scrollWidth, window.innerWidth];",
        WAIT,
    );
    assert!(
        width[0].as_u64() <= width[1].as_u64(),
        "the account page scrolls sideways at 360 px: {width}"
    );
    browser.set_window_size(1200, 900);
    send_ktp("ktp-jelas.pdf");
    let ktp = item("ktp", "submitted");
    assert_eq!(
        ktp[..3],
        [
            "Kartu Tanda Penduduk (KTP) Menunggu pemeriksaan",
            "Terkirim: ktp-jelas.pdf (1 kB)",
            "Versi: 2"
        ]
    );
    assert!(
        !ktp.iter().any(|f| f.starts_with("Alasan")),
        "the new version is not rejected: {ktp:?}"
    );
    sign_out(&browser);

    // The owner approves the new KTP and the type: the name is registered.
    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "owner@toko.localhost",
    );
    browser.goto(&format!("{base}/panel/documents"));
    browser.eval("document.querySelector('#waiting tbody tr a').click(); return true;");
    let sent = text_of(&browser, "#item-ktp .sent");
    assert_eq!(
        sent.split_whitespace().collect::<Vec<_>>().join(" "),
        "Version 2: ktp-jelas.pdf"
    );
    review("ktp", None);
    assert_eq!(
        text_of(&browser, "#notice"),
        "Approved. Once every item is approved, the name goes to the registry."
    );
    assert_eq!(
        text_of(&browser, "#item-ktp h2"),
        "Identity card (KTP) Approved"
    );
    assert_eq!(text_of(&browser, "#line-state"), "Awaiting documents");
    review("type", None);
    browser.wait_for(
        "const h = document.querySelector('#item-type h2'); return h && h.textContent.trim() === 'Registrant type Approved';",
        WAIT,
    );
    assert_eq!(text_of(&browser, "#line-state"), "Active");
    sign_out_via_account(&browser, &format!("{base}/en"));

    // The customer's domain is active; every document is approved.
    sign_in(
        &browser,
        &format!("{base}/account/"),
        "customer@toko.localhost",
    );
    assert_eq!(
        text_of(
            &browser,
            &format!("[data-account-domains] .record[data-domain='{name}'] .record__head")
        ),
        format!("{name} Aktif")
    );
    assert_eq!(
        item("ktp", "approved")[..3],
        [
            "Kartu Tanda Penduduk (KTP) Disetujui",
            "Terkirim: ktp-jelas.pdf (1 kB)",
            "Versi: 2"
        ]
    );
    assert_eq!(
        text_of(&browser, "[data-documents] .field__hint"),
        "Semua dokumen sudah disetujui."
    );
    assert_eq!(
        browser.eval("return document.querySelectorAll('[data-documents] form').length;"),
        serde_json::json!(0),
        "nothing approved is sent again"
    );
    assert_eq!(
        browser.eval("return document.querySelector('[data-account-orders] .order-line__note');"),
        Value::Null
    );
}

/// The owner creates a customer in the back office; the customer gets the
/// invitation mail, sets a password through its link, signs in and sees
/// the client area, where it agrees to the newsletter, which the owner's
/// list then shows.
#[test]
fn the_owner_creates_a_customer_who_sets_a_password_from_the_invitation_and_signs_in() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();
    let base = format!("http://{}/s/toko", server.addr);

    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "owner@toko.localhost",
    );
    browser.goto(&format!("{base}/panel/customers"));
    browser.wait_for("return !!document.querySelector('#new-customer');", WAIT);
    browser.eval(
        "const f = document.querySelector('#new-customer');
         f.querySelector('[name=name]').value = 'Sari Dewi';
         f.querySelector('[name=email]').value = 'sari@example.co.id';
         f.querySelector('[name=language]').value = 'en';
         f.submit(); return true;",
    );
    assert_eq!(
        text_of(&browser, "#notice"),
        "Customer created: the invitation is on its way."
    );
    assert_eq!(text_of(&browser, "#profile-status"), "Invited");
    sign_out_via_account(&browser, &format!("{base}/en"));

    // The invitation: the last mail, to the new customer, in English.
    let link = verification_link(&p.path().join(".storefront/outbox"));
    assert!(link.contains("/s/toko/account/?reset="), "{link}");
    browser.goto(&link);
    browser.wait_for(
        "const r = document.querySelector('#account-reset'); return r && !r.hidden;",
        WAIT,
    );
    browser.eval(
        "const f = document.querySelector('form[data-account-form=\"password/reset\"]');
         f.querySelector('[name=password]').value = 'teh-manis-2026';
         f.requestSubmit(); return true;",
    );
    browser.wait_for(
        "const r = document.querySelector('#account-reset'); return r && r.hidden;",
        WAIT,
    );
    browser.eval(
        "const f = document.querySelector('form[data-account-form=signin]');
         f.querySelector('[name=email]').value = 'sari@example.co.id';
         f.querySelector('[name=password]').value = 'teh-manis-2026';
         f.requestSubmit(); return true;",
    );
    browser.wait_for(
        "const d = document.querySelector('#account-dashboard');
         return d && !d.hidden && d.hasAttribute('data-loaded');",
        WAIT,
    );
    let me = text_of(&browser, "#account-me [data-me-name]");
    assert_eq!(me, "Sari Dewi");
    assert!(
        browser
            .eval("return document.querySelector('[data-me-unverified]').hidden")
            .as_bool()
            .expect("bool"),
        "the link proved the address"
    );
    // The newsletter, ticked on the account page.
    browser.eval(
        "const f = document.querySelector('#newsletter-form');
         f.querySelector('[name=newsletter]').checked = true;
         f.requestSubmit(); return true;",
    );
    let saved = browser.wait_for(
        "const s = document.querySelector('#newsletter-form [data-form-status]');
         return s && s.textContent ? s.textContent : null;",
        WAIT,
    );
    // The link opens the account page in the storefront's first language.
    assert_eq!(saved.as_str(), Some("Disimpan."));
    sign_out(&browser);

    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "owner@toko.localhost",
    );
    browser.goto(&format!("{base}/panel/customers?q=sari&by=email"));
    let row = text_of(&browser, "#customers tbody tr");
    let row = row.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        row.starts_with("Sari Dewi (sari@example.co.id) Yes Active"),
        "{row}"
    );
}

/// The owner creates a sub-reseller in the back office: its storefront
/// answers at once on its own host, and its owner, invited by mail, sets a
/// password and opens its own back office.
#[test]
fn the_owner_creates_a_sub_reseller_whose_storefront_answers_on_its_subdomain() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();
    let base = format!("http://{}/s/toko", server.addr);
    let port = server.addr.rsplit(':').next().expect("a port");

    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "owner@toko.localhost",
    );
    browser.goto(&format!("{base}/panel/subresellers"));
    browser.wait_for("return !!document.querySelector('#create');", WAIT);
    browser.eval("document.querySelector('#create').click(); return true;");
    browser.wait_for("return !!document.querySelector('#new-subreseller');", WAIT);
    browser.eval(
        "const f = document.querySelector('#new-subreseller');
         f.querySelector('[name=id]').value = 'anak';
         f.querySelector('[name=name]').value = 'Anak Domain';
         f.querySelector('[name=language]').value = 'en';
         f.querySelector('[name=plan]').value = 'agen';
         f.querySelector('[name=owner_name]').value = 'Budi';
         f.querySelector('[name=owner_email]').value = 'budi@anak.example';
         f.submit(); return true;",
    );
    browser.wait_for("return !!document.querySelector('#notice');", WAIT);
    assert_eq!(
        text_of(&browser, "#notice"),
        "Sub-reseller anak created: its storefront is live and its owner was mailed an invitation."
    );
    let row = text_of(&browser, "#sub-anak");
    let row = row.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        row.starts_with("Anak Domain anak anak.localhost agen"),
        "{row}"
    );
    sign_out_via_account(&browser, &format!("{base}/en"));

    // Its own host, on this machine: `<id>.localhost`.
    browser.goto(&format!("http://anak.localhost:{port}/"));
    browser.wait_for("return document.title.includes('Anak Domain');", WAIT);

    // The invitation: the last mail, with a link to anak's own account page.
    let link = verification_link(&p.path().join(".storefront/outbox"));
    assert!(link.contains("/s/anak/account/?reset="), "{link}");
    browser.goto(&link);
    browser.wait_for(
        "const r = document.querySelector('#account-reset'); return r && !r.hidden;",
        WAIT,
    );
    browser.eval(
        "const f = document.querySelector('form[data-account-form=\"password/reset\"]');
         f.querySelector('[name=password]').value = 'kopi-tubruk-2026';
         f.requestSubmit(); return true;",
    );
    browser.wait_for(
        "const r = document.querySelector('#account-reset'); return r && r.hidden;",
        WAIT,
    );
    browser.eval(
        "const f = document.querySelector('form[data-account-form=signin]');
         f.querySelector('[name=email]').value = 'budi@anak.example';
         f.querySelector('[name=password]').value = 'kopi-tubruk-2026';
         f.requestSubmit(); return true;",
    );
    browser.wait_for(
        "const d = document.querySelector('#account-dashboard');
         return d && !d.hidden && d.hasAttribute('data-loaded');",
        WAIT,
    );
    let anak = link[..link.find("/account/").expect("account page")].to_string();
    browser.goto(&format!("{anak}/panel/"));
    browser.wait_for("return !!document.querySelector('.who');", WAIT);
    assert_eq!(
        text_of(&browser, ".brand"),
        "Anak Domain Back office",
        "its own back office"
    );
}

/// The owner invites a finance member in the back office: the invitation
/// sets a password; finance opens the money pages and reports, is told
/// what its role is for on a content page, and once revoked is signed out.
#[test]
fn the_owner_invites_finance_who_runs_the_money_but_not_the_content() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();
    let base = format!("http://{}/s/toko", server.addr);

    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "owner@toko.localhost",
    );
    browser.goto(&format!("{base}/panel/staff"));
    browser.wait_for("return !!document.querySelector('#invite');", WAIT);
    browser.eval(
        "const f = document.querySelector('#invite');
         f.querySelector('[name=email]').value = 'keuangan@toko.example';
         f.querySelector('[name=role]').value = 'finance';
         f.submit(); return true;",
    );
    assert_eq!(
        text_of(&browser, "#notice"),
        "Invitation sent: the link in it lets them set a password."
    );
    let row = text_of(&browser, "#staff tr[data-email='keuangan@toko.example'] td");
    assert_eq!(row, "keuangan@toko.example (invited, no password yet)");
    sign_out_via_account(&browser, &format!("{base}/en"));

    // The invitation sets a password; finance signs in.
    let link = verification_link(&p.path().join(".storefront/outbox"));
    assert!(link.contains("/s/toko/account/?reset="), "{link}");
    browser.goto(&link);
    browser.wait_for(
        "const r = document.querySelector('#account-reset'); return r && !r.hidden;",
        WAIT,
    );
    browser.eval(
        "const f = document.querySelector('form[data-account-form=\"password/reset\"]');
         f.querySelector('[name=password]').value = 'kopi-tubruk-2026';
         f.requestSubmit(); return true;",
    );
    browser.wait_for(
        "const r = document.querySelector('#account-reset'); return r && r.hidden;",
        WAIT,
    );
    browser.eval(
        "const f = document.querySelector('form[data-account-form=signin]');
         f.querySelector('[name=email]').value = 'keuangan@toko.example';
         f.querySelector('[name=password]').value = 'kopi-tubruk-2026';
         f.requestSubmit(); return true;",
    );
    browser.wait_for(
        "const d = document.querySelector('#account-dashboard');
         return d && !d.hidden && d.hasAttribute('data-loaded');",
        WAIT,
    );

    // The money pages and reports open; the prices say what finance is for.
    browser.goto(&format!("{base}/panel/wallet"));
    assert_eq!(text_of(&browser, "main h1"), "Your wallet");
    browser.goto(&format!("{base}/panel/reports"));
    assert_eq!(text_of(&browser, "main h1"), "Reports");
    // The form's download, as the browser fetches it with finance's session.
    let got = browser.eval(
        "const f = document.querySelector('form[action$=\"reports/download\"]');
         const q = new URLSearchParams(new FormData(f)).toString();
         const x = new XMLHttpRequest();
         x.open('GET', `${f.action}?${q}`, false);
         x.send();
         return [x.status, x.getResponseHeader('content-type'), x.getResponseHeader('content-disposition'), x.responseText.slice(0, 2)];",
    );
    assert_eq!(got[0], 200, "{got}");
    assert_eq!(
        got[1],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        got[2]
            .as_str()
            .is_some_and(|d| d.starts_with("attachment; filename=\"toko-transactions-")),
        "{got}"
    );
    assert_eq!(got[3], "PK", "an .xlsx is a zip");
    browser.goto(&format!("{base}/panel/prices"));
    assert_eq!(
        text_of(&browser, "main h1"),
        "Your role cannot open this page"
    );
    assert_eq!(
        text_of(&browser, "#message"),
        "Finance works with the wallet, top-ups, invoices and reports: ask the storefront's owner for another role."
    );
    browser.goto(&format!("{base}/panel/staff"));
    assert_eq!(
        text_of(&browser, "main h1"),
        "Your role cannot open this page"
    );

    // The owner revokes finance: off the staff list.
    sign_out_via_account(&browser, &format!("{base}/en"));
    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "owner@toko.localhost",
    );
    browser.goto(&format!("{base}/panel/staff"));
    browser.wait_for("return !!document.querySelector('#staff');", WAIT);
    browser.eval(
        "const row = document.querySelector(\"#staff tr[data-email='keuangan@toko.example']\");
         row.querySelector('form[id^=revoke-]').submit(); return true;",
    );
    assert_eq!(
        text_of(&browser, "#notice"),
        "Revoked: they are signed out and cannot sign in again."
    );
    assert_eq!(
        browser
            .eval("return document.querySelectorAll(\"#staff tr[data-email='keuangan@toko.example']\").length;")
            .as_i64(),
        Some(0)
    );
}

/// A customer with 450 orders sees the latest 50 on the account page and
/// the older ones, 50 at a time, on request, each once, newest first.
#[test]
fn a_customer_with_450_orders_pages_through_them_on_the_account_page() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();
    let base = format!("http://{}/s/toko", server.addr);
    sign_in(
        &browser,
        &format!("{base}/en/account/"),
        "customer@toko.localhost",
    );

    // 450 orders by bank transfer, placed from the page's own session, 50
    // a script (names the sandbox registry holds are skipped).
    let mut placed: Vec<String> = Vec::new();
    let mut next = 0;
    while placed.len() < 450 {
        let batch = browser.eval(&format!(
            "const api = document.querySelector('[data-account-orders]').closest('[data-api]').dataset.api;
             const post = (path, body, key) => {{
               const x = new XMLHttpRequest();
               x.open('POST', `${{api}}/${{path}}`, false);
               x.setRequestHeader('Content-Type', 'application/json');
               x.setRequestHeader('Accept', 'application/json');
               if (key) x.setRequestHeader('Idempotency-Key', key);
               x.send(JSON.stringify(body));
               return [x.status, x.responseText ? JSON.parse(x.responseText) : null];
             }};
             const ids = [];
             let i = {next};
             while (ids.length < {want}) {{
               i += 1;
               const [s, q] = post('orders/quote', {{ items: [{{ domain: `halaman-ke-${{i}}.co.id`, action: 'register', years: 1 }}] }});
               if (s !== 200) continue;
               const [s2, o] = post('orders', {{ quote: q.id, payment: 'bank_transfer' }}, `page-${{i}}`);
               if (s2 !== 201) return {{ failed: s2, body: o }};
               ids.push(o.id);
             }}
             return {{ ids, last: i }};",
            want = (450 - placed.len()).min(50),
        ));
        let ids = batch["ids"]
            .as_array()
            .unwrap_or_else(|| panic!("orders placed: {batch}"));
        placed.extend(ids.iter().map(|v| v.as_str().expect("an id").to_string()));
        next = batch["last"].as_i64().expect("the last name tried");
    }
    placed.sort();
    placed.reverse();

    browser.goto(&format!("{base}/en/account/"));
    browser.wait_for(
        "return document.querySelectorAll('#account-orders li.record').length === 50;",
        WAIT,
    );
    for shown in (100..=450).step_by(50) {
        browser.eval(
            "[...document.querySelectorAll('#account-orders button')]
               .find((b) => b.textContent === 'Older orders').click(); return true;",
        );
        browser.wait_for(
            &format!(
                "return document.querySelectorAll('#account-orders li.record').length === {shown};"
            ),
            WAIT,
        );
    }
    let listed = browser.eval(
        "return [...document.querySelectorAll('#account-orders li.record')].map((r) => r.dataset.order);",
    );
    let listed: Vec<String> = serde_json::from_value(listed).expect("ids");
    assert_eq!(listed, placed, "every order once, newest first");
    assert_eq!(
        browser.eval(
            "return [...document.querySelectorAll('#account-orders button')]
               .find((b) => b.textContent === 'Older orders').hidden;"
        ),
        serde_json::json!(true),
        "no older orders after the last page"
    );
}

#[test]
fn a_suspended_storefronts_search_shows_its_notice_and_offers_nothing_to_order() {
    let p = storefront_e2e::project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    // The platform suspends toko, as its console does, in the store of the
    // running `serve`.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let path = p.path().join(".storefront/store.db");
        let store =
            storefront_functions::store::embedded::EmbeddedStore::open(&path).expect("store");
        storefront_functions::suspension::suspend(
            &store,
            "toko",
            "unpaid platform invoices",
            "ops@platform.example",
            chrono::Utc::now(),
        )
        .await
        .expect("suspended");
    });
    let browser = Browser::start();
    browser.goto(&format!(
        "http://{}/s/toko/en/search/?q=zqxwvtoko.co.id",
        server.addr
    ));
    let shown = browser.wait_for(
        "const r = document.querySelector('#results .result');
         const s = r && r.querySelector('.status');
         const note = document.querySelector('#results .results__message--info');
         if (!s || s.classList.contains('status--checking') || !note || note.hidden) return null;
         return [note.textContent, s.className, r.querySelector('.result__price .price').textContent,
                 document.querySelectorAll('#results .result__action button').length];",
        WAIT,
    );
    assert_eq!(
        shown,
        serde_json::json!([
            "This shop is not taking new orders at the moment.",
            "status status--available",
            "IDR\u{a0}288,000",
            0
        ])
    );
    assert_eq!(
        browser.eval("return document.querySelector('#results').textContent.toLowerCase().includes('suspend');"),
        serde_json::json!(false)
    );
}

/// From nothing to a sale (the onboarding issue's acceptance test): on the
/// platform's own storefront (toko here) a visitor registers as a company
/// with its documents, confirms the address from the mail and picks a
/// plan; an operator approves the documents and the deposit in the
/// console, and the shop opens; its owner signs in, sets its colours and a
/// price, publishes; a customer of the new shop buys a `.com` by bank
/// transfer, the owner marks it paid, and each level's money moves: the
/// new shop's wallet pays the platform exactly the plan's price and tax.
#[test]
fn a_reseller_registers_is_approved_sets_up_its_shop_and_sells_a_name() {
    let p = storefront_e2e::project(None);
    storefront_e2e::as_platform(p.path(), "toko");
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let browser = Browser::start();
    let port = server.addr.rsplit(':').next().expect("a port").to_string();
    let toko = format!("http://{}/s/toko", server.addr);
    let outbox = p.path().join(".storefront/outbox");

    // A visitor applies on the platform's storefront.
    browser.goto(&format!("{toko}/panel/join?lang=en"));
    browser.wait_for("return !!document.querySelector('#join');", WAIT);
    assert_eq!(
        text_of(&browser, ".deposit[data-plan='idr']"),
        "IDR\u{a0}2,000,000"
    );
    browser.eval(
        "const f = document.querySelector('#join');
         f.querySelector('[name=kind][value=company]').checked = true;
         f.querySelector('[name=name]').value = 'Budi Santoso';
         f.querySelector('[name=email]').value = 'budi@tokobaru.example';
         f.querySelector('[name=mobile]').value = '0812-3456-7890';
         f.querySelector('[name=password]').value = 'tokobaru-secret-2026';
         f.querySelector('[name=language]').value = 'en';
         f.querySelector('[name=id]').value = 'tokobaru';
         f.querySelector('[name=company_name]').value = 'PT Toko Baru';
         f.querySelector('[name=npwp]').value = '01.312.166.0-091.000';
         f.querySelector('[name=plan][value=idr]').checked = true;
         f.submit(); return true;",
    );
    browser.wait_for("return !!document.querySelector('#state');", WAIT);
    assert_eq!(text_of(&browser, "#amount"), "IDR\u{a0}2,000,000");
    assert!(text_of(&browser, "#reference").starts_with("REG-"));

    // The confirmation mail's link, then back to the application.
    let link = verification_link(&outbox);
    assert!(link.contains("verify="), "{link}");
    browser.goto(&link);
    browser.wait_for(
        "const n = document.querySelector('[data-account-notice]'); return n && !n.hidden ? n.textContent : null;",
        WAIT,
    );
    browser.goto(&format!("{toko}/panel/join/status?lang=en"));
    browser.wait_for("return !!document.querySelector('#state');", WAIT);
    assert!(
        browser
            .eval("return document.querySelector('[data-verified]').dataset.verified;")
            .as_str()
            == Some("true"),
        "the address is confirmed"
    );

    // The documents, as files picked in the browser.
    for item in ["ktp", "npwp"] {
        browser.eval(&format!(
            "const row = document.querySelector('#documents tr[data-item={item}]');
             const f = row.querySelector('form');
             const dt = new DataTransfer();
             dt.items.add(new File(['%PDF-1.4\\n1 0 obj << >> endobj\\ntrailer << >>\\n%%EOF\\n'], '{item}.pdf', {{type: 'application/pdf'}}));
             f.querySelector('[name=file]').files = dt.files;
             f.submit(); return true;"
        ));
        browser.wait_for(
            &format!(
                "const r = document.querySelector('#documents tr[data-item={item}]');
                 return r && r.dataset.state !== 'missing' && r.dataset.state !== 'empty' ? r.dataset.state : null;"
            ),
            WAIT,
        );
    }

    // The operator: toko's owner, in the console.
    sign_out_via_account(&browser, &format!("{toko}/en"));
    sign_in(
        &browser,
        &format!("{toko}/en/account/"),
        "owner@toko.localhost",
    );
    browser.goto(&format!("{toko}/panel/platform/?lang=en"));
    assert_eq!(text_of(&browser, "#applications-waiting"), "1");
    browser.goto(&format!("{toko}/panel/platform/resellers?lang=en"));
    browser.eval("document.querySelector('#pending a').click(); return true;");
    browser.wait_for("return !!document.querySelector('#decide');", WAIT);
    for _ in 0..2 {
        browser.eval(
            "document.querySelector('#documents button[name=decision][value=approve]').click(); return true;",
        );
        browser.wait_for("return !!document.querySelector('#decide');", WAIT);
    }
    browser.eval(
        "const f = document.querySelector('#deposit form');
         f.querySelector('[name=amount]').value = '2000000';
         f.querySelector('[name=reference]').value = 'BCA 071226 TOKO BARU';
         f.submit(); return true;",
    );
    browser.wait_for("return !!document.querySelector('#received');", WAIT);
    browser.eval("document.querySelector('#decide form').submit(); return true;");
    browser.wait_for(
        "const s = document.querySelector('#state'); return s && s.dataset.state === 'approved';",
        WAIT,
    );
    sign_out_via_account(&browser, &format!("{toko}/en"));

    // The new shop answers on its own host; its owner signs in with the
    // password chosen when applying.
    let shop = format!("http://tokobaru.localhost:{port}");
    browser.goto(&format!("{shop}/"));
    browser.wait_for("return document.title.includes('PT Toko Baru');", WAIT);
    sign_in_as(
        &browser,
        &format!("{shop}/account/"),
        "budi@tokobaru.example",
        "tokobaru-secret-2026",
    );
    browser.goto(&format!("{shop}/panel/wallet"));
    assert_eq!(
        text_of(&browser, "#balance-available"),
        "IDR\u{a0}2,000,000"
    );

    // The setup checklist says what is left; the owner does it.
    browser.goto(&format!("{shop}/panel/"));
    assert_eq!(text_of(&browser, "#setup-progress"), "0 of 4 done");
    browser.goto(&format!("{shop}/panel/seller"));
    browser.eval(
        "const f = document.querySelector('#seller');
         f.querySelector('[name=account_0_id]').value = 'bca';
         f.querySelector('[name=account_0_bank]').value = 'BCA, KCP Kemang';
         f.querySelector('[name=account_0_holder]').value = 'PT Toko Baru';
         f.querySelector('[name=account_0_number]').value = '731 025 8890';
         f.querySelector('#save').click(); return true;",
    );
    browser.wait_for("return !!document.querySelector('#notice');", WAIT);
    // Its colours and a price of its own, published.
    browser.goto(&format!("{shop}/panel/brand"));
    browser.eval(
        "document.querySelector('#colour_primary').value = '#0f766e';
         document.querySelector('#save').click(); return true;",
    );
    browser.wait_for("return !!document.querySelector('#notice');", WAIT);
    browser.goto(&format!("{shop}/panel/prices?group=default"));
    browser.eval(
        "const i = document.querySelector('input[name=\"o.com.register\"]');
         i.value = '250000'; i.dispatchEvent(new Event('input', {bubbles: true}));
         document.querySelector('#save').click(); return true;",
    );
    assert_eq!(
        text_of(&browser, "#notice"),
        "Saved as a draft. Publish it to put it live."
    );
    browser.goto(&format!("{shop}/panel/publish"));
    browser.eval("document.querySelector('#publish').click(); return true;");
    assert_eq!(
        text_of(&browser, "#notice"),
        "Published. The storefront, its search and its checkout show the new content."
    );
    browser.goto(&format!("{shop}/panel/"));
    assert_eq!(
        text_of(&browser, "#setup-progress"),
        "3 of 4 done",
        "all but the own domain, which no edge address is set for here"
    );
    let css = browser.eval(
        "return getComputedStyle(document.documentElement).getPropertyValue('--colour-primary') || document.documentElement.outerHTML.includes('#0f766e');",
    );
    sign_out_via_account(&browser, &shop);
    browser.goto(&format!("{shop}/"));
    let styled = browser.eval("return document.documentElement.outerHTML.includes('0f766e') || [...document.styleSheets].some(s => { try { return [...s.cssRules].some(r => r.cssText.includes('15, 118, 110') || r.cssText.includes('0f766e')); } catch (e) { return false; } });");
    assert_eq!(styled, Value::Bool(true), "the new colour is live ({css})");

    // A customer signs up on the new shop, buys a .com by bank transfer.
    browser.goto(&format!("{shop}/account/"));
    browser.wait_for("return document.querySelector('#account-signup') && !document.querySelector('#account-signup').hidden", WAIT);
    browser.eval(
        "const f = document.querySelector('form[data-account-form=signup]');
         f.querySelector('[name=name]').value = 'Sari';
         f.querySelector('[name=email]').value = 'sari@pembeli.example';
         f.querySelector('[name=password]').value = 'sari-beli-domain-2026';
         f.requestSubmit(); return true;",
    );
    browser.wait_for("const n = document.querySelector('[data-account-notice]'); return n && !n.hidden ? n.textContent : null;", WAIT);
    let link = verification_link(&outbox);
    assert!(
        link.contains("tokobaru") && link.contains("verify="),
        "{link}"
    );
    browser.goto(&link);
    browser.wait_for("const n = document.querySelector('[data-account-notice]'); return n && !n.hidden ? n.textContent : null;", WAIT);
    browser.eval(
        "const f = document.querySelector('form[data-account-form=signin]');
         f.querySelector('[name=email]').value = 'sari@pembeli.example';
         f.querySelector('[name=password]').value = 'sari-beli-domain-2026';
         f.requestSubmit(); return true;",
    );
    browser.wait_for(
        "const d = document.querySelector('#account-dashboard');
         return d && !d.hidden && d.hasAttribute('data-loaded');",
        WAIT,
    );
    // The sandbox registry holds about a quarter of names: the first of
    // these it does not.
    let name = [
        "kopisaribaru.com",
        "warungsaribaru.com",
        "tokosaribaru.com",
        "sarikopibaru.com",
        "barusarikopi.com",
    ]
    .into_iter()
    .find(|n| {
        browser.goto(&format!("{shop}/search/?q={n}"));
        browser
            .wait_for(
                &format!(
                    "const r = document.querySelector('#results .result[data-domain=\"{n}\"]');
                 const s = r && r.querySelector('.status:not(.status--checking)');
                 return s ? s.className : null;"
                ),
                WAIT,
            )
            .as_str()
            .is_some_and(|c| c.contains("status--available"))
    })
    .expect("one of them is free");
    let shown = search_and_add(&browser, &shop, name);
    assert_eq!(shown, "IDR\u{a0}250,000", "the price the owner set");
    browser.goto(&format!("{shop}/checkout/"));
    quoted_checkout(&browser, name);
    browser.eval(
        "document.querySelector('input[name=payment][value=bank_transfer]').checked = true;
         document.querySelector('#checkout-form').requestSubmit(); return true;",
    );
    browser.wait_for(
        "const d = document.querySelector('[data-checkout-done]');
         return d && !d.hidden ? d.textContent : null;",
        WAIT,
    );
    sign_out_via_account(&browser, &shop);

    // The new shop's owner marks it paid: its wallet pays the platform.
    sign_in_as(
        &browser,
        &format!("{shop}/account/"),
        "budi@tokobaru.example",
        "tokobaru-secret-2026",
    );
    browser.goto(&format!("{shop}/panel/orders"));
    browser.eval("document.querySelector('#orders tbody tr a').click(); return true;");
    assert_eq!(text_of(&browser, "#order-total"), shown);
    browser.eval("document.querySelector('#mark-paid button').click(); return true;");
    assert_eq!(
        text_of(&browser, "#notice"),
        "Marked as paid: the order is being provisioned."
    );
    assert_eq!(text_of(&browser, "#order-state"), "Completed");
    browser.goto(&format!("{shop}/panel/wallet"));
    let entries = text_of(&browser, "#entries tbody");
    // The platform's plan sells a .com to tokobaru at IDR 152,000 and PPN
    // 11%: 168,720, from its wallet; the customer paid its 250,000 by
    // transfer into tokobaru's bank.
    assert!(
        entries.contains("Paid for an order: order ") && entries.contains("168,720"),
        "{entries}"
    );
    assert_eq!(
        text_of(&browser, "#balance-available"),
        "IDR\u{a0}1,831,280",
        "2,000,000 less 168,720: {entries}"
    );
}
