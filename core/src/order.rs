//! An order's life, decided without I/O: what an order and its lines are,
//! how one is built (a customer's order and a renewal alike), and every
//! change of a line's state as a pure function of (state, event) that says
//! which ledger movements it causes. The functions crate loads an order,
//! asks this module what an event does to it, and commits the order and
//! the movements together; it never sets a line's state itself (the field
//! is private to this module).
//!
//! A line's state says where its money is (`LineState::funds`):
//!
//! | state | funds | next |
//! |---|---|---|
//! | awaiting payment | none | paid, awaiting documents, cancelled |
//! | awaiting documents | held | paid (documents approved), lapsed (deadline) |
//! | paid | held | provisioning |
//! | provisioning | held | active, failed |
//! | active | captured | refunded, deleted (documents deadline) |
//! | failed | released | — |
//! | cancelled | none | — |
//! | lapsed | released | — |
//! | refunded | refunded | — |
//! | deleted | refunded | — |

use crate::catalogue::Action;
use crate::ledger::{EntryKind, Funds, Leg, LegError, Movement, Party, Taxed, legs, sum_legs};
use crate::money::Currency;
use crate::money::Money;
use crate::quote::PricedLine;
use crate::snapshot::LevelRule;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payment {
    /// From the customer's wallet, at once.
    Wallet,
    /// The customer transfers to the reseller's bank account; the reseller
    /// marks the order paid.
    BankTransfer,
}

/// Where one line stands, with the registry and with its money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// Not paid yet.
    AwaitingPayment,
    /// Paid (funds held); the registry needs the registrant's documents
    /// first.
    AwaitingDocuments,
    /// Paid (funds held); not sent to the registry yet.
    Paid,
    /// Sent; the registry has not answered clearly yet.
    Provisioning,
    Active,
    /// Refused by the registry; the hold released.
    Failed,
    /// Never paid, and cancelled (by the customer, or past its due date).
    Cancelled,
    /// Paid, but the documents never came: the hold released.
    Lapsed,
    Refunded,
    /// Registered before its documents, which never came: the domain
    /// deleted and the money refunded.
    Deleted,
}

impl LineState {
    pub const ALL: [LineState; 10] = [
        LineState::AwaitingPayment,
        LineState::AwaitingDocuments,
        LineState::Paid,
        LineState::Provisioning,
        LineState::Active,
        LineState::Failed,
        LineState::Cancelled,
        LineState::Lapsed,
        LineState::Refunded,
        LineState::Deleted,
    ];

    /// Where the line's money is in this state.
    pub fn funds(self) -> Funds {
        use LineState::*;
        match self {
            AwaitingPayment | Cancelled => Funds::None,
            AwaitingDocuments | Paid | Provisioning => Funds::Held,
            Active => Funds::Captured,
            Failed | Lapsed => Funds::Released,
            Refunded | Deleted => Funds::Refunded,
        }
    }

    /// Paid and not settled: the registry (or the registrant) still owes an
    /// answer.
    pub fn open(self) -> bool {
        self.funds() == Funds::Held
    }

    /// Paid and waiting for the registry: the scheduler keeps such orders
    /// in view until they settle.
    pub fn with_registry(self) -> bool {
        matches!(self, LineState::Paid | LineState::Provisioning)
    }

    /// What `event` does to a line in this state: the state it goes to and
    /// the ledger entry its legs get, or None when the event does not apply.
    pub fn on(self, event: &LineEvent) -> Option<(LineState, Option<EntryKind>)> {
        use LineEvent as E;
        use LineState::*;
        Some(match (self, event) {
            (AwaitingPayment, E::Pay { documents: false }) => (Paid, Some(EntryKind::Hold)),
            (AwaitingPayment, E::Pay { documents: true }) => {
                (AwaitingDocuments, Some(EntryKind::Hold))
            }
            (AwaitingPayment, E::Cancel | E::Lapse) => (Cancelled, None),
            (AwaitingDocuments, E::DocumentsApproved) => (Paid, None),
            // Registered before its documents: approving them changes
            // nothing but the deadline (see `Line::documents_pending`).
            (Paid | Provisioning | Active, E::DocumentsApproved) => (self, None),
            (AwaitingDocuments, E::DeadlinePassed) => (Lapsed, Some(EntryKind::Release)),
            // Sent again only after a lookup found the first never arrived.
            (Paid | Provisioning, E::Send { .. }) => (Provisioning, None),
            (Provisioning, E::Done { .. }) => (Active, Some(EntryKind::Capture)),
            (Provisioning, E::Fail { .. }) => (Failed, Some(EntryKind::Release)),
            (Active, E::Refund { .. }) => (Refunded, Some(EntryKind::Refund)),
            (Active, E::Deleted) => (Deleted, Some(EntryKind::Refund)),
            _ => return None,
        })
    }
}

/// What can happen to a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineEvent {
    /// Paid: `documents` when the registrant's documents must be approved
    /// before the line goes to the registry.
    Pay {
        documents: bool,
    },
    DocumentsApproved,
    /// Sent to the registry at `at` (RFC 3339).
    Send {
        at: String,
    },
    Done {
        expires: NaiveDate,
    },
    Fail {
        reason: String,
    },
    Refund {
        reason: String,
    },
    /// The customer cancelled it unpaid.
    Cancel,
    /// Unpaid past its due date.
    Lapse,
    /// The documents' deadline passed without them (a line waiting for
    /// them lapses).
    DeadlinePassed,
    /// Registered first and deleted at the registry at its documents'
    /// deadline: the registry's word, whatever happened to the documents
    /// since the deletion was decided (an approval landing meanwhile does
    /// not bring the name back).
    Deleted,
}

#[cfg(test)]
impl LineEvent {
    /// One of each, for the test that walks every (state, event) pair.
    fn samples() -> Vec<LineEvent> {
        vec![
            LineEvent::Pay { documents: false },
            LineEvent::Pay { documents: true },
            LineEvent::DocumentsApproved,
            LineEvent::Send {
                at: "2026-01-01T00:00:00+00:00".into(),
            },
            LineEvent::Done {
                expires: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default(),
            },
            LineEvent::Fail {
                reason: "refused".into(),
            },
            LineEvent::Refund {
                reason: "asked".into(),
            },
            LineEvent::Cancel,
            LineEvent::Lapse,
            LineEvent::DeadlinePassed,
            LineEvent::Deleted,
        ]
    }
}

/// An event that does not apply to the line's state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a line that is {state:?} cannot take {event:?}")]
pub struct WrongState {
    pub state: LineState,
    pub event: LineEvent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// `<order id>-<n>`: also the registry operation's id.
    pub id: String,
    pub domain: String,
    pub display: String,
    pub ext: String,
    pub action: Action,
    pub years: u8,
    pub premium: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion: Option<String>,
    /// For transfers; never shown back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_code: Option<String>,
    /// For premium registrations: the registry's renewal price per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premium_renew: Option<(Currency, Decimal)>,
    /// For renewals: the expiry the renewal starts from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_expiry: Option<NaiveDate>,
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
    pub legs: Vec<Leg>,
    /// Stored as `status`, the name it had when funds were kept beside it.
    #[serde(rename = "status")]
    state: LineState,
    /// When it was last sent to the registry (RFC 3339); a line sent and not
    /// answered is only looked up after a while, so two workers never race
    /// one registry call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sent_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires: Option<NaiveDate>,
    /// For a line whose extension asks for the registrant's documents: the
    /// last day they may be approved. A line waiting for them lapses after
    /// it; a line registered first is deleted at the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    documents_due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    documents_approved: bool,
}

/// What a line is made of besides its price: from the quote, or from the
/// domain it renews.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineExtras {
    pub auth_code: Option<String>,
    pub current_expiry: Option<NaiveDate>,
    pub premium_renew: Option<(Currency, Decimal)>,
}

impl Line {
    /// An unpaid line of a priced line, sold through `levels` (top first,
    /// as a snapshot has them): the customer pays its gross to the seller,
    /// each level its cost to the level above with that one's tax on top.
    pub fn new(
        id: String,
        p: &PricedLine,
        extras: LineExtras,
        customer: &Party,
        levels: &[LevelRule],
        currency: Currency,
    ) -> Result<Line, LegError> {
        let chain: Vec<String> = levels.iter().map(|l| l.reseller.clone()).collect();
        let costs = p
            .costs
            .iter()
            .zip(levels.iter().rev())
            .map(|(cost, level)| {
                let b = level
                    .pays_tax
                    .try_on_net(Money::new(*cost, currency))
                    .map_err(|e| LegError::Tax(e.to_string()))?;
                Ok(Taxed {
                    amount: b.gross.amount(),
                    tax: b.tax.amount(),
                })
            })
            .collect::<Result<Vec<_>, LegError>>()?;
        let sale = Taxed {
            amount: p.gross,
            tax: p.tax,
        };
        Ok(Line {
            id,
            domain: p.domain.clone(),
            display: p.display.clone(),
            ext: p.ext.clone(),
            action: p.action,
            years: p.years,
            premium: p.premium,
            promotion: p.promotion.clone(),
            auth_code: extras.auth_code,
            premium_renew: extras.premium_renew,
            current_expiry: extras.current_expiry,
            net: p.net,
            tax: p.tax,
            gross: p.gross,
            legs: legs(customer, &chain, sale, &costs)?,
            state: LineState::AwaitingPayment,
            sent_at: None,
            reason: None,
            expires: None,
            documents_due: None,
            documents_approved: false,
        })
    }

    pub fn state(&self) -> LineState {
        self.state
    }

    pub fn funds(&self) -> Funds {
        self.state.funds()
    }

    pub fn sent_at(&self) -> Option<&str> {
        self.sent_at.as_deref()
    }

    /// Why it failed or was refunded.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The domain's expiry once the registry has done it.
    pub fn expires(&self) -> Option<NaiveDate> {
        self.expires
    }

    /// The last day the registrant's documents may be approved, for a line
    /// that asks for them.
    pub fn documents_due(&self) -> Option<NaiveDate> {
        self.documents_due
    }

    /// Documents are asked and not yet approved, and the line still stands
    /// (waiting for them, with the registry, or registered first): what the
    /// deadline acts on.
    pub fn documents_pending(&self) -> bool {
        self.documents_due.is_some()
            && !self.documents_approved
            && matches!(
                self.state,
                LineState::AwaitingDocuments
                    | LineState::Paid
                    | LineState::Provisioning
                    | LineState::Active
            )
    }

    /// Registered (or being registered) before its documents were approved.
    pub fn registered_first(&self) -> bool {
        self.documents_pending() && self.state != LineState::AwaitingDocuments
    }

    /// Apply `event`: the entry kind its legs move by, if any.
    pub fn apply(&mut self, event: &LineEvent) -> Result<Option<EntryKind>, WrongState> {
        let (to, kind) = self.state.on(event).ok_or_else(|| WrongState {
            state: self.state,
            event: event.clone(),
        })?;
        match event {
            LineEvent::Send { at } => self.sent_at = Some(at.clone()),
            LineEvent::Done { expires } => self.expires = Some(*expires),
            LineEvent::Fail { reason } | LineEvent::Refund { reason } => {
                self.reason = Some(reason.clone());
            }
            LineEvent::DocumentsApproved => self.documents_approved = true,
            _ => {}
        }
        self.state = to;
        Ok(kind)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    AwaitingPayment,
    /// Paid, with lines still at the registry or waiting for documents.
    Provisioning,
    /// Every line is done: active, or failed and released.
    Completed,
    Failed,
    Cancelled,
    Refunded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: String,
    pub by: String,
    pub what: String,
}

/// The discount code use an order holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeUse {
    /// As the shop spells it.
    pub code: String,
    /// Counted against the code's total.
    pub total: bool,
    /// Counted against the customer's uses.
    pub per_customer: bool,
    /// Given back (the order came to nothing).
    #[serde(default)]
    pub released: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub reseller: String,
    pub customer: String,
    /// The resellers, top first, the seller last.
    pub chain: Vec<String>,
    pub currency: Currency,
    /// The price-list version it was priced from.
    pub price_version: String,
    pub payment: Payment,
    pub lines: Vec<Line>,
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
    pub created_at: String,
    /// For bank transfers: pay by this date (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    /// The earliest last day of the lines whose documents are still
    /// pending (see `Line::documents_due`), for people to read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documents_due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proforma: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<String>,
    /// The lines its tax invoice lists: what a correction may take back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invoiced: Vec<String>,
    /// The corrective invoices issued for its refunded or deleted lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<Correction>,
    /// Made by the scheduler to renew a domain.
    #[serde(default)]
    pub renewal: bool,
    #[serde(default)]
    pub cancelled: bool,
    /// The discount code use this order took, if its code has limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_use: Option<CodeUse>,
    pub history: Vec<Event>,
}

/// A corrective invoice, and the lines it took back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub number: String,
    pub lines: Vec<String>,
}

/// What an order is besides its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub id: String,
    pub reseller: String,
    pub customer: String,
    pub chain: Vec<String>,
    pub currency: Currency,
    pub price_version: String,
    pub payment: Payment,
    pub due: Option<NaiveDate>,
    pub renewal: bool,
    /// The first event: when, who, and what it says.
    pub created: Event,
}

/// What an order-level event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done before (a retry): nothing to move.
    Already,
    /// The order changed: these movements go with it, and its code's use is
    /// given back when `give_back_code`.
    Moved {
        movements: Vec<Movement>,
        give_back_code: bool,
    },
}

impl Outcome {
    pub fn movements(&self) -> &[Movement] {
        match self {
            Outcome::Already => &[],
            Outcome::Moved { movements, .. } => movements,
        }
    }
}

/// What happens to an order as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEvent {
    /// Every unpaid line paid; `transfer` first credits the customer's
    /// wallet with what they cost (a bank transfer the seller received).
    /// `documents` says which lines ask for their registrant's documents,
    /// by when, and whether they wait for them.
    Pay {
        transfer: bool,
        documents: Vec<Paperwork>,
    },
    /// One line, by id.
    Line { line: String, event: LineEvent },
    /// Every active line, or one.
    Refund {
        line: Option<String>,
        reason: String,
    },
    /// Unpaid: cancelled by the customer (`lapsed` false) or past its due
    /// date.
    Cancel { lapsed: bool },
}

/// The documents a line asks for, decided when it is paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paperwork {
    pub line: String,
    /// The last day they may be approved.
    pub due: NaiveDate,
    /// Registered at once (auto-provisioning), deleted if they do not come
    /// in time; otherwise the line waits for them before the registry.
    pub first: bool,
}

impl Order {
    /// The one way an order is made, for a customer's cart and a renewal
    /// alike: its totals are its lines' sums (the lines carry the tax as
    /// allocated over the order).
    pub fn new(head: Head, lines: Vec<Line>) -> Order {
        let net = lines.iter().map(|l| l.net).sum();
        let tax = lines.iter().map(|l| l.tax).sum();
        let gross = lines.iter().map(|l| l.gross).sum();
        Order {
            id: head.id,
            reseller: head.reseller,
            customer: head.customer,
            chain: head.chain,
            currency: head.currency,
            price_version: head.price_version,
            payment: head.payment,
            lines,
            net,
            tax,
            gross,
            created_at: head.created.at.clone(),
            due: head.due,
            documents_due: None,
            proforma: None,
            invoice: None,
            invoiced: Vec::new(),
            corrections: Vec::new(),
            renewal: head.renewal,
            cancelled: false,
            code_use: None,
            history: vec![head.created],
        }
    }

    pub fn state(&self) -> OrderState {
        use LineState::*;
        let all = |f: fn(LineState) -> bool| self.lines.iter().all(|l| f(l.state));
        if self.cancelled || all(|s| s == Cancelled) {
            return OrderState::Cancelled;
        }
        if all(|s| s == AwaitingPayment) {
            return OrderState::AwaitingPayment;
        }
        if self
            .lines
            .iter()
            .any(|l| l.state.open() || l.state == AwaitingPayment)
        {
            return OrderState::Provisioning;
        }
        if all(|s| s == Failed) {
            return OrderState::Failed;
        }
        if all(|s| matches!(s, Refunded | Deleted | Failed | Lapsed)) {
            return OrderState::Refunded;
        }
        OrderState::Completed
    }

    /// Some line is paid and waiting for its registrant's documents.
    pub fn awaiting_documents(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.state == LineState::AwaitingDocuments)
    }

    /// Some line's documents are still awaited, before or after registering.
    pub fn documents_pending(&self) -> bool {
        self.lines.iter().any(Line::documents_pending)
    }

    /// Every line's last day for documents, each once, with whether some
    /// line due that day still awaits them: the days the scheduler looks at.
    pub fn documents_days(&self) -> Vec<(NaiveDate, bool)> {
        let mut days: Vec<(NaiveDate, bool)> = Vec::new();
        for l in &self.lines {
            let Some(day) = l.documents_due else { continue };
            match days.iter_mut().find(|(d, _)| *d == day) {
                Some((_, pending)) => *pending |= l.documents_pending(),
                None => days.push((day, l.documents_pending())),
            }
        }
        days
    }

    /// Lines its tax invoice listed that were refunded or deleted since and
    /// that no corrective invoice has taken back yet.
    pub fn correction_due(&self) -> Vec<&Line> {
        self.lines
            .iter()
            .filter(|l| self.invoiced.contains(&l.id))
            .filter(|l| matches!(l.state, LineState::Refunded | LineState::Deleted))
            .filter(|l| !self.corrections.iter().any(|c| c.lines.contains(&l.id)))
            .collect()
    }

    /// Some line is paid and waiting for the registry.
    pub fn with_registry(&self) -> bool {
        self.lines.iter().any(|l| l.state.with_registry())
    }

    /// Settled with something active and no invoice yet: due for the
    /// seller's tax invoice.
    pub fn invoice_due(&self) -> bool {
        self.invoice.is_none()
            && !self.lines.iter().any(|l| l.state.open())
            && self.lines.iter().any(|l| l.state == LineState::Active)
    }

    /// Apply `event` at `at` (RFC 3339) on behalf of `by`: the lines change
    /// state, the history says so, and the movements are returned for the
    /// caller to commit with the order. An event that was already applied
    /// is `Already`; one that does not apply is `WrongState`.
    pub fn apply(&mut self, event: OrderEvent, at: &str, by: &str) -> Result<Outcome, WrongState> {
        let mut movements = Vec::new();
        let what = match event {
            OrderEvent::Pay {
                transfer,
                documents,
            } => {
                let unpaid: Vec<usize> = self.indexes(|l| l.state == LineState::AwaitingPayment);
                if self.cancelled || unpaid.is_empty() {
                    let paid = self.lines.iter().any(|l| l.funds() != Funds::None);
                    return self.already_or(paid, LineEvent::Pay { documents: false });
                }
                if transfer {
                    movements.push(Movement {
                        party: Party::customer(&self.reseller, &self.customer),
                        kind: EntryKind::TopUp,
                        amount: unpaid.iter().map(|&i| self.lines[i].gross).sum(),
                        tax: Decimal::ZERO,
                        leg: None,
                    });
                }
                for &i in &unpaid {
                    let paperwork = documents.iter().find(|p| p.line == self.lines[i].id);
                    let wait = paperwork.is_some_and(|p| !p.first);
                    self.lines[i].apply(&LineEvent::Pay { documents: wait })?;
                    self.lines[i].documents_due = paperwork.map(|p| p.due);
                }
                movements.extend(self.moves(&unpaid, EntryKind::Hold));
                if transfer {
                    "paid by bank transfer".to_string()
                } else {
                    "paid from wallet".to_string()
                }
            }
            OrderEvent::Line { line, event } => {
                let Some(i) = self.lines.iter().position(|l| l.id == line) else {
                    return Ok(Outcome::Already);
                };
                let l = &self.lines[i];
                match event {
                    LineEvent::DocumentsApproved if l.documents_approved => {
                        return Ok(Outcome::Already);
                    }
                    // The deadline acts only on documents still awaited: an
                    // approved line is left alone.
                    LineEvent::DeadlinePassed if !l.documents_pending() => {
                        return Err(WrongState {
                            state: l.state,
                            event,
                        });
                    }
                    _ => {}
                }
                if let Some(kind) = self.lines[i].apply(&event)? {
                    movements.extend(self.moves(&[i], kind));
                }
                let l = &self.lines[i];
                let what = format!("{} {}", l.display, action_name(l.action));
                match &event {
                    LineEvent::Send { .. } => {
                        // Sending is recorded on the line, not in the
                        // history people read.
                        return Ok(Outcome::Moved {
                            movements,
                            give_back_code: false,
                        });
                    }
                    LineEvent::Done { .. } => format!("{what}: done"),
                    LineEvent::Fail { reason } => format!("{what}: refused: {reason}"),
                    LineEvent::Refund { reason } => format!("{what}: refunded: {reason}"),
                    LineEvent::DocumentsApproved => format!("{what}: documents approved"),
                    LineEvent::DeadlinePassed => format!("{what}: documents not received in time"),
                    LineEvent::Deleted => {
                        format!("{what}: deleted, documents not received in time")
                    }
                    other => format!("{what}: {other:?}"),
                }
            }
            OrderEvent::Refund { line, reason } => {
                let targets = self.indexes(|l| {
                    l.state == LineState::Active && line.as_ref().is_none_or(|id| &l.id == id)
                });
                if targets.is_empty() {
                    let refunded = self.lines.iter().any(|l| l.state == LineState::Refunded);
                    return self.already_or(refunded, LineEvent::Refund { reason });
                }
                let event = LineEvent::Refund {
                    reason: reason.clone(),
                };
                for &i in &targets {
                    self.lines[i].apply(&event)?;
                }
                movements.extend(self.moves(&targets, EntryKind::Refund));
                format!("refunded: {reason}")
            }
            OrderEvent::Cancel { lapsed } => {
                let event = if lapsed {
                    LineEvent::Lapse
                } else {
                    LineEvent::Cancel
                };
                if self.state() != OrderState::AwaitingPayment {
                    return self.already_or(self.cancelled, event);
                }
                for l in &mut self.lines {
                    l.apply(&event)?;
                }
                self.cancelled = true;
                if lapsed {
                    "cancelled: not paid by the due date".to_string()
                } else {
                    "cancelled".to_string()
                }
            }
        };
        self.history.push(Event {
            at: at.to_string(),
            by: by.to_string(),
            what,
        });
        self.documents_due = self
            .lines
            .iter()
            .filter(|l| l.documents_pending())
            .filter_map(|l| l.documents_due)
            .min();
        // The order came to nothing: the code's use comes back, once.
        let nothing = self.lines.iter().all(|l| {
            matches!(
                l.state,
                LineState::Cancelled | LineState::Failed | LineState::Lapsed
            )
        });
        let give_back_code = nothing
            && match self.code_use.as_mut() {
                Some(u) if !u.released => {
                    u.released = true;
                    true
                }
                _ => false,
            };
        Ok(Outcome::Moved {
            movements,
            give_back_code,
        })
    }

    fn indexes(&self, f: impl Fn(&Line) -> bool) -> Vec<usize> {
        (0..self.lines.len())
            .filter(|&i| f(&self.lines[i]))
            .collect()
    }

    fn already_or(&self, done: bool, event: LineEvent) -> Result<Outcome, WrongState> {
        if done {
            Ok(Outcome::Already)
        } else {
            Err(WrongState {
                state: self.lines.first().map_or(LineState::Cancelled, |l| l.state),
                event,
            })
        }
    }

    /// Movements of `kind` for the legs of the given lines, summed per leg.
    fn moves(&self, lines: &[usize], kind: EntryKind) -> Vec<Movement> {
        let all: Vec<Vec<Leg>> = lines.iter().map(|&i| self.lines[i].legs.clone()).collect();
        sum_legs(&all)
            .into_iter()
            .map(|leg| Movement {
                party: leg.payer,
                kind,
                amount: leg.amount,
                tax: leg.tax,
                leg: Some(leg.index),
            })
            .collect()
    }
}

pub fn action_name(a: Action) -> &'static str {
    match a {
        Action::Register => "registration",
        Action::Renew => "renewal",
        Action::Transfer => "transfer",
        Action::Restore => "restore",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineState::*;

    /// Every (state, event) pair: the ones listed move as listed, every
    /// other pair is refused and changes nothing.
    #[test]
    fn every_state_and_event() {
        let allowed: Vec<(LineState, &str, LineState, Option<EntryKind>)> = vec![
            (AwaitingPayment, "pay", Paid, Some(EntryKind::Hold)),
            (
                AwaitingPayment,
                "pay with documents",
                AwaitingDocuments,
                Some(EntryKind::Hold),
            ),
            (AwaitingPayment, "cancel", Cancelled, None),
            (AwaitingPayment, "lapse", Cancelled, None),
            (AwaitingDocuments, "documents approved", Paid, None),
            (Paid, "documents approved", Paid, None),
            (Provisioning, "documents approved", Provisioning, None),
            (Active, "documents approved", Active, None),
            (
                AwaitingDocuments,
                "deadline passed",
                Lapsed,
                Some(EntryKind::Release),
            ),
            (Paid, "send", Provisioning, None),
            (Provisioning, "send", Provisioning, None),
            (Provisioning, "done", Active, Some(EntryKind::Capture)),
            (Provisioning, "fail", Failed, Some(EntryKind::Release)),
            (Active, "refund", Refunded, Some(EntryKind::Refund)),
            (Active, "deleted", Deleted, Some(EntryKind::Refund)),
        ];
        let name = |e: &LineEvent| match e {
            LineEvent::Pay { documents: false } => "pay",
            LineEvent::Pay { documents: true } => "pay with documents",
            LineEvent::DocumentsApproved => "documents approved",
            LineEvent::Send { .. } => "send",
            LineEvent::Done { .. } => "done",
            LineEvent::Fail { .. } => "fail",
            LineEvent::Refund { .. } => "refund",
            LineEvent::Cancel => "cancel",
            LineEvent::Lapse => "lapse",
            LineEvent::DeadlinePassed => "deadline passed",
            LineEvent::Deleted => "deleted",
        };
        let mut pairs = 0;
        for state in LineState::ALL {
            for event in LineEvent::samples() {
                pairs += 1;
                let want = allowed
                    .iter()
                    .find(|(s, e, _, _)| *s == state && *e == name(&event))
                    .map(|&(_, _, to, kind)| (to, kind));
                assert_eq!(state.on(&event), want, "{state:?} on {}", name(&event));
                if let Some((to, kind)) = want {
                    // Money moves only as the funds do.
                    let step = state.funds().step(to.funds());
                    assert_eq!(kind, step, "{state:?} -> {to:?}");
                }
            }
        }
        assert_eq!(pairs, 110);
    }

    fn line(id: &str, gross: i64) -> Line {
        let p = PricedLine {
            domain: format!("{id}.id"),
            display: format!("{id}.id"),
            ext: "id".into(),
            action: Action::Register,
            years: 1,
            premium: false,
            promotion: None,
            code: None,
            shown: Decimal::from(gross),
            net: Decimal::from(gross),
            tax: Decimal::ZERO,
            gross: Decimal::from(gross),
            costs: vec![Decimal::from(gross - 10), Decimal::from(gross - 20)],
        };
        Line::new(
            format!("o-{id}"),
            &p,
            LineExtras::default(),
            &Party::customer("shop", "c1"),
            &levels(),
            Currency::IDR,
        )
        .unwrap()
    }

    /// A shop buying from a reseller that adds PPN 11%, which buys from a
    /// platform that adds none.
    fn levels() -> Vec<LevelRule> {
        let ppn = crate::money::Tax {
            label: "PPN".into(),
            percent: Decimal::from(11),
            rounding: crate::money::TaxRounding::HalfEven,
        };
        vec![
            LevelRule {
                reseller: "top".into(),
                buys_at: None,
                pays_tax: crate::money::Tax::none(),
            },
            LevelRule {
                reseller: "shop".into(),
                buys_at: None,
                pays_tax: ppn,
            },
        ]
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn order(lines: Vec<Line>) -> Order {
        Order::new(
            Head {
                id: "o".into(),
                reseller: "shop".into(),
                customer: "c1".into(),
                chain: vec!["top".into(), "shop".into()],
                currency: Currency::IDR,
                price_version: "v1".into(),
                payment: Payment::BankTransfer,
                due: None,
                renewal: false,
                created: Event {
                    at: "t0".into(),
                    by: "c1".into(),
                    what: "ordered".into(),
                },
            },
            lines,
        )
    }

    #[test]
    fn an_order_adds_up_its_lines() {
        let o = order(vec![line("a", 100), line("b", 250)]);
        assert_eq!(o.gross, Decimal::from(350));
        assert_eq!(o.state(), OrderState::AwaitingPayment);
        // The shop pays its 240 and its parent's PPN on top; the parent
        // pays the platform 230, untaxed.
        let leg = &o.lines[1].legs[1];
        assert_eq!(
            (leg.amount, leg.tax),
            (Decimal::from(266), Decimal::from(26))
        );
        assert_eq!(o.lines[1].legs[2].amount, Decimal::from(230));
    }

    #[test]
    fn paying_by_transfer_credits_then_holds_every_leg_once() {
        let mut o = order(vec![line("a", 100), line("b", 250)]);
        let pay = OrderEvent::Pay {
            transfer: true,
            documents: vec![Paperwork {
                line: "o-b".into(),
                due: day(2026, 3, 31),
                first: false,
            }],
        };
        let out = o.apply(pay.clone(), "t1", "shop").unwrap();
        let m = out.movements();
        assert_eq!(m.len(), 4, "{m:?}");
        assert_eq!(
            (m[0].kind, m[0].amount),
            (EntryKind::TopUp, Decimal::from(350))
        );
        assert_eq!(
            m.iter()
                .skip(1)
                .map(|m| (m.kind, m.amount, m.leg))
                .collect::<Vec<_>>(),
            vec![
                (EntryKind::Hold, Decimal::from(350), Some(0)),
                (EntryKind::Hold, Decimal::from(366), Some(1)),
                (EntryKind::Hold, Decimal::from(310), Some(2)),
            ]
        );
        assert_eq!(o.lines[0].state(), Paid);
        assert_eq!(o.lines[1].state(), AwaitingDocuments);
        assert_eq!(o.state(), OrderState::Provisioning);
        assert_eq!(o.history.last().unwrap().what, "paid by bank transfer");
        assert_eq!(o.apply(pay, "t2", "shop"), Ok(Outcome::Already));
    }

    #[test]
    fn the_code_comes_back_when_the_order_comes_to_nothing() {
        let mut o = order(vec![line("a", 100), line("b", 250)]);
        o.code_use = Some(CodeUse {
            code: "LIMA5".into(),
            total: true,
            per_customer: false,
            released: false,
        });
        let pay = OrderEvent::Pay {
            transfer: false,
            documents: vec![],
        };
        o.apply(pay, "t1", "c1").unwrap();
        for id in ["o-a", "o-b"] {
            let send = LineEvent::Send { at: "t2".into() };
            o.apply(
                OrderEvent::Line {
                    line: id.into(),
                    event: send,
                },
                "t2",
                "w",
            )
            .unwrap();
        }
        let fail = |id: &str| OrderEvent::Line {
            line: id.into(),
            event: LineEvent::Fail {
                reason: "taken".into(),
            },
        };
        let first = o.apply(fail("o-a"), "t3", "w").unwrap();
        assert_eq!(
            first,
            Outcome::Moved {
                movements: o.moves(&[0], EntryKind::Release),
                give_back_code: false
            }
        );
        let last = o.apply(fail("o-b"), "t4", "w").unwrap();
        assert!(matches!(
            last,
            Outcome::Moved {
                give_back_code: true,
                ..
            }
        ));
        assert_eq!(o.state(), OrderState::Failed);
        assert_eq!(o.lines[1].reason(), Some("taken"));
        assert!(o.apply(fail("o-b"), "t5", "w").is_err(), "settled once");
    }

    #[test]
    fn a_line_registered_before_its_documents_is_deleted_and_refunded_once_at_the_deadline() {
        let mut o = order(vec![line("a", 100), line("b", 250)]);
        let pay = OrderEvent::Pay {
            transfer: false,
            documents: vec![
                Paperwork {
                    line: "o-a".into(),
                    due: day(2026, 3, 4),
                    first: true,
                },
                Paperwork {
                    line: "o-b".into(),
                    due: day(2026, 3, 4),
                    first: true,
                },
            ],
        };
        o.apply(pay, "t1", "c1").unwrap();
        assert_eq!((o.lines[0].state(), o.lines[1].state()), (Paid, Paid));
        assert_eq!(o.documents_due, Some(day(2026, 3, 4)));
        for id in ["o-a", "o-b"] {
            for event in [
                LineEvent::Send { at: "t2".into() },
                LineEvent::Done {
                    expires: day(2027, 3, 1),
                },
            ] {
                let line = id.to_string();
                o.apply(OrderEvent::Line { line, event }, "t2", "w")
                    .unwrap();
            }
        }
        assert!(o.lines[0].registered_first());
        let line = |id: &str, event: LineEvent| OrderEvent::Line {
            line: id.into(),
            event,
        };
        // b's documents come in time: it stays; a's do not: it is deleted.
        o.apply(line("o-b", LineEvent::DocumentsApproved), "t3", "shop")
            .unwrap();
        assert_eq!(
            o.apply(line("o-b", LineEvent::DocumentsApproved), "t3", "shop"),
            Ok(Outcome::Already)
        );
        assert_eq!(o.documents_days(), vec![(day(2026, 3, 4), true)]);
        let deleted = o
            .apply(line("o-a", LineEvent::Deleted), "t4", "scheduler")
            .unwrap();
        assert_eq!(
            deleted.movements(),
            o.moves(&[0], EntryKind::Refund).as_slice()
        );
        assert_eq!(
            deleted.movements().len(),
            3,
            "every level gets its leg back"
        );
        assert_eq!(o.lines[0].state(), Deleted);
        assert_eq!(
            o.history.last().unwrap().what,
            "a.id registration: deleted, documents not received in time"
        );
        assert!(
            o.apply(line("o-a", LineEvent::Deleted), "t5", "scheduler")
                .is_err(),
            "deleted once"
        );
        assert!(
            o.apply(line("o-b", LineEvent::DeadlinePassed), "t5", "scheduler")
                .is_err(),
            "approved in time: left alone"
        );
        assert_eq!(o.lines[1].state(), Active);
        assert_eq!(o.documents_due, None);
        assert_eq!(o.documents_days(), vec![(day(2026, 3, 4), false)]);
    }

    #[test]
    fn a_paid_order_cannot_be_cancelled_and_a_cancelled_one_is_cancelled_once() {
        let mut o = order(vec![line("a", 100)]);
        assert!(matches!(
            o.apply(OrderEvent::Cancel { lapsed: true }, "t1", "scheduler"),
            Ok(Outcome::Moved { .. })
        ));
        assert_eq!(o.lines[0].state(), Cancelled);
        assert_eq!(
            o.history.last().unwrap().what,
            "cancelled: not paid by the due date"
        );
        assert_eq!(
            o.apply(OrderEvent::Cancel { lapsed: false }, "t2", "c1"),
            Ok(Outcome::Already)
        );
        let mut paid = order(vec![line("a", 100)]);
        let pay = OrderEvent::Pay {
            transfer: false,
            documents: vec![],
        };
        paid.apply(pay, "t1", "c1").unwrap();
        assert!(
            paid.apply(OrderEvent::Cancel { lapsed: false }, "t2", "c1")
                .is_err()
        );
    }
}
