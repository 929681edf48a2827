//! Properties of money, tax and formatting over realistic amounts, and the
//! serde contract for content files and APIs.

use std::cmp::Ordering;

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Deserialize;
use storefront_core::Locale;
use storefront_core::money::{
    Currency, Money, Rounding, Tax, TaxBreakdown, TaxDisplay, TaxRounding, format_amount,
    parse_amount,
};

const ROUNDINGS: [Rounding; 4] = [
    Rounding::HalfEven,
    Rounding::HalfUp,
    Rounding::Up,
    Rounding::Down,
];

/// |x| < 10^13 with 0..=4 decimals: beyond any real price, and still
/// exact under every operation tested here.
fn amount() -> impl Strategy<Value = Decimal> {
    (0u32..=4).prop_flat_map(|scale| {
        let bound = 10i64.pow(13 + scale);
        (-bound + 1..bound).prop_map(move |mantissa| Decimal::new(mantissa, scale))
    })
}

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(Currency::ALL.to_vec())
}

fn locale() -> impl Strategy<Value = Locale> {
    prop::sample::select(Locale::ALL.to_vec())
}

fn rounding() -> impl Strategy<Value = Rounding> {
    prop::sample::select(ROUNDINGS.to_vec())
}

/// Mostly realistic amounts, with a share of tiny ones (|x| < 2, up to
/// four decimals) where rounding to zero and half-way cases are common.
fn money() -> impl Strategy<Value = Money> {
    let tiny = (-20_000i64..20_000).prop_map(|m| Decimal::new(m, 4));
    (prop_oneof![3 => amount(), 1 => tiny], currency()).prop_map(|(a, c)| Money::new(a, c))
}

/// The rates in use (none, PPN 11% and 12%, Polish VAT 23%) and any
/// 0..=100 with up to two decimals, rounded either way.
fn tax() -> impl Strategy<Value = Tax> {
    (
        prop_oneof![
            Just(dec!(0)),
            Just(dec!(11)),
            Just(dec!(12)),
            Just(dec!(23)),
            (0i64..=10_000).prop_map(|m| Decimal::new(m, 2)),
        ],
        prop::sample::select(vec![TaxRounding::HalfEven, TaxRounding::HalfUp]),
    )
        .prop_map(|(percent, rounding)| Tax {
            label: "Tax".to_owned(),
            percent,
            rounding,
        })
}

/// Any Decimal at all, for "never panics".
fn any_decimal() -> impl Strategy<Value = Decimal> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
        any::<bool>(),
        0u32..=28,
    )
        .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale))
}

fn unit(c: Currency) -> Decimal {
    c.minor_unit()
}

fn assert_breakdown_consistent(b: &TaxBreakdown, c: Currency) {
    assert_eq!(b.net.checked_add(b.tax).unwrap(), b.gross, "{b:?}");
    for part in [b.net, b.tax, b.gross] {
        assert_eq!(part.currency(), c);
        assert!(part.amount().scale() <= c.minor_units(), "{b:?}");
    }
}

/// Reads the number back out of a formatted price: drops the symbol and
/// the grouping, turns the decimal separator into ".".
fn digits_back(formatted: &str, locale: Locale) -> String {
    let decimal = if locale == Locale::En { '.' } else { ',' };
    formatted
        .chars()
        .filter_map(|ch| match ch {
            '0'..='9' | '-' => Some(ch),
            _ if ch == decimal => Some('.'),
            _ => None,
        })
        .collect()
}

proptest! {
    #[test]
    fn on_net_adds_up(net in amount(), c in currency(), tax in tax()) {
        let b = tax.on_net(Money::new(net, c));
        assert_breakdown_consistent(&b, c);
        prop_assert_eq!(b.net, Money::new(net, c).round(Rounding::HalfEven));
        // Tax never flips the sign of a price.
        prop_assert!(b.tax.is_zero() || b.tax.is_negative() == b.net.is_negative());
    }

    #[test]
    fn from_gross_adds_up_and_comes_back(gross in amount(), c in currency(), tax in tax()) {
        let b = tax.from_gross(Money::new(gross, c));
        assert_breakdown_consistent(&b, c);
        prop_assert_eq!(b.gross, Money::new(gross, c).round(Rounding::HalfEven));

        let again = tax.on_net(b.net).gross;
        let drift = again.checked_sub(b.gross).unwrap().amount().abs();
        prop_assert!(drift <= unit(c), "{:?} -> {:?}, drift {}", b, again, drift);
    }

    #[test]
    fn on_lines_is_on_net_of_the_sum(
        c in currency(),
        tax in tax(),
        nets in prop::collection::vec(amount(), 1..8),
    ) {
        let lines: Vec<Money> = nets.iter().map(|&a| Money::new(a, c)).collect();
        let b = tax.on_lines(&lines).unwrap();
        let rounded = lines.iter().map(|l| l.round(Rounding::HalfEven));
        let sum = Money::checked_sum(c, rounded).unwrap();
        prop_assert_eq!(b.tax, tax.on_net(sum).tax);
        prop_assert_eq!(b, tax.on_net(sum));
        assert_breakdown_consistent(&b, c);
    }

    #[test]
    fn round_is_idempotent(m in money(), r in rounding(), again in rounding()) {
        let once = m.round(r);
        prop_assert_eq!(once.amount().scale(), m.currency().minor_units());
        // Once on the grid, every strategy leaves the amount alone.
        prop_assert_eq!(once.round(again), once);
        prop_assert_eq!(once.round(again).amount().to_string(), once.amount().to_string());
    }

    #[test]
    fn round_stays_close_in_the_right_direction(m in money(), r in rounding()) {
        let x = m.amount();
        let rounded = m.round(r).amount();
        let u = unit(m.currency());
        match r {
            Rounding::HalfEven | Rounding::HalfUp => {
                prop_assert!((rounded - x).abs() * dec!(2) <= u, "{} -> {}", x, rounded);
            }
            Rounding::Up => prop_assert!(rounded >= x && rounded - x < u, "{} -> {}", x, rounded),
            Rounding::Down => prop_assert!(rounded <= x && x - rounded < u, "{} -> {}", x, rounded),
        }
    }

    #[test]
    fn rounding_is_symmetric_about_zero(m in money()) {
        let neg = Money::new(-m.amount(), m.currency());
        let negated = |x: Money| Money::new(-x.amount(), x.currency());
        // A refund rounds to exactly minus its charge.
        prop_assert_eq!(neg.round(Rounding::HalfEven), negated(m.round(Rounding::HalfEven)));
        prop_assert_eq!(neg.round(Rounding::HalfUp), negated(m.round(Rounding::HalfUp)));
        // Ceiling and floor mirror each other.
        prop_assert_eq!(neg.round(Rounding::Up), negated(m.round(Rounding::Down)));
    }

    #[test]
    fn halves_go_where_documented(k in -10i64.pow(13)..10i64.pow(13), c in currency()) {
        let units = c.minor_units();
        // k + 0.5 minor units.
        let half = Money::new(Decimal::new(2 * k + 1, units + 1) * dec!(5), c);
        let even = half.round(Rounding::HalfEven).amount();
        let up = half.round(Rounding::HalfUp).amount();
        let k_dec = Decimal::new(k, units);
        let next = k_dec + c.minor_unit();
        let is_even = |d: Decimal| (d / c.minor_unit()) % dec!(2) == Decimal::ZERO;
        prop_assert!(even == k_dec || even == next);
        prop_assert!(is_even(even), "{} -> {}", half.amount(), even);
        prop_assert_eq!(up, if k >= 0 { next } else { k_dec });
    }

    #[test]
    fn round_to_step_lands_on_a_multiple(
        m in money(),
        r in rounding(),
        step in prop_oneof![
            Just(dec!(1000)),
            Just(dec!(500)),
            Just(dec!(1)),
            Just(dec!(0.05)),
            Just(dec!(0.01)),
            (1i64..=1_000_000, 0u32..=3).prop_map(|(m, s)| Decimal::new(m, s)),
        ],
    ) {
        let x = m.amount();
        let rounded = m.round_to_step(step, r).amount();
        prop_assert!((rounded % step).is_zero(), "{} by {} -> {}", x, step, rounded);
        match r {
            Rounding::HalfEven | Rounding::HalfUp => {
                prop_assert!((rounded - x).abs() * dec!(2) <= step);
            }
            Rounding::Up => prop_assert!(rounded >= x && rounded - x < step),
            Rounding::Down => prop_assert!(rounded <= x && x - rounded < step),
        }
    }

    #[test]
    fn add_is_commutative_and_associative(a in amount(), b in amount(), c in amount(), cur in currency()) {
        let (a, b, c) = (Money::new(a, cur), Money::new(b, cur), Money::new(c, cur));
        prop_assert_eq!(a.checked_add(b).unwrap(), b.checked_add(a).unwrap());
        prop_assert_eq!(
            a.checked_add(b).unwrap().checked_add(c).unwrap(),
            a.checked_add(b.checked_add(c).unwrap()).unwrap()
        );
        prop_assert_eq!(a.checked_add(b).unwrap().checked_sub(b).unwrap(), a);
        prop_assert_eq!(
            a.checked_cmp(&b).unwrap(),
            a.amount().cmp(&b.amount())
        );
    }

    #[test]
    fn format_reads_back_as_the_rounded_amount(m in money(), locale in locale()) {
        let formatted = m.format(locale);
        prop_assert!(!formatted.contains(' '), "ASCII space in {:?}", formatted);
        let back = digits_back(&formatted, locale);
        let expected = m.round(Rounding::HalfEven).amount();
        prop_assert_eq!(parse_amount(&back), Ok(expected), "{:?}", formatted);
        // Exactly minor_units decimals.
        let decimals = back.split_once('.').map_or(0, |(_, f)| f.len());
        prop_assert_eq!(decimals, m.currency().minor_units() as usize, "{:?}", formatted);
        prop_assert_eq!(formatted.starts_with('-'), expected.is_sign_negative() && !expected.is_zero());
    }

    #[test]
    fn format_never_panics(d in any_decimal(), c in currency(), locale in locale()) {
        let formatted = format_amount(d, c, locale);
        prop_assert!(formatted.chars().any(|ch| ch.is_ascii_digit()));
        prop_assert!(!formatted.contains(' '));
    }

    #[test]
    fn parse_amount_reads_what_decimal_writes(d in any_decimal()) {
        let parsed = parse_amount(&d.to_string()).unwrap();
        prop_assert_eq!(parsed, d);
        prop_assert_eq!(parsed.scale(), d.scale());
    }

    #[test]
    fn money_round_trips_through_json(m in money()) {
        let json = serde_json::to_string(&m).unwrap();
        let expected = format!(
            r#"{{"amount":"{}","currency":"{}"}}"#,
            m.amount(),
            m.currency().code()
        );
        prop_assert_eq!(&json, &expected);
        let back: Money = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, m);
        prop_assert_eq!(back.amount().to_string(), m.amount().to_string());
    }
}

#[test]
fn money_json_shape() {
    let m = Money::new(dec!(150000), Currency::IDR);
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        r#"{"amount":"150000","currency":"IDR"}"#
    );
    let m: Money = serde_json::from_str(r#"{"amount":"15.99","currency":"PLN"}"#).unwrap();
    assert_eq!(m, Money::new(dec!(15.99), Currency::PLN));
    // Integers are exact, so they are allowed.
    let m: Money = serde_json::from_str(r#"{"amount":150000,"currency":"IDR"}"#).unwrap();
    assert_eq!(m, Money::new(dec!(150000), Currency::IDR));
}

#[test]
fn money_json_refuses_floats_and_sloppy_input() {
    for json in [
        r#"{"amount":15.99,"currency":"PLN"}"#,
        r#"{"amount":1.5e3,"currency":"PLN"}"#,
        r#"{"amount":"1e3","currency":"PLN"}"#,
        r#"{"amount":"1,500.00","currency":"PLN"}"#,
        r#"{"amount":" 15","currency":"PLN"}"#,
        r#"{"amount":"+15","currency":"PLN"}"#,
        r#"{"amount":"15","currency":"pln"}"#,
        r#"{"amount":"15","currency":"GBP"}"#,
        r#"{"amount":"15"}"#,
        r#"{"amount":"15","currency":"PLN","note":"x"}"#,
    ] {
        assert!(serde_json::from_str::<Money>(json).is_err(), "{json}");
    }
    let err = serde_json::from_str::<Money>(r#"{"amount":15.99,"currency":"PLN"}"#).unwrap_err();
    assert!(err.to_string().contains("floats are not accepted"), "{err}");
}

#[derive(Debug, Deserialize)]
struct Shop {
    tax: Tax,
}

#[test]
fn tax_from_toml() {
    let shop: Shop = toml::from_str(r#"tax = { label = "PPN", percent = "11" }"#).unwrap();
    assert_eq!(
        shop.tax,
        Tax {
            label: "PPN".to_owned(),
            percent: dec!(11),
            rounding: TaxRounding::HalfEven,
        }
    );
    let tax: Tax = toml::from_str("label = \"VAT\"\npercent = \"23\"\n").unwrap();
    assert_eq!(tax.percent, dec!(23));
    let tax: Tax = toml::from_str("label = \"PPN\"\npercent = 12\n").unwrap();
    assert_eq!(tax.percent, dec!(12));
    let tax: Tax = toml::from_str("label = \"\"\npercent = \"0\"\n").unwrap();
    assert!(tax.is_none());
}

#[test]
fn tax_toml_refuses_floats() {
    let err = toml::from_str::<Shop>(r#"tax = { label = "PPN", percent = 11.0 }"#).unwrap_err();
    assert!(err.to_string().contains("floats are not accepted"), "{err}");
    assert!(toml::from_str::<Shop>(r#"tax = { label = "VAT", percent = 23.5 }"#).is_err());
}

#[test]
fn tax_toml_refuses_invalid_taxes() {
    for doc in [
        r#"tax = { label = "X", percent = "150" }"#,
        r#"tax = { label = "X", percent = "-1" }"#,
        r#"tax = { label = "", percent = "11" }"#,
        r#"tax = { label = "PPN", percent = "1e1" }"#,
        r#"tax = { label = "PPN" }"#,
        r#"tax = { label = "PPN", percent = "11", rate = "11" }"#,
    ] {
        assert!(toml::from_str::<Shop>(doc).is_err(), "{doc}");
    }
    let err = toml::from_str::<Shop>(r#"tax = { label = "X", percent = "150" }"#).unwrap_err();
    assert!(err.to_string().contains("between 0 and 100"), "{err}");
}

/// Why `decimal_serde` exists: rust_decimal's own `Deserialize` (with the
/// workspace's `serde-with-str` feature) takes a float and keeps its binary
/// approximation's shortest rendering. If this starts failing, rust_decimal
/// has become strict and the helper could be reconsidered.
#[test]
fn plain_rust_decimal_would_accept_floats() {
    #[derive(Deserialize)]
    struct Loose {
        percent: Decimal,
    }
    let loose: Loose = toml::from_str("percent = 11.5").unwrap();
    assert_eq!(loose.percent, dec!(11.5));
}

#[test]
fn tax_serialises_percent_as_string() {
    let tax = Tax {
        label: "PPN".to_owned(),
        percent: dec!(11),
        rounding: TaxRounding::HalfEven,
    };
    assert_eq!(
        serde_json::to_string(&tax).unwrap(),
        r#"{"label":"PPN","percent":"11"}"#
    );
    let back: Tax = serde_json::from_str(&serde_json::to_string(&tax).unwrap()).unwrap();
    assert_eq!(back, tax);
}

#[test]
fn enums_serialise_as_documented() {
    assert_eq!(serde_json::to_string(&Currency::IDR).unwrap(), r#""IDR""#);
    assert_eq!(
        serde_json::to_string(&Rounding::HalfEven).unwrap(),
        r#""half-even""#
    );
    assert_eq!(
        serde_json::from_str::<Rounding>(r#""up""#).unwrap(),
        Rounding::Up
    );
    assert_eq!(Rounding::default(), Rounding::HalfEven);
    assert_eq!(
        serde_json::to_string(&TaxDisplay::Inclusive).unwrap(),
        r#""inclusive""#
    );
    let b = Tax {
        label: "PPN".to_owned(),
        percent: dec!(11),
        rounding: TaxRounding::HalfEven,
    }
    .on_net(Money::new(dec!(150000), Currency::IDR));
    assert_eq!(
        serde_json::to_value(b).unwrap(),
        serde_json::json!({
            "net": {"amount": "150000", "currency": "IDR"},
            "tax": {"amount": "16500", "currency": "IDR"},
            "gross": {"amount": "166500", "currency": "IDR"},
        })
    );
}

#[test]
fn checked_cmp_orders_within_a_currency() {
    let a = Money::new(dec!(1), Currency::EUR);
    let b = Money::new(dec!(1.00), Currency::EUR);
    assert_eq!(a.checked_cmp(&b), Ok(Ordering::Equal));
    assert!(a.checked_cmp(&Money::new(dec!(1), Currency::USD)).is_err());
}

fn vat(percent: Decimal, rounding: TaxRounding) -> Tax {
    Tax {
        label: "VAT".to_owned(),
        percent,
        rounding,
    }
}

#[test]
fn polish_vat_rounds_half_a_grosz_up() {
    let pln = |x| Money::new(x, Currency::PLN);
    let even = vat(dec!(23), TaxRounding::HalfEven);
    let up = vat(dec!(23), TaxRounding::HalfUp);
    // (net, exact tax, half-even, half-up)
    for (net, exact, half_even, half_up) in [
        (dec!(1.50), dec!(0.345), dec!(0.34), dec!(0.35)),
        (dec!(3.50), dec!(0.805), dec!(0.80), dec!(0.81)),
        (dec!(-1.50), dec!(-0.345), dec!(-0.34), dec!(-0.35)),
        // Odd neighbour: both rules agree.
        (dec!(0.50), dec!(0.115), dec!(0.12), dec!(0.12)),
        // Under half a grosz is dropped by both.
        (dec!(1.01), dec!(0.2323), dec!(0.23), dec!(0.23)),
    ] {
        assert_eq!(net * dec!(23) / dec!(100), exact);
        let b = even.on_net(pln(net));
        assert_eq!(b.tax.amount(), half_even, "half-even on {net}");
        let b = up.on_net(pln(net));
        assert_eq!(b.tax.amount(), half_up, "half-up on {net}");
        assert_eq!(b.gross.amount(), net + half_up);
    }
    // On the sum of an invoice's lines too: 0.75 + 0.75 = 1.50.
    let lines = [pln(dec!(0.75)), pln(dec!(0.75))];
    assert_eq!(even.on_lines(&lines).unwrap().tax.amount(), dec!(0.34));
    assert_eq!(up.on_lines(&lines).unwrap().tax.amount(), dec!(0.35));
}

#[test]
fn from_gross_rounds_the_tax_with_the_rule() {
    // PPN 12% inside Rp 42: tax = 42 * 12 / 112 = 4.5 exactly.
    let idr = Money::new(dec!(42), Currency::IDR);
    let b = vat(dec!(12), TaxRounding::HalfEven).from_gross(idr);
    assert_eq!((b.net.amount(), b.tax.amount()), (dec!(38), dec!(4)));
    let b = vat(dec!(12), TaxRounding::HalfUp).from_gross(idr);
    assert_eq!((b.net.amount(), b.tax.amount()), (dec!(37), dec!(5)));
    assert_eq!(b.gross, idr);
    // 123.00 zł gross at 23% has no half: both rules give 23.00.
    let pln = Money::new(dec!(123), Currency::PLN);
    for rounding in [TaxRounding::HalfEven, TaxRounding::HalfUp] {
        assert_eq!(
            vat(dec!(23), rounding).from_gross(pln).tax.amount(),
            dec!(23.00)
        );
    }
}

#[test]
fn tax_rounding_from_toml_and_json() {
    let shop: Shop =
        toml::from_str(r#"tax = { label = "VAT", percent = "23", rounding = "half-up" }"#).unwrap();
    assert_eq!(shop.tax, vat(dec!(23), TaxRounding::HalfUp));
    let shop: Shop = toml::from_str(r#"tax = { label = "VAT", percent = "23" }"#).unwrap();
    assert_eq!(shop.tax.rounding, TaxRounding::HalfEven);
    let shop: Shop =
        toml::from_str(r#"tax = { label = "VAT", percent = "23", rounding = "half-even" }"#)
            .unwrap();
    assert_eq!(shop.tax.rounding, TaxRounding::HalfEven);
    // Ceiling and floor are not tax rules; nor is a misspelling.
    for rounding in ["up", "down", "half_up", "HalfUp", ""] {
        let doc = format!(r#"tax = {{ label = "VAT", percent = "23", rounding = "{rounding}" }}"#);
        assert!(toml::from_str::<Shop>(&doc).is_err(), "{doc}");
    }
    // Half-up is written out; half-even, the default, is left out.
    let json = serde_json::to_string(&vat(dec!(23), TaxRounding::HalfUp)).unwrap();
    assert_eq!(
        json,
        r#"{"label":"VAT","percent":"23","rounding":"half-up"}"#
    );
    assert_eq!(
        serde_json::from_str::<Tax>(&json).unwrap(),
        vat(dec!(23), TaxRounding::HalfUp)
    );
    assert_eq!(Rounding::from(TaxRounding::HalfUp), Rounding::HalfUp);
    assert_eq!(Tax::none().rounding, TaxRounding::HalfEven);
}

proptest! {
    #[test]
    fn tax_roundings_differ_only_on_exact_halves(net in amount(), c in currency(), t in tax()) {
        let even = vat(t.percent, TaxRounding::HalfEven).on_net(Money::new(net, c));
        let up = vat(t.percent, TaxRounding::HalfUp).on_net(Money::new(net, c));
        prop_assert_eq!(even.net, up.net);
        let exact = even.net.amount() * t.percent / dec!(100);
        let half = c.minor_unit() / dec!(2);
        let on_half = ((exact.abs() - half) % c.minor_unit()).is_zero();
        if on_half {
            prop_assert!(up.tax.amount().abs() >= even.tax.amount().abs());
            prop_assert!((up.tax.amount() - even.tax.amount()).abs() <= c.minor_unit());
        } else {
            prop_assert_eq!(even, up);
        }
    }
}
