//! A sub-reseller created in the back office of a running `storefront
//! serve` answers at once on its own host, `<id>.localhost`: no restart,
//! no rebuild by hand.

use std::io::{Read, Write};
use storefront_e2e::project;

const DEMO_PASSWORD: &str = "demo-storefront-2026";

/// One HTTP/1.1 request with the headers a browser would send for it:
/// status, lowercased head, body.
fn send(
    addr: &str,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .expect("timeout");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_string())
}

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn a_sub_reseller_created_in_the_panel_answers_on_its_host_at_once() {
    let p = project(None);
    let server = storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), p.path(), false);
    let a = server.addr.as_str();
    // An unknown host gets the list of storefronts, without it.
    let (_, _, before) = send(a, "GET", "anak.localhost", "/", &[], "");
    assert!(!before.contains("Anak Domain"), "nothing there yet");

    let origin = "http://toko.localhost";
    let body = format!(r#"{{"email":"owner@toko.localhost","password":"{DEMO_PASSWORD}"}}"#);
    let (status, head, answer) = send(
        a,
        "POST",
        "toko.localhost",
        "/api/accounts/signin",
        &[("Origin", origin), ("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(status, 200, "{answer}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();

    let created = form(&[
        ("id", "anak"),
        ("name", "Anak Domain"),
        ("language", "id"),
        ("plan", "agen"),
        ("owner_name", "Budi"),
        ("owner_email", "budi@anak.example"),
    ]);
    let (status, head, page) = send(
        a,
        "POST",
        "toko.localhost",
        "/panel/subresellers/new",
        &[
            ("Origin", origin),
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        &created,
    );
    assert_eq!(status, 303, "{page}");
    assert!(
        head.contains("location: /panel/subresellers?done=created&id=anak"),
        "{head}"
    );

    // Its pages and its API, on its own host, from the same server.
    let (status, _, home) = send(a, "GET", "anak.localhost", "/", &[], "");
    assert_eq!(status, 200, "{home}");
    assert!(
        home.contains("Anak Domain") && home.contains("<html lang=\"id\""),
        "{home}"
    );
    let (status, _, prices) = send(a, "GET", "anak.localhost", "/prices/", &[], "");
    assert_eq!(status, 200);
    assert!(prices.contains(".com"), "{prices}");
    let quote = r#"{"items":[{"domain":"kebun-anak.com","action":"register","years":1}]}"#;
    let (status, _, answer) = send(
        a,
        "POST",
        "anak.localhost",
        "/api/orders/quote",
        &[
            ("Origin", "http://anak.localhost"),
            ("Content-Type", "application/json"),
        ],
        quote,
    );
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains(r#""gross":{"amount":"200000""#), "{answer}");
}
