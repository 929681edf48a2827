//! An invoice as it reads: every label translated, every amount and date
//! formatted. HTML and PDF both render this one view, so the two always
//! say the same thing.

use serde::Serialize;
use storefront_core::Locale;
use storefront_core::money::{MoneyError, TaxDisplay};

use crate::labels::{Labels, labels, long_date};
use crate::{Invoice, Kind, Party};

#[derive(Debug, Serialize)]
pub(crate) struct View {
    pub lang: &'static str,
    /// "Faktura VAT", "Faktur proforma"…
    pub title: String,
    pub number: String,
    /// "DUPLIKAT" on a copy issued again, under the number.
    pub mark: Option<&'static str>,
    /// Dates and period, as label and value. The number stands on its own
    /// under the title.
    pub meta: Vec<Pair>,
    /// The seller, then the buyer.
    pub parties: [PartyView; 2],
    pub columns: Columns,
    pub lines: Vec<LineView>,
    /// Total net, tax and total; the last is the amount of the invoice.
    pub totals: Vec<Pair>,
    pub payment: Option<PaymentView>,
    pub proforma_note: Option<&'static str>,
    pub notes_heading: &'static str,
    pub notes: Vec<String>,
    /// With `{page}` and `{pages}`, for the PDF's footer.
    #[serde(skip)]
    pub page: &'static str,
}

#[derive(Debug, Serialize)]
pub(crate) struct Pair {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct PartyView {
    pub heading: &'static str,
    /// The company if there is one, else the person.
    pub name: String,
    /// The rest, one printed line each.
    pub lines: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Columns {
    pub position: &'static str,
    pub description: &'static str,
    pub quantity: &'static str,
    pub unit: &'static str,
    pub net: &'static str,
    pub tax: String,
    pub gross: &'static str,
}

#[derive(Debug, Serialize)]
pub(crate) struct LineView {
    pub position: String,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub net: String,
    pub tax: String,
    pub gross: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct PaymentView {
    pub heading: &'static str,
    /// Bank, holder and number of each account.
    pub accounts: Vec<Vec<Pair>>,
    pub reference: Pair,
}

fn pair(label: &str, value: impl Into<String>) -> Pair {
    Pair {
        label: label.to_owned(),
        value: value.into(),
    }
}

impl View {
    pub fn of(invoice: &Invoice, locale: Locale) -> Result<View, MoneyError> {
        let l = labels(locale);
        let totals = invoice.try_totals()?;
        let money = |m: storefront_core::Money| m.format(locale);

        let title = match invoice.kind {
            Kind::Proforma => l.proforma,
            Kind::Tax | Kind::MonthlyTax => l.invoice,
            Kind::Correction => l.correction,
        };
        let mut meta = vec![pair(l.issued, long_date(invoice.issued, locale))];
        if let Some(c) = &invoice.corrects {
            let what = format!("{} ({})", c.number, long_date(c.issued, locale));
            meta.push(pair(l.corrects, what));
        }
        if let Some(due) = invoice.due {
            meta.push(pair(l.due, long_date(due, locale)));
        }
        if let Some((from, to)) = invoice.period {
            let span = format!("{} – {}", long_date(from, locale), long_date(to, locale));
            meta.push(pair(l.period, span));
        }

        let tax_name = tax_name(invoice, locale, l);
        let unit = if invoice.tax.is_none() {
            l.unit
        } else {
            match invoice.display {
                TaxDisplay::Exclusive => l.unit_net,
                TaxDisplay::Inclusive => l.unit_gross,
            }
        };
        let columns = Columns {
            position: l.position,
            description: l.description,
            quantity: l.quantity,
            unit,
            net: l.net,
            tax: tax_name.clone(),
            gross: l.gross,
        };
        let lines = invoice
            .lines
            .iter()
            .zip(&totals.lines)
            .enumerate()
            .map(|(i, (line, t))| LineView {
                position: (i + 1).to_string(),
                description: line.description.clone(),
                quantity: line.quantity.to_string(),
                unit: storefront_core::Money::new(line.unit, invoice.currency).format(locale),
                net: money(t.net),
                tax: money(t.tax),
                gross: money(t.gross),
            })
            .collect();
        let totals = vec![
            pair(l.total_net, money(totals.net)),
            pair(&tax_name, money(totals.tax)),
            pair(l.total, money(totals.gross)),
        ];

        let payment = invoice.payment.as_ref().map(|p| PaymentView {
            heading: l.pay_to,
            accounts: p
                .accounts
                .iter()
                .map(|a| {
                    vec![
                        pair(l.bank, a.bank.clone()),
                        pair(l.holder, a.holder.clone()),
                        pair(l.account, a.number.clone()),
                    ]
                })
                .collect(),
            reference: pair(l.reference, p.reference.clone()),
        });

        Ok(View {
            lang: locale.code(),
            title: title.to_owned(),
            number: invoice.number.clone(),
            mark: None,
            meta,
            parties: [
                party(&invoice.seller, l.seller, l),
                party(&invoice.buyer, l.buyer, l),
            ],
            columns,
            lines,
            totals,
            payment,
            proforma_note: (invoice.kind == Kind::Proforma).then_some(l.proforma_note),
            notes_heading: l.notes,
            notes: invoice.notes.clone(),
            page: l.page,
        })
    }
}

/// The same view marked as a duplicate issued on `issued`: the word under
/// the number and the copy's date after the original's (art. 106l).
impl View {
    pub fn duplicate(
        invoice: &Invoice,
        locale: Locale,
        issued: chrono::NaiveDate,
    ) -> Result<View, MoneyError> {
        let l = labels(locale);
        let mut view = View::of(invoice, locale)?;
        view.mark = Some(l.duplicate);
        view.meta
            .insert(1, pair(l.duplicate_issued, long_date(issued, locale)));
        Ok(view)
    }
}

/// "VAT 23%", "PPN 11%", "Podatek 0%": the tax's own label, or the word
/// for tax when it has none, and the rate as the language writes decimals.
fn tax_name(invoice: &Invoice, locale: Locale, l: &Labels) -> String {
    let label = invoice.tax.label.trim();
    let label = if label.is_empty() { l.tax } else { label };
    let mut percent = invoice.tax.percent.normalize().to_string();
    if locale != Locale::En {
        percent = percent.replace('.', ",");
    }
    format!("{label} {percent}%")
}

fn party(p: &Party, heading: &'static str, l: &Labels) -> PartyView {
    let mut lines = Vec::new();
    let name = match &p.company {
        Some(company) if !company.trim().is_empty() => {
            lines.push(p.name.clone());
            company.clone()
        }
        _ => p.name.clone(),
    };
    lines.extend(p.address.iter().cloned());
    if let Some(id) = p.tax_id.as_ref().filter(|id| !id.trim().is_empty()) {
        lines.push(format!("{}: {id}", l.tax_id));
    }
    if let Some(email) = p.email.as_ref().filter(|e| !e.trim().is_empty()) {
        lines.push(format!("{}: {email}", l.email));
    }
    lines.retain(|line| !line.trim().is_empty());
    PartyView {
        heading,
        name,
        lines,
    }
}
