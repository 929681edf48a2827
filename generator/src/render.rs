//! Rendering one storefront into files in memory.
//!
//! Templates see a view built here (see themes/default/CONTEXT.md), never the
//! raw content, so nothing private (costs, other levels' prices, bank rules)
//! can reach a page by accident. Every price is formatted here.

use crate::brand;
use crate::content::{Content, Page, Reseller};
use crate::markdown;
use crate::seller::TaxIdKind;
use crate::theme::{Theme, error_chain};
use crate::validate::Checked;
use anyhow::{Context as _, Result, anyhow};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use storefront_core::Locale;
use storefront_core::catalogue::{Action, DocumentKind, Extension};
use storefront_core::money::{Money, TaxDisplay};
use storefront_core::price::{self, Ask, Priced};
use storefront_core::pricing::ExtensionPrices;
use storefront_core::snapshot::Snapshot;
use tera::Context;

/// A rendered file: path relative to the storefront's folder, and bytes.
pub type Output = (String, Vec<u8>);

struct Shop<'a> {
    content: &'a Content,
    r: &'a Reseller,
    checked: &'a Checked,
    /// What the API prices from: the pages price from the very same.
    snapshot: &'a Snapshot,
    today: NaiveDate,
    /// The theme's words, for a price that cannot be shown.
    theme: &'a Theme,
}

#[derive(Serialize, Clone)]
struct PromoView {
    price: String,
    label: String,
    until: String,
}

#[derive(Serialize, Clone)]
struct ExtRow {
    ext: String,
    name: String,
    url: String,
    register: String,
    renew: String,
    transfer: String,
    restore: String,
    promo: Option<PromoView>,
    idn: bool,
    documents_required: bool,
    group: String,
}

impl Shop<'_> {
    fn lang_default(&self) -> Locale {
        self.r.site.default_language()
    }

    /// The public (`default` group) price of a line today, by the one
    /// pricing function the API charges with.
    fn priced(&self, ext: &str, action: Action, years: u8) -> Option<Priced> {
        price::price(
            self.snapshot,
            &Ask {
                ext,
                action,
                years,
                group: "default",
                today: self.today,
                premium: None,
                code: None,
            },
        )
        .ok()
    }

    /// An amount as shown, formatted.
    fn show(&self, shown: Decimal, l: Locale) -> String {
        Money::new(shown, self.r.site.currency).format(l)
    }

    fn sheet(&self, ext: &str) -> Option<&ExtensionPrices> {
        self.checked.prices.groups.get("default")?.get(ext)
    }

    fn rules(&self, ext: &str) -> Option<&Extension> {
        self.content.platform.catalogue.extensions.get(ext)
    }

    fn row(&self, ext: &str, l: Locale) -> Option<ExtRow> {
        self.sheet(ext)?;
        let rules = self.rules(ext)?;
        // The shortest period sold (one year for every extension the
        // catalogue has today).
        let first = |a: Action| self.priced(ext, a, *a.periods(rules.years).first()?);
        let price = |a: Action| match first(a) {
            Some(p) => self.show(p.regular.unwrap_or(p.shown), l),
            // A line whose price is now below the seller's cost says so
            // (the checkout refuses it with the same words' reason).
            None if self.snapshot.prices.is_suspended("default", ext, a) => self
                .theme
                .strings
                .get(&l)
                .and_then(|s| s.get("price_not_on_sale"))
                .cloned()
                .unwrap_or_default(),
            None => String::new(),
        };
        let promo = first(Action::Register).and_then(|p| {
            let promo = p.promotion.as_ref()?;
            Some(PromoView {
                price: self.show(p.shown, l),
                label: promo.label.get(l).to_string(),
                until: long_date(promo.until, l),
            })
        });
        let group = self
            .r
            .site
            .groups
            .iter()
            .find(|g| g.extensions.iter().any(|e| e == ext))
            .map(|g| g.id.clone())
            .unwrap_or_default();
        Some(ExtRow {
            ext: ext.to_string(),
            name: format!(".{}", storefront_core::names::to_unicode(ext)),
            url: format!("domains/{ext}/"),
            register: price(Action::Register),
            renew: price(Action::Renew),
            transfer: price(Action::Transfer),
            restore: price(Action::Restore),
            promo,
            idn: rules.idn,
            documents_required: !rules.documents.is_empty(),
            group,
        })
    }

    fn groups(&self, l: Locale) -> Vec<Value> {
        self.r
            .site
            .groups
            .iter()
            .map(|g| {
                let exts: Vec<ExtRow> = g.extensions.iter().filter_map(|e| self.row(e, l)).collect();
                json!({ "id": g.id, "name": g.name.get(l, self.lang_default()), "extensions": exts })
            })
            .collect()
    }
}

fn prefix(l: Locale, default: Locale) -> String {
    if l == default {
        String::new()
    } else {
        format!("{}/", l.code())
    }
}

/// `../` once per folder between a page and the site root.
fn root_for(path_dir: &str) -> String {
    "../".repeat(path_dir.split('/').filter(|s| !s.is_empty()).count())
}

fn language_label(l: Locale) -> &'static str {
    match l {
        Locale::En => "English",
        Locale::Id => "Bahasa Indonesia",
        Locale::Pl => "Polski",
    }
}

/// Size in KiB as a person reads it.
fn size_label(kb: u32) -> String {
    if kb >= 1024 && kb.is_multiple_of(1024) {
        format!("{} MB", kb / 1024)
    } else if kb >= 1024 {
        format!("{:.1} MB", f64::from(kb) / 1024.0)
    } else {
        format!("{kb} KB")
    }
}

struct PageSpec {
    /// Folder of the page below the language root, "" for the home page.
    path: String,
    template: &'static str,
    kind: &'static str,
    title: String,
    description: String,
    extra: Vec<(&'static str, Value)>,
}

/// Render every file of one storefront.
pub fn render(
    content: &Content,
    r: &Reseller,
    checked: &Checked,
    snapshot: &Snapshot,
    today: NaiveDate,
    theme: &Theme,
) -> Result<Vec<Output>> {
    let shop = Shop {
        content,
        r,
        checked,
        snapshot,
        today,
        theme,
    };
    let default = shop.lang_default();
    let brand_css = brand::css(&r.site.colours);
    let brand_css_name = asset_name("brand", "brand.css", brand_css.as_bytes());
    let brand_asset = |kind: &str, file: &Option<String>| -> String {
        file.as_ref()
            .and_then(|f| {
                let bytes = r.files.get(std::path::Path::new(f))?;
                Some(asset_name(kind, f, bytes))
            })
            .unwrap_or_default()
    };
    let mut out: Vec<Output> = Vec::new();
    let mut sitemap: Vec<String> = Vec::new();
    let base_url = format!(
        "https://{}",
        r.site
            .domains
            .first()
            .map(String::as_str)
            .unwrap_or("localhost")
    );

    // Footer pages per language: translated page if there is one.
    let pages_for = |l: Locale| -> Vec<&Page> {
        let mut v: Vec<&Page> = r
            .pages
            .iter()
            .filter(|p| p.locale.is_none())
            .map(|p| {
                r.pages
                    .iter()
                    .find(|t| t.slug == p.slug && t.news == p.news && t.locale == Some(l))
                    .unwrap_or(p)
            })
            .collect();
        v.sort_by(|a, b| {
            (a.news, a.front.order, &a.front.title).cmp(&(b.news, b.front.order, &b.front.title))
        });
        v
    };

    let mut html_cache: BTreeMap<std::path::PathBuf, String> = BTreeMap::new();
    for &l in &r.site.languages {
        let pre = prefix(l, default);
        let strings = theme
            .strings
            .get(&l)
            .ok_or_else(|| anyhow!("theme '{}' has no {l} strings", theme.name))?;
        let t = |k: &str| strings.get(k).cloned().unwrap_or_default();
        let pages = pages_for(l);
        let footer: Vec<Value> = pages
            .iter()
            .filter(|p| !p.news && p.front.footer)
            .map(|p| json!({"title": p.front.title, "url": format!("{}/", p.slug)}))
            .collect();
        let mut news: Vec<(&Page, Value)> = pages
            .iter()
            .filter(|p| p.news)
            .map(|p| (*p, json!({"title": p.front.title, "date": p.front.date.map(|d| long_date(d, l)).unwrap_or_default(), "url": format!("news/{}/", p.slug), "summary": markdown::summary(&p.body)})))
            .collect();
        news.sort_by(|a, b| {
            b.0.front
                .date
                .cmp(&a.0.front.date)
                .then(a.0.slug.cmp(&b.0.slug))
        });
        let news_views: Vec<Value> = news.iter().map(|(_, v)| v.clone()).collect();
        let groups = shop.groups(l);

        let tax_note = if r.site.tax.percent.is_zero() {
            String::new()
        } else {
            let key = match r.site.tax.display {
                TaxDisplay::Inclusive => "tax_note_inclusive",
                TaxDisplay::Exclusive => "tax_note_exclusive",
            };
            t(key)
                .replace("{label}", &r.site.tax.label)
                .replace("{percent}", &r.site.tax.percent.normalize().to_string())
        };

        let mut specs: Vec<PageSpec> = Vec::new();
        let featured: Vec<ExtRow> = r
            .site
            .groups
            .iter()
            .flat_map(|g| g.featured.iter())
            .filter_map(|e| shop.row(e, l))
            .collect();
        let promotions: Vec<Value> = r
            .site
            .extensions()
            .iter()
            .filter_map(|e| {
                let row = shop.row(e, l)?;
                let p = row.promo.clone()?;
                Some(json!({"ext": row.ext, "name": row.name, "url": row.url, "price": p.price, "regular": row.register, "label": p.label, "until": p.until}))
            })
            .collect();
        specs.push(PageSpec {
            path: String::new(),
            template: "index.html",
            kind: "home",
            title: r.site.name.clone(),
            description: r.site.tagline.get(l, default).to_string(),
            extra: vec![
                ("featured", json!(featured)),
                ("promotions", json!(promotions)),
                ("groups", json!(groups)),
                ("news", json!(news_views.iter().take(3).collect::<Vec<_>>())),
            ],
        });
        specs.push(PageSpec {
            path: "prices/".into(),
            template: "prices.html",
            kind: "prices",
            title: t("prices_title"),
            description: t("prices_description"),
            extra: vec![("groups", json!(groups))],
        });
        for ext in r.site.extensions() {
            let Some(view) = extension_view(&shop, &ext, l) else {
                continue;
            };
            let name = format!(".{}", storefront_core::names::to_unicode(&ext));
            specs.push(PageSpec {
                path: format!("domains/{ext}/"),
                template: "extension.html",
                kind: "extension",
                title: t("extension_title").replace("{ext}", &name),
                description: t("extension_description").replace("{ext}", &name),
                extra: vec![("ext", view)],
            });
        }
        for (path, template, kind, title) in [
            ("search/", "search.html", "search", "search_title"),
            ("cart/", "cart.html", "cart", "cart_title"),
            ("checkout/", "checkout.html", "checkout", "checkout_title"),
            ("account/", "account.html", "account", "account_title"),
        ] {
            specs.push(PageSpec {
                path: path.into(),
                template,
                kind,
                title: t(title),
                description: String::new(),
                extra: vec![("groups", json!(groups))],
            });
        }
        for p in &pages {
            // A page without a translation appears in every language: render it once.
            let html = html_cache
                .entry(p.file.clone())
                .or_insert_with(|| markdown::render(&p.body))
                .clone();
            let (path, template, kind) = if p.news {
                (
                    format!("news/{}/", p.slug),
                    "announcement.html",
                    "announcement",
                )
            } else {
                (format!("{}/", p.slug), "page.html", "page")
            };
            specs.push(PageSpec {
                path,
                template,
                kind,
                title: p.front.title.clone(),
                description: p.front.description.clone(),
                extra: vec![
                    ("content", json!(html)),
                    (
                        "date",
                        json!(p.front.date.map(|d| long_date(d, l)).unwrap_or_default()),
                    ),
                ],
            });
        }
        if !news.is_empty() {
            specs.push(PageSpec {
                path: "news/".into(),
                template: "news.html",
                kind: "news",
                title: t("news_title"),
                description: String::new(),
                extra: vec![("news", json!(news_views))],
            });
        }
        let snippet = format!(
            "<div data-storefront-search></div>\n<script src=\"{base_url}/widget.js\" async></script>"
        );
        specs.push(PageSpec {
            path: "widget/".into(),
            template: "widget.html",
            kind: "widget",
            title: t("widget_title"),
            description: String::new(),
            extra: vec![("snippet", json!(snippet))],
        });
        if l == default {
            specs.push(PageSpec {
                path: "404".into(),
                template: "404.html",
                kind: "not_found",
                title: t("not_found_title"),
                description: String::new(),
                extra: vec![],
            });
        }

        let site_view = |path: &str| -> Value {
            let root = root_for(&format!("{pre}{path}"));
            json!({
                "id": r.id,
                "name": r.site.name,
                "tagline": r.site.tagline.get(l, default),
                "lang": l.code(),
                "default_lang": default.code(),
                "languages": r.site.languages.iter().map(|&o| json!({"code": o.code(), "label": language_label(o), "url": format!("{root}{}{path}", prefix(o, default)), "current": o == l})).collect::<Vec<_>>(),
                "currency": r.site.currency.code(),
                "tax": {"label": r.site.tax.label, "percent": r.site.tax.percent.normalize().to_string(), "inclusive": r.site.tax.display == TaxDisplay::Inclusive, "note": tax_note},
                "logo": brand_asset("logo", &r.site.logo),
                "favicon": brand_asset("favicon", &r.site.favicon),
                "brand_css": brand_css_name,
                "base_url": base_url,
                "contact": {"email": r.site.contact.email, "phone": r.site.contact.phone, "whatsapp": r.site.contact.whatsapp, "address": r.site.contact.address, "hours": r.site.contact.hours.get(l, default)},
                "bank_accounts": r.site.bank_accounts,
                "seller": {"legal_name": r.site.seller.legal_name, "address": r.site.seller.address, "tax_id": r.site.seller.tax_id.clone().unwrap_or_default(), "tax_id_label": TaxIdKind::of_currency(r.site.currency).label().unwrap_or_default()},
                "footer_pages": footer,
                "has_news": !news.is_empty(),
            })
        };

        for spec in specs {
            let not_found = spec.kind == "not_found";
            // The 404 page is served at any depth: its links are relative to
            // <base href="/">, which the preview server rewrites.
            let (root, file) = if not_found {
                (String::new(), "404.html".to_string())
            } else {
                (
                    root_for(&format!("{pre}{}", spec.path)),
                    format!("{pre}{}index.html", spec.path),
                )
            };
            let lang_root = format!("{root}{pre}");
            let mut ctx = Context::new();
            ctx.insert("t", strings);
            ctx.insert("root", &root);
            ctx.insert("lang_root", &lang_root);
            let mut site = site_view(if not_found { "" } else { &spec.path });
            if not_found {
                // Served at any depth: links resolve against <base href="/">.
                for lang in site["languages"].as_array_mut().into_iter().flatten() {
                    let code = lang["code"].as_str().unwrap_or_default().to_string();
                    lang["url"] = json!(format!(
                        "./{}",
                        prefix(code.parse().unwrap_or(default), default)
                    ));
                }
            }
            ctx.insert("site", &site);
            let canonical = format!(
                "{base_url}/{pre}{}",
                if not_found { "" } else { &spec.path }
            );
            ctx.insert("page", &json!({"kind": spec.kind, "title": spec.title, "description": spec.description, "path": spec.path, "canonical": canonical, "date": spec.extra.iter().find(|(k, _)| *k == "date").map(|(_, v)| v.clone()).unwrap_or(json!(""))}));
            for (k, v) in &spec.extra {
                ctx.insert(*k, v);
            }
            let html = theme
                .tera
                .render(spec.template, &ctx)
                .map_err(|e| anyhow!("{}", error_chain(&e)))
                .with_context(|| {
                    format!(
                        "rendering {file} with template '{}' of theme '{}'",
                        spec.template, theme.name
                    )
                })?;
            if !not_found
                && spec.kind != "cart"
                && spec.kind != "checkout"
                && spec.kind != "account"
            {
                sitemap.push(canonical);
            }
            out.push((file, html.into_bytes()));
        }
        out.push((format!("{pre}prices.json"), prices_json(&shop, l)?));
    }

    // Assets shared by every language.
    for (rel, bytes) in &theme.statics {
        out.push((format!("assets/{rel}"), bytes.clone()));
    }
    if let Some(w) = theme.statics.get("widget.js") {
        out.push(("widget.js".into(), w.clone()));
    }
    out.push((brand_css_name.clone(), brand_css.into_bytes()));
    for (kind, file) in [("logo", &r.site.logo), ("favicon", &r.site.favicon)] {
        if let Some(f) = file {
            let bytes = r
                .files
                .get(std::path::Path::new(f))
                .with_context(|| format!("{f} vanished from {}", r.dir.display()))?;
            out.push((asset_name(kind, f, bytes), bytes.clone()));
        }
    }
    // The reseller's own static files win over the theme's.
    for rel in &r.statics {
        let bytes = r
            .files
            .get(&std::path::Path::new("static").join(rel))
            .with_context(|| format!("static/{} vanished", rel.display()))?;
        let rel = rel.to_string_lossy().replace('\\', "/");
        out.retain(|(p, _)| *p != rel);
        out.push((rel, bytes.clone()));
    }
    sitemap.sort();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in &sitemap {
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(u)));
    }
    xml.push_str("</urlset>\n");
    out.push(("sitemap.xml".into(), xml.into_bytes()));
    let mut robots = String::from("User-agent: *\n");
    for &l in &r.site.languages {
        let pre = prefix(l, default);
        for p in ["cart/", "checkout/", "account/", "panel/"] {
            robots.push_str(&format!("Disallow: /{pre}{p}\n"));
        }
    }
    robots.push_str(&format!("Sitemap: {base_url}/sitemap.xml\n"));
    out.push(("robots.txt".into(), robots.into_bytes()));
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.dedup_by(|a, b| a.0 == b.0);
    Ok(out)
}

pub use storefront_core::locale::long_date;

/// A brand asset's published name: its kind, the first 8 hex digits of
/// its bytes' hash and its type. A changed logo or colour is a new name,
/// so a page never shows a cached old one, and the files can be cached for
/// good (see `aws::deploy::headers_for`).
fn asset_name(kind: &str, file: &str, bytes: &[u8]) -> String {
    let ext = std::path::Path::new(file)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let hash = blake3::hash(bytes).to_hex();
    format!("assets/{kind}.{}.{ext}", &hash[..8])
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn extension_view(shop: &Shop<'_>, ext: &str, l: Locale) -> Option<Value> {
    let row = shop.row(ext, l)?;
    let rules = shop.rules(ext)?;
    let default = shop.lang_default();
    // Regular prices per period; the one-year promotion is shown apart.
    let regular = |a: Action, y: u8| {
        shop.priced(ext, a, y)
            .map(|p| shop.show(p.regular.unwrap_or(p.shown), l))
            .unwrap_or_default()
    };
    let periods: Vec<Value> = rules
        .years
        .iter()
        .map(|y| json!({"years": y, "register": regular(Action::Register, y), "renew": regular(Action::Renew, y)}))
        .collect();
    let documents: Vec<Value> = rules
        .documents
        .iter()
        .filter_map(|id| {
            let d = shop.content.platform.catalogue.documents.get(id)?;
            Some(json!({
                "id": id,
                "label": d.label.get(l),
                "help": d.help.as_ref().map(|h| h.get(l)).unwrap_or_default(),
                "kind": match d.kind { DocumentKind::File => "file", DocumentKind::Text => "text", DocumentKind::Choice => "choice" },
                "accept": d.accept.iter().map(|a| a.to_uppercase()).collect::<Vec<_>>().join(", "),
                "max_size": d.max_size_kb.map(size_label).unwrap_or_default(),
                "options": d.options.iter().map(|o| o.get(l)).collect::<Vec<_>>(),
                "max_length": d.max_length,
            }))
        })
        .collect();
    let mut v = serde_json::to_value(row).ok()?;
    let extra = json!({
        "description": rules.description.as_ref().map(|d| d.get(l)).unwrap_or_default(),
        "registry": rules.registry,
        "eligibility": rules.eligibility.as_ref().map(|d| d.get(l)).unwrap_or_default(),
        "label_min": rules.label_min,
        "label_max": rules.label_max,
        "years_min": rules.years.min,
        "years_max": rules.years.max,
        "grace": {"add": rules.grace.add, "renew": rules.grace.renew, "transfer": rules.grace.transfer, "redemption": rules.grace.redemption},
        "periods": periods,
        "documents": documents,
        // What the documents' days are here, and what happens without them.
        "document_terms": shop.snapshot.document_terms(ext, Action::Register),
    });
    let _ = default;
    if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
        obj.extend(more);
    }
    Some(v)
}

/// `prices.json`: the public price list, for the storefront's scripts and for
/// anyone who wants to compare. Only customer prices: never a level's cost.
fn prices_json(shop: &Shop<'_>, l: Locale) -> Result<Vec<u8>> {
    let r = shop.r;
    let default = shop.lang_default();
    let mut extensions = BTreeMap::new();
    for ext in r.site.extensions() {
        let (Some(_), Some(rules)) = (shop.sheet(&ext), shop.rules(&ext)) else {
            continue;
        };
        let mut e = serde_json::Map::new();
        e.insert(
            "name".into(),
            json!(format!(".{}", storefront_core::names::to_unicode(&ext))),
        );
        e.insert(
            "years".into(),
            json!({"min": rules.years.min, "max": rules.years.max}),
        );
        e.insert("idn".into(), json!(rules.idn));
        e.insert(
            "label".into(),
            json!({"min": rules.label_min, "max": rules.label_max}),
        );
        // Finished amounts per action and period, from the one pricing
        // function: the browser shows these and computes none.
        for action in Action::ALL {
            let m: BTreeMap<String, Value> = action
                .periods(rules.years)
                .into_iter()
                .filter_map(|y| {
                    let p = shop.priced(&ext, action, y)?;
                    let regular = p.regular.unwrap_or(p.shown);
                    Some((y.to_string(), price_entry(shop, regular, l)))
                })
                .collect();
            if !m.is_empty() {
                e.insert(action.as_str().into(), json!(m));
            }
        }
        let promo = Action::ALL.iter().find_map(|&action| {
            let p = shop.priced(&ext, action, 1)?;
            let promo = p.promotion.as_ref()?;
            let mut v = price_entry(shop, p.shown, l);
            if let Some(o) = v.as_object_mut() {
                o.insert("action".into(), json!(action));
                o.insert("until".into(), json!(promo.until.to_string()));
                o.insert("from".into(), json!(promo.from.to_string()));
                o.insert("label".into(), json!(promo.label.get(l)));
            }
            Some(v)
        });
        e.insert("promo".into(), json!(promo));
        extensions.insert(ext.clone(), Value::Object(e));
    }
    let v = json!({
        "currency": r.site.currency.code(),
        "lang": l.code(),
        "tax": {"label": r.site.tax.label, "percent": r.site.tax.percent.normalize().to_string(), "inclusive": r.site.tax.display == TaxDisplay::Inclusive},
        "groups": r.site.groups.iter().map(|g| json!({"id": g.id, "name": g.name.get(l, default), "extensions": g.extensions})).collect::<Vec<_>>(),
        "extensions": extensions,
    });
    let mut s = serde_json::to_vec_pretty(&v)?;
    s.push(b'\n');
    Ok(s)
}

/// An amount as shown, with the net and gross in it (the line taxed alone).
fn price_entry(shop: &Shop<'_>, shown: Decimal, l: Locale) -> Value {
    let b = price::taxed(shop.snapshot, shown);
    json!({
        "amount": shown.to_string(),
        "net": b.map(|b| b.net.amount().to_string()),
        "gross": b.map(|b| b.gross.amount().to_string()),
        "display": shop.show(shown, l),
    })
}
