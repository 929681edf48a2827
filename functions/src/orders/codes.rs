//! Discount code uses, counted in the store so that a code's limits hold
//! across every instance of every function, under any concurrency.
//!
//! A use is taken in the transaction that places the order and given back
//! in the one that cancels it unpaid (by the customer or when it lapses) or
//! settles its last line as refused by the registry: the order records
//! which counters it took, and that it gave them back, so neither happens
//! twice whatever is retried.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | a code's uses | `CODE#<reseller>#<CODE>` | `USES` |
//! | one customer's uses of it | `CODE#<reseller>#<CODE>` | `CUSTOMER#<account>` |
//!
//! Each keeps the uses as a negative counter (`taken`, never below minus the
//! limit), because the store's conditional add checks a floor: a limit
//! raised or lowered in the content applies to the next order at once.

use crate::store::{Condition, Item, Store, StoreError, Write};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use std::collections::BTreeMap;
use storefront_core::pricing::DiscountCode;

const COUNTER: &str = "taken";

pub use storefront_core::order::CodeUse;

fn pk(reseller: &str, code: &str) -> String {
    format!("CODE#{reseller}#{}", code.to_ascii_uppercase())
}

fn keys(reseller: &str, customer: &str, u: &CodeUse) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if u.total {
        out.push((pk(reseller, &u.code), "USES".to_string()));
    }
    if u.per_customer {
        out.push((pk(reseller, &u.code), format!("CUSTOMER#{customer}")));
    }
    out
}

/// The use an order of `code` takes (None when the code has no limit).
pub fn use_of(code: &DiscountCode) -> Option<CodeUse> {
    let u = CodeUse {
        code: code.code.clone(),
        total: code.max_uses.is_some(),
        per_customer: code.max_uses_per_customer.is_some(),
        released: false,
    };
    (u.total || u.per_customer).then_some(u)
}

/// Make the counters' items, once: the store adds only to items that exist.
pub async fn prepare(
    store: &dyn Store,
    reseller: &str,
    customer: &str,
    u: &CodeUse,
) -> Result<(), StoreError> {
    for (pk, sk) in keys(reseller, customer, u) {
        if store.get(&pk, &sk).await?.is_some() {
            continue;
        }
        match store
            .put(
                Item::new(pk, sk, serde_json::json!({})),
                Condition::NotExists,
            )
            .await
        {
            Ok(()) | Err(StoreError::ConditionFailed { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The writes that take one use, each failing when its limit is reached.
pub fn take(reseller: &str, customer: &str, code: &DiscountCode, u: &CodeUse) -> Vec<Write> {
    keys(reseller, customer, u)
        .into_iter()
        .map(|(pk, sk)| {
            let limit = if sk == "USES" {
                code.max_uses
            } else {
                code.max_uses_per_customer
            };
            Write::Add {
                pk,
                sk,
                add: BTreeMap::from([(COUNTER.to_string(), -Decimal::ONE)]),
                floors: BTreeMap::from([(
                    COUNTER.to_string(),
                    -Decimal::from(limit.unwrap_or(u32::MAX)),
                )]),
            }
        })
        .collect()
}

/// The writes that give the use back.
pub fn give_back(reseller: &str, customer: &str, u: &CodeUse) -> Vec<Write> {
    keys(reseller, customer, u)
        .into_iter()
        .map(|(pk, sk)| Write::Add {
            pk,
            sk,
            add: BTreeMap::from([(COUNTER.to_string(), Decimal::ONE)]),
            floors: BTreeMap::new(),
        })
        .collect()
}

/// How many orders hold a use of the code now.
pub async fn used(store: &dyn Store, reseller: &str, code: &str) -> Result<u32, StoreError> {
    let taken = store
        .get(&pk(reseller, code), "USES")
        .await?
        .map(|i| -i.counter(COUNTER))
        .unwrap_or_default();
    Ok(taken.to_u32().unwrap_or(0))
}
