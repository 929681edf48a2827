//! Untrusted reseller content: every string of the Big List of Naughty
//! Strings and a set of XSS payloads goes into every text field of a site and
//! into its pages. `check` must answer (refuse or accept, never panic), and
//! whatever is built must contain nothing executable.

use scraper::{Html, Selector};
use std::fs;
use std::path::Path;
use storefront_e2e::{options, project, repo_root};
use storefront_generator::build;

const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "{{ 7*7 }}{% raw %}",
    "</title><script>alert(1)</script>",
    "<style>body{display:none}</style>",
    "<base href=\"https://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<object data=\"x.swf\"></object><embed src=\"x\">",
    "<form action=\"https://evil.example\"><input name=p></form>",
];

fn corpus() -> Vec<String> {
    let blns: Vec<String> = serde_json::from_str(
        &fs::read_to_string(repo_root().join("core/tests/data/blns.json")).expect("blns.json"),
    )
    .expect("parse blns");
    blns.into_iter()
        .chain(XSS.iter().map(|s| s.to_string()))
        .filter(|s| !s.trim().is_empty())
        .collect()
}

/// Everything in `html` that could run code or send the visitor elsewhere.
fn executable(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let mut found = Vec::new();
    let all = Selector::parse("*").expect("selector");
    for el in doc.select(&all) {
        let name = el.value().name();
        match name {
            "script" => {
                let src = el.value().attr("src").unwrap_or("");
                if !src.ends_with("assets/app.js") || el.text().any(|t| !t.trim().is_empty()) {
                    found.push(format!("<script src={src:?}>"));
                }
            }
            "iframe" | "object" | "embed" | "style" | "frame" | "frameset" | "applet" => {
                found.push(format!("<{name}>"))
            }
            "base" if el.value().attr("href") != Some("/") => {
                found.push("<base> pointing elsewhere".into())
            }
            "meta" if el.value().attr("http-equiv").is_some() => {
                found.push("<meta http-equiv>".into())
            }
            "form" if el.value().attr("action").is_some_and(|a| a.contains("//")) => {
                found.push("<form> posting elsewhere".into())
            }
            _ => {}
        }
        for (attr, value) in el.value().attrs() {
            let v = value.trim().to_ascii_lowercase();
            if attr.starts_with("on") || attr == "style" || attr == "srcdoc" {
                found.push(format!("<{name} {attr}=...>"));
            }
            if (attr == "href" || attr == "src" || attr == "action" || attr == "formaction")
                && (v.starts_with("javascript:")
                    || v.starts_with("data:text")
                    || v.starts_with("vbscript:"))
            {
                found.push(format!("<{name} {attr}={value:?}>"));
            }
        }
    }
    found
}

fn set(table: &mut toml::Table, path: &[&str], value: &str) {
    let mut t = table;
    for key in &path[..path.len() - 1] {
        t = t
            .get_mut(*key)
            .and_then(|v| v.as_table_mut())
            .expect("table exists");
    }
    t.insert(
        path[path.len() - 1].to_string(),
        toml::Value::String(value.to_string()),
    );
}

#[test]
fn hostile_strings_in_every_field_never_execute() {
    let p = project(None);
    fs::remove_dir_all(p.path().join("content/resellers/agen")).expect("one reseller is enough");
    let site_file = p.path().join("content/resellers/toko/site.toml");
    let original: toml::Table =
        toml::from_str(&fs::read_to_string(&site_file).expect("read")).expect("parse");
    let page = p.path().join("content/resellers/toko/pages/syarat.md");
    let news = p.path().join("content/resellers/toko/pages/news/promo.md");
    let out = p.path().join("public");
    let opts = options(p.path(), &out);
    let (mut built, mut refused) = (0, 0);

    for s in corpus() {
        let mut site = original.clone();
        set(&mut site, &["name"], &s);
        set(&mut site, &["tagline"], &s);
        set(&mut site, &["contact", "address"], &s);
        let groups = site
            .get_mut("groups")
            .and_then(|g| g.as_array_mut())
            .expect("groups");
        groups[0]
            .as_table_mut()
            .expect("group")
            .insert("name".into(), toml::Value::String(s.clone()));
        let banks = site
            .get_mut("bank_accounts")
            .and_then(|g| g.as_array_mut())
            .expect("banks");
        banks[0]
            .as_table_mut()
            .expect("bank")
            .insert("holder".into(), toml::Value::String(s.clone()));
        // The seller's details are printed in every page's footer.
        set(&mut site, &["seller", "legal_name"], &s);
        site.get_mut("seller")
            .and_then(|v| v.as_table_mut())
            .expect("seller")
            .insert(
                "address".into(),
                toml::Value::Array(vec![toml::Value::String(s.clone())]),
            );
        fs::write(&site_file, toml::to_string(&site).expect("serialise")).expect("write site");
        let title = toml::Value::String(s.clone()).to_string();
        fs::write(
            &page,
            format!("+++\ntitle = {title}\n+++\n\n{s}\n\n[link]({s}) <b>{s}</b>\n"),
        )
        .expect("write page");
        fs::write(
            &news,
            format!("+++\ntitle = {title}\ndate = 2026-11-01\n+++\n\n{s}\n"),
        )
        .expect("write news");

        match build(&opts) {
            Ok(_) => built += 1,
            Err(storefront_generator::BuildError::Content(d)) => {
                refused += 1;
                assert!(
                    !d.is_empty() && d.0.iter().all(|x| !x.message.is_empty()),
                    "a refusal explains itself"
                );
                continue;
            }
            Err(e) => panic!("build of {s:?} failed without a content error: {e:#}"),
        }
        for entry in walkdir::WalkDir::new(out.join("toko"))
            .into_iter()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "html") {
                let html = fs::read_to_string(path).expect("read page");
                let bad = executable(&html);
                assert!(
                    bad.is_empty(),
                    "{s:?} produced {bad:?} in {}",
                    path.display()
                );
            }
        }
    }
    // The corpus must mostly build: refusing everything would prove nothing.
    assert!(built > 400, "built {built}, refused {refused}");
}

#[test]
fn hostile_colours_are_refused() {
    let p = project(None);
    let site_file = p.path().join("content/resellers/toko/site.toml");
    let src = fs::read_to_string(&site_file).expect("read");
    for s in corpus().iter().take(200).chain(
        [
            "#fff;}body{background:url(https://evil.example)}",
            "#b3121f\" onload=\"x",
            "expression(alert(1))",
        ]
        .map(String::from)
        .iter(),
    ) {
        let value = toml::Value::String(s.clone()).to_string();
        fs::write(
            &site_file,
            src.replace("primary = \"#b3121f\"", &format!("primary = {value}")),
        )
        .expect("write");
        let result = storefront_e2e::check_output(p.path());
        let is_hex =
            s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit());
        if !is_hex {
            let report = result.expect_err("a colour that is not a hex colour is refused");
            assert!(
                report.contains("site.toml:16: colour primary"),
                "{s:?}: {report}"
            );
        }
    }
}

#[test]
fn the_checker_itself_finds_scripts() {
    // Guard against a checker that can never fail.
    assert!(!executable("<p><script>alert(1)</script></p>").is_empty());
    assert!(!executable("<img src=x onerror=alert(1)>").is_empty());
    assert!(!executable("<a href=\" JavaScript:alert(1)\">x</a>").is_empty());
    assert!(executable("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><script src=\"../assets/app.js\" defer></script>").is_empty());
    let _ = Path::new(".");
}
