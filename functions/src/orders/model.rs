//! Orders and domains as stored.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use storefront_core::Currency;
use storefront_core::catalogue::Action;
use storefront_core::ledger::{Funds, Leg};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Payment {
    /// From the customer's wallet, at once.
    Wallet,
    /// The customer transfers to the reseller's bank account; the reseller
    /// marks the order paid.
    BankTransfer,
}

/// Where one line stands with the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// Not paid yet.
    AwaitingPayment,
    /// Paid (funds held); not sent to the registry yet.
    Paid,
    /// Sent; the registry has not answered clearly yet.
    Provisioning,
    Active,
    Failed,
    Refunded,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// `<order id>-<n>`: also the registry operation's id.
    pub id: String,
    pub domain: String,
    pub display: String,
    pub ext: String,
    pub action: Action,
    pub years: u8,
    pub premium: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion: Option<String>,
    /// For transfers; never shown back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_code: Option<String>,
    /// For premium registrations: the registry's renewal price per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premium_renew: Option<(Currency, Decimal)>,
    /// For renewals: the expiry the renewal starts from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_expiry: Option<chrono::NaiveDate>,
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
    pub legs: Vec<Leg>,
    pub funds: Funds,
    pub status: LineStatus,
    /// When it was last sent to the registry (RFC 3339); a line sent and not
    /// answered is only looked up after a while, so two workers never race
    /// one registry call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    AwaitingPayment,
    /// Paid, with lines still at the registry.
    Provisioning,
    /// Every line is done: active, or failed and released.
    Completed,
    Failed,
    Cancelled,
    Refunded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Event {
    pub at: String,
    pub by: String,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub reseller: String,
    pub customer: String,
    /// The resellers, top first, the seller last.
    pub chain: Vec<String>,
    pub currency: Currency,
    /// The price-list version it was priced from.
    pub price_version: String,
    pub payment: Payment,
    pub lines: Vec<Line>,
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
    pub created_at: String,
    /// For bank transfers: pay by this date (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proforma: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<String>,
    /// Made by the scheduler to renew a domain.
    #[serde(default)]
    pub renewal: bool,
    #[serde(default)]
    pub cancelled: bool,
    /// The discount code use this order took, if its code has limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_use: Option<super::codes::CodeUse>,
    pub history: Vec<Event>,
}

impl Order {
    pub fn state(&self) -> OrderState {
        use LineStatus::*;
        if self.cancelled || self.lines.iter().all(|l| l.status == Cancelled) {
            return OrderState::Cancelled;
        }
        if self.lines.iter().all(|l| l.status == AwaitingPayment) {
            return OrderState::AwaitingPayment;
        }
        if self
            .lines
            .iter()
            .any(|l| matches!(l.status, Paid | Provisioning | AwaitingPayment))
        {
            return OrderState::Provisioning;
        }
        if self.lines.iter().all(|l| l.status == Failed) {
            return OrderState::Failed;
        }
        if self
            .lines
            .iter()
            .all(|l| matches!(l.status, Refunded | Failed))
        {
            return OrderState::Refunded;
        }
        OrderState::Completed
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    Active,
    Expired,
    AwaitingDocuments,
    Deleted,
}

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
