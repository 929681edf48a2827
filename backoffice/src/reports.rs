//! Reports as `.xlsx` workbooks: the storefront's transactions (the
//! entries of its own wallet and of every wallet held with it: its
//! customers' and its sub-resellers'), its domains (and its
//! sub-resellers'), its customers with their balances, and the invoices it
//! issued.
//!
//! The store is read a page at a time (`storefront_functions::reports`);
//! the transactions' pages go to a writer thread through a channel of a
//! few pages, so reading and writing overlap on two cores. The worksheet
//! is in rust_xlsxwriter's constant-memory mode, which writes each
//! finished row to a temporary file. So memory is bounded by a few pages
//! and the finished file, whatever the number of rows: 400,000 entries
//! (100,000 orders) in 3.6 s and 60 MB (BENCHMARKS.md, "Reports").
//!
//! Amounts are numbers, with the number format of their currency's minor
//! units (IDR none, PLN/EUR/USD two): a spreadsheet sums them, and nothing
//! in the browser turns text into money. They come from the ledger's
//! `Decimal`s; the totals rows are summed as `Decimal`s here, not by the
//! spreadsheet.
//!
//! On AWS the back office answers from a Lambda, whose answer is capped at
//! 6 MB (and API Gateway's wait at 30 s): a report larger than
//! [`MAX_INLINE_BYTES`] is refused with a message asking for a shorter
//! period (about 45,000 entries at 100 bytes a row). What lifts that cap,
//! not built yet: write the workbook to S3 under a report key that expires
//! (a lifecycle rule), and answer with a presigned GET URL valid for a few
//! minutes, so the bytes never pass through the Lambda's answer. That
//! needs a presigned GET in `Blobs` (the S3 one in storefront-aws; the
//! local folder keeps answering inline) and, for reports that take longer
//! than API Gateway's 30 s, writing them in a function of their own,
//! started from the page and polled until the link is ready.

use crate::i18n;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use storefront_core::dates::Zone;
use storefront_core::ledger::{Entry, EntryKind, HELD, POSTED, Party, SPENDABLE};
use storefront_core::{Currency, Locale};
use storefront_functions::accounts::records;
use storefront_functions::reports::{Entries, Held, Period};
use storefront_functions::store::{Store, StoreError};

/// The longest period one report covers, in days.
pub const MAX_DAYS: i64 = 366;

/// The largest file answered in the response itself: a Lambda's answer is
/// at most 6 MB, and base64 (how API Gateway carries binary) makes 4.5 MB
/// of file about 6 MB.
pub const MAX_INLINE_BYTES: usize = 4_400_000;

/// A workbook's content type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Transactions,
    Domains,
    Customers,
    Invoices,
    SubResellers,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Transactions,
        Kind::Domains,
        Kind::Customers,
        Kind::Invoices,
        Kind::SubResellers,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Kind::Transactions => "transactions",
            Kind::Domains => "domains",
            Kind::Customers => "customers",
            Kind::Invoices => "invoices",
            Kind::SubResellers => "subresellers",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.slug() == s)
    }
}

/// What to report on: whose, for which days (in the storefront's time
/// zone, both included), in which language.
#[derive(Clone, Copy)]
pub struct Spec<'a> {
    pub store: &'a dyn Store,
    pub reseller: &'a str,
    pub zone: Zone,
    pub lang: Locale,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Spec<'_> {
    /// The instants the days cover: from the first day's local midnight
    /// to the midnight after the last.
    pub fn period(&self) -> Period {
        Period {
            from: midnight(self.zone, self.from),
            to: midnight(self.zone, self.to + Duration::days(1)),
        }
    }
}

/// The instant a day starts in `zone`.
pub fn midnight(zone: Zone, day: NaiveDate) -> DateTime<Utc> {
    let wall = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    // The zone's offset at a guess, then at the instant it gives (the two
    // differ only across a change of summer time).
    let mut at = wall.and_utc();
    for _ in 0..2 {
        let offset = zone.local(at) - at.naive_utc();
        at = (wall - offset).and_utc();
    }
    at
}

/// A written report.
#[derive(Debug)]
pub struct Report {
    pub bytes: Vec<u8>,
    /// Data rows (not the header, notes or totals).
    pub rows: usize,
    pub file_name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// More rows than a worksheet holds (1,048,576).
    #[error("too many rows for one worksheet")]
    TooManyRows,
    #[error("the workbook could not be written: {0}")]
    Xlsx(XlsxError),
    #[error("the report's writer stopped: {0}")]
    Writer(String),
}

impl From<XlsxError> for ReportError {
    fn from(e: XlsxError) -> ReportError {
        match e {
            XlsxError::RowColumnLimitError => ReportError::TooManyRows,
            e => ReportError::Xlsx(e),
        }
    }
}

/// Write the report `kind` of `spec`.
pub async fn write(kind: Kind, spec: &Spec<'_>) -> Result<Report, ReportError> {
    let (sheet, rows) = match kind {
        Kind::Transactions => transactions(spec).await?,
        Kind::Domains => domains(spec).await?,
        Kind::Customers => customers(spec).await?,
        Kind::Invoices => invoices(spec).await?,
        Kind::SubResellers => sub_resellers(spec).await?,
    };
    // Compressing the file is the longest single step: off the runtime.
    let bytes = tokio::task::spawn_blocking(move || sheet.finish())
        .await
        .map_err(|e| ReportError::Writer(e.to_string()))??;
    Ok(Report {
        bytes,
        rows,
        file_name: format!(
            "{}-{}-{}-{}.xlsx",
            spec.reseller,
            kind.slug(),
            spec.from,
            spec.to
        ),
    })
}

/// One worksheet written row by row.
struct Sheet {
    book: Workbook,
    row: u32,
    bold: Format,
    date: Format,
    day: Format,
    /// The amount formats, by the currency's minor units.
    money: BTreeMap<u32, Format>,
}

impl Sheet {
    fn new(name: &str, headers: &[String], widths: &[f64]) -> Result<Sheet, XlsxError> {
        let mut book = Workbook::new();
        // The fastest deflate: a report's XML is repetitive, so level 1
        // still shrinks it about tenfold, at a fraction of the default's time.
        book.set_zip_compression_level(1);
        let bold = Format::new().set_bold();
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        for (col, w) in widths.iter().enumerate() {
            ws.set_column_width(col as u16, *w)?;
        }
        for (col, h) in headers.iter().enumerate() {
            ws.write_string_with_format(0, col as u16, h, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(Sheet {
            book,
            row: 1,
            bold,
            date: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            day: Format::new().set_num_format("yyyy-mm-dd"),
            money: BTreeMap::new(),
        })
    }

    fn ws(&mut self) -> Result<&mut rust_xlsxwriter::Worksheet, XlsxError> {
        self.book.worksheet_from_index(0)
    }

    fn text(&mut self, col: u16, s: &str) -> Result<(), XlsxError> {
        if !s.is_empty() {
            let row = self.row;
            self.ws()?.write_string(row, col, s)?;
        }
        Ok(())
    }

    fn bold(&mut self, col: u16, s: &str) -> Result<(), XlsxError> {
        let (row, f) = (self.row, self.bold.clone());
        self.ws()?.write_string_with_format(row, col, s, &f)?;
        Ok(())
    }

    fn number(&mut self, col: u16, n: f64) -> Result<(), XlsxError> {
        let row = self.row;
        self.ws()?.write_number(row, col, n)?;
        Ok(())
    }

    /// An amount as a number shown with its currency's decimals.
    fn money(&mut self, col: u16, amount: Decimal, currency: Currency) -> Result<(), XlsxError> {
        let places = currency.minor_units();
        let f = self
            .money
            .entry(places)
            .or_insert_with(|| {
                Format::new().set_num_format(if places == 0 {
                    "#,##0".to_string()
                } else {
                    format!("#,##0.{}", "0".repeat(places as usize))
                })
            })
            .clone();
        let row = self.row;
        let n = amount.to_f64().unwrap_or_default();
        self.ws()?.write_number_with_format(row, col, n, &f)?;
        Ok(())
    }

    fn datetime(&mut self, col: u16, at: NaiveDateTime) -> Result<(), XlsxError> {
        let (row, f) = (self.row, self.date.clone());
        let d = ExcelDateTime::from_timestamp(at.and_utc().timestamp())?;
        self.ws()?.write_datetime_with_format(row, col, &d, &f)?;
        Ok(())
    }

    fn day(&mut self, col: u16, day: NaiveDate) -> Result<(), XlsxError> {
        let (row, f) = (self.row, self.day.clone());
        let d = ExcelDateTime::from_timestamp(
            day.and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp(),
        )?;
        self.ws()?.write_datetime_with_format(row, col, &d, &f)?;
        Ok(())
    }

    fn next(&mut self) {
        self.row += 1;
    }

    fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        self.book.save_to_buffer()
    }
}

fn headers(lang: Locale, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| i18n::text(lang, k)).collect()
}

/// How a wallet's holder is named in a report: the customer's name and
/// email, a sub-reseller's id, or the storefront's own wallet.
async fn holder_name(spec: &Spec<'_>, p: &Party) -> Result<String, StoreError> {
    Ok(match p {
        Party::Customer { reseller, account } => {
            customer_name(spec.store, reseller, account).await?
        }
        Party::Reseller { id } if id == spec.reseller => i18n::text(spec.lang, "r_own_wallet"),
        Party::Reseller { id } => i18n::fill(spec.lang, "m_sub_reseller", &[("id", id)]),
        Party::Platform => i18n::text(spec.lang, "m_platform"),
    })
}

/// A customer as reports name them: name <email>, else the account id.
async fn customer_name(
    store: &dyn Store,
    reseller: &str,
    account: &str,
) -> Result<String, StoreError> {
    Ok(match records::load(store, reseller, account).await? {
        Some((_, p)) if p.name.is_empty() => p.email,
        Some((_, p)) => format!("{} <{}>", p.name, p.email),
        None => account.to_string(),
    })
}

/// Per currency and kind: entries, amount, tax.
type Totals = BTreeMap<(Currency, EntryKind), (u64, Decimal, Decimal)>;

fn kind_key(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::TopUp => "m_entry_top_up",
        EntryKind::Hold => "m_entry_hold",
        EntryKind::Capture => "m_entry_capture",
        EntryKind::Release => "m_entry_release",
        EntryKind::Refund => "m_entry_refund",
        EntryKind::Adjustment => "m_entry_adjustment",
    }
}

/// The columns of the transactions report (their order is the file's).
pub const TRANSACTION_COLUMNS: [&str; 10] = [
    "r_col_date",
    "r_col_wallet",
    "r_col_kind",
    "r_col_amount",
    "r_col_tax",
    "r_col_currency",
    "r_col_reference",
    "r_col_reason",
    "r_col_by",
    "r_col_entry",
];

/// The transactions report as it is written, on a thread of its own: the
/// store's pages come in while the rows before them are being written.
struct Transactions {
    sheet: Sheet,
    totals: Totals,
    rows: usize,
    kinds: HashMap<EntryKind, String>,
    lang: Locale,
    zone: Zone,
}

impl Transactions {
    fn new(lang: Locale, zone: Zone) -> Result<Transactions, XlsxError> {
        let sheet = Sheet::new(
            &i18n::text(lang, "r_transactions"),
            &headers(lang, &TRANSACTION_COLUMNS),
            &[17.0, 36.0, 24.0, 16.0, 14.0, 9.0, 40.0, 44.0, 34.0, 18.0],
        )?;
        let kinds = [
            EntryKind::TopUp,
            EntryKind::Hold,
            EntryKind::Capture,
            EntryKind::Release,
            EntryKind::Refund,
            EntryKind::Adjustment,
        ]
        .into_iter()
        .map(|k| (k, i18n::text(lang, kind_key(k))))
        .collect();
        Ok(Transactions {
            sheet,
            totals: Totals::new(),
            rows: 0,
            kinds,
            lang,
            zone,
        })
    }

    /// A page of one wallet's entries, `who` its holder.
    fn page(&mut self, who: &str, page: Vec<Entry>) -> Result<(), XlsxError> {
        let sheet = &mut self.sheet;
        for e in page {
            let at =
                e.at.parse::<DateTime<Utc>>()
                    .map(|t| self.zone.local(t))
                    .unwrap_or_default();
            sheet.datetime(0, at)?;
            sheet.text(1, who)?;
            sheet.text(2, self.kinds.get(&e.kind).map_or("", String::as_str))?;
            sheet.money(3, e.amount, e.currency)?;
            if let Some(tax) = e.tax {
                sheet.money(4, tax, e.currency)?;
            }
            sheet.text(5, e.currency.code())?;
            sheet.text(6, &e.reference)?;
            sheet.text(7, &e.reason)?;
            sheet.text(8, &e.by)?;
            sheet.text(9, &e.id)?;
            sheet.next();
            self.rows += 1;
            let t = self.totals.entry((e.currency, e.kind)).or_default();
            t.0 += 1;
            t.1 += e.amount;
            t.2 += e.tax.unwrap_or_default();
        }
        Ok(())
    }

    /// The totals: per currency and kind, then what the period did to the
    /// balances (top-ups, refunds and adjustments in, captures out; holds
    /// and releases only move money between available and held).
    fn end(mut self) -> Result<(Sheet, usize), XlsxError> {
        let (lang, rows) = (self.lang, self.rows);
        let sheet = &mut self.sheet;
        if rows == 0 {
            sheet.text(0, &i18n::text(lang, "r_no_rows"))?;
            return Ok((self.sheet, rows));
        }
        sheet.next();
        let total = i18n::text(lang, "r_total");
        let mut net: BTreeMap<Currency, Decimal> = BTreeMap::new();
        for ((currency, kind), (n, amount, tax)) in &self.totals {
            sheet.bold(0, &total)?;
            sheet.number(1, *n as f64)?;
            sheet.text(2, self.kinds.get(kind).map_or("", String::as_str))?;
            sheet.money(3, *amount, *currency)?;
            sheet.money(4, *tax, *currency)?;
            sheet.text(5, currency.code())?;
            sheet.next();
            let change = match kind {
                EntryKind::TopUp | EntryKind::Refund | EntryKind::Adjustment => *amount,
                EntryKind::Capture => -*amount,
                EntryKind::Hold | EntryKind::Release => Decimal::ZERO,
            };
            *net.entry(*currency).or_default() += change;
        }
        let label = i18n::text(lang, "r_net_change");
        for (currency, amount) in net {
            sheet.bold(0, &label)?;
            sheet.money(3, amount, currency)?;
            sheet.text(5, currency.code())?;
            sheet.next();
        }
        Ok((self.sheet, rows))
    }
}

/// Pages of entries waiting for the writer: a few, so memory stays
/// bounded when the store reads faster than the sheet is written.
const PAGES_IN_FLIGHT: usize = 4;

async fn transactions(spec: &Spec<'_>) -> Result<(Sheet, usize), ReportError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Arc<str>, Vec<Entry>)>(PAGES_IN_FLIGHT);
    let (lang, zone) = (spec.lang, spec.zone);
    let writer = tokio::task::spawn_blocking(move || {
        let mut w = Transactions::new(lang, zone)?;
        while let Some((who, page)) = rx.blocking_recv() {
            w.page(&who, page)?;
        }
        w.end()
    });
    // The storefront's own wallet, then every wallet held with it. A send
    // fails only when the writer stopped (its error is the answer).
    let read = async {
        let period = spec.period();
        let own = Party::reseller(spec.reseller);
        let mut wallets = vec![own.clone()];
        let mut held = Held::with(spec.store, &own);
        loop {
            for party in std::mem::take(&mut wallets) {
                let mut entries = Entries::of(spec.store, &party, period);
                let mut who: Option<Arc<str>> = None;
                while let Some(page) = entries.next().await? {
                    let who = match &who {
                        Some(w) => w.clone(),
                        None => who.insert(holder_name(spec, &party).await?.into()).clone(),
                    };
                    if tx.send((who, page)).await.is_err() {
                        return Ok(());
                    }
                }
            }
            match held.next().await? {
                Some(page) => wallets = page,
                None => return Ok::<(), ReportError>(()),
            }
        }
    }
    .await;
    drop(tx);
    let written = writer
        .await
        .map_err(|e| ReportError::Writer(e.to_string()))?;
    read?;
    Ok(written?)
}

async fn domains(spec: &Spec<'_>) -> Result<(Sheet, usize), ReportError> {
    let lang = spec.lang;
    let mut sheet = Sheet::new(
        &i18n::text(lang, "r_domains"),
        &headers(
            lang,
            &[
                "r_col_domain",
                "r_col_customer",
                "r_col_status",
                "r_col_expires",
                "r_col_auto_renew",
                "r_col_storefront",
            ],
        ),
        &[32.0, 36.0, 20.0, 12.0, 10.0, 16.0],
    )?;
    let mut rows = 0usize;
    let yes = i18n::text(lang, "r_yes");
    let no = i18n::text(lang, "r_no");
    // The storefront's domains, then each sub-reseller's.
    let mut stores = vec![spec.reseller.to_string()];
    let mut held = Held::with(spec.store, &Party::reseller(spec.reseller));
    while let Some(page) = held.next().await? {
        stores.extend(page.into_iter().filter_map(|p| match p {
            Party::Reseller { id } => Some(id),
            _ => None,
        }));
    }
    for reseller in &stores {
        let mut names: HashMap<String, String> = HashMap::new();
        let mut pages = storefront_functions::reports::domains(spec.store, reseller);
        while let Some(page) = pages.next().await? {
            for item in page {
                let d = &item.data;
                let customer = d["customer"].as_str().unwrap_or_default();
                if !names.contains_key(customer) {
                    if names.len() > 10_000 {
                        names.clear();
                    }
                    let name = customer_name(spec.store, reseller, customer).await?;
                    names.insert(customer.to_string(), name);
                }
                sheet.text(0, d["display"].as_str().unwrap_or(&item.sk))?;
                sheet.text(1, names.get(customer).map_or("", String::as_str))?;
                sheet.text(2, &label(lang, "m_state_", &d["status"]))?;
                if let Some(day) = d["expires"].as_str().and_then(|s| s.parse().ok()) {
                    sheet.day(3, day)?;
                }
                sheet.text(
                    4,
                    if d["auto_renew"].as_bool() == Some(true) {
                        &yes
                    } else {
                        &no
                    },
                )?;
                sheet.text(5, reseller)?;
                sheet.next();
                rows += 1;
            }
        }
    }
    if rows == 0 {
        sheet.text(0, &i18n::text(lang, "r_no_rows"))?;
    }
    Ok((sheet, rows))
}

fn label(lang: Locale, prefix: &str, v: &Value) -> String {
    v.as_str()
        .map(|s| i18n::text(lang, &format!("{prefix}{}", s.replace('-', "_"))))
        .unwrap_or_default()
}

async fn customers(spec: &Spec<'_>) -> Result<(Sheet, usize), ReportError> {
    let lang = spec.lang;
    let mut sheet = Sheet::new(
        &i18n::text(lang, "r_customers"),
        &headers(
            lang,
            &[
                "r_col_name",
                "r_col_email",
                "r_col_created",
                "r_col_balance",
                "r_col_held",
                "r_col_available",
                "r_col_currency",
            ],
        ),
        &[28.0, 34.0, 12.0, 16.0, 16.0, 16.0, 9.0],
    )?;
    let mut rows = 0usize;
    let mut held = Held::with(spec.store, &Party::reseller(spec.reseller));
    while let Some(page) = held.next().await? {
        for p in page {
            let Party::Customer { reseller, account } = &p else {
                continue;
            };
            let Some(pk) = storefront_functions::ledger::wallet_pk(&p) else {
                continue;
            };
            let Some(wallet) = spec.store.get(&pk, "WALLET").await? else {
                continue;
            };
            let currency: Currency =
                serde_json::from_value(wallet.data["currency"].clone()).unwrap_or(Currency::IDR);
            match records::load(spec.store, reseller, account).await? {
                Some((_, profile)) => {
                    sheet.text(0, &profile.name)?;
                    sheet.text(1, &profile.email)?;
                    if let Some(t) = DateTime::from_timestamp(profile.created_at, 0) {
                        sheet.day(2, spec.zone.date_at(t))?;
                    }
                }
                None => sheet.text(0, account)?,
            }
            sheet.money(3, wallet.counter(POSTED), currency)?;
            sheet.money(4, wallet.counter(HELD), currency)?;
            sheet.money(5, wallet.counter(SPENDABLE), currency)?;
            sheet.text(6, currency.code())?;
            sheet.next();
            rows += 1;
        }
    }
    if rows == 0 {
        sheet.text(0, &i18n::text(lang, "r_no_rows"))?;
    }
    Ok((sheet, rows))
}

async fn invoices(spec: &Spec<'_>) -> Result<(Sheet, usize), ReportError> {
    let lang = spec.lang;
    let mut sheet = Sheet::new(
        &i18n::text(lang, "r_invoices"),
        &headers(
            lang,
            &[
                "r_col_number",
                "r_col_invoice_kind",
                "r_col_issued",
                "r_col_buyer",
                "r_col_gross",
                "r_col_currency",
                "r_col_reference",
            ],
        ),
        &[22.0, 20.0, 12.0, 36.0, 16.0, 9.0, 40.0],
    )?;
    let own = Party::reseller(spec.reseller);
    let mut rows = 0usize;
    let mut totals: BTreeMap<Currency, Decimal> = BTreeMap::new();
    // Buyers as named in the other reports, looked up once each.
    let mut names: HashMap<String, String> = HashMap::new();
    let mut pages =
        storefront_functions::reports::invoices_issued(spec.store, &own, spec.from, spec.to);
    while let Some(page) = pages.next().await? {
        for item in page {
            let d = &item.data;
            let buyer: Option<Party> = serde_json::from_value(d["buyer"].clone()).ok();
            let key = buyer.as_ref().map(Party::key).unwrap_or_default();
            if !names.contains_key(&key) {
                if names.len() > 10_000 {
                    names.clear();
                }
                let name = match &buyer {
                    Some(b) => holder_name(spec, b).await?,
                    None => d["buyer_name"].as_str().unwrap_or_default().to_string(),
                };
                names.insert(key.clone(), name);
            }
            let currency: Currency =
                serde_json::from_value(d["currency"].clone()).unwrap_or(Currency::IDR);
            sheet.text(0, d["number"].as_str().unwrap_or_default())?;
            sheet.text(1, &label(lang, "m_invoice_", &d["kind"]))?;
            if let Some(day) = d["issued"].as_str().and_then(|s| s.parse().ok()) {
                sheet.day(2, day)?;
            }
            sheet.text(3, names.get(&key).map_or("", String::as_str))?;
            if let Some(gross) = d["gross"].as_str().and_then(|s| s.parse::<Decimal>().ok()) {
                sheet.money(4, gross, currency)?;
                *totals.entry(currency).or_default() += gross;
            }
            sheet.text(5, currency.code())?;
            sheet.text(6, d["reference"].as_str().unwrap_or_default())?;
            sheet.next();
            rows += 1;
        }
    }
    if rows == 0 {
        sheet.text(0, &i18n::text(lang, "r_no_rows"))?;
        return Ok((sheet, rows));
    }
    sheet.next();
    let total = i18n::text(lang, "r_total");
    for (currency, gross) in totals {
        sheet.bold(0, &total)?;
        sheet.money(4, gross, currency)?;
        sheet.text(5, currency.code())?;
        sheet.next();
    }
    Ok((sheet, rows))
}

/// The most sub-resellers a report lists (its tree read one query each).
const MAX_SUB_RESELLERS: usize = 2_000;

/// Every sub-reseller below the storefront, each right after its parent:
/// its sales in the period (from the store's day counters, as the
/// dashboard reads them), its active domains and its wallet now; totals per
/// currency.
async fn sub_resellers(spec: &Spec<'_>) -> Result<(Sheet, usize), ReportError> {
    use storefront_functions::stats;
    let lang = spec.lang;
    let mut sheet = Sheet::new(
        &i18n::text(lang, "r_subresellers"),
        &headers(
            lang,
            &[
                "r_col_storefront",
                "r_col_name",
                "r_col_under",
                "r_col_orders",
                "r_col_sales",
                "r_col_refunded",
                "r_col_active_domains",
                "r_col_balance",
                "r_col_held",
                "r_col_available",
                "r_col_currency",
            ],
        ),
        &[
            16.0, 28.0, 16.0, 10.0, 16.0, 16.0, 10.0, 16.0, 16.0, 16.0, 9.0,
        ],
    )?;
    let tree = storefront_functions::catalog::sub_reseller_tree(
        spec.store,
        spec.reseller,
        MAX_SUB_RESELLERS,
    )
    .await?;
    let mut parents: Vec<String> = vec![spec.reseller.to_string()];
    // Per currency: paid orders, sales, refunded.
    let mut totals: BTreeMap<Currency, (Decimal, Decimal, Decimal)> = BTreeMap::new();
    for (snapshot, depth) in &tree {
        let id = &snapshot.reseller;
        parents.truncate(*depth);
        let under = parents.last().cloned().unwrap_or_default();
        parents.push(id.clone());
        let (name, mut currency) = (snapshot.name.clone(), snapshot.currency);
        let sales = stats::period(spec.store, id, spec.from, spec.to).await?;
        let domains = stats::totals(spec.store, id, stats::DOMAINS_SK).await?;
        let wallet = match storefront_functions::ledger::wallet_pk(&Party::reseller(id)) {
            Some(pk) => spec.store.get(&pk, "WALLET").await?,
            None => None,
        };
        if let Some(w) = &wallet {
            currency = serde_json::from_value(w.data["currency"].clone()).unwrap_or(currency);
        }
        let count = |c: &stats::Counters, k: &str| c.get(k).copied().unwrap_or_default();
        sheet.text(0, id)?;
        sheet.text(1, &name)?;
        sheet.text(2, &under)?;
        sheet.number(3, count(&sales, stats::ORDERS).to_f64().unwrap_or_default())?;
        sheet.money(4, count(&sales, stats::GROSS), currency)?;
        sheet.money(5, count(&sales, stats::REFUNDED), currency)?;
        let active =
            stats::status_counter(storefront_functions::orders::model::DomainStatus::Active);
        sheet.number(6, count(&domains, active).to_f64().unwrap_or_default())?;
        if let Some(w) = &wallet {
            sheet.money(7, w.counter(POSTED), currency)?;
            sheet.money(8, w.counter(HELD), currency)?;
            sheet.money(9, w.counter(SPENDABLE), currency)?;
        }
        sheet.text(10, currency.code())?;
        sheet.next();
        let t = totals.entry(currency).or_default();
        t.0 += count(&sales, stats::ORDERS);
        t.1 += count(&sales, stats::GROSS);
        t.2 += count(&sales, stats::REFUNDED);
    }
    let rows = tree.len();
    if rows == 0 {
        sheet.text(0, &i18n::text(lang, "r_no_sub_resellers"))?;
        return Ok((sheet, rows));
    }
    sheet.next();
    let total = i18n::text(lang, "r_total");
    for (currency, (orders, gross, refunded)) in totals {
        sheet.bold(0, &total)?;
        sheet.number(3, orders.to_f64().unwrap_or_default())?;
        sheet.money(4, gross, currency)?;
        sheet.money(5, refunded, currency)?;
        sheet.text(10, currency.code())?;
        sheet.next();
    }
    Ok((sheet, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_starts_at_the_zone_s_midnight() {
        let jakarta = Zone::named("Asia/Jakarta").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            midnight(jakarta, day).to_rfc3339(),
            "2026-11-30T17:00:00+00:00"
        );
        let warsaw = Zone::named("Europe/Warsaw").unwrap();
        let summer = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(
            midnight(warsaw, summer).to_rfc3339(),
            "2026-06-30T22:00:00+00:00"
        );
        assert_eq!(
            midnight(Zone::UTC, day).to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
    }
}
