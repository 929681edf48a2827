//! Orders and domains as stored. An order's life is decided in
//! `storefront_core::order`; the domains it makes are kept here.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use storefront_core::Currency;
pub use storefront_core::order::{
    CodeUse, Correction, Event, Line, LineEvent, LineExtras, LineState, Order, OrderEvent,
    OrderState, Outcome, Paperwork, Payment, action_name,
};

/// Decided in core, as the four lists people see domains in.
pub use storefront_core::domain::DomainStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub name: String,
    pub display: String,
    pub ext: String,
    pub reseller: String,
    pub customer: String,
    pub status: DomainStatus,
    pub expires: chrono::NaiveDate,
    pub auto_renew: bool,
    pub premium: bool,
    /// The registry's own renewal price per year, for premium names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premium_renew: Option<(Currency, Decimal)>,
    /// The open renewal order, so the scheduler makes one per period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_order: Option<String>,
    pub history: Vec<Event>,
}
