//! Mobile numbers as people type them, kept in E.164 (`+6281234567890`):
//! what a registration asks and what a mail or a text message is sent to.
//!
//! People write a number the way their country does ("0812-3456-7890",
//! "(0812) 3456 7890", "+62 812 3456 7890", "0062 812..."): spaces, dashes,
//! dots and brackets are dropped, a leading `00` is the international
//! prefix, and a leading single `0` is a national number of `country`. The
//! countries the platform sells in have their mobile plans checked
//! (Indonesia: 8 then 8 to 11 digits; Poland: 9 digits); elsewhere E.164's
//! general limits only (a country code not starting with 0, at most 15
//! digits, at least 8).

use crate::tax_id::Country;

/// Why a typed number is not a mobile number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneProblem {
    #[error("no number given")]
    Empty,
    /// Letters or symbols other than the separators people use.
    #[error("a phone number is digits, with an optional + in front")]
    NotDigits,
    /// Too short or too long for any number, or not of the country's plan.
    #[error("not a mobile number")]
    NotMobile,
    /// A national number (no + or 00) where the country is not known.
    #[error("give the number with its country code, e.g. +62 812 3456 7890")]
    NeedsCountryCode,
}

impl PhoneProblem {
    pub fn code(self) -> &'static str {
        match self {
            PhoneProblem::Empty => "phone_empty",
            PhoneProblem::NotDigits => "phone_not_digits",
            PhoneProblem::NotMobile => "phone_not_mobile",
            PhoneProblem::NeedsCountryCode => "phone_needs_country_code",
        }
    }
}

impl Country {
    /// The country's calling code (ITU-T E.164 assignment).
    fn calling_code(self) -> Option<&'static str> {
        match self {
            Country::Indonesia => Some("62"),
            Country::Poland => Some("48"),
            Country::Other => None,
        }
    }
}

/// The longest number E.164 allows, country code included.
const E164_MAX: usize = 15;
/// Shorter is no subscriber number anywhere the platform sells.
const E164_MIN: usize = 8;

/// `input` as an E.164 mobile number, a national one read as `country`'s.
pub fn mobile(input: &str, country: Country) -> Result<String, PhoneProblem> {
    let s = input.trim();
    if s.is_empty() {
        return Err(PhoneProblem::Empty);
    }
    let (plus, rest) = match s.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let mut digits = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            _ => return Err(PhoneProblem::NotDigits),
        }
    }
    if digits.is_empty() {
        return Err(PhoneProblem::NotDigits);
    }
    let international = if plus {
        digits
    } else if let Some(r) = digits.strip_prefix("00") {
        r.to_string()
    } else if let Some(national) = digits.strip_prefix('0') {
        let code = country
            .calling_code()
            .ok_or(PhoneProblem::NeedsCountryCode)?;
        format!("{code}{national}")
    } else {
        // "812 3456 7890" or "62 812 3456 7890": the trunk 0 or the +
        // left off, as some write it.
        let code = country
            .calling_code()
            .ok_or(PhoneProblem::NeedsCountryCode)?;
        if digits.starts_with(code) {
            digits
        } else {
            format!("{code}{digits}")
        }
    };
    plan_ok(international)
}

/// `digits` (country code first, no +) checked against E.164 and the
/// known countries' mobile plans.
fn plan_ok(digits: String) -> Result<String, PhoneProblem> {
    if digits.starts_with('0') || !(E164_MIN..=E164_MAX).contains(&digits.len()) {
        return Err(PhoneProblem::NotMobile);
    }
    let ok = if let Some(n) = digits.strip_prefix("62") {
        // Indonesian mobiles: 08xx-xxxx-xxxx, 10 to 13 digits with the 0.
        n.starts_with('8') && (9..=12).contains(&n.len())
    } else if let Some(n) = digits.strip_prefix("48") {
        n.len() == 9 && !n.starts_with('0')
    } else {
        true
    };
    if ok {
        Ok(format!("+{digits}"))
    } else {
        Err(PhoneProblem::NotMobile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: Country = Country::Indonesia;

    #[test]
    fn what_people_type_in_indonesia() {
        for typed in [
            "0812-3456-7890",
            "0812 3456 7890",
            "(0812) 3456-7890",
            "+62 812 3456 7890",
            "+6281234567890",
            "0062 812 3456 7890",
            "812-3456-7890",
            "62 812-3456-7890",
        ] {
            assert_eq!(
                mobile(typed, ID).as_deref(),
                Ok("+6281234567890"),
                "{typed}"
            );
        }
        // Telkomsel's shortest and the longest plans.
        assert_eq!(mobile("0811-123-456", ID).as_deref(), Ok("+62811123456"));
        assert_eq!(
            mobile("0813-1234-56789", ID).as_deref(),
            Ok("+62813123456789")
        );
    }

    #[test]
    fn what_is_not_a_mobile_number() {
        assert_eq!(mobile("  ", ID), Err(PhoneProblem::Empty));
        assert_eq!(mobile("call me", ID), Err(PhoneProblem::NotDigits));
        assert_eq!(mobile("0812-3456-789O", ID), Err(PhoneProblem::NotDigits));
        assert_eq!(mobile("+", ID), Err(PhoneProblem::NotDigits));
        assert_eq!(mobile("12345", ID), Err(PhoneProblem::NotMobile));
        // A Jakarta landline, not a mobile.
        assert_eq!(mobile("021-5790-1234", ID), Err(PhoneProblem::NotMobile));
        assert_eq!(
            mobile("+62 812 3456 7890 1234", ID),
            Err(PhoneProblem::NotMobile)
        );
        assert_eq!(mobile("+0812345678", ID), Err(PhoneProblem::NotMobile));
    }

    #[test]
    fn other_countries() {
        assert_eq!(
            mobile("601 234 567", Country::Poland).as_deref(),
            Ok("+48601234567")
        );
        assert_eq!(mobile("+48 601-234-567", ID).as_deref(), Ok("+48601234567"));
        assert_eq!(
            mobile("+1 415 555 2671", Country::Other).as_deref(),
            Ok("+14155552671")
        );
        assert_eq!(
            mobile("0415 555 2671", Country::Other),
            Err(PhoneProblem::NeedsCountryCode)
        );
    }
}
