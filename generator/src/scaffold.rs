//! `storefront new`: a reseller folder that passes `check` as it is, so a new
//! reseller starts from something that works and changes one thing at a time.

use crate::content::{Platform, valid_id};
use crate::diagnostics::Diagnostics;
use anyhow::{Result, bail};
use std::fs;
use std::path::{Path, PathBuf};
use storefront_core::Locale;

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
    let featured: Vec<&&String> = exts.iter().take(3).collect();
    let list = |v: &[&String]| {
        v.iter()
            .map(|e| format!("\"{e}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let domain = req
        .domain
        .clone()
        .unwrap_or_else(|| format!("{}.localhost", req.id));
    let title = req
        .id
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let round = if plan.currency.minor_units() == 0 {
        "round_to = \"1000\""
    } else {
        "ending = \"0.99\""
    };
    let lang = req.language.code();
    let site = format!(
        r##"# {title}: storefront settings. `storefront check` explains any mistake.
name = "{title}"
tagline = "Domain names for your business"
domains = ["{domain}"]
languages = ["{lang}"]
currency = "{currency}"
plan = "{plan_id}"
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
email = "help@{domain}"

# Your business as your invoices name it: replace these before you sell.
[seller]
legal_name = "{title}"
address = ["Street and number", "Postal code and city"]
# tax_id = "..."   # NPWP in Indonesia, NIP in Poland
email = "invoices@{domain}"

# Where customers pay by bank transfer and top up their wallet:
# [[bank_accounts]]
# id = "main"
# bank = "..."
# holder = "{title}"
# number = "..."
"##,
        currency = plan.currency.code(),
        // The zone of the country its currency is sold in, or UTC.
        zone = match plan.currency.code() {
            "IDR" => "Asia/Jakarta",
            "PLN" => "Europe/Warsaw",
            _ => "UTC",
        },
        exts = list(&exts),
        featured = featured
            .iter()
            .map(|e| format!("\"{e}\""))
            .collect::<Vec<_>>()
            .join(", "),
    );
    fs::create_dir_all(dir.join("pages"))?;
    fs::write(dir.join("site.toml"), site)?;
    fs::write(
        dir.join("logo.svg"),
        LOGO.replace("NAME", &xml_text(&title)),
    )?;
    fs::write(
        dir.join("pages/terms.md"),
        format!(
            "+++\ntitle = \"Terms of service\"\norder = 1\n+++\n\n# Terms of service\n\nThese terms apply to every order placed with {title}.\n"
        ),
    )?;
    fs::write(
        dir.join("pages/privacy.md"),
        format!(
            "+++\ntitle = \"Privacy\"\norder = 2\n+++\n\n# Privacy\n\n{title} uses your details only to register and manage your domains.\n"
        ),
    )?;
    Ok(dir)
}

fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
