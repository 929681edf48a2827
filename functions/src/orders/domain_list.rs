//! A customer's (or a storefront's) domains in the four lists people see
//! them in: active, expired, awaiting documents, deleted, each counted.
//!
//! A domain's list is its status as core shows it on the storefront's day
//! (`DomainStatus::shown`: an active domain past its expiry is expired
//! before the scheduler marks it). A paid line that waits for its
//! registrant's documents before it is registered has no domain yet; it is
//! in "awaiting documents" all the same, found among the open orders.

use super::engine::Orders;
use super::model::{DomainStatus, LineState, OrderState};
use crate::store::StoreError;
use chrono::NaiveDate;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};

/// The list asked for (all when `status` is None) and how many are in
/// each of the four.
#[derive(Debug, Clone, PartialEq)]
pub struct DomainList {
    pub status: Option<DomainStatus>,
    pub counts: BTreeMap<DomainStatus, usize>,
    /// As stored (name, display, expires, auto_renew, customer) with the
    /// status shown; a line waiting for documents also names its `order`.
    pub domains: Vec<Value>,
}

impl DomainList {
    /// The answer of the API: `{status, counts: {active, ..}, domains}`.
    pub fn to_json(&self) -> Value {
        let counts: serde_json::Map<String, Value> = self
            .counts
            .iter()
            .map(|(s, n)| (s.code().to_string(), json!(n)))
            .collect();
        json!({"status": self.status, "counts": counts, "domains": self.domains})
    }

    /// Only the domains in the list `status` (the counts stay).
    pub fn keep(&mut self, status: DomainStatus) {
        let code = json!(status);
        self.domains.retain(|d| d["status"] == code);
        self.status = Some(status);
    }

    /// The list to open on when none was asked for: the first of the four
    /// with something in it (active when all are empty).
    pub fn first_with_any(&self) -> DomainStatus {
        DomainStatus::ALL
            .into_iter()
            .find(|s| self.counts.get(s).is_some_and(|n| *n > 0))
            .unwrap_or(DomainStatus::Active)
    }
}

/// The domains of `customer` on `reseller`'s storefront on `today`.
pub async fn of_customer(
    orders: &Orders,
    reseller: &str,
    customer: &str,
    today: NaiveDate,
    status: Option<DomainStatus>,
) -> Result<DomainList, StoreError> {
    let domains = orders.domains_of(reseller, customer).await?;
    let open = orders.orders_of(reseller, customer, None, 200).await?;
    let waiting = waiting_lines(orders, &open.items).await?;
    Ok(assemble(domains, waiting, today, status))
}

/// The domains of every customer of `reseller`'s storefront on `today`.
pub async fn of_reseller(
    orders: &Orders,
    reseller: &str,
    today: NaiveDate,
    status: Option<DomainStatus>,
) -> Result<DomainList, StoreError> {
    let domains = orders.domains_of_reseller(reseller).await?;
    let open = orders.orders_of_reseller(reseller, None, 500).await?;
    let waiting = waiting_lines(orders, &open.items).await?;
    Ok(assemble(domains, waiting, today, status))
}

/// The lines of these orders (summaries as listed) that are paid and
/// wait for their documents, as list entries. Only orders still in
/// progress are read in full.
async fn waiting_lines(orders: &Orders, summaries: &[Value]) -> Result<Vec<Value>, StoreError> {
    let provisioning = serde_json::to_value(OrderState::Provisioning).unwrap_or_default();
    let mut out = Vec::new();
    for s in summaries.iter().filter(|s| s["state"] == provisioning) {
        let Some(id) = s["id"].as_str() else {
            continue;
        };
        let Some((o, _)) = orders.order(id).await? else {
            continue;
        };
        for l in o
            .lines
            .iter()
            .filter(|l| l.state() == LineState::AwaitingDocuments)
        {
            out.push(json!({
                "name": l.domain, "display": l.display, "expires": null,
                "auto_renew": false, "customer": o.customer, "order": o.id,
                "documents_due": o.documents_due,
            }));
        }
    }
    Ok(out)
}

/// The pure part: every domain's shown status on `today`, the lines
/// waiting for documents added (unless a domain of that name is already
/// there and not deleted), counted, then filtered, sorted by name.
pub fn assemble(
    domains: Vec<Value>,
    waiting: Vec<Value>,
    today: NaiveDate,
    status: Option<DomainStatus>,
) -> DomainList {
    let mut all: Vec<(DomainStatus, Value)> = domains
        .into_iter()
        .filter_map(|mut d| {
            let stored: DomainStatus = serde_json::from_value(d["status"].clone()).ok()?;
            let shown = match d["expires"].as_str().and_then(|e| e.parse().ok()) {
                Some(expires) => stored.shown(expires, today),
                None => stored,
            };
            d["status"] = json!(shown);
            Some((shown, d))
        })
        .collect();
    let held: HashSet<String> = all
        .iter()
        .filter(|(s, _)| *s != DomainStatus::Deleted)
        .filter_map(|(_, d)| d["name"].as_str().map(str::to_string))
        .collect();
    for mut w in waiting {
        if w["name"].as_str().is_some_and(|n| held.contains(n)) {
            continue;
        }
        w["status"] = json!(DomainStatus::AwaitingDocuments);
        all.push((DomainStatus::AwaitingDocuments, w));
    }
    let mut counts: BTreeMap<DomainStatus, usize> =
        DomainStatus::ALL.into_iter().map(|s| (s, 0)).collect();
    for (s, _) in &all {
        *counts.entry(*s).or_default() += 1;
    }
    let mut domains: Vec<Value> = all.into_iter().map(|(_, d)| d).collect();
    domains.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let mut list = DomainList {
        status: None,
        counts,
        domains,
    };
    if let Some(s) = status {
        list.keep(s);
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn domain(name: &str, status: &str, expires: &str) -> Value {
        json!({"name": name, "display": name, "status": status, "expires": expires})
    }

    fn names(l: &DomainList) -> Vec<&str> {
        l.domains
            .iter()
            .filter_map(|d| d["name"].as_str())
            .collect()
    }

    #[test]
    fn four_lists_counted_with_lapsed_active_names_expired_and_waiting_lines() {
        let domains = vec![
            domain("b.co.id", "active", "2027-01-01"),
            domain("a.co.id", "active", "2026-01-31"),
            domain("c.co.id", "expired", "2025-12-01"),
            domain("d.co.id", "awaiting_documents", "2027-01-01"),
            domain("e.co.id", "deleted", "2027-01-01"),
        ];
        let waiting = vec![
            json!({"name": "f.co.id", "order": "o1"}),
            // Deleted once, ordered again: waiting again.
            json!({"name": "e.co.id", "order": "o2"}),
            // Registered meanwhile: the domain is what counts.
            json!({"name": "b.co.id", "order": "o3"}),
        ];
        let today = day("2026-02-01");
        let all = assemble(domains.clone(), waiting.clone(), today, None);
        let counts: Vec<usize> = all.counts.values().copied().collect();
        assert_eq!(counts, [1, 2, 3, 1]);
        assert_eq!(all.first_with_any(), DomainStatus::Active);
        assert_eq!(
            all.to_json()["counts"],
            json!({"active": 1, "expired": 2, "awaiting_documents": 3, "deleted": 1})
        );
        let only = |s| assemble(domains.clone(), waiting.clone(), today, Some(s));
        assert_eq!(names(&only(DomainStatus::Active)), ["b.co.id"]);
        assert_eq!(names(&only(DomainStatus::Expired)), ["a.co.id", "c.co.id"]);
        assert_eq!(
            names(&only(DomainStatus::AwaitingDocuments)),
            ["d.co.id", "e.co.id", "f.co.id"]
        );
        assert_eq!(names(&only(DomainStatus::Deleted)), ["e.co.id"]);
        assert_eq!(only(DomainStatus::Expired).domains[0]["status"], "expired");
    }

    #[test]
    fn nothing_at_all_opens_on_active() {
        let l = assemble(vec![], vec![], day("2026-02-01"), None);
        assert_eq!(l.first_with_any(), DomainStatus::Active);
        let l = assemble(
            vec![],
            vec![json!({"name": "x.co.id"})],
            day("2026-02-01"),
            None,
        );
        assert_eq!(l.first_with_any(), DomainStatus::AwaitingDocuments);
    }
}
