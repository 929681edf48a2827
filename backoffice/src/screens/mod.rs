//! The back office's screens, one module each: their handlers read the
//! form, call the editors (`crate::prices`, `crate::brand`...) and render.

pub(crate) mod brand;
pub(crate) mod pages;
pub(crate) mod prices;
pub(crate) mod publishing;
pub(crate) mod settings;
