//! One price, end to end. Over 40 storefront configurations made from a
//! seed (IDR, PLN, EUR, USD; tax 0, 11, 12, 23 % shown inclusive and
//! exclusive, half-even or half-up; markups in percent and fixed,
//! `round_to`, `ending`, per-extension overrides at the seller and between
//! levels; promotions running on the build day, and others that ended or
//! are yet to start; chains of 1 to 3 resellers; orders of 1 to 3 years),
//! each written as a real content folder and built with the generator as
//! `storefront build` does (check, render, publish the priced catalogues),
//! a price must be the same to the minor unit wherever it appears:
//!
//! - for every extension the storefront sells, in every language: on its
//!   extension page (every period, register and renew, as printed), in
//!   the price tables, in `prices.json`, and in the search answer
//!   (`GET /api/search`, to a visitor and to the signed-in customer);
//! - for the one or two names ordered: in the quote and the order
//!   (`POST /api/orders/quote`, `POST /api/orders` paid from a funded
//!   wallet and provisioned), on the tax invoice (the stored document,
//!   `GET /api/invoices`, the invoice as HTML), and in a renewal quote;
//!
//! the amount compared being the one the storefront shows: the gross where
//! it shows prices with tax, the net where it shows them without. What the
//! customer's wallet was debited must be the invoice's total. Every
//! disagreement is collected and reported with the configuration (seed,
//! index, currency, tax, display, languages, chain and rules) behind it.
//!
//! `ONE_PRICE_SEED` (decimal or 0x-hex) tries another series.

#[path = "common/http.rs"]
mod http;
use http::send;

mod one_price {
    pub mod configs;
    pub mod read;
}

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use one_price::configs::{self, Config};
use one_price::read;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use storefront_core::Currency;
use storefront_core::ledger::Party;
use storefront_core::money::{Money, TaxDisplay};
use storefront_core::snapshot::Snapshot;
use storefront_functions::accounts::{self, AccountsConfig, Outbox};
use storefront_functions::app::Services;
use storefront_functions::clock::{Clock, ManualClock};
use storefront_functions::ledger::Ledger;
use storefront_functions::ledger::topups::Request as TopUpRequest;
use storefront_functions::orders::Orders;
use storefront_functions::registrar::Registrar;
use storefront_functions::registrar::sandbox::{Sandbox, SandboxConfig};
use storefront_functions::search::SearchConfig;
use storefront_functions::store::Store;
use storefront_functions::store::embedded::EmbeddedStore;
use storefront_generator::{BuildOptions, Paths};
use tower::ServiceExt;

/// The series every run checks unless `ONE_PRICE_SEED` says otherwise.
const SEED: u64 = 0x0e_9e1c_e5ee_d001;
const CONFIGS: usize = 40;
const PASSWORD: &str = "satu harga 2026";

fn seed() -> u64 {
    match std::env::var("ONE_PRICE_SEED") {
        Ok(s) => {
            let s = s.trim();
            s.strip_prefix("0x")
                .map_or_else(|| s.parse(), |h| u64::from_str_radix(h, 16))
                .unwrap_or_else(|e| panic!("ONE_PRICE_SEED={s:?}: {e}"))
        }
        Err(_) => SEED,
    }
}

/// The build day (promotions in the configurations run on it) at 09:00 UTC:
/// the API's clock, so pages, search and orders judge the same day.
fn now() -> chrono::DateTime<chrono::Utc> {
    storefront_e2e::today()
        .and_hms_opt(9, 0, 0)
        .expect("time")
        .and_utc()
}

struct World {
    api: Router,
    store: Arc<dyn Store>,
    orders: Orders,
}

/// The API on an embedded store in `dir` with the build's catalogues
/// published, a sandbox registry where every name is free and standard,
/// and a clock stopped on the build day.
async fn world(dir: &Path, snapshots: &[Snapshot]) -> World {
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.join("store.db")).expect("store"));
    storefront_functions::catalog::publish(store.as_ref(), snapshots, |_| vec![])
        .await
        .expect("publish");
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(now()));
    let registrar: Arc<dyn Registrar> = Arc::new(
        Sandbox::new(
            SandboxConfig {
                taken_percent: 0,
                premium_percent: 0,
                ..Default::default()
            },
            store.clone(),
        )
        .with_clock(clock.clone()),
    );
    let mut services = Services::with(store.clone(), registrar.clone());
    services.mailer = Arc::new(Outbox::new(dir.join("outbox")));
    services.accounts = AccountsConfig::fast_for_tests();
    services.clock = clock.clone();
    services.blobs = Arc::new(storefront_functions::blobs::LocalBlobs::new(
        dir.join("files"),
    ));
    services.search = SearchConfig {
        suggestions: 0,
        ..Default::default()
    };
    World {
        api: services.router(),
        orders: services.orders(),
        store,
    }
}

/// A verified customer of `reseller`, signed in: (account id, cookie).
async fn customer(w: &World, reseller: &str, host: &str) -> Result<(String, String), String> {
    let email = format!("buyer@{host}");
    let id = accounts::create_demo_customer(
        w.store.as_ref(),
        reseller,
        &email,
        PASSWORD,
        &AccountsConfig::fast_for_tests(),
    )
    .await
    .map_err(|e| format!("creating the customer: {e:?}"))?;
    let req = Request::builder()
        .method("POST")
        .uri("/api/accounts/signin")
        .header("host", host)
        .header("origin", format!("https://{host}"))
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"email": email, "password": PASSWORD}).to_string(),
        ))
        .expect("request");
    let resp = w.api.clone().oneshot(req).await.expect("infallible");
    if resp.status() != StatusCode::OK {
        return Err(format!("sign-in answered {}", resp.status()));
    }
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .ok_or("sign-in set no session cookie")?
        .to_string();
    Ok((id.0, cookie))
}

/// `holder` tops up with `parent`, who approves: the wallet is credited.
async fn fund(
    ledger: &Ledger,
    holder: Party,
    parent: Party,
    currency: Currency,
    amount: Decimal,
) -> Result<(), String> {
    let t = ledger
        .request_topup(TopUpRequest {
            holder: holder.clone(),
            parent: parent.clone(),
            currency,
            amount,
            bank_account: "main".into(),
            transfer_reference: "one price".into(),
            by: "test".into(),
        })
        .await
        .map_err(|e| format!("top-up of {holder:?}: {e}"))?;
    ledger
        .decide_topup(&parent, &t.id, true, None, "test")
        .await
        .map_err(|e| format!("approving the top-up of {holder:?}: {e:?}"))?;
    Ok(())
}

async fn available(w: &World, p: &Party) -> Result<Decimal, String> {
    w.orders
        .ledger
        .wallet(p)
        .await
        .map_err(|e| format!("wallet of {p:?}: {e}"))
        .map(|w| w.map(|w| w.balance.available()).unwrap_or_default())
}

fn dec(v: &Value) -> Option<Decimal> {
    v.as_str()?.parse().ok()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The first-year price in the search answer for `domain` (the name
/// typed, so the first result), in `lang`, for whoever `cookie` signs in.
async fn searched(
    w: &World,
    host: &str,
    domain: &str,
    lang: storefront_core::Locale,
    cookie: &str,
) -> Result<Value, String> {
    let s = send(
        &w.api,
        "GET",
        host,
        &format!("/api/search?q={}&lang={}", urlencode(domain), lang.code()),
        cookie,
        None,
        &[],
    )
    .await;
    if s.status != StatusCode::OK {
        return Err(format!("search for {domain}: {} {}", s.status, s.body));
    }
    let hit = &s.body["results"][0];
    if hit["domain"] != domain || hit["status"] != "available" {
        return Err(format!("search for {domain} answered first: {hit}"));
    }
    Ok(hit["price"].clone())
}

/// One amount as seen somewhere: where, and what (None: not found there).
type Seen = (String, Option<Decimal>);

/// A disagreement among `seen`, named after the configuration and what was
/// priced; None when every place shows the same amount.
fn disagreement(label: &str, what: &str, seen: &[Seen]) -> Option<String> {
    let first = seen.first()?.1;
    if first.is_some() && seen.iter().all(|(_, a)| *a == first) {
        return None;
    }
    let parts: Vec<String> = seen
        .iter()
        .map(|(w, a)| match a {
            Some(a) => format!("{w} {a}"),
            None => format!("{w} (missing)"),
        })
        .collect();
    Some(format!("{label}\n    {what}: {}", parts.join(" | ")))
}

/// Time spent per step, over every configuration of a test.
#[derive(Default)]
struct Clocked {
    build: Duration,
    world: Duration,
    shown: Duration,
    order: Duration,
}

/// Build one configuration and follow its prices from the page to the
/// invoice. Returns the disagreements; Err for a step that failed outright.
async fn check(cfg: &Config, time: &mut Clocked) -> Result<Vec<String>, String> {
    let label = cfg.label();
    let seller = cfg.seller();
    let host = seller.host.as_str();
    let currency = cfg.currency;
    let inclusive = seller.display == TaxDisplay::Inclusive;
    // The part of an amount the storefront shows.
    let shown = |net: Option<Decimal>, gross: Option<Decimal>| if inclusive { gross } else { net };
    let mut problems = Vec::new();

    // Build as `storefront build` does: check, render, publish.
    let t = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    configs::write(cfg, dir.path());
    let paths = Paths::under(dir.path());
    // Noon UTC of the build day: the same day in every zone a storefront
    // may keep.
    let at = cfg.today.and_hms_opt(12, 0, 0).expect("noon").and_utc();
    let checkout = storefront_generator::check(&paths, at).unwrap_or_else(|d| {
        panic!("the configuration generator made a configuration that fails check: {label}\n{d}")
    });
    let out = dir.path().join("public");
    storefront_generator::pipeline::build_checked(
        &checkout,
        &BuildOptions {
            paths,
            out: out.clone(),
            only: None,
            now: at,
            progress: false,
        },
    )
    .map_err(|e| format!("build failed: {e}"))?;
    let snapshots = storefront_generator::snapshot::all(&checkout);
    time.build += t.elapsed();

    let t = Instant::now();
    let w = world(dir.path(), &snapshots).await;
    // Every level's wallet with its parent, and the customer's, funded.
    let plenty = |n: u32| {
        Decimal::from(10u64.pow(n))
            * Decimal::from(if currency == Currency::IDR { 10_000 } else { 1 })
    };
    for (i, level) in cfg.levels.iter().enumerate() {
        let parent = match i.checked_sub(1) {
            Some(p) => Party::reseller(&cfg.levels[p].id),
            None => Party::Platform,
        };
        fund(
            &w.orders.ledger,
            Party::reseller(&level.id),
            parent,
            currency,
            plenty(8),
        )
        .await?;
    }
    let (cid, cookie) = customer(&w, &seller.id, host).await?;
    let me = Party::customer(&seller.id, &cid);
    fund(
        &w.orders.ledger,
        me.clone(),
        Party::reseller(&seller.id),
        currency,
        plenty(5),
    )
    .await?;
    time.world += t.elapsed();

    // What a visitor is shown, in every language of the storefront, for
    // every extension it sells: the extension page (every period), the
    // price tables, prices.json and the search answer.
    let t = Instant::now();
    let root = out.join(&seller.id);
    let mut default_pages = std::collections::BTreeMap::new();
    for &lang in &seller.languages {
        let dir = if lang == seller.languages[0] {
            root.clone()
        } else {
            root.join(lang.code())
        };
        let read_file = |rel: &str| {
            std::fs::read_to_string(dir.join(rel))
                .map_err(|e| format!("{}/{rel}: {e}", lang.code()))
        };
        let prices: Value = serde_json::from_str(&read_file("prices.json")?)
            .map_err(|e| format!("prices.json: {e}"))?;
        let table = read_file("prices/index.html")?;
        for &ext in &seller.exts {
            let what = |s: &str| format!("[{}] .{ext} {s}", lang.code());
            let html = read_file(&format!("domains/{ext}/index.html"))?;
            let periods = read::page_periods(&html).map_err(|e| what(&format!("page: {e}")))?;
            let row = read::price_table_row(&table, ext).map_err(|e| what(&e))?;
            let printed = |text: &str| read::printed_amount(text, currency);
            let entry = &prices["extensions"][ext];
            let listed = |action: &str, y: u8| dec(&entry[action][y.to_string()]["amount"]);
            let promo = &entry["promo"];
            let promoted = promo["action"] == "register";
            let first = if promoted {
                dec(&promo["amount"])
            } else {
                listed("register", 1)
            };
            // prices.json's own parts: its amount is the gross or the net.
            for (part, e) in [
                ("register 1 year", &entry["register"]["1"]),
                ("promotion", promo),
            ] {
                if !e.is_null() {
                    problems.extend(disagreement(
                        &label,
                        &what(&format!("prices.json {part}: amount, and its shown part")),
                        &[
                            ("amount".into(), dec(&e["amount"])),
                            ("net/gross".into(), shown(dec(&e["net"]), dec(&e["gross"]))),
                        ],
                    ));
                }
            }
            // Every period on the extension page.
            let (min, max) = configs::years_of(ext);
            if periods.keys().copied().collect::<Vec<u8>>() != (min..=max).collect::<Vec<u8>>() {
                problems.push(format!(
                    "{label}\n    {}: periods {:?}, the registry allows {min} to {max} years",
                    what("page"),
                    periods.keys().collect::<Vec<_>>()
                ));
            }
            for (&y, (register, renew)) in &periods {
                if y > 1 {
                    problems.extend(disagreement(
                        &label,
                        &what(&format!("register, {y} years")),
                        &[
                            ("page".into(), printed(&register.shown)),
                            ("prices.json".into(), listed("register", y)),
                        ],
                    ));
                }
                problems.extend(disagreement(
                    &label,
                    &what(&format!("renew, {y} year(s)")),
                    &[
                        ("page".into(), printed(&renew.shown)),
                        ("prices.json".into(), listed("renew", y)),
                    ],
                ));
            }
            for (i, action) in ["renew", "transfer", "restore"].into_iter().enumerate() {
                problems.extend(disagreement(
                    &label,
                    &what(&format!("{action}, in the price table")),
                    &[
                        ("price table".into(), printed(&row[i + 1].shown)),
                        ("prices.json".into(), listed(action, 1)),
                    ],
                ));
            }

            // The search answer in this language, to a visitor; in the
            // storefront's language also to the signed-in customer.
            let domain = format!("see{:02}.{ext}", cfg.index);
            let price = &searched(&w, host, &domain, lang, "").await?;
            let signed = if lang == seller.languages[0] {
                Some(searched(&w, host, &domain, lang, &cookie).await?)
            } else {
                None
            };
            let part = |a: &Value| shown(dec(&a["net"]), dec(&a["gross"]));
            let display = price["display"].as_str().unwrap_or_default();
            let page_first = periods.get(&1);
            let mut seen: Vec<Seen> = vec![
                (
                    "page".into(),
                    page_first.and_then(|(r, _)| printed(&r.shown)),
                ),
                ("price table".into(), printed(&row[0].shown)),
                ("prices.json".into(), first),
                ("search".into(), part(&price["register"])),
                ("search display".into(), printed(display)),
            ];
            if let Some(p) = &signed {
                seen.push(("search signed in".into(), part(&p["register"])));
            }
            problems.extend(disagreement(
                &label,
                &what("register, first year, as a visitor sees it"),
                &seen,
            ));
            let texts = [
                page_first.map(|(r, _)| r.shown.as_str()),
                Some(row[0].shown.as_str()),
                Some(display),
            ];
            if texts.iter().any(|t| *t != texts[0]) {
                problems.push(format!(
                    "{label}\n    {}: page {:?} | price table {:?} | search {:?}",
                    what("register, first year, printed"),
                    texts[0],
                    texts[1],
                    texts[2]
                ));
            }
            if promoted {
                problems.extend(disagreement(
                    &label,
                    &what("register, first year, regular price beside the promotion"),
                    &[
                        (
                            "page".into(),
                            page_first
                                .and_then(|(r, _)| r.regular.as_deref())
                                .and_then(printed),
                        ),
                        (
                            "price table".into(),
                            row[0].regular.as_deref().and_then(printed),
                        ),
                        ("prices.json".into(), listed("register", 1)),
                        ("search".into(), part(&price["regular"])),
                    ],
                ));
            }
            problems.extend(disagreement(
                &label,
                &what("renew, first year, in the search answer"),
                &[
                    ("prices.json".into(), listed("renew", 1)),
                    ("search".into(), part(&price["renew"])),
                ],
            ));
            if lang == seller.languages[0] {
                default_pages.insert(ext, periods);
            }
        }
    }
    let page = |ext: &str, action: usize, y: u8| {
        default_pages
            .get(ext)
            .and_then(|p| p.get(&y))
            .map(|(register, renew)| if action == 0 { register } else { renew })
            .and_then(|c| read::printed_amount(&c.shown, currency))
    };
    let page_for_order: Vec<Option<Decimal>> =
        cfg.items.iter().map(|i| page(i.ext, 0, i.years)).collect();
    time.shown += t.elapsed();

    // The customer quotes, orders from the wallet, the registry registers,
    // the invoice is issued.
    let t = Instant::now();
    let items: Vec<Value> = cfg
        .items
        .iter()
        .map(|i| json!({"domain": i.domain, "action": "register", "years": i.years}))
        .collect();
    let q = send(
        &w.api,
        "POST",
        host,
        "/api/orders/quote",
        &cookie,
        Some(json!({ "items": items })),
        &[],
    )
    .await;
    if q.status != StatusCode::OK {
        return Err(format!("quote: {} {}", q.status, q.body));
    }
    let before = available(&w, &me).await?;
    let o = send(
        &w.api,
        "POST",
        host,
        "/api/orders",
        &cookie,
        Some(json!({"quote": q.body["id"], "payment": "wallet"})),
        &[("idempotency-key", &format!("one-price-{}", cfg.index))],
    )
    .await;
    if o.status != StatusCode::CREATED || o.body["state"] != "completed" {
        return Err(format!("order: {} {}", o.status, o.body));
    }
    let after = available(&w, &me).await?;
    let id = o.body["id"].as_str().ok_or("an order id")?;
    let mine = send(
        &w.api,
        "GET",
        host,
        &format!("/api/orders/{id}"),
        &cookie,
        None,
        &[],
    )
    .await;
    let number = mine.body["invoice"]
        .as_str()
        .ok_or_else(|| format!("no tax invoice for the order: {}", mine.body))?
        .to_string();
    let list = send(&w.api, "GET", host, "/api/invoices", &cookie, None, &[]).await;
    let listed_gross = list
        .body
        .as_array()
        .and_then(|l| l.iter().find(|i| i["number"] == number.as_str()))
        .and_then(|i| dec(&i["gross"]));
    let stored = storefront_functions::invoices::load(
        w.store.as_ref(),
        &Party::reseller(&seller.id),
        &number,
    )
    .await
    .map_err(|e| format!("invoice {number}: {e}"))?
    .ok_or_else(|| format!("invoice {number} is not stored"))?;
    if stored.buyer != me || stored.invoice.kind != storefront_invoice::Kind::Tax {
        return Err(format!(
            "invoice {number} is a {:?} to {:?}",
            stored.invoice.kind, stored.buyer
        ));
    }
    let totals = stored
        .invoice
        .try_totals()
        .map_err(|e| format!("invoice {number} does not add up: {e}"))?;
    let html = send(
        &w.api,
        "GET",
        host,
        &format!("/api/invoices/{}", urlencode(&number)),
        &cookie,
        None,
        &[],
    )
    .await;
    let html = String::from_utf8_lossy(&html.raw);
    let printed_total = read::invoice_total(&html).and_then(|t| read::printed_amount(&t, currency));
    // The first name, now the customer's, quoted for renewal.
    let first = &cfg.items[0];
    let renewal = send(
        &w.api,
        "POST",
        host,
        "/api/orders/quote",
        &cookie,
        Some(json!({"items": [{"domain": first.domain, "action": "renew", "years": first.years}]})),
        &[],
    )
    .await;
    if renewal.status != StatusCode::OK {
        return Err(format!(
            "renewal quote: {} {}",
            renewal.status, renewal.body
        ));
    }
    time.order += t.elapsed();

    let amount = |v: &Value| dec(&v["amount"]);
    let line = &renewal.body["lines"][0];
    problems.extend(disagreement(
        &label,
        &format!(
            ".{} renew, {} year(s), quoted to its owner",
            first.ext, first.years
        ),
        &[
            ("page".into(), page(first.ext, 1, first.years)),
            (
                "quote".into(),
                shown(amount(&line["net"]), amount(&line["gross"])),
            ),
        ],
    ));
    for (i, item) in cfg.items.iter().enumerate() {
        let (ql, ol) = (&q.body["lines"][i], &o.body["lines"][i]);
        if ol["status"] != "active" || ol["domain"] != item.domain.as_str() {
            return Err(format!("order line {i}: {ol}"));
        }
        let inv_line = stored.invoice.lines.get(i);
        let inv_totals = totals.lines.get(i);
        problems.extend(disagreement(
            &label,
            &format!(".{} register, {} year(s), ordered", item.ext, item.years),
            &[
                ("page".into(), page_for_order[i]),
                (
                    "quote".into(),
                    shown(amount(&ql["net"]), amount(&ql["gross"])),
                ),
                (
                    "order".into(),
                    shown(amount(&ol["net"]), amount(&ol["gross"])),
                ),
                ("invoice unit".into(), inv_line.map(|l| l.unit)),
                (
                    "invoice line".into(),
                    inv_totals.and_then(|t| shown(Some(t.net.amount()), Some(t.gross.amount()))),
                ),
            ],
        ));
    }
    let pages: Option<Decimal> = page_for_order.iter().copied().sum();
    problems.extend(disagreement(
        &label,
        "order total, as shown",
        &[
            ("pages".into(), pages),
            (
                "quote".into(),
                shown(amount(&q.body["net"]), amount(&q.body["gross"])),
            ),
            (
                "order".into(),
                shown(amount(&o.body["net"]), amount(&o.body["gross"])),
            ),
            (
                "invoice".into(),
                shown(Some(totals.net.amount()), Some(totals.gross.amount())),
            ),
        ],
    ));
    problems.extend(disagreement(
        &label,
        "what the customer paid (gross)",
        &[
            ("wallet debit".into(), Some(before - after)),
            ("quote".into(), amount(&q.body["gross"])),
            ("order".into(), amount(&o.body["gross"])),
            ("invoice".into(), Some(totals.gross.amount())),
            ("invoice list".into(), listed_gross),
            ("invoice HTML".into(), printed_total),
        ],
    ));
    problems.extend(disagreement(
        &label,
        "order tax",
        &[
            ("order".into(), amount(&o.body["tax"])),
            ("invoice".into(), Some(totals.tax.amount())),
        ],
    ));
    // The invoice printed in the customer's language says the same total.
    let total = Money::new(totals.gross.amount(), currency).format(stored.language);
    if !html.contains(&total) {
        problems.push(format!(
            "{label}\n    the invoice HTML does not print its total {total:?}"
        ));
    }
    Ok(problems)
}

/// Run every configuration of the series in `currency`; fail with all the
/// disagreements found, each naming its configuration.
async fn run(currency: Currency) {
    let started = Instant::now();
    let seed = seed();
    let today = storefront_e2e::today();
    let mut problems = Vec::new();
    let mut time = Clocked::default();
    let mut ran = 0;
    for index in 0..CONFIGS {
        let cfg = configs::generate(seed, index, today);
        if cfg.currency != currency {
            continue;
        }
        ran += 1;
        match check(&cfg, &mut time).await {
            Ok(found) => problems.extend(found),
            Err(e) => problems.push(format!("{}\n    {e}", cfg.label())),
        }
    }
    eprintln!(
        "{}: {ran} configurations in {:.1?} (build {:.1?}, world {:.1?}, pages and search {:.1?}, order and invoice {:.1?})",
        currency.code(),
        started.elapsed(),
        time.build,
        time.world,
        time.shown,
        time.order
    );
    assert!(
        problems.is_empty(),
        "{} disagreement(s) between what a {} storefront shows and what it charges:\n\n{}",
        problems.len(),
        currency.code(),
        problems.join("\n\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idr_storefronts_show_quote_order_and_invoice_one_price() {
    run(Currency::IDR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pln_storefronts_show_quote_order_and_invoice_one_price() {
    run(Currency::PLN).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eur_storefronts_show_quote_order_and_invoice_one_price() {
    run(Currency::EUR).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usd_storefronts_show_quote_order_and_invoice_one_price() {
    run(Currency::USD).await;
}

/// The series itself: every configuration is different, and together
/// they cover what the test claims to.
#[test]
fn the_series_covers_every_currency_tax_and_display_and_chains_of_one_to_three() {
    let today = storefront_e2e::today();
    let all: Vec<Config> = (0..CONFIGS)
        .map(|i| configs::generate(seed(), i, today))
        .collect();
    for c in Currency::ALL {
        for tax in ["0", "11", "12", "23"] {
            for display in [TaxDisplay::Inclusive, TaxDisplay::Exclusive] {
                assert!(
                    all.iter().any(|x| x.currency == c
                        && x.seller().tax == tax.parse::<Decimal>().expect("tax")
                        && x.seller().display == display),
                    "no {} storefront with {tax}% tax shown {display:?}",
                    c.code()
                );
            }
        }
    }
    for depth in 1..=3 {
        assert!(
            all.iter().any(|c| c.levels.len() == depth),
            "no chain of {depth}"
        );
    }
    for years in 1..=3 {
        assert!(
            all.iter().any(|c| c.items.iter().any(|i| i.years == years)),
            "no order of {years} years"
        );
    }
    let running = |c: &Config| {
        c.seller()
            .promotions
            .iter()
            .any(|p| p.from <= today && today <= p.until)
    };
    let rules = || {
        all.iter()
            .flat_map(|c| c.levels.iter().map(|l| &l.customers))
    };
    let count = |f: &dyn Fn(&Config) -> bool| all.iter().filter(|c| f(c)).count();
    let covered = Coverage {
        per_currency: Currency::ALL.map(|cur| count(&|c: &Config| c.currency == cur)),
        running_promotions: count(&running),
        fixed_markups: rules().filter(|r| r.fixed.is_some()).count(),
        round_to: rules().filter(|r| r.round_to.is_some()).count(),
        ending: rules().filter(|r| r.ending.is_some()).count(),
        overrides: rules().filter(|r| !r.overrides.is_empty()).count(),
    };
    if seed() == SEED {
        // The series every run checks (each `run(currency)` takes its
        // currency's share of it), counted exactly.
        assert_eq!(covered, EXPECTED_COVERAGE);
    } else {
        assert!(covered.per_currency.iter().all(|&n| n >= 8), "{covered:?}");
    }
}

/// How much of each kind of rule the series holds.
#[derive(Debug, PartialEq, Eq)]
struct Coverage {
    /// IDR, PLN, USD, EUR (`Currency::ALL`'s order).
    per_currency: [usize; 4],
    running_promotions: usize,
    fixed_markups: usize,
    round_to: usize,
    ending: usize,
    overrides: usize,
}

const EXPECTED_COVERAGE: Coverage = Coverage {
    per_currency: [10, 10, 10, 10],
    running_promotions: 30,
    fixed_markups: 23,
    round_to: 32,
    ending: 12,
    overrides: 14,
};
