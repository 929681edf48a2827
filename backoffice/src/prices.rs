//! The customer-prices editor: one price group's rule as a form, read from
//! and written into `site.toml` in place (the reseller's comments and order
//! stay, so an export still reads like the file they wrote), and the
//! preview of what the storefront will charge, priced by the one pricing
//! function the checkout uses.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use storefront_core::Currency;
use storefront_core::catalogue::Action;
use storefront_core::money::{Money, parse_typed};
use storefront_core::price::{Ask, price};
use storefront_core::pricing::PriceRule;
use storefront_core::snapshot::Snapshot;

pub use crate::typed::ACTIONS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkupKind {
    Percent,
    Fixed,
}

/// The form as typed: every value is kept as text, so a mistake is shown
/// back exactly as it was typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupForm {
    pub group: String,
    pub kind: MarkupKind,
    pub markup: String,
    pub round_to: String,
    pub ending: String,
    /// (extension, action) -> a fixed price per year, blank for the rule.
    pub overrides: BTreeMap<(String, Action), String>,
    /// The revision the form was filled from (see `Revisions::working`).
    pub loaded: Option<String>,
    /// A sub-reseller plan (`pricing.sub_resellers`) rather than a customer
    /// price group (`pricing.customers`).
    pub plans: bool,
}

pub use crate::edit::FieldError;

/// The name of an override's field: `o.<ext>.<action>`.
pub fn override_field(ext: &str, action: Action) -> String {
    format!("o.{ext}.{}", Action::as_str(action))
}

fn text(d: &Option<storefront_core::catalogue::StrDecimal>) -> String {
    d.as_ref()
        .map(|d| d.0.normalize().to_string())
        .unwrap_or_default()
}

impl GroupForm {
    /// The form for a group as `rule` has it (a new group starts empty).
    pub fn of(
        group: &str,
        rule: Option<&PriceRule>,
        loaded: Option<String>,
        plans: bool,
    ) -> GroupForm {
        let empty = PriceRule::default();
        let rule = rule.unwrap_or(&empty);
        let (kind, markup) = match (&rule.markup_percent, &rule.markup_fixed) {
            (_, Some(_)) if rule.markup_percent.is_none() => {
                (MarkupKind::Fixed, text(&rule.markup_fixed))
            }
            _ => (MarkupKind::Percent, text(&rule.markup_percent)),
        };
        let mut overrides = BTreeMap::new();
        for (ext, by_action) in &rule.overrides {
            for (action, amount) in by_action {
                overrides.insert((ext.clone(), *action), amount.0.normalize().to_string());
            }
        }
        GroupForm {
            group: group.to_string(),
            kind,
            markup,
            round_to: text(&rule.round_to),
            ending: text(&rule.ending),
            overrides,
            loaded,
            plans,
        }
    }

    /// The table of `[pricing]` this form edits.
    pub fn table(&self) -> &'static str {
        if self.plans {
            "sub_resellers"
        } else {
            "customers"
        }
    }

    /// The form from posted fields. Unknown fields are ignored (a browser
    /// sends its buttons too); the values are judged by `apply`.
    pub fn from_fields(fields: &[(String, String)]) -> GroupForm {
        let mut form = GroupForm {
            group: String::new(),
            kind: MarkupKind::Percent,
            markup: String::new(),
            round_to: String::new(),
            ending: String::new(),
            overrides: BTreeMap::new(),
            loaded: None,
            plans: false,
        };
        for (name, value) in fields {
            let value = value.trim().to_string();
            match name.as_str() {
                "group" => form.group = value,
                "kind" => {
                    form.kind = if value == "fixed" {
                        MarkupKind::Fixed
                    } else {
                        MarkupKind::Percent
                    }
                }
                "markup" => form.markup = value,
                "round_to" => form.round_to = value,
                "ending" => form.ending = value,
                "loaded" if !value.is_empty() => form.loaded = Some(value),
                "table" => form.plans = value == "sub_resellers",
                other => {
                    if let Some(rest) = other.strip_prefix("o.")
                        && let Some((ext, action)) = rest.rsplit_once('.')
                        && let Some(action) = crate::typed::action(action)
                        && !value.is_empty()
                    {
                        form.overrides.insert((ext.to_string(), action), value);
                    }
                }
            }
        }
        form
    }

    pub fn override_value(&self, ext: &str, action: Action) -> &str {
        self.overrides
            .get(&(ext.to_string(), action))
            .map_or("", String::as_str)
    }

    /// Write this group's rule into `site_toml`. Every value is judged
    /// first; nothing is written unless all are good.
    pub fn apply(
        &self,
        site_toml: &str,
        currency: Currency,
        sold: &[&str],
    ) -> Result<String, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, key: &'static str, value: &str| {
            errors.push(FieldError {
                field: field.into(),
                key,
                value: value.into(),
            })
        };
        if !storefront_generator::content::valid_id(&self.group) {
            bad("group", "error_group_name", &self.group);
        }
        let markup = match self.kind {
            MarkupKind::Percent => crate::typed::percent(&self.markup)
                .filter(|p| *p <= Decimal::from(1000))
                .or_else(|| {
                    bad("markup", "error_percent", &self.markup);
                    None
                }),
            MarkupKind::Fixed => parse_typed(&self.markup, currency).or_else(|| {
                bad("markup", "error_amount", &self.markup);
                None
            }),
        };
        let round_to = match self.round_to.as_str() {
            "" => None,
            t => parse_typed(t, currency)
                .filter(|d| *d > Decimal::ZERO)
                .or_else(|| {
                    bad("round_to", "error_amount", t);
                    None
                }),
        };
        let ending = match self.ending.as_str() {
            "" => None,
            t => crate::typed::percent(t)
                .filter(|d| *d > Decimal::ZERO && *d < Decimal::ONE)
                .or_else(|| {
                    bad("ending", "error_ending", t);
                    None
                }),
        };
        let mut overrides: BTreeMap<&str, BTreeMap<Action, Decimal>> = BTreeMap::new();
        for ((ext, action), t) in &self.overrides {
            let field = override_field(ext, *action);
            if !sold.contains(&ext.as_str()) {
                bad(&field, "error_not_sold", ext);
                continue;
            }
            match parse_typed(t, currency).filter(|d| *d > Decimal::ZERO) {
                Some(d) => {
                    overrides.entry(ext).or_default().insert(*action, d);
                }
                None => bad(&field, "error_amount", t),
            }
        }
        let mut doc: toml_edit::DocumentMut = match site_toml.parse() {
            Ok(d) => d,
            Err(_) => {
                bad("site.toml", "error_site_unreadable", "");
                return Err(errors);
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let s = |d: Decimal| d.normalize().to_string();
        let customers = doc["pricing"][self.table()]
            .or_insert(implicit_table())
            .as_table_mut();
        let Some(customers) = customers else {
            return Err(vec![FieldError {
                field: "site.toml".into(),
                key: "error_site_unreadable",
                value: String::new(),
            }]);
        };
        let rule = customers
            .entry(&self.group)
            .or_insert(toml_edit::table())
            .as_table_mut();
        let Some(rule) = rule else {
            return Err(vec![FieldError {
                field: "site.toml".into(),
                key: "error_site_unreadable",
                value: String::new(),
            }]);
        };
        match (self.kind, markup) {
            (MarkupKind::Percent, Some(m)) => {
                crate::toml_doc::set(rule, "markup_percent", s(m));
                rule.remove("markup_fixed");
            }
            (MarkupKind::Fixed, Some(m)) => {
                crate::toml_doc::set(rule, "markup_fixed", s(m));
                rule.remove("markup_percent");
            }
            _ => {}
        }
        for (key, v) in [("round_to", round_to), ("ending", ending)] {
            match v {
                Some(v) => crate::toml_doc::set(rule, key, s(v)),
                None => {
                    rule.remove(key);
                }
            }
        }
        let table = rule.entry("overrides").or_insert(implicit_table());
        if let Some(table) = table.as_table_mut() {
            let existing: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
            for ext in existing {
                if !overrides.contains_key(ext.as_str()) {
                    table.remove(&ext);
                }
            }
            for (ext, by_action) in &overrides {
                let t = table.entry(ext).or_insert(toml_edit::table());
                if let Some(t) = t.as_table_like_mut() {
                    let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
                    for k in keys {
                        if crate::typed::action(&k).is_none_or(|a| !by_action.contains_key(&a)) {
                            t.remove(&k);
                        }
                    }
                    for (action, amount) in by_action {
                        let key = Action::as_str(*action);
                        match t.get_mut(key).and_then(|i| i.as_value_mut()) {
                            Some(v) => crate::toml_doc::replace_keeping_comment(v, s(*amount)),
                            None => {
                                t.insert(key, toml_edit::value(s(*amount)));
                            }
                        }
                    }
                }
            }
            if table.is_empty() {
                rule.remove("overrides");
            }
        }
        Ok(doc.to_string())
    }
}

fn implicit_table() -> toml_edit::Item {
    let mut t = toml_edit::Table::new();
    t.set_implicit(true);
    toml_edit::Item::Table(t)
}

/// One row of the preview: an extension's price for an action, what the
/// reseller pays for it, and what it keeps.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PreviewCell {
    pub shown: String,
    /// The price shown on the published storefront, when it differs.
    pub before: Option<String>,
    pub cost: String,
    pub margin: String,
    pub loss: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PreviewRow {
    pub ext: String,
    pub name: String,
    pub cells: Vec<Option<PreviewCell>>,
}

/// What `group` pays for one year of each action of each extension sold,
/// on `candidate`, beside `published` (None for a first publish). Amounts
/// are written as the storefront writes them (its first language), so the
/// preview reads like the page it previews.
pub fn preview(
    candidate: &Snapshot,
    published: Option<&Snapshot>,
    group: &str,
    today: chrono::NaiveDate,
) -> Vec<PreviewRow> {
    let c = candidate.currency;
    let lang = candidate.default_language();
    let fmt = |d: Decimal| Money::new(d, c).format(lang);
    fn ask<'a>(ext: &'a str, action: Action, group: &'a str, today: chrono::NaiveDate) -> Ask<'a> {
        Ask {
            ext,
            action,
            years: 1,
            group,
            today,
            premium: None,
            code: None,
        }
    }
    candidate
        .extensions()
        .into_iter()
        .map(|ext| PreviewRow {
            ext: ext.to_string(),
            name: format!(".{}", storefront_core::names::to_unicode(ext)),
            cells: ACTIONS
                .iter()
                .map(|a| {
                    let p = price(candidate, &ask(ext, *a, group, today)).ok()?;
                    let shown = p.regular.unwrap_or(p.shown);
                    let before = published
                        .and_then(|s| price(s, &ask(ext, *a, group, today)).ok())
                        .map(|b| b.regular.unwrap_or(b.shown))
                        .filter(|b| *b != shown)
                        .map(fmt);
                    let net = storefront_core::price::net_of(
                        &candidate.tax,
                        candidate.tax_display,
                        c,
                        shown,
                    );
                    let cost = p.costs.first().copied().unwrap_or_default();
                    Some(PreviewCell {
                        shown: fmt(shown),
                        before,
                        cost: fmt(cost),
                        margin: fmt(net - cost),
                        loss: net < cost,
                    })
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = r#"name = "Toko"
# Prices shown with PPN.
[pricing.customers.default]
markup_percent = "20" # our usual margin
round_to = "1000"

[pricing.customers.default.overrides.com]
register = "205000"
renew = "216000"

[pricing.customers.agen]
markup_percent = "8"
"#;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_group_is_edited_in_place_and_comments_stay() {
        let form = GroupForm::from_fields(&fields(&[
            ("group", "default"),
            ("kind", "percent"),
            ("markup", "25,5"),
            ("round_to", "500"),
            ("ending", ""),
            ("o.com.register", "210.000"),
            ("o.com.renew", ""),
            ("o.id.transfer", "99000"),
        ]));
        let out = form.apply(SITE, Currency::IDR, &["com", "id"]).unwrap();
        assert_eq!(
            out,
            r#"name = "Toko"
# Prices shown with PPN.
[pricing.customers.default]
markup_percent = "25.5" # our usual margin
round_to = "500"

[pricing.customers.default.overrides.com]
register = "210000"

[pricing.customers.default.overrides.id]
transfer = "99000"

[pricing.customers.agen]
markup_percent = "8"
"#
        );
        let back: toml::Table = toml::from_str(&out).unwrap();
        assert_eq!(
            back["pricing"]["customers"]["agen"]["markup_percent"].as_str(),
            Some("8")
        );
    }

    #[test]
    fn a_new_group_and_a_fixed_markup() {
        let form = GroupForm::from_fields(&fields(&[
            ("group", "vip"),
            ("kind", "fixed"),
            ("markup", "15.000"),
        ]));
        let out = form.apply(SITE, Currency::IDR, &["com"]).unwrap();
        assert!(
            out.ends_with("[pricing.customers.vip]\nmarkup_fixed = \"15000\"\n"),
            "{out}"
        );
    }

    #[test]
    fn every_bad_value_is_named_and_nothing_is_written() {
        let form = GroupForm::from_fields(&fields(&[
            ("group", "VIP!"),
            ("kind", "percent"),
            ("markup", "lots"),
            ("round_to", "-5"),
            ("ending", "1.5"),
            ("o.com.register", "12x3"),
            ("o.xyz.register", "1000"),
        ]));
        let errors = form.apply(SITE, Currency::IDR, &["com"]).unwrap_err();
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.key)).collect();
        assert_eq!(
            got,
            vec![
                ("group", "error_group_name"),
                ("markup", "error_percent"),
                ("round_to", "error_amount"),
                ("ending", "error_ending"),
                ("o.com.register", "error_amount"),
                ("o.xyz.register", "error_not_sold"),
            ]
        );
    }

    #[test]
    fn css_or_script_in_a_value_is_refused_not_written() {
        for hostile in [
            "20\"\n[seller]\nlegal_name = \"x",
            "<script>alert(1)</script>",
            "20; color: red",
        ] {
            let form = GroupForm::from_fields(&fields(&[
                ("group", "default"),
                ("kind", "percent"),
                ("markup", hostile),
            ]));
            let errors = form.apply(SITE, Currency::IDR, &[]).unwrap_err();
            assert_eq!(errors[0].field, "markup", "{hostile}");
        }
    }

    #[test]
    fn the_form_reads_back_what_the_file_has() {
        let site: toml::Table = toml::from_str(SITE).unwrap();
        let rule: PriceRule = site["pricing"]["customers"]["default"]
            .clone()
            .try_into()
            .unwrap();
        let form = GroupForm::of("default", Some(&rule), Some("abc".into()), false);
        assert_eq!(form.markup, "20");
        assert_eq!(form.round_to, "1000");
        assert_eq!(form.override_value("com", Action::Register), "205000");
        assert_eq!(form.override_value("com", Action::Transfer), "");
    }
}
