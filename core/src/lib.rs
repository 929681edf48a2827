//! storefront-core: what a domain shop is. Money, domain names, the
//! extension catalogue and the pricing chain. Pure functions and data: no
//! I/O, so that the generator, the API and the tests all decide the same way.

pub mod announcement;
pub mod application;
pub mod catalogue;
pub mod dates;
pub mod documents;
pub mod domain;
pub mod ledger;
pub mod locale;
pub mod money;
pub mod names;
pub mod order;
pub mod own_domain;
pub mod phone;
pub mod price;
pub mod pricing;
pub mod quote;
pub mod snapshot;
pub mod suspension;
pub mod tax_id;

pub use locale::Locale;
pub use money::{Currency, Money};
