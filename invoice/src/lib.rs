//! storefront-invoice: proforma and tax invoices.
//!
//! An [`Invoice`] is plain data: who sells, who buys, the lines as the
//! seller priced them, the tax, and for a proforma where to pay. This crate
//! computes its totals exactly ([`Invoice::totals`]) and lays it out as a
//! printable HTML page ([`render_html`]) or an A4 PDF ([`render_pdf`]) in
//! English, Indonesian or Polish. No I/O: numbering against the store,
//! storing the invoice (as JSON) and sending it are the caller's.

mod html;
mod labels;
mod pdf;
mod totals;
mod view;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use storefront_core::money::{Currency, Tax, TaxDisplay};

pub use html::{render_html, render_html_duplicate};
pub use pdf::{PdfError, render_pdf, render_pdf_duplicate};
pub use totals::{LineTotals, Totals};

/// What the document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A request for payment before the service; not a tax document.
    Proforma,
    /// A tax invoice for one order.
    Tax,
    /// A tax invoice gathering a month's orders; see [`Invoice::period`].
    MonthlyTax,
    /// Corrects a tax invoice (a refund, a deleted name): its lines are
    /// the amounts taken back, negative; see [`Invoice::corrects`].
    Correction,
}

/// An invoice as it is issued. Stored by the caller as JSON and read back
/// unchanged, so every field is data, not a reference into the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    pub kind: Kind,
    /// Formatted by [`number`]; gapless per series, which the caller
    /// guarantees.
    pub number: String,
    pub issued: NaiveDate,
    pub due: Option<NaiveDate>,
    /// First and last day covered, for a [`Kind::MonthlyTax`] invoice.
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub seller: Party,
    pub buyer: Party,
    pub currency: Currency,
    /// One rate per invoice: the storefront's.
    pub tax: Tax,
    /// Whether [`Line::unit`] includes the tax.
    pub display: TaxDisplay,
    pub lines: Vec<Line>,
    /// Where to pay, for a proforma.
    pub payment: Option<PaymentInfo>,
    #[serde(default)]
    pub notes: Vec<String>,
    /// The invoice a [`Kind::Correction`] corrects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<Corrects>,
}

/// The invoice a correction refers to, as printed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Corrects {
    pub number: String,
    pub issued: NaiveDate,
}

/// The seller or the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// A person's name, or the contact at a company.
    pub name: String,
    pub company: Option<String>,
    /// NPWP in Indonesia, NIP in Poland, VAT number elsewhere.
    pub tax_id: Option<String>,
    /// Address lines as they are printed, top to bottom.
    #[serde(default)]
    pub address: Vec<String>,
    pub email: Option<String>,
}

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub description: String,
    pub quantity: u32,
    /// The unit price as the seller shows it: net when the invoice's
    /// display is exclusive, gross when inclusive. A string in JSON, like
    /// every amount.
    #[serde(with = "storefront_core::money::decimal_serde")]
    pub unit: Decimal,
    /// The tax of the whole line as it was already charged: an order's
    /// share of the tax on its total (`Tax::allocate`). When every line
    /// carries one, the invoice prints those and adds them up, so it
    /// agrees to the minor unit with what the wallet paid even when some
    /// of the order's lines failed. None: the invoice shares its tax out
    /// itself.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub tax: Option<Decimal>,
}

/// A bank account a proforma can be paid into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankAccount {
    pub bank: String,
    pub holder: String,
    /// As printed: an IBAN, or a local account number.
    pub number: String,
}

/// How to pay a proforma: into any of the accounts, quoting the reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentInfo {
    pub accounts: Vec<BankAccount>,
    pub reference: String,
}

/// An invoice number: `number("INV", 2026, 123)` is `INV/2026/000123`.
///
/// Six digits, zero-padded, so numbers sort as text within a year; a
/// series past 999999 simply gets longer. Which sequence number comes next
/// (gapless per prefix and year) is for the caller to decide against the
/// store.
pub fn number(prefix: &str, year: i32, seq: u64) -> String {
    format!("{prefix}/{year}/{seq:06}")
}
