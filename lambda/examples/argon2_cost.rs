//! What one argon2id hash costs at the deployed parameters
//! (`AccountsConfig::default()`), in the profile this is built with: the
//! accounts function pays it on every sign-in. `scripts/bench-lambda` runs
//! it under the `lambda` profile, where the password hash crates are built
//! at opt-level 3 rather than the size-first "z" of the rest.

use std::time::{Duration, Instant};
use storefront_functions::accounts::AccountsConfig;
use storefront_functions::accounts::passwords::Hasher;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(15);
    let hasher = Hasher::new(&AccountsConfig::default());
    hasher.hash("warm up".into()).await?;
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for n in 0..runs {
        let start = Instant::now();
        hasher.hash(format!("kopi tubruk {n}")).await?;
        times.push(start.elapsed());
    }
    times.sort_unstable();
    println!(
        "argon2id hash (m=19 MiB, t=2, p=1): median {:.1} ms, min {:.1} ms, max {:.1} ms over {runs}",
        times[runs / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[runs - 1].as_secs_f64() * 1e3,
    );
    Ok(())
}
