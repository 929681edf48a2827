//! An invoice's totals, exactly.
//!
//! Tax is computed once, on the invoice's total (how Indonesian and Polish
//! invoices total it), by `storefront_core`'s `Tax` with the tax's own
//! rounding. The lines then get shares of that one tax amount that add up
//! to it exactly, so every column of the printed table sums to its total.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use storefront_core::money::{Allocation, Money, MoneyError, Rounding, TaxBreakdown};

use crate::Invoice;

/// One line's part of the totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineTotals {
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
}

/// An invoice's amounts, each rounded to the currency's minor units.
///
/// `net + tax == gross` for the invoice and for every line, and the lines'
/// nets, taxes and grosses each add up exactly to the invoice's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// In the order of [`Invoice::lines`].
    pub lines: Vec<LineTotals>,
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
}

impl Invoice {
    /// The invoice's totals.
    ///
    /// Each line's amount is quantity × unit, rounded half-even to minor
    /// units as it is printed. With exclusive display those are nets: the
    /// net is their sum and the tax is added to it. With inclusive display
    /// they are grosses: the gross is their sum and the tax is extracted
    /// from it (gross × rate / (100 + rate)). Either way the tax is rounded
    /// once, on the total, with `Tax::rounding`.
    ///
    /// A line's tax is its exact share of the tax rounded down; the minor
    /// units that the invoice's tax has over the sum of those go one each
    /// to the lines whose shares lost the most in rounding down (earlier
    /// lines first on a tie). So each line's tax is within one minor unit
    /// of its exact share, and the line taxes add up to the invoice's tax.
    /// A line's net (inclusive) or gross (exclusive) is what is left.
    ///
    /// An invoice without lines totals zero.
    ///
    /// # Panics
    /// If the tax is invalid (see `Tax::validate`; a deserialised tax
    /// always is valid) or an amount overflows `Decimal`; see
    /// [`Invoice::try_totals`].
    pub fn totals(&self) -> Totals {
        self.try_totals()
            .unwrap_or_else(|e| panic!("totals of invoice {}: {e}", self.number))
    }

    /// [`Invoice::totals`], with an invalid tax or an overflow as an error.
    pub fn try_totals(&self) -> Result<Totals, MoneyError> {
        let currency = self.currency;
        let amounts = self
            .lines
            .iter()
            .map(|line| {
                Ok(Money::new(line.unit, currency)
                    .checked_mul(Decimal::from(line.quantity))?
                    .round(Rounding::HalfEven)
                    .amount())
            })
            .collect::<Result<Vec<Decimal>, MoneyError>>()?;
        let fixed: Option<Vec<Decimal>> = self.lines.iter().map(|l| l.tax).collect();
        let Allocation { total, lines } = match fixed {
            // Lines whose tax was charged already: print what was charged.
            Some(taxes) if !taxes.is_empty() => charged(self, &amounts, &taxes)?,
            // The same sharing out as an order's lines: an order and its
            // invoice tax every line alike.
            _ => self.tax.allocate(self.display, currency, &amounts)?,
        };
        Ok(Totals {
            lines: lines
                .into_iter()
                .map(|b| LineTotals {
                    net: b.net,
                    tax: b.tax,
                    gross: b.gross,
                })
                .collect(),
            net: total.net,
            tax: total.tax,
            gross: total.gross,
        })
    }
}

/// The totals of lines whose taxes are given: each line as charged, and
/// the invoice their sum.
fn charged(
    invoice: &Invoice,
    amounts: &[Decimal],
    taxes: &[Decimal],
) -> Result<Allocation, MoneyError> {
    let c = invoice.currency;
    let lines = amounts
        .iter()
        .zip(taxes)
        .map(|(&amount, &tax)| {
            TaxBreakdown::of_line(invoice.display, Money::new(amount, c), Money::new(tax, c))
        })
        .collect::<Result<Vec<TaxBreakdown>, MoneyError>>()?;
    let sum = |f: fn(&TaxBreakdown) -> Money| {
        Money::checked_sum(c, lines.iter().map(f)).map(|m| m.round(Rounding::HalfEven))
    };
    let total = TaxBreakdown {
        net: sum(|b| b.net)?,
        tax: sum(|b| b.tax)?,
        gross: sum(|b| b.gross)?,
    };
    Ok(Allocation { total, lines })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;
    use storefront_core::money::largest_remainder as allocate;

    #[test]
    fn allocate_gives_the_remainder_to_the_largest_fractions() {
        // Exact 0.333.., 0.333.., 0.333..; total 1.00: floors 0.33 each,
        // one cent left, to the first line on the tie.
        let third = dec!(1) / dec!(3);
        assert_eq!(
            allocate(dec!(1.00), &[third, third, third], 2),
            vec![dec!(0.34), dec!(0.33), dec!(0.33)]
        );
        assert_eq!(
            allocate(dec!(0.08), &[dec!(0.0115); 7], 2)
                .iter()
                .sum::<Decimal>(),
            dec!(0.08)
        );
        // The larger fraction wins over the earlier line.
        assert_eq!(
            allocate(dec!(3), &[dec!(1.2), dec!(1.7)], 0),
            vec![dec!(1), dec!(2)]
        );
        assert!(allocate(dec!(0), &[], 2).is_empty());
    }

    #[test]
    fn allocate_handles_refund_lines() {
        let shares = allocate(dec!(-0.35), &[dec!(-0.345)], 2);
        assert_eq!(shares, vec![dec!(-0.35)]);
        let shares = allocate(dec!(0.11), &[dec!(0.345), dec!(-0.23)], 2);
        assert_eq!(shares.iter().sum::<Decimal>(), dec!(0.11));
        // Even a total off the floors by more than the lines can absorb
        // is split exactly.
        let shares = allocate(dec!(-0.05), &[dec!(0.001), dec!(0.002)], 2);
        assert_eq!(shares.iter().sum::<Decimal>(), dec!(-0.05));
    }
}
