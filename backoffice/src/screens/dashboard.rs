//! The dashboard's figures, each read from the counters the store keeps as
//! orders, domains, top-ups and documents change (`storefront_functions::
//! stats`): a few reads, whatever the storefront's size, and every figure
//! formatted here (amounts with core's `Money` in the page's language),
//! never computed in the template.
//!
//! What a view reads: the period's days of the storefront (one query) and
//! of each sub-reseller below it (per sub-reseller: its days, the list of
//! its own sub-resellers, and its published snapshot, usually cached); the
//! domains by status (one read); the domains expiring in the next 30 days
//! (one query); the wallet (one read); what waits (one read); the list of
//! the storefront's sub-resellers (one query). Each only for a role that
//! may see it.

use crate::{Staff, i18n};
use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use storefront_core::ledger::Party;
use storefront_core::money::Money;
use storefront_core::{Currency, Locale};
use storefront_functions::accounts::error::AccountsError;
use storefront_functions::accounts::roles::Capability;
use storefront_functions::catalog;
use storefront_functions::orders::model::DomainStatus;
use storefront_functions::stats::{self, Counters};

/// Domains counted as expiring: from today to this many days later.
pub(crate) const EXPIRING_DAYS: u32 = 30;

/// The most sub-resellers a dashboard lists (each costs a few reads).
const MAX_SUB_RESELLERS: usize = 100;

/// The period as the form sends it: `this_month` (the default),
/// `last_month`, or `custom` with `from` and `to` (YYYY-MM-DD).
#[derive(Deserialize, Default)]
pub(crate) struct PeriodForm {
    #[serde(default)]
    pub period: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

/// A period's first and last day, both included, in the storefront's days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    pub choice: &'static str,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What is wrong with a period as typed: the field and what to say.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PeriodProblem {
    pub field: &'static str,
    pub key: &'static str,
    pub value: String,
}

fn month_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = day.with_day(1).unwrap_or(day);
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(day);
    (first, last)
}

/// The period asked for, on the storefront's `today`.
pub(crate) fn period(f: &PeriodForm, today: NaiveDate) -> Result<Period, PeriodProblem> {
    let problem = |field, key, value: &str| PeriodProblem {
        field,
        key,
        value: value.to_string(),
    };
    match f.period.as_deref().map(str::trim).unwrap_or("this_month") {
        "" | "this_month" => {
            let (from, to) = month_of(today);
            Ok(Period {
                choice: "this_month",
                from,
                to,
            })
        }
        "last_month" => {
            let (first, _) = month_of(today);
            let (from, to) = month_of(first.pred_opt().unwrap_or(first));
            Ok(Period {
                choice: "last_month",
                from,
                to,
            })
        }
        "custom" => {
            let day = |field, typed: &Option<String>| {
                let s = typed.as_deref().unwrap_or("").trim();
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| problem(field, "dash_error_date", s))
            };
            let from = day("from", &f.from)?;
            let to = day("to", &f.to)?;
            if to < from {
                return Err(problem("to", "dash_error_upside_down", &to.to_string()));
            }
            if (to - from).num_days() + 1 > stats::MAX_DAYS {
                return Err(problem(
                    "to",
                    "dash_error_too_long",
                    &stats::MAX_DAYS.to_string(),
                ));
            }
            Ok(Period {
                choice: "custom",
                from,
                to,
            })
        }
        other => Err(problem("period", "dash_error_period", other)),
    }
}

/// A count as shown: a store older than its counters may have counted a
/// change out that it never counted in, which reads as below zero; nobody
/// has fewer than none.
fn count(c: &Counters, name: &str) -> String {
    c.get(name)
        .copied()
        .unwrap_or_default()
        .max(Decimal::ZERO)
        .normalize()
        .to_string()
}

fn amount(c: &Counters, name: &str, currency: Currency, lang: Locale) -> String {
    Money::new(c.get(name).copied().unwrap_or_default(), currency).format(lang)
}

/// One storefront's row of the period's sales: paid orders, what they
/// came to, what went back (refunded, or released when the registry
/// refused or the documents never came), and what stays.
fn sales_row(
    id: &str,
    name: &str,
    depth: usize,
    c: &Counters,
    cur: Currency,
    lang: Locale,
) -> Value {
    let get = |k: &str| c.get(k).copied().unwrap_or_default();
    let back = get(stats::REFUNDED) + get(stats::RELEASED);
    json!({
        "id": id,
        "name": name,
        "depth": depth,
        "orders": count(c, stats::ORDERS),
        "gross": amount(c, stats::GROSS, cur, lang),
        "back": Money::new(back, cur).format(lang),
        "net": Money::new(get(stats::GROSS) - back, cur).format(lang),
    })
}

/// The sales of the storefront and of every sub-reseller below it (by
/// their storefronts' names), for the period.
async fn sales(
    bo: &crate::BackOffice,
    staff: &Staff,
    p: Period,
) -> Result<Vec<Value>, AccountsError> {
    let orders = &bo.shop.orders;
    let store = orders.store.as_ref();
    let lang = staff.lang;
    let own = stats::period(store, &staff.reseller, p.from, p.to).await?;
    let mut rows = vec![sales_row(
        &staff.reseller,
        &staff.snapshot.name,
        0,
        &own,
        staff.snapshot.currency,
        lang,
    )];
    // Down the tree, each sub-reseller after its parent: the catalogue's
    // list, so one that has no wallet yet is there too (as in the report).
    for (s, depth) in catalog::sub_reseller_tree(store, &staff.reseller, MAX_SUB_RESELLERS).await? {
        let theirs = stats::period(store, &s.reseller, p.from, p.to).await?;
        rows.push(sales_row(
            &s.reseller,
            &s.name,
            depth,
            &theirs,
            s.currency,
            lang,
        ));
    }
    Ok(rows)
}

/// Fill the dashboard's blocks this role may see into `c`; the answer's
/// status: 400 when the period was typed wrong (the form says why, the
/// other blocks are shown all the same).
pub(crate) async fn fill(
    bo: &crate::BackOffice,
    staff: &Staff,
    c: &mut tera::Context,
    form: &PeriodForm,
) -> Result<axum::http::StatusCode, AccountsError> {
    let orders = &bo.shop.orders;
    let store = orders.store.as_ref();
    let lang = staff.lang;
    let today = staff.snapshot.today(bo.clock.now());
    let asked = period(form, today);
    let mut status = axum::http::StatusCode::OK;
    // The form shows what was typed, or the period it chose.
    let (from_shown, to_shown, choice) = match &asked {
        Ok(p) => (p.from.to_string(), p.to.to_string(), p.choice.to_string()),
        Err(_) => (
            form.from.clone().unwrap_or_default(),
            form.to.clone().unwrap_or_default(),
            form.period.clone().unwrap_or_default(),
        ),
    };
    c.insert(
        "period",
        &json!({"choice": choice, "from": from_shown, "to": to_shown}),
    );
    match &asked {
        Err(e) => {
            status = axum::http::StatusCode::BAD_REQUEST;
            // Named by the field's own label, as the form shows it.
            let label = i18n::text(lang, &format!("dash_{}", e.field));
            let said = i18n::fill(lang, e.key, &[("value", &e.value)]);
            c.insert(
                "period_problem",
                &json!({"field": e.field, "message": format!("{label}: {said}")}),
            );
        }
        Ok(_) => c.insert("period_problem", &Value::Null),
    }

    let sales = async {
        match (&asked, staff.may(Capability::Reports)) {
            (Ok(p), true) => sales(bo, staff, *p).await.map(Some),
            _ => Ok(None),
        }
    };
    let domains = async {
        if !staff.may(Capability::Orders) {
            return Ok::<_, AccountsError>(None);
        }
        let (by_status, expiring) = tokio::try_join!(
            stats::totals(store, &staff.reseller, stats::DOMAINS_SK),
            stats::expiring(store, &staff.reseller, today, EXPIRING_DAYS),
        )?;
        let statuses: Vec<Value> = DomainStatus::ALL
            .into_iter()
            .map(|s| {
                json!({
                    "code": s.code(),
                    "label": i18n::text(lang, &format!("dash_domains_{}", s.code())),
                    "count": count(&by_status, stats::status_counter(s)),
                })
            })
            .collect();
        let expiring = expiring.max(Decimal::ZERO).normalize().to_string();
        Ok(Some(json!({"statuses": statuses, "expiring": expiring})))
    };
    let wallet = async {
        if !staff.may(Capability::Wallet) {
            return Ok::<_, AccountsError>(None);
        }
        let w = orders
            .ledger
            .wallet(&Party::reseller(&staff.reseller))
            .await?;
        let currency = w.as_ref().map_or(staff.snapshot.currency, |w| w.currency);
        let available = w.map(|w| w.balance.available()).unwrap_or_default();
        let threshold = stats::low_balance(currency);
        let low = available < threshold;
        let line = i18n::fill(
            lang,
            "dash_wallet_low",
            &[("threshold", &Money::new(threshold, currency).format(lang))],
        );
        Ok(Some(json!({
            "available": Money::new(available, currency).format(lang),
            "low": low.then_some(line),
        })))
    };
    let waiting = async {
        if !(staff.may(Capability::TopUps) || staff.may(Capability::Documents)) {
            return Ok::<_, AccountsError>(Counters::new());
        }
        Ok(stats::totals(store, &staff.reseller, stats::WAITING_SK).await?)
    };
    let (sales, domains, wallet, waiting) = tokio::try_join!(sales, domains, wallet, waiting)?;
    c.insert("sales", &sales);
    c.insert("domains", &domains);
    c.insert("wallet", &wallet);
    c.insert("waiting_topups", &count(&waiting, stats::TOPUPS));
    c.insert("waiting_documents", &count(&waiting, stats::DOCUMENTS));
    c.insert(
        "period_line",
        &match &asked {
            Ok(p) => i18n::fill(
                lang,
                "dash_period_line",
                &[("from", &p.from.to_string()), ("to", &p.to.to_string())],
            ),
            Err(_) => String::new(),
        },
    );
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(period: &str, from: &str, to: &str) -> PeriodForm {
        PeriodForm {
            period: Some(period.into()),
            from: Some(from.into()),
            to: Some(to.into()),
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a day")
    }

    #[test]
    fn periods_are_months_or_typed_days() {
        let today = day("2026-03-15");
        let p = period(&PeriodForm::default(), today).expect("this month");
        assert_eq!((p.from, p.to), (day("2026-03-01"), day("2026-03-31")));
        let p = period(&typed("last_month", "", ""), today).expect("last month");
        assert_eq!((p.from, p.to), (day("2026-02-01"), day("2026-02-28")));
        let p = period(&typed("last_month", "", ""), day("2026-01-02")).expect("december");
        assert_eq!((p.from, p.to), (day("2025-12-01"), day("2025-12-31")));
        let p = period(&typed("custom", "2026-01-05", "2026-01-05"), today).expect("one day");
        assert_eq!((p.from, p.to), (day("2026-01-05"), day("2026-01-05")));
    }

    #[test]
    fn a_period_typed_wrong_names_its_field() {
        let today = day("2026-03-15");
        let wrong = |f: PeriodForm| period(&f, today).expect_err("refused");
        assert_eq!(
            wrong(typed("custom", "2026-13-01", "2026-01-05")),
            PeriodProblem {
                field: "from",
                key: "dash_error_date",
                value: "2026-13-01".into()
            }
        );
        assert_eq!(wrong(typed("custom", "2026-01-05", "")).field, "to");
        assert_eq!(
            wrong(typed("custom", "2026-02-05", "2026-01-05")).key,
            "dash_error_upside_down"
        );
        assert_eq!(
            wrong(typed("custom", "2024-01-01", "2026-01-05")).key,
            "dash_error_too_long"
        );
        assert_eq!(wrong(typed("yesterday", "", "")).field, "period");
    }
}
