//! A reseller's application to the platform, decided without I/O: what
//! the platform's operators may do with it and when.
//!
//! | state | next |
//! |---|---|
//! | pending | approved (every document approved, the deposit recorded and enough), rejected (with a reason) |
//! | approved | — (its storefront is open) |
//! | rejected | — (the applicant reads why) |
//!
//! The deposit is recorded by an operator when the transfer arrives (the
//! amount received and the transfer's reference), while the application is
//! pending; on approval it becomes the new reseller's opening balance.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Pending,
    Approved,
    Rejected,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Approved => "approved",
            State::Rejected => "rejected",
        }
    }
}

/// The initial deposit as an operator saw it arrive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deposit {
    #[serde(with = "crate::money::decimal_serde")]
    pub amount: Decimal,
    /// The transfer's reference as the bank shows it.
    pub reference: String,
    /// RFC 3339.
    pub at: String,
    pub by: String,
}

/// Why an operator's decision is refused: each a 409 with its own message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("already approved")]
    AlreadyApproved,
    #[error("already rejected")]
    AlreadyRejected,
    #[error("not every document is approved")]
    DocumentsNotApproved,
    #[error("no deposit recorded")]
    NoDeposit,
    #[error("the deposit recorded ({got}) is less than the plan asks ({asked})")]
    DepositShort { got: Decimal, asked: Decimal },
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::AlreadyApproved => "already_approved",
            Refusal::AlreadyRejected => "already_rejected",
            Refusal::DocumentsNotApproved => "documents_not_approved",
            Refusal::NoDeposit => "no_deposit",
            Refusal::DepositShort { .. } => "deposit_short",
        }
    }
}

/// A decision is only ever taken on a pending application.
pub fn pending(state: State) -> Result<(), Refusal> {
    match state {
        State::Pending => Ok(()),
        State::Approved => Err(Refusal::AlreadyApproved),
        State::Rejected => Err(Refusal::AlreadyRejected),
    }
}

/// Whether an application may be approved: pending, every document
/// approved, a deposit recorded of at least what the plan asks.
pub fn may_approve(
    state: State,
    documents_approved: bool,
    deposit: Option<&Deposit>,
    asked: Decimal,
) -> Result<(), Refusal> {
    pending(state)?;
    if !documents_approved {
        return Err(Refusal::DocumentsNotApproved);
    }
    let d = deposit.ok_or(Refusal::NoDeposit)?;
    if d.amount < asked {
        return Err(Refusal::DepositShort {
            got: d.amount,
            asked,
        });
    }
    Ok(())
}

/// What the applicant writes on the transfer, so the operator can tell
/// whose it is: `REG-` and the application's first eight characters.
pub fn transfer_reference(application: &str) -> String {
    let head: String = application.chars().take(8).collect();
    format!("REG-{}", head.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deposit(amount: i64) -> Deposit {
        Deposit {
            amount: Decimal::from(amount),
            reference: "BCA 0412".into(),
            at: "2025-01-02T03:04:05Z".into(),
            by: "ops".into(),
        }
    }

    #[test]
    fn approval_needs_documents_and_the_whole_deposit() {
        let asked = Decimal::from(2_000_000);
        let d = deposit(2_000_000);
        assert_eq!(may_approve(State::Pending, true, Some(&d), asked), Ok(()));
        assert_eq!(
            may_approve(State::Pending, false, Some(&d), asked),
            Err(Refusal::DocumentsNotApproved)
        );
        assert_eq!(
            may_approve(State::Pending, true, None, asked),
            Err(Refusal::NoDeposit)
        );
        assert_eq!(
            may_approve(State::Pending, true, Some(&deposit(1_500_000)), asked),
            Err(Refusal::DepositShort {
                got: Decimal::from(1_500_000),
                asked
            })
        );
        assert_eq!(
            may_approve(State::Approved, true, Some(&d), asked),
            Err(Refusal::AlreadyApproved)
        );
        assert_eq!(pending(State::Rejected), Err(Refusal::AlreadyRejected));
    }

    #[test]
    fn the_transfer_reference() {
        assert_eq!(transfer_reference("0a1b2c3d4e5f"), "REG-0A1B2C3D");
    }
}
