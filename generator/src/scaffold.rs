//! `storefront new`: a reseller folder that passes `check` as it is, so a new
//! reseller starts from something that works and changes one thing at a time.

use crate::content::{Platform, valid_id};
use crate::diagnostics::Diagnostics;
use anyhow::{Result, bail};
use std::fs;
use std::path::{Path, PathBuf};
use storefront_core::{Currency, Locale};
use storefront_revisions::Files;

#[derive(Debug, Clone)]
pub struct NewReseller {
    pub id: String,
    /// Platform plan; the first plan when None.
    pub plan: Option<String>,
    pub language: Locale,
    /// Host name; `<id>.localhost` when None.
    pub domain: Option<String>,
}

const LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 48" role="img"><title>Logo</title><rect width="48" height="48" rx="10" fill="#0b5fff"/><path d="M14 24h20M24 14v20" stroke="#fff" stroke-width="5" stroke-linecap="round"/><text x="60" y="31" font-family="system-ui, sans-serif" font-size="20" font-weight="700" fill="#1b1f24">NAME</text></svg>
"##;

/// Create `content/resellers/<id>/`. Returns the folder.
pub fn new_reseller(content: &Path, req: &NewReseller) -> Result<PathBuf> {
    if !valid_id(&req.id) {
        bail!(
            "'{}' cannot be a reseller name: use lowercase letters, digits and hyphens, e.g. toko-budi",
            req.id
        );
    }
    let dir = content.join("resellers").join(&req.id);
    if dir.exists() {
        bail!("{} already exists", dir.display());
    }
    let mut diags = Diagnostics::default();
    let Some(platform) = Platform::load(&content.join("platform"), &mut diags) else {
        bail!("the platform catalogue must be valid first:\n{diags}");
    };
    let (plan_id, plan) = match &req.plan {
        Some(p) => match platform.plans.plans.get_key_value(p) {
            Some(kv) => kv,
            None => bail!(
                "no plan '{p}'; plans are: {}",
                platform
                    .plans
                    .plans
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
        None => match platform.plans.plans.iter().next() {
            Some(kv) => kv,
            None => bail!("the platform has no plans yet: add one to content/platform/plans.toml"),
        },
    };
    let exts: Vec<&String> = plan.extensions.keys().take(6).collect();
    if exts.is_empty() {
        bail!("plan '{plan_id}' prices no extensions");
    }
    let domain = req
        .domain
        .clone()
        .unwrap_or_else(|| format!("{}.localhost", req.id));
    let title = title_of(&req.id);
    let files = files(&Scaffold {
        name: &title,
        domain: &domain,
        language: req.language,
        currency: plan.currency,
        plan: plan_id,
        parent: None,
        extensions: &exts.into_iter().cloned().collect::<Vec<_>>(),
    });
    for (path, bytes) in &files {
        let file = dir.join(path);
        if let Some(up) = file.parent() {
            fs::create_dir_all(up)?;
        }
        fs::write(file, bytes)?;
    }
    Ok(dir)
}

/// `toko-budi` as a name: "Toko Budi".
fn title_of(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a new storefront is made of, whoever makes it (`storefront new`,
/// or a reseller creating a sub-reseller in its back office).
#[derive(Debug, Clone)]
pub struct Scaffold<'a> {
    /// Its name, as its pages and invoices show it.
    pub name: &'a str,
    /// The host it is served on.
    pub domain: &'a str,
    pub language: Locale,
    pub currency: Currency,
    /// The platform plan, or the parent's sub-reseller plan.
    pub plan: &'a str,
    /// The reseller it buys from; None for the platform.
    pub parent: Option<&'a str>,
    /// What it sells (at most the first six; the first three featured):
    /// each priced by the plan.
    pub extensions: &'a [String],
}

/// A storefront that passes `check` as it is: `site.toml`, a logo with its
/// name, terms and privacy pages. Each text typed by a person (the name)
/// is written as a TOML string or XML text, never pasted raw.
pub fn files(s: &Scaffold) -> Files {
    let exts: Vec<&String> = s.extensions.iter().take(6).collect();
    let quoted = |v: &[&String]| v.iter().map(|e| toml_str(e)).collect::<Vec<_>>().join(", ");
    let round = if s.currency.minor_units() == 0 {
        "round_to = \"1000\""
    } else {
        "ending = \"0.99\""
    };
    let parent = s
        .parent
        .map(|p| format!("parent = {}\n", toml_str(p)))
        .unwrap_or_default();
    let site = format!(
        r##"# {name}: storefront settings. `storefront check` explains any mistake.
name = {name_toml}
tagline = "Domain names for your business"
domains = [{domain_toml}]
languages = ["{lang}"]
currency = "{currency}"
{parent}plan = {plan}
logo = "logo.svg"
# Where your days begin: promotions start and end at this midnight.
time_zone = "{zone}"

[tax]
label = "VAT"
percent = "0"
display = "exclusive"

[colours]
primary = "#0b5fff"
accent = "#ff8a00"

[[groups]]
id = "popular"
name = "Popular"
extensions = [{exts}]
featured = [{featured}]

[pricing.customers.default]
markup_percent = "25"
{round}

[contact]
email = {help}

# Your business as your invoices name it: replace these before you sell.
[seller]
legal_name = {name_toml}
address = ["Street and number", "Postal code and city"]
# tax_id = "..."   # NPWP in Indonesia, NIP in Poland
email = {invoices}

# Where customers pay by bank transfer and top up their wallet:
# [[bank_accounts]]
# id = "main"
# bank = "..."
# holder = {holder}
# number = "..."
"##,
        name = s.name.replace(['\n', '\r'], " "),
        name_toml = toml_str(s.name),
        domain_toml = toml_str(s.domain),
        lang = s.language.code(),
        currency = s.currency.code(),
        plan = toml_str(s.plan),
        // The zone of the country its currency is sold in, or UTC.
        zone = match s.currency.code() {
            "IDR" => "Asia/Jakarta",
            "PLN" => "Europe/Warsaw",
            _ => "UTC",
        },
        exts = quoted(&exts),
        featured = quoted(&exts[..exts.len().min(3)]),
        help = toml_str(&format!("help@{}", s.domain)),
        invoices = toml_str(&format!("invoices@{}", s.domain)),
        holder = toml_str(s.name),
    );
    // In a page, the name is text: no emphasis, link, HTML or heading,
    // and one line.
    let md = |t: &str| {
        t.replace(['*', '_', '`', '[', ']', '<', '>', '#'], "")
            .replace(char::is_control, " ")
    };
    let mut out = Files::new();
    out.insert("site.toml".into(), site.into_bytes());
    out.insert(
        "logo.svg".into(),
        LOGO.replace("NAME", &xml_text(s.name)).into_bytes(),
    );
    out.insert(
        "pages/terms.md".into(),
        format!(
            "+++\ntitle = \"Terms of service\"\norder = 1\n+++\n\n# Terms of service\n\nThese terms apply to every order placed with {}.\n",
            md(s.name)
        )
        .into_bytes(),
    );
    out.insert(
        "pages/privacy.md".into(),
        format!(
            "+++\ntitle = \"Privacy\"\norder = 2\n+++\n\n# Privacy\n\n{} uses your details only to register and manage your domains.\n",
            md(s.name)
        )
        .into_bytes(),
    );
    out
}

/// A TOML basic string on one line, whatever `s` holds: a line break
/// escaped never ends it (nor the comment it may stand in).
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Whether `logo` is still the placeholder a new storefront starts with,
/// whatever name it shows (a storefront renamed since keeps the old one).
pub fn is_placeholder_logo(logo: &[u8]) -> bool {
    let (head, tail) = LOGO
        .split_once("NAME")
        .expect("the logo has a place for the name");
    logo.len() >= head.len() + tail.len()
        && logo.starts_with(head.as_bytes())
        && logo.ends_with(tail.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name typed by a person is the storefront's name as typed, and
    /// nothing else: not TOML, not Markdown, not SVG.
    #[test]
    fn a_typed_name_stays_a_name() {
        let name = "Toko \"Budi\" & <Anak>\n[seller]";
        let files = files(&Scaffold {
            name,
            domain: "anak.localhost",
            language: Locale::Id,
            currency: Currency::IDR,
            plan: "agen",
            parent: Some("toko"),
            extensions: &["com".to_string(), "co.id".to_string()],
        });
        let src = std::str::from_utf8(&files["site.toml"]).expect("utf-8");
        let site: crate::content::Site = toml::from_str(src).expect("parses");
        assert_eq!(site.name, name);
        assert_eq!(
            (site.parent.as_deref(), site.plan.as_str()),
            (Some("toko"), "agen")
        );
        assert_eq!(site.extensions(), ["com", "co.id"]);
        let logo = std::str::from_utf8(&files["logo.svg"]).expect("utf-8");
        assert!(logo.contains("Toko \"Budi\" &amp; &lt;Anak&gt;"), "{logo}");
        assert!(is_placeholder_logo(&files["logo.svg"]));
        assert!(!is_placeholder_logo(
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"
        ));
        let terms = std::str::from_utf8(&files["pages/terms.md"]).expect("utf-8");
        assert!(
            terms.ends_with("placed with Toko \"Budi\" & Anak seller.\n"),
            "{terms}"
        );
    }
}
