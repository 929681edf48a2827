//! Pricing one order line from a published snapshot: what the customer pays
//! (net, tax, gross) and what every level pays the one above. The search
//! page, the quote and the order all price from the same snapshot, so the
//! price a customer saw is the price they pay.

use crate::catalogue::Action;
use crate::locale::Locale;
use crate::money::{Money, Rounding};
use crate::names::{self, NameError};
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
    #[error("the registry prices this name in another currency")]
    PremiumCurrency,
}

impl QuoteError {
    pub fn code(&self) -> &'static str {
        match self {
            QuoteError::Name(e) => e.code(),
            QuoteError::NotSold(_) => "extension_not_sold",
            QuoteError::Years { .. } => "years_out_of_range",
            QuoteError::NoPrice { .. } => "action_not_offered",
            QuoteError::PremiumCurrency => "premium_currency",
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
            (QuoteError::PremiumCurrency, Locale::Id) => {
                "Nama premium ini tidak dapat dipesan di toko ini.".into()
            }
            (QuoteError::PremiumCurrency, Locale::Pl) => {
                "Tej domeny premium nie można zamówić w tym sklepie.".into()
            }
            (QuoteError::PremiumCurrency, _) => {
                "This premium name cannot be ordered in this shop.".into()
            }
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

/// Price one line. `premium` is the registry's own price per year for this
/// name and action, when it has one: the price is then built up the chain
/// from it, as the price list is built up from the plan.
pub fn price_line(
    s: &Snapshot,
    group: &str,
    input: &str,
    action: Action,
    years: u8,
    premium: Option<Money>,
    today: NaiveDate,
) -> Result<PricedLine, QuoteError> {
    let (domain, display, ext) = parse_domain(s, input)?;
    if let Some(rules) = s.rules.get(&ext)
        && (years < rules.years.min || years > rules.years.max)
    {
        return Err(QuoteError::Years {
            ext,
            min: rules.years.min,
            max: rules.years.max,
        });
    }
    let (price, costs, promotion) = match premium {
        Some(per_year) => {
            let total = Money::new(
                per_year.amount() * Decimal::from(years),
                per_year.currency(),
            );
            let costs =
                premium_costs(s, &ext, action, years, total).ok_or(QuoteError::PremiumCurrency)?;
            let price = s
                .premium_price(group, &ext, action, years, total)
                .ok_or(QuoteError::PremiumCurrency)?;
            (price, costs, None)
        }
        None => {
            let sheet = s
                .prices
                .groups
                .get(group)
                .or_else(|| s.prices.groups.get("default"))
                .and_then(|g| g.get(&ext))
                .ok_or_else(|| QuoteError::NoPrice {
                    ext: ext.clone(),
                    action,
                })?;
            let period = sheet
                .price(action, years)
                .ok_or_else(|| QuoteError::NoPrice {
                    ext: ext.clone(),
                    action,
                })?;
            // A promotion is a first-year price: it applies to one-year
            // orders within its dates.
            let promo = sheet
                .promotions
                .iter()
                .find(|p| p.action == action && years == 1 && p.from <= today && today <= p.until);
            match promo {
                Some(p) => (
                    p.price,
                    period.costs.clone(),
                    Some(p.label.get(s.default_language()).to_string()),
                ),
                None => (period.price, period.costs.clone(), None),
            }
        }
    };
    let b = s
        .tax
        .breakdown(Money::new(price, s.currency), s.tax_display)
        .map_err(|_| QuoteError::NoPrice {
            ext: ext.clone(),
            action,
        })?;
    Ok(PricedLine {
        domain,
        display,
        ext,
        action,
        years,
        premium: premium.is_some(),
        promotion,
        net: b.net.amount(),
        tax: b.tax.amount(),
        gross: b.gross.amount(),
        costs,
    })
}

/// What each level pays the one above for a premium name, the seller first:
/// the top reseller pays the registry's price (rounded up to the currency),
/// and each level below pays its parent's rule applied to that, never below
/// cost — the same steps as `Snapshot::premium_price`.
pub fn premium_costs(
    s: &Snapshot,
    ext: &str,
    action: Action,
    years: u8,
    registry: Money,
) -> Option<Vec<Decimal>> {
    if registry.currency() != s.currency {
        return None;
    }
    let mut cost = registry.round(Rounding::Up).amount();
    let mut top_first = vec![cost];
    for level in s.levels.iter().skip(1) {
        let mut rule = level.buys_at.clone()?;
        rule.overrides.clear();
        cost = rule.apply(ext, action, years, cost, s.currency).max(cost);
        top_first.push(cost);
    }
    top_first.reverse();
    Some(top_first)
}
