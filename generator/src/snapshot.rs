//! The priced catalogue each build publishes for the API, made from exactly
//! what the pages were rendered from.

use crate::pipeline::Checkout;
use std::collections::BTreeMap;
use storefront_core::money::Tax;
use storefront_core::snapshot::{
    GroupView, LevelRule, NameRules, ProvisioningView, RetentionView, Snapshot,
};

/// The snapshot of one checked reseller; None if `id` did not pass `check`.
pub fn of(checkout: &Checkout, id: &str) -> Option<Snapshot> {
    let checked = checkout.checked.get(id)?;
    let r = checkout.content.resellers.get(id)?;
    let site = &r.site;
    let levels = checked
        .chain
        .iter()
        .enumerate()
        .map(|(i, level)| {
            let buys_at = (i > 0).then(|| {
                let parent = &checkout.content.resellers[&checked.chain[i - 1]];
                let plan = &checkout.content.resellers[level].site.plan;
                parent.site.pricing.sub_resellers.get(plan).cloned()
            });
            // The parent's tax on what this level pays it: the reseller
            // above's own tax, or the platform's in this currency.
            let pays_tax = match i.checked_sub(1) {
                Some(up) => checkout.content.resellers[&checked.chain[up]]
                    .site
                    .tax
                    .tax(),
                None => checkout
                    .content
                    .platform
                    .site
                    .taxes
                    .iter()
                    .find(|t| t.currency == site.currency)
                    .map_or_else(Tax::none, |t| t.tax()),
            };
            LevelRule {
                reseller: level.clone(),
                buys_at: buys_at.flatten(),
                pays_tax,
            }
        })
        .collect();
    let rules = site
        .extensions()
        .into_iter()
        .filter_map(|e| {
            let x = checkout.content.platform.catalogue.extensions.get(&e)?;
            Some((
                e,
                NameRules {
                    label_min: x.label_min,
                    label_max: x.label_max,
                    idn: x.idn,
                    years: x.years,
                },
            ))
        })
        .collect();
    let catalogue = &checkout.content.platform.catalogue;
    let documents: BTreeMap<String, Vec<String>> = site
        .extensions()
        .into_iter()
        .filter_map(|e| {
            let x = catalogue.extensions.get(&e)?;
            (!x.documents.is_empty()).then(|| (e, x.documents.clone()))
        })
        .collect();
    let document_items = documents
        .values()
        .flatten()
        .filter_map(|d| Some((d.clone(), catalogue.documents.get(d)?.clone())))
        .collect();
    let document_review = documents
        .keys()
        .filter_map(|e| {
            let review = catalogue.extensions.get(e)?.review;
            (review != Default::default()).then(|| (e.clone(), review))
        })
        .collect();
    let snapshot = Snapshot {
        reseller: id.to_string(),
        name: site.name.clone(),
        levels,
        domains: site.domains.clone(),
        languages: site.languages.clone(),
        currency: site.currency,
        tax: site.tax.tax(),
        tax_display: site.tax.display,
        groups: site
            .groups
            .iter()
            .map(|g| GroupView {
                id: g.id.clone(),
                extensions: g.extensions.clone(),
            })
            .collect(),
        rules,
        documents,
        document_review,
        document_items,
        provisioning: ProvisioningView {
            auto: site.provisioning.auto,
            documents_due_days: site.provisioning.documents_due_days,
            upload_days: site.provisioning.upload_days,
            extensions: site
                .provisioning
                .extensions
                .iter()
                .map(|(e, p)| (e.clone(), p.auto))
                .collect(),
        },
        prices: checked.prices.clone(),
        customer_rules: site.pricing.customers.clone(),
        discount_codes: site.discount_codes.clone(),
        seller: site.seller.published(),
        contact_email: Some(site.contact.email.trim().to_string()).filter(|e| !e.is_empty()),
        bank_accounts: site.bank_accounts.iter().map(|b| b.published()).collect(),
        parent: checked.parent.clone(),
        orders: site.orders.published(),
        retention: RetentionView {
            days: checkout.content.platform.site.document_retention_days,
            redemption: site
                .extensions()
                .into_iter()
                .filter_map(|e| {
                    let x = catalogue.extensions.get(&e)?;
                    Some((e, x.grace.redemption))
                })
                .collect(),
        },
        time_zone: site.time_zone,
        platform: checkout.content.platform.site.storefront.as_deref() == Some(id),
        version: String::new(),
    };
    let version = blake3::hash(&serde_json::to_vec(&snapshot).ok()?).to_hex()[..16].to_string();
    Some(Snapshot {
        version,
        ..snapshot
    })
}

/// Snapshots of every reseller that passed `check`, in id order.
pub fn all(checkout: &Checkout) -> Vec<Snapshot> {
    checkout
        .checked
        .keys()
        .filter_map(|id| of(checkout, id))
        .collect()
}
