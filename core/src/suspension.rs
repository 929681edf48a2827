//! Suspension of a reseller by the platform: which resellers are suspended,
//! and what that means for a storefront and an order. No I/O: the API keeps
//! the list (`storefront_functions::suspension`) and asks here.
//!
//! A suspended reseller's whole subtree stops taking new orders: its own
//! storefront and every sub-reseller's below it, since each of their sales
//! would be bought through it. What customers already hold goes on: a
//! renewal, or a restore of a domain in its redemption period, is how a
//! customer keeps a domain, so neither is refused. Wallets and domains are
//! not touched; reinstating removes the entry and everything is as before.

use crate::catalogue::Action;
use crate::snapshot::LevelRule;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest reason kept, in characters: the list of every suspension is
/// one stored item, so each entry stays small.
pub const MAX_REASON_CHARS: usize = 500;

/// One reseller's suspension: since when, by whom, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    pub reseller: String,
    pub since: DateTime<Utc>,
    /// The operator who suspended it.
    pub by: String,
    /// Why, for the platform's operators (never shown to customers).
    pub reason: String,
}

/// Every suspended reseller, by id: the whole list, so that one read
/// answers for every level of a storefront.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspended {
    #[serde(default)]
    pub resellers: BTreeMap<String, Suspension>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuspensionError {
    #[error("{reseller} is already suspended (since {since}, by {by})")]
    AlreadySuspended {
        reseller: String,
        since: DateTime<Utc>,
        by: String,
    },
    #[error("{0} is not suspended")]
    NotSuspended(String),
    #[error("a suspension needs a reason (1 to {MAX_REASON_CHARS} characters)")]
    Reason,
    #[error("name the reseller and the operator")]
    Missing,
}

impl Suspended {
    /// Suspend one more reseller; one already suspended keeps its first
    /// suspension (who and why stay as they were) and the change is
    /// refused.
    pub fn suspend(&mut self, s: Suspension) -> Result<(), SuspensionError> {
        let reason = s.reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(SuspensionError::Reason);
        }
        if s.reseller.trim().is_empty() || s.by.trim().is_empty() {
            return Err(SuspensionError::Missing);
        }
        if let Some(was) = self.resellers.get(&s.reseller) {
            return Err(SuspensionError::AlreadySuspended {
                reseller: was.reseller.clone(),
                since: was.since,
                by: was.by.clone(),
            });
        }
        let s = Suspension {
            reason: reason.to_string(),
            ..s
        };
        self.resellers.insert(s.reseller.clone(), s);
        Ok(())
    }

    /// Lift a reseller's suspension, answering what it was.
    pub fn reinstate(&mut self, reseller: &str) -> Result<Suspension, SuspensionError> {
        self.resellers
            .remove(reseller)
            .ok_or_else(|| SuspensionError::NotSuspended(reseller.to_string()))
    }

    pub fn get(&self, reseller: &str) -> Option<&Suspension> {
        self.resellers.get(reseller)
    }

    /// The suspension that stops a storefront's new orders: the highest of
    /// its levels (`Snapshot::levels`, top first, the storefront last) that
    /// is suspended, None when none is.
    pub fn of_levels(&self, levels: &[LevelRule]) -> Option<&Suspension> {
        levels.iter().find_map(|l| self.resellers.get(&l.reseller))
    }
}

/// Whether a storefront stopped by a suspension still takes `action`: a
/// renewal or restore of a domain the customer holds (the quote checks it
/// is theirs) keeps that domain alive; a registration or a transfer in is
/// a new sale.
pub fn still_taken(action: Action) -> bool {
    matches!(action, Action::Renew | Action::Restore)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Tax;

    fn at(day: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 3, day)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .map(|t| t.and_utc())
            .unwrap_or_default()
    }

    fn suspension(reseller: &str, day: u32) -> Suspension {
        Suspension {
            reseller: reseller.into(),
            since: at(day),
            by: "ops@platform".into(),
            reason: "  unpaid invoices  ".into(),
        }
    }

    fn levels(ids: &[&str]) -> Vec<LevelRule> {
        ids.iter()
            .map(|r| LevelRule {
                reseller: r.to_string(),
                buys_at: None,
                pays_tax: Tax::none(),
            })
            .collect()
    }

    #[test]
    fn a_suspended_level_stops_its_whole_subtree_and_nothing_else() {
        let mut list = Suspended::default();
        list.suspend(suspension("top", 1)).unwrap();
        let sub = levels(&["top", "agen"]);
        assert_eq!(
            list.of_levels(&sub).map(|s| s.reseller.as_str()),
            Some("top")
        );
        assert_eq!(
            list.of_levels(&levels(&["top"])).unwrap().reason,
            "unpaid invoices"
        );
        assert_eq!(list.of_levels(&levels(&["other", "agen2"])), None);
        // The highest suspended level answers when two are.
        list.suspend(suspension("agen", 2)).unwrap();
        assert_eq!(list.of_levels(&sub).unwrap().since, at(1));
        // A sub-reseller's suspension leaves its parent's storefront open.
        list.reinstate("top").unwrap();
        assert_eq!(list.of_levels(&levels(&["top"])), None);
        assert_eq!(list.of_levels(&sub).unwrap().reseller, "agen");
    }

    #[test]
    fn twice_suspended_or_reinstated_when_not_suspended_is_refused() {
        let mut list = Suspended::default();
        list.suspend(suspension("top", 1)).unwrap();
        assert_eq!(
            list.suspend(suspension("top", 2)),
            Err(SuspensionError::AlreadySuspended {
                reseller: "top".into(),
                since: at(1),
                by: "ops@platform".into()
            })
        );
        assert_eq!(list.get("top").unwrap().since, at(1));
        assert_eq!(list.reinstate("top").unwrap().since, at(1));
        assert_eq!(
            list.reinstate("top"),
            Err(SuspensionError::NotSuspended("top".into()))
        );
        let mut blank = suspension("x", 1);
        blank.reason = " ".into();
        assert_eq!(list.suspend(blank), Err(SuspensionError::Reason));
        let mut long = suspension("x", 1);
        long.reason = "a".repeat(MAX_REASON_CHARS + 1);
        assert_eq!(list.suspend(long), Err(SuspensionError::Reason));
        assert!(list.resellers.is_empty());
    }

    #[test]
    fn renewals_and_restores_go_on_new_sales_do_not() {
        assert!(still_taken(Action::Renew));
        assert!(still_taken(Action::Restore));
        assert!(!still_taken(Action::Register));
        assert!(!still_taken(Action::Transfer));
    }
}
