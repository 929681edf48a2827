//! Who sells: a reseller's (or the platform's) legal details, the bank
//! accounts it takes transfers into, and how its orders are timed. Invoices,
//! proformas, mails and transfer instructions print these strings, so each
//! one is refused unless it is short, non-empty and free of control
//! characters — on an invoice a stray escape or direction override is a
//! forged line, not a typo.

use crate::content::{BankAccount, Content, Orders, PlatformBankAccount, Seller, valid_id};
use crate::diagnostics::{Diagnostics, Key, locate};
use crate::path;
use crate::validate::is_email;
use std::collections::BTreeSet;
use std::path::Path;
use storefront_core::snapshot;

pub const MAX_LEGAL_NAME: usize = 120;
pub const MAX_ADDRESS_LINES: usize = 6;
pub const MAX_ADDRESS_LINE: usize = 100;
pub const MAX_TAX_ID: usize = 32;
pub const MAX_EMAIL: usize = 254;
pub const MAX_INVOICE_PREFIX: usize = 12;
pub const MAX_BANK_ID: usize = 32;
pub const MAX_BANK: usize = 80;
pub const MAX_HOLDER: usize = 120;
pub const MAX_ACCOUNT_NUMBER: usize = 64;
pub const RENEWAL_NOTICE_DAYS: std::ops::RangeInclusive<u16> = 1..=90;
pub const PAYMENT_DUE_DAYS: std::ops::RangeInclusive<u16> = 1..=30;

pub use storefront_core::tax_id::TaxIdKind;

/// Why `s` is not a tax id of `kind`, if it is not (core's rule, which a
/// reseller's registration asks too). `s` is free of control characters
/// already.
pub fn tax_id_problem(kind: TaxIdKind, s: &str) -> Option<String> {
    storefront_core::tax_id::check(kind, s)
        .err()
        .map(|problem| format!("{s:?} is {problem}"))
}

/// Characters no seller detail may hold: C0/C1 controls (tab and newline
/// included: each field is one printed line), and the invisible ones that
/// reorder or break the text around them.
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// A TOML file being checked: problems are reported at the line of the key.
pub struct Place<'a> {
    pub file: &'a Path,
    pub src: &'a str,
}

impl Place<'_> {
    fn push(&self, diags: &mut Diagnostics, at: &[Key], message: String) {
        diags.push(self.file, locate(self.src, at), message);
    }

    /// One line of untrusted text: no control characters, not blank, at most
    /// `max` characters. False when it was refused, so callers skip checks
    /// that would repeat the value.
    fn line(
        &self,
        diags: &mut Diagnostics,
        at: &[Key],
        key: &str,
        value: &str,
        max: usize,
    ) -> bool {
        if let Some(c) = value.chars().find(|&c| forbidden(c)) {
            self.push(
                diags,
                at,
                format!(
                    "{key} contains a control character (U+{:04X}): remove it",
                    u32::from(c)
                ),
            );
            return false;
        }
        if value.trim().is_empty() {
            self.push(diags, at, format!("{key} is empty"));
            return false;
        }
        let n = value.chars().count();
        if n > max {
            self.push(
                diags,
                at,
                format!("{key} is {n} characters long; at most {max} fit"),
            );
            return false;
        }
        true
    }

    pub fn check_seller(&self, seller: &Seller, kind: TaxIdKind, diags: &mut Diagnostics) {
        self.line(
            diags,
            &path!["seller", "legal_name"],
            "seller.legal_name",
            &seller.legal_name,
            MAX_LEGAL_NAME,
        );
        if seller.address.is_empty() || seller.address.len() > MAX_ADDRESS_LINES {
            self.push(
                diags,
                &path!["seller", "address"],
                format!(
                    "seller.address has {} lines: write 1 to {MAX_ADDRESS_LINES}, e.g. [\"Jl. Sudirman 1\", \"Jakarta 10220\"]",
                    seller.address.len()
                ),
            );
        }
        for (i, l) in seller.address.iter().enumerate() {
            self.line(
                diags,
                &path!["seller", "address", i],
                &format!("seller.address[{i}]"),
                l,
                MAX_ADDRESS_LINE,
            );
        }
        if let Some(id) = &seller.tax_id {
            let at = path!["seller", "tax_id"];
            if self.line(diags, &at, "seller.tax_id", id, MAX_TAX_ID)
                && let Some(why) = tax_id_problem(kind, id)
            {
                self.push(diags, &at, format!("seller.tax_id {why}"));
            }
        }
        let at = path!["seller", "email"];
        if self.line(diags, &at, "seller.email", &seller.email, MAX_EMAIL)
            && !is_email(&seller.email)
        {
            self.push(
                diags,
                &at,
                format!(
                    "seller.email {:?} is not an address such as invoices@example.com",
                    seller.email
                ),
            );
        }
        let at = path!["seller", "invoice_prefix"];
        if self.line(
            diags,
            &at,
            "seller.invoice_prefix",
            &seller.invoice_prefix,
            MAX_INVOICE_PREFIX,
        ) && !seller
            .invoice_prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            self.push(
                diags,
                &at,
                format!(
                    "seller.invoice_prefix {:?} may contain only letters, digits and dashes, e.g. \"INV\" or \"ND-INV\"",
                    seller.invoice_prefix
                ),
            );
        }
    }

    /// Every account's text, and ids unique among them.
    fn check_accounts<'b>(
        &self,
        accounts: impl Iterator<Item = [&'b str; 4]>,
        diags: &mut Diagnostics,
    ) {
        let mut ids = BTreeSet::new();
        for (i, [id, bank, holder, number]) in accounts.enumerate() {
            let key = |k: &str| format!("bank_accounts[{i}].{k}");
            let at = path!["bank_accounts", i, "id"];
            if self.line(diags, &at, &key("id"), id, MAX_BANK_ID) {
                if !valid_id(id) {
                    self.push(
                        diags,
                        &at,
                        format!(
                            "{} {id:?} must be lowercase letters, digits and hyphens, e.g. \"bca\"",
                            key("id")
                        ),
                    );
                } else if !ids.insert(id) {
                    self.push(
                        diags,
                        &at,
                        format!(
                            "{} {id:?} is used by another bank account: ids must be unique, orders name the account paid into by it",
                            key("id")
                        ),
                    );
                }
            }
            let at = path!["bank_accounts", i, "bank"];
            self.line(diags, &at, &key("bank"), bank, MAX_BANK);
            let at = path!["bank_accounts", i, "holder"];
            self.line(diags, &at, &key("holder"), holder, MAX_HOLDER);
            let at = path!["bank_accounts", i, "number"];
            if self.line(diags, &at, &key("number"), number, MAX_ACCOUNT_NUMBER)
                && (!number.chars().any(|c| c.is_ascii_digit())
                    || !number
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.')))
            {
                self.push(
                    diags,
                    &at,
                    format!(
                        "{} {number:?} is not an account number: digits, letters (an IBAN), spaces, dots and dashes",
                        key("number")
                    ),
                );
            }
        }
    }

    pub fn check_bank_accounts(&self, accounts: &[BankAccount], diags: &mut Diagnostics) {
        self.check_accounts(
            accounts.iter().map(|b| {
                [
                    b.id.as_str(),
                    b.bank.as_str(),
                    b.holder.as_str(),
                    b.number.as_str(),
                ]
            }),
            diags,
        );
    }

    pub fn check_platform_accounts(
        &self,
        accounts: &[PlatformBankAccount],
        diags: &mut Diagnostics,
    ) {
        self.check_accounts(
            accounts.iter().map(|b| {
                [
                    b.id.as_str(),
                    b.bank.as_str(),
                    b.holder.as_str(),
                    b.number.as_str(),
                ]
            }),
            diags,
        );
    }

    pub fn check_orders(&self, orders: &Orders, diags: &mut Diagnostics) {
        for (name, value, range, what) in [
            (
                "renewal_notice_days",
                orders.renewal_notice_days,
                RENEWAL_NOTICE_DAYS,
                "days before expiry a renewal order is created",
            ),
            (
                "payment_due_days",
                orders.payment_due_days,
                PAYMENT_DUE_DAYS,
                "days a customer has to pay by bank transfer",
            ),
        ] {
            if !range.contains(&value) {
                self.push(
                    diags,
                    &path!["orders", name],
                    format!(
                        "orders.{name} must be between {} and {} ({what}), got {value}",
                        range.start(),
                        range.end()
                    ),
                );
            }
        }
    }
}

/// Shortest and longest time documents may be kept after a domain ends:
/// at least a day, at most ten years.
const MIN_RETENTION_DAYS: u16 = 1;
const MAX_RETENTION_DAYS: u16 = 3650;

/// `platform.toml`: the platform's seller details, and an account in every
/// currency a platform plan sells in, or resellers on that plan could not
/// top up.
pub fn check_platform(content: &Content, diags: &mut Diagnostics) {
    let p = &content.platform;
    let place = Place {
        file: &p.site_file,
        src: &p.site_src,
    };
    if let Some(c) = &p.site.country
        && !(c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        place.push(
            diags,
            &path!["country"],
            format!("country {c:?} is not a two-letter country code such as \"ID\" or \"PL\""),
        );
    }
    place.check_seller(
        &p.site.seller,
        TaxIdKind::of_country(p.site.country.as_deref()),
        diags,
    );
    place.check_platform_accounts(&p.site.bank_accounts, diags);
    if let Some(own) = &p.site.storefront {
        match content.resellers.get(own) {
            None => place.push(
                diags,
                &path!["storefront"],
                format!(
                    "storefront {own:?} names no reseller: the platform's own storefront is a folder resellers/{own}/ like any other"
                ),
            ),
            Some(r) if r.site.parent.is_some() => place.push(
                diags,
                &path!["storefront"],
                format!(
                    "storefront {own:?} is a sub-reseller: the platform's own storefront buys from the platform (no parent)"
                ),
            ),
            Some(_) => {}
        }
    }
    let keep = p.site.document_retention_days;
    if !(MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(&keep) {
        place.push(
            diags,
            &path!["document_retention_days"],
            format!(
                "document_retention_days must be between {MIN_RETENTION_DAYS} and {MAX_RETENTION_DAYS} (days the registrants' documents are kept after their domain ends), got {keep}"
            ),
        );
    }
    let mut missing: BTreeSet<(&str, &str)> = BTreeSet::new();
    for (id, plan) in &p.plans.plans {
        if !p
            .site
            .bank_accounts
            .iter()
            .any(|b| b.currency == plan.currency)
        {
            missing.insert((plan.currency.code(), id));
        }
    }
    for (currency, plan) in missing {
        place.push(
            diags,
            &path!["bank_accounts"],
            format!(
                "no bank account in {currency}: resellers on plan '{plan}' top up in {currency}; add a [[bank_accounts]] with currency = \"{currency}\""
            ),
        );
    }
    check_platform_taxes(p, &place, diags);
}

/// One tax per currency the plans sell in, each a valid tax: what the
/// platform adds to its resellers' purchases is never left to a default.
fn check_platform_taxes(p: &crate::content::Platform, place: &Place<'_>, diags: &mut Diagnostics) {
    let taxes = &p.site.taxes;
    for (i, t) in taxes.iter().enumerate() {
        if taxes[..i].iter().any(|o| o.currency == t.currency) {
            place.push(
                diags,
                &path!["taxes", i, "currency"],
                format!(
                    "a second tax for {}: the platform adds one tax per currency",
                    t.currency.code()
                ),
            );
        }
        if let Err(e) = t.tax().validate() {
            place.push(diags, &path!["taxes", i, "percent"], e.to_string());
        }
    }
    let mut missing: BTreeSet<(&str, &str)> = BTreeSet::new();
    for (id, plan) in &p.plans.plans {
        if !taxes.iter().any(|t| t.currency == plan.currency) {
            missing.insert((plan.currency.code(), id));
        }
    }
    for (currency, plan) in missing {
        place.push(
            diags,
            &path!["taxes"],
            format!(
                "no tax for {currency}: resellers on plan '{plan}' buy in {currency} and plan prices are net; add [[taxes]] with currency = \"{currency}\", its label and percent (\"0\" if the platform adds none)"
            ),
        );
    }
}

impl Seller {
    pub fn published(&self) -> snapshot::Seller {
        snapshot::Seller {
            legal_name: self.legal_name.clone(),
            address: self.address.clone(),
            tax_id: self.tax_id.clone(),
            email: self.email.clone(),
            invoice_prefix: self.invoice_prefix.clone(),
        }
    }
}

impl BankAccount {
    pub fn published(&self) -> snapshot::BankAccount {
        snapshot::BankAccount {
            id: self.id.clone(),
            bank: self.bank.clone(),
            holder: self.holder.clone(),
            number: self.number.clone(),
        }
    }
}

impl Orders {
    pub fn published(&self) -> snapshot::OrderSettings {
        snapshot::OrderSettings {
            renewal_notice_days: self.renewal_notice_days,
            payment_due_days: self.payment_due_days,
        }
    }
}

/// Whom the last reseller of `chain` (top first) buys from: its parent
/// reseller, or for a top-level reseller the platform, with the platform's
/// accounts in the reseller's currency.
pub fn parent_of(content: &Content, chain: &[String]) -> Option<snapshot::Parent> {
    let me = content.resellers.get(chain.last()?)?;
    Some(match chain.len().checked_sub(2).map(|i| &chain[i]) {
        Some(parent_id) => {
            let parent = content.resellers.get(parent_id)?;
            snapshot::Parent {
                id: Some(parent_id.clone()),
                seller: parent.site.seller.published(),
                bank_accounts: parent
                    .site
                    .bank_accounts
                    .iter()
                    .map(BankAccount::published)
                    .collect(),
            }
        }
        None => {
            let p = &content.platform.site;
            snapshot::Parent {
                id: None,
                seller: p.seller.published(),
                bank_accounts: p
                    .bank_accounts
                    .iter()
                    .filter(|b| b.currency == me.site.currency)
                    .map(|b| snapshot::BankAccount {
                        id: b.id.clone(),
                        bank: b.bank.clone(),
                        holder: b.holder.clone(),
                        number: b.number.clone(),
                    })
                    .collect(),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use storefront_core::money::Currency;

    #[test]
    fn nip_check_digit() {
        assert_eq!(tax_id_problem(TaxIdKind::Nip, "123-456-32-18"), None);
        assert_eq!(tax_id_problem(TaxIdKind::Nip, "1234563218"), None);
        assert_eq!(tax_id_problem(TaxIdKind::Nip, "PL1234563218"), None);
        assert!(
            tax_id_problem(TaxIdKind::Nip, "1234563219").is_some_and(|m| m.contains("last digit"))
        );
        // A weighted sum of 10 modulo 11 (2 × 5 here) is never issued,
        // whatever the last digit.
        assert!(tax_id_problem(TaxIdKind::Nip, "0200000000").is_some());
        assert!(tax_id_problem(TaxIdKind::Nip, "123456321").is_some());
        assert!(tax_id_problem(TaxIdKind::Nip, "12345632181").is_some());
        assert!(tax_id_problem(TaxIdKind::Nip, "12345b3218").is_some());
    }

    #[test]
    fn npwp_shapes() {
        assert_eq!(
            tax_id_problem(TaxIdKind::Npwp, "01.234.567.8-901.000"),
            None
        );
        assert_eq!(tax_id_problem(TaxIdKind::Npwp, "012345678901000"), None);
        assert_eq!(tax_id_problem(TaxIdKind::Npwp, "0012345678901000"), None);
        assert!(tax_id_problem(TaxIdKind::Npwp, "01.234.567.8-901.00").is_some());
        assert!(tax_id_problem(TaxIdKind::Npwp, "01 234 567 8 901 000").is_some());
        assert!(tax_id_problem(TaxIdKind::Npwp, "01.234.567.8-901.0000X").is_some());
    }

    #[test]
    fn other_countries_take_any_text() {
        assert_eq!(tax_id_problem(TaxIdKind::Other, "EIN 12-3456789"), None);
        assert_eq!(TaxIdKind::of_currency(Currency::USD), TaxIdKind::Other);
        assert_eq!(TaxIdKind::of_country(Some("PL")), TaxIdKind::Nip);
    }

    #[test]
    fn invisible_characters_are_refused() {
        for c in [
            '\u{7}', '\t', '\n', '\u{1b}', '\u{85}', '\u{202e}', '\u{2066}', '\u{2028}',
        ] {
            assert!(forbidden(c), "{c:?}");
        }
        for c in ['a', 'ł', ' ', '–', '\u{a0}'] {
            assert!(!forbidden(c), "{c:?}");
        }
    }
}
