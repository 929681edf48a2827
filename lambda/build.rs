//! Identical code folding for the optimised binaries: monomorphised
//! generics leave many byte-identical functions, and the linker keeps one
//! (about 1% of each binary). Rust does not promise distinct addresses for
//! distinct functions, and rustc folds them itself on Windows (/OPT:ICF).
//!
//! `--icf` is an LLD option: the linker of Rust's x86_64 Linux target, and
//! of cargo-lambda's builds (zig). Debug and test builds link as before.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let optimised = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    if linux && optimised {
        println!("cargo::rustc-link-arg-bins=-Wl,--icf=all");
    }
}
