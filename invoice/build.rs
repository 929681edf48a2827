//! The embedded fonts, deflated: they are most of what invoice rendering
//! adds to a binary (1.4 MB as TrueType, about half that deflated), and
//! they are inflated once, on the first invoice a process renders.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set by cargo"));
    for name in ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"] {
        let source = PathBuf::from("fonts").join(name);
        println!("cargo::rerun-if-changed={}", source.display());
        let data =
            std::fs::read(&source).unwrap_or_else(|e| panic!("reading {}: {e}", source.display()));
        let packed = miniz_oxide::deflate::compress_to_vec(&data, 9);
        std::fs::write(out.join(format!("{name}.deflate")), packed)
            .unwrap_or_else(|e| panic!("writing {name}.deflate: {e}"));
    }
}
