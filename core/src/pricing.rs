//! The pricing chain: from the platform's plan price to the price a customer
//! pays, through every reseller level in between.
//!
//! A reseller at the top buys at a platform plan. It sets prices for its
//! customers (per price group) and, for each sub-reseller plan it offers, the
//! price its sub-resellers pay it. A sub-reseller's cost is therefore its
//! parent's sub-reseller price, and so on down. Every level must sell at or
//! above what it pays: a price list where one would not is refused, naming the
//! extension, action and level, because that loss would be discovered only
//! when money moves.

use crate::Locale;
use crate::catalogue::{Action, Catalogue, Plan, StrDecimal, Translated};
use crate::money::{Currency, Money, Rounding, Tax, TaxDisplay};
use crate::price::net_of;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a reseller derives its selling price from what it pays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceRule {
    /// Added as a percentage of the cost.
    #[serde(default)]
    pub markup_percent: Option<StrDecimal>,
    /// Added per year (once for transfer and restore).
    #[serde(default)]
    pub markup_fixed: Option<StrDecimal>,
    /// Round up to a multiple of this (e.g. "1000" for Rp 1.000).
    #[serde(default)]
    pub round_to: Option<StrDecimal>,
    /// Round up to the next price ending in this fraction (e.g. "0.99").
    #[serde(default)]
    pub ending: Option<StrDecimal>,
    /// Fixed selling prices, per year, that replace the rule for an extension:
    /// `overrides.com = { register = "175000" }`.
    #[serde(default)]
    pub overrides: BTreeMap<String, BTreeMap<Action, StrDecimal>>,
}

/// A reseller's pricing: for its customers by price group, and for its
/// sub-resellers by sub-reseller plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResellerPricing {
    /// Price groups for customers. `default` is what the public storefront shows.
    pub customers: BTreeMap<String, PriceRule>,
    /// Plans offered to sub-resellers.
    #[serde(default)]
    pub sub_resellers: BTreeMap<String, PriceRule>,
}

/// A time-limited price for customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Promotion {
    pub extensions: Vec<String>,
    pub action: Action,
    /// The first-year price during the promotion, net of tax...
    #[serde(default)]
    pub price: Option<StrDecimal>,
    /// ...or a percentage off the first-year price.
    #[serde(default)]
    pub percent_off: Option<StrDecimal>,
    #[serde(with = "crate::dates")]
    pub from: NaiveDate,
    #[serde(with = "crate::dates")]
    pub until: NaiveDate,
    pub label: Translated,
}

impl Promotion {
    pub fn is_active(&self, today: NaiveDate) -> bool {
        self.from <= today && today <= self.until
    }
}

/// A code a customer enters at checkout for a percentage off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscountCode {
    pub code: String,
    pub percent_off: StrDecimal,
    /// Empty means every extension.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Empty means every action.
    #[serde(default)]
    pub actions: Vec<Action>,
    #[serde(with = "crate::dates")]
    pub from: NaiveDate,
    #[serde(with = "crate::dates")]
    pub until: NaiveDate,
    /// How many orders may use the code in all; none: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_uses: Option<u32>,
    /// How many orders one customer may use it on; none: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_uses_per_customer: Option<u32>,
}

/// One level of the chain, from the top reseller down to the seller.
#[derive(Debug, Clone)]
pub struct Level<'a> {
    pub id: &'a str,
    pub pricing: &'a ResellerPricing,
    /// The sub-reseller plan this level buys at from the level above; None at
    /// the top, which buys at the platform plan.
    pub plan_at_parent: Option<&'a str>,
}

/// The price of one action for one period, at every level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodPrice {
    pub years: u8,
    /// What the customer pays, net of tax.
    pub price: Decimal,
    /// What each level pays the one above, from the seller up to the top
    /// reseller (which pays the platform). Order legs are made from these.
    pub costs: Vec<Decimal>,
}

/// A promotion's first-year price, for display and ordering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromoPrice {
    pub action: Action,
    pub price: Decimal,
    #[serde(with = "crate::dates")]
    pub from: NaiveDate,
    #[serde(with = "crate::dates")]
    pub until: NaiveDate,
    pub label: Translated,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionPrices {
    pub actions: BTreeMap<Action, Vec<PeriodPrice>>,
    #[serde(default)]
    pub promotions: Vec<PromoPrice>,
}

impl ExtensionPrices {
    pub fn price(&self, action: Action, years: u8) -> Option<&PeriodPrice> {
        self.actions.get(&action)?.iter().find(|p| p.years == years)
    }
}

/// Every price a seller charges, per customer price group and extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    pub currency: Currency,
    /// Price group -> extension -> prices.
    pub groups: BTreeMap<String, BTreeMap<String, ExtensionPrices>>,
    /// Lines not on sale now: a price above them rose after this seller
    /// last priced them, so selling would lose money. They have no entry
    /// in `groups` and come back when the seller re-prices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspended: Vec<Suspended>,
}

/// A line a seller may not sell until it re-prices (see `price_list`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Suspended {
    pub group: String,
    pub ext: String,
    pub action: Action,
}

impl PriceList {
    pub fn is_suspended(&self, group: &str, ext: &str, action: Action) -> bool {
        self.suspended
            .iter()
            .any(|s| s.group == group && s.ext == ext && s.action == action)
    }
}

/// Where a pricing problem is, so the caller can point at a file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A rule of this reseller: `pricing.customers.<group>` or `pricing.sub_resellers.<plan>`.
    Rule {
        level: String,
        path: Vec<String>,
    },
    Promotion {
        level: String,
        index: usize,
    },
    DiscountCode {
        level: String,
        index: usize,
    },
    Plan,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PricingError {
    pub origin: Origin,
    /// In English, as `storefront check` prints it.
    pub message: String,
    /// When the error is a price below cost: what, where and how much, for
    /// saying it in another language (the back office).
    pub loss: Option<Box<Loss>>,
}

fn rule_err(level: &str, path: &[&str], message: String) -> PricingError {
    PricingError {
        origin: Origin::Rule {
            level: level.to_string(),
            path: path.iter().map(|s| s.to_string()).collect(),
        },
        message,
        loss: None,
    }
}

/// Where a price below cost was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LossAt {
    /// A customer price group.
    Group(String),
    /// A sub-reseller plan.
    Plan(String),
    Promotion,
}

/// A price below what its seller pays, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    pub level: String,
    pub at: LossAt,
    pub ext: String,
    pub action: Action,
    pub years: u8,
    /// The price as set (shown to customers, or the plan's price).
    pub price: Decimal,
    /// Its net, when the price shown includes tax.
    pub net: Decimal,
    pub cost: Decimal,
    pub currency: Currency,
}

impl Loss {
    fn error(self, origin: Origin) -> PricingError {
        let message = if self.price == self.net {
            below_cost(
                &self.level,
                &self.ext,
                self.action,
                self.years,
                self.price,
                self.cost,
                self.currency,
            )
        } else {
            below_cost_shown(
                &self.level,
                &self.ext,
                self.action,
                self.years,
                self.price,
                self.net,
                self.cost,
                self.currency,
            )
        };
        PricingError {
            origin,
            message,
            loss: Some(Box::new(self)),
        }
    }

    /// What to fix, to the level that set the price, in `lang`: the
    /// extension, the action and the period, the group or plan, the price
    /// (and its net) and what it pays.
    pub fn message(&self, lang: Locale) -> String {
        let money = |d: Decimal| Money::new(d, self.currency).format(lang);
        let (price, cost) = (money(self.price), money(self.cost));
        let ext = &self.ext;
        let years = self.years;
        match lang {
            Locale::Id => {
                let action = match self.action {
                    Action::Register => "pendaftaran",
                    Action::Renew => "perpanjangan",
                    Action::Transfer => "transfer",
                    Action::Restore => "pemulihan",
                };
                let at = match &self.at {
                    LossAt::Group(g) => format!("grup harga '{g}'"),
                    LossAt::Plan(p) => format!("paket sub-reseller '{p}'"),
                    LossAt::Promotion => "promosi".into(),
                };
                let net = if self.price == self.net {
                    String::new()
                } else {
                    format!(" (neto {})", money(self.net))
                };
                format!(
                    ".{ext} {action} {years} tahun, {at}: {price}{net} di bawah {cost} yang Anda bayar. Pasang harga minimal sebesar itu."
                )
            }
            Locale::Pl => {
                let action = match self.action {
                    Action::Register => "rejestracja",
                    Action::Renew => "odnowienie",
                    Action::Transfer => "transfer",
                    Action::Restore => "przywrócenie",
                };
                let at = match &self.at {
                    LossAt::Group(g) => format!("grupa cenowa '{g}'"),
                    LossAt::Plan(p) => format!("plan dla sub-resellerów '{p}'"),
                    LossAt::Promotion => "promocja".into(),
                };
                let unit = match years {
                    1 => "rok",
                    n if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) => "lata",
                    _ => "lat",
                };
                let net = if self.price == self.net {
                    String::new()
                } else {
                    format!(" (netto {})", money(self.net))
                };
                format!(
                    ".{ext}, {action} na {years} {unit}, {at}: {price}{net} to mniej niż {cost}, które płacisz. Ustaw cenę co najmniej taką."
                )
            }
            _ => {
                let action = match self.action {
                    Action::Register => "registration",
                    Action::Renew => "renewal",
                    Action::Transfer => "transfer",
                    Action::Restore => "restore",
                };
                let at = match &self.at {
                    LossAt::Group(g) => format!("price group '{g}'"),
                    LossAt::Plan(p) => format!("sub-reseller plan '{p}'"),
                    LossAt::Promotion => "promotion".into(),
                };
                let period = if years == 1 {
                    "1 year".to_string()
                } else {
                    format!("{years} years")
                };
                let net = if self.price == self.net {
                    String::new()
                } else {
                    format!(" (net {})", money(self.net))
                };
                format!(
                    ".{ext} {action} for {period}, {at}: {price}{net} is below the {cost} you pay. Set a price of at least that."
                )
            }
        }
    }
}

impl PriceRule {
    /// Validate what can be known without a cost: signs and scales.
    fn validate(&self, level: &str, path: &[&str], currency: Currency) -> Vec<PricingError> {
        let mut errors = Vec::new();
        let minor = currency.minor_units();
        if let Some(p) = self.markup_percent
            && (p.0 < Decimal::ZERO || p.0 > Decimal::from(1000))
        {
            errors.push(rule_err(
                level,
                path,
                format!("markup_percent must be between 0 and 1000, got {}", p.0),
            ));
        }
        if let Some(f) = self.markup_fixed
            && (f.0 < Decimal::ZERO || f.0.scale() > minor)
        {
            errors.push(rule_err(level, path, format!("markup_fixed must be zero or more with at most {minor} decimals for {}, got {}", currency.code(), f.0)));
        }
        if let Some(s) = self.round_to
            && (s.0 <= Decimal::ZERO || s.0.scale() > minor)
        {
            errors.push(rule_err(
                level,
                path,
                format!(
                    "round_to must be above zero with at most {minor} decimals for {}, got {}",
                    currency.code(),
                    s.0
                ),
            ));
        }
        if let Some(e) = self.ending {
            if minor == 0 {
                errors.push(rule_err(level, path, format!("ending makes no sense for {}, which has no decimals: use round_to (e.g. \"1000\")", currency.code())));
            } else if e.0 < Decimal::ZERO || e.0 >= Decimal::ONE || e.0.scale() > minor {
                errors.push(rule_err(
                    level,
                    path,
                    format!("ending must be a fraction such as \"0.99\", got {}", e.0),
                ));
            }
            if self.round_to.is_some() {
                errors.push(rule_err(
                    level,
                    path,
                    "use either round_to or ending, not both".into(),
                ));
            }
        }
        for (ext, actions) in &self.overrides {
            for (action, price) in actions {
                if price.0 <= Decimal::ZERO || price.0.scale() > minor {
                    errors.push(rule_err(level, &[path, &["overrides", ext.as_str()]].concat(), format!("override for .{ext} {action} must be above zero with at most {minor} decimals, got {}", price.0)));
                }
            }
        }
        errors
    }

    /// The selling total for `years` of an action, given what this level pays.
    pub fn apply(
        &self,
        ext: &str,
        action: Action,
        years: u8,
        cost: Decimal,
        currency: Currency,
    ) -> Decimal {
        let periods = Decimal::from(match action {
            Action::Register | Action::Renew => years,
            Action::Transfer | Action::Restore => 1,
        });
        if let Some(fixed) = self.overrides.get(ext).and_then(|o| o.get(&action)) {
            return fixed.0 * periods;
        }
        self.markup(action, years, cost, currency)
    }

    /// The rule's markup and rounding on what this level pays, without its
    /// fixed overrides (a premium name is always priced from the registry's
    /// price).
    pub fn markup(&self, action: Action, years: u8, cost: Decimal, currency: Currency) -> Decimal {
        let periods = Decimal::from(match action {
            Action::Register | Action::Renew => years,
            Action::Transfer | Action::Restore => 1,
        });
        let percent = self.markup_percent.map_or(Decimal::ZERO, |p| p.0);
        let fixed = self.markup_fixed.map_or(Decimal::ZERO, |f| f.0);
        let raw = cost + cost * percent / Decimal::ONE_HUNDRED + fixed * periods;
        // Rounding is always upwards: a "nice" price must never eat the margin.
        let nice = if let Some(step) = self.round_to {
            Money::new(raw, currency)
                .round_to_step(step.0, Rounding::Up)
                .amount()
        } else if let Some(ending) = self.ending {
            let whole = (raw - ending.0).ceil();
            whole + ending.0
        } else {
            raw
        };
        Money::new(nice, currency).round(Rounding::Up).amount()
    }
}

/// How the seller at the end of a chain shows its prices: the tax and
/// whether shown prices include it.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    pub tax: &'a Tax,
    pub display: TaxDisplay,
}

/// Price every extension `sold` for the seller at the end of `chain`.
///
/// `chain[0]` buys at `plan`; each later level buys at the sub-reseller plan
/// named by its `plan_at_parent`. A customer price is the amount the
/// storefront shows (see [`crate::price`]); what a level pays is net. The
/// loss guard compares net with net: a customer price whose net is below
/// what the seller pays is refused, and so is a sub-reseller price below
/// what its parent pays. Every error found is returned, not the first.
///
/// `refuses(level)` says whose losses are errors: the level being edited
/// (its own prices must cover its costs). For any other level a loss can
/// only come from a price above it that rose since it priced; its publish
/// goes through and the line is `suspended` instead, until that level
/// re-prices. A promotion that would now sell below cost is left out.
#[allow(clippy::too_many_arguments)]
pub fn price_list(
    catalogue: &Catalogue,
    plan: &Plan,
    chain: &[Level<'_>],
    sold: &[String],
    promotions: &[Promotion],
    codes: &[DiscountCode],
    shown: Shown<'_>,
    today: NaiveDate,
    refuses: &dyn Fn(&str) -> bool,
) -> Result<PriceList, Vec<PricingError>> {
    let currency = plan.currency;
    let mut suspended: std::collections::BTreeSet<Suspended> = std::collections::BTreeSet::new();
    let net = |amount: Decimal| net_of(shown.tax, shown.display, currency, amount);
    let mut errors = Vec::new();
    let Some(seller) = chain.last() else {
        return Err(vec![PricingError {
            origin: Origin::Plan,
            message: "no reseller to price for".into(),
            loss: None,
        }]);
    };

    // Resolve the rule each level buys at, and validate every rule once.
    let mut buy_rules: Vec<Option<&PriceRule>> = vec![None];
    for (i, level) in chain.iter().enumerate() {
        for (g, rule) in &level.pricing.customers {
            errors.extend(rule.validate(level.id, &["pricing", "customers", g], currency));
        }
        for (p, rule) in &level.pricing.sub_resellers {
            errors.extend(rule.validate(level.id, &["pricing", "sub_resellers", p], currency));
        }
        if i > 0 {
            let parent = &chain[i - 1];
            let name = level.plan_at_parent.unwrap_or("");
            match parent.pricing.sub_resellers.get(name) {
                Some(rule) => buy_rules.push(Some(rule)),
                None => {
                    errors.push(rule_err(level.id, &["plan"], format!("'{}' buys at sub-reseller plan '{name}', which its parent '{}' does not offer", level.id, parent.id)));
                    buy_rules.push(None);
                }
            }
        }
    }
    if !seller.pricing.customers.contains_key("default") {
        errors.push(rule_err(seller.id, &["pricing", "customers"], "no `default` customer price group: add [pricing.customers.default], which is what the storefront shows".into()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut groups: BTreeMap<String, BTreeMap<String, ExtensionPrices>> = BTreeMap::new();
    let mut reported = std::collections::BTreeSet::new();
    for ext in sold {
        let (Some(rules), Some(wholesale)) =
            (catalogue.extensions.get(ext), plan.extensions.get(ext))
        else {
            errors.push(PricingError {
                origin: Origin::Plan,
                message: format!(
                    ".{ext} is sold but the plan '{}' has no price for it",
                    plan.name
                ),
                loss: None,
            });
            continue;
        };
        for action in Action::ALL {
            for years in action.periods(rules.years) {
                // costs[i] = what level i pays the level above it.
                let mut costs = Vec::with_capacity(chain.len());
                let mut cost = wholesale.total(action, years);
                costs.push(cost);
                // A level above sells this line below its own cost.
                let mut lost_above = false;
                for i in 1..chain.len() {
                    let parent = &chain[i - 1];
                    let plan_name = chain[i].plan_at_parent.unwrap_or("");
                    let Some(rule) = buy_rules[i] else { continue };
                    let price = rule.apply(ext, action, years, cost, currency);
                    if price < cost {
                        if !refuses(parent.id) {
                            lost_above = true;
                        } else if reported.insert((
                            format!("{}/{plan_name}", parent.id),
                            ext.clone(),
                            action,
                        )) {
                            let loss = Loss {
                                level: parent.id.to_string(),
                                at: LossAt::Plan(plan_name.to_string()),
                                ext: ext.clone(),
                                action,
                                years,
                                price,
                                net: price,
                                cost,
                                currency,
                            };
                            let at = ["pricing", "sub_resellers", plan_name];
                            errors.push(loss.error(rule_err(parent.id, &at, String::new()).origin));
                        }
                    }
                    cost = price;
                    costs.push(cost);
                }
                for (group, rule) in &seller.pricing.customers {
                    let price = rule.apply(ext, action, years, cost, currency);
                    if lost_above || (net(price) < cost && !refuses(seller.id)) {
                        suspended.insert(Suspended {
                            group: group.clone(),
                            ext: ext.clone(),
                            action,
                        });
                        continue;
                    }
                    // One report per extension, action and group is enough to act on.
                    if net(price) < cost && reported.insert((group.clone(), ext.clone(), action)) {
                        let mut path = vec!["pricing", "customers", group.as_str()];
                        if rule
                            .overrides
                            .get(ext)
                            .is_some_and(|o| o.contains_key(&action))
                        {
                            path.extend(["overrides", ext.as_str(), action.as_str()]);
                        }
                        let loss = Loss {
                            level: seller.id.to_string(),
                            at: LossAt::Group(group.clone()),
                            ext: ext.clone(),
                            action,
                            years,
                            price,
                            net: net(price),
                            cost,
                            currency,
                        };
                        errors.push(loss.error(rule_err(seller.id, &path, String::new()).origin));
                    }
                    let mut leg_costs = costs.clone();
                    leg_costs.reverse();
                    groups
                        .entry(group.clone())
                        .or_default()
                        .entry(ext.clone())
                        .or_default()
                        .actions
                        .entry(action)
                        .or_default()
                        .push(PeriodPrice {
                            years,
                            price,
                            costs: leg_costs,
                        });
                }
            }
        }
    }

    // Promotions and codes apply to the public (default) group.
    for (index, promo) in promotions.iter().enumerate() {
        let origin = || Origin::Promotion {
            level: seller.id.to_string(),
            index,
        };
        if promo.from > promo.until {
            errors.push(PricingError {
                origin: origin(),
                message: format!(
                    "promotion runs from {} until {}: the end is before the start",
                    promo.from, promo.until
                ),
                loss: None,
            });
        }
        if promo.price.is_some() == promo.percent_off.is_some() {
            errors.push(PricingError {
                origin: origin(),
                message: "a promotion needs exactly one of price or percent_off".into(),
                loss: None,
            });
            continue;
        }
        for ext in &promo.extensions {
            let Some(p) = groups.get_mut("default").and_then(|g| g.get_mut(ext)) else {
                errors.push(PricingError {
                    origin: origin(),
                    message: format!("promotion for .{ext}, which this storefront does not sell"),
                    loss: None,
                });
                continue;
            };
            let Some(first) = p.price(promo.action, 1).cloned() else {
                continue;
            };
            let price = match (promo.price, promo.percent_off) {
                (Some(v), _) => v.0,
                (None, Some(off)) => Money::new(
                    first.price * (Decimal::ONE_HUNDRED - off.0) / Decimal::ONE_HUNDRED,
                    currency,
                )
                .round(Rounding::Up)
                .amount(),
                (None, None) => continue,
            };
            let cost = first.costs[0];
            if net(price) < cost && !refuses(seller.id) {
                continue;
            }
            if net(price) < cost {
                let loss = Loss {
                    level: seller.id.to_string(),
                    at: LossAt::Promotion,
                    ext: ext.clone(),
                    action: promo.action,
                    years: 1,
                    price,
                    net: net(price),
                    cost,
                    currency,
                };
                errors.push(loss.error(origin()));
            }
            // Only running promotions are priced: the price list then changes
            // on the day one starts or ends, which is what triggers a rebuild.
            if promo.is_active(today) {
                p.promotions.push(PromoPrice {
                    action: promo.action,
                    price,
                    from: promo.from,
                    until: promo.until,
                    label: promo.label.clone(),
                });
            }
        }
    }
    for (index, code) in codes.iter().enumerate() {
        let origin = || Origin::DiscountCode {
            level: seller.id.to_string(),
            index,
        };
        if code.code.is_empty()
            || !code
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            errors.push(PricingError {
                origin: origin(),
                message: format!(
                    "discount code '{}' must be letters, digits and hyphens",
                    code.code
                ),
                loss: None,
            });
        }
        if code.max_uses == Some(0) || code.max_uses_per_customer == Some(0) {
            errors.push(PricingError {
                origin: origin(),
                message: format!(
                    "discount code '{}': max_uses and max_uses_per_customer must be 1 or more (leave them out for no limit)",
                    code.code
                ),
                loss: None,
            });
        }
        if codes[..index]
            .iter()
            .any(|c| c.code.eq_ignore_ascii_case(&code.code))
        {
            errors.push(PricingError {
                origin: origin(),
                message: format!("discount code '{}' is listed twice", code.code),
                loss: None,
            });
        }
        let off = code.percent_off.0;
        if off <= Decimal::ZERO || off >= Decimal::ONE_HUNDRED {
            errors.push(PricingError {
                origin: origin(),
                message: format!(
                    "discount code '{}': percent_off must be between 0 and 100, got {off}",
                    code.code
                ),
                loss: None,
            });
        }
        // A code never sells below cost: `price::price` floors it there,
        // so a deep code is as deep as each line's margin allows.
    }

    if errors.is_empty() {
        Ok(PriceList {
            currency,
            groups,
            suspended: suspended.into_iter().collect(),
        })
    } else {
        Err(errors)
    }
}

/// A customer price below cost: the amount shown and, when it includes
/// tax, the net in it.
#[allow(clippy::too_many_arguments)]
fn below_cost_shown(
    level: &str,
    ext: &str,
    action: Action,
    years: u8,
    shown: Decimal,
    net: Decimal,
    cost: Decimal,
    currency: Currency,
) -> String {
    if shown == net {
        return below_cost(level, ext, action, years, shown, cost, currency);
    }
    format!(
        "'{level}' would sell .{ext} {action} ({years} year{}) at {} {} including tax, a net of {} {}, below the {} {} it pays",
        if years == 1 { "" } else { "s" },
        shown.normalize(),
        currency.code(),
        net.normalize(),
        currency.code(),
        cost.normalize(),
        currency.code()
    )
}

fn below_cost(
    level: &str,
    ext: &str,
    action: Action,
    years: u8,
    price: Decimal,
    cost: Decimal,
    currency: Currency,
) -> String {
    format!(
        "'{level}' would sell .{ext} {action} ({years} year{}) at {} {}, below the {} {} it pays",
        if years == 1 { "" } else { "s" },
        price.normalize(),
        currency.code(),
        cost.normalize(),
        currency.code()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loss_is_said_in_each_language_with_its_group_or_plan() {
        let loss = Loss {
            level: "toko".into(),
            at: LossAt::Plan("basic".into()),
            ext: "pl".into(),
            action: Action::Renew,
            years: 2,
            price: Decimal::from(90),
            net: Decimal::from(90),
            cost: Decimal::from(100),
            currency: Currency::PLN,
        };
        assert_eq!(
            loss.message(Locale::Pl),
            ".pl, odnowienie na 2 lata, plan dla sub-resellerów 'basic': 90,00\u{a0}zł to mniej niż 100,00\u{a0}zł, które płacisz. Ustaw cenę co najmniej taką."
        );
        assert_eq!(
            loss.message(Locale::En),
            ".pl renewal for 2 years, sub-reseller plan 'basic': PLN\u{a0}90.00 is below the PLN\u{a0}100.00 you pay. Set a price of at least that."
        );
        let five = Loss { years: 5, ..loss };
        assert!(five.message(Locale::Pl).contains("na 5 lat,"));
    }
    use crate::catalogue::{Extension, GracePeriods, PlanPrices, Years};

    fn d(s: &str) -> StrDecimal {
        StrDecimal(s.parse().expect("decimal"))
    }

    fn fixture() -> (Catalogue, Plan) {
        let ext = Extension {
            registry: "PANDI".into(),
            description: None,
            label_min: 3,
            label_max: 63,
            idn: false,
            years: Years { min: 1, max: 3 },
            grace: GracePeriods {
                add: 5,
                renew: 30,
                transfer: 5,
                redemption: 30,
            },
            documents: vec![],
            review: Default::default(),
            eligibility: None,
        };
        let catalogue = Catalogue {
            documents: BTreeMap::new(),
            extensions: [("co.id".to_string(), ext)].into(),
            registration: Default::default(),
        };
        let prices = PlanPrices {
            register: "90000".parse().expect("d"),
            renew: "90000".parse().expect("d"),
            transfer: "90000".parse().expect("d"),
            restore: "250000".parse().expect("d"),
            multi_year: BTreeMap::new(),
        };
        let plan = Plan {
            name: "IDR".into(),
            currency: Currency::IDR,
            deposit: None,
            extensions: [("co.id".to_string(), prices)].into(),
        };
        (catalogue, plan)
    }

    fn rule(percent: &str, round: Option<&str>) -> PriceRule {
        PriceRule {
            markup_percent: Some(d(percent)),
            round_to: round.map(d),
            ..Default::default()
        }
    }

    fn no_tax() -> Shown<'static> {
        static NONE: std::sync::LazyLock<Tax> = std::sync::LazyLock::new(Tax::none);
        Shown {
            tax: &NONE,
            display: TaxDisplay::Exclusive,
        }
    }

    #[test]
    fn a_tax_inclusive_price_is_judged_by_its_net() {
        let (cat, plan) = fixture();
        // 90000 + 20% = 108000 shown with PPN 11%: a net of 97297, above
        // the 90000 paid; + 8% = 97200 shown: a net of 87568, below it.
        let pricing = |percent: &str| ResellerPricing {
            customers: [("default".into(), rule(percent, None))].into(),
            sub_resellers: BTreeMap::new(),
        };
        let ppn = Tax {
            label: "PPN".into(),
            percent: Decimal::from(11),
            rounding: Default::default(),
        };
        let inclusive = Shown {
            tax: &ppn,
            display: TaxDisplay::Inclusive,
        };
        let ok = pricing("20");
        let chain = [Level {
            id: "toko",
            pricing: &ok,
            plan_at_parent: None,
        }];
        let list = price_list(
            &cat,
            &plan,
            &chain,
            &["co.id".into()],
            &[],
            &[],
            inclusive,
            today(),
            &|_| true,
        )
        .expect("20% covers the tax");
        assert_eq!(
            list.groups["default"]["co.id"]
                .price(Action::Register, 1)
                .expect("1y")
                .price,
            Decimal::from(108000)
        );
        let thin = pricing("8");
        let chain = [Level {
            id: "toko",
            pricing: &thin,
            plan_at_parent: None,
        }];
        let errs = price_list(
            &cat,
            &plan,
            &chain,
            &["co.id".into()],
            &[],
            &[],
            inclusive,
            today(),
            &|_| true,
        )
        .expect_err("8% does not cover PPN 11%");
        assert_eq!(
            errs[0].message,
            "'toko' would sell .co.id register (1 year) at 97200 IDR including tax, a net of 87568 IDR, below the 90000 IDR it pays"
        );
        // Shown without tax, the same 8% is a profit.
        let exclusive = Shown {
            tax: &ppn,
            display: TaxDisplay::Exclusive,
        };
        assert!(
            price_list(
                &cat,
                &plan,
                &chain,
                &["co.id".into()],
                &[],
                &[],
                exclusive,
                today(),
                &|_| true
            )
            .is_ok()
        );
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
    }

    #[test]
    fn two_levels_mark_up_and_round_up() {
        let (cat, plan) = fixture();
        let top = ResellerPricing {
            customers: [("default".into(), rule("20", Some("1000")))].into(),
            sub_resellers: [("silver".into(), rule("10", Some("500")))].into(),
        };
        let sub = ResellerPricing {
            customers: [("default".into(), rule("15", Some("1000")))].into(),
            sub_resellers: BTreeMap::new(),
        };
        let chain = [
            Level {
                id: "top",
                pricing: &top,
                plan_at_parent: None,
            },
            Level {
                id: "sub",
                pricing: &sub,
                plan_at_parent: Some("silver"),
            },
        ];
        let list = price_list(
            &cat,
            &plan,
            &chain,
            &["co.id".into()],
            &[],
            &[],
            no_tax(),
            today(),
            &|_| true,
        )
        .expect("prices");
        let p = list.groups["default"]["co.id"]
            .price(Action::Register, 1)
            .expect("1y");
        // 90000 -> +10% = 99000 (sub's cost) -> +15% = 113850 -> up to 114000
        assert_eq!(p.costs, vec![Decimal::from(99000), Decimal::from(90000)]);
        assert_eq!(p.price, Decimal::from(114000));
        let p3 = list.groups["default"]["co.id"]
            .price(Action::Register, 3)
            .expect("3y");
        assert_eq!(p3.costs[1], Decimal::from(270000));
    }

    #[test]
    fn below_cost_names_extension_action_and_level() {
        let (cat, plan) = fixture();
        let mut r = rule("10", None);
        r.overrides
            .insert("co.id".into(), [(Action::Renew, d("80000"))].into());
        let top = ResellerPricing {
            customers: [("default".into(), r)].into(),
            sub_resellers: BTreeMap::new(),
        };
        let chain = [Level {
            id: "toko",
            pricing: &top,
            plan_at_parent: None,
        }];
        let errs = price_list(
            &cat,
            &plan,
            &chain,
            &["co.id".into()],
            &[],
            &[],
            no_tax(),
            today(),
            &|_| true,
        )
        .expect_err("below cost");
        assert!(
            errs.iter()
                .any(|e| e.message.contains(".co.id renew") && e.message.contains("'toko'")),
            "{errs:?}"
        );
        assert!(
            matches!(&errs[0].origin, Origin::Rule { path, .. } if path.ends_with(&["overrides".to_string(), "co.id".to_string(), "renew".to_string()]))
        );
    }

    #[test]
    fn ending_rounds_up_to_charm_price() {
        let r = PriceRule {
            markup_percent: Some(d("20")),
            ending: Some(d("0.99")),
            ..Default::default()
        };
        // cost, then the selling price: cost x 1.2 rounded up to the next .99.
        // 10.83 x 1.2 = 12.996 is past 12.99, so it goes to 13.99.
        for (cost, want) in [("10.00", "12.99"), ("10.825", "12.99"), ("10.83", "13.99")] {
            let got = r.apply(
                "com",
                Action::Register,
                1,
                cost.parse().expect("d"),
                Currency::USD,
            );
            assert_eq!(got, want.parse::<Decimal>().expect("d"), "cost {cost}");
        }
    }

    #[test]
    fn a_code_deeper_than_the_margin_is_accepted() {
        let (cat, plan) = fixture();
        let top = ResellerPricing {
            customers: [("default".into(), rule("10", None))].into(),
            sub_resellers: BTreeMap::new(),
        };
        let chain = [Level {
            id: "toko",
            pricing: &top,
            plan_at_parent: None,
        }];
        let code = DiscountCode {
            code: "HEMAT50".into(),
            percent_off: d("50"),
            extensions: vec![],
            actions: vec![],
            from: today(),
            until: today(),
            max_uses: None,
            max_uses_per_customer: None,
        };
        // A code deeper than the margin is no content error: pricing a line
        // floors it at cost (see `price::price`).
        let list = price_list(
            &cat,
            &plan,
            &chain,
            &["co.id".into()],
            &[],
            &[code],
            no_tax(),
            today(),
            &|_| true,
        )
        .expect("a deep code is floored, not refused");
        assert_eq!(
            list.groups["default"]["co.id"]
                .price(Action::Register, 1)
                .expect("1y")
                .price,
            Decimal::from(99000)
        );
    }
}
