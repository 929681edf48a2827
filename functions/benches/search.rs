//! Search latency: one storefront whose group holds 20 extensions, the
//! sandbox registry answering each check after 50 ms. A search checks all 20
//! at once, so it should take about as long as the slowest single check.
//!
//!     cargo bench -p storefront-functions --bench search
//!
//! Reports p50/p95/p99 over 300 searches of distinct names (no cache hits),
//! 4 searches in flight at a time, and the ratio of p95 to 50 ms.

use axum::body::Body;
use axum::http::Request;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};
use storefront_functions::app::Services;
use storefront_functions::registrar::sandbox::{Sandbox, SandboxConfig};
use storefront_functions::store::Store;
use storefront_functions::store::embedded::EmbeddedStore;
use tower::ServiceExt;

const EXTENSIONS: [&str; 20] = [
    "com", "net", "org", "info", "biz", "io", "co", "me", "xyz", "online", "site", "store", "tech",
    "app", "dev", "shop", "blog", "cloud", "id", "pl",
];
const LATENCY: Duration = Duration::from_millis(50);

fn content(dir: &std::path::Path) {
    let mut cat = String::new();
    let mut plan = String::from("[plans.usd]\nname = \"USD\"\ncurrency = \"USD\"\n");
    for e in EXTENSIONS {
        let _ = write!(
            cat,
            "[extensions.\"{e}\"]\nregistry = \"R\"\nlabel_min = 1\nlabel_max = 63\nyears = {{ min = 1, max = 10 }}\ngrace = {{ add = 5, renew = 30, transfer = 5, redemption = 30 }}\n\n"
        );
        let _ = write!(
            plan,
            "[plans.usd.extensions.\"{e}\"]\nregister = \"10.00\"\nrenew = \"12.00\"\ntransfer = \"10.00\"\nrestore = \"80.00\"\n"
        );
    }
    let list = EXTENSIONS
        .iter()
        .map(|e| format!("\"{e}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let site = format!(
        "name = \"Bench\"\ndomains = [\"bench.example\"]\nlanguages = [\"en\"]\ncurrency = \"USD\"\nplan = \"usd\"\n\n[tax]\nlabel = \"VAT\"\npercent = \"0\"\ndisplay = \"exclusive\"\n\n[colours]\nprimary = \"#0b5fff\"\naccent = \"#ff8a00\"\n\n[[groups]]\nid = \"all\"\nname = \"All\"\nextensions = [{list}]\n\n[pricing.customers.default]\nmarkup_percent = \"30\"\nending = \"0.99\"\n\n[seller]\nlegal_name = \"Bench LLC\"\naddress = [\"1 Bench Street\"]\nemail = \"billing@bench.example\"\n"
    );
    let platform = "[seller]\nlegal_name = \"Platform Inc\"\naddress = [\"1 Platform Way\"]\nemail = \"billing@platform.example\"\n\n[[bank_accounts]]\nid = \"usd\"\ncurrency = \"USD\"\nbank = \"Bank\"\nholder = \"Platform Inc\"\nnumber = \"123\"\n\n[[taxes]]\ncurrency = \"USD\"\nlabel = \"VAT\"\npercent = \"0\"\n";
    std::fs::create_dir_all(dir.join("content/platform")).expect("mkdir");
    std::fs::create_dir_all(dir.join("content/resellers/bench")).expect("mkdir");
    std::fs::write(dir.join("content/platform/catalogue.toml"), cat).expect("write");
    std::fs::write(dir.join("content/platform/plans.toml"), plan).expect("write");
    std::fs::write(dir.join("content/platform/platform.toml"), platform).expect("write");
    std::fs::write(dir.join("content/resellers/bench/site.toml"), site).expect("write");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize)
        .saturating_sub(1)
        .min(sorted.len() - 1)]
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("tempdir");
        content(dir.path());
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
        let checkout = storefront_generator::check(&storefront_generator::Paths::under(dir.path()), today.and_hms_opt(12, 0, 0).expect("noon").and_utc()).unwrap_or_else(|d| panic!("{d}"));
        let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open(&dir.path().join("store.db")).expect("store"));
        storefront_functions::catalog::publish(store.as_ref(), &storefront_generator::snapshot::all(&checkout), |_| vec![]).await.expect("publish");
        let config = SandboxConfig { latency: LATENCY, ..Default::default() };
        let mut services = Services::with(store.clone(), Arc::new(Sandbox::new(config, store)));
        services.search.suggestions = 0;
        services.search.per_upstream_concurrency = 256;
        services.search.per_upstream_rate = 100_000;
        let router = services.router();

        let searches = 300;
        let in_flight = 4;
        let mut times = Vec::with_capacity(searches);
        let started = Instant::now();
        for batch in 0..searches / in_flight {
            let mut tasks = Vec::new();
            for k in 0..in_flight {
                let router = router.clone();
                tasks.push(tokio::spawn(async move {
                    let name = format!("benchname{batch}x{k}");
                    let req = Request::builder().uri(format!("/api/search?q={name}")).header("host", "bench.example").body(Body::empty()).expect("req");
                    let t = Instant::now();
                    let resp = router.oneshot(req).await.expect("infallible");
                    let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
                    let elapsed = t.elapsed();
                    let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
                    assert_eq!(v["results"].as_array().map(Vec::len), Some(20), "{v}");
                    elapsed
                }));
            }
            for t in tasks {
                times.push(t.await.expect("task"));
            }
        }
        let wall = started.elapsed();
        times.sort();
        let (p50, p95, p99) = (percentile(&times, 0.50), percentile(&times, 0.95), percentile(&times, 0.99));
        println!("searches: {}, extensions per search: 20, sandbox latency per check: {} ms, {in_flight} searches in flight", times.len(), LATENCY.as_millis());
        println!("p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms", ms(p50), ms(p95), ms(p99), ms(*times.last().expect("times")));
        println!("p95 / slowest single check = {:.3} (target <= 1.2)", p95.as_secs_f64() / LATENCY.as_secs_f64());
        println!("throughput: {:.0} searches/s, {:.0} checks/s", times.len() as f64 / wall.as_secs_f64(), 20.0 * times.len() as f64 / wall.as_secs_f64());
    });
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
