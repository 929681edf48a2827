//! Build benchmark: N synthetic resellers (default 1,000) of about 50 pages
//! each, built from the repository's platform catalogue and default theme.
//!
//!     cargo bench -p storefront-generator --bench build
//!     BENCH_RESELLERS=200 cargo bench -p storefront-generator --bench build
//!
//! Reports pages per second for a full build, and the time of a no-op
//! rebuild and of a rebuild after one reseller's page changed (median of
//! several runs). A bench script rather than criterion: one full build takes
//! seconds, and what matters is the three numbers, not a distribution.

use chrono::NaiveDate;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};
use storefront_generator::{BuildOptions, Paths, build};

const EXTENSIONS: &[&str] = &["id", "co.id", "web.id", "my.id", "biz.id", "com", "net"];

fn site(i: usize) -> String {
    let exts = EXTENSIONS
        .iter()
        .map(|e| format!("\"{e}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r##"name = "Reseller {i}"
tagline = {{ id = "Domain murah nomor {i}", en = "Affordable domains number {i}" }}
domains = ["r{i}.example.com"]
languages = ["id", "en"]
currency = "IDR"
plan = "idr-standard"

[tax]
label = "PPN"
percent = "11"
display = "inclusive"

[colours]
primary = "#{:06x}"
accent = "#f2a900"

[[groups]]
id = "semua"
name = {{ id = "Semua domain", en = "All domains" }}
extensions = [{exts}]
featured = ["id", "co.id", "com"]

[pricing.customers.default]
markup_percent = "{}"
round_to = "1000"

[[promotions]]
extensions = ["my.id"]
action = "register"
price = "10000"
from = 2026-11-01
until = 2026-12-31
label = {{ en = "Offer", id = "Promo" }}

[contact]
email = "halo@r{i}.example.com"

[seller]
legal_name = "PT Reseller {i}"
address = ["Jl. Sudirman {i}", "Jakarta 12190"]
email = "tagihan@r{i}.example.com"
"##,
        (i * 2_654_435_761) & 0x7f_7f_7f,
        10 + i % 30
    )
}

fn page(title: &str, n: usize) -> String {
    let mut body = format!("+++\ntitle = \"{title}\"\norder = {n}\n+++\n\n# {title}\n\n");
    for k in 0..8 {
        body.push_str(&format!("Paragraph {k} of {title}: **terms** apply, see [the price list](../prices/).\n\n- item one\n- item two\n\n"));
    }
    body
}

fn make(dir: &Path, n: usize) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    fs::create_dir_all(dir.join("content/platform")).expect("mkdir");
    for f in ["catalogue.toml", "plans.toml", "platform.toml"] {
        fs::copy(
            repo.join("content/platform").join(f),
            dir.join("content/platform").join(f),
        )
        .expect("copy platform");
    }
    for i in 0..n {
        let r = dir.join(format!("content/resellers/r{i}"));
        fs::create_dir_all(r.join("pages/news")).expect("mkdir");
        fs::write(r.join("site.toml"), site(i)).expect("write site");
        for p in 0..10 {
            fs::write(
                r.join(format!("pages/page-{p}.md")),
                page(&format!("Page {p}"), p),
            )
            .expect("write page");
        }
        fs::write(
            r.join("pages/news/launch.md"),
            "+++\ntitle = \"Launch\"\ndate = 2026-11-01\n+++\n\nWe are open.\n",
        )
        .expect("write news");
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would too: only run when benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("BENCH_RESELLERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let tmp = tempfile::tempdir().expect("tempdir");
    make(tmp.path(), n);
    let opts = |out: &str| BuildOptions {
        paths: Paths::under(tmp.path()),
        out: tmp.path().join(out),
        only: None,
        now: NaiveDate::from_ymd_opt(2026, 11, 22)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("date")
            .and_utc(),
        progress: false,
    };

    let mut full = Vec::new();
    let mut pages = 0;
    for run in 0..3 {
        let o = opts(&format!("full-{run}"));
        let t = Instant::now();
        let r = build(&o).unwrap_or_else(|e| panic!("{e}"));
        full.push(t.elapsed());
        pages = r.pages;
    }
    let full_t = median(full);

    let o = opts("full-0");
    let mut noop = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let r = build(&o).unwrap_or_else(|e| panic!("{e}"));
        noop.push(t.elapsed());
        assert!(
            r.rendered.is_empty(),
            "no-op rebuild rendered {:?}",
            r.rendered
        );
    }

    let mut one = Vec::new();
    let page_file = tmp.path().join("content/resellers/r7/pages/page-3.md");
    for k in 0..5 {
        fs::write(&page_file, page(&format!("Page 3 revision {k}"), 3)).expect("edit page");
        let t = Instant::now();
        let r = build(&o).unwrap_or_else(|e| panic!("{e}"));
        one.push(t.elapsed());
        assert_eq!(r.rendered, ["r7"]);
    }

    println!(
        "resellers: {n}, pages per full build: {pages} ({} per reseller)",
        pages / n.max(1)
    );
    println!(
        "full build:         {:>8.3} s  ({:.0} pages/s)",
        full_t.as_secs_f64(),
        pages as f64 / full_t.as_secs_f64()
    );
    println!("no-op rebuild:      {:>8.3} s", median(noop).as_secs_f64());
    println!("one-reseller change:{:>8.3} s", median(one).as_secs_f64());
}
