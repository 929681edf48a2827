//! The Public Suffix List's own test cases through
//! `names::registrable_domain`.
//!
//! `tests/data/test_psl.txt` is the list's `tests/test_psl.txt` (public
//! domain, CC0, per its header); `test_psl.LICENSE` is the list's MPL-2.0
//! licence. It is copied here so the repository tests itself. The cases run
//! against the list compiled into the `psl` crate, not against a data file.

use storefront_core::names::{registrable_domain, to_ascii};

const DATA: &str = include_str!("data/test_psl.txt");

/// `null` or a single-quoted string.
fn argument(text: &str) -> Option<String> {
    let text = text.trim();
    if text == "null" {
        return None;
    }
    let inner = text
        .strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or_else(|| panic!("unexpected argument {text:?}"));
    Some(inner.to_owned())
}

/// `(line number, input, expected)` for every uncommented check.
fn cases() -> Vec<(usize, Option<String>, Option<String>)> {
    DATA.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let args = line
                .trim()
                .strip_prefix("checkPublicSuffix(")?
                .strip_suffix(");")
                .unwrap_or_else(|| panic!("line {}: unterminated {line:?}", index + 1));
            // No argument in the file contains a comma.
            let (input, expected) = args
                .split_once(',')
                .unwrap_or_else(|| panic!("line {}: one argument in {line:?}", index + 1));
            Some((index + 1, argument(input), argument(expected)))
        })
        .collect()
}

#[test]
fn registrable_domain_passes_the_lists_own_tests() {
    // Counted independently of the parser above, so that a parser bug that
    // drops lines cannot pass as "nothing failed".
    let non_null_lines = DATA
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("checkPublicSuffix(") && !line.contains("(null,"))
        .count();

    let mut checked = 0;
    let mut skipped_null = 0;
    let mut failures = Vec::new();
    for (line, input, expected) in cases() {
        let Some(input) = input else {
            // The JavaScript API's null; a &str cannot be null.
            skipped_null += 1;
            continue;
        };
        checked += 1;
        // The file writes IDN results in Unicode; ours are ASCII.
        let expected = expected.map(|e| to_ascii(&e).expect("expected value is a valid domain"));
        let actual = registrable_domain(&input);
        if actual != expected {
            failures.push(format!(
                "line {line}: registrable_domain({input:?}) = {actual:?}, expected {expected:?}"
            ));
        }
    }
    eprintln!(
        "PSL: {checked} cases checked, {skipped_null} skipped (null input), {} failed",
        failures.len()
    );
    for failure in &failures {
        eprintln!("  {failure}");
    }
    assert_eq!(
        checked, non_null_lines,
        "cases checked vs. lines in the file"
    );
    assert!(checked > 70, "only {checked} cases");
    assert!(failures.is_empty(), "{} PSL cases failed", failures.len());
}

#[test]
fn registrable_domain_folds_case_and_accepts_unicode() {
    assert_eq!(
        registrable_domain("WWW.Example.CO.ID").as_deref(),
        Some("example.co.id")
    );
    assert_eq!(
        registrable_domain("shop.BÜCHER.de").as_deref(),
        Some("xn--bcher-kva.de")
    );
    assert_eq!(
        registrable_domain("www.example.com.").as_deref(),
        Some("example.com")
    );
    assert_eq!(registrable_domain("co.id"), None);
    assert_eq!(registrable_domain(""), None);
    assert_eq!(registrable_domain("foo_bar.com"), None);
    // CDN hosts use "--" in positions 3-4; they still have a registrable domain.
    assert_eq!(
        registrable_domain("r3---sn-abc.googlevideo.com").as_deref(),
        Some("googlevideo.com")
    );
}
