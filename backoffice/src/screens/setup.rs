//! The dashboard's setup checklist, for staff who may edit the content:
//! logo and colours, customers' prices, the own domain and bank accounts,
//! each done or not with a link to the page that does it. Read from the
//! working content (the draft, else what is published: what the editors
//! show); the own domains are asked about anew on every view.

use crate::own_domain::OwnDomainCheck;
use crate::{BackOffice, Failure, Staff, edit, i18n, setup};
use serde_json::{Value, json};
use storefront_core::Locale;
use storefront_core::own_domain::{Addresses, Verdict, is_own};
use storefront_functions::accounts::roles::Capability;
use storefront_generator::content::Site;

/// The dashboard's `setup`: null for a role that may not edit the
/// content, or when the content cannot be read as a site (the editors say
/// why).
pub(crate) async fn view(bo: &BackOffice, staff: &Staff) -> Result<Value, Failure> {
    if !staff.may(Capability::Content) {
        return Ok(Value::Null);
    }
    let (_, files) = edit::working(bo, &staff.reseller).await?;
    let Some((_, site)) = edit::site_of(&files) else {
        return Ok(Value::Null);
    };
    let lang = staff.lang;
    let progress = setup::progress(&site, &files);
    let domains = own_domains(&bo.own_domain, &site, &bo.platform_domain, lang).await;
    let owner = staff.may(Capability::Seller);
    let items = [
        item(lang, "brand", progress.brand, Some("brand"), None),
        item(lang, "prices", progress.prices, Some("prices"), None),
        item(
            lang,
            "domain",
            domains.done,
            // The domains are edited with the contact details.
            (!domains.done).then_some("details"),
            Some(domains.line.clone()),
        ),
        item(
            lang,
            "bank",
            progress.bank_accounts > 0,
            // Only the owner edits the bank accounts; others are told so.
            owner.then_some("seller"),
            Some(if progress.bank_accounts > 0 {
                i18n::fill(
                    lang,
                    "setup_bank_done",
                    &[("count", &progress.bank_accounts.to_string())],
                )
            } else if owner {
                i18n::text(lang, "setup_bank_todo")
            } else {
                format!(
                    "{} {}",
                    i18n::text(lang, "setup_bank_todo"),
                    i18n::text(lang, "setup_bank_owner")
                )
            }),
        ),
    ];
    let done = items.iter().filter(|i| i["done"] == true).count();
    Ok(json!({
        "progress": i18n::fill(lang, "setup_progress", &[("done", &done.to_string()), ("all", &items.len().to_string())]),
        "items": items,
        "domains": domains.rows,
        "record": domains.record,
    }))
}

/// One line of the checklist: its title and state ("Logo and colours:
/// done"), what it means now (`setup_<id>_done` or `_todo` unless `line`
/// says), and the page that does it.
fn item(lang: Locale, id: &str, done: bool, page: Option<&str>, line: Option<String>) -> Value {
    let state = if done { "done" } else { "todo" };
    let line = line.unwrap_or_else(|| i18n::text(lang, &format!("setup_{id}_{state}")));
    let state = i18n::text(lang, &format!("setup_{state}"));
    json!({
        "id": id,
        "done": done,
        "title": format!("{}: {state}", i18n::text(lang, &format!("setup_{id}"))),
        "line": line,
        "link": page,
        "link_text": page.map(|_| i18n::text(lang, &format!("setup_{id}_link"))),
    })
}

/// The own-domain item: its line, whether it is done, the record to set
/// and a row per own domain with what it does now.
struct Domains {
    done: bool,
    line: String,
    record: Option<String>,
    rows: Vec<Value>,
}

async fn own_domains(
    check: &OwnDomainCheck,
    site: &Site,
    platform_domain: &str,
    lang: Locale,
) -> Domains {
    let own: Vec<String> = site
        .domains
        .iter()
        .filter(|d| is_own(d, platform_domain))
        .cloned()
        .collect();
    let not_done = |line: String| Domains {
        done: false,
        line,
        record: None,
        rows: Vec::new(),
    };
    if own.is_empty() {
        let host = site.domains.first().map_or("", String::as_str);
        return not_done(i18n::fill(lang, "setup_domain_none", &[("host", host)]));
    }
    let edge = &check.edge;
    if edge.is_empty() {
        return not_done(i18n::text(lang, "setup_domain_no_edge"));
    }
    let v4 = edge.v4.iter().map(|ip| (*ip).into()).collect::<Vec<_>>();
    let v6 = edge.v6.iter().map(|ip| (*ip).into()).collect::<Vec<_>>();
    let mut record = format!("A {}", Addresses(&v4));
    if !v6.is_empty() {
        record.push_str(&format!(", AAAA {}", Addresses(&v6)));
    }
    let verdicts = check.check(&own).await;
    let done = verdicts.iter().all(|v| *v == Verdict::PointsHere);
    let rows = own
        .iter()
        .zip(&verdicts)
        .map(|(name, v)| {
            let (state, now) = match v {
                Verdict::PointsHere => ("here", i18n::text(lang, "setup_domain_here")),
                Verdict::Elsewhere(ips) => (
                    "elsewhere",
                    i18n::fill(
                        lang,
                        "setup_domain_elsewhere",
                        &[("addresses", &Addresses(ips).to_string())],
                    ),
                ),
                Verdict::NoRecord => ("none", i18n::text(lang, "setup_domain_no_record")),
                Verdict::Unchecked => ("unchecked", i18n::text(lang, "setup_domain_unchecked")),
            };
            json!({"name": name, "state": state, "now": now})
        })
        .collect();
    let line = i18n::text(
        lang,
        if done {
            "setup_domain_done"
        } else {
            "setup_domain_todo"
        },
    );
    Domains {
        done,
        line,
        record: Some(record),
        rows,
    }
}
