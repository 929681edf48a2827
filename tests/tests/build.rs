//! Building the valid fixture: what the pages say, that output is
//! deterministic, and that rebuilds touch only what changed.

use std::fs;
use std::path::Path;
use storefront_e2e::{options, project, snapshot_tree};
use storefront_generator::{BuildOptions, BuildReport, Paths, build};

fn run(opts: &BuildOptions) -> BuildReport {
    match build(opts) {
        Ok(r) => r,
        Err(e) => panic!("build failed:\n{e}"),
    }
}

fn read(dir: &Path, rel: &str) -> String {
    fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const NBSP: char = '\u{a0}';

#[test]
fn storefronts_show_the_right_prices_in_the_right_language() {
    let p = project(None);
    let out = p.path().join("public");
    let report = run(&options(p.path(), &out));
    assert_eq!(report.rendered, ["agen", "toko"]);
    let toko = out.join("toko");

    // Toko, default language id: co.id 240.000 + 20% = Rp 288.000, shown
    // with PPN 11% in it and charged exactly so.
    let home = read(&toko, "index.html");
    assert!(home.contains("<html lang=\"id\""), "home is in Indonesian");
    assert!(
        home.contains(&format!("Rp{NBSP}288.000")) && !home.contains("319.680"),
        "co.id price incl. PPN on the home page"
    );
    // my.id promotion: Rp 10.000, PPN included.
    assert!(
        home.contains(&format!("Rp{NBSP}10.000")),
        "promotion price shown"
    );
    let co_id = read(&toko, "domains/co.id/index.html");
    // Three years: 720.000 + 20% = Rp 864.000, PPN included.
    assert!(
        co_id.contains(&format!("Rp{NBSP}864.000")),
        "3-year price on the extension page"
    );
    assert!(
        co_id.contains("Kartu Tanda Penduduk (KTP)"),
        "documents required, in Indonesian"
    );
    assert!(co_id.contains("PDF, JPG"), "accepted file types");

    // The English tree mirrors it, with English formatting.
    let en = read(&toko, "en/domains/co.id/index.html");
    assert!(en.contains("<html lang=\"en\""));
    assert!(en.contains(&format!("IDR{NBSP}288,000")));
    assert!(en.contains("Identity card (KTP)"));
    assert!(
        read(&toko, "en/syarat/index.html").contains("<strong>11% PPN</strong>"),
        "the English translation of the terms page"
    );
    assert!(read(&toko, "syarat/index.html").contains("<strong>PPN 11%</strong>"));
    assert!(read(&toko, "news/promo/index.html").contains("Promo .my.id"));

    // The sub-reseller buys at toko's "agen" plan: 240.000 + 5% = 252.000,
    // sells at +10% = 277.200, rounded up to 277.500; shown without tax.
    let agen = read(&out.join("agen"), "domains/co.id/index.html");
    assert!(
        agen.contains(&format!("IDR{NBSP}277,500")),
        "sub-reseller price"
    );

    // Public price list: customer prices only, never what a level pays.
    let prices = read(&toko, "prices.json");
    let json: serde_json::Value = serde_json::from_str(&prices).expect("prices.json parses");
    assert_eq!(
        json["extensions"]["co.id"]["register"]["1"]["amount"],
        "288000"
    );
    assert_eq!(
        json["extensions"]["co.id"]["register"]["1"]["net"],
        "259459"
    );
    assert_eq!(
        json["extensions"]["co.id"]["register"]["1"]["gross"],
        "288000"
    );
    assert_eq!(json["extensions"]["my.id"]["promo"]["amount"], "10000");
    assert_eq!(json["extensions"]["my.id"]["promo"]["net"], "9009");
    assert!(
        !prices.contains("cost") && !prices.contains("240000") && !prices.contains("252000"),
        "no wholesale or sub-reseller price in public files"
    );
    assert!(
        !prices.contains("123 456 7890") && !prices.contains("bank"),
        "bank accounts belong on the checkout page, not in the price list"
    );

    // The seller behind the storefront, in every footer; the tax id named
    // as its country names it, in every language.
    assert!(home.contains("PT Toko Domain</span>, Jl. Contoh No. 1, Jakarta 10110"));
    assert!(home.contains("NPWP 01.234.567.8-901.000"));
    assert!(en.contains("NPWP 01.234.567.8-901.000"));
    assert!(read(&toko, "checkout/index.html").contains("123 456 7890"));
    // The reseller's money pages are the back office's, under panel/: the
    // storefront publishes nothing there, and the account page links to it.
    assert!(!toko.join("panel").exists() && !toko.join("en/panel").exists());
    assert!(read(&toko, "account/index.html").contains("data-panel-link"));

    // Brand, assets, machine files.
    // Brand assets are named by their bytes' hash, and the pages name them.
    let brand_css = only_file(&toko.join("assets"), "brand.", ".css");
    assert!(read(&toko, &brand_css).contains("--brand-primary: #b3121f;"));
    let logo = only_file(&toko.join("assets"), "logo.", ".svg");
    // (Tera writes the slash as an entity, which browsers read as a slash.)
    let attr = |path: &str| path.replace('/', "&#x2F;");
    assert!(
        home.contains(&format!("href=\"{}\"", attr(&brand_css))),
        "the page links the CSS by its new name"
    );
    assert!(home.contains(&format!("src=\"{}\"", attr(&logo))));
    assert!(
        toko.join("banner.png").is_file(),
        "reseller static files are published"
    );
    assert!(toko.join("widget.js").is_file());
    let sitemap = read(&toko, "sitemap.xml");
    assert!(sitemap.contains("<loc>https://toko.example/domains/co.id/</loc>"));
    assert!(sitemap.contains("<loc>https://toko.example/en/</loc>"));
    assert!(!sitemap.contains("checkout"));
    assert!(read(&toko, "robots.txt").contains("Sitemap: https://toko.example/sitemap.xml"));
    assert!(read(&toko, "404.html").contains("<base href=\"/\">"));
    // The snippet is shown as text to copy, so it is escaped.
    assert!(read(&toko, "widget/index.html").contains(
        "&lt;script src=&quot;https:&#x2F;&#x2F;toko.example&#x2F;widget.js&quot; async&gt;"
    ));
}

#[test]
fn identical_input_gives_byte_identical_output() {
    let p = project(None);
    let (a, b) = (p.path().join("a"), p.path().join("b"));
    run(&options(p.path(), &a));
    run(&options(p.path(), &b));
    let (ta, tb) = (snapshot_tree(&a), snapshot_tree(&b));
    assert!(ta.len() > 40, "a real build ({} files)", ta.len());
    assert_eq!(ta, tb);
}

#[test]
fn rebuilds_touch_only_what_changed() {
    let p = project(None);
    let out = p.path().join("public");
    let opts = options(p.path(), &out);
    run(&opts);

    // Nothing changed: nothing rendered, nothing written.
    let before = snapshot_tree(&out);
    let r = run(&opts);
    assert!(r.rendered.is_empty() && r.files_written == 0, "{r:?}");
    assert_eq!(snapshot_tree(&out), before);

    // A page of toko changes: only toko re-renders, and only that page's files are written.
    let terms = p.path().join("content/resellers/toko/pages/syarat.md");
    fs::write(
        &terms,
        fs::read_to_string(&terms)
            .expect("read")
            .replace("Harga sudah", "Semua harga sudah"),
    )
    .expect("write");
    let r = run(&opts);
    assert_eq!(r.rendered, ["toko"]);
    assert_eq!(r.unchanged, ["agen"]);
    assert_eq!(r.files_written, 1, "only syarat/index.html differs: {r:?}");
    assert!(read(&out.join("toko"), "syarat/index.html").contains("Semua harga"));

    // toko's sub-reseller prices change: agen's prices change, so both re-render.
    let site = p.path().join("content/resellers/toko/site.toml");
    fs::write(
        &site,
        fs::read_to_string(&site)
            .expect("read")
            .replace("markup_percent = \"5\"", "markup_percent = \"6\""),
    )
    .expect("write");
    let r = run(&opts);
    assert_eq!(r.rendered, ["agen", "toko"]);

    // toko's seller details change: agen embeds them as its parent's, so
    // both re-render.
    fs::write(
        &site,
        fs::read_to_string(&site)
            .expect("read")
            .replace("Jl. Contoh No. 1", "Jl. Contoh No. 9"),
    )
    .expect("write");
    let r = run(&opts);
    assert_eq!(r.rendered, ["agen", "toko"]);

    // The platform's IDR account changes: toko tops up there; agen tops up
    // with toko, so it is left alone.
    let platform = p.path().join("content/platform/platform.toml");
    fs::write(
        &platform,
        fs::read_to_string(&platform)
            .expect("read")
            .replace("000 111 2222", "000 111 3333"),
    )
    .expect("write");
    let r = run(&opts);
    assert_eq!(r.rendered, ["toko"]);
    assert_eq!(r.unchanged, ["agen"]);

    // A theme change rebuilds every storefront that uses it.
    let theme_static = p.path().join("themes/default/static");
    fs::create_dir_all(&theme_static).expect("mkdir");
    fs::write(theme_static.join("extra.txt"), "hello").expect("write");
    let r = run(&opts);
    assert_eq!(r.rendered, ["agen", "toko"]);
    assert_eq!(read(&out.join("toko"), "assets/extra.txt"), "hello");

    // A removed page's files are removed; a removed reseller's storefront too.
    fs::remove_file(p.path().join("content/resellers/toko/pages/news/promo.md")).expect("rm");
    let r = run(&opts);
    assert_eq!(r.rendered, ["toko"]);
    assert!(!out.join("toko/news/promo/index.html").exists());
    assert!(r.files_deleted >= 1);

    // --only builds one reseller.
    let mut only = opts.clone();
    only.only = Some("agen".into());
    fs::write(theme_static.join("extra.txt"), "changed").expect("write");
    let r = run(&only);
    assert_eq!(r.rendered, ["agen"]);
    assert_eq!(
        read(&out.join("toko"), "assets/extra.txt"),
        "hello",
        "toko was not rebuilt"
    );

    fs::remove_dir_all(p.path().join("content/resellers/agen")).expect("rm agen");
    let r = run(&opts);
    assert_eq!(r.removed, ["agen"]);
    assert!(!out.join("agen").exists());
}

#[test]
fn key_pages_match_their_snapshots() {
    let p = project(None);
    let out = p.path().join("public");
    run(&options(p.path(), &out));
    for page in [
        "index.html",
        "domains/co.id/index.html",
        "prices/index.html",
        "en/syarat/index.html",
        "prices.json",
    ] {
        let name = page.replace('/', "__");
        insta::assert_snapshot!(name, read(&out.join("toko"), page));
    }
    insta::assert_snapshot!("agen_index.html", read(&out.join("agen"), "index.html"));
    let css = only_file(&out.join("toko/assets"), "brand.", ".css");
    insta::assert_snapshot!("assets__brand.css", read(&out.join("toko"), &css));
}

#[test]
fn snapshots_carry_the_seller_its_accounts_and_whom_it_buys_from() {
    let p = project(None);
    let checkout = match storefront_generator::check(&Paths::under(p.path()), storefront_e2e::now())
    {
        Ok(c) => c,
        Err(d) => panic!("check failed:\n{d}"),
    };
    let snap = |id: &str| {
        storefront_generator::snapshot::of(&checkout, id).unwrap_or_else(|| panic!("{id}"))
    };
    let (toko, agen) = (snap("toko"), snap("agen"));

    assert_eq!(toko.seller.legal_name, "PT Toko Domain");
    assert_eq!(toko.seller.address, ["Jl. Contoh No. 1", "Jakarta 10110"]);
    assert_eq!(toko.seller.tax_id.as_deref(), Some("01.234.567.8-901.000"));
    assert_eq!(toko.seller.invoice_prefix, "INV", "the default prefix");
    assert_eq!(toko.bank_accounts[0].id, "bca");
    assert_eq!(toko.bank_accounts[0].number, "123 456 7890");
    assert_eq!(toko.orders.renewal_notice_days, 30);
    assert_eq!(toko.orders.payment_due_days, 7);

    // A top-level reseller buys from the platform and tops up in its currency.
    assert_eq!(toko.parent.id, None);
    assert_eq!(toko.parent.seller.legal_name, "PT Platform Domain");
    assert_eq!(toko.parent.bank_accounts.len(), 1);
    assert_eq!(toko.parent.bank_accounts[0].id, "bca-idr");

    // A sub-reseller buys from its parent and tops up with it.
    assert_eq!(agen.parent.id.as_deref(), Some("toko"));
    assert_eq!(agen.parent.seller, toko.seller);
    assert_eq!(agen.parent.bank_accounts, toko.bank_accounts);
    assert_eq!(agen.seller.tax_id, None);
    assert_eq!(agen.bank_accounts.len(), 1, "where agen's customers pay");

    // A snapshot survives the store's JSON round trip.
    let json = serde_json::to_string(&agen).expect("serialise");
    let back: storefront_core::snapshot::Snapshot = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, agen);
}

/// A page built just before and just after toko's midnight (Jakarta,
/// UTC+7) on the last day of its .my.id offer shows the offer, then the
/// regular price: the pages turn over at the storefront's midnight, as its
/// checkout does, not at UTC's.
#[test]
fn pages_turn_over_at_the_storefronts_own_midnight() {
    let p = project(None);
    let at = |s: &str, out: &str| {
        let opts = BuildOptions {
            now: s.parse().expect("instant"),
            ..options(p.path(), &p.path().join(out))
        };
        run(&opts);
        read(&p.path().join(out).join("toko"), "index.html")
    };
    let before = at("2026-12-31T16:59:00Z", "before");
    assert!(
        before.contains(&format!("Rp{NBSP}10.000")),
        "the offer on its last evening"
    );
    let after = at("2026-12-31T17:00:00Z", "after");
    assert!(
        !after.contains(&format!("Rp{NBSP}10.000")) && after.contains(&format!("Rp{NBSP}11.000")),
        "the regular price from midnight in Jakarta"
    );
}

/// The one file in `dir` named `<prefix><8 hex digits><suffix>`, as
/// `assets/<name>`.
fn only_file(dir: &std::path::Path, prefix: &str, suffix: &str) -> String {
    let found: Vec<String> = std::fs::read_dir(dir)
        .expect("assets")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.strip_prefix(prefix)
                .and_then(|r| r.strip_suffix(suffix))
                .is_some_and(|h| h.len() == 8 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?} in {}", dir.display());
    format!("assets/{}", found[0])
}
