//! What the person typed, checked and normalised: email addresses, password
//! rules, names and company details. Each refusal names its field and a
//! `Problem`, which `messages` words in the storefront's language.

use storefront_core::names;

/// Why a field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    /// Control characters (line breaks, NUL, ...) in a one-line field.
    BadCharacters,
    /// More lines than an address may have.
    TooManyLines {
        max: usize,
    },
    EmailInvalid,
    PasswordTooShort {
        min: usize,
    },
    PasswordTooLong,
    PasswordOneCharacter,
    TaxIdInvalid,
    /// A company account without its company.
    CompanyNeeded,
    /// Company details on a personal account.
    CompanyNotForPersonal,
}

impl Problem {
    pub fn code(self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong { .. } => "too_long",
            Problem::BadCharacters => "bad_characters",
            Problem::TooManyLines { .. } => "too_many_lines",
            Problem::EmailInvalid => "invalid_email",
            Problem::PasswordTooShort { .. } => "password_too_short",
            Problem::PasswordTooLong => "password_too_long",
            Problem::PasswordOneCharacter => "password_one_character",
            Problem::TaxIdInvalid => "invalid_tax_id",
            Problem::CompanyNeeded => "company_required",
            Problem::CompanyNotForPersonal => "company_not_allowed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: Problem,
}

fn refuse<T>(field: &'static str, problem: Problem) -> Result<T, FieldError> {
    Err(FieldError { field, problem })
}

/// An email address as we keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// As shown: the local part as typed, the domain lowercase in Unicode.
    pub display: String,
    /// As mailed: the domain in ASCII (`xn--` labels).
    pub ascii: String,
    /// What makes two addresses the same account on a storefront: the ASCII
    /// form with the local part lowercased too. RFC 5321 lets a server treat
    /// `Budi@` and `budi@` as two mailboxes, but no provider our customers
    /// use does, and two accounts that differ only in case invite mistakes
    /// and impersonation.
    pub key: String,
}

/// RFC 5321's limits: 64 bytes of local part, 254 of path.
const MAX_LOCAL: usize = 64;
const MAX_EMAIL: usize = 254;

/// Trim, check and normalise an address. Accepted: a dot-atom local part in
/// ASCII (quoted local parts and IP-literal domains are legal but only ever
/// seen in abuse) and any domain UTS #46 accepts, IDNs included, with at
/// least two labels.
pub fn email(input: &str) -> Result<Email, FieldError> {
    const F: &str = "email";
    let s = input.trim();
    if s.is_empty() {
        return refuse(F, Problem::Required);
    }
    if s.len() > 4 * MAX_EMAIL {
        return refuse(F, Problem::TooLong { max: MAX_EMAIL });
    }
    let Some((local, domain)) = s.split_once('@') else {
        return refuse(F, Problem::EmailInvalid);
    };
    let atext = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b);
    if local.is_empty()
        || local.len() > MAX_LOCAL
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
        || !local.bytes().all(|b| b == b'.' || atext(b))
    {
        return refuse(F, Problem::EmailInvalid);
    }
    if domain.starts_with('[') || domain.contains('@') {
        return refuse(F, Problem::EmailInvalid);
    }
    let Ok(ascii_domain) = names::to_ascii(domain) else {
        return refuse(F, Problem::EmailInvalid);
    };
    let labels: Vec<&str> = ascii_domain.split('.').collect();
    let tld = labels.last().copied().unwrap_or("");
    if labels.len() < 2
        || labels.iter().any(|l| l.is_empty())
        || tld.bytes().all(|b| b.is_ascii_digit())
    {
        return refuse(F, Problem::EmailInvalid);
    }
    let ascii = format!("{local}@{ascii_domain}");
    if ascii.len() > MAX_EMAIL {
        return refuse(F, Problem::TooLong { max: MAX_EMAIL });
    }
    Ok(Email {
        display: format!("{local}@{}", names::to_unicode(&ascii_domain)),
        key: format!("{}@{ascii_domain}", local.to_ascii_lowercase()),
        ascii,
    })
}

pub const MIN_PASSWORD_CHARS: usize = 10;
/// Argon2 takes any length, but nothing longer is a password a person types,
/// and bounding it bounds the work one request can ask for.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The password rules: length, and not one character repeated. Deliberately
/// no composition rules (NIST SP 800-63B): they make passwords worse.
pub fn password(p: &str) -> Result<(), FieldError> {
    const F: &str = "password";
    if p.len() > MAX_PASSWORD_BYTES {
        return refuse(F, Problem::PasswordTooLong);
    }
    if p.chars().count() < MIN_PASSWORD_CHARS {
        return refuse(
            F,
            Problem::PasswordTooShort {
                min: MIN_PASSWORD_CHARS,
            },
        );
    }
    let mut chars = p.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return refuse(F, Problem::PasswordOneCharacter);
    }
    Ok(())
}

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_TAX_ID_CHARS: usize = 64;

/// A one-line text: trimmed, not empty, not too long, no control characters
/// (they would break the lines of a mail or an invoice).
pub fn line(field: &'static str, input: &str, max: usize) -> Result<String, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return refuse(field, Problem::Required);
    }
    if s.chars().count() > max {
        return refuse(field, Problem::TooLong { max });
    }
    // Control characters, and the line and paragraph separators.
    if s.chars()
        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}')
    {
        return refuse(field, Problem::BadCharacters);
    }
    Ok(s.to_string())
}

/// A tax id (NPWP, NIP, VAT number...): letters, digits and the separators
/// people write them with. Checksums are the registrar's business.
pub fn tax_id(input: &str) -> Result<String, FieldError> {
    const F: &str = "company.tax_id";
    let s = line(F, input, MAX_TAX_ID_CHARS)?;
    if !s
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | '/'))
    {
        return refuse(F, Problem::TaxIdInvalid);
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        let e = email("  Budi.Santoso@Bücher.Example ").expect("valid");
        assert_eq!(e.display, "Budi.Santoso@bücher.example");
        assert_eq!(e.ascii, "Budi.Santoso@xn--bcher-kva.example");
        assert_eq!(e.key, "budi.santoso@xn--bcher-kva.example");
        for bad in [
            "",
            "budi",
            "budi@",
            "@example.com",
            "budi@@example.com",
            "a@b@example.com",
            ".budi@example.com",
            "bu..di@example.com",
            "budi@localhost",
            "budi@[127.0.0.1]",
            "budi@1.2.3.4",
            "bűdi@example.com",
            "budi@exa mple.com",
            "budi@-example.com",
        ] {
            assert!(email(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert_eq!(email(&long).unwrap_err().problem, Problem::EmailInvalid);
    }

    #[test]
    fn password_rules() {
        assert!(password("correct horse").is_ok());
        assert_eq!(
            password("short").unwrap_err().problem,
            Problem::PasswordTooShort { min: 10 }
        );
        assert_eq!(
            password("aaaaaaaaaaaa").unwrap_err().problem,
            Problem::PasswordOneCharacter
        );
        assert_eq!(
            password(&"ab".repeat(600)).unwrap_err().problem,
            Problem::PasswordTooLong
        );
        // Ten characters, more than ten bytes.
        assert!(password("zażółćgęśl").is_ok());
    }

    #[test]
    fn lines_and_tax_ids() {
        assert_eq!(line("name", "  Budi  ", 10).expect("ok"), "Budi");
        assert!(line("name", "a\nb", 10).is_err());
        assert!(line("name", "   ", 10).is_err());
        assert!(tax_id("01.234.567.8-901.000").is_ok());
        assert!(tax_id("PL 123-456-32-18").is_ok());
        assert_eq!(
            tax_id("<script>").unwrap_err().problem,
            Problem::TaxIdInvalid
        );
    }
}
