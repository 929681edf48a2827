//! A registered domain's status, and the four lists customers and resellers
//! see their domains in (active, expired, awaiting documents, deleted).

use crate::Locale;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a domain stands. Stored on the domain; what a person sees is
/// `shown`, which also knows the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    Active,
    Expired,
    /// Registered before its documents (or ordered and waiting for them):
    /// the registrant's documents are not approved yet.
    AwaitingDocuments,
    Deleted,
}

impl DomainStatus {
    /// The four lists, in the order they are shown.
    pub const ALL: [DomainStatus; 4] = [
        DomainStatus::Active,
        DomainStatus::Expired,
        DomainStatus::AwaitingDocuments,
        DomainStatus::Deleted,
    ];

    /// As the API and the query string spell it.
    pub fn code(self) -> &'static str {
        match self {
            DomainStatus::Active => "active",
            DomainStatus::Expired => "expired",
            DomainStatus::AwaitingDocuments => "awaiting_documents",
            DomainStatus::Deleted => "deleted",
        }
    }

    /// A status as typed in a query string (`?status=expired`).
    pub fn parse(typed: &str) -> Result<DomainStatus, UnknownStatus> {
        DomainStatus::ALL
            .into_iter()
            .find(|s| s.code() == typed)
            .ok_or_else(|| UnknownStatus(typed.to_string()))
    }

    /// The status a person sees on `today` (the storefront's day) for a
    /// domain stored with this status that expires on `expires`: an active
    /// domain past its expiry date is expired, whether or not the
    /// scheduler has marked it so yet (it marks exactly these).
    pub fn shown(self, expires: NaiveDate, today: NaiveDate) -> DomainStatus {
        match self {
            DomainStatus::Active if expires < today => DomainStatus::Expired,
            s => s,
        }
    }
}

/// A status filter that is none of the four.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStatus(pub String);

impl UnknownStatus {
    /// What went wrong, for a person, in `lang`; it names the field.
    pub fn message(&self, lang: Locale) -> String {
        let codes = DomainStatus::ALL.map(DomainStatus::code).join(", ");
        let typed = &self.0;
        match lang {
            Locale::Id => {
                format!("status harus salah satu dari: {codes} (bukan \"{typed}\").")
            }
            Locale::Pl => format!("status musi być jednym z: {codes} (a nie \"{typed}\")."),
            Locale::En => format!("status must be one of: {codes} (not \"{typed}\")."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_active_domain_past_its_expiry_shows_as_expired() {
        let expires = day("2026-03-10");
        let active = DomainStatus::Active;
        assert_eq!(active.shown(expires, day("2026-03-09")), active);
        // Its last day is still its own.
        assert_eq!(active.shown(expires, day("2026-03-10")), active);
        assert_eq!(
            active.shown(expires, day("2026-03-11")),
            DomainStatus::Expired
        );
        for s in [DomainStatus::AwaitingDocuments, DomainStatus::Deleted] {
            assert_eq!(s.shown(expires, day("2027-01-01")), s, "{s:?}");
        }
    }

    #[test]
    fn a_filter_is_one_of_the_four_or_a_message_naming_the_field() {
        for s in DomainStatus::ALL {
            assert_eq!(DomainStatus::parse(s.code()), Ok(s));
            let json = serde_json::to_value(s).unwrap();
            assert_eq!(json, s.code(), "serialised as the query spells it");
        }
        let e = DomainStatus::parse("Active").unwrap_err();
        assert_eq!(
            e.message(Locale::En),
            "status must be one of: active, expired, awaiting_documents, deleted (not \"Active\")."
        );
        assert!(e.message(Locale::Id).starts_with("status harus"));
        assert!(e.message(Locale::Pl).starts_with("status musi"));
    }
}
