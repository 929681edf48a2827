//! The price of one line: the one function every page, answer, quote, order,
//! renewal and invoice gets a customer price from.
//!
//! What a price-list number means: the reseller's rules (markup, rounding,
//! endings, overrides, promotions, codes) produce the amount the storefront
//! *shows*. On a storefront that shows prices including tax, that amount is
//! the gross the checkout charges and the net is derived from it; on one that
//! shows prices excluding tax, it is the net and the tax is added at
//! checkout. What a level pays the one above it (plan prices, sub-reseller
//! prices, a premium name's registry price) is always net. So a level sells
//! at a loss exactly when the net of what it shows is below what it pays,
//! and [`floor`] is the least it may show.

use crate::catalogue::Action;
use crate::locale::Locale;
use crate::money::{Currency, Money, Rounding, Tax, TaxBreakdown, TaxDisplay};
use crate::pricing::{DiscountCode, PriceRule, PromoPrice};
use crate::quote::QuoteError;
use crate::snapshot::Snapshot;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// What is to be priced.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'a> {
    /// ASCII, without the leading dot.
    pub ext: &'a str,
    pub action: Action,
    pub years: u8,
    /// The customer's price group: `default` for the public pages and for
    /// anyone signed out; an unknown group prices as `default`.
    pub group: &'a str,
    /// Today in the storefront's time zone.
    pub today: NaiveDate,
    /// The registry's own price per year for a premium name.
    pub premium: Option<Money>,
    /// A discount code as the customer typed it.
    pub code: Option<&'a str>,
}

/// A priced line, before an order shares the tax out over its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    /// What the storefront shows for the line, and what it charges before
    /// tax is shared out: gross when prices are shown with tax, net when
    /// without.
    pub shown: Decimal,
    /// The regular price shown, when a promotion or a code lowered it.
    pub regular: Option<Decimal>,
    /// The line taxed on its own.
    pub alone: TaxBreakdown,
    /// What each level pays the one above (net), the seller first.
    pub costs: Vec<Decimal>,
    /// The promotion that set the price, when one did.
    pub promotion: Option<PromoPrice>,
    /// The code that set the price, as the shop spells it, when one did.
    pub code: Option<String>,
}

impl Priced {
    pub fn promotion_label(&self, lang: Locale) -> Option<String> {
        self.promotion
            .as_ref()
            .map(|p| p.label.get(lang).to_string())
    }
}

/// Why a discount code does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeProblem {
    Unknown,
    NotYet,
    Ended,
    /// Not for this extension or this action.
    NotHere,
}

/// The net in an amount shown on a storefront.
pub fn net_of(tax: &Tax, display: TaxDisplay, currency: Currency, shown: Decimal) -> Decimal {
    tax.breakdown(Money::new(shown, currency), display)
        .map(|b| b.net.amount())
        .unwrap_or(shown)
}

/// An amount shown on this storefront split into net, tax and gross (the
/// line taxed alone): what pages and answers print beside a price.
pub fn taxed(s: &Snapshot, shown: Decimal) -> Option<TaxBreakdown> {
    s.tax
        .breakdown(Money::new(shown, s.currency), s.tax_display)
        .ok()
}

/// The least a storefront may show for something it pays `cost` (net) for:
/// the smallest amount on the currency's grid whose net covers the cost.
pub fn floor(tax: &Tax, display: TaxDisplay, currency: Currency, cost: Decimal) -> Decimal {
    let cost = Money::new(cost, currency).round(Rounding::Up).amount();
    let mut shown = match display {
        TaxDisplay::Exclusive => return cost,
        TaxDisplay::Inclusive => tax
            .try_on_net(Money::new(cost, currency))
            .map(|b| b.gross.amount())
            .unwrap_or(cost),
    };
    // Taking the tax back out of a rounded gross can lose a minor unit;
    // two steps always suffice, the loop only guards the arithmetic.
    for _ in 0..4 {
        if net_of(tax, display, currency, shown) >= cost {
            break;
        }
        shown += currency.minor_unit();
    }
    shown
}

/// A premium name's price at one level: the rule's markup on what the level
/// pays (fixed overrides are for standard prices), never below `floor`.
fn premium_at(
    rule: &PriceRule,
    ask: &Ask<'_>,
    cost: Decimal,
    currency: Currency,
    floor: Decimal,
) -> Decimal {
    rule.markup(ask.action, ask.years, cost, currency)
        .max(floor)
}

/// The periods the registry allows for the action (one year for transfers).
fn check_years(s: &Snapshot, ask: &Ask<'_>) -> Result<(), QuoteError> {
    let Some(rules) = s.rules.get(ask.ext) else {
        return Ok(());
    };
    let periods = ask.action.periods(rules.years);
    if periods.contains(&ask.years) {
        return Ok(());
    }
    Err(QuoteError::Years {
        ext: ask.ext.to_string(),
        min: periods.first().copied().unwrap_or(1),
        max: periods.last().copied().unwrap_or(1),
    })
}

/// The code the customer typed, if it applies to this line: an unknown,
/// not yet valid or ended code is an error; a code for other extensions or
/// actions just does not apply to this line (a cart may mix them).
fn code_for<'s>(
    s: &'s Snapshot,
    ask: &Ask<'_>,
    typed: &str,
) -> Result<Option<&'s DiscountCode>, QuoteError> {
    let problem = |p| QuoteError::Code {
        code: typed.trim().to_string(),
        problem: p,
    };
    let code = s
        .discount_codes
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(typed.trim()))
        .ok_or_else(|| problem(CodeProblem::Unknown))?;
    if ask.today < code.from {
        return Err(problem(CodeProblem::NotYet));
    }
    if ask.today > code.until {
        return Err(problem(CodeProblem::Ended));
    }
    if (!code.extensions.is_empty() && !code.extensions.iter().any(|e| e == ask.ext))
        || (!code.actions.is_empty() && !code.actions.contains(&ask.action))
    {
        return Ok(None);
    }
    Ok(Some(code))
}

/// Price one line for one customer group, today.
///
/// A promotion is a first-year price: it applies to one-year orders of its
/// action within its dates. A code takes its percentage off the regular
/// price; codes do not stack with a promotion, and the customer gets the
/// lower of the two. Neither ever takes the price below what the seller
/// pays: a discount comes only out of the seller's own margin.
pub fn price(s: &Snapshot, ask: &Ask<'_>) -> Result<Priced, QuoteError> {
    let ext = ask.ext;
    if !s
        .groups
        .iter()
        .any(|g| g.extensions.iter().any(|e| e == ext))
    {
        return Err(QuoteError::NotSold(ext.to_string()));
    }
    check_years(s, ask)?;
    let no_price = || QuoteError::NoPrice {
        ext: ext.to_string(),
        action: ask.action,
    };
    let currency = s.currency;
    let seller_floor = |cost: Decimal| floor(&s.tax, s.tax_display, currency, cost);
    let (regular, costs, promotion) = match ask.premium {
        Some(per_year) => {
            if per_year.currency() != currency {
                return Err(QuoteError::PremiumCurrency);
            }
            // The top reseller pays the registry's price, rounded up to the
            // currency; each level below pays its parent's rule applied to
            // that, never below cost.
            let mut cost = Money::new(per_year.amount() * Decimal::from(ask.years), currency)
                .round(Rounding::Up)
                .amount();
            let mut top_first = vec![cost];
            for level in s.levels.iter().skip(1) {
                let rule = level.buys_at.as_ref().ok_or_else(no_price)?;
                cost = premium_at(rule, ask, cost, currency, cost);
                top_first.push(cost);
            }
            let rule = s
                .customer_rules
                .get(ask.group)
                .or_else(|| s.customer_rules.get("default"))
                .ok_or_else(no_price)?;
            let shown = premium_at(rule, ask, cost, currency, seller_floor(cost));
            top_first.reverse();
            (shown, top_first, None)
        }
        None => {
            // The group that prices this customer: an unknown one prices as
            // `default`.
            let group = if s.customer_rules.contains_key(ask.group) {
                ask.group
            } else {
                "default"
            };
            if s.prices.is_suspended(group, ext, ask.action) {
                return Err(QuoteError::Suspended {
                    ext: ext.to_string(),
                    action: ask.action,
                });
            }
            let sheet_of = |g: &str| s.prices.groups.get(g).and_then(|g| g.get(ext));
            let sheet = sheet_of(ask.group)
                .or_else(|| sheet_of("default"))
                .ok_or_else(no_price)?;
            let period = sheet.price(ask.action, ask.years).ok_or_else(no_price)?;
            // Promotions are published with the public (default) prices.
            let promo = sheet_of("default")
                .into_iter()
                .flat_map(|d| d.promotions.iter())
                .filter(|p| {
                    p.action == ask.action
                        && ask.years == 1
                        && p.from <= ask.today
                        && ask.today <= p.until
                        && p.price < period.price
                })
                .min_by_key(|p| p.price);
            (period.price, period.costs.clone(), promo.cloned())
        }
    };
    let least = seller_floor(costs[0]);
    let typed = ask.code.filter(|c| !c.trim().is_empty());
    let by_code = match typed.map(|t| code_for(s, ask, t)).transpose()?.flatten() {
        None => None,
        Some(code) => {
            let off = regular * (Decimal::ONE_HUNDRED - code.percent_off.0) / Decimal::ONE_HUNDRED;
            let off = Money::new(off, currency).round(Rounding::Up).amount();
            Some((off.max(least).min(regular), code.code.clone()))
        }
    };
    let by_promo = promotion.as_ref().map(|p| p.price.max(least));
    let (shown, promotion, code) = match (by_promo, by_code) {
        (Some(p), Some((c, code))) if c < p => (c, None, Some(code)),
        (Some(p), _) => (p, promotion, None),
        (None, Some((c, code))) => (c, None, Some(code)),
        (None, None) => (regular, None, None),
    };
    let alone = s
        .tax
        .breakdown(Money::new(shown, currency), s.tax_display)
        .map_err(|_| no_price())?;
    Ok(Priced {
        shown,
        regular: (shown != regular).then_some(regular),
        alone,
        costs,
        promotion,
        code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn ppn() -> Tax {
        Tax {
            label: "PPN".into(),
            percent: dec!(11),
            rounding: Default::default(),
        }
    }

    #[test]
    fn the_floor_is_the_least_gross_whose_net_covers_the_cost() {
        let t = ppn();
        let f = floor(&t, TaxDisplay::Inclusive, Currency::IDR, dec!(259_460));
        assert_eq!(f, dec!(288_001));
        assert!(net_of(&t, TaxDisplay::Inclusive, Currency::IDR, f) >= dec!(259_460));
        assert!(net_of(&t, TaxDisplay::Inclusive, Currency::IDR, f - dec!(1)) < dec!(259_460));
        assert_eq!(
            floor(&t, TaxDisplay::Exclusive, Currency::IDR, dec!(259_460)),
            dec!(259_460)
        );
    }
}
