//! storefront-generator: content and a theme in, branded static storefronts
//! out. Load -> check -> render (parallel, incremental) -> write.

pub mod brand;
pub mod content;
pub mod diagnostics;
pub mod markdown;
pub mod pipeline;
pub mod render;
pub mod scaffold;
pub mod seller;
pub mod snapshot;
pub mod theme;
pub mod validate;

pub use diagnostics::{Diagnostic, Diagnostics};
pub use pipeline::{
    BuildError, BuildOptions, BuildReport, Checkout, Paths, build, check, check_strict, check_with,
};
pub use validate::Strict;
