//! Promotions and discount codes: the offers a storefront runs, as rows of
//! one form (`[[promotions]]`, `[[discount_codes]]`). A row left empty is
//! removed; the core's rules (a promotion never below cost, a code listed
//! once) are applied by the check after the form's own.

use crate::edit::FieldError;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use storefront_core::Locale;
use storefront_core::catalogue::Action;
use storefront_core::money::{Currency, parse_typed};
use storefront_core::pricing::{DiscountCode, Promotion};

/// Rows offered: the existing ones and this many empty ones to add with.
pub const EMPTY_ROWS: usize = 1;
pub const MAX_ROWS: usize = 20;

use crate::typed::{list, one_line};

/// One promotion row as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PromoRow {
    pub extensions: String,
    pub action: String,
    /// "price" or "percent".
    pub kind: String,
    pub amount: String,
    pub from: String,
    pub until: String,
    pub labels: BTreeMap<String, String>,
}

/// One discount-code row as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CodeRow {
    pub code: String,
    pub percent: String,
    pub extensions: String,
    pub actions: String,
    pub from: String,
    pub until: String,
    pub max_uses: String,
    pub max_per_customer: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffersForm {
    pub promotions: Vec<PromoRow>,
    pub codes: Vec<CodeRow>,
}

fn decimal_text(d: Decimal) -> String {
    d.normalize().to_string()
}

impl OffersForm {
    pub fn of(
        promotions: &[Promotion],
        codes: &[DiscountCode],
        languages: &[Locale],
    ) -> OffersForm {
        let promotions = promotions
            .iter()
            .map(|p| PromoRow {
                extensions: p.extensions.join(", "),
                action: Action::as_str(p.action).into(),
                kind: if p.price.is_some() {
                    "price"
                } else {
                    "percent"
                }
                .into(),
                amount: p
                    .price
                    .as_ref()
                    .or(p.percent_off.as_ref())
                    .map(|d| decimal_text(d.0))
                    .unwrap_or_default(),
                from: p.from.to_string(),
                until: p.until.to_string(),
                labels: languages
                    .iter()
                    .map(|l| (l.code().to_string(), p.label.get(*l).to_string()))
                    .collect(),
            })
            .collect();
        let codes = codes
            .iter()
            .map(|c| CodeRow {
                code: c.code.clone(),
                percent: decimal_text(c.percent_off.0),
                extensions: c.extensions.join(", "),
                actions: c
                    .actions
                    .iter()
                    .map(|a| Action::as_str(*a))
                    .collect::<Vec<_>>()
                    .join(", "),
                from: c.from.to_string(),
                until: c.until.to_string(),
                max_uses: c.max_uses.map(|n| n.to_string()).unwrap_or_default(),
                max_per_customer: c
                    .max_uses_per_customer
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            })
            .collect();
        OffersForm { promotions, codes }
    }

    pub fn from_fields(fields: &[(String, String)]) -> OffersForm {
        let f: BTreeMap<&str, &str> = fields.iter().map(|(k, v)| (k.as_str(), v.trim())).collect();
        let get = |k: String| {
            f.get(k.as_str())
                .map_or(String::new(), |v| (*v).to_string())
        };
        let mut form = OffersForm::default();
        for i in 0..MAX_ROWS {
            let p = |name: &str| get(format!("promo_{i}_{name}"));
            let labels: BTreeMap<String, String> = ["en", "id", "pl"]
                .iter()
                .filter(|l| f.contains_key(format!("promo_{i}_label_{l}").as_str()))
                .map(|l| (l.to_string(), p(&format!("label_{l}"))))
                .collect();
            let row = PromoRow {
                extensions: p("extensions"),
                action: p("action"),
                kind: p("kind"),
                amount: p("amount"),
                from: p("from"),
                until: p("until"),
                labels,
            };
            // A row whose every typed field is empty is no promotion.
            let empty = row.extensions.is_empty()
                && row.amount.is_empty()
                && row.from.is_empty()
                && row.until.is_empty()
                && row.labels.values().all(String::is_empty);
            if !empty {
                form.promotions.push(row);
            }
            let c = |name: &str| get(format!("code_{i}_{name}"));
            let row = CodeRow {
                code: c("code"),
                percent: c("percent"),
                extensions: c("extensions"),
                actions: c("actions"),
                from: c("from"),
                until: c("until"),
                max_uses: c("max_uses"),
                max_per_customer: c("max_per_customer"),
            };
            if !(row.code.is_empty()
                && row.percent.is_empty()
                && row.from.is_empty()
                && row.until.is_empty())
            {
                form.codes.push(row);
            }
        }
        form
    }

    /// Write both lists into `site.toml`.
    pub fn apply(
        &self,
        doc: &mut toml_edit::DocumentMut,
        currency: Currency,
        sold: &[String],
        languages: &[Locale],
    ) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let date =
            |field: String, s: &str, errors: &mut Vec<FieldError>| match s.parse::<NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new(field, "error_date", s));
                    None
                }
            };
        let extensions = |field: String, s: &str, required: bool, errors: &mut Vec<FieldError>| {
            let l = list(s);
            if required && l.is_empty() {
                errors.push(FieldError::new(
                    field.clone(),
                    "error_extensions_required",
                    "",
                ));
            }
            for e in &l {
                if !sold.contains(e) {
                    errors.push(FieldError::new(field.clone(), "error_not_sold", e.as_str()));
                }
            }
            l
        };
        let mut promotions = toml_edit::ArrayOfTables::new();
        for (i, row) in self.promotions.iter().enumerate() {
            let at = |n: &str| format!("promo_{i}_{n}");
            let exts = extensions(at("extensions"), &row.extensions, true, &mut errors);
            let action = crate::typed::action(&row.action).unwrap_or_else(|| {
                errors.push(FieldError::new(at("action"), "error_action", &row.action));
                Action::Register
            });
            let amount = match row.kind.as_str() {
                "percent" => crate::typed::percent(&row.amount)
                    .filter(|p| *p > Decimal::ZERO && *p < Decimal::ONE_HUNDRED),
                _ => parse_typed(&row.amount, currency).filter(|d| *d > Decimal::ZERO),
            };
            if amount.is_none() {
                errors.push(FieldError::new(at("amount"), "error_amount", &row.amount));
            }
            let from = date(at("from"), &row.from, &mut errors);
            let until = date(at("until"), &row.until, &mut errors);
            if let (Some(f), Some(u)) = (from, until)
                && f > u
            {
                errors.push(FieldError::new(at("until"), "error_dates_order", ""));
            }
            for l in languages {
                let label = row.labels.get(l.code()).map_or("", String::as_str);
                if label.is_empty() || !one_line(label, 80) {
                    errors.push(FieldError::new(
                        at(&format!("label_{}", l.code())),
                        "error_label",
                        "",
                    ));
                }
            }
            let mut t = toml_edit::Table::new();
            let mut a = toml_edit::Array::new();
            for e in &exts {
                a.push(e.as_str());
            }
            t.insert("extensions", toml_edit::value(a));
            t.insert("action", toml_edit::value(Action::as_str(action)));
            if let Some(amount) = amount {
                let key = if row.kind == "percent" {
                    "percent_off"
                } else {
                    "price"
                };
                t.insert(key, toml_edit::value(decimal_text(amount)));
            }
            for (key, d) in [("from", from), ("until", until)] {
                if let Some(d) = d.and_then(|d| d.to_string().parse::<toml_edit::Datetime>().ok()) {
                    t.insert(key, toml_edit::value(d));
                }
            }
            let mut label = toml_edit::InlineTable::new();
            for l in languages {
                if let Some(v) = row.labels.get(l.code()) {
                    label.insert(l.code(), v.as_str().into());
                }
            }
            t.insert("label", toml_edit::value(label));
            promotions.push(t);
        }
        let mut codes = toml_edit::ArrayOfTables::new();
        let mut seen = BTreeSet::new();
        for (i, row) in self.codes.iter().enumerate() {
            let at = |n: &str| format!("code_{i}_{n}");
            let code = row.code.to_ascii_uppercase();
            let shape = (3..=32).contains(&code.len())
                && code
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
            if !shape {
                errors.push(FieldError::new(at("code"), "error_code", &row.code));
            } else if !seen.insert(code.clone()) {
                errors.push(FieldError::new(at("code"), "error_code_twice", &code));
            }
            let percent = crate::typed::percent(&row.percent)
                .filter(|p| *p > Decimal::ZERO && *p < Decimal::ONE_HUNDRED);
            if percent.is_none() {
                errors.push(FieldError::new(
                    at("percent"),
                    "error_percent_off",
                    &row.percent,
                ));
            }
            let exts = extensions(at("extensions"), &row.extensions, false, &mut errors);
            let actions: Vec<Action> = list(&row.actions)
                .iter()
                .filter_map(|a| {
                    crate::typed::action(a).or_else(|| {
                        errors.push(FieldError::new(at("actions"), "error_action", a.as_str()));
                        None
                    })
                })
                .collect();
            let from = date(at("from"), &row.from, &mut errors);
            let until = date(at("until"), &row.until, &mut errors);
            if let (Some(f), Some(u)) = (from, until)
                && f > u
            {
                errors.push(FieldError::new(at("until"), "error_dates_order", ""));
            }
            let count = |field: String, s: &str, errors: &mut Vec<FieldError>| -> Option<u32> {
                if s.is_empty() {
                    return None;
                }
                s.parse::<u32>().ok().filter(|n| *n > 0).or_else(|| {
                    errors.push(FieldError::new(field, "error_count", s));
                    None
                })
            };
            let max_uses = count(at("max_uses"), &row.max_uses, &mut errors);
            let max_per = count(at("max_per_customer"), &row.max_per_customer, &mut errors);
            let mut t = toml_edit::Table::new();
            t.insert("code", toml_edit::value(code));
            if let Some(p) = percent {
                t.insert("percent_off", toml_edit::value(decimal_text(p)));
            }
            if !exts.is_empty() {
                let mut a = toml_edit::Array::new();
                for e in &exts {
                    a.push(e.as_str());
                }
                t.insert("extensions", toml_edit::value(a));
            }
            if !actions.is_empty() {
                let mut a = toml_edit::Array::new();
                for x in &actions {
                    a.push(Action::as_str(*x));
                }
                t.insert("actions", toml_edit::value(a));
            }
            for (key, d) in [("from", from), ("until", until)] {
                if let Some(d) = d.and_then(|d| d.to_string().parse::<toml_edit::Datetime>().ok()) {
                    t.insert(key, toml_edit::value(d));
                }
            }
            if let Some(n) = max_uses {
                t.insert("max_uses", toml_edit::value(i64::from(n)));
            }
            if let Some(n) = max_per {
                t.insert("max_uses_per_customer", toml_edit::value(i64::from(n)));
            }
            codes.push(t);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        for (key, list) in [("promotions", promotions), ("discount_codes", codes)] {
            if list.is_empty() {
                doc.remove(key);
            } else {
                doc.insert(key, toml_edit::Item::ArrayOfTables(list));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    const SOLD: [&str; 3] = ["co.id", "my.id", "com"];

    fn sold() -> Vec<String> {
        SOLD.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn offers_round_trip_through_the_form() {
        let form = OffersForm::from_fields(&fields(&[
            ("promo_0_extensions", ".my.id, co.id"),
            ("promo_0_action", "register"),
            ("promo_0_kind", "price"),
            ("promo_0_amount", "11.000"),
            ("promo_0_from", "2026-12-01"),
            ("promo_0_until", "2026-12-31"),
            ("promo_0_label_id", "Promo akhir tahun"),
            ("promo_0_label_en", "Year-end offer"),
            ("code_0_code", "hemat10"),
            ("code_0_percent", "10"),
            ("code_0_actions", "register renew"),
            ("code_0_from", "2026-12-01"),
            ("code_0_until", "2027-01-31"),
            ("code_0_max_uses", "100"),
            ("code_1_code", ""),
        ]));
        let mut doc: toml_edit::DocumentMut = "name = \"x\"\n".parse().unwrap();
        form.apply(&mut doc, Currency::IDR, &sold(), &[Locale::Id, Locale::En])
            .unwrap();
        #[derive(serde::Deserialize)]
        struct Back {
            promotions: Vec<Promotion>,
            discount_codes: Vec<DiscountCode>,
        }
        let back: Back = toml::from_str(&doc.to_string()).unwrap();
        assert_eq!(back.promotions[0].extensions, vec!["my.id", "co.id"]);
        assert_eq!(
            back.promotions[0].price.as_ref().unwrap().0,
            Decimal::from(11000)
        );
        assert_eq!(back.discount_codes[0].code, "HEMAT10");
        assert_eq!(back.discount_codes[0].max_uses, Some(100));
        let again = OffersForm::of(
            &back.promotions,
            &back.discount_codes,
            &[Locale::Id, Locale::En],
        );
        assert_eq!(again.codes[0].actions, "register, renew");
        assert_eq!(again.promotions[0].labels["en"], "Year-end offer");
    }

    #[test]
    fn colliding_codes_and_bad_rows_name_their_fields() {
        let form = OffersForm::from_fields(&fields(&[
            ("code_0_code", "HEMAT"),
            ("code_0_percent", "10"),
            ("code_0_from", "2026-12-01"),
            ("code_0_until", "2026-12-31"),
            ("code_1_code", "hemat"),
            ("code_1_percent", "150"),
            ("code_1_from", "2026-12-31"),
            ("code_1_until", "2026-12-01"),
            ("code_1_extensions", "xyz"),
            ("promo_0_extensions", "com"),
            ("promo_0_action", "steal"),
            ("promo_0_kind", "price"),
            ("promo_0_amount", "-5"),
            ("promo_0_from", "soon"),
            ("promo_0_until", "2026-12-31"),
            ("promo_0_label_en", ""),
        ]));
        let mut doc: toml_edit::DocumentMut = "".parse().unwrap();
        let errors = form
            .apply(&mut doc, Currency::IDR, &sold(), &[Locale::En])
            .unwrap_err();
        let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.key)).collect();
        assert_eq!(
            got,
            vec![
                ("promo_0_action", "error_action"),
                ("promo_0_amount", "error_amount"),
                ("promo_0_from", "error_date"),
                ("promo_0_label_en", "error_label"),
                ("code_1_code", "error_code_twice"),
                ("code_1_percent", "error_percent_off"),
                ("code_1_extensions", "error_not_sold"),
                ("code_1_until", "error_dates_order"),
            ]
        );
        assert_eq!(doc.to_string(), "", "nothing written");
    }
}
