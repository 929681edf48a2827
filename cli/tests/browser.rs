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
