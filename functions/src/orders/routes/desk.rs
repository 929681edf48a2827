//! The reseller's money desk: what its owner and admins do with money and
//! orders (top-ups from below, its own wallet with its parent, orders to
//! mark paid or refund, domains, credit limits, invoices received). One
//! home for each of these rules, used by the JSON panel (`/api/panel/*`)
//! and the back office's server-rendered pages alike.
//!
//! Everything is scoped to `reseller`: another storefront's top-up, order
//! or wallet is "not found". Answers are the same views the JSON API
//! gives (money already formatted for `lang`); failures are
//! `AccountsError`s whose message is in `lang` and whose field names the
//! form field to fix.

use super::*;
use crate::audit::{Actor, Entry};
use crate::paging::Page;
use storefront_core::documents::Level;
use storefront_core::snapshot::Snapshot;

/// One staff member at the desk of one storefront.
pub struct Desk<'a> {
    pub shop: &'a ShopState,
    /// The storefront, whose money this is.
    pub reseller: &'a str,
    /// Who acts: the staff member's account id (ledger entries and order
    /// history name it).
    pub by: &'a str,
    pub lang: Locale,
    /// The storefront as published: its currency, its parent and the
    /// parent's bank accounts.
    pub snapshot: &'a Snapshot,
    /// Who acts, as the audit log names them.
    pub actor: Actor,
    /// At the platform's console (its own storefront's staff): the money
    /// is the platform's, top-ups are those its top-level resellers ask
    /// of it. Otherwise the storefront's own.
    pub console: bool,
}

/// How deciding a top-up ended.
pub enum Decided {
    /// Decided now: the wallet is credited (approved) or not; the
    /// requester was told.
    Now(Value),
    /// Someone decided it first (the view shows how).
    Already(Value),
}

/// A reason the other side reads (a rejection, a refund): one line or a
/// few, at most 500 characters.
pub fn reason(text: &str, lang: Locale) -> Result<String, AccountsError> {
    let reason = text.trim();
    if reason.is_empty()
        || reason.chars().count() > 500
        || reason
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        let m = match lang {
            Locale::Id => "Tuliskan alasannya (maks. 500 karakter): pelanggan akan membacanya.",
            Locale::Pl => "Podaj powód (do 500 znaków): klient go przeczyta.",
            Locale::En => "Say why (up to 500 characters): the customer will read it.",
        };
        return Err(said(
            StatusCode::BAD_REQUEST,
            "required",
            m.into(),
            Some("reason".into()),
        ));
    }
    Ok(reason.replace("\r\n", "\n"))
}

impl Desk<'_> {
    fn me(&self) -> Party {
        if self.console {
            Party::Platform
        } else {
            Party::reseller(self.reseller)
        }
    }

    fn ledger(&self) -> &crate::ledger::Ledger {
        &self.shop.orders.ledger
    }

    /// Top-ups asked of this storefront by its customers and
    /// sub-resellers: pending ones, or all; newest first, a page from the
    /// cursor `before`.
    pub async fn topups(
        &self,
        pending: bool,
        before: Option<&str>,
        per: usize,
    ) -> Result<Page<Value>, AccountsError> {
        let page = self
            .ledger()
            .topups_for_parent(&self.me(), pending, before, per)
            .await?;
        let mut views: Vec<Value> = page
            .items
            .iter()
            .map(|t| topup_view(t, self.lang))
            .collect();
        for v in views.iter_mut() {
            if v["holder"]["kind"] == "customer" {
                v["customer"] = v["holder"]["account"].clone();
            }
        }
        self.with_cards(&mut views).await?;
        Ok(Page {
            items: views,
            next: page.next,
        })
    }

    /// Append what was just done to the audit log (right after it: these
    /// actions are transactions of the ledger's or the orders' own). A
    /// failure to write is logged; the action stands.
    pub async fn audit(
        &self,
        action: &str,
        subject: &str,
        before: Value,
        after: Value,
        ledger: Vec<String>,
    ) {
        let entry = Entry::new(
            &self.actor,
            self.shop.orders.clock.now(),
            action,
            subject,
            before,
            after,
        )
        .with_ledger(ledger);
        if let Err(e) =
            crate::audit::record(self.shop.accounts.store.as_ref(), self.reseller, &entry).await
        {
            tracing::error!(error = %e, action, subject, "audit entry not written");
        }
    }

    /// Approve (the wallet is credited exactly once) or reject with a
    /// reason; the requester is mailed either way.
    pub async fn decide(
        &self,
        id: &str,
        approve: bool,
        reason: Option<String>,
    ) -> Result<Decided, AccountsError> {
        match self
            .ledger()
            .decide_topup(&self.me(), id, approve, reason, self.by)
            .await
        {
            Ok(t) => {
                let verb = if approve { "approve" } else { "reject" };
                let ledger = if approve {
                    vec![format!("topup:{}", t.id)]
                } else {
                    Vec::new()
                };
                self.audit(
                    &format!("topup.{verb}"),
                    &format!("topup:{}", t.id),
                    json!({"state": "pending"}),
                    json!({"state": t.state, "reason": t.reason}),
                    ledger,
                )
                .await;
                self.shop.orders.notify_topup(&t).await;
                Ok(Decided::Now(topup_view(&t, self.lang)))
            }
            Err(TopUpError::NotFound) => Err(ApiError::NotFound.into()),
            Err(TopUpError::AlreadyDecided(t)) => Ok(Decided::Already(topup_view(&t, self.lang))),
            Err(TopUpError::Store(e)) => Err(AccountsError::from(e)),
        }
    }

    /// A top-up's proof file, as sent: bytes and content type.
    pub async fn proof(&self, id: &str) -> Result<(Vec<u8>, String), AccountsError> {
        let Some((t, _)) = self.ledger().topup(id).await? else {
            return Err(ApiError::NotFound.into());
        };
        if t.parent != self.me() {
            return Err(ApiError::NotFound.into());
        }
        let Some(proof) = t.proof else {
            return Err(ApiError::NotFound.into());
        };
        match self.shop.blobs.get(&proof.key).await? {
            Some(found) => Ok(found),
            None => Err(ApiError::NotFound.into()),
        }
    }

    /// The storefront's own wallet with its parent: balance, the parent and
    /// its bank accounts, the latest 50 entries.
    pub async fn wallet(&self) -> Result<Value, AccountsError> {
        let s = self.snapshot;
        let lang = self.lang;
        let me = self.me();
        let w = self.ledger().wallet(&me).await?;
        let entries = self.ledger().entries(&me, None, 50).await?;
        let mut v = wallet_view(w, s.currency, lang);
        v["parent"] = json!({"id": s.parent.id, "name": s.parent.seller.legal_name, "bank_accounts": s.parent.bank_accounts});
        v["entries"] = json!(entries.iter().map(|e| json!({
            "id": e.id, "kind": e.kind, "at": e.at, "reason": e.reason, "reference": e.reference, "leg": e.leg,
            "amount": money(e.amount, s, lang),
        })).collect::<Vec<_>>());
        Ok(v)
    }

    /// The storefront's own top-up requests to its parent, newest first,
    /// a page from the cursor `before`.
    pub async fn my_topups(
        &self,
        before: Option<&str>,
        per: usize,
    ) -> Result<Page<Value>, AccountsError> {
        let page = self.ledger().topups_of(&self.me(), before, per).await?;
        Ok(page.map(|t| topup_view(&t, self.lang)))
    }

    /// Ask the parent (a reseller, or the platform) to credit a transfer
    /// into one of its bank accounts; the amount as typed.
    pub async fn ask_for_topup(
        &self,
        amount: &str,
        bank_account: &str,
        transfer_reference: &str,
    ) -> Result<Value, AccountsError> {
        let s = self.snapshot;
        let parent = match &s.parent.id {
            Some(p) => Party::reseller(p),
            None => Party::Platform,
        };
        let typed = (amount, bank_account, transfer_reference);
        let (amount, bank_account, transfer_reference) =
            topup_fields(typed, &s.parent.bank_accounts, s.currency, self.lang)?;
        let t = self
            .ledger()
            .request_topup(TopUpRequest {
                holder: self.me(),
                parent,
                currency: s.currency,
                amount,
                bank_account,
                transfer_reference,
                by: self.by.to_string(),
            })
            .await?;
        self.audit(
            "topup.request",
            &format!("topup:{}", t.id),
            json!(null),
            json!({"state": t.state, "amount": t.amount.to_string(), "currency": t.currency, "bank_account": t.bank_account, "transfer_reference": t.transfer_reference}),
            Vec::new(),
        )
        .await;
        Ok(topup_view(&t, self.lang))
    }

    /// The storefront's orders, newest first, a page from the cursor
    /// `before`, each with who its customer is and its gross formatted.
    pub async fn orders(
        &self,
        before: Option<&str>,
        per: usize,
    ) -> Result<Page<Value>, AccountsError> {
        let mut page = self
            .shop
            .orders
            .orders_of_reseller(self.reseller, before, per)
            .await?;
        self.with_cards(&mut page.items).await?;
        Ok(Page {
            items: displayed(page.items, self.lang),
            next: page.next,
        })
    }

    async fn load(&self, id: &str) -> Result<Order, AccountsError> {
        match self.shop.orders.order(id).await? {
            Some((o, _)) if o.reseller == self.reseller => Ok(o),
            _ => Err(ApiError::NotFound.into()),
        }
    }

    /// One order with what each level pays.
    pub async fn order(&self, id: &str) -> Result<Value, AccountsError> {
        let o = self.load(id).await?;
        Ok(panel_order_view(&o, self.lang))
    }

    /// The customer's bank transfer arrived: hold every level's price and
    /// provision.
    pub async fn mark_paid(&self, id: &str) -> Result<Value, AccountsError> {
        let o = self.load(id).await?;
        if o.payment != Payment::BankTransfer {
            return Err(order_failure(OrderError::WrongState, self.lang));
        }
        match self.shop.orders.pay(id, self.by, true).await {
            Ok(paid) => {
                self.audit(
                    "order.mark_paid",
                    &format!("order:{id}"),
                    json!({"state": o.state(), "payment": o.payment}),
                    json!({"state": paid.state()}),
                    vec![format!("order:{id}")],
                )
                .await;
                match self.shop.orders.provision(id, "registrar").await {
                    Ok(o) => Ok(panel_order_view(&o, self.lang)),
                    Err(e) => Err(order_failure(e, self.lang)),
                }
            }
            Err(OrderError::SellerShort { .. }) => {
                let m = match self.lang {
                    Locale::Id => {
                        "Saldo dompet Anda tidak cukup untuk harga grosir pesanan ini. Isi saldo dompet, lalu tandai lunas lagi."
                    }
                    Locale::Pl => {
                        "Saldo Twojego portfela nie pokrywa ceny hurtowej tego zamówienia. Doładuj portfel i oznacz je jako opłacone ponownie."
                    }
                    Locale::En => {
                        "Your wallet does not cover this order's wholesale price. Top up your wallet, then mark it paid again."
                    }
                };
                Err(said(
                    StatusCode::PAYMENT_REQUIRED,
                    "insufficient_balance",
                    m.into(),
                    None,
                ))
            }
            Err(e) => Err(order_failure(e, self.lang)),
        }
    }

    /// Refund the captured lines (all, or `line`): every level gets back
    /// exactly what it paid, once.
    pub async fn refund(
        &self,
        id: &str,
        line: Option<&str>,
        why: &str,
    ) -> Result<Value, AccountsError> {
        let before = self.load(id).await?;
        let why = reason(why, self.lang)?;
        match self.shop.orders.refund(id, line, self.by, &why).await {
            Ok(o) => {
                let lines = |o: &Order| -> Value {
                    o.lines
                        .iter()
                        .filter(|l| line.is_none_or(|x| x == l.id))
                        .map(|l| json!({"line": l.id, "state": l.state()}))
                        .collect()
                };
                self.audit(
                    "order.refund",
                    &format!("order:{id}"),
                    json!({"state": before.state(), "lines": lines(&before)}),
                    json!({"state": o.state(), "lines": lines(&o), "reason": why}),
                    vec![format!("order:{id}")],
                )
                .await;
                Ok(panel_order_view(&o, self.lang))
            }
            Err(e) => Err(order_failure(e, self.lang)),
        }
    }

    /// The storefront's customers' domains in the four lists (see
    /// `orders::domain_list`) on the storefront's day, each with who its
    /// customer is.
    pub async fn domain_list(
        &self,
        status: Option<crate::orders::model::DomainStatus>,
    ) -> Result<crate::orders::domain_list::DomainList, AccountsError> {
        let today = self.snapshot.today(self.shop.orders.clock.now());
        let mut list = crate::orders::domain_list::of_reseller(
            &self.shop.orders,
            self.reseller,
            today,
            status,
        )
        .await?;
        self.with_cards(&mut list.domains).await?;
        Ok(list)
    }

    /// `customer_card` beside each item's `customer` (an account id), each
    /// customer read once.
    async fn with_cards(&self, list: &mut [Value]) -> Result<(), AccountsError> {
        let mut cards: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
        for item in list.iter_mut() {
            let Some(account) = item["customer"].as_str().map(str::to_string) else {
                continue;
            };
            if !cards.contains_key(&account) {
                let card = customer_card(self.shop, self.reseller, &account).await?;
                cards.insert(account.clone(), card);
            }
            item["customer_card"] = cards[&account].clone();
        }
        Ok(())
    }

    /// The storefront's customers (every account, with a wallet or not)
    /// whose name or email (`by`) starts with `typed`, by name or email,
    /// `per` a page after the cursor `after`: each with who it is, its
    /// wallet, newsletter consent and whether it is suspended; and the
    /// cursor of the next page. A cursor of another list is a field error.
    pub async fn customers(
        &self,
        by: crate::accounts::customers::By,
        typed: &str,
        after: Option<&str>,
        per: usize,
    ) -> Result<(Vec<Value>, Option<String>), AccountsError> {
        use crate::accounts::customers::{self, CustomerError};
        let store = self.shop.accounts.store.as_ref();
        let page = match customers::list(store, self.reseller, by, typed, after, per).await {
            Ok(p) => p,
            Err(CustomerError::Store(e)) => return Err(e.into()),
            Err(_) => {
                let m = match self.lang {
                    Locale::Id => {
                        "Tautan halaman ini sudah tidak berlaku: mulai lagi dari halaman pertama."
                    }
                    Locale::Pl => {
                        "Ten link do strony jest już nieważny: zacznij od pierwszej strony."
                    }
                    Locale::En => {
                        "This page link is no longer valid: start again from the first page."
                    }
                };
                return Err(said(
                    StatusCode::BAD_REQUEST,
                    "invalid_cursor",
                    m.into(),
                    Some("after".into()),
                ));
            }
        };
        let currency = self.snapshot.currency;
        let mut out = Vec::with_capacity(page.customers.len());
        for p in page.customers {
            let holder = Party::customer(self.reseller, &p.id);
            let w = self.ledger().wallet(&holder).await?;
            let mut v = wallet_view(w, currency, self.lang);
            v["customer"] = customer_card(self.shop, self.reseller, &p.id).await?;
            v["holder"] = json!(holder);
            v["newsletter"] = json!(p.newsletter);
            v["suspended"] = json!(p.suspended);
            v["verified"] = json!(p.verified);
            v["price_group"] = json!(p.group());
            out.push(v);
        }
        Ok((out, page.next))
    }

    /// One customer of this storefront as its page shows it: the profile
    /// and postal address, its orders and domains, its wallet and its
    /// invoices (orders and invoices newest first, a page each, before the
    /// cursors given, with the cursors of the next pages). Another
    /// storefront's account, or staff, is not found.
    pub async fn customer_file(
        &self,
        account: &str,
        orders_before: Option<&str>,
        invoices_before: Option<&str>,
    ) -> Result<Value, AccountsError> {
        let store = self.shop.accounts.store.as_ref();
        let p = match crate::accounts::customers::load(store, self.reseller, account).await {
            Ok((_, p)) => p,
            Err(crate::accounts::customers::CustomerError::Store(e)) => return Err(e.into()),
            Err(_) => return Err(ApiError::NotFound.into()),
        };
        let holder = Party::customer(self.reseller, account);
        let orders = self
            .shop
            .orders
            .orders_of(
                self.reseller,
                account,
                orders_before,
                crate::paging::PER_PAGE,
            )
            .await?;
        let domains = self.shop.orders.domains_of(self.reseller, account).await?;
        let wallet = self.ledger().wallet(&holder).await?;
        let invoices = crate::invoices::of(
            self.shop.orders.store.as_ref(),
            &holder,
            invoices_before,
            crate::paging::PER_PAGE,
        )
        .await?;
        let address = crate::accounts::address::load(store, self.reseller, account).await?;
        Ok(json!({
            "profile": {
                "id": p.id, "name": p.name, "email": p.email, "kind": p.kind,
                "company": p.company, "verified": p.verified, "language": p.language.code(),
                "price_group": p.group(), "newsletter": p.newsletter,
                "suspended": p.suspended, "created_at": p.created_at,
            },
            "address": address,
            "orders": displayed(orders.items, self.lang),
            "orders_next": orders.next,
            "domains": domains,
            "wallet": wallet_view(wallet, self.snapshot.currency, self.lang),
            "invoices": displayed(invoices.items, self.lang),
            "invoices_next": invoices.next,
        }))
    }

    /// Set the credit limit of a wallet held with this storefront, the
    /// amount as typed.
    pub async fn set_credit_limit(
        &self,
        holder: Party,
        typed: &str,
    ) -> Result<Value, AccountsError> {
        let currency = self.snapshot.currency;
        let m = |en: &str, id: &str, pl: &str| {
            match self.lang {
                Locale::Id => id,
                Locale::Pl => pl,
                Locale::En => en,
            }
            .to_string()
        };
        let limit: Decimal = storefront_core::money::parse_typed(typed, currency)
            .filter(|d: &Decimal| {
                !d.is_sign_negative() && d.normalize().scale() <= currency.minor_units()
            })
            .ok_or_else(|| {
                said(
                    StatusCode::BAD_REQUEST,
                    "invalid_value",
                    m(
                        "Enter a credit limit of zero or more.",
                        "Masukkan batas kredit nol atau lebih.",
                        "Podaj limit kredytu równy zero lub większy.",
                    ),
                    Some("limit".into()),
                )
            })?;
        // Only wallets held with this storefront. A customer of it who
        // never paid has none yet: it is opened, so that a limit can be
        // given before the first order.
        let w = match self.ledger().wallet(&holder).await? {
            Some(w) => w,
            None => match &holder {
                Party::Customer { reseller, account }
                    if reseller == self.reseller
                        && crate::accounts::customers::load(
                            self.shop.accounts.store.as_ref(),
                            self.reseller,
                            account,
                        )
                        .await
                        .is_ok() =>
                {
                    self.ledger().open(&holder, &self.me(), currency).await?
                }
                _ => return Err(ApiError::NotFound.into()),
            },
        };
        if w.parent != self.me() {
            return Err(ApiError::NotFound.into());
        }
        let before = w.balance.credit_limit;
        match self.ledger().set_credit_limit(&holder, limit).await {
            Ok(w) => {
                self.audit(
                    "wallet.credit_limit",
                    &holder.key(),
                    json!({"credit_limit": before.to_string()}),
                    json!({"credit_limit": w.balance.credit_limit.to_string()}),
                    Vec::new(),
                )
                .await;
                Ok(wallet_view(Some(w), currency, self.lang))
            }
            Err(CommitError::Short(_)) => Err(said(
                StatusCode::CONFLICT,
                "limit_in_use",
                m(
                    "More than that is already spent against the limit.",
                    "Yang sudah terpakai dari batas kredit lebih dari itu.",
                    "Z limitu wykorzystano już więcej niż ta kwota.",
                ),
                Some("limit".into()),
            )),
            Err(e) => Err(AccountsError::unavailable(e)),
        }
    }

    /// Invoices the storefront's parent issued it.
    pub async fn invoices(
        &self,
        before: Option<&str>,
        per: usize,
    ) -> Result<Page<Value>, AccountsError> {
        let page =
            crate::invoices::of(self.shop.orders.store.as_ref(), &self.me(), before, per).await?;
        Ok(Page {
            items: displayed(page.items, self.lang),
            next: page.next,
        })
    }

    /// Invoices this storefront issued (to its customers and
    /// sub-resellers), in the order issued, `per` a page from the cursor `after`;
    /// with the cursor of the next page.
    pub async fn issued_invoices(
        &self,
        after: Option<&str>,
        per: usize,
    ) -> Result<(Vec<Value>, Option<String>), AccountsError> {
        let (list, next) = crate::invoices::issued(
            self.shop.orders.store.as_ref(),
            &self.me(),
            after,
            per.clamp(1, 200),
        )
        .await?;
        Ok((displayed(list, self.lang), next))
    }

    /// One invoice this storefront issued; another's is not found.
    pub async fn issued_invoice(
        &self,
        number: &str,
    ) -> Result<crate::invoices::Stored, AccountsError> {
        crate::invoices::load(self.shop.orders.store.as_ref(), &self.me(), number)
            .await?
            .ok_or_else(|| ApiError::NotFound.into())
    }

    /// Mail an invoice it issued to its buyer again (a Polish storefront's
    /// as a duplicate). Not found when the buyer has no address.
    pub async fn send_invoice_again(&self, number: &str) -> Result<(), AccountsError> {
        let stored = self.issued_invoice(number).await?;
        match self.shop.orders.send_invoice(&stored, true).await? {
            true => {
                // A mail on the storefront's behalf: who sent which again.
                self.audit(
                    "invoice.send",
                    &format!("invoice:{number}"),
                    Value::Null,
                    json!({"sent": "again"}),
                    Vec::new(),
                )
                .await;
                Ok(())
            }
            false => Err(ApiError::NotFound.into()),
        }
    }

    /// Lines of this storefront's orders whose documents wait for its
    /// review, oldest first.
    pub async fn documents_waiting(&self) -> Result<Vec<Value>, AccountsError> {
        let list = self.shop.documents().waiting(self.reseller).await?;
        Ok(list
            .into_iter()
            .map(|(order, line, domain, waiting)| {
                json!({"order": order, "line": line, "domain": domain, "waiting": waiting})
            })
            .collect())
    }

    async fn documents_of(
        &self,
        order: &str,
        line: &str,
    ) -> Result<(Order, crate::documents::Record), AccountsError> {
        let o = self.load(order).await?;
        let l = lines_with_documents(&o, self.snapshot)
            .into_iter()
            .find(|l| l.id == line)
            .ok_or(ApiError::NotFound)?;
        let r = self
            .shop
            .documents()
            .open(self.snapshot, &subject(&o, l))
            .await
            .map_err(|e| doc_failure(e, self.snapshot, self.lang))?;
        // Documents only the platform reviews are not the storefront's to
        // read: to its staff they do not exist.
        if !r.reviewers.includes(Level::Reseller) {
            return Err(ApiError::NotFound.into());
        }
        Ok((o, r))
    }

    /// One line's documents for review: the set as the customer sees it,
    /// with every version's review history and who the customer is.
    pub async fn documents(&self, order: &str, line: &str) -> Result<Value, AccountsError> {
        let (o, r) = self.documents_of(order, line).await?;
        let mut v = set_view(&r, self.snapshot, self.lang);
        v["customer_card"] = customer_card(self.shop, self.reseller, &o.customer).await?;
        v["line_state"] = json!(o.lines.iter().find(|l| l.id == line).map(|l| l.state()));
        v["history"] = json!(
            r.set
                .items
                .iter()
                .flat_map(|(id, rec)| rec.versions.iter().map(move |ver| json!({
                    "item": id, "version": ver.n, "at": ver.at, "by": ver.by,
                    "review": ver.review, "reused": ver.reused,
                })))
                .collect::<Vec<_>>()
        );
        Ok(v)
    }

    /// Approve or reject (with a reason the customer reads) version
    /// `version` of one item; when every item is approved, the line goes to
    /// the registry.
    pub async fn review_document(
        &self,
        order: &str,
        line: &str,
        item: &str,
        version: u32,
        approve: bool,
        why: &str,
    ) -> Result<Value, AccountsError> {
        let (_, _) = self.documents_of(order, line).await?;
        let why = if approve {
            None
        } else {
            Some(reason(why, self.lang)?)
        };
        let logged_reason = why.clone();
        let at = self.shop.orders.clock.now().to_rfc3339();
        let decision = storefront_core::documents::Decision {
            approve,
            reason: why,
            at: &at,
            by: self.by,
        };
        let r = self
            .shop
            .documents()
            .review(order, line, item, version, decision, Level::Reseller)
            .await
            .map_err(|e| doc_failure(e, self.snapshot, self.lang))?;
        self.audit(
            if approve {
                "document.approve"
            } else {
                "document.reject"
            },
            &format!("order:{order}/{line}/{item}"),
            json!({"version": version, "state": "submitted"}),
            json!({"version": version, "state": if approve { "approved" } else { "rejected" }, "reason": logged_reason}),
            Vec::new(),
        )
        .await;
        self.shop
            .orders
            .document_reviewed(self.snapshot, &r, item, self.by)
            .await
            .map_err(|e| order_failure(e, self.lang))?;
        self.documents(order, line).await
    }
}
