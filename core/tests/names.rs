//! What `names::parse_query` makes of what people type.
//!
//! `tests/data/blns.json` is the Big List of Naughty Strings
//! (minimaxir/big-list-of-naughty-strings, MIT, `blns.LICENSE`).

use proptest::prelude::*;
use storefront_core::Locale;
use storefront_core::names::{
    DomainQuery, NameError, check_idn_allowed, check_label_length, parse_query, registrable_domain,
    to_ascii, to_unicode,
};

const SHOP: &[&str] = &["id", "co.id", "web.id", "com", "pl", "com.pl"];

fn parse(input: &str) -> Result<DomainQuery, NameError> {
    parse_query(input, SHOP)
}

fn query(name: &str, extension: Option<&str>) -> DomainQuery {
    DomainQuery {
        name: name.to_owned(),
        unicode_name: to_unicode(name),
        extension: extension.map(str::to_owned),
    }
}

/// What every successful parse must look like, whatever went in.
fn assert_well_formed(input: &str, q: &DomainQuery) {
    let labels =
        std::iter::once(q.name.as_str()).chain(q.extension.iter().flat_map(|ext| ext.split('.')));
    for label in labels {
        assert!(
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-'),
            "{input:?} gave a bad label {label:?} in {q:?}"
        );
    }
    assert!(!q.name.contains('.'), "{input:?} gave a dotted name {q:?}");
    if let Some(ext) = &q.extension {
        assert!(
            q.domain(ext).len() <= 253,
            "{input:?} gave a long domain {q:?}"
        );
        assert!(SHOP.contains(&ext.as_str()), "{input:?}: {ext} is not sold");
    }
    assert_eq!(q.unicode_name, to_unicode(&q.name), "{input:?}");
    assert_eq!(q.is_idn(), q.name.starts_with("xn--"));
}

// Normalisation

#[test]
fn a_pasted_url_is_reduced_to_its_name_and_extension() {
    assert_eq!(
        parse("HTTPS://WWW.Toko-Budi.co.id/path?x"),
        Ok(query("toko-budi", Some("co.id")))
    );
    assert_eq!(
        parse("  ftp://user:secret@toko.com:8080/#top "),
        Ok(query("toko", Some("com")))
    );
    assert_eq!(parse("//toko.com/"), Ok(query("toko", Some("com"))));
    assert_eq!(parse("toko.com:"), Ok(query("toko", Some("com"))));
    assert_eq!(parse("toko.com?q=1"), Ok(query("toko", Some("com"))));
    assert_eq!(parse("toko.com#x"), Ok(query("toko", Some("com"))));
    assert_eq!(
        parse("mailto:budi@toko.co.id"),
        Ok(query("toko", Some("co.id")))
    );
}

#[test]
fn whitespace_inside_is_removed() {
    assert_eq!(parse("toko budi"), Ok(query("tokobudi", None)));
    assert_eq!(
        parse(" toko budi .com "),
        Ok(query("tokobudi", Some("com")))
    );
    assert_eq!(parse("toko\tbudi\u{3000}"), Ok(query("tokobudi", None)));
}

#[test]
fn www_and_one_trailing_dot_are_dropped() {
    assert_eq!(parse("www.toko.com."), Ok(query("toko", Some("com"))));
    assert_eq!(parse("WWW.toko"), Ok(query("toko", None)));
    assert_eq!(parse("toko."), Ok(query("toko", None)));
    // Only one "www." goes, and never when it is the name itself.
    assert_eq!(parse("www.com"), Ok(query("www", Some("com"))));
    assert_eq!(parse("www.co.id"), Ok(query("www", Some("co.id"))));
    assert_eq!(
        parse("www.www.toko.com"),
        Err(NameError::Subdomain {
            registrable: "toko.com".into()
        })
    );
    assert_eq!(
        parse("toko.com..").map_err(|e| e.code()),
        Err("empty_label")
    );
}

#[test]
fn full_width_and_ideographic_dots_split_labels() {
    for input in [
        "toko。co。id",
        "toko．co．id",
        "toko｡co｡id",
        "ｔｏｋｏ．ＣＯ．ｉｄ",
    ] {
        assert_eq!(parse(input), Ok(query("toko", Some("co.id"))), "{input:?}");
    }
    assert_eq!(parse("ｗｗｗ．toko．com。"), Ok(query("toko", Some("com"))));
}

#[test]
fn unicode_names_become_punycode() {
    let q = parse("Bücher.com").unwrap();
    assert_eq!(q.name, "xn--bcher-kva");
    assert_eq!(q.unicode_name, "bücher");
    assert_eq!(q.extension.as_deref(), Some("com"));
    assert!(q.is_idn());
    assert_eq!(q.domain("com"), "xn--bcher-kva.com");
    assert_eq!(q.unicode_domain("com"), "bücher.com");
    // Typed as punycode, it is the same query.
    assert_eq!(parse("XN--BCHER-KVA.com"), Ok(q));
    // A soft hyphen is ignored by UTS #46.
    assert_eq!(parse("bü\u{AD}cher"), Ok(query("xn--bcher-kva", None)));
    // Nontransitional: ß stays ß.
    assert_eq!(parse("faß.com").unwrap().name, "xn--fa-hia");
}

#[test]
fn the_longest_sold_extension_wins() {
    assert_eq!(
        parse("example.com.pl"),
        Ok(query("example", Some("com.pl")))
    );
    assert_eq!(parse("example.pl"), Ok(query("example", Some("pl"))));
    assert_eq!(parse("example.co.id"), Ok(query("example", Some("co.id"))));
    assert_eq!(
        parse_query("example.co.id", &["co.id", "id"]),
        Ok(query("example", Some("co.id")))
    );
    // The shop's list is tolerated as people write it.
    assert_eq!(
        parse_query("example.co.id", &[".CO.ID "]),
        Ok(query("example", Some("co.id")))
    );
}

// Errors

#[test]
fn a_subdomain_names_what_can_be_registered() {
    assert_eq!(
        parse("shop.example.com"),
        Err(NameError::Subdomain {
            registrable: "example.com".into()
        })
    );
    assert_eq!(
        parse("a.b.example.co.id"),
        Err(NameError::Subdomain {
            registrable: "example.co.id".into()
        })
    );
    let message = parse("shop.bücher.com").unwrap_err().message(Locale::En);
    assert!(message.contains("bücher.com"), "{message}");
}

#[test]
fn hyphens() {
    assert_eq!(parse("-abc.com"), Err(NameError::HyphenEdge));
    assert_eq!(parse("abc-.com"), Err(NameError::HyphenEdge));
    assert_eq!(parse("-ü.com"), Err(NameError::HyphenEdge));
    assert_eq!(parse("ab--cd.com"), Err(NameError::Hyphen34));
    assert_eq!(parse("a--b.com"), Ok(query("a--b", Some("com"))));
    assert_eq!(to_ascii("ab--cd"), Err(NameError::Hyphen34));
}

#[test]
fn lengths() {
    let label63 = "a".repeat(63);
    assert_eq!(parse(&format!("{label63}.com")).unwrap().name, label63);
    assert_eq!(
        parse(&format!("{}.com", "a".repeat(64))),
        Err(NameError::LabelTooLong { max: 63 })
    );
    // 63 octets is the punycode length, not the letters typed.
    let chinese = "中文域名测试一个非常长的名字看看超过六十三个字节没有";
    assert_eq!(chinese.chars().count(), 26);
    assert_eq!(parse(chinese), Err(NameError::LabelTooLong { max: 63 }));
    let long = vec!["a".repeat(60); 5].join(".");
    assert_eq!(to_ascii(&long), Err(NameError::TooLong { max: 253 }));
    assert_eq!(
        parse(&"a".repeat(100_000)),
        Err(NameError::TooLong { max: 253 })
    );
}

#[test]
fn characters_that_cannot_be_in_a_name() {
    let invalid = |input: &str| match parse(input) {
        Err(NameError::InvalidCharacter { ch }) => ch,
        other => panic!("{input:?} gave {other:?}"),
    };
    assert_eq!(invalid("foo_bar.com"), '_');
    assert_eq!(invalid("toko!"), '!');
    assert_eq!(invalid("toko😀.com"), '😀');
    assert_eq!(invalid("♥.com"), '♥');
    // Emoji with a variation selector: the selector is ignored, the heart is not.
    assert_eq!(invalid("i❤\u{FE0F}.com"), '❤');
    assert_eq!(invalid("toko＿budi"), '＿');
    assert_eq!(invalid("a\u{200D}b"), '\u{200D}');
    assert_eq!(invalid("toko\u{0}"), '\u{0}');
    // Typed as punycode, the emoji is still refused.
    assert_eq!(invalid("xn--e28h.com"), '😀');
    // Valid in UTS #46 (IDNA2003 compatibility), not in IDNA2008.
    assert_eq!(invalid("©.com"), '©');
    // Catalan "l·l" is fine, a lone middle dot is not.
    assert!(parse("paral·lel.com").is_ok());
    assert_eq!(invalid("a·b.com"), '·');
    // The message shows invisible characters by code point.
    let message = NameError::InvalidCharacter { ch: '\u{200D}' }.message(Locale::En);
    assert!(message.contains("U+200D"), "{message}");
}

#[test]
fn broken_internationalised_names() {
    for input in [
        "xn--zz.com",
        "xn--.com",
        "xn--a.com",
        "\u{0301}a.com",
        "aא.com",
    ] {
        assert_eq!(parse(input), Err(NameError::InvalidIdn), "{input:?}");
    }
}

#[test]
fn extensions_the_shop_does_not_sell() {
    assert_eq!(
        parse("example.xyz"),
        Err(NameError::UnknownExtension {
            extension: "xyz".into()
        })
    );
    assert_eq!(
        parse("www.example.co.uk"),
        Err(NameError::UnknownExtension {
            extension: "co.uk".into()
        })
    );
    // Not on the Public Suffix List at all.
    assert_eq!(
        parse("toko.notatld"),
        Err(NameError::UnknownExtension {
            extension: "notatld".into()
        })
    );
    // Selling "pl" does not make the public suffix "waw.pl" registrable.
    assert_eq!(
        parse("toko.waw.pl"),
        Err(NameError::UnknownExtension {
            extension: "waw.pl".into()
        })
    );
    let message = parse("toko.xn--p1ai").unwrap_err().message(Locale::En);
    assert!(message.contains(".рф"), "{message}");
}

#[test]
fn empty_and_missing_names() {
    for input in [
        "",
        "   ",
        "www.",
        "WWW.",
        ".",
        "http://",
        "https:///path",
        "\u{3000}",
    ] {
        assert_eq!(parse(input), Err(NameError::Empty), "{input:?}");
    }
    for (input, extension) in [
        (".com", "com"),
        ("co.id", "co.id"),
        (".co.id", "co.id"),
        (".com.", "com"),
        ("co.uk", "co.uk"),
        ("waw.pl", "waw.pl"),
    ] {
        assert_eq!(
            parse(input),
            Err(NameError::MissingName {
                extension: extension.into()
            }),
            "{input:?}"
        );
    }
    assert_eq!(parse("toko..com"), Err(NameError::EmptyLabel));
}

#[test]
fn registry_rules() {
    let short = parse("ab.id").unwrap();
    assert_eq!(
        check_label_length(&short, 3, 63),
        Err(NameError::TooShort { min: 3 })
    );
    assert_eq!(check_label_length(&short, 2, 63), Ok(()));
    assert_eq!(
        check_label_length(&short, 1, 1),
        Err(NameError::LabelTooLong { max: 1 })
    );
    // The minimum counts letters seen, the maximum punycode octets.
    let idn = parse("ü").unwrap();
    assert_eq!(
        check_label_length(&idn, 2, 63),
        Err(NameError::TooShort { min: 2 })
    );
    assert_eq!(
        check_label_length(&idn, 1, 6),
        Err(NameError::LabelTooLong { max: 6 })
    );
    assert_eq!(
        check_idn_allowed(&idn, "co.id", false),
        Err(NameError::IdnNotAllowed {
            extension: "co.id".into()
        })
    );
    assert_eq!(check_idn_allowed(&idn, "pl", true), Ok(()));
    assert_eq!(check_idn_allowed(&short, "co.id", false), Ok(()));
}

#[test]
fn every_error_has_a_code_and_a_message_in_every_language() {
    let errors = [
        NameError::Empty,
        NameError::MissingName {
            extension: "co.id".into(),
        },
        NameError::EmptyLabel,
        NameError::TooLong { max: 253 },
        NameError::LabelTooLong { max: 63 },
        NameError::TooShort { min: 3 },
        NameError::InvalidCharacter { ch: '_' },
        NameError::InvalidCharacter { ch: '\u{200B}' },
        NameError::InvalidCharacter { ch: '\u{0301}' },
        NameError::HyphenEdge,
        NameError::Hyphen34,
        NameError::InvalidIdn,
        NameError::Subdomain {
            registrable: "example.co.id".into(),
        },
        NameError::UnknownExtension {
            extension: "xyz".into(),
        },
        NameError::IdnNotAllowed {
            extension: "co.id".into(),
        },
    ];
    let mut codes = std::collections::BTreeSet::new();
    for error in &errors {
        let code = error.code();
        assert!(
            !code.is_empty()
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{code:?}"
        );
        codes.insert(code);
        let messages: Vec<String> = Locale::ALL.iter().map(|&l| error.message(l)).collect();
        for (locale, message) in Locale::ALL.iter().zip(&messages) {
            assert!(!message.trim().is_empty(), "{code} in {locale}");
            assert!(message.ends_with('.'), "{code} in {locale}: {message}");
        }
        assert_ne!(messages[0], messages[1], "{code}: en = id");
        assert_ne!(messages[0], messages[2], "{code}: en = pl");
        assert_ne!(messages[1], messages[2], "{code}: id = pl");
        assert_eq!(error.to_string(), messages[0]);
    }
    assert_eq!(codes.len(), 13, "one code per variant");
    // Polish plurals.
    assert!(
        NameError::TooShort { min: 3 }
            .message(Locale::Pl)
            .contains("3 znaki")
    );
    assert!(
        NameError::LabelTooLong { max: 63 }
            .message(Locale::Pl)
            .contains("63 znaki")
    );
    assert!(
        NameError::TooShort { min: 5 }
            .message(Locale::Pl)
            .contains("5 znaków")
    );
    assert!(
        NameError::TooShort { min: 1 }
            .message(Locale::En)
            .contains("1 character.")
    );
}

#[test]
fn to_ascii_and_to_unicode() {
    assert_eq!(to_ascii("Bücher.DE").as_deref(), Ok("xn--bcher-kva.de"));
    assert_eq!(to_unicode("xn--bcher-kva.de"), "bücher.de");
    assert_eq!(to_ascii(""), Err(NameError::Empty));
    // A trailing root dot is not a DNS name to register.
    assert_eq!(to_ascii("toko.com."), Err(NameError::EmptyLabel));
    // Display of something that does not decode shows it as it is.
    assert_eq!(to_unicode("xn--zz.com"), "xn--zz.com");
    assert_eq!(
        registrable_domain("www.toko.co.id").as_deref(),
        Some("toko.co.id")
    );
}

// Hostile input

#[test]
fn pathological_inputs_do_not_panic() {
    let inputs = [
        ".".repeat(10_000),
        "a.".repeat(5_000),
        "xn--".repeat(1_000),
        "xn--".to_owned() + &"a".repeat(5_000),
        "\u{200D}".repeat(2_000),
        "\u{0301}".repeat(2_000),
        "\u{202E}moc.kot".to_owned(),
        "ü".repeat(300),
        "😀".repeat(300),
        "@".repeat(500) + ":" + &"9".repeat(500),
        "://".repeat(500),
        "\u{FFFD}\u{FEFF}\u{0}\u{7F}\u{85}".to_owned(),
        "xn--ls8h.xn--ls8h.xn--ls8h".to_owned(),
        "XN--BCHER-KVA.XN--P1AI".to_owned(),
    ];
    for input in &inputs {
        if let Ok(q) = parse(input) {
            assert_well_formed(input, &q);
        }
        let _ = to_ascii(input);
        let _ = to_unicode(input);
        let _ = registrable_domain(input);
    }
}

#[test]
fn naughty_strings_do_not_panic() {
    let list: Vec<String> =
        serde_json::from_str(include_str!("data/blns.json")).expect("blns.json parses");
    assert!(list.len() > 500, "only {} naughty strings", list.len());
    let mut accepted = 0;
    for input in &list {
        if let Ok(q) = parse(input) {
            assert_well_formed(input, &q);
            accepted += 1;
        }
        let _ = to_ascii(input);
        let _ = to_unicode(input);
        let _ = registrable_domain(input);
    }
    // Plenty of them are plain words ("undefined", "null"), which are names.
    assert!(accepted > 10, "only {accepted} accepted");
}

fn reparses_to_itself(q: &DomainQuery) {
    let again = match &q.extension {
        Some(ext) => parse(&q.domain(ext)),
        None => parse(&q.name),
    };
    assert_eq!(again.as_ref(), Ok(q), "{q:?} does not reparse to itself");
    // And the Unicode form typed back in is the same query.
    let typed = match &q.extension {
        Some(ext) => q.unicode_domain(ext),
        None => q.unicode_name.clone(),
    };
    assert_eq!(parse(&typed).as_ref(), Ok(q), "{typed:?}");
}

fn domainish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9.\\-_ ]{0,80}",
        "(https?://)?(www\\.)?[a-z0-9\\-üßçąłż]{1,20}(\\.(com|co\\.id|id|pl|com\\.pl|xyz|uk))?\\.?",
        "[a-z0-9\\-]{0,70}\\.[a-z]{2,3}",
        "[\\PC]{0,10}[.。．｡][\\PC]{0,10}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_input_parses_safely_and_idempotently(input in domainish()) {
        if let Ok(q) = parse(&input) {
            assert_well_formed(&input, &q);
            reparses_to_itself(&q);
        }
        let _ = registrable_domain(&input);
    }

    #[test]
    fn a_parsed_name_with_any_sold_extension_reparses(
        input in "[a-z0-9\\-üßąłż]{1,30}",
        ext in prop::sample::select(SHOP),
    ) {
        if let Ok(q) = parse(&input) {
            prop_assert_eq!(&q.extension, &None);
            let with_ext = parse(&q.domain(ext));
            // Public suffixes under a sold extension ("waw" + "pl") are the
            // only names that do not come back with that extension.
            if let Ok(back) = with_ext {
                prop_assert_eq!(&back.name, &q.name);
                prop_assert_eq!(back.extension.as_deref(), Some(ext));
            } else {
                prop_assert!(matches!(with_ext, Err(NameError::MissingName { .. })), "{:?}", with_ext);
            }
        }
    }
}
