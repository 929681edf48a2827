//! The brand editor: the storefront's name and tagline, its four colours,
//! its logo and favicon. Colours are accepted only as hex colours, so no
//! CSS can ride in on one; an uploaded image is judged by its bytes (and an
//! SVG by the allowlist `storefront check` applies), named by us from what
//! it is, never by the uploaded file's name.

use crate::edit::FieldError;
use std::collections::BTreeMap;
use storefront_core::Locale;
use storefront_generator::brand;
use storefront_generator::content::{Site, Text};
use storefront_revisions::Files;

pub const COLOURS: [&str; 4] = ["primary", "accent", "background", "text"];

/// The brand form as typed.
#[derive(Debug, Clone, Default)]
pub struct BrandForm {
    pub name: String,
    pub tagline: BTreeMap<Locale, String>,
    pub colours: BTreeMap<String, String>,
    pub logo: Option<Vec<u8>>,
    pub favicon: Option<Vec<u8>>,
    pub loaded: Option<String>,
}

impl BrandForm {
    pub fn of(site: &Site, loaded: Option<String>) -> BrandForm {
        let tagline = site
            .languages
            .iter()
            .map(|l| {
                let t = match &site.tagline {
                    Text::Plain(s) => s.clone(),
                    Text::PerLanguage(m) => m.get(l).cloned().unwrap_or_default(),
                };
                (*l, t)
            })
            .collect();
        let c = &site.colours;
        BrandForm {
            name: site.name.clone(),
            tagline,
            colours: [
                ("primary", &c.primary),
                ("accent", &c.accent),
                ("background", &c.background),
                ("text", &c.text),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
            logo: None,
            favicon: None,
            loaded,
        }
    }

    /// A field of the posted form (text fields; files come as bytes).
    pub fn field(&mut self, name: &str, value: String) {
        let value = value.trim().to_string();
        match name {
            "name" => self.name = value,
            "loaded" if !value.is_empty() => self.loaded = Some(value),
            n => {
                if let Some(c) = n.strip_prefix("colour_")
                    && COLOURS.contains(&c)
                {
                    self.colours.insert(c.to_string(), value);
                } else if let Some(l) = n.strip_prefix("tagline_")
                    && let Ok(l) = l.parse::<Locale>()
                {
                    self.tagline.insert(l, value);
                }
            }
        }
    }

    /// Advice that does not stop a save: a primary colour that links and
    /// buttons would barely show on the background (WCAG asks 3:1 for
    /// such parts; the text colour's 4.5:1 is a rule `check` enforces).
    pub fn warnings(&self) -> Vec<(String, String)> {
        let get = |k: &str| self.colours.get(k).and_then(|v| brand::parse_hex(v));
        match (get("primary"), get("background")) {
            (Some(p), Some(b)) if brand::contrast(p, b) < 3.0 => vec![(
                "colour_primary".into(),
                format!("{:.1}", brand::contrast(p, b)),
            )],
            _ => vec![],
        }
    }

    /// Write the brand into the files. Nothing is written unless every
    /// field is good.
    pub fn apply(&self, files: &mut Files, src: &str, site: &Site) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || !crate::typed::one_line(name, 80) {
            errors.push(FieldError::new("name", "error_shop_name", name));
        }
        for (l, t) in &self.tagline {
            if !crate::typed::one_line(t, 200) {
                errors.push(FieldError::new(
                    format!("tagline_{}", l.code()),
                    "error_tagline",
                    "",
                ));
            }
        }
        for c in COLOURS {
            let v = self.colours.get(c).map_or("", String::as_str);
            if brand::parse_hex(v).is_none() {
                errors.push(FieldError::new(format!("colour_{c}"), "error_colour", v));
            }
        }
        let mut images = Vec::new();
        for (field, bytes, favicon) in [
            ("logo", &self.logo, false),
            ("favicon", &self.favicon, true),
        ] {
            let Some(bytes) = bytes else { continue };
            let Some(ext) = image_kind(bytes) else {
                errors.push(FieldError::new(field, "error_image_kind", ""));
                continue;
            };
            let file = format!("{field}.{ext}");
            match brand::check_image_bytes(&file, bytes, favicon) {
                Ok(()) => images.push((field, file, bytes.clone())),
                Err(why) => errors.push(FieldError::new(field, "error_image", why)),
            }
        }
        let mut doc: toml_edit::DocumentMut = src
            .parse()
            .map_err(|_| vec![FieldError::new("site.toml", "error_site_unreadable", "")])?;
        if !errors.is_empty() {
            return Err(errors);
        }
        crate::toml_doc::set(doc.as_table_mut(), "name", name.to_string());
        let taglines: Vec<(&Locale, &String)> = self
            .tagline
            .iter()
            .filter(|(_, t)| !t.trim().is_empty())
            .collect();
        if taglines.is_empty() {
            doc.remove("tagline");
        } else {
            let mut t = toml_edit::InlineTable::new();
            for (l, s) in taglines {
                t.insert(l.code(), s.trim().into());
            }
            doc["tagline"] = toml_edit::value(t);
        }
        if let Some(colours) = doc["colours"].as_table_mut() {
            for c in COLOURS {
                crate::toml_doc::set(colours, c, self.colours[c].to_lowercase());
            }
        }
        for (field, file, bytes) in images {
            let old = match field {
                "logo" => site.logo.clone(),
                _ => site.favicon.clone(),
            };
            let other = match field {
                "logo" => site.favicon.clone(),
                _ => site.logo.clone(),
            };
            if let Some(old) = old
                && old != file
                && other.as_ref() != Some(&old)
            {
                files.remove(&old);
            }
            crate::toml_doc::set(doc.as_table_mut(), field, file.clone());
            files.insert(file, bytes);
        }
        files.insert("site.toml".into(), doc.to_string().into_bytes());
        Ok(())
    }
}

/// What an image is, by its bytes: the file extension we name it with.
fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("jpg")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else if bytes.starts_with(&[0, 0, 1, 0]) {
        Some("ico")
    } else {
        let text = std::str::from_utf8(bytes).ok()?;
        let t = text.trim_start_matches('\u{feff}').trim_start();
        (t.starts_with("<svg") || t.starts_with("<?xml")).then_some("svg")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::toko_site as site;

    #[test]
    fn colours_and_a_logo_are_written_and_the_old_logo_goes() {
        let (src, site) = site();
        let mut form = BrandForm::of(&site, None);
        form.field("colour_primary", "#0B5FFF".into());
        form.field("name", "Toko Baru".into());
        form.logo = Some(b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\"/></svg>".to_vec());
        let mut files = Files::from([(site.logo.clone().unwrap(), b"old".to_vec())]);
        form.apply(&mut files, &src, &site).unwrap();
        let out = String::from_utf8(files["site.toml"].clone()).unwrap();
        assert!(out.contains("primary = \"#0b5fff\""), "{out}");
        assert!(out.contains("name = \"Toko Baru\""), "{out}");
        assert!(out.contains("logo = \"logo.svg\""), "{out}");
        assert!(files.contains_key("logo.svg"));
        if site.logo.as_deref() != Some("logo.svg") {
            assert!(!files.contains_key(site.logo.as_deref().unwrap()));
        }
    }

    #[test]
    fn hostile_colours_and_images_are_refused() {
        let (src, site) = site();
        for hostile in [
            "red; background: url(//evil)",
            "#fff}body{display:none",
            "expression(alert(1))",
            "",
        ] {
            let mut form = BrandForm::of(&site, None);
            form.field("colour_accent", hostile.into());
            let errors = form.apply(&mut Files::new(), &src, &site).unwrap_err();
            assert_eq!(
                (errors[0].field.as_str(), errors[0].key),
                ("colour_accent", "error_colour"),
                "{hostile}"
            );
        }
        let scripted =
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
        let handler = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
        let html = b"<html><script>alert(1)</script></html>".to_vec();
        let polyglot = b"GIF89a<svg onload=alert(1)>".to_vec();
        for (bytes, key) in [
            (scripted, "error_image"),
            (handler, "error_image"),
            (html, "error_image_kind"),
            (polyglot, "error_image_kind"),
            (vec![0u8; 10], "error_image_kind"),
        ] {
            let mut form = BrandForm::of(&site, None);
            form.logo = Some(bytes);
            let mut files = Files::new();
            let errors = form.apply(&mut files, &src, &site).unwrap_err();
            assert_eq!((errors[0].field.as_str(), errors[0].key), ("logo", key));
            assert!(files.is_empty(), "nothing written");
        }
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(600 * 1024, 0);
        let mut form = BrandForm::of(&site, None);
        form.logo = Some(big);
        let errors = form.apply(&mut Files::new(), &src, &site).unwrap_err();
        assert_eq!(
            errors[0].value,
            "logo.png is 600 KiB; images must be at most 512 KiB"
        );
    }

    #[test]
    fn a_primary_colour_that_barely_shows_is_warned_about() {
        let (_, site) = site();
        let mut form = BrandForm::of(&site, None);
        form.field("colour_primary", "#eeeeee".into());
        form.field("colour_background", "#ffffff".into());
        assert_eq!(
            form.warnings(),
            vec![("colour_primary".to_string(), "1.2".to_string())]
        );
    }
}
