//! The storefront's details: how customers reach it (`[contact]`, owners
//! and admins), and — owners only — the seller its invoices name
//! (`[seller]`) and the bank accounts customers pay into
//! (`[[bank_accounts]]`). The checks `storefront check` applies (email
//! shape, tax id by country, no control characters) judge the result; the
//! forms judge only what must be right to be written at all.

use crate::edit::FieldError;
use std::collections::BTreeMap;
use storefront_core::Locale;
use storefront_generator::content::{BankAccount, Site, Text, valid_id};

/// How many bank accounts the form offers (one more than there are, up to
/// this many).
pub const MAX_ACCOUNTS: usize = 6;

use crate::typed::one_line;

fn fields_map(fields: &[(String, String)]) -> BTreeMap<String, String> {
    fields
        .iter()
        .map(|(k, v)| (k.clone(), v.replace("\r\n", "\n").trim().to_string()))
        .collect()
}

/// `[contact]` as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactForm {
    /// The host names the storefront answers on, one a line: its
    /// platform subdomain and the reseller's own domains (each pointed at
    /// the edge by an A record). None when the form did not send them:
    /// they stay as they are.
    pub domains: Option<String>,
    pub email: String,
    pub phone: String,
    pub whatsapp: String,
    pub address: String,
    pub hours: BTreeMap<Locale, String>,
}

impl ContactForm {
    pub fn of(site: &Site) -> ContactForm {
        let c = &site.contact;
        ContactForm {
            domains: Some(site.domains.join("\n")),
            email: c.email.clone(),
            phone: c.phone.clone(),
            whatsapp: c.whatsapp.clone(),
            address: c.address.clone(),
            hours: site
                .languages
                .iter()
                .map(|l| {
                    let h = match &c.hours {
                        Text::Plain(s) => s.clone(),
                        Text::PerLanguage(m) => m.get(l).cloned().unwrap_or_default(),
                    };
                    (*l, h)
                })
                .collect(),
        }
    }

    pub fn from_fields(fields: &[(String, String)], site: &Site) -> ContactForm {
        let f = fields_map(fields);
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        ContactForm {
            domains: f.get("domains").cloned(),
            email: get("email"),
            phone: get("phone"),
            whatsapp: get("whatsapp"),
            address: get("address"),
            hours: site
                .languages
                .iter()
                .map(|l| (*l, get(&format!("hours_{}", l.code()))))
                .collect(),
        }
    }

    pub fn apply(&self, doc: &mut toml_edit::DocumentMut) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !self.email.is_empty()
            && storefront_functions::accounts::fields::email(&self.email).is_err()
        {
            errors.push(FieldError::new("email", "error_email", &self.email));
        }
        for (field, v) in [("phone", &self.phone), ("whatsapp", &self.whatsapp)] {
            let ok = v
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
                && v.len() <= 30;
            if !ok {
                errors.push(FieldError::new(field, "error_phone", v));
            }
        }
        if !one_line(&self.address, 300) {
            errors.push(FieldError::new("address", "error_line", "300"));
        }
        for (l, h) in &self.hours {
            if !one_line(h, 100) {
                errors.push(FieldError::new(
                    format!("hours_{}", l.code()),
                    "error_line",
                    "100",
                ));
            }
        }
        let domains = match self.domains.as_deref().map(domain_list) {
            None => None,
            Some(Ok(d)) => Some(d),
            Some(Err(bad)) => {
                errors.push(FieldError::new("domains", "error_domain", &bad));
                None
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Some(domains) = domains {
            let mut list = toml_edit::Array::new();
            for d in &domains {
                list.push(d.as_str());
            }
            doc.insert("domains", toml_edit::value(list));
        }
        let table = doc
            .entry("contact")
            .or_insert(toml_edit::table())
            .as_table_mut()
            .ok_or_else(|| vec![FieldError::new("site.toml", "error_site_unreadable", "")])?;
        for (key, v) in [
            ("email", &self.email),
            ("phone", &self.phone),
            ("whatsapp", &self.whatsapp),
            ("address", &self.address),
        ] {
            if v.is_empty() {
                table.remove(key);
            } else {
                crate::toml_doc::set(table, key, v.clone());
            }
        }
        let hours: Vec<(&Locale, &String)> =
            self.hours.iter().filter(|(_, h)| !h.is_empty()).collect();
        if hours.is_empty() {
            table.remove("hours");
        } else {
            let mut t = toml_edit::InlineTable::new();
            for (l, h) in hours {
                t.insert(l.code(), h.as_str().into());
            }
            table.insert("hours", toml_edit::value(t));
        }
        Ok(())
    }
}

/// The domains typed, one a line, as the storefront will answer on them
/// (IDNs in their ASCII form, lowercase, each once); Err names the first
/// that is not a host name. At least one: a storefront with none answers
/// nowhere.
fn domain_list(typed: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for line in typed.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let ascii = storefront_core::names::to_ascii(line.trim_end_matches('.'))
            .map_err(|_| line.to_string())?;
        if !ascii.contains('.') || ascii.len() > 253 {
            return Err(line.to_string());
        }
        if !out.contains(&ascii) {
            out.push(ascii);
        }
    }
    if out.is_empty() || out.len() > 20 {
        return Err(typed.trim().to_string());
    }
    Ok(out)
}

/// `[seller]` and `[[bank_accounts]]` as typed: what only owners change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SellerForm {
    pub legal_name: String,
    /// One printed line each.
    pub address: String,
    pub tax_id: String,
    pub email: String,
    pub invoice_prefix: String,
    pub accounts: Vec<BankAccount>,
}

impl SellerForm {
    pub fn of(site: &Site) -> SellerForm {
        let s = &site.seller;
        SellerForm {
            legal_name: s.legal_name.clone(),
            address: s.address.join("\n"),
            tax_id: s.tax_id.clone().unwrap_or_default(),
            email: s.email.clone(),
            invoice_prefix: s.invoice_prefix.clone(),
            accounts: site.bank_accounts.clone(),
        }
    }

    pub fn from_fields(fields: &[(String, String)]) -> SellerForm {
        let f = fields_map(fields);
        let get = |k: &str| f.get(k).cloned().unwrap_or_default();
        let accounts = (0..MAX_ACCOUNTS)
            .map(|i| BankAccount {
                id: get(&format!("account_{i}_id")),
                bank: get(&format!("account_{i}_bank")),
                holder: get(&format!("account_{i}_holder")),
                number: get(&format!("account_{i}_number")),
            })
            // A row left empty is no account (how one is removed).
            .filter(|a| {
                !(a.id.is_empty()
                    && a.bank.is_empty()
                    && a.holder.is_empty()
                    && a.number.is_empty())
            })
            .collect();
        SellerForm {
            legal_name: get("legal_name"),
            address: get("address"),
            tax_id: get("tax_id"),
            email: get("seller_email"),
            invoice_prefix: get("invoice_prefix"),
            accounts,
        }
    }

    pub fn apply(&self, doc: &mut toml_edit::DocumentMut) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.legal_name.is_empty() || !one_line(&self.legal_name, 120) {
            errors.push(FieldError::new("legal_name", "error_required_line", "120"));
        }
        let lines: Vec<&str> = self
            .address
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() || lines.len() > 6 || lines.iter().any(|l| !one_line(l, 100)) {
            errors.push(FieldError::new("address", "error_address_lines", ""));
        }
        if !one_line(&self.tax_id, 40) {
            errors.push(FieldError::new("tax_id", "error_line", "40"));
        }
        if storefront_functions::accounts::fields::email(&self.email).is_err() {
            errors.push(FieldError::new("seller_email", "error_email", &self.email));
        }
        let prefix_ok = !self.invoice_prefix.is_empty()
            && self.invoice_prefix.len() <= 12
            && self
                .invoice_prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !prefix_ok {
            errors.push(FieldError::new(
                "invoice_prefix",
                "error_invoice_prefix",
                &self.invoice_prefix,
            ));
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, a) in self.accounts.iter().enumerate() {
            if !valid_id(&a.id) || !ids.insert(a.id.clone()) {
                errors.push(FieldError::new(
                    format!("account_{i}_id"),
                    "error_account_id",
                    &a.id,
                ));
            }
            for (field, v) in [
                ("bank", &a.bank),
                ("holder", &a.holder),
                ("number", &a.number),
            ] {
                if v.is_empty() || !one_line(v, 100) {
                    errors.push(FieldError::new(
                        format!("account_{i}_{field}"),
                        "error_required_line",
                        "100",
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let seller = doc
            .entry("seller")
            .or_insert(toml_edit::table())
            .as_table_mut()
            .ok_or_else(|| vec![FieldError::new("site.toml", "error_site_unreadable", "")])?;
        crate::toml_doc::set(seller, "legal_name", self.legal_name.clone());
        let mut address = toml_edit::Array::new();
        for l in &lines {
            address.push(*l);
        }
        seller.insert("address", toml_edit::value(address));
        if self.tax_id.is_empty() {
            seller.remove("tax_id");
        } else {
            crate::toml_doc::set(seller, "tax_id", self.tax_id.clone());
        }
        crate::toml_doc::set(seller, "email", self.email.clone());
        crate::toml_doc::set(seller, "invoice_prefix", self.invoice_prefix.clone());
        if self.accounts.is_empty() {
            doc.remove("bank_accounts");
        } else {
            let mut list = toml_edit::ArrayOfTables::new();
            for a in &self.accounts {
                let mut t = toml_edit::Table::new();
                t.insert("id", toml_edit::value(a.id.clone()));
                t.insert("bank", toml_edit::value(a.bank.clone()));
                t.insert("holder", toml_edit::value(a.holder.clone()));
                t.insert("number", toml_edit::value(a.number.clone()));
                list.push(t);
            }
            doc.insert("bank_accounts", toml_edit::Item::ArrayOfTables(list));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::toko_site as site;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn bank_accounts_are_added_changed_and_removed() {
        let (src, _) = site();
        let mut doc: toml_edit::DocumentMut = src.parse().unwrap();
        let form = SellerForm::from_fields(&fields(&[
            ("legal_name", "PT Toko Domain"),
            ("address", "Jl. Merdeka 1\r\nJakarta 10110\r\n\r\nIndonesia"),
            ("seller_email", "tagihan@toko.example"),
            ("invoice_prefix", "TK"),
            ("account_0_id", "bca"),
            ("account_0_bank", "BCA"),
            ("account_0_holder", "PT Toko Domain"),
            ("account_0_number", "123 456 7890"),
            ("account_1_id", ""),
        ]));
        form.apply(&mut doc).unwrap();
        let back: Site = toml::from_str(&doc.to_string()).unwrap();
        assert_eq!(
            back.seller.address,
            vec!["Jl. Merdeka 1", "Jakarta 10110", "Indonesia"]
        );
        assert_eq!(back.bank_accounts.len(), 1);
        assert_eq!(back.bank_accounts[0].number, "123 456 7890");
        assert_eq!(back.seller.tax_id, None);
    }

    #[test]
    fn bad_details_name_their_fields() {
        let (src, site) = site();
        let mut doc: toml_edit::DocumentMut = src.parse().unwrap();
        let form = SellerForm::from_fields(&fields(&[
            ("legal_name", "PT Toko\u{7}"),
            ("address", ""),
            ("seller_email", "not an email"),
            ("invoice_prefix", "INV/2026"),
            ("account_0_id", "BCA main"),
            ("account_0_bank", "BCA"),
            ("account_0_holder", "x"),
            ("account_0_number", "1"),
        ]));
        let got: Vec<String> = form
            .apply(&mut doc)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            got,
            vec![
                "legal_name",
                "address",
                "seller_email",
                "invoice_prefix",
                "account_0_id"
            ]
        );
        let contact =
            ContactForm::from_fields(&fields(&[("phone", "+62 21 <b>"), ("email", "x@")]), &site);
        let got: Vec<String> = contact
            .apply(&mut doc)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(got, vec!["email", "phone"]);

        // Domains: one a line, IDNs kept in ASCII, each once; a line that
        // is no host name is named.
        assert_eq!(
            domain_list("Toko.Example\n\nbücher.example\ntoko.example"),
            Ok(vec![
                "toko.example".to_string(),
                "xn--bcher-kva.example".to_string()
            ])
        );
        assert_eq!(
            domain_list("toko.example\nnot a domain"),
            Err("not a domain".to_string())
        );
        assert_eq!(domain_list("localhost"), Err("localhost".to_string()));
        assert_eq!(domain_list("  "), Err(String::new()));
    }
}
