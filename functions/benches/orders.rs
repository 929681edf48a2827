//! Orders per second with four legs: a customer of `c`, which buys from `b`,
//! which buys from `a`, which buys from the platform (the fixture in
//! benches/fixtures/deep). Each order is the full path a storefront drives:
//! quote -> create -> pay from the wallet (four holds in one transaction)
//! -> provision at the sandbox registry (zero latency) -> capture (and the
//! tax invoice, where the engine issues it on settling).
//!
//!     cargo bench -p storefront-functions --bench orders
//!
//! The embedded store lives in a temporary folder on disk, as `storefront
//! serve` keeps it. At concurrency 1, 8 and 32 (distinct customers, every
//! wallet funded generously) it reports orders/s, p50/p99 of one order's
//! latency, the mean time of each phase, and how many store calls one order
//! makes (counted by a wrapper around the store) and how long the
//! transactions took. `BENCH_ORDERS=n` sets the orders per level (default
//! 400). For diagnosis only, `BENCH_DROP_INVOICES=1` answers the tax
//! invoice's transaction without writing it: what the order path would cost
//! with invoices issued elsewhere.

use async_trait::async_trait;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use storefront_core::Currency;
use storefront_core::catalogue::Action;
use storefront_core::ledger::{Funds, Party};
use storefront_functions::accounts::{AccountsConfig, Mail, MailError, Mailer};
use storefront_functions::app::Services;
use storefront_functions::ledger::topups::Request;
use storefront_functions::orders::{LineRequest, NewOrder, Orders, Payment};
use storefront_functions::registrar::sandbox::{Sandbox, SandboxConfig};
use storefront_functions::store::embedded::EmbeddedStore;
use storefront_functions::store::{Condition, Item, Query, Store, StoreError, Write};

const LEVELS: [usize; 3] = [1, 8, 32];

/// Counts the store calls, and the time spent in transactions.
#[derive(Debug)]
struct Counted {
    inner: Arc<dyn Store>,
    gets: AtomicU64,
    queries: AtomicU64,
    transactions: AtomicU64,
    cancelled: AtomicU64,
    transact_nanos: AtomicU64,
    /// Cancelled transactions by the kind of item whose condition failed
    /// (the partition key up to its first `#`).
    why: Mutex<BTreeMap<String, u64>>,
    /// Diagnosis only: answer invoice transactions without writing them.
    drop_invoices: bool,
}

impl Counted {
    fn new(inner: Arc<dyn Store>) -> Counted {
        Counted {
            inner,
            gets: AtomicU64::new(0),
            queries: AtomicU64::new(0),
            transactions: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
            transact_nanos: AtomicU64::new(0),
            why: Mutex::default(),
            drop_invoices: std::env::var_os("BENCH_DROP_INVOICES").is_some(),
        }
    }

    fn snapshot(&self) -> [u64; 5] {
        [
            self.gets.load(Ordering::Relaxed),
            self.queries.load(Ordering::Relaxed),
            self.transactions.load(Ordering::Relaxed),
            self.cancelled.load(Ordering::Relaxed),
            self.transact_nanos.load(Ordering::Relaxed),
        ]
    }
}

#[async_trait]
impl Store for Counted {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        self.gets.fetch_add(1, Ordering::Relaxed);
        self.inner.get(pk, sk).await
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        self.transactions.fetch_add(1, Ordering::Relaxed);
        let t = Instant::now();
        let r = self.inner.put(item, condition).await;
        self.transact_nanos
            .fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        r
    }

    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        self.transactions.fetch_add(1, Ordering::Relaxed);
        self.inner.delete(pk, sk, condition).await
    }

    async fn query(&self, pk: &str, q: Query<'_>) -> Result<Vec<Item>, StoreError> {
        self.queries.fetch_add(1, Ordering::Relaxed);
        self.inner.query(pk, q).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        self.transactions.fetch_add(1, Ordering::Relaxed);
        let kinds: Vec<String> = writes
            .iter()
            .map(|w| w.key().0.split('#').next().unwrap_or_default().to_string())
            .collect();
        if self.drop_invoices && kinds.iter().any(|k| k == "INVSEQ") {
            return Ok(());
        }
        let t = Instant::now();
        let r = self.inner.transact(writes).await;
        self.transact_nanos
            .fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        if let Err(StoreError::TransactionCancelled { failed }) = &r {
            self.cancelled.fetch_add(1, Ordering::Relaxed);
            let mut why = self.why.lock().unwrap_or_else(|p| p.into_inner());
            for &i in failed {
                *why.entry(kinds.get(i).cloned().unwrap_or_default())
                    .or_default() += 1;
            }
        }
        r
    }
}

#[derive(Debug)]
struct NoMail;

#[async_trait]
impl Mailer for NoMail {
    async fn send(&self, _mail: Mail) -> Result<(), MailError> {
        Ok(())
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize)
        .saturating_sub(1)
        .min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The fixture published into a fresh store in `dir`.
async fn store(dir: &std::path::Path) -> Arc<dyn Store> {
    let project = dir.join("project");
    storefront_e2e::copy_tree(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/fixtures/deep"),
        &project,
    );
    let checkout = storefront_generator::check(
        &storefront_generator::Paths::under(&project),
        chrono::Utc::now(),
    )
    .unwrap_or_else(|d| panic!("the deep fixture does not check:\n{d}"));
    let snapshots = storefront_generator::snapshot::all(&checkout);
    assert_eq!(snapshots.len(), 3, "a, b and c");
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.join("store.db")).expect("store"));
    storefront_functions::catalog::publish(store.as_ref(), &snapshots, |_| vec![])
        .await
        .expect("publish");
    store
}

async fn fund(orders: &Orders, holder: Party, parent: Party, amount: Decimal) {
    let t = orders
        .ledger
        .request_topup(Request {
            holder,
            parent: parent.clone(),
            currency: Currency::IDR,
            amount,
            bank_account: "bca".into(),
            transfer_reference: "BENCH".into(),
            by: "bench".into(),
        })
        .await
        .expect("top-up");
    orders
        .ledger
        .decide_topup(&parent, &t.id, true, None, "bench")
        .await
        .expect("approve");
}

#[derive(Default, Clone, Copy)]
struct Phases {
    quote: Duration,
    create: Duration,
    pay: Duration,
    provision: Duration,
    /// Store gets and transactions of each phase, when probed (alone).
    calls: [(u64, u64); 4],
}

/// One order, start to finish; the time of each phase.
async fn order(
    orders: &Orders,
    snapshot: &storefront_core::snapshot::Snapshot,
    account: &str,
    domain: &str,
    probe: Option<&Counted>,
) -> Phases {
    let mut calls = [(0, 0); 4];
    let mut last = probe.map(Counted::snapshot);
    let mut mark = |phase: usize| {
        if let (Some(c), Some(l)) = (probe, last.as_mut()) {
            let now = c.snapshot();
            calls[phase] = (now[0] - l[0], now[2] - l[2]);
            *l = now;
        }
    };
    let t = Instant::now();
    let q = orders
        .quote(
            snapshot,
            account,
            "default",
            &[LineRequest {
                domain: domain.to_string(),
                action: Action::Register,
                years: 1,
                auth_code: None,
            }],
            None,
        )
        .await
        .expect("quote");
    let quote = t.elapsed();
    mark(0);
    let t = Instant::now();
    let (o, _) = orders
        .create(
            snapshot,
            &NewOrder {
                customer: account,
                group: "default",
                quote: &q.id,
                payment: Payment::Wallet,
                key: domain,
                request_hash: domain,
            },
        )
        .await
        .expect("create");
    let create = t.elapsed();
    mark(1);
    assert_eq!(o.lines[0].legs.len(), 4, "four legs");
    let t = Instant::now();
    orders.pay(&o.id, account, false).await.expect("pay");
    let pay = t.elapsed();
    mark(2);
    let t = Instant::now();
    let done = orders.provision(&o.id, "bench").await.expect("provision");
    let provision = t.elapsed();
    mark(3);
    assert_eq!(
        done.lines[0].funds(),
        Funds::Captured,
        "{:?}",
        done.lines[0]
    );
    Phases {
        quote,
        create,
        pay,
        provision,
        calls,
    }
}

fn main() {
    let n: usize = std::env::var("BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let dir = tempfile::tempdir().expect("tempdir");
        let published = store(dir.path()).await;
        let counted = Arc::new(Counted::new(published.clone()));
        let store: Arc<dyn Store> = counted.clone();
        let sandbox = Sandbox::new(
            SandboxConfig {
                taken_percent: 0,
                premium_percent: 0,
                ..Default::default()
            },
            store.clone(),
        );
        let mut services = Services::with(store.clone(), Arc::new(sandbox));
        services.mailer = Arc::new(NoMail);
        let orders = services.orders();
        let snapshot = Arc::new(
            storefront_functions::catalog::current(store.as_ref(), "c")
                .await
                .expect("read")
                .expect("c is published"),
        );
        let chain: Vec<&str> = snapshot.levels.iter().map(|l| l.reseller.as_str()).collect();
        assert_eq!(chain, ["a", "b", "c"]);

        // Every level funded for far more than the run spends.
        let plenty = Decimal::from(1_000_000_000_000u64);
        fund(&orders, Party::reseller("a"), Party::Platform, plenty).await;
        fund(&orders, Party::reseller("b"), Party::reseller("a"), plenty).await;
        fund(&orders, Party::reseller("c"), Party::reseller("b"), plenty).await;
        let max = *LEVELS.iter().max().expect("levels");
        let mut customers = Vec::new();
        for k in 0..max {
            let id = storefront_functions::accounts::create_demo_customer(
                store.as_ref(),
                "c",
                &format!("buyer{k}@example.com"),
                "correct horse battery staple",
                &AccountsConfig::fast_for_tests(),
            )
            .await
            .expect("customer")
            .0;
            fund(
                &orders,
                Party::customer("c", id.clone()),
                Party::reseller("c"),
                plenty,
            )
            .await;
            customers.push(id);
        }
        // Warm up: caches (snapshots, known wallets), the SQLite page cache.
        for k in 0..20 {
            order(&orders, &snapshot, &customers[0], &format!("warm-up-{k}.com"), None).await;
        }

        println!(
            "orders: {n} per level, 4 legs (customer -> c -> b -> a -> platform), embedded store on disk ({})",
            dir.path().display()
        );
        println!(
            "{:>5} {:>9} {:>9} {:>9} {:>9} | mean ms: {:>6} {:>6} {:>6} {:>9} | per order: {:>4} {:>4} {:>4} {:>9} {:>8}",
            "conc", "orders/s", "p50 ms", "p99 ms", "wall s", "quote", "create", "pay", "provision",
            "gets", "qrys", "txs", "cancelled", "tx ms"
        );
        for &level in &LEVELS {
            counted.why.lock().unwrap_or_else(|p| p.into_inner()).clear();
            let before = counted.snapshot();
            let next = Arc::new(AtomicUsize::new(0));
            let started = Instant::now();
            let workers: Vec<_> = (0..level)
                .map(|k| {
                    let (orders, snapshot, next) = (orders.clone(), snapshot.clone(), next.clone());
                    let account = customers[k].clone();
                    tokio::spawn(async move {
                        let mut out = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            if i >= n {
                                return out;
                            }
                            let t = Instant::now();
                            let p = order(&orders, &snapshot, &account, &format!("bench-{level}-{i}.com"), None).await;
                            out.push((t.elapsed(), p));
                        }
                    })
                })
                .collect();
            let mut results = Vec::new();
            for w in workers {
                results.extend(w.await.expect("worker"));
            }
            let wall = started.elapsed();
            let after = counted.snapshot();
            let mut lat: Vec<Duration> = results.iter().map(|(d, _)| *d).collect();
            lat.sort();
            let mean = |f: fn(&Phases) -> Duration| {
                ms(results.iter().map(|(_, p)| f(p)).sum::<Duration>()) / results.len() as f64
            };
            let per = |i: usize| (after[i] - before[i]) as f64 / n as f64;
            let why = std::mem::take(&mut *counted.why.lock().unwrap_or_else(|p| p.into_inner()));
            println!(
                "{:>5} {:>9.0} {:>9.2} {:>9.2} {:>9.2} | mean ms: {:>6.2} {:>6.2} {:>6.2} {:>9.2} | per order: {:>4.1} {:>4.1} {:>4.1} {:>9.2} {:>8.2}",
                level,
                n as f64 / wall.as_secs_f64(),
                ms(percentile(&lat, 0.50)),
                ms(percentile(&lat, 0.99)),
                wall.as_secs_f64(),
                mean(|p| p.quote),
                mean(|p| p.create),
                mean(|p| p.pay),
                mean(|p| p.provision),
                per(0),
                per(1),
                per(2),
                per(3),
                (after[4] - before[4]) as f64 / 1e6 / n as f64,
            );
            if !why.is_empty() {
                println!("      cancelled by a failed condition on: {why:?}");
            }
        }

        // Where one order's store calls go, phase by phase (alone, so the
        // counts are its own).
        let probed: Vec<Phases> = {
            let mut out = Vec::new();
            for k in 0..50 {
                out.push(order(&orders, &snapshot, &customers[0], &format!("probe-{k}.com"), Some(&counted)).await);
            }
            out
        };
        let names = ["quote", "create", "pay", "provision"];
        let per_phase: Vec<String> = (0..4)
            .map(|i| {
                let gets: u64 = probed.iter().map(|p| p.calls[i].0).sum();
                let txs: u64 = probed.iter().map(|p| p.calls[i].1).sum();
                format!(
                    "{} {:.1} gets + {:.1} txs",
                    names[i],
                    gets as f64 / probed.len() as f64,
                    txs as f64 / probed.len() as f64
                )
            })
            .collect();
        println!("store calls per order, alone: {}", per_phase.join(", "));
    });
}
