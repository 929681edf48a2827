//! A reseller's priced catalogue as published by a build: what the API
//! prices from. The storefront's pages and the API's answers come from the
//! same snapshot, so the price a customer saw is the price they are quoted.

use crate::catalogue::{DocumentItem, Years};
use crate::dates::Zone;
use crate::locale::Locale;
use crate::money::{Currency, Tax, TaxDisplay};
use crate::pricing::{DiscountCode, PriceList, PriceRule};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub id: String,
    pub extensions: Vec<String>,
}

/// Registry rules the API needs to accept or refuse a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameRules {
    pub label_min: u8,
    pub label_max: u8,
    pub idn: bool,
    pub years: Years,
}

/// The rule each level buys at from the one above (None for the top level,
/// which buys at the platform plan), top first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelRule {
    pub reseller: String,
    pub buys_at: Option<PriceRule>,
    /// The tax its parent (the reseller above, or the platform) adds to
    /// what this level pays it: plan prices are net, and the parent's tax
    /// comes on top.
    #[serde(default = "Tax::none")]
    pub pays_tax: Tax,
}

/// Who sells: the details an invoice, a proforma and a notification carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    pub legal_name: String,
    /// Postal address, one printed line each.
    pub address: Vec<String>,
    /// NPWP, NIP or another registration number, as the seller writes it;
    /// None when the seller has none (a US LLC).
    pub tax_id: Option<String>,
    /// Where invoices and notifications come from.
    pub email: String,
    /// Invoice numbers start with it.
    pub invoice_prefix: String,
}

/// An account that takes bank transfers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccount {
    /// Unique within its seller; orders name the account paid into by it.
    pub id: String,
    pub bank: String,
    pub holder: String,
    /// Account number or IBAN, as printed.
    pub number: String,
}

/// Whom this reseller buys from: the seller on its own purchase invoices,
/// and where it tops up its wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parent {
    /// The parent reseller; None when it is the platform.
    pub id: Option<String>,
    pub seller: Seller,
    /// The parent reseller's accounts, or the platform's accounts in this
    /// reseller's currency.
    pub bank_accounts: Vec<BankAccount>,
}

/// Whether names are registered before their documents are approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProvisioningView {
    /// Register at once and collect the documents afterwards.
    pub auto: bool,
    /// Days the documents have, when registered first.
    pub documents_due_days: u16,
    /// Days the documents have when the name waits for them (0: the
    /// default, 30).
    #[serde(default)]
    pub upload_days: u16,
    /// `auto` for the extensions where it differs.
    #[serde(default)]
    pub extensions: BTreeMap<String, bool>,
}

impl ProvisioningView {
    /// Days a customer has to send documents awaited before registering.
    pub fn upload_days(&self) -> u16 {
        if self.upload_days == 0 {
            30
        } else {
            self.upload_days
        }
    }

    /// Whether names of `ext` are registered before their documents.
    pub fn auto(&self, ext: &str) -> bool {
        self.extensions.get(ext).copied().unwrap_or(self.auto)
    }
}

/// The platform's `document_retention_days`, and each extension's
/// redemption grace (after which an expired domain has ended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RetentionView {
    /// Days documents are kept after their domain ends (0: the default).
    #[serde(default)]
    pub days: u16,
    /// Redemption grace in days, by extension.
    #[serde(default)]
    pub redemption: BTreeMap<String, u16>,
}

impl RetentionView {
    /// Days documents are kept after their domain ends.
    pub fn days(&self) -> u16 {
        if self.days == 0 {
            crate::documents::DEFAULT_RETENTION_DAYS
        } else {
            self.days
        }
    }

    /// Days after its expiry a name of `ext` can still be restored
    /// (30, the common registry's, when the catalogue does not say).
    pub fn redemption(&self, ext: &str) -> u16 {
        self.redemption.get(ext).copied().unwrap_or(30)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSettings {
    /// Days before expiry a renewal order (and its proforma) is created.
    pub renewal_notice_days: u16,
    /// Days a customer has to pay an order by bank transfer.
    pub payment_due_days: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub reseller: String,
    pub name: String,
    /// Top-level reseller first, this one last.
    pub levels: Vec<LevelRule>,
    pub domains: Vec<String>,
    pub languages: Vec<Locale>,
    pub currency: Currency,
    pub tax: Tax,
    pub tax_display: TaxDisplay,
    pub groups: Vec<GroupView>,
    pub rules: BTreeMap<String, NameRules>,
    /// The documents each extension asks of its registrant (item ids), for
    /// the extensions that ask some.
    #[serde(default)]
    pub documents: BTreeMap<String, Vec<String>>,
    /// Those items, as the catalogue describes them: what the customer's
    /// form asks and what the server accepts.
    #[serde(default)]
    pub document_items: BTreeMap<String, DocumentItem>,
    /// Who reviews each extension's documents, where not the storefront
    /// alone.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub document_review: BTreeMap<String, crate::documents::Reviewers>,
    #[serde(default)]
    pub provisioning: ProvisioningView,
    pub prices: PriceList,
    /// Customer price rules by group, for prices the list cannot hold
    /// (premium names priced by the registry).
    pub customer_rules: BTreeMap<String, PriceRule>,
    pub discount_codes: Vec<DiscountCode>,
    /// This storefront's seller: the issuer of its customers' invoices.
    pub seller: Seller,
    /// Where its customers write to (site.toml's contact email): the
    /// Reply-To of the mails sent in its name. None: the seller's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    /// Where this storefront's customers pay by transfer and top up.
    pub bank_accounts: Vec<BankAccount>,
    pub parent: Parent,
    pub orders: OrderSettings,
    /// How long its customers' documents are kept after their domains end.
    #[serde(default)]
    pub retention: RetentionView,
    /// Where its days begin and end: promotions, due dates.
    #[serde(default, skip_serializing_if = "Zone::is_utc")]
    pub time_zone: Zone,
    /// This is the platform's own storefront (`platform.toml`'s
    /// `storefront`): where resellers register and the platform's
    /// operators (its owner and admins) have the console.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub platform: bool,
    /// Content hash of everything above (set by the publisher): equal
    /// snapshots have equal versions.
    pub version: String,
}

/// What a paid line asks of its registrant's documents: whether the name
/// is registered first (deleted if they do not come) or waits for them, and
/// the days they have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentTerms {
    pub registered_first: bool,
    pub days: u16,
}

impl Snapshot {
    /// The documents' terms for a line of `ext` doing `action`, None when
    /// it asks for none: registrations of an extension registered first
    /// (auto-provisioning) get `documents_due_days`; the others, transfers
    /// included, wait for them for `upload_days`. Shown before paying and
    /// applied when paid, from this one rule.
    pub fn document_terms(
        &self,
        ext: &str,
        action: crate::catalogue::Action,
    ) -> Option<DocumentTerms> {
        use crate::catalogue::Action;
        if !matches!(action, Action::Register | Action::Transfer)
            || self.documents.get(ext).is_none_or(Vec::is_empty)
        {
            return None;
        }
        let registered_first = action == Action::Register && self.provisioning.auto(ext);
        Some(DocumentTerms {
            registered_first,
            days: if registered_first {
                self.provisioning.documents_due_days
            } else {
                self.provisioning.upload_days()
            },
        })
    }

    /// Who reviews the documents of `ext`.
    pub fn reviewers(&self, ext: &str) -> crate::documents::Reviewers {
        self.document_review.get(ext).copied().unwrap_or_default()
    }

    /// The document items a line of `ext` waits for before the registry,
    /// empty when it waits for none (none asked, or registered first).
    pub fn documents_awaited(&self, ext: &str) -> &[String] {
        if self.provisioning.auto(ext) {
            return &[];
        }
        self.documents.get(ext).map_or(&[], Vec::as_slice)
    }

    /// What day it is for this storefront at the instant `now`: the day its
    /// pages were built for and its checkout prices by.
    pub fn today(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        self.time_zone.date_at(now)
    }

    /// The address answers to its mails go to.
    pub fn reply_to(&self) -> &str {
        self.contact_email.as_deref().unwrap_or(&self.seller.email)
    }

    pub fn default_language(&self) -> Locale {
        self.languages.first().copied().unwrap_or(Locale::En)
    }

    /// Every extension sold, in group order.
    pub fn extensions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for g in &self.groups {
            for e in &g.extensions {
                if !out.contains(&e.as_str()) {
                    out.push(e);
                }
            }
        }
        out
    }
}
