//! A reseller's brand: colours turned into CSS, and the images it uploads.
//!
//! Colours, logos and static files come from resellers and are untrusted. A
//! colour must be a hex colour and nothing else, so no CSS can be smuggled in.
//! An SVG is a document that can carry script: it is parsed and refused unless
//! every element and attribute is on an allowlist of plain drawing.

use crate::content::Colours;
use std::path::Path;

pub type Rgb = (u8, u8, u8);

/// `#rgb` or `#rrggbb`, nothing else.
pub fn parse_hex(s: &str) -> Option<Rgb> {
    let hex = s.strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let v = |i: usize, n: usize| u8::from_str_radix(&hex[i..i + n], 16).ok();
    match hex.len() {
        3 => Some((v(0, 1)? * 17, v(1, 1)? * 17, v(2, 1)? * 17)),
        6 => Some((v(0, 2)?, v(2, 2)?, v(4, 2)?)),
        _ => None,
    }
}

fn luminance((r, g, b): Rgb) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG 2 contrast ratio, 1.0 to 21.0.
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// White or near-black text, whichever reads better on `bg`.
fn on(bg: Rgb) -> &'static str {
    if contrast(bg, (255, 255, 255)) >= contrast(bg, (17, 17, 17)) {
        "#ffffff"
    } else {
        "#111111"
    }
}

pub fn hex((r, g, b): Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// `assets/brand.css`. Built only from parsed colours, so its text is ours.
pub fn css(c: &Colours) -> String {
    let get = |s: &str, fallback: Rgb| parse_hex(s).unwrap_or(fallback);
    let primary = get(&c.primary, (11, 95, 255));
    let accent = get(&c.accent, (255, 138, 0));
    let bg = get(&c.background, (255, 255, 255));
    let text = get(&c.text, (27, 31, 36));
    format!(
        ":root {{\n  --brand-primary: {};\n  --brand-on-primary: {};\n  --brand-accent: {};\n  --brand-on-accent: {};\n  --brand-background: {};\n  --brand-text: {};\n}}\n",
        hex(primary),
        on(primary),
        hex(accent),
        on(accent),
        hex(bg),
        hex(text)
    )
}

pub const MAX_IMAGE: u64 = 512 * 1024;

/// A logo or favicon: a file in the reseller's folder, of a known image type,
/// whose bytes are what the name says, and (SVG) safe to serve.
/// A logo or favicon named in `site.toml`: a file of the reseller's folder
/// (`files`, by relative path), of an allowed type whose bytes are that
/// type, within the size limit.
pub fn check_image(
    files: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
    name: &str,
    favicon: bool,
) -> Result<(), String> {
    if name.contains("..") || name.starts_with('/') || name.contains('\\') {
        return Err(format!(
            "{name:?} must be a file name in the reseller's folder"
        ));
    }
    let bytes = files
        .get(Path::new(name))
        .ok_or_else(|| format!("file {name:?} does not exist in the reseller's folder"))?;
    check_image_bytes(name, bytes, favicon)
}

/// The checks of `check_image` on bytes given (an upload in the panel).
pub fn check_image_bytes(name: &str, bytes: &[u8], favicon: bool) -> Result<(), String> {
    if bytes.len() as u64 > MAX_IMAGE {
        return Err(format!(
            "{name} is {} KiB; images must be at most {} KiB",
            bytes.len() / 1024,
            MAX_IMAGE / 1024
        ));
    }
    let ext = extension(name);
    let allowed: &[&str] = if favicon {
        &["svg", "png", "ico"]
    } else {
        &["svg", "png", "jpg", "jpeg", "webp"]
    };
    if !allowed.contains(&ext.as_str()) {
        return Err(format!("{name}: use one of {}", allowed.join(", ")));
    }
    check_bytes(name, &ext, bytes)
}

fn extension(name: &str) -> String {
    Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Width and height from a PNG's header chunk: a file that has the
/// signature but no real header (or an absurd size) is not a PNG.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") || bytes.len() < 33 || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let (w, h) = (be(16), be(20));
    (w > 0 && h > 0 && w <= 16_384 && h <= 16_384).then_some((w, h))
}

fn check_bytes(name: &str, ext: &str, bytes: &[u8]) -> Result<(), String> {
    let ok = match ext {
        "png" => png_size(bytes).is_some(),
        "jpg" | "jpeg" => bytes.starts_with(&[0xff, 0xd8, 0xff]),
        "webp" => bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        "gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "ico" => bytes.starts_with(&[0, 0, 1, 0]),
        "woff2" => bytes.starts_with(b"wOF2"),
        "pdf" => bytes.starts_with(b"%PDF-"),
        "svg" => return check_svg(bytes).map_err(|e| format!("{name}: {e}")),
        "txt" => std::str::from_utf8(bytes).is_ok(),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{name} is not a valid .{ext} file"))
    }
}

/// Files a reseller may publish under its own `static/`. No HTML, script or
/// CSS: they would run with the storefront's authority on its domain.
pub fn check_static(file: &Path, bytes: &[u8]) -> Result<(), String> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = extension(&name);
    const ALLOWED: &[&str] = &[
        "png", "jpg", "jpeg", "webp", "gif", "ico", "svg", "woff2", "pdf", "txt",
    ];
    if !ALLOWED.contains(&ext.as_str()) {
        return Err(format!(
            "{name}: files of type .{ext} cannot be published (allowed: {}); HTML, scripts and styles are the theme's job",
            ALLOWED.join(", ")
        ));
    }
    if bytes.len() > 5 * 1024 * 1024 {
        return Err(format!("{name} is larger than 5 MiB"));
    }
    check_bytes(&name, &ext, bytes)
}

const SVG_ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "defs",
    "lineargradient",
    "radialgradient",
    "stop",
    "clippath",
    "mask",
    "title",
    "desc",
    "symbol",
    "use",
    "pattern",
    "filter",
    "fegaussianblur",
    "feoffset",
    "feblend",
    "fecolormatrix",
    "feflood",
    "fecomposite",
    "femerge",
    "femergenode",
    "metadata",
];

/// Refuse any SVG that is more than drawing: scripts, event handlers,
/// foreign content, links and references outside the document.
pub fn check_svg(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the SVG is not UTF-8".to_string())?;
    if text.contains("<!ENTITY") || text.contains("<!DOCTYPE") {
        return Err("the SVG declares a DOCTYPE or entities; remove them".into());
    }
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| format!("the SVG is not well-formed XML: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return Err("the file's root element is not <svg>".into());
    }
    for node in doc.descendants() {
        if node.is_pi() {
            return Err("the SVG contains a processing instruction; remove it".into());
        }
        if !node.is_element() {
            continue;
        }
        let tag = node.tag_name().name().to_ascii_lowercase();
        let line = doc.text_pos_at(node.range().start).row;
        // Metadata (from drawing programs) may hold any RDF; it is never rendered.
        if node
            .ancestors()
            .any(|a| a.tag_name().name().eq_ignore_ascii_case("metadata"))
            && tag != "metadata"
        {
            continue;
        }
        if !SVG_ELEMENTS.contains(&tag.as_str()) {
            return Err(format!(
                "line {line}: <{tag}> is not allowed in a logo (only shapes, text, gradients and filters)"
            ));
        }
        for attr in node.attributes() {
            let name = attr.name().to_ascii_lowercase();
            let value = attr.value().trim().to_ascii_lowercase();
            if name.starts_with("on") {
                return Err(format!(
                    "line {line}: the event handler {name}= is not allowed in a logo"
                ));
            }
            if (name == "href" || name.ends_with(":href")) && !value.starts_with('#') {
                return Err(format!(
                    "line {line}: links to other documents ({name}=\"{}\") are not allowed in a logo",
                    attr.value()
                ));
            }
            if value.contains("javascript:")
                || value.contains("url(") && !value.contains("url(#")
                || value.contains("expression(")
            {
                return Err(format!(
                    "line {line}: attribute {name} refers to something outside the logo"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_colours_only() {
        assert_eq!(parse_hex("#0b5fff"), Some((11, 95, 255)));
        assert_eq!(parse_hex("#fff"), Some((255, 255, 255)));
        for bad in [
            "red",
            "#12345",
            "#gggggg",
            "0b5fff",
            "#fff;}body{x:y",
            "#fff\n",
            "",
            "#",
        ] {
            assert_eq!(parse_hex(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_png_is_judged_by_its_header_not_its_signature() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&64u32.to_be_bytes());
        png.extend_from_slice(&32u32.to_be_bytes());
        png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(png_size(&png), Some((64, 32)));
        assert_eq!(
            png_size(b"\x89PNG\r\n\x1a\nnot really a png at all, just text"),
            None
        );
        let mut huge = png.clone();
        huge[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        assert_eq!(png_size(&huge), None);
    }

    #[test]
    fn contrast_matches_wcag() {
        assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 0.01);
        assert!((contrast((119, 119, 119), (255, 255, 255)) - 4.48).abs() < 0.01);
    }

    #[test]
    fn svg_with_script_or_handlers_is_refused() {
        let ok = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="a"><stop offset="0"/></linearGradient></defs><rect width="10" height="10" fill="url(#a)"/></svg>"##;
        assert_eq!(check_svg(ok), Ok(()));
        for bad in [
            &br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#[..],
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><a x:href="javascript:alert(1)"><rect/></a></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body xmlns="http://www.w3.org/1999/xhtml"><script>1</script></body></foreignObject></svg>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><use href="https://evil.example/x.svg#a"/></svg>"#,
            br#"<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>"#,
            br#"<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/)"/></svg>"#,
            b"<html/>",
        ] {
            assert!(check_svg(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
