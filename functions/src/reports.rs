//! What the back office's reports read, a page at a time: a wallet's
//! entries in a period (by the entries' sort keys, which begin with their
//! instant), the wallets held with a reseller, its domains' copies and a
//! buyer's invoices in a period. Nothing here loads a partition whole: a
//! report of any size reads [`PAGE`] items at a time and hands each page on
//! before asking for the next, so its memory is bounded by a page.

use crate::store::{Item, Query, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use storefront_core::ledger::{Entry, Party};

/// Items read per store query.
pub const PAGE: usize = 500;

/// The instants `[from, to)` a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// One partition read in sort-key order, a page at a time, from after
/// `after` and, if `until` is given, up to and including the keys that do
/// not sort after it.
#[derive(Debug)]
pub struct Pages<'a> {
    store: &'a dyn Store,
    pk: String,
    prefix: String,
    after: Option<String>,
    until: Option<String>,
    done: bool,
}

impl<'a> Pages<'a> {
    pub fn new(store: &'a dyn Store, pk: impl Into<String>) -> Pages<'a> {
        Pages {
            store,
            pk: pk.into(),
            prefix: String::new(),
            after: None,
            until: None,
            done: false,
        }
    }

    /// Only keys starting with `prefix`.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Pages<'a> {
        self.prefix = prefix.into();
        self
    }

    /// Only keys strictly after `after`.
    pub fn after(mut self, after: impl Into<String>) -> Pages<'a> {
        self.after = Some(after.into());
        self
    }

    /// Only keys sorting at or before `until`.
    pub fn until(mut self, until: impl Into<String>) -> Pages<'a> {
        self.until = Some(until.into());
        self
    }

    /// The next page (never empty), or None at the end.
    pub async fn next(&mut self) -> Result<Option<Vec<Item>>, StoreError> {
        if self.done {
            return Ok(None);
        }
        let mut page = self
            .store
            .query(
                &self.pk,
                Query {
                    sk_prefix: &self.prefix,
                    after: self.after.as_deref(),
                    before: None,
                    limit: Some(PAGE),
                    descending: false,
                },
            )
            .await?;
        if page.len() < PAGE {
            self.done = true;
        }
        self.after = page.last().map(|i| i.sk.clone());
        if let Some(until) = &self.until {
            let before = page.len();
            page.retain(|i| i.sk.as_str() <= until.as_str());
            if page.len() < before {
                self.done = true;
            }
        }
        if page.is_empty() {
            self.done = true;
            return Ok(None);
        }
        Ok(Some(page))
    }
}

/// A wallet's entries in `period`, oldest first, a page at a time.
#[derive(Debug)]
pub struct Entries<'a> {
    pages: Option<Pages<'a>>,
}

impl<'a> Entries<'a> {
    pub fn of(store: &'a dyn Store, holder: &Party, period: Period) -> Entries<'a> {
        let pages = crate::ledger::wallet_pk(holder).map(|pk| {
            let millis = |t: DateTime<Utc>| t.timestamp_millis().max(0);
            // An entry's key is `ENTRY#<millis, 13 digits>#<id>`: the bare
            // `ENTRY#<millis>` sorts just before every entry of that
            // millisecond, so `from` is in and `to` is out.
            Pages::new(store, pk)
                .prefix("ENTRY#")
                .after(format!("ENTRY#{:013}", millis(period.from)))
                .until(format!("ENTRY#{:013}", millis(period.to)))
        });
        Entries { pages }
    }

    pub async fn next(&mut self) -> Result<Option<Vec<Entry>>, StoreError> {
        let Some(pages) = self.pages.as_mut() else {
            return Ok(None);
        };
        let Some(page) = pages.next().await? else {
            return Ok(None);
        };
        page.into_iter()
            .map(|i| {
                serde_json::from_value(i.data)
                    .map_err(|e| StoreError::Unavailable(format!("entry unreadable: {e}")))
            })
            .collect::<Result<Vec<Entry>, _>>()
            .map(Some)
    }
}

/// The wallets held with `parent` (its customers' and sub-resellers'), in
/// key order, a page at a time.
#[derive(Debug)]
pub struct Held<'a>(Pages<'a>);

impl<'a> Held<'a> {
    pub fn with(store: &'a dyn Store, parent: &Party) -> Held<'a> {
        Held(Pages::new(store, format!("CHILDREN#{}", parent.key())))
    }

    pub async fn next(&mut self) -> Result<Option<Vec<Party>>, StoreError> {
        Ok(self.0.next().await?.map(|page| {
            page.into_iter()
                .filter_map(|i| serde_json::from_value(i.data["holder"].clone()).ok())
                .collect()
        }))
    }
}

/// A reseller's domains (the summaries kept under it), by name, a page at
/// a time.
pub fn domains<'a>(store: &'a dyn Store, reseller: &str) -> Pages<'a> {
    Pages::new(store, crate::orders::keys::domains_of(reseller))
}

/// The invoices `seller` issued from `from` to `to` (days, inclusive), as
/// the summaries its own index keeps (`number`, `kind`, `issued`, `buyer`,
/// `buyer_name`, `gross`, `currency`, `reference`), a page at a time.
pub fn invoices_issued<'a>(
    store: &'a dyn Store,
    seller: &Party,
    from: NaiveDate,
    to: NaiveDate,
) -> Pages<'a> {
    // Keys are `<issued>#<number>`: the bare date sorts before that day's
    // invoices, and `<date>#~` after them (numbers are ASCII letters,
    // digits and `/` or `-`).
    Pages::new(store, format!("INVOICES_ISSUED#{}", seller.key()))
        .after(from.to_string())
        .until(format!("{to}#~"))
}
