//! Scheduled work, run by `serve` every minute, by `storefront tick`, and by
//! EventBridge on AWS. Every step is idempotent, so a tick that runs twice,
//! or two ticks at once, change nothing more than one would:
//!
//! 1. orders with lines waiting on the registry are settled (looked up first
//!    when an answer was lost) and invoiced;
//! 2. domains reaching their reseller's renewal notice get one renewal order
//!    with a proforma, paid from the wallet at once when auto-renew is on;
//! 3. domains past their expiry date are marked expired, unpaid orders
//!    past their due date are cancelled, and lines whose documents did not
//!    come by their last day lapse, their holds released (their customers
//!    reminded a week before and on the day);
//! 4. after a month ends, each reseller gets its parent's monthly invoice;
//! 5. registrants' documents whose domain ended longer ago than the
//!    platform's `document_retention_days` are deleted (core's
//!    `documents::retention`), each set once, a file only when no other set
//!    names it; the others are looked at again on the day the rule says.
//!
//! Domains are found by expiry date (`EXPIRY#<date>` partitions), never by
//! scanning.

use crate::catalog;
use crate::documents::{DocError, Documents};
use crate::orders::OrderError;
use crate::orders::engine::Orders;
use crate::orders::model::*;
use crate::store::{Query, StoreError};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use storefront_core::catalogue::Action;
use storefront_core::documents::{Life, Retain, retention};
use storefront_core::ledger::Party;
use storefront_core::order::Head;
use storefront_core::quote::price_line;
use storefront_core::snapshot::RetentionView;

/// The furthest ahead any reseller's renewal notice reaches.
const MAX_NOTICE_DAYS: u64 = 90;
/// How far back expired domains are looked for (each day is one query).
const EXPIRY_LOOKBACK_DAYS: u64 = 45;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct TickReport {
    pub settled: usize,
    pub invoices: usize,
    pub renewals: usize,
    pub renewed_from_wallet: usize,
    pub expired: usize,
    pub cancelled: usize,
    pub documents_lapsed: usize,
    pub documents_reminded: usize,
    pub corrections: usize,
    pub monthly_invoices: usize,
    /// Document sets whose files were deleted after their retention.
    pub documents_deleted: usize,
}

pub async fn tick(orders: &Orders) -> Result<TickReport, StoreError> {
    let mut r = TickReport::default();
    let today = orders.clock.today();

    for id in orders.waiting().await? {
        match orders.provision(&id, "scheduler").await {
            Ok(o) if o.state() != OrderState::Provisioning => r.settled += 1,
            Ok(_) => {}
            Err(e) => tracing::warn!(order = id, error = %e, "provisioning retry failed"),
        }
    }
    for reseller in catalog::resellers(orders.store.as_ref()).await? {
        match orders.issue_due_invoices(&reseller).await {
            Ok(n) => r.invoices += n,
            Err(e) => tracing::warn!(reseller, error = %e, "invoices deferred"),
        }
    }

    for ahead in 0..=MAX_NOTICE_DAYS {
        let day = today + Days::new(ahead);
        for name in names_expiring(orders, day).await? {
            match renew_if_due(orders, &name, today).await {
                Ok(Some(paid)) => {
                    r.renewals += 1;
                    r.renewed_from_wallet += usize::from(paid);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(domain = name, error = %e, "renewal not created"),
            }
        }
    }

    for back in 1..=EXPIRY_LOOKBACK_DAYS {
        let day = today - Days::new(back);
        for name in names_expiring(orders, day).await? {
            if mark_expired(orders, &name, today).await? {
                r.expired += 1;
            }
        }
    }

    for back in 1..=EXPIRY_LOOKBACK_DAYS {
        let day = today - Days::new(back);
        for id in orders.due_on(day).await? {
            match orders.cancel_unpaid(&id, "scheduler", true).await {
                Ok(o) if o.cancelled => r.cancelled += 1,
                Ok(_) => {}
                Err(e) => tracing::warn!(order = id, error = %e, "overdue order not cancelled"),
            }
        }
    }

    // Deadlines are in each storefront's own day, up to a day ahead of
    // UTC's: tomorrow's are looked at too, and each is judged by its
    // storefront's day.
    for back in 0..=EXPIRY_LOOKBACK_DAYS + 1 {
        let day = today + Days::new(1) - Days::new(back);
        for id in orders.documents_due_on(day).await? {
            match orders.documents_lapsed(&id, "scheduler").await {
                Ok(n) => r.documents_lapsed += n,
                Err(e) => tracing::warn!(order = id, error = %e, "documents' deadline not applied"),
            }
        }
    }

    // Reminders a week before the documents' last day and on it, judged
    // by each storefront's own day like the deadlines: from Jakarta,
    // UTC's evening is already tomorrow.
    for ahead in [8, 7, 1, 0] {
        for id in orders.documents_due_on(today + Days::new(ahead)).await? {
            match orders.remind_documents(&id, false).await {
                Ok(sent) => r.documents_reminded += usize::from(sent),
                Err(e) => tracing::warn!(order = id, error = %e, "documents reminder not sent"),
            }
        }
    }

    // Corrective invoices a refund could not issue at the time.
    for id in orders.corrections_due().await? {
        match orders.issue_correction(&id).await {
            Ok(Some(_)) => r.corrections += 1,
            Ok(None) => {}
            Err(e) => tracing::warn!(order = id, error = %e, "corrective invoice deferred"),
        }
    }

    let (first, last) = crate::invoices::previous_month(today);
    for reseller in catalog::resellers(orders.store.as_ref()).await? {
        if let Ok(Some(_)) = orders.issue_monthly(&reseller, first, last).await {
            r.monthly_invoices += 1;
        }
    }

    let docs = orders.documents();
    let due = docs.retention_due(today).await.map_err(store_error)?;
    for (entry, order, line) in due {
        match retain(orders, &docs, &entry, &order, &line, today).await {
            Ok(deleted) => r.documents_deleted += usize::from(deleted),
            Err(e) => tracing::warn!(order, line, error = %e, "documents' retention deferred"),
        }
    }
    Ok(r)
}

fn store_error(e: DocError) -> StoreError {
    match e {
        DocError::Store(e) => e,
        e => StoreError::Unavailable(e.to_string()),
    }
}

/// Apply the retention rule to one line's documents: delete them (true
/// for the run that did) or look again on the day it says.
async fn retain(
    orders: &Orders,
    docs: &Documents,
    entry: &str,
    order_id: &str,
    line_id: &str,
    today: NaiveDate,
) -> Result<bool, DocError> {
    let Some((o, _)) = orders.order(order_id).await? else {
        docs.forget(entry).await?;
        return Ok(false);
    };
    let Some(line) = o.lines.iter().find(|l| l.id == line_id) else {
        docs.forget(entry).await?;
        return Ok(false);
    };
    let (days, redemption) = match orders.catalogs.current(&o.reseller).await? {
        Some(s) => (s.retention.days(), s.retention.redemption(&line.ext)),
        None => (
            RetentionView::default().days(),
            RetentionView::default().redemption(&line.ext),
        ),
    };
    let life = life_of(orders, &o, line, today).await?;
    match retention(life, redemption, days, today) {
        Retain::Until(day) => {
            docs.reschedule(entry, order_id, line_id, day).await?;
            Ok(false)
        }
        Retain::Delete { ended } => {
            let at = orders.clock.now().to_rfc3339();
            docs.retire(entry, order_id, line_id, ended, days, &at)
                .await
        }
    }
}

/// Where the domain of `line` stands, for its documents: ended (lapsed,
/// cancelled, refused, refunded, deleted at the registry: on the day last
/// written), registered until its expiry, or not settled yet.
async fn life_of(
    orders: &Orders,
    o: &Order,
    line: &Line,
    today: NaiveDate,
) -> Result<Life, StoreError> {
    let day_of = |h: &[Event]| {
        h.last()
            .and_then(|e| chrono::DateTime::parse_from_rfc3339(&e.at).ok())
            .map_or(today, |t| t.date_naive())
    };
    Ok(match line.state() {
        LineState::Lapsed
        | LineState::Cancelled
        | LineState::Failed
        | LineState::Refunded
        | LineState::Deleted => Life::Ended {
            on: day_of(&o.history),
        },
        LineState::Active => match orders.domain(&line.domain).await? {
            Some((d, _)) if d.customer == o.customer && d.status == DomainStatus::Deleted => {
                Life::Ended {
                    on: day_of(&d.history),
                }
            }
            Some((d, _)) if d.customer == o.customer => Life::Registered { expires: d.expires },
            // Registered since by someone else, or gone.
            _ => Life::Ended {
                on: day_of(&o.history),
            },
        },
        _ => Life::Pending,
    })
}

async fn names_expiring(orders: &Orders, day: NaiveDate) -> Result<Vec<String>, StoreError> {
    Ok(orders
        .store
        .query(&crate::orders::keys::expiry(day), Query::default())
        .await?
        .into_iter()
        .map(|i| i.sk)
        .collect())
}

/// Create the renewal order of a domain whose notice period has begun, once:
/// the domain records the order in the same transaction. Some(true) when it
/// was also paid from the wallet.
async fn renew_if_due(
    orders: &Orders,
    name: &str,
    today: NaiveDate,
) -> Result<Option<bool>, StoreError> {
    let Some((mut d, v)) = orders.domain(name).await? else {
        return Ok(None);
    };
    if d.status != DomainStatus::Active || d.renewal_order.is_some() {
        return Ok(None);
    }
    let Some(s) = orders.catalogs.current(&d.reseller).await? else {
        return Ok(None);
    };
    let notice = u64::from(s.orders.renewal_notice_days);
    if today + Days::new(notice) < d.expires {
        return Ok(None);
    }
    let premium = d
        .premium_renew
        .map(|(c, a)| storefront_core::Money::new(a, c));
    // Renewals price with the customer's own group, as its orders do.
    let group = crate::accounts::records::load(orders.store.as_ref(), &d.reseller, &d.customer)
        .await?
        .and_then(|(_, p)| p.price_group);
    let group = group.as_deref().unwrap_or("default");
    // Priced on the storefront's own day, as its pages and quotes are.
    let day = s.today(orders.clock.now());
    let priced = match price_line(&s, group, &d.name, Action::Renew, 1, premium, None, day) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(domain = name, error = %e, "cannot price a renewal");
            return Ok(None);
        }
    };
    let now = orders.clock.now();
    let id = crate::ledger::topups::sortable_id(now);
    let customer = Party::customer(&d.reseller, &d.customer);
    let chain: Vec<String> = s.levels.iter().map(|l| l.reseller.clone()).collect();
    let extras = LineExtras {
        current_expiry: Some(d.expires),
        ..LineExtras::default()
    };
    let line = Line::new(
        format!("{id}-1"),
        &priced,
        extras,
        &customer,
        &s.levels,
        s.currency,
    )
    .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    let head = Head {
        id: id.clone(),
        reseller: d.reseller.clone(),
        customer: d.customer.clone(),
        chain,
        currency: s.currency,
        price_version: s.version.clone(),
        payment: Payment::BankTransfer,
        due: Some(d.expires),
        renewal: true,
        created: Event {
            at: now.to_rfc3339(),
            by: "scheduler".into(),
            what: format!("renewal of {} before {}", d.display, d.expires),
        },
    };
    let order = Order::new(head, vec![line]);
    d.renewal_order = Some(id.clone());
    let mut writes = orders.order_writes(&order, None)?;
    writes.extend(orders.domain_item_writes(&d, Some(v), Some(d.expires))?);
    match orders.store.transact(writes).await {
        Ok(()) => {}
        // Another tick made it.
        Err(StoreError::TransactionCancelled { .. }) => return Ok(None),
        Err(e) => return Err(e),
    }
    orders.issue_proforma(&id).await?;
    let mut paid = false;
    if d.auto_renew {
        match orders.pay(&id, "scheduler", false).await {
            Ok(_) => {
                paid = true;
                if let Err(e) = orders.provision(&id, "scheduler").await {
                    tracing::warn!(order = id, error = %e, "renewal provisioning deferred");
                }
            }
            // Not enough in the wallet: the proforma stands; the customer
            // (or the reseller) pays it by transfer or tops up.
            Err(e) => tracing::info!(order = id, error = %e, "auto-renew not paid from wallet"),
        }
    }
    Ok(Some(paid))
}

async fn mark_expired(orders: &Orders, name: &str, today: NaiveDate) -> Result<bool, StoreError> {
    let mut marked = false;
    let at = orders.clock.now().to_rfc3339();
    let changed = orders
        .change_domain(name, |d| {
            // What people already see (core's rule), recorded.
            marked = d.status.shown(d.expires, today) != d.status;
            if marked {
                d.status = d.status.shown(d.expires, today);
                d.history.push(Event {
                    at: at.clone(),
                    by: "scheduler".into(),
                    what: format!("expired on {}", d.expires),
                });
            }
            Ok(marked)
        })
        .await;
    match changed {
        Ok(_) => Ok(marked),
        Err(OrderError::Store(e)) => Err(e),
        Err(e) => Err(StoreError::Unavailable(e.to_string())),
    }
}
