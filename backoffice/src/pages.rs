//! The pages editor: the storefront's Markdown pages (terms, privacy...)
//! and announcements, each a file `pages/[news/]<slug>[.<lang>].md` with
//! its front matter. A page is written back in the same format the build
//! reads (`storefront_generator::content::split_page`), and previewed with
//! the same sanitiser the storefront uses, so script in Markdown never
//! reaches a page, in the preview or on the storefront.

use crate::edit::FieldError;
use crate::typed::one_line;
use chrono::NaiveDate;
use storefront_core::Locale;
use storefront_generator::content::{FrontMatter, split_page, valid_id};
use storefront_revisions::Files;

/// The longest page body accepted, in bytes.
pub const MAX_BODY: usize = 100 * 1024;

/// Which file a page is, from the form's `file` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFile {
    pub slug: String,
    /// None: the storefront's first language.
    pub locale: Option<Locale>,
    pub news: bool,
}

impl PageFile {
    /// `pages/terms.md`, `pages/terms.en.md`, `pages/news/promo.md`...;
    /// anything else (another folder, `..`, another suffix) is None.
    pub fn parse(path: &str) -> Option<PageFile> {
        let rest = path.strip_prefix("pages/")?;
        let (news, name) = match rest.strip_prefix("news/") {
            Some(n) => (true, n),
            None => (false, rest),
        };
        let stem = name.strip_suffix(".md")?;
        let (slug, locale) = match stem.rsplit_once('.') {
            Some((s, l)) => (s, Some(l.parse::<Locale>().ok()?)),
            None => (stem, None),
        };
        valid_id(slug).then(|| PageFile {
            slug: slug.to_string(),
            locale,
            news,
        })
    }

    pub fn path(&self) -> String {
        format!(
            "pages/{}{}{}.md",
            if self.news { "news/" } else { "" },
            self.slug,
            self.locale
                .map(|l| format!(".{}", l.code()))
                .unwrap_or_default()
        )
    }
}

/// The page form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageForm {
    pub file: String,
    pub title: String,
    pub description: String,
    pub date: String,
    pub footer: bool,
    pub order: String,
    pub body: String,
    pub loaded: Option<String>,
}

impl PageForm {
    /// The form for a file as the working revision has it (empty when new).
    pub fn of(file: &PageFile, files: &Files, loaded: Option<String>) -> PageForm {
        let mut form = PageForm {
            file: file.path(),
            footer: !file.news,
            loaded,
            ..PageForm::default()
        };
        let Some(src) = files
            .get(&file.path())
            .and_then(|b| std::str::from_utf8(b).ok())
        else {
            return form;
        };
        if let Ok((front, body)) = split_page(src)
            && let Ok(f) = toml::from_str::<FrontMatter>(front)
        {
            form.title = f.title;
            form.description = f.description;
            form.date = f.date.map(|d| d.to_string()).unwrap_or_default();
            form.footer = f.footer;
            form.order = if f.order == 0 {
                String::new()
            } else {
                f.order.to_string()
            };
            // The blank line after the front matter is the format's, not
            // the text's.
            form.body = body.trim_start_matches(['\r', '\n']).to_string();
        } else {
            // Not readable as a page: show it whole so nothing is lost.
            form.body = src.to_string();
        }
        form
    }

    pub fn from_fields(fields: &[(String, String)]) -> PageForm {
        let mut form = PageForm::default();
        for (name, value) in fields {
            match name.as_str() {
                "file" => form.file = value.trim().to_string(),
                "title" => form.title = value.trim().to_string(),
                "description" => form.description = value.trim().to_string(),
                "date" => form.date = value.trim().to_string(),
                "footer" => form.footer = !value.is_empty(),
                "order" => form.order = value.trim().to_string(),
                // Browsers send CRLF from a textarea: pages are kept with LF.
                "body" => form.body = value.replace("\r\n", "\n"),
                "loaded" if !value.trim().is_empty() => form.loaded = Some(value.trim().into()),
                _ => {}
            }
        }
        form
    }

    /// The page's file, or the fields to fix.
    pub fn render_file(&self, languages: &[Locale]) -> Result<(String, String), Vec<FieldError>> {
        let mut errors = Vec::new();
        let file = PageFile::parse(&self.file);
        match &file {
            None => errors.push(FieldError::new("file", "error_page_file", &self.file)),
            Some(f) => {
                if let Some(l) = f.locale
                    && (!languages.contains(&l) || languages.first() == Some(&l))
                {
                    errors.push(FieldError::new("file", "error_page_language", l.code()));
                }
            }
        }
        if self.title.is_empty() || !one_line(&self.title, 120) {
            errors.push(FieldError::new("title", "error_page_title", ""));
        }
        if !one_line(&self.description, 300) {
            errors.push(FieldError::new("description", "error_page_description", ""));
        }
        let news = file.as_ref().is_some_and(|f| f.news);
        let date = match (news, self.date.as_str()) {
            (_, "") if news => {
                errors.push(FieldError::new("date", "error_page_date", ""));
                None
            }
            (_, "") => None,
            (_, d) => match d.parse::<NaiveDate>() {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::new("date", "error_page_date", d));
                    None
                }
            },
        };
        let order = match self.order.as_str() {
            "" => 0,
            o => o.parse::<i32>().unwrap_or_else(|_| {
                errors.push(FieldError::new("order", "error_page_order", o));
                0
            }),
        };
        if self.body.len() > MAX_BODY {
            errors.push(FieldError::new(
                "body",
                "error_page_body",
                (MAX_BODY / 1024).to_string(),
            ));
        }
        if self.body.contains('\0') {
            errors.push(FieldError::new("body", "error_page_body_text", ""));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut front = toml_edit::DocumentMut::new();
        front["title"] = toml_edit::value(self.title.clone());
        if !self.description.is_empty() {
            front["description"] = toml_edit::value(self.description.clone());
        }
        if let Some(d) = date
            && let Ok(d) = d.to_string().parse::<toml_edit::Datetime>()
        {
            front["date"] = toml_edit::value(d);
        }
        if !news && !self.footer {
            front["footer"] = toml_edit::value(false);
        }
        if order != 0 {
            front["order"] = toml_edit::value(i64::from(order));
        }
        let body = self.body.trim_end();
        let path = file.map(|f| f.path()).unwrap_or_default();
        Ok((path, format!("+++\n{front}+++\n\n{body}\n")))
    }
}

/// The pages and announcements of a revision, sorted by path.
pub fn list(files: &Files) -> Vec<(PageFile, String)> {
    files
        .iter()
        .filter_map(|(path, bytes)| {
            let file = PageFile::parse(path)?;
            let title = std::str::from_utf8(bytes)
                .ok()
                .and_then(|src| split_page(src).ok())
                .and_then(|(front, _)| toml::from_str::<FrontMatter>(front).ok())
                .map(|f| f.title)
                .unwrap_or_default();
            Some((file, title))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_page_files_are_pages() {
        for ok in [
            "pages/terms.md",
            "pages/terms.en.md",
            "pages/news/promo-2026.md",
        ] {
            assert_eq!(PageFile::parse(ok).map(|f| f.path()).as_deref(), Some(ok));
        }
        for bad in [
            "site.toml",
            "pages/../site.toml",
            "pages/../../etc/passwd.md",
            "pages/a/b.md",
            "pages/Terms.md",
            "pages/terms.xx.md",
            "pages/terms.html",
            "static/x.md",
            "pages/.md",
        ] {
            assert_eq!(PageFile::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_page_round_trips_through_the_form() {
        let src = "+++\ntitle = 'Syarat \"layanan\"'\ndescription = \"Aturan\"\norder = 2\n+++\n\n# Syarat\n\nBody.\n";
        let files = Files::from([("pages/syarat.md".to_string(), src.as_bytes().to_vec())]);
        let form = PageForm::of(&PageFile::parse("pages/syarat.md").unwrap(), &files, None);
        assert_eq!(form.title, "Syarat \"layanan\"");
        assert_eq!(form.order, "2");
        let (path, out) = form.render_file(&[Locale::Id, Locale::En]).unwrap();
        assert_eq!(path, "pages/syarat.md");
        assert_eq!(out, src);
    }

    #[test]
    fn front_matter_cannot_be_broken_out_of() {
        let form = PageForm {
            file: "pages/terms.md".into(),
            title: "x\"\n+++\n<script>".into(),
            body: "ok".into(),
            ..PageForm::default()
        };
        let errors = form.render_file(&[Locale::En]).unwrap_err();
        assert_eq!(errors[0].field, "title");
        let form = PageForm {
            file: "pages/terms.md".into(),
            title: "Terms \"+++\" [x] = 1".into(),
            body: "+++\nnot front matter\n+++".into(),
            footer: true,
            ..PageForm::default()
        };
        let (_, out) = form.render_file(&[Locale::En]).unwrap();
        let (front, body) = split_page(&out).unwrap();
        let f: FrontMatter = toml::from_str(front).unwrap();
        assert_eq!(f.title, "Terms \"+++\" [x] = 1");
        assert_eq!(body.trim_start(), "+++\nnot front matter\n+++\n");
    }

    #[test]
    fn an_announcement_needs_a_date_and_a_translation_a_shown_language() {
        let form = PageForm {
            file: "pages/news/promo.pl.md".into(),
            title: "Promo".into(),
            body: "x".into(),
            ..PageForm::default()
        };
        let keys: Vec<&str> = form
            .render_file(&[Locale::Id, Locale::En])
            .unwrap_err()
            .iter()
            .map(|e| e.key)
            .collect();
        assert_eq!(keys, vec!["error_page_language", "error_page_date"]);
    }
}
