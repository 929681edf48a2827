//! The order engine: every step an order goes through, each one a single
//! conditional transaction so that it happens once whatever is retried.

use super::keys;
use super::model::*;
use crate::accounts::Mailer;
use crate::catalog::Catalogs;
use crate::clock::Clock;
use crate::ledger::topups::sortable_id;
use crate::ledger::{CommitError, Context, Ledger};
use crate::paging::{self, Page};
use crate::registrar::{
    Availability, Operation, OperationKind, Outcome as Answer, Registrar, RegistrarError,
};
use crate::store::{Condition, Item, Query, Store, StoreError, Write};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use storefront_core::catalogue::Action;
use storefront_core::ledger::Party;
use storefront_core::money::Money;
use storefront_core::order::Head;
use storefront_core::quote::{PricedLine, QuoteError, price_line};
use storefront_core::snapshot::Snapshot;
use storefront_core::{Currency, Locale};

#[derive(Debug, Clone)]
pub struct OrdersConfig {
    /// How long a quote holds its prices (premium prices included).
    pub quote_ttl: Duration,
    /// How long an idempotency key is remembered.
    pub idempotency_ttl: Duration,
    /// A line sent to the registry without a clear answer is looked up only
    /// after this long, so a lookup never races the call still in flight.
    pub lookup_after: Duration,
    /// Most lines per order.
    pub max_lines: usize,
    /// Where notifications come from (a platform address).
    pub mail_from: String,
}

impl Default for OrdersConfig {
    fn default() -> Self {
        OrdersConfig {
            quote_ttl: Duration::from_secs(30 * 60),
            idempotency_ttl: Duration::from_secs(24 * 3600),
            lookup_after: Duration::from_secs(120),
            max_lines: 10,
            mail_from: "no-reply@storefront.localhost".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// A line cannot be priced: `index` is its position in the request.
    #[error("item {index}: {error}")]
    Line { index: usize, error: QuoteError },
    #[error("item {index}: the name is not available")]
    Unavailable { index: usize, domain: String },
    #[error("item {index}: the registry did not answer; try again")]
    RegistryUnknown { index: usize },
    #[error("item {index}: {domain} is not in your account")]
    NotYours { index: usize, domain: String },
    #[error("item {index}: an auth code is needed for a transfer")]
    AuthCodeMissing { index: usize },
    #[error("an order has 1 to {max} items")]
    LineCount { max: usize },
    #[error("the same domain appears twice")]
    Duplicate { index: usize },
    #[error("the quote has expired")]
    QuoteExpired,
    /// The price list changed since the quote: here is the new one.
    #[error("prices changed")]
    PriceChanged(Box<Quote>),
    #[error("insufficient balance")]
    InsufficientBalance,
    /// A reseller level is short: the customer is told neutrally.
    #[error("the shop cannot take this order right now")]
    SellerShort { reseller: String },
    /// The storefront (or a reseller above it) is suspended: no new sales,
    /// renewals go on. The customer is told neutrally, never why.
    #[error("the shop is not taking new orders")]
    NotTakingOrders,
    #[error("this idempotency key was used with another request")]
    KeyReused,
    /// The discount code has been used as often as it may be.
    #[error("the discount code {0} has been used up")]
    CodeUsedUp(String),
    #[error("no such order")]
    NotFound,
    #[error("the order is not in a state that allows this")]
    WrongState,
    /// A registered name cannot be refunded: the registry would not delete
    /// it (past its add grace period), so its price would not come back.
    #[error("{domain} cannot be refunded: {reason}")]
    NotDeleted { domain: String, reason: String },
    /// The registry did not answer a deletion; nothing was refunded.
    #[error("the registry did not answer the deletion of {domain}")]
    DeletionUnknown { domain: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<CommitError> for OrderError {
    fn from(e: CommitError) -> Self {
        match e {
            CommitError::Store(e) => OrderError::Store(e),
            other => OrderError::Store(StoreError::Unavailable(other.to_string())),
        }
    }
}

/// An order request: which quote, paid how, under which idempotency key
/// (and the digest of the request, to tell a retry from a different request
/// under the same key).
#[derive(Debug, Clone, Copy)]
pub struct NewOrder<'a> {
    pub customer: &'a str,
    pub group: &'a str,
    pub quote: &'a str,
    pub payment: Payment,
    pub key: &'a str,
    pub request_hash: &'a str,
}

/// What a customer asks for, one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineRequest {
    /// As typed; IDNs welcome.
    pub domain: String,
    #[schema(value_type = String, example = "register")]
    pub action: Action,
    pub years: u8,
    /// For transfers.
    #[serde(default)]
    pub auth_code: Option<String>,
}

/// A quoted line as stored: the priced line and what provisioning needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotedLine {
    pub priced: PricedLine,
    pub auth_code: Option<String>,
    pub current_expiry: Option<NaiveDate>,
    /// The registry's renewal price per year of a premium name, kept with
    /// the domain so its renewals are priced from it.
    #[serde(default)]
    pub premium_renew: Option<(Currency, Decimal)>,
    /// What it will ask of the registrant's documents, told before paying.
    #[serde(default)]
    pub documents: Option<storefront_core::snapshot::DocumentTerms>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub id: String,
    /// The discount code the customer gave, applied where it may.
    #[serde(default)]
    pub code: Option<String>,
    pub reseller: String,
    pub customer: String,
    pub price_version: String,
    pub currency: Currency,
    pub lines: Vec<QuotedLine>,
    #[serde(with = "rust_decimal::serde::str")]
    pub net: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub tax: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub gross: Decimal,
    pub expires_at: String,
}

/// The money totals of lines: the tax computed once on the total and
/// shared out over the lines by `Tax::allocate`, the same sharing an invoice
/// of these lines makes, so a line's tax on the order and on its invoice
/// agree.
fn settle_tax(
    s: &Snapshot,
    lines: &mut [QuotedLine],
) -> Result<(Decimal, Decimal, Decimal), StoreError> {
    let shown: Vec<Decimal> = lines.iter().map(|l| l.priced.shown).collect();
    let a = s
        .tax
        .allocate(s.tax_display, s.currency, &shown)
        .map_err(unavailable)?;
    for (line, b) in lines.iter_mut().zip(&a.lines) {
        line.priced.net = b.net.amount();
        line.priced.tax = b.tax.amount();
        line.priced.gross = b.gross.amount();
    }
    Ok((
        a.total.net.amount(),
        a.total.tax.amount(),
        a.total.gross.amount(),
    ))
}

/// An item written on condition of the version it was read at (None: new),
/// with the summary copies its owners' lists are read from.
fn with_copies(
    main: Item,
    version: Option<u64>,
    copies: [(String, String); 2],
    summary: serde_json::Value,
) -> Vec<Write> {
    let mut out = vec![Write::Put {
        item: Item {
            version: version.map_or(1, |v| v + 1),
            ..main
        },
        condition: version.map_or(Condition::NotExists, Condition::Version),
    }];
    out.extend(copies.into_iter().map(|(pk, sk)| Write::Put {
        item: Item::new(pk, sk, summary.clone()),
        condition: Condition::None,
    }));
    out
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// The chain a snapshot's seller buys through, top first.
fn chain(s: &Snapshot) -> Vec<String> {
    s.levels.iter().map(|l| l.reseller.clone()).collect()
}

/// Each payer's wallet and who it is held with.
fn wallets(order: &Order) -> Vec<(Party, Party)> {
    let mut out: Vec<(Party, Party)> = Vec::new();
    for line in &order.lines {
        for leg in &line.legs {
            if !out.iter().any(|(h, _)| h == &leg.payer) {
                out.push((leg.payer.clone(), leg.payee.clone()));
            }
        }
    }
    out
}

/// A seller's run: held while one is going, and "more was queued".
pub(crate) type Run = Arc<(tokio::sync::Mutex<()>, std::sync::atomic::AtomicBool)>;

/// Per seller, whether an invoice run is going in this process, and whether
/// more was queued since it started: the run drains the queue until nothing
/// new arrived, and anyone who finds a run going leaves their order to it.
/// This keeps a busy shop's settlements from racing each other for the
/// invoice sequence; the store's conditions keep it correct across
/// processes all the same.
#[derive(Debug, Default)]
pub struct InvoiceRuns {
    sellers: std::sync::Mutex<std::collections::HashMap<String, Run>>,
}

impl InvoiceRuns {
    pub(crate) fn of(&self, seller: &str) -> Run {
        let mut m = self.sellers.lock().unwrap_or_else(|p| p.into_inner());
        m.entry(seller.to_string()).or_default().clone()
    }
}

#[derive(Debug, Clone)]
pub struct Orders {
    pub store: Arc<dyn Store>,
    pub catalogs: Arc<Catalogs>,
    pub registrar: Arc<dyn Registrar>,
    pub ledger: Ledger,
    pub clock: Arc<dyn Clock>,
    pub mailer: Arc<dyn Mailer>,
    pub config: OrdersConfig,
    pub invoice_runs: Arc<InvoiceRuns>,
    /// Where the registrants' documents are kept: the scheduler deletes
    /// them after their retention.
    pub blobs: Arc<dyn crate::blobs::Blobs>,
}

impl Orders {
    /// The registrants' documents, on the same store.
    pub fn documents(&self) -> crate::documents::Documents {
        crate::documents::Documents {
            store: self.store.clone(),
            blobs: self.blobs.clone(),
        }
    }
}

impl Orders {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn event(&self, by: &str, what: impl Into<String>) -> Event {
        Event {
            at: self.now().to_rfc3339(),
            by: by.to_string(),
            what: what.into(),
        }
    }

    // ----- quotes -----

    /// Price a cart for a customer, asking the registry where it must
    /// (availability and premium prices for registrations). The quote is
    /// stored for `quote_ttl`, and an order pays exactly its prices.
    pub async fn quote(
        &self,
        s: &Snapshot,
        customer: &str,
        group: &str,
        items: &[LineRequest],
        code: Option<&str>,
    ) -> Result<Quote, OrderError> {
        if items.is_empty() || items.len() > self.config.max_lines {
            return Err(OrderError::LineCount {
                max: self.config.max_lines,
            });
        }
        self.takes_orders(s, items.iter().map(|i| i.action), false)
            .await?;
        // The storefront's own day: the one its pages show promotions for.
        let today = s.today(self.now());
        let mut lines: Vec<QuotedLine> = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let line_err = |error| OrderError::Line { index, error };
            let (domain, _, ext) =
                storefront_core::quote::parse_domain(s, &item.domain).map_err(line_err)?;
            if lines.iter().any(|l| l.priced.domain == domain) {
                return Err(OrderError::Duplicate { index });
            }
            let mut premium = None;
            let mut current_expiry = None;
            let mut auth_code = None;
            let mut premium_renew = None;
            match item.action {
                Action::Register => {
                    let check = self
                        .registrar
                        .check(&domain)
                        .await
                        .map_err(|_| OrderError::RegistryUnknown { index })?;
                    match check.availability {
                        Availability::Available => {}
                        Availability::Taken => {
                            return Err(OrderError::Unavailable { index, domain });
                        }
                        Availability::Unknown { .. } => {
                            return Err(OrderError::RegistryUnknown { index });
                        }
                    }
                    premium_renew = check.premium.as_ref().map(|p| (p.currency, p.renew));
                    premium = check.premium.map(|p| Money::new(p.register, p.currency));
                }
                Action::Renew | Action::Restore => {
                    let owned = self.domain(&domain).await?;
                    let Some((d, _)) = owned.filter(|(d, _)| {
                        d.reseller == s.reseller
                            && d.customer == customer
                            && matches!(d.status, DomainStatus::Active | DomainStatus::Expired)
                    }) else {
                        return Err(OrderError::NotYours { index, domain });
                    };
                    current_expiry = Some(d.expires);
                    premium = d.premium_renew.map(|(c, a)| Money::new(a, c));
                }
                Action::Transfer => {
                    // A transfer adds exactly one year at the registry.
                    if item.years != 1 {
                        return Err(OrderError::Line {
                            index,
                            error: QuoteError::Years {
                                ext: ext.clone(),
                                min: 1,
                                max: 1,
                            },
                        });
                    }
                    let auth = item.auth_code.as_deref().map(str::trim).filter(|c| {
                        !c.is_empty() && c.len() <= 64 && !c.chars().any(char::is_control)
                    });
                    let Some(auth) = auth else {
                        return Err(OrderError::AuthCodeMissing { index });
                    };
                    auth_code = Some(auth.to_string());
                }
            }
            let priced = price_line(
                s,
                group,
                &item.domain,
                item.action,
                item.years,
                premium,
                code,
                today,
            )
            .map_err(line_err)?;
            let documents = s.document_terms(&priced.ext, priced.action);
            lines.push(QuotedLine {
                priced,
                auth_code,
                current_expiry,
                premium_renew,
                documents,
            });
        }
        if let Some(typed) = code.map(str::trim).filter(|c| !c.is_empty())
            && lines.iter().all(|l| l.priced.code.is_none())
        {
            return Err(OrderError::Line {
                index: 0,
                error: QuoteError::Code {
                    code: typed.to_string(),
                    problem: storefront_core::price::CodeProblem::NotHere,
                },
            });
        }
        let (net, tax, gross) = settle_tax(s, &mut lines)?;
        let now = self.now();
        let expires = now + chrono::Duration::from_std(self.config.quote_ttl).unwrap_or_default();
        let q = Quote {
            id: sortable_id(now),
            code: code.map(str::to_string),
            reseller: s.reseller.clone(),
            customer: customer.to_string(),
            price_version: s.version.clone(),
            currency: s.currency,
            lines,
            net,
            tax,
            gross,
            expires_at: expires.to_rfc3339(),
        };
        // The store forgets the quote a day after it lapses (by the machine's
        // clock: that is housekeeping); whether it has lapsed is judged by
        // the engine's clock when it is used.
        let item = Item::new(
            keys::quote(&q.id),
            "QUOTE",
            serde_json::to_value(&q).map_err(unavailable)?,
        )
        .expiring(crate::store::now() + self.config.quote_ttl.as_secs() as i64 + 86_400);
        self.store.put(item, Condition::NotExists).await?;
        Ok(q)
    }

    /// Refuse a cart with a new sale (a registration, a transfer in) on a
    /// storefront that a suspension stops: one read when placing the order
    /// (`fresh`), the list search reads at most every two seconds when
    /// quoting (the order checks again), and none for a cart of renewals
    /// alone, which go on whatever happens. Paying an order
    /// placed before the suspension is not refused: its customer was
    /// promised that name at that price, the bank transfer may already be
    /// on its way, and refusing it would leave money with no order to go
    /// to; its seller can still refund it from the panel.
    async fn takes_orders(
        &self,
        s: &Snapshot,
        mut actions: impl Iterator<Item = Action>,
        fresh: bool,
    ) -> Result<(), OrderError> {
        if actions.all(storefront_core::suspension::still_taken) {
            return Ok(());
        }
        let stopped = if fresh {
            crate::suspension::stopping(self.store.as_ref(), s)
                .await?
                .is_some()
        } else {
            self.catalogs
                .suspensions()
                .await?
                .of_levels(&s.levels)
                .is_some()
        };
        match stopped {
            true => Err(OrderError::NotTakingOrders),
            false => Ok(()),
        }
    }

    async fn load_quote(&self, id: &str) -> Result<Option<Quote>, StoreError> {
        let Some(item) = self.store.get(&keys::quote(id), keys::QUOTE_SK).await? else {
            return Ok(None);
        };
        serde_json::from_value(item.data)
            .map(Some)
            .map_err(unavailable)
    }

    // ----- orders -----

    pub async fn order(&self, id: &str) -> Result<Option<(Order, u64)>, StoreError> {
        let Some(item) = self.store.get(&keys::order(id), keys::ORDER_SK).await? else {
            return Ok(None);
        };
        let v = item.version;
        serde_json::from_value(item.data)
            .map(|o| Some((o, v)))
            .map_err(unavailable)
    }

    /// The order's own item and its copies, conditioned on `version` (None:
    /// a new order).
    pub(crate) fn order_writes(
        &self,
        o: &Order,
        version: Option<u64>,
    ) -> Result<Vec<Write>, StoreError> {
        let data = serde_json::to_value(o).map_err(unavailable)?;
        let summary = json!({
            "id": o.id, "state": o.state(), "created_at": o.created_at,
            "gross": o.gross.to_string(), "currency": o.currency,
            "domains": o.lines.iter().map(|l| l.display.clone()).collect::<Vec<_>>(),
            "customer": o.customer, "renewal": o.renewal,
        });
        let mut out = with_copies(
            Item::new(keys::order(&o.id), keys::ORDER_SK, data),
            version,
            [
                (
                    keys::account(&o.reseller, &o.customer),
                    keys::account_order(&o.id),
                ),
                (keys::orders_of(&o.reseller), o.id.clone()),
            ],
            summary,
        );
        // Unpaid orders by due date, for the scheduler to cancel when the
        // date has passed.
        if let Some(due) = o.due {
            let waiting = o.state() == OrderState::AwaitingPayment;
            out.push(listed_while(waiting, keys::due(due), &o.id));
        }
        // Orders waiting for documents by their lines' last days, for the
        // scheduler to act on each when it has passed.
        for (day, pending) in o.documents_days() {
            out.push(listed_while(pending, keys::documents_due(day), &o.id));
        }
        // Invoiced lines refunded since: queued for their corrective invoice.
        if o.invoice.is_some() {
            let due = !o.correction_due().is_empty();
            out.push(listed_while(due, keys::CORRECTIONS.to_string(), &o.id));
        }
        // Settled with something to invoice: queued for the seller's
        // invoice run (`issue_due_invoices`), which numbers many at once.
        if o.invoice_due() {
            out.push(Write::Put {
                item: Item::new(
                    keys::invoice_due(&o.reseller),
                    o.id.clone(),
                    json!({"order": o.id}),
                ),
                condition: Condition::None,
            });
        } else if o.invoice.is_some() {
            out.push(Write::Delete {
                pk: keys::invoice_due(&o.reseller),
                sk: o.id.clone(),
                condition: Condition::None,
            });
        }
        out.push(if o.with_registry() {
            Write::Put {
                item: Item::new(keys::PROVISIONING, o.id.clone(), json!({"order": o.id})),
                condition: Condition::None,
            }
        } else {
            Write::Delete {
                pk: keys::PROVISIONING.into(),
                sk: o.id.clone(),
                condition: Condition::None,
            }
        });
        Ok(out)
    }

    /// Turn a quote into an order, once per idempotency key: the same key
    /// with the same request gives the same order; with another request it
    /// is refused. A quote made from an older price list is re-quoted and
    /// must be confirmed.
    pub async fn create(
        &self,
        s: &Snapshot,
        r: &NewOrder<'_>,
    ) -> Result<(Order, bool), OrderError> {
        let NewOrder {
            customer,
            group,
            quote: quote_id,
            payment,
            key,
            request_hash,
        } = *r;
        let key_pk = keys::idempotency(&s.reseller, customer, key);
        if let Some(existing) = self.store.get(&key_pk, "KEY").await? {
            return self.replay(&existing, request_hash).await;
        }
        let q = self
            .load_quote(quote_id)
            .await?
            .filter(|q| q.reseller == s.reseller && q.customer == customer)
            .filter(|q| {
                DateTime::parse_from_rfc3339(&q.expires_at)
                    .is_ok_and(|t| t.with_timezone(&Utc) > self.now())
            })
            .ok_or(OrderError::QuoteExpired)?;
        // Quoted before a suspension, ordered after it: refused all the same.
        self.takes_orders(s, q.lines.iter().map(|l| l.priced.action), true)
            .await?;
        if q.price_version != s.version {
            let items: Vec<LineRequest> = q
                .lines
                .iter()
                .map(|l| LineRequest {
                    domain: l.priced.domain.clone(),
                    action: l.priced.action,
                    years: l.priced.years,
                    auth_code: l.auth_code.clone(),
                })
                .collect();
            let fresh = self
                .quote(s, customer, group, &items, q.code.as_deref())
                .await?;
            return Err(OrderError::PriceChanged(Box::new(fresh)));
        }
        let now = self.now();
        let id = sortable_id(now);
        let customer_party = Party::customer(&s.reseller, customer);
        let chain = chain(s);
        let mut lines = Vec::new();
        for (n, ql) in q.lines.iter().enumerate() {
            let extras = LineExtras {
                auth_code: ql.auth_code.clone(),
                current_expiry: ql.current_expiry,
                premium_renew: ql.premium_renew,
            };
            lines.push(
                Line::new(
                    format!("{id}-{}", n + 1),
                    &ql.priced,
                    extras,
                    &customer_party,
                    &s.levels,
                    s.currency,
                )
                .map_err(unavailable)?,
            );
        }
        let due = (payment == Payment::BankTransfer)
            .then(|| s.today(now) + chrono::Days::new(u64::from(s.orders.payment_due_days)));
        let head = Head {
            id: id.clone(),
            reseller: s.reseller.clone(),
            customer: customer.to_string(),
            chain,
            currency: s.currency,
            price_version: s.version.clone(),
            payment,
            due,
            renewal: false,
            created: self.event(customer, "ordered"),
        };
        let mut order = Order::new(head, lines);
        // A code with limits: one use per order, taken with the order.
        let code = q
            .lines
            .iter()
            .find_map(|l| l.priced.code.as_deref())
            .and_then(|c| s.discount_codes.iter().find(|d| d.code == c));
        let code_use = code.and_then(|c| super::codes::use_of(c).map(|u| (c, u)));
        let mut take = Vec::new();
        if let Some((c, u)) = code_use {
            super::codes::prepare(self.store.as_ref(), &s.reseller, customer, &u).await?;
            take = super::codes::take(&s.reseller, customer, c, &u);
            order.code_use = Some(u);
        }
        let mut writes = self.order_writes(&order, None)?;
        let takes_from = writes.len();
        let taken = take.len();
        writes.extend(take);
        let ttl = chrono::Duration::from_std(self.config.idempotency_ttl).unwrap_or_default();
        writes.push(Write::Put {
            item: Item::new(&key_pk, "KEY", json!({"hash": request_hash, "order": id}))
                .expiring(crate::store::now() + ttl.num_seconds()),
            condition: Condition::NotExists,
        });
        match self.store.transact(writes).await {
            Ok(()) => Ok((order, true)),
            Err(StoreError::TransactionCancelled { failed })
                if failed
                    .iter()
                    .any(|&i| (takes_from..takes_from + taken).contains(&i)) =>
            {
                let code = order.code_use.map(|u| u.code).unwrap_or_default();
                Err(OrderError::CodeUsedUp(code))
            }
            // The same key, concurrently: the other request made the order.
            Err(StoreError::TransactionCancelled { .. }) => {
                let existing = self
                    .store
                    .get(&key_pk, "KEY")
                    .await?
                    .ok_or_else(|| unavailable("an idempotency key vanished"))?;
                self.replay(&existing, request_hash).await
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn replay(&self, key: &Item, request_hash: &str) -> Result<(Order, bool), OrderError> {
        if key.data["hash"].as_str() != Some(request_hash) {
            return Err(OrderError::KeyReused);
        }
        let id = key.data["order"].as_str().unwrap_or_default();
        let (order, _) = self.order(id).await?.ok_or(OrderError::NotFound)?;
        Ok((order, false))
    }

    /// Load an order, let `decide` change it (through
    /// `storefront_core::order`), and commit the order, the money its
    /// change moves and the writes that go with it, in one conditional
    /// transaction; read again and decide again when someone else changed
    /// the order first. `decide` answers None when there is nothing to do.
    pub(crate) async fn change<'w, F, W>(
        &self,
        order_id: &str,
        by: &str,
        mut decide: F,
        with: W,
    ) -> Result<Order, OrderError>
    where
        F: FnMut(&mut Order) -> Result<Option<Change>, OrderError>,
        W: Fn(Order) -> Writes<'w>,
    {
        for _ in 0..crate::store::MAX_RACES {
            let (mut o, v) = self.order(order_id).await?.ok_or(OrderError::NotFound)?;
            let before = o.clone();
            let Some(change) = decide(&mut o)? else {
                return Ok(o);
            };
            let mut writes = self.order_writes(&o, Some(v))?;
            let movements = match change.outcome {
                Outcome::Already => return Ok(o),
                Outcome::Moved {
                    movements,
                    give_back_code,
                } => {
                    if give_back_code && let Some(u) = &o.code_use {
                        writes.extend(super::codes::give_back(&o.reseller, &o.customer, u));
                    }
                    movements
                }
            };
            writes.extend(with(o.clone()).await?);
            // The seller's day counts what this change did (paid, refunded,
            // released), in this same conditional transaction: once.
            if let Some(w) = crate::stats::order_moved(&before, &o, self.sales_day(&o).await?) {
                crate::stats::ensure_known(
                    self.store.as_ref(),
                    self.ledger.counters(),
                    std::slice::from_ref(&w),
                )
                .await?;
                writes.push(w);
            }
            let ctx = Context {
                by: by.to_string(),
                reason: change.reason,
                reference: format!("order:{}", o.id),
                currency: o.currency,
            };
            match self.ledger.commit(&movements, &ctx, writes).await {
                Ok(()) => return Ok(o),
                Err(CommitError::Changed) => {
                    self.ledger.forget_counters();
                    continue;
                }
                Err(CommitError::Short(p)) => {
                    return Err(match p {
                        Party::Customer { .. } => OrderError::InsufficientBalance,
                        Party::Reseller { id } => OrderError::SellerShort { reseller: id },
                        Party::Platform => OrderError::WrongState,
                    });
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(OrderError::Store(StoreError::Conflict(
            "the order kept changing".into(),
        )))
    }

    /// Apply one event to an order, with `with` the writes its outcome
    /// brings along (the domain it makes, the renewal it frees).
    async fn step<'w, W>(
        &self,
        order_id: &str,
        by: &str,
        event: OrderEvent,
        with: W,
    ) -> Result<Order, OrderError>
    where
        W: Fn(Order) -> Writes<'w>,
    {
        let at = self.now().to_rfc3339();
        let decide = |o: &mut Order| {
            let outcome = o
                .apply(event.clone(), &at, by)
                .map_err(|_| OrderError::WrongState)?;
            Ok(Some(Change {
                outcome,
                reason: ledger_reason(o, &event),
            }))
        };
        self.change(order_id, by, decide, with).await
    }

    /// Hold every leg of every unpaid line in one step, from the wallets.
    /// `topup` first credits the customer's wallet with the order's total
    /// (a bank transfer the reseller confirmed), in the same step.
    pub async fn pay(&self, order_id: &str, by: &str, topup: bool) -> Result<Order, OrderError> {
        let documents = self.paperwork(order_id).await?;
        let event = OrderEvent::Pay {
            transfer: topup,
            documents,
        };
        let ensure = writes(|o| {
            Box::pin(async move {
                self.ledger.ensure(&wallets(&o), o.currency).await?;
                Ok(Vec::new())
            })
        });
        let paid = self.step(order_id, by, event, ensure).await;
        // Registered first: the first day's reminder of what is due, sent
        // once (a retried payment finds it claimed).
        if let Ok(o) = &paid
            && o.lines.iter().any(Line::registered_first)
            && let Err(e) = self.remind_documents(order_id, true).await
        {
            tracing::warn!(order = order_id, error = %e, "documents reminder not sent");
        }
        if let Err(OrderError::SellerShort { reseller }) = &paid
            && let Some((o, _)) = self.order(order_id).await?
        {
            self.notify_short(&o, reseller).await;
        }
        paid
    }

    /// The lines of an order whose extension asks for the registrant's
    /// documents, once paid, with their terms (`Snapshot::document_terms`):
    /// registered first and deleted without them, or waiting for them.
    async fn paperwork(&self, order_id: &str) -> Result<Vec<Paperwork>, OrderError> {
        let Some((o, _)) = self.order(order_id).await? else {
            return Ok(Vec::new());
        };
        let Some(s) = self.catalogs.current(&o.reseller).await? else {
            return Ok(Vec::new());
        };
        let today = s.today(self.now());
        Ok(o.lines
            .iter()
            .filter_map(|l| {
                let terms = s.document_terms(&l.ext, l.action)?;
                Some(Paperwork {
                    line: l.id.clone(),
                    due: today + chrono::Days::new(u64::from(terms.days)),
                    first: terms.registered_first,
                })
            })
            .collect())
    }

    /// Orders whose documents were due on `day`.
    pub async fn documents_due_on(&self, day: NaiveDate) -> Result<Vec<String>, StoreError> {
        let items = self
            .store
            .query(&keys::documents_due(day), Query::default())
            .await?;
        Ok(items.into_iter().map(|i| i.sk).collect())
    }

    /// The documents' last day passed: every line still waiting for them
    /// lapses and its holds are released; every line registered first is
    /// deleted at the registry and every leg of it refunded, once (a second
    /// run finds them settled). Returns how many lines it settled.
    pub async fn documents_lapsed(&self, order_id: &str, by: &str) -> Result<usize, OrderError> {
        let (o, _) = self.order(order_id).await?.ok_or(OrderError::NotFound)?;
        // Past the last day in the storefront's own day, not before.
        let today = match self.catalogs.current(&o.reseller).await? {
            Some(s) => s.today(self.now()),
            None => self.now().date_naive(),
        };
        let mut settled = 0;
        let past: Vec<&Line> = o
            .lines
            .iter()
            .filter(|l| l.documents_pending() && l.documents_due().is_some_and(|d| d < today))
            .collect();
        for line in past {
            let event = |event| OrderEvent::Line {
                line: line.id.clone(),
                event,
            };
            let done = match line.state() {
                LineState::AwaitingDocuments => {
                    let lapse = event(LineEvent::DeadlinePassed);
                    self.step(order_id, by, lapse, nothing()).await
                }
                // Registered first: deleted at the registry, then refunded,
                // whatever the documents did since (the name is gone).
                LineState::Active => match self.delete_at_registry(line).await {
                    Ok(()) => {
                        let event = event(LineEvent::Deleted);
                        let gone = self.deleted_domain(line, by, "documents not received in time");
                        self.step(order_id, by, event, gone).await
                    }
                    Err(e) => {
                        tracing::warn!(order = order_id, line = %line.id, error = %e, "deadline deletion not made");
                        continue;
                    }
                },
                // Still with the registry: settled on a later run.
                _ => continue,
            };
            match done {
                Ok(o) => {
                    settled += 1;
                    if line.state() == LineState::Active {
                        self.notify_deleted(&o, line).await;
                    }
                }
                // Approved, or settled by another run, meanwhile.
                Err(OrderError::WrongState) => {}
                Err(e) => return Err(e),
            }
        }
        if settled > 0 {
            self.correct(order_id).await;
        }
        Ok(settled)
    }

    /// Delete a registered line's name at the registry, once whatever is
    /// retried (the deletion's id is the line's), and learn whether it was
    /// credited.
    async fn delete_at_registry(&self, line: &Line) -> Result<(), OrderError> {
        let op = Operation {
            id: format!("{}-delete", line.id),
            domain: line.domain.clone(),
            years: line.years,
            kind: OperationKind::Delete,
        };
        // Asked first: a deletion whose answer was lost is not sent again
        // (the name would then read as not ours, and the refund be refused).
        let answer = match self.registrar.lookup(&op).await {
            Ok(Some(a)) => Ok(a),
            Ok(None) => self.registrar.provision(&op).await,
            Err(e) => Err(e),
        };
        match answer {
            Ok(Answer::Deleted) => Ok(()),
            Ok(Answer::Refused { reason }) => Err(OrderError::NotDeleted {
                domain: line.display.clone(),
                reason,
            }),
            Ok(Answer::Done { .. }) => Err(OrderError::NotDeleted {
                domain: line.display.clone(),
                reason: "the registry answered the deletion as another operation".into(),
            }),
            Err(RegistrarError::Unsupported(ext)) => Err(OrderError::NotDeleted {
                domain: line.display.clone(),
                reason: format!("names under .{ext} cannot be deleted here"),
            }),
            Err(_) => Err(OrderError::DeletionUnknown {
                domain: line.display.clone(),
            }),
        }
    }

    /// The domain of a line deleted at the registry, as written with the
    /// line's refund: shown as deleted, out of the renewals' view.
    fn deleted_domain<'w>(
        &'w self,
        line: &'w Line,
        by: &'w str,
        why: &'w str,
    ) -> impl Fn(Order) -> Writes<'w> + 'w {
        writes(move |_| {
            Box::pin(async move {
                let Some((mut d, v)) = self.domain(&line.domain).await? else {
                    return Ok(Vec::new());
                };
                let before = d.clone();
                d.status = DomainStatus::Deleted;
                d.renewal_order = None;
                d.auto_renew = false;
                d.history
                    .push(self.event(by, format!("deleted at the registry: {why}")));
                let mut out = self.domain_item_writes(&d, Some(v), Some(d.expires))?;
                out.extend(self.domain_counted(Some(&before), &d).await?);
                out.push(Write::Delete {
                    pk: keys::expiry(d.expires),
                    sk: d.name.clone(),
                    condition: Condition::None,
                });
                Ok(out)
            })
        })
    }

    /// What follows a reviewer's decision on `item` of a line's set `r`,
    /// whoever made it (the storefront's staff, the platform): a rejection
    /// is mailed to the customer with its reason; a set now approved
    /// whole sends the line on (`documents_approved`).
    pub async fn document_reviewed(
        &self,
        s: &Snapshot,
        r: &crate::documents::Record,
        item: &str,
        by: &str,
    ) -> Result<(), OrderError> {
        if let Some(why) = r
            .set
            .latest(item)
            .and_then(|v| v.review.as_ref())
            .filter(|rv| !rv.approved)
            .and_then(|rv| rv.reason.as_deref())
        {
            self.notify_document_rejected(s, &r.customer, &r.domain, item, why)
                .await;
        }
        if r.set.complete() {
            match self.documents_approved(&r.order, &r.line, by).await {
                // Another reviewer's approval got there first.
                Ok(_) | Err(OrderError::WrongState) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Every document of a line approved: it goes to the registry as any
    /// paid line does (a refusal there releases its holds).
    pub async fn documents_approved(
        &self,
        order_id: &str,
        line_id: &str,
        by: &str,
    ) -> Result<Order, OrderError> {
        let event = OrderEvent::Line {
            line: line_id.to_string(),
            event: storefront_core::order::LineEvent::DocumentsApproved,
        };
        // Registered first: its domain is no longer awaiting documents.
        let shown = writes(|o| {
            Box::pin(async move {
                let Some(line) = o.lines.iter().find(|l| l.id == line_id) else {
                    return Ok(Vec::new());
                };
                match self.domain(&line.domain).await? {
                    Some((mut d, v))
                        if line.state() == LineState::Active
                            && d.status == DomainStatus::AwaitingDocuments =>
                    {
                        let before = d.clone();
                        d.status = DomainStatus::Active;
                        d.history.push(self.event(by, "documents approved"));
                        let mut out = self.domain_item_writes(&d, Some(v), Some(d.expires))?;
                        out.extend(self.domain_counted(Some(&before), &d).await?);
                        Ok(out)
                    }
                    _ => Ok(Vec::new()),
                }
            })
        });
        self.step(order_id, by, event, shown).await?;
        self.provision(order_id, "registrar").await
    }

    async fn notify_short(&self, o: &Order, reseller: &str) {
        let Ok(Some(s)) = self.catalogs.current(reseller).await else {
            return;
        };
        // One mail an hour per reseller, however many orders bounce: the
        // first claims the hour with a conditional write.
        let hour = self.now().format("%Y-%m-%dT%H").to_string();
        let claim = Item::new(keys::notified_short(reseller), hour, json!({"order": o.id}))
            .expiring(crate::store::now() + 2 * 3600);
        if self.store.put(claim, Condition::NotExists).await.is_err() {
            return;
        }
        // In the reseller's language, from whoever it buys from.
        let lang = s.default_language();
        let amount = storefront_core::Money::new(o.gross, o.currency).format(lang);
        let from = self.parent_sender(&s).await;
        let letter = super::letters::wallet_short(
            lang,
            &o.id,
            &amount,
            &o.reseller,
            &s.parent.seller.legal_name,
        );
        self.send_as(from, &s.seller.email, letter.subject, letter.text)
            .await;
    }

    /// Send every paid line to the registry and settle it: capture its legs
    /// when done, release them when refused. A line whose answer was lost is
    /// looked up (after `lookup_after`) before it is ever sent again.
    pub async fn provision(&self, order_id: &str, by: &str) -> Result<Order, OrderError> {
        let (o, _) = self.order(order_id).await?.ok_or(OrderError::NotFound)?;
        for line in &o.lines {
            if line.state().with_registry() {
                self.provision_line(order_id, &line.id, by).await?;
            }
        }
        // Settled: the tax invoice for what became active, numbered with any
        // other of the seller's due invoices. If this fails the order stays
        // queued and the scheduler issues it.
        let reseller = self.order(order_id).await?.map(|(o, _)| o.reseller);
        if let Some(reseller) = reseller
            && let Err(e) = self.invoice_run(&reseller).await
        {
            tracing::warn!(order = order_id, error = %e, "invoice deferred");
        }
        Ok(self.order(order_id).await?.ok_or(OrderError::NotFound)?.0)
    }

    fn operation(line: &Line) -> Operation {
        let kind = match (line.action, &line.auth_code, line.current_expiry) {
            (Action::Transfer, Some(code), _) => OperationKind::Transfer {
                auth_code: code.clone(),
            },
            (Action::Renew | Action::Restore, _, Some(current_expiry)) => {
                OperationKind::Renew { current_expiry }
            }
            _ => OperationKind::Register,
        };
        Operation {
            id: line.id.clone(),
            domain: line.domain.clone(),
            years: line.years,
            kind,
        }
    }

    /// Send one line, or look it up, and settle it. A write that lost to
    /// another worker's change of the same order (another line settling) is
    /// read again and retried, so no paid line is left unsent.
    async fn provision_line(
        &self,
        order_id: &str,
        line_id: &str,
        by: &str,
    ) -> Result<(), OrderError> {
        for _ in 0..crate::store::MAX_RACES {
            if self.try_provision_line(order_id, line_id, by).await? == Step::Done {
                return Ok(());
            }
        }
        // Left for the scheduler, which finds the order under PROVISIONING.
        Ok(())
    }

    async fn try_provision_line(
        &self,
        order_id: &str,
        line_id: &str,
        by: &str,
    ) -> Result<Step, OrderError> {
        let (o, _) = self.order(order_id).await?.ok_or(OrderError::NotFound)?;
        let Some(line) = o.lines.iter().find(|l| l.id == line_id).cloned() else {
            return Ok(Step::Done);
        };
        let op = Self::operation(&line);
        let outcome = match line.state() {
            LineState::Paid => {
                // Record that it is being sent before sending: after a crash,
                // whoever comes next looks up instead of sending again.
                if !self.mark_sent(order_id, &line, by).await? {
                    return Ok(Step::Again);
                }
                self.registrar.provision(&op).await
            }
            LineState::Provisioning => {
                let sent = line
                    .sent_at()
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|t| t.with_timezone(&Utc));
                let wait = chrono::Duration::from_std(self.config.lookup_after).unwrap_or_default();
                if sent.is_some_and(|t| self.now() - t < wait) {
                    return Ok(Step::Done);
                }
                match self.registrar.lookup(&op).await {
                    Ok(Some(outcome)) => Ok(outcome),
                    Ok(None) => {
                        // Never arrived: safe to send again, recording it first.
                        if !self.mark_sent(order_id, &line, by).await? {
                            return Ok(Step::Again);
                        }
                        self.registrar.provision(&op).await
                    }
                    Err(e) => Err(e),
                }
            }
            _ => return Ok(Step::Done),
        };
        let event = match outcome {
            Ok(Answer::Done { expires }) => LineEvent::Done { expires },
            Ok(Answer::Deleted) => LineEvent::Fail {
                reason: "the registry answered with a deletion".into(),
            },
            Ok(Answer::Refused { reason }) => LineEvent::Fail { reason },
            Err(RegistrarError::Unsupported(ext)) => LineEvent::Fail {
                reason: format!("names under .{ext} cannot be ordered here yet"),
            },
            // Unknown: it stays provisioning; the scheduler looks it up.
            Err(e) => {
                tracing::warn!(order = order_id, line = line_id, error = %e, "registry outcome unknown");
                return Ok(Step::Done);
            }
        };
        self.settle(order_id, line_id, event, by).await?;
        Ok(Step::Done)
    }

    /// Record that `seen` is being sent now, provided nobody else has sent
    /// it (or looked it up and sent it again) since it was read: false when
    /// someone had, and the line must be read again.
    async fn mark_sent(&self, order_id: &str, seen: &Line, by: &str) -> Result<bool, OrderError> {
        let mut mine = false;
        let at = self.now().to_rfc3339();
        let decide = |o: &mut Order| {
            mine = false;
            let still = o
                .lines
                .iter()
                .find(|l| l.id == seen.id)
                .is_some_and(|l| l.state() == seen.state() && l.sent_at() == seen.sent_at());
            if !still {
                return Ok(None);
            }
            mine = true;
            let event = OrderEvent::Line {
                line: seen.id.clone(),
                event: LineEvent::Send { at: at.clone() },
            };
            let outcome = o
                .apply(event, &at, by)
                .map_err(|_| OrderError::WrongState)?;
            Ok(Some(Change {
                outcome,
                reason: String::new(),
            }))
        };
        self.change(order_id, by, decide, nothing()).await?;
        Ok(mine)
    }

    /// Apply the registry's answer to a line: capture or release its legs,
    /// and on success make or extend the domain. A line settled already is
    /// left as it is.
    async fn settle(
        &self,
        order_id: &str,
        line_id: &str,
        event: LineEvent,
        by: &str,
    ) -> Result<(), OrderError> {
        let order_event = OrderEvent::Line {
            line: line_id.to_string(),
            event: event.clone(),
        };
        let event = &event;
        let domain = writes(|o| {
            Box::pin(async move {
                let Some(line) = o.lines.iter().find(|l| l.id == line_id) else {
                    return Ok(Vec::new());
                };
                Ok(match event {
                    LineEvent::Done { expires } => {
                        self.domain_writes(&o, line, *expires, by).await?
                    }
                    _ if line.action != Action::Register => self.clear_renewal(&o, line).await?,
                    _ => Vec::new(),
                })
            })
        });
        let settled = self.step(order_id, by, order_event, domain).await;
        match settled {
            Ok(_) | Err(OrderError::WrongState) => Ok(()),
            Err(e) => Err(e),
        }
    }

    // ----- domains -----

    pub async fn domain(&self, name: &str) -> Result<Option<(Domain, u64)>, StoreError> {
        let Some(item) = self.store.get(&keys::domain(name), keys::DOMAIN_SK).await? else {
            return Ok(None);
        };
        let v = item.version;
        serde_json::from_value(item.data)
            .map(|d| Some((d, v)))
            .map_err(unavailable)
    }

    /// The domain's item and copies, conditioned on `version`.
    pub fn domain_item_writes(
        &self,
        d: &Domain,
        version: Option<u64>,
        old_expiry: Option<NaiveDate>,
    ) -> Result<Vec<Write>, StoreError> {
        let data = serde_json::to_value(d).map_err(unavailable)?;
        let summary = json!({
            "name": d.name, "display": d.display, "status": d.status,
            "expires": d.expires.to_string(), "auto_renew": d.auto_renew, "customer": d.customer,
        });
        let mut out = with_copies(
            Item::new(keys::domain(&d.name), keys::DOMAIN_SK, data),
            version,
            [
                (
                    keys::account(&d.reseller, &d.customer),
                    keys::account_domain(&d.name),
                ),
                (keys::domains_of(&d.reseller), d.name.clone()),
            ],
            summary,
        );
        if old_expiry != Some(d.expires) {
            if let Some(old) = old_expiry {
                out.push(Write::Delete {
                    pk: keys::expiry(old),
                    sk: d.name.clone(),
                    condition: Condition::None,
                });
            }
            out.push(Write::Put {
                item: Item::new(
                    keys::expiry(d.expires),
                    d.name.clone(),
                    json!({"name": d.name}),
                ),
                condition: Condition::None,
            });
        }
        Ok(out)
    }

    /// The dashboard's counters a domain's change moves (`stats`), their
    /// items made first when missing.
    async fn domain_counted(
        &self,
        before: Option<&Domain>,
        after: &Domain,
    ) -> Result<Vec<Write>, StoreError> {
        let out = crate::stats::domain_moved(before, after);
        crate::stats::ensure_known(self.store.as_ref(), self.ledger.counters(), &out).await?;
        Ok(out)
    }

    /// The day an order's change is counted on: the seller's storefront's
    /// own day, as its pages and its dashboard's periods read it.
    async fn sales_day(&self, o: &Order) -> Result<NaiveDate, StoreError> {
        Ok(match self.catalogs.current(&o.reseller).await? {
            Some(s) => s.today(self.now()),
            None => self.now().date_naive(),
        })
    }

    async fn domain_writes(
        &self,
        o: &Order,
        line: &Line,
        expires: NaiveDate,
        by: &str,
    ) -> Result<Vec<Write>, StoreError> {
        let existing = self.domain(&line.domain).await?;
        let before = existing.as_ref().map(|(d, _)| d.clone());
        let event = self.event(
            by,
            format!(
                "{} for {} year(s), order {}; expires {expires}",
                action_name(line.action),
                line.years,
                o.id
            ),
        );
        let premium_renew = line.premium_renew;
        // Registered before its documents: shown as awaiting them until
        // they are approved (or the name is deleted without them).
        let status = if line.registered_first() {
            DomainStatus::AwaitingDocuments
        } else {
            DomainStatus::Active
        };
        let mut moved_from = None;
        let (d, version, old) = match existing {
            // Renewed or transferred, or registered again (a name that
            // lapsed here and was released by the registry): the same item.
            Some((mut d, v)) => {
                let old = d.expires;
                if (d.reseller.as_str(), d.customer.as_str())
                    != (o.reseller.as_str(), o.customer.as_str())
                {
                    // Someone else's before: it leaves their lists.
                    moved_from = Some((d.reseller.clone(), d.customer.clone()));
                }
                if line.action == Action::Register {
                    d.premium = line.premium;
                    d.premium_renew = line.premium_renew;
                }
                d.expires = expires;
                d.status = status;
                d.reseller = o.reseller.clone();
                d.customer = o.customer.clone();
                if d.renewal_order.as_deref() == Some(o.id.as_str()) || line.action != Action::Renew
                {
                    d.renewal_order = None;
                }
                d.history.push(event);
                (d, Some(v), Some(old))
            }
            _ => (
                Domain {
                    name: line.domain.clone(),
                    display: line.display.clone(),
                    ext: line.ext.clone(),
                    reseller: o.reseller.clone(),
                    customer: o.customer.clone(),
                    status,
                    expires,
                    auto_renew: true,
                    premium: line.premium,
                    premium_renew,
                    renewal_order: None,
                    history: vec![event],
                },
                None,
                None,
            ),
        };
        let mut writes = self.domain_item_writes(&d, version, old)?;
        writes.extend(self.domain_counted(before.as_ref(), &d).await?);
        if let Some((reseller, customer)) = moved_from {
            writes.push(Write::Delete {
                pk: keys::account(&reseller, &customer),
                sk: keys::account_domain(&d.name),
                condition: Condition::None,
            });
            if reseller != d.reseller {
                writes.push(Write::Delete {
                    pk: keys::domains_of(&reseller),
                    sk: d.name.clone(),
                    condition: Condition::None,
                });
            }
        }
        Ok(writes)
    }

    /// A failed renewal frees the domain for the next renewal order.
    async fn clear_renewal(&self, o: &Order, line: &Line) -> Result<Vec<Write>, StoreError> {
        match self.domain(&line.domain).await? {
            Some((mut d, v)) if d.renewal_order.as_deref() == Some(o.id.as_str()) => {
                d.renewal_order = None;
                self.domain_item_writes(&d, Some(v), Some(d.expires))
            }
            _ => Ok(vec![]),
        }
    }

    pub async fn set_auto_renew(
        &self,
        reseller: &str,
        customer: &str,
        name: &str,
        on: bool,
    ) -> Result<Domain, OrderError> {
        let what = if on {
            "auto-renew on"
        } else {
            "auto-renew off"
        };
        let event = self.event(customer, what);
        self.change_domain(name, |d| {
            if (d.reseller.as_str(), d.customer.as_str()) != (reseller, customer) {
                return Err(OrderError::NotFound);
            }
            d.auto_renew = on;
            d.history.push(event.clone());
            Ok(true)
        })
        .await?
        .ok_or(OrderError::NotFound)
    }

    /// Load a domain, let `decide` change it (false: nothing to do), and
    /// write it conditioned on the version read; again when someone else
    /// wrote it first. None when there is no such domain.
    pub(crate) async fn change_domain<F>(
        &self,
        name: &str,
        mut decide: F,
    ) -> Result<Option<Domain>, OrderError>
    where
        F: FnMut(&mut Domain) -> Result<bool, OrderError>,
    {
        for _ in 0..crate::store::MAX_RACES {
            let Some((mut d, v)) = self.domain(name).await? else {
                return Ok(None);
            };
            let before = d.clone();
            if !decide(&mut d)? {
                return Ok(Some(d));
            }
            let mut writes = self.domain_item_writes(&d, Some(v), Some(d.expires))?;
            writes.extend(self.domain_counted(Some(&before), &d).await?);
            match self.store.transact(writes).await {
                Ok(()) => return Ok(Some(d)),
                Err(StoreError::TransactionCancelled { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(OrderError::Store(StoreError::Conflict(
            "the domain kept changing".into(),
        )))
    }

    // ----- refunds and cancellations -----

    /// Refund the captured lines of an order (all, or one): each payer gets
    /// back exactly what its captured leg took, once. A registration is
    /// deleted at the registry first, which credits it only within its add
    /// grace period: after it the refund is refused and nothing moves. A
    /// line on the order's tax invoice gets a corrective invoice.
    pub async fn refund(
        &self,
        order_id: &str,
        line_id: Option<&str>,
        by: &str,
        reason: &str,
    ) -> Result<Order, OrderError> {
        let (o, _) = self.order(order_id).await?.ok_or(OrderError::NotFound)?;
        let targets: Vec<&Line> = o
            .lines
            .iter()
            .filter(|l| l.state() == LineState::Active && line_id.is_none_or(|id| l.id == id))
            .collect();
        if targets.is_empty() {
            // Refunded already (a retry), or nothing to refund.
            let event = OrderEvent::Refund {
                line: line_id.map(str::to_string),
                reason: reason.to_string(),
            };
            return self.step(order_id, by, event, nothing()).await;
        }
        let mut out = None;
        for line in targets {
            let event = OrderEvent::Refund {
                line: Some(line.id.clone()),
                reason: reason.to_string(),
            };
            let refunded = if line.action == Action::Register {
                self.delete_at_registry(line).await?;
                let gone = self.deleted_domain(line, by, reason);
                self.step(order_id, by, event, gone).await
            } else {
                self.step(order_id, by, event, nothing()).await
            };
            out = Some(refunded?);
        }
        self.correct(order_id).await;
        Ok(match out {
            Some(o) => self.order(order_id).await?.map_or(o, |(o, _)| o),
            None => o,
        })
    }

    /// Issue the corrective invoice an order's refunds call for; if that
    /// fails now the order stays queued and the scheduler issues it.
    async fn correct(&self, order_id: &str) {
        if let Err(e) = self.issue_correction(order_id).await {
            tracing::warn!(order = order_id, error = %e, "corrective invoice deferred");
        }
    }

    /// Cancel an order nobody paid: the customer changing their mind, or
    /// (`lapsed`) a bank transfer past its due date. Its code's use comes
    /// back, and a renewal order frees its domain for the next one.
    pub async fn cancel_unpaid(
        &self,
        order_id: &str,
        by: &str,
        lapsed: bool,
    ) -> Result<Order, OrderError> {
        let event = OrderEvent::Cancel { lapsed };
        let free = writes(|o| {
            Box::pin(async move {
                let mut out = Vec::new();
                if o.renewal {
                    for l in &o.lines {
                        out.extend(self.clear_renewal(&o, l).await?);
                    }
                }
                Ok(out)
            })
        });
        self.step(order_id, by, event, free).await
    }

    // ----- lists -----

    /// A customer's orders, newest first, a page from the cursor `before`.
    pub async fn orders_of(
        &self,
        reseller: &str,
        customer: &str,
        before: Option<&str>,
        per: usize,
    ) -> Result<Page<serde_json::Value>, StoreError> {
        let page = paging::newest_first(
            self.store.as_ref(),
            &keys::account(reseller, customer),
            keys::ACCOUNT_ORDERS,
            before,
            per,
        )
        .await?;
        Ok(page.map(|i| i.data))
    }

    /// A storefront's orders, newest first, a page from the cursor `before`.
    pub async fn orders_of_reseller(
        &self,
        reseller: &str,
        before: Option<&str>,
        per: usize,
    ) -> Result<Page<serde_json::Value>, StoreError> {
        let page = paging::newest_first(
            self.store.as_ref(),
            &keys::orders_of(reseller),
            "",
            before,
            per,
        )
        .await?;
        Ok(page.map(|i| i.data))
    }

    pub async fn domains_of(
        &self,
        reseller: &str,
        customer: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let items = self
            .store
            .query(
                &keys::account(reseller, customer),
                Query {
                    sk_prefix: keys::ACCOUNT_DOMAINS,
                    ..Default::default()
                },
            )
            .await?;
        Ok(items.into_iter().map(|i| i.data).collect())
    }

    pub async fn domains_of_reseller(
        &self,
        reseller: &str,
    ) -> Result<Vec<serde_json::Value>, StoreError> {
        let items = self
            .store
            .query(&keys::domains_of(reseller), Query::default())
            .await?;
        Ok(items.into_iter().map(|i| i.data).collect())
    }

    /// Unpaid orders due on `day`.
    pub async fn due_on(&self, day: NaiveDate) -> Result<Vec<String>, StoreError> {
        let items = self.store.query(&keys::due(day), Query::default()).await?;
        Ok(items.into_iter().map(|i| i.sk).collect())
    }

    /// Orders with lines waiting on the registry.
    pub async fn waiting(&self) -> Result<Vec<String>, StoreError> {
        let items = self
            .store
            .query(keys::PROVISIONING, Query::default())
            .await?;
        Ok(items.into_iter().map(|i| i.sk).collect())
    }
}

/// An order's entry in a by-date list (`pk`), there while `waiting`.
fn listed_while(waiting: bool, pk: String, order: &str) -> Write {
    if waiting {
        Write::Put {
            item: Item::new(pk, order, json!({"order": order})),
            condition: Condition::None,
        }
    } else {
        Write::Delete {
            pk,
            sk: order.to_string(),
            condition: Condition::None,
        }
    }
}

/// What deciding an event did to an order: its outcome (and movements) and
/// the ledger entries' reason.
pub(crate) struct Change {
    pub outcome: Outcome,
    pub reason: String,
}

/// The writes that go with an order's change, read from the store as the
/// changed order needs them (the domain it makes, the renewal it frees).
pub(crate) type Writes<'w> =
    std::pin::Pin<Box<dyn Future<Output = Result<Vec<Write>, OrderError>> + Send + 'w>>;

/// Gives a closure that finds such writes its type, which a closure
/// returning a boxed future cannot infer by itself.
fn writes<'w, F: Fn(Order) -> Writes<'w>>(f: F) -> F {
    f
}

/// No writes beyond the order and its money.
fn nothing<'w>() -> impl Fn(Order) -> Writes<'w> {
    writes(|_| Box::pin(async { Ok(Vec::new()) }))
}

/// Why the entries of an event's movements were made, for people reading a
/// wallet's ledger.
fn ledger_reason(o: &Order, event: &OrderEvent) -> String {
    match event {
        OrderEvent::Refund { reason, .. } => format!("refund of order {}: {reason}", o.id),
        OrderEvent::Line { line, .. } => {
            let display = o
                .lines
                .iter()
                .find(|l| &l.id == line)
                .map(|l| l.display.as_str());
            format!("order {} {}", o.id, display.unwrap_or_default())
        }
        OrderEvent::Pay { .. } | OrderEvent::Cancel { .. } => format!("order {}", o.id),
    }
}

/// Whether a step is finished or lost a race and should be read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Done,
    Again,
}

/// Messages for the order errors a customer sees, in their language.
pub fn message(e: &OrderError, lang: Locale) -> String {
    use Locale::*;
    match (e, lang) {
        (OrderError::Line { error, .. }, _) => error.message(lang),
        (OrderError::Unavailable { domain, .. }, Id) => format!("{domain} sudah tidak tersedia."),
        (OrderError::Unavailable { domain, .. }, Pl) => format!("Domena {domain} nie jest już dostępna."),
        (OrderError::Unavailable { domain, .. }, _) => format!("{domain} is no longer available."),
        (OrderError::RegistryUnknown { .. }, Id) => "Registri belum menjawab. Coba lagi sebentar lagi.".into(),
        (OrderError::RegistryUnknown { .. }, Pl) => "Rejestr nie odpowiedział. Spróbuj ponownie za chwilę.".into(),
        (OrderError::RegistryUnknown { .. }, _) => "The registry did not answer. Please try again shortly.".into(),
        (OrderError::NotYours { domain, .. }, Id) => format!("{domain} tidak ada di akun Anda."),
        (OrderError::NotYours { domain, .. }, Pl) => format!("Domeny {domain} nie ma na Twoim koncie."),
        (OrderError::NotYours { domain, .. }, _) => format!("{domain} is not in your account."),
        (OrderError::AuthCodeMissing { .. }, Id) => "Masukkan kode otorisasi (EPP) untuk transfer.".into(),
        (OrderError::AuthCodeMissing { .. }, Pl) => "Podaj kod autoryzacyjny (AuthInfo) do transferu.".into(),
        (OrderError::AuthCodeMissing { .. }, _) => "Enter the authorisation (EPP) code for the transfer.".into(),
        (OrderError::LineCount { max }, Id) => format!("Satu pesanan berisi 1 sampai {max} item."),
        (OrderError::LineCount { max }, Pl) => format!("Zamówienie może mieć od 1 do {max} pozycji."),
        (OrderError::LineCount { max }, _) => format!("An order has 1 to {max} items."),
        (OrderError::Duplicate { .. }, Id) => "Domain yang sama muncul dua kali.".into(),
        (OrderError::Duplicate { .. }, Pl) => "Ta sama domena występuje dwa razy.".into(),
        (OrderError::Duplicate { .. }, _) => "The same domain appears twice.".into(),
        (OrderError::QuoteExpired, Id) => "Penawaran harga sudah kedaluwarsa. Silakan periksa harga lagi.".into(),
        (OrderError::QuoteExpired, Pl) => "Wycena wygasła. Sprawdź ceny ponownie.".into(),
        (OrderError::QuoteExpired, _) => "This quote has expired. Please check the prices again.".into(),
        (OrderError::PriceChanged(_), Id) => "Harga berubah. Periksa harga baru dan konfirmasi.".into(),
        (OrderError::PriceChanged(_), Pl) => "Ceny się zmieniły. Sprawdź nowe ceny i potwierdź.".into(),
        (OrderError::PriceChanged(_), _) => "Prices have changed. Please check the new prices and confirm.".into(),
        (OrderError::InsufficientBalance, Id) => "Saldo dompet Anda tidak cukup. Silakan isi saldo.".into(),
        (OrderError::InsufficientBalance, Pl) => "Za mało środków w portfelu. Doładuj portfel.".into(),
        (OrderError::InsufficientBalance, _) => "Your wallet balance is not enough. Please top up.".into(),
        (OrderError::SellerShort { .. }, Id) => "Pesanan ini belum dapat diproses. Penjual sudah diberi tahu; coba lagi nanti.".into(),
        (OrderError::SellerShort { .. }, Pl) => "Nie możemy teraz przyjąć tego zamówienia. Sprzedawca został powiadomiony; spróbuj później.".into(),
        (OrderError::SellerShort { .. }, _) => "We cannot take this order right now. The shop has been notified; please try again later.".into(),
        (OrderError::NotTakingOrders, Id) => "Toko ini sedang tidak menerima pesanan baru.".into(),
        (OrderError::NotTakingOrders, Pl) => "Ten sklep nie przyjmuje obecnie nowych zamówień.".into(),
        (OrderError::NotTakingOrders, _) => "This shop is not taking new orders at the moment.".into(),
        (OrderError::KeyReused, _) => "This Idempotency-Key was already used for a different request.".into(),
        (OrderError::CodeUsedUp(code), Id) => format!("Kode diskon {code} sudah habis terpakai."),
        (OrderError::CodeUsedUp(code), Pl) => format!("Kod rabatowy {code} został już wykorzystany."),
        (OrderError::CodeUsedUp(code), _) => format!("The discount code {code} has been used up."),
        (OrderError::NotFound, _) => "No such order.".into(),
        (OrderError::WrongState, Id) => "Pesanan ini tidak dapat diubah lagi.".into(),
        (OrderError::WrongState, Pl) => "Tego zamówienia nie można już zmienić.".into(),
        (OrderError::WrongState, _) => "This order can no longer be changed that way.".into(),
        (OrderError::NotDeleted { domain, reason }, Id) => format!("{domain} tidak dapat dikembalikan dananya: registri tidak menghapusnya ({reason})."),
        (OrderError::NotDeleted { domain, reason }, Pl) => format!("Nie można zwrócić pieniędzy za {domain}: rejestr nie usuwa tej domeny ({reason})."),
        (OrderError::NotDeleted { domain, reason }, _) => format!("{domain} cannot be refunded: the registry will not delete it ({reason})."),
        (OrderError::DeletionUnknown { domain }, Id) => format!("Registri belum menjawab penghapusan {domain}; tidak ada dana yang dikembalikan. Coba lagi sebentar lagi."),
        (OrderError::DeletionUnknown { domain }, Pl) => format!("Rejestr nie odpowiedział na usunięcie {domain}; nic nie zwrócono. Spróbuj ponownie za chwilę."),
        (OrderError::DeletionUnknown { domain }, _) => format!("The registry did not answer the deletion of {domain}; nothing was refunded. Please try again shortly."),
        (OrderError::Store(_), _) => "The service is busy. Please try again shortly.".into(),
    }
}
