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
        text.contains("zqxwvtoko.co.id") && text.contains("Rp\u{a0}319.680"),
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
        text.as_str().expect("text").contains("IDR\u{a0}319,680"),
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
