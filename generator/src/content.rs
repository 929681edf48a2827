//! Reading content: the platform's catalogue and plans, and one folder per
//! reseller. Everything read here is untrusted until `validate` has passed.

use crate::diagnostics::{Diagnostics, Key, line_of, locate};
use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use storefront_core::Locale;
use storefront_core::catalogue::{Catalogue, Plans};
use storefront_core::money::{Currency, TaxDisplay, TaxRounding};
use storefront_core::pricing::{DiscountCode, Promotion, ResellerPricing};

/// Text a reseller writes: one string for every language, or one per language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Text {
    Plain(String),
    PerLanguage(BTreeMap<Locale, String>),
}

impl Text {
    pub fn get(&self, locale: Locale, fallback: Locale) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::PerLanguage(m) => m
                .get(&locale)
                .or_else(|| m.get(&fallback))
                .map(String::as_str)
                .unwrap_or(""),
        }
    }

    pub fn all(&self) -> Vec<&str> {
        match self {
            Text::Plain(s) => vec![s.as_str()],
            Text::PerLanguage(m) => m.values().map(String::as_str).collect(),
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::Plain(String::new())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteTax {
    pub label: String,
    #[serde(with = "storefront_core::money::decimal_serde")]
    pub percent: rust_decimal::Decimal,
    pub display: TaxDisplay,
    /// "half-up" where the law says so (Polish VAT); half-even if left out.
    #[serde(default)]
    pub rounding: TaxRounding,
}

impl SiteTax {
    /// The tax itself, without how prices are shown.
    pub fn tax(&self) -> storefront_core::money::Tax {
        storefront_core::money::Tax {
            label: self.label.clone(),
            percent: self.percent,
            rounding: self.rounding,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Colours {
    pub primary: String,
    pub accent: String,
    #[serde(default = "default_background")]
    pub background: String,
    #[serde(default = "default_text")]
    pub text: String,
}

fn default_background() -> String {
    "#ffffff".into()
}
fn default_text() -> String {
    "#1b1f24".into()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: String,
    pub name: Text,
    pub extensions: Vec<String>,
    #[serde(default)]
    pub featured: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub whatsapp: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub hours: Text,
}

/// `[seller]`: the business behind a storefront (or the platform), as its
/// invoices name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seller {
    pub legal_name: String,
    /// One printed line each.
    pub address: Vec<String>,
    /// NPWP in Indonesia, NIP in Poland; none for a seller without one.
    #[serde(default)]
    pub tax_id: Option<String>,
    /// Invoices and notifications are sent from it.
    pub email: String,
    #[serde(default = "default_invoice_prefix")]
    pub invoice_prefix: String,
}

fn default_invoice_prefix() -> String {
    "INV".into()
}

/// A reseller's account, where its customers (and sub-resellers) pay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankAccount {
    pub id: String,
    pub bank: String,
    pub holder: String,
    pub number: String,
}

/// `[orders]`: how a storefront's orders are timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Orders {
    #[serde(default = "default_renewal_notice_days")]
    pub renewal_notice_days: u16,
    /// For bank transfers; a wallet pays at once.
    #[serde(default = "default_payment_due_days")]
    pub payment_due_days: u16,
}

fn default_renewal_notice_days() -> u16 {
    30
}
fn default_payment_due_days() -> u16 {
    7
}

impl Default for Orders {
    fn default() -> Self {
        Orders {
            renewal_notice_days: default_renewal_notice_days(),
            payment_due_days: default_payment_due_days(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provisioning {
    /// Register at once and collect documents afterwards.
    #[serde(default)]
    pub auto: bool,
    /// Days a customer has to get documents approved after auto-provisioning.
    #[serde(default = "default_due_days")]
    pub documents_due_days: u16,
    /// Days a customer has to send documents that are awaited before
    /// registering; after them the order is cancelled and its holds
    /// released.
    #[serde(default = "default_upload_days")]
    pub upload_days: u16,
    /// Per extension, where it differs from `auto`:
    /// `[provisioning.extensions."co.id"] auto = false`.
    #[serde(default)]
    pub extensions: BTreeMap<String, ExtensionProvisioning>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionProvisioning {
    pub auto: bool,
}

fn default_due_days() -> u16 {
    3
}

fn default_upload_days() -> u16 {
    30
}

impl Default for Provisioning {
    fn default() -> Self {
        Provisioning {
            auto: false,
            documents_due_days: default_due_days(),
            upload_days: default_upload_days(),
            extensions: BTreeMap::new(),
        }
    }
}

/// `site.toml`: everything a reseller decides about its storefront.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub name: String,
    #[serde(default)]
    pub tagline: Text,
    /// Hosts the storefront is served on; the first is the canonical one.
    pub domains: Vec<String>,
    /// The first is the default language, served at the root.
    pub languages: Vec<Locale>,
    pub currency: Currency,
    /// The platform plan (top-level reseller) or the parent's sub-reseller
    /// plan (sub-reseller) this reseller buys at.
    pub plan: String,
    /// The reseller this one buys from; none for a top-level reseller.
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// A file in the reseller's folder: .svg, .png, .jpg or .webp.
    #[serde(default)]
    pub logo: Option<String>,
    #[serde(default)]
    pub favicon: Option<String>,
    pub tax: SiteTax,
    /// Where its days begin: an IANA name such as "Asia/Jakarta" or
    /// "Europe/Warsaw" (UTC when left out). Promotions start and end at
    /// its midnight, on the pages and at the checkout alike.
    #[serde(default)]
    pub time_zone: storefront_core::dates::Zone,
    pub colours: Colours,
    pub groups: Vec<Group>,
    pub pricing: ResellerPricing,
    #[serde(default)]
    pub promotions: Vec<Promotion>,
    #[serde(default)]
    pub discount_codes: Vec<DiscountCode>,
    #[serde(default)]
    pub contact: Contact,
    pub seller: Seller,
    #[serde(default)]
    pub bank_accounts: Vec<BankAccount>,
    #[serde(default)]
    pub orders: Orders,
    #[serde(default)]
    pub provisioning: Provisioning,
}

fn default_theme() -> String {
    "default".into()
}

impl Site {
    pub fn default_language(&self) -> Locale {
        self.languages.first().copied().unwrap_or(Locale::En)
    }

    /// Every extension sold, in group order, without repeats.
    pub fn extensions(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for g in &self.groups {
            for e in &g.extensions {
                if !seen.contains(e) {
                    seen.push(e.clone());
                }
            }
        }
        seen
    }
}

/// Front matter of a Markdown page, between `+++` lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Required for announcements (`pages/news/`).
    #[serde(default, with = "storefront_core::dates::option")]
    pub date: Option<NaiveDate>,
    /// Listed in the footer (pages only).
    #[serde(default = "yes")]
    pub footer: bool,
    /// Footer order, lowest first, then by title.
    #[serde(default)]
    pub order: i32,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub file: PathBuf,
    /// URL segment, from the file name.
    pub slug: String,
    /// None for the default-language page; Some for `slug.<lang>.md`.
    pub locale: Option<Locale>,
    pub news: bool,
    pub front: FrontMatter,
    pub body: String,
    /// Line of the body's first line in the file, for error messages.
    pub body_line: usize,
}

/// A reseller's folder, read but not yet checked.
#[derive(Debug, Clone)]
pub struct Reseller {
    pub id: String,
    pub dir: PathBuf,
    pub site_file: PathBuf,
    pub site_src: String,
    pub site: Site,
    pub pages: Vec<Page>,
    /// Files under `static/`, relative to it, sorted.
    pub statics: Vec<PathBuf>,
    /// Every file of the folder, by path relative to it: read once, here.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
    /// Hash of every file's path and bytes: the folder's part of the
    /// incremental build key.
    pub source_hash: blake3::Hash,
}

/// One of the platform's accounts: resellers buying at a platform plan top
/// up in the plan's currency, so each account names its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformBankAccount {
    pub id: String,
    pub currency: Currency,
    pub bank: String,
    pub holder: String,
    pub number: String,
}

/// The tax the platform adds to what resellers buying in `currency` pay it
/// (plan prices are net): PPN where it sells at home, 0 where it sells
/// abroad without its own tax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformTax {
    pub currency: Currency,
    pub label: String,
    #[serde(with = "storefront_core::money::decimal_serde")]
    pub percent: rust_decimal::Decimal,
    #[serde(default)]
    pub rounding: TaxRounding,
}

impl PlatformTax {
    pub fn tax(&self) -> storefront_core::money::Tax {
        storefront_core::money::Tax {
            label: self.label.clone(),
            percent: self.percent,
            rounding: self.rounding,
        }
    }
}

/// `platform.toml`: the platform as a seller to its top-level resellers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformSite {
    /// ISO 3166 code of the platform's country ("ID", "PL"), which says what
    /// shape its tax id has. A reseller's country follows from its currency.
    #[serde(default)]
    pub country: Option<String>,
    /// The platform's own storefront (a folder under `resellers/`, buying
    /// from the platform like any top-level reseller): where resellers
    /// register, and whose owner and admins are the platform's operators.
    #[serde(default)]
    pub storefront: Option<String>,
    pub seller: Seller,
    #[serde(default)]
    pub bank_accounts: Vec<PlatformBankAccount>,
    /// One per currency its plans sell in.
    #[serde(default)]
    pub taxes: Vec<PlatformTax>,
    /// Days a registrant's documents are kept after their domain ends
    /// (deleted at the registry, lapsed, refunded, or expired past its
    /// redemption grace), as data-protection law asks: 1 to 3650.
    #[serde(default = "default_retention_days")]
    pub document_retention_days: u16,
}

fn default_retention_days() -> u16 {
    storefront_core::documents::DEFAULT_RETENTION_DAYS
}

#[derive(Debug, Clone)]
pub struct Platform {
    pub catalogue_file: PathBuf,
    pub catalogue: Catalogue,
    pub plans_file: PathBuf,
    pub plans: Plans,
    pub site_file: PathBuf,
    pub site_src: String,
    pub site: PlatformSite,
}

/// Everything under `content/`.
#[derive(Debug, Clone)]
pub struct Content {
    pub root: PathBuf,
    pub platform: Platform,
    pub resellers: BTreeMap<String, Reseller>,
}

pub(crate) fn read(path: &Path, diags: &mut Diagnostics) -> Option<String> {
    match fs::read(path) {
        Ok(bytes) => decode(path, bytes, diags),
        Err(e) => {
            diags.push(path, None, format!("cannot read the file: {e}"));
            None
        }
    }
}

/// Text of a file, or a diagnostic at the first byte that is not UTF-8.
pub(crate) fn decode(path: &Path, bytes: Vec<u8>, diags: &mut Diagnostics) -> Option<String> {
    match String::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let src = String::from_utf8_lossy(&e.into_bytes()[..offset]).into_owned();
            diags.push(
                path,
                Some(line_of(&src, offset)),
                "the file is not valid UTF-8: save it as UTF-8",
            );
            None
        }
    }
}

/// Parse TOML into `T`, reporting a syntax or schema error at its line.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    src: &str,
    diags: &mut Diagnostics,
) -> Option<T> {
    match toml::from_str::<T>(src) {
        Ok(v) => Some(v),
        Err(e) => {
            let line = e.span().map(|s| line_of(src, s.start));
            diags.push(path, line, explain_toml(e.message()));
            None
        }
    }
}

/// serde's messages are precise but terse; say what to do where we can.
fn explain_toml(message: &str) -> String {
    let m = message.trim().replace('\n', " ");
    if m.starts_with("unknown field") {
        format!("{m}. Remove it or fix its spelling.")
    } else if m.starts_with("missing field") {
        format!("{m}: add it.")
    } else if m.contains("did not match any variant of untagged enum Text") {
        "expected a text, or a table of texts per language such as { en = \"...\", id = \"...\" }"
            .into()
    } else if m.contains("invalid type: floating point") {
        format!(
            "{m}. Write amounts and percentages as strings, e.g. \"11\" or \"0.99\", so no precision is lost."
        )
    } else {
        m
    }
}

const SITE_FILE: &str = "site.toml";
const PLATFORM_FILE: &str = "platform.toml";

impl Content {
    /// Read `root` (the `content/` folder). Problems are collected; a reseller
    /// whose `site.toml` cannot be read is left out, the others still load.
    pub fn load(root: &Path, diags: &mut Diagnostics) -> Option<Content> {
        Content::load_with(root, None, diags)
    }

    /// As `load`, with each reseller's files `given` (its published
    /// revision in the store) instead of read from `root/resellers/`; the
    /// platform is still read from `root/platform/`. Messages name the
    /// files where an export would put them.
    pub fn load_with(
        root: &Path,
        given: Option<BTreeMap<String, storefront_revisions::Files>>,
        diags: &mut Diagnostics,
    ) -> Option<Content> {
        let platform = Platform::load(&root.join("platform"), diags);
        let mut resellers = BTreeMap::new();
        let dir = root.join("resellers");
        let sources: Vec<(String, PathBuf, Option<storefront_revisions::Files>)> = match given {
            Some(given) => given
                .into_iter()
                .map(|(id, files)| (id.clone(), dir.join(&id), Some(files)))
                .collect(),
            None => {
                let entries = match fs::read_dir(&dir) {
                    Ok(e) => e,
                    Err(e) => {
                        diags.push(&dir, None, format!("cannot read the resellers folder: {e}"));
                        return None;
                    }
                };
                let mut ids: Vec<(String, PathBuf, Option<storefront_revisions::Files>)> = entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().is_dir())
                    .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path(), None))
                    .collect();
                ids.sort_by(|a, b| a.0.cmp(&b.0));
                ids
            }
        };
        // Resellers are independent: read them in parallel, then report in order.
        let loaded: Vec<(String, Option<Reseller>, Diagnostics)> = sources
            .into_par_iter()
            .map(|(id, path, files)| {
                let mut d = Diagnostics::default();
                if !valid_id(&id) {
                    d.push(&path, None, format!("reseller folder '{id}' must be lowercase letters, digits and hyphens (it becomes a URL)"));
                    return (id, None, d);
                }
                let r = match files {
                    Some(files) => Reseller::from_files(&id, &path, files, &mut d),
                    None => Reseller::load(&id, &path, &mut d),
                };
                (id, r, d)
            })
            .collect();
        for (id, r, d) in loaded {
            diags.extend(d);
            if let Some(r) = r {
                resellers.insert(id, r);
            }
        }
        Some(Content {
            root: root.to_path_buf(),
            platform: platform?,
            resellers,
        })
    }
}

pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 63
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

impl Platform {
    pub fn load(dir: &Path, diags: &mut Diagnostics) -> Option<Platform> {
        let catalogue_file = dir.join("catalogue.toml");
        let plans_file = dir.join("plans.toml");
        let catalogue: Option<Catalogue> = read(&catalogue_file, diags).and_then(|s| {
            let c: Catalogue = parse_toml(&catalogue_file, &s, diags)?;
            for e in c.validate() {
                let path: Vec<Key> = e.path.iter().map(|p| Key::from(p.as_str())).collect();
                diags.push(&catalogue_file, locate(&s, &path), e.message);
            }
            Some(c)
        });
        let plans: Option<Plans> = read(&plans_file, diags).and_then(|s| {
            let p: Plans = parse_toml(&plans_file, &s, diags)?;
            if let Some(c) = &catalogue {
                for e in p.validate(c) {
                    // A change is an item of an array: its place is a number.
                    let path: Vec<Key> = e
                        .path
                        .iter()
                        .enumerate()
                        .map(|(i, p)| match p.parse::<usize>() {
                            Ok(ix) if i == 2 && e.path[0] == "changes" => Key::Index(ix),
                            _ => Key::from(p.as_str()),
                        })
                        .collect();
                    diags.push(&plans_file, locate(&s, &path), e.message);
                }
            }
            Some(p)
        });
        let site_file = dir.join(PLATFORM_FILE);
        let site_src = if site_file.is_file() {
            read(&site_file, diags)
        } else {
            diags.push(
                &site_file,
                None,
                "the platform's own details are missing: add platform.toml with its [seller] and the [[bank_accounts]] resellers top up with",
            );
            None
        };
        let site: Option<PlatformSite> = site_src
            .as_deref()
            .and_then(|s| parse_toml(&site_file, s, diags));
        Some(Platform {
            catalogue_file,
            catalogue: catalogue?,
            plans_file,
            plans: plans?,
            site_file,
            site_src: site_src?,
            site: site?,
        })
    }

    /// The line of a key in `platform.toml`, for semantic errors.
    pub fn line(&self, path: &[Key]) -> Option<usize> {
        locate(&self.site_src, path)
    }
}

/// Every file below `dir`, by path relative to it, in a stable order.
pub(crate) fn read_tree(dir: &Path, diags: &mut Diagnostics) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                diags.push(dir, None, format!("cannot read: {e}"));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(dir) else {
            continue;
        };
        match fs::read(entry.path()) {
            Ok(bytes) => {
                files.insert(rel.to_path_buf(), bytes);
            }
            Err(e) => diags.push(entry.path(), None, format!("cannot read the file: {e}")),
        }
    }
    files
}

impl Reseller {
    /// Read a reseller's folder (an export's `.storefront-revision` is not
    /// content and is left out).
    pub fn load(id: &str, dir: &Path, diags: &mut Diagnostics) -> Option<Reseller> {
        // One pass reads every file: the bytes serve parsing, the build key
        // and publishing alike, so nothing is read twice.
        let folder = storefront_revisions::read_folder(dir);
        for (path, message) in folder.problems {
            diags.push(&path, None, message);
        }
        Reseller::from_files(id, dir, folder.files, diags)
    }

    /// A reseller from its files (a revision in the store, or a folder
    /// read): `dir` is where the folder would be, for messages only.
    pub fn from_files(
        id: &str,
        dir: &Path,
        files: storefront_revisions::Files,
        diags: &mut Diagnostics,
    ) -> Option<Reseller> {
        let files: BTreeMap<PathBuf, Vec<u8>> = files
            .into_iter()
            .map(|(rel, bytes)| (PathBuf::from(rel), bytes))
            .collect();
        let mut hasher = blake3::Hasher::new();
        for (rel, bytes) in &files {
            hasher.update(rel.to_string_lossy().as_bytes());
            hasher.update(&(bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        }
        let site_file = dir.join(SITE_FILE);
        let Some(site_bytes) = files.get(Path::new(SITE_FILE)).cloned() else {
            diags.push(
                &site_file,
                None,
                "every reseller folder needs a site.toml: run `storefront new` to start one",
            );
            return None;
        };
        let site_src = decode(&site_file, site_bytes, diags)?;
        let site: Site = parse_toml(&site_file, &site_src, diags)?;
        let pages = load_pages(dir, &files, diags);
        let statics = files
            .keys()
            .filter_map(|p| p.strip_prefix("static").ok())
            .map(Path::to_path_buf)
            .collect();
        Some(Reseller {
            id: id.to_string(),
            dir: dir.to_path_buf(),
            site_file,
            site_src,
            site,
            pages,
            statics,
            files,
            source_hash: hasher.finalize(),
        })
    }

    /// The line of a key in `site.toml`, for semantic errors.
    pub fn line(&self, path: &[Key]) -> Option<usize> {
        locate(&self.site_src, path)
    }
}

fn load_pages(
    dir: &Path,
    files: &BTreeMap<PathBuf, Vec<u8>>,
    diags: &mut Diagnostics,
) -> Vec<Page> {
    let mut pages = Vec::new();
    for (rel, bytes) in files.range(PathBuf::from("pages")..) {
        let Ok(inside) = rel.strip_prefix("pages") else {
            break;
        };
        let news = match inside
            .parent()
            .map(|p| p.to_string_lossy().into_owned())
            .as_deref()
        {
            Some("") => false,
            Some("news") => true,
            _ => {
                diags.push(
                    &dir.join(rel),
                    None,
                    "pages/ holds Markdown pages and news/ announcements only: move this file",
                );
                continue;
            }
        };
        let file = dir.join(rel);
        {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Some(stem) = name.strip_suffix(".md") else {
                diags.push(
                    &file,
                    None,
                    "only Markdown pages (.md) belong in pages/: move other files to static/",
                );
                continue;
            };
            let (slug, locale) = match stem.rsplit_once('.') {
                Some((s, l)) => match l.parse::<Locale>() {
                    Ok(loc) => (s.to_string(), Some(loc)),
                    Err(e) => {
                        diags.push(
                            &file,
                            None,
                            format!("page name '{name}': {e} (name translations like terms.en.md)"),
                        );
                        continue;
                    }
                },
                None => (stem.to_string(), None),
            };
            if !valid_id(&slug) {
                diags.push(&file, None, format!("page name '{slug}' must be lowercase letters, digits and hyphens (it becomes the URL)"));
                continue;
            }
            let Some(src) = decode(&file, bytes.clone(), diags) else {
                continue;
            };
            if let Some(page) = parse_page(&file, &src, slug, locale, news, diags) {
                pages.push(page);
            }
        }
    }
    pages
}

/// A page's front matter (the TOML between its `+++` lines, ending in a
/// newline) and its Markdown body: the one reader of the page format, for
/// the build and the panel's page editor alike.
pub fn split_page(src: &str) -> Result<(&str, &str), &'static str> {
    let rest = src.strip_prefix('\u{feff}').unwrap_or(src);
    let Some(after) = rest
        .strip_prefix("+++\n")
        .or_else(|| rest.strip_prefix("+++\r\n"))
    else {
        return Err(
            "a page starts with front matter between +++ lines, e.g.\n+++\ntitle = \"Terms of service\"\n+++",
        );
    };
    let Some(end) = after.find("\n+++") else {
        return Err("the front matter is not closed: add a line with +++ after it");
    };
    let front_src = &after[..end + 1];
    let body_start = end + 4;
    let body = after[body_start..]
        .trim_start_matches(['\r'])
        .strip_prefix('\n')
        .unwrap_or(&after[body_start..]);
    Ok((front_src, body))
}

fn parse_page(
    file: &Path,
    src: &str,
    slug: String,
    locale: Option<Locale>,
    news: bool,
    diags: &mut Diagnostics,
) -> Option<Page> {
    let (front_src, body) = match split_page(src) {
        Ok(parts) => parts,
        Err(message) => {
            diags.push(file, Some(1), message);
            return None;
        }
    };
    let front: FrontMatter = match toml::from_str(front_src) {
        Ok(f) => f,
        Err(e) => {
            // Front matter starts on line 2.
            let line = e.span().map(|s| line_of(front_src, s.start) + 1);
            diags.push(file, line, explain_toml(e.message()));
            return None;
        }
    };
    if front.title.trim().is_empty() {
        diags.push(file, Some(2), "the title is empty");
    }
    if news && front.date.is_none() {
        diags.push(
            file,
            Some(2),
            "an announcement needs a date, e.g. date = 2026-11-01",
        );
    }
    let body_line = line_of(src, src.len() - body.len());
    Some(Page {
        file: file.to_path_buf(),
        slug,
        locale,
        news,
        front,
        body: body.to_string(),
        body_line,
    })
}
