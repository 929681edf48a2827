//! Tax ids as people type them: whether a string is an NPWP (Indonesia) or
//! a NIP (Poland), decided here once for `storefront check` (a seller's
//! details) and for a reseller's registration (its company's NPWP).
//!
//! Where a number carries a check digit by a published rule, it is checked:
//! the NIP's (its weights are in the Polish regulation on NIP numbers).
//! The NPWP's ninth digit is often described as a check digit (a Luhn
//! digit over the first eight, in python-stdnum and Business::ID::NPWP,
//! both "apparently"), but the Directorate General of Taxes publishes no
//! such rule, and real NPWPs printed on invoices fail it: so an NPWP is
//! checked for its shape only, never for a digit nobody has promised. The
//! 16-digit NPWP of a person is their NIK, whose digits say where and when
//! they were born (DDMMYY, women's days plus 40), which is checked; it has
//! no check digit either.

use crate::money::Currency;

/// Where a seller or an applicant is registered, as far as its numbers go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Country {
    Indonesia,
    Poland,
    /// Anywhere else: free text.
    Other,
}

impl Country {
    /// By ISO 3166 code (`platform.toml`'s `country`).
    pub fn of_code(code: Option<&str>) -> Country {
        match code.map(str::trim) {
            Some(c) if c.eq_ignore_ascii_case("ID") => Country::Indonesia,
            Some(c) if c.eq_ignore_ascii_case("PL") => Country::Poland,
            _ => Country::Other,
        }
    }

    /// A storefront is registered where it sells: rupiah means Indonesia
    /// and złoty Poland; other currencies cross borders.
    pub fn of_currency(c: Currency) -> Country {
        match c {
            Currency::IDR => Country::Indonesia,
            Currency::PLN => Country::Poland,
            _ => Country::Other,
        }
    }
}

/// What shape a tax id has, by the country it is registered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxIdKind {
    /// Indonesia: 15 digits (16 since 2024), written with dots and dashes.
    Npwp,
    /// Poland: 10 digits, the last a check digit.
    Nip,
    /// Anywhere else: checked for length and control characters only.
    Other,
}

impl TaxIdKind {
    pub fn of(country: Country) -> TaxIdKind {
        match country {
            Country::Indonesia => TaxIdKind::Npwp,
            Country::Poland => TaxIdKind::Nip,
            Country::Other => TaxIdKind::Other,
        }
    }

    pub fn of_currency(c: Currency) -> TaxIdKind {
        TaxIdKind::of(Country::of_currency(c))
    }

    pub fn of_country(code: Option<&str>) -> TaxIdKind {
        TaxIdKind::of(Country::of_code(code))
    }

    /// What the tax id is called wherever it is printed; None for `Other`.
    pub fn label(self) -> Option<&'static str> {
        match self {
            TaxIdKind::Npwp => Some("NPWP"),
            TaxIdKind::Nip => Some("NIP"),
            TaxIdKind::Other => None,
        }
    }
}

/// Why a string is not a tax id of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TaxIdProblem {
    #[error("not an NPWP: 15 or 16 digits, dots and dashes allowed, e.g. \"01.312.166.0-091.000\"")]
    NpwpShape,
    /// 16 digits not starting with 0: a NIK, whose birth date is not one.
    #[error("not an NPWP: a 16-digit NPWP is a NIK, and its digits 7 to 12 are not a birth date")]
    NikDate,
    #[error("not a NIP: 10 digits, dashes allowed, e.g. \"123-456-32-18\"")]
    NipShape,
    #[error("not a valid NIP: its last digit does not match the others (a typo?)")]
    NipCheckDigit,
}

impl TaxIdProblem {
    /// The key a page words it with.
    pub fn code(self) -> &'static str {
        match self {
            TaxIdProblem::NpwpShape => "npwp_shape",
            TaxIdProblem::NikDate => "npwp_nik_date",
            TaxIdProblem::NipShape => "nip_shape",
            TaxIdProblem::NipCheckDigit => "nip_check_digit",
        }
    }
}

/// Check `s` as a tax id of `kind`; the digits alone when it is one (an
/// `Other` comes back as typed, trimmed).
pub fn check(kind: TaxIdKind, s: &str) -> Result<String, TaxIdProblem> {
    let s = s.trim();
    match kind {
        TaxIdKind::Npwp => npwp(s),
        TaxIdKind::Nip => nip(s),
        TaxIdKind::Other => Ok(s.to_string()),
    }
}

fn npwp(s: &str) -> Result<String, TaxIdProblem> {
    let digits: String = s.chars().filter(|c| !matches!(c, '.' | '-')).collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 15 | 16) {
        return Err(TaxIdProblem::NpwpShape);
    }
    if digits.len() == 16 && !digits.starts_with('0') && !nik_date_ok(&digits) {
        return Err(TaxIdProblem::NikDate);
    }
    Ok(digits)
}

/// A NIK's digits 7-12 are the holder's birth date, DDMMYY, with 40 added
/// to the day for women.
fn nik_date_ok(digits: &str) -> bool {
    let n = |from: usize| digits[from..from + 2].parse::<u32>().unwrap_or(0);
    let (day, month) = (n(6), n(8));
    let day = if day > 40 { day - 40 } else { day };
    (1..=31).contains(&day) && (1..=12).contains(&month)
}

fn nip(s: &str) -> Result<String, TaxIdProblem> {
    let digits: String = s
        .strip_prefix("PL")
        .unwrap_or(s)
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect();
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TaxIdProblem::NipShape);
    }
    if !nip_checksum_ok(&digits) {
        return Err(TaxIdProblem::NipCheckDigit);
    }
    Ok(digits)
}

/// The NIP check digit: the first nine digits weighted 6,5,7,2,3,4,5,6,7,
/// modulo 11; a remainder of 10 is never issued. `digits` is 10 ASCII digits.
fn nip_checksum_ok(digits: &str) -> bool {
    const WEIGHTS: [u32; 9] = [6, 5, 7, 2, 3, 4, 5, 6, 7];
    let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = WEIGHTS.iter().zip(&d).map(|(w, x)| w * x).sum();
    let check = sum % 11;
    check != 10 && check == d[9]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nip_check_digit() {
        assert_eq!(
            check(TaxIdKind::Nip, "123-456-32-18").as_deref(),
            Ok("1234563218")
        );
        assert!(check(TaxIdKind::Nip, "1234563218").is_ok());
        assert!(check(TaxIdKind::Nip, "PL1234563218").is_ok());
        // The Polish Ministry of Finance's own NIP.
        assert!(check(TaxIdKind::Nip, "526-025-09-95").is_ok());
        assert_eq!(
            check(TaxIdKind::Nip, "1234563219"),
            Err(TaxIdProblem::NipCheckDigit)
        );
        // A weighted sum of 10 modulo 11 (2 × 5 here) is never issued,
        // whatever the last digit.
        assert_eq!(
            check(TaxIdKind::Nip, "0200000000"),
            Err(TaxIdProblem::NipCheckDigit)
        );
        for bad in ["123456321", "12345632181", "12345b3218"] {
            assert_eq!(check(TaxIdKind::Nip, bad), Err(TaxIdProblem::NipShape));
        }
    }

    #[test]
    fn npwp_shapes() {
        // Real NPWPs as printed (companies' invoices): the 15-digit form
        // with and without its separators, and 16 digits with a leading 0.
        for (typed, digits) in [
            ("01.312.166.0-091.000", "013121660091000"),
            ("016090524017000", "016090524017000"),
            ("02.183.241.5-000.000", "021832415000000"),
            ("0013121660091000", "0013121660091000"),
            // Printed on real invoices and failing the unofficial Luhn
            // digit: why it is not checked.
            ("01.234.567.8-901.000", "012345678901000"),
        ] {
            assert_eq!(
                check(TaxIdKind::Npwp, typed).as_deref(),
                Ok(digits),
                "{typed}"
            );
        }
        for bad in [
            "01.234.567.8-901.00",
            "01 234 567 8 901 000",
            "01.234.567.8-901.0000X",
            "",
            "NPWP",
        ] {
            assert_eq!(
                check(TaxIdKind::Npwp, bad),
                Err(TaxIdProblem::NpwpShape),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_sixteen_digit_npwp_is_a_nik_with_a_birth_date() {
        // Jakarta Selatan (317401), born 12 August 1990; a woman born
        // the same day (52 = 12 + 40).
        assert!(check(TaxIdKind::Npwp, "3174011208900001").is_ok());
        assert!(check(TaxIdKind::Npwp, "3174015208900002").is_ok());
        // Month 13, day 32: no one's birth date.
        assert_eq!(
            check(TaxIdKind::Npwp, "3174011213900001"),
            Err(TaxIdProblem::NikDate)
        );
        assert_eq!(
            check(TaxIdKind::Npwp, "3174013208900001"),
            Err(TaxIdProblem::NikDate)
        );
    }

    #[test]
    fn other_countries_take_any_text() {
        assert_eq!(
            check(TaxIdKind::Other, " EIN 12-3456789 ").as_deref(),
            Ok("EIN 12-3456789")
        );
        assert_eq!(TaxIdKind::of_currency(Currency::USD), TaxIdKind::Other);
        assert_eq!(TaxIdKind::of_country(Some("PL")), TaxIdKind::Nip);
        assert_eq!(Country::of_code(Some("id")), Country::Indonesia);
    }
}
