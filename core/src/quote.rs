//! Pricing one order line from a published snapshot: what the customer pays
//! (net, tax, gross) and what every level pays the one above. The search
//! page, the quote and the order all price from the same snapshot, so the
//! price a customer saw is the price they pay.

use crate::catalogue::Action;
use crate::locale::Locale;
use crate::money::Money;
use crate::names::{self, NameError};
use crate::price::{self, Ask, CodeProblem};
use crate::snapshot::Snapshot;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A priced line, with the legs' amounts. `costs` never leave the server:
/// a customer must not learn what its reseller pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    /// ASCII (punycode).
    pub domain: String,
    /// For people.
    pub display: String,
    pub ext: String,
    pub action: Action,
    pub years: u8,
    pub premium: bool,
    /// The promotion applied, if any.
    pub promotion: Option<String>,
    /// The discount code applied, if any.
    #[serde(default)]
    pub code: Option<String>,
    /// The amount the storefront shows for this line (gross when prices
    /// are shown with tax, net when without); an order shares the tax out
    /// over its lines from these.
    #[serde(with = "rust_decimal::serde::str")]
    pub shown: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
    /// What each reseller pays its parent, the seller first.
    #[serde(with = "decimal_vec")]
    pub costs: Vec<Decimal>,
}

mod decimal_vec {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
        v.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
        Vec::<String>::deserialize(d)?
            .into_iter()
            .map(|s| s.parse().map_err(serde::de::Error::custom))
            .collect()
    }
}

/// Why a line cannot be priced, naming what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("{0}")]
    Name(NameError),
    #[error("this shop does not sell .{0}")]
    NotSold(String),
    #[error("{ext} is sold for {min} to {max} years")]
    Years { ext: String, min: u8, max: u8 },
    #[error("this shop does not offer {action:?} for .{ext}")]
    NoPrice { ext: String, action: Action },
    /// The seller's price is below what it now pays (a price above it
    /// rose): not on sale until it re-prices.
    #[error(".{ext} {action:?} is not on sale until the shop updates its price")]
    Suspended { ext: String, action: Action },
    #[error("the registry prices this name in another currency")]
    PremiumCurrency,
    #[error("discount code {code}: {problem:?}")]
    Code { code: String, problem: CodeProblem },
}

impl QuoteError {
    pub fn code(&self) -> &'static str {
        match self {
            QuoteError::Name(e) => e.code(),
            QuoteError::NotSold(_) => "extension_not_sold",
            QuoteError::Years { .. } => "years_out_of_range",
            QuoteError::NoPrice { .. } => "action_not_offered",
            QuoteError::Suspended { .. } => "not_on_sale",
            QuoteError::PremiumCurrency => "premium_currency",
            QuoteError::Code { .. } => "discount_code",
        }
    }

    pub fn message(&self, lang: Locale) -> String {
        match (self, lang) {
            (QuoteError::Name(e), _) => e.message(lang),
            (QuoteError::NotSold(ext), Locale::Id) => format!("Toko ini tidak menjual .{ext}."),
            (QuoteError::NotSold(ext), Locale::Pl) => {
                format!("Ten sklep nie sprzedaje domen .{ext}.")
            }
            (QuoteError::NotSold(ext), _) => format!("This shop does not sell .{ext} names."),
            (QuoteError::Years { ext, min, max }, Locale::Id) => {
                format!(".{ext} dapat didaftarkan {min} sampai {max} tahun.")
            }
            (QuoteError::Years { ext, min, max }, Locale::Pl) => {
                format!("Domenę .{ext} można zamówić na {min} do {max} lat.")
            }
            (QuoteError::Years { ext, min, max }, _) => {
                format!(".{ext} names are sold for {min} to {max} years.")
            }
            (QuoteError::NoPrice { ext, .. }, Locale::Id) => {
                format!("Layanan ini tidak tersedia untuk .{ext}.")
            }
            (QuoteError::NoPrice { ext, .. }, Locale::Pl) => {
                format!("Ta usługa nie jest dostępna dla .{ext}.")
            }
            (QuoteError::NoPrice { ext, .. }, _) => {
                format!("This service is not offered for .{ext} names.")
            }
            (QuoteError::Suspended { ext, .. }, Locale::Id) => format!(
                ".{ext} sedang tidak dijual untuk sementara: toko sedang memperbarui harganya. Silakan coba lagi nanti."
            ),
            (QuoteError::Suspended { ext, .. }, Locale::Pl) => format!(
                "Domeny .{ext} chwilowo nie są w sprzedaży: sklep aktualizuje ich cenę. Spróbuj ponownie później."
            ),
            (QuoteError::Suspended { ext, .. }, _) => format!(
                ".{ext} names are not on sale for the moment: the shop is updating their price. Please try again later."
            ),
            (QuoteError::PremiumCurrency, Locale::Id) => {
                "Nama premium ini tidak dapat dipesan di toko ini.".into()
            }
            (QuoteError::PremiumCurrency, Locale::Pl) => {
                "Tej domeny premium nie można zamówić w tym sklepie.".into()
            }
            (QuoteError::PremiumCurrency, _) => {
                "This premium name cannot be ordered in this shop.".into()
            }
            (QuoteError::Code { code, problem }, lang) => code_message(code, *problem, lang),
        }
    }
}

fn code_message(code: &str, problem: CodeProblem, lang: Locale) -> String {
    match (problem, lang) {
        (CodeProblem::Unknown, Locale::Id) => format!("Kode diskon {code} tidak dikenal."),
        (CodeProblem::Unknown, Locale::Pl) => format!("Nie znamy kodu rabatowego {code}."),
        (CodeProblem::Unknown, _) => format!("The discount code {code} is not known."),
        (CodeProblem::NotYet, Locale::Id) => format!("Kode diskon {code} belum berlaku."),
        (CodeProblem::NotYet, Locale::Pl) => format!("Kod rabatowy {code} jeszcze nie obowiązuje."),
        (CodeProblem::NotYet, _) => format!("The discount code {code} is not valid yet."),
        (CodeProblem::Ended, Locale::Id) => format!("Kode diskon {code} sudah berakhir."),
        (CodeProblem::Ended, Locale::Pl) => format!("Kod rabatowy {code} już wygasł."),
        (CodeProblem::Ended, _) => format!("The discount code {code} has ended."),
        (CodeProblem::NotHere, Locale::Id) => {
            format!("Kode diskon {code} tidak berlaku untuk item di keranjang Anda.")
        }
        (CodeProblem::NotHere, Locale::Pl) => {
            format!("Kod rabatowy {code} nie dotyczy pozycji w koszyku.")
        }
        (CodeProblem::NotHere, _) => {
            format!("The discount code {code} does not apply to the items in your cart.")
        }
    }
}

/// A domain as typed, checked against the shop's extensions and the
/// registry's label rules: (ASCII domain, display form, extension).
pub fn parse_domain(s: &Snapshot, input: &str) -> Result<(String, String, String), QuoteError> {
    let exts = s.extensions();
    let q = names::parse_query(input, &exts).map_err(QuoteError::Name)?;
    let Some(ext) = q.extension.clone() else {
        return Err(QuoteError::Name(NameError::Empty));
    };
    if !exts.contains(&ext.as_str()) {
        return Err(QuoteError::NotSold(ext));
    }
    if let Some(rules) = s.rules.get(&ext) {
        names::check_label_length(&q, rules.label_min, rules.label_max)
            .map_err(QuoteError::Name)?;
        names::check_idn_allowed(&q, &ext, rules.idn).map_err(QuoteError::Name)?;
    }
    Ok((q.domain(&ext), q.unicode_domain(&ext), ext))
}

/// Price one line of a cart, as typed: the name is checked, then priced by
/// [`price::price`], the one pricing function.
#[allow(clippy::too_many_arguments)]
pub fn price_line(
    s: &Snapshot,
    group: &str,
    input: &str,
    action: Action,
    years: u8,
    premium: Option<Money>,
    code: Option<&str>,
    today: NaiveDate,
) -> Result<PricedLine, QuoteError> {
    let (domain, display, ext) = parse_domain(s, input)?;
    let p = price::price(
        s,
        &Ask {
            ext: &ext,
            action,
            years,
            group,
            today,
            premium,
            code,
        },
    )?;
    Ok(PricedLine {
        domain,
        display,
        ext,
        action,
        years,
        premium: premium.is_some(),
        promotion: p.promotion_label(s.default_language()),
        code: p.code,
        shown: p.shown,
        net: p.alone.net.amount(),
        tax: p.alone.tax.amount(),
        gross: p.alone.gross.amount(),
        costs: p.costs,
    })
}
