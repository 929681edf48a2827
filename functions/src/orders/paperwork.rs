//! What orders send and issue: proformas, tax invoices, the monthly invoice
//! each parent issues its resellers, and notification mails.

use super::engine::Orders;
use super::letters;
use super::model::action_name;
use super::model::{LineState, Order};
use crate::accounts::Mail;
use crate::accounts::records;
use crate::invoices::{self, Stored};
use crate::ledger::topups::{TopUp, TopUpState};
use crate::store::{Condition, Item, StoreError};
use rust_decimal::Decimal;
use serde_json::json;
use storefront_core::Locale;
use storefront_core::ledger::{EntryKind, Party};
use storefront_core::money::TaxDisplay;
use storefront_core::snapshot::{Seller, Snapshot};
use storefront_invoice::{BankAccount, Invoice, Kind, Line, Party as InvParty, PaymentInfo};

fn seller_party(s: &Seller) -> InvParty {
    InvParty {
        name: s.legal_name.clone(),
        company: None,
        tax_id: s.tax_id.clone(),
        address: s.address.clone(),
        email: Some(s.email.clone()),
    }
}

fn accounts(list: &[storefront_core::snapshot::BankAccount]) -> Vec<BankAccount> {
    list.iter()
        .map(|a| BankAccount {
            bank: a.bank.clone(),
            holder: a.holder.clone(),
            number: a.number.clone(),
        })
        .collect()
}

impl Orders {
    async fn buyer(&self, o: &Order) -> Result<(InvParty, Locale, Option<String>), StoreError> {
        let profile = records::load(self.store.as_ref(), &o.reseller, &o.customer)
            .await?
            .map(|(_, p)| p);
        let address =
            crate::accounts::address::load(self.store.as_ref(), &o.reseller, &o.customer).await?;
        Ok(match profile {
            Some(p) => (
                InvParty {
                    name: p.name.clone(),
                    company: p.company.as_ref().map(|c| c.name.clone()),
                    tax_id: p.company.as_ref().map(|c| c.tax_id.clone()),
                    address,
                    email: Some(p.email.clone()),
                },
                p.language,
                Some(p.email_ascii.clone()),
            ),
            None => (
                InvParty {
                    name: o.customer.clone(),
                    company: None,
                    tax_id: None,
                    address: vec![],
                    email: None,
                },
                Locale::En,
                None,
            ),
        })
    }

    fn invoice_lines(o: &Order, s: &Snapshot, only_active: bool) -> Vec<Line> {
        o.lines
            .iter()
            .filter(|l| !only_active || l.state() == LineState::Active)
            .map(|l| Line {
                description: format!(
                    "{} {} — {} year{}",
                    l.display,
                    action_name(l.action),
                    l.years,
                    if l.years == 1 { "" } else { "s" }
                ),
                quantity: 1,
                unit: match s.tax_display {
                    TaxDisplay::Exclusive => l.net,
                    TaxDisplay::Inclusive => l.gross,
                },
                // What the order charged for the line, its share of the
                // order's tax: the invoice agrees with the wallet.
                tax: Some(l.tax),
            })
            .collect()
    }

    /// The proforma of an order paid by bank transfer (or a renewal): what to
    /// pay, where, and with which reference. Issued once per order.
    pub async fn issue_proforma(&self, order_id: &str) -> Result<Option<String>, StoreError> {
        let Some((o, v)) = self.order(order_id).await? else {
            return Ok(None);
        };
        if let Some(p) = &o.proforma {
            return Ok(Some(p.clone()));
        }
        let Some(s) = self.catalogs.current(&o.reseller).await? else {
            return Ok(None);
        };
        let (buyer, language, email) = self.buyer(&o).await?;
        let invoice = Invoice {
            kind: Kind::Proforma,
            number: String::new(),
            issued: s.today(self.clock.now()),
            due: o.due,
            period: None,
            seller: seller_party(&s.seller),
            buyer,
            currency: o.currency,
            tax: s.tax.clone(),
            display: s.tax_display,
            lines: Self::invoice_lines(&o, &s, false),
            payment: Some(PaymentInfo {
                accounts: accounts(&s.bank_accounts),
                reference: o.id.clone(),
            }),
            notes: vec![],
            corrects: None,
        };
        let stored = Stored {
            seller: Party::reseller(&o.reseller),
            buyer: Party::customer(&o.reseller, &o.customer),
            reference: format!("order:{}", o.id),
            language,
            invoice,
        };
        let order = o.clone();
        let number = invoices::issue(self.store.as_ref(), stored, &s.seller.invoice_prefix, |n| {
            let mut o = order.clone();
            o.proforma = Some(n.to_string());
            self.order_writes(&o, Some(v))
        })
        .await?;
        if let (Some(n), Some(to)) = (&number, email) {
            let amount = storefront_core::Money::new(o.gross, o.currency).format(language);
            let due = o.due.map(|d| d.to_string()).unwrap_or_default();
            let accounts: Vec<String> = s
                .bank_accounts
                .iter()
                .map(|a| format!("{} — {} — {}", a.bank, a.holder, a.number))
                .collect();
            let letter = letters::proforma(language, n, &o.id, &amount, &due, &accounts);
            self.mail(&s, &to, letter.subject, letter.text).await;
        }
        Ok(number)
    }

    /// Invoice what is due for a seller, unless a run in this process is
    /// already doing it (it will see what was queued meanwhile).
    pub async fn invoice_run(&self, reseller: &str) -> Result<usize, StoreError> {
        use std::sync::atomic::Ordering;
        let run = self.invoice_runs.of(reseller);
        let (lock, more) = (&run.0, &run.1);
        let mut issued = 0;
        loop {
            more.store(true, Ordering::SeqCst);
            let Ok(guard) = lock.try_lock() else {
                return Ok(issued);
            };
            while more.swap(false, Ordering::SeqCst) {
                issued += self.issue_due_invoices(reseller).await?;
            }
            drop(guard);
            // Queued after the last pass but before the lock was free: go
            // round again rather than leave it to the scheduler.
            if !more.load(Ordering::SeqCst) {
                return Ok(issued);
            }
        }
    }

    /// Issue the tax invoices of every settled order of a seller that has
    /// none yet, up to seven per transaction with consecutive numbers. Several
    /// workers may run this at once: a loser reads the queue again and finds
    /// its orders invoiced by the winner. Returns how many it issued.
    pub async fn issue_due_invoices(&self, reseller: &str) -> Result<usize, StoreError> {
        // Each invoice writes its order (with its copies and queues, up to
        // about ten items) and three of its own (the document, the buyer's
        // and the seller's lists): seven stay within one transaction's 100.
        const BATCH: usize = 7;
        let Some(s) = self.catalogs.current(reseller).await? else {
            return Ok(0);
        };
        let queue = super::keys::invoice_due(reseller);
        let mut issued = 0;
        for _ in 0..200 {
            let due = self
                .store
                .query(
                    &queue,
                    crate::store::Query {
                        limit: Some(BATCH),
                        ..Default::default()
                    },
                )
                .await?;
            if due.is_empty() {
                return Ok(issued);
            }
            let mut batch: Vec<(Order, u64, Stored)> = Vec::new();
            let mut stale = Vec::new();
            for item in &due {
                match self.order(&item.sk).await? {
                    Some((o, v))
                        if o.invoice.is_none()
                            && o.lines.iter().any(|l| l.state() == LineState::Active) =>
                    {
                        let stored = self.tax_invoice(&o, &s).await?;
                        batch.push((o, v, stored));
                    }
                    // Invoiced meanwhile, or nothing left to invoice.
                    _ => stale.push(crate::store::Write::Delete {
                        pk: queue.clone(),
                        sk: item.sk.clone(),
                        condition: crate::store::Condition::None,
                    }),
                }
            }
            if !stale.is_empty() {
                self.store.transact(stale).await?;
            }
            if batch.is_empty() {
                continue;
            }
            let docs = batch.iter().map(|(_, _, d)| d.clone()).collect();
            let numbers = invoices::issue_batch(
                self.store.as_ref(),
                docs,
                &s.seller.invoice_prefix,
                |i, n| {
                    let (o, v, _) = &batch[i];
                    let mut o = o.clone();
                    o.invoice = Some(n.to_string());
                    // What the invoice lists (`invoice_lines`, active only).
                    o.invoiced = o
                        .lines
                        .iter()
                        .filter(|l| l.state() == LineState::Active)
                        .map(|l| l.id.clone())
                        .collect();
                    self.order_writes(&o, Some(*v))
                },
            )
            .await?;
            if let Some(numbers) = numbers {
                issued += numbers.len();
                // Each buyer is told of its invoice, in its language.
                for ((_, _, stored), n) in batch.iter().zip(&numbers) {
                    let mut stored = stored.clone();
                    stored.invoice.number = n.clone();
                    if let Err(e) = self.send_invoice(&stored, false).await {
                        tracing::warn!(error = %e, "an invoice was not mailed");
                    }
                }
            }
        }
        Ok(issued)
    }

    /// Issue the corrective invoice for an order's invoiced lines refunded
    /// or deleted since: their amounts taken back, negative, referring to
    /// the tax invoice. Written with the order (conditioned on its version),
    /// so each line is corrected once however many runs race. None when
    /// nothing is due.
    pub async fn issue_correction(&self, order_id: &str) -> Result<Option<String>, StoreError> {
        for _ in 0..crate::store::MAX_RACES {
            let Some((o, v)) = self.order(order_id).await? else {
                return Ok(None);
            };
            let due: Vec<String> = o.correction_due().iter().map(|l| l.id.clone()).collect();
            let Some(original) = o.invoice.clone().filter(|_| !due.is_empty()) else {
                return Ok(None);
            };
            let Some(s) = self.catalogs.current(&o.reseller).await? else {
                return Ok(None);
            };
            let seller = Party::reseller(&o.reseller);
            let issued = invoices::load(self.store.as_ref(), &seller, &original)
                .await?
                .map_or_else(|| s.today(self.clock.now()), |i| i.invoice.issued);
            let lines = Self::invoice_lines(&o, &s, false)
                .into_iter()
                .zip(&o.lines)
                .filter(|(_, l)| due.contains(&l.id))
                .map(|(mut line, l)| {
                    line.unit = -line.unit;
                    line.tax = line.tax.map(|t| -t);
                    line.description = format!(
                        "{} ({})",
                        line.description,
                        l.reason().unwrap_or("refunded")
                    );
                    line
                })
                .collect();
            let corrects = storefront_invoice::Corrects {
                number: original,
                issued,
            };
            let stored = self
                .order_invoice(&o, &s, Kind::Correction, lines, Some(corrects))
                .await?;
            let order = o.clone();
            let number =
                invoices::issue(self.store.as_ref(), stored, &s.seller.invoice_prefix, |n| {
                    let mut o = order.clone();
                    o.corrections.push(super::model::Correction {
                        number: n.to_string(),
                        lines: due.clone(),
                    });
                    self.order_writes(&o, Some(v))
                })
                .await?;
            if let Some(n) = &number {
                if let Ok(Some(stored)) = invoices::load(self.store.as_ref(), &seller, n).await
                    && let Err(e) = self.send_invoice(&stored, false).await
                {
                    tracing::warn!(error = %e, "a corrective invoice was not mailed");
                }
                return Ok(number);
            }
            // The order changed meanwhile: read it again.
        }
        Ok(None)
    }

    /// Orders waiting for a corrective invoice (the scheduler's retry).
    pub async fn corrections_due(&self) -> Result<Vec<String>, StoreError> {
        let items = self
            .store
            .query(super::keys::CORRECTIONS, crate::store::Query::default())
            .await?;
        Ok(items.into_iter().map(|i| i.sk).collect())
    }

    async fn tax_invoice(&self, o: &Order, s: &Snapshot) -> Result<Stored, StoreError> {
        let lines = Self::invoice_lines(o, s, true);
        self.order_invoice(o, s, Kind::Tax, lines, None).await
    }

    /// A tax document of the storefront to its customer for order `o`: its
    /// tax invoice, or a correction of it.
    async fn order_invoice(
        &self,
        o: &Order,
        s: &Snapshot,
        kind: Kind,
        lines: Vec<Line>,
        corrects: Option<storefront_invoice::Corrects>,
    ) -> Result<Stored, StoreError> {
        let (buyer, language, _) = self.buyer(o).await?;
        Ok(Stored {
            seller: Party::reseller(&o.reseller),
            buyer: Party::customer(&o.reseller, &o.customer),
            reference: format!("order:{}", o.id),
            language,
            invoice: Invoice {
                kind,
                number: String::new(),
                issued: s.today(self.clock.now()),
                due: None,
                period: None,
                seller: seller_party(&s.seller),
                buyer,
                currency: o.currency,
                tax: s.tax.clone(),
                display: s.tax_display,
                lines,
                payment: None,
                notes: vec![format!("Order {}", o.id)],
                corrects,
            },
        })
    }

    /// The invoice a parent issues a reseller for a month's captured legs
    /// (less refunds), once per month. None when there was nothing.
    pub async fn issue_monthly(
        &self,
        reseller: &str,
        month_first: chrono::NaiveDate,
        month_last: chrono::NaiveDate,
    ) -> Result<Option<String>, StoreError> {
        let Some(s) = self.catalogs.current(reseller).await? else {
            return Ok(None);
        };
        let me = Party::reseller(reseller);
        let month = month_first.format("%Y-%m").to_string();
        let marker = format!("MONTHLY#{}#{month}", me.key());
        if self.store.get(&marker, "DONE").await?.is_some() {
            return Ok(None);
        }
        let entries = self.ledger.month(&me, &month).await?;
        let mut lines = Vec::new();
        let mut total = Decimal::ZERO;
        for e in &entries {
            let sign = match e.kind {
                EntryKind::Capture => Decimal::ONE,
                EntryKind::Refund => -Decimal::ONE,
                _ => continue,
            };
            // Each line as the wallet paid it: the cost, net, and the
            // parent's tax on it as the order's leg carried it, so the
            // invoice's total is what the wallet was debited.
            let tax = e.tax.unwrap_or_default();
            total += sign * e.amount;
            lines.push(Line {
                description: e.reason.clone(),
                quantity: 1,
                unit: sign * (e.amount - tax),
                tax: Some(sign * tax),
            });
        }
        if lines.is_empty() {
            return Ok(None);
        }
        let seller = match &s.parent.id {
            Some(p) => Party::reseller(p),
            None => Party::Platform,
        };
        let invoice = Invoice {
            kind: Kind::MonthlyTax,
            number: String::new(),
            issued: s.today(self.clock.now()),
            due: None,
            period: Some((month_first, month_last)),
            seller: seller_party(&s.parent.seller),
            buyer: seller_party(&s.seller),
            currency: s.currency,
            // The parent's tax, added to plan prices, which are net.
            tax: s
                .levels
                .last()
                .map_or_else(storefront_core::money::Tax::none, |l| l.pays_tax.clone()),
            display: TaxDisplay::Exclusive,
            lines,
            payment: None,
            notes: vec![format!(
                "Paid from the prepaid wallet: {total} {}",
                s.currency.code()
            )],
            corrects: None,
        };
        let stored = Stored {
            seller,
            buyer: me.clone(),
            reference: format!("month:{month}"),
            language: s.default_language(),
            invoice,
        };
        let prefix = s.parent.seller.invoice_prefix.clone();
        invoices::issue(self.store.as_ref(), stored, &prefix, |_| {
            Ok(vec![crate::store::Write::Put {
                item: crate::store::Item::new(&marker, "DONE", serde_json::json!({"month": month})),
                condition: crate::store::Condition::NotExists,
            }])
        })
        .await
    }

    /// Mail in the storefront's name: from the platform's address, shown
    /// as the storefront, answered to its contact address.
    pub(crate) async fn mail(&self, s: &Snapshot, to: &str, subject: String, text: String) {
        self.send_as(Sender::of(s), to, subject, text).await;
    }

    /// Mail from `from` (a storefront, or the platform above a reseller).
    pub(crate) async fn send_as(&self, from: Sender, to: &str, subject: String, text: String) {
        let mail = Mail {
            from_name: from.name,
            from: self.config.mail_from.clone(),
            to: to.to_string(),
            reply_to: Some(from.reply_to),
            subject,
            text,
        };
        if let Err(e) = self.mailer.send(mail).await {
            tracing::warn!(error = %e, "a notification was not sent");
        }
    }

    /// Who writes to reseller `s` about its wallet: its parent's storefront,
    /// or the platform (its seller) for a top-level reseller.
    pub(crate) async fn parent_sender(&self, s: &Snapshot) -> Sender {
        if let Some(p) = &s.parent.id
            && let Ok(Some(parent)) = self.catalogs.current(p).await
        {
            return Sender::of(&parent);
        }
        Sender {
            name: s.parent.seller.legal_name.clone(),
            reply_to: s.parent.seller.email.clone(),
        }
    }

    /// Mail an invoice to its buyer, in the language it was issued in, from
    /// its seller's storefront: where to read it and how much. `again` when
    /// staff send it again (then, on a Polish storefront, a duplicate).
    /// False when the buyer has no address to send it to.
    pub async fn send_invoice(&self, stored: &Stored, again: bool) -> Result<bool, StoreError> {
        let Party::Reseller { id: seller } = &stored.seller else {
            return Ok(false);
        };
        let Some(s) = self.catalogs.current(seller).await? else {
            return Ok(false);
        };
        let to = match &stored.buyer {
            Party::Customer { reseller, account } => {
                records::load(self.store.as_ref(), reseller, account)
                    .await?
                    .map(|(_, p)| p.email_ascii)
            }
            Party::Reseller { id } => self
                .catalogs
                .current(id)
                .await?
                .map(|b| b.seller.email.clone()),
            Party::Platform => None,
        };
        let Some(to) = to else {
            return Ok(false);
        };
        let inv = &stored.invoice;
        let lang = stored.language;
        let gross = inv
            .try_totals()
            .map(|t| t.gross.format(lang))
            .unwrap_or_default();
        let doc = match inv.kind {
            Kind::Proforma => letters::Document::Proforma,
            Kind::Correction => letters::Document::Correction,
            Kind::Tax | Kind::MonthlyTax => letters::Document::Tax,
        };
        let copy = again && duplicates(&s);
        let letter = letters::invoice(lang, doc, &inv.number, &gross, copy);
        self.mail(&s, &to, letter.subject, letter.text).await;
        Ok(true)
    }

    /// Tell a customer, in their own language, that a document was
    /// rejected and why, and that they can send it again from their account.
    pub async fn notify_document_rejected(
        &self,
        s: &Snapshot,
        customer: &str,
        domain: &str,
        item: &str,
        reason: &str,
    ) {
        let Ok(Some((_, p))) = records::load(self.store.as_ref(), &s.reseller, customer).await
        else {
            return;
        };
        let lang = p.language;
        let label = s
            .document_items
            .get(item)
            .map_or(item.to_string(), |d| d.label.get(lang).to_string());
        let (subject, text) = match lang {
            storefront_core::Locale::Id => (
                format!("Dokumen untuk {domain} perlu dikirim ulang"),
                format!(
                    "{label} untuk {domain} tidak dapat kami terima:\n\n{reason}\n\nKirim ulang dari halaman Akun Anda; nama akan didaftarkan setelah semua dokumen disetujui.\n"
                ),
            ),
            storefront_core::Locale::Pl => (
                format!("Dokument dla {domain} wymaga ponownego przesłania"),
                format!(
                    "Nie możemy przyjąć dokumentu „{label}” dla {domain}:\n\n{reason}\n\nPrześlij go ponownie ze strony konta; domena zostanie zarejestrowana, gdy wszystkie dokumenty zostaną zatwierdzone.\n"
                ),
            ),
            storefront_core::Locale::En => (
                format!("A document for {domain} needs to be sent again"),
                format!(
                    "We could not accept the {label} for {domain}:\n\n{reason}\n\nSend it again from your account page; the name is registered once every document is approved.\n"
                ),
            ),
        };
        self.mail(s, &p.email_ascii, subject, text).await;
    }

    /// Tell the customer a name registered before its documents was
    /// deleted at its deadline, and what came back to the wallet. Sent by
    /// the run that deleted it, so once.
    pub async fn notify_deleted(&self, o: &Order, line: &super::model::Line) {
        let (Ok(Some(s)), Ok(Some((_, p)))) = (
            self.catalogs.current(&o.reseller).await,
            records::load(self.store.as_ref(), &o.reseller, &o.customer).await,
        ) else {
            return;
        };
        let lang = p.language;
        let domain = &line.display;
        let back = storefront_core::Money::new(line.gross, o.currency).format(lang);
        let (subject, text) = match lang {
            storefront_core::Locale::Id => (
                format!("{domain} dihapus: dokumennya tidak disetujui tepat waktu"),
                format!(
                    "Dokumen pendaftar untuk {domain} belum disetujui sampai batas waktunya, sehingga domain dihapus di registri. {back} sudah kembali ke dompet Anda.\n"
                ),
            ),
            storefront_core::Locale::Pl => (
                format!(
                    "Domena {domain} została usunięta: dokumenty nie zostały zatwierdzone na czas"
                ),
                format!(
                    "Dokumenty abonenta domeny {domain} nie zostały zatwierdzone w terminie, więc domena została usunięta w rejestrze. {back} wróciło do Twojego portfela.\n"
                ),
            ),
            storefront_core::Locale::En => (
                format!("{domain} was deleted: its documents were not approved in time"),
                format!(
                    "The registrant's documents for {domain} were not approved by their last day, so the domain was deleted at the registry. {back} is back in your wallet.\n"
                ),
            ),
        };
        self.mail(&s, &p.email_ascii, subject, text).await;
    }

    /// Remind a customer whose order still waits for documents, in their
    /// language, each once: on payment (`on_payment`), seven days before
    /// the last day and on it, the days being the storefront's own. True
    /// when this call sent it.
    pub async fn remind_documents(
        &self,
        order_id: &str,
        on_payment: bool,
    ) -> Result<bool, StoreError> {
        let Some((o, _)) = self.order(order_id).await? else {
            return Ok(false);
        };
        let Some(due) = o.documents_due else {
            return Ok(false);
        };
        let Some(s) = self.catalogs.current(&o.reseller).await? else {
            return Ok(false);
        };
        let today = s.today(self.now());
        let when = match (on_payment, (due - today).num_days()) {
            (true, _) => "first",
            (false, 7) => "week",
            (false, 0) => "last",
            _ => return Ok(false),
        };
        // Once per last day, however many schedulers run: the first claims it.
        let claim = Item::new(
            format!("DOCREMIND#{order_id}"),
            format!("{when}#{due}"),
            json!({"due": due}),
        )
        .expiring(crate::store::now() + 120 * 86_400);
        match self.store.put(claim, Condition::NotExists).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed { .. }) => return Ok(false),
            Err(e) => return Err(e),
        }
        let Some((_, p)) = records::load(self.store.as_ref(), &o.reseller, &o.customer).await?
        else {
            return Ok(false);
        };
        let pending = |first: bool| {
            o.lines
                .iter()
                .filter(|l| l.documents_pending() && l.documents_due() == Some(due))
                .filter(|l| l.registered_first() == first)
                .map(|l| l.display.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        // Registered first, the name itself is at stake; otherwise the order.
        let (first, names) = match pending(true) {
            n if n.is_empty() => (false, pending(false)),
            n => (true, n),
        };
        if names.is_empty() {
            return Ok(false);
        }
        let id = &o.id;
        let (subject, text) = match (p.language, first) {
            (storefront_core::Locale::Id, false) => (
                format!("Dokumen untuk {names} ditunggu sampai {due}"),
                format!(
                    "Pesanan {id} menunggu dokumen pendaftar untuk {names}. Kirim dari halaman Akun Anda paling lambat {due}; setelah itu pesanan dibatalkan dan dana Anda dikembalikan ke dompet.\n"
                ),
            ),
            (storefront_core::Locale::Id, true) => (
                format!("Dokumen untuk {names} ditunggu sampai {due}"),
                format!(
                    "{names} sudah terdaftar, tetapi dokumen pendaftarnya belum disetujui. Kirim dari halaman Akun Anda paling lambat {due}; setelah itu domain dihapus dan dana Anda dikembalikan ke dompet.\n"
                ),
            ),
            (storefront_core::Locale::Pl, false) => (
                format!("Dokumenty dla {names} czekamy do {due}"),
                format!(
                    "Zamówienie {id} czeka na dokumenty abonenta dla {names}. Prześlij je ze strony konta najpóźniej {due}; potem zamówienie zostanie anulowane, a środki wrócą do portfela.\n"
                ),
            ),
            (storefront_core::Locale::Pl, true) => (
                format!("Dokumenty dla {names} czekamy do {due}"),
                format!(
                    "Domena {names} jest już zarejestrowana, ale dokumenty abonenta nie zostały jeszcze zatwierdzone. Prześlij je ze strony konta najpóźniej {due}; potem domena zostanie usunięta, a środki wrócą do portfela.\n"
                ),
            ),
            (storefront_core::Locale::En, false) => (
                format!("Documents for {names} are due by {due}"),
                format!(
                    "Order {id} is waiting for the registrant's documents for {names}. Send them from your account page by {due}; after that the order is cancelled and the money goes back to your wallet.\n"
                ),
            ),
            (storefront_core::Locale::En, true) => (
                format!("Documents for {names} are due by {due}"),
                format!(
                    "{names} is registered, but its registrant's documents are not approved yet. Send them from your account page by {due}; after that the domain is deleted and the money goes back to your wallet.\n"
                ),
            ),
        };
        self.mail(&s, &p.email_ascii, subject, text).await;
        Ok(true)
    }

    /// Tell whoever asked for a top-up what was decided, in their language:
    /// a customer from its storefront, a sub-reseller from its parent.
    pub async fn notify_topup(&self, t: &TopUp) {
        let rejected = match t.state {
            TopUpState::Approved => None,
            TopUpState::Rejected => Some(t.reason.as_deref().unwrap_or("")),
            TopUpState::Pending => return,
        };
        let (from, to, lang) = match &t.holder {
            Party::Customer { reseller, account } => {
                let (Ok(Some(s)), Ok(Some((_, p)))) = (
                    self.catalogs.current(reseller).await,
                    records::load(self.store.as_ref(), reseller, account).await,
                ) else {
                    return;
                };
                (Sender::of(&s), p.email_ascii, p.language)
            }
            Party::Reseller { id } => {
                let Ok(Some(s)) = self.catalogs.current(id).await else {
                    return;
                };
                let from = self.parent_sender(&s).await;
                (from, s.seller.email.clone(), s.default_language())
            }
            Party::Platform => return,
        };
        let amount = storefront_core::Money::new(t.amount, t.currency).format(lang);
        let letter = letters::topup_decided(lang, &amount, &t.transfer_reference, rejected);
        self.send_as(from, &to, letter.subject, letter.text).await;
    }
}

/// Whether a copy of this storefront's invoice issued again is marked as a
/// duplicate: Polish storefronts (art. 106l of the VAT act).
pub fn duplicates(s: &Snapshot) -> bool {
    s.currency == storefront_core::Currency::PLN || s.default_language() == Locale::Pl
}

/// Whom a mail is from: a name shown as the sender and where answers go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub name: String,
    pub reply_to: String,
}

impl Sender {
    /// A storefront: its name, its contact address.
    pub fn of(s: &Snapshot) -> Sender {
        Sender {
            name: s.name.clone(),
            reply_to: s.reply_to().to_string(),
        }
    }
}
