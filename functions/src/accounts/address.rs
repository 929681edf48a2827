//! A customer's postal address, which its invoices print: a few lines as
//! the customer writes them (street, postcode and town, country), each one
//! line, kept beside the profile (`RESELLER#<r>#ACCOUNT#<id>` / `ADDRESS`)
//! so that changing it never races a password change.

use super::fields::{self, FieldError, Problem};
use super::records::profile_pk;
use crate::store::{Condition, Item, Store, StoreError};
use serde_json::json;

/// At most this many lines…
pub const MAX_LINES: usize = 4;
/// …of at most this many characters each.
pub const MAX_LINE_CHARS: usize = 100;

const SK: &str = "ADDRESS";

/// The address as typed: blank lines dropped, each line trimmed, one line
/// each (no control characters), not too long, not too many. No lines at
/// all is no address.
pub fn lines(input: &[String]) -> Result<Vec<String>, FieldError> {
    let lines: Vec<String> = input
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| fields::line("address", l, MAX_LINE_CHARS))
        .collect::<Result<_, _>>()?;
    if lines.len() > MAX_LINES {
        return Err(FieldError {
            field: "address",
            problem: Problem::TooManyLines { max: MAX_LINES },
        });
    }
    Ok(lines)
}

/// An account's address; empty when it gave none.
pub async fn load(store: &dyn Store, reseller: &str, id: &str) -> Result<Vec<String>, StoreError> {
    Ok(store
        .get(&profile_pk(reseller, id), SK)
        .await?
        .and_then(|i| serde_json::from_value(i.data["lines"].clone()).ok())
        .unwrap_or_default())
}

/// Replace an account's address with `lines` (already checked by `lines`).
pub async fn save(
    store: &dyn Store,
    reseller: &str,
    id: &str,
    lines: &[String],
) -> Result<(), StoreError> {
    let item = Item::new(profile_pk(reseller, id), SK, json!({ "lines": lines }));
    store.put(item, Condition::None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn addresses_are_a_few_clean_lines() {
        assert_eq!(
            lines(&v(&["  ul. Źródlana 5 ", "", "00-950 Warszawa"])).expect("ok"),
            v(&["ul. Źródlana 5", "00-950 Warszawa"])
        );
        assert_eq!(lines(&v(&["", " "])).expect("none"), Vec::<String>::new());
        let e = lines(&v(&["a", "b", "c", "d", "e"])).expect_err("five");
        assert_eq!(e.problem, Problem::TooManyLines { max: 4 });
        let e = lines(&v(&["Jl. Sudirman\n1"])).expect_err("a break");
        assert_eq!(e.problem, Problem::BadCharacters);
        let e = lines(&v(&[&"x".repeat(101)])).expect_err("long");
        assert_eq!(e.problem, Problem::TooLong { max: 100 });
        assert_eq!(e.field, "address");
    }
}
