//! The money model: wallets, ledger entries and order legs, as decisions
//! without I/O. The functions crate stores what this module decides.
//!
//! Every account below the platform holds one wallet with its parent: a
//! customer with its reseller, a sub-reseller with its reseller, a top
//! reseller with the platform. A wallet is three counters:
//!
//! - `posted`: the sum of its ledger entries (top-ups and refunds in,
//!   captures out, adjustments either way);
//! - `held`: what open orders have reserved and not yet captured or released;
//! - `spendable`: `posted - held + credit_limit`, kept as a counter of its own
//!   so that a hold is one conditional addition (`spendable >= 0` afterwards)
//!   without reading the wallet first — which is what keeps a reseller's
//!   wallet, shared by all its customers' orders, free of lost updates.
//!
//! So the invariant "ledger total = balance + holds" is `posted = available
//! + held` with `available = posted - held`, and "never below zero or the
//! credit limit" is `spendable >= 0`.

use crate::money::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const POSTED: &str = "posted";
pub const HELD: &str = "held";
pub const SPENDABLE: &str = "spendable";

/// Who holds a wallet, or receives a leg.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Party {
    Platform,
    Reseller { id: String },
    Customer { reseller: String, account: String },
}

impl Party {
    pub fn reseller(id: impl Into<String>) -> Party {
        Party::Reseller { id: id.into() }
    }

    pub fn customer(reseller: impl Into<String>, account: impl Into<String>) -> Party {
        Party::Customer {
            reseller: reseller.into(),
            account: account.into(),
        }
    }

    /// A stable key for the wallet this party holds (none for the platform).
    pub fn wallet_key(&self) -> Option<String> {
        match self {
            Party::Platform => None,
            Party::Reseller { id } => Some(format!("R#{id}")),
            Party::Customer { reseller, account } => Some(format!("C#{reseller}#{account}")),
        }
    }

    /// A key for this party as the receiver of top-ups and legs.
    pub fn key(&self) -> String {
        self.wallet_key().unwrap_or_else(|| "PLATFORM".to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    TopUp,
    Hold,
    Capture,
    Release,
    Refund,
    Adjustment,
}

impl EntryKind {
    /// How an entry of `amount` moves a wallet's counters, and the floors the
    /// wallet must stay at or above afterwards (`credit_limit` is the
    /// wallet's own). `amount` is positive except for adjustments, which may
    /// take money out.
    pub fn effect(self, amount: Decimal) -> Effect {
        let mut add = BTreeMap::new();
        let mut floors = BTreeMap::new();
        match self {
            EntryKind::TopUp | EntryKind::Refund => {
                add.insert(POSTED.to_string(), amount);
                add.insert(SPENDABLE.to_string(), amount);
            }
            EntryKind::Adjustment => {
                add.insert(POSTED.to_string(), amount);
                add.insert(SPENDABLE.to_string(), amount);
                if amount.is_sign_negative() {
                    floors.insert(SPENDABLE.to_string(), Decimal::ZERO);
                }
            }
            EntryKind::Hold => {
                add.insert(HELD.to_string(), amount);
                add.insert(SPENDABLE.to_string(), -amount);
                floors.insert(SPENDABLE.to_string(), Decimal::ZERO);
            }
            EntryKind::Capture => {
                add.insert(HELD.to_string(), -amount);
                add.insert(POSTED.to_string(), -amount);
                floors.insert(HELD.to_string(), Decimal::ZERO);
            }
            EntryKind::Release => {
                add.insert(HELD.to_string(), -amount);
                add.insert(SPENDABLE.to_string(), amount);
                floors.insert(HELD.to_string(), Decimal::ZERO);
            }
        }
        Effect { add, floors }
    }

    /// The entry's effect on the ledger total (`posted`).
    pub fn posted(self, amount: Decimal) -> Decimal {
        match self {
            EntryKind::TopUp | EntryKind::Refund | EntryKind::Adjustment => amount,
            EntryKind::Capture => -amount,
            EntryKind::Hold | EntryKind::Release => Decimal::ZERO,
        }
    }
}

/// Additions to a wallet's counters, and the floors they must respect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effect {
    pub add: BTreeMap<String, Decimal>,
    pub floors: BTreeMap<String, Decimal>,
}

impl Effect {
    /// Two effects on the same wallet in one step (a transaction may touch a
    /// wallet once): additions sum, floors keep the strictest.
    pub fn merge(mut self, other: Effect) -> Effect {
        for (k, v) in other.add {
            *self.add.entry(k).or_default() += v;
        }
        for (k, v) in other.floors {
            let f = self.floors.entry(k).or_insert(v);
            *f = (*f).max(v);
        }
        self.add.retain(|_, v| !v.is_zero());
        self
    }
}

/// One immutable movement on a wallet, with who made it, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub wallet: String,
    pub kind: EntryKind,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub currency: Currency,
    /// RFC 3339.
    pub at: String,
    /// Who caused it: an account id, `platform`, `scheduler`.
    pub by: String,
    /// Why, for people: "top-up 01J… approved", "order 01J… example.id".
    pub reason: String,
    /// What it belongs to: `order:<id>`, `topup:<id>`.
    pub reference: String,
    /// The leg of an order it moves (0 is the customer's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leg: Option<u8>,
    /// The tax inside `amount`, when there is any: what the monthly invoice
    /// of a reseller's purchases prints.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub tax: Option<Decimal>,
}

/// One movement to make on a payer's wallet: what an order step or a
/// top-up decides, before it is written as an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub party: Party,
    pub kind: EntryKind,
    pub amount: Decimal,
    /// The tax inside `amount` (zero for top-ups and adjustments).
    pub tax: Decimal,
    /// The order leg it moves, if any.
    pub leg: Option<u8>,
}

/// A wallet's counters as read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    #[serde(with = "rust_decimal::serde::str")]
    pub posted: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub held: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub spendable: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub credit_limit: Decimal,
}

impl Balance {
    /// What the holder can see as theirs: the ledger total less holds.
    pub fn available(&self) -> Decimal {
        self.posted - self.held
    }

    /// The counters agree with each other.
    pub fn consistent(&self) -> bool {
        self.spendable == self.posted - self.held + self.credit_limit
            && self.held >= Decimal::ZERO
            && self.spendable >= Decimal::ZERO
    }
}

/// What one level pays the next one up for an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leg {
    /// 0 is the customer paying its reseller; then each reseller up.
    pub index: u8,
    pub payer: Party,
    pub payee: Party,
    /// What the payer pays, tax included.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The payee's tax inside `amount`: the line's own tax on the
    /// customer's leg; on a reseller's leg, its parent's tax on the cost.
    #[serde(default, with = "rust_decimal::serde::str")]
    pub tax: Decimal,
}

/// An amount with the tax inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Taxed {
    pub amount: Decimal,
    pub tax: Decimal,
}

/// The legs of one priced line: the customer pays `sale` to the seller,
/// and each reseller pays the price its parent set with its parent's tax
/// (`costs`, seller first, as the price list gives them). `chain` is the
/// resellers top first, the seller last, as in the snapshot.
pub fn legs(
    customer: &Party,
    chain: &[String],
    sale: Taxed,
    costs: &[Taxed],
) -> Result<Vec<Leg>, LegError> {
    if chain.is_empty() || costs.len() != chain.len() {
        return Err(LegError::ChainMismatch {
            levels: chain.len(),
            costs: costs.len(),
        });
    }
    let mut out = Vec::with_capacity(chain.len() + 1);
    let seller = Party::reseller(chain[chain.len() - 1].clone());
    out.push(Leg {
        index: 0,
        payer: customer.clone(),
        payee: seller,
        amount: sale.amount,
        tax: sale.tax,
    });
    for (i, cost) in costs.iter().enumerate() {
        let level = chain.len() - 1 - i;
        let payer = Party::reseller(chain[level].clone());
        let payee = if level == 0 {
            Party::Platform
        } else {
            Party::reseller(chain[level - 1].clone())
        };
        out.push(Leg {
            index: (i + 1) as u8,
            payer,
            payee,
            amount: cost.amount,
            tax: cost.tax,
        });
    }
    if out.iter().any(|l| l.amount.is_sign_negative()) {
        return Err(LegError::Negative);
    }
    Ok(out)
}

/// Legs of several lines for the same chain, summed per level.
pub fn sum_legs(lines: &[Vec<Leg>]) -> Vec<Leg> {
    let mut out: Vec<Leg> = Vec::new();
    for line in lines {
        for leg in line {
            match out.iter_mut().find(|l| l.index == leg.index) {
                Some(l) => {
                    l.amount += leg.amount;
                    l.tax += leg.tax;
                }
                None => out.push(leg.clone()),
            }
        }
    }
    out.sort_by_key(|l| l.index);
    out
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LegError {
    #[error("the price list has {costs} costs for {levels} levels")]
    ChainMismatch { levels: usize, costs: usize },
    #[error("a leg would be negative")]
    Negative,
    #[error("a level's purchase cannot be taxed: {0}")]
    Tax(String),
}

/// Where the money of an order line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Funds {
    /// Nothing held yet (awaiting payment).
    None,
    Held,
    Captured,
    Released,
    Refunded,
}

impl Funds {
    /// The entry kind that moves funds from `self` to `to`, if allowed.
    pub fn step(self, to: Funds) -> Option<EntryKind> {
        match (self, to) {
            (Funds::None, Funds::Held) => Some(EntryKind::Hold),
            (Funds::Held, Funds::Captured) => Some(EntryKind::Capture),
            (Funds::Held, Funds::Released) => Some(EntryKind::Release),
            (Funds::Captured, Funds::Refunded) => Some(EntryKind::Refund),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn legs_run_from_the_customer_to_the_platform() {
        let chain = vec!["northwind".to_string(), "pixelforge".to_string()];
        let c = Party::customer("pixelforge", "a1");
        let t = |a: &str| Taxed {
            amount: d(a),
            tax: Decimal::ZERO,
        };
        let legs = legs(&c, &chain, t("15.99"), &[t("12.10"), t("11.20")]).unwrap();
        assert_eq!(legs.len(), 3);
        assert_eq!(legs[0].payer, c);
        assert_eq!(legs[0].payee, Party::reseller("pixelforge"));
        assert_eq!(legs[1].payer, Party::reseller("pixelforge"));
        assert_eq!(legs[1].payee, Party::reseller("northwind"));
        assert_eq!(legs[1].amount, d("12.10"));
        assert_eq!(legs[2].payer, Party::reseller("northwind"));
        assert_eq!(legs[2].payee, Party::Platform);
        assert_eq!(legs[2].amount, d("11.20"));
    }

    #[test]
    fn a_chain_and_costs_of_different_lengths_are_refused() {
        let c = Party::customer("x", "a");
        assert!(legs(&c, &["x".into()], Taxed::default(), &[]).is_err());
    }

    #[test]
    fn effects_keep_the_counters_consistent() {
        let mut b = Balance {
            credit_limit: d("5"),
            spendable: d("5"),
            ..Default::default()
        };
        let apply = |b: &mut Balance, e: Effect| {
            for (k, v) in e.add {
                match k.as_str() {
                    POSTED => b.posted += v,
                    HELD => b.held += v,
                    SPENDABLE => b.spendable += v,
                    _ => unreachable!(),
                }
            }
        };
        apply(&mut b, EntryKind::TopUp.effect(d("10")));
        apply(&mut b, EntryKind::Hold.effect(d("12")));
        assert!(b.consistent(), "{b:?}");
        assert_eq!(b.available(), d("-2"), "within the credit limit");
        apply(&mut b, EntryKind::Capture.effect(d("12")));
        apply(&mut b, EntryKind::Refund.effect(d("12")));
        assert!(b.consistent());
        assert_eq!(b.posted, d("10"));
    }

    #[test]
    fn merged_effects_sum_and_keep_the_strictest_floor() {
        let e = EntryKind::TopUp
            .effect(d("3"))
            .merge(EntryKind::Hold.effect(d("3")));
        assert_eq!(e.add.get(POSTED), Some(&d("3")));
        assert_eq!(e.add.get(HELD), Some(&d("3")));
        assert_eq!(e.add.get(SPENDABLE), None, "3 - 3 nets out");
        assert_eq!(e.floors.get(SPENDABLE), Some(&Decimal::ZERO));
    }

    #[test]
    fn funds_move_only_forward() {
        assert_eq!(Funds::None.step(Funds::Held), Some(EntryKind::Hold));
        assert_eq!(Funds::Held.step(Funds::Captured), Some(EntryKind::Capture));
        assert_eq!(Funds::Captured.step(Funds::Released), None);
        assert_eq!(Funds::Released.step(Funds::Refunded), None);
        assert_eq!(Funds::Refunded.step(Funds::Refunded), None);
    }
}
