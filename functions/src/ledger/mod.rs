//! Wallets and their ledger, stored. `storefront_core::ledger` decides what
//! a movement does to a wallet; this module writes it, atomically with
//! whatever the movement belongs to.
//!
//! | item | pk | sk | data / counters |
//! |---|---|---|---|
//! | a wallet | `WALLET#<holder>` | `WALLET` | `{holder, parent, currency}`; counters `posted`, `held`, `spendable`, `limit` |
//! | an entry | `WALLET#<holder>` | `ENTRY#<millis>#<id>` | `ledger::Entry` |
//! | a capture or refund, by month | `MONTH#<holder>#<yyyy-mm>` | `<millis>#<id>` | `ledger::Entry` (for monthly invoices) |
//! | the wallets held with a parent | `CHILDREN#<parent>` | `<holder>` | `{holder}` |
//!
//! Exactly-once: ledger entries have fresh ids, so a retry is not stopped by
//! them. What stops it is the object the money moves for (an order, a
//! top-up): every `commit` carries a write of that object conditioned on the
//! version that was read, in the same transaction. A retry or a concurrent
//! worker finds the version moved on and the transaction cancelled, with
//! nothing written.

pub mod topups;

use crate::clock::Clock;
use crate::store::{Condition, Item, Query, Store, StoreError, Write};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use storefront_core::Currency;
use storefront_core::ledger::{Balance, Effect, Entry, EntryKind, HELD, POSTED, Party, SPENDABLE};

/// The largest proof file a top-up may carry.
pub const MAX_PROOF_BYTES: usize = 5 * 1024 * 1024;

/// The credit limit, as a counter so that changing it and spending against
/// it are both single conditional additions.
pub const LIMIT: &str = "limit";

pub fn wallet_pk(holder: &Party) -> Option<String> {
    holder.wallet_key().map(|k| format!("WALLET#{k}"))
}

const WALLET_SK: &str = "WALLET";

/// A wallet as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    pub holder: Party,
    pub parent: Party,
    pub currency: Currency,
    pub balance: Balance,
}

impl Wallet {
    fn from_item(item: &Item) -> Result<Wallet, StoreError> {
        #[derive(Deserialize)]
        struct Data {
            holder: Party,
            parent: Party,
            currency: Currency,
        }
        let d: Data = serde_json::from_value(item.data.clone())
            .map_err(|e| StoreError::Unavailable(format!("wallet {} unreadable: {e}", item.pk)))?;
        Ok(Wallet {
            holder: d.holder,
            parent: d.parent,
            currency: d.currency,
            balance: Balance {
                posted: item.counter(POSTED),
                held: item.counter(HELD),
                spendable: item.counter(SPENDABLE),
                credit_limit: item.counter(LIMIT),
            },
        })
    }
}

pub use storefront_core::ledger::Movement;

/// Who, why and what for, shared by the movements of one commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub by: String,
    pub reason: String,
    pub reference: String,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitError {
    /// This party's wallet would go below zero (or its credit limit).
    #[error("insufficient balance in the wallet of {0:?}")]
    Short(Party),
    #[error("no wallet for {0:?}")]
    NoWallet(Party),
    /// A write the movement was conditioned on failed: someone else moved the
    /// object on (a retry, a concurrent worker). Nothing was written.
    #[error("the object changed meanwhile")]
    Changed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
pub struct Ledger {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    /// Wallets known to exist (they are never deleted): saves a read per
    /// wallet per order.
    known: Arc<Mutex<HashSet<String>>>,
    /// The dashboard's counter items known to exist (`stats::Known`).
    counters: crate::stats::Known,
}

fn entry_id() -> String {
    let r = crate::accounts::secrets::new_id().unwrap_or_else(|_| "0".repeat(32));
    r[..16].to_string()
}

impl Ledger {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Ledger {
        Ledger {
            store,
            clock,
            known: Arc::default(),
            counters: Arc::default(),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The wallet `holder` keeps with `parent`, created empty on first use.
    pub async fn open(
        &self,
        holder: &Party,
        parent: &Party,
        currency: Currency,
    ) -> Result<Wallet, StoreError> {
        let pk = wallet_pk(holder)
            .ok_or_else(|| StoreError::Invalid("the platform holds no wallet".into()))?;
        if let Some(w) = self.wallet(holder).await? {
            return Ok(w);
        }
        let item = Item::new(
            &pk,
            WALLET_SK,
            json!({"holder": holder, "parent": parent, "currency": currency, "created_at": self.clock.now().to_rfc3339()}),
        )
        .with_counter(POSTED, Decimal::ZERO)
        .with_counter(HELD, Decimal::ZERO)
        .with_counter(SPENDABLE, Decimal::ZERO)
        .with_counter(LIMIT, Decimal::ZERO);
        let child = Item::new(
            format!("CHILDREN#{}", parent.key()),
            holder.key(),
            json!({"holder": holder}),
        );
        match self
            .store
            .transact(vec![
                Write::Put {
                    item,
                    condition: Condition::NotExists,
                },
                Write::Put {
                    item: child,
                    condition: Condition::None,
                },
            ])
            .await
        {
            Ok(()) | Err(StoreError::TransactionCancelled { .. }) => {}
            Err(e) => return Err(e),
        }
        self.wallet(holder)
            .await?
            .ok_or_else(|| StoreError::Unavailable("a created wallet is missing".into()))
    }

    pub async fn wallet(&self, holder: &Party) -> Result<Option<Wallet>, StoreError> {
        let Some(pk) = wallet_pk(holder) else {
            return Ok(None);
        };
        let Some(item) = self.store.get(&pk, WALLET_SK).await? else {
            return Ok(None);
        };
        if let Ok(mut k) = self.known.lock() {
            k.insert(pk);
        }
        Wallet::from_item(&item).map(Some)
    }

    /// The dashboard's counter items this ledger's store is known to have.
    pub fn counters(&self) -> &crate::stats::Known {
        &self.counters
    }

    /// Forget which counter items exist, after a transaction that added to
    /// them was refused: an item that is gone after all (a store restored
    /// from before its counters) is made again on the retry.
    pub fn forget_counters(&self) {
        if let Ok(mut k) = self.counters.lock() {
            k.clear();
        }
    }

    /// Make sure every payer's wallet exists before moving money on it.
    pub async fn ensure(
        &self,
        wallets: &[(Party, Party)],
        currency: Currency,
    ) -> Result<(), StoreError> {
        for (holder, parent) in wallets {
            let Some(pk) = wallet_pk(holder) else {
                continue;
            };
            let known = self.known.lock().map(|k| k.contains(&pk)).unwrap_or(false);
            if !known {
                self.open(holder, parent, currency).await?;
            }
        }
        Ok(())
    }

    /// Entries of a wallet, newest first, after a paging cursor (an entry's
    /// sort key).
    pub async fn entries(
        &self,
        holder: &Party,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        let Some(pk) = wallet_pk(holder) else {
            return Ok(vec![]);
        };
        // Descending with a cursor: read everything from the prefix down to
        // the cursor. Wallet histories are read a page at a time, newest
        // first, so the cursor is always near the top.
        let items = self
            .store
            .query(
                &pk,
                Query {
                    sk_prefix: "ENTRY#",
                    descending: true,
                    limit: if before.is_none() { Some(limit) } else { None },
                    ..Default::default()
                },
            )
            .await?;
        items
            .into_iter()
            .filter(|i| before.is_none_or(|b| i.sk.as_str() < b))
            .take(limit)
            .map(|i| {
                serde_json::from_value(i.data)
                    .map_err(|e| StoreError::Unavailable(format!("entry unreadable: {e}")))
            })
            .collect()
    }

    /// Every entry of a wallet, oldest first (for audits and tests).
    pub async fn all_entries(&self, holder: &Party) -> Result<Vec<Entry>, StoreError> {
        let Some(pk) = wallet_pk(holder) else {
            return Ok(vec![]);
        };
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .store
                .query(
                    &pk,
                    Query {
                        sk_prefix: "ENTRY#",
                        after: after.as_deref(),
                        before: None,
                        limit: Some(500),
                        descending: false,
                    },
                )
                .await?;
            let done = page.len() < 500;
            after = page.last().map(|i| i.sk.clone());
            for i in page {
                out.push(
                    serde_json::from_value(i.data)
                        .map_err(|e| StoreError::Unavailable(format!("entry unreadable: {e}")))?,
                );
            }
            if done {
                return Ok(out);
            }
        }
    }

    /// The captures and refunds of a wallet in a month (`yyyy-mm`).
    pub async fn month(&self, holder: &Party, month: &str) -> Result<Vec<Entry>, StoreError> {
        let items = self
            .store
            .query(&format!("MONTH#{}#{month}", holder.key()), Query::default())
            .await?;
        items
            .into_iter()
            .map(|i| {
                serde_json::from_value(i.data)
                    .map_err(|e| StoreError::Unavailable(format!("entry unreadable: {e}")))
            })
            .collect()
    }

    /// The wallets held with `parent`.
    pub async fn children(&self, parent: &Party) -> Result<Vec<Party>, StoreError> {
        let items = self
            .store
            .query(&format!("CHILDREN#{}", parent.key()), Query::default())
            .await?;
        Ok(items
            .into_iter()
            .filter_map(|i| serde_json::from_value(i.data["holder"].clone()).ok())
            .collect())
    }

    /// The writes that make `movements` happen: one addition per wallet (a
    /// transaction touches an item once, so movements on the same wallet are
    /// merged) and one immutable entry per movement.
    pub fn writes(
        &self,
        movements: &[Movement],
        ctx: &Context,
    ) -> Result<Vec<(Write, Option<Party>)>, CommitError> {
        let now = self.clock.now();
        let millis = now.timestamp_millis().max(0);
        let at = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let month = now.format("%Y-%m").to_string();
        let mut effects: BTreeMap<Party, Effect> = BTreeMap::new();
        let mut out = Vec::new();
        for m in movements {
            let pk = wallet_pk(&m.party).ok_or_else(|| CommitError::NoWallet(m.party.clone()))?;
            if m.amount.is_zero() {
                continue;
            }
            let e = effects.remove(&m.party).unwrap_or_default();
            effects.insert(m.party.clone(), e.merge(m.kind.effect(m.amount)));
            let id = entry_id();
            let entry = Entry {
                id: id.clone(),
                wallet: m.party.key(),
                kind: m.kind,
                amount: m.amount,
                currency: ctx.currency,
                at: at.clone(),
                by: ctx.by.clone(),
                reason: ctx.reason.clone(),
                reference: ctx.reference.clone(),
                leg: m.leg,
                tax: (!m.tax.is_zero()).then_some(m.tax),
            };
            let data =
                serde_json::to_value(&entry).map_err(|e| StoreError::Invalid(e.to_string()))?;
            let sk = format!("{millis:013}#{id}");
            if matches!(m.kind, EntryKind::Capture | EntryKind::Refund) {
                out.push((
                    Write::Put {
                        item: Item::new(
                            format!("MONTH#{}#{month}", m.party.key()),
                            sk.clone(),
                            data.clone(),
                        ),
                        condition: Condition::NotExists,
                    },
                    None,
                ));
            }
            out.push((
                Write::Put {
                    item: Item::new(pk, format!("ENTRY#{sk}"), data),
                    condition: Condition::NotExists,
                },
                None,
            ));
        }
        for (party, effect) in effects {
            if effect.add.is_empty() {
                continue;
            }
            let pk = wallet_pk(&party).ok_or_else(|| CommitError::NoWallet(party.clone()))?;
            out.push((
                Write::Add {
                    pk,
                    sk: WALLET_SK.into(),
                    add: effect.add,
                    floors: effect.floors,
                },
                Some(party),
            ));
        }
        Ok(out)
    }

    /// Move money, all or nothing, together with `with` (the writes of the
    /// object it moves for, each conditioned on what was read).
    pub async fn commit(
        &self,
        movements: &[Movement],
        ctx: &Context,
        with: Vec<Write>,
    ) -> Result<(), CommitError> {
        let mut writes: Vec<(Write, Option<Party>)> = with.into_iter().map(|w| (w, None)).collect();
        let extra = writes.len();
        writes.extend(self.writes(movements, ctx)?);
        let (writes, parties): (Vec<Write>, Vec<Option<Party>>) = writes.into_iter().unzip();
        match self.store.transact(writes).await {
            Ok(()) => Ok(()),
            Err(StoreError::TransactionCancelled { failed }) => {
                // The object's own condition first: if it moved on, the
                // wallets' state is beside the point (a retry must not
                // report "insufficient balance" for money already moved).
                if failed.iter().any(|&i| i < extra) {
                    return Err(CommitError::Changed);
                }
                // The customer's own wallet first: that is the shortfall the
                // person ordering can fix, and the one to tell them about.
                let mut failed = failed;
                failed.sort_by_key(|&i| {
                    !matches!(parties.get(i), Some(Some(Party::Customer { .. })))
                });
                for i in failed {
                    if let Some(Some(p)) = parties.get(i) {
                        // The wallet is absent, or a floor would break.
                        if self.wallet(p).await?.is_none() {
                            return Err(CommitError::NoWallet(p.clone()));
                        }
                        return Err(CommitError::Short(p.clone()));
                    }
                }
                Err(CommitError::Changed)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Change a wallet's credit limit. Lowering it below what is already
    /// spent against it is refused (`Short`). The limit also lives in an item
    /// of its own, written on condition of the version read, so two
    /// concurrent changes cannot both add their difference.
    pub async fn set_credit_limit(
        &self,
        holder: &Party,
        limit: Decimal,
    ) -> Result<Wallet, CommitError> {
        let pk = wallet_pk(holder).ok_or_else(|| CommitError::NoWallet(holder.clone()))?;
        if limit.is_sign_negative() {
            return Err(StoreError::Invalid("a credit limit is not negative".into()).into());
        }
        if self.wallet(holder).await?.is_none() {
            return Err(CommitError::NoWallet(holder.clone()));
        }
        for _ in 0..20 {
            let setting = self.store.get(&pk, "LIMIT").await?;
            let (current, condition) = match &setting {
                Some(i) => (
                    i.data["limit"]
                        .as_str()
                        .and_then(|s| s.parse::<Decimal>().ok())
                        .unwrap_or_default(),
                    Condition::Version(i.version),
                ),
                None => (Decimal::ZERO, Condition::NotExists),
            };
            let delta = limit - current;
            let item = match &setting {
                Some(i) => i.next(json!({"limit": limit.to_string()})),
                None => Item::new(&pk, "LIMIT", json!({"limit": limit.to_string()})),
            };
            let mut writes = vec![Write::Put { item, condition }];
            if !delta.is_zero() {
                let mut add = BTreeMap::new();
                add.insert(LIMIT.to_string(), delta);
                add.insert(SPENDABLE.to_string(), delta);
                let mut floors = BTreeMap::new();
                floors.insert(SPENDABLE.to_string(), Decimal::ZERO);
                writes.push(Write::Add {
                    pk: pk.clone(),
                    sk: WALLET_SK.into(),
                    add,
                    floors,
                });
            }
            match self.store.transact(writes).await {
                Ok(()) => {
                    return self
                        .wallet(holder)
                        .await?
                        .ok_or_else(|| CommitError::NoWallet(holder.clone()));
                }
                Err(StoreError::TransactionCancelled { failed }) if failed == [0] => continue,
                Err(StoreError::TransactionCancelled { .. }) => {
                    return Err(CommitError::Short(holder.clone()));
                }
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(CommitError::Changed)
    }
}
