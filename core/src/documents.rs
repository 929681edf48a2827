//! A registrant's documents, decided without I/O: whether one answer to a
//! catalogue item (`catalogue::DocumentItem`) is acceptable, what is kept of
//! it, and the review of every version a customer sends.
//!
//! The storefront's form, the upload API and the back office all ask
//! [`judge`], so a file refused in one place is refused everywhere. A file is
//! judged by its bytes alone: its name and the content type a browser claims
//! are chosen by whoever sends it, so neither decides anything. The few
//! formats a registry reads (PDF, PNG, JPEG) are recognised by their own
//! headers, and a file that is also markup (an HTML or SVG page that happens
//! to start like a PDF) is refused, because a reviewer's browser might one
//! day render it.
//!
//! A [`DocumentSet`] is the documents of one subject (an order line, later a
//! reseller's application): every version of every item, each reviewed at
//! most once.
//!
//! | latest version | state | next |
//! |---|---|---|
//! | none | missing | submitted |
//! | not reviewed | submitted | approved, rejected, submitted (a newer version) |
//! | approved | approved | — |
//! | rejected (with a reason) | rejected | submitted |

use crate::catalogue::{DocumentItem, DocumentKind};
use crate::locale::Locale;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Largest file when an item sets no `max_size_kb`, in KiB. The catalogue
/// requires one for every file item; this only keeps a hand-made item safe.
pub const DEFAULT_MAX_SIZE_KB: u32 = 5120;
/// Longest text answer when an item sets no `max_length`, in characters.
pub const DEFAULT_MAX_LENGTH: u32 = 200;
/// Longest file name, in characters: what common file systems allow.
pub const MAX_NAME_CHARS: usize = 255;
/// Largest image side, in pixels. A scan at 600 dpi of an A3 page is under
/// 10,000; a larger header is a decompression bomb or a lie.
pub const MAX_SIDE: u32 = 20_000;

/// Where a PDF's `%%EOF` must appear: the specification allows trailing
/// junk after it, readers look for it within the last kilobyte.
const PDF_EOF_WINDOW: usize = 1024;
/// How far from each end markup is looked for. Browsers sniff the start of a
/// file, and appended payloads sit at its end.
const MARKUP_WINDOW: usize = 4096;
/// What makes a file a page a browser would run or render, ASCII lowercase.
const MARKUP: [&[u8]; 5] = [b"<script", b"<html", b"<svg", b"<?xml", b"<!doctype"];
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// What a customer sends for one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer<'a> {
    /// An upload: the name the browser gave and every byte of it.
    File {
        name: &'a str,
        bytes: &'a [u8],
    },
    Text(&'a str),
    /// An option's index as a decimal string ("0", "1") or its text in any
    /// of the item's languages.
    Choice(&'a str),
}

/// What is kept of an accepted answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Stored {
    /// The file's bytes are kept elsewhere (under `Version::key`); this is
    /// what was learnt from them, so nobody has to trust the name.
    File {
        name: String,
        content_type: String,
        size: u64,
        width: Option<u32>,
        height: Option<u32>,
    },
    /// The answer trimmed.
    Text { text: String },
    /// The option's index in the item's `options`.
    Choice { option: usize },
}

/// Why an answer is refused: one variant per thing the customer can fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocProblem {
    #[error("the answer is not of the kind the item asks for")]
    WrongKind,
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {max_kb} KB")]
    TooLarge { max_kb: u32 },
    #[error("the file name cannot be used")]
    BadName,
    #[error("the file is not a valid PDF, JPEG or PNG")]
    NotWhatItClaims,
    #[error("this kind of file is not accepted (accepted: {})", .accepted.join(", "))]
    NotAccepted { accepted: Vec<String> },
    #[error("the answer is empty")]
    TextEmpty,
    #[error("the answer is longer than {max} characters")]
    TextTooLong { max: u32 },
    #[error("the answer contains control characters")]
    BadText,
    #[error("the answer is not one of the options offered")]
    ChoiceNotOffered,
}

/// Decide whether `answer` is acceptable for `item` and what is kept of it.
///
/// The checks run in a fixed order (kind, then for a file: empty, size,
/// name, what the bytes are, markup, accepted types) so the same answer
/// always gets the same problem. Never panics, whatever the input.
pub fn judge(item: &DocumentItem, answer: &Answer<'_>) -> Result<Stored, DocProblem> {
    match (item.kind, answer) {
        (DocumentKind::File, Answer::File { name, bytes }) => judge_file(item, name, bytes),
        (DocumentKind::Text, Answer::Text(text)) => judge_text(item, text),
        (DocumentKind::Choice, Answer::Choice(choice)) => judge_choice(item, choice),
        _ => Err(DocProblem::WrongKind),
    }
}

fn judge_file(item: &DocumentItem, name: &str, bytes: &[u8]) -> Result<Stored, DocProblem> {
    if bytes.is_empty() {
        return Err(DocProblem::Empty);
    }
    let max_kb = item.max_size_kb.unwrap_or(DEFAULT_MAX_SIZE_KB);
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > max_bytes(item) {
        return Err(DocProblem::TooLarge { max_kb });
    }
    if !name_ok(name) {
        return Err(DocProblem::BadName);
    }
    let (format, dimensions) = sniff(bytes).ok_or(DocProblem::NotWhatItClaims)?;
    if carries_markup(bytes) {
        return Err(DocProblem::NotWhatItClaims);
    }
    if !item.accept.iter().any(|a| format.is_named(a)) {
        return Err(DocProblem::NotAccepted {
            accepted: item.accept.clone(),
        });
    }
    Ok(Stored::File {
        name: name.to_string(),
        content_type: format.content_type().to_string(),
        size,
        width: dimensions.map(|(w, _)| w),
        height: dimensions.map(|(_, h)| h),
    })
}

/// The largest file `item` takes, in bytes.
pub fn max_bytes(item: &DocumentItem) -> u64 {
    u64::from(item.max_size_kb.unwrap_or(DEFAULT_MAX_SIZE_KB)) * 1024
}

/// The content types of the formats `item` accepts, as a browser names
/// them (`image/jpeg` once for "jpg" and "jpeg"): what an upload straight
/// to the blob store may declare. The bytes are still judged afterwards.
pub fn accepted_content_types(item: &DocumentItem) -> Vec<&'static str> {
    [Format::Pdf, Format::Png, Format::Jpeg]
        .into_iter()
        .filter(|f| item.accept.iter().any(|a| f.is_named(a)))
        .map(Format::content_type)
        .collect()
}

/// A name is shown to reviewers and offered back as a download name, so it
/// must not be a path (`/`, `\`, `.`, `..`), must not hide or reorder text
/// (control characters, including the bidirectional overrides behind
/// "invoice\u{202E}fdp.exe"), and must fit a file system.
fn name_ok(name: &str) -> bool {
    let chars = name.chars().count();
    (1..=MAX_NAME_CHARS).contains(&chars)
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control() || is_bidi_control(c))
}

/// Unicode's Bidi_Control characters: invisible, and they reorder what is
/// shown around them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The formats a registry reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Pdf,
    Png,
    Jpeg,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Png => "image/png",
            Format::Jpeg => "image/jpeg",
        }
    }

    /// Whether an item's accepted type (a file extension) names this format.
    fn is_named(self, accepted: &str) -> bool {
        let a = accepted.trim();
        match self {
            Format::Pdf => a.eq_ignore_ascii_case("pdf"),
            Format::Png => a.eq_ignore_ascii_case("png"),
            Format::Jpeg => a.eq_ignore_ascii_case("jpg") || a.eq_ignore_ascii_case("jpeg"),
        }
    }
}

/// What the bytes are, and an image's width and height.
fn sniff(bytes: &[u8]) -> Option<(Format, Option<(u32, u32)>)> {
    if is_pdf(bytes) {
        Some((Format::Pdf, None))
    } else if let Some(wh) = png_size(bytes) {
        Some((Format::Png, Some(wh)))
    } else {
        jpeg_size(bytes).map(|wh| (Format::Jpeg, Some(wh)))
    }
}

/// `%PDF-` first and `%%EOF` at the end: a PDF cut short by a failed upload
/// has no end marker, and a reader could not open it.
fn is_pdf(bytes: &[u8]) -> bool {
    let tail = bytes
        .get(bytes.len().saturating_sub(PDF_EOF_WINDOW)..)
        .unwrap_or(bytes);
    bytes.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

/// The signature, then the IHDR chunk that the PNG specification puts
/// first, whole (13 bytes of data and its CRC), with both sides in range.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(..8)? != PNG_SIGNATURE
        || be32(bytes, 8)? != 13
        || bytes.get(12..16)? != b"IHDR"
        || bytes.len() < 33
    {
        return None;
    }
    sides(be32(bytes, 16)?, be32(bytes, 20)?)
}

/// SOI, then the marker segments (T.81 annex B) up to the frame header,
/// which holds the height and width. The scan (SOS) or the end (EOI) before
/// any frame header, or a segment running past the end, is not a JPEG.
fn jpeg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(..3)? != [0xFF, 0xD8, 0xFF] {
        return None;
    }
    let mut at = 2usize;
    // Each turn moves `at` forward by at least two bytes, so this ends.
    loop {
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        // Any number of 0xFF fill bytes may come before a marker.
        let mut marker_at = at + 1;
        while *bytes.get(marker_at)? == 0xFF {
            marker_at += 1;
        }
        let marker = *bytes.get(marker_at)?;
        at = marker_at + 1;
        match marker {
            // Standalone markers, without a length: TEM and RST0..RST7.
            0x01 | 0xD0..=0xD7 => continue,
            // A stuffed zero, a second SOI, EOI or SOS before any frame.
            0x00 | 0xD8 | 0xD9 | 0xDA => return None,
            _ => {}
        }
        let len = usize::from(be16(bytes, at)?);
        if len < 2 {
            return None;
        }
        let end = at.checked_add(len)?;
        let segment = bytes.get(at..end)?;
        // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share
        // the range: Lf P Y X Nf, then three bytes per component.
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let components = usize::from(*segment.get(7)?);
            if components == 0 || len != 8 + 3 * components {
                return None;
            }
            let height = u32::from(be16(segment, 3)?);
            let width = u32::from(be16(segment, 5)?);
            return sides(width, height);
        }
        at = end;
    }
}

fn sides(width: u32, height: u32) -> Option<(u32, u32)> {
    let ok = |s: u32| (1..=MAX_SIDE).contains(&s);
    (ok(width) && ok(height)).then_some((width, height))
}

fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes(b.try_into().ok()?))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(b.try_into().ok()?))
}

/// Whether markup starts within the first or the last `MARKUP_WINDOW`
/// bytes. Each window reaches a few bytes further, so a tag that starts
/// inside it but ends just outside still counts.
fn carries_markup(bytes: &[u8]) -> bool {
    let longest = MARKUP.iter().map(|m| m.len()).max().unwrap_or(0);
    let reach = MARKUP_WINDOW + longest.saturating_sub(1);
    let head = bytes.get(..reach.min(bytes.len())).unwrap_or(bytes);
    let tail = bytes
        .get(bytes.len().saturating_sub(reach)..)
        .unwrap_or(bytes);
    [head, tail].iter().any(|window| {
        MARKUP.iter().any(|tag| {
            window
                .windows(tag.len())
                .any(|w| w.eq_ignore_ascii_case(tag))
        })
    })
}

/// A text is kept trimmed and on one line: it is shown in lists and sent to
/// a registry, where a line break or an invisible character would change it.
fn judge_text(item: &DocumentItem, text: &str) -> Result<Stored, DocProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DocProblem::TextEmpty);
    }
    let max = item.max_length.unwrap_or(DEFAULT_MAX_LENGTH);
    if text.chars().count() > usize::try_from(max).unwrap_or(usize::MAX) {
        return Err(DocProblem::TextTooLong { max });
    }
    if text.chars().any(char::is_control) {
        return Err(DocProblem::BadText);
    }
    Ok(Stored::Text {
        text: text.to_string(),
    })
}

/// The form sends an option's index; an integration may send its text in
/// any language. The index is kept, so a translation fixed later changes
/// nothing already answered. Only the canonical decimal form of an index
/// counts ("1", not "01" or "+1"); an index wins over an option whose text
/// happens to be a number.
fn judge_choice(item: &DocumentItem, choice: &str) -> Result<Stored, DocProblem> {
    let choice = choice.trim();
    if choice.is_empty() {
        return Err(DocProblem::ChoiceNotOffered);
    }
    (0..item.options.len())
        .find(|i| i.to_string() == choice)
        .or_else(|| {
            item.options
                .iter()
                .position(|o| o.all().any(|t| t.trim() == choice))
        })
        .map(|option| Stored::Choice { option })
        .ok_or(DocProblem::ChoiceNotOffered)
}

impl DocProblem {
    /// Stable machine code for the API's error body ("too_large",
    /// "not_accepted", ...): clients branch on it, never on the message.
    pub fn code(&self) -> &'static str {
        match self {
            DocProblem::WrongKind => "wrong_kind",
            DocProblem::Empty => "empty",
            DocProblem::TooLarge { .. } => "too_large",
            DocProblem::BadName => "bad_name",
            DocProblem::NotWhatItClaims => "not_what_it_claims",
            DocProblem::NotAccepted { .. } => "not_accepted",
            DocProblem::TextEmpty => "text_empty",
            DocProblem::TextTooLong { .. } => "text_too_long",
            DocProblem::BadText => "bad_text",
            DocProblem::ChoiceNotOffered => "choice_not_offered",
        }
    }

    /// HTTP status the API answers with: 413 Content Too Large, 415
    /// Unsupported Media Type for a file that is not (or not an accepted)
    /// document, 400 for everything else.
    pub fn status(&self) -> u16 {
        match self {
            DocProblem::TooLarge { .. } => 413,
            DocProblem::NotWhatItClaims | DocProblem::NotAccepted { .. } => 415,
            _ => 400,
        }
    }

    /// What to fix, naming the item by `label` (already in `lang`), e.g.
    /// "KTP: the file is larger than 2048 KB. Send a smaller file."
    pub fn message(&self, lang: Locale, label: &str) -> String {
        let what = match lang {
            Locale::En => self.message_en(),
            Locale::Id => self.message_id(),
            Locale::Pl => self.message_pl(),
        };
        format!("{label}: {what}")
    }

    fn message_en(&self) -> String {
        match self {
            DocProblem::WrongKind => "this is not the kind of answer this item asks for.".into(),
            DocProblem::Empty => "the file is empty. Choose the file again.".into(),
            DocProblem::TooLarge { max_kb } => {
                format!("the file is larger than {max_kb} KB. Send a smaller file.")
            }
            DocProblem::BadName => "the file's name can't be used. Rename the file without \
                slashes or special characters and send it again."
                .into(),
            DocProblem::NotWhatItClaims => "this file is not a valid PDF, JPG or PNG. Save or \
                scan the document again in one of these formats and send the new file."
                .into(),
            DocProblem::NotAccepted { accepted } => match formats(accepted, Locale::En) {
                Some(list) => format!("this type of file is not accepted here. Send a {list}."),
                None => "this type of file is not accepted here.".into(),
            },
            DocProblem::TextEmpty => "this can't be left empty.".into(),
            DocProblem::TextTooLong { max } => format!(
                "the answer can be at most {max} {} long.",
                if *max == 1 { "character" } else { "characters" }
            ),
            DocProblem::BadText => "the answer contains a line break or an invisible control \
                character. Write it on one line."
                .into(),
            DocProblem::ChoiceNotOffered => "choose one of the options offered.".into(),
        }
    }

    fn message_id(&self) -> String {
        match self {
            DocProblem::WrongKind => "jenis jawaban ini tidak sesuai dengan yang diminta.".into(),
            DocProblem::Empty => "berkas kosong. Pilih berkasnya lagi.".into(),
            DocProblem::TooLarge { max_kb } => {
                format!("ukuran berkas lebih dari {max_kb} KB. Kirim berkas yang lebih kecil.")
            }
            DocProblem::BadName => "nama berkas tidak dapat digunakan. Ganti nama berkas tanpa \
                garis miring atau karakter khusus, lalu kirim lagi."
                .into(),
            DocProblem::NotWhatItClaims => "berkas ini bukan PDF, JPG, atau PNG yang valid. \
                Simpan atau pindai ulang dokumen dalam salah satu format tersebut, lalu kirim \
                berkas barunya."
                .into(),
            DocProblem::NotAccepted { accepted } => match formats(accepted, Locale::Id) {
                Some(list) => format!("jenis berkas ini tidak diterima. Kirim berkas {list}."),
                None => "jenis berkas ini tidak diterima.".into(),
            },
            DocProblem::TextEmpty => "wajib diisi.".into(),
            DocProblem::TextTooLong { max } => format!("jawaban maksimal {max} karakter."),
            DocProblem::BadText => "jawaban berisi baris baru atau karakter kontrol yang tidak \
                terlihat. Tulis dalam satu baris."
                .into(),
            DocProblem::ChoiceNotOffered => "pilih salah satu opsi yang tersedia.".into(),
        }
    }

    fn message_pl(&self) -> String {
        match self {
            DocProblem::WrongKind => "ta odpowiedź nie jest tego rodzaju, o jaki prosimy.".into(),
            DocProblem::Empty => "plik jest pusty. Wybierz plik ponownie.".into(),
            DocProblem::TooLarge { max_kb } => {
                format!("plik jest większy niż {max_kb} KB. Wyślij mniejszy plik.")
            }
            DocProblem::BadName => "nazwa pliku jest niedozwolona. Zmień nazwę pliku tak, by nie \
                zawierała ukośników ani znaków specjalnych, i wyślij go ponownie."
                .into(),
            DocProblem::NotWhatItClaims => "ten plik nie jest poprawnym plikiem PDF, JPG ani PNG. \
                Zapisz lub zeskanuj dokument ponownie w jednym z tych formatów i wyślij nowy plik."
                .into(),
            DocProblem::NotAccepted { accepted } => match formats(accepted, Locale::Pl) {
                Some(list) => {
                    format!("ten rodzaj pliku nie jest tu przyjmowany. Wyślij plik {list}.")
                }
                None => "ten rodzaj pliku nie jest tu przyjmowany.".into(),
            },
            DocProblem::TextEmpty => "to pole nie może być puste.".into(),
            DocProblem::TextTooLong { max } => {
                format!(
                    "odpowiedź może mieć najwyżej {max} {}.",
                    pl_characters(*max)
                )
            }
            DocProblem::BadText => "odpowiedź zawiera znak nowego wiersza lub niewidoczny znak \
                sterujący. Napisz ją w jednym wierszu."
                .into(),
            DocProblem::ChoiceNotOffered => "wybierz jedną z podanych opcji.".into(),
        }
    }
}

/// Accepted types as a person names them ("PDF, JPG or PNG"), jpg and jpeg
/// once; None when the item accepts nothing.
fn formats(accepted: &[String], lang: Locale) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    for a in accepted {
        let a = a.trim();
        let name = if a.eq_ignore_ascii_case("jpeg") {
            "JPG".to_string()
        } else {
            a.to_ascii_uppercase()
        };
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    let (last, rest) = names.split_last()?;
    if rest.is_empty() {
        return Some(last.clone());
    }
    let joined = rest.join(", ");
    Some(match lang {
        Locale::En => format!("{joined} or {last}"),
        Locale::Id if rest.len() > 1 => format!("{joined}, atau {last}"),
        Locale::Id => format!("{joined} atau {last}"),
        Locale::Pl => format!("{joined} lub {last}"),
    })
}

/// Polish has three plural forms: 1 znak, 2–4 znaki (but 12–14 znaków),
/// 5 znaków.
fn pl_characters(n: u32) -> &'static str {
    if n == 1 {
        "znak"
    } else if (2..=4).contains(&(n % 10)) && !(12..=14).contains(&(n % 100)) {
        "znaki"
    } else {
        "znaków"
    }
}

/// The document set of one subject (an order line; later a reseller's
/// application), by item id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DocumentSet {
    pub items: BTreeMap<String, ItemRecord>,
}

/// Every version of one item, oldest first: a rejected version is kept, so
/// a reviewer and an auditor can see what was sent and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ItemRecord {
    pub versions: Vec<Version>,
}

/// One answer as it was accepted by [`judge`], and its review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// 1-based, in the order sent.
    pub n: u32,
    pub stored: Stored,
    /// Where the file's bytes are kept (a content hash key), None for text
    /// and choice.
    pub key: Option<String>,
    /// RFC 3339.
    pub at: String,
    /// Who sent it.
    pub by: String,
    pub review: Option<Review>,
    /// When the storefront and then the platform review (`Reviewers::Both`):
    /// the storefront's approval, after which it is the platform's turn.
    /// `review` stays the final word.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Review>,
    /// For a version reused from another line's approved set: where it
    /// came from (its review is that line's, kept as it was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused: Option<Origin>,
}

/// The approved version a reused one was copied from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    pub order: String,
    pub line: String,
    pub domain: String,
    pub version: u32,
}

/// A reviewer's decision on one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub approved: bool,
    /// Shown to the customer; required for a rejection.
    pub reason: Option<String>,
    pub by: String,
    /// RFC 3339.
    pub at: String,
}

/// Who reviews an extension's documents (the catalogue's `review`): the
/// storefront's own staff, the platform's, or both in turn (the
/// storefront first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reviewers {
    #[default]
    Reseller,
    Platform,
    Both,
}

/// The level a reviewer decides for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Reseller,
    Platform,
}

impl Reviewers {
    /// Whose turn it is on a version waiting for review: with both, the
    /// storefront's until it approved (`first`), then the platform's.
    pub fn turn(self, first_approved: bool) -> Level {
        match self {
            Reviewers::Reseller => Level::Reseller,
            Reviewers::Platform => Level::Platform,
            Reviewers::Both if first_approved => Level::Platform,
            Reviewers::Both => Level::Reseller,
        }
    }

    /// Whether `level` reviews these documents at all.
    pub fn includes(self, level: Level) -> bool {
        matches!(
            (self, level),
            (Reviewers::Both, _)
                | (Reviewers::Reseller, Level::Reseller)
                | (Reviewers::Platform, Level::Platform)
        )
    }
}

/// Where one item stands, by its latest version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Missing,
    Submitted,
    Approved,
    Rejected,
}

impl ItemState {
    /// As serialised ("missing", "submitted", ...), for templates and CSS.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Missing => "missing",
            ItemState::Submitted => "submitted",
            ItemState::Approved => "approved",
            ItemState::Rejected => "rejected",
        }
    }

    /// The state as a customer or reviewer reads it, in `lang`.
    pub fn message(&self, lang: Locale) -> String {
        let s = match (self, lang) {
            (ItemState::Missing, Locale::En) => "Not sent yet",
            (ItemState::Missing, Locale::Id) => "Belum dikirim",
            (ItemState::Missing, Locale::Pl) => "Jeszcze nie wysłano",
            (ItemState::Submitted, Locale::En) => "Waiting for review",
            (ItemState::Submitted, Locale::Id) => "Menunggu pemeriksaan",
            (ItemState::Submitted, Locale::Pl) => "Czeka na sprawdzenie",
            (ItemState::Approved, Locale::En) => "Approved",
            (ItemState::Approved, Locale::Id) => "Disetujui",
            (ItemState::Approved, Locale::Pl) => "Zatwierdzono",
            (ItemState::Rejected, Locale::En) => "Rejected",
            (ItemState::Rejected, Locale::Id) => "Ditolak",
            (ItemState::Rejected, Locale::Pl) => "Odrzucono",
        };
        s.to_string()
    }
}

/// Why a submission or review is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    #[error("this item is not asked for")]
    UnknownItem,
    #[error("the item is already approved")]
    AlreadyApproved,
    #[error("only the latest version can be reviewed")]
    NotLatest,
    #[error("nothing has been sent for this item")]
    NotSubmitted,
    #[error("this version has already been reviewed")]
    AlreadyReviewed,
    #[error("a rejection needs a reason")]
    ReasonRequired,
    #[error("these documents cannot be used for this line")]
    NotReusable,
    /// This level does not review these documents: to it they do not exist.
    #[error("not reviewed here")]
    NotReviewer,
    /// Both review in turn and it is the other level's.
    #[error("it is the other reviewer's turn")]
    NotYourTurn { turn: Level },
}

impl SetError {
    /// Stable machine code for the API's error body.
    pub fn code(&self) -> &'static str {
        match self {
            SetError::UnknownItem => "unknown_item",
            SetError::AlreadyApproved => "already_approved",
            SetError::NotLatest => "not_latest",
            SetError::NotSubmitted => "not_submitted",
            SetError::AlreadyReviewed => "already_reviewed",
            SetError::ReasonRequired => "reason_required",
            SetError::NotReusable => "not_reusable",
            SetError::NotReviewer => "not_found",
            SetError::NotYourTurn { .. } => "not_your_turn",
        }
    }

    /// HTTP status: 404 for an item the subject does not ask for, 400 for
    /// a missing reason, 409 for a review or upload that came too late.
    pub fn status(&self) -> u16 {
        match self {
            SetError::UnknownItem | SetError::NotReviewer => 404,
            SetError::ReasonRequired => 400,
            _ => 409,
        }
    }

    /// What happened, for the person who tried, in `lang`.
    pub fn message(&self, lang: Locale) -> String {
        let s = match (self, lang) {
            (SetError::UnknownItem, Locale::En) => "This document is not asked for here.",
            (SetError::UnknownItem, Locale::Id) => "Dokumen ini tidak diminta di sini.",
            (SetError::UnknownItem, Locale::Pl) => "Ten dokument nie jest tu wymagany.",
            (SetError::AlreadyApproved, Locale::En) => {
                "This document has already been approved and can no longer be replaced."
            }
            (SetError::AlreadyApproved, Locale::Id) => {
                "Dokumen ini sudah disetujui dan tidak dapat diganti lagi."
            }
            (SetError::AlreadyApproved, Locale::Pl) => {
                "Ten dokument został już zatwierdzony i nie można go już zastąpić."
            }
            (SetError::NotLatest, Locale::En) => {
                "A newer version of this document has been sent since. Review the newest one."
            }
            (SetError::NotLatest, Locale::Id) => {
                "Sudah ada versi yang lebih baru dari dokumen ini. Periksa versi terbaru."
            }
            (SetError::NotLatest, Locale::Pl) => {
                "Od tego czasu przesłano nowszą wersję tego dokumentu. Sprawdź najnowszą."
            }
            (SetError::NotSubmitted, Locale::En) => "Nothing has been sent for this document yet.",
            (SetError::NotSubmitted, Locale::Id) => "Belum ada yang dikirim untuk dokumen ini.",
            (SetError::NotSubmitted, Locale::Pl) => {
                "Dla tego dokumentu nie przesłano jeszcze niczego."
            }
            (SetError::AlreadyReviewed, Locale::En) => "This version has already been reviewed.",
            (SetError::AlreadyReviewed, Locale::Id) => "Versi ini sudah diperiksa.",
            (SetError::AlreadyReviewed, Locale::Pl) => "Ta wersja została już sprawdzona.",
            (SetError::ReasonRequired, Locale::En) => {
                "Give a reason for the rejection, so the sender knows what to fix."
            }
            (SetError::ReasonRequired, Locale::Id) => {
                "Tuliskan alasan penolakan agar pengirim tahu apa yang harus diperbaiki."
            }
            (SetError::ReasonRequired, Locale::Pl) => {
                "Podaj powód odrzucenia, aby nadawca wiedział, co poprawić."
            }
            (SetError::NotReusable, Locale::En) => {
                "These documents cannot be used for this name: they are not approved for the same registrant and extension. Send the documents instead."
            }
            (SetError::NotReusable, Locale::Id) => {
                "Dokumen ini tidak dapat dipakai untuk nama ini: dokumen tersebut tidak disetujui untuk pendaftar dan ekstensi yang sama. Kirim dokumennya saja."
            }
            (SetError::NotReusable, Locale::Pl) => {
                "Tych dokumentów nie można użyć dla tej nazwy: nie zostały zatwierdzone dla tego samego abonenta i rozszerzenia. Prześlij dokumenty."
            }
            (SetError::NotReviewer, Locale::En) => "No such document.",
            (SetError::NotReviewer, Locale::Id) => "Dokumen tidak ditemukan.",
            (SetError::NotReviewer, Locale::Pl) => "Nie ma takiego dokumentu.",
            (
                SetError::NotYourTurn {
                    turn: Level::Platform,
                },
                Locale::En,
            ) => "Approved here already: the platform reviews it next.",
            (
                SetError::NotYourTurn {
                    turn: Level::Platform,
                },
                Locale::Id,
            ) => "Sudah disetujui di sini: platform memeriksanya berikutnya.",
            (
                SetError::NotYourTurn {
                    turn: Level::Platform,
                },
                Locale::Pl,
            ) => "Już tu zatwierdzono: teraz sprawdza go platforma.",
            (
                SetError::NotYourTurn {
                    turn: Level::Reseller,
                },
                Locale::En,
            ) => "The storefront reviews this document first.",
            (
                SetError::NotYourTurn {
                    turn: Level::Reseller,
                },
                Locale::Id,
            ) => "Toko memeriksa dokumen ini lebih dulu.",
            (
                SetError::NotYourTurn {
                    turn: Level::Reseller,
                },
                Locale::Pl,
            ) => "Najpierw ten dokument sprawdza sklep.",
        };
        s.to_string()
    }
}

impl DocumentSet {
    /// A set asking for `required` item ids, each Missing. An id listed
    /// twice is asked for once.
    pub fn new(required: &[String]) -> DocumentSet {
        DocumentSet {
            items: required
                .iter()
                .map(|id| (id.clone(), ItemRecord::default()))
                .collect(),
        }
    }

    /// The latest version of `item`, if one was sent: what a reviewer
    /// decides on and what the customer sees (with a rejection's reason).
    pub fn latest(&self, item: &str) -> Option<&Version> {
        self.items.get(item)?.versions.last()
    }

    /// The state of `item`'s latest version; None for an item not asked for.
    pub fn state(&self, item: &str) -> Option<ItemState> {
        let record = self.items.get(item)?;
        Some(match record.versions.last() {
            None => ItemState::Missing,
            Some(Version { review: None, .. }) => ItemState::Submitted,
            Some(Version {
                review: Some(r), ..
            }) if r.approved => ItemState::Approved,
            Some(_) => ItemState::Rejected,
        })
    }

    /// A new version of `item`; refused once the item is approved
    /// (AlreadyApproved), since what a registry accepted must not change
    /// under it. A version waiting for review may be replaced: the newer
    /// one is what gets reviewed. Returns the version number.
    pub fn submit(
        &mut self,
        item: &str,
        stored: Stored,
        key: Option<String>,
        at: &str,
        by: &str,
    ) -> Result<u32, SetError> {
        if self.state(item) == Some(ItemState::Approved) {
            return Err(SetError::AlreadyApproved);
        }
        let record = self.items.get_mut(item).ok_or(SetError::UnknownItem)?;
        let n = record.versions.last().map_or(1, |v| v.n.saturating_add(1));
        record.versions.push(Version {
            n,
            stored,
            key,
            at: at.to_string(),
            by: by.to_string(),
            review: None,
            first: None,
            reused: None,
        });
        Ok(n)
    }

    /// Approve or reject version `version` of `item`: only a submitted one
    /// (NotSubmitted when nothing was sent), only the latest (NotLatest: the
    /// reviewer was looking at a version since replaced), only once
    /// (AlreadyReviewed); a rejection needs a non-empty reason
    /// (ReasonRequired), because the customer must know what to fix. The
    /// reason is kept trimmed; an approval's empty reason is dropped.
    pub fn review(
        &mut self,
        item: &str,
        version: u32,
        approve: bool,
        reason: Option<String>,
        at: &str,
        by: &str,
    ) -> Result<(), SetError> {
        let decision = Decision {
            approve,
            reason,
            at,
            by,
        };
        self.review_as(
            item,
            version,
            decision,
            Level::Reseller,
            Reviewers::Reseller,
        )
    }

    /// [`DocumentSet::review`] by a reviewer of `level`, for documents that
    /// `reviewers` review: a level that does not review them is told they
    /// do not exist (NotReviewer); with both, the storefront decides first
    /// and its approval hands the version to the platform, whose decision
    /// (or the storefront's rejection) is final (NotYourTurn otherwise).
    pub fn review_as(
        &mut self,
        item: &str,
        version: u32,
        d: Decision<'_>,
        level: Level,
        reviewers: Reviewers,
    ) -> Result<(), SetError> {
        if !reviewers.includes(level) {
            return Err(SetError::NotReviewer);
        }
        let record = self.items.get_mut(item).ok_or(SetError::UnknownItem)?;
        let latest = record.versions.last_mut().ok_or(SetError::NotSubmitted)?;
        if latest.n != version {
            return Err(SetError::NotLatest);
        }
        if latest.review.is_some() {
            return Err(SetError::AlreadyReviewed);
        }
        let turn = reviewers.turn(latest.first.as_ref().is_some_and(|r| r.approved));
        if turn != level {
            return Err(SetError::NotYourTurn { turn });
        }
        let reason = d
            .reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if !d.approve && reason.is_none() {
            return Err(SetError::ReasonRequired);
        }
        let review = Review {
            approved: d.approve,
            reason,
            by: d.by.to_string(),
            at: d.at.to_string(),
        };
        if reviewers == Reviewers::Both && level == Level::Reseller && d.approve {
            latest.first = Some(review);
        } else {
            latest.review = Some(review);
        }
        Ok(())
    }

    /// Items whose latest version waits for `level`'s review.
    pub fn awaiting(&self, level: Level, reviewers: Reviewers) -> usize {
        self.items
            .values()
            .filter_map(|r| r.versions.last())
            .filter(|v| v.review.is_none())
            .filter(|v| reviewers.turn(v.first.as_ref().is_some_and(|r| r.approved)) == level)
            .count()
    }

    /// Every item approved (a set asking for nothing is complete).
    pub fn complete(&self) -> bool {
        self.count(|s| s == ItemState::Approved) == self.items.len()
    }

    /// Items whose latest version waits for a review.
    pub fn waiting(&self) -> usize {
        self.count(|s| s == ItemState::Submitted)
    }

    /// Items still to be sent by the customer (Missing or Rejected).
    pub fn to_send(&self) -> usize {
        self.count(|s| matches!(s, ItemState::Missing | ItemState::Rejected))
    }

    fn count(&self, pred: impl Fn(ItemState) -> bool) -> usize {
        self.items
            .keys()
            .filter_map(|id| self.state(id))
            .filter(|s| pred(*s))
            .count()
    }
}

/// A reviewer's decision, as given.
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    pub approve: bool,
    /// Required for a rejection: the customer reads it.
    pub reason: Option<String>,
    /// RFC 3339.
    pub at: &'a str,
    pub by: &'a str,
}

/// Whom a set of documents is about: the customer account and, for a
/// company, its tax id, kept as [`tax_key`] makes it, so "01.234.567.8-901.000"
/// and "012345678901000" are one company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registrant {
    pub customer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
}

impl Registrant {
    /// The registrant of `customer`'s lines; `company_tax_id` when the
    /// account is a company's.
    pub fn new(customer: &str, company_tax_id: Option<&str>) -> Registrant {
        Registrant {
            customer: customer.to_string(),
            tax_id: company_tax_id.map(tax_key).filter(|t| !t.is_empty()),
        }
    }
}

/// A tax id as compared: its letters and digits, uppercase; the dots,
/// dashes and spaces people write it with do not make another company.
pub fn tax_key(tax_id: &str) -> String {
    tax_id
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// An approved set offered for reuse, as its store keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub ext: &'a str,
    /// Whom it was sent for; None for a set kept before registrants were
    /// recorded, which is never offered.
    pub registrant: Option<&'a Registrant>,
    pub set: &'a DocumentSet,
    /// Its files deleted after its domain ended.
    pub deleted: bool,
}

/// Whether `source` may stand for the documents a line of `ext` asks of
/// `who` (`asked`, item ids): the same customer account, the same company
/// tax id (or personal on both sides), the same extension, not deleted,
/// and every item asked for approved there. A company whose tax id has
/// changed since is another registrant.
pub fn reusable(who: &Registrant, ext: &str, asked: &[String], source: &Candidate<'_>) -> bool {
    !source.deleted
        && source.ext == ext
        && source.registrant == Some(who)
        && !asked.is_empty()
        && asked
            .iter()
            .all(|i| source.set.state(i) == Some(ItemState::Approved))
}

impl DocumentSet {
    /// When the last of its items' current versions was approved, and by
    /// whom: what "approved on <date>" says. None unless complete.
    pub fn approved(&self) -> Option<&Review> {
        if !self.complete() {
            return None;
        }
        self.items
            .keys()
            .filter_map(|id| self.latest(id)?.review.as_ref())
            .max_by(|a, b| a.at.cmp(&b.at))
    }

    /// Take `source`'s approved versions for every item not approved here:
    /// the same stored answer and file key (no bytes copied), the same
    /// review, and where it came from. Refused (NotReusable) when `source`
    /// lacks an approved version of an item this set asks for. Returns how
    /// many items were taken.
    pub fn reuse(
        &mut self,
        source: &DocumentSet,
        from: &Origin,
        at: &str,
        by: &str,
    ) -> Result<usize, SetError> {
        let wanted: Vec<String> = self
            .items
            .keys()
            .filter(|id| self.state(id) != Some(ItemState::Approved))
            .cloned()
            .collect();
        let mut taken = Vec::new();
        for id in &wanted {
            match source.latest(id) {
                Some(v) if source.state(id) == Some(ItemState::Approved) => {
                    taken.push((id.clone(), v.clone()))
                }
                _ => return Err(SetError::NotReusable),
            }
        }
        for (id, v) in &taken {
            let record = self.items.get_mut(id).ok_or(SetError::UnknownItem)?;
            let n = record.versions.last().map_or(1, |l| l.n.saturating_add(1));
            record.versions.push(Version {
                n,
                stored: v.stored.clone(),
                key: v.key.clone(),
                at: at.to_string(),
                by: by.to_string(),
                review: v.review.clone(),
                first: v.first.clone(),
                reused: Some(Origin {
                    version: v.n,
                    ..from.clone()
                }),
            });
        }
        Ok(taken.len())
    }

    /// Every file key its versions name, once each, in order.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .items
            .values()
            .flat_map(|r| r.versions.iter().filter_map(|v| v.key.as_deref()))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// Days documents are kept after their domain ends when the platform says
/// nothing (`document_retention_days`).
pub const DEFAULT_RETENTION_DAYS: u16 = 365;
/// How often a set whose line is still pending is looked at again.
pub const PENDING_RECHECK_DAYS: u64 = 7;
/// How often a set whose domain is registered is looked at again: a
/// refund or a deletion at the registry ends it before its expiry.
pub const LIVE_RECHECK_DAYS: u64 = 30;

/// Where the domain a set of documents is for stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Life {
    /// Not settled yet: unpaid, waiting for documents or the registry.
    Pending,
    /// Registered, until `expires`.
    Registered { expires: chrono::NaiveDate },
    /// Ended on that day: deleted at the registry, lapsed, cancelled,
    /// refused, refunded.
    Ended { on: chrono::NaiveDate },
}

/// What to do with a set of documents today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retain {
    /// Keep it; look again on that day.
    Until(chrono::NaiveDate),
    /// Delete its files: its domain ended on `ended`, `days` ago or more.
    Delete { ended: chrono::NaiveDate },
}

/// The retention rule: a set is kept while its domain lives and for
/// `keep_days` after it ends. A registered domain ends `redemption_days`
/// after its expiry (the registry's redemption grace, while it can still be
/// restored); renewed, it is looked at again before that.
pub fn retention(
    life: Life,
    redemption_days: u16,
    keep_days: u16,
    today: chrono::NaiveDate,
) -> Retain {
    use chrono::Days;
    let soon = |d: u64| today + Days::new(d);
    let ended = match life {
        Life::Pending => return Retain::Until(soon(PENDING_RECHECK_DAYS)),
        Life::Registered { expires } => expires + Days::new(u64::from(redemption_days)),
        Life::Ended { on } => on,
    };
    let due = ended + Days::new(u64::from(keep_days));
    if due <= today {
        return Retain::Delete { ended };
    }
    match life {
        Life::Registered { .. } => Retain::Until(due.min(soon(LIVE_RECHECK_DAYS))),
        _ => Retain::Until(due),
    }
}

/// What is left of a set whose files were deleted: what there was, when
/// it went and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    /// RFC 3339.
    pub at: String,
    /// The day its domain ended.
    pub ended: chrono::NaiveDate,
    /// The retention in force, in days.
    pub days: u16,
    /// Item id -> how many versions it had.
    pub items: BTreeMap<String, u32>,
    /// Files deleted with it (a file another set still uses is kept).
    pub files: usize,
}

impl Tombstone {
    /// What a person reading the set, or asking for one of its files,
    /// is told, in `lang`.
    pub fn message(&self, domain: &str, lang: Locale) -> String {
        let on = self.at.get(..10).unwrap_or(&self.at);
        let (days, ended) = (self.days, self.ended);
        match lang {
            Locale::En => format!(
                "The documents for {domain} were deleted on {on}: they are kept {days} days after the domain ends, and {domain} ended on {ended}."
            ),
            Locale::Id => format!(
                "Dokumen untuk {domain} dihapus pada {on}: dokumen disimpan {days} hari setelah domain berakhir, dan {domain} berakhir pada {ended}."
            ),
            Locale::Pl => format!(
                "Dokumenty domeny {domain} usunięto {on}: są przechowywane {days} dni po wygaśnięciu domeny, a {domain} wygasła {ended}."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Catalogue, Translated};
    use proptest::prelude::*;

    // ---- items, as in content/platform/catalogue.toml ----

    fn tr(en: &str, id: &str, pl: &str) -> Translated {
        Translated {
            en: en.into(),
            id: Some(id.into()),
            pl: Some(pl.into()),
        }
    }

    fn file_item(accept: &[&str], max_size_kb: Option<u32>) -> DocumentItem {
        DocumentItem {
            label: tr("KTP", "KTP", "KTP"),
            help: None,
            kind: DocumentKind::File,
            accept: accept.iter().map(|s| s.to_string()).collect(),
            max_size_kb,
            options: vec![],
            max_length: None,
        }
    }

    fn ktp() -> DocumentItem {
        file_item(&["pdf", "jpg", "png"], Some(2048))
    }

    fn akta() -> DocumentItem {
        file_item(&["pdf"], Some(8192))
    }

    #[test]
    fn an_upload_may_declare_the_accepted_types_only_and_up_to_the_size() {
        assert_eq!(
            accepted_content_types(&ktp()),
            ["application/pdf", "image/png", "image/jpeg"]
        );
        assert_eq!(accepted_content_types(&akta()), ["application/pdf"]);
        let jpg = file_item(&["JPG", "jpeg"], None);
        assert_eq!(accepted_content_types(&jpg), ["image/jpeg"]);
        assert_eq!(max_bytes(&ktp()), 2048 * 1024);
        assert_eq!(max_bytes(&jpg), u64::from(DEFAULT_MAX_SIZE_KB) * 1024);
    }

    fn text_item(max_length: Option<u32>) -> DocumentItem {
        DocumentItem {
            label: tr("Country", "Negara", "Kraj"),
            help: None,
            kind: DocumentKind::Text,
            accept: vec![],
            max_size_kb: None,
            options: vec![],
            max_length,
        }
    }

    fn entity_type() -> DocumentItem {
        DocumentItem {
            label: tr("Registrant type", "Jenis pendaftar", "Rodzaj abonenta"),
            help: None,
            kind: DocumentKind::Choice,
            accept: vec![],
            max_size_kb: None,
            options: vec![
                tr("Individual", "Perorangan", "Osoba fizyczna"),
                tr("Company", "Perusahaan", "Firma"),
            ],
            max_length: None,
        }
    }

    // ---- byte fixtures ----

    /// A real 1x1 PNG (the repository's tests/fixtures/valid/.../banner.png):
    /// IHDR, IDAT, IEND, every CRC correct.
    const PNG_1X1: [u8; 69] = [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xe0,
        0x8e, 0xff, 0x0f, 0x00, 0x01, 0xe2, 0x01, 0x6a, 0x38, 0x66, 0xf9, 0xaf, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// The real PNG with its IHDR saying `w` x `h` (CRC recomputed).
    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut p = PNG_1X1.to_vec();
        p[16..20].copy_from_slice(&w.to_be_bytes());
        p[20..24].copy_from_slice(&h.to_be_bytes());
        let crc = crc32(&p[12..29]);
        p[29..33].copy_from_slice(&crc.to_be_bytes());
        p
    }

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let len = u16::try_from(body.len() + 2).unwrap();
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&len.to_be_bytes());
        s.extend_from_slice(body);
        s
    }

    fn frame(marker: u8, w: u16, h: u16) -> Vec<u8> {
        let mut body = vec![8];
        body.extend_from_slice(&h.to_be_bytes());
        body.extend_from_slice(&w.to_be_bytes());
        body.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        segment(marker, &body)
    }

    fn app0() -> Vec<u8> {
        segment(0xE0, b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    }

    fn dqt() -> Vec<u8> {
        let mut body = vec![0];
        body.extend_from_slice(&[1; 64]);
        segment(0xDB, &body)
    }

    fn dht() -> Vec<u8> {
        let mut body = vec![0x00, 0, 1];
        body.extend_from_slice(&[0; 14]);
        body.push(0);
        segment(0xC4, &body)
    }

    fn sos_and_end() -> Vec<u8> {
        let mut s = segment(0xDA, &[3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
        // Entropy-coded data with a stuffed 0xFF and a restart marker.
        s.extend_from_slice(&[0xF8, 0xFF, 0x00, 0x3C, 0xFF, 0xD0, 0x12, 0xFF, 0xD9]);
        s
    }

    /// A baseline JPEG laid out as libjpeg writes one (SOI, APP0 JFIF, DQT,
    /// SOF, DHT, SOS, data, EOI), with frame marker `sof`.
    fn jpeg_with(sof: u8, w: u16, h: u16) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        j.extend(app0());
        j.extend(dqt());
        j.extend(frame(sof, w, h));
        j.extend(dht());
        j.extend(sos_and_end());
        j
    }

    fn jpeg(w: u16, h: u16) -> Vec<u8> {
        jpeg_with(0xC0, w, h)
    }

    /// A small but complete PDF.
    const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n\
        1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n\
        2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n\
        3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n\
        trailer\n<< /Root 1 0 R >>\n%%EOF\n";

    fn file<'a>(name: &'a str, bytes: &'a [u8]) -> Answer<'a> {
        Answer::File { name, bytes }
    }

    fn stored_file(name: &str, ct: &str, size: usize, wh: Option<(u32, u32)>) -> Stored {
        Stored::File {
            name: name.into(),
            content_type: ct.into(),
            size: size as u64,
            width: wh.map(|(w, _)| w),
            height: wh.map(|(_, h)| h),
        }
    }

    // ---- files: what is accepted, and what is kept ----

    #[test]
    fn the_three_formats_are_recognised_by_their_bytes() {
        let j = jpeg(640, 480);
        assert_eq!(
            judge(&ktp(), &file("ktp.pdf", PDF)),
            Ok(stored_file("ktp.pdf", "application/pdf", PDF.len(), None))
        );
        assert_eq!(
            judge(&ktp(), &file("ktp.png", &PNG_1X1)),
            Ok(stored_file("ktp.png", "image/png", 69, Some((1, 1))))
        );
        assert_eq!(
            judge(&ktp(), &file("ktp.jpg", &j)),
            Ok(stored_file(
                "ktp.jpg",
                "image/jpeg",
                j.len(),
                Some((640, 480))
            ))
        );
        // The name never decides: a PNG called .pdf is a PNG, a PDF called
        // .jpg is a PDF, and a name without an extension is fine.
        assert_eq!(
            judge(&ktp(), &file("scan.pdf", &PNG_1X1)),
            Ok(stored_file("scan.pdf", "image/png", 69, Some((1, 1))))
        );
        assert_eq!(
            judge(&ktp(), &file("photo.jpg", PDF)),
            Ok(stored_file("photo.jpg", "application/pdf", PDF.len(), None))
        );
        assert_eq!(
            judge(&ktp(), &file("scan", &j)),
            Ok(stored_file("scan", "image/jpeg", j.len(), Some((640, 480))))
        );
    }

    #[test]
    fn the_type_must_be_one_the_item_accepts() {
        let accepted = vec!["pdf".to_string()];
        assert_eq!(
            judge(&akta(), &file("akta.png", &PNG_1X1)),
            Err(DocProblem::NotAccepted {
                accepted: accepted.clone()
            })
        );
        assert_eq!(
            judge(&akta(), &file("akta.jpg", &jpeg(10, 10))),
            Err(DocProblem::NotAccepted { accepted })
        );
        assert!(judge(&akta(), &file("akta.pdf", PDF)).is_ok());
        // jpg and jpeg both mean JPEG; case does not matter.
        for accept in ["jpg", "jpeg", "JPG", "Jpeg"] {
            let item = file_item(&[accept], Some(100));
            assert!(judge(&item, &file("a", &jpeg(1, 1))).is_ok(), "{accept}");
            assert_eq!(
                judge(&item, &file("a", &PNG_1X1)),
                Err(DocProblem::NotAccepted {
                    accepted: vec![accept.to_string()]
                })
            );
        }
        let png_only = file_item(&["png"], Some(100));
        assert_eq!(
            judge(&png_only, &file("a.pdf", PDF)),
            Err(DocProblem::NotAccepted {
                accepted: vec!["png".into()]
            })
        );
        let nothing = file_item(&[], Some(100));
        assert_eq!(
            judge(&nothing, &file("a.pdf", PDF)),
            Err(DocProblem::NotAccepted { accepted: vec![] })
        );
    }

    fn pdf_of_len(len: usize) -> Vec<u8> {
        let mut p = b"%PDF-1.4\n".to_vec();
        p.resize(len - 6, b' ');
        p.extend_from_slice(b"%%EOF\n");
        assert_eq!(p.len(), len);
        p
    }

    #[test]
    fn size_limit_is_max_size_kb_kibibytes_with_a_default() {
        let one = file_item(&["pdf"], Some(1));
        assert!(judge(&one, &file("a.pdf", &pdf_of_len(1024))).is_ok());
        assert_eq!(
            judge(&one, &file("a.pdf", &pdf_of_len(1025))),
            Err(DocProblem::TooLarge { max_kb: 1 })
        );
        let ktp = ktp();
        assert!(judge(&ktp, &file("a.pdf", &pdf_of_len(2048 * 1024))).is_ok());
        assert_eq!(
            judge(&ktp, &file("a.pdf", &pdf_of_len(2048 * 1024 + 1))),
            Err(DocProblem::TooLarge { max_kb: 2048 })
        );
        let default = file_item(&["pdf"], None);
        assert!(judge(&default, &file("a.pdf", &pdf_of_len(5120 * 1024))).is_ok());
        assert_eq!(
            judge(&default, &file("a.pdf", &pdf_of_len(5120 * 1024 + 1))),
            Err(DocProblem::TooLarge { max_kb: 5120 })
        );
        // Size is judged before the bytes are looked at.
        assert_eq!(
            judge(&one, &file("a.html", &[b'<'; 2000])),
            Err(DocProblem::TooLarge { max_kb: 1 })
        );
    }

    #[test]
    fn an_empty_file_is_empty_whatever_its_name() {
        assert_eq!(judge(&ktp(), &file("ktp.pdf", b"")), Err(DocProblem::Empty));
        assert_eq!(judge(&ktp(), &file("../x", b"")), Err(DocProblem::Empty));
        assert_eq!(
            judge(&file_item(&["pdf"], Some(0)), &file("a", b"")),
            Err(DocProblem::Empty)
        );
    }

    #[test]
    fn file_names_that_are_paths_or_hide_text_are_refused() {
        let long_ok = "a".repeat(255);
        let long_bad = "a".repeat(256);
        let wide_ok = "ą".repeat(255); // 510 bytes, 255 characters
        for bad in [
            "",
            ".",
            "..",
            "../ktp.pdf",
            "../../etc/passwd",
            "a/b",
            "/ktp.pdf",
            "C:\\x",
            "..\\ktp.pdf",
            "ktp\0.pdf",
            "ktp.pdf\0.png",
            "ktp\n.pdf",
            "ktp\r.pdf",
            "ktp\t.pdf",
            "ktp\u{7F}.pdf",
            "ktp\u{85}.pdf",
            "ktp\u{202E}fdp.exe",
            "\u{2066}ktp.pdf",
            long_bad.as_str(),
        ] {
            assert_eq!(
                judge(&ktp(), &file(bad, PDF)),
                Err(DocProblem::BadName),
                "{bad:?}"
            );
        }
        for good in [
            "ktp.pdf",
            "KTP Budi Santoso (2).PDF",
            "...pdf",
            ".hidden",
            "zdjęcie dowodu.jpg",
            "身份证.png",
            "a",
            long_ok.as_str(),
            wide_ok.as_str(),
        ] {
            let Ok(Stored::File { name, .. }) = judge(&ktp(), &file(good, PDF)) else {
                panic!("{good:?} refused");
            };
            assert_eq!(name, good);
        }
    }

    #[test]
    fn a_pdf_needs_its_start_and_its_end_marker() {
        let fail = |b: &[u8]| {
            assert_eq!(
                judge(&ktp(), &file("a.pdf", b)),
                Err(DocProblem::NotWhatItClaims)
            )
        };
        fail(b"%PDF-");
        fail(b"%PDF-1.7\n1 0 obj\n"); // cut short: no %%EOF
        fail(b" %PDF-1.4\n%%EOF"); // not at offset 0
        fail(b"%pdf-1.4\n%%EOF"); // the header is case-sensitive
        fail(b"%PDF-1.4\n%%eof");
        assert!(judge(&ktp(), &file("a.pdf", b"%PDF-%%EOF")).is_ok());
        // %%EOF must lie within the last 1024 bytes.
        let mut within = PDF.to_vec();
        within.extend_from_slice(&[b' '; 1018]);
        assert_eq!(
            within.len() - within.windows(5).rposition(|w| w == b"%%EOF").unwrap(),
            1024
        );
        assert!(judge(&ktp(), &file("a.pdf", &within)).is_ok());
        within.push(b' ');
        fail(&within);
    }

    #[test]
    fn a_png_needs_a_whole_ihdr_with_sane_sides() {
        let bad = |b: &[u8]| {
            assert_eq!(
                judge(&ktp(), &file("a.png", b)),
                Err(DocProblem::NotWhatItClaims),
                "{b:?}"
            )
        };
        bad(&png(0, 0));
        bad(&png(0, 1));
        bad(&png(1, 0));
        bad(&png(100_000, 1));
        bad(&png(1, 100_000));
        bad(&png(20_001, 1));
        bad(&png(u32::MAX, u32::MAX));
        let sides = |b: &[u8]| match judge(&ktp(), &file("a.png", b)) {
            Ok(Stored::File { width, height, .. }) => (width, height),
            other => panic!("{other:?}"),
        };
        assert_eq!(sides(&png(20_000, 20_000)), (Some(20_000), Some(20_000)));
        assert_eq!(sides(&png(3000, 4000)), (Some(3000), Some(4000)));
        // Truncated anywhere within the signature or IHDR (with its CRC).
        for len in 1..33 {
            bad(&PNG_1X1[..len]);
        }
        // IHDR must come first and be 13 bytes long.
        let mut not_ihdr = PNG_1X1.to_vec();
        not_ihdr[12..16].copy_from_slice(b"IDAT");
        bad(&not_ihdr);
        let mut long_ihdr = PNG_1X1.to_vec();
        long_ihdr[11] = 14;
        bad(&long_ihdr);
        let mut signature = PNG_1X1.to_vec();
        signature[7] = 0x0B;
        bad(&signature);
    }

    #[test]
    fn a_jpeg_is_walked_to_its_frame_header() {
        let sides = |b: &[u8]| match judge(&ktp(), &file("a.jpg", b)) {
            Ok(Stored::File {
                width,
                height,
                content_type,
                ..
            }) => {
                assert_eq!(content_type, "image/jpeg");
                (width.unwrap(), height.unwrap())
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(sides(&jpeg(1, 1)), (1, 1));
        assert_eq!(sides(&jpeg(4032, 3024)), (4032, 3024));
        assert_eq!(sides(&jpeg(20_000, 20_000)), (20_000, 20_000));
        // Every SOF: baseline, extended, progressive, lossless, arithmetic.
        for sof in (0xC0..=0xCF).filter(|m| ![0xC4, 0xC8, 0xCC].contains(m)) {
            assert_eq!(sides(&jpeg_with(sof, 300, 200)), (300, 200), "{sof:02X}");
        }
        // DHT, JPG and DAC are not frame headers: with nothing else, no frame.
        for not_sof in [0xC4u8, 0xC8, 0xCC] {
            let mut j = vec![0xFF, 0xD8];
            j.extend(frame(not_sof, 300, 200));
            j.extend(sos_and_end());
            assert_eq!(
                judge(&ktp(), &file("a.jpg", &j)),
                Err(DocProblem::NotWhatItClaims),
                "{not_sof:02X}"
            );
        }
        // Tables before the frame (some encoders write DHT first), fill
        // bytes before a marker, a restart marker and an APP1 segment.
        let mut j = vec![0xFF, 0xD8];
        j.extend(dht());
        j.extend([0xFF, 0xFF, 0xFF]);
        j.extend(segment(0xE1, b"Exif\0\0MM\0*"));
        j.extend([0xFF, 0xD0]);
        j.extend(dqt());
        j.extend(frame(0xC2, 800, 600));
        j.extend(sos_and_end());
        assert_eq!(sides(&j), (800, 600));
    }

    #[test]
    fn a_jpeg_without_a_sane_frame_is_refused() {
        let bad = |b: &[u8]| {
            assert_eq!(
                judge(&ktp(), &file("a.jpg", b)),
                Err(DocProblem::NotWhatItClaims),
                "{b:?}"
            )
        };
        bad(&jpeg(0, 1));
        bad(&jpeg(1, 0));
        bad(&jpeg(20_001, 10));
        bad(&jpeg(10, 65_535));
        bad(&[0xFF, 0xD8, 0xFF]);
        bad(&[0xFF, 0xD8, 0xFF, 0xD9]);
        bad(&[0xFF; 64]);
        // The scan before any frame header.
        let mut scan_first = vec![0xFF, 0xD8];
        scan_first.extend(sos_and_end());
        scan_first.extend(frame(0xC0, 10, 10));
        bad(&scan_first);
        // A segment whose length points past the end.
        let mut past_end = vec![0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xF0];
        past_end.extend(frame(0xC0, 10, 10));
        bad(&past_end);
        // A length below two (it counts itself).
        let mut short = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01];
        short.extend(frame(0xC0, 10, 10));
        bad(&short);
        // Something other than a marker where one must be.
        let mut garbage = vec![0xFF, 0xD8];
        garbage.extend(app0());
        garbage.push(0x00);
        garbage.extend(frame(0xC0, 10, 10));
        bad(&garbage);
        // A frame header whose length disagrees with its component count.
        let mut odd = vec![0xFF, 0xD8];
        odd.extend(segment(0xC0, &[8, 0, 10, 0, 10, 3, 1, 0x11, 0]));
        odd.extend(sos_and_end());
        bad(&odd);
        let mut none = vec![0xFF, 0xD8];
        none.extend(segment(0xC0, &[8, 0, 10, 0, 10, 0]));
        bad(&none);
    }

    #[test]
    fn a_truncated_jpeg_is_refused_until_its_frame_header_is_whole() {
        let j = jpeg(64, 48);
        let frame_end = 2 + app0().len() + dqt().len() + frame(0xC0, 64, 48).len();
        for len in 0..=j.len() {
            let got = judge(&ktp(), &file("a.jpg", &j[..len]));
            if len == 0 {
                assert_eq!(got, Err(DocProblem::Empty));
            } else if len < frame_end {
                assert_eq!(got, Err(DocProblem::NotWhatItClaims), "{len}");
            } else {
                assert!(got.is_ok(), "{len}: {got:?}");
            }
        }
    }

    // ---- the hostile corpus ----

    #[test]
    fn markup_is_never_a_document() {
        let not = |name: &str, b: &[u8]| {
            assert_eq!(
                judge(&ktp(), &file(name, b)),
                Err(DocProblem::NotWhatItClaims),
                "{name}"
            )
        };
        not(
            "ktp.pdf",
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        );
        not("ktp.pdf", b"<html><body>%PDF-1.4</body></html>%%EOF");
        not(
            "ktp.png",
            b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        );
        not("ktp.jpg", b"<svg/onload=alert(1)>");
        not("ktp.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;");
        not("ktp.pdf", b"PK\x03\x04 a zip, or a docx");
        not("ktp.pdf", b"MZ\x90\x00 an executable");
        // Polyglots: the right header, and markup near either end.
        not("ktp.pdf", b"%PDF-1.4\n<script>alert(1)</script>\n%%EOF");
        not("ktp.pdf", b"%PDF-1.4\n<ScRiPt src=//evil>\n%%EOF");
        not("ktp.pdf", b"%PDF-1.4\n%%EOF\n<!doctype html>");
        not("ktp.pdf", b"%PDF-1.4 <?XML version='1.0'?> %%EOF");
        not("ktp.pdf", b"%PDF-1.4 <HTML> %%EOF");
        let mut png_then_html = PNG_1X1.to_vec();
        png_then_html.extend_from_slice(b"<html><script>alert(1)</script></html>");
        not("ktp.png", &png_then_html);
        let mut jpeg_with_svg = vec![0xFF, 0xD8];
        jpeg_with_svg.extend(segment(0xE1, b"<svg onload=alert(1)>"));
        jpeg_with_svg.extend(frame(0xC0, 10, 10));
        jpeg_with_svg.extend(sos_and_end());
        not("ktp.jpg", &jpeg_with_svg);
        // Markup is refused even where the type would not be accepted.
        assert_eq!(
            judge(&akta(), &file("a.png", &png_then_html)),
            Err(DocProblem::NotWhatItClaims)
        );
    }

    #[test]
    fn markup_is_looked_for_within_4096_bytes_of_either_end() {
        // A PNG padded to 20,000 bytes with `<script` starting at `at`.
        let with_tag_at = |at: usize| {
            let mut p = PNG_1X1.to_vec();
            p.resize(20_000, 0);
            p[at..at + 7].copy_from_slice(b"<script");
            judge(&ktp(), &file("a.png", &p))
        };
        assert_eq!(with_tag_at(100), Err(DocProblem::NotWhatItClaims));
        // Starting on the last byte of the first 4096: it still counts.
        assert_eq!(with_tag_at(4095), Err(DocProblem::NotWhatItClaims));
        assert_eq!(with_tag_at(20_000 - 4096), Err(DocProblem::NotWhatItClaims));
        assert_eq!(with_tag_at(20_000 - 7), Err(DocProblem::NotWhatItClaims));
        // The middle of a large file is not read.
        assert!(with_tag_at(10_000).is_ok());
        // Text that is not markup is fine: "<s", "script" alone, "< svg".
        let mut p = PNG_1X1.to_vec();
        p.extend_from_slice(b"script svg html <s < svg <scrip");
        assert!(judge(&ktp(), &file("a.png", &p)).is_ok());
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let j = jpeg(10, 10);
        let fixtures: [&[u8]; 3] = [PDF, &PNG_1X1, &j];
        for f in fixtures {
            for len in 0..=f.len() {
                let _ = judge(&ktp(), &file("a", &f[..len]));
                let _ = judge(&ktp(), &file("a", &f[f.len() - len..]));
            }
            // Every single byte flipped.
            for i in 0..f.len() {
                let mut g = f.to_vec();
                g[i] ^= 0xFF;
                let _ = judge(&ktp(), &file("a", &g));
            }
        }
    }

    proptest! {
        #[test]
        fn any_bytes_after_any_magic_never_panic(
            magic in 0usize..5,
            tail in proptest::collection::vec(any::<u8>(), 0..600),
        ) {
            let head: &[u8] = match magic {
                0 => b"%PDF-",
                1 => &PNG_1X1[..16],
                2 => &[0xFF, 0xD8, 0xFF],
                3 => &[0xFF, 0xD8, 0xFF, 0xC0],
                _ => b"",
            };
            let mut bytes = head.to_vec();
            bytes.extend(tail);
            if let Ok(Stored::File { width, height, size, .. }) = judge(&ktp(), &file("a", &bytes)) {
                prop_assert_eq!(size, bytes.len() as u64);
                for side in [width, height].into_iter().flatten() {
                    prop_assert!((1..=MAX_SIDE).contains(&side));
                }
            }
        }
    }

    // ---- kinds ----

    #[test]
    fn the_answer_must_be_of_the_items_kind() {
        let items = [ktp(), text_item(None), entity_type()];
        let answers = [
            file("a.pdf", PDF),
            Answer::Text("Poland"),
            Answer::Choice("0"),
        ];
        for (i, item) in items.iter().enumerate() {
            for (a, answer) in answers.iter().enumerate() {
                let got = judge(item, answer);
                if i == a {
                    assert!(got.is_ok(), "{i} {a}: {got:?}");
                } else {
                    assert_eq!(got, Err(DocProblem::WrongKind), "{i} {a}");
                }
            }
        }
        // Even an empty file answer to a text item is the wrong kind first.
        assert_eq!(
            judge(&text_item(None), &file("", b"")),
            Err(DocProblem::WrongKind)
        );
    }

    // ---- texts ----

    #[test]
    fn text_is_trimmed_and_measured_in_characters() {
        let item = text_item(Some(64));
        let text = |s: &str| judge(&item, &Answer::Text(s));
        assert_eq!(
            text("  Poland \n"),
            Ok(Stored::Text {
                text: "Poland".into()
            })
        );
        assert_eq!(text(""), Err(DocProblem::TextEmpty));
        assert_eq!(text(" \t\n\u{3000} "), Err(DocProblem::TextEmpty));
        assert!(text(&"a".repeat(64)).is_ok());
        assert!(text(&format!("  {}  ", "a".repeat(64))).is_ok());
        assert!(text(&"ż".repeat(64)).is_ok(), "characters, not bytes");
        assert_eq!(
            text(&"a".repeat(65)),
            Err(DocProblem::TextTooLong { max: 64 })
        );
        let default = text_item(None);
        assert!(judge(&default, &Answer::Text(&"a".repeat(200))).is_ok());
        assert_eq!(
            judge(&default, &Answer::Text(&"a".repeat(201))),
            Err(DocProblem::TextTooLong { max: 200 })
        );
        assert_eq!(
            judge(&text_item(Some(0)), &Answer::Text("a")),
            Err(DocProblem::TextTooLong { max: 0 })
        );
    }

    #[test]
    fn text_with_control_characters_is_refused() {
        let item = text_item(None);
        for bad in [
            "Pol\nand",
            "Pol\tand",
            "Po\0land",
            "Pol\rand",
            "a\u{1B}[31mb",
            "a\u{7F}",
            "a\u{85}b",
        ] {
            assert_eq!(
                judge(&item, &Answer::Text(bad)),
                Err(DocProblem::BadText),
                "{bad:?}"
            );
        }
        // Length is judged before control characters.
        assert_eq!(
            judge(&text_item(Some(3)), &Answer::Text("a\nbcd")),
            Err(DocProblem::TextTooLong { max: 3 })
        );
        for good in [
            "Polska",
            "Česká republika",
            "Ελλάδα",
            "Deutschland (DE)",
            "a b",
        ] {
            assert_eq!(
                judge(&item, &Answer::Text(good)),
                Ok(Stored::Text { text: good.into() })
            );
        }
    }

    // ---- choices ----

    #[test]
    fn a_choice_is_an_index_or_an_options_text_in_any_language() {
        let item = entity_type();
        let choose = |s: &str| judge(&item, &Answer::Choice(s));
        let option = |option| Ok(Stored::Choice { option });
        assert_eq!(choose("0"), option(0));
        assert_eq!(choose("1"), option(1));
        assert_eq!(choose(" 1 "), option(1));
        for (s, o) in [
            ("Individual", 0),
            ("Perorangan", 0),
            ("Osoba fizyczna", 0),
            ("Company", 1),
            ("Perusahaan", 1),
            ("Firma", 1),
            ("  Firma\n", 1),
        ] {
            assert_eq!(choose(s), option(o), "{s}");
        }
        for bad in [
            "2",
            "-1",
            "01",
            "+1",
            "1.0",
            "",
            "  ",
            "company",
            "FIRMA",
            "Firm",
            "Company, Individual",
            "18446744073709551616",
        ] {
            assert_eq!(choose(bad), Err(DocProblem::ChoiceNotOffered), "{bad:?}");
        }
        // An index wins over an option whose text is a number.
        let mut numbers = entity_type();
        numbers.options = vec![tr("1", "1", "1"), tr("0", "0", "0")];
        assert_eq!(judge(&numbers, &Answer::Choice("1")), option(1));
        // No options: nothing is offered.
        numbers.options.clear();
        assert_eq!(
            judge(&numbers, &Answer::Choice("0")),
            Err(DocProblem::ChoiceNotOffered)
        );
    }

    // ---- the real catalogue ----

    #[test]
    fn the_platform_catalogue_items_judge_as_expected() {
        let catalogue: Catalogue =
            toml::from_str(include_str!("../../content/platform/catalogue.toml")).unwrap();
        let item = |id: &str| catalogue.documents.get(id).unwrap();
        let j = jpeg(1200, 800);
        for id in ["ktp", "nib"] {
            assert!(judge(item(id), &file("a.pdf", PDF)).is_ok());
            assert!(judge(item(id), &file("a.png", &PNG_1X1)).is_ok());
            assert!(judge(item(id), &file("a.jpg", &j)).is_ok());
        }
        assert!(judge(item("akta"), &file("a.pdf", PDF)).is_ok());
        assert!(matches!(
            judge(item("akta"), &file("a.jpg", &j)),
            Err(DocProblem::NotAccepted { .. })
        ));
        assert_eq!(
            judge(item("ktp"), &file("a.pdf", &pdf_of_len(2048 * 1024 + 1))),
            Err(DocProblem::TooLarge { max_kb: 2048 })
        );
        assert_eq!(
            judge(item("entity_type"), &Answer::Choice("Perusahaan")),
            Ok(Stored::Choice { option: 1 })
        );
        assert!(judge(item("eu_residence"), &Answer::Text(&"a".repeat(64))).is_ok());
        assert_eq!(
            judge(item("eu_residence"), &Answer::Text(&"a".repeat(65))),
            Err(DocProblem::TextTooLong { max: 64 })
        );
    }

    // ---- naughty strings ----

    #[test]
    fn naughty_strings_never_panic() {
        // core/tests/data/blns.json (MIT, see blns.LICENSE there).
        let list: Vec<String> =
            serde_json::from_str(include_str!("../tests/data/blns.json")).unwrap();
        assert!(list.len() > 500, "only {}", list.len());
        let (text, choice, ktp) = (text_item(None), entity_type(), ktp());
        let (mut names, mut texts) = (0, 0);
        for s in &list {
            match judge(&text, &Answer::Text(s)) {
                Ok(Stored::Text { text }) => {
                    assert_eq!(text, s.trim());
                    assert!(!text.is_empty() && !text.chars().any(char::is_control));
                    texts += 1;
                }
                Ok(other) => panic!("{other:?}"),
                Err(_) => {}
            }
            match judge(&choice, &Answer::Choice(s)) {
                Ok(Stored::Choice { option }) => assert!(option < 2),
                Ok(other) => panic!("{other:?}"),
                Err(e) => assert_eq!(e, DocProblem::ChoiceNotOffered),
            }
            match judge(&ktp, &file(s, &PNG_1X1)) {
                Ok(Stored::File { name, .. }) => {
                    assert_eq!(&name, s);
                    assert!(!name.contains(['/', '\\']) && !name.chars().any(char::is_control));
                    names += 1;
                }
                Ok(other) => panic!("{other:?}"),
                Err(e) => assert_eq!(e, DocProblem::BadName, "{s:?}"),
            }
            // The string as a file's bytes: markup, or simply not a document.
            match judge(&ktp, &file("a.pdf", s.as_bytes())) {
                Err(DocProblem::Empty | DocProblem::NotWhatItClaims) => {}
                other => panic!("{s:?}: {other:?}"),
            }
        }
        // Of the 515: 247 names hold a slash or backslash, 6 a control
        // character, 7 a bidirectional control, 1 is empty and 1 longer than
        // 255 characters; 12 texts are blank, too long or not on one line.
        assert_eq!((names, texts), (252, 503));
    }

    // ---- problems: codes, statuses, messages ----

    fn all_problems() -> Vec<DocProblem> {
        vec![
            DocProblem::WrongKind,
            DocProblem::Empty,
            DocProblem::TooLarge { max_kb: 2048 },
            DocProblem::BadName,
            DocProblem::NotWhatItClaims,
            DocProblem::NotAccepted {
                accepted: vec!["pdf".into(), "jpg".into(), "png".into()],
            },
            DocProblem::TextEmpty,
            DocProblem::TextTooLong { max: 64 },
            DocProblem::BadText,
            DocProblem::ChoiceNotOffered,
        ]
    }

    #[test]
    fn problems_have_stable_codes_and_statuses() {
        let got: Vec<(&str, u16)> = all_problems()
            .iter()
            .map(|p| (p.code(), p.status()))
            .collect();
        assert_eq!(
            got,
            [
                ("wrong_kind", 400),
                ("empty", 400),
                ("too_large", 413),
                ("bad_name", 400),
                ("not_what_it_claims", 415),
                ("not_accepted", 415),
                ("text_empty", 400),
                ("text_too_long", 400),
                ("bad_text", 400),
                ("choice_not_offered", 400),
            ]
        );
    }

    #[test]
    fn problem_messages_name_the_item_in_each_language() {
        assert_eq!(
            DocProblem::TooLarge { max_kb: 2048 }.message(Locale::En, "KTP"),
            "KTP: the file is larger than 2048 KB. Send a smaller file."
        );
        assert_eq!(
            DocProblem::TooLarge { max_kb: 2048 }.message(Locale::Id, "KTP"),
            "KTP: ukuran berkas lebih dari 2048 KB. Kirim berkas yang lebih kecil."
        );
        assert_eq!(
            DocProblem::TooLarge { max_kb: 2048 }.message(Locale::Pl, "KTP"),
            "KTP: plik jest większy niż 2048 KB. Wyślij mniejszy plik."
        );
        for p in all_problems() {
            let [en, id, pl] = Locale::ALL.map(|l| p.message(l, "Akta"));
            for m in [&en, &id, &pl] {
                assert!(m.starts_with("Akta: ") && m.ends_with('.'), "{m}");
            }
            assert!(en != id && id != pl && en != pl, "{p:?}");
            assert!(!p.to_string().is_empty());
        }
    }

    #[test]
    fn accepted_types_are_listed_as_people_name_them() {
        let msg = |accepted: &[&str], lang| {
            DocProblem::NotAccepted {
                accepted: accepted.iter().map(|s| s.to_string()).collect(),
            }
            .message(lang, "KTP")
        };
        assert_eq!(
            msg(&["pdf", "jpg", "png"], Locale::En),
            "KTP: this type of file is not accepted here. Send a PDF, JPG or PNG."
        );
        assert_eq!(
            msg(&["pdf", "jpg", "jpeg", "png"], Locale::Id),
            "KTP: jenis berkas ini tidak diterima. Kirim berkas PDF, JPG, atau PNG."
        );
        assert_eq!(
            msg(&["pdf", "jpg"], Locale::Id),
            "KTP: jenis berkas ini tidak diterima. Kirim berkas PDF atau JPG."
        );
        assert_eq!(
            msg(&["pdf", "png"], Locale::Pl),
            "KTP: ten rodzaj pliku nie jest tu przyjmowany. Wyślij plik PDF lub PNG."
        );
        assert_eq!(
            msg(&["pdf"], Locale::En),
            "KTP: this type of file is not accepted here. Send a PDF."
        );
        assert_eq!(
            msg(&[], Locale::En),
            "KTP: this type of file is not accepted here."
        );
        assert_eq!(
            DocProblem::NotAccepted {
                accepted: vec!["pdf".into(), "png".into()]
            }
            .to_string(),
            "this kind of file is not accepted (accepted: pdf, png)"
        );
    }

    #[test]
    fn text_limits_use_polish_plurals() {
        let pl = |max| DocProblem::TextTooLong { max }.message(Locale::Pl, "Kraj");
        assert_eq!(pl(1), "Kraj: odpowiedź może mieć najwyżej 1 znak.");
        assert_eq!(pl(2), "Kraj: odpowiedź może mieć najwyżej 2 znaki.");
        assert_eq!(pl(5), "Kraj: odpowiedź może mieć najwyżej 5 znaków.");
        assert_eq!(pl(12), "Kraj: odpowiedź może mieć najwyżej 12 znaków.");
        assert_eq!(pl(22), "Kraj: odpowiedź może mieć najwyżej 22 znaki.");
        assert_eq!(pl(64), "Kraj: odpowiedź może mieć najwyżej 64 znaki.");
        assert_eq!(pl(200), "Kraj: odpowiedź może mieć najwyżej 200 znaków.");
        assert_eq!(
            DocProblem::TextTooLong { max: 1 }.message(Locale::En, "Country"),
            "Country: the answer can be at most 1 character long."
        );
        assert_eq!(
            DocProblem::TextTooLong { max: 64 }.message(Locale::En, "Country"),
            "Country: the answer can be at most 64 characters long."
        );
    }

    // ---- the document set ----

    fn text(s: &str) -> Stored {
        Stored::Text { text: s.into() }
    }

    fn set() -> DocumentSet {
        DocumentSet::new(&["ktp".to_string(), "entity_type".to_string()])
    }

    #[test]
    fn a_new_set_asks_for_every_item() {
        let s = set();
        assert_eq!(s.state("ktp"), Some(ItemState::Missing));
        assert_eq!(s.state("entity_type"), Some(ItemState::Missing));
        assert_eq!(s.state("akta"), None);
        assert_eq!((s.complete(), s.waiting(), s.to_send()), (false, 0, 2));
        assert_eq!(s.latest("ktp"), None);
        let twice = DocumentSet::new(&["ktp".to_string(), "ktp".to_string()]);
        assert_eq!(twice.items.len(), 1);
        // Nothing asked for: nothing to wait for.
        let empty = DocumentSet::new(&[]);
        assert!(empty.complete());
        assert_eq!((empty.waiting(), empty.to_send()), (0, 0));
    }

    #[test]
    fn submit_reject_resubmit_approve_completes() {
        let mut s = set();
        let scan = stored_file("ktp.jpg", "image/jpeg", 1000, Some((10, 10)));
        assert_eq!(
            s.submit(
                "ktp",
                scan.clone(),
                Some("sha256-aa".into()),
                "2025-01-01T10:00:00Z",
                "customer:a1"
            ),
            Ok(1)
        );
        assert_eq!(s.state("ktp"), Some(ItemState::Submitted));
        assert_eq!((s.waiting(), s.to_send()), (1, 1));

        assert_eq!(
            s.review(
                "ktp",
                1,
                false,
                Some("  The photo is blurred. ".into()),
                "2025-01-01T11:00:00Z",
                "staff:rina"
            ),
            Ok(())
        );
        assert_eq!(s.state("ktp"), Some(ItemState::Rejected));
        assert_eq!((s.waiting(), s.to_send()), (0, 2));
        let review = s.latest("ktp").unwrap().review.clone().unwrap();
        assert_eq!(
            review,
            Review {
                approved: false,
                reason: Some("The photo is blurred.".into()),
                by: "staff:rina".into(),
                at: "2025-01-01T11:00:00Z".into(),
            }
        );

        assert_eq!(
            s.submit(
                "ktp",
                scan.clone(),
                Some("sha256-bb".into()),
                "2025-01-02T09:00:00Z",
                "customer:a1"
            ),
            Ok(2)
        );
        assert_eq!(s.state("ktp"), Some(ItemState::Submitted));
        assert_eq!(
            s.review("ktp", 2, true, None, "2025-01-02T10:00:00Z", "staff:rina"),
            Ok(())
        );
        assert_eq!(s.state("ktp"), Some(ItemState::Approved));
        assert!(!s.complete());

        assert_eq!(
            s.submit(
                "entity_type",
                Stored::Choice { option: 1 },
                None,
                "t",
                "customer:a1"
            ),
            Ok(1)
        );
        assert_eq!(
            s.review("entity_type", 1, true, Some("  ".into()), "t", "staff:rina"),
            Ok(())
        );
        assert_eq!(
            s.latest("entity_type")
                .unwrap()
                .review
                .as_ref()
                .unwrap()
                .reason,
            None
        );
        assert!(s.complete());
        assert_eq!((s.waiting(), s.to_send()), (0, 0));

        // Every version is kept, in order, with what it was and where.
        let ktp = &s.items["ktp"].versions;
        assert_eq!(ktp.iter().map(|v| v.n).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(ktp[0].key.as_deref(), Some("sha256-aa"));
        assert_eq!(ktp[1].key.as_deref(), Some("sha256-bb"));
        assert_eq!(ktp[1].by, "customer:a1");
        assert_eq!(ktp[1].at, "2025-01-02T09:00:00Z");
        assert_eq!(ktp[1].stored, scan);
    }

    #[test]
    fn reviews_are_for_the_latest_submitted_version_once() {
        let mut s = set();
        assert_eq!(
            s.review("ktp", 1, true, None, "t", "r"),
            Err(SetError::NotSubmitted)
        );
        assert_eq!(
            s.review("akta", 1, true, None, "t", "r"),
            Err(SetError::UnknownItem)
        );
        assert_eq!(
            s.submit("akta", text("x"), None, "t", "c"),
            Err(SetError::UnknownItem)
        );

        s.submit("ktp", text("v1"), None, "t", "c").unwrap();
        // A version waiting for review may be replaced; the old one can
        // then no longer be reviewed.
        assert_eq!(s.submit("ktp", text("v2"), None, "t", "c"), Ok(2));
        assert_eq!(
            s.review("ktp", 1, true, None, "t", "r"),
            Err(SetError::NotLatest)
        );
        assert_eq!(
            s.review("ktp", 3, true, None, "t", "r"),
            Err(SetError::NotLatest)
        );
        assert_eq!(
            s.review("ktp", 0, true, None, "t", "r"),
            Err(SetError::NotLatest)
        );

        assert_eq!(
            s.review("ktp", 2, false, None, "t", "r"),
            Err(SetError::ReasonRequired)
        );
        assert_eq!(
            s.review("ktp", 2, false, Some(" \n ".into()), "t", "r"),
            Err(SetError::ReasonRequired)
        );
        assert_eq!(
            s.state("ktp"),
            Some(ItemState::Submitted),
            "a refused review changes nothing"
        );

        assert_eq!(s.review("ktp", 2, true, None, "t", "r"), Ok(()));
        assert_eq!(
            s.review("ktp", 2, true, None, "t", "r"),
            Err(SetError::AlreadyReviewed)
        );
        assert_eq!(
            s.review("ktp", 2, false, Some("no".into()), "t", "r"),
            Err(SetError::AlreadyReviewed)
        );
        assert_eq!(
            s.review("ktp", 1, true, None, "t", "r"),
            Err(SetError::NotLatest)
        );
        assert_eq!(
            s.submit("ktp", text("v3"), None, "t", "c"),
            Err(SetError::AlreadyApproved)
        );
        assert_eq!(s.items["ktp"].versions.len(), 2);

        // A rejection is final for its version too.
        s.submit("entity_type", Stored::Choice { option: 0 }, None, "t", "c")
            .unwrap();
        s.review("entity_type", 1, false, Some("wrong".into()), "t", "r")
            .unwrap();
        assert_eq!(
            s.review("entity_type", 1, true, None, "t", "r"),
            Err(SetError::AlreadyReviewed)
        );
        assert_eq!(
            s.submit("entity_type", Stored::Choice { option: 1 }, None, "t", "c"),
            Ok(2)
        );
    }

    #[test]
    fn both_review_in_turn_the_storefront_first_and_a_level_that_does_not_review_sees_nothing() {
        let mut s = DocumentSet::new(&["ktp".into()]);
        s.submit("ktp", Stored::Text { text: "x".into() }, None, "t", "c")
            .unwrap();
        let d = |approve: bool, reason: Option<&str>, by: &'static str| Decision {
            approve,
            reason: reason.map(str::to_string),
            at: "t",
            by,
        };
        use Level::{Platform, Reseller};
        // Reviewed by the storefront only: the platform is not a reviewer.
        let mut only = s.clone();
        assert_eq!(
            only.review_as("ktp", 1, d(true, None, "p"), Platform, Reviewers::Reseller),
            Err(SetError::NotReviewer)
        );
        assert_eq!(only.awaiting(Platform, Reviewers::Reseller), 0);
        assert_eq!(only.awaiting(Reseller, Reviewers::Reseller), 1);
        // By the platform only: the storefront is not.
        assert_eq!(
            only.review_as("ktp", 1, d(true, None, "r"), Reseller, Reviewers::Platform),
            Err(SetError::NotReviewer)
        );
        // Both: the platform waits for the storefront's approval.
        assert_eq!(
            s.review_as("ktp", 1, d(true, None, "p"), Platform, Reviewers::Both),
            Err(SetError::NotYourTurn { turn: Reseller })
        );
        s.review_as("ktp", 1, d(true, None, "r"), Reseller, Reviewers::Both)
            .unwrap();
        assert_eq!(
            s.state("ktp"),
            Some(ItemState::Submitted),
            "not yet approved"
        );
        assert_eq!(
            (
                s.awaiting(Reseller, Reviewers::Both),
                s.awaiting(Platform, Reviewers::Both)
            ),
            (0, 1)
        );
        assert_eq!(
            s.review_as("ktp", 1, d(true, None, "r"), Reseller, Reviewers::Both),
            Err(SetError::NotYourTurn { turn: Platform })
        );
        let mut rejected = s.clone();
        rejected
            .review_as(
                "ktp",
                1,
                d(false, Some("blurred"), "p"),
                Platform,
                Reviewers::Both,
            )
            .unwrap();
        assert_eq!(rejected.state("ktp"), Some(ItemState::Rejected));
        s.review_as("ktp", 1, d(true, None, "p"), Platform, Reviewers::Both)
            .unwrap();
        assert_eq!(s.state("ktp"), Some(ItemState::Approved));
        assert!(s.complete());
        let v = s.latest("ktp").unwrap();
        assert_eq!(
            (
                v.first.as_ref().map(|r| r.by.as_str()),
                v.review.as_ref().map(|r| r.by.as_str())
            ),
            (Some("r"), Some("p")),
            "both decisions kept"
        );
        // The storefront's rejection is final.
        let mut t = DocumentSet::new(&["ktp".into()]);
        t.submit("ktp", Stored::Text { text: "x".into() }, None, "t", "c")
            .unwrap();
        t.review_as(
            "ktp",
            1,
            d(false, Some("wrong"), "r"),
            Reseller,
            Reviewers::Both,
        )
        .unwrap();
        assert_eq!(t.state("ktp"), Some(ItemState::Rejected));
        assert_eq!(t.awaiting(Platform, Reviewers::Both), 0);
    }

    #[test]
    fn set_errors_have_codes_statuses_and_messages() {
        let all = [
            SetError::UnknownItem,
            SetError::AlreadyApproved,
            SetError::NotLatest,
            SetError::NotSubmitted,
            SetError::AlreadyReviewed,
            SetError::ReasonRequired,
            SetError::NotReusable,
            SetError::NotReviewer,
            SetError::NotYourTurn {
                turn: Level::Reseller,
            },
            SetError::NotYourTurn {
                turn: Level::Platform,
            },
        ];
        let got: Vec<(&str, u16)> = all.iter().map(|e| (e.code(), e.status())).collect();
        assert_eq!(
            got,
            [
                ("unknown_item", 404),
                ("already_approved", 409),
                ("not_latest", 409),
                ("not_submitted", 409),
                ("already_reviewed", 409),
                ("reason_required", 400),
                ("not_reusable", 409),
                ("not_found", 404),
                ("not_your_turn", 409),
                ("not_your_turn", 409),
            ]
        );
        for e in all {
            let [en, id, pl] = Locale::ALL.map(|l| e.message(l));
            assert!(en != id && id != pl && en != pl, "{e:?}");
            assert!([&en, &id, &pl].iter().all(|m| m.ends_with('.')));
        }
        let states = [
            ItemState::Missing,
            ItemState::Submitted,
            ItemState::Approved,
            ItemState::Rejected,
        ];
        for st in states {
            let [en, id, pl] = Locale::ALL.map(|l| st.message(l));
            assert!(en != id && id != pl && en != pl, "{st:?}");
            assert_eq!(serde_json::to_value(st).unwrap(), st.as_str());
        }
    }

    #[test]
    fn stored_and_sets_serialise_as_documented() {
        let f = stored_file("ktp.png", "image/png", 69, Some((1, 1)));
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            serde_json::json!({"kind": "file", "name": "ktp.png", "content_type": "image/png", "size": 69, "width": 1, "height": 1})
        );
        assert_eq!(
            serde_json::to_value(text("PL")).unwrap(),
            serde_json::json!({"kind": "text", "text": "PL"})
        );
        assert_eq!(
            serde_json::to_value(Stored::Choice { option: 1 }).unwrap(),
            serde_json::json!({"kind": "choice", "option": 1})
        );
        let mut s = set();
        s.submit("ktp", f, Some("k".into()), "t", "c").unwrap();
        s.review("ktp", 1, false, Some("blurred".into()), "t2", "r")
            .unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<DocumentSet>(&json).unwrap(), s);
    }

    // ---- reuse of approved documents ----

    /// A set with both items approved by "owner", the KTP a file.
    fn approved_set() -> DocumentSet {
        let mut s = set();
        let f = stored_file("ktp.pdf", "application/pdf", 10, None);
        s.submit(
            "ktp",
            f,
            Some("documents/aa".into()),
            "2026-01-02T03:00:00Z",
            "c",
        )
        .unwrap();
        s.submit(
            "entity_type",
            Stored::Choice { option: 1 },
            None,
            "2026-01-02T03:01:00Z",
            "c",
        )
        .unwrap();
        s.review("ktp", 1, true, None, "2026-01-03T09:00:00Z", "owner")
            .unwrap();
        s.review(
            "entity_type",
            1,
            true,
            None,
            "2026-01-04T10:00:00Z",
            "admin",
        )
        .unwrap();
        s
    }

    fn asked() -> Vec<String> {
        vec!["ktp".into(), "entity_type".into()]
    }

    #[test]
    fn approved_documents_match_the_same_account_tax_id_and_extension_only() {
        let source = approved_set();
        let budi = Registrant::new("budi", None);
        let company = Registrant::new("budi", Some("01.234.567.8-901.000"));
        let offered = |who: &Registrant, ext: &str, of: Option<&Registrant>, deleted: bool| {
            let c = Candidate {
                ext: "co.id",
                registrant: of,
                set: &source,
                deleted,
            };
            reusable(who, ext, &asked(), &c)
        };
        assert!(offered(&budi, "co.id", Some(&budi), false));
        assert!(offered(&company, "co.id", Some(&company), false));
        // The same tax id however it is written.
        let same = Registrant::new("budi", Some("012345678901000"));
        assert_eq!(same, company);
        assert!(offered(&same, "co.id", Some(&company), false));
        // Another account, another extension, a tax id changed since, a
        // personal set for the company (and back), an unrecorded
        // registrant, a deleted set: never.
        let other = Registrant::new("sari", None);
        assert!(!offered(&other, "co.id", Some(&budi), false));
        assert!(!offered(&budi, "web.id", Some(&budi), false));
        let changed = Registrant::new("budi", Some("02.118.904.3-017.000"));
        assert!(!offered(&changed, "co.id", Some(&company), false));
        assert!(!offered(&company, "co.id", Some(&budi), false));
        assert!(!offered(&budi, "co.id", Some(&company), false));
        assert!(!offered(&budi, "co.id", None, false));
        assert!(!offered(&budi, "co.id", Some(&budi), true));
        // Not every item approved, or an item the source never had.
        let mut half = set();
        half.submit("ktp", text("x"), None, "t", "c").unwrap();
        half.review("ktp", 1, true, None, "t", "r").unwrap();
        let c = Candidate {
            ext: "co.id",
            registrant: Some(&budi),
            set: &half,
            deleted: false,
        };
        assert!(!reusable(&budi, "co.id", &asked(), &c));
        let more = vec!["ktp".into(), "entity_type".into(), "npwp".into()];
        let c = Candidate { set: &source, ..c };
        assert!(!reusable(&budi, "co.id", &more, &c));
        assert!(!reusable(&budi, "co.id", &[], &c));
    }

    #[test]
    fn reuse_copies_the_approved_versions_with_their_review_and_origin() {
        let source = approved_set();
        assert_eq!(
            source.approved().map(|r| (r.at.as_str(), r.by.as_str())),
            Some(("2026-01-04T10:00:00Z", "admin"))
        );
        assert_eq!(set().approved(), None);
        let mut target = set();
        // A version sent before choosing to reuse stays in the history.
        target.submit("ktp", text("old"), None, "t0", "c").unwrap();
        let from = Origin {
            order: "o1".into(),
            line: "o1-1".into(),
            domain: "dokumen.co.id".into(),
            version: 0,
        };
        assert_eq!(
            target.reuse(&source, &from, "2026-02-01T00:00:00Z", "c"),
            Ok(2)
        );
        assert!(target.complete());
        let ktp = target.latest("ktp").unwrap();
        assert_eq!(ktp.n, 2);
        assert_eq!(ktp.key.as_deref(), Some("documents/aa"), "the same blob");
        assert_eq!(ktp.review, source.latest("ktp").unwrap().review);
        assert_eq!(
            ktp.reused,
            Some(Origin {
                version: 1,
                ..from.clone()
            })
        );
        assert_eq!(target.keys(), ["documents/aa"]);
        // Nothing left to take; an incomplete source is refused whole.
        assert_eq!(target.reuse(&source, &from, "t", "c"), Ok(0));
        let mut fresh = set();
        let mut half = set();
        half.submit("ktp", text("x"), None, "t", "c").unwrap();
        assert_eq!(
            fresh.reuse(&half, &from, "t", "c"),
            Err(SetError::NotReusable)
        );
        assert_eq!(fresh, set(), "nothing taken");
        // A reused version serialises with where it came from; others
        // exactly as before.
        let json = serde_json::to_value(&target).unwrap();
        assert_eq!(json["items"]["ktp"]["versions"][1]["reused"]["order"], "o1");
        assert!(json["items"]["ktp"]["versions"][0].get("reused").is_none());
    }

    #[test]
    fn documents_are_kept_while_the_domain_lives_and_for_the_retention_after() {
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = d("2027-06-01");
        assert_eq!(
            retention(Life::Pending, 30, 365, today),
            Retain::Until(d("2027-06-08"))
        );
        // Registered: looked at monthly until it ends.
        let r = Life::Registered {
            expires: d("2027-07-01"),
        };
        assert_eq!(retention(r, 30, 365, today), Retain::Until(d("2027-07-01")));
        // Expired a year and its redemption grace ago: gone.
        let r = Life::Registered {
            expires: d("2026-05-02"),
        };
        assert_eq!(
            retention(r, 30, 365, today),
            Retain::Delete {
                ended: d("2026-06-01")
            }
        );
        let r = Life::Registered {
            expires: d("2026-05-03"),
        };
        assert_eq!(retention(r, 30, 365, today), Retain::Until(d("2027-06-02")));
        // Ended (lapsed, refunded, deleted): kept exactly `keep` days.
        assert_eq!(
            retention(
                Life::Ended {
                    on: d("2027-05-02")
                },
                30,
                30,
                today
            ),
            Retain::Delete {
                ended: d("2027-05-02")
            }
        );
        assert_eq!(
            retention(
                Life::Ended {
                    on: d("2027-05-03")
                },
                30,
                30,
                today
            ),
            Retain::Until(d("2027-06-02"))
        );
    }

    #[test]
    fn a_tombstone_says_what_went_when_and_why() {
        let t = Tombstone {
            at: "2027-06-01T00:05:00Z".into(),
            ended: chrono::NaiveDate::from_ymd_opt(2027, 5, 2).unwrap(),
            days: 30,
            items: BTreeMap::from([("ktp".into(), 2)]),
            files: 1,
        };
        assert_eq!(
            t.message("dokumen.co.id", Locale::En),
            "The documents for dokumen.co.id were deleted on 2027-06-01: they are kept 30 days after the domain ends, and dokumen.co.id ended on 2027-05-02."
        );
        let [en, id, pl] = Locale::ALL.map(|l| t.message("x.co.id", l));
        assert!(en != id && id != pl && en != pl);
        assert_eq!(tax_key(" 01.234.567.8-901.000 "), "012345678901000");
        assert_eq!(tax_key("pl 123-456-32-18"), "PL1234563218");
    }
}
