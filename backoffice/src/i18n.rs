//! The back office's words in English, Indonesian and Polish: one file per
//! language, every key in all three (a test says which is missing).

use std::collections::BTreeMap;
use std::sync::OnceLock;
use storefront_core::Locale;

pub type Texts = BTreeMap<String, String>;

fn parse(lang: &str, src: &str) -> Texts {
    toml::from_str(src).unwrap_or_else(|e| panic!("backoffice/i18n/{lang}.toml: {e}"))
}

pub fn texts(lang: Locale) -> &'static Texts {
    static EN: OnceLock<Texts> = OnceLock::new();
    static ID: OnceLock<Texts> = OnceLock::new();
    static PL: OnceLock<Texts> = OnceLock::new();
    match lang {
        Locale::Id => ID.get_or_init(|| parse("id", include_str!("../i18n/id.toml"))),
        Locale::Pl => PL.get_or_init(|| parse("pl", include_str!("../i18n/pl.toml"))),
        _ => EN.get_or_init(|| parse("en", include_str!("../i18n/en.toml"))),
    }
}

pub fn text(lang: Locale, key: &str) -> String {
    texts(lang)
        .get(key)
        .or_else(|| texts(Locale::En).get(key))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// A text with its `{name}` places filled.
pub fn fill(lang: Locale, key: &str, values: &[(&str, &str)]) -> String {
    let mut s = text(lang, key);
    for (name, value) in values {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_key() {
        let en: Vec<&String> = texts(Locale::En).keys().collect();
        for lang in [Locale::Id, Locale::Pl] {
            let other: Vec<&String> = texts(lang).keys().collect();
            assert_eq!(other, en, "{lang:?} and en differ");
        }
    }
}
