//! The audit log of a storefront's staff: every action that changes
//! something, who did it (account, address, role), when, from which client
//! address, what it acted on, and the values before and after. Money it
//! moved is named by its ledger references, never copied (the ledger is
//! the record of money; an entry stays small enough to ride in the
//! action's own transaction).
//!
//! Append-only: an entry is written once, on condition it does not exist,
//! and nothing here changes or deletes one.
//!
//! | item | pk | sk | data |
//! |---|---|---|---|
//! | an entry | `RESELLER#<r>#AUDIT` | `AT#<13-digit ms>#<8 hex>` | `Entry` |

use crate::accounts::records::Role;
use crate::store::{Condition, Item, Query, Store, StoreError, Write};
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub account: String,
    pub email: String,
    pub role: Role,
    /// The request's client address, as the accounts determine it.
    pub ip: Option<String>,
}

impl Actor {
    /// The signed-in staff member `profile`, from `ip`.
    pub fn of(profile: &crate::accounts::records::Profile, ip: Option<std::net::IpAddr>) -> Actor {
        Actor {
            account: profile.id.clone(),
            email: profile.email.clone(),
            role: profile.role,
            ip: ip.map(|i| i.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Its sort key: time and a random tail.
    pub id: String,
    pub at: DateTime<Utc>,
    pub who: Actor,
    /// What was done, `area.verb`: `staff.invite`, `topup.approve`...
    pub action: String,
    /// What it was done to: an account, a top-up, an order, a wallet.
    pub subject: String,
    pub before: Value,
    pub after: Value,
    /// The ledger entries the action made, by reference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ledger: Vec<String>,
}

pub fn pk(reseller: &str) -> String {
    format!("RESELLER#{reseller}#AUDIT")
}

fn sk_at(ms: i64) -> String {
    format!("AT#{:013}", ms.max(0))
}

impl Entry {
    /// A new entry at `at`.
    pub fn new(
        who: &Actor,
        at: DateTime<Utc>,
        action: &str,
        subject: &str,
        before: Value,
        after: Value,
    ) -> Entry {
        let tail: String = crate::accounts::secrets::new_id()
            .map(|id| id[..8].to_string())
            .unwrap_or_else(|_| format!("{:08x}", at.timestamp_subsec_nanos()));
        Entry {
            id: format!("{}#{tail}", sk_at(at.timestamp_millis())),
            at,
            who: who.clone(),
            action: action.to_string(),
            subject: subject.to_string(),
            before,
            after,
            ledger: Vec::new(),
        }
    }

    pub fn with_ledger(mut self, refs: Vec<String>) -> Entry {
        self.ledger = refs;
        self
    }

    /// The write that appends it: in the action's own transaction where
    /// the action is one.
    pub fn write(&self, reseller: &str) -> Result<Write, StoreError> {
        let data = serde_json::to_value(self).map_err(|e| StoreError::Invalid(e.to_string()))?;
        Ok(Write::Put {
            item: Item::new(pk(reseller), self.id.clone(), data),
            condition: Condition::NotExists,
        })
    }
}

/// Append an entry on its own (right after an action that is not one
/// transaction with it).
pub async fn record(store: &dyn Store, reseller: &str, entry: &Entry) -> Result<(), StoreError> {
    store.transact(vec![entry.write(reseller)?]).await
}

/// What the log page asks for.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The actor's email, or the start of it.
    pub who: Option<String>,
    /// The action, or the start of it (`staff`, `topup.approve`).
    pub what: Option<String>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
}

impl Filter {
    fn keeps(&self, e: &Entry) -> bool {
        let starts = |have: &str, want: &Option<String>| {
            want.as_deref()
                .is_none_or(|w| have.to_lowercase().starts_with(&w.trim().to_lowercase()))
        };
        starts(&e.who.email, &self.who) && starts(&e.action, &self.what)
    }
}

/// One page of entries, oldest first, and the cursor of the next.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub entries: Vec<Entry>,
    pub next: Option<String>,
}

/// Entries matching `filter`, oldest first, `limit` at most, after the
/// cursor `after` (a previous page's `next`).
pub async fn list(
    store: &dyn Store,
    reseller: &str,
    filter: &Filter,
    after: Option<&str>,
    limit: usize,
) -> Result<Page, StoreError> {
    const BATCH: usize = 200;
    let start = filter.from.map(|f| sk_at(f.timestamp_millis() - 1) + "#~");
    let mut cursor: Option<String> = match (after, start) {
        (Some(a), Some(s)) => Some(if a > s.as_str() { a.to_string() } else { s }),
        (Some(a), None) => Some(a.to_string()),
        (None, s) => s,
    };
    let end = filter.to.map(|t| sk_at(t.timestamp_millis()));
    let mut page = Page::default();
    loop {
        let items = store
            .query(
                &pk(reseller),
                Query {
                    sk_prefix: "AT#",
                    after: cursor.as_deref(),
                    before: None,
                    limit: Some(BATCH),
                    descending: false,
                },
            )
            .await?;
        let done = items.len() < BATCH;
        for item in items {
            if end.as_deref().is_some_and(|e| item.sk.as_str() >= e) {
                // Nothing more in the period.
                if page.entries.len() < limit {
                    page.next = None;
                }
                return Ok(page);
            }
            cursor = Some(item.sk.clone());
            let Ok(entry) = serde_json::from_value::<Entry>(item.data) else {
                continue;
            };
            if filter.keeps(&entry) {
                if page.entries.len() == limit {
                    return Ok(page);
                }
                page.entries.push(entry);
                page.next = cursor.clone();
            }
        }
        if done {
            // Nothing after the last one shown.
            if page.entries.len() < limit {
                page.next = None;
            }
            return Ok(page);
        }
    }
}

/// The entries as CSV (RFC 4180): when (UTC, RFC 3339), who, role, from,
/// what, subject, before, after (JSON), ledger references.
pub fn csv(entries: &[Entry]) -> String {
    fn field(s: &str) -> String {
        // A leading = + - @ would be a formula to a spreadsheet.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s
        }
    }
    let mut out = String::from("at,who,role,from,action,subject,before,after,ledger\r\n");
    for e in entries {
        let row = [
            e.at.to_rfc3339(),
            e.who.email.clone(),
            e.who.role.key().to_string(),
            e.who.ip.clone().unwrap_or_default(),
            e.action.clone(),
            e.subject.clone(),
            e.before.to_string(),
            e.after.to_string(),
            e.ledger.join(" "),
        ];
        let row: Vec<String> = row.iter().map(|f| field(f)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A time from milliseconds, for tests and views.
pub fn at_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn actor(email: &str) -> Actor {
        Actor {
            account: "a".into(),
            email: email.into(),
            role: Role::Owner,
            ip: Some("192.0.2.1".into()),
        }
    }

    #[test]
    fn csv_quotes_and_defuses() {
        let e = Entry::new(
            &actor("o@x"),
            at_ms(1_000),
            "staff.role",
            "=cmd",
            json!({"role": "finance"}),
            json!({"role": "support"}),
        );
        let text = csv(&[e]);
        let line = text.lines().nth(1).expect("a row");
        assert!(line.contains(",'=cmd,"), "{line}");
        assert!(
            line.contains("\"{\"\"role\"\":\"\"finance\"\"}\""),
            "{line}"
        );
    }

    #[test]
    fn filters_by_prefix() {
        let f = Filter {
            who: Some("Fin".into()),
            what: Some("topup".into()),
            ..Filter::default()
        };
        let e = |email: &str, action: &str| {
            Entry::new(
                &actor(email),
                at_ms(0),
                action,
                "s",
                json!(null),
                json!(null),
            )
        };
        assert!(f.keeps(&e("finance@x", "topup.approve")));
        assert!(!f.keeps(&e("owner@x", "topup.approve")));
        assert!(!f.keeps(&e("finance@x", "staff.invite")));
    }
}
