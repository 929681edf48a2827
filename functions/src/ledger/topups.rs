//! Top-ups: an account says it paid its parent by bank transfer; the parent
//! checks its bank and approves (the wallet is credited, exactly once) or
//! rejects with a reason. The platform decides its resellers' top-ups the
//! same way.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | a top-up | `TOPUP#<id>` | `TOPUP` |
//! | the parent's queue | `TOPUPS#<parent>` | `PENDING#<id>` (removed when decided) |
//! | the parent's history | `TOPUPS#<parent>` | `ALL#<id>` |
//! | the requester's history | `WALLET#<holder>` | `TOPUP#<id>` |
//!
//! The copies are rewritten in the same transaction as the top-up, so they
//! never disagree with it.

use super::{CommitError, Context, Ledger, Movement, wallet_pk};
use crate::paging::{self, Page};
use crate::store::{Attempt, Condition, Item, StoreError, Write, retry};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use storefront_core::Currency;
use storefront_core::ledger::{EntryKind, Party};

/// The most a single top-up may be, in any currency's units: a typo guard
/// (an extra zero), not a business limit.
pub const MAX_TOPUP_UNITS: i64 = 10_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopUpState {
    Pending,
    Approved,
    Rejected,
}

/// A file the requester attached: where it is in the blob store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Proof {
    pub key: String,
    pub content_type: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TopUp {
    pub id: String,
    #[schema(value_type = Object)]
    pub holder: Party,
    #[schema(value_type = Object)]
    pub parent: Party,
    #[schema(value_type = String)]
    pub currency: Currency,
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String, example = "150000")]
    pub amount: Decimal,
    /// Which of the parent's bank accounts it was paid into.
    pub bank_account: String,
    /// The transfer's reference, as on the bank statement.
    pub transfer_reference: String,
    pub proof: Option<Proof>,
    pub state: TopUpState,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub requested_by: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TopUpError {
    #[error("no such top-up")]
    NotFound,
    #[error("this top-up was already decided")]
    AlreadyDecided(Box<TopUp>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn pk(id: &str) -> String {
    format!("TOPUP#{id}")
}

/// An id that sorts by time: lists come out in the order things happened.
pub fn sortable_id(now: chrono::DateTime<chrono::Utc>) -> String {
    let r = crate::accounts::secrets::new_id().unwrap_or_else(|_| "0".repeat(32));
    format!("{:013}{}", now.timestamp_millis().max(0), &r[..8])
}

/// The top-up and its copies, as writes conditioned on `version` (None for a
/// new one).
fn writes(t: &TopUp, version: Option<u64>) -> Result<Vec<Write>, StoreError> {
    let data = serde_json::to_value(t).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let main = match version {
        None => Item::new(pk(&t.id), "TOPUP", data.clone()),
        Some(v) => Item {
            version: v + 1,
            ..Item::new(pk(&t.id), "TOPUP", data.clone())
        },
    };
    let holder_pk = wallet_pk(&t.holder)
        .ok_or_else(|| StoreError::Invalid("the platform does not top up".into()))?;
    let queue = queue_pk(&t.parent);
    let mut out = vec![
        Write::Put {
            item: main,
            condition: version.map_or(Condition::NotExists, Condition::Version),
        },
        Write::Put {
            item: Item::new(&queue, format!("ALL#{}", t.id), data.clone()),
            condition: Condition::None,
        },
        Write::Put {
            item: Item::new(holder_pk, format!("TOPUP#{}", t.id), data.clone()),
            condition: Condition::None,
        },
    ];
    if t.state == TopUpState::Pending {
        out.push(Write::Put {
            item: Item::new(&queue, format!("PENDING#{}", t.id), data),
            condition: Condition::None,
        });
    } else {
        out.push(Write::Delete {
            pk: queue,
            sk: format!("PENDING#{}", t.id),
            condition: Condition::None,
        });
    }
    Ok(out)
}

/// The queue of top-ups asked of `parent`: `PENDING#<id>` while waiting.
pub(crate) fn queue_pk(parent: &Party) -> String {
    format!("TOPUPS#{}", parent.key())
}

/// The dashboard's count of top-ups waiting for a reseller's decision
/// (`stats`); the platform's own console counts none.
fn waiting_for(t: &TopUp, by: i64) -> Option<Write> {
    match &t.parent {
        Party::Reseller { id } => Some(crate::stats::waiting(id, crate::stats::TOPUPS, by)),
        _ => None,
    }
}

fn parse(items: Vec<Item>) -> Result<Vec<TopUp>, StoreError> {
    items
        .into_iter()
        .map(|i| {
            serde_json::from_value(i.data)
                .map_err(|e| StoreError::Unavailable(format!("top-up unreadable: {e}")))
        })
        .collect()
}

/// What a requester fills in.
#[derive(Debug, Clone)]
pub struct Request {
    pub holder: Party,
    pub parent: Party,
    pub currency: Currency,
    pub amount: Decimal,
    pub bank_account: String,
    pub transfer_reference: String,
    pub by: String,
}

impl Ledger {
    /// Record a top-up request (the wallet is opened if it is new).
    pub async fn request_topup(&self, r: Request) -> Result<TopUp, StoreError> {
        self.open(&r.holder, &r.parent, r.currency).await?;
        let now = self.clock.now();
        let t = TopUp {
            id: sortable_id(now),
            holder: r.holder,
            parent: r.parent,
            currency: r.currency,
            amount: r.amount,
            bank_account: r.bank_account,
            transfer_reference: r.transfer_reference,
            proof: None,
            state: TopUpState::Pending,
            reason: None,
            requested_by: r.by,
            requested_at: now.to_rfc3339(),
            decided_by: None,
            decided_at: None,
        };
        let mut w = writes(&t, None)?;
        w.extend(waiting_for(&t, 1));
        crate::stats::ensure_known(self.store.as_ref(), &self.counters, &w).await?;
        self.store.transact(w).await?;
        Ok(t)
    }

    pub async fn topup(&self, id: &str) -> Result<Option<(TopUp, u64)>, StoreError> {
        let Some(item) = self.store.get(&pk(id), "TOPUP").await? else {
            return Ok(None);
        };
        let v = item.version;
        Ok(parse(vec![item])?.pop().map(|t| (t, v)))
    }

    /// Attach a proof file (already stored under `proof.key`) to a pending
    /// top-up of `holder`.
    pub async fn attach_proof(
        &self,
        holder: &Party,
        id: &str,
        proof: Proof,
    ) -> Result<TopUp, TopUpError> {
        retry(|| async {
            let (mut t, v) = self.topup(id).await?.ok_or(TopUpError::NotFound)?;
            if &t.holder != holder {
                return Err(TopUpError::NotFound);
            }
            if t.state != TopUpState::Pending {
                return Err(TopUpError::AlreadyDecided(Box::new(t)));
            }
            t.proof = Some(proof.clone());
            match self.store.transact(writes(&t, Some(v))?).await {
                Ok(()) => Ok(Attempt::Done(t)),
                Err(StoreError::TransactionCancelled { .. } | StoreError::Conflict(_)) => {
                    Ok(Attempt::Raced)
                }
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    /// Approve or reject a pending top-up addressed to `parent`. Approving
    /// credits the wallet in the same transaction that marks the top-up
    /// decided, on condition of the version read: a repeated or concurrent
    /// approval finds it decided and credits nothing.
    pub async fn decide_topup(
        &self,
        parent: &Party,
        id: &str,
        approve: bool,
        reason: Option<String>,
        by: &str,
    ) -> Result<TopUp, TopUpError> {
        retry(|| async {
            let (mut t, v) = self.topup(id).await?.ok_or(TopUpError::NotFound)?;
            if &t.parent != parent {
                return Err(TopUpError::NotFound);
            }
            if t.state != TopUpState::Pending {
                return Err(TopUpError::AlreadyDecided(Box::new(t)));
            }
            let now = self.clock.now().to_rfc3339();
            t.state = if approve {
                TopUpState::Approved
            } else {
                TopUpState::Rejected
            };
            t.reason = reason.clone();
            t.decided_by = Some(by.to_string());
            t.decided_at = Some(now);
            let mut with = writes(&t, Some(v))?;
            // Decided: one fewer waiting for the reseller, with the decision.
            with.extend(waiting_for(&t, -1));
            crate::stats::ensure_known(self.store.as_ref(), &self.counters, &with).await?;
            let result = if approve {
                let ctx = Context {
                    by: by.to_string(),
                    reason: format!("top-up {} ({})", t.id, t.transfer_reference),
                    reference: format!("topup:{}", t.id),
                    currency: t.currency,
                };
                let m = Movement {
                    party: t.holder.clone(),
                    kind: EntryKind::TopUp,
                    amount: t.amount,
                    tax: Decimal::ZERO,
                    leg: None,
                };
                self.commit(&[m], &ctx, with).await
            } else {
                self.store.transact(with).await.map_err(|e| match e {
                    StoreError::TransactionCancelled { .. } => CommitError::Changed,
                    e => CommitError::Store(e),
                })
            };
            match result {
                Ok(()) => Ok(Attempt::Done(t)),
                // Decided meanwhile: read again, and report what happened.
                Err(CommitError::Changed | CommitError::Store(StoreError::Conflict(_))) => {
                    self.forget_counters();
                    Ok(Attempt::Raced)
                }
                Err(CommitError::Store(e)) => Err(e.into()),
                Err(e) => Err(StoreError::Unavailable(e.to_string()).into()),
            }
        })
        .await
    }

    /// Top-ups addressed to `parent`: pending only, or all, newest first.
    pub async fn topups_for_parent(
        &self,
        parent: &Party,
        pending_only: bool,
        before: Option<&str>,
        per: usize,
    ) -> Result<Page<TopUp>, StoreError> {
        let page = paging::newest_first(
            self.store.as_ref(),
            &format!("TOPUPS#{}", parent.key()),
            if pending_only { "PENDING#" } else { "ALL#" },
            before,
            per,
        )
        .await?;
        Ok(Page {
            items: parse(page.items)?,
            next: page.next,
        })
    }

    /// A holder's own top-ups, newest first, a page from the cursor `before`.
    pub async fn topups_of(
        &self,
        holder: &Party,
        before: Option<&str>,
        per: usize,
    ) -> Result<Page<TopUp>, StoreError> {
        let Some(pk) = wallet_pk(holder) else {
            return Ok(Page {
                items: vec![],
                next: None,
            });
        };
        let page = paging::newest_first(self.store.as_ref(), &pk, "TOPUP#", before, per).await?;
        Ok(Page {
            items: parse(page.items)?,
            next: page.next,
        })
    }
}
