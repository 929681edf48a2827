//! Totals: exact, consistent line by line, with the tax's own rounding.

mod common;

use common::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use storefront_core::money::{Currency, Money, Tax, TaxDisplay, TaxRounding};
use storefront_invoice::{Invoice, Kind, LineTotals, Totals, number};

fn amounts(t: &LineTotals) -> (Decimal, Decimal, Decimal) {
    (t.net.amount(), t.tax.amount(), t.gross.amount())
}

/// Every line adds up, and the lines add up to the totals.
fn assert_consistent(invoice: &Invoice, totals: &Totals) {
    let c = invoice.currency;
    assert_eq!(totals.lines.len(), invoice.lines.len());
    for t in totals.lines.iter().chain([&LineTotals {
        net: totals.net,
        tax: totals.tax,
        gross: totals.gross,
    }]) {
        assert_eq!(t.net.checked_add(t.tax).unwrap(), t.gross, "{t:?}");
        for m in [t.net, t.tax, t.gross] {
            assert_eq!(m.currency(), c);
            assert_eq!(m.amount().scale(), c.minor_units(), "{m:?}");
        }
    }
    let sum =
        |f: fn(&LineTotals) -> Money| Money::checked_sum(c, totals.lines.iter().map(f)).unwrap();
    assert_eq!(sum(|t| t.net), totals.net);
    assert_eq!(sum(|t| t.tax), totals.tax);
    assert_eq!(sum(|t| t.gross), totals.gross);
}

#[test]
fn idr_inclusive_ppn_11() {
    let invoice = nusantara();
    let t = invoice.totals();
    assert_consistent(&invoice, &t);
    // 249000 * 11 / 111 = 24675.68 -> 24676.
    assert_eq!(t.gross.amount(), dec!(249000));
    assert_eq!(t.tax.amount(), dec!(24676));
    assert_eq!(t.net.amount(), dec!(224324));
    // Shares 14864.86 and 9810.81: floors 14864 + 9810, the two rupiah
    // left go one to each.
    assert_eq!(
        amounts(&t.lines[0]),
        (dec!(135135), dec!(14865), dec!(150000))
    );
    assert_eq!(amounts(&t.lines[1]), (dec!(89189), dec!(9811), dec!(99000)));
    assert_eq!(t.gross.amount().to_string(), "249000");
}

#[test]
fn lines_with_the_tax_an_order_charged_print_it_and_add_it_up() {
    // An order of three PLN lines shown without VAT (10.01, 10.01, 10.01):
    // 23% on the total 30.03 is 6.9069 -> 6.91, shared 2.31, 2.30, 2.30.
    // The registry refused the first: its invoice has the other two, with
    // the 2.30 each the wallet paid, not the 4.60 that 23% of 20.02 (4.6046
    // -> 4.60) happens to give here nor any other sharing.
    let mut invoice = sieciowo();
    invoice.lines = vec![line("b.pl", 1, dec!(10.01)), line("c.pl", 1, dec!(10.01))];
    for l in &mut invoice.lines {
        l.tax = Some(dec!(2.30));
    }
    let t = invoice.totals();
    assert_consistent(&invoice, &t);
    assert_eq!(amounts(&t.lines[0]), (dec!(10.01), dec!(2.30), dec!(12.31)));
    assert_eq!(
        (t.net.amount(), t.tax.amount(), t.gross.amount()),
        (dec!(20.02), dec!(4.60), dec!(24.62))
    );
    // A charged tax that differs from a fresh sharing is kept as charged.
    invoice.lines[0].tax = Some(dec!(2.31));
    let t = invoice.totals();
    assert_consistent(&invoice, &t);
    assert_eq!(t.tax.amount(), dec!(4.61));
    assert_eq!(t.gross.amount(), dec!(24.63));
    // One line without a charged tax: the invoice shares its tax out itself.
    invoice.lines[1].tax = None;
    assert_eq!(invoice.totals().tax.amount(), dec!(4.60));
}

#[test]
fn pln_exclusive_vat_23_rounds_half_up() {
    let invoice = sieciowo();
    let t = invoice.totals();
    assert_consistent(&invoice, &t);
    // 49.50 * 23% = 11.385: half a grosz, up.
    assert_eq!(t.net.amount(), dec!(49.50));
    assert_eq!(t.tax.amount(), dec!(11.39));
    assert_eq!(t.gross.amount(), dec!(60.89));
    assert_eq!(amounts(&t.lines[0]), (dec!(39.00), dec!(8.97), dec!(47.97)));
    // 2.415 rounded down to 2.41, plus the grosz left over.
    assert_eq!(amounts(&t.lines[1]), (dec!(10.50), dec!(2.42), dec!(12.92)));

    // Half-even would have made it 11.38, and the lines follow.
    let mut even = invoice.clone();
    even.tax.rounding = TaxRounding::HalfEven;
    let t = even.totals();
    assert_consistent(&even, &t);
    assert_eq!(t.tax.amount(), dec!(11.38));
    assert_eq!(t.gross.amount(), dec!(60.88));
    assert_eq!(amounts(&t.lines[1]), (dec!(10.50), dec!(2.41), dec!(12.91)));
}

#[test]
fn pln_half_up_cases_where_half_even_differs() {
    // (lines as quantity and unit, half-even tax, half-up tax)
    type Case = (Vec<(u32, Decimal)>, Decimal, Decimal);
    let cases: [Case; 4] = [
        (vec![(1, dec!(1.50))], dec!(0.34), dec!(0.35)),
        (vec![(3, dec!(16.50))], dec!(11.38), dec!(11.39)),
        (
            vec![(1, dec!(0.75)), (1, dec!(0.75))],
            dec!(0.34),
            dec!(0.35),
        ),
        (
            vec![(1, dec!(99.99)), (1, dec!(3.51))],
            dec!(23.80),
            dec!(23.81),
        ),
    ];
    for (lines, half_even, half_up) in cases {
        for (rounding, expected) in [
            (TaxRounding::HalfEven, half_even),
            (TaxRounding::HalfUp, half_up),
        ] {
            let mut invoice = sieciowo();
            invoice.tax.rounding = rounding;
            invoice.lines = lines
                .iter()
                .map(|&(q, unit)| line("Domena", q, unit))
                .collect();
            let t = invoice.totals();
            assert_consistent(&invoice, &t);
            assert_eq!(t.tax.amount(), expected, "{lines:?} {rounding:?}");
        }
    }
}

#[test]
fn usd_without_tax() {
    let invoice = northwind();
    let t = invoice.totals();
    assert_consistent(&invoice, &t);
    assert_eq!(t.net.amount(), dec!(34.48));
    assert!(t.tax.is_zero());
    assert_eq!(t.tax.amount().to_string(), "0.00");
    assert_eq!(t.gross.amount(), dec!(34.48));
    assert_eq!(amounts(&t.lines[0]), (dec!(25.98), dec!(0.00), dec!(25.98)));
}

#[test]
fn no_lines_totals_zero() {
    let mut invoice = northwind();
    invoice.lines.clear();
    let t = invoice.totals();
    assert!(t.lines.is_empty());
    assert_eq!(t.gross.amount().to_string(), "0.00");
    assert_consistent(&invoice, &t);
}

#[test]
fn refund_lines_mirror_charges() {
    let mut invoice = sieciowo();
    invoice.lines = vec![line("Zwrot", 1, dec!(-1.50))];
    let t = invoice.totals();
    assert_consistent(&invoice, &t);
    // Half-up is away from zero: a refund mirrors its charge.
    assert_eq!(t.tax.amount(), dec!(-0.35));
}

#[test]
fn invalid_tax_is_an_error() {
    let mut invoice = sieciowo();
    invoice.tax.percent = dec!(123);
    assert!(invoice.try_totals().is_err());
}

#[test]
fn numbers() {
    assert_eq!(number("INV", 2026, 123), "INV/2026/000123");
    assert_eq!(number("PRO", 2026, 45), "PRO/2026/000045");
    assert_eq!(number("INV", 2027, 1), "INV/2027/000001");
    assert_eq!(number("INV", 2026, 1_234_567), "INV/2026/1234567");
}

#[test]
fn invoice_round_trips_through_json() {
    for invoice in [nusantara(), sieciowo(), northwind()] {
        let json = serde_json::to_string(&invoice).unwrap();
        let back: Invoice = serde_json::from_str(&json).unwrap();
        assert_eq!(back, invoice);
        let totals = invoice.totals();
        let json = serde_json::to_string(&totals).unwrap();
        assert_eq!(serde_json::from_str::<Totals>(&json).unwrap(), totals);
    }
    let json = serde_json::to_value(sieciowo()).unwrap();
    assert_eq!(json["kind"], "tax");
    assert_eq!(json["issued"], "2026-09-15");
    assert_eq!(json["lines"][1]["unit"], "10.50");
    assert_eq!(json["tax"]["rounding"], "half-up");
    assert_eq!(
        serde_json::to_value(Kind::MonthlyTax).unwrap(),
        "monthly-tax"
    );
    assert_eq!(
        serde_json::to_value(northwind()).unwrap()["period"],
        serde_json::json!(["2026-01-01", "2026-01-31"])
    );
}

#[test]
fn invoice_json_is_strict() {
    let mut json = serde_json::to_value(sieciowo()).unwrap();
    json["buyer"]["nickname"] = "x".into();
    assert!(serde_json::from_value::<Invoice>(json).is_err());
    let mut json = serde_json::to_value(sieciowo()).unwrap();
    json["lines"][0]["unit"] = serde_json::json!(39.99);
    let err = serde_json::from_value::<Invoice>(json).unwrap_err();
    assert!(err.to_string().contains("floats are not accepted"), "{err}");
}

fn invoice_strategy() -> impl Strategy<Value = Invoice> {
    let currency = prop::sample::select(Currency::ALL.to_vec());
    let percent = prop_oneof![
        Just(dec!(0)),
        Just(dec!(11)),
        Just(dec!(12)),
        Just(dec!(23)),
        (0i64..=10_000).prop_map(|m| Decimal::new(m, 2)),
    ];
    let rounding = prop::sample::select(vec![TaxRounding::HalfEven, TaxRounding::HalfUp]);
    let display = prop::sample::select(vec![TaxDisplay::Exclusive, TaxDisplay::Inclusive]);
    // Units up to 10^9 with up to 3 decimals (a third decimal is off the
    // grid and rounds per line), some of them refunds.
    let unit = (-1_000_000i64..1_000_000_000_000, 0u32..=3).prop_map(|(m, s)| Decimal::new(m, s));
    let lines = prop::collection::vec((0u32..50, unit), 0..12);
    (currency, percent, rounding, display, lines).prop_map(
        |(currency, percent, rounding, display, lines)| {
            let mut invoice = northwind();
            invoice.currency = currency;
            invoice.tax = Tax {
                label: "Tax".to_owned(),
                percent,
                rounding,
            };
            invoice.display = display;
            invoice.lines = lines
                .into_iter()
                .map(|(q, unit)| line("x", q, unit))
                .collect();
            invoice
        },
    )
}

proptest! {
    #[test]
    fn totals_add_up_and_match_core(invoice in invoice_strategy()) {
        let t = invoice.totals();
        assert_consistent(&invoice, &t);
        let c = invoice.currency;
        let unit = c.minor_unit();
        for (line, lt) in invoice.lines.iter().zip(&t.lines) {
            // The printed amount is quantity x unit, rounded half-even.
            let shown = Money::new(line.unit * Decimal::from(line.quantity), c)
                .round(storefront_core::money::Rounding::HalfEven);
            let (base, amount) = match invoice.display {
                TaxDisplay::Exclusive => (dec!(100), lt.net),
                TaxDisplay::Inclusive => (dec!(100) + invoice.tax.percent, lt.gross),
            };
            prop_assert_eq!(amount, shown);
            // A line's tax is within one minor unit of its exact share.
            let exact = shown.amount() * invoice.tax.percent / base;
            prop_assert!((lt.tax.amount() - exact).abs() < unit, "{:?} vs {}", lt, exact);
        }
        if !invoice.lines.is_empty() {
            let whole = match invoice.display {
                TaxDisplay::Exclusive => invoice.tax.on_net(t.net),
                TaxDisplay::Inclusive => invoice.tax.from_gross(t.gross),
            };
            prop_assert_eq!(whole.tax, t.tax);
        }
    }
}
