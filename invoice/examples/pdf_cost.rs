//! What the first invoice a process renders costs, against the next ones:
//! the first also inflates the embedded fonts (build.rs deflates them).
//!
//!   cargo run --profile lambda -p storefront-invoice --example pdf_cost [N]
//!
//! Prints the first render, then the median, min and max of N more
//! (default 25), each of the fixtures' proforma as PDF.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;
use storefront_core::Locale;

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(25);
    let invoice = common::nusantara();
    let time = || {
        let start = Instant::now();
        let pdf = storefront_invoice::render_pdf(&invoice, Locale::Id).expect("renders");
        assert!(pdf.starts_with(b"%PDF-"));
        start.elapsed().as_secs_f64() * 1e3
    };
    let first = time();
    let mut rest: Vec<f64> = (0..runs).map(|_| time()).collect();
    rest.sort_by(f64::total_cmp);
    println!(
        "first PDF (fonts inflated): {first:.1} ms; then median {:.1} ms, min {:.1} ms, max {:.1} ms over {runs}",
        rest[runs / 2],
        rest[0],
        rest[runs - 1]
    );
}
