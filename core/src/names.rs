//! Domain names as a person types them into a search box.
//!
//! Three layers, strictest last:
//!
//! 1. [`to_ascii`] / [`to_unicode`] are plain UTS #46 with the flags a
//!    registrar needs, and are checked against Unicode's conformance file.
//! 2. [`parse_query`] forgives what people paste (URLs, `www.`, spaces,
//!    full-width dots) and then applies IDNA2008 (RFC 5892) on top of UTS #46,
//!    because registries register IDNA2008 names: UTS #46 still accepts
//!    symbols and emoji for compatibility with IDNA2003, registries do not.
//! 3. [`check_label_length`] / [`check_idn_allowed`] apply one registry's
//!    rules; the catalogue calls them per extension.
//!
//! Every error is a [`NameError`] with a stable [`NameError::code`] for
//! machines and a [`NameError::message`] for customers.

use crate::Locale;
use icu_properties::props::{
    ChangesWhenNfkcCasefolded, DefaultIgnorableCodePoint, GeneralCategory, HangulSyllableType,
    NoncharacterCodePoint, Script, WhiteSpace,
};
use icu_properties::{CodePointMapData, CodePointSetData};
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use serde::Serialize;
use std::fmt;

/// The longest a whole domain may be in ASCII, without the root dot (RFC 1035).
pub const MAX_DOMAIN_LEN: u16 = 253;
/// The longest a label may be in ASCII (RFC 1035).
pub const MAX_LABEL_LEN: u8 = 63;

/// Nothing a person types for one domain is this long (253 characters typed
/// full-width are 759 bytes), and the diagnostics below cost a few UTS #46
/// runs per character, so longer input is refused before any of that.
const MAX_INPUT_BYTES: usize = 1024;

/// Why a search-box entry or a domain is not a name the shop can register.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing left after trimming, or only `www.`.
    Empty,
    /// Only an extension was typed (`.com`, `co.id`).
    MissingName { extension: String },
    /// Two dots in a row, or a dot at the start.
    EmptyLabel,
    /// The whole domain is longer than [`MAX_DOMAIN_LEN`] in ASCII.
    TooLong { max: u16 },
    /// One label is longer than `max` octets in ASCII (punycode for IDNs).
    LabelTooLong { max: u8 },
    /// The name has fewer than `min` characters (a registry rule).
    TooShort { min: u8 },
    /// `ch` cannot appear in a domain name.
    InvalidCharacter { ch: char },
    /// A label starts or ends with `-`.
    HyphenEdge,
    /// A label has `--` in the third and fourth positions, which is reserved
    /// for encodings such as `xn--`.
    Hyphen34,
    /// Not a valid internationalised name: bad punycode, a combining mark at
    /// the start, mixed text directions, misplaced joiners.
    InvalidIdn,
    /// A subdomain was typed; `registrable` (ASCII) is what can be registered.
    Subdomain { registrable: String },
    /// The shop does not sell this extension (ASCII, no leading dot).
    UnknownExtension { extension: String },
    /// The registry for `extension` only takes ASCII names.
    IdnNotAllowed { extension: String },
}

impl NameError {
    /// A stable machine-readable code; the API and the storefront's scripts
    /// key on it, so never rename one.
    pub fn code(&self) -> &'static str {
        match self {
            NameError::Empty => "empty",
            NameError::MissingName { .. } => "missing_name",
            NameError::EmptyLabel => "empty_label",
            NameError::TooLong { .. } => "too_long",
            NameError::LabelTooLong { .. } => "label_too_long",
            NameError::TooShort { .. } => "too_short",
            NameError::InvalidCharacter { .. } => "invalid_character",
            NameError::HyphenEdge => "hyphen_edge",
            NameError::Hyphen34 => "hyphen_34",
            NameError::InvalidIdn => "invalid_idn",
            NameError::Subdomain { .. } => "subdomain",
            NameError::UnknownExtension { .. } => "unknown_extension",
            NameError::IdnNotAllowed { .. } => "idn_not_allowed",
        }
    }

    /// One or two sentences a customer understands, in their language.
    /// Names and extensions are shown in Unicode, as the customer typed them.
    pub fn message(&self, locale: Locale) -> String {
        match locale {
            Locale::En => self.message_en(),
            Locale::Id => self.message_id(),
            Locale::Pl => self.message_pl(),
        }
    }

    fn message_en(&self) -> String {
        match self {
            NameError::Empty => "Type the name you would like to register.".into(),
            NameError::MissingName { extension } => format!(
                "Type a name in front of the extension, for example “yourname.{}”.",
                to_unicode(extension)
            ),
            NameError::EmptyLabel => {
                "The name has two dots in a row or starts with a dot. Remove the extra dot.".into()
            }
            NameError::TooLong { max } => {
                format!("The whole domain name can be at most {max} characters long.")
            }
            NameError::LabelTooLong { max } => format!(
                "The name is too long: it can have at most {max} {}.",
                en_characters(u32::from(*max))
            ),
            NameError::TooShort { min } => format!(
                "The name is too short: it needs at least {min} {}.",
                en_characters(u32::from(*min))
            ),
            NameError::InvalidCharacter { ch } => format!(
                "{} can't be used in a domain name. Use letters, digits and hyphens (-).",
                show_char(*ch, Locale::En)
            ),
            NameError::HyphenEdge => "A name can't start or end with a hyphen (-).".into(),
            NameError::Hyphen34 => {
                "A name can't have two hyphens (--) as its third and fourth characters.".into()
            }
            NameError::InvalidIdn => "This isn't a valid international domain name. Check the \
                letters and accents, and don't mix left-to-right and right-to-left writing."
                .into(),
            NameError::Subdomain { registrable } => format!(
                "A subdomain can't be registered. You can register “{}”.",
                to_unicode(registrable)
            ),
            NameError::UnknownExtension { extension } => format!(
                "We don't sell “.{}” domains. Try another extension.",
                to_unicode(extension)
            ),
            NameError::IdnNotAllowed { extension } => format!(
                "“.{}” domains can't contain accented or non-Latin letters. Use only a–z, 0–9 \
                 and hyphens (-).",
                to_unicode(extension)
            ),
        }
    }

    fn message_id(&self) -> String {
        match self {
            NameError::Empty => "Ketik nama yang ingin Anda daftarkan.".into(),
            NameError::MissingName { extension } => format!(
                "Ketik nama di depan ekstensi, misalnya “namaanda.{}”.",
                to_unicode(extension)
            ),
            NameError::EmptyLabel => "Nama domain berisi dua titik berurutan atau diawali titik. \
                Hapus titik yang berlebih."
                .into(),
            NameError::TooLong { max } => {
                format!("Nama domain lengkap maksimal {max} karakter.")
            }
            NameError::LabelTooLong { max } => {
                format!("Nama terlalu panjang: maksimal {max} karakter.")
            }
            NameError::TooShort { min } => {
                format!("Nama terlalu pendek: minimal {min} karakter.")
            }
            NameError::InvalidCharacter { ch } => format!(
                "{} tidak dapat digunakan dalam nama domain. Gunakan huruf, angka, dan tanda \
                 hubung (-).",
                show_char(*ch, Locale::Id)
            ),
            NameError::HyphenEdge => {
                "Nama tidak boleh diawali atau diakhiri dengan tanda hubung (-).".into()
            }
            NameError::Hyphen34 => "Nama tidak boleh memiliki dua tanda hubung (--) sebagai \
                karakter ketiga dan keempat."
                .into(),
            NameError::InvalidIdn => "Nama ini bukan nama domain internasional yang valid. \
                Periksa huruf dan tanda aksennya, dan jangan mencampur tulisan kiri-ke-kanan \
                dengan tulisan kanan-ke-kiri."
                .into(),
            NameError::Subdomain { registrable } => format!(
                "Subdomain tidak dapat didaftarkan. Anda dapat mendaftarkan “{}”.",
                to_unicode(registrable)
            ),
            NameError::UnknownExtension { extension } => format!(
                "Kami tidak menjual domain “.{}”. Coba ekstensi lain.",
                to_unicode(extension)
            ),
            NameError::IdnNotAllowed { extension } => format!(
                "Domain “.{}” tidak boleh berisi huruf beraksen atau huruf non-Latin. Gunakan \
                 hanya a–z, 0–9, dan tanda hubung (-).",
                to_unicode(extension)
            ),
        }
    }

    fn message_pl(&self) -> String {
        match self {
            NameError::Empty => "Wpisz nazwę, którą chcesz zarejestrować.".into(),
            NameError::MissingName { extension } => format!(
                "Wpisz nazwę przed rozszerzeniem, na przykład „twojanazwa.{}”.",
                to_unicode(extension)
            ),
            NameError::EmptyLabel => "Nazwa domeny zawiera dwie kropki z rzędu lub zaczyna się \
                od kropki. Usuń zbędną kropkę."
                .into(),
            NameError::TooLong { max } => format!(
                "Cała nazwa domeny może mieć najwyżej {max} {}.",
                pl_characters(u32::from(*max))
            ),
            NameError::LabelTooLong { max } => format!(
                "Nazwa jest za długa: może mieć najwyżej {max} {}.",
                pl_characters(u32::from(*max))
            ),
            NameError::TooShort { min } => format!(
                "Nazwa jest za krótka: musi mieć co najmniej {min} {}.",
                pl_characters(u32::from(*min))
            ),
            NameError::InvalidCharacter { ch } => format!(
                "W nazwie domeny nie można użyć {}. Używaj liter, cyfr i łączników (-).",
                show_char(*ch, Locale::Pl)
            ),
            NameError::HyphenEdge => {
                "Nazwa nie może zaczynać się ani kończyć łącznikiem (-).".into()
            }
            NameError::Hyphen34 => {
                "Nazwa nie może mieć dwóch łączników (--) na trzeciej i czwartej pozycji.".into()
            }
            NameError::InvalidIdn => "To nie jest poprawna nazwa domeny ze znakami narodowymi. \
                Sprawdź litery i znaki diakrytyczne i nie mieszaj pisma od lewej do prawej \
                z pismem od prawej do lewej."
                .into(),
            NameError::Subdomain { registrable } => format!(
                "Nie można zarejestrować subdomeny. Możesz zarejestrować „{}”.",
                to_unicode(registrable)
            ),
            NameError::UnknownExtension { extension } => format!(
                "Nie sprzedajemy domen „.{}”. Wybierz inne rozszerzenie.",
                to_unicode(extension)
            ),
            NameError::IdnNotAllowed { extension } => format!(
                "Domeny „.{}” nie mogą zawierać znaków diakrytycznych ani liter spoza alfabetu \
                 łacińskiego. Używaj tylko liter a–z, cyfr 0–9 i łączników (-).",
                to_unicode(extension)
            ),
        }
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Locale::En))
    }
}

fn en_characters(n: u32) -> &'static str {
    if n == 1 { "character" } else { "characters" }
}

/// Polish has three plural forms: 1 znak, 2–4 znaki (but 12–14 znaków), 5 znaków.
fn pl_characters(n: u32) -> &'static str {
    if n == 1 {
        "znak"
    } else if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) {
        "znaki"
    } else {
        "znaków"
    }
}

/// How a character appears in a message. Quoting an invisible character or a
/// lone combining mark shows the customer nothing useful, so those are named
/// by code point.
fn show_char(ch: char, locale: Locale) -> String {
    let code = format!("U+{:04X}", u32::from(ch));
    let (open, close) = match locale {
        Locale::Pl => ('„', '”'),
        Locale::En | Locale::Id => ('“', '”'),
    };
    let category = CodePointMapData::<GeneralCategory>::new().get(ch);
    let invisible = ch.is_control()
        || ch.is_whitespace()
        || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(ch)
        || matches!(
            category,
            GeneralCategory::Format
                | GeneralCategory::Unassigned
                | GeneralCategory::PrivateUse
                | GeneralCategory::Surrogate
        );
    let mark = matches!(
        category,
        GeneralCategory::NonspacingMark
            | GeneralCategory::EnclosingMark
            | GeneralCategory::SpacingMark
    );
    // Code points help tell look-alikes apart, but are noise for plain ASCII.
    let shown = if invisible || mark {
        code
    } else if ch.is_ascii() {
        format!("{open}{ch}{close}")
    } else {
        format!("{open}{ch}{close} ({code})")
    };
    match (locale, invisible) {
        (Locale::En, false) => format!("The character {shown}"),
        (Locale::En, true) => format!("The invisible character {shown}"),
        (Locale::Id, false) => format!("Karakter {shown}"),
        (Locale::Id, true) => format!("Karakter tak terlihat {shown}"),
        // Genitive: the Polish sentence is "nie można użyć <czego>".
        (Locale::Pl, false) => format!("znaku {shown}"),
        (Locale::Pl, true) => format!("niewidocznego znaku {shown}"),
    }
}

fn uts46() -> Uts46 {
    Uts46::new()
}

/// UTS #46 ToASCII with the flags a registrar needs: nontransitional,
/// UseSTD3ASCIIRules, CheckHyphens, CheckBidi, CheckJoiners and
/// VerifyDnsLength (so no trailing root dot). The input is a whole domain;
/// the output is lowercase ASCII with `xn--` labels for IDNs.
///
/// This is UTS #46 only, exactly as the conformance file has it. UTS #46
/// still accepts symbols and emoji that registries refuse; [`parse_query`]
/// adds the IDNA2008 check that catches those.
pub fn to_ascii(domain: &str) -> Result<String, NameError> {
    if domain.is_empty() {
        return Err(NameError::Empty);
    }
    // CheckBidi and CheckJoiners are always on in the idna crate, and it only
    // implements nontransitional processing, so the flags above are complete.
    match uts46().to_ascii(
        domain.as_bytes(),
        AsciiDenyList::STD3,
        Hyphens::Check,
        DnsLength::Verify,
    ) {
        Ok(ascii) => Ok(ascii.into_owned()),
        Err(_) => Err(diagnose(domain)),
    }
}

/// UTS #46 ToUnicode, for display.
///
/// Hyphen positions are not checked, so that names registered before the
/// `--` rule still display. A domain that does not decode cleanly is returned
/// unchanged rather than with U+FFFD marks: the ASCII form tells a customer
/// more than replacement characters do.
pub fn to_unicode(ascii: &str) -> String {
    let (unicode, result) =
        uts46().to_unicode(ascii.as_bytes(), AsciiDenyList::STD3, Hyphens::Allow);
    match result {
        Ok(()) => unicode.into_owned(),
        Err(_) => ascii.to_owned(),
    }
}

/// The registrable domain per the Public Suffix List, in lowercase ASCII:
/// `www.example.co.id` gives `example.co.id`. `None` if the input is itself a
/// public suffix, is a single label, or is not a valid domain.
///
/// Unlike [`to_ascii`], `--` in the third and fourth positions is accepted
/// and a trailing root dot is ignored: hosts such as YouTube's CDN nodes use
/// those, and they still have a registrable domain.
pub fn registrable_domain(domain: &str) -> Option<String> {
    let ascii = uts46()
        .to_ascii(
            domain.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Allow,
            DnsLength::VerifyAllowRootDot,
        )
        .ok()?;
    let ascii = ascii.strip_suffix('.').unwrap_or(&ascii);
    let found = psl::domain(ascii.as_bytes())?;
    std::str::from_utf8(found.as_bytes())
        .ok()
        .map(str::to_owned)
}

/// What a person is looking for: a name, and maybe an extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainQuery {
    /// The label to register, ASCII (punycode if IDN): `toko-budi`, `xn--bcher-kva`.
    pub name: String,
    /// The label for display: `bücher`.
    pub unicode_name: String,
    /// ASCII, no leading dot: `co.id`. `None` when only a name was typed.
    pub extension: Option<String>,
}

impl DomainQuery {
    /// The ASCII domain with extension `ext` (ASCII, no leading dot).
    pub fn domain(&self, ext: &str) -> String {
        format!("{}.{}", self.name, ext.trim_start_matches('.'))
    }

    /// The domain with extension `ext`, for display.
    pub fn unicode_domain(&self, ext: &str) -> String {
        format!(
            "{}.{}",
            self.unicode_name,
            to_unicode(ext.trim_start_matches('.'))
        )
    }

    pub fn is_idn(&self) -> bool {
        self.name.starts_with("xn--")
    }
}

/// Parse a search-box entry.
///
/// `extensions` are the extensions this shop sells (ASCII, lowercase, no
/// dot: `["id", "co.id", "com"]`). The longest one that ends the input wins,
/// so `example.co.id` is `example` + `co.id` even if `id` is sold too.
pub fn parse_query(input: &str, extensions: &[&str]) -> Result<DomainQuery, NameError> {
    // People type "toko budi.com" meaning "tokobudi.com", and paste names
    // with stray spaces; no domain contains whitespace.
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let host = strip_url_parts(&compact);
    if host.len() > MAX_INPUT_BYTES {
        return Err(NameError::TooLong {
            max: MAX_DOMAIN_LEN,
        });
    }
    let extensions = normalise_extensions(extensions);
    // Map first, so that full-width and ideographic dots and a full-width
    // "ｗｗｗ" are seen for what they are before anything is split or stripped.
    let mapped = premap(host);
    let mut rest = mapped.as_str();
    if let Some(after) = rest.strip_prefix("www.") {
        // "www.com" is a name in its own right, not "www." + ".com".
        let bare = after.strip_suffix('.').unwrap_or(after);
        if bare.is_empty() || bare_extension(bare, &extensions).is_none() {
            rest = after;
        }
    }
    let mut rest = rest.strip_suffix('.').unwrap_or(rest);
    if let Some(after) = rest.strip_prefix('.') {
        if let Some(extension) = bare_extension(after, &extensions) {
            return Err(NameError::MissingName { extension });
        }
        rest = after;
    }
    if rest.is_empty() {
        return Err(NameError::Empty);
    }

    let ascii = to_ascii(rest)?;
    let unicode = to_unicode(&ascii);
    for label in unicode.split('.') {
        if let Some(bad) = idna2008_violation(label) {
            return Err(NameError::InvalidCharacter {
                ch: typed_char_for(host, bad),
            });
        }
    }

    let Some((name_part, extension)) = split_extension(&ascii, &extensions)? else {
        return Ok(DomainQuery {
            unicode_name: unicode,
            name: ascii,
            extension: None,
        });
    };
    if let Some((_, last)) = name_part.rsplit_once('.') {
        return Err(NameError::Subdomain {
            registrable: format!("{last}.{extension}"),
        });
    }
    Ok(DomainQuery {
        name: name_part.to_owned(),
        unicode_name: to_unicode(name_part),
        extension: Some(extension),
    })
}

/// A registry's length rule. `min` counts the characters a person sees (the
/// Unicode form), because that is what "at least 3 characters" means to a
/// customer; `max` counts ASCII octets, because that is what DNS limits.
pub fn check_label_length(name: &DomainQuery, min: u8, max: u8) -> Result<(), NameError> {
    if name.unicode_name.chars().count() < usize::from(min) {
        return Err(NameError::TooShort { min });
    }
    if name.name.len() > usize::from(max) {
        return Err(NameError::LabelTooLong { max });
    }
    Ok(())
}

/// A registry's IDN rule: `allowed` is whether `ext` takes internationalised
/// names at all.
pub fn check_idn_allowed(q: &DomainQuery, ext: &str, allowed: bool) -> Result<(), NameError> {
    if q.is_idn() && !allowed {
        return Err(NameError::IdnNotAllowed {
            extension: ext.trim_start_matches('.').to_ascii_lowercase(),
        });
    }
    Ok(())
}

/// Splits `ascii` (valid, at least the output of [`to_ascii`]) into name part
/// and extension. `Ok(None)` when there is no dot.
fn split_extension<'a>(
    ascii: &'a str,
    extensions: &[String],
) -> Result<Option<(&'a str, String)>, NameError> {
    if !ascii.contains('.') {
        return Ok(None);
    }
    let sold = extensions
        .iter()
        .filter(|ext| ends_with_labels(ascii, ext))
        .max_by_key(|ext| ext.len());
    let icann = icann_suffix(ascii);
    // A sold extension wins unless the PSL says registrations happen deeper:
    // selling "pl" does not make "waw.pl" registrable, it is a public suffix.
    // Private-section suffixes (blogspot.com) are ordinary names to a
    // registrar, hence ICANN only.
    if let Some(ext) = sold.filter(|ext| icann.is_none_or(|suffix| suffix.len() <= ext.len())) {
        if ascii.len() == ext.len() {
            return Err(NameError::MissingName {
                extension: ext.clone(),
            });
        }
        let name_part = &ascii[..ascii.len() - ext.len() - 1];
        return Ok(Some((name_part, ext.clone())));
    }
    let extension = match icann {
        Some(suffix) if suffix.len() == ascii.len() => {
            return Err(NameError::MissingName {
                extension: suffix.to_owned(),
            });
        }
        Some(suffix) => suffix,
        // Not on the list at all: a TLD that does not exist (yet). The shop
        // does not sell it either way.
        None => ascii.rsplit('.').next().unwrap_or(ascii),
    };
    Err(NameError::UnknownExtension {
        extension: extension.to_owned(),
    })
}

fn ends_with_labels(domain: &str, suffix: &str) -> bool {
    domain == suffix
        || (domain.len() > suffix.len()
            && domain.ends_with(suffix)
            && domain.as_bytes()[domain.len() - suffix.len() - 1] == b'.')
}

/// The longest suffix of `ascii` that is in the ICANN section of the Public
/// Suffix List, on a label boundary.
fn icann_suffix(ascii: &str) -> Option<&str> {
    let mut candidate = ascii;
    loop {
        if let Some(suffix) = psl::suffix(candidate.as_bytes()) {
            match suffix.typ() {
                // The longest match is ICANN, so nothing longer can be.
                Some(psl::Type::Icann) => {
                    let len = suffix.as_bytes().len();
                    return Some(&candidate[candidate.len() - len..]);
                }
                // Not on the list: the TLD itself is unknown.
                None => return None,
                // A private rule (blogspot.com) hides the ICANN one under it.
                Some(psl::Type::Private) => {}
            }
        }
        candidate = candidate.split_once('.')?.1;
    }
}

/// The extension `text` is, if it is nothing but an extension: one the shop
/// sells, or an ICANN public suffix.
fn bare_extension(text: &str, extensions: &[String]) -> Option<String> {
    if text.is_empty() {
        return None;
    }
    let ascii = uts46()
        .to_ascii(
            text.as_bytes(),
            AsciiDenyList::STD3,
            Hyphens::Allow,
            DnsLength::Verify,
        )
        .ok()?;
    if extensions.iter().any(|ext| *ext == ascii) || icann_suffix(&ascii) == Some(&ascii) {
        Some(ascii.into_owned())
    } else {
        None
    }
}

/// The shop's list is configuration written by people: tolerate a leading
/// dot, capitals and Unicode extensions rather than silently never matching.
fn normalise_extensions(extensions: &[&str]) -> Vec<String> {
    extensions
        .iter()
        .filter_map(|ext| {
            let ext = ext.trim().trim_matches('.');
            if ext.is_empty() {
                None
            } else if ext.is_ascii() {
                Some(ext.to_ascii_lowercase())
            } else {
                to_ascii(ext).ok()
            }
        })
        .collect()
}

/// Reduces a pasted URL to its host: scheme, `user@`, port, path, query and
/// fragment go.
fn strip_url_parts(text: &str) -> &str {
    let mut host = text;
    if let Some((scheme, after)) = host.split_once("://") {
        if is_scheme(scheme) {
            host = after;
        }
    } else if let Some(after) = host.strip_prefix("//") {
        host = after;
    }
    if let Some(end) = host.find(['/', '?', '#']) {
        host = &host[..end];
    }
    // "toko@" is more likely a typo than a user with no host: leave the "@"
    // to be reported.
    if let Some((_, after)) = host.rsplit_once('@')
        && !after.is_empty()
    {
        host = after;
    }
    if let Some((before, port)) = host.rsplit_once(':')
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        host = before;
    }
    host
}

/// RFC 3986 scheme syntax, minus the dot: with it, "example.com://" would
/// read as a scheme and the name would vanish.
fn is_scheme(text: &str) -> bool {
    let mut bytes = text.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-')
}

/// Applies the UTS #46 mapping character by character: lowercase, full-width
/// forms, ideographic dots, ignorable characters dropped. A character whose
/// mapping fails on its own (joiners, leading combining marks) or yields
/// ASCII that STD3 forbids is kept as typed, so that errors name what the
/// person typed.
///
/// This changes nothing for UTS #46: the mapping is per character and
/// idempotent, and NFC of NFC pieces is NFC of the whole.
fn premap(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_ascii() {
            out.push(ch.to_ascii_lowercase());
            continue;
        }
        match map_char(ch) {
            Some(mapped)
                if mapped
                    .bytes()
                    .all(|b| !b.is_ascii() || is_ldh_lower(b) || b == b'.') =>
            {
                out.push_str(&mapped);
            }
            _ => out.push(ch),
        }
    }
    out
}

fn is_ldh_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
}

/// Works out why strict ToASCII refused `domain`, most useful reason first:
/// the character to remove, then hyphens, then lengths.
fn diagnose(domain: &str) -> NameError {
    if domain.len() > MAX_INPUT_BYTES {
        return NameError::TooLong {
            max: MAX_DOMAIN_LEN,
        };
    }
    if let Some(ch) = first_invalid_char(domain) {
        return NameError::InvalidCharacter { ch };
    }
    let (unicode, result) =
        uts46().to_unicode(domain.as_bytes(), AsciiDenyList::STD3, Hyphens::Allow);
    if result.is_ok() {
        for label in unicode.split('.') {
            if label.starts_with('-') || label.ends_with('-') {
                return NameError::HyphenEdge;
            }
            if label.chars().skip(2).take(2).eq("--".chars()) {
                return NameError::Hyphen34;
            }
        }
    }
    let Ok(ascii) = uts46().to_ascii(
        domain.as_bytes(),
        AsciiDenyList::STD3,
        Hyphens::Allow,
        DnsLength::Ignore,
    ) else {
        return NameError::InvalidIdn;
    };
    if ascii.split('.').any(str::is_empty) {
        return NameError::EmptyLabel;
    }
    if ascii
        .split('.')
        .any(|label| label.len() > usize::from(MAX_LABEL_LEN))
    {
        return NameError::LabelTooLong { max: MAX_LABEL_LEN };
    }
    if ascii.len() > usize::from(MAX_DOMAIN_LEN) {
        return NameError::TooLong {
            max: MAX_DOMAIN_LEN,
        };
    }
    NameError::InvalidIdn
}

/// The first character that is wrong wherever it stands. A character that is
/// only wrong in its position (a combining mark at the start of a label, a
/// right-to-left letter next to a left-to-right one) is not reported here:
/// removing it would not be the right advice.
fn first_invalid_char(domain: &str) -> Option<char> {
    let fails = |text: &str| {
        uts46()
            .to_unicode(text.as_bytes(), AsciiDenyList::STD3, Hyphens::Allow)
            .1
            .is_err()
    };
    let found = domain.chars().find(|&ch| {
        if ch.is_ascii() {
            return !(ch.is_ascii_alphanumeric() || ch == '-' || ch == '.');
        }
        if is_joiner(ch) {
            return false;
        }
        let alone = ch.to_string();
        // Left-to-right, right-to-left and neutral neighbours, so that a
        // character is only blamed if no neighbour makes it valid.
        let uts46_disallowed =
            fails(&alone) && fails(&format!("a{alone}")) && fails(&format!("\u{05D0}{alone}"));
        uts46_disallowed
            || map_char(ch).is_some_and(|mapped| {
                mapped
                    .chars()
                    .any(|m| m != '.' && idna2008_class(m) == Class::Disallowed)
            })
    });
    if found.is_some() {
        return found;
    }
    // Joiners are valid only next to certain letters, so they are blamed
    // only when taking them out fixes the name.
    let first_joiner = domain.chars().find(|&ch| is_joiner(ch))?;
    let without: String = domain.chars().filter(|&ch| !is_joiner(ch)).collect();
    (!fails(&without)).then_some(first_joiner)
}

/// The UTS #46 mapping of one character; `None` if it is disallowed or cannot
/// stand alone.
fn map_char(ch: char) -> Option<String> {
    let mut buf = [0u8; 4];
    let single = ch.encode_utf8(&mut buf);
    let (mapped, result) =
        uts46().to_unicode(single.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow);
    result.ok().map(|()| mapped.into_owned())
}

fn is_joiner(ch: char) -> bool {
    matches!(ch, '\u{200C}' | '\u{200D}')
}

/// The character the person typed that produced `bad` after mapping, so the
/// error names "½" rather than the "⁄" it maps to; `bad` itself if the name
/// arrived as punycode.
fn typed_char_for(typed: &str, bad: char) -> char {
    typed
        .chars()
        .find(|&ch| ch == bad || map_char(ch).is_some_and(|mapped| mapped.contains(bad)))
        .unwrap_or(bad)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Pvalid,
    ContextO,
    Disallowed,
}

/// RFC 5892 section 3, for a character that has already been through the
/// UTS #46 mapping. Contextual characters are judged by
/// [`idna2008_violation`]; CONTEXTJ (the joiners) is `Pvalid` here because
/// UTS #46 CheckJoiners has already applied those rules.
fn idna2008_class(ch: char) -> Class {
    let cp = u32::from(ch);
    if ch.is_ascii() {
        return if is_ldh_lower(ch as u8) {
            Class::Pvalid
        } else {
            Class::Disallowed
        };
    }
    // 2.6 Exceptions (F).
    match cp {
        0x00DF | 0x03C2 | 0x06FD | 0x06FE | 0x0F0B | 0x3007 => return Class::Pvalid,
        0x00B7 | 0x0375 | 0x05F3 | 0x05F4 | 0x30FB | 0x0660..=0x0669 | 0x06F0..=0x06F9 => {
            return Class::ContextO;
        }
        0x0640 | 0x07FA | 0x302E | 0x302F | 0x3031..=0x3035 | 0x303B => {
            return Class::Disallowed;
        }
        _ => {}
    }
    if is_joiner(ch) {
        return Class::Pvalid;
    }
    let ignorable_block = matches!(cp, 0x20D0..=0x20FF | 0x1D100..=0x1D1FF | 0x1D200..=0x1D24F);
    if ignorable_block
        || CodePointSetData::new::<ChangesWhenNfkcCasefolded>().contains(ch)
        || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(ch)
        || CodePointSetData::new::<WhiteSpace>().contains(ch)
        || CodePointSetData::new::<NoncharacterCodePoint>().contains(ch)
        || matches!(
            CodePointMapData::<HangulSyllableType>::new().get(ch),
            HangulSyllableType::LeadingJamo
                | HangulSyllableType::VowelJamo
                | HangulSyllableType::TrailingJamo
        )
    {
        return Class::Disallowed;
    }
    match CodePointMapData::<GeneralCategory>::new().get(ch) {
        GeneralCategory::LowercaseLetter
        | GeneralCategory::UppercaseLetter
        | GeneralCategory::OtherLetter
        | GeneralCategory::DecimalNumber
        | GeneralCategory::ModifierLetter
        | GeneralCategory::NonspacingMark
        | GeneralCategory::SpacingMark => Class::Pvalid,
        _ => Class::Disallowed,
    }
}

/// The first character of a Unicode label that IDNA2008 does not allow, with
/// the RFC 5892 appendix A rules for the CONTEXTO characters.
fn idna2008_violation(label: &str) -> Option<char> {
    let chars: Vec<char> = label.chars().collect();
    let script = |ch: char| CodePointMapData::<Script>::new().get(ch);
    let any_in = |range: std::ops::RangeInclusive<char>| chars.iter().any(|ch| range.contains(ch));
    chars.iter().enumerate().find_map(|(i, &ch)| {
        let ok = match idna2008_class(ch) {
            Class::Pvalid => true,
            Class::Disallowed => false,
            Class::ContextO => match ch {
                // A.3: Catalan "l·l".
                '\u{00B7}' => i > 0 && chars[i - 1] == 'l' && chars.get(i + 1) == Some(&'l'),
                // A.4: Greek keraia before a Greek letter.
                '\u{0375}' => chars
                    .get(i + 1)
                    .is_some_and(|&n| script(n) == Script::Greek),
                // A.5, A.6: Hebrew geresh and gershayim after a Hebrew letter.
                '\u{05F3}' | '\u{05F4}' => i > 0 && script(chars[i - 1]) == Script::Hebrew,
                // A.7: katakana middle dot with some kana or Han in the label.
                '\u{30FB}' => chars.iter().any(|&other| {
                    other != '\u{30FB}'
                        && matches!(
                            script(other),
                            Script::Hiragana | Script::Katakana | Script::Han
                        )
                }),
                // A.8, A.9: Arabic-Indic and extended Arabic-Indic digits don't mix.
                '\u{0660}'..='\u{0669}' => !any_in('\u{06F0}'..='\u{06F9}'),
                '\u{06F0}'..='\u{06F9}' => !any_in('\u{0660}'..='\u{0669}'),
                _ => false,
            },
        };
        (!ok).then_some(ch)
    })
}
