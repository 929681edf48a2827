//! Everything `storefront check` verifies beyond the schema: references,
//! brand safety, prices at every level. A reseller that passes is `Checked`
//! and carries its priced catalogue, so rendering never re-decides anything.

use crate::brand;
use crate::content::{Content, Reseller, Text, valid_id};
use crate::diagnostics::{Diagnostics, Key};
use crate::path;
use crate::seller::{self, Place, TaxIdKind};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use storefront_core::Locale;
use storefront_core::catalogue::Plan;
use storefront_core::names;
use storefront_core::pricing::{self, Level, Origin, PriceList};
use storefront_core::snapshot::Parent;

/// URL segments the generator owns: a page may not take them.
pub const RESERVED_SLUGS: &[&str] = &[
    "prices", "domains", "search", "cart", "checkout", "account", "news", "assets", "widget",
    "api", "s", "en", "id", "pl", "404", "sitemap", "robots", "static",
];

/// A reseller that passed every check, with what rendering needs.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Top-level reseller first, this reseller last.
    pub chain: Vec<String>,
    pub prices: PriceList,
    /// Whom it buys from, as its snapshot publishes it.
    pub parent: Parent,
    /// Its own day at the build's instant (its time zone): the day its
    /// pages show promotions for.
    pub today: NaiveDate,
}

/// Whose prices must cover what they pay (see `pricing::price_list`): a
/// loss by anyone else comes from a price above them that rose, and
/// suspends the line instead of failing the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strict {
    /// `storefront check` and `build` of folders: every reseller.
    All,
    /// A reseller's draft: that reseller.
    Only(String),
    /// Building what is published: nobody (each passed when published).
    Nobody,
}

impl Strict {
    pub fn refuses(&self, id: &str) -> bool {
        match self {
            Strict::All => true,
            Strict::Only(o) => o == id,
            Strict::Nobody => false,
        }
    }
}

/// Check every reseller; returns those that passed. `themes` lists the themes
/// that exist.
pub fn validate(
    content: &Content,
    themes: &BTreeSet<String>,
    now: chrono::DateTime<chrono::Utc>,
    strict: &Strict,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Checked> {
    let mut out = BTreeMap::new();
    seller::check_platform(content, diags);
    let mut hosts: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for (id, r) in &content.resellers {
        for (i, d) in r.site.domains.iter().enumerate() {
            hosts.entry(d.clone()).or_default().push((id.clone(), i));
        }
    }
    for (host, claims) in hosts.iter().filter(|(_, c)| c.len() > 1) {
        for (id, i) in claims {
            let r = &content.resellers[id];
            let others: Vec<&str> = claims
                .iter()
                .filter(|(o, _)| o != id)
                .map(|(o, _)| o.as_str())
                .collect();
            let msg = if others.is_empty() {
                format!("domain '{host}' is listed twice")
            } else {
                format!(
                    "domain '{host}' is also served by reseller '{}': a host can belong to one storefront only",
                    others.join("', '")
                )
            };
            diags.push(&r.site_file, r.line(&path!["domains", *i]), msg);
        }
    }
    for (id, r) in &content.resellers {
        let before = diags.len();
        check_site(r, content, themes, diags);
        check_pages(r, diags);
        check_statics(r, diags);
        let chain = match chain_of(content, id) {
            Ok(c) => c,
            Err(msg) => {
                diags.push(&r.site_file, r.line(&path!["parent"]), msg);
                continue;
            }
        };
        if diags.len() > before {
            continue;
        }
        if hosts
            .values()
            .any(|claims| claims.len() > 1 && claims.iter().any(|(c, _)| c == id))
        {
            continue;
        }
        let today = r.site.time_zone.date_at(now);
        if let Some(prices) = price(content, &chain, today, strict, diags)
            && let Some(parent) = seller::parent_of(content, &chain)
        {
            out.insert(
                id.clone(),
                Checked {
                    chain,
                    prices,
                    parent,
                    today,
                },
            );
        }
    }
    out
}

/// The ids from the top-level reseller down to `id`.
pub fn chain_of(content: &Content, id: &str) -> Result<Vec<String>, String> {
    let mut chain = vec![id.to_string()];
    let mut current = id;
    while let Some(parent) = content
        .resellers
        .get(current)
        .and_then(|r| r.site.parent.as_deref())
    {
        if chain.iter().any(|c| c == parent) {
            let mut circle: Vec<&str> = chain.iter().map(String::as_str).collect();
            circle.push(parent);
            return Err(format!(
                "parents go round in a circle ({}): resellers cannot buy from each other in a circle",
                circle.join(" -> ")
            ));
        }
        if !content.resellers.contains_key(parent) {
            if content
                .root
                .join("resellers")
                .join(parent)
                .join("site.toml")
                .is_file()
            {
                return Err(format!(
                    "parent '{parent}' has problems of its own (listed above); fix those first"
                ));
            }
            return Err(format!(
                "parent '{parent}' is not a reseller in content/resellers/"
            ));
        }
        chain.push(parent.to_string());
        current = parent;
    }
    chain.reverse();
    Ok(chain)
}

fn price(
    content: &Content,
    chain: &[String],
    today: NaiveDate,
    strict: &Strict,
    diags: &mut Diagnostics,
) -> Option<PriceList> {
    let seller = &content.resellers[chain.last()?];
    let top = &content.resellers[chain.first()?];
    // The plan's prices on the seller's day: a change whose day has come
    // is in them (the new day's build makes it so).
    let plan: Plan = content.platform.plans.as_of(&top.site.plan, today)?;
    let plan = &plan;
    let levels: Vec<Level<'_>> = chain
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let r = &content.resellers[id];
            Level {
                id: &r.id,
                pricing: &r.site.pricing,
                plan_at_parent: (i > 0).then_some(r.site.plan.as_str()),
            }
        })
        .collect();
    let tax = seller.site.tax.tax();
    match pricing::price_list(
        &content.platform.catalogue,
        plan,
        &levels,
        &seller.site.extensions(),
        &seller.site.promotions,
        &seller.site.discount_codes,
        pricing::Shown {
            tax: &tax,
            display: seller.site.tax.display,
        },
        today,
        &|level| strict.refuses(level),
    ) {
        Ok(p) => Some(p),
        Err(errors) => {
            for e in errors {
                let (r, path): (&Reseller, Vec<Key>) = match &e.origin {
                    Origin::Rule { level, path } => (
                        content.resellers.get(level).unwrap_or(seller),
                        path.iter().map(|p| Key::from(p.as_str())).collect(),
                    ),
                    Origin::Promotion { index, .. } => {
                        (seller, path!["promotions", *index].to_vec())
                    }
                    Origin::DiscountCode { index, .. } => {
                        (seller, path!["discount_codes", *index].to_vec())
                    }
                    Origin::Plan => (seller, path!["plan"].to_vec()),
                };
                diags.push_pricing(&r.site_file, r.line(&path), e);
            }
            None
        }
    }
}

fn check_text(r: &Reseller, text: &Text, what: &str, at: &[Key], diags: &mut Diagnostics) {
    if let Text::PerLanguage(m) = text {
        for l in &r.site.languages {
            if !m.contains_key(l) {
                diags.push(
                    &r.site_file,
                    r.line(at),
                    format!(
                        "{what} has no {l} text, and the storefront is in {l}: add {l} = \"...\""
                    ),
                );
            }
        }
    }
    for s in text.all() {
        if s.chars().any(|c| c.is_control() && c != '\n') {
            diags.push(
                &r.site_file,
                r.line(at),
                format!("{what} contains control characters: remove them"),
            );
        }
    }
}

fn check_site(r: &Reseller, content: &Content, themes: &BTreeSet<String>, diags: &mut Diagnostics) {
    let s = &r.site;
    let f = &r.site_file;
    let catalogue = &content.platform.catalogue;

    if s.name.trim().is_empty() || s.name.chars().count() > 80 {
        diags.push(f, r.line(&path!["name"]), "name must be 1 to 80 characters");
    }
    check_text(r, &s.tagline, "tagline", &path!["tagline"], diags);

    if s.domains.is_empty() {
        diags.push(f, r.line(&path!["domains"]), "domains is empty: list the host names the storefront is served on, e.g. [\"shop.example.com\"]");
    }
    for (i, d) in s.domains.iter().enumerate() {
        let at = path!["domains", i];
        match names::to_ascii(d) {
            Ok(ascii)
                if &ascii == d
                    && ascii.contains('.')
                    && !ascii.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {}
            Ok(ascii) if &ascii != d => diags.push(
                f,
                r.line(&at),
                format!("domain '{d}' must be written as '{ascii}' (lowercase, IDN in xn-- form)"),
            ),
            _ => diags.push(
                f,
                r.line(&at),
                format!("'{d}' is not a host name such as shop.example.com"),
            ),
        }
    }

    if s.languages.is_empty() {
        diags.push(
            f,
            r.line(&path!["languages"]),
            "languages is empty: name at least one of en, id, pl",
        );
    }
    let distinct: BTreeSet<_> = s.languages.iter().collect();
    if distinct.len() != s.languages.len() {
        diags.push(f, r.line(&path!["languages"]), "a language is listed twice");
    }

    match &s.parent {
        None => match content.platform.plans.plans.get(&s.plan) {
            None => diags.push(f, r.line(&path!["plan"]), format!("plan '{}' is not a platform plan; plans are: {}", s.plan, content.platform.plans.plans.keys().cloned().collect::<Vec<_>>().join(", "))),
            Some(p) if p.currency != s.currency => diags.push(f, r.line(&path!["currency"]), format!("currency {} differs from plan '{}', which is in {}: a reseller sells in the currency it buys in", s.currency.code(), s.plan, p.currency.code())),
            Some(_) => {}
        },
        Some(parent) => {
            if let Some(p) = content.resellers.get(parent) {
                if !p.site.pricing.sub_resellers.contains_key(&s.plan) {
                    diags.push(f, r.line(&path!["plan"]), format!("plan '{}' is not offered by parent '{parent}'; it offers: {}", s.plan, p.site.pricing.sub_resellers.keys().cloned().collect::<Vec<_>>().join(", ")));
                }
                if p.site.currency != s.currency {
                    diags.push(f, r.line(&path!["currency"]), format!("currency {} differs from parent '{parent}' ({}): a sub-reseller's wallet is in its parent's currency", s.currency.code(), p.site.currency.code()));
                }
                let parent_sells: BTreeSet<String> = p.site.extensions().into_iter().collect();
                for (gi, g) in s.groups.iter().enumerate() {
                    for (ei, e) in g.extensions.iter().enumerate() {
                        if !parent_sells.contains(e) {
                            diags.push(f, r.line(&path!["groups", gi, "extensions", ei]), format!(".{e} is not sold by parent '{parent}', so this reseller cannot buy it"));
                        }
                    }
                }
            }
        }
    }

    if !themes.contains(&s.theme) {
        diags.push(
            f,
            r.line(&path!["theme"]),
            format!(
                "theme '{}' does not exist; themes are: {}",
                s.theme,
                themes.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
    }

    for (field, file) in [("logo", &s.logo), ("favicon", &s.favicon)] {
        if let Some(name) = file {
            let at = path![field];
            match brand::check_image(&r.files, name, field == "favicon") {
                Ok(()) => {}
                Err(msg) => diags.push(f, r.line(&at), msg),
            }
        }
    }

    if s.tax.percent < rust_decimal::Decimal::ZERO
        || s.tax.percent > rust_decimal::Decimal::ONE_HUNDRED
    {
        diags.push(
            f,
            r.line(&path!["tax", "percent"]),
            format!(
                "tax percent must be between 0 and 100, got {}",
                s.tax.percent
            ),
        );
    }
    if s.tax.percent > rust_decimal::Decimal::ZERO && s.tax.label.trim().is_empty() {
        diags.push(
            f,
            r.line(&path!["tax", "label"]),
            "tax label is empty: name the tax, e.g. PPN or VAT",
        );
    }

    for (name, value) in [
        ("primary", &s.colours.primary),
        ("accent", &s.colours.accent),
        ("background", &s.colours.background),
        ("text", &s.colours.text),
    ] {
        if brand::parse_hex(value).is_none() {
            diags.push(f, r.line(&path!["colours", name]), format!("colour {name} = {value:?} is not a hex colour: write it as \"#0b5fff\" or \"#05f\""));
        }
    }
    if let (Some(bg), Some(fg)) = (
        brand::parse_hex(&s.colours.background),
        brand::parse_hex(&s.colours.text),
    ) && brand::contrast(bg, fg) < 4.5
    {
        diags.push(f, r.line(&path!["colours", "text"]), format!("text colour {} on background {} has a contrast of {:.1}:1; people need at least 4.5:1 to read it", s.colours.text, s.colours.background, brand::contrast(bg, fg)));
    }

    if s.groups.is_empty() {
        diags.push(
            f,
            r.line(&path!["groups"]),
            "no extension groups: add at least one [[groups]] with the extensions you sell",
        );
    }
    let mut group_ids = BTreeSet::new();
    for (gi, g) in s.groups.iter().enumerate() {
        if !valid_id(&g.id) || !group_ids.insert(g.id.clone()) {
            diags.push(
                f,
                r.line(&path!["groups", gi, "id"]),
                format!(
                    "group id '{}' must be unique, lowercase letters, digits and hyphens",
                    g.id
                ),
            );
        }
        check_text(
            r,
            &g.name,
            "group name",
            &path!["groups", gi, "name"],
            diags,
        );
        if g.extensions.is_empty() {
            diags.push(
                f,
                r.line(&path!["groups", gi, "extensions"]),
                format!("group '{}' has no extensions", g.id),
            );
        }
        let top_plan = chain_of(content, &r.id)
            .ok()
            .and_then(|c| c.first().and_then(|t| content.resellers.get(t)))
            .and_then(|t| content.platform.plans.plans.get(&t.site.plan));
        for (ei, e) in g.extensions.iter().enumerate() {
            let at = path!["groups", gi, "extensions", ei];
            if !catalogue.extensions.contains_key(e) {
                let hint = if e.starts_with('.') {
                    format!(
                        " (write it without the dot: \"{}\")",
                        e.trim_start_matches('.')
                    )
                } else {
                    String::new()
                };
                diags.push(
                    f,
                    r.line(&at),
                    format!(
                        ".{} is not in the platform's catalogue{hint}",
                        e.trim_start_matches('.')
                    ),
                );
            } else if let Some(plan) = top_plan
                && !plan.extensions.contains_key(e)
            {
                diags.push(
                    f,
                    r.line(&at),
                    format!(".{e} has no price in plan '{}'", plan.name),
                );
            }
        }
        for (fi, fe) in g.featured.iter().enumerate() {
            if !g.extensions.contains(fe) {
                diags.push(
                    f,
                    r.line(&path!["groups", gi, "featured", fi]),
                    format!(
                        "featured .{fe} is not in group '{}': add it to extensions first",
                        g.id
                    ),
                );
            }
        }
    }

    for (i, p) in s.promotions.iter().enumerate() {
        check_translated(r, &p.label, &path!["promotions", i, "label"], diags);
    }

    let c = &s.contact;
    if !c.email.is_empty() && !is_email(&c.email) {
        diags.push(
            f,
            r.line(&path!["contact", "email"]),
            format!(
                "contact email {:?} is not an address such as help@example.com",
                c.email
            ),
        );
    }
    for (field, v) in [("phone", &c.phone), ("whatsapp", &c.whatsapp)] {
        if !v.is_empty()
            && !v
                .chars()
                .all(|ch| ch.is_ascii_digit() || " +-()".contains(ch))
        {
            diags.push(
                f,
                r.line(&path!["contact", field]),
                format!(
                    "contact {field} {v:?} may contain only digits, spaces, +, - and parentheses"
                ),
            );
        }
    }
    check_text(
        r,
        &c.hours,
        "contact hours",
        &path!["contact", "hours"],
        diags,
    );
    let place = Place {
        file: f,
        src: &r.site_src,
    };
    place.check_seller(&s.seller, TaxIdKind::of_currency(s.currency), diags);
    place.check_bank_accounts(&s.bank_accounts, diags);
    place.check_orders(&s.orders, diags);
    // A sub-reseller tops up its wallet by transfer to its parent.
    if s.bank_accounts.is_empty()
        && let Some(child) = content
            .resellers
            .values()
            .find(|c| c.site.parent.as_deref() == Some(r.id.as_str()))
    {
        diags.push(
            f,
            r.line(&path!["pricing", "sub_resellers"]),
            format!(
                "reseller '{}' buys from this one and tops up its wallet by bank transfer: add at least one [[bank_accounts]]",
                child.id
            ),
        );
    }
    if s.provisioning.documents_due_days == 0 || s.provisioning.documents_due_days > 60 {
        diags.push(
            f,
            r.line(&path!["provisioning", "documents_due_days"]),
            "documents_due_days must be between 1 and 60",
        );
    }
    if s.provisioning.upload_days == 0 || s.provisioning.upload_days > 90 {
        diags.push(
            f,
            r.line(&path!["provisioning", "upload_days"]),
            "upload_days must be between 1 and 90",
        );
    }
    let sold = s.extensions();
    // A name registered before its documents is deleted when they do not
    // come; the registry credits the deletion only within its add grace
    // period, so the documents' days may not run past it.
    for ext in &sold {
        let Some(x) = catalogue.extensions.get(ext) else {
            continue;
        };
        let auto = s
            .provisioning
            .extensions
            .get(ext)
            .map_or(s.provisioning.auto, |p| p.auto);
        let grace = x.grace.add;
        // The deletion runs the day after the last day, so it comes up to
        // a day more than documents_due_days after the registration.
        if auto && !x.documents.is_empty() && s.provisioning.documents_due_days >= grace {
            let most = grace.saturating_sub(1);
            let fix = if most == 0 {
                String::new()
            } else {
                format!("set {most} or fewer, or ")
            };
            diags.push(
                f,
                r.line(&path!["provisioning", "documents_due_days"]),
                format!(
                    "documents_due_days = {} is past .{ext}'s add grace period ({grace} days, counted to the deletion the day after the last day), after which the registry no longer credits a deletion: {fix}wait for .{ext}'s documents before registering ([provisioning.extensions.\"{ext}\"] auto = false)",
                    s.provisioning.documents_due_days
                ),
            );
        }
    }
    for ext in s.provisioning.extensions.keys() {
        if !sold.contains(ext) {
            diags.push(
                f,
                r.line(&path!["provisioning", "extensions", ext.as_str()]),
                format!("[provisioning.extensions.\"{ext}\"]: .{ext} is not sold here (sell it in a group, or remove this)"),
            );
        }
    }
}

fn check_translated(
    r: &Reseller,
    t: &storefront_core::catalogue::Translated,
    at: &[Key],
    diags: &mut Diagnostics,
) {
    for l in &r.site.languages {
        let has = match l {
            Locale::En => true,
            Locale::Id => t.id.is_some(),
            Locale::Pl => t.pl.is_some(),
        };
        if !has {
            diags.push(
                &r.site_file,
                r.line(at),
                format!("label has no {l} text, and the storefront is in {l}: add {l} = \"...\""),
            );
        }
    }
}

pub(crate) fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == '"')
        && domain.contains('.')
        && names::to_ascii(domain).is_ok()
}

fn check_pages(r: &Reseller, diags: &mut Diagnostics) {
    let defaults: BTreeSet<(&str, bool)> = r
        .pages
        .iter()
        .filter(|p| p.locale.is_none())
        .map(|p| (p.slug.as_str(), p.news))
        .collect();
    for p in &r.pages {
        if !p.news && RESERVED_SLUGS.contains(&p.slug.as_str()) {
            diags.push(&p.file, None, format!("a page cannot be called '{}': the storefront uses /{}/ itself. Rename the file.", p.slug, p.slug));
        }
        if let Some(l) = p.locale {
            if !r.site.languages.contains(&l) {
                diags.push(&p.file, None, format!("this is the {l} version of '{}', but the storefront is not in {l}: add it to languages or remove the file", p.slug));
            }
            if l == r.site.default_language() {
                diags.push(
                    &p.file,
                    None,
                    format!("{l} is the default language: name this file {}.md", p.slug),
                );
            }
            if !defaults.contains(&(p.slug.as_str(), p.news)) {
                diags.push(
                    &p.file,
                    None,
                    format!(
                        "there is no {}.md in the default language for this translation",
                        p.slug
                    ),
                );
            }
        }
        if p.body.trim().is_empty() {
            diags.push(&p.file, Some(p.body_line), "the page has no text");
        }
    }
}

fn check_statics(r: &Reseller, diags: &mut Diagnostics) {
    for rel in &r.statics {
        let file = r.dir.join("static").join(rel);
        let bytes = r
            .files
            .get(&Path::new("static").join(rel))
            .map_or(&[][..], Vec::as_slice);
        if let Err(msg) = brand::check_static(&file, bytes) {
            diags.push(&file, None, msg);
        }
    }
}
