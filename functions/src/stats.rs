//! The counters a reseller's dashboard reads: kept by the writes that change
//! orders, domains, top-ups and documents, in the same transactions, so a
//! dashboard is a handful of reads and never a scan or a recount.
//!
//! | item | pk | sk | counters |
//! |---|---|---|---|
//! | a day of sales (the storefront's own day) | `RESELLER#<r>#STATS` | `DAY#<yyyy-mm-dd>` | `orders`, `gross`, `refunds`, `refunded`, `released` |
//! | domains by status | `RESELLER#<r>#STATS` | `DOMAINS` | `active`, `expired`, `awaiting_documents`, `deleted` |
//! | domains by expiry day | `RESELLER#<r>#STATS` | `EXPIRES#<yyyy-mm-dd>` | `domains` |
//! | what waits for the reseller | `RESELLER#<r>#STATS` | `WAITING` | `topups`, `documents` |
//!
//! `<r>` is the reseller whose storefront sold (the order's reseller, the
//! domain's reseller), so a parent reads its own items and each child's.
//!
//! Exactly once: every addition rides the conditional write of the thing
//! whose change it counts (an order at the version read, a domain, a
//! top-up, a document set); a retry finds the version moved on and the
//! whole transaction, the addition with it, cancelled. A day's sales count
//! the transition itself (paid, refunded, released), never a state, so a
//! replay cannot count twice. Decrements carry no floor: a store older than
//! its counters would otherwise have its real changes refused (a floor
//! failing cancels the order's step); such a store reads low instead.
//!
//! The store adds only to items that exist: `ensure` makes the missing
//! ones before the transaction, as the ledger opens wallets. A store older
//! than its counters has things to count already: the domains and waiting
//! items start from what their lists hold (`recount`), read before the item
//! is made. That is exact: every change of those lists adds to the item in
//! its own transaction, which cannot commit before the item exists, so a
//! change is either in the lists read or added after. The days' sales and
//! the expiry days of such a store start empty (their history is not kept
//! in a list to count from).

use crate::orders::model::{Domain, DomainStatus, Order};
use crate::store::{Condition, Item, Query, Store, StoreError, Write};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use storefront_core::ledger::{Funds, Party};

/// Paid orders (an order counts once, when it is paid).
pub const ORDERS: &str = "orders";
/// What the customers paid for them, tax included.
pub const GROSS: &str = "gross";
/// Lines refunded (or deleted and refunded) that day, and their amount.
pub const REFUNDS: &str = "refunds";
pub const REFUNDED: &str = "refunded";
/// Paid lines released that day: refused by the registry, or their
/// documents never came.
pub const RELEASED: &str = "released";
/// Domains whose expiry falls on a day (only active or awaiting documents).
pub const DOMAINS: &str = "domains";
/// Top-ups waiting for a decision, document sets waiting for a review.
pub const TOPUPS: &str = "topups";
pub const DOCUMENTS: &str = "documents";

pub const DOMAINS_SK: &str = "DOMAINS";
pub const WAITING_SK: &str = "WAITING";
const DAY: &str = "DAY#";
const EXPIRES: &str = "EXPIRES#";

/// The partition of a reseller's counters.
pub fn pk(reseller: &str) -> String {
    format!("RESELLER#{reseller}#STATS")
}

fn is_stats(pk: &str) -> bool {
    pk.starts_with("RESELLER#") && pk.ends_with("#STATS")
}

/// The counter of a domain status.
pub fn status_counter(s: DomainStatus) -> &'static str {
    s.code()
}

/// Additions merged per item: a transaction touches an item once.
#[derive(Debug, Default)]
struct Tally(BTreeMap<(String, String), BTreeMap<String, Decimal>>);

impl Tally {
    fn add(&mut self, pk: String, sk: String, name: &str, by: Decimal) {
        *self
            .0
            .entry((pk, sk))
            .or_default()
            .entry(name.to_string())
            .or_default() += by;
    }

    fn writes(self) -> Vec<Write> {
        self.0
            .into_iter()
            .filter_map(|((pk, sk), add)| {
                let add: BTreeMap<String, Decimal> =
                    add.into_iter().filter(|(_, v)| !v.is_zero()).collect();
                (!add.is_empty()).then(|| Write::Add {
                    pk,
                    sk,
                    add,
                    floors: BTreeMap::new(),
                })
            })
            .collect()
    }
}

/// What an order's change adds to its seller's day: one item at most,
/// whatever the number of lines and levels.
pub fn order_moved(before: &Order, after: &Order, day: NaiveDate) -> Option<Write> {
    let mut t = Tally::default();
    let (pk, sk) = (pk(&after.reseller), format!("{DAY}{day}"));
    let mut paid = false;
    for line in &after.lines {
        let Some(was) = before.lines.iter().find(|l| l.id == line.id) else {
            continue;
        };
        let (from, to) = (was.state().funds(), line.state().funds());
        if from == to {
            continue;
        }
        match to {
            Funds::Held if from == Funds::None => {
                paid = true;
                t.add(pk.clone(), sk.clone(), GROSS, line.gross);
            }
            Funds::Refunded => {
                t.add(pk.clone(), sk.clone(), REFUNDS, Decimal::ONE);
                t.add(pk.clone(), sk.clone(), REFUNDED, line.gross);
            }
            Funds::Released => t.add(pk.clone(), sk.clone(), RELEASED, line.gross),
            _ => {}
        }
    }
    if paid {
        t.add(pk, sk, ORDERS, Decimal::ONE);
    }
    t.writes().pop()
}

/// Whether a domain counts as expiring on its expiry day: one that is
/// still held (expired and deleted ones are past that).
fn held(d: &Domain) -> bool {
    matches!(
        d.status,
        DomainStatus::Active | DomainStatus::AwaitingDocuments
    )
}

/// What a domain's change (made, renewed, moved to another reseller,
/// expired, deleted, its documents approved) adds to the counters of the
/// resellers it was and is with: up to four items.
pub fn domain_moved(before: Option<&Domain>, after: &Domain) -> Vec<Write> {
    let mut t = Tally::default();
    if let Some(b) = before {
        t.add(
            pk(&b.reseller),
            DOMAINS_SK.into(),
            status_counter(b.status),
            Decimal::NEGATIVE_ONE,
        );
        if held(b) {
            t.add(
                pk(&b.reseller),
                format!("{EXPIRES}{}", b.expires),
                DOMAINS,
                Decimal::NEGATIVE_ONE,
            );
        }
    }
    t.add(
        pk(&after.reseller),
        DOMAINS_SK.into(),
        status_counter(after.status),
        Decimal::ONE,
    );
    if held(after) {
        t.add(
            pk(&after.reseller),
            format!("{EXPIRES}{}", after.expires),
            DOMAINS,
            Decimal::ONE,
        );
    }
    t.writes()
}

/// One more (or, `by` -1, one fewer) of `what` waiting for `reseller`.
pub fn waiting(reseller: &str, what: &str, by: i64) -> Write {
    Write::Add {
        pk: pk(reseller),
        sk: WAITING_SK.into(),
        add: BTreeMap::from([(what.to_string(), Decimal::from(by))]),
        floors: BTreeMap::new(),
    }
}

/// Make every counter item `writes` adds to when it is missing: one read
/// per item, and the first time the lists it counts and one write.
pub async fn ensure(store: &dyn Store, writes: &[Write]) -> Result<(), StoreError> {
    ensure_known(store, &Known::default(), writes).await
}

/// Counter items known to exist in one store: they are never deleted, so
/// once seen they need no read again (as the ledger knows its wallets).
/// One per `Ledger`, so one per store.
pub type Known = Arc<Mutex<HashSet<(String, String)>>>;

/// `ensure`, reading only the items `known` does not hold yet, and
/// remembering them.
pub async fn ensure_known(
    store: &dyn Store,
    known: &Known,
    writes: &[Write],
) -> Result<(), StoreError> {
    for w in writes {
        let Write::Add { pk, sk, .. } = w else {
            continue;
        };
        if !is_stats(pk) {
            continue;
        }
        let key = (pk.clone(), sk.clone());
        if known.lock().is_ok_and(|k| k.contains(&key)) {
            continue;
        }
        if store.get(pk, sk).await?.is_none() {
            make(store, pk, sk).await?;
        }
        if let Ok(mut k) = known.lock() {
            k.insert(key);
        }
    }
    Ok(())
}

/// Make a counter item, from what is there to count already (`recount`).
async fn make(store: &dyn Store, pk: &str, sk: &str) -> Result<(), StoreError> {
    let reseller = pk
        .strip_prefix("RESELLER#")
        .and_then(|r| r.strip_suffix("#STATS"))
        .unwrap_or_default();
    let mut item = Item::new(pk, sk, serde_json::json!({}));
    item.counters = recount(store, reseller, sk).await?;
    match store.put(item, Condition::NotExists).await {
        // Made meanwhile by another writer, from the same lists or later
        // ones: just as good.
        Ok(()) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Counters by name.
pub type Counters = BTreeMap<String, Decimal>;

/// What an item of a reseller's stands at by its lists: the domains by the
/// status their copies show, the top-ups in its queue, the document sets in
/// its review queue. Days start empty.
async fn recount(store: &dyn Store, reseller: &str, sk: &str) -> Result<Counters, StoreError> {
    let all = |pk: String, prefix: &'static str| async move {
        let q = Query {
            sk_prefix: prefix,
            ..Default::default()
        };
        store.query(&pk, q).await
    };
    let mut c = Counters::new();
    match sk {
        DOMAINS_SK => {
            for i in all(crate::orders::keys::domains_of(reseller), "").await? {
                let status: Option<DomainStatus> =
                    serde_json::from_value(i.data["status"].clone()).ok();
                if let Some(s) = status {
                    *c.entry(status_counter(s).to_string()).or_default() += Decimal::ONE;
                }
            }
        }
        WAITING_SK => {
            let queue = crate::ledger::topups::queue_pk(&Party::reseller(reseller));
            let topups = all(queue, "PENDING#").await?.len();
            let documents = all(crate::documents::queue_pk(reseller), "").await?.len();
            c.insert(TOPUPS.into(), Decimal::from(topups));
            c.insert(DOCUMENTS.into(), Decimal::from(documents));
        }
        _ => {}
    }
    Ok(c)
}

/// One item's counters: read, or for an item not made yet, what it will
/// start from (made now, so that the next reads are one read).
pub async fn totals(store: &dyn Store, reseller: &str, sk: &str) -> Result<Counters, StoreError> {
    let pk = pk(reseller);
    if let Some(i) = store.get(&pk, sk).await? {
        return Ok(i.counters);
    }
    make(store, &pk, sk).await?;
    Ok(store
        .get(&pk, sk)
        .await?
        .map(|i| i.counters)
        .unwrap_or_default())
}

/// The most days a period may span: one query of at most this many items.
pub const MAX_DAYS: i64 = 366;

/// The sums of a reseller's days from `from` to `to`, both included: one
/// query of at most the period's number of days (items exist only for days
/// with something in them).
pub async fn period(
    store: &dyn Store,
    reseller: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Counters, StoreError> {
    let days = (to - from).num_days() + 1;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(StoreError::Invalid(format!(
            "a period is 1 to {MAX_DAYS} days"
        )));
    }
    let after = format!("{DAY}{}", from.pred_opt().unwrap_or(from));
    let last = format!("{DAY}{to}");
    let items = store
        .query(
            &pk(reseller),
            Query {
                sk_prefix: DAY,
                after: Some(&after),
                limit: Some(days as usize),
                ..Default::default()
            },
        )
        .await?;
    let mut sum = Counters::new();
    for i in items.iter().filter(|i| i.sk <= last) {
        for (k, v) in &i.counters {
            *sum.entry(k.clone()).or_default() += v;
        }
    }
    Ok(sum)
}

/// How many of a reseller's held domains expire from `today` to `days`
/// days later, both included: one query of at most `days + 1` items.
pub async fn expiring(
    store: &dyn Store,
    reseller: &str,
    today: NaiveDate,
    days: u32,
) -> Result<Decimal, StoreError> {
    let last = today + chrono::Days::new(u64::from(days));
    let after = format!("{EXPIRES}{}", today.pred_opt().unwrap_or(today));
    let last = format!("{EXPIRES}{last}");
    let items = store
        .query(
            &pk(reseller),
            Query {
                sk_prefix: EXPIRES,
                after: Some(&after),
                limit: Some(days as usize + 1),
                ..Default::default()
            },
        )
        .await?;
    Ok(items
        .iter()
        .filter(|i| i.sk <= last)
        .map(|i| i.counter(DOMAINS))
        .sum())
}

/// The available balance under which the dashboard warns that the wallet
/// runs low, in the storefront's currency: about what a few registrations
/// cost a reseller. A default for every storefront (there is no setting
/// for it yet).
pub fn low_balance(c: storefront_core::Currency) -> Decimal {
    use storefront_core::Currency::*;
    Decimal::from(match c {
        IDR => 500_000,
        PLN => 200,
        USD | EUR => 50,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::embedded::EmbeddedStore;
    use serde_json::json;

    fn domain(reseller: &str, status: DomainStatus, expires: &str) -> Domain {
        Domain {
            name: "contoh.com".into(),
            display: "contoh.com".into(),
            ext: "com".into(),
            reseller: reseller.into(),
            customer: "c1".into(),
            status,
            expires: expires.parse().expect("a day"),
            auto_renew: true,
            premium: false,
            premium_renew: None,
            renewal_order: None,
            history: vec![],
        }
    }

    /// Each write's key and its additions, as (pk, sk, name, amount).
    fn adds(writes: &[Write]) -> Vec<(String, String, String, Decimal)> {
        let mut out = Vec::new();
        for w in writes {
            if let Write::Add {
                pk,
                sk,
                add,
                floors,
            } = w
            {
                assert!(floors.is_empty(), "no floor refuses a real change");
                for (k, v) in add {
                    out.push((pk.clone(), sk.clone(), k.clone(), *v));
                }
            }
        }
        out
    }

    fn add(pk: &str, sk: &str, name: &str, by: i64) -> (String, String, String, Decimal) {
        (pk.into(), sk.into(), name.into(), Decimal::from(by))
    }

    #[test]
    fn a_domain_counts_under_its_status_and_its_expiry_day_and_moves_between_them() {
        let active = domain("toko", DomainStatus::Active, "2027-12-07");
        assert_eq!(
            adds(&domain_moved(None, &active)),
            [
                add("RESELLER#toko#STATS", "DOMAINS", "active", 1),
                add("RESELLER#toko#STATS", "EXPIRES#2027-12-07", "domains", 1),
            ]
        );
        // Expired: out of active and out of its expiry day.
        let expired = domain("toko", DomainStatus::Expired, "2027-12-07");
        assert_eq!(
            adds(&domain_moved(Some(&active), &expired)),
            [
                add("RESELLER#toko#STATS", "DOMAINS", "active", -1),
                add("RESELLER#toko#STATS", "DOMAINS", "expired", 1),
                add("RESELLER#toko#STATS", "EXPIRES#2027-12-07", "domains", -1),
            ]
        );
        // Renewed: the same status, another day.
        let renewed = domain("toko", DomainStatus::Active, "2028-12-07");
        assert_eq!(
            adds(&domain_moved(Some(&active), &renewed)),
            [
                add("RESELLER#toko#STATS", "EXPIRES#2027-12-07", "domains", -1),
                add("RESELLER#toko#STATS", "EXPIRES#2028-12-07", "domains", 1),
            ]
        );
        // Nothing changed that counts: nothing written.
        assert!(domain_moved(Some(&active), &active).is_empty());
        // Transferred to another storefront: out of one, into the other.
        let theirs = domain("agen", DomainStatus::Active, "2028-12-07");
        assert_eq!(
            adds(&domain_moved(Some(&active), &theirs)),
            [
                add("RESELLER#agen#STATS", "DOMAINS", "active", 1),
                add("RESELLER#agen#STATS", "EXPIRES#2028-12-07", "domains", 1),
                add("RESELLER#toko#STATS", "DOMAINS", "active", -1),
                add("RESELLER#toko#STATS", "EXPIRES#2027-12-07", "domains", -1),
            ]
        );
    }

    #[tokio::test]
    async fn a_counter_item_once_known_is_not_read_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = EmbeddedStore::open(&dir.path().join("store.db")).expect("store");
        let known = Known::default();
        let one_more = waiting("toko", TOPUPS, 1);
        ensure_known(&store, &known, std::slice::from_ref(&one_more))
            .await
            .expect("made");
        assert!(store.get(&pk("toko"), WAITING_SK).await.unwrap().is_some());
        // Gone behind its back, it is not looked for again while known...
        store
            .delete(&pk("toko"), WAITING_SK, Condition::None)
            .await
            .unwrap();
        ensure_known(&store, &known, std::slice::from_ref(&one_more))
            .await
            .expect("known");
        assert!(store.get(&pk("toko"), WAITING_SK).await.unwrap().is_none());
        // ...and made again once forgotten (what a refused transaction does).
        known.lock().unwrap().clear();
        ensure_known(&store, &known, std::slice::from_ref(&one_more))
            .await
            .expect("made again");
        assert!(store.get(&pk("toko"), WAITING_SK).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_counter_rides_its_transaction_and_a_failed_condition_adds_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = EmbeddedStore::open(&dir.path().join("store.db")).expect("store");
        let one_more = waiting("toko", TOPUPS, 1);
        ensure(&store, std::slice::from_ref(&one_more))
            .await
            .expect("made");
        // Made once: ensuring again leaves it as it is.
        ensure(&store, std::slice::from_ref(&one_more))
            .await
            .expect("there");
        let thing = || Item::new("TOPUP#1", "TOPUP", json!({}));
        store
            .put(thing(), Condition::NotExists)
            .await
            .expect("the thing exists");
        // The thing's write fails its condition (a retry of a change made
        // already): the count does not move.
        let retried = store
            .transact(vec![
                Write::Put {
                    item: thing(),
                    condition: Condition::Version(7),
                },
                one_more.clone(),
            ])
            .await;
        assert!(
            matches!(retried, Err(StoreError::TransactionCancelled { .. })),
            "{retried:?}"
        );
        let read = totals(&store, "toko", WAITING_SK).await.expect("read");
        assert_eq!(read.get(TOPUPS).copied().unwrap_or_default(), Decimal::ZERO);
        // Its condition holds: counted, once.
        store
            .transact(vec![
                Write::Put {
                    item: thing().next(json!({"decided": true})),
                    condition: Condition::Version(1),
                },
                one_more,
            ])
            .await
            .expect("written");
        let read = totals(&store, "toko", WAITING_SK).await.expect("read");
        assert_eq!(read.get(TOPUPS).copied(), Some(Decimal::ONE));
    }

    #[tokio::test]
    async fn a_period_sums_its_own_days_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = EmbeddedStore::open(&dir.path().join("store.db")).expect("store");
        for (day, gross) in [
            ("2026-11-30", 100),
            ("2026-12-01", 10),
            ("2026-12-31", 1),
            ("2027-01-01", 1000),
        ] {
            let item = Item::new(pk("toko"), format!("DAY#{day}"), json!({}))
                .with_counter(GROSS, Decimal::from(gross))
                .with_counter(ORDERS, Decimal::ONE);
            store.put(item, Condition::NotExists).await.expect("put");
        }
        let day = |s: &str| s.parse::<NaiveDate>().expect("a day");
        let december = period(&store, "toko", day("2026-12-01"), day("2026-12-31"))
            .await
            .expect("read");
        assert_eq!(december.get(GROSS), Some(&Decimal::from(11)));
        assert_eq!(december.get(ORDERS), Some(&Decimal::from(2)));
        let none = period(&store, "toko", day("2026-12-02"), day("2026-12-30"))
            .await
            .expect("read");
        assert!(none.is_empty());
        assert!(
            period(&store, "toko", day("2026-12-31"), day("2026-12-01"))
                .await
                .is_err()
        );
    }
}
