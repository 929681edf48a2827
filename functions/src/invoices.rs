//! Invoices and proformas: numbered per seller and series without gaps, and
//! stored as the data they were issued with (an invoice never changes after
//! it is issued, even if the seller's details do).
//!
//! | item | pk | sk |
//! |---|---|---|
//! | the last number of a series | `INVSEQ#<seller>#<series>#<year>` | `SEQ` |
//! | an invoice | `INVOICE#<seller>#<number>` | `INVOICE` |
//! | a buyer's invoices | `INVOICES#<buyer>` | `<issued>#<number>` |
//! | a seller's invoices | `INVOICES_ISSUED#<seller>` | `<issued>#<number>` |
//! | a month's invoice to a reseller, once | `MONTHLY#<buyer>#<yyyy-mm>` | `DONE` |
//! | orders settled and not yet invoiced | `INVOICE_DUE#<seller>` | `<order id>` |
//!
//! Gapless: a number is taken by the same transaction that stores the
//! invoice (the sequence item is written on condition of the version read),
//! so a number is never skipped by a failure and never given twice.

use crate::store::{Condition, Item, Store, StoreError, Write};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use storefront_core::Locale;
use storefront_core::ledger::Party;
use storefront_invoice::{Invoice, Kind};

/// An invoice as stored: the document, who it is between, what it is for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    pub seller: Party,
    pub buyer: Party,
    /// `order:<id>` or `month:<yyyy-mm>`.
    pub reference: String,
    pub language: Locale,
    pub invoice: Invoice,
}

fn series(kind: Kind) -> &'static str {
    match kind {
        Kind::Proforma => "PRO",
        Kind::Tax | Kind::MonthlyTax | Kind::Correction => "INV",
    }
}

/// The number an invoice will carry, from its seller's prefix.
fn format_number(prefix: &str, kind: Kind, year: i32, seq: u64) -> String {
    let p = match kind {
        Kind::Proforma => "PRO",
        Kind::Tax | Kind::MonthlyTax | Kind::Correction => prefix,
    };
    storefront_invoice::number(p, year, seq)
}

pub fn invoice_pk(seller: &Party, number: &str) -> String {
    format!("INVOICE#{}#{number}", seller.key())
}

/// Issue an invoice: take the next number of its seller's series and store
/// it, together with `with` (e.g. the order, conditioned on its version, so
/// an order gets one invoice). Returns the number, or None when a write in
/// `with` failed its condition (someone else issued it meanwhile).
pub async fn issue(
    store: &dyn Store,
    mut stored: Stored,
    prefix: &str,
    with: impl Fn(&str) -> Result<Vec<Write>, StoreError>,
) -> Result<Option<String>, StoreError> {
    let kind = stored.invoice.kind;
    let year = stored.invoice.issued.year();
    let seq_pk = format!("INVSEQ#{}#{}#{year}", stored.seller.key(), series(kind));
    for _ in 0..50 {
        let seq = store.get(&seq_pk, "SEQ").await?;
        let (last, cond) = match &seq {
            Some(i) => (
                i.data["last"].as_u64().unwrap_or(0),
                Condition::Version(i.version),
            ),
            None => (0, Condition::NotExists),
        };
        let number = format_number(prefix, kind, year, last + 1);
        stored.invoice.number = number.clone();
        let seq_item = match &seq {
            Some(i) => i.next(json!({"last": last + 1})),
            None => Item::new(&seq_pk, "SEQ", json!({"last": 1})),
        };
        let mut writes = with(&number)?;
        let extra = writes.len();
        writes.push(Write::Put {
            item: seq_item,
            condition: cond,
        });
        writes.extend(invoice_writes(&stored)?);
        match store.transact(writes).await {
            Ok(()) => return Ok(Some(number)),
            Err(StoreError::TransactionCancelled { failed }) => {
                if failed.iter().any(|&i| i < extra) {
                    return Ok(None);
                }
                continue; // another invoice took the number: take the next
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Conflict("invoice numbering is too busy".into()))
}

/// Issue several invoices of one seller, series and year in one transaction
/// with consecutive numbers — how a busy shop's invoices are numbered
/// without every order racing for the sequence. `with(i, number)` gives the
/// writes that go with the i-th (its order, conditioned on its version).
/// Ok(None) when any condition failed (nothing was written: read again).
pub async fn issue_batch(
    store: &dyn Store,
    mut docs: Vec<Stored>,
    prefix: &str,
    with: impl Fn(usize, &str) -> Result<Vec<Write>, StoreError>,
) -> Result<Option<Vec<String>>, StoreError> {
    let Some(first) = docs.first() else {
        return Ok(Some(vec![]));
    };
    let kind = first.invoice.kind;
    let year = first.invoice.issued.year();
    let seq_pk = format!("INVSEQ#{}#{}#{year}", first.seller.key(), series(kind));
    let seq = store.get(&seq_pk, "SEQ").await?;
    let (last, cond) = match &seq {
        Some(i) => (
            i.data["last"].as_u64().unwrap_or(0),
            Condition::Version(i.version),
        ),
        None => (0, Condition::NotExists),
    };
    let n = docs.len() as u64;
    let seq_item = match &seq {
        Some(i) => i.next(json!({"last": last + n})),
        None => Item::new(&seq_pk, "SEQ", json!({"last": n})),
    };
    let mut writes = vec![Write::Put {
        item: seq_item,
        condition: cond,
    }];
    let mut numbers = Vec::new();
    for (i, stored) in docs.iter_mut().enumerate() {
        let number = format_number(prefix, kind, year, last + 1 + i as u64);
        stored.invoice.number = number.clone();
        writes.extend(with(i, &number)?);
        writes.extend(invoice_writes(stored)?);
        numbers.push(number);
    }
    match store.transact(writes).await {
        Ok(()) => Ok(Some(numbers)),
        Err(StoreError::TransactionCancelled { .. } | StoreError::Conflict(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The invoice item, the buyer's copy and the seller's, in one transaction.
fn invoice_writes(stored: &Stored) -> Result<Vec<Write>, StoreError> {
    let number = &stored.invoice.number;
    let data = serde_json::to_value(stored).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let summary = json!({
        "number": number, "kind": stored.invoice.kind, "issued": stored.invoice.issued,
        "reference": stored.reference, "seller": stored.seller,
        "gross": stored.invoice.try_totals().map(|t| t.gross.amount().to_string()).unwrap_or_default(),
        "currency": stored.invoice.currency,
    });
    let sk = format!("{}#{number}", stored.invoice.issued);
    let mut issued = summary.clone();
    issued["buyer"] = json!(stored.buyer);
    issued["buyer_name"] = json!(
        stored
            .invoice
            .buyer
            .company
            .clone()
            .unwrap_or_else(|| stored.invoice.buyer.name.clone())
    );
    Ok(vec![
        Write::Put {
            item: Item::new(invoice_pk(&stored.seller, number), "INVOICE", data),
            condition: Condition::NotExists,
        },
        Write::Put {
            item: Item::new(format!("INVOICES#{}", stored.buyer.key()), &sk, summary),
            condition: Condition::None,
        },
        Write::Put {
            item: Item::new(
                format!("INVOICES_ISSUED#{}", stored.seller.key()),
                sk,
                issued,
            ),
            condition: Condition::None,
        },
    ])
}

/// One page of the invoices a seller issued (tax invoices, proformas,
/// corrections), in the order they were issued (by day, then number: the
/// store pages forwards only), and the cursor of the next page if any.
pub async fn issued(
    store: &dyn Store,
    seller: &Party,
    after: Option<&str>,
    limit: usize,
) -> Result<(Vec<serde_json::Value>, Option<String>), StoreError> {
    let page = crate::paging::in_order(
        store,
        &format!("INVOICES_ISSUED#{}", seller.key()),
        "",
        after,
        limit,
    )
    .await?;
    Ok((page.items.into_iter().map(|i| i.data).collect(), page.next))
}

pub async fn load(
    store: &dyn Store,
    seller: &Party,
    number: &str,
) -> Result<Option<Stored>, StoreError> {
    let Some(item) = store.get(&invoice_pk(seller, number), "INVOICE").await? else {
        return Ok(None);
    };
    serde_json::from_value(item.data)
        .map(Some)
        .map_err(|e| StoreError::Unavailable(format!("invoice unreadable: {e}")))
}

/// A buyer's invoices, newest first, a page from the cursor `before`.
pub async fn of(
    store: &dyn Store,
    buyer: &Party,
    before: Option<&str>,
    per: usize,
) -> Result<crate::paging::Page<serde_json::Value>, StoreError> {
    let page =
        crate::paging::newest_first(store, &format!("INVOICES#{}", buyer.key()), "", before, per)
            .await?;
    Ok(page.map(|i| i.data))
}

/// The first and last day of the month before `today`.
pub fn previous_month(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first_this = today.with_day(1).unwrap_or(today);
    let last_prev = first_this.pred_opt().unwrap_or(first_this);
    (last_prev.with_day(1).unwrap_or(last_prev), last_prev)
}
