//! The transactions report of a busy storefront: 100,000 orders' ledger
//! entries (each order: the customer's leg and the storefront's leg, each
//! held and captured, as `Orders::pay` and the capture write them through
//! `Ledger::writes`) seeded directly into an embedded store, spread over
//! 1,000 customers and the last 20 days; then the report of those days is
//! written as the back office's download writes it, timed, with the
//! process's peak memory over the writing alone (the seeding's peak is
//! reset first, through `/proc/self/clear_refs`).
//!
//! ```sh
//! cargo bench -p storefront-backoffice --bench reports              # 100,000 orders
//! REPORT_BENCH_ORDERS=10000 cargo bench -p storefront-backoffice --bench reports
//! ```
//!
//! Targets (issue 14): under 5 s and under 200 MB. Figures: BENCHMARKS.md.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;
use storefront_backoffice::reports::{self, Kind, Spec};
use storefront_core::dates::Zone;
use storefront_core::ledger::{EntryKind, Movement, Party};
use storefront_core::{Currency, Locale};
use storefront_functions::clock::Clock;
use storefront_functions::ledger::{Context, Ledger};
use storefront_functions::store::embedded::EmbeddedStore;
use storefront_functions::store::{Store, Write};

/// A clock that each order moves on by a step.
#[derive(Debug)]
struct Steps(AtomicI64);

impl Clock for Steps {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0.load(Ordering::Relaxed)).unwrap_or_default()
    }
}

/// Orders written per store transaction: 6 entries each (4 in wallets, 2
/// monthly copies of the captures) and one addition per wallet touched,
/// under the 100 items a transaction may hold.
const BATCH: usize = 12;
const CUSTOMERS: usize = 1_000;

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let orders: usize = std::env::var("REPORT_BENCH_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.path().join("store.db")).expect("the store"));
    let days = 20;
    let start = Utc::now() - Duration::days(days);
    let step = Duration::days(days).num_milliseconds() / orders.max(1) as i64;
    let clock = Arc::new(Steps(AtomicI64::new(start.timestamp_millis())));
    let ledger = Ledger::new(store.clone(), clock.clone());

    let shop = Party::reseller("bench");
    ledger
        .open(&shop, &Party::Platform, Currency::IDR)
        .await
        .expect("the storefront's wallet");
    let mut customers = Vec::new();
    for i in 0..CUSTOMERS {
        let c = Party::customer("bench", format!("{i:032x}"));
        ledger
            .open(&c, &shop, Currency::IDR)
            .await
            .expect("a wallet");
        customers.push(c);
    }

    let seeding = Instant::now();
    let mut writes: Vec<Write> = Vec::new();
    let mut adds: BTreeMap<String, BTreeMap<String, Decimal>> = BTreeMap::new();
    for i in 0..orders {
        let price = Decimal::from(150_000 + 1_000 * (i % 37) as i64);
        let cost = Decimal::from(120_000 + 500 * (i % 11) as i64);
        let tax = |gross: Decimal| (gross * Decimal::from(11) / Decimal::from(111)).round_dp(0);
        let customer = &customers[i % CUSTOMERS];
        let mut movements = Vec::new();
        for (party, amount, leg) in [(customer, price, 0u8), (&shop, cost, 1u8)] {
            for kind in [EntryKind::Hold, EntryKind::Capture] {
                movements.push(Movement {
                    party: party.clone(),
                    kind,
                    amount,
                    tax: if kind == EntryKind::Capture {
                        tax(amount)
                    } else {
                        Decimal::ZERO
                    },
                    leg: Some(leg),
                });
            }
        }
        let ctx = Context {
            by: customer.key(),
            reason: format!("order {i:08} nama{i}.com"),
            reference: format!("order:{i:08}"),
            currency: Currency::IDR,
        };
        for (w, _) in ledger.writes(&movements, &ctx).expect("writes") {
            match w {
                // The wallets' counters: one addition per wallet and batch.
                Write::Add { pk, add, .. } => {
                    let sum = adds.entry(pk).or_default();
                    for (k, v) in add {
                        *sum.entry(k).or_default() += v;
                    }
                }
                w => writes.push(w),
            }
        }
        clock.0.fetch_add(step, Ordering::Relaxed);
        if (i + 1) % BATCH == 0 || i + 1 == orders {
            for (pk, add) in std::mem::take(&mut adds) {
                writes.push(Write::Add {
                    pk,
                    sk: "WALLET".into(),
                    add,
                    floors: BTreeMap::new(),
                });
            }
            store
                .transact(std::mem::take(&mut writes))
                .await
                .expect("seeded");
        }
    }
    println!(
        "seeded {orders} orders ({} entries in the report) in {:.1} s",
        orders * 4,
        seeding.elapsed().as_secs_f64()
    );

    // The peak so far is the seeding's: start the count again.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let before = status_kb("VmHWM:");
    let zone = Zone::named("Asia/Jakarta").expect("zone");
    let today = zone.date_at(Utc::now());
    let spec = Spec {
        store: store.as_ref(),
        reseller: "bench",
        zone,
        lang: Locale::En,
        from: today - Duration::days(days + 1),
        to: today,
    };
    {
        let t = Instant::now();
        let period = spec.period();
        let mut n = 0;
        for p in std::iter::once(shop.clone()).chain(customers.iter().cloned()) {
            let mut e = storefront_functions::reports::Entries::of(store.as_ref(), &p, period);
            while let Some(page) = e.next().await.unwrap() {
                n += page.len();
            }
        }
        println!(
            "read {n} entries alone in {:.2} s",
            t.elapsed().as_secs_f64()
        );
    }
    let started = Instant::now();
    let report = reports::write(Kind::Transactions, &spec)
        .await
        .expect("the report");
    let took = started.elapsed();
    let peak = status_kb("VmHWM:");
    assert_eq!(report.rows, orders * 4, "every entry is a row");
    println!(
        "transactions report: {} rows, {:.1} MB file, written in {:.2} s; peak RSS {:.0} MB{} (before writing: {:.0} MB)",
        report.rows,
        report.bytes.len() as f64 / 1e6,
        took.as_secs_f64(),
        peak as f64 / 1024.0,
        if reset {
            ""
        } else {
            " (peak not reset: includes seeding)"
        },
        before as f64 / 1024.0,
    );
}
