//! The mail log: every mail the platform sends, recorded as it goes out —
//! when, to whom, from which storefront, its subject, and whether it was
//! sent or failed (with the error). Never the body: it can carry one-time
//! links. The console's mail page reads it.
//!
//! `Logged` wraps whatever `Mailer` the services use (the outbox locally,
//! SMTP deployed), so every sender is recorded without knowing it. The mail
//! is sent first and recorded after, with one write: a failure to record is
//! logged and the mail's own outcome stands.
//!
//! | item | pk | sk | data |
//! |---|---|---|---|
//! | one mail | `MAIL#LOG` | `AT#<13-digit ms>#<8 hex>` | `Entry` |
//!
//! Each entry expires `KEPT_DAYS` after it is written (the store's expiry:
//! DynamoDB's TTL deletes it), so the log never grows past that window.
//! One partition, newest first by its key: a mail log's writes are far
//! below what one partition takes.

use crate::accounts::mail::{Mail, MailError, Mailer};
use crate::clock::Clock;
use crate::paging::Page;
use crate::store::{Condition, Item, Query, Store, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub const PK: &str = "MAIL#LOG";

/// How long a mail is kept in the log.
pub const KEPT_DAYS: i64 = 90;

/// The most entries one page view reads while filtering, so that a filter
/// matching nothing costs a bounded read; the page then offers the older
/// ones from where it stopped.
pub const MAX_SCANNED: usize = 2000;

/// One mail as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub to: String,
    /// The storefront it was sent as: the sender's name its recipient saw.
    pub storefront: String,
    pub subject: String,
    /// None when it was sent; the error when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Entry {
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }
}

/// A mailer that records each mail it sends in the log.
#[derive(Debug, Clone)]
pub struct Logged {
    inner: Arc<dyn Mailer>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Logged {
    pub fn new(inner: Arc<dyn Mailer>, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Logged {
        Logged {
            inner,
            store,
            clock,
        }
    }
}

#[async_trait]
impl Mailer for Logged {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let (to, storefront, subject) = (
            mail.to.clone(),
            mail.from_name.clone(),
            mail.subject.clone(),
        );
        let sent = self.inner.send(mail).await;
        let entry = Entry {
            at: self.clock.now(),
            to,
            storefront,
            subject,
            error: sent.as_ref().err().map(ToString::to_string),
        };
        if let Err(e) = record(self.store.as_ref(), &entry).await {
            tracing::error!(error = %e, to = %entry.to, "a mail was not recorded in the mail log");
        }
        sent
    }
}

/// Write one entry, expiring `KEPT_DAYS` after it.
pub async fn record(store: &dyn Store, entry: &Entry) -> Result<(), StoreError> {
    // A random tail: two mails in the same millisecond are two entries.
    let tail = crate::accounts::secrets::new_id()
        .map(|id| id[..8].to_string())
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let sk = format!("AT#{:013}#{tail}", entry.at.timestamp_millis().max(0));
    let data = serde_json::to_value(entry).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let expires = entry.at.timestamp() + KEPT_DAYS * 86_400;
    store
        .put(
            Item::new(PK, sk, data).expiring(expires),
            Condition::NotExists,
        )
        .await
}

/// Which entries a page shows: empty fields match every entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// The recipient's address, exactly (letter case aside).
    pub to: String,
    /// The storefront's name, exactly (letter case aside).
    pub storefront: String,
}

impl Filter {
    fn matches(&self, e: &Entry) -> bool {
        let same = |want: &str, got: &str| {
            let want = want.trim();
            want.is_empty() || want.eq_ignore_ascii_case(got.trim())
        };
        same(&self.to, &e.to) && same(&self.storefront, &e.storefront)
    }
}

/// One page of the log, newest first, `per` entries matching `filter` from
/// just below the cursor `before`. The next page's cursor is where this one
/// stopped reading: after its last match, or after `MAX_SCANNED` entries
/// when fewer matched.
pub async fn page(
    store: &dyn Store,
    filter: &Filter,
    before: Option<&str>,
    per: usize,
) -> Result<Page<Entry>, StoreError> {
    let per = per.clamp(1, crate::paging::MAX_PER_PAGE);
    let mut cursor = before.filter(|b| !b.is_empty()).map(str::to_string);
    let mut items = Vec::new();
    let mut scanned = 0;
    loop {
        let batch = (per + 1).max(100).min(MAX_SCANNED - scanned);
        let read = store
            .query(
                PK,
                Query {
                    sk_prefix: "AT#",
                    before: cursor.as_deref(),
                    limit: Some(batch),
                    descending: true,
                    ..Default::default()
                },
            )
            .await?;
        let exhausted = read.len() < batch;
        for item in read {
            scanned += 1;
            let entry: Entry = serde_json::from_value(item.data).map_err(|e| {
                StoreError::Unavailable(format!("a mail log entry is unreadable: {e}"))
            })?;
            if filter.matches(&entry) {
                if items.len() == per {
                    // One more than shown: there is a next page.
                    return Ok(Page {
                        next: cursor,
                        items,
                    });
                }
                items.push(entry);
            }
            cursor = Some(item.sk);
        }
        if exhausted {
            return Ok(Page { items, next: None });
        }
        if scanned >= MAX_SCANNED {
            return Ok(Page {
                items,
                next: cursor,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::store::embedded::EmbeddedStore;

    #[derive(Debug)]
    struct Refusing;

    #[async_trait]
    impl Mailer for Refusing {
        async fn send(&self, _: Mail) -> Result<(), MailError> {
            Err(MailError::Smtp("550 no such user".into()))
        }
    }

    fn mail(to: &str) -> Mail {
        Mail {
            from_name: "Toko".into(),
            from: "no-reply@platform.example".into(),
            to: to.into(),
            reply_to: None,
            subject: "Hello".into(),
            text: "https://toko.example/?reset=secret".into(),
        }
    }

    #[tokio::test]
    async fn a_failed_mail_is_recorded_with_its_error_and_stays_failed() {
        let dir = tempfile::tempdir().expect("dir");
        let store: Arc<dyn Store> =
            Arc::new(EmbeddedStore::open(&dir.path().join("s.db")).expect("store"));
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let logged = Logged::new(Arc::new(Refusing), store.clone(), clock);
        let e = logged
            .send(mail("a@example.com"))
            .await
            .expect_err("refused");
        assert_eq!(e.to_string(), "smtp: 550 no such user");
        let page = page(store.as_ref(), &Filter::default(), None, 50)
            .await
            .expect("page");
        assert_eq!(page.items.len(), 1);
        assert_eq!(
            page.items[0].error.as_deref(),
            Some("smtp: 550 no such user")
        );
        assert_eq!(page.items[0].to, "a@example.com");
        let raw = store
            .query(PK, Query::default())
            .await
            .expect("raw")
            .remove(0);
        assert!(!raw.data.to_string().contains("secret"), "no body kept");
        assert!(raw.expires_at.is_some());
    }

    #[tokio::test]
    async fn filtered_pages_go_on_from_where_they_stopped() {
        let dir = tempfile::tempdir().expect("dir");
        let store = EmbeddedStore::open(&dir.path().join("s.db")).expect("store");
        let start = Utc::now();
        for i in 0..7 {
            let to = if i % 2 == 0 {
                "even@example.com"
            } else {
                "odd@example.com"
            };
            let e = Entry {
                at: start + chrono::Duration::seconds(i),
                to: to.into(),
                storefront: "Toko".into(),
                subject: format!("mail {i}"),
                error: None,
            };
            record(&store, &e).await.expect("recorded");
        }
        let even = Filter {
            to: "EVEN@example.com".into(),
            ..Default::default()
        };
        let one = page(&store, &even, None, 3).await.expect("page");
        let subjects = |p: &Page<Entry>| {
            p.items
                .iter()
                .map(|e| e.subject.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(subjects(&one), ["mail 6", "mail 4", "mail 2"]);
        let two = page(&store, &even, one.next.as_deref(), 3)
            .await
            .expect("page");
        assert_eq!(subjects(&two), ["mail 0"]);
        assert_eq!(two.next, None);
    }
}
