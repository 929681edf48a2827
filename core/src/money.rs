//! Money: amounts in a currency, rounding, tax and locale formatting.
//!
//! Amounts are `rust_decimal::Decimal`, never floats: a price that is
//! "150000" in a content file must come out as exactly Rp 150.000 on the
//! page, on the invoice and in the payment request. Arithmetic never rounds
//! behind the caller's back; rounding happens only where a method says so.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::Locale;

/// The currencies a storefront can price in.
// The variants are ISO 4217 codes; spelling them that way keeps serde,
// Display and FromStr all on the one obvious form ("IDR").
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Currency {
    IDR,
    PLN,
    USD,
    EUR,
}

impl Currency {
    pub const ALL: [Currency; 4] = [Currency::IDR, Currency::PLN, Currency::USD, Currency::EUR];

    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::IDR => "IDR",
            Currency::PLN => "PLN",
            Currency::USD => "USD",
            Currency::EUR => "EUR",
        }
    }

    /// Decimals that prices in this currency carry.
    ///
    /// ISO 4217 gives the rupiah two, but sen have not circulated for
    /// decades and Indonesian prices and invoices are in whole rupiah.
    pub fn minor_units(self) -> u32 {
        match self {
            Currency::IDR => 0,
            Currency::PLN | Currency::USD | Currency::EUR => 2,
        }
    }

    /// The home-market symbol. [`Money::format`] may use another form
    /// where the locale needs it to be unambiguous (US$ in Indonesian).
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::IDR => "Rp",
            Currency::PLN => "zł",
            Currency::USD => "$",
            Currency::EUR => "€",
        }
    }

    /// One minor unit: 1 for IDR, 0.01 for the others.
    pub fn minor_unit(self) -> Decimal {
        Decimal::new(1, self.minor_units())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A currency code that is not one of [`Currency::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown currency {0:?}: use one of IDR, PLN, USD, EUR")]
pub struct UnknownCurrency(pub String);

impl FromStr for Currency {
    type Err = UnknownCurrency;

    // Exact upper-case codes only, so that a code accepted here is also
    // accepted by serde in a content file.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| UnknownCurrency(s.to_owned()))
    }
}

/// How to round to a currency's minor units or to a price step.
///
/// `Up` and `Down` are directions on the number line (ceiling and floor),
/// not towards/away from zero: "round the price up" must never lower a
/// price, and for a negative amount (a refund, a discount line) ceiling
/// means the smaller magnitude. `HalfUp` is the commercial rule: halves go
/// away from zero (2.5 -> 3, -2.5 -> -3), so that a refund mirrors its
/// charge exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rounding {
    /// Halves to the even neighbour (banker's rounding): no upward drift
    /// when many amounts are rounded and summed.
    #[default]
    HalfEven,
    /// Halves away from zero.
    HalfUp,
    /// Towards +infinity (ceiling).
    Up,
    /// Towards -infinity (floor).
    Down,
}

impl Rounding {
    pub fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::Up => RoundingStrategy::ToPositiveInfinity,
            Rounding::Down => RoundingStrategy::ToNegativeInfinity,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine amounts in {left} and {right}")]
    CurrencyMismatch { left: Currency, right: Currency },
    #[error("amount out of range")]
    Overflow,
    #[error("invalid amount: {0}")]
    InvalidAmount(String),
}

/// An amount in a currency.
///
/// Equality is numeric (15.0 PLN == 15.00 PLN). There is no `Ord`:
/// ordering amounts in different currencies is meaningless, so use
/// [`Money::checked_cmp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    #[serde(with = "decimal_serde")]
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Takes the amount as given, unrounded, so that intermediate values
    /// (a unit price of 0.3333 EUR) survive until the caller rounds.
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money::new(Decimal::ZERO, currency)
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Rounds to the currency's minor units. The result always carries
    /// exactly that many decimals (15 PLN becomes 15.00), so serialised
    /// and rounded amounts read the same everywhere.
    pub fn round(self, rounding: Rounding) -> Money {
        let units = self.currency.minor_units();
        let rounded = self
            .amount
            .round_dp_with_strategy(units, rounding.strategy());
        Money::new(canonical(rounded, units), self.currency)
    }

    /// Rounds to a multiple of `step`: 1000 for "Rp 1.000" price points,
    /// 0.05 or 1 for złoty.
    ///
    /// # Panics
    /// If `step` is not positive, or on overflow; use
    /// [`Money::try_round_to_step`] where the step comes from configuration.
    pub fn round_to_step(self, step: Decimal, rounding: Rounding) -> Money {
        match self.try_round_to_step(step, rounding) {
            Ok(m) => m,
            Err(e) => panic!("round_to_step({self}, {step}): {e}"),
        }
    }

    pub fn try_round_to_step(self, step: Decimal, rounding: Rounding) -> Result<Money, MoneyError> {
        if step <= Decimal::ZERO {
            return Err(MoneyError::InvalidAmount(format!(
                "rounding step must be positive, got {step}"
            )));
        }
        let steps = self
            .amount
            .checked_div(step)
            .ok_or(MoneyError::Overflow)?
            .round_dp_with_strategy(0, rounding.strategy());
        let amount = steps.checked_mul(step).ok_or(MoneyError::Overflow)?;
        let units = self.currency.minor_units();
        Ok(Money::new(canonical(amount, units), self.currency))
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// Multiplies without rounding (a quantity, a discount factor).
    pub fn checked_mul(self, factor: Decimal) -> Result<Money, MoneyError> {
        let amount = self
            .amount
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    /// Sums amounts that must all be in `currency`; an empty input is zero.
    pub fn checked_sum<I>(currency: Currency, items: I) -> Result<Money, MoneyError>
    where
        I: IntoIterator<Item = Money>,
    {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    pub fn checked_cmp(&self, other: &Money) -> Result<Ordering, MoneyError> {
        self.same_currency(other)?;
        Ok(self.amount.cmp(&other.amount))
    }

    pub fn is_negative(&self) -> bool {
        // Not is_sign_negative(): Decimal has a negative zero.
        self.amount < Decimal::ZERO
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// The amount as a shopper in `locale` expects to read it. Rounds
    /// half-even to minor units for display only; the value is unchanged.
    pub fn format(&self, locale: Locale) -> String {
        format_amount(self.amount, self.currency, locale)
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }
}

/// Locale-independent, for logs and error messages ("150000 IDR"); pages
/// and invoices use [`Money::format`].
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// Pads a rounded amount to exactly `units` decimals and drops the sign of
/// a zero, so that equal rounded amounts also serialise identically
/// ("-0.00" would leak from rounding -0.001).
fn canonical(mut amount: Decimal, units: u32) -> Decimal {
    if amount.scale() < units {
        // Cannot fail to be exact: only adds trailing zeros (and for
        // amounts near Decimal::MAX keeps the largest scale that fits).
        amount.rescale(units);
    }
    if amount.is_zero() {
        amount.set_sign_positive(true);
    }
    amount
}

/// Formats `amount` in `currency` for `locale`; see [`Money::format`].
///
/// Follows CLDR number symbols and symbol placement, with two house rules:
/// every space is U+00A0 so that a price never wraps between symbol and
/// digits, and in Indonesian every prefix symbol is followed by that space
/// (CLDR itself writes "US$15,00" but "Rp 15.000").
pub fn format_amount(amount: Decimal, currency: Currency, locale: Locale) -> String {
    const NBSP: char = '\u{a0}';
    let units = currency.minor_units();
    let rounded = amount.round_dp_with_strategy(units, RoundingStrategy::MidpointNearestEven);
    // Judged after rounding, so that -0.001 USD shows as "$0.00".
    let negative = rounded < Decimal::ZERO;
    let digits = canonical(rounded.abs(), units).to_string();
    let (int, frac) = digits.split_once('.').unwrap_or((digits.as_str(), ""));

    let (group, decimal, min_grouping) = match locale {
        Locale::En => (',', '.', 1),
        Locale::Id => ('.', ',', 1),
        // Polish CLDR minimumGroupingDigits = 2: "1500,00", "15 000,00".
        Locale::Pl => (NBSP, ',', 2),
    };
    let mut number = group_digits(int, group, min_grouping);
    if units > 0 {
        number.push(decimal);
        number.push_str(frac);
        for _ in frac.len()..units as usize {
            number.push('0');
        }
    }

    let (prefix, suffix) = match (locale, currency) {
        (Locale::En, Currency::USD) => ("$", ""),
        (Locale::En, Currency::EUR) => ("€", ""),
        (Locale::En, Currency::IDR) => ("IDR\u{a0}", ""),
        (Locale::En, Currency::PLN) => ("PLN\u{a0}", ""),
        (Locale::Id, Currency::IDR) => ("Rp\u{a0}", ""),
        (Locale::Id, Currency::USD) => ("US$\u{a0}", ""),
        (Locale::Id, Currency::EUR) => ("€\u{a0}", ""),
        (Locale::Id, Currency::PLN) => ("PLN\u{a0}", ""),
        (Locale::Pl, Currency::PLN) => ("", "\u{a0}zł"),
        (Locale::Pl, Currency::EUR) => ("", "\u{a0}€"),
        (Locale::Pl, Currency::USD) => ("", "\u{a0}USD"),
        (Locale::Pl, Currency::IDR) => ("", "\u{a0}IDR"),
    };

    let mut out = String::with_capacity(number.len() + 8);
    if negative {
        out.push('-');
    }
    out.push_str(prefix);
    out.push_str(&number);
    out.push_str(suffix);
    out
}

/// Inserts `sep` every three digits from the right, but only when there are
/// at least `3 + min_grouping` digits (CLDR minimumGroupingDigits).
fn group_digits(int: &str, sep: char, min_grouping: usize) -> String {
    let len = int.len();
    if len < 3 + min_grouping {
        return int.to_owned();
    }
    let mut out = String::with_capacity(len + len / 3 * sep.len_utf8());
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Parses a plain decimal such as "150000", "15.99" or "-0.50", as written
/// in content files and APIs.
///
/// Strict on purpose: no exponent, no grouping, no leading "+", no
/// whitespace, no ".5" or "5.", and no digits beyond what a Decimal holds
/// exactly. "1.500" is one and a half, never fifteen hundred, and anything
/// that could be read two ways is refused rather than guessed at.
pub fn parse_amount(s: &str) -> Result<Decimal, MoneyError> {
    let invalid = || {
        let shown: String = s.chars().take(40).collect();
        let ellipsis = if shown.len() < s.len() { "…" } else { "" };
        MoneyError::InvalidAmount(format!(
            "{shown:?}{ellipsis} is not a plain decimal like 150000 or 15.99"
        ))
    };
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || !frac.is_none_or(all_digits) {
        return Err(invalid());
    }
    let value = Decimal::from_str_exact(s).map_err(|_| invalid())?;
    // from_str_exact already refuses to round; this guards the invariant
    // that no digit the author wrote was dropped.
    if value.scale() as usize != frac.map_or(0, str::len) {
        return Err(invalid());
    }
    Ok(value)
}

/// An amount as a person types it into a form, in `currency`: spaces and a
/// currency sign or code around it are ignored; in a currency without minor
/// units dots and commas only group thousands ("150.000" is 150000, never
/// 150); otherwise the last of them is the decimal separator ("1 234,56" is
/// 1234.56), except that one separator followed by exactly three digits
/// groups thousands ("1,234" is 1234). None when it is not a number. The
/// one reader of typed amounts, so the browser sends what was typed.
pub fn parse_typed(text: &str, currency: Currency) -> Option<Decimal> {
    let s: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    // A minus sign is kept (and refused below): "-5" is not 5.
    let s = s.trim_start_matches(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-')));
    let s = s.trim_end_matches(|c: char| !c.is_ascii_digit());
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    // Digits grouped by thousands: "1.500.000", never "10.5".
    let grouped = |t: &str| -> Option<String> {
        let mut groups = t.split(['.', ',']);
        let ungrouped = !t.contains(['.', ',']);
        let first = groups
            .next()
            .filter(|g| ungrouped || (!g.is_empty() && g.len() <= 3))?;
        let mut out = first.to_string();
        for g in groups {
            if g.len() != 3 {
                return None;
            }
            out.push_str(g);
        }
        (!out.is_empty()).then_some(out)
    };
    let plain = if currency.minor_units() == 0 {
        grouped(s)?
    } else {
        match s.rfind(['.', ',']) {
            None => s.to_string(),
            Some(last) => {
                let (whole, frac) = (&s[..last], &s[last + 1..]);
                if frac.len() == 3 && !whole.contains(['.', ',']) {
                    format!("{whole}{frac}")
                } else {
                    format!("{}.{frac}", grouped(whole)?)
                }
            }
        }
    };
    parse_amount(&plain).ok()
}

/// Serde for money decimals: a string (checked by [`parse_amount`]) or an
/// integer. Floats are refused: by the time a TOML `11.5` or a JSON `0.1`
/// reaches a visitor it is already binary and may not be the number that
/// was written. Serialises as a string. Use as
/// `#[serde(with = "storefront_core::money::decimal_serde")]`.
///
/// rust_decimal's own `Deserialize` (with the `serde-with-str` feature, as
/// in this workspace) still accepts floats, hence this module.
pub mod decimal_serde {
    use rust_decimal::Decimal;
    use serde::de::{self, Unexpected, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        deserializer.deserialize_any(DecimalVisitor)
    }

    struct DecimalVisitor;

    impl Visitor<'_> for DecimalVisitor {
        type Value = Decimal;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(
                "a decimal written as a string, such as \"15.99\", or an integer \
                 (floats are not accepted for money)",
            )
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            super::parse_amount(v).map_err(E::custom)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            Err(E::invalid_type(Unexpected::Float(v), &self))
        }
    }
}

/// How a tax amount is rounded to the currency's minor units.
///
/// Only the two rules tax law uses: a ceiling or floor on tax would
/// over- or under-charge by design. Content writes it as `rounding =
/// "half-up"` in a `[tax]` table; left out, it is half-even.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaxRounding {
    /// Halves to the even neighbour, the house default (see [`Rounding`]).
    #[default]
    HalfEven,
    /// Halves away from zero. Polish VAT requires it (art. 106e ust. 11 of
    /// the VAT act: a remainder of less than half a grosz is dropped, half a
    /// grosz or more rounds up to a whole grosz).
    HalfUp,
}

impl TaxRounding {
    fn is_half_even(&self) -> bool {
        *self == TaxRounding::HalfEven
    }
}

impl From<TaxRounding> for Rounding {
    fn from(r: TaxRounding) -> Rounding {
        match r {
            TaxRounding::HalfEven => Rounding::HalfEven,
            TaxRounding::HalfUp => Rounding::HalfUp,
        }
    }
}

/// A tax: a label, a percentage and how its amounts round, e.g. PPN 11%,
/// PPN 12%, VAT 23% rounded half-up, or none.
///
/// Deserialising validates (see [`Tax::validate`]); a `Tax` built by hand
/// should be validated before use, since [`Tax::on_net`] and
/// [`Tax::from_gross`] panic on an invalid one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "TaxFields")]
pub struct Tax {
    pub label: String,
    #[serde(with = "decimal_serde")]
    pub percent: Decimal,
    /// Applies to the tax amount only; nets and grosses as given are
    /// rounded half-even as before. Not written when half-even, so that a
    /// tax serialises as it did before this field existed and published
    /// snapshot versions (a hash of their JSON) stay the same.
    #[serde(default, skip_serializing_if = "TaxRounding::is_half_even")]
    pub rounding: TaxRounding,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxFields {
    label: String,
    #[serde(with = "decimal_serde")]
    percent: Decimal,
    #[serde(default)]
    rounding: TaxRounding,
}

impl TryFrom<TaxFields> for Tax {
    type Error = MoneyError;

    fn try_from(fields: TaxFields) -> Result<Tax, MoneyError> {
        let tax = Tax {
            label: fields.label,
            percent: fields.percent,
            rounding: fields.rounding,
        };
        tax.validate()?;
        Ok(tax)
    }
}

/// Whether the prices a storefront shows include tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaxDisplay {
    Inclusive,
    Exclusive,
}

/// A price split into net, tax and gross. `net + tax == gross` exactly and
/// each is rounded to the currency's minor units, so an invoice adds up to
/// the cent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TaxBreakdown {
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
}

impl Tax {
    pub fn none() -> Tax {
        Tax {
            label: String::new(),
            percent: Decimal::ZERO,
            rounding: TaxRounding::HalfEven,
        }
    }

    pub fn is_none(&self) -> bool {
        self.percent.is_zero()
    }

    /// The percent must be within 0..=100, and a non-zero tax needs a label
    /// because invoices must name it.
    pub fn validate(&self) -> Result<(), MoneyError> {
        if self.percent < Decimal::ZERO || self.percent > Decimal::ONE_HUNDRED {
            return Err(MoneyError::InvalidAmount(format!(
                "tax percent must be between 0 and 100, got {}",
                self.percent
            )));
        }
        if !self.is_none() && self.label.trim().is_empty() {
            return Err(MoneyError::InvalidAmount(format!(
                "a tax of {}% needs a label, such as PPN or VAT",
                self.percent
            )));
        }
        Ok(())
    }

    /// Tax on a net price: net is rounded half-even to minor units, then
    /// tax = round(net * percent / 100) with the tax's [`TaxRounding`] and
    /// gross = net + tax.
    ///
    /// # Panics
    /// If the tax is invalid or on overflow; see [`Tax::try_on_net`].
    pub fn on_net(&self, net: Money) -> TaxBreakdown {
        self.try_on_net(net)
            .unwrap_or_else(|e| panic!("{} on net {net}: {e}", self.label))
    }

    pub fn try_on_net(&self, net: Money) -> Result<TaxBreakdown, MoneyError> {
        self.validate()?;
        let net = net.round(Rounding::HalfEven);
        // Multiply before dividing: both steps are exact for realistic
        // amounts, so the only rounding is the final one.
        let tax = net
            .amount
            .checked_mul(self.percent)
            .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
            .ok_or(MoneyError::Overflow)?;
        let tax = Money::new(tax, net.currency).round(self.rounding.into());
        let gross = net.checked_add(tax)?;
        Ok(TaxBreakdown { net, tax, gross })
    }

    /// A tax-inclusive price split back: gross is rounded half-even to
    /// minor units, tax = round(gross * percent / (100 + percent)) with the
    /// tax's [`TaxRounding`] and net = gross - tax, so the gross shown to the
    /// shopper is kept exactly.
    ///
    /// The rule rounds the tax, not the net: that is the amount the law
    /// says how to round (the Polish gross method computes the tax as
    /// gross * rate / (100 + rate)). Since the exact net and tax add up to
    /// a whole gross, this only differs from rounding the net when both
    /// fall exactly on a half.
    ///
    /// # Panics
    /// If the tax is invalid or on overflow; see [`Tax::try_from_gross`].
    pub fn from_gross(&self, gross: Money) -> TaxBreakdown {
        self.try_from_gross(gross)
            .unwrap_or_else(|e| panic!("{} from gross {gross}: {e}", self.label))
    }

    pub fn try_from_gross(&self, gross: Money) -> Result<TaxBreakdown, MoneyError> {
        self.validate()?;
        let gross = gross.round(Rounding::HalfEven);
        let tax = gross
            .amount
            .checked_mul(self.percent)
            .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED + self.percent))
            .ok_or(MoneyError::Overflow)?;
        let tax = Money::new(tax, gross.currency).round(self.rounding.into());
        let net = gross.checked_sub(tax)?;
        Ok(TaxBreakdown { net, tax, gross })
    }

    /// Splits a shown price according to whether shown prices include tax.
    pub fn breakdown(&self, price: Money, shown: TaxDisplay) -> Result<TaxBreakdown, MoneyError> {
        match shown {
            TaxDisplay::Exclusive => self.try_on_net(price),
            TaxDisplay::Inclusive => self.try_from_gross(price),
        }
    }

    /// Tax on an invoice's lines, computed once on the sum of the nets (not
    /// per line and summed), which is how Indonesian and Polish invoices
    /// total tax. Each line's net is first rounded half-even to minor units,
    /// as it is printed, so the net total is the sum of the printed lines.
    ///
    /// Errors on no lines (the currency would be unknown), on lines in
    /// different currencies, on an invalid tax and on overflow.
    pub fn on_lines(&self, nets: &[Money]) -> Result<TaxBreakdown, MoneyError> {
        let first = nets.first().ok_or_else(|| {
            MoneyError::InvalidAmount("an invoice needs at least one line".to_owned())
        })?;
        let total = Money::checked_sum(
            first.currency,
            nets.iter().map(|line| line.round(Rounding::HalfEven)),
        )?;
        self.try_on_net(total)
    }

    /// The one way lines are taxed together, for orders and invoices alike:
    /// the tax is computed once on the total and shared out over the lines.
    ///
    /// `amounts` are the lines as the seller shows them: nets when `shown`
    /// is exclusive, grosses when inclusive, each rounded half-even to minor
    /// units. The total is their sum, taxed with [`Tax::breakdown`]. A
    /// line's tax is its exact share of that tax rounded down; the minor
    /// units left over go one each to the lines whose shares lost the most
    /// in rounding (earlier lines first on a tie). So every line is within
    /// one minor unit of its exact share, each line's `net + tax == gross`,
    /// the amount shown is kept exactly, and the lines add up to the total
    /// in every column. No lines total zero.
    pub fn allocate(
        &self,
        shown: TaxDisplay,
        currency: Currency,
        amounts: &[Decimal],
    ) -> Result<Allocation, MoneyError> {
        self.validate()?;
        let amounts: Vec<Money> = amounts
            .iter()
            .map(|a| Money::new(*a, currency).round(Rounding::HalfEven))
            .collect();
        let sum = Money::checked_sum(currency, amounts.iter().copied())?.round(Rounding::HalfEven);
        let total = self.breakdown(sum, shown)?;
        let base = match shown {
            TaxDisplay::Exclusive => Decimal::ONE_HUNDRED,
            TaxDisplay::Inclusive => Decimal::ONE_HUNDRED + self.percent,
        };
        let exact = amounts
            .iter()
            .map(|a| {
                a.amount
                    .checked_mul(self.percent)
                    .and_then(|x| x.checked_div(base))
                    .ok_or(MoneyError::Overflow)
            })
            .collect::<Result<Vec<Decimal>, MoneyError>>()?;
        let shares = largest_remainder(total.tax.amount, &exact, currency.minor_units());
        let lines = amounts
            .iter()
            .zip(shares)
            .map(|(&amount, share)| {
                TaxBreakdown::of_line(shown, amount, Money::new(share, currency))
            })
            .collect::<Result<Vec<TaxBreakdown>, MoneyError>>()?;
        Ok(Allocation { total, lines })
    }
}

impl TaxBreakdown {
    /// A line shown as `amount` (net when `shown` is exclusive, gross when
    /// inclusive) that carries `tax` (rounded half-even to minor units):
    /// the other side is what adds up.
    pub fn of_line(
        shown: TaxDisplay,
        amount: Money,
        tax: Money,
    ) -> Result<TaxBreakdown, MoneyError> {
        let tax = tax.round(Rounding::HalfEven);
        Ok(match shown {
            TaxDisplay::Exclusive => TaxBreakdown {
                net: amount,
                tax,
                gross: amount.checked_add(tax)?,
            },
            TaxDisplay::Inclusive => TaxBreakdown {
                net: amount.checked_sub(tax)?,
                tax,
                gross: amount,
            },
        })
    }
}

/// Lines taxed together: the total and each line's share of it (see
/// [`Tax::allocate`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    pub total: TaxBreakdown,
    /// In the order of the amounts given.
    pub lines: Vec<TaxBreakdown>,
}

/// Splits `total` (on the grid of `units` decimals) into shares of `exact`
/// by the largest-remainder method; see [`Tax::allocate`].
pub fn largest_remainder(total: Decimal, exact: &[Decimal], units: u32) -> Vec<Decimal> {
    let unit = Decimal::new(1, units);
    let mut shares: Vec<Decimal> = exact
        .iter()
        .map(|x| x.round_dp_with_strategy(units, RoundingStrategy::ToNegativeInfinity))
        .collect();
    if shares.is_empty() {
        return shares;
    }
    // The total is the rounded sum of the exact shares, so it lies between
    // the sum of the floors and that plus one unit per line: `left` is
    // 0..=len units. The split below stays exact for any total.
    let left = (total - shares.iter().copied().sum::<Decimal>()) / unit;
    let count = Decimal::from(shares.len());
    let each = (left / count).trunc() * unit;
    let rest = (left % count).trunc();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    // Stable: on equal remainders the earlier line comes first.
    order.sort_by(|&a, &b| (exact[b] - shares[b]).cmp(&(exact[a] - shares[a])));
    let extra = rest.abs().to_usize().unwrap_or(0);
    let (take, step) = if rest >= Decimal::ZERO {
        (&order[..extra.min(order.len())], unit)
    } else {
        (&order[order.len() - extra.min(order.len())..], -unit)
    };
    for share in &mut shares {
        *share += each;
    }
    for &i in take {
        shares[i] += step;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_read_as_people_mean_them() {
        let read = |t: &str, c: Currency| parse_typed(t, c).map(|d| d.to_string());
        assert_eq!(read("150.000", Currency::IDR).as_deref(), Some("150000"));
        assert_eq!(
            read("Rp 1.500.000", Currency::IDR).as_deref(),
            Some("1500000")
        );
        assert_eq!(read("150,000", Currency::IDR).as_deref(), Some("150000"));
        assert_eq!(
            read("1 234,56 zł", Currency::PLN).as_deref(),
            Some("1234.56")
        );
        assert_eq!(read("1,234", Currency::USD).as_deref(), Some("1234"));
        assert_eq!(read("$49.99", Currency::USD).as_deref(), Some("49.99"));
        assert_eq!(read("1.234,5", Currency::EUR).as_deref(), Some("1234.5"));
        assert_eq!(read("12", Currency::EUR).as_deref(), Some("12"));
        // Not a grouping: refused, not read as 105.
        assert_eq!(read("10.5", Currency::IDR), None);
        assert_eq!(read("1.50", Currency::IDR), None);
        for bad in ["", "abc", "1e3", "-5", "$-5", "1.2.3x4", "\u{0}", "12.34.5"] {
            assert_eq!(read(bad, Currency::USD), None, "{bad:?}");
        }
    }

    use rust_decimal_macros::dec;

    fn m(amount: Decimal, currency: Currency) -> Money {
        Money::new(amount, currency)
    }

    fn tax(label: &str, percent: Decimal) -> Tax {
        Tax {
            label: label.to_owned(),
            percent,
            rounding: TaxRounding::HalfEven,
        }
    }

    #[test]
    fn currency_basics() {
        let table = [
            (Currency::IDR, "IDR", 0, "Rp"),
            (Currency::PLN, "PLN", 2, "zł"),
            (Currency::USD, "USD", 2, "$"),
            (Currency::EUR, "EUR", 2, "€"),
        ];
        for (c, code, units, symbol) in table {
            assert_eq!(c.code(), code);
            assert_eq!(c.minor_units(), units);
            assert_eq!(c.symbol(), symbol);
            assert_eq!(c.to_string(), code);
            assert_eq!(code.parse::<Currency>(), Ok(c));
        }
        assert_eq!(Currency::IDR.minor_unit(), dec!(1));
        assert_eq!(Currency::EUR.minor_unit(), dec!(0.01));
    }

    #[test]
    fn currency_parse_error_lists_codes() {
        let err = "idr".parse::<Currency>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown currency \"idr\": use one of IDR, PLN, USD, EUR"
        );
        assert!("GBP".parse::<Currency>().is_err());
        assert!("".parse::<Currency>().is_err());
    }

    #[test]
    fn format_indonesian() {
        assert_eq!(
            m(dec!(150000), Currency::IDR).format(Locale::Id),
            "Rp\u{a0}150.000"
        );
        assert_eq!(
            m(dec!(15), Currency::USD).format(Locale::Id),
            "US$\u{a0}15,00"
        );
        assert_eq!(
            m(dec!(15), Currency::EUR).format(Locale::Id),
            "€\u{a0}15,00"
        );
        assert_eq!(
            m(dec!(15), Currency::PLN).format(Locale::Id),
            "PLN\u{a0}15,00"
        );
        assert_eq!(
            m(dec!(1500), Currency::IDR).format(Locale::Id),
            "Rp\u{a0}1.500"
        );
        assert_eq!(
            m(dec!(-1000), Currency::IDR).format(Locale::Id),
            "-Rp\u{a0}1.000"
        );
    }

    #[test]
    fn format_polish() {
        assert_eq!(
            m(dec!(150), Currency::PLN).format(Locale::Pl),
            "150,00\u{a0}zł"
        );
        assert_eq!(
            m(dec!(1500), Currency::PLN).format(Locale::Pl),
            "1500,00\u{a0}zł"
        );
        assert_eq!(
            m(dec!(15000), Currency::PLN).format(Locale::Pl),
            "15\u{a0}000,00\u{a0}zł"
        );
        assert_eq!(
            m(dec!(1500000), Currency::PLN).format(Locale::Pl),
            "1\u{a0}500\u{a0}000,00\u{a0}zł"
        );
        assert_eq!(
            m(dec!(15), Currency::EUR).format(Locale::Pl),
            "15,00\u{a0}€"
        );
        assert_eq!(
            m(dec!(15), Currency::USD).format(Locale::Pl),
            "15,00\u{a0}USD"
        );
        assert_eq!(
            m(dec!(150000), Currency::IDR).format(Locale::Pl),
            "150\u{a0}000\u{a0}IDR"
        );
        assert_eq!(
            m(dec!(-150), Currency::PLN).format(Locale::Pl),
            "-150,00\u{a0}zł"
        );
    }

    #[test]
    fn format_english() {
        assert_eq!(m(dec!(15), Currency::USD).format(Locale::En), "$15.00");
        assert_eq!(m(dec!(1500), Currency::USD).format(Locale::En), "$1,500.00");
        assert_eq!(m(dec!(15), Currency::EUR).format(Locale::En), "€15.00");
        assert_eq!(
            m(dec!(150000), Currency::IDR).format(Locale::En),
            "IDR\u{a0}150,000"
        );
        assert_eq!(
            m(dec!(150), Currency::PLN).format(Locale::En),
            "PLN\u{a0}150.00"
        );
        assert_eq!(m(dec!(-15), Currency::USD).format(Locale::En), "-$15.00");
    }

    #[test]
    fn format_every_currency_and_locale() {
        let amount = dec!(1234567.891);
        let table = [
            (Currency::IDR, Locale::En, "IDR\u{a0}1,234,568"),
            (Currency::IDR, Locale::Id, "Rp\u{a0}1.234.568"),
            (Currency::IDR, Locale::Pl, "1\u{a0}234\u{a0}568\u{a0}IDR"),
            (Currency::PLN, Locale::En, "PLN\u{a0}1,234,567.89"),
            (Currency::PLN, Locale::Id, "PLN\u{a0}1.234.567,89"),
            (Currency::PLN, Locale::Pl, "1\u{a0}234\u{a0}567,89\u{a0}zł"),
            (Currency::USD, Locale::En, "$1,234,567.89"),
            (Currency::USD, Locale::Id, "US$\u{a0}1.234.567,89"),
            (Currency::USD, Locale::Pl, "1\u{a0}234\u{a0}567,89\u{a0}USD"),
            (Currency::EUR, Locale::En, "€1,234,567.89"),
            (Currency::EUR, Locale::Id, "€\u{a0}1.234.567,89"),
            (Currency::EUR, Locale::Pl, "1\u{a0}234\u{a0}567,89\u{a0}€"),
        ];
        for (currency, locale, expected) in table {
            assert_eq!(
                m(amount, currency).format(locale),
                expected,
                "{currency} {locale}"
            );
            assert_eq!(format_amount(amount, currency, locale), expected);
            assert_eq!(
                m(-amount, currency).format(locale),
                format!("-{expected}"),
                "{currency} {locale}"
            );
        }
    }

    #[test]
    fn format_small_and_edge_amounts() {
        assert_eq!(m(dec!(0), Currency::USD).format(Locale::En), "$0.00");
        assert_eq!(m(dec!(0.5), Currency::USD).format(Locale::En), "$0.50");
        assert_eq!(
            m(dec!(999), Currency::IDR).format(Locale::Id),
            "Rp\u{a0}999"
        );
        assert_eq!(
            m(dec!(1000), Currency::IDR).format(Locale::Id),
            "Rp\u{a0}1.000"
        );
        assert_eq!(
            m(dec!(9999.99), Currency::PLN).format(Locale::Pl),
            "9999,99\u{a0}zł"
        );
        assert_eq!(
            m(dec!(10000), Currency::PLN).format(Locale::Pl),
            "10\u{a0}000,00\u{a0}zł"
        );
        // Rounds to nothing: no minus sign on a zero.
        assert_eq!(m(dec!(-0.001), Currency::USD).format(Locale::En), "$0.00");
        assert_eq!(m(dec!(-0.4), Currency::IDR).format(Locale::Id), "Rp\u{a0}0");
        // Half-even for display.
        assert_eq!(m(dec!(0.125), Currency::EUR).format(Locale::En), "€0.12");
        assert_eq!(m(dec!(0.135), Currency::EUR).format(Locale::En), "€0.14");
        assert_eq!(
            m(dec!(1500.5), Currency::IDR).format(Locale::Id),
            "Rp\u{a0}1.500"
        );
        // The extremes of Decimal do not panic.
        assert!(
            m(Decimal::MAX, Currency::USD)
                .format(Locale::Pl)
                .ends_with("USD")
        );
        assert!(
            m(Decimal::MIN, Currency::EUR)
                .format(Locale::En)
                .starts_with("-€")
        );
    }

    #[test]
    fn round_halves() {
        let usd = |x| m(x, Currency::USD);
        let idr = |x| m(x, Currency::IDR);
        assert_eq!(idr(dec!(2.5)).round(Rounding::HalfEven).amount(), dec!(2));
        assert_eq!(idr(dec!(3.5)).round(Rounding::HalfEven).amount(), dec!(4));
        assert_eq!(
            idr(dec!(1500.5)).round(Rounding::HalfEven).amount(),
            dec!(1500)
        );
        assert_eq!(idr(dec!(2.5)).round(Rounding::HalfUp).amount(), dec!(3));
        assert_eq!(idr(dec!(-2.5)).round(Rounding::HalfUp).amount(), dec!(-3));
        assert_eq!(idr(dec!(-2.5)).round(Rounding::HalfEven).amount(), dec!(-2));
        assert_eq!(
            usd(dec!(0.125)).round(Rounding::HalfEven).amount(),
            dec!(0.12)
        );
        assert_eq!(
            usd(dec!(0.125)).round(Rounding::HalfUp).amount(),
            dec!(0.13)
        );
        // Up and Down are ceiling and floor, also for negative amounts.
        assert_eq!(usd(dec!(1.001)).round(Rounding::Up).amount(), dec!(1.01));
        assert_eq!(usd(dec!(-1.009)).round(Rounding::Up).amount(), dec!(-1.00));
        assert_eq!(usd(dec!(1.009)).round(Rounding::Down).amount(), dec!(1.00));
        assert_eq!(
            usd(dec!(-1.001)).round(Rounding::Down).amount(),
            dec!(-1.01)
        );
    }

    #[test]
    fn round_gives_canonical_scale() {
        let r = m(dec!(15), Currency::PLN).round(Rounding::HalfEven);
        assert_eq!(r.amount().to_string(), "15.00");
        let r = m(dec!(-0.001), Currency::USD).round(Rounding::HalfEven);
        assert_eq!(r.amount().to_string(), "0.00");
        let r = m(dec!(150000.00), Currency::IDR).round(Rounding::HalfEven);
        assert_eq!(r.amount().to_string(), "150000");
    }

    #[test]
    fn round_to_step() {
        let idr = |x| m(x, Currency::IDR);
        assert_eq!(
            idr(dec!(12345))
                .round_to_step(dec!(1000), Rounding::Up)
                .amount(),
            dec!(13000)
        );
        assert_eq!(
            idr(dec!(12500))
                .round_to_step(dec!(1000), Rounding::HalfEven)
                .amount(),
            dec!(12000)
        );
        assert_eq!(
            idr(dec!(13500))
                .round_to_step(dec!(1000), Rounding::HalfEven)
                .amount(),
            dec!(14000)
        );
        assert_eq!(
            idr(dec!(12500))
                .round_to_step(dec!(1000), Rounding::HalfUp)
                .amount(),
            dec!(13000)
        );
        assert_eq!(
            idr(dec!(12999))
                .round_to_step(dec!(1000), Rounding::Down)
                .amount(),
            dec!(12000)
        );
        let pln = m(dec!(12.3456), Currency::PLN);
        assert_eq!(
            pln.round_to_step(dec!(0.01), Rounding::HalfEven).amount(),
            dec!(12.35)
        );
        assert_eq!(
            pln.round_to_step(dec!(0.05), Rounding::HalfEven).amount(),
            dec!(12.35)
        );
        let whole = pln.round_to_step(dec!(1), Rounding::Up);
        assert_eq!(whole.amount().to_string(), "13.00");
        assert!(matches!(
            pln.try_round_to_step(dec!(0), Rounding::Up),
            Err(MoneyError::InvalidAmount(_))
        ));
        assert!(pln.try_round_to_step(dec!(-1), Rounding::Up).is_err());
    }

    #[test]
    #[should_panic(expected = "rounding step must be positive")]
    fn round_to_step_panics_on_zero_step() {
        let _ = m(dec!(1), Currency::IDR).round_to_step(Decimal::ZERO, Rounding::Up);
    }

    #[test]
    fn arithmetic() {
        let a = m(dec!(10.50), Currency::PLN);
        let b = m(dec!(0.25), Currency::PLN);
        assert_eq!(a.checked_add(b).unwrap().amount(), dec!(10.75));
        assert_eq!(a.checked_sub(b).unwrap().amount(), dec!(10.25));
        assert_eq!(b.checked_sub(a).unwrap().amount(), dec!(-10.25));
        assert!(b.checked_sub(a).unwrap().is_negative());
        assert_eq!(a.checked_mul(dec!(3)).unwrap().amount(), dec!(31.50));
        // No rounding on multiplication.
        assert_eq!(b.checked_mul(dec!(0.5)).unwrap().amount(), dec!(0.125));
        assert_eq!(a.checked_cmp(&b), Ok(Ordering::Greater));
        assert!(Money::zero(Currency::USD).is_zero());
        assert!(!Money::zero(Currency::USD).is_negative());
        assert!(!m(dec!(-0.00), Currency::USD).is_negative());
        assert_eq!(
            Money::checked_sum(Currency::PLN, [a, b, b])
                .unwrap()
                .amount(),
            dec!(11.00)
        );
        assert_eq!(
            Money::checked_sum(Currency::PLN, []).unwrap(),
            Money::zero(Currency::PLN)
        );
    }

    #[test]
    fn overflow_is_an_error() {
        let max = m(Decimal::MAX, Currency::USD);
        assert_eq!(max.checked_add(max), Err(MoneyError::Overflow));
        assert_eq!(
            m(Decimal::MIN, Currency::USD).checked_sub(max),
            Err(MoneyError::Overflow)
        );
        assert_eq!(max.checked_mul(dec!(2)), Err(MoneyError::Overflow));
        assert_eq!(
            tax("VAT", dec!(23)).try_on_net(max),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn currency_mismatch() {
        let idr = m(dec!(1000), Currency::IDR);
        let pln = m(dec!(10), Currency::PLN);
        let mismatch = MoneyError::CurrencyMismatch {
            left: Currency::IDR,
            right: Currency::PLN,
        };
        assert_eq!(idr.checked_add(pln), Err(mismatch.clone()));
        assert_eq!(idr.checked_sub(pln), Err(mismatch.clone()));
        assert_eq!(idr.checked_cmp(&pln), Err(mismatch.clone()));
        assert_eq!(
            Money::checked_sum(Currency::IDR, [idr, pln]),
            Err(mismatch.clone())
        );
        assert_eq!(
            tax("PPN", dec!(11)).on_lines(&[idr, pln]),
            Err(mismatch.clone())
        );
        assert_eq!(
            mismatch.to_string(),
            "cannot combine amounts in IDR and PLN"
        );
    }

    #[test]
    fn ppn_11_on_150000() {
        let b = tax("PPN", dec!(11)).on_net(m(dec!(150000), Currency::IDR));
        assert_eq!(b.net.amount(), dec!(150000));
        assert_eq!(b.tax.amount(), dec!(16500));
        assert_eq!(b.gross.amount(), dec!(166500));
        assert_eq!(b.gross.format(Locale::Id), "Rp\u{a0}166.500");
    }

    #[test]
    fn ppn_12_on_99999_rounds_half_even() {
        // 99999 * 12% = 11999.88
        let b = tax("PPN", dec!(12)).on_net(m(dec!(99999), Currency::IDR));
        assert_eq!(b.tax.amount(), dec!(12000));
        assert_eq!(b.gross.amount(), dec!(111999));
    }

    #[test]
    fn tax_rounds_exact_halves_to_even() {
        // 1.50 * 23% = 0.345 -> 0.34; 0.50 * 23% = 0.115 -> 0.12
        let vat = tax("VAT", dec!(23));
        assert_eq!(
            vat.on_net(m(dec!(1.50), Currency::PLN)).tax.amount(),
            dec!(0.34)
        );
        assert_eq!(
            vat.on_net(m(dec!(0.50), Currency::PLN)).tax.amount(),
            dec!(0.12)
        );
    }

    #[test]
    fn vat_23_on_100_pln() {
        let vat = tax("VAT", dec!(23));
        let b = vat.on_net(m(dec!(100), Currency::PLN));
        assert_eq!(b.tax.amount(), dec!(23.00));
        assert_eq!(b.tax.format(Locale::Pl), "23,00\u{a0}zł");
        assert_eq!(b.gross.format(Locale::Pl), "123,00\u{a0}zł");

        let back = vat.from_gross(m(dec!(123.00), Currency::PLN));
        assert_eq!(back.net.amount(), dec!(100.00));
        assert_eq!(back.tax.amount(), dec!(23.00));
        assert_eq!(back.gross.amount(), dec!(123.00));
    }

    #[test]
    fn from_gross_keeps_gross() {
        // 100 / 1.23 = 81.3008... -> 81.30; tax takes the remainder.
        let b = tax("VAT", dec!(23)).from_gross(m(dec!(100), Currency::PLN));
        assert_eq!(b.net.amount(), dec!(81.30));
        assert_eq!(b.tax.amount(), dec!(18.70));
        assert_eq!(b.gross.amount(), dec!(100.00));
    }

    #[test]
    fn on_net_rounds_net_first() {
        let b = tax("VAT", dec!(23)).on_net(m(dec!(10.005), Currency::EUR));
        assert_eq!(b.net.amount(), dec!(10.00));
        assert_eq!(b.tax.amount(), dec!(2.30));
    }

    #[test]
    fn no_tax() {
        let none = Tax::none();
        assert!(none.is_none());
        assert_eq!(none.validate(), Ok(()));
        let b = none.on_net(m(dec!(15.99), Currency::USD));
        assert!(b.tax.is_zero());
        assert_eq!(b.gross, b.net);
        let b = none.from_gross(m(dec!(15.99), Currency::USD));
        assert_eq!(b.net.amount(), dec!(15.99));
        assert!(b.tax.is_zero());
    }

    #[test]
    fn tax_on_lines_is_on_the_sum() {
        // Seven lines of 0.05 zł at 23%: per line round(0.0115) = 0.01,
        // 0.07 in all; on the sum, round(0.0805) = 0.08.
        let vat = tax("VAT", dec!(23));
        let lines = vec![m(dec!(0.05), Currency::PLN); 7];
        let b = vat.on_lines(&lines).unwrap();
        assert_eq!(b.net.amount(), dec!(0.35));
        assert_eq!(b.tax.amount(), dec!(0.08));
        assert_eq!(b.gross.amount(), dec!(0.43));

        let ppn = tax("PPN", dec!(11));
        let b = ppn
            .on_lines(&[
                m(dec!(150000), Currency::IDR),
                m(dec!(99999), Currency::IDR),
            ])
            .unwrap();
        assert_eq!(b, ppn.on_net(m(dec!(249999), Currency::IDR)));
        assert!(matches!(
            ppn.on_lines(&[]),
            Err(MoneyError::InvalidAmount(_))
        ));
    }

    #[test]
    fn breakdown_follows_display() {
        let vat = tax("VAT", dec!(23));
        let price = m(dec!(123), Currency::PLN);
        assert_eq!(
            vat.breakdown(price, TaxDisplay::Inclusive)
                .unwrap()
                .net
                .amount(),
            dec!(100)
        );
        assert_eq!(
            vat.breakdown(price, TaxDisplay::Exclusive)
                .unwrap()
                .net
                .amount(),
            dec!(123)
        );
    }

    #[test]
    fn tax_validation() {
        assert!(tax("PPN", dec!(11)).validate().is_ok());
        assert!(tax("VAT", dec!(100)).validate().is_ok());
        assert!(tax("", dec!(0)).validate().is_ok());
        assert!(tax("X", dec!(-1)).validate().is_err());
        assert!(tax("X", dec!(100.01)).validate().is_err());
        assert!(tax(" ", dec!(23)).validate().is_err());
        let bad = tax("X", dec!(-100));
        assert!(bad.try_from_gross(m(dec!(1), Currency::USD)).is_err());
        assert!(bad.try_on_net(m(dec!(1), Currency::USD)).is_err());
    }

    #[test]
    #[should_panic(expected = "tax percent must be between 0 and 100")]
    fn invalid_tax_panics_in_from_gross() {
        let _ = tax("X", dec!(-100)).from_gross(m(dec!(1), Currency::USD));
    }

    #[test]
    fn parse_amount_accepts_plain_decimals() {
        for (s, d) in [
            ("150000", dec!(150000)),
            ("15.99", dec!(15.99)),
            ("-0.50", dec!(-0.50)),
            ("0", dec!(0)),
            ("007", dec!(7)),
            ("79228162514264337593543950335", Decimal::MAX),
        ] {
            assert_eq!(parse_amount(s), Ok(d), "{s}");
        }
        assert_eq!(parse_amount("15.00").unwrap().scale(), 2);
    }

    #[test]
    fn parse_amount_is_strict() {
        for s in [
            "",
            "-",
            ".",
            "+1",
            " 1",
            "1 ",
            "1e3",
            "1E3",
            "1.5e2",
            "1,500",
            "1.500,00",
            "1_000",
            "1\u{a0}000",
            ".5",
            "5.",
            "--1",
            "-+1",
            "1.2.3",
            "0x10",
            "NaN",
            "inf",
            "١٢",
            "79228162514264337593543950336",
            "0.12345678901234567890123456789",
        ] {
            assert!(parse_amount(s).is_err(), "{s:?} should be refused");
        }
        let err = parse_amount("1e3").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid amount: \"1e3\" is not a plain decimal like 150000 or 15.99"
        );
    }
}
