//! The platform's extension catalogue (registry rules and document
//! requirements) and its wholesale plans.
//!
//! These types are the content schema too: the generator deserialises
//! `catalogue.toml` and `plans.toml` straight into them, so unknown fields are
//! refused rather than silently ignored.

use crate::locale::Locale;
use crate::money::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What a customer can do with a name. Each has its own price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Register,
    Renew,
    Transfer,
    Restore,
}

impl Action {
    pub const ALL: [Action; 4] = [
        Action::Register,
        Action::Renew,
        Action::Transfer,
        Action::Restore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Register => "register",
            Action::Renew => "renew",
            Action::Transfer => "transfer",
            Action::Restore => "restore",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text in each storefront language. English is required because it is the
/// fallback for a language a string was not translated into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Translated {
    pub en: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub pl: Option<String>,
}

impl Translated {
    pub fn get(&self, locale: Locale) -> &str {
        let t = match locale {
            Locale::En => None,
            Locale::Id => self.id.as_deref(),
            Locale::Pl => self.pl.as_deref(),
        };
        t.unwrap_or(&self.en)
    }

    pub fn all(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.en.as_str())
            .chain(self.id.as_deref())
            .chain(self.pl.as_deref())
    }
}

/// Registration periods a registry accepts, in whole years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Years {
    pub min: u8,
    pub max: u8,
}

impl Years {
    pub fn iter(self) -> impl Iterator<Item = u8> {
        self.min..=self.max
    }
}

/// Grace periods in days (RFC 3915): how long after an action it can be
/// undone for a refund, and how long a deleted name can be restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GracePeriods {
    pub add: u16,
    pub renew: u16,
    pub transfer: u16,
    /// Redemption grace: days a deleted name can still be restored.
    pub redemption: u16,
}

/// What a customer must supply for an extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    File,
    Text,
    Choice,
}

/// One document requirement item, shared by every extension that names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentItem {
    pub label: Translated,
    #[serde(default)]
    pub help: Option<Translated>,
    pub kind: DocumentKind,
    /// File kinds accepted, as lowercase extensions ("pdf", "jpg").
    #[serde(default)]
    pub accept: Vec<String>,
    /// Largest file accepted, in KiB.
    #[serde(default)]
    pub max_size_kb: Option<u32>,
    /// The options of a `choice` item.
    #[serde(default)]
    pub options: Vec<Translated>,
    /// Longest answer for a `text` item.
    #[serde(default)]
    pub max_length: Option<u32>,
}

/// An extension and its registry's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    pub registry: String,
    #[serde(default)]
    pub description: Option<Translated>,
    /// Shortest and longest second-level label the registry accepts.
    pub label_min: u8,
    pub label_max: u8,
    /// Whether internationalised names (xn--) are accepted.
    #[serde(default)]
    pub idn: bool,
    pub years: Years,
    pub grace: GracePeriods,
    /// Ids of `[documents.*]` items required to register.
    #[serde(default)]
    pub documents: Vec<String>,
    /// Who reviews them: `reseller` (the storefront's staff, the default),
    /// `platform`, or `both` in turn.
    #[serde(default)]
    pub review: crate::documents::Reviewers,
    /// Who may register, in a sentence for the extension page.
    #[serde(default)]
    pub eligibility: Option<Translated>,
}

/// The platform's catalogue: every extension it can sell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    #[serde(default)]
    pub documents: BTreeMap<String, DocumentItem>,
    pub extensions: BTreeMap<String, Extension>,
    /// What a reseller registering with the platform proves who it is
    /// with, reviewed by the platform.
    #[serde(default)]
    pub registration: Registration,
}

/// The `[documents.*]` items an application to the platform asks, by the
/// kind of applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    #[serde(default)]
    pub personal: Vec<String>,
    #[serde(default)]
    pub company: Vec<String>,
}

/// The wholesale price of one extension in a plan, net of tax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanPrices {
    /// Per year.
    #[serde(with = "crate::money::decimal_serde")]
    pub register: Decimal,
    /// Per year.
    #[serde(with = "crate::money::decimal_serde")]
    pub renew: Decimal,
    /// A transfer adds one year.
    #[serde(with = "crate::money::decimal_serde")]
    pub transfer: Decimal,
    /// One-off, for a name in redemption.
    #[serde(with = "crate::money::decimal_serde")]
    pub restore: Decimal,
    /// Totals for several years where the registry prices a period other
    /// than years x yearly price, by action then years: `register = { "5" = "400000" }`.
    #[serde(default)]
    pub multi_year: BTreeMap<Action, BTreeMap<String, StrDecimal>>,
}

/// A decimal written as a string in content, never as a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StrDecimal(#[serde(with = "crate::money::decimal_serde")] pub Decimal);

impl PlanPrices {
    /// The plan's total for an action over `years` (1 for transfer and restore).
    pub fn total(&self, action: Action, years: u8) -> Decimal {
        if let Some(v) = self
            .multi_year
            .get(&action)
            .and_then(|m| m.get(&years.to_string()))
        {
            return v.0;
        }
        match action {
            Action::Register => self.register * Decimal::from(years),
            Action::Renew => self.renew * Decimal::from(years),
            Action::Transfer => self.transfer,
            Action::Restore => self.restore,
        }
    }
}

/// A wholesale plan: the price list the platform sells to resellers at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub name: String,
    pub currency: Currency,
    /// What a reseller registering on this plan transfers to the platform
    /// before its storefront opens, in the plan's currency: its opening
    /// wallet balance. A plan without one is not offered at registration
    /// (the platform gives it to resellers by hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposit: Option<StrDecimal>,
    pub extensions: BTreeMap<String, PlanPrices>,
}

/// All of the platform's plans, by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plans {
    pub plans: BTreeMap<String, Plan>,
    /// Price changes the platform has announced, by plan: each takes
    /// effect on its `from` day (see `Plans::as_of`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub changes: BTreeMap<String, Vec<PlanChange>>,
}

/// New wholesale prices of a plan from a day on: the prices it names
/// replace the plan's, every other price stays. A `multi_year` total is
/// the plan's own and does not change with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanChange {
    /// The first day the prices apply, in each storefront's own time zone
    /// (as its promotions' days are).
    #[serde(with = "crate::dates")]
    pub from: chrono::NaiveDate,
    pub extensions: BTreeMap<String, PriceChange>,
}

/// The prices of one extension a change sets; those left out stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub register: Option<StrDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew: Option<StrDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<StrDecimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<StrDecimal>,
}

impl PriceChange {
    pub fn get(&self, action: Action) -> Option<Decimal> {
        match action {
            Action::Register => self.register,
            Action::Renew => self.renew,
            Action::Transfer => self.transfer,
            Action::Restore => self.restore,
        }
        .map(|d| d.0)
    }

    fn apply(&self, to: &mut PlanPrices) {
        for (slot, new) in [
            (&mut to.register, self.register),
            (&mut to.renew, self.renew),
            (&mut to.transfer, self.transfer),
            (&mut to.restore, self.restore),
        ] {
            if let Some(StrDecimal(d)) = new {
                *slot = d;
            }
        }
    }
}

impl Action {
    /// The periods a price exists for: whole years within the registry's
    /// rules for register and renew; a single event for transfer and restore.
    pub fn periods(self, years: Years) -> Vec<u8> {
        match self {
            Action::Register | Action::Renew => years.iter().collect(),
            Action::Transfer | Action::Restore => vec![1],
        }
    }
}

/// A problem with the catalogue or plans, located by its key path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CatalogueError {
    /// Where in the file, as key segments (`extensions`, `co.id`, `years`).
    pub path: Vec<String>,
    pub message: String,
}

fn err(path: &[&str], message: String) -> CatalogueError {
    CatalogueError {
        path: path.iter().map(|s| s.to_string()).collect(),
        message,
    }
}

impl Catalogue {
    /// Rules a registry could never have: checked once so the rest of the
    /// system can rely on them.
    pub fn validate(&self) -> Vec<CatalogueError> {
        let mut errors = Vec::new();
        for (id, doc) in &self.documents {
            let p = ["documents", id.as_str()];
            match doc.kind {
                DocumentKind::File => {
                    if doc.accept.is_empty() {
                        errors.push(err(&p, format!("document '{id}' is a file but lists no accepted types: add accept = [\"pdf\", \"jpg\"]")));
                    }
                    if doc.max_size_kb.is_none_or(|s| s == 0) {
                        errors.push(err(&p, format!("document '{id}' is a file but has no max_size_kb: add one, e.g. max_size_kb = 2048")));
                    }
                }
                DocumentKind::Choice if doc.options.len() < 2 => errors.push(err(
                    &p,
                    format!("document '{id}' is a choice but has fewer than two options"),
                )),
                _ => {}
            }
            for a in &doc.accept {
                if a.is_empty()
                    || !a
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                {
                    errors.push(err(&p, format!("document '{id}': accepted type '{a}' must be a lowercase file extension such as pdf")));
                }
            }
        }
        for (kind, items) in [
            ("personal", &self.registration.personal),
            ("company", &self.registration.company),
        ] {
            for d in items {
                if !self.documents.contains_key(d) {
                    errors.push(err(&["registration", kind], format!("registration of a {kind} reseller requires document '{d}', which is not defined under [documents]")));
                }
            }
        }
        for (name, ext) in &self.extensions {
            let p = ["extensions", name.as_str()];
            if crate::names::to_ascii(name).ok().as_deref() != Some(name.as_str()) {
                errors.push(err(&p, format!("extension '{name}' must be written in lowercase ASCII without a leading dot (e.g. co.id)")));
            }
            if ext.label_min == 0 || ext.label_min > ext.label_max || ext.label_max > 63 {
                errors.push(err(&["extensions", name.as_str(), "label_min"], format!("extension '{name}': label lengths must satisfy 1 <= label_min <= label_max <= 63 (got {} and {})", ext.label_min, ext.label_max)));
            }
            if ext.years.min == 0 || ext.years.min > ext.years.max || ext.years.max > 10 {
                errors.push(err(
                    &["extensions", name.as_str(), "years"],
                    format!(
                        "extension '{name}': years must satisfy 1 <= min <= max <= 10 (got {}..{})",
                        ext.years.min, ext.years.max
                    ),
                ));
            }
            for d in &ext.documents {
                if !self.documents.contains_key(d) {
                    errors.push(err(&["extensions", name.as_str(), "documents"], format!("extension '{name}' requires document '{d}', which is not defined under [documents]")));
                }
            }
        }
        errors
    }
}

impl Plans {
    /// Plan `id` with the changes whose day has come by `day` applied, in
    /// the order of their days: what resellers on it pay that day. An
    /// order keeps the prices it was placed at (its legs carry them).
    pub fn as_of(&self, id: &str, day: chrono::NaiveDate) -> Option<Plan> {
        let mut plan = self.plans.get(id)?.clone();
        let mut due: Vec<&PlanChange> = self
            .changes
            .get(id)
            .into_iter()
            .flatten()
            .filter(|c| c.from <= day)
            .collect();
        due.sort_by_key(|c| c.from);
        for change in due {
            for (ext, new) in &change.extensions {
                if let Some(prices) = plan.extensions.get_mut(ext) {
                    new.apply(prices);
                }
            }
        }
        Some(plan)
    }

    /// Changes saved from the console must take effect after `today`: a
    /// price cannot change for a day already begun (orders were placed at
    /// the old one). `storefront check` does not ask this, so a change
    /// whose day has come stays valid content.
    pub fn validate_new_changes(
        &self,
        before: &Plans,
        today: chrono::NaiveDate,
    ) -> Vec<CatalogueError> {
        let mut errors = Vec::new();
        for (id, changes) in &self.changes {
            let kept = before.changes.get(id);
            for (i, c) in changes.iter().enumerate() {
                if kept.is_some_and(|k| k.contains(c)) {
                    continue;
                }
                if c.from <= today {
                    errors.push(CatalogueError {
                        path: vec!["changes".into(), id.clone(), i.to_string(), "from".into()],
                        message: format!(
                            "plan '{id}': a price change from {} must start after today ({today}): pick a later day",
                            c.from
                        ),
                    });
                }
            }
        }
        errors
    }

    pub fn validate(&self, catalogue: &Catalogue) -> Vec<CatalogueError> {
        let mut errors = Vec::new();
        for (id, changes) in &self.changes {
            let Some(plan) = self.plans.get(id) else {
                errors.push(err(
                    &["changes", id.as_str()],
                    format!("price changes for plan '{id}', which is not a plan"),
                ));
                continue;
            };
            for (i, c) in changes.iter().enumerate() {
                let at = i.to_string();
                if c.extensions.is_empty() {
                    errors.push(err(&["changes", id.as_str(), at.as_str()], format!("plan '{id}': the price change from {} changes no price: name an extension and its new price", c.from)));
                }
                for (ext, new) in &c.extensions {
                    let p = [
                        "changes",
                        id.as_str(),
                        at.as_str(),
                        "extensions",
                        ext.as_str(),
                    ];
                    if !plan.extensions.contains_key(ext) {
                        errors.push(err(&p, format!("plan '{id}': the price change from {} names .{ext}, which the plan does not sell", c.from)));
                        continue;
                    }
                    if Action::ALL.iter().all(|a| new.get(*a).is_none()) {
                        errors.push(err(&p, format!("plan '{id}': the price change from {} for .{ext} names no price: give register, renew, transfer or restore", c.from)));
                    }
                    for action in Action::ALL {
                        let Some(d) = new.get(action) else { continue };
                        let p = [
                            "changes",
                            id.as_str(),
                            at.as_str(),
                            "extensions",
                            ext.as_str(),
                            action.as_str(),
                        ];
                        if d <= Decimal::ZERO {
                            errors.push(err(&p, format!("plan '{id}', change from {}: .{ext} {action} must be above zero", c.from)));
                        }
                        if d.scale() > plan.currency.minor_units() {
                            errors.push(err(&p, format!("plan '{id}', change from {}: .{ext} {action} {d} has more decimals than {} allows", c.from, plan.currency.code())));
                        }
                    }
                }
            }
        }
        for (id, plan) in &self.plans {
            if let Some(StrDecimal(d)) = plan.deposit {
                let p = ["plans", id.as_str(), "deposit"];
                if d <= Decimal::ZERO {
                    errors.push(err(&p, format!("plan '{id}': deposit must be above zero (leave it out for a plan not offered at registration)")));
                }
                if d.scale() > plan.currency.minor_units() {
                    errors.push(err(
                        &p,
                        format!(
                            "plan '{id}': deposit {d} has more decimals than {} allows",
                            plan.currency.code()
                        ),
                    ));
                }
            }
            for (ext, prices) in &plan.extensions {
                let p = ["plans", id.as_str(), "extensions", ext.as_str()];
                let Some(rules) = catalogue.extensions.get(ext) else {
                    errors.push(err(
                        &p,
                        format!(
                            "plan '{id}' prices extension '{ext}', which is not in the catalogue"
                        ),
                    ));
                    continue;
                };
                for action in Action::ALL {
                    for years in action.periods(rules.years) {
                        let total = prices.total(action, years);
                        if total <= Decimal::ZERO {
                            errors.push(err(&p, format!("plan '{id}', .{ext} {action} for {years} year(s): price must be above zero")));
                        }
                        if total.scale() > plan.currency.minor_units() {
                            errors.push(err(&p, format!("plan '{id}', .{ext} {action}: {total} has more decimals than {} allows", plan.currency.code())));
                        }
                    }
                }
                for (action, by_years) in &prices.multi_year {
                    for y in by_years.keys() {
                        let ok = y.parse::<u8>().is_ok_and(|y| {
                            matches!(action, Action::Register | Action::Renew)
                                && (rules.years.min..=rules.years.max).contains(&y)
                        });
                        if !ok {
                            errors.push(err(&p, format!("plan '{id}', .{ext}: multi_year {action} \"{y}\" is not a period the registry allows ({}..{} years, register and renew only)", rules.years.min, rules.years.max)));
                        }
                    }
                }
            }
        }
        errors
    }
}
